//! The contract of a dedup state.

use serde::{Deserialize, Serialize};

use crate::Decision;

/// A claim on a normalized URL or on a body's content key (its content hash; for a short body, the hash
/// of its title and content hash; for a body matched by URL only, the hash of its article and content
/// hash, recorded as a version of that article): who got there first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The article the key belongs to.
    pub article_id: String,
    /// Delivery identity of the message that made the claim (e.g. `topic/partition/offset`).
    pub owner: String,
    /// Content hash of the body the claim was made with.
    pub content_hash: String,
    /// When the claim was made (unix seconds).
    pub seen_at: i64,
}

/// A stored MinHash signature, what near-duplicate candidates are verified against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The article the signature belongs to.
    pub article_id: String,
    /// Delivery identity of the message that stored it.
    pub owner: String,
    /// When it was stored (unix seconds).
    pub seen_at: i64,
    /// The MinHash signature ([`Fingerprint::minhash`](crate::Fingerprint::minhash)).
    pub minhash: Vec<u32>,
    /// Tokens in the body.
    pub word_count: usize,
    /// Distinct shingles in the body.
    pub shingle_count: usize,
}

/// What [`Store::open`] found: the decision already recorded for the owner, or the URL claim and (when
/// it was made) the content claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opening {
    /// The decision recorded for the owner; when `Some`, nothing else was read or written.
    pub decision: Option<Decision>,
    /// The claim that was already on the URL (`None`: this claim was recorded).
    pub url: Option<Claim>,
    /// `None` when the content was not claimed (no content hash given, or the URL belongs to another
    /// owner); `Some(None)` when this claim was recorded; `Some(Some(claim))` when one was there.
    pub content: Option<Option<Claim>>,
}

/// A dedup state: a set of keyed records, each written once ("insert if absent, else return what is
/// there") and forgotten after the store's window.
///
/// Every method is one atomic step, so that a shared store gives every worker the same first writer:
/// a Redis implementation maps `claim_*` onto `SET key value NX GET EX window` (or a tiny script),
/// [`add_to_bands`](Store::add_to_bands) onto one script call and
/// [`get_signatures`](Store::get_signatures) onto one `MGET`; a decision then costs at most six round
/// trips. [`open`](Store::open) bundles the first three steps of a decision so that a remote store can
/// run them in one round trip: then a unique article costs two or three round trips (open, bands, the
/// candidates' signatures when there are some, record the decision: four), an exact duplicate three
/// (open, the decision of the copy it matched, record) and a near-duplicate five. Records expire
/// `window` seconds after they were written; expired records must read as absent.
///
/// `now` is the caller's time in unix seconds; implementations must not read the clock.
pub trait Store {
    /// Why the store could not be consulted. [`std::convert::Infallible`] for in-process stores, which
    /// makes [`Deduplicator::decide`](crate::Deduplicator::decide) available.
    type Error: std::error::Error;

    /// The decision recorded for `owner`, if any.
    fn get_decision(&mut self, owner: &str, now: i64) -> Result<Option<Decision>, Self::Error>;

    /// Records `decision` for `owner` unless one is recorded already, which is then returned and kept.
    fn claim_decision(
        &mut self,
        owner: &str,
        decision: &Decision,
        now: i64,
    ) -> Result<Option<Decision>, Self::Error>;

    /// Records `claim` under the normalized URL `url` unless a claim is there already, which is then
    /// returned and kept.
    fn claim_url(&mut self, url: &str, claim: &Claim, now: i64) -> Result<Option<Claim>, Self::Error>;

    /// Records `claim` under the content key `content_hash` unless a claim is there already, which is
    /// then returned and kept. The key is opaque to the store (a content hash or another SHA-256).
    fn claim_content(
        &mut self,
        content_hash: &str,
        claim: &Claim,
        now: i64,
    ) -> Result<Option<Claim>, Self::Error>;

    /// Stores `signature` under its article id unless one is there already, and appends the article id
    /// to each band of `band_keys` (in insertion order; an id already in a band stays where it is).
    ///
    /// Returns, band after band, the article ids that were inserted into that band before this
    /// article, oldest first and at most `limit` per band: an id appears once for every band it shares
    /// with this article. Ids inserted after this article are never returned, even when the call is
    /// repeated, so that of two similar articles only the later one sees the earlier. (With Redis: a
    /// list per band, `LPOS` then `RPUSH` if absent, `LRANGE 0 min(pos, limit)-1`, in one script.)
    fn add_to_bands(
        &mut self,
        band_keys: &[u64],
        signature: &Signature,
        limit: usize,
        now: i64,
    ) -> Result<Vec<String>, Self::Error>;

    /// The signatures stored for `article_ids`, in the same order (`None` where absent or expired).
    fn get_signatures(
        &mut self,
        article_ids: &[String],
        now: i64,
    ) -> Result<Vec<Option<Signature>>, Self::Error>;

    /// The first step of a decision, in one atomic step where the store can:
    /// [`get_decision`](Store::get_decision) for `owner`; if there is none,
    /// [`claim_url`](Store::claim_url) with `claim`; and if the URL was free or already `owner`'s and a
    /// `content_hash` is given, [`claim_content`](Store::claim_content) with the same claim.
    ///
    /// The provided implementation makes those calls one after the other.
    fn open(
        &mut self,
        owner: &str,
        url: &str,
        content_hash: Option<&str>,
        claim: &Claim,
        now: i64,
    ) -> Result<Opening, Self::Error> {
        if let Some(decision) = self.get_decision(owner, now)? {
            return Ok(Opening {
                decision: Some(decision),
                ..Opening::default()
            });
        }
        let url_claim = self.claim_url(url, claim, now)?;
        let content = match content_hash {
            Some(hash) if url_claim.as_ref().is_none_or(|first| first.owner == owner) => {
                Some(self.claim_content(hash, claim, now)?)
            }
            _ => None,
        };
        Ok(Opening {
            decision: None,
            url: url_claim,
            content,
        })
    }
}
