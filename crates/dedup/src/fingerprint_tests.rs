use super::*;

fn tokens(text: &str) -> Vec<String> {
    let mut out = Strings::default();
    normalize(text, &mut out);
    out.0
}

#[derive(Default)]
struct Strings(Vec<String>);

impl Tokens for Strings {
    fn push(&mut self, buffer: &Buffer, start: usize, end: usize) {
        self.0
            .push(String::from_utf8_lossy(&buffer.as_bytes()[start..end]).into_owned());
    }
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

/// The fingerprint as first written: `str::to_lowercase`, a token walk over the lowercased text,
/// every shingle hashed, sorted and deduplicated. The fast path must give exactly the same values.
mod reference {
    use super::super::*;

    pub fn fingerprint(text: &str, config: &DedupConfig) -> Fingerprint {
        let lower = text.to_lowercase();
        let mut tokens: Vec<u64> = Vec::new();
        for_each_token(&lower, |token| tokens.push(hash_bytes(token.as_bytes())));
        let size = config.shingle_size.max(1);
        let mut shingles: Vec<u64> = if tokens.is_empty() {
            Vec::new()
        } else if tokens.len() < size {
            vec![combine(&tokens)]
        } else {
            tokens.windows(size).map(combine).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        Fingerprint {
            content_hash: hex(&Sha256::digest(normalized(text).as_bytes())),
            minhash: minhash(&shingles, config.permutations),
            word_count: tokens.len(),
            shingle_count: shingles.len(),
            title_hash: None,
            url_only: false,
        }
    }

    pub fn normalized(text: &str) -> String {
        text.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn tokens(text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        for_each_token(&lower, |t| out.push(t.to_owned()));
        out
    }

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

    fn minhash(shingles: &[u64], n: usize) -> Vec<u32> {
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

fn normalized(text: &str) -> String {
    String::from_utf8(normalize(text, &mut ()).as_bytes().to_vec()).unwrap()
}

#[track_caller]
fn same_as_reference(text: &str) {
    assert_eq!(
        normalized(text),
        reference::normalized(text),
        "normalized {text:?}"
    );
    assert_eq!(tokens(text), reference::tokens(text), "tokens of {text:?}");
}

/// Characters whose handling differs from plain ASCII: whitespace beyond ASCII, the vertical tab,
/// context-dependent and expanding lowercase, combining and Indic marks, scripts without spaces,
/// punctuation of the two-byte and general-punctuation tables, characters of three and four bytes.
const TRICKY: &[char] = &[
    'a', 'Z', 'q', '0', '9', ' ', ' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r', '\u{1C}', '.', ',', '-', '\'',
    '_', '@', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}', '\u{200A}', '\u{200B}', '\u{2028}', '\u{202F}',
    '\u{205F}', '\u{3000}', 'Σ', 'σ', 'ς', 'Ά', 'ΐ', 'İ', 'I', 'ı', 'ß', 'ẞ', 'K', 'Å', 'Ⱥ', 'Ȿ', 'Ω', 'Ä',
    'é', '×', '÷', 'µ', 'ª', 'º', '²', '½', '\u{301}', '\u{308}', '\u{345}', 'Ᾰ', 'ᾈ', 'Ǆ', 'ǅ', 'ǆ', 'Ꭰ',
    'ꭰ', 'Ａ', 'ｚ', '１', 'Ж', 'ж', 'Ё', 'א', 'ب', '٣', '۵', 'ह', 'ि', '्', '।', '॥', '東', '京', 'で', 'カ',
    'ｶ', 'ก', '่', 'ກ', 'က', 'ក', '한', '𠀀', '😀', '\u{2019}', '\u{201E}', '\u{2013}', '\u{2026}',
    '\u{2070}', '\u{2071}', '\u{207F}', '\u{2080}', '€', '\u{FEFF}', '\u{FFFD}',
];

#[test]
fn fast_path_matches_reference_on_random_text() {
    let config = DedupConfig::default();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words = [
        "the",
        "Straße",
        "ÜBER",
        "naïve",
        "ΟΔΥΣΣΕΥΣ",
        "Москва",
        "東京都",
        "2024",
        "co-op",
    ];
    for round in 0..1000 {
        let len = (next() % 120) as usize;
        let mut text = String::new();
        for _ in 0..len {
            match next() % 4 {
                0 => text.push_str(words[(next() % words.len() as u64) as usize]),
                1 => text.push(' '),
                _ => text.push(TRICKY[(next() % TRICKY.len() as u64) as usize]),
            }
        }
        same_as_reference(&text);
        if round % 10 == 0 {
            assert_eq!(
                fingerprint(&text, &config),
                reference::fingerprint(&text, &config),
                "{text:?}"
            );
        }
    }
}

#[test]
fn fast_path_matches_reference_character_by_character() {
    // Every character below CJK (both tables, all alphabets and their punctuation), a sample above.
    let all: Vec<char> = (0..0x3400)
        .chain((0x3400..=0x10FFFF).step_by(7))
        .filter_map(char::from_u32)
        .collect();
    for chunk in all.chunks(64) {
        let mut text = String::new();
        for &c in chunk {
            text.extend([c, 'a', c, ' ', c, '.', c, c, 'Z', ' ']);
        }
        same_as_reference(&text);
        // Capital sigmas next to each character, at word ends and inside words.
        for &c in chunk {
            text.extend(['Σ', c, 'Σ', ' ', 'Α', c, 'Σ', ' ', c, 'Σ', 'Α', 'Σ', c, ' ']);
        }
        same_as_reference(&text);
    }
    // Runs of ASCII word bytes across the eight-byte blocks and at the end of the text.
    for len in 0..40 {
        let word: String = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
            .chars()
            .cycle()
            .take(len)
            .collect();
        for text in [
            word.clone(),
            format!("{word} x"),
            format!("x{word}é"),
            format!(" {word}.{word}"),
        ] {
            same_as_reference(&text);
        }
    }
}

#[test]
fn fast_path_matches_reference_on_long_texts() {
    let config = DedupConfig::default();
    let text = "Die Venloer Straße bekommt durchgehend Radwege. «Ça coûte 3,5 M€», dit-elle — “über” \
                ΟΔΥΣΣΕΥΣ σοφός. Москва: 東京で雨。 नमस्ते दुनिया। "
        .repeat(40);
    for config in [
        config.clone(),
        DedupConfig {
            shingle_size: 1,
            permutations: 64,
            ..config.clone()
        },
        DedupConfig {
            shingle_size: 500,
            ..config.clone()
        },
        DedupConfig {
            permutations: 0,
            ..config.clone()
        },
    ] {
        assert_eq!(
            fingerprint(&text, &config),
            reference::fingerprint(&text, &config)
        );
        assert_eq!(fingerprint("", &config), reference::fingerprint("", &config));
    }
}

#[test]
fn word_hash_matches_definition() {
    let text = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2);
    let mut buffer = Buffer::with_capacity(4);
    for byte in text.bytes() {
        buffer.write_byte(byte);
    }
    for start in 0..text.len() {
        for end in start..=text.len() {
            assert_eq!(buffer.hash(start, end), hash_bytes(&text.as_bytes()[start..end]));
        }
    }
}

#[test]
fn ascii_run_lanes() {
    for lane in 0..8 {
        for byte in 0..=255u8 {
            let mut word = *b"aBcD0xYz";
            word[lane] = byte;
            let (run, lowered) = ascii_run(u64::from_le_bytes(word));
            let expected = if byte.is_ascii_alphanumeric() { 8 } else { lane };
            assert_eq!(run, expected, "byte {byte:#x} in lane {lane}");
            let mut want = word;
            want.make_ascii_lowercase();
            want[lane] = byte.to_ascii_lowercase();
            assert_eq!(lowered.to_le_bytes(), want, "byte {byte:#x} in lane {lane}");
        }
    }
}
