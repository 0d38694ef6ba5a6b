# Two commands for a new user (see README): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MIRROR := $(wildcard ../shared/corpus/raw)
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
ifneq ($(MIRROR),)
export SRO_CORPUS_MIRROR ?= $(abspath $(MIRROR))
endif

.PHONY: setup run test eval bench browser clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: anything else would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: setup
	$(PY) app.py

# The browser test needs Debian's chromium; install it when we can (root with apt-get).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: setup browser
	$(PY) -m pytest

# The golden set through the gate (with the plain LangChain pipeline beside it), then the holdout,
# reported only; then the agreement review on the labelled agreements (its holdout reported only).
eval: setup
	$(VENV)/bin/sro-assistant eval --compare-vanilla --out evals/reports/main
	$(VENV)/bin/sro-assistant eval --set evals/holdout.jsonl --report-only --compare-vanilla --out evals/reports/holdout
	$(VENV)/bin/sro-assistant eval --agreements --out evals/reports/agreements

bench: setup
	$(PY) evals/bench.py

clean:
	rm -rf data .pytest_cache
