"""The second layer inside the analysis (issue 26): every figure beside the decision counts both layers, with the
same costs over time, and an empty second layer changes nothing."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftxl import analysis
from ftxl.finetune_economics import finetune_economics, net_savings_with
from ftxl.second_layer import cost_per_event, insurance_layer
from ftxl.use_case import insurance_example

BASE = analysis.base_inputs(insurance_example(180))
LAYER = insurance_layer()
LAYER2 = {name: float(asdict(LAYER)[name]) for name in analysis.LAYER2_INPUTS}
ACCURACY = {"human": 0.80, "prompted": 0.93, "finetuned": 0.96}


def test_the_worked_second_layer_through_the_analysis():
    result = analysis.outcome(BASE | LAYER2)
    assert result.total_costs["finetuned"] == pytest.approx(1_757_740)
    assert result.total_costs["prompted"] == pytest.approx(1_884_420)
    assert result.total_costs["human"] == pytest.approx(780_000 + 900_000 * 1.794667 + 60_000, abs=1)
    assert analysis.decision_words(result) == "Fine-tune + agent"
    economics = finetune_economics(BASE | LAYER2)
    assert economics.net_savings == pytest.approx(126_680)  # 108,500 + 900,000 x (1.707133 - 1.686933)
    assert economics.decision_text == "Fine-tune + agent" and economics.handling == "agent"
    assert economics.routing_point_value == pytest.approx(0.4 * 0.01 * (4 / 60 * 35 - 0.65))
    # both routers use the agent, so its investment cancels: the break-even is the plain ratio
    assert analysis.breakeven_day(BASE | LAYER2) == pytest.approx(40_000 / (126_680 + 40_000) * 180)


def test_an_empty_second_layer_changes_nothing():
    zero = dict.fromkeys(analysis.LAYER2_INPUTS, 0.0)
    with_zero, without = analysis.outcome(BASE | zero), analysis.outcome(BASE)
    assert with_zero.total_costs == without.total_costs and not with_zero.agent
    assert finetune_economics(BASE | zero).decision_text == "Fine-tune"
    assert finetune_economics(BASE | zero).net_savings == pytest.approx(108_500)


def test_specialists_only_when_the_agent_does_not_pay():
    dear = LAYER2 | {"agent_investment": 5_000_000.0}
    economics = finetune_economics(BASE | dear)
    assert economics.handling == "specialists" and economics.decision_text == "Fine-tune, specialists only"
    assert analysis.outcome(BASE | dear).total_costs["finetuned"] == pytest.approx(179_500 + 900_000 * 4 / 60 * 35)


def test_costs_over_time_apply_to_both_layers():
    # volume growing 10% a year and a 5% discount rate: layer 2 follows the same discounted volume, day by day
    timed = BASE | LAYER2 | {"volume_growth": 0.10, "discount_rate": 0.05}
    days = np.arange(1, 181)
    volume = 5000 * (1.10 ** (days / 365) / 1.05 ** (days / 365)).sum()
    layer1 = analysis.outcome(BASE | {"volume_growth": 0.10, "discount_rate": 0.05}).total_costs["finetuned"]
    with_agent = cost_per_event(LAYER, ACCURACY["finetuned"])
    assert analysis.outcome(timed).total_costs["finetuned"] == pytest.approx(layer1 + volume * with_agent + 60_000)
    # a go-live delay: the prompted router (cheaper than people) routes meanwhile, and layer 2 follows its accuracy
    delayed = BASE | LAYER2 | {"golive_delay_days": 30.0}
    expected = 40_000 + 60_000 + 30 * 5000 * (0.32 + cost_per_event(LAYER, 0.93))
    expected += 150 * 5000 * (0.155 + cost_per_event(LAYER, 0.96))
    assert analysis.outcome(delayed).total_costs["finetuned"] == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    routine=st.floats(0, 1),
    minutes=st.floats(0, 30),
    agent_cost=st.floats(0, 3),
    investment=st.floats(0, 500_000),
)
def test_investing_the_largest_investment_gives_zero_with_a_second_layer(routine, minutes, agent_cost, investment):
    inputs = BASE | LAYER2 | {"routine_share": routine, "specialist_minutes": minutes, "agent_cost": agent_cost}
    inputs |= {"agent_investment": investment}
    economics = finetune_economics(inputs)
    assert net_savings_with(inputs, investment=economics.max_investment) == pytest.approx(0, abs=1e-6 * 2e6)
    # the decision is the cheapest router with its cheaper handling
    result = analysis.outcome(inputs)
    totals = result.total_costs
    assert float(totals[economics.decision]) == pytest.approx(min(float(t) for t in totals.values()))


def test_ftxl_case_names_the_combination():
    import json

    from click.testing import CliRunner

    from ftxl.cli import cli

    settings = [item for name, value in LAYER2.items() for item in ("--set", f"{name}={value}")]
    result = CliRunner().invoke(cli, ["case", "--from-example", *settings, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["decision"] == "Fine-tune + agent"
    assert found["handling"] == {"human": "agent", "prompted": "agent", "finetuned": "agent"}
    assert found["after_routing"]["finetuned"] == pytest.approx(cost_per_event(LAYER, 0.96))
    assert found["total_costs"]["finetuned"] == pytest.approx(1_757_740)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(analysis.LAYER2_INPUTS), value=st.floats(0, 1))
def test_one_input_of_an_empty_second_layer_moves_no_decision(name, value):
    # why switch values skip an empty layer's inputs: alone, none of them changes which option is cheapest
    scaled = value * (100_000 if name in ("agent_investment", "agent_monthly") else 50)
    moved = {name: value if name in ("routine_share", "agent_error_rate", "agent_review_share") else scaled}
    assert int(analysis.outcome(BASE | moved).choice) == int(analysis.outcome(BASE).choice)
    net = float(analysis.outcome(BASE | moved).net_savings)
    assert net == pytest.approx(float(analysis.outcome(BASE).net_savings))
