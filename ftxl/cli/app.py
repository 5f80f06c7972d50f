"""The `ftxl` command group; each command lives in a module of its own and registers itself here."""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftxl")
def cli() -> None:
    """ftxl: fine-tune a small model or prompt a frontier model? The expected cost per event
    of each option, and when fine-tuning pays back."""
