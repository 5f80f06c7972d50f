"""What-If data tables (Excel's Data > What-If Analysis > Data Table; `{=TABLE(row_input, column_input)}`), the
sensitivity grids of DCF models, computed as Excel computes them: for each cell of the table, the model once
more with its input cell(s) set to the value heading that cell's row or column, read at the table's formula.

The file stores a table as one `<f t="dataTable" ref=.. dt2D=.. dtr=.. r1=.. r2=..>` in its first cell and
plain values in the others (ECMA-376 Part 1, 18.3.1.40):
- two variables (`dt2D`): the row input cell `r1` takes the values of the row above the table, the column
  input cell `r2` those of the column left of it; the formula is the cell at the corner between them;
- one variable, in a column (`dtr` false): `r1` takes the values left of each row; each column of results
  reads the formula in the row above it;
- one variable, in a row (`dtr` true): `r1` takes the values above each column; each row of results reads the
  formula left of it.

The pure part is here (`DataTable`, `read_table`, `compute`); the engine (`engines.Model`) runs it with the
plain engine's evaluation and writes the results into the table's cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

from .formula_text import node, parse_node

TABLE_WORK = 4_000_000
"""Table cells times formula cells above which a table's saved values are kept (each table cell computes the
whole model once more): about a minute of work."""


@dataclass(frozen=True)
class DataTable:
    """One data table: where its results go, and which input cells take which headings."""

    sheet: str
    box: tuple[int, int, int, int]
    """(first column, first row, last column, last row) of the results."""
    two_variables: bool
    in_a_row: bool
    """A one-variable table laid out along a row (`dtr`): its input values head the columns."""
    row_input: str
    """A1 of the input cell `r1` ("" when the file marks it deleted)."""
    column_input: str
    """A1 of `r2`, the column input cell of a two-variable table."""

    @property
    def where(self) -> str:
        first_col, first_row, last_col, last_row = self.box
        return f"{self.sheet}!{_a1(first_col, first_row)}:{_a1(last_col, last_row)}"

    def cases(self) -> list[tuple[str, list[tuple[str, str]], str]]:
        """(result cell, [(input cell, cell whose value it takes)], formula cell) for each cell of the table,
        row by row, all as A1 references on the table's sheet."""
        first_col, first_row, last_col, last_row = self.box
        found = []
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                if self.two_variables:
                    inputs = [(self.row_input, _a1(col, first_row - 1)), (self.column_input, _a1(first_col - 1, row))]
                    formula = _a1(first_col - 1, first_row - 1)
                elif self.in_a_row:
                    inputs, formula = [(self.row_input, _a1(col, first_row - 1))], _a1(first_col - 1, row)
                else:
                    inputs, formula = [(self.row_input, _a1(first_col - 1, row))], _a1(col, first_row - 1)
                found.append((_a1(col, row), inputs, formula))
        return found


def _a1(column: int, row: int) -> str:
    return f"{get_column_letter(column)}{row}"


def read_table(sheet: str, attrs: Mapping[str, str]) -> DataTable | str:
    """The table a `<f t="dataTable">` element describes, or why it cannot be computed."""
    try:
        box = range_boundaries(attrs.get("ref", ""))
    except (TypeError, ValueError):
        return f"its range {attrs.get('ref')!r} is not a range"
    if None in box or box[0] < 2 or box[1] < 2:  # type: ignore[operator]
        return "it has no row or column of input values before it"
    two = attrs.get("dt2D") in ("1", "true")
    if attrs.get("del1") in ("1", "true") or (two and attrs.get("del2") in ("1", "true")):
        return "its input cell was deleted (Excel shows #REF!)"
    first, second = attrs.get("r1", "").upper(), attrs.get("r2", "").upper()
    if not first or (two and not second):
        return "its input cell is not given"
    return DataTable(sheet, box, two, attrs.get("dtr") in ("1", "true"), first, second)  # type: ignore[arg-type]


@dataclass
class Outcome:
    """What the tables came to: the value of each of their cells, by engine node, and why any was not computed."""

    values: dict[str, Any] = field(default_factory=dict)
    kept: dict[DataTable, str] = field(default_factory=dict)
    """Each table whose saved values are kept -> the line that says why (`kept_line`)."""


def kept_line(table: DataTable, why: str) -> str:
    """The warning of a table whose saved values are kept."""
    return f"data table {table.where}: {why}; its saved values are kept"


def compute(
    tables: list[DataTable],
    values: Mapping[str, Any],
    formulas: Mapping[str, str],
    results: Mapping[str, list[list[Any]]],
    evaluate: Callable[[dict[str, Any]], Mapping[str, list[list[Any]]]],
) -> Outcome:
    """Every table's cells: `evaluate` (the whole model, given its input values by node) once per table cell with
    that cell's inputs set; `results` (the model as it stands) gives the headings that are formulas."""
    outcome = Outcome()
    for table in tables:
        why = _why_not(table, values, formulas)
        if why:
            outcome.kept[table] = kept_line(table, why)
            continue
        for cell, inputs, formula in table.cases():
            changed = dict(values)
            for input_cell, heading in inputs:
                changed[node(table.sheet, input_cell)] = _value(node(table.sheet, heading), values, results)
            key = node(table.sheet, formula)
            if key in formulas:
                outcome.values[node(table.sheet, cell)] = evaluate(changed)[key][0][0]
            else:  # a heading cell without a formula: the table shows that value in every cell
                outcome.values[node(table.sheet, cell)] = changed.get(key)
    return outcome


def _why_not(table: DataTable, values: Mapping[str, Any], formulas: Mapping[str, str]) -> str:
    inputs = [table.row_input] + ([table.column_input] if table.two_variables else [])
    for ref in inputs:
        key = node(table.sheet, ref)
        if key in formulas:
            return f"its input cell {ref} holds a formula"
        if key not in values:
            return f"its input cell {ref} is empty or read as part of a block"
    cells = len(table.cases())
    if cells * max(len(formulas), 1) > TABLE_WORK:
        return f"{cells:,} cells each computing {len(formulas):,} formulas would take too long"
    return ""


def _value(key: str, values: Mapping[str, Any], results: Mapping[str, list[list[Any]]]) -> Any:
    """A heading cell's value: typed, or computed by its formula (an empty cell is None)."""
    if key in results:
        return results[key][0][0]
    return values.get(key)


def blocks_with(blocks: Mapping[str, list[list[Any]]], cells: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The model's blocks of input values (ranges read whole) with the tables' cells among them set."""
    placed: dict[str, dict[tuple[int, int], Any]] = {}
    for key, value in cells.items():
        sheet, ref = parse_node(key)
        column, row, _, _ = range_boundaries(ref)
        placed.setdefault(sheet, {})[(row, column)] = value  # type: ignore[index]
    found = dict(blocks)
    for key, rows in blocks.items():
        sheet, ref = parse_node(key)
        if sheet not in placed:
            continue
        first_col, first_row, _, _ = range_boundaries(ref)
        inside = {
            (r - first_row, c - first_col): v  # type: ignore[operator]
            for (r, c), v in placed[sheet].items()
            if 0 <= r - first_row < len(rows) and 0 <= c - first_col < len(rows[0])  # type: ignore[operator]
        }
        if inside:
            copy = [list(row) for row in rows]
            for (r, c), v in inside.items():
                copy[r][c] = v
            found[key] = copy
    return found


def warned(tables: list[DataTable], outcome: Outcome, warned_nodes: set[str]) -> list[str]:
    """A line for each computed table whose formula carries a warning (it reads a cell another engine computed,
    or a volatile one): its values carry it too."""
    lines = []
    for table in tables:
        if table in outcome.kept:
            continue
        formulas = {node(table.sheet, formula) for _, _, formula in table.cases()}
        if formulas & warned_nodes:
            lines.append(
                f"data table {table.where}: computed from a formula that carries a warning (see its cells); "
                "check the table's values"
            )
    return lines
