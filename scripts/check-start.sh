#!/usr/bin/env bash
# `npm start` must stop cleanly. Three times (SIGTERM to npm, SIGINT to npm, and SIGINT to its whole
# process group as Ctrl-C in a terminal sends it), runs the built api and worker the way `npm start`
# does (`npm run start:all`, after the build and the database steps), waits for them and the
# simulators it runs to be ready, sends the signal, and requires npm to exit 0 with no process of
# its group left behind. Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="start_$$"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/bourse_${tag}"
export REDIS_KEY_PREFIX="bourse-${tag}"
export API_PORT=${CHECK_API_PORT:-3192} WORKER_PORT=${CHECK_WORKER_PORT:-3193} HOST=127.0.0.1
# The simulators start:all runs beside them, off their default ports so running ones are no bother.
s3_port=${CHECK_S3_PORT:-3194} smtp_port=${CHECK_SMTP_PORT:-3195} onesignal_port=${CHECK_ONESIGNAL_PORT:-3196}
stripe_port=${CHECK_STRIPE_PORT:-3197} paypal_port=${CHECK_PAYPAL_PORT:-3198} twilio_port=${CHECK_TWILIO_PORT:-3199}
sumsub_port=${CHECK_SUMSUB_PORT:-3200} custody_port=${CHECK_CUSTODY_PORT:-3201}
export OIDC_SIMULATOR_PORT=${CHECK_OIDC_PORT:-3202} dtone_port=${CHECK_DTONE_PORT:-3203}
export STORAGE_S3_ENDPOINT=http://127.0.0.1:$s3_port
export NOTIFICATIONS_SMTP_URL=smtp://127.0.0.1:$smtp_port
export ONESIGNAL_API_URL=http://127.0.0.1:$onesignal_port
export PAYMENTS_STRIPE_API_URL=http://127.0.0.1:$stripe_port
export PAYMENTS_PAYPAL_API_URL=http://127.0.0.1:$paypal_port
export TWILIO_API_URL=http://127.0.0.1:$twilio_port
export TWILIO_STATUS_CALLBACK_URL=http://127.0.0.1:$API_PORT/v1/webhooks/twilio
export KYC_SUMSUB_API_URL=http://127.0.0.1:$sumsub_port
export TRADING_CUSTODY_API_URL=http://127.0.0.1:$custody_port
export TOPUP_DTONE_API_URL=http://127.0.0.1:$dtone_port
export LOG_LEVEL=warn MARKET_PROVIDER=none
log=$(mktemp)

cleanup() {
  if [ -n "${group:-}" ]; then kill -9 -- "-$group" 2>/dev/null || true; fi
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS bourse_${tag} WITH (FORCE)" || true
  redis-cli -h 127.0.0.1 --scan --pattern "${REDIS_KEY_PREFIX}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}
trap cleanup EXIT

node dist/apps/cli/apps/cli/src/main.js db:create
node dist/apps/cli/apps/cli/src/main.js db:migrate >/dev/null

ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health/ready")" = 200 ]
}
# A simulator is ready once it accepts connections (SMTP is not HTTP); signalled while still
# loading, it would die of the signal rather than stop (a start-up race, not the shutdown this checks).
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
all_ready() {
  ready "$API_PORT" && ready "$WORKER_PORT" && listening "$s3_port" && listening "$smtp_port" &&
    listening "$onesignal_port" && listening "$stripe_port" && listening "$paypal_port" &&
    listening "$twilio_port" && listening "$sumsub_port" && listening "$custody_port" &&
    listening "$OIDC_SIMULATOR_PORT" && listening "$dtone_port"
}

for case in TERM:npm INT:npm INT:group; do
  signal=${case%:*} target=${case#*:}
  # Its own process group, so that what is left behind can be found (and killed) afterwards.
  setsid npm run start:all >"$log" 2>&1 &
  group=$!
  # Up to two minutes: nine Node processes booting at once take over a minute on a loaded 2-core machine.
  for _ in $(seq 1 240); do
    if all_ready; then break; fi
    sleep 0.5
  done
  if ! all_ready; then
    echo "api, worker and simulators never became ready; the log:" >&2
    cat "$log" >&2
    exit 1
  fi

  if [ "$target" = group ]; then kill "-$signal" -- "-$group"; else kill "-$signal" "$group"; fi
  code=0
  wait "$group" || code=$?
  for _ in $(seq 1 60); do
    if ! pgrep -g "$group" >/dev/null; then break; fi
    sleep 0.5
  done
  if pgrep -g "$group" >/dev/null; then
    echo "SIG$signal to $target left these running:" >&2
    ps -o pid,cmd -g "$group" >&2
    exit 1
  fi
  if [ "$code" -ne 0 ]; then
    echo "npm exited with $code after SIG$signal to $target; the log:" >&2
    cat "$log" >&2
    exit 1
  fi
  group=''
  echo "SIG$signal to $target: api and worker stopped, npm exited 0"
done
