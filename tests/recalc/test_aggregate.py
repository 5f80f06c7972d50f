"""AGGREGATE in the plain engine (issue 23): every option's rule (nested subtotals, hidden rows, error values),
the reference and the array form, each figure worked out by hand. IronCalc 0.9 and `formulas` show #NAME? here."""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from ftxl.cli import cli

CASES = {
    "=AGGREGATE(9,6,A1:A7)": 180,  # errors left out; the hidden 40 and the nested 30 counted
    "=AGGREGATE(9,7,A1:A7)": 140,  # errors and hidden rows left out
    "=AGGREGATE(9,3,A1:A7)": 110,  # errors, hidden rows and the nested SUBTOTAL left out
    "=AGGREGATE(9,4,A1:A7)": "#DIV/0!",  # nothing left out: the error shows
    "=AGGREGATE(14,6,A1:A7,2)": 40,  # the second largest of 10..50 and 30
    "=AGGREGATE(15,6,A1:A5/(A1:A5>25),1)": 30,  # the array form: errors of the calculation left out
    "=AGGREGATE(4,5,A1:A5)": 50,  # hidden rows left out
    "=AGGREGATE(12,6,A1:A6)": 30,  # the median of 10..50
    "=AGGREGATE(1,3,A1:A7)": 27.5,  # the average of 10, 20, 30, 50
    "=AGGREGATE(20,0,A1:A5)": "#VALUE!",  # no such function number
}


def test_aggregate_options_and_forms(tmp_path):
    source = tmp_path / "aggregate.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("Data")
    for row, value in enumerate([10, 20, 30, 40, 50], start=1):
        sheet.write(f"A{row}", value)
    sheet.write_formula("A6", "=1/0", None, 0)
    sheet.write_formula("A7", "=SUBTOTAL(9,A1:A2)", None, 0)
    sheet.set_row(3, None, None, {"hidden": True})  # row 4, the 40
    for row, formula in enumerate(CASES, start=1):
        sheet.write_formula(f"C{row}", formula, None, 0)
    book.close()
    result = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "0 warnings" in result.output  # every cell computed by the plain engine
    computed = openpyxl.load_workbook(tmp_path / "out" / source.name, data_only=True)["Data"]
    for row, expected in enumerate(CASES.values(), start=1):
        got = computed[f"C{row}"].value
        assert got == (expected if isinstance(expected, str) else pytest.approx(expected)), (row, got)
