"""Cost of importing ftxl's Excel functions in a fresh interpreter, against `import xlwings, numpy`.

Target (issue 2): at most 1.3x the baseline. Both are measured in this run, interleaved,
as the median wall time of fresh `python -c` processes (interpreter start-up included in both).

    python tests/benchmarks/bench_import.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = "import xlwings, numpy"
CANDIDATE = "import ftxl.excel_functions"


def wall_time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    wall_time(CANDIDATE)  # warm the file cache and the bytecode
    baseline, candidate = [], []
    for _ in range(runs):
        baseline.append(wall_time(BASELINE))
        candidate.append(wall_time(CANDIDATE))
    b, c = statistics.median(baseline), statistics.median(candidate)
    print(f"baseline  `{BASELINE}`: {b * 1000:.1f} ms (median of {runs})")
    print(f"candidate `{CANDIDATE}`: {c * 1000:.1f} ms (median of {runs})")
    print(f"ratio: {c / b:.3f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
