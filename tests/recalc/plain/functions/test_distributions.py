"""BINOM.DIST, POISSON.DIST, LOGNORM, GAMMA, BETA, CONFIDENCE, FISHER, ERF, GAUSS ... in the plain engine, against
Excel's values: every cell of IronCalc's Excel-saved test workbooks for them (tests/corpus/ironcalc, edge cases and
errors included), and Microsoft's documented examples for the t, chi-squared, F and Weibull distributions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.helpers.fidelity import compare
from tests.helpers.plain_cells import calc, left_to_another_engine

CORPUS = Path(__file__).parents[3] / "corpus" / "ironcalc"
WORKBOOKS = (
    "BINOM",
    "LOGNORM",
    "GAMMA",
    "BETADIST_BETAINV",
    "POISSON",
    "EXPONDIST",
    "CONFIDENCE",
    "FISHER_FISHERINV",
    "GAMMALN_GAMMALNPRECISE",
    "ERF",
    "ERF-PRECISE",
    "ERFC",
    "ERFC-PRECISE",
    "GAUSS",
)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_cell_of_excels_own_test_workbook_is_excels_and_computed_here(name):
    found = compare(CORPUS / f"{name}.xlsx")
    assert found.error is None and found.refused is None
    assert found.mismatches == []
    assert found.equal == found.cells > 30
    # the plain engine computes them: at most a cell with 2^31 trials or more goes to another engine
    assert found.engine == "plain" or ("IronCalc for" in found.engine and "2^31 trials" in found.engine), found.engine


@pytest.mark.parametrize(
    ("formula", "documented"),
    [  # Microsoft's support pages for each function, their example values (as many digits as shown)
        ("_xlfn.T.DIST(60,1,TRUE)", 0.99469533),
        ("_xlfn.T.DIST(8,3,FALSE)", 0.00073691),
        ("_xlfn.T.DIST.2T(1.959999998,60)", 0.054644930),
        ("_xlfn.T.DIST.RT(1.959999998,60)", 0.027322465),
        ("_xlfn.T.INV(0.75,2)", 0.8164966),
        ("_xlfn.T.INV.2T(0.546449,60)", 0.606533),
        ("TINV(0.05,10)", 2.228139),
        ("_xlfn.CHISQ.DIST(0.5,1,TRUE)", 0.52049988),
        ("_xlfn.CHISQ.DIST(2,3,FALSE)", 0.20755375),
        ("_xlfn.CHISQ.DIST.RT(18.307,10)", 0.0500006),
        ("CHIDIST(18.307,10)", 0.0500006),
        ("_xlfn.CHISQ.INV(0.6,2)", 1.832581464),
        ("_xlfn.CHISQ.INV.RT(0.050001,10)", 18.306973),
        ("_xlfn.F.DIST(15.2069,6,4,TRUE)", 0.99),
        ("_xlfn.F.DIST(15.2069,6,4,FALSE)", 0.0012238),
        ("_xlfn.F.DIST.RT(15.2068649,6,4)", 0.01),
        ("_xlfn.F.INV(0.01,6,4)", 0.10930991),
        ("_xlfn.F.INV.RT(0.01,6,4)", 15.206865),
        ("_xlfn.WEIBULL.DIST(105,20,100,TRUE)", 0.929581),
        ("_xlfn.WEIBULL.DIST(105,20,100,FALSE)", 0.035589),
        ("STANDARDIZE(42,40,1.5)", 1.33333333),
        ("_xlfn.PHI(0.75)", 0.301137432),
    ],
)
def test_the_documented_examples_come_out(formula, documented):
    (value,) = calc(formula)[0]
    assert isinstance(value, float)
    decimals = len(repr(documented).split(".")[1])
    assert abs(value - documented) <= 0.5 * 10.0**-decimals, (value, documented)  # what the page rounds to


def test_the_chi_squared_inverse_is_the_left_tail_quantile():
    """Microsoft's page shows 5.318520074 for CHISQ.INV(0.93,1), which is the 0.979 quantile: the square of the
    normal 0.965 quantile is 3.283020287, and CHISQ.DIST of that gives back 0.93."""
    (value,) = calc("_xlfn.CHISQ.INV(0.93,1)")[0]
    assert math.isclose(value, 3.283020287, rel_tol=1e-9)
    assert math.isclose(calc(f"_xlfn.CHISQ.DIST({value!r},1,TRUE)")[0][0], 0.93, rel_tol=1e-12)


def test_counts_past_two_to_the_31_go_to_another_engine():
    assert "2^31" in left_to_another_engine("_xlfn.BINOM.DIST(1E10,1E30,0.3,TRUE)")
    assert calc("_xlfn.BINOM.INV(100000,0.7,0.8)") == [[70122.0]]  # Excel's; a search, not 100,000 sums
