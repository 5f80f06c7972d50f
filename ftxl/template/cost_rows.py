"""What the Costs sheet asks and computes: the cost builder's rows, section by section (data and formulas only).

Each row is typed (blue: Low, Base, High, or one cell for a text, a choice or a date) or computed (a formula per
column). A column computes with the inputs of its own column, here and on Inputs. `ftxl.template.costs` lays the
rows out; `Layout` places them first, since Inputs, Scenarios, Sensitivity and the checks read the figures that feed
Inputs (`used_<row>`). The insurance example's values are `ftxl.costs.insurance_costs()` (Base), with
illustrative Low and High around them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..costs import API_SERVING, FEEDS, SELF_HOSTED_SERVING


class Refs(Protocol):
    """References a computed row's formula needs, for one column."""

    def c(self, name: str) -> str:
        """A Costs row's cell in this column (its one cell for a one-cell row)."""
        ...

    def i(self, name: str) -> str:
        """An Inputs row's value in this column (what the model uses)."""
        ...

    def fn(self, name: str, *args: str) -> str:
        """A call of an ftxl function, spelled for the runtime."""
        ...


@dataclass(frozen=True)
class CostRow:
    name: str
    label: str
    kind: str
    """Number format and validation: count, number, hours, days, share, money, money_per_event, text, date."""
    help: str
    example: tuple[float, float, float] | str | datetime.date | None = None
    one_cell: bool = False
    """A single typed cell in Base (a model name, a choice, a date), read by every column."""
    formula: Callable[[Refs], str] | None = None
    """A computed row's formula for one column, without the leading =."""
    choices: tuple[str, ...] = ()
    optional: bool = False


def _table_price(kind: str) -> Callable[[Refs], str]:
    def formula(r: Refs) -> str:
        call = r.fn("API_PRICE", r.c("api_model"), f'"{kind}"', r.c("api_provider"), r.c("api_price_date"))
        if kind == "cached":  # a model without a cached price reads its input price: no cache discount
            call = f"IFERROR({call},{r.c('input_price')})"
        return f'IF({r.c("api_model")}="","",{call})'

    return formula


def _api(r: Refs, discount: str) -> str:
    args = ("input_tokens", "output_tokens", "input_price", "output_price", "cached_share", "cached_price")
    return r.fn("API_COST_PER_EVENT", *(r.c(a) for a in args), discount, r.c("usd_rate"))


def _gpu(r: Refs, what: str, scheduled: bool) -> str:
    schedule = (r.c("batch_every_hours"), r.c("startup_hours")) if scheduled else ("0", "0")
    head = (r.c("gpu_hourly_price"), r.c("events_per_gpu_second"), r.i("events_per_day"))
    tail = (r.c("min_replicas"), r.c("peak_hour_share"), *schedule, r.c("gpu_rate"), f'"{what}"')
    return r.fn("GPU_COST_PER_EVENT", *head, *tail)


def _waiting(r: Refs, hours: str) -> str:
    args = (hours, r.i("delay_cost_per_day"), r.c("free_hours"), r.c("hours_per_day"))
    return r.fn("WAITING_COST_PER_EVENT", *args)


def _cost_per_error(r: Refs) -> str:
    """Euros per extra error of the prompted model: its wrong-subclass and wrong-department shares (from its
    accuracies) weighting the two bucket costs (typed, or delay cost x days lost)."""
    top, full = r.i("prompted_top_level_accuracy"), r.i("prompted_full_route_accuracy")
    delay = r.i("delay_cost_per_day")
    typed_sub, typed_dep = r.i("cost_wrong_subclass_typed"), r.i("cost_wrong_department_typed")
    sub = f"IF(ISNUMBER({typed_sub}),{typed_sub},{delay}*{r.i('days_lost_wrong_subclass')})"
    dep = f"IF(ISNUMBER({typed_dep}),{typed_dep},{delay}*{r.i('days_lost_wrong_department')})"
    return f"IF(1-{full}>0,(({top}-{full})*{sub}+(1-{top})*{dep})/(1-{full}),{sub})"


def _cheapest(r: Refs) -> str:
    names = ("Real-time API", "Batch API", "Always on", "Scheduled")  # short enough for a column
    cells = [r.c(n) for n in ("realtime_total", "batch_total", "always_on_total", "scheduled_total")]
    least = f"MIN({','.join(cells)})"
    text = f'"{names[-1]}"'
    for cell, name in reversed(list(zip(cells[:-1], names[:-1], strict=True))):
        text = f'IF({cell}={least},"{name}",{text})'
    return text


def _rate(r: Refs, what: str) -> str:
    args = [r.i("events_per_day"), r.c("peak_hour_share"), f"{r.c('input_tokens')}+{r.c('output_tokens')}"]
    args += [r.c("tokens_per_minute_limit"), r.c("requests_per_minute_limit"), r.i("delay_cost_per_day")]
    args += [r.c("free_hours"), r.c("capacity_price"), f'"{what}"']
    return r.fn("RATE_LIMIT_COST", *args)


def _silent(r: Refs) -> str:
    names = ("incidents_per_year", "accuracy_drop_points", "cost_per_error")
    tail = ("evaluations_per_month", "cost_per_evaluation", "days_to_detect")
    return r.fn("SILENT_CHANGE_COST", *(r.c(n) for n in names), r.i("events_per_day"), *(r.c(n) for n in tail))


def _investment(r: Refs) -> str:
    names: tuple[str, ...] = ("examples_needed", "labelled_share", "cost_per_label", "engineer_days", "day_rate")
    names += ("training_gpu_hours",)
    names += ("gpu_hourly_price", "gpu_rate", "evaluation_cost", "integration_cost", "readiness_part")
    return r.fn("FINETUNE_INVESTMENT", *(r.c(n) for n in names))


def _hosting(r: Refs) -> str:
    gpu = f'IF({r.c("self_hosted_serving")}="scheduled",{r.c("scheduled_per_event")},{r.c("gpu_per_event")})'
    return f"{gpu}*{r.i('events_per_day')}*365/12"


SECTIONS: tuple[tuple[str, tuple[CostRow, ...]], ...] = (
    (
        "API per event, from tokens (the prompted model)",
        (
            CostRow(
                "api_model",
                "Model, as its provider names it",
                "text",
                "e.g. gpt-4o; prices below start from the table.",
                "gpt-4o",
                one_cell=True,
            ),
            CostRow(
                "api_provider",
                "Provider (optional)",
                "text",
                "As genai-prices names it: openai, anthropic, google ...",
                "openai",
                one_cell=True,
                optional=True,
            ),
            CostRow(
                "api_price_date",
                "Prices valid on (date)",
                "date",
                "The day the price table's prices apply.",
                datetime.date(2026, 12, 1),
                one_cell=True,
            ),
            CostRow(
                "price_table",
                "Price table (read offline, never fetched)",
                "note",
                "",
                formula=lambda r: r.fn("API_PRICE", r.c("api_model"), '"table"'),
            ),
            CostRow(
                "input_tokens",
                "Input tokens per event",
                "count",
                "Instructions, examples, the event itself.",
                (12_000, 16_000, 22_000),
            ),
            CostRow(
                "output_tokens",
                "Output tokens per event",
                "count",
                "The answer, reasoning included.",
                (700, 1_000, 1_500),
            ),
            CostRow(
                "cached_share",
                "Share of input tokens read from the cache (%)",
                "share",
                "Instructions repeated on every call can be cached.",
                (0, 0, 0),
                optional=True,
            ),
            CostRow(
                "input_price",
                "Input price (USD per million tokens)",
                "number",
                "Starts from the price table; type a price to override it.",
                formula=_table_price("input"),
            ),
            CostRow(
                "cached_price",
                "Cached input price (USD per million tokens)",
                "number",
                "Starts from the table (the input price when it has none).",
                formula=_table_price("cached"),
            ),
            CostRow(
                "output_price",
                "Output price (USD per million tokens)",
                "number",
                "Starts from the price table; type a price to override it.",
                formula=_table_price("output"),
            ),
            CostRow(
                "usd_rate", "Euros per US dollar", "number", "The exchange rate you budget with.", (0.92, 0.92, 0.92)
            ),
            CostRow(
                "api_ops_per_event",
                "Operations per event beyond tokens (EUR)",
                "money_fine",
                "Logging, guardrails, monitoring that grow with volume.",
                (0.010, 0.014, 0.020),
            ),
            CostRow(
                "batch_discount",
                "Batch API discount (%)",
                "share",
                "What the provider's batch API takes off (50% is common).",
                (0.5, 0.5, 0.5),
            ),
            CostRow(
                "batch_window_hours",
                "Batch API window (hours)",
                "hours",
                "Results are counted at the end of the window.",
                (24, 24, 24),
            ),
            CostRow(
                "api_serving",
                "API served (real-time or batch)",
                "text",
                "Which of the two feeds the prompted model's cost.",
                "real-time",
                one_cell=True,
                choices=tuple(API_SERVING),
            ),
            CostRow(
                "api_tokens_cost",
                "Tokens per event, real time (EUR)",
                "money_fine",
                "Tokens x prices x euros per dollar.",
                formula=lambda r: _api(r, "0"),
            ),
            CostRow(
                "api_batch_cost",
                "Tokens per event, batch API (EUR)",
                "money_fine",
                "The same less the batch discount.",
                formula=lambda r: _api(r, r.c("batch_discount")),
            ),
        ),
    ),
    (
        "Self-hosted per event, from GPUs (the fine-tuned model)",
        (
            CostRow(
                "gpu_hourly_price",
                "Price of one GPU hour (GPU provider's currency)",
                "money",
                "Rented or amortised, per GPU hour.",
                (1.0, 1.25, 1.6),
            ),
            CostRow(
                "gpu_rate", "Euros per unit of that currency", "number", "1 when the GPU is priced in euros.", (1, 1, 1)
            ),
            CostRow(
                "events_per_gpu_second",
                "Throughput (events per GPU-second)",
                "number",
                "Measured at the batch size you serve with.",
                (60, 40, 25),
            ),
            CostRow(
                "min_replicas", "GPUs always running (redundancy)", "count", "For an always-on service.", (2, 2, 2)
            ),
            CostRow(
                "peak_hour_share",
                "Share of a day's events in the busiest hour (%)",
                "share",
                "1/24 = 4.2% is perfectly even; bursts and seasons raise it.",
                (0.12, 0.15, 0.20),
            ),
            CostRow(
                "batch_every_hours",
                "Scheduled batch: a run every (hours)",
                "hours",
                "For serving in scheduled batches.",
                (4, 4, 4),
            ),
            CostRow(
                "startup_hours",
                "Start-up per run (hours)",
                "hours",
                "Loading the model before a run serves.",
                (0.25, 0.25, 0.25),
            ),
            CostRow(
                "finetuned_ops_per_event",
                "Operations per event beyond GPUs (EUR)",
                "money_fine",
                "Logging and monitoring that grow with volume.",
                (0.002, 0.003, 0.005),
            ),
            CostRow(
                "self_hosted_serving",
                "Self-hosted (always on or scheduled)",
                "text",
                "Which of the two feeds the fine-tuned model's cost.",
                "always on",
                one_cell=True,
                choices=tuple(SELF_HOSTED_SERVING),
            ),
            CostRow(
                "gpus",
                "GPUs always on (peak hour or replicas)",
                "count",
                "The fleet sized for the busiest hour, at least the replicas.",
                formula=lambda r: _gpu(r, "gpus", False),
            ),
            CostRow(
                "gpu_per_day",
                "Always on: GPU cost per day (EUR)",
                "money",
                "GPUs x 24 hours x price x rate.",
                formula=lambda r: _gpu(r, "per_day", False),
            ),
            CostRow(
                "gpu_per_event",
                "Always on: GPU cost per event (EUR)",
                "money_fine",
                "Per day / events per day.",
                formula=lambda r: _gpu(r, "per_event", False),
            ),
            CostRow(
                "scheduled_per_event",
                "Scheduled: GPU cost per event (EUR)",
                "money_fine",
                "Runs x (start-up + work) on enough GPUs.",
                formula=lambda r: _gpu(r, "per_event", True),
            ),
            CostRow(
                "scheduled_wait",
                "Scheduled: average wait (hours)",
                "hours",
                "Half the interval plus a run's length.",
                formula=lambda r: _gpu(r, "wait_hours", True),
            ),
        ),
    ),
    (
        "Waiting has a price: serving options per event, waiting included",
        (
            CostRow(
                "free_hours",
                "Hours of waiting that cost nothing",
                "hours",
                "Same-day handling: a wait within them costs no delay.",
                (4, 4, 4),
            ),
            CostRow(
                "hours_per_day",
                "Hours of waiting in a day of delay",
                "hours",
                "24: calendar days; 8: business days of 8 hours.",
                (24, 24, 24),
            ),
            CostRow(
                "realtime_total",
                "Real-time API (EUR per event)",
                "money_fine",
                "Tokens, no wait.",
                formula=lambda r: r.c("api_tokens_cost"),
            ),
            CostRow(
                "batch_total",
                "Batch API (EUR per event)",
                "money_fine",
                "Discounted tokens + the window's wait x delay cost.",
                formula=lambda r: f"{r.c('api_batch_cost')}+{_waiting(r, r.c('batch_window_hours'))}",
            ),
            CostRow(
                "always_on_total",
                "Self-hosted, always on (EUR per event)",
                "money_fine",
                "GPUs, no wait.",
                formula=lambda r: r.c("gpu_per_event"),
            ),
            CostRow(
                "scheduled_total",
                "Self-hosted, scheduled (EUR per event)",
                "money_fine",
                "GPUs + the average wait x delay cost.",
                formula=lambda r: f"{r.c('scheduled_per_event')}+{_waiting(r, r.c('scheduled_wait'))}",
            ),
            CostRow(
                "cheapest_serving",
                "Cheapest way to serve",
                "words",
                "Serving and waiting only (self-hosted: always on or scheduled); errors differ too.",
                formula=_cheapest,
            ),
            CostRow(
                "prompted_per_event_built",
                "Prompted: served as chosen + operations (EUR per event)",
                "money_fine",
                "Real-time or batch (waiting included) + operations.",
                formula=lambda r: (
                    f'IF({r.c("api_serving")}="batch",{r.c("batch_total")},{r.c("realtime_total")})+{r.c("api_ops_per_event")}'
                ),
            ),
            CostRow(
                "finetuned_per_event_built",
                "Fine-tuned: served as chosen + operations (EUR per event)",
                "money_fine",
                "Always on or scheduled (waiting included) + operations.",
                formula=lambda r: (
                    f'IF({r.c("self_hosted_serving")}="scheduled",{r.c("scheduled_total")},{r.c("always_on_total")})+{r.c("finetuned_ops_per_event")}'
                ),
            ),
        ),
    ),
    (
        "API risks, as money per month (the prompted model)",
        (
            CostRow(
                "tokens_per_minute_limit",
                "Tokens-per-minute limit",
                "count",
                "Your account's limit; empty: none.",
                (150_000, 150_000, 150_000),
                optional=True,
            ),
            CostRow(
                "requests_per_minute_limit",
                "Requests-per-minute limit",
                "count",
                "Your account's limit; empty: none.",
                (5_000, 5_000, 5_000),
                optional=True,
            ),
            CostRow(
                "capacity_price",
                "Provisioned capacity (EUR per month per 1,000 TPM)",
                "money",
                "Empty: none on offer.",
                optional=True,
            ),
            CostRow(
                "rate_limit_wait",
                "Rate limits: average wait of the events that wait (hours)",
                "hours",
                "The peak hour's queue, drained in quieter hours.",
                formula=lambda r: _rate(r, "wait_hours"),
            ),
            CostRow(
                "rate_limit_monthly",
                "Rate limits (EUR per month)",
                "money",
                "Their waits beyond the free hours, or capacity if cheaper.",
                formula=lambda r: _rate(r, "monthly"),
            ),
            CostRow(
                "incidents_per_year",
                "Silent model changes per year",
                "number",
                "Provider updates that lower your accuracy unannounced.",
                (1, 2, 4),
            ),
            CostRow(
                "accuracy_drop_points",
                "Accuracy lost per change (points)",
                "number",
                "Until the change is caught.",
                (2, 3, 5),
            ),
            CostRow(
                "cost_per_error",
                "Euros per extra error (from Inputs)",
                "money",
                "The prompted model's buckets and their costs on Inputs.",
                formula=_cost_per_error,
            ),
            CostRow(
                "evaluations_per_month",
                "Evaluation runs per month",
                "number",
                "A change goes unnoticed half an interval on average.",
                (2, 4, 8),
            ),
            CostRow(
                "cost_per_evaluation",
                "Cost of one evaluation run (EUR)",
                "money",
                "Compute and the time to read it.",
                (50, 50, 50),
            ),
            CostRow(
                "days_to_detect", "Days until complaints reveal a change", "days", "Without evaluations.", (30, 30, 30)
            ),
            CostRow(
                "silent_monthly",
                "Silent changes and evaluations (EUR per month)",
                "money",
                "Incidents x days unnoticed x events x drop x euros + runs.",
                formula=_silent,
            ),
            CostRow(
                "migrations_per_year",
                "Forced migrations per year (probability)",
                "number",
                "Deprecations that force a new model and a new prompt.",
                (0.25, 0.5, 1),
            ),
            CostRow(
                "migration_cost",
                "Cost of one migration project (EUR)",
                "money",
                "Re-prompting, re-evaluating, re-integrating.",
                (10_000, 15_000, 25_000),
            ),
            CostRow(
                "deprecation_monthly",
                "Deprecation, expected (EUR per month)",
                "money",
                "Probability per year x cost / 12.",
                formula=lambda r: f"{r.c('migrations_per_year')}*{r.c('migration_cost')}/12",
            ),
            CostRow(
                "api_one_off",
                "Prompt engineering and integration (EUR, one-off)",
                "money",
                "Paid once at the start of the API option.",
                (0, 0, 0),
            ),
            CostRow(
                "api_monthly",
                "API option's fixed costs (EUR per month)",
                "money",
                "Rate limits + silent changes + deprecation.",
                formula=lambda r: f"{r.c('rate_limit_monthly')}+{r.c('silent_monthly')}+{r.c('deprecation_monthly')}",
            ),
        ),
    ),
    (
        "The fine-tuning investment, part by part",
        (
            CostRow(
                "examples_needed",
                "Labelled examples needed",
                "count",
                "Training and evaluation sets.",
                (4_000, 5_000, 8_000),
            ),
            CostRow(
                "labelled_share",
                "Share already labelled by the operation (%)",
                "share",
                "Routing history and corrections: the hidden labels.",
                (0.9, 0.8, 0.6),
            ),
            CostRow(
                "cost_per_label", "Cost per new label (EUR)", "money", "An expert's minutes per example.", (1.5, 2, 3)
            ),
            CostRow("engineer_days", "Engineer days", "days", "Data, training, evaluation, deployment.", (20, 30, 45)),
            CostRow("day_rate", "Cost per engineer day (EUR)", "money", "Loaded.", (700, 800, 900)),
            CostRow("training_gpu_hours", "Training GPU hours", "hours", "At the GPU price above.", (100, 200, 400)),
            CostRow(
                "evaluation_cost",
                "Evaluation before go-live (EUR)",
                "money",
                "Test sets, reviews, sign-off.",
                (2_500, 3_750, 6_000),
            ),
            CostRow(
                "integration_cost",
                "Integration (EUR)",
                "money",
                "Wiring the model into the process.",
                (6_000, 10_000, 15_000),
            ),
            CostRow(
                "capability_exists",
                "Capability to run fine-tuned models exists (yes or no)",
                "text",
                "Data versioning, training, deployment, monitoring.",
                "yes",
                one_cell=True,
                choices=("yes", "no"),
            ),
            CostRow(
                "readiness_cost",
                "Cost to build that capability (EUR)",
                "money",
                "Counted only when it does not exist.",
                (25_000, 25_000, 25_000),
            ),
            CostRow(
                "labels_part",
                "Labels (EUR)",
                "money",
                "Examples not yet labelled x cost per label.",
                formula=lambda r: f"{r.c('examples_needed')}*(1-{r.c('labelled_share')})*{r.c('cost_per_label')}",
            ),
            CostRow(
                "engineering_part",
                "Engineering (EUR)",
                "money",
                "Days x day rate.",
                formula=lambda r: f"{r.c('engineer_days')}*{r.c('day_rate')}",
            ),
            CostRow(
                "training_part",
                "Training (EUR)",
                "money",
                "GPU hours x price x rate.",
                formula=lambda r: f"{r.c('training_gpu_hours')}*{r.c('gpu_hourly_price')}*{r.c('gpu_rate')}",
            ),
            CostRow(
                "readiness_part",
                "Readiness (EUR)",
                "money",
                "0 when the capability exists.",
                formula=lambda r: f'IF({r.c("capability_exists")}="yes",0,{r.c("readiness_cost")})',
            ),
            CostRow(
                "investment_total",
                "Investment (EUR)",
                "money",
                "Every part above, evaluation and integration included.",
                formula=_investment,
            ),
        ),
    ),
    (
        "Running the fine-tuned model, per month",
        (
            CostRow(
                "mlops_fte_share",
                "Share of a person on MLOps (%)",
                "share",
                "Monitoring, incidents, data upkeep.",
                (0.05, 0.1, 0.2),
            ),
            CostRow(
                "loaded_annual_cost",
                "That person's loaded cost per year (EUR)",
                "money",
                "Salary and overheads.",
                (96_000, 96_000, 96_000),
            ),
            CostRow(
                "retraining_runs_per_year",
                "Retraining runs per year",
                "number",
                "New data, drift, new classes.",
                (2, 4, 6),
            ),
            CostRow(
                "cost_per_run",
                "Cost of one retraining run (EUR)",
                "money",
                "Labels, GPU time, evaluation.",
                (1_000, 1_500, 2_500),
            ),
            CostRow(
                "running_monthly",
                "Running costs (EUR per month)",
                "money",
                "Hosting excluded: it is priced per event.",
                formula=lambda r: r.fn(
                    "FINETUNE_RUNNING_MONTHLY",
                    *(
                        r.c(n)
                        for n in ("mlops_fte_share", "loaded_annual_cost", "retraining_runs_per_year", "cost_per_run")
                    ),
                ),
            ),
            CostRow(
                "hosting_monthly",
                "Hosting per month, shown only (EUR)",
                "money",
                "Counted per event on Inputs, so never added here.",
                formula=_hosting,
            ),
        ),
    ),
)


BUILT = {
    "prompted_unit_cost": lambda r: r.c("prompted_per_event_built"),
    "finetuned_unit_cost": lambda r: r.c("finetuned_per_event_built"),
    "investment": lambda r: r.c("investment_total"),
    "prompted_one_off": lambda r: r.c("api_one_off"),
    "prompted_monthly": lambda r: r.c("api_monthly"),
    "finetuned_monthly": lambda r: r.c("running_monthly"),
}
"""Inputs row -> the builder's figure for it in one column."""
assert set(BUILT) == set(FEEDS)

FEED_SECTION = "What the Inputs rows get: choose Costs in a row's From cell on Inputs"
"""The last block: per fed row, the builder's figure, and what the model uses (typed or the builder's)."""


def rows() -> list[CostRow]:
    """Every typed and computed row, in sheet order (the feed block excluded)."""
    return [row for _, section in SECTIONS for row in section]
