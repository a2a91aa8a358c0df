//! Small text helpers: whitespace normalization and word counting.

/// Characters treated as whitespace (besides `char::is_whitespace`).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{00A0}'
}

/// Characters dropped entirely (zero-width and formatting marks).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Appends `s` to `buf`, collapsing whitespace runs to one space. `buf`'s
/// trailing space state carries over between calls; leading whitespace is
/// only emitted when `buf` is non-empty.
pub(crate) fn push_collapsed(buf: &mut String, s: &str) {
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        if is_space(c) {
            if !buf.is_empty() && !buf.ends_with(' ') {
                buf.push(' ');
            }
        } else {
            buf.push(c);
        }
    }
}

/// Whitespace-normalized copy of `s`: runs collapsed to one space, trimmed.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Number of non-whitespace characters.
pub(crate) fn visible_chars(s: &str) -> usize {
    s.chars()
        .filter(|&c| !is_space(c) && !is_invisible(c))
        .count()
}

/// True for ideographs and kana/hangul, which are not space-separated.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Word count; runs of CJK characters count one word per two characters.
pub(crate) fn word_count(s: &str) -> usize {
    let mut words = 0usize;
    let mut cjk = 0usize;
    let mut in_word = false;
    for c in s.chars() {
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if is_space(c) || (c.is_ascii_punctuation() && c != '\'' && c != '-') {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
        }
    }
    words + cjk.div_ceil(2)
}

/// Commas in any script (a readability signal for prose).
pub(crate) fn commas(s: &str) -> usize {
    s.chars()
        .filter(|c| matches!(c, ',' | '，' | '、' | '،' | '﹐'))
        .count()
}

/// True if the text ends like a sentence.
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', '»', '«', ')', ' ']);
    t.ends_with(['.', '!', '?', '…', '。', '！', '？', ':'])
}

/// Lowercase, whitespace-normalized key for comparing short strings.
pub(crate) fn fold(s: &str) -> String {
    normalize(s).to_lowercase()
}

/// Truncates `s` to at most `max` characters, on a char boundary.
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Splits an attribute value such as a class list into lowercase words:
/// on anything not alphanumeric and on camelCase boundaries
/// (`relatedArticles c-share_bar` -> `related articles c share bar`).
pub(crate) fn attr_tokens(s: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        if out.len() > 64 {
            return;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing() {
        assert_eq!(normalize("  a \n\t b\u{00A0}c\u{200B}d  "), "a b cd");
        assert_eq!(normalize(""), "");
        assert_eq!(word_count("Hello, world: it's a well-known fact."), 6);
        assert_eq!(word_count("北约秘书长"), 3);
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert!(ends_sentence("He said so.\""));
        let mut t = Vec::new();
        attr_tokens("relatedArticles c-share_bar", &mut t);
        assert_eq!(t, ["related", "articles", "c", "share", "bar"]);
    }
}
