#!/usr/bin/env bash
# `make chaos`: every fault scenario against a real broker and a real Redis, CHAOS_RUNS times in a row
# (default 10), stopping at the first failure. The fast scenarios (tests/chaos.rs, tests/e2e.rs,
# tests/dedup_e2e.rs, tests/secured.rs) also run in `make test`; tests/chaos_long.rs runs only here, one scenario at a time.
# Prints the table of scenarios: inputs, outputs, lost, duplicates (outputs beyond one per input offset),
# healed by itself, and runs passed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka
runs=${CHAOS_RUNS:-10}

source scripts/lib.sh
ensure_services kafka kafka-secured redis redis-secured
export NEWSFLOW_TEST_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
export NEWSFLOW_TEST_SECURED_BROKERS="127.0.0.1:${KAFKA_SECURED_PORT:-19392}"
export NEWSFLOW_TEST_SECURED_CLIENT="$PWD/.run/kafka-${KAFKA_SECURED_PORT:-19392}/client"
export NEWSFLOW_TEST_REDIS="redis://127.0.0.1:${REDIS_PORT:-16379}"
export NEWSFLOW_TEST_SECURED_REDIS="127.0.0.1:${REDIS_SECURED_PORT:-16380}"
export NEWSFLOW_TEST_SECURED_REDIS_CLIENT="$PWD/.run/redis-${REDIS_SECURED_PORT:-16380}/client"
export CI=${CI:-chaos}

cargo build -p newsflow --locked
cargo test -p e2e --locked --no-run --test chaos --test chaos_long --test e2e --test dedup_e2e --test secured

mkdir -p .run
log=.run/chaos.log
: >"$log"
for run in $(seq 1 "$runs"); do
  echo "== chaos run $run of $runs"
  if ! cargo test -p e2e --locked --test chaos --test e2e --test dedup_e2e --test secured -- --nocapture >>"$log" 2>&1 \
    || ! cargo test -p e2e --locked --test chaos_long -- --nocapture --test-threads=1 >>"$log" 2>&1; then
    grep -E '^test .*FAILED|panicked' "$log" | tail -n 20 >&2
    echo "chaos: run $run failed; the whole log is in $log" >&2
    exit 1
  fi
done

echo
echo "| scenario | inputs | outputs | lost | duplicates | healed by itself | runs passed |"
echo "|---|---|---|---|---|---|---|"
grep -o 'chaos-report | .*' "$log" | awk -F' \\| ' -v runs="$runs" '
  { name=$2; n[name]++; inputs[name]=$3; out[name]+=$4; lost[name]+=$5; dup[name]+=$6;
    if ($7 !~ /^yes/) unhealed[name]++ }
  END { for (name in n) printf "| %s | %d | %.0f (mean) | %d | %d (in %d runs) | %s | %d of %d |\n",
          name, inputs[name], out[name]/n[name], lost[name], dup[name], n[name],
          (unhealed[name] ? "no (" unhealed[name] ")" : "yes"), n[name], runs }' | sort
