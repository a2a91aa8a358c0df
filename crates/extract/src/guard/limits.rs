//! Limits checked before parsing: the input's size and content type, empty
//! or binary bytes, and the bounds on nesting depth and work that the
//! pre-parse scan ([`super::rewrite`]) counts against.

use encoding_rs::{Encoding, UTF_8};

use crate::ExtractError;

/// Rejects input larger than `limit` bytes, before any work is done.
pub(crate) fn check_size(html: &[u8], limit: usize) -> Result<(), ExtractError> {
    let size = html.len();
    if size > limit {
        return Err(ExtractError::TooLarge { size, limit });
    }
    Ok(())
}

/// Rejects content types that are certainly not HTML. Unknown or generic
/// types (`application/octet-stream`, `text/plain`) are judged by content.
pub(crate) fn check_content_type(content_type: Option<&str>) -> Result<(), ExtractError> {
    let Some(ct) = content_type else {
        return Ok(());
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let bad = mime.starts_with("image/")
        || mime.starts_with("audio/")
        || mime.starts_with("video/")
        || mime.starts_with("font/")
        || matches!(
            mime.as_str(),
            "application/pdf"
                | "application/zip"
                | "application/gzip"
                | "application/x-gzip"
                | "application/json"
                | "application/javascript"
                | "text/javascript"
                | "text/css"
                | "application/msword"
                | "application/vnd.ms-excel"
        );
    if bad {
        Err(ExtractError::NotHtml("content type is not html"))
    } else {
        Ok(())
    }
}

/// Rejects empty input and binary data in the raw input: [`check_bytes`] on
/// the bytes after a UTF-8 byte order mark, or on all of them when there is
/// none. Input with a UTF-16 byte order mark is not ASCII-compatible and is
/// not checked here (the decoder rejects it when it holds only whitespace).
pub(crate) fn check_raw_bytes(html: &[u8]) -> Result<(), ExtractError> {
    match Encoding::for_bom(html) {
        Some((enc, bom_len)) if enc == UTF_8 => check_bytes(html.get(bom_len..).unwrap_or_default()),
        Some(_) => Ok(()),
        None => check_bytes(html),
    }
}

/// Rejects empty input and binary data; `bytes` are the raw input bytes
/// (without a UTF-16 BOM check: callers skip this for UTF-16 input).
fn check_bytes(bytes: &[u8]) -> Result<(), ExtractError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExtractError::NotHtml("empty input"));
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "pdf document"),
        (b"\x89PNG", "png image"),
        (b"GIF8", "gif image"),
        (b"\xFF\xD8\xFF", "jpeg image"),
        (b"PK\x03\x04", "zip archive"),
        (b"\x1F\x8B", "gzip data"),
        (b"RIFF", "riff media"),
        (b"\x00\x00\x00", "binary data"),
    ];
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(ExtractError::NotHtml(what));
        }
    }
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or(bytes);
    let mut nul = 0usize;
    let mut control = 0usize;
    for &b in head {
        if b == 0 {
            nul += 1;
        } else if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B) {
            control += 1;
        }
    }
    // A few stray NULs happen in real pages; a noticeable share does not.
    if nul * 100 > head.len() || (nul + control) * 20 > head.len() {
        return Err(ExtractError::NotHtml("binary content"));
    }
    Ok(())
}

/// Element names that never stay open (void elements) or that the parser
/// closes implicitly, so they do not add to the open-element stack.
pub(super) fn does_not_nest(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"basefont"
            | b"bgsound"
            | b"frame"
            | b"image"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"rtc"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Upper bound for the sum, over all start tags, of the nesting depth at
/// which they occur: a proxy for the parser's scope-scanning work.
pub(super) const NESTING_WORK_BUDGET: u64 = 60_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary() {
        assert!(check_bytes(b"").is_err());
        assert!(check_bytes(b"  \n").is_err());
        assert!(check_bytes(b"%PDF-1.7 ...").is_err());
        assert!(check_bytes(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
        assert!(check_bytes(b"<html><body>hi</body></html>").is_ok());
    }

    #[test]
    fn byte_order_marks() {
        assert!(check_raw_bytes(b"\xEF\xBB\xBF  \n").is_err());
        assert!(check_raw_bytes(b"\xEF\xBB\xBF<p>hi</p>").is_ok());
        // UTF-16 is left to the decoder.
        assert!(check_raw_bytes(b"\xFF\xFE<\x00p\x00>\x00").is_ok());
        assert!(check_raw_bytes(b"\x00\x00\x00").is_err());
    }
}
