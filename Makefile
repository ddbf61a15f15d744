# Two commands for a newcomer: `make demo` and `make test`. Both build their own venv.
PYTHON ?= python3
VENV := .venv
CORE_VENV := .venv-core
PY := $(VENV)/bin/python
CORE_PY := $(CORE_VENV)/bin/python
export CXMETRICS_HYPOTHESIS_PROFILE ?= ci

.PHONY: browser demo docs test lint typecheck pytest test-core bench bench-scale bench-smoke sample-data clean

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

# the `docs` extra (MkDocs, Material, mkdocstrings) on top of the main venv
$(VENV)/.docs-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

## demo: NPS / CSAT / CES of the bundled sample survey, by segment, with intervals, then the HTML report of every sample
demo: $(VENV)/.installed
	$(PY) -m cxmetrics.demo

## test: lint, the docs site, types, the whole suite with doctests, a benchmark smoke run, and the core-only job
test: lint docs typecheck browser pytest bench-smoke test-core

lint: $(VENV)/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

## docs: the documentation site (mkdocs.yml) into site/; every warning is an error
docs: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --clean --site-dir site

## browser: Debian's chromium for the report's browser test (skipped, and said, where it cannot be installed)
browser:
	@command -v chromium >/dev/null 2>&1 || apt-get install -y -q chromium >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) \
	  || echo "chromium could not be installed: the report's browser test will skip"

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed
	$(PY) -m pytest -n 2 -q

bench-smoke: $(VENV)/.installed
	$(PY) benchmarks/survey.py --smoke
	$(PY) benchmarks/retention.py --smoke
	$(PY) benchmarks/retention_cohorts.py --smoke
	$(PY) benchmarks/staffing.py --smoke
	$(PY) benchmarks/scale.py --smoke
	$(PY) benchmarks/support.py --smoke
	$(PY) benchmarks/clv.py --smoke
	$(PY) benchmarks/sketch.py --smoke
	$(PY) benchmarks/workforce.py --smoke
	$(PY) benchmarks/experiments.py --smoke
	$(PY) benchmarks/journeys.py --smoke
	$(PY) benchmarks/voice.py --smoke

## test-core: numpy + attrs only (no scipy, pandas, polars): the core must work there
test-core: $(CORE_VENV)/.installed
	$(CORE_PY) -c "import importlib.util as u, sys; bad = [m for m in ('scipy', 'pandas', 'polars', 'statsmodels') if u.find_spec(m)]; sys.exit(f'core venv has {bad}' if bad else 0)"
	$(CORE_PY) -m pytest -n 2 -q -p no:cacheprovider tests

## bench: full-size benchmarks (10^7 and 10^8 answers) against pandas, polars and numpy
bench: $(VENV)/.installed
	$(PY) benchmarks/survey.py

## bench-scale: grouped NPS on 10^8 answers: numpy, polars, DuckDB, Dask; chunked memory
bench-scale: $(VENV)/.installed
	$(PY) benchmarks/scale.py

sample-data: $(VENV)/.installed
	$(PY) scripts/make_sample_data.py

clean:
	rm -rf $(VENV) $(CORE_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site

## mutation: mutation testing of the core modules with mutmut (slow, not part of `make test`);
## one module: make mutation MODULES=stats/_interval.py; MUTATION_JOBS=2 runs two mutants at once
MUTMUT_VERSION := 3.8.1
MUTATION_JOBS ?= 1
MODULES ?=
.PHONY: mutation
mutation: $(VENV)/.installed
	@$(PY) -c "import importlib.metadata as m, sys; sys.exit(m.version('mutmut') != '$(MUTMUT_VERSION)')" 2>/dev/null \
	  || $(PY) -m pip install --quiet 'mutmut==$(MUTMUT_VERSION)'
	$(PY) scripts/mutation.py --jobs $(MUTATION_JOBS) $(MODULES)
