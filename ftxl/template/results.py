"""The Results sheet."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from ..model import VERDICTS
from .content import OPTIONS
from .layout import (
    CASE_KEYS,
    FIX_INPUTS,
    LABEL_BLOCK_ROWS,
    SCENARIO_COLUMNS,
    SCENARIO_PROBLEMS,
    SCENARIO_TYPED,
    Layout,
)
from .page import Page
from .scenarios import case_header


def write_results(page: Page) -> None:
    sheet, s = page.sheets["Results"], page.styles
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 3, 22)
    page.title(sheet, "Results: computed, nothing to type here")
    sheet.write("A2", "Input checks", s.text(bold=True))
    page.flag(sheet, "B2")
    sheet.write(3, 0, "Figure (unit)", s.text(bold=True, bottom=2))
    for column in SCENARIO_COLUMNS:  # the cases; Low / Base / High stay on Inputs as each input's range
        sheet.write_formula(3, column, case_header(column), s.text(bold=True, bottom=2))
    blocks = result_blocks(page.layout)
    for title, rows in blocks:
        sheet.write(page.layout.result_rows[rows[0][0]] - 1, 0, title, s.text(bold=True, bg_color="#DDEBF7"))
        for key, label, kind, formula in rows:
            sheet.write(page.layout.result_rows[key], 0, label, s.text(text_wrap=False))
            for column in SCENARIO_COLUMNS:
                text = formula(column) if kind == "text" else _guarded(formula(column), column)
                style = s.text(border=1, border_color="#D9D9D9") if kind == "words" else s.get(kind)
                sheet.write_formula(page.layout.result_rows[key], column, "=" + text, style)
            if key in TWO_LINES:
                sheet.set_row(page.layout.result_rows[key], WORDS_HEIGHT)
    sheet.freeze_panes(4, 1)
    page.protect(sheet, format_columns=True)
    page.print_setup(sheet, f"A1:D{page.layout.results_end - 1}", one_page=True)
    _define_outputs(page)


ECONOMICS_TITLE = "Fine-tuning against the best other option"
"""Every figure of this block answers the decision's question: see `ftxl.finetune_economics`."""
WORDS_HEIGHT = 30
"""Points of a result row in words that may take two lines of a case column (`TWO_LINES`)."""
TWO_LINES = ("breakeven_text", "max_unit_cost_text")

CASE_GUARDS = {
    1: ("checks_problems", "+".join(SCENARIO_TYPED.values())),
    2: (SCENARIO_PROBLEMS[2], SCENARIO_TYPED[2]),
    3: ("checks_problems", "+".join(SCENARIO_TYPED.values())),
}
"""Scenario column -> (failed checks that blank it, inputs typed): Base needs its own inputs; the worst and best
case take inputs from Low, Base and High alike."""


def _guarded(formula: str, column: int) -> str:
    """A numeric result that shows #N/A while an input of its scenario fails a check (empty while the
    scenario has no input typed at all, as in the blank template)."""
    problems, typed = CASE_GUARDS[column]
    return f'IF({problems}>0,IF({typed}=0,"",NA()),{formula})'


def result_blocks(layout: Layout) -> list[tuple[str, list[tuple[str, str, str, Any]]]]:
    i, r, fn = layout.scen, layout.res, layout.fn
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
        blocks.append((f"{title}: cost per event", _option_rows(layout, key)))
    n = lambda c: f"({i('events_per_day', c)}*{i('horizon_days', c)})"  # noqa: E731
    cp = lambda c: r("prompted_cost_per_event", c)  # noqa: E731
    cft = lambda c: r("finetuned_cost_per_event", c)  # noqa: E731
    ch = lambda c: r("human_cost_per_event", c)  # noqa: E731
    blocks.append(
        (
            "Savings per event and per day (before one-off and monthly costs)",
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
                    "Fine-tuned vs prompted model (EUR per event)",
                    "money_per_event",
                    lambda c: f"{cp(c)}-{cft(c)}",
                ),
                (
                    "saving_per_day",
                    "Fine-tuned vs prompted model (EUR per day)",
                    "money_big",
                    lambda c: f"{r('saving_per_event', c)}*{i('events_per_day', c)}",
                ),
                (
                    "actual_cost_premium",
                    "Fine-tuned inference cost minus the prompted model's (EUR per event)",
                    "money_per_event",
                    lambda c: f"{i('finetuned_unit_cost', c)}-{i('prompted_unit_cost', c)}",
                ),
                (
                    "amortized_cost_per_event",
                    "Fine-tuned cost, investment spread over the events (EUR per event)",
                    "money_per_event",
                    lambda c: fn("AMORTIZED_COST_PER_EVENT", cft(c), i("investment", c), r("events_over_horizon", c)),
                ),
            ],
        )
    )
    feed = {column: f"feed_names,feed_{key}" for column, key in zip(SCENARIO_COLUMNS, CASE_KEYS, strict=True)}

    def total(c: int, option: int) -> str:
        return f"INDEX({fn('TOTAL_COSTS', feed[c])},1,{option})"

    def value(figure: str) -> Any:
        return lambda c: fn("FINETUNE_VALUE", feed[c], f'"{figure}"')

    blocks.append(
        (
            "Total cost over the horizon (EUR, costs over time included)",
            [
                ("human_total_cost", "Human process", "money_big", lambda c: total(c, 1)),
                (
                    "prompted_total_cost",
                    "Prompted model, one-off and monthly costs included",
                    "money_big",
                    lambda c: total(c, 2),
                ),
                (
                    "finetuned_total_cost",
                    "Fine-tuned model, investment and monthly costs included",
                    "money_big",
                    lambda c: total(c, 3),
                ),
            ],
        )
    )
    blocks.append(
        (
            ECONOMICS_TITLE,
            [
                (
                    "against",
                    "Measured against: the cheaper of people and prompting, all costs",
                    "words",
                    value("against"),
                ),
                (
                    "net_savings",
                    "Net savings at the horizon (EUR; NPV with a discount rate)",
                    "money_big",
                    value("net_savings"),
                ),
                (
                    "breakeven_days",
                    "Break-even day (discounted with a rate; #NUM! = never)",
                    "days",
                    value("breakeven_day"),
                ),
                ("breakeven_text", "Break-even, in words", "words", value("breakeven_text")),
                (
                    "max_ft_investment",
                    "Largest one-off investment that pays (EUR)",
                    "money_big",
                    value("max_investment"),
                ),
                ("max_investment_text", "Largest one-off investment, in words", "words", value("max_investment_text")),
                (
                    "max_finetuned_unit_cost",
                    "Largest fine-tuned inference cost that pays (EUR per event)",
                    "money_per_event",
                    value("max_unit_cost"),
                ),
                ("max_unit_cost_text", "Largest inference cost, in words", "words", value("max_unit_cost_text")),
                (
                    "max_cost_premium",
                    "Largest premium over the prompted inference cost (EUR per event)",
                    "money_per_event",
                    value("max_premium"),
                ),
                (
                    "max_investment_same_unit_cost",
                    "Largest investment at the prompted inference cost (EUR)",
                    "money_big",
                    value("max_investment_same_unit_cost"),
                ),
                (
                    "payback_days",
                    "Payback, undiscounted (days; #NUM! = not within 100 years)",
                    "days",
                    lambda c: fn("PAYBACK_DAYS", feed[c]),
                ),
                (
                    "discounted_payback_days",
                    "Payback, discounted (days)",
                    "days",
                    lambda c: fn("PAYBACK_DAYS", feed[c], "TRUE"),
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
                        f"IF(checks_problems>0,{fix},IF({_starts(r('decision', c), verdict['human'])},"
                        '"No: people are cheapest","Yes: a model is cheaper"))'
                    ),
                ),
                (
                    "finetune",
                    "Fine-tune?",
                    "text",
                    lambda c: (
                        f"IF(checks_problems>0,{fix},IF({_starts(r('decision', c), verdict['finetuned'])},"
                        f'"Yes: cheapest overall",IF({r("prompted_total_cost", c)}>{r("finetuned_total_cost", c)},'
                        '"No: people cost less","No: no payback in time")))'
                    ),
                ),
                (
                    "decision",
                    "Decision",
                    "text",
                    lambda c: (
                        f"IF(checks_problems>0,{fix},"
                        + fn(
                            "DECISION",
                            "1",
                            r("prompted_total_cost", c),
                            r("finetuned_total_cost", c),
                            "0",
                            r("human_total_cost", c),
                        )
                        + f"&{value('handling')(c)})"
                    ),
                ),
                (
                    "layer2_handling",
                    "Second layer: handling after routing",
                    "words",
                    value("handling_text"),
                ),
                (
                    "routing_point_value",
                    "Second layer: one point of full-route accuracy, downstream (EUR per event)",
                    "money_fine",
                    value("routing_point_value"),
                ),
            ],
        )
    )
    return blocks


def _starts(cell: str, words: str) -> str:
    """TRUE when the decision in `cell` is `words`, a second layer's handling after them or not."""
    return f'LEFT({cell},{len(words)})="{words}"'


def _option_rows(layout: Layout, key: str) -> list[tuple[str, str, str, Any]]:
    i, r, fn = layout.scen, layout.res, layout.fn
    shares = lambda c: fn("ERROR_SHARES", i(f"{key}_top_level_accuracy", c), i(f"{key}_full_route_accuracy", c))  # noqa: E731

    def counted(bucket: str, c: int) -> str:
        """The bucket's share on Labels for scenario column c (see LABEL_BLOCK_ROWS)."""
        block = layout.label_blocks[key]
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


def _define_outputs(page: Page) -> None:
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
        "against",
        "breakeven_text",
        "payback_days",
        "discounted_payback_days",
    )
    for key, row in page.layout.result_rows.items():
        first, last = xl_rowcol_to_cell(row, 1, True, True), xl_rowcol_to_cell(row, 3, True, True)
        page.book.define_name(f"result_{key}", f"=Results!{first}:{last}")
    for key in key_outputs:
        for scenario, column in zip(CASE_KEYS, SCENARIO_COLUMNS, strict=True):
            cell = xl_rowcol_to_cell(page.layout.result_rows[key], column, True, True)
            page.book.define_name(f"out_{key}_{scenario.lower()}", f"=Results!{cell}")
