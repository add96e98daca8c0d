#!/usr/bin/env bash
# Install everything Carflow needs on Debian/Ubuntu with Python 3.11+:
# Debian packages (Chromium for browser tests, HarfBuzz subset for WeasyPrint PDFs)
# and the pinned Python packages in .venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="chromium libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
# Test-only: the e-mail intake tests start their own IMAP server (issue 15; tests/imap_server.py).
TEST_APT_PACKAGES="dovecot-imapd"
missing=""
for pkg in $APT_PACKAGES $TEST_APT_PACKAGES; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>/dev/null || true
# constraints.txt pins every transitive runtime package (scripts/constraints.py writes it).
# CARFLOW_PIP_NO_COMPILE=1 (CI, on a fresh clone): pip does not byte-compile every file
# it installs (20 of the 50 s of a first install here); each module is compiled when a
# process first imports it. Left out elsewhere: under PYTHONDONTWRITEBYTECODE (set in many
# container images) nothing would be cached, and every process start would compile again.
no_compile=""
[ "${CARFLOW_PIP_NO_COMPILE:-0}" = 1 ] && no_compile="--no-compile"
.venv/bin/python -m pip install -q $no_compile -r requirements.txt -c constraints.txt

# Browser libraries (the task overview's calendar) from the npm registry, served by /vendor.
if ! command -v npm >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] && SUDO="" || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi
npm ci --omit=dev --no-audit --no-fund --silent

# Compile the French and Dutch translations (.mo files are build output, not committed).
bash scripts/i18n.sh compile >/dev/null 2>&1
