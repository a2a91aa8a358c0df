//! Exact and near-duplicate detection of news articles.
//!
//! This crate owns the dedup decision and everything it rests on: URL normalization and article ids
//! ([`normalize_url`], [`article_id`]), body fingerprints ([`fingerprint`]: a content hash and a MinHash
//! signature of word shingles with its LSH bands), the decision rules ([`Deduplicator::decide`]), the
//! [`Store`] contract a dedup state must fulfil, the bounded in-process [`MemoryStore`], and the
//! object-safe [`Decider`] a pipeline holds whatever the store ([`SharedMemory`] for the memory store).
//!
//! It is a pure, synchronous library: values and configuration in, values out. It must never do I/O,
//! touch the network, read the environment or the clock (time is a parameter, in unix seconds), log,
//! or panic on input. The shared store (Redis) is a [`Store`] implementation in the `redis-store`
//! crate; the trait is shaped so that each operation is one atomic "insert if absent, else return what
//! is there" step that such a store can run in one round trip.
//!
//! # Decision rules
//! For an article (its delivery `owner`, id, normalized URL and fingerprint):
//! 1. a decision already recorded for the same `owner` is returned as is (redelivery);
//! 2. the same normalized URL was seen before: same content hash → [`Status::Duplicate`] of the first
//!    article, different text → [`Status::Update`] of it;
//! 3. the same content hash was seen under another URL → [`Status::Duplicate`];
//! 4. bodies of at least `min_words_near` tokens are looked up by LSH (any shared band makes a
//!    candidate) and verified by estimated Jaccard similarity or estimated containment of the shorter
//!    body in the longer: the best match → [`Status::NearDuplicate`];
//! 5. otherwise [`Status::Unique`].
//!
//! Rules 3 and 4 look at the body only when it tells which article it is: never for a body that is not
//! the article's text ([`Fingerprint::url_only`]: a paywall stub, a consent or login wall, an editor
//! prompt), which is matched by URL only; for a short body (under [`SHORT_BODY_WORDS`] tokens) rule 3
//! only under the same title ([`Fingerprint::title_hash`]), rule 4 never. So two distinct articles
//! whose pages show the same stand-in text stay two articles, while a re-crawl of one URL is still a
//! duplicate or an update.
//!
//! Records written by the same owner are never matched against it, so a redelivered message never
//! becomes a duplicate of itself, even when an earlier attempt stopped half-way. Between different
//! owners the first one recorded wins.
#![warn(missing_docs)]

mod decide;
mod fingerprint;
mod memory;
mod shared;
mod store;
mod url_norm;

pub use decide::Deduplicator;
pub use fingerprint::{Fingerprint, content_hash, fingerprint};
pub use memory::MemoryStore;
pub use shared::{BoxError, Decider, SharedMemory, StateCheck};
pub use store::{Claim, Opening, Signature, Store};
pub use url_norm::{article_id, normalize_url};

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DedupError {
    /// The URL cannot be parsed or is not an http(s) URL with a host.
    #[error("invalid url {url:?}: {reason}")]
    InvalidUrl {
        /// The offending URL (truncated).
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The configuration is inconsistent.
    #[error("invalid dedup config: {0}")]
    InvalidConfig(String),
}

/// Bodies with fewer tokens than this are short: they say too little about which article they are. A
/// short body matches another URL's exactly only, and only under the same title (an untitled article
/// with a short body is matched by URL only); it is never a near-duplicate.
///
/// Fifty tokens is the default `min_words_near`, below which MinHash on a few dozen shingles is too
/// noisy for near-duplicates. The same length bounds what a stand-in body runs to: a paywall or
/// subscription notice, a login prompt, "enable JavaScript", a placeholder or an editor prompt, a
/// "watch the video above" line, which the pages of one site (or of one platform) share word for
/// word under different articles; such a body is about the size of a tweet, the longest of them (a
/// cookie wall) two or three sentences. An article's own text is longer; a short news brief that is
/// copied keeps its headline mostly, and is found again under it.
pub const SHORT_BODY_WORDS: usize = 50;

/// Dedup options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Bodies with fewer tokens are matched exactly only, never as near-duplicates. Default: 50. Bodies
    /// under [`SHORT_BODY_WORDS`] tokens are never near-duplicates, whatever this says.
    pub min_words_near: usize,
    /// Estimated Jaccard similarity of shingle sets at or above which two bodies are near-duplicates.
    /// Default: 0.4 (chosen with `newsflow-eval dedup`: see `docs/dedup.md`).
    pub jaccard_threshold: f64,
    /// Estimated containment of the shorter body's shingles in the longer body at or above which two
    /// bodies are near-duplicates (truncated teasers, appended updates). Default: 0.65.
    pub containment_threshold: f64,
    /// How long an article stays in the dedup window (whole seconds), e.g. `"7d"`, `"36h"`. Default: 7
    /// days.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Articles (delivered messages) the memory store keeps at most; the oldest are evicted first.
    /// Default: 1000000.
    pub max_entries: usize,
    /// Tokens per shingle. Default: 3.
    pub shingle_size: usize,
    /// MinHash permutations, i.e. signature length. Default: 128.
    pub permutations: usize,
    /// LSH bands; must divide `permutations` (rows per band = permutations / bands). Default: 32.
    pub bands: usize,
    /// Most candidates taken from each band (the oldest) and most candidates verified per article
    /// (those sharing the most bands first): bounds the work on stories copied hundreds of times.
    /// Default: 32.
    pub max_candidates: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            min_words_near: 50,
            jaccard_threshold: 0.4,
            containment_threshold: 0.65,
            window: Duration::from_secs(7 * 24 * 3600),
            max_entries: 1_000_000,
            shingle_size: 3,
            permutations: 128,
            bands: 32,
            max_candidates: 32,
        }
    }
}

impl DedupConfig {
    /// The window in whole seconds, as the stores count time.
    pub fn window_secs(&self) -> i64 {
        i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX)
    }

    /// Checks that the options are consistent.
    pub fn validate(&self) -> Result<(), DedupError> {
        let fail = |msg: String| Err(DedupError::InvalidConfig(msg));
        let unit = |x: f64| x > 0.0 && x <= 1.0;
        if !unit(self.jaccard_threshold) {
            return fail(format!(
                "jaccard_threshold must be in (0, 1], got {}",
                self.jaccard_threshold
            ));
        }
        if !unit(self.containment_threshold) {
            return fail(format!(
                "containment_threshold must be in (0, 1], got {}",
                self.containment_threshold
            ));
        }
        if self.window.as_secs() == 0 || self.window.as_secs() > i64::MAX as u64 {
            return fail(format!(
                "window must be at least one second, got {:?}",
                self.window
            ));
        }
        if self.max_entries == 0 {
            return fail("max_entries must be positive".to_owned());
        }
        if !(1..=16).contains(&self.shingle_size) {
            return fail(format!(
                "shingle_size must be in 1..=16, got {}",
                self.shingle_size
            ));
        }
        if !(1..=1024).contains(&self.permutations) {
            return fail(format!(
                "permutations must be in 1..=1024, got {}",
                self.permutations
            ));
        }
        if self.bands == 0 || !self.permutations.is_multiple_of(self.bands) {
            return fail(format!(
                "bands must divide permutations, got {} bands for {} permutations",
                self.bands, self.permutations
            ));
        }
        if self.max_candidates == 0 {
            return fail("max_candidates must be positive".to_owned());
        }
        Ok(())
    }
}

/// Outcome of deduplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// First copy of this story.
    Unique,
    /// Same body (after whitespace and case normalization) as an earlier article.
    Duplicate,
    /// A near copy of an earlier article: edited, re-wrapped, truncated or extended.
    NearDuplicate,
    /// Same normalized URL as an earlier article, with changed text.
    Update,
}

impl Status {
    /// Stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unique => "unique",
            Status::Duplicate => "duplicate",
            Status::NearDuplicate => "near_duplicate",
            Status::Update => "update",
        }
    }
}

/// The dedup verdict for one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The verdict.
    pub status: Status,
    /// Id of the earlier article this one duplicates or updates; `None` when unique.
    pub duplicate_of: Option<String>,
    /// Similarity to `duplicate_of` in [0, 1]: 1 for exact duplicates; for near-duplicates the
    /// estimated Jaccard similarity when it reached the threshold, else the estimated containment; for
    /// updates the estimated Jaccard similarity to the first version (0 when that version had no
    /// stored signature); 0 when unique.
    pub similarity: f32,
}

impl Decision {
    /// A unique verdict.
    pub fn unique() -> Self {
        Decision {
            status: Status::Unique,
            duplicate_of: None,
            similarity: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(config: DedupConfig, expected: Result<(), &str>) {
        match (config.validate(), expected) {
            (Ok(()), Ok(())) => {}
            (Err(err), Err(want)) => assert!(err.to_string().contains(want), "{err}"),
            (got, want) => panic!("validate() = {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn config_validation() {
        let base = DedupConfig::default;
        check(base(), Ok(()));
        check(
            DedupConfig { bands: 48, ..base() },
            Err("bands must divide permutations"),
        );
        check(
            DedupConfig { bands: 0, ..base() },
            Err("bands must divide permutations"),
        );
        check(
            DedupConfig {
                permutations: 64,
                bands: 16,
                ..base()
            },
            Ok(()),
        );
        check(
            DedupConfig {
                permutations: 0,
                ..base()
            },
            Err("permutations"),
        );
        check(
            DedupConfig {
                shingle_size: 0,
                ..base()
            },
            Err("shingle_size"),
        );
        check(
            DedupConfig {
                jaccard_threshold: 0.0,
                ..base()
            },
            Err("jaccard_threshold"),
        );
        check(
            DedupConfig {
                containment_threshold: 1.5,
                ..base()
            },
            Err("containment_threshold"),
        );
        check(
            DedupConfig {
                jaccard_threshold: f64::NAN,
                ..base()
            },
            Err("jaccard_threshold"),
        );
        check(
            DedupConfig {
                window: Duration::from_millis(500),
                ..base()
            },
            Err("window"),
        );
        check(
            DedupConfig {
                max_entries: 0,
                ..base()
            },
            Err("max_entries"),
        );
        check(
            DedupConfig {
                max_candidates: 0,
                ..base()
            },
            Err("max_candidates"),
        );
    }

    #[test]
    fn config_serde() {
        let config: DedupConfig = serde_json::from_str(r#"{"bands": 16}"#).unwrap();
        assert_eq!(config.bands, 16);
        assert_eq!(config.permutations, 128);
        assert!(serde_json::from_str::<DedupConfig>(r#"{"band": 16}"#).is_err());
        let back: DedupConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn status_names() {
        for status in [
            Status::Unique,
            Status::Duplicate,
            Status::NearDuplicate,
            Status::Update,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
    }
}
