# Two entry points: `make run` (set up, start the app on the bundled trial)
# and `make test` (set up, run every test, browser tests included).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: setup system run test data bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[export,test]'
	touch $@

setup: $(VENV)/.installed

# Debian's Chromium for browser tests and image export (never a downloaded browser).
system:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

run: setup
	$(BIN)/python -m dashboard.serve --server.port $(PORT)

test: setup system
	$(BIN)/python -m pytest -q

data: setup
	$(BIN)/python data/focused_deterrence/build.py

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
