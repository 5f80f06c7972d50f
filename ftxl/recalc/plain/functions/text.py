"""Excel's text functions: LEN, LEFT, RIGHT, MID, UPPER, LOWER, TRIM, CONCATENATE, CONCAT.

Numbers become text as Excel's General format writes them (15 significant digits),
logicals as TRUE / FALSE, empty cells as ""; an error passes through. Each works cell by
cell over arrays, like Excel's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...values import MISSING, VALUE, CellError, Grid, Value, direct, elementwise, number, text
from .spec import Library

FUNCTIONS = Library()


def _texts(function: Callable[..., Value]) -> Callable[..., Value]:
    """A function of a text (and whole numbers after it) made to take any values, cell by cell."""

    def single(value: Value, *counts: Value) -> Value:
        string = text(value)
        if type(string) is CellError:
            return string
        whole = []
        for count in counts:
            n = number(direct(count))
            if type(n) is CellError:
                return n
            whole.append(int(n))  # type: ignore[arg-type]
        return function(string, *whole)

    return lambda *args: elementwise(single, *args)


def _left(string: str, count: int = 1) -> Value:
    return VALUE if count < 0 else string[:count]


def _right(string: str, count: int = 1) -> Value:
    return VALUE if count < 0 else (string[-count:] if count else "")


def _mid(string: str, start: int, count: int) -> Value:
    return VALUE if start < 1 or count < 0 else string[start - 1 : start - 1 + count]


def _trim(string: str) -> Value:
    return re.sub(" +", " ", string.strip(" "))


def _with_default(function: Callable[..., Value], default: float) -> Callable[..., Value]:
    def call(value: Value, count: Value = MISSING) -> Value:
        return function(value, default if count is MISSING else count)

    return call


@FUNCTIONS.add("CONCATENATE", 1, None)
def xl_concatenate(*args: Value) -> Value:
    def join(*values: Value) -> Value:
        pieces = [text(direct(v)) for v in values]
        error = next((p for p in pieces if type(p) is CellError), None)
        return error if error is not None else "".join(pieces)  # type: ignore[arg-type]

    return elementwise(join, *args)


@FUNCTIONS.add("CONCAT", 1, None, ranges=None)
def xl_concat(*args: Value) -> Value:
    pieces = []
    for arg in args:
        for value in arg.values() if isinstance(arg, Grid) else [direct(arg)]:
            piece = text(value)
            if type(piece) is CellError:
                return piece
            pieces.append(piece)
    return "".join(pieces)  # type: ignore[arg-type]


FUNCTIONS.add("LEN", 1, 1)(_texts(lambda string: float(len(string))))
FUNCTIONS.add("LEFT", 1, 2)(_with_default(_texts(_left), 1.0))
FUNCTIONS.add("RIGHT", 1, 2)(_with_default(_texts(_right), 1.0))
FUNCTIONS.add("MID", 3, 3)(_texts(_mid))
FUNCTIONS.add("UPPER", 1, 1)(_texts(str.upper))
FUNCTIONS.add("LOWER", 1, 1)(_texts(str.lower))
FUNCTIONS.add("TRIM", 1, 1)(_texts(_trim))
