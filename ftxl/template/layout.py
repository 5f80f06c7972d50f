"""Where everything sits in the template: every input row, label block and result row, fixed before a sheet is written.

The sheets refer to each other's cells (Results reads Inputs and Labels, Timeline and
Start read Results, the checks read Inputs), so the positions are planned here first, from
the content alone; the sheet writers only read them. Rows and columns are 0-based, as
XlsxWriter takes them; references are built with `inp`, `res` and `cell`.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ..analysis import COST_OVERRIDES, INPUTS
from ..costs import FEEDS
from . import cost_rows
from .content import OPTIONS, SCENARIOS, SECTIONS, inputs

SCENARIO_COLUMNS = (1, 2, 3)  # B, C, D
FUNCTION_SPELLINGS = {"classic": "{}", "lite": "_xldudf_{}"}
"""How a formula names an ftxl function: classic add-in (VBA) or xlwings Lite (Office.js)."""
LABEL_FIRST_ROW, LABEL_ROWS = 5, 10_000
"""Where pasted labels go on the Labels sheet (1-based first row) and how many rows are counted."""
LABEL_BLOCK_ROWS = {1: (2, 3), 2: (1, 1), 3: (3, 2)}
"""Scenario column -> rows of the counted block (1 share, 2 95% low, 3 95% high) that give the correct share and
the wrong-department share. Low is the pessimistic end, as for accuracies: the correct share at its lower bound,
the costlier wrong department at its upper bound (at most what the correct share leaves), the wrong subclass the
rest; High the other way round. So the correct share always stays inside its own interval."""
TIMELINE_POINTS = 50
TIMELINE_TABLE_ROW = 53
"""Row of the day-by-day table's header, below the two charts (with a row to spare: LibreOffice draws a chart a
little taller than its rows)."""
SCENARIO_PROBLEMS = {
    column: f"input_problems_{x.lower()}" for column, x in zip(SCENARIO_COLUMNS, SCENARIOS, strict=True)
}
"""Scenario column -> workbook name of the number of failed checks among that scenario's inputs."""
SCENARIO_TYPED = {column: f"inputs_typed_{x.lower()}" for column, x in zip(SCENARIO_COLUMNS, SCENARIOS, strict=True)}
"""Scenario column -> workbook name of the number of inputs typed in that scenario."""
CHECK_COLUMN = 7
"""Inputs column (H) of the checks' per-row problem counts (Low, Base, High, then what is wrong): right of the
printed area, on the row of the input they concern."""
RULE_COLUMN = 12
"""Inputs column (M) of the checks' rules table and totals."""
WHAT_IS_WRONG = xl_col_to_name(CHECK_COLUMN + 3)
"""The column letter of each input row's problems in words (K)."""
CHECKS_AT = f"Inputs, column {WHAT_IS_WRONG}"
"""Where a user finds what to fix, as the flags and the pages say it."""
FIX_INPUTS = (
    'IF(SUM(inputs_typed_low,inputs_typed_base,inputs_typed_high)=0,"Not started: "&inputs_missing&" inputs",'
    f'"Fix "&checks_problems&" problems: Inputs {WHAT_IS_WRONG}")'
)
"""What every decision cell says while a check fails: no verdict from broken inputs (short enough for a
Results column: "Not started: 22 inputs" in a fresh template, "Fix 3 problems: Inputs K" once typing began)."""
WHY_NO_CHART = (
    "IF(SUM(inputs_typed_low,inputs_typed_base,inputs_typed_high)=0,"
    '"not started, "&inputs_missing&" inputs to fill in (see Inputs)",'
    'IF(checks_problems>0,"drawn once the inputs pass their checks ("&checks_problems&'
    f'" problems: Inputs {WHAT_IS_WRONG})",'
    '"nothing to draw for these inputs (see this page)"))'
)
"""Why a chart has no data, as its title goes on (a chart cannot hide itself, so it says why it is empty)."""

ANALYSED = tuple(name for name in INPUTS if name not in COST_OVERRIDES)
"""The inputs the analysis moves: the tornado, switch values, simulation and the worst and best case."""
CASES = ("Worst case", "Base", "Best case")
"""The scenarios of the Results columns B, C, D: each input at the end of its range that, moved alone from
Base, hurts (helps) fine-tuning; Low / Base / High stay on Inputs as each input's range."""
CASE_KEYS = ("worst", "base", "best")
"""How the summary names spell the cases: out_decision_worst, out_npv_best ..."""
SCENARIO_FIRST_ROW = 4
"""Row of the first input on the Scenarios sheet."""
INPUTS_FIRST_ROW = 4
"""Row of the first section title on Inputs, below the column headers."""
RESULTS_FIRST_ROW = 4
"""Row of the first block title on Results, below the column headers."""
LABEL_BLOCK_SPACING = 6
SOURCES = ("typed", "Costs")
"""Where an Inputs row the cost builder can feed takes its value from (its From cell on Inputs)."""
COSTS_FIRST_ROW = 4
"""Row of the first section title on Costs, below the column headers."""
"""Rows from one option's counted block on Labels to the next."""


class Layout:
    """The template's positions for one runtime; `place_results` completes it with the result rows."""

    def __init__(self, runtime: str = "classic") -> None:
        self.spelling = FUNCTION_SPELLINGS[runtime]
        self.input_rows: dict[str, int] = {}
        """Input name -> its row on Inputs (Low, Base, High in the scenario columns)."""
        row = INPUTS_FIRST_ROW
        for section in SECTIONS:
            row += 1
            for item in section.inputs:
                self.input_rows[item.name] = row
                row += 1
            row += 1
        self.inputs_end = row
        """The row after the last section: where the Inputs page ends."""
        last = LABEL_FIRST_ROW + LABEL_ROWS - 1
        self.label_routes: dict[str, str] = {}
        """Option key -> absolute range of the routes pasted for it on Labels."""
        self.label_blocks: dict[str, str] = {}
        """Option key -> absolute range of its counted shares on Labels (share, low, high x 3 buckets)."""
        self.label_tops: dict[str, int] = {}
        """Option key -> row of its counted block's title on Labels."""
        for k, (key, _) in enumerate(OPTIONS):
            top = 3 + LABEL_BLOCK_SPACING * k
            column = "BCD"[k]
            self.label_tops[key] = top
            self.label_routes[key] = f"Labels!${column}${LABEL_FIRST_ROW}:${column}${last}"
            self.label_blocks[key] = f"Labels!$G${top + 3}:$I${top + 5}"
        self.scenario_rows: dict[str, int] = {}
        """Input name -> its row on Scenarios (Worst case, Base, Best case in the scenario columns): the analysis
        inputs first, then each option's all-in cost per event (from Results), then the other inputs."""
        names = [*ANALYSED, *COST_OVERRIDES, *(item.name for item in inputs() if item.name not in ANALYSED)]
        for offset, name in enumerate(names):
            self.scenario_rows[name] = SCENARIO_FIRST_ROW + offset
        self.feed_end = SCENARIO_FIRST_ROW + len(ANALYSED) + len(COST_OVERRIDES)
        """The row after the analysis inputs and costs per event: `feed_names` and `feed_worst` ... end above it."""
        self.cost_rows: dict[str, int] = {}
        """Costs row name -> its row on Costs; the feed block's rows are built_<input> and used_<input>."""
        row = COSTS_FIRST_ROW
        for _, cost_section in cost_rows.SECTIONS:
            row += 1
            for cost_row in cost_section:
                self.cost_rows[cost_row.name] = row
                row += 1
            row += 1
        row += 1
        for name in FEEDS:
            self.cost_rows[f"built_{name}"], self.cost_rows[f"used_{name}"] = row, row + 1
            row += 2
        self.costs_end = row
        """The row after the feed block: where the Costs page ends."""
        self.result_rows: dict[str, int] = {}
        """Result key -> its row on Results; filled by `place_results`."""
        self.results_end = RESULTS_FIRST_ROW

    def place_results(self, blocks: Iterable[tuple[str, Iterable[tuple[str, ...]]]]) -> None:
        """Give each result row of `blocks` (title, rows keyed by their first item) its row on Results:
        a title row, the rows, a blank row, block after block."""
        row = RESULTS_FIRST_ROW
        for _, rows in blocks:
            row += 1
            for key, *_ in rows:
                self.result_rows[key] = row
                row += 1
            row += 1
        self.results_end = row

    def fn(self, name: str, *args: str) -> str:
        """A call of an ftxl function, spelled for the target runtime."""
        return f"{self.spelling.format(name)}({','.join(args)})"

    def inp(self, name: str, column: int) -> str:
        """Reference to one scenario's cell of an input row."""
        return "Inputs!" + xl_rowcol_to_cell(self.input_rows[name], column)

    def res(self, key: str, column: int) -> str:
        """Reference (on Results) to one scenario's cell of a result row."""
        return xl_rowcol_to_cell(self.result_rows[key], column)

    def scen(self, name: str, column: int) -> str:
        """Reference to one case's value of an input (Worst case, Base, Best case), as Results reads it."""
        return "Scenarios!" + xl_rowcol_to_cell(self.scenario_rows[name], column)

    def cell(self, name: str, column: int) -> str:
        """Absolute reference to one scenario's cell of an input row."""
        return "Inputs!" + xl_rowcol_to_cell(self.input_rows[name], column, True, True)

    def value(self, name: str, column: int) -> str:
        """Reference to one scenario's value of an input as the model uses it: the Inputs cell, or for a row the
        cost builder can feed, its used cell on Costs (typed or built, as the row's From cell says)."""
        if name in FEEDS:
            return "Costs!" + xl_rowcol_to_cell(self.cost_rows[f"used_{name}"], column)
        return self.inp(name, column)

    def value_range(self, name: str) -> str:
        """Absolute reference to the Low:High values of an input as the model uses them (see `value`)."""
        if name in FEEDS:
            row = self.cost_rows[f"used_{name}"] + 1
            return f"Costs!$B${row}:$D${row}"
        return self.row_range(name)

    def row_range(self, name: str) -> str:
        """Absolute reference to the Low:High cells of an input row."""
        row = self.input_rows[name] + 1
        return f"Inputs!$B${row}:$D${row}"
