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
#
# REDIS_TLS=1 starts it secured instead: TLS only (a test CA and server certificate made on the spot, no
# client certificate asked), the default user off, and ACL users: `admin` (everything), `newsflow` (only
# the commands the dedup store sends, on keys under `newsflow:`), `newsflow-readonly` (reads only, for
# tests of a denied command). What a client needs sits in .run/redis-<port>/client: ca.pem and
# <user>.password.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
port=${REDIS_PORT:-16379}
run="$root/.run/redis-$port"
pidfile="$run/redis.pid"
tls=${REDIS_TLS:-}
client="$run/client"

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

answers() {
  if [ -n "$tls" ]; then
    REDISCLI_AUTH=$(cat "$client/admin.password" 2>/dev/null) redis-cli -h 127.0.0.1 -p "$port" --tls \
      --cacert "$client/ca.pem" --user admin ping 2>/dev/null | grep -q PONG
  else
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG
  fi
}

# Test CA, server certificate (127.0.0.1, localhost), passwords and the ACL file.
make_secrets() {
  command -v openssl >/dev/null || die "openssl not found: the secured server's certificates are made with it (Debian: apt-get install openssl)"
  local tlsdir="$run/tls" user
  mkdir -p "$tlsdir" "$client"
  chmod 700 "$tlsdir" "$client"
  (
    cd "$tlsdir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=newsflow test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile server.ext -out server.pem 2>/dev/null
  ) || die "making the test certificates failed"
  cp "$tlsdir/ca.pem" "$client/"
  for user in admin newsflow newsflow-readonly; do
    openssl rand -hex 16 > "$client/$user.password"
  done
  # The dedup store's commands: SET, GET, MGET, PING, and its Lua scripts (EVALSHA, EVAL, SCRIPT LOAD)
  # with the list commands they call.
  cat > "$run/users.acl" <<ACL
user default off
user admin on >$(cat "$client/admin.password") ~* &* +@all
user newsflow on >$(cat "$client/newsflow.password") ~newsflow:* resetchannels -@all +@connection +get +set +mget +evalsha +eval +script|load +script|exists +lindex +lpop +lpos +lrange +rpush +expire
user newsflow-readonly on >$(cat "$client/newsflow-readonly.password") ~newsflow:* resetchannels -@all +@connection +get +mget
ACL
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  install
  if running && answers; then echo "redis.sh: redis already running on 127.0.0.1:$port"; return 0; fi
  running && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -rf "$run"; mkdir -p "$run"
  [ -n "$tls" ] && make_secrets
  start
}

start() {
  [ -d "$run" ] || die "no data in $run: use 'scripts/redis.sh up'"
  if running && answers; then echo "redis.sh: redis already running on 127.0.0.1:$port"; return 0; fi
  local listen=(--port "$port")
  if [ -n "$tls" ]; then
    listen=(--port 0 --tls-port "$port" --tls-cert-file "$run/tls/server.pem" --tls-key-file "$run/tls/server.key"
      --tls-ca-cert-file "$run/tls/ca.pem" --tls-auth-clients no --aclfile "$run/users.acl")
  fi
  echo "redis.sh: starting redis-server${tls:+ (TLS, ACL users)} on 127.0.0.1:$port (logs: $run/redis.log)"
  redis-server --bind 127.0.0.1 "${listen[@]}" --save "" --appendonly yes --appendfsync everysec \
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
