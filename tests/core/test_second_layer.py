"""The second layer (issue 26): specialists, or an agent for the routine events routed right; the worked figures."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ftxl import cell_functions as sheet
from ftxl.cli import cli
from ftxl.errors import InputError
from ftxl.second_layer import (
    SecondLayer,
    combinations,
    cost_per_event,
    insurance_layer,
    routing_point_value,
)
from ftxl.use_case import evaluate, insurance_example

LAYER = insurance_layer()
ACCURACY = {"human": 0.80, "prompted": 0.93, "finetuned": 0.96}


def test_the_worked_per_event_figures():
    assert LAYER.specialist_cost == pytest.approx(2.333333, abs=5e-7)
    assert LAYER.agent_all_in == pytest.approx(0.65)
    assert cost_per_event(LAYER, 0.93) == pytest.approx(1.707133, abs=5e-7)
    assert cost_per_event(LAYER, 0.96) == pytest.approx(1.686933, abs=5e-7)
    assert cost_per_event(LAYER, 0.80) == pytest.approx(1.794667, abs=5e-7)
    assert cost_per_event(LAYER, 0.96, with_agent=False) == pytest.approx(2.333333, abs=5e-7)
    assert routing_point_value(LAYER) == pytest.approx(0.006733, abs=5e-7)  # 0.4 x 0.01 x 1.683333


def test_the_worked_totals_and_the_decision():
    evaluation = evaluate(insurance_example(180))
    found = combinations(900_000, 180, evaluation.decision.total_costs, ACCURACY, LAYER)
    totals = {(c.router, c.handling): c.total_cost for c in found}
    assert found[0].verdict == "Fine-tune + agent"
    assert totals[("finetuned", "agent")] == pytest.approx(1_757_740)
    assert totals[("prompted", "agent")] == pytest.approx(1_884_420)
    assert totals[("finetuned", "specialists")] == pytest.approx(2_279_500)
    value = totals[("prompted", "agent")] - totals[("finetuned", "agent")]
    assert value == pytest.approx(126_680)  # 108,500 in layer 1 + 900,000 x (1.707133 - 1.686933)
    assert value - 108_500 == pytest.approx(900_000 * (cost_per_event(LAYER, 0.93) - cost_per_event(LAYER, 0.96)))


@given(st.floats(0, 1), st.floats(0, 1))
def test_the_agent_takes_the_routine_events_routed_fully_correct(share, accuracy):
    """The convention: a share routine x full-route accuracy goes to the agent, every other event to a
    specialist; so one point of accuracy is worth routing_point_value, whatever the accuracy."""
    layer = SecondLayer(4, 35, share, 0.05, 0.05, 10, 0.1, 1)
    automated = share * accuracy
    expected = automated * layer.agent_all_in + (1 - automated) * layer.specialist_cost
    assert cost_per_event(layer, accuracy) == pytest.approx(expected)
    if accuracy <= 0.99:
        step = cost_per_event(layer, accuracy) - cost_per_event(layer, accuracy + 0.01)
        assert step == pytest.approx(routing_point_value(layer), abs=1e-12)


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"agent_cost": 3.0}, "more than a specialist"),
        ({"routine_share": 1.4}, "routine_share"),
        ({"agent_error_cost": float("nan")}, "agent_error_cost"),
    ],
)
def test_guard_rails(changes, says):
    values = dict(
        specialist_minutes=4.0,
        specialist_hourly_cost=35.0,
        routine_share=0.4,
        agent_cost=0.05,
        agent_error_rate=0.05,
        agent_error_cost=10.0,
    )
    with pytest.raises(InputError, match=says):
        SecondLayer(**(values | changes))


def test_the_excel_functions_give_the_worked_figures():
    args = (4, 35, 0.4, 0.05, 0.05, 10, 0.1, 1)
    assert sheet.answer(sheet.layer2_cost_per_event, 0.93, *args) == pytest.approx(1.707133, abs=5e-7)
    spilled = sheet.answer(sheet.layer2_cost_per_event, [[0.8], [0.93], [0.96]], *args)
    assert [row[0] for row in spilled] == pytest.approx([1.794667, 1.707133, 1.686933], abs=5e-7)
    assert sheet.answer(sheet.routing_point_value, *args) == pytest.approx(0.006733, abs=5e-7)
    dear = sheet.answer(sheet.layer2_cost_per_event, 0.93, 4, 35, 0.4, 3.0, 0.05, 10)
    assert isinstance(dear, sheet.Refusal) and "more than a specialist" in dear.reason


def test_ftxl_example_with_two_layers():
    result = CliRunner().invoke(cli, ["example", "--layers", "2", "--horizon", "180", "--json"])
    assert result.exit_code == 0, result.output
    (found,) = json.loads(result.output)
    layer = found["second_layer"]
    assert layer["decision"] == "Fine-tune + agent"
    assert layer["finetuning_against_prompting_with_agent"] == pytest.approx(126_680)
    assert layer["finetuning_against_prompting_layer_1"] == pytest.approx(108_500)
    assert found["net_savings"] == pytest.approx(108_500)  # layer 1 as before
    text = CliRunner().invoke(cli, ["example", "--layers", "2", "--horizon", "180"], terminal_width=140).output
    assert "Fine-tune + agent" in text and "€1,757,740.00" in text and "€126,680.00" in text
