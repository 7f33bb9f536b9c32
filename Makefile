# Chợ Xanh — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/vite-plugins shared_schema -type f 2>/dev/null) \
               pwa/index.html pwa/vite.config.js pwa/package-lock.json

.PHONY: help setup run test lint test-js test-py chromium clean

help:
	@echo "make run   - set up, seed the demo on SQLite, serve http://$(HOST):$(PORT)"
	@echo "make test  - set up and run every test (again on PostgreSQL if TEST_DATABASE_URL is set)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build --silent
	touch $@

setup: $(VENV)/.installed pwa/dist/index.html

run: setup
	$(PY) manage.py db upgrade
	$(PY) manage.py seed-demo --if-empty
	$(PY) manage.py seed-demo-visits
	@echo
	@echo "Chợ Xanh: open http://$(HOST):$(PORT)/  (API health: http://$(HOST):$(PORT)/api/v1/health)"
	@echo "This year's dashboard: http://$(HOST):$(PORT)/city?period=$$(TZ=Asia/Ho_Chi_Minh date +%Y) (as thanhpho; the demo has inspections from 2023 on)"
	@echo
	$(PY) manage.py serve --host $(HOST) --port $(PORT) --with-scheduler

# Debian's Chromium drives the browser tests; install it when missing and we may.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Browser tests need Chromium: sudo apt-get install -y chromium"; exit 1; fi; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

test-js: pwa/node_modules/.installed
	cd pwa && npm test --silent

# Both pytest passes at once, SQLite's output first (tests/run_passes.sh).
test-py: setup chromium
	PY=$(PY) bash tests/run_passes.sh

test: setup lint test-js test-py

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist
