"""Survey answers as exports hold them: numbers, numbers stored as text, labels.

One entry point, :func:`scale_answers`, turns the answers given to a survey front
door into the validated integer codes the counting kernel reads. Numeric arrays go
straight to :func:`cxmetrics._core.validation.integer_scale` (no copy). Text is read
once per *distinct* value (``np.unique(..., return_inverse=True)``, or pandas'
``factorize`` for object columns when pandas is already imported), never row by
row; the decoded values then take the numeric path, so missing answers, the
range and whole numbers are checked in one place with the same messages.

How a distinct answer text is read, first rule that applies:

1. empty or only spaces: a missing answer (``nan_policy`` decides);
2. one of the scheme's ``labels`` (compared without case, with runs of spaces made
   one): its scale point;
3. a number (``"9"``, ``" 9 "``, ``"9.0"``, ``"-1"``): that number;
4. a whole number followed by a label (``"10 - Extremely likely"``,
   ``"1: Very dissatisfied"``, ``"5 (Very satisfied)"``): the leading number, which
   must be the scale point;
5. the text numpy, pandas and polars write for a missing value (``"nan"``,
   ``"<NA>"``, ``"None"``, ``"null"``, any case): a missing answer, as in 1. A list
   such as ``[float("nan"), "5"]`` becomes the strings ``"nan"`` and ``"5"`` in
   numpy, and ``Series.astype(str)`` writes ``"nan"``;
6. anything else is an unknown label: an error listing the unknown labels, their
   counts and the first index.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.validation import ScaleData, as_1d, check_option, integer_scale
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.typing import NanPolicy

__all__ = ["Labels", "convert_labels", "normalise_label", "scale_answers"]

#: a scheme's labels: (label, scale point) pairs in the order given
Labels = tuple[tuple[str, int], ...]

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")
_LEADING = re.compile(r"([+-]?\d+)\s*(?:[-\u2013\u2014:.)(=|/]\s*)?(?=[^\W\d_])")
_SHOW = 5  # unknown labels named in an error message
_MISSING_TEXT = frozenset({"nan", "<na>", "none", "null"})

_MISSING, _NUMERIC, _TEXT, _OTHER = 0, 1, 2, 3


def normalise_label(text: str) -> str:
    """The form labels are compared in: no case, single spaces, no outer spaces.

    Examples
    --------
    >>> normalise_label("  Muy   Satisfecho ")
    'muy satisfecho'
    """
    return " ".join(text.split()).casefold()


def convert_labels(value: Mapping[str, int] | Iterable[Any] | None) -> Labels | None:
    """Check a ``labels`` argument and freeze it as (label, point) pairs.

    Accepts a mapping ``{label: point}`` or pairs (the form ``to_dict`` stores).
    Several labels may share a point (e.g. English and Spanish); one label (after
    :func:`normalise_label`) may not name two points.
    """
    if value is None:
        return None
    if isinstance(value, str):
        msg = f"`labels` must map answer texts to scale points, e.g. {{'Very satisfied': 5}}; got the string {value!r}."
        raise InvalidInputTypeError(msg)
    items = list(value.items()) if isinstance(value, Mapping) else list(value)
    seen: dict[str, tuple[str, int]] = {}
    out: list[tuple[str, int]] = []
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            msg = f"`labels` must be a mapping {{label: point}} or (label, point) pairs; got {item!r}."
            raise InvalidInputTypeError(msg)
        label, point = item
        if not isinstance(label, str) or not label.strip():
            msg = f"`labels` keys must be non-empty text; got {label!r}."
            raise InvalidInputTypeError(msg)
        if isinstance(point, bool) or not isinstance(point, int | np.integer):
            msg = f"`labels` must map each label to an integer scale point; got {label!r}: {point!r}."
            raise InvalidInputTypeError(msg)
        key = normalise_label(label)
        if key in seen and seen[key][1] != int(point):
            first = seen[key]
            msg = (
                f"`labels` gives {first[0]!r} the point {first[1]} and {label!r} the "
                f"point {int(point)}; labels are compared without case or extra "
                "spaces, so give each label one point."
            )
            raise InvalidInputError(msg)
        if key not in seen:
            seen[key] = (label, int(point))
            out.append((label, int(point)))
    return tuple(out)


def _kind(v: object) -> int:
    if v is None or type(v).__name__ in {"NAType", "NaTType"}:
        return _MISSING
    if isinstance(v, str):
        return _TEXT
    if isinstance(v, float | np.floating) and v != v:  # noqa: PLR0124  (NaN test)
        return _MISSING
    if isinstance(v, np.timedelta64):  # numpy counts it as an integer: not an answer
        return _OTHER
    if isinstance(v, int | float | np.integer | np.floating | np.bool_):
        return _NUMERIC
    return _OTHER


_kinds = np.frompyfunc(_kind, 1, 1)


def _read_text(text: str, lookup: Mapping[str, int]) -> float | None:
    """The value of one distinct answer text; NaN if missing, None if unknown."""
    stripped = text.strip()
    if not stripped:
        return float("nan")
    point = lookup.get(normalise_label(stripped))
    if point is not None:
        return float(point)
    if _NUMBER.fullmatch(stripped):
        return float(stripped)
    lead = _LEADING.match(stripped)
    if lead:
        return float(int(lead.group(1)))
    if stripped.casefold() in _MISSING_TEXT:
        return float("nan")
    return None


def _unknown_error(
    name: str,
    uniques: NDArray[Any],
    counts: NDArray[np.int64],
    unknown: NDArray[np.bool_],
    first: int,
    labels: Labels | None,
    kind: str,
) -> InvalidInputError:
    idx = np.flatnonzero(unknown)
    order = idx[np.lexsort((uniques[idx].astype(str), -counts[idx]))]
    shown = ", ".join(f"{str(uniques[i])!r} ({counts[i]})" for i in order[:_SHOW])
    total = int(counts[idx].sum())
    more = f", and {idx.size - _SHOW} more" if idx.size > _SHOW else ""
    if labels:
        some = ", ".join(repr(lb) for lb, _ in labels[:_SHOW])
        known = f"The scheme's {len(labels)} label(s) include {some}."
    else:
        known = "The scheme has no labels."
    msg = (
        f"`{name}` has {total} answer(s) that are neither numbers nor labels of the "
        f"scheme ({idx.size} distinct): {shown}{more}; the first at index {first}. "
        f"{known} Map them to scale points with the scheme's `labels` (e.g. "
        f"{kind}.from_labels([...])), or clean them first."
    )
    return InvalidInputError(msg)


def _other_error(name: str, arr: NDArray[Any], bad: NDArray[np.bool_]) -> Exception:
    i = int(np.argmax(bad))
    msg = (
        f"`{name}` must hold numbers or text answers; got {arr[i]!r} of type "
        f"{type(arr[i]).__name__} at index {i} "
        f"({int(np.count_nonzero(bad))} such value(s))."
    )
    return InvalidInputTypeError(msg)


def _object_codes(
    arr: NDArray[Any], name: str
) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Distinct values of an object array and each row's code (-1: missing).

    With pandas already imported (the answers most likely came from it), its
    hash-based ``factorize`` does this in one C pass. Otherwise each row's kind
    is read once, and numbers and texts are reduced with :func:`numpy.unique`.
    pandas is never imported here.
    """
    pd = sys.modules.get("pandas")
    if pd is not None:
        try:
            codes, uniques = pd.factorize(arr)
        except TypeError:  # unhashable objects: the slow path names them
            pass
        else:
            return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)
    with np.errstate(invalid="ignore"):  # NaN objects compared with themselves
        kinds = np.asarray(_kinds(arr), dtype=np.int8).reshape(arr.shape)
    if (kinds == _OTHER).any():
        raise _other_error(name, arr, kinds == _OTHER)
    codes = np.full(arr.shape, -1, dtype=np.intp)
    parts: list[NDArray[Any]] = []
    offset = 0
    for kind, dtype in ((_NUMERIC, np.float64), (_TEXT, object)):
        at = np.flatnonzero(kinds == kind)
        if at.size:
            uniques, inverse = np.unique(arr[at].astype(dtype), return_inverse=True)
            codes[at] = inverse.reshape(-1) + offset
            parts.append(uniques.astype(object))
            offset += uniques.size
    return codes, (np.concatenate(parts) if parts else np.empty(0, dtype=object))


def _decode(
    codes: NDArray[np.intp],
    uniques: NDArray[Any],
    name: str,
    scheme: Any,
) -> NDArray[np.float64]:
    """Each row's value from the value of each distinct answer (read once)."""
    lookup = {normalise_label(lb): p for lb, p in scheme.labels or ()}
    values = np.full(uniques.size + 1, np.nan)  # the last one is for code -1
    unknown = np.zeros(uniques.size + 1, dtype=bool)
    other = np.zeros(uniques.size + 1, dtype=bool)
    for j, u in enumerate(uniques.tolist()):  # distinct answers, not rows
        kind = _kind(u)
        if kind == _TEXT:
            value = _read_text(u, lookup)
            unknown[j] = value is None
            values[j] = np.nan if value is None else value
        elif kind == _NUMERIC:
            values[j] = float(u)
        elif kind == _OTHER:
            other[j] = True
    if other.any():
        raise _other_error(name, uniques[codes], other[codes])
    if unknown.any():
        counts = np.bincount(codes[codes >= 0], minlength=uniques.size)
        first = int(np.argmax(unknown[codes]))
        raise _unknown_error(
            name,
            uniques,
            counts,
            unknown[:-1],
            first,
            scheme.labels,
            type(scheme).__name__,
        )
    out: NDArray[np.float64] = values[codes]
    return out


def scale_answers(
    values: ArrayLike,
    name: str,
    scheme: Any,
    *,
    nan_policy: NanPolicy | str,
    check_range: bool = True,
) -> ScaleData:
    """Validate answers on ``[low, high]`` given as numbers, text numbers or labels.

    Parameters
    ----------
    values : array_like, shape (n,)
        Numbers, strings, or an object array mixing them with missing values
        (None, NaN, pandas NA); pandas and polars string columns arrive as the
        latter.
    name : str
        Argument name for messages.
    scheme : NPSScheme, CSATScheme or CESScheme
        Its scale (``low``, ``high``) and ``labels``.
    nan_policy : {'raise', 'omit'}
        As in :func:`cxmetrics._core.validation.integer_scale`.
    check_range : bool, default True
        False: integer answers are returned without the range pass, for a
        caller that reads the range while counting (as in
        :func:`cxmetrics._core.validation.integer_scale`).

    Returns
    -------
    ScaleData
        As :func:`cxmetrics._core.validation.integer_scale` returns it.

    Examples
    --------
    >>> from cxmetrics import CSATScheme
    >>> scheme = CSATScheme(labels={"Very satisfied": 5})
    >>> scale_answers(["5", " 4 ", "very satisfied", None], "r", scheme, nan_policy="omit")
    ScaleData(values=array([5, 4, 5, 6], dtype=int8), n_missing=1)
    """
    check_option("nan_policy", nan_policy, NanPolicy)
    low, high = scheme.low, scheme.high
    arr = as_1d(values, name)
    kind = arr.dtype.kind
    if kind not in "USO":
        return integer_scale(
            arr,
            name,
            low=low,
            high=high,
            nan_policy=nan_policy,
            check_range=check_range,
        )
    if kind == "O":
        codes, uniques = _object_codes(arr, name)
    else:
        texts = arr.astype(str) if kind == "S" else arr
        uniques, inverse = np.unique(texts, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.intp, copy=False)
        uniques = uniques.astype(object)
    out = _decode(codes, uniques, name, scheme)
    return integer_scale(out, name, low=low, high=high, nan_policy=nan_policy)
