#!/usr/bin/env bash
# Checks that the tools a target needs are installed, and says what is missing.
#   scripts/prereqs.sh rust [kafka] [python]
set -euo pipefail
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1: $2"); }
for what in "$@"; do
  case "$what" in
    rust)
      need cargo "install Rust (https://rustup.rs), 1.88 or newer"
      need cc "a C compiler builds librdkafka (Debian: apt-get install build-essential)"
      need make "GNU make builds librdkafka (Debian: apt-get install make)"
      need perl "librdkafka's configure needs perl"
      need pkg-config "pkg-config finds OpenSSL for librdkafka (Debian: apt-get install pkg-config)"
      if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists openssl; then
        missing+=("OpenSSL headers: librdkafka's TLS/SASL support (Debian: apt-get install libssl-dev)")
      fi ;;
    kafka)
      need java "a JDK 17 or newer runs the Kafka broker (Debian: apt-get install openjdk-17-jre-headless)"
      need mvn "Maven fetches the broker jars from Maven Central (Debian: apt-get install maven)" ;;
    python)
      need python3 "python3 generates demo inputs" ;;
    curl)
      need curl "curl reads the worker's HTTP endpoints (Debian: apt-get install curl)" ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing prerequisites:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
