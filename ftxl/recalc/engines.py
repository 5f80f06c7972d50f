"""Which engine computes a workbook: the plain engine, then IronCalc or `formulas` where it does not reach.

Three engines share one description of a workbook (`book.BookCells`): the plain engine
(`plain`), which compiles the common formula subset to Python closures and is what
normally runs (ftxl's own functions always run there); IronCalc (`ironcalc_fallback`, a Rust
engine), which computes, stage by stage and fed its inputs as values, the cells the plain engine
does not; and the `formulas` library (`formulas_fallback`), for the batches IronCalc does not
take (array formulas over several cells, 1904 workbooks) and for whole workbooks the plain engine
cannot order (dynamic references). Each fallback is imported only when a workbook needs it.
Measured on Excel-saved workbooks (tests/benchmarks/bench_engines.py), IronCalc is right on more
cells than `formulas` and imports in milliseconds rather than seconds. Workbooks whose formulas are
identical share one compiled model (`ModelCache`).

No engine opens another file, which keeps untrusted input from reading other files: the plain engine reads
another workbook's cells from the link cache the file saved (with a warning), the fallbacks show #REF!.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from openpyxl.utils.cell import get_column_letter

from ..bounded_cache import BoundedCache
from . import data_tables, fidelity
from .book import BookCells, Evaluation
from .formula_text import EXTERNAL_REFERENCE, FTXL_CALL, STRING_LITERAL, node, node_ref, parse_node
from .plain.compiler import ON_IN_WORKBOOK, PlainBook
from .values import VALUE, NotCoveredError

if TYPE_CHECKING:
    from .formulas_fallback import CompiledBook

ENGINES = ("auto", "formulas", "ironcalc")
"""auto: the plain engine, IronCalc for the cells it does not compute (when installed, as `ftxl[cli]` installs
it; `formulas` otherwise), `formulas` for the batches IronCalc does not take and for whole workbooks the plain
engine does not cover; ironcalc: the same, with IronCalc required; formulas: every cell through `formulas`."""


def ironcalc_installed() -> bool:
    """Whether IronCalc can be imported (found without importing it)."""
    return importlib.util.find_spec("ironcalc") is not None


class Model:
    """One set of formulas, compiled for the plain engine and, only for what it does not compute, for
    `formulas`: per cell where the plain engine can order the formulas around those, else whole."""

    def __init__(self, cells: BookCells, engine: str = "auto") -> None:
        self.ftxl_nodes = [key for key, text in cells.formulas.items() if FTXL_CALL.search(text)]
        self.plain: PlainBook | None = None
        self.whole: CompiledBook | None = None
        self.batches: dict[int, tuple[CompiledBook, list[str], list[str], list[tuple[str, str, int, int]]]] = {}
        self.reason = "asked for" if engine == "formulas" else ""
        self.fallback = (
            "IronCalc" if engine == "ironcalc" or (engine == "auto" and ironcalc_installed()) else "formulas"
        )
        """Which engine computes the cells the plain engine does not, per cell."""
        self.by_ironcalc: set[str] = set()
        """Nodes IronCalc computed."""
        self._flags: list[tuple[str, str]] | None = None
        self._reach: dict[frozenset[str], tuple[set[str], set[str]]] = {}
        """Cells warned and cells volatile, by the set of noted cells they follow from."""
        self.formulas = cells.formulas
        self.date1904 = cells.date1904
        self.names = {node_ref(key): text for key, text in cells.names.items()}
        self.local_names = cells.local_names
        self.generation = 0
        self.uses = 0
        """Workbooks evaluated with this model."""
        if engine != "formulas":
            self.plain = PlainBook(
                cells.formulas,
                cells.names,
                list(cells.values),
                list(cells.blocks),
                cells.sheets + cells.linked_sheets,
                cells.array_formulas,
                cells.date1904,
                cells.hidden_rows,
                cells.local_names,
                cells.iteration,
                cells.filtered_sheets,
                cells.rewritten,
            )
            self.reason = self.plain.unordered

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Compute every formula of `cells`: the plain engine where it covers them, `formulas` elsewhere."""
        plain = self.plain
        if plain is not None and not self.reason:
            try:
                results = plain.evaluate(
                    cells.values, cells.blocks, lambda stage, got: self._batch(cells, stage, got), cells.saved
                )
            except NotCoveredError as exc:  # pragma: no cover - the plain engine leaves such cells to formulas itself
                self.reason = str(exc)
            if not self.reason and cells.data_tables:
                results, tables = self._tables(cells, results)
            if not self.reason:
                notes = list(plain.notes) + plain.loop_notes
                for book, *_ in self.batches.values():
                    notes += book.notes
                evaluation = Evaluation(results, notes, self.ftxl_nodes)
                evaluation.engine = self._engine_line(results)
                if plain.loops:
                    evaluation.iterated = plain.iterated
                    evaluation.looped = {step.key for loop in plain.loops for step in loop.steps}
                    evaluation.engine += f", with {plain.iterated}"
                evaluation.by_formulas = set(plain.uncovered)
                self._warn(evaluation, plain.uncovered)
                if cells.data_tables:  # after the warnings: a table whose formula carries one is said to
                    evaluation.tables = tables.values
                    evaluation.table_notes = [*tables.kept.values()]
                    evaluation.table_notes += data_tables.warned(cells.data_tables, tables, evaluation.warned)
                    done = len(cells.data_tables) - len(tables.kept)
                    if done:
                        evaluation.engine += f", {done} data table{'s' if done > 1 else ''} computed"
                return evaluation
        with collecting_cycles():
            if self.whole is None:
                from .formulas_fallback import CompiledBook  # imports formulas (and scipy): only when needed

                self.whole = CompiledBook(cells)
            evaluation = self.whole.evaluate(cells)
        evaluation.results = self._refused_dates(evaluation.results)
        why = "not computed (the workbook went to the formulas engine)"
        evaluation.table_notes = [data_tables.kept_line(table, why) for table in cells.data_tables]
        evaluation.engine = f"formulas ({self.reason})"
        evaluation.by_formulas = set(cells.formulas)
        self._warn(evaluation, cells.formulas)
        return evaluation

    def _tables(self, cells: BookCells, results: dict[str, Any]) -> tuple[dict[str, Any], data_tables.Outcome]:
        """The model's data tables, each cell the model computed once more with its inputs set (cells the plain
        engine does not compute by their fallback, as always), and the model once more with the tables' values
        (formulas may read them)."""
        plain = self.plain
        assert plain is not None
        batch = lambda stage, got: self._batch(cells, stage, got)  # noqa: E731

        def evaluate(values: dict[str, Any]) -> dict[str, Any]:
            return plain.evaluate(values, cells.blocks, batch, cells.saved)

        outcome = data_tables.compute(cells.data_tables, cells.values, cells.formulas, results, evaluate)
        if not outcome.values:
            return results, outcome
        values = dict(cells.values)
        values.update({key: value for key, value in outcome.values.items() if key in values})
        blocks = data_tables.blocks_with(cells.blocks, outcome.values)
        return plain.evaluate(values, blocks, batch, cells.saved), outcome

    def _warn(self, evaluation: Evaluation, computed_by_formulas: dict[str, str]) -> None:
        """Add a note to each cell `formulas` computed through a function not checked against Excel, and
        to each volatile one; mark them and every cell reading them as carrying a warning."""
        if self._flags is None:
            self._flags = []
            noted = {key for key, _ in evaluation.notes}  # an unknown function, a missing sheet: said already
            for key in computed_by_formulas:
                if key in noted:
                    continue
                text = fidelity.with_names(self.formulas[key], self.names)
                unchecked, moving = fidelity.unverified(text), fidelity.volatile(text)
                relative = fidelity.relative_names(text, self.names)
                dated = fidelity.dates_in(self.formulas[key]) if self.date1904 else []
                scoped = fidelity.scoped_names(self.formulas[key], parse_node(key)[0], self.local_names)
                if dated:
                    self._flags.append(
                        (
                            key,
                            f"shows #VALUE!: the workbook counts dates from 1904, and the formulas engine, which "
                            f"computes {', '.join(dated)} here, counts them from 1900 (1,462 days apart)",
                        )
                    )
                elif scoped:
                    self._flags.append(
                        (
                            key,
                            f"uses the name {scoped[0]}, scoped to one sheet, which the formulas engine reads as "
                            "#REF!: check this value",
                        )
                    )
                elif relative:
                    self._flags.append(
                        (
                            key,
                            f"uses the name {relative[0]}, whose relative references the formulas engine reads as "
                            "fixed: check this value",
                        )
                    )
                elif moving:
                    self._flags.append((key, f"volatile: recomputed now ({', '.join(moving)})"))
                elif unchecked:
                    self._flags.append(
                        (
                            key,
                            f"computed by the {self._engine_of(key)} engine with {', '.join(unchecked)}, which ftxl "
                            "has not checked against Excel's results: check this value",
                        )
                    )
            self._flags += self._moving_flags(noted | computed_by_formulas.keys())
        evaluation.notes = evaluation.notes + self._flags  # a new list: an engine's own notes stay as they are
        if evaluation.notes:
            roots = frozenset(key for key, _ in evaluation.notes)
            if roots not in self._reach:  # the same notes copy after copy: the same cells reached
                volatile = {key for key, note in self._flags if note.startswith("volatile")}
                self._reach[roots] = (self._dependents(set(roots)), self._dependents(volatile))
            evaluation.warned, evaluation.volatile = self._reach[roots]

    def _moving_flags(self, flagged: set[str]) -> list[tuple[str, str]]:
        """The note of each cell the plain engine computes with a function whose value changes at every
        recalculation (TODAY, RAND ...: Excel's saved value was that of its moment), directly or through a name."""
        moving: dict[str, list[str]] = {}
        if any(fidelity.moving(text) for text in self.names.values()):  # else no name leads to one (the usual)
            moving = {name: fidelity.moving(fidelity.with_names(text, self.names)) for name, text in self.names.items()}
        flags = []
        for key, text in self.formulas.items():
            if key in flagged:
                continue
            found = fidelity.moving(text) or sorted(
                {f for name, used in moving.items() if used and fidelity.uses_name(text, name) for f in used}
            )
            if found:
                flags.append((key, f"volatile: recomputed now ({', '.join(found)})"))
        return flags

    def _engine_of(self, key: str) -> str:
        return "IronCalc" if key in self.by_ironcalc else "formulas"

    def _dependents(self, keys: set[str]) -> set[str]:
        return self.plain.dependents(keys) if self.plain is not None and keys else keys

    def _batch(self, cells: BookCells, stage: int, got: dict[Any, Any]) -> dict[str, list[list[Any]]]:
        """The uncovered formulas of one stage, computed by `formulas` from the values so far."""
        assert self.plain is not None
        if self.generation != self.plain.generation:
            self.batches.clear()
            self._flags = None
            self._reach.clear()
            self.generation = self.plain.generation
        with collecting_cycles():
            return self._batch_computed(cells, stage, got)

    def _batch_computed(self, cells: BookCells, stage: int, got: dict[Any, Any]) -> dict[str, list[list[Any]]]:
        assert self.plain is not None
        if stage not in self.batches:
            from .formulas_fallback import CompiledBook

            keys, blocks, places = self.plain.batch_inputs(stage)
            inputs = [(node(sheet, f"{get_column_letter(c)}{r}"), sheet, r, c) for sheet, r, c in places]
            sub = BookCells(
                formulas={key: cells.formulas[key] for key in keys},
                values={key: 0.0 for key, *_ in inputs},
                names=cells.names,
                blocks={key: cells.blocks[key] for key in blocks},
                sheets=cells.sheets,
                array_formulas={key for key in keys if key in cells.array_formulas},
            )
            self.batches[stage] = (self._compiled(sub, CompiledBook), keys, blocks, inputs)
        book, keys, blocks, inputs = self.batches[stage]
        found = {key: got.get((sheet, r, c)) for key, sheet, r, c in inputs}
        values = {key: value for key, value in found.items() if value is not None}
        given = BookCells(values=values, blocks={key: cells.blocks[key] for key in blocks})
        try:
            results = book.evaluate(given).results
        except NotCoveredError:  # IronCalc answered with a code of its own: `formulas` takes the batch for good
            from .formulas_fallback import CompiledBook

            sub = book.cells  # type: ignore[attr-defined]  # only an IronBook refuses here
            self.by_ironcalc.difference_update(sub.formulas)
            book = CompiledBook(sub)
            self.batches[stage] = (book, keys, blocks, inputs)
            results = book.evaluate(given).results
        return self._refused_dates(results)

    def _compiled(self, sub: BookCells, compiled_book: Any) -> Any:
        """One batch compiled for the fallback engine: IronCalc when it is the fallback and takes the batch; `formulas`
        for a batch with a formula the plain engine could not read or one reading another workbook, whose notes
        (#NAME?, #REF!) it gives."""
        if self.fallback == "IronCalc" and not self._unreadable(sub):
            from .ironcalc_fallback import IronBook  # imports ironcalc: only when asked for

            try:
                book = IronBook(sub)
            except NotCoveredError:
                return compiled_book(sub)
            self.by_ironcalc.update(sub.formulas)
            return book
        return compiled_book(sub)

    def _unreadable(self, sub: BookCells) -> bool:
        """Whether a batch holds a formula the plain engine could not read at all, or one reading another workbook:
        `formulas` says what is wrong with those (#NAME?, #REF!), where IronCalc would answer a value or #ERROR!."""
        reasons = self.plain.uncovered if self.plain is not None else {}
        return any(
            str(reasons.get(key, "")).startswith(UNREADABLE)
            or EXTERNAL_REFERENCE.search(STRING_LITERAL.sub('""', text))
            for key, text in sub.formulas.items()
        )

    def _refused_dates(self, results: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
        """In a 1904 workbook, the cells `formulas` computed with a date function show #VALUE! (it counts dates
        from 1900: a date would be 1,462 days off); the plain engine passes the error on to their readers."""
        if not self.date1904:
            return results
        refused = {key for key in results if key in self.formulas and fidelity.dates_in(self.formulas[key])}
        return {
            key: [[VALUE for _ in row] for row in rows] if key in refused else rows for key, rows in results.items()
        }

    def _engine_line(self, results: dict[str, list[list[Any]]]) -> str:
        """ "plain", or how many cells each engine computed and why some were not plain."""
        assert self.plain is not None
        if not self.plain.uncovered:
            return "plain"
        foreign = sum(len(row) for key in self.plain.uncovered for row in results.get(key, ()))
        total = sum(len(row) for rows in results.values() for row in rows)
        reasons = sorted(set(self.plain.uncovered.values()))
        shown = ", ".join(reasons[:3]) + (f" and {len(reasons) - 3} more" if len(reasons) > 3 else "")
        fallback = (
            "IronCalc or formulas"
            if self.by_ironcalc and set(self.plain.uncovered) - self.by_ironcalc
            else ("IronCalc" if self.by_ironcalc else "formulas")
        )
        if foreign == total:
            return f"{fallback} ({shown})"
        return f"plain for {total - foreign:,} cells, {fallback} for {foreign:,} ({shown})"


UNREADABLE = (
    "cannot tokenize",
    "unexpected ",
    "formula ends too early",
    "unbalanced parentheses",
    "ragged array constant",
    "a formula nested more than",
)
"""The plain engine's reasons for a formula it cannot read at all (not one it reads but does not compute)."""


@contextlib.contextmanager
def collecting_cycles() -> Iterator[None]:
    """Python's cycle collector on while `formulas` works, even inside a batch that paused it for the plain
    engine (see `batch.run_job`): formulas and schedula leave reference cycles by the thousand, which would
    otherwise pile up until the file is done (without this, the corpus's peak is 800 MB, not 570)."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()


class ModelCache:
    """Compiled models by formula signature, so filled copies of one template compile once."""

    def __init__(self, size: int = 32, engine: str = "auto", iterate: bool = False) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        if engine == "ironcalc" and not ironcalc_installed():
            raise ValueError("engine ironcalc: IronCalc is not installed (pip install 'ftxl[cli]')")
        self.engine = engine
        self.iterate = iterate
        """Compute loops iteratively, with Excel's defaults, in workbooks saved with iteration off (--iterate)."""
        self.shared = 0
        """Models used for more than one workbook so far."""
        self.models: BoundedCache[tuple[Any, ...], Model] = BoundedCache(size)

    @property
    def hits(self) -> int:
        """Workbooks evaluated with a model compiled for an earlier one."""
        return self.models.hits

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Evaluate `cells` with the cached model of their signature, compiling it when new."""
        asked = self.iterate and cells.iteration is None
        if asked:  # Excel takes the setting from the first workbook of a session: this one may have had it on
            cells.iteration = EXCEL_ITERATION
        model = self.models.get_or_make(cells.signature(), lambda: Model(cells, self.engine))
        model.uses += 1
        if model.uses == 2:
            self.shared += 1
        evaluation = model.evaluate(cells)
        if asked and evaluation.iterated:
            evaluation.engine = evaluation.engine.replace(ON_IN_WORKBOOK, ON_BY_OPTION)
            evaluation.iterated = evaluation.iterated.replace(ON_IN_WORKBOOK, ON_BY_OPTION)
        return evaluation


EXCEL_ITERATION = (100, 0.001)
"""Excel's defaults for iterative calculation: at most 100 iterations, until no value moves by more than 0.001."""
ON_BY_OPTION = "on by --iterate: Excel's 100 iterations, maximum change 0.001"
