#!/usr/bin/env bash
# Satellite VPP: set up on a fresh machine and serve everything at http://localhost:$PORT.
#   ./run_dev.sh                 # PORT=5000 by default; any key of .env.example may be set
#   PORT=8080 ASYNC_MODE=threading ./run_dev.sh
#   SKIP_FRONTEND_BUILD=1 ./run_dev.sh
# Steps: a virtualenv in .venv, the backend's pinned requirements, the front end built into
# frontend/dist (npm ci or npm install, then npm run build) when frontend/package.json exists,
# then `python -m backend` (Flask serves frontend/dist at /). Re-runs skip unchanged steps.
set -euo pipefail
cd "$(dirname "$0")"
export PORT="${PORT:-5000}"
PYTHON="${PYTHON:-python3}"

stamp_ok() { # stamp_ok <stamp file> <inputs...>: true when the inputs are unchanged since the stamp
  local stamp="$1"; shift
  [ -f "$stamp" ] && [ "$(cat "$@" 2>/dev/null | sha256sum)" = "$(cat "$stamp")" ]
}
stamp_write() { local stamp="$1"; shift; cat "$@" 2>/dev/null | sha256sum > "$stamp"; }

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
if ! stamp_ok .venv/.backend-reqs backend/requirements.txt; then
  echo "==> installing backend/requirements.txt"
  .venv/bin/python -m pip install --disable-pip-version-check -q -r backend/requirements.txt
  stamp_write .venv/.backend-reqs backend/requirements.txt
fi

if [ -f frontend/package.json ] && [ -z "${SKIP_FRONTEND_BUILD:-}" ]; then
  if command -v npm >/dev/null 2>&1; then
    (
      cd frontend
      if [ ! -d node_modules ]; then
        echo "==> installing front-end packages"
        if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
        stamp_write node_modules/.vpp-stamp package.json package-lock.json
      elif ! stamp_ok node_modules/.vpp-stamp package.json package-lock.json; then
        echo "==> updating front-end packages"  # npm install keeps what is there (npm ci would wipe it)
        npm install --no-audit --no-fund
        stamp_write node_modules/.vpp-stamp package.json package-lock.json
      fi
      echo "==> building the front end"
      npm run build
    )
  else
    echo "warning: npm not found; serving the API without the globe (install Node.js 18+)" >&2
  fi
fi

echo "==> serving on http://localhost:$PORT (Ctrl-C to stop)"
exec .venv/bin/python -m backend
