"""The second layer in the template (issue 26) through `ftxl recalc`: off by default, and once its inputs are
filled, Results, Start, the summary names, the brief and `ftxl analyse` name the combination and count it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import edit_inputs, input_cell, named_values

from ftxl import analysis
from ftxl.brief import _lines, read_brief
from ftxl.cli import cli

LAYER2 = {
    "specialist_minutes": (4, 4, 4),
    "specialist_hourly_cost": (35, 35, 35),
    "routine_share": (0.3, 0.4, 0.5),
    "agent_cost": (0.05, 0.05, 0.05),
    "agent_error_rate": (0.05, 0.05, 0.05),
    "agent_error_cost": (10, 10, 10),
    "agent_review_share": (0.1, 0.1, 0.1),
    "agent_review_cost": (1, 1, 1),
    "agent_investment": (60_000, 60_000, 60_000),
}


@pytest.fixture(scope="module")
def layered(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("layer2")
    source = folder / "layer2.xlsx"
    changes = {input_cell(name, k): float(values[k]) for name, values in LAYER2.items() for k in range(3)}
    edit_inputs(EXAMPLE_WORKBOOK, source, changes)
    result = CliRunner().invoke(cli, ["recalc", str(source), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out" / source.name


def _base(path: Path, key: str) -> object:
    book = openpyxl.load_workbook(path, data_only=True)
    ((sheet, ref),) = book.defined_names[f"result_{key}"].destinations
    return book[sheet][ref.replace("$", "").split(":")[0].replace("B", "C")].value


def test_off_by_default_the_worked_example_is_unchanged():
    names = named_values(EXAMPLE_WORKBOOK)
    assert names["decision_base"] == "Fine-tune" and names["net_savings_base"] == pytest.approx(108_500)
    assert _base(EXAMPLE_WORKBOOK, "layer2_handling") == "Off: no second-layer inputs"
    assert _base(EXAMPLE_WORKBOOK, "routing_point_value") == 0


def test_filled_in_the_workbook_names_the_combination_and_counts_both_layers(layered):
    names = named_values(layered)
    assert names["decision_base"] == "Fine-tune + agent"
    assert names["net_savings_base"] == pytest.approx(126_680, abs=0.01)
    assert _base(layered, "finetuned_total_cost") == pytest.approx(1_757_740, abs=0.01)
    assert _base(layered, "prompted_total_cost") == pytest.approx(1_884_420, abs=0.01)
    assert _base(layered, "layer2_handling") == "Agent for the routine events routed right"
    assert _base(layered, "routing_point_value") == pytest.approx(0.4 * 0.01 * (4 / 60 * 35 - 0.65))
    assert _base(layered, "finetune") == "Yes: cheapest overall"
    start = openpyxl.load_workbook(layered, data_only=True)["Start"]
    assert any("Fine-tune + agent" == cell.value for row in start.iter_rows() for cell in row)


def test_the_brief_and_the_analysis_include_the_second_layer(layered):
    lines = [text for _, text in _lines(read_brief(layered))]
    assert any(text.startswith("Base: Fine-tune + agent; fine-tuning against the prompted model") for text in lines)
    assert any(
        "Second layer (Base): Agent for the routine events routed right" in t and "€0.006733" in t for t in lines
    )
    result = CliRunner().invoke(cli, ["analyse", str(layered), "--json", "--draws", "200"])
    assert result.exit_code == 0, result.output
    bars = {bar["input"]: bar for bar in json.loads(result.output)["tornado"]}
    ranges = analysis.example_ranges() | {name: tuple(map(float, v)) for name, v in LAYER2.items()}
    expected = {bar.name: bar for bar in analysis.tornado(ranges)}["routine_share"]
    assert bars["routine_share"]["swing"] == pytest.approx(expected.swing) and expected.swing > 0
