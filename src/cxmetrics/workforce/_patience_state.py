r"""Mergeable sufficient statistics of patience: abandons, answered calls and total waits."""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, frozen_int, nan_equal_fields
from cxmetrics._core.state import GroupedState, group_keys, summed
from cxmetrics._core.validation import (
    check_option,
    check_same_length,
    durations_1d,
    flags_1d,
    group_index,
)
from cxmetrics.exceptions import UndefinedMetricWarning
from cxmetrics.typing import NanPolicy

__all__ = ["PatienceState"]


def _optional_keys(x: ArrayLike | None) -> NDArray[Any] | None:
    if x is None:
        return None
    arr = np.array(x)
    arr.setflags(write=False)
    return arr


def warn_patience(no_abandons: int, empty: int, *, grouped: bool) -> None:
    """Warn once for groups without abandons (inf) and without calls (NaN)."""
    if no_abandons - empty > 0:
        where = f"{no_abandons - empty} group(s) have" if grouped else "the calls have"
        warnings.warn(
            f"{where} no abandons: patience is unbounded on these data; mean patience is inf (Erlang A then equals Erlang C).",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    if empty:
        where = f"{empty} group(s) without calls" if grouped else "zero calls"
        warnings.warn(
            f"patience is undefined for {where}; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=4,
        )


@attrs.frozen(unsafe_hash=False, repr=False, field_transformer=nan_equal_fields)
class PatienceState(GroupedState):
    r"""Abandons, answered calls and total waiting time: the exponential patience statistic.

    The censored exponential likelihood depends on the data only through the
    number of abandons :math:`d` and the total wait :math:`\sum w_i`, so these
    counts (per queue or interval with ``by``) merge across files, days or
    workers, and the merged state gives the same estimate as all the calls at
    once (exactly for the counts, up to floating-point rounding for the waits).
    The Kaplan-Meier estimate needs every wait and is not mergeable.

    Attributes
    ----------
    keys : ndarray or None
        Group keys (``None`` for the ungrouped state).
    abandons, answered, n_missing : ndarray of int64
        Per group (one entry when ungrouped; none for :meth:`empty`).
    exposure : ndarray of float64
        Total waiting time per group.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> monday = cx.PatienceState.from_waits([30, 60], [True, False])
    >>> tuesday = cx.PatienceState.from_waits([10, 100, 20], [True, False, True])
    >>> round((monday + tuesday).compute().mean, 2)
    73.33
    >>> a = cx.PatienceState.from_waits([30], [1], by=["sales"])
    >>> b = cx.PatienceState.from_waits([50], [0], by=["care"])
    >>> (a + b).keys.tolist()
    ['care', 'sales']
    >>> cx.PatienceState.from_dict((a + b).to_dict()) == a + b
    True
    """

    keys: NDArray[Any] | None = attrs.field(
        converter=_optional_keys, eq=array_eq, metadata=group_keys(optional=True)
    )
    abandons: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )
    answered: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )
    exposure: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq, metadata=summed(np.float64)
    )
    n_missing: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )

    @classmethod
    def empty(cls) -> PatienceState:
        """The identity of ``+``: no calls, no groups.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.PatienceState.from_waits([5.0], [True])
        >>> s + cx.PatienceState.empty() == s
        True
        """
        return cls._empty()

    @classmethod
    def from_waits(
        cls,
        waits: ArrayLike,
        abandoned: ArrayLike,
        *,
        by: ArrayLike | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> PatienceState:
        """The state of call records (arguments as :func:`estimate_patience`).

        Groups without any row are not kept, so states of disjoint parts merge
        to the state of the whole.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> s = cx.PatienceState.from_waits([30, 60, 10], [1, 0, 1], by=["a", "a", "b"])
        >>> s.keys.tolist(), s.abandons.tolist(), s.exposure.tolist()
        (['a', 'b'], [1, 1], [90.0, 10.0])
        """
        state, _ = cls._build(waits, abandoned, by, nan_policy)
        return state

    @classmethod
    def _build(
        cls,
        waits: ArrayLike,
        abandoned: ArrayLike,
        by: ArrayLike | None,
        nan_policy: str,
    ) -> tuple[PatienceState, tuple[Any, ...]]:
        """The state, and the kept rows (waits, flags, group codes) for Kaplan-Meier."""
        check_option("nan_policy", nan_policy, NanPolicy)
        w, missing = durations_1d(waits, "waits", nan_policy=nan_policy)
        ab = flags_1d(abandoned, "abandoned")
        check_same_length("abandoned", ab, "waits", w.size)
        keep = np.ones(w.size, dtype=bool) if missing is None else ~missing
        kw, ka = w[keep], ab[keep]
        if by is None:
            d_all = int(ka.sum())
            state = cls(
                None,
                [d_all],
                [int(kw.size) - d_all],
                [float(kw.sum())],
                [int((~keep).sum())],
            )
            return state, (kw, ka, None, None)
        gi = group_index(by, w.size, like="waits")
        codes = np.asarray(gi.source, dtype=np.int64) - gi.offset
        g = len(gi.labels)
        rows = np.bincount(codes, minlength=g)
        used = rows > 0
        remap = np.cumsum(used) - 1
        codes = remap[codes]
        labels = gi.labels[used]
        g = labels.size
        kc = codes[keep]
        n = np.bincount(kc, minlength=g)
        d = np.bincount(kc, weights=ka, minlength=g).astype(np.int64)
        state = cls(
            labels,
            d,
            n - d,
            np.bincount(kc, weights=kw, minlength=g),
            np.bincount(codes[~keep], minlength=g),
        )
        return state, (kw, ka, kc, labels)

    @property
    def n(self) -> NDArray[np.int64]:
        """Calls per group."""
        total: NDArray[np.int64] = self.abandons + self.answered
        return total

    def compute(self, *, time_unit: str | None = None) -> Any:
        """The exponential patience estimate: a :class:`PatienceResult` or, grouped, a :class:`GroupedPatienceResult`.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.PatienceState.from_waits([30, 60, 10], [1, 0, 1]).compute().mean
        50.0
        """
        from cxmetrics.workforce._patience import (  # noqa: PLC0415  (cycle)
            GroupedPatienceResult,
            PatienceResult,
        )

        n = self.n
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(
                n > 0,
                np.where(
                    self.abandons > 0,
                    self.exposure / np.maximum(self.abandons, 1),
                    np.inf,
                ),
                np.nan,
            )
        if self.keys is None:
            total = int(n.sum())
            d_all = int(self.abandons.sum())
            warn_patience(int(d_all == 0), int(total == 0), grouped=False)
            m = float(mean[0]) if mean.size else math.nan
            return PatienceResult(
                value=m,
                mean=m,
                median=m * math.log(2),
                abandons=d_all,
                answered=int(self.answered.sum()),
                exposure=float(self.exposure.sum()),
                n=total,
                n_missing=int(self.n_missing.sum()),
                method="exponential",
                time_unit=time_unit,
            )
        warn_patience(
            int((self.abandons == 0).sum()), int((n == 0).sum()), grouped=True
        )
        return GroupedPatienceResult(
            keys=self.keys,
            value=mean,
            mean=mean,
            median=mean * math.log(2),
            abandons=self.abandons,
            answered=self.answered,
            exposure=self.exposure,
            n=n,
            n_missing=self.n_missing,
            method="exponential",
            time_unit=time_unit,
        )

    def __repr__(self) -> str:
        groups = "ungrouped" if self.keys is None else f"{self.keys.size} group(s)"
        return (
            f"PatienceState({groups}: {int(self.abandons.sum())} abandons, "
            f"{int(self.answered.sum())} answered, exposure {float(self.exposure.sum()):g})"
        )
