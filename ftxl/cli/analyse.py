"""`ftxl analyse`: what flips the decision, and how likely it is."""

from __future__ import annotations

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
