# Nudgelayer — one command per job. `make run` and `make test` set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY      := .venv/bin/python
PIP     := .venv/bin/pip
PORT    ?= 5000
DEMO_PORT ?= 5001
export NUDGELAYER_INSTANCE ?= $(CURDIR)/instance
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv/.installed: requirements-dev.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade "pip>=24"
	$(PIP) install -q -r requirements-dev.lock
	$(PIP) install -q --no-deps -e .
	touch $@

venv: .venv/.installed ## Create the Python virtualenv with pinned dependencies

extension/node_modules/.installed: extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund
	touch $@

ext: extension/node_modules/.installed ## Build the extension into extension/dist/
	cd extension && npm run build

db: venv ## Create or upgrade the database; seed the demo workspace when empty
	.venv/bin/nudgelayer init-db
	DEMO_URL=http://127.0.0.1:$(DEMO_PORT) .venv/bin/nudgelayer seed-demo

run: venv ext db ## Build, set up and serve on http://127.0.0.1:$(PORT) (demo dashboard on $(DEMO_PORT))
	@echo "Load the extension unpacked from $(CURDIR)/extension/dist"
	@echo "Console: http://127.0.0.1:$(PORT)/console   Demo dashboard: http://127.0.0.1:$(DEMO_PORT)/"
	@$(PY) demo/server.py --host 127.0.0.1 --port $(DEMO_PORT) & demo=$$!; \
	trap 'kill $$demo 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) .venv/bin/gunicorn -c gunicorn.conf.py 'nudgelayer:create_app()'

chromium: ## Install Debian's Chromium for browser tests when it is missing
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: venv ext chromium ## Run every test: backend, contracts, extension units, end-to-end
	cd extension && npm test
	$(PY) -m pytest

test-fast: venv ## Backend tests only (no browser)
	$(PY) -m pytest -m "not e2e" tests

lint: venv ## ruff lint and format check
	.venv/bin/ruff check backend tests e2e demo bench
	.venv/bin/ruff format --check backend tests e2e demo bench

fmt: venv ## Format Python code
	.venv/bin/ruff format backend tests e2e demo bench
	.venv/bin/ruff check --fix backend tests e2e demo bench

lock: ## Re-pin Python dependencies into requirements*.lock (fresh virtualenvs)
	rm -rf /tmp/nl-lock && python3 -m venv /tmp/nl-lock && /tmp/nl-lock/bin/pip install -q .
	/tmp/nl-lock/bin/pip freeze --exclude-editable | grep -v '^nudgelayer' > requirements.lock
	/tmp/nl-lock/bin/pip install -q '.[dev,scale]'
	/tmp/nl-lock/bin/pip freeze --exclude-editable | grep -v '^nudgelayer' > requirements-dev.lock

clean: ## Remove build output and the local database
	rm -rf extension/dist instance .pytest_cache


test-scale: venv ## Run the suite against real PostgreSQL + Redis with two server processes
	bash scripts/test-scale.sh

bench: venv ext chromium ## Run the benchmarks; writes bench/results.json
	$(PY) bench/run.py

.PHONY: help venv ext db run chromium test test-fast test-scale bench lint fmt lock clean
