"""One formula in a one-sheet workbook, computed by the plain engine alone: what the function tests share."""

from __future__ import annotations

from ftxl.recalc.formula_text import node
from ftxl.recalc.plain.compiler import PlainBook


def _book(formula: str, box: str, cells: dict[str, object]) -> tuple[PlainBook, str, dict[str, object]]:
    values = {node("S", ref): value for ref, value in cells.items()}
    key = node("S", box)
    book = PlainBook({key: formula}, {}, list(values), [], ["S"], array_formulas={key} if ":" in box else set())
    return book, key, values


def calc(formula: str, box: str = "Z1", **cells: object) -> list[list[object]]:
    """The rows of `formula` over `box` of sheet S (an array formula, as Excel 365 saves a spill, when `box` is
    a range), given the value `cells` (A1=..., B2=...)."""
    book, key, values = _book(formula, box, cells)
    assert not book.uncovered, book.uncovered
    return book.evaluate(values, {})[key]


def left_to_another_engine(formula: str, box: str = "Z1", **cells: object) -> str:
    """Why the plain engine leaves `formula` to another engine, when compiling it or when computing it."""
    book, key, values = _book(formula, box, cells)
    if book.uncovered:
        return next(iter(book.uncovered.values()))
    left: dict[str, str] = {}
    book._evaluate(values, {}, None, left, {}, {})
    assert left, "computed"
    return next(iter(left.values()))
