r"""Front doors of the survival family: ``kaplan_meier``, ``nelson_aalen``, ``logrank_test``.

Each validates its input once, builds the event table (a
:class:`~cxmetrics.SurvivalState`, or a :class:`~cxmetrics.GroupedSurvivalState`)
and computes from it, so ``kaplan_meier(d, e) ==
SurvivalState.from_durations(d, e).compute()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.survival._event_table import SurvivalState
from cxmetrics.survival._grouped_state import GroupedSurvivalState
from cxmetrics.survival._grouped_survival import (
    GroupedKaplanMeierResult,
    GroupedNelsonAalenResult,
)
from cxmetrics.survival._km import KaplanMeierResult
from cxmetrics.survival._logrank import LogrankResult
from cxmetrics.survival._nelson_aalen import NelsonAalenResult
from cxmetrics.typing import CumulativeHazardTies, NanPolicy

__all__ = ["kaplan_meier", "logrank_test", "nelson_aalen"]


def _time_unit(durations: Any) -> str | None:
    """``'seconds'`` when durations are time deltas (read from the dtype or first value).

    numpy ``timedelta64``, pandas ``timedelta64[ns]``, polars ``Duration`` and
    lists of :class:`datetime.timedelta` are converted to seconds by the
    validation; numbers keep their unit (None).
    """
    dtype = getattr(durations, "dtype", None)
    if dtype is not None and (
        getattr(dtype, "kind", None) == "m" or str(dtype).startswith("Duration")
    ):
        return "seconds"
    if dtype is not None and getattr(dtype, "kind", None) != "O":
        return None
    try:
        arr = np.asarray(durations)
    except (TypeError, ValueError):
        return None
    if arr.dtype.kind == "m":
        return "seconds"
    if arr.dtype.kind == "O" and arr.ndim == 1:
        for v in arr.tolist():
            if isinstance(v, timedelta | np.timedelta64):
                return "seconds"
            if v is not None and v == v:  # noqa: PLR0124  (skip NaN)
                return None
    return None


def _grouped_state(
    durations: ArrayLike,
    events: ArrayLike | None,
    by: ArrayLike,
    entry: ArrayLike | None,
    levels: ArrayLike | None,
    nan_policy: str,
) -> GroupedSurvivalState:
    return GroupedSurvivalState.from_durations(
        durations, by, events, entry=entry, nan_policy=nan_policy, levels=levels
    )


def _check_levels(by: ArrayLike | None, levels: ArrayLike | None) -> None:
    if by is None and levels is not None:
        msg = "`levels` lists the groups of `by`; pass `by` too, or leave `levels` out."
        raise InvalidInputError(msg)


@overload
def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike | None = ...,
    *,
    by: None = ...,
    entry: ArrayLike | None = ...,
    levels: None = ...,
    nan_policy: NanPolicy = ...,
) -> KaplanMeierResult: ...
@overload
def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike | None = ...,
    *,
    by: ArrayLike,
    entry: ArrayLike | None = ...,
    levels: ArrayLike | None = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedKaplanMeierResult: ...
def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    *,
    by: ArrayLike | None = None,
    entry: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
) -> KaplanMeierResult | GroupedKaplanMeierResult:
    r"""Kaplan-Meier survival curve with right censoring and optional late entry.

    Parameters
    ----------
    durations : array_like, shape (n,)
        Time from the origin (sign-up, first order) to the event (churn) or to
        censoring (still active at the end of observation); finite, >= 0.
        Numbers (in any unit, kept as given) or time deltas (numpy
        ``timedelta64``, a pandas ``timedelta64[ns]`` column, a polars
        ``Duration`` column, :class:`datetime.timedelta`), which are converted
        to **seconds**: every time of the result (``time``, ``median``,
        quantiles, restricted mean) is then in seconds, and ``time_unit`` says
        so. NaT is a missing value.
    events : array_like of {0, 1} or bool, shape (n,), optional
        1 (True) if the event was observed, 0 if the duration is censored.
        Default: every duration is an event.
    by : array_like, shape (n,), optional
        Group of each subject (numbers, strings or booleans): one curve per
        group, returned as a :class:`GroupedKaplanMeierResult` whose
        ``logrank()`` compares them.
    entry : array_like, shape (n,), optional
        Late entry (left truncation): when each subject came under observation,
        on the same clock; ``entry < duration`` (or both 0). A subject is at risk
        on ``(entry, duration]``. Default: everyone from time 0.
    levels : array_like, optional
        With ``by``: every group to report, in order (groups without rows get
        empty curves).
    nan_policy : {'raise', 'omit'}, default 'raise'
        Rows with a missing value raise, or are omitted and counted in
        ``n_missing``.

    Returns
    -------
    KaplanMeierResult or GroupedKaplanMeierResult
        The curve (``survival``, fractions in [0, 1]) at each distinct event or
        censoring time, with ``at_risk``, ``events``, ``censored``, the Greenwood
        ``standard_error``, bands, quantiles and the restricted mean. With
        ``by``: one such curve per group (``res[key]``), a summary table of
        ``n``, ``n_events``, ``median`` and its 95% interval (``to_pandas()``),
        and ``res.logrank()``.

    Raises
    ------
    InvalidInputError
        Negative or infinite durations, event indicators other than 0/1, entry not
        before the duration, mismatched lengths.
    MissingValueError
        NaN/None under ``nan_policy='raise'``.

    Warns
    -----
    UndefinedMetricWarning
        With zero subjects: the curve is empty and its median, quantiles and
        restricted mean are NaN.

    See Also
    --------
    SurvivalState : the mergeable event table behind the curve.
    nelson_aalen, logrank_test

    Notes
    -----
    With :math:`d_j` events among :math:`n_j` at risk at the distinct times
    :math:`t_j` (Kaplan & Meier 1958; Greenwood 1926):

    .. math::

        \hat S(t) = \prod_{t_j \le t}\Bigl(1 - \frac{d_j}{n_j}\Bigr), \qquad
        \widehat{\operatorname{Var}}\,\hat S(t) = \hat S(t)^2
        \sum_{t_j \le t} \frac{d_j}{n_j (n_j - d_j)} .

    Matches R's ``survfit`` and lifelines' ``KaplanMeierFitter`` (including
    ``entry=``) to rounding; see the survival page of the docs for where those
    two differ.

    References
    ----------
    .. [1] Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from
       incomplete observations. *JASA* 53(282), 457-481.
    .. [2] Greenwood, M. (1926). The natural duration of cancer. *Reports on
       Public Health and Medical Subjects* 33.
    .. [3] Klein, J. P. & Moeschberger, M. L. (2003). *Survival Analysis*, 2nd ed.,
       Springer, ch. 4.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> months = [1, 3, 3, 4, 6, 6, 6, 9, 12, 12]
    >>> churned = [1, 1, 0, 1, 1, 0, 0, 1, 0, 0]
    >>> res = cx.kaplan_meier(months, churned)
    >>> res.time.tolist()
    [1.0, 3.0, 4.0, 6.0, 9.0, 12.0]
    >>> res.survival.round(4).tolist()
    [0.9, 0.8, 0.6857, 0.5714, 0.381, 0.381]
    >>> round(res.survival_at(5), 4), res.median
    (0.6857, 9.0)

    One curve per plan, and the log-rank test of the two:

    >>> plan = ["basic"] * 5 + ["pro"] * 5
    >>> by_plan = cx.kaplan_meier(months, churned, by=plan)
    >>> by_plan.median.tolist(), by_plan["pro"].n
    ([4.0, inf], 5)
    >>> round(by_plan.logrank().pvalue, 4)
    0.0045
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    _check_levels(by, levels)
    unit = _time_unit(durations)
    if by is not None:
        state = _grouped_state(durations, events, by, entry, levels, nan_policy)
        return GroupedKaplanMeierResult.from_state(state, time_unit=unit)
    res = SurvivalState.from_durations(
        durations, events, entry=entry, nan_policy=nan_policy
    ).compute()
    return res if unit is None else attrs.evolve(res, time_unit=unit)


@overload
def nelson_aalen(
    durations: ArrayLike,
    events: ArrayLike | None = ...,
    *,
    by: None = ...,
    entry: ArrayLike | None = ...,
    levels: None = ...,
    ties: CumulativeHazardTies = ...,
    nan_policy: NanPolicy = ...,
) -> NelsonAalenResult: ...
@overload
def nelson_aalen(
    durations: ArrayLike,
    events: ArrayLike | None = ...,
    *,
    by: ArrayLike,
    entry: ArrayLike | None = ...,
    levels: ArrayLike | None = ...,
    ties: CumulativeHazardTies = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedNelsonAalenResult: ...
def nelson_aalen(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    *,
    by: ArrayLike | None = None,
    entry: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    ties: CumulativeHazardTies = "nelson-aalen",
    nan_policy: NanPolicy = "raise",
) -> NelsonAalenResult | GroupedNelsonAalenResult:
    r"""Nelson-Aalen estimate of the cumulative hazard.

    Parameters
    ----------
    durations, events, by, entry, levels, nan_policy
        As in :func:`kaplan_meier` (time deltas are read in seconds; with
        ``by``, one curve per group and ``logrank()``).
    ties : {'nelson-aalen', 'fleming-harrington'}, default 'nelson-aalen'
        ``'nelson-aalen'``: :math:`\sum d_j/n_j`, variance :math:`\sum d_j/n_j^2`
        (R's default ``ctype=1``). ``'fleming-harrington'``: tied events counted one
        after another, :math:`\sum_j \sum_{k<d_j} 1/(n_j-k)`, variance
        :math:`\sum_j\sum_k 1/(n_j-k)^2` (R's ``ctype=2``, and lifelines' default
        ``nelson_aalen_smoothing=True``).

    Returns
    -------
    NelsonAalenResult or GroupedNelsonAalenResult
        ``cumulative_hazard`` (events per subject, >= 0) and its ``variance`` at
        each distinct event or censoring time; with ``by``, one per group.

    References
    ----------
    .. [1] Nelson, W. (1972). Theory and applications of hazard plotting for
       censored failure data. *Technometrics* 14(4), 945-966.
    .. [2] Aalen, O. (1978). Nonparametric inference for a family of counting
       processes. *Annals of Statistics* 6(4), 701-726.
    .. [3] Fleming, T. R. & Harrington, D. P. (1984). Nonparametric estimation of
       the survival distribution in censored data. *Communications in Statistics -
       Theory and Methods* 13(20), 2469-2486.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.nelson_aalen([1, 3, 3, 4, 6], [1, 1, 1, 0, 1])
    >>> res.cumulative_hazard.round(4).tolist()
    [0.2, 0.7, 0.7, 1.7]
    """
    check_option("ties", ties, ("nelson-aalen", "fleming-harrington"))
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    _check_levels(by, levels)
    unit = _time_unit(durations)
    if by is not None:
        state = _grouped_state(durations, events, by, entry, levels, nan_policy)
        return GroupedNelsonAalenResult.from_state(state, ties=ties, time_unit=unit)
    res = SurvivalState.from_durations(
        durations, events, entry=entry, nan_policy=nan_policy
    ).nelson_aalen(ties=ties)
    return res if unit is None else attrs.evolve(res, time_unit=unit)


def logrank_test(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    *,
    by: ArrayLike,
    entry: ArrayLike | None = None,
    levels: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
) -> LogrankResult:
    r"""Log-rank test that k groups share one survival curve (chi-square, k-1 df).

    Parameters
    ----------
    durations, events, entry, nan_policy
        As in :func:`kaplan_meier`.
    by : array_like, shape (n,)
        Group of each subject (numbers, strings or booleans); two or more groups.
    levels : array_like, optional
        Every group to report, in order.

    Returns
    -------
    LogrankResult
        ``statistic``, ``pvalue`` and ``df``, with the observed and expected events
        per group and the covariance matrix.

    Warns
    -----
    UndefinedMetricWarning
        With fewer than two groups at risk at an event time (NaN statistic).

    Notes
    -----
    The Mantel (1966) / Peto & Peto (1972) test in the form of R's ``survdiff``
    (``rho = 0``) and lifelines' ``multivariate_logrank_test``: see
    :class:`LogrankResult`. Late entry is allowed (the risk sets account for it),
    which neither of those supports.

    References
    ----------
    .. [1] Mantel, N. (1966). Evaluation of survival data and two new rank order
       statistics arising in its consideration. *Cancer Chemotherapy Reports*
       50(3), 163-170.
    .. [2] Peto, R. & Peto, J. (1972). Asymptotically efficient rank invariant test
       procedures. *JRSS A* 135(2), 185-207.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> res = cx.logrank_test([2, 3, 4, 8, 9, 12, 14, 20], [1, 1, 1, 1, 0, 1, 1, 0],
    ...                       by=["trial", "trial", "trial", "paid", "trial", "paid", "paid", "paid"])
    >>> round(res.statistic, 3), round(res.pvalue, 4)
    (2.697, 0.1005)
    """
    return GroupedSurvivalState.from_durations(
        durations, by, events, entry=entry, nan_policy=nan_policy, levels=levels
    ).logrank_test()
