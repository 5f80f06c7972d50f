"""The decision among all three options, investment included, and the limits that agree with it."""

from __future__ import annotations

import pytest

import ftxl
from ftxl.use_case import Option, evaluate, insurance_example


def _human_fast_and_accurate(horizon: float = 180) -> ftxl.use_case.UseCase:
    """The issue's case: the insurance example with 10 s handling and human accuracies 99% / 97%."""
    case = insurance_example(horizon)
    handling = float(ftxl.human_cost_per_event(10, case.hourly_wage))
    return ftxl.use_case.UseCase(
        **{**case.__dict__, "handling_seconds": 10, "human": Option("human", 0.99, 0.97, handling)}
    )


def test_people_win_when_fine_tuning_does_not_pay_for_itself_against_them():
    evaluation = evaluate(_human_fast_and_accurate())
    assert evaluation.option("human").cost_per_event == pytest.approx(0.175556, abs=1e-6)
    totals = evaluation.decision.total_costs
    assert totals["prompted"] > totals["finetuned"]  # fine-tuning beats prompting ...
    assert totals["human"] - totals["finetuned"] == pytest.approx(-21_500, abs=1e-6)  # ... but not people
    assert evaluation.against == "human"  # so its figures are measured against people
    assert evaluation.net_savings == pytest.approx(-21_500, abs=1e-6)
    assert evaluation.decision.verdict == "Keep the human process"
    assert not evaluation.decision.automate


def test_the_worked_example_fine_tunes_with_each_total():
    decision = evaluate(insurance_example(180)).decision
    assert decision.verdict == "Fine-tune"
    assert decision.total_costs == pytest.approx({"human": 780_000, "prompted": 288_000, "finetuned": 179_500})


@pytest.mark.parametrize(
    "n, costs, verdict",
    [
        (1000, (0.5, 0.5, 0.5, 0), "Keep the human process"),  # a tie: no change
        (1000, (0.6, 0.5, 0.5, 0), "Prompt the API model"),  # a tie between the models: no investment
        (1000, (0.6, 0.5, 0.4, 100), "Prompt the API model"),
        (1000, (0.6, 0.5, 0.4, 99), "Fine-tune"),
    ],
)
def test_ties_go_to_no_change_then_to_no_investment(n, costs, verdict):
    human, prompted, finetuned, investment = costs
    assert ftxl.decide(n, prompted, finetuned, investment, cost_human=human).verdict == verdict


def test_without_a_human_option_only_the_models_are_compared():
    decision = ftxl.decide(900_000, 0.32, 0.155, 40_000)
    assert decision.verdict == "Fine-tune" and set(decision.total_costs) == {"prompted", "finetuned"}


def test_decide_names_the_argument_it_rejects():
    with pytest.raises(ftxl.InputError, match="cost_human"):
        ftxl.decide(900_000, 0.32, 0.155, 40_000, cost_human=-1)


def test_the_premium_limit_counts_review_like_the_verdict():
    case = insurance_example(180)
    reviewed = ftxl.use_case.UseCase(
        **{**case.__dict__, "finetuned": Option("fine-tuned model", 0.99, 0.96, 0.015, 0.2, 1.0)}
    )
    evaluation = evaluate(reviewed)
    assert evaluation.net_savings == pytest.approx(-71_500)
    assert evaluation.decision.verdict == "Prompt the API model"
    assert evaluation.max_cost_premium == pytest.approx(0.12 - 0.2 - 40_000 / 900_000)  # -0.1244
    assert evaluation.max_cost_premium == pytest.approx(-0.124444, abs=1e-6)


@pytest.mark.parametrize("horizon, ceiling", [(90, 54_000), (180, 108_000)])
def test_the_two_other_limits(horizon, ceiling):
    evaluation = evaluate(insurance_example(horizon))
    assert evaluation.max_investment_same_unit_cost == pytest.approx(ceiling)
    if horizon == 180:
        assert evaluation.max_finetuned_unit_cost == pytest.approx(0.135556, abs=1e-6)
    # at the largest fine-tuned inference cost, fine-tuning and prompting cost the same in all
    at_limit = ftxl.use_case.UseCase(
        **{**evaluation.use_case.__dict__, "finetuned": Option("ft", 0.99, 0.96, evaluation.max_finetuned_unit_cost)}
    )
    assert evaluate(at_limit).net_savings == pytest.approx(0, abs=1e-6)
