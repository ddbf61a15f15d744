r"""Customer patience from call records (censored waits), to calibrate Erlang A."""

from __future__ import annotations

import math
from typing import Any, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.result import GroupedResult, grouped_result, scalar_only, shared
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    timedelta_seconds,
)
from cxmetrics.stats import (
    CI,
    ConfidenceInterval,
    ConfidenceIntervalArray,
    IntervalMethods,
)
from cxmetrics.survival import KaplanMeierResult, kaplan_meier
from cxmetrics.typing import NanPolicy, PatienceMethod

__all__ = ["GroupedPatienceResult", "PatienceResult", "estimate_patience"]


def _z(confidence_level: float) -> float:
    from statistics import NormalDist  # noqa: PLC0415  (stdlib, exact normal quantile)

    return NormalDist().inv_cdf(0.5 + check_confidence_level(confidence_level) / 2)


class _PatienceMethods(IntervalMethods[CI]):
    """The mean patience's interval, written once for the scalar and grouped result."""

    __slots__ = ()
    mean: Any
    abandons: Any

    def confidence_interval(self, confidence_level: float = 0.95) -> CI:
        r"""Interval of the exponential mean patience (per group if grouped).

        Symmetric on the log scale: :math:`\hat\theta\exp(\pm z/\sqrt{d})`, from
        the observed information of the censored exponential likelihood
        (:math:`\operatorname{Var}\log\hat\theta \approx 1/d`; Lawless 2003, §2.2).
        NaN without abandons.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> p = cx.estimate_patience([30, 60, 10, 100], [True, False, True, False])
        >>> [round(v, 1) for v in p.confidence_interval()]
        [25.0, 399.8]
        >>> g = cx.estimate_patience([30, 60, 10, 100], [1, 0, 1, 0], by=[1, 1, 2, 2])
        >>> low, high = g.confidence_interval()
        >>> low.round(1).tolist()
        [12.6, 15.6]
        """
        z = _z(confidence_level)
        mean = np.asarray(self.mean, dtype=np.float64)
        abandons = np.asarray(self.abandons)
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z / np.sqrt(abandons)
            ok = (abandons > 0) & np.isfinite(mean) & (mean > 0)
            low = np.where(ok, mean * np.exp(-half), np.nan)
            high = np.where(ok, mean * np.exp(half), np.nan)
        return self._bounds(low, high)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class PatienceResult(DisplayMixin, _PatienceMethods[ConfidenceInterval]):
    r"""Customer patience estimated from waits of answered and abandoned calls.

    Attributes
    ----------
    value : float
        The estimate: the mean patience (exponential MLE) for
        ``method='exponential'``, the Kaplan-Meier median for ``'kaplan_meier'``.
    mean : float
        Exponential MLE of the mean patience, :math:`\hat\theta = \sum w_i / d`
        (total waiting time over abandons): the ``patience`` Erlang A takes.
        ``inf`` with no abandons.
    median : float
        Median patience: Kaplan-Meier (``'kaplan_meier'``; ``inf`` when the
        curve stays above 0.5 up to the longest wait, as :func:`~cxmetrics.kaplan_meier`) or :math:`\hat\theta \ln 2` (exponential).
    abandons : int
        Abandoned calls (observed patience).
    answered : int
        Answered calls (censored: patience at least their wait).
    exposure : float
        Total waiting time of all calls.
    n : int
        Calls used.
    n_missing : int
        Calls left out for a missing wait or flag.
    method : str
        The estimator of ``value``.
    time_unit : str or None
        ``'seconds'`` when waits were time deltas.
    curve : KaplanMeierResult or None
        The patience survival curve (``'kaplan_meier'``).

    Examples
    --------
    >>> import cxmetrics as cx
    >>> p = cx.estimate_patience([30, 60, 10, 100], [True, False, True, False])
    >>> p.mean, p.abandons, p.exposure
    (100.0, 2, 200.0)
    """

    value: float
    mean: float
    median: float
    abandons: int
    answered: int
    exposure: float
    n: int
    n_missing: int
    method: PatienceMethod = shared()
    time_unit: str | None = shared(default=None)
    curve: KaplanMeierResult | None = scalar_only(default=None)

    @property
    def rate(self) -> float:
        r"""Abandonment hazard :math:`d / \sum w_i` (per unit of waiting time)."""
        return self.abandons / self.exposure if self.exposure else math.nan

    def __repr__(self) -> str:
        return (
            f"PatienceResult(mean patience {self.mean:.4g} ({self.method}: "
            f"{self.value:.4g}), median {self.median:.4g}; {self.abandons} abandons, "
            f"{self.answered} answered, n={self.n})"
        )


@grouped_result(PatienceResult, table=("value", "mean", "abandons", "answered", "n"))
class GroupedPatienceResult(
    GroupedResult[PatienceResult], _PatienceMethods[ConfidenceIntervalArray]
):
    """:class:`PatienceResult` per queue, interval or any key: one column per field.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> g = cx.estimate_patience([30, 60, 10, 100, 50], [1, 0, 1, 0, 1],
    ...                          by=["sales", "sales", "care", "care", "care"])
    >>> g.keys.tolist(), g.mean.tolist()
    (['care', 'sales'], [80.0, 90.0])
    >>> g["care"].abandons
    2
    """

    method: PatienceMethod
    time_unit: str | None


@overload
def estimate_patience(
    waits: ArrayLike,
    abandoned: ArrayLike,
    *,
    by: None = ...,
    method: PatienceMethod = ...,
    nan_policy: NanPolicy = ...,
) -> PatienceResult: ...
@overload
def estimate_patience(
    waits: ArrayLike,
    abandoned: ArrayLike,
    *,
    by: ArrayLike,
    method: PatienceMethod = ...,
    nan_policy: NanPolicy = ...,
) -> GroupedPatienceResult: ...
def estimate_patience(
    waits: ArrayLike,
    abandoned: ArrayLike,
    *,
    by: ArrayLike | None = None,
    method: PatienceMethod = "exponential",
    nan_policy: NanPolicy = "raise",
) -> PatienceResult | GroupedPatienceResult:
    r"""Estimate customer patience from call records, for Erlang A.

    A caller who abandons after waiting :math:`w` reveals a patience of
    :math:`w`; a caller answered after :math:`w` only shows patience
    :math:`\ge w` (right-censored). Treating answered waits as exact, or
    ignoring them, biases patience down; both estimators here use them as
    censored observations.

    Parameters
    ----------
    waits : array_like, shape (n,)
        Time each call waited in queue (until answer or abandonment): numbers
        (seconds, say) or time deltas (converted to seconds), ``>= 0``.
    abandoned : array_like of bool or {0, 1}, shape (n,)
        True if the caller hung up before being answered.
    by : array_like, shape (n,), or list of such, optional
        Queue, interval or any key per call (several columns give combined keys):
        one estimate per group.
    method : {'exponential', 'kaplan_meier'}, default 'exponential'
        ``value`` is the exponential MLE of the mean, or the Kaplan-Meier median.
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing waits raise, or are left out and counted in ``n_missing``.

    Returns
    -------
    PatienceResult or GroupedPatienceResult
        ``mean`` (for :func:`~cxmetrics.queue_metrics`' ``patience``),
        ``median``, counts and, for ``'kaplan_meier'``, the survival curve.

    Raises
    ------
    InvalidInputError
        Negative or infinite waits, flags other than 0/1, lengths that differ,
        a bad option.
    MissingValueError
        Missing waits under ``nan_policy='raise'``.

    Warns
    -----
    UndefinedMetricWarning
        No abandons (patience unbounded on these data: mean ``inf``), or no calls.

    Notes
    -----
    **Exponential MLE.** With exponential patience (Erlang A's assumption) and
    :math:`d` abandons among calls with waits :math:`w_i`, the censored
    log-likelihood :math:`d\log\gamma - \gamma\sum_i w_i` is maximal at
    :math:`\hat\gamma = d / \sum_i w_i`, so :math:`\hat\theta = \sum_i w_i / d`:
    the total waiting time (the *exposure*) over the abandons. This is also
    the Erlang A identity :math:`P(\mathrm{Ab}) = E[W]/\theta` used by
    Mandelbaum & Zeltyn (2007) to estimate patience from ACD data.

    **Kaplan-Meier** (Brown et al. 2005): the product-limit curve of patience
    with abandons as events and answered calls censored, through
    :func:`~cxmetrics.kaplan_meier`; no shape assumed, so it also shows when
    patience is not exponential. Its median is reported; its mean is not
    identified beyond the longest wait.

    References
    ----------
    .. [1] Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S. &
       Zhao, L. (2005). Statistical analysis of a telephone call center.
       *Journal of the American Statistical Association* 100(469), 36-50.
    .. [2] Mandelbaum, A. & Zeltyn, S. (2007). Service engineering in action:
       the Palm/Erlang-A queue. In *Advances in Services Innovations*, 17-45.
    .. [3] Lawless, J. F. (2003). *Statistical Models and Methods for Lifetime
       Data*, 2nd ed., Wiley.

    Examples
    --------
    Five calls: three abandoned after 10, 20 and 30 s, two answered after 60 s and
    100 s. Exposure 220 s over 3 abandons: mean patience 73.3 s; the
    Kaplan-Meier curve falls to 4/5, 3/5, 2/5 at 10, 20, 30 s, so the median is 30 s.

    >>> import cxmetrics as cx
    >>> p = cx.estimate_patience([30, 60, 10, 100, 20], [True, False, True, False, True],
    ...                          method="kaplan_meier")
    >>> round(p.mean, 2), p.median, p.curve.survival.tolist()
    (73.33, 30.0, [0.8, 0.6, 0.4, 0.4, 0.4])
    >>> m = cx.queue_metrics(10.0, 9, aht=180, threshold=20, model="erlang_a",
    ...                      patience=p.mean)
    >>> round(m.abandon_probability, 3)
    0.207
    """
    check_option("method", method, PatienceMethod)
    check_option("nan_policy", nan_policy, NanPolicy)
    # cycle: the state's compute() builds this module's results
    from cxmetrics.workforce._patience_state import PatienceState  # noqa: PLC0415

    state, (kw, ka, kc, labels) = PatienceState._build(  # noqa: SLF001
        waits, abandoned, by, nan_policy
    )
    unit = "seconds" if timedelta_seconds(waits, "waits") is not None else None
    res = state.compute(time_unit=unit)
    if method == "exponential":
        return res  # type: ignore[no-any-return]
    if by is None:
        if not kw.size:
            return attrs.evolve(res, method=method)  # type: ignore[no-any-return]
        curve = kaplan_meier(kw, ka)
        median = float(curve.median)
        return attrs.evolve(  # type: ignore[no-any-return]
            res, value=median, median=median, method=method, curve=curve
        )
    km = kaplan_meier(kw, ka, by=labels[kc], levels=labels)
    median_g = np.asarray(km.median, dtype=np.float64)
    return attrs.evolve(res, value=median_g, median=median_g, method=method)  # type: ignore[no-any-return]
