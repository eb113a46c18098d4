# make run: start the dashboard · make test: the whole suite · make bench ARGS=--quick: benchmarks
# The first target that needs it creates .venv and installs everything: the pinned versions of
# requirements.txt (torch 2.13.0, CPU wheel), then linreg itself as an editable package.
# make lock: refresh requirements.txt from pyproject.toml's dependencies.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server

.PHONY: run test bench lint format chromium redis clean lock

# plotly.js for the live views: the npm partial bundle with the trace types they draw (scatter),
# pinned to the plotly.js version the plotly package ships, checked against its SHA-256.
PLOTLY_JS_VERSION := 4.1.1
PLOTLY_JS_SHA256 := 99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba
PLOTLY_JS := linreg/page/component/assets/plotly-basic.min.js
# axe-core for the browser tests' accessibility checks.
AXE_VERSION := 4.14.1
AXE_SHA256 := 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE_JS := tests/browser/vendor/axe.min.js

PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -e .
	touch $(STAMP)

# npm_file PACKAGE@VERSION, FILE IN PACKAGE, TARGET, SHA-256: one file of an npm package.
define npm_file
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's npm..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		else echo "error: npm is missing; install Debian's npm package (sudo apt-get install npm)" >&2; exit 1; fi; }
	rm -rf $(3).tmp && mkdir -p $(3).tmp
	cd $(3).tmp && npm pack --silent $(1) >/dev/null && tar xzf *.tgz package/$(2)
	echo "$(4)  $(3).tmp/package/$(2)" | sha256sum --check --quiet
	mv $(3).tmp/package/$(2) $(3) && rm -rf $(3).tmp
endef

$(PLOTLY_JS):
	$(call npm_file,plotly.js-basic-dist-min@$(PLOTLY_JS_VERSION),plotly-basic.min.js,$@,$(PLOTLY_JS_SHA256))

$(AXE_JS):
	$(call npm_file,axe-core@$(AXE_VERSION),axe.min.js,$@,$(AXE_SHA256))

# Every transitive version, resolved afresh in a throwaway venv from pyproject.toml.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check '.[dev]'
	echo "# Every pinned version linreg installs (pip install -r requirements.txt); refresh with: make lock" > requirements.txt
	.lock-venv/bin/python -m pip freeze --exclude linreg | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' >> requirements.txt
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

run: $(STAMP) $(PLOTLY_JS)
	$(PY) -m streamlit run app.py

test: $(STAMP) $(PLOTLY_JS) $(AXE_JS) chromium redis
	$(PY) -m pytest

bench: $(STAMP) $(PLOTLY_JS) chromium
	$(PY) -m benchmarks $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
