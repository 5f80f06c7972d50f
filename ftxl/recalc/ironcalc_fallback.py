"""IronCalc as the engine for the cells the plain engine does not compute (`ftxl recalc --engine ironcalc`).

IronCalc is a spreadsheet engine written in Rust with a Python wheel (`pip install ironcalc`). Like the
`formulas` fallback, it gets one stage of uncovered formulas at a time, with the cells they read fed in
as values (`engines.Model` computes everything else plainly, ftxl's own functions included), and answers
their values. Each copy of a workbook updates the inputs of the one model kept for its formulas and
evaluates it again. Imported only when a workbook needs it.

What it does not take is refused per batch (`NotCoveredError`, and `formulas` computes the batch):
array formulas over several cells, 1904 workbooks (IronCalc counts dates from 1900), and formulas nested
deeper than the plain engine's bound or longer than Excel allows (deep nesting crashes IronCalc).
"""

from __future__ import annotations

from typing import Any

import ironcalc
from openpyxl.utils.cell import range_boundaries

from .book import BookCells, Evaluation
from .formula_text import linked, parse_node
from .plain.parser import MAX_NESTING
from .values import ERRORS, CellError, NotCoveredError

ENGINE_NAME = "IronCalc"
EXCEL_ERRORS = frozenset(
    (*ERRORS, "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!", "#EXTERNAL!")
)
"""The error values Excel itself shows: any other answer of IronCalc's is no value to write into a workbook."""
MAX_FORMULA_LENGTH = 8_192
"""Excel's longest formula, in characters: a longer one is no Excel formula."""


def _nesting(text: str) -> int:
    """The deepest parentheses of a formula (in text literals too: an upper bound, which is all the guard needs).
    IronCalc parses recursively: about 3,000 levels overflow its stack and end the whole process, which no
    exception catches, so such formulas never reach it (Excel itself allows 64 levels of functions)."""
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


class IronBook:
    """The formulas of one batch in an IronCalc model, built once; each copy only sets its input values."""

    def __init__(self, cells: BookCells) -> None:
        if cells.date1904:
            raise NotCoveredError("a 1904 workbook (IronCalc counts dates from 1900)")
        self.cells = cells
        """The batch as given: what `formulas` compiles instead when IronCalc answers with a code of its own."""
        self.notes: list[tuple[str, str]] = []
        self.ftxl_nodes: list[str] = []
        self.model = ironcalc.create("ftxl", "en", "UTC")
        self.sheets = {name.upper(): k for k, name in enumerate(cells.sheets)}
        for k, name in enumerate(cells.sheets):
            if k == 0:
                self.model.rename_sheet(0, name)
            else:
                self.model.add_sheet(name)
        for key, text in cells.names.items():
            _, name = parse_node(key)
            try:
                self.model.new_defined_name(name, None, text)
            except Exception:  # noqa: BLE001 - a name IronCalc cannot read: the formulas using it show #NAME?
                self.notes.append((key, f"IronCalc cannot read the name {name}"))
        self.outputs: list[tuple[str, int, int, int]] = []
        for text in cells.formulas.values():
            if len(text) > MAX_FORMULA_LENGTH or _nesting(text) > MAX_NESTING:
                raise NotCoveredError(f"a formula nested more than {MAX_NESTING} levels deep or over 8,192 characters")
        for key, text in cells.formulas.items():
            sheet, row, column, single = self._place(key)
            if not single or key in cells.array_formulas:
                raise NotCoveredError("an array formula (IronCalc's spilled arrays are not used)")
            self.model.update_cell_with_formula(sheet, row, column, "=" + text)
            self.outputs.append((key, sheet, row, column))
        self.blocks = {key: self._place(key) for key in cells.blocks}

    def _place(self, key: str) -> tuple[int, int, int, bool]:
        """IronCalc's (sheet index, row, column) of a node's top-left cell, and whether it is one cell."""
        sheet, ref = parse_node(key)
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if sheet.upper() not in self.sheets:
            raise NotCoveredError(f"a cell of sheet {sheet}, not in the workbook")
        return self.sheets[sheet.upper()], min_row, min_col, (min_col, min_row) == (max_col, max_row)

    def evaluate(self, cells: BookCells) -> Evaluation:
        """The batch's formulas computed from `cells`' values (and blocks)."""
        for key, value in cells.values.items():
            if linked(key):
                continue  # another workbook's cached cell: IronCalc is never given a link
            sheet, row, column, _ = self._place(key)
            self._set(sheet, row, column, value)
        for key, rows in cells.blocks.items():
            sheet, top, left, _ = self.blocks[key] if key in self.blocks else self._place(key)
            for r, cells_row in enumerate(rows):
                for c, value in enumerate(cells_row):
                    self._set(sheet, top + r, left + c, value)
        self.model.evaluate()
        results = {key: [[self._get(sheet, row, column)]] for key, sheet, row, column in self.outputs}
        for key, rows in results.items():
            value = rows[0][0]
            if isinstance(value, CellError) and value.code not in EXCEL_ERRORS:
                # IronCalc's own codes (#ERROR! for a formula it cannot parse, #N/IMPL!, #CIRC!) are no Excel
                # value: the batch goes to `formulas`, which says what is wrong with the cell
                raise NotCoveredError(f"IronCalc answers {value.code} for {key}")
        return Evaluation(results, self.notes, self.ftxl_nodes, engine=ENGINE_NAME)

    def _set(self, sheet: int, row: int, column: int, value: Any) -> None:
        model = self.model
        if value is None:
            model.clear_cell_contents(sheet, row, column)
        elif type(value) is bool:
            model.update_cell_with_bool(sheet, row, column, value)
        elif isinstance(value, float):
            model.update_cell_with_number(sheet, row, column, value)
        elif isinstance(value, CellError):
            model.update_cell_with_formula(sheet, row, column, "=" + value.code)
        else:
            model.update_cell_with_text(sheet, row, column, str(value))  # text stays text, "=1+1" too

    def _get(self, sheet: int, row: int, column: int) -> Any:
        value = self.model.get_cell_value(sheet, row, column)
        if self.model.get_cell_type(sheet, row, column) == ironcalc.CellType.ErrorValue:
            return CellError(str(value))
        if value is None:
            return 0.0  # a formula pointing at an empty cell shows 0, as in Excel
        if isinstance(value, int) and type(value) is not bool:
            return float(value)
        return value
