# Personalize Admin: developer commands. `make help` lists them.

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help run test test-fast fuzz bench bench-rules bench-edge bench-analytics bench-admin loadtest deps test-deps chromium node-deps migrate demo lint clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Finds a Python >= 3.12 (Django 6 needs it): $PYTHON if set, then the usual names
# and pyenv's versions. Prints the path, or says what to install and fails.
define FIND_PYTHON
for candidate in "$${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
    $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 \
    /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
  [ -n "$$candidate" ] || continue; \
  if "$$candidate" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
    command -v "$$candidate" 2>/dev/null || echo "$$candidate"; exit 0; \
  fi; \
done; \
echo "Personalize Admin needs Python 3.12 or newer, and none was found." >&2; \
echo "Install one (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; or: pyenv install 3.12)," >&2; \
echo "or point PYTHON at it: make PYTHON=/path/to/python3.12 test" >&2; \
exit 1
endef

$(PY):
	@py=$$($(FIND_PYTHON)) || exit 1; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || \
	  (echo "$(VENV) uses Python < 3.12; remove it (make clean) and run again." >&2; exit 1)

$(VENV)/.deps: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.loadtest-deps: pyproject.toml $(VENV)/.test-deps
	$(PIP) install -q -e ".[test,loadtest]"
	@touch $@

$(VENV)/.test-deps: pyproject.toml | $(PY)
	$(PIP) install -q -e ".[test]"
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps ## Install the app's dependencies into .venv

test-deps: $(VENV)/.test-deps chromium node-deps ## Install everything the tests need

chromium: ## Make sure Debian's Chromium is installed (browser tests drive it)
	@if [ -n "$${CHROMIUM:-}" ] && [ -x "$${CHROMIUM}" ]; then exit 0; fi; \
	if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian's packages..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  echo "Installing Chromium from Debian's packages (sudo)..."; \
	  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium. Install it (Debian/Ubuntu: sudo apt-get install chromium)" >&2; \
	  echo "or set CHROMIUM=/path/to/chromium, then run make test again." >&2; exit 1; \
	fi

node-deps: ## Install the Node packages the Edge SDK tests run (tests/package.json)
	@if [ -f tests/package.json ]; then \
	  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules ]; then \
	    command -v npm >/dev/null 2>&1 || { echo "The Edge SDK tests need Node.js and npm (apt-get install nodejs npm)." >&2; exit 1; }; \
	    npm ci --prefix tests --no-audit --no-fund --loglevel=error && touch tests/node_modules; \
	  fi; \
	fi

migrate: $(VENV)/.deps
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

run: demo ## Set up, load the demo project and serve on http://127.0.0.1:8000
	@echo ""
	@echo "  Personalize Admin is starting on http://$(HOST):$(PORT)/"
	@echo "  Sign in as: demo / personalize-demo"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: test-deps ## Install what the tests need and run every test (browser tests included)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test-deps ## Run the tests without the browser
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 1000

fuzz: $(VENV)/.test-deps ## Fuzz the Management API with Schemathesis in depth (FUZZ_EXAMPLES per operation)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/api/test_fuzz.py -q $(PYTEST_ARGS)

bench-rules: $(VENV)/.test-deps ## Benchmark the audience engine against GrowthBook's (tests/artifacts/bench/rules.json)
	$(PY) -m tests.benchmarks.rules

bench-edge: $(VENV)/.test-deps ## Load-test GET /edge/manifest against a trivial view (tests/artifacts/bench/edge.json)
	$(PY) -m tests.benchmarks.edge $(BENCH_ARGS)

bench-analytics: $(VENV)/.test-deps ## Time analytics reads for 10k vs 2M raw events; POST /edge/events vs manifest (tests/artifacts/bench/analytics.json)
	$(PY) -m tests.benchmarks.analytics $(BENCH_ARGS)

bench-admin: $(VENV)/.test-deps ## Time the experiences list and an experience's pages with 1,000 experiences vs 10 (tests/artifacts/bench/admin.json)
	$(PY) -m tests.benchmarks.admin $(BENCH_ARGS)

bench: $(VENV)/.test-deps ## Run every benchmark on SQLite and PostgreSQL; write docs/benchmarks.md
	$(PY) -m tests.benchmarks.suite $(BENCH_ARGS)

loadtest: $(VENV)/.loadtest-deps ## gunicorn + PostgreSQL under Edge traffic and config changes, then faults; write docs/loadtest.md
	$(PY) -m tests.loadtest.run $(LOADTEST_ARGS)

lint: $(VENV)/.test-deps ## Check Python style with ruff (lint and format)
	$(VENV)/bin/ruff check personalize_admin tests
	$(VENV)/bin/ruff format --check personalize_admin tests

clean: ## Remove the virtual environment and generated files
	rm -rf $(VENV) staticfiles tests/artifacts tests/node_modules
