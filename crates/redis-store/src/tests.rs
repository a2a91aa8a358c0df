//! Tests against a real Redis server: `NEWSFLOW_TEST_REDIS` (e.g. `redis://127.0.0.1:16379`, started by
//! `scripts/redis.sh up`; `make test` does it). Without it they are skipped, except under CI (`CI` set),
//! where they fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use dedup::{
    Decider, Decision, DedupConfig, SharedMemory, StateCheck, Status, article_id, fingerprint, normalize_url,
};

use super::*;

fn test_url() -> Option<String> {
    match std::env::var("NEWSFLOW_TEST_REDIS") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("NEWSFLOW_TEST_REDIS is not set: start Redis with scripts/redis.sh up")
        }
        Err(_) => {
            eprintln!(
                "skipped: NEWSFLOW_TEST_REDIS is not set (scripts/redis.sh up, then redis://127.0.0.1:16379)"
            );
            None
        }
    }
}

static PREFIXES: AtomicU32 = AtomicU32::new(0);

/// A store under a key prefix of its own.
fn store(url: &str, config: DedupConfig) -> RedisDedup {
    let n = PREFIXES.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let redis = RedisConfig {
        url: url.to_owned(),
        key_prefix: format!("test:{}:{nanos}:{n}:", std::process::id()),
        ..RedisConfig::default()
    };
    RedisDedup::new(config, redis).unwrap()
}

fn twin(dedup: &RedisDedup) -> RedisDedup {
    RedisDedup::new(dedup.config.clone(), dedup.redis.clone()).unwrap()
}

const T0: i64 = 1_700_000_000;

/// A deterministic pseudo-random word stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn text(seed: u64, words: usize) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..words)
        .map(|_| format!("w{}", rng.below(5000)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn edit(text: &str, seed: u64, per_mille: usize) -> String {
    let mut rng = Rng(seed | 1);
    text.split(' ')
        .map(|w| {
            if rng.below(1000) < per_mille {
                format!("x{}", rng.below(100_000))
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, fraction: f64) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    words[..(words.len() as f64 * fraction) as usize].join(" ")
}

/// One delivered message.
#[derive(Debug, Clone)]
struct Message {
    owner: String,
    url: String,
    text: String,
    at: i64,
}

/// A stream with every kind of case: uniques, exact copies, near copies (edited, truncated, extended),
/// tracking-parameter URLs, updates of the same URL, short texts, redeliveries.
fn stream() -> Vec<Message> {
    let mut out = Vec::new();
    let mut push = |url: String, text: String, at: i64| {
        let owner = format!("in/{}/{}", out.len() % 3, out.len());
        out.push(Message { owner, url, text, at });
    };
    for story in 0..12u64 {
        let base = text(story, 120 + 20 * story as usize);
        let at = T0 + story as i64 * 60;
        push(format!("https://a.example/{story}"), base.clone(), at);
        push(
            format!("https://b.example/{story}?utm_source=x"),
            base.clone(),
            at + 1,
        );
        push(
            format!("https://c.example/{story}"),
            edit(&base, story + 100, 30),
            at + 2,
        );
        push(format!("https://d.example/{story}"), truncate(&base, 0.7), at + 3);
        push(
            format!("https://e.example/{story}"),
            format!("{base} {}", text(story + 500, 40)),
            at + 4,
        );
        push(
            format!("https://a.example/{story}#comments"),
            format!("{base} update"),
            at + 5,
        );
        push(
            format!("https://f.example/{story}"),
            text(story + 900, 10),
            at + 6,
        );
    }
    // Redeliveries of a few messages, later.
    for i in [0, 3, 9, 30] {
        let mut again = out[i].clone();
        again.at += 3600;
        out.push(again);
    }
    out
}

fn decide_all(decider: &dyn Decider, messages: &[Message]) -> Vec<Decision> {
    messages
        .iter()
        .map(|m| {
            let url = normalize_url(&m.url).unwrap();
            let fp = fingerprint(&m.text, decider.config());
            decider
                .decide(&m.owner, &article_id(&url), &url, &fp, m.at)
                .unwrap()
        })
        .collect()
}

#[test]
fn same_decisions_as_the_memory_store() {
    let Some(url) = test_url() else { return };
    let messages = stream();
    let memory = SharedMemory::new(DedupConfig::default()).unwrap();
    let redis = store(&url, DedupConfig::default());
    let expected = decide_all(&memory, &messages);
    let got = decide_all(&redis, &messages);
    for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
        assert_eq!(e, g, "message {i}: {:?} {}", messages[i].owner, messages[i].url);
    }
    // The stream exercises every status.
    for status in [
        Status::Unique,
        Status::Duplicate,
        Status::NearDuplicate,
        Status::Update,
    ] {
        assert!(got.iter().any(|d| d.status == status), "no {status:?} in {got:?}");
    }
    let uniques = got.iter().filter(|d| d.status == Status::Unique).count();
    // One per story, one per short text, and the redelivered first message keeps its verdict.
    assert_eq!(uniques, 12 * 2 + 1, "{got:?}");
}

#[test]
fn redelivery_and_a_half_done_attempt_keep_the_first_decision() {
    let Some(url) = test_url() else { return };
    let redis = store(&url, DedupConfig::default());
    let body = text(7, 200);
    let fp = fingerprint(&body, redis.config());
    let a = normalize_url("https://a.example/x").unwrap();
    let b = normalize_url("https://b.example/y").unwrap();
    // A first attempt that claimed and indexed everything, then died before recording its decision.
    redis
        .with_connection(|store| {
            let mut dedup = Deduplicator::new(DedupConfig::default(), store)?;
            let claim = Claim {
                article_id: article_id(&a),
                owner: "in/0/1".into(),
                content_hash: fp.content_hash.clone(),
                seen_at: T0,
            };
            let store = dedup.store_mut();
            dedup::Store::open(store, "in/0/1", &a, Some(&fp.content_hash), &claim, T0)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        redis.decide("in/0/1", &article_id(&a), &a, &fp, T0 + 5).unwrap(),
        Decision::unique()
    );
    let copy = redis.decide("in/0/2", &article_id(&b), &b, &fp, T0 + 6).unwrap();
    assert_eq!(
        (copy.status, copy.duplicate_of.as_deref()),
        (Status::Duplicate, Some(article_id(&a).as_str()))
    );
    // Redelivered, on another replica: the same decisions.
    let other = twin(&redis);
    assert_eq!(
        other.decide("in/0/1", &article_id(&a), &a, &fp, T0 + 60).unwrap(),
        Decision::unique()
    );
    assert_eq!(
        other.decide("in/0/2", &article_id(&b), &b, &fp, T0 + 60).unwrap(),
        copy
    );
}

#[test]
fn copies_decided_at_the_same_moment_on_replicas_have_one_winner() {
    let Some(url) = test_url() else { return };
    let first = Arc::new(store(&url, DedupConfig::default()));
    let stories = 20u64;
    let replicas = 4;
    let copies_per_replica = 3;
    // Every replica decides copies of every story at once: exact copies and edited ones.
    let mut handles = Vec::new();
    for replica in 0..replicas {
        let dedup = Arc::new(twin(&first));
        handles.push(std::thread::spawn(move || {
            let mut out = Vec::new();
            for story in 0..stories {
                let base = text(1000 + story, 150);
                for copy in 0..copies_per_replica {
                    let body = if copy == 0 {
                        base.clone()
                    } else {
                        edit(&base, story * 31 + copy, 20)
                    };
                    let url = normalize_url(&format!("https://r{replica}c{copy}.example/{story}")).unwrap();
                    let fp = fingerprint(&body, dedup.config());
                    let owner = format!("in/{replica}/{}", story * 10 + copy);
                    let id = article_id(&url);
                    let decision = dedup.decide(&owner, &id, &url, &fp, T0).unwrap();
                    out.push((story, id, decision));
                }
            }
            out
        }));
    }
    let results: Vec<(u64, String, Decision)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    for story in 0..stories {
        let copies: Vec<&(u64, String, Decision)> = results.iter().filter(|(s, _, _)| *s == story).collect();
        let uniques: Vec<&String> = copies
            .iter()
            .filter(|(_, _, d)| d.status == Status::Unique)
            .map(|(_, id, _)| id)
            .collect();
        assert_eq!(uniques.len(), 1, "story {story}: {copies:#?}");
        let ids: Vec<&String> = copies.iter().map(|(_, id, _)| id).collect();
        for (_, id, decision) in &copies {
            if id != uniques[0] {
                let of = decision.duplicate_of.as_ref().unwrap();
                assert!(
                    ids.contains(&of),
                    "story {story}: {id} linked outside the story: {decision:?}"
                );
            }
        }
    }
}

#[test]
fn keys_expire_with_the_window() {
    let Some(url) = test_url() else { return };
    let config = DedupConfig {
        window: std::time::Duration::from_secs(3600),
        ..DedupConfig::default()
    };
    let redis = store(&url, config);
    let body = text(3, 150);
    let u = normalize_url("https://a.example/ttl").unwrap();
    let fp = fingerprint(&body, redis.config());
    redis.decide("in/0/1", &article_id(&u), &u, &fp, T0).unwrap();
    let prefix = redis.keys.prefix.clone();
    let ttls: Vec<(String, i64)> = redis
        .with_connection(|store| {
            let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(store.conn)?;
            let mut out = Vec::new();
            for key in keys {
                let ttl: i64 = redis::cmd("TTL").arg(&key).query(store.conn)?;
                out.push((key, ttl));
            }
            Ok(out)
        })
        .unwrap();
    // decision, url, content, signature and 32 bands.
    assert_eq!(ttls.len(), 4 + 32, "{ttls:?}");
    assert!(
        ttls.iter().all(|(_, ttl)| (3590..=3600).contains(ttl)),
        "{ttls:?}"
    );
    // Members older than the window are not candidates any more, even while their list lives.
    let later = normalize_url("https://b.example/ttl").unwrap();
    let edited = fingerprint(&edit(&body, 5, 30), redis.config());
    let decision = redis
        .decide("in/0/2", &article_id(&later), &later, &edited, T0 + 3600)
        .unwrap();
    assert_eq!(decision, Decision::unique());
}

#[test]
fn unreachable_redis_is_an_error_and_a_restarted_connection_recovers() {
    let Some(url) = test_url() else { return };
    let dead = RedisDedup::new(
        DedupConfig::default(),
        RedisConfig {
            url: "redis://127.0.0.1:1".into(),
            connect_timeout: std::time::Duration::from_millis(200),
            ..RedisConfig::default()
        },
    )
    .unwrap();
    let u = normalize_url("https://a.example/down").unwrap();
    let fp = fingerprint(&text(9, 100), dead.config());
    let started = std::time::Instant::now();
    let err = dead.decide("in/0/1", &article_id(&u), &u, &fp, T0).unwrap_err();
    assert!(err.to_string().starts_with("redis:"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(dead.ping().is_err());

    // The server closes this store's pooled connection (only that one: other tests share the server):
    // the next decision finds it dead and reconnects at once.
    let redis = store(&url, DedupConfig::default());
    let id: i64 = redis
        .with_connection(|store| Ok(redis::cmd("CLIENT").arg("ID").query(store.conn)?))
        .unwrap();
    let mut admin = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query(&mut admin)
        .unwrap();
    assert_eq!(killed, 1);
    let decision = redis.decide("in/0/1", &article_id(&u), &u, &fp, T0).unwrap();
    assert_eq!(decision, Decision::unique());
}

#[test]
fn a_redis_that_lost_its_data_is_noticed_once_by_every_worker() {
    let Some(url) = test_url() else { return };
    let first = store(&url, DedupConfig::default());
    let second = twin(&first);
    let check = |dedup: &RedisDedup, now| dedup.check_state(now).unwrap();
    assert_eq!(
        check(&first, T0),
        StateCheck {
            since_unix: T0,
            lost: false
        }
    );
    // A worker that starts later finds the state as it is: kept since T0.
    assert_eq!(
        check(&second, T0 + 5),
        StateCheck {
            since_unix: T0,
            lost: false
        }
    );
    assert_eq!(
        check(&first, T0 + 10),
        StateCheck {
            since_unix: T0,
            lost: false
        }
    );

    // The data goes (a restart without persistence, a flush): every key of the prefix disappears.
    first
        .with_connection(|store| {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", first.keys.prefix))
                .query(store.conn)?;
            let _: () = redis::cmd("DEL").arg(&keys).query(store.conn)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        check(&second, T0 + 20),
        StateCheck {
            since_unix: T0 + 20,
            lost: true
        }
    );
    assert_eq!(
        check(&first, T0 + 21),
        StateCheck {
            since_unix: T0 + 20,
            lost: true
        }
    );
    // Said once: the next checks see the new state as theirs.
    assert_eq!(
        check(&first, T0 + 30),
        StateCheck {
            since_unix: T0 + 20,
            lost: false
        }
    );
    assert_eq!(
        check(&second, T0 + 30),
        StateCheck {
            since_unix: T0 + 20,
            lost: false
        }
    );
}

#[test]
fn config_validation_and_redaction() {
    let ok = RedisConfig::default();
    assert!(ok.validate().is_ok());
    let bad = RedisConfig {
        url: "http://x".into(),
        ..RedisConfig::default()
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("must start with redis://")
    );
    let bad = RedisConfig {
        command_timeout: std::time::Duration::ZERO,
        ..RedisConfig::default()
    };
    assert!(bad.validate().is_err());
    assert_eq!(
        redact_url("redis://user:secret@host:6379/0"),
        "redis://user:<redacted>@host:6379/0"
    );
    assert_eq!(redact_url("redis://:secret@host"), "redis://:<redacted>@host");
    assert_eq!(redact_url("redis://host:6379"), "redis://host:6379");
    let shown = format!(
        "{:?}",
        RedisDedup::new(
            DedupConfig::default(),
            RedisConfig {
                url: "redis://u:pw@127.0.0.1:1".into(),
                ..RedisConfig::default()
            }
        )
        .unwrap()
    );
    assert!(!shown.contains("pw"), "{shown}");
}
