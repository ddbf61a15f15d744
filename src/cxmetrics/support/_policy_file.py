"""SLA policies from TOML files: what the command line and the report read."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from cxmetrics.exceptions import InvalidInputError, InvalidInputTypeError
from cxmetrics.support._calendar import BusinessCalendar
from cxmetrics.support._policy import SLAPolicy

__all__ = ["read_policy"]

_UNITS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


def read_policy(path: str | os.PathLike[str]) -> SLAPolicy:
    """Read an :class:`SLAPolicy` from a TOML file.

    The file has a ``[targets.<key>]`` table per priority (or other key), with one
    number per metric (``first_reply``, ``next_reply``, ``periodic_update``,
    ``resolution``) in ``unit`` (a top-level key: ``seconds``, ``minutes``,
    ``hours`` (default) or ``days``). An optional ``[calendar]`` table has ``zone``,
    ``week`` (weekday ranges to lists of ``["HH:MM", "HH:MM"]`` windows),
    ``holidays`` (ISO dates) and ``overrides``. ``[hours]`` maps metrics to
    ``"business"`` or ``"calendar"``, and ``[pause]`` maps metrics to lists of statuses.
    A ``[default]`` table (or ``[targets."*"]``) gives the targets of every key
    not listed (see :class:`SLAPolicy`'s ``default``).

    Parameters
    ----------
    path : path-like
        The TOML file.

    Returns
    -------
    SLAPolicy

    Raises
    ------
    InvalidInputError
        For a missing file, invalid TOML, or a policy the constructor refuses.
        The message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from cxmetrics.support import read_policy
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "policy.toml"
    >>> lines = ['unit = "hours"', "[targets.urgent]", "first_reply = 1", "resolution = 8"]
    >>> _ = path.write_text(chr(10).join(lines))
    >>> read_policy(path).targets["urgent"]["resolution"]
    28800.0
    >>> _ = path.write_text(chr(10).join([*lines, "[default]", "resolution = 72"]))
    >>> read_policy(path).default
    {'resolution': 259200.0}
    """
    given: object = path  # typed as a path, checked as any object
    if isinstance(given, bytes) or not isinstance(given, str | os.PathLike):
        msg = f"`path` must be a str or a path-like object; got {type(given).__name__}."
        raise InvalidInputTypeError(msg)
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"`path` {p}: no such policy file."
        raise InvalidInputError(msg) from None
    except tomllib.TOMLDecodeError as err:
        msg = f"`path` {p}: not valid TOML ({err})."
        raise InvalidInputError(msg) from None
    except UnicodeDecodeError as err:
        msg = f"`path` {p}: not UTF-8 text ({err.reason} at byte {err.start})."
        raise InvalidInputError(msg) from None
    except OSError as err:  # a directory, no permission
        msg = f"`path` {p}: cannot be read ({err.strerror or err})."
        raise InvalidInputError(msg) from None
    try:
        return _policy(data)
    except (InvalidInputError, TypeError, ValueError, KeyError) as err:
        msg = f"`path` {p}: {err}"
        raise InvalidInputError(msg) from None


def _policy(data: dict[str, Any]) -> SLAPolicy:
    unit = data.get("unit", "hours")
    if unit not in _UNITS:
        msg = f"`unit` must be one of {sorted(_UNITS)}; got {unit!r}."
        raise InvalidInputError(msg)
    raw = data.get("targets", {})
    if not isinstance(raw, dict) or not (raw or "default" in data):
        msg = "the file needs a [targets.<key>] table per priority (or a [default] table)."
        raise InvalidInputError(msg)
    scale = _UNITS[unit]
    targets = {
        key: {metric: float(v) * scale for metric, v in metrics.items()}
        for key, metrics in raw.items()
    }
    kwargs: dict[str, Any] = {}
    if "calendar" in data:
        cal = dict(data["calendar"])
        week = cal.pop("week", None)
        if week is not None:
            cal["week"] = {
                day: [tuple(w) for w in windows] for day, windows in week.items()
            }
        if "overrides" in cal:
            cal["overrides"] = {
                d: [tuple(w) for w in ws] for d, ws in cal["overrides"].items()
            }
        kwargs["calendar"] = BusinessCalendar(**cal)
    if "hours" in data:
        kwargs["hours"] = data["hours"]
    if "pause" in data:
        kwargs["pause"] = data["pause"]
    if "default" in data:
        default = data["default"]
        if not isinstance(default, dict):
            msg = f"`default` must be a table of metric = number; got {default!r}."
            raise InvalidInputError(msg)
        kwargs["default"] = {m: float(v) * scale for m, v in default.items()}
    return SLAPolicy(targets, **kwargs)
