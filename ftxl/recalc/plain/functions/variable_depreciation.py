"""Excel's VDB: depreciation from one period to another, parts of periods included, by a declining balance
(`factor`, 2 by default) that switches to straight-line when that gives more, unless `no_switch` is TRUE.

The steps follow the reading of Excel's function that LibreOffice and Gnumeric share: whole periods from the
book value left after the periods before the start; a part of a period at either end counted pro rata of that
period's depreciation.
"""

from __future__ import annotations

import math

from ...values import MISSING, NUM, CellError, NotCoveredError, Value
from .maths import logical_at, numeric
from .spec import Library

FUNCTIONS = Library()


def _declining(cost: float, salvage: float, life: float, period: float, factor: float) -> float:
    """The declining-balance depreciation of whole period `period` (1 is the first), never below salvage."""
    rate = factor / life
    if rate >= 1.0:
        rate, before = 1.0, cost if period == 1 else 0.0
    else:
        before = cost * (1 - rate) ** (period - 1)
    after = cost * (1 - rate) ** period
    return max(before - (salvage if after < salvage else after), 0.0)


def _switching(cost: float, salvage: float, life: float, remaining: float, periods: float, factor: float) -> float:
    """Depreciation over the first `periods` of an asset worth `cost` with `remaining` periods of its life left,
    switching to straight-line once that gives more (a part of a last period counted pro rata)."""
    total, left, straight, switched = 0.0, cost - salvage, 0.0, False
    last = math.ceil(periods)
    for k in range(1, last + 1):
        if not switched:
            declining = _declining(cost, salvage, life, k, factor)
            straight = left / (remaining - (k - 1))
            if straight > declining:
                term, switched = straight, True
            else:
                term = declining
                left -= declining
        else:
            term = straight
        if k == last:
            term *= periods + 1 - last
        total += term
    return total


def _vdb(
    cost: float, salvage: float, life: float, start: float, end: float, factor: float = 2.0, no_switch: float = 0.0
) -> float | CellError:
    if start < 0 or end < start or end > life or cost < 0 or salvage > cost or factor <= 0 or life <= 0:
        return NUM
    first, last = math.floor(start), math.ceil(end)
    if no_switch:
        total = 0.0
        for k in range(first + 1, last + 1):
            term = _declining(cost, salvage, life, k, factor)
            if k == first + 1:
                term *= min(end, first + 1) - start
            elif k == last:
                term *= end + 1 - last
            total += term
        return total
    part = 0.0
    if start != first:
        value = cost - _switching(cost, salvage, life, life, first, factor)
        part += (start - first) * _switching(value, salvage, life, life - first, 1, factor)
    if end != last:
        value = cost - _switching(cost, salvage, life, life, last - 1, factor)
        part += (last - end) * _switching(value, salvage, life, life - (last - 1), 1, factor)
    book = cost - _switching(cost, salvage, life, life, first, factor)
    return _switching(book, salvage, life, life - first, last - first, factor) - part


_computed = logical_at(numeric(_vdb), 6)


@FUNCTIONS.add("VDB", 5, 7)
def xl_vdb(*args: Value) -> Value:
    """VDB(cost, salvage, life, start_period, end_period, [factor], [no_switch])."""
    if len(args) == 7 and args[5] is MISSING:
        raise NotCoveredError("VDB with its factor left out between commas")
    return _computed(*args)
