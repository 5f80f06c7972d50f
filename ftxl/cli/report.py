"""`ftxl report`: a one-page decision brief of a filled template, as PDF and as HTML for e-mail."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from ..errors import FtxlError
from .app import cli, max_memory_option


@cli.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(["insurance"]), help="Brief the worked example instead of a workbook.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for NAME_brief.pdf and NAME_brief.html.",
)
@click.option("--force", is_flag=True, help="Replace briefs that exist already.")
@max_memory_option("this command may use")
def report(workbook: Path | None, example: str | None, out_dir: Path, force: bool, max_memory: float) -> None:
    """Write a one-page decision brief of a filled template: the decision in the worst case, Base and the
    best case, cost per event by option, the break-even, the limits, and the questions still open.

    The figures are computed afresh (as `ftxl recalc` would), never taken from the values the
    file was saved with. The workbook itself is not changed.

    \b
    Examples:
      ftxl report my_case.xlsx --out handouts/
      ftxl report --example insurance
    """
    from ..brief import html_bytes, pdf_bytes, read_brief
    from ..recalc import ModelCache, recalculate
    from ..recalc.atomic import write_atomically
    from ..recalc.batch import limit_memory
    from ..template import write_template

    if (workbook is None) == (example is None):
        raise click.UsageError("give a WORKBOOK or --example insurance (one of them)")
    stem = workbook.stem if workbook is not None else "ftxl_insurance_example"
    targets = (out_dir / f"{stem}_brief.pdf", out_dir / f"{stem}_brief.html")
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise click.UsageError(f"{existing[0]} exists: add --force to replace it")
    limit_memory(max_memory)
    try:
        with tempfile.TemporaryDirectory(prefix=".ftxl-report-") as folder:
            source = workbook
            if source is None:
                source = Path(folder) / f"{stem}.xlsx"
                write_template(source, example=True)
            computed = Path(folder) / "computed.xlsx"
            result = recalculate(source, computed, ModelCache())
            if not result.ok:
                raise click.ClickException(f"{source.name}: {result.error}")
            brief = read_brief(computed, source.name)
        out_dir.mkdir(parents=True, exist_ok=True)
        for target, data in zip(targets, (pdf_bytes(brief), html_bytes(brief)), strict=True):
            write_atomically(target, _writer(data))
    except ImportError as missing:
        raise click.ClickException(
            f"ftxl report needs matplotlib ({missing.name} is missing): pip install 'ftxl[plot]'"
        ) from None
    except (FtxlError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    except MemoryError:
        raise click.ClickException(
            f"out of memory: the brief needs more than --max-memory {max_memory:g} GiB"
        ) from None
    click.echo(f"wrote {targets[0]} and {targets[1]}")


def _writer(data: bytes) -> Callable[[IO[bytes]], object]:
    return lambda handle: handle.write(data)
