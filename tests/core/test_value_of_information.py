"""What to measure next (issue 25): EVPPI per input, sample sizes from Wilson intervals, the measurement plan."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftxl import analysis
from ftxl import cell_functions as sheet
from ftxl.errors import InputError
from ftxl.labels import wilson
from ftxl.use_case import insurance_example
from ftxl.value_of_information import headline, labels_needed, measurement_plan

FIXED = {name: (value, value, value) for name, value in analysis.base_inputs(insurance_example(90)).items()}
"""The worked example over 90 days, every input known."""


def test_the_closed_form_case():
    """Investment uniform on 50,000-100,000 over 90 days: E[net] = -750, EVPI = E[max(net, 0)] = 5,880.63, and
    with one uncertain input its EVPPI is the EVPI."""
    ranges = FIXED | {"investment": (50_000.0, 75_000.0, 100_000.0)}
    run = analysis.simulate(ranges, distribution="uniform")
    assert run.mean == pytest.approx(-750, abs=300)
    assert run.evpi == pytest.approx(5_880.63, rel=0.01)
    assert run.evppi["investment"] == pytest.approx(5_880.63, rel=0.01)
    assert run.evppi["investment"] == pytest.approx(run.evpi, rel=0.002)  # the only uncertain input
    assert all(value == 0 for name, value in run.evppi.items() if name != "investment")
    big = analysis.simulate(ranges, draws=200_000, distribution="uniform")
    assert big.evppi["investment"] == pytest.approx(5_880.63, rel=0.002)


ranged = st.sampled_from(
    ["investment", "events_per_day", "prompted_unit_cost", "finetuned_unit_cost", "delay_cost_per_day", "hourly_cost"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ranged, min_size=1, max_size=4, unique=True), st.floats(0.2, 0.9), st.integers(0, 1000))
def test_evppi_lies_between_zero_and_the_evpi(names, spread, seed):
    ranges = dict(FIXED)
    for name in names:
        base = ranges[name][1]
        ranges[name] = (base * (1 - spread), base, base * (1 + spread))
    run = analysis.simulate(ranges, draws=2_000, seed=seed)
    for name, value in run.evppi.items():
        assert 0 <= value <= run.evpi + 1e-9 * max(1.0, run.evpi), name
    if len(names) == 1 and 0.1 <= run.p_finetune_cheapest <= 0.9:
        # where the decision changes in a tenth of the draws or more (a few draws in one bin are below the
        # binning's resolution), the only uncertain input's EVPPI is the EVPI
        assert run.evppi[names[0]] == pytest.approx(run.evpi, rel=0.05, abs=1.0)


def test_an_input_that_cannot_change_the_decision_is_worth_nothing():
    """People cost far more than either model: what a person's review costs changes nothing; the investment
    does (its range straddles the break-even)."""
    ranges = FIXED | {
        "investment": (50_000.0, 75_000.0, 100_000.0),
        "human_review_cost": (0.0, 1.0, 2.0),
        "human_review_share": (0.0, 0.1, 0.2),
    }
    run = analysis.simulate(ranges)
    assert run.evppi["human_review_cost"] <= run.evppi_noise + 1e-6
    assert run.evppi["human_review_share"] <= run.evppi_noise + 1e-6
    assert run.evppi["investment"] > 1_000


def test_the_excel_function_gives_the_same_plan():
    ranges = FIXED | {"investment": (50_000.0, 75_000.0, 100_000.0), "prompted_unit_cost": (0.05, 0.06, 0.08)}
    names = [[name] for name in ranges]
    low, base, high = ([[r[k]] for r in ranges.values()] for k in range(3))
    rows = sheet.answer(sheet.sensitivity, names, low, base, high, "evppi")
    run = analysis.simulate(ranges)
    assert rows[-1][0] == "(noise floor)" and rows[-1][1] == pytest.approx(run.evppi_noise)
    assert rows[0][0] == max(run.evppi, key=lambda n: run.evppi[n])
    assert {row[0]: row[1] for row in rows[:-1]} == pytest.approx(run.evppi)


@pytest.mark.parametrize("share, half_width", [(0.93, 0.01), (0.8, 0.01), (0.5, 0.02), (0.05, 0.005), (0.999, 0.001)])
def test_labels_needed_is_the_first_count_whose_wilson_interval_is_narrow_enough(share, half_width):
    n = labels_needed(share, half_width)

    def half(count: int) -> float:
        low, high = wilson(share * count, count)
        return (high - low) / 2

    assert half(n) <= half_width + 1e-12 and half(n - 1) > half_width
    normal = 1.959963984540054**2 * share * (1 - share) / half_width**2
    if normal * min(share, 1 - share) > 10:  # where the normal rule of thumb holds, it is close
        assert abs(n - normal) < 0.05 * n + 10


def test_about_2500_events_give_one_point_at_93_percent():
    assert labels_needed(0.93, 0.01) == 2_508


@pytest.mark.parametrize("share, half_width", [(1.2, 0.01), (0.5, 0.0), (0.5, 0.6), (math.nan, 0.01)])
def test_labels_needed_refuses_what_is_not_a_share(share, half_width):
    with pytest.raises(InputError):
        labels_needed(share, half_width)


def test_the_plan_ranks_and_says_what_to_do():
    plan = measurement_plan(
        {"investment": 4_000.0, "events_per_day": 900.0, "hourly_cost": 300.0, "horizon_days": 0.0},
        costs={"investment": 3_000.0, "events_per_day": 2_000.0},
        statuses={"hourly_cost": "answered"},
    )
    assert [(m.name, m.verdict) for m in plan] == [
        ("investment", "measure first"),
        ("events_per_day", "good enough as an estimate"),
        ("hourly_cost", "answered"),
        ("horizon_days", "good enough as an estimate"),
    ]
    assert plan[0].worth == 1_000
    assert headline(plan, {"investment": "the investment"}) == "Measure the investment first: worth up to €4,000"
    nothing = measurement_plan({"investment": 0.0})
    assert headline(nothing).startswith("Nothing needs measuring")


def test_evppi_of_the_example_adds_little_time():
    import time

    ranges = analysis.example_ranges()
    started = time.perf_counter()
    run = analysis.simulate(ranges, draws=100_000)
    assert time.perf_counter() - started < 5  # EVPPI of every input included (issue: at most 1 s more)
    assert np.isfinite(list(run.evppi.values())).all()
