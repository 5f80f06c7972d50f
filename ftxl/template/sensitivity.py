"""The Sensitivity sheet: what flips the decision and how likely it is, from each input's Low / Base / High.

Its last block lists the analysis inputs by name beside their Low / Base / High on Inputs
(`analysis_names`, `analysis_low` ...), which every SENSITIVITY call reads.
The tables are spilled by SENSITIVITY; they show why they are empty while a check fails, or
while the workbook holds inputs the analysis does not model (typed shares or costs, shares
counted from labels), rather than an answer computed from other inputs than Results uses.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ..analysis import DEFAULT_DRAWS
from ..cell_functions import SIMULATION_LABELS
from .content import OPTIONS, QUESTIONS, SCENARIOS, plain_label, question_of
from .layout import ANALYSED, CHECKS_AT, SCENARIO_COLUMNS
from .page import Page

NOT_MODELLED = (
    "cost_wrong_department_typed",
    "cost_wrong_subclass_typed",
    *(f"{key}_share_{bucket}_typed" for key, _ in OPTIONS for bucket in ("wrong_subclass", "wrong_department")),
)
"""Input rows the analysis does not read: while any holds a number, the tables stay empty."""
DRAWS, SEED = DEFAULT_DRAWS, 0
BINS = 20
FIX = f'"Fix inputs first: see {CHECKS_AT}"'
BLOCKED = '"The analysis works from accuracies and days lost: clear typed shares and costs, choose accuracies"'


def _heading(page: Page, row: int, text: str) -> None:
    page.sheets["Sensitivity"].write(row, 0, text, page.styles.text(bold=True, bg_color="#DDEBF7", text_wrap=False))


def _spilled(page: Page, top: int, rows: int, call: str, kinds: tuple[str, ...]) -> None:
    """`rows` x len(`kinds`) cells from row `top`, each one cell of `call`'s spilled table (INDEX) in the format
    of its column's kind, guarded like the Results: the first cell says why while a check fails or the
    analysis cannot read the inputs.

    One formula per cell rather than an array formula: LibreOffice recomputes array formulas on loading (and
    cannot run ftxl's functions), while it shows the values saved with ordinary ones. ftxl's functions keep
    their last answers, so the table is computed once, not once per cell.
    """
    sheet = page.sheets["Sensitivity"]
    for r in range(rows):
        for c, kind in enumerate(kinds):
            why_fix, why_blocked = (FIX, BLOCKED) if r == c == 0 else ('""', '""')
            cell = f"INDEX({call},{r + 1},{c + 1})"
            formula = f"=IF(checks_problems>0,{why_fix},IF(analysis_blocked>0,{why_blocked},{cell}))"
            style = page.styles.text(text_wrap=False) if kind == "text" else page.styles.get(kind)
            sheet.write_formula(top + r, c, formula, style)


def _header(page: Page, row: int, title: str, columns: list[str]) -> None:
    _heading(page, row, title)
    page.sheets["Sensitivity"].write_row(row + 1, 0, columns, page.styles.text(bold=True, bottom=2))
    page.sheets["Sensitivity"].set_row(row + 1, 30)  # headers may take two lines


PROBABILITY_FORMAT = '[=1]0.0%;[>0.999]">99.9%";0.0%'
"""A probability as a percentage that shows 100.0% only when it is 1 (0.9996 reads > 99.9%, not 100.0%)."""


def write_sensitivity(page: Page) -> None:
    """One printed landscape page (the cases, the Monte Carlo summary, the inputs that move the decision most
    with their switch values, a tornado centred on Base and the histogram); below it, not printed, the full
    tables the charts and the page read (`DATA_TITLE`)."""
    sheet, s, layout = page.sheets["Sensitivity"], page.styles, page.layout
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 6, 14)
    sheet.set_column(FLAG_COLUMN, FLAG_COLUMN, None, None, {"hidden": True})
    page.title(sheet, "Sensitivity: what flips the decision, and how likely it is")
    sheet.write("A2", "Input checks", s.text(bold=True))
    page.flag(sheet, "B2")
    sheet.merge_range(
        "A3:G3",
        "Outcome: fine-tuning's net savings over the horizon against the best other option (its net present "
        "value when a discount rate is set), costs over time included. Each input moves between its Low and "
        "High on Inputs; the others stay at Base.",
        s.text(),
    )
    sheet.set_row(2, 48)
    args = "analysis_names,analysis_low,analysis_base,analysis_high"
    k = len(ANALYSED)

    cases_top = 6
    _header(page, cases_top - 2, "Worst, Base and best case for fine-tuning", ["Case", "Net savings (EUR)", "Decision"])
    _spilled(page, cases_top, 3, layout.fn("SENSITIVITY", args, '"cases"'), ("text", "money_big", "text"))

    row = cases_top + 4
    _heading(
        page,
        row,
        "How likely: Monte Carlo over the Low-High ranges (PERT; each input drawn independently of the others)",
    )
    sheet.write(row + 1, 0, "Draws", s.text())
    sheet.write_number(row + 1, 1, DRAWS, s.get("count", input_cell=True))
    sheet.write(row + 2, 0, "Seed (the same seed gives the same draws)", s.text())
    sheet.write_number(row + 2, 1, SEED, s.get("count", input_cell=True))
    draws, seed = xl_rowcol_to_cell(row + 1, 1, True, True), xl_rowcol_to_cell(row + 2, 1, True, True)
    simulation_top = row + 3
    call = layout.fn("SENSITIVITY", args, '"simulation"', draws, seed)
    _spilled(page, simulation_top, len(SIMULATION_LABELS), call, ("text", "money_big"))
    percent = page.book.add_format({"num_format": PROBABILITY_FORMAT})
    for probability in (simulation_top, simulation_top + 1):
        sheet.conditional_format(probability, 1, probability, 1, {"type": "no_errors", "format": percent})

    top_inputs = simulation_top + len(SIMULATION_LABELS) + 3
    plan_top = top_inputs + TOP_INPUTS + 4
    data = max(plan_top + PLAN_ROWS + 4, CHARTS_END + 2)  # the first row that does not print
    sheet.write(data - 1, 0, DATA_TITLE, s.text(bold=True, font_size=12, text_wrap=False))
    distribution_top = data + 2
    _header(
        page, distribution_top - 2, "Distribution of net savings over the draws", ["From (EUR)", "To (EUR)", "Share"]
    )
    call = layout.fn("SENSITIVITY", args, '"distribution"', draws, seed)
    _spilled(page, distribution_top, BINS, call, ("money_big", "money_big", "share"))

    tornado_top = distribution_top + BINS + 3
    _header(
        page,
        tornado_top - 2,
        "What moves it: each input alone at Low and at High (largest swing first)",
        ["Input", "At Low (EUR)", "At High (EUR)", "Swing (EUR)", "Label", "Low - Base", "High - Base"],
    )
    _spilled(page, tornado_top, k, layout.fn("SENSITIVITY", args), ("text", "money_big", "money_big", "money_big"))
    evppi_top = tornado_top + k + 3
    _header(page, evppi_top - 2, "Value of information per input (same draws)", ["Input", "EVPPI (EUR)"])
    call = layout.fn("SENSITIVITY", args, '"evppi"', draws, seed)
    _spilled(page, evppi_top, k + 1, call, ("text", "money_big"))
    switch_top = evppi_top + k + 4
    _header(
        page,
        switch_top - 2,
        "Switch values: where the decision changes, the others at Base (in the input's unit)",
        ["Input", "Below Base", "Above Base"],
    )
    _spilled(page, switch_top, k, layout.fn("SENSITIVITY", args, '"switch"'), ("text", "number", "number"))
    inputs_top = _analysis_inputs(page, switch_top + k + 1)
    base_net = xl_rowcol_to_cell(cases_top + 1, 1, True, True)
    names = f"$A${inputs_top + 1}:$A${inputs_top + k}"
    labels = f"$E${inputs_top + 1}:$E${inputs_top + k}"
    for r in range(k):  # the chart's data: each input's plain label and its bars from Base
        at = tornado_top + r + 1
        sheet.write_formula(
            tornado_top + r,
            4,
            f'=IF(AND(ISNUMBER(D{at}),D{at}>0),IFERROR(INDEX({labels},MATCH($A${at},{names},0)),""),"")',
            s.text(text_wrap=False),
        )
        for column, source in ((5, "B"), (6, "C")):
            sheet.write_formula(
                tornado_top + r, column, f'=IF(ISNUMBER({source}{at}),{source}{at}-{base_net},"")', s.get("money_big")
            )
    _top_inputs(page, top_inputs, tornado_top, switch_top, k)
    _plan(page, plan_top, evppi_top, inputs_top, k)
    _charts(page, tornado_top, distribution_top, data - 1)
    _define_outputs(page, cases_top, simulation_top)
    page.protect(sheet, format_columns=True)
    sheet.print_area(f"A1:R{data - 2}")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 1)
    sheet.set_paper(9)
    sheet.hide_gridlines(1)


TOP_INPUTS = 10
PLAN_ROWS = 8
"""Inputs in the printed measurement plan, the most valuable to learn first."""
FLAG_COLUMN = 40
"""A hidden helper column (AO), far right of the printed page: which plan rows are ones to act on."""
TITLES_COLUMN = 10
"""Column (K) of the charts' titles, on the first row below the printed page."""
CHARTS_END = 42
"""The row below both charts (the histogram from row 4, the tornado below it): the page ends there at least."""
"""Inputs shown on the printed page, largest swing first; the rest are counted in one line."""
DATA_TITLE = "Chart and table data (read by the page above; not printed)"


def _plan(page: Page, top: int, evppi_top: int, inputs_top: int, k: int) -> None:
    """The printed measurement plan: the inputs most worth learning (EVPPI, largest first), what measuring each
    costs (typed on Questions), its question's status, and the verdict; and its headline (`measure_first_text`).
    The verdicts follow `ftxl.value_of_information.measurement_plan`."""
    sheet, s = page.sheets["Sensitivity"], page.styles
    _header(
        page,
        top - 2,
        "What to measure next: the value of learning each input before deciding (EVPPI), against its cost",
        ["Input", "Worth knowing (EUR)", "Cost to measure (EUR)", "Question (status, on Questions)", "Verdict"],
    )
    names = f"$A${inputs_top + 1}:$A${inputs_top + k}"
    floor = f"$B${evppi_top + k + 1}"
    for r in range(PLAN_ROWS):
        data = evppi_top + r + 1

        def look(column: str, data: int = data) -> str:
            return f"INDEX(${column}${inputs_top + 1}:${column}${inputs_top + k},MATCH($A${data},{names},0))"

        has = f"AND(ISNUMBER($B${data}),$B${data}>{floor})"  # an input worth nothing to learn is left out
        sheet.write_formula(top + r, 0, f'=IF({has},{look("E")},"")', s.text(text_wrap=False))
        sheet.write_formula(top + r, 1, f'=IF({has},$B${data},"")', s.get("money_big"))
        cost_of = look("G")
        sheet.write_formula(top + r, 2, f'=IF({has},IF(ISNUMBER({cost_of}),{cost_of},""),"")', s.get("money_big"))
        question = f'{look("H")}&IF({look("F")}="no question",""," ("&{look("F")}&")")'
        sheet.write_formula(top + r, 3, f'=IF({has},{question},"")', s.text(text_wrap=False))
        cost, status = f"C{top + r + 1}", look("F")
        verdict = (
            f'IF({status}="answered","answered",IF($B${data}<={floor},"good enough as an estimate",'
            f'IF(ISNUMBER({cost}),IF($B${data}>{cost},"measure first","good enough as an estimate"),'
            '"price the measurement")))'
        )
        sheet.write_formula(top + r, 4, f'=IF({has},{verdict},"")', s.text(text_wrap=False))
        sheet.write_formula(  # 1 where this row is one to act on: the headline takes the first
            top + r,
            FLAG_COLUMN,
            f'=IF(OR(E{top + r + 1}="measure first",E{top + r + 1}="price the measurement"),1,0)',
            s.get("count"),
        )
    flag = xl_col_to_name(FLAG_COLUMN)
    flags = f"${flag}${top + 1}:${flag}${top + PLAN_ROWS}"
    first = f"MATCH(1,{flags},0)"
    label, worth = (
        f"INDEX($A${top + 1}:$A${top + PLAN_ROWS},{first})",
        f"INDEX($B${top + 1}:$B${top + PLAN_ROWS},{first})",
    )
    nothing = '"Nothing needs measuring for this decision now: every estimate is good enough as it is."'
    first_text = f'"Measure "&{label}&" first: worth up to €"&TEXT({worth},"#,##0")'
    headline = f'=IF(NOT(ISNUMBER($B${evppi_top + 1})),"",IF(SUM({flags})=0,{nothing},{first_text}))'

    sheet.write_formula(top + PLAN_ROWS, 0, headline, s.text(bold=True, text_wrap=False))
    page.book.define_name("measure_first_text", "=Sensitivity!" + xl_rowcol_to_cell(top + PLAN_ROWS, 0, True, True))


def _top_inputs(page: Page, top: int, tornado_top: int, switch_top: int, k: int) -> None:
    """The printed table: the inputs that move net savings most, by their labels, with the swing and the switch
    values beside them; inputs that do not move it are left out, counted in one line."""
    sheet, s = page.sheets["Sensitivity"], page.styles
    _header(
        page,
        top - 2,
        f"What moves it most (top {TOP_INPUTS}): each input alone at Low and at High, the others at Base",
        ["Input", "At Low (EUR)", "At High (EUR)", "Swing (EUR)", "Decision flips below", "... or above"],
    )
    sheet.set_row(top - 1, 30)
    switch_names = f"$A${switch_top + 1}:$A${switch_top + k}"
    for r in range(TOP_INPUTS):
        data = tornado_top + r + 1
        moves = f"AND(ISNUMBER($D${data}),$D${data}>0)"
        sheet.write_formula(top + r, 0, f'=IF({moves},$E${data},"")', s.text(text_wrap=False))
        for column, source in ((1, "B"), (2, "C"), (3, "D")):
            sheet.write_formula(top + r, column, f'=IF({moves},${source}${data},"")', s.get("money_big"))
        for column, source in ((4, "B"), (5, "C")):
            found = f"INDEX(${source}${switch_top + 1}:${source}${switch_top + k},MATCH($A${data},{switch_names},0))"
            sheet.write_formula(top + r, column, f'=IF({moves},IFERROR({found},""),"")', s.get("number"))
    swings = f"$D${tornado_top + 1}:$D${tornado_top + k}"
    more = f'COUNTIF({swings},">0")-{TOP_INPUTS}'
    sheet.write_formula(
        top + TOP_INPUTS,
        0,
        f'=IF(COUNT({swings})=0,"",IF({more}>0,{more}&" more inputs move it less; ","")'
        f'&COUNTIF({swings},0)&" inputs do not move it (a range of one value, or an option that is not the one '
        'to beat)")',
        s.text(text_wrap=False, italic=True, font_color="#595959"),
    )


def _analysis_inputs(page: Page, row: int) -> int:
    """The block of analysis inputs by name with their Low / Base / High read from Inputs; returns its first row."""
    sheet, s, layout = page.sheets["Sensitivity"], page.styles, page.layout
    _heading(page, row, "Inputs of the analysis (read from Inputs; nothing to type)")
    blocked = "+".join(
        [f"COUNT({layout.row_range(name)})" for name in NOT_MODELLED]
        + [f'COUNTIF({layout.row_range(f"{key}_shares_from")},"labels")' for key, _ in OPTIONS]
    )
    sheet.write(row + 1, 0, "Inputs it does not model (typed shares or costs, labels)", s.text())
    sheet.write_formula(row + 1, 1, "=" + blocked, s.get("count"))
    page.book.define_name("analysis_blocked", f"=Sensitivity!{xl_rowcol_to_cell(row + 1, 1, True, True)}")
    sheet.write_row(
        row + 2,
        0,
        ["Input name", *SCENARIOS, "Label", "Question status", "Cost to measure"],
        s.text(bold=True, bottom=2),
    )
    top = row + 3
    for offset, name in enumerate(ANALYSED):
        sheet.write_string(top + offset, 0, name, s.text())
        for column in SCENARIO_COLUMNS:
            sheet.write_formula(top + offset, column, f"={layout.value(name, column)}", s.get("number"))
        sheet.write_string(top + offset, 4, plain_label(name), s.text(text_wrap=False))
        question = question_of(name)
        if question is None:
            sheet.write_string(top + offset, 5, "no question", s.text())
            sheet.write_string(top + offset, 6, "", s.text())
            sheet.write_string(top + offset, 7, "no question", s.text(text_wrap=False))
        else:
            sheet.write_string(top + offset, 7, f"Q{question + 1} {QUESTIONS[question][0]}", s.text(text_wrap=False))
            at = f"Questions!$F${question + 4}"
            sheet.write_formula(top + offset, 5, f'=IF(ISBLANK({at}),"missing",{at})', s.text())
            cost = f"Questions!$G${question + 4}"
            sheet.write_formula(top + offset, 6, f'=IF(ISNUMBER({cost}),{cost},"")', s.get("money_big"))
    last = top + len(ANALYSED) - 1
    page.book.define_name("analysis_names", f"=Sensitivity!$A${top + 1}:$A${last + 1}")
    for scenario, column in zip(SCENARIOS, SCENARIO_COLUMNS, strict=True):
        letter = "ABCD"[column]
        page.book.define_name(f"analysis_{scenario.lower()}", f"=Sensitivity!${letter}${top + 1}:${letter}${last + 1}")
    return top


def _charts(page: Page, tornado_top: int, distribution_top: int, titles_row: int) -> None:
    """A tornado centred on Base (bars from 0 = Base, labelled with the inputs' plain labels) and the histogram
    of the draws, both beside the printed tables; their titles (in `titles_row`, not printed) say why a chart
    is empty."""
    sheet = page.sheets["Sensitivity"]
    bars = TOP_INPUTS
    sheet.write(titles_row, TITLES_COLUMN - 1, "Chart titles", page.styles.text(bold=True))
    tornado = page.book.add_chart({"type": "bar"})
    for column, name, colour in ((5, "Input at Low", "#C00000"), (6, "Input at High", "#2E75B6")):
        tornado.add_series(
            {
                "name": name,
                "categories": ["Sensitivity", tornado_top, 4, tornado_top + bars - 1, 4],
                "values": ["Sensitivity", tornado_top, column, tornado_top + bars - 1, column],
                "fill": {"color": colour},
                "overlap": 100,
                "gap": 40,
            }
        )
    moved = f"$F${tornado_top + 1}:$G${tornado_top + bars}"
    title = "Tornado: net savings moved from Base by one input at Low or High"
    tornado.set_title(page.chart_title(sheet, (titles_row, TITLES_COLUMN), title, moved))
    tornado.set_x_axis({"name": "EUR from Base (0 = Base)", "num_format": "€#,##0;-€#,##0;€0"})
    tornado.set_y_axis({"reverse": True, "label_position": "low"})
    tornado.set_legend({"position": "bottom"})
    tornado.set_size({"width": 680, "height": 400})
    sheet.insert_chart(21, 7, tornado)
    spread = page.book.add_chart({"type": "column"})
    spread.add_series(
        {
            "name": "Share of draws",
            "categories": ["Sensitivity", distribution_top, 1, distribution_top + BINS - 1, 1],
            "values": ["Sensitivity", distribution_top, 2, distribution_top + BINS - 1, 2],
            "gap": 10,
        }
    )
    shares = f"$C${distribution_top + 1}:$C${distribution_top + BINS}"
    title = "Net savings over the Monte Carlo draws"
    spread.set_title(page.chart_title(sheet, (titles_row, TITLES_COLUMN + 1), title, shares))
    spread.set_x_axis({"name": "Net savings up to (EUR)", "num_format": "€#,##0"})
    spread.set_y_axis({"name": "Share of draws", "num_format": "0%"})
    spread.set_legend({"none": True})
    spread.set_size({"width": 680, "height": 320})
    sheet.insert_chart(3, 7, spread)


def _define_outputs(page: Page, cases_top: int, simulation_top: int) -> None:
    """Summary names: the probabilities, two percentiles and the value of information (the worst and best case
    have theirs on Results, which computes them)."""

    def cell(row: int, column: int) -> str:
        return "=Sensitivity!" + xl_rowcol_to_cell(row, column, True, True)

    page.book.define_name("out_p_finetune_cheapest", cell(simulation_top, 1))
    page.book.define_name("out_p_breakeven_within_horizon", cell(simulation_top + 1, 1))
    page.book.define_name("out_net_savings_p5", cell(simulation_top + 3, 1))
    page.book.define_name("out_net_savings_p95", cell(simulation_top + 7, 1))
    page.book.define_name("out_value_of_information", cell(simulation_top + 8, 1))
