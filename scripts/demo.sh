#!/usr/bin/env bash
# Install everything, create the database, load the demo dealership (first run only)
# and serve Carflow at http://127.0.0.1:5000 .
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export FLASK_APP=app
.venv/bin/flask db upgrade
.venv/bin/flask carflow demo || echo "(demo data already loaded)"
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
