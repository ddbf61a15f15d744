r"""Krippendorff's alpha: agreement of any number of raters, missing ratings allowed.

Computed from the coincidence matrix, a sum of per-unit contributions, so the
bootstrap over units is one matrix product of resampled unit counts with them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.typing import AgreementLevel
from cxmetrics.voice._agreement import AgreementResult, _check_common, _warn_undefined
from cxmetrics.voice._inputs import bootstrap_counts, rating_codes, resampling_rng

__all__ = ["krippendorff_alpha"]


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
    """Alpha of each coincidence matrix in a (b, k, k) stack: value, D_o, D_e.

    Interval values are first scaled by a power of two near their largest
    magnitude (exact): alpha does not depend on the unit, and squared differences
    of values near 1e200 or 1e-160 would overflow or underflow. D_o and D_e are
    scaled back to the values' units.
    """
    n_c = coincidence.sum(axis=2)
    n = n_c.sum(axis=1)
    exponent = 0
    if level == "interval" and values.size:
        top = float(np.max(np.abs(values.astype(np.float64))))
        if top > 0.0:
            exponent = int(np.frexp(top)[1])
            values = np.ldexp(values.astype(np.float64), -exponent)
    delta = _distance(level, values, n_c)
    if delta.ndim == 2:
        delta = np.broadcast_to(delta, coincidence.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        d_o = (coincidence * delta).sum(axis=(1, 2)) / n
        d_e = np.einsum("bi,bj,bij->b", n_c, n_c, delta) / (n * (n - 1.0))
        alpha = 1.0 - d_o / d_e
    alpha[~(d_e > 0)] = np.nan
    if exponent:
        with np.errstate(over="ignore", under="ignore"):
            d_o = np.ldexp(d_o, 2 * exponent)
            d_e = np.ldexp(d_e, 2 * exponent)
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
    check_option("level", level, AgreementLevel)
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
