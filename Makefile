# One entry point. `make run` starts the whole service on SQLite and a filesystem broker with demo
# data; `make test` runs the whole suite (CI). Set DATABASE_URL and REDIS_URL to use PostgreSQL and
# Redis. `make test-fast` is the inner loop; lint, typecheck and security are CI's other gates.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-fast lint typecheck security lock clean bench

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

# Everything, in random order (pytest-randomly prints the seed; PYTEST_ARGS=--randomly-seed=N
# replays it). One process: the integration and reliability tests start Celery workers, beats,
# Redis and PostgreSQL servers and kill them on a timetable that two cores shared with a second
# pytest process would blur.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop, under two minutes: unit and database tests on SQLite in two processes, without
# the tests that need real services, a browser, the reliability battery (tests/conftest.py marks
# them by what they use) or a minute or more (marked slow). One file's tests stay in one process
# (--dist loadfile): module-scoped worlds are built once, and test_zz_* summaries see their file.
FAST_MARKERS := not (integration or slow or browser or reliability)
test-fast: install
	env -u DATABASE_URL -u REDIS_URL -u TUMORBOARD_REQUIRE_SERVICES \
		$(BIN)/python -m pytest -n 2 --dist loadfile -q -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

# The import-linter contract (the layers of DESIGN.md) is pyproject's [tool.importlinter].
lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy tumorboard cases referrals scoring meetings integrations portal followthrough

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
