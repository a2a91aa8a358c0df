//! The worker against a secured broker (`KAFKA_SECURITY=sasl_ssl scripts/kafka.sh up`): TLS with the
//! test CA, SCRAM-SHA-512, and ACLs that allow nothing unless granted. Pages flow end to end with the
//! password read from a file; then each refusal is seen, not silent (a log line naming what was refused,
//! a metric, `/readyz` false), nothing is committed past an unwritten output, and nothing is lost once
//! the refusal is lifted. No secret shows in logs, metrics or dead-letter headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use e2e::{
    Input, Secured, SecuredRedis, Topics, Worker, collect, collect_all, committed, produce, setup, setup_on,
};

const READY: Duration = Duration::from_secs(60);

/// The worker's settings for the secured broker: user `newsflow`, password from `password_file`,
/// trusting `ca`.
fn secured_env(password_file: &Path, ca: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "NEWSFLOW__KAFKA__PROPERTIES__SECURITY_PROTOCOL",
            "SASL_SSL".to_owned(),
        ),
        (
            "NEWSFLOW__KAFKA__PROPERTIES__SASL_MECHANISMS",
            "SCRAM-SHA-512".to_owned(),
        ),
        (
            "NEWSFLOW__KAFKA__PROPERTIES__SASL_USERNAME",
            "newsflow".to_owned(),
        ),
        (
            "NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD_FILE",
            password_file.display().to_string(),
        ),
        (
            "NEWSFLOW__KAFKA__PROPERTIES__SSL_CA_LOCATION",
            ca.display().to_string(),
        ),
        ("NEWSFLOW__KAFKA__CONSUME_ERROR_TIMEOUT", "5s".to_owned()),
    ]
}

fn start(topics: &Topics, env: &[(&'static str, String)]) -> Worker {
    let all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Worker::start(topics, &all)
}

/// Grants the worker's user what it needs on `topics`, except `(operation, topic)` pairs in `but`.
fn grant_all_but(secured: &Secured, topics: &Topics, but: &[(&str, &str)]) {
    let allowed = |operation: &str, topic: &str| !but.contains(&(operation, topic));
    secured.grant(&["Read", "Describe"], &["--group", &topics.group]);
    if allowed("Read", &topics.input) {
        secured.grant(&["Read", "Describe"], &["--topic", &topics.input]);
    }
    for output in topics.outputs() {
        // Read too: a memory dedup store restores itself from the published events.
        if allowed("Write", output) {
            secured.grant(&["Write", "Describe", "Read"], &["--topic", output]);
        } else {
            secured.grant(&["Describe", "Read"], &["--topic", output]);
        }
    }
}

fn readyz(worker: &Worker) -> (u16, String) {
    worker.http_get("/readyz").unwrap_or((0, String::new()))
}

/// Waits until `/readyz` is 503 and its body holds every one of `words`.
fn wait_unready_with(worker: &Worker, words: &[&str]) {
    let seen = worker.wait_for(Duration::from_secs(60), |w| {
        let (status, body) = readyz(w);
        status == 503 && words.iter().all(|word| body.contains(word))
    });
    assert!(
        seen,
        "expected /readyz 503 naming {words:?}, got {:?}\n{}",
        readyz(worker),
        worker.log()
    );
}

/// The sum of the series of `metric` whose labels hold `labels`.
fn metric_sum(worker: &Worker, metric: &str, labels: &str) -> f64 {
    let (_, text) = worker.http_get("/metrics").unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with(metric) && l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn assert_no_secret(secured: &Secured, what: &str, text: &str) {
    for user in ["newsflow", "admin"] {
        assert!(
            !text.contains(&secured.password(user)),
            "{user}'s password shows in {what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_flow_over_tls_and_scram_with_no_secret_shown() {
    let secured = Secured::get();
    let partitions = 2;
    let topics = setup_on(&secured.brokers, "secured", partitions).await;
    grant_all_but(&secured, &topics, &[]);
    let env = secured_env(&secured.password_file("newsflow"), &secured.ca());
    let mut worker = start(&topics, &env);
    worker.wait_ready(READY).unwrap();
    let mut inputs = Input::articles("s", 0..5, 41_000);
    inputs.push(Input::raw(b"not json at all"));
    produce(&secured.brokers, &topics.input, partitions, &inputs).await;
    let (records, accounting) = collect_all(&topics, inputs.len(), partitions, Duration::from_secs(90));
    accounting.report("secured broker (TLS + SCRAM + ACLs)", true);
    accounting.assert_none_lost(&worker.log());
    assert_eq!(
        records.iter().filter(|r| r.topic == topics.articles).count(),
        5,
        "{}",
        worker.log()
    );
    let dead: Vec<_> = records.iter().filter(|r| r.topic == topics.dlq).collect();
    assert_eq!(dead.len(), 1);
    let (_, metrics) = worker.http_get("/metrics").unwrap();
    assert!(metrics.contains("newsflow_ready 1"), "{metrics}");
    assert_no_secret(&secured, "the metrics", &metrics);
    assert_no_secret(
        &secured,
        "the dead letter's headers",
        &format!("{:?}", dead[0].headers),
    );
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
    assert_no_secret(&secured, "the log", &worker.log());
    // check-config shows the effective configuration: the password read from its file is redacted.
    let mut check = std::process::Command::new(e2e::binary());
    check.arg("check-config").env_remove("NEWSFLOW_CONFIG");
    for (key, value) in &env {
        check.env(key, value);
    }
    let shown = check.output().unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("sasl.password") && shown.contains("<redacted>"),
        "{shown}"
    );
    assert_no_secret(&secured, "check-config", &shown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_untrusted_certificate_are_seen() {
    let secured = Secured::get();
    let partitions = 2;
    let topics = setup_on(&secured.brokers, "refused", partitions).await;
    grant_all_but(&secured, &topics, &[]);
    produce(
        &secured.brokers,
        &topics.input,
        partitions,
        &Input::articles("r", 0..4, 42_000),
    )
    .await;
    let wrong = std::env::temp_dir().join(format!("newsflow-wrong-password-{}", std::process::id()));
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let cases = [
        (
            "wrong password",
            secured_env(&wrong, &secured.ca()),
            "refused the worker's credentials",
            "Authentication",
        ),
        (
            "untrusted certificate",
            secured_env(&secured.password_file("newsflow"), &secured.other_ca()),
            "TLS handshake with the broker failed",
            "SSL",
        ),
    ];
    for (case, env, line, kind) in cases {
        let mut worker = start(&topics, &env);
        wait_unready_with(&worker, &["authenticated"]);
        assert!(
            worker.log().contains(line),
            "{case}: no line {line:?}\n{}",
            worker.log()
        );
        let errors = metric_sum(
            &worker,
            "newsflow_kafka_client_errors_total",
            &format!("kind=\"{kind}\""),
        );
        assert!(errors > 0.0, "{case}: no client error of kind {kind} counted");
        assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
        assert_no_secret(&secured, "the log", &worker.log());
    }
    // Nothing was read meanwhile; with the right settings everything comes through.
    assert_eq!(
        committed(&secured.brokers, &topics.group, &topics.input, partitions),
        [-1, -1]
    );
    let mut worker = start(
        &topics,
        &secured_env(&secured.password_file("newsflow"), &secured.ca()),
    );
    let (_, accounting) = collect_all(&topics, 4, partitions, Duration::from_secs(90));
    accounting.report("wrong password, then untrusted CA, then right settings", true);
    accounting.assert_none_lost(&worker.log());
    worker.wait_ready(READY).unwrap();
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
    std::fs::remove_file(&wrong).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_read_acl_on_the_input_is_seen_and_healed_by_a_grant() {
    let secured = Secured::get();
    let partitions = 2;
    let topics = setup_on(&secured.brokers, "noread", partitions).await;
    grant_all_but(&secured, &topics, &[("Read", &topics.input)]);
    produce(
        &secured.brokers,
        &topics.input,
        partitions,
        &Input::articles("n", 0..4, 43_000),
    )
    .await;
    let worker = start(
        &topics,
        &secured_env(&secured.password_file("newsflow"), &secured.ca()),
    );
    wait_unready_with(
        &worker,
        &["authorized", &format!("describe topic {}", topics.input)],
    );
    let log = worker.log();
    assert!(
        log.contains("the broker denies the worker describing the topic") && log.contains(&topics.input),
        "{log}"
    );
    assert!(
        metric_sum(&worker, "newsflow_kafka_denied_total", "operation=\"describe\"") > 0.0,
        "no denial counted"
    );
    secured.grant(&["Read", "Describe"], &["--topic", &topics.input]);
    let (_, accounting) = collect_all(&topics, 4, partitions, Duration::from_secs(90));
    let healed = worker.wait_for(READY, |w| readyz(w).0 == 200);
    accounting.report("no read ACL on the input, then granted", healed);
    accounting.assert_none_lost(&worker.log());
    assert!(healed, "{:?}\n{}", readyz(&worker), worker.log());
    let mut worker = worker;
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_acl_on_an_output_is_seen_commits_nothing_past_it_and_heals() {
    let secured = Secured::get();
    let partitions = 2;
    let topics = setup_on(&secured.brokers, "nowrite", partitions).await;
    grant_all_but(
        &secured,
        &topics,
        &[("Write", &topics.articles), ("Write", &topics.dlq)],
    );
    let mut inputs = Input::articles("w", 0..3, 44_000);
    inputs.push(Input::raw(b"\x00\x01 not a page"));
    let worker = start(
        &topics,
        &secured_env(&secured.password_file("newsflow"), &secured.ca()),
    );
    assert!(worker.wait_for(READY, |w| readyz(w).0 == 200), "{}", worker.log());
    produce(&secured.brokers, &topics.input, partitions, &inputs).await;
    wait_unready_with(
        &worker,
        &[
            "authorized",
            &format!("write topic {}", topics.articles),
            &format!("write topic {}", topics.dlq),
        ],
    );
    let log = worker.log();
    assert!(
        log.contains("the broker denies the worker writing to the topic") && log.contains(&topics.dlq),
        "{log}"
    );
    assert!(
        metric_sum(&worker, "newsflow_kafka_denied_total", "operation=\"write\"") > 0.0,
        "no denial counted"
    );
    assert_eq!(
        metric_sum(&worker, "newsflow_ready_condition", "condition=\"authorized\""),
        0.0,
        "the authorized condition's gauge"
    );
    // Nothing is committed past an input whose output is not written (let a commit interval pass):
    // a committed offset is the next one to read, so 0 or none.
    std::thread::sleep(Duration::from_secs(2));
    let offsets = committed(&secured.brokers, &topics.group, &topics.input, partitions);
    assert!(offsets.iter().all(|&o| o <= 0), "committed {offsets:?}");
    assert!(
        collect(
            &secured.brokers,
            &topics.outputs(),
            Duration::from_secs(2),
            |_| false
        )
        .is_empty()
    );
    secured.grant(&["Write"], &["--topic", &topics.articles]);
    secured.grant(&["Write"], &["--topic", &topics.dlq]);
    let (records, accounting) = collect_all(&topics, inputs.len(), partitions, Duration::from_secs(90));
    let healed = worker.wait_for(READY, |w| readyz(w).0 == 200);
    accounting.report(
        "no write ACL on the articles and dead-letter topics, then granted",
        healed,
    );
    accounting.assert_none_lost(&worker.log());
    assert_eq!(records.iter().filter(|r| r.topic == topics.dlq).count(), 1);
    assert!(healed, "{:?}\n{}", readyz(&worker), worker.log());
    assert!(
        worker
            .log()
            .contains("the broker accepts writes to the topic again")
    );
    assert_eq!(
        metric_sum(&worker, "newsflow_ready_condition", "condition=\"authorized\""),
        1.0
    );
    let committed_now = worker.wait_for(Duration::from_secs(30), |_| {
        committed(&secured.brokers, &topics.group, &topics.input, partitions) == [2, 2]
    });
    assert!(committed_now, "offsets not committed after the grant");
    let mut worker = worker;
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
}

/// The dedup store's settings for the secured Redis as `user`, the URL (which holds the password) given
/// by file.
fn redis_env(
    topics: &Topics,
    redis: &SecuredRedis,
    user: &str,
    url_file: &Path,
) -> Vec<(&'static str, String)> {
    std::fs::write(url_file, format!("{}\n", redis.url(user))).unwrap();
    vec![
        ("NEWSFLOW__DEDUP__STORE", "redis".to_owned()),
        ("NEWSFLOW__DEDUP__REDIS__URL_FILE", url_file.display().to_string()),
        (
            "NEWSFLOW__DEDUP__REDIS__TLS_CA_FILE",
            redis.ca().display().to_string(),
        ),
        (
            "NEWSFLOW__DEDUP__REDIS__KEY_PREFIX",
            format!("newsflow:dedup:{}:", topics.group),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_over_redis_tls_with_an_acl_user_and_a_denied_command_seen() {
    let redis = SecuredRedis::get();
    let partitions = 2;
    let topics = setup("redistls", partitions).await;
    let url_file = std::env::temp_dir().join(format!("newsflow-redis-url-{}", std::process::id()));

    // A user allowed only reads: the store's writes are refused with a clear error, not a hang.
    let mut worker = start(
        &topics,
        &redis_env(&topics, &redis, "newsflow-readonly", &url_file),
    );
    wait_unready_with(&worker, &["dedup_available"]);
    let seen = worker.wait_for(Duration::from_secs(30), |w| {
        w.log().contains("dedup state does not answer") && w.log().contains("no permissions to run")
    });
    assert!(seen, "no line naming the refusal\n{}", worker.log());
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
    assert!(
        !worker.log().contains(&redis.password("newsflow-readonly")),
        "a password shows in the log"
    );

    // The store's own user: decisions over TLS, a copy judged a duplicate.
    let mut inputs = Input::articles("d", 0..3, 45_000);
    let mut copy = inputs[0].clone();
    copy.value = String::from_utf8(copy.value)
        .unwrap()
        .replace("https://news.example.com/d/0", "https://mirror.example.org/d/0")
        .into_bytes();
    inputs.push(copy);
    let mut worker = start(&topics, &redis_env(&topics, &redis, "newsflow", &url_file));
    worker.wait_ready(READY).unwrap();
    produce(&topics.brokers, &topics.input, partitions, &inputs).await;
    let (records, accounting) = collect_all(&topics, inputs.len(), partitions, Duration::from_secs(90));
    accounting.report("dedup over Redis TLS with an ACL user", true);
    accounting.assert_none_lost(&worker.log());
    assert_eq!(
        records.iter().filter(|r| r.topic == topics.duplicates).count(),
        1,
        "{}",
        worker.log()
    );
    let (_, metrics) = worker.http_get("/metrics").unwrap();
    assert!(metrics.contains("newsflow_ready 1"), "{metrics}");
    assert!(worker.terminate(Duration::from_secs(30)).unwrap().success());
    for user in ["newsflow", "newsflow-readonly"] {
        assert!(
            !worker.log().contains(&redis.password(user)),
            "{user}'s password shows in the log"
        );
        assert!(
            !metrics.contains(&redis.password(user)),
            "{user}'s password shows in the metrics"
        );
    }
    std::fs::remove_file(&url_file).unwrap();
}
