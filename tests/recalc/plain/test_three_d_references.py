"""References through a run of sheets (SUM(Jan:Dec!B5), a consolidation's usual formula) in the plain engine:
the same cells on every sheet from the first to the last in the workbook's tab order, in the functions Excel
allows them in. Excel's values from Apache POI's Excel-saved 55906-MultiSheetRefs.xlsx and 48703.xlsx are
checked whole by tests/recalc/test_corpus.py."""

from __future__ import annotations

import pytest

from ftxl.recalc.formula_text import node
from ftxl.recalc.plain.compiler import PlainBook
from ftxl.recalc.plain.parser import Parser

SHEETS = ["Summary", "Jan", "Feb", "Mar", "Q 2"]
CELLS = {
    node("Jan", "B5"): 10.0,
    node("Feb", "B5"): 20.0,
    node("Mar", "B5"): 30.0,
    node("Q 2", "B5"): 400.0,
    node("Feb", "C5"): "text",
    node("Mar", "C6"): 5.0,
}


def book(formula: str) -> PlainBook:
    plain = PlainBook({node("Summary", "A1"): formula}, {}, list(CELLS), [], SHEETS)
    return plain


def value(formula: str) -> object:
    plain = book(formula)
    assert not plain.uncovered, plain.uncovered
    return plain.evaluate(CELLS, {})[node("Summary", "A1")][0][0]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SUM(Jan:Mar!B5)", 60.0),
        ("SUM(Mar:Jan!B5)", 60.0),  # written either way round
        ("SUM('Jan:Q 2'!B5)", 460.0),  # a quoted run
        ("AVERAGE(Jan:Mar!B5)", 20.0),
        ("COUNT(Jan:Mar!B5:C5)", 3.0),
        ("COUNTA(Jan:Mar!B5:C5)", 4.0),  # the text on Feb counts
        ("MAX(Jan:Mar!B5:C6)", 30.0),
        ("SUM(Jan:Mar!C6,Jan!B5)+1", 16.0),
        ("SUM(Jan:Nov!B5)", "#REF!"),  # no sheet of that name
    ],
)
def test_a_run_of_sheets_reads_each_sheet_between_first_and_last(formula, expected):
    result = value(formula)
    assert (result.code if hasattr(result, "code") else result) == expected


def test_the_run_follows_the_tab_order_not_the_names():
    cells = {node("B", "A1"): 1.0, node("A", "A1"): 2.0, node("C", "A1"): 4.0}
    plain = PlainBook({node("S", "Z1"): "SUM(B:C!A1)"}, {}, list(cells), [], ["S", "B", "A", "C"])
    assert plain.evaluate(cells, {})[node("S", "Z1")][0][0] == 7.0  # B, A and C lie between B and C


def test_a_run_of_sheets_where_excel_does_not_allow_one_goes_to_another_engine():
    assert Parser("Jan:Mar!B5", "S").parse()[0] == "ref3d"
    for formula in ("Jan:Mar!B5", "VLOOKUP(1,Jan:Mar!B5:C6,2)", "Jan:Mar!B5+1"):
        assert "several sheets" in next(iter(book(formula).uncovered.values()))


def test_a_later_change_on_a_sheet_inside_the_run_is_picked_up():
    formulas = {node("Feb", "B5"): "Jan!B5*2", node("Summary", "A1"): "SUM(Jan:Mar!B5)"}
    cells = {key: v for key, v in CELLS.items() if key != node("Feb", "B5")}
    plain = PlainBook(formulas, {}, list(cells), [], SHEETS)
    result = plain.evaluate(cells, {})
    assert result[node("Summary", "A1")][0][0] == 10.0 + 20.0 + 30.0
    cells[node("Jan", "B5")] = 11.0
    assert plain.evaluate(cells, {})[node("Summary", "A1")][0][0] == 11.0 + 22.0 + 30.0
