"""Excel's statistics of a sample's shape and of a value's place in it: SKEW, SKEW.P, KURT, TRIMMEAN,
PERCENTRANK (.INC, .EXC) and FREQUENCY (the bin counts of a histogram, spilled down a column).

The numbers are those an aggregate sees (`aggregate.numbers_of`): in ranges only numbers count; the first error
is the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ...values import DIV0, MISSING, NA, NUM, CellError, Grid, NotCoveredError, Value, direct, number
from .aggregate import numbers_of
from .spec import Library

FUNCTIONS = Library()


def _standard_sum(values: list[float], power: int, sample: bool, least: int = 1) -> float | CellError:
    """Σ ((v - mean) / deviation) ** power with the sample (or population) standard deviation; #DIV/0! with
    fewer than `least` numbers or a deviation of 0."""
    n = len(values)
    if n < least:
        return DIV0
    mean = math.fsum(values) / n
    deviation = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1 if sample else n))
    if deviation == 0:
        return DIV0
    return math.fsum(((v - mean) / deviation) ** power for v in values)


def _skew(values: list[float]) -> float | CellError:
    n, total = len(values), _standard_sum(values, 3, sample=True, least=3)
    return total if isinstance(total, CellError) else n / ((n - 1) * (n - 2)) * total


def _skew_p(values: list[float]) -> float | CellError:
    total = _standard_sum(values, 3, sample=False)
    return total if isinstance(total, CellError) else total / len(values)


def _kurt(values: list[float]) -> float | CellError:
    n, total = len(values), _standard_sum(values, 4, sample=True, least=4)
    if isinstance(total, CellError):
        return total
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * total - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def _of_numbers(function: Callable[[list[float]], float | CellError]) -> Callable[..., Value]:
    def call(*args: Value) -> Value:
        values = numbers_of(args)
        if isinstance(values, CellError):
            return values
        return DIV0 if not values else function(values)

    return call


for _name, _function in (("SKEW", _skew), ("SKEW.P", _skew_p), ("KURT", _kurt)):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(_of_numbers(_function))


@FUNCTIONS.add("TRIMMEAN", 2, 2, ranges=(0,))
def xl_trimmean(cells: Value, percent: Value) -> Value:
    """The mean without the smallest and largest values: n × percent of them, rounded down to an even count."""
    values = numbers_of((cells,))
    if isinstance(values, CellError):
        return values
    share = number(direct(percent))
    if isinstance(share, CellError):
        return share
    if not values or not 0 <= share < 1:
        return NUM
    cut = math.floor(len(values) * share / 2)
    kept = sorted(values)[cut : len(values) - cut]
    return math.fsum(kept) / len(kept)


def _percentrank(exclusive: bool) -> Callable[..., Value]:
    def call(cells: Value, x: Value, significance: Value = 3.0) -> Value:
        if significance is MISSING or significance is None:
            raise NotCoveredError("PERCENTRANK with its significance left out after a comma or in an empty cell")
        values = numbers_of((cells,))
        if isinstance(values, CellError):
            return values
        point, digits = number(direct(x)), number(direct(significance))
        if isinstance(point, CellError):
            return point
        if isinstance(digits, CellError):
            return digits
        digits = math.trunc(digits)
        if not values or digits < 1:
            return NUM
        ordered = sorted(values)
        n = len(ordered)
        if not ordered[0] <= point <= ordered[-1]:
            return NA

        def rank(value: float) -> float:
            below = sum(1 for v in ordered if v < value)
            return (below + 1) / (n + 1) if exclusive else below / (n - 1) if n > 1 else 1.0

        if point in ordered:
            found = rank(point)
        else:
            lower = max(v for v in ordered if v < point)
            upper = min(v for v in ordered if v > point)
            found = rank(lower) + (point - lower) / (upper - lower) * (rank(upper) - rank(lower))
        scale = 10.0**digits
        return math.floor(float(f"{found * scale:.12g}")) / scale  # truncated, as Excel does, not rounded

    return call


for _name, _exclusive in (("PERCENTRANK", False), ("PERCENTRANK.INC", False), ("PERCENTRANK.EXC", True)):
    FUNCTIONS.add(_name, 2, 3, ranges=(0,))(_percentrank(_exclusive))


@FUNCTIONS.add("FREQUENCY", 2, 2, ranges=None, arrays=True)
def xl_frequency(data: Value, bins: Value) -> Value:
    """How many numbers of `data` fall at or below each bin's upper edge and above the one before, and on a last
    row how many lie above the last edge: a column one longer than the bins."""
    values = numbers_of((data,))
    if isinstance(values, CellError):
        return values
    edges = numbers_of((bins,))
    if isinstance(edges, CellError):
        return edges
    if any(a >= b for a, b in zip(edges, edges[1:], strict=False)):
        raise NotCoveredError("FREQUENCY with bins not in ascending order")
    counts = [0] * (len(edges) + 1)
    for v in values:
        counts[next((k for k, edge in enumerate(edges) if v <= edge), len(edges))] += 1
    return Grid([[float(c)] for c in counts])
