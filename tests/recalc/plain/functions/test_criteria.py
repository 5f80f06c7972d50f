"""Criteria of COUNTIF, SUMIF and their kin, with Excel's rules for comparisons, wildcards and text."""

from __future__ import annotations

import pytest

from ftxl.recalc.plain.functions.criteria import criterion, xl_countif, xl_countifs, xl_sumif
from ftxl.recalc.values import Grid, NotCoveredError


@pytest.mark.parametrize(
    ("condition", "value", "matches"),
    [
        (">1", 2.0, True),
        (">1", "3", False),  # a comparison counts numbers only, not text that looks like one
        ("a*", "ABC", True),  # wildcards, case ignored
        ("?b", "ab", True),
        ("~*", "*", True),  # ~ makes a wildcard literal
        ("~*", "x", False),
        ("<>x", None, True),
        (2.0, "2", True),  # text that reads as the number matches it
        ("=", None, True),  # "=" matches empty cells
    ],
)
def test_a_criterion_matches_as_in_excel(condition, value, matches):
    assert criterion(condition)(value) is matches


def test_countif_counts_numbers_that_meet_a_comparison():
    assert xl_countif(Grid([[1.0], [2.0], ["2"], [None]]), ">=2") == 1.0


def test_sumif_adds_the_paired_cells_of_the_rows_that_match():
    assert xl_sumif(Grid([["a"], ["b"], ["a"]]), "a", Grid([[1.0], [2.0], [4.0]])) == 5.0


def test_countifs_needs_every_pair_to_match():
    labels, amounts = Grid([["a"], ["a"], ["b"]]), Grid([[1.0], [5.0], [5.0]])
    assert xl_countifs(labels, "a", amounts, ">2") == 1.0


def test_text_compared_by_order_selects_text_only_case_ignored():
    later = criterion(">b")
    assert later("C") and not later("a") and not later("b") and not later(5.0)


def test_a_date_written_as_text_in_a_criterion_is_left_to_the_other_engine():
    with pytest.raises(NotCoveredError):
        criterion(">=2024-07-01")


def test_not_equal_to_a_number_keeps_text_that_reads_as_it():
    assert criterion("<>23")("23") and not criterion("<>23")(23.0)  # as Excel: "=23" selects both
