"""The ticket log: status events and public comments, validated and sorted once."""

from __future__ import annotations

from typing import Any, Self

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxmetrics._core.arrays import adopt, array_eq, frozen_int, frozen_keys
from cxmetrics._core.keys import factorise
from cxmetrics._core.validation import as_1d, check_same_length, utc_instants_1d
from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError

__all__ = ["STATUSES", "UNSOLVED", "TicketLog", "lookup", "show", "status_codes"]

#: ticket statuses in Zendesk's order; their codes are the positions here
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
NEW, OPEN, PENDING, HOLD, SOLVED, CLOSED = range(6)
#: statuses in which a ticket awaits work (the clocks of every metric can run)
UNSOLVED = frozenset({"new", "open", "pending", "hold"})
_ALIASES = {
    "on-hold": "hold",
    "on_hold": "hold",
    "onhold": "hold",
    "resolved": "solved",
}


def show(value: object) -> str:
    """Repr of a key as the user wrote it (numpy scalars as Python values)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def status_codes(values: ArrayLike, name: str) -> NDArray[np.int8]:
    """Status names (any case; 'on-hold' = 'hold') or codes 0-5 as int8 codes."""
    arr = as_1d(values, name)
    if arr.size == 0:  # an empty export (a list [] reads as float64)
        return np.zeros(0, dtype=np.int8)
    if arr.dtype.kind in "iu":
        bad = (arr < 0) | (arr > 5)
        if bad.any():
            i = int(np.argmax(bad))
            msg = f"`{name}` codes must lie in [0, 5] ({', '.join(STATUSES)}); got {arr[i]} at index {i}."
            raise InvalidInputError(msg)
        return arr.astype(np.int8)
    if arr.dtype.kind not in "USO":
        msg = f"`{name}` must hold status names {STATUSES} or codes 0-5; got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    try:
        uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
    except (
        TypeError,
        ValueError,
    ) as err:  # pragma: no cover  (astype(str) accepts all)
        msg = f"`{name}` must hold status names; could not read it ({err})."
        raise InvalidInputTypeError(msg) from None
    codes = np.empty(len(uniq), dtype=np.int8)
    for k, u in enumerate(uniq.tolist()):
        key = _ALIASES.get(u.strip().lower(), u.strip().lower())
        if key not in STATUSES:
            i = int(np.argmax(inverse.reshape(-1) == k))
            msg = f"`{name}` must hold one of {STATUSES} (or 'on-hold'); got {u!r} at index {i}."
            raise InvalidInputError(msg)
        codes[k] = STATUSES.index(key)
    out: NDArray[np.int8] = codes[inverse.reshape(-1)]
    return out


def _author_is_agent(values: ArrayLike, n: int) -> NDArray[np.bool_]:
    arr = as_1d(values, "comment_author")
    check_same_length("comment_author", arr, "comment_ticket", n)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "USO":
        low = np.char.lower(arr.astype(str))
        agent = low == "agent"
        bad = ~(agent | (low == "requester"))
        if bad.any():
            i = int(np.argmax(bad))
            msg = f"`comment_author` must be 'agent' or 'requester' (or booleans, True for agents); got {arr[i]!r} at index {i}."
            raise InvalidInputError(msg)
        out: NDArray[np.bool_] = np.asarray(agent, dtype=bool)
        return out
    msg = f"`comment_author` must be 'agent'/'requester' strings or booleans; got dtype {arr.dtype}."
    raise InvalidInputTypeError(msg)


_is_text = np.frompyfunc(lambda v: isinstance(v, str | bytes | np.str_), 1, 1)


def _ticket_keys(values: ArrayLike, name: str) -> NDArray[Any]:
    if not isinstance(values, np.ndarray) and isinstance(values, list | tuple):
        # numpy would turn [1, "1"] into two equal strings: refuse mixed ids
        raw = np.empty(len(values), dtype=object)
        raw[:] = list(values)
        text = np.asarray(_is_text(raw), dtype=bool) if raw.size else raw.astype(bool)
        if text.any() and not text.all():
            i, j = int(np.argmax(text)), int(np.argmax(~text))
            msg = (
                f"`{name}` mixes text and numeric ticket ids ({raw[j]!r} at index {j}, "
                f"{raw[i]!r} at index {i}); 1 and '1' would be merged. Convert the ids "
                "to one type."
            )
            raise InvalidInputTypeError(msg)
    arr = as_1d(values, name)
    if arr.size == 0 and arr.dtype.kind == "f":  # an empty export: no ids at all
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iuUSO":
        msg = f"`{name}` must hold ticket ids (integers or strings); got dtype {arr.dtype}."
        raise InvalidInputTypeError(msg)
    return arr


def lookup(labels: NDArray[Any], keys: NDArray[Any], name: str) -> NDArray[np.int64]:
    """Position of each key in the sorted ``labels``; unknown keys are an error."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    if (
        labels.dtype.kind in "iu"
        and keys.dtype.kind in "iu"
        and len(labels)
        and int(labels[-1]) - int(labels[0]) < 4 * (len(labels) + keys.size)
        and int(labels[-1]) < 2**63
    ):
        # ids in a block: a table from id to position, read once per key
        pos = _dense_lookup(labels, keys)
    else:
        pos = _sorted_lookup(labels, keys, name)
    found = pos >= 0
    if not np.all(found):
        i = int(np.argmax(~found))
        msg = f"`{name}` has ticket {show(keys[i])} at index {i}, which has no status events."
        raise InvalidInputError(msg)
    return pos


def _dense_lookup(labels: NDArray[Any], keys: NDArray[Any]) -> NDArray[np.int64]:
    """Positions of integer ``keys`` among sorted integer ``labels`` in a modest range; -1 if absent."""
    lo, span = int(labels[0]), int(labels[-1]) - int(labels[0]) + 1
    table = np.full(span, -1, dtype=np.int64)
    table[labels.astype(np.int64) - lo] = np.arange(len(labels))
    k_lo, k_hi = int(keys.min()), int(keys.max())
    if k_lo < lo or k_hi >= lo + span:  # some key outside the ids' range
        inside = (keys >= lo) & (keys < lo + span)
        pos = np.full(keys.shape[0], -1, dtype=np.int64)
        pos[inside] = table[keys[inside].astype(np.int64) - lo]
        return pos
    return table[keys.astype(np.int64) - lo]


def _sorted_lookup(
    labels: NDArray[Any], keys: NDArray[Any], name: str
) -> NDArray[np.int64]:
    """Positions of ``keys`` in the sorted ``labels`` by binary search; -1 if absent."""
    try:
        pos = np.searchsorted(labels, keys)
    except TypeError as err:
        msg = f"`{name}` must hold ticket ids of the same type as the events' ({err})."
        raise InvalidInputTypeError(msg) from None
    pos = np.minimum(pos, max(len(labels) - 1, 0))
    found = labels[pos] == keys if len(labels) else np.zeros(keys.shape, bool)
    return np.where(found, pos, -1).astype(np.int64)


def _frozen_bool(x: ArrayLike) -> NDArray[np.bool_]:
    out: NDArray[np.bool_] = np.array(x, dtype=bool)
    out.setflags(write=False)
    return out


@attrs.frozen(eq=False)
class TicketLog:
    """Status events and public comments of tickets, validated and sorted.

    The input model: one row per status change (``ticket``, ``instant``,
    ``status``), where a ticket is created at its first event; optionally one row
    per public comment (``comment_ticket``, ``comment_instant``,
    ``comment_author`` 'agent' or 'requester'). Build it with
    :meth:`from_arrays`; every support function takes it.

    Attributes
    ----------
    tickets : ndarray, shape (k,)
        Ticket ids, sorted.
    code, instant, status : ndarray, shape (n,)
        Events sorted by ticket then instant: ticket position, UTC ns, status code
        (positions in ``('new', 'open', 'pending', 'hold', 'solved', 'closed')``).
    first : ndarray of int64, shape (k + 1,)
        Offsets: the events of ticket ``j`` are ``first[j]:first[j + 1]``.
    comment_code, comment_instant, comment_agent : ndarray, shape (c,)
        Public comments sorted by ticket then instant.

    Examples
    --------
    >>> import numpy as np
    >>> log = TicketLog.from_arrays(
    ...     ticket=[7, 7, 7],
    ...     instant=np.array(["2024-01-08T09:00", "2024-01-08T10:00", "2024-01-08T12:00"],
    ...                      dtype="datetime64[s]"),
    ...     status=["new", "open", "solved"],
    ... )
    >>> log.tickets.tolist(), log.n_events
    ([7], 3)
    """

    tickets: NDArray[Any] = attrs.field(converter=frozen_keys, eq=array_eq)
    code: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    instant: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    status: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    first: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    comment_code: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    comment_instant: NDArray[np.int64] = attrs.field(converter=frozen_int, eq=array_eq)
    comment_agent: NDArray[np.bool_] = attrs.field(converter=_frozen_bool, eq=array_eq)

    @property
    def n_events(self) -> int:
        """Number of status events."""
        return int(self.code.shape[0])

    @property
    def n_tickets(self) -> int:
        """Number of tickets."""
        return int(self.tickets.shape[0])

    @property
    def created(self) -> NDArray[np.int64]:
        """Creation instant of each ticket (its first event), UTC ns."""
        return self.instant[self.first[:-1]]

    @property
    def last_status(self) -> NDArray[np.int64]:
        """The latest status of each ticket."""
        return self.status[self.first[1:] - 1]

    @classmethod
    def from_arrays(
        cls,
        ticket: ArrayLike,
        instant: ArrayLike,
        status: ArrayLike,
        *,
        comment_ticket: ArrayLike | None = None,
        comment_instant: ArrayLike | None = None,
        comment_author: ArrayLike | None = None,
        as_of: object | None = None,
    ) -> Self:
        """Validate and sort a ticket log.

        Parameters
        ----------
        ticket : array_like, shape (n,)
            Ticket id of each status event (integers or strings).
        instant : array_like of instants, shape (n,)
            When the ticket entered the status: numpy ``datetime64`` (UTC) or
            timezone-aware datetimes. Within a ticket, events must be in time
            order (tickets may interleave) and at distinct instants.
        status : array_like, shape (n,)
            'new', 'open', 'pending', 'hold' (or 'on-hold'), 'solved',
            'closed', or their codes 0-5.
        comment_ticket, comment_instant, comment_author : array_like, optional
            Public comments: ticket id, instant and 'agent' / 'requester' (or
            booleans, True for an agent). Needed for reply metrics.
        as_of : instant, optional
            Keep only what happened at or before this instant (a snapshot).

        Returns
        -------
        TicketLog

        Raises
        ------
        InvalidInputError
            Events of a ticket out of time order or at the same instant (the
            error names both rows), comments on unknown tickets or before the
            ticket's creation, unknown statuses, naive datetimes.
        """
        cut = None if as_of is None else _as_of(as_of)
        keys = _ticket_keys(ticket, "ticket")
        t = utc_instants_1d(instant, "instant")
        check_same_length("instant", t, "ticket", keys.shape[0])
        st = status_codes(status, "status")
        check_same_length("status", st, "ticket", keys.shape[0])
        if cut is not None:
            keep = t <= cut
            keys, t, st = keys[keep], t[keep], st[keep]
        try:
            labels, code = factorise(keys)
        except TypeError as err:
            msg = f"`ticket` must hold ids of one comparable type ({err})."
            raise InvalidInputTypeError(msg) from None
        order = np.argsort(code, kind="stable")  # keeps each ticket's row order
        c, ts = code[order], t[order]
        same = c[1:] == c[:-1]
        back = same & (ts[1:] < ts[:-1])
        if back.any():
            k = int(np.argmax(back))
            i, j = int(order[k]), int(order[k + 1])
            msg = (
                f"`instant` must increase within each ticket; ticket {show(labels[c[k]])} has "
                f"{ts[k + 1].view('datetime64[ns]')} at index {j} after "
                f"{ts[k].view('datetime64[ns]')} at index {i}; sort the events by ticket "
                "and instant."
            )
            raise InvalidInputError(msg)
        dup = same & (ts[1:] == ts[:-1])
        if dup.any():
            k = int(np.argmax(dup))
            i, j = int(order[k]), int(order[k + 1])
            msg = (
                f"`instant` has duplicate events: ticket {show(labels[c[k]])} changes status "
                f"twice at {ts[k].view('datetime64[ns]')} (indices {i} and {j}); keep the "
                "last status of each instant."
            )
            raise InvalidInputError(msg)
        # each ticket's first row: the counts of the tickets before it (every
        # ticket has a row, codes run 0 .. len(labels) - 1)
        first = np.zeros(len(labels) + 1, dtype=np.int64)
        np.cumsum(np.bincount(c, minlength=len(labels)), out=first[1:])

        cc = np.zeros(0, dtype=np.int64)
        ct = np.zeros(0, dtype=np.int64)
        ca = np.zeros(0, dtype=bool)
        given = [
            x is not None for x in (comment_ticket, comment_instant, comment_author)
        ]
        if any(given) and not all(given):
            msg = "`comment_ticket`, `comment_instant` and `comment_author` go together; pass all three."
            raise InvalidInputError(msg)
        if (
            comment_ticket is not None
            and comment_instant is not None
            and comment_author is not None
        ):
            ck = _ticket_keys(comment_ticket, "comment_ticket")
            ct = utc_instants_1d(comment_instant, "comment_instant")
            check_same_length("comment_instant", ct, "comment_ticket", ck.shape[0])
            ca = _author_is_agent(comment_author, ck.shape[0])
            if cut is not None:
                keep = ct <= cut
                ck, ct, ca = ck[keep], ct[keep], ca[keep]
            cc = lookup(labels, ck, "comment_ticket")
            early = ct < ts[first[cc]] if cc.size else np.zeros(0, bool)
            if early.any():
                i = int(np.argmax(early))
                msg = (
                    f"`comment_instant` must not be before the ticket's creation; ticket "
                    f"{show(ck[i])} has a comment at {ct[i].view('datetime64[ns]')} (index {i}) "
                    f"before its first event at {ts[first[cc[i]]].view('datetime64[ns]')}."
                )
                raise InvalidInputError(msg)
            corder = _by_ticket_then_time(cc, ct)
            if corder is not None:
                cc, ct, ca = cc[corder], ct[corder], ca[corder]
        # every array is new here (gathers, counts, and utc_instants_1d's cast,
        # which always copies): adopted as they are
        return adopt(
            cls,
            tickets=labels,
            code=c,
            instant=ts,
            status=st[order],
            first=first,
            comment_code=cc,
            comment_instant=ct,
            comment_agent=ca,
        )


def _by_ticket_then_time(
    code: NDArray[np.int64], instant: NDArray[np.int64]
) -> NDArray[np.intp] | None:
    """The order of rows by ticket, then instant (ties in row order); None if kept.

    Exports usually come sorted by ticket and time (nothing to do) or by time
    alone (a stable sort by ticket keeps it); other orders take the general
    two-key sort, several times slower.
    """
    if code.size < 2:
        return None
    steps = np.diff(code)
    later = instant[1:] >= instant[:-1]
    if bool(np.all((steps > 0) | ((steps == 0) & later))):
        return None
    if bool(np.all(later)):
        return np.argsort(code, kind="stable")
    return np.lexsort((instant, code))


def _as_of(value: object, name: str = "as_of") -> int:
    arr: Any = value.reshape(-1) if isinstance(value, np.ndarray) else [value]
    out = utc_instants_1d(arr, name)
    if out.shape != (1,):
        msg = f"`{name}` must be one instant; got {out.shape[0]}."
        raise InvalidInputError(msg)
    return int(out[0])


def as_of_ns(value: object, name: str = "as_of") -> int:
    """Validate one instant (``as_of``, a period bound) as UTC ns."""
    return _as_of(value, name)
