# Practica: the two commands are `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SITE_PORT ?= 8000
PUSH_PORT ?= 8001
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install chromium lint typecheck pytest build serve bench clean

$(BIN)/practica: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/practica

## make demo: build the demo community and serve the site (:8000) and the push service (:8001)
demo: install
	$(BIN)/practica validate --strict
	$(BIN)/practica serve --dev-addr 127.0.0.1:$(SITE_PORT)

## make test: ruff, mypy and the whole pytest suite (browser tests in Debian's Chromium)
test: install chromium
	$(BIN)/ruff check generator hooks tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; \
	fi

build: install
	$(BIN)/practica build

serve: install
	$(BIN)/practica serve --dev-addr 127.0.0.1:$(SITE_PORT)

## make bench [ARGS=--quick]: benchmarks against the budgets; results in bench/out/, recorded in bench/BENCHMARKS.md
bench: install chromium
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf site .cache .pytest_cache .mypy_cache .ruff_cache
