#!/usr/bin/env bash
# Runs one Prometheus server on 127.0.0.1 for the end-to-end test of the dashboard and alert queries
# (tests/prometheus_e2e.rs): it scrapes, as job "newsflow", whatever workers the tests list in its target
# directory (file-based discovery, one JSON file per worker with its namespace and pod labels, picked up
# within a second), every second, and evaluates deploy/prometheus/alerts.yml.
#
#   scripts/prometheus.sh up      fetch Debian's prometheus package if missing, start it empty, wait until ready
#   scripts/prometheus.sh down    stop it and remove its data
#   scripts/prometheus.sh status  exit 0 when it answers /-/ready
#   scripts/prometheus.sh targets print the target directory
#
# The binary comes from Debian's prometheus package, extracted into .cache/prometheus (never installed, so
# no system service starts), or from PROMETHEUS (a prometheus binary, 2.x or newer).
# Environment: PROMETHEUS_PORT (19090). Runtime state lives in .run/prometheus-<port>.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
port=${PROMETHEUS_PORT:-19090}
run="$root/.run/prometheus-$port"
pidfile="$run/prometheus.pid"

die() { echo "prometheus.sh: $*" >&2; exit 1; }

binary() {
  if [ -n "${PROMETHEUS:-}" ]; then
    [ -x "$PROMETHEUS" ] || die "PROMETHEUS=$PROMETHEUS is not executable"
    echo "$PROMETHEUS"
    return
  fi
  local cache="$root/.cache/prometheus"
  if [ ! -x "$cache/root/usr/bin/prometheus" ]; then
    echo "prometheus.sh: extracting Debian's prometheus package into .cache/prometheus (not installed)" >&2
    mkdir -p "$cache"
    fetch_debian_prometheus "$cache" "$cache/apt.log" || {
      cat "$cache/apt.log" >&2
      die "could not fetch Debian's prometheus package (apt-get download prometheus; output above): set PROMETHEUS=/path/to/prometheus"
    }
  fi
  echo "$cache/root/usr/bin/prometheus"
}

answers() { curl -fsS -m 2 "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  command -v curl >/dev/null || die "curl not found (Debian: apt-get install curl)"
  local bin
  bin=$(binary)
  if running && answers; then echo "prometheus.sh: prometheus already running on 127.0.0.1:$port"; return 0; fi
  running && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -rf "$run"
  mkdir -p "$run/targets" "$run/data"
  cat >"$run/prometheus.yml" <<YAML
# Written by scripts/prometheus.sh.
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $root/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: newsflow
    metrics_path: /metrics
    file_sd_configs:
      - files: ["$run/targets/*.json"]
        refresh_interval: 1s
YAML
  echo "prometheus.sh: starting $("$bin" --version 2>&1 | head -1) on 127.0.0.1:$port (logs: $run/prometheus.log)"
  setsid "$bin" --config.file="$run/prometheus.yml" --storage.tsdb.path="$run/data" \
    --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=1d \
    >"$run/prometheus.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if answers; then echo "prometheus.sh: prometheus ready on 127.0.0.1:$port, targets in $run/targets"; return 0; fi
    running || break
    sleep 0.2
  done
  tail -n 20 "$run/prometheus.log" >&2 || true
  die "prometheus did not become ready within 20 s"
}

down() {
  if running; then
    stop_pid "$(cat "$pidfile")" 50 0.1
    echo "prometheus.sh: prometheus on 127.0.0.1:$port stopped"
  fi
  rm -rf "$run"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) running && answers ;;
  targets) echo "$run/targets" ;;
  *) echo "usage: scripts/prometheus.sh up|down|status|targets" >&2; exit 2 ;;
esac
