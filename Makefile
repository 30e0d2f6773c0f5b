# Condividi: the author's interface. Every target sets itself up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready
NODE_READY := node_modules/.ready
SYSTEM_READY := $(VENV)/.system-ready
PORT ?= 8000
TITLE ?=
N ?= 1000
ROUNDS ?= 3
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup html publish serve newpost clean test lint format bench bench-tools

help:
	@echo "make serve      build the site and serve it on http://127.0.0.1:$(PORT) (rebuilds on change)"
	@echo "make html       development build into output/"
	@echo "make publish    production build (publishconf.py; SITEURL from the environment)"
	@echo "make newpost TITLE=\"...\"   a new draft post in content/articles/"
	@echo "make test       the whole test suite"
	@echo "make bench      benchmark against plain Pelican (N=1000 posts; N=200 for a quick run)"
	@echo "make clean      remove output/ and caches"

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(READY)

html: $(READY)
	$(PY) -m condividi build --settings pelicanconf.py --output output

publish: $(READY)
	$(PY) -m condividi build --settings publishconf.py --output output

serve: $(READY)
	$(PY) -m condividi serve --port $(PORT)

newpost: $(READY)
	@test -n "$(TITLE)" || { echo 'usage: make newpost TITLE="Il titolo del post"'; exit 2; }
	$(PY) -m condividi newpost "$(TITLE)"

clean:
	rm -rf output cache .pytest_cache bench/results

# Benchmarks (not part of make test): Condividi against plain Pelican on a generated corpus.
# Lighthouse is optional: `make bench-tools` installs it into bench/node_modules.
bench: $(READY)
	$(PY) -m bench --posts $(N) --rounds $(ROUNDS) $(BENCH_ARGS)

bench-tools:
	npm install --prefix bench --no-audit --no-fund --silent

# Test tools outside PyPI: Debian's Chromium and Java (for vnu), npm's vnu-jar.
$(SYSTEM_READY): scripts/setup-system.sh | $(READY)
	bash scripts/setup-system.sh
	touch $@

$(NODE_READY): package.json
	npm install --no-audit --no-fund --silent
	touch $@

test: $(READY) $(SYSTEM_READY) $(NODE_READY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(READY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(READY)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
