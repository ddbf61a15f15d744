"""Registry entries of the ``frames`` front doors (issue #20): dataframes with bad columns.

Each entry's ``df`` is a valid pandas or polars frame. Its bad values are frames
built from the valid one, column by column: the column missing, holding text,
dates, booleans, a null or only nulls, and the frame empty or not a frame at
all. Column-name arguments get names that do not exist, names given twice, an
empty list and non-strings (from the shared bad values).

Importing this module needs pandas, polars and narwhals: the test module that
uses it skips without them.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import frames
from hardening.registry import Entry
from hardening.registry_io import IO_ENTRIES

# the frames registry needs both dataframe libraries (the core-only job has neither)
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

LIBS = ("pandas", "polars")
#: the engine paths (lazy polars, pyarrow): where installed, one entry each
ENGINES = tuple(
    lib
    for lib, module in (("polars-lazy", "polars"), ("pyarrow", "pyarrow"))
    if importlib.util.find_spec(module) is not None
)


def _frame(data: dict[str, Any], lib: str) -> Any:
    if lib == "pandas":
        return pd.DataFrame(data)
    if lib == "dask":  # the per-partition numpy path of the survey front doors
        import dask.dataframe as dd

        return dd.from_pandas(pd.DataFrame(data), npartitions=2)
    if lib == "polars-lazy":  # the engine path: aggregation in polars' query
        return pl.DataFrame(data, strict=False).lazy()
    if lib == "pyarrow":
        import pyarrow as pa

        return pa.Table.from_pandas(pd.DataFrame(data), preserve_index=False)
    return pl.DataFrame(data, strict=False)


def _like(column: list[Any], value: Any) -> list[Any]:
    return [value] * len(column)


def _empty(frame: Any) -> Any:
    """No rows, the same columns and dtypes."""
    return frame.slice(0, 0) if hasattr(frame, "slice") else frame.head(0)


def _variants(data: dict[str, list[Any]], lib: str) -> list[Any]:
    """Frames that break one column of ``data`` each, plus an empty frame."""
    out: list[Any] = [
        _empty(_frame(data, lib)),  # with the valid dtypes
        _frame({k: v[:0] for k, v in data.items()}, lib),  # empty, dtypes guessed
    ]
    for name, column in data.items():
        without = {k: v for k, v in data.items() if k != name}
        out.append(_frame(without, lib))
        replacements: list[list[Any]] = [
            _like(column, "n/a"),
            [None, *column[1:]],
            _like(column, None),
            _like(column, True),  # noqa: FBT003
            _like(column, dt.datetime(2024, 1, 1)),
        ]
        for values in replacements:
            try:
                out.append(_frame({**data, name: values}, lib))
            except (TypeError, ValueError, pl.exceptions.PolarsError):
                continue  # the library itself refuses to build this frame
    return out


def _dfs(
    data: dict[str, list[Any]], libs: tuple[str, ...] = LIBS
) -> st.SearchStrategy[Any]:
    return st.sampled_from(libs).map(lambda lib: _frame(data, lib))


def _bad_frames(
    data: dict[str, list[Any]], libs: tuple[str, ...] = LIBS
) -> tuple[Any, ...]:
    return tuple(f for lib in libs for f in _variants(data, lib))


#: bad column-name arguments beyond the shared bad values
BAD_NAMES: tuple[Any, ...] = ("nope", ["score", "score"], ("nope",), 3.5, [None])


def _columns(*names: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    return tuple((n, BAD_NAMES) for n in names)


SURVEY = {
    "score": [10, 9, 3, 7, 10, 0],
    "region": ["n", "n", "s", "s", "n", "e"],
    "w": [1.0, 2.0, 1.0, 0.5, 1.0, 3.0],
}
RATING = {**SURVEY, "score": [1, 5, 4, 3, 5, 2]}
LOG = {
    "customer": ["a", "a", "b", "c", "c", "d"],
    "time": [
        dt.datetime(2024, 1, 3),
        dt.datetime(2024, 2, 10),
        dt.datetime(2024, 1, 15),
        dt.datetime(2024, 1, 2),
        dt.datetime(2024, 3, 5),
        dt.datetime(2024, 4, 1),
    ],
    "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 30.0],
}
SLA = {
    "status": ["achieved", "breached", "active", "achieved", "paused", "breached"],
    "team": ["x", "x", "y", "y", "x", "y"],
}
DURATIONS = {
    "seconds": [30.0, 0.0, 3600.0, 125.5, 86400.0, 2.0],
    "queue": ["billing", "billing", "tech", "tech", "tech", "sales"],
}
JOURNEY = {
    "user": ["a", "a", "b", "b", "c", "c"],
    "t": [0, 30, 5, 100, 7, 8],
    "event": ["cart", "paid", "cart", "paid", "cart", "view"],
}


def _survey(
    label: str,
    func: Callable[..., Any],
    data: dict[str, list[Any]],
    scheme: Any,
    libs: tuple[str, ...] = LIBS,
) -> Entry:
    return Entry(
        label,
        func,
        (("df", _dfs(data, libs)), ("score", st.just("score"))),
        (
            ("by", st.sampled_from([None, "region", ["region"]])),
            ("weights", st.sampled_from([None, "w"])),
            ("scheme", st.just(scheme)),
        ),
        bad=(
            ("df", _bad_frames(data, libs)),
            *_columns("score", "by", "weights"),
            ("scheme", (cx.CSATScheme(), cx.NPSScheme(), cx.CESScheme(), "nps")),
        ),
    )


_LOG_ARGS = (
    ("df", _dfs(LOG)),
    ("customer", st.just("customer")),
    ("time", st.just("time")),
)

FRAME_ENTRIES: list[Entry] = [
    _survey("frames.nps", frames.nps, SURVEY, cx.NPSScheme()),
    _survey("frames.nps_state", frames.nps_state, SURVEY, cx.NPSScheme()),
    _survey("frames.csat", frames.csat, RATING, cx.CSATScheme()),
    _survey("frames.ces_state", frames.ces_state, RATING, cx.CESScheme(1, 5, 4, 5)),
    _survey("frames.csat_state", frames.csat_state, RATING, cx.CSATScheme()),
    _survey("frames.ces", frames.ces, RATING, cx.CESScheme(1, 5, 4, 5)),
    *(
        [_survey("frames.csat[engines]", frames.csat, RATING, cx.CSATScheme(), ENGINES)]
        if ENGINES
        else []
    ),
    *(
        [_survey("frames.nps[dask]", frames.nps, SURVEY, cx.NPSScheme(), ("dask",))]
        if importlib.util.find_spec("dask") is not None
        else []
    ),
    Entry(
        "frames.rfm_summary",
        frames.rfm_summary,
        (*_LOG_ARGS, ("amount", st.sampled_from([None, "amount"]))),
        (("observation_end", st.just("2024-06-01")),),
        bad=(("df", _bad_frames(LOG)), *_columns("customer", "time", "amount")),
    ),
    Entry(
        "frames.rfm_state",
        frames.rfm_state,
        _LOG_ARGS,
        (("observation_end", st.just("2024-06-01")),),
        bad=(("df", _bad_frames(LOG)), *_columns("customer", "time")),
    ),
    Entry(
        "frames.cohort_matrix",
        frames.cohort_matrix,
        _LOG_ARGS,
        (
            ("freq", st.sampled_from(["month", "week"])),
            ("as_of", st.just("2024-08-01")),
        ),
        bad=(("df", _bad_frames(LOG)), *_columns("customer", "time")),
    ),
    Entry(
        "frames.cohort_state",
        frames.cohort_state,
        _LOG_ARGS,
        (("amount", st.sampled_from([None, "amount"])),),
        bad=(("df", _bad_frames(LOG)), *_columns("customer", "time", "amount")),
    ),
    Entry(
        "frames.churn_state",
        frames.churn_state,
        _LOG_ARGS,
        (("freq", st.sampled_from(["month", "week"])),),
        bad=(("df", _bad_frames(LOG)), *_columns("customer", "time")),
    ),
    Entry(
        "frames.sla_compliance",
        frames.sla_compliance,
        (("df", _dfs(SLA)), ("status", st.just("status"))),
        (
            ("by", st.sampled_from([None, "team"])),
            ("level", st.sampled_from(["target", "ticket"])),
        ),
        bad=(("df", _bad_frames(SLA)), *_columns("status", "by")),
    ),
    Entry(
        "frames.sla_compliance_state",
        frames.sla_compliance_state,
        (("df", _dfs(SLA)), ("status", st.just("status"))),
        (("by", st.sampled_from([None, "team", ["team"]])),),
        bad=(("df", _bad_frames(SLA)), *_columns("status", "by")),
    ),
    *(
        Entry(
            label,
            func,
            (("df", _dfs(DURATIONS)), ("duration", st.just("seconds"))),
            (
                ("by", st.sampled_from([None, "queue", ["queue"]])),
                ("relative_accuracy", st.sampled_from([0.01, 0.05])),
            ),
            bad=(
                ("df", _bad_frames(DURATIONS)),
                *_columns("duration", "by"),
                ("relative_accuracy", (0.0, 0.5, -0.1, "1%", None, float("nan"))),
            ),
        )
        for label, func in (
            ("frames.duration_sketch_state", frames.duration_sketch_state),
            ("frames.duration_summary", frames.duration_summary),
        )
    ),
    Entry(
        "frames.funnel",
        frames.funnel,
        (
            ("df", _dfs(JOURNEY)),
            ("unit", st.just("user")),
            ("time", st.just("t")),
            ("event", st.just("event")),
            ("steps", st.just(["cart", "paid"])),
        ),
        (("window", st.just(60)),),
        bad=(("df", _bad_frames(JOURNEY)), *_columns("unit", "time", "event")),
    ),
    Entry(
        "frames.accumulate",
        frames.accumulate,
        (
            (
                "states",
                st.just(
                    [
                        cx.NPSState.from_responses([9, 10]),
                        cx.NPSState.from_responses([3]),
                    ]
                ),
            ),
        ),
        bad=(
            (
                "states",
                (
                    [cx.NPSState.from_responses([9]), cx.CSATState.from_responses([5])],
                    [cx.NPSState.from_responses([9]), cx.BGNBDModel(1, 1, 1, 1)],
                    [cx.nps([9, 10])],
                    [pd.DataFrame({"score": [9]})],
                ),
            ),
        ),
    ),
]

# read_chunks (files) and map_states (Dask arrays), where pyarrow and dask are installed
FRAME_ENTRIES += IO_ENTRIES
