//! Builds the n-gram model image of the `lang` crate (format: `crates/lang/src/model.rs`).
//!
//! Input: lingua's per-language models, which map every letter n-gram (1 to 5 letters, lowercase,
//! within a word, never across a mark, digit or punctuation) seen in its training text to
//! `ln P(last letter | the letters before)`. Output: the same probabilities for a pruned subset,
//! quantized to 1/16 nat, in one hash table keyed by n-gram with the languages that have it.
//!
//! Pruning keeps per language every unigram and bigram and the `KEEP[n]` n-grams of each higher order
//! whose loss would change the model most: weight = P(n-gram) × |ln P − backed-off ln P|, where the
//! back-off estimate is the (n-1)-gram suffix's probability plus `BACKOFF` (the penalty the detector
//! adds when it has to back off). Rare n-grams and those the shorter context already predicts go first.

mod languages;

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

use fst::Streamer as _;

/// N-grams kept per language and order (index = order). Orders 1 and 2 are kept whole.
const KEEP: [usize; 6] = [0, usize::MAX, usize::MAX, 20_000, 20_000, 15_000];
/// Must equal `BACKOFF` in `crates/lang/src/ngram.rs`.
const BACKOFF: f64 = -1.0;
/// Quantization steps per nat.
const SCALE: f64 = 16.0;
/// Highest table load.
const LOAD: f64 = 0.6;

fn key(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "crates/lang/data/ngrams.bin".to_owned());
    let languages = languages::languages();
    let mut postings: BTreeMap<String, Vec<(u8, u8)>> = BTreeMap::new();
    for (index, (code, file)) in languages.iter().enumerate() {
        let file = file.ok_or_else(|| format!("{code}: no ngrams.fst"))?;
        let map = fst::Map::new(file.contents().to_vec())?;
        let mut lp: HashMap<String, f64> = HashMap::new();
        let mut stream = map.stream();
        while let Some((k, v)) = stream.next() {
            lp.insert(String::from_utf8(k.to_vec())?, f64::from_bits(v));
        }
        // Joint probabilities by the chain rule, shortest first.
        let mut by_order: Vec<Vec<(String, f64)>> = vec![Vec::new(); 6];
        let mut joint: HashMap<String, f64> = HashMap::new();
        let mut grams: Vec<&String> = lp.keys().collect();
        grams.sort_by_key(|g| (g.chars().count(), g.as_str()));
        for gram in grams {
            let chars: Vec<char> = gram.chars().collect();
            let n = chars.len();
            if n > 5 {
                continue;
            }
            let p = lp[gram];
            let j = if n == 1 {
                p
            } else {
                let prefix: String = chars[..n - 1].iter().collect();
                joint.get(&prefix).copied().unwrap_or(-40.0) + p
            };
            joint.insert(gram.clone(), j);
            let weight = if n <= 2 {
                f64::INFINITY
            } else {
                let suffix: String = chars[1..].iter().collect();
                let backed_off = lp.get(&suffix).map_or(-20.0, |s| s + BACKOFF);
                j.exp() * (p - backed_off).abs()
            };
            by_order[n].push((gram.clone(), weight));
        }
        let mut kept = [0usize; 6];
        for (n, grams) in by_order.iter_mut().enumerate().skip(1) {
            grams.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (gram, _) in grams.iter().take(KEEP[n]) {
                let q = (-lp[gram] * SCALE).round().clamp(0.0, 255.0) as u8;
                postings.entry(gram.clone()).or_default().push((index as u8, q));
                kept[n] += 1;
            }
        }
        eprintln!(
            "{code}: kept {:?} of {:?}",
            &kept[1..],
            by_order[1..].iter().map(Vec::len).collect::<Vec<_>>()
        );
    }

    let distinct = postings.len();
    let slot_bits = ((distinct as f64 / LOAD).log2().ceil() as u32).max(8);
    let slot_count = 1usize << slot_bits;
    let mut slots = vec![(0u32, 0u32); slot_count];
    let mut flat: Vec<(u8, u8)> = Vec::new();
    for (gram, list) in &postings {
        let k = key(gram.as_bytes());
        let fp = ((k >> 32) as u32) | 1;
        let mut slot = (k as usize) & (slot_count - 1);
        while slots[slot].0 != 0 {
            if slots[slot].0 == fp {
                return Err(format!("fingerprint collision at {gram:?}").into());
            }
            slot = (slot + 1) & (slot_count - 1);
        }
        let offset = u32::try_from(flat.len())?;
        if offset >= 1 << 24 || list.len() > 255 {
            return Err("too many postings".into());
        }
        slots[slot] = (fp, (offset << 8) | list.len() as u32);
        flat.extend(list);
    }

    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"NFLANG01");
    bytes.extend_from_slice(&u16::try_from(languages.len())?.to_le_bytes());
    for (code, _) in &languages {
        bytes.extend_from_slice(code.as_bytes());
    }
    bytes.push(5);
    bytes.push(SCALE as u8);
    bytes.push(slot_bits as u8);
    bytes.extend_from_slice(&u32::try_from(flat.len())?.to_le_bytes());
    bytes.extend_from_slice(&key(b"the").to_le_bytes());
    for (fp, meta) in &slots {
        bytes.extend_from_slice(&fp.to_le_bytes());
        bytes.extend_from_slice(&meta.to_le_bytes());
    }
    for (language, q) in &flat {
        bytes.push(*language);
        bytes.push(*q);
    }
    std::fs::File::create(&out)?.write_all(&bytes)?;
    eprintln!(
        "{out}: {} languages, {distinct} n-grams in 2^{slot_bits} slots, {} postings, {} bytes",
        languages.len(),
        flat.len(),
        bytes.len()
    );
    Ok(())
}
