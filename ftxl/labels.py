"""From label logs to bucket shares: where each event truly belonged against where it was routed.

Labels are hierarchical routes such as ``Claims/Water damage``: the part before the first
separator is the department, the rest the subclass. A pair of labels falls in one bucket:
correct (same route), wrong subclass (same department), wrong department, or — when the
prediction is the abstain marker — sent to a human. Shares come with Wilson score intervals,
ready for the Low / High columns of the template.

Label clean-up (``clean=True``, the default): surrounding whitespace is stripped and case is
folded, so ``" claims/Water Damage "`` equals ``"Claims/water damage"``; whitespace around the
separator is stripped too. Missing labels (None, NaN, empty after clean-up) are not guessed:
rows with either label missing are skipped and counted in ``skipped``. A label whose
department or subclass is empty (``"/Water"``, ``"Claims/"``) is malformed and raises
`InputError` naming the row.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .errors import InputError, NoAnswerError

BUCKETS = ("correct", "wrong_subclass", "wrong_department")
ABSTAINED = "abstained"
Z_95 = 1.959963984540054
"""Standard normal quantile for a two-sided 95% interval."""


@dataclass(frozen=True)
class Share:
    """One bucket's share of the (weighted) events, with its Wilson score interval."""

    share: float
    low: float
    high: float


@dataclass(frozen=True)
class BucketShares:
    """Bucket shares of a label log: correct, wrong subclass, wrong department (and abstained)."""

    shares: dict[str, Share]
    events: int
    """Rows counted (missing labels skipped)."""
    weight: float
    """Sum of the weights of the counted rows (equals `events` without weights)."""
    effective_events: float
    """Kish effective sample size of the weights: what the intervals are based on."""
    skipped: int = 0
    by_group: dict[str, BucketShares] = field(default_factory=dict)
    unknown_predictions: dict[str, int] = field(default_factory=dict)
    """Predicted labels whose department is no department of any true label (an abstain marker not
    declared as one?), with how many counted rows carry each; they count as wrong departments."""

    def as_row(self) -> list[float]:
        """The shares in bucket order (abstained last, when present)."""
        return [s.share for s in self.shares.values()]

    def expected_cost(
        self, wrong_subclass: float, wrong_department: float, abstain_cost: float | None = None, z: float = Z_95
    ) -> CostEstimate:
        """Expected cost per event in euros of this log's buckets, with a 95% interval of that expectation.

        A correct event costs 0; an abstained one ``abstain_cost``, the handling cost of the person
        it goes to (required when the log has an abstained bucket). The interval treats the log
        as a multinomial sample of `effective_events` events: Var(E) = (sum p_i c_i^2 - E^2) / n_eff,
        E +- z sd (a normal approximation; it may reach below 0 for tiny logs, and is cut at 0).
        """
        costs = {"correct": 0.0, "wrong_subclass": wrong_subclass, "wrong_department": wrong_department}
        if ABSTAINED in self.shares:
            if abstain_cost is None:
                raise InputError(
                    "abstain_cost is missing: events sent to a person cost that person's handling time; "
                    "give the handling cost per event in euros (30 s at 20 EUR/h is 0.1667)"
                )
            costs[ABSTAINED] = abstain_cost
        for name, value in costs.items():
            if not math.isfinite(value) or value < 0:
                raise InputError(f"the cost of {name.replace('_', ' ')} = {value:g} must be a number of 0 or more")
        p = np.array([self.shares[name].share for name in costs])
        scale = max(max(costs.values()), 1.0)  # costs in units of the largest: their squares cannot overflow
        c = np.array(list(costs.values())) / scale
        unit = float(p @ c)
        variance = max(float(p @ (c * c)) - unit * unit, 0.0) / self.effective_events
        expected, margin = unit * scale, z * math.sqrt(variance) * scale
        if not (math.isfinite(expected) and math.isfinite(expected + margin)):
            raise NoAnswerError("the expected error cost is too large to compute: the costs are beyond any real figure")
        return CostEstimate(expected, max(expected - margin, 0.0), expected + margin)


@dataclass(frozen=True)
class CostEstimate:
    """An expected cost per event in euros with the low and high ends of its 95% interval."""

    value: float
    low: float
    high: float


def wilson(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion `successes / n` (n may be an effective size)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)  # exact at the ends, where rounding would miss them
    return (low, high)


LARGE_LOG = 200_000
"""Label logs longer than this are factorised with pandas (a hash table in C); shorter ones in Python, which
spares a workbook recalculation the 0.3 s of importing pandas."""


def _factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and the unique values in order of first appearance."""
    pd: Any = sys.modules.get("pandas")
    if pd is None and len(values) > LARGE_LOG:
        try:
            pd = importlib.import_module("pandas")
        except ImportError:
            pd = None
    if pd is not None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object)
    seen: dict[Any, int] = {}
    found = [
        -1 if v is None or (isinstance(v, float) and math.isnan(v)) else seen.setdefault(v, len(seen))
        for v in (values.tolist() if isinstance(values, np.ndarray) else values)
    ]
    uniques = np.empty(len(seen), dtype=object)
    uniques[:] = list(seen)
    return np.asarray(found, dtype=np.intp), uniques


def _parts(
    uniques: np.ndarray, separator: str, clean: bool, name: str, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each unique label: its cleaned route and department, both as codes into shared tables."""
    routes: list[str | None] = []
    departments: list[str | None] = []
    for position, raw in enumerate(uniques):
        text = None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
        if text is not None and clean:
            text = separator.join(part.strip() for part in text.strip().casefold().split(separator))
        if not text:
            routes.append(None)
            departments.append(None)
            continue
        department, has_subclass, subclass = text.partition(separator)
        if not department or (has_subclass and not subclass):
            row = int(np.flatnonzero(codes == position)[0])
            raise InputError(
                f"{name} row {row + 1} = {raw!r} is malformed: a label is a department, or department"
                f"{separator}subclass, with neither part empty"
            )
        routes.append(text)
        departments.append(department)
    return np.asarray(routes, dtype=object), np.asarray(departments, dtype=object)


def _labels(name: str, values: Sequence[Any] | np.ndarray) -> Any:
    """A 1-D column of labels: a pandas Series stays one (its string storage factorizes fastest)."""
    arr: Any = values
    if not (getattr(values, "ndim", None) == 1 and hasattr(values, "to_numpy")):
        arr = np.asarray(values, dtype=object).reshape(-1)
    if len(arr) == 0:
        raise InputError(f"{name} is empty: give one label per event")
    return arr


def route_buckets(
    true_labels: Sequence[Any] | np.ndarray,
    predicted_labels: Sequence[Any] | np.ndarray,
    separator: str = "/",
    weights: Sequence[float] | np.ndarray | None = None,
    abstain: str | None = None,
    priors: Mapping[str, float] | None = None,
    clean: bool = True,
    confidence_z: float = Z_95,
    names: tuple[str, str] = ("true_labels", "predicted_labels"),
) -> BucketShares:
    """Bucket shares of a log of (true, predicted) label pairs, with Wilson intervals.

    ``weights`` weight each row; ``priors`` reweight the log's mix of true departments (or
    of true routes, when every key holds the separator) to production shares; rows whose
    prediction equals ``abstain`` count in an extra bucket, "abstained" (sent to a human).
    """
    if not separator:
        raise InputError("separator is empty: give the character between department and subclass, such as /")
    if abstain is not None and not isinstance(abstain, str):
        raise InputError(f"abstain = {abstain!r} is not text: give the prediction meaning 'sent to a person'")
    true_name, predicted_name = names
    true = _labels(true_name, true_labels)
    predicted = _labels(predicted_name, predicted_labels)
    size = _same_length(true, predicted, names)
    row_weights = _weights(weights, size)
    abstain_key = None if abstain is None else (abstain.strip().casefold() if clean else abstain)
    true_codes, true_uniques = _factorize(true)
    pred_codes, pred_uniques = _factorize(predicted)
    true_routes, true_departments = _parts(true_uniques, separator, clean, true_name, true_codes)
    pred_routes, pred_departments = _parts(pred_uniques, separator, clean, predicted_name, pred_codes)
    is_abstain = np.asarray([r is not None and r == abstain_key for r in pred_routes], dtype=bool)
    # shared code tables, so routes and departments compare as integers
    route_table = {r: k for k, r in enumerate(sorted({r for r in [*true_routes, *pred_routes] if r is not None}))}
    dept_table = {
        d: k for k, d in enumerate(sorted({d for d in [*true_departments, *pred_departments] if d is not None}))
    }

    def lookup(values: np.ndarray, table: dict[str, int]) -> np.ndarray:
        return np.asarray([table.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)

    def per_row(codes: np.ndarray, per_unique: np.ndarray) -> np.ndarray:
        return (
            np.where(codes >= 0, per_unique[np.maximum(codes, 0)], -1) if per_unique.size else np.full(codes.size, -1)
        )

    t_route = per_row(true_codes, lookup(true_routes, route_table))
    t_dept = per_row(true_codes, lookup(true_departments, dept_table))
    p_route = per_row(pred_codes, lookup(pred_routes, route_table))
    p_dept = per_row(pred_codes, lookup(pred_departments, dept_table))
    p_abstain = (
        np.where(pred_codes >= 0, is_abstain[np.maximum(pred_codes, 0)], False)
        if is_abstain.size
        else np.zeros(size, bool)
    )
    counted = (t_route >= 0) & ((p_route >= 0) | p_abstain)
    if priors is not None:
        row_weights = row_weights * _prior_weights(
            priors, separator, clean, t_route, t_dept, counted, route_table, dept_table
        )
    bucket = np.full(size, -1, dtype=np.int64)
    bucket[counted & (t_dept != p_dept)] = 2
    bucket[counted & (t_dept == p_dept)] = 1
    bucket[counted & (t_route == p_route)] = 0
    bucket[counted & p_abstain] = 3
    result = _shares(bucket, row_weights, counted, abstain is not None, confidence_z, int(size - counted.sum()))
    strangers = counted & ~p_abstain & (p_dept >= 0) & ~np.isin(p_dept, np.unique(t_dept[t_dept >= 0]))
    if strangers.any():
        route_of = {k: r for r, k in route_table.items()}
        codes, counts = np.unique(p_route[strangers], return_counts=True)
        unknown = {route_of[int(k)]: int(n) for k, n in zip(codes, counts, strict=True)}
        return replace(result, unknown_predictions=unknown)
    return result


def _same_length(true: Any, predicted: Any, names: tuple[str, str] = ("true_labels", "predicted_labels")) -> int:
    if len(true) != len(predicted):
        raise InputError(
            f"{names[0]} has {len(true)} rows but {names[1]} has {len(predicted)}: give one pair per event"
        )
    return len(true)


def _weights(weights: Sequence[float] | np.ndarray | None, size: int) -> np.ndarray:
    if weights is None:
        return np.ones(size)
    try:
        arr = np.asarray(weights, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("weights must be numbers, one per event") from None
    if arr.size != size:
        raise InputError(f"weights has {arr.size} values but the log has {size} rows: give one weight per event")
    if not np.isfinite(arr).all() or (arr < 0).any():
        row = int(np.flatnonzero(~np.isfinite(arr) | (arr < 0))[0])
        shown = "empty" if np.isnan(arr[row]) else f"= {float(arr[row]):g}"
        raise InputError(f"weights row {row + 1} {shown}: every weight must be a number of 0 or more")
    with np.errstate(over="ignore"):
        if not (math.isfinite(float(arr.sum())) and math.isfinite(float((arr * arr).sum()))):
            raise InputError("weights are too large: their sum overflows; scale them down (only their ratios matter)")
    return arr


def _prior_weights(
    priors: Mapping[str, float],
    separator: str,
    clean: bool,
    t_route: np.ndarray,
    t_dept: np.ndarray,
    counted: np.ndarray,
    route_table: dict[str, int],
    dept_table: dict[str, int],
) -> np.ndarray:
    """Per-row factor that turns the log's mix of true classes into the production mix."""
    keys = {(k.strip().casefold() if clean else k): float(v) for k, v in priors.items()}
    by_route = all(separator in k for k in keys)
    table, codes = (route_table, t_route) if by_route else (dept_table, t_dept)
    total = sum(keys.values())
    if total <= 0 or any(v < 0 or not math.isfinite(v) for v in keys.values()):
        raise InputError("priors must be shares of 0 or more that add up to more than 0")
    target = np.zeros(len(table))
    for key, value in keys.items():
        if key not in table:
            raise InputError(f"priors name {key!r}, which never occurs as a true label in the log")
        target[table[key]] = value / total
    observed = np.bincount(codes[counted], minlength=len(table)).astype(float)
    observed /= max(observed.sum(), 1.0)
    factor = np.divide(target, observed, out=np.zeros_like(target), where=observed > 0)
    return np.where(codes >= 0, factor[np.maximum(codes, 0)], 0.0)


def _shares(
    bucket: np.ndarray, weights: np.ndarray, counted: np.ndarray, with_abstain: bool, z: float, skipped: int
) -> BucketShares:
    names = [*BUCKETS, ABSTAINED] if with_abstain else list(BUCKETS)
    w = np.where(counted, weights, 0.0)
    totals = np.bincount(np.where(counted, bucket, 0), weights=w, minlength=4)[: len(names)]
    weight = float(w.sum())
    if weight <= 0:
        raise InputError("no event left to count: every row misses a label or weighs 0")
    effective = weight * weight / float((w * w).sum())
    shares = {}
    for name, total in zip(names, totals, strict=True):
        share = float(total / weight)
        low, high = wilson(share * effective, effective, z)
        shares[name] = Share(share, low, high)
    return BucketShares(shares, int(counted.sum()), weight, effective, skipped)


def confusion_matrix(
    true_labels: Sequence[Any] | np.ndarray,
    predicted_labels: Sequence[Any] | np.ndarray,
    level: str = "route",
    separator: str = "/",
    weights: Sequence[float] | np.ndarray | None = None,
    clean: bool = True,
) -> Any:
    """A labelled confusion matrix (pandas DataFrame): rows true class, columns predicted class.

    ``level`` is "route" (full labels) or "department". Rows and columns list the same
    classes, sorted, so the matrix goes straight into `expected_error_cost` with a cost
    matrix of the same labels.
    """
    import pandas as pd

    if level not in ("route", "department"):
        raise InputError(f"level = {level!r}: use 'route' or 'department'")
    true, predicted = _labels("true_labels", true_labels), _labels("predicted_labels", predicted_labels)
    size = _same_length(true, predicted)
    row_weights = _weights(weights, size)
    columns = []
    for name, values in (("true_labels", true), ("predicted_labels", predicted)):
        codes, uniques = _factorize(values)
        routes, departments = _parts(uniques, separator, clean, name, codes)
        per_unique = routes if level == "route" else departments
        columns.append(np.where(codes >= 0, per_unique[np.maximum(codes, 0)], None))
    keep = np.asarray([t is not None and p is not None for t, p in zip(*columns, strict=True)], dtype=bool)
    classes = sorted({c for c in columns[0][keep]} | {c for c in columns[1][keep]})
    frame = pd.crosstab(
        pd.Categorical(columns[0][keep], categories=classes),
        pd.Categorical(columns[1][keep], categories=classes),
        values=row_weights[keep],
        aggfunc="sum",
        dropna=False,
    ).fillna(0.0)
    frame.index.name, frame.columns.name = "true", "predicted"
    return frame


def bucket_cost_matrix(
    classes: Sequence[str], cost_wrong_subclass: float, cost_wrong_department: float, separator: str = "/"
) -> np.ndarray:
    """The cost matrix of route classes whose cost depends only on the bucket (0 on the diagonal)."""
    departments = np.asarray([c.partition(separator)[0] for c in classes], dtype=object)
    same_department = departments[:, None] == departments[None, :]
    costs = np.where(same_department, cost_wrong_subclass, cost_wrong_department).astype(float)
    np.fill_diagonal(costs, 0.0)
    return costs
