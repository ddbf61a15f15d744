"""Fitting the sBG model by maximum likelihood: the fitted result and the front door.

The model and its projections live in :mod:`cxmetrics.retention._sbg`; the fit
uses the core's maximum-likelihood engine (:mod:`cxmetrics._core.fit`) and needs
scipy (the ``models`` extra).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.fit import (
    Convergence,
    ParameterSpec,
    maximise,
    warn_unconverged,
)
from cxmetrics._core.validation import survivor_counts
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.retention._sbg import (
    _GRADIENT_TOL,
    _LARGE,
    _RUNAWAY,
    _SMALL,
    Float,
    SBGModel,
)
from cxmetrics.stats import ConfidenceInterval, FittedModel
from cxmetrics.typing import ParameterInterval

__all__ = ["SBGResult", "sbg"]


@attrs.frozen(field_transformer=nan_equal_fields)
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
