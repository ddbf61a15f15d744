"""Front doors of revenue retention: MRR movements, gross and net revenue retention.

``mrr_movements`` takes a :class:`~cxmetrics.RevenueMatrix` (or an array of MRR
per customer and period); ``gross_revenue_retention`` and
``net_revenue_retention`` follow cohorts of customers over a horizon, by the
snapshot or the movements method.
"""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import (
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.retention._mrr_movements import MRRMovements
from cxmetrics.retention._revenue_matrix import RevenueMatrix, _as_matrix
from cxmetrics.typing import RevenueRetentionMethod

__all__ = [
    "RevenueRetentionResult",
    "gross_revenue_retention",
    "mrr_movements",
    "net_revenue_retention",
]


def mrr_movements(
    revenue: RevenueMatrix | ArrayLike, *, minor_units: int = 100
) -> MRRMovements:
    r"""MRR movements (new, expansion, contraction, churned, reactivation) per period.

    Parameters
    ----------
    revenue : RevenueMatrix or array_like, shape (n, k)
        MRR per customer (rows) and period (columns), the first column being the
        opening balance; or a :class:`RevenueMatrix` (e.g. from
        :meth:`RevenueMatrix.from_subscriptions`).
    minor_units : int, default 100
        For an array: minor units per unit of ``revenue`` (100 for dollars with
        cents, 1 for amounts already in cents).

    Returns
    -------
    MRRMovements
        One row per period after the first, in minor units; the roll-forward
        identity holds exactly in every period.

    Notes
    -----
    A customer whose MRR goes to zero churns in the first period at zero, and
    one whose MRR comes back after a period at zero is a reactivation, as in the
    dbt MRR playbook [1]_ (``change_category``: new, upgrade, downgrade, churn,
    reactivation). The playbook also reports customers' revenue in months before
    2018 as of January 2018 (its month spine starts there) and does not add up
    overlapping subscriptions of one customer (they fan out into several rows);
    cxmetrics adds them.

    References
    ----------
    .. [1] dbt Labs, "mrr-playbook", models/mrr.sql,
       https://github.com/dbt-labs/mrr-playbook

    Examples
    --------
    >>> import cxmetrics as cx
    >>> mv = cx.mrr_movements([[0, 50.00, 75.00, 0], [20.00, 20.00, 10.00, 10.00]])
    >>> mv.new.tolist(), mv.expansion.tolist(), mv.contraction.tolist(), mv.churned.tolist()
    ([5000, 0, 0], [0, 2500, 0], [0, 1000, 0], [0, 0, 7500])
    """
    return _as_matrix(revenue, minor_units).movements()


# ------------------------------------------------------------------ retention


@attrs.frozen(field_transformer=nan_equal_fields)
class RevenueRetentionResult(DisplayMixin):
    r"""Gross or net revenue retention over a window.

    Attributes
    ----------
    value : float
        Retention as a fraction (NRR can exceed 1; GRR is at most 1, and can be
        below 0 with the movements method). NaN without opening MRR.
    n : int
        Paying customers at the start of the window.
    numerator, denominator : int
        MRR in minor units: retained (or, for the movements method, opening
        plus the counted movements) and opening MRR.
    kind : {'gross', 'net'}
    method : {'snapshot', 'movements'}
    start, end : object
        Period labels of the opening and closing snapshots.
    horizon : int
        Periods between them.
    minor_units : int

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90]]
    >>> res = cx.net_revenue_retention(m, horizon=2, minor_units=1)
    >>> res.value, res.numerator, res.denominator, res.n
    (0.65, 130, 200, 2)
    """

    value: float
    n: int
    numerator: int
    denominator: int
    kind: str
    method: RevenueRetentionMethod
    start: Any
    end: Any
    horizon: int
    minor_units: int

    def __str__(self) -> str:
        what = "GRR" if self.kind == "gross" else "NRR"
        return (
            f"{what} {self.value:.4f} ({self.method}, {self.start} -> {self.end}; "
            f"{self.numerator} / {self.denominator} minor units; n={self.n})"
        )


def _retention(
    revenue: RevenueMatrix | ArrayLike,
    kind: str,
    method: RevenueRetentionMethod,
    start: object | None,
    horizon: int,
    minor_units: int,
) -> RevenueRetentionResult:
    check_option("method", method, RevenueRetentionMethod)
    h = check_positive_int("horizon", horizon)
    m = _as_matrix(revenue, minor_units)
    k = m.amounts.shape[1]
    if k < h + 1:
        msg = f"`horizon` ({h}) needs at least {h + 1} periods; the `revenue` matrix has {k}."
        raise InvalidInputError(msg)
    t0 = k - 1 - h if start is None else m.column(start)
    if t0 + h > k - 1:
        msg = f"`start` {m.periods[t0]} leaves fewer than `horizon` ({h}) periods after it."
        raise InvalidInputError(msg)
    base = m.amounts[:, t0]
    cohort = base > 0
    opening = int(base.sum(dtype=np.int64))
    if method == "snapshot":
        later = m.amounts[cohort, t0 + h]
        kept = base[cohort]
        numerator = int(
            (np.minimum(later, kept) if kind == "gross" else later).sum(dtype=np.int64)
        )
    else:
        window = RevenueMatrix(
            m.customers, m.amounts[:, t0 : t0 + h + 1], 0, m.minor_units, None
        )
        mv = window.movements()
        lost = int(mv.contraction.sum()) + int(mv.churned.sum())
        gained = int(mv.expansion.sum()) if kind == "net" else 0
        numerator = opening - lost + gained
    value = numerator / opening if opening > 0 else float("nan")
    if opening == 0:
        msg = f"{'gross' if kind == 'gross' else 'net'} revenue retention is undefined with no MRR at the start of the window; returning NaN."
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)
    labels = m.periods
    return RevenueRetentionResult(
        value=value,
        n=int(np.count_nonzero(cohort)),
        numerator=numerator,
        denominator=opening,
        kind=kind,
        method=method,
        start=labels[t0],
        end=labels[t0 + h],
        horizon=h,
        minor_units=m.minor_units,
    )


_RETENTION_DOC = r"""
    Parameters
    ----------
    revenue : RevenueMatrix or array_like, shape (n, k)
        MRR per customer and period (see :func:`mrr_movements`).
    method : {'snapshot', 'movements'}, default 'snapshot'
        ``'snapshot'`` (cohort method): the customers paying at the end of
        ``start``, their MRR ``horizon`` periods later over their MRR then.
        ``'movements'`` (movement-sum method): opening MRR plus the window's
        movements (expansion for NRR, minus contraction and churn), over the
        opening MRR. The movement sums include customers who joined during the
        window, so this GRR can even fall below 0; the snapshot method follows
        one fixed cohort.
    start : period label, optional
        The opening snapshot (default: the latest one with ``horizon`` periods
        after it).
    horizon : int, default 12
        Periods from the opening to the closing snapshot (12 months: annual).
    minor_units : int, default 100
        For an array ``revenue``: minor units per unit of amount.

    Returns
    -------
    RevenueRetentionResult
        ``value`` as a fraction, with its integer numerator and denominator.

    Warns
    -----
    UndefinedMetricWarning
        When there is no MRR at the start (``value`` is NaN).
"""


def gross_revenue_retention(
    revenue: RevenueMatrix | ArrayLike,
    *,
    method: RevenueRetentionMethod = "snapshot",
    start: object | None = None,
    horizon: int = 12,
    minor_units: int = 100,
) -> RevenueRetentionResult:
    return _retention(revenue, "gross", method, start, horizon, minor_units)


def net_revenue_retention(
    revenue: RevenueMatrix | ArrayLike,
    *,
    method: RevenueRetentionMethod = "snapshot",
    start: object | None = None,
    horizon: int = 12,
    minor_units: int = 100,
) -> RevenueRetentionResult:
    return _retention(revenue, "net", method, start, horizon, minor_units)


gross_revenue_retention.__doc__ = (
    r"""Gross revenue retention (GRR): revenue kept from existing customers, no expansion.

    Snapshot: :math:`\sum_{i \in C} \min(m_{i,t+h}, m_{i,t}) / \sum_{i \in C} m_{i,t}`
    with :math:`C` the customers paying at :math:`t`; each customer counts at
    most what they paid at the start. Movements: :math:`(M_t - \text{contraction}
    - \text{churned}) / M_t` over the window. Always :math:`\le 1` and
    :math:`\le` the NRR of the same window and method.
"""
    + _RETENTION_DOC
    + r"""
    References
    ----------
    .. [1] ChartMogul, "Net MRR churn rate" and "Gross MRR churn rate" in
       "Churn rate formulas" (the movement-sum form),
       https://help.chartmogul.com/hc/en-us/articles/207340419-Churn-rate-formulas

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90], [0, 40, 0]]
    >>> cx.gross_revenue_retention(m, horizon=2, minor_units=1).value
    0.5
    >>> cx.gross_revenue_retention(m, horizon=2, minor_units=1, method="movements").value
    0.3
    """
)

net_revenue_retention.__doc__ = (
    r"""Net revenue retention (NRR): revenue kept from existing customers, with expansion.

    Snapshot: :math:`\sum_{i \in C} m_{i,t+h} / \sum_{i \in C} m_{i,t}` with
    :math:`C` the customers paying at :math:`t` (their comebacks count; new
    customers do not). Movements: :math:`(M_t + \text{expansion} -
    \text{contraction} - \text{churned}) / M_t` over the window (new and
    reactivation MRR left out).
"""
    + _RETENTION_DOC
    + r"""
    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = [[100, 120, 130], [100, 50, 0], [0, 0, 90], [0, 40, 0]]
    >>> cx.net_revenue_retention(m, horizon=2, minor_units=1).value
    0.65
    >>> cx.net_revenue_retention(m, horizon=2, minor_units=1, method="movements").value
    0.45
    """
)
