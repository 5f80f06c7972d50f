"""Where the unit costs come from: euros per event from tokens and prices, from GPUs, and the price of waiting.

The template asks for "inference and ops cost per event"; what people have at hand are token counts, price
lists, GPU hourly rates and throughput measurements. This module turns those into euros per event, and
compares the ways of serving a model (real-time API, batch API, always-on and scheduled self-hosting) on
cost per event *including the wait* each one imposes, priced with the template's delay cost per day.

Conventions (stated in the README and tested):
- prices per million tokens and GPU prices per hour are in the price list's currency (US dollars for
  genai-prices); `currency_rate` is euros per unit of that currency (0.92 EUR per USD);
- arrivals are spread evenly over the day; a month is 365/12 days;
- an always-on fleet is sized for the peak hour (at least `min_replicas` GPUs) and runs 24 hours a day;
- a scheduled batch runs every K hours on just enough GPUs to finish before the next run, each run paying
  its start-up time; an event waits on average K/2 hours for its run plus the run's length;
- a batch API's results are counted at the end of its window (the provider promises no earlier);
- waiting costs the delay cost per day for every hour beyond the free hours (same-day handling), a day of
  delay being `hours_per_day` hours of waiting (24: calendar days; 8: business days of 8 hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import checks as check
from .analysis import DAYS_PER_MONTH
from .errors import InputError

TOKENS_PER_PRICE_UNIT = 1_000_000.0
"""Prices are per million tokens."""
SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0


def check_peak_hour_share(peak_hour_share: float) -> None:
    """The busiest hour's share of a day's events: a share, and at least an even hour's 1/24."""
    check.fraction("peak_hour_share", peak_hour_share)
    if peak_hour_share * HOURS_PER_DAY < 1.0 - check.SUM_TOLERANCE:
        raise InputError(
            f"peak_hour_share {check.show(peak_hour_share)} is below 1/24: the busiest hour holds at least an "
            "even hour's share of the day"
        )


def api_cost_per_event(
    input_tokens: float,
    output_tokens: float,
    input_price: float,
    output_price: float,
    cached_share: float = 0.0,
    cached_price: float | None = None,
    batch_discount: float = 0.0,
    currency_rate: float = 1.0,
) -> float:
    """Euros per event of an API call: tokens x prices per million tokens, the cached share of the input at the
    cached price (no cached price: the input price), less the batch discount, times euros per price unit.

    >>> round(api_cost_per_event(800, 20, 2.50, 10.0, currency_rate=0.92), 9)
    0.002024
    """
    check.non_negative("input_tokens", input_tokens)
    check.non_negative("output_tokens", output_tokens)
    check.non_negative("input_price", input_price)
    check.non_negative("output_price", output_price)
    check.fraction("cached_share", cached_share)
    cached = input_price if cached_price is None else float(check.non_negative("cached_price", cached_price))
    check.fraction("batch_discount", batch_discount)
    check.non_negative("currency_rate", currency_rate)
    per_input = (1.0 - cached_share) * input_price + cached_share * cached
    price = (input_tokens * per_input + output_tokens * output_price) / TOKENS_PER_PRICE_UNIT
    return float(price * (1.0 - batch_discount) * currency_rate)


@dataclass(frozen=True)
class GpuServing:
    """A self-hosted model on rented GPUs: always on (`batch_every_hours` 0) or in scheduled batches."""

    gpu_hourly_price: float
    """Price of one GPU hour, in the price list's currency."""
    events_per_gpu_second: float
    """Measured throughput: events one GPU handles per second at the batch size used."""
    events_per_day: float
    min_replicas: float = 1
    """GPUs kept running at all times for redundancy (always-on serving only): a whole number."""
    peak_hour_share: float = 1.0 / 24
    """Share of a day's events that arrive in the busiest hour (1/24: perfectly even)."""
    batch_every_hours: float = 0.0
    """0: always on; K > 0: a batch run every K hours."""
    startup_hours: float = 0.0
    """Hours each scheduled run pays before it serves (loading the model, warming up)."""
    currency_rate: float = 1.0
    """Euros per unit of the GPU price's currency."""

    def __post_init__(self) -> None:
        check.non_negative("gpu_hourly_price", self.gpu_hourly_price)
        check.positive("events_per_gpu_second", self.events_per_gpu_second)
        check.non_negative("events_per_day", self.events_per_day)
        check.non_negative("min_replicas", self.min_replicas)
        if self.min_replicas != int(self.min_replicas):
            raise InputError(f"min_replicas {check.show(self.min_replicas)} must be a whole number of GPUs")
        check_peak_hour_share(self.peak_hour_share)
        check.non_negative("batch_every_hours", self.batch_every_hours)
        check.non_negative("startup_hours", self.startup_hours)
        check.non_negative("currency_rate", self.currency_rate)
        if self.batch_every_hours and self.startup_hours >= self.batch_every_hours:
            raise InputError(
                f"startup_hours {check.show(self.startup_hours)} must be shorter than batch_every_hours "
                f"{check.show(self.batch_every_hours)}: a run must finish before the next one starts"
            )

    @property
    def scheduled(self) -> bool:
        return self.batch_every_hours > 0

    @property
    def _hourly_capacity(self) -> float:
        """Events one GPU handles in an hour."""
        return self.events_per_gpu_second * SECONDS_PER_HOUR

    @property
    def peak_gpus(self) -> int:
        """GPUs the busiest hour needs to keep up with arrivals."""
        return math.ceil(self.events_per_day * self.peak_hour_share / self._hourly_capacity - 1e-12)

    @property
    def runs_per_day(self) -> float:
        return HOURS_PER_DAY / self.batch_every_hours if self.scheduled else 0.0

    @property
    def gpus(self) -> int:
        """GPUs running: always on, the larger of the peak need and the replicas; scheduled, enough for one run
        to finish within its K hours (at least one)."""
        if not self.scheduled:
            return max(int(self.min_replicas), self.peak_gpus)
        per_run = self.events_per_day / self.runs_per_day
        working_hours = self.batch_every_hours - self.startup_hours
        return max(1, math.ceil(per_run / (self._hourly_capacity * working_hours) - 1e-12))

    @property
    def run_hours(self) -> float:
        """Length of one scheduled run (start-up plus the work), 0 when always on."""
        if not self.scheduled:
            return 0.0
        per_run = self.events_per_day / self.runs_per_day
        return self.startup_hours + per_run / (self._hourly_capacity * self.gpus)

    @property
    def gpu_hours_per_day(self) -> float:
        if not self.scheduled:
            return self.gpus * HOURS_PER_DAY
        return self.runs_per_day * self.gpus * self.run_hours

    @property
    def cost_per_day(self) -> float:
        """Euros of GPU time per day."""
        return self.gpu_hours_per_day * self.gpu_hourly_price * self.currency_rate

    @property
    def cost_per_event(self) -> float:
        """Euros of GPU time per event (infinite with no events: the fleet costs the same)."""
        return self.cost_per_day / self.events_per_day if self.events_per_day else math.inf

    @property
    def cost_per_month(self) -> float:
        return self.cost_per_day * DAYS_PER_MONTH

    @property
    def average_wait_hours(self) -> float:
        """Hours an event waits on average: 0 always on; K/2 for its run plus the run's length when scheduled."""
        return self.batch_every_hours / 2 + self.run_hours if self.scheduled else 0.0


def waiting_cost_per_event(
    wait_hours: float, delay_cost_per_day: float, free_hours: float = 0.0, hours_per_day: float = HOURS_PER_DAY
) -> float:
    """Euros an event's wait costs: the delay cost per day for each day of waiting beyond the free hours.

    >>> round(waiting_cost_per_event(24, 4.0, free_hours=4), 6)   # a 24-hour batch window
    3.333333
    >>> waiting_cost_per_event(2.1, 4.0, free_hours=4)              # within the free hours
    0.0
    """
    check.non_negative("wait_hours", wait_hours)
    check.non_negative("delay_cost_per_day", delay_cost_per_day)
    check.non_negative("free_hours", free_hours)
    check.positive("hours_per_day", hours_per_day)
    return float(delay_cost_per_day * max(0.0, wait_hours - free_hours) / hours_per_day)


@dataclass(frozen=True)
class ServingOption:
    """One way of serving a model, priced per event with its wait."""

    name: str
    serving_cost: float
    """Euros per event for the model's calls or GPU time."""
    wait_hours: float
    waiting_cost: float
    """Euros per event of waiting beyond the free hours."""

    @property
    def cost_per_event(self) -> float:
        return self.serving_cost + self.waiting_cost


SERVING = ("Real-time API", "Batch API", "Self-hosted, always on", "Self-hosted, scheduled batches")


def serving_options(
    api_cost: float,
    batch_discount: float,
    batch_window_hours: float,
    always_on: GpuServing,
    scheduled: GpuServing,
    delay_cost_per_day: float,
    free_hours: float = 0.0,
    hours_per_day: float = HOURS_PER_DAY,
) -> list[ServingOption]:
    """The four ways of serving, cheapest first on cost per event including waiting. `api_cost` is the
    real-time API's euros per event (`api_cost_per_event` without a batch discount)."""
    check.non_negative("api_cost", api_cost)
    check.fraction("batch_discount", batch_discount)
    check.non_negative("batch_window_hours", batch_window_hours)
    if always_on.scheduled or not scheduled.scheduled:
        raise InputError("always_on must have batch_every_hours 0 and scheduled a batch_every_hours above 0")

    def priced(name: str, cost: float, wait: float) -> ServingOption:
        return ServingOption(
            name, cost, wait, waiting_cost_per_event(wait, delay_cost_per_day, free_hours, hours_per_day)
        )

    options = [
        priced(SERVING[0], api_cost, 0.0),
        priced(SERVING[1], api_cost * (1.0 - batch_discount), batch_window_hours),
        priced(SERVING[2], always_on.cost_per_event, 0.0),
        priced(SERVING[3], scheduled.cost_per_event, scheduled.average_wait_hours),
    ]
    return sorted(options, key=lambda option: option.cost_per_event)
