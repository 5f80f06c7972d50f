"""Speed of the decision analysis, against a Python loop over the same model measured in the same run.

    python tests/benchmarks/bench_analysis.py [--draws 100000]

(a) `analysis.simulate`: 100,000 PERT draws of every input of the insurance example, evaluated at once;
(b) the baseline: `analysis.outcome` called once per draw in a Python loop (1,000 draws, scaled up);
(c) `analysis.tornado` of the example's 15 ranged inputs, its time doubled for 30 inputs.

Targets (issue 12): (a) <= 1 s; the tornado for 30 inputs <= 50 ms.
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
    started = time.perf_counter()
    for _ in range(20):
        analysis.tornado(ranges)
    tornado = (time.perf_counter() - started) / 20 * 2
    print(f"(a) simulate, {draws:,} draws:        {vectorised:8.3f} s (target <= 1 s)")
    print(f"(b) Python loop, scaled to {draws:,}: {looped:8.1f} s  -> (b)/(a) = {looped / vectorised:,.0f}x")
    print(f"(c) tornado, 30 inputs:            {tornado * 1000:8.2f} ms (target <= 50 ms)")
    print(f"    numpy {np.__version__}")


if __name__ == "__main__":
    main()
