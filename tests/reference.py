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


def kaplan_meier_reference(durations, events=None, entry=None):
    """Plain-loop Kaplan-Meier in exact arithmetic: {time: (at_risk, events, S)}.

    A subject is at risk at t when entry < t <= duration (entry 0: from the start,
    t = 0 included); reported at every time with an event or a censoring.
    """
    n = len(durations)
    events = [1] * n if events is None else [int(e) for e in events]
    entry = [0] * n if entry is None else list(entry)
    out = {}
    surv = Fraction(1)
    for t in sorted(set(durations)):
        at_risk = sum(
            1
            for d, e in zip(durations, entry, strict=True)
            if d >= t and (e < t or e == 0)
        )
        died = sum(
            1 for d, ev in zip(durations, events, strict=True) if d == t and ev == 1
        )
        if died:
            surv *= Fraction(at_risk - died, at_risk)
        out[t] = (at_risk, died, surv)
    return out


def logrank_reference(durations, events, groups):
    """Plain-loop two-group log-rank chi-square (O1 - E1)^2 / V1 as floats."""
    labels = sorted(set(groups))
    o = e = v = 0.0
    for t in sorted({d for d, ev in zip(durations, events, strict=True) if ev}):
        n = sum(1 for d in durations if d >= t)
        n1 = sum(
            1
            for d, g in zip(durations, groups, strict=True)
            if d >= t and g == labels[0]
        )
        d_all = sum(1 for d, ev in zip(durations, events, strict=True) if d == t and ev)
        d1 = sum(
            1
            for d, ev, g in zip(durations, events, groups, strict=True)
            if d == t and ev and g == labels[0]
        )
        o += d1
        e += d_all * n1 / n
        if n > 1:
            v += d_all * (n1 / n) * (1 - n1 / n) * (n - d_all) / (n - 1)
    return (o - e) ** 2 / v
