# Lab Career Advisor. `make run` chats over REST, `make shell` in a terminal, `make test` tests it all.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUIET := $(BIN)/python -m stack.quiet  # Rasa's output less its libraries' deprecation warnings
MODEL := models/lab-career-advisor.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) \
  bot/sentence_encoder.py addons/nlu/sentence_featurizer.py addons/nlu/intent_classifier.py

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
# Every setting and its default: stack/settings.py (lab-advisor.env.example lists them).

.PHONY: help install train validate web browser services run shell lint test-fast test stories eval bench report forget lookups lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## install the pinned dependencies into .venv

$(VENV)/.installed: requirements.lock scripts/install.sh
	PYTHON=$(PYTHON) scripts/install.sh
	touch $@

train: $(MODEL) ## train the model if the training data or config changed

$(MODEL): $(TRAINING_INPUTS) | install
	$(QUIET) $(BIN)/rasa train --fixed-model-name lab-career-advisor
	touch $@

validate: install ## check the knowledge file, then the training data and domain (warnings fail)
	$(BIN)/python -m bot
	$(QUIET) $(BIN)/rasa data validate --fail-on-warnings

web: web/vendor/.installed ## install the widget's chat component and the accessibility checker (pinned by web/package-lock.json)

web/vendor/.installed: web/package-lock.json scripts/fetch_widget.py
	$(PYTHON) scripts/fetch_widget.py
	touch $@

run: install train web ## start the action server, the Rasa server and the chat page (all on localhost)
	$(BIN)/python -m stack run

shell: install train ## chat in the terminal (rasa shell), for counselors
	$(BIN)/python -m stack shell

browser: ## install Debian's Chromium for the browser tests, if missing (needs root or sudo)
	scripts/apt_install_missing.sh "the browser tests" chromium:/usr/bin/chromium

services: ## install PostgreSQL, Redis and nginx for the scale-out and proxy tests, if missing (needs root or sudo)
	scripts/apt_install_missing.sh "the scale-out and proxy tests" 'postgresql:/usr/lib/postgresql/*/bin/initdb' \
		redis-server:/usr/bin/redis-server nginx-light:/usr/sbin/nginx

lint: install ## ruff (check and format) and mypy (strict on bot/ and stack/), configured in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

test-fast: install ## the unit tier: no servers, no trained model (under a minute)
	$(BIN)/python -m pytest -m unit -q

stories: install train ## the conversation tests, end to end: every user message is parsed by the trained model
	$(QUIET) $(BIN)/rasa test core --stories tests/test_stories.yml --e2e --fail-on-prediction-errors \
		--model $(MODEL) --out results/core

test: lint test-fast validate train stories web browser services ## everything, cheap checks first: lint, unit tier, data, stories, then servers, browser, databases and quality
	$(BIN)/python -m pytest -m "not unit"

bench: install train ## benchmark: latency at 1 and 20 users, cold start, training time, memory (writes BENCHMARKS.md)
	$(BIN)/python -m scripts.bench --write BENCHMARKS.md

report: install ## what students asked: results/report.html and a summary (DAYS=7, or SINCE=/UNTIL= dates; CSV=folder)
	$(BIN)/python -m scripts.report $(if $(DAYS),--days $(DAYS)) $(if $(SINCE),--since $(SINCE)) \
		$(if $(UNTIL),--until $(UNTIL)) $(if $(CSV),--csv $(CSV))

forget: install ## delete conversations idle for more than DAYS days (default: LAB_ADVISOR_RETENTION_DAYS, 30)
	$(BIN)/python scripts/retention.py $(if $(DAYS),--days $(DAYS))

lookups: install ## regenerate data/lookups.yml (career and country names) from the knowledge file
	$(BIN)/python scripts/sync_lookups.py

eval: install train ## measure answer quality: cross-validated NLU F1, the end-to-end answer check, real questions
	$(BIN)/python -m scripts.cross_validate
	$(BIN)/python -m scripts.e2e_check
	$(BIN)/python -m scripts.real_questions
	$(BIN)/python -m scripts.real_questions --set heldout

lock: ## re-resolve requirements.in into requirements.lock (needs network to PyPI)
	scripts/lock.sh

clean: ## remove the model and test results (keeps .venv)
	rm -rf models results
