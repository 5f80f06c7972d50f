"""`ftxl recalc` refreshes the cached series of charts over recomputed cells, and nothing else of a chart."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter
from helpers import ROOT

from ftxl.recalc import engines as engine
from ftxl.recalc.workbook import recalculate


def _chart_book(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data sheet")
    for row in range(5):
        sheet.write(row, 0, f"item {row}")
        sheet.write(row, 1, row + 1)
        sheet.write_formula(row, 2, f"=B{row + 1}*10")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"categories": "='Data sheet'!$A$1:$A$5", "values": "='Data sheet'!$C$1:$C$5"})
    chart.add_series({"categories": "='Data sheet'!$A$1:$A$5", "values": "='Data sheet'!$B$1:$B$5"})
    sheet.insert_chart("E2", chart)
    book.close()
    return path


def _without_caches(xml: bytes) -> bytes:
    return re.sub(rb"<c:(num|str)Cache>.*?</c:\1Cache>", b"", xml, flags=re.S)


def test_the_cache_of_a_recomputed_series_holds_its_values(tmp_path):
    source = _chart_book(tmp_path / "chart.xlsx")
    out = tmp_path / "out.xlsx"
    assert recalculate(source, out, engine.ModelCache()).ok
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        old, new = before.read("xl/charts/chart1.xml"), after.read("xl/charts/chart1.xml")
    assert _without_caches(old) == _without_caches(new)  # only the caches changed
    caches = re.findall(rb"<c:f>([^<]*)</c:f><c:numCache>(.*?)</c:numCache>", new, re.S)
    points = {f.decode(): re.findall(rb"<c:v>([^<]*)</c:v>", cache) for f, cache in caches}
    assert points["'Data sheet'!$C$1:$C$5"] == [b"10", b"20", b"30", b"40", b"50"]
    # the series over typed values was not recomputed: its cache is as the writer left it
    assert old.count(b"<c:f>'Data sheet'!$B$1:$B$5</c:f>") == 1
    assert re.search(rb"\$B\$1:\$B\$5</c:f><c:numCache>(.*?)</c:numCache>", old, re.S).group(0) in new  # type: ignore[union-attr]


def test_the_template_charts_show_the_computed_series():
    example = ROOT / "workbook_templates" / "ftxl_insurance_example.xlsx"
    book = openpyxl.load_workbook(example, data_only=True)
    with zipfile.ZipFile(example) as package:
        parts = [package.read(n) for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(parts) == 4  # Timeline: cost parts, break-even; Sensitivity: distribution, tornado
    for part in parts:
        series = re.findall(rb"<c:f>(Timeline|Sensitivity)!([^<]*)</c:f><c:numCache>(.*?)</c:numCache>", part, re.S)
        assert series
        for sheet, ref, cache in series:
            found = book[sheet.decode()][ref.decode().replace("$", "")]
            rows = found if isinstance(found, tuple) else ((found,),)  # a single cell: one point
            cells = [c.value for row in rows for c in row]
            cached = [float(v) for v in re.findall(rb"<c:v>([^<]*)</c:v>", cache)]
            assert cached == [float(v) for v in cells if isinstance(v, (int, float))], ref
        # previews no longer draw flat lines: every chart has values other than 0 (review costs are 0 here)
        assert any(float(v) != 0 for _, _, cache in series for v in re.findall(rb"<c:v>([^<]*)</c:v>", cache))
