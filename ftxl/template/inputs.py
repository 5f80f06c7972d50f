"""The Inputs sheet."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..costs import FEEDS
from .content import EXAMPLE, LABEL_SOURCES, SCENARIOS, SECTIONS
from .layout import SCENARIO_COLUMNS, SOURCES
from .page import INPUT_FILL, INPUT_FONT, Page


def write_inputs(page: Page) -> None:
    sheet, s = page.sheets["Inputs"], page.styles
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 3, 14)
    sheet.set_column(4, 4, 9)
    sheet.set_column(5, 5, 95)
    page.title(sheet, "Inputs: type in the blue cells")
    sheet.write("A2", "Input checks", s.text(bold=True))
    page.flag(sheet, "B2")
    sheet.write_row(3, 0, ["Input (unit)", *SCENARIOS, "From", "What it means"], s.text(bold=True, bottom=2))
    for section in SECTIONS:
        title_row = page.layout.input_rows[section.inputs[0].name] - 1
        sheet.write(title_row, 0, section.title, s.text(bold=True, bg_color="#DDEBF7"))
        for item in section.inputs:
            row = page.layout.input_rows[item.name]
            sheet.write(row, 0, item.label, s.text(text_wrap=False))
            values = EXAMPLE.get(item.name) if page.example else None
            for k, column in enumerate(SCENARIO_COLUMNS):
                if values is None:
                    sheet.write_blank(row, column, None, s.get(item.kind, input_cell=True))
                else:
                    sheet.write(row, column, values[k], s.get(item.kind, input_cell=True))
            sheet.write(row, 5, item.help, s.text(font_color="#595959", text_wrap=False))
            if item.name in FEEDS:
                _source(page, sheet, row, item.name)
            _validate(page, sheet, row, item.kind, item.label, item.help, item.optional)
            if item.comment:
                sheet.write_comment(row, SCENARIO_COLUMNS[1], item.comment, {"x_scale": 2})
            first, last = xl_rowcol_to_cell(row, 1, True, True), xl_rowcol_to_cell(row, 3, True, True)
            page.book.define_name(item.name, f"=Inputs!{first}:{last}")
    sheet.freeze_panes(4, 1)
    page.protect(sheet, format_columns=True)
    page.print_setup(sheet, f"A1:F{page.layout.inputs_end - 1}", landscape_page=True)  # to the last row, no spacer


def _source(page: Page, sheet: Worksheet, row: int, name: str) -> None:
    """The row's From cell: typed (its Low, Base, High) or Costs (the builder's figure), named `<name>_from`; the
    typed cells turn grey and struck through while Costs feeds the row."""
    s = page.styles
    sheet.write_string(row, 4, "typed", s.text(font_color=INPUT_FONT, bg_color=INPUT_FILL, locked=False, bold=True))
    sheet.data_validation(
        row,
        4,
        row,
        4,
        {
            "validate": "list",
            "source": list(SOURCES),
            "input_title": "Where the row's value is from",
            "input_message": "typed: the Low, Base and High typed here. Costs: the figure the Costs sheet builds.",
            "error_message": "Choose typed or Costs.",
        },
    )
    source = xl_rowcol_to_cell(row, 4, True, True)
    page.book.define_name(f"{name}_from", f"=Inputs!{source}")
    ignored = page.book.add_format({"font_color": "#A6A6A6", "font_strikeout": True})
    sheet.conditional_format(row, 1, row, 3, {"type": "formula", "criteria": f'={source}="Costs"', "format": ignored})


def _validate(page: Page, sheet: Worksheet, row: int, kind: str, title: str, help_text: str, optional: bool) -> None:
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
    elif kind == "rate":
        rule |= {
            "criteria": "between",
            "minimum": -0.99,
            "maximum": 10,
            "error_message": "Type a yearly rate between -99% and 1000%.",
        }
    elif kind in ("count", "days") and not optional:
        rule |= {"criteria": ">", "value": 0, "error_message": "Type a number above 0."}
    else:
        rule |= {"criteria": ">=", "value": 0, "error_message": "Type a number of 0 or more."}
    rule |= {"input_title": title[:32], "input_message": help_text[:255], "error_title": "ftxl input"}
    sheet.data_validation(row, 1, row, 3, rule)
