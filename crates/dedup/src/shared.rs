//! An object-safe, thread-safe face of a deduplicator, whatever its store.

use std::sync::Mutex;

use crate::{Decision, DedupConfig, Deduplicator, Fingerprint, MemoryStore};

/// The error of a [`Decider`]: the store's own error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A deduplicator shared by the threads of a worker: what a pipeline holds, whichever store is behind it.
///
/// [`decide`](Decider::decide) has the meaning of [`Deduplicator::try_decide`]; an `Err` means the state
/// could not be consulted and nothing can be concluded about the article (the caller retries later or
/// fails open).
pub trait Decider: Send + Sync {
    /// Name of the store kind, a bounded metric label: `memory`, `redis`.
    fn store_name(&self) -> &'static str;

    /// The configuration in force.
    fn config(&self) -> &DedupConfig;

    /// Decides on one article and records it: see [`Deduplicator::try_decide`].
    fn decide(
        &self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        now_unix: i64,
    ) -> Result<Decision, BoxError>;

    /// Records a decision published earlier ([`Deduplicator::try_restore`]): rebuilds a state from the
    /// events a worker published.
    fn restore(
        &self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        published: &Decision,
        seen_at: i64,
    ) -> Result<(), BoxError>;

    /// Consults the state without deciding anything: whether it answers, since when it has been kept, and
    /// whether it is still the state this decider wrote to before (a store that lost its data, such as a
    /// Redis restarted without persistence, starts a new state: `lost` is true once, on the first check
    /// that sees it). Cheap enough to call every few seconds.
    fn check_state(&self, now_unix: i64) -> Result<StateCheck, BoxError>;
}

/// What [`Decider::check_state`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateCheck {
    /// Unix time since which the state has been kept: decisions reach back to the later of this and
    /// `now - window`.
    pub since_unix: i64,
    /// The state this decider knew is gone and a new one began (at `since_unix`).
    pub lost: bool,
}

/// The in-process deduplicator: one [`MemoryStore`] behind a lock. Never fails.
#[derive(Debug)]
pub struct SharedMemory {
    config: DedupConfig,
    inner: Mutex<Deduplicator<MemoryStore>>,
    /// When the state began: the earliest restored decision, else the first check.
    since: Mutex<Option<i64>>,
}

impl SharedMemory {
    /// A deduplicator over an empty [`MemoryStore`] bounded by `config`.
    pub fn new(config: DedupConfig) -> Result<Self, crate::DedupError> {
        let store = MemoryStore::new(&config);
        let inner = Mutex::new(Deduplicator::new(config.clone(), store)?);
        Ok(SharedMemory {
            config,
            inner,
            since: Mutex::new(None),
        })
    }

    /// Entries held by the store (including expired ones not yet evicted).
    pub fn len(&self) -> usize {
        self.with(|dedup| dedup.store().len())
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap bytes held by the store ([`MemoryStore::approx_bytes`]).
    pub fn approx_bytes(&self) -> usize {
        self.with(|dedup| dedup.store().approx_bytes())
    }

    fn with<T>(&self, f: impl FnOnce(&mut Deduplicator<MemoryStore>) -> T) -> T {
        f(&mut lock(&self.inner))
    }
}

impl Decider for SharedMemory {
    fn store_name(&self) -> &'static str {
        "memory"
    }

    fn config(&self) -> &DedupConfig {
        &self.config
    }

    fn decide(
        &self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        now_unix: i64,
    ) -> Result<Decision, BoxError> {
        Ok(self.with(|dedup| dedup.decide(owner, article_id, normalized_url, fp, now_unix)))
    }

    fn restore(
        &self,
        owner: &str,
        article_id: &str,
        normalized_url: &str,
        fp: &Fingerprint,
        published: &Decision,
        seen_at: i64,
    ) -> Result<(), BoxError> {
        self.with(|dedup| dedup.restore(owner, article_id, normalized_url, fp, published, seen_at));
        let mut since = lock(&self.since);
        *since = Some(since.map_or(seen_at, |since| since.min(seen_at)));
        Ok(())
    }

    fn check_state(&self, now_unix: i64) -> Result<StateCheck, BoxError> {
        Ok(StateCheck {
            since_unix: *lock(&self.since).get_or_insert(now_unix),
            lost: false,
        })
    }
}

/// A panic while holding a lock cannot leave the store half-written in a way that matters more than
/// losing it would: keep using it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
