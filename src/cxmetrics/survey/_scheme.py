"""Schemes: how answers on an integer scale map to the categories of a score.

A scheme is a frozen value, validated when built. Defaults are the industry
standard; every departure is one argument away.

A scheme's ``labels`` say how answers stored as text are read (``"Muy
satisfecho"`` is 5). They are kept with the scheme (and in ``to_dict``) but are
not part of its equality or hash: two schemes with the same scale and categories
count the same things, so a state read from an English export merges with one
read from a Spanish export, and their results compare. What a count *means* (the
scale and the category bounds) must match; how the text was worded need not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self, cast

import attrs

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.survey._inputs import Labels, convert_labels

__all__ = ["CESScheme", "CSATScheme", "NPSScheme"]


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"`{name}` must be an integer; got {value!r}."
        raise InvalidInputTypeError(msg)
    return value


#: most points a scale may have: states hold one count per point (a 0-10 scale has 11)
MAX_SCALE_POINTS = 1001


def _check_scale(low: int, high: int) -> None:
    _int("low", low)
    _int("high", high)
    if high <= low:
        msg = f"`high` must be greater than `low`; got low={low}, high={high}."
        raise InvalidInputError(msg)
    if high - low + 1 > MAX_SCALE_POINTS:
        msg = (
            f"a scale has at most {MAX_SCALE_POINTS} points (states hold one count "
            f"per point); got low={low}, high={high}. Rescale the answers."
        )
        raise InvalidInputError(msg)


class _Labelled:
    """What every scheme shares about answers given as text labels."""

    __slots__ = ()

    low: int
    high: int
    labels: Labels | None

    def _check_labels(self) -> None:
        for label, point in self.labels or ():
            if not self.low <= point <= self.high:
                msg = (
                    f"`labels` maps {label!r} to {point}, outside the scale "
                    f"[{self.low}, {self.high}]; give each label a point on the "
                    "scale (or widen it with `low`/`high`)."
                )
                raise InvalidInputError(msg)

    def __repr__(self) -> str:
        fields = [
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(cast("Any", type(self)))
            if a.name != "labels"
        ]
        if self.labels:
            fields.append(f"labels={dict(self.labels)!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    @classmethod
    def from_labels(
        cls, *scales: Sequence[str], low: int | None = None, **options: int
    ) -> Self:
        """A scheme whose scale points are named by labels, from lowest to highest.

        Parameters
        ----------
        *scales : sequence of str
            One or more lists of labels, lowest scale point first, all of the same
            length (e.g. the English and the Spanish wording of one question).
        low : int, optional
            The lowest scale point (default: the class default, 1 for CSAT and
            CES, 0 for NPS); ``high`` is ``low + len(labels) - 1``.
        **options : int
            The other scheme arguments (``satisfied_min``, ``easy_min``, ...).

        Returns
        -------
        scheme
            With ``labels`` mapping every label to its scale point.

        Examples
        --------
        >>> from cxmetrics import CESScheme
        >>> agree = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neutral",
        ...          "Somewhat agree", "Agree", "Strongly agree"]
        >>> s = CESScheme.from_labels(agree)
        >>> s.high, s.easy_min, dict(s.labels)["Somewhat agree"]
        (7, 5, 5)
        """
        if not scales:
            msg = "from_labels needs at least one list of labels, lowest point first."
            raise InvalidInputError(msg)
        if any(isinstance(s, str | Mapping) for s in scales):
            msg = (
                "from_labels takes lists of labels, lowest point first; for a "
                f"mapping {{label: point}} use {cls.__name__}(labels=...)."
            )
            raise InvalidInputTypeError(msg)
        sizes = {len(s) for s in scales}
        if len(sizes) != 1:
            msg = (
                "from_labels takes lists of labels of equal length (one per "
                f"language), lowest point first; got lengths {sorted(sizes)}."
            )
            raise InvalidInputError(msg)
        start = _default(cls, "low") if low is None else _int("low", low)
        size = sizes.pop()
        pairs = [(label, start + i) for s in scales for i, label in enumerate(s)]
        return cls(low=start, high=start + size - 1, labels=pairs, **options)  # type: ignore[call-arg]


def _default(cls: type, name: str) -> int:
    field: Any = attrs.fields_dict(cast("Any", cls))[name]
    return int(field.default)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class NPSScheme(_Labelled):
    """Net Promoter categories on an integer scale.

    Parameters
    ----------
    low, high : int, default 0 and 10
        The answer scale.
    promoter_min : int, default 9
        Answers ``>= promoter_min`` are promoters.
    detractor_max : int, default 6
        Answers ``<= detractor_max`` are detractors; those between are passives.
    labels : mapping of str to int, optional (keyword only)
        Answer texts and the scale points they stand for; several texts may
        share a point (e.g. English and Spanish). Compared without case or extra
        spaces. Not part of equality (see the module notes), so states read
        from differently worded exports merge.

    Examples
    --------
    >>> NPSScheme()
    NPSScheme(low=0, high=10, promoter_min=9, detractor_max=6)
    >>> NPSScheme(promoter_min=8).passive_range
    (7, 7)

    "10 - Extremely likely" style answers need no labels (the leading number is
    read); fully worded ends do:

    >>> s = NPSScheme(labels={"Extremely likely": 10, "Not at all likely": 0})
    >>> s == NPSScheme()
    True
    """

    low: int = 0
    high: int = 10
    promoter_min: int = 9
    detractor_max: int = 6
    # not part of equality: labels say how text is read, not what counts mean
    labels: Labels | None = attrs.field(
        default=None, kw_only=True, converter=convert_labels, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        _check_scale(self.low, self.high)
        _int("promoter_min", self.promoter_min)
        _int("detractor_max", self.detractor_max)
        if not self.low <= self.detractor_max < self.promoter_min <= self.high:
            msg = (
                "NPSScheme needs low <= detractor_max < promoter_min <= high; got "
                f"low={self.low}, detractor_max={self.detractor_max}, "
                f"promoter_min={self.promoter_min}, high={self.high}."
            )
            raise InvalidInputError(msg)
        self._check_labels()

    @property
    def passive_range(self) -> tuple[int, int] | None:
        """Inclusive range of passive answers, or ``None`` if there are none."""
        lo, hi = self.detractor_max + 1, self.promoter_min - 1
        return (lo, hi) if lo <= hi else None


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class CSATScheme(_Labelled):
    """Customer-satisfaction scale and the threshold for "satisfied".

    Parameters
    ----------
    low, high : int, default 1 and 5
        The answer scale; higher is more satisfied.
    satisfied_min : int, default 4
        Answers ``>= satisfied_min`` count as satisfied (top-2-box on 1-5).
    labels : mapping of str to int, optional (keyword only)
        Answer texts and the scale points they stand for; several texts may
        share a point (e.g. English and Spanish). Compared without case or extra
        spaces. Not part of equality (see the module notes), so states read
        from differently worded exports merge.

    Examples
    --------
    >>> CSATScheme()
    CSATScheme(low=1, high=5, satisfied_min=4)
    >>> CSATScheme.binary()
    CSATScheme(low=0, high=1, satisfied_min=1)
    >>> CSATScheme.from_labels(
    ...     ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    ... ).labels[-1]
    ('Very satisfied', 5)
    """

    low: int = 1
    high: int = 5
    satisfied_min: int = 4
    # not part of equality: labels say how text is read, not what counts mean
    labels: Labels | None = attrs.field(
        default=None, kw_only=True, converter=convert_labels, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        _check_scale(self.low, self.high)
        _int("satisfied_min", self.satisfied_min)
        if not self.low < self.satisfied_min <= self.high:
            msg = (
                "CSATScheme needs low < satisfied_min <= high; got "
                f"low={self.low}, satisfied_min={self.satisfied_min}, high={self.high}."
            )
            raise InvalidInputError(msg)
        self._check_labels()

    @classmethod
    def binary(cls) -> Self:
        """Good/bad ratings coded 1/0 (Zendesk-style): score = good / (good + bad).

        Unrated requests are not answers: pass them as NaN with
        ``nan_policy='omit'`` and they are excluded and counted in ``n_missing``.
        """
        return cls(low=0, high=1, satisfied_min=1)


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class CESScheme(_Labelled):
    """Customer Effort Score scale and which answers mean "easy".

    Parameters
    ----------
    low, high : int, default 1 and 7
        The answer scale.
    easy_min, easy_max : int, default 5 and 7
        Inclusive range of answers that mean low effort. It must touch one end of
        the scale, which tells the direction: CES 2.0 (1-7 agreement with "the
        company made it easy for me to handle my issue") has ``easy = 5..7`` and
        higher is better; the original CES (1-5 "how much effort did you personally
        have to put forth") has ``easy = 1..2`` and lower is better.
    labels : mapping of str to int, optional (keyword only)
        Answer texts and the scale points they stand for; several texts may
        share a point (e.g. English and Spanish). Compared without case or extra
        spaces. Not part of equality (see the module notes), so states read
        from differently worded exports merge.

    Examples
    --------
    >>> CESScheme().higher_is_easier
    True
    >>> CESScheme.ces1()
    CESScheme(low=1, high=5, easy_min=1, easy_max=2)
    >>> CESScheme.ces1().higher_is_easier
    False
    """

    low: int = 1
    high: int = 7
    easy_min: int = 5
    easy_max: int = 7
    # not part of equality: labels say how text is read, not what counts mean
    labels: Labels | None = attrs.field(
        default=None, kw_only=True, converter=convert_labels, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        _check_scale(self.low, self.high)
        _int("easy_min", self.easy_min)
        _int("easy_max", self.easy_max)
        ok = self.low <= self.easy_min <= self.easy_max <= self.high
        touches = (self.easy_max == self.high) != (self.easy_min == self.low)
        if not (ok and touches):
            msg = (
                "CESScheme needs an `easy` range inside the scale that touches exactly "
                f"one end of it; got easy=[{self.easy_min}, {self.easy_max}] on "
                f"[{self.low}, {self.high}]."
            )
            raise InvalidInputError(msg)
        self._check_labels()

    @property
    def higher_is_easier(self) -> bool:
        """True when high answers mean low effort (CES 2.0), False for CES 1.0."""
        return self.easy_max == self.high

    @classmethod
    def ces2(cls) -> Self:
        """CES 2.0: 1-7 agreement, 5-7 "agree" = easy (the default)."""
        return cls()

    @classmethod
    def ces1(cls) -> Self:
        """Original CES: 1-5 effort ("very low" to "very high"), 1-2 = easy."""
        return cls(low=1, high=5, easy_min=1, easy_max=2)
