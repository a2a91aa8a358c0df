//! Small text helpers: whitespace normalization and word counting.

/// Characters treated as whitespace (besides `char::is_whitespace`).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{00A0}'
}

/// Characters dropped entirely (zero-width and formatting marks).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Appends `s` to `buf`, collapsing whitespace runs to one space. `buf`'s
/// trailing space state carries over between calls; leading whitespace is
/// only emitted when `buf` is non-empty.
pub(crate) fn push_collapsed(buf: &mut String, s: &str) {
    if s.is_ascii() {
        let b = s.as_bytes();
        // Common case: single spaces only, no tabs/newlines: copy at once.
        let mut prev_space = false;
        let simple = b.iter().all(|&c| {
            let space = c == b' ';
            let ok = !(space && prev_space) && (space || !c.is_ascii_whitespace());
            prev_space = space;
            ok
        });
        if simple {
            let body = if buf.is_empty() || buf.ends_with(' ') {
                s.trim_start_matches(' ')
            } else {
                s
            };
            buf.push_str(body);
            return;
        }
        let lead = b.first().is_some_and(u8::is_ascii_whitespace);
        let mut first = true;
        for word in s.split_ascii_whitespace() {
            if (lead || !first) && !buf.is_empty() && !buf.ends_with(' ') {
                buf.push(' ');
            }
            first = false;
            buf.push_str(word);
        }
        if b.last().is_some_and(u8::is_ascii_whitespace) && !buf.is_empty() && !buf.ends_with(' ') {
            buf.push(' ');
        }
        return;
    }
    let mut first = true;
    for word in s.split(is_space) {
        if !first && !buf.is_empty() && !buf.ends_with(' ') {
            buf.push(' ');
        }
        first = false;
        // Zero-width marks and soft hyphens start with one of these bytes.
        if word.bytes().any(|b| b == 0xC2 || b == 0xE2 || b == 0xEF) {
            buf.extend(word.chars().filter(|&c| !is_invisible(c)));
        } else {
            buf.push_str(word);
        }
    }
}

/// Decodes HTML character references left in metadata values that were
/// escaped twice (`&amp;#8211;` in the source reads `&#8211;` once parsed):
/// numeric references and the common named ones. Unknown names stay as they
/// are.
pub(crate) fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(rest.get(..p).unwrap_or_default());
        let tail = rest.get(p..).unwrap_or_default();
        let semi = tail.get(..12.min(tail.len())).and_then(|t| t.find(';'));
        let decoded = semi.and_then(|e| {
            let name = tail.get(1..e)?;
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => num.parse::<u32>().ok()?,
                };
                char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
            } else {
                match name {
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    "lt" => '<',
                    "gt" => '>',
                    "nbsp" => '\u{a0}',
                    "ndash" => '–',
                    "mdash" => '—',
                    "hellip" => '…',
                    "lsquo" => '‘',
                    "rsquo" => '’',
                    "ldquo" => '“',
                    "rdquo" => '”',
                    "laquo" => '«',
                    "raquo" => '»',
                    "bdquo" => '„',
                    _ => return None,
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Whitespace-normalized copy of `s`: runs collapsed to one space, trimmed.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// `s` in Unicode normalization form C: the same text always has the same
/// code points (pages write `য়` as one code point or as two, `é` likewise),
/// which searching, comparing and deduplicating downstream rely on.
pub(crate) fn nfc(s: String) -> String {
    if s.is_ascii() {
        return s;
    }
    match icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(normalized) => normalized,
    }
}

/// [`visible_chars`] and the number of commas (ASCII, fullwidth, small,
/// ideographic and Arabic).
pub(crate) fn chars_and_commas(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let (chars, mut commas) = count_chars_and_commas(b);
    if !s.is_ascii() {
        // '，' EF BC 8C, '﹐' EF B9 90, '、' E3 80 81, '،' D8 8C.
        for i in memchr::memchr3_iter(0xEF, 0xE3, 0xD8, b) {
            let wide = match b.get(i) {
                Some(0xEF) => matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C] | [0xB9, 0x90])),
                Some(0xE3) => b.get(i + 1..i + 3) == Some(&[0x80, 0x81]),
                Some(0xD8) => b.get(i + 1) == Some(&0x8C),
                _ => false,
            };
            commas += usize::from(wide);
        }
    }
    (chars, commas)
}

/// Number of non-whitespace characters (byte-level: counts UTF-8 lead
/// bytes that are not ASCII whitespace).
pub(crate) fn visible_chars(s: &str) -> usize {
    count_chars_and_commas(s.as_bytes()).0
}

/// Visible characters and ASCII commas of `b`, eight bytes at a time.
fn count_chars_and_commas(b: &[u8]) -> (usize, usize) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of each byte of the result is set iff that byte of `v`
    // is not zero (exact: no carries between bytes).
    let nonzero = |v: u64| (((v & LOW7) + LOW7) | v) & HIGH;
    // Sum of the high bits, one per byte.
    let count = |m: u64| ((m >> 7).wrapping_mul(ONES) >> 56) as usize;
    let (mut chars, mut commas) = (0usize, 0usize);
    let mut chunks = b.chunks_exact(8);
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let lead = nonzero((w & (0xC0 * ONES)) ^ (0x80 * ONES));
        let visible = nonzero(w ^ (u64::from(b' ') * ONES))
            & nonzero(w ^ (u64::from(b'\t') * ONES))
            & nonzero(w ^ (u64::from(b'\n') * ONES))
            & nonzero(w ^ (0x0C * ONES))
            & nonzero(w ^ (u64::from(b'\r') * ONES));
        chars += count(lead & visible);
        commas += count(!nonzero(w ^ (u64::from(b',') * ONES)) & HIGH);
    }
    for &c in chunks.remainder() {
        chars += usize::from((c & 0xC0) != 0x80 && !c.is_ascii_whitespace());
        commas += usize::from(c == b',');
    }
    (chars, commas)
}

/// True for ideographs and kana/hangul, which are not space-separated.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Word count; runs of CJK characters count one word per two characters.
pub(crate) fn word_count(s: &str) -> usize {
    if s.is_ascii() {
        let mut words = 0usize;
        let mut in_word = false;
        for &b in s.as_bytes() {
            let sep = b.is_ascii_whitespace() || (b.is_ascii_punctuation() && b != b'\'' && b != b'-');
            if sep {
                in_word = false;
            } else if !in_word {
                in_word = true;
                words += 1;
            }
        }
        return words;
    }
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

/// Reusable, allocation-free word splitter for attribute values (same rules
/// as [`attr_tokens`]).
#[derive(Default)]
pub(crate) struct Tokens {
    buf: String,
    spans: Vec<(usize, usize)>,
}

impl Tokens {
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
    }

    /// Appends the words of `s`.
    pub(crate) fn push_attr(&mut self, s: &str) {
        if s.is_ascii() {
            self.push_ascii_attr(s);
        } else {
            self.push_chars_attr(s);
        }
    }

    /// [`Tokens::push_attr`] for any text, a character at a time.
    fn push_chars_attr(&mut self, s: &str) {
        let mut start = self.buf.len();
        let mut prev_lower = false;
        for c in s.chars() {
            if self.spans.len() > 64 {
                return;
            }
            if c.is_alphanumeric() {
                if c.is_uppercase() && prev_lower && self.buf.len() > start {
                    self.spans.push((start, self.buf.len()));
                    start = self.buf.len();
                }
                prev_lower = c.is_lowercase() || c.is_ascii_digit();
                if c.is_ascii() {
                    self.buf.push(c.to_ascii_lowercase());
                } else {
                    self.buf.extend(c.to_lowercase());
                }
            } else {
                prev_lower = false;
                if self.buf.len() > start {
                    self.spans.push((start, self.buf.len()));
                }
                start = self.buf.len();
            }
        }
        if self.buf.len() > start {
            self.spans.push((start, self.buf.len()));
        }
    }

    /// [`Tokens::push_attr`] for ASCII values (nearly all class and id
    /// values): whole words are copied and lowercased in place.
    fn push_ascii_attr(&mut self, s: &str) {
        let b = s.as_bytes();
        let alnum = |k: usize| b.get(k).is_some_and(u8::is_ascii_alphanumeric);
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && !alnum(i) {
                i += 1;
            }
            let word = i;
            let mut prev_lower = false;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_alphanumeric()) {
                // camelCase: a capital after a lowercase letter or digit starts a word.
                if c.is_ascii_uppercase() && prev_lower && i > word {
                    break;
                }
                prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                i += 1;
            }
            if i > word {
                if self.spans.len() > 64 {
                    return;
                }
                let at = self.buf.len();
                self.buf.push_str(s.get(word..i).unwrap_or_default());
                if let Some(w) = self.buf.get_mut(at..) {
                    w.make_ascii_lowercase();
                }
                self.spans.push((at, self.buf.len()));
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans
            .iter()
            .map(|&(a, b)| self.buf.get(a..b).unwrap_or_default())
    }
}

/// FNV-1a: class words are short, so a simple hash beats the default
/// SipHash by a wide margin on the hot paths that look them up.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Builds [`Fnv`] hashers.
pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

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
    #[test]
    fn chars_and_commas_counts() {
        for (text, chars, commas) in [
            ("a, b,c", 5, 2),
            ("  \n\t", 0, 0),
            ("über, Straße", 11, 1),
            ("北京，上海、广州", 8, 2),
            ("نعم، لا", 6, 1),
            ("x﹐y", 3, 1),
            ("a,b, c\r\n\x0c,d\t e,f,g, über, h,,", 21, 9),
            ("\u{7f}\u{80}\u{1}ab, ,cd , x\u{a0} ", 12, 3),
        ] {
            assert_eq!(super::chars_and_commas(text), (chars, commas), "{text}");
        }
    }

    use super::*;

    #[test]
    fn text_comes_out_composed() {
        // "e" + combining acute, Bengali ya + nukta written as one code point.
        assert_eq!(nfc("Cafe\u{301}".to_string()), "Caf\u{e9}");
        assert_eq!(nfc("\u{9df}".to_string()), "\u{9af}\u{9bc}");
        assert_eq!(nfc("plain".to_string()), "plain");
    }

    #[test]
    fn ascii_class_words_split_like_the_general_path() {
        let samples = [
            "relatedArticles c-share_bar",
            "entry-content post-9177 h1Title ABCdef XMLHttp a1B2c3",
            "  --  __ ",
            "RelatedCoverage-container-3AnSP",
            "",
            "x",
            "aB",
        ];
        let mut long = String::new();
        for k in 0..200 {
            long.push_str(&format!("w{k}Word-"));
        }
        for s in samples.iter().copied().chain([long.as_str()]) {
            let (mut fast, mut slow) = (Tokens::default(), Tokens::default());
            fast.push_ascii_attr(s);
            slow.push_chars_attr(s);
            let a: Vec<&str> = fast.iter().collect();
            let b: Vec<&str> = slow.iter().collect();
            assert_eq!(a, b, "{s}");
        }
    }

    #[test]
    fn normalizing() {
        assert_eq!(normalize("  a \n\t b\u{00A0}c\u{200B}d  "), "a b cd");
        assert_eq!(normalize(""), "");
        assert_eq!(
            decode_entities("a &#8211; b &amp; c &#x27;d&#39; &bogus; & e"),
            "a – b & c 'd' &bogus; & e"
        );
        assert_eq!(decode_entities("plain"), "plain");
        assert_eq!(word_count("Hello, world: it's a well-known fact."), 6);
        assert_eq!(word_count("北约秘书长"), 3);
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert!(ends_sentence("He said so.\""));
        let mut t = Vec::new();
        attr_tokens("relatedArticles c-share_bar", &mut t);
        assert_eq!(t, ["related", "articles", "c", "share", "bar"]);
        let mut tk = Tokens::default();
        tk.push_attr("relatedArticles c-share_bar");
        tk.push_attr("Ünïcode");
        assert_eq!(
            tk.iter().collect::<Vec<_>>(),
            ["related", "articles", "c", "share", "bar", "ünïcode"]
        );
        let mut b = String::new();
        push_collapsed(&mut b, "  a  b\n");
        push_collapsed(&mut b, "c\u{00A0}d ");
        assert_eq!(b, "a b c d ");
        let mut b = String::from("x");
        push_collapsed(&mut b, " y");
        push_collapsed(&mut b, "z ");
        push_collapsed(&mut b, "   ");
        push_collapsed(&mut b, "w");
        assert_eq!(b, "x yz w");
        assert_eq!(
            word_count("Le télésiège, c'est ça."),
            word_count("Le telesiege, c'est ca.")
        );
    }
}
