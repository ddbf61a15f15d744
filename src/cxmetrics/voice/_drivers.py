r"""Key-driver analysis: how much of NPS, CSAT or CES each driver rating explains.

Both methods split the model's :math:`R^2` among correlated drivers so the
shares are non-negative and sum to :math:`R^2`, which regression coefficients
do not: the Shapley value (LMG) of each driver over all orders of entry, exact
from one correlation matrix for up to ``max_exact`` drivers (every subset's
:math:`R^2` in batched solves), sampled over random orders beyond; and
Johnson's relative weights, from one eigen-decomposition.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    nan_array_eq,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin, _columns_html
from cxmetrics._core.optional import require
from cxmetrics._core.validation import (
    check_confidence_level,
    check_option,
    check_positive_int,
    numeric_1d,
    weights_array,
)
from cxmetrics.exceptions import InvalidInputError, MissingValueError
from cxmetrics.typing import DriverMethod, DriverModel, NanPolicy
from cxmetrics.voice._inputs import driver_table, resampling_rng
from cxmetrics.voice._logistic import logistic_subset_r2, shapley

__all__ = ["KeyDriverResult", "key_drivers"]

#: smallest eigenvalue of the drivers' correlation matrix before they count as collinear
_COLLINEAR = 1e-10


def _names(x: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in x)


@attrs.frozen(eq=True, repr=False, field_transformer=nan_equal_fields)
class KeyDriverResult(DisplayMixin):
    """Importance of each driver: its share of the outcome's explained variance.

    Attributes
    ----------
    method : str
        ``'lmg'`` (Shapley), ``'relative_weights'`` (Johnson) or ``'lmg_logistic'`` (Shapley values of McFadden's R²).
    names : tuple of str
        Driver names.
    value : float
        :math:`R^2` of the linear model with every driver, in [0, 1].
    n : int
        Rows used.
    n_missing : int
        Rows left out for a missing value (``nan_policy='omit'``).
    raw : ndarray of float, shape (p,)
        Raw weights: non-negative, summing to ``value``.
    rescaled : ndarray of float, shape (p,)
        ``raw / value``: shares of the explained variance, summing to 1.
    rank : ndarray of int, shape (p,)
        1 for the most important driver.
    low, high : ndarray of float, shape (p,)
        Bootstrap percentile interval of each raw weight (NaN without resamples).
    rank_stability : ndarray of float, shape (p,)
        Share of resamples in which the driver keeps its rank (NaN without resamples).
    correlation : ndarray of float, shape (p,)
        Correlation of each driver with the outcome (its sign says which way it pushes).
    performance : ndarray of float, shape (p,)
        Mean rating of each driver (weighted), the other axis of the
        importance-performance quadrant.
    n_resamples : int
        Bootstrap resamples behind ``low``, ``high`` and ``rank_stability``.
    exact : bool
        False when the Shapley values were estimated from sampled orders.
    confidence_level : float

    Examples
    --------
    >>> res = key_drivers([1.0, 3.0, 2.0, 5.0, 4.0, 6.0],
    ...                   {"speed": [1, 2, 2, 4, 3, 5], "courtesy": [2, 1, 3, 3, 5, 4]},
    ...                   n_resamples=0)
    >>> round(res.value, 4), res.raw.round(4).tolist()
    (0.9633, [0.8223, 0.141])
    >>> round(float(res.raw.sum()), 4) == round(res.value, 4)
    True
    """

    method: str
    names: tuple[str, ...] = attrs.field(converter=_names)
    value: float
    n: int
    n_missing: int
    raw: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    rescaled: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    rank: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    low: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    high: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=nan_array_eq)
    rank_stability: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    correlation: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    performance: NDArray[np.float64] = attrs.field(
        converter=frozen_float, eq=nan_array_eq
    )
    n_resamples: int = 0
    exact: bool = True
    confidence_level: float = attrs.field(
        default=0.95, converter=check_confidence_level, kw_only=True
    )

    @property
    def r_squared(self) -> float:
        """The model's :math:`R^2` (same as ``value``).

        Examples
        --------
        >>> res = key_drivers([1.0, 2.0, 4.0, 3.0], {"a": [1, 2, 3, 4]}, n_resamples=0)
        >>> round(res.r_squared, 2)
        0.64
        """
        return self.value

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """Columns, one row per driver: driver, raw, rescaled, rank, low, high ...

        Examples
        --------
        >>> res = key_drivers([1.0, 2.0, 4.0, 3.0], {"a": [1, 2, 3, 4]}, n_resamples=0)
        >>> list(res.to_dict())[:4]
        ['driver', 'raw', 'rescaled', 'rank']
        """
        return {
            "driver": np.array(self.names),
            "raw": self.raw,
            "rescaled": self.rescaled,
            "rank": self.rank,
            "low": self.low,
            "high": self.high,
            "rank_stability": self.rank_stability,
            "correlation": self.correlation,
            "performance": self.performance,
        }

    def _repr_html_(self) -> str:
        return _columns_html(self)  # one row per driver (per NPS category)

    def to_pandas(self) -> Any:
        """The columns of :meth:`to_dict` as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        head = (
            f"key drivers ({self.method}{'' if self.exact else ', sampled'}): "
            f"R2={self.value:.4g}, n={self.n}"
        )
        width = max(len(s) for s in self.names)
        rows = []
        for i in np.argsort(self.rank, kind="stable"):
            ci = (
                f"  [{self.low[i]:.3g}, {self.high[i]:.3g}]"
                if np.isfinite(self.low[i])
                else ""
            )
            rows.append(
                f"  {self.rank[i]:>2}  {self.names[i]:<{width}}  raw={self.raw[i]:.4f}"
                f"  share={self.rescaled[i]:.1%}{ci}"
            )
        return "\n".join([head, *rows])


def _weighted_corr(
    z: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted correlation matrix, means and variances of the columns of z."""
    total = w.sum()
    mean = (w @ z) / total
    dev = z - mean
    cov = (dev * w[:, None]).T @ dev / total
    var = np.diag(cov).copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(var)
        corr = cov / np.outer(sd, sd)
    return corr, mean, var


def _subset_r2(
    rxx: NDArray[np.float64], rxy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """R² of every subset of drivers, indexed by bitmask (2**p values), batched by size."""
    p = rxy.shape[0]
    masks = np.arange(1 << p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    sizes = bits.sum(axis=1)
    r2 = np.zeros(1 << p)
    for s in range(1, p + 1):
        these = np.flatnonzero(sizes == s)
        idx = np.nonzero(bits[these])[1].reshape(these.shape[0], s)
        sub = rxx[idx[:, :, None], idx[:, None, :]]
        rhs = rxy[idx]
        sol = np.linalg.solve(sub, rhs[:, :, None])[:, :, 0]
        r2[these] = (rhs * sol).sum(axis=1)
    return r2


def _lmg_exact(
    rxx: NDArray[np.float64], rxy: NDArray[np.float64]
) -> NDArray[np.float64]:
    return shapley(_subset_r2(rxx, rxy), rxy.shape[0])


def _lmg_sampled(
    rxx: NDArray[np.float64],
    rxy: NDArray[np.float64],
    n_orders: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Shapley values averaged over random orders of entry (each order sums to R²)."""
    p = rxy.shape[0]
    perms = np.argsort(rng.random((n_orders, p)), axis=1)
    out = np.zeros(p)
    prev = np.zeros(n_orders)
    for s in range(1, p + 1):
        idx = perms[:, :s]
        sub = rxx[idx[:, :, None], idx[:, None, :]]
        rhs = rxy[idx]
        r2 = (rhs * np.linalg.solve(sub, rhs[:, :, None])[:, :, 0]).sum(axis=1)
        out += np.bincount(perms[:, s - 1], weights=r2 - prev, minlength=p)
        prev = r2
    return out / n_orders


def _relative_weights(
    rxx: NDArray[np.float64], rxy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Johnson's (2000) relative weights: Λ = R^{1/2}, β = Λ^{-1} r, ε_j = Σ_k Λ_jk² β_k²."""
    lam, vec = np.linalg.eigh(rxx)
    root = (vec * np.sqrt(lam)) @ vec.T
    beta = (vec / np.sqrt(lam)) @ vec.T @ rxy
    out: NDArray[np.float64] = (root**2) @ (beta**2)
    return out


def _weights(
    method: str,
    rxx: NDArray[np.float64],
    rxy: NDArray[np.float64],
    max_exact: int,
    n_orders: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    if method == "relative_weights":
        return _relative_weights(rxx, rxy)
    if rxy.shape[0] <= max_exact:
        return _lmg_exact(rxx, rxy)
    return _lmg_sampled(rxx, rxy, n_orders, rng)


def _estimate(
    model: str,
    method: str,
    z: NDArray[np.float64],
    w: NDArray[np.float64],
    max_exact: int,
    n_orders: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], float] | None:
    """(raw weights, R²) of the data with row weights w; None when degenerate."""
    p = z.shape[1] - 1
    corr, _, var = _weighted_corr(z, w)
    if not np.all(var > 0) or np.linalg.eigvalsh(corr[:p, :p])[0] < _COLLINEAR:
        return None
    if model == "logistic":
        r2s = logistic_subset_r2(z[:, :p], z[:, p], w)
        return np.maximum(shapley(r2s, p), 0.0), float(r2s[-1])
    rxx, rxy = corr[:p, :p], corr[:p, p]
    raw = _weights(method, rxx, rxy, max_exact, n_orders, rng)
    # rounding: each weight is a sum of non-negative parts
    return np.maximum(raw, 0.0), float(rxy @ np.linalg.solve(rxx, rxy))


def _check_design(
    corr: NDArray[np.float64],
    var: NDArray[np.float64],
    names: tuple[str, ...],
    mean: NDArray[np.float64],
) -> None:
    p = len(names)
    flat = ~(var[:p] > 1e-12 * np.maximum(1.0, mean[:p] ** 2))
    if flat.any():
        j = int(np.argmax(flat))
        msg = (
            f"driver {names[j]!r} is constant (every rating is {mean[j]:.6g}); it cannot "
            "explain any variation: drop it."
        )
        raise InvalidInputError(msg)
    if not var[p] > 1e-12 * max(1.0, mean[p] ** 2):
        msg = (
            f"`outcome` is constant ({mean[p]:.6g}); there is no variation to explain."
        )
        raise InvalidInputError(msg)
    lam, vec = np.linalg.eigh(corr[:p, :p])
    if lam[0] < _COLLINEAR:
        involved = [names[j] for j in np.flatnonzero(np.abs(vec[:, 0]) > 0.05)]
        msg = (
            f"drivers {', '.join(repr(s) for s in involved)} are collinear (one is a "
            "linear combination of the others, e.g. a total and its parts); drop one of them."
        )
        raise InvalidInputError(msg)


def key_drivers(
    outcome: ArrayLike,
    drivers: Any,
    *,
    names: list[str] | None = None,
    method: DriverMethod = "lmg",
    model: DriverModel = "linear",
    weights: ArrayLike | None = None,
    nan_policy: NanPolicy = "raise",
    n_resamples: int = 200,
    confidence_level: float = 0.95,
    max_exact: int = 15,
    n_orders: int = 2000,
    rng: int | np.random.Generator | None = None,
) -> KeyDriverResult:
    r"""Key-driver analysis: split the outcome's :math:`R^2` among correlated drivers.

    Parameters
    ----------
    outcome : array_like of float, shape (n,)
        NPS answer (0-10), CSAT or CES score of each respondent.
    drivers : mapping of name to column, dataframe, or array_like of shape (n, p)
        The driver ratings or attributes (delivery time, agent courtesy, price).
    names : list of str, optional
        Driver names (default the mapping's keys, the dataframe's columns, or
        ``x0, x1, ...``).
    method : {'lmg', 'relative_weights'}, default 'lmg'
        Shapley decomposition (Lindeman, Merenda & Gold 1980) or Johnson's (2000)
        relative weights.
    model : {'linear', 'logistic'}, default 'linear'
        ``'logistic'`` for a 0/1 outcome (top-box CSAT, promoter vs not): Shapley
        values of McFadden's pseudo-:math:`R^2` over the logistic regressions on
        every subset of drivers (``method='lmg'``, at most ``max_exact`` drivers).
    weights : array_like of float, shape (n,), optional
        Survey weights (weighted correlations).
    nan_policy : {'raise', 'omit'}, default 'raise'
        ``'omit'`` drops rows with any missing value (listwise), counted in ``n_missing``.
    n_resamples : int, default 200
        Bootstrap resamples of the rows for intervals and rank stability (0 for none).
    confidence_level : float, default 0.95
    max_exact : int, default 15
        Exact LMG up to this many drivers (2**p subsets); sampled orders beyond.
    n_orders : int, default 2000
        Random orders of entry when LMG is sampled.
    rng : int or numpy.random.Generator, optional
        Seed (default 0) of the bootstrap and of sampled orders.

    Returns
    -------
    KeyDriverResult
        Raw weights summing to :math:`R^2` (in [0, 1]) and rescaled shares summing to 1.

    Raises
    ------
    InvalidInputError
        A constant or collinear driver, a constant outcome, no more rows than
        drivers + 1, a missing value under ``nan_policy='raise'``.

    Notes
    -----
    With :math:`R^2(S)` the :math:`R^2` of the regression on the drivers in
    :math:`S` (:math:`r_S^\top R_{SS}^{-1} r_S` from the correlation matrix), LMG gives
    driver :math:`j` its Shapley value:

    $$ \mathrm{LMG}_j = \sum_{S \subseteq P \setminus \{j\}}
       \frac{|S|!\,(p - |S| - 1)!}{p!}\,\bigl(R^2(S \cup \{j\}) - R^2(S)\bigr). $$

    The logistic variant replaces :math:`R^2(S)` by McFadden's
    :math:`1 - \ell(S)/\ell(\varnothing)` (log-likelihoods of the fitted models).

    Johnson's relative weights: with :math:`R_{xx} = V \Lambda V^\top`,
    :math:`\Lambda^* = V \Lambda^{1/2} V^\top` (the correlations of the drivers with
    their closest orthogonal counterparts) and :math:`\beta = \Lambda^{*-1} r_{xy}`,
    :math:`\varepsilon_j = \sum_k \Lambda^{*2}_{jk} \beta_k^2`. Both sum to :math:`R^2`
    and equal :math:`r_j^2` for uncorrelated drivers.

    References
    ----------
    .. [1] Lindeman, R. H., Merenda, P. F., Gold, R. Z. (1980). *Introduction to
       Bivariate and Multivariate Analysis*. Scott, Foresman.
    .. [2] Grömping, U. (2006). Relative importance for linear regression in R: the
       package relaimpo. *Journal of Statistical Software* 17(1).
    .. [3] Johnson, J. W. (2000). A heuristic method for estimating the relative weight
       of predictor variables in multiple regression. *Multivariate Behavioral
       Research* 35, 1-19.

    Examples
    --------
    >>> outcome = [9, 10, 6, 8, 3, 7, 9, 5, 10, 4]
    >>> drivers = {"speed": [4, 5, 3, 4, 1, 3, 5, 2, 5, 2],
    ...            "courtesy": [5, 5, 4, 4, 2, 4, 4, 3, 5, 3],
    ...            "price": [3, 4, 3, 2, 2, 4, 3, 3, 4, 1]}
    >>> res = key_drivers(outcome, drivers, n_resamples=0)
    >>> round(res.value, 4), res.rescaled.round(3).tolist()
    (0.9819, [0.462, 0.38, 0.158])
    >>> rw = key_drivers(outcome, drivers, method="relative_weights", n_resamples=0)
    >>> rw.rescaled.round(3).tolist()
    [0.466, 0.369, 0.165]
    """
    check_option("method", method, DriverMethod)
    check_option("model", model, DriverModel)
    if model == "logistic" and method != "lmg":
        msg = "`model='logistic'` supports method='lmg' only (Shapley values of McFadden's R²)."
        raise InvalidInputError(msg)
    check_option("nan_policy", nan_policy, NanPolicy)
    n_resamples = check_positive_int("n_resamples", n_resamples, minimum=0)
    level = check_confidence_level(confidence_level)
    max_exact = check_positive_int("max_exact", max_exact, minimum=1)
    n_orders = check_positive_int("n_orders", n_orders, minimum=1)
    if max_exact > 20:
        msg = f"`max_exact` must be at most 20 (2**p subsets); got {max_exact}."
        raise InvalidInputError(msg)
    y = numeric_1d(outcome, "outcome").astype(np.float64)
    if model == "logistic":
        notbin = ~np.isnan(y) & (y != 0) & (y != 1)
        if notbin.any():
            i = int(np.argmax(notbin))
            msg = (
                f"`outcome` must be 0/1 (or True/False) for model='logistic'; got "
                f"{float(y[i])!r} at index {i}; code top-box or promoter as 1 first."
            )
            raise InvalidInputError(msg)
    x, labels = driver_table(drivers, y.shape[0], names)
    w = (
        np.ones(y.shape[0])
        if weights is None
        else weights_array(weights, y.shape[0], like="outcome")
    )
    z = np.column_stack([x, y])
    missing = np.isnan(z)
    rows = missing.any(axis=1)
    n_missing = int(rows.sum())
    if n_missing and nan_policy == "raise":
        i, j = np.argwhere(missing)[0]
        where = "`outcome`" if j == len(labels) else f"driver {labels[j]!r}"
        msg = (
            f"{where} is missing at row {i} ({n_missing} row(s) with a missing value); "
            "pass nan_policy='omit' to leave those rows out."
        )
        raise MissingValueError(msg)
    if n_missing:
        z, w = z[~rows], w[~rows]
    inf = ~np.isfinite(z)
    if inf.any():
        i, j = np.argwhere(inf)[0]
        msg = f"values must be finite; got {float(z[i, j])!r} at row {i}."
        raise InvalidInputError(msg)
    p = len(labels)
    if model == "logistic" and p > max_exact:
        msg = f"model='logistic' fits 2**p models: at most `max_exact` ({max_exact}) drivers; got {p}."
        raise InvalidInputError(msg)
    used = int(np.count_nonzero(w > 0))
    if used <= p + 1:
        msg = (
            f"key-driver analysis needs more rows than drivers + 1 ({p + 1}); got {used} "
            "row(s) with a positive weight."
        )
        raise InvalidInputError(msg)
    corr, mean, var = _weighted_corr(z, w)
    _check_design(corr, var, labels, mean)
    gen = resampling_rng(rng)
    estimate = _estimate(model, method, z, w, max_exact, n_orders, gen)
    if estimate is None:  # pragma: no cover  (_check_design raised already)
        msg = "the drivers are degenerate."
        raise InvalidInputError(msg)
    raw, r2 = estimate
    rxy = corr[:p, p]
    rank = np.empty(p, dtype=np.int64)
    rank[np.argsort(-raw, kind="stable")] = np.arange(1, p + 1)
    low = high = stability = np.full(p, np.nan)
    if n_resamples:
        reps = np.full((n_resamples, p), np.nan)
        n_rows = z.shape[0]
        for b in range(n_resamples):  # one fit per resample
            wb = w * gen.multinomial(n_rows, np.full(n_rows, 1.0 / n_rows))
            got = _estimate(model, method, z, wb, max_exact, n_orders, gen)
            if got is not None:
                reps[b] = got[0]
        ok = np.isfinite(reps).all(axis=1)
        if ok.any():
            good = reps[ok]
            low, high = np.quantile(good, [(1 - level) / 2, (1 + level) / 2], axis=0)
            ranks = np.argsort(np.argsort(-good, axis=1, kind="stable"), axis=1) + 1
            stability = (ranks == rank).mean(axis=0)
    return KeyDriverResult(
        method if model == "linear" else "lmg_logistic",
        labels,
        r2,
        int(z.shape[0]),
        n_missing,
        raw,
        raw / r2 if r2 > 0 else np.full(p, np.nan),
        rank,
        low,
        high,
        stability,
        rxy,
        (w @ z[:, :p]) / w.sum(),
        n_resamples,
        method == "relative_weights" or p <= max_exact,
        confidence_level=level,
    )
