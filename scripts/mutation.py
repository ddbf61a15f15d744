"""Mutation testing of the core modules with mutmut, one module at a time (issue #21).

Each module is mutated against its own test folders only: for every module the
script makes a scratch copy of ``src/``, ``tests/`` and ``pyproject.toml`` under
``build/mutation/<module>/`` whose ``[tool.mutmut]`` table is the repository's
table (the settings every module shares) plus ``only_mutate`` (this module) and
``pytest_add_cli_args_test_selection`` (its tests), runs ``mutmut run`` there and
reads ``mutmut results --all true``. The score of a module is

    (killed + timeouts + accepted equivalent survivors) / mutants

where the accepted equivalent mutants (a change that cannot alter any result,
with a one-line reason each) are listed in ``tests/mutation/equivalent.toml``.
Mutant names depend on mutmut's numbering, so the version is pinned (Makefile).

Usage::

    python scripts/mutation.py                      # every module, sequentially
    python scripts/mutation.py stats/_interval.py   # one module
    python scripts/mutation.py --list               # the modules and their tests
    python scripts/mutation.py --jobs 2 --keep ...  # parallel mutants; keep scratch
    python scripts/mutation.py --resume ...         # after adding tests to a kept run

``--resume`` re-tests only the mutants a kept run (``--keep``) tested and did
not kill, against the checkout's current tests, and keeps the other verdicts:
adding tests can only kill more. Mutants an interrupted run never reached stay
"not checked" (and count as not killed). It refuses when the module's source or
a test path was dropped from its selection since (mutant names would differ, or a
verdict may no longer hold); run in full then. Test paths added to the selection
are taken in. The verdicts of each run are kept in
``build/mutation/<module>/verdicts.json`` for the next ``--resume``.

Exit status 0 when every run finished (whatever the scores), 1 when mutmut
failed to run, 2 for a bad argument. Surviving mutants are printed under each
module's score; ``cd build/mutation/<module> && mutmut show <name>`` shows one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.toml"
SCRATCH = ROOT / "build" / "mutation"

#: module (under src/cxmetrics/) -> the test paths that must kill its mutants
MODULES: dict[str, tuple[str, ...]] = {
    "stats/_interval.py": ("tests/stats", "tests/mutation/test_mut_interval.py"),
    "stats/_net_score.py": ("tests/stats", "tests/mutation/test_mut_net_score.py"),
    "survey/_kernel.py": ("tests/survey", "tests/mutation/test_mut_survey_kernel.py"),
    "survey/_nps.py": (
        "tests/survey",
        "tests/mutation/test_mut_survey_values.py",
        "tests/mutation/test_mut_survey_front_doors.py",
        "tests/mutation/test_mut_nps.py",
    ),
    "survey/_summary.py": (
        "tests/survey",
        "tests/mutation/test_mut_survey_values.py",
        "tests/mutation/test_mut_survey_summary.py",
    ),
    "survey/_scheme.py": (
        "tests/survey",
        "tests/mutation/test_mut_survey_values.py",
        "tests/mutation/test_mut_survey_summary.py",
    ),
    "support/_clock.py": ("tests/support", "tests/mutation/test_mut_clock.py"),
    "support/_calendar.py": (
        "tests/support",
        "tests/mutation/test_mut_calendar.py",
        "tests/mutation/test_mut_calendar_messages.py",
    ),
    "support/_timeline.py": (
        "tests/support",
        "tests/mutation/test_mut_calendar.py",
        "tests/mutation/test_mut_clock.py",
        "tests/mutation/test_mut_timeline.py",
    ),
    "survival/_km.py": ("tests/survival", "tests/mutation/test_mut_km.py"),
    "clv/_periods.py": ("tests/clv",),
    # new families (#12-#15), measured the same way
    "journeys/_kernel.py": (
        "tests/journeys",
        "tests/mutation/test_mut_journeys_kernel.py",
    ),
    "experiments/_kernel.py": (
        "tests/experiments",
        "tests/mutation/test_mut_experiments_kernel.py",
    ),
    "voice/_kappa.py": (
        "tests/voice",
        "tests/mutation/test_mut_agreement.py",
        "tests/mutation/test_mut_kappa.py",
    ),
    "voice/_alpha.py": ("tests/voice", "tests/mutation/test_mut_alpha.py"),
    "workforce/_adherence.py": (
        "tests/workforce",
        "tests/mutation/test_mut_adherence.py",
    ),
}

#: mutmut's result names counted as killed (a timeout is a mutant the tests stopped)
KILLED = {"killed", "timeout", "caught by type check"}
_RESULT = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    msg = f"cannot write {value!r} to TOML"
    raise TypeError(msg)


def _without_mutmut_table(text: str) -> str:
    """The pyproject text without its ``[tool.mutmut]`` table (to be rewritten)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        header = line.strip()
        if header.startswith("["):
            skipping = header == "[tool.mutmut]"
        if not skipping:
            out.append(line)
    return "".join(out)


def mutmut_table(module: str, tests: tuple[str, ...]) -> dict[str, object]:
    """The repository's ``[tool.mutmut]`` settings narrowed to one module."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        base = tomllib.load(f).get("tool", {}).get("mutmut", {})
    table: dict[str, object] = dict(base)
    table["only_mutate"] = [f"src/cxmetrics/{module}"]
    table["pytest_add_cli_args_test_selection"] = list(tests)
    return table


def load_equivalent() -> dict[str, dict[str, str]]:
    """Accepted equivalent mutants: module -> {mutant name: reason}."""
    if not EQUIVALENT.exists():
        return {}
    with EQUIVALENT.open("rb") as f:
        data = tomllib.load(f)
    out: dict[str, dict[str, str]] = {}
    for module, names in data.items():
        if module not in MODULES:
            msg = f"{EQUIVALENT}: unknown module {module!r}; known: {sorted(MODULES)}"
            raise SystemExit(msg)
        for name, reason in names.items():
            if not isinstance(reason, str) or not reason.strip():
                msg = f"{EQUIVALENT}: {module} {name} needs a one-line reason"
                raise SystemExit(msg)
        out[module] = dict(names)
    return out


def prepare(module: str, tests: tuple[str, ...]) -> Path:
    """A scratch copy of the repository for one module's mutation run."""
    slug = module.replace("/", "__").removesuffix(".py")
    work = SCRATCH / slug
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    _write_pyproject(work, module, tests)
    return work


def _write_pyproject(work: Path, module: str, tests: tuple[str, ...]) -> None:
    """The checkout's pyproject.toml with the module's ``[tool.mutmut]`` table."""
    text = _without_mutmut_table((ROOT / "pyproject.toml").read_text("utf-8"))
    table = mutmut_table(module, tests)
    lines = ["", "[tool.mutmut]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    (work / "pyproject.toml").write_text(
        text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", "utf-8"
    )


def resume(module: str, tests: tuple[str, ...]) -> Path | None:
    """The kept scratch copy of an earlier run, with this checkout's tests copied in.

    None (with a message) when there is no kept run to resume, when the module's
    source changed since (mutants and their names would differ) or a test path
    was dropped from its selection (a kept verdict may no longer hold): run in
    full again. Test paths added to the selection are written into the copy.
    """
    work = SCRATCH / module.replace("/", "__").removesuffix(".py")
    source = Path("src") / "cxmetrics" / module
    if not (work / "mutants").is_dir():
        print(f"   no kept run of {module} in {work} to resume: run it with --keep")
        return None
    if (work / source).read_bytes() != (ROOT / source).read_bytes():
        print(f"   {module} changed since the kept run: run it in full again")
        return None
    with (work / "pyproject.toml").open("rb") as f:
        kept = tomllib.load(f)["tool"]["mutmut"]
    kept_tests = kept.get("pytest_add_cli_args_test_selection", [])
    if not set(kept_tests) <= set(tests):
        # a test path was removed: a verdict of the kept run may no longer hold
        print(f"   the tests of {module} changed since the kept run: run it in full")
        return None
    if kept_tests != list(tests):
        # test paths were only added: they can only kill more
        _write_pyproject(work, module, tests)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    shutil.rmtree(work / "tests")
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    # mutmut runs the tests from its own copy under mutants/
    shutil.rmtree(work / "mutants" / "tests")
    shutil.copytree(ROOT / "tests", work / "mutants" / "tests", ignore=ignore)
    # the other modules as they are now (fixed since, perhaps): the new tests
    # exercise them too; the mutated module itself is unchanged (checked above)
    for path in (ROOT / "src").rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel != source:
            for base in (work, work / "mutants"):
                (base / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, base / rel)
    return work


def _results(work: Path, env: dict[str, str]) -> dict[str, str] | None:
    """Mutant name -> status from ``mutmut results --all true`` in ``work``."""
    res = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=work,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        return None
    statuses = {}
    for line in res.stdout.splitlines():
        m = _RESULT.match(line)
        if m:
            statuses[m["name"]] = m["status"].strip()
    return statuses


def run_module(
    module: str, jobs: int, *, resumed: bool = False
) -> dict[str, str] | None:
    """Mutant name -> status for one module, or None when mutmut failed.

    ``resumed``: re-test only the mutants a kept run tested and did not kill,
    against the current tests (tests are only ever added, so a killed mutant
    stays killed).
    """
    tests = MODULES[module]
    env = dict(os.environ)
    env.setdefault("CXMETRICS_HYPOTHESIS_PROFILE", "ci")
    # the scratch copy's src/ is what mutmut mutates: drop this checkout's src/
    paths = env.get("PYTHONPATH", "").split(os.pathsep)
    keep = [p for p in paths if p and Path(p).resolve() != ROOT / "src"]
    env["PYTHONPATH"] = os.pathsep.join(keep)
    names: list[str] = []
    before: dict[str, str] | None = None
    if resumed:
        found = resume(module, tests)
        if found is None:
            return None
        work = found
        kept = work / "verdicts.json"
        before = json.loads(kept.read_text("utf-8")) if kept.exists() else None
        before = before or _results(work, env)
        if before is None:
            return None
        names = sorted(
            n for n, s in before.items() if s not in KILLED and s != "not checked"
        )
        unchecked = sum(s == "not checked" for s in before.values())
        print(
            f"== {module}: re-run {len(names)} mutant(s) not killed "
            f"({unchecked} never checked stay so)",
            flush=True,
        )
        if not names:
            return before
    else:
        work = prepare(module, tests)
        print(f"== {module}: mutmut run against {', '.join(tests)}", flush=True)
    run = subprocess.run(  # noqa: S603  (our interpreter, fixed arguments)
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *names],
        cwd=work,
        env=env,
        check=False,
    )
    if run.returncode != 0:
        print(f"   mutmut run failed for {module} (exit {run.returncode})")
        return None
    after = _results(work, env)
    if after is None:
        return None
    if resumed:
        # the kept verdicts stand; only the re-run mutants get new ones (mutmut
        # forgets the others' when its configuration was rewritten)
        merged = dict(before or {})
        merged.update({n: after[n] for n in names if n in after})
        after = merged
    (work / "verdicts.json").write_text(json.dumps(after, indent=0), "utf-8")
    return after


def score(
    module: str, statuses: dict[str, str], equivalent: dict[str, str]
) -> tuple[float, list[str], list[str]]:
    """The module's score, its surviving mutants and stale equivalent entries."""
    killed = [n for n, s in statuses.items() if s in KILLED]
    # a mutant an interrupted run never reached counts as not killed, listed or not
    unchecked = [n for n, s in statuses.items() if s == "not checked"]
    tested = {n: s for n, s in statuses.items() if s != "not checked"}
    accepted = [n for n, s in tested.items() if s not in KILLED and n in equivalent]
    alive = sorted(
        n for n, s in tested.items() if s not in KILLED and n not in equivalent
    )
    stale = sorted(
        n for n in equivalent if statuses.get(n) in KILLED or n not in statuses
    )
    total = len(statuses)
    value = (len(killed) + len(accepted)) / total if total else float("nan")
    counts = Counter(statuses.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(
        f"   {module}: score {100 * value:.1f}% ({len(killed)} killed + "
        f"{len(accepted)} accepted equivalent of {total}; {detail})"
    )
    if unchecked:
        print(
            f"   {len(unchecked)} mutant(s) not checked (an interrupted run): "
            "run the module in full for its score"
        )
    return value, alive, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules under src/cxmetrics/")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--list", action="store_true", help="list the modules")
    parser.add_argument("--keep", action="store_true", help="keep build/mutation/")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="re-run only the mutants a kept run did not kill, with the current tests",
    )
    args = parser.parse_args(argv)
    if args.list:
        for module, tests in MODULES.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        print(f"unknown module(s) {unknown}; known: {sorted(MODULES)}")
        return 2
    if args.jobs < 1:
        print(f"--jobs must be at least 1; got {args.jobs}")
        return 2
    equivalent = load_equivalent()
    failed = False
    summary = []
    for module in args.modules or list(MODULES):
        statuses = run_module(module, args.jobs, resumed=args.resume)
        if statuses is None:
            failed = True
            summary.append(f"{module}: mutmut failed")
            continue
        value, alive, stale = score(module, statuses, equivalent.get(module, {}))
        for name in alive:
            print(f"   survived: {name} ({statuses[name]})")
        for name in stale:
            print(
                f"   equivalent.toml lists {name}, which is killed or gone: remove it"
            )
        summary.append(f"{module}: {100 * value:.1f}% ({len(alive)} surviving)")
        if not (args.keep or args.resume):
            shutil.rmtree(SCRATCH / module.replace("/", "__").removesuffix(".py"))
    print("\nmutation scores")
    for line in summary:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
