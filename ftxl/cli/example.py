"""`ftxl example`: the worked example's figures."""

from __future__ import annotations

from dataclasses import asdict

import click

from ..errors import FtxlError
from .app import cli
from .terminal import echo_json, print_table


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
        echo_json([asdict(e) for e in evaluations])
        return
    console = Console()
    print_table(console, options_table(evaluations[0]))
    print_table(console, finetune_table(evaluations))
