r"""The log-rank test that k groups share one survival curve.

At each distinct event time :math:`t` with :math:`d_t` events among :math:`n_t` at
risk, group :math:`g` has :math:`n_{gt}` at risk and :math:`d_{gt}` events. Under
the null hypothesis the events are spread over the groups hypergeometrically:

.. math::

    E_g = \sum_t d_t \frac{n_{gt}}{n_t}, \qquad
    V_{gh} = \sum_t \frac{d_t (n_t - d_t)}{n_t - 1}\,
        \frac{n_{gt}}{n_t}\Bigl(\delta_{gh} - \frac{n_{ht}}{n_t}\Bigr),

and :math:`\chi^2 = (O - E)^\top V^{-}(O - E)` with :math:`O_g = \sum_t d_{gt}`, on
:math:`k - 1` degrees of freedom (Mantel 1966; Peto & Peto 1972). As R's
``survdiff``, one group is left out of :math:`O - E` and :math:`V`, and groups with
no expected events do not count towards the degrees of freedom.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.stats import chi_square_pvalue
from cxmetrics.survival._risk_set import at_risk

__all__ = ["LogrankResult", "logrank_from_tables"]

Float = NDArray[np.float64]


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class LogrankResult(DisplayMixin):
    r"""Result of the log-rank test of k groups.

    Attributes
    ----------
    statistic : float
        The chi-square statistic :math:`(O-E)^\top V^{-}(O-E)`.
    pvalue : float
        :math:`P(\chi^2_{df} > \text{statistic})`, in [0, 1].
    df : int
        Degrees of freedom: groups with expected events, minus one.
    keys : ndarray
        Group labels.
    n : ndarray of int64
        Subjects per group.
    observed, expected : ndarray of float64
        Observed events :math:`O_g` and events expected under the null :math:`E_g`.
    variance : ndarray of float64, shape (k, k)
        Covariance matrix :math:`V` of :math:`O - E`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.logrank_test([3, 5, 7, 9, 4, 6, 10, 12], [1, 1, 1, 1, 1, 0, 1, 0],
    ...                       by=["a"] * 4 + ["b"] * 4)
    >>> round(res.statistic, 4), round(res.pvalue, 4), res.df
    (2.4821, 0.1152, 1)
    >>> res.observed.tolist(), res.expected.round(3).tolist()
    ([4.0, 2.0], [2.262, 3.738])
    """

    statistic: float
    pvalue: float
    df: int
    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    n: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    observed: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    expected: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)
    variance: Float = attrs.field(converter=frozen_float, eq=nan_array_eq)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Per-group columns: key, n, observed, expected, (O-E)^2/E, (O-E)^2/V.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> list(cx.logrank_test([1, 2, 3, 4], by=[0, 0, 1, 1]).to_dict())
        ['key', 'n', 'observed', 'expected', 'chisq_expected', 'chisq_variance']
        """
        diff = self.observed - self.expected
        with np.errstate(divide="ignore", invalid="ignore"):
            by_e = diff * diff / self.expected
            by_v = diff * diff / np.diag(self.variance)
        return {
            "key": self.keys,
            "n": self.n,
            "observed": self.observed,
            "expected": self.expected,
            "chisq_expected": by_e,
            "chisq_variance": by_v,
        }

    def __repr__(self) -> str:
        cols = self.to_dict()
        names = ["key", "n", "observed", "expected", "(O-E)^2/E", "(O-E)^2/V"]
        rows = [
            [
                str(cols["key"][i]),
                str(cols["n"][i]),
                f"{cols['observed'][i]:g}",
                f"{cols['expected'][i]:.4g}",
                f"{cols['chisq_expected'][i]:.4g}",
                f"{cols['chisq_variance'][i]:.4g}",
            ]
            for i in range(len(self.keys))
        ]
        widths = [
            max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)
        ]
        lines = [
            f"LogrankResult(statistic={self.statistic:.6g}, df={self.df}, pvalue={self.pvalue:.6g})",
            "  ".join(h.rjust(w) for h, w in zip(names, widths, strict=True)),
        ]
        lines.extend(
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )
        return "\n".join(lines)


#: most groups a log-rank test compares (a groups x groups covariance is solved)
MAX_LOGRANK_GROUPS = 1000


def logrank_from_tables(
    keys: NDArray[Any],
    times: Float,
    entered: NDArray[np.int64],
    events: NDArray[np.int64],
    censored: NDArray[np.int64],
) -> LogrankResult:
    """Log-rank test from per-group event tables on a common time grid."""
    g = len(keys)
    if g > MAX_LOGRANK_GROUPS:
        msg = (
            f"the log-rank test compares at most {MAX_LOGRANK_GROUPS} groups (its "
            f"covariance is groups x groups); got {g}. Group more coarsely."
        )
        raise InvalidInputError(msg)
    removed = events + censored
    n_gt = at_risk(times, entered, removed).astype(np.float64)  # (g, k)
    d_gt = events.astype(np.float64)
    d_t = d_gt.sum(axis=0)
    n_t = n_gt.sum(axis=0)
    rows = d_t > 0
    n_gt, d_gt, d_t, n_t = n_gt[:, rows], d_gt[:, rows], d_t[rows], n_t[rows]
    share = n_gt / n_t  # n_t >= d_t > 0
    observed = d_gt.sum(axis=1)
    expected = (share * d_t).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(n_t > 1, d_t * (n_t - d_t) / (n_t - 1.0), 0.0)
    variance = np.diag((share * weight).sum(axis=1)) - (share * weight) @ share.T
    used = np.flatnonzero(expected > 0)
    df = max(used.size - 1, 0)
    if df == 0:
        warnings.warn(
            "the log-rank test needs at least two groups with subjects at risk at an "
            "event time; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
        statistic = math.nan
        pvalue = math.nan
    else:
        keep = used[1:]
        u = (observed - expected)[keep]
        v = variance[np.ix_(keep, keep)]
        try:
            statistic = float(u @ np.linalg.solve(v, u))
        except np.linalg.LinAlgError:
            statistic = float(u @ np.linalg.pinv(v) @ u)
        statistic = max(statistic, 0.0)
        pvalue = float(chi_square_pvalue(statistic, df))
    n = entered.sum(axis=1) if g else np.zeros(0, np.int64)
    return LogrankResult(
        statistic, pvalue, df, keys, n, observed, expected, variance.reshape(g, g)
    )
