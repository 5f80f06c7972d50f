"""Node ids and formula text: one format, built and read in one module."""

from __future__ import annotations

import pytest

from ftxl.recalc.formula_text import name_node, node, node_ref, normalise, parse_node, references, translate
from ftxl.recalc.values import NotCoveredError


def test_a_node_id_round_trips_with_quotes_in_the_sheet_name():
    key = node("Bob's sheet", "A1:B2")
    assert key == "'[BOOK]BOB''S SHEET'!A1:B2"
    assert parse_node(key) == ("BOB'S SHEET", "A1:B2") and node_ref(key) == "A1:B2"


def test_a_defined_name_has_a_node_without_a_sheet():
    assert parse_node(name_node("rates")) == ("", "RATES")


def test_anything_else_is_not_a_node():
    with pytest.raises(NotCoveredError):
        parse_node("Sheet1!A1")


def test_references_are_found_outside_string_literals():
    assert references('IF(A1>0,"B2",Data!$C$3:C9)', "S") == (("S", "A1"), ("Data", "C3:C9"))


def test_a_shared_formula_moves_its_relative_references_and_falls_off_the_grid_as_ref_error():
    assert translate("A1*$B$1", "C1", "C2") == "A2*$B$1"
    assert translate("A1048576+1", "A1", "A2") == "#REF!+1"


def test_an_office_js_namespace_before_an_ftxl_name_is_dropped():
    assert normalise("_xldudf_MYNS_BREAKEVEN_DAYS(1,2,3,4)") == "_xldudf_BREAKEVEN_DAYS(1,2,3,4)"
    assert normalise("[1]!NET_SAVINGS(1,2,3,4)") == "NET_SAVINGS(1,2,3,4)"
