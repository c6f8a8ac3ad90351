# geoleads: `make run` sets everything up and runs the main job; `make test` sets up and tests.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export GEOLEADS_HOME ?= $(CURDIR)/var
export GEOLEADS_CACHE_DIR ?= $(GEOLEADS_HOME)/cache
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test install native system-deps gazetteer lint typecheck pytest demo bench clean

DEMO := data/demo/tips.csv

run: install gazetteer ## set up, write the demo summaries and maps, serve the investigators' app
	$(PY) -m geoleads summarize $(DEMO) --format json -q -o maps/demo-summary.json
	$(PY) -m geoleads map --all --tips $(DEMO) --standalone -q -o maps/demo-overview.html
	$(PY) -m geoleads export --tips $(DEMO) --level country --format xlsx -q -o maps/demo-countries.xlsx
	@echo "geoleads: demo summaries in maps/demo-summary.json, maps/demo-countries.xlsx;"
	@echo "geoleads: campaign overview map in maps/demo-overview.html (opens from disk, offline)"
	$(PY) -m geoleads demo

test: system-deps install gazetteer lint typecheck pytest ## set up and run every check

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The geoparser's hot modules compiled with mypyc (pure Python when impossible; see
# geoleads/_native.py: an edited .py is never shadowed by its old build).
NATIVE := geoleads/native.json
NATIVE_SRC := geoleads/textscan.py geoleads/spans.py geoleads/nametables.py \
	geoleads/judging.py geoleads/extract.py geoleads/records.py geoleads/readings.py \
	geoleads/textcontext.py \
	geoleads/resolve.py geoleads/coordinates.py geoleads/abbreviations.py geoleads/inflect.py \
	geoleads/folding.py geoleads/_native.py geoleads/nativebuild.py

$(NATIVE): $(NATIVE_SRC) | $(STAMP)
	$(PY) -m geoleads.nativebuild build

install: $(STAMP) $(NATIVE)

native: install ## (re)compile the hot modules with mypyc now
	$(PY) -m geoleads.nativebuild build

system-deps: ## Debian packages the tests use: chromium (browser tests), PostgreSQL + PostGIS
	bash .ci/install-system-deps

gazetteer: install ## build the offline gazetteer cache once (about 30 s)
	$(PY) -m geoleads gazetteer build

lint: install
	$(VENV)/bin/ruff check geoleads tests benchmarks webapp.py data
	$(VENV)/bin/ruff format --check geoleads tests benchmarks webapp.py data

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install gazetteer ## speed and accuracy benchmarks (numbers go in the README)
	$(PY) benchmarks/gazetteer_load.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
	rm -f geoleads/*.so geoleads/native.json
