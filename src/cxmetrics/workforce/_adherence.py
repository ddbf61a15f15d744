r"""Schedule adherence and conformance from scheduled and actual agent states."""

from __future__ import annotations

import math
import warnings
from typing import Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result
from cxmetrics._core.validation import (
    as_1d,
    check_option,
    check_same_length,
    durations_1d,
    group_index,
)
from cxmetrics.exceptions import MissingValueError, UndefinedMetricWarning
from cxmetrics.typing import NanPolicy

__all__ = ["AdherenceResult", "GroupedAdherenceResult", "adherence"]


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class AdherenceResult(DisplayMixin):
    r"""Schedule adherence and conformance of an agent, a team or a centre.

    Attributes
    ----------
    value : float
        Adherence, the headline number (see ``adherence``).
    adherence : float
        Time in the scheduled activity over scheduled working time, in [0, 1].
    conformance : float
        Time worked (any activity but off) over scheduled working time; may
        exceed 1 (overtime).
    in_adherence : float
        Time whose actual activity equals the scheduled one, while scheduled to work.
    scheduled : float
        Scheduled working time (scheduled activity not off).
    worked : float
        Time worked (actual activity not off).
    n : int
        Rows (agent-intervals) used.
    n_missing : int
        Rows left out for a missing state (``nan_policy='omit'``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.adherence(["phone", "phone", "break", "phone"],
    ...                  ["phone", "break", "break", "off"])
    >>> a.adherence, a.conformance
    (0.5, 0.75)
    """

    value: float
    adherence: float
    conformance: float
    in_adherence: float
    scheduled: float
    worked: float
    n: int
    n_missing: int

    def __repr__(self) -> str:
        return (
            f"AdherenceResult(adherence {self.adherence:.4g}, conformance "
            f"{self.conformance:.4g}; {self.in_adherence:g} of {self.scheduled:g} "
            f"scheduled, {self.worked:g} worked, n={self.n})"
        )


@grouped_result(
    AdherenceResult,
    table=("adherence", "conformance", "scheduled", "worked", "n"),
)
class GroupedAdherenceResult(GroupedResult[AdherenceResult]):
    """:class:`AdherenceResult` per agent or team: one column per field.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> g = cx.adherence(["phone", "phone", "phone", "phone"],
    ...                  ["phone", "off", "phone", "phone"], by=["ann", "ann", "bo", "bo"])
    >>> g.keys.tolist(), g.adherence.tolist()
    (['ann', 'bo'], [0.5, 1.0])
    """


def _missing(arr: NDArray[Any]) -> NDArray[np.bool_]:
    if arr.dtype.kind == "O":
        return np.asarray(
            np.fromiter(
                (
                    v is None or (isinstance(v, float) and math.isnan(v))
                    for v in arr.tolist()
                ),
                dtype=bool,
                count=arr.size,
            ),
            dtype=bool,
        )
    if arr.dtype.kind == "f":
        return np.asarray(np.isnan(arr), dtype=bool)
    return np.zeros(arr.size, dtype=bool)


@overload
def adherence(
    scheduled: ArrayLike,
    actual: ArrayLike,
    *,
    durations: ArrayLike | None = ...,
    by: None = ...,
    off: ArrayLike = ...,
    nan_policy: NanPolicy = ...,
) -> AdherenceResult: ...
@overload
def adherence(
    scheduled: ArrayLike,
    actual: ArrayLike,
    *,
    durations: ArrayLike | None = ...,
    by: ArrayLike,
    off: ArrayLike = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedAdherenceResult: ...
def adherence(
    scheduled: ArrayLike,
    actual: ArrayLike,
    *,
    durations: ArrayLike | None = None,
    by: ArrayLike | None = None,
    off: ArrayLike = ("off",),
    nan_policy: NanPolicy = "raise",
) -> AdherenceResult | GroupedAdherenceResult:
    r"""Schedule adherence and conformance (the standard WFM definitions).

    One row per agent and time slice (an interval, or a state-log segment with
    its ``durations``), with the activity scheduled and the one recorded.

    Parameters
    ----------
    scheduled, actual : array_like of labels, shape (n,)
        Scheduled and actual activity per row (``'phone'``, ``'email'``,
        ``'break'``, ``'off'`` ...; strings or codes, compared as given).
    durations : array_like, shape (n,), optional
        Length of each row (minutes, seconds or time deltas); default 1 per row
        (equal intervals).
    by : array_like, optional
        Agent, team or any key per row (several columns give combined keys).
    off : array_like of labels, default ('off',)
        The labels meaning *not working* (off shift, logged out).
    nan_policy : {'raise', 'omit'}, default 'raise'
        A missing state raises, or its row is left out and counted in ``n_missing``.

    Returns
    -------
    AdherenceResult or GroupedAdherenceResult

    Raises
    ------
    InvalidInputError
        Lengths that differ, negative durations, a bad option.
    MissingValueError
        Missing states under ``nan_policy='raise'``.

    Warns
    -----
    UndefinedMetricWarning
        No scheduled working time (in a group): NaN.

    Notes
    -----
    With :math:`t_i` the length of row :math:`i`, :math:`s_i` and :math:`a_i`
    the scheduled and actual activities and :math:`O` the off labels
    (Cleveland, *Call Center Management on Fast Forward*, ch. 7; the same
    definitions in NICE, Verint and Calabrio WFM):

    .. math:: \text{adherence} = \frac{\sum_i t_i [s_i \notin O,\ a_i = s_i]}
                                      {\sum_i t_i [s_i \notin O]}, \qquad
              \text{conformance} = \frac{\sum_i t_i [a_i \notin O]}
                                        {\sum_i t_i [s_i \notin O]}.

    Adherence asks "were agents doing the right thing at the right time";
    conformance "did they work the hours scheduled", whenever they worked them.

    Examples
    --------
    An agent scheduled 09:00-11:00 on the phone with a break at 10:00, in
    30-minute slices, starts late and takes the break early:

    >>> import cxmetrics as cx
    >>> sched = ["phone", "phone", "break", "phone", "off"]
    >>> actual = ["off", "break", "phone", "phone", "phone"]
    >>> a = cx.adherence(sched, actual, durations=[30, 30, 30, 30, 30])
    >>> a.adherence, a.conformance, a.scheduled
    (0.25, 1.0, 120.0)
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    s = as_1d(scheduled, "scheduled")
    a = as_1d(actual, "actual")
    check_same_length("actual", a, "scheduled", s.size)
    t_miss = np.zeros(s.size, dtype=bool)
    if durations is None:
        t = np.ones(s.size)
    else:
        t, tm = durations_1d(durations, "durations", nan_policy="omit")
        check_same_length("durations", t, "scheduled", s.size)
        if tm is not None:
            t_miss = tm
            t = np.where(tm, 0.0, t)
    s_miss, a_miss = _missing(s), _missing(a)
    miss = s_miss | a_miss | t_miss
    if miss.any() and nan_policy == "raise":
        i = int(np.argmax(miss))
        which = "scheduled" if s_miss[i] else "actual" if a_miss[i] else "durations"
        msg = f"`{which}` has a missing value at index {i} ({int(miss.sum())} row(s) with a missing value); pass nan_policy='omit' to leave them out and count them."
        raise MissingValueError(msg)
    off_labels = np.asarray(off).reshape(-1)
    keep = ~miss
    s_work = keep & ~np.isin(s, off_labels)
    a_work = keep & ~np.isin(a, off_labels)
    same = s_work & (s == a)
    w_sched = np.where(s_work, t, 0.0)
    w_work = np.where(a_work, t, 0.0)
    w_same = np.where(same, t, 0.0)
    if by is None:
        sched_t, work_t, same_t = (
            float(w_sched.sum()),
            float(w_work.sum()),
            float(w_same.sum()),
        )
        if sched_t == 0.0:
            warnings.warn(
                "adherence is undefined with no scheduled working time; returning NaN.",
                UndefinedMetricWarning,
                stacklevel=2,
            )
        adh = same_t / sched_t if sched_t else math.nan
        return AdherenceResult(
            value=adh,
            adherence=adh,
            conformance=work_t / sched_t if sched_t else math.nan,
            in_adherence=same_t,
            scheduled=sched_t,
            worked=work_t,
            n=int(keep.sum()),
            n_missing=int(miss.sum()),
        )
    gi = group_index(by, s.size, like="scheduled")
    codes = np.asarray(gi.source, dtype=np.int64) - gi.offset
    g = len(gi.labels)
    sched_g = np.bincount(codes, weights=w_sched, minlength=g)
    work_g = np.bincount(codes, weights=w_work, minlength=g)
    same_g = np.bincount(codes, weights=w_same, minlength=g)
    none = sched_g == 0
    if none.any():
        warnings.warn(
            f"adherence is undefined for {int(none.sum())} group(s) with no scheduled working time; returning NaN for them.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        adh_g = np.where(none, np.nan, same_g / sched_g)
        conf_g = np.where(none, np.nan, work_g / sched_g)
    return GroupedAdherenceResult(
        keys=gi.labels,
        value=adh_g,
        adherence=adh_g,
        conformance=conf_g,
        in_adherence=same_g,
        scheduled=sched_g,
        worked=work_g,
        n=np.bincount(codes[keep], minlength=g),
        n_missing=np.bincount(codes[miss], minlength=g),
    )
