"""What to measure next: the value of learning one input before deciding, and how many labels that takes.

Pure numpy, over the draws `ftxl.analysis.simulate` makes (the same draws and seed as every other figure of
the simulation, so the views agree).

* `evppi`: the expected value of partial perfect information of each input, in euros: how much lower the
  expected total cost is when that input's true value is known before deciding, the others still uncertain.
  Method: Strong & Oakley's single-parameter estimator without nested simulation (Strong M, Oakley JE, "An
  efficient method for computing single-parameter partial expected value of perfect information", Medical
  Decision Making 33(6), 2013): the draws are sorted by the input and cut into `EVPPI_BINS` bins of equal
  count; within a bin the option cheapest on average is chosen. 0 <= EVPPI <= EVPI holds exactly for the
  estimate (Jensen's inequality, bin by bin). Its error: a positive bias from the noise of the bin means,
  measured by `noise_floor` (the most that inputs unrelated to the costs get from the same draws), plus the
  spread within a bin; at the default 10,000 draws, the closed-form case (investment uniform on 50,000 to
  100,000 over 90 days, EVPI 5,880.63) comes out within 1% (a test holds it).
* `labels_needed`: the events to label for a share's 95% Wilson interval to be at most ± a half-width.
* `measurement_plan`: each input's EVPPI against what measuring it costs, ranked: measure first, or keep the
  estimate (good enough: learning it is worth less than measuring it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .labels import Z_95

EVPPI_BINS = 50
"""Bins of equal count the draws are cut into per input (200 draws a bin at 10,000 draws)."""


def evppi(drawn: Mapping[str, np.ndarray], totals: np.ndarray, bins: int = EVPPI_BINS) -> dict[str, float]:
    """Euros per input: the expected value of learning that input's true value before deciding (see the module).

    `drawn` holds each input's draws, `totals` the options' total costs per draw (draws x options)."""
    n = totals.shape[0]
    scale = np.abs(totals).max() or 1.0
    costs = totals / scale  # in units of the largest total: sums of large costs do not overflow
    found: dict[str, float] = {}
    uncertain: dict[str, np.ndarray] = {}
    for name, values in drawn.items():
        v = np.broadcast_to(np.asarray(values, dtype=float), (n,))
        if v.min() == v.max():
            found[name] = 0.0  # known already: nothing to learn
        else:
            uncertain[name] = v
    names, at_once = list(uncertain), _rows_at_once(n)
    for start in range(0, len(names), at_once):
        group = names[start : start + at_once]
        # sorted by the input (equal draws, which continuous ranges do not give, may share a bin either way)
        orders = np.argsort(np.stack([uncertain[name] for name in group]), axis=1)
        for name, gain in zip(group, _gains(costs, orders, bins), strict=True):
            found[name] = float(gain) * float(scale) if gain > 1e-12 else 0.0  # below that: rounding of the sums
    return {name: found[name] for name in drawn}


def _rows_at_once(n: int) -> int:
    """Orders of the draws handled together: about 2 million draws' costs gathered at a time."""
    return max(1, 2_000_000 // max(n, 1))


def _gains(costs: np.ndarray, orders: np.ndarray, bins: int) -> np.ndarray:
    """Per order of the draws (a row of `orders`): the expected cost of deciding now minus that of choosing the
    cheapest option in each of `bins` bins of equal count along that order (in units of `costs`)."""
    n = costs.shape[0]
    now = float(costs.mean(axis=0).min())  # deciding now: the option cheapest on average
    k = max(1, min(bins, n))
    edges = np.linspace(0, n, k + 1).astype(int)
    counts = np.diff(edges)
    means = np.add.reduceat(costs[orders], edges[:-1], axis=1) / counts[None, :, None]
    informed = (means.min(axis=2) * counts[None, :]).sum(axis=1) / n  # the cheapest option bin by bin
    return now - informed


NOISE_TRIALS = 20
"""Random orders of the draws whose largest EVPPI is the noise floor (about the 95th percentile of the noise)."""


def noise_floor(totals: np.ndarray, seed: int = 0, bins: int = EVPPI_BINS) -> float:
    """Euros the estimator gives an input that has nothing to do with the costs: the largest EVPPI of
    `NOISE_TRIALS` random orders of the same draws, its bias and spread at this number of draws. An EVPPI
    below it is indistinguishable from 0."""
    n = totals.shape[0]
    rng = np.random.default_rng(seed + 1)
    scale = np.abs(totals).max() or 1.0
    costs = totals / scale
    worst = 0.0
    trials = [rng.permutation(n) for _ in range(NOISE_TRIALS)]
    at_once = _rows_at_once(n)
    for start in range(0, NOISE_TRIALS, at_once):
        orders = np.stack(trials[start : start + at_once])
        worst = max(worst, float(_gains(costs, orders, bins).max()))
    return worst * float(scale) if worst > 1e-12 else 0.0


def labels_needed(share: float, half_width: float, z: float = Z_95) -> int:
    """The fewest labelled events for which the 95% Wilson interval of a share observed at `share` is at most
    ± `half_width` (both as fractions: 0.93 and 0.01 for ± 1 point at 93%)."""
    if not 0 <= share <= 1:
        raise InputError(f"share = {share:g} must lie between 0 and 1")
    if not 0 < half_width < 0.5:
        raise InputError(f"half_width = {half_width:g} must lie above 0 and below 0.5 (50 points)")

    def wide(n: int) -> float:
        return z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))

    low, high = 1, 1
    while wide(high) > half_width:
        low, high = high, high * 2
    while low < high:  # the half-width falls as n grows: the first n within it
        middle = (low + high) // 2
        low, high = (middle + 1, high) if wide(middle) > half_width else (low, middle)
    return low


@dataclass(frozen=True)
class Measurement:
    """One input in the measurement plan."""

    name: str
    evppi: float
    """Euros: the most that learning this input's true value is worth for the decision now."""
    cost: float | None
    """Euros it costs to measure (None: not priced yet)."""
    status: str
    """The state of its question: answered, estimated, missing, or no question."""
    verdict: str

    @property
    def worth(self) -> float | None:
        """Euros: EVPPI minus the cost of measuring (None without a cost)."""
        return None if self.cost is None else self.evppi - self.cost


def measurement_plan(
    values: Mapping[str, float],
    costs: Mapping[str, float | None] | None = None,
    statuses: Mapping[str, str] | None = None,
    floor: float = 0.0,
) -> list[Measurement]:
    """Each input with its EVPPI, the cost of measuring it and what to do, ranked by EVPPI (largest first).

    Verdicts: "measure first" (worth more than it costs), "good enough as an estimate" (worth less than
    measuring it, or nothing beyond the estimator's noise `floor`), "price the measurement" (worth something,
    no cost typed), "answered" (measured already)."""
    costs, statuses = costs or {}, statuses or {}
    plan = []
    for name, value in values.items():
        cost, status = costs.get(name), statuses.get(name, "no question")
        if status == "answered":
            verdict = "answered"
        elif value <= floor:
            verdict = "good enough as an estimate"
        elif cost is None:
            verdict = "price the measurement"
        else:
            verdict = "measure first" if value > cost else "good enough as an estimate"
        plan.append(Measurement(name, value, cost, status, verdict))
    return sorted(plan, key=lambda m: -m.evppi)


def headline(plan: list[Measurement], labels: Mapping[str, str] | None = None) -> str:
    """The plan in one line: "Measure X first: worth up to EUR Y", or why nothing needs measuring now."""
    labels = labels or {}
    first = next((m for m in plan if m.verdict in ("measure first", "price the measurement")), None)
    if first is None:
        return "Nothing needs measuring for this decision now: every estimate is good enough as it is."
    return f"Measure {labels.get(first.name, first.name)} first: worth up to €{first.evppi:,.0f}"
