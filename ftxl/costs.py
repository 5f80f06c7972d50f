"""The cost builder at once: from tokens, GPUs, people and API risks to the six Inputs rows it can feed.

`build` runs `cost_builder`, `api_risks` and `finetuning_costs` over one `CostInputs` and returns every figure
the Costs sheet and `ftxl costs` show. The rows it feeds (`FEEDS`) are what the decision reads; each part is
shown once, so nothing is counted twice (hosting is per event, never also monthly). It holds no formula of its
own beyond adding the parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from . import api_risks, cost_builder, finetuning_costs
from .cost_builder import GpuServing
from .errors import InputError
from .use_case import UseCase, evaluate, insurance_example

FEEDS = {
    "prompted_unit_cost": "Prompted: inference and ops cost (EUR per event)",
    "finetuned_unit_cost": "Fine-tuned: inference and ops cost (EUR per event)",
    "investment": "Fine-tuning investment (EUR)",
    "prompted_one_off": "One-off cost of the API option (EUR)",
    "prompted_monthly": "Fixed cost of the API option per month (EUR)",
    "finetuned_monthly": "Fixed cost of the fine-tuned model per month (EUR)",
}
"""The Inputs rows the builder can feed, with their labels."""
API_SERVING = {"real-time": cost_builder.SERVING[0], "batch": cost_builder.SERVING[1]}
"""How the API option is served -> its serving option."""
SELF_HOSTED_SERVING = {"always on": cost_builder.SERVING[2], "scheduled": cost_builder.SERVING[3]}
"""How the fine-tuned model runs -> its serving option."""


@dataclass(frozen=True)
class CostInputs:
    """Everything the builder reads. Prices in the price list's currency; `usd_rate`, `gpu_rate`: euros per unit."""

    events_per_day: float
    delay_cost_per_day: float
    cost_per_error: float
    """Euros an extra error of the API model costs (its error cost per event / its error share)."""
    # the API, from tokens
    input_tokens: float
    output_tokens: float
    input_price: float
    output_price: float
    cached_share: float = 0.0
    cached_price: float | None = None
    usd_rate: float = 1.0
    api_ops_per_event: float = 0.0
    """Euros per event beyond the tokens: logging, guardrails, monitoring that grows with volume."""
    batch_discount: float = 0.0
    batch_window_hours: float = 24.0
    api_serving: str = "real-time"
    api_one_off: float = 0.0
    """Euros of prompt engineering and integration for the API option, paid at the start."""
    # self-hosting, from GPUs
    gpu_hourly_price: float = 0.0
    gpu_rate: float = 1.0
    events_per_gpu_second: float = 1.0
    min_replicas: int = 1
    peak_hour_share: float = 1 / 24
    batch_every_hours: float = 4.0
    startup_hours: float = 0.0
    finetuned_ops_per_event: float = 0.0
    self_hosted_serving: str = "always on"
    # waiting
    free_hours: float = 0.0
    hours_per_day: float = 24.0
    # API risks
    tokens_per_minute_limit: float | None = None
    """None: no limit."""
    requests_per_minute_limit: float | None = None
    capacity_price: float | None = None
    incidents_per_year: float = 0.0
    accuracy_drop_points: float = 0.0
    evaluations_per_month: float = 0.0
    cost_per_evaluation: float = 0.0
    days_to_detect: float = cost_builder.DAYS_PER_MONTH
    migrations_per_year: float = 0.0
    migration_cost: float = 0.0
    # the fine-tuning investment and running costs
    investment: finetuning_costs.Investment = field(default_factory=lambda: finetuning_costs.Investment(0.0, 0.0, 0.0))
    mlops_fte_share: float = 0.0
    loaded_annual_cost: float = 0.0
    retraining_runs_per_year: float = 0.0
    cost_per_run: float = 0.0

    def __post_init__(self) -> None:
        if self.api_serving not in API_SERVING:
            raise InputError(f"api_serving {self.api_serving!r}: choose {' or '.join(API_SERVING)}")
        if self.self_hosted_serving not in SELF_HOSTED_SERVING:
            raise InputError(
                f"self_hosted_serving {self.self_hosted_serving!r}: choose {' or '.join(SELF_HOSTED_SERVING)}"
            )

    def with_values(self, **values: Any) -> CostInputs:
        """A copy with some inputs changed by name (`investment_*` names reach the investment's parts)."""
        parts = {k.removeprefix("investment_"): v for k, v in values.items() if k.startswith("investment_")}
        own = {k: v for k, v in values.items() if not k.startswith("investment_")}
        known = {f.name for f in fields(self)} | {f"investment_{f.name}" for f in fields(self.investment)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"{unknown[0]} is not an input of the cost builder")
        return replace(self, investment=replace(self.investment, **parts), **own)


@dataclass(frozen=True)
class CostReport:
    """Every figure of the builder, in euros unless a name says otherwise."""

    api_cost: float
    """Real-time API, tokens only, per event."""
    always_on: GpuServing
    scheduled: GpuServing
    serving: list[cost_builder.ServingOption]
    rate_limit: api_risks.RateLimit
    rate_limit_monthly: float
    silent_change_monthly: float
    deprecation_monthly: float
    investment_parts: dict[str, float]
    running_monthly: float
    feeds: dict[str, float]
    """Inputs row -> the value the builder gives it."""
    used: tuple[str, str]
    """The serving options that feed the two costs per event: the API's and the self-hosted one."""


def build(inputs: CostInputs) -> CostReport:
    """Every figure of the cost builder for one set of inputs."""
    x = inputs
    api = cost_builder.api_cost_per_event(
        x.input_tokens, x.output_tokens, x.input_price, x.output_price, x.cached_share, x.cached_price, 0.0, x.usd_rate
    )
    always_on = GpuServing(
        x.gpu_hourly_price,
        x.events_per_gpu_second,
        x.events_per_day,
        min_replicas=x.min_replicas,
        peak_hour_share=x.peak_hour_share,
        currency_rate=x.gpu_rate,
    )
    scheduled = replace(always_on, batch_every_hours=x.batch_every_hours, startup_hours=x.startup_hours)
    waiting = {"delay_cost_per_day": x.delay_cost_per_day, "free_hours": x.free_hours, "hours_per_day": x.hours_per_day}
    serving = cost_builder.serving_options(api, x.batch_discount, x.batch_window_hours, always_on, scheduled, **waiting)
    by_name = {option.name: option.cost_per_event for option in serving}
    api_mode, hosted_mode = API_SERVING[x.api_serving], SELF_HOSTED_SERVING[x.self_hosted_serving]
    tokens = x.input_tokens + x.output_tokens
    limit = api_risks.rate_limit(
        x.events_per_day, x.peak_hour_share, tokens, x.tokens_per_minute_limit, x.requests_per_minute_limit
    )
    limit_monthly = api_risks.rate_limit_monthly(
        limit, x.delay_cost_per_day, x.free_hours, x.hours_per_day, x.capacity_price
    )
    silent = api_risks.silent_change_monthly(
        x.incidents_per_year,
        x.accuracy_drop_points,
        x.cost_per_error,
        x.events_per_day,
        x.evaluations_per_month,
        x.cost_per_evaluation,
        x.days_to_detect,
    )
    deprecation = api_risks.deprecation_monthly(x.migrations_per_year, x.migration_cost)
    running = finetuning_costs.running_monthly(
        x.mlops_fte_share, x.loaded_annual_cost, x.retraining_runs_per_year, x.cost_per_run
    )
    feeds = {
        "prompted_unit_cost": by_name[api_mode] + x.api_ops_per_event,
        "finetuned_unit_cost": by_name[hosted_mode] + x.finetuned_ops_per_event,
        "investment": x.investment.total,
        "prompted_one_off": x.api_one_off,
        "prompted_monthly": limit_monthly + silent + deprecation,
        "finetuned_monthly": running,
    }
    parts = x.investment.parts()
    return CostReport(
        api,
        always_on,
        scheduled,
        serving,
        limit,
        limit_monthly,
        silent,
        deprecation,
        parts,
        running,
        feeds,
        (api_mode, hosted_mode),
    )


PRICE_DATE = date(2026, 12, 1)
"""The day the insurance example's prices are read from the price table (a fixed day, so figures never drift)."""


def _prompted_cost_per_error(case: UseCase) -> float:
    """Euros an extra error of the prompted model costs: its expected error cost per event over its error share
    (the mix of wrong subclasses and departments it makes today)."""
    prompted = next(option for option in evaluate(case).options if option.name == case.prompted.name)
    return prompted.error_cost / (1.0 - prompted.shares[0])


def insurance_costs() -> CostInputs:
    """How the insurance example's cost figures could arise: €0.06 per event through the API (16,000 input and
    1,000 output tokens of gpt-4o at $2.50/$10, 0.92 € per $, plus €0.014 of operations), €0.015 self-hosted
    (2 GPUs at €1.25 an hour always on, plus €0.003), and the €40,000 investment part by part. The running costs
    and API risks are illustrative: the worked example types 0 for them, and the Costs sheet shows the gap."""
    return CostInputs(
        events_per_day=5000,
        delay_cost_per_day=4.0,
        cost_per_error=_prompted_cost_per_error(insurance_example(180)),
        input_tokens=16_000,
        output_tokens=1_000,
        input_price=2.50,
        output_price=10.0,
        cached_price=1.25,
        usd_rate=0.92,
        api_ops_per_event=0.014,
        batch_discount=0.5,
        batch_window_hours=24,
        gpu_hourly_price=1.25,
        gpu_rate=1.0,
        events_per_gpu_second=40,
        min_replicas=2,
        peak_hour_share=0.15,
        batch_every_hours=4,
        startup_hours=0.25,
        finetuned_ops_per_event=0.003,
        free_hours=4,
        tokens_per_minute_limit=150_000,
        requests_per_minute_limit=5_000,
        incidents_per_year=2,
        accuracy_drop_points=3,
        evaluations_per_month=4,
        cost_per_evaluation=50,
        days_to_detect=30,
        migrations_per_year=0.5,
        migration_cost=15_000,
        investment=finetuning_costs.Investment(
            examples_needed=5_000,
            labelled_share=0.8,
            cost_per_label=2.0,
            engineer_days=30,
            day_rate=800,
            training_gpu_hours=200,
            gpu_hourly_price=1.25,
            evaluation=3_750,
            integration=10_000,
        ),
        mlops_fte_share=0.1,
        loaded_annual_cost=96_000,
        retraining_runs_per_year=4,
        cost_per_run=1_500,
    )
