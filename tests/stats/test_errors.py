"""Bad arguments to the stats functions raise cxmetrics errors naming the argument.

Needs only numpy, attrs and pytest: every check runs before any scipy import.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxmetrics.exceptions import (
    CXMetricsError,
    InvalidInputError,
    InvalidInputTypeError,
)
from cxmetrics.stats import (
    critical_value,
    mean_difference,
    mean_interval,
    net_score_difference,
    net_score_interval,
    normal_pvalue,
    nps_sample_size,
    paired_difference,
    proportion_difference,
    proportion_interval,
    proportion_sample_size,
    t_critical_value,
    t_pvalue,
)


def _paired_proportion():
    return paired_difference(
        np.array([-1.0, 0.0, 1.0]),
        np.array([16.0, 139.0, 6.0]),
        161.0,
        n=161,
        estimate_a=0.47,
        estimate_b=0.40,
        kind="proportion",
        test="mcnemar",
        inputs=(6.0, 16.0),
    )


# each callable takes the confidence level as its only argument
LEVEL_TAKERS = {
    "critical_value": critical_value,
    "t_critical_value": lambda level: t_critical_value(level, 10.0),
    "proportion_interval": lambda level: proportion_interval(3, 10, level),
    "proportion_interval_exact": lambda level: proportion_interval(
        3, 10, level, method="clopper_pearson"
    ),
    "mean_interval": lambda level: mean_interval(1.0, 0.1, level, method="normal"),
    "mean_interval_t": lambda level: mean_interval(1.0, 0.1, level, method="t", df=9),
    "net_score_wald": lambda level: net_score_interval(5, 2, 10, level, method="wald"),
    "net_score_adjusted": lambda level: net_score_interval(5, 2, 10, level),
    "net_score_score": lambda level: net_score_interval(
        5, 2, 10, level, method="score"
    ),
    "net_score_bootstrap": lambda level: net_score_interval(
        5, 2, 10, level, method="bootstrap"
    ),
    "proportion_sample_size": lambda level: proportion_sample_size(
        0.05, confidence_level=level
    ),
    "nps_sample_size": lambda level: nps_sample_size(5, confidence_level=level),
    "difference_proportion": lambda level: proportion_difference(
        3, 10, 6, 10, n_a=10, n_b=10
    ).confidence_interval(level),
    "difference_mean": lambda level: mean_difference(
        1.0, 1.0, 10, 2.0, 1.0, 10, n_a=10, n_b=10, test="z"
    ).confidence_interval(level),
    "difference_net_score": lambda level: net_score_difference(
        5, 2, 10, 6, 1, 10, n_a=10, n_b=10
    ).confidence_interval(level),
    "difference_paired": lambda level: _paired_proportion().confidence_interval(level),
}


@pytest.mark.parametrize("level", [0, 0.0, 1, 1.0, 1.5, -0.5, 95, math.nan, math.inf])
@pytest.mark.parametrize("func", list(LEVEL_TAKERS.values()), ids=list(LEVEL_TAKERS))
def test_confidence_level_out_of_range(func, level):
    with pytest.raises(
        InvalidInputError, match="`confidence_level` must lie strictly between 0 and 1"
    ):
        func(level)


@pytest.mark.parametrize("level", ["x", None, [0.95]])
@pytest.mark.parametrize("func", list(LEVEL_TAKERS.values()), ids=list(LEVEL_TAKERS))
def test_confidence_level_not_a_number(func, level):
    with pytest.raises(
        InvalidInputTypeError, match="`confidence_level` must be a number"
    ):
        func(level)


def test_error_classes_are_builtin_subclasses():
    # code that catches ValueError / TypeError keeps working
    with pytest.raises(ValueError, match="`confidence_level`"):
        critical_value(1.5)
    with pytest.raises(TypeError, match="`confidence_level`"):
        critical_value("x")
    assert issubclass(InvalidInputError, CXMetricsError)


BAD_OPTIONS = {
    "proportion_interval": (
        lambda: proportion_interval(3, 10, method="score"),
        "method",
    ),
    "proportion_interval_case": (
        lambda: proportion_interval(3, 10, method="Wilson"),
        "method",
    ),
    "proportion_interval_wald_alias": (
        lambda: proportion_interval(3, 10, method="normal"),
        "method",
    ),
    "mean_interval": (lambda: mean_interval(1.0, 0.1, method="z"), "method"),
    "net_score_interval": (
        lambda: net_score_interval(5, 2, 10, method="newcombe"),
        "method",
    ),
    "net_score_interval_tango": (
        lambda: net_score_interval(5, 2, 10, method="tango"),
        "method",
    ),
    "normal_pvalue": (lambda: normal_pvalue(1.0, "two_sided"), "alternative"),
    "t_pvalue": (lambda: t_pvalue(1.0, 5.0, "larger"), "alternative"),
    "mean_difference_test": (
        lambda: mean_difference(1.0, 1.0, 10, 2.0, 1.0, 10, n_a=10, n_b=10, test="t"),
        "test",
    ),
    "mean_difference_alternative": (
        lambda: mean_difference(
            1.0, 1.0, 10, 2.0, 1.0, 10, n_a=10, n_b=10, test="z", alternative="bigger"
        ),
        "alternative",
    ),
    "proportion_difference_alternative": (
        lambda: proportion_difference(
            3, 10, 6, 10, n_a=10, n_b=10, alternative="smaller"
        ),
        "alternative",
    ),
    "net_score_difference_method": (
        lambda: net_score_difference(
            5, 2, 10, 6, 1, 10, n_a=10, n_b=10, method="score"
        ),
        "method",
    ),
    "proportion_ci_method": (
        lambda: proportion_difference(3, 10, 6, 10, n_a=10, n_b=10).confidence_interval(
            method="score"
        ),
        "method",
    ),
    "proportion_ci_statsmodels_spelling": (
        lambda: proportion_difference(3, 10, 6, 10, n_a=10, n_b=10).confidence_interval(
            method="newcomb"
        ),
        "method",
    ),
    "paired_ci_method": (
        lambda: _paired_proportion().confidence_interval(method="newcombe"),
        "method",
    ),
    "mean_ci_method": (
        lambda: mean_difference(
            1.0, 1.0, 10, 2.0, 1.0, 10, n_a=10, n_b=10, test="z"
        ).confidence_interval(method="wald"),
        "method",
    ),
    "net_score_ci_method": (
        lambda: net_score_difference(
            5, 2, 10, 6, 1, 10, n_a=10, n_b=10
        ).confidence_interval(method="score"),
        "method",
    ),
    "proportion_sample_size": (
        lambda: proportion_sample_size(0.05, method="exact"),
        "method",
    ),
    "nps_sample_size": (lambda: nps_sample_size(5, method="score"), "method"),
}


@pytest.mark.parametrize(
    ("call", "name"), list(BAD_OPTIONS.values()), ids=list(BAD_OPTIONS)
)
def test_bad_option_names_argument(call, name):
    with pytest.raises(InvalidInputError, match=f"`{name}` must be one of"):
        call()


def test_bad_option_message_lists_choices():
    with pytest.raises(InvalidInputError) as info:
        proportion_interval(3, 10, method="score")
    message = str(info.value)
    for method in ("wilson", "agresti_coull", "wald", "jeffreys", "clopper_pearson"):
        assert method in message
    assert "'score'" in message


@pytest.mark.parametrize("n_resamples", [0, -5])
def test_bootstrap_bad_resample_count(n_resamples):
    with pytest.raises(InvalidInputError, match="`n_resamples`"):
        net_score_interval(5, 2, 10, method="bootstrap", n_resamples=n_resamples)


@pytest.mark.parametrize("n_resamples", [100.0, "1000", True])
def test_bootstrap_resample_count_type(n_resamples):
    with pytest.raises(InvalidInputTypeError, match="`n_resamples`"):
        net_score_interval(5, 2, 10, method="bootstrap", n_resamples=n_resamples)


def test_t_interval_needs_df():
    with pytest.raises(TypeError, match="`df`"):
        mean_interval(1.0, 0.1, method="t")


def test_proportion_interval_rejects_counts_outside_zero_to_n():
    from cxmetrics.exceptions import InvalidInputError
    from cxmetrics.stats import proportion_interval

    with pytest.raises(
        InvalidInputError,
        match=r"`count` must lie in \[0, nobs\]; got count=11.0 with nobs=10.0 at index 1",
    ):
        proportion_interval([1, 11], [10, 10])
    with pytest.raises(InvalidInputError, match="count"):
        proportion_interval(-1, 10)


def test_sample_size_rejects_non_numbers():
    from cxmetrics.exceptions import InvalidInputTypeError
    from cxmetrics.stats import nps_sample_size, proportion_sample_size

    with pytest.raises(
        InvalidInputTypeError, match=r"`margin` must be a number; got '0\.05'"
    ):
        proportion_sample_size("0.05")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputTypeError, match="`promoter_share` must be a number"
    ):
        nps_sample_size(5, promoter_share="x", detractor_share=0.1)  # type: ignore[arg-type]
