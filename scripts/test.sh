#!/usr/bin/env bash
# `make test`: unit and golden tests, end-to-end tests against a real Kafka broker (and a second one secured
# with TLS, SCRAM and ACLs), a real Redis (and a second one with TLS and ACL users) and a real Prometheus
# started here (the dashboard's and the alerts' queries, its table printed), and the deployment checks.
# Stops what it started, whatever happens.
#
# Environment: KAFKA_PORT (19092), KAFKA_SECURED_PORT (19392), REDIS_PORT (16379), REDIS_SECURED_PORT (16380),
# PROMETHEUS_PORT (19090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

source scripts/lib.sh
ensure_services kafka kafka-secured redis redis-secured prometheus
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
export NEWSFLOW_TEST_SECURED_BROKERS="127.0.0.1:${KAFKA_SECURED_PORT:-19392}"
export NEWSFLOW_TEST_SECURED_CLIENT="$PWD/.run/kafka-${KAFKA_SECURED_PORT:-19392}/client"
export NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}"
export NEWSFLOW_TEST_SECURED_REDIS="127.0.0.1:${REDIS_SECURED_PORT:-16380}"
export NEWSFLOW_TEST_SECURED_REDIS_CLIENT="$PWD/.run/redis-${REDIS_SECURED_PORT:-16380}/client"
export NEWSFLOW_TEST_PROMETHEUS="127.0.0.1:${PROMETHEUS_PORT:-19090}"
NEWSFLOW_TEST_PROMETHEUS_TARGETS=$(scripts/prometheus.sh targets)
export NEWSFLOW_TEST_PROMETHEUS_TARGETS

prometheus_test=every_dashboard_and_alert_query_answers_on_a_real_prometheus
cargo build -p newsflow --locked
cargo test --workspace --all-targets --locked -- --skip "$prometheus_test"
# On its own, with its output: the table of every dashboard and alert query.
cargo test -p e2e --test prometheus_e2e --locked -- --nocapture --exact "$prometheus_test"
scripts/check-deploy.sh
