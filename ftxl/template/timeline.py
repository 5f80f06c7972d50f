"""The Timeline sheet."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from .content import OPTIONS
from .layout import CASES, SCENARIO_COLUMNS, SCENARIO_PROBLEMS, TIMELINE_POINTS, TIMELINE_TABLE_ROW
from .page import Page


def write_timeline(page: Page) -> None:
    sheet, s = page.sheets["Timeline"], page.styles
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 7, 16)
    sheet.write(
        "A1",
        "Timeline: fine-tuning, cumulative (Base)",
        s.text(bold=True, font_size=14, text_wrap=False),
    )
    sheet.write("A2", "Measured against", s.text())
    sheet.write_formula("B2", f"=Results!{page.layout.res('against', 2)}", s.text(text_wrap=False))
    sheet.write("A3", "Points on the chart", s.text())
    sheet.write_number("B3", TIMELINE_POINTS, s.get("count"))
    _breakeven_table(page, sheet)
    header = ["Day", "Savings before one-off costs (EUR)", "One-off costs (EUR)"]
    _cost_parts_chart(page, sheet, 4, (TIMELINE_TABLE_ROW + 2, 5))
    sheet.write(
        TIMELINE_TABLE_ROW - 1,
        0,
        "Chart data, Base: cumulative savings against the best other option (costs over time included; present "
        "values with a discount rate) and fine-tuning's one-off costs",
        s.text(bold=True, text_wrap=False),
    )
    sheet.write_row(TIMELINE_TABLE_ROW, 0, header, s.text(bold=True, bottom=2))
    sheet.set_row(TIMELINE_TABLE_ROW, 30)  # headers wrap to two lines
    first = TIMELINE_TABLE_ROW + 1
    base = SCENARIO_COLUMNS[1]
    curve = page.layout.fn("FINETUNE_VALUE", "feed_names", "feed_base", '"curve"', "$B$3")
    step = TIMELINE_POINTS // 5  # an axis label every fifth of the horizon: 0, 36, 72 ... 180
    sheet.write(TIMELINE_TABLE_ROW, 3, "Axis label", s.text(bold=True, bottom=2))
    for k in range(TIMELINE_POINTS + 1):
        row = first + k
        for j, kind in enumerate(("days", "money_big", "money_big")):
            # while the Base case has no result: no day, and #N/A for the money, which a line chart leaves out
            # (it would draw an empty text as 0: a flat line of zeros on a fresh template)
            nothing = '""' if j == 0 else "NA()"
            sheet.write_formula(
                row, j, f"=IF({SCENARIO_PROBLEMS[base]}>0,{nothing},INDEX({curve},{k + 1},{j + 1}))", s.get(kind)
            )
        label = f'=IF(A{row + 1}="","",TEXT(A{row + 1},"0"))' if k % step == 0 else '=""'
        sheet.write_formula(row, 3, label, s.text())
    last = first + TIMELINE_POINTS
    for j, name in enumerate(("timeline_days", "timeline_savings", "timeline_one_off")):
        letter = "ABC"[j]
        page.book.define_name(name, f"=Timeline!${letter}${first + 1}:${letter}${last + 1}")
    # a line chart: its category axis ends at the last day, the horizon, where a scatter's axis would round up
    # (180 -> 200); the points are evenly spaced days, so a line chart draws them where they belong
    chart = page.book.add_chart({"type": "line"})
    chart.add_series(
        {
            "name": "Cumulative savings before one-off costs, Base",
            "categories": ["Timeline", first, 3, last, 3],
            "values": ["Timeline", first, 1, last, 1],
            "line": {"width": 2.75, "color": "#2E75B6"},
            "marker": {"type": "none"},
        }
    )
    chart.add_series(
        {
            "name": "One-off costs, Base (break-even where the lines cross)",
            "categories": ["Timeline", first, 3, last, 3],
            "values": ["Timeline", first, 2, last, 2],
            "line": {"width": 2.25, "dash_type": "dash", "color": "#C00000"},
            "marker": {"type": "none"},
        }
    )
    sheet.write(TIMELINE_TABLE_ROW, 5, "Chart titles", s.text(bold=True, bottom=2))
    title = "Break-even (Base): where savings cross the one-off costs"
    chart.set_title(page.chart_title(sheet, (first, 5), title, f"$B${first + 1}:$B${last + 1}"))
    chart.set_x_axis({"name": "Day (the axis ends at the horizon)", "position_axis": "on_tick"})
    chart.set_y_axis({"name": "EUR", "num_format": "€#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 320})
    sheet.insert_chart("A11", chart)
    page.protect(sheet)
    page.print_setup(sheet, f"A1:H{TIMELINE_TABLE_ROW - 1}")  # the charts; the chart data below does not print


BREAKEVEN_ROW = 0
"""Row of the small table of each scenario's break-even (day, investment) beside the chart."""


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


def _cost_parts_chart(page: Page, sheet: Worksheet, top: int, title_cell: tuple[int, int]) -> None:
    s, r = page.styles, page.layout.res
    sheet.write(top, 0, "Cost per event by option, Base (EUR)", s.text(bold=True))
    sheet.write_row(top + 1, 0, ["Option", "Handling or inference", "Errors", "Review"], s.text(bold=True, bottom=2))
    sheet.set_row(top + 1, 30)  # the two-line header
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
    title = "Cost per event by option (Base), split into its parts"
    chart.set_title(page.chart_title(sheet, title_cell, title, f"$B${top + 3}:$D${top + 5}"))
    chart.set_y_axis({"name": "EUR per event", "num_format": "€0.00"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 300})
    sheet.insert_chart("A29", chart)
