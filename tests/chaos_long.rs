//! The long fault scenarios (a minute or more each), run by `make chaos` and not by `make test`:
//! workers joining during a backlog, a broker away for longer than the session timeout, a worker frozen
//! by SIGSTOP. Same rules as `chaos.rs`: the real binary, broker and Redis; every output counted per
//! input offset; lost must be 0.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use e2e::{Input, OwnBroker, Worker, collect, collect_all, produce, setup, setup_on};

const READY: Duration = Duration::from_secs(90);

fn status(worker: &Worker, path: &str) -> u16 {
    worker.http_get(path).map_or(0, |(status, _)| status)
}

/// Every worker is ready, live, not paused and not stalled.
fn settled(workers: &[&Worker]) -> bool {
    workers.iter().all(|w| {
        w.wait_for(Duration::from_secs(60), |w| {
            status(w, "/readyz") == 200
                && status(w, "/healthz") == 200
                && w.metric("newsflow_paused") == Some(0.0)
                && w.metric("newsflow_stalled") == Some(0.0)
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_join_one_by_one_during_a_backlog() {
    let partitions = 6;
    let topics = setup("scaleout", partitions).await;
    let n = 900;
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("b", 0..n, 20_000),
    )
    .await;
    let small = [("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "16")];
    let mut first = Worker::start(&topics, &small);
    first.wait_ready(READY).unwrap();
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 100
    });
    let second = Worker::start(&topics, &small);
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 300
    });
    let third = Worker::start(&topics, &small);

    let (_, accounting) = collect_all(&topics, n as usize, partitions, Duration::from_secs(240));
    let healed = settled(&[&first, &second, &third]);
    accounting.report("workers 1 -> 2 -> 3 during a backlog", healed);
    assert_eq!(
        accounting.lost_count,
        0,
        "lost {:?}\n--- first\n{}\n--- second\n{}\n--- third\n{}",
        accounting.lost,
        first.log(),
        second.log(),
        third.log()
    );
    assert!(healed, "a worker is not settled\n{}", first.log());
    assert!(first.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_away_longer_than_the_session_timeout() {
    let port: u16 = std::env::var("NEWSFLOW_TEST_LONG_OUTAGE_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(19292);
    let broker = tokio::task::spawn_blocking(move || OwnBroker::up(port))
        .await
        .unwrap();
    let partitions = 3;
    let topics = setup_on(&broker.brokers(), "longoutage", partitions).await;
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__KAFKA__MESSAGE_TIMEOUT", "5s")]);
    worker.wait_ready(READY).unwrap();
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("l", 0..150, 21_000),
    )
    .await;
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 20
    });
    // Away for 20 s, more than three session timeouts (6 s in the tests).
    broker.stop();
    let during = worker.wait_for(Duration::from_secs(15), |w| status(w, "/readyz") == 503);
    std::thread::sleep(Duration::from_secs(12));
    let live_during = status(&worker, "/healthz");
    broker.start();

    let (_, accounting) = collect_all(&topics, 150, partitions, Duration::from_secs(180));
    let healed = settled(&[&worker]);
    accounting.report("broker away 20 s (session timeout 6 s)", healed);
    accounting.assert_none_lost(&worker.log());
    assert!(during, "ready while the broker was away\n{}", worker.log());
    assert_eq!(
        live_during,
        200,
        "a known outage is not a stall\n{}",
        worker.log()
    );
    assert!(healed, "{}", worker.log());
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_worker_is_replaced_and_comes_back() {
    let partitions = 4;
    let topics = setup("sigstop", partitions).await;
    let fast_watch = [
        ("NEWSFLOW__KAFKA__STALL_TIMEOUT", "8s"),
        ("NEWSFLOW__KAFKA__WATCH_INTERVAL", "1s"),
        ("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "8"),
    ];
    let mut frozen = Worker::start(&topics, &fast_watch);
    let mut other = Worker::start(&topics, &fast_watch);
    frozen.wait_ready(READY).unwrap();
    other.wait_ready(READY).unwrap();
    produce(
        &topics.brokers,
        &topics.input,
        partitions,
        &Input::articles("z", 0..400, 22_000),
    )
    .await;
    collect(&topics.brokers, &topics.outputs(), Duration::from_secs(60), |r| {
        r.len() >= 40
    });
    // Frozen for longer than the session timeout: the group gives its partitions to the other worker.
    frozen.signal("STOP");
    let taken_over = other.wait_for(Duration::from_secs(30), |w| {
        w.metric("newsflow_kafka_assigned_partitions") == Some(f64::from(partitions))
    });
    std::thread::sleep(Duration::from_secs(4));
    frozen.signal("CONT");

    let (_, accounting) = collect_all(&topics, 400, partitions, Duration::from_secs(180));
    let healed = settled(&[&frozen, &other]);
    let fired = frozen.log().contains("stalled: owned partitions");
    eprintln!("sigstop: the resumed worker's watchdog fired: {fired}");
    accounting.report("SIGSTOP one of two workers", healed);
    assert!(taken_over, "the other worker did not take over\n{}", other.log());
    assert_eq!(
        accounting.lost_count,
        0,
        "lost {:?}\n--- frozen\n{}\n--- other\n{}",
        accounting.lost,
        frozen.log(),
        other.log()
    );
    assert!(healed, "--- frozen\n{}\n--- other\n{}", frozen.log(), other.log());
    assert!(frozen.terminate(Duration::from_secs(30)).unwrap().success());
    assert!(other.terminate(Duration::from_secs(30)).unwrap().success());
}
