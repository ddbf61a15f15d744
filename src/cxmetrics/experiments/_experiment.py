"""The front door: :func:`experiment` on per-unit data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.experiments._analysis import DEFAULT_TUNING, check_analysis_options
from cxmetrics.experiments._srm import DEFAULT_SRM_THRESHOLD
from cxmetrics.experiments._state import ExperimentState
from cxmetrics.survey import GroupedCESState, GroupedCSATState, GroupedNPSState
from cxmetrics.typing import ExperimentKind, NanPolicy

if TYPE_CHECKING:
    from cxmetrics.experiments._result import ExperimentResult
    from cxmetrics.survey import NPSScheme
    from cxmetrics.typing import Alternative, ExperimentTest, LiftInterval

__all__ = ["experiment"]


def experiment(
    values: ArrayLike
    | ExperimentState
    | GroupedNPSState
    | GroupedCSATState
    | GroupedCESState,
    arm: ArrayLike | None = None,
    *,
    control: object,
    kind: ExperimentKind = "mean",
    denominator: ArrayLike | None = None,
    covariate: ArrayLike | None = None,
    scheme: NPSScheme | None = None,
    relative: bool = False,
    test: ExperimentTest = "auto",
    interval: LiftInterval = "delta",
    sequential: bool = False,
    tuning: float = DEFAULT_TUNING,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    expected_split: Mapping[Any, float] | Sequence[float] | ArrayLike | None = None,
    srm_threshold: float = DEFAULT_SRM_THRESHOLD,
    nan_policy: NanPolicy = "raise",
) -> ExperimentResult:
    r"""Lift of each treatment arm over the control on one CX KPI, with its test.

    Parameters
    ----------
    values : array_like, ExperimentState or grouped survey state
        One value per randomised unit (customer, contact, session): a number or a
        time delta (``kind='mean'``; time deltas are read as seconds), a 0/1 flag
        (``'proportion'``), a 0-10 answer (``'nps'``) or a numerator (``'ratio'``).
        Missing values are NaN/None/NaT; values above 1e150 in size are refused
        (their squares would overflow the variance). Or sums already taken: an
        :class:`ExperimentState` (e.g. merged from daily files), or a
        ``GroupedNPSState`` / ``GroupedCSATState`` / ``GroupedCESState`` grouped by
        arm (see :meth:`ExperimentState.from_survey`); ``arm`` and the per-unit
        arguments are then not given, and ``kind`` comes from the state.
    arm : array_like
        The arm each unit was assigned to (text, integers, booleans); required
        with per-unit ``values``.
    control : object
        The control arm's label; every other arm is compared with it.
    kind : {'mean', 'proportion', 'nps', 'ratio'}, default 'mean'
        What ``values`` are. ``'nps'`` recodes answers to +1/0/-1 with ``scheme`` and
        reports absolute lifts in NPS points; ``'ratio'`` compares
        ``sum(values) / sum(denominator)`` per arm (delta method).
    denominator : array_like, optional
        The ratio's denominator per unit (``kind='ratio'`` only).
    covariate : array_like, optional
        A pre-period value per unit (e.g. last quarter's contacts) for CUPED; its
        slope :math:`\theta` is pooled over all arms.
    scheme : NPSScheme, optional
        Categories for ``kind='nps'`` (default 0-10, promoters 9-10, detractors 0-6).
    relative : bool, default False
        Report ``(treatment - control) / control`` (the *unadjusted* control mean is
        the denominator, also with CUPED) instead of the difference.
    test : {'auto', 'welch', 'z'}, default 'auto'
        Welch's t test (Welch-Satterthwaite df) or the z test; ``'auto'`` is Welch for
        means and ratios, z for proportions and NPS.
    interval : {'delta', 'fieller'}, default 'delta'
        Interval of a relative lift: delta-method, or Fieller's (honest when the
        control mean is near zero; may be unbounded).
    sequential : bool, default False
        Always-valid p-values and confidence sequences (Waudby-Smith et al. 2023),
        valid however often the experiment is looked at. Two-sided only.
    tuning : float, default 5000
        The sequential method's tuning parameter: the total units near which the
        confidence sequence is tightest (GrowthBook's default, 5000).
    confidence_level : float, default 0.95
        Level of the intervals, and :math:`1 - \alpha` of the sequential test.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        ``'greater'`` tests that the treatment is above the control.
    expected_split : mapping or sequence of float, optional
        The designed share per arm for the sample-ratio check (default: equal).
    srm_threshold : float, default 0.001
        The sample-ratio check fails (and warns) when its p-value is below this.
    nan_policy : {'raise', 'omit'}, default 'raise'
        Units with a missing value, denominator or covariate: raise, or omit and
        count them per arm in ``arm_missing`` (they still count as assigned for the
        sample-ratio check).

    Returns
    -------
    ExperimentResult
        One row per treatment arm; ``result[arm]`` is a :class:`LiftResult`.

    Notes
    -----
    See the docs page *Experiments* for every formula and its source. Absolute lifts
    of means use Welch's t test as ``scipy.stats.ttest_ind(equal_var=False)``;
    proportions the unpooled z test; CUPED follows Deng et al. (2013) with the
    slope pooled over arms as GrowthBook and tea-tasting do.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> handle = [310, 295, 402, 280, 333, 290, 265, 301, 270, 255]
    >>> arms = ["old", "old", "old", "old", "old", "new", "new", "new", "new", "new"]
    >>> res = cx.experiment(handle, arms, control="old", relative=True)
    >>> lift = res["new"]
    >>> round(lift.value, 4), round(lift.pvalue, 4)
    (-0.1475, 0.061)
    """
    check_option("kind", kind, ExperimentKind)
    check_option("nan_policy", nan_policy, NanPolicy)
    check_analysis_options(
        relative=relative,
        test=test,
        interval=interval,
        sequential=sequential,
        tuning=tuning,
        confidence_level=confidence_level,
        alternative=alternative,
        srm_threshold=srm_threshold,
    )
    if isinstance(
        values, ExperimentState | GroupedNPSState | GroupedCSATState | GroupedCESState
    ):
        given = [
            name
            for name, v in (
                ("arm", arm),
                ("denominator", denominator),
                ("covariate", covariate),
                ("scheme", scheme),
            )
            if v is not None
        ]
        if given:
            msg = (
                f"`values` is a {type(values).__name__}, which already holds the sums "
                f"per arm; do not pass {', '.join(f'`{g}`' for g in given)}."
            )
            raise InvalidInputError(msg)
        state = (
            values
            if isinstance(values, ExperimentState)
            else ExperimentState.from_survey(values)
        )
    else:
        if arm is None:
            msg = "`arm` is required with per-unit `values`: the arm each unit was assigned to."
            raise InvalidInputError(msg)
        state = ExperimentState.from_units(
            values,
            arm,
            kind=kind,
            denominator=denominator,
            covariate=covariate,
            scheme=scheme,
            nan_policy=nan_policy,
        )
    return state.compute(
        control,
        relative=relative,
        test=test,
        interval=interval,
        sequential=sequential,
        tuning=tuning,
        confidence_level=confidence_level,
        alternative=alternative,
        expected_split=expected_split,
        srm_threshold=srm_threshold,
    )
