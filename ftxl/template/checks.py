"""The checks on the inputs: written on the Inputs sheet, right of what prints."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..costs import FEEDS
from .content import OPTIONS, SCENARIOS, SECTIONS, Input, inputs
from .layout import (
    CHECK_COLUMN,
    CHECKS_AT,
    INPUTS_FIRST_ROW,
    RULE_COLUMN,
    SCENARIO_COLUMNS,
    SCENARIO_PROBLEMS,
    SCENARIO_TYPED,
)
from .page import Page


def write_checks(page: Page) -> None:
    """The checks, on the Inputs sheet right of its printed area: each input row's problems beside it, the rules
    and their totals further right. On screen beside the cells they judge; a board pack does not print them."""
    sheet, s = page.sheets["Inputs"], page.styles
    sheet.set_column(RULE_COLUMN - 1, RULE_COLUMN - 1, 2)
    sheet.set_column(RULE_COLUMN, RULE_COLUMN, 70)
    sheet.set_column(RULE_COLUMN + 1, RULE_COLUMN + 3, 12)
    m = RULE_COLUMN
    sheet.write(2, m, "Checks on the inputs (not printed)", s.text(bold=True, text_wrap=False))
    sheet.write_row(3, m, ["Rule", "Problems", "Status"], s.text(bold=True, bottom=2))
    rules = _check_rules(page)
    for k, (rule, formula) in enumerate(rules):
        row = 4 + k
        count = _absolute(row, m + 1)
        sheet.write(row, m, rule, s.text())
        sheet.write_formula(row, m + 1, "=" + formula, s.get("count"))
        sheet.write_formula(row, m + 2, f'=IF({count}=0,"OK","FIX")', s.text(bold=True))
    total_row = 4 + len(rules)
    sheet.write(total_row, m, "Problems in all", s.text(bold=True))
    counts = f"{_absolute(4, m + 1)}:{_absolute(total_row - 1, m + 1)}"
    sheet.write_formula(total_row, m + 1, f"=SUM({counts})", s.get("count"))
    page.book.define_name("checks_problems", "=Inputs!" + _absolute(total_row, m + 1))
    passed, failed = f'"All {len(rules)} checks pass"', f'"Fix "&checks_problems&" input problem(s): see {CHECKS_AT}"'
    flag = f"=IF(checks_problems=0,{passed},IF({NOTHING_TYPED},{NOT_STARTED},{failed}))"
    sheet.write_formula(total_row + 1, m + 1, flag, s.text(bold=True, text_wrap=False))
    sheet.write(total_row + 1, m, "Flag shown on Inputs and Results", s.text())
    page.book.define_name("checks_flag", "=Inputs!" + _absolute(total_row + 1, m + 1))
    required = [x.name for x in inputs() if not x.optional]
    empty_rows = "+".join(f"(COUNTBLANK({page.layout.row_range(n)})>0){_typed_here(n)}" for n in required)
    sheet.write(total_row + 2, m, "Required input rows with an empty cell", s.text())
    sheet.write_formula(total_row + 2, m + 1, f"={empty_rows}", s.get("count"))
    page.book.define_name("inputs_missing", "=Inputs!" + _absolute(total_row + 2, m + 1))
    _problems_by_input(page, sheet, total_row + 4)


NOTHING_TYPED = "SUM(inputs_typed_low,inputs_typed_base,inputs_typed_high)=0"
"""TRUE while no input is typed in any scenario: a fresh template, not one with problems."""
NOT_STARTED = '"Not started: "&inputs_missing&" inputs to fill in, see Inputs"'


def _problems_by_input(page: Page, sheet: Worksheet, totals: int) -> None:
    """Per input row, on its own row of Inputs: failed checks per scenario, and what is wrong, naming the cells;
    below the rules (from row `totals`), the problems and typed inputs per scenario.

    The counts per scenario column add up to the names that make that scenario's numeric
    results show #N/A; the texts (name `checks_messages`) become `ftxl recalc` warnings.
    """
    s, h = page.styles, CHECK_COLUMN
    sheet.set_column(h - 1, h - 1, 2)
    sheet.set_column(h, h + 2, 8)
    sheet.set_column(h + 3, h + 3, 90)
    sheet.write(2, h, "Problems per input row (not printed)", s.text(bold=True, text_wrap=False))
    sheet.write_row(3, h, [*SCENARIOS, "What is wrong"], s.text(bold=True, bottom=2))
    for section in SECTIONS:
        for item in section.inputs:
            row = page.layout.input_rows[item.name]
            problems = _input_problems(page, item)
            for column in SCENARIO_COLUMNS:
                flags = "+".join(f"({condition})" for condition, _ in problems[column]) or "0"
                # a count, never a lone TRUE: SUM over the column would skip a logical
                sheet.write_formula(row, h - 1 + column, f"=({flags})*1", s.get("count"))
            unique = dict.fromkeys(pair for column in SCENARIO_COLUMNS for pair in problems[column])
            texts = [f'IF({condition},"{message}; ","")' for condition, message in unique]
            sheet.write_formula(row, h + 3, "=" + ("&".join(texts) or '""'), s.text(text_wrap=False))
    first, last = INPUTS_FIRST_ROW + 1, page.layout.inputs_end - 1
    m = RULE_COLUMN
    sheet.write_row(totals, m, ["Per scenario", *SCENARIOS], s.text(bold=True, bottom=2))
    sheet.write(totals + 1, m, "Problems (above 0: no numeric results)", s.text())
    sheet.write(totals + 2, m, "Inputs typed (none: results stay empty)", s.text())
    for column in SCENARIO_COLUMNS:
        cells = f"{_absolute(first, h - 1 + column)}:{_absolute(last, h - 1 + column)}"
        sheet.write_formula(totals + 1, m + column, f"=SUM({cells})", s.get("count"))
        typed = f"{_absolute(first, column)}:{_absolute(last, column)}"
        sheet.write_formula(totals + 2, m + column, f"=COUNTA({typed})", s.get("count"))
        page.book.define_name(SCENARIO_PROBLEMS[column], "=Inputs!" + _absolute(totals + 1, m + column))
        page.book.define_name(SCENARIO_TYPED[column], "=Inputs!" + _absolute(totals + 2, m + column))
    page.book.define_name("checks_messages", f"=Inputs!{_absolute(first, h + 3)}:{_absolute(last, h + 3)}")


def _input_problems(page: Page, item: Input) -> dict[int, list[tuple[str, str]]]:
    """Scenario column -> (condition that is TRUE when the cell breaks a rule, message naming the cell).

    The same rules as the rules table, charged to the cells that break them.
    """
    found: dict[int, list[tuple[str, str]]] = {column: [] for column in SCENARIO_COLUMNS}
    name, kind = item.name, item.kind
    for column in SCENARIO_COLUMNS:
        cell, where = page.layout.cell(name, column), page.layout.inp(name, column)
        checks = found[column]
        if not item.optional and name in FEEDS:
            checks.append((f'AND(ISBLANK({cell}),{name}_from<>"Costs")', f"{where}: empty"))
        elif not item.optional:
            checks.append((f"ISBLANK({cell})", f"{where}: empty"))
        if name in FEEDS:
            used = page.layout.value(name, column)
            checks.append(
                (f'AND({name}_from="Costs",NOT(ISNUMBER({used})))', f"{used}: Costs has no figure for {where}")
            )
        if kind == "share":
            checks.append((f"AND(ISNUMBER({cell}),OR({cell}<0,{cell}>1))", f"{where}: outside 0%-100%"))
        if kind in ("money", "money_per_event", "seconds") or (kind == "days" and item.optional):
            checks.append((f"AND(ISNUMBER({cell}),{cell}<0)", f"{where}: negative"))
        if kind == "rate":
            checks.append((f"AND(ISNUMBER({cell}),{cell}<=-1)", f"{where}: at or below -100%"))
        if kind in ("count", "days") and not item.optional:
            checks.append((f"AND(ISNUMBER({cell}),{cell}<=0)", f"{where}: not above 0"))
        if name.endswith("_full_route_accuracy"):
            top = name.replace("_full_route_accuracy", "_top_level_accuracy")
            checks.append(
                (
                    f"{cell}>{page.layout.cell(top, column)}",
                    f"{where}: above the top-level accuracy {page.layout.inp(top, column)}",
                )
            )
        if name.endswith("_share_wrong_department_typed"):
            other = name.replace("_department_", "_subclass_")
            checks.append(
                (
                    f"{cell}+{page.layout.cell(other, column)}>1",
                    f"{where}: with {page.layout.inp(other, column)} above 100%",
                )
            )
        if name.endswith("_shares_from"):
            routes = page.layout.label_routes[name.removesuffix("_shares_from")]
            checks.append((f'AND({cell}="labels",COUNTA({routes})=0)', f"{where}: labels, but Labels has none"))
    if kind in ORDERED_KINDS:  # an optional row only once all three are typed
        low, base, high = (page.layout.cell(name, column) for column in SCENARIO_COLUMNS)
        typed = "" if not item.optional else f"COUNT({page.layout.row_range(name)})=3,"
        below = f"{page.layout.inp(name, 1)}: Low above Base {page.layout.inp(name, 2)}"
        above = f"{page.layout.inp(name, 2)}: Base above High {page.layout.inp(name, 3)}"
        low_above, base_above = f"AND({typed}{low}>{base})", f"AND({typed}{base}>{high})"
        found[1].append((low_above, below))
        found[2] += [(low_above, below), (base_above, above)]
        found[3].append((base_above, above))
    return found


ORDERED_KINDS = ("count", "days", "seconds", "money", "money_per_event", "share", "rate")
"""Kinds of input whose Low, Base and High must be in that order (the worst and best case and the simulation
draw between them); typed shares and costs are optional overrides, ordered too once all three are typed."""


def _check_rules(page: Page) -> list[tuple[str, str]]:
    rows = inputs()
    required = [x.name for x in rows if not x.optional]
    shares = [x.name for x in rows if x.kind == "share"]
    non_negative = [x.name for x in rows if x.kind in ("money", "money_per_event", "seconds")]
    non_negative += [x.name for x in rows if x.kind == "days" and x.optional]
    rates = [x.name for x in rows if x.kind == "rate"]
    ordered = [x.name for x in rows if x.kind in ORDERED_KINDS]
    positive = [x.name for x in rows if x.kind in ("count", "days") and not x.optional]
    rng, at = page.layout.row_range, page.layout.cell

    def total(parts: list[str]) -> str:
        return "SUM(" + ",".join(parts) + ")"

    rules = [
        ("Every required input is filled in", total([f"COUNTBLANK({rng(n)}){_typed_here(n)}" for n in required])),
        (
            "Rows taken from Costs have a figure there in Low, Base and High",
            total([f'({n}_from="Costs")*(3-COUNT({page.layout.value_range(n)}))' for n in FEEDS]),
        ),
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
            "Low <= Base <= High on every row (an optional one once all three are typed)",
            total(
                [f"({at(n, 1)}>{at(n, 2)})+({at(n, 2)}>{at(n, 3)})" for n in required if n in ordered]
                + [
                    f"(COUNT({rng(n)})=3)*(({at(n, 1)}>{at(n, 2)})+({at(n, 2)}>{at(n, 3)}))"
                    for n in ordered
                    if n not in required
                ]
            ),
        ),
        (
            "Costs, times and the investment are not negative",
            total([f'COUNTIF({rng(n)},"<0")' for n in non_negative]),
        ),
        ("Events per day and the horizon are above 0", total([f'COUNTIF({rng(n)},"<=0")' for n in positive])),
        (
            "Yearly rates (growth, price change, discount) are above -100%",
            total([f'COUNTIF({rng(n)},"<=-1")' for n in rates]),
        ),
        (
            "Options whose shares come from labels have labels on the Labels sheet",
            total(
                [
                    f'(COUNTIF({rng(f"{key}_shares_from")},"labels")>0)*(COUNTA({page.layout.label_routes[key]})=0)'
                    for key, _ in OPTIONS
                ]
            ),
        ),
    ]
    return rules


def _typed_here(name: str) -> str:
    """For a row the cost builder can feed: a factor that drops its typed cells from the count while Costs feeds
    it (they are ignored then)."""
    return f'*({name}_from<>"Costs")' if name in FEEDS else ""


def _absolute(row: int, column: int) -> str:
    """An absolute reference such as $B$7 to a 0-based row and column."""
    return xl_rowcol_to_cell(row, column, True, True)
