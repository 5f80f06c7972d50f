"""The plain engine against two other engines: LibreOffice as referee for Excel's rules, `formulas` for the rest.

The same cases run through the plain engine and through LibreOffice, which recalculates
every formula of a real .xlsx on loading: the values must agree. `formulas` agrees too,
except where it departs from Excel; those cases are listed with Excel's answer.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from helpers import TEMPLATES
from helpers.quote_workbook import INPUTS, write_template
from helpers.workbooks import libreoffice_recalculated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftxl.cli import cli
from ftxl.recalc import engines as engine
from ftxl.recalc import formula_text
from ftxl.recalc.book import BookCells
from ftxl.recalc.ooxml.package import Package, read_workbook
from ftxl.recalc.values import CellError
from ftxl.recalc.workbook import BookReader, recalculate, spilled_cell

INPUT_CELLS: dict[str, object] = {
    "A1": 2.5,
    "A2": -1.0,
    "A3": "3",
    "A4": "abc",
    "A5": True,
    "A8": 0.0,
    "B1": 1.0,
    "B2": 2.0,
    "B3": 3.0,
    "B4": 4.0,
    "B5": 5.0,
    "C1": "abc",
    "C2": "Abd",
    "C3": "xyz",
    "C4": "3",
    "C5": "a*c",
}
"""A6 stays empty; A7 holds =NA()."""

NATIVE_CASES = """
A1+A2|A1-A3|A1*A5|A1/A8|A1/A6|A1^2|-A1^2|2^-1|A4+1|A7+1|A1&A4|A1&A5|A5&A6|0.1+0.2&""|A1%|-A2%|A6+1|"x"&A6
A1>A2|A4="ABC"|A6=0|A6=""|A5>A1|A4<A1|A7=1|A4>A1|"a"<"B"|TRUE>1|A6<1|A6=FALSE|--(A1>0)|-(-A5)
IF(A1>0,"y","n")|IF(A6,1,2)|IF(A4,1,2)|IF(A7,1,2)|IF(FALSE,1)|IF(A8,1)|IF(1,A6)|IF(A1,,1)
SUM(A1:A8)|SUM(A1:A6)|SUM(A1,A3)|SUM(A1,"3")|SUM(TRUE,1)|MIN(B1:B5)|MAX(B1:B5,7)|AVERAGE(B1:B5)|AVERAGE(A4)
AVERAGE(C1:C3)|COUNT(A1:A8)|COUNTA(A1:A8)|COUNTBLANK(A1:A8)|MIN(C1:C3)|SUM(B1:B5,A1)|MAX(A1:A6)|SUM(A1:A6,1/0)
SUMPRODUCT(B1:B5,B1:B5)|SUMPRODUCT((B1:B5>2)*1)|SUMPRODUCT(B1:B5,C1:C5)|SUMPRODUCT(B1:B4,B2:B5)|SUMPRODUCT(B1:B5>2)
SUMPRODUCT((B1:B5>2)*B1:B5)|SUMPRODUCT(--(C1:C5="abc"))|SUMPRODUCT((B1:B5+B1:B5>4)*1)
COUNTIF(B1:B5,">2")|COUNTIF(B1:B5,"<=3")|COUNTIF(C1:C5,"abc")|COUNTIF(C1:C5,"a*")|COUNTIF(B1:B5,3)|COUNTIF(A1:A8,"<>abc")
COUNTIF(C1:C5,3)|COUNTIF(B1:B5,"<>3")|COUNTIF(A1:A8,"")|COUNTIF(C1:C5,"a~*c")|COUNTIF(C1:C5,"?b?")|COUNTIF(B1:B5,">=2.5")
INDEX(B1:B5,2)|INDEX(B1:C5,2,2)|INDEX({"a","b","c"},2)|INDEX(B1:B5,9)|INDEX(B1:C5,3,1)|INDEX({1,2;3,4},2,1)|INDEX(B1:B5,A1)|INDEX(1/0,1,2)
MATCH(3,B1:B5,0)|MATCH("ABC",C1:C5,0)|MATCH(99,B1:B5,0)|MATCH("a?d",C1:C5,0)|MATCH(A7,B1:B5,0)
CHOOSE(2,"a","b")|INDEX({"H","P","F"},MATCH(MIN(1,2,0.5),CHOOSE({1,2,3},1,2,0.5),0))|CHOOSE(3,1,2)|CHOOSE(1.9,"a","b")
ROUND(2.675,2)|ROUND(-2.5,0)|ROUND(1234.5,-2)|ROUNDUP(1.21,1)|ROUNDDOWN(-1.29,1)|ROUND(A4,1)|ROUND(0.285,2)|ROUND(1/3,5)|ROUND(1E+27,2)
ABS(A2)|INT(-1.5)|MOD(-7,3)|SQRT(-1)|LN(0)|EXP(1)|POWER(2,0.5)|SIGN(-3)|MOD(5,0)|SQRT(A3)|MOD(7.5,-2)
AND(A1>0,A5)|OR(FALSE,A8)|NOT(A8)|ISNUMBER(A3)|ISTEXT(A4)|ISBLANK(A6)|ISERROR(A7)|ISNA(A7)|IFERROR(A7,"x")
_xlfn.IFNA(1/0,"x")|_xlfn.IFNA(A7,"x")|NA()|AND(B1:B5)|OR(C1:C3)|ISNUMBER(B1:B5)|ISLOGICAL(A5)
SUMIF(B1:B5,">2")|SUMIF(C1:C5,"a*",B1:B5)|SUMIFS(B1:B5,C1:C5,"<>xyz",B1:B5,">=2")|COUNTIFS(B1:B5,">1",C1:C5,"a*")
AVERAGEIF(B1:B5,"<4")|AVERAGEIF(B1:B5,">9")|AVERAGEIFS(B1:B5,B1:B5,">1",B1:B5,"<5")|_xlfn.MAXIFS(B1:B5,C1:C5,"?b?")
_xlfn.MINIFS(B1:B5,B1:B5,">2")|SUMIF(A1:A8,"<>0")|SUMIFS(A1:A8,A1:A8,">0")|COUNTIFS(A1:A8,"<>abc",A1:A8,"<>3")
VLOOKUP("xyz",C1:D5,1,FALSE)|VLOOKUP(3,B1:C5,2,0)|VLOOKUP(9,B1:C5,2,FALSE)|VLOOKUP(2,B1:C5,3,FALSE)|HLOOKUP(2.5,A1:C1,2,FALSE)
_xlfn.IFS(A1>3,"big",A1>2,"mid",TRUE,"small")|_xlfn.IFS(A1>9,1)|_xlfn.IFS(A7,1,TRUE,2)
LEN(A4)|LEN(A1)|LEN(A5)|LEN(A6)|LEFT(C1,2)|LEFT(C1)|RIGHT(A1,2)|MID(C3,2,5)|MID(C3,0,1)|UPPER(C2)|LOWER(C2)
TRIM("  a   b  ")|CONCATENATE(A1,"-",A4,A5)|_xlfn.CONCAT(C1:C3,A1)|LEFT(A7,1)|LEN(0.1+0.2)|RIGHT(C1,-1)
rate*2|rate_row|SUM(rate_row)|Other!A1+1|'Other'!A1&"!"|1E+3|"q""uote"|TRUE+TRUE|B1:B3*2|A1:A3|B1:B9
""".strip().replace("\n", "|")
"""Formulas of Excel's own functions, one per cell of column E (from E1 down)."""

ARRAY_CASES = {
    "G1:I3": "B1:B3*{1,2,3}",
    "G5:G9": 'IF(B1:B5>2,C1:C5,"no")',
    "G11:H12": "ISNUMBER(A1:B2)",
    "G14": "SUM(B1:B3*B3:B5)",  # one cell entered as an array formula (as Excel 365 saves them): ranges stay whole
    "G15": 'MAX(IF(C1:C5="abc",B1:B5))',
}

LIBREOFFICE_DEPARTS_FROM_EXCEL = {
    # LibreOffice has no logical type (TRUE is the number 1 formatted), Excel has:
    "A1&A5": "2.5TRUE",
    "A5&A6": "TRUE",
    "A5>A1": True,  # logicals sort after numbers
    "TRUE>1": True,
    "SUM(A1:A6)": 1.5,  # a logical in a range is not counted
    "COUNT(A1:A8)": 3,
    "SUMPRODUCT(B1:B5>2)": 0,  # logicals in SUMPRODUCT's arrays count as 0
    'SUMIFS(A1:A8,A1:A8,">0")': 2.5,  # TRUE is neither > 0 nor summed
    "LEN(A5)": 4,  # "TRUE"
    'CONCATENATE(A1,"-",A4,A5)': "2.5-abcTRUE",
    # "=3" selects the number 3 and the text "3", but "<>3" leaves out the number only (read off an
    # Excel-saved workbook, IronCalc's COUNTIF tests: "<>23" over 23, "23", ... counts 6 of 7):
    'COUNTIFS(A1:A8,"<>abc",A1:A8,"<>3")': 7.0,
    # Excel's documented rules that LibreOffice does otherwise:
    'SUM(A1,"3")': 5.5,  # text typed as an argument counts when it reads as a number
    "COUNTIF(C1:C5,3)": 1,  # COUNTIF reads text that looks like a number as that number
    "INDEX(B1:B5,9)": "#REF!",  # a position outside the range
    "VLOOKUP(2,B1:C5,3,FALSE)": "#REF!",  # a column outside the table
    "HLOOKUP(2.5,A1:C1,2,FALSE)": "#REF!",
    "SQRT(-1)": "#NUM!",
    "LN(0)": "#NUM!",
}
"""Cases where LibreOffice gives another answer than Excel: Excel's answer."""

FORMULAS_DEPARTS_FROM_EXCEL = {
    '0.1+0.2&""': "0.3",  # Excel writes 15 significant digits
    "A6=FALSE": True,  # an empty cell equals FALSE
    "SUM(A1:A6)": 1.5,  # text and logicals in a range are not counted
    "SUM(A1,A3)": 2.5,  # nor is text in a referenced cell
    "COUNT(A1:A8)": 3.0,
    "MAX(A1:A6)": 2.5,
    "SUMPRODUCT(B1:B5,C1:C5)": 0.0,  # text in SUMPRODUCT's arrays counts as 0
    'COUNTIF(C1:C5,"a*")': 3.0,  # criteria ignore case
    'COUNTIF(A1:A8,"<>abc")': 7.0,  # <> counts empty cells too
    "ROUND(0.285,2)": 0.29,  # Excel rounds the decimal it shows
    "ISNUMBER(A3)": False,  # "3" typed as text is not a number
    "ISNUMBER(B1:B5)": False,  # a normal cell reads one cell of a range in its own row: none here
    "B1:B3*2": CellError("#VALUE!"),
    "--(A1>0)": 1.0,  # formulas treats -- as no-op (warned when formulas computes)
    'SUMPRODUCT(--(C1:C5="abc"))': 1.0,
    "INDEX(1/0,1,2)": CellError("#DIV/0!"),  # an error in place of the array is passed on
    "ROUND(1E+27,2)": 1e27,  # formulas' decimal arithmetic runs out of digits (#VALUE!)
    'SUMIF(C1:C5,"a*",B1:B5)': 8.0,  # criteria ignore case
    'COUNTIFS(B1:B5,">1",C1:C5,"a*")': 2.0,
    'SUMIF(A1:A8,"<>0")': CellError("#N/A"),  # a selected cell holding an error gives that error
    'SUMIFS(A1:A8,A1:A8,">0")': 2.5,  # text and logicals are not summed
    'COUNTIFS(A1:A8,"<>abc",A1:A8,"<>3")': 7.0,
    'TRIM("  a   b  ")': "a b",  # TRIM also closes up runs of spaces inside
    "LEN(0.1+0.2)": 3.0,  # "0.3"
}
"""Cases where `formulas` gives another answer than Excel (and LibreOffice): Excel's answer."""


def _case_workbook(path: Path) -> dict[str, str]:
    """The cases as an .xlsx written by XlsxWriter; returns cell -> formula."""
    book = xlsxwriter.Workbook(str(path))
    sheet, other = book.add_worksheet("S"), book.add_worksheet("Other")
    for ref, value in INPUT_CELLS.items():
        if isinstance(value, str):
            sheet.write_string(ref, value)
        elif isinstance(value, bool):
            sheet.write_boolean(ref, value)
        else:
            sheet.write_number(ref, value)
    sheet.write_formula("A7", "=NA()")
    other.write_number("A1", 41)
    book.define_name("rate", "=S!$A$1")
    book.define_name("rate_row", "=S!$B$1:$B$5")
    cases = {f"E{k + 1}": formula for k, formula in enumerate(NATIVE_CASES.split("|"))}
    for ref, formula in cases.items():
        sheet.write_formula(ref, "=" + formula)
    for area, formula in ARRAY_CASES.items():
        sheet.write_array_formula(area, "{=" + formula + "}")
    book.close()
    return cases


def _values(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path, data_only=True)["S"]
    return {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row}


def _same(ours: object, theirs: object) -> bool:
    if isinstance(ours, float) and isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12)
    return ours == theirs or (ours is None and theirs == "")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> tuple[dict[str, str], dict[str, object], Path]:
    folder = tmp_path_factory.mktemp("plain")
    cases = _case_workbook(folder / "cases.xlsx")
    result = recalculate(folder / "cases.xlsx", folder / "ours.xlsx", engine.ModelCache())
    assert result.ok and not result.warnings, result
    assert result.engine == "plain"
    return cases, _values(folder / "ours.xlsx"), folder


@pytest.mark.libreoffice
def test_plain_engine_agrees_with_libreoffice(recalculated):
    cases, ours, folder = recalculated
    theirs = _values(libreoffice_recalculated(folder / "cases.xlsx", folder / "lo"))
    cells = list(cases) + [
        ref for area in ARRAY_CASES for row in openpyxl.utils.cell.rows_from_range(area) for ref in row
    ]
    for ref, formula in cases.items():
        if formula in LIBREOFFICE_DEPARTS_FROM_EXCEL:
            theirs[ref] = LIBREOFFICE_DEPARTS_FROM_EXCEL[formula]
    differ = {ref: (cases.get(ref), ours[ref], theirs[ref]) for ref in cells if not _same(ours[ref], theirs[ref])}
    assert not differ
    assert len(cells) > 150


def test_plain_engine_agrees_with_formulas_except_where_formulas_departs_from_excel(recalculated):
    cases, ours, folder = recalculated
    with Package(folder / "cases.xlsx") as package:
        book = BookReader(package, read_workbook(package)).book
    by_formulas = engine.Model(book, "formulas").evaluate(book).results
    for ref, formula in cases.items():
        expected = FORMULAS_DEPARTS_FROM_EXCEL.get(formula, by_formulas[formula_text.node("S", ref)][0][0])
        shown = ours[ref]
        expected = expected.code if isinstance(expected, CellError) else expected
        assert _same(shown, expected) or (expected == 0.0 and shown is None), (ref, formula, shown, expected)


def _book(path: Path) -> BookCells:
    with Package(path) as package:
        return BookReader(package, read_workbook(package)).book


def _placed(book: BookCells, results: dict[str, list[list[object]]]) -> dict[tuple[str, int, int], object]:
    """Every formula cell's value, as the results fill their cells (an array formula's whole range)."""
    placed = {}
    for key, rows in results.items():
        sheet, ref = key.rsplit("!", 1)
        cells = list(openpyxl.utils.cell.rows_from_range(ref)) if ":" in ref else [[ref]]
        for r, row in enumerate(cells):
            for c, address in enumerate(row):
                placed[(sheet, address, 0)] = spilled_cell(rows, r, c)
    return placed


_FORMULAS_MODELS: dict[tuple, engine.Model] = {}


def _agree(book: BookCells) -> None:
    """The plain engine and formulas give every cell the same value. An error on one side must be
    an error on the other, but codes may differ where formulas departs from Excel: it answers
    INDEX of an error with #REF!, and of two error operands it does not return the left one."""
    plain = engine.Model(book)
    assert plain.plain is not None, plain.reason
    ours = plain.evaluate(book)
    assert ours.engine == "plain"
    signature = book.signature()
    if signature not in _FORMULAS_MODELS:  # compiling formulas' model takes seconds: once per template
        _FORMULAS_MODELS[signature] = engine.Model(book, "formulas")
    theirs = _FORMULAS_MODELS[signature].evaluate(book)
    a, b = _placed(book, ours.results), _placed(book, theirs.results)
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], CellError):
            assert isinstance(b[key], CellError), (key, a[key], b[key])
            continue
        assert _same(a[key], b[key]), (key, book.formulas.get(key[0] + "!" + key[1]), a[key], b[key])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), native=st.booleans())
def test_plain_engine_agrees_with_formulas_on_filled_copies(tmp_path, seed, native):
    rng = random.Random(seed)
    values = {
        label: tuple(v * rng.uniform(0.2, 1.8) if rng.random() < 0.9 else rng.choice([0, -v, 1e6]) for v in lbh)
        for label, lbh in INPUTS
    }
    path = tmp_path / f"copy_{seed}_{native}.xlsx"
    write_template(path, values, native=native)  # type: ignore[arg-type]
    _agree(_book(path))


@pytest.mark.parametrize("name", ["ftxl_insurance_example.xlsx", "ftxl_blank.xlsx"])
def test_plain_engine_agrees_with_formulas_on_the_template(name):
    _agree(_book(TEMPLATES / name))


def test_the_blank_template_says_what_is_missing(tmp_path):
    """Empty inputs give no verdict and no number: #N/A results and warnings that name the empty Inputs cells."""
    result = recalculate(TEMPLATES / "ftxl_blank.xlsx", tmp_path / "blank.xlsx", engine.ModelCache())
    assert result.ok and result.engine == "plain"
    problems = result.checks
    assert problems and problems > 0
    assert set(result.outputs.values()) == {"", "Not started: 22 inputs"}  # nothing typed yet: no verdict
    assert result.warnings[:3] == [f"Inputs!{c}6: empty (input check)" for c in "BCD"]  # events per day
    assert result.warnings[3] == f"... and {problems - 3} more cells like Inputs!B7: empty (input check)"
    assert not [w for w in result.warnings if "#VALUE!" in w]  # no ftxl function ran on an empty input


def test_what_the_plain_engine_does_not_cover_is_computed_by_ironcalc(tmp_path):
    path = tmp_path / "stdev.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_column("A1", [1, 2, 3])
    sheet.write_formula("B1", "=SUM(A1:A3)+DELTA(1,0)")
    sheet.write_formula("B2", "=HUMAN_COST_PER_EVENT(30,20)")
    book.close()
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"engine": "plain for 1 cells, IronCalc for 1 (function DELTA)"' in result.output
    values = _values(tmp_path / "out" / "stdev.xlsx")
    assert values["B1"] == 6 and values["B2"] == pytest.approx(30 / 3600 * 20)


@pytest.mark.parametrize("fallback", ["IronCalc", "formulas"])
def test_an_input_the_plain_engine_leaves_to_the_fallback_switches_that_cell_only(tmp_path, monkeypatch, fallback):
    """COUNTIF with a date written as text (">=2024-01-01") is left to the fallback (IronCalc, or `formulas`
    where IronCalc is not installed), that cell only, from that copy on, with a warning; the plain cell
    reading it takes its value."""
    monkeypatch.setattr(engine, "ironcalc_installed", lambda: fallback == "IronCalc")
    paths = []
    for k, criterion in enumerate(["45300", ">=2024-01-01"]):
        path = tmp_path / "in" / f"book{k}.xlsx"
        path.parent.mkdir(exist_ok=True)
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("S")
        sheet.write_column("A1", [45000, 45300, 46000])  # serial dates: 2024-01-01 is 45292
        sheet.write_string("C1", criterion)
        sheet.write_formula("B1", "=COUNTIF(A1:A3,C1)")
        sheet.write_formula("B2", "=B1*2")
        book.close()
        paths.append(path)
    cache = engine.ModelCache()
    first = recalculate(paths[0], tmp_path / "a.xlsx", cache)
    second = recalculate(paths[1], tmp_path / "b.xlsx", cache)
    assert first.ok and second.ok and len(cache.models) == 1
    assert first.engine == "plain"
    assert second.engine == f"plain for 1 cells, {fallback} for 1 (a criterion with a date written as text)"
    assert any(f"S!B1: computed by the {fallback} engine with COUNTIF" in w for w in second.warnings)
    assert _values(tmp_path / "a.xlsx")["B1"] == 1 and _values(tmp_path / "b.xlsx")["B1"] == 2
    assert _values(tmp_path / "b.xlsx")["B2"] == 4  # a plain cell reads the value formulas computed


def _random_formula(rng: random.Random, depth: int) -> str:
    """A formula of numbers, references, operators and numeric functions, nested `depth` deep."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(
            [
                str(rng.choice([0, 1, 2, 3, 7, 10, 100])),
                f"{rng.uniform(-50, 50):.3f}",
                f"N{rng.randint(1, 6)}",
                "N7",  # empty
            ]
        )
    a, b = _random_formula(rng, depth - 1), _random_formula(rng, depth - 1)
    choice = rng.randrange(21)
    if choice < 5:
        return f"({a}{rng.choice(['+', '-', '*', '/', '+'])}{b})"
    if choice == 5:
        return f"-{a}"
    if choice == 6:
        return f"{a}%"
    if choice == 7:
        return f"(ABS({a})+1)^{rng.choice(['2', '3', '-1', '0.5', '-2'])}"
    if choice == 8:
        return f"IF({a}{rng.choice(['>', '<', '=', '<>', '>=', '<='])}{b},{a},{b})"
    if choice == 9:
        return f"{rng.choice(['SUM', 'MIN', 'MAX', 'AVERAGE'])}({a},{b},N1:N7)"
    if choice == 10:
        return f"ROUND{rng.choice(['', 'UP', 'DOWN'])}({a},{rng.randint(-1, 3)})"
    if choice == 11:
        return f"{rng.choice(['ABS', 'INT', 'SIGN'])}({a})"
    if choice == 12:
        return f"MOD({a},{b})"
    if choice == 13:
        return f"INDEX(N1:N7,{rng.randint(1, 7)})*{a}"
    if choice == 14:
        return f"CHOOSE({rng.randint(1, 2)},{a},{b})"
    if choice == 15:  # IFERROR: an error as criterion counts that error in Excel, LibreOffice passes it on
        return f'COUNTIF(N1:N7,"{rng.choice([">", "<", ">=", "<=", "<>", "="])}"&ROUND(IFERROR({a},0),2))'
    if choice == 16:
        return f"SUMPRODUCT((N1:N6>{a})*N1:N6)"
    if choice == 17:
        return f"LEN({a})"  # the number as text, Excel's General format
    if choice == 18:
        return f'SUMIF(N1:N7,"{rng.choice([">", "<", "<>"])}"&ROUND(IFERROR({a},0),1))'
    if choice == 19:
        return f"VLOOKUP(INDEX(N1:N6,{rng.randint(1, 6)}),N1:O6,2,FALSE)+{a}"
    return f"IFERROR({a}/{b},{a})"


@pytest.mark.libreoffice
def test_random_formulas_agree_with_libreoffice(tmp_path):
    """300 generated formulas (precedence, signs, percent, powers, rounding, errors) in one workbook."""
    rng = random.Random(2026)
    formulas = [_random_formula(rng, rng.randint(1, 4)) for _ in range(300)]
    path = tmp_path / "random.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_column("N1", [3.5, -2, 0, 12.25, 1e3, -0.75])
    sheet.write_column("O1", [1, 2, 3, 4, 5, 6])
    for row, formula in enumerate(formulas, start=1):
        sheet.write_formula(f"A{row}", "=" + formula)
    book.close()
    result = recalculate(path, tmp_path / "ours.xlsx", engine.ModelCache())
    assert result.ok and result.engine == "plain"
    ours, theirs = _values(tmp_path / "ours.xlsx"), _values(libreoffice_recalculated(path, tmp_path / "lo"))
    for row, formula in enumerate(formulas, start=1):
        mine, lo = ours[f"A{row}"], theirs[f"A{row}"]
        if isinstance(mine, str) and mine.startswith("#"):
            assert isinstance(lo, str) and lo.startswith("#"), (formula, mine, lo)  # error codes may differ
        else:
            assert math.isclose(mine, lo, rel_tol=1e-9, abs_tol=1e-9), (formula, mine, lo)


def test_long_chains_and_deep_nesting(tmp_path):
    """A sum of 1,500 cells runs in a loop, not 1,500 nested calls; nesting beyond Excel's limit goes to formulas."""
    long, deep = tmp_path / "long.xlsx", tmp_path / "deep.xlsx"
    book = xlsxwriter.Workbook(str(long))
    sheet = book.add_worksheet("S")
    sheet.write_column("A1", list(range(1500)))
    sheet.write_formula("B1", "=" + "+".join(f"A{r}" for r in range(1, 1501)))
    sheet.write_formula("B2", "=" + "-".join(f"A{r}" for r in range(1, 1501)) + '&"!"')
    book.close()
    book = xlsxwriter.Workbook(str(deep))
    book.add_worksheet("S").write_formula("A1", "=" + "(" * 3000 + "1" + ")" * 3000)
    book.close()
    cache = engine.ModelCache()
    first, second = recalculate(long, tmp_path / "a.xlsx", cache), recalculate(deep, tmp_path / "b.xlsx", cache)
    assert first.ok and first.engine == "plain"
    assert _values(tmp_path / "a.xlsx")["B1"] == sum(range(1500))
    assert _values(tmp_path / "a.xlsx")["B2"] == f"{-sum(range(1500))}!"
    assert second.ok and second.engine == "formulas (a formula nested more than 100 levels deep)"


def test_the_result_line_names_the_engine_when_it_is_not_the_plain_one(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("S").write_formula("A1", "=HUMAN_COST_PER_EVENT(30,20)")
    book.close()
    plain = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "a"), "--quiet"])
    forced = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(tmp_path / "b"), "--engine", "formulas"])
    assert plain.exit_code == forced.exit_code == 0
    assert "(1 cell, 0 warnings)" in plain.output and "engine:" not in plain.output
    assert "(1 cell, 0 warnings; engine: formulas (asked for))" in forced.output
    assert _values(tmp_path / "a" / "plain.xlsx")["A1"] == _values(tmp_path / "b" / "plain.xlsx")["A1"]


def test_each_failing_ftxl_cell_is_named_with_its_own_reason(tmp_path):
    path = tmp_path / "bad.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_formula("A1", "=HUMAN_COST_PER_EVENT(-1,20)")
    sheet.write_formula("A2", "=IFERROR(HUMAN_COST_PER_EVENT(30,-5),0)")  # caught: no news
    sheet.write_formula("A3", "=A1*2")  # passed on, not its own failure
    sheet.write_formula("A4", "=NET_SAVINGS(1000,0.5,0.2,A1)")  # an error argument is passed on too
    sheet.write_formula("A5", "=BREAKEVEN_DAYS(40000,0,0.5,0.3)")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", engine.ModelCache())
    assert result.ok and result.engine == "plain"
    assert result.warnings == [
        "S!A1: #VALUE!: handling_seconds = -1 is negative: it must be 0 or more",
        "S!A5: #VALUE!: events_per_day = 0 must be greater than 0: the model divides by it",
    ]
