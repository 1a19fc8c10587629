#!/usr/bin/env bash
# With the given node binary: migrates and seeds a fresh database with the built CLI (as `npm start`
# does), boots the built api and worker, waits for /health/ready 200 on both, sends SIGTERM and
# requires a clean exit (code 0) within the shutdown timeout, with nothing but JSON log lines
# written on the way. /metrics must answer on each metrics port and not on the api's port.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_BIN=${1:-node}
tag="smoke_$$"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/bourse_${tag}"
export REDIS_KEY_PREFIX="bourse-${tag}"
export API_PORT=${SMOKE_API_PORT:-3190} WORKER_PORT=${SMOKE_WORKER_PORT:-3191} HOST=127.0.0.1
export API_METRICS_PORT=${SMOKE_API_METRICS_PORT:-3192} WORKER_METRICS_PORT=${SMOKE_WORKER_METRICS_PORT:-3193}
export LOG_LEVEL=warn
logs=$(mktemp -d)
echo "smoke with $("$NODE_BIN" --version) (logs in $logs)"

cleanup() {
  for pid in ${api_pid:-} ${worker_pid:-}; do kill -9 "$pid" 2>/dev/null || true; done
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS bourse_${tag} WITH (FORCE)" || true
  redis-cli -h 127.0.0.1 --scan --pattern "${REDIS_KEY_PREFIX}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}
trap cleanup EXIT

"$NODE_BIN" dist/apps/cli/apps/cli/src/main.js db:create
"$NODE_BIN" dist/apps/cli/apps/cli/src/main.js db:migrate >/dev/null
# As `npm start` does: the demo users, through the built CLI.
"$NODE_BIN" dist/apps/cli/apps/cli/src/main.js db:seed
"$NODE_BIN" dist/apps/api/apps/api/src/main.js >"$logs/api.log" 2>&1 &
api_pid=$!
"$NODE_BIN" dist/apps/worker/apps/worker/src/main.js >"$logs/worker.log" 2>&1 &
worker_pid=$!

wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/health/ready")" = 200 ]; then
      echo "$name ready on :$port"
      return 0
    fi
    sleep 0.5
  done
  echo "$name never became ready; its log:" >&2
  cat "$logs/$name.log" >&2
  return 1
}
wait_ready api "$API_PORT"
wait_ready worker "$WORKER_PORT"
# The built api serves the built web app (npm run build puts it in dist/web).
if ! curl -sf "http://127.0.0.1:${API_PORT}/app/" | grep -q '<div id="root"></div>'; then
  echo "the api does not serve the web app at /app/ (is dist/web built?)" >&2
  exit 1
fi
echo "api serves the web app at /app/"

expect_status() { # expect_status CODE URL
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "$2")
  [ "$got" = "$1" ] || { echo "GET $2 answered $got, expected $1" >&2; return 1; }
}
expect_status 200 "http://127.0.0.1:${API_METRICS_PORT}/metrics"
expect_status 200 "http://127.0.0.1:${WORKER_METRICS_PORT}/metrics"
expect_status 404 "http://127.0.0.1:${API_PORT}/metrics"
echo "metrics served on :${API_METRICS_PORT} and :${WORKER_METRICS_PORT} only"

stop() {
  local name=$1 pid=$2 code=0
  kill -TERM "$pid"
  wait "$pid" || code=$?
  if [ "$code" -ne 0 ]; then
    echo "$name exited with $code after SIGTERM; its log:" >&2
    cat "$logs/$name.log" >&2
    return 1
  fi
  echo "$name exited cleanly after SIGTERM"
}
stop api "$api_pid"
stop worker "$worker_pid"
api_pid='' worker_pid=''

# Every line either process wrote must be a JSON log line: plain text is a runtime warning (a
# deprecated option, an experimental feature) or output that bypassed the logger.
if grep -v -h '^{' "$logs/api.log" "$logs/worker.log" >&2; then
  echo "plain-text output above: every line the apps write must be a JSON log line" >&2
  exit 1
fi
echo "api and worker wrote JSON log lines only"
