"""`ftxl recalc`: compute every formula of saved workbooks without Excel, write back only the values.

The path of one workbook:

1. `ooxml.package` opens the zip, checks it (sizes, well-formed XML, no symlinks, one part per
   name) and reads the workbook-level parts; `ooxml.worksheet` scans each sheet's cells.
2. `workbook.BookReader` turns them into a `book.BookCells`: formula texts and input values by
   node id (`formula_text`), large input ranges as blocks.
3. `engines.ModelCache` compiles those formulas once per set of formulas (`plain`, the plain
   engine; `formulas_fallback` only for workbooks it does not cover) and evaluates them to an
   `book.Evaluation`.
4. `workbook.recalculate` patches the computed values into the sheet parts (`ooxml.worksheet.patch`,
   every other byte kept), refreshes chart caches (`ooxml.charts`) and replaces the file atomically
   (`atomic`). `batch` runs many files in worker processes; `summary` tabulates their results.

Below all of them: `values` (Excel's value model and rules) and `formula_text` (node ids, ftxl's
spellings, references). The names exported here are loaded on first use, so that reading a label
log through `ooxml` does not import the engines.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engines import ModelCache
    from .workbook import BookReader, FileResult, recalculate

__all__ = ["BookReader", "FileResult", "ModelCache", "recalculate"]

_HOMES = {"BookReader": "workbook", "FileResult": "workbook", "recalculate": "workbook", "ModelCache": "engines"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
