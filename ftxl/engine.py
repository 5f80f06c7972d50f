"""Evaluating a workbook's formulas without Excel, ftxl's functions included, with the `formulas` engine.

ftxl's worksheet functions are registered in `formulas` when this module is imported,
before any workbook is loaded (functions registered later are not seen), under every
spelling Excel writes into a file for a user-defined function:

* ``EXPECTED_ERROR_COST(``: a VBA function of the workbook (classic add-in, Import Functions);
* ``_xludf.EXPECTED_ERROR_COST(``: a function Excel did not know when the formula was saved;
* ``_xldudf_EXPECTED_ERROR_COST(``: an Office.js custom function (xlwings Lite); a
  namespace, when there is one, sits between prefix and name and is dropped here;
* ``[1]!EXPECTED_ERROR_COST(``: a function of an add-in workbook, saved as an external
  reference; the reference is dropped before parsing (the engine cannot parse it).

The model is built from cell texts (`ExcelModel.from_dict`), never by letting `formulas`
open the file: external links to other workbooks are therefore never followed (they
evaluate to #REF! with a warning), which keeps untrusted input from reading other files.
Workbooks whose formulas are identical share one compiled model (`ModelCache`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.errors import FormulaError
from formulas.functions import wrap_func
from formulas.tokens.operand import Error as FormulaErrors
from formulas.tokens.operand import XlError
from openpyxl.formula.translate import Translator

from . import sheet_functions
from .errors import InputError
from .fast_pipe import FastPipe, UnsupportedPipeError
from .sheet_xml import CellError

BOOK = "BOOK"
"""Every workbook is evaluated under this one name, so that copies share a model."""

FTXL_NAMES = sorted(sheet_functions.FUNCTIONS, key=len, reverse=True)
_NAME_ALTERNATION = "|".join(FTXL_NAMES)
ADDIN_REFERENCE = re.compile(
    rf"(?:\[\d+\]|'[^']*'|[\w.\\:-]+\.xla[m]?)!(?=(?:_xludf\.)?(?:{_NAME_ALTERNATION})\s*\()", re.I
)
NAMESPACED_OFFICE_JS = re.compile(rf"_xldudf_[\w.]*?[_.]({_NAME_ALTERNATION})(?=\s*\()", re.I)
EXTERNAL_REFERENCE = re.compile(r"\[\d+\]")
FTXL_CALL = re.compile(rf"(?<![\w.])(?:_xludf\.|_xldudf_(?:[\w.]*?[_.])?)?(?:{_NAME_ALTERNATION})\s*\(", re.I)
REFERENCE = re.compile(
    r"(?<![\w.$'])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
    r"(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(!])"
)
DYNAMIC_REFERENCES = re.compile(r"\b(?:OFFSET|INDIRECT)\s*\(", re.I)
BLOCK_MIN_CELLS = 256
"""A range of at least this many value cells is fed to the engine as one input (a label log, a table)."""
DOUBLE_MINUS = re.compile(r"--\s*[(A-Za-z$']")
FUNCTION_CALL = re.compile(r"(?<![\w.\]!])([A-Za-z_][\w.]*)\s*\(")
STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')

_messages: list[str] = []
"""Why ftxl functions answered #VALUE! during the current evaluation."""


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


def _as_formula_result(result: sheet_functions.Result) -> Any:
    if isinstance(result, str):
        return np.asarray([[result]], dtype=object)
    rows = np.atleast_2d(np.asarray(result, dtype=float)).astype(object)
    rows[~np.isfinite(rows.astype(float))] = _error("#NUM!")
    return rows


def _for_formulas(function: Callable[..., sheet_functions.Result]) -> Callable[..., Any]:
    """An ftxl sheet function as `formulas` calls it: errors in, errors out, messages kept."""

    def call(*args: Any) -> Any:
        upstream = _first_error(args)
        if upstream is not None:  # like Excel's own functions: an error argument gives that error
            return np.asarray([[upstream]], dtype=object)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                return _as_formula_result(function(*(_to_cells(a) for a in args)))
        except InputError as exc:
            _messages.append(str(exc))
            return np.asarray([[_error("#VALUE!")]], dtype=object)

    call.__name__ = function.__name__
    return call


def register_functions() -> None:
    """Make ftxl's functions known to `formulas` under every spelling a file may hold."""
    registry = formulas.get_functions()
    for name, function in sheet_functions.FUNCTIONS.items():
        wrapped = wrap_func(_for_formulas(function))
        for spelling in (name, f"_XLUDF.{name}", f"_XLDUDF_{name}"):
            registry[spelling] = wrapped


register_functions()


def normalise(formula: str) -> str:
    """Formula text the engine can parse: add-in references and namespaces before ftxl names dropped."""
    formula = ADDIN_REFERENCE.sub("", formula)
    return NAMESPACED_OFFICE_JS.sub(lambda m: f"_xldudf_{m.group(1)}", formula)


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


def node(sheet: str, ref: str) -> str:
    """The engine's id of a cell or range: '[BOOK]SHEET'!A1."""
    return "'[{}]{}'!{}".format(BOOK, sheet.upper().replace("'", "''"), ref)


def name_node(name: str) -> str:
    """The engine's id of a workbook-scope defined name."""
    return f"'[{BOOK}]'!{name.upper()}"


def translate(formula: str, origin: str, destination: str) -> str:
    """A shared formula, written for `origin`, as it reads in `destination` (relative references move)."""
    return Translator("=" + formula, origin=origin).translate_formula(destination)[1:]


def references(formula: str, sheet: str) -> list[tuple[str, str]]:
    """(sheet, A1 or A1:B9 without $) of every cell or range `formula` points at, as written on `sheet`."""
    found = []
    for match in REFERENCE.finditer(STRING_LITERAL.sub('""', formula)):
        target = match.group("sheet")
        if target and target.startswith("'"):
            target = target[1:-1].replace("''", "'")
        found.append((target or sheet, match.group("ref").replace("$", "").upper()))
    return found


def uses_dynamic_references(formula: str) -> bool:
    """True when `formula` builds references at run time (OFFSET, INDIRECT): no static analysis holds."""
    return bool(DYNAMIC_REFERENCES.search(STRING_LITERAL.sub('""', formula)))


@dataclass
class BookCells:
    """What the engine needs of one workbook: formula texts and value cells, by node id."""

    formulas: dict[str, str] = field(default_factory=dict)
    """Node of a formula cell (or of an array formula's range) -> formula text without '='."""
    values: dict[str, Any] = field(default_factory=dict)
    """Node of a value cell -> float, str, bool or CellError."""
    names: dict[str, str] = field(default_factory=dict)
    """Node of a workbook-scope defined name -> its formula text."""
    blocks: dict[str, list[list[Any]]] = field(default_factory=dict)
    """Node of a large range of value cells -> its rows (None for an empty cell), fed as one input."""

    def signature(self) -> str:
        """Identical for workbooks that differ only in their input values."""
        digest = hashlib.sha256()
        for key in sorted(self.formulas):
            digest.update(f"{key}={self.formulas[key]}\n".encode())
        for key in sorted(self.names):
            digest.update(f"{key}:={self.names[key]}\n".encode())
        for key in sorted(self.values):
            digest.update(f"{key}\n".encode())
        for key in sorted(self.blocks):
            digest.update(f"{key}[]\n".encode())
        return digest.hexdigest()

    def inputs(self) -> dict[str, Any]:
        """Every input node with its value as the engine takes it."""
        values = {key: _engine_value(v) for key, v in self.values.items()}
        values.update({key: _block_value(rows) for key, rows in self.blocks.items()})
        return values


def _engine_value(value: Any) -> Any:
    if isinstance(value, CellError):
        return _error(value.code) if value.code in FormulaErrors.errors else value.code
    return value


def _block_value(rows: list[list[Any]]) -> np.ndarray:
    block = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            block[r, c] = sh.EMPTY if value is None else _engine_value(value)
    return block


def _cell_value(value: Any) -> Any:
    """An engine result as a cell value: float, str, bool or CellError."""
    if isinstance(value, XlError):
        return CellError(str(value))
    if value is sh.EMPTY:
        return 0.0  # a formula that points at an empty cell shows 0, as in Excel
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)


@dataclass
class Evaluation:
    """Results of one workbook, by engine node of a formula cell or array range."""

    results: dict[str, list[list[Any]]]
    """Node -> rows of cell values (a single cell is one row of one)."""
    notes: list[tuple[str, str]]
    """(node, what the user should know about that formula), e.g. an unknown function."""
    ftxl_nodes: list[str]
    """Nodes whose formula calls an ftxl function."""
    messages: list[str]
    """Why ftxl functions answered #VALUE! during this evaluation."""


class CompiledBook:
    """A workbook's formulas checked and compiled once; another copy only feeds in its values."""

    def __init__(self, cells: BookCells) -> None:
        self.notes: list[tuple[str, str]] = []
        self.broken: dict[str, CellError] = {}
        usable = {key: text for key, text in cells.formulas.items() if self._usable(key, text)}
        self.ftxl_nodes = [key for key, text in cells.formulas.items() if FTXL_CALL.search(text)]
        inputs = cells.inputs()
        model_dict: dict[str, Any] = dict(inputs)
        model_dict.update({key: "=" + text for key, text in cells.names.items()})
        model_dict.update({key: "=" + text for key, text in usable.items()})
        model = formulas.ExcelModel().from_dict(model_dict)
        data_nodes = model.dsp.data_nodes
        self.inputs = [key for key in inputs if key in data_nodes]
        self.outputs = list(usable)
        self.function: Callable[..., Any] | None = None
        if self.outputs:
            pipe = model.compile(inputs=self.inputs, outputs=self.outputs)
            try:
                self.function = FastPipe(pipe)
            except UnsupportedPipeError:
                self.function = pipe

    def _usable(self, key: str, text: str) -> bool:
        """Check one formula; note why it cannot be computed, or which functions are unknown."""
        if EXTERNAL_REFERENCE.search(STRING_LITERAL.sub('""', text)):
            self.notes.append((key, "refers to another workbook, which is never opened; the cell shows #REF!"))
            self.broken[key] = CellError("#REF!")
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
        _messages.clear()
        results: dict[str, list[list[Any]]] = {key: [[error]] for key, error in self.broken.items()}
        if self.function is not None:
            inputs = cells.inputs()
            outputs = self.function(*(inputs[key] for key in self.inputs))
            if len(self.outputs) == 1:
                outputs = [outputs]
            for key, output in zip(self.outputs, outputs, strict=True):
                raw = getattr(output, "value", output)
                rows = np.atleast_2d(np.asarray(raw, dtype=object))
                results[key] = [[_cell_value(v) for v in row] for row in rows.tolist()]
        return Evaluation(results, self.notes, self.ftxl_nodes, list(dict.fromkeys(_messages)))


class ModelCache:
    """Compiled models by formula signature, so filled copies of one template compile once."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.models: dict[str, CompiledBook] = {}
        self.hits = 0

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Evaluate `cells` with the cached model of their signature, compiling it when new."""
        key = cells.signature()
        model = self.models.get(key)
        if model is None:
            if len(self.models) >= self.size:
                self.models.pop(next(iter(self.models)))
            model = self.models[key] = CompiledBook(cells)
        else:
            self.hits += 1
        return model.evaluate(cells)


def check_formula(formula: str) -> str | None:
    """Why `formula` cannot be parsed, or None when it can."""
    try:
        formulas.Parser().ast("=" + formula)
    except FormulaError as exc:
        return str(exc.args[0] % exc.args[1:]).replace("\n", " ")
    except Exception as exc:  # the parser raises assorted types on odd input
        return str(exc)
    return None
