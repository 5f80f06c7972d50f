"""What every sheet writer shares: the workbook, its cell styles, the layout, and the page set-up rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .layout import WHY_NO_CHART, Layout

INPUT_FILL, INPUT_FONT = "#FFF2CC", "#0000FF"
FORMATS = {
    "count": "#,##0",
    "days": "#,##0.##",
    "seconds": "#,##0.#",
    "money": "€#,##0.00",
    "money_per_event": "€#,##0.0000",
    "money_fine": "€#,##0.000000",
    "share": "0.0%",
    "rate": "0.0%",
    "number": "#,##0.####",
    "money_big": "€#,##0",
    "date": "yyyy-mm-dd",
}


@dataclass
class Styles:
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


@dataclass
class Page:
    """One template being written: every sheet writer takes it."""

    book: Workbook
    styles: Styles
    layout: Layout
    example: bool
    """Fill the inputs (and labels, answers) with the insurance example."""
    sheets: dict[str, Worksheet] = field(default_factory=dict)

    def title(self, sheet: Worksheet, text: str) -> None:
        sheet.write("A1", text, self.styles.text(bold=True, font_size=14, text_wrap=False))

    @staticmethod
    def protect(sheet: Worksheet, format_columns: bool = False) -> None:
        """Lock the formulas, no password: Review > Unprotect Sheet lifts it."""
        options = {"select_locked_cells": True, "select_unlocked_cells": True}
        sheet.protect("", options | ({"format_columns": True} if format_columns else {}))

    def flag(self, sheet: Worksheet, cell: str) -> None:
        """The checks flag: green while every check passes, red as soon as one fails."""
        sheet.write_formula(cell, "=checks_flag", self.styles.text(bold=True, font_color="#00703C", text_wrap=False))
        red = self.book.add_format({"font_color": "#C00000", "bold": True})
        sheet.conditional_format(cell, {"type": "text", "criteria": "begins with", "value": "Fix", "format": red})
        grey = self.book.add_format({"font_color": "#595959", "bold": True})
        sheet.conditional_format(
            cell, {"type": "text", "criteria": "begins with", "value": "Not started", "format": grey}
        )

    def chart_title(self, sheet: Worksheet, cell: tuple[int, int], title: str, data: str) -> dict[str, Any]:
        """A chart's title, written to `cell` (outside the print area) as a formula: `title` while the range
        `data` holds a number, else `title` and why the chart is empty (a fresh template prints "...: not
        started, 22 inputs to fill in", not a chart of nothing). For XlsxWriter's `set_title`."""
        row, column = cell
        formula = f'=IF(COUNT({data})>0,"{title}","{title}: "&{WHY_NO_CHART})'
        sheet.write_formula(row, column, formula, self.styles.text(text_wrap=False))
        return {"name": [sheet.name, row, column]}

    @staticmethod
    def print_setup(sheet: Worksheet, area: str, one_page: bool = False, landscape_page: bool = False) -> None:
        """Print one page wide (landscape), the whole sheet on one portrait page, or on one landscape page."""
        sheet.print_area(area)
        if one_page:
            sheet.set_portrait()
            sheet.fit_to_pages(1, 1)
        else:
            sheet.set_landscape()
            sheet.fit_to_pages(1, 1 if landscape_page else 0)
        sheet.set_paper(9)  # A4
        sheet.hide_gridlines(1)  # on screen only: a printed page shows the tables, not an empty grid
