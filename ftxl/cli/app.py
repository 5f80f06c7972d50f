"""The `ftxl` command group; each command lives in a module of its own and registers itself here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftxl")
def cli() -> None:
    """ftxl: fine-tune a small model or prompt a frontier model? The expected cost per event
    of each option, and when fine-tuning pays back."""


def max_memory_option(what: str) -> Callable[[Any], Any]:
    """The --max-memory option (GiB, 8 by default, 0: no limit) of a command, saying what fails past it."""
    return click.option(
        "--max-memory",
        "max_memory",
        type=click.FloatRange(min=0),
        default=8.0,
        show_default=True,
        help=f"GiB of memory {what}; more fails with 'out of memory'. 0: no limit.",
    )
