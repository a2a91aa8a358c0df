#!/usr/bin/env bash
# `make test`: unit and golden tests, end-to-end tests against a real Kafka broker and a real Redis started
# here, and the deployment checks. Stops what it started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

started_kafka=0
started_redis=0
cleanup() {
  [ "$started_kafka" = 1 ] && { scripts/kafka.sh down >/dev/null 2>&1 || true; }
  [ "$started_redis" = 1 ] && { scripts/redis.sh down >/dev/null 2>&1 || true; }
  true
}
trap cleanup EXIT

if ! scripts/kafka.sh status 2>/dev/null; then
  scripts/kafka.sh up
  started_kafka=1
fi
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
if ! scripts/redis.sh status 2>/dev/null; then
  scripts/redis.sh up
  started_redis=1
fi
export NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}"

cargo build -p newsflow --locked
cargo test --workspace --all-targets --locked
scripts/check-deploy.sh
