"""Sufficient statistics of an experiment: per arm, counts, sums and cross-products.

For each arm the state keeps the unit count, the omitted missing units, and the sums
and sums of cross-products of the variables ``y`` (the metric per unit), ``d`` (its
denominator, ratio metrics only) and ``x`` (the pre-period covariate, CUPED only).
That is all that the lift, its delta-method variance, CUPED's pooled slope and the
sample-ratio test need, and two states merge by adding them (exact for integer data,
up to floating-point rounding otherwise). Raw sums are the convention of gbstats and
tea-tasting too; they lose precision only when a metric's mean is ~1e7 times its
standard deviation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.state import GroupedState, group_keys, parameter, summed
from cxmetrics._core.validation import check_option
from cxmetrics.experiments._analysis import DEFAULT_TUNING, analyze
from cxmetrics.experiments._from_survey import survey_sums
from cxmetrics.experiments._inputs import KINDS, unit_data
from cxmetrics.experiments._srm import DEFAULT_SRM_THRESHOLD
from cxmetrics.experiments._summary import summary_sums
from cxmetrics.typing import (
    ExperimentKind,
    ExperimentSummaryKind,
    NanPolicy,
    RatingDefinition,
)

if TYPE_CHECKING:
    from cxmetrics.experiments._result import ExperimentResult
    from cxmetrics.survey import NPSScheme
    from cxmetrics.typing import (
        Alternative,
        ExperimentTest,
        LiftInterval,
    )

__all__ = ["ExperimentState"]


def _n_vars(kind: str, covariate: bool) -> int:
    return 1 + (kind == "ratio") + bool(covariate)


@attrs.frozen(unsafe_hash=False, field_transformer=nan_equal_fields)
class ExperimentState(GroupedState):
    r"""Mergeable per-arm sums of an experiment on one KPI.

    Attributes
    ----------
    kind : {'mean', 'proportion', 'nps', 'ratio'}
        What the per-unit values are (see :func:`experiment`).
    covariate : bool
        Whether a pre-period covariate ``x`` was recorded (CUPED).
    keys : ndarray, shape (g,)
        Arm labels, sorted (dtype kept: text, integers, booleans).
    count : ndarray of int64, shape (g,)
        Units used per arm.
    n_missing : ndarray of int64, shape (g,)
        Units omitted per arm under ``nan_policy='omit'``.
    sums : ndarray of float64, shape (g, v)
        :math:`\sum y`, then :math:`\sum d` (ratio), then :math:`\sum x` (covariate).
    products : ndarray of float64, shape (g, v, v)
        Sums of cross-products of the same variables (symmetric).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> a = cx.ExperimentState.from_units([3.0, 5.0], ["A", "B"])
    >>> b = cx.ExperimentState.from_units([4.0, 7.0, 2.0], ["A", "B", "A"])
    >>> whole = cx.ExperimentState.from_units(
    ...     [3.0, 5.0, 4.0, 7.0, 2.0], ["A", "B", "A", "B", "A"]
    ... )
    >>> a + b == whole
    True
    >>> whole.count.tolist()
    [3, 2]
    >>> len(whole), whole["B"].count.tolist()  # the state of one arm
    (2, [2])
    """

    kind: str = attrs.field(validator=attrs.validators.in_(KINDS), metadata=parameter())
    covariate: bool = attrs.field(metadata=parameter(load=lambda _cls, raw: bool(raw)))
    keys: NDArray[Any] = attrs.field(
        converter=frozen_keys, eq=array_eq, metadata=group_keys()
    )
    count: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )
    n_missing: NDArray[np.int64] = attrs.field(
        converter=frozen_int, eq=array_eq, metadata=summed(np.int64)
    )
    #: sums and cross-products of the outcome and covariate may be negative
    sums: NDArray[np.float64] = attrs.field(
        converter=frozen_float,
        eq=array_eq,
        metadata=summed(np.float64, ("v",), signed=True),
    )
    products: NDArray[np.float64] = attrs.field(
        converter=frozen_float,
        eq=array_eq,
        metadata=summed(np.float64, ("v", "v"), signed=True),
    )

    @classmethod
    def _dims(cls, params: Mapping[str, Any]) -> dict[str, int]:
        return {"v": _n_vars(params["kind"], params["covariate"])}

    @property
    def n(self) -> int:
        """Units used over all arms."""
        return int(self.count.sum())

    @classmethod
    def empty(cls, kind: ExperimentKind = "mean", *, covariate: bool = False) -> Self:
        """The identity of ``+``: no arms."""
        check_option("kind", kind, ExperimentKind)
        return cls._empty(kind=kind, covariate=covariate)

    @classmethod
    def from_units(
        cls,
        values: ArrayLike,
        arm: ArrayLike,
        *,
        kind: ExperimentKind = "mean",
        denominator: ArrayLike | None = None,
        covariate: ArrayLike | None = None,
        scheme: NPSScheme | None = None,
        nan_policy: NanPolicy = "raise",
    ) -> Self:
        """Sum per-unit data by arm (one row per randomised unit).

        Parameters are those of :func:`experiment`. Vectorised: one
        :func:`numpy.bincount` per sum.
        """
        check_option("kind", kind, ExperimentKind)
        check_option("nan_policy", nan_policy, NanPolicy)
        data = unit_data(
            values,
            arm,
            kind=kind,
            denominator=denominator,
            covariate=covariate,
            scheme=scheme,
            nan_policy=nan_policy,
        )
        g = data.labels.shape[0]
        codes, cols = data.codes, data.columns
        n_missing = np.zeros(g, np.int64)
        if data.missing is not None:
            n_missing = np.bincount(codes[data.missing], minlength=g)
            keep = ~data.missing
            codes = codes[keep]
            cols = tuple(c[keep] for c in cols)
        v = len(cols)
        count = np.bincount(codes, minlength=g)
        sums = np.empty((g, v))
        products = np.empty((g, v, v))
        for i in range(v):  # at most three variables: a loop over columns, not rows
            sums[:, i] = np.bincount(codes, weights=cols[i], minlength=g)
            for j in range(i, v):
                prod = np.bincount(codes, weights=cols[i] * cols[j], minlength=g)
                products[:, i, j] = products[:, j, i] = prod
        seen = (count + n_missing) > 0
        return cls(
            kind,
            covariate is not None,
            data.labels[seen],
            count[seen],
            n_missing[seen],
            sums[seen],
            products[seen],
        )

    @classmethod
    def from_survey(
        cls, state: object, *, definition: RatingDefinition = "mean"
    ) -> Self:
        """Per-arm sums from a grouped survey state whose groups are the arms.

        Parameters
        ----------
        state : GroupedNPSState, GroupedCSATState or GroupedCESState
            Unweighted, grouped by arm (``by=arm``). NPS gives ``kind='nps'``, CSAT
            ``'proportion'`` (the satisfied share), CES ``'mean'`` (the CES mean).
        definition : {'mean', 'share'}, default 'mean'
            For CES only: ``'share'`` compares the share of "easy" answers instead.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> scores = [9, 10, 6, 3, 8, 10, 9, 7, 10, 9, 10, 4]
        >>> arm = ["control"] * 6 + ["callback"] * 6
        >>> grouped = cx.GroupedNPSState.from_responses(scores, by=arm)
        >>> state = cx.ExperimentState.from_survey(grouped)
        >>> state == cx.ExperimentState.from_units(scores, arm, kind="nps")
        True
        >>> round(state.compute("control")["callback"].value, 2)
        33.33
        """
        kind, fields = survey_sums(state, definition)
        return cls(kind, **fields)

    @classmethod
    def from_summary(
        cls,
        arm: ArrayLike,
        n: ArrayLike,
        mean: ArrayLike,
        std: ArrayLike | None = None,
        *,
        kind: ExperimentSummaryKind = "mean",
    ) -> Self:
        r"""Per-arm sums from an aggregated export: one row per arm.

        Parameters
        ----------
        arm : array_like
            Arm labels, each once.
        n : array_like of int
            Units per arm.
        mean : array_like of float
            The KPI's mean per arm (the share for ``kind='proportion'``).
        std : array_like of float, optional
            Standard deviation per arm with ddof 1 (``kind='mean'`` only).
        kind : {'mean', 'proportion'}, default 'mean'
            NPS summaries need the answer counts: use :meth:`from_survey`.

        Notes
        -----
        :math:`\sum y = n\bar y` and :math:`\sum y^2 = (n-1)s^2 + n\bar y^2`;
        the lift then equals ``scipy.stats.ttest_ind_from_stats(equal_var=False)``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> state = cx.ExperimentState.from_summary(
        ...     ["control", "new"], n=[1200, 1180], mean=[312.0, 301.5], std=[88.0, 84.0]
        ... )
        >>> lift = state.compute("control")["new"]
        >>> round(lift.value, 1), round(lift.pvalue, 4)
        (-10.5, 0.0029)
        """
        return cls(kind, **summary_sums(arm, n, mean, std, kind))

    def compute(
        self,
        control: object,
        *,
        relative: bool = False,
        test: ExperimentTest = "auto",
        interval: LiftInterval = "delta",
        sequential: bool = False,
        tuning: float = DEFAULT_TUNING,
        confidence_level: float = 0.95,
        alternative: Alternative = "two-sided",
        expected_split: Mapping[Any, float] | Sequence[float] | ArrayLike | None = None,
        srm_threshold: float = DEFAULT_SRM_THRESHOLD,
    ) -> ExperimentResult:
        """The experiment's result: every arm against ``control``.

        The options are those of :func:`experiment`, checked before anything is
        computed; no pass over data is needed (the state holds the sums).
        """
        return analyze(
            self,
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
