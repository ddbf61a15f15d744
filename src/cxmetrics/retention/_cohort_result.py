"""The cohort retention matrix as a result: :class:`CohortResult` (counts, rates, intervals)."""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import (
    InvalidInputError,
    UndefinedMetricWarning,
)
from cxmetrics.stats import ConfidenceIntervalArray, proportion_interval
from cxmetrics.typing import (
    CalendarFreq,
    CohortDefinition,
    CohortTable,
    ProportionMethod,
)

__all__ = ["CohortResult"]


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class CohortResult(DisplayMixin):
    r"""A cohort retention matrix: cohorts (rows) by periods since joining (columns).

    Attributes
    ----------
    cohorts : ndarray of datetime64, shape (c,)
        Label of each cohort's first period.
    sizes : ndarray of int64, shape (c,)
        Customers per cohort.
    value : ndarray of float64, shape (c, w)
        Retention rates ``counts / sizes`` in [0, 1]; NaN exactly where ``mask``.
    counts : ndarray of int64, shape (c, w)
        The counts of ``definition``; 0 where masked.
    mask : ndarray of bool, shape (c, w)
        True for cells whose period had not ended by ``as_of`` (not observable).
    classic, unbounded : ndarray of int64, shape (c, w)
        Customers active in period ``k``, and in period ``k`` or later.
    revenue : ndarray of int64, shape (c, w), or None
        Sum of amounts per cell in minor units (revenue cohorts).
    definition : {'classic', 'unbounded'}
        Which counts ``value`` and ``counts`` show.
    freq : str
    minor_units : int
    as_of : numpy.datetime64 or None

    Examples
    --------
    >>> import numpy as np
    >>> import cxmetrics as cx
    >>> t = np.array(["2024-01-05", "2024-03-11", "2024-01-20", "2024-02-02"], dtype="datetime64[D]")
    >>> res = cx.cohort_matrix(["x", "x", "y", "y"], t)
    >>> res.classic.tolist(), res.unbounded.tolist()
    ([[2, 1, 1]], [[2, 2, 1]])
    """

    cohorts: NDArray[np.datetime64] = attrs.field(converter=frozen_keys, eq=array_eq)
    sizes: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    value: NDArray[np.float64] = attrs.field(eq=array_eq)
    counts: NDArray[np.int64] = attrs.field(eq=array_eq)
    mask: NDArray[np.bool_] = attrs.field(eq=array_eq)
    classic: NDArray[np.int64] = attrs.field(eq=array_eq)
    unbounded: NDArray[np.int64] = attrs.field(eq=array_eq)
    revenue: NDArray[np.int64] | None = attrs.field(eq=array_eq)
    definition: CohortDefinition
    freq: CalendarFreq
    minor_units: int
    as_of: np.datetime64 | None

    def __attrs_post_init__(self) -> None:
        for name in ("value", "counts", "mask", "classic", "unbounded", "revenue"):
            arr = getattr(self, name)
            if arr is not None:
                arr.setflags(write=False)

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.sizes.sum())

    @property
    def rates(self) -> NDArray[np.float64]:
        """The retention rates (same as ``value``)."""
        return self.value

    def revenue_rates(self) -> NDArray[np.float64]:
        """Revenue of each cell over the cohort's revenue in its first period.

        NaN where masked, and (with a warning) for cohorts with no revenue in
        their first period.
        """
        if self.revenue is None:
            msg = "this cohort matrix has no revenue; pass `amount` to cohort_matrix()."
            raise InvalidInputError(msg)
        base = self.revenue[:, :1].astype(np.float64)
        zero = (base[:, 0] == 0) & ~self.mask[:, 0]
        if zero.any():
            msg = f"revenue retention is undefined for {int(zero.sum())} cohort(s) with no revenue in their first period; returning NaN for them."
            warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                self.mask | (base == 0),
                np.nan,
                self.revenue / np.where(base == 0, 1.0, base),
            )

    def confidence_interval(
        self, confidence_level: float = 0.95, *, method: ProportionMethod = "wilson"
    ) -> ConfidenceIntervalArray:
        """Binomial interval for every cell's rate (NaN where masked).

        Examples
        --------
        >>> import numpy as np
        >>> import cxmetrics as cx
        >>> t = np.array(["2024-01-05", "2024-02-11", "2024-01-20"], dtype="datetime64[D]")
        >>> ci = cx.cohort_matrix([1, 1, 2], t).confidence_interval()
        >>> ci.low.round(4).tolist()
        [[0.3424, 0.0945]]
        """
        ci = proportion_interval(
            self.counts, self.sizes[:, None], confidence_level, method=method
        )
        return ConfidenceIntervalArray(
            np.where(self.mask, np.nan, ci.low), np.where(self.mask, np.nan, ci.high)
        )

    def to_pandas(self, what: CohortTable = "rates") -> Any:
        """A :class:`pandas.DataFrame`: cohorts by periods since joining (needs pandas).

        Parameters
        ----------
        what : {'rates', 'counts', 'revenue'}, default 'rates'
        """
        check_option("what", what, CohortTable)
        pd = require("pandas", feature="to_pandas()")
        data: Any = {
            "rates": self.value,
            "counts": self.counts,
            "revenue": self.revenue,
        }[what]
        if data is None:
            msg = "this cohort matrix has no revenue."
            raise InvalidInputError(msg)
        frame = pd.DataFrame(
            np.asarray(data), index=pd.Index(self.cohorts.astype(str), name="cohort")
        )
        frame.columns.name = "period"
        if what != "rates":
            frame = frame.mask(self.mask)
        return frame

    def __repr__(self) -> str:
        w = self.value.shape[1] if self.value.ndim == 2 else 0
        shown = min(w, 12)
        head = ["cohort", "size", *(str(k) for k in range(shown))]
        rows = []
        for i in range(min(len(self.cohorts), 24)):
            cells = [str(self.cohorts[i]), str(int(self.sizes[i]))]
            cells.extend(
                "." if self.mask[i, k] else f"{self.value[i, k]:.3f}"
                for k in range(shown)
            )
            rows.append(cells)
        widths = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(head)]
        lines = [
            f"CohortResult ({self.definition}, {self.freq}; {len(self.cohorts)} cohort(s), n={self.n}; '.' = not yet observable)"
        ]
        lines.append("  ".join(h.rjust(x) for h, x in zip(head, widths, strict=True)))
        lines.extend(
            "  ".join(c.rjust(x) for c, x in zip(r, widths, strict=True)) for r in rows
        )
        return "\n".join(lines)
