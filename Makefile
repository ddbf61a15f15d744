# Two commands for a newcomer: `make demo` and `make test`. Both build their own venv.
PYTHON ?= python3
VENV := .venv
CORE_VENV := .venv-core
PY := $(VENV)/bin/python
CORE_PY := $(CORE_VENV)/bin/python
export CXMETRICS_HYPOTHESIS_PROFILE ?= ci

.PHONY: demo test lint typecheck pytest test-core bench bench-smoke sample-data clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

$(CORE_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(CORE_VENV)
	$(CORE_PY) -m pip install --quiet --upgrade pip
	$(CORE_PY) -m pip install --quiet -e '.[test-core]'
	touch $@

## demo: NPS / CSAT / CES of the bundled sample survey, by segment, with intervals
demo: $(VENV)/.installed
	$(PY) -m cxmetrics.demo

## test: lint, types, the whole suite with doctests, a benchmark smoke run, and the core-only job
test: lint typecheck pytest bench-smoke test-core

lint: $(VENV)/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed
	$(PY) -m pytest -n 2 -q

bench-smoke: $(VENV)/.installed
	$(PY) benchmarks/survey.py --smoke
	$(PY) benchmarks/retention.py --smoke
	$(PY) benchmarks/retention_cohorts.py --smoke
	$(PY) benchmarks/staffing.py --smoke
	$(PY) benchmarks/clv.py --smoke

## test-core: numpy + attrs only (no scipy, pandas, polars): the core must work there
test-core: $(CORE_VENV)/.installed
	$(CORE_PY) -c "import importlib.util as u, sys; bad = [m for m in ('scipy', 'pandas', 'polars', 'statsmodels') if u.find_spec(m)]; sys.exit(f'core venv has {bad}' if bad else 0)"
	$(CORE_PY) -m pytest -q -p no:cacheprovider tests

## bench: full-size benchmarks (10^7 and 10^8 answers) against pandas, polars and numpy
bench: $(VENV)/.installed
	$(PY) benchmarks/survey.py

sample-data: $(VENV)/.installed
	$(PY) scripts/make_sample_data.py

clean:
	rm -rf $(VENV) $(CORE_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
