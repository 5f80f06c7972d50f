"""The Sensitivity sheet and the costs over time in the template agree with the Python API (issue 12)."""

from __future__ import annotations

import openpyxl
import pytest
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import edit_inputs, input_cell, named_values

from ftxl import analysis
from ftxl.recalc import ModelCache, recalculate
from ftxl.template.sensitivity import ANALYSED
from ftxl.use_case import insurance_example

RANGES = analysis.example_ranges()


def _table(path, title: str, columns: int) -> list[list[object]]:
    """The rows under the heading `title` (after its column headers), up to the first empty row."""
    sheet = openpyxl.load_workbook(path, data_only=True)["Sensitivity"]
    rows = [[cell.value for cell in row[:columns]] for row in sheet.iter_rows()]
    start = next(k for k, row in enumerate(rows) if row[0] == title) + 2
    end = next(k for k in range(start, len(rows)) if rows[k][0] in (None, ""))
    return rows[start:end]


def test_the_tornado_and_switch_values_on_the_sheet_are_the_python_ones():
    tornado = _table(EXAMPLE_WORKBOOK, "What moves it: each input alone at Low and at High (largest swing first)", 4)
    assert len(tornado) == len(ANALYSED)
    bars = {bar.name: bar for bar in analysis.tornado(RANGES)}
    for name, low, high, _ in tornado:
        expected = bars.get(name)
        if expected is not None:
            assert (low, high) == pytest.approx((expected.low, expected.high)), name
    top = {row[0]: row[1:3] for row in tornado}
    assert top["prompted_top_level_accuracy"] == pytest.approx([162_500, 54_500])
    assert top["events_per_day"] == pytest.approx([78_800, 138_200])
    assert top["investment"] == pytest.approx([118_500, 88_500])
    assert top["human_review_cost"] == pytest.approx([108_500, 108_500])  # every human input swings 0
    switches = {row[0]: row[1:] for row in _table(EXAMPLE_WORKBOOK, next(_titles("Switch values")), 3)}
    assert switches["investment"][1] == pytest.approx(148_500, rel=1e-9)
    assert switches["events_per_day"][0] == pytest.approx(1346.80, rel=1e-5)
    assert switches["horizon_days"][0] == pytest.approx(48.4848, rel=1e-5)
    assert switches["finetuned_unit_cost"][1] == pytest.approx(0.135556, rel=1e-5)
    assert switches["handling_seconds"] == ["none", "none"]


def _titles(start: str):
    sheet = openpyxl.load_workbook(EXAMPLE_WORKBOOK, data_only=True)["Sensitivity"]
    return (row[0].value for row in sheet.iter_rows() if str(row[0].value or "").startswith(start))


def test_the_summary_names_carry_the_analysis():
    values = named_values(EXAMPLE_WORKBOOK)
    assert values["net_savings_base"] == pytest.approx(108_500)
    assert values["payback_days_base"] == pytest.approx(40_000 / 825)
    assert values["net_savings_worst"] < 0 < values["net_savings_best"]
    assert values["decision_worst"] == "Prompt the API model" and values["decision_best"] == "Fine-tune"
    assert 0 <= values["p_finetune_cheapest"] <= 1 and values["value_of_information"] >= 0


def test_costs_over_time_change_the_totals_and_the_decision(tmp_path):
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    monthly = {input_cell("finetuned_monthly", k): 30_000.0 for k in range(3)}  # MLOps eats the saving
    edit_inputs(EXAMPLE_WORKBOOK, edited, monthly)
    assert recalculate(edited, out, ModelCache()).ok
    values = named_values(out)
    inputs = analysis.base_inputs(insurance_example(180))
    expected = analysis.outcome({**inputs, "finetuned_monthly": 30_000.0})
    assert values["net_savings_base"] == pytest.approx(expected.net_savings) and values["net_savings_base"] < 0
    assert values["decision_base"] == "Prompt the API model"


def test_the_analysis_refuses_inputs_it_does_not_model(tmp_path):
    edited, out = tmp_path / "edited.xlsx", tmp_path / "out.xlsx"
    edit_inputs(EXAMPLE_WORKBOOK, edited, {input_cell("cost_wrong_subclass_typed", k): 2.0 for k in range(3)})
    assert recalculate(edited, out, ModelCache()).ok
    cases = _table(out, "Worst, Base and best case for fine-tuning", 3)
    assert cases[0][0].startswith("The analysis works from accuracies") and cases[0][1:] == [None, None]  # empty cells


def test_the_measurement_plan_on_the_sheet_and_in_the_brief(tmp_path):
    """A case whose decision is uncertain (monthly costs of fine-tuning 15,000-30,000): the sheet's plan ranks
    the inputs as the Python API does, with the costs typed on Questions, and the brief says what to measure."""
    from ftxl.brief import _lines, read_brief
    from ftxl.template.content import EXAMPLE_ANSWERS, EXAMPLE_MEASURE_COSTS, plain_label, question_of
    from ftxl.value_of_information import measurement_plan

    edited, out = tmp_path / "uncertain.xlsx", tmp_path / "out.xlsx"
    monthly = {input_cell("finetuned_monthly", k): v for k, v in enumerate((15_000.0, 20_000.0, 30_000.0))}
    edit_inputs(EXAMPLE_WORKBOOK, edited, monthly)
    assert recalculate(edited, out, ModelCache()).ok
    ranges = dict(RANGES) | {"finetuned_monthly": (15_000.0, 20_000.0, 30_000.0)}
    run = analysis.simulate(ranges)
    plan = _table(out, next(_titles("What to measure next")), 5)
    first = max(run.evppi, key=lambda name: run.evppi[name])
    assert plan[0][0] == plain_label(first) and plan[0][1] == pytest.approx(run.evppi[first])
    questions = {name: question_of(name) for name in run.evppi}
    costs = {n: EXAMPLE_MEASURE_COSTS.get(k) for n, k in questions.items() if k is not None}
    statuses = {n: EXAMPLE_ANSWERS[k][2] for n, k in questions.items() if k is not None}
    expected = measurement_plan(run.evppi, costs, statuses, run.evppi_noise)
    verdicts = {plain_label(m.name): m.verdict for m in expected}
    for label, _, _, _, verdict in (row for row in plan if row[4]):  # the last row is the plan's headline
        assert verdict == verdicts[label], label
    text = " ".join(line for _, line in _lines(read_brief(out, "uncertain.xlsx")))
    assert "What to measure next" in text and "first: worth up to €" in text


def test_the_labels_sheet_says_how_many_events_each_share_needs():
    from ftxl.value_of_information import labels_needed

    sheet = openpyxl.load_workbook(EXAMPLE_WORKBOOK, data_only=True)["Labels"]
    rows = [[cell.value for cell in row[5:9]] for row in sheet.iter_rows(min_row=1, max_row=30)]
    counted = next(row for row in rows if str(row[0]).startswith("Events for ± 1 point (counted: 10000)"))
    assert counted[1:] == [labels_needed(0.8, 0.01), labels_needed(0.15, 0.01), labels_needed(0.05, 0.01)]
