"""Comparing ftxl's recalculation with Excel's own answers: the cached values of a workbook Excel saved.

A workbook saved by Microsoft Excel holds Excel's result in every formula cell. `compare`
recomputes every formula of such a file (without writing anything) and sets each result
beside Excel's: equal (numbers to 1e-9 relative, text exactly, errors by code; a cell of a loop
of iterative calculation to within the workbook's largest change), or not equal, and then
whether ftxl warned about that cell.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftxl.errors import WorkbookError
from ftxl.recalc.engines import ModelCache
from ftxl.recalc.ooxml.package import Package, read_workbook
from ftxl.recalc.values import CellError
from ftxl.recalc.workbook import BookReader, _values_by_sheet


@dataclass
class Mismatch:
    where: str
    formula: str
    excel: Any
    ftxl: Any
    warned: bool
    by_formulas: bool = False


@dataclass
class Comparison:
    path: Path
    cells: int = 0
    equal: int = 0
    volatile: int = 0
    """Cells depending on a volatile function (RAND, TODAY...): Excel's value was that of its moment."""
    volatile_equal: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    equal_formulas: list[str] = field(default_factory=list)
    """The formula text of each cell that equals Excel."""
    equal_by_formulas: list[str] = field(default_factory=list)
    """The formula text of each cell the formulas engine computed that equals Excel."""
    error: str | None = None
    """An exception that is not a refusal: a bug."""
    refused: str | None = None
    """ftxl's reasoned refusal of the whole file (a circular reference, a damaged part)."""
    seconds: float = 0.0
    engine: str = ""

    @property
    def silent(self) -> list[Mismatch]:
        return [m for m in self.mismatches if not m.warned]


def same(excel: Any, ftxl: Any) -> bool:
    """Excel's cached value and ftxl's result agree: numbers to 1e-9 relative, text exactly, errors by code."""
    if excel is None:
        excel = ""  # Excel leaves <v> out for a formula that shows nothing
    if isinstance(excel, bool) or isinstance(ftxl, bool):
        return type(excel) is type(ftxl) and excel == ftxl
    if isinstance(excel, float) and isinstance(ftxl, float):
        return math.isclose(excel, ftxl, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(excel, CellError) and isinstance(ftxl, CellError):
        return excel.code == ftxl.code
    return type(excel) is type(ftxl) and excel == ftxl


def within_iteration(iteration: tuple[int, float] | None, excel: Any, ftxl: Any) -> bool:
    """Two numbers within the largest change of a workbook with iterative calculation on: how a cell of a loop
    equals Excel's, whose own result depends on where its last iteration started."""
    if iteration is None or not isinstance(excel, float) or not isinstance(ftxl, float):
        return False
    return abs(excel - ftxl) <= iteration[1]


def compare(path: Path) -> Comparison:
    """Recompute every formula of `path` in memory and compare each with Excel's cached value."""
    result = Comparison(path)
    start = time.perf_counter()
    try:
        with Package(path) as package:
            reader = BookReader(package, read_workbook(package))
            evaluation = ModelCache().evaluate(reader.book)
            values = _values_by_sheet(reader, evaluation)
            result.engine = evaluation.engine
            warned = evaluation.warned
            noted = {key for key, _ in evaluation.notes}
            formulas = {}
            for key, text in reader.book.formulas.items():
                sheet, rows = reader.placement[key]
                for row in rows:
                    for ref in row:
                        formulas[(sheet, ref)] = (key, text)
            for sheet in reader.sheets:
                cached = {cell.ref: cell.value for cell in sheet.cells}
                for ref, value in values[sheet.name].items():
                    key, text = formulas.get((sheet.name, ref), ("", "TABLE()"))  # no key: a data table's cell
                    if ref not in cached:
                        continue
                    result.cells += 1
                    moving = key in evaluation.volatile
                    result.volatile += moving
                    looped = reader.book.iteration if key in evaluation.looped else None
                    if same(cached[ref], value) or within_iteration(looped, cached[ref], value):
                        result.equal += 1
                        result.volatile_equal += moving
                        result.equal_formulas.append(text)
                        if key in evaluation.by_formulas:
                            result.equal_by_formulas.append(text)
                    else:
                        flagged = key in noted or key in warned
                        result.mismatches.append(
                            Mismatch(
                                f"{sheet.name}!{ref}", text, cached[ref], value, flagged, key in evaluation.by_formulas
                            )
                        )
    except WorkbookError as exc:
        result.refused = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported per file
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    return result
