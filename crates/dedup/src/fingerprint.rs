//! Body fingerprints: the exact content hash, the MinHash signature of word shingles and its LSH bands.
//!
//! Every hash here is part of the stored format: a remote store keeps signatures and band keys across
//! restarts and versions, so the functions below are fixed, platform-independent (explicit
//! little-endian reads, no `std` hasher whose seed or algorithm may change) and must not be altered
//! without a migration (a new window, or a new store namespace).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DedupConfig;

/// The fingerprints of one article body.
///
/// Serializable so that a remote store (or a downstream system) can hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// SHA-256 (lowercase hex) of the body after whitespace runs are collapsed to one space, the ends
    /// trimmed and the text lowercased.
    pub content_hash: String,
    /// MinHash signature (one-permutation hashing with optimal densification, see `Sketch` in the
    /// source): `permutations` 32-bit slots, two bodies agreeing on a slot with probability the Jaccard
    /// similarity of their word-shingle sets (`u32::MAX` everywhere for a body without words).
    pub minhash: Vec<u32>,
    /// Tokens in the body (see [`fingerprint`] for what a token is).
    pub word_count: usize,
    /// Distinct shingles in the body: the set size used to turn the Jaccard estimate into a
    /// containment estimate.
    pub shingle_count: usize,
    /// SHA-256 (lowercase hex) of the article's title, normalized like the body ([`content_hash`] of
    /// it); `None` when the article has no title. A short body (under
    /// [`SHORT_BODY_WORDS`](crate::SHORT_BODY_WORDS) tokens) matches another URL's only under the same
    /// title. Set with [`with_title`](Fingerprint::with_title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_hash: Option<String>,
    /// The body is not the article's own text (a paywall stub, a consent, login or registration wall,
    /// a request to enable JavaScript, an editor prompt): it says nothing about which article this is,
    /// so the article is matched by its URL only. Set with [`url_only`](Fingerprint::url_only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub url_only: bool,
}

impl Fingerprint {
    /// LSH band keys of this signature: `bands` keys, each a hash of the band index and its
    /// `minhash.len() / bands` rows. Empty when `bands` is 0 or does not divide the signature length.
    pub fn band_keys(&self, bands: usize) -> Vec<u64> {
        band_keys(&self.minhash, bands)
    }

    /// The fingerprint of the body of an article titled `title` (a blank title counts as none).
    pub fn with_title(mut self, title: Option<&str>) -> Self {
        self.title_hash = title.filter(|title| !title.trim().is_empty()).map(content_hash);
        self
    }

    /// The fingerprint of a body that is (`true`) or is not the article's own text: see
    /// [`url_only`](Fingerprint::url_only).
    pub fn url_only(mut self, url_only: bool) -> Self {
        self.url_only = url_only;
        self
    }
}

/// Computes the fingerprints of `text` with the shingle size and permutation count of `config`.
///
/// Tokens: the text is lowercased and split on every character that is neither alphanumeric nor a
/// combining mark, so numbers are kept. Characters of scripts written without spaces between words
/// (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) are one token each, so that Chinese or Japanese
/// bodies get meaningful shingles too. A shingle is `shingle_size` consecutive tokens; a body with
/// fewer tokens than that has a single shingle made of all of them.
///
/// The result is exactly that of lowercasing with `str::to_lowercase`, then tokenizing, hashing and
/// sorting out the distinct shingles, but made in one pass over the text and one over the tokens (see
/// `normalize` and `Sketch` in the source).
///
/// Never fails: a config that [`DedupConfig::validate`] would reject still gives a fingerprint (a
/// shingle size of 0 counts as 1), which the [`Deduplicator`](crate::Deduplicator) then only matches
/// exactly.
pub fn fingerprint(text: &str, config: &DedupConfig) -> Fingerprint {
    // About one token per six bytes of Latin-script text.
    let mut tokens: Vec<u64> = Vec::with_capacity(text.len() / 5 + 4);
    let normalized = normalize(text, &mut tokens);
    let content_hash = hex(&Sha256::digest(normalized.as_bytes()));

    let size = config.shingle_size.max(1);
    let mut sketch = Sketch::new(config.permutations, tokens.len().saturating_sub(size - 1).max(1));
    if tokens.len() < size {
        if !tokens.is_empty() {
            sketch.add(combine(&tokens));
        }
    } else {
        for window in tokens.windows(size) {
            sketch.add(combine(window));
        }
    }
    let shingle_count = sketch.distinct;
    Fingerprint {
        content_hash,
        minhash: sketch.into_minhash(),
        word_count: tokens.len(),
        shingle_count,
        title_hash: None,
        url_only: false,
    }
}

/// SHA-256 (lowercase hex) of `text` lowercased, with whitespace runs collapsed and the ends trimmed:
/// the same value as [`Fingerprint::content_hash`].
pub fn content_hash(text: &str) -> String {
    hex(&Sha256::digest(normalize(text, &mut ()).as_bytes()))
}

/// Where the tokens of a text go.
trait Tokens {
    /// One token: `buffer.as_bytes()[start..end]`, lowercased, in UTF-8.
    fn push(&mut self, buffer: &Buffer, start: usize, end: usize);
}

/// Token hashes (`hash_bytes`), as fingerprinted.
impl Tokens for Vec<u64> {
    #[inline]
    fn push(&mut self, buffer: &Buffer, start: usize, end: usize) {
        Vec::push(self, buffer.hash(start, end));
    }
}

/// No tokens: the content hash only.
impl Tokens for () {
    #[inline]
    fn push(&mut self, _: &Buffer, _: usize, _: usize) {}
}

/// `text` lowercased (as `str::to_lowercase` does), with whitespace runs collapsed to one space and the
/// ends trimmed, with each token of it (see [`fingerprint`]) pushed to `tokens`.
///
/// One pass, with few unpredictable branches, since those are what costs on text: runs of ASCII letters
/// and digits are found, lowercased and copied eight bytes at a time (SWAR, see [`ascii_run`]); other
/// ASCII bytes are classified by a table; characters of two bytes in UTF-8 (Latin supplements, Greek,
/// Cyrillic, Hebrew, Arabic...) take their lowercase and class from a table made once ([`two_byte`]);
/// the rest go through `char::to_lowercase`, except the capital sigma, whose lowercase depends on the
/// letters around it ([`lower_sigma`]).
fn normalize(text: &str, tokens: &mut impl Tokens) -> Buffer {
    let mut out = Buffer::with_capacity(text.len() + text.len() / 8);
    scan(text, &mut out, tokens);
    out
}

/// The normalized text being written, with slack: at least [`SLACK`] bytes of the vector past `len`
/// are always there, so that eight bytes can be written or read at any position up to `len` without a
/// variable-length copy (the bytes past `len` are garbage).
struct Buffer {
    bytes: Vec<u8>,
    len: usize,
    /// Start of the token being written, if any.
    start: Option<usize>,
    /// A whitespace run was read after some text: one space is due before the next character.
    space: bool,
}

const SLACK: usize = 16;

impl Buffer {
    fn with_capacity(capacity: usize) -> Self {
        Buffer {
            bytes: vec![0; capacity + SLACK],
            len: 0,
            start: None,
            space: false,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Eight bytes at `at` (garbage past `len`), little-endian.
    #[inline]
    fn read8(&self, at: usize) -> u64 {
        let mut word = [0u8; 8];
        if let Some(bytes) = self.bytes.get(at..at + 8) {
            word.copy_from_slice(bytes);
        }
        u64::from_le_bytes(word)
    }

    /// Writes the eight bytes of `word` at `len` and keeps the first `keep` of them.
    #[inline]
    fn write8(&mut self, word: u64, keep: usize) {
        if self.len + 2 * SLACK > self.bytes.len() {
            self.grow();
        }
        if let Some(slot) = self.bytes.get_mut(self.len..self.len + 8) {
            slot.copy_from_slice(&word.to_le_bytes());
            self.len += keep;
        }
    }

    #[cold]
    fn grow(&mut self) {
        self.bytes.resize(self.bytes.len() * 2 + 2 * SLACK, 0);
    }

    #[inline]
    fn write_byte(&mut self, byte: u8) {
        self.write8(u64::from(byte), 1);
    }

    #[inline]
    fn write_char(&mut self, c: char) {
        let mut word = [0u8; 8];
        let len = c.encode_utf8(&mut word).len();
        self.write8(u64::from_le_bytes(word), len);
    }

    /// `hash_bytes` of `as_bytes()[start..end]`, reading whole words (the slack makes that possible).
    #[inline]
    fn hash(&self, start: usize, end: usize) -> u64 {
        let n = end - start;
        let mut h = K2 ^ (n as u64).wrapping_mul(K1);
        let mut at = start;
        while at + 8 <= end {
            h = folded_multiply(h ^ self.read8(at), K1);
            at += 8;
        }
        let rest = end - at;
        if rest > 0 {
            let mask = u64::MAX >> (64 - 8 * rest);
            h = folded_multiply(h ^ (self.read8(at) & mask), K2);
        }
        fmix64(h)
    }

    #[inline]
    fn end_token(&mut self, tokens: &mut impl Tokens) {
        if let Some(start) = self.start.take() {
            tokens.push(self, start, self.len);
        }
    }

    #[inline]
    fn write_space(&mut self) {
        if self.space {
            self.write_byte(b' ');
            self.space = false;
        }
    }

    /// Before a word character: starts a token unless one is open.
    #[inline]
    fn open_token(&mut self) {
        if self.start.is_none() {
            self.write_space();
            self.start = Some(self.len);
        }
    }

    #[inline]
    fn whitespace(&mut self, tokens: &mut impl Tokens) {
        self.end_token(tokens);
        self.space = self.len > 0;
    }

    #[inline]
    fn word_char(&mut self, c: char) {
        self.open_token();
        self.write_char(c);
    }

    /// A character that is neither whitespace nor part of a token.
    #[inline]
    fn separator(&mut self, c: char, tokens: &mut impl Tokens) {
        self.end_token(tokens);
        self.write_space();
        self.write_char(c);
    }

    /// Any lowercase character but whitespace.
    fn char(&mut self, c: char, tokens: &mut impl Tokens) {
        if is_solo_char(c) {
            self.end_token(tokens);
            self.write_space();
            self.start = Some(self.len);
            self.write_char(c);
            self.end_token(tokens);
        } else if is_word_char(c) {
            self.word_char(c);
        } else {
            self.separator(c, tokens);
        }
    }
}

/// Classes of characters (of their lowercase, for the two-byte table).
const OTHER: u8 = 0;
const WORD: u8 = 1;
const SPACE: u8 = 2;
/// Not in the table's terms: a byte of a longer character, or a two-byte character whose lowercase is
/// several characters or depends on its context.
const SLOW: u8 = 3;

/// Classes of bytes as the first byte of a character.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [SLOW; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            WORD
        } else if matches!(c, b' ' | b'\t'..=b'\r') {
            // `char::is_whitespace` for ASCII: includes the vertical tab, unlike `u8::is_ascii_whitespace`.
            SPACE
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = LANES * 0x80;

/// The high bit of each byte of `x` that is an ASCII byte strictly between `low` and `high` (SWAR: each
/// byte computed in its own lane, no carry between lanes; `x7` is `x` without the high bits).
const fn between(x: u64, x7: u64, low: u64, high: u64) -> u64 {
    (LANES * (127 + high) - x7) & !x & (x7 + LANES * (127 - low)) & HIGH_BITS
}

/// For eight bytes of text read little-endian: how many of the first bytes are ASCII letters or digits
/// (0 to 8), and the eight bytes with ASCII capitals lowercased.
const fn ascii_run(x: u64) -> (usize, u64) {
    let x7 = x & (LANES * 0x7F);
    let upper = between(x, x7, b'A' as u64 - 1, b'Z' as u64 + 1);
    let alnum = upper
        | between(x, x7, b'a' as u64 - 1, b'z' as u64 + 1)
        | between(x, x7, b'0' as u64 - 1, b'9' as u64 + 1);
    let stop = !alnum & HIGH_BITS;
    ((stop.trailing_zeros() / 8) as usize, x | (upper >> 2))
}

/// Lowercase and class of a character of two bytes in UTF-8 (U+0080..U+07FF).
#[derive(Clone, Copy)]
struct Folded {
    lower: char,
    class: u8,
}

impl Folded {
    fn of(cp: u32) -> Folded {
        let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            _ if c == '\u{03A3}' => Folded {
                lower: c,
                class: SLOW,
            },
            (Some(l), None) => Folded {
                lower: l,
                class: if l.is_whitespace() {
                    SPACE
                } else if is_solo_char(l) {
                    SLOW
                } else if is_word_char(l) {
                    WORD
                } else {
                    OTHER
                },
            },
            _ => Folded {
                lower: c,
                class: SLOW,
            },
        }
    }
}

/// The [`Folded`] form of U+0080..U+07FF, index `code point - 0x80`, made on first use.
fn two_byte() -> &'static [Folded] {
    static TABLE: LazyLock<Box<[Folded]>> = LazyLock::new(|| (0x80..0x800).map(Folded::of).collect());
    &TABLE
}

/// The [`Folded`] form of U+2000..U+207F (general punctuation: typographic quotes, dashes, spaces),
/// index `code point - 0x2000`, made on first use.
fn punctuation() -> &'static [Folded] {
    static TABLE: LazyLock<Box<[Folded]>> = LazyLock::new(|| (0x2000..0x2080).map(Folded::of).collect());
    &TABLE
}

/// The scan behind [`normalize`].
fn scan(text: &str, out: &mut Buffer, tokens: &mut impl Tokens) {
    let bytes = text.as_bytes();
    let table = two_byte();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match BYTE_CLASS[usize::from(b)] {
            WORD => {
                // A run of ASCII letters and digits, eight bytes at a time.
                out.open_token();
                loop {
                    let Some(chunk) = bytes.get(i..i + 8) else {
                        while let Some(&b) = bytes.get(i)
                            && BYTE_CLASS[usize::from(b)] == WORD
                        {
                            out.write_byte(b.to_ascii_lowercase());
                            i += 1;
                        }
                        break;
                    };
                    let mut word = [0u8; 8];
                    word.copy_from_slice(chunk);
                    let (run, lowered) = ascii_run(u64::from_le_bytes(word));
                    out.write8(lowered, run);
                    i += run;
                    if run < 8 {
                        break;
                    }
                }
            }
            SPACE => {
                i += 1;
                out.whitespace(tokens);
            }
            OTHER => {
                i += 1;
                out.separator(char::from(b), tokens);
            }
            _ => {
                if b & 0xE0 == 0xC0
                    && let Some(&next) = bytes.get(i + 1)
                {
                    let cp = (u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F);
                    let folded = table.get((cp as usize).wrapping_sub(0x80)).copied();
                    if let Some(Folded { lower, class }) = folded
                        && class != SLOW
                    {
                        i += 2;
                        match class {
                            WORD => out.word_char(lower),
                            SPACE => out.whitespace(tokens),
                            _ => out.separator(lower, tokens),
                        }
                        continue;
                    }
                }
                if b == 0xE2
                    && let Some(&[b1, b2]) = bytes.get(i + 1..i + 3)
                    && b1 & 0xFE == 0x80
                {
                    // U+2000..U+207F.
                    let cp = 0x2000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
                    let folded = punctuation().get((cp - 0x2000) as usize).copied();
                    if let Some(Folded { lower, class }) = folded
                        && class != SLOW
                        && u32::from(lower) == cp
                    {
                        i += 3;
                        match class {
                            WORD => out.word_char(lower),
                            SPACE => out.whitespace(tokens),
                            _ => out.separator(lower, tokens),
                        }
                        continue;
                    }
                }
                let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                if c.is_whitespace() {
                    out.whitespace(tokens);
                } else if c == '\u{03A3}' {
                    out.char(lower_sigma(text, i), tokens);
                } else {
                    for lower in c.to_lowercase() {
                        out.char(lower, tokens);
                    }
                }
                i += c.len_utf8();
            }
        }
    }
    out.end_token(tokens);
}

/// The lowercase of the capital sigma at byte `at` of `text`, as `str::to_lowercase` makes it: final
/// `ς` when a cased letter comes before it and none after it (case-ignorable characters such as
/// apostrophes and combining marks skipped), `σ` otherwise. Whitespace is neither cased nor
/// case-ignorable, so only the rest of the sigma's word counts: each side is lowercased next to a sigma
/// whose other side is known.
fn lower_sigma(text: &str, at: usize) -> char {
    let before = text.get(..at).unwrap_or_default();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let after = text.get(at + '\u{03A3}'.len_utf8()..).unwrap_or_default();
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    let cased_before = format!("{}\u{03A3}", before.get(start..).unwrap_or_default())
        .to_lowercase()
        .ends_with('ς');
    let cased_after = !format!("A\u{03A3}{}", after.get(..end).unwrap_or_default())
        .to_lowercase()
        .starts_with("aς");
    if cased_before && !cased_after { 'ς' } else { 'σ' }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if c.is_alphanumeric() {
        return true;
    }
    let cp = u32::from(c);
    // Combining diacritics, and the marks of the Indic scripts (viramas etc. are not alphabetic),
    // except the danda punctuation.
    (0x0300..=0x036F).contains(&cp) || ((0x0900..=0x0DFF).contains(&cp) && cp != 0x0964 && cp != 0x0965)
}

/// Characters of scripts that do not separate words with spaces: each one is a token.
fn is_solo_char(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x0E00 {
        return false;
    }
    matches!(
        cp,
        0x0E00..=0x0EFF // Thai, Lao
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x3040..=0x30FF // Hiragana, Katakana
            | 0x31F0..=0x31FF // Katakana extensions
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFF66..=0xFF9F // half-width Katakana
            | 0x20000..=0x2FA1F // CJK extensions B..
    ) && c.is_alphanumeric()
}

fn combine(tokens: &[u64]) -> u64 {
    let mut h = SHINGLE_SEED;
    for &t in tokens {
        h = folded_multiply(h ^ t, K1);
    }
    fmix64(h ^ tokens.len() as u64)
}

/// The distinct shingles of a text, counted, and their MinHash signature.
///
/// MinHash by one-permutation hashing with optimal densification (Shrivastava 2017): the shingle hashes
/// (already well mixed) are spread over `n` bins by their high 32 bits and each bin keeps the smallest
/// low 32 bits that fell into it; an empty bin takes the value of the first non-empty bin on a fixed
/// pseudo-random walk from its index, the same walk for every text. Each slot is then the minimum of a
/// random permutation restricted to one bin, and two texts have equal slots with probability their
/// Jaccard similarity, as with `n` independent permutations — at the cost of one hash per shingle instead
/// of `n`, which is what makes fingerprinting fast. The estimator tests below hold the bias and the
/// variance to those of independent permutations, for long and for short texts.
///
/// Distinct shingles are counted in an open-addressing set of the hashes (at most half full), not by
/// sorting them: the count is the same, in linear time.
struct Sketch {
    mins: Vec<u32>,
    filled: Vec<bool>,
    /// Shingle hashes added, by their low bits with linear probing; 0 marks an empty slot (the hash 0
    /// itself is `zero`).
    set: Vec<u64>,
    zero: bool,
    /// Distinct shingles added.
    distinct: usize,
}

impl Sketch {
    /// A sketch of `permutations` slots for at most `shingles` distinct shingles.
    fn new(permutations: usize, shingles: usize) -> Self {
        Sketch {
            mins: vec![u32::MAX; permutations],
            filled: vec![false; permutations],
            set: vec![0; shingles.saturating_mul(2).next_power_of_two().max(16)],
            zero: false,
            distinct: 0,
        }
    }

    #[inline]
    fn add(&mut self, shingle: u64) {
        if shingle == 0 {
            if self.zero {
                return;
            }
            self.zero = true;
        } else {
            let mask = self.set.len() - 1;
            let mut i = shingle as usize & mask;
            loop {
                let slot = self.set[i];
                if slot == shingle {
                    return;
                }
                if slot == 0 {
                    self.set[i] = shingle;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        self.distinct += 1;
        let n = self.mins.len();
        if n == 0 {
            return;
        }
        // Branch-free: an unfilled bin holds `u32::MAX`.
        let bin = scale(shingle, n);
        self.mins[bin] = self.mins[bin].min(shingle as u32);
        self.filled[bin] = true;
    }

    /// The signature: `u32::MAX` everywhere when no shingle was added.
    fn into_minhash(self) -> Vec<u32> {
        let Sketch {
            mut mins,
            filled,
            distinct,
            ..
        } = self;
        let n = mins.len();
        if distinct == 0 {
            return mins;
        }
        // Densify: donors are bins filled by shingles (never densified ones), so the walk's outcome
        // depends only on which bins the text filled.
        for bin in 0..n {
            if filled[bin] {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                let donor = scale(fmix64(DENSIFY_SEED ^ ((bin as u64) << 32) ^ attempt), n);
                if filled[donor] {
                    mins[bin] = mins[donor];
                    break;
                }
                attempt += 1;
            }
        }
        mins
    }
}

/// The high 32 bits of `hash` scaled to `0..n`.
fn scale(hash: u64, n: usize) -> usize {
    (((hash >> 32) * n as u64) >> 32) as usize
}

pub(crate) fn band_keys(minhash: &[u32], bands: usize) -> Vec<u64> {
    if bands == 0 || minhash.is_empty() || !minhash.len().is_multiple_of(bands) {
        return Vec::new();
    }
    let rows = minhash.len() / bands;
    minhash
        .chunks(rows)
        .enumerate()
        .map(|(band, values)| {
            let mut h = fmix64(BAND_SEED ^ band as u64);
            for &v in values {
                h = folded_multiply(h ^ u64::from(v), K1);
            }
            fmix64(h)
        })
        .collect()
}

/// Fraction of equal slots: the MinHash estimate of the Jaccard similarity. 0 for signatures of
/// different lengths.
pub(crate) fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// Estimated containment of the smaller shingle set in the larger: |A∩B| / min(|A|, |B|), with
/// |A∩B| ≈ J·(|A|+|B|)/(1+J). Clamped to [0, 1].
pub(crate) fn estimated_containment(jaccard: f64, size_a: usize, size_b: usize) -> f64 {
    let smaller = size_a.min(size_b);
    if smaller == 0 {
        return 0.0;
    }
    let intersection = jaccard * (size_a + size_b) as f64 / (1.0 + jaccard);
    (intersection / smaller as f64).clamp(0.0, 1.0)
}

const K1: u64 = 0xa076_1d64_78bd_642f;
const K2: u64 = 0xe703_7ed1_a0b4_28db;
const SHINGLE_SEED: u64 = 0x8ebc_6af0_9c88_c6e3;
const BAND_SEED: u64 = 0x5899_65cc_7537_4cc3;
const DENSIFY_SEED: u64 = 0x6f6e_6570_6572_6d21;

/// The token hash: a small, fast, stable 64-bit hash of bytes (wyhash-style folded multiplies,
/// MurmurHash3 finalizer). Its definition; fingerprinting computes the same value in
/// [`Buffer::hash`], reading the scan's buffer a word at a time.
#[cfg(test)]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = K2 ^ (bytes.len() as u64).wrapping_mul(K1);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = folded_multiply(h ^ u64::from_le_bytes(word), K1);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = folded_multiply(h ^ u64::from_le_bytes(word), K2);
    }
    fmix64(h)
}

fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
#[path = "fingerprint_tests.rs"]
mod tests;
