r"""The BG/BB model of discrete-time repeat buying (Fader, Hardie & Shang 2010).

At each of :math:`n` transaction opportunities an active customer buys with
probability :math:`p \sim \mathrm{Beta}(\alpha, \beta)`; before each
opportunity she becomes inactive with probability
:math:`\theta \sim \mathrm{Beta}(\gamma, \delta)`. For :math:`x` purchases, the
last at opportunity :math:`t_x` (FHS 2010, eq. 5):

.. math::

    L = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
        \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}
      + \sum_{i=0}^{n-t_x-1} \frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
        \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)},

evaluated with ``betaln`` and a log-sum-exp over the terms.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.shapes import as_array, broadcast_shape, errors_named
from cxmetrics._core.validation import check_positive_int
from cxmetrics.clv._fitted import FitResult, model_method, model_parameter
from cxmetrics.clv._inputs import (
    Float,
    check_fit_data,
    positive_alpha,
    positive_beta,
    positive_delta,
    positive_gamma,
    prediction_data,
    purchase_data,
    scalar_or_array,
)
from cxmetrics.exceptions import InvalidInputError

__all__ = ["BGBBModel", "BGBBResult", "bgbb"]


#: within this distance of gamma = 1 the expectations use the two-sided limit
_NEAR_ONE = 1e-6


def _special() -> Any:
    return require("scipy.special", feature="the BG/BB model")


#: most cells (customers x longest run of periods after the last purchase) the
#: BG/BB likelihood sums over: one term per unobserved period, evaluated each step
MAX_BGBB_CELLS = 1_000_000


def _check_table(tx: Float, n: Float) -> None:
    """Refuse, before fitting, a likelihood table past :data:`MAX_BGBB_CELLS`."""
    width = int((n - tx).max()) if n.size else 0
    if n.size * width > MAX_BGBB_CELLS:
        msg = (
            f"the BG/BB likelihood needs {n.size} customers x {width} periods after "
            f"the last purchase (`n_periods` - `recency`) = {n.size * width} terms, "
            "past the limit of "
            f"{MAX_BGBB_CELLS}; use coarser periods (e.g. years, not days) or the "
            "continuous-time BG/NBD."
        )
        raise InvalidInputError(msg)


def _log_terms(params: Float, x: Float, tx: Float, n: Float) -> tuple[Float, Float]:
    """Per row: log of the still-alive term and the log-likelihood."""
    sp = _special()
    a, b, g, d = (float(v) for v in params)
    base = -sp.betaln(a, b) - sp.betaln(g, d)
    alive = sp.betaln(a + x, b + n - x) + sp.betaln(g, d + n) + base
    gaps = (n - tx).astype(np.int64)
    width = int(gaps.max()) if gaps.size else 0
    if width == 0:
        return alive, alive
    i = np.arange(width, dtype=np.float64)
    xx, tt = x[:, None], tx[:, None]
    terms = sp.betaln(a + xx, b + tt - xx + i) + sp.betaln(g + 1.0, d + tt + i) + base
    terms = np.where(i < gaps[:, None], terms, -np.inf)
    stacked = np.concatenate([alive[:, None], terms], axis=1)
    peak = stacked.max(axis=1)
    ll = peak + np.log(np.exp(stacked - peak[:, None]).sum(axis=1))
    return alive, ll


def _prediction_data(
    frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> tuple[Float, Float, Float, tuple[int, ...]]:
    """Validated x, t_x, n of a prediction (errors name `n_periods`), within the table limit."""
    with errors_named({"T": "n_periods"}):
        x, tx, n, shape = prediction_data(frequency, recency, n_periods, discrete=True)
    _check_table(tx.reshape(-1), n.reshape(-1))
    return x, tx, n, shape


@attrs.frozen(field_transformer=nan_equal_fields)
class BGBBModel(DisplayMixin):
    r"""A BG/BB model with known parameters (discrete transaction opportunities).

    Attributes
    ----------
    alpha, beta : float
        Beta distribution of the purchase probability while active.
    gamma, delta : float
        Beta distribution of the drop-out probability per opportunity.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> m = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> round(m.probability_alive(3, 6, 6), 4), round(m.probability_alive(3, 3, 6), 4)
    (0.9304, 0.095)
    """

    parameter_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")
    model_name: ClassVar[str] = "BG/BB"

    alpha: float = attrs.field(converter=positive_alpha)
    beta: float = attrs.field(converter=positive_beta)
    gamma: float = attrs.field(converter=positive_gamma)
    delta: float = attrs.field(converter=positive_delta)

    def _theta(self) -> Float:
        return np.array([self.alpha, self.beta, self.gamma, self.delta])

    def log_likelihood_of(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        *,
        weights: ArrayLike | None = None,
    ) -> float:
        """Log-likelihood of (x, t_x, n) rows under these parameters (FHS 2010, eq. 5).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGBBModel(1.0, 1.0, 1.0, 1.0)
        >>> round(m.log_likelihood_of([0, 2], [0, 3], [4, 4]), 4)
        -4.9352
        """
        with errors_named({"T": "n_periods"}):
            d = purchase_data(frequency, recency, n_periods, weights, discrete=True)
        _check_table(d.recency, d.T)
        ll = _log_terms(self._theta(), d.frequency, d.recency, d.T)[1]
        return float(np.sum(d.weights * ll))

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
    ) -> Any:
        r"""Probability of being active at opportunity :math:`n+1` (FHS 2010, eq. 11).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> round(m.probability_alive(0, 0, 6), 4)
        0.108
        """
        sp = _special()
        x, tx, n, shape = _prediction_data(frequency, recency, n_periods)
        x, tx, n = x.reshape(-1), tx.reshape(-1), n.reshape(-1)
        _, ll = _log_terms(self._theta(), x, tx, n)
        a, b, g, dl = (float(v) for v in self._theta())
        log_next = (
            sp.betaln(a + x, b + n - x)
            - sp.betaln(a, b)
            + sp.betaln(g, dl + n + 1.0)
            - sp.betaln(g, dl)
        )
        return scalar_or_array(np.exp(log_next - ll).reshape(shape))

    def _bracket(self, n: Float, n_star: Float) -> Float:
        r""":math:`\frac{\delta}{\gamma-1}\frac{\Gamma(\gamma+\delta)}{\Gamma(1+\delta)}[\frac{\Gamma(1+\delta+n)}{\Gamma(\gamma+\delta+n)} - \frac{\Gamma(1+\delta+n+n^*)}{\Gamma(\gamma+\delta+n+n^*)}]`."""
        if abs(self.gamma - 1.0) < _NEAR_ONE:
            # removable singularity at gamma = 1: mean of the two sides
            lo = self._bracket_at(1.0 - _NEAR_ONE, n, n_star)
            hi = self._bracket_at(1.0 + _NEAR_ONE, n, n_star)
            return np.asarray((lo + hi) / 2.0, dtype=np.float64)
        return self._bracket_at(self.gamma, n, n_star)

    def _bracket_at(self, g: float, n: Float, n_star: Float) -> Float:
        sp = _special()
        d = self.delta
        a1 = sp.gammaln(1.0 + d + n) - sp.gammaln(g + d + n)
        a2 = sp.gammaln(1.0 + d + n + n_star) - sp.gammaln(g + d + n + n_star)
        lead = math.lgamma(g + d) - math.lgamma(1.0 + d)
        out = d / (g - 1.0) * np.exp(lead + a1) * -np.expm1(a2 - a1)
        return np.asarray(out, dtype=np.float64)

    def expected_purchases(self, n_periods: ArrayLike) -> Any:
        r"""Expected purchases of a new customer in :math:`n` opportunities (FHS 2010, eq. 7).

        .. math::

            E[X(n)] = \frac{\alpha}{\alpha+\beta}\frac{\delta}{\gamma-1}
            \Bigl[1 - \frac{\Gamma(\gamma+\delta)}{\Gamma(1+\delta)}
            \frac{\Gamma(1+\delta+n)}{\Gamma(\gamma+\delta+n)}\Bigr]

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> round(m.expected_purchases(6), 4)
        2.2196
        """
        n = np.asarray(self._periods(n_periods), dtype=np.float64)
        out = self.alpha / (self.alpha + self.beta) * self._bracket(np.zeros_like(n), n)
        return scalar_or_array(out)

    @staticmethod
    def _periods(n: ArrayLike, name: str = "n_periods") -> NDArray[np.int64]:
        arr = as_array(n, name)
        if arr.ndim == 0:
            return np.asarray(check_positive_int(name, arr.item(), minimum=0))
        return np.asarray(
            [check_positive_int(name, v, minimum=0) for v in arr.tolist()]
        )

    def conditional_expected_purchases(
        self,
        n_star: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
    ) -> Any:
        r"""Expected purchases in the next :math:`n^*` opportunities given :math:`(x, t_x, n)`.

        FHS (2010), eq. 13: :math:`\frac{1}{L}\frac{B(\alpha+x+1, \beta+n-x)}{B(\alpha,\beta)}`
        times the bracket of :meth:`expected_purchases` taken from :math:`n` to
        :math:`n+n^*`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGBBModel(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> round(m.conditional_expected_purchases(5, 6, 6, 6), 4)
        3.7521
        """
        sp = _special()
        x, tx, n, shape = _prediction_data(frequency, recency, n_periods)
        ns = np.asarray(self._periods(n_star, "n_star"), dtype=np.float64)
        broadcast_shape({"n_star": ns, "frequency": x})
        _, ll = _log_terms(self._theta(), x.reshape(-1), tx.reshape(-1), n.reshape(-1))
        a, b = self.alpha, self.beta
        lead = sp.betaln(a + x + 1.0, b + n - x) - sp.betaln(a, b)
        out = np.exp(lead - ll.reshape(shape)) * self._bracket(n, ns)
        return scalar_or_array(out)


@attrs.frozen(field_transformer=nan_equal_fields)
class BGBBResult(FitResult[BGBBModel]):
    """A BG/BB model fitted by maximum likelihood, with its diagnostics.

    Holds the fitted :class:`BGBBModel` and answers its predictions
    (``probability_alive``, ``expected_purchases``,
    ``conditional_expected_purchases``, ``log_likelihood_of``).

    Attributes
    ----------
    model : BGBBModel
        The fitted model.
    covariance : ndarray of float64, shape (4, 4)
        Inverse observed information, order (alpha, beta, gamma, delta).
    log_likelihood : float
        Maximised log-likelihood.
    convergence : Convergence
        How the fit ended: ``converged``, ``iterations``, ``gradient_norm``
        and ``message`` (also properties of the result). When not converged a
        :class:`ConvergenceWarning` was issued and ``message`` says why.
    n : float
        Customers (sum of the weights).
    alpha, beta, gamma, delta : float
        Maximum-likelihood estimates (the model's parameters).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.bgbb([0, 1, 2, 3, 1, 0, 2, 4], [0, 1, 3, 4, 4, 0, 2, 4], [4] * 8,
    ...               weights=[400, 200, 150, 100, 80, 300, 120, 60])
    >>> sorted(fit.params)
    ['alpha', 'beta', 'delta', 'gamma']
    """

    _model = BGBBModel
    parameter_names: ClassVar[tuple[str, ...]] = BGBBModel.parameter_names
    model_name: ClassVar[str] = BGBBModel.model_name

    alpha = model_parameter(
        "First parameter of the beta distribution of the purchase probability."
    )
    beta = model_parameter(
        "Second parameter of the beta distribution of the purchase probability."
    )
    gamma = model_parameter(
        "First parameter of the beta distribution of the drop-out probability."
    )
    delta = model_parameter(
        "Second parameter of the beta distribution of the drop-out probability."
    )

    log_likelihood_of = model_method(BGBBModel.log_likelihood_of)
    probability_alive = model_method(BGBBModel.probability_alive)
    expected_purchases = model_method(BGBBModel.expected_purchases)
    conditional_expected_purchases = model_method(
        BGBBModel.conditional_expected_purchases
    )


def bgbb(
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
    *,
    weights: ArrayLike | None = None,
) -> BGBBResult:
    r"""Fit the BG/BB model by maximum likelihood.

    Parameters
    ----------
    frequency : array_like of int
        Repeat transactions :math:`x` in the :math:`n` opportunities.
    recency : array_like of int
        Opportunity :math:`t_x` of the last transaction (0 when x = 0).
    n_periods : array_like of int
        Opportunities observed :math:`n` (0 for a customer first seen at the
        end: likelihood 1, the prior's predictions).
    weights : array_like, optional
        Number of customers with each (x, t_x, n) pattern: the BG/BB's usual
        compressed input.

    Returns
    -------
    BGBBResult
        Estimates, standard errors, log-likelihood, convergence and the
        predictions of :class:`BGBBModel`.

    Raises
    ------
    InvalidInputError
        Invalid summaries; no customer, weights all 0, or no customer with
        :math:`n > 0`.

    Warns
    -----
    ConvergenceWarning
        When the fit did not converge.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base
       analysis in a discrete-time noncontractual setting. *Marketing Science*
       29(6), 1086-1108.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.bgbb([0, 1, 2, 3, 1, 0, 2, 4], [0, 1, 3, 4, 4, 0, 2, 4], [4] * 8,
    ...               weights=[400, 200, 150, 100, 80, 300, 120, 60])
    >>> fit.n
    1410.0
    """
    with errors_named({"T": "n_periods"}):
        d = purchase_data(frequency, recency, n_periods, weights, discrete=True)
    check_fit_data(d, "BG/BB")
    x, tx, n, w = d
    _check_table(tx, n)

    def loglik(theta: Float) -> tuple[float, Float | None]:
        return float(np.sum(w * _log_terms(theta, x, tx, n)[1])), None

    return BGBBResult.fitted(loglik, np.ones(4), float(w.sum()))
