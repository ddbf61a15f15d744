r"""Inter-rater agreement for QA calibration: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Every statistic is computed from one table of counts (the two raters' cross
table, the units x categories counts, or Krippendorff's coincidence matrix), so
a bootstrap over units is a matrix product of resampled unit counts with the
per-unit contributions: no loop over rows or resamples.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._arrays import frozen_float, nan_array_eq
from cxmetrics._display import DisplayMixin
from cxmetrics._validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.stats import ConfidenceInterval, critical_value
from cxmetrics.typing import AgreementLevel, KappaWeighting, NanPolicy
from cxmetrics.voice._inputs import bootstrap_counts, rating_codes, resampling_rng

__all__ = ["AgreementResult", "cohens_kappa", "fleiss_kappa", "krippendorff_alpha"]

_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_WEIGHTINGS = ("unweighted", "linear", "quadratic")


@attrs.frozen(repr=False)
class AgreementResult(DisplayMixin):
    """Agreement between raters: kappa or alpha, with its uncertainty.

    Attributes
    ----------
    value : float
        Kappa or alpha: 1 for perfect agreement, 0 for agreement at chance level,
        negative below chance; NaN when undefined (a single category used).
    n : int
        Units (interactions, calls, tickets) the value rests on.
    statistic : str
        ``'cohens_kappa'``, ``'fleiss_kappa'`` or ``'krippendorff_alpha'``.
    level : str
        Weighting (``'unweighted'``, ``'linear'``, ``'quadratic'``) or metric
        (``'nominal'``, ``'ordinal'``, ``'interval'``, ``'ratio'``).
    n_raters : int
        Raters (columns) in the data.
    n_categories : int
        Categories (distinct values) on the scale.
    observed, expected : float
        Observed and chance-expected agreement (kappas) or disagreement (alpha).
    n_excluded : int
        Units left out: with a missing rating (kappas, ``nan_policy='omit'``) or
        with fewer than two ratings (alpha: not pairable).
    standard_error : float
        Asymptotic standard error (Cohen's kappa, Fleiss, Cohen & Everitt 1969);
        the bootstrap standard deviation otherwise; NaN without resamples.
    replicates : ndarray
        Bootstrap replicates over units (empty when ``n_resamples=0``).
    confidence_level : float
        Default level of :meth:`confidence_interval` and of the repr.

    Examples
    --------
    >>> res = cohens_kappa(["pass", "pass", "fail", "pass"], ["pass", "fail", "fail", "pass"],
    ...                    n_resamples=0)
    >>> res
    cohens_kappa (unweighted) 0.5 (95% CI -0.2 to 1; n=4 units, 2 raters)
    """

    value: float
    n: int
    statistic: str
    level: str
    n_raters: int
    n_categories: int
    observed: float
    expected: float
    n_excluded: int = 0
    standard_error: float = math.nan
    replicates: NDArray[np.float64] = attrs.field(
        factory=lambda: np.zeros(0), converter=frozen_float, eq=nan_array_eq
    )
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def confidence_interval(
        self, confidence_level: float | None = None, *, method: str | None = None
    ) -> ConfidenceInterval:
        """Confidence interval for the agreement, clipped to [-1, 1].

        Parameters
        ----------
        confidence_level : float, optional
            Default: the result's ``confidence_level``.
        method : {'percentile', 'normal'}, optional
            ``'percentile'``: quantiles of the bootstrap replicates (the default
            when there are some); ``'normal'``: ``value ± z * standard_error``.

        Returns
        -------
        ConfidenceInterval

        Examples
        --------
        >>> res = cohens_kappa([1, 1, 2, 2, 3, 3], [1, 1, 2, 3, 3, 3], n_resamples=0)
        >>> [round(b, 3) for b in res.confidence_interval(method="normal")]
        [0.324, 1.0]
        """
        level = check_confidence_level(
            self.confidence_level if confidence_level is None else confidence_level
        )
        if method is None:
            method = "percentile" if self.replicates.size else "normal"
        check_option("method", method, ("percentile", "normal"))
        if method == "percentile":
            reps = self.replicates[np.isfinite(self.replicates)]
            if reps.size == 0:
                msg = "no bootstrap replicates: pass n_resamples > 0, or use method='normal'."
                raise InvalidInputError(msg)
            lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2])
            return ConfidenceInterval(float(lo), float(hi))
        z = float(critical_value(level))
        half = z * self.standard_error
        if not math.isfinite(half):  # no standard error: no interval (not [-1, 1])
            return ConfidenceInterval(math.nan, math.nan)
        return ConfidenceInterval(
            max(-1.0, self.value - half), min(1.0, self.value + half)
        )

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval()
        return (
            f"{self.statistic} ({self.level}) {self.value:.4g} "
            f"({100 * self.confidence_level:g}% CI {lo:.3g} to {hi:.3g}; "
            f"n={self.n} units, {self.n_raters} raters)"
        )


def _warn_undefined(what: str) -> None:
    msg = f"{what} is undefined when every rating falls in one category (no chance disagreement); returning NaN."
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)


def _agreement_weights(k: int, weighting: str) -> NDArray[np.float64]:
    """Agreement weights w_ij: 1 on the diagonal, less the further apart (Cohen 1968)."""
    if weighting == "unweighted" or k == 1:
        return np.eye(k)
    d = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return 1.0 - (d if weighting == "linear" else d**2)


def _kappa(
    tables: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted kappa of each table in a (b, k, k) stack: value, p_o, p_e."""
    n = tables.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / n[:, None, None]
        rows = p.sum(axis=2)
        cols = p.sum(axis=1)
        p_o = np.einsum("bij,ij->b", p, w)
        p_e = np.einsum("bi,bj,ij->b", rows, cols, w)
        kappa = (p_o - p_e) / (1.0 - p_e)
    kappa[~(p_e < 1.0 - 1e-12)] = np.nan
    return kappa, p_o, p_e


def _kappa_variance(
    table: NDArray[np.float64], w: NDArray[np.float64], kappa: float
) -> float:
    """Large-sample variance of (weighted) kappa, Fleiss, Cohen & Everitt (1969)."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_e = float(rows @ w @ cols)
    w_row = w @ cols  # mean agreement weight of row category i
    w_col = rows @ w  # ... of column category j
    term = (p * (w - (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)) ** 2).sum()
    var = (term - (kappa - p_e * (1.0 - kappa)) ** 2) / ((1.0 - p_e) ** 2 * n)
    return float(max(var, 0.0))


def _complete_units(
    codes: NDArray[np.int64], nan_policy: str, name: str
) -> tuple[NDArray[np.int64], int]:
    missing = codes < 0
    rows = missing.any(axis=1)
    if rows.any() and nan_policy == "raise":
        i, j = np.argwhere(missing)[0]
        msg = (
            f"`{name}` has a missing rating at unit {i}, rater {j} ({int(rows.sum())} "
            "unit(s) with missing ratings); pass nan_policy='omit' to leave those units "
            "out, or use krippendorff_alpha, which allows missing ratings."
        )
        raise InvalidInputError(msg)
    return codes[~rows], int(rows.sum())


def _check_common(n_resamples: int, confidence_level: float) -> tuple[int, float]:
    return (
        check_positive_int("n_resamples", n_resamples, minimum=0),
        check_confidence_level(confidence_level),
    )


def cohens_kappa(
    rater_a: ArrayLike,
    rater_b: ArrayLike,
    *,
    weights: KappaWeighting = "unweighted",
    categories: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> AgreementResult:
    r"""Cohen's kappa (weighted too) between two raters of the same units.

    Parameters
    ----------
    rater_a, rater_b : array_like, shape (n,)
        The two raters' labels (text or numbers) for the same units, in the same
        order; None, NaN or blank text is a missing rating.
    weights : {'unweighted', 'linear', 'quadratic'}, default 'unweighted'
        Partial credit for near misses on an ordered scale (Cohen 1968):
        agreement weight :math:`1 - |i - j|/(k - 1)` or :math:`1 - (i - j)^2/(k - 1)^2`.
    categories : array_like, optional
        The scale in its order (default: the sorted distinct labels). Needed for
        weighted kappa of text labels ("poor" < "fair" < "good" is not
        alphabetical) and to count categories nobody used.
    nan_policy : {'raise', 'omit'}, default 'raise'
        ``'omit'`` leaves out units either rater left blank (counted in ``n_excluded``).
    n_resamples : int, default 1000
        Bootstrap resamples of the units (0 for none).
    confidence_level : float, default 0.95
    rng : int or numpy.random.Generator, optional
        Seed (default 0, so repeated calls agree) or generator of the bootstrap.

    Returns
    -------
    AgreementResult
        ``value`` in [-1, 1]; ``standard_error`` the large-sample one.

    Raises
    ------
    InvalidInputError
        Raters of different lengths, a label outside ``categories``, a missing
        rating under ``nan_policy='raise'``, a bad option.

    Warns
    -----
    UndefinedMetricWarning
        Every rating falls in one category (chance agreement is 1): NaN.

    Notes
    -----
    With :math:`p_{ij}` the share of units rated :math:`i` by one rater and :math:`j`
    by the other, margins :math:`p_{i\cdot}, p_{\cdot j}` and agreement weights
    :math:`w_{ij}` (the identity when unweighted):

    $$ \kappa = \frac{p_o - p_e}{1 - p_e}, \quad p_o = \sum_{ij} w_{ij} p_{ij}, \quad
       p_e = \sum_{ij} w_{ij} p_{i\cdot} p_{\cdot j}. $$

    The standard error is Fleiss, Cohen & Everitt's (1969) large-sample one,
    as in statsmodels' ``cohens_kappa``; the bootstrap resamples units.

    References
    ----------
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales.
       *Educational and Psychological Measurement* 20, 37-46.
    .. [2] Cohen, J. (1968). Weighted kappa. *Psychological Bulletin* 70, 213-220.
    .. [3] Fleiss, J. L., Cohen, J., Everitt, B. S. (1969). Large sample standard errors
       of kappa and weighted kappa. *Psychological Bulletin* 72, 323-327.

    Examples
    --------
    Two QA reviewers scoring the same six calls on a 1-3 scale:

    >>> res = cohens_kappa([1, 1, 2, 2, 3, 3], [1, 1, 2, 3, 3, 3], n_resamples=0)
    >>> round(res.value, 4), round(res.standard_error, 4)
    (0.75, 0.2175)
    >>> round(cohens_kappa([1, 1, 2, 2, 3, 3], [1, 1, 2, 3, 3, 3],
    ...                    weights="quadratic", n_resamples=0).value, 4)
    0.8889
    """
    check_option("weights", weights, _WEIGHTINGS)
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    n_resamples, level = _check_common(n_resamples, confidence_level)
    a = np.asarray(rater_a)
    b = np.asarray(rater_b)
    if a.ndim != 1 or b.ndim != 1:
        msg = (
            f"`rater_a` and `rater_b` must be 1-D; got shapes {a.shape} and {b.shape}."
        )
        raise InvalidInputError(msg)
    if a.shape != b.shape:
        msg = f"`rater_b` must have the same length as `rater_a` ({a.shape[0]}); got {b.shape[0]}."
        raise InvalidInputError(msg)
    both = np.empty(
        (a.shape[0], 2),
        dtype=np.result_type(a, b) if a.dtype.kind == b.dtype.kind else object,
    )
    both[:, 0] = a
    both[:, 1] = b
    codes, cats = rating_codes(both, "ratings", categories=categories)
    codes, excluded = _complete_units(codes, nan_policy, "ratings")
    k = cats.shape[0]
    n = codes.shape[0]
    table = np.bincount(codes[:, 0] * k + codes[:, 1], minlength=k * k).astype(float)
    w = _agreement_weights(k, weights)
    if n == 0:
        warnings.warn(
            "Cohen's kappa is undefined for zero units; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return AgreementResult(
            math.nan,
            0,
            "cohens_kappa",
            weights,
            2,
            k,
            math.nan,
            math.nan,
            excluded,
            confidence_level=level,
        )
    kappa, p_o, p_e = _kappa(table.reshape(1, k, k), w)
    value = float(kappa[0])
    if math.isnan(value):
        _warn_undefined("Cohen's kappa")
        se = math.nan
    else:
        se = math.sqrt(_kappa_variance(table.reshape(k, k), w, value))
    reps = np.zeros(0)
    if n_resamples and not math.isnan(value):
        gen = resampling_rng(rng)
        draws = gen.multinomial(n, table / n, size=n_resamples).astype(float)
        with np.errstate(invalid="ignore"):
            reps = _kappa(draws.reshape(n_resamples, k, k), w)[0]
    return AgreementResult(
        value,
        n,
        "cohens_kappa",
        weights,
        2,
        k,
        float(p_o[0]),
        float(p_e[0]),
        excluded,
        se,
        reps,
        confidence_level=level,
    )


def _fleiss(
    counts: NDArray[np.float64],
    unit_p: NDArray[np.float64],
    w: NDArray[np.float64],
    m: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Fleiss' kappa of weighted sums over units: w (b, N) of counts and per-unit P_i."""
    size = w.sum(axis=1)
    p_bar = (w @ unit_p) / size
    p_j = (w @ counts) / (size * m)[:, None]
    p_e = (p_j**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (p_bar - p_e) / (1.0 - p_e)
    kappa[~(p_e < 1.0 - 1e-12)] = np.nan
    return kappa, p_bar, p_e


def fleiss_kappa(
    ratings: ArrayLike,
    *,
    categories: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> AgreementResult:
    r"""Fleiss' kappa: agreement of several raters on nominal categories.

    Parameters
    ----------
    ratings : array_like, shape (n_units, n_raters)
        One row per unit (call, chat), one column per rater; labels or numbers.
        Every unit needs the same number of ratings (use
        :func:`krippendorff_alpha` when some are missing).
    categories : array_like, optional
        The categories (default: the distinct labels).
    nan_policy : {'raise', 'omit'}, default 'raise'
        ``'omit'`` leaves out units with a missing rating (``n_excluded``).
    n_resamples : int, default 1000
        Bootstrap resamples of the units (0 for none).
    confidence_level : float, default 0.95
    rng : int or numpy.random.Generator, optional

    Returns
    -------
    AgreementResult
        ``value`` at most 1; ``standard_error`` the bootstrap one.

    Raises
    ------
    InvalidInputError
        Fewer than 2 raters, a missing rating under ``nan_policy='raise'``.

    Warns
    -----
    UndefinedMetricWarning
        Every rating in one category: NaN.

    Notes
    -----
    With :math:`n_{ij}` raters putting unit :math:`i` in category :math:`j`,
    :math:`m` raters and :math:`N` units (Fleiss 1971):

    $$ P_i = \frac{\sum_j n_{ij}^2 - m}{m(m-1)}, \quad \bar P = \frac1N \sum_i P_i,
       \quad p_j = \frac{\sum_i n_{ij}}{N m}, \quad \bar P_e = \sum_j p_j^2, \quad
       \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}. $$

    Same value as statsmodels' ``fleiss_kappa(aggregate_raters(ratings)[0])``.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       *Psychological Bulletin* 76, 378-382.

    Examples
    --------
    Three reviewers put five chats in a category:

    >>> ratings = [["billing", "billing", "billing"], ["tech", "tech", "billing"],
    ...            ["tech", "tech", "tech"], ["other", "other", "tech"],
    ...            ["billing", "billing", "billing"]]
    >>> round(fleiss_kappa(ratings, n_resamples=0).value, 4)
    0.5588
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    n_resamples, level = _check_common(n_resamples, confidence_level)
    codes, cats = rating_codes(ratings, "ratings", categories=categories)
    codes, excluded = _complete_units(codes, nan_policy, "ratings")
    n_units, m = codes.shape
    k = cats.shape[0]
    if n_units == 0:
        warnings.warn(
            "Fleiss' kappa is undefined for zero units; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return AgreementResult(
            math.nan,
            0,
            "fleiss_kappa",
            "nominal",
            m,
            k,
            math.nan,
            math.nan,
            excluded,
            confidence_level=level,
        )
    rows = np.repeat(np.arange(n_units), m)
    counts = (
        np.bincount(rows * k + codes.ravel(), minlength=n_units * k)
        .reshape(n_units, k)
        .astype(np.float64)
    )
    unit_p = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    kappa, p_bar, p_e = _fleiss(counts, unit_p, np.ones((1, n_units)), m)
    value = float(kappa[0])
    reps = np.zeros(0)
    se = math.nan
    if math.isnan(value):
        _warn_undefined("Fleiss' kappa")
    elif n_resamples:
        gen = resampling_rng(rng)
        reps = np.concatenate(
            [
                _fleiss(counts, unit_p, wb, m)[0]
                for wb in bootstrap_counts(n_units, n_resamples, gen)
            ]
        )
        se = float(np.nanstd(reps, ddof=1)) if np.isfinite(reps).sum() > 1 else math.nan
    return AgreementResult(
        value,
        n_units,
        "fleiss_kappa",
        "nominal",
        m,
        k,
        float(p_bar[0]),
        float(p_e[0]),
        excluded,
        se,
        reps,
        confidence_level=level,
    )


def _distance(
    level: str, values: NDArray[Any], n_c: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Krippendorff's squared difference δ²(c, k); (b, k, k) for ordinal (it uses the margins)."""
    k = values.shape[0]
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cs = np.cumsum(n_c, axis=-1)
        # sum of n_g for g from c to k (c <= k), less half of the two end counts
        between = cs[..., None, :] - cs[..., :, None] + n_c[..., :, None]
        between = between - (n_c[..., :, None] + n_c[..., None, :]) / 2.0
        upper = np.triu(np.ones((k, k), dtype=bool))
        d = np.where(upper, between, np.swapaxes(between, -1, -2))
        return np.asarray(d**2, dtype=np.float64)
    v = values.astype(np.float64)
    diff = np.subtract.outer(v, v)
    if level == "interval":
        return np.asarray(diff**2, dtype=np.float64)
    total = np.add.outer(v, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total == 0.0, 0.0, diff / total)
    return np.asarray(ratio**2, dtype=np.float64)


def _alpha(
    coincidence: NDArray[np.float64], level: str, values: NDArray[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Alpha of each coincidence matrix in a (b, k, k) stack: value, D_o, D_e."""
    n_c = coincidence.sum(axis=2)
    n = n_c.sum(axis=1)
    delta = _distance(level, values, n_c)
    if delta.ndim == 2:
        delta = np.broadcast_to(delta, coincidence.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        d_o = (coincidence * delta).sum(axis=(1, 2)) / n
        d_e = np.einsum("bi,bj,bij->b", n_c, n_c, delta) / (n * (n - 1.0))
        alpha = 1.0 - d_o / d_e
    alpha[~(d_e > 0)] = np.nan
    return alpha, d_o, d_e


def krippendorff_alpha(
    ratings: ArrayLike,
    *,
    level: AgreementLevel = "nominal",
    categories: ArrayLike | None = None,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> AgreementResult:
    r"""Krippendorff's alpha: agreement of any number of raters, missing ratings allowed.

    Parameters
    ----------
    ratings : array_like, shape (n_units, n_raters)
        One row per unit, one column per rater; None, NaN or blank text where a
        rater did not rate the unit. (The ``krippendorff`` package takes the
        transpose, raters x units.)
    level : {'nominal', 'ordinal', 'interval', 'ratio'}, default 'nominal'
        Metric of the differences between values.
    categories : array_like, optional
        The scale in its order (ordinal text labels need it; default: the sorted
        distinct values).
    n_resamples : int, default 1000
        Bootstrap resamples of the units (0 for none).
    confidence_level : float, default 0.95
    rng : int or numpy.random.Generator, optional

    Returns
    -------
    AgreementResult
        ``value`` at most 1; ``observed`` and ``expected`` are the disagreements
        :math:`D_o, D_e`; ``n_excluded`` counts units with fewer than two
        ratings (not pairable, so they do not enter alpha).

    Raises
    ------
    InvalidInputError
        Fewer than 2 raters; text values for interval or ratio data.

    Warns
    -----
    UndefinedMetricWarning
        No pairable unit, or one value only (no expected disagreement): NaN.

    Notes
    -----
    The coincidence matrix counts, over units :math:`u` with :math:`m_u \ge 2`
    values, the ordered pairs of values :math:`(c, k)` from different raters, each
    weighted :math:`1/(m_u - 1)`; :math:`n_c = \sum_k o_{ck}`, :math:`n = \sum_c n_c`.
    With the squared difference :math:`\delta^2_{ck}` of the level (nominal: 0 or 1;
    ordinal: :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval:
    :math:`(c - k)^2`; ratio: :math:`((c - k)/(c + k))^2`) (Krippendorff 2011):

    $$ \alpha = 1 - \frac{D_o}{D_e} = 1 - (n - 1)\,
       \frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}{\sum_{c,k} n_c n_k\,\delta^2_{ck}}. $$

    The bootstrap resamples units (so the ordinal metric's margins are
    recomputed in each resample); Krippendorff's own bootstrap resamples pairable
    values instead.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
       Annenberg School for Communication, University of Pennsylvania.
    .. [2] Hayes, A. F., Krippendorff, K. (2007). Answering the call for a standard
       reliability measure for coding data. *Communication Methods and Measures* 1, 77-89.

    Examples
    --------
    Krippendorff's (2011) example: 4 observers, 12 units, values 1-5, missing ratings:

    >>> nan = float("nan")
    >>> data = [[1, 1, nan, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
    ...         [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
    ...         [2, 2, 2, 2], [nan, 5, 5, 5], [nan, nan, 1, 1], [nan, nan, 3, nan]]
    >>> round(krippendorff_alpha(data, n_resamples=0).value, 3)
    0.743
    >>> round(krippendorff_alpha(data, level="interval", n_resamples=0).value, 3)
    0.849
    """
    check_option("level", level, _LEVELS)
    n_resamples, conf = _check_common(n_resamples, confidence_level)
    codes, cats = rating_codes(
        ratings,
        "ratings",
        categories=categories,
        numeric=level in {"interval", "ratio"},
    )
    if level == "ratio" and (np.asarray(cats, dtype=float) < 0).any():
        msg = f"ratio data must be non-negative; got {float(np.min(cats))!r}."
        raise InvalidInputError(msg)
    n_units, m = codes.shape
    k = cats.shape[0]
    present = codes >= 0
    counts = (
        np.bincount(np.nonzero(present)[0] * k + codes[present], minlength=n_units * k)
        .reshape(n_units, k)
        .astype(float)
    )
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    excluded = int(n_units - pairable.sum())
    counts = counts[pairable]
    m_u = m_u[pairable]
    n_p = counts.shape[0]
    if n_p == 0 or k == 0:
        warnings.warn(
            "Krippendorff's alpha is undefined without a unit rated by two raters or more; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return AgreementResult(
            math.nan,
            0,
            "krippendorff_alpha",
            level,
            m,
            k,
            math.nan,
            math.nan,
            excluded,
            confidence_level=conf,
        )
    # per-unit contributions to the coincidence matrix: (C C' - diag C) / (m_u - 1)
    contrib = np.einsum("ui,uj->uij", counts, counts)
    idx = np.arange(k)
    contrib[:, idx, idx] -= counts
    contrib /= (m_u - 1.0)[:, None, None]
    contrib = contrib.reshape(n_p, k * k)
    alpha, d_o, d_e = _alpha(contrib.sum(axis=0).reshape(1, k, k), level, cats)
    value = float(alpha[0])
    reps = np.zeros(0)
    se = math.nan
    if math.isnan(value):
        _warn_undefined("Krippendorff's alpha")
    elif n_resamples:
        gen = resampling_rng(rng)
        reps = np.concatenate(
            [
                _alpha((wb @ contrib).reshape(-1, k, k), level, cats)[0]
                for wb in bootstrap_counts(n_p, n_resamples, gen)
            ]
        )
        se = float(np.nanstd(reps, ddof=1)) if np.isfinite(reps).sum() > 1 else math.nan
    return AgreementResult(
        value,
        n_p,
        "krippendorff_alpha",
        level,
        m,
        k,
        float(d_o[0]),
        float(d_e[0]),
        excluded,
        se,
        reps,
        confidence_level=conf,
    )
