//! The in-process dedup state.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::mem::size_of;

use foldhash::HashMap;
use sha2::Digest as _;

use crate::fingerprint::band_keys;
use crate::store::{Claim, Signature, Store};
use crate::{Decision, DedupConfig};

/// A bounded, in-process [`Store`] for a single worker.
///
/// Everything one delivered message writes (its decision, URL claim, content claim, signature and
/// band memberships) is one entry. Entries live `window_secs` seconds and at most `max_entries` of
/// them are kept; expired entries read as absent and are evicted oldest-first, a few at each write
/// (amortized O(1): no scans). Eviction follows insertion order, which is time order as long as `now`
/// does not go backwards; an entry stuck behind a newer one is still ignored once expired.
///
/// # Memory
/// About 2.1 KiB per unique article with the default 128 permutations and 32 bands (2.0–2.3 KiB
/// depending on how full the hash tables are), measured with realistic keys (90-byte URLs, 26-byte
/// owners) both by [`MemoryStore::approx_bytes`] and by the process's resident size (`rss_per_article`
/// test: 2100 bytes per article over 200 000 articles). The signature is 512 bytes of that; the 32
/// band-index slots about 0.7 KiB; the entry, ids and the four key indexes the rest. So the default
/// `max_entries` of 1 000 000 needs about 2.1 GiB. Exact duplicates (no signature, no bands) cost
/// well under half of that.
#[derive(Debug)]
pub struct MemoryStore {
    window_secs: i64,
    max_entries: usize,
    /// Entries in insertion order; `entries[i]` has sequence number `first_seq + i`.
    entries: VecDeque<Entry>,
    first_seq: u64,
    owners: HashMap<Box<str>, u64>,
    /// By [`digest`] of the normalized URL.
    urls: HashMap<Digest, u64>,
    contents: HashMap<Box<str>, u64>,
    signatures: HashMap<Box<str>, u64>,
    /// Band key → the first entry inserted into the band.
    bands: HashMap<u64, u64>,
    /// Band key → the entries inserted after the first, in insertion order (most bands have none).
    overflow: HashMap<u64, VecDeque<u64>>,
}

/// 128 bits of SHA-256: a collision-free stand-in for a long key.
type Digest = [u8; 16];

fn digest(key: &str) -> Digest {
    let full = sha2::Sha256::digest(key.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[derive(Debug)]
struct Entry {
    owner: Box<str>,
    seen_at: i64,
    decision: Option<Decision>,
    url: Option<UrlSlot>,
    content: Option<ContentSlot>,
    signature: Option<SignatureSlot>,
}

#[derive(Debug)]
struct UrlSlot {
    url: Digest,
    article_id: Box<str>,
    content_hash: Box<str>,
}

#[derive(Debug)]
struct ContentSlot {
    content_hash: Box<str>,
    article_id: Box<str>,
}

#[derive(Debug)]
struct SignatureSlot {
    article_id: Box<str>,
    minhash: Box<[u32]>,
    word_count: usize,
    shingle_count: usize,
    bands: BandKeys,
}

/// The band keys an entry was inserted under: recomputed from the signature when they are the usual
/// ones ([`Fingerprint::band_keys`](crate::Fingerprint::band_keys)), which saves 8 bytes a band.
#[derive(Debug)]
enum BandKeys {
    Derived(usize),
    Explicit(Box<[u64]>),
}

impl SignatureSlot {
    fn band_keys(&self) -> Vec<u64> {
        match &self.bands {
            BandKeys::Derived(bands) => band_keys(&self.minhash, *bands),
            BandKeys::Explicit(keys) => keys.to_vec(),
        }
    }
}

impl MemoryStore {
    /// An empty store with the window and size bound of `config` (`window`, `max_entries`).
    pub fn new(config: &DedupConfig) -> Self {
        MemoryStore::with_limits(config.window_secs(), config.max_entries)
    }

    /// An empty store keeping at most `max_entries` entries (at least 1) for `window_secs` seconds.
    pub fn with_limits(window_secs: i64, max_entries: usize) -> Self {
        MemoryStore {
            window_secs,
            max_entries: max_entries.max(1),
            entries: VecDeque::new(),
            first_seq: 0,
            owners: HashMap::default(),
            urls: HashMap::default(),
            contents: HashMap::default(),
            signatures: HashMap::default(),
            bands: HashMap::default(),
            overflow: HashMap::default(),
        }
    }

    /// Entries held, including expired ones not yet evicted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Approximate heap bytes held: table slots at their capacity plus the strings and arrays they own
    /// (allocator overhead not included). Walks every entry: meant for tests and occasional gauges.
    pub fn approx_bytes(&self) -> usize {
        fn table<K, V>(map: &HashMap<K, V>) -> usize {
            // hashbrown: one control byte per bucket, buckets = capacity * 8 / 7 rounded up to 2^n.
            let buckets = (map.capacity() * 8 / 7).next_power_of_two();
            buckets * (size_of::<K>() + size_of::<V>() + 1)
        }
        let mut bytes = self.entries.capacity() * size_of::<Entry>()
            + table(&self.owners)
            + table(&self.urls)
            + table(&self.contents)
            + table(&self.signatures)
            + table(&self.bands)
            + table(&self.overflow);
        for entry in &self.entries {
            bytes += 2 * entry.owner.len();
            if let Some(decision) = &entry.decision {
                bytes += decision.duplicate_of.as_ref().map_or(0, String::capacity);
            }
            if let Some(url) = &entry.url {
                bytes += url.article_id.len() + url.content_hash.len();
            }
            if let Some(content) = &entry.content {
                bytes += 2 * content.content_hash.len() + content.article_id.len();
            }
            if let Some(sig) = &entry.signature {
                bytes += 2 * sig.article_id.len() + sig.minhash.len() * 4;
                if let BandKeys::Explicit(keys) = &sig.bands {
                    bytes += keys.len() * 8;
                }
            }
        }
        for seqs in self.overflow.values() {
            bytes += seqs.capacity() * 8;
        }
        bytes
    }

    fn is_live(&self, entry: &Entry, now: i64) -> bool {
        now.saturating_sub(entry.seen_at) < self.window_secs
    }

    /// The live entry with sequence number `seq`.
    fn live(&self, seq: u64, now: i64) -> Option<&Entry> {
        let index = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.entries.get(index).filter(|entry| self.is_live(entry, now))
    }

    fn entry_mut(&mut self, seq: u64) -> Option<&mut Entry> {
        let index = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.entries.get_mut(index)
    }

    /// The sequence number of `owner`'s live entry, created (after evicting what must go) if needed.
    fn entry_for(&mut self, owner: &str, now: i64) -> u64 {
        if let Some(&seq) = self.owners.get(owner)
            && self.live(seq, now).is_some()
        {
            return seq;
        }
        self.evict(now);
        let seq = self.first_seq + self.entries.len() as u64;
        self.entries.push_back(Entry {
            owner: owner.into(),
            seen_at: now,
            decision: None,
            url: None,
            content: None,
            signature: None,
        });
        self.owners.insert(owner.into(), seq);
        seq
    }

    /// Evicts expired entries from the front, and the oldest ones while one more would not fit.
    fn evict(&mut self, now: i64) {
        while let Some(front) = self.entries.front() {
            if self.entries.len() < self.max_entries && self.is_live(front, now) {
                break;
            }
            if let Some(entry) = self.entries.pop_front() {
                let seq = self.first_seq;
                self.first_seq += 1;
                self.forget(seq, entry);
            }
        }
    }

    /// Removes the index entries that still point at the evicted entry `seq`.
    fn forget(&mut self, seq: u64, entry: Entry) {
        remove_if(&mut self.owners, &entry.owner, seq);
        if let Some(url) = entry.url
            && self.urls.get(&url.url) == Some(&seq)
        {
            self.urls.remove(&url.url);
        }
        if let Some(content) = entry.content {
            remove_if(&mut self.contents, &content.content_hash, seq);
        }
        if let Some(sig) = entry.signature {
            self.forget_signature(seq, &sig);
        }
    }

    fn forget_signature(&mut self, seq: u64, sig: &SignatureSlot) {
        remove_if(&mut self.signatures, &sig.article_id, seq);
        for key in sig.band_keys() {
            self.leave_band(key, seq);
        }
    }

    fn join_band(&mut self, key: u64, seq: u64) {
        match self.bands.get(&key) {
            None => {
                self.bands.insert(key, seq);
            }
            Some(&first) if first == seq => {}
            // A signature joins its bands once (a replaced one leaves them first), so no duplicates.
            Some(_) => self.overflow.entry(key).or_default().push_back(seq),
        }
    }

    fn leave_band(&mut self, key: u64, seq: u64) {
        if self.bands.get(&key) == Some(&seq) {
            let next = self.overflow.get_mut(&key).and_then(VecDeque::pop_front);
            match next {
                Some(next) => {
                    self.bands.insert(key, next);
                }
                None => {
                    self.bands.remove(&key);
                }
            }
        } else if let Some(rest) = self.overflow.get_mut(&key) {
            rest.retain(|&s| s != seq);
        }
        if self.overflow.get(&key).is_some_and(VecDeque::is_empty) {
            self.overflow.remove(&key);
        }
    }

    /// Entries of band `key` in insertion order.
    fn band_members(&self, key: u64) -> impl Iterator<Item = u64> + '_ {
        let rest = self.overflow.get(&key).into_iter().flatten().copied();
        self.bands.get(&key).copied().into_iter().chain(rest)
    }

    fn claim_of(&self, seq: u64, now: i64, pick: impl Fn(&Entry) -> Option<(&str, &str)>) -> Option<Claim> {
        let entry = self.live(seq, now)?;
        let (article_id, content_hash) = pick(entry)?;
        Some(Claim {
            article_id: article_id.to_owned(),
            owner: entry.owner.to_string(),
            content_hash: content_hash.to_owned(),
            seen_at: entry.seen_at,
        })
    }

    fn signature_of(&self, seq: u64, now: i64) -> Option<Signature> {
        let entry = self.live(seq, now)?;
        let sig = entry.signature.as_ref()?;
        Some(Signature {
            article_id: sig.article_id.to_string(),
            owner: entry.owner.to_string(),
            seen_at: entry.seen_at,
            minhash: sig.minhash.to_vec(),
            word_count: sig.word_count,
            shingle_count: sig.shingle_count,
        })
    }

    /// Article ids inserted into `band_keys` before entry `seq`, band after band, the oldest `limit` of
    /// each band.
    fn members_before(&self, band_keys: &[u64], seq: u64, limit: usize, now: i64) -> Vec<String> {
        let mut out = Vec::new();
        for &key in band_keys {
            for member in self.band_members(key).take(limit) {
                if member == seq {
                    break;
                }
                if let Some(sig) = self.live(member, now).and_then(|entry| entry.signature.as_ref()) {
                    out.push(sig.article_id.to_string());
                }
            }
        }
        out
    }
}

fn remove_if(map: &mut HashMap<Box<str>, u64>, key: &str, seq: u64) {
    if map.get(key) == Some(&seq) {
        map.remove(key);
    }
}

impl Store for MemoryStore {
    type Error = Infallible;

    fn get_decision(&mut self, owner: &str, now: i64) -> Result<Option<Decision>, Infallible> {
        let seq = self.owners.get(owner).copied();
        Ok(seq
            .and_then(|seq| self.live(seq, now))
            .and_then(|entry| entry.decision.clone()))
    }

    fn claim_decision(
        &mut self,
        owner: &str,
        decision: &Decision,
        now: i64,
    ) -> Result<Option<Decision>, Infallible> {
        let seq = self.entry_for(owner, now);
        let Some(entry) = self.entry_mut(seq) else {
            return Ok(None);
        };
        if let Some(existing) = &entry.decision {
            return Ok(Some(existing.clone()));
        }
        entry.decision = Some(decision.clone());
        Ok(None)
    }

    fn claim_url(&mut self, url: &str, claim: &Claim, now: i64) -> Result<Option<Claim>, Infallible> {
        let url = digest(url);
        if let Some(&seq) = self.urls.get(&url)
            && let Some(existing) = self.claim_of(seq, now, |entry| {
                entry
                    .url
                    .as_ref()
                    .map(|slot| (&*slot.article_id, &*slot.content_hash))
            })
        {
            return Ok(Some(existing));
        }
        let seq = self.entry_for(&claim.owner, now);
        let slot = UrlSlot {
            url,
            article_id: claim.article_id.as_str().into(),
            content_hash: claim.content_hash.as_str().into(),
        };
        if let Some(old) = self.entry_mut(seq).and_then(|entry| entry.url.replace(slot))
            && self.urls.get(&old.url) == Some(&seq)
        {
            self.urls.remove(&old.url);
        }
        self.urls.insert(url, seq);
        Ok(None)
    }

    fn claim_content(
        &mut self,
        content_hash: &str,
        claim: &Claim,
        now: i64,
    ) -> Result<Option<Claim>, Infallible> {
        if let Some(&seq) = self.contents.get(content_hash)
            && let Some(existing) = self.claim_of(seq, now, |entry| {
                entry
                    .content
                    .as_ref()
                    .map(|slot| (&*slot.article_id, &*slot.content_hash))
            })
        {
            return Ok(Some(existing));
        }
        let seq = self.entry_for(&claim.owner, now);
        let slot = ContentSlot {
            content_hash: content_hash.into(),
            article_id: claim.article_id.as_str().into(),
        };
        if let Some(old) = self.entry_mut(seq).and_then(|entry| entry.content.replace(slot)) {
            remove_if(&mut self.contents, &old.content_hash, seq);
        }
        self.contents.insert(content_hash.into(), seq);
        Ok(None)
    }

    fn add_to_bands(
        &mut self,
        keys: &[u64],
        signature: &Signature,
        limit: usize,
        now: i64,
    ) -> Result<Vec<String>, Infallible> {
        if let Some(&seq) = self.signatures.get(signature.article_id.as_str())
            && let Some(entry) = self.live(seq, now)
            && let Some(stored) = &entry.signature
        {
            let keys = stored.band_keys();
            return Ok(self.members_before(&keys, seq, limit, now));
        }
        let seq = self.entry_for(&signature.owner, now);
        let slot = SignatureSlot {
            article_id: signature.article_id.as_str().into(),
            minhash: signature.minhash.as_slice().into(),
            word_count: signature.word_count,
            shingle_count: signature.shingle_count,
            bands: if band_keys(&signature.minhash, keys.len()) == keys {
                BandKeys::Derived(keys.len())
            } else {
                BandKeys::Explicit(keys.into())
            },
        };
        if let Some(old) = self
            .entry_mut(seq)
            .and_then(|entry| entry.signature.replace(slot))
        {
            self.forget_signature(seq, &old);
        }
        self.signatures.insert(signature.article_id.as_str().into(), seq);
        let before = self.members_before(keys, seq, limit, now);
        for &key in keys {
            self.join_band(key, seq);
        }
        Ok(before)
    }

    fn get_signatures(
        &mut self,
        article_ids: &[String],
        now: i64,
    ) -> Result<Vec<Option<Signature>>, Infallible> {
        Ok(article_ids
            .iter()
            .map(|id| {
                self.signatures
                    .get(id.as_str())
                    .and_then(|&seq| self.signature_of(seq, now))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(article_id: &str, owner: &str) -> Claim {
        Claim {
            article_id: article_id.into(),
            owner: owner.into(),
            content_hash: format!("h-{article_id}"),
            seen_at: 0,
        }
    }

    fn signature(article_id: &str, owner: &str) -> Signature {
        Signature {
            article_id: article_id.into(),
            owner: owner.into(),
            seen_at: 0,
            minhash: vec![1, 2, 3, 4],
            word_count: 100,
            shingle_count: 98,
        }
    }

    #[test]
    fn claims_are_insert_if_absent() {
        let mut store = MemoryStore::with_limits(100, 10);
        assert_eq!(store.claim_url("u", &claim("a", "o1"), 0).unwrap(), None);
        let existing = store.claim_url("u", &claim("b", "o2"), 5).unwrap().unwrap();
        assert_eq!(
            (
                existing.article_id.as_str(),
                existing.owner.as_str(),
                existing.seen_at
            ),
            ("a", "o1", 0)
        );
        assert_eq!(store.claim_content("h", &claim("a", "o1"), 0).unwrap(), None);
        assert_eq!(
            store
                .claim_content("h", &claim("b", "o2"), 1)
                .unwrap()
                .unwrap()
                .article_id,
            "a"
        );
        // Both claims of o1 live in one entry; lost claims write nothing.
        assert_eq!(store.len(), 1);
        let unique = Decision::unique();
        assert_eq!(store.claim_decision("o1", &unique, 0).unwrap(), None);
        assert_eq!(store.get_decision("o1", 1).unwrap(), Some(unique.clone()));
        let other = Decision {
            status: crate::Status::Duplicate,
            duplicate_of: Some("x".into()),
            similarity: 1.0,
        };
        assert_eq!(store.claim_decision("o1", &other, 1).unwrap(), Some(unique));
    }

    #[test]
    fn expiry_and_eviction() {
        let mut store = MemoryStore::with_limits(100, 3);
        store.claim_url("u1", &claim("a1", "o1"), 0).unwrap();
        store.claim_url("u2", &claim("a2", "o2"), 10).unwrap();
        // Expired claims read as absent and are replaced.
        assert!(store.claim_url("u1", &claim("b1", "o3"), 99).unwrap().is_some());
        assert_eq!(store.claim_url("u1", &claim("b1", "o3"), 100).unwrap(), None);
        assert_eq!(
            store
                .claim_url("u1", &claim("c1", "o4"), 101)
                .unwrap()
                .unwrap()
                .article_id,
            "b1"
        );
        assert_eq!(store.get_decision("o1", 100).unwrap(), None);
        // The size bound evicts the oldest.
        for i in 0..10 {
            store
                .claim_url(&format!("v{i}"), &claim(&format!("x{i}"), &format!("p{i}")), 105)
                .unwrap();
            assert!(store.len() <= 3);
        }
        assert_eq!(store.claim_url("u1", &claim("d1", "o5"), 105).unwrap(), None);
        assert!(store.urls.len() <= 3 && store.owners.len() <= 3);
    }

    #[test]
    fn bands_return_earlier_members_only() {
        let mut store = MemoryStore::with_limits(100, 10);
        assert!(
            store
                .add_to_bands(&[1, 2], &signature("a", "o1"), 10, 0)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.add_to_bands(&[2, 3], &signature("b", "o2"), 10, 0).unwrap(),
            ["a"]
        );
        assert_eq!(
            store
                .add_to_bands(&[1, 2, 3], &signature("c", "o3"), 10, 0)
                .unwrap(),
            ["a", "a", "b", "b"]
        );
        // At most `limit` per band, the oldest.
        assert_eq!(
            store.add_to_bands(&[2], &signature("e", "o5"), 2, 0).unwrap(),
            ["a", "b"]
        );
        // Repeating a call sees the same earlier members, never later ones.
        assert!(
            store
                .add_to_bands(&[1, 2], &signature("a", "o1"), 10, 0)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.add_to_bands(&[2, 3], &signature("b", "o2"), 10, 0).unwrap(),
            ["a"]
        );
        let sigs = store.get_signatures(&["b".into(), "zz".into()], 0).unwrap();
        assert_eq!(sigs[0].as_ref().map(|s| s.owner.as_str()), Some("o2"));
        assert_eq!(sigs[1], None);
        // After the window, members are gone and bands are cleaned when evicted.
        assert!(
            store
                .add_to_bands(&[1, 2, 3], &signature("d", "o4"), 10, 100)
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.bands.len(), 3);
        assert!(store.overflow.is_empty());
        assert_eq!(store.signatures.len(), 1);
        assert_eq!(store.len(), 1);
    }
}

#[cfg(test)]
mod size {
    use super::*;

    /// What `decide` writes for one unique article with realistic key sizes.
    fn fill(store: &mut MemoryStore, n: u64) {
        let mut state = 0x1234_5678_u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for i in 0..n {
            let owner = format!("news.raw-html/{:>2}/{:08}", i % 12, i);
            let url = format!("https://www.example-news-site.com/2024/05/17/politics/story-slug-{i:0>40}");
            let article_id = crate::article_id(&url);
            let content_hash = format!("{:016x}{:016x}{:016x}{:016x}", next(), next(), next(), next());
            let minhash: Vec<u32> = (0..128).map(|_| next() as u32).collect();
            let claim = Claim {
                article_id: article_id.clone(),
                owner: owner.clone(),
                content_hash: content_hash.clone(),
                seen_at: 0,
            };
            store.claim_url(&url, &claim, 0).unwrap();
            store.claim_content(&content_hash, &claim, 0).unwrap();
            let sig = Signature {
                article_id,
                owner: owner.clone(),
                seen_at: 0,
                minhash,
                word_count: 300,
                shingle_count: 290,
            };
            store
                .add_to_bands(&band_keys(&sig.minhash, 32), &sig, 32, 0)
                .unwrap();
            store.claim_decision(&owner, &Decision::unique(), 0).unwrap();
        }
    }

    #[test]
    fn bytes_per_article() {
        let n = 20_000;
        let mut store = MemoryStore::with_limits(1_000_000, 1_000_000);
        fill(&mut store, n);
        let per_article = store.approx_bytes() as f64 / n as f64;
        println!("memory store: ~{per_article:.0} bytes per unique article (table slots + owned heap)");
        assert!((1500.0..4000.0).contains(&per_article), "{per_article}");
    }

    /// Cross-checks `approx_bytes` against the resident size of the process (Linux only; run alone:
    /// `cargo test -p dedup --release -- --ignored rss --nocapture`).
    #[test]
    #[ignore = "measures the whole process: run alone"]
    fn rss_per_article() {
        fn rss_bytes() -> u64 {
            let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
            statm.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 4096
        }
        let n = 200_000;
        let before = rss_bytes();
        let mut store = MemoryStore::with_limits(1_000_000, 1_000_000);
        fill(&mut store, n);
        let after = rss_bytes();
        println!(
            "rss: {:.0} bytes per unique article; approx_bytes: {:.0}",
            (after - before) as f64 / n as f64,
            store.approx_bytes() as f64 / n as f64
        );
    }
}
