"""The Low / Base / High ranges of a filled ftxl template, read for `ftxl.analysis` (openpyxl, no Excel).

Each input row of the template is a workbook-scope name over its three cells (`events_per_day` ->
Inputs!$B$6:$D$6). Rows the analysis does not model yet are refused when they are filled: bucket
shares typed directly or counted from labels, and typed costs per bucket (the analysis works from
accuracies and days of delay), so that it never answers for a workbook it reads differently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis import INPUTS, LAYER2_INPUTS, OPTIONAL_INPUTS, TIME_INPUTS
from ..errors import WorkbookError

NOT_MODELLED = ("_typed",)
"""Input rows whose values the analysis does not use: if any is filled, the workbook is refused."""


def template_ranges(path: Path, name: str | None = None) -> dict[str, tuple[float, float, float]]:
    """Input name -> (Low, Base, High) from the named rows of a template workbook (`name`: the workbook the user
    gave, when `path` is ftxl's computed copy of it)."""
    shown = name or path.name
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise WorkbookError(f"cannot read {shown}: {exc}") from None
    names = book.defined_names
    ranges: dict[str, tuple[float, float, float]] = {}
    for name in list(names):
        if name in INPUTS or name.endswith(NOT_MODELLED) or name.endswith("_shares_from"):
            values = named_values(book, name, 3, shown)
            if f"used_{name}" in names:  # a row the cost builder can feed: what the model uses, typed or built
                values = named_values(book, f"used_{name}", 3, shown)
            if name.endswith(NOT_MODELLED):
                if any(v is not None for v in values):
                    raise WorkbookError(f"{name} is filled in: the analysis works from accuracies and delay costs")
                continue
            if name.endswith("_shares_from"):
                if any(v == "labels" for v in values):
                    raise WorkbookError(f"{name} says labels: the analysis works from accuracies only, for now")
                continue
            if name in LAYER2_INPUTS and all(v in (None, 0) for v in values):
                continue  # a second-layer row left empty: off, as if the workbook had no such row
            if name in TIME_INPUTS or name in LAYER2_INPUTS:  # empty counts as 0, as on the Inputs sheet
                values = [0.0 if v is None else v for v in values]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise WorkbookError(f"{name} needs a number in Low, Base and High (it holds {values})")
            ranges[name] = (float(values[0]), float(values[1]), float(values[2]))
    missing = [name for name in INPUTS if name not in ranges and name not in OPTIONAL_INPUTS]
    if missing:
        raise WorkbookError(f"{shown} has no input named {missing[0]}: is it an ftxl template?")
    return ranges


def named_values(book: Any, name: str, count: int, shown: str) -> list[Any]:
    """The values of the workbook-scope name `name`, which must be one area of `count` cells on a sheet that
    exists: checked before a cell is read, so a damaged name (two areas, a whole sheet, a missing sheet) is a
    refusal naming it, never a traceback or a billion cells built."""
    from openpyxl.utils.cell import range_boundaries

    defined = book.defined_names.get(name)
    if defined is None:
        raise WorkbookError(f"{shown} has no name {name}: is it an ftxl template?")
    try:
        destinations = list(defined.destinations)
    except Exception:  # a formula or a constant, not a reference
        destinations = []
    if len(destinations) != 1:
        raise WorkbookError(f"{shown}: the name {name} must point to one range of {count} cells ({defined.attr_text})")
    sheet, ref = destinations[0]
    if sheet not in book.sheetnames:
        raise WorkbookError(f"{shown}: the name {name} points to a sheet {sheet!r} that does not exist")
    try:
        first_column, first_row, last_column, last_row = range_boundaries(ref.replace("$", ""))
    except (TypeError, ValueError):
        raise WorkbookError(f"{shown}: the name {name} points to {ref}, not a range of cells") from None
    if None in (first_column, first_row, last_column, last_row):
        raise WorkbookError(f"{shown}: the name {name} spans whole rows or columns ({ref}); it must hold {count} cells")
    cells = (last_column - first_column + 1) * (last_row - first_row + 1)  # type: ignore[operator]
    if cells != count:
        raise WorkbookError(f"{shown}: the name {name} holds {cells:,} cells ({ref}); the template has {count} there")
    rows = book[sheet].iter_rows(
        min_row=first_row, max_row=last_row, min_col=first_column, max_col=last_column, values_only=True
    )
    return [value for row in rows for value in row]


def template_questions(path: Path, name: str | None = None) -> dict[str, tuple[str, float | None]]:
    """Input name -> (the status of the question that feeds it, what measuring it costs in euros or None), from
    a template's Questions sheet (columns F and G)."""
    import openpyxl

    from .content import QUESTIONS

    shown = name or path.name
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        if "Questions" not in book.sheetnames:
            raise WorkbookError(f"{shown} has no Questions sheet: is it an ftxl template?")
        rows = list(book["Questions"].iter_rows(min_row=4, max_row=3 + len(QUESTIONS), values_only=True))
    finally:
        book.close()
    found: dict[str, tuple[str, float | None]] = {}
    for (_, _, feeds), row in zip(QUESTIONS, rows, strict=False):
        if feeds is None or feeds in found:
            continue
        status = row[5] if len(row) > 5 and isinstance(row[5], str) and row[5] else "missing"
        cost = row[6] if len(row) > 6 and isinstance(row[6], (int, float)) and not isinstance(row[6], bool) else None
        found[feeds] = (status, None if cost is None else float(cost))
    return found
