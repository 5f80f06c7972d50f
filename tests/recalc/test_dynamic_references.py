"""OFFSET and INDIRECT in the plain engine: targets known only when a formula runs, their dependencies
learnt pass by pass (`ftxl.recalc.plain.dynamic`), against Excel's saved values where a file has them."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest

from ftxl.recalc.engines import ModelCache
from ftxl.recalc.workbook import recalculate
from tests.helpers.fidelity import compare

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _computed(tmp_path: Path, book: openpyxl.Workbook, name: str = "model.xlsx", cache: ModelCache | None = None):
    source = tmp_path / name
    book.save(source)
    result = recalculate(source, tmp_path / f"out_{name}", cache or ModelCache())
    assert result.ok, result.error
    values = openpyxl.load_workbook(tmp_path / f"out_{name}", data_only=True)
    return result, values


def _model() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    calc = book.create_sheet("Calc")
    for r in range(1, 11):
        data[f"A{r}"] = r * 10
    data["C1"] = "=SUM(OFFSET(A1,0,0,C2,1))"  # reads C2, which the workbook's order puts after it
    data["C2"] = "=D1*2"
    data["D1"] = "=1+1"
    data["C3"] = "=OFFSET(A1,2,0)"
    data["C4"] = '=INDIRECT("A"&C5)'
    data["C5"] = "=2+3"
    data["C6"] = '=INDIRECT("Calc!B2")'
    data["C7"] = '=INDIRECT("R2C1",FALSE)'
    data["C8"] = '=INDIRECT("R[1]C[-2]",FALSE)'
    data["C9"] = "=OFFSET(A1,0,0,0,1)"
    data["C10"] = "=OFFSET(A1,-1,0)"
    data["C11"] = "=SUM(OFFSET(A1,1.9,0,2.7,1))"
    data["C12"] = '=INDIRECT("nosheet!A1")'
    data["C13"] = "=OFFSET($C$13,1,0)"  # its own cell only as a position: no loop
    data["C14"] = "=7"
    data["C15"] = '=SUM(INDIRECT("rng"))'
    data["C16"] = '=ROWS(OFFSET(A1,0,0,C5,2))*10+COLUMN(INDIRECT("D1"))'
    data["C17"] = "=SUM(OFFSET(A10,0,0,-3,1))"  # a negative height reaches up: A8:A10
    data["C18"] = "=OFFSET(A1,0,0,3,1)"  # several cells in a normal cell, none in its row: #VALUE!
    data["E2"] = "=OFFSET(A1,0,0,3,1)"  # ... and the one in its row where there is one: A2
    data["C19"] = '=ROW(INDIRECT("XFE:XFE"))'
    calc["B2"] = "=Data!C3*2"
    book.defined_names["rng"] = openpyxl.workbook.defined_name.DefinedName("rng", attr_text="Data!$A$1:$A$3")
    return book


def test_offset_and_indirect_are_computed_by_the_plain_engine(tmp_path):
    result, values = _computed(tmp_path, _model())
    assert result.engine == "plain" and not result.warnings, (result.engine, result.warnings)
    got = {f"C{r}": values["Data"][f"C{r}"].value for r in range(1, 20)}
    assert got == {
        "C1": 100,  # A1:A4, once C2 is known: the first pass read C2 empty, the second in order
        "C2": 4,
        "C3": 30,
        "C4": 50,
        "C5": 5,
        "C6": 60,
        "C7": 20,
        "C8": 90,
        "C9": "#REF!",
        "C10": "#REF!",
        "C11": 50,
        "C12": "#REF!",
        "C13": 7,
        "C14": 7,
        "C15": 60,
        "C16": 54,
        "C17": 270,
        "C18": "#VALUE!",
        "C19": "#REF!",
    }
    assert values["Data"]["E2"].value == 20


def test_a_copy_whose_target_moves_is_put_in_order_again(tmp_path):
    """Copies share one compiled model: a copy whose OFFSET now reaches a formula computed later is still right."""
    cache = ModelCache()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = 1
    sheet["B1"] = "=INDEX(D1:D3,A1)"  # which row of C to read
    sheet["C1"] = "=OFFSET(E1,B1,0)"
    sheet["D1"], sheet["D2"], sheet["D3"] = 0, 1, 2
    sheet["E1"], sheet["E2"] = 5, "=E1*10"
    sheet["E3"] = "=C9+1"
    sheet["C9"] = "=100"
    _, first = _computed(tmp_path, book, "first.xlsx", cache)
    sheet["A1"] = 3  # now C1 reads E3, which reads C9
    _, second = _computed(tmp_path, book, "second.xlsx", cache)
    sheet["A1"] = 2
    _, third = _computed(tmp_path, book, "third.xlsx", cache)
    assert [v.active["C1"].value for v in (first, second, third)] == [5, 101, 50]


@pytest.mark.parametrize(
    ("name", "equal", "engine"),
    [
        ("ironcalc/PRODUCT_SUM.xlsx", 77, "plain"),  # was 53, with every cell sent to formulas
        ("ironcalc/ROW_COLUM.xlsx", 175, "plain"),  # was refused as a loop (OFFSET($J20...) in J20 and the like)
        ("ironcalc/CELL.xlsx", 31, "plain for 31 cells"),  # was refused; CELL("width") is left to formulas
        ("phpspreadsheet/issue.2778.xlsx", 3, "plain"),  # INDIRECT(ADDRESS(...)), SUM(D1:INDIRECT(...)); was 0
        ("phpspreadsheet/IndirectDefinedName.xlsx", 1, "plain"),
    ],
)
def test_excel_saved_workbooks_with_offset_and_indirect_match_excel(name, equal, engine):
    """Test workbooks of IronCalc and PhpSpreadsheet, saved by Excel: each cell equal, or different with a
    warning."""
    result = compare(CORPUS / name)
    assert result.error is None and result.refused is None, (result.error, result.refused)
    assert [m for m in result.mismatches if not m.warned] == []
    assert result.equal >= equal and result.engine.startswith(engine), (result.equal, result.engine)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("ADDRESS(2,3)", "$C$2"),
        ("ADDRESS(2,3,2)", "C$2"),
        ("ADDRESS(2,3,3)", "$C2"),
        ("ADDRESS(2,3,4)", "C2"),
        ("ADDRESS(2,3,1,FALSE)", "R2C3"),
        ("ADDRESS(2,3,4,FALSE)", "R[2]C[3]"),
        ('ADDRESS(1,1,1,TRUE,"Data")', "Data!$A$1"),
        ("ADDRESS(0,1)", "#VALUE!"),
        ("ADDRESS(1,16385)", "#VALUE!"),
        ("ADDRESS(1,1,5)", "#VALUE!"),
    ],
)
def test_address_writes_references_as_excel_does(tmp_path, formula, expected):
    """Excel's documented examples (ADDRESS function, support.microsoft.com)."""
    book = openpyxl.Workbook()
    book.active["A1"] = f"={formula}"
    result, values = _computed(tmp_path, book)
    assert values.active["A1"].value == expected


def test_poi_evaluation_data_no_longer_goes_to_formulas_whole():
    """POI's formula test data uses INDIRECT: it used to send every cell to `formulas` (1,052 of 1,295 equal)."""
    result = compare(CORPUS / "poi" / "FormulaEvalTestData_Copy.xlsx")
    assert result.engine.startswith("plain")
    assert result.equal >= 1250 and [m for m in result.mismatches if not m.warned] == []


def test_many_running_sums_over_offset_finish_quickly(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = 2000
    for r in range(1, rows + 1):
        sheet[f"A{r}"] = r
        sheet[f"B{r}"] = "=SUM(OFFSET($A$1,0,0,ROW(),1))"
        sheet[f"C{r}"] = f"=OFFSET(B{r},0,0)-B{r}+D{r}"  # reads D, which comes after it in the sheet
        sheet[f"D{r}"] = f"=A{r}*2"
    start = time.perf_counter()
    result, values = _computed(tmp_path, book)
    assert time.perf_counter() - start < 20
    assert values.active[f"B{rows}"].value == rows * (rows + 1) // 2
    assert values.active[f"C{rows}"].value == 2 * rows


def test_references_to_another_workbook_read_the_link_cache_saved_with_the_file(tmp_path):
    """Excel shows [1]Sheet1!A1 from the cache in xl/externalLinks until its links are updated; so does ftxl,
    with a warning that the values are as old as the file (they used to show #REF!)."""
    source = CORPUS / "closedxml" / "ClosedXML.Tests_Resource_TryToLoad_LO_xlsx_external-refs.xlsx"
    result = compare(source)
    assert result.engine == "plain" and result.equal == result.cells == 4
    out = recalculate(source, tmp_path / "out.xlsx", ModelCache())
    assert out.ok and any("link cache" in w for w in out.warnings), out.warnings


def test_a_warning_passes_through_a_dynamic_reference(tmp_path):
    """A cell that reads an unchecked fallback value through OFFSET is warned like one that reads it directly."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "=SQRTPI(0.5)"  # not in the plain engine: computed by a fallback, with a warning
    sheet["B1"] = "=OFFSET(A1,0,0)*2"
    sheet["C1"] = "=B1+1"
    sheet["D1"] = '=INDIRECT("E1")'
    sheet["E1"] = 3
    result, values = _computed(tmp_path, book)
    assert {"Sheet!A1", "Sheet!B1", "Sheet!C1"} <= set(result.warned_cells), result.warned_cells
    assert "Sheet!D1" not in result.warned_cells
    assert values.active["B1"].value == pytest.approx(2 * 1.2533141373155001)


@pytest.mark.parametrize("engine", ["auto", "formulas"])
def test_linked_workbooks_never_cost_an_internal_error(tmp_path, engine):
    """Link caches go to the plain engine only (`formulas` failed on their sheet names); a fallback's note about a
    defined name (POI 63934's RID = [1]Inputs!$E$13) is reported by the name, not an internal error."""
    for name in ("closedxml/ClosedXML.Tests_Resource_TryToLoad_LO_xlsx_external-refs.xlsx", "poi/63934.xlsx"):
        result = recalculate(CORPUS / name, tmp_path / f"{engine}.xlsx", ModelCache(engine=engine))
        assert result.ok, (name, result.error)
    assert engine == "formulas" or any(w.startswith("name RID:") for w in result.warnings), result.warnings


def test_running_sums_down_a_column_keep_memory_bounded(tmp_path):
    """=SUM($A$1:A9999) down a column reads ranges that are all different: their cell keys are no longer all kept
    (10,000 rows ran out of memory), and the order is found by column, not by comparing every pair of formulas."""
    from ftxl.recalc.plain import compiler

    book = openpyxl.Workbook()
    sheet = book.active
    rows = 3000
    for r in range(1, rows + 1):
        sheet[f"A{r}"] = r
        sheet[f"B{r}"] = f"=SUM($A$1:A{r})"
    kept = compiler.RANGE_KEYS_KEPT
    compiler.RANGE_KEYS_KEPT = 100_000  # well below the 4.5 million cells these ranges hold together
    try:
        result, values = _computed(tmp_path, book)
    finally:
        compiler.RANGE_KEYS_KEPT = kept
    assert result.engine == "plain"
    assert [values.active[f"B{r}"].value for r in (1, 2, rows)] == [1, 3, rows * (rows + 1) // 2]
