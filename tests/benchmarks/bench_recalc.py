"""Seconds per workbook for recalculating 200 filled copies of a realistic template, four ways, one run.

    python tests/benchmarks/bench_recalc.py [--copies 200] [--repeat 3] [--template-copies 50] [--keep DIR]
    python tests/benchmarks/bench_recalc.py --template-only [--repeat 5]   (issue 12's ratio alone)

(a) `ftxl recalc FOLDER --jobs 1` (one process: start-up, imports and all), with the
    engine it picks (the plain one for this template: checked) and, for reference, with
    `--engine formulas`;
(b) `formulas` naively: ExcelModel().loads(file).finish().calculate() for each file;
(c) LibreOffice headless converting all copies in a single `soffice` call, recalculating on
    load; it cannot run ftxl's functions, so it gets the same template with native formulas;
(d) the I/O floor: read each package, patch the cached values of its formula cells, write it.

Then ftxl on copies of ftxl's own example template (workbook_templates/), whose inputs are varied
(LibreOffice and formulas cannot run it), against a plain zip copy of the same files: --repeat runs
of each, interleaved, median (issue 12's target: at most 3x; --template-only runs this part alone).

(a) and (d) take seconds and are run --repeat times (median), each into a new folder, as (b)
and (c) are; those take a minute and run once.

Targets on one core (issue 3): (a) >= 10x faster than (c), >= 5x faster than (b), within 3x of (d).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/, for the helpers a benchmark shares with the tests
from helpers.quote_workbook import filled_copies  # noqa: E402


def run_ftxl(folder: Path, out: Path, *options: str, tree: Path | None = None) -> float:
    """Seconds for `ftxl recalc FOLDER` in a fresh process; `tree`: the ftxl of another checkout (run from
    there: `python -m` puts the working folder first on the path, before PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree else None
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ftxl", "recalc", str(folder), "--out", str(out), "--quiet", "--jobs", "1", *options],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=tree,
    )
    return time.perf_counter() - start


def engine_used(path: Path, out: Path) -> str:
    """Which engine `ftxl recalc` computes `path` with."""
    completed = subprocess.run(
        [sys.executable, "-m", "ftxl", "recalc", str(path), "--out", str(out), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return str(json.loads(completed.stdout)["files"][0]["engine"])


def run_formulas_naive(paths: list[Path]) -> float:
    code = (
        "import sys, formulas, ftxl.recalc.formulas_fallback\n"
        "for p in sys.argv[1:]:\n"
        "    formulas.ExcelModel().loads(p).finish().calculate()\n"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def run_libreoffice(paths: list[Path], out: Path, profile: Path) -> float:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item></oor:items>\n"
    )
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed for baseline (c)"
    base = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    subprocess.run([*base, "--terminate_after_init"], check=False, capture_output=True)  # first start: profile
    start = time.perf_counter()
    subprocess.run(
        [*base, "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)], check=True, capture_output=True
    )
    return time.perf_counter() - start


def run_io_floor(paths: list[Path], out: Path) -> float:
    code = (
        "import sys, zipfile, pathlib, re\n"
        "from ftxl.recalc.ooxml.worksheet import patch\n"
        "out = pathlib.Path(sys.argv[1])\n"
        "for p in map(pathlib.Path, sys.argv[2:]):\n"
        "    with zipfile.ZipFile(p) as src, zipfile.ZipFile(out / p.name, 'w') as dst:\n"
        "        for info in src.infolist():\n"
        "            data = src.read(info)\n"
        "            if info.filename.startswith('xl/worksheets/'):\n"
        "                refs = re.findall(rb'<c r=\"([A-Z]+[0-9]+)\"[^>]*><f>', data)\n"
        "                data, _ = patch(data, {r.decode(): 1.0 for r in refs})\n"
        "            dst.writestr(info, data, compress_type=info.compress_type)\n"
    )
    return _timed_script(code, out, paths)


def _timed_script(code: str, out: Path, paths: list[Path]) -> float:
    """Seconds for `code` to run in a fresh interpreter with OUT and the workbooks as arguments."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(out), *map(str, paths)], check=True)
    return time.perf_counter() - start


def run_zip_copy(paths: list[Path], out: Path) -> float:
    """Seconds to copy every member of each package out and back in (no parsing), in one process."""
    code = (
        "import pathlib, sys, zipfile\n"
        "out = pathlib.Path(sys.argv[1])\n"
        "for p in map(pathlib.Path, sys.argv[2:]):\n"
        "    with zipfile.ZipFile(p) as src, zipfile.ZipFile(out / p.name, 'w') as dst:\n"
        "        for info in src.infolist():\n"
        "            dst.writestr(info, src.read(info), compress_type=info.compress_type)\n"
    )
    return _timed_script(code, out, paths)


def template_copies(folder: Path, copies: int, seed: int = 11) -> list[Path]:
    """Filled copies of the committed example template: every number typed on its Inputs sheet varied, and
    every copy valid (Low <= Base <= High kept by one factor per row, every share by one factor per copy, so
    full-route stays at most top-level): each passes its input checks and runs the whole analysis, as a
    user's filled copy does (`assert_valid`)."""
    from ftxl.recalc.ooxml.worksheet import patch

    source = Path(__file__).parents[2] / "workbook_templates" / "ftxl_insurance_example.xlsx"
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    inputs = parts["xl/worksheets/sheet2.xml"]
    typed = re.findall(rb'<c r="([B-D][0-9]+)"(?: s="[0-9]+")?><v>([^<]+)</v></c>', inputs)
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(copies):
        values = {}
        share_factor = rng.uniform(0.97, 1.0)
        row_factors: dict[bytes, float] = {}
        for ref, raw in typed:
            v, row = float(raw), ref[1:]
            factor = row_factors.setdefault(row, rng.uniform(0.8, 1.2))
            values[ref.decode()] = v * share_factor if v < 1 else v * factor
        parts["xl/worksheets/sheet2.xml"] = patch(inputs, values)[0]
        path = folder / f"use_case_{k:03d}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in parts.items():
                package.writestr(name, data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of (a) and (d); the median counts.")
    parser.add_argument(
        "--template-copies", type=int, default=50, help="Copies of ftxl's own example template (0: skip that part)."
    )
    parser.add_argument("--keep", type=Path, help="Keep the generated workbooks in this folder.")
    parser.add_argument(
        "--template-only",
        action="store_true",
        help="Only the example template against a plain zip copy (issue 12's target), --repeat runs interleaved.",
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="Another checkout of ftxl (e.g. a git worktree of main): time its `ftxl recalc` on the same copies, "
        "interleaved with this one's, and print the ratio (a change's before and after in one run).",
    )
    args = parser.parse_args()
    if args.baseline_tree:
        compare_trees(args)
        return
    if args.template_only:
        template_against_zip_copy(args)
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="ftxl-bench-"))
    ftxl_copies = filled_copies(root / "ftxl", args.copies, native=False)
    native_copies = filled_copies(root / "native", args.copies, native=True)
    n = args.copies
    engine = engine_used(ftxl_copies[0], root / "out_engine")
    assert engine == "plain", engine
    timings = {
        "(a) ftxl recalc": statistics.median(run_ftxl(root / "ftxl", root / f"out_a{k}") for k in range(args.repeat)),
        "(b) formulas, naive": run_formulas_naive(ftxl_copies),
        "(c) LibreOffice, one soffice call": run_libreoffice(native_copies, root / "out_c", root / "profile"),
        "(d) I/O floor": statistics.median(run_io_floor(ftxl_copies, root / f"out_d{k}") for k in range(args.repeat)),
        "(a') ftxl recalc --engine formulas": run_ftxl(root / "ftxl", root / "out_a2", "--engine", "formulas"),
    }
    for name, seconds in timings.items():
        print(f"{name:<36} {seconds:8.2f} s  {seconds / n * 1000:8.1f} ms per workbook")
    a = timings["(a) ftxl recalc"]
    print(
        f"(c) / (a): {timings['(c) LibreOffice, one soffice call'] / a:6.1f}x faster than LibreOffice (target >= 10x)"
    )
    print(f"(b) / (a): {timings['(b) formulas, naive'] / a:6.1f}x faster than naive formulas (target >= 5x)")
    print(f"(a) / (d): {a / timings['(d) I/O floor']:6.2f}x the I/O floor (target <= 3x)")
    by_formulas = timings["(a') ftxl recalc --engine formulas"] / a
    print(f"(a') / (a): {by_formulas:5.1f}x: ftxl's plain engine against ftxl with the formulas engine")
    one = root / "one"
    one.mkdir()
    shutil.copy(ftxl_copies[0], one)
    startup = statistics.median(run_ftxl(one, root / f"out_one{k}") for k in range(args.repeat))
    marginal = (a - startup) / (n - 1)
    lo_each, floor_each = timings["(c) LibreOffice, one soffice call"] / n, timings["(d) I/O floor"] / n
    print(
        f"ftxl start-up and one workbook: {startup:.2f} s; after start-up {marginal * 1000:.1f} ms per workbook, "
        f"{lo_each / marginal:.1f}x faster than LibreOffice, {marginal / floor_each:.2f}x the I/O floor"
    )
    with zipfile.ZipFile(ftxl_copies[0]) as package:  # sanity: the template holds ftxl formulas
        assert b"BREAKEVEN_DAYS" in package.read("xl/worksheets/sheet2.xml")
    if args.template_copies:
        template_against_zip_copy(args, root / "example")
    if not args.keep:
        shutil.rmtree(root)


def assert_valid(copies: list[Path], out: Path) -> None:
    """Every copy passes its input checks: its figures and the whole analysis are computed, none skipped."""
    summary = out / "summary.json"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ftxl",
            "recalc",
            *map(str, copies),
            "--out",
            str(out / "copies"),
            "--quiet",
            "--summary",
            str(summary),
        ],
        check=True,
        capture_output=True,
    )
    rows = json.loads(summary.read_text())
    failing = [row["workbook"] for row in rows if row["checks"] != 0 or row["status"] != "ok"]
    assert not failing, f"{len(failing)} of {len(rows)} copies fail their input checks: {failing[:3]}"


def template_against_zip_copy(args: argparse.Namespace, folder: Path | None = None) -> None:
    """`ftxl recalc` of copies of the example template against a plain zip copy of the same files, each run
    --repeat times, interleaved (median): the ratio issue 12 asks to keep at or under 3. Also, for reference,
    the I/O floor script on the same copies (which rewrites every formula cell and recompresses every part)."""
    root = folder or args.keep or Path(tempfile.mkdtemp(prefix="ftxl-bench-"))
    m = args.template_copies or 50
    copies = template_copies(root / "template", m)
    assert engine_used(copies[0], root / "out_template_engine") == "plain"
    assert_valid(copies, root / "out_template_checks")
    ours, copied, floors = [], [], []
    for k in range(args.repeat):
        ours.append(run_ftxl(root / "template", root / f"out_e{k}"))
        copied.append(run_zip_copy(copies, root / f"out_g{k}"))
        floors.append(run_io_floor(copies, root / f"out_f{k}"))
    one = root / "one"
    one.mkdir()
    shutil.copy(copies[0], one)
    startup = statistics.median(run_ftxl(one, root / f"out_one{k}") for k in range(args.repeat))
    a, z = statistics.median(ours), statistics.median(copied)
    print(
        f"ftxl's own example template, {m} valid copies with varied inputs, median of {args.repeat} runs: "
        f"ftxl recalc {a / m * 1000:.1f} ms per workbook (start-up and the first workbook {startup:.2f} s, then "
        f"{(a - startup) / (m - 1) * 1000:.1f} ms each); a plain zip copy {z / m * 1000:.1f} ms: "
        f"{a / z:.2f}x (issue 12's target: <= 3x); the I/O floor script {statistics.median(floors) / m * 1000:.1f} ms"
    )
    if not args.keep and folder is None:
        shutil.rmtree(root)


def compare_trees(args: argparse.Namespace) -> None:
    """This checkout's `ftxl recalc` against another's on the same copies, runs interleaved (median of --repeat)."""
    root = (args.keep or Path(tempfile.mkdtemp(prefix="ftxl-bench-"))).resolve()
    filled_copies(root / "ftxl", args.copies, native=False)
    template_copies(root / "template", args.template_copies or 50)
    here, baseline = Path(__file__).resolve().parents[2], args.baseline_tree.resolve()
    for tree in (here, baseline):  # each run must import its own tree's ftxl
        found = subprocess.run(
            [sys.executable, "-c", "import ftxl; print(ftxl.__file__)"],
            check=True,
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(tree)),
            cwd=tree,
        ).stdout.strip()
        assert Path(found).is_relative_to(tree), f"{tree} runs {found}"
    for name, folder in (("quote template", root / "ftxl"), ("example template", root / "template")):
        times: dict[str, list[float]] = {"this checkout": [], "baseline": []}
        for k in range(args.repeat):
            times["baseline"].append(run_ftxl(folder, root / f"out_base_{name[0]}{k}", tree=baseline))
            times["this checkout"].append(run_ftxl(folder, root / f"out_new_{name[0]}{k}", tree=here))
        count = len(list(folder.glob("*.xlsx")))
        base, new = (statistics.median(times[key]) for key in ("baseline", "this checkout"))
        print(
            f"{name}, {count} copies: baseline {base / count * 1000:.1f} ms per workbook, "
            f"this checkout {new / count * 1000:.1f} ms per workbook: {new / base:.3f}x the baseline"
        )
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
