"""FORMULATEXT in the plain engine (issue 23): the formula saved in a cell as Excel shows it, read without its
value (no loop), and left to another engine, with a warning, where the saved text is not the one computed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from ftxl.cli import cli


def _recalc(source: Path, out: Path) -> tuple[list[object], str]:
    result = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / source.name, data_only=True)["Data"]
    return [cell.value for cell in sheet[1]], result.output


def test_formula_texts_as_excel_shows_them(tmp_path):
    source = tmp_path / "texts.xlsx"
    book = xlsxwriter.Workbook(str(source))
    data, other = book.add_worksheet("Data"), book.add_worksheet("Other")
    data.write("A1", 40000)
    data.write_formula("B1", "=A1/825", None, 0)
    data.write_formula("C1", "=FORMULATEXT(B1)", None, "")  # IronCalc 0.9 gives "=A1/825" too
    data.write_formula("D1", "=FORMULATEXT(A1)", None, "")  # a value, no formula: #N/A
    data.write_formula("E1", "=FORMULATEXT(E1)", None, "")  # its own text: no loop, as in Excel
    data.write_formula("F1", '=_xlfn.CONCAT("a","b")', None, "")
    data.write_formula("G1", "=FORMULATEXT(F1)", None, "")  # without the file's _xlfn. prefix
    data.write_formula("H1", "=FORMULATEXT(Other!A1)", None, "")
    data.write_formula("I1", "=LEN(FORMULATEXT(B1))", None, 0)
    other.write_formula("A1", "=SUM(Data!A1:B1)", None, 0)
    book.close()
    values, output = _recalc(source, tmp_path / "out")
    assert values == [40000, pytest.approx(40000 / 825), "=A1/825", "#N/A", "=FORMULATEXT(E1)", "ab"] + [
        '=CONCAT("a","b")',
        "=SUM(Data!A1:B1)",
        7,
    ]
    assert "0 warnings" in output


def test_a_table_formula_the_engine_rewrote_is_never_shown_rewritten(tmp_path):
    source = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(source))
    data = book.add_worksheet("Data")
    data.add_table("A1:B3", {"name": "T", "columns": [{"header": "Qty"}, {"header": "Twice"}], "data": [[1], [2]]})
    data.write_formula("B2", "=T[[#This Row],[Qty]]*2", None, 0)
    data.write_formula("B3", "=T[[#This Row],[Qty]]*2", None, 0)
    data.write_formula("D1", "=FORMULATEXT(B2)", None, "")
    book.close()
    values, output = _recalc(source, tmp_path / "out")
    assert values[3] != "=$A$2*2"  # the resolved reference (IronCalc 0.9's answer) is not what Excel shows
    assert "Data!D1" in output and "warning" in output  # left to another engine, and said so
