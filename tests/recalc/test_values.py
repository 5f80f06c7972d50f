"""Excel's value rules: coercion, operators, comparison and broadcasting over arrays."""

from __future__ import annotations

from ftxl.recalc.values import (
    DIV0,
    NA,
    VALUE,
    CellError,
    Grid,
    binary,
    compare,
    elementwise,
    general,
    number,
    text,
    truth,
)


def test_text_that_reads_as_a_number_takes_part_in_arithmetic():
    assert number("3") == 3.0 and number(" 3 ") == 3.0
    assert number("x") == VALUE
    assert binary("+")(1.0, "2") == 3.0


def test_an_empty_cell_is_zero_in_arithmetic_and_empty_in_text():
    assert number(None) == 0.0
    assert text(None) == ""


def test_numbers_become_text_as_the_general_format_writes_them():
    assert text(0.1 + 0.2) == "0.3"
    assert general(1e16) == "1E+16"
    assert general(123456789012345678.0) == "1.23456789012346E+17"
    assert binary("&")(1.0, True) == "1TRUE"


def test_the_first_error_among_the_operands_is_the_result():
    assert binary("+")(VALUE, DIV0) == VALUE
    assert binary("/")(1.0, 0.0) == DIV0


def test_comparison_orders_numbers_before_text_before_logicals_and_ignores_case():
    assert compare(1.0, "a") == -1
    assert compare("a", "A") == 0
    assert compare(True, "z") == 1
    assert binary("=")("a", "A") is True


def test_truth_of_text_is_an_error_unless_it_says_true_or_false():
    assert truth("TRUE") is True and truth(0.0) is False
    assert truth("x") == VALUE


def test_a_row_and_a_column_broadcast_to_their_cross_product():
    assert elementwise(binary("+"), Grid([[1.0, 2.0]]), Grid([[10.0], [20.0]])).rows == [[11.0, 12.0], [21.0, 22.0]]


def test_cells_one_array_lacks_are_not_available():
    assert elementwise(binary("+"), Grid([[1.0, 2.0, 3.0]]), Grid([[10.0, 20.0]])).rows == [[11.0, 22.0, NA]]


def test_an_error_reason_travels_with_the_value_and_never_changes_equality():
    refused = CellError("#VALUE!", "events_per_day = 0 must be greater than 0")
    assert refused == VALUE and hash(refused) == hash(VALUE)
    assert binary("*")(refused, 2.0).reason == refused.reason


def test_comparison_operators_see_numbers_to_15_significant_digits():
    """As Excel answers (Stack Overflow 58452176, excelatfinance.com's floating-point Q&A, Microsoft's KB 78113
    examples): equal when they agree to 15 digits, ordered exactly otherwise."""
    equal, greater, at_most = binary("="), binary(">"), binary("<=")
    assert equal(0.1 + 0.2, 0.3) is True  # 0.30000000000000004
    assert equal(0.1, 1.2 - 1.1) is False  # 0.0999999999999999 to 15 digits
    assert equal(0.0, 0.5 - 0.4 - 0.1) is False  # -2.8E-17 is not 0 here
    assert equal(10.01 - 10, 0.01) is False
    assert greater(400.00000000000006, 400.0) is False and at_most(400.00000000000006, 400.0) is True
    assert greater(400.0000000001, 400.0) is True


def test_texts_are_ordered_here_only_where_excel_orders_them_by_letters_digits_and_spaces():
    import pytest

    from ftxl.recalc.values import NotCoveredError

    assert compare("apple", "Banana") == -1 and compare("B2", "b10") == 1 and compare("ab", "AB") == 0
    assert compare("a b", "ab") == -1  # a space sorts first in both
    for x, y in (("a-b", "ab"), ("é", "f"), ("_x", "1x"), ("x'", "x")):
        with pytest.raises(NotCoveredError):
            compare(x, y)  # Excel skips hyphens, sorts é with e and punctuation before digits


def test_text_excel_may_read_as_a_number_or_a_date_is_not_taken_for_value_error():
    """Excel's arithmetic reads "$5", "1,000", "(5)" as numbers and "1/2", "9:30", "Jan 5" as dates or times
    (of the year it runs in): the plain engine leaves those to another engine rather than show #VALUE!."""
    import pytest

    from ftxl.recalc.values import NotCoveredError

    for written in ("$5", "1,000", "(5)", "1/2", "9:30 am", "12-34", "Jan 5", "5 March"):
        with pytest.raises(NotCoveredError):
            number(written)
    assert number("10%") == 0.1 and number(" 1e3 ") == 1000.0
    for plain_text in ("abc", "A-123", "TRUE", "-", "May"):
        assert number(plain_text) == VALUE
