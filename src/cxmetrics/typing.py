"""Public type aliases that users may annotate with.

Examples
--------
>>> from cxmetrics.typing import NanPolicy
>>> policy: NanPolicy = "omit"
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "Alternative",
    "MeanMethod",
    "NPSMethod",
    "NanPolicy",
    "ProportionMethod",
    "SmallGroupPolicy",
]

NanPolicy: TypeAlias = Literal["raise", "omit"]
"""What to do with missing answers: raise an error, or omit them and count them."""

ProportionMethod: TypeAlias = Literal[
    "wilson", "agresti_coull", "wald", "jeffreys", "clopper_pearson"
]
"""Confidence-interval methods for a proportion."""

MeanMethod: TypeAlias = Literal["normal", "t"]
"""Confidence-interval methods for a mean."""

NPSMethod: TypeAlias = Literal["wald", "adjusted_wald", "score", "bootstrap"]
"""Confidence-interval methods for a Net Promoter Score."""

Alternative: TypeAlias = Literal["two-sided", "less", "greater"]
"""Alternative hypothesis of a test, as in scipy."""

SmallGroupPolicy: TypeAlias = Literal["flag", "suppress"]
"""What grouped results do with groups under the minimum n."""
