# Two commands: `make demo` and `make test`. Each sets everything up from a fresh clone.
#
# Two environments: .venv is the core install (no torch, no transformers/CKIP), which runs the demo and the
# whole test suite; .venv-extras adds the heavy extras ([gpu]: torch, [ckip]: ckip-transformers, GPL-3.0) and
# runs only the tests that need them or check what gets imported (markers ckip, torch, imports).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS_VENV ?= .venv-extras
EXTRAS_PY := $(EXTRAS_VENV)/bin/python
EXTRAS_STAMP := $(EXTRAS_VENV)/.installed
PYTEST := -m pytest -q -p no:cacheprovider

.PHONY: demo test lint test-core test-extras venv bench bench-scale labelstudio labelstudio-stop guide-screenshots clean

$(STAMP): pyproject.toml
	@# a CJK font for the PDF fixtures the tests and the demo generate (Debian; skipped when not possible)
	@dpkg -s fonts-arphic-uming >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-arphic-uming) \
		>/dev/null 2>&1 || echo "note: could not install fonts-arphic-uming; PDF tests will be skipped"
	@# Debian's chromium for the browser tests of the report and portal (Playwright drives it through
	@# executable_path; Playwright's own browser download is never used)
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium) \
		>/dev/null 2>&1 || echo "note: could not install chromium; browser tests will be skipped"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,ray,bench,presidio]'
	touch $(STAMP)

$(EXTRAS_STAMP): pyproject.toml
	test -x $(EXTRAS_PY) || $(PYTHON) -m venv $(EXTRAS_VENV)
	$(EXTRAS_PY) -m pip install -q --upgrade pip
	# torch first, pinned: the CPU wheel (a plain `torch` would pull a multi-GB CUDA build)
	$(EXTRAS_PY) -m pip install -q torch==2.13.0
	$(EXTRAS_PY) -m pip install -q -e '.[ckip,gpu,test,presidio]'
	touch $(EXTRAS_STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) demo/run_demo.py

test: lint test-core test-extras

# architecture rules and style: ruff (lint + format) and import-linter (contracts in pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test-core: $(STAMP)
	$(PY) $(PYTEST)

test-extras: $(EXTRAS_STAMP)
	$(EXTRAS_PY) $(PYTEST) -m "ckip or torch or imports"

# datatrove's MinHash baseline (bench_dedup) needs xxhash<4 and jieba: a side venv that sees the main one
BENCH_DT := .venv-bench-dt
$(BENCH_DT)/.installed: $(STAMP)
	test -x $(BENCH_DT)/bin/python || $(PYTHON) -m venv $(BENCH_DT)
	$(BENCH_DT)/bin/python -m pip install -q 'xxhash<4' jieba orjson
	echo "$(abspath $(VENV))/lib/python3.11/site-packages" > \
		"$$($(BENCH_DT)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/main-venv.pth"
	touch $@

bench: $(STAMP) $(BENCH_DT)/.installed
	for b in bench/bench_*.py; do echo "== $$b"; DATATROVE_PYTHON=$(BENCH_DT)/bin/python $(PY) $$b || exit 1; done

# scale benchmark (issue 17): synthetic law dump of N articles through the whole pipeline; time and peak RSS
# per step, growth exponents, docs/img/scale.png, the table in docs/benchmarks.md. Not part of `make test`.
N ?= 25000
bench-scale: $(STAMP)
	$(PY) bench/scale.py --n $(N) --compare-workers --write-docs

labelstudio: $(STAMP)
	bash annotation/labelstudio.sh start

labelstudio-stop:
	bash annotation/labelstudio.sh stop

# screenshots of the three labelling screens for docs/annotation-guide.zh-TW.md (headless Debian chromium)
guide-screenshots: $(STAMP)
	PYTHONPATH=. .venv/bin/python tests/annotation/screens.py docs/img

clean:
	rm -rf .curate demo-out bench-out curate.duckdb curate.duckdb.wal
