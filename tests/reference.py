"""Slow, obviously correct oracles (exact rational arithmetic, plain loops)."""

from __future__ import annotations

from fractions import Fraction


def nps_reference(responses, promoter_min=9, detractor_max=6):
    promoters = sum(1 for r in responses if r >= promoter_min)
    detractors = sum(1 for r in responses if r <= detractor_max)
    return Fraction(100 * (promoters - detractors), len(responses))


def share_reference(responses, lo, hi):
    return Fraction(sum(1 for r in responses if lo <= r <= hi), len(responses))


def mean_reference(responses):
    return Fraction(sum(int(r) for r in responses), len(responses))


def sample_variance_reference(responses):
    m = mean_reference(responses)
    return sum((Fraction(int(r)) - m) ** 2 for r in responses) / (len(responses) - 1)


def weighted_share(responses, weights, lo, hi):
    total = sum(Fraction(w) for w in weights)
    part = sum(
        Fraction(w) for r, w in zip(responses, weights, strict=True) if lo <= r <= hi
    )
    return part / total


def kish(weights):
    total = sum(Fraction(w) for w in weights)
    return total * total / sum(Fraction(w) ** 2 for w in weights)


def same_result(a, b):
    """Equality of two result objects, with NaN equal to NaN."""
    import math

    import attrs

    if type(a) is not type(b):
        return False
    da, db = attrs.asdict(a), attrs.asdict(b)
    for key, va in da.items():
        vb = db[key]
        if (
            isinstance(va, float)
            and isinstance(vb, float)
            and math.isnan(va)
            and math.isnan(vb)
        ):
            continue
        if va != vb:
            return False
    return True
