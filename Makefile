# Humdinger: `make demo` and `make test` do all set-up on a fresh Debian machine, idempotently.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || echo python3.11)
VENV := .venv
VPY := $(VENV)/bin/python
STAMPS := .make
DEB_PACKAGES := fluidsynth fluid-soundfont-gm libfluidsynth3 libportaudio2 libsndfile1 espeak-ng flite sox ffmpeg libspeexdsp1
PYTEST_ARGS ?= -m "not slow"

.PHONY: help setup system venv rasa demo test test-all lint typecheck bench clean

help:
	@echo "make demo   - set up everything, then run the demo on embedded defaults"
	@echo "make test   - set up everything, then run the default test suite (unit + integration, not slow)"
	@echo "make test-all - also the slow tests"
	@echo "make bench  - run the benchmarks in bench/ (writes JSON under bench/results/)"

setup: system venv rasa

# Debian packages: install only what is missing (a second run does nothing).
system: $(STAMPS)/system
$(STAMPS)/system: Makefile
	@mkdir -p $(STAMPS)
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "Debian packages present."; fi
	@touch $@

# The product's virtual environment (Python 3.11, pinned requirements, CPU torch).
venv: $(STAMPS)/venv
$(STAMPS)/venv: requirements.txt requirements-dev.txt pyproject.toml
	@mkdir -p $(STAMPS)
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 not found: install it (e.g. 'pyenv install 3.11') and re-run"; exit 1; }
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt
	$(VPY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

# Rasa Open Source 3.6.21 in its own venv (.venv-rasa, Python 3.10: Rasa 3.6 does not run on 3.11).
rasa: $(STAMPS)/rasa-3.6.21
$(STAMPS)/rasa-3.6.21: scripts/setup_rasa.sh
	@scripts/setup_rasa.sh

demo: setup
	$(VENV)/bin/humdinger demo

test: setup
	@$(VPY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-all: PYTEST_ARGS :=
test-all: test

lint: setup
	$(VENV)/bin/ruff check assistant skills generator music_models tests bench

typecheck: setup
	$(VENV)/bin/mypy assistant skills generator music_models

# Each benchmark writes JSON under bench/results/; the slow speech ones take a --limit (see their --help).
bench: setup
	$(VPY) bench/bench_render.py
	$(VPY) bench/bench_queries.py
	$(VPY) bench/bench_library.py
	$(VPY) bench/bench_nlu.py
	$(VPY) bench/bench_latency.py --limit 40
	$(VPY) bench/bench_asr.py --limit 70
	$(VPY) bench/bench_wake.py
	$(VPY) bench/bench_wake_real.py
	$(VPY) bench/bench_intent_e2e.py
	$(VPY) bench/bench_intent_e2e.py --tts flite
	$(VPY) bench/bench_endpoint.py
	$(VPY) bench/bench_echo.py
	$(VENV)/bin/humdinger eval qbh --json bench/results/qbh_eval.json
	$(VENV)/bin/humdinger library build --split test --limit 300
	$(VPY) bench/bench_user_songs.py
	$(VPY) bench/bench_real_speech_identify.py
	$(VPY) bench/bench_hum_endpoint.py --identify
	$(VPY) bench/bench_real_speech_commands.py
	$(VPY) bench/bench_pitch.py

clean:
	rm -rf $(STAMPS) $(VENV) build *.egg-info
