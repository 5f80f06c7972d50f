"""The template workbook: Start, Inputs, Results, Timeline, Questions, Checks and xlwings.conf.

Written with XlsxWriter; every number it shows is a formula (ftxl's Excel functions
where the model has one, plain Excel for the rest). The cached values are filled in
afterwards by `ftxl recalc`, so the file shows the right numbers before the add-in loads.
Layout: one column per scenario (Low, Base, High) on Inputs and Results alike, so that a
Results cell in column C reads the Inputs of column C.
"""

from __future__ import annotations

import datetime
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..model import VERDICTS
from ..recalc.engines import ModelCache
from ..recalc.workbook import FileResult, recalculate
from .content import (
    EXAMPLE,
    EXAMPLE_ANSWERS,
    LABEL_SOURCES,
    OPTIONS,
    QUESTIONS,
    SCENARIOS,
    SECTIONS,
    Input,
    example_label_log,
    inputs,
)

SCENARIO_COLUMNS = (1, 2, 3)  # B, C, D
CURRENT_CALC_ID = 191029
"""Excel 365's calculation engine id: an older id makes Excel recalculate everything on open,
which turns ftxl's cells into #NAME? where the add-in is not loaded."""
FUNCTION_SPELLINGS = {"classic": "{}", "lite": "_xldudf_{}"}
"""How a formula names an ftxl function: classic add-in (VBA) or xlwings Lite (Office.js)."""
BUILT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
"""Fixed creation date, so that building twice gives the same file."""
TIMELINE_POINTS = 100
LABEL_FIRST_ROW, LABEL_ROWS = 5, 10_000
"""Where pasted labels go on the Labels sheet (1-based first row) and how many rows are counted."""
LABEL_BLOCK_ROWS = {1: (2, 3), 2: (1, 1), 3: (3, 2)}
"""Scenario column -> rows of the counted block (1 share, 2 95% low, 3 95% high) that give the correct share and
the wrong-department share. Low is the pessimistic end, as for accuracies: the correct share at its lower bound,
the costlier wrong department at its upper bound (at most what the correct share leaves), the wrong subclass the
rest; High the other way round. So the correct share always stays inside its own interval."""
TIMELINE_TABLE_ROW = 51
"""Row of the day-by-day table's header, below the two charts."""
INPUT_FILL, INPUT_FONT = "#FFF2CC", "#0000FF"
FORMATS = {
    "count": "#,##0",
    "days": "#,##0.##",
    "seconds": "#,##0.#",
    "money": "€#,##0.00",
    "money_per_event": "€#,##0.0000",
    "share": "0.0%",
    "money_big": "€#,##0",
}
SCENARIO_PROBLEMS = {
    column: f"input_problems_{x.lower()}" for column, x in zip(SCENARIO_COLUMNS, SCENARIOS, strict=True)
}
"""Scenario column -> workbook name of the number of failed checks among that scenario's inputs."""
SCENARIO_TYPED = {column: f"inputs_typed_{x.lower()}" for column, x in zip(SCENARIO_COLUMNS, SCENARIOS, strict=True)}
"""Scenario column -> workbook name of the number of inputs typed in that scenario."""
FIX_INPUTS = '"Fix inputs: "&checks_problems&" problem(s), see Checks"'
"""What every decision cell says while a check fails: no verdict from broken inputs."""


@dataclass
class _Styles:
    book: Workbook
    cache: dict[tuple[str, bool], Any] = field(default_factory=dict)

    def get(self, kind: str, input_cell: bool = False, wrap: bool = False) -> Any:
        key = (kind + (":wrap" if wrap else ""), input_cell)
        if key not in self.cache:
            spec: dict[str, Any] = {"num_format": FORMATS.get(kind, "General"), "border": 1, "border_color": "#D9D9D9"}
            if input_cell:
                spec |= {"font_color": INPUT_FONT, "bg_color": INPUT_FILL, "locked": False}
            if wrap:
                spec |= {"text_wrap": True, "valign": "top"}
            self.cache[key] = self.book.add_format(spec)
        return self.cache[key]

    def text(self, **spec: Any) -> Any:
        key = ("text:" + repr(sorted(spec.items())), False)
        if key not in self.cache:
            self.cache[key] = self.book.add_format({"text_wrap": True, "valign": "top", **spec})
        return self.cache[key]


class TemplateBuilder:
    """Writes the template to one file; `example` fills the inputs with the insurance example."""

    def __init__(self, path: Path, example: bool, runtime: str = "classic") -> None:
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
        self.book.set_calc_mode("auto", calc_id=CURRENT_CALC_ID)
        self.book.calc_on_load = False  # XlsxWriter sets fullCalcOnLoad; Excel without the add-in would show #NAME?
        self.book.set_properties(
            {"title": "ftxl: fine-tune or prompt?", "comments": f"Built by ftxl {__version__}", "created": BUILT}
        )
        self.styles = _Styles(self.book)
        self.example = example
        self.spelling = FUNCTION_SPELLINGS[runtime]
        self.input_rows: dict[str, int] = {}
        self.label_routes: dict[str, str] = {}
        """Option key -> absolute range of the routes pasted for it on Labels."""
        self.label_blocks: dict[str, str] = {}
        """Option key -> absolute range of its counted shares on Labels (share, low, high x 3 buckets)."""
        self.result_rows: dict[str, int] = {}
        self.sheets = {
            name: self.book.add_worksheet(name)
            for name in ("Start", "Inputs", "Results", "Timeline", "Questions", "Labels", "Checks")
        }
        self.conf = self.book.add_worksheet("xlwings.conf")

    def fn(self, name: str, *args: str) -> str:
        """A call of an ftxl function, spelled for the target runtime."""
        return f"{self.spelling.format(name)}({','.join(args)})"

    def build(self) -> None:
        """Write every sheet and close the file."""
        self._inputs()
        self._labels()
        self._results()
        self._timeline()
        self._questions()
        self._checks()
        self._start()
        self.conf.write("A1", "UDF Modules")
        self.conf.write("B1", "ftxl.excel_functions")
        self.conf.hide()  # settings for the add-in, not a page to print (xlwings finds it by name all the same)
        self.sheets["Start"].activate()
        self.book.close()

    # --- Inputs ----------------------------------------------------------------------------

    def _inputs(self) -> None:
        sheet, s = self.sheets["Inputs"], self.styles
        sheet.set_column(0, 0, 58)
        sheet.set_column(1, 3, 14)
        sheet.set_column(4, 4, 95)
        self._title(sheet, "Inputs: type in the blue cells")
        sheet.write("A2", "Input checks", s.text(bold=True))
        self._flag(sheet, "B2")
        sheet.write_row(3, 0, ["Input (unit)", *SCENARIOS, "What it means"], s.text(bold=True, bottom=2))
        row = 4
        for section in SECTIONS:
            sheet.write(row, 0, section.title, s.text(bold=True, bg_color="#DDEBF7"))
            row += 1
            for item in section.inputs:
                self.input_rows[item.name] = row
                sheet.write(row, 0, item.label, s.text(text_wrap=False))
                values = EXAMPLE.get(item.name) if self.example else None
                for k, column in enumerate(SCENARIO_COLUMNS):
                    if values is None:
                        sheet.write_blank(row, column, None, s.get(item.kind, input_cell=True))
                    else:
                        sheet.write(row, column, values[k], s.get(item.kind, input_cell=True))
                sheet.write(row, 4, item.help, s.text(font_color="#595959", text_wrap=False))
                self._validate(sheet, row, item.kind, item.label, item.help, item.optional)
                if item.comment:
                    sheet.write_comment(row, SCENARIO_COLUMNS[1], item.comment, {"x_scale": 2})
                first, last = xl_rowcol_to_cell(row, 1, True, True), xl_rowcol_to_cell(row, 3, True, True)
                self.book.define_name(item.name, f"=Inputs!{first}:{last}")
                row += 1
            row += 1
        sheet.freeze_panes(4, 1)
        self._protect(sheet, format_columns=True)
        self._print_setup(sheet, f"A1:E{row}")

    def _validate(self, sheet: Worksheet, row: int, kind: str, title: str, help_text: str, optional: bool) -> None:
        rule: dict[str, Any] = {"validate": "decimal", "ignore_blank": optional}
        if kind == "switch":
            rule = {"validate": "list", "source": list(LABEL_SOURCES), "error_message": "Choose accuracies or labels."}
        elif kind == "share":
            rule |= {
                "criteria": "between",
                "minimum": 0,
                "maximum": 1,
                "error_message": "Type a share between 0% and 100%.",
            }
        elif kind in ("count", "days") and not optional:
            rule |= {"criteria": ">", "value": 0, "error_message": "Type a number above 0."}
        else:
            rule |= {"criteria": ">=", "value": 0, "error_message": "Type a number of 0 or more."}
        rule |= {"input_title": title[:32], "input_message": help_text[:255], "error_title": "ftxl input"}
        sheet.data_validation(row, 1, row, 3, rule)

    def inp(self, name: str, column: int) -> str:
        """Reference to one scenario's cell of an input row."""
        return "Inputs!" + xl_rowcol_to_cell(self.input_rows[name], column)

    # --- Labels ----------------------------------------------------------------------------

    def _labels(self) -> None:
        sheet, s = self.sheets["Labels"], self.styles
        sheet.set_column(0, 3, 30, s.get("text", input_cell=True))
        sheet.set_column(4, 4, 12, s.get("count", input_cell=True))
        sheet.set_column(5, 5, 36)
        sheet.set_column(6, 8, 16)
        sheet.write(
            "A1", "Labels: paste a routing log to count the buckets", s.text(bold=True, font_size=14, text_wrap=False)
        )
        sheet.write(
            "A2",
            f"One event per row from row {LABEL_FIRST_ROW}, up to {LABEL_ROWS:,} rows; case and spaces are ignored.",
            s.text(text_wrap=False),
        )
        headers = [
            "True route (where it belonged)",
            *(f"Routed by: {title}" for _, title in OPTIONS),
            "Weight (optional)",
        ]
        sheet.write_row(LABEL_FIRST_ROW - 2, 0, headers, s.text(bold=True, bottom=2))
        if self.example:
            for k, (true, routed) in enumerate(example_label_log()):
                sheet.write_string(LABEL_FIRST_ROW - 1 + k, 0, true, s.get("text", input_cell=True))
                sheet.write_string(LABEL_FIRST_ROW - 1 + k, 1, routed, s.get("text", input_cell=True))
        last = LABEL_FIRST_ROW + LABEL_ROWS - 1
        sheet.write("F2", "Separator between department and subclass", s.text(text_wrap=False))
        sheet.write_string("G2", "/", s.get("text", input_cell=True))
        self.book.define_name("label_separator", "=Labels!$G$2")
        true_range = f"$A${LABEL_FIRST_ROW}:$A${last}"
        weights = f"$E${LABEL_FIRST_ROW}:$E${last}"
        for k, (key, title) in enumerate(OPTIONS):
            top = 3 + 6 * k  # 0-based row of the block's title
            column = "BCD"[k]
            routed = f"${column}${LABEL_FIRST_ROW}:${column}${last}"
            sheet.write(top, 5, f"{title}: counted from the log", s.text(bold=True, text_wrap=False))
            sheet.write_row(
                top + 1, 5, ["", "Correct", "Wrong subclass", "Wrong department"], s.text(bold=True, bottom=2)
            )
            for j, label in enumerate(("Share", "95% low", "95% high")):
                sheet.write(top + 2 + j, 5, label, s.text())
            block = f"$G${top + 3}:$I${top + 5}"
            formula = (
                f'{{=IF(COUNTA({routed})=0,"no labels yet",'
                f"{self.fn('ROUTE_BUCKETS', true_range, routed, 'label_separator', weights, 'TRUE')})}}"
            )
            sheet.write_array_formula(f"G{top + 3}:I{top + 5}", formula, s.get("share"))
            self.label_blocks[key] = f"Labels!{block}"
            self.label_routes[key] = f"Labels!{routed}"
        self.book.define_name("label_true_routes", f"=Labels!{true_range}")
        sheet.freeze_panes(LABEL_FIRST_ROW - 1, 0)
        self._protect(sheet, format_columns=True)
        self._print_setup(sheet, f"A1:I{3 + 6 * len(OPTIONS)}")

    # --- Results ---------------------------------------------------------------------------

    def _results(self) -> None:
        sheet, s = self.sheets["Results"], self.styles
        sheet.set_column(0, 0, 58)
        sheet.set_column(1, 3, 22)
        self._title(sheet, "Results: computed, nothing to type here")
        sheet.write("A2", "Input checks", s.text(bold=True))
        self._flag(sheet, "B2")
        sheet.write_row(3, 0, ["Figure (unit)", *SCENARIOS], s.text(bold=True, bottom=2))
        blocks = self._result_blocks()
        row = 4
        for _, rows in blocks:  # rows first: a formula may point at a row further down its block
            row += 1
            for key, *_ in rows:
                self.result_rows[key] = row
                row += 1
            row += 1
        for title, rows in blocks:
            sheet.write(self.result_rows[rows[0][0]] - 1, 0, title, s.text(bold=True, bg_color="#DDEBF7"))
            for key, label, kind, formula in rows:
                sheet.write(self.result_rows[key], 0, label, s.text(text_wrap=False))
                for column in SCENARIO_COLUMNS:
                    text = formula(column) if kind == "text" else self._guarded(formula(column), column)
                    sheet.write_formula(self.result_rows[key], column, "=" + text, s.get(kind))
        sheet.freeze_panes(4, 1)
        self._protect(sheet, format_columns=True)
        self._print_setup(sheet, f"A1:D{row}", one_page=True)
        self._define_outputs()

    @staticmethod
    def _guarded(formula: str, column: int) -> str:
        """A numeric result that shows #N/A while an input of its scenario fails a check (empty while the
        scenario has no input typed at all, as in the blank template)."""
        typed = SCENARIO_TYPED[column]
        return f'IF({SCENARIO_PROBLEMS[column]}>0,IF({typed}=0,"",NA()),{formula})'

    def res(self, key: str, column: int) -> str:
        """Reference to one scenario's cell of a result row (defined before this call)."""
        return xl_rowcol_to_cell(self.result_rows[key], column)

    def _result_blocks(self) -> list[tuple[str, list[tuple[str, str, str, Any]]]]:
        i, r, fn = self.inp, self.res, self.fn
        blocks: list[tuple[str, list[tuple[str, str, str, Any]]]] = []
        blocks.append(
            (
                "Cost of one error, by bucket",
                [
                    (
                        "cost_wrong_subclass",
                        "EUR per event in the wrong subclass",
                        "money",
                        lambda c: (
                            f"IF(ISNUMBER({i('cost_wrong_subclass_typed', c)}),{i('cost_wrong_subclass_typed', c)},"
                            f"{i('delay_cost_per_day', c)}*{i('days_lost_wrong_subclass', c)})"
                        ),
                    ),
                    (
                        "cost_wrong_department",
                        "EUR per event in the wrong department",
                        "money",
                        lambda c: (
                            f"IF(ISNUMBER({i('cost_wrong_department_typed', c)}),{i('cost_wrong_department_typed', c)},"
                            f"{i('delay_cost_per_day', c)}*{i('days_lost_wrong_department', c)})"
                        ),
                    ),
                ],
            )
        )
        for key, title in OPTIONS:
            blocks.append((f"{title}: cost per event", self._option_rows(key)))
        n = lambda c: f"({i('events_per_day', c)}*{i('horizon_days', c)})"  # noqa: E731
        cp = lambda c: r("prompted_cost_per_event", c)  # noqa: E731
        cft = lambda c: r("finetuned_cost_per_event", c)  # noqa: E731
        ch = lambda c: r("human_cost_per_event", c)  # noqa: E731
        blocks.append(
            (
                "Savings",
                [
                    ("events_over_horizon", "Events over the horizon (events)", "count", lambda c: n(c)[1:-1]),
                    (
                        "saving_prompted_vs_human",
                        "Prompted model vs human process (EUR per day)",
                        "money_big",
                        lambda c: f"({ch(c)}-{cp(c)})*{i('events_per_day', c)}",
                    ),
                    (
                        "saving_finetuned_vs_human",
                        "Fine-tuned model vs human process (EUR per day)",
                        "money_big",
                        lambda c: f"({ch(c)}-{cft(c)})*{i('events_per_day', c)}",
                    ),
                    (
                        "saving_per_event",
                        "Fine-tuned vs prompted (EUR per event)",
                        "money_per_event",
                        lambda c: f"{cp(c)}-{cft(c)}",
                    ),
                    (
                        "saving_per_day",
                        "Fine-tuned vs prompted (EUR per day)",
                        "money_big",
                        lambda c: f"{r('saving_per_event', c)}*{i('events_per_day', c)}",
                    ),
                ],
            )
        )
        blocks.append(
            (
                "Fine-tuning economics (fine-tuned vs prompted)",
                [
                    (
                        "breakeven_days",
                        "Break-even (days; #NUM! = never)",
                        "days",
                        lambda c: fn("BREAKEVEN_DAYS", i("investment", c), i("events_per_day", c), cp(c), cft(c)),
                    ),
                    (
                        "net_savings",
                        "Net savings at the horizon (EUR)",
                        "money_big",
                        lambda c: fn("NET_SAVINGS", r("events_over_horizon", c), cp(c), cft(c), i("investment", c)),
                    ),
                    (
                        "max_ft_investment",
                        "Largest investment the savings justify (EUR)",
                        "money_big",
                        lambda c: fn("MAX_FT_INVESTMENT", r("events_over_horizon", c), cp(c), cft(c)),
                    ),
                    (
                        "max_cost_premium",
                        "Largest inference premium allowed (EUR per event)",
                        "money_per_event",
                        lambda c: fn(
                            "MAX_COST_PREMIUM",
                            r("prompted_error_cost", c),
                            r("finetuned_error_cost", c),
                            i("investment", c),
                            r("events_over_horizon", c),
                            r("prompted_review_cost", c),
                            r("finetuned_review_cost", c),
                        ),
                    ),
                    (
                        "max_finetuned_unit_cost",
                        "Largest fine-tuned inference cost allowed (EUR per event)",
                        "money_per_event",
                        lambda c: f"{i('prompted_unit_cost', c)}+{r('max_cost_premium', c)}",
                    ),
                    (
                        "max_investment_same_unit_cost",
                        "Largest investment if both models cost the same to run (EUR)",
                        "money_big",
                        lambda c: fn(
                            "MAX_FT_INVESTMENT",
                            r("events_over_horizon", c),
                            f"{r('prompted_error_cost', c)}+{r('prompted_review_cost', c)}",
                            f"{r('finetuned_error_cost', c)}+{r('finetuned_review_cost', c)}",
                        ),
                    ),
                    (
                        "actual_cost_premium",
                        "Actual inference premium (EUR per event)",
                        "money_per_event",
                        lambda c: f"{i('finetuned_unit_cost', c)}-{i('prompted_unit_cost', c)}",
                    ),
                    (
                        "amortized_cost_per_event",
                        "Fine-tuned cost, investment spread (EUR per event)",
                        "money_per_event",
                        lambda c: fn(
                            "AMORTIZED_COST_PER_EVENT", cft(c), i("investment", c), r("events_over_horizon", c)
                        ),
                    ),
                ],
            )
        )
        blocks.append(
            (
                "Total cost over the horizon (EUR, one-off costs included)",
                [
                    (
                        "human_total_cost",
                        "Human process",
                        "money_big",
                        lambda c: f"{r('events_over_horizon', c)}*{ch(c)}",
                    ),
                    (
                        "prompted_total_cost",
                        "Prompted model",
                        "money_big",
                        lambda c: f"{r('events_over_horizon', c)}*{cp(c)}",
                    ),
                    (
                        "finetuned_total_cost",
                        "Fine-tuned model, investment included",
                        "money_big",
                        lambda c: f"{r('events_over_horizon', c)}*{cft(c)}+{i('investment', c)}",
                    ),
                ],
            )
        )
        verdict = VERDICTS
        fix = FIX_INPUTS
        blocks.append(
            (
                "Decision: the option with the lowest total cost over the horizon",
                [
                    (
                        "automate",
                        "Automate at all? (investment counted)",
                        "text",
                        lambda c: (
                            f'IF(checks_problems>0,{fix},IF({r("decision", c)}="{verdict["human"]}",'
                            '"No: people are cheapest","Yes: a model is cheaper"))'
                        ),
                    ),
                    (
                        "finetune",
                        "Fine-tune?",
                        "text",
                        lambda c: (
                            f'IF(checks_problems>0,{fix},IF({r("decision", c)}="{verdict["finetuned"]}",'
                            f'"Yes: cheapest overall",IF({r("net_savings", c)}>0,'
                            '"No: people cost less","No: no payback in time")))'
                        ),
                    ),
                    (
                        "decision",
                        "Decision",
                        "text",
                        lambda c: (
                            f"IF(checks_problems>0,{fix},"
                            + fn("DECISION", r("events_over_horizon", c), cp(c), cft(c), i("investment", c), ch(c))
                            + ")"
                        ),
                    ),
                ],
            )
        )
        return blocks

    def _option_rows(self, key: str) -> list[tuple[str, str, str, Any]]:
        i, r, fn = self.inp, self.res, self.fn
        shares = lambda c: fn("ERROR_SHARES", i(f"{key}_top_level_accuracy", c), i(f"{key}_full_route_accuracy", c))  # noqa: E731

        def counted(bucket: str, c: int) -> str:
            """The bucket's share on Labels for scenario column c (see LABEL_BLOCK_ROWS)."""
            block = self.label_blocks[key]
            correct_row, department_row = LABEL_BLOCK_ROWS[c]
            if c == 2:
                return f"INDEX({block},1,{2 if bucket == 'wrong_subclass' else 3})"
            department = f"MIN(INDEX({block},{department_row},3),1-INDEX({block},{correct_row},1))"
            return department if bucket == "wrong_department" else f"1-INDEX({block},{correct_row},1)-{department}"

        def share(bucket: str, position: int) -> Any:
            typed, switch = f"{key}_share_{bucket}_typed", f"{key}_shares_from"
            return lambda c: (
                f'IF({i(switch, c)}="labels",{counted(bucket, c)},'
                f"IF(ISNUMBER({i(typed, c)}),{i(typed, c)},INDEX({shares(c)},1,{position})))"
            )

        unit = (
            (lambda c: fn("HUMAN_COST_PER_EVENT", i("handling_seconds", c), i("hourly_cost", c)))
            if key == "human"
            else (lambda c: i(f"{key}_unit_cost", c))
        )
        review = (f"{key}_review_share", f"{key}_review_cost")
        return [
            (
                f"{key}_share_correct",
                "Share handled correctly (%)",
                "share",
                lambda c: f"1-{r(f'{key}_share_wrong_subclass', c)}-{r(f'{key}_share_wrong_department', c)}",
            ),
            (f"{key}_share_wrong_subclass", "Share in the wrong subclass (%)", "share", share("wrong_subclass", 2)),
            (
                f"{key}_share_wrong_department",
                "Share in the wrong department (%)",
                "share",
                share("wrong_department", 3),
            ),
            (
                f"{key}_unit_cost",
                "Handling cost (EUR per event)" if key == "human" else "Inference and ops (EUR per event)",
                "money_per_event",
                unit,
            ),
            (
                f"{key}_error_cost",
                "Expected cost of errors (EUR per event)",
                "money_per_event",
                lambda c: fn(
                    "EXPECTED_ERROR_COST",
                    f"{r(f'{key}_share_wrong_subclass', c)}:{r(f'{key}_share_wrong_department', c)}",
                    f"{r('cost_wrong_subclass', c)}:{r('cost_wrong_department', c)}",
                ),
            ),
            (
                f"{key}_review_cost",
                "Review (EUR per event)",
                "money_per_event",
                lambda c: f"{i(review[0], c)}*{i(review[1], c)}",
            ),
            (
                f"{key}_cost_per_event",
                "All-in cost (EUR per event)",
                "money_per_event",
                lambda c: fn(
                    "COST_PER_EVENT",
                    r(f"{key}_error_cost", c),
                    r(f"{key}_unit_cost", c),
                    i(review[0], c),
                    i(review[1], c),
                ),
            ),
            (
                f"{key}_cost_per_day",
                "Cost per day (EUR)",
                "money_big",
                lambda c: f"{r(f'{key}_cost_per_event', c)}*{i('events_per_day', c)}",
            ),
        ]

    def _define_outputs(self) -> None:
        """Workbook-scope names: every result row, and out_... names per scenario for `ftxl recalc --summary`."""
        key_outputs = (
            "decision",
            "human_cost_per_event",
            "prompted_cost_per_event",
            "finetuned_cost_per_event",
            "breakeven_days",
            "net_savings",
            "max_ft_investment",
            "max_cost_premium",
            "max_finetuned_unit_cost",
            "max_investment_same_unit_cost",
        )
        for key, row in self.result_rows.items():
            first, last = xl_rowcol_to_cell(row, 1, True, True), xl_rowcol_to_cell(row, 3, True, True)
            self.book.define_name(f"result_{key}", f"=Results!{first}:{last}")
        for key in key_outputs:
            for scenario, column in zip(SCENARIOS, SCENARIO_COLUMNS, strict=True):
                cell = xl_rowcol_to_cell(self.result_rows[key], column, True, True)
                self.book.define_name(f"out_{key}_{scenario.lower()}", f"=Results!{cell}")

    # --- Timeline --------------------------------------------------------------------------

    def _timeline(self) -> None:
        sheet, s = self.sheets["Timeline"], self.styles
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 7, 16)
        sheet.write(
            "A1", "Timeline: fine-tuned vs prompted, cumulative", s.text(bold=True, font_size=14, text_wrap=False)
        )
        sheet.write("A2", "Points on the chart", s.text())
        sheet.write_number("B2", TIMELINE_POINTS, s.get("count"))
        sheet.write("A3", "Days between points (Base horizon / points)", s.text())
        sheet.write_formula("B3", f"={self.inp('horizon_days', 2)}/B2", s.get("days"))
        header = ["Day", *(f"Savings {x} (EUR)" for x in SCENARIOS), *(f"Investment {x} (EUR)" for x in SCENARIOS)]
        self._cost_parts_chart(sheet, 4)
        sheet.write(TIMELINE_TABLE_ROW - 1, 0, "Cumulative savings and investment by day", s.text(bold=True))
        sheet.write_row(TIMELINE_TABLE_ROW, 0, header, s.text(bold=True, bottom=2))
        first = TIMELINE_TABLE_ROW + 1
        for k in range(TIMELINE_POINTS + 1):
            row = first + k
            previous = "0" if k == 0 else f"A{row}+$B$3"
            sheet.write_formula(row, 0, f"={previous}", s.get("days"))
            for j, column in enumerate(SCENARIO_COLUMNS):
                saving = xl_rowcol_to_cell(self.result_rows["saving_per_day"], column, True, True)
                saving_cell = f"Results!{saving}"
                sheet.write_formula(  # empty, not an error, while the scenario has no result
                    row, 1 + j, f'=IF(ISNUMBER({saving_cell}),A{row + 1}*{saving_cell},"")', s.get("money_big")
                )
                sheet.write_formula(row, 4 + j, f"={self.inp('investment', column)}", s.get("money_big"))
        last = first + TIMELINE_POINTS
        chart = self.book.add_chart({"type": "scatter", "subtype": "straight"})
        for j, scenario in enumerate(SCENARIOS):
            width = 2.75 if scenario == "Base" else 1.25
            chart.add_series(
                {
                    "name": f"Cumulative savings, {scenario}",
                    "categories": ["Timeline", first, 0, last, 0],
                    "values": ["Timeline", first, 1 + j, last, 1 + j],
                    "line": {"width": width},
                }
            )
        chart.add_series(
            {
                "name": "Investment, Base",
                "categories": ["Timeline", first, 0, last, 0],
                "values": ["Timeline", first, 5, last, 5],
                "line": {"width": 2.25, "dash_type": "dash", "color": "#C00000"},
            }
        )
        chart.set_title({"name": "Break-even: where savings cross the investment"})
        chart.set_x_axis({"name": "Day", "min": 0})
        chart.set_y_axis({"name": "EUR", "num_format": "€#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 380})
        sheet.insert_chart("A11", chart)
        self._protect(sheet)
        self._print_setup(sheet, f"A1:H{last + 8}")

    def _cost_parts_chart(self, sheet: Worksheet, top: int) -> None:
        s, r = self.styles, self.res
        sheet.write(top, 0, "Cost per event by option, Base (EUR)", s.text(bold=True))
        sheet.write_row(
            top + 1, 0, ["Option", "Handling or inference", "Errors", "Review"], s.text(bold=True, bottom=2)
        )
        for k, (key, title) in enumerate(OPTIONS):
            row = top + 2 + k
            sheet.write(row, 0, title, s.text())
            for j, part in enumerate(("unit_cost", "error_cost", "review_cost")):
                sheet.write_formula(row, 1 + j, f"=Results!{r(f'{key}_{part}', 2)}", s.get("money_per_event"))
        chart = self.book.add_chart({"type": "column", "subtype": "stacked"})
        for j, part in enumerate(("Handling or inference", "Errors", "Review")):
            chart.add_series(
                {
                    "name": part,
                    "categories": ["Timeline", top + 2, 0, top + 4, 0],
                    "values": ["Timeline", top + 2, 1 + j, top + 4, 1 + j],
                }
            )
        chart.set_title({"name": "Cost per event by option (Base), split into its parts"})
        chart.set_y_axis({"name": "EUR per event", "num_format": "€0.00"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 360})
        sheet.insert_chart("A31", chart)

    # --- Questions, Checks, Start ------------------------------------------------------------

    def _questions(self) -> None:
        sheet, s = self.sheets["Questions"], self.styles
        widths = (5, 16, 70, 40, 24, 12)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.write(
            "A1", "Questions to answer before trusting the numbers", s.text(bold=True, font_size=14, text_wrap=False)
        )
        sheet.write_row(2, 0, ["#", "Topic", "Question", "Answer", "Source", "Status"], s.text(bold=True, bottom=2))
        answer_style = s.get("text", input_cell=True, wrap=True)
        for k, (topic, question, _) in enumerate(QUESTIONS):
            row = 3 + k
            answer, source, status = EXAMPLE_ANSWERS[k] if self.example else ("", "", "missing")
            texts = (topic, question, answer, source)
            sheet.set_row(row, _wrapped_height(texts, widths[1:5]))  # a fixed height would let lines overprint
            sheet.write_number(row, 0, k + 1, s.text())
            sheet.write(row, 1, topic, s.text())
            sheet.write(row, 2, question, s.text())
            for column, value in ((3, answer), (4, source), (5, status)):
                sheet.write_string(row, column, value, answer_style) if value else sheet.write_blank(
                    row, column, None, answer_style
                )
        last = 3 + len(QUESTIONS) - 1
        sheet.data_validation(
            3,
            5,
            last,
            5,
            {
                "validate": "list",
                "source": ["answered", "estimated", "missing"],
                "input_title": "Status",
                "input_message": "answered, estimated or missing",
            },
        )
        self.book.define_name("question_status", f"=Questions!$F$4:$F${last + 1}")
        sheet.freeze_panes(3, 0)
        self._protect(sheet, format_columns=True)
        self._print_setup(sheet, f"A1:F{last + 1}")

    def _checks(self) -> None:
        sheet, s = self.sheets["Checks"], self.styles
        sheet.set_column(0, 0, 70)
        sheet.set_column(1, 2, 14)
        self._title(sheet, "Checks on the inputs")
        sheet.write_row(2, 0, ["Rule", "Problems", "Status"], s.text(bold=True, bottom=2))
        rules = self._check_rules()
        for k, (rule, formula) in enumerate(rules):
            row = 3 + k
            sheet.write(row, 0, rule, s.text())
            sheet.write_formula(row, 1, "=" + formula, s.get("count"))
            sheet.write_formula(row, 2, f'=IF(B{row + 1}=0,"OK","FIX")', s.text(bold=True))
        total_row = 3 + len(rules)
        sheet.write(total_row, 0, "Problems in all", s.text(bold=True))
        sheet.write_formula(total_row, 1, f"=SUM(B4:B{total_row})", s.get("count"))
        self.book.define_name("checks_problems", f"=Checks!$B${total_row + 1}")
        passed, failed = f'"All {len(rules)} checks pass"', '"Fix "&checks_problems&" input problem(s): see Checks"'
        flag = f"=IF(checks_problems=0,{passed},{failed})"
        sheet.write_formula(total_row + 1, 1, flag, s.text(bold=True))
        sheet.write(total_row + 1, 0, "Flag shown on Inputs and Results", s.text())
        self.book.define_name("checks_flag", f"=Checks!$B${total_row + 2}")
        last = self._problems_by_input(sheet, total_row + 4)
        self._protect(sheet)
        self._print_setup(sheet, f"A1:E{last}")

    def _problems_by_input(self, sheet: Worksheet, top: int) -> int:
        """Per input row: failed checks per scenario, and what is wrong, naming the cells; returns the last row.

        The counts per scenario column add up to the names that make that scenario's numeric
        results show #N/A; the texts (name `checks_messages`) become `ftxl recalc` warnings.
        """
        s = self.styles
        sheet.set_column(3, 3, 14)
        sheet.set_column(4, 4, 90)
        sheet.write(top, 0, "Problems by input", s.text(bold=True))
        sheet.write_row(top + 1, 0, ["Input", *SCENARIOS, "What is wrong"], s.text(bold=True, bottom=2))
        first = top + 2
        rows = [(section.title, item) for section in SECTIONS for item in section.inputs]
        for k, (title, item) in enumerate(rows):
            row = first + k
            sheet.write(row, 0, f"{title}: {item.label}", s.text(text_wrap=False))
            problems = self._input_problems(item)
            for column in SCENARIO_COLUMNS:
                flags = "+".join(f"({condition})" for condition, _ in problems[column]) or "0"
                sheet.write_formula(row, column, f"={flags}", s.get("count"))
            unique = dict.fromkeys(pair for column in SCENARIO_COLUMNS for pair in problems[column])
            texts = [f'IF({condition},"{message}; ","")' for condition, message in unique]
            sheet.write_formula(row, 4, "=" + ("&".join(texts) or '""'), s.text(text_wrap=False))
        last = first + len(rows) - 1
        sheet.write(last + 1, 0, "Problems per scenario (above 0: no numeric results)", s.text(bold=True))
        sheet.write(last + 2, 0, "Inputs typed per scenario (none: results stay empty)", s.text(bold=True))
        inputs_first, inputs_last = min(self.input_rows.values()), max(self.input_rows.values())
        for column in SCENARIO_COLUMNS:
            cells = f"{_absolute(first, column)}:{_absolute(last, column)}"
            sheet.write_formula(last + 1, column, f"=SUM({cells})", s.get("count"))
            typed = f"{_absolute(inputs_first, column)}:{_absolute(inputs_last, column)}"
            sheet.write_formula(last + 2, column, f"=COUNTA(Inputs!{typed})", s.get("count"))
            self.book.define_name(SCENARIO_PROBLEMS[column], "=Checks!" + _absolute(last + 1, column))
            self.book.define_name(SCENARIO_TYPED[column], "=Checks!" + _absolute(last + 2, column))
        self.book.define_name("checks_messages", f"=Checks!$E${first + 1}:$E${last + 1}")
        return last + 3

    def _input_problems(self, item: Input) -> dict[int, list[tuple[str, str]]]:
        """Scenario column -> (condition that is TRUE when the cell breaks a rule, message naming the cell).

        The same rules as the Checks table above, charged to the cells that break them.
        """
        found: dict[int, list[tuple[str, str]]] = {column: [] for column in SCENARIO_COLUMNS}
        name, kind = item.name, item.kind
        for column in SCENARIO_COLUMNS:
            cell, where = self._cell(name, column), self.inp(name, column)
            checks = found[column]
            if not item.optional:
                checks.append((f"ISBLANK({cell})", f"{where}: empty"))
            if kind == "share":
                checks.append((f"AND(ISNUMBER({cell}),OR({cell}<0,{cell}>1))", f"{where}: outside 0%-100%"))
            if kind in ("money", "money_per_event", "seconds"):
                checks.append((f"AND(ISNUMBER({cell}),{cell}<0)", f"{where}: negative"))
            if kind in ("count", "days") and not item.optional:
                checks.append((f"AND(ISNUMBER({cell}),{cell}<=0)", f"{where}: not above 0"))
            if name.endswith("_full_route_accuracy"):
                top = name.replace("_full_route_accuracy", "_top_level_accuracy")
                checks.append(
                    (
                        f"{cell}>{self._cell(top, column)}",
                        f"{where}: above the top-level accuracy {self.inp(top, column)}",
                    )
                )
            if name.endswith("_share_wrong_department_typed"):
                other = name.replace("_department_", "_subclass_")
                checks.append(
                    (f"{cell}+{self._cell(other, column)}>1", f"{where}: with {self.inp(other, column)} above 100%")
                )
            if name.endswith("_shares_from"):
                routes = self.label_routes[name.removesuffix("_shares_from")]
                checks.append((f'AND({cell}="labels",COUNTA({routes})=0)', f"{where}: labels, but Labels has none"))
        if not item.optional:
            low, base, high = (self._cell(name, column) for column in SCENARIO_COLUMNS)
            below = f"{self.inp(name, 1)}: Low above Base {self.inp(name, 2)}"
            above = f"{self.inp(name, 2)}: Base above High {self.inp(name, 3)}"
            found[1].append((f"{low}>{base}", below))
            found[2] += [(f"{low}>{base}", below), (f"{base}>{high}", above)]
            found[3].append((f"{base}>{high}", above))
        return found

    def _row_range(self, name: str) -> str:
        row = self.input_rows[name] + 1
        return f"Inputs!$B${row}:$D${row}"

    def _check_rules(self) -> list[tuple[str, str]]:
        rows = inputs()
        required = [x.name for x in rows if not x.optional]
        shares = [x.name for x in rows if x.kind == "share"]
        non_negative = [x.name for x in rows if x.kind in ("money", "money_per_event", "seconds")]
        positive = [x.name for x in rows if x.kind in ("count", "days") and not x.optional]
        rng = self._row_range

        def total(parts: list[str]) -> str:
            return "SUM(" + ",".join(parts) + ")"

        rules = [
            ("Every required input is filled in", total([f"COUNTBLANK({rng(n)})" for n in required])),
            (
                "Accuracies and shares lie between 0% and 100%",
                total([f'COUNTIF({rng(n)},"<0")+COUNTIF({rng(n)},">1")' for n in shares]),
            ),
            (
                "Full-route accuracy is at most the top-level accuracy",
                total(
                    [
                        f"SUMPRODUCT(({rng(f'{k}_full_route_accuracy')}>{rng(f'{k}_top_level_accuracy')})*1)"
                        for k, _ in OPTIONS
                    ]
                ),
            ),
            (
                "Bucket shares typed directly add up to at most 100%",
                total(
                    [
                        f"SUMPRODUCT(({rng(f'{k}_share_wrong_subclass_typed')}+{rng(f'{k}_share_wrong_department_typed')}>1)*1)"
                        for k, _ in OPTIONS
                    ]
                ),
            ),
            (
                "Low <= Base <= High on every required row",
                total(
                    [
                        f"({self._cell(n, 1)}>{self._cell(n, 2)})+({self._cell(n, 2)}>{self._cell(n, 3)})"
                        for n in required
                    ]
                ),
            ),
            (
                "Costs, times and the investment are not negative",
                total([f'COUNTIF({rng(n)},"<0")' for n in non_negative]),
            ),
            ("Events per day and the horizon are above 0", total([f'COUNTIF({rng(n)},"<=0")' for n in positive])),
            (
                "Options whose shares come from labels have labels on the Labels sheet",
                total(
                    [
                        f'(COUNTIF({rng(f"{key}_shares_from")},"labels")>0)*(COUNTA({self.label_routes[key]})=0)'
                        for key, _ in OPTIONS
                    ]
                ),
            ),
        ]
        return rules

    def _cell(self, name: str, column: int) -> str:
        return "Inputs!" + xl_rowcol_to_cell(self.input_rows[name], column, True, True)

    def _start(self) -> None:
        sheet, s = self.sheets["Start"], self.styles
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 3, 40)
        sheet.set_column(4, 4, 60)
        sheet.write(
            "A1",
            "Fine-tune a small model, or prompt a frontier model?",
            s.text(bold=True, font_size=16, text_wrap=False),
        )
        sheet.merge_range(
            "A2:E2",
            "This workbook compares the expected cost per event of three ways to handle a task "
            "(people, a prompted API model, a fine-tuned model) and says whether the fine-tuning "
            "investment pays back within your horizon, for a low, base and high case.",
            s.text(),
        )
        sheet.set_row(1, 48)
        steps = [
            "1. Answer what you can on Questions, with a source for each answer.",
            "2. On Inputs, type your figures in the blue cells: Low, Base and High for each row.",
            "3. Check that the flag below says all checks pass; if not, fix what Checks lists.",
            "4. Read the costs, savings, break-even and decision on Results, the crossing on Timeline.",
            "5. Mark answers you estimated, then narrow the Low-High ranges where the decision flips.",
        ]
        sheet.write("A4", "How to use it", s.text(bold=True))
        for k, step in enumerate(steps):
            sheet.merge_range(4 + k, 0, 4 + k, 4, step, s.text())
        sheet.write("A11", "Colours", s.text(bold=True))
        sheet.write("A12", "Blue on yellow: type here", s.get("text", input_cell=True))
        sheet.write("A13", "Black: computed, locked", s.text())
        sheet.write("A15", "Add-in status", s.text(bold=True))
        sheet.write_formula("B15", "=" + self.fn("FTXL_VERSION"), s.text(bold=True))
        sheet.merge_range(
            "C15:E15",
            "An error here instead of a version means the ftxl add-in is not loaded: the figures are the last "
            "computed ones. Load it (see the README), or run: ftxl recalc THIS_FILE.xlsx --in-place",
            s.text(),
        )
        sheet.set_row(14, 32)
        sheet.write("A16", "Recalculate without Excel", s.text(bold=True))
        sheet.write("B16", "ftxl recalc THIS_FILE.xlsx --in-place", s.text(font_name="Consolas"))
        sheet.write("A17", "Input checks", s.text(bold=True))
        self._flag(sheet, "B17")
        sheet.write("A18", "Questions still open", s.text(bold=True))
        sheet.write_formula("B18", '=COUNTA(Questions!C4:C100)-COUNTIF(question_status,"answered")', s.get("count"))
        sheet.write("C18", "not yet answered (estimated or missing)", s.text())
        sheet.write("A20", "Decision", s.text(bold=True))
        sheet.write_row("B20", SCENARIOS, s.text(bold=True, bottom=2))
        for k, column in enumerate(SCENARIO_COLUMNS):
            sheet.write_formula(20, 1 + k, f"=Results!{self.res('decision', column)}", s.text())
        self._protect(sheet)
        self._print_setup(sheet, "A1:E21")

    def _title(self, sheet: Worksheet, text: str) -> None:
        sheet.write("A1", text, self.styles.text(bold=True, font_size=14, text_wrap=False))

    @staticmethod
    def _protect(sheet: Worksheet, format_columns: bool = False) -> None:
        """Lock the formulas, no password: Review > Unprotect Sheet lifts it."""
        options = {"select_locked_cells": True, "select_unlocked_cells": True}
        sheet.protect("", options | ({"format_columns": True} if format_columns else {}))

    def _flag(self, sheet: Worksheet, cell: str) -> None:
        """The checks flag: green while every check passes, red as soon as one fails."""
        sheet.write_formula(cell, "=checks_flag", self.styles.text(bold=True, font_color="#00703C", text_wrap=False))
        red = self.book.add_format({"font_color": "#C00000", "bold": True})
        sheet.conditional_format(cell, {"type": "text", "criteria": "begins with", "value": "Fix", "format": red})

    @staticmethod
    def _print_setup(sheet: Worksheet, area: str, one_page: bool = False) -> None:
        """Print one page wide (landscape), or the whole sheet on one portrait page."""
        sheet.print_area(area)
        if one_page:
            sheet.set_portrait()
            sheet.fit_to_pages(1, 1)
        else:
            sheet.set_landscape()
            sheet.fit_to_pages(1, 0)
        sheet.set_paper(9)  # A4
        sheet.hide_gridlines(0)


LINE_HEIGHT = 15.0
"""Points per line of text in the default 11-point font."""


def _wrapped_height(texts: tuple[str, ...], widths: tuple[int, ...]) -> float:
    """Row height in points that shows every line of `texts` wrapped in columns of `widths` characters.

    Wrapping is estimated (a character is taken as 1.2 of a width unit, so the row is rather too tall
    than too short): LibreOffice and printers keep a row's stored height, they do not fit it.
    """
    lines = max(math.ceil(len(text) * 1.2 / width) if text else 1 for text, width in zip(texts, widths, strict=True))
    return LINE_HEIGHT * max(1, lines)


def _absolute(row: int, column: int) -> str:
    """An absolute reference such as $B$7 to a 0-based row and column."""
    return xl_rowcol_to_cell(row, column, True, True)


def build_template(path: Path, example: bool = True, runtime: str = "classic") -> None:
    """Write the template to `path` (its formulas' cached values still to be computed by recalc)."""
    TemplateBuilder(path, example, runtime).build()


def write_template(path: Path, example: bool = True, runtime: str = "classic") -> FileResult:
    """Build the template and compute every cached value, replacing `path` atomically."""
    with tempfile.TemporaryDirectory(prefix=".ftxl-template-", dir=path.parent) as folder:
        draft = Path(folder) / path.name
        build_template(draft, example, runtime)
        return recalculate(draft, path, ModelCache())
