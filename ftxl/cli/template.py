"""`ftxl template`: write the template workbook."""

from __future__ import annotations

from pathlib import Path

import click

from .app import cli


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
