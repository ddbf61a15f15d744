r"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005).

While active, a customer buys as a Poisson process with rate
:math:`\lambda \sim \mathrm{Gamma}(r, \alpha)`; after every purchase she becomes
inactive with probability :math:`p \sim \mathrm{Beta}(a, b)`. For a customer
with :math:`x` repeat purchases, the last at :math:`t_x`, observed for :math:`T`,

.. math::

    L = \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)}\,
        \frac{B(a, b+x)}{B(a, b)}
        \left[(\alpha+T)^{-(r+x)}
        + \delta_{x>0}\,\frac{a}{b+x-1}(\alpha+t_x)^{-(r+x)}\right]

(FHL 2005, eq. 6), evaluated in log space with ``logaddexp``. The
hypergeometric functions of the predictions are evaluated after Euler's
transformation :math:`{}_2F_1(A,B;C;z) = (1-z)^{C-A-B}{}_2F_1(C-A,C-B;C;z)`, which
turns the product of a vanishing power and a huge series (where lifetimes
overflows for large :math:`x`) into a series near 1.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, NamedTuple

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.hypergeometric import hyp2f1
from cxmetrics._core.optional import require
from cxmetrics._core.shapes import broadcast_shape
from cxmetrics.clv._fitted import FitResult, PurchasePredictions, model_parameter
from cxmetrics.clv._inputs import (
    Float,
    check_fit_data,
    compress,
    positive_a,
    positive_alpha,
    positive_b,
    positive_r,
    prediction_data,
    purchase_data,
    scalar_or_array,
    times,
)
from cxmetrics.clv._residual import ResidualMethods
from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.exceptions import InvalidInputError

__all__ = ["BGNBDModel", "BGNBDResult", "bgnbd"]


#: within this distance of a = 1 the predictions use the two-sided limit
_A_NEAR_ONE = 1e-6


def _special() -> Any:
    return require("scipy.special", feature="the BG/NBD model")


class _Data(NamedTuple):
    """A summary prepared for repeated likelihood evaluations.

    Terms that depend on the frequency alone are evaluated once per distinct
    frequency and weighted by the customers having it (``wx``).
    """

    ux: Float
    inv: NDArray[np.intp]
    wx: Float
    x: Float
    tx: Float
    T: Float
    w: Float
    pos: NDArray[np.bool_]


def _prepare(x: Float, tx: Float, big_t: Float, w: Float) -> _Data:
    ux, inv = np.unique(x, return_inverse=True)
    inv = inv.reshape(-1)
    wx = np.bincount(inv, weights=w, minlength=ux.shape[0]).astype(np.float64)
    return _Data(ux, inv, wx, x, tx, big_t, w, x > 0)


def _log_likelihood(
    params: Float, d: _Data, *, gradient: bool
) -> tuple[float, Float | None]:
    sp = _special()
    r, alpha, a, b = (float(v) for v in params)
    ux, w, pos = d.ux, d.w, d.pos
    total_w = float(d.wx.sum())
    log_at = np.log(alpha + d.T)
    rx = r + d.x
    a3 = -rx * log_at
    tail = a3.copy()
    # rows with a repeat purchase add the "dropped out after the last purchase" term
    with np.errstate(divide="ignore", invalid="ignore"):
        log_b1 = np.log(b + ux - 1.0)
    log_atx = np.log(alpha + d.tx[pos])
    a4 = math.log(a) - log_b1[d.inv[pos]] - rx[pos] * log_atx
    tail[pos] = np.logaddexp(a3[pos], a4)
    per_x = sp.gammaln(r + ux) + sp.gammaln(b + ux) - sp.gammaln(a + b + ux)
    const = -math.lgamma(r) + r * math.log(alpha) + math.lgamma(a + b) - math.lgamma(b)
    ll = const * total_w + float(np.sum(d.wx * per_x)) + float(np.sum(w * tail))
    if not gradient:
        return ll, None
    # weights of the two terms of the bracket: w3 + w4 = 1
    w4 = np.zeros_like(tail)
    w4[pos] = np.exp(a4 - tail[pos])
    w3 = 1.0 - w4
    ww3 = w * w3
    ww4 = w * w4
    dg_abx = sp.digamma(a + b + ux)
    log_atx_all = np.zeros_like(tail)
    log_atx_all[pos] = log_atx
    inv_b1 = np.where(ux > 0, 1.0 / np.where(ux > 0, b + ux - 1.0, 1.0), 0.0)
    w4_by_x = np.bincount(d.inv, weights=ww4, minlength=ux.shape[0])
    d_r = (
        float(np.sum(d.wx * (sp.digamma(r + ux) - sp.digamma(r))))
        + math.log(alpha) * total_w
        - float(np.sum(ww3 * log_at + ww4 * log_atx_all))
    )
    d_alpha = r / alpha * total_w - float(
        np.sum(ww3 * rx / (alpha + d.T) + ww4 * rx / (alpha + d.tx))
    )
    d_a = float(np.sum(d.wx * (sp.digamma(a + b) - dg_abx))) + float(np.sum(ww4)) / a
    d_b = float(
        np.sum(d.wx * (sp.digamma(a + b) + sp.digamma(b + ux) - sp.digamma(b) - dg_abx))
    ) - float(np.sum(w4_by_x * inv_b1))
    return ll, np.array([d_r, d_alpha, d_a, d_b])


@attrs.frozen(field_transformer=nan_equal_fields)
class BGNBDModel(ResidualMethods, DisplayMixin):
    r"""A BG/NBD purchase model with known parameters.

    Times are in the unit of the RFM summary it was fitted to (weeks for the
    CDNOW examples).

    Attributes
    ----------
    r, alpha : float
        Shape and rate of the gamma distribution of purchase rates.
    a, b : float
        Parameters of the beta distribution of the drop-out probability.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(m.probability_alive(2, 30.43, 38.86), 4)
    0.7266
    >>> m.probability_alive(0, 0.0, 38.86)
    1.0
    """

    parameter_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    model_name: ClassVar[str] = "BG/NBD"

    r: float = attrs.field(converter=positive_r)
    alpha: float = attrs.field(converter=positive_alpha)
    a: float = attrs.field(converter=positive_a)
    b: float = attrs.field(converter=positive_b)

    def log_likelihood_of(
        self,
        frequency: ArrayLike | RFMSummary,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        weights: ArrayLike | None = None,
    ) -> float:
        """Log-likelihood of an RFM summary under these parameters (FHL 2005, eq. 6).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=1.0, alpha=2.0, a=1.0, b=3.0)
        >>> round(m.log_likelihood_of([0, 2], [0.0, 3.0], [5.0, 5.0]), 4)
        -5.6927
        """
        d = purchase_data(frequency, recency, T, weights)
        theta = np.array([self.r, self.alpha, self.a, self.b])
        data = _prepare(d.frequency, d.recency, d.T, d.weights)
        return _log_likelihood(theta, data, gradient=False)[0]

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        r"""Probability that a customer is still active at :math:`T`.

        .. math::

            P(\text{alive} \mid x, t_x, T) = \Bigl[1 + \delta_{x>0}
            \frac{a}{b+x-1}\Bigl(\frac{\alpha+T}{\alpha+t_x}\Bigr)^{r+x}\Bigr]^{-1}

        (FHL 2005, eq. 11), from the log of the odds, so it stays in [0, 1] for
        any :math:`x`; exactly 1 for :math:`x = 0`. Needs no scipy.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.probability_alive([0, 1, 10], [0.0, 5.0, 5.0], [38.86] * 3).round(4).tolist()
        [1.0, 0.3148, 0.0]
        """
        x, tx, big_t, _ = prediction_data(frequency, recency, T)
        pos = x > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = (
                math.log(self.a)
                - np.log(np.where(pos, self.b + x - 1.0, 1.0))
                + (self.r + x) * (np.log(self.alpha + big_t) - np.log(self.alpha + tx))
            )
        # 1 / (1 + e^lo) = exp(-log(1 + e^lo)): keeps tiny probabilities (no 1 - 1)
        out = np.where(pos, np.exp(-np.logaddexp(0.0, log_odds)), 1.0)
        return scalar_or_array(out)

    def _beyond_precision(self, t: Any, big_t: Any = 0.0) -> Any:
        """Where ``t / (alpha + T + t)`` rounds to 1 in float64 (the series is undefined)."""
        with np.errstate(invalid="ignore"):
            return (t / (self.alpha + big_t + t) == 1.0) & np.isfinite(t)

    def _check_horizon(self, t: Float, big_t: Float) -> None:
        """Refuse a ``t`` past float64 precision (never a silent inf)."""
        bad = np.asarray(self._beyond_precision(t, big_t))
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            msg = (
                f"`t` = {float(np.ravel(t)[i])!r} (at flat index {i}) is beyond the range where "
                "the BG/NBD expectation is computable in float64: t / (alpha + T) must "
                "stay below about 1e15."
            )
            raise InvalidInputError(msg)

    def _conditional(self, t: Float, x: Float, big_t: Float) -> Float:
        """Expected purchases in (T, T + t] of an *active* customer, by Euler's transform."""
        if abs(self.a - 1.0) < _A_NEAR_ONE:
            # removable singularity at a = 1: the mean of both sides is exact to
            # O(eps^2), the rounding error of each side ~1e-16 / eps
            lo = self._conditional_at(1.0 - _A_NEAR_ONE, t, x, big_t)
            hi = self._conditional_at(1.0 + _A_NEAR_ONE, t, x, big_t)
            out = np.asarray((lo + hi) / 2.0, dtype=np.float64)
        else:
            out = self._conditional_at(self.a, t, x, big_t)
        return out

    def _conditional_at(self, a: float, t: Float, x: Float, big_t: Float) -> Float:
        r, alpha, b = self.r, self.alpha, self.b
        z = t / (alpha + big_t + t)
        big_a, big_b, c = a + b - 1.0 - r, a - 1.0, a + b + x - 1.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_pw = (a - 1.0) * np.log1p(-z)
            f = hyp2f1(big_a, big_b, c, z)
            one_minus = np.where(
                f > 0, -np.expm1(log_pw + np.log(np.abs(f))), 1.0 - np.exp(log_pw) * f
            )
            out = c / (a - 1.0) * one_minus
            # c = a + b - 1 <= 0 (x = 0, a + b <= 1): scipy's 2F1 has a pole or NaN
            # there; take c * F(c) from Gauss' contiguous relation in c, which
            # only needs F(c + 1) and F(c + 2) (c + 1 = a + b > 0)
            small = c < 0.5
            if np.any(small):
                f1 = hyp2f1(big_a, big_b, c + 1.0, z)
                f2 = hyp2f1(big_a, big_b, c + 2.0, z)
                cf = -(
                    (c + 1.0) * (c - (2.0 * c + 1.0 - big_a - big_b) * z) * f1
                    + (c + 1.0 - big_a) * (c + 1.0 - big_b) * z * f2
                ) / ((c + 1.0) * (z - 1.0))
                out = np.where(small, (c - np.exp(log_pw) * cf) / (a - 1.0), out)
            # large a and b (a fit running off to a fixed dropout probability):
            # the transformed 2F1 overflows, while FHL's own form (eq. 10), a
            # series of positive terms with ratio below z, stays finite
            bad = ~np.isfinite(out)
            if np.any(bad):
                direct = hyp2f1(r + x, b + x, c, z)
                alt = c / (a - 1.0) * -np.expm1((r + x) * np.log1p(-z) + np.log(direct))
                out = np.where(bad, alt, out)
        out = np.where(t == 0, 0.0, out)
        if not np.all(np.isfinite(out)):
            msg = (
                f"expected purchases cannot be evaluated in float64 for this model "
                f"(r={self.r:g}, alpha={self.alpha:g}, `a`={self.a:g}, `b`={self.b:g}): "
                "a and b this large say the data do not identify them (see the fit's "
                "convergence message); refit on more data or use a simpler model."
            )
            raise InvalidInputError(msg)
        return np.asarray(out, dtype=np.float64)

    def expected_purchases(self, t: ArrayLike) -> Any:
        r"""Expected purchases of a new customer in :math:`(0, t]`, :math:`E[X(t)]`.

        .. math::

            E[X(t)] = \frac{a+b-1}{a-1}\Bigl[1 - \Bigl(\frac{\alpha}{\alpha+t}\Bigr)^r
            {}_2F_1\bigl(r, b; a+b-1; \tfrac{t}{\alpha+t}\bigr)\Bigr]

        (FHL 2005, eq. 9).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.expected_purchases(39.0), 4), round(m.expected_purchases(78.0), 4)
        (1.1967, 1.8605)
        """
        tt = times(t)
        zero = np.zeros_like(tt)
        self._check_horizon(tt, zero)
        return scalar_or_array(self._conditional(tt, zero, zero))

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        r"""Expected purchases in :math:`(T, T+t]` given :math:`(x, t_x, T)`.

        .. math::

            E[Y(t) \mid x, t_x, T] = \frac{a+b+x-1}{a-1}
            \Bigl[1 - \Bigl(\frac{\alpha+T}{\alpha+T+t}\Bigr)^{r+x}
            {}_2F_1\bigl(r+x, b+x; a+b+x-1; \tfrac{t}{\alpha+T+t}\bigr)\Bigr]
            P(\text{alive} \mid x, t_x, T)

        (FHL 2005, eq. 10).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.conditional_expected_purchases(39, 2, 30.43, 38.86), 4)
        1.226
        """
        x, _, big_t, _ = prediction_data(frequency, recency, T)
        tt = times(t)
        broadcast_shape({"t": tt, "frequency": x})
        self._check_horizon(tt, big_t)
        p = np.asarray(self.probability_alive(frequency, recency, T), dtype=np.float64)
        return scalar_or_array(self._conditional(tt, x, big_t) * p)


@attrs.frozen(field_transformer=nan_equal_fields)
class BGNBDResult(PurchasePredictions, FitResult[BGNBDModel]):
    """A BG/NBD model fitted by maximum likelihood, with its diagnostics.

    Holds the fitted :class:`BGNBDModel` and answers its predictions
    (``probability_alive``, ``expected_purchases``,
    ``conditional_expected_purchases``, ``discounted_expected_transactions``,
    ``customer_lifetime_value``, ``log_likelihood_of``).

    Attributes
    ----------
    model : BGNBDModel
        The fitted model.
    covariance : ndarray of float64, shape (4, 4)
        Inverse observed information, order (r, alpha, a, b).
    log_likelihood : float
        Maximised log-likelihood.
    convergence : Convergence
        How the fit ended: ``converged``, ``iterations``, ``gradient_norm``
        and ``message`` (also properties of the result). When not converged a
        :class:`ConvergenceWarning` was issued and ``message`` says why.
    n : float
        Customers (sum of the weights).
    r, alpha, a, b : float
        Maximum-likelihood estimates (the model's parameters).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.bgnbd([0, 0, 1, 1, 2, 3, 5, 8, 12, 2],  # repeat purchases x
    ...     [0, 0, 5, 30, 20, 35, 33, 38, 39, 6],  # t_x
    ...     [40, 30, 40, 38, 40, 39, 40, 40, 40, 40],  # T
    ...     weights=[60, 30, 12, 8, 6, 5, 4, 3, 2, 5])  # customers per row
    >>> fit.converged, sorted(fit.params)
    (True, ['a', 'alpha', 'b', 'r'])
    >>> isinstance(fit.model, cx.BGNBDModel)
    True
    """

    _model = BGNBDModel
    parameter_names: ClassVar[tuple[str, ...]] = BGNBDModel.parameter_names
    model_name: ClassVar[str] = BGNBDModel.model_name

    r = model_parameter("Shape of the gamma distribution of purchase rates.")
    alpha = model_parameter("Rate of the gamma distribution of purchase rates.")
    a = model_parameter(
        "First parameter of the beta distribution of the drop-out probability."
    )
    b = model_parameter(
        "Second parameter of the beta distribution of the drop-out probability."
    )


def bgnbd(
    frequency: ArrayLike | RFMSummary,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
) -> BGNBDResult:
    r"""Fit the BG/NBD model by maximum likelihood.

    Parameters
    ----------
    frequency : array_like or RFMSummary
        Repeat purchases :math:`x`, or an :class:`RFMSummary` (then leave
        ``recency`` and ``T`` out).
    recency, T : array_like
        :math:`t_x` and :math:`T`, in one time unit. A customer first seen at
        the end of observation (T = 0) had no time at risk: her likelihood
        term is 1, she is counted in ``n`` and her predictions are the prior's.
    weights : array_like, optional
        Number of customers with each row (for compressed data).

    Returns
    -------
    BGNBDResult
        Estimates, standard errors, log-likelihood, convergence and the
        predictions of :class:`BGNBDModel`.

    Raises
    ------
    InvalidInputError
        Non-integer or negative frequency, recency outside [0, T], recency > 0
        with frequency 0 or recency 0 with frequency > 0 (named by customer for
        an RFM summary), T < 0; no customer, weights all 0, or no customer
        with T > 0 (nothing to fit).
    MissingDependencyError
        When scipy (the ``models`` extra) is missing.

    Warns
    -----
    ConvergenceWarning
        When the fit did not converge (the result says why).

    Notes
    -----
    Maximises the log-likelihood of FHL (2005), eq. 6, over the logs of the four
    parameters with L-BFGS-B and its analytic gradient (digamma terms); the
    standard errors come from the observed information.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
       customers" the easy way: an alternative to the Pareto/NBD model.
       *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.bgnbd([0, 0, 1, 1, 2, 3, 5, 8, 12, 2],  # repeat purchases x
    ...     [0, 0, 5, 30, 20, 35, 33, 38, 39, 6],  # t_x
    ...     [40, 30, 40, 38, 40, 39, 40, 40, 40, 40],  # T
    ...     weights=[60, 30, 12, 8, 6, 5, 4, 3, 2, 5])  # customers per row
    >>> print(round(fit.log_likelihood, 3))
    -512.919
    """
    d = purchase_data(frequency, recency, T, weights)
    check_fit_data(d, "BG/NBD")
    x, tx, big_t, w = compress(*d)
    data = _prepare(x, tx, big_t, w)

    def loglik(theta: Float) -> tuple[float, Float | None]:
        return _log_likelihood(theta, data, gradient=True)

    scale = float(w.sum())
    start = np.array([1.0, max(float(np.average(big_t, weights=w)), 1e-3), 1.0, 1.0])
    return BGNBDResult.fitted(loglik, start, scale)
