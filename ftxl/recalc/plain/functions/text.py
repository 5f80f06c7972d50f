"""Excel's text functions: LEN, LEFT, RIGHT, MID, UPPER, LOWER, TRIM, CONCATENATE, CONCAT.

Numbers become text as Excel's General format writes them (15 significant digits),
logicals as TRUE / FALSE, empty cells as ""; an error passes through. Each works cell by
cell over arrays, like Excel's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...values import MISSING, VALUE, CellError, Grid, NotCoveredError, Value, direct, elementwise, number, text, truth
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


def _pieces(args: tuple[Value, ...], skip_empty: bool = False) -> list[str] | CellError:
    """Every value of the arguments (ranges cell by cell) as text, or the first error among them."""
    pieces = []
    for arg in args:
        for value in arg.values() if isinstance(arg, Grid) else [direct(arg)]:
            piece = text(value)
            if type(piece) is CellError:
                return piece  # type: ignore[return-value]
            if piece or not skip_empty:
                pieces.append(piece)
    return pieces  # type: ignore[return-value]


@FUNCTIONS.add("CONCAT", 1, None, ranges=None)
def xl_concat(*args: Value) -> Value:
    pieces = _pieces(args)
    return pieces if isinstance(pieces, CellError) else "".join(pieces)


FUNCTIONS.add("LEN", 1, 1)(_texts(lambda string: float(len(string))))
FUNCTIONS.add("LEFT", 1, 2)(_with_default(_texts(_left), 1.0))
FUNCTIONS.add("RIGHT", 1, 2)(_with_default(_texts(_right), 1.0))
FUNCTIONS.add("MID", 3, 3)(_texts(_mid))
FUNCTIONS.add("UPPER", 1, 1)(_texts(str.upper))
FUNCTIONS.add("LOWER", 1, 1)(_texts(str.lower))
FUNCTIONS.add("TRIM", 1, 1)(_texts(_trim))


def _find(case_sensitive: bool) -> Callable[..., Value]:
    def single(needle: Value, haystack: Value, start: Value = 1.0) -> Value:
        pattern, within = text(direct(needle) if needle is not MISSING else ""), text(haystack)
        if type(pattern) is CellError:
            return pattern
        if type(within) is CellError:
            return within
        begin = number(direct(start))
        if type(begin) is CellError:
            return begin
        first = int(begin)  # type: ignore[arg-type]
        if first < 1 or first > len(within) + 1:  # type: ignore[arg-type]
            return VALUE
        if case_sensitive:
            found = within.find(pattern, first - 1)  # type: ignore[union-attr, arg-type]
        else:
            regex = _wildcards(pattern.lower())  # type: ignore[union-attr]
            match = regex.search(within.lower(), first - 1)  # type: ignore[union-attr]
            found = match.start() if match else -1
        return VALUE if found < 0 else float(found + 1)

    return lambda *args: elementwise(single, *args)


def _wildcards(pattern: str) -> re.Pattern[str]:
    """SEARCH's pattern: ? one character, * any run, ~ makes the next one literal."""
    parts, k = [], 0
    while k < len(pattern):
        char = pattern[k]
        if char == "~":
            if k + 1 < len(pattern):
                parts.append(re.escape(pattern[k + 1]))
            k += 2  # a lone ~ at the end escapes nothing: Excel drops it
            continue
        parts.append("." if char == "?" else ".*?" if char == "*" else re.escape(char))
        k += 1
    return re.compile("".join(parts), re.S)


FUNCTIONS.add("FIND", 2, 3)(_find(True))
FUNCTIONS.add("SEARCH", 2, 3)(_find(False))


@FUNCTIONS.add("SUBSTITUTE", 3, 4)
def xl_substitute(*args: Value) -> Value:
    def single(value: Value, old: Value, new: Value, which: Value = MISSING) -> Value:
        pieces = [text(direct(v)) for v in (value, old, new)]
        error = next((p for p in pieces if type(p) is CellError), None)
        if error is not None:
            return error
        within, before, after = pieces
        if which is MISSING:
            return within.replace(before, after) if before else within  # type: ignore[union-attr, arg-type]
        n = number(direct(which))
        if type(n) is CellError:
            return n
        if int(n) < 1:  # type: ignore[arg-type]
            return VALUE
        if not before:
            return within
        position = -1
        for _ in range(int(n)):  # type: ignore[arg-type]
            position = within.find(before, position + 1)  # type: ignore[union-attr, arg-type]
            if position < 0:
                return within
        return within[:position] + after + within[position + len(before) :]  # type: ignore[index, operator, arg-type]

    return elementwise(single, *args)


@FUNCTIONS.add("REPLACE", 4, 4)
def xl_replace(*args: Value) -> Value:
    def single(value: Value, start: Value, count: Value, new: Value) -> Value:
        within, insert = text(value), text(direct(new))
        first, length = number(direct(start)), number(direct(count))
        for item in (within, insert, first, length):
            if type(item) is CellError:
                return item
        if first < 1 or length < 0:  # type: ignore[operator]
            return VALUE
        at = int(first) - 1  # type: ignore[arg-type]
        return within[:at] + insert + within[at + int(length) :]  # type: ignore[index, operator, arg-type]

    return elementwise(single, *args)


@FUNCTIONS.add("REPT", 2, 2)
def xl_rept(*args: Value) -> Value:
    def single(value: Value, times: Value) -> Value:
        piece, n = text(value), number(direct(times))
        if type(piece) is CellError:
            return piece
        if type(n) is CellError:
            return n
        if n < 0 or len(piece) * int(n) > 32767:  # type: ignore[operator, arg-type]
            return VALUE
        return piece * int(n)  # type: ignore[operator, arg-type]

    return elementwise(single, *args)


def _windows_1252(code: int) -> str:
    """The character of code 1..255 in Windows-1252, Excel's CHAR table on Windows (CHAR(128) is €); the
    five codes that page leaves out give the control character of that number, as Excel shows them."""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(code)


@FUNCTIONS.add("CHAR", 1, 1)
def xl_char(value: Value) -> Value:
    def single(item: Value) -> Value:
        n = number(direct(item))
        if type(n) is CellError:
            return n
        code = int(n)  # type: ignore[arg-type]
        return _windows_1252(code) if 1 <= code <= 255 else VALUE

    return elementwise(single, value)


_CP1252 = {_windows_1252(code): code for code in range(1, 256)}


@FUNCTIONS.add("CODE", 1, 1)
def xl_code(value: Value) -> Value:
    def single(item: Value) -> Value:
        string = text(item)
        if type(string) is CellError:
            return string
        if not string:
            return VALUE
        first = string[0]  # type: ignore[index]
        if first in _CP1252:
            return float(_CP1252[first])
        raise NotCoveredError("CODE of a character outside Windows-1252")

    return elementwise(single, value)


@FUNCTIONS.add("VALUE", 1, 1)
def xl_value(value: Value) -> Value:
    def single(item: Value) -> Value:
        if type(item) is str:
            result = number(item)
            if type(result) is CellError and item.strip():
                raise NotCoveredError("VALUE of text that is not a plain number (a date, a currency)")
            return result
        if type(item) is bool:  # VALUE(TRUE) is #VALUE! in Excel, unlike TRUE+0
            return VALUE
        return number(item)

    return elementwise(single, value)


@FUNCTIONS.add("EXACT", 2, 2)
def xl_exact(*args: Value) -> Value:
    def single(a: Value, b: Value) -> Value:
        first, second = text(a), text(b)
        if type(first) is CellError:
            return first
        if type(second) is CellError:
            return second
        return first == second

    return elementwise(single, *args)


@FUNCTIONS.add("TEXTJOIN", 3, None, ranges=tuple(range(2, 255)))
def xl_textjoin(delimiter: Value, skip_empty: Value, *args: Value) -> Value:
    separator = text(direct(delimiter))
    if type(separator) is CellError:
        return separator
    skip = truth(direct(skip_empty))
    if type(skip) is CellError:
        return skip
    pieces = _pieces(args, bool(skip))
    if isinstance(pieces, CellError):
        return pieces
    joined = separator.join(pieces)  # type: ignore[union-attr]
    return VALUE if len(joined) > 32767 else joined


FUNCTIONS.add("PROPER", 1, 1)(_texts(lambda string: re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), string)))
