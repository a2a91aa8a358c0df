# newsflow — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
SAMPLES ?= samples/pages

.PHONY: help run test lint fmt build release image image-test unit deploy-check kafka-up kafka-down demo bench bench-compare fuzz eval chaos clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

run: ## file mode on the bundled sample pages (no Kafka needed): prints one article event per page
	@scripts/prereqs.sh rust
	$(CARGO) build --release -p newsflow
	$${CARGO_TARGET_DIR:-target}/release/newsflow process --pretty --input $(SAMPLES)

test: ## unit, golden and end-to-end tests against a real Kafka broker, plus deploy checks
	scripts/test.sh

lint: ## formatting and clippy, warnings are errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt: ## format the code
	$(CARGO) fmt --all

build: ## debug build of everything
	$(CARGO) build --workspace --all-targets --locked

release: ## optimized worker binary at target/release/newsflow
	$(CARGO) build --release -p newsflow --locked

image: ## OCI image of the worker without registry or engine: target/image/newsflow-<version>.oci.tar (umoci, Debian packages)
	scripts/image.sh build

image-test: ## run the image's root filesystem (unshare + chroot, read-only root): --version, check-config, process, run until /healthz
	scripts/image.sh test

unit: ## unit and golden tests only (no broker)
	$(CARGO) test --workspace --exclude e2e --locked

deploy-check: ## helm chart, dashboard and alert rule checks
	scripts/check-deploy.sh

kafka-up: ## start a local Apache Kafka broker (KRaft) on 127.0.0.1:19092
	scripts/kafka.sh up

kafka-down: ## stop it and delete its data
	scripts/kafka.sh down

demo: ## broker, topics, worker, sample pages in, article events out
	scripts/demo.sh

chaos: ## every fault scenario against a real broker and Redis, CHAOS_RUNS (10) times in a row, with its table
	scripts/chaos.sh

bench: ## throughput and latency: file mode and end to end through the broker
	scripts/bench.sh

bench-compare: ## extraction speed and quality vs trafilatura (PyPI, local venv) on ../shared's corpus
	scripts/bench-compare.sh

eval: ## quality gates on ../shared's corpora (extraction, language), held at tests/floors/*.toml
	scripts/eval.sh

fuzz: ## fuzz the extractor with cargo-fuzz (nightly), FUZZ_SECONDS (default 60)
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	mkdir -p fuzz/corpus/extract && cp -n samples/pages/*.html crates/extract/tests/data/*.html fuzz/corpus/extract/
	cd fuzz && $(CARGO) +nightly fuzz run extract corpus/extract -- -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 -timeout=10 -rss_limit_mb=2048

clean:
	$(CARGO) clean
	rm -rf .run
