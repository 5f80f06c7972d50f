"""Excel's statistics and distributions: MEDIAN, STDEV, VAR, DEVSQ, AVEDEV, GEOMEAN, HARMEAN, LARGE, SMALL,
PERCENTILE, QUARTILE, RANK, NORM.DIST, NORM.INV, NORM.S.DIST, NORM.S.INV (and their pre-2010 names).

The numbers a statistic sees are those an aggregate sees (`aggregate.numbers`): in ranges
only numbers count, typed arguments count when they read as numbers; the first error is
the answer.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from ...values import DIV0, NA, NUM, VALUE, CellError, Value, direct, elementwise, finite, number
from . import aggregate
from .aggregate import numbers_of
from .maths import logical_at, numeric
from .spec import Library

FUNCTIONS = Library()


def _statistic(
    function: Callable[[list[float]], float | CellError], least: int = 1, none: CellError = DIV0
) -> Callable[..., Value]:
    """A statistic of the numbers its arguments hold; fewer than `least` numbers is #DIV/0! (`none`, when
    there are none at all)."""

    def call(*args: Value) -> Value:
        values = numbers_of(args)
        if isinstance(values, CellError):
            return values
        if not values:
            return none
        if len(values) < least:
            return DIV0
        result = function(values)
        return result if isinstance(result, CellError) else finite(result)

    return call


def variance(sample: bool) -> Callable[[list[float]], float]:
    """The variance of at least two numbers (sample) or one (population)."""

    def of(values: list[float]) -> float:
        mean = math.fsum(values) / len(values)
        return math.fsum((v - mean) ** 2 for v in values) / (len(values) - (1 if sample else 0))

    return of


_median = _statistic(lambda values: statistics.median(values), none=NUM)  # MEDIAN of no number: #NUM!
for _name in ("MEDIAN",):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(_median)
for _name, _sample in (("VAR", True), ("VAR.S", True), ("VARP", False), ("VAR.P", False)):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(
        _statistic(variance(_sample), 2 if _sample else 1)
    )


def deviation(sample: bool) -> Callable[[list[float]], float]:
    """The standard deviation, the root of `variance`."""
    of = variance(sample)
    return lambda values: math.sqrt(of(values))


for _name, _sample in (("STDEV", True), ("STDEV.S", True), ("STDEVP", False), ("STDEV.P", False)):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(
        _statistic(deviation(_sample), 2 if _sample else 1)
    )


def _devsq(values: list[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values)


def _avedev(values: list[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum(abs(v - mean) for v in values) / len(values)


def _geomean(values: list[float]) -> float | CellError:
    if any(v <= 0 for v in values):
        return NUM
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def _harmean(values: list[float]) -> float | CellError:
    if any(v <= 0 for v in values):
        return NUM
    return len(values) / math.fsum(1 / v for v in values)


for _name, _function in (("DEVSQ", _devsq), ("AVEDEV", _avedev), ("GEOMEAN", _geomean), ("HARMEAN", _harmean)):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(_statistic(_function, none=NUM))


def _kth(largest: bool) -> Callable[[Value, Value], Value]:
    def call(cells: Value, k: Value) -> Value:
        values = numbers_of((cells,))
        if isinstance(values, CellError):
            return values

        def single(position: Value) -> Value:
            n = number(direct(position))
            if isinstance(n, CellError):
                return n
            index = math.ceil(n)
            if not 1 <= index <= len(values):
                return NUM
            ordered = sorted(values, reverse=largest)
            return ordered[index - 1]

        return elementwise(single, k)

    return call


FUNCTIONS.add("LARGE", 2, 2, ranges=(0,))(_kth(True))
FUNCTIONS.add("SMALL", 2, 2, ranges=(0,))(_kth(False))


def _percentile_inc(values: list[float], p: float) -> float | CellError:
    if not values or not 0 <= p <= 1:
        return NUM
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _percentile_exc(values: list[float], p: float) -> float | CellError:
    n = len(values)
    position = p * (n + 1)
    if not values or position < 1 or position > n:
        return NUM
    ordered = sorted(values)
    low = math.floor(position)
    high = min(low + 1, n)
    return ordered[low - 1] + (position - low) * (ordered[high - 1] - ordered[low - 1])


def _ranked(function: Callable[[list[float], float], float | CellError], scale: float = 1.0) -> Callable[..., Value]:
    def call(cells: Value, p: Value) -> Value:
        values = numbers_of((cells,))
        if isinstance(values, CellError):
            return values
        n = number(direct(p))
        if isinstance(n, CellError):
            return n
        if scale != 1.0:
            if n < 0 or n >= 5 or (function is _percentile_exc and not 1 <= n <= 3):
                return NUM
            n = math.trunc(n) / scale
        return function(values, n)

    return call


for _name in ("PERCENTILE", "PERCENTILE.INC"):
    FUNCTIONS.add(_name, 2, 2, ranges=(0,))(_ranked(_percentile_inc))
FUNCTIONS.add("PERCENTILE.EXC", 2, 2, ranges=(0,))(_ranked(_percentile_exc))
for _name in ("QUARTILE", "QUARTILE.INC"):
    FUNCTIONS.add(_name, 2, 2, ranges=(0,))(_ranked(_percentile_inc, 4.0))
FUNCTIONS.add("QUARTILE.EXC", 2, 2, ranges=(0,))(_ranked(_percentile_exc, 4.0))


def _rank(average: bool) -> Callable[..., Value]:
    def call(value: Value, cells: Value, order: Value = 0.0) -> Value:
        x = number(direct(value))
        if isinstance(x, CellError):
            return x
        values = numbers_of((cells,))
        if isinstance(values, CellError):
            return values
        ascending = number(direct(order))
        if isinstance(ascending, CellError):
            return ascending
        if x not in values:
            return NA
        before = sum(1 for v in values if (v < x if ascending else v > x))
        if not average:
            return float(before + 1)
        ties = sum(1 for v in values if v == x)
        return before + (ties + 1) / 2

    return call


for _name in ("RANK", "RANK.EQ"):
    FUNCTIONS.add(_name, 2, 3, ranges=(1,))(_rank(False))
FUNCTIONS.add("RANK.AVG", 2, 3, ranges=(1,))(_rank(True))


_STANDARD = statistics.NormalDist()


def _standard_cdf(z: float) -> float:
    """The standard normal distribution function, through erfc: exact in the far tail (cdf(-10) is 7.6E-24,
    not 0 as 1 + erf would give)."""
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _norm_dist(x: float, mean: float, deviation: float, cumulative: float) -> float | CellError:
    if deviation <= 0:
        return NUM
    if cumulative:
        return _standard_cdf((x - mean) / deviation)
    return statistics.NormalDist(mean, deviation).pdf(x)


def _norm_inv(p: float, mean: float, deviation: float) -> float | CellError:
    if not 0 < p < 1 or deviation <= 0:
        return NUM
    return statistics.NormalDist(mean, deviation).inv_cdf(p)


def _norm_s_inv(p: float) -> float | CellError:
    return _STANDARD.inv_cdf(p) if 0 < p < 1 else NUM


FUNCTIONS.add("NORM.DIST", 4, 4)(logical_at(numeric(_norm_dist), 3))
FUNCTIONS.add("NORMDIST", 4, 4)(logical_at(numeric(_norm_dist), 3))
FUNCTIONS.add("NORM.INV", 3, 3)(numeric(_norm_inv))
FUNCTIONS.add("NORMINV", 3, 3)(numeric(_norm_inv))
FUNCTIONS.add("NORM.S.DIST", 2, 2)(
    logical_at(numeric(lambda z, cumulative: _standard_cdf(z) if cumulative else _STANDARD.pdf(z)), 1)
)
FUNCTIONS.add("NORMSDIST", 1, 1)(numeric(_standard_cdf))
FUNCTIONS.add("NORM.S.INV", 1, 1)(numeric(_norm_s_inv))
FUNCTIONS.add("NORMSINV", 1, 1)(numeric(_norm_s_inv))


SUBTOTALS = {
    1: "AVERAGE",
    2: "COUNT",
    3: "COUNTA",
    4: "MAX",
    5: "MIN",
    6: "PRODUCT",
    7: "STDEV",
    8: "STDEVP",
    9: "SUM",
    10: "VAR",
    11: "VARP",
}
"""SUBTOTAL's function numbers (plus 100: the same, hidden rows left out) -> the function it applies."""


@FUNCTIONS.add("SUBTOTAL", 2, None, ranges=tuple(range(1, 255)))
def xl_subtotal(kind: Value, *args: Value) -> Value:
    """SUBTOTAL over ranges in which (the compiler checked) no other SUBTOTAL sits and no row is hidden."""
    code = number(direct(kind))
    if isinstance(code, CellError):
        return code
    name = SUBTOTALS.get(int(code) % 100 if int(code) > 100 else int(code))
    if name is None or int(code) != code:
        return VALUE
    return _SUBTOTAL_FUNCTIONS[name](*args)


_SUBTOTAL_FUNCTIONS = {
    "AVERAGE": aggregate.xl_average,
    "COUNT": aggregate.xl_count,
    "COUNTA": aggregate.xl_counta,
    "MAX": aggregate.xl_max,
    "MIN": aggregate.xl_min,
    "PRODUCT": aggregate.xl_product,
    "SUM": aggregate.xl_sum,
    "STDEV": FUNCTIONS["STDEV"].function,
    "STDEVP": FUNCTIONS["STDEVP"].function,
    "VAR": FUNCTIONS["VAR"].function,
    "VARP": FUNCTIONS["VARP"].function,
}
