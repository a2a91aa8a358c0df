//! End-to-end tests of deduplication across replicas: several `newsflow` processes in one consumer group
//! sharing their dedup state in a real Redis (`NEWSFLOW_TEST_REDIS`, started by `scripts/redis.sh up`),
//! against a real Apache Kafka broker. `make test` starts both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use e2e::{Input, OwnRedis, Record, Topics, Variant, Worker, collect, produce, redis_url, setup, story_html};

const READY: Duration = Duration::from_secs(60);

/// The copies of one story: (variant, URL). The first page, a tracking-parameter link to it, a
/// syndicated copy, edited, truncated and extended copies, a re-wrapped one with a new headline, and the
/// first page's URL again with an update paragraph.
fn copies(story: u64) -> Vec<(Variant, String)> {
    let home = format!("https://daily.example.com/world/{story}");
    vec![
        (Variant::Original, home.clone()),
        (Variant::Original, format!("{home}?utm_source=twitter&fbclid=abc")),
        (Variant::Syndicated, format!("https://wire.example.net/a/{story}")),
        (Variant::Edited, format!("https://edits.example.org/{story}")),
        (Variant::Truncated, format!("https://teasers.example.org/{story}")),
        (Variant::Appended, format!("https://updates.example.org/{story}")),
        (Variant::Rewrapped, format!("https://courier.example.com/{story}")),
        (Variant::Appended, home),
    ]
}

/// Inputs in rounds: round `r` holds copy `r` of every story, so the copies of one story land on
/// different partitions (produced round-robin) and are processed at about the same time.
fn inputs(stories: u64, rounds: std::ops::Range<usize>) -> Vec<(u64, Input)> {
    let mut out = Vec::new();
    for round in rounds {
        for story in 0..stories {
            let (variant, url) = copies(story)[round].clone();
            out.push((story, Input::envelope(&url, &story_html(story, variant, &url))));
        }
    }
    out
}

fn redis_env(topics: &Topics, url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("NEWSFLOW__DEDUP__STORE", "redis".to_owned()),
        ("NEWSFLOW__DEDUP__REDIS__URL", url.to_owned()),
        (
            "NEWSFLOW__DEDUP__REDIS__KEY_PREFIX",
            format!("e2e:{}:", topics.group),
        ),
        ("NEWSFLOW__PIPELINE__WORKER_THREADS", "2".to_owned()),
    ]
}

fn start(topics: &Topics, env: &[(&'static str, String)], extra: &[(&'static str, &str)]) -> Worker {
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    Worker::start(topics, &all)
}

/// `(partition, offset)` of input `i` when produced round-robin over `partitions`.
fn source_of(i: usize, partitions: i32) -> (i64, i64) {
    (
        (i as i64) % i64::from(partitions),
        (i as i64) / i64::from(partitions),
    )
}

/// The dedup verdict of an output event: (status, duplicate_of, id).
type Verdict = (String, Option<String>, String);

fn verdict(record: &Record) -> Verdict {
    let event = record.json();
    (
        event["dedup"]["status"].as_str().unwrap().to_owned(),
        event["dedup"]["duplicate_of"].as_str().map(str::to_owned),
        event["id"].as_str().unwrap().to_owned(),
    )
}

fn distinct_sources(records: &[Record]) -> usize {
    records.iter().map(Record::source).collect::<BTreeSet<_>>().len()
}

/// Checks the whole run: every input has an output; repeated outputs (redeliveries) carry the same
/// verdict; per story exactly one unique and every other copy linked to it (directly, or through copies of
/// the same story decided at the same moment). Returns how many copies point straight at their unique.
#[track_caller]
fn check_stories(records: &[Record], story_of: &BTreeMap<(i64, i64), u64>, logs: &str) -> usize {
    let mut by_source: BTreeMap<(i64, i64), Verdict> = BTreeMap::new();
    for record in records {
        assert_ne!(
            record.headers.get("newsflow.reason").map(String::as_str),
            Some("internal"),
            "{logs}"
        );
        let source = record.source();
        let v = verdict(record);
        if let Some(earlier) = by_source.get(&source) {
            assert_eq!(
                earlier, &v,
                "a redelivered message got another verdict: {source:?}"
            );
        }
        by_source.insert(source, v);
    }
    let missing: Vec<_> = story_of.keys().filter(|s| !by_source.contains_key(s)).collect();
    assert!(missing.is_empty(), "no output for inputs {missing:?}\n{logs}");

    let mut stories: BTreeMap<u64, Vec<&Verdict>> = BTreeMap::new();
    for (source, v) in &by_source {
        stories.entry(story_of[source]).or_default().push(v);
    }
    let mut direct = 0;
    for (story, copies) in &stories {
        let uniques: BTreeSet<&String> = copies
            .iter()
            .filter(|(status, _, _)| status == "unique")
            .map(|(_, _, id)| id)
            .collect();
        assert_eq!(uniques.len(), 1, "story {story}: {copies:#?}");
        let unique = *uniques.iter().next().unwrap();
        assert_eq!(
            copies.iter().filter(|(status, _, _)| status == "unique").count(),
            1,
            "story {story}: the unique page is published once: {copies:#?}"
        );
        // Links within the story: article id -> what copies with that id point at. Several messages share
        // an id (the same URL re-crawled, tracked or updated); an update points at its own article.
        let mut links: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
        for (status, of, id) in copies {
            if matches!(status.as_str(), "duplicate" | "near_duplicate") {
                links.entry(id).or_default().insert(of.as_ref().unwrap());
            }
        }
        for (status, of, id) in copies {
            if status == "unique" {
                continue;
            }
            assert!(
                matches!(status.as_str(), "duplicate" | "near_duplicate" | "update"),
                "story {story}: {status}"
            );
            let of = of.as_ref().unwrap();
            if status == "update" {
                assert_eq!(of, id, "story {story}: an update points at its own article");
            }
            direct += usize::from(of == unique);
            // The unique must be reachable from `of` through the story's links.
            let mut reached = BTreeSet::from([of]);
            let mut frontier = vec![of];
            while let Some(at) = frontier.pop() {
                for next in links.get(at).into_iter().flatten() {
                    if reached.insert(next) {
                        frontier.push(next);
                    }
                }
            }
            assert!(
                reached.contains(unique),
                "story {story}: {id} ({status}) is not linked to the unique: {copies:#?}"
            );
        }
    }
    direct
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_share_dedup_state_and_survive_kill_9() {
    let partitions = 6;
    let topics = setup("dedup3", partitions).await;
    let env = redis_env(&topics, &redis_url());
    let stories = 30u64;
    let first: Vec<(u64, Input)> = inputs(stories, 0..4);
    let second: Vec<(u64, Input)> = inputs(stories, 4..8);
    let story_of: BTreeMap<(i64, i64), u64> = first
        .iter()
        .chain(&second)
        .enumerate()
        .map(|(i, (story, _))| (source_of(i, partitions), *story))
        .collect();
    let n = story_of.len();

    let mut workers: Vec<Worker> = (0..3).map(|_| start(&topics, &env, &[])).collect();
    for worker in &mut workers {
        worker.wait_ready(READY).unwrap();
    }
    let batch: Vec<Input> = first.iter().map(|(_, input)| input.clone()).collect();
    produce(&topics.brokers, &topics.input, partitions, &batch).await;
    // Mid-stream: once part of the first batch is out, the second batch goes in and a worker dies.
    let seen = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= batch.len() / 3
    });
    assert!(seen.len() >= batch.len() / 3, "{}", workers[0].log());
    let batch: Vec<Input> = second.iter().map(|(_, input)| input.clone()).collect();
    // Produce through the offset arithmetic: the second batch continues the round-robin where the first
    // stopped (its length is a multiple of the partition count).
    assert_eq!(first.len() % partitions as usize, 0);
    produce(&topics.brokers, &topics.input, partitions, &batch).await;
    workers[1].kill();
    std::thread::sleep(Duration::from_secs(1));
    let mut restarted = start(&topics, &env, &[]);
    restarted.wait_ready(READY).unwrap();

    let records = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(150),
        |r| distinct_sources(r) >= n,
    );
    let logs = || {
        workers
            .iter()
            .chain([&restarted])
            .map(Worker::log)
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    let direct = check_stories(&records, &story_of, &logs());
    let linked = n - stories as usize;
    println!(
        "{n} inputs, {} outputs ({} redelivered), {stories} stories: one unique each; {direct} of {linked} copies \
         point straight at it, the others through another copy (updates name their own URL's article)",
        records.len(),
        records.len() - n
    );
    let uniques = records
        .iter()
        .filter(|r| r.topic == topics.articles && verdict(r).0 == "unique")
        .count();
    assert!(uniques >= stories as usize);
    for (i, worker) in workers.iter_mut().enumerate() {
        if i != 1 {
            assert!(
                worker.terminate(Duration::from_secs(30)).unwrap().success(),
                "{}",
                worker.log()
            );
        }
    }
    assert!(restarted.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_holds_messages_back_then_resumes_without_loss() {
    let partitions = 3;
    let topics = setup("redisdown", partitions).await;
    let port = 16_400 + (std::process::id() % 500) as u16;
    let redis = OwnRedis::up(port);
    let env = redis_env(&topics, &redis.url());
    let mut worker = start(&topics, &env, &[("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "8")]);
    worker.wait_ready(READY).unwrap();

    let first: Vec<(u64, Input)> = inputs(12, 0..1);
    let batch: Vec<Input> = first.iter().map(|(_, i)| i.clone()).collect();
    produce(&topics.brokers, &topics.input, partitions, &batch).await;
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 12
    });
    assert_eq!(records.len(), 12, "{}", worker.log());

    redis.down();
    // New stories while Redis is down: nothing comes out, the worker turns not ready.
    let second: Vec<(u64, Input)> = (100..130u64)
        .map(|story| {
            let url = format!("https://daily.example.com/outage/{story}");
            (
                story,
                Input::envelope(&url, &story_html(story, Variant::Original, &url)),
            )
        })
        .collect();
    let batch: Vec<Input> = second.iter().map(|(_, i)| i.clone()).collect();
    produce(&topics.brokers, &topics.input, partitions, &batch).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while matches!(worker.http_get("/readyz"), Ok((200, _))) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_ne!(
        worker.http_get("/readyz").unwrap().0,
        200,
        "ready while Redis is down\n{}",
        worker.log()
    );
    std::thread::sleep(Duration::from_secs(3));
    let during = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(2), |_| {
        false
    });
    assert_eq!(
        during.len(),
        12,
        "nothing is published while the dedup state is unavailable"
    );
    let (_, metrics) = worker.http_get("/metrics").unwrap();
    assert!(metrics.contains("newsflow_dedup_unavailable_total"), "{metrics}");
    assert!(
        metrics.contains("newsflow_dedup_store_errors_total{store=\"redis\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("newsflow_paused 1"),
        "in-flight filled up and partitions paused:\n{metrics}"
    );

    // Redis is back (empty: it keeps nothing on disk): every held message comes out, judged.
    let _redis = OwnRedis::up(port);
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        distinct_sources(r) >= 42
    });
    assert_eq!(distinct_sources(&records), 42, "{}", worker.log());
    let statuses: BTreeSet<String> = records.iter().map(|r| verdict(r).0).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["unique".to_owned()]),
        "none unknown, none lost"
    );
    worker.wait_ready(Duration::from_secs(20)).unwrap();
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_open_passes_articles_through_as_unknown() {
    let partitions = 1;
    let topics = setup("failopen", partitions).await;
    let mut env = redis_env(&topics, "redis://127.0.0.1:1");
    env.push(("NEWSFLOW__DEDUP__REDIS__FAIL_OPEN", "true".to_owned()));
    env.push(("NEWSFLOW__DEDUP__REDIS__CONNECT_TIMEOUT", "200ms".to_owned()));
    let mut worker = start(&topics, &env, &[]);
    worker.wait_ready(READY).unwrap();
    let batch: Vec<Input> = inputs(3, 0..2).into_iter().map(|(_, i)| i).collect();
    produce(&topics.brokers, &topics.input, partitions, &batch).await;
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= batch.len()
    });
    assert_eq!(records.len(), batch.len(), "{}", worker.log());
    for record in &records {
        assert_eq!(
            record.topic, topics.articles,
            "routing.unknown defaults to articles"
        );
        assert_eq!(verdict(record).0, "unknown");
        assert_eq!(verdict(record).1, None);
    }
    let (_, metrics) = worker.http_get("/metrics").unwrap();
    assert!(
        metrics.contains(&format!(
            "newsflow_dedup_fail_open_total{{store=\"redis\"}} {}",
            batch.len()
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "newsflow_outcomes_total{{outcome=\"unknown\"}} {}",
            batch.len()
        )),
        "{metrics}"
    );
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}
