#!/usr/bin/env bash
# `make test`: unit and golden tests, end-to-end tests against a real Kafka broker, a real Redis and a real
# Prometheus started here (the dashboard's and the alerts' queries, its table printed), and the deployment
# checks. Stops what it started, whatever happens.
#
# Environment: KAFKA_PORT (19092), REDIS_PORT (16379), PROMETHEUS_PORT (19090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

source scripts/lib.sh
ensure_services kafka redis prometheus
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
export NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}"
export NEWSFLOW_TEST_PROMETHEUS="127.0.0.1:${PROMETHEUS_PORT:-19090}"
NEWSFLOW_TEST_PROMETHEUS_TARGETS=$(scripts/prometheus.sh targets)
export NEWSFLOW_TEST_PROMETHEUS_TARGETS

prometheus_test=every_dashboard_and_alert_query_answers_on_a_real_prometheus
cargo build -p newsflow --locked
cargo test --workspace --all-targets --locked -- --skip "$prometheus_test"
# On its own, with its output: the table of every dashboard and alert query.
cargo test -p e2e --test prometheus_e2e --locked -- --nocapture --exact "$prometheus_test"
scripts/check-deploy.sh
