"""Fitted CLV models: the shared summary of a fit and the delegation to its model.

A fitted result holds its model (``fit.model``) and answers the model's
parameters and predictions by asking it: :class:`model_parameter` and
:class:`model_method` write that delegation once, keeping the model's names,
signatures and (for methods) docstrings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import (
    Any,
    ClassVar,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
    overload,
)

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.fit import (
    Convergence,
    LogLik,
    ParameterSpec,
    maximise,
    warn_unconverged,
)
from cxmetrics.clv._residual import ResidualMethods
from cxmetrics.clv._rfm import RFMSummary
from cxmetrics.stats import FittedModel

__all__ = [
    "FitMethods",
    "FitResult",
    "PurchasePredictions",
    "model_method",
    "model_parameter",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_M = TypeVar("_M")


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


@attrs.frozen(field_transformer=nan_equal_fields)
class FitResult(FitMethods, DisplayMixin, Generic[_M]):
    """The fields every fitted CLV model has: its model and the fit's diagnostics.

    A model's result class subclasses ``FitResult[ItsModel]`` and sets
    ``parameter_names`` and ``model_name``; see the public result classes for the
    fields' meaning.
    """

    model: _M
    covariance: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    log_likelihood: float
    convergence: Convergence
    n: float

    #: the model class: its ``parameter_names``, ``model_name`` and constructor
    _model: ClassVar[Any]

    @classmethod
    def fitted(
        cls,
        loglik: LogLik,
        start: ArrayLike,
        n: float,
        *extra: float,
        lower: tuple[float, ...] | None = None,
    ) -> Self:
        """Maximise ``loglik`` from ``start``, warn if not converged, build the result.

        ``n`` (customers, the sum of the weights) also scales the likelihood;
        ``extra`` are the fields a result adds after ``n``; ``lower`` the
        parameters' lower bounds (default 0).
        """
        model = cls._model
        names = model.parameter_names
        fit = maximise(
            loglik,
            start,
            ParameterSpec(names) if lower is None else ParameterSpec(names, lower),
            scale=n,
            feature=f"fitting the {model.model_name} model",
        )
        # the user's call of the fitting function: it calls this, which calls warn
        warn_unconverged(model.model_name, fit.convergence, stacklevel=4)
        params = model(*fit.params)
        return cls(
            params, fit.covariance, fit.log_likelihood, fit.convergence, n, *extra
        )


class model_parameter:  # noqa: N801  (used like ``property``)
    """A fitted result's estimate of a model parameter: ``fit.r`` is ``fit.model.r``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.gamma_gamma([1, 1, 1, 2, 2, 3, 4, 1, 2, 6],
    ...                      [5.0, 80.0, 12.0, 35.5, 150.0, 18.0, 25.0, 30.0, 9.0, 40.0])
    >>> round(fit.p, 4), fit.p == fit.model.p
    (1.5042, True)
    >>> type(fit).p.__doc__  # the descriptor carries the parameter's documentation
    "Shape of the gamma distribution of a customer's purchase values."
    """

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> float: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Self | float:
        if obj is None:
            return self
        value: float = getattr(getattr(obj, "model"), self.name)  # noqa: B009
        return value


class model_method(Generic[_P, _R]):  # noqa: N801  (used like a method)
    """A fitted result's prediction: ``fit.f(...)`` is ``fit.model.f(...)``.

    Made from the model's method, whose signature and docstring it keeps.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> fit = cx.gamma_gamma([1, 1, 1, 2, 2, 3, 4, 1, 2, 6],
    ...                      [5.0, 80.0, 12.0, 35.5, 150.0, 18.0, 25.0, 30.0, 9.0, 40.0])
    >>> fit.conditional_expected_spend(2, 10.0) == fit.model.conditional_expected_spend(2, 10.0)
    True
    """

    def __init__(self, method: Callable[Concatenate[Any, _P], _R]) -> None:
        self.name = method.__name__
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> Callable[_P, _R]: ...
    def __get__(
        self, obj: object | None, owner: type | None = None
    ) -> Self | Callable[_P, _R]:
        if obj is None:
            return self
        method: Callable[_P, _R] = getattr(getattr(obj, "model"), self.name)  # noqa: B009
        return method


class _PurchaseModel(Protocol):  # pragma: no cover - a type only
    """The predictions a BG/NBD and a Pareto/NBD model share, by signature."""

    def log_likelihood_of(
        self,
        frequency: ArrayLike | RFMSummary,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        weights: ArrayLike | None = None,
    ) -> float:
        """Log-likelihood of an RFM summary under the fitted parameters (the model's)."""

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Probability that a customer is still active at T (the model's)."""

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected purchases of a new customer in (0, t] (the model's)."""

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in (T, T + t] given (x, t_x, T) (the model's)."""


class PurchasePredictions:
    """The predictions of a fitted BG/NBD or Pareto/NBD, asked of ``self.model``."""

    log_likelihood_of = model_method(_PurchaseModel.log_likelihood_of)
    probability_alive = model_method(_PurchaseModel.probability_alive)
    expected_purchases = model_method(_PurchaseModel.expected_purchases)
    conditional_expected_purchases = model_method(
        _PurchaseModel.conditional_expected_purchases
    )
    discounted_expected_transactions = model_method(
        ResidualMethods.discounted_expected_transactions
    )
    customer_lifetime_value = model_method(ResidualMethods.customer_lifetime_value)
