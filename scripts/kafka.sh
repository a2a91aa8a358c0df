#!/usr/bin/env bash
# Runs one Apache Kafka broker (KRaft, combined broker+controller) on 127.0.0.1 for demos and tests.
#
#   scripts/kafka.sh up      fetch jars (first time), format storage, start, wait until it answers
#   scripts/kafka.sh down    stop it and remove its data
#   scripts/kafka.sh stop    stop it, keep its data (for outage tests)
#   scripts/kafka.sh start   start a stopped broker again on its data
#   scripts/kafka.sh status  exit 0 when it answers
#   scripts/kafka.sh topics  create the worker's topics (idempotent)
#   scripts/kafka.sh cli CLASS ARGS...   run a Kafka CLI class with the broker's classpath
#
# Environment: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_VERSION (from deploy/kafka/pom.xml),
# KAFKA_HEAP (768m). Jars are cached in .cache/kafka/<version>/libs; runtime state lives in .run/kafka.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
pom="$root/deploy/kafka/pom.xml"
version=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")}
port=${KAFKA_PORT:-19092}
cport=${KAFKA_CONTROLLER_PORT:-19093}
libs="$root/.cache/kafka/$version/libs"
run="$root/.run/kafka-$port"
pidfile="$run/kafka.pid"

die() { echo "kafka.sh: $*" >&2; exit 1; }

check_prereqs() {
  command -v java >/dev/null || die "java not found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"
  local jv
  jv=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  [ "${jv%%.*}" -ge 17 ] 2>/dev/null || die "java $jv found, Kafka $version needs java 17 or newer"
  if [ ! -f "$libs/.complete" ]; then
    command -v mvn >/dev/null || die "mvn not found: Maven fetches the broker jars from Maven Central (Debian: apt-get install maven)"
  fi
}

fetch() {
  [ -f "$libs/.complete" ] && return 0
  echo "kafka.sh: fetching Apache Kafka $version jars from Maven Central into $libs"
  rm -rf "$libs"; mkdir -p "$libs"
  (cd "$root/deploy/kafka" && mvn -q -B -Dkafka.version="$version" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime) || die "maven could not resolve kafka $version"
  touch "$libs/.complete"
}

java_cp() { java -Xmx256m -Dlog4j2.configurationFile="$run/log4j2.properties" -cp "$libs/*" "$@"; }

answers() {
  java_cp org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --list >/dev/null 2>&1
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

write_config() {
  mkdir -p "$run/data"
  cat > "$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$run/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=10485760
auto.create.topics.enable=false
log.retention.hours=24
PROPS
  cat > "$run/log4j2.properties" <<'LOG'
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
LOG
}

up() {
  check_prereqs
  fetch
  if running && answers; then echo "kafka.sh: broker already running on 127.0.0.1:$port"; return 0; fi
  running && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -rf "$run"; write_config
  local cluster
  cluster=$(java_cp kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
  java_cp kafka.tools.StorageTool format --standalone -t "$cluster" -c "$run/server.properties" >"$run/format.log" 2>&1 \
    || { cat "$run/format.log" >&2; die "formatting KRaft storage failed"; }
  launch
}

launch() {
  echo "kafka.sh: starting Apache Kafka $version on 127.0.0.1:$port (logs: $run/kafka.log)"
  nohup java -Xmx"${KAFKA_HEAP:-768m}" -XX:+UseG1GC -Dlog4j2.configurationFile="$run/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$run/server.properties" >"$run/kafka.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 90); do
    if answers; then echo "kafka.sh: broker answers on 127.0.0.1:$port"; return 0; fi
    running || { tail -n 40 "$run/kafka.log" >&2; die "broker exited during start-up"; }
    sleep 1
  done
  tail -n 40 "$run/kafka.log" >&2
  die "broker did not answer within 90 s"
}

stop() {
  if running; then
    stop_pid "$(cat "$pidfile")" 30 1
    echo "kafka.sh: broker on 127.0.0.1:$port stopped (data kept)"
  fi
}

start() {
  check_prereqs
  [ -f "$run/server.properties" ] || die "no stopped broker on port $port: use 'up'"
  running && answers && return 0
  launch
}

down() {
  stop
  rm -rf "$run"
}

topics() {
  local partitions=${PARTITIONS:-3}
  for t in news.raw-html news.articles news.duplicates news.raw-html.dlq news.skipped; do
    java_cp org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --create --if-not-exists \
      --topic "$t" --partitions "$partitions" --replication-factor 1 >/dev/null 2>"$run/topics.log" \
      || { cat "$run/topics.log" >&2; die "cannot create topic $t"; }
  done
  echo "kafka.sh: topics ready on 127.0.0.1:$port"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  stop) stop ;;
  start) start ;;
  status) running && answers ;;
  topics) topics ;;
  fetch) check_prereqs; fetch ;;
  cli) shift; java_cp "$@" ;;
  *) echo "usage: scripts/kafka.sh up|down|stop|start|status|topics|fetch|cli CLASS ARGS..." >&2; exit 2 ;;
esac
