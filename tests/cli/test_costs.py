"""`ftxl costs`: the builder on the command line, its figures, the price table and its refusals."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from ftxl.cli import cli

ISSUE_CASE = [
    *("--set", "events_per_day=5000", "--set", "delay_cost_per_day=4", "--set", "cost_per_error=3"),
    *("--set", "input_tokens=800", "--set", "output_tokens=20", "--set", "usd_rate=0.92"),
    *("--set", "gpu_hourly_price=2", "--set", "gpu_rate=0.92", "--set", "events_per_gpu_second=40"),
    *("--set", "min_replicas=2", "--set", "peak_hour_share=0.15"),
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["costs", *args])
    return result.exit_code, result.output


def test_the_issue_cases_with_prices_from_the_table_offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network call was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    code, out = run(*ISSUE_CASE, "--model", "gpt-4o", "--provider", "openai", "--on", "2026-12-01", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["api_cost_per_event"] == pytest.approx(0.002024, abs=1e-15)
    assert found["prices"]["model"] == "gpt-4o" and found["prices"]["on"] == "2026-12-01"
    assert found["prices"]["snapshot"].startswith("genai-prices 0.2.")
    always_on = found["self_hosted"]["always_on"]
    assert (always_on["gpus"], always_on["peak_gpus"]) == (2, 1)
    assert always_on["cost_per_day"] == pytest.approx(88.32)
    assert always_on["cost_per_event"] == pytest.approx(0.017664)
    assert found["risks"]["rate_limit_monthly"] == 0  # no limits given


def test_typed_prices_win_over_the_table():
    code, out = run(*ISSUE_CASE, "--model", "gpt-4o", "--on", "2026-12-01", "--set", "input_price=5", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["inputs"]["input_price"] == 5 and found["inputs"]["output_price"] == 10
    assert found["prices"]["typed_win"] == ["input_price"]
    assert found["api_cost_per_event"] == pytest.approx((800 * 5 + 20 * 10) / 1e6 * 0.92)


def test_the_example_tables_show_the_worked_example_figures():
    code, out = run("--from-example")
    assert code == 0, out
    for text in ("€0.046000", "€0.060000", "€0.015000", "€40,000.00", "€1,300.00", "€625.00", "€3.333333"):
        assert text in out
    assert "Serving options, cheapest first" in out and "scheduled batches" in out
    code, scheduled = run("--from-example", "--self-hosted", "scheduled", "--json")
    assert json.loads(scheduled)["feeds"]["finetuned_unit_cost"] == pytest.approx(
        6 * (0.25 + 5000 / 6 / (40 * 3600)) * 1.25 / 5000 + 0.003
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--set", "input_tokens=800"), "missing events_per_day"),
        (("--from-example", "--set", "nope=1"), "nope is not an input of the cost builder"),
        (("--from-example", "--set", "input_tokens=-3"), "input_tokens = -3 is negative"),
        (("--from-example", "--model", "no-such-model"), "'no-such-model' is not in the price table"),
        (("--from-example", "--set", "tokens_per_minute_limit=1000"), "cannot serve this volume"),
    ],
)
def test_bad_input_is_refused_by_name(args, message):
    code, out = run(*args)
    assert code != 0
    assert message in out
