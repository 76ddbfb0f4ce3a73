# mlops-template: two commands for a fresh machine (see README.md).
#   make demo   bake a project with the default answers, train it, print its metrics
#   make test   run the whole harness that proves what the template generates
#   make bench  measure bake, set-up and pipeline overhead against a bare script (benchmarks/)
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := $(CURDIR)/.venv
# Bakes run `uv` and `dvc` from the harness environment.
export PATH := $(VENV)/bin:$(PATH)
DEMO_DIR := build/demo

.PHONY: help env demo test bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

env: $(VENV)/.synced ## Create .venv with the harness tools (cookiecutter, dvc, uv, pytest)

$(VENV)/.synced: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	uv sync --locked --quiet
	touch $@

demo: env ## Bake a project with the default answers, train it end to end, print its metrics
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	cookiecutter --no-input . --output-dir $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR)/my-ml-project setup repro
	cd $(DEMO_DIR)/my-ml-project && dvc metrics show

test: env ## Run the whole harness: hooks, bakes of the option matrix, end-to-end pipelines
	pytest

bench: env ## Measure bake, set-up and pipeline overhead against a bare script (~15 min idle; BENCH_ARGS="--quick")
	python benchmarks/run.py $(BENCH_ARGS)
