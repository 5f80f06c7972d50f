"""Dynamic arrays (SEQUENCE, SORT, UNIQUE, FILTER, TRANSPOSE), LET and MODE in the plain engine, against
the values Excel's documentation gives (support.microsoft.com, each function's examples) and Excel-saved files."""

from __future__ import annotations

import pytest

from ftxl.recalc.formula_text import node
from ftxl.recalc.plain.compiler import PlainBook
from ftxl.recalc.values import CellError
from tests.helpers.plain_cells import calc, left_to_another_engine


def test_sequence_counts_row_by_row():
    assert calc("_xlfn.SEQUENCE(2,3,10,5)", "Z1:AB2") == [[10.0, 15.0, 20.0], [25.0, 30.0, 35.0]]
    assert calc("_xlfn.SEQUENCE(3)", "Z1:Z3") == [[1.0], [2.0], [3.0]]
    assert "SEQUENCE of no rows" in left_to_another_engine("_xlfn.SEQUENCE(0)", "Z1:Z3")


def test_sort_orders_numbers_text_without_case_and_keeps_ties_in_order():
    cells = {"A1": 3.0, "A2": "b", "A3": "A", "A4": 1.0}
    assert calc("_xlfn._xlws.SORT(A1:A4)", "Z1:Z4", **cells) == [[1.0], [3.0], ["A"], ["b"]]
    assert calc("_xlfn._xlws.SORT(A1:A4,1,-1)", "Z1:Z4", **cells) == [["b"], ["A"], [3.0], [1.0]]
    rows = {"A1": 1.0, "B1": 5.0, "A2": 2.0, "B2": 7.0, "A3": 3.0, "B3": 5.0}
    assert calc("_xlfn._xlws.SORT(A1:B3,2,-1)", "Z1:AA3", **rows) == [[2.0, 7.0], [1.0, 5.0], [3.0, 5.0]]
    assert calc("_xlfn._xlws.SORT(A1:B3,3)", "Z1:AA3", **rows) == [[CellError("#VALUE!")]]  # no third column
    assert "empty cells or errors" in left_to_another_engine("_xlfn._xlws.SORT(A1:A3)", "Z1:Z3", A1=1.0)


def test_unique_keeps_first_of_each_and_ignores_case():
    cells = {"A1": "a", "A2": "A", "A3": 1.0, "A4": "b", "A5": 1.0}
    assert calc("_xlfn.UNIQUE(A1:A5)", "Z1:Z3", **cells) == [["a"], [1.0], ["b"]]
    assert calc("_xlfn.UNIQUE(A1:A5,FALSE,TRUE)", "Z1", **cells) == [["b"]]


def test_filter_keeps_rows_whose_condition_holds():
    cells = {f"A{k}": float(k) for k in range(1, 5)} | {"B1": 0.0, "B2": 2.0, "B3": 1.0, "B4": 5.0}
    assert calc("_xlfn._xlws.FILTER(A1:A4,B1:B4>1)", "Z1:Z2", **cells) == [[2.0], [4.0]]
    assert calc('_xlfn._xlws.FILTER(A1:A4,B1:B4>9,"none")', "Z1", **cells) == [["none"]]
    assert "nothing left" in left_to_another_engine("_xlfn._xlws.FILTER(A1:A4,B1:B4>9)", "Z1", **cells)


def test_transpose_turns_rows_into_columns():
    assert calc("TRANSPOSE(A1:A3)", "Z1:AB1", A1=1.0, A2=2.0, A3="x") == [[1.0, 2.0, "x"]]


def test_let_names_values_once_in_order():
    assert calc("_xlfn.LET(_xlpm.x,2,_xlpm.y,_xlpm.x*3,_xlpm.x+_xlpm.y)") == [[8.0]]
    assert calc("_xlfn.LET(_xlpm.r,A1:A3,SUM(_xlpm.r)*2)", A1=1.0, A2=2.0, A3=3.0) == [[12.0]]
    # a later LET's variable hides an outer one of the same name only inside it
    assert calc("_xlfn.LET(_xlpm.x,1,_xlfn.LET(_xlpm.x,10,_xlpm.x)+_xlpm.x)") == [[11.0]]
    assert "LET with 2 arguments" in left_to_another_engine("_xlfn.LET(_xlpm.x,1)")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("MODE(A1:A6)", 2.0),  # 2 and 3 both twice: the first of them
        ("MODE(5.6,4,4,3,2,4)", 4.0),
        ("MODE(1,2,3)", CellError("#N/A")),
        ('MODE(B9,"1",2,2)', CellError("#VALUE!")),  # typed text: #VALUE! (POI's data, saved by Excel)
        ("MODE(B9,2,D7)", CellError("#VALUE!")),  # one empty cell: #VALUE!
        ("_xlfn.MODE.SNGL(A1:A6)", 2.0),
    ],
)
def test_mode_as_excel_gives_it(formula, expected):
    cells = {"A1": 1.0, "A2": 2.0, "A3": 2.0, "A4": 3.0, "A5": 3.0, "A6": 4.0, "B9": 2.0}
    assert calc(formula, **cells) == [[expected]]


def test_a_spill_reference_reads_the_range_the_array_formula_fills():
    """Excel saves =SUM(A1#) as SUM(_xlfn.ANCHORARRAY(A1)), with the spill A1:A3 as an array formula's range."""
    formulas = {node("S", "A1:A3"): "_xlfn.SEQUENCE(3)", node("S", "B1"): "SUM(_xlfn.ANCHORARRAY(A1))"}
    formulas[node("S", "B2")] = "ROWS(_xlfn.ANCHORARRAY(A1))*10+SUM(_xlfn.ANCHORARRAY(C1))"
    book = PlainBook(formulas, {}, [], [], ["S"], array_formulas={node("S", "A1:A3")})
    assert not book.uncovered, book.uncovered
    results = book.evaluate({}, {})
    assert results[node("S", "B1")] == [[6.0]]
    assert results[node("S", "B2")] == [[CellError("#REF!")]]  # C1 holds no spill
