# Shared shell helpers, sourced by the service scripts (kafka.sh, redis.sh) and by test.sh and bench.sh.

# stop_pid PID TRIES INTERVAL: asks PID to stop, waits up to TRIES × INTERVAL seconds, then kills it.
stop_pid() {
  local pid=$1 tries=$2 interval=$3
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tries"); do kill -0 "$pid" 2>/dev/null || break; sleep "$interval"; done
  kill -9 "$pid" 2>/dev/null || true
}

# ensure_services NAME...: starts each service (kafka, redis) that is not running yet; on exit, stops the
# ones started here and leaves alone those that were already running. Call from the repository root.
_started_services=()
ensure_services() {
  local s
  for s in "$@"; do
    if ! "scripts/$s.sh" status 2>/dev/null; then
      "scripts/$s.sh" up
      _started_services+=("$s")
    fi
  done
  trap _stop_started_services EXIT
}

_stop_started_services() {
  local s
  for s in "${_started_services[@]}"; do
    "scripts/$s.sh" down >/dev/null 2>&1 || true
  done
  true
}
