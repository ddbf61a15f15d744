"""Shared hypothesis strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]


def scale_answers(
    low: int = 0, high: int = 10, max_size: int = 200
) -> st.SearchStrategy[np.ndarray]:
    """Answers on an integer scale, in any integer dtype that holds the scale."""
    dtypes = [
        d for d in INT_DTYPES if np.iinfo(d).min <= low and np.iinfo(d).max >= high
    ]
    return st.sampled_from(dtypes).flatmap(
        lambda dt: hnp.arrays(
            dt, st.integers(0, max_size), elements=st.integers(low, high)
        )
    )


nps_answers = scale_answers(0, 10)
csat_answers = scale_answers(1, 5)
ces_answers = scale_answers(1, 7)


@st.composite
def with_weights(draw, answers: st.SearchStrategy[np.ndarray]):
    x = draw(answers)
    w = draw(
        hnp.arrays(
            np.float64,
            x.shape[0],
            elements=st.one_of(st.just(0.0), st.floats(1e-6, 10.0)),
        )
    )
    return x, w


@st.composite
def with_groups(draw, answers: st.SearchStrategy[np.ndarray]):
    x = draw(answers)
    kind = draw(st.sampled_from(["int", "str"]))
    if kind == "int":
        g = draw(hnp.arrays(np.int64, x.shape[0], elements=st.integers(-3, 5)))
    else:
        g = np.array(
            draw(
                st.lists(
                    st.sampled_from(["north", "south", "east", "w"]),
                    min_size=x.shape[0],
                    max_size=x.shape[0],
                )
            ),
            dtype=object if draw(st.booleans()) else str,
        )
    return x, g


@st.composite
def split_points(draw, n: int):
    return sorted(draw(st.lists(st.integers(0, n), max_size=5)))
