"""From an :class:`ExperimentState` to an :class:`ExperimentResult` (no pass over data)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.keys import position
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_probability,
    is_real,
)
from cxmetrics.exceptions import (
    DataWarning,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.experiments._kernel import sequential_pvalue, test_pvalue
from cxmetrics.experiments._result import ExperimentResult
from cxmetrics.experiments._srm import (
    DEFAULT_SRM_THRESHOLD,
    expected_shares,
    srm_test,
)
from cxmetrics.typing import Alternative, ExperimentTest, LiftInterval

if TYPE_CHECKING:
    from cxmetrics.experiments._state import ExperimentState

__all__ = ["DEFAULT_TUNING", "TESTS", "analyze", "check_analysis_options"]

_F = NDArray[np.float64]

#: GrowthBook's default ``sequentialTestingTuningParameter``: the total sample size
#: near which the confidence sequence is tightest.
DEFAULT_TUNING = 5000.0
TESTS: tuple[str, ...] = get_args(ExperimentTest)
ALTERNATIVES: tuple[str, ...] = get_args(Alternative)


def check_analysis_options(
    *,
    relative: bool,
    test: str,
    interval: str,
    sequential: bool,
    tuning: float,
    confidence_level: float,
    alternative: Alternative,
    srm_threshold: float,
) -> tuple[float, float, float]:
    """Check every analysis option (before any pass over the data)."""
    check_option("test", test, ExperimentTest)
    check_option("interval", interval, LiftInterval)
    check_option("alternative", alternative, Alternative)
    level = check_confidence_level(confidence_level)
    threshold = check_probability("srm_threshold", srm_threshold)
    flags: tuple[tuple[str, object], ...] = (
        ("relative", relative),
        ("sequential", sequential),
    )
    for name, flag in flags:
        if not isinstance(flag, bool | np.bool_):
            msg = f"`{name}` must be True or False; got {flag!r}."
            raise InvalidInputTypeError(msg)
    if interval == "fieller" and not relative:
        msg = "interval='fieller' is an interval for a relative lift; pass relative=True (or interval='delta')."
        raise InvalidInputError(msg)
    if not is_real(tuning):
        msg = f"`tuning` must be a positive number (total units); got {tuning!r}."
        raise InvalidInputTypeError(msg)
    tune = float(tuning)
    if not (math.isfinite(tune) and tune > 0):
        msg = f"`tuning` must be a positive, finite number of units; got {tuning!r}."
        raise InvalidInputError(msg)
    if sequential and (alternative != "two-sided" or interval != "delta"):
        msg = (
            "sequential=True gives two-sided delta-method confidence sequences; got "
            f"alternative={alternative!r}, interval={interval!r}."
        )
        raise InvalidInputError(msg)
    return level, tune, threshold


def _cov(p: _F, si: _F, sj: _F, n: _F, ddof: int) -> _F:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: _F = (p - si * sj / n) / (n - ddof)
    return np.where(n - ddof > 0, out, np.nan)


def _moments(
    kind: str, *, covariate: bool, n: _F, sums: _F, products: _F
) -> tuple[_F, _F, _F, _F, _F]:
    r"""Per arm: metric mean, its per-unit variance, covariate mean, variance, covariance.

    Ratio metrics are linearised (delta method): :math:`u = (y - r d)/\bar d`.
    Proportions and NPS take the binomial / trinomial variance (ddof 0); means,
    ratios and every covariate term take ddof 1 (the gbstats conventions).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        my = sums[:, 0] / n
        ddof = 0 if kind in ("proportion", "nps") else 1
        vyy = _cov(products[:, 0, 0], sums[:, 0], sums[:, 0], n, ddof)
        if kind == "ratio":
            md = sums[:, 1] / n
            # a ratio over a zero denominator is undefined, not infinite
            r = np.where(sums[:, 1] != 0, sums[:, 0] / sums[:, 1], np.nan)
            vyd = _cov(products[:, 0, 1], sums[:, 0], sums[:, 1], n, 1)
            vdd = _cov(products[:, 1, 1], sums[:, 1], sums[:, 1], n, 1)
            mean = r
            var = (vyy - 2 * r * vyd + r * r * vdd) / (md * md)
        else:
            mean, var = my, vyy
        if not covariate:
            zero = np.zeros_like(n)
            return mean, var, zero, zero, zero
        j = sums.shape[1] - 1
        mx = sums[:, j] / n
        vxx = _cov(products[:, j, j], sums[:, j], sums[:, j], n, 1)
        cyx = _cov(products[:, 0, j], sums[:, 0], sums[:, j], n, 1)
        if kind == "ratio":
            cdx = _cov(products[:, 1, j], sums[:, 1], sums[:, j], n, 1)
            cux = (cyx - r * cdx) / md
        else:
            cux = cyx
    return mean, var, mx, vxx, cux


def _theta(state: ExperimentState) -> tuple[float, float]:
    """CUPED's slope pooled over all arms, and the pooled covariate mean."""
    n = np.array([float(state.count.sum())])
    sums = state.sums.sum(axis=0)[None, :]
    products = state.products.sum(axis=0)[None, :, :]
    _, _, mx, vxx, cux = _moments(
        state.kind, covariate=True, n=n, sums=sums, products=products
    )
    if not (vxx[0] > 0):
        warnings.warn(
            "the covariate is constant over all units (variance 0): CUPED cannot "
            "reduce variance; using theta = 0 (the unadjusted analysis).",
            DataWarning,
            stacklevel=4,
        )
        return 0.0, float(mx[0])
    return float(cux[0] / vxx[0]), float(mx[0])


def analyze(
    state: ExperimentState,
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
    """Lifts of every arm against ``control`` (see :func:`experiment`)."""
    level, tune, threshold = check_analysis_options(
        relative=relative,
        test=test,
        interval=interval,
        sequential=sequential,
        tuning=tuning,
        confidence_level=confidence_level,
        alternative=alternative,
        srm_threshold=srm_threshold,
    )
    keys = state.keys
    try:
        c = position(keys, control)
    except KeyError:
        msg = f"`control` {control!r} is not an arm; the arms are {keys.tolist()!r}."
        raise InvalidInputError(msg) from None
    if keys.shape[0] < 2:
        msg = f"an experiment needs a control and at least one other arm; got the arms {keys.tolist()!r}."
        raise InvalidInputError(msg)
    shares = expected_shares(expected_split, keys)
    if test == "auto":
        test = "z" if state.kind in ("proportion", "nps") else "welch"

    n = state.count.astype(np.float64)
    mean, var, mx, vxx, cux = _moments(
        state.kind,
        covariate=state.covariate,
        n=n,
        sums=state.sums,
        products=state.products,
    )
    theta, mx_all = _theta(state) if state.covariate else (0.0, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        adj = mean - theta * (mx - mx_all) if state.covariate else mean
        unit_var = var + theta * theta * vxx - 2.0 * theta * cux
        var_adj = unit_var / n  # Var(A_k)
        var_raw = var / n  # Var(mean_k)
        cov_adj_raw = (var - theta * cux) / n  # Cov(A_k, mean_k)

    t = np.arange(keys.shape[0]) != c  # treatment arms
    diff = adj[t] - adj[c]
    diff_var = var_adj[t] + var_adj[c]
    raw_var = var_raw[t] + var_raw[c]
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(diff_var)
        if test == "welch":
            # Welch-Satterthwaite on the variance shares (no squared variances:
            # the same df at any scale of the values, 1e-100 or 1e80)
            w_t = var_adj[t] / diff_var
            w_c = var_adj[c] / diff_var
            df = 1.0 / (w_t * w_t / (n[t] - 1.0) + w_c * w_c / (n[c] - 1.0))
            # no variance at all: nothing to estimate the df from; the test is exact
            df = np.where(diff_var == 0, np.inf, df)
        else:
            df = np.full(diff.shape, np.inf)
        reduction = np.where(raw_var > 0, 1.0 - diff_var / raw_var, 0.0)
    den = np.full(diff.shape, mean[c])
    den_var = np.full(diff.shape, var_raw[c])
    cov = np.full(diff.shape, -cov_adj_raw[c])  # Cov(Delta, control mean)
    scale = 100.0 if state.kind == "nps" else 1.0
    if relative:
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(den != 0, diff / den, np.nan)
            rel_var = (diff_var - 2 * value * cov + value * value * den_var) / (
                den * den
            )
            rel_se = np.sqrt(rel_var)
        if (den == 0).any():
            warnings.warn(
                f"relative lift is undefined: the control mean is 0 (arm {control!r}); "
                "returning NaN. Use the absolute lift (relative=False).",
                UndefinedMetricWarning,
                stacklevel=3,
            )
        out_value, out_se = value, rel_se
    else:
        out_value, out_se = diff * scale, se * scale
    # the test is on the reported scale (as gbstats), so p-value and interval agree
    est = out_value if relative else diff
    est_se = out_se if relative else se
    with np.errstate(invalid="ignore", divide="ignore"):
        # no variance: a zero difference is no evidence (p = 1), any other is certain
        stat = np.where(
            est_se > 0,
            est / est_se,
            np.where(est == 0, 0.0, np.copysign(np.inf, est)),
        )
        stat = np.where(np.isnan(est) | np.isnan(est_se), np.nan, stat)
    total = n[t] + n[c]
    if sequential:
        pvalue = sequential_pvalue(est, est_se * est_se, total, 1.0 - level, tune)
    else:
        pvalue = test_pvalue(stat, df, alternative)
    if np.isnan(se).any():
        bad = keys[t][np.isnan(se)].tolist()
        warnings.warn(
            f"the lift's standard error is undefined for arm(s) {bad!r} against "
            f"{control!r}: an arm has fewer than 2 units (or, for a ratio, its "
            "denominator sums to 0); returning NaN.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    assigned = state.count + state.n_missing
    srm = srm_test(assigned, keys, shares, threshold)
    if srm.failed:
        warnings.warn(
            f"sample ratio mismatch: units per arm {assigned.tolist()} differ from the "
            f"designed split {np.round(shares, 4).tolist()} (chi-square p = "
            f"{srm.pvalue:.3g} < {threshold:g}); check assignment and logging before "
            "trusting these lifts.",
            DataWarning,
            stacklevel=3,
        )
    return ExperimentResult(
        keys=keys[t],
        value=out_value,
        standard_error=out_se,
        statistic=stat,
        pvalue=pvalue,
        df=df,
        estimate_control=np.full(diff.shape, adj[c] * scale),
        estimate_arm=adj[t] * scale,
        mean_control=np.full(diff.shape, mean[c] * scale),
        n_control=np.full(diff.shape, state.count[c]),
        n_arm=state.count[t],
        n=state.count[t] + state.count[c],
        variance_reduction=reduction,
        control=keys[c].item() if hasattr(keys[c], "item") else keys[c],
        kind=state.kind,
        relative=bool(relative),
        test=test,
        interval=interval,
        sequential=bool(sequential),
        tuning=tune,
        confidence_level=level,
        alternative=alternative,
        theta=theta,
        scale=scale,
        arms=keys,
        arm_count=state.count,
        arm_missing=state.n_missing,
        srm=srm,
        difference=diff,
        difference_variance=diff_var,
        denominator=den,
        denominator_variance=den_var,
        covariance=cov,
    )
