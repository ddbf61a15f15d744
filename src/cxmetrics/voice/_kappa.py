r"""Kappa statistics for QA calibration: Cohen's (weighted too) and Fleiss'.

Both are computed from one table of counts (the two raters' cross table, or the
units x categories counts), so a bootstrap over units is a multinomial draw of
the cells or a matrix product of resampled unit counts: no loop over rows.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.typing import KappaWeighting, NanPolicy
from cxmetrics.voice._agreement import (
    AgreementResult,
    _check_common,
    _complete_units,
    _warn_undefined,
)
from cxmetrics.voice._inputs import bootstrap_counts, rating_codes, resampling_rng

__all__ = ["cohens_kappa", "fleiss_kappa"]


def _agreement_weights(k: int, weighting: str) -> NDArray[np.float64]:
    """Agreement weights w_ij: 1 on the diagonal, less the further apart (Cohen 1968)."""
    if weighting == "unweighted" or k == 1:
        return np.eye(k)
    d = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return 1.0 - (d if weighting == "linear" else d**2)


def _kappa(
    tables: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted kappa of each table in a (b, k, k) stack: value, p_o, p_e.

    Computed in its disagreement form, kappa = 1 - q_o/q_e with q = 1 - w (Cohen
    1968), as scikit-learn does: q_e is a sum of non-negative terms, so it is exact
    near p_e = 1 where 1 - p_e would cancel, and kappa is undefined only when the
    chance disagreement is exactly zero.
    """
    n = tables.sum(axis=(1, 2))
    q = 1.0 - w
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / n[:, None, None]
        rows = p.sum(axis=2)
        cols = p.sum(axis=1)
        q_o = np.einsum("bij,ij->b", p, q)
        q_e = np.einsum("bi,bj,ij->b", rows, cols, q)
        kappa = 1.0 - q_o / q_e
    kappa[~(q_e > 0.0)] = np.nan
    return kappa, 1.0 - q_o, 1.0 - q_e


def _kappa_variance(
    table: NDArray[np.float64], w: NDArray[np.float64], kappa: float
) -> float:
    """Large-sample variance of (weighted) kappa, Fleiss, Cohen & Everitt (1969)."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    q_e = float(rows @ (1.0 - w) @ cols)  # 1 - p_e without cancellation
    p_e = 1.0 - q_e
    w_row = w @ cols  # mean agreement weight of row category i
    w_col = rows @ w  # ... of column category j
    term = (p * (w - (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)) ** 2).sum()
    var = (term - (kappa - p_e * (1.0 - kappa)) ** 2) / (q_e**2 * n)
    return float(max(var, 0.0))


def cohens_kappa(
    rater_a: ArrayLike,
    rater_b: ArrayLike,
    *,
    weighting: KappaWeighting = "unweighted",
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
    weighting : {'unweighted', 'linear', 'quadratic'}, default 'unweighted'
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
    ...                    weighting="quadratic", n_resamples=0).value, 4)
    0.8889
    """
    check_option("weighting", weighting, KappaWeighting)
    check_option("nan_policy", nan_policy, NanPolicy)
    n_resamples, level = _check_common(n_resamples, confidence_level)
    a = as_array(rater_a, "rater_a")
    b = as_array(rater_b, "rater_b")
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
    # the two raters are the columns of one table: messages name them both
    pair = "rater_a`/`rater_b"  # shown as `rater_a`/`rater_b`
    codes, cats = rating_codes(both, pair, categories=categories)
    codes, excluded = _complete_units(codes, nan_policy, pair)
    k = cats.shape[0]
    n = codes.shape[0]
    table = np.bincount(codes[:, 0] * k + codes[:, 1], minlength=k * k).astype(float)
    w = _agreement_weights(k, weighting)
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
            weighting,
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
        weighting,
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
    total = (size * m)[:, None]
    drawn = w @ counts  # whole numbers: the differences below are exact
    p_j = drawn / total
    p_e = (p_j**2).sum(axis=1)
    # 1 - p_e = sum_j p_j (1 - p_j) without cancellation near p_e = 1
    q_e = (p_j * ((total - drawn) / total)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (p_bar - p_e) / q_e
    kappa[~(q_e > 0.0)] = np.nan
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
        :func:`cxmetrics.voice.krippendorff_alpha` when some are missing).
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
    check_option("nan_policy", nan_policy, NanPolicy)
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
