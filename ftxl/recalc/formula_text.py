"""Formula text as both engines and the reader see it: node ids, ftxl's spellings, references.

A node id names a cell, a range or a defined name of the one workbook an engine evaluates:
``'[BOOK]SHEET'!A1`` (sheet upper-cased, quotes doubled), ``'[BOOK]SHEET'!A1:B9``, and
``'[BOOK]'!NAME`` for a workbook-scope name. Built and read here only (`node`, `name_node`,
`parse_node`), so the format has one definition.

ftxl's worksheet functions are known under every spelling Excel writes into a file
for a user-defined function:

* ``EXPECTED_ERROR_COST(``: a VBA function of the workbook (classic add-in, Import Functions);
* ``_xludf.EXPECTED_ERROR_COST(``: a function Excel did not know when the formula was saved;
* ``_xldudf_EXPECTED_ERROR_COST(``: an Office.js custom function (xlwings Lite); a
  namespace, when there is one, sits between prefix and name and is dropped here. An
  exact ftxl name after the prefix is never read as a namespace plus a shorter name;
* ``[1]!EXPECTED_ERROR_COST(``: a function of an add-in workbook, saved as an external
  reference; the reference is dropped before parsing.
"""

from __future__ import annotations

import functools
import re

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string

from .. import cell_functions
from .values import NotCoveredError

LAST_ROW, LAST_COLUMN = 1_048_576, 16_384
"""Excel's grid: the last row and column a reference can reach."""

BOOK = "BOOK"
"""Every workbook is evaluated under this one name, so that copies share a model."""

FTXL_NAMES = sorted(cell_functions.FUNCTIONS, key=len, reverse=True)
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
RELATIVE_REFERENCE = re.compile(r"(?<![\w.$])(?:[A-Za-z]{1,3}\$?\d+|\$[A-Za-z]{1,3}\d+)(?![\w(])")
"""A cell reference with its column or its row relative (no $ before it)."""
DYNAMIC_REFERENCES = re.compile(r"\b(?:OFFSET|INDIRECT)\s*\(", re.I)
DOUBLE_MINUS = re.compile(r"--\s*[(A-Za-z$']")
FUNCTION_CALL = re.compile(r"(?<![\w.\]!])([A-Za-z_][\w.]*)\s*\(")
STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')


@functools.lru_cache(maxsize=65536)
def normalise(formula: str) -> str:
    """Formula text the engine can parse: add-in references and namespaces before ftxl names dropped."""
    if "\n" in formula or "\r" in formula:  # a line break typed into a formula is white space, outside text
        parts = re.split(r'("(?:[^"]|"")*")', formula)
        formula = "".join(p if k % 2 else re.sub(r"[\r\n]", " ", p) for k, p in enumerate(parts))
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


NODE = re.compile(r"^'\[BOOK\]((?:[^']|'')*)'!(.+)$")


def linked(key: str) -> bool:
    """True for a node of another workbook's cell, cached in this file ("[1]Sheet1"): only the plain engine
    reads those; the fallbacks see #REF! for such references."""
    return parse_node(key)[0].startswith("[")


def parse_node(key: str) -> tuple[str, str]:
    """(SHEET, A1 or A1:B9 or NAME) of a node id such as '[BOOK]INPUTS'!C5; SHEET is empty for a name."""
    match = NODE.match(key)
    if not match:
        raise NotCoveredError(f"unexpected node {key}")
    return match.group(1).replace("''", "'"), match.group(2)


def node_ref(key: str) -> str:
    """The A1 reference (or the name) a node id ends with: C5 of '[BOOK]INPUTS'!C5."""
    return key.rsplit("!", 1)[1]
