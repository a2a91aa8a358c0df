#!/usr/bin/env python3
"""Builds the WARC archives of tests/data/warc from the sample pages (samples/pages), with warcio,
the WARC library of the Webrecorder project, so that the reader is tested on what a real writer makes.

    python3 -m venv .venv && .venv/bin/pip install warcio brotli
    .venv/bin/python tests/data/warc/gen.py

The output is deterministic (fixed record ids and dates; gzip members carry no time stamp): running it
again rewrites the same bytes. Archives:

- pages.warc.gz: per-record gzip members, as Common Crawl ships them. warcinfo; for each sample page a
  request and a response (plain; windows-1251 named by the Content-Type header; chunked + gzip; br;
  deflate); a Shift_JIS page whose charset only the header names; an HTTP 404; a metadata record; a
  revisit; a resource record (the DW page again under another URL: a duplicate); a dns: response.
- damaged.warc.gz: warcinfo and three responses, the second one's gzip member corrupted in its middle.
- truncated.warc: plain (uncompressed); two responses, the archive cut inside the second one's block.

`gen.py --corpus DIR OUT.warc.gz [COPIES]` writes a bigger archive from a directory of HTML files, for
measuring (`cargo bench -p warc-input --bench read -- OUT.warc.gz`); it is not committed.
"""

import brotli
import gzip
import io
import json
import zlib
from pathlib import Path

from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[2] / "samples" / "pages"
DATE = "2024-05-06T07:08:09Z"


def sample(name):
    html = (SAMPLES / f"{name}.html").read_bytes()
    sidecar = json.loads((SAMPLES / f"{name}.input.json").read_text())
    return html, sidecar["url"], sidecar.get("content_type", "text/html")


# A short page written for these tests: Shift_JIS bytes, no <meta charset>, so only the HTTP header
# tells the charset.
SJIS_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><title>港の防波堤、改修工事が完了 | みなと新報</title>
<meta property="og:type" content="article"></head>
<body><header><nav><a href="/">トップ</a> <a href="/local/">地域</a></nav></header>
<article><h1>港の防波堤、改修工事が完了</h1>
<p class="byline">記者 山田 花子</p><time datetime="2024-05-05T09:00:00+09:00">2024年5月5日</time>
<p>老朽化が進んでいた北港の防波堤で、三年にわたる改修工事がこのほど完了した。市によると、新しい防波堤は高さを一・五メートル引き上げ、台風による高波にも耐えられる構造になったという。</p>
<p>工事では既存のコンクリートブロックを補強し、外側に消波ブロックを追加で設置した。総事業費は約十二億円で、国と県の補助金が充てられた。</p>
<p>地元の漁業協同組合の組合長は「これで安心して船を係留できる。長年の願いがかなった」と話した。市は今後、南港の護岸についても点検を進める方針だ。</p>
<p>完成を記念して、来月には港の一般公開が予定されている。見学会では工事の様子を紹介するパネル展示も行われる。</p>
</article><footer>みなと新報</footer></body></html>
"""

NOT_FOUND_PAGE = b"""<!DOCTYPE html><html><head><title>Page not found</title></head>
<body><h1>404</h1><p>The page you asked for does not exist.</p></body></html>
"""


class Archive:
    """A WARCWriter with fixed record ids, and the offset where each record starts."""

    def __init__(self, gzip_members=True):
        self.out = io.BytesIO()
        self.writer = WARCWriter(self.out, gzip=gzip_members, warc_version="1.1")
        self.count = 0
        self.offsets = []

    def _headers(self, extra=None):
        self.count += 1
        headers = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{self.count:012d}>",
            "WARC-Date": DATE,
        }
        headers.update(extra or {})
        return headers

    def write(self, record):
        self.offsets.append(self.out.tell())
        self.writer.write_record(record)

    def warcinfo(self, name):
        record = self.writer.create_warcinfo_record(name, {"software": "warcio", "format": "WARC File Format 1.1"})
        record.rec_headers.replace_header("WARC-Record-ID", self._headers()["WARC-Record-ID"])
        record.rec_headers.replace_header("WARC-Date", DATE)
        self.write(record)

    def request(self, url):
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        raw = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: newsflow-test\r\n\r\n".encode()
        self.write(self.writer.create_warc_record(url, "request", payload=io.BytesIO(raw),
                                                  warc_headers_dict=self._headers()))

    def response(self, url, status, headers, body):
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        raw = head.encode("latin-1") + body
        self.write(self.writer.create_warc_record(url, "response", payload=io.BytesIO(raw),
                                                  warc_headers_dict=self._headers()))

    def resource(self, url, content_type, body):
        self.write(self.writer.create_warc_record(url, "resource", payload=io.BytesIO(body),
                                                  warc_content_type=content_type,
                                                  warc_headers_dict=self._headers()))

    def metadata(self, url, text):
        self.write(self.writer.create_warc_record(url, "metadata", payload=io.BytesIO(text.encode()),
                                                  warc_content_type="application/warc-fields",
                                                  warc_headers_dict=self._headers()))

    def revisit(self, url, refers_to_date):
        record = self.writer.create_revisit_record(
            url, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", refers_to_uri=url,
            refers_to_date=refers_to_date, warc_headers_dict=self._headers())
        self.write(record)

    def dns(self, host):
        self.write(self.writer.create_warc_record(f"dns:{host}", "response",
                                                  payload=io.BytesIO(f"{DATE}\n{host}.\t300\tIN\tA\t192.0.2.7\n".encode()),
                                                  warc_content_type="text/dns",
                                                  warc_headers_dict=self._headers()))

    def bytes(self):
        return self.out.getvalue()


def chunked(body, size=1000):
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def raw_deflate(body):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(body) + compressor.flush()


def pages():
    archive = Archive()
    archive.warcinfo("pages.warc.gz")

    html, url, _ = sample("dw-nato-ukraine")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Language", "en")], html)
    dw_url, dw_html = url, html

    html, url, _ = sample("cp1251-ru-most")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", "text/html; charset=windows-1251")], html)

    html, url, content_type = sample("jsonld-fr-telesiege")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", content_type), ("Content-Encoding", "gzip"),
                                     ("Transfer-Encoding", "chunked")],
                     chunked(gzip.compress(html, mtime=0)))

    html, url, content_type = sample("wordpress-de-radwege")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", content_type), ("Content-Encoding", "br")],
                     brotli.compress(html))

    html, url, content_type = sample("split-body-seawall")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", content_type), ("Content-Encoding", "deflate")],
                     raw_deflate(html))

    html, url, content_type = sample("section-front-home")
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", content_type)], html)

    url = "https://www.minato-shinpo.example.jp/news/2024/05/05/bouhatei.html"
    archive.request(url)
    archive.response(url, "200 OK", [("Content-Type", "text/html; charset=Shift_JIS"), ("Content-Language", "ja")],
                     SJIS_PAGE.encode("shift_jis"))

    url = "https://www.dw.com/en/no-such-story/a-0"
    archive.request(url)
    archive.response(url, "404 Not Found", [("Content-Type", "text/html; charset=utf-8")], NOT_FOUND_PAGE)

    archive.metadata(dw_url, "via: https://www.dw.com/en/\nfetchTimeMs: 120\n")
    archive.revisit(dw_url, DATE)
    archive.resource("https://mirror.example.org/dw/nato-chief-vows-unwavering-support", "text/html; charset=utf-8", dw_html)
    archive.dns("www.dw.com")
    return archive.bytes()


def damaged():
    archive = Archive()
    archive.warcinfo("damaged.warc.gz")
    for name in ("dw-nato-ukraine", "wordpress-de-radwege", "cp1251-ru-most"):
        html, url, content_type = sample(name)
        archive.response(url, "200 OK", [("Content-Type", content_type)], html)
    data = bytearray(archive.bytes())
    # Overwrite bytes in the middle of the second response's member: its deflate data no longer decodes.
    start, end = archive.offsets[2], archive.offsets[3]
    middle = (start + end) // 2
    data[middle:middle + 24] = b"\xff" * 24
    return bytes(data)


def truncated():
    archive = Archive(gzip_members=False)
    for name in ("split-body-seawall", "dw-nato-ukraine"):
        html, url, content_type = sample(name)
        archive.response(url, "200 OK", [("Content-Type", content_type)], html)
    data = archive.bytes()
    # Cut inside the last record's block.
    return data[: archive.offsets[1] + (len(data) - archive.offsets[1]) // 2]


def corpus(directory, out, copies):
    """A bigger archive for measuring (not committed): a request and a gzip-encoded response per HTML
    file of `directory`, `copies` times, streamed to `out`."""
    files = sorted(p for p in Path(directory).iterdir() if p.suffix in (".html", ".htm"))
    with open(out, "wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        for copy in range(copies):
            for i, path in enumerate(files):
                url = f"https://corpus.example/{copy}/{i}"
                raw = f"GET /{copy}/{i} HTTP/1.1\r\nHost: corpus.example\r\n\r\n".encode()
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(raw)))
                body = gzip.compress(path.read_bytes(), mtime=0)
                head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n").encode()
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(head + body)))
    print(f"{out}: {2 * copies * len(files)} records")


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "--corpus":
        # gen.py --corpus DIR OUT.warc.gz [COPIES]
        corpus(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1)
        sys.exit(0)
    for name, build in (("pages.warc.gz", pages), ("damaged.warc.gz", damaged), ("truncated.warc", truncated)):
        data = build()
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
