"""Recalculating saved workbooks: compute every formula, write back only the cached values.

One file: open the package defensively, read its cells, evaluate them with the shared
`formulas` engine (ftxl's functions included), patch the ``<v>`` of every formula cell
in the original sheet parts, and replace the output atomically. Every other part is
copied unchanged. A failure leaves the original untouched and is reported, never raised
past the file, so one bad workbook never stops a batch.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter, range_boundaries

from .. import cell_functions
from ..bounded_cache import BoundedCache
from ..errors import WorkbookError
from . import data_tables, formula_text
from .atomic import write_atomically
from .book import BookCells, Evaluation
from .engines import ModelCache
from .formula_text import references
from .ooxml import charts
from .ooxml.package import DEFAULT_LIMITS, Limits, Package, Workbook, check_well_formed, read_workbook
from .ooxml.tables import read_tables
from .ooxml.tables import resolve as resolve_tables
from .ooxml.worksheet import Cell, Layout, patch, scan
from .values import MAX_RANGE_CELLS, CellError
from .values import area as box_area

OUTPUT_NAME_PREFIX = "out_"
"""Defined names starting with this mark a workbook's key outputs for the summary."""
CHECKS_NAME = "checks_problems"
"""A workbook-scope name holding the number of failed input checks (0: all pass)."""
CHECK_MESSAGES_NAME = "checks_messages"
"""A workbook-scope name of a range whose non-empty texts say what is wrong, naming the input cells."""


@dataclass
class FileResult:
    """What happened to one workbook of a batch."""

    source: Path
    target: Path | None = None
    ok: bool = False
    cells: int = 0
    """Formula cells whose cached value was computed and written."""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    """Key outputs for the summary: label -> value (or list of values for a range)."""
    engine: str = ""
    """Which engine computed the formulas: "plain", or "formulas (why)"."""
    checks: int | None = None
    """Failed input checks the workbook reports through its name `checks_problems` (None: it defines none)."""
    every_warning: list[str] = field(default_factory=list)
    """Every warning, one per cell (`warnings` groups many alike into one line)."""
    warned_cells: list[str] = field(default_factory=list)
    """Sheet!A1 of every formula cell whose value carries a warning: noted ones and every cell reading them."""
    errors_for_numbers: dict[str, str] = field(default_factory=dict)
    """Sheet!A1 -> error code of the formula cells that now show an error where the saved file had a number."""


@dataclass
class _SheetCells:
    name: str
    part: str
    data: bytes
    cells: list[Cell]
    formula_cells: list[Cell] = field(init=False)
    """The cells holding a formula (or a part of a shared or array one), in document order."""
    values: dict[str, Any] = field(init=False)
    """Address -> value of every other cell that holds one (array cells included: `_read` drops them)."""
    by_ref: dict[str, Cell] = field(init=False)
    """Address -> cell, for every cell of the part."""
    hidden_rows: set[int] = field(init=False)

    def __post_init__(self) -> None:
        self.formula_cells, self.values, self.by_ref, self.hidden_rows = _split(self.data, self.cells)


_Split = tuple[list[Cell], dict[str, Any], dict[str, Cell], set[int]]


def _split(data: bytes, cells: list[Cell]) -> _Split:
    """A sheet's formula cells, the values of the others, every cell by address and the hidden rows; worked
    out once for a scan that copies share (a label log)."""
    seen = _SPLITS.get(id(cells))
    if seen is not None and seen[0] is cells:
        return seen[1]
    formula_cells = [cell for cell in cells if cell.formula is not None]
    values = {cell.ref: cell.value for cell in cells if cell.formula is None and cell.value is not None}
    split = formula_cells, values, {cell.ref: cell for cell in cells}, _hidden_rows(data)
    if len(cells) >= SHARED_SPLIT_CELLS:
        _SPLITS.put(id(cells), (cells, split))
    return split


_SPLITS: BoundedCache[int, tuple[list[Cell], _Split]] = BoundedCache(8)
"""Formula cells and values of large scans by the scan's identity (kept with it, so no id is reused)."""
SHARED_SPLIT_CELLS = 4096


@functools.lru_cache(maxsize=4096)
def _range_rows(ref: str) -> tuple[tuple[str, ...], ...]:
    """The cell addresses of a range such as C1:E3, row by row."""
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    letters = [get_column_letter(c) for c in range(min_col, max_col + 1)]
    if len(letters) == 1:  # a column, the usual block
        (letter,) = letters
        return tuple((f"{letter}{r}",) for r in range(min_row, max_row + 1))
    return tuple(tuple(f"{letter}{r}" for letter in letters) for r in range(min_row, max_row + 1))


def cells_in(ref: str) -> Iterator[str]:
    """Every cell address of a range such as C1:E3 (or the single address)."""
    for row in _range_rows(ref):
        yield from row


_SCANS: BoundedCache[bytes, tuple[list[str], list[Cell]]] = BoundedCache(8)
"""Cells of large sheet parts by their bytes (with the shared strings they were read with):
a label log that copies of a template share is scanned once."""
LARGE_PART = 1 << 16


GRID_REF = re.compile(
    r"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])"
    r"(?:[1-9]\d{0,5}|10[0-3]\d{4}|104[0-7]\d{3}|1048[0-4]\d{2}|10485[0-6]\d|104857[0-6])"
)
"""A cell address inside Excel's grid: columns A to XFD, rows 1 to 1,048,576."""


def _checked_cells(data: bytes, shared_strings: list[str], part: str) -> list[Cell]:
    """The cells of a well-formed sheet part, each inside Excel's grid; else a WorkbookError naming the part."""
    check_well_formed(part, data)
    cells = list(scan(data, shared_strings, part))
    for cell in cells:
        if not GRID_REF.fullmatch(cell.ref):
            raise WorkbookError(
                f"damaged workbook: part {part} has a cell {cell.ref!r} outside Excel's grid (A1:XFD1048576)"
            )
    return cells


_BLOCKS: BoundedCache[tuple[str, tuple[str, ...]], tuple[list[Cell], dict[str, Any], dict[str, Any]]] = BoundedCache(8)
"""Blocks of a sheet whose scan was shared (a pasted label log): copies of a template take them once."""


def _taken_blocks(
    sheet: _SheetCells, values: dict[str, Any], refs: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, list[list[Any]]]]:
    """The sheet's value cells without those of its blocks, and each block's rows by node (read-only: copies
    whose sheet part is the same bytes share them)."""
    seen = _BLOCKS.get((sheet.name, refs))
    if seen is not None and seen[0] is sheet.cells:
        return seen[1], seen[2]
    remaining, blocks = dict(values), {}
    take = remaining.pop
    for ref in refs:
        rows = _range_rows(ref)
        blocks[formula_text.node(sheet.name, ref)] = (
            [[take(address, None)] for (address,) in rows]  # a column, the usual block: no inner loop
            if len(rows[0]) == 1
            else [[take(address, None) for address in row] for row in rows]
        )
    if len(sheet.data) >= LARGE_PART:  # its scan is shared by copies: so are its blocks
        _BLOCKS.put((sheet.name, refs), (sheet.cells, remaining, blocks))
    return remaining, blocks


def _scanned(data: bytes, shared_strings: list[str], part: str) -> list[Cell]:
    """The cells of a sheet part; large parts seen before with the same strings are not scanned again, and one
    that differs from one seen before only in its values (a filled copy's Inputs sheet) is read through that
    one's layout."""
    large = len(data) >= LARGE_PART
    if large:
        seen = _SCANS.get(data)
        if seen is not None and seen[0] is shared_strings:
            return seen[1]
    if len(data) > LARGEST_CACHED_PART:
        return _checked_cells(data, shared_strings, part)
    layouts = _LARGE_LAYOUTS if large else _LAYOUTS
    skeleton = Layout.skeleton_of(data)
    layout = layouts.get(skeleton)
    cells = None if layout is None else layout.cells_of(data, shared_strings, part)
    if cells is None:
        cells = _checked_cells(data, shared_strings, part)
        layout = Layout.of(data, cells, skeleton)
        if layout is not None:
            layouts.put(layout.skeleton, layout)
    if large:
        _SCANS.put(data, (shared_strings, cells))
    return cells


_LAYOUTS: BoundedCache[bytes, Layout] = BoundedCache(64)
"""Layouts of the small sheet parts seen, by skeleton: the sheets of filled copies of a template."""
_LARGE_LAYOUTS: BoundedCache[bytes, Layout] = BoundedCache(8)
"""Layouts of the large ones (up to `LARGEST_CACHED_PART` each), as few as the scans they stand beside."""
BLOCK_MIN_CELLS = 256
"""A range of at least this many value cells is fed to the engine as one input (a label log, a table)."""
LARGEST_CACHED_PART = 16 << 20
"""Sheet parts up to this size are kept for the batch (a pasted label log); larger ones are read each time."""
MAX_FORMULA_CHARS = 8192
"""Excel's own limit on the length of a formula: a longer one cannot come from Excel."""


class BookReader:
    """The cells of one package, turned into what the engine evaluates."""

    def __init__(self, package: Package, workbook: Workbook, limits: Limits = DEFAULT_LIMITS) -> None:
        self.package = package
        self.limits = limits
        self.workbook = workbook
        self.sheets = [
            _SheetCells(name, part, data := package.read(part), _scanned(data, workbook.shared_strings, part))
            for name, part in workbook.sheets.items()
        ]
        self.warnings: list[str] = []
        self.tables = read_tables(package, workbook)
        self.book = BookCells(
            sheets=[sheet.name for sheet in self.sheets], date1904=workbook.date1904, iteration=workbook.iteration
        )
        self.placement: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {}
        """Engine node -> (sheet, the cell addresses its result rows fill)."""
        self._read()

    def _read(self) -> None:
        values: dict[str, dict[str, Any]] = {}
        formula_cells: set[tuple[str, str]] = set()
        for sheet in self.sheets:
            if sheet.hidden_rows:
                self.book.hidden_rows[sheet.name.upper()] = sheet.hidden_rows
                if b"<autoFilter" in sheet.data:
                    self.book.filtered_sheets.add(sheet.name.upper())
            array_cells = self._read_formulas(sheet)
            if len(self.book.formulas) > self.limits.max_formula_cells:
                raise WorkbookError(
                    f"more than {self.limits.max_formula_cells:,} formula cells (sheet {sheet.name} reaches "
                    f"{len(self.book.formulas):,}): refused to bound time and memory; raise --max-cells to compute it"
                )
            formula_cells.update((sheet.name, ref) for ref in array_cells)
            formula_cells.update((sheet.name, cell.ref) for cell in sheet.formula_cells)
            values[sheet.name] = sheet.values
            if array_cells & sheet.values.keys():  # spilled results are not inputs
                values[sheet.name] = {ref: v for ref, v in sheet.values.items() if ref not in array_cells}
        self._read_names()
        # rows come in order in a sheet part, so its last cell holds the last row in use
        last_rows = {s.name: coordinate_from_string(s.cells[-1].ref)[1] if s.cells else 0 for s in self.sheets}
        by_sheet: dict[str, list[str]] = {}
        for sheet_name, ref in self._blocks(formula_cells):
            if range_boundaries(ref)[3] <= last_rows[sheet_name]:  # else mostly empty (a whole column): read
                by_sheet.setdefault(sheet_name, []).append(ref)  # cell by cell, where whole columns are cut
        for sheet in self.sheets:
            refs = tuple(by_sheet.get(sheet.name, ()))
            if refs:
                values[sheet.name], blocks = _taken_blocks(sheet, values[sheet.name], refs)
                self.book.blocks.update(blocks)
        for sheet_name, sheet_values in values.items():
            for ref, value in sheet_values.items():
                self.book.values[formula_text.node(sheet_name, ref)] = value
        for linked, cached in self.workbook.external.items():  # another workbook's cells, as last saved here
            self.book.linked_sheets.append(linked)
            for ref, value in cached.items():
                self.book.values[formula_text.node(linked, ref)] = value

    def _blocks(self, formula_cells: set[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """Large ranges of value cells that formulas only ever read whole: each becomes one engine input."""
        first_sheet = self.sheets[0].name if self.sheets else ""
        texts = [(self.placement[key][0], text) for key, text in self.book.formulas.items()]
        texts += [(first_sheet, n.formula) for n in self.workbook.names if not n.name.lower().startswith("_xlnm.")]
        return _blocks_of(tuple(texts), frozenset(formula_cells), frozenset(sheet.name for sheet in self.sheets))

    def _read_formulas(self, sheet: _SheetCells) -> set[str]:
        """Collect the sheet's formulas; return the cells that array formulas fill."""
        masters: dict[str, tuple[str, str]] = {}
        array_cells: set[str] = set()
        for cell in sheet.formula_cells:
            attrs = cell.formula_attrs
            if attrs.get("t") == "shared" and cell.formula:
                masters[attrs.get("si", "")] = (cell.ref, cell.formula)
        for cell in sheet.formula_cells:
            attrs, text = cell.formula_attrs, cell.formula
            assert text is not None
            if not attrs and len(text) <= REMEMBERED_FORMULA_CHARS:  # most: a plain formula, no checks to make
                self._add_formula(sheet.name, cell.ref, cell.ref, text)
                continue
            where = f"{sheet.name}!{cell.ref}"
            if attrs.get("t") == "dataTable":
                sheet.values[cell.ref] = cell.value  # its first result, an input to formulas like the others
                table = data_tables.read_table(sheet.name, attrs)
                if isinstance(table, str):
                    self.warnings.append(f"{where}: what-if data table not computed ({table}); its saved values kept")
                else:
                    self.book.data_tables.append(table)
                continue
            if attrs.get("t") == "shared" and not text:
                master = masters.get(attrs.get("si", ""))
                if master is None:
                    self.warnings.append(f"{where}: shared formula {attrs.get('si')} has no master cell; left as it is")
                    continue
                try:
                    text = formula_text.translate(master[1], master[0], cell.ref)
                except Exception:  # openpyxl's tokenizer on a master it cannot read: so is this cell
                    text = master[1]  # unreadable either way: the engine shows #NAME? with a warning
            if len(text) > MAX_FORMULA_CHARS:
                raise WorkbookError(
                    f"{where}: a formula of {len(text):,} characters, longer than Excel allows ({MAX_FORMULA_CHARS:,})"
                )
            area = attrs.get("ref", cell.ref) if attrs.get("t") == "array" else cell.ref
            if attrs.get("t") == "array":
                try:
                    bounds = range_boundaries(area)
                except (TypeError, ValueError):
                    raise WorkbookError(
                        f"{where}: an array formula over {area!r}, which is not a range of cells"
                    ) from None
                if None in bounds or bounds[:2] != range_boundaries(cell.ref)[:2]:
                    raise WorkbookError(f"{where}: an array formula over {area!r}, which must start at its own cell")
                if box_area(bounds) > MAX_RANGE_CELLS:
                    raise WorkbookError(
                        f"{where}: an array formula over {area}, more cells than ftxl evaluates ({MAX_RANGE_CELLS:,})"
                    )
                array_cells.update(cells_in(area))
                self.book.array_formulas.add(self._add_formula(sheet.name, cell.ref, area, text))
            else:
                self._add_formula(sheet.name, cell.ref, area, text)
        if self.book.iteration is not None:  # loops start from the values saved with their cells
            for cell in sheet.formula_cells:
                if cell.value is not None:
                    self.book.saved[formula_text.node(sheet.name, cell.ref)] = cell.value
        return array_cells

    def _add_formula(self, sheet: str, ref: str, area: str, text: str) -> str:
        """Take the formula `text` written in `ref` and filling `area` for the engine; its node."""
        read = _formula if len(text) <= REMEMBERED_FORMULA_CHARS else _formula.__wrapped__
        key, engine_text, self.placement[key] = read(sheet, area, text)
        if "[" in engine_text:  # a structured reference, read from the row it is written in
            letters, row = coordinate_from_string(ref)
            engine_text = resolve_tables(engine_text, self.tables, row, sheet, column_index_from_string(letters))
        self.book.formulas[key] = engine_text
        if engine_text != text:
            self.book.rewritten.add(key)
        return key

    def where(self, key: str) -> str:
        """Sheet!A1 of the formula behind an engine node (the top-left cell of an array range); "name RID" for
        a defined name's node (a fallback may note one)."""
        placed = self.placement.get(key)
        if placed is None:
            sheet, name = formula_text.parse_node(key)
            return f"name {name}" if not sheet else f"{sheet}!{name}"
        sheet, rows = placed
        return f"{sheet}!{rows[0][0]}"

    def _read_names(self) -> None:
        for defined in self.workbook.names:
            if defined.name.lower().startswith("_xlnm."):
                continue  # print areas, filters: Excel's own bookkeeping
            if defined.sheet is None:
                text = resolve_tables(formula_text.normalise(defined.formula), self.tables, 0)
                self.book.names[formula_text.name_node(defined.name)] = text
            else:
                text = resolve_tables(formula_text.normalise(defined.formula), self.tables, 0)
                self.book.local_names[f"{defined.sheet.upper()}!{defined.name.upper()}"] = text


REMEMBERED_FORMULA_CHARS = 2048
"""Formulas up to this length are read once per place for the batch (at most 16,384 of them)."""


@functools.lru_cache(maxsize=1 << 14)
def _formula(sheet: str, area: str, text: str) -> tuple[str, str, tuple[str, tuple[tuple[str, ...], ...]]]:
    """The node, engine text (tables not yet resolved) and placement of a formula `text` filling
    `sheet`!`area` (copies of a template hold the same formulas: each is read once)."""
    return formula_text.node(sheet, area), formula_text.normalise(text), (sheet, _range_rows(area))


HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*?\bhidden=\"(?:1|true)\"[^>]*>")
ROW_NUMBER = re.compile(rb"\sr=\"(\d+)\"")


def _hidden_rows(data: bytes) -> set[int]:
    """The rows a sheet part marks hidden (by hand or by a filter)."""
    if b"hidden=" not in data:
        return set()
    rows = set()
    for match in HIDDEN_ROW.finditer(data):
        number = ROW_NUMBER.search(match.group(0))
        if number:
            rows.add(int(number.group(1)))
    return rows


@functools.lru_cache(maxsize=64)
def _blocks_of(
    texts: tuple[tuple[str, str], ...], formula_cells: frozenset[tuple[str, str]], sheets: frozenset[str]
) -> tuple[tuple[str, str], ...]:
    """The (sheet, range) blocks of a workbook layout, given its formula texts (with their sheets) and cells.

    A range qualifies when it holds no formula and no other reference (a cell or another
    range) reaches into it; with OFFSET or INDIRECT anywhere, none does. Filled copies of
    one template share the answer.
    """
    if any(formula_text.uses_dynamic_references(text) for _, text in texts):
        return ()
    refs = {(s, r, range_boundaries(r)) for sheet, text in texts for s, r in references(text, sheet) if s in sheets}
    formulas_at = [(s, range_boundaries(r)) for s, r in formula_cells]
    blocks = []
    for sheet_name, ref, box in sorted(refs):
        if not BLOCK_MIN_CELLS <= box_area(box) <= MAX_RANGE_CELLS:
            continue
        touched = any(s == sheet_name and r != ref and _overlap(box, other) for s, r, other in refs)
        if touched or any(s == sheet_name and _overlap(box, cell) for s, cell in formulas_at):
            continue
        blocks.append((sheet_name, ref))
    return tuple(blocks)


def _notes(reader: BookReader, evaluation: Evaluation) -> list[str]:
    """What the user should know, cell by cell: unreadable formulas, unknown functions, and each cell where
    an ftxl function refused with #VALUE!, with its reason (not the cells that only pass that error on,
    nor one caught by IFERROR and the like)."""
    notes = [f"{reader.where(key)}: {note}" for key, note in evaluation.notes]
    seen: set[int] = set()
    for key, rows in evaluation.results.items():  # in the order computed: an error's source comes first
        for value in (v for row in rows for v in row):
            if type(value) is CellError and value.reason and value.code == "#VALUE!" and id(value) not in seen:
                seen.add(id(value))
                notes.append(f"{reader.where(key)}: #VALUE!: {value.reason}")
    return notes


def _warned_cells(reader: BookReader, evaluation: Evaluation) -> list[str]:
    """Every cell a warning is about or follows from, in the workbook's order, array ranges cell by cell."""
    cells = []
    for key in reader.book.formulas:
        if key in evaluation.warned:
            sheet, rows = reader.placement[key]
            cells += [f"{sheet}!{address}" for row in rows for address in row]
    return cells


def _errors_for_numbers(reader: BookReader, values: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Sheet!A1 -> error code of each formula cell that now shows an error where the saved file had a number
    other than 0 (writers such as xlsxwriter save 0 for every formula they do not compute): a change a
    reader must not miss, reported beside the warnings."""
    found: dict[str, str] = {}
    for sheet in reader.sheets:
        saved = sheet.by_ref
        for address, value in values[sheet.name].items():
            before = saved.get(address)
            if type(value) is CellError and before is not None and type(before.value) is float and before.value:
                found[f"{sheet.name}!{address}"] = value.code
    return found


def _shows(reader: BookReader, values: dict[str, dict[str, Any]], key: str) -> Any:
    sheet, rows = reader.placement[key]
    return values[sheet].get(rows[0][0])


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two (min_col, min_row, max_col, max_row) rectangles share a cell."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _values_by_sheet(reader: BookReader, evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {sheet.name: {} for sheet in reader.sheets}
    for key, rows in evaluation.results.items():
        sheet, addresses = reader.placement[key]
        for r, address_row in enumerate(addresses):
            for c, address in enumerate(address_row):
                values[sheet][address] = spilled_cell(rows, r, c)
    named = {sheet.name.upper(): sheet.name for sheet in reader.sheets}
    for key, value in evaluation.tables.items():  # data tables: value cells the engine computed
        sheet, address = formula_text.parse_node(key)
        values[named[sheet]][address] = value
    return values


def spilled_cell(rows: list[list[Any]], r: int, c: int) -> Any:
    """Value of cell (r, c) of an array range filled with `rows`, broadcast like Excel (#N/A outside)."""
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    row = rows[r] if r < len(rows) else rows[0] if len(rows) == 1 else None
    if row is None:
        return CellError("#N/A")
    return row[c] if c < len(row) else row[0] if len(row) == 1 else CellError("#N/A")


def _unchanged(cell: Cell, value: Any) -> bool:
    """True when the cell's cached value already is `value`: nothing to rewrite."""
    current = cell.value
    if isinstance(value, bool) or isinstance(current, bool):
        return type(value) is type(current) and value == current
    if isinstance(value, float):
        return isinstance(current, float) and current == value
    if isinstance(value, CellError):
        return current == value
    return isinstance(current, str) and cell.attrs.get("t") == "str" and current == value


def recalculate(
    source: Path,
    target: Path,
    cache: ModelCache,
    limits: Limits = DEFAULT_LIMITS,
    sync_file: bool = True,
    sync_folder: bool = True,
) -> FileResult:
    """Recalculate `source` into `target` (which may be `source` itself); never raises for a bad file.

    `sync_file` and `sync_folder` False leave syncing to the caller (see `write_atomically`).
    """
    result = FileResult(source=source)
    try:
        with Package(source, limits) as package:
            reader = BookReader(package, read_workbook(package), limits)
            with cell_functions.computed_by(f"ftxl recalc on {datetime.date.today().isoformat()}"):
                evaluation = cache.evaluate(reader.book)
            values = _values_by_sheet(reader, evaluation)
            parts, computed = _patched_parts(reader, values, result)
            parts.update(_refreshed_charts(reader, values, result))
            write_atomically(target, lambda handle: package.write_copy(handle, parts), sync_file, sync_folder)
        result.warnings = reader.warnings + evaluation.table_notes + result.warnings + _notes(reader, evaluation)
        result.cells = computed
        result.engine = evaluation.engine
        result.outputs = summary_outputs(reader, values, evaluation.ftxl_nodes)
        result.checks, check_messages = input_checks(reader, values)
        result.warned_cells = _warned_cells(reader, evaluation)
        result.errors_for_numbers = _errors_for_numbers(reader, values)
        result.every_warning = check_messages + result.warnings
        result.warnings = aggregated(result.every_warning)
        result.target = target
        result.ok = True
    except WorkbookError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = "out of memory reading this workbook"
    except RecursionError:
        result.error = "a formula is nested deeper than Excel allows (64 levels); the original is unchanged"
    except Exception as exc:  # a bug must cost one file, not the batch
        result.error = f"internal error ({type(exc).__name__}: {exc}); the original is unchanged; please report it"
    return result


def _patched_parts(
    reader: BookReader, values: dict[str, dict[str, Any]], result: FileResult
) -> tuple[dict[str, bytes], int]:
    parts: dict[str, bytes] = {}
    computed = 0
    for sheet in reader.sheets:
        sheet_values = values[sheet.name]
        computed += len(sheet_values)
        existing = sheet.by_ref
        changed = {ref: v for ref, v in sheet_values.items() if not (ref in existing and _unchanged(existing[ref], v))}
        if not changed:
            continue
        parts[sheet.part], missing = patch(sheet.data, changed, [existing[ref] for ref in changed if ref in existing])
        first = sorted(missing, key=lambda r: (len(r), r))[:SAME_WARNINGS_SHOWN]
        for ref in first:
            result.warnings.append(f"{sheet.name}!{ref}: part of an array range but not in the file; not written")
        if len(missing) > len(first):
            result.warnings.append(
                f"... and {len(missing) - len(first):,} more cells like {sheet.name}!{first[-1]}: "
                "part of an array range but not in the file; not written"
            )
    return parts, computed


CHART_PART = re.compile(r"^xl/charts/chart\d+\.xml$")


def _refreshed_charts(reader: BookReader, values: dict[str, dict[str, Any]], result: FileResult) -> dict[str, bytes]:
    """Chart parts whose cached series now hold the recomputed values (see `chart_cache`)."""
    sheets = {sheet.name.lower(): sheet for sheet in reader.sheets}
    budget = [MAX_CHART_POINTS]
    over: list[str] = []

    def lookup(sheet_name: str, ref: str) -> tuple[bool, list[Any]]:
        sheet = sheets[sheet_name.lower()]
        area = box_area(range_boundaries(ref))
        if area > MAX_RANGE_CELLS:
            raise KeyError(ref)
        if area > budget[0]:
            over.append(f"{sheet.name}!{ref}")
            raise KeyError(ref)
        budget[0] -= area
        computed, saved = values[sheet.name], sheet.by_ref
        addresses = list(cells_in(ref))
        found = [computed[a] if a in computed else getattr(saved.get(a), "value", None) for a in addresses]
        return any(a in computed for a in addresses), found

    parts = {}
    for name in sorted(n for n in reader.package.names if CHART_PART.match(n)):
        data = reader.package.read(name)
        try:
            check_well_formed(name, data)
        except WorkbookError as exc:
            result.warnings.append(f"{name}: its cached series were not refreshed ({exc})")
            continue
        refreshed = charts.refresh(data, lookup)
        if refreshed is not None:
            parts[name] = refreshed
        if over:
            result.warnings.append(
                f"{name}: {len(over):,} cached series not refreshed (from {over[0]}): the workbook's charts read more "
                f"than {MAX_CHART_POINTS:,} cells; they show their saved values until Excel recalculates"
            )
            over.clear()
    return parts


MAX_CHART_POINTS = 2_097_152
"""Cells the chart caches of one workbook may read, all series together (a chart shows a few thousand points);
past it, a series keeps its saved cache, with a warning."""


def _resolve(reader: BookReader, values: dict[str, dict[str, Any]], formula: str) -> Any:
    """The value(s) a defined name such as Results!$C$5 or 'My sheet'!$B$2:$D$2 points at."""
    targets = references(formula, "")
    if len(targets) != 1 or not targets[0][0]:
        return None  # not a plain sheet reference (a constant, a formula, several areas)
    sheet, ref = targets[0]
    saved = next((s.by_ref for s in reader.sheets if s.name == sheet), {})
    computed = values.get(sheet, {})
    found = [
        computed[address] if address in computed else getattr(saved.get(address), "value", None)
        for address in cells_in(ref)
    ]
    return found[0] if len(found) == 1 else found


SAME_WARNINGS_SHOWN = 3
"""How many cells with the same warning are listed before the rest are counted in one line."""


def aggregated(warnings: list[str]) -> list[str]:
    """The warnings with those that say the same of many cells of one sheet ("Sheet!A1: same text") cut to
    the first few and one line counting the rest, in the order they first came."""
    by_text: dict[tuple[str, str], list[str]] = {}
    for warning in warnings:
        where, separator, text = warning.partition(": ")
        grouped = separator and "!" in where and not where.startswith("...")
        key = (where.rsplit("!", 1)[0], text) if grouped else ("", warning)
        by_text.setdefault(key, []).append(warning)
    shown = []
    for (_, text), group in by_text.items():
        shown += group[:SAME_WARNINGS_SHOWN]
        if len(group) > SAME_WARNINGS_SHOWN:
            like = group[SAME_WARNINGS_SHOWN].partition(": ")[0]
            shown.append(f"... and {len(group) - SAME_WARNINGS_SHOWN:,} more cells like {like}: {text}")
    return shown


def input_checks(reader: BookReader, values: dict[str, dict[str, Any]]) -> tuple[int | None, list[str]]:
    """The number of failed input checks (name `checks_problems`) and what each says (name `checks_messages`).

    A workbook that defines no `checks_problems` reports None. One whose count is not a
    number (an error, text) counts as one problem, with a message saying so.
    """
    names = {n.name.lower(): n.formula for n in reader.workbook.names if n.sheet is None}
    if CHECKS_NAME not in names:
        return None, []
    count = _resolve(reader, values, names[CHECKS_NAME])
    if not isinstance(count, (int, float)) or isinstance(count, bool) or count != count:
        return 1, [f"input checks: {CHECKS_NAME} does not hold a number ({count}); the inputs cannot be trusted"]
    found = _resolve(reader, values, names[CHECK_MESSAGES_NAME]) if CHECK_MESSAGES_NAME in names else None
    texts = found if isinstance(found, list) else [found]
    messages = [m.strip() for t in texts if isinstance(t, str) for m in t.split(";") if m.strip()]
    return int(count), [_input_check(m) for m in messages] if count else []


def _input_check(message: str) -> str:
    """A check's message as a warning: "Inputs!C6: empty (input check)" when it starts with a cell."""
    where, separator, what = message.partition(": ")
    return f"{message} (input check)" if separator and "!" in where else f"input check: {message}"


def summary_outputs(reader: BookReader, values: dict[str, dict[str, Any]], ftxl_nodes: list[str]) -> dict[str, Any]:
    """The outputs a summary shows: names marked out_..., else every cell with an ftxl function."""
    marked = [n for n in reader.workbook.names if n.name.lower().startswith(OUTPUT_NAME_PREFIX)]
    if marked:
        return {n.name[len(OUTPUT_NAME_PREFIX) :]: _resolve(reader, values, n.formula) for n in marked}
    return {reader.where(key): _shows(reader, values, key) for key in ftxl_nodes}
