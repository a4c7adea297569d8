# One entry point. `make run` starts the whole service on SQLite and a filesystem broker with demo
# data; `make test` runs the whole suite. Set DATABASE_URL and REDIS_URL to use PostgreSQL and Redis.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck security lock clean bench

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runstack

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

typecheck: install
	$(BIN)/mypy tumorboard cases referrals scoring meetings integrations

# Static security checks: bandit fails on any high-severity finding (-lll) in the whole tree;
# pip-audit checks the pinned dependencies and says plainly when its vulnerability service is
# unreachable (it is from the CI machines), failing only on a known vulnerability.
security: install
	$(BIN)/bandit -q -r . -x ./.venv,./var -lll
	$(BIN)/python tests/security/pip_audit_check.py

# Benchmarks on PostgreSQL and Redis (bench/RESULTS.md): `make bench BENCH_ARGS=--quick` for CI.
bench: install
	bench/run $(BENCH_ARGS)

# Re-resolve every dependency to the newest allowed version and pin the result.
lock:
	rm -rf /tmp/tumorboard-lock && $(PYTHON) -m venv /tmp/tumorboard-lock
	/tmp/tumorboard-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/tumorboard-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements/constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
