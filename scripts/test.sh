#!/usr/bin/env bash
# Install everything, then run the whole test suite (unit, views, SMTP, browser).
# SQLite by default; PostgreSQL when CARFLOW_TEST_DATABASE_URL is set, e.g.
#   CARFLOW_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Test-only browser tools (axe-core for the accessibility checks) are npm devDependencies.
npm ci --no-audit --no-fund --silent
# Two worker processes (this machine has 2 cores); CARFLOW_TEST_WORKERS=0 runs in one.
exec .venv/bin/python -m pytest -n "${CARFLOW_TEST_WORKERS:-auto}" "$@"
