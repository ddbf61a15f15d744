r"""Agent-level KPIs without the small-sample trap: empirical-Bayes shrinkage.

An agent with 3 surveys and 3 satisfied customers is not the best agent on the
floor. Empirical Bayes pulls each agent's raw rate towards the centre by as much
as its sample is small relative to the real spread between agents, estimated
from all agents at once: a beta-binomial for rates (CSAT, FCR), James-Stein for
normal scores (QA score, AHT).
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.fit import ParameterSpec, maximise, warn_unconverged
from cxmetrics._core.optional import require
from cxmetrics._core.shapes import as_array
from cxmetrics._core.validation import (
    as_1d,
    check_confidence_level,
    check_squarable,
    numeric_1d,
    parameter_scalar,
)
from cxmetrics.exceptions import InvalidInputError
from cxmetrics.stats import critical_value, proportion_interval
from cxmetrics.voice._inputs import GroupedLike

__all__ = ["ShrinkageResult", "james_stein", "shrink_rates"]


@attrs.frozen(eq=True, repr=False, field_transformer=nan_equal_fields)
class ShrinkageResult(DisplayMixin):
    r"""Raw and shrunken estimates per agent (or team, or queue), with intervals.

    Attributes
    ----------
    method : str
        ``'beta_binomial'`` or ``'james_stein'``.
    keys : ndarray, shape (g,)
        Agent of each row.
    n : ndarray of float, shape (g,)
        Answers per agent (rates); for James-Stein the inverse variance
        relative to the mean variance (1 when all variances are equal).
    raw : ndarray of float, shape (g,)
        The agent's own estimate (rate in [0, 1], or score).
    raw_low, raw_high : ndarray of float, shape (g,)
        Interval of the raw estimate alone (Wilson for rates; :math:`y_i \pm z\sigma_i`
        for scores), to show beside the shrunken one.
    value : ndarray of float, shape (g,)
        The shrunken estimate, between ``raw`` and ``prior_mean``.
    low, high : ndarray of float, shape (g,)
        Equal-tailed posterior interval of each agent's value.
    shrinkage : ndarray of float, shape (g,)
        Weight on the prior mean in [0, 1]: 0 keeps the raw value, 1 replaces it.
    rank : ndarray of int, shape (g,)
        1 for the highest shrunken value.
    prior_mean : float
        Centre that agents are pulled towards.
    prior_strength : float
        Beta-binomial: :math:`\alpha + \beta` (answers the prior is worth; inf under
        complete pooling). James-Stein: the between-agent variance :math:`\tau^2`.
    pooled : bool
        True when the agents vary no more than chance (every agent gets the
        prior mean).
    confidence_level : float

    Examples
    --------
    >>> res = shrink_rates([3, 45, 80, 12, 30, 2], [3, 60, 100, 20, 32, 8],
    ...                    keys=["ana", "ben", "cy", "dee", "eve", "fay"])
    >>> res.raw.round(3).tolist()
    [1.0, 0.75, 0.8, 0.6, 0.938, 0.25]
    >>> res.value.round(3).tolist()
    [0.81, 0.747, 0.795, 0.63, 0.901, 0.461]
    >>> res.rank.tolist()  # Ana's perfect 3 of 3 no longer ranks first
    [2, 4, 3, 5, 1, 6]
    """

    method: str
    keys: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    n: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    raw: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    raw_low: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    raw_high: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    value: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    low: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    high: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    shrinkage: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    rank: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    prior_mean: float
    prior_strength: float
    pooled: bool = False
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns: key, n, raw (and its interval), value, low, high, shrinkage, rank.

        Examples
        --------
        >>> list(shrink_rates([3, 45], [3, 60]).to_dict())
        ['key', 'n', 'raw', 'raw_low', 'raw_high', 'value', 'low', 'high', 'shrinkage', 'rank']
        """
        return {
            "key": self.keys,
            "n": self.n,
            "raw": self.raw,
            "raw_low": self.raw_low,
            "raw_high": self.raw_high,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "shrinkage": self.shrinkage,
            "rank": self.rank,
        }

    def to_pandas(self) -> Any:
        """The columns of :meth:`to_dict` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        head = (
            f"{self.method} shrinkage of {len(self)} agents towards "
            f"{self.prior_mean:.4g}" + (" (complete pooling)" if self.pooled else "")
        )
        order = np.argsort(self.rank, kind="stable")[:20]
        rows = [
            f"  {self.rank[i]:>3}  {self.keys[i]!s:>12}  n={self.n[i]:<8.4g} raw={self.raw[i]:.4g}"
            f"  shrunk={self.value[i]:.4g} [{self.low[i]:.4g}, {self.high[i]:.4g}]"
            for i in order
        ]
        more = [f"  ... {len(self) - 20} more"] if len(self) > 20 else []
        return "\n".join([head, *rows, *more])


def _ranks(value: NDArray[np.float64]) -> NDArray[np.int64]:
    order = np.argsort(-value, kind="stable")
    rank = np.empty(value.shape[0], dtype=np.int64)
    rank[order] = np.arange(1, value.shape[0] + 1)
    return rank


def _keys(keys: ArrayLike | None, g: int) -> NDArray[Any]:
    if keys is None:
        return np.arange(g)
    arr = as_1d(keys, "keys")
    if arr.shape[0] != g:
        msg = f"`keys` must have one key per agent ({g}); got {arr.shape[0]}."
        raise InvalidInputError(msg)
    return arr


def _finite(values: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = numeric_1d(values, name).astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`{name}` must be finite; got {float(arr[i])!r} at index {i} ({int(bad.sum())} such value(s))."
        raise InvalidInputError(msg)
    return arr


def _beta_binomial_fit(
    k: NDArray[np.float64], n: NDArray[np.float64]
) -> tuple[float, float, bool]:
    """ML (alpha, beta) of the beta-binomial over agents; pooled=True at the boundary."""
    sp = require("scipy.special", feature="shrink_rates (the beta-binomial fit)")
    mu = float(k.sum() / n.sum())
    if mu in {0.0, 1.0}:
        return math.nan, math.nan, True
    # method-of-moments start (Kleinman 1973): between-agent variance of the rates
    p = k / n
    var = float(np.average((p - mu) ** 2, weights=n))
    expected = mu * (1 - mu) * float(np.mean(1.0 / n))
    rho = min(max((var - expected) / max(mu * (1 - mu), 1e-12), 1e-3), 0.5)
    s0 = 1.0 / rho - 1.0

    def loglik(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        a, b = float(theta[0]), float(theta[1])
        ll = float(np.sum(sp.betaln(k + a, n - k + b)) - k.shape[0] * sp.betaln(a, b))
        common = sp.digamma(a + b) - sp.digamma(n + a + b)
        ga = float(np.sum(sp.digamma(k + a) - sp.digamma(a) + common))
        gb = float(np.sum(sp.digamma(n - k + b) - sp.digamma(b) + common))
        return ll, np.array([ga, gb])

    fit = maximise(
        loglik,
        np.array([mu * s0, (1 - mu) * s0]),
        ParameterSpec(("alpha", "beta")),
        scale=float(k.shape[0]),
        feature="shrink_rates (the beta-binomial fit)",
    )
    a, b = (float(v) for v in fit.params)
    # no spread beyond chance: the likelihood rises towards alpha + beta = inf
    if a + b > 1e6 * float(n.max()) or (
        not fit.convergence.converged and a + b > 1e3 * float(n.max())
    ):
        return math.nan, math.nan, True
    warn_unconverged("beta-binomial", fit.convergence, stacklevel=5)
    return a, b, False


def shrink_rates(
    successes: ArrayLike | GroupedLike,
    n: ArrayLike | None = None,
    *,
    keys: ArrayLike | None = None,
    confidence_level: float = 0.95,
) -> ShrinkageResult:
    r"""Empirical-Bayes rates per agent: beta-binomial with its prior fitted by ML.

    Parameters
    ----------
    successes : array_like, shape (g,), or a grouped share result
        Satisfied answers (resolved contacts, passed audits) per agent. A grouped
        result with ``keys``, ``value`` (a share) and ``n`` (e.g.
        ``cx.csat(..., by=agent)``) is read as ``round(value * n)`` of ``n``.
    n : array_like, shape (g,)
        Answers per agent (each at least 1).
    keys : array_like, shape (g,), optional
        Agent ids (default 0..g-1, or the grouped result's keys).
    confidence_level : float, default 0.95
        Level of the posterior intervals.

    Returns
    -------
    ShrinkageResult
        Rates in [0, 1]: ``value`` is the posterior mean
        :math:`(x_i + \hat\alpha)/(n_i + \hat\alpha + \hat\beta)`.

    Raises
    ------
    InvalidInputError
        Fewer than 2 agents, ``n < 1``, ``successes`` negative or above ``n``.
    MissingDependencyError
        scipy (the ``stats`` extra) is not installed.

    Warns
    -----
    ConvergenceWarning
        The likelihood could not be maximised (the result says what was used).

    Notes
    -----
    Each agent's rate :math:`p_i \sim \mathrm{Beta}(\alpha, \beta)` and
    :math:`x_i \mid p_i \sim \mathrm{Binomial}(n_i, p_i)`. :math:`(\alpha, \beta)`
    maximise the marginal (beta-binomial) likelihood over agents,
    :math:`\sum_i \log B(x_i + \alpha, n_i - x_i + \beta) - \log B(\alpha, \beta)`,
    with the library's one maximum-likelihood engine. Agent :math:`i`'s posterior is
    :math:`\mathrm{Beta}(x_i + \hat\alpha, n_i - x_i + \hat\beta)`; its mean shrinks
    the raw rate towards :math:`\hat\alpha/(\hat\alpha + \hat\beta)` with weight
    :math:`(\hat\alpha + \hat\beta)/(n_i + \hat\alpha + \hat\beta)`.

    When agents vary no more than binomial chance, the maximum lies at
    :math:`\alpha + \beta = \infty`: complete pooling (``pooled=True``), every
    agent gets the pooled rate, and the interval is the Wilson interval of the
    pooled rate :math:`\sum x / \sum n`.

    References
    ----------
    .. [1] Efron, B. (2010). *Large-Scale Inference*, ch. 1. Cambridge University Press.
    .. [2] Kleinman, J. C. (1973). Proportions with extraneous variance: single and
       independent samples. *JASA* 68, 46-54.

    Examples
    --------
    >>> res = shrink_rates([9, 40, 170, 18], [10, 50, 200, 30], keys=["a", "b", "c", "d"])
    >>> res.raw.round(3).tolist()
    [0.9, 0.8, 0.85, 0.6]
    >>> res.value.round(3).tolist()
    [0.812, 0.794, 0.841, 0.699]
    >>> round(res.prior_mean, 4), round(res.prior_strength, 2)  # alpha + beta
    (0.7863, 34.07)
    """
    level = check_confidence_level(confidence_level)
    unpacked: Any = None
    if n is None and all(hasattr(successes, a) for a in ("keys", "value", "n")):
        unpacked = successes
    x: NDArray[np.float64]
    if unpacked is not None:
        nn = _finite(unpacked.n, "n")
        x = np.round(_finite(unpacked.value, "successes") * nn)
        keys = unpacked.keys if keys is None else keys
    else:
        if n is None:
            msg = "`n` (answers per agent) is needed unless `successes` is a grouped result."
            raise InvalidInputError(msg)
        x = _finite(successes, "successes")  # type: ignore[arg-type]
        nn = _finite(n, "n")
    if x.shape != nn.shape:
        msg = f"`n` must have the same length as `successes` ({x.shape[0]}); got {nn.shape[0]}."
        raise InvalidInputError(msg)
    for name, arr, bad, rule in (
        (
            "n",
            nn,
            nn < 1,
            "at least 1 (an agent without answers has no rate; leave it out)",
        ),
        ("successes", x, x < 0, "non-negative"),
        ("successes", x, x > nn, "at most `n`"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            msg = f"`{name}` must be {rule}; got {float(arr[i])!r} at index {i} ({int(bad.sum())} such agent(s))."
            raise InvalidInputError(msg)
    if x.shape[0] < 2:
        msg = f"shrinkage needs at least 2 agents to estimate the spread between them; got {x.shape[0]}."
        raise InvalidInputError(msg)
    k = _keys(keys, x.shape[0])
    sp = require("scipy.special", feature="shrink_rates (posterior intervals)")
    raw = x / nn
    a, b, pooled = _beta_binomial_fit(x, nn)
    tail = (1.0 - level) / 2.0
    if pooled:
        total_x, total_n = float(x.sum()), float(nn.sum())
        mean = total_x / total_n
        value = np.full(raw.shape, mean)
        ci = proportion_interval(total_x, total_n, level)
        lo = np.full(raw.shape, float(ci.low))
        hi = np.full(raw.shape, float(ci.high))
        weight = np.ones(raw.shape)
        strength = math.inf
    else:
        mean = a / (a + b)
        value = (x + a) / (nn + a + b)
        lo = sp.betaincinv(x + a, nn - x + b, tail)
        hi = sp.betaincinv(x + a, nn - x + b, 1 - tail)
        weight = (a + b) / (nn + a + b)
        strength = a + b
    raw_ci = proportion_interval(x, nn, level)
    return ShrinkageResult(
        "beta_binomial",
        k,
        nn,
        raw,
        raw_ci.low,
        raw_ci.high,
        value,
        lo,
        hi,
        weight,
        _ranks(value),
        mean,
        strength,
        pooled,
        confidence_level=level,
    )


def james_stein(
    estimates: ArrayLike,
    variances: ArrayLike | float,
    *,
    keys: ArrayLike | None = None,
    confidence_level: float = 0.95,
) -> ShrinkageResult:
    r"""James-Stein (empirical-Bayes normal) shrinkage of agents' mean scores.

    Parameters
    ----------
    estimates : array_like of float, shape (g,)
        Each agent's mean score (QA score, handle time, CES), at least 4 agents.
    variances : float or array_like of float, shape (g,)
        Sampling variance of each estimate (:math:`s^2/n_i`), positive; one number
        when all agents share it.
    keys : array_like, shape (g,), optional
        Agent ids.
    confidence_level : float, default 0.95
        Level of the (naive normal) posterior intervals.

    Returns
    -------
    ShrinkageResult
        Estimates in the scores' unit; ``prior_strength`` is :math:`\hat\tau^2`.

    Raises
    ------
    InvalidInputError
        Fewer than 4 agents, a non-positive variance, lengths that differ, an
        estimate above 1e150 in size (its square would overflow: a documented limit).

    Notes
    -----
    With :math:`k` agents, :math:`\bar y` the mean of the estimates and
    :math:`S = \sum_i (y_i - \bar y)^2`, the positive-part James-Stein estimator for
    a common variance :math:`\sigma^2` (Efron & Morris 1975) is

    $$ \hat\theta_i = \bar y + (1 - B)(y_i - \bar y), \quad
       B = \min\left(1, \frac{(k - 3)\,\sigma^2}{S}\right). $$

    For unequal variances :math:`\sigma_i^2` (agents with different numbers of
    scored contacts) the between-agent variance is estimated by moments,
    :math:`\tilde\tau^2 = S/(k-1) - \overline{\sigma^2}`, and
    :math:`B_i = \min(1, \frac{k-3}{k-1}\,\sigma_i^2/(\sigma_i^2 + \tilde\tau^2))` (1 when
    the denominator is not positive), which is the formula above when all
    :math:`\sigma_i^2` are equal (Morris 1983); ``prior_strength`` reports
    :math:`\hat\tau^2 = \max(0, \tilde\tau^2)`. The
    intervals are :math:`\hat\theta_i \pm z\,\sigma_i\sqrt{1 - B_i}`, which ignore the
    uncertainty in :math:`B` (too narrow when :math:`k` is small).

    References
    ----------
    .. [1] Efron, B., Morris, C. (1975). Data analysis using Stein's estimator and its
       generalizations. *JASA* 70, 311-319.
    .. [2] Morris, C. N. (1983). Parametric empirical Bayes inference: theory and
       applications. *JASA* 78, 47-55.

    Examples
    --------
    Efron & Morris's batting averages after 45 at bats (five of their 18 players
    shown in the docs page; here all 18):

    >>> hits = [18, 17, 16, 15, 14, 14, 13, 12, 11, 11, 10, 10, 10, 10, 10, 9, 8, 7]
    >>> y = [h / 45 for h in hits]
    >>> p = sum(y) / len(y)
    >>> res = james_stein(y, p * (1 - p) / 45)
    >>> round(res.prior_mean, 3), round(1 - float(res.shrinkage[0]), 3)
    (0.265, 0.212)
    >>> round(float(res.value[0]), 3)  # Clemente: .400 -> .294
    0.294
    """
    level = check_confidence_level(confidence_level)
    y = check_squarable(_finite(estimates, "estimates"), "estimates")
    v: NDArray[np.float64]
    if as_array(variances, "variances").ndim == 0:
        single = parameter_scalar(variances, "variances")  # text, None: named
        v = np.full(y.shape, single)
    else:
        v = _finite(variances, "variances")
    if v.shape != y.shape:
        msg = f"`variances` must have the same length as `estimates` ({y.shape[0]}); got {v.shape[0]}."
        raise InvalidInputError(msg)
    bad = ~(v > 0)
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`variances` must be positive; got {float(v[i])!r} at index {i} ({int(bad.sum())} such value(s))."
        raise InvalidInputError(msg)
    g = y.shape[0]
    if g < 4:
        msg = f"James-Stein shrinkage needs at least 4 agents (it uses k - 3); got {g}."
        raise InvalidInputError(msg)
    k = _keys(keys, g)
    mean = float(y.mean())
    s = float(((y - mean) ** 2).sum())
    # moment estimate of the between-agent variance; untruncated inside B so that
    # equal variances give James-Stein's (k - 3) sigma^2 / S exactly
    with np.errstate(over="ignore"):
        v_mean = float(v.mean())
    if not math.isfinite(v_mean):  # the sum overflowed: the mean does not
        v_mean = float((v / g).sum())
    tau2_raw = s / (g - 1) - v_mean
    tau2 = max(0.0, tau2_raw)
    denom = v + tau2_raw
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            denom > 0, np.minimum(1.0, (g - 3) / (g - 1) * v / denom), 1.0
        )
    value = mean + (1.0 - weight) * (y - mean)
    half = float(critical_value(level)) * np.sqrt(v * (1.0 - weight))
    with np.errstate(over="ignore"):  # a subnormal variance: an infinite relative n
        rel_n = v_mean / v
    z = float(critical_value(level))
    return ShrinkageResult(
        "james_stein",
        k,
        rel_n,
        y,
        y - z * np.sqrt(v),
        y + z * np.sqrt(v),
        value,
        value - half,
        value + half,
        weight,
        _ranks(value),
        mean,
        tau2,
        bool(np.all(weight >= 1.0)),
        confidence_level=level,
    )
