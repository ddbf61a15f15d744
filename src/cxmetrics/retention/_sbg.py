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
from collections.abc import Sequence
from typing import Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.fit import (
    Convergence,
    ParameterSpec,
    check_positive,
    maximise,
    warn_unconverged,
)
from cxmetrics._core.hypergeometric import hyp2f1_series
from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import check_time, survivor_counts
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.stats import FittedModel
from cxmetrics.stats._interval import ConfidenceInterval
from cxmetrics.typing import ParameterInterval

__all__ = ["SBGModel", "SBGResult", "sbg"]

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
    if x > 0.0 and 40.0 / -math.log(x) > _SERIES_MAX:  # terms <= x^k: e^-40 at k
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


@attrs.frozen
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


@attrs.frozen
class SBGResult(FittedModel, DisplayMixin):
    r"""An sBG model fitted by maximum likelihood, with its uncertainty and diagnostics.

    Holds the fitted :class:`SBGModel` and answers its projections
    (``survival``, ``retention_rate``, ``churn_probability``,
    ``mean_churn_probability``, discounted lifetimes).

    Attributes
    ----------
    model : SBGModel
        The fitted model.
    covariance : ndarray of float64, shape (2, 2)
        Inverse of the observed information (the negative Hessian of the
        log-likelihood at the estimate), order (alpha, beta).
    log_likelihood : float
        Maximised log-likelihood.
    convergence : Convergence
        How the fit ended: ``converged`` (an interior maximum with a positive
        definite information matrix), ``iterations``, ``gradient_norm`` and
        ``message``, also properties of the result. When not converged a
        :class:`ConvergenceWarning` was issued and ``message`` says why.
    n : int
        Customers at the start, over all cohorts.
    n_cohorts : int
        Cohorts fitted.
    n_periods : int
        Longest observed history, in periods.
    alpha, beta : float
        Maximum-likelihood estimates (the model's parameters).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(fit.alpha, 3), round(fit.beta, 3), fit.converged
    (0.668, 3.806, True)
    """

    parameter_names: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    model: SBGModel
    covariance: Float = attrs.field(converter=frozen_float, eq=array_eq)
    log_likelihood: float
    convergence: Convergence
    n: int
    n_cohorts: int
    n_periods: int

    @property
    def alpha(self) -> float:
        """First parameter of the beta distribution of the churn probability."""
        return self.model.alpha

    @property
    def beta(self) -> float:
        """Second parameter of the beta distribution of the churn probability."""
        return self.model.beta

    @property
    def standard_errors(self) -> tuple[float, float]:
        """Standard errors of (alpha, beta) from the observed information.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
        >>> [round(se, 3) for se in fit.standard_errors]
        [0.104, 0.786]
        """
        return self._standard_error("alpha"), self._standard_error("beta")

    def confidence_interval(
        self,
        parameter: str = "alpha",
        confidence_level: float = 0.95,
        *,
        method: ParameterInterval = "log",
    ) -> ConfidenceInterval:
        r"""Confidence interval for ``alpha`` or ``beta``.

        ``method='log'`` (default) is the Wald interval on the log scale,
        :math:`\hat\theta \exp(\pm z\,\mathrm{SE}/\hat\theta)`, which stays positive;
        ``'wald'`` is :math:`\hat\theta \pm z\,\mathrm{SE}`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
        >>> [round(b, 3) for b in fit.confidence_interval("beta")]
        [2.54, 5.704]
        """
        return super().confidence_interval(parameter, confidence_level, method=method)

    @overload
    def survival(self, t: int) -> float: ...
    @overload
    def survival(self, t: ArrayLike) -> Float: ...
    def survival(self, t: Any) -> Any:
        """Share of a cohort still active after ``t`` periods (the model's)."""
        return self.model.survival(t)

    @overload
    def churn_probability(self, t: int) -> float: ...
    @overload
    def churn_probability(self, t: ArrayLike) -> Float: ...
    def churn_probability(self, t: Any) -> Any:
        """Probability that a new customer churns in period ``t`` (the model's)."""
        return self.model.churn_probability(t)

    @overload
    def retention_rate(self, t: int) -> float: ...
    @overload
    def retention_rate(self, t: ArrayLike) -> Float: ...
    def retention_rate(self, t: Any) -> Any:
        """Aggregate retention rate in period ``t`` (the model's)."""
        return self.model.retention_rate(t)

    @property
    def mean_churn_probability(self) -> float:
        """Mean per-period churn probability across customers (the model's)."""
        return self.model.mean_churn_probability

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """Discounted expected lifetime of a just-acquired customer (the model's)."""
        return self.model.discounted_expected_lifetime(discount_rate)

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: int
    ) -> float:
        """Discounted expected residual lifetime after ``renewals`` renewals (the model's)."""
        return self.model.discounted_expected_residual_lifetime(discount_rate, renewals)

    def __str__(self) -> str:
        se_a, se_b = self.standard_errors
        status = "converged" if self.converged else f"NOT converged ({self.message})"
        return (
            f"sBG fit ({status}): alpha {self.alpha:.4g} (SE {se_a:.3g}), beta "
            f"{self.beta:.4g} (SE {se_b:.3g}); log-likelihood {self.log_likelihood:.6g}; "
            f"n={self.n} in {self.n_cohorts} cohort(s) over {self.n_periods} period(s)"
        )


def _sufficient(cohorts: list[NDArray[np.int64]]) -> tuple[Float, Float]:
    """Churned and still-active counts per period 1..T, pooled over cohorts."""
    horizon = max(c.size for c in cohorts) - 1
    lost = np.zeros(horizon + 1)
    alive = np.zeros(horizon + 1)
    for c in cohorts:
        k = c.size - 1
        lost[1 : k + 1] += -np.diff(c)
        alive[k] += c[-1]
    return lost, alive


def _log_likelihood(
    alpha: float, beta: float, lost: Float, alive: Float, *, derivatives: bool
) -> tuple[float, Float, Float]:
    """Log-likelihood, gradient and Hessian in (alpha, beta)."""
    horizon = lost.size - 1
    t = np.arange(1, horizon + 1, dtype=np.float64)
    u = 1.0 / (beta + t - 1.0)
    w = 1.0 / (alpha + beta + t - 1.0)
    log_s = np.concatenate(([0.0], np.cumsum(np.log((beta + t - 1.0) * w))))
    log_p = log_s[:-1] + np.log(alpha * w)
    ll = float(np.dot(lost[1:], log_p) + np.dot(alive, log_s))
    if not derivatives:
        return ll, np.zeros(2), np.zeros((2, 2))
    # derivatives of log S(t), t = 0..T
    sa = np.concatenate(([0.0], np.cumsum(-w)))
    sb = np.concatenate(([0.0], np.cumsum(u - w)))
    saa = np.concatenate(([0.0], np.cumsum(w * w)))
    sbb = np.concatenate(([0.0], np.cumsum(w * w - u * u)))
    # log P(t) = log S(t-1) + log alpha - log(alpha + beta + t - 1)
    pa = sa[:-1] + 1.0 / alpha - w
    pb = sb[:-1] - w
    paa = saa[:-1] - 1.0 / alpha**2 + w * w
    pab = saa[:-1] + w * w
    pbb = sbb[:-1] + w * w
    lo = lost[1:]
    grad = np.array(
        [np.dot(lo, pa) + np.dot(alive, sa), np.dot(lo, pb) + np.dot(alive, sb)]
    )
    haa = np.dot(lo, paa) + np.dot(alive, saa)
    hab = np.dot(lo, pab) + np.dot(alive, saa)
    hbb = np.dot(lo, pbb) + np.dot(alive, sbb)
    return ll, grad, np.array([[haa, hab], [hab, hbb]])


def _geometric_log_likelihood(lost: Float, alive: Float) -> float:
    """Maximised log-likelihood of the homogeneous (geometric) limit of the sBG."""
    t = np.arange(lost.size, dtype=np.float64)
    churned = float(lost.sum())
    exposure = float(np.dot(lost, t) + np.dot(alive, t))
    p = churned / exposure
    if p <= 0.0 or p >= 1.0:
        return -math.inf
    return churned * math.log(p) + (exposure - churned) * math.log1p(-p)


def _cohorts(survivors: Any) -> list[NDArray[np.int64]]:
    if isinstance(survivors, np.ndarray) and survivors.ndim == 2:
        return [
            survivor_counts(row, f"survivors[{i}]") for i, row in enumerate(survivors)
        ]
    if (
        isinstance(survivors, Sequence)
        and not isinstance(survivors, str)
        and len(survivors) > 0
        and all(np.ndim(c) == 1 for c in survivors)
    ):
        return [survivor_counts(c, f"survivors[{i}]") for i, c in enumerate(survivors)]
    return [survivor_counts(survivors, "survivors")]


def sbg(
    survivors: ArrayLike | Sequence[ArrayLike],
) -> SBGResult:
    r"""Fit the shifted-beta-geometric retention model by maximum likelihood.

    Parameters
    ----------
    survivors : array_like of int, or a sequence of them
        For one cohort: the number of customers active at the start
        (``survivors[0]``, the cohort size) and after each period
        (``survivors[t]``). For several cohorts (acquired at different times, so
        observed for different numbers of periods): a list of such arrays, or a
        2-D array with one cohort per row.

    Returns
    -------
    SBGResult
        ``alpha``, ``beta`` with their ``covariance`` and ``standard_errors``,
        the ``log_likelihood``, the convergence status, and the projections of
        :class:`SBGModel`.

    Raises
    ------
    InvalidInputError
        Counts that are not whole, negative, increasing, or a cohort without a
        positive start or a later period.
    MissingDependencyError
        When scipy (the ``models`` extra) is not installed.

    Warns
    -----
    ConvergenceWarning
        When the optimiser fails or the estimates run off to infinity (the data
        show constant retention, the homogeneous geometric limit); the result then
        has ``converged=False`` and says why in ``message``.

    Notes
    -----
    With :math:`L_t` customers churning in period :math:`t` and :math:`A_t` still
    active when their cohort's history ends after :math:`t` periods, pooled over
    cohorts (they are the sufficient statistics),

    .. math::

        \ell(\alpha, \beta) = \sum_t L_t \log P(T = t) + \sum_t A_t \log S(t)

    (Fader & Hardie 2007, eq. 6 and its multi-cohort form). It is maximised over
    :math:`(\log\alpha, \log\beta)` by the library's one maximum-likelihood
    engine (scipy's L-BFGS-B, then Newton steps with the exact gradient and
    Hessian); the standard errors come from the observed information
    :math:`-\nabla^2\ell` at the estimate.

    References
    ----------
    .. [1] Fader, P. S. & Hardie, B. G. S. (2007). How to project customer
       retention. *Journal of Interactive Marketing* 21(1), 76-90.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
       contractual setting: the perils of ignoring heterogeneity. *Marketing
       Science* 29(1), 85-93.

    Examples
    --------
    The "high end" customers of Fader & Hardie (2007), first seven years:

    >>> import cxmetrics as cx
    >>> fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(fit.alpha, 3), round(fit.beta, 3), round(fit.log_likelihood, 2)
    (0.668, 3.806, -1611.16)
    >>> fit.survival([8, 12]).round(3).tolist()
    [0.46, 0.378]
    """
    cohorts = _cohorts(survivors)
    lost, alive = _sufficient(cohorts)
    if lost.sum() == 0:
        msg = "no customer churned in `survivors`: retention is 100% and alpha, beta are not identified."
        raise InvalidInputError(msg)
    if lost[2:].sum() + alive[1:].sum() == 0:
        msg = "every customer churned in the first period: alpha, beta are not identified."
        raise InvalidInputError(msg)
    if lost.size < 3:
        msg = (
            "`survivors` must cover at least two periods: one period identifies only "
            "the mean churn probability alpha / (alpha + beta)."
        )
        raise InvalidInputError(msg)
    scale = float(sum(int(c[0]) for c in cohorts))

    def loglik(theta: Float) -> tuple[float, Float | None]:
        ll, grad, _ = _log_likelihood(
            float(theta[0]), float(theta[1]), lost, alive, derivatives=True
        )
        return ll, grad

    def hessian(theta: Float) -> Float:
        return _log_likelihood(
            float(theta[0]), float(theta[1]), lost, alive, derivatives=True
        )[2]

    fit = maximise(
        loglik,
        np.ones(2),
        ParameterSpec(("alpha", "beta")),
        scale=scale,
        feature="fitting the sBG model (`sbg`)",
        hessian_fn=hessian,
        gradient_tol=_GRADIENT_TOL,
        max_relative_se=None,
    )
    alpha, beta = (float(v) for v in fit.params)
    report = _limits(fit.convergence, alpha, beta, fit.log_likelihood, lost, alive)
    warn_unconverged("sBG", report)
    return SBGResult(
        SBGModel(alpha, beta),
        fit.covariance,
        fit.log_likelihood,
        report,
        int(scale),
        len(cohorts),
        int(lost.size - 1),
    )


def _limits(
    report: Convergence,
    alpha: float,
    beta: float,
    ll: float,
    lost: Float,
    alive: Float,
) -> Convergence:
    """The engine's report, overruled where the estimate heads for a limit of the sBG."""
    message = report.message
    converged = report.converged
    if max(alpha, beta) > _RUNAWAY or (
        max(alpha, beta) > _LARGE and ll - _geometric_log_likelihood(lost, alive) < 1e-6
    ):
        converged = False
        message = (
            f"alpha and beta grow without bound (alpha={alpha:.3g}, beta={beta:.3g}): "
            "the retention rate looks constant over tenure, so the data show no "
            "heterogeneity; the geometric model with churn probability "
            f"{alpha / (alpha + beta):.4g} is the limit"
        )
    if min(alpha, beta) < _SMALL:
        converged = False
        message = (
            f"alpha or beta shrinks towards 0 (alpha={alpha:.3g}, beta={beta:.3g}): the "
            "maximum is on the boundary, where customers either churn at once or never"
        )
    return attrs.evolve(report, converged=converged, message=message)
