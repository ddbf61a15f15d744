"""Every public callable has a registry entry (issue #20: "so new functions join it").

The public callables are the functions in ``cxmetrics.__all__``, in each family's
``__all__`` and in those of ``frames``, ``stats``, ``plot``, ``report`` and the
command line. Each must be the ``func`` of an entry (or carry an entry's name,
for entries that wrap a generator such as ``frames.read_chunks``). Classes are
covered elsewhere: models by ``test_registry_covers_every_model_method``, states
by ``test_loaded_states.py``.

The few callables without an entry are listed in ``ELSEWHERE`` with the test
file that feeds them bad input; a new public function fails this test until it
gets an entry (or, with a reason, a line there).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

from hardening.registry import ENTRIES
from hardening.registry_families import FAMILY_ENTRIES
from hardening.registry_models import MODEL_ENTRIES

FAMILIES = (
    "clv",
    "experiments",
    "journeys",
    "retention",
    "staffing",
    "stats",
    "support",
    "survey",
    "survival",
    "voice",
    "workforce",
)
#: modules whose public callables need an optional dependency to import
OPTIONAL = {"frames": "narwhals", "plot": "matplotlib", "report": "matplotlib"}

TESTS = Path(__file__).resolve().parents[1]
#: public callables fed bad input by tests of their own (a report section takes
#: seconds to build, the command line is tested through its argv and files):
#: name -> (the test file, a text it must contain: the call or its front door)
ELSEWHERE = {
    "report.build_report": ("report/test_report.py", "build_report("),
    "report.write_report": ("report/test_report.py", "write_report("),
    "report.survey_section": ("report/test_report.py", "survey_section("),
    "report.tickets_section": ("report/test_report.py", "tickets_section("),
    "report.clv_section": ("report/test_report.py", "clv_section("),
    "report.retention_section": ("report/test_report.py", '"--activity"'),
    "report.revenue_section": ("report/test_report.py", '"--subscriptions"'),
    "cli.main": ("cli/test_cli_exports.py", "main("),
    "cli.main_exit": ("cli/test_cli_exports.py", '"-m", "cxmetrics"'),
    "cli.parser": ("cli/test_cli_exports.py", '"--help"'),
}


def _entries() -> list[object]:
    out: list[object] = [*ENTRIES, *MODEL_ENTRIES, *FAMILY_ENTRIES]
    if all(importlib.util.find_spec(m) for m in ("narwhals", "pandas", "polars")):
        from hardening.registry_frames import FRAME_ENTRIES

        out += FRAME_ENTRIES
    if importlib.util.find_spec("matplotlib"):
        from hardening.registry_plots import PLOT_ENTRIES

        out += PLOT_ENTRIES
    return out


def _public_callables() -> dict[str, object]:
    """'module.name' (or 'name' at the top level) -> the function."""
    found: dict[str, object] = {}
    modules = [("", "cxmetrics"), *((f, f"cxmetrics.{f}") for f in FAMILIES)]
    modules += [("cli", "cxmetrics.cli")]
    for short, module in OPTIONAL.items():
        if importlib.util.find_spec(module) is not None:
            modules.append((short, f"cxmetrics.{short}"))
    for short, name in modules:
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if inspect.isfunction(obj):
                found[f"{short}.{attr}" if short else attr] = obj
    return found


def test_every_public_callable_has_a_registry_entry() -> None:
    entries = _entries()
    funcs = {id(e.func) for e in entries}  # type: ignore[attr-defined]
    names = {e.name.split("[")[0].split("(")[0] for e in entries}  # type: ignore[attr-defined]
    missing = []
    for qualified, func in _public_callables().items():
        short = qualified.rsplit(".", 1)[-1]
        if id(func) in funcs or qualified in names or short in names:
            continue
        if qualified in ELSEWHERE:
            continue
        missing.append(qualified)
    assert not missing, f"add registry entries for {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(ELSEWHERE))
def test_callables_tested_elsewhere_are_tested_there(name: str) -> None:
    file, token = ELSEWHERE[name]
    path = TESTS / file
    assert path.is_file(), f"{name}: {path} does not exist"
    assert token in path.read_text(), f"{path} never calls {name} ({token})"
