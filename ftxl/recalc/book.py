"""What an engine is given of one workbook (`BookCells`) and what it gives back (`Evaluation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .data_tables import DataTable


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

    date1904: bool = False
    """The workbook counts dates from 1904-01-01 (`workbookPr date1904`), not from 1900."""

    local_names: dict[str, str] = field(default_factory=dict)
    """"SHEET!NAME" -> formula text of a name defined for one sheet only (it wins there over a workbook name)."""
    hidden_rows: dict[str, set[int]] = field(default_factory=dict)
    """SHEET -> rows hidden in it (SUBTOTAL 101-111 leaves them out)."""
    filtered_sheets: set[str] = field(default_factory=set)
    """SHEETs with an autofilter, whose hidden rows may be filtered out (SUBTOTAL 1-11 leaves those out too)."""
    iteration: tuple[int, float] | None = None
    """(most iterations, largest change) of iterative calculation when the workbook turns it on, else None."""
    linked_sheets: list[str] = field(default_factory=list)
    """Other workbooks' sheets whose cells this file caches ("[1]Sheet1"): their values are among `values`."""
    rewritten: set[str] = field(default_factory=set)
    """Nodes of formulas whose engine text is not the text saved in the cell (a table reference resolved, an
    add-in reference dropped): FORMULATEXT of them is left to another engine."""
    data_tables: list[DataTable] = field(default_factory=list)
    """The workbook's What-If data tables, computed after the model (`data_tables`)."""
    saved: dict[str, Any] = field(default_factory=dict)
    """Node of a one-cell formula -> the value saved with it, read only with iteration on: a loop starts
    from the values the workbook holds, as Excel's does."""

    def signature(self) -> tuple[Any, ...]:
        """Equal for workbooks that differ only in their input values, and only for those: the formulas,
        names and places themselves (a dictionary key compared in full, so no two layouts can collide).
        Copies of one template list them in the same order and share the very strings, so it is cheap."""
        return (
            tuple(self.formulas.items()),
            tuple(self.names.items()),
            tuple(self.values),
            tuple(self.blocks),
            tuple(self.sheets),
            frozenset(self.array_formulas),
            self.date1904,
            tuple(self.local_names.items()),
            tuple((sheet, frozenset(rows)) for sheet, rows in self.hidden_rows.items()),
            frozenset(self.filtered_sheets),
            self.iteration,
            frozenset(self.rewritten),
            tuple(self.data_tables),
        )


@dataclass
class Evaluation:
    """Results of one workbook, by engine node of a formula cell or array range."""

    results: dict[str, list[list[Any]]]
    """Node -> rows of cell values (float, str, bool or CellError; a single cell is one row of one), in
    the order computed. An error an ftxl function refused with carries its reason (`CellError.reason`)
    to every cell that passes it on."""
    notes: list[tuple[str, str]]
    """(node, what the user should know about that formula), e.g. an unknown function."""
    ftxl_nodes: list[str]
    """Nodes whose formula calls an ftxl function."""
    by_formulas: set[str] = field(default_factory=set)
    """Nodes the `formulas` engine computed (the rest: the plain engine)."""
    warned: set[str] = field(default_factory=set)
    volatile: set[str] = field(default_factory=set)
    """Nodes depending on a volatile function (RAND, TODAY ...): their value is that of this moment."""
    """Nodes whose value carries a warning: noted ones and every formula reading them."""
    engine: str = "plain"
    """Which engine computed it: "plain", or "formulas" with the reason the plain one did not."""
    iterated: str = ""
    """How iterative calculation went, for the result line ("3 cells in 1 loop, 4 iterations ..."); empty
    when no loop was computed."""
    tables: dict[str, Any] = field(default_factory=dict)
    """Node of each cell of a computed data table -> its value (a value cell of the file, not a formula's)."""
    table_notes: list[str] = field(default_factory=list)
    """Why a data table's saved values were kept, one line each."""
    looped: set[str] = field(default_factory=set)
    """Nodes computed in a loop of iterative calculation: right to within the workbook's largest change."""
