# The README's two commands: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
# The uv that scripts/bootstrap.sh found or installed: read when each recipe runs (after
# `setup`), not when make starts, since on a fresh machine it is installed by `setup`.
UV = "$$(cat .uv-path)"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION = 1

.PHONY: setup demo test lint bench docs clean

setup:
	@scripts/bootstrap.sh --with-browser

demo: setup
	@$(UV) run --locked stac-ingest demo

test: setup
	@$(UV) run --locked ruff check .
	@$(UV) run --locked ruff format --check .
	@$(UV) run --locked mypy stac_ingest infra
	@$(UV) run --locked pytest

lint:
	$(UV) run ruff check . && $(UV) run ruff format --check . && $(UV) run mypy stac_ingest infra

bench: setup
	@$(UV) run --locked --group bench python -m bench

docs: setup
	@$(UV) run --locked mkdocs build --strict

clean:
	rm -rf .venv .tools .uv-path node_modules cdk.out site .pytest_cache .mypy_cache .ruff_cache
