"""What depending on someone else's API costs beyond its price: rate limits, silent model changes, deprecation.

Each risk becomes euros a month of the API option, so that it enters the decision as the API's fixed monthly
cost (`prompted_monthly`). A month is 365/12 days.

Conventions (stated in the README and tested):
- **Rate limits.** The busiest hour holds `peak_hour_share` of a day's events, the other 23 hours share the
  rest evenly. The limit lets through C events an hour (the tighter of tokens and requests per minute). When
  the peak brings P > C, a queue builds over the peak hour to E = P - C events and drains at the spare capacity
  of the quieter hours; as a fluid queue, it holds E(1 + D)/2 event-hours of waiting (D = E / (C - Q) hours to
  drain, Q the quieter hours' arrivals). The events arriving while the queue stands wait that total between
  them; their average wait is priced like any wait (`cost_builder.waiting_cost_per_event`). The alternative
  is provisioned capacity for the missing tokens per minute; the cheaper of the two is the risk's cost.
- **Silent model changes.** A change lands at a random moment between two evaluations, so it goes unnoticed
  half an evaluation interval on average (never longer than it takes complaints to reveal it); meanwhile
  the accuracy drop's extra errors cost what an error costs. Evaluations cost their runs.
- **Deprecation.** A forced migration is an expected cost: probability per year x the project's cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import checks as check
from .cost_builder import DAYS_PER_MONTH, HOURS_PER_DAY, check_peak_hour_share, waiting_cost_per_event
from .errors import InputError

MINUTES_PER_HOUR = 60.0
MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class RateLimit:
    """How the busiest hour meets an API's rate limits."""

    peak_tokens_per_minute: float
    peak_requests_per_minute: float
    capacity_per_hour: float
    """Events an hour the limits let through."""
    waiting_events_per_day: float
    """Events that arrive while a queue stands."""
    average_wait_hours: float
    """Their average wait."""
    missing_tokens_per_minute: float
    """Tokens per minute to provision so that nobody waits (requests converted at the tokens per event)."""

    @property
    def exceeded(self) -> bool:
        return self.waiting_events_per_day > 0


def rate_limit(
    events_per_day: float,
    peak_hour_share: float,
    tokens_per_event: float,
    tokens_per_minute_limit: float | None,
    requests_per_minute_limit: float | None,
    requests_per_event: float = 1.0,
) -> RateLimit:
    """The busiest hour against the limits (None: no such limit); refused when even the quieter hours exceed
    them."""
    check.non_negative("events_per_day", events_per_day)
    check_peak_hour_share(peak_hour_share)
    check.positive("tokens_per_event", tokens_per_event)
    check.positive("requests_per_event", requests_per_event)
    limits = [math.inf]
    if tokens_per_minute_limit is not None:
        limits.append(float(check.positive("tokens_per_minute_limit", tokens_per_minute_limit)) / tokens_per_event)
    if requests_per_minute_limit is not None:
        limits.append(
            float(check.positive("requests_per_minute_limit", requests_per_minute_limit)) / requests_per_event
        )
    peak = events_per_day * peak_hour_share
    quiet = events_per_day * (1.0 - peak_hour_share) / (HOURS_PER_DAY - 1)
    per_minute = min(limits)
    capacity = per_minute * MINUTES_PER_HOUR
    needed = max(peak / MINUTES_PER_HOUR - per_minute, 0.0) * tokens_per_event
    peaks = (peak / MINUTES_PER_HOUR * tokens_per_event, peak / MINUTES_PER_HOUR * requests_per_event)
    if peak <= capacity:
        return RateLimit(*peaks, capacity, 0.0, 0.0, needed)
    if quiet >= capacity:
        raise InputError(
            f"the rate limits let {check.show(capacity)} events an hour through, but even the quieter hours bring "
            f"{check.show(quiet)}: the API cannot serve this volume at these limits"
        )
    excess = peak - capacity
    drain = excess / (capacity - quiet)
    waiting = peak + quiet * drain
    return RateLimit(*peaks, capacity, waiting, excess * (1.0 + drain) / 2 / waiting, needed)


def rate_limit_monthly(
    limit: RateLimit,
    delay_cost_per_day: float,
    free_hours: float = 0.0,
    hours_per_day: float = HOURS_PER_DAY,
    capacity_price_per_1000_tpm: float | None = None,
) -> float:
    """Euros a month the rate limits cost: the waits they cause, or provisioned capacity (euros a month per
    1,000 tokens per minute) when that is cheaper."""
    wait = waiting_cost_per_event(limit.average_wait_hours, delay_cost_per_day, free_hours, hours_per_day)
    waiting = limit.waiting_events_per_day * wait * DAYS_PER_MONTH
    if capacity_price_per_1000_tpm is None:
        return waiting
    check.non_negative("capacity_price_per_1000_tpm", capacity_price_per_1000_tpm)
    return min(waiting, limit.missing_tokens_per_minute / 1000.0 * capacity_price_per_1000_tpm)


def detection_days(evaluations_per_month: float, days_to_detect_unmonitored: float) -> float:
    """Days a silent change goes unnoticed on average: half the interval between evaluations, at most the days
    it takes complaints to reveal it."""
    check.non_negative("evaluations_per_month", evaluations_per_month)
    check.non_negative("days_to_detect_unmonitored", days_to_detect_unmonitored)
    if evaluations_per_month == 0:
        return float(days_to_detect_unmonitored)
    return float(min(days_to_detect_unmonitored, DAYS_PER_MONTH / evaluations_per_month / 2))


def silent_change_monthly(
    incidents_per_year: float,
    accuracy_drop_points: float,
    cost_per_error: float,
    events_per_day: float,
    evaluations_per_month: float = 0.0,
    cost_per_evaluation: float = 0.0,
    days_to_detect_unmonitored: float = DAYS_PER_MONTH,
) -> float:
    """Euros a month silent model changes cost: incidents a month x days unnoticed x events a day x the drop's
    extra errors per event x euros per error, plus evaluation runs x their cost.

    >>> round(silent_change_monthly(2, 3, 5.0, 5000, evaluations_per_month=4, cost_per_evaluation=50), 2)
    675.26
    """
    check.non_negative("incidents_per_year", incidents_per_year)
    check.non_negative("accuracy_drop_points", accuracy_drop_points)
    if accuracy_drop_points > 100:
        raise InputError(f"accuracy_drop_points {check.show(accuracy_drop_points)} exceeds 100 points")
    check.non_negative("cost_per_error", cost_per_error)
    check.non_negative("events_per_day", events_per_day)
    check.non_negative("cost_per_evaluation", cost_per_evaluation)
    days = detection_days(evaluations_per_month, days_to_detect_unmonitored)
    errors = incidents_per_year / MONTHS_PER_YEAR * days * events_per_day * accuracy_drop_points / 100
    return float(errors * cost_per_error + evaluations_per_month * cost_per_evaluation)


def deprecation_monthly(migrations_per_year: float, migration_cost: float) -> float:
    """Euros a month a forced migration costs in expectation: its probability per year x its cost / 12."""
    check.non_negative("migrations_per_year", migrations_per_year)
    check.non_negative("migration_cost", migration_cost)
    return float(migrations_per_year * migration_cost / MONTHS_PER_YEAR)
