"""`ftxl recalc` on workbooks by other writers: right values, nothing else changed, real second clients."""

from __future__ import annotations

import csv
import json
import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers.golden import close
from helpers.workbooks import ARRAY_FORMULA, FTXL_FORMULAS, libreoffice, write_xlsxwriter

from ftxl.cli import cli
from ftxl.recalc import engines as engine
from ftxl.recalc.workbook import recalculate

MODEL_SHEET = "xl/worksheets/sheet3.xml"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """The source workbooks (never modified by the tests) and their recalculated copies."""
    folder = tmp_path_factory.mktemp("written")
    sources = {
        "xlsx": write_xlsxwriter(folder / "xlsxwriter.xlsx"),
        "xlsm": write_xlsxwriter(folder / "with_macros.xlsm", vba_project=b"\xd0\xcf\x11\xe0 not really VBA " * 64),
    }
    out = folder / "out"
    result = CliRunner().invoke(cli, ["recalc", *map(str, sources.values()), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    copies = {
        "xlsx": out / "xlsxwriter.xlsx",
        "xlsm": out / "with_macros.xlsm",
    }
    lo_folder = folder / "libreoffice"
    libreoffice("--convert-to", "xlsx", "--outdir", str(lo_folder), str(sources["xlsx"]), profile=folder / "profile")
    sources["libreoffice"] = lo_folder / "xlsxwriter.xlsx"
    lo_out = folder / "out_lo"
    assert CliRunner().invoke(cli, ["recalc", str(sources["libreoffice"]), "--out", str(lo_out)]).exit_code == 0
    copies["libreoffice"] = lo_out / "xlsxwriter.xlsx"
    return {**{f"source-{k}": v for k, v in sources.items()}, **{f"copy-{k}": v for k, v in copies.items()}}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def _compressed(path: Path) -> dict[str, bytes]:
    """Each part's bytes as stored in the zip (compressed), read from its local header on."""
    found = {}
    with zipfile.ZipFile(path) as package, path.open("rb") as handle:
        assert package.testzip() is None  # every part's CRC checks out
        for info in package.infolist():
            handle.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", handle.read(4))
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            found[info.filename] = handle.read(info.compress_size)
    return found


def _without_values(xml: bytes) -> bytes:
    """A sheet part with the cached values and value types of cells taken out."""
    xml = re.sub(rb"<v>.*?</v>|<v/>", b"", xml, flags=re.S)
    return re.sub(rb'(<c\b[^>]*?)\s+t="(?:n|str|e|b)"', rb"\1", xml)


def _expected(value):
    return value if isinstance(value, str) else pytest.approx(value, abs=1e-9)


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "libreoffice"])
def test_every_spelling_gets_its_value(written, kind):
    book = openpyxl.load_workbook(written[f"copy-{kind}"], data_only=True)
    sheet = book["Model"]
    for cell, formula, expected in FTXL_FORMULAS:
        assert sheet[cell].value == _expected(expected), (cell, formula)
    values = [c.value for c in sheet[ARRAY_FORMULA[0]][0]]
    assert values == [pytest.approx(v, abs=1e-9) for v in ARRAY_FORMULA[2]]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "libreoffice"])
def test_only_cached_values_change(written, kind):
    before, after = _parts(written[f"source-{kind}"]), _parts(written[f"copy-{kind}"])
    assert list(before) == list(after)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [MODEL_SHEET]
    assert _without_values(before[MODEL_SHEET]) == _without_values(after[MODEL_SHEET])
    formulas_before = re.findall(rb"<f[^>]*>.*?</f>", before[MODEL_SHEET])
    assert formulas_before and formulas_before == re.findall(rb"<f[^>]*>.*?</f>", after[MODEL_SHEET])
    stored_before, stored_after = _compressed(written[f"source-{kind}"]), _compressed(written[f"copy-{kind}"])
    assert all(stored_before[name] == stored_after[name] for name in before if name != MODEL_SHEET)


@pytest.mark.libreoffice
def test_the_parts_that_load_and_save_would_lose_are_kept(written):
    parts = _parts(written["copy-xlsm"])
    assert b"x14:dataValidation" in parts["xl/worksheets/sheet1.xml"]
    assert "xl/vbaProject.bin" in parts and "xl/media/image1.png" in parts and "xl/charts/chart1.xml" in parts
    assert "xl/comments1.xml" in parts
    source = _parts(written["source-xlsm"])
    assert parts["xl/vbaProject.bin"] == source["xl/vbaProject.bin"]
    assert parts["xl/workbook.xml"] == source["xl/workbook.xml"]  # fullCalcOnLoad as the writer left it


@pytest.mark.libreoffice
def test_libreoffice_shows_the_cached_values(written, tmp_path):
    """A second client: LibreOffice, recalc-on-load left at its default (never), converts to CSV."""
    libreoffice(
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        "--outdir",
        str(tmp_path),
        str(written["copy-xlsx"]),
        profile=tmp_path / "profile",
    )
    rows = list(csv.reader((tmp_path / "xlsxwriter-Model.csv").read_text().splitlines()))
    for cell, _, expected in FTXL_FORMULAS:
        if isinstance(expected, float):  # LibreOffice re-evaluates cells cached as errors
            row = int(cell[1:]) - 1
            assert float(rows[row][1]) == pytest.approx(expected, rel=1e-12), cell


@pytest.mark.libreoffice
def test_pandas_reads_the_cached_values(written):
    frame = pd.read_excel(written["copy-xlsx"], sheet_name="Model", header=None)
    assert frame.iloc[6, 1] == pytest.approx(1600 / 33)
    assert frame.iloc[11, 1] == pytest.approx(108500)


def test_summary_uses_the_names_marked_as_outputs(tmp_path):
    source = write_xlsxwriter(tmp_path / "book.xlsx")
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "out"), "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(summary.read_text())
    assert close(row["breakeven_days"], 1600 / 33) and close(row["net_savings"], 108500)
    assert [round(row[f"shares ({i})"], 9) for i in (1, 2, 3)] == [0.8, 0.15, 0.05]


def test_copies_of_one_template_share_a_compiled_model(tmp_path):
    first = write_xlsxwriter(tmp_path / "a.xlsx")
    second = tmp_path / "b.xlsx"
    parts = _parts(first)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"<v>40000</v>", b"<v>80000</v>")
    with zipfile.ZipFile(second, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    cache = engine.ModelCache()
    results = [recalculate(p, tmp_path / f"out-{p.name}", cache) for p in (first, second)]
    assert cache.hits == 1 and len(cache.models) == 1
    assert close(results[0].outputs["breakeven_days"], 1600 / 33)
    assert close(results[1].outputs["breakeven_days"], 3200 / 33)


def test_jobs_give_the_same_results(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(4):
        write_xlsxwriter(tmp_path / "in" / f"book{i}.xlsx")
    one = CliRunner().invoke(cli, ["recalc", str(tmp_path / "in"), "--out", str(tmp_path / "one"), "--json"])
    two = CliRunner().invoke(
        cli, ["recalc", str(tmp_path / "in"), "--out", str(tmp_path / "two"), "--json", "--jobs", "2"]
    )
    assert one.exit_code == two.exit_code == 0
    strip = lambda text: re.sub(r'"(source|target)": "[^"]*"', "", text)  # noqa: E731
    assert strip(one.output) == strip(two.output)
    for i in range(4):
        assert _parts(tmp_path / "one" / f"book{i}.xlsx") == _parts(tmp_path / "two" / f"book{i}.xlsx")


def test_new_files_get_ordinary_permissions_and_replaced_files_keep_theirs(tmp_path):
    source = write_xlsxwriter(tmp_path / "book.xlsx")
    source.chmod(0o640)
    assert CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "out")]).exit_code == 0
    assert (tmp_path / "out" / "book.xlsx").stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert CliRunner().invoke(cli, ["recalc", str(source), "--in-place"]).exit_code == 0
    assert source.stat().st_mode & 0o777 == 0o640


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_recalculating_a_recalculated_example_rewrites_no_part(tmp_path, monkeypatch):
    """Every part of a workbook whose values come out the same again is copied as its compressed bytes: the
    label log's formulas that show "" (`<v></v>`) are not rewritten (nor recompressed) as changed cells."""
    from helpers import EXAMPLE_WORKBOOK

    from ftxl.recalc.ooxml.package import Package

    replaced: list[list[str]] = []
    write_copy = Package.write_copy

    def spy(self, handle, parts):
        replaced.append(sorted(parts))
        write_copy(self, handle, parts)

    monkeypatch.setattr(Package, "write_copy", spy)
    cache = engine.ModelCache()
    first = recalculate(EXAMPLE_WORKBOOK, tmp_path / "once.xlsx", cache)
    second = recalculate(tmp_path / "once.xlsx", tmp_path / "twice.xlsx", cache)
    assert first.ok and second.ok, (first.error, second.error)
    assert replaced[-1] == []
    assert _compressed(tmp_path / "once.xlsx") == _compressed(tmp_path / "twice.xlsx")
