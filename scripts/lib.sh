# Shared shell helpers, sourced by the service scripts (kafka.sh, redis.sh).

# stop_pid PID TRIES INTERVAL: asks PID to stop, waits up to TRIES × INTERVAL seconds, then kills it.
stop_pid() {
  local pid=$1 tries=$2 interval=$3
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tries"); do kill -0 "$pid" 2>/dev/null || break; sleep "$interval"; done
  kill -9 "$pid" 2>/dev/null || true
}
