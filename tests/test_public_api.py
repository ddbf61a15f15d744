from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import subprocess
import sys

import numpy as np
import pytest

import cxmetrics as cx


def test_version_matches_metadata():
    assert cx.__version__ == importlib.metadata.version("cxmetrics")


@pytest.mark.parametrize("name", cx.__all__)
def test_every_public_name_imports_and_has_examples(name):
    obj = getattr(cx, name)
    if name == "__version__" or inspect.ismodule(obj):
        assert obj is not None
        return
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Examples" in doc, f"{name}'s docstring has no Examples section"


@pytest.mark.parametrize(
    "module",
    [
        cx.stats,
        cx.survey,
        cx.staffing,
        cx.retention,
        cx.survival,
        cx.frames,
        cx.support,
        cx.clv,
        cx.voice,
        cx.exceptions,
        cx.typing,
    ],
)
def test_submodule_all(module):
    for name in module.__all__:
        assert hasattr(module, name)


def test_import_loads_no_frames_module():
    # the optional dataframe layer is loaded on first use, not by `import cxmetrics`
    code = (
        "import sys, cxmetrics as cx; cx.nps([10, 3]); "
        "before = sorted(m for m in sys.modules if m.startswith('cxmetrics.frames')); "
        "cx.frames.nps; "
        "print(','.join(before), 'cxmetrics.frames' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True"]


def test_import_loads_no_optional_dependency():
    code = (
        "import sys, cxmetrics as cx; cx.nps([10, 3]).confidence_interval(); "
        "bad = sorted(m for m in ('scipy', 'pandas', 'polars', 'narwhals', 'pyarrow', 'duckdb', 'dask', 'pyspark', 'tqdm', 'matplotlib', 'statsmodels') if m in sys.modules); "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_exceptions_are_value_and_type_errors():
    from cxmetrics import exceptions as e

    assert issubclass(e.CXMetricsError, ValueError)
    assert issubclass(e.InvalidInputError, ValueError)
    assert issubclass(e.MissingValueError, ValueError)
    assert issubclass(e.IncompatibleStateError, ValueError)
    assert issubclass(e.InvalidInputTypeError, TypeError)
    assert issubclass(e.MissingDependencyError, ImportError)
    assert issubclass(e.UndefinedMetricWarning, RuntimeWarning)


def test_every_error_is_a_cxmetrics_error():
    from cxmetrics import exceptions as e

    errors = [
        getattr(e, n)
        for n in e.__all__
        if isinstance(getattr(e, n), type)
        and issubclass(getattr(e, n), Exception)
        and not issubclass(getattr(e, n), Warning)
    ]
    assert e.InvalidInputTypeError in errors
    assert e.MissingDependencyError in errors
    for err in errors:
        assert issubclass(err, e.CXMetricsError), err
    # the message and ImportError's fields survive the double base
    dep = e.MissingDependencyError("needs scipy", name="scipy")
    assert str(dep) == "needs scipy"
    assert dep.name == "scipy"
    try:
        import cxmetrics as cx

        cx.nps(np.array(["2026-01-01"], dtype="datetime64[D]"))
    except e.CXMetricsError as err:
        assert isinstance(err, TypeError)
    else:  # pragma: no cover
        raise AssertionError


# scipy.stats.t.isf(0.025, df): 95% critical values for three and ten answers
T_975 = {2: 4.302652729749464, 9: 2.2621571627982053}


def test_missing_scipy_names_the_extra(monkeypatch):
    if importlib.util.find_spec("scipy") is not None:
        from scipy import stats

        for df, crit in T_975.items():
            assert stats.t.isf(0.025, df) == pytest.approx(crit, rel=1e-15)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    from cxmetrics.exceptions import MissingDependencyError

    # t intervals (the default for means) need no scipy and agree with it; CES
    # intervals are clipped to the 1..7 scale
    for answers in ([1, 5, 7], [1, 5, 7, 6, 6, 5, 4, 7, 2, 5]):
        result = cx.ces(answers)
        low, high = result.confidence_interval()
        half = T_975[len(answers) - 1] * result.standard_error
        assert low == pytest.approx(max(1.0, result.mean - half), rel=1e-13)
        assert high == pytest.approx(min(7.0, result.mean + half), rel=1e-13)
    low, high = cx.ces([1, 5, 7]).confidence_interval(method="normal")
    assert low < high
    # exact intervals for shares still do
    with pytest.raises(
        MissingDependencyError, match=r"pip install 'cxmetrics\[stats\]'"
    ):
        cx.csat([1, 4, 5, 5, 3]).confidence_interval(method="jeffreys")


def test_py_typed_shipped():
    from importlib.resources import files

    assert files("cxmetrics").joinpath("py.typed").is_file()
