"""The cost model: what one event costs under each option, and when fine-tuning pays back.

Pure functions of numbers, free of Excel and files. Every argument takes a scalar or
an array; arrays broadcast like numpy, and scalar input gives a float back. Money is
in euros, volumes in events, time in days unless a name says otherwise.

Symbols used in the docstrings: V events per day, H horizon in days, N = V x H events
over the horizon, c all-in cost per event, E expected error cost per event,
I the fixed fine-tuning investment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import checks as check
from .errors import InputError, NoAnswerError

SECONDS_PER_HOUR = 3600.0
PRIORS_TOLERANCE = 1e-6
"""How far priors may stray from summing to 1 (they are often typed as rounded shares)."""


def human_cost_per_event(handling_seconds: ArrayLike, hourly_wage: ArrayLike) -> Any:
    """Labour cost in euros of one event handled by a person: seconds / 3600 x euros per hour."""
    seconds = check.non_negative("handling_seconds", handling_seconds)
    wage = check.non_negative("hourly_wage", hourly_wage)
    check.same_shape(handling_seconds=seconds, hourly_wage=wage)
    return check.result(seconds / SECONDS_PER_HOUR * wage)


def error_shares(top_level_accuracy: ArrayLike, full_route_accuracy: ArrayLike) -> np.ndarray:
    """Shares of events in the buckets (correct, wrong subclass, wrong department).

    correct = full-route accuracy, wrong subclass = top-level - full-route accuracy,
    wrong department = 1 - top-level accuracy. The buckets are the last axis (length 3).
    """
    top = check.fraction("top_level_accuracy", top_level_accuracy)
    full = check.fraction("full_route_accuracy", full_route_accuracy)
    check.at_most("full_route_accuracy", full, "top_level_accuracy", top)
    if isinstance(top, float) and isinstance(full, float):
        return np.array([full, top - full, 1.0 - top])
    top, full = np.broadcast_arrays(top, full)
    return np.stack([full, top - full, 1.0 - top], axis=-1)


def expected_error_cost(rates: ArrayLike, costs: ArrayLike, priors: ArrayLike | None = None) -> Any:
    """Expected business cost of errors per event, in euros.

    Bucket form (``rates`` 1-D, or batches of buckets along the last axis): the sum of
    share x cost over the buckets; the correct bucket may be included with cost 0.

    Matrix form (``rates`` a square K x K confusion matrix, rows = true class,
    columns = predicted class, with ``costs`` of the same shape, or with ``priors``):
    sum over t, p of P(t) x P(p | t) x C(t, p). Without priors the matrix holds counts
    or joint frequencies and is divided by its total; with priors each row is
    normalised to P(p | t) and weighted by the prior of its true class.
    """
    if priors is None and _is_short_list(rates) and _is_short_list(costs):
        return _bucket_error_cost_of_lists(rates, costs)  # type: ignore[arg-type]
    rate_arr = np.asarray(check.number("rates", rates))
    cost_arr = np.asarray(check.number("costs", costs))
    if priors is not None or _is_matrix_form(rate_arr, cost_arr):
        return _matrix_error_cost(rate_arr, cost_arr, priors)
    return _bucket_error_cost(rate_arr, cost_arr)


def _is_matrix_form(rates: np.ndarray, costs: np.ndarray) -> bool:
    return rates.ndim == 2 and rates.shape[0] == rates.shape[1] > 1 and costs.shape == rates.shape


def bucket_error_cost(shares: ArrayLike, costs: ArrayLike) -> Any:
    """Expected error cost per event in euros from bucket shares and euros per bucket.

    Buckets run along the last axis; leading axes (scenarios) broadcast.
    """
    return _bucket_error_cost(np.asarray(check.number("rates", shares)), np.asarray(check.number("costs", costs)))


def _bucket_error_cost(shares: np.ndarray, costs: np.ndarray) -> Any:
    check.within_unit_interval("rates", shares)
    check.not_negative("costs", costs)
    if shares.ndim == 0 or costs.ndim == 0 or shares.shape[-1] != costs.shape[-1]:
        raise InputError(
            f"rates has {_buckets(shares)} and costs has {_buckets(costs)}: give one cost per bucket share"
        )
    if shares.ndim > 1 or costs.ndim > 1:
        check.same_shape(rates=shares[..., 0], costs=costs[..., 0])
    check.shares_sum("rates", shares)
    return check.result((shares * costs).sum(axis=-1))


def _is_short_list(value: object) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) <= 16
        and all(isinstance(v, (float, int)) and not isinstance(v, bool) for v in value)
    )


def _bucket_error_cost_of_lists(shares: list[float], costs: list[float]) -> float:
    """The bucket form for one scenario typed as plain lists: the same checks, without numpy's overhead."""
    n_shares, n_costs = len(shares), len(costs)
    share_values = [check.fraction(check.position("rates", (n_shares,), i), v) for i, v in enumerate(shares)]
    cost_values = [check.non_negative(check.position("costs", (n_costs,), i), v) for i, v in enumerate(costs)]
    if n_shares != n_costs:
        raise InputError(
            f"rates has {n_shares} buckets and costs has {n_costs} buckets: give one cost per bucket share"
        )
    total = sum(share_values)
    if total > 1 + check.SUM_TOLERANCE:
        raise InputError(f"the shares in rates add up to {check.show(total)}: bucket shares can add up to at most 1")
    return float(sum(r * c for r, c in zip(share_values, cost_values, strict=True)))


def _buckets(arr: np.ndarray) -> str:
    return "1 value" if arr.ndim == 0 else f"{arr.shape[-1]} buckets"


def _matrix_error_cost(counts: np.ndarray, costs: np.ndarray, priors: ArrayLike | None) -> float:
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise InputError(
            f"rates is {'x'.join(map(str, counts.shape))}: a confusion matrix must be square "
            "(one row and one column per class)"
        )
    if costs.shape != counts.shape:
        raise InputError(
            f"costs is {'x'.join(map(str, costs.shape)) or 'a single value'} but rates is "
            f"{'x'.join(map(str, counts.shape))}: the cost matrix must have the confusion matrix's shape"
        )
    check.not_negative("rates", counts)
    check.not_negative("costs", costs)
    if priors is None:
        scale = float(counts.max())
        if scale <= 0:
            raise InputError("rates holds only zeros: the confusion matrix needs at least one event")
        scaled = counts / scale  # counts near the largest float still add up
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
            return check.result((scaled * costs).sum() / scaled.sum())
    prior_arr = np.asarray(check.fraction("priors", priors)).reshape(-1)
    if prior_arr.size != counts.shape[0]:
        raise InputError(
            f"priors has {prior_arr.size} values but the confusion matrix has {counts.shape[0]} rows: "
            "give one prior per true class"
        )
    if abs(prior_arr.sum() - 1.0) > PRIORS_TOLERANCE:
        raise InputError(
            f"priors add up to {check.show(prior_arr.sum())}: the shares of the true classes must add up to 1"
        )
    counts = counts / max(float(counts.max()), np.finfo(float).tiny)  # shares only: scaled, so sums cannot overflow
    row_totals = counts.sum(axis=1)
    empty = np.flatnonzero(row_totals == 0)
    if empty.size:
        raise InputError(
            f"row {int(empty[0]) + 1} of rates holds only zeros: with priors every true class needs "
            "at least one observed prediction"
        )
    conditional = counts / row_totals[:, None]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        return check.result((prior_arr[:, None] * conditional * costs).sum())


def cost_per_event(
    error_cost: ArrayLike,
    inference_cost: ArrayLike,
    review_share: ArrayLike = 0.0,
    review_cost: ArrayLike = 0.0,
) -> Any:
    """All-in variable cost of one event in euros: inference (or handling) + errors + review.

    ``review_share`` is the share of events a person reviews, ``review_cost`` the euros
    one review costs. For the human process pass the handling cost as ``inference_cost``.
    """
    err = check.non_negative("error_cost", error_cost)
    inf = check.non_negative("inference_cost", inference_cost)
    share = check.fraction("review_share", review_share)
    review = check.non_negative("review_cost", review_cost)
    check.same_shape(error_cost=err, inference_cost=inf, review_share=share, review_cost=review)
    return check.result(inf + err + share * review)


def _option_costs(cost_prompted: ArrayLike, cost_finetuned: ArrayLike) -> tuple[check.Numbers, check.Numbers]:
    return (
        check.non_negative("cost_prompted", cost_prompted),
        check.non_negative("cost_finetuned", cost_finetuned),
    )


def breakeven_days(
    investment: ArrayLike, events_per_day: ArrayLike, cost_prompted: ArrayLike, cost_finetuned: ArrayLike
) -> Any:
    """Days until the fine-tuning investment is paid back: I / (V x (c_prompted - c_finetuned)).

    Gross savings, before amortisation. ``math.inf`` where the fine-tuned model is not
    cheaper per event, so it never pays back.
    """
    inv = check.non_negative("investment", investment)
    volume = check.positive("events_per_day", events_per_day)
    cp, cft = _option_costs(cost_prompted, cost_finetuned)
    check.same_shape(investment=inv, events_per_day=volume, cost_prompted=cp, cost_finetuned=cft)
    saving = cp - cft
    if isinstance(saving, float) and isinstance(inv, float) and isinstance(volume, float):
        if saving <= 0:
            return math.inf
        daily = volume * saving
        _check_breakeven(daily == 0 and inv > 0, not math.isfinite(inv / daily) if daily else False)
        return inv / daily if daily else 0.0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        pays = saving > 0
        per_day = np.multiply(volume, saving)
        days = np.where(pays, inv / np.where(pays & (per_day > 0), per_day, 1.0), math.inf)
        days = np.where(pays & (per_day == 0) & (inv == 0), 0.0, days)
    _check_breakeven(bool(np.any(pays & (per_day == 0) & (inv > 0))), bool(np.any(pays & ~np.isfinite(days))))
    return check.result(days, infinite_means="never")


def _check_breakeven(underflow: bool, overflow: bool) -> None:
    """Infinity means "never pays back"; a saving too small or a break-even too large to hold is an error."""
    if underflow:
        raise NoAnswerError("the daily saving is too small to compute a break-even: events x saving underflows to 0")
    if overflow:
        raise NoAnswerError("the break-even is too large to compute: the investment dwarfs the daily saving")


def max_ft_investment(events: ArrayLike, cost_prompted: ArrayLike, cost_finetuned: ArrayLike) -> Any:
    """Largest fine-tuning investment in euros the savings justify: N x (c_prompted - c_finetuned).

    Negative when the fine-tuned model costs more per event: no investment is justified.
    """
    n = check.non_negative("events", events)
    cp, cft = _option_costs(cost_prompted, cost_finetuned)
    check.same_shape(events=n, cost_prompted=cp, cost_finetuned=cft)
    return check.result(n * (cp - cft))


def max_cost_premium(
    error_cost_prompted: ArrayLike,
    error_cost_finetuned: ArrayLike,
    investment: ArrayLike,
    events: ArrayLike,
    review_cost_prompted: ArrayLike = 0.0,
    review_cost_finetuned: ArrayLike = 0.0,
) -> Any:
    """Largest extra inference cost per event in euros the fine-tuned model may carry.

    (E_p + R_p - E_ft - R_ft) - I / N, where R is each option's review cost per event (review
    share x cost of one review; 0 by default, which gives the plain (E_p - E_ft) - I / N). At
    exactly this premium fine-tuning and prompting cost the same over the horizon. Negative:
    the fine-tuned model must also be cheaper to run than the prompted one.

    >>> round(max_cost_premium(0.26, 0.14, 40_000, 900_000), 6)
    0.075556
    """
    ep = check.non_negative("error_cost_prompted", error_cost_prompted)
    eft = check.non_negative("error_cost_finetuned", error_cost_finetuned)
    inv = check.non_negative("investment", investment)
    n = check.positive("events", events)
    rp = check.non_negative("review_cost_prompted", review_cost_prompted)
    rft = check.non_negative("review_cost_finetuned", review_cost_finetuned)
    check.same_shape(
        error_cost_prompted=ep,
        error_cost_finetuned=eft,
        investment=inv,
        events=n,
        review_cost_prompted=rp,
        review_cost_finetuned=rft,
    )
    return check.result((ep + rp - eft - rft) - inv / n)


def net_savings(events: ArrayLike, cost_prompted: ArrayLike, cost_finetuned: ArrayLike, investment: ArrayLike) -> Any:
    """Euros saved over the horizon by fine-tuning, after paying the investment: N x (c_p - c_ft) - I."""
    n = check.non_negative("events", events)
    cp, cft = _option_costs(cost_prompted, cost_finetuned)
    inv = check.non_negative("investment", investment)
    check.same_shape(events=n, cost_prompted=cp, cost_finetuned=cft, investment=inv)
    return check.result(n * (cp - cft) - inv)


def amortized_cost_per_event(cost_per_event: ArrayLike, investment: ArrayLike, events: ArrayLike) -> Any:
    """Cost per event in euros with the investment spread over the horizon: c + I / N."""
    c = check.non_negative("cost_per_event", cost_per_event)
    inv = check.non_negative("investment", investment)
    n = check.positive("events", events)
    check.same_shape(cost_per_event=c, investment=inv, events=n)
    return check.result(c + inv / n)


OPTION_KEYS = ("human", "prompted", "finetuned")
"""The three ways to handle the events, in the order ties are broken: no change before a model,
no investment before an investment."""
VERDICTS = {"human": "Keep the human process", "prompted": "Prompt the API model", "finetuned": "Fine-tune"}
"""What the decision says for each option."""


def total_costs(
    events: ArrayLike,
    cost_prompted: ArrayLike,
    cost_finetuned: ArrayLike,
    investment: ArrayLike,
    cost_human: ArrayLike | None = None,
) -> np.ndarray:
    """Euros each option costs over the horizon, its one-off costs included.

    Human process N x c_human, prompted model N x c_prompted, fine-tuned model
    N x c_finetuned + I, along a last axis of length 3 (``OPTION_KEYS``). Without
    ``cost_human`` the human process is not an option: its total is infinite.
    """
    n = check.non_negative("events", events)
    cp, cft = _option_costs(cost_prompted, cost_finetuned)
    inv = check.non_negative("investment", investment)
    ch = math.inf if cost_human is None else check.non_negative("cost_human", cost_human)
    check.same_shape(events=n, cost_prompted=cp, cost_finetuned=cft, investment=inv, cost_human=ch)
    with np.errstate(invalid="ignore"):  # 0 events x an infinite (absent) human cost
        human = np.where(np.isinf(ch), math.inf, np.multiply(n, ch))
    return np.stack(np.broadcast_arrays(human, np.multiply(n, cp), np.multiply(n, cft) + inv), axis=-1)


def cheapest(totals: np.ndarray) -> Any:
    """Index into `OPTION_KEYS` of the cheapest option along the last axis of `totals` (human, prompted,
    fine-tuned). Ties go to the earlier option: no change before a model, no investment before one."""
    return np.argmin(totals, axis=-1)  # argmin returns the first of equal minima


@dataclass(frozen=True)
class Decision:
    """The option with the lowest total cost over the horizon, and what each option costs in all.

    Ties go to the human process, then to the prompted model: a change (and an investment)
    must pay for itself.
    """

    choice: str
    """"human", "prompted" or "finetuned"."""
    verdict: str
    """The decision in words: Keep the human process, Prompt the API model, or Fine-tune."""
    total_costs: dict[str, float]
    """Euros over the horizon per option, one-off costs included (options compared only)."""

    @property
    def automate(self) -> bool:
        """True when a model is cheaper than people over the horizon, investment included."""
        return self.choice != "human"

    def __str__(self) -> str:
        return self.verdict


def decide(
    events: float,
    cost_prompted: float,
    cost_finetuned: float,
    investment: float,
    cost_human: float | None = None,
) -> Decision:
    """Human process, prompted model or fine-tuned model: the lowest total cost over the horizon.

    ``events`` is N (events per day x horizon days), the costs are all-in euros per event,
    ``investment`` the one-off cost of fine-tuning; without ``cost_human`` only the two
    models are compared.

    >>> decide(900_000, 0.32, 0.155, 40_000, cost_human=0.8667).verdict
    'Fine-tune'
    >>> decide(900_000, 0.32, 0.155, 40_000, cost_human=0.17556).verdict
    'Keep the human process'
    """
    totals = total_costs(events, cost_prompted, cost_finetuned, investment, cost_human)
    if totals.ndim != 1:
        raise InputError("decide takes one scenario: single numbers, not arrays")
    choice = OPTION_KEYS[int(cheapest(totals))]
    compared = OPTION_KEYS if cost_human is not None else OPTION_KEYS[1:]
    return Decision(choice, VERDICTS[choice], {key: float(totals[OPTION_KEYS.index(key)]) for key in compared})
