"""The one place where user input is converted and checked.

Every public function passes its raw arguments through these helpers exactly once;
kernels, states and ``compute()`` trust what comes out. Messages follow one format:
the argument in backticks, the rule, the offending value and its index.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.mergeable import INT64_LIMIT, check_int64_total
from cxmetrics.exceptions import (
    InvalidInputError,
    InvalidInputTypeError,
    MissingValueError,
)

__all__ = [
    "CHUNK",
    "GroupIndex",
    "RFMArrays",
    "ScaleData",
    "SurvivalData",
    "TransactionLog",
    "as_1d",
    "check_confidence_level",
    "check_flag",
    "check_instance",
    "check_levels_need_by",
    "check_option",
    "check_positive_int",
    "check_probability",
    "check_rng",
    "check_same_length",
    "check_time",
    "check_zones",
    "common_unit",
    "datetime_scalar",
    "datetimes_1d",
    "durations_1d",
    "flags_1d",
    "group_index",
    "handle_times_1d",
    "instants_1d",
    "integer_scale",
    "minor_units_1d",
    "parameter_array",
    "parameter_scalar",
    "rfm_arrays",
    "seconds_ns_1d",
    "spells_1d",
    "survival_data",
    "survivor_counts",
    "timedelta_seconds",
    "transaction_log",
    "utc_instants_1d",
    "weights_array",
]

#: Rows handled per block by chunked kernels: small enough for the CPU cache,
#: large enough that the per-block Python overhead is negligible.
CHUNK = 1 << 16

_T = TypeVar("_T")


def check_option(name: str, value: _T, allowed: Collection[_T]) -> _T:
    """Return ``value`` if it is one of ``allowed``, else raise naming ``name``.

    An unhashable value (an array, a list) is never an option: it is refused
    here rather than compared elementwise.
    """
    try:
        ok = value in allowed
    except (TypeError, ValueError):  # an array compared elementwise
        ok = False
    if not ok:
        msg = f"`{name}` must be one of {tuple(allowed)!r}; got {value!r}."
        raise InvalidInputError(msg)
    return value


def check_confidence_level(confidence_level: float) -> float:
    """Return the level as a float if it lies strictly between 0 and 1.

    The one check of every ``confidence_level``: a real number (a Python or
    numpy int or float, not a string or a bool), so text such as ``"0.9"`` is
    refused by every path alike instead of being read by some and crashing others.
    """
    text = isinstance(confidence_level, str | bytes | bool | np.bool_)
    try:
        level = math.nan if text else float(confidence_level)
    except (TypeError, ValueError):
        text = True
    if text:
        msg = (
            f"`confidence_level` must be a number in (0, 1); got {confidence_level!r}."
        )
        raise InvalidInputTypeError(msg) from None
    if not 0.0 < level < 1.0:
        msg = f"`confidence_level` must lie strictly between 0 and 1; got {confidence_level!r}."
        raise InvalidInputError(msg)
    return level


def check_flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a bool (Python or numpy), else raise naming ``name``.

    Flags are not read by truthiness: ``'no'`` and ``'false'`` are true strings,
    so a text flag is refused rather than silently taken as ``True``.
    """
    if not isinstance(value, bool | np.bool_):
        msg = f"`{name}` must be True or False; got {value!r}."
        raise InvalidInputTypeError(msg)
    return bool(value)


def check_levels_need_by(by: object, levels: object) -> None:
    """Refuse ``levels`` given without ``by``: it lists the groups of ``by`` and would be ignored."""
    if by is None and levels is not None:
        msg = "`levels` lists the groups of `by`; pass `by` too, or leave `levels` out."
        raise InvalidInputError(msg)


def check_instance(
    name: str, value: object, kind: type | tuple[type, ...], *, optional: bool = False
) -> None:
    """Refuse an object of the wrong class (a string for a calendar, a scheme of another kind)."""
    if optional and value is None:
        return
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        want = " or ".join(k.__name__ for k in kinds)
        msg = f"`{name}` must be a {want}{' or None' if optional else ''}; got {type(value).__name__} {value!r:.80}."
        raise InvalidInputTypeError(msg)


def check_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """A numpy Generator from ``None``, a non-negative int seed or a Generator."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool | np.bool_):
        if rng < 0:
            msg = f"`{name}` must be a non-negative seed; got {rng!r}."
            raise InvalidInputError(msg)
        return np.random.default_rng(int(rng))
    msg = f"`{name}` must be None, a non-negative int seed or a numpy.random.Generator; got {rng!r}."
    raise InvalidInputTypeError(msg)


def check_positive_int(
    name: str, value: object, *, minimum: int = 1, maximum: int = INT64_LIMIT
) -> int:
    """Return ``value`` as an int if it is a whole number in ``[minimum, maximum]``.

    The default ``maximum`` is the int64 limit: counts beyond it cannot be held
    by the int64 arrays of states (a Python int of 10**30 would otherwise fail
    later with an OverflowError).
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        msg = f"`{name}` must be an integer; got {value!r}."
        raise InvalidInputTypeError(msg)
    if value < minimum:
        msg = f"`{name}` must be >= {minimum}; got {value!r}."
        raise InvalidInputError(msg)
    if value > maximum:
        msg = f"`{name}` must be <= {maximum}; got {value!r}."
        raise InvalidInputError(msg)
    return int(value)


def _describe(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return repr(value)
    return repr(value)


def as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Convert ``values`` with :func:`numpy.asarray` and require one dimension.

    Scalars and nested lists are rejected with a message naming ``name`` and the
    shape. The input is never copied or modified here.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a 1-D array of numbers; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.ndim != 1:
        msg = f"`{name}` must be 1-D; got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    return arr


def check_same_length(name: str, arr: NDArray[Any], other: str, n: int) -> None:
    """Raise if ``arr`` does not have ``n`` rows, the length of ``other``."""
    if arr.shape[0] != n:
        msg = f"`{name}` must have the same length as `{other}` ({n}); got {arr.shape[0]}."
        raise InvalidInputError(msg)


def _first(mask: NDArray[np.bool_]) -> tuple[int, int]:
    """Index of the first True and the number of Trues."""
    return int(np.argmax(mask)), int(np.count_nonzero(mask))


def _is_missing_object(v: object) -> bool:
    if v is None or type(v).__name__ in {"NAType", "NaTType"}:
        return True
    return isinstance(v, float | np.floating) and v != v  # noqa: PLR0124  (NaN test)


def _is_number_object(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating | np.bool_)


def _object_to_float(arr: NDArray[Any], name: str) -> NDArray[np.float64]:
    """Convert an object array (lists with None, pandas nullable) to float64.

    This is the slow path (one Python call per element); numeric dtypes never take it.
    """
    if arr.ndim == 0:  # a scalar None, pandas NA/NaT: frompyfunc returns a bare bool
        return _object_to_float(arr.reshape(1), name).reshape(())
    missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
    numeric = np.frompyfunc(_is_number_object, 1, 1)(arr).astype(bool)
    bad = ~(missing | numeric)
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{name}` must be numeric; got {arr[i]!r} of type "
            f"{type(arr[i]).__name__} at index {i} ({count} non-numeric value(s))."
        )
        raise InvalidInputTypeError(msg)
    out = np.full(arr.shape, np.nan)
    out[~missing] = arr[~missing].astype(np.float64)
    return out


def numeric_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Return a 1-D numeric array (bool, integer or float), without copying numerics."""
    arr = as_1d(values, name)
    kind = arr.dtype.kind
    if kind == "O":
        return _object_to_float(arr, name)
    if kind == "b":
        return arr.view(np.uint8)
    if kind not in "iuf":
        msg = f"`{name}` must be numeric; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr


class ScaleData(NamedTuple):
    """Validated answers on an integer scale.

    ``values`` holds integers in ``[low, high + 1]``; ``high + 1`` marks a missing
    answer (only present when ``n_missing > 0``). Integer input is passed through
    without a copy.
    """

    values: NDArray[np.integer[Any]]
    n_missing: int


def _narrow_int_dtype(low: int, high: int) -> np.dtype[Any]:
    for dt in (np.int8, np.int16, np.int32, np.int64):
        info = np.iinfo(dt)
        if info.min <= low and high <= info.max:
            return np.dtype(dt)
    msg = f"scale [{low}, {high}] does not fit in 64-bit integers."
    raise InvalidInputError(msg)


def _raise_out_of_range(
    arr: NDArray[Any],
    bad: NDArray[np.bool_],
    name: str,
    low: int,
    high: int,
    offset: int = 0,
) -> None:
    i, count = _first(bad)
    msg = (
        f"`{name}` must lie in [{low}, {high}]; got {_describe(arr[i])} at index "
        f"{offset + i} ({count} value(s) out of range)."
    )
    raise InvalidInputError(msg)


#: integer arrays from this many rows have their range read in cached blocks, on threads
RANGE_BLOCKS_MIN = 1 << 22
_RANGE_BLOCK = 1 << 18


def _block_range(
    arr: NDArray[np.integer[Any]], start: int, stop: int
) -> tuple[int, int]:
    """Range of ``arr[start:stop]`` (not empty), a block at a time."""
    first = arr[start : min(start + _RANGE_BLOCK, stop)]
    lo, hi = int(first.min()), int(first.max())
    for i in range(start + _RANGE_BLOCK, stop, _RANGE_BLOCK):
        block = arr[i : min(i + _RANGE_BLOCK, stop)]
        lo = min(lo, int(block.min()))
        hi = max(hi, int(block.max()))  # this read hits the cache
    return lo, hi


def integer_range(arr: NDArray[np.integer[Any]]) -> tuple[int, int]:
    """Smallest and largest value of a non-empty integer array.

    A large contiguous array is read once from memory: its min and max are taken
    a cache-sized block at a time, on two threads (numpy releases the GIL); the
    result is the same whatever the split.
    """
    n = arr.shape[0]
    if n < max(RANGE_BLOCKS_MIN, 2) or not arr.flags.c_contiguous:
        return int(arr.min()), int(arr.max())
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    half = n // 2
    with ThreadPoolExecutor(2) as pool:
        parts = list(
            pool.map(lambda ab: _block_range(arr, *ab), ((0, half), (half, n)))
        )
    return min(p[0] for p in parts), max(p[1] for p in parts)


def integer_scale(
    values: ArrayLike, name: str, *, low: int, high: int, nan_policy: str
) -> ScaleData:
    """Validate answers on the integer scale ``[low, high]``.

    Rules: numeric dtype; whole numbers; every value in range (checked before any
    integer cast, so nothing can overflow); missing values (NaN, None) raise with
    their count and first index under ``nan_policy='raise'`` and are encoded as
    ``high + 1`` under ``'omit'``. Integer arrays are returned as they are (no copy,
    no widening); floats are converted block by block into the narrowest integer
    dtype, so temporaries stay small.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    arr = numeric_1d(values, name)
    if arr.dtype.kind in "iu":
        if arr.size:
            lo, hi = integer_range(arr)
            if lo < low or hi > high:
                _raise_out_of_range(arr, (arr < low) | (arr > high), name, low, high)
        return ScaleData(arr, 0)

    # floating point: NaN, integrality and range, a block at a time
    out = np.empty(arr.shape, dtype=_narrow_int_dtype(low, high + 1))
    n_missing = 0
    for start in range(0, arr.size, CHUNK):
        block = arr[start : start + CHUNK]
        nan = np.isnan(block)
        if nan.any():
            if nan_policy == "raise":
                total = int(np.count_nonzero(np.isnan(arr)))
                i = start + int(np.argmax(nan))
                msg = (
                    f"`{name}` contains {total} missing value(s) (NaN/None), the first "
                    f"at index {i}; pass nan_policy='omit' to drop and count them."
                )
                raise MissingValueError(msg)
            n_missing += int(np.count_nonzero(nan))
        present = ~nan
        with np.errstate(invalid="ignore"):
            bad = present & ((block < low) | (block > high))
        if bad.any():
            _raise_out_of_range(block, bad, name, low, high, start)
        frac = present & (block != np.floor(np.where(present, block, 0.0)))
        if frac.any():
            i, count = _first(frac)
            msg = (
                f"`{name}` must be whole numbers; got {_describe(block[i])} at index "
                f"{start + i} ({count} non-integer value(s))."
            )
            raise InvalidInputError(msg)
        dest = out[start : start + CHUNK]
        np.copyto(dest, block, casting="unsafe", where=present)
        dest[nan] = high + 1
    return ScaleData(out, n_missing)


def weights_array(
    weights: ArrayLike, n: int, *, name: str = "weights", like: str = "responses"
) -> NDArray[np.float64]:
    """Validate survey weights: 1-D, length ``n``, finite and non-negative.

    Missing weights are always an error: a weight cannot be guessed. Returns a
    float64 array (a new array when the input was not float64; never modified).
    """
    arr = numeric_1d(weights, name)
    check_same_length(name, arr, like, n)
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{name}` must be finite; got {_describe(arr[i])} at index {i} "
            f"({count} non-finite weight(s))."
        )
        raise InvalidInputError(msg)
    neg = arr < 0
    if not neg.any():
        # squares of the weights are summed (Kish's effective n): keep them representable
        odd = (arr != 0) & ((arr < _WEIGHT_MIN) | (arr > _WEIGHT_MAX))
        if odd.any():
            i, count = _first(odd)
            msg = (
                f"`weights` must be 0 or lie in [{_WEIGHT_MIN:g}, {_WEIGHT_MAX:g}] so their "
                f"squares stay finite; got {_describe(arr[i])} at index {i} ({count} "
                "such weight(s)); rescale the weights."
            )
            raise InvalidInputError(msg)
    if neg.any():
        i, count = _first(neg)
        msg = (
            f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} "
            f"({count} negative weight(s))."
        )
        raise InvalidInputError(msg)
    return arr


_WEIGHT_MIN = 1e-150
_WEIGHT_MAX = 1e150


class GroupIndex(NamedTuple):
    """Group membership of each row, without widening the caller's key array.

    The group code of row ``i`` is ``source[i] - offset``; ``labels[code]`` is its key.
    ``labels`` may include keys that no row has (a dense integer range or explicit
    ``levels``); the kernels count them as empty groups.
    """

    source: NDArray[np.integer[Any]]
    offset: int
    labels: NDArray[Any]
    explicit: bool  # labels came from `levels`: keep every one, in the given order


# a dense integer range of keys is used as is when it is at most this many times the
# number of rows (or this absolute size); otherwise keys are factorised by sorting
_DENSE_FACTOR = 4
_DENSE_MIN = 1 << 16


def _check_levels(levels: ArrayLike) -> NDArray[Any]:
    lv = as_1d(levels, "levels")
    if lv.dtype.kind == "O" and any(_is_missing_object(v) for v in lv.tolist()):
        msg = "`levels` must not contain missing values."
        raise InvalidInputError(msg)
    try:
        uniq, counts = np.unique(lv, return_counts=True)
    except TypeError as err:
        msg = f"`levels` must hold keys of one comparable type ({err})."
        raise InvalidInputTypeError(msg) from None
    if (counts > 1).any():
        msg = f"`levels` must be unique; got {_describe(uniq[np.argmax(counts > 1)])} more than once."
        raise InvalidInputError(msg)
    return lv


def _is_key_column(v: object) -> bool:
    """True for an array-like that is one key column (not a single scalar key)."""
    return not isinstance(v, str | bytes) and hasattr(v, "__len__")


def _key_name(column: object, i: int, taken: set[str]) -> str:
    """Field name of one key column: its own ``.name`` (pandas/polars), else ``by{i}``."""
    name = getattr(column, "name", None)
    if isinstance(name, str) and name and name not in taken:
        return name
    return f"by{i}"


def _aware_keys(arr: NDArray[Any], name: str) -> NDArray[Any]:
    """Object keys that are datetimes (pandas Timestamps, datetime) as datetime64 (UTC)."""
    sample = next((v for v in arr.tolist() if not _is_missing_object(v)), None)
    if isinstance(sample, datetime):
        return _datetime_objects(arr, name)
    return arr


def _key_column(by: ArrayLike, n: int, name: str, like: str) -> NDArray[Any]:
    """One validated key column: no missing key, a kind numpy can sort."""
    if isinstance(by, list | tuple) and by:
        # numpy would turn ["a", 1] into strings silently: refuse mixed key types
        kinds = {type(k) for k in by if k is not None}
        if any(issubclass(k, str) for k in kinds) and not all(
            issubclass(k, str) for k in kinds
        ):
            msg = f"`{name}` mixes strings with other key types ({sorted(k.__name__ for k in kinds)}); use one type."
            raise InvalidInputTypeError(msg)
    arr = as_1d(by, name)
    check_same_length(name, arr, like, n)
    if arr.dtype.kind == "O":
        arr = _aware_keys(arr, name)
    kind = arr.dtype.kind
    if kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            i, count = _first(nan)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind in "mM":
        nat = np.isnat(arr)
        if nat.any():
            i, count = _first(nat)
            msg = f"`{name}` contains {count} missing key(s) (NaT), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind == "O":
        missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        if missing.any():
            i, count = _first(missing)
            msg = f"`{name}` contains {count} missing key(s), the first at index {i}; every row needs a group."
            raise MissingValueError(msg)
    if kind not in "biufUSOmM":
        msg = f"`{name}` must hold integer, string, boolean or datetime keys; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr


def _record_keys(
    by: list[Any] | tuple[Any, ...], n: int, name: str, like: str
) -> NDArray[Any]:
    """Several key columns as one record array (fields named after the columns)."""
    cols: list[tuple[str, NDArray[Any]]] = []
    taken: set[str] = set()
    for i, column in enumerate(by):
        arr = _key_column(column, n, f"{name}[{i}]", like)
        if arr.dtype.kind == "O":
            try:
                arr = np.array(arr.tolist())
            except (TypeError, ValueError):  # pragma: no cover - refused above
                arr = arr.astype(str)
            if arr.dtype.kind == "O":
                msg = f"`{name}[{i}]` must hold keys of one type (integers, strings, booleans or datetimes)."
                raise InvalidInputTypeError(msg)
        field = _key_name(column, i, taken)
        taken.add(field)
        cols.append((field, arr))
    rec = np.empty(n, dtype=[(field, arr.dtype) for field, arr in cols])
    for field, arr in cols:
        rec[field] = arr
    return rec


def group_index(
    by: ArrayLike,
    n: int,
    *,
    levels: ArrayLike | None = None,
    name: str = "by",
    like: str = "responses",
) -> GroupIndex:
    """Validate group keys and index them.

    Keys are integers, floats, strings, booleans or datetimes (``datetime64``, or
    datetime objects and timezone-aware pandas values, read as UTC ``datetime64``).
    Several keys at once (a list or tuple of key columns, each as long as the data,
    as in ``by=[df["region"], df["month"]]``) give record keys: one group per
    combination seen, fields named after the columns' ``.name`` (else ``by0``,
    ``by1`` ...), looked up with a tuple (``res[("north", 3)]``).

    Integer keys within a dense range are used directly (no copy, no sort); other
    keys are factorised once with :func:`numpy.unique`. Missing keys (None, NaN,
    NaT) are an error: a row must belong to a group. With ``levels``, the groups
    reported are exactly ``levels`` in that order; a key outside ``levels`` is an
    error.
    """
    several = (
        isinstance(by, list | tuple)
        and len(by) > 0
        and all(_is_key_column(col) for col in by)
    )
    if several and isinstance(by, list | tuple) and len(by) == 1:
        by, several = by[0], False
    if several and isinstance(by, list | tuple):
        if levels is not None:
            msg = f"`levels` works with one key column; `{name}` has {len(by)}. Pass one combined key (e.g. a string) to fix the groups."
            raise InvalidInputError(msg)
        arr = _record_keys(by, n, name, like)
        uniq, inverse = np.unique(arr, return_inverse=True)
        return GroupIndex(inverse.reshape(-1), 0, uniq, explicit=False)
    arr = _key_column(by, n, name, like)
    kind = arr.dtype.kind
    if kind == "b":
        arr = arr.view(np.uint8)

    lv = None if levels is None else _check_levels(levels)

    if lv is None and arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        span = hi - lo + 1
        if span <= max(_DENSE_MIN, _DENSE_FACTOR * n):
            labels = np.arange(lo, hi + 1, dtype=arr.dtype if kind != "b" else np.int64)
            if kind == "b":
                labels = labels.astype(bool)
            return GroupIndex(arr, lo, labels, explicit=False)
    try:
        uniq, inverse = np.unique(arr, return_inverse=True)
    except TypeError as err:
        msg = f"`{name}` must hold keys of one comparable type ({err})."
        raise InvalidInputTypeError(msg) from None
    inverse = inverse.reshape(-1)
    if kind == "b":
        uniq = uniq.astype(bool)
    if lv is None:
        return GroupIndex(inverse, 0, uniq, explicit=False)
    # map observed keys to their position in `levels`
    order = np.argsort(lv, kind="stable")
    sorted_lv = lv[order]
    try:
        pos = np.searchsorted(sorted_lv, uniq)
    except TypeError as err:
        msg = f"`levels` and `{name}` must hold keys of the same type ({err})."
        raise InvalidInputTypeError(msg) from None
    pos = np.clip(pos, 0, max(len(sorted_lv) - 1, 0))
    found = (sorted_lv[pos] == uniq) if len(sorted_lv) else np.zeros(len(uniq), bool)
    if not np.all(found):
        j = int(np.argmax(~found))
        row = int(np.argmax(inverse == j))
        msg = f"`{name}` has key {_describe(uniq[j])} at index {row}, which is not in `levels`."
        raise InvalidInputError(msg)
    codes = order[pos][inverse]
    return GroupIndex(codes, 0, lv, explicit=True)


def _at(index: int, shape: tuple[int, ...]) -> str:
    """' at index i' (or a tuple index for n-d arrays); nothing for a scalar."""
    if not shape:
        return ""
    if len(shape) == 1:
        return f" at index {index}"
    return f" at index {tuple(int(i) for i in np.unravel_index(index, shape))}"


def _count(count: int, what: str, shape: tuple[int, ...]) -> str:
    """' (3 negative value(s))' for arrays; nothing for a scalar."""
    return f" ({count} {what})" if shape else ""


def _numeric_any(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Any-shape numeric input as float64; booleans and text are refused."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a number or an array of numbers; could not convert it ({err})."
        raise InvalidInputTypeError(msg) from None
    if arr.dtype.kind == "O":
        return _object_to_float(arr, name)
    if arr.dtype.kind not in "iuf":
        msg = f"`{name}` must be numeric; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr.astype(np.float64, copy=False)


def parameter_scalar(values: object, name: str, **rules: Any) -> float:
    """:func:`parameter_array` of one number: a list or an array of several is refused."""
    arr = parameter_array(values, name, **rules)  # type: ignore[arg-type]
    if arr.size != 1:
        msg = f"`{name}` must be a single number; got an array of shape {arr.shape}."
        raise InvalidInputError(msg)
    return float(arr.reshape(()))


def parameter_array(
    values: ArrayLike,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_inf: bool = False,
    whole: bool = False,
) -> NDArray[np.float64]:
    """Validate a model parameter (a scalar or an array of any shape) as float64.

    Rules, checked in this order so every message names the first offending
    value: numeric dtype; no NaN/None; finite unless ``allow_inf``; inside the
    bounds (``low``/``high``, inclusive or not); whole numbers if ``whole``.
    Scalars are reported without an index; arrays with the (flat or n-d) index.
    """
    arr = _numeric_any(values, name)
    flat = arr.reshape(-1)
    nan = np.isnan(flat)
    if nan.any():
        i, count = _first(nan)
        where = _at(i, arr.shape).replace(" at index", ", the first at index")
        msg = f"`{name}` contains {count} missing value(s) (NaN/None){where}."
        raise MissingValueError(msg)
    if not allow_inf:
        bad = np.isinf(flat)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must be finite; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'non-finite value(s)', arr.shape)}."
            raise InvalidInputError(msg)
    below = np.zeros(flat.shape, dtype=bool)
    if low is not None:
        below = flat < low if low_inclusive else flat <= low
    above = np.zeros(flat.shape, dtype=bool)
    if high is not None:
        above = flat > high if high_inclusive else flat >= high
    out = below | above
    if out.any():
        i, count = _first(out)
        if low is not None and high is not None:
            rule = (
                f"lie in {'[' if low_inclusive else '('}{low:g}, "
                f"{high:g}{']' if high_inclusive else ')'}"
            )
        elif low is not None:
            rule = f"be {'>=' if low_inclusive else '>'} {low:g}"
        else:
            rule = f"be {'<=' if high_inclusive else '<'} {high:g}"
        msg = f"`{name}` must {rule}; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'value(s) out of range', arr.shape)}."
        raise InvalidInputError(msg)
    if whole:
        with np.errstate(invalid="ignore"):
            frac = np.isfinite(flat) & (flat != np.floor(flat))
        if frac.any():
            i, count = _first(frac)
            msg = f"`{name}` must be whole numbers; got {_describe(flat[i])}{_at(i, arr.shape)}{_count(count, 'non-integer value(s)', arr.shape)}."
            raise InvalidInputError(msg)
    return arr


def _is_timedelta_object(v: object) -> bool:
    # datetime.timedelta, pandas Timedelta (a subclass) and numpy timedelta64 scalars
    return isinstance(v, timedelta | np.timedelta64)


def timedelta_seconds(values: ArrayLike, name: str) -> NDArray[np.float64] | None:
    """Time deltas as float64 seconds (NaT/None as NaN), or ``None`` for other input.

    Recognised: numpy ``timedelta64`` arrays of any unit, pandas ``timedelta64[ns]``
    columns and polars ``Duration`` columns (both reach numpy as ``timedelta64``),
    and lists or object arrays of :class:`datetime.timedelta`, pandas ``Timedelta``
    or ``numpy.timedelta64`` with missing entries (None, NaT). Numbers are not time
    deltas: they return ``None`` and keep the caller's documented unit.
    """
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):
            return None
    if arr.dtype.kind == "m":
        secs = arr.astype("timedelta64[ns]").astype(np.float64) / 1e9
        secs[np.isnat(arr)] = np.nan
        return secs
    if arr.dtype.kind != "O" or arr.ndim != 1 or not arr.size:
        return None
    items = arr.tolist()
    if not any(_is_timedelta_object(v) for v in items):
        return None
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if _is_missing_object(v) or (isinstance(v, np.timedelta64) and np.isnat(v)):
            out[i] = np.nan
        elif isinstance(v, np.timedelta64):
            out[i] = v.astype("timedelta64[ns]").astype(np.int64) / 1e9
        elif isinstance(v, timedelta):
            out[i] = v.total_seconds()
        else:
            msg = (
                f"`{name}` mixes time deltas with {v!r} of type {type(v).__name__} "
                f"at index {i}; pass all durations as time deltas or all as numbers."
            )
            raise InvalidInputTypeError(msg)
    return out


def durations_1d(
    values: ArrayLike, name: str, *, nan_policy: str = "raise"
) -> tuple[NDArray[np.float64], NDArray[np.bool_] | None]:
    """Validate durations (e.g. seconds waited): 1-D, finite and non-negative.

    Numbers keep the caller's documented unit; time deltas (numpy ``timedelta64``,
    pandas ``Timedelta`` columns, polars ``Duration``, :class:`datetime.timedelta`)
    are converted to seconds by :func:`timedelta_seconds`, NaT counting as missing.
    Returns the float64 array and, when NaN/None entries are present under
    ``nan_policy='omit'``, the mask of missing rows (else ``None``). Under
    ``'raise'`` missing entries raise with their count and first index.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    td = timedelta_seconds(values, name)
    arr = (
        numeric_1d(values, name).astype(np.float64, copy=False)
        if td is None
        else as_1d(td, name)
    )
    nan = np.isnan(arr)
    missing: NDArray[np.bool_] | None = None
    if nan.any():
        i, count = _first(nan)
        if nan_policy == "raise":
            msg = (
                f"`{name}` contains {count} missing value(s) (NaN/None), the first "
                f"at index {i}; pass nan_policy='omit' to drop and count them."
            )
            raise MissingValueError(msg)
        missing = nan
    inf = np.isinf(arr)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(arr[i])} at index {i} ({count} non-finite value(s))."
        raise InvalidInputError(msg)
    neg = arr < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} ({count} negative value(s))."
        raise InvalidInputError(msg)
    return arr, missing


def flags_1d(values: ArrayLike, name: str) -> NDArray[np.bool_]:
    """Validate yes/no flags: booleans, or numbers that are all 0 or 1."""
    arr = as_1d(values, name)
    if arr.dtype.kind == "b":
        return arr
    num = numeric_1d(arr, name)
    if num.dtype.kind == "f":
        nan = np.isnan(num)
        if nan.any():
            i, count = _first(nan)
            msg = f"`{name}` contains {count} missing value(s) (NaN/None), the first at index {i}; every row needs a flag."
            raise MissingValueError(msg)
    bad = (num != 0) & (num != 1)
    if bad.any():
        i, count = _first(bad)
        msg = f"`{name}` must be booleans (or 0/1); got {_describe(num[i])} at index {i} ({count} other value(s))."
        raise InvalidInputError(msg)
    flags: NDArray[np.bool_] = np.asarray(num != 0, dtype=bool)
    return flags


def _datetime_objects(arr: NDArray[Any], name: str) -> NDArray[np.datetime64]:
    """Object array of datetimes (None/NaT for missing) to datetime64[us].

    All must be naive, or all timezone-aware (converted to UTC): mixing the two
    is refused. This is the slow path (one Python call per element).
    """
    naive = aware = 0
    first_naive = first_aware = -1
    out = np.empty(arr.shape, dtype="datetime64[us]")
    for i, v in enumerate(arr.tolist()):
        if _is_missing_object(v):
            out[i] = np.datetime64("NaT")
            continue
        if not isinstance(v, datetime):
            msg = f"`{name}` must hold datetimes or numbers; got {v!r} of type {type(v).__name__} at index {i}."
            raise InvalidInputTypeError(msg)
        if v.tzinfo is not None and v.utcoffset() is not None:
            aware += 1
            first_aware = i if first_aware < 0 else first_aware
            out[i] = np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "us")
        else:
            naive += 1
            first_naive = i if first_naive < 0 else first_naive
            out[i] = np.datetime64(v, "us")
    if naive and aware:
        msg = (
            f"`{name}` mixes naive and timezone-aware datetimes (naive at index "
            f"{first_naive}, aware at index {first_aware}); use one kind."
        )
        raise InvalidInputError(msg)
    return out


def instants_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Validate instants: numbers (e.g. seconds) or datetimes; missing kept as NaN/NaT.

    Returns float64 for numbers and datetime64 for datetimes (object arrays of
    :class:`datetime.datetime` or pandas Timestamps become datetime64[us], aware
    ones in UTC). Infinite numbers are refused.
    """
    arr = as_1d(values, name)
    if arr.dtype.kind == "M":
        return arr
    if arr.dtype.kind == "O":
        sample = next((v for v in arr.tolist() if not _is_missing_object(v)), None)
        if sample is not None and not _is_number_object(sample):
            return _datetime_objects(arr, name)
    num = numeric_1d(arr, name).astype(np.float64, copy=False)
    inf = np.isinf(num)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(num[i])} at index {i} ({count} non-finite value(s))."
        raise InvalidInputError(msg)
    return num


class SurvivalData(NamedTuple):
    """Validated time-to-event data (rows with a missing value already dropped).

    ``durations`` and ``entry`` are float64; ``events`` is a boolean mask, or
    ``None`` when every row is an event; ``entry`` is ``None`` without late entry.
    ``missing`` marks the dropped rows of the input (``None`` when none was).
    """

    durations: NDArray[np.float64]
    events: NDArray[np.bool_] | None
    entry: NDArray[np.float64] | None
    n_missing: int
    missing: NDArray[np.bool_] | None = None


def check_probability(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        msg = f"`{name}` must be a number in [0, 1]; got {value!r}."
        raise InvalidInputTypeError(msg)
    p = float(value)
    if not 0.0 <= p <= 1.0:
        msg = f"`{name}` must lie in [0, 1]; got {value!r}."
        raise InvalidInputError(msg)
    return p


def check_time(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as a float if it is a finite time ``>= 0`` (``> 0`` if ``positive``)."""
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        msg = f"`{name}` must be a number; got {value!r}."
        raise InvalidInputTypeError(msg)
    t = float(value)
    if not math.isfinite(t) or t < 0 or (positive and t == 0):
        rule = "a positive finite number" if positive else "a finite number >= 0"
        msg = f"`{name}` must be {rule}; got {value!r}."
        raise InvalidInputError(msg)
    return t


def _event_mask(
    values: ArrayLike, n: int, *, nan_policy: str
) -> tuple[NDArray[np.bool_], NDArray[np.bool_] | None]:
    """Event indicators as a boolean mask, plus the mask of missing ones (or None)."""
    arr = numeric_1d(values, "events")
    check_same_length("events", arr, "durations", n)
    missing: NDArray[np.bool_] | None = None
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            i, count = _first(nan)
            if nan_policy == "raise":
                msg = (
                    f"`events` contains {count} missing value(s) (NaN/None), the first "
                    f"at index {i}; pass nan_policy='omit' to drop and count them."
                )
                raise MissingValueError(msg)
            missing = nan
    with np.errstate(invalid="ignore"):
        bad = (arr != 0) & (arr != 1)
    if missing is not None:
        bad &= ~missing
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`events` must be 0 or 1 (or False/True); got {_describe(arr[i])} at "
            f"index {i} ({count} such value(s))."
        )
        raise InvalidInputError(msg)
    return np.asarray(arr == 1), missing


def survival_data(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    entry: ArrayLike | None = None,
    *,
    nan_policy: str = "raise",
) -> SurvivalData:
    """Validate durations, event indicators and (optional) entry times.

    Rules: numeric 1-D arrays of one length; durations and entry times finite and
    non-negative (:func:`durations_1d`); event indicators 0/1 or booleans; every
    subject at risk for a positive time, ``entry < duration`` (the origin
    ``entry == duration == 0`` is allowed, as when no one enters late). Missing
    values (NaN/None) in any of the three raise with their count and first index
    under ``nan_policy='raise'``; under ``'omit'`` the whole row is dropped and
    counted. Inputs are never modified.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    d, missing = durations_1d(durations, "durations", nan_policy=nan_policy)
    n = d.shape[0]
    ev: NDArray[np.bool_] | None = None
    if events is not None:
        ev, m = _event_mask(events, n, nan_policy=nan_policy)
        missing = m if missing is None else missing if m is None else missing | m
    en: NDArray[np.float64] | None = None
    if entry is not None:
        en, m = durations_1d(entry, "entry", nan_policy=nan_policy)
        check_same_length("entry", en, "durations", n)
        missing = m if missing is None else missing if m is None else missing | m
        with np.errstate(invalid="ignore"):
            bad = (en >= d) & ~((en == 0) & (d == 0))
        if bad.any():
            i, count = _first(bad)
            msg = (
                f"`entry` must be less than `durations` (a subject is at risk on "
                f"(entry, duration]); got entry {_describe(en[i])} and duration "
                f"{_describe(d[i])} at index {i} ({count} such row(s))."
            )
            raise InvalidInputError(msg)
    if missing is None:
        return SurvivalData(d, ev, en, 0)
    keep = ~missing
    return SurvivalData(
        d[keep],
        None if ev is None else ev[keep],
        None if en is None else en[keep],
        int(np.count_nonzero(missing)),
        missing,
    )


def survivor_counts(values: ArrayLike, name: str = "survivors") -> NDArray[np.int64]:
    """Validate one cohort's survivor counts: whole, non-negative, non-increasing.

    ``values[0]`` is the cohort size at the start (period 0) and must be positive;
    ``values[t]`` the customers still active after ``t`` periods. At least one
    period after the start is required.
    """
    arr = numeric_1d(values, name)
    if arr.shape[0] < 2:
        msg = f"`{name}` must hold the cohort size and at least one later count; got {arr.shape[0]} value(s)."
        raise InvalidInputError(msg)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must be finite counts; got {_describe(arr[i])} at index {i} ({count} such value(s))."
            raise InvalidInputError(msg)
        frac = arr != np.floor(arr)
        if frac.any():
            i, count = _first(frac)
            msg = (
                f"`{name}` must be whole numbers of customers; got {_describe(arr[i])} at "
                f"index {i} ({count} non-integer value(s)); multiply shares by the cohort size."
            )
            raise InvalidInputError(msg)
        if np.abs(arr).max() >= 2.0**62:
            i = int(np.argmax(np.abs(arr)))
            msg = f"`{name}` must be below 2**62; got {_describe(arr[i])} at index {i}."
            raise InvalidInputError(msg)
    out = arr.astype(np.int64)
    neg = out < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(arr[i])} at index {i} ({count} negative value(s))."
        raise InvalidInputError(msg)
    if out[0] == 0:
        msg = f"`{name}` must start with a positive cohort size; got {_describe(arr[0])} at index 0."
        raise InvalidInputError(msg)
    up = np.diff(out) > 0
    if up.any():
        i = int(np.argmax(up)) + 1
        msg = (
            f"`{name}` must not increase (a survivor count cannot grow); got "
            f"{_describe(arr[i])} after {_describe(arr[i - 1])} at index {i}."
        )
        raise InvalidInputError(msg)
    return out


# ---------------------------------------------------------------- calendar instants


def _object_instants(arr: NDArray[Any]) -> str | None:
    """Kind of an object array of instants: 'date', 'str' or None (anything else).

    'date' when it holds only plain dates (not datetimes), 'str' when only
    strings, missing values aside.
    """
    kinds = {"missing" if _is_missing_object(v) else type(v) for v in arr.tolist()}
    kinds.discard("missing")
    if not kinds or not all(isinstance(k, type) for k in kinds):
        return None
    types = [k for k in kinds if isinstance(k, type)]
    if all(issubclass(k, date) and not issubclass(k, datetime) for k in types):
        return "date"
    if all(issubclass(k, str) for k in types):
        return "str"
    return None


#: text that stands for a missing date (numpy writes NaN and None this way)
_MISSING_TEXT = ("", "nan", "nat", "none", "null")


def datetimes_1d(
    values: ArrayLike, name: str, *, allow_missing: bool = False
) -> NDArray[np.datetime64]:
    """Validate calendar instants: 1-D, every one present, returned as datetime64.

    Accepts numpy ``datetime64`` (returned as is, no copy), :class:`datetime.datetime`
    or pandas Timestamps (naive, or all timezone-aware: converted to UTC, see
    :func:`instants_1d`), :class:`datetime.date` objects and ISO 8601 strings.
    Numbers are refused (a period calendar needs dates), and so are missing
    instants (NaT/None), with their count and first index, unless
    ``allow_missing`` (then they are NaT, and an all-missing column of any
    dtype is all NaT).
    """
    aware_utc = _frame_aware_utc(values)
    arr = as_1d(values if aware_utc is None else aware_utc, name)
    kind = arr.dtype.kind
    if kind in "US":
        if arr.size:
            # numpy writes NaN and None in a list of strings as text
            blank = np.isin(np.char.lower(arr.astype(str)), _MISSING_TEXT)
            if blank.any():
                arr = np.where(blank, "NaT", arr)
        try:
            arr = arr.astype("datetime64")
        except ValueError as err:
            msg = f"`{name}` must hold ISO 8601 dates or datetimes; could not parse it ({err})."
            raise InvalidInputTypeError(msg) from None
    elif kind == "O" and arr.size and (what := _object_instants(arr)) is not None:
        missing = np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
        if what == "date":
            out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
            out[~missing] = arr[~missing].astype("datetime64[D]")
            arr = out
        else:
            return datetimes_1d(
                np.where(missing, "NaT", arr).astype(str),
                name,
                allow_missing=allow_missing,
            )
    elif kind != "M":
        arr = instants_1d(arr, name)
    if arr.dtype.kind != "M":
        if arr.size == 0:
            return np.zeros(0, dtype="datetime64[s]")
        present = ~np.isnan(arr)
        if present.any():
            i = int(np.argmax(present))
            msg = (
                f"`{name}` must hold dates or datetimes (numpy datetime64, datetime, "
                f"date or ISO 8601 strings); got dtype {np.asarray(values).dtype}, e.g. "
                f"{_describe(arr[i])} at index {i}; parse text dates first (e.g. with "
                "`pandas.to_datetime`)."
            )
            raise InvalidInputTypeError(msg)
        # nothing but missing values (NaN/None): no dates, every one missing
        arr = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    nat = np.isnat(arr)
    if nat.any() and not allow_missing:
        i, count = _first(nat)
        msg = f"`{name}` contains {count} missing instant(s) (NaT/None), the first at index {i}; every row needs a date."
        raise MissingValueError(msg)
    return arr


def datetime_scalar(value: object, name: str) -> np.datetime64:
    """Validate one calendar instant (a ``datetime64``, datetime, date or ISO string)."""
    values: Any = value.reshape(-1) if isinstance(value, np.ndarray) else [value]
    arr = datetimes_1d(values, name)
    if arr.shape != (1,):
        msg = f"`{name}` must be one date or datetime; got {arr.shape[0]} values."
        raise InvalidInputError(msg)
    return np.datetime64(arr[0])


def common_unit(*arrays: NDArray[np.datetime64]) -> list[NDArray[np.datetime64]]:
    """Cast datetime64 arrays to their finest common unit (no copy when already there)."""
    dtype = np.result_type(*(a.dtype for a in arrays))
    return [a.astype(dtype, copy=False) for a in arrays]


def _frame_aware_utc(values: Any) -> NDArray[Any] | None:
    """A timezone-aware pandas column as naive UTC datetime64 (vectorised), else None.

    Duck-typed: pandas is never imported. Other input returns None (and takes the
    general path, where aware datetime objects are converted one by one).
    """
    if not type(values).__module__.startswith("pandas"):
        return None
    if getattr(getattr(values, "dtype", None), "tz", None) is None:
        return None
    obj = values.dt if hasattr(values, "dt") else values
    return np.asarray(obj.tz_convert(None))


def _zone_aware(values: Any) -> bool | None:
    """Whether instants carry a time zone: True, False (naive), None (no datetimes).

    pandas and polars columns are read from their dtype; numpy ``datetime64``,
    dates and ISO strings are naive; object arrays and scalars by their first
    datetime. Cheap: no conversion of the data.
    """
    dtype = getattr(values, "dtype", None)
    if type(values).__module__.startswith(("pandas", "polars")) and dtype is not None:
        if (
            getattr(dtype, "tz", None) or getattr(dtype, "time_zone", None)
        ) is not None:
            return True
        if getattr(dtype, "kind", None) == "M" or str(dtype).startswith(
            ("Datetime", "Date")
        ):
            # a column of nothing but nulls (an end date nobody has yet) holds
            # no instant, so no zone either
            return None if np.isnat(np.asarray(values)).all() else False
    if isinstance(values, datetime):
        return values.tzinfo is not None and values.utcoffset() is not None
    if isinstance(values, np.datetime64 | date | str):
        return False
    if isinstance(values, np.ndarray | list | tuple) or dtype is not None:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):
            return None
        if arr.dtype.kind == "M":
            return None if np.isnat(arr).all() else False
        if arr.dtype.kind in "US":
            return False
        if arr.dtype.kind == "O":
            for v in arr.reshape(-1).tolist():
                if isinstance(v, datetime):
                    return v.tzinfo is not None and v.utcoffset() is not None
                if isinstance(v, date | str):
                    return False
    return None


def check_zones(named: dict[str, object]) -> None:
    """Refuse naive and timezone-aware instants mixed across arguments (None skipped).

    Cheap (dtypes, a NaT check, the first datetime of an object array). A naive
    instant is never read as UTC: the message says how to make them agree.
    """
    zones = {
        label: z
        for label, v in named.items()
        if v is not None and (z := _zone_aware(v)) is not None
    }
    if len(set(zones.values())) > 1:
        aware = [f"`{k}`" for k, z in zones.items() if z]
        naive = [f"`{k}`" for k, z in zones.items() if not z]
        msg = (
            f"{' and '.join(aware)} {'holds' if len(aware) == 1 else 'hold'} "
            "timezone-aware datetimes but "
            f"{' and '.join(naive)} naive ones; a naive datetime is not read as UTC. "
            "Use one kind: localise the naive ones (e.g. `.dt.tz_localize('UTC')`, "
            "`pd.Timestamp('2024-07-01', tz='UTC')`) or drop the zone of the aware "
            "ones (e.g. `.dt.tz_localize(None)`)."
        )
        raise InvalidInputError(msg)


def spells_1d(
    start: ArrayLike,
    end: ArrayLike,
    *,
    as_of: object | None = None,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64], np.datetime64 | None]:
    """Validate spells ``[start, end)`` observed up to ``as_of`` (exclusive).

    A missing ``end`` (NaT, None, NaN, pandas/polars nulls) is a spell still
    running: it needs ``as_of`` and is closed there; with ``as_of`` every end
    after it is clipped to it, so an end equal to ``as_of`` means "still active
    when observation stopped". Start, end and ``as_of`` must all be naive or all
    timezone-aware (aware ones are compared in UTC). Returns ``(start, end,
    as_of)`` in their finest common datetime64 unit (``as_of`` None when not
    given); the input is never modified. Refused with the index and the count:
    a missing start, an end not after its start, and (with ``as_of``) a start on
    or after ``as_of``.
    """
    check_zones({names[0]: start, names[1]: end, "as_of": as_of})
    t = None if as_of is None else datetime_scalar(as_of, "as_of")
    s = datetimes_1d(start, names[0])
    e = datetimes_1d(end, names[1], allow_missing=True)
    check_same_length(names[1], e, names[0], s.shape[0])
    s, e, *rest = common_unit(s, e, *([] if t is None else [np.array([t])]))
    bad = e <= s
    if bad.any():
        i, count = _first(bad)
        msg = (
            f"`{names[1]}` must be after `{names[0]}`; got {names[1]}={e[i]} and "
            f"{names[0]}={s[i]} at index {i} ({count} such row(s)); correct or drop "
            f"these rows (`{names[1]}` is the first instant without the spell; leave "
            "it empty for one still running)."
        )
        raise InvalidInputError(msg)
    open_ = np.isnat(e)
    if t is None:
        if open_.any():
            i, count = _first(open_)
            msg = (
                f"`{names[1]}` contains {count} missing instant(s) (NaT/None), the "
                f"first at index {i}: spells still running; pass `as_of` (the date "
                "the data were exported) to count them as active up to it."
            )
            raise MissingValueError(msg)
        return s, e, None
    stamp = rest[0][0]
    late = s >= stamp
    if late.any():
        i, count = _first(late)
        msg = (
            f"`{names[0]}` must be before `as_of` ({stamp}); got {s[i]} at index {i} "
            f"({count} such row(s)): those spells are not observed by then; drop "
            "them or pass a later `as_of`."
        )
        raise InvalidInputError(msg)
    return s, np.where(open_ | (e > stamp), stamp, e), stamp


# ------------------------------------------------------------ money in minor units

#: amounts are exact in float64 below 2**53 minor units
_EXACT_FLOAT = float(2**53)


def _describe_money(v: object) -> str:
    return repr(v.item() if isinstance(v, np.generic) else v)


def _object_minor_units(
    arr: NDArray[Any], name: str, minor_units: int
) -> NDArray[np.int64]:
    """Slow path: Decimal, str, int, float objects converted one by one, exactly."""
    out = np.empty(arr.shape, dtype=np.int64)
    limit = int(np.iinfo(np.int64).max)
    for i, v in enumerate(arr.tolist()):
        if _is_missing_object(v):
            total = int(
                np.count_nonzero(
                    np.frompyfunc(_is_missing_object, 1, 1)(arr).astype(bool)
                )
            )
            msg = f"`{name}` contains {total} missing amount(s) (NaN/None), the first at index {i}; every row needs an amount."
            raise MissingValueError(msg)
        if isinstance(v, bool) or not isinstance(
            v, int | float | str | Decimal | np.integer | np.floating
        ):
            msg = f"`{name}` must hold numbers or decimal strings; got {v!r} of type {type(v).__name__} at index {i}."
            raise InvalidInputTypeError(msg)
        try:
            if isinstance(v, Decimal):
                exact = v
            elif isinstance(v, str | float | np.floating):
                exact = Decimal(str(v))
            else:
                exact = Decimal(int(v))
        except InvalidOperation:
            msg = f"`{name}` must hold numbers or decimal strings; got {v!r} at index {i}."
            raise InvalidInputTypeError(msg) from None
        if not exact.is_finite():
            msg = f"`{name}` must be finite; got {v!r} at index {i}."
            raise InvalidInputError(msg)
        scaled = exact * minor_units
        if scaled != scaled.to_integral_value():
            msg = (
                f"`{name}` must be whole multiples of 1/{minor_units} (whole minor units, "
                f"e.g. cents); got {v!r} at index {i}; round the amounts or change `minor_units`."
            )
            raise InvalidInputError(msg)
        if scaled < 0:
            msg = f"`{name}` must be non-negative; got {v!r} at index {i}."
            raise InvalidInputError(msg)
        if scaled > limit:
            msg = (
                f"`{name}` is too large for 64-bit minor units; got {v!r} at index {i}."
            )
            raise InvalidInputError(msg)
        out[i] = int(scaled)
    return out


def minor_units_1d(
    values: ArrayLike, name: str, *, minor_units: int
) -> NDArray[np.int64]:
    """Validate money amounts and convert them exactly to int64 minor units.

    On top of :func:`_minor_units_each`, the total of the amounts must fit in
    int64 minor units, so that every sum of them (cohort revenue, MRR per period,
    revenue retention) is exact: int64 sums wrap around silently otherwise.
    """
    cents = _minor_units_each(values, name, minor_units=minor_units)
    check_int64_total(
        name, float(cents.sum(dtype=np.float64)), "the total in minor units"
    )
    return cents


def _minor_units_each(
    values: ArrayLike, name: str, *, minor_units: int
) -> NDArray[np.int64]:
    """Validate money amounts and convert them exactly to int64 minor units.

    ``minor_units`` is the number of minor units per unit of ``values`` (100 for
    amounts in dollars or euros, 1 for amounts already in cents). Integers are
    multiplied exactly (overflow is refused). A float is accepted only when it is
    the float nearest to a whole number of minor units divided by ``minor_units``
    (19.99 is, 19.995 is not): the check ``rint(x * m) / m == x`` is exact because
    both operands of the division are exact in float64 (below 2**53). Decimal
    objects and decimal strings are converted exactly. Missing, negative,
    non-finite and non-whole amounts are refused with their index.
    """
    m = check_positive_int("minor_units", minor_units)
    arr = as_1d(values, name)
    kind = arr.dtype.kind
    if kind in "OUS":
        return _object_minor_units(arr.astype(object), name, m)
    if kind == "b" or kind not in "iuf":
        msg = f"`{name}` must be numeric amounts; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    if kind in "iu":
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0:
            i, count = _first(arr < 0)
            msg = f"`{name}` must be non-negative; got {_describe_money(arr[i])} at index {i} ({count} negative amount(s))."
            raise InvalidInputError(msg)
        if hi > int(np.iinfo(np.int64).max) // m:
            i, count = _first(arr > np.iinfo(np.int64).max // m)
            msg = f"`{name}` is too large for 64-bit minor units; got {_describe_money(arr[i])} at index {i}."
            raise InvalidInputError(msg)
        return arr.astype(np.int64) * np.int64(m)
    x = arr.astype(np.float64, copy=False)
    nan = np.isnan(x)
    if nan.any():
        i, count = _first(nan)
        msg = f"`{name}` contains {count} missing amount(s) (NaN/None), the first at index {i}; every row needs an amount."
        raise MissingValueError(msg)
    inf = np.isinf(x)
    if inf.any():
        i, count = _first(inf)
        msg = f"`{name}` must be finite; got {_describe(x[i])} at index {i} ({count} non-finite amount(s))."
        raise InvalidInputError(msg)
    neg = x < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {_describe(x[i])} at index {i} ({count} negative amount(s))."
        raise InvalidInputError(msg)
    scaled = x * m
    big = scaled >= _EXACT_FLOAT
    if big.any():
        i, count = _first(big)
        msg = f"`{name}` is too large to convert exactly from floats; got {_describe(x[i])} at index {i}; pass integer minor units (and minor_units=1)."
        raise InvalidInputError(msg)
    whole = np.rint(scaled)
    # compared in the caller's float type: a float32 19.99 is 1999 cents too
    inexact = (whole / m).astype(arr.dtype) != arr
    if inexact.any():
        i, count = _first(inexact)
        msg = (
            f"`{name}` must be whole multiples of 1/{m} (whole minor units, e.g. cents); "
            f"got {_describe(x[i])} at index {i} ({count} such amount(s)); round the "
            "amounts or change `minor_units`."
        )
        raise InvalidInputError(msg)
    return whole.astype(np.int64)


def handle_times_1d(
    values: ArrayLike, name: str, answered: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Validate a handle-time component (talk, hold, after-contact work).

    Finite and non-negative on answered contacts, where a missing value is an
    error; ignored (returned as 0) on the others, where it may be NaN/None.
    """
    arr, missing = durations_1d(values, name, nan_policy="omit")
    check_same_length(name, arr, "wait", answered.shape[0])
    if missing is not None:
        bad = missing & answered
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` is missing for {count} answered contact(s), the first at index {i}; answered contacts need every handle-time component."
            raise MissingValueError(msg)
    return np.where(answered, np.nan_to_num(arr, nan=0.0), 0.0)


# ------------------------------------------------------------ UTC instants (support)

#: int64 nanoseconds cover 1678-2262; instants are checked to lie in this range
_NS_MIN = np.datetime64("1678-01-01", "ns")
_NS_MAX = np.datetime64("2261-12-31", "ns")


def _frame_utc(values: Any, name: str) -> NDArray[Any] | None:
    """Fast path for pandas columns: tz-aware ones to UTC, naive ones refused.

    Duck-typed (pandas is never imported): a Series/Index whose dtype carries a
    ``tz`` is converted with ``tz_convert(None)`` (UTC, tz dropped).
    """
    dtype = getattr(values, "dtype", None)
    module = type(values).__module__
    if not module.startswith(("pandas", "polars")) or dtype is None:
        return None
    tz = getattr(dtype, "tz", None) or getattr(dtype, "time_zone", None)
    if tz is not None and module.startswith("pandas"):
        obj = values.dt if hasattr(values, "dt") else values
        return np.asarray(obj.tz_convert(None))
    if tz is None and getattr(dtype, "kind", None) == "M":
        msg = (
            f"`{name}` holds naive datetimes (no time zone); localise them first, e.g. "
            "`.dt.tz_localize('Europe/Berlin')`, or pass numpy datetime64 values, "
            "which are read as UTC."
        )
        raise InvalidInputError(msg)
    return None


def utc_instants_1d(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Validate instants as int64 nanoseconds since the epoch (UTC).

    Accepted: numpy ``datetime64`` arrays (read as UTC instants), timezone-aware
    :class:`datetime.datetime` objects or pandas Timestamps, and timezone-aware
    pandas columns. Refused, with the index: naive datetime objects and naive
    pandas columns (the wall clock of an unknown zone), numbers, strings, missing
    instants (NaT/None) and instants outside 1678-2261 (the range of int64
    nanoseconds). The input is never modified.
    """
    fast = _frame_utc(values, name)
    arr = as_1d(values if fast is None else fast, name)
    if arr.dtype.kind == "O":
        for i, v in enumerate(arr.tolist()):
            if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset() is None):
                msg = (
                    f"`{name}` must hold timezone-aware datetimes; got the naive "
                    f"{v!r} at index {i}; attach a zone (e.g. "
                    "`dt.replace(tzinfo=ZoneInfo('Europe/Berlin'))`) or pass numpy "
                    "datetime64 values, which are read as UTC."
                )
                raise InvalidInputError(msg)
        arr = _datetime_objects(arr, name)
    if arr.dtype.kind != "M":
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        msg = (
            f"`{name}` must hold instants: numpy datetime64 (UTC) or timezone-aware "
            f"datetimes; got dtype {arr.dtype}."
        )
        raise InvalidInputTypeError(msg)
    nat = np.isnat(arr)
    if nat.any():
        i, count = _first(nat)
        msg = f"`{name}` contains {count} missing instant(s) (NaT/None), the first at index {i}."
        raise MissingValueError(msg)
    if arr.size:
        unit_max = _NS_MAX.astype(arr.dtype)
        unit_min = _NS_MIN.astype(arr.dtype)
        bad = (arr < unit_min) | (arr > unit_max)
        if bad.any():
            i, count = _first(bad)
            msg = f"`{name}` must lie between 1678 and 2261 (int64 nanoseconds); got {arr[i]} at index {i} ({count} such instant(s))."
            raise InvalidInputError(msg)
    return arr.astype("datetime64[ns]").view(np.int64)


def seconds_ns_1d(values: ArrayLike, name: str) -> NDArray[np.int64]:
    """Validate non-negative durations as int64 nanoseconds.

    Numbers are seconds (rounded to the nearest nanosecond); ``timedelta64``
    arrays and :class:`datetime.timedelta` objects are exact. Missing, infinite
    and negative durations are refused with their index.
    """
    arr = as_1d(values, name)
    if (
        arr.dtype.kind == "O"
        and arr.size
        and all(isinstance(v, timedelta) for v in arr.tolist())
    ):
        arr = arr.astype("timedelta64[us]")
    if arr.dtype.kind == "m":
        nat = np.isnat(arr)
        if nat.any():
            i, count = _first(nat)
            msg = f"`{name}` contains {count} missing duration(s) (NaT), the first at index {i}."
            raise MissingValueError(msg)
        ns = arr.astype("timedelta64[ns]").view(np.int64)
    else:
        sec, _ = durations_1d(arr, name)
        big = sec > 9.0e9
        if big.any():
            i, count = _first(big)
            msg = f"`{name}` must be below 9e9 seconds; got {_describe(sec[i])} at index {i}."
            raise InvalidInputError(msg)
        ns = np.rint(sec * 1e9).astype(np.int64)
    neg = ns < 0
    if neg.any():
        i, count = _first(neg)
        msg = f"`{name}` must be non-negative; got {arr[i]} at index {i} ({count} negative duration(s))."
        raise InvalidInputError(msg)
    return ns


# ------------------------------------------------------------ transaction logs


class TransactionLog(NamedTuple):
    """A validated transaction log (rows with a missing instant or value dropped).

    ``instants`` is float64 for numbers or datetime64 for calendar instants;
    ``values`` is float64 (all zero when no monetary value was given).
    """

    customers: NDArray[Any]
    instants: NDArray[Any]
    values: NDArray[np.float64]
    n_missing: int


def transaction_log(
    customers: ArrayLike,
    instants: ArrayLike,
    values: ArrayLike | None,
    *,
    nan_policy: str = "raise",
) -> TransactionLog:
    """Validate a transaction log: customer keys, instants and monetary values.

    Customer keys follow :func:`group_index` (no missing key); instants are
    numbers or datetimes (:func:`instants_1d`); values are finite numbers (any
    sign). Missing instants or values raise under ``nan_policy='raise'`` with
    their count and first index, or are dropped and counted under ``'omit'``.
    """
    check_option("nan_policy", nan_policy, ("raise", "omit"))
    raw = as_1d(instants, "instants")
    if raw.dtype.kind in "US" or (
        raw.dtype.kind == "O" and raw.size and _object_instants(raw) is not None
    ):
        # ISO strings and dates: parse, keeping missing ones as NaT for nan_policy
        text = raw.astype(str) if raw.dtype.kind != "O" else raw
        missing_text = np.frompyfunc(_is_missing_object, 1, 1)(text).astype(bool)
        missing_text |= np.isin(text, ["", "NaT", "nan", "None"])
        t: NDArray[Any] = np.full(raw.shape, np.datetime64("NaT"), "datetime64[us]")
        if (~missing_text).any():
            parsed = datetimes_1d(raw[~missing_text], "instants")
            t = t.astype(parsed.dtype)
            t[~missing_text] = parsed
    else:
        t = instants_1d(raw, "instants")
    n = int(t.shape[0])
    keys = as_1d(customers, "customers")
    check_same_length("customers", keys, "instants", n)
    # validates key types and missing keys; the codes themselves are not needed
    group_index(keys, n, name="customers", like="instants")
    if keys.dtype.kind == "b":
        keys = keys.view(np.uint8)
    v: NDArray[np.float64]
    if values is None:
        v = np.zeros(n)
    else:
        v = numeric_1d(values, "values").astype(np.float64, copy=False)
        check_same_length("values", v, "instants", n)
        inf = np.isinf(v)
        if inf.any():
            i, count = _first(inf)
            msg = f"`values` must be finite; got {_describe(v[i])} at index {i} ({count} non-finite value(s))."
            raise InvalidInputError(msg)
    missing_t = np.isnat(t) if t.dtype.kind == "M" else np.isnan(t)
    missing = missing_t | np.isnan(v)
    if missing.any():
        i, count = _first(missing)
        if nan_policy == "raise":
            which = "instants" if missing_t[i] else "values"
            msg = (
                f"`{which}` contains missing value(s) (NaN/NaT/None), the first at index "
                f"{i} ({count} row(s) with a missing instant or value); pass "
                "nan_policy='omit' to drop and count them."
            )
            raise MissingValueError(msg)
        keep = ~missing
        return TransactionLog(keys[keep], t[keep], v[keep], count)
    return TransactionLog(keys, t, v, 0)


class RFMArrays(NamedTuple):
    """Validated model input: one row per customer (or per identical pattern)."""

    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    weights: NDArray[np.float64]


def rfm_arrays(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    discrete: bool = False,
    ids: NDArray[Any] | None = None,
) -> RFMArrays:
    """Validate an RFM summary for the purchase models.

    ``frequency`` whole numbers >= 0; ``recency`` in [0, ``T``], 0 where
    ``frequency`` is 0 and positive where it is not; ``T`` >= 0 (0 for a customer
    first seen at the end of observation); optional ``weights`` (counts of
    identical rows), finite and non-negative. With ``discrete`` (BG/BB) recency
    and T are whole numbers of periods and ``frequency <= recency``. With ``ids``
    (the customers of an RFM summary) errors name the customer, not the index.
    """

    def where(i: int) -> str:
        return f"at index {i}" if ids is None else f"for customer {ids[i].item()!r}"

    x = durations_1d(frequency, "frequency")[0]
    n = x.shape[0]
    tx = durations_1d(recency, "recency")[0]
    check_same_length("recency", tx, "frequency", n)
    big_t = durations_1d(T, "T")[0]
    check_same_length("T", big_t, "frequency", n)
    for arr, name in zip((x, tx, big_t), ("frequency", "recency", "T"), strict=True):
        if name == "frequency" or discrete:
            frac = arr != np.floor(arr)
            if frac.any():
                i, count = _first(frac)
                msg = f"`{name}` must be whole numbers; got {_describe(arr[i])} {where(i)} ({count} non-integer value(s))."
                raise InvalidInputError(msg)
    late = tx > big_t
    if late.any():
        i, count = _first(late)
        msg = (
            f"`recency` must not exceed `T`; got recency={_describe(tx[i])} and "
            f"T={_describe(big_t[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    orphan = (x == 0) & (tx != 0)
    if orphan.any():
        i, count = _first(orphan)
        msg = (
            f"`recency` must be 0 where `frequency` is 0 (no repeat purchase); got "
            f"{_describe(tx[i])} {where(i)} ({count} such row(s))."
        )
        raise InvalidInputError(msg)
    instant = (x > 0) & (tx == 0)
    if instant.any():
        i, count = _first(instant)
        msg = (
            f"`recency` must be positive where `frequency` > 0 (repeat purchases come "
            f"after the first one); got recency 0 with frequency "
            f"{_describe(x[i])} {where(i)} ({count} such row(s)); check that "
            "purchases were collapsed per period and recency measured from the first."
        )
        raise InvalidInputError(msg)
    if discrete:
        over = x > tx
        if over.any():
            i, count = _first(over)
            msg = (
                f"`frequency` must not exceed `recency` in discrete time; got "
                f"frequency={_describe(x[i])} and recency={_describe(tx[i])} "
                f"{where(i)} ({count} such row(s))."
            )
            raise InvalidInputError(msg)
    w = np.ones(n) if weights is None else weights_array(weights, n, like="frequency")
    return RFMArrays(x, tx, big_t, w)
