r"""Sample-ratio mismatch: a test that the arms are the sizes the design said.

A chi-square goodness-of-fit test of the units assigned to each arm against the
designed split (Fabijan et al. 2019, "Diagnosing sample ratio mismatch in online
controlled experiments", KDD). A tiny p-value means the assignment or the logging is
broken and the experiment's comparisons cannot be trusted. The default threshold,
``p < 0.001``, is GrowthBook's default (``srmThreshold``) and Fabijan et al.'s.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

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
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.validation import _describe, as_1d, check_probability
from cxmetrics.exceptions import InvalidInputError, UndefinedMetricWarning
from cxmetrics.stats import chi_square_pvalue

__all__ = ["SRMResult", "expected_shares", "sample_ratio_mismatch"]

DEFAULT_SRM_THRESHOLD = 0.001


@attrs.frozen(field_transformer=nan_equal_fields)
class SRMResult(DisplayMixin):
    """Chi-square test of arm sizes against the designed split.

    Attributes
    ----------
    value : float
        The p-value (also in ``pvalue``), so dashboards can read ``value``.
    statistic : float
        Pearson's chi-square statistic.
    pvalue : float
        Its upper-tail probability with ``len(arms) - 1`` degrees of freedom.
    n : int
        Units assigned over all arms.
    arms : ndarray
        Arm labels.
    observed : ndarray of int64
        Units per arm.
    expected : ndarray of float64
        Units expected per arm under the design.
    threshold : float
        The mismatch is flagged when ``pvalue < threshold``.
    failed : bool
        Whether it is flagged.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> srm = cx.sample_ratio_mismatch([5000, 5200], arms=["A", "B"])
    >>> round(srm.pvalue, 4), srm.failed
    (0.0477, False)
    """

    value: float
    statistic: float
    pvalue: float
    n: int
    arms: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    observed: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    expected: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    threshold: float
    failed: bool

    def __str__(self) -> str:
        verdict = "MISMATCH" if self.failed else "no mismatch"
        return (
            f"sample ratio: chi-square {self.statistic:.3f}, p = {self.pvalue:.4g} "
            f"({verdict} at p < {self.threshold:g}); n = {self.n}"
        )


def expected_shares(
    split: Mapping[Any, float] | Sequence[float] | ArrayLike | None,
    arms: NDArray[Any],
) -> NDArray[np.float64]:
    """Designed shares per arm (in the order of ``arms``), summing to 1.

    ``None`` is an equal split; a mapping gives each arm's weight by label; a
    sequence gives the weights in the order of ``arms``. Weights are relative
    (``[50, 50]`` and ``[0.5, 0.5]`` are the same design).
    """
    g = arms.shape[0]
    if split is None:
        return np.full(g, 1.0 / g) if g else np.zeros(0)
    if isinstance(split, Mapping):
        labels = arms.tolist()
        unknown = [k for k in split if k not in labels]
        if unknown:
            msg = f"`expected_split` names arm {unknown[0]!r}, which is not among the arms {labels!r}."
            raise InvalidInputError(msg)
        absent = [k for k in labels if k not in split]
        if absent:
            msg = f"`expected_split` has no weight for arm {absent[0]!r}; give every arm of {labels!r} a weight."
            raise InvalidInputError(msg)
        weights = np.array([float(split[k]) for k in labels], dtype=np.float64)
    else:
        weights = as_1d(split, "expected_split").astype(np.float64)
        if weights.shape[0] != g:
            msg = f"`expected_split` must have one weight per arm ({g}: {arms.tolist()!r}); got {weights.shape[0]}."
            raise InvalidInputError(msg)
    bad = ~np.isfinite(weights) | (weights <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        msg = f"`expected_split` weights must be positive and finite; got {_describe(weights[i])} for arm {arms.tolist()[i]!r} (index {i})."
        raise InvalidInputError(msg)
    out: NDArray[np.float64] = weights / weights.sum()
    return out


def srm_test(
    observed: NDArray[np.int64],
    arms: NDArray[Any],
    shares: NDArray[np.float64],
    threshold: float,
) -> SRMResult:
    """Kernel: the chi-square test from counts and designed shares."""
    total = int(observed.sum())
    expected = shares * total
    if total == 0 or observed.shape[0] < 2:
        stat, p = math.nan, math.nan
    else:
        stat = float(np.sum((observed - expected) ** 2 / expected))
        p = float(chi_square_pvalue(stat, observed.shape[0] - 1))
    return SRMResult(
        value=p,
        statistic=stat,
        pvalue=p,
        n=total,
        arms=arms,
        observed=observed,
        expected=expected,
        threshold=threshold,
        failed=bool(p < threshold),
    )


def sample_ratio_mismatch(
    counts: ArrayLike,
    expected_split: Mapping[Any, float] | Sequence[float] | ArrayLike | None = None,
    *,
    arms: ArrayLike | None = None,
    threshold: float = DEFAULT_SRM_THRESHOLD,
) -> SRMResult:
    r"""Test the units per arm against the designed split (chi-square goodness of fit).

    Parameters
    ----------
    counts : array_like of int
        Units assigned to each arm (all assigned units, whether or not their
        metric was observed).
    expected_split : mapping or sequence of float, optional
        Designed weights per arm (relative); default an equal split.
    arms : array_like, optional
        Arm labels (default ``0, 1, ...``), used by a mapping ``expected_split``.
    threshold : float, default 0.001
        Flag a mismatch when the p-value is below it (GrowthBook's default).

    Returns
    -------
    SRMResult

    Notes
    -----
    :math:`X^2 = \sum_k (O_k - E_k)^2/E_k` with :math:`E_k = n\pi_k`, compared with
    :math:`\chi^2_{g-1}`; the same as ``scipy.stats.chisquare(counts, expected)``.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> srm = cx.sample_ratio_mismatch([821, 1020, 990], {"A": 1, "B": 1, "C": 1}, arms=["A", "B", "C"])
    >>> srm.failed, f"{srm.pvalue:.2e}"
    (True, '5.04e-06')
    """
    level = check_probability("threshold", threshold)
    obs = as_1d(counts, "counts")
    if obs.dtype.kind not in "iu" and not (
        obs.dtype.kind == "f"
        and np.all(np.isfinite(obs))
        and np.all(obs == np.floor(obs))
    ):
        msg = f"`counts` must be whole numbers of units per arm; got {obs.tolist()!r}."
        raise InvalidInputError(msg)
    obs = obs.astype(np.int64)
    if (obs < 0).any():
        i = int(np.argmax(obs < 0))
        msg = f"`counts` must be non-negative; got {int(obs[i])} at index {i}."
        raise InvalidInputError(msg)
    labels = np.arange(obs.shape[0]) if arms is None else as_1d(arms, "arms")
    if labels.shape[0] != obs.shape[0]:
        msg = f"`arms` must have one label per count ({obs.shape[0]}); got {labels.shape[0]}."
        raise InvalidInputError(msg)
    result = srm_test(obs, labels, expected_shares(expected_split, labels), level)
    if math.isnan(result.value):
        msg = (
            "the sample-ratio test is undefined with no units or fewer than 2 arms; "
            "returning NaN."
        )
        warnings.warn(msg, UndefinedMetricWarning, stacklevel=2)
    return result
