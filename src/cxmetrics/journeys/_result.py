"""What a person reads from a funnel: reached per step, conversion, drop-off, intervals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.keys import position
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_confidence_level, check_option
from cxmetrics.experiments import adjust_pvalues as _adjust
from cxmetrics.stats import (
    ConfidenceInterval,
    ConfidenceIntervalArray,
    proportion_difference,
    proportion_interval,
)
from cxmetrics.typing import (
    FunnelCompare,
    ProportionMethod,
    PValueAdjustment,
)

__all__ = [
    "FunnelComparison",
    "FunnelResult",
    "GroupedFunnelResult",
    "adjust_pvalues",
    "labels_tuple",
]


def labels_tuple(labels: Iterable[Any]) -> tuple[str, ...]:
    """Step labels as a tuple of strings (the attrs converter of ``steps``)."""
    return tuple(str(v) for v in labels)


def _reached(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Units reaching each step (level >= k) from the level histogram (last axis)."""
    tail = np.flip(np.cumsum(np.flip(counts, axis=-1), axis=-1), axis=-1)
    return np.asarray(tail[..., 1:], dtype=np.int64)


def _ratio(num: NDArray[Any], den: NDArray[Any]) -> NDArray[np.float64]:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class FunnelResult(DisplayMixin):
    """A funnel: units reaching each step, with conversion and drop-off.

    Attributes
    ----------
    steps : tuple of str
        Step labels, in funnel order.
    counts : ndarray of int64, shape (K + 1,)
        Units whose highest step is 0 (never entered), 1, ..., K: the level
        histogram, the funnel's sufficient statistic.
    window : float
        Conversion window (seconds for datetime logs, else the times' unit).
    mode, entry : str
        Matching mode and entry rule (see :func:`funnel`).
    n_missing : int
        Log rows omitted for a missing unit, time or event.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.funnel(
    ...     ["u1", "u1", "u2", "u2", "u3"], [1, 5, 2, 30, 4],
    ...     ["cart", "paid", "cart", "paid", "cart"], ["cart", "paid"], window=10,
    ... )
    >>> res.reached.tolist(), round(res.value, 3)
    ([3, 1], 0.333)
    """

    steps: tuple[str, ...] = attrs.field(converter=labels_tuple)
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    window: float
    mode: str = "ordered"
    entry: str = "any"
    n_missing: int = 0

    @property
    def reached(self) -> NDArray[np.int64]:
        """Units reaching each step (a unit at level k reached steps 1..k)."""
        return _reached(self.counts)

    @property
    def n(self) -> int:
        """Units that entered the funnel (reached step 1): the base of every rate."""
        return int(self.reached[0])

    @property
    def n_units(self) -> int:
        """Every unit in the log, including those that never reached step 1."""
        return int(self.counts.sum())

    @property
    def value(self) -> float:
        """Overall conversion: units reaching the last step / units entering (a fraction)."""
        return float(_ratio(self.reached[-1], self.reached[0]))

    @property
    def conversion(self) -> NDArray[np.float64]:
        """Conversion from step 1 to each step k (fractions; the first is 1)."""
        return _ratio(self.reached, self.reached[0])

    @property
    def step_conversion(self) -> NDArray[np.float64]:
        """Conversion from step k - 1 to step k, for k = 2..K (conditional binomials)."""
        r = self.reached
        return _ratio(r[1:], r[:-1])

    @property
    def drop_off(self) -> NDArray[np.float64]:
        """Share lost between step k - 1 and step k, for k = 2..K (``1 - step_conversion``)."""
        return 1.0 - self.step_conversion

    @property
    def dropped(self) -> NDArray[np.int64]:
        """Units lost between step k - 1 and step k, for k = 2..K."""
        r = self.reached
        return np.asarray(r[:-1] - r[1:], dtype=np.int64)

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> ConfidenceInterval:
        """Interval of the overall conversion ``value`` (Wilson by default).

        ``method='jeffreys'`` or ``'clopper_pearson'`` need scipy.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.FunnelResult(("visit", "buy"), [0, 60, 40], window=3600.0)
        >>> [round(b, 4) for b in res.confidence_interval()]
        [0.3094, 0.4980]
        """
        ci = self.conversion_interval(confidence_level, method=method)
        return ConfidenceInterval(float(ci.low[-1]), float(ci.high[-1]))

    def conversion_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> ConfidenceIntervalArray:
        """Intervals of :attr:`conversion` (step 1 to each step), one per step.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.FunnelResult(("visit", "cart", "buy"), [0, 50, 30, 20], window=3600.0)
        >>> [round(float(b), 3) for b in res.conversion_interval().low]
        [0.963, 0.41, 0.133]
        """
        level = check_confidence_level(confidence_level)
        check_option("method", method, ProportionMethod)
        r = self.reached
        return proportion_interval(r, np.full(r.shape, r[0]), level, method=method)

    def step_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> ConfidenceIntervalArray:
        """Intervals of :attr:`step_conversion` (step k - 1 to step k, k = 2..K).

        Drop-off intervals are ``1 - high`` to ``1 - low``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.FunnelResult(("visit", "cart", "buy"), [0, 50, 30, 20], window=3600.0)
        >>> [round(float(b), 3) for b in res.step_interval().high]
        [0.596, 0.538]
        """
        level = check_confidence_level(confidence_level)
        check_option("method", method, ProportionMethod)
        r = self.reached
        return proportion_interval(r[1:], r[:-1], level, method=method)

    def table(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> dict[str, NDArray[Any]]:
        """One row per step: reached, conversion from step 1, step conversion, drop-off.

        Intervals are columns ``*_low``/``*_high``; the first step has NaN step
        conversion (nothing precedes it).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> res = cx.FunnelResult(("visit", "buy"), [5, 60, 40], window=3600.0)
        >>> res.table()["drop_off"].tolist()
        [nan, 0.6]
        """
        conv = self.conversion_interval(confidence_level, method=method)
        step = self.step_interval(confidence_level, method=method)
        nan = np.array([np.nan])
        return {
            "step": np.array(self.steps, dtype=object),
            "reached": self.reached,
            "conversion": self.conversion,
            "conversion_low": conv.low,
            "conversion_high": conv.high,
            "step_conversion": np.concatenate([nan, self.step_conversion]),
            "step_low": np.concatenate([nan, step.low]),
            "step_high": np.concatenate([nan, step.high]),
            "drop_off": np.concatenate([nan, self.drop_off]),
            "dropped": np.concatenate([[0], self.dropped]).astype(np.int64),
        }

    def to_pandas(self) -> Any:
        """:meth:`table` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.table())

    def __repr__(self) -> str:
        t = self.table()
        head = (
            f"FunnelResult: {self.n} entered, overall conversion {self.value:.4g} "
            f"({self.mode}, entry={self.entry!r}, window={self.window:g})"
        )
        lines = [head]
        width = max(len(s) for s in self.steps)
        for i, label in enumerate(self.steps):
            drop = "" if i == 0 else f"  drop-off {t['drop_off'][i]:.1%}"
            lines.append(
                f"  {label.ljust(width)}  {int(t['reached'][i]):>8,}  "
                f"{t['conversion'][i]:7.1%} "
                f"[{t['conversion_low'][i]:.1%}, {t['conversion_high'][i]:.1%}]{drop}"
            )
        return "\n".join(lines)


def adjust_pvalues(
    pvalues: NDArray[np.float64], method: PValueAdjustment
) -> NDArray[np.float64]:
    """:func:`cxmetrics.adjust_pvalues` over the defined p-values (NaN kept)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = p.copy()
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = _adjust(p[ok], method=method)
    return out


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class FunnelComparison(DisplayMixin):
    """Differences between segments and a reference segment, per step.

    One row per (segment, step). ``difference`` is the segment's conversion
    minus the reference's (fractions); ``low``/``high`` its Newcombe interval;
    ``pvalue`` the pooled two-proportion z test; ``pvalue_adjusted`` that p-value
    adjusted over every row (Holm by default).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> g = cx.GroupedFunnelResult(
    ...     keys=["mobile", "web"], steps=("cart", "paid"),
    ...     counts=[[0, 60, 40], [0, 50, 50]], window=3600.0,
    ... )
    >>> cmp = g.compare()
    >>> cmp.segment.tolist(), [round(float(d), 2) for d in cmp.difference]
    (['web'], [0.1])
    """

    reference: Any
    measure: str
    adjust: str
    segment: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    step: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    estimate_reference: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )
    estimate: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    difference: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    low: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    high: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    pvalue: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    pvalue_adjusted: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=array_eq
    )

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """The rows as a dict of columns."""
        names = (
            "segment",
            "step",
            "estimate_reference",
            "estimate",
            "difference",
            "low",
            "high",
            "pvalue",
            "pvalue_adjusted",
        )
        return {k: getattr(self, k) for k in names}

    def to_pandas(self) -> Any:
        """The rows as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        lines = [
            f"FunnelComparison vs {self.reference!r} ({self.measure} conversion, {self.adjust}-adjusted p)"
        ]
        lines.extend(
            f"  {self.segment[i]!s}  {self.step[i]!s}  {self.difference[i]:+.4g} "
            f"[{self.low[i]:.4g}, {self.high[i]:.4g}]  p={self.pvalue_adjusted[i]:.3g}"
            for i in range(len(self.segment))
        )
        return "\n".join(lines)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class GroupedFunnelResult(DisplayMixin):
    """One funnel per segment: ``res[key]`` is that segment's :class:`FunnelResult`.

    Hand-written, not generated from :class:`FunnelResult` by
    :func:`cxmetrics._core.result.grouped_result`, because a funnel's rows are
    (segment, step) pairs: ``to_dict``, ``to_pandas``, the text and the HTML
    tables are long tables over the steps, and ``value`` and ``n`` are derived
    from ``counts`` rather than declared columns, which the one-row-per-group
    form cannot express without overriding all of it.

    Attributes
    ----------
    keys : ndarray
        Segment keys.
    steps : tuple of str
        Step labels.
    counts : ndarray of int64, shape (G, K + 1)
        Level histogram per segment.
    window, mode, entry, n_missing
        As in :class:`FunnelResult`.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> g = cx.GroupedFunnelResult(
    ...     keys=["mobile", "web"], steps=("cart", "paid"),
    ...     counts=[[0, 60, 40], [0, 50, 50]], window=3600.0,
    ... )
    >>> g["web"].value, g.value.tolist()
    (0.5, [0.4, 0.5])
    """

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    steps: tuple[str, ...] = attrs.field(converter=labels_tuple)
    counts: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    window: float
    mode: str = "ordered"
    entry: str = "any"
    n_missing: int = 0

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def __getitem__(self, key: object) -> FunnelResult:
        """The funnel of segment ``key``."""
        i = position(self.keys, key)
        return FunnelResult(
            self.steps, self.counts[i], self.window, self.mode, self.entry, 0
        )

    @property
    def reached(self) -> NDArray[np.int64]:
        """Units reaching each step, shape (G, K)."""
        return _reached(self.counts)

    @property
    def n(self) -> NDArray[np.int64]:
        """Units entering the funnel per segment."""
        return np.asarray(self.reached[:, 0], dtype=np.int64)

    @property
    def value(self) -> NDArray[np.float64]:
        """Overall conversion per segment (fractions)."""
        r = self.reached
        return _ratio(r[:, -1], r[:, 0])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Long table: one row per (segment, step) with the columns of :meth:`FunnelResult.table`."""
        parts = [self[k].table() for k in self.keys.tolist()] if len(self) else []
        if not parts:
            return {"key": self.keys[:0]}
        out: dict[str, NDArray[Any]] = {
            "key": np.repeat(self.keys, len(self.steps)),
        }
        for name in parts[0]:
            out[name] = np.concatenate([p[name] for p in parts])
        return out

    def to_pandas(self) -> Any:
        """:meth:`to_dict` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def compare(
        self,
        reference: object = None,
        *,
        measure: FunnelCompare = "overall",
        adjust: PValueAdjustment = "holm",
        confidence_level: float = 0.95,
    ) -> FunnelComparison:
        """Each segment against ``reference`` (default: the first key), step by step.

        Parameters
        ----------
        reference : key, optional
            The segment compared against; default the first key.
        measure : {'overall', 'step'}, default 'overall'
            ``'overall'``: conversion from step 1 to each step k = 2..K;
            ``'step'``: conversion from step k - 1 to step k (the conditional
            binomials, whose complement is the drop-off).
        adjust : {'holm', 'bonferroni', 'benjamini_hochberg', 'none'}, default 'holm'
            Multiple-testing adjustment over every (segment, step) row.
        confidence_level : float, default 0.95
            Coverage of the Newcombe intervals (unadjusted).

        Returns
        -------
        FunnelComparison

        Examples
        --------
        >>> import cxmetrics as cx
        >>> g = cx.GroupedFunnelResult(
        ...     keys=["a", "b"], steps=("cart", "paid"),
        ...     counts=[[0, 200, 100], [0, 120, 180]], window=60.0,
        ... )
        >>> round(float(g.compare().pvalue_adjusted[0]), 6)
        0.0
        """
        check_option("measure", measure, FunnelCompare)
        check_option("adjust", adjust, PValueAdjustment)
        level = check_confidence_level(confidence_level)
        ref = 0 if reference is None else position(self.keys, reference)
        r = self.reached
        k = len(self.steps)
        rows: list[tuple[Any, str, float, float, float, float, float, float]] = []
        for g in range(len(self)):
            if g == ref:
                continue
            for j in range(1, k):
                base_a = r[ref, 0] if measure == "overall" else r[ref, j - 1]
                base_b = r[g, 0] if measure == "overall" else r[g, j - 1]
                d = proportion_difference(
                    float(r[ref, j]),
                    float(base_a),
                    float(r[g, j]),
                    float(base_b),
                    n_a=int(base_a),
                    n_b=int(base_b),
                )
                lo, hi = d.confidence_interval(level)
                rows.append(
                    (
                        self.keys[g],
                        self.steps[j],
                        d.estimate_a,
                        d.estimate_b,
                        d.value,
                        lo,
                        hi,
                        d.pvalue,
                    )
                )
        cols: list[tuple[Any, ...]] = (
            list(zip(*rows, strict=True)) if rows else [() for _ in range(8)]
        )
        pv = np.asarray(cols[7], dtype=np.float64)
        seg = np.array(cols[0], dtype=self.keys.dtype) if rows else self.keys[:0]
        return FunnelComparison(
            reference=self.keys[ref].item()
            if hasattr(self.keys[ref], "item")
            else self.keys[ref],
            measure=measure,
            adjust=adjust,
            segment=seg,
            step=np.array(cols[1], dtype=object),
            estimate_reference=cols[2],
            estimate=cols[3],
            difference=cols[4],
            low=cols[5],
            high=cols[6],
            pvalue=pv,
            pvalue_adjusted=adjust_pvalues(pv, adjust),
        )

    def __repr__(self) -> str:
        lines = [
            f"GroupedFunnelResult with {len(self)} segment(s), steps {list(self.steps)}"
        ]
        r = self.reached
        lines.extend(
            f"  {self.keys[i]!s}: reached {r[i].tolist()}  conversion {self.value[i]:.4g}"
            for i in range(min(len(self), 20))
        )
        return "\n".join(lines)
