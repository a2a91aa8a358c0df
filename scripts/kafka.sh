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
#   scripts/kafka.sh acl ARGS...   run the ACL tool as the admin user (secured mode), e.g.
#                                  acl --add --allow-principal User:newsflow --operation Read --topic news.raw-html
#
# Environment: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_VERSION (from deploy/kafka/pom.xml),
# KAFKA_HEAP (768m), KAFKA_JVM_OPTS (extra JVM flags). Jars are cached in .cache/kafka/<version>-<pom checksum>/libs;
# runtime state lives in .run/kafka-<port>.
#
# KAFKA_SECURITY=sasl_ssl starts a secured broker instead: one SASL_SSL listener (TLS with a test CA and
# broker certificate made on the spot, SCRAM-SHA-512 users created at format time) and the StandardAuthorizer
# (nothing allowed without an ACL). Users: `admin` (super user, for the tools) and `newsflow` (the worker: no
# ACL until one is added; `topics` grants it what the worker needs on the default topics). What a client
# needs sits in .run/kafka-<port>/client: ca.pem, other-ca.pem (a CA that signed nothing here),
# <user>.password, admin.properties (for the Java tools). The controller listener stays plaintext on
# 127.0.0.1 only; its principal (ANONYMOUS) is a super user because the broker registers through it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
pom="$root/deploy/kafka/pom.xml"
version=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")}
port=${KAFKA_PORT:-19092}
cport=${KAFKA_CONTROLLER_PORT:-19093}
# The cache follows the pom: a changed dependency list fetches again.
libs="$root/.cache/kafka/$version-$(cksum < "$pom" | cut -d' ' -f1)/libs"
run="$root/.run/kafka-$port"
pidfile="$run/kafka.pid"
security=${KAFKA_SECURITY:-plaintext}
case "$security" in plaintext|sasl_ssl) ;; *) echo "kafka.sh: KAFKA_SECURITY must be plaintext or sasl_ssl, got $security" >&2; exit 2 ;; esac
client="$run/client"

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

# Arguments that connect a Java tool to the broker (as the admin user when secured).
connect_args() {
  echo --bootstrap-server "127.0.0.1:$port"
  [ "$security" = sasl_ssl ] && echo --command-config "$client/admin.properties"
  true
}

answers() {
  # shellcheck disable=SC2046
  java_cp org.apache.kafka.tools.TopicCommand $(connect_args) --list >/dev/null 2>&1
}

# Test CA, broker certificate (127.0.0.1, localhost), a CA that signed nothing, SCRAM passwords.
make_secrets() {
  command -v openssl >/dev/null || die "openssl not found: the secured broker's certificates are made with it (Debian: apt-get install openssl)"
  local tls="$run/tls"
  mkdir -p "$tls" "$client"
  chmod 700 "$tls" "$client"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=newsflow test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=untrusted CA" \
      -keyout other-ca.key -out other-ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile broker.ext -out broker.pem 2>/dev/null
    openssl rand -hex 16 > keystore.password
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout "file:keystore.password" -out broker.p12
  ) || die "making the test certificates failed"
  cp "$tls/ca.pem" "$tls/other-ca.pem" "$client/"
  local user
  for user in admin newsflow; do
    openssl rand -hex 16 > "$client/$user.password"
  done
  cat > "$client/admin.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$client/admin.password")";
ssl.truststore.type=PEM
ssl.truststore.location=$client/ca.pem
PROPS
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
  if [ "$security" = sasl_ssl ]; then
    sed -i -e "s|^listeners=.*|listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport|" \
      -e "s|^advertised.listeners=.*|advertised.listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport|" \
      -e "s|^inter.broker.listener.name=.*|inter.broker.listener.name=SASL_SSL|" \
      -e "s|^listener.security.protocol.map=.*|listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL|" \
      "$run/server.properties"
    cat >> "$run/server.properties" <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$client/admin.password")";
ssl.keystore.type=PKCS12
ssl.keystore.location=$run/tls/broker.p12
ssl.keystore.password=$(cat "$run/tls/keystore.password")
ssl.truststore.type=PEM
ssl.truststore.location=$run/tls/ca.pem
ssl.endpoint.identification.algorithm=
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:ANONYMOUS
PROPS
  fi
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
  rm -rf "$run"
  local scram=()
  if [ "$security" = sasl_ssl ]; then
    make_secrets
    local user
    for user in admin newsflow; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(cat "$client/$user.password")]")
    done
  fi
  write_config
  local cluster
  cluster=$(java_cp kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
  java_cp kafka.tools.StorageTool format --standalone -t "$cluster" -c "$run/server.properties" "${scram[@]}" \
    >"$run/format.log" 2>&1 \
    || { cat "$run/format.log" >&2; die "formatting KRaft storage failed"; }
  launch
}

launch() {
  echo "kafka.sh: starting Apache Kafka $version ($security) on 127.0.0.1:$port (logs: $run/kafka.log)"
  # shellcheck disable=SC2086 # KAFKA_JVM_OPTS is a list of flags
  nohup java -Xmx"${KAFKA_HEAP:-768m}" -XX:+UseG1GC ${KAFKA_JVM_OPTS:-} -Dlog4j2.configurationFile="$run/log4j2.properties" \
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
    # shellcheck disable=SC2046
    java_cp org.apache.kafka.tools.TopicCommand $(connect_args) --create --if-not-exists \
      --topic "$t" --partitions "$partitions" --replication-factor 1 >/dev/null 2>"$run/topics.log" \
      || { cat "$run/topics.log" >&2; die "cannot create topic $t"; }
  done
  if [ "$security" = sasl_ssl ]; then
    acl --add --allow-principal User:newsflow --operation Read --operation Describe --topic news.raw-html >/dev/null
    acl --add --allow-principal User:newsflow --operation Read --operation Describe --group newsflow \
      --resource-pattern-type prefixed >/dev/null
    for t in news.articles news.duplicates news.raw-html.dlq news.skipped; do
      acl --add --allow-principal User:newsflow --operation Write --operation Describe --operation Read \
        --topic "$t" >/dev/null
    done
  fi
  echo "kafka.sh: topics ready on 127.0.0.1:$port"
}

acl() {
  [ "$security" = sasl_ssl ] || die "acl: the broker on $port is not secured (KAFKA_SECURITY=sasl_ssl)"
  # shellcheck disable=SC2046
  java_cp org.apache.kafka.tools.AclCommand $(connect_args) "$@"
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
  acl) shift; acl "$@" ;;
  *) echo "usage: scripts/kafka.sh up|down|stop|start|status|topics|fetch|cli CLASS ARGS...|acl ARGS..." >&2; exit 2 ;;
esac
