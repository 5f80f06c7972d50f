"""How the plain engine calls a function of its library (`Spec`), and the one way to add one (`Library.add`).

Each module of this package keeps its functions in its own `FUNCTIONS` library, every
function registered next to its body with its calling convention::

    @FUNCTIONS.add("SUM", 1, None, ranges=None, blanks_add_nothing=True)
    def xl_sum(*args: Value) -> Value: ...

and the package merges them into `SPECS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...values import Value


@dataclass(frozen=True)
class Spec:
    """How the compiler calls a function: its Python body, arity, and how it takes arguments."""

    function: Callable[..., Value]
    min_args: int
    max_args: int | None
    lazy: bool = False
    """Arguments arrive as thunks (callables of no argument), so that IF evaluates only the branch it takes."""
    ranges: tuple[int, ...] | None = ()
    """Positions of arguments that take a reference as a range even when it is one cell; None: all."""
    arrays: bool = False
    """Excel evaluates the arguments as arrays even in a normal cell (SUMPRODUCT)."""
    blanks_add_nothing: bool = False
    """An empty cell in a range argument does not change the result: a whole column passed directly is
    read over the rows that hold anything (COUNTIF and COUNTBLANK count empty cells: not these; an exact-match
    lookup never finds an empty cell: VLOOKUP, HLOOKUP and MATCH are)."""
    counts_blanks: bool = False
    """Like `blanks_add_nothing`, a whole column is read over the rows in use, but the function is told how
    many empty cells were left out (`Grid.beyond`) and counts them where its criterion selects empty cells."""
    pairs_ranges: bool = False
    """The function pairs its ranges cell by cell (SUMIF): they are cut alike, or not at all."""
    dates: bool = False
    """The function takes the workbook's date system first (True: 1904), before the formula's arguments."""
    shared: bool = False
    """The function is pure and costly (ftxl's own): a call whose arguments are fixed (constants, absolute
    ranges, names) is computed once per evaluation, however many cells hold it (INDEX(SENSITIVITY(...),k,2)
    in a column of cells)."""
    covers: Callable[[list[Any]], str | None] | None = None
    """Given the parsed argument trees, why the plain engine does not compute this call (None: it does)."""


class Library(dict[str, Spec]):
    """Functions by the upper-case name a formula calls them with."""

    def add(self, name: str, min_args: int, max_args: int | None, **convention: Any) -> Callable[..., Any]:
        """Register the function this decorates under `name` (several names: decorate again)."""

        def register(function: Callable[..., Value]) -> Callable[..., Value]:
            if name in self:
                raise ValueError(f"{name} is registered twice")
            self[name] = Spec(function, min_args, max_args, **convention)
            return function

        return register
