"""`ftxl recalc`: recalculate saved workbooks without Excel, with a progress bar and a summary."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import FtxlError
from .app import cli, max_memory_option
from .tables import summary_table, summary_view
from .terminal import echo_json, print_table, visible

if TYPE_CHECKING:
    from ..recalc.batch import Job, Settings
    from ..recalc.workbook import FileResult


DEFAULT_OUT = Path("recalculated")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, readable=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Folder for the recalculated copies (default: ./{DEFAULT_OUT}). Folders given as PATHS keep their layout.",
)
@click.option("--in-place", is_flag=True, help="Replace each original, atomically, instead of writing copies.")
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write one row per workbook with its key outputs to FILE (.csv, .xlsx or .json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of text.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary table; one line per workbook only.")
@click.option(
    "--wide", is_flag=True, help="Show every output in the summary (a row each, a column per workbook), not only Base."
)
@max_memory_option("each recalculating process may use (a workbook that needs more fails, the batch goes on)")
@click.option(
    "--max-cells",
    "max_cells",
    type=click.IntRange(min=1),
    default=500_000,
    show_default=True,
    help="Formula cells one workbook may hold; a larger one is refused (bounded time and memory).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Count a workbook whose input checks fail (its name checks_problems above 0) as failed: exit status 1.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "formulas", "ironcalc"]),
    default="auto",
    show_default=True,
    help="auto: ftxl's plain engine; IronCalc for the cells it does not compute (the formulas library where "
    "IronCalc is not installed, for array formulas over several cells, 1904 workbooks and workbooks the plain "
    "engine cannot order); formulas: the formulas library for every workbook (slower; to cross-check); "
    "ironcalc: as auto, with IronCalc required.",
)
@click.option(
    "--iterate",
    is_flag=True,
    help="Compute the loops (circular references) of workbooks saved with iterative calculation off, as Excel "
    "does with it on: at most 100 iterations, until no value moves by more than 0.001 (Excel's defaults). Excel "
    "takes the setting from the first workbook opened in a session, so a model saved without it (an LBO's debt "
    "schedule) may still have been computed with it. A workbook's own setting wins where it has one.",
)
def recalc(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    in_place: bool,
    summary_path: Path | None,
    as_json: bool,
    jobs: int,
    quiet: bool,
    wide: bool,
    max_memory: float,
    max_cells: int,
    strict: bool,
    engine: str,
    iterate: bool,
) -> None:
    """Recalculate saved workbooks without Excel, ftxl's functions included.

    PATHS are .xlsx / .xlsm files or folders (searched recursively). Only the cached
    values of formula cells change: formulas, formatting, charts, images, comments,
    validations and macros stay exactly as they were.

    By default the results are copies in ./recalculated, so that the originals are never
    touched unless you ask for it with --in-place (each original is then replaced
    atomically: a failure or an interruption leaves it as it was).

    A workbook that defines the name checks_problems (the ftxl template does) reports its
    failed input checks: "ok (checks: 2 problems)", with a warning per problem; --strict
    counts such a workbook as failed.

    Exit status: 0 when every workbook was recalculated, 1 when any failed (or, with
    --strict, failed its input checks), 2 on a usage error.

    \b
    Examples:
      ftxl recalc workbook_templates/ftxl_insurance_example.xlsx
      ftxl recalc quotes/ --out computed/ --summary summary.csv --jobs 2
    """
    from ..recalc import summary
    from ..recalc.batch import INTERRUPTED, Settings, interruptible, mark_output_folder, plan
    from ..recalc.ooxml.package import Limits

    if in_place and out_dir is not None:
        raise click.UsageError("--in-place and --out exclude each other: choose one")
    from ..recalc.engines import ironcalc_installed

    if engine == "ironcalc" and not ironcalc_installed():
        raise click.UsageError("--engine ironcalc needs IronCalc: pip install 'ftxl[cli]'")
    try:
        if summary_path is not None:
            summary.check_path(summary_path)
        job_list = plan(paths, None if in_place else (out_dir or DEFAULT_OUT))
        if summary_path is not None:
            check_summary_target(summary_path, paths, job_list)
    except FtxlError as exc:
        raise click.UsageError(str(exc)) from exc
    if not job_list:
        raise click.UsageError("no .xlsx or .xlsm workbooks found in " + ", ".join(map(str, paths)))
    if not in_place:
        try:
            mark_output_folder(out_dir or DEFAULT_OUT)
        except FtxlError as exc:
            raise click.ClickException(str(exc)) from exc
    finished: list[Any] = []
    try:
        with interruptible():
            results = _run_with_progress(
                job_list,
                jobs,
                Settings(engine, max_memory, Limits(max_formula_cells=max_cells), iterate),
                show=not quiet and not as_json and sys.stderr.isatty(),
                done=finished.append,
            )
    except KeyboardInterrupt:
        for result in finished:
            _echo_result(result, strict)
        click.echo(
            f"interrupted: {len(finished)} of {len(job_list)} workbooks done (listed above); any other was "
            "either not written or written whole, never half (its original unchanged or fully replaced)",
            err=True,
        )
        sys.exit(INTERRUPTED)
    columns, table = summary.rows(results)
    if as_json:
        echo_json({"files": [_result_dict(r) for r in results], "summary": table})
    else:
        for result in results:
            _echo_result(result, strict)
        shown = summary_table(columns, table, wide)
        if not quiet and shown is not None:
            from rich.console import Console

            print_table(Console(), shown)
    if summary_path is not None:
        try:
            ordered = [c for c in columns if c in ("workbook", "status", "cells", "warnings")]
            ordered += [c for c in summary_view(columns, table, wide=True) if c not in ordered]
            ordered += [c for c in columns if c not in ordered]  # errors, and anything the view leaves out
            summary.write(summary_path, ordered, table)
        except (FtxlError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    sys.exit(0 if all(r.ok and not (strict and r.checks) for r in results) else 1)


def check_summary_target(summary_path: Path, paths: tuple[Path, ...], job_list: list[Job]) -> None:
    """Refuse a summary that would overwrite a workbook of the batch (an input or a copy), or land as a new
    workbook in an input folder (the next run would read it as an input)."""
    from ..errors import WorkbookError

    def same(a: Path, b: Path) -> bool:
        try:
            return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
        except OSError:
            return False

    for job in job_list:
        for kind, path in (("an input workbook", job.source), ("a recalculated copy", job.target)):
            if same(summary_path, path):
                raise WorkbookError(f"--summary {summary_path} is {kind} of this batch: choose another file")
    if summary_path.suffix.lower() in (".xlsx", ".xlsm"):
        for folder in (p for p in paths if p.is_dir()):
            if summary_path.resolve().is_relative_to(folder.resolve()):
                raise WorkbookError(
                    f"--summary {summary_path} lies in the input folder {folder}: the next run would read it as a "
                    "workbook; write it elsewhere"
                )


def _run_with_progress(
    job_list: list[Job],
    processes: int,
    settings: Settings,
    show: bool,
    done: Callable[[FileResult], None] = lambda result: None,
) -> list[FileResult]:
    from ..recalc.batch import run

    if not show:
        return run(job_list, processes, progress=done, settings=settings)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("recalculating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("recalc", total=len(job_list))

        def advance(result: FileResult) -> None:
            done(result)
            progress.advance(task)

        return run(job_list, processes, progress=advance, settings=settings)


def _echo_result(result: FileResult, strict: bool = False) -> None:
    source, target = visible(result.source), visible(result.target)
    if result.ok:
        plural = "" if len(result.warnings) == 1 else "s"
        engine = "" if result.engine == "plain" else f"; engine: {result.engine}"
        status = "FAILED" if strict and result.checks else "ok"
        if result.checks:
            status += f" (checks: {result.checks} problem{'' if result.checks == 1 else 's'})"
        click.echo(
            f"{status:<7} {source} -> {target} "
            f"({result.cells} cell{'' if result.cells == 1 else 's'}, {len(result.warnings)} warning{plural}{engine})"
        )
        if result.errors_for_numbers:
            click.echo(f"        {_errors_line(result.errors_for_numbers)}")
    else:
        click.echo(f"FAILED  {source}: {visible(result.error)}")
    for warning in result.warnings:
        click.echo(f"        warning: {visible(warning)}")


def _errors_line(errors: dict[str, str]) -> str:
    """ "12 cells now show #VALUE! where the saved file had a number (Sheet!A1, ...)"."""
    codes = " or ".join(sorted(set(errors.values())))
    cells = list(errors)
    first = ", ".join(cells[:3]) + (f" and {len(cells) - 3:,} more" if len(cells) > 3 else "")
    plural = "s" if len(cells) != 1 else ""
    return (
        f"{len(cells):,} cell{plural} now show{'' if plural else 's'} {codes} where the saved file had a number "
        f"({first}); see the warnings or the inputs they read"
    )


def _result_dict(result: FileResult) -> dict[str, Any]:
    from ..recalc.summary import plain

    return {
        "source": str(result.source),
        "target": None if result.target is None else str(result.target),
        "ok": result.ok,
        "cells": result.cells,
        "warnings": result.every_warning if result.ok else result.warnings,
        "warned_cells": result.warned_cells,
        "errors_for_numbers": result.errors_for_numbers,
        "checks": result.checks,
        "error": result.error,
        "engine": result.engine or None,
        "outputs": {k: plain(v) for k, v in result.outputs.items()},
    }
