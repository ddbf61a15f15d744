r"""MRR movements: new, expansion, contraction, churned and reactivation per period.

Money is held in integer minor units (int64 cents by default), so every sum is
exact and the roll-forward identity

.. math::

    \mathrm{MRR}_{\text{end}} = \mathrm{MRR}_{\text{start}} + \text{new} +
    \text{expansion} - \text{contraction} - \text{churned} + \text{reactivation}

holds to the cent in every period; it is checked whenever movements are built.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import array_eq, frozen_int, frozen_keys, nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics.exceptions import (
    InvalidInputError,
    UndefinedMetricWarning,
)

if TYPE_CHECKING:
    from cxmetrics.retention._revenue_matrix import RevenueMatrix

__all__ = ["MRRMovements"]

#: cells handled per block by the movement kernel
_BLOCK_CELLS = 1 << 20


# -------------------------------------------------------------- the movements

_MOVES = ("new", "expansion", "contraction", "churned", "reactivation")


def _movement_block(a: NDArray[np.int64]) -> dict[str, NDArray[np.int64]]:
    """Sums and customer counts of each movement, per column transition."""
    prev, cur = a[:, :-1], a[:, 1:]
    was, now = prev > 0, cur > 0
    ever = np.logical_or.accumulate(a > 0, axis=1)[:, :-1]
    diff = cur - prev
    both = was & now
    masks = {
        "new": now & ~ever,
        "reactivation": now & ~was & ever,
        "churned": was & ~now,
        "expansion": both & (diff > 0),
        "contraction": both & (diff < 0),
    }
    size = {
        "new": cur,
        "reactivation": cur,
        "churned": prev,
        "expansion": diff,
        "contraction": -diff,
    }
    out: dict[str, NDArray[np.int64]] = {}
    for name, mask in masks.items():
        out[name] = np.where(mask, size[name], 0).sum(axis=0, dtype=np.int64)
        out[name + "_customers"] = np.count_nonzero(mask, axis=0).astype(np.int64)
    out["opening"] = prev.sum(axis=0, dtype=np.int64)
    out["closing"] = cur.sum(axis=0, dtype=np.int64)
    out["customers_opening"] = np.count_nonzero(was, axis=0).astype(np.int64)
    out["customers_closing"] = np.count_nonzero(now, axis=0).astype(np.int64)
    return out


def _movements(matrix: RevenueMatrix) -> MRRMovements:
    a = matrix.amounts
    n, k = a.shape
    periods = matrix.periods[1:] if k else matrix.periods
    sums: dict[str, NDArray[np.int64]] = {}
    if k >= 2:
        rows = max(1, _BLOCK_CELLS // k)
        for lo in range(0, max(n, 1), rows):
            part = _movement_block(a[lo : lo + rows])
            for name, v in part.items():
                sums[name] = sums[name] + v if name in sums else v
    width = max(k - 1, 0)
    zero = np.zeros(width, dtype=np.int64)
    return MRRMovements(
        periods=periods,
        opening=sums.get("opening", zero),
        new=sums.get("new", zero),
        expansion=sums.get("expansion", zero),
        contraction=sums.get("contraction", zero),
        churned=sums.get("churned", zero),
        reactivation=sums.get("reactivation", zero),
        closing=sums.get("closing", zero),
        customers_opening=sums.get("customers_opening", zero),
        new_customers=sums.get("new_customers", zero),
        expansion_customers=sums.get("expansion_customers", zero),
        contraction_customers=sums.get("contraction_customers", zero),
        churned_customers=sums.get("churned_customers", zero),
        reactivation_customers=sums.get("reactivation_customers", zero),
        customers_closing=sums.get("customers_closing", zero),
        minor_units=matrix.minor_units,
        n=matrix.n,
    )


def _ratio(
    num: NDArray[Any], den: NDArray[Any], what: str, *, zero: str = "no opening MRR"
) -> NDArray[np.float64]:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    undefined = int(np.count_nonzero(np.isnan(out)))
    if undefined:
        msg = f"{what} is undefined in {undefined} period(s) with {zero}; returning NaN there."
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)
    return out


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class MRRMovements(DisplayMixin):
    r"""MRR movements of each period, in integer minor units.

    For each customer and period, with :math:`m_0` its MRR at the end of the
    previous period and :math:`m_1` at the end of this one:

    * **new**: :math:`m_0 = 0 < m_1` and no MRR in any earlier period: :math:`m_1`;
    * **reactivation**: :math:`m_0 = 0 < m_1` after MRR in some earlier period
      (revenue returning after at least one period at zero): :math:`m_1`;
    * **expansion** / **contraction**: both positive, :math:`m_1 - m_0` when
      up / :math:`m_0 - m_1` when down;
    * **churned**: :math:`m_0 > 0 = m_1`: :math:`m_0` (dated in the first
      period at zero).

    Attributes
    ----------
    periods : ndarray, shape (k,)
        Period labels (every column of the matrix but the first).
    opening, closing : ndarray of int64, shape (k,)
        Total MRR at the end of the previous period and of this one.
    new, expansion, contraction, churned, reactivation : ndarray of int64
        Movement amounts, all non-negative.
    customers_opening, customers_closing : ndarray of int64
        Paying customers (logos) at the end of the previous period and of this one.
    new_customers, expansion_customers, contraction_customers, churned_customers, reactivation_customers : ndarray of int64
        Customers behind each movement.
    minor_units : int
        Minor units per currency unit.
    n : int
        Customers in the matrix.

    Raises
    ------
    InvalidInputError
        When built with movements that do not satisfy
        ``opening + new + expansion - contraction - churned + reactivation == closing``
        (and the same for customer counts) in every period.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> mv = cx.mrr_movements([[0, 10, 12, 0, 7], [5, 5, 3, 3, 3]], minor_units=1)
    >>> mv.new.tolist(), mv.expansion.tolist(), mv.contraction.tolist()
    ([10, 0, 0, 0], [0, 2, 0, 0], [0, 2, 0, 0])
    >>> mv.churned.tolist(), mv.reactivation.tolist(), mv.closing.tolist()
    ([0, 0, 12, 0], [0, 0, 0, 7], [15, 15, 3, 10])
    """

    periods: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    opening: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    new: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    expansion: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    contraction: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    churned: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    reactivation: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    closing: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    customers_opening: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    new_customers: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    expansion_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    contraction_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    churned_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    reactivation_customers: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    customers_closing: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq
    )
    minor_units: int = 100
    n: int = 0

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "opening",
        "new",
        "expansion",
        "contraction",
        "churned",
        "reactivation",
        "closing",
        "customers_opening",
        "new_customers",
        "expansion_customers",
        "contraction_customers",
        "churned_customers",
        "reactivation_customers",
        "customers_closing",
    )

    def __attrs_post_init__(self) -> None:
        k = self.periods.shape[0]
        for name in self._COLUMNS:
            arr = getattr(self, name)
            if arr.shape != (k,):
                msg = f"`{name}` must have shape ({k},); got {arr.shape}."
                raise InvalidInputError(msg)
            if (arr < 0).any():
                msg = f"`{name}` must be non-negative."
                raise InvalidInputError(msg)
        rolled = (
            self.opening
            + self.new
            + self.expansion
            - self.contraction
            - self.churned
            + self.reactivation
        )
        logos = (
            self.customers_opening
            + self.new_customers
            + self.reactivation_customers
            - self.churned_customers
        )
        for got, want, what in (
            (rolled, self.closing, "MRR"),
            (logos, self.customers_closing, "customers"),
        ):
            bad = got != want
            if bad.any():
                i = int(np.argmax(bad))
                msg = (
                    f"{what} movements do not add up in period {self.periods[i]}: "
                    f"opening plus movements is {int(got[i])}, closing is {int(want[i])}."
                )
                raise InvalidInputError(msg)
        if not (self.opening[1:] == self.closing[:-1]).all():
            msg = "each period's `opening` must equal the previous period's `closing`."
            raise InvalidInputError(msg)

    @property
    def value(self) -> NDArray[np.int64]:
        """MRR at the end of each period (``closing``), in minor units."""
        return self.closing

    @property
    def net_new(self) -> NDArray[np.int64]:
        """Net new MRR: ``closing - opening``."""
        out: NDArray[np.int64] = self.closing - self.opening
        return out

    def quick_ratio(self) -> NDArray[np.float64]:
        r"""SaaS quick ratio per period: gains over losses.

        .. math:: \frac{\text{new} + \text{expansion} + \text{reactivation}}{\text{contraction} + \text{churned}}

        ``inf`` when there are gains but no losses; NaN (with a warning) when
        there are neither.

        References
        ----------
        .. [1] Baremetrics changelog, "New Quick Ratio Metric":
           (new + expansion) / (contraction + churned). Reactivation counts as a
           gain here (it is revenue coming in).

        Examples
        --------
        >>> import cxmetrics as cx
        >>> mv = cx.mrr_movements([[5, 10, 4], [3, 3, 3], [0, 0, 2]], minor_units=1)
        >>> mv.quick_ratio().tolist()
        [inf, 0.3333333333333333]
        """
        gains = (self.new + self.expansion + self.reactivation).astype(np.float64)
        losses = (self.contraction + self.churned).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(
                losses > 0,
                gains / np.where(losses > 0, losses, 1.0),
                np.where(gains > 0, np.inf, np.nan),
            )
        undefined = int(np.count_nonzero(np.isnan(out)))
        if undefined:
            msg = f"the quick ratio is undefined in {undefined} period(s) with no gains and no losses; returning NaN there."
            warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
        return out

    def revenue_churn_rate(self) -> NDArray[np.float64]:
        """Gross MRR churn per period: ``(churned + contraction) / opening``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.mrr_movements([[10, 8], [10, 0]], minor_units=1).revenue_churn_rate().tolist()
        [0.6]
        """
        return _ratio(self.churned + self.contraction, self.opening, "revenue churn")

    def net_revenue_churn_rate(self) -> NDArray[np.float64]:
        """Net MRR churn per period: ``(churned + contraction - expansion) / opening``.

        Negative when expansion outweighs the losses ("negative churn").
        """
        return _ratio(
            self.churned + self.contraction - self.expansion,
            self.opening,
            "net revenue churn",
        )

    def logo_churn_rate(self) -> NDArray[np.float64]:
        """Customer (logo) churn per period: ``churned_customers / customers_opening``.

        At the matrix's granularity a customer who joins and leaves between two
        period ends is never seen, so this is the "customers at the start,
        same-period joiners excluded" convention.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> cx.mrr_movements([[10, 8], [10, 0]], minor_units=1).logo_churn_rate().tolist()
        [0.5]
        """
        return _ratio(
            self.churned_customers,
            self.customers_opening,
            "logo churn",
            zero="no customers at the start",
        )

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns as a dict of arrays: ``period`` first, amounts in minor units."""
        return {"period": self.periods, **{c: getattr(self, c) for c in self._COLUMNS}}

    def to_pandas(self) -> Any:
        """The columns as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __len__(self) -> int:
        return int(self.periods.shape[0])

    def __repr__(self) -> str:
        names = [
            "period",
            "opening",
            "new",
            "expansion",
            "contraction",
            "churned",
            "reactivation",
            "closing",
        ]
        scale = self.minor_units
        rows = []
        for i in range(min(len(self), 24)):
            cells = [str(self.periods[i])]
            for name in names[1:]:
                v = int(getattr(self, name)[i])
                cells.append(f"{v / scale:,.2f}" if scale != 1 else f"{v:,}")
            rows.append(cells)
        widths = [
            max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)
        ]
        lines = [f"MRRMovements over {len(self)} period(s) (amounts / {scale})"]
        lines.append("  ".join(h.rjust(w) for h, w in zip(names, widths, strict=True)))
        lines.extend(
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )
        if len(self) > 24:
            lines.append(f"... {len(self) - 24} more")
        return "\n".join(lines)
