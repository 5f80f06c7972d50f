"""Every figure of the worked example, from the Python API, to 1e-9 of the exact value."""

from __future__ import annotations

import pytest
from helpers.golden import GOLDEN, close, exact, golden_cases

import ftxl
from ftxl.use_case import evaluate, insurance_example


@golden_cases
def test_python_api(case):
    result = getattr(ftxl, case["function"])(*case["args"])
    assert close(list(result) if case["function"] == "error_shares" else result, exact(case["expected"]))


@pytest.mark.parametrize("horizon", sorted(GOLDEN["use_case"]["per_horizon"]))
def test_use_case_per_horizon(horizon):
    evaluation = evaluate(insurance_example(float(horizon)))
    for field, expected in GOLDEN["use_case"]["per_horizon"][horizon].items():
        assert close(getattr(evaluation, field), exact(expected)), field


@pytest.mark.parametrize("option", sorted(GOLDEN["use_case"]["per_option"]))
def test_use_case_per_option(option):
    result = evaluate(insurance_example()).option(option)
    expected = GOLDEN["use_case"]["per_option"][option]
    assert close(result.cost_per_event, exact(expected["cost_per_event"]))
    assert close(result.cost_per_day, exact(expected["cost_per_day"]))


def test_example_pays_back_and_the_premium_is_inside_the_limit():
    evaluation = evaluate(insurance_example(90))
    assert evaluation.actual_cost_premium < evaluation.max_cost_premium
    assert evaluation.breakeven_days < 90
