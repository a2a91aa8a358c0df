//! The decision rules.

use std::convert::Infallible;

use foldhash::HashMap;
use sha2::{Digest, Sha256};

use crate::fingerprint::{estimated_containment, estimated_jaccard, hex};
use crate::store::{Claim, Opening, Signature, Store};
use crate::{Decision, DedupConfig, DedupError, Fingerprint, SHORT_BODY_WORDS, Status};

/// Below this estimated Jaccard similarity the containment estimate is not trusted: with 128 slots a
/// handful of chance collisions would otherwise turn into a high containment for bodies of very
/// different lengths. Teasers down to ~25% of the full text still pass.
const MIN_JACCARD_FOR_CONTAINMENT: f64 = 0.2;

/// Decides whether articles are unique, duplicates, near-duplicates or updates, against a [`Store`].
#[derive(Debug)]
pub struct Deduplicator<S: Store> {
    config: DedupConfig,
    store: S,
}

impl<S: Store> Deduplicator<S> {
    /// Validates `config` and wraps `store`.
    pub fn new(config: DedupConfig, store: S) -> Result<Self, DedupError> {
        config.validate()?;
        Ok(Deduplicator { config, store })
    }

    /// The configuration in force.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Fingerprints `text` with this deduplicator's configuration (same as [`crate::fingerprint`]).
    pub fn fingerprint(&self, text: &str) -> Fingerprint {
        crate::fingerprint(text, &self.config)
    }

    /// Decides on one article and records it; see the [crate documentation](crate) for the rules.
    ///
    /// `owner` is the delivery-stable identity of the input message (e.g. `topic/partition/offset`):
    /// calling again with the same owner returns the first decision. `article_id` is the id of the
    /// article ([`article_id`](crate::article_id) of `normalized_url`), `fp` its body's fingerprint and
    /// `now_unix` the current time in unix seconds.
    ///
    /// A fingerprint whose signature length differs from `permutations` (made with another
    /// configuration) is matched exactly only, never as a near-duplicate. A fingerprint marked
    /// [`url_only`](Fingerprint::url_only) is matched by URL only; a short body (under
    /// [`SHORT_BODY_WORDS`] tokens) matches another URL's exactly only, and only under the same title.
    pub fn try_decide(
        &mut self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        now_unix: i64,
    ) -> Result<Decision, S::Error> {
        let decision = match self.rules(owner, article_id, normalized_url, fp, now_unix)? {
            Verdict::Recorded(decision) => return Ok(decision),
            Verdict::New(decision) => decision,
        };
        Ok(self
            .store
            .claim_decision(owner, &decision, now_unix)?
            .unwrap_or(decision))
    }

    /// Records a decision published earlier: the claims [`try_decide`](Deduplicator::try_decide) made
    /// for it, and `published` as the owner's decision. Rebuilds a state from the events a worker
    /// published; `seen_at` is when the decision was taken.
    ///
    /// The claims follow the published verdict, not the rules, so that the order of restoring does not
    /// change the state: a unique article or a near-duplicate claims its URL and its body and joins the
    /// bands; an exact duplicate claims its URL and its body (a copy reached through it leads to the
    /// first article, as its decision says); an update claims its body as a version of the article and
    /// leaves the URL to the first version. Every claim is "if absent", as always. A body is claimed
    /// under the key [`try_decide`](Deduplicator::try_decide) claims it under: an article matched by URL
    /// only claims its URL (and, for an update, its version of the article) and never joins the
    /// bands; a short body is claimed with its title.
    pub fn try_restore(
        &mut self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        published: &Decision,
        seen_at: i64,
    ) -> Result<(), S::Error> {
        let claim = Claim {
            article_id: published
                .duplicate_of
                .clone()
                .filter(|_| published.status == Status::Update)
                .unwrap_or_else(|| article_id.to_owned()),
            owner: owner.to_owned(),
            content_hash: fp.content_hash.clone(),
            seen_at,
        };
        let key = content_key(fp);
        if published.status == Status::Update {
            // As the rules record a new version: under the body's key, else as a version of the
            // article the URL belongs to.
            let key = key.unwrap_or_else(|| version_key(&claim.article_id, &fp.content_hash));
            self.store.claim_content(&key, &claim, seen_at)?;
        } else {
            self.store.claim_url(normalized_url, &claim, seen_at)?;
            if let Some(key) = key {
                self.store.claim_content(&key, &claim, seen_at)?;
            }
        }
        if matches!(published.status, Status::Unique | Status::NearDuplicate) && self.near_matched(fp) {
            let signature = Signature {
                article_id: article_id.to_owned(),
                owner: owner.to_owned(),
                seen_at,
                minhash: fp.minhash.clone(),
                word_count: fp.word_count,
                shingle_count: fp.shingle_count,
            };
            self.store.add_to_bands(
                &fp.band_keys(self.config.bands),
                &signature,
                self.config.max_candidates,
                seen_at,
            )?;
        }
        self.store.claim_decision(owner, published, seen_at)?;
        Ok(())
    }

    fn rules(
        &mut self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        now: i64,
    ) -> Result<Verdict, S::Error> {
        let claim = Claim {
            article_id: article_id.to_owned(),
            owner: owner.to_owned(),
            content_hash: fp.content_hash.clone(),
            seen_at: now,
        };
        // Empty bodies, bodies that are not the article's text and short untitled bodies are never
        // matched by content.
        let key = content_key(fp);
        let opening = self
            .store
            .open(owner, normalized_url, key.as_deref(), &claim, now)?;
        if let Some(decision) = opening.decision {
            return Ok(Verdict::Recorded(decision));
        }
        self.rules_after(owner, article_id, fp, now, claim, opening)
            .map(Verdict::New)
    }

    fn rules_after(
        &mut self,
        owner: &str,
        article_id: &str,
        fp: &Fingerprint,
        now: i64,
        claim: Claim,
        opening: Opening,
    ) -> Result<Decision, S::Error> {
        // The key `open` claimed the body under.
        let key = content_key(fp);
        // Rule 1: the URL was seen before (by another message).
        if let Some(first) = opening.url
            && first.owner != owner
        {
            if first.content_hash == fp.content_hash {
                // Point at the first article with this body (the URL's first article may itself have
                // been a copy of another).
                let by_content = match &key {
                    Some(key) => self.store.claim_content(key, &claim, now)?,
                    None => None,
                };
                let original = match by_content {
                    Some(seen) if seen.owner != owner => self.root(&seen.owner, seen.article_id, now)?,
                    _ => self.root(&first.owner, first.article_id, now)?,
                };
                return Ok(exact(original));
            }
            // Remember the new text as this article's, so that a re-crawl of the same version is a
            // duplicate, not another update: under the body's key, or, for a body not matched by
            // content, as a version of this article only.
            let key = key.unwrap_or_else(|| version_key(&first.article_id, &fp.content_hash));
            let version = Claim {
                article_id: first.article_id.clone(),
                ..claim
            };
            if let Some(seen) = self.store.claim_content(&key, &version, now)?
                && seen.owner != owner
                && seen.article_id == first.article_id
            {
                return Ok(exact(first.article_id));
            }
            let similarity = self
                .store
                .get_signatures(std::slice::from_ref(&first.article_id), now)?
                .into_iter()
                .flatten()
                .next()
                .map_or(0.0, |sig| estimated_jaccard(&sig.minhash, &fp.minhash));
            return Ok(Decision {
                status: Status::Update,
                duplicate_of: Some(first.article_id),
                similarity: similarity as f32,
            });
        }

        // Rule 2: the same body (a short one under the same title) under another URL.
        if key.is_none() {
            return Ok(Decision::unique());
        }
        if let Some(Some(first)) = opening.content
            && first.owner != owner
        {
            return Ok(exact(self.root(&first.owner, first.article_id, now)?));
        }

        // Rule 3: near-duplicates.
        if !self.near_matched(fp) {
            return Ok(Decision::unique());
        }
        let signature = Signature {
            article_id: article_id.to_owned(),
            owner: owner.to_owned(),
            seen_at: now,
            minhash: fp.minhash.clone(),
            word_count: fp.word_count,
            shingle_count: fp.shingle_count,
        };
        let members = self.store.add_to_bands(
            &fp.band_keys(self.config.bands),
            &signature,
            self.config.max_candidates,
            now,
        )?;
        let candidates = rank_candidates(members, article_id, self.config.max_candidates);
        if candidates.is_empty() {
            return Ok(Decision::unique());
        }
        let signatures = self.store.get_signatures(&candidates, now)?;
        let best = signatures
            .iter()
            .flatten()
            .filter(|sig| sig.owner != owner && sig.article_id != article_id)
            .filter_map(|sig| self.score(fp, sig).map(|score| (score, sig)))
            // Highest Jaccard, then highest containment; the earliest candidate on ties.
            .fold(None::<(Score, &Signature)>, |best, (score, sig)| match best {
                Some((b, _)) if (b.jaccard, b.containment) >= (score.jaccard, score.containment) => best,
                _ => Some((score, sig)),
            });
        Ok(match best {
            Some((score, sig)) => Decision {
                status: Status::NearDuplicate,
                duplicate_of: Some(self.root(&sig.owner, sig.article_id.clone(), now)?),
                similarity: score.similarity as f32,
            },
            None => Decision::unique(),
        })
    }

    /// Whether `fp` takes part in near-duplicate matching: a body of the article's own text, of at least
    /// `min_words_near` tokens and not short, with a signature of this configuration's length.
    fn near_matched(&self, fp: &Fingerprint) -> bool {
        !fp.url_only
            && fp.word_count >= self.config.min_words_near
            && fp.word_count >= SHORT_BODY_WORDS
            && fp.minhash.len() == self.config.permutations
    }

    /// The first article of the story `article_id` belongs to: when the message that wrote it (`writer`)
    /// was itself decided a copy of an earlier article, that one (decisions already point at the first
    /// article, so one step suffices); otherwise `article_id`. A copy of a copy whose decision is not
    /// recorded yet (processed at the same moment elsewhere) stays linked to that copy.
    fn root(&mut self, writer: &str, article_id: String, now: i64) -> Result<String, S::Error> {
        Ok(match self.store.get_decision(writer, now)? {
            Some(Decision {
                status: Status::Duplicate | Status::NearDuplicate,
                duplicate_of: Some(root),
                ..
            }) => root,
            _ => article_id,
        })
    }

    /// The similarity of `fp` to a candidate, if it is a near-duplicate.
    fn score(&self, fp: &Fingerprint, candidate: &Signature) -> Option<Score> {
        let jaccard = estimated_jaccard(&fp.minhash, &candidate.minhash);
        let containment = if jaccard >= MIN_JACCARD_FOR_CONTAINMENT {
            estimated_containment(jaccard, fp.shingle_count, candidate.shingle_count)
        } else {
            0.0
        };
        let similarity = if jaccard >= self.config.jaccard_threshold {
            jaccard
        } else if containment >= self.config.containment_threshold {
            containment
        } else {
            return None;
        };
        Some(Score {
            jaccard,
            containment,
            similarity,
        })
    }
}

impl<S: Store<Error = Infallible>> Deduplicator<S> {
    /// [`try_decide`](Deduplicator::try_decide) for stores that cannot fail, such as [`MemoryStore`](crate::MemoryStore).
    pub fn decide(
        &mut self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        now_unix: i64,
    ) -> Decision {
        match self.try_decide(owner, article_id, normalized_url, fp, now_unix) {
            Ok(decision) => decision,
            Err(never) => match never {},
        }
    }
}

impl<S: Store<Error = Infallible>> Deduplicator<S> {
    /// [`try_restore`](Deduplicator::try_restore) for stores that cannot fail.
    pub fn restore(
        &mut self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        published: &Decision,
        seen_at: i64,
    ) {
        match self.try_restore(owner, article_id, normalized_url, fp, published, seen_at) {
            Ok(()) => {}
            Err(never) => match never {},
        }
    }
}

/// A decision found recorded for the owner, or one made now (to be recorded).
enum Verdict {
    Recorded(Decision),
    New(Decision),
}

#[derive(Debug, Clone, Copy)]
struct Score {
    jaccard: f64,
    containment: f64,
    similarity: f64,
}

/// The key under which a body is claimed by content: what the article of another URL must have to be
/// its exact copy. `None` when the article is matched by URL only: an empty body, a body that is not
/// the article's text ([`Fingerprint::url_only`]), or a short body of an untitled article. A body of
/// [`SHORT_BODY_WORDS`] tokens or more is its content hash (the stored format since the beginning); a
/// shorter one is the hash of its title and its content hash, so that it matches under the same
/// title only.
fn content_key(fp: &Fingerprint) -> Option<String> {
    if fp.url_only || fp.word_count == 0 {
        return None;
    }
    if fp.word_count >= SHORT_BODY_WORDS {
        return Some(fp.content_hash.clone());
    }
    fp.title_hash
        .as_deref()
        .map(|title| scoped_key("title", title, &fp.content_hash))
}

/// The key under which a body not matched by content is recorded as a version of the article
/// `article_id`: a re-crawl of that URL with the same body finds it; no other URL does.
fn version_key(article_id: &str, content_hash: &str) -> String {
    scoped_key("version", article_id, content_hash)
}

/// SHA-256 (lowercase hex) of `kind`, `scope` and `content_hash`: a content key of its own namespace,
/// never equal to a content hash.
fn scoped_key(kind: &str, scope: &str, content_hash: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [kind, scope, content_hash] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex(&hasher.finalize())
}

fn exact(article_id: String) -> Decision {
    Decision {
        status: Status::Duplicate,
        duplicate_of: Some(article_id),
        similarity: 1.0,
    }
}

/// Distinct candidate ids other than `own_id`, those sharing the most bands first (earliest first on
/// ties), at most `max`.
fn rank_candidates(members: Vec<String>, own_id: &str, max: usize) -> Vec<String> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::default();
    for (position, id) in members.into_iter().enumerate() {
        if id != own_id {
            counts.entry(id).or_insert((0, position)).0 += 1;
        }
    }
    let mut ranked: Vec<(String, (usize, usize))> = counts.into_iter().collect();
    ranked.sort_by(|(_, (count_a, first_a)), (_, (count_b, first_b))| {
        count_b.cmp(count_a).then(first_a.cmp(first_b))
    });
    ranked.into_iter().take(max).map(|(id, _)| id).collect()
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
