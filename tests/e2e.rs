//! End-to-end tests: the real `newsflow` binary against a real Apache Kafka broker.
//!
//! Each test creates its own topics and consumer group, so they run in parallel. The broker is started
//! by `make test` (`scripts/kafka.sh up`); without one these tests fail and say so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use e2e::{
    Input, OwnBroker, Record, Worker, article_html, assert_schema_valid, collect, committed,
    expected_sources, produce, setup, setup_on, sources,
};

const READY: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_yields_exactly_one_schema_valid_output() {
    let partitions = 3;
    let topics = setup("pages", partitions).await;
    let mut inputs = Input::articles("world", 0..24, 0);
    // Exact copies under other URLs (syndication) and a tracking-parameter variant of the same URL.
    for i in 0..4u64 {
        inputs.push(Input::envelope(
            &format!("https://mirror.example.org/copy/{i}"),
            &article_html(i, ""),
        ));
    }
    inputs.push(Input::envelope(
        "https://news.example.com/world/5?utm_source=feed",
        &article_html(5, ""),
    ));
    // Raw HTML with the URL in a header.
    let mut raw = Input::raw(article_html(100, "").as_bytes());
    raw.headers
        .push(("url".into(), "https://news.example.com/raw/100".into()));
    inputs.push(raw);
    let n = inputs.len();
    produce(&topics.brokers, &topics.input, partitions, &inputs).await;

    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(READY).unwrap();
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= n
    });
    // A little longer, to catch any extra output.
    let records = if records.len() == n {
        collect(&topics.brokers, &topics.outputs(), Duration::from_secs(2), |_| {
            false
        })
    } else {
        records
    };
    assert_eq!(
        records.len(),
        n,
        "outputs: {:#?}\nlog:\n{}",
        records.iter().map(|r| &r.topic).collect::<Vec<_>>(),
        worker.log()
    );
    assert_eq!(
        sources(&records),
        expected_sources(n, partitions),
        "every input exactly once"
    );

    let validator = e2e::article_schema();
    let mut by_topic: BTreeMap<&str, usize> = BTreeMap::new();
    for record in &records {
        *by_topic.entry(record.topic.as_str()).or_default() += 1;
        if record.topic == topics.dlq || record.topic == topics.skipped {
            continue;
        }
        let event = record.json();
        assert_schema_valid(&validator, &event);
        assert_eq!(
            record.key.as_deref(),
            Some(event["id"].as_str().unwrap().as_bytes()),
            "key is the article id"
        );
        let status = event["dedup"]["status"].as_str().unwrap();
        if record.topic == topics.articles {
            assert!(matches!(status, "unique" | "update"), "{status} on articles");
        } else {
            assert!(
                matches!(status, "duplicate" | "near_duplicate"),
                "{status} on duplicates"
            );
            assert!(event["dedup"]["duplicate_of"].is_string());
        }
        assert_eq!(event["language"]["code"], "en", "{event:#}");
    }
    assert_eq!(
        by_topic.get(topics.articles.as_str()),
        Some(&25),
        "{by_topic:?}\n{}",
        worker.log()
    );
    assert_eq!(by_topic.get(topics.duplicates.as_str()), Some(&5), "{by_topic:?}");

    let (status, metrics) = worker.http_get("/metrics").unwrap();
    assert_eq!(status, 200);
    for needle in [
        "newsflow_messages_consumed_total",
        "newsflow_outcomes_total{outcome=\"unique\"} 25",
        "newsflow_stage_duration_seconds_bucket{stage=\"extract\",le=\"0.005\"}",
        "newsflow_kafka_assigned_partitions 3",
        "newsflow_build_info",
    ] {
        assert!(
            metrics.contains(needle),
            "{needle} missing from /metrics:\n{metrics}"
        );
    }
    let status = worker.terminate(Duration::from_secs(30)).unwrap();
    assert!(status.success(), "exit status {status}\n{}", worker.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_go_to_the_dlq_and_later_messages_still_flow() {
    let partitions = 1;
    let topics = setup("poison", partitions).await;
    let oversized = format!(
        r#"{{"url":"https://news.example.com/big","html":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let poison: Vec<(Input, &str)> = vec![
        (Input::raw(b"{not json"), "not_json"),
        (Input::raw(b""), "empty_value"),
        (
            Input::raw(br#"["https://news.example.com/a", "<p>x</p>"]"#),
            "invalid_envelope",
        ),
        (
            Input::raw(br#"{"url":"https://news.example.com/b64","html_base64":"%%%"}"#),
            "invalid_base64",
        ),
        (Input::raw(br#"{"html":"<p>no url</p>"}"#), "missing_url"),
        (
            Input::raw(br#"{"url":"not a url","html":"<p>x</p>"}"#),
            "invalid_url",
        ),
        (Input::raw(oversized.as_bytes()), "oversized"),
        (
            Input::raw(b"<html><body>a raw page without a url header</body></html>"),
            "missing_url",
        ),
        (
            Input::raw(&[0u8, 159, 146, 150, 255, 0, 1, 2, 3, 4, 5, 6, 7]),
            "undecodable",
        ),
        (
            Input::envelope(
                "https://news.example.com/",
                "<html><body><ul><li><a href=/a>A</a></li></ul></body></html>",
            ),
            "not_article",
        ),
        (
            Input::raw(br#"{"url":"https://news.example.com/404","html":"<p>x</p>","status":404}"#),
            "http_error",
        ),
    ];
    let mut inputs: Vec<Input> = poison.iter().map(|(input, _)| input.clone()).collect();
    inputs.extend(Input::articles("after", 0..5, 1000));
    produce(&topics.brokers, &topics.input, partitions, &inputs).await;

    let mut worker = Worker::start(&topics, &[("NEWSFLOW__PIPELINE__MAX_INPUT_BYTES", "1048576")]);
    worker.wait_ready(READY).unwrap();
    let n = inputs.len();
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= n
    });
    assert_eq!(records.len(), n, "log:\n{}", worker.log());
    assert_eq!(sources(&records), expected_sources(n, partitions));

    let mut refused: Vec<&Record> = records
        .iter()
        .filter(|r| r.topic == topics.dlq || r.topic == topics.skipped)
        .collect();
    refused.sort_by_key(|r| r.source());
    assert_eq!(refused.len(), poison.len());
    for (record, (input, reason)) in refused.iter().zip(&poison) {
        assert_eq!(
            record.headers.get("newsflow.reason").map(String::as_str),
            Some(*reason),
            "{:?}",
            record.headers
        );
        // Pages that are no article and failed fetches are outcomes, not errors.
        let expected = if matches!(*reason, "not_article" | "http_error") {
            &topics.skipped
        } else {
            &topics.dlq
        };
        assert_eq!(&record.topic, expected, "{reason}");
        assert!(record.headers.contains_key("newsflow.stage"));
        assert_eq!(record.headers.get("newsflow.source.topic"), Some(&topics.input));
        assert_eq!(record.value, input.value, "the DLQ keeps the original value");
    }
    let articles = records.iter().filter(|r| r.topic == topics.articles).count();
    assert_eq!(articles, 5, "good messages after the poison still flow");
    let (_, metrics) = worker.http_get("/metrics").unwrap();
    assert!(
        metrics.contains("newsflow_dlq_messages_total{reason=\"not_json\",stage=\"decode\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("newsflow_skipped_messages_total{reason=\"not_article\"} 1")
            && metrics.contains("newsflow_skipped_messages_total{reason=\"http_error\"} 1"),
        "{metrics}"
    );
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_restart_loses_nothing() {
    let partitions = 3;
    let topics = setup("kill9", partitions).await;
    let n = 300;
    let inputs = Input::articles("k", 0..n as u64, 5000);
    produce(&topics.brokers, &topics.input, partitions, &inputs).await;

    // A small in-flight bound and one CPU thread keep the first worker slow enough to be killed mid-stream.
    let slow = [
        ("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "4"),
        ("NEWSFLOW__PIPELINE__WORKER_THREADS", "1"),
    ];
    let mut first = Worker::start(&topics, &slow);
    first.wait_ready(READY).unwrap();
    let before = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 40
    });
    first.kill();
    assert!(
        before.len() >= 40 && before.len() < n,
        "killed after {} of {n} outputs",
        before.len()
    );

    let mut second = Worker::start(&topics, &[]);
    second.wait_ready(READY).unwrap();
    let expected = expected_sources(n, partitions);
    let records = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(120),
        |r| sources(r) == expected,
    );
    e2e::Accounting::of(&records, &expected).report("kill -9 mid-stream, restart", true);
    let got = sources(&records);
    let missing: Vec<_> = expected.difference(&got).take(10).collect();
    assert!(
        missing.is_empty(),
        "lost inputs after kill -9 (first 10): {missing:?}\n{}",
        second.log()
    );
    assert!(records.len() >= n, "duplicates are allowed, loss is not");
    assert!(second.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_commits_offsets_and_a_restart_does_not_re_emit() {
    let partitions = 2;
    let topics = setup("sigterm", partitions).await;
    let first_batch = Input::articles("s", 0..20, 9000);
    produce(&topics.brokers, &topics.input, partitions, &first_batch).await;

    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(READY).unwrap();
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= 20
    });
    assert_eq!(records.len(), 20, "{}", worker.log());
    let status = worker.terminate(Duration::from_secs(30)).unwrap();
    assert!(status.success(), "exit status {status}\n{}", worker.log());
    assert!(worker.log().contains("consumer closed"), "{}", worker.log());
    assert_eq!(
        committed(&topics.brokers, &topics.group, &topics.input, partitions),
        vec![10, 10],
        "offsets committed on SIGTERM"
    );

    let second_batch = Input::articles("s", 20..26, 9000);
    produce(&topics.brokers, &topics.input, partitions, &second_batch).await;
    let mut restarted = Worker::start(&topics, &[]);
    restarted.wait_ready(READY).unwrap();
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 26
    });
    assert_eq!(records.len(), 26, "{}", restarted.log());
    let settled = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(3), |_| {
        false
    });
    assert_eq!(
        settled.len(),
        26,
        "a restarted worker re-emitted finished messages\n{}",
        restarted.log()
    );
    let second: BTreeSet<(i64, i64)> = sources(&settled).into_iter().filter(|(_, o)| *o >= 10).collect();
    assert_eq!(
        second,
        expected_sources(26, partitions)
            .into_iter()
            .filter(|(_, o)| *o >= 10)
            .collect()
    );
    assert!(restarted.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebalance_hands_partitions_over_without_loss_or_repeats() {
    let partitions = 4;
    let topics = setup("rebalance", partitions).await;
    let n = 240;
    let inputs = Input::articles("r", 0..n as u64, 20_000);
    produce(&topics.brokers, &topics.input, partitions, &inputs).await;

    let slow = [
        ("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "4"),
        ("NEWSFLOW__PIPELINE__WORKER_THREADS", "1"),
    ];
    let mut first = Worker::start(&topics, &slow);
    first.wait_ready(READY).unwrap();
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 20
    });
    // A second member joins: the first drains and commits its partitions before giving them up.
    let mut second = Worker::start(&topics, &slow);
    second.wait_ready(READY).unwrap();
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 120
    });
    // The first leaves: the second takes every partition from the committed offsets.
    assert!(
        first.terminate(Duration::from_secs(30)).unwrap().success(),
        "{}",
        first.log()
    );
    let expected = expected_sources(n, partitions);
    let records = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(120),
        |r| sources(r) == expected,
    );
    assert_eq!(
        sources(&records),
        expected,
        "lost inputs across rebalances\n{}",
        second.log()
    );
    let settled = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(3), |_| {
        false
    });
    assert_eq!(
        settled.len(),
        n,
        "graceful hand-overs must not repeat finished messages\nfirst:\n{}\nsecond:\n{}",
        first.log(),
        second.log()
    );
    let (_, metrics) = second.http_get("/metrics").unwrap();
    assert!(
        metrics.contains("newsflow_kafka_rebalances_total{event=\"assign\"}"),
        "{metrics}"
    );
    assert!(second.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_outage_at_start_and_mid_run_loses_nothing() {
    // A broker of its own, so stopping it does not disturb the other tests.
    let port: u16 = std::env::var("NEWSFLOW_TEST_OUTAGE_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(19192);
    let broker = tokio::task::spawn_blocking(move || OwnBroker::up(port))
        .await
        .unwrap();
    let partitions = 2;
    let topics = setup_on(&broker.brokers(), "outage", partitions).await;
    let batch = |range: std::ops::Range<u64>| Input::articles("o", range, 30_000);
    produce(&topics.brokers, &topics.input, partitions, &batch(0..40)).await;
    broker.stop();

    // No broker at start: alive, not ready.
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__KAFKA__MESSAGE_TIMEOUT", "5s")]);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(worker.http_get("/healthz").unwrap().0, 200);
    assert_eq!(
        worker.http_get("/readyz").unwrap().0,
        503,
        "ready without a broker\n{}",
        worker.log()
    );

    broker.start();
    worker.wait_ready(READY).unwrap();
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= 40
    });

    // Mid-run: the broker goes away while a second batch is being processed, then comes back.
    produce(&topics.brokers, &topics.input, partitions, &batch(40..100)).await;
    broker.stop();
    std::thread::sleep(Duration::from_secs(3));
    let status = worker.http_get("/readyz").unwrap().0;
    broker.start();
    let expected = expected_sources(100, partitions);
    let records = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(120),
        |r| sources(r) == expected,
    );
    e2e::Accounting::of(&records, &expected).report("broker outage at start and mid-run", status == 503);
    let got = sources(&records);
    let missing: Vec<_> = expected.difference(&got).take(10).collect();
    assert!(
        missing.is_empty(),
        "lost across a broker outage: {missing:?}\n{}",
        worker.log()
    );
    assert_eq!(status, 503, "readiness stayed true while the broker was down");
    assert!(
        worker.terminate(Duration::from_secs(30)).unwrap().success(),
        "{}",
        worker.log()
    );
}
