"""Excel formula text to a tree, for the grammar the plain engine computes.

openpyxl's tokenizer splits the text; a precedence parser (Pratt style) builds the tree
with Excel's operator precedence: reference operators, then a leading minus (-2^2 is 4),
percent, ^, * /, + -, &, comparisons, all binding left to right. Anything outside the
grammar (intersections, range operators between functions, 3-D or whole-column
references, unknown error literals, nesting deeper than Excel allows) raises
`NotCoveredError`.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from ..formula_text import LAST_COLUMN, LAST_ROW
from ..values import ERRORS, CellError, NotCoveredError, Value

REFERENCE = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|(?:\[\d+\])?[^'!:\[\]\s]+)!)?(?P<a>\$?[A-Za-z]{1,3}\$?\d+)(?::(?P<b>\$?[A-Za-z]{1,3}\$?\d+))?$"
)
WHOLE_LINES = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|(?:\[\d+\])?[^'!:\[\]\s]+)!)?"
    r"(?:\$?(?P<c1>[A-Za-z]{1,3}):\$?(?P<c2>[A-Za-z]{1,3})|\$?(?P<r1>\d+):\$?(?P<r2>\d+))$"
)
"""Whole columns (A:C) or whole rows (1:3), with an optional sheet."""
THREE_D = re.compile(
    r"^(?:'(?P<quoted>(?:[^']|'')+):(?P<quoted_last>(?:[^']|'')+)'|(?P<first>[^'!:\[\]\s]+):(?P<last>[^'!:\[\]\s]+))!"
    r"(?P<a>\$?[A-Za-z]{1,3}\$?\d+)(?::(?P<b>\$?[A-Za-z]{1,3}\$?\d+))?$"
)
"""A reference through a run of sheets (Jan:Dec!B5, 'Q1 2024:Q4 2024'!B5:C9): the same cells on each sheet from
the first to the last, in the workbook's order."""
DELETED = re.compile(r"^(?:'(?:[^']|'')+'|[^'!\s]+)!#REF!$", re.IGNORECASE)
"""A reference whose cells were deleted, as Excel rewrites it (Sheet1!#REF!): the error value #REF!."""
DEFINED_NAME = re.compile(r"^[A-Za-z_\\][\w.\\]*$")
SHEET_NAME = re.compile(r"^(?P<sheet>'(?:[^']|'')+'|[^'!:\[\]\s]+)!(?P<name>[A-Za-z_\\][\w.\\]*)$")
"""A name scoped to a sheet, written with that sheet: Defines!NR_To_A1."""
MAX_NESTING = 100
"""Parentheses, functions and signs nested deeper than this are left to formulas (Excel allows 64 levels)."""
PREFIX_POWER = 70
"""Excel binds a leading minus tighter than ^: -2^2 is 4."""
POSTFIX_POWER = 60
INFIX_POWER = {"^": 50, "*": 40, "/": 40, "+": 30, "-": 30, "&": 20}
INFIX_POWER.update({op: 10 for op in ("=", "<>", "<", ">", "<=", ">=")})

Tree = tuple[Any, ...]
"""A parsed formula: ("value", v), ("ref", sheet, box), ("name", NAME), ("array", rows),
("missing",), ("unary", op, tree), ("infix", op, left, right), ("call", NAME, [trees]); an infix written
in parentheses carries a fifth item, "parenthesised"."""


def _ends_operand(token: Token) -> bool:
    return token.type in (Token.OPERAND, Token.OP_POST) or token.subtype == Token.CLOSE


def _starts_operand(token: Token) -> bool:
    return token.type == Token.OPERAND or token.subtype == Token.OPEN


class Parser:
    """Excel formula text -> `Tree`, for the grammar the plain engine computes."""

    def __init__(self, formula: str, sheet: str) -> None:
        try:
            items = Tokenizer("=" + formula).items
        except (TokenizerError, ValueError, IndexError) as exc:
            raise NotCoveredError(f"cannot tokenize: {exc}") from None
        self.tokens: list[Token] = []
        for k, token in enumerate(items):
            if token.type == Token.WSPACE:
                if 0 < k < len(items) - 1 and _ends_operand(items[k - 1]) and _starts_operand(items[k + 1]):
                    raise NotCoveredError("intersection of ranges")
                continue
            if token.type == Token.OP_PRE and self.tokens and _ends_operand(self.tokens[-1]):
                token = Token(token.value, Token.OP_IN)  # "B1 +B3": the tokenizer took + after a space for a sign
            self.tokens.append(token)
        self.position = 0
        self.depth = 0
        self.sheet = sheet

    def parse(self) -> Tree:
        tree = self.expression(0)
        if self.position != len(self.tokens):
            raise NotCoveredError(f"unexpected {self.tokens[self.position].value!r}")
        return tree

    def _peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise NotCoveredError("formula ends too early")
        self.position += 1
        return token

    def expression(self, min_power: int) -> Tree:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise NotCoveredError(f"a formula nested more than {MAX_NESTING} levels deep")
        try:
            return self._expression(min_power)
        finally:
            self.depth -= 1

    def _expression(self, min_power: int) -> Tree:
        left = self.primary()
        while (token := self._peek()) is not None:
            if token.type == Token.OP_POST and token.value == "%":
                if POSTFIX_POWER < min_power:
                    break
                self.position += 1
                left = ("unary", "%", left)
                continue
            if token.type != Token.OP_IN:
                break
            power = INFIX_POWER.get(token.value)
            if power is None:
                raise NotCoveredError(f"operator {token.value}")
            if power < min_power:
                break
            self.position += 1
            left = ("infix", token.value, left, self.expression(power + 1))
        return left

    def primary(self) -> Tree:
        token = self._next()
        if token.type == Token.OP_PRE:
            return ("unary", token.value, self.expression(PREFIX_POWER))
        if token.type == Token.OPERAND:
            return self.operand(token)
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            tree = self.expression(0)
            closing = self._next()
            if closing.type != Token.PAREN:
                raise NotCoveredError("unbalanced parentheses")
            if tree[0] == "infix":  # marked: Excel's near-zero rule skips an operation in parentheses
                tree = (*tree[:4], "parenthesised")
            return tree
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            return self.call(token.value[:-1])
        if token.type == Token.ARRAY and token.subtype == Token.OPEN:
            return self.array()
        raise NotCoveredError(f"unexpected {token.value!r}")

    def call(self, name: str) -> Tree:
        args: list[Tree] = []
        if (token := self._peek()) is not None and token.type == Token.FUNC and token.subtype == Token.CLOSE:
            self.position += 1
            return ("call", name, args)
        while True:
            token = self._peek()
            if token is not None and (token.type == Token.SEP or token.subtype == Token.CLOSE):
                args.append(("missing",))
            else:
                args.append(self.expression(0))
            token = self._next()
            if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                return ("call", name, args)
            if token.type != Token.SEP or token.subtype != Token.ARG:
                raise NotCoveredError(f"unexpected {token.value!r} in {name}()")

    def array(self) -> Tree:
        rows: list[list[Value]] = [[]]
        while True:
            token = self._next()
            sign = 1.0
            if token.type == Token.OP_PRE:
                sign = -1.0 if token.value == "-" else 1.0
                token = self._next()
            if token.type != Token.OPERAND or token.subtype == Token.RANGE:
                raise NotCoveredError("array constant with something other than constants")
            value = self.operand(token)[1]
            rows[-1].append(value * sign if sign < 0 else value)
            token = self._next()
            if token.type == Token.ARRAY and token.subtype == Token.CLOSE:
                break
            if token.subtype == Token.ROW:
                rows.append([])
        if len({len(row) for row in rows}) != 1:
            raise NotCoveredError("ragged array constant")
        return ("array", rows)

    def _sheet(self, written: str | None) -> str:
        """The upper-cased sheet a reference names (quoted or not), or the formula's own."""
        if written is None:
            return self.sheet.upper()
        return (written[1:-1].replace("''", "'") if written.startswith("'") else written).upper()

    def operand(self, token: Token) -> Tree:
        value = token.value
        if token.subtype == Token.NUMBER:
            return ("value", float(value))
        if token.subtype == Token.TEXT:
            return ("value", value[1:-1].replace('""', '"'))
        if token.subtype == Token.LOGICAL:
            return ("value", value.upper() == "TRUE")
        if token.subtype == Token.ERROR:
            if value.upper() not in ERRORS:
                raise NotCoveredError(f"error value {value}")
            return ("value", CellError(value.upper()))
        if DELETED.match(value):
            return ("value", CellError("#REF!"))  # a reference to cells since deleted (a name left behind)
        through = THREE_D.match(value)  # a sheet name holds no colon: a quoted one with a colon is a run of sheets
        if through:
            first = through.group("quoted") or through.group("first")
            last = through.group("quoted_last") or through.group("last")
            ref = through.group("a") + (":" + through.group("b") if through.group("b") else "")
            sheets = tuple(name.replace("''", "'").upper() for name in (first, last))
            return ("ref3d", sheets, range_boundaries(ref.replace("$", "").upper()))
        match = REFERENCE.match(value)
        if match:
            sheet = self._sheet(match.group("sheet"))
            ref = match.group("a") + (":" + match.group("b") if match.group("b") else "")
            return ("ref", sheet, range_boundaries(ref.replace("$", "").upper()))
        whole = WHOLE_LINES.match(value)
        if whole:
            sheet = self._sheet(whole.group("sheet"))
            if whole.group("c1"):
                first, last = (column_index_from_string(whole.group(g).upper()) for g in ("c1", "c2"))
                return ("ref", sheet, (min(first, last), 1, max(first, last), LAST_ROW))
            top, bottom = int(whole.group("r1")), int(whole.group("r2"))
            return ("ref", sheet, (1, min(top, bottom), LAST_COLUMN, max(top, bottom)))
        if DEFINED_NAME.match(value) and value.upper() not in ("TRUE", "FALSE"):
            return ("name", value.upper())
        scoped = SHEET_NAME.match(value)
        if scoped:
            return ("name", f"{self._sheet(scoped.group('sheet'))}!{scoped.group('name').upper()}")
        raise NotCoveredError(f"reference {value}")


Box = tuple[int, int, int, int]


REFERENCE_ONLY = frozenset({"ROW", "COLUMN", "ROWS", "COLUMNS", "ISREF", "AREAS", "SHEET", "SHEETS", "FORMULATEXT"})
"""Functions that read only where their reference arguments are, never the values in them."""
CELL_READING_VALUES = frozenset({"contents", "type", "prefix", ""})
"""CELL's info types that read the referenced cell's value ("" when the type is not a literal)."""


def _only_where(function: str, argument: int, info_type: str) -> bool:
    """Whether argument `argument` of `function` reads only a reference's position (CELL("col", A1))."""
    if function in REFERENCE_ONLY:
        return True
    return function == "CELL" and argument == 1 and info_type not in CELL_READING_VALUES


def static_references(formula: str, sheet: str, values_only: bool = False) -> list[tuple[str, Any]] | None:
    """Every (SHEET, box) and ("", NAME) a formula reads, for one the plain engine does not compute; None
    when they cannot be known without computing it (OFFSET, INDIRECT, a 3-D or table reference, text that
    does not tokenize): then no order of the workbook's formulas can be trusted around it. `values_only`
    leaves out references read only for where they are (ROW(A:A), CELL("col", B8)): no dependency."""
    try:
        items = Tokenizer("=" + formula).items
    except (TokenizerError, ValueError, IndexError):
        return None
    reader = Parser.__new__(Parser)
    reader.sheet = sheet
    found: list[tuple[str, Any]] = []
    calls: list[list[Any]] = []  # per open call: [name, argument index, its first argument's text]
    for token in items:
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper().removeprefix("_XLFN.")
            if name.rsplit(":", 1)[-1] in ("OFFSET", "INDIRECT"):  # D1:INDIRECT(...) is read as one token
                return None
            calls.append([name, 0, ""])
            continue
        if token.type == Token.FUNC and token.subtype == Token.CLOSE and calls:
            calls.pop()
            continue
        if token.type == Token.SEP and token.subtype == Token.ARG and calls:
            calls[-1][1] += 1
            continue
        if calls and calls[-1][1] == 0 and token.type == Token.OPERAND and token.subtype == Token.TEXT:
            calls[-1][2] = token.value.strip('"').lower()
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        if values_only and calls and _only_where(*calls[-1]):
            continue  # read for where it is, not for its value: no dependency (and no false loop)
        if re.match(r"^'?\[\d+\]", token.value):
            continue  # another workbook's cell: never opened (#REF!), it reads nothing here
        try:
            tree = reader.operand(token)
        except NotCoveredError:
            return None  # a table's column, ...
        if tree[0] == "ref3d":
            return None  # which sheets lie between two is the workbook's order, not known here
        if tree[0] == "value":
            continue  # Sheet1!#REF!: cells since deleted, read as the error
        found.append(("", tree[1]) if tree[0] == "name" else (tree[1], tree[2]))
    return found
