"""The formula parser: precedence, references, literals, and the formulas it leaves to `formulas`."""

from __future__ import annotations

import pytest

from ftxl.recalc.formula_text import LAST_ROW
from ftxl.recalc.plain.parser import Parser
from ftxl.recalc.values import CellError, NotCoveredError


def parse(formula: str, sheet: str = "S"):
    return Parser(formula, sheet).parse()


def test_multiplication_binds_tighter_than_addition():
    assert parse("1+2*3") == ("infix", "+", ("value", 1.0), ("infix", "*", ("value", 2.0), ("value", 3.0)))


def test_a_leading_minus_binds_tighter_than_the_power_as_in_excel():
    # Excel: -2^2 = 4, unlike most languages
    assert parse("-A1^2") == ("infix", "^", ("unary", "-", ("ref", "S", (1, 1, 1, 1))), ("value", 2.0))


def test_percent_is_a_postfix_operator():
    assert parse("50%") == ("unary", "%", ("value", 50.0))


def test_references_become_boxes_on_upper_cased_sheets():
    assert parse("SUM(A1:B2)") == ("call", "SUM", [("ref", "S", (1, 1, 2, 2))])
    assert parse("'My sheet'!C3", "S") == ("ref", "MY SHEET", (3, 3, 3, 3))


def test_a_whole_column_reaches_the_last_row_of_the_grid():
    assert parse("Sheet2!A:A") == ("ref", "SHEET2", (1, 1, 1, LAST_ROW))


def test_array_constants_and_error_literals_are_values():
    assert parse("{1,2;3,4}") == ("array", [[1.0, 2.0], [3.0, 4.0]])
    assert parse("#N/A") == ("value", CellError("#N/A"))


def test_text_is_joined_with_ampersand():
    assert parse('"a"&B1') == ("infix", "&", ("value", "a"), ("ref", "S", (2, 1, 2, 1)))


@pytest.mark.parametrize("formula", ["1+", "SUM(1,", "(((1)"])
def test_a_formula_it_cannot_read_is_left_to_the_other_engine(formula):
    with pytest.raises(NotCoveredError):
        parse(formula)


def test_nesting_deeper_than_excel_allows_is_left_to_the_other_engine():
    with pytest.raises(NotCoveredError, match="nested more than 100 levels"):
        parse("(" * 101 + "1" + ")" * 101)


def test_a_reference_to_deleted_cells_is_the_error_ref():
    """Excel rewrites a reference to deleted cells as Sheet1!#REF! (defined names keep it): #REF! as a value,
    which reads nothing, rather than a formula the plain engine refuses whole (POI's 49783.xlsx)."""
    from ftxl.recalc.plain.parser import static_references
    from ftxl.recalc.values import CellError

    assert Parser("Sheet1!#REF!", "S").parse() == ("value", CellError("#REF!"))
    assert Parser("'My Sheet'!#REF!*2", "S").parse()[2] == ("value", CellError("#REF!"))
    assert static_references("SUM(Sheet1!#REF!,A1)", "S") == [("S", (1, 1, 1, 1))]
