#!/usr/bin/env bash
# `make test`: unit and golden tests, end-to-end tests against a real Kafka broker started here, and the
# deployment checks. Stops the broker it started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

started_kafka=0
cleanup() { [ "$started_kafka" = 1 ] && scripts/kafka.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

if ! scripts/kafka.sh status 2>/dev/null; then
  scripts/kafka.sh up
  started_kafka=1
fi
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"

cargo build -p newsflow --locked
cargo test --workspace --all-targets --locked
scripts/check-deploy.sh
