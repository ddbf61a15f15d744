"""Registry entries of ``frames.read_chunks`` and ``frames.map_states`` (issue #20).

``read_chunks`` reads small CSV and Parquet files written once into a temporary
directory; its bad paths are files a user meets (empty, header-only, not UTF-8,
ragged rows, a duplicated header, text named ``.parquet``, a directory, no file)
and its bad ``columns`` are names given as one string, twice, not as strings,
or absent from the file. ``map_states`` maps a state constructor over small Dask
arrays; its bad values are arrays of the wrong kind (numpy, 2-D, other chunks,
text, NaN) and constructors that are not ones.

Entries exist only where pyarrow (``read_chunks``) and dask (``map_states``) are
installed.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

import cxmetrics as cx
from cxmetrics import frames
from hardening.registry import Entry

_HAS_ARROW = importlib.util.find_spec("pyarrow") is not None
_HAS_DASK = importlib.util.find_spec("dask") is not None


def _files() -> dict[str, Path]:
    """Small valid and malformed files, written once per test session."""
    import pyarrow as pa  # only where pyarrow is installed (see _HAS_ARROW)
    import pyarrow.parquet as pq  # same

    root = Path(tempfile.mkdtemp(prefix="cxmetrics-registry-"))
    texts: dict[str, str | bytes] = {
        "ok.csv": "score,region\n10,n\n9,n\n3,s\n7,s\n0,e\n",
        "bom.csv": "\ufeffscore,region\n10,n\n9,s\n",
        "crlf.csv": "score,region\r\n10,n\r\n3,s\r\n",
        "header_only.csv": "score,region\n",
        "empty.csv": "",
        "latin1.csv": "score,r\xe9gion\n10,n\n".encode("latin-1"),
        "ragged.csv": "score,region\n10\n9,n,extra\n",
        "duplicated.csv": "score,score\n10,9\n",
        "text.parquet": "score\n10\n",
    }
    out: dict[str, Path] = {}
    for name, text in texts.items():
        path = root / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        out[name] = path
    table = pa.table({"score": [10, 9, 3, 7, 0], "region": list("nnsse")})
    pq.write_table(table, root / "ok.parquet", row_group_size=2)
    pq.write_table(table.slice(0, 0), root / "empty.parquet")
    out["ok.parquet"] = root / "ok.parquet"
    out["empty.parquet"] = root / "empty.parquet"
    (root / "folder.csv").mkdir()
    out["folder.csv"] = root / "folder.csv"
    out["missing.csv"] = root / "missing.csv"
    return out


def _read_all(path: Any, **kwargs: Any) -> list[Any]:
    """``read_chunks`` is lazy: the entry reads every chunk."""
    return list(frames.read_chunks(path, **kwargs))


def _read_chunks_entry() -> Entry:
    files = _files()
    valid = [
        files[n]
        for n in ("ok.csv", "bom.csv", "crlf.csv", "header_only.csv", "ok.parquet")
    ]
    valid += [str(files["ok.csv"]), files["empty.parquet"]]
    broken = (
        "empty.csv",
        "latin1.csv",
        "ragged.csv",
        "duplicated.csv",
        "text.parquet",
        "folder.csv",
        "missing.csv",
    )
    bad_paths = (*(files[n] for n in broken), str(files["ok.csv"]).encode())
    return Entry(
        "frames.read_chunks",
        _read_all,
        (("path", st.sampled_from(valid)),),
        (
            ("columns", st.sampled_from([None, ["score"], ["region", "score"]])),
            ("chunk_rows", st.integers(1, 4)),
        ),
        bad=(
            ("path", bad_paths),
            (
                "columns",
                ("score", ["score", "score"], [], [1], ["nope"], [None], ("nope",)),
            ),
        ),
    )


def _map_states_entry() -> Entry:
    import dask.array as da  # only where dask is installed (see _HAS_DASK)

    def blocks(values: Any, chunks: int = 2) -> Any:
        return da.from_array(np.asarray(values), chunks=chunks)

    n = 6
    answers = st.lists(st.integers(0, 10), min_size=n, max_size=n).map(blocks)
    weights = st.none() | st.lists(st.floats(0.5, 5.0), min_size=n, max_size=n).map(
        blocks
    )
    return Entry(
        "frames.map_states",
        frames.map_states,
        (
            ("build", st.just(cx.NPSState.from_responses)),
            ("arrays", answers),
        ),
        (("weights", weights),),
        bad=(
            ("build", (len, cx.nps, cx.NPSState, cx.GroupedNPSState.from_responses)),
            (
                "arrays",
                (
                    np.arange(n),
                    blocks(np.zeros((2, 3))),
                    blocks(np.arange(n), chunks=3),
                    blocks(["a", "b", "c", "d", "e", "f"]),
                    blocks([1.0, np.nan, 3.0, 4.0, 5.0, 6.0]),
                    blocks(np.array([], dtype=np.int64)),
                ),
            ),
            (
                "weights",
                (
                    blocks(np.ones(n), chunks=3),
                    blocks(-np.ones(n)),
                    blocks(np.zeros(n)),
                    blocks(np.ones(n - 1)),
                ),
            ),
        ),
    )


IO_ENTRIES: list[Entry] = [
    *([_read_chunks_entry()] if _HAS_ARROW else []),
    *([_map_states_entry()] if _HAS_DASK else []),
]
