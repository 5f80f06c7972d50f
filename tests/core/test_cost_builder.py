"""The cost builder (issue 24): each case of the issue, with the figures computed by hand, and its conventions."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftxl import api_risks, finetuning_costs, price_list
from ftxl.cost_builder import GpuServing, api_cost_per_event, serving_options, waiting_cost_per_event
from ftxl.costs import FEEDS, build, insurance_costs
from ftxl.errors import InputError

ALWAYS_ON = GpuServing(2.00, 40, 5000, min_replicas=2, peak_hour_share=0.15, currency_rate=0.92)
SCHEDULED = GpuServing(
    2.00, 40, 5000, peak_hour_share=0.15, batch_every_hours=4, startup_hours=0.25, currency_rate=0.92
)


def test_api_cost_from_tokens():
    # 800 x 2.50 + 20 x 10 = 2,200 dollars per million events = $0.0022; x 0.92
    assert api_cost_per_event(800, 20, 2.50, 10.0, currency_rate=0.92) == pytest.approx(0.002024, abs=1e-15)
    # a cached half of the input at $1.25, then a batch discount of half
    assert api_cost_per_event(800, 20, 2.50, 10.0, 0.5, 1.25) == pytest.approx((400 * 2.5 + 400 * 1.25 + 200) / 1e6)
    assert api_cost_per_event(800, 20, 2.50, 10.0, batch_discount=0.5) == pytest.approx(0.0011)


def test_prices_come_from_the_bundled_table_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network call was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    prices = price_list.api_prices("gpt-4o", "openai", date(2026, 12, 1))
    assert (prices.input, prices.output, prices.cached) == (2.5, 10.0, 1.25)
    cost = api_cost_per_event(800, 20, prices.price("input"), prices.price("output"), currency_rate=0.92)
    assert cost == pytest.approx(0.002024, abs=1e-15)
    snapshot = price_list.snapshot()
    assert snapshot.startswith("genai-prices 0.2.") and "newest price change dated 20" in snapshot
    with pytest.raises(InputError, match="'no-such-model' is not in the price table .* type its prices"):
        price_list.api_prices("no-such-model")


def test_self_hosted_from_gpus():
    assert ALWAYS_ON.peak_gpus == 1  # 5,000 x 15% / 3,600 s = 0.21 events/s against 40 per GPU
    assert ALWAYS_ON.gpus == 2  # so the replicas decide
    assert ALWAYS_ON.gpu_hours_per_day == 48
    assert ALWAYS_ON.cost_per_day == pytest.approx(88.32, abs=1e-12)  # 48 h x $2 x 0.92
    assert ALWAYS_ON.cost_per_event == pytest.approx(0.017664, abs=1e-15)
    assert ALWAYS_ON.cost_per_month == pytest.approx(88.32 * 365 / 12)
    # a peak that needs more GPUs than the replicas: 5,000 x 60% / 3,600 = 0.83 events/s at 0.25 per GPU
    assert GpuServing(2.00, 0.25, 5000, min_replicas=2, peak_hour_share=0.6).gpus == 4


def test_a_scheduled_batch_runs_on_enough_gpus_and_waits_half_its_interval():
    # 6 runs a day of 833.3 events: 0.25 h start-up + 833.3 / (40 x 3,600) h on one GPU
    work = 5000 / 6 / (40 * 3600)
    assert SCHEDULED.gpus == 1
    assert SCHEDULED.run_hours == pytest.approx(0.25 + work)
    assert SCHEDULED.gpu_hours_per_day == pytest.approx(6 * (0.25 + work))
    assert SCHEDULED.average_wait_hours == pytest.approx(2 + 0.25 + work)


def test_waiting_has_a_price():
    # the example's 4 EUR a day: a 24-hour batch window with 4 free hours costs 20/24 x 4 per event
    assert waiting_cost_per_event(24, 4.0, free_hours=4) == pytest.approx(4 * 20 / 24)
    assert waiting_cost_per_event(24, 4.0, free_hours=4, hours_per_day=8) == pytest.approx(4 * 20 / 8)
    for discount in (0.0, 0.5, 1.0):  # dearer than any discount on the example's 0.06 per event
        options = {o.name: o for o in serving_options(0.06, discount, 24, ALWAYS_ON, SCHEDULED, 4.0, free_hours=4)}
        assert options["Batch API"].cost_per_event > options["Real-time API"].cost_per_event
    # a self-hosted batch every 4 hours with 4 free hours costs nothing in delay
    options = {o.name: o for o in serving_options(0.06, 0.5, 24, ALWAYS_ON, SCHEDULED, 4.0, free_hours=4)}
    assert options["Self-hosted, scheduled batches"].waiting_cost == 0.0
    ranked = serving_options(0.06, 0.5, 24, ALWAYS_ON, SCHEDULED, 4.0, free_hours=4)
    assert [o.cost_per_event for o in ranked] == sorted(o.cost_per_event for o in ranked)


def test_rate_limits_as_a_fluid_queue():
    # peak hour 750 events, quieter hours 5,000 x 85% / 23; the limit lets 150,000 / 17,000 x 60 an hour through
    limit = api_risks.rate_limit(5000, 0.15, 17_000, 150_000, 5_000)
    capacity, quiet = 150_000 / 17_000 * 60, 5000 * 0.85 / 23
    excess = 750 - capacity
    drain = excess / (capacity - quiet)
    assert limit.peak_tokens_per_minute == 750 / 60 * 17_000
    assert limit.capacity_per_hour == pytest.approx(capacity)
    assert limit.waiting_events_per_day == pytest.approx(750 + quiet * drain)
    assert limit.average_wait_hours == pytest.approx(excess * (1 + drain) / 2 / (750 + quiet * drain))
    assert api_risks.rate_limit_monthly(limit, 4.0, free_hours=4) == 0.0  # 12.5 minutes, within the free hours
    waits = limit.waiting_events_per_day * 4.0 * limit.average_wait_hours / 24 * 365 / 12
    assert api_risks.rate_limit_monthly(limit, 4.0) == pytest.approx(waits)
    provisioned = (212_500 - 150_000) / 1000 * 0.01  # cheaper than the waits: the risk costs that
    assert api_risks.rate_limit_monthly(limit, 4.0, capacity_price_per_1000_tpm=0.01) == pytest.approx(provisioned)
    assert not api_risks.rate_limit(5000, 0.15, 1000, 150_000, 5_000).exceeded
    with pytest.raises(InputError, match="even the quieter hours bring .* cannot serve this volume"):
        api_risks.rate_limit(5000, 0.15, 17_000, 20_000, 5_000)


def test_silent_changes_and_deprecation_as_monthly_costs():
    # 2 a year, caught after half of a week-long interval (30.42 / 4 / 2 days), 3 points x 5,000 events x 3.71 EUR
    per_error = 0.26 / 0.07
    days = 365 / 12 / 4 / 2
    expected = 2 / 12 * days * 5000 * 0.03 * per_error + 4 * 50
    assert api_risks.silent_change_monthly(2, 3, per_error, 5000, 4, 50, 30) == pytest.approx(expected)
    # without evaluations a change runs until complaints reveal it
    assert api_risks.silent_change_monthly(2, 3, per_error, 5000, 0, 0, 30) == pytest.approx(
        2 / 12 * 30 * 150 * per_error
    )
    assert api_risks.detection_days(1, 10) == 10  # an evaluation a month would take longer than complaints
    assert api_risks.deprecation_monthly(0.5, 15_000) == 625


def test_the_investment_part_by_part_and_the_running_costs():
    parts = insurance_costs().investment.parts()
    assert parts == pytest.approx(
        {
            "labels": 5000 * 0.2 * 2,
            "engineering": 30 * 800,
            "training": 200 * 1.25,
            "evaluation": 3750,
            "integration": 10_000,
            "readiness": 0,
        }
    )
    assert insurance_costs().investment.total == pytest.approx(40_000)
    assert finetuning_costs.running_monthly(0.1, 96_000, 4, 1_500) == pytest.approx((9_600 + 6_000) / 12)


def test_the_example_builds_the_worked_example_figures_and_counts_nothing_twice():
    report = build(insurance_costs())
    assert set(report.feeds) == set(FEEDS)
    assert report.feeds["prompted_unit_cost"] == pytest.approx(0.06, abs=1e-15)  # 0.046 tokens + 0.014 ops
    assert report.feeds["finetuned_unit_cost"] == pytest.approx(0.015, abs=1e-15)  # 2 x 24 h x 1.25 / 5,000 + 0.003
    assert report.feeds["investment"] == pytest.approx(40_000)
    assert report.feeds["finetuned_monthly"] == pytest.approx(1_300)  # hosting is per event, not here
    monthly = report.rate_limit_monthly + report.silent_change_monthly + report.deprecation_monthly
    assert report.feeds["prompted_monthly"] == pytest.approx(monthly)
    scheduled = insurance_costs().with_values(self_hosted_serving="scheduled")
    assert build(scheduled).feeds["finetuned_unit_cost"] == pytest.approx(
        build(scheduled).scheduled.cost_per_event + 0.003
    )
    with pytest.raises(InputError, match="nope is not an input of the cost builder"):
        insurance_costs().with_values(nope=1)


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(InputError, match="input_tokens"):
        api_cost_per_event(-1, 20, 2.5, 10)
    with pytest.raises(InputError, match="batch_discount"):
        api_cost_per_event(800, 20, 2.5, 10, batch_discount=1.5)
    with pytest.raises(InputError, match="peak_hour_share .* below 1/24"):
        GpuServing(2, 40, 5000, peak_hour_share=0.01)
    with pytest.raises(InputError, match="startup_hours 5 must be shorter than batch_every_hours 4"):
        GpuServing(2, 40, 5000, batch_every_hours=4, startup_hours=5)
    with pytest.raises(InputError, match="min_replicas 1.5 must be a whole number"):
        GpuServing(2, 40, 5000, min_replicas=1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="events_per_gpu_second"):
        GpuServing(2, 0, 5000)
    with pytest.raises(InputError, match="labelled_share"):
        finetuning_costs.Investment(100, 1.2, 1)


@given(
    tokens=st.floats(0, 1e6),
    output=st.floats(0, 1e5),
    discount=st.floats(0, 1),
    rate=st.floats(0.01, 10),
)
def test_api_cost_is_linear_in_tokens_and_the_discount(tokens, output, discount, rate):
    full = api_cost_per_event(tokens, output, 2.5, 10.0, currency_rate=rate)
    assert api_cost_per_event(tokens, output, 2.5, 10.0, batch_discount=discount, currency_rate=rate) == pytest.approx(
        full * (1 - discount), rel=1e-12, abs=1e-300
    )
    assert api_cost_per_event(2 * tokens, 2 * output, 2.5, 10.0, currency_rate=rate) == pytest.approx(2 * full)


@given(
    events=st.floats(1, 1e7),
    throughput=st.floats(0.01, 1000),
    peak=st.floats(1 / 24, 1),
    every=st.floats(0.5, 24),
)
def test_gpu_figures_agree_and_a_schedule_never_needs_more_gpu_hours_than_always_on(events, throughput, peak, every):
    always = GpuServing(2.0, throughput, events, min_replicas=1, peak_hour_share=peak)
    assert always.cost_per_event * events == pytest.approx(always.cost_per_day)
    assert always.gpus * throughput * 3600 >= events * peak * (1 - 1e-9)  # the peak hour is served
    scheduled = replace_schedule(always, every)
    assert scheduled.gpu_hours_per_day <= always.gpu_hours_per_day * (1 + 1e-9) + 24 / every * scheduled.gpus
    assert scheduled.run_hours <= every * (1 + 1e-9)  # a run ends before the next one starts


def replace_schedule(serving: GpuServing, every: float) -> GpuServing:
    from dataclasses import replace

    return replace(serving, batch_every_hours=every, startup_hours=0.0)
