r"""Control charts for KPIs: p (and Laney p'), u, individuals and moving range.

"Did CSAT really drop this week?" A control chart answers with limits at three
standard errors around the centre line, per period (they widen for small
periods), and with run rules that catch shifts and trends before a point leaves
the limits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import (
    as_1d,
    check_option,
    is_real,
    numeric_1d,
    parameter_scalar,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.typing import ControlRules
from cxmetrics.voice._chart import ControlChartResult, IMRChartResult
from cxmetrics.voice._inputs import GroupedLike
from cxmetrics.voice._rules import RULES, run_rules

__all__ = ["i_mr_chart", "p_chart", "u_chart"]

#: d2 and d3 of moving ranges of two points: E|X1 - X2| = 2/sqrt(pi) sigma,
#: sd|X1 - X2| = sqrt(2 - 4/pi) sigma
_D2 = 2.0 / math.sqrt(math.pi)
_D3 = math.sqrt(2.0 - 4.0 / math.pi)


def _unpack_result(data: object) -> tuple[Any, Any, Any] | None:
    """(keys, value, n) of a grouped result (anything with keys, value and n)."""
    if all(hasattr(data, a) for a in ("keys", "value", "n")) and not callable(
        getattr(data, "keys", None)
    ):
        return data.keys, data.value, data.n  # type: ignore[attr-defined]
    return None


def _floats(values: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = numeric_1d(values, name).astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        msg = (
            f"`{name}` must be finite; got {float(arr[i])!r} at index {i} "
            f"({int(bad.sum())} such value(s)); a chart needs every period, so fill "
            "or drop the period explicitly."
        )
        raise InvalidInputError(msg)
    return arr


def _keys(keys: ArrayLike | None, m: int) -> NDArray[Any]:
    if keys is None:
        return np.arange(m)
    arr = as_1d(keys, "keys")
    if arr.shape[0] != m:
        msg = f"`keys` must have one key per point ({m}); got {arr.shape[0]}."
        raise InvalidInputError(msg)
    return arr


def _check_sigmas(sigmas: float) -> float:
    if not is_real(sigmas):
        msg = f"`sigmas` must be a number; got {sigmas!r}."
        raise InvalidInputTypeError(msg)
    if not (math.isfinite(sigmas) and sigmas > 0):
        msg = f"`sigmas` must be a positive number; got {sigmas!r}."
        raise InvalidInputError(msg)
    return float(sigmas)


def _finish(
    chart: str,
    keys: NDArray[Any],
    value: NDArray[np.float64],
    n: NDArray[np.float64],
    center: NDArray[np.float64],
    sigma: NDArray[np.float64],
    sigmas: float,
    rules: ControlRules,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    sigma_z: float = 1.0,
) -> ControlChartResult:
    lower = np.clip(center - sigmas * sigma, low, high)
    upper = np.clip(center + sigmas * sigma, low, high)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sigma > 0, (value - center) / sigma, 0.0)
    beyond = (value > upper) | (value < lower)
    return ControlChartResult(
        chart,
        keys,
        value,
        n,
        center,
        lower,
        upper,
        sigma,
        rules,
        RULES[rules],
        run_rules(z, beyond, rules),
        sigma_z,
    )


def _moving_range_sigma(z: NDArray[np.float64]) -> float:
    return float(np.mean(np.abs(np.diff(z)))) / _D2


def p_chart(
    counts: ArrayLike | GroupedLike,
    n: ArrayLike | None = None,
    *,
    keys: ArrayLike | None = None,
    center: float | None = None,
    laney: bool = False,
    rules: ControlRules = "western_electric",
    sigmas: float = 3.0,
) -> ControlChartResult:
    r"""Control chart of a share per period (p chart): CSAT top-box, FCR, SLA compliance.

    Parameters
    ----------
    counts : array_like of int, shape (m,), or a grouped share result
        Successes (satisfied answers, first-contact resolutions, tickets in SLA)
        per period. A grouped result with ``keys``, ``value`` (a share) and ``n``
        (e.g. ``cx.csat(..., by=week)``) is read as ``round(value * n)`` of ``n``.
    n : array_like of int, shape (m,)
        Answers (trials) per period, each at least 1.
    keys : array_like, shape (m,), optional
        Period labels (default 0..m-1, or the grouped result's keys).
    center : float, optional
        A known or target share for the centre line (Phase II); default the pooled
        share :math:`\bar p = \sum x_i / \sum n_i`.
    laney : bool, default False
        Laney's p' chart: inflate the limits by the between-period variation
        :math:`\sigma_z`, for very large periods where every point falls outside
        the binomial limits.
    rules : {'western_electric', 'nelson', 'limits'}, default 'western_electric'
    sigmas : float, default 3.0
        Width of the limits in standard deviations.

    Returns
    -------
    ControlChartResult
        Shares in [0, 1]; limits clipped to [0, 1].

    Raises
    ------
    InvalidInputError
        A period with ``n == 0`` (it has no share: drop it or merge it with the
        next), ``counts`` above ``n`` or negative, lengths that differ.

    Notes
    -----
    $$ \hat p_i = x_i / n_i, \quad \mathrm{CL} = \bar p, \quad
       \bar p \pm 3\sqrt{\bar p(1-\bar p)/n_i} $$

    Laney's p' (2002) standardises :math:`z_i = (\hat p_i - \bar p)/\sigma_{p_i}`,
    estimates :math:`\sigma_z = \overline{MR}(z)/1.128` from their moving ranges and
    uses :math:`\bar p \pm 3\,\sigma_{p_i}\sigma_z`.

    References
    ----------
    .. [1] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*,
       6th ed., section 7.2 (the orange-juice cans example, Table 7.1). Wiley.
    .. [2] Laney, D. B. (2002). Improved control charts for attributes.
       *Quality Engineering* 14(4), 531-537.

    Examples
    --------
    Montgomery's orange-juice cans: 30 samples of 50 cans, nonconforming per sample:

    >>> x = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
    ...      8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
    >>> res = p_chart(x, [50] * 30, keys=range(1, 31), rules="limits")
    >>> round(float(res.center[0]), 4), round(float(res.lower[0]), 4), round(float(res.upper[0]), 4)
    (0.2313, 0.0524, 0.4102)
    >>> res.keys[res.signal].tolist()  # samples 15 and 23 are out of control
    [15, 23]
    """
    check_option("rules", rules, ControlRules)
    sigmas = _check_sigmas(sigmas)
    if center is not None and not 0.0 < float(center) < 1.0:
        msg = f"`center` must be a share strictly between 0 and 1; got {center!r}."
        raise InvalidInputError(msg)
    unpacked = _unpack_result(counts) if n is None else None
    if unpacked is not None:
        rkeys, share, size = unpacked
        nn = _floats(size, "n")
        shares = _floats(share, "counts")
        if ((shares < 0) | (shares > 1)).any():
            msg = (
                f"`counts` is a {type(counts).__name__} whose values are not shares in "
                "[0, 1] (an NPS, a mean); chart it with i_mr_chart instead."
            )
            raise InvalidInputError(msg)
        x = np.round(shares * nn)
        keys = rkeys if keys is None else keys
    else:
        if n is None:
            msg = "`n` (answers per period) is needed unless `counts` is a grouped result."
            raise InvalidInputError(msg)
        x = _floats(counts, "counts")  # type: ignore[arg-type]
        nn = _floats(n, "n")
    if x.shape != nn.shape:
        msg = f"`n` must have the same length as `counts` ({x.shape[0]}); got {nn.shape[0]}."
        raise InvalidInputError(msg)
    for name, bad, rule in (
        (
            "n",
            nn <= 0,
            "at least 1 (a period without answers has no share; drop it or merge it)",
        ),
        ("counts", x < 0, "non-negative"),
        ("counts", x > nn, "at most `n`"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            got = float(nn[i] if name == "n" else x[i])
            msg = f"`{name}` must be {rule}; got {got!r} at index {i} ({int(bad.sum())} such period(s))."
            raise InvalidInputError(msg)
    k = _keys(keys, x.shape[0])
    if x.shape[0] == 0:
        msg = "`counts` must hold at least one period."
        raise InvalidInputError(msg)
    p = x / nn
    p_bar = float(x.sum() / nn.sum()) if center is None else float(center)
    sigma = np.sqrt(p_bar * (1.0 - p_bar) / nn)
    sigma_z = 1.0
    if laney:
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(sigma > 0, (p - p_bar) / sigma, 0.0)
        sigma_z = _moving_range_sigma(z) if z.shape[0] > 1 else math.nan
        if not math.isfinite(sigma_z):
            msg = "Laney's p' chart needs at least 2 periods to estimate sigma_z."
            raise InvalidInputError(msg)
        sigma = sigma * sigma_z
    return _finish(
        "laney_p" if laney else "p",
        k,
        p,
        nn,
        np.full(p.shape, p_bar),
        sigma,
        sigmas,
        rules,
        low=0.0,
        high=1.0,
        sigma_z=sigma_z,
    )


def u_chart(
    counts: ArrayLike,
    exposure: ArrayLike,
    *,
    keys: ArrayLike | None = None,
    per: float = 1.0,
    rules: ControlRules = "western_electric",
    sigmas: float = 3.0,
) -> ControlChartResult:
    r"""Control chart of a rate per period (u chart): complaints per 1,000 orders.

    Parameters
    ----------
    counts : array_like, shape (m,)
        Events (complaints, errors) per period.
    exposure : array_like, shape (m,)
        Opportunity per period (orders, calls, units inspected), each positive.
    keys : array_like, shape (m,), optional
        Period labels.
    per : float, default 1.0
        Express rates per this many units of exposure (1000: per 1,000 orders).
    rules : {'western_electric', 'nelson', 'limits'}, default 'western_electric'
    sigmas : float, default 3.0

    Returns
    -------
    ControlChartResult
        Rates per ``per`` units; the lower limit is clipped at 0.

    Raises
    ------
    InvalidInputError
        Zero or negative exposure, negative counts, lengths that differ.

    Notes
    -----
    $$ u_i = c_i / a_i, \quad \bar u = \sum c_i / \sum a_i, \quad
       \bar u \pm 3 \sqrt{\bar u / a_i} $$
    (Montgomery 2009, section 7.3.1; Poisson counts).

    References
    ----------
    .. [1] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*,
       6th ed., section 7.3. Wiley.

    Examples
    --------
    Complaints per 1,000 orders over five weeks:

    >>> res = u_chart([12, 9, 15, 11, 31], [4000, 3500, 5000, 4200, 4100], per=1000)
    >>> round(float(res.center[0]), 3), res.beyond_limits.tolist()
    (3.8, [False, False, False, False, True])
    """
    check_option("rules", rules, ControlRules)
    sigmas = _check_sigmas(sigmas)
    per = parameter_scalar(per, "per", low=0.0, low_inclusive=False)
    c = _floats(counts, "counts")
    a = _floats(exposure, "exposure")
    if c.shape != a.shape:
        msg = f"`exposure` must have the same length as `counts` ({c.shape[0]}); got {a.shape[0]}."
        raise InvalidInputError(msg)
    for name, arr, bad, rule in (
        (
            "exposure",
            a,
            a <= 0,
            "positive (a period without exposure has no rate; drop it)",
        ),
        ("counts", c, c < 0, "non-negative"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            msg = f"`{name}` must be {rule}; got {float(arr[i])!r} at index {i} ({int(bad.sum())} such period(s))."
            raise InvalidInputError(msg)
    if c.shape[0] == 0:
        msg = "`counts` must hold at least one period."
        raise InvalidInputError(msg)
    k = _keys(keys, c.shape[0])
    u_bar = float(c.sum() / a.sum())
    sigma = np.sqrt(u_bar / a) * per
    return _finish(
        "u",
        k,
        c / a * per,
        a,
        np.full(c.shape, u_bar * per),
        sigma,
        sigmas,
        rules,
        low=0.0,
    )


def i_mr_chart(
    values: ArrayLike | GroupedLike,
    *,
    keys: ArrayLike | None = None,
    rules: ControlRules = "western_electric",
    sigmas: float = 3.0,
) -> IMRChartResult:
    r"""Individuals and moving-range charts: daily AHT, median first reply, weekly NPS.

    Parameters
    ----------
    values : array_like of float, shape (m,), or a grouped result
        One value per period (at least 2). A grouped result (``keys`` and
        ``value``, e.g. ``cx.nps(..., by=week)``) charts its values.
    keys : array_like, shape (m,), optional
        Period labels.
    rules : {'western_electric', 'nelson', 'limits'}, default 'western_electric'
        Run rules of the individuals chart (the moving-range chart uses only its limits).
    sigmas : float, default 3.0

    Returns
    -------
    IMRChartResult
        ``individuals`` (in the values' unit) and ``moving_range`` (its first
        point, which has no range, is NaN and never flagged).

    Raises
    ------
    InvalidInputError
        Fewer than 2 values, a missing or infinite value.

    Notes
    -----
    With :math:`MR_i = |x_i - x_{i-1}|` and :math:`\hat\sigma = \overline{MR}/d_2`,
    :math:`d_2 = 2/\sqrt\pi \approx 1.128`:
    individuals :math:`\bar x \pm 3\hat\sigma`; moving range centre
    :math:`\overline{MR}`, upper limit :math:`D_4\overline{MR}` with
    :math:`D_4 = 1 + 3 d_3/d_2 \approx 3.267`, lower limit 0 (Montgomery 2009, section 6.4).

    References
    ----------
    .. [1] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*,
       6th ed., section 6.4 (Example 6.5, the mortgage loan costs). Wiley.

    Examples
    --------
    Montgomery's Example 6.5, weekly costs of processing mortgage loans:

    >>> costs = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
    ...          294, 299, 297, 299, 314, 295, 293, 306, 301, 304]
    >>> res = i_mr_chart(costs)
    >>> ind, mr = res.individuals, res.moving_range
    >>> round(float(ind.center[0]), 2), round(float(mr.center[0]), 2)
    (300.5, 7.79)
    >>> round(float(ind.lower[0]), 2), round(float(ind.upper[0]), 2), round(float(mr.upper[0]), 2)
    (279.79, 321.21, 25.44)

    (Montgomery's 279.78, 321.22 and 25.45 use the rounded 7.79, 2.66 and 3.267.)
    """
    check_option("rules", rules, ControlRules)
    sigmas = _check_sigmas(sigmas)
    unpacked = _unpack_result(values)
    if unpacked is not None:
        rkeys, vals, _ = unpacked
        keys = rkeys if keys is None else keys
        x = _floats(vals, "values")
    else:
        x = _floats(values, "values")  # type: ignore[arg-type]
    if x.shape[0] < 2:
        msg = f"`values` needs at least 2 points for a moving range; got {x.shape[0]}."
        raise InvalidInputError(msg)
    k = _keys(keys, x.shape[0])
    mr = np.concatenate([[np.nan], np.abs(np.diff(x))])
    mr_bar = float(np.nanmean(mr))
    sd = mr_bar / _D2
    ones = np.ones(x.shape)
    ind = _finish(
        "individuals",
        k,
        x,
        ones,
        np.full(x.shape, float(x.mean())),
        ones * sd,
        sigmas,
        rules,
    )
    mr_sigma = np.full(x.shape, _D3 * sd)
    mr_chart = _finish(
        "moving_range",
        k,
        mr,
        ones,
        np.full(x.shape, mr_bar),
        mr_sigma,
        sigmas,
        "limits",
        low=0.0,
    )
    return IMRChartResult(ind, mr_chart)
