# Entry points for developers and CI. Only Python 3.11+ is needed: the first target run creates
# .venv and installs the dependencies from pyproject.toml, and again whenever it changes.
#
#   make run                    Procfile (web, Celery worker, beat) under honcho on http://127.0.0.1:$PORT/, Ctrl-C stops all
#   make test ARGS="-k foo"     pytest against embedded (or DATABASE_URL/REDIS_URL) servers, on TEST_WORKERS processes
#   make faults                 fault injection: kill -9 workers, restart Redis and PostgreSQL (~5 min)
#   make lint                   ruff
#   make bench SCALE=la         manage.py bench
#   make load                   Locust, 200 users for 5 min, against gunicorn, Celery worker and beat (bench/load; ARGS="--users 20 --minutes 1")
#   make manage ARGS="shell"    manage.py on the demo's database (the running `make run`'s, if any)
#   make otp USER=<username>    a demo user's current two-factor code
#   make logins                 the start-up banner again: URL, demo logins and their current codes
#   make browsers               Chromium, poppler and HarfBuzz subsetting for browser and PDF tests (root, Debian)
#   make clean                  remove var/ (all local data) and .venv

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Newer than pyproject.toml exactly when the installed packages match it.
STAMP := $(VENV)/.installed
ARGS ?=
SCALE ?= la
# pytest-xdist processes for `make test`: one per core (auto); TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install run test faults lint bench load manage otp logins browsers clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

install: $(STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The requirements are read from pyproject.toml rather than `pip install .[local,dev]`, which
# would build the (package-less) project and leave build/ and *.egg-info in the work tree.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		extras = p["optional-dependencies"]; \
		print("\n".join(p["dependencies"] + extras["local"] + extras["dev"]))' > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --requirement $(VENV)/requirements.txt
	@touch $@

run: $(STAMP)
	$(PY) -m ehc.localrun run

# Chromium (browser tests) and poppler (PDF checks) are installed when this machine allows it;
# otherwise the tests that need them skip with a message saying so.
test: $(STAMP)
	@$(MAKE) --no-print-directory browsers >/dev/null 2>&1 \
		|| echo "make test: Chromium or poppler-utils could not be installed; the tests that need them will skip"
	$(PY) -m ehc.localrun test -n $(TEST_WORKERS) --dist worksteal $(ARGS)

# Starts its own PostgreSQL, Redis, SMTP sink, Celery workers and beats, and kills them; the suite
# skips itself without EHC_FAULTS=1, so `make test` does not run it twice.
faults: $(STAMP)
	EHC_FAULTS=1 $(PY) -m ehc.localrun test tests/faults -m faults $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	SCALE=$(SCALE) $(PY) -m ehc.localrun bench $(ARGS)

# Builds the la data set once into its own database (var/load/), then runs Locust against it; the
# table is appended to bench/results/<date>.md. Not part of `make test` (minutes, and the machine's).
load: $(STAMP)
	$(PY) -m bench.load $(ARGS)

manage: $(STAMP)
	$(PY) -m ehc.localrun manage $(ARGS)

logins: $(STAMP)
	@$(PY) -m ehc.localrun logins

otp: $(STAMP)
ifneq ($(origin USER),command line)
	@echo "usage: make otp USER=<demo username> (make run prints them)" >&2; exit 2
endif
	@$(PY) -m ehc.localrun manage demo_otp $(USER)

# Bounded so that a slow mirror fails this step instead of CI's whole time budget. apt's output
# is shown only when it fails.
browsers:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
		&& { ! command -v dpkg >/dev/null 2>&1 || dpkg -s libharfbuzz-subset0 >/dev/null 2>&1; }; then \
		echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver with apt-get"; \
		export DEBIAN_FRONTEND=noninteractive; log=$$(mktemp); \
		if timeout 300 apt-get update >$$log 2>&1 \
			&& timeout 900 apt-get install -y --no-install-recommends chromium chromium-driver poppler-utils libharfbuzz-subset0 >>$$log 2>&1; \
		then rm -f $$log; echo "chromium: $$(command -v chromium)"; \
		else tail -n 40 $$log >&2; rm -f $$log; echo "installing chromium failed or timed out" >&2; exit 1; fi; \
	else \
		echo "chromium is missing: install it (Debian: sudo apt-get install chromium chromium-driver)" >&2; \
		exit 1; \
	fi

clean:
	rm -rf var $(VENV)
