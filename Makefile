# One-command set-up: every target builds .venv on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test bench evaluate clean

$(VENV)/.installed: pyproject.toml
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) pipeline.py demo

test: setup
	$(PY) -m pytest

evaluate: setup
	$(PY) pipeline.py evaluate tests/fixtures/dev
	$(PY) pipeline.py evaluate tests/fixtures/stream

bench: setup
	$(PY) bench/bench_extract.py

clean:
	rm -rf $(VENV) data/demo.db
