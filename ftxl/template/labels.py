"""The Labels sheet."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from .content import OPTIONS, example_label_log
from .layout import LABEL_BLOCK_SPACING, LABEL_FIRST_ROW, LABEL_ROWS
from .page import Page


def write_labels(page: Page) -> None:
    sheet, s = page.sheets["Labels"], page.styles
    sheet.set_column(0, 3, 30, s.get("text", input_cell=True))
    sheet.set_column(4, 4, 12, s.get("count", input_cell=True))
    sheet.set_column(5, 5, 36)
    sheet.set_column(6, 8, 19)  # wide enough for Wrong department on one line
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
    if page.example:
        for k, (true, routed) in enumerate(example_label_log()):
            sheet.write_string(LABEL_FIRST_ROW - 1 + k, 0, true, s.get("text", input_cell=True))
            sheet.write_string(LABEL_FIRST_ROW - 1 + k, 1, routed, s.get("text", input_cell=True))
    last = LABEL_FIRST_ROW + LABEL_ROWS - 1
    sheet.write("F2", "Separator between department and subclass", s.text(text_wrap=False))
    sheet.write_string("G2", "/", s.get("text", input_cell=True))
    page.book.define_name("label_separator", "=Labels!$G$2")
    true_range = f"$A${LABEL_FIRST_ROW}:$A${last}"
    weights = f"$E${LABEL_FIRST_ROW}:$E${last}"
    for key, title in OPTIONS:
        top = page.layout.label_tops[key]  # 0-based row of the block's title
        routed = page.layout.label_routes[key].removeprefix("Labels!")
        sheet.write(top, 5, f"{title}: counted from the log", s.text(bold=True, text_wrap=False))
        sheet.write_row(top + 1, 5, ["", "Correct", "Wrong subclass", "Wrong department"], s.text(bold=True, bottom=2))
        for j, label in enumerate(("Share", "95% low", "95% high")):
            sheet.write(top + 2 + j, 5, label, s.text())
        counted = page.layout.fn("ROUTE_BUCKETS", true_range, routed, "label_separator", weights, "TRUE")
        for r in range(3):  # a formula per cell, not an array formula: LibreOffice shows the saved values
            for c in range(3):
                formula = f'=IF(COUNTA({routed})=0,"no labels yet",INDEX({counted},{r + 1},{c + 1}))'
                sheet.write_formula(top + 2 + r, 6 + c, formula, s.get("share"))
        counted_events = f'"Events for ± 1 point (counted: "&COUNTA({routed})&")"'
        sheet.write_formula(top + 5, 5, "=" + counted_events, s.text(text_wrap=False))
        for c in range(3):  # how many labelled events each share needs for a 95% interval of ± 1 point
            share = xl_rowcol_to_cell(top + 2, 6 + c)
            needed = page.layout.fn("LABELS_NEEDED", share, "0.01")
            sheet.write_formula(top + 5, 6 + c, f'=IF(COUNTA({routed})=0,"",{needed})', s.get("count"))
    page.book.define_name("label_true_routes", f"=Labels!{true_range}")
    sheet.freeze_panes(LABEL_FIRST_ROW - 1, 0)
    page.protect(sheet, format_columns=True)
    page.print_setup(sheet, f"A1:I{3 + LABEL_BLOCK_SPACING * len(OPTIONS)}")
