"""Which engine computes a workbook: the plain engine, or `formulas` where the plain one does not reach.

Two engines share one description of a workbook (`book.BookCells`): the plain engine
(`plain`), which compiles the common formula subset to Python closures and is what
normally runs, and the `formulas` library (`formulas_fallback`), which computes everything
else and takes over whole workbooks the plain engine does not cover; it is imported only
then. Workbooks whose formulas are identical share one compiled model (`ModelCache`).

Neither engine opens another file: external links to other workbooks evaluate to #REF!
with a warning, which keeps untrusted input from reading other files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..bounded_cache import BoundedCache
from .book import BookCells, Evaluation
from .formula_text import FTXL_CALL
from .plain.compiler import PlainBook
from .values import NotCoveredError

if TYPE_CHECKING:
    from .formulas_fallback import CompiledBook

ENGINES = ("auto", "formulas")
"""auto: the plain engine, `formulas` where it does not cover a workbook; formulas: always `formulas`."""


class Model:
    """One set of formulas, compiled for the plain engine and, only when needed, for `formulas`."""

    def __init__(self, cells: BookCells, engine: str = "auto") -> None:
        self.ftxl_nodes = [key for key, text in cells.formulas.items() if FTXL_CALL.search(text)]
        self.plain: PlainBook | None = None
        self.fallback: CompiledBook | None = None
        self.reason = "asked for" if engine == "formulas" else ""
        if engine != "formulas":
            try:
                self.plain = PlainBook(
                    cells.formulas,
                    cells.names,
                    list(cells.values),
                    list(cells.blocks),
                    cells.sheets,
                    cells.array_formulas,
                )
            except NotCoveredError as exc:
                self.reason = str(exc)

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Compute every formula of `cells`, with the plain engine when it covers them."""
        reason = self.reason
        if self.plain is not None:
            try:
                results = self.plain.evaluate(cells.values, cells.blocks)
                return Evaluation(results, list(self.plain.notes), self.ftxl_nodes)
            except NotCoveredError as exc:  # an input this workbook holds that the plain engine leaves to formulas
                reason = str(exc)
        if self.fallback is None:
            from .formulas_fallback import CompiledBook  # imports formulas (and scipy): only when needed

            self.fallback = CompiledBook(cells)
        evaluation = self.fallback.evaluate(cells)
        evaluation.engine = f"formulas ({reason})"
        return evaluation


class ModelCache:
    """Compiled models by formula signature, so filled copies of one template compile once."""

    def __init__(self, size: int = 32, engine: str = "auto") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.engine = engine
        self.models: BoundedCache[str, Model] = BoundedCache(size)

    @property
    def hits(self) -> int:
        """Workbooks evaluated with a model compiled for an earlier one."""
        return self.models.hits

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Evaluate `cells` with the cached model of their signature, compiling it when new."""
        model = self.models.get_or_make(cells.signature(), lambda: Model(cells, self.engine))
        return model.evaluate(cells)
