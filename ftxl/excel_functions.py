"""ftxl's Excel functions, for classic xlwings (Windows add-in) and xlwings Lite alike.

Registered with xlwings' own ``func`` / ``arg`` decorators only, so the one module
serves both runtimes under the same names (no namespace prefix). It imports only
numpy, xlwings and ftxl's model, all of which install in Pyodide. What each function
computes, and how ranges spill, is in `ftxl.cell_functions`; this module adds the help
texts Excel shows and the way each runtime displays an error:

* Bad input gives ``#VALUE!`` with the reason: in xlwings Lite as a real error cell
  whose message shows on hover, in classic xlwings as the cell's text (a classic UDF
  would otherwise show a traceback). A result that does not exist gives ``#NUM!``,
  like Excel's own finance functions. No cell ever shows a traceback, NaN or infinity.
* An empty cell in a required argument is an error, never a silent 0 (xlwings Lite
  receives a single empty cell from Excel as 0 already; empty cells inside a range are
  caught in both runtimes). An empty optional argument takes its default.

The parameters carry no type hints on purpose: xlwings reads hints as converters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import xlwings as xw

from . import cell_functions as sheet
from .errors import InputError

VALUE_ERROR = "#VALUE!"
NAMES_DOC = "Input names in a row or column, as on the template (events_per_day, investment, discount_rate ...)."
"""The help text of every function that takes a block of named inputs."""

# Office.js runtimes (xlwings Lite in Pyodide, xlwings Server) turn an exception into a
# #VALUE! error cell with the message on hover; classic xlwings would show a traceback.
_OFFICE_JS = os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform == "emscripten"


def _shown(value: Any) -> Any:
    """One cell of an answer as the runtime shows it: a refusal becomes its error code."""
    return value.code if isinstance(value, sheet.Refusal) else value


def _excel(function: Callable[..., sheet.Result], *args: Any) -> Any:
    """Run one sheet function under the call contract and show its refusals the way the runtime can."""
    result = sheet.answer(function, *args)
    if isinstance(result, sheet.Refusal):
        if result.code == VALUE_ERROR:
            if _OFFICE_JS:
                raise InputError(result.reason)
            return f"{VALUE_ERROR} {result.reason}"
        return result.code
    if isinstance(result, list):
        return [[_shown(v) for v in row] for row in result]
    return result


@xw.func
@xw.arg("handling_seconds", ndim=2, doc="Seconds a person spends handling one event (e.g. 30).")
@xw.arg("hourly_wage", ndim=2, doc="Fully loaded labour cost per hour in euros (e.g. 20).")
def HUMAN_COST_PER_EVENT(handling_seconds, hourly_wage):  # noqa: N802
    """Labour cost in euros of one event handled by a person: seconds / 3600 x hourly wage."""
    return _excel(sheet.human_cost_per_event, handling_seconds, hourly_wage)


@xw.func
@xw.arg("top_level_accuracy", ndim=2, doc="Share of events sent to the right department, 0-1 (e.g. 98%).")
@xw.arg(
    "full_route_accuracy",
    ndim=2,
    doc="Share sent to the right department and subclass, 0-1; at most the top-level accuracy.",
)
def ERROR_SHARES(top_level_accuracy, full_route_accuracy):  # noqa: N802
    """Spills the bucket shares: correct, wrong subclass, wrong department (a row per scenario in a column)."""
    return _excel(sheet.error_shares, top_level_accuracy, full_route_accuracy)


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
    return _excel(sheet.expected_error_cost, rates, costs, priors)


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
    return _excel(sheet.cost_per_event, error_cost, inference_cost, review_share, review_cost)


@xw.func
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros (training, evaluation, MLOps set-up).")
@xw.arg("events_per_day", ndim=2, doc="Events handled per day (e.g. 5000); more than 0.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros (COST_PER_EVENT).")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros (COST_PER_EVENT).")
def BREAKEVEN_DAYS(investment, events_per_day, cost_prompted, cost_finetuned):  # noqa: N802
    """Days until fine-tuning pays back against the prompted model: investment / (events per day x saving per event); per-event costs only, no people, monthly costs or time effects (see FINETUNE_VALUE). #NUM! if never."""
    return _excel(sheet.breakeven_days, investment, events_per_day, cost_prompted, cost_finetuned)


@xw.func
@xw.arg("events", ndim=2, doc="Events over the decision horizon: events per day x horizon in days.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros.")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
def MAX_FT_INVESTMENT(events, cost_prompted, cost_finetuned):  # noqa: N802
    """Largest fine-tuning investment in euros against the prompted model: events x saving per event; per-event costs only, no people, monthly costs or time effects (see FINETUNE_VALUE)."""
    return _excel(sheet.max_ft_investment, events, cost_prompted, cost_finetuned)


@xw.func
@xw.arg("error_cost_prompted", ndim=2, doc="Expected error cost per event of the prompted model in euros.")
@xw.arg("error_cost_finetuned", ndim=2, doc="Expected error cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
@xw.arg("events", ndim=2, doc="Events over the decision horizon; more than 0.")
@xw.arg(
    "review_cost_prompted",
    ndim=2,
    doc="Optional: review cost per event of the prompted model in euros (share x cost of one review). Empty: 0.",
)
@xw.arg(
    "review_cost_finetuned", ndim=2, doc="Optional: review cost per event of the fine-tuned model in euros. Empty: 0."
)
def MAX_COST_PREMIUM(  # noqa: N802
    error_cost_prompted, error_cost_finetuned, investment, events, review_cost_prompted=None, review_cost_finetuned=None
):
    """Largest extra inference euros per event a fine-tuned model may carry against the prompted model: error and review saving - investment / events; no people, monthly costs or time effects (see FINETUNE_VALUE)."""
    return _excel(
        sheet.max_cost_premium,
        error_cost_prompted,
        error_cost_finetuned,
        investment,
        events,
        review_cost_prompted,
        review_cost_finetuned,
    )


@xw.func
@xw.arg("events", ndim=2, doc="Events over the decision horizon: events per day x horizon in days.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros.")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
def NET_SAVINGS(events, cost_prompted, cost_finetuned, investment):  # noqa: N802
    """Euros saved by fine-tuning against the prompted model after the investment: events x saving per event - investment; per-event costs only, no people, monthly costs or time effects (see FINETUNE_VALUE)."""
    return _excel(sheet.net_savings, events, cost_prompted, cost_finetuned, investment)


@xw.func
@xw.arg("cost_per_event", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
@xw.arg("events", ndim=2, doc="Events over the decision horizon; more than 0.")
def AMORTIZED_COST_PER_EVENT(cost_per_event, investment, events):  # noqa: N802
    """Cost per event in euros with the investment spread over the horizon: cost per event + investment / events."""
    return _excel(sheet.amortized_cost_per_event, cost_per_event, investment, events)


@xw.func
@xw.arg("true_range", ndim=2, doc="Where each event truly belonged: labels such as Claims/Water damage, one per row.")
@xw.arg("predicted_range", ndim=2, doc="Where each event was routed, same number of rows as true_range.")
@xw.arg("separator", ndim=2, doc="Optional: character between department and subclass. Empty: /")
@xw.arg("weights", ndim=2, doc="Optional: weight of each event, same number of rows. Empty: every event counts once.")
@xw.arg("intervals", ndim=2, doc="Optional: TRUE to add two rows, the 95% Wilson interval's low and high bounds.")
def ROUTE_BUCKETS(true_range, predicted_range, separator=None, weights=None, intervals=None):  # noqa: N802
    """Spills the shares correct, wrong subclass, wrong department of a label log (case and spaces ignored)."""
    return _excel(sheet.route_buckets, true_range, predicted_range, separator, weights, intervals)


@xw.func
@xw.arg("events", ndim=2, doc="Events over the decision horizon: events per day x horizon in days.")
@xw.arg("cost_prompted", ndim=2, doc="All-in cost per event of the prompted model in euros.")
@xw.arg("cost_finetuned", ndim=2, doc="All-in cost per event of the fine-tuned model in euros.")
@xw.arg("investment", ndim=2, doc="Fixed fine-tuning investment in euros.")
@xw.arg(
    "cost_human",
    ndim=2,
    doc="Optional: all-in cost per event of the human process in euros. Empty: compare the two models only.",
)
def DECISION(events, cost_prompted, cost_finetuned, investment, cost_human=None):  # noqa: N802
    """The option with the lowest total cost over the horizon, investment included: Keep the human process, Prompt the API model, or Fine-tune."""
    return _excel(sheet.decision, events, cost_prompted, cost_finetuned, investment, cost_human)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg(
    "values",
    ndim=2,
    doc="The value of each named input, same number of cells; empty: that input's default (0 for time inputs).",
)
def TOTAL_COSTS(names, values):  # noqa: N802
    """Spills each option's total cost over the horizon in euros (human, prompted, fine-tuned): one-off and monthly costs, go-live delay, growth, API price change and discounting included."""
    return _excel(sheet.total_costs_over_time, names, values)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg("values", ndim=2, doc="The value of each named input, same number of cells; empty: that input's default.")
def FINETUNE_NPV(names, values):  # noqa: N802
    """Net present value in euros of fine-tuning against the best other option over the horizon, time effects and one-off costs included."""
    return _excel(sheet.finetune_npv, names, values)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg("values", ndim=2, doc="The value of each named input, same number of cells; empty: that input's default.")
@xw.arg("discounted", ndim=2, doc="Optional: TRUE for the discounted payback (at discount_rate). Empty: undiscounted.")
def PAYBACK_DAYS(names, values, discounted=None):  # noqa: N802
    """Day on which fine-tuning's cumulative savings reach its one-off costs, interpolated within the day; #NUM! if not within 100 years."""
    return _excel(sheet.payback_days, names, values, discounted)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg("values", ndim=2, doc="The value of each named input, same number of cells; empty: that input's default.")
@xw.arg(
    "figure",
    ndim=2,
    doc="Optional: net_savings, breakeven_day, max_investment, max_unit_cost, max_premium, max_investment_same_unit_cost, against, limits_text, curve ... Empty: net_savings.",
)
@xw.arg("points", ndim=2, doc="Optional, curve only: points from day 0 to the horizon. Empty: 100.")
def FINETUNE_VALUE(names, values, figure=None, points=None):  # noqa: N802
    """Fine-tuning against the best other option (people or the prompted model) over the horizon, costs over time included: net savings, break-even day, largest investment, inference cost and premium."""
    return _excel(sheet.finetune_value, names, values, figure, points)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg("values", ndim=2, doc="The value of each named input (the Base case), same number of cells.")
@xw.arg("input_name", ndim=2, doc="The input to move, e.g. investment.")
@xw.arg("side", ndim=2, doc="Optional: nearest, below or above the given value. Empty: nearest.")
def SWITCH_VALUE(names, values, input_name, side=None):  # noqa: N802
    """Value of one input at which the decision changes, every other as given; #NUM! if it cannot change within the input's valid range."""
    return _excel(sheet.switch_value, names, values, input_name, side)


@xw.func
@xw.arg("names", ndim=2, doc=NAMES_DOC)
@xw.arg("low", ndim=2, doc="Low value of each input, same number of cells as names.")
@xw.arg("base", ndim=2, doc="Base value of each input.")
@xw.arg("high", ndim=2, doc="High value of each input.")
@xw.arg(
    "part",
    ndim=2,
    doc="Optional: tornado, cases, case_inputs, switch, simulation, distribution or evppi. Empty: tornado.",
)
@xw.arg("draws", ndim=2, doc="Optional, simulation and distribution: number of Monte Carlo draws. Empty: 10000.")
@xw.arg(
    "seed", ndim=2, doc="Optional, simulation and distribution: random seed, for the same draws every time. Empty: 0."
)
def SENSITIVITY(names, low, base, high, part=None, draws=None, seed=None):  # noqa: N802
    """Spills what flips the decision: the tornado (net savings with each input at Low and High), the worst/Base/best case, switch values, or the Monte Carlo summary."""
    return _excel(sheet.sensitivity, names, low, base, high, part, draws, seed)


@xw.func
@xw.arg("share", ndim=2, doc="A share or accuracy as counted, 0-1 (e.g. 0.93).")
@xw.arg("half_width", ndim=2, doc="Optional: the ± wanted on it, 0-0.5 (0.01 = one point). Empty: 0.01.")
def LABELS_NEEDED(share, half_width=None):  # noqa: N802
    """Labelled events a share needs for its 95% Wilson interval to be at most ± half_width: 2,508 for ± 1 point at 93%."""
    return _excel(sheet.labels_needed, share, half_width)


LAYER_ARGUMENTS = (
    ("specialist_minutes", "Minutes a specialist spends handling one event after routing."),
    ("specialist_hourly_cost", "Euros per specialist hour, overheads included."),
    ("routine_share", "Share of events that are routine, 0-1: an agent could own them."),
    ("agent_cost", "Euros per event the agent handles (inference and ops)."),
    ("agent_error_rate", "Share of the agent's answers that are wrong, 0-1."),
    ("agent_error_cost", "Euros one wrong automated answer costs."),
    ("agent_review_share", "Optional: share of the agent's answers a person reviews, 0-1. Empty: 0."),
    ("agent_review_cost", "Optional: euros per review. Empty: 0."),
)
"""The second layer's arguments, shared by its functions, with the help Excel shows."""


def _layer_arguments(function: Callable[..., Any]) -> Callable[..., Any]:
    """xlwings' argument help for the second layer's arguments of `function`."""
    for name, doc in LAYER_ARGUMENTS:
        function = xw.arg(name, ndim=2, doc=doc)(function)
    return function


@xw.func
@xw.arg(
    "full_route_accuracy",
    ndim=2,
    doc="Full-route accuracy of the router, 0-1: the agent takes routine events routed fully right.",
)
@_layer_arguments
def LAYER2_COST_PER_EVENT(  # noqa: N802
    full_route_accuracy,
    specialist_minutes,
    specialist_hourly_cost,
    routine_share,
    agent_cost,
    agent_error_rate,
    agent_error_cost,
    agent_review_share=None,
    agent_review_cost=None,
):
    """Euros per event after routing: the agent handles the routine events routed fully correct (all in: cost, errors, review), specialists the rest."""
    return _excel(
        sheet.layer2_cost_per_event,
        full_route_accuracy,
        specialist_minutes,
        specialist_hourly_cost,
        routine_share,
        agent_cost,
        agent_error_rate,
        agent_error_cost,
        agent_review_share,
        agent_review_cost,
    )


@xw.func
@_layer_arguments
def ROUTING_POINT_VALUE(  # noqa: N802
    specialist_minutes,
    specialist_hourly_cost,
    routine_share,
    agent_cost,
    agent_error_rate,
    agent_error_cost,
    agent_review_share=None,
    agent_review_cost=None,
):
    """Euros per event one point of full-route accuracy is worth downstream: routine share x 0.01 x (specialist cost - agent all-in cost)."""
    return _excel(
        sheet.routing_point_value,
        specialist_minutes,
        specialist_hourly_cost,
        routine_share,
        agent_cost,
        agent_error_rate,
        agent_error_cost,
        agent_review_share,
        agent_review_cost,
    )


@xw.func
@xw.arg("input_tokens", ndim=2, doc="Input (prompt) tokens per event: instructions, examples and the event itself.")
@xw.arg("output_tokens", ndim=2, doc="Output tokens per event.")
@xw.arg("input_price", ndim=2, doc="Price per million input tokens, in the price list's currency (e.g. 2.50 USD).")
@xw.arg("output_price", ndim=2, doc="Price per million output tokens, in the price list's currency.")
@xw.arg("cached_share", ndim=2, doc="Optional: share of input tokens read from the provider's cache, 0-1. Empty: 0.")
@xw.arg("cached_price", ndim=2, doc="Optional: price per million cached input tokens. Empty: the input price.")
@xw.arg("batch_discount", ndim=2, doc="Optional: discount of a batch API, 0-1 (0.5 = half price). Empty: 0.")
@xw.arg("currency_rate", ndim=2, doc="Optional: euros per unit of the price currency (0.92 EUR per USD). Empty: 1.")
def API_COST_PER_EVENT(  # noqa: N802
    input_tokens,
    output_tokens,
    input_price,
    output_price,
    cached_share=None,
    cached_price=None,
    batch_discount=None,
    currency_rate=None,
):
    """Euros per event of an API call from tokens and prices per million tokens: 800 in, 20 out at 2.50/10 USD and 0.92 EUR per USD give 0.002024."""
    return _excel(
        sheet.api_cost_per_event,
        input_tokens,
        output_tokens,
        input_price,
        output_price,
        cached_share,
        cached_price,
        batch_discount,
        currency_rate,
    )


@xw.func
@xw.arg("model_name", ndim=2, doc="The model as its provider names it, e.g. gpt-4o.")
@xw.arg("kind", ndim=2, doc='Optional: "input" (default), "cached" or "output"; "table": which price table answers.')
@xw.arg("provider", ndim=2, doc="Optional: the provider as genai-prices names it (openai, anthropic, google).")
@xw.arg("on_date", ndim=2, doc="Optional: the date the price applies (an Excel date). Empty: today.")
def API_PRICE(model_name, kind=None, provider=None, on_date=None):  # noqa: N802
    """US dollars per million tokens of an API model, from genai-prices' bundled price table (offline, never fetched). Typed prices win over it."""
    return _excel(sheet.api_price, model_name, kind, provider, on_date)


@xw.func
@xw.arg("gpu_hourly_price", ndim=2, doc="Price of one GPU hour, in the price list's currency.")
@xw.arg(
    "events_per_gpu_second", ndim=2, doc="Measured throughput: events one GPU handles per second at its batch size."
)
@xw.arg("events_per_day", ndim=2, doc="Events per day.")
@xw.arg("min_replicas", ndim=2, doc="Optional: GPUs always running for redundancy (always-on serving). Empty: 1.")
@xw.arg("peak_hour_share", ndim=2, doc="Optional: share of a day's events in the busiest hour, 1/24-1. Empty: 1/24.")
@xw.arg("batch_every_hours", ndim=2, doc="Optional: 0 = always on; K = a scheduled batch run every K hours. Empty: 0.")
@xw.arg("startup_hours", ndim=2, doc="Optional: hours each scheduled run pays before serving. Empty: 0.")
@xw.arg("currency_rate", ndim=2, doc="Optional: euros per unit of the GPU price's currency. Empty: 1.")
@xw.arg(
    "what", ndim=2, doc="Optional: per_event (default), per_day, per_month, gpus, peak_gpus, gpu_hours or wait_hours."
)
def GPU_COST_PER_EVENT(  # noqa: N802
    gpu_hourly_price,
    events_per_gpu_second,
    events_per_day,
    min_replicas=None,
    peak_hour_share=None,
    batch_every_hours=None,
    startup_hours=None,
    currency_rate=None,
    what=None,
):
    """Euros per event of self-hosting on GPUs (the fleet sized for the peak hour, at least the replicas): 2 GPUs at 2 USD/h give 0.017664 for 5,000 events a day."""
    return _excel(
        sheet.gpu_cost_per_event,
        gpu_hourly_price,
        events_per_gpu_second,
        events_per_day,
        min_replicas,
        peak_hour_share,
        batch_every_hours,
        startup_hours,
        currency_rate,
        what,
    )


@xw.func
@xw.arg("wait_hours", ndim=2, doc="Hours an event waits for its answer (a batch window, a schedule, a queue).")
@xw.arg("delay_cost_per_day", ndim=2, doc="Euros one day of delay costs per event.")
@xw.arg("free_hours", ndim=2, doc="Optional: hours of waiting that cost nothing (same-day handling). Empty: 0.")
@xw.arg("hours_per_day", ndim=2, doc="Optional: waiting hours in a day of delay (24 calendar, 8 business). Empty: 24.")
def WAITING_COST_PER_EVENT(wait_hours, delay_cost_per_day, free_hours=None, hours_per_day=None):  # noqa: N802
    """Euros an event's wait costs: the delay cost per day for each day of waiting beyond the free hours. A 24-hour batch window at 4 EUR a day, 4 free hours: 3.33."""
    return _excel(sheet.waiting_cost_per_event, wait_hours, delay_cost_per_day, free_hours, hours_per_day)


@xw.func
@xw.arg("events_per_day", ndim=2, doc="Events per day.")
@xw.arg("peak_hour_share", ndim=2, doc="Share of a day's events in the busiest hour, 1/24-1.")
@xw.arg("tokens_per_event", ndim=2, doc="Input plus output tokens per event.")
@xw.arg("tokens_per_minute_limit", ndim=2, doc="The API's tokens-per-minute limit for your account (empty: none).")
@xw.arg(
    "requests_per_minute_limit", ndim=2, doc="The API's requests-per-minute limit, one request per event (empty: none)."
)
@xw.arg("delay_cost_per_day", ndim=2, doc="Euros one day of delay costs per event.")
@xw.arg("free_hours", ndim=2, doc="Optional: hours of waiting that cost nothing. Empty: 0.")
@xw.arg("capacity_price", ndim=2, doc="Optional: euros a month per 1,000 tokens per minute of provisioned capacity.")
@xw.arg("what", ndim=2, doc="Optional: monthly (default), wait_hours, waiting_share or peak_tpm.")
def RATE_LIMIT_COST(  # noqa: N802
    events_per_day,
    peak_hour_share,
    tokens_per_event,
    tokens_per_minute_limit,
    requests_per_minute_limit,
    delay_cost_per_day,
    free_hours=None,
    capacity_price=None,
    what=None,
):
    """Euros a month an API's rate limits cost: the queue the busiest hour builds, priced as waiting, or provisioned capacity when that is cheaper."""
    return _excel(
        sheet.rate_limit_cost,
        events_per_day,
        peak_hour_share,
        tokens_per_event,
        tokens_per_minute_limit,
        requests_per_minute_limit,
        delay_cost_per_day,
        free_hours,
        capacity_price,
        what,
    )


@xw.func
@xw.arg("incidents_per_year", ndim=2, doc="Silent model changes per year that lower accuracy.")
@xw.arg("accuracy_drop_points", ndim=2, doc="Points of accuracy one change costs until it is caught (3 = 3 points).")
@xw.arg("cost_per_error", ndim=2, doc="Euros one extra routing error costs.")
@xw.arg("events_per_day", ndim=2, doc="Events per day.")
@xw.arg("evaluations_per_month", ndim=2, doc="Optional: evaluation runs per month that would catch a change. Empty: 0.")
@xw.arg("cost_per_evaluation", ndim=2, doc="Optional: euros per evaluation run. Empty: 0.")
@xw.arg(
    "days_to_detect", ndim=2, doc="Optional: days until complaints reveal a change without evaluations. Empty: 30.4."
)
def SILENT_CHANGE_COST(  # noqa: N802
    incidents_per_year,
    accuracy_drop_points,
    cost_per_error,
    events_per_day,
    evaluations_per_month=None,
    cost_per_evaluation=None,
    days_to_detect=None,
):
    """Euros a month silent API model changes cost: incidents x days unnoticed (half the evaluation interval) x events x extra errors x euros, plus the evaluations."""
    return _excel(
        sheet.silent_change_cost,
        incidents_per_year,
        accuracy_drop_points,
        cost_per_error,
        events_per_day,
        evaluations_per_month,
        cost_per_evaluation,
        days_to_detect,
    )


@xw.func
@xw.arg("examples_needed", ndim=2, doc="Labelled examples training and evaluation need.")
@xw.arg("labelled_share", ndim=2, doc="Share of them the operation already labelled (routing history), 0-1.")
@xw.arg("cost_per_label", ndim=2, doc="Euros per newly labelled example.")
@xw.arg("engineer_days", ndim=2, doc="Optional: engineer days. Empty: 0.")
@xw.arg("day_rate", ndim=2, doc="Optional: euros per engineer day, loaded. Empty: 0.")
@xw.arg("training_gpu_hours", ndim=2, doc="Optional: GPU hours of training runs. Empty: 0.")
@xw.arg("gpu_hourly_price", ndim=2, doc="Optional: price of a training GPU hour. Empty: 0.")
@xw.arg("currency_rate", ndim=2, doc="Optional: euros per unit of the GPU price's currency. Empty: 1.")
@xw.arg("evaluation", ndim=2, doc="Optional: euros to evaluate before go-live. Empty: 0.")
@xw.arg("integration", ndim=2, doc="Optional: euros to wire the model into the process. Empty: 0.")
@xw.arg("readiness", ndim=2, doc="Optional: euros to build the capability to run fine-tuned models; 0 if it exists.")
def FINETUNE_INVESTMENT(  # noqa: N802
    examples_needed,
    labelled_share,
    cost_per_label,
    engineer_days=None,
    day_rate=None,
    training_gpu_hours=None,
    gpu_hourly_price=None,
    currency_rate=None,
    evaluation=None,
    integration=None,
    readiness=None,
):
    """Euros fine-tuning costs up front: new labels, engineer days, training GPU hours, evaluation, integration and readiness."""
    return _excel(
        sheet.finetune_investment,
        examples_needed,
        labelled_share,
        cost_per_label,
        engineer_days,
        day_rate,
        training_gpu_hours,
        gpu_hourly_price,
        currency_rate,
        evaluation,
        integration,
        readiness,
    )


@xw.func
@xw.arg("mlops_fte_share", ndim=2, doc="Share of one person's time that MLOps of this model takes, 0-1.")
@xw.arg("loaded_annual_cost", ndim=2, doc="Euros a year that person costs, loaded.")
@xw.arg("retraining_runs_per_year", ndim=2, doc="Optional: retraining runs per year. Empty: 0.")
@xw.arg("cost_per_run", ndim=2, doc="Optional: euros per retraining run. Empty: 0.")
def FINETUNE_RUNNING_MONTHLY(mlops_fte_share, loaded_annual_cost, retraining_runs_per_year=None, cost_per_run=None):  # noqa: N802
    """Euros a month to keep a fine-tuned model running, hosting excluded (it is priced per event): MLOps share x loaded cost and retraining, / 12."""
    return _excel(
        sheet.finetune_running_monthly, mlops_fte_share, loaded_annual_cost, retraining_runs_per_year, cost_per_run
    )


@xw.func
def FTXL_VERSION():  # noqa: N802
    """The version of ftxl answering the Excel functions; #NAME? in this cell means the add-in is not loaded."""
    return _excel(sheet.ftxl_version)


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
    ROUTE_BUCKETS,
    DECISION,
    TOTAL_COSTS,
    FINETUNE_NPV,
    FINETUNE_VALUE,
    PAYBACK_DAYS,
    SWITCH_VALUE,
    SENSITIVITY,
    LABELS_NEEDED,
    LAYER2_COST_PER_EVENT,
    ROUTING_POINT_VALUE,
    API_COST_PER_EVENT,
    API_PRICE,
    GPU_COST_PER_EVENT,
    WAITING_COST_PER_EVENT,
    RATE_LIMIT_COST,
    SILENT_CHANGE_COST,
    FINETUNE_INVESTMENT,
    FINETUNE_RUNNING_MONTHLY,
    FTXL_VERSION,
)
"""Every Excel function, in the order the documentation lists them."""
