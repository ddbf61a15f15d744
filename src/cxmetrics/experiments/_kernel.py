r"""The statistics of a lift, vectorised over treatment arms (no data, only moments).

Notation for arm :math:`k` with :math:`n_k` units: :math:`\bar y_k` the metric
(the mean, or :math:`\sum y/\sum d` for a ratio metric), :math:`s_k^2` its per-unit
variance (for a ratio, the variance of the linearised unit
:math:`u = (y - r d)/\bar d`, the delta method), :math:`x` the covariate.

CUPED (Deng et al. 2013) with a slope :math:`\theta` pooled over all arms:
:math:`A_k = \bar y_k - \theta(\bar x_k - \bar x)`,
:math:`\operatorname{Var}A_k = (s_k^2 + \theta^2 s_{x,k}^2 - 2\theta s_{ux,k})/n_k`.
The difference :math:`\Delta = A_k - A_c`; the relative lift :math:`R = \Delta/\bar y_c`
divides by the *unadjusted* control mean, with the delta-method variance
:math:`[\operatorname{Var}\Delta - 2R\operatorname{Cov}(\Delta,\bar y_c)
+ R^2\operatorname{Var}\bar y_c]/\bar y_c^2`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.student_t import t_isf
from cxmetrics.stats import normal_pvalue, t_pvalue
from cxmetrics.typing import Alternative

__all__ = [
    "critical",
    "fieller",
    "sequential_halfwidth",
    "sequential_pvalue",
    "sequential_rho",
    "test_pvalue",
]

_F = NDArray[np.float64]


def critical(level: float, df: _F, alternative: Alternative) -> _F:
    """Critical value of a two-sided (or one-sided) interval at ``level``."""
    tail = (1.0 - level) / 2.0 if alternative == "two-sided" else 1.0 - level
    return np.asarray(t_isf(tail, df), dtype=np.float64)


def test_pvalue(stat: _F, df: _F, alternative: Alternative) -> _F:
    """P-values of t statistics (``df = inf``: normal), NaN where undefined."""
    out = np.full(stat.shape, np.nan)
    ok = ~np.isnan(stat) & ~np.isnan(df)
    if ok.any():
        normal = ok & np.isinf(df)
        student = ok & ~np.isinf(df)
        if normal.any():
            out[normal] = normal_pvalue(stat[normal], alternative)
        if student.any():
            out[student] = t_pvalue(stat[student], df[student], alternative)
    return out


def fieller(
    num: _F, num_var: _F, den: _F, den_var: _F, cov: _F, crit: _F
) -> tuple[_F, _F]:
    r"""Fieller's (1954) interval for ``num / den`` from the variances and covariance.

    The set :math:`\{r: (N - rD)^2 \le c^2(V_N - 2rC + r^2 V_D)\}`; bounded when the
    denominator is significantly non-zero (:math:`D^2 > c^2 V_D`), else reported as
    ``(-inf, inf)``.
    """
    c2 = crit * crit
    a = den * den - c2 * den_var
    b = num * den - c2 * cov
    cc = num * num - c2 * num_var
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.maximum(b * b - a * cc, 0.0))
        low = np.where(a > 0, (b - root) / a, -np.inf)
        high = np.where(a > 0, (b + root) / a, np.inf)
    bad = np.isnan(a) | np.isnan(b) | np.isnan(cc)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def sequential_rho(alpha: float, tuning: float) -> float:
    r""":math:`\rho` of the asymptotic confidence sequence (Waudby-Smith et al. 2023, eq. 161).

    Chosen so the sequence is tightest near ``tuning`` total units:
    :math:`\rho = \sqrt{(-2\ln\alpha + \ln(1 - 2\ln\alpha))/t}`.
    """
    la = math.log(alpha)
    return math.sqrt((-2.0 * la + math.log(1.0 - 2.0 * la)) / tuning)


def sequential_halfwidth(variance: _F, total: _F, alpha: float, tuning: float) -> _F:
    r"""Half-width of the two-sided asymptotic confidence sequence (eq. 9 there).

    With :math:`N` units in the two arms, :math:`\hat\sigma^2 = N\operatorname{Var}`:
    :math:`\hat\sigma\sqrt{2(N\rho^2+1)\ln(\sqrt{N\rho^2+1}/\alpha)/(N\rho)^2}`.
    """
    rho = sequential_rho(alpha, tuning)
    nr2 = total * rho * rho
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(variance * total) * np.sqrt(
            2.0 * (nr2 + 1.0) * np.log(np.sqrt(nr2 + 1.0) / alpha) / (nr2 * total)
        )


def sequential_pvalue(
    estimate: _F, variance: _F, total: _F, alpha: float, tuning: float
) -> _F:
    r"""Always-valid p-value: the inverse of the e-value (eq. 155), capped at 1.

    :math:`e = \exp\!\big(\rho^2 N^2\hat\Delta^2/(2\hat\sigma^2(N\rho^2+1))\big)/\sqrt{N\rho^2+1}`,
    :math:`p = \min(1, 1/e)`.
    """
    rho = sequential_rho(alpha, tuning)
    tr = total * rho * rho + 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        st2 = estimate * estimate * total / variance
        log_e = rho * rho * st2 / (2.0 * tr) - 0.5 * np.log(tr)
        p = np.minimum(1.0, np.exp(-log_e))
    # no variance: a zero difference is no evidence, any other is certain
    p = np.where(variance == 0, np.where(estimate == 0, 1.0, 0.0), p)
    return np.where(np.isnan(estimate) | np.isnan(variance), np.nan, p)
