"""The `ftxl` command group; each command lives in a module of its own and registers itself here."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
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


def set_option(what: str, example: str) -> Callable[[Any], Any]:
    """The repeatable --set NAME=VALUE option of a command that reads inputs by name."""
    return click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="NAME=VALUE",
        help=f"{what} e.g. --set {example} (repeatable; wins over the file).",
    )


def assignment(option: str, text: str, example: str) -> tuple[str, float]:
    """NAME=VALUE of an option such as --set, as (name, a finite number); anything else refused by name."""
    name, separator, value = text.partition("=")
    if not separator or not name.strip():
        raise click.UsageError(f"{option} {text}: write NAME=VALUE, e.g. {option} {example}")
    return name.strip(), number(f"{option} {name.strip()}", value)


def toml_values(path: Path, text_names: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The `name = value` lines of a TOML file: numbers, refused by name otherwise, except the `text_names`
    (choices written as words)."""
    import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    return {
        name: value if name in text_names else number(f"{path.name}: {name}", value) for name, value in data.items()
    }


def number(where: str, value: object) -> float:
    """A finite number from an option's text or a file's value; anything else is refused, naming `where`."""
    if isinstance(value, bool):
        raise click.UsageError(f"{where} = {value}: give a number")
    try:
        found = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise click.UsageError(f"{where} = {value!r}: give a number (0.95 for 95%)") from None
    if not math.isfinite(found):
        raise click.UsageError(f"{where} = {value}: give a finite number")
    return found
