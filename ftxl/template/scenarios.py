"""The Scenarios sheet: every input's value in the worst case, Base and the best case, which Results computes.

The worst (best) case takes each input at the end of its Low-High range that, moved alone from
Base, lowers (raises) fine-tuning's net savings (SENSITIVITY "case_inputs"); Low / Base / High
stay on Inputs as each input's range. While the workbook holds inputs the analysis does not
model (typed shares or costs, shares counted from labels), the analysis cannot say which end
hurts: the cases are then plainly Low and High, and the column headers say so.
"""

from __future__ import annotations

from ..analysis import COST_OVERRIDES
from .content import OPTION_SHORT, plain_label
from .layout import ANALYSED, CASE_KEYS, CASES, SCENARIO_COLUMNS, SCENARIO_FIRST_ROW
from .page import Page

CASE_INPUTS = 'SENSITIVITY(analysis_names,analysis_low,analysis_base,analysis_high,"case_inputs")'


def case_header(column: int) -> str:
    """The formula heading a case column: Worst case / Best case, or Low / High while the analysis is off."""
    case, fallback = CASES[column - 1], ("Low", "Base", "High")[column - 1]
    return f'=IF(analysis_blocked>0,"{fallback} (analysis off)","{case}")' if case != "Base" else '="Base"'


def write_scenarios(page: Page) -> None:
    sheet, s, layout = page.sheets["Scenarios"], page.styles, page.layout
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 3, 16)
    sheet.set_column(4, 4, 40)
    sheet.set_column(5, 5, 34)
    page.title(sheet, "Scenarios: each input in the worst case, Base and the best case (computed)")
    sheet.write(
        "A2",
        "Worst (best) case: each input at the end of its Low-High range that, moved alone, hurts (helps) "
        "fine-tuning. Results computes these three columns.",
        s.text(text_wrap=False),
    )
    sheet.write(SCENARIO_FIRST_ROW - 1, 0, "Input", s.text(bold=True, bottom=2))
    for column in SCENARIO_COLUMNS:
        sheet.write_formula(SCENARIO_FIRST_ROW - 1, column, case_header(column), s.text(bold=True, bottom=2))
    sheet.write(SCENARIO_FIRST_ROW - 1, 4, "From", s.text(bold=True, bottom=2))
    sheet.write(SCENARIO_FIRST_ROW - 1, 5, "Input name (read by the functions)", s.text(bold=True, bottom=2))
    for name, row in layout.scenario_rows.items():
        sheet.write_string(row, 0, _label(name), s.text(text_wrap=False))
        sheet.write_string(row, 5, name, s.text(font_color="#595959", text_wrap=False))
        for column in SCENARIO_COLUMNS:
            formula, source = _value(page, name, column)
            sheet.write_formula(row, column, formula, s.get("number"))
        sheet.write(row, 4, source, s.text(font_color="#595959", text_wrap=False))
    top, end = SCENARIO_FIRST_ROW + 1, layout.feed_end
    page.book.define_name("feed_names", f"=Scenarios!$F${top}:$F${end}")
    for key, column in zip(CASE_KEYS, SCENARIO_COLUMNS, strict=True):
        letter = "ABCD"[column]
        page.book.define_name(f"feed_{key}", f"=Scenarios!${letter}${top}:${letter}${end}")
    page.protect(sheet, format_columns=True)
    sheet.hide()  # a helper the Results read: shown with Format > Sheet > Show, never in the printed pack


def _label(name: str) -> str:
    """The plain label of an input row, or what an all-in cost per event is."""
    if name in COST_OVERRIDES:
        option = OPTION_SHORT[name.split("_", 1)[0]]
        return f"{option}: all-in cost (EUR per event)"
    return plain_label(name)


def _value(page: Page, name: str, column: int) -> tuple[str, str]:
    """The formula of one input's value in one case, and where it comes from in words."""
    layout = page.layout
    if name in COST_OVERRIDES:
        key = name.removesuffix("_per_event").removesuffix("_cost")
        return f"=Results!{layout.res(f'{key}_cost_per_event', column)}", "Results: all-in cost per event"
    own = layout.value(name, column)  # a row the cost builder feeds: typed or built, as its From cell says
    if name.endswith("_typed"):  # an empty cell stays empty: Results tells typed from computed by it
        return f'=IF(ISBLANK({own}),"",{own})', "Inputs (Low, Base, High)"
    if name not in ANALYSED or column == 2:
        return f"={own}", "Inputs (Low, Base, High)" if name not in ANALYSED else "Inputs; worst and best: Sensitivity"
    k = ANALYSED.index(name) + 1
    return (
        f"=IF(analysis_blocked+checks_problems>0,{own},INDEX({CASE_INPUTS},{k},{2 if column == 1 else 3}))",
        "Inputs; worst and best: Sensitivity",
    )
