"""`ftxl buckets`: reading a routing log and reporting its bucket shares overall and by group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError
from .labels import route_buckets


@dataclass(frozen=True)
class BucketsRequest:
    """Which columns of the log hold what, and how to count."""

    true_column: str
    pred_column: str
    separator: str = "/"
    weight_column: str | None = None
    abstain: str | None = None
    by_column: str | None = None
    costs: tuple[float, float] | None = None
    """EUR per wrong subclass and per wrong department."""
    abstain_cost: float | None = None
    """EUR per event sent to a person (its handling cost); required with `abstain` and `costs`."""


def read_log(path: Path) -> pd.DataFrame:
    """A .csv, .xlsx or .parquet log as a DataFrame; labels kept as text."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=True)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except ImportError as exc:
        raise InputError(f"reading {suffix} needs {exc.name}: pip install pyarrow") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    raise InputError(f"{path.name}: logs are .csv, .xlsx or .parquet files")


def _column(frame: pd.DataFrame, name: str | None) -> pd.Series | None:
    if name is None:
        return None
    if name not in frame.columns:
        raise KeyError(f"no column {name!r} in the log; it has: {', '.join(map(str, frame.columns))}")
    return frame[name]


def _summary(result: Any) -> dict[str, Any]:
    return {
        "events": result.events,
        "skipped": result.skipped,
        "effective_events": result.effective_events,
        "shares": {name: share.share for name, share in result.shares.items()},
    }


def analyse(frame: pd.DataFrame, request: BucketsRequest) -> dict[str, Any]:
    """Shares with Wilson intervals overall, shares by group, and the expected error cost when costs are given."""
    true, predicted = _column(frame, request.true_column), _column(frame, request.pred_column)
    assert true is not None and predicted is not None
    weights = _column(frame, request.weight_column)
    weight_values = None if weights is None else pd.to_numeric(weights, errors="coerce").to_numpy()

    def shares_of(mask: Any = None) -> Any:
        t, p = (true, predicted) if mask is None else (true[mask], predicted[mask])
        w = weight_values if mask is None or weight_values is None else weight_values[mask.to_numpy()]
        return route_buckets(t, p, request.separator, w, request.abstain)

    overall = shares_of()
    report: dict[str, Any] = {
        **_summary(overall),
        "shares": {n: {"share": s.share, "low": s.low, "high": s.high} for n, s in overall.shares.items()},
    }
    by = _column(frame, request.by_column)
    if by is None:
        by = true.astype(str).str.strip().str.casefold().str.partition(request.separator)[0].where(true.notna())
        report["by"] = "true department"
    else:
        report["by"] = request.by_column
    report["groups"] = {str(group): _summary(shares_of(by == group)) for group in sorted(by.dropna().unique(), key=str)}
    if overall.unknown_predictions:
        report["unknown_predictions"] = overall.unknown_predictions
    if request.costs is not None:
        estimate = overall.expected_cost(*request.costs, abstain_cost=request.abstain_cost)
        report["expected_error_cost"] = {
            "value": estimate.value,
            "low": estimate.low,
            "high": estimate.high,
            "interval": "95%, normal approximation of a multinomial sample: Var = (sum p c^2 - E^2) / effective events",
        }
    return report
