"""ftxl's functions as a spreadsheet sees them: cells and ranges in, a value or a spilled range out.

Shared by every surface that evaluates worksheet formulas: the xlwings add-in
(`ftxl.excel_functions`) and the recalculation engine. Arguments arrive as Excel hands
them over: a single value, or a range as a list of rows (None for an empty cell).
Results are a float, or a list of rows for a spilled range; a result that does not exist
(a fine-tuned model that never breaks even) is ``math.inf``. Bad input raises `InputError`.
Pure: numpy and the model, no Excel, no files.

Every runtime calls them through `answer`, the one call contract: bad input becomes a
`Refusal` with code ``#VALUE!`` and the reason, a result that does not exist a ``#NUM!``
refusal (also cell by cell in a spilled range). Each runtime shows a refusal its own way
(`ftxl.excel_functions`, the plain engine, the `formulas` fallback) and, before calling,
returns the first error among the arguments unchanged, as Excel's own functions do.

Shape rules: ranges given to one function must have the same shape, single cells
combine with any range, and the result spills in the ranges' shape.
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import (
    __version__,
    analysis,
    api_risks,
    cost_builder,
    finetuning_costs,
    labels,
    model,
    price_list,
    second_layer,
    value_of_information,
)
from . import finetune_economics as economics
from .bounded_cache import BoundedCache
from .checks import shape_message
from .errors import InputError, NoAnswerError

Cells = Any
"""A single value, a list of rows, or None (an empty cell or an omitted argument)."""

Result = float | list[list[Any]] | str


@dataclass(frozen=True)
class Refusal:
    """An ftxl function's answer that is not a value: the Excel error it shows, and why."""

    code: str
    """``#VALUE!`` (bad input) or ``#NUM!`` (no answer exists)."""
    reason: str


NO_ANSWER = Refusal("#NUM!", "no finite answer")


def answer(function: Callable[..., Result], *args: Cells) -> Any:
    """`function` called on cell arguments under the call contract: a float, a text, rows of them
    (with a `Refusal` in a cell without an answer), or one `Refusal` for the whole call."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is a #NUM!, not a warning
            result = function(*args)
    except NoAnswerError as exc:
        return Refusal("#NUM!", str(exc))
    except InputError as exc:
        return Refusal("#VALUE!", str(exc))
    if type(result) is float:
        return result if math.isfinite(result) else NO_ANSWER
    if isinstance(result, list):
        return [[v if isinstance(v, str) or math.isfinite(v) else NO_ANSWER for v in row] for row in result]
    return result


def is_missing(value: Cells) -> bool:
    """True for an omitted argument or a single empty cell."""
    return value is None or (isinstance(value, list) and value in ([[None]], [None], []))


def cells(name: str, value: Cells) -> np.ndarray:
    """A required argument as a 2-D object array; the model's checks give the messages."""
    if is_missing(value):
        raise InputError(f"{name} is empty: type a number or point to a cell that holds one")
    if isinstance(value, np.ndarray):
        return value.reshape(1, 1) if value.ndim == 0 else np.atleast_2d(value).astype(object)
    rows = value if isinstance(value, list) else [[value]]
    rows = [row if isinstance(row, list) else [row] for row in rows]
    if len({len(row) for row in rows}) > 1:
        raise InputError(f"{name} must be a rectangular range")
    return np.array(rows, dtype=object)


def _single_or_range(arr: np.ndarray) -> Any:
    """A 1x1 range passes to the model as a single value, so its messages carry no position."""
    return arr.item() if arr.size == 1 else arr


def _common_shape(arrays: dict[str, np.ndarray]) -> tuple[int, int]:
    """The shape the result spills into: that of the ranges, all of which must agree."""
    shapes = {a.shape for a in arrays.values() if a.size != 1}
    if len(shapes) > 1:
        raise InputError(shape_message(arrays))
    return shapes.pop() if shapes else (1, 1)


def as_result(value: Any) -> Result:
    """A model result as a float for one cell, or rows of floats for a spilled range."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    rows: list[list[Any]] = np.atleast_2d(arr).tolist()
    return rows


def _single_number(value: Cells) -> float | None:
    """The number in a single cell (a value or a 1x1 range), else None."""
    if isinstance(value, list):
        if len(value) != 1 or not isinstance(value[0], list) or len(value[0]) != 1:
            return None
        value = value[0][0]
    return value if type(value) is float or type(value) is int else None


def _vector_of_numbers(value: Cells) -> list[float] | None:
    """The numbers of a single row or column of plain numbers (at least two), else None."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        return None
    if len(value) == 1:
        flat = value[0]
    elif all(len(row) == 1 for row in value):
        flat = [row[0] for row in value]
    else:
        return None
    if len(flat) < 2 or not all(type(v) is float or type(v) is int for v in flat):
        return None
    return flat


def _elementwise(function: Callable[..., Any], **args: Cells) -> Result:
    """Apply a model function cell by cell over same-shaped ranges."""
    singles = {name: _single_number(value) for name, value in args.items()}
    if None not in singles.values():  # the common case, one scenario: no arrays needed
        result = function(**singles)
        return result if type(result) is float else as_result(result)
    arrays = {name: cells(name, value) for name, value in args.items()}
    shape = _common_shape(arrays)
    result = function(**{name: _single_or_range(a) for name, a in arrays.items()})
    return as_result(np.broadcast_to(result, shape) if shape != (1, 1) else result)


def _optional(value: Cells, default: float) -> Cells:
    return [[default]] if is_missing(value) else value


def human_cost_per_event(handling_seconds: Cells, hourly_wage: Cells) -> Result:
    """HUMAN_COST_PER_EVENT: labour euros per event, cell by cell."""
    return _elementwise(model.human_cost_per_event, handling_seconds=handling_seconds, hourly_wage=hourly_wage)


def error_shares(top_level_accuracy: Cells, full_route_accuracy: Cells) -> Result:
    """ERROR_SHARES: the three bucket shares per scenario.

    One scenario spills a row of three; a column of scenarios spills a row per
    scenario; a row of scenarios spills a column per scenario (buckets down).
    """
    arrays = {
        "top_level_accuracy": cells("top_level_accuracy", top_level_accuracy),
        "full_route_accuracy": cells("full_route_accuracy", full_route_accuracy),
    }
    rows, columns = _common_shape(arrays)
    if rows > 1 and columns > 1:
        raise InputError("ERROR_SHARES takes single cells, one row or one column of scenarios")
    shares = model.error_shares(*(_single_or_range(a) for a in arrays.values()))
    table = shares.reshape(-1, 3)  # one row of three buckets per scenario
    return as_result(table.T if columns > 1 else table)


def expected_error_cost(rates: Cells, costs: Cells, priors: Cells = None) -> Result:
    """EXPECTED_ERROR_COST: bucket form for vectors or scenario blocks, matrix form for square ranges.

    Bucket costs in a row mean buckets run across (one scenario per row, a column of
    results); in a column, buckets run down (one scenario per column, a row of results).
    """
    flat_rates, flat_costs = _vector_of_numbers(rates), _vector_of_numbers(costs)
    if is_missing(priors) and flat_rates is not None and flat_costs is not None:  # one scenario, plain numbers
        return as_result(model.expected_error_cost(flat_rates, flat_costs))
    rate_arr = cells("rates", rates)
    cost_arr = cells("costs", costs)
    if not is_missing(priors) or (rate_arr.shape == cost_arr.shape and min(rate_arr.shape) > 1):
        prior_arr = None if is_missing(priors) else cells("priors", priors)
        return as_result(model.expected_error_cost(rate_arr, cost_arr, prior_arr))
    if 1 in rate_arr.shape and 1 in cost_arr.shape:  # one scenario: two vectors
        return as_result(model.bucket_error_cost(rate_arr.reshape(-1), cost_arr.reshape(-1)))
    if cost_arr.shape[0] == 1:
        return as_result(model.bucket_error_cost(rate_arr, cost_arr.reshape(-1)).reshape(-1, 1))
    if cost_arr.shape[1] == 1:
        return as_result(model.bucket_error_cost(rate_arr.T, cost_arr.reshape(-1)).reshape(1, -1))
    raise InputError(shape_message({"rates": rate_arr, "costs": cost_arr}))


def cost_per_event(
    error_cost: Cells, inference_cost: Cells, review_share: Cells = None, review_cost: Cells = None
) -> Result:
    """COST_PER_EVENT: all-in euros per event; empty review arguments count as 0."""
    return _elementwise(
        model.cost_per_event,
        error_cost=error_cost,
        inference_cost=inference_cost,
        review_share=_optional(review_share, 0.0),
        review_cost=_optional(review_cost, 0.0),
    )


def breakeven_days(investment: Cells, events_per_day: Cells, cost_prompted: Cells, cost_finetuned: Cells) -> Result:
    """BREAKEVEN_DAYS: days to pay back the investment; infinity where it never does."""
    return _elementwise(
        model.breakeven_days,
        investment=investment,
        events_per_day=events_per_day,
        cost_prompted=cost_prompted,
        cost_finetuned=cost_finetuned,
    )


def max_ft_investment(events: Cells, cost_prompted: Cells, cost_finetuned: Cells) -> Result:
    """MAX_FT_INVESTMENT: the largest investment the savings over the horizon justify."""
    return _elementwise(
        model.max_ft_investment, events=events, cost_prompted=cost_prompted, cost_finetuned=cost_finetuned
    )


def max_cost_premium(
    error_cost_prompted: Cells,
    error_cost_finetuned: Cells,
    investment: Cells,
    events: Cells,
    review_cost_prompted: Cells = None,
    review_cost_finetuned: Cells = None,
) -> Result:
    """MAX_COST_PREMIUM: the largest extra inference euros per event a fine-tuned model may carry;
    empty review costs count as 0."""
    return _elementwise(
        model.max_cost_premium,
        error_cost_prompted=error_cost_prompted,
        error_cost_finetuned=error_cost_finetuned,
        investment=investment,
        events=events,
        review_cost_prompted=_optional(review_cost_prompted, 0.0),
        review_cost_finetuned=_optional(review_cost_finetuned, 0.0),
    )


def decision(
    events: Cells, cost_prompted: Cells, cost_finetuned: Cells, investment: Cells, cost_human: Cells = None
) -> Result:
    """DECISION: the option with the lowest total cost over the horizon, in words, cell by cell.

    Without ``cost_human`` only the two models are compared.
    """
    args = {"events": events, "cost_prompted": cost_prompted, "cost_finetuned": cost_finetuned}
    args |= {"investment": investment} | ({} if is_missing(cost_human) else {"cost_human": cost_human})
    singles = {name: _single_number(value) for name, value in args.items()}
    if None not in singles.values():
        return model.decide(**singles).verdict  # type: ignore[arg-type]
    arrays = {name: cells(name, value) for name, value in args.items()}
    shape = _common_shape(arrays)
    totals = model.total_costs(**{name: _single_or_range(a) for name, a in arrays.items()})
    choices = np.broadcast_to(model.cheapest(totals), shape)
    return [[model.VERDICTS[model.OPTION_KEYS[k]] for k in row] for row in choices.tolist()]


def net_savings(events: Cells, cost_prompted: Cells, cost_finetuned: Cells, investment: Cells) -> Result:
    """NET_SAVINGS: euros saved over the horizon after paying the investment."""
    return _elementwise(
        model.net_savings,
        events=events,
        cost_prompted=cost_prompted,
        cost_finetuned=cost_finetuned,
        investment=investment,
    )


def amortized_cost_per_event(cost_per_event: Cells, investment: Cells, events: Cells) -> Result:
    """AMORTIZED_COST_PER_EVENT: euros per event with the investment spread over the horizon."""
    return _elementwise(
        model.amortized_cost_per_event, cost_per_event=cost_per_event, investment=investment, events=events
    )


def route_buckets(
    true_range: Cells, predicted_range: Cells, separator: Cells = None, weights: Cells = None, intervals: Cells = None
) -> Result:
    """ROUTE_BUCKETS (see `route_bucket_shares`), remembering its last answers."""
    return _recall(route_bucket_shares, true_range, predicted_range, separator, weights, intervals)  # type: ignore[no-any-return]


def route_bucket_shares(
    true_range: Cells, predicted_range: Cells, separator: Cells = None, weights: Cells = None, intervals: Cells = None
) -> Result:
    """ROUTE_BUCKETS: shares correct / wrong subclass / wrong department of a label log.

    One row of three shares; with ``intervals`` TRUE, three rows: share, Wilson low, Wilson high.
    Empty cells in the label ranges are skipped (a selection longer than the log is fine); an
    empty weights range means every event counts once.
    """
    true = cells("true_range", true_range).reshape(-1)
    predicted = cells("predicted_range", predicted_range).reshape(-1)
    sep = "/" if is_missing(separator) else _single_text("separator", separator)
    weight_arr = None if is_missing(weights) else cells("weights", weights).reshape(-1)
    if weight_arr is not None and all(w is None for w in weight_arr):
        weight_arr = None  # an empty weights column: every event counts once
    if weight_arr is not None and weight_arr.size == true.size:
        present = np.asarray([w is not None for w in weight_arr], dtype=bool)
        true, predicted, weight_arr = true[present], predicted[present], weight_arr[present]
    result = labels.route_buckets(
        true, predicted, separator=sep, weights=weight_arr, names=("true_range", "predicted_range")
    )
    shares = [result.shares[name] for name in labels.BUCKETS]
    rows = [[s.share for s in shares]]
    if not is_missing(intervals) and _switch("intervals", intervals):
        rows += [[s.low for s in shares], [s.high for s in shares]]
    return rows


# --- decision analysis: a block of named inputs (names in one range, values beside them) ----------------

SENSITIVITY_PARTS = ("tornado", "cases", "case_inputs", "switch", "simulation", "distribution", "evppi")
SIMULATION_LABELS = (
    "P(fine-tuning is the cheapest option)",
    "P(break-even within the horizon)",
    "Mean net savings (EUR)",
    "p5 net savings (EUR)",
    "p10 net savings (EUR)",
    "p50 net savings (EUR)",
    "p90 net savings (EUR)",
    "p95 net savings (EUR)",
    "Value of perfect information (EUR)",
)


def _names(names: Cells) -> list[str]:
    """The input names of a block, one per cell (empty cells are rows left blank)."""
    flat = cells("names", names).reshape(-1)
    found = []
    for k, name in enumerate(flat):
        if name is None:
            continue
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"names (item {k + 1}) = {name!r} is not an input name such as events_per_day")
        if name.strip() in found:
            raise InputError(f"names (item {k + 1}) = {name.strip()!r} is named twice: give each input once")
        found.append(name.strip())
    return found


def _columns(names: Cells, **columns: Cells) -> dict[str, dict[str, Any]]:
    """Each value column of a block as input name -> value; an empty value leaves that input out (an
    optional one takes its default, a required one is named as missing)."""
    flat_names = cells("names", names).reshape(-1)
    _names(names)  # checks the names
    read: dict[str, dict[str, Any]] = {}
    for column, value in columns.items():
        flat = cells(column, value).reshape(-1)
        if flat.size != flat_names.size:
            raise InputError(f"{column} has {flat.size} cells and names {flat_names.size}: give one value per name")
        read[column] = {}
        for k, (name, item) in enumerate(zip(flat_names, flat, strict=True)):
            if name is None or item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise InputError(f"{column} (item {k + 1}, {name}) = {item!r} is not a number")
            read[column][name.strip()] = float(item)
    return read


def finetune_npv(names: Cells, values: Cells) -> Result:
    """FINETUNE_NPV: euros, fine-tuning against the best other option over the horizon, one-off and monthly
    costs, go-live delay, growth, API price change and discounting included."""
    return float(analysis.npv(_columns(names, values=values)["values"]))


def payback_days(names: Cells, values: Cells, discounted: Cells = None) -> Result:
    """PAYBACK_DAYS: the day fine-tuning's cumulative savings reach its one-off costs; discounted when TRUE."""
    found = _economics(names, values)
    if not is_missing(discounted) and _switch("discounted", discounted):
        return found.discounted_payback_days
    return found.payback_days


def total_costs_over_time(names: Cells, values: Cells) -> Result:
    """TOTAL_COSTS: each option's euros over the horizon, time effects included: one row human, prompted,
    fine-tuned."""
    totals = analysis.outcome(_columns(names, values=values)["values"]).total_costs
    return [[float(totals[key]) for key in model.OPTION_KEYS]]


FINETUNE_FIGURES = (
    "net_savings",
    "breakeven_day",
    "breakeven_text",
    "max_investment",
    "max_investment_text",
    "max_unit_cost",
    "max_unit_cost_text",
    "max_premium",
    "max_investment_same_unit_cost",
    "against",
    "limits_text",
    "handling",
    "handling_text",
    "decision_text",
    "routing_point_value",
    "curve",
)
"""The figures FINETUNE_VALUE answers: fine-tuning against the best other option (see `ftxl.finetune_economics`)."""
CURVE_POINTS = 100
"""Points of the cumulative savings curve, day 0 to the horizon, unless the call says otherwise."""


def _economics(names: Cells, values: Cells) -> economics.FinetuneEconomics:
    """Fine-tuning against the best other option for a block of named inputs, remembered: the figures of one
    case (a dozen cells, PAYBACK_DAYS too) are one computation."""
    return _recall(_economics_of, names, values)  # type: ignore[no-any-return]


def _economics_of(names: Cells, values: Cells) -> economics.FinetuneEconomics:
    return economics.finetune_economics(_columns(names, values=values)["values"])


def finetune_value(names: Cells, values: Cells, figure: Cells = None, points: Cells = None) -> Result:
    """FINETUNE_VALUE: one figure of fine-tuning against the best other option over the horizon, costs over
    time included (see `FINETUNE_FIGURES`); "curve" spills day, cumulative savings before the one-off costs, and
    those one-off costs, at `points` + 1 days from 0 to the horizon."""
    which = "net_savings" if is_missing(figure) else _single_text("figure", figure).strip().lower()
    if which not in FINETUNE_FIGURES:
        raise InputError(f"figure = {which!r}: choose {', '.join(FINETUNE_FIGURES)}")
    if which == "curve":
        count = CURVE_POINTS if is_missing(points) else _single_positive("points", points)
        if count > MAX_CURVE_POINTS:
            raise InputError(f"points = {count:g} is more than {MAX_CURVE_POINTS:,}: ask for fewer points")
        curve = _recall(_curve, names, values, int(count))
        return [list(row) for row in curve]
    if not is_missing(points):
        raise InputError("points is for the figure curve only: leave it empty")
    found = _economics(names, values)
    if which == "against":
        return found.against_label
    if which == "breakeven_text":
        return economics.breakeven_text(found.breakeven_day, found.horizon_days)
    if which == "max_investment_text":
        return economics.investment_text(found)
    if which == "max_unit_cost_text":
        return economics.unit_cost_text(found)
    if which == "limits_text":
        return " ".join(economics.limits_sentences(found))
    if which == "handling":  # what the decision's words add: "", " + agent" or ", specialists only"
        return found.handling_suffix
    if which in ("handling_text", "decision_text"):
        return str(getattr(found, which))
    number = float(getattr(found, which))
    if math.isnan(number):
        raise NoAnswerError(f"{which}: the fine-tuned model is not live within the horizon")
    return number


MAX_CURVE_POINTS = 10_000
"""The most points a savings curve spills (a chart needs a few hundred)."""


def _curve(names: Cells, values: Cells, points: int) -> list[tuple[float, float, float]]:
    return economics.savings_curve(_columns(names, values=values)["values"], points)


def switch_value(names: Cells, values: Cells, input_name: Cells, side: Cells = None) -> Result:
    """SWITCH_VALUE: the value of one input at which the decision changes, the others as given: the nearest
    one (or the one "below" or "above" the given value); #NUM! when there is none in its valid range."""
    inputs = _columns(names, values=values)["values"]
    name = _single_text("input_name", input_name).strip()
    which = "nearest" if is_missing(side) else _single_text("side", side).strip().lower()
    if which not in ("nearest", "below", "above"):
        raise InputError(f"side = {which!r}: choose nearest, below or above")
    if name not in inputs:
        raise InputError(f"input_name = {name!r} is not among names")
    found = analysis.switch_values(inputs, [name])[0]
    center = inputs[name]
    candidates = {"below": [found.below], "above": [found.above], "nearest": [found.below, found.above]}[which]
    present = [v for v in candidates if v is not None]
    if not present:
        raise NoAnswerError(f"{name}: the decision does not change in [{found.domain[0]:g}, {found.domain[1]:g}]")
    return float(min(present, key=lambda v: abs(v - center)))


def _frozen(value: Any) -> Any:
    """Cells (or an answer) as a hashable key: rows of values as tuples."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        if all(type(row) is list for row in value):  # rows of plain values, a label log: in C
            try:
                key = tuple(map(tuple, value))
                hash(key)
                return key
            except TypeError:  # a value inside is not hashable: go cell by cell
                pass
        return tuple(_frozen(item) for item in value)
    if isinstance(value, tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thawed(item) for item in value]
    return value


_ANSWERS: BoundedCache[tuple[Any, ...], Any] = BoundedCache(32)
"""The last answers of the functions that take long, by the content of their arguments (see `_recall`)."""
_BY_IDENTITY: BoundedCache[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = BoundedCache(64)
"""The same answers by the identity of the argument objects, kept with them so that no id is reused while it
is kept: one spilled table read cell by cell passes the very same ranges each time."""


def _recall(function: Callable[..., Any], *args: Cells) -> Any:
    """`function(*args)`, answered from its last answers when asked the same again: a sheet that shows one
    table cell by cell (INDEX) asks once per cell, and copies of a template share a label log."""
    large = [isinstance(a, list) and len(a) > SMALL_RANGE for a in args]
    ids = (function, *(id(a) if big else _frozen(a) for a, big in zip(args, large, strict=True)))
    seen = _BY_IDENTITY.get(ids)
    if seen is not None and all(a is b for a, b, big in zip(seen[0], args, large, strict=True) if big):
        return _thawed(seen[1])
    key = (function, _frozen(args))
    found = _ANSWERS.get(key)
    if found is None:
        found = _ANSWERS.put(key, _frozen(function(*args)))
    _BY_IDENTITY.put(ids, (args, found))
    return _thawed(found)


SMALL_RANGE = 256
"""Arguments of up to this many rows (a block of named inputs) are compared by content; longer ones (a label log)
by identity first, so that the many small calls of a sheet never push the label log out of memory."""


def forget_answers() -> None:
    """Drop every remembered answer (a benchmark times the computation, not the memory)."""
    _ANSWERS.items.clear()
    _BY_IDENTITY.items.clear()


def sensitivity(
    names: Cells,
    low: Cells,
    base: Cells,
    high: Cells,
    part: Cells = None,
    draws: Cells = None,
    seed: Cells = None,
) -> Result:
    """SENSITIVITY (see `sensitivity_table`), remembering its last answers."""
    return _recall(sensitivity_table, names, low, base, high, part, draws, seed)  # type: ignore[no-any-return]


def sensitivity_table(
    names: Cells,
    low: Cells,
    base: Cells,
    high: Cells,
    part: Cells = None,
    draws: Cells = None,
    seed: Cells = None,
) -> Result:
    """SENSITIVITY: what flips the decision, spilled as a table (see `SENSITIVITY_PARTS`):

    * tornado: a row per input, largest swing first: name, net savings at Low, at High, swing;
    * cases: worst, Base and best case for fine-tuning: name, net savings, decision;
    * case_inputs: a row per input, in the order of names: name, its value in the worst and in the best case;
    * switch: a row per input: name, the switch value below Base and above ("none" when there is none);
    * simulation: Monte Carlo (PERT, seeded): a row per figure of `SIMULATION_LABELS`: label, value;
    * distribution: the same draws' net savings in 20 bins with round edges: from, to, share of the draws;
    * evppi: the same draws' value of learning each input before deciding (EUR), largest first, and on a last
      row the estimator's noise floor (see `ftxl.value_of_information`).
    """
    read = _columns(names, low=low, base=base, high=high)
    ranges: dict[str, tuple[float, float, float]] = {}
    for name in _names(names):
        points = [read[column].get(name) for column in ("low", "base", "high")]
        if None in points:
            if any(p is not None for p in points):
                raise InputError(f"{name}: give Low, Base and High, or leave all three empty")
            continue
        low, mode, high = (float(p) for p in points)  # type: ignore[arg-type]
        if not low <= mode <= high:
            raise InputError(f"{name}: Low {low:g}, Base {mode:g}, High {high:g} must be in that order")
        ranges[name] = (low, mode, high)
    which = "tornado" if is_missing(part) else _single_text("part", part).strip().lower()
    if which not in SENSITIVITY_PARTS:
        raise InputError(f"part = {which!r}: choose {', '.join(SENSITIVITY_PARTS)}")
    if which == "tornado":
        bars = {bar.name: bar for bar in analysis.tornado(ranges)}
        rows = [[b.name, b.low, b.high, b.swing] for b in bars.values()]
        base_net = float(analysis.npv({n: r[1] for n, r in ranges.items()}))
        return rows + [[n, base_net, base_net, 0.0] for n in ranges if n not in bars]
    if which == "case_inputs":
        worst, best = analysis.extremes(ranges)
        return [[name, worst[name], best[name]] for name in ranges]
    if which == "cases":
        worst, best = analysis.extremes(ranges)
        scenarios = (("Worst case", worst), ("Base", {n: r[1] for n, r in ranges.items()}), ("Best case", best))
        rows = []
        for label, values in scenarios:
            result = analysis.outcome(values)
            rows.append([label, float(result.net_savings), model.VERDICTS[model.OPTION_KEYS[int(result.choice)]]])
        return rows
    if which == "switch":
        switches = analysis.switch_values({n: r[1] for n, r in ranges.items()}, list(ranges))
        return [
            [sw.name, "none" if sw.below is None else sw.below, "none" if sw.above is None else sw.above]
            for sw in switches
        ]
    count = analysis.DEFAULT_DRAWS if is_missing(draws) else _single_positive("draws", draws)
    if count > analysis.MAX_DRAWS:
        raise InputError(f"draws = {count:g} is more than {analysis.MAX_DRAWS:,}: ask for fewer draws")
    seeded = 0 if is_missing(seed) else _single_positive("seed", seed, allow_zero=True)
    if seeded >= 2**63:
        raise InputError(f"seed = {seeded:g} must be below 2^63")
    count, seeded = int(count), int(seeded)
    items = tuple((name, *points) for name, points in ranges.items())
    run = _recall(_simulated, items, count, seeded)  # both parts read one run of the draws
    if which == "distribution":
        return [list(row) for row in run.bins]
    if which == "evppi":  # largest first, then the estimator's noise floor on a row of its own
        ranked = sorted(run.evppi.items(), key=lambda item: -item[1])
        return [[name, float(value)] for name, value in ranked] + [[NOISE_FLOOR, float(run.evppi_noise)]]
    figures = [run.p_finetune_cheapest, run.p_breakeven_within_horizon, run.mean, *run.percentiles.values(), run.evpi]
    return [[label, float(value)] for label, value in zip(SIMULATION_LABELS, figures, strict=True)]


NOISE_FLOOR = "(noise floor)"
"""The last row of SENSITIVITY's evppi part: what an input unrelated to the costs gets from the same draws."""


def _simulated(items: tuple[tuple[Any, ...], ...], draws: int, seed: int) -> analysis.Simulation:
    return analysis.simulate({name: (low, base, high) for name, low, base, high in items}, draws, seed)


def _or_none(value: float | None) -> Any:
    return "none" if value is None else value


def _single_positive(name: str, value: Cells, allow_zero: bool = False) -> float:
    """A single cell holding a whole number above 0 (or 0 and more): draws, seed, points."""
    item = _single(name, value)
    rule = f"must be a whole number {'0 or more' if allow_zero else 'above 0'}"
    if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
        raise InputError(f"{name} = {item!r} {rule}")
    if item < 0 or (item == 0 and not allow_zero) or item != int(item):
        raise InputError(f"{name} = {item!r} {rule}")
    return float(item)


def _single(name: str, value: Cells) -> Any:
    arr = cells(name, value)
    if arr.size != 1:
        raise InputError(f"{name} is a range of {arr.size} cells: point to one cell")
    return arr.item()


def _single_text(name: str, value: Cells) -> str:
    """A required single cell of text (a number or a yes/no value is refused, not read as text)."""
    item = _single(name, value)
    if not isinstance(item, str) or not item:
        raise InputError(f"{name} = {item!r} is not text: type a character such as /")
    return item


def _switch(name: str, value: Cells) -> bool:
    """A TRUE/FALSE cell (1 and 0 count as TRUE and FALSE, as in Excel's own switches)."""
    item = _single(name, value)
    if isinstance(item, bool) or item in (0, 1):
        return bool(item)
    raise InputError(f"{name} = {item!r} is not TRUE or FALSE")


_COMPUTED_BY = ["the ftxl add-in"]
"""Who is computing the cells now: the add-in, unless `computed_by` says otherwise (ftxl recalc, ftxl template)."""


@contextlib.contextmanager
def computed_by(who: str) -> Iterator[None]:
    """Within the block, FTXL_VERSION says the cells were computed by `who` (the outermost caller wins: the
    template builder's recalculation is the builder's)."""
    _COMPUTED_BY.append(who if len(_COMPUTED_BY) == 1 else _COMPUTED_BY[-1])
    try:
        yield
    finally:
        _COMPUTED_BY.pop()


def labels_needed(share: Cells, half_width: Cells = None) -> Result:
    """LABELS_NEEDED: the labelled events a share needs for its 95% Wilson interval to be at most ± `half_width`
    (0.01 = one point, the default), cell by cell."""
    width = _optional(half_width, 0.01)

    def one(share: float, half_width: float) -> float:
        return float(value_of_information.labels_needed(float(share), float(half_width)))

    return _elementwise(np.vectorize(one, otypes=[float]), share=share, half_width=width)


LAYER_NAMES = analysis.LAYER2_INPUTS[:8]
"""The second layer's arguments, in the order of `ftxl.second_layer.SecondLayer`."""


def _layer_cells(*values: Cells) -> dict[str, Cells]:
    """The second layer's arguments by name; the two review arguments default to 0 when empty."""
    named = dict(zip(LAYER_NAMES, values, strict=True))
    return named | {name: _optional(named[name], 0.0) for name in LAYER_NAMES[-2:]}


def _layer(
    specialist_minutes: float,
    specialist_hourly_cost: float,
    routine_share: float,
    agent_cost: float,
    agent_error_rate: float,
    agent_error_cost: float,
    agent_review_share: float,
    agent_review_cost: float,
) -> second_layer.SecondLayer:
    return second_layer.SecondLayer(
        specialist_minutes,
        specialist_hourly_cost,
        routine_share,
        agent_cost,
        agent_error_rate,
        agent_error_cost,
        agent_review_share,
        agent_review_cost,
    )


def layer2_cost_per_event(
    full_route_accuracy: Cells,
    specialist_minutes: Cells,
    specialist_hourly_cost: Cells,
    routine_share: Cells,
    agent_cost: Cells,
    agent_error_rate: Cells,
    agent_error_cost: Cells,
    agent_review_share: Cells = None,
    agent_review_cost: Cells = None,
) -> Result:
    """LAYER2_COST_PER_EVENT: euros per event after routing, the agent taking the routine events routed fully
    correct, specialists the rest; cell by cell."""

    def one(full_route_accuracy: float, **layer: float) -> float:
        return second_layer.cost_per_event(_layer(**layer), full_route_accuracy)

    layer = (specialist_minutes, specialist_hourly_cost, routine_share, agent_cost, agent_error_rate)
    cells = _layer_cells(*layer, agent_error_cost, agent_review_share, agent_review_cost)
    return _elementwise(np.vectorize(one, otypes=[float]), full_route_accuracy=full_route_accuracy, **cells)


def routing_point_value(
    specialist_minutes: Cells,
    specialist_hourly_cost: Cells,
    routine_share: Cells,
    agent_cost: Cells,
    agent_error_rate: Cells,
    agent_error_cost: Cells,
    agent_review_share: Cells = None,
    agent_review_cost: Cells = None,
) -> Result:
    """ROUTING_POINT_VALUE: euros per event one point of full-route accuracy is worth downstream, cell by cell."""

    def one(**layer: float) -> float:
        return second_layer.routing_point_value(_layer(**layer))

    layer = (specialist_minutes, specialist_hourly_cost, routine_share, agent_cost, agent_error_rate)
    cells = _layer_cells(*layer, agent_error_cost, agent_review_share, agent_review_cost)
    return _elementwise(np.vectorize(one, otypes=[float]), **cells)


def _choice(name: str, value: Cells, choices: tuple[str, ...]) -> str:
    """Which figure a function returns: a single text cell among `choices` (spaces read as _); empty: the first."""
    if is_missing(value):
        return choices[0]
    item = _single(name, value)
    which = item.strip().lower().replace(" ", "_") if isinstance(item, str) else item
    if which not in choices:
        raise InputError(f"{name} = {item!r}: choose {', '.join(choices)}")
    return str(which)


def api_cost_per_event(
    input_tokens: Cells,
    output_tokens: Cells,
    input_price: Cells,
    output_price: Cells,
    cached_share: Cells = None,
    cached_price: Cells = None,
    batch_discount: Cells = None,
    currency_rate: Cells = None,
) -> Result:
    """API_COST_PER_EVENT: euros per API call from tokens and prices per million tokens, cell by cell; an empty
    cached price is the input price, empty share, discount 0, rate 1."""

    def one(cached_price: float, **args: float) -> float:
        return cost_builder.api_cost_per_event(cached_price=None if math.isnan(cached_price) else cached_price, **args)

    tokens = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    prices = {
        "input_price": input_price,
        "output_price": output_price,
        "cached_price": _optional(cached_price, math.nan),
    }
    return _elementwise(
        np.vectorize(one, otypes=[float]),
        **tokens,
        **prices,
        cached_share=_optional(cached_share, 0.0),
        batch_discount=_optional(batch_discount, 0.0),
        currency_rate=_optional(currency_rate, 1.0),
    )


def api_price(model_name: Cells, kind: Cells = None, provider: Cells = None, on_date: Cells = None) -> Result:
    """API_PRICE: US dollars per million tokens of a model from genai-prices' bundled table (offline), on an
    Excel date (empty: today); kind input (default), cached or output; kind "table" names the table's snapshot."""
    if not is_missing(kind) and _single("kind", kind) == "table":
        return price_list.snapshot()
    model_ = _single("model_name", model_name)
    if not isinstance(model_, str):
        raise InputError(f"model_name = {model_!r} is not text: type the model as its provider names it (gpt-4o)")
    which = _choice("kind", kind, price_list.PRICE_KINDS)
    vendor = None if is_missing(provider) else _single("provider", provider)
    if vendor is not None and not isinstance(vendor, str):
        raise InputError(f"provider = {vendor!r} is not text: type it as genai-prices names it (openai)")
    day = None
    if not is_missing(on_date):
        serial = _single_number(on_date)
        if serial is None or not 1 <= serial < 2_958_466:
            raise InputError(f"on_date = {_single('on_date', on_date)!r} is not an Excel date")
        day = (datetime.datetime(1899, 12, 30) + datetime.timedelta(days=int(serial))).date()
    return price_list.api_prices(model_, vendor, day).price(which)


GPU_FIGURES = {
    "per_event": "cost_per_event",
    "per_day": "cost_per_day",
    "per_month": "cost_per_month",
    "gpus": "gpus",
    "peak_gpus": "peak_gpus",
    "gpu_hours": "gpu_hours_per_day",
    "wait_hours": "average_wait_hours",
}
"""GPU_COST_PER_EVENT's `what`: the figure of `ftxl.cost_builder.GpuServing` it returns."""


def gpu_cost_per_event(
    gpu_hourly_price: Cells,
    events_per_gpu_second: Cells,
    events_per_day: Cells,
    min_replicas: Cells = None,
    peak_hour_share: Cells = None,
    batch_every_hours: Cells = None,
    startup_hours: Cells = None,
    currency_rate: Cells = None,
    what: Cells = None,
) -> Result:
    """GPU_COST_PER_EVENT: euros per event of self-hosting on GPUs (or, by `what`, per day, per month, GPUs,
    GPU-hours a day, hours an event waits), cell by cell."""
    figure = GPU_FIGURES[_choice("what", what, tuple(GPU_FIGURES))]

    def one(**args: float) -> float:
        return float(getattr(cost_builder.GpuServing(**args), figure))

    return _elementwise(
        np.vectorize(one, otypes=[float]),
        gpu_hourly_price=gpu_hourly_price,
        events_per_gpu_second=events_per_gpu_second,
        events_per_day=events_per_day,
        min_replicas=_optional(min_replicas, 1.0),
        peak_hour_share=_optional(peak_hour_share, 1 / 24),
        batch_every_hours=_optional(batch_every_hours, 0.0),
        startup_hours=_optional(startup_hours, 0.0),
        currency_rate=_optional(currency_rate, 1.0),
    )


def waiting_cost_per_event(
    wait_hours: Cells, delay_cost_per_day: Cells, free_hours: Cells = None, hours_per_day: Cells = None
) -> Result:
    """WAITING_COST_PER_EVENT: euros an event's wait costs beyond the free hours, cell by cell."""
    return _elementwise(
        np.vectorize(cost_builder.waiting_cost_per_event, otypes=[float]),
        wait_hours=wait_hours,
        delay_cost_per_day=delay_cost_per_day,
        free_hours=_optional(free_hours, 0.0),
        hours_per_day=_optional(hours_per_day, cost_builder.HOURS_PER_DAY),
    )


RATE_LIMIT_FIGURES = ("monthly", "wait_hours", "waiting_share", "peak_tpm")
"""RATE_LIMIT_COST's `what`: euros a month, the average wait of the events that wait, their share, peak TPM."""


def rate_limit_cost(
    events_per_day: Cells,
    peak_hour_share: Cells,
    tokens_per_event: Cells,
    tokens_per_minute_limit: Cells,
    requests_per_minute_limit: Cells,
    delay_cost_per_day: Cells,
    free_hours: Cells = None,
    capacity_price: Cells = None,
    what: Cells = None,
) -> Result:
    """RATE_LIMIT_COST: euros a month an API's rate limits cost (the waits, or provisioned capacity when
    cheaper), or by `what` the wait, the share of events that wait, the peak tokens per minute; cell by cell. An
    empty limit is no limit."""
    figure = _choice("what", what, RATE_LIMIT_FIGURES)

    def one(
        delay_cost_per_day: float,
        free_hours: float,
        capacity_price: float,
        tokens_per_minute_limit: float,
        requests_per_minute_limit: float,
        **args: float,
    ) -> float:
        limits = [None if math.isnan(v) else v for v in (tokens_per_minute_limit, requests_per_minute_limit)]
        limit = api_risks.rate_limit(**args, tokens_per_minute_limit=limits[0], requests_per_minute_limit=limits[1])
        if figure == "wait_hours":
            return limit.average_wait_hours
        if figure == "waiting_share":
            return limit.waiting_events_per_day / args["events_per_day"] if args["events_per_day"] else 0.0
        if figure == "peak_tpm":
            return limit.peak_tokens_per_minute
        price = None if math.isnan(capacity_price) else capacity_price
        return api_risks.rate_limit_monthly(limit, delay_cost_per_day, free_hours, capacity_price_per_1000_tpm=price)

    return _elementwise(
        np.vectorize(one, otypes=[float]),
        events_per_day=events_per_day,
        peak_hour_share=peak_hour_share,
        tokens_per_event=tokens_per_event,
        tokens_per_minute_limit=_optional(tokens_per_minute_limit, math.nan),
        requests_per_minute_limit=_optional(requests_per_minute_limit, math.nan),
        delay_cost_per_day=delay_cost_per_day,
        free_hours=_optional(free_hours, 0.0),
        capacity_price=_optional(capacity_price, math.nan),
    )


def silent_change_cost(
    incidents_per_year: Cells,
    accuracy_drop_points: Cells,
    cost_per_error: Cells,
    events_per_day: Cells,
    evaluations_per_month: Cells = None,
    cost_per_evaluation: Cells = None,
    days_to_detect: Cells = None,
) -> Result:
    """SILENT_CHANGE_COST: euros a month silent model changes and the evaluations that catch them cost, cell by
    cell; empty evaluations 0, days to detect without them a month."""
    return _elementwise(
        np.vectorize(api_risks.silent_change_monthly, otypes=[float]),
        incidents_per_year=incidents_per_year,
        accuracy_drop_points=accuracy_drop_points,
        cost_per_error=cost_per_error,
        events_per_day=events_per_day,
        evaluations_per_month=_optional(evaluations_per_month, 0.0),
        cost_per_evaluation=_optional(cost_per_evaluation, 0.0),
        days_to_detect_unmonitored=_optional(days_to_detect, cost_builder.DAYS_PER_MONTH),
    )


def finetune_investment(
    examples_needed: Cells,
    labelled_share: Cells,
    cost_per_label: Cells,
    engineer_days: Cells = None,
    day_rate: Cells = None,
    training_gpu_hours: Cells = None,
    gpu_hourly_price: Cells = None,
    currency_rate: Cells = None,
    evaluation: Cells = None,
    integration: Cells = None,
    readiness: Cells = None,
) -> Result:
    """FINETUNE_INVESTMENT: euros fine-tuning costs up front, the sum of its parts, cell by cell; empty parts 0."""

    def one(**parts: float) -> float:
        return finetuning_costs.Investment(**parts).total

    optional = {"engineer_days": engineer_days, "day_rate": day_rate, "training_gpu_hours": training_gpu_hours}
    optional |= {"gpu_hourly_price": gpu_hourly_price, "evaluation": evaluation, "integration": integration}
    return _elementwise(
        np.vectorize(one, otypes=[float]),
        examples_needed=examples_needed,
        labelled_share=labelled_share,
        cost_per_label=cost_per_label,
        currency_rate=_optional(currency_rate, 1.0),
        readiness=_optional(readiness, 0.0),
        **{name: _optional(value, 0.0) for name, value in optional.items()},
    )


def finetune_running_monthly(
    mlops_fte_share: Cells,
    loaded_annual_cost: Cells,
    retraining_runs_per_year: Cells = None,
    cost_per_run: Cells = None,
) -> Result:
    """FINETUNE_RUNNING_MONTHLY: euros a month to keep a fine-tuned model running, hosting excluded, cell by cell."""
    return _elementwise(
        np.vectorize(finetuning_costs.running_monthly, otypes=[float]),
        mlops_fte_share=mlops_fte_share,
        loaded_annual_cost=loaded_annual_cost,
        retraining_runs_per_year=_optional(retraining_runs_per_year, 0.0),
        cost_per_run=_optional(cost_per_run, 0.0),
    )


def ftxl_version() -> Result:
    """FTXL_VERSION: which ftxl computed the cells, and how: "ftxl 0.1.0, computed by the ftxl add-in" (or by
    ftxl recalc on a date). A saved file shows the last computation's words; #NAME? means no add-in."""
    return f"ftxl {__version__}, computed by {_COMPUTED_BY[-1]}"


def spellings(name: str) -> tuple[str, str, str]:
    """How a formula in a saved file calls the function `name`, upper-cased: as a VBA function of the
    workbook, as a function Excel did not know when saving (_xludf.), as an Office.js custom function
    (_xldudf_, xlwings Lite)."""
    return name, f"_XLUDF.{name}", f"_XLDUDF_{name}"


FUNCTIONS: dict[str, Callable[..., Result]] = {
    "EXPECTED_ERROR_COST": expected_error_cost,
    "BREAKEVEN_DAYS": breakeven_days,
    "MAX_FT_INVESTMENT": max_ft_investment,
    "MAX_COST_PREMIUM": max_cost_premium,
    "HUMAN_COST_PER_EVENT": human_cost_per_event,
    "ERROR_SHARES": error_shares,
    "COST_PER_EVENT": cost_per_event,
    "NET_SAVINGS": net_savings,
    "AMORTIZED_COST_PER_EVENT": amortized_cost_per_event,
    "ROUTE_BUCKETS": route_buckets,
    "DECISION": decision,
    "TOTAL_COSTS": total_costs_over_time,
    "FINETUNE_NPV": finetune_npv,
    "FINETUNE_VALUE": finetune_value,
    "PAYBACK_DAYS": payback_days,
    "SWITCH_VALUE": switch_value,
    "SENSITIVITY": sensitivity,
    "LABELS_NEEDED": labels_needed,
    "LAYER2_COST_PER_EVENT": layer2_cost_per_event,
    "ROUTING_POINT_VALUE": routing_point_value,
    "API_COST_PER_EVENT": api_cost_per_event,
    "API_PRICE": api_price,
    "GPU_COST_PER_EVENT": gpu_cost_per_event,
    "WAITING_COST_PER_EVENT": waiting_cost_per_event,
    "RATE_LIMIT_COST": rate_limit_cost,
    "SILENT_CHANGE_COST": silent_change_cost,
    "FINETUNE_INVESTMENT": finetune_investment,
    "FINETUNE_RUNNING_MONTHLY": finetune_running_monthly,
    "FTXL_VERSION": ftxl_version,
}
"""Every ftxl worksheet function under the name Excel shows, in the order the documentation lists them."""
