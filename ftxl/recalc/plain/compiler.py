"""Computing a workbook's formulas as plain Python: each formula compiled once into a closure.

Filled copies of one template differ only in their inputs, so the work worth doing once
is turning formula text into something that runs: each formula's tree (`formula_parser`)
becomes nested Python closures over a dict of cell values. The formulas run in dependency order, each reading
the cells it refers to, with Excel's value rules (`xl_values`) and functions
(`functions`, ftxl's own included).

The plain engine covers the formulas templates like ftxl's are written with. Anything
else (a function it does not know, OFFSET, whole-column or 3-D references, a circular
reference, a sorted MATCH) raises `NotCoveredError` while compiling or evaluating, and the
workbook is computed by the `formulas` engine instead, so coverage never changes a result.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

from ...errors import WorkbookError
from ..formula_text import LAST_COLUMN, LAST_ROW, RELATIVE_REFERENCE, STRING_LITERAL, node_ref, parse_node, translate
from ..values import (
    MAX_RANGE_CELLS,
    MISSING,
    NA,
    NAME,
    NUM,
    REF,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    area,
    binary,
    cell_at,
    unary,
)
from . import dynamic
from .functions import SPECS, Spec
from .parser import INFIX_POWER, Parser, Tree, static_references

Cells = dict[Any, Value]
"""The cell values of one evaluation: (sheet, row, column) -> value, and a key per block of inputs."""
Closure = Callable[[Cells], Value]
Box = tuple[int, int, int, int]
"""(min_col, min_row, max_col, max_row) of a range, 1-based."""


def _call_name(name: str) -> str:
    upper = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        upper = upper.removeprefix(prefix)
    return upper


_XLFN = re.compile(r"_xlfn\.|_xlws\.", re.IGNORECASE)
"""Prefixes a file stores before functions newer than Excel 2007, which Excel does not show."""

NEAR_ZERO = 2.0**-48
"""A final sum or difference this small beside its larger operand is a cancellation (about 3.6e-15 of it,
some 16 units in the last place): Excel shows 0. LibreOffice uses the same bound for its Excel-like rule."""

THREE_D_FUNCTIONS = frozenset(
    {"SUM", "AVERAGE", "AVERAGEA", "COUNT", "COUNTA", "MAX", "MAXA", "MIN", "MINA", "PRODUCT"}
    | {"STDEV", "STDEV.S", "STDEV.P", "STDEVP", "STDEVA", "STDEVPA", "VAR", "VAR.S", "VAR.P", "VARP", "VARA", "VARPA"}
)
"""The functions Excel lets read a run of sheets (Jan:Dec!B5): each sheet's cells count as one more range."""

RANGE_KEYS_KEPT = 2_000_000
"""Cell keys of ranges made once and kept for every copy (a table column read by many formulas); past this
many cells, a range's keys are made each time its formula runs."""

VALUE_CONTEXT, ARRAY_CONTEXT, RANGE_CONTEXT = "value", "array", "range"
"""How a reference is read. value: in a normal cell, where a multi-cell range is cut down to
the cell in the formula's own row or column (Excel's implicit intersection, #VALUE! when there
is none); array: in an array formula (one cell or many; Excel 365 saves every formula that
spills as one) or an argument Excel evaluates as an array (SUMPRODUCT's), where a range stays
whole; range: an argument that takes a range as such (SUM's, COUNTIF's first), where even a
single cell is a range."""


@dataclass
class _Compiled:
    run: Closure
    refs: list[tuple[str, Box]] = field(default_factory=list)
    dynamic: bool = False
    """It reads a reference known only by computing it (OFFSET, INDIRECT): its reads are checked each pass."""


class Compiler:
    """Trees -> closures, remembering every range each formula reads."""

    def __init__(
        self,
        names: dict[str, Tree],
        sheets: list[str],
        blocks: dict[tuple[str, Box], Any],
        extents: dict[str, tuple[int, int]] | None = None,
        date1904: bool = False,
        name_texts: dict[str, str] | None = None,
        subtotal_cells: set[tuple[str, int, int]] | None = None,
        hidden_rows: dict[str, set[int]] | None = None,
        local_names: dict[str, str] | None = None,
        filtered_sheets: set[str] | None = None,
        formula_texts: dict[tuple[str, int, int], str | None] | None = None,
        spills: dict[tuple[str, int, int], Box] | None = None,
    ) -> None:
        self.sheet_order = sheets
        """The workbook's sheets in tab order, upper-cased: the run of sheets Jan:Dec!B5 reads."""
        self.spills = spills or {}
        """(SHEET, row, column) of an array formula's first cell -> the range it fills: what A1# (saved as
        _xlfn.ANCHORARRAY(A1)) refers to."""
        self.formula_texts = formula_texts or {}
        """(SHEET, row, column) -> the formula text saved in that cell for FORMULATEXT; None where it is not
        known as saved (inside an array range, a text the engine rewrote)."""
        self.local_names = local_names or {}
        """"SHEET!NAME" -> formula text of the names scoped to one sheet."""
        self.filtered_sheets = filtered_sheets or set()
        """Sheets with an autofilter: their hidden rows may be filtered out, which SUBTOTAL 1-11 skips too."""
        self.sheet = ""
        self.subtotal_cells = subtotal_cells or set()
        """(SHEET, row, column) of formulas calling SUBTOTAL or AGGREGATE, which SUBTOTAL skips."""
        self.hidden_rows = hidden_rows or {}
        self.date1904 = date1904
        self.name_texts = name_texts or {}
        """Defined names' formula texts, for names with relative references (read from each using cell)."""
        """The workbook counts dates from 1904 (its date functions take that first)."""
        self.names = names
        self.sheets = set(sheets)
        self.extents = extents or {}
        """Sheet -> (last row, last column) holding a value or a formula: where whole columns end in effect."""
        self.blocks = blocks
        self.refs: list[tuple[str, Box]] = []
        self._range_keys: dict[tuple[str, Box], list[list[tuple[str, int, int]]]] = {}
        self._range_keys_kept = 0
        """Cells whose keys `_range_keys` holds (at most `RANGE_KEYS_KEPT`)."""
        self.row = self.column = 0
        self.in_array = False
        """Compiling an array formula, or the arguments of a function Excel evaluates as arrays."""
        self._naming: set[str] = set()
        self._single_box = True
        self.notes: list[str] = []
        """What the user should know about the formula just compiled (a reference to a missing sheet)."""
        self.dynamic = False
        """The formula just compiled reads a reference known only by computing it."""
        self._locals: dict[str, tuple[list[Value], bool]] = {}
        """LET variables in scope while compiling: name -> (the slot its value is put in, it holds a range)."""
        self.reads = dynamic.Reads()
        """Where the dynamic references of the formula running now have read (the engine checks and clears it)."""

    def compile(self, tree: Tree, box: Box, array: bool = False, sheet: str = "") -> _Compiled:
        """Closure of a formula filling `box`; an array formula (`array`, or more than one cell) keeps
        its ranges whole."""
        self.refs = []
        self.notes = []
        self.dynamic = False
        self.sheet = sheet
        self.column, self.row = box[0], box[1]
        self._single_box = box[0] == box[2] and box[1] == box[3]
        self.in_array = array or not self._single_box
        if tree[0] == "infix" and len(tree) == 4 and tree[1] in "+-" and not self.in_array:
            run = self.final_sum(tree)
        else:
            run = self.closure(tree, ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT)
        return _Compiled(run, self.refs, self.dynamic)

    def final_sum(self, tree: Tree) -> Closure:
        """A formula whose last operation is + or -, with Excel's rule for it: a result within the last
        digits of its operands (a cancellation, 0.5-0.4-0.1) shows as exactly 0. Excel applies it to that
        last operation only, and not when it is written in parentheses (=(0.5-0.4-0.1) keeps -2.8E-17)."""
        left = self.closure(tree[2], VALUE_CONTEXT)
        right = self.closure(tree[3], VALUE_CONTEXT)
        function = binary(tree[1])

        def run(cells: Cells) -> Value:
            x, y = left(cells), right(cells)
            result = function(x, y)
            if type(result) is float and result and type(x) is float and type(y) is float:
                if abs(result) <= max(abs(x), abs(y)) * NEAR_ZERO:
                    return 0.0
            return result

        return run

    def closure(self, tree: Tree, context: str) -> Closure:
        kind = tree[0]
        if kind == "value":
            value = tree[1]
            return lambda cells: value
        if kind == "missing":
            return lambda cells: MISSING
        if kind == "array":
            grid = Grid(tree[1])
            return lambda cells: grid
        if kind == "ref":
            return self.reference(tree[1], tree[2], context)
        if kind == "name":
            return self.name(tree[1], context)
        if kind == "ref3d":
            raise NotCoveredError("a reference through several sheets outside SUM, AVERAGE, COUNT, MAX, MIN ...")
        inner = ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT
        if kind == "unary":
            return self.unary(tree[1], self.closure(tree[2], inner))
        if kind == "infix":
            return self.chain(tree, inner)
        return self.call(tree[1], tree[2], context)

    def reference(self, sheet: str, box: Box, context: str) -> Closure:
        if sheet not in self.sheets:  # Excel shows #REF! for a sheet that does not exist
            if re.match(r"^\[\d+\]", sheet):
                self.notes.append("refers to another workbook, which is never opened; the cell shows #REF!")
            else:
                self.notes.append(f"refers to sheet {sheet!r}, which is not in the workbook; the cell shows #REF!")
            return lambda cells: REF
        if sheet.startswith("[") and LINKED_NOTE not in self.notes:
            self.notes.append(LINKED_NOTE)
        min_col, min_row, max_col, max_row = box
        single = min_col == max_col and min_row == max_row
        if context == VALUE_CONTEXT and not single:
            return self.intersection(sheet, box)
        if area(box) > MAX_RANGE_CELLS:
            raise NotCoveredError(f"a range of more than {MAX_RANGE_CELLS:,} cells")
        if not single and _reaches_edge(box) and (sheet, box) not in self.blocks:
            raise NotCoveredError("a whole-column or whole-row range other than a direct argument of SUM, SUMIF ...")
        if context == VALUE_CONTEXT and not single:
            return self.intersection(sheet, box)
        self.refs.append((sheet, box))
        block = self.blocks.get((sheet, box))
        if block is not None:
            return lambda cells: cells[block]
        if single:
            key = (sheet, min_row, min_col)
            if context == RANGE_CONTEXT:
                return lambda cells: Grid([[cells.get(key)]], True)
            return lambda cells: cells.get(key)
        keys = self._range_keys.get((sheet, box))
        if keys is None and self._range_keys_kept + area(box) > RANGE_KEYS_KEPT:
            # running sums (SUM($A$1:A9999) down a column) read ranges that are all different: kept, their keys
            # would take memory growing with the square of the rows; they are made as each formula runs
            columns = range(min_col, max_col + 1)
            rows = range(min_row, max_row + 1)

            def read_made(cells: Cells) -> Value:
                get = cells.get
                return Grid([[get((sheet, r, c)) for c in columns] for r in rows], True)

            return read_made
        if keys is None:  # many formulas read the same table column: its cell keys are made once
            keys = [[(sheet, r, c) for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)]
            self._range_keys[(sheet, box)] = keys
            self._range_keys_kept += area(box)

        def read(cells: Cells) -> Value:
            get = cells.get
            return Grid([[get(k) for k in row] for row in keys], True)

        return read

    def intersection(self, sheet: str, box: Box) -> Closure:
        """The one cell of a range in the formula's own row or column, as Excel reads it in a normal cell."""
        min_col, min_row, max_col, max_row = box
        row = min_row if min_row == max_row else self.row
        column = min_col if min_col == max_col else self.column
        if not (min_row <= row <= max_row and min_col <= column <= max_col):
            return lambda cells: VALUE
        for block_sheet, (a, b, c, d) in self.blocks:
            if block_sheet == sheet and a <= column <= c and b <= row <= d:
                raise NotCoveredError("one cell of a block of inputs read on its own")
        return self.reference(sheet, (column, row, column, row), VALUE_CONTEXT)

    def _name_tree(self, name: str) -> Tree | None:
        """The parsed formula of a defined name, as read from the cell being compiled: a name scoped to the
        cell's sheet (or to the sheet written before it) wins over a workbook name; None: no such name."""
        local = self.local_names.get(name if "!" in name else f"{self.sheet}!{name}")
        if local is not None:
            return Parser(self._moved(local), "").parse()
        if "!" in name:
            return None
        text = self.name_texts.get(name)
        if text is not None and _relative(text):
            # a relative reference in a name is stored as seen from A1 and read from the cell using it
            moved = translate(text, "A1", f"{get_column_letter(self.column)}{self.row}")
            return Parser(moved, "").parse()
        return self.names.get(name)

    def _moved(self, text: str) -> str:
        if _relative(text):
            return translate(text, "A1", f"{get_column_letter(self.column)}{self.row}")
        return text

    def name(self, name: str, context: str) -> Closure:
        local = self._locals.get(name.removeprefix("_XLPM."))
        if local is not None:  # a LET variable: its value, set when the LET runs
            slot, is_range = local
            if is_range and context == VALUE_CONTEXT and not self.in_array:
                raise NotCoveredError("a LET variable holding a range, read as one value")
            return lambda cells: slot[0]
        tree = self._name_tree(name)
        if tree is None:
            if name in self.name_texts:  # defined, but not in a form the plain engine reads
                raise NotCoveredError(f"name {name}")
            return lambda cells: NAME  # Excel's answer to a name nobody defined
        if name in self._naming:
            raise WorkbookError(f"the defined name {name} refers to itself (a circular reference); fix the name")
        self._naming.add(name)
        try:
            return self.closure(tree, context)
        finally:
            self._naming.discard(name)

    @staticmethod
    def unary(op: str, operand: Closure) -> Closure:
        function = unary(op)
        return lambda cells: function(operand(cells))

    def chain(self, tree: Tree, context: str) -> Closure:
        """An operator, or a run of operators of one precedence (A1+A2+...+A800) folded left in a loop:
        nested closures that deep would exceed Python's recursion limit."""
        power = INFIX_POWER[tree[1]]
        steps = []
        while tree[0] == "infix" and INFIX_POWER[tree[1]] == power:
            steps.append((tree[1], tree[3]))
            tree = tree[2]
        first = self.closure(tree, context)
        rest = [(binary(op), self.closure(operand, context)) for op, operand in reversed(steps)]
        if len(rest) == 1:
            ((function, second),) = rest
            return lambda cells: function(first(cells), second(cells))

        def fold(cells: Cells) -> Value:
            value = first(cells)
            for function, operand in rest:
                value = function(value, operand(cells))
            return value

        return fold

    def call(self, name: str, trees: list[Tree], context: str = VALUE_CONTEXT) -> Closure:
        upper = _call_name(name)
        if upper in ("OFFSET", "INDIRECT"):
            return self.dynamic_reference(upper, trees, context)
        start, colon, function = upper.rpartition(":")
        if colon and function in ("OFFSET", "INDIRECT"):  # D1:INDIRECT(...) comes as one name
            return self.range_to(start, function, trees, context)
        if upper in _WHERE_FUNCTIONS and len(trees) <= 1:
            return self.where(upper, trees)
        if upper == "CELL":
            return self.cell_info(trees)
        if upper == "LET":
            return self.let(trees, context)
        if upper == "ANCHORARRAY":
            return self.spilled(trees, context)
        if upper == "FORMULATEXT":
            return self.formula_text(trees)
        if upper == "AGGREGATE":
            return self.aggregate(trees)
        spec = SPECS.get(upper)
        if spec is None:
            raise NotCoveredError(f"function {name}")
        skipped: dict[int, tuple[Box, set[int], set[tuple[int, int]]]] = {}
        if upper == "SUBTOTAL":
            skipped = self._subtotal_skips(trees)
        if len(trees) < spec.min_args or (spec.max_args is not None and len(trees) > spec.max_args):
            raise NotCoveredError(f"{name} with {len(trees)} arguments")
        why_not = spec.covers(trees) if spec.covers else None
        if why_not:
            raise NotCoveredError(why_not)
        trees = [self._named_range(tree) for tree in trees]
        if any(tree[0] == "ref3d" for tree in trees):
            trees = self._through_sheets(upper, trees)
            if spec.max_args is not None and len(trees) > spec.max_args:
                raise NotCoveredError(f"{name} with {len(trees)} arguments")
        cut = self._cuts(spec, trees)
        outer = self.in_array
        self.in_array = outer or spec.arrays
        try:
            inner = ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT
            args = []
            for position, tree in enumerate(trees):
                context = RANGE_CONTEXT if spec.ranges is None or position in spec.ranges else inner
                if position in cut and context == RANGE_CONTEXT:
                    read = self.reference(tree[1], cut[position], RANGE_CONTEXT)
                    left_out = area(tree[2]) - area(cut[position])
                    args.append(_telling(read, left_out) if spec.counts_blanks and left_out else read)
                else:
                    args.append(self.closure(tree, context))
        finally:
            self.in_array = outer
        if spec.dates:
            system = self.date1904
            args.insert(0, lambda cells: system)
        for position, (box, rows, cells_skipped) in skipped.items():
            args[position] = _skipping(args[position], box, rows, cells_skipped)
        run = _caller(spec, args)
        key = self._shared_key(upper, trees) if spec.shared else None
        return run if key is None else _computed_once(key, run)

    def _through_sheets(self, function: str, trees: list[Tree]) -> list[Tree]:
        """The arguments with each reference through a run of sheets (Jan:Dec!B5) written out as one reference
        per sheet, first to last in the workbook's order, as the functions Excel allows them in read them."""
        if function not in THREE_D_FUNCTIONS:
            raise NotCoveredError(f"a reference through several sheets in {function}")
        out: list[Tree] = []
        for tree in trees:
            if tree[0] != "ref3d":
                out.append(tree)
                continue
            (first, last), box = tree[1], tree[2]
            if first not in self.sheet_order or last not in self.sheet_order:
                out.append(("ref", last if first in self.sheet_order else first, box))  # #REF!, with a note
                continue
            start, end = sorted((self.sheet_order.index(first), self.sheet_order.index(last)))
            out.extend(("ref", sheet, box) for sheet in self.sheet_order[start : end + 1])
        return out

    def _shared_key(self, function: str, trees: list[Tree]) -> tuple[str, str] | None:
        """What identifies a call within one evaluation when every argument means the same in any cell (a
        constant, a range, a workbook name without relative references); None when one may not."""
        for tree in trees:
            if tree[0] == "name":
                if f"{self.sheet}!{tree[1]}" in self.local_names or tree[1] not in self.name_texts:
                    return None
                if _relative(self.name_texts[tree[1]]):
                    return None
            elif tree[0] not in ("value", "missing", "ref"):
                return None
        return ("shared", f"{function}{trees!r}")

    def _subtotal_skips(self, trees: list[Tree]) -> dict[int, tuple[Box, set[int], set[tuple[int, int]]]]:
        """What SUBTOTAL leaves out of each range, by argument: other SUBTOTAL and AGGREGATE cells always, and
        hidden rows for 101-111 (for 1-11 too where an autofilter may have hidden them: then the plain engine
        does not know which rows a filter hid, and leaves the cell to another engine)."""
        code = trees[0][1] if trees and trees[0][0] == "value" and isinstance(trees[0][1], float) else None
        skips: dict[int, tuple[Box, set[int], set[tuple[int, int]]]] = {}
        for position, tree in enumerate(trees[1:], start=1):
            tree = self._named_range(tree)
            if tree[0] != "ref":
                raise NotCoveredError("SUBTOTAL of something other than a range")
            sheet, box = tree[1], tree[2]
            hidden, inner = self._left_out(sheet, box, hidden_rows=True, nested=True)
            if hidden and code is None:
                raise NotCoveredError("SUBTOTAL over hidden rows with a function number known only by computing it")
            if hidden and code is not None and code < 100 and sheet in self.filtered_sheets:
                raise NotCoveredError("SUBTOTAL 1-11 over rows an autofilter may have hidden")
            rows = hidden if code is not None and code > 100 else set()
            if rows or inner:
                skips[position] = (box, rows, inner)
        return skips

    def _left_out(self, sheet: str, box: Box, hidden_rows: bool, nested: bool) -> tuple[set[int], set[tuple[int, int]]]:
        """What SUBTOTAL or AGGREGATE may leave out of a range: its hidden rows, and the (row, column) of the
        SUBTOTAL and AGGREGATE cells in it (each only when asked for)."""
        min_col, min_row, max_col, max_row = box
        rows = {r for r in self.hidden_rows.get(sheet, ()) if min_row <= r <= max_row} if hidden_rows else set()
        inner = {
            (r, c)
            for s, r, c in (self.subtotal_cells if nested else ())
            if s == sheet and min_col <= c <= max_col and min_row <= r <= max_row
        }
        return rows, inner

    def where(self, name: str, trees: list[Tree]) -> Closure:
        """ROW, COLUMN, ROWS, COLUMNS: facts about where a reference is (or the formula's own cell), not
        about what it holds."""
        if not trees or trees[0][0] == "missing":
            if name in ("ROWS", "COLUMNS"):
                raise NotCoveredError(f"{name} without a reference")
            if self.in_array and not self._single_box:
                raise NotCoveredError(f"{name}() in an array formula over several cells")
            value = float(self.row if name == "ROW" else self.column)
            return lambda cells: value
        tree = self._named_range(trees[0])
        if _dynamic_call(tree):
            return self._where_dynamic(name, self.dynamic_reference(_call_name(tree[1]), tree[2], RANGE_CONTEXT, True))
        if tree[0] != "ref":
            if name in ("ROW", "COLUMN"):
                raise NotCoveredError(f"{name} of something other than a reference")
            closure = self.closure(tree, ARRAY_CONTEXT)
            index = 0 if name == "ROWS" else 1

            def size(cells: Cells) -> Value:
                value = closure(cells)
                if isinstance(value, CellError):
                    return value
                return float(value.shape[index]) if isinstance(value, Grid) else 1.0

            return size
        min_col, min_row, max_col, max_row = tree[2]
        if name == "ROWS":
            rows = float(max_row - min_row + 1)
            return lambda cells: rows
        if name == "COLUMNS":
            columns = float(max_col - min_col + 1)
            return lambda cells: columns
        first, last = (min_row, max_row) if name == "ROW" else (min_col, max_col)
        if first == last or not self.in_array:
            value = float(first)
            return lambda cells: value
        numbers = [float(k) for k in range(first, last + 1)]
        grid = Grid([[k] for k in numbers]) if name == "ROW" else Grid([numbers])
        return lambda cells: grid

    def dynamic_reference(self, function: str, trees: list[Tree], context: str, position: bool = False) -> Closure:
        """OFFSET or INDIRECT (see `dynamic`): its target read when it runs, each read logged in `reads`; with
        `position`, the target itself (SHEET, box), not read (ROW, COLUMN, ROWS, COLUMNS and CELL("row")
        ask where it is, which is no dependency)."""
        self.dynamic = True
        read = dynamic.locator if position else self._target_reader(context)
        if function == "OFFSET":
            if not 3 <= len(trees) <= 5:
                raise NotCoveredError(f"OFFSET with {len(trees)} arguments")
            base = self._named_range(trees[0])  # read for where it is, not for its value: no dependency
            counts = [self.closure(tree, VALUE_CONTEXT) for tree in trees[1:]]
            if _dynamic_call(base):
                where = self.dynamic_reference(_call_name(base[1]), base[2], RANGE_CONTEXT, True)
                return dynamic.offset(where, counts, read)
            if base[0] != "ref":
                raise NotCoveredError("OFFSET of something other than a reference")
            target = (base[1], base[2]) if base[1] in self.sheets else None
            return dynamic.offset(target, counts, read)
        if not 1 <= len(trees) <= 2:
            raise NotCoveredError(f"INDIRECT with {len(trees)} arguments")
        text = self.closure(trees[0], VALUE_CONTEXT)
        style = self.closure(trees[1], VALUE_CONTEXT) if len(trees) == 2 else None
        names = partial(self._name_target, self.sheet)
        return dynamic.indirect(text, style, self.sheet, (self.row, self.column), names, self.sheets, read)

    def spilled(self, trees: list[Tree], context: str) -> Closure:
        """A1# (ANCHORARRAY(A1) in the file): the range the array formula in A1 fills, as the file saved it
        (#REF! where A1 holds no array formula)."""
        target = self._named_range(trees[0]) if len(trees) == 1 else ("missing",)
        if target[0] != "ref":
            raise NotCoveredError("a spill reference (#) to something other than a cell")
        box = self.spills.get((target[1], target[2][1], target[2][0]))
        if box is None:
            return lambda cells: REF
        return self.reference(target[1], box, RANGE_CONTEXT if context == VALUE_CONTEXT else context)

    def let(self, trees: list[Tree], context: str) -> Closure:
        """LET(name1, value1, [name2, value2, ...], calculation): each value computed once when the LET runs,
        in order (a later value may use an earlier name), then the calculation with them."""
        if len(trees) < 3 or len(trees) % 2 == 0:
            raise NotCoveredError(f"LET with {len(trees)} arguments")
        inner = ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT
        steps: list[tuple[list[Value], Closure]] = []
        hidden: list[tuple[str, tuple[list[Value], bool] | None]] = []
        try:
            for k in range(0, len(trees) - 1, 2):
                if trees[k][0] != "name":
                    raise NotCoveredError("LET with a variable that is not a plain name")
                value_tree = self._named_range(trees[k + 1])
                is_range = value_tree[0] == "ref" or _dynamic_call(value_tree)
                value = self.closure(value_tree, RANGE_CONTEXT if is_range else inner)
                slot: list[Value] = [None]
                variable = trees[k][1].removeprefix("_XLPM.")
                hidden.append((variable, self._locals.get(variable)))
                self._locals[variable] = (slot, is_range)
                steps.append((slot, value))
            body = self.closure(trees[-1], context)
        finally:
            for variable, outer in reversed(hidden):
                if outer is None:
                    self._locals.pop(variable, None)
                else:
                    self._locals[variable] = outer

        def run(cells: Cells) -> Value:
            for slot, value in steps:
                slot[0] = value(cells)
            return body(cells)

        return run

    def _target_reader(self, context: str) -> Callable[[dynamic.Target, Cells], Value]:
        """Reads a dynamic reference's target, logged; in a normal cell cut to the cell in its row or column."""
        cut = (self.row, self.column) if context == VALUE_CONTEXT and not self.in_array else None
        return dynamic.reader(self.reads, cut)

    def range_to(self, start: str, function: str, trees: list[Tree], context: str) -> Closure:
        """`start`:OFFSET(...) or `start`:INDIRECT(...): the range from the cell `start` to the target's far
        corner (both on one sheet, else #REF!), read when it runs."""
        try:
            corner = Parser(start, self.sheet).parse()
        except NotCoveredError:
            corner = ("missing",)
        if corner[0] != "ref":
            raise NotCoveredError(f"a range from {start} to {function}")
        locate = self.dynamic_reference(function, trees, RANGE_CONTEXT, position=True)
        read = self._target_reader(context)
        sheet, box = corner[1], corner[2]

        def run(cells: Cells) -> Value:
            found = locate(cells)
            if isinstance(found, CellError):
                return found
            other_sheet, other = found  # type: ignore[misc]
            if other_sheet != sheet:
                return REF
            union = (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))
            return read((sheet, union), cells)

        return run

    def _name_target(self, sheet: str, name: str) -> dynamic.Target | None:
        """The range a workbook name (or one of the formula's `sheet`) stands for, for INDIRECT; None when it is
        not one range. A name with relative references is left to another engine."""
        local = self.local_names.get(f"{sheet}!{name}")
        text = local if local is not None else self.name_texts.get(name)
        if text is None:
            return None
        if _relative(text):
            raise NotCoveredError(f"INDIRECT of the name {name}, which has relative references")
        try:
            tree = Parser(text, "").parse()
        except NotCoveredError:
            return None
        return (tree[1], tree[2]) if tree[0] == "ref" and tree[1] in self.sheets else None

    def _where_dynamic(self, name: str, locate: Closure) -> Closure:
        """ROW, COLUMN, ROWS or COLUMNS of an OFFSET or INDIRECT: where its target is, known when it runs."""
        spread = self.in_array

        def run(cells: Cells) -> Value:
            found = locate(cells)
            if isinstance(found, CellError):
                return found
            _, (min_col, min_row, max_col, max_row) = found  # type: ignore[misc]
            if name == "ROWS":
                return float(max_row - min_row + 1)
            if name == "COLUMNS":
                return float(max_col - min_col + 1)
            first, last = (min_row, max_row) if name == "ROW" else (min_col, max_col)
            if first == last or not spread:
                return float(first)
            numbers = [float(k) for k in range(first, last + 1)]
            return Grid([[k] for k in numbers]) if name == "ROW" else Grid([numbers])

        return run

    def cell_info(self, trees: list[Tree]) -> Closure:
        """CELL("col" | "row" | "address", reference): where the reference's first cell is, read without
        its value (so CELL("col", A8:C8) in B8 is no loop); CELL("contents" | "type", reference): the first
        cell's value, or "b" (blank), "l" (text) or "v" (anything else). An info type that is no text Excel
        knows is #VALUE!; the others (width, format, ...) are left to another engine."""
        info = trees[0] if trees else ("missing",)
        if info[0] == "value" and (not isinstance(info[1], str) or info[1].lower() not in CELL_INFO_TYPES):
            return lambda cells: VALUE
        kind = info[1].lower() if info[0] == "value" and isinstance(info[1], str) else None
        target = self._named_range(trees[1]) if len(trees) == 2 else ("missing",)
        if kind in ("contents", "type") and (target[0] == "ref" or _dynamic_call(target)):
            read = self.closure(target, RANGE_CONTEXT)
            return partial(_cell_contents, read) if kind == "contents" else partial(_cell_type, read)
        if kind not in ("col", "row", "address") or target[0] != "ref" or target[1] != self.sheet:
            raise NotCoveredError('CELL other than "col", "row" or "address" of a reference on its own sheet')
        min_col, min_row = target[2][0], target[2][1]
        value: Value = (
            float(min_col)
            if kind == "col"
            else float(min_row)
            if kind == "row"
            else f"${get_column_letter(min_col)}${min_row}"
        )
        return lambda cells: value

    def aggregate(self, trees: list[Tree]) -> Closure:
        """AGGREGATE(function_num, options, ref1, ...) and its array form (14-19: array, k), with the function
        number and options written as numbers: options 0-3 leave out other SUBTOTAL and AGGREGATE cells, 1, 3,
        5 and 7 hidden rows (by hand or by a filter alike), 2, 3, 6 and 7 error values. An array built by a
        calculation leaves out errors only, as Excel's does."""
        if len(trees) < 3 or any(tree[0] != "value" or type(tree[1]) is not float for tree in trees[:2]):
            raise NotCoveredError("AGGREGATE with a function number or options known only by computing them")
        code, option = int(trees[0][1]), int(trees[1][1])
        name = AGGREGATE_FUNCTIONS.get(code)
        if name is None or code != trees[0][1] or option != trees[1][1] or not 0 <= option <= 7:
            return lambda cells: VALUE
        if name not in SPECS:
            raise NotCoveredError(f"AGGREGATE {code} ({name})")
        nested, hidden, errors = option <= 3, option % 2 == 1, option in (2, 3, 6, 7)
        spec, arrays = SPECS[name], code >= 14
        if arrays and len(trees) != 4:
            raise NotCoveredError(f"AGGREGATE {code} with {len(trees)} arguments")
        reads = []
        for tree in trees[2:3] if arrays else trees[2:]:
            tree = self._named_range(tree)
            if tree[0] == "ref":
                read = self.closure(tree, RANGE_CONTEXT)
                sheet, box = tree[1], tree[2]
                rows, inner = self._left_out(sheet, box, hidden_rows=hidden, nested=nested)
                if rows or inner:
                    read = _skipping(read, box, rows, inner)
            elif arrays:
                outer, self.in_array = self.in_array, True
                try:
                    read = self.closure(tree, ARRAY_CONTEXT)
                finally:
                    self.in_array = outer
            else:
                raise NotCoveredError("AGGREGATE of something other than ranges")
            reads.append(_without_errors(read) if errors else read)
        if arrays:
            reads.append(self.closure(trees[3], VALUE_CONTEXT))
        return _caller(spec, reads)

    def formula_text(self, trees: list[Tree]) -> Closure:
        """FORMULATEXT(reference): the formula saved in its first cell as Excel shows it ("=A1/825", without
        the _xlfn. prefixes of newer functions), #N/A for a cell without one; read without computing it."""
        target = self._named_range(trees[0]) if len(trees) == 1 else ("missing",)
        if target[0] != "ref" or target[1].upper() not in self.sheets:
            raise NotCoveredError("FORMULATEXT of something other than a reference on a sheet of the workbook")
        place = (target[1].upper(), target[2][1], target[2][0])
        if place in self.formula_texts and self.formula_texts[place] is None:
            raise NotCoveredError("FORMULATEXT of a cell whose saved formula the plain engine does not hold")
        text = self.formula_texts.get(place)
        value: Value = NA if text is None else "=" + _XLFN.sub("", text)
        return lambda cells: value

    def _named_range(self, tree: Tree) -> Tree:
        """A defined name that stands for a plain range, as that range (so SUM(ColumnA) is cut like SUM(A:A))."""
        if tree[0] == "name":
            named = self._name_tree(tree[1])
            if named is not None and named[0] == "ref":
                return named
        return tree

    def _cuts(self, spec: Spec, trees: list[Tree]) -> dict[int, Box]:
        """Range arguments of a function (`spec`) cut to the part of their sheet that holds anything, by position.

        Only for functions that an empty cell in a range leaves unchanged, and only ranges passed
        directly (not a block of inputs): SUM(A:A) reads the rows in use, not a million. Functions that
        pair their ranges cell by cell cut rows (columns) only where every range spans the same rows
        (columns), and all at the last row (column) in use on any of their sheets, so the pairs stay as
        they were. Every copy sharing this compiled model holds cells at the same places (they are part
        of its signature): the cut is the same for all of them.
        """
        if not (spec.blanks_add_nothing or spec.counts_blanks):
            return {}
        ranges = {
            k: tree
            for k, tree in enumerate(trees)
            if tree[0] == "ref" and (tree[1], tree[2]) not in self.blocks and area(tree[2]) > 1  # not a criterion
        }
        paired = spec.pairs_ranges
        same_rows = not paired or len({(t[2][1], t[2][3]) for t in ranges.values()}) == 1
        same_columns = not paired or len({(t[2][0], t[2][2]) for t in ranges.values()}) == 1
        shared = [self.extents.get(tree[1], (0, 0)) for tree in ranges.values()]
        common = (max((r for r, _ in shared), default=0), max((c for _, c in shared), default=0))
        cuts = {}
        for k, (_, sheet, (min_col, min_row, max_col, max_row)) in ranges.items():
            last_row, last_column = common if paired else self.extents.get(sheet, (0, 0))
            if same_rows:
                max_row = max(min_row, min(max_row, last_row))
            if same_columns:
                max_col = max(min_col, min(max_col, last_column))
            cuts[k] = (min_col, min_row, max_col, max_row)
        return cuts


_WHERE_FUNCTIONS = frozenset({"ROW", "COLUMN", "ROWS", "COLUMNS"})
LINKED_NOTE = (
    "reads another workbook's cells as this file saved them (Excel's link cache), as Excel shows them until "
    "its links are updated: open the source to refresh them"
)
CELL_INFO_TYPES = frozenset(
    {"address", "col", "color", "contents", "filename", "format", "parentheses", "prefix", "protect", "row", "type"}
    | {"width"}
)
"""The info types CELL takes; any other text (or a number, a logical) is #VALUE!."""


ColumnIndex = dict[tuple[str, int], tuple[list[int], list[str], list[tuple[int, int, str]]]]
"""(SHEET, column) -> the rows of its one-cell formulas (sorted), their keys, and its taller formulas (top, bottom,
key): see `_column_index`."""


def _column_index(steps: list[Step]) -> ColumnIndex:
    """Where the formulas are, by (SHEET, column): one-cell ones as sorted rows with their keys, taller ones
    (array ranges) as (top, bottom, key)."""
    single: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    tall: dict[tuple[str, int], list[tuple[int, int, str]]] = defaultdict(list)
    for step in steps:
        left, top, right, bottom = step.box
        for column in range(left, right + 1):
            if top == bottom:
                single[(step.sheet, column)].append((top, step.key))
            else:
                tall[(step.sheet, column)].append((top, bottom, step.key))
    index = {}
    for place in single.keys() | tall.keys():
        ordered = sorted(single.get(place, ()))
        index[place] = ([row for row, _ in ordered], [key for _, key in ordered], tall.get(place, []))
    return index


TALL = 256
"""Ranges narrower than this many columns are looked up column by column in `_column_index`."""


def _keys_in(columns: ColumnIndex, sheet: str, box: Box) -> list[str]:
    """The formulas with a cell in `box` of `sheet`, once each, from `_column_index`: column by column, the
    one-cell formulas by bisection of their rows, the taller ones in full."""
    min_col, min_row, max_col, max_row = box
    found: list[str] = []
    for column in range(min_col, max_col + 1):
        rows, keys, tall = columns.get((sheet, column), ((), (), ()))
        found += keys[bisect.bisect_left(rows, min_row) : bisect.bisect_right(rows, max_row)]
        found += [key for top, bottom, key in tall if top <= max_row and min_row <= bottom]
    return list(dict.fromkeys(found))


def _overlap(one: Box, other: Box) -> bool:
    return one[0] <= other[2] and other[0] <= one[2] and one[1] <= other[3] and other[1] <= one[3]


def _dynamic_call(tree: Tree) -> bool:
    return tree[0] == "call" and _call_name(tree[1]) in ("OFFSET", "INDIRECT")


def _first_of(read: Closure, cells: Cells) -> Value:
    value = read(cells)
    return value.first() if isinstance(value, Grid) else value


def _cell_contents(read: Closure, cells: Cells) -> Value:
    """CELL("contents", ref): the value of the reference's first cell (an empty one shows 0)."""
    value = _first_of(read, cells)
    return 0.0 if value is None or value is MISSING else value


def _cell_type(read: Closure, cells: Cells) -> Value:
    """CELL("type", ref): "b" for an empty first cell, "l" for text, "v" for anything else."""
    value = read(cells)
    if isinstance(value, CellError):
        return value  # an OFFSET or INDIRECT off the sheet: its #REF!
    value = value.first() if isinstance(value, Grid) else value
    if value is None or value is MISSING:
        return "b"
    return "l" if isinstance(value, str) else "v"


def _reaches_edge(box: Box) -> bool:
    """True for a box to the sheet's last row or column (whole columns, whole rows, A1:A1048576)."""
    return box[3] >= LAST_ROW or box[2] >= LAST_COLUMN


def _telling(read: Closure, left_out: int) -> Closure:
    """A cut range read as a Grid that knows how many empty cells it left out."""

    def told(cells: Cells) -> Value:
        grid = read(cells)
        return Grid(grid.rows, True, left_out) if isinstance(grid, Grid) else Grid([[grid]], True, left_out)

    return told


AGGREGATE_FUNCTIONS = {
    1: "AVERAGE",
    2: "COUNT",
    3: "COUNTA",
    4: "MAX",
    5: "MIN",
    6: "PRODUCT",
    7: "STDEV.S",
    8: "STDEV.P",
    9: "SUM",
    10: "VAR.S",
    11: "VAR.P",
    12: "MEDIAN",
    13: "MODE.SNGL",
    14: "LARGE",
    15: "SMALL",
    16: "PERCENTILE.INC",
    17: "QUARTILE.INC",
    18: "PERCENTILE.EXC",
    19: "QUARTILE.EXC",
}
"""AGGREGATE's function numbers -> the function it applies."""


def _without_errors(read: Closure) -> Closure:
    """An argument of AGGREGATE with its error values left out (read as empty cells)."""

    def run(cells: Cells) -> Value:
        value = read(cells)
        if isinstance(value, CellError):
            return Grid([[None]], True)
        if not isinstance(value, Grid) or value.first_error() is None:
            return value
        rows = [[None if isinstance(v, CellError) else v for v in row] for row in value.rows]
        return Grid(rows, True)

    return run


def _skipping(read: Closure, box: Box, rows: set[int], cells_skipped: set[tuple[int, int]]) -> Closure:
    """A range argument of SUBTOTAL with the cells it leaves out (hidden rows, other subtotals) read as empty."""
    min_col, min_row = box[0], box[1]

    def run(cells: Cells) -> Value:
        grid = read(cells)
        if not isinstance(grid, Grid):
            return grid
        kept = [
            [
                None if (min_row + i) in rows or (min_row + i, min_col + j) in cells_skipped else value
                for j, value in enumerate(row)
            ]
            for i, row in enumerate(grid.rows)
        ]
        return Grid(kept, True)

    return run


def _relative(text: str) -> bool:
    """Whether a defined name's formula holds a relative reference (outside text), read from the using cell."""
    return bool(RELATIVE_REFERENCE.search(STRING_LITERAL.sub('""', text)))


def _computed_once(key: tuple[str, str], run: Closure) -> Closure:
    """`run`, its answer kept in the evaluation's cells under `key` for the other cells making the same call."""

    def once(cells: Cells) -> Value:
        found = cells.get(key, once)
        if found is once:
            found = cells[key] = run(cells)
        return found

    return once


def _caller(spec: Spec, args: list[Closure]) -> Closure:
    function = spec.function
    if spec.lazy:
        if len(args) == 3:  # IF(test, yes, no), the most common call of all
            a, b, c = args
            return lambda cells: function(partial(a, cells), partial(b, cells), partial(c, cells))
        return lambda cells: function(*[partial(arg, cells) for arg in args])
    if len(args) == 1:
        (only,) = args
        return lambda cells: function(only(cells))
    if len(args) == 2:
        first, second = args
        return lambda cells: function(first(cells), second(cells))
    return lambda cells: function(*[arg(cells) for arg in args])


@dataclass
class Step:
    """One formula to run: the node it fills and, for an array formula, every cell of its range."""

    key: str
    run: Closure
    sheet: str
    box: Box
    refs: list[tuple[str, Box]]
    array: bool = False
    """Entered as an array formula: a range it returns fills its cells, not one cell of the formula's row."""
    dynamic: bool = False
    """It reads references known only by computing them (OFFSET, INDIRECT): each read is checked."""
    single: bool = field(init=False)
    """The formula fills one cell."""
    cell: tuple[str, int, int] = field(init=False)
    """Where its (top-left) value goes among the evaluation's cells."""

    def __post_init__(self) -> None:
        self.single = self.box[0] == self.box[2] and self.box[1] == self.box[3]
        self.cell = (self.sheet, self.box[1], self.box[0])


def _shown(value: Value) -> Value:
    """What a formula cell shows for a result: an empty cell it points at shows 0."""
    if value is None or value is MISSING:
        return 0.0
    return value


def _order(
    steps: list[Step], names: dict[str, str], iterate: bool = False
) -> tuple[list[Step], list[set[int]], list[list[int]]]:
    """The steps in an order where each runs after every formula whose cells it reads, for each the
    positions (in that order) of the steps it reads, and the loops: positions of steps that read each
    other in a circle, next to each other in the order (only with `iterate`; without it a loop is refused).

    `names` maps the upper-cased sheet names of the nodes to the workbook's own, for messages.
    """
    by_cell: dict[tuple[str, int, int], int] = {}
    by_sheet: dict[str, list[tuple[Box, int]]] = defaultdict(list)
    for index, step in enumerate(steps):
        min_col, min_row, max_col, max_row = step.box
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                by_cell[(step.sheet, r, c)] = index
        by_sheet[step.sheet].append((step.box, index))
    columns: ColumnIndex | None = None
    at = {step.key: k for k, step in enumerate(steps)}
    needs: list[set[int]] = []
    for step in steps:
        found: set[int] = set()
        for sheet, (min_col, min_row, max_col, max_row) in step.refs:
            if area((min_col, min_row, max_col, max_row)) <= 64:
                for r in range(min_row, max_row + 1):
                    for c in range(min_col, max_col + 1):
                        producer = by_cell.get((sheet, r, c))
                        if producer is not None:
                            found.add(producer)
            elif max_col - min_col < TALL:  # a tall range (SUM($A$1:A9999)): by column, the rows by bisection
                columns = columns if columns is not None else _column_index(steps)
                found.update(at[key] for key in _keys_in(columns, sheet, (min_col, min_row, max_col, max_row)))
            else:
                for (a, b, x, y), index in by_sheet.get(sheet, ()):
                    if a <= max_col and min_col <= x and b <= max_row and min_row <= y:
                        found.add(index)
        needs.append(found)
    waiting = [len(found) for found in needs]
    unblocks: list[list[int]] = [[] for _ in steps]
    for index, found in enumerate(needs):
        for before in found:
            unblocks[before].append(index)
    ready = deque(index for index, count in enumerate(waiting) if count == 0)
    ordered = []
    while ready:
        index = ready.popleft()
        ordered.append(steps[index])
        for after in unblocks[index]:
            waiting[after] -= 1
            if waiting[after] == 0:
                ready.append(after)
    loops: list[list[int]] = []
    if len(ordered) != len(steps):
        if not iterate:
            raise CircularReferenceError(
                _cycle([steps[k] for k, count in enumerate(waiting) if count > 0], needs, steps, names)
            )
        ordered = []
        for component in _components(needs):
            if len(component) > 1 or component[0] in needs[component[0]]:
                loops.append(list(range(len(ordered), len(ordered) + len(component))))
            ordered += [steps[k] for k in component]
    position = {id(step): k for k, step in enumerate(ordered)}
    original = {id(step): k for k, step in enumerate(steps)}
    return ordered, [{position[id(steps[b])] for b in needs[original[id(step)]]} for step in ordered], loops


def _components(needs: list[set[int]]) -> list[list[int]]:
    """The strongly connected components of the graph step -> steps it reads (Tarjan's algorithm, without
    recursion), each after every component it reads: an order to compute them in. A component's steps keep
    the workbook's order (sheet by sheet, row by row), the order a loop is iterated in."""
    count = len(needs)
    index, low, on_stack = [-1] * count, [0] * count, [False] * count
    reads = [sorted(found) for found in needs]
    stack: list[int] = []
    found_components: list[list[int]] = []
    counter = 0
    for root in range(count):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            at, next_read = work[-1]
            if next_read < len(reads[at]):
                work[-1] = (at, next_read + 1)
                read = reads[at][next_read]
                if index[read] == -1:
                    index[read] = low[read] = counter
                    counter += 1
                    stack.append(read)
                    on_stack[read] = True
                    work.append((read, 0))
                elif on_stack[read]:
                    low[at] = min(low[at], index[read])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[at])
            if low[at] == index[at]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == at:
                        break
                found_components.append(sorted(component))
    return found_components


MAX_REORDERS = 50
"""Passes over a workbook whose OFFSET or INDIRECT targets show a formula read before it was computed: each
pass learns those dependencies; more than this, and another engine computes the workbook."""


class CircularReferenceError(WorkbookError):
    """Formulas that depend on each other in a loop (Excel computes them only with iteration on)."""


def _cycle(stuck: list[Step], needs: list[set[int]], steps: list[Step], names: dict[str, str]) -> str:
    """A message naming the cells of one loop among the steps that could not be ordered."""
    index = {id(step): k for k, step in enumerate(steps)}
    blocked = {index[id(step)] for step in stuck}
    path: list[int] = []
    current = next(iter(sorted(blocked)))
    while current not in path:
        path.append(current)
        current = next(k for k in sorted(needs[current]) if k in blocked)
    loop = path[path.index(current) :]
    cells = [_where(steps[k].key, names) for k in loop]
    shown = " -> ".join(cells[:8]) + (" -> ..." if len(cells) > 8 else f" -> {cells[0]}")
    return (
        f"circular reference: {shown} ({len(blocked)} cell{'s' if len(blocked) != 1 else ''} in or behind loops); "
        "Excel computes these only with iterative calculation on, and this workbook has it off. Break the loop, "
        "or turn iterative calculation on (File > Options > Formulas, or ftxl recalc --iterate) if the loop is meant"
    )


def describe_loop(formulas: dict[str, str], sheets: list[str]) -> str:
    """Where a workbook's formulas read themselves in a circle, for a refusal by another engine: the cells of
    one loop found from the formula texts ("Sheet!A1 -> Sheet!B1 -> Sheet!A1 (2 cells in or behind loops)"),
    else the cells whose references are known only by computing them, through which the loop must run."""
    steps, dynamic = [], []
    for key, text in formulas.items():
        sheet, ref = parse_node(key)
        refs = static_references(text, sheet, values_only=True)
        if refs is None:
            dynamic.append(key)
        places = [(target, place) for target, place in refs or () if target]  # names are not followed here
        steps.append(Step(key, _uncovered, sheet, range_boundaries(ref), places))
    names = {sheet.upper(): sheet for sheet in sheets}
    try:
        _order(steps, names)
    except CircularReferenceError as exc:
        return str(exc).split(";", 1)[0].removeprefix("circular reference: ")
    shown = ", ".join(_where(key, names) for key in dynamic[:5]) + (" ..." if len(dynamic) > 5 else "")
    return f"through a formula whose references are known only by computing them ({shown})" if dynamic else ""


def _where(key: str, names: dict[str, str]) -> str:
    sheet, ref = parse_node(key)
    return f"{names.get(sheet, sheet)}!{ref}"


class PlainBook:
    """A workbook's formulas compiled to closures once; each copy only feeds in its values.

    A formula the plain engine does not compute (`uncovered`) is left to another engine, per
    cell: the formulas run in stages, the plain ones whose inputs are ready, then a batch of
    uncovered ones computed together (`evaluate`'s `foreign`), and so on; plain formulas that
    read an uncovered cell take its value like any other.
    """

    def __init__(
        self,
        formulas: dict[str, str],
        names: dict[str, str],
        value_keys: list[str],
        block_keys: list[str],
        sheets: list[str],
        array_formulas: set[str] = frozenset(),  # type: ignore[assignment]
        date1904: bool = False,
        hidden_rows: dict[str, set[int]] | None = None,
        local_names: dict[str, str] | None = None,
        iteration: tuple[int, float] | None = None,
        filtered_sheets: set[str] | None = None,
        rewritten: set[str] | None = None,
    ) -> None:
        self.formulas = formulas
        self.local_names = local_names or {}
        self.iteration = iteration
        """(most iterations, largest change) when the workbook computes loops iteratively, else None."""
        self.iterated = ""
        """How the loops of the last evaluation went (empty without loops)."""
        self.loop_notes: list[tuple[str, str]] = []
        """(node, note) for the cells of loops that did not settle in the last evaluation."""
        self.positions: dict[str, tuple[str, int, int]] = {}
        for key in value_keys:
            sheet, ref = parse_node(key)
            min_col, min_row, _, _ = range_boundaries(ref)
            self.positions[key] = (sheet, min_row, min_col)
        self.block_ids: dict[str, tuple[str, Box]] = {}
        self._block_grids: dict[str, Grid] = {}
        """The last grid of each block, kept while copies pass the very same rows (a shared label log)."""
        for key in block_keys:
            sheet, ref = parse_node(key)
            self.block_ids[key] = (sheet, range_boundaries(ref))
        self.name_texts = {node_ref(key): text for key, text in names.items()}
        name_trees = {}
        for name, text in self.name_texts.items():
            try:
                name_trees[name] = Parser(text, "").parse()
            except NotCoveredError:
                pass  # a formula using it is left to the other engine
        known = [sheet.upper() for sheet in sheets]
        extents: dict[str, tuple[int, int]] = {}
        for key in (*value_keys, *block_keys, *formulas):
            sheet, ref = parse_node(key)
            _, _, max_col, max_row = range_boundaries(ref)
            last_row, last_column = extents.get(sheet, (0, 0))
            extents[sheet] = (max(last_row, max_row), max(last_column, max_col))
        blocks = {place: ("block", key) for key, place in self.block_ids.items()}
        subtotals = set()
        for key, text in formulas.items():
            if "SUBTOTAL" in text.upper() or "AGGREGATE" in text.upper():
                sheet, ref = parse_node(key)
                min_col, min_row, _, _ = range_boundaries(ref)
                subtotals.add((sheet, min_row, min_col))
        texts: dict[tuple[str, int, int], str | None] = {}
        for key, text in formulas.items():
            sheet, ref = parse_node(key)
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            whole = key not in (rewritten or set()) and key not in array_formulas
            for row in range(min_row, max_row + 1):
                for column in range(min_col, max_col + 1):
                    first = (row, column) == (min_row, min_col)
                    texts[(sheet.upper(), row, column)] = text if whole and first else None
        spills = {}
        for key in array_formulas:
            sheet, ref = parse_node(key)
            box = range_boundaries(ref)
            spills[(sheet, box[1], box[0])] = box
        compiler = Compiler(
            name_trees,
            known,
            blocks,
            extents,
            date1904,
            self.name_texts,
            subtotals,
            hidden_rows,
            local_names,
            filtered_sheets,
            texts,
            spills,
        )
        steps = []
        self.notes: list[tuple[str, str]] = []
        """(node, what the user should know about its formula), found while compiling."""
        self.uncovered: dict[str, str] = {}
        """Node -> why the plain engine does not compute its formula (another engine does)."""
        self.unordered = ""
        """Why the formulas cannot be put in order around the uncovered ones (they read references known
        only by computing them): then the other engine computes the whole workbook."""
        for key, text in formulas.items():
            sheet, ref = parse_node(key)
            box = range_boundaries(ref)
            try:
                compiled = compiler.compile(Parser(text, sheet).parse(), box, key in array_formulas, sheet)
            except NotCoveredError as exc:
                self.uncovered[key] = str(exc)
                steps.append(Step(key, _uncovered, sheet, box, self._reads(text, sheet, key)))
                continue
            self.notes += [(key, note) for note in compiler.notes]
            steps.append(Step(key, compiled.run, sheet, box, compiled.refs, key in array_formulas, compiled.dynamic))
        self._names = {sheet.upper(): sheet for sheet in sheets}
        self._targets_read = compiler.reads
        self.generation = 0
        """Counts the changes of plan after compiling: formulas left to the other engine, or dependencies of
        dynamic references learnt (the batches change with it)."""
        self._planned: tuple[int, list[tuple[int, list[Any], bool]]] = (-1, [])
        self._learnt = False
        """The last pass found dynamic references reading formulas they did not list yet."""
        self._columns: ColumnIndex | None = None
        """Per (SHEET, column): the rows and keys of its one-cell formulas, sorted, and its taller ones."""
        self._producers: dict[tuple[str, Box], list[str]] = {}
        """Per (SHEET, box) a dynamic reference read: the formulas with a cell in it (for this plan)."""
        self._arrange(steps)

    def _arrange(self, steps: list[Step]) -> None:
        """Put the formulas in order (see `_order`), with their loops and stages."""
        self.steps, self.needs, loops = _order(steps, self._names, self.iteration is not None)
        self.loops = [_Loop([self.steps[k] for k in members]) for members in loops]
        self._looped = {k: n for n, members in enumerate(loops) for k in members}
        """Position of a step in a loop -> which loop."""
        self._check_loops()
        self.stages = _stages(self.steps, self.needs, self.uncovered, self._looped)
        self.__dict__.pop("_index", None)

    def _check_loops(self) -> None:
        """Refuse a loop the plain engine cannot iterate: through a formula another engine computes, or an
        array formula (its cells are not iterated one by one)."""
        for loop in self.loops:
            for step in loop.steps:
                why = self.uncovered.get(step.key) or ("" if step.single else "an array formula")
                if why:
                    raise CircularReferenceError(
                        f"a loop of iterative calculation through {_where(step.key, self._names)} ({why}), "
                        "which ftxl does not iterate; break the loop to compute this workbook"
                    )

    def _reads(self, text: str, sheet: str, key: str) -> list[tuple[str, Box]]:
        """The ranges an uncovered formula reads, names followed to their ranges."""
        found: list[tuple[str, Box]] = []
        pending, seen = [(text, sheet)], set()
        while pending:
            formula, where = pending.pop()
            refs = static_references(formula, where, values_only=True)
            if refs is None:
                self.unordered = (
                    self.unordered or f"{self.uncovered[key]}, with references known only by computing them"
                )
                return found
            for target, place in refs:
                if target:
                    found.append((target, place))
                    continue
                named = self.local_names.get(place if "!" in place else f"{sheet}!{place}", self.name_texts.get(place))
                if named is not None and place not in seen:
                    seen.add(place)
                    pending.append((named, ""))
        return found

    def batch_inputs(self, stage: int) -> tuple[list[str], list[str], list[tuple[str, int, int]]]:
        """What the uncovered formulas of one stage read: their nodes, the block nodes, and the cells
        (sheet, row, column) of values and of other formulas' results."""
        batch = [step for step in self.steps if self.stages[step.key] == stage and step.key in self.uncovered]
        boxes: dict[str, list[Box]] = defaultdict(list)
        for step in batch:
            for sheet, box in step.refs:
                boxes[sheet].append(box)

        def read(sheet: str, row: int, column: int) -> bool:
            return any(a <= column <= c and b <= row <= d for a, b, c, d in boxes.get(sheet, ()))

        cells = [place for place in self.positions.values() if read(*place)]
        for step in self.steps:
            if step.key in self.uncovered and self.stages[step.key] == stage:
                continue
            min_col, min_row, max_col, max_row = step.box
            if step.sheet in boxes and area(step.box) <= 4096:
                cells += [
                    (step.sheet, r, c)
                    for r in range(min_row, max_row + 1)
                    for c in range(min_col, max_col + 1)
                    if read(step.sheet, r, c)
                ]
        used_blocks = [
            key
            for key, (sheet, (a, b, c, d)) in self.block_ids.items()
            if any(a <= x2 and x1 <= c and b <= y2 and y1 <= d for x1, y1, x2, y2 in boxes.get(sheet, ()))
        ]
        return [step.key for step in batch], used_blocks, cells

    def dependents(self, keys: set[str]) -> set[str]:
        """`keys` and every formula that reads one of them, directly or through others."""
        index = self._index
        readers: list[list[int]] = [[] for _ in self.steps]
        for k, found in enumerate(self.needs):
            for before in found:
                readers[before].append(k)
        pending = [index[key] for key in keys if key in index]
        reached = set(pending)
        while pending:
            for after in readers[pending.pop()]:
                if after not in reached:
                    reached.add(after)
                    pending.append(after)
        return {self.steps[k].key for k in reached} | keys

    def evaluate(
        self,
        values: dict[str, Value],
        blocks: dict[str, list[list[Value]]],
        foreign: Callable[[int, Cells], dict[str, list[list[Value]]]] | None = None,
        saved: dict[str, Value] | None = None,
    ) -> dict[str, list[list[Value]]]:
        """Every formula's result rows by node, in the order computed (a cell after those it reads).

        `foreign(stage, cells)` computes the uncovered formulas of a stage from the cell values so far. A
        formula that meets a value it leaves to the other engine (a criterion comparing text by order) is
        left to it from then on, and the copy computed again. `saved`: the values saved with the formula
        cells, where the loops of iterative calculation start."""
        passes = 0
        while True:
            left: dict[str, str] = {}
            late: set[str] = set()
            self._learnt = False
            results = self._evaluate(values, blocks, foreign, left, saved or {}, late)
            if self._learnt:  # dynamic references read formulas: put them among their dependencies
                self._arrange(self.steps)
                self.generation += 1
            if not left and not late:
                return results
            moving = next((key for key in left if self.steps[self._index[key]].dynamic), None)
            if moving is not None:  # what it reads is known only by running it: no batch can be fed its inputs
                raise NotCoveredError(f"{left[moving]}, with references known only by computing them")
            if late:  # a dynamic reference read a formula computed after it: computed again in the new order
                passes += 1
                if passes > MAX_REORDERS:
                    raise NotCoveredError(
                        f"OFFSET or INDIRECT targets that moved in every one of {MAX_REORDERS} passes"
                    )
            if left:
                self.uncovered.update(left)  # all found in one pass: one more pass, not one per cell
                self._arrange(self.steps)
                self.generation += 1

    def _evaluate(
        self,
        values: dict[str, Value],
        blocks: dict[str, list[list[Value]]],
        foreign: Callable[[int, Cells], dict[str, list[list[Value]]]] | None,
        left: dict[str, str],
        saved: dict[str, Value],
        late: set[str],
    ) -> dict[str, list[list[Value]]]:
        positions = self.positions
        cells: Cells = {positions[key]: value for key, value in values.items()}
        grids = self._block_grids
        for key, rows in blocks.items():
            grid = grids.get(key)
            if grid is None or grid.rows is not rows:  # copies sharing a label log share its grid (and counts)
                grid = grids[key] = Grid(rows, True)
            cells[("block", key)] = grid
        results: dict[str, list[list[Value]]] = {}
        self.loop_notes = []
        for stage, plain_steps, has_uncovered in self._plan():
            for step in plain_steps:
                if type(step) is _Loop:
                    self._iterate(step, cells, results, saved, left, late)
                    continue
                if step.dynamic:
                    self._targets_read.clear()
                try:
                    value = step.run(cells)
                except NotCoveredError as exc:
                    left[step.key] = str(exc)
                    value = NA  # a stand-in until the pass that computes it elsewhere
                except OverflowError:  # a result beyond 1.8E308 that no function caught: Excel's #NUM!
                    value = NUM
                if step.dynamic:
                    self._check_reads(step, results, late)
                if type(value) is float and step.single:  # most cells: a number
                    cells[step.cell] = value
                    results[step.key] = [[value]]
                    continue
                if (
                    step.single
                    and isinstance(value, Grid)
                    and value.is_ref
                    and value.shape != (1, 1)
                    and not step.array
                ):
                    left[step.key] = "a range returned into one cell (Excel takes the cell in the formula's row)"
                    value = NA
                if step.single:
                    shown = _shown(value.first() if isinstance(value, Grid) else value)
                    cells[(step.sheet, step.box[1], step.box[0])] = shown
                    results[step.key] = [[shown]]
                else:
                    grid = value if isinstance(value, Grid) else Grid([[value]])
                    results[step.key] = _place(cells, step, grid.rows)
            if not left and has_uncovered:
                if foreign is None:
                    raise NotCoveredError(next(iter(self.uncovered.values())))
                for key, rows in foreign(stage, cells).items():
                    step = self.steps[self._index[key]]
                    results[key] = _place(cells, step, rows)
        if self.loops:
            self.iterated = _iteration_line(self.loops, self.iteration)
        return results

    def _iterate(
        self,
        loop: _Loop,
        cells: Cells,
        results: dict[str, list[list[Value]]],
        saved: dict[str, Value],
        left: dict[str, str],
        late: set[str],
    ) -> None:
        """Compute a loop as Excel's iterative calculation does: from the values saved with its cells, each
        cell in turn, again and again until no value changes by more than the largest change, or the most
        iterations are done."""
        assert self.iteration is not None
        most, largest_change = self.iteration
        steps = loop.steps
        for step in steps:
            start = saved.get(step.key)
            cells[step.cell] = 0.0 if start is None else start
        change = 0.0
        done = 0
        while done < most:
            done += 1
            change = 0.0
            for step in steps:
                if step.dynamic:
                    self._targets_read.clear()
                try:
                    value = step.run(cells)
                except NotCoveredError as exc:
                    left[step.key] = str(exc)
                    value = NA
                except OverflowError:
                    value = NUM
                if step.dynamic:
                    self._check_reads(step, results, late, {member.key for member in steps})
                shown = _shown(value.first() if isinstance(value, Grid) else value)
                change = max(change, _change(cells[step.cell], shown))
                cells[step.cell] = shown
            if change <= largest_change:
                break
        loop.iterations, loop.change = done, change
        for step in steps:
            results[step.key] = [[cells[step.cell]]]
        if change > largest_change:
            note = (
                f"in a loop of iterative calculation that did not settle: after {done:,} iterations (the "
                f"workbook's most) values still changed by {change:.3g}, more than its {largest_change:g}. "
                "Excel stops there too; check these values"
            )
            self.loop_notes += [(step.key, note) for step in steps]

    def _check_reads(
        self,
        step: Step,
        results: dict[str, list[list[Value]]],
        late: set[str],
        loop: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        """After a dynamic step ran: each target it read that holds a formula becomes one of its dependencies
        (`_learnt`: the plan is out of date); one whose formula was not yet computed in this pass (nor iterated
        with it in one loop) also goes into `late`: the step read a stale value, and the pass is done again."""
        for target in self._targets_read:
            producers = self._formulas_in(target)
            if not producers:
                continue
            if target not in step.refs:  # a dependency from now on: for the order, and for the warnings it passes on
                step.refs.append(target)
                self._learnt = True
            if any(key not in results and key not in loop for key in producers):
                late.add(step.key)
        self._targets_read.clear()

    def _formulas_in(self, target: dynamic.Target) -> list[str]:
        """The formulas with a cell in `target` (SHEET, box), found once (the formulas' places never change)."""
        found = self._producers.get(target)
        if found is None:
            sheet, (a, b, c, d) = target
            if c - a < TALL:
                if self._columns is None:
                    self._columns = _column_index(self.steps)
                found = _keys_in(self._columns, sheet, (a, b, c, d))
            else:
                found = [step.key for step in self.steps if step.sheet == sheet and _overlap(step.box, (a, b, c, d))]
            self._producers[target] = found
        return found

    def _plan(self) -> list[tuple[int, list[Any], bool]]:
        """Per stage: its plain steps in order (a loop as one `_Loop`), and whether uncovered formulas
        follow them."""
        if self._planned[0] != self.generation:
            last = max(self.stages.values(), default=0)
            plan: list[tuple[int, list[Any], bool]] = [(stage, [], False) for stage in range(last + 1)]
            for position, step in enumerate(self.steps):
                looped = self._looped.get(position)
                if looped is not None:
                    loop = self.loops[looped]
                    if step is loop.steps[0]:
                        plan[self.stages[step.key]][1].append(loop)
                elif step.key not in self.uncovered:
                    plan[self.stages[step.key]][1].append(step)
            for key in self.uncovered:
                stage = self.stages[key]
                plan[stage] = (stage, plan[stage][1], True)
            self._planned = (self.generation, plan)
        return self._planned[1]

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {step.key: k for k, step in enumerate(self.steps)}


@dataclass
class _Loop:
    """Formulas that read each other in a circle, computed by iteration (the workbook turns it on)."""

    steps: list[Step]
    iterations: int = 0
    """Iterations done in the last evaluation."""
    change: float = 0.0
    """The largest change of a value in the last of them."""


def _change(old: Value, new: Value) -> float:
    """How much a cell's value moved in one iteration: the difference of two numbers, else 0 or infinity."""
    if type(old) is float and type(new) is float:
        moved = abs(new - old)
        return moved if moved == moved else float("inf")  # NaN: not settled
    return 0.0 if type(old) is type(new) and old == new else float("inf")


ON_IN_WORKBOOK = "on in this workbook"
"""Why loops were iterated, in the result line (ftxl recalc --iterate says it asked)."""


def _iteration_line(loops: list[_Loop], iteration: tuple[int, float] | None) -> str:
    """What iterative calculation did, for the result line."""
    assert iteration is not None
    cells = sum(len(loop.steps) for loop in loops)
    most = max(loop.iterations for loop in loops)
    change = max(loop.change for loop in loops)
    settled = change <= iteration[1]
    return (
        f"iterative calculation ({ON_IN_WORKBOOK}): {cells:,} cell{'s' if cells != 1 else ''} in "
        f"{len(loops):,} loop{'s' if len(loops) != 1 else ''}, {most:,} iteration{'s' if most != 1 else ''}, "
        + (
            f"last change {change:.3g} within {iteration[1]:g}"
            if settled
            else f"not settled: change {change:.3g} after the workbook's {iteration[0]:,} iterations"
        )
    )


def _uncovered(cells: Cells) -> Value:
    raise AssertionError("an uncovered formula is computed by the other engine")


def _place(cells: Cells, step: Step, rows: list[list[Value]]) -> list[list[Value]]:
    """Result rows of an array step, shown and put into `cells` over the step's box."""
    grid = Grid(rows)
    min_col, min_row, max_col, max_row = step.box
    if step.single:
        shown = _shown(rows[0][0] if rows and rows[0] else None)
        cells[(step.sheet, min_row, min_col)] = shown
        return [[shown]]
    for r in range(min_row, max_row + 1):
        for c in range(min_col, max_col + 1):
            cells[(step.sheet, r, c)] = _shown(cell_at(grid, r - min_row, c - min_col))
    return [[_shown(v) for v in row] for row in rows]


def _stages(
    steps: list[Step], needs: list[set[int]], uncovered: dict[str, str], looped: dict[int, int] | None = None
) -> dict[str, int]:
    """The stage of each formula: uncovered formulas of stage k are computed together, after the plain
    formulas of stages up to k, and before the plain ones of stage k+1 (which read them). The steps of a
    loop (`looped`: position -> loop) share one stage, after everything the loop reads."""
    looped = looped or {}
    stage: dict[str, int] = {}
    for k, step in enumerate(steps):
        foreign = step.key in uncovered
        level = 0
        loop = looped.get(k)
        if loop is not None and looped.get(k - 1) == loop:
            level = stage[steps[k - 1].key]  # the loop's stage so far
        for before in needs[k]:
            if loop is not None and looped.get(before) == loop:
                continue
            earlier = steps[before]
            if earlier.key in uncovered:
                level = max(level, stage[earlier.key] + (0 if foreign else 1))
            else:
                level = max(level, stage[earlier.key])
        stage[step.key] = level
        if loop is not None and looped.get(k + 1) != loop:  # the loop's last step: all of it in one stage
            first = k
            while looped.get(first - 1) == loop:
                first -= 1
            for member in steps[first:k]:
                stage[member.key] = level
    return stage
