"""Evaluating a workbook's formulas without Excel, ftxl's functions included.

Two engines share one description of a workbook (`BookCells`): the plain engine
(`plain_engine`), which compiles the common formula subset to Python closures and is
what normally runs, and the `formulas` library (`formulas_engine`), which computes
everything else and takes over whole workbooks the plain engine does not cover.
Workbooks whose formulas are identical share one compiled model (`ModelCache`).

ftxl's worksheet functions are known under every spelling Excel writes into a file
for a user-defined function:

* ``EXPECTED_ERROR_COST(``: a VBA function of the workbook (classic add-in, Import Functions);
* ``_xludf.EXPECTED_ERROR_COST(``: a function Excel did not know when the formula was saved;
* ``_xldudf_EXPECTED_ERROR_COST(``: an Office.js custom function (xlwings Lite); a
  namespace, when there is one, sits between prefix and name and is dropped here. An
  exact ftxl name after the prefix is never read as a namespace plus a shorter name;
* ``[1]!EXPECTED_ERROR_COST(``: a function of an add-in workbook, saved as an external
  reference; the reference is dropped before parsing.

Neither engine opens another file: external links to other workbooks evaluate to #REF!
with a warning, which keeps untrusted input from reading other files.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string

from . import sheet_functions
from .formula_parser import LAST_COLUMN, LAST_ROW
from .plain_engine import PlainBook
from .xl_values import NotCoveredError

if TYPE_CHECKING:
    from .formulas_engine import CompiledBook

ENGINES = ("auto", "formulas")
"""auto: the plain engine, `formulas` where it does not cover a workbook; formulas: always `formulas`."""

BOOK = "BOOK"
"""Every workbook is evaluated under this one name, so that copies share a model."""

FTXL_NAMES = sorted(sheet_functions.FUNCTIONS, key=len, reverse=True)
_NAME_ALTERNATION = "|".join(FTXL_NAMES)
ADDIN_REFERENCE = re.compile(
    rf"(?:\[\d+\]|'[^']*'|[\w.\\:-]+\.xla[m]?)!(?=(?:_xludf\.)?(?:{_NAME_ALTERNATION})\s*\()", re.I
)
NAMESPACED_OFFICE_JS = re.compile(
    rf"_xldudf_(?!(?:{_NAME_ALTERNATION})\s*\()[\w.]*?[_.]({_NAME_ALTERNATION})(?=\s*\()", re.I
)
"""An Office.js name with a namespace before an ftxl name. An exact ftxl name right after the prefix
always wins (``_xldudf_HUMAN_COST_PER_EVENT`` is not COST_PER_EVENT in a namespace HUMAN); otherwise
the shortest namespace, that is the longest ftxl name, is taken."""
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


@functools.lru_cache(maxsize=65536)
def normalise(formula: str) -> str:
    """Formula text the engine can parse: add-in references and namespaces before ftxl names dropped."""
    formula = ADDIN_REFERENCE.sub("", formula)
    return NAMESPACED_OFFICE_JS.sub(lambda m: f"_xldudf_{m.group(1)}", formula)


@functools.lru_cache(maxsize=65536)
def node(sheet: str, ref: str) -> str:
    """The engine's id of a cell or range: '[BOOK]SHEET'!A1."""
    return "'[{}]{}'!{}".format(BOOK, sheet.upper().replace("'", "''"), ref)


def name_node(name: str) -> str:
    """The engine's id of a workbook-scope defined name."""
    return f"'[{BOOK}]'!{name.upper()}"


@functools.lru_cache(maxsize=65536)
def translate(formula: str, origin: str, destination: str) -> str:
    """A shared formula, written for `origin`, as it reads in `destination` (relative references move).

    A reference moved off Excel's grid (past row 1,048,576 or column XFD) becomes #REF!, as in Excel.
    """
    moved = Translator("=" + formula, origin=origin).translate_formula(destination)[1:]
    if not OFF_GRID_HINT.search(moved):
        return moved
    parts = re.split(r'("(?:[^"]|"")*")', moved)  # string literals (odd positions) stay as they are
    return "".join(part if k % 2 else REFERENCE.sub(_ref_error_off_the_grid, part) for k, part in enumerate(parts))


OFF_GRID_HINT = re.compile(r"\d{7}|[A-Z]{3}\$?\d", re.I)
"""Cheap test for a reference that may lie off the grid (a 7-digit row, a 3-letter column)."""


def _ref_error_off_the_grid(match: re.Match[str]) -> str:
    for corner in match.group("ref").replace("$", "").split(":"):
        column, row = re.fullmatch(r"([A-Za-z]+)(\d+)", corner).groups()  # type: ignore[union-attr]
        if int(row) > LAST_ROW or column_index_from_string(column.upper()) > LAST_COLUMN:
            return "#REF!"
    return match.group(0)


@functools.lru_cache(maxsize=65536)
def references(formula: str, sheet: str) -> tuple[tuple[str, str], ...]:
    """(sheet, A1 or A1:B9 without $) of every cell or range `formula` points at, as written on `sheet`."""
    found = []
    for match in REFERENCE.finditer(STRING_LITERAL.sub('""', formula)):
        target = match.group("sheet")
        if target and target.startswith("'"):
            target = target[1:-1].replace("''", "'")
        found.append((target or sheet, match.group("ref").replace("$", "").upper()))
    return tuple(found)


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
    sheets: list[str] = field(default_factory=list)
    """The workbook's worksheet names, in order."""
    array_formulas: set[str] = field(default_factory=set)
    """Nodes of formulas entered as array formulas (Excel 365 saves every formula that spills so),
    one cell or many: their ranges are never cut to one cell."""

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
        digest.update("\n".join(self.sheets).encode())
        digest.update("\n".join(sorted(self.array_formulas)).encode())
        return digest.hexdigest()


@dataclass
class Evaluation:
    """Results of one workbook, by engine node of a formula cell or array range."""

    results: dict[str, list[list[Any]]]
    """Node -> rows of cell values (float, str, bool or CellError; a single cell is one row of one)."""
    notes: list[tuple[str, str]]
    """(node, what the user should know about that formula), e.g. an unknown function."""
    ftxl_nodes: list[str]
    """Nodes whose formula calls an ftxl function."""
    messages: list[str]
    """Why ftxl functions answered #VALUE! during this evaluation."""
    engine: str = "plain"
    """Which engine computed it: "plain", or "formulas" with the reason the plain one did not."""
    failures: dict[str, list[str]] | None = None
    """Node -> why the ftxl function in its formula answered #VALUE! (the plain engine knows this
    cell by cell; formulas only gives `messages` for the whole workbook)."""


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
                results, failures = self.plain.evaluate(cells.values, cells.blocks)
                messages = list(dict.fromkeys(m for reasons in failures.values() for m in reasons))
                return Evaluation(results, list(self.plain.notes), self.ftxl_nodes, messages, failures=failures)
            except NotCoveredError as exc:  # an input this workbook holds that the plain engine leaves to formulas
                reason = str(exc)
        if self.fallback is None:
            from .formulas_engine import CompiledBook  # imports formulas (and scipy): only when needed

            self.fallback = CompiledBook(cells)
        evaluation = self.fallback.evaluate(cells)
        evaluation.engine = f"formulas ({reason})"
        return evaluation


class ModelCache:
    """Compiled models by formula signature, so filled copies of one template compile once."""

    def __init__(self, size: int = 32, engine: str = "auto") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.size = size
        self.engine = engine
        self.models: dict[str, Model] = {}
        self.hits = 0

    def evaluate(self, cells: BookCells) -> Evaluation:
        """Evaluate `cells` with the cached model of their signature, compiling it when new."""
        key = cells.signature()
        model = self.models.get(key)
        if model is None:
            if len(self.models) >= self.size:
                self.models.pop(next(iter(self.models)))
            model = self.models[key] = Model(cells, self.engine)
        else:
            self.hits += 1
        return model.evaluate(cells)
