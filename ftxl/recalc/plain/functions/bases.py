"""Excel's base conversions: BIN2DEC, DEC2BIN, HEX2DEC, DEC2HEX, OCT2DEC, DEC2OCT and the six between
binary, octal and hexadecimal.

A binary, octal or hexadecimal number has at most 10 digits; with all 10 and the top
bit set it is negative (two's complement over 10 digits), and a negative result is
written in 10 digits whatever `places` says. Anything else out of range is #NUM!.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ...values import NUM, VALUE, CellError, Value, direct, elementwise, general, number
from .spec import Library

FUNCTIONS = Library()

BASES = {"BIN": 2, "OCT": 8, "HEX": 16, "DEC": 10}
_DIGITS = "0123456789ABCDEF"


def _parse(value: Value, base: int) -> int | CellError:
    """A binary, octal or hexadecimal argument (text or a number written in digits) as an integer."""
    if isinstance(value, CellError):
        return value
    if isinstance(value, bool):
        return VALUE
    text = general(value) if isinstance(value, float) else ("" if value is None else str(value))
    text = text.strip().upper()
    if len(text) > 10 or any(c not in _DIGITS[:base] for c in text):
        return NUM
    if not text:
        return 0
    result = int(text, base)
    if len(text) == 10 and result >= base**10 // 2:
        result -= base**10
    return result


def _write(result: int, base: int, places: Value) -> Value:
    """`result` in `base`: negative ones in 10 digits, others padded to `places` (checked in any case)."""
    width = None
    if places is not None:
        wanted = number(direct(places))
        if isinstance(wanted, CellError):
            return wanted
        width = math.trunc(wanted)
        if not 1 <= width <= 10:
            return NUM
    limit = base**10 // 2
    if not -limit <= result < limit:
        return NUM
    negative = result < 0
    if negative:
        result += base**10
    text = ""
    while result:
        result, digit = divmod(result, base)
        text = _DIGITS[digit] + text
    text = text or "0"
    if negative:
        return text.rjust(10, _DIGITS[base - 1])
    if width is None:
        return text
    return NUM if width < len(text) else text.rjust(width, "0")


def _converter(source: str, target: str) -> Callable[..., Value]:
    def single(value: Value, places: Value = None) -> Value:
        value = direct(value)
        if places is not None and target != "DEC":  # Excel checks the places first
            checked = _write(0, BASES[target], places)
            if isinstance(checked, CellError):
                return checked
        if source == "DEC":
            n = number(value)
            if isinstance(n, CellError):
                return n
            integer: int | CellError = math.trunc(n) if math.isfinite(n) else NUM
        else:
            integer = _parse(value, BASES[source])
        if isinstance(integer, CellError):
            return integer
        if target == "DEC":
            return float(integer)
        return _write(integer, BASES[target], places)

    def call(value: Value, places: Value = None) -> Value:
        from ...values import MISSING

        if places is MISSING:
            places = None
        return elementwise(single, value) if places is None else elementwise(single, value, places)

    return call


for _source in BASES:
    for _target in BASES:
        if _source != _target:
            FUNCTIONS.add(f"{_source}2{_target}", 1, 1 if _target == "DEC" else 2)(_converter(_source, _target))
