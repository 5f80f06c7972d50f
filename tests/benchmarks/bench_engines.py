"""ftxl against each engine alone, on the tuned corpus and on the held-out split, in one run.

    python tests/benchmarks/bench_engines.py [--timeout 60] [--split tuned|heldout|both]

Engines, each on the same files and cells (non-volatile formula cells with Excel's cached value):
- ftxl: `recalc` as users get it (plain engine, IronCalc then `formulas` for what it does not cover, warnings;
  until 2026-12-05 `formulas` alone was the fallback, and a row "ftxl + IronCalc" measured `--engine ironcalc`,
  which is now the default and was dropped);
- formulas alone: ftxl with `--engine formulas` (every cell through the `formulas` library);
- IronCalc alone: `ironcalc.load_from_xlsx`, `evaluate`, each cell read back (IronCalc warns about nothing).

Each figure twice: over the files the engine finished, and over all cells (a refused, failed or timed-out
file counts every one of its cells as wrong). "Silent" counts cells that differ from Excel without a
warning: for IronCalc, every cell that differs. Each file runs in a fresh process with a time limit. A last
line counts the cells all three engines answer alike and not as the file saved: what no engine here can be
expected to match. A cell moving with a volatile function (RAND, TODAY, or reading one) is not counted.
`tests/heldout` is never read by a test: run this at the end of a piece of work and report both splits.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

SPLITS = {"tuned": ROOT / "tests" / "corpus", "heldout": ROOT / "tests" / "heldout"}
ENGINES = ("ftxl", "formulas alone", "IronCalc alone")


@dataclass
class Outcome:
    cells: int = 0
    equal: int = 0
    silent: int = 0
    finished: bool = False
    why: str = ""
    seconds: float = 0.0
    different: dict[tuple[str, str], Any] = field(default_factory=dict)
    """The answer of each cell not equal to Excel's."""


@dataclass
class Totals:
    files: int = 0
    finished: int = 0
    cells_all: int = 0
    equal_all: int = 0
    cells_finished: int = 0
    equal_finished: int = 0
    silent: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def excel_cells(path: Path) -> dict[tuple[str, str], tuple[Any, bool]]:
    """(sheet, A1) -> (Excel's cached value, whether the cell moves with a volatile function), for every formula
    cell: one that calls RAND, TODAY ... or reads, directly or through others, a cell that does (Excel's value
    was that of its moment; the corpus test leaves the same cells out)."""
    from ftxl.recalc.ooxml.package import Package, read_workbook
    from ftxl.recalc.workbook import BookReader

    found = {}
    with Package(path) as package:
        reader = BookReader(package, read_workbook(package))
        moving = _moving(reader)
        for key in reader.book.formulas:
            sheet_name, rows = reader.placement[key]
            sheet = next(s for s in reader.sheets if s.name == sheet_name)
            for row in rows:
                for ref in row:
                    cell = sheet.by_ref.get(ref)
                    if cell is not None:  # a spilled cell the file does not hold has no value of Excel's
                        found[(sheet_name, ref)] = (cell.value, key in moving)
    return found


def _moving(reader: Any) -> set[str]:
    """Nodes of the formulas that call a volatile function or read one that does, followed to a fixed point over
    the references each formula's text names (a formula whose references are known only by computing them
    moves with any volatile cell of the workbook)."""
    from openpyxl.utils.cell import range_boundaries

    from ftxl.recalc.fidelity import volatile
    from ftxl.recalc.formula_text import parse_node
    from ftxl.recalc.plain.parser import static_references

    places: dict[str, tuple[str, tuple[int, int, int, int]]] = {}
    for key in reader.book.formulas:
        sheet, ref = parse_node(key)
        places[key] = (sheet, range_boundaries(ref))
    names = {name.upper(): text for name, text in ((parse_node(k)[1], t) for k, t in reader.book.names.items())}
    reads: dict[str, list[tuple[str, tuple[int, int, int, int]]] | None] = {}
    for key, text in reader.book.formulas.items():
        refs = static_references(text, places[key][0])
        if refs is not None:
            boxes = []
            for sheet, box in refs:
                if sheet:
                    boxes.append((sheet, box))
                elif box.upper() in names:  # a name: the references of its formula
                    named = static_references(names[box.upper()], places[key][0])
                    if named is None:
                        boxes = None
                        break
                    boxes += [(s, b) for s, b in named if s]
            refs = boxes
        reads[key] = refs
    moving = {key for key, text in reader.book.formulas.items() if volatile(text)}
    changed = bool(moving)
    while changed:
        changed = False
        hot = [places[key] for key in moving]
        for key, refs in reads.items():
            if key in moving:
                continue
            if refs is None or any(
                sheet == hot_sheet and box[0] <= b[2] and b[0] <= box[2] and box[1] <= b[3] and b[1] <= box[3]
                for sheet, box in refs
                for hot_sheet, b in hot
            ):
                moving.add(key)
                changed = True
    return moving if any(volatile(t) for t in reader.book.formulas.values()) else set()


def run_ftxl(path: str, engine: str) -> dict[tuple[str, str], tuple[Any, bool]] | str:
    """Every formula cell's value and whether ftxl warned about it, or why the file was not done."""
    from ftxl.errors import WorkbookError
    from ftxl.recalc.engines import ModelCache
    from ftxl.recalc.ooxml.package import Package, read_workbook
    from ftxl.recalc.workbook import BookReader, _values_by_sheet

    try:
        with Package(Path(path)) as package:
            reader = BookReader(package, read_workbook(package))
            evaluation = ModelCache(engine=engine).evaluate(reader.book)
            values = _values_by_sheet(reader, evaluation)
            warned_keys = evaluation.warned | {key for key, _ in evaluation.notes}
            by_cell = {}
            for key in reader.book.formulas:
                sheet, rows = reader.placement[key]
                for row in rows:
                    for ref in row:
                        by_cell[(sheet, ref)] = (values[sheet].get(ref), key in warned_keys)
            return by_cell
    except WorkbookError as exc:
        return f"refused: {exc}"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        return f"{type(exc).__name__}: {exc}"


def run_ironcalc(path: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[Any, bool]] | str:
    import ironcalc
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    from ftxl.recalc.values import CellError

    try:
        model = ironcalc.load_from_xlsx(path, "en", "UTC")
        model.evaluate()
        index = {props["name"]: k for k, props in enumerate(model.get_worksheets_properties())}
        found = {}
        for sheet, ref in wanted:
            letters, row = coordinate_from_string(ref)
            k = index[sheet]
            column = column_index_from_string(letters)
            value = model.get_cell_value(k, row, column)
            if model.get_cell_type(k, row, column) == ironcalc.CellType.ErrorValue:
                value = CellError(str(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            found[(sheet, ref)] = (value, False)
        return found
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"


def _child(queue: Any, engine: str, path: str, wanted: list[tuple[str, str]]) -> None:
    start = time.perf_counter()
    modes = {"ftxl": "auto", "formulas alone": "formulas"}
    result = run_ironcalc(path, wanted) if engine == "IronCalc alone" else run_ftxl(path, modes[engine])
    queue.put((result, time.perf_counter() - start))


def measure(engine: str, path: Path, excel: dict[tuple[str, str], tuple[Any, bool]], timeout: float) -> Outcome:
    from helpers.fidelity import same, within_iteration

    from ftxl.recalc.ooxml.package import Package, read_workbook

    counted = {place: value for place, (value, moving) in excel.items() if not moving}
    try:  # a benchmark has values only: any cell of an iterating workbook may be a loop's
        with Package(path) as package:
            iteration = read_workbook(package).iteration
    except Exception:  # noqa: BLE001 - a file the reader refuses: no loops to allow for
        iteration = None
    outcome = Outcome(cells=len(counted))
    queue: Any = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_child, args=(queue, engine, str(path), list(excel)))
    process.start()
    try:
        result, outcome.seconds = queue.get(timeout=timeout)
    except Exception:  # noqa: BLE001 - the queue's Empty: out of time
        result, outcome.seconds = f"no answer within {timeout:g} s", timeout
    process.join(1)
    if process.is_alive():
        process.kill()
        process.join()
    if isinstance(result, str):
        outcome.why = result
        return outcome
    outcome.finished = True
    for place, expected in counted.items():
        got, warned = result.get(place, (None, False))
        if same(expected, got) or within_iteration(iteration, expected, got):
            outcome.equal += 1
            continue
        outcome.different[place] = got
        if not warned:
            outcome.silent += 1
    return outcome


def alike(outcomes: list[Outcome]) -> int:
    """Cells on which every engine finished, gives the same answer as the others, and that answer is not the
    value the file saved: a file whose saved values do not follow from its formulas (written or edited by
    another program), or an Excel rule no engine here knows."""
    from helpers.fidelity import same

    if not all(outcome.finished for outcome in outcomes):
        return 0
    first, *others = outcomes
    return sum(
        1
        for place, got in first.different.items()
        if all(place in other.different and same(got, other.different[place]) for other in others)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file and engine")
    parser.add_argument("--split", choices=("tuned", "heldout", "both"), default="both")
    args = parser.parse_args()
    splits = list(SPLITS) if args.split == "both" else [args.split]
    import formulas  # noqa: F401 - imported once here: each file's process is forked with it
    import ironcalc  # noqa: F401

    tables = {}
    agreed: dict[str, int] = {}
    for split in splits:
        files = sorted(SPLITS[split].rglob("*.xlsx"))
        totals = {engine: Totals() for engine in ENGINES}
        agreed[split] = 0
        for path in files:
            try:
                excel = excel_cells(path)
            except Exception as exc:  # noqa: BLE001 - a file even the reader refuses: counted with 0 cells
                print(f"  {split}: {path.name}: not read ({exc})", file=sys.stderr)
                excel = {}
            outcomes = []
            for engine in ENGINES:
                outcome = measure(engine, path, excel, args.timeout)
                outcomes.append(outcome)
                total = totals[engine]
                total.files += 1
                total.cells_all += outcome.cells
                total.equal_all += outcome.equal
                total.silent += outcome.silent
                total.seconds += outcome.seconds
                if outcome.finished:
                    total.finished += 1
                    total.cells_finished += outcome.cells
                    total.equal_finished += outcome.equal
                else:
                    total.failures.append(f"{path.name}: {outcome.why[:100]}")
            agreed[split] += alike(outcomes)
        tables[split] = totals
    for split, totals in tables.items():
        print(f"\n{split} split ({SPLITS[split].relative_to(ROOT)}), non-volatile formula cells with Excel's value")
        print(
            f"{'engine':<16} {'files done':>11} {'equal, done files':>18} {'equal, all cells':>17} "
            f"{'silent':>7} {'seconds':>8}"
        )
        for engine, t in totals.items():
            done = t.equal_finished / t.cells_finished if t.cells_finished else math.nan
            every = t.equal_all / t.cells_all if t.cells_all else math.nan
            print(
                f"{engine:<16} {t.finished:>5} of {t.files:<3} {done:>17.1%} {every:>16.1%} "
                f"{t.silent:>7,} {t.seconds:>8.1f}"
            )
            print(f"{'':<16} ({t.equal_finished:,} of {t.cells_finished:,}; {t.equal_all:,} of {t.cells_all:,})")
        print(
            f"cells all three engines answer alike and not as the file saved: {agreed[split]:,} "
            "(no choice of fallback wins them back: a rule none of them knows, or values another program wrote)"
        )
        for engine, t in totals.items():
            for failure in t.failures[:8]:
                print(f"  {engine} did not finish {failure}")
            if len(t.failures) > 8:
                print(f"  {engine}: and {len(t.failures) - 8} more files not finished")


if __name__ == "__main__":
    main()
