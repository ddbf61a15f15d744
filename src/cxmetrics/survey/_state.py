"""Mergeable states for scores on an integer scale (shared by NPS, CSAT and CES).

A state is the histogram of answers over the scale points: int64 counts, plus the
sums of weights and of squared weights when the answers are weighted, and the
number of missing answers. States are frozen values; ``a + b`` merges them.
Unweighted states merge exactly; weighted ones up to floating-point rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
    optional_float,
)
from cxmetrics._core.grouped import finish_grouped, finish_scalar
from cxmetrics._core.state import (
    GroupedState,
    KeyedState,
    group_keys,
    parameter,
    summed,
)
from cxmetrics._core.validation import (
    GroupIndex,
    check_levels_need_by,
    group_index,
    integer_scale,
    weights_array,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.survey._inputs import Labels, scale_answers
from cxmetrics.survey._kernel import scale_histogram, unchecked_histogram
from cxmetrics.survey._options import check_scheme, check_score_options
from cxmetrics.typing import NanPolicy

__all__ = ["GroupedScaleState", "ScaleScheme", "ScaleState", "score_state"]


class ScaleScheme(Protocol):
    """What a state needs from a scheme: the bounds of the integer scale."""

    @property
    def low(self) -> int: ...  # pragma: no cover

    @property
    def high(self) -> int: ...  # pragma: no cover

    @property
    def labels(self) -> Labels | None: ...  # pragma: no cover


SchemeT = TypeVar("SchemeT", bound=ScaleScheme)
_R = TypeVar("_R")
_S = TypeVar("_S", bound="ScaleState[Any]")
_G = TypeVar("_G", bound="GroupedScaleState[Any]")

#: ``warn_undefined`` -> ``finish_*`` -> ``_finish`` -> ``compute`` -> front door -> user
_STACKLEVEL = 6


def _tally(
    responses: ArrayLike,
    scheme: ScaleScheme,
    weights: ArrayLike | None,
    nan_policy: str,
    by: ArrayLike | None = None,
    levels: ArrayLike | None = None,
) -> tuple[
    NDArray[Any] | None,
    NDArray[np.int64],
    NDArray[np.float64] | None,
    NDArray[np.float64] | None,
]:
    """Validate and count: returns (keys, counts incl. missing bin, wsum, w2sum)."""
    check_levels_need_by(by, levels)
    # ungrouped, unweighted integer answers: their range is read in the count
    direct = by is None and weights is None
    data = scale_answers(
        responses, "responses", scheme, nan_policy=nan_policy, check_range=not direct
    )
    if direct and data.n_missing == 0:
        counts = unchecked_histogram(data.values, scheme.low, scheme.high)
        if counts is not None:
            return None, counts, None, None
        # not the one-byte path, or an answer off the scale: the usual check raises
        data = integer_scale(
            data.values,
            "responses",
            low=scheme.low,
            high=scheme.high,
            nan_policy=nan_policy,
        )
    n = data.values.shape[0]
    w = None if weights is None else weights_array(weights, n)
    index: GroupIndex | None = None
    n_groups = 1
    keys = None
    if by is not None:
        index = group_index(by, n, levels=levels)
        keys = index.labels
        n_groups = len(keys)
    n_bins = scheme.high - scheme.low + 2  # the last bin counts missing answers
    counts, wsum, w2sum = scale_histogram(
        data.values, scheme.low, n_bins, groups=index, n_groups=n_groups, weights=w
    )
    if index is not None and not index.explicit:
        # a dense integer range may hold keys no row has: keep observed groups only
        seen = counts.sum(axis=1) > 0
        if not seen.all():
            keys, counts = index.labels[seen], counts[seen]
            wsum = None if wsum is None else wsum[seen]
            w2sum = None if w2sum is None else w2sum[seen]
    return keys, counts, wsum, w2sum


def scheme_dict(scheme: Any) -> dict[str, Any]:
    """A scheme as plain Python (``labels`` only when it has some, as pairs)."""
    out: dict[str, Any] = attrs.asdict(scheme)
    if out.get("labels") is None:
        out.pop("labels", None)
    return out


def _load_scheme(cls: Any, raw: Any) -> Any:
    return type(cls._default_scheme())(**raw)


def _unit_weights(state: Any) -> NDArray[np.float64]:
    """The weight sums an unweighted state stands for: one per answer."""
    return np.asarray(state.counts, dtype=np.float64)


#: the fields shared by the scalar and the grouped survey states (roles)
_SCHEME = parameter(dump=scheme_dict, load=_load_scheme)
_COUNTS = summed(np.int64, ("k",))
_WEIGHTS = summed(np.float64, ("k",), optional=True, fill=_unit_weights)


class _ScaleBase(KeyedState, Generic[SchemeT]):
    """What the scalar and grouped survey states share: the scale length and weights."""

    __slots__ = ()

    scheme: SchemeT
    counts: NDArray[np.int64]
    n_missing: Any
    weight_sums: NDArray[np.float64] | None
    weight_squares: NDArray[np.float64] | None
    _default_scheme: ClassVar[Any]
    #: the metric's name in warnings ("NPS", "CSAT", "CES")
    _metric: ClassVar[str]
    _mismatch = "cannot merge {cls} with {name} {a!r} and {cls} with {name} {b!r}."

    @classmethod
    def _dims(cls, params: Mapping[str, Any]) -> dict[str, int]:
        return {"k": params["scheme"].high - params["scheme"].low + 1}

    @classmethod
    def empty(cls, scheme: SchemeT | None = None) -> Self:
        """The identity of ``+``: no answers (no groups, for a grouped state)."""
        return cls._empty(scheme=cls._default_scheme() if scheme is None else scheme)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if (self.weight_sums is None) != (self.weight_squares is None):
            msg = (
                "`weight_sums` and `weight_squares` must both be given or both be None."
            )
            raise InvalidInputError(msg)

    @property
    def histogram(self) -> tuple[Any, Any, Any, Any]:
        """``(counts, weight_sums, weight_squares, n_missing)``, as the summaries take them."""
        return self.counts, self.weight_sums, self.weight_squares, self.n_missing

    @property
    def weighted(self) -> bool:
        """Whether the answers carry survey weights."""
        return self.weight_sums is not None

    def _finish(
        self,
        result: Callable[..., _R],
        columns: dict[str, NDArray[Any]],
        blank: tuple[str, ...],
        min_n: int,
        small_groups: str,
        *,
        depth: int = 0,
        **extra: Any,
    ) -> _R:
        """The (grouped) result of ``columns``: the end of every ``compute``.

        ``depth`` counts the calls between ``compute`` and here, so that the
        warning of an undefined metric points at the caller of the front door.
        """
        shared: dict[str, Any] = {
            "stacklevel": _STACKLEVEL + depth,
            "scheme": self.scheme,
            "weighted": self.weighted,
            **extra,
        }
        args = (columns, blank, min_n, small_groups)
        if isinstance(self, GroupedScaleState):
            return finish_grouped(result, self._metric, self.keys, *args, **shared)
        return finish_scalar(result, self._metric, *args, **shared)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class ScaleState(_ScaleBase[SchemeT]):
    """Histogram of answers on an integer scale: the base of the survey states.

    Attributes
    ----------
    scheme : scheme
        The scale and its categories.
    counts : ndarray of int64, shape (high - low + 1,)
        Answers per scale point, from ``low`` to ``high``.
    n_missing : int
        Missing answers omitted under ``nan_policy='omit'``.
    weight_sums, weight_squares : ndarray of float64 or None
        Sum of weights and of squared weights per scale point (``None`` when
        unweighted, which means unit weights).
    """

    scheme: SchemeT = attrs.field(metadata=_SCHEME)
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=_COUNTS
    )
    n_missing: int = attrs.field(default=0, converter=int, metadata=summed(np.int64))
    weight_sums: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=_WEIGHTS
    )
    weight_squares: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=_WEIGHTS
    )

    @classmethod
    def from_responses(
        cls,
        responses: ArrayLike,
        *,
        weights: ArrayLike | None = None,
        scheme: SchemeT | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Build the state of ``responses`` in one vectorised pass.

        Parameters
        ----------
        responses : array_like, shape (n,)
            Answers on the scheme's integer scale (NaN/None for missing).
        weights : array_like of float, shape (n,), optional
            Non-negative survey weights.
        scheme : scheme, optional
            Defaults to the metric's standard scheme.
        nan_policy : {'raise', 'omit'}, default 'raise'
            Missing answers raise, or are omitted and counted in ``n_missing``.
        """
        sch = cls._default_scheme() if scheme is None else scheme
        check_scheme(sch, cls._default_scheme)
        _, counts, wsum, w2sum = _tally(responses, sch, weights, nan_policy)
        return cls(
            sch,
            counts[0, :-1],
            counts[0, -1],
            None if wsum is None else wsum[0, :-1],
            None if w2sum is None else w2sum[0, :-1],
        )

    @property
    def n(self) -> int:
        """Number of (non-missing) answers."""
        return int(self.counts.sum())


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class GroupedScaleState(_ScaleBase[SchemeT], GroupedState):
    """Histograms of answers per group: the base of the grouped survey states.

    Merging aligns groups by key: keys present in only one state are kept, and
    when the key arrays differ the merged keys are sorted. ``state[key]`` is the
    scalar state of one group.

    Attributes
    ----------
    scheme : scheme
        The scale and its categories.
    keys : ndarray, shape (g,)
        Group labels (sorted, or in the order of ``levels``).
    counts : ndarray of int64, shape (g, high - low + 1)
        Answers per group and scale point.
    n_missing : ndarray of int64, shape (g,)
        Omitted missing answers per group.
    weight_sums, weight_squares : ndarray of float64, shape (g, k), or None
        Weight sums per cell (``None`` when unweighted).
    """

    scheme: SchemeT = attrs.field(metadata=_SCHEME)
    keys: NDArray[Any] = attrs.field(
        converter=frozen_keys, eq=array_eq, metadata=group_keys()
    )
    counts: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=_COUNTS
    )
    n_missing: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )
    weight_sums: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=_WEIGHTS
    )
    weight_squares: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq, metadata=_WEIGHTS
    )

    @classmethod
    def from_responses(
        cls,
        responses: ArrayLike,
        by: ArrayLike,
        *,
        weights: ArrayLike | None = None,
        scheme: SchemeT | None = None,
        nan_policy: NanPolicy = "raise",
        levels: ArrayLike | None = None,
    ) -> Self:
        """Build the per-group state in one vectorised pass over all rows.

        Parameters
        ----------
        responses : array_like, shape (n,)
            Answers on the scheme's integer scale.
        by : array_like, shape (n,)
            Group key of each answer (numbers, strings or booleans).
        weights : array_like of float, shape (n,), optional
            Non-negative survey weights.
        scheme : scheme, optional
            Defaults to the metric's standard scheme.
        nan_policy : {'raise', 'omit'}, default 'raise'
            Missing answers raise, or are omitted and counted per group.
        levels : array_like, optional
            Every group to report, in order; groups without answers get ``n == 0``.
        """
        sch = cls._default_scheme() if scheme is None else scheme
        check_scheme(sch, cls._default_scheme)
        keys, counts, wsum, w2sum = _tally(
            responses, sch, weights, nan_policy, by, levels
        )
        assert keys is not None  # noqa: S101  (by is not None)
        return cls(
            sch,
            keys,
            counts[:, :-1],
            counts[:, -1],
            None if wsum is None else wsum[:, :-1],
            None if w2sum is None else w2sum[:, :-1],
        )

    @property
    def n(self) -> NDArray[np.int64]:
        """Answers per group."""
        return np.asarray(self.counts.sum(axis=1), dtype=np.int64)


def score_state(
    scalar: type[_S],
    grouped: type[_G],
    responses: ArrayLike,
    *,
    weights: ArrayLike | None,
    by: ArrayLike | None,
    levels: ArrayLike | None,
    scheme: Any,
    nan_policy: NanPolicy,
    **compute: Any,
) -> _S | _G:
    """The state behind a front door (``nps``, ``csat``, ``ces``), options checked first.

    ``compute`` are the front door's options of ``compute`` (``min_n``, ...),
    checked here before any pass over the answers.
    """
    check_score_options(
        by=by,
        levels=levels,
        scheme=scheme,
        kind=scalar._default_scheme,  # noqa: SLF001  (the front door's own state)
        nan_policy=nan_policy,
        **compute,
    )
    if by is None:
        return scalar.from_responses(
            responses, weights=weights, scheme=scheme, nan_policy=nan_policy
        )
    return grouped.from_responses(
        responses,
        by,
        weights=weights,
        scheme=scheme,
        nan_policy=nan_policy,
        levels=levels,
    )
