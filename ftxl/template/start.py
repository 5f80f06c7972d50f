"""The Start sheet."""

from __future__ import annotations

from .content import SCENARIOS
from .layout import SCENARIO_COLUMNS
from .page import Page


def write_start(page: Page) -> None:
    sheet, s = page.sheets["Start"], page.styles
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 3, 40)
    sheet.set_column(4, 4, 60)
    sheet.write(
        "A1",
        "Fine-tune a small model, or prompt a frontier model?",
        s.text(bold=True, font_size=16, text_wrap=False),
    )
    sheet.merge_range(
        "A2:E2",
        "This workbook compares the expected cost per event of three ways to handle a task "
        "(people, a prompted API model, a fine-tuned model) and says whether the fine-tuning "
        "investment pays back within your horizon, for a low, base and high case.",
        s.text(),
    )
    sheet.set_row(0, 24)  # the 16-point title
    sheet.set_row(1, 48)
    steps = [
        "1. Answer what you can on Questions, with a source for each answer.",
        "2. On Inputs, type your figures in the blue cells: Low, Base and High for each row.",
        "3. Check that the flag below says all checks pass; if not, fix what Checks lists.",
        "4. Read the costs, savings, break-even and decision on Results, the crossing on Timeline.",
        "5. On Sensitivity, see what flips the decision; narrow the ranges of the inputs at the top of its tornado.",
    ]
    sheet.write("A4", "How to use it", s.text(bold=True))
    for k, step in enumerate(steps):
        sheet.merge_range(4 + k, 0, 4 + k, 4, step, s.text())
    sheet.write("A11", "Colours", s.text(bold=True))
    sheet.write("A12", "Blue on yellow: type here", s.get("text", input_cell=True))
    sheet.write("A13", "Black: computed, locked", s.text())
    sheet.write("A15", "Add-in status", s.text(bold=True))
    sheet.write_formula("B15", "=" + page.layout.fn("FTXL_VERSION"), s.text(bold=True))
    sheet.merge_range(
        "C15:E15",
        "An error here instead of a version means the ftxl add-in is not loaded: the figures are the last "
        "computed ones. Load it (see the README), or run: ftxl recalc THIS_FILE.xlsx --in-place",
        s.text(),
    )
    sheet.set_row(14, 32)
    sheet.write("A16", "Recalculate without Excel", s.text(bold=True))
    sheet.write("B16", "ftxl recalc THIS_FILE.xlsx --in-place", s.text(font_name="Consolas"))
    sheet.write("A17", "Input checks", s.text(bold=True))
    page.flag(sheet, "B17")
    sheet.write("A18", "Questions still open", s.text(bold=True))
    sheet.write_formula("B18", '=COUNTA(Questions!C4:C100)-COUNTIF(question_status,"answered")', s.get("count"))
    sheet.write("C18", "not yet answered (estimated or missing)", s.text())
    sheet.write("A20", "Decision", s.text(bold=True))
    sheet.write_row("B20", ["Worst case", "Base", "Best case"], s.text(bold=True, bottom=2))
    base = SCENARIO_COLUMNS[SCENARIOS.index("Base")]
    sheet.write_formula(20, 1, "=out_decision_worst", s.text(bold=True))
    sheet.write_formula(20, 2, f"=Results!{page.layout.res('decision', base)}", s.text(bold=True))
    sheet.write_formula(20, 3, "=out_decision_best", s.text(bold=True))
    sheet.write("A22", "Net value of fine-tuning (EUR)", s.text())
    sheet.write_formula(21, 1, "=out_npv_worst", s.get("money_big"))
    sheet.write_formula(21, 2, f"=Results!{page.layout.res('npv', base)}", s.get("money_big"))
    sheet.write_formula(21, 3, "=out_npv_best", s.get("money_big"))
    sheet.merge_range(
        "A23:E23",
        "Worst and best case: each input at the end of its Low-High range that, moved alone, hurts (helps) "
        "fine-tuning; Results computes them, Scenarios lists their inputs.",
        s.text(),
    )
    page.protect(sheet)
    page.print_setup(sheet, "A1:E23")
