#!/usr/bin/env bash
# The scaled-out layout on one machine, without Docker: redis-server, one engine (ROLE=engine),
# WEBS web processes (ROLE=web) and nginx with sticky sessions in front, on http://localhost:$PORT.
#   scripts/scaleout.sh                       # PORT=8080, WEBS=3; any key of .env.example may be set
#   WEBS=4 SCENARIO_N_SATELLITES=10000 SCENARIO_PLANES=72 scripts/scaleout.sh
# redis-server and nginx come from Debian's packages (installed if missing). Everything runs on
# the loopback; Redis gets a fresh password per run. Ctrl-C stops all of it. Logs: $RUN_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
WEBS="${WEBS:-3}"
REDIS_PORT="${REDIS_PORT:-6390}"
WEB_PORT0="${WEB_PORT0:-5001}"
RUN_DIR="${RUN_DIR:-$(mktemp -d /tmp/vpp-scaleout.XXXXXX)}"

scripts/setup.sh
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "scaleout: installing Debian's ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --requirepass "$password" \
  >"$RUN_DIR/redis.log" 2>&1 &
pids+=($!)
export REDIS_URL="redis://:$password@127.0.0.1:$REDIS_PORT/0" HOST=127.0.0.1
export ASYNC_MODE="${ASYNC_MODE:-gevent}"

ROLE=engine PORT=0 .venv/bin/python -m backend >"$RUN_DIR/engine.log" 2>&1 &
pids+=($!)
upstreams=()
for i in $(seq 1 "$WEBS"); do
  port=$((WEB_PORT0 + i - 1))
  ROLE=web PORT="$port" SMOKE_AUTOSTART=0 .venv/bin/python -m backend >"$RUN_DIR/web$i.log" 2>&1 &
  pids+=($!)
  upstreams+=(--upstream "127.0.0.1:$port")
done
.venv/bin/python deploy/nginx_conf.py --listen "127.0.0.1:$PORT" "${upstreams[@]}" >"$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g "daemon off;" >"$RUN_DIR/nginx.log" 2>&1 &
pids+=($!)

echo "==> engine + $WEBS web processes (ports $WEB_PORT0..$((WEB_PORT0 + WEBS - 1))) behind nginx:" \
     "http://localhost:$PORT (logs in $RUN_DIR; Ctrl-C to stop)"
wait -n "${pids[@]}"
echo "scaleout: a process exited; stopping the rest (see $RUN_DIR)" >&2
