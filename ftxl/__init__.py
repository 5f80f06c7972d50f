"""ftxl: fine-tune or prompt? The expected cost per event of each option, and when fine-tuning pays back.

The model functions take scalars or arrays (numpy broadcasting) and raise
`ftxl.InputError` on bad input. Excel functions live in `ftxl.excel_functions`.
"""

from __future__ import annotations

from .errors import FtxlError, InputError, WorkbookError
from .labels import bucket_cost_matrix, confusion_matrix, route_buckets
from .model import (
    amortized_cost_per_event,
    breakeven_days,
    bucket_error_cost,
    cheapest,
    cost_per_event,
    decide,
    error_shares,
    expected_error_cost,
    human_cost_per_event,
    max_cost_premium,
    max_ft_investment,
    net_savings,
    total_costs,
)

__version__ = "0.1.0"

__all__ = [
    "FtxlError",
    "InputError",
    "WorkbookError",
    "__version__",
    "amortized_cost_per_event",
    "breakeven_days",
    "bucket_cost_matrix",
    "bucket_error_cost",
    "cheapest",
    "confusion_matrix",
    "cost_per_event",
    "decide",
    "error_shares",
    "expected_error_cost",
    "human_cost_per_event",
    "max_cost_premium",
    "max_ft_investment",
    "net_savings",
    "route_buckets",
    "total_costs",
]
