"""The Start sheet."""

from __future__ import annotations

from .content import SCENARIOS
from .layout import CASE_KEYS, SCENARIO_COLUMNS, SCENARIO_PROBLEMS, WHAT_IS_WRONG
from .page import Page


def write_start(page: Page) -> None:
    """One portrait page: the question, the decision in the three cases (large), how to use the workbook,
    and the state of the add-in, the checks and the questions."""
    sheet, s = page.sheets["Start"], page.styles
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 24)
    sheet.set_column(4, 4, 30)
    sheet.write(
        "A1",
        "Fine-tune a small model, or prompt a frontier model?",
        s.text(bold=True, font_size=16, text_wrap=False),
    )
    sheet.merge_range(
        "A2:E2",
        "This workbook compares the expected cost per event of three ways to handle a task "
        "(people, a prompted API model, a fine-tuned model) and says which has the lowest total cost "
        "over your horizon, fine-tuning investment included, in the worst case, Base and the best case.",
        s.text(),
    )
    sheet.set_row(0, 24)  # the 16-point title
    sheet.set_row(1, 48)
    _decision(page)
    steps = [
        "1. Answer what you can on Questions, with a source for each answer.",
        "2. On Inputs, type your figures in the blue cells (Low, Base, High), or build the costs on Costs.",
        f"3. Check that the flag below says all checks pass; if not, fix what the checks beside Inputs list (column "
        f"{WHAT_IS_WRONG}).",
        "4. Read costs, savings, break-even and the decision on Results, the crossing on Timeline.",
        "5. On Sensitivity, see what flips the decision; narrow the ranges at the top of its tornado.",
    ]
    sheet.write("A11", "How to use it", s.text(bold=True))
    for k, step in enumerate(steps):
        sheet.merge_range(11 + k, 0, 11 + k, 4, step, s.text())
    sheet.write("A18", "Colours", s.text(bold=True))
    sheet.write("B18", "Blue on yellow: type here", s.get("text", input_cell=True))
    sheet.write("C18", "Black: computed, locked", s.text())
    sheet.write("A20", "Figures computed by", s.text(bold=True))
    sheet.merge_range("B20:C20", "", s.text(bold=True))
    sheet.write_formula("B20", "=" + page.layout.fn("FTXL_VERSION"), s.text(bold=True))
    sheet.merge_range(
        "D20:E20",
        "Who computed the figures shown, and when. An error in this cell: the ftxl add-in is not loaded; "
        "load it (see the README), or run the command below.",
        s.text(),
    )
    sheet.set_row(19, 48)
    sheet.write("A21", "Recalculate without Excel", s.text(bold=True))
    sheet.merge_range("B21:E21", "ftxl recalc THIS_FILE.xlsx --in-place", s.text(font_name="Consolas"))
    sheet.write("A22", "Input checks", s.text(bold=True))
    page.flag(sheet, "B22")
    sheet.write("A23", "Questions still open", s.text(bold=True))
    sheet.write_formula("B23", '=COUNTA(Questions!C4:C100)-COUNTIF(question_status,"answered")', s.get("count"))
    sheet.write("C23", "not yet answered (estimated or missing)", s.text(text_wrap=False))
    page.protect(sheet)
    page.print_setup(sheet, "A1:E23", one_page=True)


def _decision(page: Page) -> None:
    """The decision in the worst case, Base and the best case, in large type, with the net value behind it."""
    sheet, s = page.sheets["Start"], page.styles
    base = SCENARIO_COLUMNS[SCENARIOS.index("Base")]
    sheet.write("A4", "Decision", s.text(bold=True, font_size=13))
    sheet.write_row("B4", ["Worst case", "Base", "Best case"], s.text(bold=True, bottom=2, align="center"))
    verdict = s.text(bold=True, font_size=13, align="center", bg_color="#E2EFDA")
    sheet.write_formula(4, 1, "=out_decision_worst", verdict)
    sheet.write_formula(4, 2, f"=Results!{page.layout.res('decision', base)}", verdict)
    sheet.write_formula(4, 3, "=out_decision_best", verdict)
    sheet.set_row(4, 36)
    sheet.write("A6", "Net savings of fine-tuning (EUR)", s.text())
    sheet.write("A7", "Measured against", s.text())
    sheet.write("A8", "Break-even", s.text())
    for column, case in zip(SCENARIO_COLUMNS, CASE_KEYS, strict=True):
        sheet.write_formula(5, column, f"=out_net_savings_{case}", s.get("money_big"))
        sheet.write_formula(6, column, f"=out_against_{case}", s.text(align="center"))
        sheet.write_formula(7, column, f"=out_breakeven_text_{case}", s.text(align="center"))
    sheet.set_row(7, 30)
    sheet.write("A9", "Limits (Base)", s.text())
    limits = page.layout.fn("FINETUNE_VALUE", "feed_names", "feed_base", '"limits_text"')
    sheet.merge_range("B9:E9", "", s.text())
    sheet.write_formula("B9", f'=IF({SCENARIO_PROBLEMS[base]}>0,"",{limits})', s.text())
    sheet.set_row(8, 58)
    page.book.define_name("limits_text_base", "=Start!$B$9")
    sheet.merge_range(
        "A10:E10",
        "Worst (best) case: each input at the end of its Low-High range that, moved alone, hurts (helps) "
        "fine-tuning. Every figure is fine-tuning against the best other option over the horizon, costs over "
        "time included. See Results and Sensitivity.",
        s.text(),
    )
    sheet.set_row(9, 32)
