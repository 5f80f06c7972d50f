"""The Timeline sheet."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .content import OPTIONS
from .layout import CASES, SCENARIO_COLUMNS, TIMELINE_POINTS, TIMELINE_TABLE_ROW
from .page import Page


def write_timeline(page: Page) -> None:
    sheet, s = page.sheets["Timeline"], page.styles
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 7, 16)
    sheet.write("A1", "Timeline: fine-tuned vs prompted, cumulative", s.text(bold=True, font_size=14, text_wrap=False))
    sheet.write("A2", "Points on the chart", s.text())
    sheet.write_number("B2", TIMELINE_POINTS, s.get("count"))
    sheet.write("A3", "Days between points (Base horizon / points)", s.text())
    sheet.write_formula("B3", f"={page.layout.inp('horizon_days', 2)}/B2", s.get("days"))
    _breakeven_table(page, sheet)
    header = ["Day", *(f"Savings, {x} (EUR)" for x in CASES), *(f"Investment, {x} (EUR)" for x in CASES)]
    _cost_parts_chart(page, sheet, 4)
    sheet.write(
        TIMELINE_TABLE_ROW - 1, 0, "Cumulative savings and investment by day", s.text(bold=True, text_wrap=False)
    )
    sheet.write_row(TIMELINE_TABLE_ROW, 0, header, s.text(bold=True, bottom=2))
    sheet.set_row(TIMELINE_TABLE_ROW, 30)  # headers wrap to two lines
    first = TIMELINE_TABLE_ROW + 1
    for k in range(TIMELINE_POINTS + 1):
        row = first + k
        previous = "0" if k == 0 else f"A{row}+$B$3"
        sheet.write_formula(row, 0, f"={previous}", s.get("days"))
        for j, column in enumerate(SCENARIO_COLUMNS):
            saving = xl_rowcol_to_cell(page.layout.result_rows["saving_per_day"], column, True, True)
            saving_cell = f"Results!{saving}"
            sheet.write_formula(  # empty, not an error, while the scenario has no result
                row, 1 + j, f'=IF(ISNUMBER({saving_cell}),A{row + 1}*{saving_cell},"")', s.get("money_big")
            )
            sheet.write_formula(row, 4 + j, f"={page.layout.scen('investment', column)}", s.get("money_big"))
    last = first + TIMELINE_POINTS
    chart = page.book.add_chart({"type": "scatter", "subtype": "straight"})
    for j, scenario in enumerate(CASES):
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
    for j, scenario in enumerate(CASES):  # each scenario's break-even as a point where its lines cross
        chart.add_series(
            {
                "name": f"Break-even, {scenario}",
                "categories": ["Timeline", BREAKEVEN_ROW + 1, 4 + j, BREAKEVEN_ROW + 1, 4 + j],
                "values": ["Timeline", BREAKEVEN_ROW + 2, 4 + j, BREAKEVEN_ROW + 2, 4 + j],
                "line": {"none": True},
                "marker": {"type": "diamond", "size": 9},
            }
        )
    chart.set_title({"name": "Break-even: where savings cross the investment"})
    chart.set_x_axis({"name": "Day", "min": 0})
    chart.set_y_axis({"name": "EUR", "num_format": "€#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 320})
    sheet.insert_chart("A11", chart)
    page.protect(sheet)
    page.print_setup(sheet, f"A1:H{last + 1}")  # ends at the table's last day
    sheet.set_h_pagebreaks([TIMELINE_TABLE_ROW - 1])  # both charts, legends included, on the first page


BREAKEVEN_ROW = 0
"""Row of the small table of each scenario's break-even (day, investment) that the chart marks."""


def _breakeven_table(page: Page, sheet: Worksheet) -> None:
    s, r = page.styles, page.layout.res
    sheet.write(BREAKEVEN_ROW, 3, "Break-even", s.text(bold=True))
    sheet.write_row(BREAKEVEN_ROW, 4, list(CASES), s.text(bold=True, bottom=2))
    sheet.write(BREAKEVEN_ROW + 1, 3, "Day (≤ horizon)", s.text(text_wrap=False))  # empty: later or never
    sheet.write(BREAKEVEN_ROW + 2, 3, "Investment (EUR)", s.text())
    for j, column in enumerate(SCENARIO_COLUMNS):
        day = f"Results!{r('breakeven_days', column)}"
        within = f"AND(ISNUMBER({day}),{day}<={page.layout.scen('horizon_days', column)})"
        sheet.write_formula(BREAKEVEN_ROW + 1, 4 + j, f'=IF({within},{day},"")', s.get("days"))
        investment = page.layout.scen("investment", column)
        sheet.write_formula(BREAKEVEN_ROW + 2, 4 + j, f'=IF({within},{investment},"")', s.get("money_big"))


def _cost_parts_chart(page: Page, sheet: Worksheet, top: int) -> None:
    s, r = page.styles, page.layout.res
    sheet.write(top, 0, "Cost per event by option, Base (EUR)", s.text(bold=True))
    sheet.write_row(top + 1, 0, ["Option", "Handling or inference", "Errors", "Review"], s.text(bold=True, bottom=2))
    for k, (key, title) in enumerate(OPTIONS):
        row = top + 2 + k
        sheet.write(row, 0, title, s.text())
        for j, part in enumerate(("unit_cost", "error_cost", "review_cost")):
            sheet.write_formula(row, 1 + j, f"=Results!{r(f'{key}_{part}', 2)}", s.get("money_per_event"))
    chart = page.book.add_chart({"type": "column", "subtype": "stacked"})
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
    chart.set_size({"width": 760, "height": 300})
    sheet.insert_chart("A29", chart)
