"""Fitted CLV models: the shared summary of a fit and the purchase-model delegation.

A fitted result holds its model (``fit.model``) and answers the model's
predictions by calling it: the methods below keep the names and signatures of
the models' methods.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from numpy.typing import ArrayLike

from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.stats import FittedModel

__all__ = ["FitMethods", "PurchasePredictions"]


class FitMethods(FittedModel):
    """Standard errors by name, a flat dict and a readable summary of a CLV fit."""

    model_name: ClassVar[str]
    n: float

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors by name, from the observed information (NaN if singular)."""
        return {k: self._standard_error(k) for k in self.parameter_names}

    def to_dict(self) -> dict[str, Any]:
        """Estimates, standard errors and diagnostics as a flat dict."""
        out: dict[str, Any] = dict(self.params)
        out.update({f"se_{k}": v for k, v in self.standard_errors.items()})
        out.update(
            log_likelihood=self.log_likelihood,
            n=self.n,
            converged=self.converged,
            message=self.message,
        )
        return out

    def __str__(self) -> str:
        status = "converged" if self.converged else f"NOT converged ({self.message})"
        se = self.standard_errors
        parts = ", ".join(
            f"{k} {v:.4g} (SE {se[k]:.3g})" for k, v in self.params.items()
        )
        return (
            f"{self.model_name} fit ({status}): {parts}; log-likelihood "
            f"{self.log_likelihood:.6g}; n={self.n}"
        )


class _PurchaseModel(Protocol):  # pragma: no cover - a type only
    def log_likelihood_of(
        self,
        frequency: ArrayLike | RFMSummary,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        weights: ArrayLike | None = None,
    ) -> float: ...
    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any: ...
    def expected_purchases(self, t: ArrayLike) -> Any: ...
    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any: ...
    def discounted_expected_transactions(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        steps: int = 12,
        step_length: float = 1.0,
        discount_rate: float = 0.01,
    ) -> Any: ...
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
    ) -> Any: ...


class PurchasePredictions:
    """The predictions of a fitted BG/NBD or Pareto/NBD, asked of ``self.model``."""

    model: _PurchaseModel

    def log_likelihood_of(
        self,
        frequency: ArrayLike | RFMSummary,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        weights: ArrayLike | None = None,
    ) -> float:
        """Log-likelihood of an RFM summary under the fitted parameters (the model's)."""
        return self.model.log_likelihood_of(frequency, recency, T, weights=weights)

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Probability that a customer is still active at T (the model's)."""
        return self.model.probability_alive(frequency, recency, T)

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected purchases of a new customer in (0, t] (the model's)."""
        return self.model.expected_purchases(t)

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in (T, T + t] given (x, t_x, T) (the model's)."""
        return self.model.conditional_expected_purchases(t, frequency, recency, T)

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
        """Discounted expected purchases over ``steps`` future steps (the model's)."""
        return self.model.discounted_expected_transactions(
            frequency,
            recency,
            T,
            steps=steps,
            step_length=step_length,
            discount_rate=discount_rate,
        )

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
        """Discounted CLV over a horizon: margin x spend x DET (the model's)."""
        return self.model.customer_lifetime_value(
            frequency,
            recency,
            T,
            monetary_value,
            margin=margin,
            steps=steps,
            step_length=step_length,
            discount_rate=discount_rate,
        )
