#!/usr/bin/env bash
# Set up a fresh checkout: Python venv with pinned requirements, front-end packages and build.
# Idempotent; safe to run before every start. Usage: scripts/setup.sh [--dev]
#   --dev  also installs the test requirements (pytest, hypothesis, Socket.IO client).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
req=backend/requirements.txt
[ "${1:-}" = "--dev" ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat backend/requirements.txt requirements-dev.txt "$req" | sha1sum | cut -c1-12)-$(basename "$req")"
if [ ! -f "$stamp" ]; then
  echo "setup: installing $req"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  touch "$stamp"
fi

if [ -f frontend/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm not found; install Node.js 20.19+ to build the globe" >&2
    exit 1
  fi
  lock_stamp="frontend/node_modules/.installed-$(cat frontend/package.json frontend/package-lock.json | sha1sum | cut -c1-12)"
  if [ ! -f "$lock_stamp" ]; then
    echo "setup: installing front-end packages (npm ci: exactly the tracked package-lock.json)"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
    touch "$lock_stamp"
  fi
  src_hash=$(find frontend/src frontend/index.html frontend/vite.config.js frontend/package-lock.json -type f -print0 \
    | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-12)
  if [ ! -f "frontend/dist/.build-$src_hash" ]; then
    echo "setup: building the globe"
    (cd frontend && npm run build --silent)
    touch "frontend/dist/.build-$src_hash"
  fi
fi
