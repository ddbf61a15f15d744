"""Mergeable percentiles of durations: a log-bucket quantile sketch (DDSketch).

Teams report first-reply, resolution, handle and wait times as p50/p90 per
queue, on data spread over files, partitions or days. Exact quantiles do not
merge; a DDSketch does (Masson, Rim & Lee 2019): every duration ``x > 0`` falls
in the bucket ``k = ceil(log_gamma(x))`` with ``gamma = (1 + a) / (1 - a)``, and
the bucket is represented by ``2 gamma^k / (1 + gamma)``, within relative error
``a`` of every value in it. Zero durations have a bucket of their own. Counting
buckets is exact, so two sketches add exactly and a split log gives the sketch
of the whole.

The quantile at ``q`` targets the order statistic of rank ``floor(q (n - 1))``
(0-based; numpy's ``method="lower"``), as the ``ddsketch`` package does: it is
returned within relative error ``a``. numpy's default ``linear`` percentile
interpolates between two order statistics, so the two can differ by more than
``a`` where neighbouring durations are far apart.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import array_eq, frozen_float, frozen_int, frozen_keys
from cxmetrics._core.grouped import warn_undefined
from cxmetrics._core.keys import align_keys, decode_keys, encode_keys, position
from cxmetrics._core.log_buckets import (
    _TINY,
    _ZERO_KEY,
    _check_accuracy,
    _combine,
    _multiplier,
)
from cxmetrics._core.mergeable import Mergeable
from cxmetrics._core.validation import (
    check_option,
    durations_1d,
    group_index,
    parameter_array,
)
from cxmetrics.exceptions import IncompatibleStateError, InvalidInputError
from cxmetrics.typing import NanPolicy

__all__ = ["DurationSketchState"]

#: rows per block of the key computation (the temporaries stay in the cache)
_BLOCK = 1 << 16


def _bucket_keys(x: NDArray[np.float64], mult: float) -> NDArray[np.int32]:
    """``ceil(log2(x) * mult)`` per duration (ddsketch's keys); zeros get ``_ZERO_KEY``.

    Computed block by block so that the float temporaries stay in the cache:
    no loop over rows, one over blocks of 65,536.
    """
    n = x.shape[0]
    out = np.empty(n, dtype=np.int32)
    buf = np.empty(min(n, _BLOCK))
    for start in range(0, n, _BLOCK):
        xb = x[start : start + _BLOCK]
        kb = buf[: xb.shape[0]]
        positive = xb > _TINY
        kb.fill(-np.inf)
        np.log2(xb, out=kb, where=positive)
        kb *= mult
        np.ceil(kb, out=kb)
        np.maximum(kb, float(_ZERO_KEY), out=kb)
        out[start : start + xb.shape[0]] = kb
    return out


def _key_range(x: NDArray[np.float64], mult: float) -> tuple[int, int] | None:
    """Bounds ``(lo, hi)`` on the keys of the positive durations (None: none).

    The keys of the smallest and the largest positive duration, widened by two:
    the key is monotone in the duration up to the last bit of ``log2``, so every
    key lies inside.
    """
    positive = x > _TINY
    if not positive.any():
        return None
    small = float(np.min(x, where=positive, initial=np.inf))
    ends = _bucket_keys(np.array([small, float(x.max())]), mult)
    return int(ends[0]) - 2, int(ends[1]) + 2


def _bucket_cells(
    x: NDArray[np.float64],
    mult: float,
    lo: int,
    width: int,
    groups: NDArray[np.integer[Any]] | None,
    offset: int,
    size: int,
) -> NDArray[np.int64]:
    """Counts per (group, cell), shape (size, width): cell 0 holds the zeros.

    Cell ``j > 0`` is the bucket ``k = lo - 1 + j``. The keys are computed as in
    :func:`_bucket_keys` (the same ufunc calls on the same block), then shifted
    and counted block by block: no full-length key array, one ``bincount`` per
    block (65,536 rows, or the table's size if larger) into a fixed-size table.
    """
    n = x.shape[0]
    cells = np.zeros(size * width, dtype=np.int64)
    # a block at least as long as the table, so adding its counts stays cheap
    block = max(_BLOCK, 1 << (size * width - 1).bit_length())
    buf = np.empty(min(n, block))
    idx = np.empty(min(n, block), dtype=np.intp)
    for start in range(0, n, block):
        xb = x[start : start + block]
        m = xb.shape[0]
        kb, ib = buf[:m], idx[:m]
        positive = xb > _TINY
        kb.fill(-np.inf)
        np.log2(xb, out=kb, where=positive)
        kb *= mult
        np.ceil(kb, out=kb)
        kb -= lo - 1  # zeros: -inf, to cell 0 below
        np.maximum(kb, 0.0, out=kb)
        np.copyto(ib, kb, casting="unsafe")
        if groups is not None:
            gb = groups[start : start + block]
            if offset:
                ib += (gb - offset) * width
            else:
                ib += gb * width
        cells += np.bincount(ib, minlength=size * width)
    return cells.reshape(size, width)


@attrs.frozen(eq=False)
class DurationSketchState(Mergeable):
    """Mergeable quantile sketch of non-negative durations, per group.

    Attributes
    ----------
    keys : ndarray, shape (g,)
        Group labels (``['all']`` without ``by``).
    relative_accuracy : float
        ``a``: every quantile is within relative error ``a`` of the order
        statistic it targets.
    bin_group, bin_key, bin_count : ndarray of int64, shape (m,)
        The non-empty buckets: group position, bucket index ``k`` and count,
        sorted by group then bucket.
    zero_count, n_missing : ndarray of int64, shape (g,)
        Durations of zero; missing durations left out.
    total : ndarray of float64, shape (g,)
        Sum of the durations (for the exact mean).

    Examples
    --------
    >>> from cxmetrics.support import DurationSketchState
    >>> a = DurationSketchState.from_durations([30.0, 60.0, 0.0], by=["chat", "chat", "mail"])
    >>> b = DurationSketchState.from_durations([600.0, 3600.0], by=["mail", "mail"])
    >>> s = a + b
    >>> s.n.tolist(), s.quantile(0.5).round(1).tolist()
    ([2, 3], [30.3, 596.0])
    """

    #: bucket indices and group positions are labels, not counts: not summed,
    #: and bucket indices are negative for durations under one second
    _ordinal_fields: ClassVar[tuple[str, ...]] = ("bin_key", "bin_group")

    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    relative_accuracy: float
    bin_group: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    bin_key: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    bin_count: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    zero_count: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    n_missing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    total: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(
            self.relative_accuracy == other.relative_accuracy
            and self.keys.dtype == other.keys.dtype
            and np.array_equal(self.keys, other.keys)
            and np.array_equal(self.bin_group, other.bin_group)
            and np.array_equal(self.bin_key, other.bin_key)
            and np.array_equal(self.bin_count, other.bin_count)
            and np.array_equal(self.zero_count, other.zero_count)
            and np.array_equal(self.n_missing, other.n_missing)
            and np.array_equal(self.total, other.total)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n(self) -> NDArray[np.int64]:
        """Durations counted per group (zeros included, missing ones not)."""
        per = np.bincount(self.bin_group, self.bin_count, minlength=len(self.keys))
        out: NDArray[np.int64] = per.astype(np.int64) + self.zero_count
        return out

    @classmethod
    def empty(cls, relative_accuracy: float = 0.01) -> Self:
        """The identity of ``+``: no groups, no durations."""
        a = _check_accuracy(relative_accuracy)
        z = np.zeros(0, dtype=np.int64)
        return cls(np.array([], dtype=str), a, z, z, z, z, z, np.zeros(0))

    @classmethod
    def from_durations(
        cls,
        durations: ArrayLike,
        *,
        by: ArrayLike | None = None,
        relative_accuracy: float = 0.01,
        nan_policy: NanPolicy = "omit",
    ) -> Self:
        """Sketch durations (seconds, or time deltas read as seconds) in one pass.

        Parameters
        ----------
        durations : array_like, shape (n,)
            Non-negative durations; NaN/NaT marks one not defined yet.
        by : array_like or list of array_like, optional
            Group keys (one or several columns); one group ``'all'`` by default.
        relative_accuracy : float, default 0.01
            ``a`` in (0, 0.5): quantiles within 1 % of the targeted order statistic.
        nan_policy : {'omit', 'raise'}, default 'omit'
            Missing durations are left out and counted in ``n_missing``, or raise.
        """
        check_option("nan_policy", nan_policy, NanPolicy)
        a = _check_accuracy(relative_accuracy)
        x, missing = durations_1d(durations, "durations", nan_policy=nan_policy)
        n = x.shape[0]
        if by is None:
            keys: NDArray[Any] = np.array(["all"])
            g: NDArray[np.int64] | None = None
        else:
            gi = group_index(by, n, like="durations")
            keys = gi.labels
            g = np.asarray(gi.source, dtype=np.int64) - gi.offset
        size = len(keys)
        n_missing = np.zeros(size, dtype=np.int64)
        if missing is not None:
            x = x[~missing]
            if g is None:
                n_missing[0] = int(np.count_nonzero(missing))
            else:
                n_missing = np.bincount(g[missing], minlength=size).astype(np.int64)
                g = g[~missing]
        mult = _multiplier(a)
        total = (
            np.array([float(x.sum())])
            if g is None
            else np.bincount(g, x, minlength=size)
        )
        bounds = _key_range(x, mult)
        if bounds is None:  # only zeros (or nothing)
            zero_count = (
                np.array([x.shape[0]], dtype=np.int64)
                if g is None
                else np.bincount(g, minlength=size).astype(np.int64)
            )
            z = np.zeros(0, dtype=np.int64)
            return cls(keys, a, z, z, z, zero_count, n_missing, total)
        lo, hi = bounds
        width = hi - lo + 2  # one extra cell (index 0) takes the zeros
        if width * size <= 4 * x.shape[0] + (1 << 16):
            cells = _bucket_cells(x, mult, lo, width, g, 0, size)
            zero_count = cells[:, 0].copy()
            cells[:, 0] = 0
            nz = np.flatnonzero(cells)
            bg, bk, bc = nz // width, nz % width + (lo - 1), cells.reshape(-1)[nz]
            return cls(keys, a, bg, bk, bc, zero_count, n_missing, total)
        # many groups and buckets: sort the (group, key) pairs instead
        k = _bucket_keys(x, mult)
        zero = k == _ZERO_KEY
        zero_count = (
            np.array([int(np.count_nonzero(zero))], dtype=np.int64)
            if g is None
            else np.bincount(g[zero], minlength=size).astype(np.int64)
        )
        keep = ~zero
        gk = np.zeros(int(keep.sum()), np.int64) if g is None else g[keep]
        bg, bk, bc = _combine(
            gk, k[keep].astype(np.int64), np.ones(int(keep.sum()), np.int64)
        )
        return cls(keys, a, bg, bk, bc, zero_count, n_missing, total)

    def merge(self, other: Self) -> Self:
        """Exact sum of two sketches of the same accuracy (groups aligned by key)."""
        if self.relative_accuracy != other.relative_accuracy:
            msg = (
                "cannot merge duration sketches of different relative accuracy "
                f"({self.relative_accuracy} and {other.relative_accuracy})."
            )
            raise IncompatibleStateError(msg)
        if not len(self.keys):
            return other
        if not len(other.keys):
            return self
        keys, pos_a, pos_b = align_keys(self.keys, other.keys)
        size = len(keys)

        def scatter(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
            out = np.zeros(size, dtype=np.result_type(a, b))
            np.add.at(out, pos_a, a)
            np.add.at(out, pos_b, b)
            return out

        bg, bk, bc = _combine(
            np.concatenate([pos_a[self.bin_group], pos_b[other.bin_group]]),
            np.concatenate([self.bin_key, other.bin_key]),
            np.concatenate([self.bin_count, other.bin_count]),
        )
        return type(self)(
            keys,
            self.relative_accuracy,
            bg,
            bk,
            bc,
            scatter(self.zero_count, other.zero_count),
            scatter(self.n_missing, other.n_missing),
            scatter(self.total, other.total),
        )

    def quantile(self, q: ArrayLike) -> NDArray[np.float64]:
        """Quantiles per group: shape (g,) for a scalar ``q``, else (g, len(q)).

        Empty groups give NaN with an :class:`~cxmetrics.exceptions.UndefinedMetricWarning`.
        """
        probs = parameter_array(q, "q", low=0.0, high=1.0)
        out = self.quantile_table(probs.reshape(-1))
        warn_undefined("a duration quantile", out[:, 0] if out.size else out)
        result: NDArray[np.float64] = out[:, 0] if probs.ndim == 0 else out
        return result

    def quantile_table(self, probs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quantiles at the (validated) ``probs``, shape (g, len(probs)); NaN when empty."""
        flat = probs
        size = len(self.keys)
        n = self.n
        gamma = 1.0 + 2.0 * self.relative_accuracy / (1.0 - self.relative_accuracy)
        mult = _multiplier(self.relative_accuracy)
        cum = np.cumsum(self.bin_count)
        starts = np.searchsorted(self.bin_group, np.arange(size))
        before = np.concatenate([[0], cum])  # buckets counted before each group
        base = before[starts]
        rank = flat[None, :] * (n[:, None] - 1.0)  # (g, q)
        target = rank - self.zero_count[:, None]
        idx = np.searchsorted(cum, base[:, None] + target, side="right")
        idx = np.clip(idx, 0, max(cum.size - 1, 0))
        if cum.size:
            with np.errstate(over="ignore"):
                value = np.exp2(self.bin_key[idx] / mult) * (2.0 / (1.0 + gamma))
        else:
            value = np.zeros(rank.shape)
        out = np.where(target < 0, 0.0, value)
        table: NDArray[np.float64] = np.where(n[:, None] == 0, np.nan, out)
        return table

    def mean(self) -> NDArray[np.float64]:
        """Exact mean duration per group (NaN, with a warning, for empty groups)."""
        n = self.n
        with np.errstate(invalid="ignore", divide="ignore"):
            out: NDArray[np.float64] = np.where(
                n > 0, self.total / np.maximum(n, 1), np.nan
            )
        warn_undefined("a mean duration", out)
        return out

    def __getitem__(self, key: object) -> Self:
        """The sketch of one group."""
        i = position(self.keys, key)
        sel = self.bin_group == i
        z = np.zeros(int(np.count_nonzero(sel)), dtype=np.int64)
        return type(self)(
            self.keys[i : i + 1],
            self.relative_accuracy,
            z,
            self.bin_key[sel],
            self.bin_count[sel],
            self.zero_count[i : i + 1],
            self.n_missing[i : i + 1],
            self.total[i : i + 1],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-ready); :meth:`from_dict` reverses it exactly."""
        return {
            **self._tag(),
            "keys": encode_keys(self.keys),
            "relative_accuracy": self.relative_accuracy,
            "bin_group": self.bin_group.tolist(),
            "bin_key": self.bin_key.tolist(),
            "bin_count": self.bin_count.tolist(),
            "zero_count": self.zero_count.tolist(),
            "n_missing": self.n_missing.tolist(),
            "total": self.total.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a sketch from :meth:`to_dict` output, checking it is consistent."""
        cls._check_tag(data)
        try:
            keys = decode_keys(data["keys"])
            a = _check_accuracy(data["relative_accuracy"])
            bg = np.asarray(data["bin_group"], dtype=np.int64)
            bk = np.asarray(data["bin_key"], dtype=np.int64)
            bc = np.asarray(data["bin_count"], dtype=np.int64)
            zc = np.asarray(data["zero_count"], dtype=np.int64)
            nm = np.asarray(data["n_missing"], dtype=np.int64)
            tot = np.asarray(data["total"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as err:
            msg = f"`data` is not a DurationSketchState dict ({type(err).__name__}: {err})."
            raise InvalidInputError(msg) from None
        g = len(keys)
        ok = (
            bg.shape == bk.shape == bc.shape
            and zc.shape == nm.shape == tot.shape == (g,)
            and (bc > 0).all()
            and (zc >= 0).all()
            and (nm >= 0).all()
            and np.isfinite(tot).all()
            and (tot >= 0).all()
            and ((bg >= 0) & (bg < g)).all()
        )
        if not ok:
            msg = "`data` describes an inconsistent DurationSketchState (shapes, negative or non-finite counts, or bins outside the groups)."
            raise InvalidInputError(msg)
        bg, bk, bc = _combine(bg, bk, bc)
        return cls(keys, a, bg, bk, bc, zc, nm, tot)
