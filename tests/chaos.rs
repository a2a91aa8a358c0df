//! Fault scenarios, each seen from outside as an ops team would see it: the real `newsflow` binary, a
//! real Apache Kafka broker and a real Redis; every output counted per input offset (lost must be 0,
//! repeats are counted); the log line, the metric and the health endpoint a person relies on asserted.
//!
//! These are the fast scenarios, run by `make test`; `chaos_long.rs` holds the long ones, and `make chaos`
//! runs both ten times in a row and prints the table of `chaos-report` lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use e2e::{
    Input, OwnRedis, Topics, Variant, Worker, collect, collect_all, create_topic, delete_topic, produce,
    produce_with, set_topic_config, setup, story_html,
};

const READY: Duration = Duration::from_secs(60);

/// A Redis port of this test process's own, `offset` apart from the other scenarios'.
fn redis_port(offset: u16) -> u16 {
    17_000 + (std::process::id() % 400) as u16 * 4 + offset
}

fn redis_env(topics: &Topics, url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("NEWSFLOW__DEDUP__STORE", "redis".to_owned()),
        ("NEWSFLOW__DEDUP__REDIS__URL", url.to_owned()),
        ("NEWSFLOW__DEDUP__REDIS__KEY_PREFIX", format!("{}:", topics.group)),
    ]
}

fn start(topics: &Topics, env: &[(&'static str, String)], extra: &[(&'static str, &str)]) -> Worker {
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    Worker::start(topics, &all)
}

fn status(worker: &Worker, path: &str) -> u16 {
    worker.http_get(path).map_or(0, |(status, _)| status)
}

fn stories(range: std::ops::Range<u64>, variant: Variant, site: &str) -> Vec<Input> {
    range
        .map(|story| {
            let url = format!("https://{site}/story/{story}");
            Input::envelope(&url, &story_html(story, variant, &url))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_while_paused_leaves_no_partition_paused() {
    let partitions = 6;
    let topics = setup("pausedrebalance", partitions).await;
    let redis = OwnRedis::up(redis_port(0));
    let env = redis_env(&topics, &redis.url());
    let small = [("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "4")];
    let mut first = start(&topics, &env, &small);
    first.wait_ready(READY).unwrap();

    // The dedup state goes away (its data kept): in-flight work fills up and the partitions pause.
    redis.stop();
    let n = 60;
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("p", 0..n, 7_000),
    )
    .await;
    assert!(
        first.wait_for(Duration::from_secs(40), |w| w.metric("newsflow_paused")
            == Some(1.0)),
        "never paused\n{}",
        first.log()
    );
    // A second worker joins while the first is paused: the partitions are shared out again.
    let second = start(&topics, &env, &small);
    let shared = |w: &Worker| {
        w.metric("newsflow_kafka_assigned_partitions")
            .is_some_and(|p| p > 0.0 && p < f64::from(partitions))
    };
    assert!(
        first.wait_for(Duration::from_secs(60), shared) && second.wait_for(Duration::from_secs(30), shared),
        "no rebalance\n{}\n{}",
        first.log(),
        second.log()
    );
    std::thread::sleep(Duration::from_secs(3));
    redis.start();

    let (_, accounting) = collect_all(&topics, n as usize, partitions, Duration::from_secs(120));
    let settled = |w: &Worker| {
        status(w, "/readyz") == 200
            && w.metric("newsflow_paused") == Some(0.0)
            && w.metric("newsflow_stalled") == Some(0.0)
    };
    let healed =
        first.wait_for(Duration::from_secs(30), settled) && second.wait_for(Duration::from_secs(30), settled);
    accounting.report("rebalance while paused (Redis down, a worker joins)", healed);
    assert_eq!(
        accounting.lost_count,
        0,
        "lost {:?}\n--- first\n{}\n--- second\n{}",
        accounting.lost,
        first.log(),
        second.log()
    );
    assert!(
        healed,
        "not ready, paused or stalled after the fault\n{}",
        first.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_dedup_state_survives_kill_9() {
    let partitions = 3;
    let topics = setup("memrestore", partitions).await;
    let mut first = Worker::start(&topics, &[]);
    first.wait_ready(READY).unwrap();
    let originals = stories(0..30, Variant::Original, "daily.example.com");
    produce(&topics.brokers, &topics.input, partitions, &originals).await;
    let before = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 30
    });
    assert_eq!(before.len(), 30, "{}", first.log());
    first.kill();

    // A new process: it rebuilds the state from what was published before it joins the group.
    let mut second = Worker::start(&topics, &[]);
    second.wait_ready(READY).unwrap();
    assert!(second.log().contains("dedup state restored"), "{}", second.log());
    assert!(
        second.metric("newsflow_dedup_restored_events_total") >= Some(30.0),
        "{}",
        second.http_get("/metrics").unwrap().1
    );
    // Copies of the same stories on another site: duplicates, as they would have been without the kill.
    let copies = stories(0..30, Variant::Syndicated, "wire.example.net");
    produce(&topics.brokers, &topics.input, partitions, &copies).await;
    let (records, accounting) = collect_all(&topics, 60, partitions, Duration::from_secs(90));
    let unique_copies: Vec<(i64, i64)> = records
        .iter()
        .filter(|r| r.source().1 >= 10 && r.json()["dedup"]["status"] == "unique")
        .map(e2e::Record::source)
        .collect();
    accounting.report("kill -9, memory dedup state", unique_copies.is_empty());
    accounting.assert_none_lost(&second.log());
    assert!(
        unique_copies.is_empty(),
        "copies judged unique after the restart (the state was forgotten): {unique_copies:?}\n{}",
        second.log()
    );
    assert!(second.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_comes_back_empty_is_said_once() {
    let partitions = 2;
    let topics = setup("redisempty", partitions).await;
    let port = redis_port(1);
    let redis = OwnRedis::up(port);
    let env = redis_env(&topics, &redis.url());
    let mut worker = start(&topics, &env, &[]);
    worker.wait_ready(READY).unwrap();
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("e", 0..10, 8_000),
    )
    .await;
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 10
    });
    let lost_total = "newsflow_dedup_state_lost_total{store=\"redis\"}";
    assert_eq!(worker.metric(lost_total), Some(0.0), "{}", worker.log());

    // Restarted without its data (a flush, a restart without persistence).
    redis.down();
    let _redis = OwnRedis::up(port);
    assert!(
        worker.wait_for(Duration::from_secs(30), |w| w.metric(lost_total) == Some(1.0)),
        "the lost state was not counted\n{}",
        worker.log()
    );
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("e", 10..20, 8_000),
    )
    .await;
    let (_, accounting) = collect_all(&topics, 20, partitions, Duration::from_secs(60));
    let said = worker.log().matches("dedup state lost").count();
    let healed = worker.wait_for(Duration::from_secs(20), |w| status(w, "/readyz") == 200);
    accounting.report("Redis restarted empty", healed);
    accounting.assert_none_lost(&worker.log());
    assert_eq!(said, 1, "said once, not per message\n{}", worker.log());
    assert_eq!(worker.metric(lost_total), Some(1.0));
    assert!(healed, "{}", worker.log());
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_fails_liveness_until_progress_resumes() {
    let partitions = 2;
    let topics = setup("stall", partitions).await;
    // The broker answers and the topic exists, but refuses every write to it: the topic takes no record
    // stamped before the moment it arrives. Nothing the worker knows of explains it.
    set_topic_config(
        &topics.brokers,
        &topics.articles,
        "message.timestamp.before.max.ms",
        "0",
    )
    .await;
    let mut worker = Worker::start(
        &topics,
        &[
            ("NEWSFLOW__KAFKA__STALL_TIMEOUT", "6s"),
            ("NEWSFLOW__KAFKA__WATCH_INTERVAL", "1s"),
            ("NEWSFLOW__KAFKA__MESSAGE_TIMEOUT", "3s"),
        ],
    );
    worker.wait_ready(READY).unwrap();
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("s", 0..10, 9_000),
    )
    .await;
    assert!(
        worker.wait_for(Duration::from_secs(60), |w| status(w, "/healthz") == 503),
        "never stalled\n{}",
        worker.log()
    );
    let (_, body) = worker.http_get("/healthz").unwrap();
    assert!(body.starts_with("stalled: "), "{body}");
    assert_eq!(worker.metric("newsflow_stalled"), Some(1.0));
    assert!(
        worker.log().contains("stalled: owned partitions"),
        "{}",
        worker.log()
    );
    let lag = |p: i32| {
        worker.metric(&format!(
            "newsflow_kafka_consumer_lag_messages{{topic=\"{}\",partition=\"{p}\"}}",
            topics.input
        ))
    };
    assert_eq!(
        (lag(0), lag(1)),
        (Some(5.0), Some(5.0)),
        "{}",
        worker.http_get("/metrics").unwrap().1
    );

    // The cause goes away: the held messages come out and liveness comes back.
    let forever = i64::MAX.to_string();
    set_topic_config(
        &topics.brokers,
        &topics.articles,
        "message.timestamp.before.max.ms",
        &forever,
    )
    .await;
    let (_, accounting) = collect_all(&topics, 10, partitions, Duration::from_secs(90));
    let healed = worker.wait_for(Duration::from_secs(30), |w| {
        status(w, "/healthz") == 200 && w.metric("newsflow_stalled") == Some(0.0)
    });
    accounting.report("writes refused by the topic, a stall", healed);
    accounting.assert_none_lost(&worker.log());
    assert!(healed, "{}", worker.log());
    assert!(worker.log().contains("stall over"), "{}", worker.log());
    let stall_lines = worker.log().matches("stalled: owned partitions").count();
    assert_eq!(stall_lines, 1, "said once\n{}", worker.log());
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_topic_makes_the_worker_not_ready_and_says_which() {
    let partitions = 2;
    let topics = setup("missingtopic", partitions).await;
    delete_topic(&topics.brokers, &topics.articles).await;
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__KAFKA__MESSAGE_TIMEOUT", "3s")]);
    let unready = |w: &Worker| {
        w.http_get("/readyz")
            .is_ok_and(|(status, body)| status == 503 && body.contains("topics_present"))
    };
    assert!(
        worker.wait_for(Duration::from_secs(30), unready),
        "{}",
        worker.log()
    );
    assert!(
        worker.wait_for(Duration::from_secs(10), |w| w.log().contains("topics missing")),
        "{}",
        worker.log()
    );
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("m", 0..6, 9_500),
    )
    .await;
    std::thread::sleep(Duration::from_secs(5));
    create_topic(&topics.brokers, &topics.articles, partitions).await;
    worker.wait_ready(READY).unwrap();
    let (_, accounting) = collect_all(&topics, 6, partitions, Duration::from_secs(90));
    accounting.report("an output topic missing", status(&worker, "/readyz") == 200);
    accounting.assert_none_lost(&worker.log());
    assert_eq!(
        worker.log().matches("topics missing").count(),
        1,
        "{}",
        worker.log()
    );
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_are_dead_lettered_and_the_partition_flows_on() {
    let partitions = 1;
    let topics = setup("hostile", partitions).await;
    // 50 MB (compressed on the wire, so the broker takes it) and markup nested 100 000 deep.
    let huge = format!(
        r#"{{"url":"https://news.example.com/huge","html":"<p>{}</p>"}}"#,
        "x".repeat(50 * 1024 * 1024)
    );
    let nested = format!(
        r#"{{"url":"https://news.example.com/deep","html":"<html><body>{}</body></html>"}}"#,
        "<div>".repeat(100_000)
    );
    let mut inputs = vec![Input::raw(huge.as_bytes()), Input::raw(nested.as_bytes())];
    inputs.extend(Input::articles("h", 0..4, 9_800));
    let settings = [("compression.type", "lz4"), ("message.max.bytes", "67108864")];
    produce_with(&topics.brokers, &topics.input, partitions, &inputs, &settings).await;

    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(READY).unwrap();
    let (records, accounting) = collect_all(&topics, inputs.len(), partitions, Duration::from_secs(120));
    let peak = worker.peak_rss().unwrap_or(0);
    accounting.report("50 MB and 100 000-deep values", accounting.lost_count == 0);
    accounting.assert_none_lost(&worker.log());
    let dead = |offset: i64| {
        records
            .iter()
            .find(|r| r.topic == topics.dlq && r.source() == (0, offset))
            .unwrap_or_else(|| panic!("offset {offset} not dead-lettered"))
    };
    let huge_letter = dead(0);
    assert_eq!(huge_letter.headers["newsflow.reason"], "oversized");
    assert_eq!(
        huge_letter
            .headers
            .get("newsflow.value_dropped")
            .map(String::as_str),
        Some("true"),
        "a 50 MB value does not fit the dead-letter topic: its coordinates do"
    );
    assert_eq!(dead(1).headers["newsflow.reason"], "undecodable");
    assert!(
        dead(1).headers["newsflow.detail"].contains("nest"),
        "{:?}",
        dead(1).headers
    );
    let articles = records.iter().filter(|r| r.topic == topics.articles).count();
    assert_eq!(articles, 4, "the messages after them flow");
    assert!(peak < 600 * 1024 * 1024, "peak RSS {} MB", peak / 1024 / 1024);
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zstd_compressed_input_and_output_flow() {
    let partitions = 2;
    let topics = setup("zstd", partitions).await;
    let settings = [("compression.type", "zstd")];
    let inputs = Input::articles("c", 0..10, 9_900);
    produce_with(&topics.brokers, &topics.input, partitions, &inputs, &settings).await;
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__KAFKA__COMPRESSION", "zstd")]);
    worker.wait_ready(READY).unwrap();
    let (_, accounting) = collect_all(&topics, inputs.len(), partitions, Duration::from_secs(60));
    accounting.report("zstd-compressed input and output", true);
    accounting.assert_none_lost(&worker.log());
    assert_eq!(worker.metric("newsflow_stalled"), Some(0.0));
    assert!(!worker.log().contains("Decompression"), "{}", worker.log());
    // What never happened is there at 0, so that its first occurrence shows in rate() and increase().
    for series in [
        "newsflow_skipped_messages_total{reason=\"not_article\"}",
        "newsflow_dlq_messages_total{reason=\"undecodable\",stage=\"extract\"}",
        "newsflow_dlq_messages_total{reason=\"oversized\",stage=\"decode\"}",
        "newsflow_kafka_commits_total{result=\"error\"}",
        "newsflow_kafka_rebalances_total{event=\"revoke\"}",
        "newsflow_dedup_state_lost_total{store=\"memory\"}",
    ] {
        assert_eq!(worker.metric(series), Some(0.0), "{series}");
    }
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

/// The group's lag on `partition`, as `worker` measures it.
fn group_lag(worker: &Worker, topics: &Topics, partition: i32) -> Option<f64> {
    worker.metric(&format!(
        "newsflow_kafka_group_lag_messages{{group=\"{}\",topic=\"{}\",partition=\"{partition}\"}}",
        topics.group, topics.input
    ))
}

fn group_lag_seconds(worker: &Worker, topics: &Topics, partition: i32) -> Option<f64> {
    worker.metric(&format!(
        "newsflow_kafka_group_lag_seconds{{group=\"{}\",topic=\"{}\",partition=\"{partition}\"}}",
        topics.group, topics.input
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_workers_lag_shows_on_the_other_workers_metrics() {
    let partitions = 4;
    let topics = setup("frozenlag", partitions).await;
    // A session long enough that the group keeps the frozen worker's partitions while we look.
    let settings = [
        ("NEWSFLOW__KAFKA__SESSION_TIMEOUT", "45s"),
        ("NEWSFLOW__KAFKA__WATCH_INTERVAL", "1s"),
    ];
    let mut frozen = Worker::start(&topics, &settings);
    let mut other = Worker::start(&topics, &settings);
    frozen.wait_ready(READY).unwrap();
    other.wait_ready(READY).unwrap();
    let split = |w: &Worker| w.metric("newsflow_kafka_assigned_partitions") == Some(2.0);
    assert!(
        frozen.wait_for(Duration::from_secs(60), split) && other.wait_for(Duration::from_secs(30), split),
        "{}\n{}",
        frozen.log(),
        other.log()
    );
    frozen.signal("STOP");
    let total = |w: &Worker| {
        (0..partitions)
            .filter_map(|p| group_lag(w, &topics, p))
            .sum::<f64>()
    };
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("f", 0..40, 30_000),
    )
    .await;
    // The other worker drains its own two partitions; the frozen one's 2 × 10 stay, and it says so.
    let seen = other.wait_for(Duration::from_secs(20), |w| total(w) == 20.0);
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("f", 40..60, 30_000),
    )
    .await;
    let grew = other.wait_for(Duration::from_secs(20), |w| total(w) == 30.0);
    let stuck: Vec<i32> = (0..partitions)
        .filter(|p| group_lag(&other, &topics, *p) == Some(15.0))
        .collect();
    // And its age: the first unconsumed message of a frozen partition gets older; the others have none.
    let aged = |w: &Worker, at_least: f64| {
        stuck
            .iter()
            .all(|p| group_lag_seconds(w, &topics, *p).is_some_and(|s| s >= at_least))
    };
    let first_age = other.wait_for(Duration::from_secs(20), |w| aged(w, 0.5));
    let age_now = group_lag_seconds(&other, &topics, stuck.first().copied().unwrap_or(0)).unwrap_or(0.0);
    let older = other.wait_for(Duration::from_secs(20), |w| aged(w, age_now + 2.0));
    let fresh: Vec<Option<f64>> = (0..partitions)
        .filter(|p| !stuck.contains(p))
        .map(|p| group_lag_seconds(&other, &topics, p))
        .collect();
    frozen.signal("CONT");

    let (_, accounting) = collect_all(&topics, 60, partitions, Duration::from_secs(90));
    let drained = other.wait_for(Duration::from_secs(30), |w| total(w) == 0.0);
    accounting.report("lag of a frozen worker, seen from the other", drained);
    assert!(
        seen && grew,
        "lag seen {seen}, grew {grew}\n{}",
        other.http_get("/metrics").unwrap().1
    );
    assert_eq!(stuck.len(), 2, "the frozen worker's two partitions: {stuck:?}");
    assert!(
        first_age && older,
        "lag age seen {first_age}, grew {older}\n{}",
        other.http_get("/metrics").unwrap().1
    );
    assert!(
        fresh.iter().all(|s| *s == Some(0.0)),
        "partitions without lag have age 0: {fresh:?}"
    );
    accounting.assert_none_lost(&frozen.log());
    assert!(drained, "{}", other.http_get("/metrics").unwrap().1);
    assert!(frozen.terminate(Duration::from_secs(30)).unwrap().success());
    assert!(other.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_topic_deleted_under_the_worker_is_seen_and_healed() {
    let partitions = 2;
    let topics = setup("topicdeleted", partitions).await;
    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(READY).unwrap();
    delete_topic(&topics.brokers, &topics.input).await;
    // Seen: not ready, naming the condition, with one error line naming the topic, and the
    // consume errors librdkafka reports once it learns of the loss, counted by kind.
    let unready = |w: &Worker| {
        w.http_get("/readyz")
            .is_ok_and(|(status, body)| status == 503 && body.contains("topics_present"))
    };
    assert!(
        worker.wait_for(Duration::from_secs(60), unready),
        "{}",
        worker.log()
    );
    assert!(
        worker.log().contains("topics missing on the broker") && worker.log().contains(&topics.input),
        "{}",
        worker.log()
    );
    let counted = |w: &Worker| {
        w.http_get("/metrics").is_ok_and(|(_, metrics)| {
            metrics.contains("newsflow_ready 0")
                && metrics
                    .lines()
                    .filter(|l| l.starts_with("newsflow_kafka_consume_errors_total{kind=\"Unknown"))
                    .any(|l| !l.ends_with(" 0"))
        })
    };
    assert!(
        worker.wait_for(Duration::from_secs(90), counted),
        "{}\n{}",
        worker.http_get("/metrics").unwrap().1,
        worker.log()
    );
    // Healed: the topic comes back, messages flow, every input has its output, ready again.
    create_topic(&topics.brokers, &topics.input, partitions).await;
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("e", 0..4, 31_000),
    )
    .await;
    let (_, accounting) = collect_all(&topics, 4, partitions, Duration::from_secs(120));
    let healed = worker.wait_for(Duration::from_secs(60), |w| status(w, "/readyz") == 200);
    accounting.report("input topic deleted and created again", healed);
    accounting.assert_none_lost(&worker.log());
    assert!(
        healed,
        "{}\n{}",
        worker.http_get("/readyz").unwrap().1,
        worker.log()
    );
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}
