//! The character n-gram model: a read-only hash table over a byte image compiled into the crate.
//!
//! The image (`data/ngrams.bin`, written by `tools/build-model`) maps an n-gram of 1 to
//! [`MAX_ORDER`] lowercase letters to the languages that have it and, for each, the conditional
//! probability of its last letter given the letters before it (`ln P(c_n | c_1..c_n-1)`, quantized).
//! Layout, all integers little-endian:
//!
//! ```text
//! magic        8 bytes  "NFLANG01"
//! languages    u16 count, then 2 ASCII bytes per language (ISO 639-1)
//! max_order    u8
//! scale        u8       quantization steps per nat: ln P = -q / scale
//! slot_bits    u8       the table has 2^slot_bits slots
//! postings     u32      number of (language, q) pairs
//! probe        u64      key of the n-gram "the", to check that both sides hash alike
//! slots        2^slot_bits × (u32 fingerprint, u32 offset << 8 | count); fingerprint 0 = empty
//! postings     postings × (u8 language index, u8 q)
//! ```
//!
//! A key is the 64-bit FNV-1a hash of the n-gram's UTF-8 bytes; its low bits pick the first slot
//! (linear probing), its high 32 bits (with the lowest bit set) are the fingerprint.

use crate::LangError;

/// The longest n-gram in the model.
pub(crate) const MAX_ORDER: usize = 5;

const MAGIC: &[u8; 8] = b"NFLANG01";

/// The compiled-in model image.
static IMAGE: &[u8] = include_bytes!("../data/ngrams.bin");

/// A letter to score: the keys of the n-grams that end with it, of `lowest..=len` letters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Letter {
    /// `keys[n - 1]` is the key of the n-gram of the last `n` letters.
    pub(crate) keys: [u64; MAX_ORDER],
    pub(crate) lowest: usize,
    pub(crate) len: usize,
    /// Weight of the letter's word.
    pub(crate) weight: f32,
}

/// A parsed view of a model image.
#[derive(Debug)]
pub(crate) struct Model {
    languages: Vec<&'static str>,
    scale: f32,
    mask: usize,
    slots: &'static [u8],
    postings: &'static [u8],
}

/// FNV-1a over bytes.
pub(crate) fn key(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn fingerprint(key: u64) -> u32 {
    ((key >> 32) as u32) | 1
}

struct Reader {
    bytes: &'static [u8],
    at: usize,
}

impl Reader {
    fn take(&mut self, n: usize) -> Result<&'static [u8], LangError> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| LangError::Model(format!("truncated at byte {}", self.at)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, LangError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, LangError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, LangError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, LangError> {
        Ok(u64::from(self.u32()?) | (u64::from(self.u32()?) << 32))
    }
}

impl Model {
    /// The compiled-in model.
    pub(crate) fn builtin() -> Result<Model, LangError> {
        Model::parse(IMAGE)
    }

    /// Parses and checks an image; nothing is copied.
    pub(crate) fn parse(bytes: &'static [u8]) -> Result<Model, LangError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(LangError::Model("bad magic".to_owned()));
        }
        let count = usize::from(r.u16()?);
        let mut languages = Vec::with_capacity(count);
        for _ in 0..count {
            let code = std::str::from_utf8(r.take(2)?)
                .map_err(|_| LangError::Model("language code is not ASCII".to_owned()))?;
            languages.push(code);
        }
        if languages.len() > 64 {
            return Err(LangError::Model("more than 64 languages".to_owned()));
        }
        let max_order = usize::from(r.u8()?);
        let scale = r.u8()?;
        let slot_bits = r.u8()?;
        let postings = r.u32()? as usize;
        let probe = r.u64()?;
        if max_order != MAX_ORDER || scale == 0 || !(8..=28).contains(&slot_bits) {
            return Err(LangError::Model(format!(
                "unsupported parameters: max_order {max_order}, scale {scale}, slot_bits {slot_bits}"
            )));
        }
        if probe != key(b"the") {
            return Err(LangError::Model("hash function mismatch".to_owned()));
        }
        let slot_count = 1usize << slot_bits;
        let slots = r.take(slot_count * 8)?;
        let postings = r.take(postings * 2)?;
        if r.at != bytes.len() {
            return Err(LangError::Model("trailing bytes".to_owned()));
        }
        let model = Model {
            languages,
            scale: f32::from(scale),
            mask: slot_count - 1,
            slots,
            postings,
        };
        Ok(model)
    }

    /// Checks every slot: it points inside the postings and names a known language, and an empty
    /// slot ends every probe sequence. Too slow for start-up (it reads the whole image); lookups stay
    /// memory-safe without it.
    #[cfg(test)]
    fn check_slots(&self) -> Result<(), LangError> {
        let mut empty = 0;
        for slot in 0..=self.mask {
            let (fp, meta) = self.slot(slot);
            if fp == 0 {
                empty += 1;
                continue;
            }
            let (offset, len) = ((meta >> 8) as usize, (meta & 0xff) as usize);
            let range = self.postings.get(offset * 2..(offset + len) * 2);
            let count = self.languages.len();
            let valid = range.is_some_and(|p| p.chunks_exact(2).all(|e| usize::from(e[0]) < count));
            if !valid {
                return Err(LangError::Model(format!("slot {slot} is out of range")));
            }
        }
        if empty == 0 {
            return Err(LangError::Model("no empty slot".to_owned()));
        }
        Ok(())
    }

    fn slot(&self, slot: usize) -> (u32, u32) {
        let b = &self.slots[slot * 8..slot * 8 + 8];
        (
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        )
    }

    /// The languages of the model, by index.
    pub(crate) fn languages(&self) -> &[&'static str] {
        &self.languages
    }

    /// The index of a language in the model.
    #[cfg(test)]
    fn index(&self, code: &str) -> Option<usize> {
        self.languages.iter().position(|&c| c == code)
    }

    /// `ln P` per quantization step.
    pub(crate) fn step(&self) -> f32 {
        1.0 / self.scale
    }

    /// Reads one byte of every page of the image, so that it is resident before the first text.
    pub(crate) fn warm(&self) -> u64 {
        let sum = |bytes: &[u8]| bytes.iter().step_by(4096).map(|&b| u64::from(b)).sum::<u64>();
        sum(self.slots) + sum(self.postings)
    }

    /// Reads the first slot of a key so that a later [`Model::get`] finds it in the cache.
    #[inline]
    pub(crate) fn touch(&self, key: u64) {
        std::hint::black_box(self.slot((key as usize) & self.mask));
    }

    /// The letter that ends `window[..end]`, whose letters start at `starts`, scored with n-grams of
    /// at least `lowest` letters; their first slots are requested now ([`Model::touch`]).
    #[inline]
    pub(crate) fn letter(
        &self,
        window: &[u8],
        starts: &[usize],
        end: usize,
        lowest: usize,
        weight: f32,
    ) -> Letter {
        let len = starts.len();
        let lowest = lowest.min(len);
        let mut keys = [0u64; MAX_ORDER];
        for n in lowest..=len.min(MAX_ORDER) {
            let start = starts.get(len - n).copied().unwrap_or(0);
            keys[n - 1] = key(window.get(start..end).unwrap_or_default());
            self.touch(keys[n - 1]);
        }
        Letter {
            keys,
            lowest,
            len,
            weight,
        }
    }

    /// The postings of an n-gram key: (language index, q) pairs as raw bytes.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> &'static [u8] {
        let fp = fingerprint(key);
        let mut slot = (key as usize) & self.mask;
        // Bounded even if a damaged image had no empty slot.
        for _ in 0..=self.mask {
            let (found, meta) = self.slot(slot);
            if found == fp {
                let (offset, len) = ((meta >> 8) as usize, (meta & 0xff) as usize);
                return self
                    .postings
                    .get(offset * 2..(offset + len) * 2)
                    .unwrap_or_default();
            }
            if found == 0 {
                break;
            }
            slot = (slot + 1) & self.mask;
        }
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_loads_and_answers() {
        let model = Model::builtin().unwrap();
        model.check_slots().unwrap();
        assert!(model.languages().len() >= 50);
        let en = model.index("en").unwrap();
        let postings = model.get(key("th".as_bytes()));
        assert!(postings.chunks_exact(2).any(|p| usize::from(p[0]) == en));
        assert!(model.get(key("qxqxq".as_bytes())).is_empty());
    }

    #[test]
    fn damaged_images_are_rejected() {
        for bad in [&b""[..], b"NFLANG00", &IMAGE[..IMAGE.len() - 1], &IMAGE[..100]] {
            assert!(Model::parse(bad).is_err());
        }
    }
}
