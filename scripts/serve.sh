#!/usr/bin/env bash
# Start the action server, then either the Rasa server with the REST channel and the web page with
# the chat widget (`serve.sh server`, for `make run`) or an interactive `rasa shell` (`serve.sh
# shell`, for `make shell`). All listen on loopback only. Ctrl-C stops everything this script started.
#
# LAB_ADVISOR_CORS_ORIGINS: the web origins (space-separated) whose pages may call the Rasa server;
# default: the demo page's own origins. Rasa's HTTP API stays off unless LAB_ADVISOR_API_TOKEN or
# LAB_ADVISOR_JWT_SECRET is set, and then it requires that token. The other variables (endpoints.yml)
# are in lab-advisor.env.example; the Makefile sets their defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-server}
RASA_PORT=5005     # the REST channel
ACTIONS_PORT=5055  # must match endpoints.yml
WEB_PORT=8080      # the demo page with the chat widget
CORS_ORIGINS=${LAB_ADVISOR_CORS_ORIGINS:-http://127.0.0.1:$WEB_PORT http://localhost:$WEB_PORT}
MODEL=models/lab-career-advisor.tar.gz
export SANIC_HOST=127.0.0.1  # the action server binds to loopback only
export PYTHONWARNINGS=ignore  # Rasa's dependencies print pages of deprecation warnings on start
umask 077  # conversations.db and logs/ can hold what students typed: owner-only

pids=()
stop() {
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    # rasa shell can hang after Ctrl-C at a button menu (a Rasa 3.6 bug): give each process
    # 10 s to stop, then kill it.
    for _ in $(seq 1 20); do
      kill -0 "${pids[@]}" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  echo "Stopped."
}
trap stop EXIT INT TERM

wait_for() {  # url, name, pid, log
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "error: the $2 exited; see $4." >&2; exit 1; fi
    sleep 0.5
  done
  echo "error: the $2 did not start within 120 s." >&2
  exit 1
}

for port in $RASA_PORT $ACTIONS_PORT $WEB_PORT; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "error: port $port is already in use (another 'make run' or 'make shell'?). Stop it first." >&2
    exit 1
  fi
done

log_to() {  # rotating, owner-only log files (scripts/rotating_log.py)
  .venv/bin/python scripts/rotating_log.py "logs/$1"
}
echo "Starting the action server on 127.0.0.1:$ACTIONS_PORT (log: logs/actions.log)..."
.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" > >(log_to actions.log) 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "action server" "${pids[-1]}" logs/actions.log

if [ "$mode" = shell ]; then
  echo "Opening rasa shell. Type a question. Where the bot offers buttons, pick one with the arrow keys"
  echo "or choose 'Type out your own message...'. /stop or Ctrl-C quits."
  # Run as a child this script waits on, so that Ctrl-C reaches the trap at once even if rasa
  # shell hangs; <&0 keeps the terminal as its input (a background job would get /dev/null).
  .venv/bin/rasa shell --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints endpoints.yml <&0 2> >(.venv/bin/python -u scripts/shell_errors.py) &
  pids+=($!)
  wait "${pids[-1]}" || true
  exit 0
fi

api_args=()  # never --enable-api without authentication
if [ -n "${LAB_ADVISOR_API_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$LAB_ADVISOR_API_TOKEN")
elif [ -n "${LAB_ADVISOR_JWT_SECRET:-}" ]; then
  api_args=(--enable-api --jwt-secret "$LAB_ADVISOR_JWT_SECRET" --jwt-method HS256)
fi

echo "Starting the Rasa server on 127.0.0.1:$RASA_PORT (log: logs/rasa.log)..."
# shellcheck disable=SC2086  # one --cors argument per origin
.venv/bin/rasa run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$RASA_PORT" --cors $CORS_ORIGINS "${api_args[@]}" > >(log_to rasa.log) 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$RASA_PORT/webhooks/rest/" "Rasa server" "${pids[-1]}" logs/rasa.log

echo "Starting the web page on 127.0.0.1:$WEB_PORT (log: logs/web.log)..."
.venv/bin/python scripts/web_server.py --host 127.0.0.1 --port "$WEB_PORT" \
  --rasa-url "http://127.0.0.1:$RASA_PORT" > >(log_to web.log) 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$WEB_PORT/" "web server" "${pids[-1]}" logs/web.log
cat <<MSG

Lab Career Advisor is running.
  Chat page:    http://127.0.0.1:$WEB_PORT/   (open it in a browser)
  REST channel: http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook, for example:
    curl -s http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -d '{"sender": "student-1", "message": "how much does a lab tech make?"}'
Ctrl-C stops everything.
MSG
wait
