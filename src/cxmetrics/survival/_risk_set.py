r"""Risk sets of an event table: who is at risk at each time.

A subject is at risk on :math:`(\text{entry}, \text{duration}]`, and subjects
entering at the origin 0 are at risk from the start (so, without late entry,
everyone is at risk until their duration). With :math:`e_j, d_j, c_j` the entries,
events and censorings at :math:`t_j`:

.. math::

    n_j = \sum_{k<j} e_k + [t_j = 0]\,e_j - \sum_{k<j} (d_k + c_k),

as R's ``survfit`` counts for ``Surv(entry, duration, event)`` data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["at_risk"]


def at_risk(
    times: NDArray[np.float64],
    entered: NDArray[np.int64],
    removed: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Number at risk at each time (along the last axis), from entries and removals.

    Examples
    --------
    >>> import numpy as np
    >>> at_risk(np.array([0.0, 2.0, 3.0]), np.array([3, 1, 0]), np.array([0, 2, 2])).tolist()
    [3, 3, 2]
    """
    # two new arrays, the rest in place (a full-length temporary costs a page
    # fault per page on first touch): sum_{k<=j} e_k, less e_j where t_j > 0,
    # less sum_{k<j} r_k
    out = np.cumsum(entered, axis=-1, dtype=np.int64)
    np.subtract(out, entered, out=out, where=times > 0)
    before = np.cumsum(removed, axis=-1, dtype=np.int64)
    before -= removed
    out -= before
    return out
