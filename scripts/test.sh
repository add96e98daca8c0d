#!/usr/bin/env bash
# Install everything, then run the whole test suite (unit, views, SMTP, browser).
# SQLite by default; PostgreSQL when CARFLOW_TEST_DATABASE_URL is set, e.g.
#   CARFLOW_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Test-only browser tools (axe-core for the accessibility checks) are npm devDependencies.
npm ci --no-audit --no-fund --silent
# Cache compiled and assertion-rewritten modules: with PYTHONDONTWRITEBYTECODE set (as on
# this workplace's machines) every test worker, app worker and CLI process compiled every
# module again — 6 of the 10 s each test worker spent collecting.
unset PYTHONDONTWRITEBYTECODE
# One worker process more than cores: many tests wait on a browser, a worker process or a
# mail server, and the spare worker runs meanwhile. "worksteal" moves queued tests from a
# busy worker to an idle one, so a long test at the end does not hold the run.
# CARFLOW_TEST_WORKERS=0 runs in one.
workers="${CARFLOW_TEST_WORKERS:-$(($(nproc) + 1))}"
exec .venv/bin/python -m pytest -n "$workers" --dist worksteal "$@"
