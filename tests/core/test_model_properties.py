"""Invariants of the cost model, checked with Hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import ftxl

share = st.floats(0, 1)
money = st.floats(0, 1_000)
cost = st.floats(0, 50)
investment = st.floats(0, 1e7)
volume = st.floats(1, 1e6)
events = st.floats(1, 1e9)


def rel_close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


SCALAR_CALLS = {
    "breakeven_days": lambda a, v, p, f: ftxl.breakeven_days(a, v, p, f),
    "net_savings": lambda a, v, p, f: ftxl.net_savings(v * 90, p, f, a),
    "max_ft_investment": lambda a, v, p, f: ftxl.max_ft_investment(v * 90, p, f),
    "amortized_cost_per_event": lambda a, v, p, f: ftxl.amortized_cost_per_event(p, a, v * 90),
    "max_cost_premium": lambda a, v, p, f: ftxl.max_cost_premium(p, f, a, v * 90),
    "cost_per_event": lambda a, v, p, f: ftxl.cost_per_event(p, f),
    "human_cost_per_event": lambda a, v, p, f: ftxl.human_cost_per_event(p, f),
}
"""Each model function called with (investment, events per day, cost prompted, cost fine-tuned)."""


@given(st.lists(st.tuples(investment, volume, cost, cost), min_size=1, max_size=6))
@example(rows=[(2.0, 1.0, 1.1125369292536007e-308, 0.0)])  # a saving so small the break-even overflows
def test_scalar_and_array_calls_agree(rows):
    columns = [np.array(column) for column in zip(*rows, strict=True)]
    for name, call in SCALAR_CALLS.items():
        try:
            array = call(*columns)
        except ftxl.errors.NoAnswerError:  # a break-even beyond any float: so for one of the rows alone
            with pytest.raises(ftxl.errors.NoAnswerError):
                for row in rows:
                    call(*row)
            continue
        for i, row in enumerate(rows):
            scalar = call(*row)
            assert isinstance(scalar, float), name
            assert array[i] == scalar, name


@given(share, share)
def test_error_shares_of_arrays_match_scalars(a, b):
    top, full = max(a, b), min(a, b)
    stacked = ftxl.error_shares(np.array([top, top]), np.array([full, full]))
    assert stacked.shape == (2, 3)
    assert (stacked[1] == ftxl.error_shares(top, full)).all()
    assert math.isclose(stacked[0].sum(), 1.0, abs_tol=1e-12)


@given(events, cost, cost)
def test_investing_exactly_the_maximum_gives_zero_net_savings(n, cp, cft):
    limit = ftxl.max_ft_investment(n, cp, cft)
    if limit >= 0:
        assert rel_close(ftxl.net_savings(n, cp, cft, limit), 0.0, n * max(cp, cft))


@given(investment, volume, cost, cost)
def test_breakeven_days_times_daily_saving_is_the_investment(inv, vol, cp, cft):
    assume(cft >= cp or cp - cft > 1e-200)  # a saving that small puts break-even past any float
    days = ftxl.breakeven_days(inv, vol, cp, cft)
    if cft >= cp:
        assert days == math.inf
    else:
        assert rel_close(days * vol * (cp - cft), inv, inv)


@given(cost, money, money, investment, events)
def test_premium_of_exactly_the_maximum_makes_both_options_cost_the_same(inf_p, ep, eft, inv, n):
    premium = ftxl.max_cost_premium(ep, eft, inv, n)
    c_p = ftxl.cost_per_event(ep, inf_p)
    c_ft = eft + inf_p + premium  # the premium may be negative: the identity holds regardless
    total_prompted, total_finetuned = n * c_p, n * c_ft + inv
    assert rel_close(total_prompted, total_finetuned, n * (inf_p + ep + eft + abs(premium)) + inv)


@given(st.lists(share, min_size=3, max_size=3), cost, cost, st.integers(2, 6))
def test_matrix_form_with_bucket_costs_equals_bucket_form(raw, c_sub, c_dept, classes):
    # Classes 0..K-1 as (department, subclass) routes: even/odd pairs share a department.
    assume(sum(raw) > 1e-6)
    total = sum(raw)
    correct, wrong_sub, wrong_dept = (x / total for x in raw)
    k = 2 * classes
    dept = np.arange(k) // 2
    same_dept = dept[:, None] == dept[None, :]
    eye = np.eye(k, dtype=bool)
    costs = np.where(eye, 0.0, np.where(same_dept, c_sub, c_dept))
    # Each true class spreads its events: correct on the diagonal, wrong subclass to its
    # sibling, wrong department evenly over the other departments' routes.
    matrix = np.where(eye, correct, np.where(same_dept, wrong_sub, wrong_dept / (k - 2)))
    priors = np.full(k, 1 / k)
    bucket = ftxl.expected_error_cost([correct, wrong_sub, wrong_dept], [0, c_sub, c_dept])
    assert math.isclose(ftxl.expected_error_cost(matrix, costs), bucket, rel_tol=1e-9, abs_tol=1e-12)
    if (matrix.sum(axis=1) > 0).all():
        assert math.isclose(ftxl.expected_error_cost(matrix, costs, priors), bucket, rel_tol=1e-9, abs_tol=1e-12)


@given(cost, money, money, money, money, investment, events)
def test_premium_with_review_costs_makes_both_options_cost_the_same(inf_p, ep, eft, rp, rft, inv, n):
    premium = ftxl.max_cost_premium(ep, eft, inv, n, rp, rft)
    total_prompted = n * (inf_p + ep + rp)
    total_finetuned = n * (inf_p + premium + eft + rft) + inv
    assert rel_close(total_prompted, total_finetuned, n * (inf_p + ep + eft + rp + rft + abs(premium)) + inv)


@given(events, cost, cost, cost, investment)
def test_the_decision_is_the_option_with_the_lowest_total_cost(n, ch, cp, cft, inv):
    decision = ftxl.decide(n, cp, cft, inv, cost_human=ch)
    totals = decision.total_costs
    assert totals == {"human": n * ch, "prompted": n * cp, "finetuned": n * cft + inv}
    assert totals[decision.choice] == min(totals.values())
    assert decision.automate == (min(totals["prompted"], totals["finetuned"]) < totals["human"])
    finetuned = totals["finetuned"]  # ties go to no change, then to no investment
    assert (decision.choice == "finetuned") == (finetuned < totals["prompted"] and finetuned < totals["human"])
    if decision.choice == "finetuned":
        assert ftxl.net_savings(n, cp, cft, inv) >= -1e-9 * max(1.0, n * cp)  # it pays back against prompting
