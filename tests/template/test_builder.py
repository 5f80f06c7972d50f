"""The template workbook: committed files current, figures equal the model, checks fire, LibreOffice agrees."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT
from helpers.golden import close
from helpers.template_files import edit_inputs, input_cell, named_values, parts
from helpers.workbooks import RECALC_ALWAYS, libreoffice

from ftxl import analysis
from ftxl.cli import cli
from ftxl.recalc import engines as engine
from ftxl.recalc import formula_text
from ftxl.recalc import formulas_fallback as formulas_engine
from ftxl.recalc.ooxml.package import Package, read_workbook
from ftxl.recalc.ooxml.worksheet import patch
from ftxl.recalc.workbook import BookReader, recalculate
from ftxl.template.content import EXAMPLE
from ftxl.template.layout import TIMELINE_TABLE_ROW
from ftxl.template.sensitivity import DATA_TITLE
from ftxl.use_case import Option, UseCase, evaluate

COMMITTED = {
    "ftxl_insurance_example.xlsx": ["--example", "insurance"],
    "ftxl_blank.xlsx": ["--blank"],
}
EXAMPLE_FILE = ROOT / "workbook_templates" / "ftxl_insurance_example.xlsx"


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_workbook_is_what_the_builder_makes(name, tmp_path):
    built = tmp_path / name
    result = CliRunner().invoke(cli, ["template", str(built), *COMMITTED[name]])
    assert result.exit_code == 0, result.output
    assert parts(built) == parts(ROOT / "workbook_templates" / name), (
        "run: ftxl template workbook_templates/... --force"
    )


CASES = ("worst", "base", "best")


def _scenario_case(k: int) -> UseCase:
    """The example's case k (0 worst, 1 base, 2 best) as the model's use case: each input at the end of its
    range that, moved alone, hurts (helps) fine-tuning, as `ftxl.analysis.extremes` picks it."""
    v = {name: values[1] for name, values in EXAMPLE.items()}
    worst, best = analysis.extremes(analysis.example_ranges())
    v |= {0: worst, 1: {}, 2: best}[k]

    def option(key: str, unit_cost: float) -> Option:
        return Option(
            key,
            v[f"{key}_top_level_accuracy"],
            v[f"{key}_full_route_accuracy"],
            unit_cost,
            v[f"{key}_review_share"],
            v[f"{key}_review_cost"],
        )

    handling = v["handling_seconds"] / 3600 * v["hourly_cost"]
    return UseCase(
        name=CASES[k],
        events_per_day=v["events_per_day"],
        horizon_days=v["horizon_days"],
        handling_seconds=v["handling_seconds"],
        hourly_wage=v["hourly_cost"],
        cost_wrong_subclass=v["delay_cost_per_day"] * v["days_lost_wrong_subclass"],
        cost_wrong_department=v["delay_cost_per_day"] * v["days_lost_wrong_department"],
        human=option("human", handling),
        prompted=option("prompted", v["prompted_unit_cost"]),
        finetuned=option("finetuned", v["finetuned_unit_cost"]),
        investment=v["investment"],
    )


@pytest.mark.parametrize("k", range(3), ids=CASES)
def test_results_equal_the_model_in_every_scenario(k):
    expected = evaluate(_scenario_case(k))
    scenario = CASES[k]
    read = named_values(EXAMPLE_FILE)
    for key in ("human", "prompted", "finetuned"):
        assert close(read[f"{key}_cost_per_event_{scenario}"], expected.option(key).cost_per_event)
    assert close(read[f"breakeven_days_{scenario}"], expected.breakeven_days)
    assert close(read[f"net_savings_{scenario}"], expected.net_savings)
    assert close(read[f"max_ft_investment_{scenario}"], expected.max_ft_investment)
    assert close(read[f"max_cost_premium_{scenario}"], expected.max_cost_premium)
    assert read[f"decision_{scenario}"] == ("Prompt the API model" if scenario == "worst" else "Fine-tune")


def test_base_scenario_is_the_worked_example():
    read = named_values(EXAMPLE_FILE)
    assert close(read["human_cost_per_event_base"], 13 / 15)
    assert close(read["prompted_cost_per_event_base"], 0.32) and close(read["finetuned_cost_per_event_base"], 0.155)
    assert close(read["breakeven_days_base"], 1600 / 33) and close(read["net_savings_base"], 108_500)
    assert close(read["max_ft_investment_base"], 148_500) and close(read["max_cost_premium_base"], 17 / 225)


def test_pandas_sees_the_results():
    frame = pd.read_excel(EXAMPLE_FILE, sheet_name="Results", header=None)
    row = frame.index[frame[0] == "Break-even day (discounted with a rate; #NUM! = never)"][0]
    assert frame.iloc[row, 2] == pytest.approx(1600 / 33)


# --- editing inputs --------------------------------------------------------------------------


def _all_values(path: Path) -> dict[tuple[str, str], object]:
    book = openpyxl.load_workbook(path, data_only=True)
    return {(sheet.title, cell.coordinate): cell.value for sheet in book for row in sheet.iter_rows() for cell in row}


def _dependents(path: Path, sheet: str, ref: str) -> set[tuple[str, str]]:
    """Cells whose formulas depend on Inputs!ref, from the formula engine's own graph."""
    with Package(path) as package:
        book = BookReader(package, read_workbook(package))
    model = formulas_engine.formulas.ExcelModel().from_dict(
        {
            **book.book.values,
            **{k: "=" + v for k, v in book.book.names.items()},
            **{k: "=" + v for k, v in book.book.formulas.items()},
        }
    )
    graph, seen, todo = model.dsp.dmap, set(), [formula_text.node(sheet, ref)]
    while todo:
        for successor in graph.succ.get(todo.pop(), {}):
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    cells = set()
    for key in seen & set(book.placement):
        where, rows = book.placement[key]
        cells.update((where, address) for row in rows for address in row)
    return cells


def test_changing_an_input_updates_its_dependents_and_nothing_else(tmp_path):
    ref = input_cell("prompted_unit_cost", 1)
    edited = tmp_path / "edited.xlsx"
    edit_inputs(EXAMPLE_FILE, edited, {ref: 0.07})  # still between Low and High: the checks stay green
    out = tmp_path / "out.xlsx"
    assert recalculate(edited, out, engine.ModelCache()).ok
    before, after = _all_values(EXAMPLE_FILE), _all_values(out)
    changed = {key for key in before if before[key] != after[key]} - {("Inputs", ref)}
    assert after[("Start", "B20")].endswith("computed by ftxl recalc on " + date.today().isoformat())
    changed -= {("Start", "B20")}  # who computed the figures: ftxl recalc now, not the template builder
    dependents = _dependents(edited, "Inputs", ref)
    assert changed and changed <= dependents
    assert any(sheet == "Results" for sheet, _ in changed) and any(sheet == "Timeline" for sheet, _ in changed)
    assert all(address[0] not in "BD" for sheet, address in changed if sheet == "Results")  # Low, High untouched


BROKEN_INPUTS = [
    # (id, input, scenario, value, the rule of the checks beside Inputs that must say FIX)
    ("accuracy typed as 95", "prompted_top_level_accuracy", 2, 95.0, "Accuracies and shares lie between 0% and 100%"),
    (
        "full route above top level",
        "human_full_route_accuracy",
        2,
        0.98,
        "Full-route accuracy is at most the top-level accuracy",
    ),
    (
        "typed shares above 100%",
        "human_share_wrong_subclass_typed",
        0,
        0.99,
        "Bucket shares typed directly add up to at most 100%",
    ),
    (
        "low above base",
        "hourly_cost",
        0,
        21.0,
        "Low <= Base <= High on every row (an optional one once all three are typed)",
    ),
    ("negative cost", "finetuned_review_cost", 0, -0.01, "Costs, times and the investment are not negative"),
    ("no events", "events_per_day", 0, 0.0, "Events per day and the horizon are above 0"),
    ("empty required input", "investment", 1, None, "Every required input is filled in"),
]


def _flag(path: Path) -> str:
    book = openpyxl.load_workbook(path, data_only=True)
    ((sheet, ref),) = book.defined_names["checks_flag"].destinations
    return book[sheet][ref.replace("$", "")].value


def test_checks_pass_on_the_example():
    assert _flag(EXAMPLE_FILE) == "All 10 checks pass"


@pytest.mark.parametrize(
    "name, scenario, value, rule", [b[1:] for b in BROKEN_INPUTS], ids=[b[0] for b in BROKEN_INPUTS]
)
def test_checks_flag_fires_for_broken_inputs(tmp_path, name, scenario, value, rule):
    changes: dict[str, float | None] = {input_cell(name, scenario): value}
    if name == "human_share_wrong_subclass_typed":
        changes[input_cell("human_share_wrong_department_typed", scenario)] = 0.05
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    edit_inputs(EXAMPLE_FILE, edited, changes)
    assert recalculate(edited, out, engine.ModelCache()).ok
    assert _flag(out).startswith("Fix "), _flag(out)
    inputs = openpyxl.load_workbook(out, data_only=True)["Inputs"]
    status = {row[12].value: row[14].value for row in inputs.iter_rows(min_row=5, max_row=14)}  # columns M, O
    assert status[rule] == "FIX", status


# --- LibreOffice --------------------------------------------------------------------------------


def _without_ftxl_formulas(source: Path, target: Path) -> set[tuple[str, str]]:
    """A copy whose ftxl formula cells hold their cached values as constants; returns those cells."""
    with Package(source) as package:
        book = read_workbook(package)
    members, frozen = parts(source), set()
    sheet_names = {part: name for name, part in book.sheets.items()}
    for part, name in sheet_names.items():

        def freeze(match: re.Match[bytes], sheet: str = name) -> bytes:
            frozen.add((sheet, match.group(2).decode()))
            return match.group(1) + match.group(3)

        ftxl_call = "|".join(formula_text.FTXL_NAMES).encode()
        members[part] = re.sub(
            rb'(<c r="([A-Z]+\d+)"[^>]*>)<f[^>]*>[^<]*?(?:' + ftxl_call + rb")[^<]*</f>(<v>)", freeze, members[part]
        )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return frozen


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_plain_formulas_to_the_same_values(tmp_path):
    frozen = tmp_path / "frozen.xlsx"
    _without_ftxl_formulas(EXAMPLE_FILE, frozen)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    libreoffice("--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(frozen), profile=profile)
    ours, theirs = _all_values(EXAMPLE_FILE), _all_values(tmp_path / "lo" / "frozen.xlsx")
    compared = 0
    for key, value in ours.items():
        if isinstance(value, float):
            assert theirs[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            compared += 1
        elif isinstance(value, str) and key[0] in ("Results", "Inputs", "Start"):
            assert theirs[key] == value, key
    assert compared > 300


@pytest.mark.libreoffice
def test_libreoffice_prints_the_example_without_errors(tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm is missing (apt-get install poppler-utils)")
    libreoffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(EXAMPLE_FILE), profile=tmp_path / "profile")
    pdf = tmp_path / "ftxl_insurance_example.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in text.split("\f"):  # every page: no array formula is left for LibreOffice to re-evaluate
        for error in ("#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#N/A"):
            assert error not in page, page[:200]
    for figure in ("€0.8667", "€0.3200", "€0.1550", "48.48", "€108,500", "All 10 checks pass", "Fine-tune"):
        assert figure in text, figure
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) >= 6


def test_shares_from_the_labels_sheet(tmp_path):
    """The example's Labels sheet holds a 10,000-row log of the human process: switching the human
    option to labels gives the worked example's buckets, with the Wilson bounds as Low (more errors) and High."""
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    switches = {input_cell("human_shares_from", k): "labels" for k in range(3)}
    members = parts(EXAMPLE_FILE)
    members["xl/worksheets/sheet2.xml"], missing = patch(members["xl/worksheets/sheet2.xml"], switches)
    assert not missing
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    assert recalculate(edited, out, engine.ModelCache()).ok
    results = openpyxl.load_workbook(out, data_only=True)["Results"]
    shares = {row[0].value: [c.value for c in row[1:4]] for row in results.iter_rows(min_row=5, max_row=20)}
    wrong_subclass = shares["Share in the wrong subclass (%)"]
    assert wrong_subclass[1] == pytest.approx(0.15) and wrong_subclass[0] > 0.15 > wrong_subclass[2]  # Low: worse
    assert close(named_values(out)["human_cost_per_event_base"], 13 / 15)
    assert _flag(out) == "All 10 checks pass"


def test_labels_chosen_without_labels_fail_the_checks(tmp_path):
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    members = parts(EXAMPLE_FILE)
    members["xl/worksheets/sheet2.xml"], _ = patch(
        members["xl/worksheets/sheet2.xml"], {input_cell("prompted_shares_from", 1): "labels"}
    )
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    assert recalculate(edited, out, engine.ModelCache()).ok
    assert _flag(out).startswith("Fix ")


# --- the verdict (issue 9) --------------------------------------------------------------------


def _recalculated_with(tmp_path: Path, inputs: dict[str, tuple[float | str | None, ...]]) -> tuple[Path, object]:
    """The example with some input rows set (Low, Base, High), recalculated: (path, FileResult)."""
    changes = {input_cell(name, k): value for name, values in inputs.items() for k, value in enumerate(values)}
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    edit_inputs(EXAMPLE_FILE, edited, changes)  # type: ignore[arg-type]
    result = recalculate(edited, out, engine.ModelCache())
    assert result.ok, result.error
    return out, result


def test_the_decision_counts_the_investment_against_people(tmp_path):
    out, _ = _recalculated_with(
        tmp_path,
        {
            "handling_seconds": (8, 10, 12),
            "human_top_level_accuracy": (0.99, 0.99, 0.99),
            "human_full_route_accuracy": (0.97, 0.97, 0.97),
        },
    )
    read = named_values(out)
    assert close(read["human_cost_per_event_base"], 10 / 3600 * 20 + 0.12)
    assert read["prompted_cost_per_event_base"] > read["finetuned_cost_per_event_base"]  # beats prompting ...
    assert close(read["net_savings_base"], -21_500)  # ... yet people cost less in all: measured against them
    assert read["against_base"] == "the human process"
    assert read["decision_base"] == "Keep the human process"
    results = openpyxl.load_workbook(out, data_only=True)["Results"]
    answers = {row[0].value: row[2].value for row in results.iter_rows() if row[0].value}
    assert answers["Automate at all? (investment counted)"] == "No: people are cheapest"
    assert answers["Fine-tune?"] == "No: people cost less"
    start = openpyxl.load_workbook(out, data_only=True)["Start"]
    assert "Keep the human process" in [c.value for row in start.iter_rows() for c in row]


def test_the_limits_count_review_like_the_verdict(tmp_path):
    out, _ = _recalculated_with(tmp_path, {"finetuned_review_share": (0.2,) * 3, "finetuned_review_cost": (1.0,) * 3})
    read = named_values(out)
    assert close(read["net_savings_base"], -71_500)
    assert read["decision_base"] == "Prompt the API model"
    assert close(read["max_cost_premium_base"], 0.12 - 0.2 - 40_000 / 900_000)


def test_the_two_other_limits_are_named_rows():
    read = named_values(EXAMPLE_FILE)
    assert close(read["max_finetuned_unit_cost_base"], 0.06 + 17 / 225)
    assert close(read["max_investment_same_unit_cost_base"], 108_000)


def test_no_verdict_while_an_input_is_empty(tmp_path):
    out, result = _recalculated_with(tmp_path, {"events_per_day": (4000, None, 6000)})
    read = named_values(out)
    fix = "Fix 2 problems: Inputs K"  # empty, and Base no longer between Low and High
    assert {read[f"decision_{x}"] for x in ("worst", "base", "best")} == {fix}
    assert read["net_savings_base"] == "#N/A" and read["breakeven_days_base"] == "#N/A"
    assert result.checks == 2
    assert f"Inputs!{input_cell('events_per_day', 1)}: empty (input check)" in result.warnings


def test_a_switch_to_labels_without_labels_stops_that_scenario(tmp_path):
    """A check whose only condition is TRUE still counts as one problem for its scenario (a lone TRUE in the
    per-row count would be skipped by the scenario's SUM, and Base would show figures from no labels)."""
    out, result = _recalculated_with(tmp_path, {"prompted_shares_from": ("accuracies", "labels", "accuracies")})
    read, book = named_values(out), openpyxl.load_workbook(out, data_only=True)
    problems = {}
    for scenario in ("low", "base", "high"):
        ((sheet, ref),) = book.defined_names[f"input_problems_{scenario}"].destinations
        problems[scenario] = book[sheet][ref.replace("$", "")].value
    assert problems == {"low": 0, "base": 1, "high": 0}
    assert read["net_savings_base"] == "#N/A"
    assert result.checks == 1


def test_recalc_reports_failed_checks_and_strict_fails_them(tmp_path):
    _, result = _recalculated_with(tmp_path, {"hourly_cost": (21, 20, 24)})
    assert result.checks == 1
    low, base = input_cell("hourly_cost", 0), input_cell("hourly_cost", 1)
    assert result.warnings == [f"Inputs!{low}: Low above Base Inputs!{base} (input check)"]
    edited = tmp_path / "edited.xlsx"
    for strict, code in ((False, 0), (True, 1)):
        summary = tmp_path / f"summary{strict}.csv"
        args = ["recalc", str(edited), "--out", str(tmp_path / "o"), "--summary", str(summary), "--quiet"]
        run = CliRunner().invoke(cli, args + (["--strict"] if strict else []))
        assert run.exit_code == code, run.output
        assert ("FAILED (checks: 1 problem)" if strict else "ok (checks: 1 problem)") in run.output
        row = pd.read_csv(summary).iloc[0]
        assert row["checks"] == 1


def test_labels_low_is_the_pessimistic_end(tmp_path):
    out, _ = _recalculated_with(tmp_path, {"human_shares_from": ("labels",) * 3})
    book = openpyxl.load_workbook(out, data_only=True)
    results, labels = book["Results"], book["Labels"]

    def row(name: str) -> list[float]:
        ((_, ref),) = book.defined_names[f"result_{name}"].destinations
        return [c.value for c in results[ref.replace("$", "")][0]]

    correct, subclass, department = (row(f"human_share_{b}") for b in ("correct", "wrong_subclass", "wrong_department"))
    share, low, high = ([c.value for c in labels[f"G{r}:I{r}"][0]] for r in (6, 7, 8))  # the human block
    assert close(correct[1], 0.8) and close(subclass[1], 0.15) and close(department[1], 0.05)
    assert close(correct[0], low[0]) and close(correct[2], high[0])  # inside the correct share's own interval
    assert subclass[0] + department[0] > 0.2 > subclass[2] + department[2]  # Low: more errors, High: fewer
    assert close(department[0], high[2]) and close(department[2], low[2])


def test_the_lite_template_gives_the_classic_values_cell_for_cell(tmp_path):
    lite = tmp_path / "lite.xlsx"
    run = CliRunner().invoke(cli, ["template", str(lite), "--example", "insurance", "--for", "lite"])
    assert run.exit_code == 0, run.output
    assert "_xldudf_HUMAN_COST_PER_EVENT(" in parts(lite)["xl/worksheets/sheet4.xml"].decode()
    assert named_values(lite) == named_values(EXAMPLE_FILE)
    assert _all_values(lite) == _all_values(EXAMPLE_FILE)


def test_the_add_in_settings_sheet_is_hidden_and_not_printed():
    book = openpyxl.load_workbook(EXAMPLE_FILE)
    assert book["xlwings.conf"].sheet_state == "hidden"
    assert (
        book["xlwings.conf"]["A1"].value == "UDF Modules" and book["xlwings.conf"]["B1"].value == "ftxl.excel_functions"
    )


@pytest.mark.libreoffice
def test_the_blank_template_prints_without_error_values(tmp_path):
    """Nothing typed yet: empty results, no #VALUE!, #N/A or #NAME? on any page LibreOffice prints."""
    blank = ROOT / "workbook_templates" / "ftxl_blank.xlsx"
    libreoffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(blank), profile=tmp_path / "profile")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "ftxl_blank.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not re.findall(r"#(?:VALUE!|N/A|NAME\?|REF!|DIV/0!)", text)  # "#NUM! = never" is a label
    # not started, rather than 66 failures; no decision either, and each text whole (not cut by its cell)
    assert "Not started: 22 inputs to fill in, see Inputs" in text and not re.search(r"\bFix \d", text)
    assert text.count("Not started: 22 inputs\n") >= 6  # the decision cells of Start and Results, whole
    pages = subprocess.run(["pdfinfo", str(tmp_path / "ftxl_blank.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+8\n", pages)
    # each of the four charts says in its title why it is empty (a chart cannot hide itself)
    words = " ".join(text.split())
    assert words.count("not started, 22 inputs to fill in (see Inputs)") == 4
    # no column of zeros: the measurement plan's helper flags sit in a hidden column, not under the tornado
    sensitivity = next(page for page in text.split("\f") if "Sensitivity: what flips the decision" in page)
    assert sensitivity.split().count("0") == 1  # the seed, typed


def _word_boxes(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, html)]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_no_page_prints_text_over_text(name, tmp_path):
    workbook = ROOT / "workbook_templates" / name
    libreoffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook), profile=tmp_path / "profile")
    pdf = tmp_path / workbook.with_suffix(".pdf").name
    pages = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        ).group(1)
    )  # type: ignore[union-attr]

    def over(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        """Words that share more than a third of their height and any width: printed over each other
        (the boxes of two lines of one cell touch by a point or so, which is not)."""
        height = min(a[3] - a[1], b[3] - b[1])
        shared = min(a[3], b[3]) - max(a[1], b[1])
        return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and shared > height / 3

    assert pages == 8  # a board pack: Start, Inputs, Costs, Results, Sensitivity, Timeline, Questions, Labels
    texts = {}
    for page in range(1, pages + 1):  # Questions had 40 overlaps, Start, Timeline and Labels a few each
        boxes = _word_boxes(pdf, page)
        overlapping = [(a[4], b[4]) for k, a in enumerate(boxes) for b in boxes[k + 1 :] if over(a, b)]
        assert not overlapping, (page, overlapping[:5])
        texts[page] = " ".join(box[4] for box in boxes)
    # each Timeline chart with its legend on one page (the cost-parts legend used to start the next page)
    charts = next(page for page, text in texts.items() if "split into its parts" in text)
    assert "Break-even (Base): where savings cross" in texts[charts]
    assert texts[charts].count("inference") >= 2  # the table's heading and the chart's legend
    # the break-even chart's day axis is labelled in fifths of the 180-day horizon and ends there, not at 200
    if "example" in name:
        days = set(texts[charts].split())
        assert {"0", "36", "72", "108", "144", "180"} <= days and "200" not in days
    assert "Chart data" not in " ".join(texts.values())  # the chart's data table does not print
    if "example" in name:  # a chart with data has its plain title
        everything = " ".join(texts.values())
        assert "not started" not in everything and "Tornado: net savings moved" in everything


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_print_areas_end_at_the_data(name):
    """No page prints empty rows below a sheet's last filled row (Labels prints its counts, not the log)."""
    book = openpyxl.load_workbook(ROOT / "workbook_templates" / name)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible" or sheet.title == "Labels":
            continue
        last = max((cell.row for row in sheet.iter_rows() for cell in row if cell.value is not None), default=0)
        if sheet.title == "Timeline":  # the charts print, down to the chart data, which does not
            last = TIMELINE_TABLE_ROW - 1
        if sheet.title == "Sensitivity":  # one page; the tables its charts read, below it, do not print
            last = next(c.row for row in sheet.iter_rows() for c in row if c.value == DATA_TITLE) - 2
        assert sheet.print_area.endswith(f"${last}"), (sheet.title, sheet.print_area, last)
