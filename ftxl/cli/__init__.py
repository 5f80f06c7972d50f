"""The `ftxl` command line. Each command parses, makes one core call and prints."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..errors import FtxlError

if TYPE_CHECKING:  # each command imports what it needs, so that `ftxl recalc` starts fast
    from rich.console import Console

    from ..recalc.batch import Job, Settings
    from ..recalc.workbook import FileResult
    from .tables import Table


def _text(value: object) -> Any:
    """A table cell as literal text: rich reads no markup in it, so "[/]" in a label prints as typed."""
    from rich.text import Text

    return Text(_visible(value))


def _print_table(console: Console, table: Table) -> None:
    from rich.table import Table as RichTable

    rich_table = RichTable(title=_text(table.title), title_justify="left")
    for index, column in enumerate(table.columns):
        rich_table.add_column(_text(column), justify="left" if index == 0 else "right")
    for row in table.rows:
        rich_table.add_row(*map(_text, row))
    console.print(rich_table)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftxl")
def cli() -> None:
    """ftxl: fine-tune a small model or prompt a frontier model? The expected cost per event
    of each option, and when fine-tuning pays back."""


@cli.command()
@click.option(
    "--horizon",
    "horizons",
    type=click.FloatRange(min=0, min_open=True),
    multiple=True,
    default=(90.0, 180.0),
    show_default=True,
    help="Decision horizon in days; repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
def example(horizons: tuple[float, ...], as_json: bool) -> None:
    """Compute the worked example: e-mail triage at an insurer, 5,000 events a day.

    \b
    Example:
      ftxl example --horizon 90 --horizon 180
    """
    from rich.console import Console

    from ..use_case import evaluate, insurance_example
    from .tables import finetune_table, options_table

    try:
        evaluations = [evaluate(insurance_example(h)) for h in horizons]
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([_jsonable(asdict(e)) for e in evaluations], indent=2))
        return
    console = Console()
    _print_table(console, options_table(evaluations[0]))
    _print_table(console, finetune_table(evaluations))


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
@click.option(
    "--max-memory",
    "max_memory",
    type=click.FloatRange(min=0),
    default=8.0,
    show_default=True,
    help="GiB of memory each recalculating process may use; a workbook that needs more fails with "
    "'out of memory' and the batch goes on. 0: no limit.",
)
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
    type=click.Choice(["auto", "formulas"]),
    default="auto",
    show_default=True,
    help="auto: ftxl's plain engine, the formulas library for workbooks it does not cover; "
    "formulas: the formulas library for every workbook (slower; to cross-check).",
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
    try:
        if summary_path is not None:
            summary.check_path(summary_path)
        job_list = plan(paths, None if in_place else (out_dir or DEFAULT_OUT))
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
                Settings(engine, max_memory, Limits(max_formula_cells=max_cells)),
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
        click.echo(json.dumps({"files": [_jsonable(_result_dict(r)) for r in results], "summary": table}, indent=2))
    else:
        for result in results:
            _echo_result(result, strict)
        if not quiet:
            _print_summary(columns, table, wide)
    if summary_path is not None:
        try:
            summary.write(summary_path, columns, table)
        except (FtxlError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    sys.exit(0 if all(r.ok and not (strict and r.checks) for r in results) else 1)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(["insurance"]), help="Fill the inputs with a worked example.")
@click.option("--blank", is_flag=True, help="Leave every input empty (the default).")
@click.option(
    "--for",
    "runtime",
    type=click.Choice(["classic", "lite"]),
    default="classic",
    show_default=True,
    help="Spell ftxl's functions for the classic xlwings add-in or for xlwings Lite (Office.js).",
)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def template(path: Path, example: str | None, blank: bool, runtime: str, force: bool) -> None:
    """Write the ftxl template workbook to PATH, every formula's value computed.

    \b
    Examples:
      ftxl template my_case.xlsx
      ftxl template insurance.xlsx --example insurance
    """
    if example and blank:
        raise click.UsageError("--example and --blank exclude each other: choose one")
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError("PATH must end in .xlsx (after Import Functions in Excel, save it as .xlsm)")
    if not path.parent.is_dir():
        raise click.UsageError(f"the folder {path.parent} does not exist: create it first")
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists (perhaps filled in): choose another name, or pass --force to replace it")
    from ..template import write_template

    result = write_template(path, example=example is not None, runtime=runtime)
    if not result.ok:
        raise click.ClickException(str(result.error))
    click.echo(f"wrote {path} ({result.cells} formulas computed)")


@cli.command()
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--true", "true_column", required=True, help="Column with where each event truly belonged.")
@click.option("--pred", "pred_column", required=True, help="Column with where each event was routed.")
@click.option("--sep", "separator", default="/", show_default=True, help="Separator between department and subclass.")
@click.option("--weight", "weight_column", help="Column with a weight per event.")
@click.option("--abstain", help="Prediction value meaning 'sent to a human' (its own bucket).")
@click.option(
    "--abstain-cost",
    type=click.FloatRange(min=0),
    help="EUR per event sent to a human (its handling cost, e.g. 0.1667 for 30 s at 20 EUR/h); "
    "required with --abstain and --costs.",
)
@click.option("--by", "by_column", help="Break the shares down by this column instead of by true department.")
@click.option(
    "--costs", help="EUR per wrong subclass and per wrong department, e.g. 2,8: adds the expected error cost."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def buckets(
    log: Path,
    true_column: str,
    pred_column: str,
    separator: str,
    weight_column: str | None,
    abstain: str | None,
    abstain_cost: float | None,
    by_column: str | None,
    costs: str | None,
    as_json: bool,
) -> None:
    """Bucket shares (correct, wrong subclass, wrong department) of a routing log, with 95% intervals.

    LOG is a .csv, .xlsx or .parquet file with one row per event. Labels are compared
    after trimming spaces and ignoring case.

    \b
    Examples:
      ftxl buckets routing_log.csv --true final_queue --pred first_queue --costs 2,8
      ftxl buckets log.parquet --true truth --pred model --abstain HUMAN --by channel --json
    """
    from ..label_logs import BucketsRequest, analyse, read_log

    cost_pair = _cost_pair(costs)
    if abstain is not None and cost_pair is not None and abstain_cost is None:
        raise click.UsageError(
            "--abstain-cost is missing: events sent to a person cost that person's handling time "
            "(e.g. --abstain-cost 0.1667 for 30 s at 20 EUR/h); 0 only if that is really free"
        )
    if abstain_cost is not None and abstain is None:
        raise click.UsageError("--abstain-cost needs --abstain: the prediction value meaning 'sent to a human'")
    try:
        frame = read_log(log)
        report = analyse(
            frame,
            BucketsRequest(
                true_column, pred_column, separator, weight_column, abstain, by_column, cost_pair, abstain_cost
            ),
        )
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from exc
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    from rich.console import Console

    console = Console()
    for table in _buckets_tables(report):
        _print_table(console, table)
    for label, rows in report.get("unknown_predictions", {}).items():
        click.echo(
            f"note: the prediction {label!r} ({rows:,} rows) is in no department of the true labels; it counts "
            "as a wrong department. If it means 'sent to a person', pass --abstain."
        )
    if "expected_error_cost" in report:
        e = report["expected_error_cost"]
        click.echo(
            f"Expected cost per event: €{e['value']:.4f} (95% interval of the expectation: "
            f"€{e['low']:.4f} to €{e['high']:.4f})"
        )


@cli.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(["insurance"]), help="Analyse a worked example instead of a workbook.")
@click.option("--draws", type=click.IntRange(min=100), default=100_000, show_default=True, help="Monte Carlo draws.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the draws (the same seed, the same result)."
)
@click.option(
    "--distribution",
    type=click.Choice(["pert", "triangular"]),
    default="pert",
    show_default=True,
    help="Of each input.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
def analyse(
    workbook: Path | None, example: str | None, draws: int, seed: int, distribution: str, as_json: bool
) -> None:
    """What flips the decision and how likely it is, for a filled template or the worked example.

    Prints the tornado (fine-tuning's net savings against the best other option with each input at
    its Low and High, the others at Base), each input's switch value, and a Monte Carlo summary.

    \b
    Examples:
      ftxl analyse --example insurance
      ftxl analyse my_case.xlsx --draws 20000 --json
    """
    from .. import analysis

    if (workbook is None) == (example is None):
        raise click.UsageError("give a WORKBOOK or --example insurance (one of them)")
    try:
        if workbook is not None:
            from ..template.ranges import template_ranges

            ranges = template_ranges(workbook)
        else:
            ranges = analysis.example_ranges()
        base = {name: lbh[1] for name, lbh in ranges.items()}
        bars = analysis.tornado(ranges)
        switches = analysis.switch_values(base, [bar.name for bar in bars] or None)
        simulation = analysis.simulate(ranges, draws, seed, distribution)
        base_net = analysis.outcome(base).net_savings
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        report = {
            "base_net_savings": base_net,
            "tornado": [{"input": b.name, "low": b.low, "high": b.high, "swing": b.swing} for b in bars],
            "switch_values": [{"input": s.name, "below": s.below, "above": s.above} for s in switches],
            "simulation": asdict(simulation),
        }
        click.echo(json.dumps(_jsonable(report), indent=2))
        return
    from rich.console import Console

    from .tables import Table

    console = Console()
    console.print(_text(f"Fine-tuning's net savings against the best other option, Base: {_cell_text(base_net)}"))
    _print_table(
        console,
        Table(
            title="What moves it: each input at Low and High, the others at Base (largest swing first)",
            columns=["input", "at Low", "at High", "swing"],
            rows=[[b.name, _cell_text(b.low), _cell_text(b.high), _cell_text(b.swing)] for b in bars],
        ),
    )
    _print_table(
        console,
        Table(
            title="Switch values: where the decision changes, the others at Base",
            columns=["input", "switch value"],
            rows=[[s.name, str(s)] for s in switches],
        ),
    )
    s = simulation
    rows = [
        ["P(fine-tuning is the cheapest option)", f"{s.p_finetune_cheapest:.1%}"],
        ["P(break-even within the horizon)", f"{s.p_breakeven_within_horizon:.1%}"],
        ["mean net savings", _cell_text(s.mean)],
        *([f"p{p} net savings", _cell_text(v)] for p, v in s.percentiles.items()),
        ["value of perfect information", _cell_text(s.evpi)],
    ]
    _print_table(
        console, Table(title=f"Monte Carlo: {s.draws:,} {distribution} draws, seed {seed}", columns=["", ""], rows=rows)
    )


def _cost_pair(costs: str | None) -> tuple[float, float] | None:
    if costs is None:
        return None
    try:
        wrong_subclass, wrong_department = (float(x) for x in costs.split(","))
    except ValueError:
        raise click.BadParameter(
            "give two numbers: EUR per wrong subclass, EUR per wrong department, e.g. 2,8"
        ) from None
    return wrong_subclass, wrong_department


def _buckets_tables(report: dict[str, Any]) -> list[Table]:
    from .tables import Table

    overall = Table(
        title=f"Bucket shares: {report['events']:,} events, {report['skipped']:,} skipped (missing labels)",
        columns=["bucket", "share", "95% low", "95% high"],
        rows=[[b, f"{s['share']:.2%}", f"{s['low']:.2%}", f"{s['high']:.2%}"] for b, s in report["shares"].items()],
    )
    names = list(report["shares"])
    groups = Table(
        title=f"By {report['by']}",
        columns=[report["by"], "events", *names],
        rows=[
            [g, f"{v['events']:,}", *(f"{v['shares'][n]:.2%}" if n in v["shares"] else "-" for n in names)]
            for g, v in report["groups"].items()
        ],
    )
    return [overall, groups]


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


def _visible(text: object) -> str:
    """Text for one terminal line: control characters (a newline, an escape sequence in a file name or a
    cell) are shown as escapes, so that they neither break the line nor drive the terminal."""
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _echo_result(result: FileResult, strict: bool = False) -> None:
    source, target = _visible(result.source), _visible(result.target)
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
    else:
        click.echo(f"FAILED  {source}: {_visible(result.error)}")
    for warning in result.warnings:
        click.echo(f"        warning: {_visible(warning)}")


KEY_OUTPUTS = ("decision_base", "net_savings_base", "breakeven_days_base")
"""The summary's default view of a template workbook: the Base decision and the two figures behind it."""
SCENARIO_ORDER = ("base", "low", "high")
FIRST_STEMS = ("decision", "net_savings", "breakeven_days")


def summary_view(columns: list[str], table: list[dict[str, Any]], wide: bool) -> list[str]:
    """The outputs the terminal shows, in a meaningful order.

    By default the Base decision, net savings and break-even (for workbooks without the ftxl names:
    their first three outputs), and the input checks where any workbook defines them. With `wide`:
    every output, the decision first, each figure's scenarios together (Base, Low, High).
    """
    outputs = [c for c in columns if c not in ("workbook", "status", "cells", "warnings", "checks")]
    checks = [] if all(row.get("checks") is None for row in table) else ["checks"]
    if not wide:
        key = [c for c in KEY_OUTPUTS if c in outputs]
        return (key or outputs[:3]) + checks

    def rank(column: str) -> tuple[int, int, int]:
        stem, _, scenario = column.rpartition("_")
        stem = stem if scenario in SCENARIO_ORDER else column
        first = FIRST_STEMS.index(stem) if stem in FIRST_STEMS else len(FIRST_STEMS)
        order = next(k for k, c in enumerate(outputs) if c == column or c.startswith(stem + "_"))
        return first, order, SCENARIO_ORDER.index(scenario) if scenario in SCENARIO_ORDER else 0

    return checks + sorted(outputs, key=rank)


def _print_summary(columns: list[str], table: list[dict[str, Any]], wide: bool = False) -> None:
    """The key outputs on the terminal, one row per workbook (`summary_view` picks the columns)."""
    shown = summary_view(columns, table, wide)
    if not shown:
        return
    from rich.console import Console
    from rich.table import Table as RichTable

    more = len([c for c in columns if c not in ("workbook", "status", "cells", "warnings")]) - len(shown)
    caption = f"{more} more outputs per workbook: --wide, or the --summary file" if more > 0 and not wide else None
    base_only = not wide and all(c in KEY_OUTPUTS or c == "checks" for c in shown)
    title = "Summary, Base scenario" if base_only else "Summary"
    rich_table = RichTable(title=title, title_justify="left", caption=caption, caption_justify="left")
    if wide:  # every output: one row each, a column per workbook
        rich_table.add_column("output", overflow="fold")
        for row in table:
            rich_table.add_column(_text(Path(row["workbook"]).name), justify="right", overflow="fold")
        for output in shown:
            rich_table.add_row(_text(output.replace("_", " ")), *(_text(_cell_text(row.get(output))) for row in table))
    else:
        rich_table.add_column("workbook", overflow="fold")
        for output in shown:
            header = output.removesuffix("_base") if base_only else output
            rich_table.add_column(_text(header.replace("_", " ")), justify="right", overflow="fold")
        for row in table:
            rich_table.add_row(_text(Path(row["workbook"]).name), *(_text(_cell_text(row.get(c))) for c in shown))
    Console().print(rich_table)


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
    return "" if value is None else str(value)


def _result_dict(result: FileResult) -> dict[str, Any]:
    from ..recalc.summary import plain

    return {
        "source": str(result.source),
        "target": None if result.target is None else str(result.target),
        "ok": result.ok,
        "cells": result.cells,
        "warnings": result.warnings,
        "checks": result.checks,
        "error": result.error,
        "engine": result.engine or None,
        "outputs": {k: plain(v) for k, v in result.outputs.items()},
    }


def _jsonable(value: Any) -> Any:
    """Dataclass dicts as JSON allows them: infinity becomes null."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value
