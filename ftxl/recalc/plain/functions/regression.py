"""Excel's least-squares functions: SLOPE, INTERCEPT, FORECAST (and FORECAST.LINEAR), RSQ, CORREL, PEARSON,
STEYX, COVAR, COVARIANCE.P, COVARIANCE.S, LINEST and TREND.

The paired functions (SLOPE ... COVARIANCE.S) read two ranges of the same number of cells (#N/A otherwise) and
keep the pairs in which both cells hold numbers; a spread of zero is #DIV/0!. LINEST and TREND fit several
variables: every cell must hold a number (#VALUE!), the shapes must fit together (#REF!), and a column of
x-values that cannot be told from the constant (all equal, or all zero without a constant) gets the
coefficient 0, as Excel removes it. Other collinear columns, and the statistics of a fit from which a column was
removed or that has no degree of freedom left, are left to another engine (Excel's figures there follow rules
of its own).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...values import (
    DIV0,
    MISSING,
    NA,
    NUM,
    REF,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    as_grid,
    direct,
    finite,
    number,
    truth,
)
from .spec import Library

FUNCTIONS = Library()


def pairs(ys: Value, xs: Value) -> tuple[list[float], list[float]] | CellError:
    """The (y, x) pairs in which both cells hold a number, in reading order; #N/A when the two differ in size."""
    y_values, x_values = list(as_grid(ys).values()), list(as_grid(xs).values())
    if len(y_values) != len(x_values):
        return NA
    kept_y, kept_x = [], []
    for y, x in zip(y_values, x_values, strict=True):
        if type(y) is CellError:
            return y
        if type(x) is CellError:
            return x
        if type(y) is float and type(x) is float:
            kept_y.append(y)
            kept_x.append(x)
    return kept_y, kept_x


def _moments(ys: list[float], xs: list[float]) -> tuple[float, float, float, float, float]:
    """(mean x, mean y, Sxx, Syy, Sxy): the sums of squared and crossed deviations from the means."""
    n = len(xs)
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    return (
        mean_x,
        mean_y,
        math.fsum(d * d for d in dx),
        math.fsum(d * d for d in dy),
        math.fsum(a * b for a, b in zip(dx, dy, strict=True)),
    )


def _paired(
    least: int, statistic: Callable[[int, tuple[float, float, float, float, float]], float | CellError]
) -> Callable[[Value, Value], Value]:
    """A function of two ranges through their moments; fewer than `least` pairs is #DIV/0!."""

    def call(ys: Value, xs: Value) -> Value:
        found = pairs(ys, xs)
        if isinstance(found, CellError):
            return found
        if len(found[0]) < max(least, 1):
            return DIV0
        result = statistic(len(found[0]), _moments(*found))
        return result if isinstance(result, CellError) else finite(result)

    return call


def _slope(n: int, m: tuple[float, float, float, float, float]) -> float | CellError:
    return DIV0 if m[2] == 0 else m[4] / m[2]


def _intercept(n: int, m: tuple[float, float, float, float, float]) -> float | CellError:
    return DIV0 if m[2] == 0 else m[1] - m[4] / m[2] * m[0]


def _correl(n: int, m: tuple[float, float, float, float, float]) -> float | CellError:
    return DIV0 if m[2] == 0 or m[3] == 0 else m[4] / math.sqrt(m[2] * m[3])


def _rsq(n: int, m: tuple[float, float, float, float, float]) -> float | CellError:
    r = _correl(n, m)
    return r if isinstance(r, CellError) else r * r


def _steyx(n: int, m: tuple[float, float, float, float, float]) -> float | CellError:
    if m[2] == 0:
        return DIV0
    return math.sqrt(max(m[3] - m[4] * m[4] / m[2], 0.0) / (n - 2))


FUNCTIONS.add("SLOPE", 2, 2, ranges=None, arrays=True)(_paired(2, _slope))
FUNCTIONS.add("INTERCEPT", 2, 2, ranges=None, arrays=True)(_paired(2, _intercept))
FUNCTIONS.add("RSQ", 2, 2, ranges=None, arrays=True)(_paired(2, _rsq))
FUNCTIONS.add("STEYX", 2, 2, ranges=None, arrays=True)(_paired(3, _steyx))
for _name in ("CORREL", "PEARSON"):
    FUNCTIONS.add(_name, 2, 2, ranges=None, arrays=True)(_paired(2, _correl))
for _name in ("COVAR", "COVARIANCE.P"):
    FUNCTIONS.add(_name, 2, 2, ranges=None, arrays=True)(_paired(1, lambda n, m: m[4] / n))
FUNCTIONS.add("COVARIANCE.S", 2, 2, ranges=None, arrays=True)(_paired(2, lambda n, m: m[4] / (n - 1)))


def _forecast(x: Value, ys: Value, xs: Value) -> Value:
    """FORECAST(x, known_y's, known_x's): the straight line through the pairs, at x (at each of several x)."""
    found = pairs(ys, xs)
    if isinstance(found, CellError):
        error = found
        line: Callable[[Value], Value] = lambda at: error  # noqa: E731
    elif len(found[0]) < 2:
        line = lambda at: DIV0  # noqa: E731
    else:
        mean_x, mean_y, sxx, _, sxy = _moments(*found)

        def line(at: Value) -> Value:
            point = number(direct(at))
            if isinstance(point, CellError):
                return point
            return DIV0 if sxx == 0 else finite(mean_y + sxy / sxx * (point - mean_x))

    if isinstance(x, Grid):
        return Grid([[line(item) for item in row] for row in x.rows]) if x.shape != (1, 1) else line(x.first())
    return line(x)


for _name in ("FORECAST", "FORECAST.LINEAR"):
    FUNCTIONS.add(_name, 3, 3, ranges=(1, 2), arrays=True)(_forecast)


class _Fit:
    """A least-squares fit of y on k variables: `slopes` in the variables' order (0 for a removed one),
    `intercept`, and what the statistics need."""

    def __init__(self, y: np.ndarray, x: np.ndarray, constant: bool) -> None:
        self.y, self.x, self.constant = y, x, constant
        n, k = x.shape
        if constant:
            kept = [j for j in range(k) if np.ptp(x[:, j]) != 0]
        else:
            kept = [j for j in range(k) if np.any(x[:, j] != 0)]
        self.removed = len(kept) < k
        self.kept = kept
        self.slopes = np.zeros(k)
        mean_y = math.fsum(y) / n if constant else 0.0
        self.means = np.array([math.fsum(x[:, j]) / n for j in kept]) if constant else np.zeros(len(kept))
        self.design = x[:, kept] - self.means if kept else np.zeros((n, 0))
        if kept:
            if len(kept) == 1:  # one variable: Sxy / Sxx, as SLOPE computes it
                column = self.design[:, 0]
                target = y - mean_y
                self.slopes[kept[0]] = math.fsum(column * target) / math.fsum(column * column)
            else:
                solution, _, rank, _ = np.linalg.lstsq(self.design, y - mean_y, rcond=None)
                if rank < len(kept):
                    raise NotCoveredError("LINEST or TREND of collinear x-values (which one Excel removes is its own)")
                self.slopes[kept] = solution
        self.intercept = mean_y - float(np.dot(self.slopes[kept], self.means)) if constant else 0.0

    def at(self, x: np.ndarray) -> np.ndarray:
        """The fitted y for each row of x-values."""
        return x @ self.slopes + self.intercept

    def statistics(self) -> list[list[Value]]:
        """LINEST's rows 2 to 5: standard errors; R² and the standard error of y; F and the degrees of
        freedom; the regression and residual sums of squares."""
        n, k = self.x.shape
        df = n - len(self.kept) - (1 if self.constant else 0)
        if self.removed or df <= 0:
            raise NotCoveredError("LINEST statistics of a fit without degrees of freedom or with a column removed")
        fitted = self.at(self.x)
        residual = float(math.fsum((self.y - fitted) ** 2))
        centre = math.fsum(self.y) / n if self.constant else 0.0
        regression = float(math.fsum((fitted - centre) ** 2))
        if regression + residual == 0:
            raise NotCoveredError("LINEST statistics of a constant y")
        error_y = math.sqrt(residual / df)
        inverse = np.linalg.inv(self.design.T @ self.design)
        errors = error_y * np.sqrt(np.diag(inverse))
        if self.constant:
            intercept_error: Value = error_y * math.sqrt(1 / n + float(self.means @ inverse @ self.means))
        else:
            intercept_error = NA
        f: Value = NUM if residual == 0 else (regression / len(self.kept)) / (residual / df)
        padding: list[Value] = [NA] * (k - 1)
        return [
            [float(e) for e in errors[::-1]] + [intercept_error],
            [regression / (regression + residual), error_y, *padding],
            [f, float(df), *padding],
            [regression, residual, *padding],
        ]


def number_rows(value: Value) -> list[list[float]] | CellError:
    """The rows of a range or array that holds a number in every cell; else its first error, or #VALUE! (for
    an empty cell, text or a logical)."""
    grid = as_grid(value)
    for item in grid.values():
        if type(item) is CellError:
            return item
        if type(item) is not float:
            return VALUE
    return grid.rows  # type: ignore[return-value]


def _numbers(value: Value) -> np.ndarray | CellError:
    """`number_rows` as a matrix."""
    rows = number_rows(value)
    return rows if isinstance(rows, CellError) else np.array(rows, dtype=float)


def _option(value: Value, default: bool) -> bool | CellError:
    value = value.first() if isinstance(value, Grid) else value
    return default if value is MISSING else truth(direct(value))


def _fit(ys: Value, xs: Value, constant: Value) -> tuple[_Fit, bool] | CellError:
    """The fit of known_y's on known_x's (its `x`: the x-values as one row per observation), and whether the
    observations run along a row. Shapes are checked before values: a misfit is #REF! even where a cell is empty."""
    height, width = as_grid(ys).shape
    by_row = height == 1 and width > 1
    observations = height * width
    if xs is not MISSING:
        rows, columns = as_grid(xs).shape
        if height > 1 and width > 1:  # a block of y-values: one variable, the same block of x-values
            misfit = (rows, columns) != (height, width)
        else:
            misfit = (columns if by_row else rows) != observations
        if misfit:
            return REF
    y = _numbers(ys)
    if isinstance(y, CellError):
        return y
    if xs is MISSING:
        x = np.arange(1.0, observations + 1).reshape(-1, 1)
    else:
        given = _numbers(xs)
        if isinstance(given, CellError):
            return given
        x = given.reshape(-1, 1) if height > 1 and width > 1 else (given.T if by_row else given)
    with_constant = _option(constant, True)
    if isinstance(with_constant, CellError):
        return with_constant
    return _Fit(y.reshape(-1), x, with_constant), by_row


@FUNCTIONS.add("LINEST", 1, 4, ranges=(0, 1), arrays=True)
def xl_linest(ys: Value, xs: Value = MISSING, constant: Value = MISSING, stats: Value = MISSING) -> Value:
    """LINEST(known_y's, [known_x's], [const], [stats]): the slopes (last variable first) and the intercept,
    with four rows of statistics below when `stats` is TRUE."""
    fit = _fit(ys, xs, constant)
    if isinstance(fit, CellError):
        return fit
    model = fit[0]
    with_stats = _option(stats, False)
    if isinstance(with_stats, CellError):
        return with_stats
    rows: list[list[Value]] = [[float(m) for m in model.slopes[::-1]] + [model.intercept]]
    if with_stats:
        rows += model.statistics()
    return Grid([[finite(item) if isinstance(item, float) else item for item in row] for row in rows])


@FUNCTIONS.add("TREND", 1, 4, ranges=(0, 1, 2), arrays=True)
def xl_trend(ys: Value, xs: Value = MISSING, new_xs: Value = MISSING, constant: Value = MISSING) -> Value:
    """TREND(known_y's, [known_x's], [new_x's], [const]): the fitted line (or plane) at the new x-values,
    the known ones by default."""
    fit = _fit(ys, xs, constant)
    if isinstance(fit, CellError):
        return fit
    model, by_row = fit
    variables = model.x.shape[1]
    if new_xs is MISSING:  # the known x-values, laid out as the y-values (one variable) or along them
        points = model.x
        if variables == 1:
            shape = as_grid(ys if xs is MISSING else xs).shape
        else:
            shape = (1, len(points)) if by_row else (len(points), 1)
    else:
        new = _numbers(new_xs)
        if isinstance(new, CellError):
            return new
        if variables == 1:
            points, shape = new.reshape(-1, 1), new.shape
        elif by_row:
            if new.shape[0] != variables:
                return REF
            points, shape = new.T, (1, new.shape[1])
        else:
            if new.shape[1] != variables:
                return REF
            points, shape = new, (new.shape[0], 1)
    fitted = [finite(float(v)) for v in model.at(points)]
    height, width = shape
    return Grid([fitted[r * width : (r + 1) * width] for r in range(height)])
