"""Turning user input into validated float arrays, with messages a finance user can act on.

Every check raises `InputError` whose message names the argument, the offending
value (and its position, for arrays) and the rule it breaks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import InputError, NoAnswerError

SUM_TOLERANCE = 1e-9
"""Slack for sums of shares: 0.8 + 0.15 + 0.05 is 1.0000000000000002 in floating point."""


def show(value: Any) -> str:
    """A number as a user would type it: 95, 0.97, 1e-05."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.15g}"
    return repr(str(value)) if isinstance(value, str) else str(value)


def position(name: str, shape: tuple[int, ...], flat_index: int) -> str:
    """Where an element sits, in words: "costs (item 2 of 3)", "rates (row 2, column 1)"."""
    if len(shape) == 0:
        return name
    if len(shape) == 2 and shape[0] > 1 and shape[1] > 1:
        row, column = divmod(flat_index, shape[1])
        return f"{name} (row {row + 1}, column {column + 1})"
    return f"{name} (item {flat_index + 1} of {math.prod(shape)})"


def _where(name: str, arr: np.ndarray, mask: np.ndarray) -> tuple[str, Any]:
    """The label and value of the first element of `arr` selected by `mask`."""
    if arr.ndim == 0:
        return name, arr.item()
    flat_index = int(np.flatnonzero(mask)[0])
    return position(name, arr.shape, flat_index), arr.reshape(-1)[flat_index].item()


Numbers = float | np.ndarray
"""A checked argument: a plain float for a single number (the fast path), else a float array."""


def number(name: str, value: Any) -> Numbers:
    """`value` as a float or float array; rejects empty, NaN, infinite, boolean and non-numeric input."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        try:
            number_ = float(value)
        except OverflowError:
            raise InputError(
                f"{name} has {len(str(abs(value)))} digits, too large: every input must be finite"
            ) from None
        if math.isfinite(number_):
            return number_
        problem = "is not a number (NaN)" if math.isnan(number_) else "is infinite"
        raise InputError(f"{name} {problem}: every input must be a finite number")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise InputError(f"{name} must be a number or a rectangular range of numbers ({exc})") from None
    kind = arr.dtype.kind
    if kind not in "fiu" or isinstance(value, (list, tuple)):
        _reject_non_numeric(name, np.asarray(value, dtype=object))  # numpy reads True in a list as 1 or 1.0
    if arr.size == 0:
        raise InputError(f"{name} is empty: it needs at least one number")
    if kind != "f":
        try:
            arr = arr.astype(float)
        except OverflowError:
            raise InputError(f"{name} holds a number too large for the model: every input must be finite") from None
    finite = np.isfinite(arr)
    if not finite.all():
        label, bad = _where(name, arr, ~finite)
        rule = "is not a number (NaN)" if np.isnan(bad) else "is infinite"
        raise InputError(f"{label} {rule}: every input must be a finite number")
    return arr


def _reject_non_numeric(name: str, arr: np.ndarray) -> None:
    """Raise the message for the first cell of `arr` that is not a plain number."""
    for flat_index, item in enumerate(arr.reshape(-1)):
        if item is None:
            problem = "is empty: type a number (0 if it really is zero)"
        elif isinstance(item, (bool, np.bool_)):
            problem = f"is {item}, a yes/no value: type a number"
        elif isinstance(item, (int, float, np.integer, np.floating)):
            continue
        else:
            problem = f"= {show(item)} is not a number"
        raise InputError(f"{position(name, arr.shape, flat_index)} {problem}")
    if arr.size == 0:
        raise InputError(f"{name} is empty: it needs at least one number")


def _first_violation(name: str, arr: Numbers, broken: Any) -> tuple[str, float] | None:
    """Label and value of the first element breaking a rule (`broken` is a mask, or a bool for a float)."""
    if isinstance(arr, float):
        return (name, arr) if broken else None
    return _where(name, arr, broken) if broken.any() else None


def fraction(name: str, value: Any) -> Numbers:
    """A share, rate or accuracy: a number in [0, 1]."""
    return within_unit_interval(name, number(name, value))


def non_negative(name: str, value: Any) -> Numbers:
    """A volume, duration, wage, cost or investment: a number >= 0."""
    return not_negative(name, number(name, value))


def positive(name: str, value: Any) -> Numbers:
    """A count the model divides by: a number > 0."""
    arr = number(name, value)
    violation = _first_violation(name, arr, arr <= 0)
    if violation:
        raise InputError(f"{violation[0]} = {show(violation[1])} must be greater than 0: the model divides by it")
    return arr


def within_unit_interval(name: str, arr: Numbers) -> Numbers:
    """Require an already checked number to lie in [0, 1]."""
    violation = _first_violation(name, arr, (arr < 0) | (arr > 1))
    if violation:
        label, bad = violation
        hint = f"; for {show(bad)}% type {show(bad / 100)} (or {show(bad)}% in Excel)" if 1 < bad <= 100 else ""
        raise InputError(f"{label} = {show(bad)} is outside [0, 1]: it is a share, not a percentage{hint}")
    return arr


def not_negative(name: str, arr: Numbers) -> Numbers:
    """Require an already checked number to be 0 or more."""
    violation = _first_violation(name, arr, arr < 0)
    if violation:
        raise InputError(f"{violation[0]} = {show(violation[1])} is negative: it must be 0 or more")
    return arr


def at_most(name: str, arr: Numbers, bound_name: str, bound: Numbers) -> None:
    """Require `arr <= bound` element-wise (after broadcasting)."""
    if isinstance(arr, float) and isinstance(bound, float):
        if arr > bound:
            raise InputError(f"{name} {show(arr)} exceeds {bound_name} {show(bound)}")
        return
    try:
        above = np.asarray(arr > bound)
    except ValueError:
        raise InputError(shape_message({name: arr, bound_name: bound})) from None
    if above.any():
        a, b = np.broadcast_arrays(arr, bound)
        label, bad = _where(name, a, above)
        bound_label, limit = _where(bound_name, b, above) if np.ndim(bound) else (bound_name, b.item(0))
        raise InputError(f"{label} {show(bad)} exceeds {bound_label} {show(limit)}")


def shares_sum(name: str, shares: np.ndarray) -> None:
    """Require the bucket shares along the last axis to add up to at most 1."""
    totals = shares.sum(axis=-1)
    over = totals > 1 + SUM_TOLERANCE
    if np.any(over):
        label, bad = _where(name, np.asarray(totals), np.asarray(over))
        raise InputError(f"the shares in {label} add up to {show(bad)}: bucket shares can add up to at most 1")


def shape_message(arrays: Mapping[str, Numbers]) -> str:
    """The message for arguments whose shapes cannot be combined."""
    shapes = ", ".join(f"{n} {'x'.join(map(str, np.shape(a))) or 'scalar'}" for n, a in arrays.items())
    return f"the shapes of {shapes} do not fit together: give single values or ranges of the same shape"


def same_shape(**arrays: Numbers) -> None:
    """Require the arguments to broadcast against each other, naming them when they do not."""
    if all(isinstance(a, float) for a in arrays.values()):
        return
    try:
        np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        raise InputError(shape_message(arrays)) from None


def result(value: Numbers, infinite_means: str | None = None) -> Any:
    """A float for scalar input, the array otherwise.

    A single result that overflowed (inputs near the largest float) raises NoAnswerError, unless
    infinity is an answer of the function's own (`infinite_means`, e.g. "never" for a break-even).
    In an array such an element stays infinite, and the Excel functions show it as #NUM!.
    """
    if isinstance(value, float) or value.ndim == 0:
        single = float(value)  # also turns a numpy float64 into a plain float
        if infinite_means is None and not math.isfinite(single):
            raise NoAnswerError("the result is too large to compute: the inputs are beyond any realistic figure")
        return single
    return value
