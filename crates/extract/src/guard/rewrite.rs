//! The pre-parse rewrite scan: one linear pass over the decoded markup that
//! estimates the parser's nesting depth (rejecting input that would make
//! parsing quadratic) and leaves out what nothing reads.

use std::borrow::Cow;

use super::limits::{NESTING_WORK_BUDGET, does_not_nest};
use crate::ExtractError;

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

/// The markup with parts left out, built lazily: nothing is copied until
/// the first cut.
struct Rewrite<'a> {
    html: &'a str,
    out: String,
    /// Start of the input not yet copied to `out`.
    from: usize,
}

impl<'a> Rewrite<'a> {
    /// Leaves out `html[a..z]`; cuts come in order and do not overlap.
    fn cut(&mut self, a: usize, z: usize) {
        if z <= a || a < self.from {
            return;
        }
        if self.out.capacity() == 0 {
            self.out.reserve(self.html.len());
        }
        // Cuts start and end at ASCII delimiters: char boundaries.
        self.out.push_str(self.html.get(self.from..a).unwrap_or_default());
        self.from = z;
    }

    /// The byte that precedes `html[at]` in the output, when nothing
    /// from `at` on has been cut.
    fn byte_before(&self, at: usize) -> Option<u8> {
        if at == self.from {
            self.out.as_bytes().last().copied()
        } else {
            self.html.as_bytes().get(at.checked_sub(1)?).copied()
        }
    }

    fn finish(mut self) -> Cow<'a, str> {
        if self.from == 0 {
            return Cow::Borrowed(self.html);
        }
        self.out.push_str(self.html.get(self.from..).unwrap_or_default());
        Cow::Owned(self.out)
    }
}

/// Linear scan of the markup estimating the depth of the parser's stack of
/// open elements; rejects input that would make parsing quadratic.
///
/// Returns the markup with what nothing reads left out, since tokenizing it
/// is most of the parser's work on a typical news page: the contents of
/// `<script>` (except JSON-LD), `<style>`, `<noscript>`, `<svg>` and
/// `<template>` elements, and the attributes the extractor never looks at
/// (see [`keeps_attr`]); comments, `<link>`s other than the canonical URL
/// and lead image, scripts and styles go whole where that changes no text
/// node (no two pieces of text join) and no parser mode. The document's
/// structure is otherwise unchanged. Tags are read the way the HTML
/// tokenizer reads them (quoted `>` in values, unquoted values, bogus
/// comments, script escapes), so nothing is cut from text or from an
/// attribute that is kept; where the scan cannot follow the tokenizer
/// (MathML, some SVG, inside `<select>`, frameset pages) it changes
/// nothing more.
pub(crate) fn check_markup(html: &str, max_depth: usize) -> Result<Cow<'_, str>, ExtractError> {
    // Whether a frameset is taken depends on the body content before it:
    // a page with one is scanned again without changes.
    match scan(html, max_depth, true)? {
        Some(markup) => Ok(markup),
        None => Ok(scan(html, max_depth, false)?.unwrap_or(Cow::Borrowed(html))),
    }
}

/// [`check_markup`], changing the markup only with `rewrite` set; `None`
/// when a `<frameset>` came while changing it.
fn scan(html: &str, max_depth: usize, rewrite: bool) -> Result<Option<Cow<'_, str>>, ExtractError> {
    let b = html.as_bytes();
    let mut rw = Rewrite {
        html,
        out: String::new(),
        from: 0,
    };
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut work = 0u64;
    let mut name = [0u8; 16];
    // Whether the scan is sure to read the markup as the parser does; it
    // changes nothing once it is not. MathML content may hold CDATA
    // sections; an SVG may end where the scan cannot tell.
    let mut sync = rewrite;
    // Inside a `<select>`, the parser ignores most tags (`<style>` and
    // `<title>` among them): nothing is changed there either.
    let mut in_select = false;
    // The text run the parser will see before the next markup: what is
    // left of it in the output before `run_from`, then `b[run_from..]`.
    let mut run = Run::Empty;
    let mut run_from = 0usize;
    // Whether the last iteration ended in markup that stays.
    let mut kept_markup = true;
    // Whether the parser has left its initial mode (a doctype, a tag or
    // text came): before that, removing an element could change which
    // token decides quirks mode.
    let mut started = false;
    // Whether the last markup kept is a `<pre>` or `<listing>` start tag,
    // after which the parser drops a newline: what follows stays.
    let mut after_pre = false;
    let mut pre = false;
    while let Some(off) = b.get(i..).and_then(|s| memchr::memchr(b'<', s)) {
        if kept_markup {
            run = Run::Empty;
            run_from = i;
            after_pre = pre;
        }
        pre = false;
        kept_markup = true;
        let on = sync && !in_select;
        i += off + 1;
        let lt = i - 1;
        let Some(&c) = b.get(i) else { break };
        if c == b'!' {
            if b.get(i + 1..i + 3) == Some(b"--") {
                i = comment_end(b, lt);
                // Comments go too, also between two pieces of text, which
                // then join as they show ("© <!-- -->2020<!-- --> Name").
                let before = run.then(b.get(run_from..lt).unwrap_or_default());
                let changes_text =
                    (after_pre && before == Run::Empty) || joins_crlf(&rw, lt, i) || joins_markup(&rw, lt, i);
                if on && !changes_text {
                    rw.cut(lt, i);
                    run = before;
                    run_from = i;
                    kept_markup = false;
                }
            } else {
                started |= b
                    .get(i + 1..i + 8)
                    .is_some_and(|d| d.eq_ignore_ascii_case(b"doctype"));
                i = find(b, i, b">").map_or(b.len(), |p| p + 1);
            }
            continue;
        }
        let closing = c == b'/';
        let start = if closing { i + 1 } else { i };
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            // "<?..." and "</ ..." are bogus comments up to the next '>';
            // "</>" is dropped; anything else is text.
            if c == b'?' || (closing && b.get(start) != Some(&b'>')) {
                i = find(b, i, b">").map_or(b.len(), |p| p + 1);
            } else {
                kept_markup = false;
            }
            continue;
        }
        let (len, j) = tag_name(b, start, &mut name);
        let tag = name.get(..len.min(name.len())).unwrap_or_default();
        let tag: &[u8] = if len > name.len() { b"x-long" } else { tag };
        // Unread elements go whole when that joins no text to other text
        // (a text node split by a script stays split).
        // (Not `<noscript>`: after the head it starts the body.)
        if on && !closing && matches!(tag, b"script" | b"style" | b"link") {
            let Some((gt, _)) = scan_attrs(b, j, None, &mut rw) else {
                break;
            };
            let attrs = b.get(j..gt).unwrap_or_default();
            let unread = match tag {
                b"link" => !contains_ci(attrs, b"canonical") && !contains_ci(attrs, b"image_src"),
                b"script" => !is_json_ld(attrs),
                _ => true,
            };
            let after = if tag == b"link" {
                Some(gt + 1)
            } else {
                find_end_tag(b, gt + 1, tag)
                    .and_then(|end| scan_attrs(b, end + 2 + tag.len(), None, &mut rw))
                    .map(|(egt, _)| egt + 1)
            };
            if let Some(after) = after
                && unread
            {
                let before = run.then(b.get(run_from..lt).unwrap_or_default());
                if (started || before == Run::Text)
                    && !(after_pre && before == Run::Empty)
                    && !joins_crlf(&rw, lt, after)
                    && !joins_markup(&rw, lt, after)
                    && before.joins_nothing(text_after(b, after))
                {
                    rw.cut(lt, after);
                    run = before;
                    run_from = after;
                    kept_markup = false;
                    i = after;
                    continue;
                }
            }
        }
        let Some((gt, self_closing)) = scan_attrs(b, j, on.then_some(!closing), &mut rw) else {
            break;
        };
        started = true;
        i = gt + 1;
        if closing {
            if !does_not_nest(tag) {
                depth = depth.saturating_sub(1);
            }
            in_select &= tag != b"select";
            continue;
        }
        pre = matches!(tag, b"pre" | b"listing");
        match tag {
            b"frameset" if rewrite => return Ok(None),
            b"math" => sync = false,
            // A select in a select, and these, close it.
            b"select" => in_select = !in_select,
            b"input" | b"keygen" | b"textarea" => in_select = false,
            _ => {}
        }
        // In a select, only a script's content is raw text.
        if is_raw_text(tag) && !(in_select && tag != b"script") {
            let content = i;
            let end = find_end_tag(b, i, tag);
            let unread = matches!(tag, b"style" | b"noscript")
                || (tag == b"script" && !is_json_ld(b.get(j..gt).unwrap_or_default()));
            if unread && on {
                rw.cut(content, end.unwrap_or(b.len()));
            }
            let Some(end) = end else { break };
            match scan_attrs(b, end + 2 + tag.len(), on.then_some(false), &mut rw) {
                Some((gt, _)) => i = gt + 1,
                None => break,
            }
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
        // (or whatever ends them) is then scanned as usual.
        if on && !self_closing && matches!(tag, b"svg" | b"template") {
            let (end, unsure) = content_end(b, i, tag, &mut rw);
            rw.cut(i, end);
            i = end;
            sync &= !unsure;
        }
    }
    Ok(Some(rw.finish()))
}

/// Whitespace between attributes (a CR is a newline to the parser).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

fn skip_space(b: &[u8], mut j: usize) -> usize {
    while b.get(j).copied().is_some_and(is_space) {
        j += 1;
    }
    j
}

/// Reads the attributes of a tag whose name ends at `j`, as the HTML
/// tokenizer does, up to the tag's closing `>`; returns its position and
/// whether the tag ends with `/>`, or `None` when the input ends inside the
/// tag (the parser then drops it).
///
/// With `strip` set, attributes are left out of `rw`: in a start tag
/// (`Some(true)`) those the extractor does not read, in an end tag
/// (`Some(false)`, where the parser ignores them) all. An attribute goes
/// with the space after it, so what follows it is read in the same state.
fn scan_attrs(b: &[u8], mut j: usize, strip: Option<bool>, rw: &mut Rewrite<'_>) -> Option<(usize, bool)> {
    let mut seen_style = false;
    loop {
        j = skip_space(b, j);
        match *b.get(j)? {
            b'>' => return Some((j, false)),
            b'/' => {
                if b.get(j + 1) == Some(&b'>') {
                    return Some((j + 1, true));
                }
                j += 1;
                continue;
            }
            _ => {}
        }
        // The first character may be '=' (a parse error, part of the name).
        let name_start = j;
        j += 1;
        while let Some(&ch) = b.get(j) {
            if is_space(ch) || matches!(ch, b'/' | b'>' | b'=') {
                break;
            }
            j += 1;
        }
        let name_end = j;
        j = skip_space(b, j);
        let mut value = None;
        if b.get(j) == Some(&b'=') {
            j = skip_space(b, j + 1);
            match *b.get(j)? {
                q @ (b'"' | b'\'') => {
                    let close = find(b, j + 1, &[q])?;
                    value = Some((j + 1, close));
                    j = close + 1;
                }
                // A missing value; the '>' ends the tag.
                b'>' => {}
                _ => {
                    let v = j;
                    while let Some(&ch) = b.get(j) {
                        if is_space(ch) || ch == b'>' {
                            break;
                        }
                        j += 1;
                    }
                    value = Some((v, j));
                }
            }
        }
        let next = skip_space(b, j);
        if let Some(start_tag) = strip {
            let keep = start_tag && keeps_attr(rw.html, (name_start, name_end), value, &mut seen_style);
            // Cutting must not change how what follows is read: "="x""
            // after a valueless "b" would give "b" the value, and "/>"
            // would make the tag self-closing; at the end of the input
            // the tag is dropped anyway.
            let safe = match b.get(next) {
                None | Some(b'=') => false,
                Some(b'>') => rw.byte_before(name_start) != Some(b'/'),
                Some(_) => true,
            };
            if !keep && safe {
                rw.cut(name_start, next);
            }
        }
        j = next;
    }
}

/// Reads the tag name starting at `start` into `name`, lowercased (as much
/// as fits): its full length and the index just past it.
fn tag_name(b: &[u8], start: usize, name: &mut [u8; 16]) -> (usize, usize) {
    let mut len = 0usize;
    let mut j = start;
    while let Some(&ch) = b.get(j) {
        if is_space(ch) || ch == b'/' || ch == b'>' {
            break;
        }
        if let Some(slot) = name.get_mut(len) {
            *slot = ch.to_ascii_lowercase();
        }
        len += 1;
        j += 1;
    }
    (len, j)
}

/// Whether the attribute named `html[name.0..name.1]` with the value at
/// `value` is one the extractor reads (meta.rs, body.rs) or the parser's
/// tree builder looks at (`type` of `<input>`, `color`/`face`/`size` of
/// `<font>` in MathML, `encoding`, `shadowrootmode`).
fn keeps_attr(
    html: &str,
    name: (usize, usize),
    value: Option<(usize, usize)>,
    seen_style: &mut bool,
) -> bool {
    let b = html.as_bytes();
    let Some(raw) = b.get(name.0..name.1) else {
        return true;
    };
    let mut buf = [0u8; 16];
    let Some(lower) = buf.get_mut(..raw.len()) else {
        return false;
    };
    for (d, s) in lower.iter_mut().zip(raw) {
        *d = s.to_ascii_lowercase();
    }
    match &*lower {
        b"class" | b"id" | b"itemprop" | b"content" | b"property" | b"name" | b"http-equiv" | b"href"
        | b"rel" | b"title" | b"type" | b"lang" | b"xml:lang" | b"datetime" | b"pubdate" | b"role"
        | b"hidden" | b"aria-hidden" | b"aria-label" | b"data-component" | b"data-module" | b"color"
        | b"face" | b"size" | b"encoding" | b"shadowrootmode" | b"for" => true,
        // Read only to tell whether it hides the element; a character
        // reference could spell that out. The parser keeps the first of
        // duplicates, so a later one must not stand in for a dropped one.
        b"style" => {
            let v = value.and_then(|(a, z)| html.get(a..z)).unwrap_or_default();
            !std::mem::replace(seen_style, true) && (v.contains('&') || crate::body::hides(v))
        }
        _ => false,
    }
}

/// End of the comment opened at `open` (`<!--`): just past its `-->` or
/// `--!>`, or the end of the input.
fn comment_end(b: &[u8], open: usize) -> usize {
    // "<!-->" and "<!--->" end right there.
    if b.get(open + 4) == Some(&b'>') {
        return open + 5;
    }
    if b.get(open + 4..open + 6) == Some(b"->") {
        return open + 6;
    }
    let mut k = open + 4;
    while let Some(p) = find(b, k, b"--") {
        match b.get(p + 2) {
            Some(b'>') => return p + 3,
            Some(b'!') if b.get(p + 3) == Some(&b'>') => return p + 4,
            _ => k = p + 1,
        }
    }
    b.len()
}

/// Whether cutting `lt..after` puts a CR before an LF, which the parser
/// reads as one newline.
fn joins_crlf(rw: &Rewrite<'_>, lt: usize, after: usize) -> bool {
    rw.byte_before(lt) == Some(b'\r') && rw.html.as_bytes().get(after) == Some(&b'\n')
}

/// Whether cutting `lt..after` makes text before it and after it read as
/// markup: a text '<' followed by a name, '/', '!' or '?', or a character
/// reference ("&hellip" + ";") that the cut no longer ends.
fn joins_markup(rw: &Rewrite<'_>, lt: usize, after: usize) -> bool {
    let b = rw.html.as_bytes();
    if rw.byte_before(lt) == Some(b'<') {
        return true;
    }
    if !b
        .get(after)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b';' || c == b'#')
    {
        return false;
    }
    let kept = b.get(rw.from.min(lt)..lt).unwrap_or_default();
    for &c in kept.iter().rev().chain(rw.out.as_bytes().iter().rev()).take(40) {
        if c == b'&' {
            return true;
        }
        if !(c.is_ascii_alphanumeric() || c == b'#') {
            return false;
        }
    }
    false
}

/// What a run of text between two pieces of markup holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    Empty,
    Space,
    Text,
}

impl Run {
    fn of(t: &[u8]) -> Run {
        if t.is_empty() {
            Run::Empty
        } else if t.iter().all(u8::is_ascii_whitespace) {
            Run::Space
        } else {
            Run::Text
        }
    }

    /// This run followed by `t`.
    fn then(self, t: &[u8]) -> Run {
        match (self, Run::of(t)) {
            (Run::Empty, r) | (r, Run::Empty) => r,
            (Run::Space, Run::Space) => Run::Space,
            _ => Run::Text,
        }
    }

    /// Whether joining this run with `next` (by removing the markup
    /// between them) leaves the text as it was: one side is empty, or
    /// both are only whitespace.
    fn joins_nothing(self, next: Run) -> bool {
        self == Run::Empty || next == Run::Empty || (self == Run::Space && next == Run::Space)
    }
}

/// The text run from `at` up to the next markup (anything but a '<' that
/// starts text); a run that goes on past a text '<' counts as text.
fn text_after(b: &[u8], at: usize) -> Run {
    let next = find(b, at, b"<").unwrap_or(b.len());
    let markup = next == b.len()
        || b.get(next + 1).is_some_and(|&c| {
            c.is_ascii_alphabetic()
                || c == b'!'
                || c == b'?'
                || (c == b'/' && b.get(next + 2).is_some_and(u8::is_ascii_alphabetic))
        });
    if markup {
        Run::of(b.get(at..next).unwrap_or_default())
    } else {
        Run::Text
    }
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether a `<script>` tag's attributes may declare JSON-LD.
fn is_json_ld(attrs: &[u8]) -> bool {
    // "application&#x2F;ld&#x2B;json" is JSON-LD to the parser too.
    memchr::memchr_iter(b'+', attrs).any(|k| {
        k >= 2
            && attrs
                .get(k - 2..k + 5)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"ld+json"))
    }) || attrs.contains(&b'&')
}

/// Position of `needle` (a few bytes) in `hay` from `from` on.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut i = from;
    loop {
        let k = i + memchr::memchr(first, hay.get(i..)?)?;
        if hay.get(k + 1..k + 1 + tail.len()) == Some(tail) {
            return Some(k);
        }
        i = k + 1;
    }
}

/// Start tags that end SVG content (the parser closes the `<svg>` and
/// reads them as HTML). `<font>` does only with some attributes.
fn breaks_out_of_svg(name: &[u8]) -> bool {
    matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

/// How far the content of an `<svg>` or `<template>` element opened just
/// before `from` may be cut: up to its end tag, or where the parser would
/// end the element otherwise (an HTML tag breaking out of SVG), or earlier;
/// never past it. Also tells whether the SVG may still be open there (an
/// HTML integration point such as `<foreignObject>`, a `<font>`, an end
/// tag of no element in it), so that what follows may be foreign content
/// the scan cannot follow.
fn content_end(b: &[u8], from: usize, tag: &[u8], rw: &mut Rewrite<'_>) -> (usize, bool) {
    let svg = tag == b"svg";
    // Elements open inside an SVG (names, lowercase), innermost last.
    let mut open: Vec<[u8; 16]> = Vec::new();
    // Templates open inside a template.
    let mut nested = 0usize;
    // Where the SVG last held no open element: an unsure stop cuts no
    // further, so that no end tag loses its start tag.
    let mut balanced = from;
    let mut i = from;
    loop {
        if open.is_empty() {
            balanced = i;
        }
        let Some(at) = find(b, i, b"<") else {
            // An SVG left open holds the rest; a template is not followed.
            return if svg { (b.len(), false) } else { (from, true) };
        };
        let next = b.get(at + 1).copied();
        if next == Some(b'!') {
            i = if b.get(at + 2..at + 4) == Some(b"--") {
                comment_end(b, at)
            } else if svg && b.get(at + 2..at + 9) == Some(b"[CDATA[") {
                find(b, at + 9, b"]]>").map_or(b.len(), |p| p + 3)
            } else {
                find(b, at + 2, b">").map_or(b.len(), |p| p + 1)
            };
            continue;
        }
        let closing = next == Some(b'/');
        let start = if closing { at + 2 } else { at + 1 };
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            i = if next == Some(b'?') || (closing && b.get(start) != Some(&b'>')) {
                find(b, start, b">").map_or(b.len(), |p| p + 1)
            } else {
                at + 1
            };
            continue;
        }
        let mut name = [0u8; 16];
        let (len, j) = tag_name(b, start, &mut name);
        // Longer names match nothing below.
        let known = len <= name.len();
        let nm = name.get(..len.min(name.len())).unwrap_or_default();
        let Some((gt, self_closing)) = scan_attrs(b, j, None, rw) else {
            return (b.len(), false);
        };
        // Foreign content or text to the end of the input in a template:
        // not followed here.
        let give_up = (from, true);
        if svg {
            if closing {
                // An end tag closes the innermost open element of its name,
                // else the SVG itself, else something outside it.
                match open.iter().rposition(|n| known && n.get(..len) == Some(nm)) {
                    Some(k) => open.truncate(k),
                    // The SVG's own end tag.
                    None if nm == b"svg" => return (at, false),
                    // Closes an element around the SVG, or nothing.
                    None => return (if open.is_empty() { at } else { balanced }, true),
                }
            } else if !known || matches!(nm, b"foreignobject" | b"desc" | b"title" | b"font") {
                return (if open.is_empty() { at } else { balanced }, true);
            } else if breaks_out_of_svg(nm) {
                return (at, false);
            } else if !self_closing {
                open.push(name);
            }
        } else if nm == b"template" {
            if !closing {
                nested += 1;
            } else if nested == 0 {
                return (at, false);
            } else {
                nested -= 1;
            }
        } else if !closing && is_raw_text(nm) {
            match find_end_tag(b, gt + 1, nm) {
                Some(end) => i = end,
                None => return give_up,
            }
            continue;
        } else if !closing && matches!(nm, b"plaintext" | b"svg" | b"math") {
            return give_up;
        }
        i = gt + 1;
    }
}

/// Position of the `</script` that ends script data starting at `from`,
/// following the tokenizer's escapes: after `<!--`, a `<script` makes the
/// next `</script` part of the text, until `-->`.
fn script_end(b: &[u8], from: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let named = |at: usize| {
        b.get(at..at + 6)
            .is_some_and(|n| n.eq_ignore_ascii_case(b"script"))
            && b.get(at + 6)
                .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
    };
    let mut state = State::Data;
    let mut i = from;
    loop {
        // Dashes only matter once escaped.
        let rest = b.get(i..)?;
        let k = i + if state == State::Data {
            memchr::memchr(b'<', rest)?
        } else {
            memchr::memchr2(b'<', b'-', rest)?
        };
        if b.get(k) == Some(&b'-') {
            if state != State::Data && b.get(k..k + 3) == Some(b"-->") {
                state = State::Data;
                i = k + 3;
            } else {
                i = k + 1;
            }
            continue;
        }
        let end_tag = b.get(k + 1) == Some(&b'/') && named(k + 2);
        match state {
            State::Data if b.get(k..k + 4) == Some(b"<!--") => {
                state = State::Escaped;
                // "<!-->" ends right away.
                i = k + 2;
                continue;
            }
            State::Data | State::Escaped if end_tag => return Some(k),
            State::Escaped if named(k + 1) => state = State::DoubleEscaped,
            State::DoubleEscaped if end_tag => state = State::Escaped,
            _ => {}
        }
        i = k + 1;
    }
}

/// Position of the end tag `</tag` (case-insensitive) that ends raw text
/// or an element's content, if any: the name must be followed by a space,
/// '/' or '>'.
fn find_end_tag(b: &[u8], from: usize, tag: &[u8]) -> Option<usize> {
    if tag == b"script" {
        return script_end(b, from);
    }
    let mut i = from;
    loop {
        let at = find(b, i, b"</")?;
        let name = b.get(at + 2..at + 2 + tag.len());
        if name.is_some_and(|n| n.eq_ignore_ascii_case(tag))
            && b.get(at + 2 + tag.len())
                .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return Some(at);
        }
        i = at + 2;
    }
}

#[cfg(test)]
mod tests;
