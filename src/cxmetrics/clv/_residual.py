r"""Discounted expected residual transactions and CLV of a purchase model.

For a customer with history :math:`(x, t_x, T)` and a model's conditional
expectation :math:`E[Y(t) \mid x, t_x, T]` of purchases in :math:`(T, T+t]`,

.. math::

    \mathrm{DET} = \sum_{i=1}^{n} \frac{E[Y(iL)] - E[Y((i-1)L)]}{(1+d)^{i}},
    \qquad \mathrm{CLV} = m\,\bar z\,\mathrm{DET},

with :math:`n` steps of length :math:`L` time units, a discount rate :math:`d`
per step, a mean spend :math:`\bar z` (e.g. the Gamma-Gamma conditional mean)
and a margin :math:`m`. This is the discrete (monthly by default in lifetimes)
sum of lifetimes' ``customer_lifetime_value``; Fader, Hardie & Lee (2005, "RFM
and CLV", JMR) give the continuous-time DERL it approximates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.shapes import broadcast_shape
from cxmetrics._core.validation import check_positive_int, check_time, parameter_array
from cxmetrics.clv._inputs import scalar_or_array
from cxmetrics.exceptions import InvalidInputError

#: most future steps of a CLV: each step evaluates the model's expected
#: purchases for every customer (1,000 months are 83 years)
MAX_STEPS = 1000

__all__ = ["ResidualMethods"]


class ResidualMethods:
    """Discounted residual transactions and CLV for models with a conditional expectation."""

    #: E[purchases in (T, T + t] | frequency, recency, T]: every model class defines it
    conditional_expected_purchases: Callable[..., Any]

    def _beyond_precision(self, t: Any, big_t: Any = 0.0) -> Any:  # noqa: ARG002  (models override)
        """Where a horizon ``t`` is past what the model computes in float64 (none here)."""
        return np.zeros(np.shape(t), dtype=bool)

    def discounted_expected_transactions(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        steps: int = 12,
        step_length: float = 1.0,
        discount_rate: float = 0.01,
    ) -> Any:
        r"""Discounted expected purchases over ``steps`` future steps (at most 1,000).

        :math:`\sum_{i=1}^{n} (E[Y(iL)] - E[Y((i-1)L)])/(1+d)^i` with
        ``steps`` :math:`n`, ``step_length`` :math:`L` (in the model's time unit)
        and ``discount_rate`` :math:`d` per step (lifetimes'
        ``customer_lifetime_value`` scheme; for weekly data and monthly steps
        use ``step_length=4.345``, lifetimes' factor).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.discounted_expected_transactions(2, 30.43, 38.86, steps=12,
        ...       step_length=4.345, discount_rate=0.01), 4)
        1.4714
        """
        n = check_positive_int("steps", steps, maximum=MAX_STEPS)
        length = check_time("step_length", step_length, positive=True)
        if not math.isfinite(n * length * 2.0):
            msg = f"`steps` x `step_length` must be finite; got {n} x {length:g}."
            raise InvalidInputError(msg)
        d = check_time("discount_rate", discount_rate)
        overflow = (
            f"the expected purchases overflow float64 {n} x {length:g} time units "
            "ahead; use fewer `steps` or a shorter `step_length`."
        )
        if np.any(self._beyond_precision(float(n * length))):
            raise InvalidInputError(overflow)
        previous: Any = 0.0
        total: Any = 0.0
        for i in range(1, n + 1):
            current = np.asarray(
                self.conditional_expected_purchases(i * length, frequency, recency, T)
            )
            try:
                factor = (1.0 + d) ** i
            except OverflowError:  # a huge rate: the step is worth nothing now
                factor = math.inf
            with np.errstate(invalid="ignore"):
                total = total + (current - previous) / factor
            previous = current
        if not np.isfinite(total).all():
            raise InvalidInputError(overflow)
        return scalar_or_array(np.asarray(total, dtype=np.float64))

    def customer_lifetime_value(
        self,
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
        r"""Discounted CLV over a horizon: margin x spend per purchase x DET.

        ``monetary_value`` is the expected value per purchase (for instance
        :meth:`GammaGammaModel.conditional_expected_spend`); ``margin`` the
        share of it that is profit.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> m = cx.BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.customer_lifetime_value(2, 30.43, 38.86, 25.0, steps=12,
        ...       step_length=4.345), 2)
        36.78
        """
        spend = parameter_array(monetary_value, "monetary_value", low=0.0)
        m = check_time("margin", margin)
        det = np.asarray(
            self.discounted_expected_transactions(
                frequency,
                recency,
                T,
                steps=steps,
                step_length=step_length,
                discount_rate=discount_rate,
            )
        )
        broadcast_shape({"monetary_value": spend, "frequency": det})
        with np.errstate(over="ignore", invalid="ignore"):
            out = m * spend * det
        if not np.isfinite(out).all():
            msg = (
                "the CLV overflows float64 (the product of `margin`, `monetary_value` "
                "and the discounted purchases exceeds 1.8e308); rescale the inputs."
            )
            raise InvalidInputError(msg)
        return scalar_or_array(out)
