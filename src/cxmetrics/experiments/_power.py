r"""Sample size, minimum detectable effect and duration of an experiment on a CX KPI.

The normal-approximation formulas of the tests in :func:`experiment` (unpooled
variances): with :math:`z_\alpha` the critical value (:math:`1-\alpha/2` two-sided),
:math:`z_\beta` the ``power`` quantile, per-unit variances :math:`\sigma_c^2,
\sigma_t^2` and :math:`k = n_t / n_c`,

.. math:: n_c = (z_\alpha + z_\beta)^2\,(\sigma_c^2 + \sigma_t^2/k)\,(1-\rho^2)/\delta^2,

where :math:`\delta` is the absolute effect and :math:`1-\rho^2` the CUPED factor for
a covariate with correlation :math:`\rho` (Deng et al. 2013). Variances per kind: a
mean's :math:`\sigma^2` given; a proportion's :math:`p(1-p)` at the control and the
treated share; NPS's trinomial :math:`p_+ + p_- - (p_+ - p_-)^2` (Rocks 2016); a
ratio's linearised (delta-method) variance given as ``std``. The minimum detectable
effect inverts the same equation (for proportions by fixed-point iteration, since the
treated variance depends on the effect). This is ``statsmodels``'
``NormalIndPower`` for means, and ``normal_sample_size_one_tail`` with unpooled
standard deviations for proportions.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import attrs

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.typing import Alternative, ExperimentKind

__all__ = ["PowerResult", "minimum_detectable_effect", "sample_size"]

_N = NormalDist()


@attrs.frozen(field_transformer=nan_equal_fields)
class PowerResult(DisplayMixin):
    """What an experiment needs: units per arm, the effect it can detect, the days.

    Attributes
    ----------
    value : float
        What was solved for: ``n_total`` (from :func:`sample_size`) or ``effect``
        (from :func:`minimum_detectable_effect`).
    n : int
        Units over all arms (``n_total``).
    solved_for : {'n', 'effect'}
    effect : float
        Absolute effect (KPI unit; NPS points for NPS).
    relative_effect : float
        ``effect / baseline`` (NaN without a baseline).
    n_control, n_treatment, n_total : int
        Units in the control, in each treatment arm, and over all ``arms``.
    days : float
        ``ceil(n_total / daily_units)``, NaN without ``daily_units``.
    power, confidence_level : float
    alternative, kind : str
    variance_control, variance_treatment : float
        Per-unit variances used (internal scale: NPS on [-1, 1]), before the CUPED factor.
    variance_factor : float
        ``1 - covariate_correlation**2``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> plan = cx.sample_size(0.02, kind="proportion", baseline=0.70, daily_units=800)
    >>> plan.n_control, plan.n_total, plan.days
    (8077, 16154, 21.0)
    """

    value: float
    n: int
    solved_for: str
    effect: float
    relative_effect: float
    n_control: int
    n_treatment: int
    n_total: int
    days: float
    power: float
    confidence_level: float
    alternative: Alternative
    kind: str
    variance_control: float
    variance_treatment: float
    variance_factor: float

    def __str__(self) -> str:
        days = "" if math.isnan(self.days) else f", {self.days:.0f} day(s)"
        return (
            f"{self.n_control} control + {self.n_treatment} per treatment arm "
            f"({self.n_total} units{days}) to detect {self.effect:+.4g} with power "
            f"{self.power:.0%} at {self.confidence_level:.0%} confidence"
        )


#: the largest sample size per arm computed (beyond it no experiment is run)
_MAX_UNITS = 1e15
#: the largest allocation ratio treated / control (beyond it no design is sensible)
MAX_RATIO = 1e6
#: the largest standard deviation (its square must stay a finite float)
MAX_STD = 1e150


def _number(name: str, value: object, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            msg = f"`{name}` must be a number; got {value!r}."
            raise InvalidInputTypeError(msg) from None
    v = float(value)
    if not (math.isfinite(v) and low < v < high):
        msg = f"`{name}` must lie in ({low:g}, {high:g}); got {value!r}."
        raise InvalidInputError(msg)
    return v


class _Design:
    """Validated design: variances, critical values, baseline (all options checked)."""

    def __init__(
        self,
        *,
        kind: str,
        baseline: float | None,
        std: float | None,
        promoter_share: float | None,
        detractor_share: float | None,
        power: float,
        confidence_level: float,
        alternative: Alternative,
        ratio: float,
        arms: int,
        covariate_correlation: float,
        daily_units: float | None,
    ) -> None:
        check_option("kind", kind, ExperimentKind)
        check_option("alternative", alternative, Alternative)
        self.kind, self.alternative = kind, alternative
        self.level = check_confidence_level(confidence_level)
        self.power = _number("power", power, low=0.0, high=1.0)
        # a documented limit: n_control x ratio must stay a countable number of units
        self.ratio = _number("ratio", ratio, low=0.0, high=MAX_RATIO)
        self.arms = check_positive_int("arms", arms, minimum=2)
        rho = _number(
            "covariate_correlation", covariate_correlation, low=-1.0, high=1.0
        )
        self.factor = 1.0 - rho * rho
        self.daily = (
            None
            if daily_units is None
            else _number("daily_units", daily_units, low=0.0, high=math.inf)
        )
        tail = (
            (1.0 - self.level) / 2.0 if alternative == "two-sided" else 1.0 - self.level
        )
        self.z = _N.inv_cdf(1.0 - tail) + _N.inv_cdf(self.power)
        self.scale = 100.0 if kind == "nps" else 1.0
        self.baseline = math.nan
        if kind == "proportion":
            if baseline is None:
                msg = "kind='proportion' needs `baseline`, the control's expected share (e.g. 0.7)."
                raise InvalidInputError(msg)
            self.baseline = _number("baseline", baseline, low=0.0, high=1.0)
            self.var_c = self.baseline * (1.0 - self.baseline)
        elif kind == "nps":
            if promoter_share is None or detractor_share is None:
                msg = "kind='nps' needs `promoter_share` and `detractor_share` of the control (e.g. 0.45 and 0.2)."
                raise InvalidInputError(msg)
            pp = _number("promoter_share", promoter_share, low=0.0, high=1.0)
            pn = _number("detractor_share", detractor_share, low=0.0, high=1.0)
            if pp + pn > 1.0:
                msg = f"`promoter_share` + `detractor_share` must not exceed 1; got {pp + pn!r}."
                raise InvalidInputError(msg)
            self.var_c = pp + pn - (pp - pn) ** 2
            self.baseline = (pp - pn) * 100.0
        else:
            if std is None:
                what = (
                    "per-unit standard deviation"
                    if kind == "mean"
                    else "standard deviation of the linearised ratio (see the docs)"
                )
                msg = f"kind={kind!r} needs `std`, the {what}."
                raise InvalidInputError(msg)
            # its square must be a finite float
            self.var_c = _number("std", std, low=0.0, high=MAX_STD) ** 2
            if baseline is not None:
                self.baseline = float(baseline)
        if (
            kind in ("mean", "ratio")
            and baseline is not None
            and not math.isfinite(self.baseline)
        ):
            msg = f"`baseline` must be finite; got {baseline!r}."
            raise InvalidInputError(msg)

    def absolute(self, effect: float, relative: bool) -> float:
        if relative:
            if not (math.isfinite(self.baseline) and self.baseline != 0):
                msg = (
                    "a relative effect needs a non-zero `baseline` (the control's KPI)."
                )
                raise InvalidInputError(msg)
            return effect * self.baseline
        return effect

    def var_t(self, delta: float) -> float:
        """Treated per-unit variance for an absolute effect ``delta`` (internal scale)."""
        if self.kind == "proportion":
            p = self.baseline + delta
            if not 0.0 <= p <= 1.0:
                msg = f"`effect`: the treated share `baseline` + `effect` = {p!r} is outside [0, 1]."
                raise InvalidInputError(msg)
            return p * (1.0 - p)
        return self.var_c

    def result(self, solved: str, delta: float, n_c: int, n_t: int) -> PowerResult:
        total = n_c + (self.arms - 1) * n_t
        days = (
            math.nan
            if self.daily is None
            else float(math.ceil(total / self.daily - 1e-9))
        )
        eff = delta * self.scale
        rel = (
            eff / self.baseline
            if math.isfinite(self.baseline) and self.baseline != 0
            else math.nan
        )
        return PowerResult(
            value=float(total) if solved == "n" else eff,
            n=total,
            solved_for=solved,
            effect=eff,
            relative_effect=rel,
            n_control=n_c,
            n_treatment=n_t,
            n_total=total,
            days=days,
            power=self.power,
            confidence_level=self.level,
            alternative=self.alternative,
            kind=self.kind,
            variance_control=self.var_c,
            variance_treatment=self.var_t(delta),
            variance_factor=self.factor,
        )


def sample_size(
    effect: float,
    *,
    kind: ExperimentKind = "mean",
    baseline: float | None = None,
    std: float | None = None,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
    relative: bool = False,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    ratio: float = 1.0,
    arms: int = 2,
    covariate_correlation: float = 0.0,
    daily_units: float | None = None,
) -> PowerResult:
    r"""Units per arm to detect ``effect`` with the given power, and the days it takes.

    Parameters
    ----------
    effect : float
        The effect to detect: absolute (KPI unit; NPS points for NPS; a fraction
        for proportions) or, with ``relative=True``, relative to ``baseline``
        (0.05 is +5 %). Its sign matters for proportions (the treated share).
    kind : {'mean', 'proportion', 'nps', 'ratio'}, default 'mean'
    baseline : float, optional
        The control's KPI: the share for proportions (required), the mean or ratio
        for a relative effect. NPS takes it from the shares.
    std : float, optional
        Per-unit standard deviation (means), or of the linearised ratio
        :math:`(y - r d)/\bar d` (ratios). Required for those kinds.
    promoter_share, detractor_share : float, optional
        The control's shares (required for NPS).
    relative : bool, default False
        Whether ``effect`` is relative to ``baseline``.
    power : float, default 0.8
        Probability of detecting the effect.
    confidence_level : float, default 0.95
        :math:`1 - \alpha`.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
    ratio : float, default 1
        Units in each treatment arm per control unit.
    arms : int, default 2
        Arms including the control (the total counts every arm).
    covariate_correlation : float, default 0
        Correlation of the KPI with a CUPED covariate; variances shrink by
        :math:`1-\rho^2`.
    daily_units : float, optional
        Units entering the experiment per day over all arms; gives ``days``.

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> import cxmetrics as cx
    >>> cx.sample_size(10, kind="mean", std=60).n_control  # 10 s off handle time
    566
    >>> cx.sample_size(10, kind="mean", std=60, covariate_correlation=0.6).n_control
    362
    >>> cx.sample_size(5, kind="nps", promoter_share=0.45, detractor_share=0.2).n_control
    3689
    """
    design = _Design(
        kind=kind,
        baseline=baseline,
        std=std,
        promoter_share=promoter_share,
        detractor_share=detractor_share,
        power=power,
        confidence_level=confidence_level,
        alternative=alternative,
        ratio=ratio,
        arms=arms,
        covariate_correlation=covariate_correlation,
        daily_units=daily_units,
    )
    eff = _number("effect", effect, low=-math.inf, high=math.inf)
    if eff == 0:
        msg = "`effect` must be non-zero: no sample size detects a zero effect."
        raise InvalidInputError(msg)
    delta = design.absolute(eff, relative) / design.scale
    var = (design.var_c + design.var_t(delta) / design.ratio) * design.factor
    try:
        n_c = design.z**2 * var / (delta * delta)
    except ZeroDivisionError:  # a subnormal effect: its square underflows to 0
        n_c = math.inf
    if not math.isfinite(n_c) or n_c > _MAX_UNITS:
        msg = (
            f"`effect` {eff!r} is too small to detect: it needs about {n_c:.3g} units "
            f"per arm (at most {_MAX_UNITS:.0e} are computed)."
        )
        raise InvalidInputError(msg)
    n_control = max(2, math.ceil(n_c - 1e-9))
    n_treatment = max(2, math.ceil(n_c * design.ratio - 1e-9))
    return design.result("n", delta, n_control, n_treatment)


def minimum_detectable_effect(
    n_control: int,
    *,
    kind: ExperimentKind = "mean",
    baseline: float | None = None,
    std: float | None = None,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    ratio: float = 1.0,
    arms: int = 2,
    covariate_correlation: float = 0.0,
    daily_units: float | None = None,
) -> PowerResult:
    r"""Smallest absolute effect that ``n_control`` units (and ``ratio`` times as many per arm) detect.

    Parameters are those of :func:`sample_size`. The effect is positive (for
    ``alternative='less'``, negative); ``relative_effect`` divides it by ``baseline``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> mde = cx.minimum_detectable_effect(5000, kind="proportion", baseline=0.7)
    >>> round(mde.effect, 4), round(mde.relative_effect, 4)
    (0.0253, 0.0362)
    """
    design = _Design(
        kind=kind,
        baseline=baseline,
        std=std,
        promoter_share=promoter_share,
        detractor_share=detractor_share,
        power=power,
        confidence_level=confidence_level,
        alternative=alternative,
        ratio=ratio,
        arms=arms,
        covariate_correlation=covariate_correlation,
        daily_units=daily_units,
    )
    n_c = check_positive_int("n_control", n_control, minimum=2)
    n_t = max(2, round(n_c * design.ratio))
    sign = -1.0 if alternative == "less" else 1.0
    delta = 0.0
    for _ in range(200):  # fixed point; proportions only need more than one step
        new = (
            sign
            * design.z
            * math.sqrt(
                (design.var_c / n_c + design.var_t(delta) / n_t) * design.factor
            )
        )
        if design.kind == "proportion":
            new = max(-design.baseline, min(1.0 - design.baseline, new))
        if abs(new - delta) <= 1e-14:
            delta = new
            break
        delta = new
    return design.result("effect", delta, n_c, n_t)
