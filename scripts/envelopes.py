#!/usr/bin/env python3
"""Turns HTML files into newsflow envelopes, one JSON per line: {"url", "html" | "html_base64", ...}.

The URL and content type come from a `<name>.input.json` beside the page when there is one, else the URL is
the page's own rel=canonical (or og:url). Pages that are not UTF-8 are sent as html_base64.
Usage: scripts/envelopes.py FILE_OR_DIR... > envelopes.jsonl
"""
import base64
import json
import pathlib
import re
import sys

CANONICAL = re.compile(rb'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)', re.I)
CANONICAL_REV = re.compile(rb'<link[^>]+href=["\']([^"\']+)["\'][^>]*rel=["\']canonical["\']', re.I)
OG_URL = re.compile(rb'<meta[^>]+property=["\']og:url["\'][^>]*content=["\']([^"\']+)', re.I)


def pages(args):
    for arg in args:
        path = pathlib.Path(arg)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm"))
        else:
            yield path


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for page in pages(sys.argv[1:]):
        raw = page.read_bytes()
        sidecar_path = page.with_suffix(".input.json")
        sidecar = json.loads(sidecar_path.read_text()) if sidecar_path.exists() else {}
        match = CANONICAL.search(raw) or CANONICAL_REV.search(raw) or OG_URL.search(raw)
        url = sidecar.get("url") or (match.group(1).decode("ascii", "replace") if match else None)
        if not url:
            print(f"envelopes.py: skipping {page}: no URL (add {sidecar_path.name})", file=sys.stderr)
            continue
        envelope = {"url": url, "fetched_at": "2026-11-28T06:00:00Z", "status": 200}
        if sidecar.get("content_type"):
            envelope["content_type"] = sidecar["content_type"]
        try:
            envelope["html"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            envelope["html_base64"] = base64.b64encode(raw).decode("ascii")
        print(json.dumps(envelope, ensure_ascii=False))


if __name__ == "__main__":
    main()
