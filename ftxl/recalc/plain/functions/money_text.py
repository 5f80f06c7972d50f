"""Excel's numbers written as text with a fixed number of decimals: FIXED (thousands separated unless told not
to) and DOLLAR (with the currency sign, negatives in parentheses). Both round half away from zero, as ROUND
does; a negative count of decimals rounds to the left of the point. Written as Excel does in the en-US locale,
the one the plain engine's TEXT assumes (`.` for decimals, `,` for thousands, `$`).
"""

from __future__ import annotations

from ...values import MISSING, VALUE, CellError, NotCoveredError, Value, direct, elementwise, number, truth
from .maths import FUNCTIONS as MATHS
from .spec import Library

FUNCTIONS = Library()

_ROUND = MATHS["ROUND"].function
MOST_DECIMALS = 127
"""Excel refuses more decimals than this (#VALUE!)."""


def _written(value: Value, decimals: Value, thousands: bool) -> tuple[str, bool] | CellError:
    """The rounded number's digits (without a sign) and whether it is negative."""
    x, places = number(direct(value)), number(direct(decimals))
    if isinstance(x, CellError):
        return x
    if isinstance(places, CellError):
        return places
    places = int(places)
    if places > MOST_DECIMALS:
        return VALUE
    rounded = _ROUND(x, float(places))
    if isinstance(rounded, CellError):
        return rounded
    shown = max(places, 0)
    return f"{abs(rounded):{',' if thousands else ''}.{shown}f}", rounded < 0


def _fixed(value: Value, decimals: Value = 2.0, no_commas: Value = False) -> Value:
    omit = truth(direct(no_commas))
    if isinstance(omit, CellError):
        return omit
    found = _written(value, decimals, thousands=not omit)
    if isinstance(found, CellError):
        return found
    digits, negative = found
    return f"-{digits}" if negative else digits


def _dollar(value: Value, decimals: Value = 2.0) -> Value:
    found = _written(value, decimals, thousands=True)
    if isinstance(found, CellError):
        return found
    digits, negative = found
    return f"(${digits})" if negative else f"${digits}"


@FUNCTIONS.add("FIXED", 1, 3)
def xl_fixed(*args: Value) -> Value:
    """FIXED(number, [decimals], [no_commas])."""
    if len(args) >= 2 and args[1] is MISSING:
        raise NotCoveredError("FIXED with its decimals left out between commas")
    return elementwise(_fixed, *args)


@FUNCTIONS.add("DOLLAR", 1, 2)
def xl_dollar(*args: Value) -> Value:
    """DOLLAR(number, [decimals])."""
    if len(args) == 2 and args[1] is MISSING:
        raise NotCoveredError("DOLLAR with its decimals left out after a comma")
    return elementwise(_dollar, *args)
