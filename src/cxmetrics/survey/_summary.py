r"""Vectorised summaries of scale histograms: shares, means, effective sample sizes.

Each function takes arrays with the scale points on the last axis, so one code path
serves a single state (shape ``(k,)``) and a grouped one (``(g, k)``). Unweighted
histograms are treated as unit weights with exactly the same arithmetic, so unit
weights reproduce the unweighted results bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["ScaleSummary"]


class ScaleSummary:
    r"""Weighted totals of a histogram over the scale ``low..high``.

    ``total`` is :math:`W = \sum w`, ``effective_n`` is Kish's
    :math:`n_{\mathrm{eff}} = W^2/\sum w^2` (Kish 1965; equal to ``n`` without
    weights), and shares are weighted shares :math:`\sum_{i \in S} w_i / W`.
    """

    def __init__(
        self,
        counts: NDArray[np.int64],
        weight_sums: NDArray[np.float64] | None,
        weight_squares: NDArray[np.float64] | None,
        low: int,
    ) -> None:
        self.counts = counts
        self.n = counts.sum(axis=-1)
        self.w = counts.astype(np.float64) if weight_sums is None else weight_sums
        w2 = self.w if weight_squares is None else weight_squares
        self.total = self.w.sum(axis=-1)
        total_sq = w2.sum(axis=-1)
        # W * (W / sum w^2) is exactly n for unit weights, even for huge n; every
        # division below has its zero denominators replaced by 1 (no warning to hide)
        self.effective_n = np.where(
            total_sq > 0,
            self.total * (self.total / np.where(total_sq > 0, total_sq, 1.0)),
            0.0,
        )
        self.defined = self.total > 0
        self.points = np.arange(low, low + counts.shape[-1], dtype=np.float64)
        self.low = low

    def share(self, lo: int, hi: int) -> NDArray[np.float64]:
        """Weighted share of answers in ``[lo, hi]``; NaN where undefined."""
        part = self.w[..., lo - self.low : hi - self.low + 1].sum(axis=-1)
        return self._divide(part, self.total)

    def count(self, lo: int, hi: int) -> NDArray[np.int64]:
        """Unweighted number of answers in ``[lo, hi]``."""
        out: NDArray[np.int64] = self.counts[
            ..., lo - self.low : hi - self.low + 1
        ].sum(axis=-1)
        return out

    def mean(self) -> NDArray[np.float64]:
        """Weighted mean answer."""
        return self._divide(self.w @ self.points, self.total)

    def variance(self) -> NDArray[np.float64]:
        r"""Sample variance: :math:`\frac{n_e}{n_e - 1}\sum w (x - \bar x)^2 / W`."""
        mean = self.mean()
        # mean is an array (0-d for one state): the trailing axis meets the points
        dev = (self.points - mean[..., None]) ** 2
        pop = self._divide((self.w * dev).sum(axis=-1), self.total)
        ne = self.effective_n
        return np.where(ne > 1, pop * ne / np.where(ne > 1, ne - 1.0, 1.0), np.nan)

    @staticmethod
    def _divide(a: NDArray[Any], b: NDArray[Any]) -> NDArray[np.float64]:
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
