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

.PHONY: help env containers renderers demo test bench locks

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

env: $(VENV)/.synced ## Create .venv with the harness tools (cookiecutter, dvc, uv, pytest)

$(VENV)/.synced: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	uv sync --locked --quiet
	touch $@

# The image lane (tests/test_serving.py) builds the server's image with podman (runc as its
# runtime) on a Debian base that mmdebstrap makes, since it may reach no image registry.
CONTAINER_TOOLS := podman runc mmdebstrap docker-registry
containers: ## Install podman, runc, mmdebstrap and docker-registry from Debian where missing (apt-get, as root or with sudo)
	@missing="$$(for tool in $(CONTAINER_TOOLS); do command -v "$$tool" >/dev/null || echo "$$tool"; done)"; \
	if [ -n "$$missing" ]; then \
		as_root="$$([ "$$(id -u)" = 0 ] || echo sudo)"; \
		echo "Installing the image lane's Debian packages:" $$missing; \
		$$as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$as_root apt-get install -y -qq $$missing; \
	fi

# GitHub draws ```mermaid blocks in a comment; the harness renders the PR report's with mermaid-cli
# (npm, pinned by tests/mermaid/package-lock.json) in Debian's Chromium, as no browser download is reachable.
MERMAID_DIR := build/mermaid
renderers: $(MERMAID_DIR)/.installed ## Install mermaid-cli (npm) and Chromium, Node.js and npm (apt-get) for the PR report's charts

$(MERMAID_DIR)/.installed: tests/mermaid/package.json tests/mermaid/package-lock.json
	@missing="$$(command -v chromium >/dev/null || echo chromium; command -v npm >/dev/null || echo nodejs npm)"; \
	if [ -n "$$missing" ]; then \
		as_root="$$([ "$$(id -u)" = 0 ] || echo sudo)"; \
		echo "Installing for mermaid-cli, from Debian:" $$missing; \
		$$as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$as_root apt-get install -y -qq $$missing; \
	fi
	mkdir -p $(MERMAID_DIR) && cp tests/mermaid/package.json tests/mermaid/package-lock.json $(MERMAID_DIR)/
	cd $(MERMAID_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: env ## Bake a project with the default answers, train it end to end, print its metrics
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	cookiecutter --no-input . --output-dir $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR)/my-ml-project setup repro
	cd $(DEMO_DIR)/my-ml-project && dvc metrics show

test: env containers renderers ## Run the whole harness: hooks, bakes of the option matrix, end-to-end pipelines, the image
	pytest

# The baked project's uv.lock ships with the template, one per DVC extra (variant=dvc_remote answer);
# the bake writes in the project's name and Python. Rerun after changing the project's dependencies;
# .github/workflows/locks.yml reruns it weekly. uv prints each version it changes.
LOCKS_DIR := {{cookiecutter.project_slug}}/.locks
LOCK_VARIANTS := plain=local s3=s3 gs=gs azure=azure
locks: env ## Re-resolve the shipped locks of baked projects ({{cookiecutter.project_slug}}/.locks/)
	rm -rf build/locks && mkdir -p "$(LOCKS_DIR)"
	for pair in $(LOCK_VARIANTS); do \
		variant="$${pair%%=*}"; \
		echo "$(LOCKS_DIR)/$$variant.lock:"; \
		TEMPLATE_RELOCK=1 cookiecutter --no-input . --output-dir "build/locks/$$variant" \
			project_name="Lock Project" python_version=3.11 dvc_remote="$${pair#*=}"; \
		cp "build/locks/$$variant/lock-project/uv.lock" "$(LOCKS_DIR)/$$variant.lock"; \
	done

bench: env ## Measure bake, set-up and pipeline overhead against a bare script, and the server against MLServer (~30 min idle; BENCH_ARGS="--quick")
	python benchmarks/run.py $(BENCH_ARGS)
