#!/usr/bin/env bash
# Runs one Redis server on 127.0.0.1 for the dedup store's tests, benchmarks and demos, persisted as a
# production dedup store must be (append-only file, fsync every second), so a restart keeps the state.
#
#   scripts/redis.sh up      install Debian's redis-server if missing, start it empty, wait until PING answers
#   scripts/redis.sh down    stop it and remove its data
#   scripts/redis.sh stop    stop it, keep its data (a restart then finds the state again)
#   scripts/redis.sh start   start a stopped server again on its data
#   scripts/redis.sh status  exit 0 when it answers PING
#
# Environment: REDIS_PORT (16379). Runtime state lives in .run/redis-<port>.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
port=${REDIS_PORT:-16379}
run="$root/.run/redis-$port"
pidfile="$run/redis.pid"

die() { echo "redis.sh: $*" >&2; exit 1; }

install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  command -v apt-get >/dev/null || die "redis-server not found and apt-get is not available: install Redis 7 or newer"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "redis.sh: installing Debian's redis-server"
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null \
      || die "apt-get could not install redis-server"
  fi
  command -v redis-server >/dev/null || die "redis-server still not found after installing it"
}

answers() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  install
  if running && answers; then echo "redis.sh: redis already running on 127.0.0.1:$port"; return 0; fi
  running && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -rf "$run"; mkdir -p "$run"
  start
}

start() {
  [ -d "$run" ] || die "no data in $run: use 'scripts/redis.sh up'"
  if running && answers; then echo "redis.sh: redis already running on 127.0.0.1:$port"; return 0; fi
  echo "redis.sh: starting redis-server on 127.0.0.1:$port (logs: $run/redis.log)"
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly yes --appendfsync everysec \
    --dir "$run" --daemonize yes --pidfile "$pidfile" --logfile "$run/redis.log" --protected-mode yes \
    --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 50); do
    if answers; then echo "redis.sh: redis answers on 127.0.0.1:$port"; return 0; fi
    sleep 0.2
  done
  tail -n 20 "$run/redis.log" >&2 || true
  die "redis did not answer within 10 s"
}

stop() {
  if running; then
    stop_pid "$(cat "$pidfile")" 50 0.1
    echo "redis.sh: redis on 127.0.0.1:$port stopped"
  fi
}

down() {
  stop
  rm -rf "$run"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  stop) stop ;;
  start) install; start ;;
  status) running && answers ;;
  *) echo "usage: scripts/redis.sh up|down|stop|start|status" >&2; exit 2 ;;
esac
