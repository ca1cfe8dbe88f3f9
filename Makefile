# juesuan — set-up and routine commands. `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
FONT_FILES := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
              /usr/share/fonts/truetype/arphic/uming.ttc
DEBIAN_PACKAGES := fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming poppler-utils
SHARED ?= ../shared
SEED_TEXT := $(SHARED)/corpus/seed/000_dac8e1c6e90fb209.txt
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help env fonts demo test test-fast test-heavy lint format samples clean bench server chromium

help:
	@echo "make demo    - create the environment, ingest and export the bundled samples, run example queries"
	@echo "make test    - run the whole test suite (corpus, engines, warehouse, Prefect, Chromium; ~7 min)"
	@echo "make test-fast - tests/unit, while you work (~20 s): reference data, properties, golden figures"
	@echo "make lint    - ruff, and the import contracts (lint-imports: the chain imports one way)"
	@echo "make samples - rebuild data/raw/samples from the generator (seed PDF needs $(SHARED))"
	@echo "make bench   - throughput against pdfplumber's bare extract_tables (bench/results.json)"
	@echo "make server  - a Prefect server on 127.0.0.1:4200 for the nightly schedule (juesuan schedule)"

# The environment: a venv with exact pins from requirements.lock (uv resolves, pip bootstraps uv).
# Byte-compiled at install (uv does not by default, and where PYTHONDONTWRITEBYTECODE is set nothing is ever
# cached): compiling typer, pydantic and the rest from source is half of `juesuan query`'s start-up.
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m compileall -q juesuan flows schemas
	touch $@

env: $(STAMP) fonts

# CJK TrueType fonts for the PDFs we generate, and poppler for reference measurements: Debian packages.
fonts:
	@missing=0; for f in $(FONT_FILES); do [ -f $$f ] || missing=1; done; command -v pdftoppm >/dev/null || missing=1; \
	if [ $$missing = 1 ]; then \
	  echo "installing $(DEBIAN_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	fi

WAREHOUSE := data/processed/warehouse.duckdb
EXTRACTS := data/processed/extracts
JS := $(VENV)/bin/juesuan

demo: env
	@echo "== 1. the bundled sample disclosures (data/raw/samples) =="
	$(JS) inventory data/raw/samples
	@echo "== 2. ingest: parse, validate, load into $(WAREHOUSE) (re-running changes nothing) =="
	$(JS) ingest data/raw/samples --warehouse $(WAREHOUSE)
	@echo "== 3. extracts: Parquet by fiscal_year, CSV, dictionary, datapackage.json =="
	$(JS) export --warehouse $(WAREHOUSE) --out $(EXTRACTS)
	@echo "== 4. example queries (juesuan query \"SQL\"; or duckdb on $(WAREHOUSE) read-only) =="
	$(JS) query "SELECT d.department_name, d.fiscal_year, d.template_family, count(*) AS facts FROM facts JOIN documents d USING (document_id) WHERE d.status = 'loaded' GROUP BY ALL ORDER BY 1, 2" --warehouse $(WAREHOUSE)
	$(JS) query "SELECT department_name, fiscal_year, total_expenditure, basic_expenditure, project_expenditure, total_expenditure - lag(total_expenditure) OVER (PARTITION BY department_id ORDER BY fiscal_year) AS change_on_last_year FROM summary ORDER BY department_name, fiscal_year" --warehouse $(WAREHOUSE)
	$(JS) query "SELECT function_code, function_name, count(DISTINCT department_id) AS departments, sum(total_expenditure) AS total_yuan FROM expenditure_by_function WHERE level = '类' GROUP BY ALL ORDER BY total_yuan DESC LIMIT 8" --warehouse $(WAREHOUSE)
	@echo "Warehouse: $(WAREHOUSE)   Extracts: $(EXTRACTS)/latest   Parquet: read_parquet('$(EXTRACTS)/latest/facts/*/*.parquet', hive_partitioning=true)"
	@echo "Analysts: $(JS) query --release latest \"SQL\"  (or duckdb -readonly $(EXTRACTS)/latest/juesuan.duckdb: never blocks an ingest)"

# Debian's Chromium, for the tests that look at the published HTML pages
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: env chromium
	$(VENV)/bin/pytest -n 2 --dist loadgroup -m "not heavy" -q

# while you work: tests/unit — reference data, properties, the seed and the real documents' golden
# figures, no PDF rendered (~20 s). tests/integration (corpus, engines, warehouse) and tests/system (Prefect,
# Chromium, crash, concurrency) run in make test.
test-fast: env
	$(VENV)/bin/pytest -n 2 -m "not corpus and not heavy" -q tests/unit

test-heavy: env
	$(VENV)/bin/pytest -n 2 -m heavy -q

lint: env
	$(VENV)/bin/ruff check juesuan flows schemas tests bench
	$(VENV)/bin/ruff format --check juesuan flows schemas tests bench
	$(VENV)/bin/lint-imports --no-cache --no-logo  # the import contracts in pyproject.toml

format: env
	$(VENV)/bin/ruff format juesuan flows schemas tests
	$(VENV)/bin/ruff check --fix juesuan flows schemas tests

# The committed sample set: the seed disclosure plus a small deterministic generated set.
samples: env
	rm -f data/raw/samples/*.pdf data/raw/samples/*.truth.json
	$(PY) -m juesuan.synth.seed --text $(SEED_TEXT) --out data/raw/samples
	$(PY) -m juesuan.synth.samples --out data/raw/samples

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# A Prefect server on loopback for the nightly schedule (telemetry off); then, in another shell:
#   export PREFECT_API_URL=http://127.0.0.1:4200/api && .venv/bin/juesuan schedule
server: env
	PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 $(VENV)/bin/prefect server start --host 127.0.0.1 --port 4200

bench: env
	$(PY) bench/run.py
