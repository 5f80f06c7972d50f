"""Excel's finance functions on a constant rate: PMT, PV, FV, NPER, IPMT, PPMT, CUMIPMT, CUMPRINC, NPV, IRR,
MIRR, XNPV, EFFECT, NOMINAL; depreciation SLN, SYD, DDB, DB.

Excel's sign convention: money paid out is negative, money received positive; `type` 1
means payments at the start of each period, 0 (the default) at its end.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ...values import DIV0, NUM, CellError, Grid, NotCoveredError, Value, direct, finite, number
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


def _ipmt(
    rate: float, period: float, periods: float, pv: float, fv: float = 0.0, kind: float = 0.0
) -> float | CellError:
    """The interest part of payment `period` (1 to `periods`): the balance before it times the rate (with
    payments at the start, none in the first period and the rest discounted by one period)."""
    if not 1 <= period <= periods:
        return NUM
    payment = _pmt(rate, periods, pv, fv, kind)
    if isinstance(payment, CellError):
        return payment
    if kind and period == 1:
        return 0.0
    balance = _fv(rate, period - 1, payment, pv, kind)
    if isinstance(balance, CellError):
        return balance
    interest = balance * rate
    return interest / (1 + rate) if kind else interest


def _ppmt(
    rate: float, period: float, periods: float, pv: float, fv: float = 0.0, kind: float = 0.0
) -> float | CellError:
    """The principal part of payment `period`: the payment less its interest."""
    payment, interest = _pmt(rate, periods, pv, fv, kind), _ipmt(rate, period, periods, pv, fv, kind)
    if isinstance(payment, CellError):
        return payment
    return interest if isinstance(interest, CellError) else payment - interest


def _cumulative(part: Callable[..., float | CellError]) -> Callable[..., float | CellError]:
    def total(rate: float, periods: float, pv: float, first: float, last: float, kind: float) -> float | CellError:
        """The interest (principal) paid from period `first` to `last`, both included (Excel's CUMIPMT)."""
        first, last = math.trunc(first), math.trunc(last)
        if rate <= 0 or periods <= 0 or pv <= 0 or first < 1 or last < first or last > periods or kind not in (0, 1):
            return NUM
        paid = 0.0
        for period in range(first, last + 1):
            amount = part(rate, period, periods, pv, 0.0, kind)
            if isinstance(amount, CellError):
                return amount
            paid += amount
        return paid

    return total


def _effect(nominal: float, periods: float) -> float | CellError:
    periods = math.trunc(periods)
    if nominal <= 0 or periods < 1:
        return NUM
    return (1 + nominal / periods) ** periods - 1


def _nominal(effect: float, periods: float) -> float | CellError:
    periods = math.trunc(periods)
    if effect <= 0 or periods < 1:
        return NUM
    return periods * ((1 + effect) ** (1 / periods) - 1)


def _sln(cost: float, salvage: float, life: float) -> float | CellError:
    return DIV0 if life == 0 else (cost - salvage) / life


def _syd(cost: float, salvage: float, life: float, period: float) -> float | CellError:
    if life <= 0 or period <= 0 or period > life:
        return NUM
    return (cost - salvage) * (life - period + 1) * 2 / (life * (life + 1))


def _whole(*values: float) -> None:
    if any(v != math.trunc(v) for v in values) or any(v > 100_000 for v in values):
        raise NotCoveredError("depreciation over a fractional or very long life or period")


def _ddb(cost: float, salvage: float, life: float, period: float, factor: float = 2.0) -> float | CellError:
    """Double-declining balance (or `factor`): each period the book value times factor / life, never below
    the salvage value."""
    if cost < 0 or salvage < 0 or life <= 0 or period <= 0 or period > life or factor <= 0:
        return NUM
    _whole(life, period)
    rate, book, amount = min(factor / life, 1.0), cost, 0.0
    for _ in range(int(period)):
        amount = min(book * rate, max(0.0, book - salvage))
        book -= amount
    return amount


def _db(cost: float, salvage: float, life: float, period: float, months: float = 12.0) -> float | CellError:
    """Fixed-declining balance: the rate 1 - (salvage / cost)^(1 / life) rounded to three decimals; the first
    period counts `months` of 12, and a last period (life + 1) the rest."""
    months = math.trunc(months)
    if cost <= 0 or salvage < 0 or life <= 0 or period <= 0 or not 1 <= months <= 12:
        return NUM
    _whole(life, period)
    if period > life + (1 if months < 12 else 0):
        return NUM
    rate = round(1 - (salvage / cost) ** (1 / life), 3)
    total, amount = 0.0, 0.0
    for current in range(1, int(period) + 1):
        if current == 1:
            amount = cost * rate * months / 12
        elif current == life + 1:
            amount = (cost - total) * rate * (12 - months) / 12
        else:
            amount = (cost - total) * rate
        total += amount
    return amount


def _rate(
    periods: float, payment: float, pv: float, fv: float = 0.0, kind: float = 0.0, guess: float = 0.1
) -> float | CellError:
    """RATE: the rate per period at which `pv` and `periods` payments (at the end, or the start when `kind` is
    1) come to `fv`, by Newton's method from `guess`, as Excel iterates (20 steps at most). Where that does not
    settle, Excel's own steps decide: another engine is asked."""
    if periods <= 0:
        return NUM
    start = 1.0 if kind else 0.0
    rate = guess
    for _ in range(20):
        if rate <= -1:
            break
        if abs(rate) < 1e-12:
            value = pv + payment * periods + fv
            slope = pv * periods + payment * (periods * (periods - 1) / 2 + start * periods)
        else:
            grown = (1 + rate) ** periods
            d_grown = periods * (1 + rate) ** (periods - 1)
            annuity = (grown - 1) / rate
            d_annuity = (d_grown * rate - (grown - 1)) / rate**2
            value = pv * grown + payment * (1 + rate * start) * annuity + fv
            slope = pv * d_grown + payment * (start * annuity + (1 + rate * start) * d_annuity)
        if slope == 0 or not math.isfinite(slope) or not math.isfinite(value):
            break
        step = value / slope
        rate -= step
        if abs(step) < 1e-12 * max(1.0, abs(rate)):
            return rate
    raise NotCoveredError("RATE that does not settle in 20 steps of Newton's method")


FUNCTIONS.add("RATE", 3, 6)(numeric(_rate))
FUNCTIONS.add("IPMT", 4, 6)(numeric(_ipmt))
FUNCTIONS.add("PPMT", 4, 6)(numeric(_ppmt))
FUNCTIONS.add("CUMIPMT", 6, 6)(numeric(_cumulative(_ipmt)))
FUNCTIONS.add("CUMPRINC", 6, 6)(numeric(_cumulative(_ppmt)))
FUNCTIONS.add("EFFECT", 2, 2)(numeric(_effect))
FUNCTIONS.add("NOMINAL", 2, 2)(numeric(_nominal))
FUNCTIONS.add("SLN", 3, 3)(numeric(_sln))
FUNCTIONS.add("SYD", 4, 4)(numeric(_syd))
FUNCTIONS.add("DDB", 4, 5)(numeric(_ddb))
FUNCTIONS.add("DB", 4, 5)(numeric(_db))


@FUNCTIONS.add("MIRR", 3, 3, ranges=(0,))
def xl_mirr(flows: Value, finance_rate: Value, reinvest_rate: Value) -> Value:
    """The modified internal rate of return: payments discounted at the finance rate, receipts compounded at the
    reinvestment rate to the last period."""
    values = numbers_of((flows,))
    if isinstance(values, CellError):
        return values
    finance = number(direct(finance_rate.first() if isinstance(finance_rate, Grid) else finance_rate))
    reinvest = number(direct(reinvest_rate.first() if isinstance(reinvest_rate, Grid) else reinvest_rate))
    if isinstance(finance, CellError):
        return finance
    if isinstance(reinvest, CellError):
        return reinvest
    n = len(values)
    if n < 2 or finance <= -1 or reinvest <= -1:
        return DIV0 if n < 2 else NUM
    paid = math.fsum(v / (1 + finance) ** k for k, v in enumerate(values) if v < 0)
    grown = math.fsum(v * (1 + reinvest) ** (n - 1 - k) for k, v in enumerate(values) if v > 0)
    if paid == 0 or grown == 0:
        return DIV0
    return finite((-grown / paid) ** (1 / (n - 1)) - 1)


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
