"""`ftxl buckets`: reading a routing log and reporting its bucket shares overall and by group."""

from __future__ import annotations

import csv
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, WorkbookError
from .labels import route_buckets
from .recalc.ooxml.package import Package


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


MAX_LOG_BYTES = 4 << 30
"""The largest log file read (4 GiB): a label log is text, this is tens of millions of rows."""


def read_log(path: Path, sheet: str | None = None, header_with: tuple[str, ...] = ()) -> pd.DataFrame:
    """A .csv, .xlsx or .parquet log as a DataFrame; labels kept as text.

    In a workbook, `sheet` picks the sheet (default: the first), and the column headers are the first row
    (among the first 50) that holds every name of `header_with`, so a log under a title, as on the template's
    Labels sheet, is read too.
    Only a regular file is read (not a device or a pipe behind a link), at most `MAX_LOG_BYTES`;
    an .xlsx log passes the same zip checks as a workbook (truncated, encrypted, zip bombs).
    The delimiter of a CSV file (comma, semicolon, tab or bar) is sniffed from its start.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm", ".parquet"):
        raise InputError(f"{path.name}: logs are .csv, .xlsx or .parquet files")
    try:
        status = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(status.st_mode):
        raise InputError(f"{path} is not a regular file (a device, a pipe or a folder): give a log file")
    if status.st_size > MAX_LOG_BYTES:
        raise InputError(f"{path} holds {status.st_size:,} bytes, more than ftxl reads ({MAX_LOG_BYTES:,})")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=True, sep=_delimiter(path))
        if suffix in (".xlsx", ".xlsm"):
            with Package(path):  # refuses damaged packages and zip bombs before openpyxl unpacks anything
                pass
            return _sheet_log(path, sheet, header_with)
        return pd.read_parquet(path)
    except ImportError as exc:
        raise InputError(f"reading {suffix} needs {exc.name}: pip install pyarrow") from None
    except WorkbookError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def _sheet_log(path: Path, sheet: str | None, header_with: tuple[str, ...]) -> pd.DataFrame:
    """One sheet of a workbook log, its headers on the first row that holds every name of `header_with`."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        names = book.sheetnames
    finally:
        book.close()
    if sheet is not None and sheet not in names:
        raise InputError(f"{path.name} has no sheet {sheet!r}; it has: {', '.join(names)}")
    raw = pd.read_excel(path, sheet_name=sheet or names[0], dtype=str, header=None)
    wanted = {name.strip() for name in header_with}
    header = next(
        (k for k in range(min(len(raw), 50)) if wanted <= {str(v).strip() for v in raw.iloc[k] if isinstance(v, str)}),
        0,
    )
    frame = raw.iloc[header + 1 :].reset_index(drop=True)
    frame.columns = [
        str(v).strip() if isinstance(v, str) else f"column {k + 1}" for k, v in enumerate(raw.iloc[header])
    ]
    return frame.loc[:, ~frame.columns.duplicated()]


def _delimiter(path: Path) -> str:
    """The delimiter of a CSV file, sniffed from its first 64 KiB: comma unless another one fits better."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        head = handle.read(1 << 16)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _labels_only(name: str, column: pd.Series) -> None:
    """Refuse a column of lists or records (a Parquet nested type): labels are text."""
    kinds = {type(v) for v in column.head(10_000) if v is not None and not (isinstance(v, float) and v != v)}
    odd = sorted(k.__name__ for k in kinds if not issubclass(k, (str, int, float)))
    if odd:
        raise InputError(f"column {name!r} holds {odd[0]} values, not labels: give a column of text")


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


def _group(shares_of: Any, mask: Any) -> dict[str, Any]:
    """One group's summary; a group with no countable row (every label missing) says so instead of failing."""
    try:
        return _summary(shares_of(mask))
    except InputError as exc:
        return {"events": 0, "skipped": int(mask.sum()), "effective_events": 0.0, "shares": {}, "note": str(exc)}


def analyse(frame: pd.DataFrame, request: BucketsRequest) -> dict[str, Any]:
    """Shares with Wilson intervals overall, shares by group, and the expected error cost when costs are given."""
    true, predicted = _column(frame, request.true_column), _column(frame, request.pred_column)
    assert true is not None and predicted is not None
    _labels_only(request.true_column, true)
    _labels_only(request.pred_column, predicted)
    weights = _column(frame, request.weight_column)
    if weights is not None and (
        pd.api.types.is_datetime64_any_dtype(weights)
        or pd.api.types.is_timedelta64_dtype(weights)
        or pd.api.types.is_bool_dtype(weights)
    ):
        raise InputError(
            f"--weight {request.weight_column} holds {weights.dtype} values, not numbers: a weight is how many "
            "events a row stands for"
        )
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
    report["groups"] = {str(group): _group(shares_of, by == group) for group in sorted(by.dropna().unique(), key=str)}
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
