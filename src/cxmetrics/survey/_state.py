"""Mergeable states for scores on an integer scale (shared by NPS, CSAT and CES).

A state is the histogram of answers over the scale points: int64 counts, plus the
sums of weights and of squared weights when the answers are weighted, and the
number of missing answers. States are frozen values; ``a + b`` merges them.
Unweighted states merge exactly; weighted ones up to floating-point rounding.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, optional_float
from cxmetrics._core.keys import align_keys, decode_keys, encode_keys, position
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    GroupIndex,
    check_levels_need_by,
    group_index,
    weights_array,
)
from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError
from cxmetrics.survey._inputs import Labels, scale_answers
from cxmetrics.survey._kernel import scale_histogram
from cxmetrics.survey._options import check_scheme
from cxmetrics.typing import NanPolicy

__all__ = ["GroupedScaleState", "ScaleScheme", "ScaleState"]


class ScaleScheme(Protocol):
    """What a state needs from a scheme: the bounds of the integer scale."""

    @property
    def low(self) -> int: ...  # pragma: no cover

    @property
    def high(self) -> int: ...  # pragma: no cover

    @property
    def labels(self) -> Labels | None: ...  # pragma: no cover


SchemeT = TypeVar("SchemeT", bound=ScaleScheme)


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
    data = scale_answers(responses, "responses", scheme, nan_policy=nan_policy)
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


def _check_same_scheme(a: Any, b: Any) -> None:
    if type(a) is not type(b):
        msg = f"cannot merge {type(a).__name__} with {type(b).__name__}."
        raise IncompatibleStateError(msg)
    if a.scheme != b.scheme:
        msg = f"cannot merge {type(a).__name__} with scheme {a.scheme!r} and {type(b).__name__} with scheme {b.scheme!r}."
        raise IncompatibleStateError(msg)


def scheme_dict(scheme: Any) -> dict[str, Any]:
    """A scheme as plain Python (``labels`` only when it has some, as pairs)."""
    out: dict[str, Any] = attrs.asdict(scheme)
    if out.get("labels") is None:
        out.pop("labels", None)
    return out


def _weights_of(state: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weight sums of a state; an unweighted state has unit weights."""
    if state.weight_sums is None:
        as_float = state.counts.astype(np.float64)
        return as_float, as_float
    return state.weight_sums, state.weight_squares


@attrs.frozen(unsafe_hash=False)
class ScaleState(Mergeable, Generic[SchemeT]):
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

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = dict.fromkeys(
        ("counts", "weight_sums", "weight_squares"), ("k",)
    )

    scheme: SchemeT
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: int = attrs.field(default=0, converter=int)
    weight_sums: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq
    )
    weight_squares: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq
    )

    _default_scheme: ClassVar[Any]

    def __attrs_post_init__(self) -> None:
        k = self.scheme.high - self.scheme.low + 1
        if self.counts.shape != (k,):
            msg = f"`counts` must have shape ({k},) for scheme {self.scheme!r}; got {self.counts.shape}."
            raise InvalidInputError(msg)
        if (self.weight_sums is None) != (self.weight_squares is None):
            msg = (
                "`weight_sums` and `weight_squares` must both be given or both be None."
            )
            raise InvalidInputError(msg)

    @classmethod
    def empty(cls, scheme: SchemeT | None = None) -> Self:
        """The identity of ``+``: no answers."""
        sch = cls._default_scheme() if scheme is None else scheme
        return cls(sch, np.zeros(sch.high - sch.low + 1, dtype=np.int64))

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

    @property
    def histogram(self) -> tuple[Any, Any, Any, Any]:
        """``(counts, weight_sums, weight_squares, n_missing)``, as the summaries take them."""
        return self.counts, self.weight_sums, self.weight_squares, self.n_missing

    @property
    def weighted(self) -> bool:
        """Whether the answers carry survey weights."""
        return self.weight_sums is not None

    def merge(self, other: Self) -> Self:
        """Combine with the state of other answers (same type and scheme)."""
        _check_same_scheme(self, other)
        if self.weight_sums is None and other.weight_sums is None:
            return type(self)(
                self.scheme,
                self.counts + other.counts,
                self.n_missing + other.n_missing,
            )
        (ws_a, w2_a), (ws_b, w2_b) = _weights_of(self), _weights_of(other)
        return type(self)(
            self.scheme,
            self.counts + other.counts,
            self.n_missing + other.n_missing,
            ws_a + ws_b,
            w2_a + w2_b,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "scheme": scheme_dict(self.scheme),
            "counts": self.counts.tolist(),
            "n_missing": self.n_missing,
            "weight_sums": None
            if self.weight_sums is None
            else self.weight_sums.tolist(),
            "weight_squares": None
            if self.weight_squares is None
            else self.weight_squares.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a state from :meth:`to_dict` output."""
        cls._check_tag(data)
        scheme = type(cls._default_scheme())(**data["scheme"])
        return cls(
            scheme,
            data["counts"],
            data["n_missing"],
            data["weight_sums"],
            data["weight_squares"],
        )


@attrs.frozen(unsafe_hash=False)
class GroupedScaleState(Mergeable, Generic[SchemeT]):
    """Histograms of answers per group: the base of the grouped survey states.

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

    _shapes: ClassVar[dict[str, tuple[int | str, ...]]] = {
        "keys": ("g",),
        "counts": ("g", "k"),
        "n_missing": ("g",),
        "weight_sums": ("g", "k"),
        "weight_squares": ("g", "k"),
    }

    scheme: SchemeT
    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    weight_sums: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq
    )
    weight_squares: NDArray[np.float64] | None = attrs.field(
        default=None, converter=optional_float, eq=array_eq
    )

    _default_scheme: ClassVar[Any]
    _scalar: ClassVar[type[ScaleState[Any]]]

    def __attrs_post_init__(self) -> None:
        g, k = self.keys.shape[0], self.scheme.high - self.scheme.low + 1
        if self.counts.shape != (g, k) or self.n_missing.shape != (g,):
            msg = f"`counts` must have shape ({g}, {k}) and `n_missing` ({g},); got {self.counts.shape} and {self.n_missing.shape}."
            raise InvalidInputError(msg)

    @classmethod
    def empty(cls, scheme: SchemeT | None = None) -> Self:
        """The identity of ``+``: no groups."""
        sch = cls._default_scheme() if scheme is None else scheme
        k = sch.high - sch.low + 1
        return cls(
            sch,
            np.array([], dtype=np.int64),
            np.zeros((0, k), np.int64),
            np.zeros(0, np.int64),
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

    @property
    def histogram(self) -> tuple[Any, Any, Any, Any]:
        """``(counts, weight_sums, weight_squares, n_missing)``, as the summaries take them."""
        return self.counts, self.weight_sums, self.weight_squares, self.n_missing

    @property
    def weighted(self) -> bool:
        """Whether the answers carry survey weights."""
        return self.weight_sums is not None

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def __getitem__(self, key: object) -> Any:
        i = position(self.keys, key)
        return self._scalar(
            self.scheme,
            self.counts[i],
            self.n_missing[i],
            None if self.weight_sums is None else self.weight_sums[i],
            None if self.weight_squares is None else self.weight_squares[i],
        )

    def merge(self, other: Self) -> Self:
        """Combine with another grouped state, aligning groups by key.

        Keys present in only one state are kept. When the key arrays differ, the
        merged keys are sorted.
        """
        _check_same_scheme(self, other)
        if len(other) == 0 and not other.weighted:
            return self
        if len(self) == 0 and not self.weighted:
            return other
        keys, pos_a, pos_b = align_keys(self.keys, other.keys)
        g, k = len(keys), self.counts.shape[1]

        def scatter(
            a: NDArray[Any],
            pa: NDArray[np.intp],
            b: NDArray[Any],
            pb: NDArray[np.intp],
            shape: tuple[int, ...],
        ) -> NDArray[Any]:
            out = np.zeros(shape, dtype=a.dtype)
            np.add.at(out, pa, a)
            np.add.at(out, pb, b)
            return out

        counts = scatter(self.counts, pos_a, other.counts, pos_b, (g, k))
        missing = scatter(self.n_missing, pos_a, other.n_missing, pos_b, (g,))
        if self.weight_sums is None and other.weight_sums is None:
            return type(self)(self.scheme, keys, counts, missing)
        (ws_a, w2_a), (ws_b, w2_b) = _weights_of(self), _weights_of(other)
        return type(self)(
            self.scheme,
            keys,
            counts,
            missing,
            scatter(ws_a, pos_a, ws_b, pos_b, (g, k)),
            scatter(w2_a, pos_a, w2_b, pos_b, (g, k)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it."""
        return {
            **self._tag(),
            "scheme": scheme_dict(self.scheme),
            "keys": encode_keys(self.keys),
            "counts": self.counts.tolist(),
            "n_missing": self.n_missing.tolist(),
            "weight_sums": None
            if self.weight_sums is None
            else self.weight_sums.tolist(),
            "weight_squares": None
            if self.weight_squares is None
            else self.weight_squares.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a grouped state from :meth:`to_dict` output."""
        cls._check_tag(data)
        scheme = type(cls._default_scheme())(**data["scheme"])
        k = scheme.high - scheme.low + 1
        counts = np.array(data["counts"], dtype=np.int64).reshape(-1, k)
        ws = data["weight_sums"]
        w2 = data["weight_squares"]
        return cls(
            scheme,
            decode_keys(data["keys"]),
            counts,
            data["n_missing"],
            None if ws is None else np.array(ws, dtype=np.float64).reshape(-1, k),
            None if w2 is None else np.array(w2, dtype=np.float64).reshape(-1, k),
        )
