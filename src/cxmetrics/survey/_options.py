"""The options of the survey front doors, checked before any pass over the data.

Every list of allowed values comes from the ``Literal`` aliases of
:mod:`cxmetrics.typing`, the one source of option lists.
"""

from __future__ import annotations

import numpy as np

from cxmetrics._core.validation import (
    check_levels_need_by,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.typing import (
    Alternative,
    CompareTest,
    NanPolicy,
    NPSCompareMethod,
    RatingDefinition,
    SmallGroupPolicy,
)

__all__ = [
    "check_compare_options",
    "check_compute_options",
    "check_scheme",
    "check_score_options",
]


def check_scheme(scheme: object, kind: type) -> None:
    """Raise unless ``scheme`` is a ``kind`` (e.g. an NPSScheme for ``nps``)."""
    if not isinstance(scheme, kind):
        msg = f"`scheme` must be a {kind.__name__}; got {scheme!r} of type {type(scheme).__name__}."
        raise InvalidInputTypeError(msg)


def check_compute_options(
    min_n: object, small_groups: object, definition: object = None
) -> None:
    """Check the options of a state's ``compute`` (``definition`` if given)."""
    check_positive_int("min_n", min_n, minimum=0)
    check_option("small_groups", small_groups, SmallGroupPolicy)
    if definition is not None:
        check_option("definition", definition, RatingDefinition)


def check_score_options(
    *,
    scheme: object,
    kind: type,
    nan_policy: object,
    min_n: object,
    small_groups: object,
    definition: object = None,
    by: object = None,
    levels: object = None,
) -> None:
    """Check the options of ``nps``/``csat``/``ces`` (``definition`` if given)."""
    check_levels_need_by(by, levels)
    check_scheme(scheme, kind)
    check_option("nan_policy", nan_policy, NanPolicy)
    check_compute_options(min_n, small_groups, definition)


def check_compare_options(
    *,
    scheme: object,
    kind: type,
    paired: object,
    nan_policy: object,
    alternative: object,
    definition: object = None,
    test: object = None,
    method: object = None,
) -> None:
    """Check the options of ``compare_nps``/``compare_csat``/``compare_ces``."""
    check_scheme(scheme, kind)
    if not isinstance(paired, bool | np.bool_):
        msg = f"`paired` must be True or False; got {paired!r}."
        raise InvalidInputTypeError(msg)
    check_option("nan_policy", nan_policy, NanPolicy)
    check_option("alternative", alternative, Alternative)
    if definition is not None:
        check_option("definition", definition, RatingDefinition)
    if test is not None:
        check_option("test", test, CompareTest)
    if method is not None:
        check_option("method", method, NPSCompareMethod)
