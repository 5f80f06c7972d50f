"""One call contract for ftxl's functions in all three runtimes: Excel (xlwings), the plain engine, `formulas`.

Bad input is #VALUE! with the reason, a result that does not exist is #NUM!, and an error
argument is passed on unchanged.
"""

from __future__ import annotations

import formulas
import numpy as np

from ftxl import cell_functions, excel_functions
from ftxl.cell_functions import Refusal, answer
from ftxl.recalc import formulas_fallback  # registers ftxl's functions in `formulas`
from ftxl.recalc.plain.functions import SPECS
from ftxl.recalc.values import CellError

REASON = "events_per_day = 0 must be greater than 0: the model divides by it"


def test_answer_turns_bad_input_and_no_answer_into_refusals():
    assert answer(cell_functions.breakeven_days, 40000, 0, 0.5, 0.3) == Refusal("#VALUE!", REASON)
    assert answer(cell_functions.breakeven_days, 40000, 5000, 0.3, 0.5).code == "#NUM!"  # never breaks even
    assert answer(cell_functions.breakeven_days, 40000, 5000, 0.32, 0.155) == 40000 / (5000 * (0.32 - 0.155))


def test_the_excel_runtime_shows_the_reason_in_the_cell():
    assert excel_functions.BREAKEVEN_DAYS(40000, 0, 0.5, 0.3) == f"#VALUE! {REASON}"
    assert excel_functions.BREAKEVEN_DAYS(40000, 5000, 0.3, 0.5) == "#NUM!"


def test_the_plain_engine_carries_the_reason_on_the_error_value():
    call = SPECS["BREAKEVEN_DAYS"].function
    refused = call(40000.0, 0.0, 0.5, 0.3)
    assert refused == CellError("#VALUE!") and refused.reason == REASON
    assert call(40000.0, 5000.0, 0.3, 0.5) == CellError("#NUM!")
    assert call(40000.0, CellError("#N/A"), 0.5, 0.3) == CellError("#N/A")  # an error argument is passed on


def test_formulas_carries_the_reason_on_its_own_error_value():
    call = formulas.get_functions()["BREAKEVEN_DAYS"]
    refused = np.asarray(call(40000.0, 0.0, 0.5, 0.3)).item()
    assert isinstance(refused, formulas_fallback.ReasonedError) and refused.reason == REASON
    assert str(np.asarray(call(40000.0, 5000.0, 0.3, 0.5)).item()) == "#NUM!"
    na = formulas_fallback.engine_value(CellError("#N/A"))
    assert np.asarray(call(40000.0, na, 0.5, 0.3)).item() is na
