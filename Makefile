# `make run` and `make test` set up everything on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CATALOGS := $(wildcard moderation/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
# axe-core for the accessibility tests, pinned in package-lock.json.
AXE := node_modules/.installed

.PHONY: run test lint api-fuzz translations extract-messages clean bench bench-quick bench-workers bench-scaleout

# gunicorn and, beside it, one background worker (mail); Ctrl-C stops both, then the embedded Redis.
run: $(VENV)/.runtime $(COMPILED)
	RUN_WORKER=1 $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The tests run twice: against one embedded redis-server, then against a Redis Cluster of three primaries
# and three replicas (tests that start servers of their own run only the first time).
test: $(VENV)/.dev $(COMPILED) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/pytest --redis-cluster -m "not own_servers" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# schemathesis against the service as `make run` starts it (tests/api_fuzz.py): every check, a fixed
# seed; any finding fails. The per-address abuse guards are lifted for the run. FUZZ_ARGS go to `st run`.
api-fuzz: $(VENV)/.dev $(COMPILED)
	$(BIN)/python tests/api_fuzz.py $(FUZZ_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# npm ci installs exactly what package-lock.json names (and starts from an empty node_modules).
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Compiled catalogs are built, not committed.
%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile -i $< -o $@

translations: $(COMPILED)

# After changing interface text: extract it, then translate the new entries.
extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o moderation/translations/messages.pot .
	$(BIN)/pybabel update -i moderation/translations/messages.pot -d moderation/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
	find moderation/translations -name '*.mo' -delete

# The benchmark (bench/README.md): figures into bench/RESULTS.md. BENCH_ARGS="--seconds 5" etc.
bench: $(VENV)/.dev $(COMPILED)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Which gunicorn workers and threads serve best here: bench/WORKERS.md, the source of gunicorn.conf.py's defaults.
bench-workers: $(VENV)/.dev $(COMPILED)
	$(BIN)/python bench/workers.py $(BENCH_ARGS)

# One Redis server beside a Redis Cluster (and with WAIT for a replica): bench/SCALEOUT.md. BENCH_ARGS=--quick proves it.
bench-scaleout: $(VENV)/.dev $(COMPILED)
	$(BIN)/python bench/scaleout.py $(BENCH_ARGS)

# The same at tiny sizes and 1-second runs, only to prove the harness works; the report goes to /tmp.
bench-quick: $(VENV)/.dev $(COMPILED)
	$(BIN)/python bench/run.py --quick $(BENCH_ARGS)
