"""What one cell the plain engine does not compute costs: per-cell fallback against the plain engine alone
and against the whole workbook in `formulas` (the behaviour before per-cell fallback), same run.

    python tests/benchmarks/bench_fallback.py [--formulas 2000] [--copies 20]

A workbook of N formulas (sums, lookups, rounding, IF chains over a block of inputs) is
recalculated --copies times in one process, once with every formula plain, once with one
extra cell using SQRTPI (which the plain engine leaves to a fallback) that a tenth of the others read.
Baseline: the same workbook with that cell, computed wholly by `formulas`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from ftxl.recalc.engines import ModelCache
from ftxl.recalc.workbook import recalculate


def build(path: Path, count: int, uncovered: bool) -> None:
    rng = random.Random(7)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data")
    for row in range(1, 201):
        sheet.write_number(f"A{row}", rng.uniform(-100, 100))
        sheet.write_number(f"B{row}", rng.randint(1, 20))
    sheet.write_formula("D1", "=SQRTPI(0.5)" if uncovered else "=5")
    for k in range(count):
        row = k % 200 + 1
        shape = k % 5
        extra = "+$D$1" if uncovered and k % 10 == 0 else ""
        if shape == 0:
            text = f"=SUM(A{row}:A{min(row + 20, 200)}){extra}"
        elif shape == 1:
            text = f"=ROUND(A{row}*B{row},2){extra}"
        elif shape == 2:
            text = f"=IF(A{row}>0,A{row},-A{row}){extra}"
        elif shape == 3:
            text = f"=VLOOKUP(B{row},B1:B200,1,FALSE){extra}"
        else:
            text = f"=MAX(A{row},B{row})-MIN(A{row},B{row}){extra}"
        sheet.write_formula(f"{'FGHIJKLMNOPQRSTUVWXYZ'[k // 200 % 21]}{row + 200 * (k // 4200)}", text)
    book.close()


def per_copy(path: Path, copies: int, engine: str) -> tuple[float, str]:
    cache = ModelCache(engine=engine)
    out = path.with_name(path.stem + "_out.xlsx")
    times, engine_line = [], ""
    for _ in range(copies):
        start = time.perf_counter()
        result = recalculate(path, out, cache, sync_file=False, sync_folder=False)
        times.append(time.perf_counter() - start)
        assert result.ok, result.error
        engine_line = result.engine
    return statistics.median(times[1:] or times), engine_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formulas", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    plain, mixed = folder / "plain.xlsx", folder / "one_uncovered.xlsx"
    build(plain, args.formulas, False)
    build(mixed, args.formulas, True)
    t_plain, line_plain = per_copy(plain, args.copies, "auto")
    t_mixed, line_mixed = per_copy(mixed, args.copies, "auto")
    t_whole, _ = per_copy(mixed, max(3, args.copies // 4), "formulas")
    print(f"{args.formulas:,} formulas, median per copy after the first (model compiled once):")
    print(f"  plain engine only           {t_plain * 1000:8.1f} ms   ({line_plain})")
    print(f"  one uncovered cell          {t_mixed * 1000:8.1f} ms   ({line_mixed})")
    print(f"  baseline: whole in formulas {t_whole * 1000:8.1f} ms")
    print(
        f"one uncovered cell costs {t_mixed / t_plain:.2f}x the plain engine; the whole-workbook fallback cost "
        f"{t_whole / t_plain:.1f}x ({t_whole / t_mixed:.1f}x the per-cell fallback)"
    )


if __name__ == "__main__":
    main()
