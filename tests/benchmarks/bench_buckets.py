"""Label pairs to bucket shares: `ftxl.labels.route_buckets` against a bare `pandas.crosstab`, one run.

Target (issue 5): 1,000,000 label pairs in at most 1.5x the time of `pandas.crosstab` of the
same two columns; and the Excel function on 100,000 rows under one second in Python.

    python tests/benchmarks/bench_buckets.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import pandas as pd

from ftxl import cell_functions, excel_functions
from ftxl.labels import route_buckets


def best_of(runs: int, function) -> float:
    """Best wall time of `runs` calls, each started from a collected heap with the collector paused."""
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    routes = np.asarray([f"Department {d}/Subclass {s}" for d in range(10) for s in range(10)], dtype=object)
    true = routes[rng.integers(0, routes.size, args.rows)]
    wrong = routes[rng.integers(0, routes.size, args.rows)]
    predicted = np.where(rng.random(args.rows) < 0.9, true, wrong)
    frame = pd.DataFrame({"true": true, "predicted": predicted})
    crosstab = best_of(args.runs, lambda: pd.crosstab(frame["true"], frame["predicted"]))
    buckets = best_of(args.runs, lambda: route_buckets(frame["true"], frame["predicted"]))
    print(f"pandas.crosstab, {args.rows:,} pairs:   {crosstab:.3f} s (baseline)")
    print(f"ftxl route_buckets, {args.rows:,} pairs: {buckets:.3f} s")
    print(f"ratio: {buckets / crosstab:.2f}x the baseline (target <= 1.5x)")
    rows_true, rows_pred = [[t] for t in true[:100_000]], [[p] for p in predicted[:100_000]]

    def cold() -> None:
        cell_functions.forget_answers()  # time the counting, not the remembered answer
        excel_functions.ROUTE_BUCKETS(rows_true, rows_pred, None, None, None)

    excel = best_of(args.runs, cold)
    print(f"ROUTE_BUCKETS on 100,000 rows (as Excel hands them over): {excel:.3f} s in Python (target < 1 s)")
    again = best_of(args.runs, lambda: excel_functions.ROUTE_BUCKETS(rows_true, rows_pred, None, None, None))
    print(f"  the same log asked again (a sheet reading the counts cell by cell): {again * 1000:.1f} ms")


if __name__ == "__main__":
    main()
