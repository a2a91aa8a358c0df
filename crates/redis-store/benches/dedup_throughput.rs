//! Throughput of fingerprint + decide, in memory mode (one core) and against Redis (`NEWSFLOW_TEST_REDIS`,
//! e.g. `redis://127.0.0.1:16379` from `scripts/redis.sh up`): one thread, then several threads side by
//! side as replicas' worker threads would. Also the state size per stored article in both stores.
//!
//! Memory mode runs on three kinds of text: synthetic (ASCII words from a Zipf-like vocabulary), real-text
//! like (`multilingual.tsv` beside this file: news paragraphs written for this bench in 14 languages,
//! German and English most often, as in a European news feed; each story draws paragraphs and shuffles
//! their words, so that stories share words but not shingles) and, with `BENCH_TEXTS=FILE`, the `text`
//! of every JSON line of FILE (e.g. the output of `newsflow process` over a corpus). Redis runs on the
//! synthetic stream.
//!
//! `cargo bench -p redis-store --bench dedup_throughput`; `BENCH_DOCS` (default 20000) documents per run;
//! memory-mode figures are the best of three runs.
//! Under `cargo test --all-targets` it makes a quick smoke run of 400 documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use dedup::{
    Decider, DedupConfig, Fingerprint, SharedMemory, Status, article_id, fingerprint, normalize_url,
};
use redis_store::{RedisConfig, RedisDedup};

struct Doc {
    owner: String,
    url: String,
    text: String,
}

/// A small deterministic random source (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A stream like a news topic's: of every four documents two are new stories (`story(k)` for the k-th),
/// one an edited copy of a recent story (every 33rd word replaced) and one an exact copy under another URL.
fn stream(n: usize, mut story: impl FnMut(usize) -> String) -> Vec<Doc> {
    let mut stories: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let text = match i % 4 {
            0 | 1 => {
                stories.push(story(stories.len()));
                stories.last().cloned().unwrap_or_default()
            }
            2 => {
                let base = &stories[(stories.len() - 1).saturating_sub(i % 7)];
                base.split(' ')
                    .enumerate()
                    .map(|(j, w)| {
                        if j % 33 == 7 {
                            "edited".to_owned()
                        } else {
                            w.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => stories[stories.len() - 1].clone(),
        };
        out.push(Doc {
            owner: format!("news.raw-html/{}/{i}", i % 12),
            url: format!(
                "https://site{}.example.com/2025/11/28/story-{i}?utm_source=rss",
                i % 50
            ),
            text,
        });
    }
    out
}

/// Synthetic stories: about 600 words from a Zipf-like vocabulary.
fn synthetic(n: usize) -> Vec<Doc> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    stream(n, |_| {
        let words: Vec<String> = (0..600)
            .map(|_| {
                // Log-uniform ranks over a 50 000-word vocabulary: Zipf-like, small ranks much more often.
                let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
                format!("w{}", 50_000f64.powf(u) as u64)
            })
            .collect();
        words.join(" ")
    })
}

/// A paragraph of real-looking text: its language, and its words (characters for Chinese and Japanese,
/// written without spaces).
struct Paragraph {
    language: &'static str,
    units: Vec<&'static str>,
}

fn paragraphs() -> Vec<Paragraph> {
    include_str!("multilingual.tsv")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(language, text)| Paragraph {
            language,
            units: if matches!(language, "zh" | "ja") {
                text.char_indices()
                    .map(|(i, c)| &text[i..i + c.len_utf8()])
                    .collect()
            } else {
                text.split_whitespace().collect()
            },
        })
        .collect()
}

/// How often a paragraph of each language is drawn, as in a European news feed.
fn weight(language: &str) -> usize {
    match language {
        "de" => 6,
        "en" => 4,
        "es" | "fr" => 2,
        _ => 1,
    }
}

/// Real-text-like stories of about 750 words: paragraphs drawn by language weight, words shuffled.
fn multilingual(n: usize) -> Vec<Doc> {
    let paragraphs = paragraphs();
    let draws: Vec<&Paragraph> = paragraphs
        .iter()
        .flat_map(|p| std::iter::repeat_n(p, weight(p.language)))
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    stream(n, |_| {
        let mut text = String::new();
        let mut words = 0;
        while words < 750 {
            let paragraph = draws[rng.below(draws.len())];
            let mut units = paragraph.units.clone();
            for k in (1..units.len()).rev() {
                units.swap(k, rng.below(k + 1));
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let joiner = if matches!(paragraph.language, "zh" | "ja") {
                ""
            } else {
                " "
            };
            text.push_str(&units.join(joiner));
            words += units.len();
        }
        text
    })
}

/// The `text` of every JSON line of `path`, in order; once all are used, their words shuffled.
fn from_file(n: usize, path: &str) -> Vec<Doc> {
    let texts: Vec<String> = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|value| value.get("text")?.as_str().map(str::to_owned))
        .filter(|text| !text.trim().is_empty())
        .collect();
    assert!(!texts.is_empty(), "no JSON line with a text in {path}");
    let mut rng = Rng(0x6a09_e667_f3bc_c908);
    stream(n, |k| {
        let text = &texts[k % texts.len()];
        if k < texts.len() {
            return text.clone();
        }
        let mut words: Vec<&str> = text.split_whitespace().collect();
        for j in (1..words.len()).rev() {
            words.swap(j, rng.below(j + 1));
        }
        words.join(" ")
    })
}

fn run(decider: &dyn Decider, docs: &[Doc], now: i64) -> [usize; 4] {
    let mut counts = [0usize; 4];
    for doc in docs {
        let url = normalize_url(&doc.url).unwrap();
        let fp: Fingerprint = fingerprint(&doc.text, decider.config());
        let decision = decider
            .decide(&doc.owner, &article_id(&url), &url, &fp, now)
            .unwrap();
        counts[match decision.status {
            Status::Unique => 0,
            Status::Duplicate => 1,
            Status::NearDuplicate => 2,
            Status::Update => 3,
        }] += 1;
    }
    counts
}

/// CPU time of the calling thread, in seconds (`/proc/thread-self/schedstat`), so that docs per CPU second
/// can be reported on a machine shared with other work; wall time when unavailable.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Runs `f`, returns (wall seconds, CPU seconds of this thread).
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let cpu = thread_cpu_seconds();
    let started = Instant::now();
    f();
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (cpu, thread_cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    (wall, cpu)
}

fn used_memory(url: &str) -> Option<i64> {
    let client = redis::Client::open(url).ok()?;
    let mut conn = client.get_connection().ok()?;
    let info: String = redis::cmd("INFO").arg("memory").query(&mut conn).ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
}

fn flush_prefix(url: &str, prefix: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut conn)
        .unwrap();
    for chunk in keys.chunks(1000) {
        let _: i64 = redis::cmd("DEL").arg(chunk).query(&mut conn).unwrap();
    }
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: a quick smoke run then.
    let smoke = !std::env::args().any(|arg| arg == "--bench");
    let default_docs = if smoke { 400 } else { 20_000 };
    let n: usize = std::env::var("BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_docs);
    if smoke {
        println!(
            "smoke run ({n} documents): `cargo bench -p redis-store --bench dedup_throughput` for numbers"
        );
    }
    let now = 1_764_316_800;
    let config = DedupConfig::default();
    let passes = if smoke { 1 } else { 3 };
    let mut cases = vec![("synthetic", synthetic(n)), ("multilingual", multilingual(n))];
    if let Ok(path) = std::env::var("BENCH_TEXTS") {
        cases.push(("BENCH_TEXTS", from_file(n, &path)));
    }
    for (name, docs) in &cases {
        let words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
        let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        println!(
            "dedup bench, {name}: {n} documents, mean {} words, {} bytes; 2 new stories, 1 edited copy, 1 exact \
             copy in 4",
            words / n,
            bytes / n
        );

        // Fingerprinting alone, then with decisions in a fresh memory store: the best of `passes` runs,
        // since other work on the machine only ever slows a run down.
        let best = |times: Vec<(f64, f64)>| {
            times
                .into_iter()
                .fold((f64::MAX, f64::MAX), |a, b| (a.0.min(b.0), a.1.min(b.1)))
        };
        let (wall, cpu) = best(
            (0..passes)
                .map(|_| {
                    timed(|| {
                        for doc in docs {
                            std::hint::black_box(fingerprint(&doc.text, &config));
                        }
                    })
                })
                .collect(),
        );
        println!(
            "  fingerprint only              {:>7.0} docs/s per CPU second ({:.0} docs/s wall, one thread)",
            n as f64 / cpu,
            n as f64 / wall
        );

        let mut counts = [0; 4];
        let mut memory = SharedMemory::new(config.clone()).unwrap();
        let (wall, cpu) = best(
            (0..passes)
                .map(|_| {
                    memory = SharedMemory::new(config.clone()).unwrap();
                    timed(|| counts = run(&memory, docs, now))
                })
                .collect(),
        );
        println!(
            "  memory: fingerprint + decide  {:>7.0} docs/s per CPU second ({:.0} docs/s wall, one thread); unique \
             {} duplicate {} near_duplicate {}",
            n as f64 / cpu,
            n as f64 / wall,
            counts[0],
            counts[1],
            counts[2]
        );
        println!(
            "  memory: state {:.0} bytes per stored message ({} entries)",
            memory.approx_bytes() as f64 / memory.len() as f64,
            memory.len()
        );
    }
    let docs = &cases[0].1;

    let Ok(url) = std::env::var("NEWSFLOW_TEST_REDIS") else {
        println!(
            "redis: skipped (set NEWSFLOW_TEST_REDIS, e.g. redis://127.0.0.1:16379 from scripts/redis.sh up)"
        );
        return;
    };
    for threads in [1usize, 4, 16] {
        let prefix = format!("bench:{}:{threads}:", std::process::id());
        let redis = RedisConfig {
            url: url.clone(),
            key_prefix: prefix.clone(),
            ..RedisConfig::default()
        };
        let before = used_memory(&url).unwrap_or(0);
        let store = Arc::new(RedisDedup::new(config.clone(), redis).unwrap());
        let shared_docs = Arc::new(
            docs.iter()
                .map(|d| Doc {
                    owner: d.owner.clone(),
                    url: d.url.clone(),
                    text: d.text.clone(),
                })
                .collect::<Vec<_>>(),
        );
        let started = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let store = store.clone();
                let docs = shared_docs.clone();
                std::thread::spawn(move || {
                    // Each thread takes every threads-th document, as a replica's worker thread would.
                    let mine: Vec<&Doc> = docs.iter().skip(t).step_by(threads).collect();
                    let mut counts = [0usize; 4];
                    for doc in mine {
                        let c = run(store.as_ref(), std::slice::from_ref(doc), now);
                        for (total, one) in counts.iter_mut().zip(c) {
                            *total += one;
                        }
                    }
                    counts
                })
            })
            .collect();
        let mut counts = [0usize; 4];
        for handle in handles {
            for (total, one) in counts.iter_mut().zip(handle.join().unwrap()) {
                *total += one;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let after = used_memory(&url).unwrap_or(0);
        println!(
            "redis (synthetic): fingerprint + decide {:>9.0} docs/s with {threads:>2} threads; unique {} duplicate {} near_duplicate {}; \
             {:.0} bytes of Redis memory per stored message",
            n as f64 / secs,
            counts[0],
            counts[1],
            counts[2],
            (after - before) as f64 / n as f64
        );
        flush_prefix(&url, &prefix);
    }
}
