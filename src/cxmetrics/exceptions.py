"""Exceptions and warnings raised by cxmetrics.

Every error is a :class:`CXMetricsError`, so ``except CXMetricsError`` catches
everything the library raises on purpose. Each is also the built-in error its kind
calls for (:class:`ValueError`; :class:`TypeError` for a wrong kind of argument;
:class:`ImportError` for a missing extra), so code that already catches those
keeps working (as numpy's ``AxisError`` is both a ``ValueError`` and an
``IndexError``). Messages name the argument in backticks, state
the rule, and show the offending value with its index.

Examples
--------
>>> import cxmetrics as cx
>>> from cxmetrics.exceptions import InvalidInputError
>>> try:
...     cx.nps([10, 11, 3])
... except InvalidInputError as err:
...     print(err)
`responses` must lie in [0, 10]; got 11 at index 1 (1 value(s) out of range).
"""

from __future__ import annotations

__all__ = [
    "CXMetricsError",
    "ConvergenceWarning",
    "DataWarning",
    "IncompatibleStateError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "MissingDependencyError",
    "MissingValueError",
    "UndefinedMetricWarning",
]


class CXMetricsError(ValueError):
    """Base class of every cxmetrics error (a :class:`ValueError`)."""


class InvalidInputError(CXMetricsError):
    """An argument has a value outside its rules (range, shape, length, option)."""


class MissingValueError(InvalidInputError):
    """Missing values (NaN/None) were found and ``nan_policy='raise'``."""


class IncompatibleStateError(CXMetricsError):
    """Two states built with different parameters (scale, scheme, keys) were merged."""


class InvalidInputTypeError(TypeError, CXMetricsError):
    """An argument has the wrong kind (dtype, class), a :class:`TypeError`."""


class MissingDependencyError(ImportError, CXMetricsError):
    """An optional dependency is needed; the message names the extra to install."""


class UndefinedMetricWarning(RuntimeWarning):
    """The metric is undefined for this input (e.g. zero responses); NaN returned."""


class ConvergenceWarning(RuntimeWarning):
    """A fitted model's optimiser did not converge; the result says why."""


class DataWarning(UserWarning):
    """Some rows were left out of a computation by a documented rule; the warning counts them."""
