//! Body fingerprints: the exact content hash, the MinHash signature of word shingles and its LSH bands.
//!
//! Every hash here is part of the stored format: a remote store keeps signatures and band keys across
//! restarts and versions, so the functions below are fixed, platform-independent (explicit
//! little-endian reads, no `std` hasher whose seed or algorithm may change) and must not be altered
//! without a migration (a new window, or a new store namespace).

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
    /// MinHash signature (one-permutation hashing with optimal densification, see `minhash` in the
    /// source): `permutations` 32-bit slots, two bodies agreeing on a slot with probability the Jaccard
    /// similarity of their word-shingle sets (`u32::MAX` everywhere for a body without words).
    pub minhash: Vec<u32>,
    /// Tokens in the body (see [`fingerprint`] for what a token is).
    pub word_count: usize,
    /// Distinct shingles in the body: the set size used to turn the Jaccard estimate into a
    /// containment estimate.
    pub shingle_count: usize,
}

impl Fingerprint {
    /// LSH band keys of this signature: `bands` keys, each a hash of the band index and its
    /// `minhash.len() / bands` rows. Empty when `bands` is 0 or does not divide the signature length.
    pub fn band_keys(&self, bands: usize) -> Vec<u64> {
        band_keys(&self.minhash, bands)
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
/// Never fails: a config that [`DedupConfig::validate`] would reject still gives a fingerprint (a
/// shingle size of 0 counts as 1), which the [`Deduplicator`](crate::Deduplicator) then only matches
/// exactly.
pub fn fingerprint(text: &str, config: &DedupConfig) -> Fingerprint {
    let lower = text.to_lowercase();
    let content_hash = content_hash_of_lowercase(&lower);

    let mut tokens: Vec<u64> = Vec::new();
    for_each_token(&lower, |token| tokens.push(hash_bytes(token.as_bytes())));
    let word_count = tokens.len();

    let mut shingles = shingle_hashes(&tokens, config.shingle_size.max(1));
    shingles.sort_unstable();
    shingles.dedup();

    Fingerprint {
        content_hash,
        minhash: minhash(&shingles, config.permutations),
        word_count,
        shingle_count: shingles.len(),
    }
}

/// SHA-256 (lowercase hex) of `text` lowercased, with whitespace runs collapsed and the ends trimmed:
/// the same value as [`Fingerprint::content_hash`].
pub fn content_hash(text: &str) -> String {
    content_hash_of_lowercase(&text.to_lowercase())
}

fn content_hash_of_lowercase(lower: &str) -> String {
    // One update over the normalized text: many small updates cost more than the copy.
    let mut normalized = String::with_capacity(lower.len());
    for word in lower.split_whitespace() {
        if !normalized.is_empty() {
            normalized.push(' ');
        }
        normalized.push_str(word);
    }
    hex(&Sha256::digest(normalized.as_bytes()))
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

/// Calls `f` with each token of an already-lowercased text.
fn for_each_token(lower: &str, mut f: impl FnMut(&str)) {
    let mut start: Option<usize> = None;
    for (i, c) in lower.char_indices() {
        if is_solo_char(c) {
            if let Some(s) = start.take() {
                f(&lower[s..i]);
            }
            f(&lower[i..i + c.len_utf8()]);
        } else if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            f(&lower[s..i]);
        }
    }
    if let Some(s) = start {
        f(&lower[s..]);
    }
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

fn shingle_hashes(tokens: &[u64], size: usize) -> Vec<u64> {
    if tokens.is_empty() {
        return Vec::new();
    }
    if tokens.len() < size {
        return vec![combine(tokens)];
    }
    tokens.windows(size).map(combine).collect()
}

fn combine(tokens: &[u64]) -> u64 {
    let mut h = SHINGLE_SEED;
    for &t in tokens {
        h = folded_multiply(h ^ t, K1);
    }
    fmix64(h ^ tokens.len() as u64)
}

/// MinHash by one-permutation hashing with optimal densification (Shrivastava 2017): the shingle hashes
/// (already well mixed) are spread over `n` bins by their high 32 bits and each bin keeps the smallest
/// low 32 bits that fell into it; an empty bin takes the value of the first non-empty bin on a fixed
/// pseudo-random walk from its index, the same walk for every text. Each slot is then the minimum of a
/// random permutation restricted to one bin, and two texts have equal slots with probability their
/// Jaccard similarity, as with `n` independent permutations — at the cost of one hash per shingle instead
/// of `n`, which is what makes fingerprinting fast. The estimator tests below hold the bias and the
/// variance to those of independent permutations, for long and for short texts.
fn minhash(shingles: &[u64], permutations: usize) -> Vec<u32> {
    let n = permutations;
    let mut mins = vec![u32::MAX; n];
    if shingles.is_empty() || n == 0 {
        return mins;
    }
    let mut filled = vec![false; n];
    for &s in shingles {
        let bin = scale(s, n);
        let value = s as u32;
        if !filled[bin] || value < mins[bin] {
            mins[bin] = value;
            filled[bin] = true;
        }
    }
    // Densify: donors are bins filled by shingles (never densified ones), so the walk's outcome depends
    // only on which bins the text filled.
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

/// A small, fast, stable 64-bit hash of bytes (wyhash-style folded multiplies, MurmurHash3 finalizer).
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
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        for_each_token(&lower, |t| out.push(t.to_owned()));
        out
    }

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(tokens(text), expected, "tokens of {text:?}");
    }

    #[test]
    fn tokenization() {
        check("", &[]);
        check("Hello, World!", &["hello", "world"]);
        check(
            "COVID-19 cases rose 3.5% in 2024",
            &["covid", "19", "cases", "rose", "3", "5", "in", "2024"],
        );
        check("Ünïcödé straße", &["ünïcödé", "straße"]);
        check("don't  stop\n\tnow", &["don", "t", "stop", "now"]);
        check("東京で雨", &["東", "京", "で", "雨"]);
        check("abc東京def", &["abc", "東", "京", "def"]);
        check("नमस्ते दुनिया।", &["नमस्ते", "दुनिया"]);
        check("Привет, мир", &["привет", "мир"]);
    }

    #[test]
    fn content_hash_ignores_case_and_whitespace() {
        let a = content_hash("Hello   World\n\nAgain ");
        assert_eq!(a, content_hash("  hello world again"));
        assert_ne!(a, content_hash("hello world again!"));
        assert_eq!(a.len(), 64);
        // sha256("") is well known.
        assert_eq!(
            content_hash(" \n "),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hashes_are_stable() {
        // These values are part of the stored format: changing them orphans every stored signature.
        assert_eq!(hash_bytes(b""), 0xed4a_5bcb_6065_2e64);
        assert_eq!(hash_bytes(b"newsflow"), 0x58e3_e2a3_0009_f364);
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"a\0"));
        assert_ne!(hash_bytes(b"abcdefgh"), hash_bytes(b"abcdefgh\0"));
        let fp = fingerprint(
            "the quick brown fox jumps over the lazy dog",
            &DedupConfig::default(),
        );
        assert_eq!(fp.word_count, 9);
        assert_eq!(fp.shingle_count, 7);
        assert_eq!(fp.minhash.len(), 128);
        assert_eq!(
            &fp.minhash[..4],
            GOLDEN_MINHASH_PREFIX,
            "minhash changed: stored signatures break"
        );
        assert_eq!(
            fp.band_keys(32)[0],
            0x8583_d6c2_80cf_5022,
            "band keys changed: stored bands break"
        );
    }

    const GOLDEN_MINHASH_PREFIX: &[u32] = &[1222814310, 2233057079, 3248659771, 884738519];

    #[test]
    fn short_and_empty_bodies() {
        let config = DedupConfig::default();
        let empty = fingerprint("  ", &config);
        assert_eq!((empty.word_count, empty.shingle_count), (0, 0));
        assert!(empty.minhash.iter().all(|&v| v == u32::MAX));
        let two = fingerprint("two words", &config);
        assert_eq!((two.word_count, two.shingle_count), (2, 1));
    }

    #[test]
    fn containment_estimate() {
        // B ⊂ A, |A| = 100, |B| = 70 → J = 0.7, containment of B in A = 1.
        assert!((estimated_containment(0.7, 100, 70) - 1.0).abs() < 1e-9);
        // Equal sizes: containment = 2J/(1+J).
        assert!((estimated_containment(0.5, 100, 100) - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(estimated_containment(0.5, 0, 100), 0.0);
    }

    /// The signature estimates Jaccard similarity without bias, and its slots behave as independent
    /// permutations: the variance of the estimate is that of 128 independent trials (slots sharing one
    /// multiply would push it towards that of 64).
    #[test]
    fn jaccard_estimate_is_unbiased_with_independent_slots() {
        let config = DedupConfig::default();
        let trials = 400;
        // (words in each text, words shared): long texts, and short ones that leave bins empty.
        for (len, shared) in [(600usize, 300usize), (600, 150), (80, 50), (60, 20)] {
            let (mut sum, mut sum_sq) = (0.0, 0.0);
            for trial in 0..trials {
                let words: Vec<String> = (0..2 * len - shared).map(|i| format!("w{trial}x{i}")).collect();
                let a = fingerprint(&words[..len].join(" "), &config);
                let b = fingerprint(&words[len - shared..].join(" "), &config);
                let estimate = estimated_jaccard(&a.minhash, &b.minhash);
                sum += estimate;
                sum_sq += estimate * estimate;
            }
            // len - 2 shingles each, shared - 2 in common.
            let (each, common) = ((len - 2) as f64, (shared - 2) as f64);
            let exact = common / (2.0 * each - common);
            let mean = sum / f64::from(trials);
            let variance = sum_sq / f64::from(trials) - mean * mean;
            let independent = exact * (1.0 - exact) / 128.0;
            assert!(
                (mean - exact).abs() < 0.015,
                "{len}/{shared}: mean estimate {mean:.4}, exact {exact:.4}"
            );
            assert!(
                (0.6 * independent..1.5 * independent).contains(&variance),
                "{len}/{shared}: variance {variance:.6}, independent slots give {independent:.6}"
            );
        }
    }

    #[test]
    fn band_keys_shape() {
        let fp = fingerprint("one two three four five six", &DedupConfig::default());
        let keys = fp.band_keys(32);
        assert_eq!(keys.len(), 32);
        assert!(fp.band_keys(0).is_empty());
        assert!(fp.band_keys(48).is_empty());
        // Bands with equal rows at different indexes have different keys.
        let same = band_keys(&[7; 8], 2);
        assert_ne!(same[0], same[1]);
    }
}
