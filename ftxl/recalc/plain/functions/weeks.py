"""Excel's week numbers: WEEKNUM (every return type: the week holding 1 January is week 1, weeks starting on the
day the type names; 21 is ISO) and ISOWEEKNUM (weeks from Monday, week 1 holding the year's first Thursday).

Days before 1900-03-01 in the 1900 system (where Excel's calendar keeps a 29 February that never was) are left to
another engine.
"""

from __future__ import annotations

import datetime as dt
import math

from ...values import MISSING, NUM, CellError, NotCoveredError, Value
from .dates import _dated, _serial, _whole, to_date
from .spec import Library

FUNCTIONS = Library()

_FIRST_DAY = {1: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}
"""WEEKNUM's return type -> the day its weeks start on (0 = Monday ... 6 = Sunday); 21 is ISO 8601."""


def _calendar_date(date1904: bool, value: Value) -> dt.date | CellError:
    serial = _serial(value)
    if isinstance(serial, CellError):
        return serial
    whole = math.floor(serial)
    if not date1904 and whole < 61:
        raise NotCoveredError("a week number of a day before 1900-03-01 (Excel's 1900-02-29)")
    ymd = to_date(whole, date1904)
    return ymd if isinstance(ymd, CellError) else dt.date(*ymd)


@FUNCTIONS.add("WEEKNUM", 1, 2, dates=True)
@_dated
def xl_weeknum(date1904: bool, value: Value, kind: Value = 1.0) -> Value:
    if kind is MISSING:
        raise NotCoveredError("WEEKNUM with its return type left out after a comma")
    day = _calendar_date(date1904, value)
    style = _whole(1.0 if kind is None else kind)
    if isinstance(day, CellError):
        return day
    if isinstance(style, CellError):
        return style
    if style == 21:
        return float(day.isocalendar()[1])
    if style not in _FIRST_DAY:
        return NUM
    january_first = dt.date(day.year, 1, 1)
    offset = (january_first.weekday() - _FIRST_DAY[style]) % 7  # days of week 1 before 1 January
    return float((day.timetuple().tm_yday - 1 + offset) // 7 + 1)


@FUNCTIONS.add("ISOWEEKNUM", 1, 1, dates=True)
@_dated
def xl_isoweeknum(date1904: bool, value: Value) -> Value:
    day = _calendar_date(date1904, value)
    return day if isinstance(day, CellError) else float(day.isocalendar()[1])
