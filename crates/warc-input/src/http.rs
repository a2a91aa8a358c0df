//! The HTTP payload of a `response` record: status line, headers, and the body with its transfer and
//! content codings undone.

use std::io::Read;

/// Most header fields in one response.
const MAX_HEADERS: usize = 256;

/// Largest body after decompression: a bound against compression bombs (the pipeline refuses pages
/// far smaller than this anyway).
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Parses an HTTP/1.x response as archived: the status line and headers as httparse reads them
/// (leniently, as browsers do), then the body, de-chunked and decompressed.
pub(crate) fn parse_response(block: &[u8]) -> Result<Response, String> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut fields);
    let parsed = httparse::ParserConfig::default()
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_responses(true)
        .parse_response(&mut response, block)
        .map_err(|err| format!("http header: {err}"))?;
    let httparse::Status::Complete(header_len) = parsed else {
        return Err("http header not terminated by an empty line".to_owned());
    };
    let status = response.code.ok_or("no http status code")?;
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|field| {
            (
                field.name.to_ascii_lowercase(),
                String::from_utf8_lossy(field.value).trim().to_owned(),
            )
        })
        .collect();
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let raw = &block[header_len..];
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|codings| codings.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(raw).unwrap_or_else(|| raw.to_vec())
    } else {
        raw.to_vec()
    };
    let body = match response.header("content-encoding") {
        Some(codings) => decode_content(body, codings)?,
        None => body,
    };
    response.body = body;
    Ok(response)
}

/// Undoes `Transfer-Encoding: chunked`. `None` when the body does not start as a chunked one (some
/// archivers store the body de-chunked but keep the header). A body cut off inside a chunk (a
/// crawler's size limit) yields what it holds.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut first = true;
    loop {
        let Some(end) = raw.iter().position(|&b| b == b'\n') else {
            return (!first).then_some(out);
        };
        let line = String::from_utf8_lossy(&raw[..end]);
        let size = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            return (!first).then_some(out);
        };
        first = false;
        raw = &raw[end + 1..];
        if size == 0 {
            return Some(out);
        }
        let take = size.min(raw.len());
        out.extend_from_slice(&raw[..take]);
        raw = &raw[take..];
        if take < size {
            return Some(out);
        }
        raw = raw.strip_prefix(b"\r").unwrap_or(raw);
        raw = raw.strip_prefix(b"\n").unwrap_or(raw);
    }
}

/// Undoes the `Content-Encoding` codings, last applied first.
fn decode_content(mut body: Vec<u8>, codings: &str) -> Result<Vec<u8>, String> {
    for coding in codings.rsplit(',').map(|c| c.trim().to_ascii_lowercase()) {
        body = match coding.as_str() {
            "" | "identity" | "none" => body,
            "gzip" | "x-gzip" => inflate(flate2::read::MultiGzDecoder::new(&body[..]), &coding)?,
            // `deflate` is zlib-wrapped by the standard; some servers send it raw.
            "deflate" => inflate(flate2::read::ZlibDecoder::new(&body[..]), &coding)
                .or_else(|_| inflate(flate2::read::DeflateDecoder::new(&body[..]), &coding))?,
            "br" => inflate(brotli_decompressor::Decompressor::new(&body[..], 4096), &coding)?,
            other => return Err(format!("unsupported content-encoding {other:?}")),
        };
    }
    Ok(body)
}

/// Reads a decoder to its end. A body cut off by the crawler keeps what was decoded before the cut.
fn inflate(decoder: impl Read, coding: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut limited = decoder.take(MAX_BODY_BYTES + 1);
    match limited.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_BODY_BYTES => {
            Err(format!("{coding} body over {MAX_BODY_BYTES} bytes once decoded"))
        }
        Ok(_) => Ok(out),
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof && !out.is_empty() => Ok(out),
        Err(err) => Err(format!(
            "{coding} body does not decode: {}",
            err.to_string().to_lowercase()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_chunks(raw: &str, expected: Option<&str>) {
        let got = dechunk(raw.as_bytes()).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(got.as_deref(), expected);
    }

    #[test]
    fn chunked_bodies() {
        check_chunks(
            "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
            Some("hello world"),
        );
        check_chunks("5\nhello\n0\n", Some("hello"));
        // Cut off inside a chunk: what arrived.
        check_chunks("a\r\nhello", Some("hello"));
        // Not chunked after all.
        check_chunks("<html>", None);
        check_chunks("", None);
    }

    #[test]
    fn unsupported_and_broken_encodings_are_errors() {
        let err = decode_content(b"abc".to_vec(), "zstd").unwrap_err();
        assert_eq!(err, "unsupported content-encoding \"zstd\"");
        let err = decode_content(b"not gzip at all".to_vec(), "gzip").unwrap_err();
        assert!(err.starts_with("gzip body does not decode"), "{err}");
        assert_eq!(decode_content(b"plain".to_vec(), "identity").unwrap(), b"plain");
    }

    #[test]
    fn status_and_headers() {
        let response = parse_response(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nX-Odd : yes\r\n\r\n<h1>gone</h1>",
        )
        .unwrap();
        assert_eq!(response.status, 404);
        assert_eq!(response.header("content-type"), Some("text/html"));
        assert_eq!(response.body, b"<h1>gone</h1>");
        let err = parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n").unwrap_err();
        assert_eq!(err, "http header not terminated by an empty line");
    }
}
