#!/usr/bin/env bash
# `make bench`: a benchmark, not a test. Prints
#   1. single-core pipeline throughput in file mode (pages/s, MB/s) and the ratio to a parse-only pass,
#      on samples/pages and, when present, on ../shared/corpus/trafilatura-eval/html;
#   2. dedup: fingerprint + decide docs/s in memory mode (one core) and against a real Redis (one thread and
#      several side by side), and the state size per stored article in both;
#   3. end-to-end throughput through a real broker, paced latency p50/p99, and the worker's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka

echo "== file mode, single core"
dirs=(samples/pages)
[ -d ../shared/corpus/trafilatura-eval/html ] && dirs+=(../shared/corpus/trafilatura-eval/html)
for dir in "${dirs[@]}"; do
  cargo bench -p pipeline --bench throughput --locked -- "$(realpath "$dir")"
done

source scripts/lib.sh

echo "== dedup: fingerprint + decide, memory and Redis"
ensure_services redis
NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}" cargo bench -p redis-store --bench dedup_throughput --locked

echo "== end to end through Apache Kafka"
ensure_services kafka
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
cargo build --release -p newsflow -p e2e --locked
if [ -z "${BENCH_PAGES:-}" ] && [ -d ../shared/corpus/trafilatura-eval/html ]; then
  export BENCH_PAGES=$(realpath ../shared/corpus/trafilatura-eval/html)
fi
"${CARGO_TARGET_DIR:-target}/release/e2e-bench"
