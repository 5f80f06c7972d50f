"""Excel tables (`xl/tables/tableN.xml`) and the structured references that name their parts.

A formula such as ``SUM(Sales[Amount])`` or ``Sales[[#This Row],[Q1]:[Q4]]`` reads a
part of a table by name. `resolve` rewrites each such reference into the A1 range it
stands for, seen from the formula's own cell, so that both engines read plain ranges.
A reference to a table or column the workbook does not have becomes #REF!, as in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.utils.cell import get_column_letter, range_boundaries

from ...errors import WorkbookError
from .package import MAIN_NS, Package, Workbook, _relationships

TABLE_TYPE = "/table"


@dataclass(frozen=True)
class Table:
    """One table: where it is and what its columns are called."""

    name: str
    sheet: str
    box: tuple[int, int, int, int]
    """(min column, min row, max column, max row) of the whole table, headers and totals included."""
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0


def read_tables(package: Package, workbook: Workbook) -> dict[str, Table]:
    """Every table of the workbook by its upper-cased name; a damaged table part is refused with the reason
    (a WorkbookError naming the part), never read as a guess."""
    tables: dict[str, Table] = {}
    for sheet, part in workbook.sheets.items():
        for target in _relationships(package, part).values():
            if not re.fullmatch(r"xl/tables/[^/]+\.xml", target) or target not in package.names:
                continue
            root = package.xml(target)
            ref = root.get("ref", "")
            name = root.get("displayName") or root.get("name") or ""
            if not name or not ref:
                continue
            table = _checked(
                target,
                name,
                sheet,
                ref,
                tuple(c.get("name", "") for c in root.iter(f"{{{MAIN_NS}}}tableColumn")),
                root.get("headerRowCount", "1") or "1",
                root.get("totalsRowCount", "0") or "0",
            )
            if name.upper() in tables:
                raise WorkbookError(
                    f"{target}: a second table named {name} (the first is on {tables[name.upper()].sheet}): "
                    "table names are unique in a workbook"
                )
            tables[name.upper()] = table
    return tables


def _checked(part: str, name: str, sheet: str, ref: str, columns: tuple[str, ...], headers: str, totals: str) -> Table:
    """A table from its part's attributes, each checked as Excel would have written it."""
    try:
        box = range_boundaries(ref)
    except (TypeError, ValueError):
        raise WorkbookError(f"{part}: the table {name} has the range {ref!r}, which is not a range of cells") from None
    if None in box:
        raise WorkbookError(f"{part}: the table {name} spans whole rows or columns ({ref})")
    min_col, min_row, max_col, max_row = box  # type: ignore[misc]
    if min_col > max_col or min_row > max_row:
        raise WorkbookError(f"{part}: the table {name} has a reversed range ({ref})")
    counts = []
    for label, text in (("headerRowCount", headers), ("totalsRowCount", totals)):
        if not text.isdigit() or int(text) > 1:
            raise WorkbookError(f"{part}: the table {name} has {label}={text!r}; Excel writes 0 or 1")
        counts.append(int(text))
    if len(columns) != max_col - min_col + 1:
        raise WorkbookError(
            f"{part}: the table {name} names {len(columns)} columns but its range {ref} is {max_col - min_col + 1} wide"
        )
    if max_row - min_row + 1 < sum(counts):
        raise WorkbookError(f"{part}: the table {name} ({ref}) has fewer rows than its header and totals")
    return Table(name, sheet, (min_col, min_row, max_col, max_row), columns, counts[0], counts[1])


STRUCTURED = re.compile(
    r"(?<![\w.!\]'])(?P<table>[A-Za-z_\\][\w.\\]*)\[(?P<spec>(?:[^\[\]\"]|\[(?:[^\[\]']|'.)*\])*)\]"
)
UNQUALIFIED = re.compile(r"(?<![\w.!\]'\\])\[(?!\d+\])(?P<spec>(?:[^\[\]\"']|'.|\[(?:[^\[\]']|'.)*\])*)\]")
"""A structured reference without a table name ([Column3], [@Sales]): the table the formula sits in."""
ITEM = re.compile(r"\[((?:[^\[\]']|'.)*)\]")
SPECIALS = {"#ALL", "#DATA", "#HEADERS", "#TOTALS", "#THIS ROW"}


def _unescape(column: str) -> str:
    return re.sub(r"'(.)", r"\1", column).strip()


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _part(table: Table, spec: str, row: int) -> str:
    """The A1 reference (with its sheet) of one structured reference, or #REF!."""
    spec = spec.strip()
    this_row = spec.startswith("@")
    if this_row:
        spec = spec[1:].strip()
    items = ITEM.findall(spec) if "[" in spec else ([spec] if spec else [])
    specials = {item.strip().upper() for item in items if item.strip().startswith("#")}
    names = [_unescape(item) for item in items if not item.strip().startswith("#")]
    if this_row or "#THIS ROW" in specials:
        specials.discard("#THIS ROW")
        this_row = True
    if specials - SPECIALS:
        return "#REF!"
    min_col, min_row, max_col, max_row = table.box
    first_data, last_data = min_row + table.header_rows, max_row - table.totals_rows
    if this_row:
        if not first_data <= row <= last_data:
            return "#VALUE!"
        top = bottom = row
    elif not specials or specials == {"#DATA"}:
        top, bottom = first_data, last_data
    elif specials == {"#ALL"}:
        top, bottom = min_row, max_row
    elif specials == {"#HEADERS"}:
        if not table.header_rows:
            return "#REF!"
        top = bottom = min_row
    elif specials == {"#TOTALS"}:
        if not table.totals_rows:
            return "#REF!"
        top = bottom = max_row
    elif specials == {"#HEADERS", "#DATA"}:
        top, bottom = min_row, last_data
    elif specials == {"#DATA", "#TOTALS"}:
        top, bottom = first_data, max_row
    else:
        return "#REF!"
    upper = [c.strip().upper() for c in table.columns]
    if names:
        try:
            positions = [upper.index(name.upper()) for name in names]
        except ValueError:
            return "#REF!"
        left, right = min_col + min(positions), min_col + max(positions)
    else:
        left, right = min_col, max_col
    start, end = f"${get_column_letter(left)}${top}", f"${get_column_letter(right)}${bottom}"
    return f"{_quoted(table.sheet)}!{start}" + (f":{end}" if (start != end) else "")


def resolve(formula: str, tables: dict[str, Table], row: int, sheet: str = "", column: int = 0) -> str:
    """`formula` with every structured reference to a known table written as the range it stands for,
    read from a cell in `row` (for #This Row and @); one without a table name ([Column3] in a totals row)
    is read in the table holding the cell (`sheet`, `row`, `column`)."""
    if "[" not in formula or not tables:
        return formula
    home = next(
        (
            table
            for table in tables.values()
            if table.sheet == sheet and table.box[0] <= column <= table.box[2] and table.box[1] <= row <= table.box[3]
        ),
        None,
    )
    parts = re.split(r'("(?:[^"]|"")*")', formula)  # text literals stay as they are
    for k in range(0, len(parts), 2):
        parts[k] = STRUCTURED.sub(
            lambda m: (
                _part(tables[m.group("table").upper()], m.group("spec"), row)
                if m.group("table").upper() in tables
                else m.group(0)
            ),
            parts[k],
        )
        if home is not None:
            parts[k] = UNQUALIFIED.sub(lambda m: _part(home, m.group("spec"), row), parts[k])
    return "".join(parts)
