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

import functools
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


class Compiler:
    """Trees -> closures, remembering every range each formula reads."""

    def __init__(
        self,
        names: dict[str, Tree],
        sheets: set[str],
        blocks: dict[tuple[str, Box], Any],
        extents: dict[str, tuple[int, int]] | None = None,
        date1904: bool = False,
        name_texts: dict[str, str] | None = None,
        subtotal_cells: set[tuple[str, int, int]] | None = None,
        hidden_rows: dict[str, set[int]] | None = None,
        local_names: dict[str, str] | None = None,
    ) -> None:
        self.local_names = local_names or {}
        """"SHEET!NAME" -> formula text of the names scoped to one sheet."""
        self.sheet = ""
        self.subtotal_cells = subtotal_cells or set()
        """(SHEET, row, column) of formulas calling SUBTOTAL or AGGREGATE, which SUBTOTAL skips."""
        self.hidden_rows = hidden_rows or {}
        self.date1904 = date1904
        self.name_texts = name_texts or {}
        """Defined names' formula texts, for names with relative references (read from each using cell)."""
        """The workbook counts dates from 1904 (its date functions take that first)."""
        self.names = names
        self.sheets = sheets
        self.extents = extents or {}
        """Sheet -> (last row, last column) holding a value or a formula: where whole columns end in effect."""
        self.blocks = blocks
        self.refs: list[tuple[str, Box]] = []
        self.row = self.column = 0
        self.in_array = False
        """Compiling an array formula, or the arguments of a function Excel evaluates as arrays."""
        self._naming: set[str] = set()
        self._single_box = True
        self.notes: list[str] = []
        """What the user should know about the formula just compiled (a reference to a missing sheet)."""

    def compile(self, tree: Tree, box: Box, array: bool = False, sheet: str = "") -> _Compiled:
        """Closure of a formula filling `box`; an array formula (`array`, or more than one cell) keeps
        its ranges whole."""
        self.refs = []
        self.notes = []
        self.sheet = sheet
        self.column, self.row = box[0], box[1]
        self._single_box = box[0] == box[2] and box[1] == box[3]
        self.in_array = array or not self._single_box
        run = self.closure(tree, ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT)
        return _Compiled(run, self.refs)

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
        inner = ARRAY_CONTEXT if self.in_array else VALUE_CONTEXT
        if kind == "unary":
            return self.unary(tree[1], self.closure(tree[2], inner))
        if kind == "infix":
            return self.chain(tree, inner)
        return self.call(tree[1], tree[2])

    def reference(self, sheet: str, box: Box, context: str) -> Closure:
        if sheet not in self.sheets:  # Excel shows #REF! for a sheet that does not exist
            self.notes.append(f"refers to sheet {sheet!r}, which is not in the workbook; the cell shows #REF!")
            return lambda cells: REF
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
        keys = [[(sheet, r, c) for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)]

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

    def call(self, name: str, trees: list[Tree]) -> Closure:
        upper = _call_name(name)
        if upper in _WHERE_FUNCTIONS and len(trees) <= 1:
            return self.where(upper, trees)
        spec = SPECS.get(upper)
        if spec is None:
            raise NotCoveredError(f"function {name}")
        if upper == "SUBTOTAL":
            self._check_subtotal(trees)
        if len(trees) < spec.min_args or (spec.max_args is not None and len(trees) > spec.max_args):
            raise NotCoveredError(f"{name} with {len(trees)} arguments")
        why_not = spec.covers(trees) if spec.covers else None
        if why_not:
            raise NotCoveredError(why_not)
        trees = [self._named_range(tree) for tree in trees]
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
        run = _caller(spec, args)
        key = self._shared_key(upper, trees) if spec.shared else None
        return run if key is None else _computed_once(key, run)

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

    def _check_subtotal(self, trees: list[Tree]) -> None:
        """SUBTOTAL skips other SUBTOTAL cells in its ranges (and, from 101 on, hidden rows): the plain engine
        computes it only where neither is there to skip."""
        for tree in trees[1:]:
            tree = self._named_range(tree)
            if tree[0] != "ref":
                raise NotCoveredError("SUBTOTAL of something other than a range")
            sheet, (min_col, min_row, max_col, max_row) = tree[1], tree[2]
            if any(min_row <= r <= max_row for r in self.hidden_rows.get(sheet, ())):
                raise NotCoveredError("SUBTOTAL over hidden rows")
            if any(
                s == sheet and min_col <= c <= max_col and min_row <= r <= max_row for s, r, c in self.subtotal_cells
            ):
                raise NotCoveredError("SUBTOTAL over another SUBTOTAL")

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


def _reaches_edge(box: Box) -> bool:
    """True for a box to the sheet's last row or column (whole columns, whole rows, A1:A1048576)."""
    return box[3] >= LAST_ROW or box[2] >= LAST_COLUMN


def _telling(read: Closure, left_out: int) -> Closure:
    """A cut range read as a Grid that knows how many empty cells it left out."""

    def told(cells: Cells) -> Value:
        grid = read(cells)
        return Grid(grid.rows, True, left_out) if isinstance(grid, Grid) else Grid([[grid]], True, left_out)

    return told


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


def _order(steps: list[Step], names: dict[str, str]) -> tuple[list[Step], list[set[int]]]:
    """The steps in an order where each runs after every formula whose cells it reads, and for each the
    positions (in that order) of the steps it reads.

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
    if len(ordered) != len(steps):
        raise CircularReferenceError(
            _cycle([steps[k] for k, count in enumerate(waiting) if count > 0], needs, steps, names)
        )
    position = {id(step): k for k, step in enumerate(ordered)}
    original = {id(step): k for k, step in enumerate(steps)}
    return ordered, [{position[id(steps[b])] for b in needs[original[id(step)]]} for step in ordered]


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
        "Excel computes these only with iterative calculation on, which ftxl does not do. Break the loop"
    )


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
    ) -> None:
        self.formulas = formulas
        self.local_names = local_names or {}
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
        known = {sheet.upper() for sheet in sheets}
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
        compiler = Compiler(
            name_trees, known, blocks, extents, date1904, self.name_texts, subtotals, hidden_rows, local_names
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
            steps.append(Step(key, compiled.run, sheet, box, compiled.refs, key in array_formulas))
        self.steps, self.needs = _order(steps, {sheet.upper(): sheet for sheet in sheets})
        self.stages = _stages(self.steps, self.needs, self.uncovered)
        self.generation = 0
        """Counts the formulas left to the other engine after compiling (its batches change with it)."""
        self._planned: tuple[int, list[tuple[int, list[Step], bool]]] = (-1, [])

    def _reads(self, text: str, sheet: str, key: str) -> list[tuple[str, Box]]:
        """The ranges an uncovered formula reads, names followed to their ranges."""
        found: list[tuple[str, Box]] = []
        pending, seen = [(text, sheet)], set()
        while pending:
            formula, where = pending.pop()
            refs = static_references(formula, where)
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
    ) -> dict[str, list[list[Value]]]:
        """Every formula's result rows by node, in the order computed (a cell after those it reads).

        `foreign(stage, cells)` computes the uncovered formulas of a stage from the cell values so far. A
        formula that meets a value it leaves to the other engine (a criterion comparing text by order) is
        left to it from then on, and the copy computed again."""
        while True:
            left: dict[str, str] = {}
            results = self._evaluate(values, blocks, foreign, left)
            if not left:
                return results
            self.uncovered.update(left)  # all found in one pass: one more pass, not one per cell
            self.stages = _stages(self.steps, self.needs, self.uncovered)
            self.generation += 1

    def _evaluate(
        self,
        values: dict[str, Value],
        blocks: dict[str, list[list[Value]]],
        foreign: Callable[[int, Cells], dict[str, list[list[Value]]]] | None,
        left: dict[str, str],
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
        for stage, plain_steps, has_uncovered in self._plan():
            for step in plain_steps:
                try:
                    value = step.run(cells)
                except NotCoveredError as exc:
                    left[step.key] = str(exc)
                    value = NA  # a stand-in until the pass that computes it elsewhere
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
        return results

    def _plan(self) -> list[tuple[int, list[Step], bool]]:
        """Per stage: its plain steps in order, and whether uncovered formulas follow them."""
        if self._planned[0] != self.generation:
            last = max(self.stages.values(), default=0)
            plan: list[tuple[int, list[Step], bool]] = [(stage, [], False) for stage in range(last + 1)]
            for step in self.steps:
                if step.key not in self.uncovered:
                    plan[self.stages[step.key]][1].append(step)
            for key in self.uncovered:
                stage = self.stages[key]
                plan[stage] = (stage, plan[stage][1], True)
            self._planned = (self.generation, plan)
        return self._planned[1]

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {step.key: k for k, step in enumerate(self.steps)}


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


def _stages(steps: list[Step], needs: list[set[int]], uncovered: dict[str, str]) -> dict[str, int]:
    """The stage of each formula: uncovered formulas of stage k are computed together, after the plain
    formulas of stages up to k, and before the plain ones of stage k+1 (which read them)."""
    stage: dict[str, int] = {}
    for k, step in enumerate(steps):
        foreign = step.key in uncovered
        level = 0
        for before in needs[k]:
            earlier = steps[before]
            if earlier.key in uncovered:
                level = max(level, stage[earlier.key] + (0 if foreign else 1))
            else:
                level = max(level, stage[earlier.key])
        stage[step.key] = level
    return stage
