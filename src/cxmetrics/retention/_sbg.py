r"""The shifted-beta-geometric (sBG) model of contractual retention.

Fader & Hardie (2007): each customer renews every period with her own constant
probability :math:`1 - \theta`, and :math:`\theta` varies across customers as
:math:`\mathrm{Beta}(\alpha, \beta)`. The lifetime :math:`T \in \{1, 2, \dots\}`
(the period in which the customer churns) then has

.. math::

    S(t) = P(T > t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)}, \qquad
    P(T = t) = \frac{B(\alpha + 1, \beta + t - 1)}{B(\alpha, \beta)}, \qquad
    r(t) = \frac{S(t)}{S(t-1)} = \frac{\beta + t - 1}{\alpha + \beta + t - 1},

so the aggregate retention rate :math:`r(t)` rises with tenure (the sorting effect)
although no individual's does. Everything is computed from the recursions
:math:`S(t) = S(t-1)\,r(t)` and :math:`P(t) = S(t-1)\,\alpha/(\alpha+\beta+t-1)`, in
log space, so no beta function is evaluated.

The fit needs scipy (the ``models`` extra); the projections do not.
"""

from __future__ import annotations

import math
from typing import Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.fit import (
    check_positive,
)
from cxmetrics._core.hypergeometric import hyp2f1_series
from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import check_time
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = ["SBGModel"]

Float = NDArray[np.float64]

#: Beyond this, alpha and beta are running off to infinity: the data show no
#: heterogeneity and the geometric model (constant retention) is the limit.
_RUNAWAY = 1e6
#: relative size of the neglected tail of a hypergeometric series
_SERIES_TOL = 1e-17
_SERIES_MAX = 10_000_000
#: above this, a fit no better than the geometric limit is a runaway too
_LARGE = 1e3
#: below this, alpha or beta is heading for the boundary 0
_SMALL = 1e-6
#: largest gradient of the log-likelihood per customer, in log-parameters
_GRADIENT_TOL = 1e-6


def _alpha(value: object) -> float:
    return check_positive("alpha", value)


def _beta(value: object) -> float:
    return check_positive("beta", value)


def _periods(t: ArrayLike, name: str, *, minimum: int) -> NDArray[np.int64]:
    """Whole-number periods ``>= minimum`` as int64 (any shape)."""
    arr = as_array(t, name)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        msg = f"`{name}` must be whole numbers of periods; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    if arr.dtype.kind == "f":
        flat = arr.reshape(-1)
        bad = ~np.isfinite(flat) | (flat != np.floor(flat)) | (np.abs(flat) > 2.0**53)
        if bad.any():
            i = int(np.argmax(bad))
            msg = f"`{name}` must be whole numbers of periods; got {flat[i]!r}."
            raise InvalidInputError(msg)
    out = arr.astype(np.int64)
    if out.size and out.min() < minimum:
        flat = out.reshape(-1)
        i = int(np.argmax(flat < minimum))
        msg = f"`{name}` must be >= {minimum}; got {int(flat[i])}."
        raise InvalidInputError(msg)
    return out


#: longest horizon (in periods) of survival and churn tables: they are built
#: by a recursion over every period up to it
MAX_HORIZON = 10_000_000


def _log_survival_table(alpha: float, beta: float, horizon: int) -> Float:
    """``log S(0..horizon)`` by the recursion, as one cumulative sum.

    Each step is a difference of logs, so extreme parameters (``beta`` 1e-300,
    ``alpha`` 1e300) give finite logs instead of ``log(0)``.
    """
    if horizon > MAX_HORIZON:
        msg = (
            f"`t` must be at most {MAX_HORIZON} periods (the survival table is built "
            f"period by period); got {horizon}."
        )
        raise InvalidInputError(msg)
    i = np.arange(1, horizon + 1, dtype=np.float64)
    steps = np.log(beta + (i - 1.0)) - np.log(alpha + beta + (i - 1.0))
    return np.concatenate(([0.0], np.cumsum(steps)))


def _hyp2f1_one(b: float, c: float, x: float) -> float:
    r""":math:`{}_2F_1(1, b; c; x) = \sum_k (b)_k/(c)_k\,x^k` for :math:`0 \le x < 1`, :math:`c > b > 0`."""
    # terms <= x^k: e^-40 at k; a rate below ~1e-16 rounds x to 1 (log 0)
    if x > 0.0 and (x >= 1.0 or 40.0 / -math.log(x) > _SERIES_MAX):
        msg = (
            f"`discount_rate` must be 0 or at least {math.expm1(40.0 / _SERIES_MAX):.0e}"
            f" (the discounted series needs about 40/log(1 + d) terms, at most {_SERIES_MAX:.0e})."
        )
        raise InvalidInputError(msg)
    out = float(hyp2f1_series(1.0, b, c, x, max_terms=_SERIES_MAX, tol=_SERIES_TOL)[0])
    if math.isnan(out):  # pragma: no cover
        msg = "the discounted lifetime series did not converge; use a larger discount rate."
        raise InvalidInputError(msg)
    return out


@attrs.frozen(field_transformer=nan_equal_fields)
class SBGModel(DisplayMixin):
    r"""A shifted-beta-geometric retention model with known ``alpha`` and ``beta``.

    Periods are counted from acquisition: ``survival(0) == 1`` and ``survival(t)``
    is the share of a cohort still active after ``t`` renewal opportunities.

    Attributes
    ----------
    alpha, beta : float
        Parameters of the beta distribution of the per-period churn probability
        (its mean is :math:`\alpha/(\alpha+\beta)`), both > 0.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> model = cx.SBGModel(alpha=0.668, beta=3.806)
    >>> model.survival([0, 1, 2, 7]).round(4).tolist()
    [1.0, 0.8507, 0.7469, 0.4889]
    >>> round(model.retention_rate(1), 4), round(model.retention_rate(7), 4)
    (0.8507, 0.9362)
    """

    alpha: float = attrs.field(converter=_alpha)
    beta: float = attrs.field(converter=_beta)

    @overload
    def survival(self, t: int) -> float: ...
    @overload
    def survival(self, t: ArrayLike) -> Float: ...
    def survival(self, t: Any) -> Any:
        r"""Share of a cohort still active after ``t`` periods, :math:`S(t)`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> round(cx.SBGModel(1.0, 1.0).survival(3), 6)
        0.25
        """
        periods = _periods(t, "t", minimum=0)
        horizon = int(periods.max()) if periods.size else 0
        out = np.exp(_log_survival_table(self.alpha, self.beta, horizon)[periods])
        return float(out) if out.ndim == 0 else out

    @overload
    def churn_probability(self, t: int) -> float: ...
    @overload
    def churn_probability(self, t: ArrayLike) -> Float: ...
    def churn_probability(self, t: Any) -> Any:
        r"""Probability that a new customer churns in period ``t``, :math:`P(T = t)`, t >= 1.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.SBGModel(1.0, 1.0).churn_probability([1, 2, 3]).round(4).tolist()
        [0.5, 0.1667, 0.0833]
        """
        periods = _periods(t, "t", minimum=1)
        horizon = int(periods.max()) if periods.size else 1
        log_s = _log_survival_table(self.alpha, self.beta, horizon)
        log_p = (
            log_s[periods - 1]
            + np.log(self.alpha)
            - np.log(self.alpha + self.beta + (periods - 1.0))
        )
        out = np.exp(log_p)
        return float(out) if out.ndim == 0 else out

    @overload
    def retention_rate(self, t: int) -> float: ...
    @overload
    def retention_rate(self, t: ArrayLike) -> Float: ...
    def retention_rate(self, t: Any) -> Any:
        r"""Aggregate retention rate in period ``t``, :math:`r(t) = S(t)/S(t-1)`, t >= 1.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.SBGModel(1.0, 1.0).retention_rate([1, 2, 3]).round(4).tolist()
        [0.5, 0.6667, 0.75]
        """
        periods = _periods(t, "t", minimum=1)
        before = periods - 1.0  # added last: beta + t - 1 rounds to 0 for tiny beta
        out = (self.beta + before) / (self.alpha + self.beta + before)
        return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)

    @property
    def mean_churn_probability(self) -> float:
        r"""Mean per-period churn probability across customers, :math:`\alpha/(\alpha+\beta)`."""
        return self.alpha / (self.alpha + self.beta)

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        r"""Discounted expected lifetime of a just-acquired customer, in periods.

        .. math::

            \mathrm{DEL}(d) = \sum_{t=0}^{\infty} \frac{S(t)}{(1+d)^t}
            = {}_2F_1\bigl(1, \beta; \alpha+\beta; \tfrac{1}{1+d}\bigr)

        (Fader & Hardie 2010): the present value, in payments, of a customer who
        pays once per period from acquisition on (the first payment undiscounted).
        Multiply by the margin per period for the expected CLV. With
        ``discount_rate=0`` it is the expected lifetime
        :math:`(\alpha+\beta-1)/(\alpha-1)`, infinite when :math:`\alpha \le 1`.
        A positive rate below 4e-6 is refused (the series would need more than
        10^7 terms).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> round(cx.SBGModel(1.0, 1.0).discounted_expected_lifetime(0.1), 4)
        2.6377
        >>> cx.SBGModel(3.0, 2.0).discounted_expected_lifetime(0.0)
        2.0
        """
        d = check_time("discount_rate", discount_rate)
        if d == 0.0:
            a, b = self.alpha, self.beta
            return (a + b - 1.0) / (a - 1.0) if a > 1.0 else math.inf
        return _hyp2f1_one(self.beta, self.alpha + self.beta, 1.0 / (1.0 + d))

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: int
    ) -> float:
        r"""Discounted expected residual lifetime of a customer with ``renewals`` renewals.

        For a customer who has renewed :math:`n - 1` times and is about to make her
        :math:`n`-th renewal decision (Fader & Hardie 2010):

        .. math::

            \mathrm{DERL}(d \mid n-1) = \sum_{k=1}^{\infty}
                \frac{S(n-1+k)}{S(n-1)\,(1+d)^{k-1}}
            = \frac{\beta+n-1}{\alpha+\beta+n-1}\,
              {}_2F_1\bigl(1, \beta+n; \alpha+\beta+n; \tfrac{1}{1+d}\bigr),

        the present value, in payments, of her future renewals (a payment made at
        the next renewal undiscounted). With ``discount_rate=0`` it is
        :math:`(\beta+n-1)/(\alpha-1)`, infinite when :math:`\alpha \le 1`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> model = cx.SBGModel(alpha=0.668, beta=3.806)
        >>> round(model.discounted_expected_residual_lifetime(0.1, renewals=0), 4)
        5.4149
        >>> round(model.discounted_expected_residual_lifetime(0.1, renewals=7), 4)
        7.5299
        """
        d = check_time("discount_rate", discount_rate)
        if as_array(renewals, "renewals").ndim != 0:
            msg = f"`renewals` must be a single number; got {renewals!r:.40}."
            raise InvalidInputError(msg)
        n_minus_1 = int(_periods(renewals, "renewals", minimum=0))
        b = self.beta + n_minus_1
        a = self.alpha
        if d == 0.0:
            return b / (a - 1.0) if a > 1.0 else math.inf
        return b / (a + b) * _hyp2f1_one(b + 1.0, a + b + 1.0, 1.0 / (1.0 + d))
