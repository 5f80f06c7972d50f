"""Every ftxl function is found under its own name, in every spelling a saved file can hold, by both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

import ftxl
from ftxl import analysis
from ftxl import cell_functions as sheet_functions
from ftxl.finetune_economics import finetune_economics
from ftxl.recalc import engines as engine
from ftxl.recalc import formula_text
from ftxl.recalc.workbook import recalculate
from ftxl.use_case import insurance_example

# One call per function, with arguments that give a single number (or text) and the Python API's answer.
CALLS: dict[str, tuple[str, object]] = {
    "EXPECTED_ERROR_COST": ("{0.15,0.05},{2,8}", sheet_functions.expected_error_cost([[0.15, 0.05]], [[2, 8]])),
    "BREAKEVEN_DAYS": ("40000,5000,0.32,0.155", sheet_functions.breakeven_days(40000, 5000, 0.32, 0.155)),
    "MAX_FT_INVESTMENT": ("900000,0.32,0.155", sheet_functions.max_ft_investment(900000, 0.32, 0.155)),
    "MAX_COST_PREMIUM": ("0.26,0.14,40000,900000", sheet_functions.max_cost_premium(0.26, 0.14, 40000, 900000)),
    "HUMAN_COST_PER_EVENT": ("30,20", sheet_functions.human_cost_per_event(30, 20)),
    "ERROR_SHARES": ("0.95,0.8", 0.8),  # the first cell of the spilled row
    "COST_PER_EVENT": ("0.26,0.06", sheet_functions.cost_per_event(0.26, 0.06)),
    "NET_SAVINGS": ("900000,0.32,0.155,40000", sheet_functions.net_savings(900000, 0.32, 0.155, 40000)),
    "AMORTIZED_COST_PER_EVENT": ("0.155,40000,900000", sheet_functions.amortized_cost_per_event(0.155, 40000, 900000)),
    "ROUTE_BUCKETS": ('{"a/x";"a/y"},{"a/x";"b/x"}', 0.5),  # one of two routed right
    "FTXL_VERSION": ("", f"ftxl {ftxl.__version__}, computed by ftxl recalc on {date.today().isoformat()}"),
    "DECISION": (
        "900000,0.17556,0.32,0.155,40000",
        sheet_functions.decision(900000, 0.17556, 0.32, 0.155, 40000),
    ),
}

BASE = analysis.base_inputs(insurance_example(180))
RANGES = analysis.example_ranges()
NAMES = "{" + ";".join(f'"{name}"' for name in BASE) + "}"
VALUES = "{" + ";".join(repr(value) for value in BASE.values()) + "}"
LOW_BASE_HIGH = ",".join(
    "{" + ";".join(repr(RANGES.get(name, (v, v, v))[k]) for name, v in BASE.items()) + "}" for k in range(3)
)
CALLS |= {
    "TOTAL_COSTS": (f"{NAMES},{VALUES}", analysis.outcome(BASE).total_costs["human"]),
    "FINETUNE_NPV": (f"{NAMES},{VALUES}", analysis.npv(BASE)),
    "PAYBACK_DAYS": (f"{NAMES},{VALUES}", analysis.breakeven_day(BASE)),
    "FINETUNE_VALUE": (f'{NAMES},{VALUES},"max_investment"', finetune_economics(BASE).max_investment),
    "LABELS_NEEDED": ("0.93,0.01", 2508.0),
    "LAYER2_COST_PER_EVENT": ("0.93,4,35,0.4,0.05,0.05,10,0.1,1", 0.372 * 0.65 + 0.628 * 4 / 60 * 35),
    "ROUTING_POINT_VALUE": ("4,35,0.4,0.05,0.05,10,0.1,1", 0.4 * 0.01 * (4 / 60 * 35 - 0.65)),
    "API_COST_PER_EVENT": ("800,20,2.5,10,,,,0.92", (800 * 2.5 + 20 * 10) / 1e6 * 0.92),
    "API_PRICE": ('"gpt-4o","output","openai",46357', 10.0),
    "GPU_COST_PER_EVENT": ("2,40,5000,2,0.15,,,0.92", 2 * 24 * 2 * 0.92 / 5000),
    "WAITING_COST_PER_EVENT": ("24,4,4", 4 * 20 / 24),
    "RATE_LIMIT_COST": ('5000,0.15,17000,150000,5000,4,,,"peak_tpm"', 750 / 60 * 17000),
    "SILENT_CHANGE_COST": ("12,2,5,5000,0,0,10", 12 / 12 * 10 * 5000 * 0.02 * 5),
    "FINETUNE_INVESTMENT": ("5000,0.8,2,30,800,200,1.25,1,3750,10000", 40000.0),
    "FINETUNE_RUNNING_MONTHLY": ("0.1,96000,4,1500", 1300.0),
    "SWITCH_VALUE": (f'{NAMES},{VALUES},"events_per_day"', analysis.switch_values(BASE, ["events_per_day"])[0].below),
    "SENSITIVITY": (f"{NAMES},{LOW_BASE_HIGH}", analysis.tornado(RANGES)[0].low),
}
SPILLS = {"ERROR_SHARES", "ROUTE_BUCKETS", "TOTAL_COSTS"}
"""Functions whose first spilled cell is checked; SENSITIVITY's tornado is checked at its first number."""

SPELLINGS = {
    "plain": "{}",
    "lower case": "{lower}",
    "xludf": "_xludf.{}",
    "xludf mixed case": "_xlUDF.{mixed}",
    "xldudf": "_xldudf_{}",
    "xldudf lower case": "_xldudf_{lower}",
    "xldudf namespace": "_xldudf_XLWINGS_{}",
    "xldudf dotted namespace": "_xldudf_MY.ADDIN.{}",
    "xldudf namespace that starts an ftxl name": "_xldudf_MAX_{}",
    "add-in reference": "[1]!{}",
    "add-in reference, xludf": "[1]!_xludf.{}",
}


def test_every_function_has_a_call():
    assert set(CALLS) == set(sheet_functions.FUNCTIONS)


def _spelled(pattern: str, name: str) -> str:
    mixed = "".join(c.lower() if k % 2 else c for k, c in enumerate(name))
    return pattern.format(name, lower=name.lower(), mixed=mixed)


@pytest.fixture(scope="module")
def spelled_book(tmp_path_factory) -> tuple[Path, dict[str, tuple[str, str, object]]]:
    """A workbook with every function in every spelling, one per cell: cell -> (function, spelling, expected)."""
    path = tmp_path_factory.mktemp("spellings") / "spellings.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Calls")
    expected = {}
    for row, (name, (args, value)) in enumerate(CALLS.items()):
        for column, (spelling, pattern) in enumerate(SPELLINGS.items()):
            cell = xlsxwriter.utility.xl_rowcol_to_cell(row, column)
            call = f"{_spelled(pattern, name)}({args})"
            if name == "SENSITIVITY":
                call = f"INDEX({call},1,2)"
            sheet.write_formula(row, column, f"=INDEX({call},1,1)" if name in SPILLS else f"={call}")
            expected[cell] = (name, spelling, value)
    book.close()
    return path, expected


@pytest.mark.parametrize("engine_choice", ["auto", "formulas"])
def test_every_spelling_gives_the_python_value(spelled_book, tmp_path, engine_choice):
    source, expected = spelled_book
    result = recalculate(source, tmp_path / "out.xlsx", engine.ModelCache(engine=engine_choice))
    assert result.ok, result.error
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Calls"]
    wrong = []
    for cell, (name, spelling, value) in expected.items():
        got = sheet[cell].value
        if got != (value if isinstance(value, str) else pytest.approx(value, rel=1e-12)):
            wrong.append(f"{name} as {spelling}: {got!r}, expected {value!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "saved, parsed",
    [
        ("_xldudf_HUMAN_COST_PER_EVENT(30,20)", "_xldudf_HUMAN_COST_PER_EVENT(30,20)"),
        ("_xldudf_AMORTIZED_COST_PER_EVENT(1,2,3)", "_xldudf_AMORTIZED_COST_PER_EVENT(1,2,3)"),
        ("_xldudf_human_cost_per_event(30,20)", "_xldudf_human_cost_per_event(30,20)"),
        ("_xldudf_NS_HUMAN_COST_PER_EVENT(30,20)", "_xldudf_HUMAN_COST_PER_EVENT(30,20)"),
        ("_xldudf_NS_COST_PER_EVENT(1,2)", "_xldudf_COST_PER_EVENT(1,2)"),
    ],
)
def test_an_exact_name_wins_over_a_namespace(saved, parsed):
    assert formula_text.normalise(saved) == parsed
