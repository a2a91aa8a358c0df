# Shared shell helpers, sourced by the service scripts (kafka.sh, redis.sh) and by test.sh and bench.sh.

# stop_pid PID TRIES INTERVAL: asks PID to stop, waits up to TRIES × INTERVAL seconds, then kills it.
stop_pid() {
  local pid=$1 tries=$2 interval=$3
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tries"); do kill -0 "$pid" 2>/dev/null || break; sleep "$interval"; done
  kill -9 "$pid" 2>/dev/null || true
}

# ensure_services NAME...: starts each service (kafka, kafka-secured, redis, redis-secured) that is not running yet; on
# exit, stops the ones started here and leaves alone those that were already running. Call from the
# repository root. kafka-secured is a second broker (KAFKA_SECURITY=sasl_ssl) on KAFKA_SECURED_PORT (19392),
# redis-secured a second Redis (REDIS_TLS=1) on REDIS_SECURED_PORT (16380).
_started_services=()
ensure_services() {
  local s
  for s in "$@"; do
    if ! _service "$s" status 2>/dev/null; then
      _service "$s" up
      _started_services+=("$s")
    fi
  done
  trap _stop_started_services EXIT
}

_service() {
  local name=$1; shift
  if [ "$name" = kafka-secured ]; then
    local port=${KAFKA_SECURED_PORT:-19392}
    KAFKA_SECURITY=sasl_ssl KAFKA_PORT=$port KAFKA_CONTROLLER_PORT=$((port + 1)) scripts/kafka.sh "$@"
  elif [ "$name" = redis-secured ]; then
    REDIS_TLS=1 REDIS_PORT=${REDIS_SECURED_PORT:-16380} scripts/redis.sh "$@"
  else
    "scripts/$name.sh" "$@"
  fi
}

_stop_started_services() {
  local s
  for s in "${_started_services[@]}"; do
    _service "$s" down >/dev/null 2>&1 || true
  done
  true
}

# fetch_debian_prometheus DIR LOG: extracts Debian's prometheus package (prometheus and promtool) into
# DIR/root without installing it (no service is started or enabled); apt-get output goes to LOG. Returns 0
# when DIR/root/usr/bin/prometheus and promtool exist afterwards.
fetch_debian_prometheus() {
  local dir=$1 log=$2
  [ -x "$dir/root/usr/bin/prometheus" ] && [ -x "$dir/root/usr/bin/promtool" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || { echo "no apt-get/dpkg" >"$log"; return 1; }
  mkdir -p "$dir"
  rm -f "$dir"/prometheus_*.deb
  if ! (cd "$dir" && apt-get download prometheus) >"$log" 2>&1; then
    apt-get update >>"$log" 2>&1 || true
    (cd "$dir" && apt-get download prometheus) >>"$log" 2>&1 || return 1
  fi
  dpkg -x "$dir"/prometheus_*.deb "$dir/root" >>"$log" 2>&1 || return 1
  rm -f "$dir"/prometheus_*.deb
  [ -x "$dir/root/usr/bin/prometheus" ] && [ -x "$dir/root/usr/bin/promtool" ]
}
