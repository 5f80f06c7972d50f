"""Functions added to the plain engine where IronCalc, the fallback, gives answers other than Excel's (MMULT,
MINVERSE, MDETERM and the paired sums of squares in array formulas; DEVSQ, AVEDEV, T of POI's test data) and
common ones of finance models (LOOKUP, WORKDAY, DAYS, DAYS360, RATE ...). Each against the example of
Microsoft's documentation of the function; Apache POI's Excel-saved FormulaEvalTestData and
MatrixFormulaEvalTestData check them further in tests/recalc/test_corpus.py."""

from __future__ import annotations

import math

import pytest

from ftxl.recalc.values import CellError
from tests.helpers.plain_cells import calc


def one(formula: str, **cells: object) -> object:
    return calc(formula, **cells)[0][0]


def code(value: object) -> object:
    return value.code if isinstance(value, CellError) else value


@pytest.mark.parametrize(
    ("formula", "box", "expected"),
    [
        ("MMULT({1,3;7,2},{2,0;0,2})", "A1:B2", [[2.0, 6.0], [14.0, 4.0]]),
        ("MINVERSE({4,-1;2,0})", "A1:B2", [[0.0, 0.5], [-1.0, 2.0]]),
        ("MINVERSE({1,2,1;3,4,-1;0,2,0})", "A1:C3", [[0.25, 0.25, -0.75], [0.0, 0.0, 0.5], [0.75, -0.25, -0.25]]),
        ("MUNIT(2)", "A1:B2", [[1.0, 0.0], [0.0, 1.0]]),
    ],
)
def test_matrix_results_fill_their_range(formula, box, expected):
    actual = calc(formula, box)
    pairs = [(a, e) for ra, re in zip(actual, expected, strict=True) for a, e in zip(ra, re, strict=True)]
    assert all(math.isclose(a, e, abs_tol=1e-15) for a, e in pairs), actual


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("MDETERM({1,3,8,5;1,3,6,1;1,1,1,0;7,3,10,2})", 88.0),
        ("MDETERM({3,6,1;1,1,0;3,10,2})", 1.0),
        ("MDETERM({3,6;1,1})", -3.0),
        ("MDETERM({1,3,8,5;1,3,6,1})", "#VALUE!"),  # not square
        ("MMULT({1,2},{1,2})", "#VALUE!"),  # 2 columns, 1 row
        ("MINVERSE({1,2;2,4})", "#NUM!"),  # singular
        ("SUMX2MY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", -55.0),
        ("SUMX2PY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 521.0),
        ("SUMXMY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 79.0),
        ("SUMXMY2({1,2},{1,2,3})", "#N/A"),
        ("DEVSQ(4,5,8,7,11,4,3)", 48.0),
        ("AVEDEV(4,5,6,7,5,4,3)", 1.020408163),
        ("GEOMEAN(4,5,8,7,11,4,3)", 5.476986969),
        ("HARMEAN(4,5,8,7,11,4,3)", 5.028375962),
        ("GEOMEAN(4,0)", "#NUM!"),
        ("COMBIN(8,2)", 28.0),
        ("PERMUT(100,3)", 970200.0),
        ("PERMUT(3,2)", 6.0),
        ("COMBIN(2,3)", "#NUM!"),
        ("ASINH(-2.5)", -1.647231146),
        ("ASINH(10)", 2.99822295),
        ("ACOSH(1)", 0.0),
        ("ACOSH(10)", 2.993222846),
        ("ACOSH(0.5)", "#NUM!"),
        ("ATANH(0.76159416)", 1.00000001),
        ("ATANH(-0.1)", -0.100335348),
        ("DAYS(DATE(2021,3,15),DATE(2021,2,1))", 42.0),
        ("DAYS(DATE(2021,12,31),DATE(2021,1,1))", 364.0),
        ("DAYS360(DATE(2011,1,30),DATE(2011,12,31))", 330.0),
        ("DAYS360(DATE(2011,1,1),DATE(2011,12,31))", 360.0),
        ("WORKDAY(DATE(2008,10,1),151)", 39933.0),  # 2009-04-30
        ("WORKDAY(DATE(2008,10,1),151,{39778,39786,39834})", 39938.0),  # 2009-05-05, three holidays later
        ("WORKDAY(DATE(2008,10,6),-1)", 39724.0),  # Monday back to Friday 2008-10-03
        ("ROUND(RATE(4*12,-200,8000),4)", 0.0077),
        ("ROUND(RATE(4*12,-200,8000)*12,4)", 0.0924),
        ("RATE(58,-200,8000)", 1.3541257643259374e-2),  # Excel's value saved in POI's FormulaEvalTestData
        ('LOOKUP("C",{"a","b","c","d";1,2,3,4})', 3.0),
        ('LOOKUP("bump",{"a",1;"b",2;"c",3})', 2.0),
        ("ISERR(NA())", False),
        ("ISERR(1/0)", True),
        ("ISNONTEXT(A1)", True),
        ('ISNONTEXT("x")', False),
        ("ISEVEN(-1)", False),
        ("ISEVEN(2.5)", True),
        ("ISODD(5)", True),
        ("ISEVEN(TRUE)", "#VALUE!"),
        ("N(7)", 7.0),
        ('N("seven")', 0.0),
        ("N(TRUE)", 1.0),
        ('T("Rainfall")', "Rainfall"),
        ("T(19)", ""),
        ("T(TRUE)", ""),
    ],
)
def test_the_documented_examples(formula, expected):
    actual = code(one(formula))
    if isinstance(expected, float) and isinstance(actual, float):
        assert math.isclose(actual, expected, rel_tol=1e-8, abs_tol=1e-12), actual
    else:
        assert actual == expected


def test_lookup_finds_the_last_value_at_most_the_one_looked_up():
    cells = {"A2": 4.14, "A3": 4.19, "A4": 5.17, "A5": 5.77, "A6": 6.39}
    cells |= {"B2": "red", "B3": "orange", "B4": "yellow", "B5": "green", "B6": "blue"}
    found = [code(one(f"LOOKUP({x},A2:A6,B2:B6)", **cells)) for x in (4.19, 5.75, 7.66, 0.5)]
    assert found == ["orange", "yellow", "blue", "#N/A"]


def test_a_paired_sum_with_no_pair_of_numbers_is_div0_and_text_pairs_drop_out():
    assert code(one("SUMX2MY2(A1:A2,B1:B2)", A1="x", B2="y")) == "#DIV/0!"
    assert one("SUMX2MY2(A1:A3,B1:B3)", A1=3.0, A2="x", A3=2.0, B1=1.0, B2=5.0, B3=1.0) == 8.0 + 3.0


def test_text_writes_underscore_spacing_as_one_space():
    """_x leaves room as wide as x: TEXT writes one space (Apache POI's Excel-saved NumberFormatTests: "#_#/#"
    of 3.75 is "15 /4"), so the accounting format #,##0_);(#,##0) lines positive numbers up with negatives."""
    assert one('TEXT(1234.5,"#,##0_);(#,##0)")') == "1,235 "
    assert one('TEXT(-1234.5,"#,##0_);(#,##0)")') == "(1,235)"
    assert one('TEXT(0.5,"0.0%_)")') == "50.0% "


SAMPLE = {f"A{k}": v for k, v in enumerate((3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0, 4.0, 7.0), start=1)}
"""Microsoft's sample for SKEW and KURT."""


@pytest.mark.parametrize(
    ("formula", "shown"),
    [  # Microsoft's documented example of each function, to as many decimals as its page shows
        ("SKEW(A1:A10)", 0.359543),
        ("_xlfn.SKEW.P({3,4,5,2,3,4,5,6,4,7})", 0.303193),
        ("KURT(A1:A10)", -0.151799637),
        ("TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", 3.777778),
        ("_xlfn.PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},2)", 0.333),
        ("_xlfn.PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},4)", 0.555),  # 5/9, truncated
        ("_xlfn.PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},8)", 0.666),
        ("PERCENTRANK({13,12,11,8,4,3,2,1,1,1},5)", 0.583),  # between 4 and 8
        ("_xlfn.PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},7)", 0.7),
        ("_xlfn.PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43)", 0.381),
        ("_xlfn.PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43,1)", 0.3),
        ("FVSCHEDULE(1,{0.09,0.11,0.1})", 1.33089),
        ("_xlfn.PDURATION(0.025,2000,2200)", 3.86),
        ("_xlfn.RRI(96,10000,11000)", 0.0009933),
        ("ISPMT(0.1/12,1,36,8000000)", -64814.8),
        ("ISPMT(0.1,1,3,8000000)", -533333),
        ("DOLLARDE(1.02,16)", 1.125),
        ("DOLLARDE(1.1,32)", 1.3125),
        ("DOLLARFR(1.125,16)", 1.02),
        ("DOLLARFR(1.125,32)", 1.04),
        ("WEEKNUM(DATE(2012,3,9))", 10),
        ("WEEKNUM(DATE(2012,3,9),2)", 11),
        ("_xlfn.ISOWEEKNUM(DATE(2012,3,9))", 10),
    ],
)
def test_the_documented_examples_to_the_digits_shown(formula, shown):
    actual = one(formula, **SAMPLE)
    decimals = len(repr(float(shown)).split(".")[1]) if not float(shown).is_integer() else 0
    assert isinstance(actual, float) and abs(actual - shown) <= 0.5 * 10.0**-decimals, actual


def test_frequency_counts_each_bin_and_what_lies_above_the_last():
    assert calc("FREQUENCY({79,85,78,85,50,81,95,88,97},{70,79,89})", "Z1:Z4") == [[1.0], [2.0], [4.0], [2.0]]


def test_shape_and_rank_edges():
    assert code(one("SKEW(1,2)")) == "#DIV/0!" and code(one("KURT(1,1,1,1)")) == "#DIV/0!"
    assert code(one("TRIMMEAN({1,2,3},1)")) == "#NUM!"
    assert code(one("_xlfn.PERCENTRANK.INC({1,2,3},4)")) == "#N/A"  # outside the values
    assert code(one("_xlfn.PERCENTRANK.INC({1,2,3},2,0)")) == "#NUM!"
    assert code(one("DOLLARDE(1.02,0)")) == "#DIV/0!" and code(one("DOLLARDE(1.02,-1)")) == "#NUM!"
    assert code(one("_xlfn.PDURATION(0,1,2)")) == "#NUM!"
    assert code(one("FVSCHEDULE(1,A1:A2)", A1=0.1, A2="x")) == "#VALUE!"
    assert one("FVSCHEDULE(1,A1:A3)", A1=0.5, A3=1.0) == 3.0  # an empty cell grows nothing
    assert one("WEEKNUM(DATE(2024,12,31),21)") == 1.0  # ISO: the week of the year's first Thursday


def test_what_these_leave_to_another_engine():
    from tests.helpers.plain_cells import left_to_another_engine

    assert "1900-03-01" in left_to_another_engine("WEEKNUM(59)")  # Excel's calendar keeps a 1900-02-29
    assert "ascending" in left_to_another_engine("FREQUENCY({1,2},{3,1})", "Z1:Z3")


HOLIDAYS = {"A1": 38719.0, "A2": 38733.0}
"""2006-01-02 and 2006-01-16, the holidays of Microsoft's NETWORKDAYS.INTL example (typed there as text)."""


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("_xlfn.NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31))", 22.0),
        ("_xlfn.NETWORKDAYS.INTL(DATE(2006,2,28),DATE(2006,1,31))", -21.0),
        ("_xlfn.NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),7,A1:A2)", 22.0),  # Friday and Saturday off
        ('_xlfn.NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"0010001",A1:A2)', 20.0),  # Wednesday, Sunday
        ("_xlfn.WORKDAY.INTL(DATE(2012,1,1),30,0)", "#NUM!"),
        ("_xlfn.WORKDAY.INTL(DATE(2012,1,1),90,11)", 41013.0),  # Sundays off
        ("_xlfn.WORKDAY.INTL(DATE(2012,1,1),30,17)", 40944.0),  # Saturdays off: 2012-02-05
        ('_xlfn.NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31),"01")', "#VALUE!"),
        ("TDIST(1.959999998,60,2)", 0.054644930),
        ("TDIST(1.959999998,60,1)", 0.027322465),
    ],
)
def test_working_days_with_a_weekend_of_ones_own(formula, expected):
    actual = code(one(formula, **HOLIDAYS))
    if isinstance(expected, float) and not expected.is_integer():
        assert isinstance(actual, float) and abs(actual - expected) <= 5e-10, actual
    else:
        assert actual == expected


def test_the_default_weekend_is_workday_and_networkdays():
    for start, days in ((40909.0, 30), (40909.0, -30), (38718.0, 400)):
        assert one(f"WORKDAY({start},{days})") == one(f"_xlfn.WORKDAY.INTL({start},{days},1)")
        assert one(f"NETWORKDAYS({start},{start + days})") == one(
            f'_xlfn.NETWORKDAYS.INTL({start},{start + days},"0000011")'
        )


@pytest.mark.parametrize(
    ("formula", "cents"),
    [  # Microsoft's VDB examples: an asset of 2,400 with a salvage value of 300 and a life of 10 years
        ("VDB(2400,300,10*365,0,1)", 1.32),  # the first day
        ("VDB(2400,300,10*12,0,1)", 40.00),  # the first month
        ("VDB(2400,300,10,0,1)", 480.00),  # the first year
        ("VDB(2400,300,10*12,6,18)", 396.31),  # the sixth month to the eighteenth
        ("VDB(2400,300,10*12,6,18,1.5)", 311.81),  # the same with a factor of 1.5
        ("VDB(2400,300,10,0,0.875,1.5)", 315.00),  # the first year's 0.875, a factor of 1.5
    ],
)
def test_variable_declining_balance(formula, cents):
    assert abs(one(formula) - cents) <= 0.005


def test_variable_declining_balance_depreciates_to_the_salvage_value_and_checks_its_arguments():
    assert one("VDB(2400,300,10,0,10)") == 2100.0 == one("VDB(2400,300,10,0,10,2,TRUE)")
    parts = [one(f"VDB(2400,300,10,{k},{k + 1})") for k in range(10)]
    assert math.isclose(math.fsum(parts), 2100.0, rel_tol=1e-12)  # year by year adds up to the whole
    assert code(one("VDB(2400,300,10,5,4)")) == "#NUM!" and code(one("VDB(2400,300,10,0,11)")) == "#NUM!"
    assert code(one("VDB(2400,3000,10,0,1)")) == "#NUM!"  # salvage above cost


@pytest.mark.parametrize(
    ("formula", "expected"),
    [  # Microsoft's examples (POI's Excel-saved FormulaEvalTestData checks DOLLAR's argument rules further)
        ("FIXED(1234.567,1)", "1,234.6"),
        ("FIXED(1234.567,-1)", "1,230"),
        ("FIXED(-1234.567,-1,TRUE)", "-1230"),
        ("FIXED(44.332)", "44.33"),
        ("DOLLAR(1234.567,2)", "$1,234.57"),
        ("DOLLAR(1234.567,-2)", "$1,200"),
        ("DOLLAR(-1234.567,-2)", "($1,200)"),
        ("DOLLAR(-0.123,4)", "($0.1230)"),
        ("DOLLAR(99.888)", "$99.89"),
        ('FIXED("x")', "#VALUE!"),
        ("FIXED(1,128)", "#VALUE!"),
    ],
)
def test_numbers_written_with_fixed_decimals(formula, expected):
    assert code(one(formula)) == expected


def test_a_weekend_left_out_between_commas_is_saturday_and_sunday():
    """WORKDAY.INTL(start, days, , holidays): the weekend argument left out, not 0 (which is #NUM!)."""
    assert one("_xlfn.WORKDAY.INTL(DATE(2012,1,1),30,,A1:A2)", A1=40910.0) == one(
        "WORKDAY(DATE(2012,1,1),30,A1)", A1=40910.0
    )
    assert code(one("_xlfn.WORKDAY.INTL(DATE(2012,1,1),30,0)")) == "#NUM!"


def test_arguments_left_out_where_excels_rule_is_not_documented_go_to_another_engine():
    from tests.helpers.plain_cells import left_to_another_engine

    for formula in (
        "VDB(2400,300,10,0,1,,TRUE)",
        "FIXED(1,,TRUE)",
        "DOLLAR(1,)",
        "PERCENTRANK({1,2,3},2,)",
        "PERCENTRANK({1,2,3},2,A9)",  # a significance read from an empty cell
        "WEEKNUM(45000,)",
        "_xlfn.WORKDAY.INTL(45000,3,A9)",  # a weekend read from an empty cell
    ):
        assert "left out" in left_to_another_engine(formula) or "empty cell" in left_to_another_engine(formula)
