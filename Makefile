# Two commands on a fresh machine:  `make run` (dashboard on a demo store)  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_CANDIDATES ?= 10000
PORT ?= 8501
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1

.PHONY: install sysdeps run test check lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,scale]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the PDF reports and browser tests need (Chromium, a CJK font, pdftotext).
sysdeps:
	@if command -v chromium >/dev/null && command -v pdftotext >/dev/null && \
	    fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        chromium fonts-noto-cjk poppler-utils >/dev/null; \
	else \
	    echo "run as root, or: sudo apt-get install -y chromium fonts-noto-cjk poppler-utils"; exit 1; \
	fi

# Creates the store and a demo world only when the store is empty: never overwrites your data.
run: install sysdeps
	$(BIN)/talentmap init
	$(BIN)/talentmap demo --if-empty --candidates $(DEMO_CANDIDATES) --seed 7
	$(BIN)/talentmap serve --port $(PORT)

# The whole suite: lint and types, then every test on SQLite and PostgreSQL (browser and slow ones too).
test: install sysdeps lint
	$(BIN)/python -m pytest

# Style and types: ruff (lint and format) and mypy (strict on data/ and ml/, see pyproject).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The quick loop: lint, types and the tests not marked slow or browser, on SQLite only.
check: install lint
	TALENTMAP_TEST_DBS=sqlite $(BIN)/python -m pytest -q -m "not slow and not browser"

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
