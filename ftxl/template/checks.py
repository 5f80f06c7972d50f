"""The Checks sheet."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..costs import FEEDS
from .content import OPTIONS, SCENARIOS, SECTIONS, Input, inputs
from .layout import SCENARIO_COLUMNS, SCENARIO_PROBLEMS, SCENARIO_TYPED
from .page import Page


def write_checks(page: Page) -> None:
    sheet, s = page.sheets["Checks"], page.styles
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 2, 14)
    page.title(sheet, "Checks on the inputs")
    sheet.write_row(2, 0, ["Rule", "Problems", "Status"], s.text(bold=True, bottom=2))
    rules = _check_rules(page)
    for k, (rule, formula) in enumerate(rules):
        row = 3 + k
        sheet.write(row, 0, rule, s.text())
        sheet.write_formula(row, 1, "=" + formula, s.get("count"))
        sheet.write_formula(row, 2, f'=IF(B{row + 1}=0,"OK","FIX")', s.text(bold=True))
    total_row = 3 + len(rules)
    sheet.write(total_row, 0, "Problems in all", s.text(bold=True))
    sheet.write_formula(total_row, 1, f"=SUM(B4:B{total_row})", s.get("count"))
    page.book.define_name("checks_problems", f"=Checks!$B${total_row + 1}")
    passed, failed = f'"All {len(rules)} checks pass"', '"Fix "&checks_problems&" input problem(s): see Checks"'
    flag = f"=IF(checks_problems=0,{passed},IF({NOTHING_TYPED},{NOT_STARTED},{failed}))"
    sheet.write_formula(total_row + 1, 1, flag, s.text(bold=True, text_wrap=False))
    sheet.write(total_row + 1, 0, "Flag shown on Inputs and Results", s.text())
    page.book.define_name("checks_flag", f"=Checks!$B${total_row + 2}")
    required = [x.name for x in inputs() if not x.optional]
    empty_rows = "+".join(f"(COUNTBLANK({page.layout.row_range(n)})>0){_typed_here(n)}" for n in required)
    sheet.write(total_row + 2, 0, "Required input rows with an empty cell", s.text())
    sheet.write_formula(total_row + 2, 1, f"={empty_rows}", s.get("count"))
    page.book.define_name("inputs_missing", f"=Checks!$B${total_row + 3}")
    last = _problems_by_input(page, sheet, total_row + 4)
    page.protect(sheet)
    page.print_setup(sheet, f"A1:E{last}", landscape_page=True)


NOTHING_TYPED = "SUM(inputs_typed_low,inputs_typed_base,inputs_typed_high)=0"
"""TRUE while no input is typed in any scenario: a fresh template, not one with problems."""
NOT_STARTED = '"Not started: "&inputs_missing&" inputs to fill in, see Inputs"'


def _problems_by_input(page: Page, sheet: Worksheet, top: int) -> int:
    """Per input row: failed checks per scenario, and what is wrong, naming the cells; returns the last row.

    The counts per scenario column add up to the names that make that scenario's numeric
    results show #N/A; the texts (name `checks_messages`) become `ftxl recalc` warnings.
    """
    s = page.styles
    sheet.set_column(3, 3, 14)
    sheet.set_column(4, 4, 90)
    sheet.write(top, 0, "Problems by input", s.text(bold=True))
    sheet.write_row(top + 1, 0, ["Input", *SCENARIOS, "What is wrong"], s.text(bold=True, bottom=2))
    first = top + 2
    rows = [(section.title, item) for section in SECTIONS for item in section.inputs]
    for k, (title, item) in enumerate(rows):
        row = first + k
        sheet.write(row, 0, f"{title}: {item.label}", s.text(text_wrap=False))
        problems = _input_problems(page, item)
        for column in SCENARIO_COLUMNS:
            flags = "+".join(f"({condition})" for condition, _ in problems[column]) or "0"
            sheet.write_formula(row, column, f"={flags}", s.get("count"))
        unique = dict.fromkeys(pair for column in SCENARIO_COLUMNS for pair in problems[column])
        texts = [f'IF({condition},"{message}; ","")' for condition, message in unique]
        sheet.write_formula(row, 4, "=" + ("&".join(texts) or '""'), s.text(text_wrap=False))
    last = first + len(rows) - 1
    sheet.write(last + 1, 0, "Problems per scenario (above 0: no numeric results)", s.text(bold=True))
    sheet.write(last + 2, 0, "Inputs typed per scenario (none: results stay empty)", s.text(bold=True))
    inputs_first, inputs_last = min(page.layout.input_rows.values()), max(page.layout.input_rows.values())
    for column in SCENARIO_COLUMNS:
        cells = f"{_absolute(first, column)}:{_absolute(last, column)}"
        sheet.write_formula(last + 1, column, f"=SUM({cells})", s.get("count"))
        typed = f"{_absolute(inputs_first, column)}:{_absolute(inputs_last, column)}"
        sheet.write_formula(last + 2, column, f"=COUNTA(Inputs!{typed})", s.get("count"))
        page.book.define_name(SCENARIO_PROBLEMS[column], "=Checks!" + _absolute(last + 1, column))
        page.book.define_name(SCENARIO_TYPED[column], "=Checks!" + _absolute(last + 2, column))
    page.book.define_name("checks_messages", f"=Checks!$E${first + 1}:$E${last + 1}")
    return last + 3


def _input_problems(page: Page, item: Input) -> dict[int, list[tuple[str, str]]]:
    """Scenario column -> (condition that is TRUE when the cell breaks a rule, message naming the cell).

    The same rules as the Checks table above, charged to the cells that break them.
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
