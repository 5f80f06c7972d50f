"""The `ftxl` command line: one module per command (`example`, `case`, `costs`, `recalc`, `template`, `buckets`,
`analyse`, `report`), each parsing its options, making one core call and printing through `terminal` and
`tables`."""

from __future__ import annotations

from . import analyse, buckets, case, costs, example, recalc, report, template
from .app import cli

__all__ = ["analyse", "buckets", "case", "cli", "costs", "example", "recalc", "report", "template"]
