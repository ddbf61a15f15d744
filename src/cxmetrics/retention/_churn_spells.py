r"""Customer (logo) churn and retention rates, from counts or from activity spells.

The sufficient statistic of a period is a handful of counts: customers active at
its start, churn events and joins (sign-ups and comebacks), each split by whether
the customer joined in the same period and whether a churned customer came back
in the same period, plus the customer-time at risk. Every
:class:`~cxmetrics.ChurnConvention` is a function of these counts, so one state
answers every convention, and states of disjoint sets of customers add exactly.

Activity is given as spells ``[start, end)`` per customer (a subscription, or a
run of active periods). Overlapping or touching spells of one customer are merged
first (a plan change is not a churn). A spell starting at instant :math:`s` joins
in the period that holds :math:`s`; a spell ending at :math:`e` churns in the period
that holds :math:`e`; a customer is active at the start of period :math:`k` when
active just before its first instant :math:`b_k` (:math:`s < b_k \le e`), so that
the customers at the end of one period are those at the start of the next.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import group_index
from cxmetrics.retention._inputs import spells_1d

__all__: list[str] = []


# ------------------------------------------------------------------------ kernel
#
# churn table [period, j, r]: j = the spell that ends began in the same period,
#                             r = the customer comes back later in that period
# join table  [period, c, q]: c = the spell that begins also ends in the period,
#                             q = it is a comeback after a churn in that period


def _merge_spells(
    codes: NDArray[Any], start: NDArray[np.int64], end: NDArray[np.int64]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """Merge overlapping or touching spells per customer; sorted by customer, start.

    A sweep over the 2n start/end events, sorted by customer then time with starts
    before ends at equal times: the running count of open spells is exact per
    customer (each customer's +1s and -1s cancel), and a customer is active while
    it is positive.
    """
    n = start.shape[0]
    times = np.concatenate([start, end])
    delta = np.concatenate([np.ones(n, np.int8), np.full(n, -1, np.int8)])
    keys = np.concatenate([codes, codes])
    order = np.lexsort((-delta, times, keys))
    d = delta[order]
    open_spells = np.cumsum(d, dtype=np.int64)
    opens = (d == 1) & (open_spells == 1)
    closes = (d == -1) & (open_spells == 0)
    return keys[order][opens], times[order][opens], times[order][closes]


def _spell_counts(
    codes: NDArray[Any],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
    bounds: NDArray[np.int64],
    censor_at: int | None = None,
) -> dict[str, NDArray[Any]]:
    """Per-period counts of merged spells over periods ``[bounds[k], bounds[k+1])``.

    With ``censor_at`` (the ``as_of`` instant, every end already clipped to it),
    a merged spell ending there is still active when observation stops: it is
    no churn, and it stays active through the period that holds ``as_of``.
    """
    k = bounds.shape[0] - 1
    codes, start, end = _merge_spells(codes, start, end)
    m = start.shape[0]
    ks = np.searchsorted(bounds, start, side="right").astype(np.int64) - 1
    ke = np.searchsorted(bounds, end, side="right").astype(np.int64) - 1
    censored = np.zeros(m, dtype=bool) if censor_at is None else end >= censor_at

    # active at the start of period p: ks < p <= ke
    a = np.clip(ks + 1, 0, k)
    z = np.clip(ke + 1, 0, k)
    at_start = np.cumsum(
        np.bincount(a, minlength=k + 1) - np.bincount(z, minlength=k + 1)
    )[:k]

    same_next = np.zeros(m, dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    comes_back = np.zeros(m, dtype=bool)
    comes_back[:-1] = same_next[:-1] & (ks[1:] == ke[:-1])
    is_comeback = np.zeros(m, dtype=bool)
    is_comeback[1:] = comes_back[:-1]
    first = np.ones(m, dtype=bool)
    first[1:] = ~same_next[:-1]
    within = (ks == ke) & ~censored

    in_c = (ke >= 0) & (ke < k) & ~censored
    in_j = (ks >= 0) & (ks < k)
    churn = np.bincount(
        ke[in_c] * 4 + within[in_c] * 2 + comes_back[in_c], minlength=4 * k
    ).reshape(k, 2, 2)
    joins = np.bincount(
        ks[in_j] * 4 + within[in_j] * 2 + is_comeback[in_j], minlength=4 * k
    ).reshape(k, 2, 2)
    reactivated = np.bincount(ks[in_j & ~first], minlength=k)

    # exposure: time active inside each period, as a fraction of its length
    lo, hi = bounds[0], bounds[-1]
    s = np.clip(start, lo, hi)
    e = np.clip(end, lo, hi)
    keep = s < e
    s, e = s[keep], e[keep]
    ps = np.searchsorted(bounds, s, side="right") - 1
    pe = np.searchsorted(bounds, e, side="right") - 1  # k when e == hi
    length = np.diff(bounds).astype(np.float64)
    length_ext = np.append(length, 1.0)
    one = ps == pe
    exposure = np.zeros(k + 1)
    exposure += np.bincount(
        ps[one], weights=(e[one] - s[one]) / length_ext[ps[one]], minlength=k + 1
    )
    two = ~one
    ps2, pe2 = ps[two], pe[two]
    exposure += np.bincount(
        ps2, weights=(bounds[ps2 + 1] - s[two]) / length_ext[ps2], minlength=k + 1
    )
    exposure += np.bincount(
        pe2,
        weights=(e[two] - bounds[np.minimum(pe2, k)]) / length_ext[pe2],
        minlength=k + 1,
    )
    full = np.bincount(ps2 + 1, minlength=k + 2) - np.bincount(pe2, minlength=k + 2)
    exposure += np.cumsum(full)[: k + 1]
    return {
        "at_start": at_start.astype(np.int64),
        "churn": churn.astype(np.int64),
        "joins": joins.astype(np.int64),
        "reactivated": reactivated.astype(np.int64),
        "exposure": exposure[:k],
    }


def _codes(customer: ArrayLike, n: int) -> NDArray[np.int64]:
    index = group_index(customer, n, name="customer", like="start")
    return np.asarray(index.source, dtype=np.int64) - index.offset


def _instants(
    start: ArrayLike, end: ArrayLike, as_of: object | None
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64], np.datetime64 | None]:
    return spells_1d(start, end, as_of=as_of)
