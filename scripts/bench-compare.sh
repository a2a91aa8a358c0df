#!/usr/bin/env bash
# Extraction speed and quality against trafilatura on the same corpus, single-threaded.
#   scripts/bench-compare.sh [CORPUS]   (default: ../shared/corpus/trafilatura-eval)
# Installs trafilatura from PyPI into .cache/venv (once), times it over every page of the corpus on one
# core, runs `newsflow-eval extract` on the same corpus, and prints both speeds and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/trafilatura-eval}
TRAFILATURA_VERSION=${TRAFILATURA_VERSION:-2.3.1}
VENV=.cache/venv

[[ -f "$CORPUS/evaldata.json" ]] || { echo "no corpus at $CORPUS (evaldata.json missing)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import trafilatura" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "trafilatura==$TRAFILATURA_VERSION"
fi

cargo build --release -p newsflow-eval --locked
bin=${CARGO_TARGET_DIR:-target}/release/newsflow-eval

echo "== newsflow (single thread)"
ours=$(taskset -c 0 "$bin" extract --corpus "$CORPUS" | tee /dev/stderr | sed -n 's/^pages_per_second = //p')

echo "== trafilatura $TRAFILATURA_VERSION (single thread, per CPU second, default settings, comments excluded)"
theirs=$(OMP_NUM_THREADS=1 taskset -c 0 "$VENV/bin/python" - "$CORPUS" <<'PY'
import json, sys, time, pathlib
import trafilatura

corpus = pathlib.Path(sys.argv[1])
gold = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
pages = []
for url, item in gold.items():
    path = corpus / "html" / item["file"]
    if path.exists():
        pages.append((url, path.read_bytes()))
for url, html in pages[:20]:  # warm-up
    trafilatura.extract(html, url=url, include_comments=False)
# Per CPU second of this process, as `newsflow-eval extract` reports its own speed.
started, wall = time.process_time(), time.perf_counter()
for url, html in pages:
    try:
        trafilatura.extract(html, url=url, include_comments=False)
    except Exception:
        pass
seconds = time.process_time() - started
print(f"{len(pages)} pages in {seconds:.1f} CPU s ({time.perf_counter() - wall:.1f} s wall)", file=sys.stderr)
print(f"{len(pages) / seconds:.2f}")
PY
)
echo "trafilatura: $theirs pages per CPU second"
echo "newsflow:    $ours pages per CPU second"
python3 -c "import sys; o, t = float(sys.argv[1]), float(sys.argv[2]); print(f'speed ratio newsflow / trafilatura: {o / t:.1f}x')" "$ours" "$theirs"
