#!/usr/bin/env bash
# `make demo`: a local broker, the worker's topics, the worker, the sample pages produced to
# news.raw-html (`newsflow produce`), and the resulting article events read back from news.articles.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh rust kafka python curl
port=${KAFKA_PORT:-19092}
brokers="127.0.0.1:$port"
listen=${DEMO_METRICS:-127.0.0.1:9898}

scripts/kafka.sh up
scripts/kafka.sh topics
cargo build --release -p newsflow --locked

mkdir -p .run
if [ -f .run/demo-worker.pid ] && kill -0 "$(cat .run/demo-worker.pid)" 2>/dev/null; then
  kill "$(cat .run/demo-worker.pid)"; sleep 2
fi
NEWSFLOW__KAFKA__BOOTSTRAP_SERVERS=$brokers NEWSFLOW__TELEMETRY__LISTEN=$listen \
  nohup "${CARGO_TARGET_DIR:-target}/release/newsflow" run --config config/newsflow.toml > .run/demo-worker.log 2>&1 &
echo $! > .run/demo-worker.pid
echo "demo: worker started (pid $(cat .run/demo-worker.pid), log .run/demo-worker.log)"
for _ in $(seq 1 60); do
  curl -fsS "http://$listen/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://$listen/readyz" >/dev/null || { tail -20 .run/demo-worker.log; echo "demo: worker not ready" >&2; exit 1; }

scripts/envelopes.py samples/pages > .run/demo-envelopes.jsonl
# The first page once more under a tracking-parameter URL: the worker links it to the first as a duplicate.
head -n1 .run/demo-envelopes.jsonl | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
e["url"] += ("&" if "?" in e["url"] else "?") + "utm_source=newsletter"
print(json.dumps(e, ensure_ascii=False))' >> .run/demo-envelopes.jsonl
# Keyed by normalized URL, idempotent, and an error unless the broker acknowledged every page.
"${CARGO_TARGET_DIR:-target}/release/newsflow" produce --brokers "$brokers" --topic news.raw-html \
  --input .run/demo-envelopes.jsonl

echo "demo: article events on news.articles:"
scripts/kafka.sh cli org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$brokers" \
  --topic news.articles --from-beginning --timeout-ms 15000 2>/dev/null \
  | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    text = e["text"]
    print(json.dumps({k: e[k] for k in ("id", "canonical_url", "title", "authors", "published_at", "language", "dedup", "word_count")}, ensure_ascii=False))
    print("   text:", (text[:160] + "…") if len(text) > 160 else text)
'
for topic in news.duplicates news.skipped news.raw-html.dlq; do
  n=$(scripts/kafka.sh cli org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$brokers" \
      --topic "$topic" --from-beginning --timeout-ms 5000 2>/dev/null | wc -l)
  echo "demo: $n record(s) on $topic"
done
echo
echo "demo: metrics at http://$listen/metrics, e.g.:"
curl -fsS "http://$listen/metrics" | grep -E '^newsflow_(outcomes_total|messages_(consumed|produced)_total|dlq_messages_total)' || true
echo
echo "demo: the worker keeps running. Stop it with: kill \$(cat .run/demo-worker.pid); make kafka-down"
