r"""Choose how many agents start each shift pattern: ``schedule_shifts``."""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import (
    array_eq,
    frozen_float,
    frozen_int,
    frozen_keys,
    nan_equal_fields,
)
from cxmetrics._core.display import DisplayMixin
from cxmetrics._core.optional import require
from cxmetrics._core.validation import check_option, parameter_array, parameter_scalar
from cxmetrics.exceptions import ConvergenceWarning, CXMetricsError, InvalidInputError
from cxmetrics.typing import ScheduleMethod, ScheduleObjective
from cxmetrics.workforce._patterns import ShiftPatterns, _indices

__all__ = ["ShiftSchedule", "schedule_shifts"]

#: A linear-programme optimum counts as integral within this distance.
_INTEGRAL = 1e-6


@attrs.frozen(repr=False, field_transformer=nan_equal_fields)
class ShiftSchedule(DisplayMixin):
    r"""Agents per shift pattern and the coverage they give.

    Attributes
    ----------
    agents : ndarray of int, shape (n_patterns,)
        Agents starting each pattern.
    names : ndarray of str, shape (n_patterns,)
        The patterns' names.
    scheduled : ndarray of int, shape (n_intervals,)
        Agents working each interval.
    required : ndarray of float, shape (n_intervals,)
        The requirement per interval.
    surplus : ndarray of float, shape (n_intervals,)
        ``scheduled - required`` (negative: a deficit).
    objective : str
        What was minimised.
    objective_value : float
        Its value at the schedule, computed from the whole numbers of agents.
    headcount : int
        Agents in the schedule (the sum of ``agents``).
    paid : float
        Paid intervals (agent-intervals worked).
    cost : float
        Total cost of the patterns.
    understaffed, overstaffed : float
        Agent-intervals below and above the requirement.
    method : {'lp', 'milp'}
        The solver used: HiGHS linear programme or integer programme.
    optimal : bool
        The solver proved optimality (within ``gap`` for 'milp').
    gap : float
        The solver's relative optimality gap (0 for 'lp').
    message : str
        The solver's status message.

    Examples
    --------
    >>> import cxmetrics as cx
    >>> p = cx.shift_patterns([0, 2], 4, periods_per_day=6, cyclic=False)
    >>> s = cx.schedule_shifts([2, 2, 3, 3, 1, 1], p)
    >>> s.agents.tolist(), s.scheduled.tolist(), s.headcount
    ([2, 1], [2, 2, 3, 3, 1, 1], 3)
    """

    agents: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    names: NDArray[np.str_] = attrs.field(converter=frozen_keys, eq=array_eq)
    scheduled: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    required: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    surplus: NDArray[np.float64] = attrs.field(converter=frozen_float, eq=array_eq)
    objective: ScheduleObjective
    objective_value: float
    headcount: int
    paid: float
    cost: float
    understaffed: float
    overstaffed: float
    method: str
    optimal: bool
    gap: float
    message: str

    @property
    def value(self) -> float:
        """The objective value (the headline number)."""
        return self.objective_value

    @property
    def n(self) -> int:
        """Number of intervals scheduled."""
        return int(self.scheduled.size)

    def to_dict(self) -> dict[str, NDArray[Any]]:
        """One row per interval: interval, required, scheduled, surplus."""
        return {
            "interval": np.arange(self.n),
            "required": np.asarray(self.required),
            "scheduled": np.asarray(self.scheduled),
            "surplus": np.asarray(self.surplus),
        }

    def patterns(self) -> dict[str, NDArray[Any]]:
        """The patterns with agents: name and agents (others are 0)."""
        used = self.agents > 0
        return {"name": self.names[used], "agents": self.agents[used]}

    def to_pandas(self) -> Any:
        """The interval table as a :class:`pandas.DataFrame` (needs pandas)."""
        pd = require("pandas", feature="to_pandas()")
        return pd.DataFrame(self.to_dict())

    def __repr__(self) -> str:
        return (
            f"ShiftSchedule({self.headcount} agents on {int((self.agents > 0).sum())} "
            f"of {self.agents.size} patterns over {self.n} intervals; {self.objective}="
            f"{self.objective_value:g}; under {self.understaffed:g}, over "
            f"{self.overstaffed:g} agent-intervals; {self.method}, "
            f"{'optimal' if self.optimal else 'not proven optimal'}, gap {self.gap:.3g})"
        )


def _bounds_vector(
    values: ArrayLike | None, name: str, size: int
) -> NDArray[np.float64]:
    if values is None:
        return np.full(size, np.inf)
    arr = parameter_array(values, name, low=0.0, allow_inf=True, whole=True)
    try:
        return np.broadcast_to(arr, (size,)).astype(np.float64)
    except ValueError:
        msg = f"`{name}` must be a number or hold one value per interval ({size}); got shape {arr.shape}."
        raise InvalidInputError(msg) from None


def _check_coverable(
    need: NDArray[np.float64],
    cover: NDArray[np.float64],
    max_agents: NDArray[np.float64],
    cap: NDArray[np.float64],
) -> None:
    """Every positive requirement must be reachable by the patterns and the caps."""
    with np.errstate(invalid="ignore"):
        reach = cover.T @ np.where(np.isinf(max_agents), 1e300, max_agents)
    none = (need > 0) & ~(cover.T.any(axis=1))
    if none.any():
        msg = (
            f"`required` is positive in interval(s) {_indices(none)} that no pattern "
            "covers; add patterns working those intervals or set the requirement to 0."
        )
        raise InvalidInputError(msg)
    short = (need > reach) | (need > cap)
    if short.any():
        msg = (
            f"`required` exceeds what `max_agents` or `max_per_interval` allow in "
            f"interval(s) {_indices(short)}; raise the limits or lower the requirement."
        )
        raise InvalidInputError(msg)


def schedule_shifts(
    required: ArrayLike,
    patterns: ShiftPatterns,
    *,
    objective: ScheduleObjective = "headcount",
    under_weight: float = 2.0,
    over_weight: float = 1.0,
    max_per_interval: ArrayLike | None = None,
    method: ScheduleMethod = "auto",
    time_limit: float | None = None,
    mip_rel_gap: float | None = None,
) -> ShiftSchedule:
    r"""How many agents to start on each shift pattern (HiGHS, through scipy).

    Parameters
    ----------
    required : array_like, shape (n_intervals,)
        Agents needed per interval of the patterns' horizon, ``>= 0`` (e.g.
        ``agents_required(...).headcount``, shrinkage already applied).
    patterns : ShiftPatterns
        The candidate patterns (:func:`shift_patterns`,
        :meth:`ShiftPatterns.from_coverage`).
    objective : {'headcount', 'paid_time', 'cost', 'deviation'}, default 'headcount'
        Minimise the agents, the paid intervals, or the patterns' cost, all
        while covering every interval; or ``'deviation'``: minimise
        ``under_weight * understaffed + over_weight * overstaffed``
        agent-intervals, with no covering constraint.
    under_weight, over_weight : float, default 2.0 and 1.0
        Weights of an agent-interval under and over the requirement
        (``'deviation'`` only), ``> 0``. Under-staffing costs service, so it
        usually weighs more.
    max_per_interval : int or array_like, optional
        Most agents working any interval (seats, licences).
    method : {'auto', 'lp', 'milp'}, default 'auto'
        ``'lp'``: :func:`scipy.optimize.linprog`, exact only for contiguous
        patterns (see Notes); ``'milp'``: :func:`scipy.optimize.milp`;
        ``'auto'``: ``'lp'`` when it is exact, else ``'milp'``.
    time_limit : float, optional
        Seconds the solver may run; the best schedule found is returned with a
        :class:`~cxmetrics.exceptions.ConvergenceWarning` if it is not proven
        optimal.
    mip_rel_gap : float, optional
        Relative optimality gap at which HiGHS stops (its default 1e-4; 0 proves
        optimality exactly).

    Returns
    -------
    ShiftSchedule
        Agents per pattern, coverage, surplus per interval, the objective, the
        solver used, whether it proved optimality and its gap.

    Raises
    ------
    InvalidInputError
        A bad option, negative or missing requirements, a length other than the
        horizon, intervals with a requirement no pattern can cover (named),
        ``method='lp'`` on patterns that are not contiguous.
    CXMetricsError
        The solver found no schedule (infeasible limits, or the time limit).
    MissingDependencyError
        scipy is not installed.

    Warns
    -----
    ConvergenceWarning
        The time limit stopped the solver before it proved optimality.

    Notes
    -----
    With :math:`a_{ij} = 1` when pattern :math:`j` works interval :math:`i`,
    :math:`x_j` agents on pattern :math:`j`, :math:`r_i` required, the covering
    problem (Dantzig 1954) is

    .. math:: \min_x \sum_j c_j x_j \quad\text{s.t.}\quad \sum_j a_{ij} x_j \ge r_i,
              \; 0 \le x_j \le u_j,\; x_j \in \mathbb{Z},

    with :math:`c_j` 1 (headcount), the paid intervals or the cost. The
    deviation objective adds :math:`s_i - o_i + u_i = r_i` with under/over
    variables :math:`u_i, o_i \ge 0` and minimises
    :math:`w_u \sum u_i + w_o \sum o_i`.

    When every pattern is one block of consecutive intervals (no wrap-around)
    the matrix has the consecutive-ones property in its columns, an *interval
    matrix*, which is totally unimodular (and stays so with the identity columns
    of the deviation form and the ``max_per_interval`` rows); with integer
    requirements and limits every vertex of the linear relaxation is integral,
    so :func:`scipy.optimize.linprog` (HiGHS simplex) gives the integer optimum
    (Veinott & Wagner 1962; Bartholdi, Orlin & Ratliff 1980). A vertex that is
    not integral within 1e-6 (numerics) falls back to the integer programme.
    Tours with days off, breaks and overnight shifts on a cyclic week are not
    interval matrices: they are solved by branch and bound
    (:func:`scipy.optimize.milp`).

    Examples
    --------
    The post-office problem (Winston, *Operations Research*, 4th ed., §9.2):
    employees work five consecutive days and have two off; daily requirements
    Monday to Sunday 17, 13, 15, 19, 14, 16, 11 need 23 employees:

    >>> import cxmetrics as cx
    >>> tours = cx.shift_patterns(0, 1, periods_per_day=1, days=7, days_on=5)
    >>> s = cx.schedule_shifts([17, 13, 15, 19, 14, 16, 11], tours)
    >>> s.headcount, s.method, s.optimal
    (23, 'milp', True)
    """
    check_option("objective", objective, ScheduleObjective)
    check_option("method", method, ScheduleMethod)
    given: object = patterns
    if not isinstance(given, ShiftPatterns):
        msg = f"`patterns` must be a ShiftPatterns (from shift_patterns or ShiftPatterns.from_coverage); got {type(given).__name__}."
        raise InvalidInputError(msg)
    w_under = parameter_scalar(
        under_weight, "under_weight", low=0.0, low_inclusive=False
    )
    w_over = parameter_scalar(over_weight, "over_weight", low=0.0, low_inclusive=False)
    limit = (
        None
        if time_limit is None
        else parameter_scalar(time_limit, "time_limit", low=0.0, low_inclusive=False)
    )
    gap_opt = (
        None
        if mip_rel_gap is None
        else parameter_scalar(mip_rel_gap, "mip_rel_gap", low=0.0)
    )
    n_int = patterns.n_intervals
    req = parameter_array(required, "required", low=0.0)
    if req.ndim != 1 or req.size != n_int:
        msg = f"`required` must hold one value per interval of the patterns' horizon ({n_int}); got shape {req.shape}."
        raise InvalidInputError(msg)
    cap = _bounds_vector(max_per_interval, "max_per_interval", n_int)
    cover = patterns.coverage.astype(np.float64)
    covering = objective != "deviation"
    need = np.ceil(req - 1e-9) if covering else req
    if covering:
        _check_coverable(need, cover, patterns.max_agents, cap)
    integral_data = bool(np.all(req == np.round(req)))
    exact_lp = patterns.contiguous and (covering or integral_data)
    if method == "lp" and not exact_lp:
        msg = (
            "`method='lp'` is exact only for contiguous patterns (one block each, no "
            "wrap-around) and whole requirements; these patterns "
            f"{'are not contiguous' if not patterns.contiguous else 'meet fractional requirements'}: "
            "use method='milp' or 'auto'."
        )
        raise InvalidInputError(msg)
    use_lp = method == "lp" or (method == "auto" and exact_lp)
    x = _solve(
        need,
        cover,
        patterns,
        objective,
        (w_under, w_over),
        cap,
        use_lp=use_lp,
        time_limit=limit,
        mip_rel_gap=gap_opt,
    )
    agents, method_used, optimal, gap, message = x
    scheduled = cover.T @ agents
    surplus = scheduled - req
    under = float(np.maximum(-surplus, 0.0).sum())
    over = float(np.maximum(surplus, 0.0).sum())
    paid = float(patterns.paid @ agents)
    cost = float(patterns.cost @ agents)
    value = {
        "headcount": float(agents.sum()),
        "paid_time": paid,
        "cost": cost,
        "deviation": w_under * under + w_over * over,
    }[objective]
    return ShiftSchedule(
        agents=agents.astype(np.int64),
        names=patterns.names,
        scheduled=scheduled.round().astype(np.int64),
        required=req,
        surplus=surplus,
        objective=objective,
        objective_value=value,
        headcount=int(agents.sum()),
        paid=paid,
        cost=cost,
        understaffed=under,
        overstaffed=over,
        method=method_used,
        optimal=optimal,
        gap=gap,
        message=message,
    )


def _solve(
    need: NDArray[np.float64],
    cover: NDArray[np.float64],
    patterns: ShiftPatterns,
    objective: str,
    weights: tuple[float, float],
    cap: NDArray[np.float64],
    *,
    use_lp: bool,
    time_limit: float | None,
    mip_rel_gap: float | None,
) -> tuple[NDArray[np.float64], str, bool, float, str]:
    opt = require("scipy.optimize", feature="schedule_shifts")
    sparse = require("scipy.sparse", feature="schedule_shifts")
    n_int, n_pat = cover.shape[1], cover.shape[0]
    a = sparse.csr_array(cover.T)
    ub_x = patterns.max_agents
    if objective == "deviation":
        eye = sparse.identity(n_int, format="csr")
        a_eq = sparse.hstack([a, eye, -eye], format="csr")
        c = np.concatenate(
            [np.zeros(n_pat), np.full(n_int, weights[0]), np.full(n_int, weights[1])]
        )
        lb = np.zeros(n_pat + 2 * n_int)
        ub = np.concatenate([ub_x, np.full(2 * n_int, np.inf)])
        rows = [(a_eq, need, need)]
        cap_rows = sparse.hstack(
            [a, sparse.csr_array((n_int, 2 * n_int))], format="csr"
        )
    else:
        c = {
            "headcount": np.ones(n_pat),
            "paid_time": patterns.paid.astype(np.float64),
            "cost": patterns.cost.astype(np.float64),
        }[objective]
        lb = np.zeros(n_pat)
        ub = ub_x.copy()
        rows = [(a, need, np.full(n_int, np.inf))]
        cap_rows = a
    finite_cap = np.isfinite(cap)
    if finite_cap.any():
        rows.append(
            (
                cap_rows[np.flatnonzero(finite_cap)],
                np.full(int(finite_cap.sum()), -np.inf),
                cap[finite_cap],
            )
        )
    if use_lp:
        res = _linprog(opt, sparse, c, rows, lb, ub, time_limit)
        if res is not None:
            x = np.asarray(res.x[:n_pat])
            if np.all(np.abs(x - np.round(x)) <= _INTEGRAL):
                return np.round(x), "lp", True, 0.0, str(res.message)
    options: dict[str, Any] = {"presolve": True}
    if time_limit is not None:
        options["time_limit"] = time_limit
    if mip_rel_gap is not None:
        options["mip_rel_gap"] = mip_rel_gap
    constraints = [opt.LinearConstraint(m, lo, hi) for m, lo, hi in rows]
    res = opt.milp(
        c,
        constraints=constraints,
        integrality=np.concatenate([np.ones(n_pat), np.zeros(c.size - n_pat)]),
        bounds=opt.Bounds(lb, ub),
        options=options,
    )
    if res.x is None:
        msg = (
            f"the scheduling solver found no schedule ({res.message.strip()}); "
            "check `max_per_interval` and `max_agents` against the requirement, "
            "or raise `time_limit`."
        )
        raise CXMetricsError(msg)
    optimal = res.status == 0
    gap = (
        float(getattr(res, "mip_gap", np.nan) or 0.0)
        if optimal
        else float(getattr(res, "mip_gap", np.nan))
    )
    if not optimal:
        warnings.warn(
            f"the scheduling solver stopped before proving optimality ({res.message.strip()}); "
            f"the schedule is the best found, relative gap {gap:.3g}.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return (
        np.round(np.asarray(res.x[:n_pat])),
        "milp",
        bool(optimal),
        gap,
        str(res.message),
    )


def _linprog(
    opt: Any,
    sparse: Any,
    c: NDArray[np.float64],
    rows: list[tuple[Any, NDArray[np.float64], NDArray[np.float64]]],
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
    time_limit: float | None,
) -> Any:
    """Linprog in its A_ub / A_eq form; None when it does not reach an optimum."""
    ub_parts, ub_rhs, eq_parts, eq_rhs = [], [], [], []
    for m, lo, hi in rows:
        if np.array_equal(lo, hi):
            eq_parts.append(m)
            eq_rhs.append(lo)
            continue
        fin_hi, fin_lo = np.isfinite(hi), np.isfinite(lo)
        if fin_hi.any():
            ub_parts.append(m[np.flatnonzero(fin_hi)])
            ub_rhs.append(hi[fin_hi])
        if fin_lo.any():
            ub_parts.append(-m[np.flatnonzero(fin_lo)])
            ub_rhs.append(-lo[fin_lo])
    options: dict[str, Any] = {}
    if time_limit is not None:
        options["time_limit"] = time_limit
    res = opt.linprog(
        c,
        A_ub=sparse.vstack(ub_parts, format="csr") if ub_parts else None,
        b_ub=np.concatenate(ub_rhs) if ub_rhs else None,
        A_eq=sparse.vstack(eq_parts, format="csr") if eq_parts else None,
        b_eq=np.concatenate(eq_rhs) if eq_rhs else None,
        bounds=np.column_stack([lb, ub]),
        method="highs-ds",
        options=options,
    )
    if res.status == 2:
        msg = (
            "the scheduling problem is infeasible: `max_per_interval` or `max_agents` "
            "cannot be met while covering the requirement."
        )
        raise CXMetricsError(msg)
    return res if res.status == 0 else None
