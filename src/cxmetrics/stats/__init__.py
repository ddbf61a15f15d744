"""Statistics shared by every metric family: intervals, tests, sample sizes.

Numpy-only by default: normal quantiles come from :class:`statistics.NormalDist`,
Student t quantiles and p-values from a numpy implementation. Only the exact
intervals (Jeffreys, Clopper-Pearson) need scipy, installed with the ``stats`` extra.

Examples
--------
>>> from cxmetrics.stats import proportion_interval
>>> low, high = proportion_interval(40, 50)
>>> round(float(low), 4), round(float(high), 4)
(0.6696, 0.8875)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxmetrics._core.fit import Convergence

# result mixins the families' results share (not in __all__)
from cxmetrics.stats._bounds import CI as CI
from cxmetrics.stats._bounds import IntervalMethods as IntervalMethods
from cxmetrics.stats._chi_square import chi_square_pvalue
from cxmetrics.stats._difference import (
    DifferenceResult,
    mean_difference,
    net_score_difference,
    paired_difference,
    proportion_difference,
)
from cxmetrics.stats._distributions import (
    critical_value,
    normal_pvalue,
    t_critical_value,
    t_pvalue,
)
from cxmetrics.stats._fitted import FittedModel as FittedModel
from cxmetrics.stats._interval import (
    ConfidenceInterval,
    ConfidenceIntervalArray,
    mean_interval,
    proportion_interval,
)
from cxmetrics.stats._net_score import (
    net_score_interval,
    net_score_variance,
    restricted_mle,
)
from cxmetrics.stats._rate import rate_interval
from cxmetrics.stats._sample_size import proportion_sample_size

if TYPE_CHECKING:
    from cxmetrics.survey import nps_sample_size

__all__ = [
    "ConfidenceInterval",
    "ConfidenceIntervalArray",
    "Convergence",
    "DifferenceResult",
    "chi_square_pvalue",
    "critical_value",
    "mean_difference",
    "mean_interval",
    "net_score_difference",
    "net_score_interval",
    "net_score_variance",
    "normal_pvalue",
    "nps_sample_size",
    "paired_difference",
    "proportion_difference",
    "proportion_interval",
    "proportion_sample_size",
    "rate_interval",
    "restricted_mle",
    "t_critical_value",
    "t_pvalue",
]


def __getattr__(name: str) -> Any:
    """``nps_sample_size``, which moved to :mod:`cxmetrics.survey`, still imports from here."""
    if name == "nps_sample_size":
        # survey imports stats: the survey planner is looked up on first use
        from cxmetrics.survey import nps_sample_size  # noqa: PLC0415

        return nps_sample_size
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
