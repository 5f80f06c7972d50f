"""Hardening the new surface (issue 21): summaries, analysis, tables, charts, 1904 dates, and the older leftovers.

Each test is an attack that got through before: an original destroyed, memory or time without bounds, an
exception past the call contract, figures from out-of-domain inputs, a damaged template crashing a command.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import edit_inputs, input_cell
from helpers.workbooks import write_xlsxwriter

import ftxl
from ftxl import analysis
from ftxl import cell_functions as sheet
from ftxl.cli import cli
from ftxl.use_case import insurance_example

BASE = analysis.base_inputs(insurance_example(180))
NAMES = [[name] for name in BASE]


def _values(inputs: dict[str, float]) -> list[list[float]]:
    return [[value] for value in inputs.values()]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 1. an original destroyed by --summary ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["in", "--out", "out", "--summary", "in/a.xlsx"],
        ["in/a.xlsx", "--in-place", "--summary", "in/a.xlsx"],
        ["in", "--out", "out", "--summary", "in/new.xlsx"],
        ["in", "--out", "out", "--summary", "out/a.xlsx"],
    ],
)
def test_a_summary_never_replaces_a_workbook_of_the_batch(tmp_path, monkeypatch, args):
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    write_xlsxwriter(tmp_path / "in" / "a.xlsx")
    monkeypatch.chdir(tmp_path)
    before = _digest(tmp_path / "in" / "a.xlsx")
    result = CliRunner().invoke(cli, ["recalc", *args, "--quiet"])
    assert result.exit_code == 2, result.output
    assert "--summary" in result.output
    assert _digest(tmp_path / "in" / "a.xlsx") == before
    assert not (tmp_path / "in" / "new.xlsx").exists() and not (tmp_path / "out" / "a.xlsx").exists()


# --- 2. Monte Carlo with bounds ------------------------------------------------------------------------


def test_draws_are_capped_everywhere():
    ranges = analysis.example_ranges()
    with pytest.raises(ftxl.InputError, match="draws = 1000000000 must be a whole number from 1 to 10,000,000"):
        analysis.simulate(ranges, draws=1_000_000_000)
    lbh = [[[r[k]] for r in ranges.values()] for k in range(3)]
    names = [[name] for name in ranges]
    refused = sheet.answer(sheet.sensitivity, names, *lbh, "simulation", 1e9)
    assert isinstance(refused, sheet.Refusal) and "more than 10,000,000" in refused.reason
    result = CliRunner().invoke(cli, ["analyse", "--example", "insurance", "--draws", "1000000000"])
    assert result.exit_code == 2 and "--draws" in result.output


HEAVY_RUN = """
import time
from ftxl import analysis
ranges = dict(analysis.example_ranges())
ranges |= {"horizon_days": (HORIZON,) * 3, "api_price_change": (-0.5, -0.3, 0.2), "investment": (5e5, 2e6, 5e6)}
started = time.perf_counter()
run = analysis.simulate(ranges, draws=DRAWS)
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))  # KiB, this process
print(time.perf_counter() - started, run.p_breakeven_within_horizon, peak)
"""


@pytest.mark.heavy
@pytest.mark.parametrize("horizon, draws, seconds", [(3650.0, 10_000, 5.0), (36_500.0, 2_000, 30.0)])
def test_a_long_horizon_with_a_changing_price_is_fast_and_small(horizon, draws, seconds):
    """The break-even check of the draws, in a fresh process: its time and peak memory (10 and 100 years)."""
    import subprocess
    import sys

    code = HEAVY_RUN.replace("HORIZON", repr(horizon)).replace("DRAWS", str(draws))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    took, share, peak_kib = float(out[0]), float(out[1]), int(out[2])
    assert 0 < share < 1
    assert took < seconds, took
    assert peak_kib < 1_000_000, peak_kib  # under 1 GB, whatever the horizon


def test_the_break_even_check_of_the_draws_follows_the_day_by_day_curve():
    """The chunked check agrees with the break-even day of each draw, computed alone."""
    ranges = dict(analysis.example_ranges())
    ranges |= {"horizon_days": (400.0,) * 3, "api_price_change": (-0.6, -0.3, 0.3), "investment": (1e5, 2e5, 4e5)}
    ranges |= {"golive_delay_days": (0.0, 10.5, 30.0)}
    drawn = analysis.draw(ranges, 300, seed=3)
    found = analysis._breaks_even(drawn, chunk=64, block=50)
    for k in range(300):
        one = {name: float(values[k]) for name, values in drawn.items()}
        assert found[k] == (analysis.breakeven_day(one) <= one["horizon_days"]), k


# --- 3. numbers outside the valid range ---------------------------------------------------------------


@pytest.mark.parametrize("draws", [0.5, 1e308, math.nan, math.inf, -3, True, "many"])
def test_bad_draws_are_a_value_error_naming_the_argument(draws):
    ranges = analysis.example_ranges()
    lbh = [[[r[k]] for r in ranges.values()] for k in range(3)]
    refused = sheet.answer(sheet.sensitivity, [[n] for n in ranges], *lbh, "simulation", draws)
    assert isinstance(refused, sheet.Refusal) and refused.code == "#VALUE!" and "draws" in refused.reason


def test_a_nan_seed_is_a_value_error():
    ranges = analysis.example_ranges()
    lbh = [[[r[k]] for r in ranges.values()] for k in range(3)]
    refused = sheet.answer(sheet.sensitivity, [[n] for n in ranges], *lbh, "simulation", 100, math.nan)
    assert isinstance(refused, sheet.Refusal) and "seed" in refused.reason


@pytest.mark.parametrize("args", [["--seed", "-1"], ["--draws", "9223372036854775808"]])
def test_analyse_refuses_bad_numbers_in_one_line(args):
    result = CliRunner().invoke(cli, ["analyse", "--example", "insurance", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output and "Invalid value" in result.output


def test_huge_inputs_give_figures_or_a_refusal_never_an_exception(recwarn):
    ranges = dict(analysis.example_ranges()) | {"investment": (1e308,) * 3}
    run = analysis.simulate(ranges, draws=500)
    assert math.isfinite(run.mean) and run.bins[0][2] == 1.0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    with pytest.raises(ftxl.InputError):  # a total cost beyond a float: refused by name
        analysis.outcome(BASE | {"events_per_day": 1e307, "horizon_days": 1e5})


def test_text_of_a_number_beyond_any_date_is_value_error(tmp_path):
    import xlsxwriter

    from ftxl.recalc.workbook import ModelCache, recalculate

    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("S")
    page.write_formula("A1", '=TEXT(1E+308,"yyyy")')
    page.write_formula("A2", '=TEXT(45000,"yyyy")')
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok, result.error
    import openpyxl

    cells = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert cells["A1"].value == "#VALUE!" and cells["A2"].value == "2023"


# --- 4. out-of-domain inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, rule",
    [
        ("horizon_days", -5.0, "must be above 0"),
        ("events_per_day", 0.0, "must be above 0"),
        ("investment", -1.0, "must be 0 or more"),
        ("finetuned_monthly", -10.0, "must be 0 or more"),
        ("discount_rate", -1.0, "must be above -100%"),
        ("prompted_review_share", 1.5, "between 0% and 100%"),
    ],
)
def test_out_of_domain_inputs_are_refused_by_name(name, value, rule):
    inputs = BASE | {name: value}
    refused = sheet.answer(sheet.finetune_npv, [[n] for n in inputs], _values(inputs))
    assert isinstance(refused, sheet.Refusal) and name in refused.reason and rule in refused.reason


def test_an_input_named_twice_is_refused():
    refused = sheet.answer(sheet.finetune_npv, [*NAMES, ["investment"]], [*_values(BASE), [1.0]])
    assert isinstance(refused, sheet.Refusal) and "'investment' is named twice" in refused.reason


def test_sensitivity_refuses_low_above_high_in_every_part():
    ranges = analysis.example_ranges() | {"investment": (60_000.0, 40_000.0, 30_000.0)}
    lbh = [[[r[k]] for r in ranges.values()] for k in range(3)]
    for part in ("tornado", "cases", "case_inputs", "simulation"):
        refused = sheet.answer(sheet.sensitivity, [[n] for n in ranges], *lbh, part)
        assert isinstance(refused, sheet.Refusal) and "investment: Low 60000" in refused.reason, part


def test_analyse_refuses_a_negative_horizon(tmp_path):
    edited = tmp_path / "negative.xlsx"
    edit_inputs(EXAMPLE_WORKBOOK, edited, {input_cell("horizon_days", k): -180.0 for k in range(3)})
    result = CliRunner().invoke(cli, ["analyse", str(edited), "--draws", "200"])
    assert result.exit_code == 1 and "horizon_days" in result.output and "Traceback" not in result.output


# --- 5. damaged templates -----------------------------------------------------------------------------


def _renamed(source: Path, target: Path, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/workbook.xml":
                assert old in data, old
                data = data.replace(old, new)
            out.writestr(info, data)
    return target


def _name_ref(name: str) -> bytes:
    with zipfile.ZipFile(EXAMPLE_WORKBOOK) as package:
        xml = package.read("xl/workbook.xml")
    found = re.search(rb'<definedName name="' + name.encode() + rb'">([^<]*)</definedName>', xml)
    assert found
    return found.group(0)


@pytest.mark.parametrize(
    "name, damage, says",
    [
        ("investment", b"Inputs!$B$60:$C$60", "holds 2 cells"),
        ("investment", b"Inputs!$B$60:$D$60,Inputs!$B$61:$D$61", "must point to one range"),
        ("investment", b"Inputs!$1:$1048576", "spans whole rows or columns"),
        ("horizon_days", b"Inputs!$A:$XFD", "spans whole rows or columns"),
    ],
)
@pytest.mark.parametrize("command", ["analyse", "report"])
def test_damaged_names_are_refused_by_analyse_and_report(tmp_path, name, damage, says, command):
    element = _name_ref(name)
    damaged = element.replace(element.split(b">")[1].split(b"<")[0], damage)
    path = _renamed(EXAMPLE_WORKBOOK, tmp_path / "damaged.xlsx", element, damaged)
    started = time.perf_counter()
    result = CliRunner().invoke(
        cli,
        [
            command,
            str(path),
            "--out" if command == "report" else "--draws",
            str(tmp_path) if command == "report" else "200",
        ],
    )
    assert result.exit_code == 1, result.output
    assert says in result.output and name in result.output and "Traceback" not in result.output
    assert time.perf_counter() - started < 30


def test_a_missing_questions_sheet_is_named_by_report(tmp_path):
    from ftxl.brief import read_brief
    from ftxl.recalc.workbook import ModelCache, recalculate

    computed = tmp_path / "computed.xlsx"
    assert recalculate(EXAMPLE_WORKBOOK, computed, ModelCache()).ok
    import openpyxl

    book = openpyxl.load_workbook(computed)
    del book["Questions"]
    book.save(computed)
    with pytest.raises(ftxl.WorkbookError, match="no Questions sheet"):
        read_brief(computed, "mine.xlsx")


# --- 6. stale cached values ------------------------------------------------------------------------------


def test_analyse_computes_the_workbook_afresh(tmp_path):
    """An input cell holding a formula whose saved value is stale: analysed with its true value."""
    cell = input_cell("events_per_day", 1)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(EXAMPLE_WORKBOOK) as package, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data, count = re.subn(
                    rb'(<c r="' + cell.encode() + rb'"[^>]*?)(?: t="\w+")?>.*?</c>',
                    rb"\1><f>2*2500</f><v>6000</v></c>",
                    data,
                    count=1,
                    flags=re.S,
                )
                assert count == 1
            out.writestr(info, data)
    result = CliRunner().invoke(cli, ["analyse", str(stale), "--json", "--draws", "200"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["base"]["net_savings"] == pytest.approx(108_500)


# --- 7. chart caches bounded per workbook -------------------------------------------------------------


def test_chart_series_are_refreshed_within_one_budget_per_workbook(tmp_path):
    from ftxl.recalc.workbook import ModelCache, recalculate

    series = "".join(
        f'<c:ser><c:idx val="{k}"/><c:val><c:numRef><c:f>Model!$B$1:$B$1500000</c:f><c:numCache>'
        '<c:ptCount val="0"/></c:numCache></c:numRef></c:val></c:ser>'
        for k in range(400)
    )
    chart = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart><c:plotArea>'
        f"<c:lineChart>{series}</c:lineChart></c:plotArea></c:chart></c:chartSpace>"
    ).encode()
    source = write_xlsxwriter(tmp_path / "source.xlsx")
    path = tmp_path / "charts.xlsx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            out.writestr(info, chart if info.filename == "xl/charts/chart1.xml" else package.read(info))
    started = time.perf_counter()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert time.perf_counter() - started < 30
    assert result.ok, result.error
    assert any("cached series not refreshed" in w and "2,097,152" in w for w in result.warnings)


# --- 11. overflow as NaN ---------------------------------------------------------------------------------


def test_buckets_with_huge_costs_print_valid_json(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("true,pred\nA/x,A/x\nA/x,A/y\nA/x,B/x\n")
    result = CliRunner().invoke(
        cli, ["buckets", str(log), "--true", "true", "--pred", "pred", "--costs", "1e308,1e308", "--json"]
    )
    assert "NaN" not in result.output and "RuntimeWarning" not in result.output
    if result.exit_code == 0:
        json.loads(result.output)
    else:
        assert "too large" in result.output


def test_a_matrix_of_huge_counts_gives_its_share_not_nan():
    assert ftxl.expected_error_cost([[1e308, 1e308], [1e308, 1e308]], [[0, 1], [1, 0]]) == pytest.approx(0.5)
    with pytest.raises(ftxl.InputError, match="too large"):
        ftxl.expected_error_cost([[1, 1], [1, 1]], [[0, 1e308], [1e308, 0]])


# --- 12. older leftovers -------------------------------------------------------------------------------


def test_yes_no_values_inside_a_list_are_refused_by_the_python_api():
    with pytest.raises(ftxl.InputError, match=r"investment \(item 2 of 2\) is True"):
        ftxl.breakeven_days([40000, True], 5000, 0.32, 0.155)
    with pytest.raises(ftxl.InputError, match="priors"):
        ftxl.expected_error_cost([[1, 1], [1, 1]], [[0, 1], [1, 0]], ["0.5", 0.5])


def test_a_timestamp_weight_column_is_refused(tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {"true": ["A/x", "A/x"], "pred": ["A/x", "B/x"], "when": pd.to_datetime(["2026-01-01", "2026-01-02"])}
    )
    log = tmp_path / "log.parquet"
    frame.to_parquet(log)
    result = CliRunner().invoke(cli, ["buckets", str(log), "--true", "true", "--pred", "pred", "--weight", "when"])
    assert result.exit_code != 0 and "--weight when holds datetime64" in result.output


# --- 8. the 1904 date system where formulas computes a cell ---------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "formulas"])
def test_dates_from_formulas_in_a_1904_workbook_are_refused_with_the_reason(tmp_path, engine):
    import openpyxl
    import xlsxwriter

    from ftxl.recalc.workbook import ModelCache, recalculate

    path = tmp_path / "dates1904.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    page = book.add_worksheet("S")
    page.write_formula("A1", '=DATE(2024,1,1)+TIMEVALUE("6:00")')
    page.write_formula("A2", "=A1+1")
    page.write_formula("A3", "=YEAR(DATE(2024,1,1))")  # the plain engine knows the 1904 system
    page.write_formula("A4", "=SQRTPI(0.5)")  # no date: computed as before
    page.write_formula("A5", "=WEEKNUM(DATE(2024,1,2))")  # the plain engine's own, in the 1904 system too
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache(engine=engine))
    assert result.ok, result.error
    cells = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert cells["A1"].value == "#VALUE!"
    if engine == "auto":  # the plain engine passes the error on
        assert cells["A2"].value == "#VALUE!"
    else:  # formulas computed A2 from its own value of A1: warned as every cell it computes
        assert any(w.startswith("S!A2: computed by the formulas engine") for w in result.warnings)
    assert cells["A3"].value == (2024 if engine == "auto" else "#VALUE!") and cells["A4"].value == pytest.approx(
        1.253314, abs=1e-6
    )
    assert any("S!A1" in w and "counts dates from 1904" in w and "TIMEVALUE" in w for w in result.warnings)
    assert cells["A5"].value == (1 if engine == "auto" else "#VALUE!")


# --- 9. table parts validated ---------------------------------------------------------------------------


def _table_book(tmp_path: Path, change: Callable[[bytes], bytes] | None = None, twice: bool = False) -> Path:
    import xlsxwriter

    path = tmp_path / "tables.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("S")
    page.add_table("A1:B4", {"name": "Sales", "columns": [{"header": "X"}, {"header": "Y"}]})
    page.write_column("A2", [1, 1, 1])
    page.write_column("B2", [1000, 1000, 1000])
    if twice:
        page.add_table("D1:E4", {"name": "Other", "columns": [{"header": "X"}, {"header": "Y"}]})
        page.write_column("D2", [1, 1, 1])
    page.write_formula("G1", "=SUM(Sales[X])")
    book.close()
    if change is None and not twice:
        return path
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as package, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/tables/table1.xml" and change is not None:
                data = change(data)
            if twice and info.filename == "xl/tables/table2.xml":
                data = data.replace(b'name="Other" displayName="Other"', b'name="Sales" displayName="Sales"')
            out.writestr(info, data)
    return damaged


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda d: d.replace(b'ref="A1:B4"', b'ref="garbage"'), "not a range of cells"),
        (lambda d: d.replace(b'ref="A1:B4"', b'ref="B4:A1"'), "reversed range"),
        (lambda d: d.replace(b"<table ", b'<table headerRowCount="x" '), "headerRowCount='x'"),
        (lambda d: d.replace(b"<table ", b'<table headerRowCount="-1" '), "headerRowCount='-1'"),
        (
            lambda d: d.replace(b'count="2"', b'count="3"').replace(
                b"</tableColumns>", b'<tableColumn id="3" name="X6"/></tableColumns>'
            ),
            "names 3 columns",
        ),
        (None, "a second table named Sales"),
    ],
)
def test_damaged_table_parts_are_refused_with_a_reason(tmp_path, change, says):
    from ftxl.recalc.workbook import ModelCache, recalculate

    path = _table_book(tmp_path, change, twice=change is None)
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert not result.ok and says in result.error and "internal error" not in result.error


def test_a_sound_table_is_read(tmp_path):
    import openpyxl

    from ftxl.recalc.workbook import ModelCache, recalculate

    result = recalculate(_table_book(tmp_path), tmp_path / "out.xlsx", ModelCache())
    assert result.ok, result.error
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]["G1"].value == 3


# --- 10. workbook text is never TeX in the brief ------------------------------------------------------------


def test_dollar_signs_and_backslashes_in_workbook_text_print_as_typed(tmp_path):
    import subprocess

    from ftxl.brief import pdf_bytes, read_brief
    from ftxl.recalc.workbook import ModelCache, recalculate

    computed = tmp_path / "computed.xlsx"
    assert recalculate(EXAMPLE_WORKBOOK, computed, ModelCache()).ok
    brief = read_brief(computed, r"costs $\foo$ and $5 vs $6.xlsx")
    brief.open_questions.insert(0, ("Volume", r"What is $\frac{a}{b}$ per day?", "estimated"))
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(pdf_bytes(brief))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert r"costs $\foo$ and $5 vs $6.xlsx" in text and r"$\frac{a}{b}$" in text


# --- 12. malformed shared and array formulas --------------------------------------------------------------


@pytest.mark.parametrize(
    "master, follower, says",
    [
        (b'<f t="array" ref="garbage">A1+1</f>', b"<f>A1+2</f>", "not a range of cells"),
        (b'<f t="array" ref="C5:D6">A1+1</f>', b"<f>A1+2</f>", "must start at its own cell"),
        (b'<f t="shared" ref="B1:B2" si="0">"a"&amp;A1&amp;"</f>', b'<f t="shared" si="0"/>', "cannot be read"),
        (b'<f t="shared" ref="B1:B2" si="0">SUM((A1</f>', b'<f t="shared" si="0"/>', "cannot be read"),
    ],
)
def test_malformed_shared_and_array_formulas_are_refused_or_warned(tmp_path, master, follower, says):
    import xlsxwriter

    from ftxl.recalc.workbook import ModelCache, recalculate

    path, damaged = tmp_path / "a.xlsx", tmp_path / "damaged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("S")
    page.write("A1", 1)
    page.write_formula("B1", "=A1+1")
    page.write_formula("B2", "=A1+2")
    book.close()
    with zipfile.ZipFile(path) as package, zipfile.ZipFile(damaged, "w") as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A1+1</f>", master).replace(b"<f>A1+2</f>", follower)
            out.writestr(info, data)
    result = recalculate(damaged, tmp_path / "out.xlsx", ModelCache())
    said = result.error or " ".join(result.warnings)
    assert says in said and "internal error" not in said
