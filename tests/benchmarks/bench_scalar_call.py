"""Time of one scalar call of each model function, against the same formula in plain Python.

Target (issue 2): under 50 us per call. The baseline is the bare arithmetic, without
validation or numpy, measured in this run.

    python tests/benchmarks/bench_scalar_call.py
"""

from __future__ import annotations

import timeit

import ftxl

CALLS = {
    "human_cost_per_event": (lambda: ftxl.human_cost_per_event(30, 20), lambda: 30 / 3600 * 20),
    "error_shares": (lambda: ftxl.error_shares(0.98, 0.93), lambda: (0.93, 0.98 - 0.93, 1 - 0.98)),
    "expected_error_cost": (
        lambda: ftxl.expected_error_cost([0.93, 0.05, 0.02], [0, 2, 8]),
        lambda: sum(r * c for r, c in zip([0.93, 0.05, 0.02], [0, 2, 8], strict=True)),
    ),
    "cost_per_event": (lambda: ftxl.cost_per_event(0.26, 0.06, 0.1, 2), lambda: 0.06 + 0.26 + 0.1 * 2),
    "breakeven_days": (
        lambda: ftxl.breakeven_days(40_000, 5_000, 0.32, 0.155),
        lambda: 40_000 / (5_000 * (0.32 - 0.155)),
    ),
    "max_ft_investment": (lambda: ftxl.max_ft_investment(900_000, 0.32, 0.155), lambda: 900_000 * (0.32 - 0.155)),
    "max_cost_premium": (
        lambda: ftxl.max_cost_premium(0.26, 0.14, 40_000, 900_000),
        lambda: (0.26 - 0.14) - 40_000 / 900_000,
    ),
    "net_savings": (lambda: ftxl.net_savings(900_000, 0.32, 0.155, 40_000), lambda: 900_000 * (0.32 - 0.155) - 40_000),
    "amortized_cost_per_event": (
        lambda: ftxl.amortized_cost_per_event(0.155, 40_000, 900_000),
        lambda: 0.155 + 40_000 / 900_000,
    ),
}


def per_call(function, number: int = 20_000) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number


def main() -> None:
    print(f"{'function':<26} {'ftxl (us)':>10} {'plain Python (us)':>18} {'ratio':>8}")
    worst = 0.0
    for name, (call, baseline) in CALLS.items():
        ours, plain = per_call(call), per_call(baseline)
        worst = max(worst, ours)
        print(f"{name:<26} {ours * 1e6:>10.2f} {plain * 1e6:>18.3f} {ours / plain:>7.0f}x")
    print(f"slowest scalar call: {worst * 1e6:.2f} us (target < 50 us)")


if __name__ == "__main__":
    main()
