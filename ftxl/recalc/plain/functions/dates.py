"""Excel's date and time functions on serial numbers: DATE, YEAR, MONTH, DAY, EDATE, EOMONTH, WEEKDAY,
DATEDIF, DATEVALUE, TIME, HOUR, MINUTE, SECOND.

A date is a serial number of days. In the 1900 date system (the default) serial 1 is
1900-01-01 and serial 60 is 1900-02-29, a day that never was, which Excel keeps for
Lotus 1-2-3's sake: so serials from 61 on are one day off the calendar, and WEEKDAY
counts from serial 1 as a Sunday. In the 1904 system (`workbookPr date1904`) serial 0
is 1904-01-01. Each function takes the workbook's system as its first argument
(`Spec.dates`); text that should read as a date is left to the other engine.
"""

from __future__ import annotations

import datetime as dt
import math

from ...values import NUM, VALUE, CellError, NotCoveredError, Value, direct, elementwise, number, truth
from .spec import Library

FUNCTIONS = Library()

LAST_SERIAL = 2958465
"""9999-12-31 in the 1900 system, the last date Excel shows."""
OFFSET_1904 = 1462
"""Days between the systems: a 1904 serial plus this is the 1900 serial of the same day."""
_BASE_1900 = dt.date(1899, 12, 31)
_BASE_1904 = dt.date(1904, 1, 1)


def to_date(serial: float, date1904: bool) -> tuple[int, int, int] | CellError:
    """(year, month, day) of a serial, with Excel's 1900-02-29 and its day 0 (1900-01-00)."""
    whole = math.floor(serial)
    if whole < 0 or whole > LAST_SERIAL - (OFFSET_1904 if date1904 else 0):
        return NUM
    if date1904:
        day = _BASE_1904 + dt.timedelta(days=whole)
        return day.year, day.month, day.day
    if whole == 0:
        return 1900, 1, 0
    if whole == 60:
        return 1900, 2, 29
    day = _BASE_1900 + dt.timedelta(days=whole - (1 if whole > 60 else 0))
    return day.year, day.month, day.day


def to_serial(year: int, month: int, day: int, date1904: bool) -> float | CellError:
    """The serial of a calendar day, months and days past their end carried over as DATE does."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if not 0 <= year <= 9999:
        return NUM
    first = dt.date(year, month, 1)
    if date1904:
        serial = (first - _BASE_1904).days + day - 1
    else:
        serial = (first - _BASE_1900).days + (1 if first > dt.date(1900, 2, 28) else 0) + day - 1
    if serial < 0 or serial > LAST_SERIAL - (OFFSET_1904 if date1904 else 0):
        return NUM
    return float(serial)


def _serial(value: Value) -> float | CellError:
    """A date argument as a serial: text dates are left to the other engine."""
    value = direct(value)
    if type(value) is str and value.strip():
        try:
            float(value)
        except ValueError:
            raise NotCoveredError("a date given as text") from None
    result = number(value)
    if type(result) is CellError:
        return result
    return NUM if result < 0 else result  # type: ignore[operator]


def _whole(value: Value) -> int | CellError:
    result = number(direct(value))
    if type(result) is CellError:
        return result
    if not math.isfinite(result):  # type: ignore[arg-type]
        return NUM
    return math.trunc(result)  # type: ignore[arg-type]


def _dated(function):  # type: ignore[no-untyped-def]
    """A function of (date system, *values) made to work cell by cell over arrays."""

    def call(date1904: bool, *args: Value) -> Value:
        return elementwise(lambda *values: function(date1904, *values), *args)

    return call


@FUNCTIONS.add("DATE", 3, 3, dates=True)
@_dated
def xl_date(date1904: bool, year: Value, month: Value, day: Value) -> Value:
    parts = [_whole(year), _whole(month), _whole(day)]
    error = next((p for p in parts if type(p) is CellError), None)
    if error is not None:
        return error
    y, m, d = parts
    if 0 <= y < 1900:  # type: ignore[operator]
        y += 1900  # type: ignore[operator]
    if abs(m) > 10**6 or abs(d) > 10**8:  # type: ignore[arg-type]
        return NUM
    return to_serial(y, m, d, date1904)  # type: ignore[arg-type]


def _part(index: int):  # type: ignore[no-untyped-def]
    def part(date1904: bool, value: Value) -> Value:
        serial = _serial(value)
        if type(serial) is CellError:
            return serial
        ymd = to_date(serial, date1904)  # type: ignore[arg-type]
        return ymd if type(ymd) is CellError else float(ymd[index])  # type: ignore[index]

    return _dated(part)


FUNCTIONS.add("YEAR", 1, 1, dates=True)(_part(0))
FUNCTIONS.add("MONTH", 1, 1, dates=True)(_part(1))
FUNCTIONS.add("DAY", 1, 1, dates=True)(_part(2))


def _month_shift(date1904: bool, start: Value, months: Value, end_of_month: bool) -> Value:
    if type(start) is bool or type(months) is bool:  # TRUE in a cell is no date nor a count: Excel's #VALUE!
        return VALUE
    serial, shift = _serial(start), _whole(months)
    if type(serial) is CellError:
        return serial
    if type(shift) is CellError:
        return shift
    ymd = to_date(serial, date1904)  # type: ignore[arg-type]
    if type(ymd) is CellError:
        return ymd
    year, month, day = ymd  # type: ignore[misc]
    total = year * 12 + month - 1 + shift  # type: ignore[operator]
    year, month = divmod(total, 12)
    month += 1
    if not 1900 <= year <= 9999 and not (date1904 and year >= 1904):
        return NUM
    last = _days_in(year, month, date1904)
    return to_serial(year, month, last if end_of_month else min(day, last), date1904)


def _days_in(year: int, month: int, date1904: bool) -> int:
    if month == 2 and year == 1900 and not date1904:
        return 29  # Excel's 1900-02-29
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


@FUNCTIONS.add("EDATE", 2, 2, dates=True)
@_dated
def xl_edate(date1904: bool, start: Value, months: Value) -> Value:
    return _month_shift(date1904, start, months, False)


@FUNCTIONS.add("EOMONTH", 2, 2, dates=True)
@_dated
def xl_eomonth(date1904: bool, start: Value, months: Value) -> Value:
    return _month_shift(date1904, start, months, True)


_WEEK_STARTS = {1: (1, 1), 2: (2, 1), 3: (2, 0), 11: (2, 1), 12: (3, 1), 13: (4, 1), 14: (5, 1), 15: (6, 1)}
_WEEK_STARTS |= {16: (7, 1), 17: (1, 1)}
"""WEEKDAY's return type -> (the weekday counted first, 1 = Sunday, and the number it gets)."""


@FUNCTIONS.add("WEEKDAY", 1, 2, dates=True)
@_dated
def xl_weekday(date1904: bool, value: Value, kind: Value = 1.0) -> Value:
    serial, style = _serial(value), _whole(1.0 if kind is None else kind)
    if type(serial) is CellError:
        return serial
    if type(style) is CellError:
        return style
    if style not in _WEEK_STARTS:
        return NUM
    whole = math.floor(serial) + (OFFSET_1904 if date1904 else 0)  # type: ignore[arg-type]
    if whole > LAST_SERIAL:
        return NUM
    sunday_based = (whole - 1) % 7 + 1  # serial 1 is a Sunday in Excel's count
    first, number_of_first = _WEEK_STARTS[style]  # type: ignore[index]
    return float((sunday_based - first) % 7 + number_of_first)


def _weekday_index(serial: int, date1904: bool) -> int:
    """0 = Monday ... 6 = Sunday, of a whole serial, as Excel counts."""
    return (serial + (OFFSET_1904 if date1904 else 0) - 2) % 7


@FUNCTIONS.add("DATEDIF", 3, 3, dates=True)
@_dated
def xl_datedif(date1904: bool, start: Value, end: Value, unit: Value) -> Value:
    a, b = _serial(start), _serial(end)
    if type(a) is CellError:
        return a
    if type(b) is CellError:
        return b
    if not isinstance(unit, str):
        return VALUE if not isinstance(unit, CellError) else unit
    a, b = math.floor(a), math.floor(b)  # type: ignore[arg-type]
    if a > b:
        return NUM
    code = unit.upper()
    if code == "D":
        return float(b - a)
    first, last = to_date(a, date1904), to_date(b, date1904)
    if type(first) is CellError or type(last) is CellError:
        return NUM
    (y1, m1, d1), (y2, m2, d2) = first, last  # type: ignore[misc]
    months = (y2 - y1) * 12 + m2 - m1 - (1 if d2 < d1 else 0)
    if code == "M":
        return float(months)
    if code == "Y":
        return float(months // 12)
    if code == "YM":
        return float(months % 12)
    if code == "YD" and (m1, d1) != (2, 29) and (m2, d2) != (2, 29):
        year = y2 if (m2, d2) >= (m1, d1) else y2 - 1
        shifted = to_serial(year, m1, d1, date1904)
        if type(shifted) is not CellError and y1 > 1900:
            return float(b - shifted)  # type: ignore[operator]
    if code in ("YD", "MD"):
        raise NotCoveredError(f'DATEDIF with "{code}"')  # Excel's own rules there are irregular
    return NUM


@FUNCTIONS.add("DAYS", 2, 2, dates=True)
@_dated
def xl_days(date1904: bool, end: Value, start: Value) -> Value:
    """DAYS(end_date, start_date): the whole days from start to end."""
    a, b = _serial(start), _serial(end)
    if type(b) is CellError:
        return b
    if type(a) is CellError:
        return a
    return float(math.floor(b) - math.floor(a))  # type: ignore[arg-type]


@FUNCTIONS.add("DAYS360", 2, 3, dates=True)
@_dated
def xl_days360(date1904: bool, start: Value, end: Value, european: Value = False) -> Value:
    """DAYS360(start_date, end_date, [method]): days between two dates on twelve 30-day months, by the US
    (NASD) rule (a start on the month's last day counts as the 30th; an end on the 31st as the 30th when the
    start is on the 30th or later) or, with method TRUE, the European one (the 31st is the 30th)."""
    a, b = _serial(start), _serial(end)
    if type(a) is CellError:
        return a
    if type(b) is CellError:
        return b
    method = truth(direct(european))
    if type(method) is CellError:
        return method
    first, last = to_date(math.floor(a), date1904), to_date(math.floor(b), date1904)  # type: ignore[arg-type]
    if type(first) is CellError:
        return first
    if type(last) is CellError:
        return last
    (y1, m1, d1), (y2, m2, d2) = first, last  # type: ignore[misc]
    if method:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        if d1 == 31 or (m1 == 2 and d1 == _days_in(y1, 2, date1904)):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return float((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1))


@FUNCTIONS.add("DATEVALUE", 1, 1, dates=True)
@_dated
def xl_datevalue(date1904: bool, value: Value) -> Value:
    if type(value) is CellError:
        return value
    if not isinstance(value, str):
        return VALUE
    try:
        day = dt.date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise NotCoveredError("DATEVALUE of text other than year-month-day") from None
    return to_serial(day.year, day.month, day.day, date1904)


@FUNCTIONS.add("TIME", 3, 3)
def xl_time(hour: Value, minute: Value, second: Value) -> Value:
    def single(h: Value, m: Value, s: Value) -> Value:
        parts = [_whole(h), _whole(m), _whole(s)]
        error = next((p for p in parts if type(p) is CellError), None)
        if error is not None:
            return error
        total = parts[0] * 3600 + parts[1] * 60 + parts[2]  # type: ignore[operator]
        if total < 0 or max(parts) > 32767:  # type: ignore[type-var, operator]
            return NUM
        return (total % 86400) / 86400

    return elementwise(single, hour, minute, second)


def _clock(divisor: int, modulus: int):  # type: ignore[no-untyped-def]
    def single(value: Value) -> Value:
        serial = _serial(value)
        if type(serial) is CellError:
            return serial
        seconds = round((serial - math.floor(serial)) * 86400)  # type: ignore[operator, arg-type]
        return float(seconds // divisor % modulus)

    return lambda value: elementwise(single, value)


FUNCTIONS.add("HOUR", 1, 1)(_clock(3600, 24))
FUNCTIONS.add("MINUTE", 1, 1)(_clock(60, 60))
FUNCTIONS.add("SECOND", 1, 1)(_clock(1, 60))


@FUNCTIONS.add("YEARFRAC", 2, 3, dates=True)
@_dated
def xl_yearfrac(date1904: bool, start: Value, end: Value, basis: Value = 0.0) -> Value:
    """The share of a year between two dates, by day-count basis: 0 US 30/360, 1 actual/actual, 2 actual/360,
    3 actual/365, 4 European 30/360 (Excel's rules, including its averaging of year lengths for basis 1)."""
    # Excel looks at the basis first: its error, a logical or text is the answer before any date's error
    basis = direct(basis)
    if type(basis) is bool or type(start) is bool or type(end) is bool:
        return VALUE
    kind = _whole(0.0 if basis is None else basis)
    if type(kind) is CellError:
        return kind
    if kind not in (0, 1, 2, 3, 4):
        return NUM
    first, last = _serial(start), _serial(end)
    for part in (first, last):
        if type(part) is CellError:
            return part
    first, last = math.floor(first), math.floor(last)  # type: ignore[arg-type]
    if first > last:
        first, last = last, first
    a, b = to_date(first, date1904), to_date(last, date1904)
    if type(a) is CellError or type(b) is CellError:
        return NUM
    if (not date1904 and first <= 60) or a[2] == 0:  # type: ignore[index]
        raise NotCoveredError("YEARFRAC of a day in Excel's 1900-01-00 .. 1900-02-29")
    days = last - first
    if kind == 2:
        return days / 360
    if kind == 3:
        return days / 365
    if kind == 1:
        return days / _actual_year(a, b)  # type: ignore[arg-type]
    return _days_360(a, b, european=kind == 4) / 360  # type: ignore[arg-type]


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _actual_year(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """Basis 1's year length: 365 or 366 within a year (366 when a 29 February lies between), else the
    average length of the calendar years the dates span."""
    (y1, m1, d1), (y2, m2, d2) = a, b
    within = y1 == y2 or (y2 == y1 + 1 and (m1, d1) >= (m2, d2))
    if not within:
        years = y2 - y1 + 1
        return sum(366 if _leap(year) else 365 for year in range(y1, y2 + 1)) / years
    if y1 == y2:
        return 366.0 if _leap(y1) else 365.0
    start, end = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
    for year in (y1, y2):
        if _leap(year) and start <= dt.date(year, 2, 29) <= end:
            return 366.0
    return 365.0


def _days_360(a: tuple[int, int, int], b: tuple[int, int, int], european: bool) -> float:
    """Days between two dates on a 360-day year: the US (NASD) rules of YEARFRAC basis 0, or European."""
    (y1, m1, d1), (y2, m2, d2) = a, b
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        last_feb_1 = m1 == 2 and d1 == (29 if _leap(y1) else 28)
        last_feb_2 = m2 == 2 and d2 == (29 if _leap(y2) else 28)
        if last_feb_1 and last_feb_2:
            d2 = 30
        if last_feb_1:
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        if d1 == 31:
            d1 = 30
    return float((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1))
