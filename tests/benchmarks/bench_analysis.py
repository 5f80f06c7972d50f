"""Speed of the decision analysis, against a Python loop over the same model measured in the same run.

    python tests/benchmarks/bench_analysis.py [--draws 100000]

(a) `analysis.simulate`: 100,000 PERT draws of every input of the insurance example, evaluated at once;
(b) the baseline: `analysis.outcome` called once per draw in a Python loop (1,000 draws, scaled up);
(c) `analysis.tornado` with 30 ranged inputs (the example's 15 and 15 more given a range);
(d) `analysis.switch_values` of every input of the example;
(e) (a) again with the API price falling 0-40 % a year, where break-even within the horizon is followed
    day by day for every draw.

Targets (issue 12): (a) <= 1 s; (c) <= 50 ms.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ftxl import analysis


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=100_000)
    draws = parser.parse_args().draws
    ranges = analysis.example_ranges()
    started = time.perf_counter()
    analysis.simulate(ranges, draws, seed=1)
    vectorised = time.perf_counter() - started
    drawn = analysis.draw(ranges, 1000, seed=1)
    started = time.perf_counter()
    for k in range(1000):
        analysis.outcome({name: float(values[k]) for name, values in drawn.items()})
    looped = (time.perf_counter() - started) * draws / 1000
    thirty = dict(ranges)
    extra = ["prompted_one_off", "prompted_monthly", "finetuned_monthly", "golive_delay_days", "volume_growth"]
    extra += ["api_price_change", "discount_rate"]
    extra += [f"{key}_review_{part}" for key in ("human", "prompted", "finetuned") for part in ("share", "cost")]
    extra += ["horizon_days", "hourly_cost"]
    for name in extra:
        thirty[name] = (0.0, 0.05, 0.1) if name not in ("horizon_days", "hourly_cost") else (150.0, 180.0, 210.0)
    ranged = sum(1 for low, _, high in thirty.values() if low != high)
    started = time.perf_counter()
    for _ in range(20):
        analysis.tornado(thirty)
    tornado = (time.perf_counter() - started) / 20
    started = time.perf_counter()
    analysis.switch_values({name: lbh[1] for name, lbh in ranges.items()})
    switches = time.perf_counter() - started
    falling = {**ranges, "api_price_change": (-0.4, -0.2, 0.0)}
    started = time.perf_counter()
    analysis.simulate(falling, draws, seed=1)
    turning = time.perf_counter() - started
    print(f"(a) simulate, {draws:,} draws:        {vectorised:8.3f} s (target <= 1 s)")
    print(f"(b) Python loop, scaled to {draws:,}: {looped:8.1f} s  -> (b)/(a) = {looped / vectorised:,.0f}x")
    print(f"(c) tornado, {ranged} ranged inputs:     {tornado * 1000:8.2f} ms (target <= 50 ms)")
    print(f"(d) switch values, every input:    {switches * 1000:8.2f} ms")
    print(f"(e) simulate with a falling price: {turning:8.3f} s  ({turning / vectorised:.1f}x (a))")
    print(f"    numpy {np.__version__}")


if __name__ == "__main__":
    main()
