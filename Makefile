# `make run` and `make test` each do all set-up from a fresh clone, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "advisorybot needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

# With a bot token (environment or .env): the real bot. Without one: the sandbox (README).
run: setup
	@if $(BIN)/advisorybot sandbox --token-missing 2>/dev/null; then \
		$(BIN)/advisorybot sandbox; \
	else \
		$(BIN)/advisorybot db upgrade && $(BIN)/advisorybot run; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	tools/system-deps
	$(BIN)/pytest -p no:cacheprovider -n auto --durations=15

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
