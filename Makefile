# shadowfleet: two commands do all set-up on a fresh machine.
#   make demo   installs, builds the demo data, serves the site on http://127.0.0.1:8000
#   make test   installs (Python, npm and system packages) and runs lint, type checks and tests
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test install system lint typecheck pytest bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(BIN)/.installed
	@if [ -f package.json ]; then $(MAKE) --no-print-directory node_modules/.installed; fi

system:
	bash scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

demo: install
	$(BIN)/shadowfleet demo

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) node_modules var
