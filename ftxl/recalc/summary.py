"""One row per recalculated workbook with its key outputs, as CSV, .xlsx or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import WorkbookError
from .atomic import write_atomically
from .values import CellError
from .workbook import FileResult

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""Text starting with these would run as a formula when the CSV is opened in a spreadsheet (OWASP's list,
widened to a newline and the fullwidth signs that spreadsheets also read as formula starts)."""
FORMATS = (".csv", ".xlsx", ".json")


def plain(value: Any) -> Any:
    """An output as JSON and spreadsheets take it: error values as their text, lists element-wise."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def rows(results: Sequence[FileResult]) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and one row per workbook; a range output becomes one column per cell. An output that is an
    error value (#NUM!, #N/A) leaves its cell empty and is named in the row's `errors` column instead, so that
    a column of figures holds figures only."""
    columns = ["workbook", "status", "cells", "warnings", "checks", "errors"]
    table = []
    for result in results:
        row: dict[str, Any] = {
            "workbook": str(result.source),
            "status": "ok" if result.ok else f"failed: {result.error}",
            "cells": result.cells,
            "warnings": len(result.warnings),
            "checks": result.checks,
            "errors": None,
        }
        errors = []
        for label, value in result.outputs.items():
            cells = (
                {f"{label} ({i})": v for i, v in enumerate(value, start=1)}
                if isinstance(value, list)
                else {label: value}
            )
            for name, cell in cells.items():
                if isinstance(cell, CellError):
                    errors.append(f"{name}: {cell.code}")
                    cell = None
                row[name] = plain(cell)
        row["errors"] = "; ".join(errors) or None
        for key in row:
            if key not in columns:
                columns.append(key)
        table.append(row)
    return columns, table


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, made inert with a leading apostrophe.

    Leading whitespace does not protect: ``" =1+1"`` and ``"\n=1+1"`` are neutralised too.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS)):
        return "'" + value
    return value


def check_path(path: Path) -> None:
    """Refuse a summary path ftxl cannot write, before any work: its format and its folder."""
    if path.suffix.lower() not in FORMATS:
        raise WorkbookError(f"--summary {path}: unknown format {path.suffix!r}; use .csv, .xlsx or .json")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"--summary {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise WorkbookError(f"--summary {path}: the folder {folder} is not writable")


def to_csv(columns: list[str], table: list[dict[str, Any]]) -> str:
    """The summary as CSV text, formula-like text neutralised, numbers as Excel shows them at full precision
    (15 significant digits: 0.155, not 0.15500000000000014)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[neutralise(c) for c in columns], extrasaction="ignore")
    writer.writeheader()
    for row in table:
        writer.writerow({neutralise(k): _excel_number(neutralise(v)) for k, v in row.items()})
    return buffer.getvalue()


def _excel_number(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.15g}"
    return value


def to_json(columns: list[str], table: list[dict[str, Any]]) -> str:
    """The summary as a JSON list of objects."""
    return json.dumps([{c: row.get(c) for c in columns} for row in table], indent=2)


def write(path: Path, columns: list[str], table: list[dict[str, Any]]) -> None:
    """Write the summary to `path` atomically; the suffix (.csv, .xlsx, .json) picks the format."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = to_csv(columns, table).encode("utf-8")
    elif suffix == ".json":
        data = to_json(columns, table).encode("utf-8")
    elif suffix == ".xlsx":
        data = _xlsx_bytes(columns, table)
    else:
        raise ValueError(f"unknown summary format {suffix!r}: use .csv, .xlsx or .json")
    write_atomically(path, lambda handle: handle.write(data))


def _xlsx_bytes(columns: list[str], table: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Summary")

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # openpyxl would store text starting with "=" as a live formula
        return text

    sheet.append([cell(c) for c in columns])
    for row in table:
        sheet.append([cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
