#!/usr/bin/env bash
# `make test`: unit and golden tests, end-to-end tests against a real Kafka broker (and a second one secured
# with TLS, SCRAM and ACLs) and a real Redis started here, and the deployment checks. Stops what it started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

source scripts/lib.sh
ensure_services kafka kafka-secured redis redis-secured
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
export NEWSFLOW_TEST_SECURED_BROKERS="127.0.0.1:${KAFKA_SECURED_PORT:-19392}"
export NEWSFLOW_TEST_SECURED_CLIENT="$PWD/.run/kafka-${KAFKA_SECURED_PORT:-19392}/client"
export NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}"
export NEWSFLOW_TEST_SECURED_REDIS="127.0.0.1:${REDIS_SECURED_PORT:-16380}"
export NEWSFLOW_TEST_SECURED_REDIS_CLIENT="$PWD/.run/redis-${REDIS_SECURED_PORT:-16380}/client"

cargo build -p newsflow --locked
cargo test --workspace --all-targets --locked
scripts/check-deploy.sh
