"""Excel's probability distributions beyond the normal one: BINOM.DIST, BINOM.DIST.RANGE, BINOM.INV, NEGBINOM.DIST,
POISSON.DIST, EXPON.DIST, LOGNORM.DIST, LOGNORM.INV, GAMMA.DIST, GAMMA.INV, GAMMA, GAMMALN(.PRECISE), BETA.DIST,
BETA.INV, CONFIDENCE.NORM, CONFIDENCE.T, FISHER, FISHERINV, ERF(.PRECISE), ERFC(.PRECISE), GAUSS, T.DIST (.RT, .2T),
T.INV (.2T), CHISQ.DIST (.RT), CHISQ.INV (.RT), F.DIST (.RT), F.INV (.RT), WEIBULL.DIST, STANDARDIZE, PHI (and
their pre-2010 names): the risk sheets of finance models (value at risk, default counts, Monte Carlo inputs).

The special functions (regularised incomplete gamma and beta, their inverses) come from scipy, imported on first use;
counts (trials, successes) are truncated to whole numbers, as Excel does, and a parameter outside the distribution's
domain is #NUM!. Counts past `LARGEST_COUNT` are left to another engine: Excel refuses some (BINOM.DIST of 1E30
trials) by limits it does not document.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...values import DIV0, NUM, CellError, NotCoveredError
from .maths import logical_at, numeric
from .spec import Library

FUNCTIONS = Library()

LARGEST_COUNT = 2.0**31
"""The largest number of trials or successes computed here (Excel's own limits past it are not documented)."""


def _special() -> Any:
    from scipy import special  # a quarter of a second, paid by the workbooks that use these functions only

    return special


def _count(value: float) -> int:
    """A number of trials or successes: truncated to a whole number, as Excel does (a negative one stays negative,
    so that the caller's check refuses it: POISSON.DIST(-1E-6, ...) is #NUM!)."""
    if abs(value) >= LARGEST_COUNT:
        raise NotCoveredError("a distribution over more than 2^31 trials (Excel's limits there are not documented)")
    return math.floor(value)


def _binomial_pmf(k: int, n: int, p: float) -> float:
    if p in (0.0, 1.0):
        return 1.0 if k == (0 if p == 0.0 else n) else 0.0
    if n <= EXACT_COMBINATIONS:
        return math.comb(n, k) * p**k * (1 - p) ** (n - k)
    special = _special()
    log = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    return math.exp(log + k * math.log(p) + (n - k) * math.log1p(-p))


EXACT_COMBINATIONS = 1000
"""Up to this many trials the number of combinations is exact (as Excel's small cases come out); past it, logs."""


def _binomial_cdf(k: int, n: int, p: float) -> float:
    if k >= n or p == 0.0:
        return 1.0
    if p == 1.0:
        return 0.0
    return float(_special().bdtr(k, n, p))


def _binom_dist(successes: float, trials: float, p: float, cumulative: float) -> float | CellError:
    k, n = _count(successes), _count(trials)
    if not 0 <= k <= n or not 0 <= p <= 1:
        return NUM
    return _binomial_cdf(k, n, p) if cumulative else _binomial_pmf(k, n, p)


def _binom_range(trials: float, p: float, first: float, last: float | None = None) -> float | CellError:
    n, s = _count(trials), _count(first)
    s2 = s if last is None else _count(last)
    if not 0 <= p <= 1 or not 0 <= s <= n or not s <= s2 <= n:
        return NUM
    below = _binomial_cdf(s - 1, n, p) if s > 0 else 0.0
    return _binomial_pmf(s, n, p) if s2 == s else _binomial_cdf(s2, n, p) - below


def _binom_inv(trials: float, p: float, alpha: float) -> float | CellError:
    n = _count(trials)
    if p == 0:
        raise NotCoveredError("BINOM.INV with a probability of 0")
    if n < 0 or not 0 < p < 1 or not 0 < alpha < 1:
        return NUM
    low, high = 0, n  # the smallest count whose cumulative probability reaches alpha
    while low < high:
        middle = (low + high) // 2
        if _binomial_cdf(middle, n, p) >= alpha:
            high = middle
        else:
            low = middle + 1
    return float(low)


def _negbinom_dist(failures: float, successes: float, p: float, cumulative: float) -> float | CellError:
    f, s = _count(failures), _count(successes)
    if f < 0 or s < 1 or not 0 < p < 1:
        return NUM
    if cumulative:
        return float(_special().betainc(s, f + 1, p))
    if f + s <= EXACT_COMBINATIONS:
        return math.comb(f + s - 1, s - 1) * p**s * (1 - p) ** f
    special = _special()
    log = special.gammaln(f + s) - special.gammaln(s) - special.gammaln(f + 1)
    return math.exp(log + s * math.log(p) + f * math.log1p(-p))


def _poisson_dist(x: float, mean: float, cumulative: float) -> float | CellError:
    k = _count(x)
    if k < 0 or mean < 0:
        return NUM
    if cumulative:
        return 1.0 if mean == 0 else float(_special().pdtr(k, mean))
    if mean == 0:
        return 1.0 if k == 0 else 0.0
    return math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))


def _expon_dist(x: float, rate: float, cumulative: float) -> float | CellError:
    if x < 0 or rate <= 0:
        return NUM
    return -math.expm1(-rate * x) if cumulative else rate * math.exp(-rate * x)


def _lognorm_dist(x: float, mean: float, deviation: float, cumulative: float = 1.0) -> float | CellError:
    if x <= 0 or deviation <= 0:
        return NUM
    z = (math.log(x) - mean) / deviation
    if cumulative:
        return 0.5 * math.erfc(-z / math.sqrt(2))
    return math.exp(-z * z / 2) / (x * deviation * math.sqrt(2 * math.pi))


def _lognorm_inv(p: float, mean: float, deviation: float) -> float | CellError:
    if not 0 < p < 1 or deviation <= 0:
        return NUM
    return math.exp(mean + deviation * float(_special().ndtri(p)))


def _gamma_dist(x: float, alpha: float, beta: float, cumulative: float) -> float | CellError:
    if x < 0 or alpha <= 0 or beta <= 0:
        return NUM
    if cumulative:
        return float(_special().gammainc(alpha, x / beta))
    if x == 0:
        return (1 / beta if alpha == 1 else 0.0) if alpha >= 1 else NUM
    return math.exp((alpha - 1) * math.log(x) - x / beta - math.lgamma(alpha) - alpha * math.log(beta))


def _gamma_inv(p: float, alpha: float, beta: float) -> float | CellError:
    if not 0 <= p < 1 or alpha <= 0 or beta <= 0:
        return NUM
    return beta * float(_special().gammaincinv(alpha, p))


def _gamma(x: float) -> float | CellError:
    if x <= 0 and x == math.floor(x):
        return NUM
    return math.gamma(x)


def _gammaln(x: float) -> float | CellError:
    return NUM if x <= 0 else math.lgamma(x)


def _beta_dist(
    x: float, alpha: float, beta: float, cumulative: float, lower: float = 0.0, upper: float = 1.0
) -> float | CellError:
    if alpha <= 0 or beta <= 0 or not lower <= x <= upper or lower == upper:
        return NUM
    scaled = (x - lower) / (upper - lower)
    if cumulative:
        return float(_special().betainc(alpha, beta, scaled))
    if (scaled == 0 and alpha < 1) or (scaled == 1 and beta < 1):
        return NUM
    special = _special()
    log = special.xlogy(alpha - 1, scaled) + special.xlog1py(beta - 1, -scaled) - special.betaln(alpha, beta)
    return math.exp(log) / (upper - lower)


def _beta_inv(p: float, alpha: float, beta: float, lower: float = 0.0, upper: float = 1.0) -> float | CellError:
    if not 0 < p < 1 or alpha <= 0 or beta <= 0 or lower >= upper:
        return NUM
    return lower + (upper - lower) * float(_special().betaincinv(alpha, beta, p))


def _confidence_norm(alpha: float, deviation: float, size: float) -> float | CellError:
    n = _count(size)
    if not 0 < alpha < 1 or deviation <= 0 or n < 1:
        return NUM
    return float(_special().ndtri(1 - alpha / 2)) * deviation / math.sqrt(n)


def _confidence_t(alpha: float, deviation: float, size: float) -> float | CellError:
    n = _count(size)
    if not 0 < alpha < 1 or deviation <= 0 or n < 1:
        return NUM
    if n == 1:
        return DIV0
    return float(_special().stdtrit(n - 1, 1 - alpha / 2)) * deviation / math.sqrt(n)


def _fisher(x: float) -> float | CellError:
    return math.atanh(x) if -1 < x < 1 else NUM


def _erf(lower: float, upper: float | None = None) -> float:
    return math.erf(lower) if upper is None else math.erf(upper) - math.erf(lower)


def _gauss(z: float) -> float:
    return 0.5 * math.erf(z / math.sqrt(2))


def _freedom(degrees: float) -> int:
    """Degrees of freedom: truncated to a whole number; below 1 is #NUM! (raised as ValueError, which `numeric`
    turns into #NUM!)."""
    whole = _count(degrees)
    if whole < 1:
        raise ValueError("degrees of freedom")
    return whole


def _t_dist(x: float, degrees: float, cumulative: float) -> float | CellError:
    n = _freedom(degrees)
    if cumulative:
        return float(_special().stdtr(n, x))
    return math.exp(math.lgamma((n + 1) / 2) - math.lgamma(n / 2) - (n + 1) / 2 * math.log1p(x * x / n)) / math.sqrt(
        n * math.pi
    )


def _t_dist_rt(x: float, degrees: float) -> float | CellError:
    return float(_special().stdtr(_freedom(degrees), -x))


def _t_dist_2t(x: float, degrees: float) -> float | CellError:
    return NUM if x < 0 else 2 * float(_special().stdtr(_freedom(degrees), -x))


def _tdist(x: float, degrees: float, tails: float) -> float | CellError:
    """TDIST, before 2010: the right tail (tails 1) or both tails (2) beyond x, which must be 0 or more."""
    if x < 0 or math.trunc(tails) not in (1, 2):
        return NUM
    return math.trunc(tails) * float(_special().stdtr(_freedom(degrees), -x))


def _t_inv(p: float, degrees: float) -> float | CellError:
    return float(_special().stdtrit(_freedom(degrees), p)) if 0 < p < 1 else NUM


def _t_inv_2t(p: float, degrees: float) -> float | CellError:
    return float(_special().stdtrit(_freedom(degrees), 1 - p / 2)) if 0 < p <= 1 else NUM


def _chisq_dist(x: float, degrees: float, cumulative: float) -> float | CellError:
    n = _freedom(degrees)
    if x < 0:
        return NUM
    if cumulative:
        return float(_special().chdtr(n, x))
    if x == 0:
        return (0.5 if n == 2 else 0.0) if n >= 2 else NUM
    return math.exp((n / 2 - 1) * math.log(x) - x / 2 - n / 2 * math.log(2) - math.lgamma(n / 2))


def _chisq_dist_rt(x: float, degrees: float) -> float | CellError:
    return NUM if x < 0 else float(_special().chdtrc(_freedom(degrees), x))


def _chisq_inv(p: float, degrees: float) -> float | CellError:
    return float(_special().chdtri(_freedom(degrees), 1 - p)) if 0 <= p < 1 else NUM


def _chisq_inv_rt(p: float, degrees: float) -> float | CellError:
    return float(_special().chdtri(_freedom(degrees), p)) if 0 < p <= 1 else NUM


def _f_dist(x: float, first: float, second: float, cumulative: float) -> float | CellError:
    d1, d2 = _freedom(first), _freedom(second)
    if x < 0:
        return NUM
    if cumulative:
        return float(_special().fdtr(d1, d2, x))
    if x == 0:
        return (1.0 if d1 == 2 else 0.0) if d1 >= 2 else NUM
    special = _special()
    log = (
        d1 / 2 * math.log(d1 * x)
        + d2 / 2 * math.log(d2)
        - (d1 + d2) / 2 * math.log(d1 * x + d2)
        - math.log(x)
        - special.betaln(d1 / 2, d2 / 2)
    )
    return math.exp(log)


def _f_dist_rt(x: float, first: float, second: float) -> float | CellError:
    return NUM if x < 0 else float(_special().fdtrc(_freedom(first), _freedom(second), x))


def _f_inv(p: float, first: float, second: float) -> float | CellError:
    return float(_special().fdtri(_freedom(first), _freedom(second), p)) if 0 <= p < 1 else NUM


def _f_inv_rt(p: float, first: float, second: float) -> float | CellError:
    return float(_special().fdtri(_freedom(first), _freedom(second), 1 - p)) if 0 < p <= 1 else NUM


def _weibull_dist(x: float, alpha: float, beta: float, cumulative: float) -> float | CellError:
    if x < 0 or alpha <= 0 or beta <= 0:
        return NUM
    if cumulative:
        return -math.expm1(-((x / beta) ** alpha))
    return alpha / beta**alpha * x ** (alpha - 1) * math.exp(-((x / beta) ** alpha))


def _standardize(x: float, mean: float, deviation: float) -> float | CellError:
    return NUM if deviation <= 0 else (x - mean) / deviation


def _phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _register(names: tuple[str, ...], least: int, most: int, function: Callable[..., Any], logical: int | None) -> None:
    wrapped = numeric(function)
    if logical is not None:
        wrapped = logical_at(wrapped, logical)
    for name in names:
        FUNCTIONS.add(name, least, most)(wrapped)


for _names, _least, _most, _function, _logical in (
    (("BINOM.DIST", "BINOMDIST"), 4, 4, _binom_dist, 3),
    (("BINOM.DIST.RANGE",), 3, 4, _binom_range, None),
    (("BINOM.INV", "CRITBINOM"), 3, 3, _binom_inv, None),
    (("NEGBINOM.DIST",), 4, 4, _negbinom_dist, 3),
    (("NEGBINOMDIST",), 3, 3, lambda f, s, p: _negbinom_dist(f, s, p, 0.0), None),
    (("POISSON.DIST", "POISSON"), 3, 3, _poisson_dist, 2),
    (("EXPON.DIST", "EXPONDIST"), 3, 3, _expon_dist, 2),
    (("LOGNORM.DIST",), 4, 4, _lognorm_dist, 3),
    (("LOGNORMDIST",), 3, 3, _lognorm_dist, None),
    (("LOGNORM.INV", "LOGINV"), 3, 3, _lognorm_inv, None),
    (("GAMMA.DIST", "GAMMADIST"), 4, 4, _gamma_dist, 3),
    (("GAMMA.INV", "GAMMAINV"), 3, 3, _gamma_inv, None),
    (("GAMMA",), 1, 1, _gamma, None),
    (("GAMMALN", "GAMMALN.PRECISE"), 1, 1, _gammaln, None),
    (("BETA.DIST",), 4, 6, _beta_dist, 3),
    (("BETADIST",), 3, 5, lambda x, a, b, lower=0.0, upper=1.0: _beta_dist(x, a, b, 1.0, lower, upper), None),
    (("BETA.INV", "BETAINV"), 3, 5, _beta_inv, None),
    (("CONFIDENCE.NORM", "CONFIDENCE"), 3, 3, _confidence_norm, None),
    (("CONFIDENCE.T",), 3, 3, _confidence_t, None),
    (("FISHER",), 1, 1, _fisher, None),
    (("FISHERINV",), 1, 1, math.tanh, None),
    (("ERF",), 1, 2, _erf, None),
    (("ERF.PRECISE",), 1, 1, math.erf, None),
    (("ERFC", "ERFC.PRECISE"), 1, 1, math.erfc, None),
    (("GAUSS",), 1, 1, _gauss, None),
    (("T.DIST",), 3, 3, _t_dist, 2),
    (("T.DIST.RT",), 2, 2, _t_dist_rt, None),
    (("T.DIST.2T",), 2, 2, _t_dist_2t, None),
    (("TDIST",), 3, 3, _tdist, None),
    (("T.INV",), 2, 2, _t_inv, None),
    (("T.INV.2T", "TINV"), 2, 2, _t_inv_2t, None),
    (("CHISQ.DIST",), 3, 3, _chisq_dist, 2),
    (("CHISQ.DIST.RT", "CHIDIST"), 2, 2, _chisq_dist_rt, None),
    (("CHISQ.INV",), 2, 2, _chisq_inv, None),
    (("CHISQ.INV.RT", "CHIINV"), 2, 2, _chisq_inv_rt, None),
    (("F.DIST",), 4, 4, _f_dist, 3),
    (("F.DIST.RT", "FDIST"), 3, 3, _f_dist_rt, None),
    (("F.INV",), 3, 3, _f_inv, None),
    (("F.INV.RT", "FINV"), 3, 3, _f_inv_rt, None),
    (("WEIBULL.DIST", "WEIBULL"), 4, 4, _weibull_dist, 3),
    (("STANDARDIZE",), 3, 3, _standardize, None),
    (("PHI",), 1, 1, _phi, None),
):
    _register(_names, _least, _most, _function, _logical)
