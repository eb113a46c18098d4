# make run: start the dashboard · make test: the whole suite · make bench ARGS=--quick: benchmarks
# The first target that needs it creates .venv and installs everything (torch pinned, CPU wheel).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server

.PHONY: run test bench lint format chromium redis clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

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
