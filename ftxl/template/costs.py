"""The Costs sheet: the cost builder, from tokens, GPUs, people and API risks to the Inputs rows it can feed."""

from __future__ import annotations

import datetime
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..costs import FEEDS
from .cost_rows import BUILT, FEED_SECTION, SECTIONS, CostRow
from .layout import SCENARIO_COLUMNS, Layout
from .page import Page

SHORT_FEEDS = {
    "prompted_unit_cost": "Prompted: cost per event (EUR)",
    "finetuned_unit_cost": "Fine-tuned: cost per event (EUR)",
    "investment": "Fine-tuning investment (EUR)",
    "prompted_one_off": "API option: one-off cost (EUR)",
    "prompted_monthly": "API option: cost per month (EUR)",
    "finetuned_monthly": "Fine-tuned: cost per month (EUR)",
}
"""The fed Inputs rows as the feed block names them (short enough for column A, bold)."""
assert set(SHORT_FEEDS) == set(FEEDS)
KIND_FORMATS = {"hours": "number", "words": "text"}


class _Refs:
    """References for one column of the Costs sheet (see `cost_rows.Refs`)."""

    def __init__(self, layout: Layout, column: int, one_cell: set[str]) -> None:
        self.layout, self.column, self.one_cell = layout, column, one_cell

    def c(self, name: str) -> str:
        row = self.layout.cost_rows[name]
        if name in self.one_cell:
            return xl_rowcol_to_cell(row, 2, True, True)
        return xl_rowcol_to_cell(row, self.column)

    def i(self, name: str) -> str:
        return self.layout.value(name, self.column)

    def fn(self, name: str, *args: str) -> str:
        return self.layout.fn(name, *args)


def write_costs(page: Page) -> None:
    sheet, s, layout = page.sheets["Costs"], page.styles, page.layout
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, 3, 13)
    sheet.set_column(4, 4, 58)
    page.title(sheet, "Costs: where the cost inputs come from (optional)")
    sheet.write(
        "A2",
        "Type in the blue cells. Each column computes with its own column here and on Inputs. A row of Inputs uses "
        "a figure from here only when its From cell says Costs.",
        s.text(text_wrap=False, font_color="#595959"),
    )
    sheet.write_row(
        3, 0, ["Input or figure (unit)", "Low", "Base", "High", "What it means"], s.text(bold=True, bottom=2)
    )
    one_cell = {row.name for _, section in SECTIONS for row in section if row.one_cell}
    typed_rows = [row for _, section in SECTIONS for row in section if row.formula is None and not row.one_cell]
    counts = ",".join(
        f"COUNT(B{layout.cost_rows[row.name] + 1}:D{layout.cost_rows[row.name] + 1})" for row in typed_rows
    )
    sheet.write(2, 0, "Figures typed on this sheet (none: nothing is computed here)", _grey(page))
    sheet.write_formula(2, 1, f"=SUM({counts})", s.get("count"))
    page.book.define_name("costs_entered", "=Costs!$B$3")
    refs = {column: _Refs(layout, column, one_cell) for column in SCENARIO_COLUMNS}
    for title, section in SECTIONS:
        first = layout.cost_rows[section[0].name]
        sheet.write(first - 1, 0, title, s.text(bold=True, bg_color="#DDEBF7", text_wrap=False))
        for row in section:
            _write_row(page, sheet, row, refs)
    _write_feeds(page, sheet, refs)
    sheet.freeze_panes(4, 1)
    page.protect(sheet, format_columns=True)
    page.print_setup(sheet, f"A1:E{layout.costs_end}", one_page=True)


def _style(page: Page, kind: str, input_cell: bool) -> Any:
    return page.styles.get(KIND_FORMATS.get(kind, kind), input_cell=input_cell)


def _write_row(page: Page, sheet: Worksheet, row: CostRow, refs: dict[int, _Refs]) -> None:
    s, at = page.styles, page.layout.cost_rows[row.name]
    sheet.write(at, 0, row.label, s.text(text_wrap=False))
    if row.help:
        sheet.write(at, 4, row.help, _grey(page))
    if row.kind == "note" and row.formula is not None:  # a computed text, running over the empty columns
        sheet.write_formula(at, 1, "=" + row.formula(refs[2]), _grey(page))
        return
    typed = row.formula is None or row.name.endswith("_price")  # a price starts from the table, typing wins
    if row.one_cell:
        style = _style(page, row.kind, True)
        value = row.example if page.example else None
        if isinstance(value, datetime.date):
            sheet.write_datetime(at, 2, datetime.datetime(value.year, value.month, value.day), style)
        elif isinstance(value, str):
            sheet.write_string(at, 2, value, style)
        elif not page.example and row.choices:
            sheet.write_string(at, 2, row.choices[0], style)
        else:
            sheet.write_blank(at, 2, None, style)
        if row.choices:
            rule = {
                "validate": "list",
                "source": list(row.choices),
                "error_message": f"Choose {' or '.join(row.choices)}.",
            }
            sheet.data_validation(at, 2, at, 2, rule | {"input_title": row.label[:32], "input_message": row.help[:255]})
        return
    style = _style(page, row.kind, typed)
    for column in SCENARIO_COLUMNS:
        if row.formula is not None:
            formula = row.formula(refs[column])
            guarded = formula if typed else f'IF(costs_entered=0,"",{formula})'  # a fresh sheet shows no errors
            sheet.write_formula(at, column, "=" + guarded, style)
        elif page.example and isinstance(row.example, tuple):
            sheet.write_number(at, column, row.example[column - 1], style)
        else:
            sheet.write_blank(at, column, None, style)
    if typed:
        number: dict[str, Any] = {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True}
        if row.kind == "share":
            number |= {"criteria": "between", "minimum": 0, "maximum": 1}
        number |= {"input_title": row.label[:32], "input_message": row.help[:255], "error_title": "ftxl input"}
        sheet.data_validation(at, 1, at, 3, number | {"error_message": "Type a number of 0 or more (shares 0-100%)."})


def _write_feeds(page: Page, sheet: Worksheet, refs: dict[int, _Refs]) -> None:
    s, layout = page.styles, page.layout
    first = layout.cost_rows[f"built_{next(iter(FEEDS))}"]
    sheet.write(first - 1, 0, FEED_SECTION, s.text(bold=True, bg_color="#DDEBF7", text_wrap=False))
    sheet.write(first - 1, 4, "Taken from here, Low and High are the lowest and highest column.", _grey(page))
    for name, label in SHORT_FEEDS.items():
        built, used = layout.cost_rows[f"built_{name}"], layout.cost_rows[f"used_{name}"]
        kind = "money_fine" if name.endswith("unit_cost") else "money"
        sheet.write(built, 0, f"{label}: built here", s.text(text_wrap=False))
        sheet.write(used, 0, f"{label}: used by the model", s.text(bold=True, text_wrap=False))
        source = f"{name}_from"
        cells = [xl_rowcol_to_cell(built, column, True, True) for column in SCENARIO_COLUMNS]
        for column, formula in zip(SCENARIO_COLUMNS, _used(cells, source, layout, name), strict=True):
            sheet.write_formula(built, column, f'=IF(costs_entered=0,"",{BUILT[name](refs[column])})', s.get(kind))
            sheet.write_formula(used, column, "=" + formula, s.get(kind))
        sheet.write_formula(
            used, 4, f'=IF({source}="Costs","From Costs (chosen on Inputs)","Typed on Inputs")', _grey(page)
        )
        page.book.define_name(f"used_{name}", f"=Costs!$B${used + 1}:$D${used + 1}")


def _used(built: list[str], source: str, layout: Layout, name: str) -> list[str]:
    """What the model uses per column: the typed cell, or while the row's From cell says Costs the builder's
    figures as Low (lowest), Base and High (highest), so that Low <= Base <= High holds whatever the columns."""
    span = f"{built[0]}:{built[2]}"
    taken = (f'IF(COUNT({span})=3,MIN({span}),"")', built[1], f'IF(COUNT({span})=3,MAX({span}),"")')
    return [f'IF({source}="Costs",{taken[k]},{layout.inp(name, column)})' for k, column in enumerate(SCENARIO_COLUMNS)]


def _grey(page: Page) -> Any:
    return page.styles.text(font_color="#595959", text_wrap=False, indent=1)
