# make run: start the dashboard · make test: the whole suite · make bench ARGS=--quick: benchmarks
# The first target that needs it creates .venv and installs everything: the pinned versions of
# requirements.lock (torch 2.13.0, CPU wheel), then linreg itself as an editable package.
# make lock: refresh requirements.lock from pyproject.toml's dependencies.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server

.PHONY: run test bench lint format chromium redis clean lock

PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(STAMP)

# Every transitive version, resolved afresh in a throwaway venv from pyproject.toml.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check '.[dev]'
	echo "# Every version make installs; refresh with: make lock" > requirements.lock
	.lock-venv/bin/python -m pip freeze --exclude linreg >> requirements.lock
	rm -rf .lock-venv build

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "error: $(CHROMIUM) is missing; install Debian's chromium package (sudo apt-get install chromium)" >&2; exit 1; \
	fi

# Debian's redis-server for the room tests (each test session starts its own on a free port).
redis:
	@if [ -x $(REDIS_SERVER) ] || command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's redis-server for the room tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else \
		echo "error: redis-server is missing; install Debian's redis-server package (sudo apt-get install redis-server)" >&2; exit 1; \
	fi

run: $(STAMP)
	$(PY) -m streamlit run app.py

test: $(STAMP) chromium redis
	$(PY) -m pytest

bench: $(STAMP) chromium
	$(PY) -m benchmarks $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
