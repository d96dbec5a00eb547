#!/usr/bin/env bash
# Satellite VPP: set up on a fresh machine and serve everything at http://localhost:$PORT.
#   ./run_dev.sh                              # PORT=5000 by default; any key of .env.example may be set
#   PORT=8080 ASYNC_MODE=threading ./run_dev.sh
#   SCENARIO_N_SATELLITES=10000 SCENARIO_PLANES=72 ./run_dev.sh
# scripts/setup.sh makes .venv, installs the pinned backend requirements and builds the globe
# into frontend/dist (skipped when unchanged); then `python -m backend` serves the API, the
# Socket.IO stream and the globe at /.
set -euo pipefail
cd "$(dirname "$0")"
export PORT="${PORT:-5000}"
scripts/setup.sh
echo "==> serving on http://localhost:$PORT (Ctrl-C to stop)"
exec .venv/bin/python -m backend
