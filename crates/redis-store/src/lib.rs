//! The shared dedup state in Redis, so that every worker replica takes the same dedup decisions.
//!
//! This is the only crate that talks to Redis. It implements [`dedup::Store`] over one Redis connection
//! ([`RedisConnStore`]) and [`dedup::Decider`] over a small pool of connections ([`RedisDedup`]), which is
//! what a pipeline holds. The decision rules stay in `dedup`; this crate only maps each store operation
//! onto atomic Redis commands:
//!
//! | operation | Redis | keys (after `key_prefix`) |
//! |---|---|---|
//! | [`open`](dedup::Store::open) | one Lua script: `GET` the owner's decision, else `SET NX GET EX` the URL claim and (URL free or own) the content claim | `d:<owner>`, `u:<url digest>`, `c:<content hash>` |
//! | [`claim_url`](dedup::Store::claim_url), [`claim_content`](dedup::Store::claim_content), [`claim_decision`](dedup::Store::claim_decision) | `SET key value NX GET EX window` | `u:…`, `c:…`, `d:…` |
//! | [`add_to_bands`](dedup::Store::add_to_bands) | one Lua script: `SET NX GET EX` the signature, per band `LPOS`, `LRANGE`, `RPUSH` if absent, `EXPIRE`, expired members popped from the head | `s:<article id>`, `b:<band key>` |
//! | [`get_signatures`](dedup::Store::get_signatures) | `MGET` | `s:…` |
//! | [`check_state`](dedup::Decider::check_state) | `SET NX GET` of the epoch marker (no expiry) | `epoch` |
//!
//! The epoch marker (`<since unix>|<token>`) is written by the first worker that finds none. Every
//! worker remembers the marker it saw; a Redis that lost its data (restarted without persistence,
//! flushed, failed over to an empty replica) has no marker, so the next check writes a new one and every
//! worker reports the state lost once, instead of publishing the copies it no longer recognises as
//! unique in silence.
//!
//! A decision costs two round trips for an exact duplicate (open, record the decision), three for a
//! unique article without candidates and four for a near-duplicate (the candidates' signatures). Every key
//! expires `window` after it was written (band lists: after their last write, and their members are
//! dropped once older than the window), so the state stays bounded by the window. Scripts run with
//! `EVALSHA` (loaded on first use and again after a server restart). A single Redis server (or a primary
//! with replicas) is required: the scripts touch several keys, which Redis Cluster would refuse.
//!
//! Errors are returned, never retried here beyond one immediate retry on a fresh connection when a pooled
//! one turned out to be closed: the caller decides whether to wait (fail closed) or pass the article
//! through unjudged (fail open). A connection that saw any error is dropped, never reused.
#![warn(missing_docs)]

mod codec;

use std::sync::Mutex;
use std::time::Duration;

use dedup::{
    BoxError, Claim, Decider, Decision, DedupConfig, Deduplicator, Fingerprint, Opening, Signature,
    StateCheck,
};
use serde::{Deserialize, Serialize};

/// Errors of the Redis store.
#[derive(Debug, thiserror::Error)]
pub enum RedisStoreError {
    /// The configuration is invalid.
    #[error("invalid redis config: {0}")]
    Config(String),
    /// Redis could not be reached, did not answer in time, or refused a command.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A stored value could not be read back.
    #[error("corrupt dedup record under {key}: {reason}")]
    Corrupt {
        /// The key (prefix included).
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The dedup configuration is invalid.
    #[error("invalid dedup config: {0}")]
    Dedup(#[from] dedup::DedupError),
}

impl RedisStoreError {
    /// Whether the error says the connection itself is gone (closed, reset, refused), so that a fresh one
    /// may succeed at once.
    fn is_connection_lost(&self) -> bool {
        match self {
            RedisStoreError::Redis(err) => {
                !err.is_timeout()
                    && (err.is_io_error() || err.is_connection_dropped() || err.is_connection_refusal())
            }
            _ => false,
        }
    }
}

/// `[dedup.redis]`: where the shared state lives and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port[/db]` or `unix:///path/to/socket`. Default
    /// `redis://127.0.0.1:6379`.
    pub url: String,
    /// A file holding the URL (a Kubernetes Secret volume, say), read once at start; replaces `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_file: Option<std::path::PathBuf>,
    /// With a `rediss://` URL: a PEM file of the CA that signed the server's certificate, instead of the
    /// system's trusted CAs. The binary reads it into [`RedisConfig::tls_ca_pem`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ca_file: Option<std::path::PathBuf>,
    /// The content of `tls_ca_file`.
    #[serde(skip)]
    pub tls_ca_pem: Option<Vec<u8>>,
    /// Prefix of every key, so several pipelines (or tests) can share one server. Default
    /// `newsflow:dedup:`.
    pub key_prefix: String,
    /// Time to open a connection, e.g. `"1s"`, `"500ms"`. Default 1 s.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Time for one command (or script) to be written and answered. Default 1 s.
    #[serde(with = "humantime_serde")]
    pub command_timeout: Duration,
    /// Connections kept open between decisions (at most one is used per decision at a time). Default 16.
    pub max_idle_connections: usize,
    /// When Redis cannot be consulted, publish articles marked `dedup.status = "unknown"` (routed by
    /// `dedup.routing.unknown`) instead of pausing consumption until it answers again. Default false.
    pub fail_open: bool,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: "redis://127.0.0.1:6379".to_owned(),
            url_file: None,
            tls_ca_file: None,
            tls_ca_pem: None,
            key_prefix: "newsflow:dedup:".to_owned(),
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_secs(1),
            max_idle_connections: 16,
            fail_open: false,
        }
    }
}

impl RedisConfig {
    /// Checks the options (the URL's syntax too, without connecting).
    pub fn validate(&self) -> Result<(), RedisStoreError> {
        let invalid = |msg: String| Err(RedisStoreError::Config(msg));
        if !["redis://", "rediss://", "unix://", "redis+unix://"]
            .iter()
            .any(|scheme| self.url.starts_with(scheme))
        {
            return invalid(format!(
                "dedup.redis.url must start with redis://, rediss:// (TLS), unix:// or redis+unix://, got {:?}",
                redact_url(&self.url)
            ));
        }
        if self.tls_ca_pem.is_some() && !self.url.starts_with("rediss://") {
            return invalid(format!(
                "dedup.redis.tls_ca_file needs a rediss:// URL, got {:?}",
                redact_url(&self.url)
            ));
        }
        if let Err(err) = self.client() {
            return invalid(format!("dedup.redis.url {:?}: {err}", redact_url(&self.url)));
        }
        if self.connect_timeout.is_zero() || self.command_timeout.is_zero() {
            return invalid("dedup.redis.connect_timeout and command_timeout must be positive".to_owned());
        }
        if self.key_prefix.chars().any(char::is_whitespace) {
            return invalid(format!(
                "dedup.redis.key_prefix {:?} contains whitespace",
                self.key_prefix
            ));
        }
        Ok(())
    }
}

impl RedisConfig {
    /// The client of `url`: over TLS trusting `tls_ca_pem` when given (a `rediss://` URL), else the
    /// system's CAs.
    fn client(&self) -> Result<redis::Client, redis::RedisError> {
        match &self.tls_ca_pem {
            Some(ca) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.clone()),
                },
            ),
            None => redis::Client::open(self.url.as_str()),
        }
    }
}

/// `url` with the password (if any) replaced by `<redacted>`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:<redacted>{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => format!("{}<redacted>{}", &url[..scheme_end], &rest[at..]),
    }
}

/// Key names under a prefix.
#[derive(Debug, Clone)]
struct Keys {
    prefix: String,
}

impl Keys {
    fn decision(&self, owner: &str) -> String {
        format!("{}d:{owner}", self.prefix)
    }
    /// URLs are long: the key holds a 128-bit digest of the normalized URL.
    fn url(&self, url: &str) -> String {
        format!("{}u:{}", self.prefix, dedup::article_id(url))
    }
    fn content(&self, content_hash: &str) -> String {
        format!("{}c:{content_hash}", self.prefix)
    }
    fn signature(&self, article_id: &str) -> String {
        format!("{}s:{article_id}", self.prefix)
    }
    fn band(&self, band_key: u64) -> String {
        format!("{}b:{band_key:016x}", self.prefix)
    }
    fn epoch(&self) -> String {
        format!("{}epoch", self.prefix)
    }
}

/// A marker value for a state that begins at `now_unix`: `<since>|<token>`, the token random per call.
fn new_epoch(now_unix: i64) -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now_unix);
    hasher.write_u32(std::process::id());
    format!("{now_unix}|{:016x}", hasher.finish())
}

/// `open`: the owner's decision, else the URL claim and (URL free or the owner's) the content claim.
/// KEYS: decision, url, content. ARGV: owner, claim value, window, "1" to claim the content.
const OPEN_SCRIPT: &str = r"
local d = redis.call('GET', KEYS[1])
if d then return {'1', d} end
local u = redis.call('SET', KEYS[2], ARGV[2], 'NX', 'GET', 'EX', ARGV[3])
if ARGV[4] == '1' then
  local mine = true
  if u then mine = (string.match(u, '^[^|]*|[^|]*|[^|]*|(.*)$') == ARGV[1]) end
  if mine then
    local c = redis.call('SET', KEYS[3], ARGV[2], 'NX', 'GET', 'EX', ARGV[3])
    return {'0', u or '', '1', c or ''}
  end
end
return {'0', u or '', '0', ''}
";

/// `add_to_bands`. KEYS: signature, then one list per band. ARGV: signature value, article id, now,
/// window, limit. Band members are `<seen_at>:<article id>`.
const BANDS_SCRIPT: &str = r"
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local existing = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET', 'EX', ARGV[4])
local seen = ARGV[3]
if existing then seen = string.match(existing, '^(%-?%d+)|') or ARGV[3] end
local element = seen .. ':' .. ARGV[2]
local out = {}
for i = 2, #KEYS do
  local key = KEYS[i]
  for _ = 1, 64 do
    local head = redis.call('LINDEX', key, 0)
    if not head or head == element then break end
    local t = tonumber(string.match(head, '^(%-?%d+):'))
    if t and now - t >= window then redis.call('LPOP', key) else break end
  end
  local pos = false
  if existing then pos = redis.call('LPOS', key, element) end
  local n = limit
  if pos and pos < limit then n = pos end
  if n > 0 then
    for _, m in ipairs(redis.call('LRANGE', key, 0, n - 1)) do
      local t, id = string.match(m, '^(%-?%d+):(.*)$')
      if t and now - tonumber(t) < window then out[#out + 1] = id end
    end
  end
  if not pos then redis.call('RPUSH', key, element) end
  redis.call('EXPIRE', key, ARGV[4])
end
return out
";

/// The compiled scripts (their SHA-1 is computed once).
#[derive(Debug)]
struct Scripts {
    open: redis::Script,
    bands: redis::Script,
}

impl Scripts {
    fn new() -> Self {
        Scripts {
            open: redis::Script::new(OPEN_SCRIPT),
            bands: redis::Script::new(BANDS_SCRIPT),
        }
    }
}

/// A [`dedup::Store`] over one Redis connection. Built per decision by [`RedisDedup`]; public for tests
/// and tools that drive a [`Deduplicator`] themselves.
pub struct RedisConnStore<'a> {
    conn: &'a mut redis::Connection,
    keys: &'a Keys,
    scripts: &'a Scripts,
    window: i64,
}

impl RedisConnStore<'_> {
    fn set_nx_get(&mut self, key: &str, value: &[u8]) -> Result<Option<Vec<u8>>, RedisStoreError> {
        Ok(redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("GET")
            .arg("EX")
            .arg(self.window)
            .query(self.conn)?)
    }

    fn claim(&mut self, key: String, claim: &Claim) -> Result<Option<Claim>, RedisStoreError> {
        self.set_nx_get(&key, codec::claim(claim).as_bytes())?
            .map(|value| {
                codec::parse_claim(&value).map_err(|reason| RedisStoreError::Corrupt { key, reason })
            })
            .transpose()
    }
}

impl dedup::Store for RedisConnStore<'_> {
    type Error = RedisStoreError;

    fn get_decision(&mut self, owner: &str, _now: i64) -> Result<Option<Decision>, RedisStoreError> {
        let key = self.keys.decision(owner);
        let value: Option<Vec<u8>> = redis::cmd("GET").arg(&key).query(self.conn)?;
        value
            .map(|v| codec::parse_decision(&v).map_err(|reason| RedisStoreError::Corrupt { key, reason }))
            .transpose()
    }

    fn claim_decision(
        &mut self,
        owner: &str,
        decision: &Decision,
        _now: i64,
    ) -> Result<Option<Decision>, RedisStoreError> {
        let key = self.keys.decision(owner);
        self.set_nx_get(&key, codec::decision(decision).as_bytes())?
            .map(|v| codec::parse_decision(&v).map_err(|reason| RedisStoreError::Corrupt { key, reason }))
            .transpose()
    }

    fn claim_url(&mut self, url: &str, claim: &Claim, _now: i64) -> Result<Option<Claim>, RedisStoreError> {
        let key = self.keys.url(url);
        self.claim(key, claim)
    }

    fn claim_content(
        &mut self,
        content_hash: &str,
        claim: &Claim,
        _now: i64,
    ) -> Result<Option<Claim>, RedisStoreError> {
        let key = self.keys.content(content_hash);
        self.claim(key, claim)
    }

    fn open(
        &mut self,
        owner: &str,
        url: &str,
        content_hash: Option<&str>,
        claim: &Claim,
        _now: i64,
    ) -> Result<Opening, RedisStoreError> {
        let decision_key = self.keys.decision(owner);
        let url_key = self.keys.url(url);
        let content_key = self.keys.content(content_hash.unwrap_or_default());
        let reply: Vec<Vec<u8>> = self
            .scripts
            .open
            .key(&decision_key)
            .key(&url_key)
            .key(&content_key)
            .arg(owner)
            .arg(codec::claim(claim))
            .arg(self.window)
            .arg(if content_hash.is_some() { "1" } else { "0" })
            .invoke(self.conn)?;
        let corrupt = |key: &str, reason: String| RedisStoreError::Corrupt {
            key: key.to_owned(),
            reason,
        };
        match reply.as_slice() {
            [flag, decision] if flag.as_slice() == b"1" => Ok(Opening {
                decision: Some(codec::parse_decision(decision).map_err(|r| corrupt(&decision_key, r))?),
                ..Opening::default()
            }),
            [flag, url_claim, claimed, content_claim] if flag.as_slice() == b"0" => {
                let parse = |value: &[u8], key: &str| {
                    if value.is_empty() {
                        Ok(None)
                    } else {
                        codec::parse_claim(value).map(Some).map_err(|r| corrupt(key, r))
                    }
                };
                let url = parse(url_claim, &url_key)?;
                let content = if claimed.as_slice() == b"1" {
                    Some(parse(content_claim, &content_key)?)
                } else {
                    None
                };
                Ok(Opening {
                    decision: None,
                    url,
                    content,
                })
            }
            _ => Err(corrupt(
                &url_key,
                format!("unexpected reply of the open script ({} parts)", reply.len()),
            )),
        }
    }

    fn add_to_bands(
        &mut self,
        band_keys: &[u64],
        signature: &Signature,
        limit: usize,
        now: i64,
    ) -> Result<Vec<String>, RedisStoreError> {
        let mut invocation = self.scripts.bands.key(self.keys.signature(&signature.article_id));
        for &band in band_keys {
            invocation.key(self.keys.band(band));
        }
        let members: Vec<String> = invocation
            .arg(codec::signature(signature))
            .arg(&signature.article_id)
            .arg(now)
            .arg(self.window)
            .arg(limit)
            .invoke(self.conn)?;
        Ok(members)
    }

    fn get_signatures(
        &mut self,
        article_ids: &[String],
        _now: i64,
    ) -> Result<Vec<Option<Signature>>, RedisStoreError> {
        if article_ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = article_ids.iter().map(|id| self.keys.signature(id)).collect();
        let values: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(&keys).query(self.conn)?;
        values
            .into_iter()
            .zip(keys)
            .map(|(value, key)| {
                value
                    .map(|v| {
                        codec::parse_signature(&v).map_err(|reason| RedisStoreError::Corrupt { key, reason })
                    })
                    .transpose()
            })
            .collect()
    }
}

/// The Redis-backed [`Decider`]: validated configuration, a client and a pool of idle connections.
/// Decisions run on the caller's thread, each on its own connection, so several threads decide at once.
///
/// The pool is a stack of idle connections rather than `r2d2` (the redis crate's pooling): r2d2's `get`
/// keeps retrying a refused connection until its timeout, so with Redis down every decision would hold a
/// CPU thread for `connect_timeout` instead of failing at once, and a failing-open worker would slow to a
/// crawl. A connection that saw an error is never returned to the stack.
pub struct RedisDedup {
    config: DedupConfig,
    redis: RedisConfig,
    client: redis::Client,
    keys: Keys,
    scripts: Scripts,
    idle: Mutex<Vec<redis::Connection>>,
    /// The epoch marker seen by the last [`Decider::check_state`].
    epoch: Mutex<Option<String>>,
}

impl std::fmt::Debug for RedisDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDedup")
            .field("url", &redact_url(&self.redis.url))
            .field("key_prefix", &self.keys.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisDedup {
    /// Validates both configurations and prepares the client. Does not connect: a Redis that is down at
    /// start-up shows up as errors of the first decisions.
    pub fn new(config: DedupConfig, redis: RedisConfig) -> Result<Self, RedisStoreError> {
        config.validate()?;
        redis.validate()?;
        let client = redis.client()?;
        Ok(RedisDedup {
            config,
            keys: Keys {
                prefix: redis.key_prefix.clone(),
            },
            redis,
            client,
            scripts: Scripts::new(),
            idle: Mutex::new(Vec::new()),
            epoch: Mutex::new(None),
        })
    }

    /// The Redis options in force.
    pub fn redis_config(&self) -> &RedisConfig {
        &self.redis
    }

    /// `PING` on a pooled or new connection.
    pub fn ping(&self) -> Result<(), RedisStoreError> {
        self.with_connection(|store| {
            let _: String = redis::cmd("PING").query(store.conn)?;
            Ok(())
        })
    }

    /// Runs `f` with a connection of the pool (a new one when none is idle), retrying once on a fresh
    /// connection when a pooled one was found closed. The connection goes back to the pool only after a
    /// success.
    pub fn with_connection<T>(
        &self,
        mut f: impl FnMut(RedisConnStore<'_>) -> Result<T, RedisStoreError>,
    ) -> Result<T, RedisStoreError> {
        let mut retried = false;
        loop {
            let (mut conn, pooled) = self.checkout()?;
            let store = RedisConnStore {
                conn: &mut conn,
                keys: &self.keys,
                scripts: &self.scripts,
                window: self.config.window_secs(),
            };
            match f(store) {
                Ok(value) => {
                    self.checkin(conn);
                    return Ok(value);
                }
                Err(err) if pooled && !retried && err.is_connection_lost() => retried = true,
                Err(err) => return Err(err),
            }
        }
    }

    fn checkout(&self) -> Result<(redis::Connection, bool), RedisStoreError> {
        if let Some(conn) = self.lock_idle().pop() {
            return Ok((conn, true));
        }
        let conn = self
            .client
            .get_connection_with_timeout(self.redis.connect_timeout)?;
        let timeout = Some(self.redis.command_timeout);
        conn.set_read_timeout(timeout)?;
        conn.set_write_timeout(timeout)?;
        Ok((conn, false))
    }

    fn checkin(&self, conn: redis::Connection) {
        let mut idle = self.lock_idle();
        if idle.len() < self.redis.max_idle_connections {
            idle.push(conn);
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<redis::Connection>> {
        match self.idle.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Decider for RedisDedup {
    fn store_name(&self) -> &'static str {
        "redis"
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
        let decision = self.with_connection(|store| {
            let mut dedup = Deduplicator::new(self.config.clone(), store)?;
            dedup.try_decide(owner, article_id, normalized_url, fp, now_unix)
        })?;
        Ok(decision)
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
        self.with_connection(|store| {
            let mut dedup = Deduplicator::new(self.config.clone(), store)?;
            dedup.try_restore(owner, article_id, normalized_url, fp, published, seen_at)
        })?;
        Ok(())
    }

    fn check_state(&self, now_unix: i64) -> Result<StateCheck, BoxError> {
        let key = self.keys.epoch();
        let fresh = new_epoch(now_unix);
        let current = self.with_connection(|store| {
            let existing: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(&fresh)
                .arg("NX")
                .arg("GET")
                .query(store.conn)?;
            Ok(existing.unwrap_or_else(|| fresh.clone()))
        })?;
        let since_unix = current
            .split_once('|')
            .and_then(|(since, _)| since.parse().ok())
            .ok_or_else(|| RedisStoreError::Corrupt {
                key: key.clone(),
                reason: format!("epoch marker {current:?} is not <unix time>|<token>"),
            })?;
        let mut known = match self.epoch.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let lost = known.as_ref().is_some_and(|seen| *seen != current);
        *known = Some(current);
        Ok(StateCheck { since_unix, lost })
    }
}

#[cfg(test)]
mod tests;
