"""The formula engine: spellings, the fast pipe against schedula's own, and the `formulas` traps."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from helpers.quote_workbook import INPUTS, write_template
from helpers.workbooks import write_xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from ftxl.cli import cli
from ftxl.recalc import formula_text
from ftxl.recalc import formulas_fallback as formulas_engine
from ftxl.recalc.book import BookCells
from ftxl.recalc.engines import ModelCache
from ftxl.recalc.fast_pipe import FastPipe
from ftxl.recalc.ooxml.package import Package, read_workbook
from ftxl.recalc.workbook import BookReader, recalculate


@pytest.mark.parametrize(
    "saved, parsed",
    [
        ("BREAKEVEN_DAYS(A1,B1,C1,D1)", "BREAKEVEN_DAYS(A1,B1,C1,D1)"),
        ("[1]!BREAKEVEN_DAYS(A1,B1,C1,D1)", "BREAKEVEN_DAYS(A1,B1,C1,D1)"),
        ("'C:\\addins\\ftxl.xlam'!NET_SAVINGS(1,2,1,0)", "NET_SAVINGS(1,2,1,0)"),
        ("ftxl.xlam!NET_SAVINGS(1,2,1,0)", "NET_SAVINGS(1,2,1,0)"),
        ("_xldudf_XLWINGS_COST_PER_EVENT(1,2)", "_xldudf_COST_PER_EVENT(1,2)"),
        ("_xldudf_XLWINGS.AMORTIZED_COST_PER_EVENT(1,2,3)", "_xldudf_AMORTIZED_COST_PER_EVENT(1,2,3)"),
        ("[1]!_xldudf_NET_SAVINGS(1,2,1,0)", "[1]!_xldudf_NET_SAVINGS(1,2,1,0)"),
        ("[1]Sheet1!A1+1", "[1]Sheet1!A1+1"),
    ],
)
def test_normalise_keeps_what_the_engine_can_parse(saved, parsed):
    assert formula_text.normalise(saved) == parsed


def test_every_spelling_is_registered_before_loading():
    registry = formulas_engine.formulas.get_functions()
    for name in formula_text.FTXL_NAMES:
        for spelling in (name, f"_XLUDF.{name}", f"_XLDUDF_{name}"):
            assert spelling in registry


def test_unknown_functions_are_found_even_after_parsing():
    formulas_engine.check_formula("NOTAFUNCTION(1)")  # parsing adds the name to formulas' registry
    found = formulas_engine.unknown_functions('NOTAFUNCTION(1)+SUM(1)+_xlfn.STDEV.S(A1:A2)+LEN("X(")')
    assert found == {"NOTAFUNCTION"}


def _book(path: Path) -> BookCells:
    with Package(path) as package:
        return BookReader(package, read_workbook(package)).book


def _same(a, b) -> bool:
    return all(
        np.array_equal(
            np.asarray(getattr(x, "value", x), dtype=object), np.asarray(getattr(y, "value", y), dtype=object)
        )
        for x, y in zip(a, b, strict=True)
    )


def test_fast_pipe_gives_schedulas_results(tmp_path):
    rng = random.Random(3)
    for k in range(5):
        values = {
            label: tuple(v * rng.uniform(0.5, 1.5) if v < 1 else v * rng.uniform(0.5, 2) for v in lbh)
            for label, lbh in INPUTS
        }
        write_template(tmp_path / f"t{k}.xlsx", values, native=bool(k % 2))
    write_xlsxwriter(tmp_path / "spellings.xlsx")
    for path in sorted(tmp_path.glob("*.xlsx")):
        book = _book(path)
        compiled = formulas_engine.CompiledBook(book)
        assert isinstance(compiled.function, FastPipe), path
        args = [formulas_engine.engine_value(book.values[key]) for key in compiled.inputs]
        assert _same(compiled.function(*args), compiled.function.pipe(*args)), path


def _rewrite_sheet(path: Path, part: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_shared_formulas_are_translated_to_each_cell(tmp_path):
    path = tmp_path / "shared.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_column("A1", [1, 2, 3])
    for row in range(3):
        sheet.write_formula(row, 1, f"=A{row + 1}*10")
    book.close()
    _rewrite_sheet(path, "xl/worksheets/sheet1.xml", b"<f>A1*10</f>", b'<f t="shared" ref="B1:B3" si="0">A1*10</f>')
    for row in (2, 3):
        _rewrite_sheet(path, "xl/worksheets/sheet1.xml", f"<f>A{row}*10</f>".encode(), b'<f t="shared" si="0"/>')
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "shared.xlsx") as package:
        xml = package.read("xl/worksheets/sheet1.xml")
    assert b'<f t="shared" si="0"/><v>20</v>' in xml and b'<f t="shared" si="0"/><v>30</v>' in xml


def test_sheet_scoped_names_and_external_links_are_reported(tmp_path):
    path = tmp_path / "traps.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Model")
    sheet.write("A1", 5)
    sheet.write_formula("B1", "=Rate*2")
    sheet.write_formula("B2", "=[1]Prices!A1*2")
    sheet.write_formula("B3", "=SUMPRODUCT(--(A1:A2>0))")
    sheet.write_formula("B4", "=SUM((1)")
    book.define_name("Model!Rate", "=Model!$A$1")
    book.close()
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Model!B2: refers to another workbook, which is never opened; the cell shows #REF!" in result.output
    assert "Model!B4: the formula cannot be read" in result.output and "the cell shows #NAME?" in result.output
    computed = openpyxl.load_workbook(tmp_path / "out" / "traps.xlsx", data_only=True)["Model"]
    assert computed["B1"].value == 10  # a name scoped to the sheet is read there, as in Excel
    assert computed["B3"].value == 1  # -- turns TRUE into 1 in the plain engine


def _label_log_workbook(path: Path, rows: int, extra_formula: str | None = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Labels")
    for row in range(rows):
        sheet.write(row + 1, 0, f"Dept{row % 7}/Sub{row % 5}")
        sheet.write(row + 1, 1, f"Dept{row % 7}/Sub{row % 5}" if row % 10 else f"Dept{(row + 1) % 7}/Sub0")
    sheet.write_array_formula(0, 3, 0, 5, f"{{=ROUTE_BUCKETS(A2:A{rows + 1},B2:B{rows + 1})}}")
    if extra_formula:
        sheet.write_formula("H1", extra_formula)
    book.close()
    return path


def test_a_large_label_range_is_one_engine_input(tmp_path):
    import time

    path = _label_log_workbook(tmp_path / "log.xlsx", 20_000)
    with Package(path) as package:
        book = BookReader(package, read_workbook(package)).book
    assert list(book.blocks) == [formula_text.node("Labels", "A2:A20001"), formula_text.node("Labels", "B2:B20001")]
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 20
    outputs = json.loads(result.output)["files"][0]["outputs"]
    assert outputs["Labels!D1"] == pytest.approx(0.9)


@pytest.mark.parametrize("extra", ["=A5&B5", "=COUNTA(OFFSET(A1,1,0,10,1))", "=COUNTA(A2:A9)"])
def test_ranges_read_cell_by_cell_stay_cells(tmp_path, extra):
    path = _label_log_workbook(tmp_path / "log.xlsx", 300, extra)
    with Package(path) as package:
        book = BookReader(package, read_workbook(package)).book
    assert formula_text.node("Labels", "A2:A301") not in book.blocks  # the A cells are read one by one elsewhere
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["files"][0]["outputs"]["Labels!D1"] == pytest.approx(0.9)


operand = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-10, 10),
    st.booleans(),
    st.sampled_from(["", "3", "x", None]),
)


@given(st.sampled_from(["+", "-", "*", "/"]), operand, operand)
def test_fast_arithmetic_equals_formulas_operators(symbol, a, b):
    from formulas.functions.operators import OPERATORS
    from schedula import EMPTY

    from ftxl.recalc.fast_pipe import fast_operator

    def cell(value):
        return np.asarray([[EMPTY if value is None else value]], dtype=object)

    original = OPERATORS[symbol]
    expected, actual = original(cell(a), cell(b)), fast_operator(original)(cell(a), cell(b))
    assert np.asarray(actual, dtype=object).tolist() == np.asarray(expected, dtype=object).tolist()


def test_a_1904_workbook_is_computed_in_its_own_date_system(tmp_path):
    """Excel's TEXT(B1,"YYYY-MM-DD") of 0 is 1904-01-01 in a workbook that counts from 1904, 1900-01-00 else."""
    path = tmp_path / "mac.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    sheet = book.add_worksheet("S")
    sheet.write_number("B1", 0)
    sheet.write_formula("C1", '=TEXT(B1,"YYYY-MM-DD")')
    sheet.write_formula("C2", "=YEAR(DATE(2024,5,6))+DAY(EOMONTH(B1,1))")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and result.engine == "plain", result
    computed = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert computed["C1"].value == "1904-01-01"
    assert computed["C2"].value == 2024 + 29  # 1904-02-29: a leap year


def test_a_function_formulas_fails_on_prints_no_traceback_and_warns(tmp_path, capfd):
    path = tmp_path / "seriessum.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_formula("A1", "=SERIESSUM(1,0,1,{1,2})")  # formulas lists SERIESSUM but has no body for it
    sheet.write_formula("A2", "=1+1")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok, result.error
    assert capfd.readouterr().err == ""
    assert any(w.startswith("S!A1: ") for w in result.warnings), result.warnings


def test_warnings_do_not_pile_up_over_copies_of_one_model(tmp_path):
    path = tmp_path / "dyn.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_formula("A1", '=INDIRECT("B1")+DELTA(1,0)')
    sheet.write_number("B1", 1)
    book.close()
    cache = ModelCache()
    counts = [len(recalculate(path, tmp_path / f"out{k}.xlsx", cache).warnings) for k in range(3)]
    assert counts[0] >= 1 and counts == [counts[0]] * 3, counts
