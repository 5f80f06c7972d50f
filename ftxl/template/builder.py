"""Writing the template: one workbook, its layout planned first, then each sheet in turn.

Written with XlsxWriter; every number it shows is a formula (ftxl's Excel functions
where the model has one, plain Excel for the rest). The cached values are filled in
afterwards by `ftxl recalc`, so the file shows the right numbers before the add-in loads.
Layout: one column per scenario (Low, Base, High) on Inputs and Results alike, so that a
Results cell in column C reads the Inputs of column C.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..cell_functions import computed_by
from ..recalc import FileResult, ModelCache, recalculate
from . import checks, costs, inputs, labels, questions, results, scenarios, sensitivity, start, timeline
from .layout import Layout
from .page import Page, Styles

CURRENT_CALC_ID = 191029
"""Excel 365's calculation engine id: an older id makes Excel recalculate everything on open,
which turns ftxl's cells into #NAME? where the add-in is not loaded."""
BUILT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
"""Fixed creation date, so that building twice gives the same file."""
SHEETS = (
    "Start",
    "Inputs",
    "Costs",
    "Results",
    "Sensitivity",
    "Scenarios",
    "Timeline",
    "Questions",
    "Labels",
)
"""The sheets in the order a reader meets them (xlwings.conf, hidden, comes last); the checks on the inputs
sit on Inputs, right of what prints."""
WRITERS = (
    inputs.write_inputs,
    costs.write_costs,
    labels.write_labels,
    results.write_results,
    sensitivity.write_sensitivity,
    scenarios.write_scenarios,
    timeline.write_timeline,
    questions.write_questions,
    checks.write_checks,
    start.write_start,
)
"""Sheet writers in the order they add charts and formats (which fixes the bytes of the file)."""


def build_template(path: Path, example: bool = True, runtime: str = "classic") -> None:
    """Write the template to `path` (its formulas' cached values still to be computed by recalc);
    `example` fills the inputs with the insurance example."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_calc_mode("auto", calc_id=CURRENT_CALC_ID)
    book.calc_on_load = False  # XlsxWriter sets fullCalcOnLoad; Excel without the add-in would show #NAME?
    book.set_properties(
        {"title": "ftxl: fine-tune or prompt?", "comments": f"Built by ftxl {__version__}", "created": BUILT}
    )
    layout = Layout(runtime)
    layout.place_results(results.result_blocks(layout))
    page = Page(book, Styles(book), layout, example, {name: book.add_worksheet(name) for name in SHEETS})
    conf = book.add_worksheet("xlwings.conf")
    for write in WRITERS:
        write(page)
    conf.write("A1", "UDF Modules")
    conf.write("B1", "ftxl.excel_functions")
    conf.hide()  # settings for the add-in, not a page to print (xlwings finds it by name all the same)
    page.sheets["Start"].activate()
    book.close()


def write_template(path: Path, example: bool = True, runtime: str = "classic") -> FileResult:
    """Build the template and compute every cached value, replacing `path` atomically."""
    with tempfile.TemporaryDirectory(prefix=".ftxl-template-", dir=path.parent) as folder:
        draft = Path(folder) / path.name
        build_template(draft, example, runtime)
        with computed_by("ftxl template when this file was made (not yet recalculated)"):
            return recalculate(draft, path, ModelCache())
