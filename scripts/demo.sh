#!/usr/bin/env bash
# Install everything, create the database, load the demo dealership (first run only)
# and start Carflow at http://127.0.0.1:5000 with its job-queue worker (Procfile, honcho).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export FLASK_APP=app
.venv/bin/flask db upgrade
.venv/bin/flask carflow demo || echo "(demo data already loaded)"
exec .venv/bin/honcho start -f Procfile
