"""Metrics where the data lives: dataframes, chunked files and Dask/Spark engines.

Needs the ``frames`` extra (narwhals). Any frame narwhals speaks is accepted
(pandas, polars eager or lazy, pyarrow, DuckDB, Dask, PySpark): the per-group sums
and counts run in the frame's own engine, and the statistics are finished on the
small aggregate. Results come back as a frame of the caller's kind.

Importing :mod:`cxmetrics` does not import this module; ``from cxmetrics import
frames`` does not import narwhals until a function is called.

Examples
--------
>>> import polars as pl
>>> from cxmetrics import frames
>>> df = pl.DataFrame({"score": [10, 9, 3, 7, 10], "region": list("nnssn")})
>>> frames.nps(df, "score", by="region").select("region", "value", "n").rows()
[('n', 100.0, 3), ('s', -50.0, 2)]
"""

from __future__ import annotations

from cxmetrics.frames._chunks import accumulate, read_chunks
from cxmetrics.frames._clv import rfm_state, rfm_summary
from cxmetrics.frames._dask import map_states
from cxmetrics.frames._journeys import funnel
from cxmetrics.frames._retention import churn_state, cohort_matrix, cohort_state
from cxmetrics.frames._sketch import duration_sketch_state, duration_summary
from cxmetrics.frames._support import sla_compliance, sla_compliance_state
from cxmetrics.frames._survey import ces, ces_state, csat, csat_state, nps, nps_state

__all__ = [
    "accumulate",
    "ces",
    "ces_state",
    "churn_state",
    "cohort_matrix",
    "cohort_state",
    "csat",
    "csat_state",
    "duration_sketch_state",
    "duration_summary",
    "funnel",
    "map_states",
    "nps",
    "nps_state",
    "read_chunks",
    "rfm_state",
    "rfm_summary",
    "sla_compliance",
    "sla_compliance_state",
]
