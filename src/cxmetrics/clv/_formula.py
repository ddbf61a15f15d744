r"""Formula CLV: the simple and the discounted closed forms, and CLV from a retention curve.

These need no model fit and no scipy. Every input may be a scalar or an array
(one value per segment or customer; arrays broadcast), and the result carries
its inputs.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_flag,
    check_positive_int,
    parameter_array,
    parameter_scalar,
)
from cxmetrics.exceptions import InvalidInputError

__all__ = ["CLVResult", "clv_from_survival", "clv_retention", "clv_simple"]

Float = NDArray[np.float64]


def _value(x: Float) -> Any:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


@attrs.frozen(field_transformer=nan_equal_fields)
class CLVResult(DisplayMixin):
    """A formula CLV with the inputs it was computed from.

    Attributes
    ----------
    value : float or ndarray of float64
        The customer lifetime value, in the unit of the margin (money per
        customer); an array when an input was an array.
    method : str
        ``"simple"``, ``"retention"`` or ``"survival"``.
    inputs : dict
        The inputs, as given after validation (scalars or arrays).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.clv_retention(100.0, retention=0.8, discount_rate=0.1)
    >>> round(res.value, 4), res.method
    (266.6667, 'retention')
    >>> res.inputs["periods"] is None
    True
    """

    value: Any
    method: str
    inputs: dict[str, Any] = attrs.field(eq=False)

    @property
    def n(self) -> int:
        """Number of values (1 for a scalar CLV)."""
        return int(np.size(self.value))

    def to_dict(self) -> dict[str, Any]:
        """Value, method and inputs as one flat dict.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.clv_simple(50.0, 4.0, 0.3, 3.0).to_dict()["value"]
        180.0
        """
        return {"value": self.value, "method": self.method, **self.inputs}

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}={v!r}" if np.ndim(v) == 0 else f"{k}=<{np.size(v)} values>"
            for k, v in self.inputs.items()
        )
        value = (
            f"{self.value:.6g}" if np.ndim(self.value) == 0 else f"<{self.n} values>"
        )
        return f"CLVResult({self.method}: value {value}; {shown})"


def _money(values: ArrayLike, name: str) -> Float:
    return parameter_array(values, name)


def _check_finite(value: NDArray[np.float64]) -> None:
    bad = ~np.isfinite(value)
    if bad.any():
        i = int(np.argmax(bad.ravel()))
        msg = f"the CLV overflows float64 at index {i}; rescale `margin` (e.g. money in thousands)."
        raise InvalidInputError(msg)


def _finite_product(factors: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """The product of broadcastable factors; shapes that differ or an overflow are refused."""
    try:
        shape = np.broadcast_shapes(*(v.shape for v in factors.values()))
    except ValueError:
        shapes = ", ".join(f"`{k}` {v.shape}" for k, v in factors.items())
        msg = f"the inputs must broadcast together; got shapes {shapes}."
        raise InvalidInputError(msg) from None
    out = np.ones(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for v in factors.values():
            out = out * v
    if not np.isfinite(out).all():
        i = int(np.argmax(~np.isfinite(out).ravel()))
        msg = (
            f"the CLV overflows float64 at index {i} (the product of "
            f"{', '.join(f'`{k}`' for k in factors)} exceeds 1.8e308); rescale the inputs."
        )
        raise InvalidInputError(msg)
    return out


def clv_simple(
    average_order_value: ArrayLike,
    purchase_frequency: ArrayLike,
    margin: ArrayLike,
    lifetime: ArrayLike,
) -> CLVResult:
    r"""Simple CLV: average order value x purchase frequency x margin x lifetime.

    Parameters
    ----------
    average_order_value : float or array_like
        Revenue per order.
    purchase_frequency : float or array_like
        Orders per period (>= 0).
    margin : float or array_like
        Profit share of revenue, in [0, 1].
    lifetime : float or array_like
        Expected customer lifetime, in periods (>= 0; e.g. 1 / churn rate).

    Returns
    -------
    CLVResult
        ``value`` in the money unit of ``average_order_value``.

    Notes
    -----
    :math:`\mathrm{CLV} = \mathrm{AOV} \times f \times m \times L`: the
    undiscounted, constant-behaviour rule of thumb of practitioner texts
    (e.g. Farris et al. 2010, *Marketing Metrics*, ch. 5). It assumes constant
    spend, frequency and margin over a known lifetime and no discounting; prefer
    :func:`clv_retention` or a fitted model when retention or timing matter.

    References
    ----------
    .. [1] Farris, P. W., Bendle, N. T., Pfeifer, P. E. & Reibstein, D. J.
       (2010). *Marketing Metrics* (2nd ed.), chapter 5. Pearson.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.clv_simple(50.0, 4.0, 0.3, 3.0).value
    180.0
    >>> cx.clv_simple([50.0, 80.0], 4.0, 0.3, 3.0).value.tolist()
    [180.0, 288.0]
    """
    aov = _money(average_order_value, "average_order_value")
    f = parameter_array(purchase_frequency, "purchase_frequency", low=0.0)
    m = parameter_array(margin, "margin", low=0.0, high=1.0)
    life = parameter_array(lifetime, "lifetime", low=0.0)
    value = _finite_product(
        {
            "average_order_value": aov,
            "purchase_frequency": f,
            "margin": m,
            "lifetime": life,
        }
    )
    return CLVResult(
        _value(value),
        "simple",
        {
            "average_order_value": _value(aov),
            "purchase_frequency": _value(f),
            "margin": _value(m),
            "lifetime": _value(life),
        },
    )


def clv_retention(
    margin: ArrayLike,
    *,
    retention: ArrayLike | None = None,
    churn: ArrayLike | None = None,
    discount_rate: ArrayLike = 0.0,
    periods: int | None = None,
) -> CLVResult:
    r"""Discounted CLV with a constant retention rate (Gupta & Lehmann 2003).

    Parameters
    ----------
    margin : float or array_like
        Margin per period of a retained customer (money, any sign).
    retention : float or array_like, optional
        Per-period retention probability :math:`r` in [0, 1]. Give this or
        ``churn``.
    churn : float or array_like, optional
        Per-period churn rate, :math:`r = 1 - \text{churn}`.
    discount_rate : float or array_like, default 0
        Per-period discount rate :math:`d \ge 0`.
    periods : int, optional
        Finite horizon :math:`T` in periods; default infinite.

    Returns
    -------
    CLVResult
        ``value`` in the money unit of ``margin``.

    Raises
    ------
    InvalidInputError
        Retention outside [0, 1]; the infinite horizon with ``retention=1`` and
        ``discount_rate=0`` (an infinite value).

    Notes
    -----
    The margin is received at the end of every period the customer survives
    (the first after one retention step), so

    .. math::

        \mathrm{CLV}_T = \sum_{t=1}^{T} \frac{m\,r^t}{(1+d)^t}
        = m\,q\,\frac{1 - q^T}{1 - q}, \quad q = \frac{r}{1+d}, \qquad
        \mathrm{CLV}_\infty = \frac{m\,r}{1 + d - r}

    (Gupta & Lehmann 2003, eq. 2; Gupta, Lehmann & Stuart 2004). Assumptions:
    constant margin and retention, no heterogeneity (with heterogeneous
    customers constant-retention CLV is biased low; see Fader & Hardie 2010 and
    :func:`clv_from_survival` with an sBG curve).

    References
    ----------
    .. [1] Gupta, S. & Lehmann, D. R. (2003). Customers as assets. *Journal of
       Interactive Marketing* 17(1), 9-24.
    .. [2] Gupta, S., Lehmann, D. R. & Stuart, J. A. (2004). Valuing customers.
       *Journal of Marketing Research* 41(1), 7-18.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> round(cx.clv_retention(100.0, retention=0.8, discount_rate=0.1).value, 4)
    266.6667
    >>> round(cx.clv_retention(100.0, churn=0.2, discount_rate=0.1, periods=3).value, 4)
    164.0872
    """
    m = parameter_array(margin, "margin")
    if (retention is None) == (churn is None):
        msg = "give exactly one of `retention` and `churn`."
        raise InvalidInputError(msg)
    if retention is not None:
        r = parameter_array(retention, "retention", low=0.0, high=1.0)
    elif churn is not None:
        r = 1.0 - parameter_array(churn, "churn", low=0.0, high=1.0)
    d = parameter_array(discount_rate, "discount_rate", low=0.0)
    _finite_product({"margin": m, "retention": r, "discount_rate": d})  # shapes agree
    q = r / (1.0 + d)
    if periods is None:
        infinite = np.broadcast_to((r >= 1.0) & (d == 0.0), np.broadcast(m, q).shape)
        if np.any(infinite & (m != 0)):
            i = int(np.argmax(infinite.reshape(-1)))
            msg = (
                "the infinite-horizon CLV is infinite with retention 1 and no "
                f"discounting (at index {i}); pass `periods` or a `discount_rate`."
            )
            raise InvalidInputError(msg)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = np.where(infinite, 0.0, m * r / (1.0 + d - r))
        horizon: int | None = None
    else:
        horizon = check_positive_int("periods", periods, minimum=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            geometric = np.where(
                q == 1.0,
                float(horizon),
                q * -np.expm1(horizon * np.log(np.where(q > 0, q, 1.0))) / (1.0 - q),
            )
        geometric = np.where(q == 0.0, 0.0, geometric)
        with np.errstate(over="ignore"):
            value = m * geometric
    _check_finite(value)
    return CLVResult(
        _value(value),
        "retention",
        {
            "margin": _value(m),
            "retention": _value(r),
            "discount_rate": _value(d),
            "periods": horizon,
        },
    )


def clv_from_survival(
    margin: ArrayLike,
    survival: ArrayLike,
    *,
    discount_rate: float = 0.0,
    initial_margin: bool = False,
) -> CLVResult:
    r"""CLV from a retention (survival) curve: discounted margins weighted by survival.

    Parameters
    ----------
    margin : float or array_like
        Margin per period of an active customer: a scalar, or one value per
        period of ``survival`` (a margin that grows with tenure).
    survival : array_like of float, shape (T,)
        :math:`S(1), \dots, S(T)`: the share of a cohort still active at the
        end of periods 1..T, non-increasing in [0, 1]; for example
        ``cx.sbg(counts).survival(np.arange(1, T + 1))`` or
        ``cx.kaplan_meier(durations, events).survival_at(np.arange(1, T + 1))``.
    discount_rate : float, default 0
        Per-period discount rate.
    initial_margin : bool, default False
        Add the margin of period 0 (paid at acquisition, undiscounted).

    Returns
    -------
    CLVResult
        ``value`` in the money unit of ``margin``.

    Notes
    -----
    .. math::

        \mathrm{CLV} = [m_0] + \sum_{t=1}^{T} \frac{m_t\,S(t)}{(1+d)^t},

    the expected discounted margin of a new customer under the curve (Berger &
    Nasr 1998; with the sBG curve and an infinite horizon this is Fader &
    Hardie 2010's DEL, see :meth:`SBGModel.discounted_expected_lifetime`). The
    curve is truncated at ``T``: the value excludes margins after the last
    period given.

    References
    ----------
    .. [1] Berger, P. D. & Nasr, N. I. (1998). Customer lifetime value:
       marketing models and applications. *Journal of Interactive Marketing*
       12(1), 17-30.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
       contractual setting: the perils of ignoring heterogeneity. *Marketing
       Science* 29(1), 85-93.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> round(cx.clv_from_survival(100.0, [0.8, 0.64, 0.512], discount_rate=0.1).value, 4)
    164.0872
    >>> fit = cx.sbg([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(cx.clv_from_survival(1.0, fit.survival(range(1, 2000)),
    ...       discount_rate=0.1, initial_margin=True).value, 4)
    5.9223
    >>> round(fit.discounted_expected_lifetime(0.1), 4)  # the same, in closed form
    5.9223
    """
    initial_margin = check_flag("initial_margin", initial_margin)
    s = parameter_array(survival, "survival", low=0.0, high=1.0)
    if s.ndim != 1 or s.shape[0] == 0:
        msg = f"`survival` must be a non-empty 1-D curve S(1..T); got shape {s.shape}."
        raise InvalidInputError(msg)
    rising = np.diff(s) > 1e-12
    if rising.any():
        i = int(np.argmax(rising)) + 1
        msg = (
            f"`survival` must be non-increasing; got {s[i]!r} at index {i} after "
            f"{s[i - 1]!r}."
        )
        raise InvalidInputError(msg)
    m = parameter_array(margin, "margin")
    if m.ndim not in (0, 1) or (m.ndim == 1 and m.shape[0] != s.shape[0]):
        msg = (
            "`margin` must be a scalar or one value per period of `survival` "
            f"({s.shape[0]}); got shape {m.shape}."
        )
        raise InvalidInputError(msg)
    d = parameter_scalar(discount_rate, "discount_rate", low=0.0)
    t = np.arange(1, s.shape[0] + 1, dtype=np.float64)
    factors = np.exp(-t * math.log1p(d))
    margins = np.broadcast_to(m, s.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.sum(margins * s * factors))
    _check_finite(np.asarray(value))
    if initial_margin:
        value += float(margins[0])
    return CLVResult(
        value,
        "survival",
        {
            "margin": _value(m),
            "survival": s,
            "discount_rate": d,
            "initial_margin": bool(initial_margin),
        },
    )
