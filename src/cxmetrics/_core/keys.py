"""Group keys shared by every family: type families, alignment on merge, lookup.

Grouped states of every family store a key array (labels, or a record array such
as group x interval) and merge by aligning keys by value. One set of rules decides
which key arrays may be merged: numbers with numbers, text with text, booleans
with booleans, records field by field; never a silent conversion between them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxmetrics.exceptions import IncompatibleStateError

__all__ = [
    "align_keys",
    "decode_keys",
    "encode_keys",
    "factorise",
    "key_columns",
    "key_family",
    "position",
]

#: integer keys spanning at most this many times the rows (or 2**16) are
#: factorised by counting: linear time, no sort
_DENSE_FACTOR = 4
_DENSE_MIN = 1 << 16


def key_family(keys: NDArray[Any]) -> object:
    """The type family of a key array; arrays of different families never merge."""
    if keys.dtype.names:
        return tuple((name, key_family(keys[name])) for name in keys.dtype.names)
    kind = keys.dtype.kind
    if kind == "b":
        return "bool"
    if kind in "iuf":
        return "number"
    if kind in "US":
        return "text"
    if kind == "O":
        kinds = {
            "text"
            if isinstance(k, str)
            else "bool"
            if isinstance(k, bool | np.bool_)
            else "number"
            for k in keys.tolist()
        }
        return kinds.pop() if len(kinds) == 1 else "mixed"
    return kind


def factorise(keys: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Sorted distinct keys and each row's position among them.

    What ``np.unique(keys, return_inverse=True)`` returns (the labels keep the
    keys' dtype, the codes are int64), computed by counting for integer keys in a
    modest range (ids in a block, as exports have them) instead of sorting.
    Raises ``TypeError`` for keys that do not compare, as :func:`numpy.unique`.

    Examples
    --------
    >>> import numpy as np
    >>> labels, codes = factorise(np.array([1005, 1001, 1005, 1003]))
    >>> labels.tolist(), codes.tolist()
    ([1001, 1003, 1005], [2, 0, 2, 1])
    """
    n = keys.shape[0]
    if keys.dtype.kind in "iu" and n:
        lo, hi = int(keys.min()), int(keys.max())
        if hi < 2**63 and hi - lo < max(_DENSE_FACTOR * n, _DENSE_MIN):
            offset = keys.astype(np.int64)  # a new array, shifted in place
            offset -= np.int64(lo)
            seen = np.bincount(offset, minlength=hi - lo + 1) > 0
            rank = np.cumsum(seen, dtype=np.int64)
            rank -= 1
            labels = np.flatnonzero(seen)
            labels += lo
            return labels.astype(keys.dtype), rank[offset]
    labels, codes = np.unique(keys, return_inverse=True)
    return labels, codes.reshape(-1).astype(np.int64, copy=False)


def key_columns(keys: NDArray[Any]) -> dict[str, NDArray[Any]]:
    """Key array as table columns: one per field of record keys, else ``key``."""
    if keys.dtype.names:
        return {name: np.asarray(keys[name]) for name in keys.dtype.names}
    return {"key": keys}


def align_keys(
    a: NDArray[Any], b: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.intp], NDArray[np.intp]]:
    """Union of two key arrays and the position of each input key in it.

    Equal key arrays are kept as they are (their order too); otherwise the union is
    sorted. Raises :class:`IncompatibleStateError` for keys of different families.
    """
    if a.dtype == b.dtype and np.array_equal(a, b):
        pos = np.arange(len(a))
        return a, pos, pos
    if len(a) and len(b) and key_family(a) != key_family(b):
        msg = f"cannot merge grouped states whose keys have different types ({a.dtype} and {b.dtype})."
        raise IncompatibleStateError(msg)
    try:
        keys = np.union1d(a, b)
    except TypeError as err:
        msg = f"cannot merge grouped states whose keys have different types ({err})."
        raise IncompatibleStateError(msg) from None
    return keys, np.searchsorted(keys, a), np.searchsorted(keys, b)


def position(keys: NDArray[Any], key: object) -> int:
    """Row of ``key``: a label, or for record keys a tuple (or its first field alone)."""
    if keys.dtype.names:
        parts = key if isinstance(key, tuple) else (key,)
        try:
            probe = np.array(parts, dtype=keys.dtype)
        except (TypeError, ValueError):
            probe = None
        hits = np.flatnonzero(keys == probe) if probe is not None else np.array([])
    elif keys.dtype.kind in "mM" and not isinstance(
        key, np.datetime64 | np.timedelta64
    ):
        # datetime keys are looked up by any spelling numpy reads: "2026-01-02",
        # a datetime or date object
        try:
            probe = np.array(key, dtype=keys.dtype)
        except (TypeError, ValueError):
            probe = None
        hits = np.flatnonzero(keys == probe) if probe is not None else np.array([])
    elif isinstance(key, list | tuple | dict | set | np.ndarray):
        hits = np.array([])  # a label is one value: a sequence names no group
    else:
        hits = np.flatnonzero(keys == key)
    if hits.size == 0:
        msg = f"no group {key!r}; the groups are {keys.tolist()!r}."
        raise KeyError(msg)
    return int(hits[0])


def encode_keys(keys: NDArray[Any]) -> dict[str, Any]:
    """Key array as JSON-ready data that :func:`decode_keys` turns back into the same array.

    Dtypes survive the trip: integers stay integers, text stays text, dates and
    timestamps keep their unit, record keys keep their fields.
    """
    if keys.dtype.names:
        return {
            "fields": [
                [name, encode_keys(np.asarray(keys[name]))] for name in keys.dtype.names
            ]
        }
    if keys.dtype.kind in "mM":
        return {"dtype": keys.dtype.str, "values": keys.view(np.int64).tolist()}
    if keys.dtype.kind == "O":
        return {"dtype": "object", "values": keys.tolist()}
    return {"dtype": keys.dtype.str, "values": keys.tolist()}


def decode_keys(data: object) -> NDArray[Any]:
    """Inverse of :func:`encode_keys` (a plain list is read as labels)."""
    if isinstance(data, list):
        return np.array(data)
    if not isinstance(data, dict):
        msg = f"`keys` must be a list or the output of encode_keys; got {type(data).__name__}."
        raise IncompatibleStateError(msg)
    if "fields" in data:
        fields = [(str(name), decode_keys(sub)) for name, sub in data["fields"]]
        n = len(fields[0][1]) if fields else 0
        out = np.empty(n, dtype=[(name, col.dtype) for name, col in fields])
        for name, col in fields:
            out[name] = col
        return out
    dtype, values = data["dtype"], data["values"]
    if dtype == "object":
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return arr
    dt = np.dtype(dtype)
    if dt.kind in "mM":
        return np.array(values, dtype=np.int64).view(dt)
    return np.array(values, dtype=dt)
