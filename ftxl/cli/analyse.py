"""`ftxl analyse`: what flips the decision, and how likely it is."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import click

from ..errors import FtxlError
from .app import cli
from .tables import cell_text
from .terminal import echo_json, literal, print_table


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
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also draw tornado.png and distribution.png into this folder (for a slide).",
)
def analyse(
    workbook: Path | None,
    example: str | None,
    draws: int,
    seed: int,
    distribution: str,
    as_json: bool,
    plot_dir: Path | None,
) -> None:
    """What flips the decision and how likely it is, for a filled template or the worked example.

    Prints the tornado (fine-tuning's net savings against the best other option with each input at
    its Low and High, the others at Base), each input's switch value, and a Monte Carlo summary.

    \b
    Examples:
      ftxl analyse --example insurance
      ftxl analyse my_case.xlsx --draws 20000 --json
      ftxl analyse --example insurance --plot slides/
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
        simulation = _simulate(ranges, draws, seed, distribution, show=not as_json and sys.stderr.isatty())
        base_net = analysis.outcome(base).net_savings
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    if plot_dir is not None:
        drawn = _plots(plot_dir, bars, base_net, simulation.bins, draws)
        click.echo(f"wrote {', '.join(map(str, drawn))}", err=as_json)
    if as_json:
        report = {
            "base_net_savings": base_net,
            "tornado": [{"input": b.name, "low": b.low, "high": b.high, "swing": b.swing} for b in bars],
            "switch_values": [{"input": s.name, "below": s.below, "above": s.above} for s in switches],
            "simulation": asdict(simulation),
        }
        echo_json(report)
        return
    from rich.console import Console

    from .tables import Table

    console = Console()
    console.print(literal(f"Fine-tuning's net savings against the best other option, Base: {cell_text(base_net)}"))
    print_table(
        console,
        Table(
            title="What moves it: each input at Low and High, the others at Base (largest swing first)",
            columns=["input", "at Low", "at High", "swing"],
            rows=[[b.name, cell_text(b.low), cell_text(b.high), cell_text(b.swing)] for b in bars],
        ),
    )
    print_table(
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
        ["mean net savings", cell_text(s.mean)],
        *([f"p{p} net savings", cell_text(v)] for p, v in s.percentiles.items()),
        ["value of perfect information", cell_text(s.evpi)],
    ]
    print_table(
        console, Table(title=f"Monte Carlo: {s.draws:,} {distribution} draws, seed {seed}", columns=["", ""], rows=rows)
    )


def _simulate(ranges: dict[str, tuple[float, float, float]], draws: int, seed: int, distribution: str, show: bool):  # type: ignore[no-untyped-def]
    """The Monte Carlo run, with a progress bar on a terminal."""
    from .. import analysis

    if not show:
        return analysis.simulate(ranges, draws, seed, distribution)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("draws", total=draws)
        return analysis.simulate(
            ranges, draws, seed, distribution, progress=lambda done, _: progress.update(task, completed=done)
        )


def _plots(
    folder: Path, bars: Sequence[object], base_net: float, bins: list[tuple[float, float, float]], draws: int
) -> list[Path]:
    """tornado.png and distribution.png in `folder` (made when missing)."""
    from . import plots

    try:
        folder.mkdir(parents=True, exist_ok=True)
        return [
            plots.tornado_png(bars, base_net, folder / "tornado.png"),  # type: ignore[arg-type]
            plots.distribution_png(bins, f"Net savings over {draws:,} Monte Carlo draws", folder / "distribution.png"),
        ]
    except ImportError as missing:
        hint = "pip install 'ftxl[plot]'"
        raise click.ClickException(f"--plot needs matplotlib ({missing.name} is missing): {hint}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the plots to {folder}: {exc.strerror or exc}") from None
