"""The one check of an option: a value against the ``Literal`` alias that lists it.

Every public option's allowed values are written once, as a ``Literal`` alias in
:mod:`cxmetrics.typing`; front doors pass that alias here (``check_option("method",
method, ProportionMethod)``) in their first lines, before any pass over the data.
A bad value raises :class:`~cxmetrics.exceptions.InvalidInputError` naming the
argument, the value and the allowed values, with a suggestion for a near miss.

Examples
--------
>>> from cxmetrics._core.options import check_option, option_values
>>> from cxmetrics.typing import NanPolicy
>>> option_values(NanPolicy)
('raise', 'omit')
>>> check_option("nan_policy", "omit", NanPolicy)
'omit'
>>> check_option("nan_policy", "omitt", NanPolicy)
Traceback (most recent call last):
...
cxmetrics.exceptions.InvalidInputError: `nan_policy` must be one of ('raise', 'omit'); got 'omitt'. Did you mean 'omit'?
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from typing import Any, Literal, TypeVar, get_args, get_origin

from cxmetrics.exceptions import InvalidInputError

__all__ = ["check_option", "option_values"]

_T = TypeVar("_T")


def _literal_values(alias: Any) -> tuple[Any, ...]:
    out: list[Any] = []
    for arg in get_args(alias):
        out.extend(_literal_values(arg) if get_origin(arg) is Literal else (arg,))
    return tuple(out)


#: values of the aliases seen, by id (the alias is kept, so its id is never reused)
_SEEN: dict[int, tuple[Any, tuple[Any, ...]]] = {}


def option_values(allowed: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` alias (nested ``Literal``s flattened), or of a collection."""
    seen = _SEEN.get(id(allowed))
    if seen is not None:
        return seen[1]
    if get_origin(allowed) is Literal:
        values = _literal_values(allowed)
        _SEEN[id(allowed)] = (allowed, values)
        return values
    if isinstance(allowed, Collection) and not isinstance(allowed, str | bytes):
        return tuple(allowed)
    msg = f"allowed values must be a Literal alias or a collection; got {allowed!r}."
    raise TypeError(msg)


def _suggestion(value: object, allowed: tuple[Any, ...]) -> str:
    """`` Did you mean 'x'?`` for a string close to one allowed string, else ``''``."""
    if not isinstance(value, str):
        return ""
    words = [a for a in allowed if isinstance(a, str)]
    folded = {w.lower().replace("-", "_"): w for w in words}
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key in folded:
        return f" Did you mean {folded[key]!r}?"
    # a typo: about as long and mostly the same letters ("median" is not "mean")
    near = [w for w in words if abs(len(w) - len(value)) <= 1]
    close = difflib.get_close_matches(value, near, n=1, cutoff=0.7)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_option(name: str, value: _T, allowed: Any) -> _T:
    """Return ``value`` if it is one of ``allowed``, else raise naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, as the user typed it.
    value : object
        The value given.
    allowed : Literal alias or collection
        A ``Literal`` alias of :mod:`cxmetrics.typing` (the one source of option
        lists), or a collection for values only known at run time (the
        parameter names of a fitted model).

    Returns
    -------
    object
        ``value``, unchanged.

    Raises
    ------
    InvalidInputError
        ``value`` is not allowed (an unhashable value, an array, never is).

    Examples
    --------
    >>> from cxmetrics.typing import Alternative
    >>> check_option("alternative", "two-sided", Alternative)
    'two-sided'
    """
    values = option_values(allowed)
    try:
        ok = value in values
    except (TypeError, ValueError):  # an array compared elementwise
        ok = False
    if not ok:
        msg = f"`{name}` must be one of {values!r}; got {value!r:.80}.{_suggestion(value, values)}"
        raise InvalidInputError(msg)
    return value
