r"""Two-sample comparisons: difference ``b - a`` with its test and interval.

The functions here work on summaries (counts, shares, means, variances, effective
sample sizes), so every family can compare its results without touching raw data.
The sign is always **b minus a**: a positive value means ``b`` is higher.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats._checks import (
    check_counts,
    paired_histogram,
    scalar,
    warn_empty_sample,
)
from cxmetrics.stats._distributions import (
    critical_value,
    normal_pvalue,
    t_critical_value,
    t_pvalue,
)
from cxmetrics.stats._interval import ConfidenceInterval, proportion_interval
from cxmetrics.stats._net_score import net_score_interval, net_score_variance
from cxmetrics.typing import (
    Alternative,
    DifferenceInterval,
    DifferenceKind,
    MeanTest,
    NPSCompareMethod,
    PairedTest,
)

__all__ = [
    "DifferenceResult",
    "mean_difference",
    "net_score_difference",
    "paired_difference",
    "proportion_difference",
]

_CI_METHODS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("proportion", False): ("newcombe", "wald", "agresti_caffo"),
    ("proportion", True): ("score", "wald"),
    ("mean", False): ("normal", "t"),
    ("mean", True): ("normal", "t"),
    ("net_score", False): ("adjusted_wald", "wald"),
    ("net_score", True): ("wald",),
}


@attrs.frozen(field_transformer=nan_equal_fields)
class DifferenceResult(DisplayMixin):
    r"""Difference between two estimates, ``value = b - a``, with its test.

    Attributes
    ----------
    value : float
        Estimate of b minus estimate of a, in the unit of the compared metric
        (NPS points, a fraction, or scale points).
    standard_error : float
        Standard error of ``value`` (unpooled), in the same unit.
    statistic : float
        Test statistic (z or t) of the null hypothesis "no difference".
    pvalue : float
        P-value for ``alternative``.
    estimate_a, estimate_b : float
        The two estimates compared.
    n_a, n_b : int
        Answers behind each estimate (for paired data, both are the pair count).
    effective_n_a, effective_n_b : float
        Kish effective sample sizes (equal to ``n_a``, ``n_b`` without weights).
    paired : bool
        Whether the answers are paired (the same respondents).
    kind : {'proportion', 'mean', 'net_score'}
        What was compared.
    test : str
        The test behind ``statistic`` and ``pvalue`` (e.g. ``'pooled_z'``,
        ``'mcnemar'``, ``'welch'``, ``'z'``, ``'paired_t'``).
    alternative : {'two-sided', 'less', 'greater'}
        ``'greater'`` tests that b is above a.
    df : float
        Degrees of freedom of a t test; ``inf`` for normal tests.
    scale : float
        Factor from the internal unit to the reported one (100 for NPS points).
    ci_method : str or None
        Default method of :meth:`confidence_interval` (the test's method for NPS).

    Notes
    -----
    ``standard_error`` is always the plain (unadjusted) standard error of
    ``value``. A test may use another variance: the pooled one (two-proportion z
    test), the one under the null (McNemar) or the adjusted-Wald one (NPS), so
    ``statistic`` need not equal ``value / standard_error``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> d = cx.compare_csat([5, 4, 2, 1, 5], [5, 5, 4, 4, 3])
    >>> round(d.value, 2)
    0.2
    """

    value: float
    standard_error: float
    statistic: float
    pvalue: float
    estimate_a: float
    estimate_b: float
    n_a: int
    n_b: int
    effective_n_a: float
    effective_n_b: float
    paired: bool
    kind: DifferenceKind
    test: str
    alternative: Alternative
    df: float = math.inf
    scale: float = 1.0
    ci_method: str | None = None
    # summaries the interval methods need: (count_a, count_b) of positives and
    # negatives, or the discordant counts for paired proportions
    _inputs: tuple[float, ...] = attrs.field(default=(), repr=False, alias="inputs")

    @property
    def n(self) -> int:
        """Answers behind the comparison (pairs when paired, else ``n_a + n_b``)."""
        return self.n_a if self.paired else self.n_a + self.n_b

    def confidence_interval(
        self,
        confidence_level: float = 0.95,
        *,
        method: DifferenceInterval | None = None,
    ) -> ConfidenceInterval:
        r"""Two-sided confidence interval for ``b - a``.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Coverage in (0, 1).
        method : str, optional
            Independent proportions: ``'newcombe'`` (default; Newcombe 1998, method
            10, from Wilson intervals), ``'wald'``, ``'agresti_caffo'`` (Agresti &
            Caffo 2000: add one success and one failure to each sample). Paired
            proportions: ``'score'`` (default; Tango 1998) or ``'wald'``. Means:
            ``'normal'`` or ``'t'`` (default when the test was a t test). Net
            scores: ``'adjusted_wald'`` (default) or ``'wald'`` for independent
            samples, ``'wald'`` for paired.

        Returns
        -------
        ConfidenceInterval
            Bounds in the unit of ``value``.

        Examples
        --------
        >>> import cxmetrics as cx
        >>> d = cx.compare_nps([10, 9, 3, 7], [10, 10, 9, 6])
        >>> lo, hi = d.confidence_interval(0.9)
        >>> lo < d.value < hi
        True
        """
        level = check_confidence_level(confidence_level)
        allowed = _CI_METHODS[(self.kind, self.paired)]
        if method is not None:
            check_option("method", method, DifferenceInterval)
        chosen: str = (
            method
            or self.ci_method
            or ("t" if self.kind == "mean" and math.isfinite(self.df) else allowed[0])
        )
        check_option("method", chosen, allowed)
        if not (math.isfinite(self.value) and math.isfinite(self.standard_error)):
            return ConfidenceInterval(math.nan, math.nan)
        low, high = self._interval(level, chosen)
        return ConfidenceInterval(float(low) * self.scale, float(high) * self.scale)

    def __str__(self) -> str:
        low, high = self.confidence_interval()
        how = "paired" if self.paired else "independent"
        return (
            f"difference (b - a) {self.value:+.4g} (95% CI {low:.4g} to {high:.4g}); "
            f"{self.test} statistic {self.statistic:.3f}, p = {self.pvalue:.4g}; "
            f"{how}, n_a={self.n_a}, n_b={self.n_b}"
        )

    def _interval(self, level: float, method: object) -> tuple[float, float]:
        est = self.value / self.scale
        se = self.standard_error / self.scale
        if method in ("wald", "normal"):
            z = critical_value(level)
            return est - z * se, est + z * se
        if method == "t":
            c = float(t_critical_value(level, self.df))
            return est - c * se, est + c * se
        if method == "newcombe":
            xa, xb = self._inputs
            na, nb = self.effective_n_a, self.effective_n_b
            la, ua = proportion_interval(xa, na, level, method="wilson")
            lb, ub = proportion_interval(xb, nb, level, method="wilson")
            pa, pb = xa / na, xb / nb
            low = est - math.sqrt((pb - float(lb)) ** 2 + (float(ua) - pa) ** 2)
            high = est + math.sqrt((float(ub) - pb) ** 2 + (pa - float(la)) ** 2)
            return low, high
        if method == "agresti_caffo":
            xa, xb = self._inputs
            na, nb = self.effective_n_a + 2.0, self.effective_n_b + 2.0
            pa, pb = (xa + 1.0) / na, (xb + 1.0) / nb
            z = critical_value(level)
            half = z * math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
            return pb - pa - half, pb - pa + half
        if (
            method == "score"
        ):  # paired proportions: Tango's interval on the discordant cells
            up, down = self._inputs
            ci = net_score_interval(up, down, self.effective_n_a, level, method="score")
            return float(ci.low), float(ci.high)
        # adjusted_wald for two independent net scores (Rocks 2016; MeasuringU)
        pos_a, neg_a, pos_b, neg_b = self._inputs
        na, nb = self.effective_n_a + 3.0, self.effective_n_b + 3.0
        pa, da = (pos_a + 0.75) / na, (neg_a + 0.75) / na
        pb, db = (pos_b + 0.75) / nb, (neg_b + 0.75) / nb
        centre = (pb - db) - (pa - da)
        se_adj = math.sqrt(
            float(net_score_variance(pa, da)) / na
            + float(net_score_variance(pb, db)) / nb
        )
        z = critical_value(level)
        return centre - z * se_adj, centre + z * se_adj


def _ratio(x: float, n: float) -> float:
    return x / n if n > 0 else math.nan


def proportion_difference(
    count_a: float,
    nobs_a: float,
    count_b: float,
    nobs_b: float,
    *,
    n_a: int,
    n_b: int,
    alternative: Alternative = "two-sided",
) -> DifferenceResult:
    r"""Compare two independent proportions ``count/nobs`` (counts may be effective).

    The test is the pooled two-proportion z test (the score test; statsmodels'
    ``proportions_ztest``): :math:`z = (\hat p_b - \hat p_a)/\sqrt{\bar p(1-\bar p)(1/n_a + 1/n_b)}`.
    ``standard_error`` is the unpooled :math:`\sqrt{\hat p_a(1-\hat p_a)/n_a + \hat p_b(1-\hat p_b)/n_b}`.
    """
    check_option("alternative", alternative, Alternative)
    count_a, nobs_a = scalar("count_a", count_a), scalar("nobs_a", nobs_a)
    count_b, nobs_b = scalar("count_b", count_b), scalar("nobs_b", nobs_b)
    for side, count, nobs in (("a", count_a, nobs_a), ("b", count_b, nobs_b)):
        check_counts(
            {f"count_{side}": np.asarray(count)}, f"nobs_{side}", np.asarray(nobs)
        )
    warn_empty_sample(nobs_a, nobs_b)
    pa, pb = _ratio(count_a, nobs_a), _ratio(count_b, nobs_b)
    diff = pb - pa
    se = (
        math.sqrt(pa * (1 - pa) / nobs_a + pb * (1 - pb) / nobs_b)
        if nobs_a > 0 and nobs_b > 0
        else math.nan
    )
    pooled = _ratio(count_a + count_b, nobs_a + nobs_b)
    se0 = (
        math.sqrt(pooled * (1 - pooled) * (1 / nobs_a + 1 / nobs_b))
        if nobs_a > 0 and nobs_b > 0
        else math.nan
    )
    # an empty sample makes diff NaN: the statistic is then undefined, not infinite
    stat = (
        diff / se0
        if se0 > 0
        else (
            math.nan
            if math.isnan(diff)
            else 0.0
            if diff == 0
            else math.copysign(math.inf, diff)
        )
    )
    return DifferenceResult(
        value=diff,
        standard_error=se,
        statistic=stat,
        pvalue=float(normal_pvalue(stat, alternative)),
        estimate_a=pa,
        estimate_b=pb,
        n_a=n_a,
        n_b=n_b,
        effective_n_a=nobs_a,
        effective_n_b=nobs_b,
        paired=False,
        kind="proportion",
        test="pooled_z",
        alternative=alternative,
        inputs=(count_a, count_b),
    )


def mean_difference(
    mean_a: float,
    var_a: float,
    nobs_a: float,
    mean_b: float,
    var_b: float,
    nobs_b: float,
    *,
    n_a: int,
    n_b: int,
    test: MeanTest = "welch",
    alternative: Alternative = "two-sided",
) -> DifferenceResult:
    r"""Compare two independent means given sample variances (ddof 1) and sizes.

    ``test='welch'`` is Welch's t test with the Welch-Satterthwaite degrees of
    freedom (as ``scipy.stats.ttest_ind(equal_var=False)``);
    ``test='z'`` uses the normal distribution. Both are numpy only.
    """
    check_option("alternative", alternative, Alternative)
    check_option("test", test, MeanTest)
    mean_a, mean_b = scalar("mean_a", mean_a), scalar("mean_b", mean_b)
    var_a, var_b = (
        scalar("var_a", var_a, nonnegative=True),
        scalar("var_b", var_b, nonnegative=True),
    )
    nobs_a, nobs_b = (
        scalar("nobs_a", nobs_a, nonnegative=True),
        scalar("nobs_b", nobs_b, nonnegative=True),
    )
    va, vb = (
        var_a / nobs_a if nobs_a > 0 else math.nan,
        var_b / nobs_b if nobs_b > 0 else math.nan,
    )
    if math.isinf(va + vb) or math.isinf(mean_b - mean_a):
        msg = (
            "`var_a`, `var_b`, `nobs_a`, `nobs_b`, `mean_a`, `mean_b`: the difference "
            "or its variance "
            f"overflows a float (var_a={var_a:g}, var_b={var_b:g}, mean_a={mean_a:g}, "
            f"mean_b={mean_b:g}); rescale the values (e.g. to thousands)."
        )
        raise InvalidInputError(msg)
    diff = mean_b - mean_a
    se = math.sqrt(va + vb)
    stat = diff / se if se > 0 else math.nan
    if test == "z":
        df = math.inf
        p = float(normal_pvalue(stat, alternative))
    else:
        # Welch-Satterthwaite with the shares of the variance (no square can overflow)
        df = (
            1.0
            / (
                (va / (va + vb)) ** 2 / (nobs_a - 1)
                + (vb / (va + vb)) ** 2 / (nobs_b - 1)
            )
            if nobs_a > 1 and nobs_b > 1 and va + vb > 0
            else math.nan
        )
        p = (
            float(t_pvalue(stat, df, alternative))
            if math.isfinite(stat) and math.isfinite(df)
            else math.nan
        )
    return DifferenceResult(
        value=diff,
        standard_error=se,
        statistic=stat,
        pvalue=p,
        estimate_a=mean_a,
        estimate_b=mean_b,
        n_a=n_a,
        n_b=n_b,
        effective_n_a=nobs_a,
        effective_n_b=nobs_b,
        paired=False,
        kind="mean",
        test=test,
        alternative=alternative,
        df=df,
    )


def net_score_difference(
    pos_a: float,
    neg_a: float,
    nobs_a: float,
    pos_b: float,
    neg_b: float,
    nobs_b: float,
    *,
    n_a: int,
    n_b: int,
    method: NPSCompareMethod = "adjusted_wald",
    alternative: Alternative = "two-sided",
    scale: float = 100.0,
) -> DifferenceResult:
    r"""Compare two independent net scores (e.g. NPS) from their counts.

    The variance of the difference is the sum of the two trinomial variances
    (Rocks 2016; Sauro & Lewis, MeasuringU). With ``method='adjusted_wald'`` the
    z test uses the adjusted counts (3/4 added to positives and negatives, 3 to n),
    as MeasuringU's NPS significance test does; ``'wald'`` uses the raw counts.
    ``value`` is always the raw difference, times ``scale``.
    """
    check_option("alternative", alternative, Alternative)
    check_option("method", method, NPSCompareMethod)
    pos_a, neg_a, nobs_a = (
        scalar("pos_a", pos_a),
        scalar("neg_a", neg_a),
        scalar("nobs_a", nobs_a),
    )
    pos_b, neg_b, nobs_b = (
        scalar("pos_b", pos_b),
        scalar("neg_b", neg_b),
        scalar("nobs_b", nobs_b),
    )
    for side, pos, neg, nobs in (
        ("a", pos_a, neg_a, nobs_a),
        ("b", pos_b, neg_b, nobs_b),
    ):
        check_counts(
            {f"pos_{side}": np.asarray(pos), f"neg_{side}": np.asarray(neg)},
            f"nobs_{side}",
            np.asarray(nobs),
        )
    warn_empty_sample(nobs_a, nobs_b)
    pa, da = _ratio(pos_a, nobs_a), _ratio(neg_a, nobs_a)
    pb, db = _ratio(pos_b, nobs_b), _ratio(neg_b, nobs_b)
    diff = (pb - db) - (pa - da)
    se = (
        math.sqrt(
            float(net_score_variance(pa, da)) / nobs_a
            + float(net_score_variance(pb, db)) / nobs_b
        )
        if nobs_a > 0 and nobs_b > 0
        else math.nan
    )
    if method == "adjusted_wald" and nobs_a > 0 and nobs_b > 0:
        na, nb = nobs_a + 3.0, nobs_b + 3.0
        aa, ad = (pos_a + 0.75) / na, (neg_a + 0.75) / na
        ba, bd = (pos_b + 0.75) / nb, (neg_b + 0.75) / nb
        centre = (ba - bd) - (aa - ad)
        se_test = math.sqrt(
            float(net_score_variance(aa, ad)) / na
            + float(net_score_variance(ba, bd)) / nb
        )
        stat = centre / se_test
    else:
        stat = (
            diff / se
            if se > 0
            else (
                math.nan
                if math.isnan(diff)
                else 0.0
                if diff == 0
                else math.copysign(math.inf, diff)
            )
        )
    return DifferenceResult(
        value=diff * scale,
        standard_error=se * scale,
        statistic=stat,
        pvalue=float(normal_pvalue(stat, alternative)),
        estimate_a=(pa - da) * scale,
        estimate_b=(pb - db) * scale,
        n_a=n_a,
        n_b=n_b,
        effective_n_a=nobs_a,
        effective_n_b=nobs_b,
        paired=False,
        kind="net_score",
        test="adjusted_wald_z" if method == "adjusted_wald" else "wald_z",
        alternative=alternative,
        scale=scale,
        inputs=(pos_a, neg_a, pos_b, neg_b),
        ci_method=method,
    )


def paired_difference(
    values: NDArray[Any],
    weight_sums: NDArray[np.float64],
    weight_squares: float,
    *,
    n: int,
    estimate_a: float,
    estimate_b: float,
    kind: DifferenceKind,
    test: PairedTest,
    alternative: Alternative = "two-sided",
    scale: float = 1.0,
    ddof: int = 0,
    inputs: tuple[float, ...] = (),
) -> DifferenceResult:
    r"""Compare paired answers from the histogram of per-respondent differences.

    ``values[j]`` are the distinct differences :math:`d = b - a` (on the internal
    scale) and ``weight_sums[j]`` their total weight; ``weight_squares`` is
    :math:`\sum w_i^2` over all pairs. The estimate is the weighted mean of
    :math:`d`, its variance :math:`\sum_j W_j (d_j - \bar d)^2 / W`, scaled by
    :math:`n_{\mathrm{eff}}/(n_{\mathrm{eff}} - \mathrm{ddof})`, over
    :math:`n_{\mathrm{eff}} = W^2/\sum w^2` (Kish). ``test`` is ``'z'``,
    ``'mcnemar'`` (the z form of McNemar's test, score variance under the null)
    or ``'paired_t'``.
    """
    check_option("kind", kind, DifferenceKind)
    check_option("test", test, PairedTest)
    check_option("alternative", alternative, Alternative)
    values, weight_sums = paired_histogram(values, weight_sums)
    weight_squares = scalar("weight_squares", weight_squares, nonnegative=True)
    estimate_a = scalar("estimate_a", estimate_a)
    estimate_b = scalar("estimate_b", estimate_b)
    scale = scalar("scale", scale)
    n = check_positive_int("n", n, minimum=0)
    ddof = check_positive_int("ddof", ddof, minimum=0)
    inputs = tuple(scalar(f"inputs[{i}]", x) for i, x in enumerate(inputs))
    total = float(weight_sums.sum())
    n_eff = total * (total / weight_squares) if weight_squares > 0 else 0.0
    if total > 0:
        mean = float(np.dot(weight_sums, values) / total)
        var = float(np.dot(weight_sums, (values - mean) ** 2) / total)
    else:
        mean = var = math.nan
    if n_eff - ddof > 0:
        var *= n_eff / (n_eff - ddof)
        se = math.sqrt(var / n_eff)
    else:
        se = math.nan
    df = math.inf
    if test == "mcnemar":
        # score test: variance of d under "no difference" is E[d^2]
        m2 = float(np.dot(weight_sums, values**2) / total) if total > 0 else math.nan
        se0 = math.sqrt(m2 / n_eff) if n_eff > 0 else math.nan
        stat = mean / se0 if se0 > 0 else (0.0 if mean == 0 else math.nan)
        p = float(normal_pvalue(stat, alternative))
    elif test == "paired_t":
        df = n_eff - 1.0
        stat = mean / se if se > 0 else math.nan
        p = (
            float(t_pvalue(stat, df, alternative))
            if math.isfinite(stat) and df > 0
            else math.nan
        )
    else:
        stat = mean / se if se > 0 else (0.0 if mean == 0 else math.nan)
        p = float(normal_pvalue(stat, alternative))
    return DifferenceResult(
        value=mean * scale,
        standard_error=se * scale,
        statistic=stat,
        pvalue=p,
        estimate_a=estimate_a,
        estimate_b=estimate_b,
        n_a=n,
        n_b=n,
        effective_n_a=n_eff,
        effective_n_b=n_eff,
        paired=True,
        kind=kind,
        test=test,
        alternative=alternative,
        df=df,
        scale=scale,
        inputs=inputs,
    )
