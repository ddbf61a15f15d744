"""Compare two periods or segments: NPS, CSAT and CES differences with tests.

The sign is always **b minus a** (``a`` is the baseline, e.g. last quarter). Answers
are independent samples by default; ``paired=True`` compares the same respondents'
two answers (e.g. two survey waves), position by position.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.shapes import errors_named
from cxmetrics._core.validation import check_same_length, weights_array
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidInputError,
    InvalidInputTypeError,
    UndefinedMetricWarning,
)
from cxmetrics.stats import (
    DifferenceResult,
    mean_difference,
    net_score_difference,
    paired_difference,
    proportion_difference,
)
from cxmetrics.survey._ces import CESResult, ces
from cxmetrics.survey._csat import CSATResult, csat
from cxmetrics.survey._inputs import scale_answers
from cxmetrics.survey._nps import NPSResult, nps
from cxmetrics.survey._options import check_compare_options
from cxmetrics.survey._rating import Definition, RatingResult
from cxmetrics.survey._scheme import CESScheme, CSATScheme, NPSScheme
from cxmetrics.typing import (
    Alternative,
    CompareTest,
    DifferenceKind,
    NanPolicy,
    NPSCompareMethod,
    PairedTest,
)

__all__ = ["compare_ces", "compare_csat", "compare_nps"]


def _refuse_other_objects(x: object, name: str, kind: type) -> None:
    """Refuse a cxmetrics object other than a result of ``kind`` (answers pass)."""
    if attrs.has(type(x)) and not isinstance(x, kind):
        # a state, model, scheme or result of another metric
        msg = f"`{name}` must be answers or a {kind.__name__}; got {type(x).__name__}."
        raise InvalidInputTypeError(msg)


def _same_scheme(ra: Any, rb: Any, function: str) -> None:
    """Refuse to compare results whose answers were read with different schemes."""
    if ra.scheme != rb.scheme:
        msg = (
            f"{function} cannot compare a result on scheme {ra.scheme!r} with one on "
            f"scheme {rb.scheme!r}: the scores are on different scales or categories. "
            "Compute both with the same scheme."
        )
        raise IncompatibleStateError(msg)


def _warn_undefined(d: DifferenceResult, function: str, stacklevel: int) -> None:
    """Warn when the difference, its standard error or its p-value is NaN."""
    nan = [
        name
        for name in ("value", "standard_error", "pvalue")
        if math.isnan(getattr(d, name))
    ]
    if nan:
        msg = (
            f"{function}: {', '.join(nan)} undefined (NaN): a sample has no answers or "
            f"zero total weight, or too few answers for a variance (n_a={d.n_a}, "
            f"n_b={d.n_b})."
        )
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=stacklevel)


def _paired_codes(
    a: ArrayLike,
    b: ArrayLike,
    weights: ArrayLike | None,
    scheme: Any,
    lut: NDArray[np.float64],
    nan_policy: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int]:
    """Per-pair category values of a and b, the pair weights, and pairs dropped."""
    low, high = scheme.low, scheme.high
    da = scale_answers(a, "a", scheme, nan_policy=nan_policy)
    db = scale_answers(b, "b", scheme, nan_policy=nan_policy)
    n = da.values.shape[0]
    check_same_length("b", db.values, "a", n)
    w = np.ones(n) if weights is None else weights_array(weights, n, like="a")
    va = da.values.astype(np.intp) - low
    vb = db.values.astype(np.intp) - low
    keep = (va <= high - low) & (vb <= high - low)
    dropped = int(n - np.count_nonzero(keep))
    return lut[va[keep]], lut[vb[keep]], w[keep], dropped


def _paired(
    ca: NDArray[np.float64],
    cb: NDArray[np.float64],
    w: NDArray[np.float64],
    *,
    kind: DifferenceKind,
    test: PairedTest,
    alternative: Alternative,
    scale: float,
    ddof: int,
) -> DifferenceResult:
    d = cb - ca
    values, inverse = np.unique(d, return_inverse=True)
    wsum = np.asarray(
        np.bincount(inverse.reshape(-1), weights=w, minlength=values.size),
        dtype=np.float64,
    )
    total = float(w.sum())
    est_a = float(np.dot(w, ca) / total) * scale if total > 0 else float("nan")
    est_b = float(np.dot(w, cb) / total) * scale if total > 0 else float("nan")
    inputs: tuple[float, ...] = ()
    w2 = float(np.dot(w, w))
    if kind == "proportion" and total > 0:
        n_eff = total * (total / w2)
        up = float(wsum[values == 1].sum()) / total * n_eff
        down = float(wsum[values == -1].sum()) / total * n_eff
        inputs = (up, down)
    return paired_difference(
        values,
        wsum,
        w2,
        n=int(d.size),
        estimate_a=est_a,
        estimate_b=est_b,
        kind=kind,
        test=test,
        alternative=alternative,
        scale=scale,
        ddof=ddof,
        inputs=inputs,
    )


def _check_weights_args(
    paired: bool, weights: Any, weights_a: Any, weights_b: Any
) -> None:
    if paired and (weights_a is not None or weights_b is not None):
        msg = "with paired=True give one weight per pair in `weights`, not `weights_a`/`weights_b`."
        raise InvalidInputError(msg)
    if not paired and weights is not None:
        msg = "for independent samples give `weights_a` and `weights_b`, not `weights`."
        raise InvalidInputError(msg)


def compare_nps(
    a: ArrayLike | NPSResult,
    b: ArrayLike | NPSResult,
    *,
    paired: bool = False,
    weights: ArrayLike | None = None,
    weights_a: ArrayLike | None = None,
    weights_b: ArrayLike | None = None,
    scheme: NPSScheme = NPSScheme(),  # noqa: B008  (frozen, immutable)
    method: NPSCompareMethod = "adjusted_wald",
    nan_policy: NanPolicy = "raise",
    alternative: Alternative = "two-sided",
) -> DifferenceResult:
    r"""Difference between two Net Promoter Scores, ``b - a``, in NPS points.

    Parameters
    ----------
    a, b : array_like or NPSResult
        Answers of the baseline and of the comparison (or their results, for
        independent samples).
    paired : bool, default False
        ``True``: ``a[i]`` and ``b[i]`` are the same respondent's two answers.
    weights : array_like, optional
        Paired only: one weight per respondent.
    weights_a, weights_b : array_like, optional
        Independent only: survey weights of each sample.
    scheme : NPSScheme, default NPSScheme()
        Categories.
    method : {'adjusted_wald', 'wald'}, default 'adjusted_wald'
        Independent samples: the z test on adjusted-Wald counts (MeasuringU) or on
        raw counts. Paired answers always use the Wald variance of the
        per-respondent differences.
    nan_policy : {'raise', 'omit'}, default 'raise'
        Missing answers raise, or are omitted (paired: the whole pair).
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        ``'greater'``: b's NPS is above a's.

    Returns
    -------
    DifferenceResult
        ``value`` (points), ``standard_error``, ``statistic`` (z), ``pvalue``,
        ``confidence_interval()``.

    Raises
    ------
    IncompatibleStateError
        ``a`` and ``b`` are results on different schemes (scales or category
        bounds; labels do not count): their difference would mean nothing.
    InvalidInputError
        An option not among those listed (checked before the answers are read).

    Warns
    -----
    UndefinedMetricWarning
        When ``value``, ``standard_error`` or ``pvalue`` is NaN: a sample with no
        answers or zero total weight, or too few answers for a variance.

    Notes
    -----
    Independent: :math:`\mathrm{Var}(\hat\Delta_b - \hat\Delta_a) = V_a/n_a + V_b/n_b`
    with :math:`V = p_+ + p_- - (p_+ - p_-)^2` (Rocks 2016). Paired: each respondent
    scores :math:`s \in \{-1, 0, 1\}` per wave and :math:`d_i = s_{b,i} - s_{a,i}`;
    :math:`\hat\Delta = \bar d` with variance :math:`\sum (d_i - \bar d)^2 / n^2`,
    which accounts for the correlation of the two waves.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> before = [10, 9, 6, 3, 8, 7, 10, 2]
    >>> after = [10, 10, 8, 6, 9, 7, 10, 5]
    >>> d = cx.compare_nps(before, after, paired=True)
    >>> d.value, d.n
    (25.0, 8)
    >>> round(d.pvalue, 4)
    0.1025
    """
    check_compare_options(
        scheme=scheme,
        kind=NPSScheme,
        paired=paired,
        nan_policy=nan_policy,
        alternative=alternative,
        method=method,
    )
    _check_weights_args(paired, weights, weights_a, weights_b)
    if paired:
        if isinstance(a, NPSResult) or isinstance(b, NPSResult):
            msg = (
                "paired comparison needs the answers themselves, not NPSResult objects."
            )
            raise InvalidInputError(msg)
        lut = np.zeros(scheme.high - scheme.low + 2)
        lut[scheme.promoter_min - scheme.low : scheme.high - scheme.low + 1] = 1.0
        lut[: scheme.detractor_max - scheme.low + 1] = -1.0
        ca, cb, w, _ = _paired_codes(a, b, weights, scheme, lut, nan_policy)
        d = _paired(
            ca,
            cb,
            w,
            kind="net_score",
            test="z",
            alternative=alternative,
            scale=100.0,
            ddof=0,
        )
        _warn_undefined(d, "compare_nps", stacklevel=2)
        return d
    _refuse_other_objects(a, "a", NPSResult)
    _refuse_other_objects(b, "b", NPSResult)
    if isinstance(a, NPSResult):
        ra = a
    else:
        with errors_named({"responses": "a", "weights": "weights_a"}):
            ra = nps(a, weights=weights_a, scheme=scheme, nan_policy=nan_policy)
    if isinstance(b, NPSResult):
        rb = b
    else:
        with errors_named({"responses": "b", "weights": "weights_b"}):
            rb = nps(b, weights=weights_b, scheme=scheme, nan_policy=nan_policy)
    _same_scheme(ra, rb, "compare_nps")
    na, nb = ra.effective_n, rb.effective_n
    d = net_score_difference(
        ra.promoter_share * na,
        ra.detractor_share * na,
        na,
        rb.promoter_share * nb,
        rb.detractor_share * nb,
        nb,
        n_a=ra.n,
        n_b=rb.n,
        method=method,
        alternative=alternative,
    )
    _warn_undefined(d, "compare_nps", stacklevel=2)
    return d


def _compare_rating(
    ra: RatingResult,
    rb: RatingResult,
    definition: str,
    test: str,
    alternative: Alternative,
) -> DifferenceResult:
    if definition == "share":
        return proportion_difference(
            ra.positive_share * ra.effective_n,
            ra.effective_n,
            rb.positive_share * rb.effective_n,
            rb.effective_n,
            n_a=ra.n,
            n_b=rb.n,
            alternative=alternative,
        )
    return mean_difference(
        ra.mean,
        ra.std**2,
        ra.effective_n,
        rb.mean,
        rb.std**2,
        rb.effective_n,
        n_a=ra.n,
        n_b=rb.n,
        test="welch" if test == "t" else "z",
        alternative=alternative,
    )


def _paired_rating(
    a: Any,
    b: Any,
    weights: ArrayLike | None,
    scheme: Any,
    positive: tuple[int, int],
    definition: str,
    test: str,
    alternative: Alternative,
    nan_policy: str,
) -> DifferenceResult:
    low, high = scheme.low, scheme.high
    if definition == "share":
        lut = np.zeros(high - low + 2)
        lut[positive[0] - low : positive[1] - low + 1] = 1.0
        ca, cb, w, _ = _paired_codes(a, b, weights, scheme, lut, nan_policy)
        return _paired(
            ca,
            cb,
            w,
            kind="proportion",
            test="mcnemar",
            alternative=alternative,
            scale=1.0,
            ddof=0,
        )
    lut = np.arange(low, high + 2, dtype=np.float64)
    ca, cb, w, _ = _paired_codes(a, b, weights, scheme, lut, nan_policy)
    return _paired(
        ca,
        cb,
        w,
        kind="mean",
        test="paired_t" if test == "t" else "z",
        alternative=alternative,
        scale=1.0,
        ddof=1,
    )


def _compare_scores(
    a: Any,
    b: Any,
    result_type: type[RatingResult],
    metric: Any,
    *,
    function: str,
    kind: type,
    paired: bool,
    weights: ArrayLike | None,
    weights_a: ArrayLike | None,
    weights_b: ArrayLike | None,
    scheme: Any,
    definition: str,
    test: str,
    nan_policy: str,
    alternative: Alternative,
) -> DifferenceResult:
    """What compare_csat and compare_ces share: checks, paired or independent path."""
    check_compare_options(
        scheme=scheme,
        kind=kind,
        paired=paired,
        nan_policy=nan_policy,
        alternative=alternative,
        definition=definition,
        test=test,
    )
    _check_weights_args(paired, weights, weights_a, weights_b)
    positive = (
        (scheme.satisfied_min, scheme.high)
        if kind is CSATScheme
        else (scheme.easy_min, scheme.easy_max)
    )
    if paired:
        if isinstance(a, RatingResult) or isinstance(b, RatingResult):
            msg = "paired comparison needs the answers themselves, not result objects."
            raise InvalidInputError(msg)
        d = _paired_rating(
            a,
            b,
            weights,
            scheme,
            positive,
            definition,
            test,
            alternative,
            nan_policy,
        )
        _warn_undefined(d, function, stacklevel=4)
        return d

    def result(x: Any, w: ArrayLike | None, name: str) -> RatingResult:
        _refuse_other_objects(x, name, result_type)
        if isinstance(x, result_type):
            return x
        with errors_named({"responses": name, "weights": f"weights_{name}"}):
            res: RatingResult = metric(
                x,
                weights=w,
                scheme=scheme,
                definition=definition,
                nan_policy=nan_policy,
            )
        return res

    ra, rb = result(a, weights_a, "a"), result(b, weights_b, "b")
    _same_scheme(ra, rb, function)
    d = _compare_rating(ra, rb, definition, test, alternative)
    _warn_undefined(d, function, stacklevel=4)
    return d


def compare_csat(
    a: ArrayLike | CSATResult,
    b: ArrayLike | CSATResult,
    *,
    paired: bool = False,
    weights: ArrayLike | None = None,
    weights_a: ArrayLike | None = None,
    weights_b: ArrayLike | None = None,
    scheme: CSATScheme = CSATScheme(),  # noqa: B008  (frozen, immutable)
    definition: Definition = "share",
    test: CompareTest = "t",
    nan_policy: NanPolicy = "raise",
    alternative: Alternative = "two-sided",
) -> DifferenceResult:
    r"""Difference between two CSAT values, ``b - a``.

    Parameters
    ----------
    a, b : array_like or CSATResult
        Ratings (or results, for independent samples).
    paired, weights, weights_a, weights_b, nan_policy, alternative
        As in :func:`compare_nps`.
    scheme : CSATScheme, default CSATScheme()
        Scale and threshold.
    definition : {'share', 'mean'}, default 'share'
        Compare shares satisfied (a fraction) or mean ratings.
    test : {'t', 'z'}, default 't'
        For means: Student t tests (Welch's test for independent samples, the
        paired t test for paired answers) or z tests.

    Returns
    -------
    DifferenceResult
        Shares: pooled two-proportion z test, Newcombe interval by default
        (paired: McNemar's test and Tango's score interval). Means: Welch t.

    Raises
    ------
    IncompatibleStateError
        Results on different schemes, as in :func:`compare_nps`.

    Warns
    -----
    UndefinedMetricWarning
        When the difference, its standard error or its p-value is NaN.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> d = cx.compare_csat([5, 4, 2, 1, 3, 5], [5, 5, 4, 4, 2, 5])
    >>> round(d.value, 4), round(d.pvalue, 4)
    (0.3333, 0.2207)
    >>> low, high = d.confidence_interval()
    >>> round(low, 4), round(high, 4)
    (-0.1717, 0.6743)
    """
    return _compare_scores(
        a,
        b,
        CSATResult,
        csat,
        function="compare_csat",
        kind=CSATScheme,
        paired=paired,
        weights=weights,
        weights_a=weights_a,
        weights_b=weights_b,
        scheme=scheme,
        definition=definition,
        test=test,
        nan_policy=nan_policy,
        alternative=alternative,
    )


def compare_ces(
    a: ArrayLike | CESResult,
    b: ArrayLike | CESResult,
    *,
    paired: bool = False,
    weights: ArrayLike | None = None,
    weights_a: ArrayLike | None = None,
    weights_b: ArrayLike | None = None,
    scheme: CESScheme = CESScheme(),  # noqa: B008  (frozen, immutable)
    definition: Definition = "mean",
    test: CompareTest = "t",
    nan_policy: NanPolicy = "raise",
    alternative: Alternative = "two-sided",
) -> DifferenceResult:
    """Difference between two Customer Effort Scores, ``b - a``.

    Parameters
    ----------
    a, b : array_like or CESResult
        Answers (or results, for independent samples).
    paired, weights, weights_a, weights_b, nan_policy, alternative
        As in :func:`compare_nps`.
    scheme : CESScheme, default CESScheme()
        Scale and the easy range (mind the direction: on CES 1.0 a negative
        difference of means is an improvement).
    definition : {'mean', 'share'}, default 'mean'
        Compare mean answers or shares of easy answers.
    test : {'t', 'z'}, default 't'
        For means: Student t tests (Welch's test for independent samples, the
        paired t test for paired answers) or z tests.

    Returns
    -------
    DifferenceResult
        ``value``, ``standard_error``, ``statistic``, ``pvalue``, ``df``,
        ``confidence_interval()``.

    Raises
    ------
    IncompatibleStateError
        Results on different schemes, as in :func:`compare_nps`.

    Warns
    -----
    UndefinedMetricWarning
        When the difference, its standard error or its p-value is NaN.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> d = cx.compare_ces([4, 5, 3, 6, 4], [6, 7, 5, 6, 6], test="z")
    >>> round(d.value, 2)
    1.6
    """
    return _compare_scores(
        a,
        b,
        CESResult,
        ces,
        function="compare_ces",
        kind=CESScheme,
        paired=paired,
        weights=weights,
        weights_a=weights_a,
        weights_b=weights_b,
        scheme=scheme,
        definition=definition,
        test=test,
        nan_policy=nan_policy,
        alternative=alternative,
    )
