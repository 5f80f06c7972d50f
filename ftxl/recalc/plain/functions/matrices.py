"""Excel's matrix functions and sums of paired squares: MMULT, MINVERSE, MDETERM, MUNIT, SUMX2MY2, SUMX2PY2 and
SUMXMY2.

A matrix argument must hold a number in every cell (an empty cell, text or a logical is #VALUE!; an error is
that error) and have the shape the function needs (#VALUE!). MMULT adds its products one by one in order, as
Excel does; MINVERSE and MDETERM go through numpy's LU factorisation (Excel documents MDETERM's accuracy as
about 16 digits). A matrix too close to singular for the digits to settle is left to another engine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...values import DIV0, NUM, VALUE, CellError, Grid, NotCoveredError, Value, finite
from .maths import whole_argument
from .regression import number_rows, pairs
from .spec import Library

FUNCTIONS = Library()

CONDITION_LIMIT = 1e12
"""A matrix whose condition number passes this has an inverse whose last digits depend on the method."""


def _checked(rows: list[list[float]]) -> Value:
    out: list[list[Value]] = [[finite(float(v)) for v in row] for row in rows]
    return Grid(out)


@FUNCTIONS.add("MMULT", 2, 2, ranges=None, arrays=True)
def xl_mmult(first: Value, second: Value) -> Value:
    """MMULT(array1, array2): the matrix product; the columns of the first must be the rows of the second."""
    a, b = number_rows(first), number_rows(second)
    if isinstance(a, CellError):
        return a
    if isinstance(b, CellError):
        return b
    if len(a[0]) != len(b):
        return VALUE
    columns = list(zip(*b, strict=True))
    return _checked([[sum(x * y for x, y in zip(row, column, strict=True)) for column in columns] for row in a])


def _square(value: Value) -> np.ndarray | CellError:
    rows = number_rows(value)
    if isinstance(rows, CellError):
        return rows
    if len(rows) != len(rows[0]):
        return VALUE
    return np.array(rows, dtype=float)


@FUNCTIONS.add("MINVERSE", 1, 1, ranges=None, arrays=True)
def xl_minverse(array: Value) -> Value:
    """MINVERSE(array): the inverse of a square matrix; #NUM! when it has none."""
    matrix = _square(array)
    if isinstance(matrix, CellError):
        return matrix
    if np.linalg.det(matrix) == 0:
        return NUM
    if np.linalg.cond(matrix) > CONDITION_LIMIT:
        raise NotCoveredError("MINVERSE of a matrix close to singular")
    return _checked(np.linalg.inv(matrix).tolist())


@FUNCTIONS.add("MDETERM", 1, 1, ranges=None, arrays=True)
def xl_mdeterm(array: Value) -> Value:
    """MDETERM(array): the determinant of a square matrix."""
    matrix = _square(array)
    if isinstance(matrix, CellError):
        return matrix
    if matrix.shape[0] > 1 and np.linalg.cond(matrix) > CONDITION_LIMIT:
        raise NotCoveredError("MDETERM of a matrix close to singular (Excel's own rounding decides its last digits)")
    return finite(float(np.linalg.det(matrix)))


@FUNCTIONS.add("MUNIT", 1, 1)
def xl_munit(size: Value) -> Value:
    """MUNIT(dimension): the identity matrix of that size."""
    n = whole_argument(size)
    if isinstance(n, CellError):
        return n
    if n < 1:
        return VALUE
    if n > 1024:
        raise NotCoveredError("MUNIT larger than 1,024")
    return Grid([[1.0 if r == c else 0.0 for c in range(n)] for r in range(n)])


def _paired_sum(term: Callable[[float, float], float]) -> Callable[[Value, Value], Value]:
    """A sum over the pairs of two ranges of one size (#N/A otherwise) in which both cells hold numbers; #DIV/0!
    when no pair does."""

    def call(xs: Value, ys: Value) -> Value:
        found = pairs(xs, ys)
        if isinstance(found, CellError):
            return found
        if not found[0]:
            return DIV0
        return finite(sum(term(x, y) for x, y in zip(*found, strict=True)))

    return call


FUNCTIONS.add("SUMX2MY2", 2, 2, ranges=None, arrays=True)(_paired_sum(lambda x, y: x * x - y * y))
FUNCTIONS.add("SUMX2PY2", 2, 2, ranges=None, arrays=True)(_paired_sum(lambda x, y: x * x + y * y))
FUNCTIONS.add("SUMXMY2", 2, 2, ranges=None, arrays=True)(_paired_sum(lambda x, y: (x - y) ** 2))
