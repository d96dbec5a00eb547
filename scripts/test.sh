#!/usr/bin/env bash
# Set up and run every test: core, REST, Socket.IO integration (gevent and threading), Vitest,
# the recorder against SQLite and a throwaway PostgreSQL cluster, scale-out (real Redis and nginx),
# and the browser end-to-end suite in headless Chromium (Debian packages installed if missing).
# Usage: scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --dev

# Debian packages the tests run for real: chromium (browser tests), redis-server and nginx
# (scale-out tests: one engine, two web processes, sticky nginx in front).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing Debian's ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "test: installing Debian's postgresql for the recorder tests (a throwaway cluster per run)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
fi

echo "test: vitest (front-end units)"
(cd frontend && npx vitest run)

echo "test: pytest (core, api, integration, e2e)"
.venv/bin/python -m pytest "$@"
