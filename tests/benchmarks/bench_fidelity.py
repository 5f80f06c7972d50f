"""How close ftxl's recalculation is to Excel's own answers, on the Excel-saved corpus (tests/corpus).

    python tests/benchmarks/bench_fidelity.py [--corpus DIR]

Prints the share of formula cells equal to Excel's cached value, the files that failed,
and, per function, how many cells using it were equal, different with a warning, and
different without one (the last column must be 0: `tests/recalc/test_corpus.py`). Also
the time per file, plain-engine files against files with cells left to `formulas`.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.fidelity import compare  # noqa: E402

from ftxl.recalc.fidelity import functions_in  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1] / "corpus")
    args = parser.parse_args()
    files = sorted(args.corpus.rglob("*.xlsx"))
    per_function: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    cells = equal = moving = moving_equal = 0
    times: dict[str, list[float]] = {"plain": [], "plain + formulas": [], "formulas": []}
    failed = []
    started = time.perf_counter()
    for path in files:
        result = compare(path)
        if result.error or result.refused:
            failed.append((path.name, result.error or f"refused: {result.refused}"))
        kind = (
            "plain"
            if result.engine == "plain"
            else "formulas"
            if result.engine.startswith("formulas")
            else "plain + formulas"
        )
        times[kind].append(result.seconds)
        cells += result.cells
        equal += result.equal
        moving += result.volatile
        moving_equal += result.volatile_equal
        wrong = {m.where: m for m in result.mismatches}
        for mismatch in wrong.values():
            for name in sorted(functions_in(mismatch.formula)) or ["(operators only)"]:
                per_function[name]["warned" if mismatch.warned else "silent"] += 1
        for name, count in _functions_of_equal(path, result).items():
            per_function[name]["equal"] += count
    print(
        f"{len(files)} workbooks saved by Excel, {cells:,} formula cells: {equal:,} equal to Excel's value "
        f"({equal / max(cells, 1):.2%}), {time.perf_counter() - started:.1f} s"
    )
    steady = cells - moving
    print(
        f"  leaving out the {moving:,} cells that depend on a volatile function (RAND, TODAY): "
        f"{equal - moving_equal:,} of {steady:,} equal ({(equal - moving_equal) / max(steady, 1):.2%})"
    )
    for kind, spent in times.items():
        if spent:
            print(
                f"  {kind:17s} {len(spent):4d} files, median {sorted(spent)[len(spent) // 2] * 1000:7.1f} ms, "
                f"max {max(spent):6.2f} s"
            )
    for name, why in failed:
        print(f"  not computed: {name}: {why}")
    print(f"\n{'function':22s} {'equal':>7s} {'warned':>7s} {'silent':>7s}")
    for name, counts in sorted(
        per_function.items(), key=lambda item: (-item[1]["warned"] - item[1]["silent"], item[0])
    ):
        if counts["warned"] or counts["silent"]:
            print(f"{name:22s} {counts['equal']:7d} {counts['warned']:7d} {counts['silent']:7d}")


def _functions_of_equal(path: Path, result) -> collections.Counter[str]:  # type: ignore[no-untyped-def]
    """How many equal cells use each function (from the formulas of the cells that were compared)."""
    return collections.Counter(name for text in result.equal_formulas for name in functions_in(text))


if __name__ == "__main__":
    main()
