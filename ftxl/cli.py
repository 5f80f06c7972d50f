"""The `ftxl` command line. Each command parses, makes one core call and prints."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click
from rich.console import Console
from rich.table import Table as RichTable

from . import __version__
from .errors import FtxlError
from .report import Table, finetune_table, options_table
from .use_case import evaluate, insurance_example


def _print_table(console: Console, table: Table) -> None:
    rich_table = RichTable(title=table.title, title_justify="left")
    for index, column in enumerate(table.columns):
        rich_table.add_column(column, justify="left" if index == 0 else "right")
    for row in table.rows:
        rich_table.add_row(*row)
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


def _jsonable(value: Any) -> Any:
    """Dataclass dicts as JSON allows them: infinity becomes null."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value
