"""ftxl's Excel functions, for classic xlwings (Windows add-in) and xlwings Lite alike.

Registered with xlwings' own ``func`` / ``arg`` decorators only, so the one module
serves both runtimes under the same names (no namespace prefix). It imports only
numpy, xlwings and ftxl's model, all of which install in Pyodide.

Conventions every function follows:

* Each argument takes one cell or a range. Ranges must have the same shape (single
  cells combine with any range), and the result spills in that shape: type the
  low / base / high scenarios in a row or column and get a row or column back.
* An empty cell in a required argument is an error, never a silent 0. (xlwings Lite
  receives a single empty cell from Excel as 0 already; empty cells inside a range
  are caught in both runtimes.) An empty optional argument takes its default.
* Bad input gives ``#VALUE!`` with the reason: in xlwings Lite as a real error cell
  whose message shows on hover, in classic xlwings as the cell's text. A result that
  does not exist (a fine-tuned model that never breaks even) gives ``#NUM!``, like
  Excel's own finance functions. No cell ever shows a traceback, NaN or infinity.

The parameters carry no type hints on purpose: xlwings reads hints as converters.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import xlwings as xw

from . import __version__, model
from ._checks import shape_message
from .errors import InputError

NUM_ERROR = "#NUM!"
VALUE_ERROR = "#VALUE!"

# Office.js runtimes (xlwings Lite in Pyodide, xlwings Server) turn an exception into a
# #VALUE! error cell with the message on hover; classic xlwings would show a traceback.
_OFFICE_JS = os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform == "emscripten"

Cells = Any
"""What xlwings hands over for an ``ndim=2`` argument: a list of rows, or None."""


def _is_missing(value: Cells) -> bool:
    return value is None or (isinstance(value, list) and value in ([[None]], [None], []))


def _cells(name: str, value: Cells) -> np.ndarray:
    """A required argument as a 2-D array; the model's checks give the messages."""
    if _is_missing(value):
        raise InputError(f"{name} is empty: type a number or point to a cell that holds one")
    rows = value if isinstance(value, list) else [[value]]
    rows = [row if isinstance(row, list) else [row] for row in rows]
    if len({len(row) for row in rows}) > 1:
        raise InputError(f"{name} must be a rectangular range")
    return np.array(rows, dtype=object)


def _scalar_or_range(arr: np.ndarray) -> Any:
    """A 1x1 range passes to the model as a single value, so its messages carry no position."""
    return arr.item() if arr.size == 1 else arr


def _common_shape(arrays: dict[str, np.ndarray]) -> tuple[int, int]:
    """The shape the result spills into: that of the ranges, all of which must agree."""
    shapes = {a.shape for a in arrays.values() if a.size != 1}
    if len(shapes) > 1:
        raise InputError(shape_message(arrays))
    return shapes.pop() if shapes else (1, 1)


def _to_excel(result: Any) -> Any:
    """A model result as Excel takes it: a float, or rows of floats with #NUM! for no answer."""
    arr = np.asarray(result, dtype=float)
    if arr.ndim == 0:
        value = float(arr)
        return value if math.isfinite(value) else NUM_ERROR
    rows = np.atleast_2d(arr).tolist()
    return [[v if math.isfinite(v) else NUM_ERROR for v in row] for row in rows]


def _excel_call(compute: Callable[[], Any]) -> Any:
    """Run one Excel function and convert ftxl's errors the way the runtime can show them."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow becomes #NUM! in _to_excel
            return compute()
    except InputError as exc:
        if _OFFICE_JS:
            raise
        return f"{VALUE_ERROR} {exc}"


def _elementwise(function: Callable[..., Any], **args: Cells) -> Any:
    """Call a model function cell by cell over same-shaped ranges; the result has their shape."""

    def compute() -> Any:
        arrays = {name: _cells(name, value) for name, value in args.items()}
        shape = _common_shape(arrays)
        result = function(**{name: _scalar_or_range(a) for name, a in arrays.items()})
        return _to_excel(np.broadcast_to(result, shape) if shape != (1, 1) else result)

    return _excel_call(compute)


def _optional(value: Cells, default: float) -> Cells:
    return [[default]] if _is_missing(value) else value


@xw.func
@xw.arg("handling_seconds", ndim=2, doc="Seconds a person spends handling one event (e.g. 30).")
@xw.arg("hourly_wage", ndim=2, doc="Fully loaded labour cost per hour in euros (e.g. 20).")
def HUMAN_COST_PER_EVENT(handling_seconds, hourly_wage):  # noqa: N802
    """Labour cost in euros of one event handled by a person: seconds / 3600 x hourly wage."""
    return _elementwise(model.human_cost_per_event, handling_seconds=handling_seconds, hourly_wage=hourly_wage)


@xw.func
@xw.arg("top_level_accuracy", ndim=2, doc="Share of events sent to the right department, 0-1 (e.g. 98%).")
@xw.arg(
    "full_route_accuracy",
    ndim=2,
    doc="Share sent to the right department and subclass, 0-1; at most the top-level accuracy.",
)
def ERROR_SHARES(top_level_accuracy, full_route_accuracy):  # noqa: N802
    """Spills the bucket shares: correct, wrong subclass, wrong department (a row per scenario in a column)."""

    def compute() -> Any:
        arrays = {
            "top_level_accuracy": _cells("top_level_accuracy", top_level_accuracy),
            "full_route_accuracy": _cells("full_route_accuracy", full_route_accuracy),
        }
        rows, columns = _common_shape(arrays)
        if rows > 1 and columns > 1:
            raise InputError("ERROR_SHARES takes single cells, one row or one column of scenarios")
        shares = model.error_shares(*(_scalar_or_range(a) for a in arrays.values()))
        table = shares.reshape(-1, 3)  # one row of three buckets per scenario
        return _to_excel(table.T if columns > 1 else table)

    return _excel_call(compute)


@xw.func
@xw.arg(
    "rates",
    ndim=2,
    doc="Bucket shares (0-1) in a row or column, scenarios in rows; or a square confusion matrix of counts, true class in rows.",
)
@xw.arg(
    "costs",
    ndim=2,
    doc="Euros per event in each bucket, same length as a row of rates (0 for correct); or a cost matrix shaped like rates.",
)
@xw.arg(
    "priors",
    ndim=2,
    doc="Optional: share of each true class, adding up to 1; each matrix row is then read as P(predicted | true).",
)
def EXPECTED_ERROR_COST(rates, costs, priors=None):  # noqa: N802
    """Expected cost of errors per event in euros: sum of share x cost over the buckets or the confusion matrix."""

    def compute() -> Any:
        rate_arr = _cells("rates", rates)
        cost_arr = _cells("costs", costs)
        if not _is_missing(priors) or (rate_arr.shape == cost_arr.shape and min(rate_arr.shape) > 1):
            prior_arr = None if _is_missing(priors) else _cells("priors", priors)
            return _to_excel(model.expected_error_cost(rate_arr, cost_arr, prior_arr))
        if 1 in rate_arr.shape and 1 in cost_arr.shape:  # one scenario: two vectors
            return _to_excel(model.bucket_error_cost(rate_arr.reshape(-1), cost_arr.reshape(-1)))
        if cost_arr.shape[0] == 1:  # costs in a row: buckets run across, one scenario per row
            return _to_excel(model.bucket_error_cost(rate_arr, cost_arr.reshape(-1)).reshape(-1, 1))
        if cost_arr.shape[1] == 1:  # costs in a column: buckets run down, one scenario per column
            return _to_excel(model.bucket_error_cost(rate_arr.T, cost_arr.reshape(-1)).reshape(1, -1))
        raise InputError(shape_message({"rates": rate_arr, "costs": cost_arr}))

    return _excel_call(compute)


@xw.func
@xw.arg("error_cost", ndim=2, doc="Expected error cost per event in euros (EXPECTED_ERROR_COST).")
@xw.arg(
    "inference_cost",
    ndim=2,
    doc="Inference, serving and ops cost per event in euros; for the human process, the handling cost.",
)
@xw.arg("review_share", ndim=2, doc="Optional: share of events a person reviews, 0-1. Empty: 0.")
@xw.arg("review_cost", ndim=2, doc="Optional: cost of one review in euros. Empty: 0.")
def COST_PER_EVENT(error_cost, inference_cost, review_share=None, review_cost=None):  # noqa: N802
    """All-in cost of one event in euros: inference (or handling) + expected error cost + review share x review cost."""
    return _elementwise(
        model.cost_per_event,
        error_cost=error_cost,
        inference_cost=inference_cost,
        review_share=_optional(review_share, 0.0),
        review_cost=_optional(review_cost, 0.0),
    )


@xw.func
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros (training, evaluation, MLOps set-up).")
@xw.arg("events_per_day", ndim=2, doc="Events handled per day (e.g. 5000); more than 0.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros (COST_PER_EVENT).")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros (COST_PER_EVENT).")
def BREAKEVEN_DAYS(investment, events_per_day, cost_prompted, cost_finetuned):  # noqa: N802
    """Days until fine-tuning pays back: investment / (events per day x saving per event). #NUM! if it never does."""
    return _elementwise(
        model.breakeven_days,
        investment=investment,
        events_per_day=events_per_day,
        cost_prompted=cost_prompted,
        cost_finetuned=cost_finetuned,
    )


@xw.func
@xw.arg("events", ndim=2, doc="Events over the decision horizon: events per day x horizon in days.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros.")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
def MAX_FT_INVESTMENT(events, cost_prompted, cost_finetuned):  # noqa: N802
    """Largest fine-tuning investment in euros the savings justify over the horizon: events x saving per event."""
    return _elementwise(
        model.max_ft_investment, events=events, cost_prompted=cost_prompted, cost_finetuned=cost_finetuned
    )


@xw.func
@xw.arg("error_cost_prompted", ndim=2, doc="Expected error cost per event of the prompted model in euros.")
@xw.arg("error_cost_finetuned", ndim=2, doc="Expected error cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
@xw.arg("events", ndim=2, doc="Events over the decision horizon; more than 0.")
def MAX_COST_PREMIUM(error_cost_prompted, error_cost_finetuned, investment, events):  # noqa: N802
    """Largest extra inference cost per event in euros a fine-tuned model may carry: error saving - investment / events."""
    return _elementwise(
        model.max_cost_premium,
        error_cost_prompted=error_cost_prompted,
        error_cost_finetuned=error_cost_finetuned,
        investment=investment,
        events=events,
    )


@xw.func
@xw.arg("events", ndim=2, doc="Events over the decision horizon: events per day x horizon in days.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros.")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
def NET_SAVINGS(events, cost_prompted, cost_finetuned, investment):  # noqa: N802
    """Euros saved over the horizon by fine-tuning after paying the investment: events x saving per event - investment."""
    return _elementwise(
        model.net_savings,
        events=events,
        cost_prompted=cost_prompted,
        cost_finetuned=cost_finetuned,
        investment=investment,
    )


@xw.func
@xw.arg("cost_per_event", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
@xw.arg("events", ndim=2, doc="Events over the decision horizon; more than 0.")
def AMORTIZED_COST_PER_EVENT(cost_per_event, investment, events):  # noqa: N802
    """Cost per event in euros with the investment spread over the horizon: cost per event + investment / events."""
    return _elementwise(
        model.amortized_cost_per_event, cost_per_event=cost_per_event, investment=investment, events=events
    )


@xw.func
def FTXL_VERSION():  # noqa: N802
    """The version of ftxl answering the Excel functions; #NAME? in this cell means the add-in is not loaded."""
    return f"ftxl {__version__}"


EXCEL_FUNCTIONS = (
    EXPECTED_ERROR_COST,
    BREAKEVEN_DAYS,
    MAX_FT_INVESTMENT,
    MAX_COST_PREMIUM,
    HUMAN_COST_PER_EVENT,
    ERROR_SHARES,
    COST_PER_EVENT,
    NET_SAVINGS,
    AMORTIZED_COST_PER_EVENT,
    FTXL_VERSION,
)
"""Every Excel function, in the order the documentation lists them."""
