"""The functions added for real workbooks, each against a value Excel gives (its documentation's examples
and values read off Excel-saved files); `tests/recalc/test_corpus.py` checks them on whole workbooks."""

from __future__ import annotations

import math
import re

import pytest

from ftxl.recalc.formula_text import node
from ftxl.recalc.plain.compiler import PlainBook
from ftxl.recalc.values import CellError


def calc(formula: str, date1904: bool = False, **cells: object) -> object:
    """The value of `formula` in S!Z1 of a workbook holding `cells` (A1=..., B2=...) on sheet S."""
    values = {node("S", ref): value for ref, value in cells.items()}
    book = PlainBook({node("S", "Z1"): formula}, {}, list(values), [], ["S"], date1904=date1904)
    assert not book.uncovered, book.uncovered
    return book.evaluate(values, {})[node("S", "Z1")][0][0]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("DATE(2008,1,20)", 39467.0),
        ("DATE(1900,2,29)", 60.0),  # the day Excel keeps for Lotus 1-2-3
        ("DATE(1900,3,1)", 61.0),
        ("DATE(108,1,2)", 39449.0),  # a year below 1900 is counted from 1900
        ("DATE(2008,14,2)", 39846.0),  # months past 12 carry into the year
        ("DATE(2008,1,-15)", 39432.0),
        ("YEAR(60)*10000+MONTH(60)*100+DAY(60)", 19000229.0),
        ("DAY(0)", 0.0),
        ("MONTH(39467)", 1.0),
        ("EDATE(39448,1)", 39479.0),
        ("EDATE(DATE(2011,1,31),1)", 40602.0),  # the 31st moves to the month's last day
        ("EOMONTH(39448,1)", 39507.0),
        ("EOMONTH(39448,-3)", 39386.0),
        ("WEEKDAY(39492)", 5.0),  # 2008-02-14, a Thursday
        ("WEEKDAY(39492,2)", 4.0),
        ("WEEKDAY(39492,3)", 3.0),
        ("WEEKDAY(1)", 1.0),  # serial 1 is a Sunday in Excel's count
        ('DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")', 2.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")', 440.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")', 75.0),
        ("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1))", 110.0),
        ('DATEVALUE("2008-08-22")', 39682.0),
        ("TIME(12,0,0)", 0.5),
        ("HOUR(0.75)+MINUTE(0.7507)", 19.0),
    ],
)
def test_dates_are_serial_numbers_as_in_excel(formula, expected):
    assert calc(formula) == expected


def test_a_1904_workbook_counts_dates_from_1904():
    assert calc("DATE(1904,1,2)", date1904=True) == 1.0
    assert calc('TEXT(B1,"YYYY-MM-DD")', date1904=True, B1=0.0) == "1904-01-01"
    assert calc('TEXT(B1,"YYYY-MM-DD")', date1904=False, B1=1.0) == "1900-01-01"
    assert calc("YEAR(B1)", date1904=True, B1=1462.0) == 1908.0  # 1900-system serial 1462 is 1904-01-01
    assert calc("WEEKDAY(0)", date1904=True) == 6.0  # 1904-01-01 was a Friday


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234.567, "#,##0.00", "1,234.57"),
        (0.285, "0.0%", "28.5%"),
        (-5.0, "0.00", "-5.00"),
        (-5.0, "0;(0)", "(5)"),
        (0.0, '0;-0;"zero"', "zero"),
        (12345.0, "0.00E+00", "1.23E+04"),
        (1234567.0, "#,##0,", "1,235"),
        (0.5, "#.##", ".5"),
        (39682.0, "yyyy-mm-dd", "2008-08-22"),
        (39682.0, "dddd, mmmm d, yyyy", "Friday, August 22, 2008"),
        (39682.75, "h:mm AM/PM", "6:00 PM"),
        (1.5, "[h]:mm", "36:00"),
        (123456789012.0, "General", "1.23457E+11"),
        (-1 / 3, "General", "-0.333333333"),
        ("text", "0.00", "text"),
    ],
)
def test_text_writes_excel_number_formats(value, fmt, expected):
    assert calc("TEXT(B1,B2)", B1=value, B2=fmt) == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('FIND("M","Miriam McGovern")', 1.0),
        ('FIND("m","Miriam McGovern")', 6.0),
        ('SEARCH("e","Statements",6)', 7.0),
        ('SEARCH("m?g","Miriam McGovern")', 8.0),  # ? is any one character
        ('SUBSTITUTE("Quarter 1, 2011","1","2",3)', "Quarter 1, 2012"),
        ('REPLACE("abcdefghijk",6,5,"*")', "abcde*k"),
        ('REPT("*-",3)', "*-*-*-"),
        ("CHAR(128)", "€"),  # Windows-1252, Excel's table on Windows
        ('CODE("€")', 128.0),
        ('VALUE("1000")', 1000.0),
        ('TEXTJOIN(", ",TRUE,"a","","b")', "a, b"),
        ('PROPER("this is a TITLE")', "This Is A Title"),
        ('EXACT("word","Word")', False),
    ],
)
def test_text_functions_as_in_excel(formula, expected):
    assert calc(formula) == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("ROW()", 1.0),
        ("COLUMN()", 26.0),
        ("ROW(C10)", 10.0),
        ("ROWS(A1:C4)", 4.0),
        ("COLUMNS(A1:C4)", 3.0),
        ("CEILING(2.5,1)", 3.0),
        ("CEILING(-2.5,-2)", -4.0),
        ("FLOOR(-2.5,-2)", -2.0),
        ("FLOOR(-2.5,2)", -4.0),
        ("MROUND(10,3)", 9.0),
        ("MROUND(-10,-3)", -9.0),
        ("LOG(8,2)", 3.0),
        ("LCM(5,2)", 10.0),
        ("GCD(24,36)", 12.0),
        ("MEDIAN(1,2,3,4,5,6)", 3.5),
        ("LARGE({3,5,3,5,4},3)", 4.0),
        ("SMALL({3,5,3,5,4},2)", 3.0),
        ("PERCENTILE({1,3,2,4},0.3)", 1.9),
        ("QUARTILE({1,2,4,7,8,9,10,12},1)", 3.5),
        ("RANK(3.5,{7,3.5,3.5,1,2})", 2.0),
        ("SUBTOTAL(9,B1:B3)", 6.0),
        ("PRODUCT(2,3,4)", 24.0),
    ],
)
def test_reference_rounding_and_statistics_as_in_excel(formula, expected):
    assert calc(formula, B1=1.0, B2=2.0, B3=3.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("PMT(0.08/12,10,10000)", -1037.0320893591),
        ("PV(0.08/12,12*20,500,,0)", -59777.14585118777),
        ("FV(0.06/12,10,-200,-500,1)", 2581.4033740601362),
        ("NPER(0.12/12,-100,-1000,10000,1)", 59.6738656742946),
        ("NPV(0.1,-10000,3000,4200,6800)", 1188.4434123352207),
        ("IRR({-70000,12000,15000,18000,21000,26000})", 0.0866309480365316),
        ("NORM.DIST(42,40,1.5,TRUE)", 0.908788780274132),
        ("NORM.INV(0.908789,40,1.5)", 42.00000200956086),
        ("NORM.S.INV(0.908789)", 1.3333346730441),
        ("STDEV(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 27.46391572),
        ("VAR.P(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 678.84),
    ],
)
def test_finance_and_distributions_as_in_excel(formula, expected):
    assert calc(formula) == pytest.approx(expected, rel=1e-9)


def test_norm_dist_keeps_the_far_tail():
    assert calc("NORM.S.DIST(-10,TRUE)") == pytest.approx(7.61985302416047e-24, rel=1e-9)


def test_impossible_arguments_give_excel_errors():
    assert calc("DATE(10000,1,1)") == CellError("#NUM!")
    assert calc("CEILING(2.5,-1)") == CellError("#NUM!")
    assert calc("LOG(0)") == CellError("#NUM!")
    assert calc('FIND("z","abc")') == CellError("#VALUE!")
    assert calc("CHAR(0)") == CellError("#VALUE!")
    assert calc("PV(-1,20,300)") == CellError("#DIV/0!")
    assert isinstance(calc("IRR({1,2,3})"), CellError)
    assert not math.isnan(calc("NORM.S.INV(0.5)"))


# Excel's answers from Excel-saved workbooks (Apache POI's *FormatTests.xlsx, pycel's text.xlsx and
# date-time.xlsx): each of these was a silent wrong value before issue 23.
@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (0.6079513888888889, "hh:mm:ss a/p", "02:35:27 p"),  # a/p keeps its case
        (0.6079513888888889, "hh:mm:ss A/P", "02:35:27 P"),
        (12.3, "£000.00", "£012.30"),
        (12.3, '¥#.00" after"', "¥12.30 after"),
        (1234567.0, "0,0000000", "01,234,567"),  # zero padding is grouped too
        (314159.0, "$000,000,000", "$000,314,159"),
        (1234567.0, "?,?????????", "    1,234,567"),  # a separator in the ? padding is a space
        (1234567.0, "0.#,", "1234.6"),  # a comma after the decimals scales
        (1234567.0, "#,.#,", "1.2"),
        (890123.456789, ".#", "890123.5"),  # the point starts the number
        (1.0, "#.", "1."),
        (True, '"hi"', "TRUE"),  # one section for numbers: the text TRUE stays
        (True, ';;;"hi"', "hi"),  # TRUE is text to TEXT: its section applies
        (True, ";;;-@-", "-TRUE-"),
        (-1.0, "[h]", "-24"),  # elapsed time below zero
        (-1.0, "[s]", "-86400"),
        (71003160.0, "[hh]", "1704075840"),  # elapsed hours past the last calendar day
        (-1.0, "", "-"),
        (123456.789, "|#,e-#|", "|1e5|"),  # a scientific format neither groups nor scales
        (123456.789, "|#e-#%|", "|1e5%|"),
        (0.0, "|#e+#|", "|0e+0|"),
    ],
)
def test_text_formats_that_were_silently_wrong(value, fmt, expected):
    assert calc("TEXT(B1,B2)", B1=value, B2=fmt) == expected


@pytest.mark.parametrize(
    "fmt",
    ["w;x;z", "# ?/?", '"a"#*-', "s:m [hh]", "[h] h", "#.###.", "#.#####00#0", ".##0", ",0", "|0.0|e-|0|"],
)
def test_text_formats_ftxl_cannot_vouch_for_are_left_to_the_other_engine(fmt):
    values = {node("S", "B1"): 5.5, node("S", "B2"): fmt}
    book = PlainBook({node("S", "Z1"): "TEXT(B1,B2)"}, {}, list(values), [], ["S"])
    with pytest.raises(RuntimeError, match="number format|date format|TEXT of"):
        _strict(book, values)


def _strict(book: PlainBook, values: dict) -> None:
    left: dict[str, str] = {}
    book._evaluate(values, {}, None, left, {}, {})
    if left:
        raise RuntimeError(next(iter(left.values())))


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("VALUE(B1)", "#VALUE!"),  # VALUE(TRUE): Excel refuses a logical, unlike TRUE+0
        ("EDATE(366,B1)", "#VALUE!"),
        ("EOMONTH(B1,0)", "#VALUE!"),
        ('TEXT(B2,"#.#####")', None),  # text that reads as a time is left to the other engine
    ],
)
def test_logicals_refused_where_excel_refuses_them(formula, expected):
    values = {node("S", "B1"): True, node("S", "B2"): "0:59:99"}
    book = PlainBook({node("S", "Z1"): formula}, {}, list(values), [], ["S"])
    left: dict[str, str] = {}
    result = book._evaluate(values, {}, None, left, {}, {})
    if expected is None:
        assert re.search(r"may (be|read as) .*a date", next(iter(left.values())))
    else:
        assert result[node("S", "Z1")][0][0] == CellError(expected)


# Excel's YEARFRAC, every basis, from an Excel-saved workbook (pycel's yearfrac.xlsx, 370 date pairs, all
# equal when this was written) and Microsoft's documented example (2012-01-01 to 2012-07-30).
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            "DATE(2001,1,31)",
            "DATE(2001,3,31)",
            (1 / 6, 0.16164383561643836, 0.1638888888888889, 0.16164383561643836, 1 / 6),
        ),
        (
            "DATE(2001,1,29)",
            "DATE(2001,3,31)",
            (0.17222222222222222, 0.16712328767123288, 0.16944444444444445, 0.16712328767123288, 0.16944444444444445),
        ),
        ("DATE(2004,2,29)", "DATE(2005,2,28)", (1.0, 0.9972677595628415, 1.0138888888888888, 1.0, 0.9972222222222222)),
        (
            "DATE(2001,2,28)",
            "DATE(2004,2,29)",
            (3.0, 3.0006844626967832, 3.0444444444444443, 3.0027397260273974, 3.0027777777777778),
        ),
        (
            "DATE(2003,1,1)",
            "DATE(2001,1,2)",
            (1.9972222222222222, 1.9972602739726026, 2.025, 1.9972602739726026, 1.9972222222222222),
        ),
        ("DATE(2012,1,1)", "DATE(2012,7,30)", (0.58055556, 0.57650273, 0.58611111, 0.57808219, 0.58055556)),
    ],
)
def test_yearfrac_every_basis_as_in_excel(start, end, expected):
    for basis, value in enumerate(expected):
        assert calc(f"YEARFRAC({start},{end},{basis})") == pytest.approx(value, rel=1e-8), basis


@pytest.mark.parametrize(
    ("basis", "expected"),
    [(-1, "#NUM!"), (5, "#NUM!"), ('"plugh"', "#VALUE!"), ("TRUE", "#VALUE!"), ("1/0", "#DIV/0!")],
)
def test_yearfrac_looks_at_the_basis_before_the_dates(basis, expected):
    assert calc(f"YEARFRAC(-1,1/0,{basis})") == CellError(expected)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [  # Microsoft's documented examples
        ("CEILING.PRECISE(4.3)", 5.0),
        ("CEILING.PRECISE(-4.3)", -4.0),
        ("CEILING.PRECISE(4.3,2)", 6.0),
        ("CEILING.PRECISE(4.3,-2)", 6.0),
        ("CEILING.PRECISE(-4.3,2)", -4.0),
        ("CEILING.PRECISE(-4.3,-2)", -4.0),
        ("ISO.CEILING(4.3)", 5.0),
        ("ISO.CEILING(-4.3)", -4.0),
        ("ISO.CEILING(4.3,-2)", 6.0),
        ("ISO.CEILING(-4.3,-2)", -4.0),
        ("FLOOR.PRECISE(-3.2,-1)", -4.0),
        ("FLOOR.PRECISE(3.2,1)", 3.0),
        ("FLOOR.PRECISE(-3.2,1)", -4.0),
        ("FLOOR.PRECISE(3.2,-1)", 3.0),
        ("FLOOR.PRECISE(3.2)", 3.0),
        ("CEILING.PRECISE(0.3,0.1)", 0.3),
    ],
)
def test_precise_ceilings_and_floors_ignore_the_signs(formula, expected):
    assert calc(formula) == pytest.approx(expected, rel=1e-15)


def test_sum_and_average_add_one_by_one_as_excel_does():
    """Excel's =SUM(0.1,0.2,-0.3) is 5.55E-17 (the running sum), not 2.78E-17 (the exact sum of the doubles);
    POI's AVERAGE over +-9999999999 and small numbers is Excel's -4.089355473190933E-09 the same way."""
    assert calc("SUM(0.1,0.2,-0.3)") == 0.1 + 0.2 - 0.3
    values = [0, 0, 1, 1e-05, 2, 1.1, 534, 1.00001, 9999999999, 2.99999, -9999999999, 999999.99999]
    values += [-534, -999999.99999, -2, -2.99999, -1, -1.00001, -1.1, -1e-05]
    cells = {f"A{k + 1}": float(v) for k, v in enumerate(values)}
    assert calc("AVERAGE(A1:A20)", **cells) == -4.089355473190933e-09


def test_median_of_no_number_is_num_as_in_excel():
    assert calc("MEDIAN(A1:A3)", A1="text") == CellError("#NUM!")
    assert calc("VARP(A1:A3)", A1="text") == CellError("#DIV/0!")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [  # the examples of Excel's documentation (support.microsoft.com), to its shown digits
        ("IPMT(0.1/12,1,3*12,8000)", -66.67),
        ("IPMT(0.1,3,3,8000)", -292.45),
        ("PPMT(0.1/12,1,2*12,2000)", -75.62),
        ("PPMT(0.08,10,10,200000)", -27598.05),
        ("CUMIPMT(0.09/12,30*12,125000,13,24,0)", -11135.23),
        ("CUMIPMT(0.09/12,30*12,125000,1,1,0)", -937.50),
        ("CUMPRINC(0.09/12,30*12,125000,13,24,0)", -934.1071234),
        ("CUMPRINC(0.09/12,30*12,125000,1,1,0)", -68.27827118),
        ("EFFECT(0.0525,4)", 0.053542667),
        ("NOMINAL(0.053543,4)", 0.05250032),
        ("SLN(30000,7500,10)", 2250.0),
        ("SYD(30000,7500,10,1)", 4090.91),
        ("SYD(30000,7500,10,10)", 409.09),
        ("DDB(2400,300,10*365,1)", 1.32),
        ("DDB(2400,300,10*12,1,2)", 40.00),
        ("DDB(2400,300,10,1,2)", 480.0),
        ("DDB(2400,300,10,1,1.5)", 360.0),
        ("DDB(2400,300,10,10)", 22.12),
        ("DB(1000000,100000,6,1,7)", 186083.33),
        ("DB(1000000,100000,6,2,7)", 259639.42),
        ("DB(1000000,100000,6,6,7)", 55841.76),
        ("DB(1000000,100000,6,7,7)", 15845.10),
        ("SUMSQ(3,4)", 25.0),
    ],
)
def test_finance_functions_give_excels_documented_values(formula, expected):
    digits = len(repr(expected).split(".")[1]) if "." in repr(expected) else 0
    assert round(calc(formula), digits) == pytest.approx(expected, abs=10**-digits / 2)


def test_mirr_xor_and_switch_as_excel_documents_them():
    flows = {f"A{k + 1}": v for k, v in enumerate([-120000.0, 39000.0, 30000.0, 21000.0, 37000.0, 46000.0])}
    assert round(calc("MIRR(A1:A6,0.1,0.12)", **flows), 6) == 0.126094
    assert calc("MIRR(A1:A3,0.1,0.12)", A1=1.0, A2=2.0, A3=3.0) == CellError("#DIV/0!")
    assert (calc("XOR(3>0,2<9)"), calc("XOR(3>12,4>6)"), calc("XOR(3>12,4<6)")) == (False, False, True)
    assert calc('SWITCH(WEEKDAY(A1),1,"Sunday",2,"Monday",3,"Tuesday","No match")', A1=2.0) == "Monday"
    assert calc('SWITCH(99,1,"Sunday",2,"Monday",3,"Tuesday")') == CellError("#N/A")
    assert calc('SWITCH(99,1,"Sunday",2,"Monday","No match")') == "No match"
    assert calc('SWITCH("b","B",1/0,"b",2)') == CellError("#DIV/0!")  # text without case: "B" matches first
