r"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, JMR).

A customer's purchase values are gamma with shape :math:`p` and rate
:math:`\nu`, and :math:`\nu \sim \mathrm{Gamma}(q, \gamma)` across customers;
spend is assumed independent of the purchase process. The mean
:math:`\bar z` of :math:`x` purchases has the density (Fader & Hardie 2013,
eq. 4)

.. math::

    f(\bar z \mid p, q, \gamma, x) = \frac{\Gamma(px+q)}{\Gamma(px)\Gamma(q)}
    \frac{\gamma^q\,\bar z^{px-1}\,x^{px}}{(\gamma + x\bar z)^{px+q}},

and the conditional expected spend is the weighted mean
:math:`E[Z \mid \bar z, x] = \frac{p(\gamma + x\bar z)}{px+q-1}` of the population
mean :math:`p\gamma/(q-1)` and the customer's :math:`\bar z`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar, NamedTuple

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import parameter_array, weights_array
from cxmetrics.clv._fitted import FitResult, model_method, model_parameter
from cxmetrics.clv._inputs import (
    Float,
    positive_gamma,
    positive_p,
    positive_q,
    scalar_or_array,
)
from cxmetrics.clv._residual import ResidualMethods
from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.exceptions import DataWarning, InvalidInputError, InvalidInputTypeError

__all__ = ["GammaGammaModel", "GammaGammaResult", "gamma_gamma"]


class _Spend(NamedTuple):
    """Validated spend data: x, zbar, weights and the customer ids (if known)."""

    x: Float
    z: Float
    w: Float
    ids: NDArray[Any] | None


#: largest mean spend per purchase the Gamma-Gamma model takes (float64 headroom)
MAX_SPEND = 1e15


def _where(i: int, ids: NDArray[Any] | None) -> str:
    return f"at index {i}" if ids is None else f"for customer {ids[i].item()!r}"


def _spend_data(
    frequency: ArrayLike | RFMSummary,
    monetary_value: ArrayLike | None,
    weights: ArrayLike | None,
) -> _Spend:
    ids: NDArray[Any] | None = None
    if isinstance(frequency, RFMSummary):
        if monetary_value is not None:
            msg = "pass either an RFMSummary or `frequency` and `monetary_value`, not both."
            raise InvalidInputError(msg)
        summary = frequency
        ids = summary.customers
        frequency, monetary_value = summary.frequency, summary.monetary_value
    if monetary_value is None:
        msg = "`monetary_value` is needed with `frequency` (or pass an RFMSummary)."
        raise InvalidInputError(msg)
    x = parameter_array(frequency, "frequency", low=0.0, whole=True)
    z = parameter_array(monetary_value, "monetary_value")
    try:
        x, z = (a.reshape(-1) for a in np.broadcast_arrays(x, z))
    except ValueError:
        msg = (
            f"`monetary_value` must have the same length as `frequency` "
            f"({np.size(x)}); got {np.size(z)}."
        )
        raise InvalidInputError(msg) from None
    negative = z < 0
    if negative.any():
        i = int(np.argmax(negative))
        msg = (
            f"`monetary_value` must be >= 0 (a mean spend per purchase); got "
            f"{float(z[i])!r} {_where(i, ids)} ({int(negative.sum())} such row(s)); "
            "refunds larger than the purchases leave no spend to model: drop or "
            "correct these customers."
        )
        raise InvalidInputError(msg)
    huge = z > MAX_SPEND
    if huge.any():
        i = int(np.argmax(huge))
        msg = (
            f"`monetary_value` must be at most {MAX_SPEND:g} (the documented limit of "
            f"the spend model, whose likelihood squares sums of spend); got "
            f"{float(z[i])!r} {_where(i, ids)}. Rescale the money (e.g. to thousands)."
        )
        raise InvalidInputError(msg)
    w = (
        np.ones(x.shape[0])
        if weights is None
        else weights_array(weights, x.shape[0], like="frequency")
    )
    return _Spend(x, z, w, ids)


@attrs.frozen(field_transformer=nan_equal_fields)
class GammaGammaModel(DisplayMixin):
    r"""A Gamma-Gamma spend model with known parameters.

    Attributes
    ----------
    p : float
        Shape of the gamma distribution of a customer's purchase values.
    q, gamma : float
        Shape and rate of the gamma distribution of the purchase-value rate
        :math:`\nu` across customers. Predictions need :math:`q > 1` (the
        population mean spend :math:`p\gamma/(q-1)` is infinite otherwise) and
        raise :class:`InvalidInputError` for :math:`q \le 1`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
    >>> round(m.mean_spend, 2)
    35.22
    >>> m.conditional_expected_spend([1, 10], [20.0, 20.0]).round(2).tolist()
    [24.64, 20.64]
    """

    parameter_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")
    model_name: ClassVar[str] = "Gamma-Gamma"

    p: float = attrs.field(converter=positive_p)
    q: float = attrs.field(converter=positive_q)
    gamma: float = attrs.field(converter=positive_gamma)

    @property
    def mean_spend(self) -> float:
        r"""Population mean spend per purchase :math:`p\gamma/(q-1)` (inf when q <= 1)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else math.inf

    def conditional_expected_spend(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> Any:
        r"""Expected spend per purchase given :math:`x` purchases averaging :math:`\bar z`.

        :math:`p(\gamma + x\bar z)/(px+q-1)` (Fader, Hardie & Lee 2005, JMR,
        eq. 5; Fader & Hardie 2013, eq. 8); the population mean for x = 0. A
        mean spend of 0 with x > 0 (refunds netted, free items) is a valid
        input: the expectation shrinks towards 0 as x grows, and stays positive.

        Raises
        ------
        InvalidInputError
            When ``q <= 1`` (the expectation needs :math:`q > 1`), or for a
            negative ``monetary_value``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
        >>> round(m.conditional_expected_spend(0, 0.0), 2)
        35.22
        >>> m.conditional_expected_spend([1, 5], [0.0, 0.0]).round(2).tolist()
        [10.73, 2.84]
        """
        if self.q <= 1.0:
            msg = (
                f"expected spend needs `q` > 1 (the population mean spend "
                f"p*gamma/(q-1) is infinite otherwise); this model has q = {self.q:g}. "
                "Refit, or check the fit's `converged` and `message`."
            )
            raise InvalidInputError(msg)
        x, z, _, _ = _spend_data(frequency, monetary_value, None)
        # p(gamma + x z)/(p x + q - 1) = (1 - w) mean + w z with w = p x/(p x + q - 1):
        # a weighted mean, so no overflow for huge x or z (w from (q - 1)/(p x))
        with np.errstate(divide="ignore"):
            w = 1.0 / (1.0 + (self.q - 1.0) / self.p / x)
        out = (1.0 - w) * self.mean_spend + w * z
        shape = np.broadcast_shapes(np.shape(frequency), np.shape(monetary_value))
        return scalar_or_array(out.reshape(shape))

    def customer_lifetime_value(
        self,
        purchase_model: Any,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        *,
        margin: float = 1.0,
        steps: int = 12,
        step_length: float = 1.0,
        discount_rate: float = 0.01,
    ) -> Any:
        """CLV: a purchase model's discounted expected purchases x expected spend.

        ``purchase_model`` is a BG/NBD or Pareto/NBD model (fitted or not); see
        its ``customer_lifetime_value`` for ``steps``, ``step_length`` and
        ``discount_rate``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> bg = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> gg = cx.GammaGammaModel(p=6.25, q=3.74, gamma=15.44)
        >>> round(gg.customer_lifetime_value(bg, 2, 30.43, 38.86, 22.35,
        ...       steps=12, step_length=4.345), 2)
        36.29
        """
        # a model, or a fitted result holding one
        if not isinstance(
            getattr(purchase_model, "model", purchase_model), ResidualMethods
        ):
            msg = (
                "`purchase_model` must be a BG/NBD or Pareto/NBD model (e.g. "
                f"cx.bgnbd(...)); got {type(purchase_model).__name__} {purchase_model!r:.60}."
            )
            raise InvalidInputTypeError(msg)
        spend = self.conditional_expected_spend(frequency, monetary_value)
        return purchase_model.customer_lifetime_value(
            frequency,
            recency,
            T,
            spend,
            margin=margin,
            steps=steps,
            step_length=step_length,
            discount_rate=discount_rate,
        )


def _log_likelihood(
    params: Float, x: Float, z: Float, w: Float
) -> tuple[float, Float | None]:
    sp = require("scipy.special", feature="the Gamma-Gamma model")
    p, q, g = (float(v) for v in params)
    px = p * x
    log_gxz = np.log(g + x * z)
    ll_i = (
        sp.gammaln(px + q)
        - sp.gammaln(px)
        - math.lgamma(q)
        + q * math.log(g)
        + (px - 1.0) * np.log(z)
        + px * np.log(x)
        - (px + q) * log_gxz
    )
    dg = sp.digamma(px + q)
    d_p = x * (dg - sp.digamma(px) + np.log(z) + np.log(x) - log_gxz)
    d_q = dg - sp.digamma(q) + math.log(g) - log_gxz
    d_g = q / g - (px + q) / (g + x * z)
    grad = np.array([np.sum(w * d) for d in (d_p, d_q, d_g)])
    return float(np.sum(w * ll_i)), grad


@attrs.frozen(field_transformer=nan_equal_fields)
class GammaGammaResult(FitResult[GammaGammaModel]):
    """A Gamma-Gamma model fitted by maximum likelihood, with its diagnostics.

    Holds the fitted :class:`GammaGammaModel` and answers its predictions
    (``mean_spend``, ``conditional_expected_spend``,
    ``customer_lifetime_value``).

    Attributes
    ----------
    model : GammaGammaModel
        The fitted model.
    covariance : ndarray of float64, shape (3, 3)
        Inverse observed information, order (p, q, gamma).
    log_likelihood : float
        Maximised log-likelihood.
    convergence : Convergence
        How the fit ended: ``converged``, ``iterations``, ``gradient_norm``
        and ``message`` (also properties of the result). When not converged a
        :class:`ConvergenceWarning` was issued and ``message`` says why.
    n : float
        Customers in the fit: with a repeat purchase and a positive mean spend
        (sum of their weights).
    n_excluded : float
        Customers left out: no repeat purchase, or a mean spend of 0.
    n_zero_spend : float
        Of those, customers with repeat purchases but a mean spend of 0
        (refunds netted, free items); a :class:`DataWarning` counted them.
    p, q, gamma : float
        Maximum-likelihood estimates (the model's parameters).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.gamma_gamma([1, 1, 1, 2, 2, 3, 4, 1, 2, 6, 0],
    ...                      [5.0, 80.0, 12.0, 35.5, 150.0, 18.0, 25.0, 30.0, 9.0, 40.0, 0.0])
    >>> fit.n, fit.n_excluded
    (10.0, 1.0)
    """

    _model = GammaGammaModel
    parameter_names: ClassVar[tuple[str, ...]] = GammaGammaModel.parameter_names
    model_name: ClassVar[str] = GammaGammaModel.model_name

    n_excluded: float
    n_zero_spend: float = 0.0

    p = model_parameter(
        "Shape of the gamma distribution of a customer's purchase values."
    )
    q = model_parameter("Shape of the gamma distribution of the purchase-value rate.")
    gamma = model_parameter(
        "Rate of the gamma distribution of the purchase-value rate."
    )
    mean_spend = model_parameter("Population mean spend per purchase (the model's).")

    conditional_expected_spend = model_method(
        GammaGammaModel.conditional_expected_spend
    )
    customer_lifetime_value = model_method(GammaGammaModel.customer_lifetime_value)


def gamma_gamma(
    frequency: ArrayLike | RFMSummary,
    monetary_value: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
) -> GammaGammaResult:
    r"""Fit the Gamma-Gamma spend model by maximum likelihood.

    Parameters
    ----------
    frequency : array_like or RFMSummary
        Repeat purchases :math:`x` (customers with x = 0 carry no spend
        information and are left out, counted in ``n_excluded``), or an
        :class:`RFMSummary` (then errors and warnings name its customers).
    monetary_value : array_like
        Mean value :math:`\bar z` of the repeat purchases, >= 0. Customers
        with x > 0 and :math:`\bar z = 0` (refunds netted, free items) are
        left out of the fit with a :class:`DataWarning` and counted in
        ``n_zero_spend`` (the density needs :math:`\bar z > 0`, as in
        lifetimes and PyMC-Marketing); predictions still accept them.
    weights : array_like, optional
        Number of customers with each row.

    Returns
    -------
    GammaGammaResult
        Estimates, standard errors, log-likelihood, convergence and the
        predictions of :class:`GammaGammaModel`.

    Raises
    ------
    InvalidInputError
        A negative mean spend, or no customer with x > 0, a positive mean
        spend and a positive weight (nothing to fit).

    Warns
    -----
    DataWarning
        When customers with repeat purchases but a mean spend of 0 are left out.
    ConvergenceWarning
        When the fit did not converge, in particular when the likelihood rises
        towards :math:`q = 1` (the unconstrained maximum has :math:`q \le 1`,
        where the expected spend is infinite or negative).

    Notes
    -----
    Maximises the sum of :math:`w_i \log f(\bar z_i \mid p, q, \gamma, x_i)` with
    L-BFGS-B and the analytic gradient over :math:`\log p`,
    :math:`\log(q - 1)` and :math:`\log\gamma`: the conditional expectation
    :math:`p(\gamma + x\bar z)/(px+q-1)` needs :math:`q > 1`, so the
    estimate always satisfies it. The model assumes spend independent of
    frequency; check the correlation of :math:`x` and :math:`\bar z` first
    (Fader & Hardie 2013).

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV:
       using iso-value curves for customer base analysis. *Journal of Marketing
       Research* 42(4), 415-430.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of
       monetary value. brucehardie.com/notes/025.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.gamma_gamma([1, 1, 1, 2, 2, 3, 4, 1, 2, 6],
    ...                      [5.0, 80.0, 12.0, 35.5, 150.0, 18.0, 25.0, 30.0, 9.0, 40.0])
    >>> fit.converged
    True
    """
    x, z, w, ids = _spend_data(frequency, monetary_value, weights)
    repeat = x > 0
    zero = repeat & (z <= 0)
    keep = repeat & ~zero
    n_zero = float(w[zero].sum())
    n_excluded = float(w[~keep].sum())
    if zero.any():
        shown = np.flatnonzero(zero)[:3]
        examples = ", ".join(
            repr(ids[i].item()) if ids is not None else str(int(i)) for i in shown
        )
        more = ", ..." if int(zero.sum()) > shown.shape[0] else ""
        warnings.warn(
            f"{n_zero:g} customer(s) with repeat purchases but a mean spend of 0 "
            f"({'customers' if ids is not None else 'indices'} {examples}{more}) "
            "are left out of the Gamma-Gamma fit, whose density needs positive "
            "spend; they are counted in `n_zero_spend` and their expected spend "
            "can still be predicted.",
            DataWarning,
            stacklevel=2,
        )
    rows = x.shape[0]
    x, z, w = x[keep], z[keep], w[keep]
    if not x.shape[0]:
        msg = (
            "no customer has a repeat purchase (`frequency` > 0) with a positive mean "
            f"spend: nothing to fit ({rows} row(s), {int(np.count_nonzero(zero))} "
            "with repeat purchases and a `monetary_value` of 0)."
        )
        raise InvalidInputError(msg)
    total = float(w.sum())
    if total <= 0:
        msg = (
            "the Gamma-Gamma fit needs a positive total weight over the customers "
            "with a repeat purchase and a positive mean spend; theirs is 0."
        )
        raise InvalidInputError(msg)

    def loglik(theta: Float) -> tuple[float, Float | None]:
        return _log_likelihood(theta, x, z, w)

    mean_z = float(np.average(z, weights=w))
    start = np.array([1.0, 2.0, mean_z])
    return GammaGammaResult.fitted(
        loglik, start, total, n_excluded, n_zero, lower=(0.0, 1.0, 0.0)
    )
