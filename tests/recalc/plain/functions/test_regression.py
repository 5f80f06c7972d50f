"""SLOPE, INTERCEPT, FORECAST, RSQ, CORREL, STEYX, COVARIANCE, LINEST and TREND in the plain engine, against
Excel's values: those saved in pycel's Excel-saved `tests/fixtures/stats.xlsx` (github.com/dgorissen/pycel,
read there: its GPL-3.0 licence keeps the file out of tests/corpus) and Microsoft's example for SLOPE."""

from __future__ import annotations

import math
import statistics

import pytest

from ftxl.recalc.values import CellError
from tests.helpers.plain_cells import calc, left_to_another_engine

# stats.xlsx: five observations in J3:N7, one row each
ROWS = {
    "J3": 1.0, "K3": 2.1, "L3": 3.1, "M3": 4.1, "N3": 5.1,
    "J4": -2.0, "K4": -4.0, "L4": -7.0, "M4": -9.0, "N4": -11.0,
    "J5": 1.0, "K5": 3.0, "L5": 6.0, "M5": 9.0, "N5": 12.0,
    "J6": 1.0, "K6": 1.0, "L6": 1.0, "M6": 1.0, "N6": 1.0,
    "J7": 0.0, "K7": 0.0, "L7": 0.0, "M7": 0.0, "N7": 0.0,
    "E2": 2.5, "F2": 3.5,
}  # fmt: skip


def close(actual: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-13)
    if isinstance(expected, CellError):
        return isinstance(actual, CellError) and actual.code == expected.code
    return actual == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SLOPE(J3:N3,J4:N4)", -0.44097744360902247),
        ("INTERCEPT(J3:N3,J4:N4)", 0.16954887218045211),
        ("FORECAST(E2,J3:N3,J4:N4)", -0.9328947368421041),
        ("SLOPE(J4:N4,J5:N5)", -0.8172588832487309),
        ("INTERCEPT(J4:N4,J5:N5)", -1.532994923857868),
        ("SLOPE(J5:N5,J6:N6)", CellError("#DIV/0!")),  # x-values all alike
        ("INTERCEPT(J3:N3,J7:N7)", CellError("#DIV/0!")),
        ("FORECAST(E2,J4:N4,J6:N6)", CellError("#DIV/0!")),
        ("SLOPE(J6:N6,J5:N5)", 0.0),  # y-values all alike
        ("INTERCEPT(J6:N6,J5:N5)", 1.0),
        ("SLOPE(J3:N3,J4:N5)", CellError("#N/A")),  # 5 and 10 cells
        ("INTERCEPT(J3:N3,K4:N4)", CellError("#N/A")),
        ("_xlfn.FORECAST.LINEAR(2.5,J3:N4,J5:N5)", CellError("#N/A")),
        ("SLOPE(J5:N5,J3:N3)", 2.740199846272099),
        ("INTERCEPT(J5:N5,J3:N3)", -2.2398155265180657),
    ],
)
def test_the_straight_line_through_pairs_is_excels(formula, expected):
    assert close(calc(formula, **ROWS)[0][0], expected)


Y, X = (2.0, 3.0, 9.0, 1.0, 8.0, 7.0, 5.0), (6.0, 5.0, 11.0, 7.0, 5.0, 4.0, 4.0)  # SLOPE's example: 0.305556


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SLOPE(A1:A7,B1:B7)", statistics.linear_regression(X, Y).slope),
        ("INTERCEPT(A1:A7,B1:B7)", statistics.linear_regression(X, Y).intercept),
        ("RSQ(A1:A7,B1:B7)", statistics.correlation(X, Y) ** 2),
        ("CORREL(A1:A7,B1:B7)", statistics.correlation(X, Y)),
        ("PEARSON(A1:A7,B1:B7)", statistics.correlation(X, Y)),
        ("_xlfn.COVARIANCE.S(A1:A7,B1:B7)", statistics.covariance(X, Y)),
        ("_xlfn.COVARIANCE.P(A1:A7,B1:B7)", statistics.covariance(X, Y) * 6 / 7),
        ("COVAR(A1:A7,B1:B7)", statistics.covariance(X, Y) * 6 / 7),
        (
            "STEYX(A1:A7,B1:B7)",
            math.sqrt(statistics.variance(Y) * 6 * (1 - statistics.correlation(X, Y) ** 2) / 5),
        ),
        (
            "FORECAST(30,A1:A7,B1:B7)",
            statistics.linear_regression(X, Y).intercept + 30 * statistics.linear_regression(X, Y).slope,
        ),
    ],
)
def test_the_paired_statistics_are_their_definitions(formula, expected):
    """Each against Python's `statistics` (an independent computation of the same definition); SLOPE also
    against Microsoft's example, 0.305556."""
    cells = {f"A{i + 1}": y for i, y in enumerate(Y)} | {f"B{i + 1}": x for i, x in enumerate(X)}
    (value,) = calc(formula, **cells)[0]
    assert math.isclose(value, expected, rel_tol=1e-12)
    assert round(calc("SLOPE(A1:A7,B1:B7)", **cells)[0][0], 6) == 0.305556


def test_pairs_with_text_or_an_empty_cell_are_left_out_and_an_error_is_the_answer():
    cells = {"A1": 1.0, "A2": 2.0, "A3": "x", "A4": 4.0, "B1": 2.0, "B2": 4.0, "B3": 5.0, "B5": 7.0}
    assert calc("SLOPE(A1:A5,B1:B5)", **cells) == [[0.5]]  # pairs 1-2, 2-4; "x" and the empties drop out
    assert calc("SLOPE(A1:A2,B1:B2)", A1=1.0, A2=CellError("#N/A"), B1=1.0, B2=2.0)[0][0].code == "#N/A"
    assert calc("SLOPE(A1:A1,B1:B1)", A1=1.0, B1=1.0)[0][0].code == "#DIV/0!"  # one pair


@pytest.mark.parametrize(
    ("formula", "box", "expected"),
    [
        ("LINEST(J3:N3,J4:N4)", "G3:H3", [[-0.4409774436090227, 0.16954887218045034]]),
        ("LINEST(J4:N4,J6:N6)", "G9:H9", [[0.0, -6.6]]),  # x all alike: removed, the mean is the intercept
        ("LINEST(J3:N3,J7:N7)", "G15:H15", [[0.0, 3.08]]),
        ("LINEST(J6:N6,J5:N5)", "G19:H19", [[0.0, 1.0]]),
        ("TREND(J3:N3,J4:N4,E2:F2)", "E3:F3", [[-0.9328947368421063, -1.3738721804511291]]),
        ("TREND(J5:N5,J6:N6,E2:F2)", "E5:F5", [[6.2, 6.2]]),
        ("TREND(J5:N5,J7:N7,E2)", "E10", [[6.2]]),
        (
            "LINEST(J3:N3,J4:N5,TRUE,FALSE)",
            "P10:R10",
            [[0.14374999999999988, -0.2669642857142858, 0.42678571428571443]],
        ),
        ("LINEST(J3:N3,J4:N5,FALSE,FALSE)", "P13:R13", [[-0.04435185185185171, -0.505648148148148, 0.0]]),
        ("TREND(J3:N3,J4:N5,2.5)", "P6", [[CellError("#REF!")]]),
        ("LINEST(J3:N4,J5:N7)", "P7", [[CellError("#REF!")]]),
        ("LINEST(J3:N3,K4:N4)", "R7", [[CellError("#REF!")]]),
        (
            "LINEST(J3:N3,J4:N4,,TRUE)",
            "Q16:R20",
            [
                [-0.4409774436090227, 0.16954887218045034],
                [0.01981575107847483, 0.14588484603131655],
                [0.9939787497182618, 0.1445327793643257],
                [495.2353929214176, 3.0],
                [10.345330827067666, 0.06266917293233057],
            ],
        ),
    ],
)
def test_linest_and_trend_fit_as_excel_does(formula, box, expected):
    actual = calc(formula, box, **ROWS)
    assert len(actual) == len(expected) and all(
        close(a, e) for row_a, row_e in zip(actual, expected, strict=True) for a, e in zip(row_a, row_e, strict=True)
    ), actual


LINE = {"B33": 1.0, "B34": 2.0, "B35": 3.0, "C33": 2.0, "C34": 3.0, "C35": 4.0}


def test_linest_statistics_with_and_without_a_constant():
    na, num = CellError("#N/A"), CellError("#NUM!")
    through_origin = calc("LINEST(B33:B35,C33:C35,FALSE,TRUE)", "D39:E43", **LINE)
    expected = [
        [0.6896551724137931, 0.0],
        [0.05972588991616814, na],
        [0.9852216748768473, 0.32163376045133824],
        [133.33333333333354, 2.0],
        [13.793103448275863, 0.20689655172413762],
    ]
    assert all(
        close(a, e) for ra, re in zip(through_origin, expected, strict=True) for a, e in zip(ra, re, strict=True)
    )
    exact = calc("LINEST(B33:B35,C33:C35,TRUE,TRUE)", "D45:E49", **LINE)  # an exact fit: F is #NUM!
    expected = [[1.0, -1.0], [0.0, 0.0], [1.0, 0.0], [num, 1.0], [2.0, 0.0]]
    assert all(close(a, e) for ra, re in zip(exact, expected, strict=True) for a, e in zip(ra, re, strict=True))


def test_linest_fits_a_polynomial_through_an_array_of_powers():
    xs = [float(x) for x in range(-6, 6)]
    ys = [0.4 * x * x - 0.2 * x + 1.1 + (0.1 if x == -3 else 0.0) for x in xs]
    cells = {f"A{i + 2}": x for i, x in enumerate(xs)} | {f"B{i + 2}": y for i, y in enumerate(ys)}
    (row,) = calc("LINEST(B2:B13,A2:A13^{1,2})", "B18:D18", **cells)
    expected = [0.3995754245754246, -0.20217282717282734, 1.1124125874125879]
    assert all(math.isclose(a, e, rel_tol=1e-9) for a, e in zip(row, expected, strict=True))
    empty_y = calc("LINEST(B2:B14,A2:A14^{1,2})", "B28", **cells)
    assert empty_y[0][0].code == "#VALUE!"  # B14 is empty
    assert calc("LINEST(B2:B14,A2:A13^{1,2})", "B29", **cells)[0][0].code == "#REF!"  # a misfit before values


def test_trend_without_x_values_counts_1_to_n():
    cells = {f"A{i + 2}": float(x) for i, x in enumerate(range(-6, 6))}
    assert calc("TREND(A2:A13)", "B2:B13", **cells) == [[x] for x in map(float, range(-6, 6))]
    assert calc("LINEST(A2:A13)", "B33:C33", **cells) == [[1.0, -7.0]]


def test_collinear_x_values_and_the_statistics_excel_computes_its_own_way_go_to_another_engine():
    cells = {"A1": 1.0, "A2": 2.0, "A3": 4.0, "A4": 3.0, "B1": 1.0, "B2": 2.0, "B3": 3.0, "B4": 5.0}
    cells |= {"C1": 2.0, "C2": 4.0, "C3": 6.0, "C4": 10.0}  # C is twice B
    assert "collinear" in left_to_another_engine("LINEST(A1:A4,B1:C4)", "D1:F1", **cells)
    flat = {"F16": 1.0, "F17": 2.0, "F18": 3.0, "G16": 2.0, "G17": 2.0, "G18": 2.0}
    assert "removed" in left_to_another_engine("LINEST(F16:F18,G16:G18,,TRUE)", "F21:G25", **flat)
