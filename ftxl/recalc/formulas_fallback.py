"""The `formulas` library as ftxl's second engine: every Excel function it knows, for workbooks the
plain engine does not cover.

ftxl's worksheet functions are registered in `formulas` when this module is imported,
before any workbook is loaded (functions registered later are not seen), under each
spelling a file may hold (see `engine`). The model is built from cell texts
(`ExcelModel.from_dict`), never by letting `formulas` open the file, so external links
are never followed. The compiled model runs through `FastPipe`, which skips schedula's
per-node bookkeeping.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.errors import FormulaError
from formulas.functions import wrap_func
from formulas.tokens.operand import Error as FormulaErrors
from formulas.tokens.operand import XlError
from openpyxl.utils.cell import range_boundaries

from .. import cell_functions
from ..cell_functions import Refusal
from ..errors import WorkbookError
from .book import BookCells, Evaluation
from .fast_pipe import FastPipe, UnsupportedPipeError
from .fidelity import functions_in, uses_name
from .formula_text import (
    DOUBLE_MINUS,
    EXTERNAL_REFERENCE,
    FTXL_CALL,
    FUNCTION_CALL,
    STRING_LITERAL,
    linked,
    node,
    node_ref,
    parse_node,
    references,
)
from .plain.compiler import describe_loop
from .plain.parser import static_references
from .values import MAX_RANGE_CELLS, CellError, area


def _error(code: str) -> XlError:
    return FormulaErrors.errors[code]


def _to_cells(value: Any) -> Any:
    """An argument as ftxl's sheet functions take it: empty cells become None."""
    if isinstance(value, np.ndarray):
        return [[None if v is sh.EMPTY else v for v in row] for row in np.atleast_2d(value).tolist()]
    return None if value is sh.EMPTY else value


def _first_error(args: Iterable[Any]) -> XlError | None:
    for value in args:
        items = value.reshape(-1).tolist() if isinstance(value, np.ndarray) else [value]
        if XlError in set(map(type, items)):  # one pass in C; a label log is long
            return next(item for item in items if isinstance(item, XlError))
    return None


class ReasonedError(XlError):
    """A `formulas` error value that says why an ftxl function refused (only those carry one).

    `formulas` keeps one object per error code and compares them by identity; this one equals the
    error of its code, so that every comparison in `formulas` treats it as that error."""

    reason: str

    def __new__(cls, code: str, reason: str) -> ReasonedError:
        error = super().__new__(cls, code)
        error.reason = reason
        return error

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XlError) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(_error(str(self)))


def _formula_value(value: Any) -> Any:
    """One cell of an ftxl answer as `formulas` holds it."""
    if isinstance(value, Refusal):  # only a #VALUE!'s reason is reported
        return ReasonedError(value.code, value.reason) if value.code == "#VALUE!" else _error(value.code)
    return value


def _as_formula_result(result: Any) -> Any:
    if isinstance(result, list):
        return np.asarray([[_formula_value(v) for v in row] for row in result], dtype=object)
    return np.asarray([[_formula_value(result)]], dtype=object)


def _for_formulas(function: Callable[..., cell_functions.Result]) -> Callable[..., Any]:
    """An ftxl sheet function as `formulas` calls it: an error argument is the answer, a refusal an
    error value carrying its reason."""

    def call(*args: Any) -> Any:
        upstream = _first_error(args)
        if upstream is not None:  # like Excel's own functions: an error argument gives that error
            return np.asarray([[upstream]], dtype=object)
        return _as_formula_result(cell_functions.answer(function, *(_to_cells(a) for a in args)))

    call.__name__ = function.__name__
    return call


def register_functions() -> None:
    """Make ftxl's functions known to `formulas` under every spelling a file may hold."""
    registry = formulas.get_functions()
    for name, function in cell_functions.FUNCTIONS.items():
        wrapped = wrap_func(_for_formulas(function))
        for spelling in cell_functions.spellings(name):
            registry[spelling] = wrapped


register_functions()
logging.getLogger("schedula").setLevel(logging.CRITICAL)  # its tracebacks: ftxl reports each cell itself
logging.getLogger("formulas").setLevel(logging.CRITICAL)


def unknown_functions(formula: str) -> set[str]:
    """Function names in `formula` that neither Excel's library in `formulas` nor ftxl provides."""
    known = formulas.get_functions()
    missing = known.default_factory() if known.default_factory else None  # parsing adds unknown names
    names = set()
    for name in FUNCTION_CALL.findall(STRING_LITERAL.sub('""', formula)):
        spellings = {name.upper(), name.upper().removeprefix("_XLFN.").removeprefix("_XLWS.")}
        if all(known.get(spelling, missing) is missing for spelling in spellings):
            names.add(name)
    return names


def engine_value(value: Any) -> Any:
    """A cell value as `formulas` takes it: an error as its own error object."""
    if isinstance(value, CellError):
        return _error(value.code) if value.code in FormulaErrors.errors else value.code
    return value


def engine_inputs(cells: BookCells) -> dict[str, Any]:
    """Every input node of a workbook with its value as `formulas` takes it."""
    values = {key: engine_value(v) for key, v in cells.values.items() if not linked(key)}
    values.update({key: _block_value(rows) for key, rows in cells.blocks.items()})
    return values


def _block_value(rows: list[list[Any]]) -> np.ndarray:
    block = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            block[r, c] = sh.EMPTY if value is None else engine_value(value)
    return block


def _cell_value(value: Any, errors: dict[int, CellError]) -> Any:
    """An engine result as a cell value: float, str, bool or CellError. One refusal passed on to many
    cells stays one object (`errors`), so that the cells passing it on are not taken for its source."""
    if isinstance(value, ReasonedError):
        return errors.setdefault(id(value), CellError(str(value), value.reason))
    if isinstance(value, XlError):
        return CellError(str(value))
    if value is sh.EMPTY:
        return 0.0  # a formula that points at an empty cell shows 0, as in Excel
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)


class CompiledBook:
    """A workbook's formulas checked and compiled once; another copy only feeds in its values."""

    def __init__(self, cells: BookCells) -> None:
        self.notes: list[tuple[str, str]] = []
        self.broken: dict[str, CellError] = {}
        self.sheets = {sheet.upper() for sheet in cells.sheets}
        self.edge_used = _cells_on_the_edge(cells)
        self.refused_names = {
            node_ref(key): why
            for key, text in cells.names.items()
            if (why := self._refused_range(text, "") or _unreadable(text))
        }
        usable = {key: _off_the_edge(text) for key, text in cells.formulas.items() if self._usable(key, text)}
        self.ftxl_nodes = [key for key, text in cells.formulas.items() if FTXL_CALL.search(text)]
        inputs = self._inputs(cells)
        # text typed as "=1+1" is text: from_dict would read it as a formula, so it is only fed in when computing
        model_dict: dict[str, Any] = {key: "" if _formula_like(v) else v for key, v in inputs.items()}
        model_dict.update(
            {
                key: "=" + _off_the_edge(text)
                for key, text in cells.names.items()
                if node_ref(key) not in self.refused_names
            }
        )
        model_dict.update({key: "=" + text for key, text in usable.items()})
        model = formulas.ExcelModel().from_dict(model_dict)
        self.model = model
        data_nodes = model.dsp.data_nodes
        self.inputs = [key for key in inputs if key in data_nodes]
        self.outputs = list(usable)
        self.function: Callable[..., Any] | None = None
        if self.outputs:
            try:
                pipe = model.compile(inputs=self.inputs, outputs=self.outputs)
            except ValueError as exc:
                if "Unreachable" not in str(exc):
                    raise
                loop = describe_loop(cells.formulas, cells.sheets) or "not found from the formula texts"
                if cells.iteration is not None:
                    raise WorkbookError(
                        f"a loop of iterative calculation ({loop}) through formulas only the formulas engine "
                        "computes; ftxl iterates loops of the formulas its plain engine computes. Break the loop "
                        "to compute this workbook"
                    ) from None
                raise WorkbookError(
                    f"circular reference: {loop}; Excel computes these only with iterative calculation on, and "
                    "this workbook has it off. Break the loop, or run ftxl recalc --iterate if it is meant"
                ) from None
            try:
                self.function = FastPipe(pipe)
            except UnsupportedPipeError:
                self.function = pipe

    def _inputs(self, cells: BookCells) -> dict[str, Any]:
        """The engine's inputs: the workbook's values, and the error each formula left out shows, so that the
        cells depending on it show that error too (not a 0 for a cell that seems empty)."""
        inputs = _edge_inputs(engine_inputs(cells))
        inputs.update({key: engine_value(error) for key, error in self.broken.items()})
        return inputs

    def _refused_range(self, text: str, sheet: str) -> str | None:
        """Why a range in `text` (a formula or a defined name) is not handed to `formulas`, or None."""
        largest = max((_area(ref) for _, ref in references(text, sheet)), default=0)
        if largest > MAX_RANGE_CELLS:
            return f"reads a range of {largest:,} cells, more than ftxl evaluates ({MAX_RANGE_CELLS:,})"
        whole = max((area(box) for _, box in static_references(text, sheet) or () if isinstance(box, tuple)), default=0)
        if whole > FORMULAS_MAX_CELLS and not functions_in(text) <= WHOLE_RANGE_FUNCTIONS:
            return (
                f"reads a range of {whole:,} cells (a whole column or row), which the formulas engine would compute "
                f"cell by cell (more than {FORMULAS_MAX_CELLS:,}): refused to bound the time"
            )
        if EDGE_RANGE.search(STRING_LITERAL.sub('""', text)) and self.edge_used:
            return (
                "reads a range to the sheet's last row or column, which the formulas engine reads wrongly, "
                "and that row or column holds cells"
            )
        return None

    def _usable(self, key: str, text: str) -> bool:
        """Check one formula; note why it cannot be computed, or which functions are unknown."""
        if EXTERNAL_REFERENCE.search(STRING_LITERAL.sub('""', text)):
            self.notes.append((key, "refers to another workbook, which is never opened; the cell shows #REF!"))
            self.broken[key] = CellError("#REF!")
            return False
        sheet = parse_node(key)[0]
        missing = sorted({s for s, _ in references(text, sheet) if s.upper() not in self.sheets})
        if missing:
            self.notes.append(
                (key, f"refers to sheet {missing[0]!r}, which is not in the workbook; the cell shows #REF!")
            )
            self.broken[key] = CellError("#REF!")
            return False
        why = self._refused_range(text, sheet) or next(
            (
                f"uses the name {name}, which {reason}"
                for name, reason in self.refused_names.items()
                if uses_name(text, name)
            ),
            None,
        )
        if why:
            self.notes.append((key, f"{why}; the cell shows #VALUE!"))
            self.broken[key] = CellError("#VALUE!")
            return False
        problem = check_formula(text)
        if problem:
            self.notes.append((key, f"the formula cannot be read ({problem}); the cell shows #NAME?"))
            self.broken[key] = CellError("#NAME?")
            return False
        for name in sorted(unknown_functions(text)):
            self.notes.append((key, f"unknown function {name}; the cell shows #NAME?"))
        if DOUBLE_MINUS.search(STRING_LITERAL.sub('""', text)):
            self.notes.append(
                (
                    key,
                    "uses -- to turn TRUE/FALSE into 1/0, which the formula engine does not do "
                    "(its result may differ from Excel's): write (condition)*1 instead",
                )
            )
        return True

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Compute every formula of a workbook with these formulas and `cells`' values."""
        results: dict[str, list[list[Any]]] = {key: [[error]] for key, error in self.broken.items()}
        if self.function is not None:
            inputs = self._inputs(cells)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")  # numpy's overflow notices: the cells show #NUM! instead
                try:
                    outputs = self.function(*(inputs[key] for key in self.inputs))
                except Exception:  # noqa: BLE001 - a function formulas lacks (COMBIN) stops its compiled pipe
                    outputs = self._one_by_one(inputs)
            if len(self.outputs) == 1:
                outputs = [outputs]
            errors: dict[int, CellError] = {}
            for key, output in zip(self.outputs, outputs, strict=True):
                raw = getattr(output, "value", output)
                rows = np.atleast_2d(np.asarray(raw, dtype=object))
                results[key] = [[_cell_value(v, errors) for v in row] for row in rows.tolist()]
        return Evaluation(results, self.notes, self.ftxl_nodes, engine="formulas")

    def _one_by_one(self, inputs: dict[str, Any]) -> list[Any]:
        """The outputs computed by `formulas`' own dispatcher, which goes on past a failing function: a cell it
        could not compute shows #VALUE! with a note."""
        solution = self.model.calculate(inputs={key: inputs[key] for key in self.inputs}, outputs=self.outputs)
        found = []
        for key in self.outputs:
            if key in solution:
                found.append(solution[key])
            else:
                note = (key, "the formulas engine failed on this formula; the cell shows #VALUE!")
                if note not in self.notes:
                    self.notes.append(note)
                found.append(_error("#VALUE!"))
        return found if len(found) != 1 else found[0]


WHOLE_RANGE_FUNCTIONS = frozenset("SUM COUNT COUNTA AVERAGE MIN MAX PRODUCT VLOOKUP HLOOKUP MATCH INDEX".split())
"""Functions that take a whole column as one array in `formulas`, quickly (its criteria functions test a
million cells one by one: those are refused, with a warning, like FISHER(A:A))."""
FORMULAS_MAX_CELLS = 100_000
"""The largest range a formula computed by `formulas` may read: it evaluates whole columns cell by cell
(FISHER(A:A) calls FISHER a million times), which takes minutes."""

EDGE_RANGE = re.compile(r"(?i)(:\$?[A-Z]{1,3}\$?1048576|:\$?XFD\$?\d+)(?![\d(])")
"""The end of a range at Excel's last row (1,048,576) or column (XFD), written out in A1 style."""


def _area(ref: str) -> int:
    """Cells in an A1 range (0 for text that is not one)."""
    try:
        return area(range_boundaries(ref))
    except (ValueError, TypeError):
        return 0


def _off_the_edge(formula: str) -> str:
    """`formula` with ranges that end at the last row or column ending one before it instead.

    `formulas` 1.3.4 reads such a range as its first cell only (SUM(A1:A1048576) gives A1);
    one row or column shorter it reads them right. Only used where no cell lies on the edge.
    """
    if not EDGE_RANGE.search(formula):
        return formula
    parts = re.split(r'("(?:[^"]|"")*")', formula)  # leave string literals alone
    for k in range(0, len(parts), 2):
        parts[k] = re.sub(r"(?i)(:\$?[A-Z]{1,3}\$?)1048576(?![\d(])", r"\g<1>1048575", parts[k])
        parts[k] = re.sub(r"(?i)(:\$?)XFD(\$?\d+)(?![\d(])", r"\1XFC\2", parts[k])
    return "".join(parts)


def _on_the_edge(key: str) -> tuple[bool, bool]:
    """Whether the node's cell or range ends in the sheet's last row, and in its last column."""
    last = node_ref(key).split(":")[-1].upper().replace("$", "")
    return last.endswith("1048576"), last.startswith("XFD")


def _cells_on_the_edge(cells: BookCells) -> bool:
    """True when any cell of the workbook lies in the last row or column of its sheet."""
    for key in (*cells.values, *cells.formulas):
        if not linked(key) and any(_on_the_edge(key)):
            return True
    for key, rows in cells.blocks.items():
        last_row, last_column = _on_the_edge(key)
        if (last_row and any(v is not None for v in rows[-1])) or (
            last_column and any(row[-1] is not None for row in rows)
        ):
            return True
    return False


def _edge_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs with the blocks that end at the sheet's edge renamed and cut one row or column short, to match
    the formulas `_off_the_edge` rewrote (the cut row or column is empty: `_cells_on_the_edge`)."""
    renamed = {}
    for key, value in inputs.items():
        last_row, last_column = _on_the_edge(key) if ":" in key else (False, False)
        if isinstance(value, np.ndarray) and (last_row or last_column):
            sheet, ref = parse_node(key)
            key = node(sheet, _off_the_edge(ref))
            value = value[:-1] if last_row else value
            value = value[:, :-1] if last_column else value
        renamed[key] = value
    return renamed


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _unreadable(text: str) -> str | None:
    problem = check_formula(text)
    return f"the formulas engine cannot read ({problem})" if problem else None


def check_formula(formula: str) -> str | None:
    """Why `formula` cannot be parsed, or None when it can."""
    try:
        formulas.Parser().ast("=" + formula)
    except FormulaError as exc:
        return str(exc.args[0] % exc.args[1:]).replace("\n", " ")
    except Exception as exc:  # the parser raises assorted types on odd input
        return str(exc)
    return None
