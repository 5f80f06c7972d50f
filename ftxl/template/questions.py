"""The Questions sheet."""

from __future__ import annotations

import math

from .content import EXAMPLE_ANSWERS, EXAMPLE_MEASURE_COSTS, QUESTIONS
from .page import Page


def write_questions(page: Page) -> None:
    sheet, s = page.sheets["Questions"], page.styles
    widths = (5, 16, 70, 40, 24, 12, 14)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.write(
        "A1", "Questions to answer before trusting the numbers", s.text(bold=True, font_size=14, text_wrap=False)
    )
    header = ["#", "Topic", "Question", "Answer", "Source", "Status", "Cost to measure (EUR)"]
    sheet.write_row(2, 0, header, s.text(bold=True, bottom=2))
    sheet.set_row(2, 30)
    answer_style = s.get("text", input_cell=True, wrap=True)
    for k, (topic, question, _) in enumerate(QUESTIONS):
        row = 3 + k
        answer, source, status = EXAMPLE_ANSWERS[k] if page.example else ("", "", "missing")
        texts = (topic, question, answer, source)
        sheet.set_row(row, _wrapped_height(texts, widths[1:5]))  # a fixed height would let lines overprint
        sheet.write_number(row, 0, k + 1, s.text())
        sheet.write(row, 1, topic, s.text())
        sheet.write(row, 2, question, s.text())
        for column, value in ((3, answer), (4, source), (5, status)):
            sheet.write_string(row, column, value, answer_style) if value else sheet.write_blank(
                row, column, None, answer_style
            )
        cost = EXAMPLE_MEASURE_COSTS.get(k) if page.example else None
        money = s.get("money_big", input_cell=True, wrap=True)  # top-aligned, as the answers beside it
        sheet.write_number(row, 6, cost, money) if cost is not None else sheet.write_blank(row, 6, None, money)
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
    page.book.define_name("question_status", f"=Questions!$F$4:$F${last + 1}")
    sheet.data_validation(
        3,
        6,
        last,
        6,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": "Cost to measure",
            "input_message": "Euros to get this answer measured (a time study, labels, a quote); empty: not priced.",
        },
    )
    sheet.freeze_panes(3, 0)
    page.protect(sheet, format_columns=True)
    page.print_setup(sheet, f"A1:G{last + 1}")


LINE_HEIGHT = 15.0
"""Points per line of text in the default 11-point font."""


def _wrapped_height(texts: tuple[str, ...], widths: tuple[int, ...]) -> float:
    """Row height in points that shows every line of `texts` wrapped in columns of `widths` characters.

    Wrapping is estimated (a character is taken as 1.2 of a width unit, so the row is rather too tall
    than too short): LibreOffice and printers keep a row's stored height, they do not fit it.
    """
    lines = max(math.ceil(len(text) * 1.2 / width) if text else 1 for text, width in zip(texts, widths, strict=True))
    return LINE_HEIGHT * max(1, lines)
