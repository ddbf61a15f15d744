r"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987).

While active, a customer buys as a Poisson process with rate
:math:`\lambda \sim \mathrm{Gamma}(r, \alpha)`; her lifetime is exponential with
rate :math:`\mu \sim \mathrm{Gamma}(s, \beta)`. The likelihood of
:math:`(x, t_x, T)` is (Fader & Hardie 2005, eq. 22)

.. math::

    L = \frac{\Gamma(r+x)\,\alpha^r\beta^s}{\Gamma(r)}\Bigl[
        \frac{1}{(\alpha+T)^{r+x}(\beta+T)^s} + \frac{s}{r+s+x}A_0\Bigr],
    \qquad A_0 = h(t_x) - h(T),

with, for :math:`\alpha \ge \beta`,
:math:`h(t) = {}_2F_1\bigl(r+s+x, s+1; r+s+x+1; \frac{\alpha-\beta}{\alpha+t}\bigr)
/(\alpha+t)^{r+s+x}` and, for :math:`\alpha < \beta`, the same with the roles of
:math:`(\alpha, s+1)` and :math:`(\beta, r+x)` swapped. Each :math:`h` is
evaluated in log space after Euler's transformation, which leaves a
:math:`{}_2F_1(1, B; C; z)` with :math:`C > B > 0` and :math:`0 \le z < 1`: a
series of positive terms bounded by :math:`1/(1-z)`, so nothing overflows for
large :math:`x` or :math:`T`; :math:`\log A_0 = \log h(t_x) +
\operatorname{log1p}(-e^{\log h(T) - \log h(t_x)})` and the two bracket terms
are combined with ``logaddexp``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike

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
    positive_alpha,
    positive_beta,
    positive_r,
    positive_s,
    prediction_data,
    purchase_data,
    scalar_or_array,
    times,
)
from cxmetrics.clv._residual import ResidualMethods
from cxmetrics.clv._rfm import RFMSummary

__all__ = ["ParetoNBDModel", "ParetoNBDResult", "pareto_nbd"]


def _special() -> Any:
    return require("scipy.special", feature="the Pareto/NBD model")


def _log_h(r: float, alpha: float, s: float, beta: float, x: Float, t: Float) -> Float:
    r""":math:`\log h(t)` of the likelihood's :math:`A_0` (see the module docstring)."""
    c = r + s + x + 1.0
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        log_f = np.log(hyp2f1(1.0, r + x, c, z))
        return np.asarray(
            -s * np.log(beta + t) - (r + x) * np.log(alpha + t) + log_f,
            dtype=np.float64,
        )
    z = (beta - alpha) / (beta + t)
    log_f = np.log(hyp2f1(1.0, s + 1.0, c, z))
    return np.asarray(
        -(r + x - 1.0) * np.log(alpha + t) - (s + 1.0) * np.log(beta + t) + log_f,
        dtype=np.float64,
    )


def _parts(
    params: Float, x: Float, tx: Float, big_t: Float
) -> tuple[Float, Float, Float]:
    """Per customer: log of the bracket's two terms and the log-likelihood."""
    sp = _special()
    r, alpha, s, beta = (float(v) for v in params)
    log_alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    h_tx = _log_h(r, alpha, s, beta, x, tx)
    h_t = _log_h(r, alpha, s, beta, x, big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a0 = np.where(
            h_t < h_tx, h_tx + np.log1p(-np.exp(np.minimum(h_t - h_tx, 0.0))), -np.inf
        )
    log_dead = math.log(s) - np.log(r + s + x) + log_a0
    ll = (
        sp.gammaln(r + x)
        - math.lgamma(r)
        + r * math.log(alpha)
        + s * math.log(beta)
        + np.logaddexp(log_alive, log_dead)
    )
    return log_alive, log_dead, np.asarray(ll, dtype=np.float64)


def _expm1_ratio(k: float, length: Float) -> Float:
    r""":math:`(1 - e^{-k L})/k`, with its limit :math:`L` at :math:`k = 0`."""
    if abs(k) < 1e-12:
        return length
    return np.asarray(-np.expm1(-k * length) / k, dtype=np.float64)


@attrs.frozen(field_transformer=nan_equal_fields)
class ParetoNBDModel(ResidualMethods, DisplayMixin):
    r"""A Pareto/NBD purchase model with known parameters.

    Attributes
    ----------
    r, alpha : float
        Shape and rate of the gamma distribution of purchase rates.
    s, beta : float
        Shape and rate of the gamma distribution of drop-out rates.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> round(m.probability_alive(2, 30.43, 38.86), 4)
    0.8692
    """

    parameter_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    model_name: ClassVar[str] = "Pareto/NBD"

    r: float = attrs.field(converter=positive_r)
    alpha: float = attrs.field(converter=positive_alpha)
    s: float = attrs.field(converter=positive_s)
    beta: float = attrs.field(converter=positive_beta)

    def _theta(self) -> Float:
        return np.array([self.r, self.alpha, self.s, self.beta])

    def log_likelihood_of(
        self,
        frequency: ArrayLike | RFMSummary,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        weights: ArrayLike | None = None,
    ) -> float:
        """Log-likelihood of an RFM summary under these parameters.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.ParetoNBDModel(r=1.0, alpha=2.0, s=1.0, beta=3.0)
        >>> round(m.log_likelihood_of([0, 2], [0.0, 3.0], [5.0, 5.0]), 4)
        -5.6861
        """
        d = purchase_data(frequency, recency, T, weights)
        ll = _parts(self._theta(), d.frequency, d.recency, d.T)[2]
        return float(np.sum(d.weights * ll))

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        r"""Probability that a customer is still active at :math:`T`.

        The share of the likelihood's first (still alive) term (Fader & Hardie
        2005, eq. 18), a ratio of two logs: always in [0, 1].

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> m.probability_alive([0, 1, 10], [0.0, 5.0, 5.0], [38.86] * 3).round(4).tolist()
        [0.2953, 0.2553, 0.0001]
        """
        x, tx, big_t, _ = prediction_data(frequency, recency, T)
        log_alive, log_dead, _ = _parts(self._theta(), x, tx, big_t)
        return scalar_or_array(np.exp(log_alive - np.logaddexp(log_alive, log_dead)))

    def expected_purchases(self, t: ArrayLike) -> Any:
        r"""Expected purchases of a new customer in :math:`(0, t]`.

        :math:`E[X(t)] = \frac{r\beta}{\alpha(s-1)}\bigl[1 -
        (\frac{\beta}{\beta+t})^{s-1}\bigr]` (Fader & Hardie 2005, eq. 17; its
        limit :math:`\frac{r\beta}{\alpha}\log(1 + t/\beta)` at :math:`s = 1`).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(m.expected_purchases(39.0), 4)
        1.213
        """
        tt = times(t)
        out = (
            self.r
            / self.alpha
            * self.beta
            * _expm1_ratio(self.s - 1.0, np.log1p(tt / self.beta))
        )
        return scalar_or_array(out)

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        r"""Expected purchases in :math:`(T, T+t]` given :math:`(x, t_x, T)`.

        .. math::

            E[Y(t) \mid x, t_x, T] = \frac{(r+x)(\beta+T)}{(\alpha+T)(s-1)}
            \Bigl[1 - \Bigl(\frac{\beta+T}{\beta+T+t}\Bigr)^{s-1}\Bigr]
            P(\text{alive} \mid x, t_x, T)

        (Fader & Hardie 2005, eq. 19), with ``expm1``/``log1p`` so it stays
        accurate near :math:`s = 1`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(m.conditional_expected_purchases(39, 2, 30.43, 38.86), 4)
        1.4551
        """
        x, _, big_t, _ = prediction_data(frequency, recency, T)
        tt = times(t)
        broadcast_shape({"t": tt, "frequency": x})
        p = np.asarray(self.probability_alive(frequency, recency, T), dtype=np.float64)
        g = _expm1_ratio(self.s - 1.0, np.log1p(tt / (self.beta + big_t)))
        out = (self.r + x) / (self.alpha + big_t) * (self.beta + big_t) * g * p
        return scalar_or_array(out)


@attrs.frozen(field_transformer=nan_equal_fields)
class ParetoNBDResult(PurchasePredictions, FitResult[ParetoNBDModel]):
    """A Pareto/NBD model fitted by maximum likelihood, with its diagnostics.

    Holds the fitted :class:`ParetoNBDModel` and answers its predictions
    (``probability_alive``, ``expected_purchases``,
    ``conditional_expected_purchases``, ``discounted_expected_transactions``,
    ``customer_lifetime_value``, ``log_likelihood_of``).

    Attributes
    ----------
    model : ParetoNBDModel
        The fitted model.
    covariance : ndarray of float64, shape (4, 4)
        Inverse observed information, order (r, alpha, s, beta).
    log_likelihood : float
        Maximised log-likelihood.
    convergence : Convergence
        How the fit ended: ``converged``, ``iterations``, ``gradient_norm``
        and ``message`` (also properties of the result). When not converged a
        :class:`ConvergenceWarning` was issued and ``message`` says why.
    n : float
        Customers (sum of the weights).
    r, alpha, s, beta : float
        Maximum-likelihood estimates (the model's parameters).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.pareto_nbd([0, 0, 1, 1, 2, 3, 5, 8, 12, 2],  # repeat purchases x
    ...     [0, 0, 5, 30, 20, 35, 33, 38, 39, 6],  # t_x
    ...     [40, 30, 40, 38, 40, 39, 40, 40, 40, 40],  # T
    ...     weights=[60, 30, 12, 8, 6, 5, 4, 3, 2, 5])  # customers per row
    >>> sorted(fit.params)
    ['alpha', 'beta', 'r', 's']
    """

    _model = ParetoNBDModel
    parameter_names: ClassVar[tuple[str, ...]] = ParetoNBDModel.parameter_names
    model_name: ClassVar[str] = ParetoNBDModel.model_name

    r = model_parameter("Shape of the gamma distribution of purchase rates.")
    alpha = model_parameter("Rate of the gamma distribution of purchase rates.")
    s = model_parameter("Shape of the gamma distribution of drop-out rates.")
    beta = model_parameter("Rate of the gamma distribution of drop-out rates.")


def pareto_nbd(
    frequency: ArrayLike | RFMSummary,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
) -> ParetoNBDResult:
    r"""Fit the Pareto/NBD model by maximum likelihood.

    Parameters
    ----------
    frequency : array_like or RFMSummary
        Repeat purchases :math:`x`, or an :class:`RFMSummary`.
    recency, T : array_like
        :math:`t_x` and :math:`T`. Customers with T = 0 (first purchase at the
        end of observation) have likelihood 1 and the prior's predictions.
    weights : array_like, optional
        Number of customers with each row.

    Returns
    -------
    ParetoNBDResult
        Estimates, standard errors, log-likelihood, convergence and the
        predictions of :class:`ParetoNBDModel`.

    Raises
    ------
    InvalidInputError
        Invalid summaries (as :func:`bgnbd`); no customer, weights all 0, or
        no customer with T > 0.

    Warns
    -----
    ConvergenceWarning
        When the fit did not converge (the result says why).

    Notes
    -----
    Maximises the log-likelihood of Fader & Hardie (2005), eq. 22, over the
    logs of the parameters with L-BFGS-B (central-difference gradient).

    References
    ----------
    .. [1] Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting
       your customers: who are they and what will they do next? *Management
       Science* 33(1), 1-24.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the
       Pareto/NBD model and related expressions. brucehardie.com/notes/009.
    .. [3] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
       customers" the easy way. *Marketing Science* 24(2), 275-284 (the
       Pareto/NBD fit to CDNOW, for comparison with the BG/NBD).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.pareto_nbd([0, 0, 1, 1, 2, 3, 5, 8, 12, 2],  # repeat purchases x
    ...     [0, 0, 5, 30, 20, 35, 33, 38, 39, 6],  # t_x
    ...     [40, 30, 40, 38, 40, 39, 40, 40, 40, 40],  # T
    ...     weights=[60, 30, 12, 8, 6, 5, 4, 3, 2, 5])  # customers per row
    >>> fit.converged, fit.n, round(fit.log_likelihood, 2)
    (True, 135.0, -512.12)
    >>> {k: round(v, 3) for k, v in fit.params.items()}
    {'r': 0.443, 'alpha': 12.123, 's': 0.402, 'beta': 7.541}
    """
    d = purchase_data(frequency, recency, T, weights)
    check_fit_data(d, "Pareto/NBD")
    x, tx, big_t, w = compress(*d)

    def loglik(theta: Float) -> tuple[float, Float | None]:
        return float(np.sum(w * _parts(theta, x, tx, big_t)[2])), None

    scale = float(w.sum())
    mean_t = max(float(np.average(big_t, weights=w)), 1e-3)
    start = np.array([1.0, mean_t, 1.0, mean_t])
    return ParetoNBDResult.fitted(loglik, start, scale)
