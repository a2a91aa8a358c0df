//! Cheap checks done before parsing: content type, binary junk, and a linear
//! pre-scan of the markup that bounds the parser's work.

use std::borrow::Cow;

use crate::ExtractError;

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

/// Rejects empty input and binary data; `bytes` are the raw input bytes
/// (without a UTF-16 BOM check: callers skip this for UTF-16 input).
pub(crate) fn check_bytes(bytes: &[u8]) -> Result<(), ExtractError> {
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
fn does_not_nest(name: &[u8]) -> bool {
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

/// Elements whose content is raw text up to the matching end tag.
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
            | b"noscript"
    )
}

/// Upper bound for the sum, over all start tags, of the nesting depth at
/// which they occur: a proxy for the parser's scope-scanning work.
const NESTING_WORK_BUDGET: u64 = 60_000_000;

/// Linear scan of the markup estimating the depth of the parser's stack of
/// open elements; rejects input that would make parsing quadratic.
///
/// Returns the markup with the contents of `<script>` (except JSON-LD) and
/// `<style>` elements left out: nothing reads them, and tokenizing them is
/// a third of the parser's work on a typical news page. The elements stay,
/// empty, so the document's structure is unchanged.
pub(crate) fn check_markup(html: &str, max_depth: usize) -> Result<Cow<'_, str>, ExtractError> {
    let b = html.as_bytes();
    // Byte ranges of element contents to leave out, in order.
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut work = 0u64;
    let mut name = [0u8; 16];
    while let Some(off) = b.get(i..).and_then(|s| memchr::memchr(b'<', s)) {
        i += off + 1;
        let Some(&c) = b.get(i) else { break };
        if c == b'!' {
            if b.get(i + 1..i + 3) == Some(b"--") {
                let open = i - 1;
                // "<!-->" and "<!--->" end right there.
                if b.get(open + 4) == Some(&b'>') {
                    i = open + 5;
                    continue;
                }
                if b.get(open + 4..open + 6) == Some(b"->") {
                    i = open + 6;
                    continue;
                }
                i = find(b, i + 3, b"-->").map_or(b.len(), |p| p + 3);
                // Comments go too, unless "--!>" makes the parser end
                // them elsewhere.
                let region = b.get(open..i).unwrap_or_default();
                if memchr::memmem::find(region, b"--!>").is_none() {
                    drop.push((open, i));
                }
            } else {
                i = find(b, i, b">").map_or(b.len(), |p| p + 1);
            }
            continue;
        }
        let closing = c == b'/';
        let start = if closing { i + 1 } else { i };
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut len = 0usize;
        let mut j = start;
        while let Some(&ch) = b.get(j) {
            if ch.is_ascii_alphanumeric() || ch == b'-' || ch == b':' {
                if let Some(slot) = name.get_mut(len) {
                    *slot = ch.to_ascii_lowercase();
                }
                len += 1;
                j += 1;
            } else {
                break;
            }
        }
        let tag = name.get(..len.min(name.len())).unwrap_or_default();
        let tag: &[u8] = if len > name.len() { b"x-long" } else { tag };
        let Some(gt) = find(b, j, b">") else { break };
        i = gt + 1;
        if closing {
            if !does_not_nest(tag) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        let self_closing = gt > 0 && b.get(gt - 1) == Some(&b'/');
        if is_raw_text(tag) {
            let content = i;
            let (end, after) = find_end_tag(b, i, tag).unwrap_or((b.len(), b.len()));
            let attrs = b.get(j..gt).unwrap_or_default();
            let unread = matches!(tag, b"style" | b"noscript") || (tag == b"script" && !is_json_ld(attrs));
            if unread && end > content {
                drop.push((content, end));
            }
            i = after;
            continue;
        }
        if tag == b"plaintext" {
            break;
        }
        work += depth as u64;
        if !self_closing && !does_not_nest(tag) {
            depth += 1;
            if depth > max_depth {
                return Err(ExtractError::TooDeep { limit: max_depth });
            }
        }
        if work > NESTING_WORK_BUDGET {
            return Err(ExtractError::TooDeep { limit: max_depth });
        }
        // Inline icons and templates are never read either; their end tag
        // is then scanned as usual.
        if !self_closing && matches!(tag, b"svg" | b"template") {
            let end = find_end_tag(b, i, tag).map_or(b.len(), |(end, _)| end);
            if end > i {
                drop.push((i, end));
            }
            i = end;
        }
    }
    if drop.is_empty() {
        return Ok(Cow::Borrowed(html));
    }
    let dropped: usize = drop.iter().map(|(a, z)| z - a).sum();
    let mut out = String::with_capacity(html.len() - dropped);
    let mut from = 0usize;
    for (a, z) in drop {
        // Ranges start at a '<' or after a '>' and end before a '<' or after
        // a '>': char boundaries.
        out.push_str(html.get(from..a).unwrap_or_default());
        from = z;
    }
    out.push_str(html.get(from..).unwrap_or_default());
    Ok(Cow::Owned(out))
}

/// Whether a `<script>` tag's attributes declare JSON-LD.
fn is_json_ld(attrs: &[u8]) -> bool {
    attrs.windows(7).any(|w| w.eq_ignore_ascii_case(b"ld+json"))
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = hay.get(from..)?;
    let off = match needle {
        [one] => memchr::memchr(*one, rest),
        _ => memchr::memmem::find(rest, needle),
    }?;
    Some(from + off)
}

/// Positions of `</tag` (case-insensitive) and just past its closing `>`,
/// if any.
fn find_end_tag(b: &[u8], from: usize, tag: &[u8]) -> Option<(usize, usize)> {
    let mut i = from;
    loop {
        let at = find(b, i, b"</")?;
        let name = b.get(at + 2..at + 2 + tag.len());
        if name.is_some_and(|n| n.eq_ignore_ascii_case(tag)) {
            let after = find(b, at + 2 + tag.len(), b">").map_or(b.len(), |p| p + 1);
            return Some((at, after));
        }
        i = at + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_raw_text_is_left_out() {
        for (html, expected) in [
            (
                "<p>a</p><script>var x = '<p>';</script><p>b</p>",
                "<p>a</p><script></script><p>b</p>",
            ),
            (
                "<script type=\"application/ld+json\">{\"a\":1}</script><style>p{}</style>",
                "<script type=\"application/ld+json\">{\"a\":1}</script><style></style>",
            ),
            (
                "<SCRIPT>x</SCRIPT ><title>t</title>",
                "<SCRIPT></SCRIPT ><title>t</title>",
            ),
            ("<p>no raw text</p>", "<p>no raw text</p>"),
            ("<script>never closed", "<script>"),
            ("<textarea>kept</textarea>", "<textarea>kept</textarea>"),
            ("<p>a<!-- note -->b</p>", "<p>ab</p>"),
            ("<p>a<!-->b</p><!-- c -->", "<p>a<!-->b</p>"),
            (
                "<a><svg viewBox='0 0 1 1'><path d='M0'/></svg>x</a>",
                "<a><svg viewBox='0 0 1 1'></svg>x</a>",
            ),
            ("<noscript><img src=x></noscript>", "<noscript></noscript>"),
        ] {
            assert_eq!(check_markup(html, 100).unwrap(), expected, "{html}");
        }
    }

    #[track_caller]
    fn check(html: &str, limit: usize, ok: bool) {
        assert_eq!(check_markup(html, limit).is_ok(), ok, "{html}");
    }

    #[test]
    fn nesting() {
        check("<div><div><p>x</div></div>", 2, true);
        check("<div><div><div>x", 2, false);
        check("<p><p><p><p><li><li><br><img>", 1, true);
        check("<script><div><div><div></script><div>", 1, true);
        check("<!-- <div><div><div> --><div>", 1, true);
        check("<svg><path/><path/><path/></svg>", 1, true);
        check(&"<div>".repeat(100_000), 2048, false);
    }

    #[test]
    fn binary() {
        assert!(check_bytes(b"").is_err());
        assert!(check_bytes(b"  \n").is_err());
        assert!(check_bytes(b"%PDF-1.7 ...").is_err());
        assert!(check_bytes(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
        assert!(check_bytes(b"<html><body>hi</body></html>").is_ok());
    }
}
