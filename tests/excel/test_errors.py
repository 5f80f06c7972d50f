"""Bad input gives one exception type with a message naming the argument, the value and the rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ftxl
from ftxl import excel_functions as xl

BAD_INPUTS = [
    # (id, call, words the message must contain)
    (
        "accuracy typed as percent",
        lambda: ftxl.error_shares(95, 0.8),
        "top_level_accuracy = 95 is outside [0, 1]: it is a share, not a percentage; for 95% type 0.95",
    ),
    ("negative accuracy", lambda: ftxl.error_shares(0.9, -0.1), "full_route_accuracy = -0.1 is outside [0, 1]"),
    (
        "full route above top level",
        lambda: ftxl.error_shares(0.95, 0.97),
        "full_route_accuracy 0.97 exceeds top_level_accuracy 0.95",
    ),
    (
        "full route above top level, second scenario",
        lambda: ftxl.error_shares([0.9, 0.95], [0.8, 0.97]),
        "full_route_accuracy (item 2 of 2) 0.97 exceeds top_level_accuracy (item 2 of 2) 0.95",
    ),
    ("review share as percent", lambda: ftxl.cost_per_event(0.1, 0.1, 30, 1), "review_share = 30 is outside [0, 1]"),
    (
        "bucket share above 1",
        lambda: ftxl.expected_error_cost([0.5, 1.5], [1, 2]),
        "rates (item 2 of 2) = 1.5 is outside [0, 1]",
    ),
    (
        "bucket shares add up above 1",
        lambda: ftxl.expected_error_cost([0.8, 0.15, 0.1], [0, 2, 8]),
        "the shares in rates add up to 1.05: bucket shares can add up to at most 1",
    ),
    ("negative volume", lambda: ftxl.max_ft_investment(-5, 0.3, 0.1), "events = -5 is negative"),
    ("negative seconds", lambda: ftxl.human_cost_per_event(-30, 20), "handling_seconds = -30 is negative"),
    ("negative wage", lambda: ftxl.human_cost_per_event(30, -20), "hourly_wage = -20 is negative"),
    ("negative cost", lambda: ftxl.expected_error_cost([0.9, 0.1], [0, -2]), "costs (item 2 of 2) = -2 is negative"),
    ("negative investment", lambda: ftxl.net_savings(100, 0.3, 0.1, -1), "investment = -1 is negative"),
    (
        "zero events per day",
        lambda: ftxl.breakeven_days(100, 0, 0.3, 0.1),
        "events_per_day = 0 must be greater than 0: the model divides by it",
    ),
    (
        "zero events in the premium",
        lambda: ftxl.max_cost_premium(0.3, 0.1, 100, 0),
        "events = 0 must be greater than 0",
    ),
    ("zero events amortised", lambda: ftxl.amortized_cost_per_event(0.3, 100, 0), "events = 0 must be greater than 0"),
    (
        "shape mismatch",
        lambda: ftxl.net_savings([1, 2, 3], [0.3, 0.2], 0.1, 0),
        "the shapes of events 3, cost_prompted 2, cost_finetuned scalar, investment scalar do not fit together",
    ),
    (
        "one cost per bucket",
        lambda: ftxl.expected_error_cost([0.9, 0.1], [0, 2, 8]),
        "rates has 2 buckets and costs has 3 buckets: give one cost per bucket share",
    ),
    (
        "matrix not square with priors",
        lambda: ftxl.expected_error_cost([[1, 2, 3], [4, 5, 6]], [[0, 1, 1], [1, 0, 1]], [0.5, 0.5]),
        "rates is 2x3: a confusion matrix must be square",
    ),
    (
        "cost matrix shape",
        lambda: ftxl.expected_error_cost([[5, 1], [1, 5]], [0, 1], [0.5, 0.5]),
        "the cost matrix must have the confusion matrix's shape",
    ),
    (
        "zero row with priors",
        lambda: ftxl.expected_error_cost([[5, 1], [0, 0]], [[0, 1], [1, 0]], [0.5, 0.5]),
        "row 2 of rates holds only zeros",
    ),
    (
        "priors do not add up to 1",
        lambda: ftxl.expected_error_cost([[5, 1], [1, 5]], [[0, 1], [1, 0]], [0.5, 0.4]),
        "priors add up to 0.9",
    ),
    (
        "one prior per class",
        lambda: ftxl.expected_error_cost([[5, 1], [1, 5]], [[0, 1], [1, 0]], [1.0]),
        "priors has 1 values but the confusion matrix has 2 rows",
    ),
    ("all-zero matrix", lambda: ftxl.expected_error_cost([[0, 0], [0, 0]], [[0, 1], [1, 0]]), "rates holds only zeros"),
    ("NaN", lambda: ftxl.breakeven_days(float("nan"), 5000, 0.3, 0.1), "investment is not a number (NaN)"),
    ("infinity", lambda: ftxl.breakeven_days(100, math.inf, 0.3, 0.1), "events_per_day is infinite"),
    ("empty cell", lambda: ftxl.breakeven_days(None, 5000, 0.3, 0.1), "investment is empty"),
    ("empty list", lambda: ftxl.breakeven_days([], 5000, 0.3, 0.1), "investment is empty"),
    ("text", lambda: ftxl.human_cost_per_event("thirty", 20), "handling_seconds = 'thirty' is not a number"),
    ("yes/no", lambda: ftxl.human_cost_per_event(30, True), "hourly_wage is True, a yes/no value"),
    (
        "text in a range",
        lambda: ftxl.human_cost_per_event([30, "x"], 20),
        "handling_seconds (item 2 of 2) = 'x' is not a number",
    ),
    (
        "ragged",
        lambda: ftxl.human_cost_per_event([[30], [1, 2]], 20),
        "handling_seconds must be a number or a rectangular range",
    ),
]


@pytest.mark.parametrize("call, words", [(c, w) for _, c, w in BAD_INPUTS], ids=[i for i, _, _ in BAD_INPUTS])
def test_bad_input_is_named(call, words):
    with pytest.raises(ftxl.InputError) as raised:
        call()
    assert words in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_one_exception_type_from_one_module():
    assert ftxl.InputError.__module__ == "ftxl.errors"
    assert issubclass(ftxl.InputError, ftxl.FtxlError) and issubclass(ftxl.InputError, ValueError)


def test_never_pays_back_is_infinity_in_python():
    assert ftxl.breakeven_days(40_000, 5_000, 0.155, 0.32) == math.inf
    assert ftxl.breakeven_days(40_000, 5_000, 0.2, 0.2) == math.inf
    assert list(ftxl.breakeven_days(40_000, 5_000, [0.32, 0.1], 0.155)) == [40_000 / (5_000 * 0.165), math.inf]


def test_negative_limits_are_returned_as_they_are():
    assert ftxl.max_ft_investment(1000, 0.1, 0.3) == pytest.approx(-200)
    assert ftxl.max_cost_premium(0.1, 0.1, 100, 1000) == pytest.approx(-0.1)


# Excel surface: whatever comes in, a cell gets a finite number, #NUM! or a #VALUE! message.
cell = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-10, 10),
    st.integers(-5, 1_000_000),
)
ranges = st.one_of(cell.map(lambda c: [[c]]), st.lists(cell, min_size=1, max_size=3).map(lambda r: [r]))


def _cells_are_excel_safe(value) -> bool:
    values = [v for row in value for v in row] if isinstance(value, list) else [value]
    return all(
        (isinstance(v, float) and math.isfinite(v)) or (isinstance(v, str) and v.startswith(("#NUM!", "#VALUE!")))
        for v in values
    )


@given(ranges, ranges, ranges, ranges)
def test_excel_functions_never_hand_nan_or_infinity_to_excel(a, b, c, d):
    for result in (
        xl.BREAKEVEN_DAYS(a, b, c, d),
        xl.NET_SAVINGS(a, b, c, d),
        xl.MAX_COST_PREMIUM(a, b, c, d),
        xl.MAX_FT_INVESTMENT(a, b, c),
        xl.AMORTIZED_COST_PER_EVENT(a, b, c),
        xl.COST_PER_EVENT(a, b, c, d),
        xl.HUMAN_COST_PER_EVENT(a, b),
        xl.ERROR_SHARES(a, b),
        xl.EXPECTED_ERROR_COST(a, b, None),
    ):
        assert _cells_are_excel_safe(result), result


def test_huge_inputs_that_overflow_give_num_not_infinity():
    assert xl.MAX_FT_INVESTMENT([[1e308]], [[1e10]], [[0]]) == "#NUM!"
    assert xl.MAX_FT_INVESTMENT([[1e308, 1]], [[1e10]], [[0]]) == [["#NUM!", 1e10]]
