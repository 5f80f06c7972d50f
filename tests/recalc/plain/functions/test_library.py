"""The plain engine's function library: one registration style, every name once, ftxl's under each spelling."""

from __future__ import annotations

import pytest

from ftxl import cell_functions
from ftxl.recalc.plain.functions import SPECS, aggregate, criteria, logic, lookup, maths, text
from ftxl.recalc.plain.functions.spec import Library


def test_every_function_is_registered_under_its_upper_case_name():
    assert all(name == name.upper() for name in SPECS)
    assert {"SUM", "IF", "ROUND", "INDEX", "SUMIFS", "CONCAT"} <= SPECS.keys()


def test_each_kind_keeps_its_own_functions():
    assert "SUM" in aggregate.FUNCTIONS and "IF" in logic.FUNCTIONS and "MOD" in maths.FUNCTIONS
    assert "VLOOKUP" in lookup.FUNCTIONS and "COUNTIF" in criteria.FUNCTIONS and "LEN" in text.FUNCTIONS


def test_ftxl_functions_answer_to_every_spelling_a_file_may_hold():
    for name in cell_functions.FUNCTIONS:
        specs = {SPECS[spelling].function for spelling in cell_functions.spellings(name)}
        assert len(specs) == 1, name


def test_the_calling_convention_sits_with_the_function():
    assert SPECS["IF"].lazy and SPECS["SUMPRODUCT"].arrays
    assert SPECS["SUMIF"].blanks_add_nothing and SPECS["SUMIF"].pairs_ranges
    assert not SPECS["COUNTIF"].blanks_add_nothing  # it counts empty cells
    assert SPECS["MATCH"].covers is not None and SPECS["MATCH"].covers([None, None, ("ref", "S", (1, 1, 1, 1))])


def test_a_name_registered_twice_is_refused():
    library = Library()
    library.add("X", 1, 1)(abs)
    with pytest.raises(ValueError, match="X is registered twice"):
        library.add("X", 1, 1)(abs)
