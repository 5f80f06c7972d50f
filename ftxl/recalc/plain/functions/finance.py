"""Excel's finance functions on a constant rate: PMT, PV, FV, NPER, NPV, IRR, XNPV.

Excel's sign convention: money paid out is negative, money received positive; `type` 1
means payments at the start of each period, 0 (the default) at its end.
"""

from __future__ import annotations

import math

from ...values import DIV0, NUM, CellError, Grid, Value, direct, finite, number
from .aggregate import numbers_of
from .maths import numeric
from .spec import Library

FUNCTIONS = Library()


def _pmt(rate: float, periods: float, pv: float, fv: float = 0.0, kind: float = 0.0) -> float | CellError:
    if periods == 0:
        return NUM
    if rate == 0:
        return -(pv + fv) / periods
    growth = (1 + rate) ** periods
    return -(rate * (pv * growth + fv)) / ((1 + rate * (1 if kind else 0)) * (growth - 1))


def _pv(rate: float, periods: float, payment: float, fv: float = 0.0, kind: float = 0.0) -> float | CellError:
    if rate == 0:
        return -(fv + payment * periods)
    growth = (1 + rate) ** periods
    return -(fv + payment * (1 + rate * (1 if kind else 0)) * (growth - 1) / rate) / growth


def _fv(rate: float, periods: float, payment: float, pv: float = 0.0, kind: float = 0.0) -> float | CellError:
    if rate == 0:
        return -(pv + payment * periods)
    growth = (1 + rate) ** periods
    return -(pv * growth + payment * (1 + rate * (1 if kind else 0)) * (growth - 1) / rate)


def _nper(rate: float, payment: float, pv: float, fv: float = 0.0, kind: float = 0.0) -> float | CellError:
    if rate == 0:
        return DIV0 if payment == 0 else -(pv + fv) / payment
    adjusted = payment * (1 + rate * (1 if kind else 0)) / rate
    ratio = (adjusted - fv) / (adjusted + pv)
    if ratio <= 0 or rate <= -1:
        return NUM
    return math.log(ratio) / math.log(1 + rate)


FUNCTIONS.add("PMT", 3, 5)(numeric(_pmt))
FUNCTIONS.add("PV", 3, 5)(numeric(_pv))
FUNCTIONS.add("FV", 3, 5)(numeric(_fv))
FUNCTIONS.add("NPER", 3, 5)(numeric(_nper))


@FUNCTIONS.add("NPV", 2, None, ranges=None)
def xl_npv(rate: Value, *flows: Value) -> Value:
    r = number(direct(rate.first() if isinstance(rate, Grid) else rate))
    if isinstance(r, CellError):
        return r
    values = numbers_of(flows)
    if isinstance(values, CellError):
        return values
    if r == -1:
        return DIV0
    return finite(math.fsum(v / (1 + r) ** (k + 1) for k, v in enumerate(values)))


@FUNCTIONS.add("IRR", 1, 2, ranges=(0,))
def xl_irr(flows: Value, guess: Value = 0.1) -> Value:
    values = numbers_of((flows,))
    if isinstance(values, CellError):
        return values
    start = number(direct(guess))
    if isinstance(start, CellError):
        return start
    if not any(v > 0 for v in values) or not any(v < 0 for v in values):
        return NUM
    rate = start
    for _ in range(50):  # Newton's method, as Excel's (20 steps there, to 0.00001 %)
        if rate <= -1:
            return NUM
        value = math.fsum(v / (1 + rate) ** k for k, v in enumerate(values))
        slope = math.fsum(-k * v / (1 + rate) ** (k + 1) for k, v in enumerate(values))
        if slope == 0:
            return NUM
        step = value / slope
        rate -= step
        if abs(step) < 1e-12:
            return rate
    return NUM


@FUNCTIONS.add("XNPV", 3, 3, ranges=(1, 2))
def xl_xnpv(rate: Value, flows: Value, dates: Value) -> Value:
    r = number(direct(rate))
    if isinstance(r, CellError):
        return r
    amounts, days = numbers_of((flows,)), numbers_of((dates,))
    if isinstance(amounts, CellError):
        return amounts
    if isinstance(days, CellError):
        return days
    if len(amounts) != len(days) or not amounts:
        return NUM
    if r <= -1 or any(math.floor(d) < math.floor(days[0]) for d in days):
        return NUM
    first = math.floor(days[0])
    return finite(math.fsum(v / (1 + r) ** ((math.floor(d) - first) / 365) for v, d in zip(amounts, days, strict=True)))
