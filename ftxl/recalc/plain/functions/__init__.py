"""The Excel functions the plain engine computes itself, with Excel's rules for ranges, text and errors.

One module per kind, each with its own `FUNCTIONS` library (see `spec`): `aggregate`,
`logic`, `maths`, `lookup`, `criteria`, `text`, and ftxl's own (`ftxl_functions`).
Each function takes its evaluated arguments (values, `Grid`s, or `MISSING` for an argument
left out) and returns a value or a `Grid`. A case these functions do not settle exactly as
Excel would raises `NotCoveredError`, and the workbook is then computed by the `formulas`
engine instead.
"""

from __future__ import annotations

from . import (
    aggregate,
    arrays,
    bases,
    criteria,
    database,
    dates,
    distributions,
    finance,
    ftxl_functions,
    growth,
    logic,
    lookup,
    maths,
    matrices,
    money_text,
    number_format,
    regression,
    shape,
    statistics,
    text,
    variable_depreciation,
    volatile,
    weeks,
    working_days,
)
from .spec import Spec

__all__ = ["SPECS", "Spec"]


def _merged() -> dict[str, Spec]:
    merged: dict[str, Spec] = {}
    for module in (
        aggregate,
        arrays,
        logic,
        maths,
        statistics,
        distributions,
        shape,
        regression,
        matrices,
        finance,
        growth,
        variable_depreciation,
        lookup,
        criteria,
        text,
        money_text,
        number_format,
        dates,
        volatile,
        weeks,
        working_days,
        bases,
        database,
        ftxl_functions,
    ):
        clash = merged.keys() & module.FUNCTIONS.keys()
        if clash:
            raise ValueError(f"{module.__name__} registers {sorted(clash)} again")
        merged |= module.FUNCTIONS
    return merged


SPECS: dict[str, Spec] = _merged()
"""Every function the plain engine computes, by the upper-case name a formula calls it with."""
