"""One set of books (issue 20): every figure beside the decision answers the decision's question.

Fine-tuning is measured against the best other option over the horizon (people or the prompted model),
with every cost over time included. Cases A, M and R are the issue's; the properties hold over random
valid inputs, time inputs included.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ftxl import analysis, model
from ftxl import cell_functions as sheet
from ftxl.finetune_economics import (
    breakeven_text,
    finetune_economics,
    limits_sentences,
    net_savings_with,
    savings_curve,
)
from ftxl.use_case import evaluate, insurance_example

BASE = analysis.base_inputs(insurance_example(180))
CASE_A = {**BASE, "handling_seconds": 10.0, "human_top_level_accuracy": 0.99, "human_full_route_accuracy": 0.97}
CASE_M = {**BASE, "finetuned_monthly": 25_000.0}
CASE_R = {**BASE, "finetuned_monthly": 2_500.0, "investment": 25_000.0}


def test_the_worked_example_keeps_the_seeds_figures():
    e = finetune_economics(BASE)
    assert (e.decision, e.against) == ("finetuned", "prompted")
    assert e.net_savings == pytest.approx(108_500, rel=1e-12)
    assert e.breakeven_day == pytest.approx(1600 / 33, rel=1e-12)
    assert e.max_investment == pytest.approx(148_500, rel=1e-12)
    assert e.max_premium == pytest.approx(17 / 225, rel=1e-12)
    assert e.max_unit_cost == pytest.approx(0.06 + 17 / 225, rel=1e-12)  # 0.135556
    assert e.max_investment_same_unit_cost == pytest.approx(108_000, rel=1e-12)


@pytest.mark.parametrize("horizon", [90.0, 180.0, 365.0])
def test_the_closed_forms_equal_the_all_in_figures_without_time_inputs(horizon):
    """With the time inputs at 0 and prompting the best other option, the seed's closed forms (which stay as
    Excel functions) give the same figures as the all-in ones."""
    inputs = {**BASE, "horizon_days": horizon}
    e = finetune_economics(inputs)
    n, cp, cft, i = 5000 * horizon, 0.32, 0.155, 40_000.0
    assert e.net_savings == pytest.approx(model.net_savings(n, cp, cft, i), rel=1e-12)
    assert e.breakeven_day == pytest.approx(model.breakeven_days(i, 5000, cp, cft), rel=1e-12)
    assert e.max_investment == pytest.approx(model.max_ft_investment(n, cp, cft), rel=1e-12)
    assert e.max_premium == pytest.approx(model.max_cost_premium(0.26, 0.14, i, n), rel=1e-12)
    assert e.max_investment_same_unit_cost == pytest.approx(model.max_ft_investment(n, 0.26, 0.14), rel=1e-12)
    evaluation = evaluate(insurance_example(horizon))
    assert evaluation.against == "prompted"
    assert evaluation.net_savings == pytest.approx(e.net_savings, rel=1e-12)
    assert evaluation.max_cost_premium == pytest.approx(e.max_premium, rel=1e-12)
    assert evaluation.max_finetuned_unit_cost == pytest.approx(e.max_unit_cost, rel=1e-12)


def test_case_a_people_are_the_best_other_option():
    e = finetune_economics(CASE_A)
    assert (e.decision, e.against, e.prompted_beats_people) == ("human", "human", False)
    assert e.net_savings == pytest.approx(-21_500, rel=1e-9)
    assert e.breakeven_day == pytest.approx(389.19, abs=0.005)
    assert e.max_investment == pytest.approx(18_500, rel=1e-9)
    assert e.max_unit_cost == pytest.approx(-0.008889, abs=5e-7)
    assert breakeven_text(e.breakeven_day, 180) == "not within the 180-day horizon (day 389)"
    said = " ".join(limits_sentences(e))
    assert "no inference price makes fine-tuning pay against the human process" in said.lower()
    assert "People cost less than the prompted model" in said


def test_case_m_monthly_costs_count():
    e = finetune_economics(CASE_M)
    assert (e.decision, e.against) == ("prompted", "prompted")
    assert e.net_savings == pytest.approx(-39_445.21, abs=0.005)
    assert e.max_investment == pytest.approx(554.79, abs=0.005)
    assert e.max_unit_cost == pytest.approx(-0.028828, abs=5e-7)
    assert e.max_premium == pytest.approx(-0.088828, abs=5e-7)
    assert e.breakeven_day > 180
    assert breakeven_text(e.breakeven_day, 180).startswith("not within the 180-day horizon")


def test_case_r_small_monthly_costs():
    e = finetune_economics(CASE_R)
    assert e.decision == "finetuned"
    assert e.net_savings == pytest.approx(108_705.48, abs=0.005)
    assert e.breakeven_day == pytest.approx(33.6561, abs=5e-5)
    assert e.max_investment == pytest.approx(133_705.48, abs=0.005)
    assert breakeven_text(e.breakeven_day, 180) == "day 33.66"


def test_use_case_evaluate_measures_against_people_when_they_are_cheapest():
    case = insurance_example(180)
    from dataclasses import replace

    human = replace(case.human, top_level_accuracy=0.99, full_route_accuracy=0.97)
    evaluation = evaluate(replace(case, handling_seconds=10.0, human=replace(human, unit_cost=10 / 3600 * 20)))
    assert evaluation.against == "human"
    assert evaluation.net_savings == pytest.approx(-21_500, rel=1e-9)
    assert evaluation.max_ft_investment == pytest.approx(18_500, rel=1e-9)
    assert evaluation.max_finetuned_unit_cost == pytest.approx(-0.008889, abs=5e-7)


def test_words_for_impossible_numbers():
    assert breakeven_text(math.inf, 180) == "never"
    assert breakeven_text(1333.3, 180) == "not within the 180-day horizon (day 1,333)"
    assert breakeven_text(48.4848, 180) == "day 48.48"
    cheaper = finetune_economics({**BASE, "finetuned_monthly": 12_000.0})  # must be cheaper to run
    assert 0 <= cheaper.max_unit_cost and cheaper.max_premium < 0
    assert "it also needs to be cheaper to run: at most" in " ".join(limits_sentences(cheaper))


def test_the_excel_function_answers_the_same_figures():
    names = [[name] for name in CASE_M]
    values = [[value] for value in CASE_M.values()]
    e = finetune_economics(CASE_M)
    assert sheet.answer(sheet.finetune_value, names, values, "net_savings") == pytest.approx(e.net_savings)
    assert sheet.answer(sheet.finetune_value, names, values, "max_unit_cost") == pytest.approx(e.max_unit_cost)
    assert sheet.answer(sheet.finetune_value, names, values, "against") == "the prompted model"
    assert sheet.answer(sheet.finetune_value, names, values, "max_unit_cost_text") == "no inference price pays"
    refused = sheet.answer(sheet.finetune_value, names, values, "profit")
    assert isinstance(refused, sheet.Refusal) and "figure = 'profit'" in refused.reason
    curve = sheet.answer(sheet.finetune_value, names, values, "curve", 10)
    assert len(curve) == 11 and curve[-1][0] == 180
    assert curve[-1][1] - curve[-1][2] == pytest.approx(e.net_savings)


def test_the_curve_crosses_the_one_off_costs_at_the_break_even():
    e = finetune_economics(CASE_R)
    curve = savings_curve({**CASE_R, "horizon_days": e.breakeven_day}, 4)
    assert curve[-1][1] == pytest.approx(curve[-1][2], rel=1e-9)


# --- properties over random valid inputs ---------------------------------------------------------------

share = st.floats(0.5, 1.0)


@st.composite
def cases(draw: st.DrawFn, time_effects: bool = True) -> dict[str, float]:
    values = dict(BASE)
    values["events_per_day"] = draw(st.floats(10, 50_000))
    values["horizon_days"] = draw(st.floats(1, 1500))
    values["handling_seconds"] = draw(st.floats(1, 300))
    values["hourly_cost"] = draw(st.floats(5, 80))
    values["delay_cost_per_day"] = draw(st.floats(0, 20))
    for key in model.OPTION_KEYS:
        top = draw(share)
        values[f"{key}_top_level_accuracy"] = top
        values[f"{key}_full_route_accuracy"] = draw(st.floats(0.3, 1.0)) * top
        values[f"{key}_review_share"] = draw(st.floats(0, 0.5))
        values[f"{key}_review_cost"] = draw(st.floats(0, 2))
    values["prompted_unit_cost"] = draw(st.floats(0, 0.5))
    values["finetuned_unit_cost"] = draw(st.floats(0, 0.5))
    values["investment"] = draw(st.floats(0, 500_000))
    if time_effects:
        values["prompted_one_off"] = draw(st.floats(0, 50_000))
        values["prompted_monthly"] = draw(st.floats(0, 20_000))
        values["finetuned_monthly"] = draw(st.floats(0, 20_000))
        values["golive_delay_days"] = draw(st.floats(0, 120))
        values["volume_growth"] = draw(st.floats(-0.5, 1.0))
        values["api_price_change"] = draw(st.floats(-0.5, 0.5))
        values["discount_rate"] = draw(st.floats(0, 0.2))
    return values


PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(cases())
def test_fine_tune_exactly_when_net_savings_are_positive(values):
    e = finetune_economics(values)
    assert (e.decision == "finetuned") == (e.net_savings > 0)
    totals = analysis.outcome(values).total_costs
    assert totals[e.against] == min(totals["human"], totals["prompted"])


@PROPERTIES
@given(cases())
def test_the_limits_give_zero_net_savings(values):
    """At each limit fine-tuning's net savings are 0; a negative limit means that even 0 does not pay."""
    e = finetune_economics(values)
    scale = max(1.0, abs(e.investment), abs(e.net_savings), abs(analysis.outcome(values).total_costs["finetuned"]))

    def at(**changed: float) -> float:
        if min(changed.values()) >= 0:
            return net_savings_with(values, **changed)
        at_zero = net_savings_with(values, **{k: max(v, 0.0) for k, v in changed.items()})
        assert at_zero <= 1e-9 * scale  # nothing pays (0 itself only where the limit is 0 but for rounding)
        return 0.0

    assert at(investment=e.max_investment) == pytest.approx(0, abs=1e-9 * scale)
    if math.isfinite(e.max_unit_cost):
        assert at(finetuned_unit_cost=e.max_unit_cost) == pytest.approx(0, abs=1e-9 * scale)
        charged = at(finetuned_unit_cost=values["prompted_unit_cost"] + e.max_premium)
        assert charged == pytest.approx(0, abs=1e-9 * scale)
    if e.max_investment_same_unit_cost >= 0:
        same = net_savings_with(
            values, finetuned_unit_cost=values["prompted_unit_cost"], investment=e.max_investment_same_unit_cost
        )
        assert same == pytest.approx(0, abs=1e-9 * scale)


@PROPERTIES
@given(cases(), st.data())
def test_worst_case_base_best_case_are_in_order(values, data):
    ranges = {}
    for name, base in values.items():
        low = base * data.draw(st.floats(0.5, 1.0), label=f"{name} low")
        high = base * data.draw(st.floats(1.0, 1.5), label=f"{name} high")
        if name.endswith(("_accuracy", "_share")):
            high = min(high, 1.0)
        ranges[name] = (low, base, high)
    for key in model.OPTION_KEYS:  # full route at most top level in every case
        top, full = f"{key}_top_level_accuracy", f"{key}_full_route_accuracy"
        ranges[top] = (max(ranges[top][0], ranges[full][1]), *ranges[top][1:])
        ranges[full] = (ranges[full][0], ranges[full][1], min(ranges[full][2], ranges[top][0]))
    worst, best = analysis.extremes(ranges)
    net = [analysis.npv(case) for case in (worst, values, best)]
    assert net[0] <= net[1] + 1e-9 * abs(net[1]) and net[1] <= net[2] + 1e-9 * abs(net[1])


@PROPERTIES
@given(cases(time_effects=False), st.floats(0, 20_000), st.floats(0, 0.2), st.floats(0, 120))
def test_break_even_within_the_horizon_exactly_when_net_savings_are_not_negative(values, monthly, rate, delay):
    """With savings that do not fall over time (no growth, no price change), the break-even lies within the
    horizon exactly when fine-tuning's net savings are 0 or more."""
    values = {**values, "finetuned_monthly": monthly, "discount_rate": rate, "golive_delay_days": delay}
    curve = [n - i for _, n, i in savings_curve(values, 200)]
    assume(all(b >= a - 1e-9 * max(1.0, abs(a)) for a, b in zip(curve, curve[1:], strict=False)))
    e = finetune_economics(values)
    assume(abs(e.net_savings) > 1e-6 * max(1.0, e.investment))  # not on the edge
    assert (e.breakeven_day <= e.horizon_days) == (e.net_savings >= 0)
