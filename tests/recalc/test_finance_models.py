"""Finance models computed whole: iterative calculation, false loops, Excel's near-zero rule, no escaping
overflow, and every warned cell named (issue 23).

Excel's own answers come from the Excel-saved `tests/corpus/poi/57535.xlsx` (a loop with iteration on,
E5 = 0.1*(E4+E6), E6 = E4+E5); the debt schedule is checked against its closed-form fixed point and against
LibreOffice, which honours the workbook's iteration settings too.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ftxl.cli.app import cli
from ftxl.recalc.engines import ModelCache
from ftxl.recalc.ooxml.package import Package, read_workbook
from ftxl.recalc.workbook import BookReader, recalculate
from tests.helpers.fidelity import compare
from tests.helpers.workbooks import libreoffice_recalculated

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

RATE, OPENING, PAYMENT, PERIODS = 0.08, 1_000_000.0, 150_000.0, 6


def _values(path: Path, sheet: str | None = None) -> dict[str, object]:
    book = openpyxl.load_workbook(path, data_only=True)
    sheet_ = book[sheet] if sheet else book.active
    return {cell.coordinate: cell.value for row in sheet_.iter_rows() for cell in row if cell.value is not None}


def _computed(tmp_path: Path, book: openpyxl.Workbook, name: str = "model.xlsx"):
    source = tmp_path / name
    book.save(source)
    result = recalculate(source, tmp_path / f"out_{name}", ModelCache())
    return result, tmp_path / f"out_{name}"


def _iterating(book: openpyxl.Workbook, count: int = 100, delta: float = 0.001) -> openpyxl.Workbook:
    book.calculation.iterate = True
    book.calculation.iterateCount = count
    book.calculation.iterateDelta = delta
    return book


def debt_schedule(iterate: bool = True) -> openpyxl.Workbook:
    """Interest on the average of the opening and closing balance, the closing balance after interest and a
    fixed payment: each period's interest and closing balance read each other."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Debt"
    sheet.append(["Period", "Opening", "Interest", "Payment", "Closing"])
    sheet["G1"], sheet["H1"] = "Rate", RATE
    for period in range(1, PERIODS + 1):
        row = period + 1
        sheet[f"A{row}"] = period
        sheet[f"B{row}"] = OPENING if period == 1 else f"=E{row - 1}"
        sheet[f"C{row}"] = f"=$H$1*(B{row}+E{row})/2"
        sheet[f"D{row}"] = PAYMENT
        sheet[f"E{row}"] = f"=B{row}+C{row}-D{row}"
    sheet["E9"] = "=SUM(C2:C7)"
    return _iterating(book) if iterate else book


def closed_form() -> list[tuple[float, float]]:
    """(interest, closing) per period at the loop's fixed point: closing = (opening (1 + r/2) - payment) / (1 - r/2)."""
    rows, opening = [], OPENING
    for _ in range(PERIODS):
        closing = (opening * (1 + RATE / 2) - PAYMENT) / (1 - RATE / 2)
        rows.append((RATE * (opening + closing) / 2, closing))
        opening = closing
    return rows


def test_excel_saved_loop_with_iteration_on_matches_excel_within_its_largest_change():
    comparison = compare(CORPUS / "poi" / "57535.xlsx")
    assert comparison.refused is None and comparison.error is None
    assert comparison.cells == comparison.equal == 5
    assert "iterative calculation (on in this workbook): 2 cells in 1 loop" in comparison.engine
    with Package(CORPUS / "poi" / "57535.xlsx") as package:
        reader = BookReader(package, read_workbook(package))
        assert reader.book.iteration == (100, 0.001)
        results = ModelCache().evaluate(reader.book).results
    by_cell = {reader.where(key): rows[0][0] for key, rows in results.items()}
    # from Excel's saved E5 = 1.33333326, one iteration: 0.1 * (6 + 7.33333326)
    assert by_cell["Sheet1!E5"] == pytest.approx(0.1 * (6 + 7.33333326), rel=1e-15)
    assert by_cell["Sheet1!E6"] == pytest.approx(6 + by_cell["Sheet1!E5"], rel=1e-15)
    assert abs(by_cell["Sheet1!E5"] - 1.33333326) <= 0.001


def test_debt_schedule_with_interest_on_the_average_balance_settles_on_its_fixed_point(tmp_path):
    result, out = _computed(tmp_path, debt_schedule())
    assert result.ok and not result.warnings, result
    assert "12 cells in 6 loops" in result.engine and "within 0.001" in result.engine
    values = _values(out)
    for period, (interest, closing) in enumerate(closed_form(), start=1):
        assert values[f"C{period + 1}"] == pytest.approx(interest, abs=0.001)
        assert values[f"E{period + 1}"] == pytest.approx(closing, abs=0.001)
    assert values["E9"] == pytest.approx(sum(i for i, _ in closed_form()), abs=0.006)


@pytest.mark.libreoffice
def test_debt_schedule_agrees_with_libreoffice_iterating_the_same_workbook(tmp_path):
    source = tmp_path / "debt.xlsx"
    debt_schedule().save(source)
    ours = recalculate(source, tmp_path / "ours.xlsx", ModelCache())
    assert ours.ok
    theirs = _values(libreoffice_recalculated(source, tmp_path / "lo"))
    mine = _values(tmp_path / "ours.xlsx")
    for row in range(2, PERIODS + 2):
        for column in "CE":
            assert mine[f"{column}{row}"] == pytest.approx(theirs[f"{column}{row}"], abs=0.002), f"{column}{row}"


def test_a_loop_with_iteration_off_is_refused_naming_the_loop_and_the_setting(tmp_path):
    result, _ = _computed(tmp_path, debt_schedule(iterate=False))
    assert not result.ok
    assert "circular reference: Debt!C2 -> Debt!E2 -> Debt!C2" in result.error
    assert "this workbook has it off" in result.error and "turn iterative calculation on" in result.error


def test_a_loop_that_never_settles_stops_at_the_workbooks_count_and_says_so(tmp_path):
    book = _iterating(openpyxl.Workbook(), count=50)
    book.active["A1"] = "=A1+1"
    book.active["B1"] = "=A1*2"
    result, out = _computed(tmp_path, book)
    assert result.ok
    assert _values(out) == {"A1": 50, "B1": 100}  # from an empty A1, 50 iterations of +1, as Excel does
    assert "not settled" in result.engine
    assert any("did not settle: after 50 iterations" in w and w.startswith("Sheet!A1") for w in result.warnings)
    assert "Sheet!B1" in result.warned_cells


def test_a_loop_starts_from_the_values_saved_in_the_workbook(tmp_path):
    book = _iterating(openpyxl.Workbook(), count=3)
    book.active["A1"] = "=A1+1"
    source = tmp_path / "saved.xlsx"
    book.save(source)
    first = recalculate(source, source, ModelCache())
    second = recalculate(source, source, ModelCache())
    assert first.ok and second.ok
    assert _values(source) == {"A1": 6}  # 3 iterations, then 3 more from the saved 3, as in Excel


def test_a_loop_through_offset_is_iterated_like_any_other(tmp_path):
    """OFFSET's target is known only when it runs: the first pass finds B1 reading A1 before A1 was computed,
    learns that dependency, and the loop it closes is iterated (A1 = A1/2 + 1 settles at 2)."""
    book = _iterating(openpyxl.Workbook())
    book.active["A1"] = "=B1/2+1"
    book.active["B1"] = "=OFFSET(A1,0,0)"
    result, out = _computed(tmp_path, book)
    assert result.ok, result.error
    values = _values(out)
    assert abs(values["A1"] - 2) <= 0.001 and abs(values["B1"] - 2) <= 0.002
    assert "iterative calculation" in result.engine and "2 cells in 1 loop" in result.engine


def test_a_loop_through_indirect_without_iteration_is_refused_naming_the_loop(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "=B1+1"
    book.active["B1"] = '=INDIRECT("A"&C1)'
    book.active["C1"] = 1
    result, _ = _computed(tmp_path, book)
    assert not result.ok
    assert "circular reference: Sheet!B1 -> Sheet!A1 -> Sheet!B1" in result.error, result.error


def test_a_loop_through_an_uncovered_function_is_refused_naming_the_cell(tmp_path):
    book = _iterating(openpyxl.Workbook())
    book.active["A1"] = "=B1/2+1"
    book.active["B1"] = "=NOSUCHFUNCTION(A1)"
    result, _ = _computed(tmp_path, book)
    assert not result.ok
    assert "a loop of iterative calculation through Sheet!B1 (function NOSUCHFUNCTION)" in result.error


def test_references_read_only_for_where_they_are_are_no_loop(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A8"], sheet["C8"] = 1, 3
    sheet["B8"] = '=CELL("col",A8:C8)+CELL("row",A8:C8)'
    sheet["B9"] = '=CELL("address",B9)'
    sheet["A5"] = "=ROWS(A1:A10)+COLUMN(A5)"
    result, out = _computed(tmp_path, book)
    assert result.ok and not result.warnings, result
    assert _values(out) == {"A8": 1, "C8": 3, "B8": 9, "B9": "$B$9", "A5": 11}


def test_near_zero_rule_applies_to_the_last_operation_unless_it_is_in_parentheses(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A3"] = 0.5, 0.4, 0.1
    sheet["B1"] = "=A1-A2-A3"
    sheet["B2"] = "=(A1-A2-A3)"
    sheet["B3"] = "=1*(A1-A2-A3)"
    sheet["B4"] = "=10000.1+A2-10000.5"  # a cancellation of the operands' last digits: 0 as in Excel
    sheet["B5"] = "=1E-20+A3-A3"  # not a cancellation against its operands: stays
    result, out = _computed(tmp_path, book)
    values = _values(out)
    assert result.ok
    assert values["B1"] == 0 and values["B4"] == 0
    assert values["B2"] == values["B3"] == pytest.approx(-2.7755575615628914e-17, rel=1e-12)
    assert values["B5"] == 0.1 + 1e-20 - 0.1  # what doubles give: 0 here too, by the arithmetic itself


def test_numbers_beyond_doubles_show_num_never_an_internal_error(tmp_path):
    book = openpyxl.Workbook()
    formulas = ['TEXT(1E308,"0.00")', "10^400", "EXP(1000)", "FACT(1000)", "1E308*10", "POWER(10,400)"]
    for row, formula in enumerate(formulas, start=1):
        book.active[f"A{row}"] = "=" + formula
    result, out = _computed(tmp_path, book)
    assert result.ok, result.error
    values = _values(out)
    assert values["A1"] == "1" + "0" * 308 + ".00"
    assert all(values[f"A{row}"] == "#NUM!" for row in range(2, len(formulas) + 1))


def test_json_names_every_warned_cell_even_past_a_thousand(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, 1_201):
        sheet[f"A{row}"] = "=NOSUCHFUNCTION(1)"
        sheet[f"B{row}"] = f"=A{row}"
    book.save(tmp_path / "many.xlsx")
    run = CliRunner().invoke(cli, ["recalc", str(tmp_path / "many.xlsx"), "--out", str(tmp_path / "out"), "--json"])
    assert run.exit_code == 0, run.output
    (report,) = json.loads(run.output)["files"] if "files" in json.loads(run.output) else json.loads(run.output)
    assert len(report["warned_cells"]) == 2_400
    assert {f"Sheet!A{row}" for row in range(1, 1_201)} <= set(report["warned_cells"])
    assert sum(w.startswith("Sheet!A") for w in report["warnings"]) == 1_200
    terminal = CliRunner().invoke(cli, ["recalc", str(tmp_path / "many.xlsx"), "--out", str(tmp_path / "o2")])
    assert "more cells like" in terminal.output  # the terminal groups them


def test_errors_where_the_saved_file_had_numbers_are_counted_and_named(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = 0
    book.active["B1"] = "=1/A1"
    source = tmp_path / "was_number.xlsx"
    book.save(source)
    _with_cached_value(source, "B1", "4")
    run = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "out")])
    assert "1 cell now shows #DIV/0! where the saved file had a number (Sheet!B1)" in run.output
    report = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "o2"), "--json"])
    payload = json.loads(report.output)
    files = payload["files"] if isinstance(payload, dict) else payload
    assert files[0]["errors_for_numbers"] == {"Sheet!B1": "#DIV/0!"}


def _with_cached_value(path: Path, ref: str, value: str) -> None:
    """Give a formula cell a saved number, as Excel would have written before its input changed."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{ref}"')
    end = sheet.index("</c>", start)
    cell = sheet[start:end].replace("<v></v>", "").replace("<v />", "")
    parts["xl/worksheets/sheet1.xml"] = (sheet[:start] + cell + f"<v>{value}</v>" + sheet[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_math_of_the_fixed_point_itself():
    interest, closing = closed_form()[0]
    assert math.isclose(closing, OPENING + interest - PAYMENT)


def test_the_formulas_engine_names_the_loop_it_refuses(tmp_path):
    """`--engine formulas` (and the whole-workbook fallback) used to say only "some formulas depend on themselves"."""
    book = openpyxl.Workbook()
    book.active.title = "Debt"
    book.active["A1"], book.active["B1"], book.active["C1"] = "=B1+1", "=A1*2", "=5"
    source = tmp_path / "loop.xlsx"
    book.save(source)
    result = recalculate(source, tmp_path / "out.xlsx", ModelCache(engine="formulas"))
    assert not result.ok
    assert result.error.startswith("circular reference: Debt!A1 -> Debt!B1 -> Debt!A1"), result.error


def test_iterate_option_computes_a_debt_schedule_saved_with_iteration_off(tmp_path):
    """Excel takes iteration from the first workbook of a session: an LBO saved without it was still iterated.
    `ftxl recalc --iterate` does so with Excel's defaults (100 iterations, maximum change 0.001)."""
    source = tmp_path / "lbo.xlsx"
    debt_schedule(iterate=False).save(source)
    run = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "o"), "--iterate", "--json"])
    assert run.exit_code == 0, run.output
    (report,) = json.loads(run.output)["files"]
    assert "on by --iterate: Excel's 100 iterations, maximum change 0.001" in report["engine"]
    values = _values(tmp_path / "o" / "lbo.xlsx")
    for period, (interest, closing) in enumerate(closed_form(), start=1):
        assert values[f"C{period + 1}"] == pytest.approx(interest, abs=0.001)
        assert values[f"E{period + 1}"] == pytest.approx(closing, abs=0.001)
    refused = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(tmp_path / "p")])
    assert refused.exit_code == 1 and "ftxl recalc --iterate" in refused.output
