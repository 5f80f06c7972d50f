"""What-If data tables computed as Excel does (`ftxl.recalc.data_tables`): against Excel's saved values in
ClosedXML's Excel-saved test workbooks (one variable in a column and in a row, two variables), after an input
changed, and read by other formulas; kept as saved, with a warning naming the table, where they cannot be."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ftxl.recalc.data_tables import DataTable, read_table
from ftxl.recalc.engines import ModelCache
from ftxl.recalc.workbook import recalculate
from tests.helpers.fidelity import compare

CORPUS = Path(__file__).parents[1] / "corpus" / "closedxml"
ONE_VARIABLE = CORPUS / "ClosedXML.Tests_Resource_TryToLoad_LO_xlsx_data-table_one-variable.xlsx"
TWO_VARIABLES = CORPUS / "ClosedXML.Tests_Resource_TryToLoad_LO_xlsx_data-table_multi-table.xlsx"


def edited(source: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of `source` whose first sheet's XML has each (old, new) replaced once."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for old, new in replacements:
                    assert old in text, old
                    text = text.replace(old, new, 1)
                data = text.encode()
            copy.writestr(item, data)
    target.write_bytes(out.getvalue())
    return target


def values(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}


@pytest.mark.parametrize("path", [ONE_VARIABLE, TWO_VARIABLES], ids=["one variable", "two variables"])
def test_every_table_cell_equals_excels_saved_value(path):
    result = compare(path)
    tables = [m for m in result.mismatches if m.formula == "TABLE()"]
    assert result.error is None and not tables and not result.mismatches
    assert "data table" in result.engine and result.cells >= (15 if path == ONE_VARIABLE else 145)


def test_tables_follow_their_input_and_formulas_read_them(tmp_path):
    source = edited(
        ONE_VARIABLE,
        tmp_path / "changed.xlsx",
        ('<c r="B2"><v>2</v></c>', '<c r="B2"><v>3</v></c>'),  # the column table's formula is A2*B2 at A2 = 1..7
        (
            '<c r="C2"><f>A2*B2</f><v>2</v></c>',
            '<c r="C2"><f>A2*B2</f><v>2</v></c><c r="D2"><f>SUM(B5:B11)</f><v>0</v></c>',
        ),
    )
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and result.engine == "plain, 2 data tables computed", result
    got = values(tmp_path / "out.xlsx")
    assert [got[f"B{row}"] for row in range(5, 12)] == [3 * a for a in range(1, 8)]  # A2 = 1..7 times B2 = 3
    assert [got[f"{col}5"] for col in "EFGHI"] == [10, 20, 30, 40, 50]  # B2 = 10..50 times A2 = 1
    assert got["D2"] == 3 * 28  # a formula reading the table sees its new values
    assert not [w for w in result.warnings if "data table" in w]


def test_a_table_whose_input_cell_holds_a_formula_is_kept_with_a_warning(tmp_path):
    source = edited(
        ONE_VARIABLE, tmp_path / "formula_input.xlsx", ('<c r="A2"><v>1</v></c>', '<c r="A2"><f>0+1</f><v>1</v></c>')
    )
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert result.ok
    assert any("data table One-Var!B5:B11: its input cell A2 holds a formula" in w for w in result.warnings)
    assert values(tmp_path / "out.xlsx")["B6"] == 4  # the saved value, kept


def test_reading_the_table_element():
    table = read_table("S", {"ref": "B4:M15", "dt2D": "1", "dtr": "1", "r1": "D1", "r2": "E1"})
    assert isinstance(table, DataTable) and table.where == "S!B4:M15"
    cell, inputs, formula = table.cases()[13]  # row 5, column C
    assert (cell, inputs, formula) == ("C5", [("D1", "C3"), ("E1", "A5")], "A3")
    column = read_table("S", {"ref": "B5:B11", "r1": "A2"})
    assert isinstance(column, DataTable) and column.cases()[1] == ("B6", [("A2", "A6")], "B4")
    row = read_table("S", {"ref": "E5:I5", "dtr": "1", "r1": "B2"})
    assert isinstance(row, DataTable) and row.cases()[2] == ("G5", [("B2", "G4")], "D5")
    assert "deleted" in read_table("S", {"ref": "B5:B11", "r1": "A2", "del1": "1"})
    assert "no row or column" in read_table("S", {"ref": "A1:A3", "r1": "B2"})


def test_a_two_variable_table_puts_the_top_row_into_r1_as_libreoffice_reads_excels_file(tmp_path):
    """ClosedXML's table is symmetric (D1*E1); made D1-10*E1, the orientation shows. LibreOffice, a second client,
    imports Excel's table as MULTIPLE.OPERATIONS and recalculates it: every cell agrees with ftxl's."""
    from tests.helpers.workbooks import libreoffice_recalculated

    source = edited(TWO_VARIABLES, tmp_path / "asymmetric.xlsx", ("<f>D1*E1</f>", "<f>D1-10*E1</f>"))
    ours = recalculate(source, tmp_path / "ours.xlsx", ModelCache())
    assert ours.ok and ours.engine == "plain, 1 data table computed"
    theirs = values(libreoffice_recalculated(source, tmp_path / "lo"))
    got = values(tmp_path / "ours.xlsx")
    table = [f"{col}{row}" for row in range(4, 16) for col in "BCDEFGHIJKLM"]
    assert [got[ref] for ref in table] == [theirs[ref] for ref in table]
    assert got["C4"] == 2 - 10 * 1  # D1 takes C3 (the top row), E1 takes A4 (the left column)


def test_a_table_whose_formula_reads_a_cell_another_engine_computes_is_computed_and_warned(tmp_path):
    source = edited(ONE_VARIABLE, tmp_path / "delta.xlsx", ("<f>A2*B2</f>", "<f>A2*B2+DELTA(1,0)</f>"))
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and "2 data tables computed" in result.engine, result.engine
    assert [got for got in (values(tmp_path / "out.xlsx")[f"B{row}"] for row in range(5, 12))] == [
        2 * a for a in range(1, 8)
    ]  # DELTA(1,0) is 0, computed by the fallback for every table cell
    assert any(w.startswith("data table One-Var!B5:B11: computed from a formula that carries") for w in result.warnings)
