#!/usr/bin/env bash
# `make eval` (and CI when ../shared is present): score each stage on the shared dev corpora and fail when
# a score falls below the floors kept in tests/floors/.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${NEWSFLOW_SHARED:-../shared}
if [ ! -d "$shared/corpus" ]; then
  echo "eval.sh: no corpora at $shared/corpus; nothing to evaluate" >&2
  exit 0
fi
scripts/prereqs.sh rust
cargo build --release -p newsflow-eval --locked
bin="${CARGO_TARGET_DIR:-target}/release/newsflow-eval"
echo "== eval extract"
"$bin" extract --corpus "$shared/corpus/trafilatura-eval" --floors tests/floors/extract.toml
echo "== eval lang"
"$bin" lang --corpus "$shared/corpus/langid" --floors tests/floors/lang.toml
echo "== eval dedup"
"$bin" dedup --corpus "$shared/corpus/trafilatura-eval" --floors tests/floors/dedup.toml
