//! Helpers for the end-to-end tests: a real Apache Kafka broker (started by `scripts/kafka.sh`, address
//! in `NEWSFLOW_TEST_BROKERS`, default `127.0.0.1:19092`), the real `newsflow` binary as a child process,
//! generated news pages, and the published JSON Schema.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

/// A client of `brokers`: on the secured test broker ([`Secured`]), as its admin user over TLS.
pub fn client(brokers: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", brokers);
    if let Some(secured) = Secured::find().filter(|s| s.brokers == brokers) {
        for (key, value) in secured.properties("admin", &secured.password("admin"), &secured.ca()) {
            config.set(key, value);
        }
    }
    config
}

/// The secured test broker (`KAFKA_SECURITY=sasl_ssl scripts/kafka.sh up`): its address in
/// `NEWSFLOW_TEST_SECURED_BROKERS` and the directory of its client files (CA, passwords) in
/// `NEWSFLOW_TEST_SECURED_CLIENT`; `make test` sets both.
#[derive(Debug, Clone)]
pub struct Secured {
    pub brokers: String,
    pub client_dir: PathBuf,
}

impl Secured {
    /// The secured broker, when the environment names one.
    pub fn find() -> Option<Secured> {
        Some(Secured {
            brokers: std::env::var("NEWSFLOW_TEST_SECURED_BROKERS").ok()?,
            client_dir: PathBuf::from(std::env::var("NEWSFLOW_TEST_SECURED_CLIENT").ok()?),
        })
    }

    /// The secured broker; fails the test, saying how to start one, when there is none.
    pub fn get() -> Secured {
        Secured::find().unwrap_or_else(|| {
            panic!(
                "no secured broker: start one with `KAFKA_SECURITY=sasl_ssl KAFKA_PORT=19392 \
                 KAFKA_CONTROLLER_PORT=19393 scripts/kafka.sh up` and set NEWSFLOW_TEST_SECURED_BROKERS=127.0.0.1:19392 \
                 NEWSFLOW_TEST_SECURED_CLIENT=.run/kafka-19392/client (make test does both)"
            )
        })
    }

    /// The file holding `user`'s password.
    pub fn password_file(&self, user: &str) -> PathBuf {
        self.client_dir.join(format!("{user}.password"))
    }

    /// `user`'s password.
    pub fn password(&self, user: &str) -> String {
        std::fs::read_to_string(self.password_file(user))
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", self.password_file(user).display()))
            .trim()
            .to_owned()
    }

    /// The CA that signed the broker's certificate.
    pub fn ca(&self) -> PathBuf {
        self.client_dir.join("ca.pem")
    }

    /// A CA that signed nothing the broker holds.
    pub fn other_ca(&self) -> PathBuf {
        self.client_dir.join("other-ca.pem")
    }

    /// librdkafka properties of a client logging in as `user` with `password`, trusting `ca`.
    pub fn properties(
        &self,
        user: &str,
        password: &str,
        ca: &std::path::Path,
    ) -> Vec<(&'static str, String)> {
        vec![
            ("security.protocol", "SASL_SSL".to_owned()),
            ("sasl.mechanisms", "SCRAM-SHA-512".to_owned()),
            ("sasl.username", user.to_owned()),
            ("sasl.password", password.to_owned()),
            ("ssl.ca.location", ca.display().to_string()),
        ]
    }

    /// Runs the broker's ACL tool as its admin user (`scripts/kafka.sh acl ARGS`).
    pub fn acl(&self, args: &[&str]) {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let port = self.brokers.rsplit(':').next().unwrap_or_default().to_owned();
        let output = Command::new(root.join("scripts/kafka.sh"))
            .arg("acl")
            .args(args)
            .env("KAFKA_SECURITY", "sasl_ssl")
            .env("KAFKA_PORT", &port)
            .output()
            .expect("run scripts/kafka.sh acl");
        assert!(
            output.status.success(),
            "scripts/kafka.sh acl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Lets the worker's user (`newsflow`) do `operations` on `resource` (`--topic NAME`, `--group NAME`).
    pub fn grant(&self, operations: &[&str], resource: &[&str]) {
        let mut args = vec!["--add", "--allow-principal", "User:newsflow"];
        for operation in operations {
            args.extend(["--operation", operation]);
        }
        args.extend(resource);
        self.acl(&args);
    }
}

/// The secured test Redis (`REDIS_TLS=1 scripts/redis.sh up`): `host:port` in
/// `NEWSFLOW_TEST_SECURED_REDIS`, its client files (CA, passwords) in `NEWSFLOW_TEST_SECURED_REDIS_CLIENT`;
/// `make test` sets both.
#[derive(Debug, Clone)]
pub struct SecuredRedis {
    pub addr: String,
    pub client_dir: PathBuf,
}

impl SecuredRedis {
    /// The secured Redis; fails the test, saying how to start one, when there is none.
    pub fn get() -> SecuredRedis {
        let found = (|| {
            Some(SecuredRedis {
                addr: std::env::var("NEWSFLOW_TEST_SECURED_REDIS").ok()?,
                client_dir: PathBuf::from(std::env::var("NEWSFLOW_TEST_SECURED_REDIS_CLIENT").ok()?),
            })
        })();
        found.unwrap_or_else(|| {
            panic!(
                "no secured Redis: start one with `REDIS_TLS=1 REDIS_PORT=16380 scripts/redis.sh up` and set \
                 NEWSFLOW_TEST_SECURED_REDIS=127.0.0.1:16380 NEWSFLOW_TEST_SECURED_REDIS_CLIENT=.run/redis-16380/client \
                 (make test does both)"
            )
        })
    }

    /// `user`'s password.
    pub fn password(&self, user: &str) -> String {
        let path = self.client_dir.join(format!("{user}.password"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
            .trim()
            .to_owned()
    }

    /// The `rediss://` URL of `user`.
    pub fn url(&self, user: &str) -> String {
        format!("rediss://{user}:{}@{}/0", self.password(user), self.addr)
    }

    /// The CA that signed the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.client_dir.join("ca.pem")
    }
}

/// The broker the tests use.
pub fn brokers() -> String {
    std::env::var("NEWSFLOW_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".to_owned())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Names unique to one test run: topics and group.
#[derive(Debug, Clone)]
pub struct Topics {
    /// Bootstrap address of the broker the topics live on.
    pub brokers: String,
    pub input: String,
    pub articles: String,
    pub duplicates: String,
    pub dlq: String,
    pub skipped: String,
    pub group: String,
}

impl Topics {
    pub fn all(&self) -> [&str; 5] {
        [
            &self.input,
            &self.articles,
            &self.duplicates,
            &self.dlq,
            &self.skipped,
        ]
    }

    pub fn outputs(&self) -> [&str; 4] {
        [&self.articles, &self.duplicates, &self.dlq, &self.skipped]
    }
}

/// Checks the shared test broker answers and creates fresh topics for one test.
pub async fn setup(test: &str, partitions: i32) -> Topics {
    setup_on(&brokers(), test, partitions).await
}

/// Creates fresh topics for one test on `brokers`.
pub async fn setup_on(brokers: &str, test: &str, partitions: i32) -> Topics {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let stamp = format!("{}-{}-{n}", std::process::id(), chrono_like_now());
    let topics = Topics {
        brokers: brokers.to_owned(),
        input: format!("t.{test}.{stamp}.raw"),
        articles: format!("t.{test}.{stamp}.articles"),
        duplicates: format!("t.{test}.{stamp}.duplicates"),
        dlq: format!("t.{test}.{stamp}.dlq"),
        skipped: format!("t.{test}.{stamp}.skipped"),
        group: format!("g.{test}.{stamp}"),
    };
    let admin: AdminClient<DefaultClientContext> = client(brokers).create().expect("admin client");
    let new_topics: Vec<NewTopic<'_>> = topics
        .all()
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1)))
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = tokio::time::timeout(Duration::from_secs(30), admin.create_topics(&new_topics, &opts))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "no Kafka broker answered at {} within 30 s: start one with `make kafka-up` (or run `make test`)",
                brokers
            )
        })
        .unwrap_or_else(|err| panic!("cannot create topics on {brokers}: {err}"));
    for result in results {
        result.unwrap_or_else(|(topic, err)| panic!("cannot create topic {topic}: {err}"));
    }
    topics
}

fn chrono_like_now() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// A message to produce.
#[derive(Debug, Clone)]
pub struct Input {
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Input {
    pub fn envelope(url: &str, html: &str) -> Input {
        let value = serde_json::json!({ "url": url, "html": html, "fetched_at": "2026-11-28T06:00:00Z" });
        Input {
            key: Some(url.to_owned()),
            value: value.to_string().into_bytes(),
            headers: vec![],
        }
    }

    /// Envelopes of distinct articles: URL `https://news.example.com/{path}/{i}`, body seeded `seed + i`.
    pub fn articles(path: &str, range: std::ops::Range<u64>, seed: u64) -> Vec<Input> {
        range
            .map(|i| {
                Input::envelope(
                    &format!("https://news.example.com/{path}/{i}"),
                    &article_html(seed + i, ""),
                )
            })
            .collect()
    }

    pub fn raw(value: &[u8]) -> Input {
        Input {
            key: None,
            value: value.to_vec(),
            headers: vec![],
        }
    }
}

/// Produces `inputs` in order, round-robin over partitions (explicitly, so every partition gets some),
/// and waits for every acknowledgement.
pub async fn produce(brokers: &str, topic: &str, partitions: i32, inputs: &[Input]) {
    produce_with(brokers, topic, partitions, inputs, &[]).await;
}

/// [`produce`] with extra producer settings (`compression.type`, a larger `message.max.bytes`, ...).
pub async fn produce_with(
    brokers: &str,
    topic: &str,
    partitions: i32,
    inputs: &[Input],
    settings: &[(&str, &str)],
) {
    let mut config = client(brokers);
    config
        .set("message.max.bytes", "10485760")
        .set("linger.ms", "5")
        .set("enable.idempotence", "true");
    for (key, value) in settings {
        config.set(*key, *value);
    }
    let producer: FutureProducer = config.create().expect("producer");
    // Enqueue in order (send_result enqueues synchronously), then wait for every acknowledgement.
    let mut pending = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let partition = (i as i32) % partitions;
        let mut headers = OwnedHeaders::new();
        for (k, v) in &input.headers {
            headers = headers.insert(Header {
                key: k,
                value: Some(v),
            });
        }
        let mut record = FutureRecord::to(topic)
            .payload(&input.value)
            .partition(partition)
            .headers(headers);
        if let Some(key) = &input.key {
            record = record.key(key);
        }
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    pending.push(delivery);
                    break;
                }
                Err((err, returned)) => {
                    assert!(
                        matches!(
                            err,
                            rdkafka::error::KafkaError::MessageProduction(
                                rdkafka::types::RDKafkaErrorCode::QueueFull
                            )
                        ),
                        "produce input: {err}"
                    );
                    record = returned;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    for delivery in pending {
        delivery
            .await
            .expect("delivery canceled")
            .map_err(|(e, _)| e)
            .expect("produce input");
    }
}

/// A record read from an output topic.
#[derive(Debug, Clone)]
pub struct Record {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: HashMap<String, String>,
    /// Record timestamp, unix milliseconds.
    pub timestamp: Option<i64>,
    pub partition: i32,
    pub offset: i64,
}

impl Record {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value)
            .unwrap_or_else(|err| panic!("output on {} is not JSON: {err}", self.topic))
    }

    /// `(partition, offset)` of the input this record came from.
    pub fn source(&self) -> (i64, i64) {
        if self.headers.contains_key("newsflow.source.offset") {
            let p = self.headers["newsflow.source.partition"].parse().unwrap();
            let o = self.headers["newsflow.source.offset"].parse().unwrap();
            return (p, o);
        }
        let json = self.json();
        (
            json["source"]["partition"].as_i64().unwrap(),
            json["source"]["offset"].as_i64().unwrap(),
        )
    }
}

/// `(partition, offset)` of the inputs that `records` came from.
pub fn sources(records: &[Record]) -> std::collections::BTreeSet<(i64, i64)> {
    records.iter().map(Record::source).collect()
}

/// Input offsets per partition of `n` messages produced round-robin over `partitions` (as [`produce`]
/// does).
pub fn expected_sources(n: usize, partitions: i32) -> std::collections::BTreeSet<(i64, i64)> {
    (0..n)
        .map(|i| {
            (
                (i as i64) % i64::from(partitions),
                (i as i64) / i64::from(partitions),
            )
        })
        .collect()
}

/// Outputs counted per input offset: what a fault scenario lost and what it repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accounting {
    pub inputs: usize,
    pub outputs: usize,
    /// Inputs with no output at all (first 10).
    pub lost: Vec<(i64, i64)>,
    pub lost_count: usize,
    /// Outputs beyond the first of their input.
    pub duplicates: usize,
}

impl Accounting {
    pub fn of(records: &[Record], expected: &std::collections::BTreeSet<(i64, i64)>) -> Accounting {
        let got = sources(records);
        let lost: Vec<(i64, i64)> = expected.difference(&got).copied().collect();
        Accounting {
            inputs: expected.len(),
            outputs: records.len(),
            lost_count: lost.len(),
            lost: lost.into_iter().take(10).collect(),
            duplicates: records.len() - got.len(),
        }
    }

    /// Fails the test when an input has no output, with the offsets lost and the worker's `log`.
    pub fn assert_none_lost(&self, log: &str) {
        assert_eq!(self.lost_count, 0, "lost {:?}\n{log}", self.lost);
    }

    /// One line `make chaos` gathers into its table.
    pub fn report(&self, scenario: &str, healed: bool) {
        eprintln!(
            "chaos-report | {scenario} | {} | {} | {} | {} | {} |",
            self.inputs,
            self.outputs,
            self.lost_count,
            self.duplicates,
            if healed { "yes" } else { "no" }
        );
    }
}

/// Reads the outputs of `topics` until every one of `inputs` messages (produced round-robin over
/// `partitions` by [`produce`]) has an output, or `timeout` passes; counts them per input offset.
pub fn collect_all(
    topics: &Topics,
    inputs: usize,
    partitions: i32,
    timeout: Duration,
) -> (Vec<Record>, Accounting) {
    let expected = expected_sources(inputs, partitions);
    let records = collect(&topics.brokers, &topics.outputs(), timeout, |r| {
        sources(r) == expected
    });
    let accounting = Accounting::of(&records, &expected);
    (records, accounting)
}

/// Sets one config of `topic` (an incremental alter, the others kept).
pub async fn set_topic_config(brokers: &str, topic: &str, key: &str, value: &str) {
    use rdkafka::admin::{AlterConfig, ResourceSpecifier};
    let admin: AdminClient<DefaultClientContext> = client(brokers).create().expect("admin client");
    let change = AlterConfig::new(ResourceSpecifier::Topic(topic)).set(key, value);
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = admin
        .alter_configs(&[change], &opts)
        .await
        .unwrap_or_else(|err| panic!("cannot alter {topic}: {err}"));
    for result in results {
        result.unwrap_or_else(|(resource, err)| panic!("cannot alter {resource:?}: {err}"));
    }
}

/// Deletes `topic`.
pub async fn delete_topic(brokers: &str, topic: &str) {
    let admin: AdminClient<DefaultClientContext> = client(brokers).create().expect("admin client");
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    for result in admin.delete_topics(&[topic], &opts).await.expect("delete topics") {
        result.unwrap_or_else(|(topic, err)| panic!("cannot delete {topic}: {err}"));
    }
}

/// Creates `topic` with `partitions`.
pub async fn create_topic(brokers: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = client(brokers).create().expect("admin client");
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    for result in admin.create_topics(&[new], &opts).await.expect("create topics") {
        result.unwrap_or_else(|(topic, err)| panic!("cannot create {topic}: {err}"));
    }
}

/// Reads every output topic from the beginning until `done(records)` holds or `timeout` passes.
pub fn collect(
    brokers: &str,
    topics: &[&str],
    timeout: Duration,
    mut done: impl FnMut(&[Record]) -> bool,
) -> Vec<Record> {
    let consumer: BaseConsumer = client(brokers)
        .set(
            "group.id",
            format!("reader-{}", COUNTER.fetch_add(1, Ordering::SeqCst)),
        )
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_uncommitted")
        .set("fetch.message.max.bytes", "10485760")
        .create()
        .expect("reader");
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        let metadata = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("metadata");
        for t in metadata.topics() {
            for p in t.partitions() {
                tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                    .unwrap();
            }
        }
    }
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + timeout;
    let mut records = Vec::new();
    while Instant::now() < deadline {
        if let Some(result) = consumer.poll(Duration::from_millis(200)) {
            let message = result.expect("read output");
            let headers = message
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            records.push(Record {
                topic: message.topic().to_owned(),
                key: message.key().map(<[u8]>::to_vec),
                value: message.payload().unwrap_or_default().to_vec(),
                headers,
                timestamp: message.timestamp().to_millis(),
                partition: message.partition(),
                offset: message.offset(),
            });
        }
        if done(&records) {
            break;
        }
    }
    records
}

/// Committed offsets of `group` on `topic`, per partition (`-1` when none).
pub fn committed(brokers: &str, group: &str, topic: &str, partitions: i32) -> Vec<i64> {
    let consumer: BaseConsumer = client(brokers).set("group.id", group).create().expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let committed = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    (0..partitions)
        .map(|p| match committed.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        })
        .collect()
}

/// The `newsflow` binary built by `cargo build` (or `NEWSFLOW_BIN`).
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("NEWSFLOW_BIN") {
        return PathBuf::from(path);
    }
    // Tests run from target/<profile>/deps/, binaries from target/<profile>/.
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().expect("exe dir");
    let candidates = [
        dir.join("newsflow"),
        dir.parent().map(|p| p.join("newsflow")).unwrap_or_default(),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "newsflow binary not found next to {}: run `cargo build -p newsflow` first (make test does)",
                exe.display()
            )
        })
}

/// A worker process.
pub struct Worker {
    pub child: Child,
    pub metrics_port: u16,
    log: PathBuf,
}

impl Worker {
    /// Starts `newsflow run` on `topics`, with extra `NEWSFLOW__...` overrides.
    pub fn start(topics: &Topics, extra: &[(&str, &str)]) -> Worker {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("newsflow-e2e-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(binary());
        command
            .arg("run")
            .env_remove("NEWSFLOW_CONFIG")
            .env("NEWSFLOW__KAFKA__BOOTSTRAP_SERVERS", &topics.brokers)
            .env("NEWSFLOW__KAFKA__INPUT_TOPIC", &topics.input)
            .env("NEWSFLOW__KAFKA__ARTICLES_TOPIC", &topics.articles)
            .env("NEWSFLOW__KAFKA__DUPLICATES_TOPIC", &topics.duplicates)
            .env("NEWSFLOW__KAFKA__DLQ_TOPIC", &topics.dlq)
            .env("NEWSFLOW__KAFKA__SKIPPED_TOPIC", &topics.skipped)
            .env("NEWSFLOW__KAFKA__GROUP_ID", &topics.group)
            .env("NEWSFLOW__KAFKA__SESSION_TIMEOUT", "6s")
            .env("NEWSFLOW__KAFKA__DRAIN_TIMEOUT", "4s")
            .env("NEWSFLOW__KAFKA__COMMIT_INTERVAL", "500ms")
            .env("NEWSFLOW__KAFKA__WATCH_INTERVAL", "1s")
            .env("NEWSFLOW__TELEMETRY__LISTEN", format!("127.0.0.1:{port}"))
            .env("NEWSFLOW__TELEMETRY__LOG_LEVEL", "info,librdkafka=warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file);
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("start newsflow");
        Worker {
            child,
            metrics_port: port,
            log,
        }
    }

    /// GET a path on the worker's HTTP port.
    pub fn http_get(&self, path: &str) -> anyhow::Result<(u16, String)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.metrics_port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(stream, "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let status = response.split_whitespace().nth(1).context("no status")?.parse()?;
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        Ok((status, body))
    }

    /// Waits until `/readyz` answers 200.
    pub fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("worker exited early with {status}: {}", self.log());
            }
            if matches!(self.http_get("/readyz"), Ok((200, _))) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("worker not ready within {timeout:?}: {}", self.log())
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "worker did not exit within {timeout:?} of SIGTERM: {}",
            self.log()
        )
    }

    /// Peak resident memory of the worker (VmHWM), in bytes.
    pub fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    /// kill -9.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The value of one series of the worker's `/metrics` (e.g. `newsflow_stalled` or
    /// `newsflow_dedup_state_lost_total{store="redis"}`), when it is there.
    pub fn metric(&self, series: &str) -> Option<f64> {
        let (_, body) = self.http_get("/metrics").ok()?;
        body.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// Waits until `check(self)` holds; false after `timeout`.
    pub fn wait_for(&self, timeout: Duration, mut check: impl FnMut(&Worker) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if check(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        check(self)
    }

    /// Sends `signal` (`STOP`, `CONT`, ...) to the worker.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal} {pid}");
    }

    /// The worker's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A broker of a test's own (for outage tests), on `port` and `port + 1`; removed on drop.
pub struct OwnBroker {
    pub port: u16,
}

impl OwnBroker {
    fn script(&self, action: &str) {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let status = Command::new(root.join("scripts/kafka.sh"))
            .arg(action)
            .env("KAFKA_PORT", self.port.to_string())
            .env("KAFKA_CONTROLLER_PORT", (self.port + 1).to_string())
            .env("KAFKA_HEAP", "384m")
            .status()
            .expect("run scripts/kafka.sh");
        assert!(
            status.success(),
            "scripts/kafka.sh {action} failed on port {}",
            self.port
        );
    }

    /// Formats and starts a fresh broker.
    pub fn up(port: u16) -> OwnBroker {
        let broker = OwnBroker { port };
        broker.script("up");
        broker
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the broker, keeping its data.
    pub fn stop(&self) {
        self.script("stop");
    }

    /// Starts it again on its data.
    pub fn start(&self) {
        self.script("start");
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        self.script("down");
    }
}

/// The article event schema, compiled.
pub fn article_schema() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/newsflow.article.v1.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("valid schema")
}

/// Asserts `event` is a valid `newsflow.article.v1`.
#[track_caller]
pub fn assert_schema_valid(validator: &jsonschema::Validator, event: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(event)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "event does not match newsflow.article.v1: {errors:?}\n{event:#}"
    );
}

const WORDS: &[&str] = &[
    "minister",
    "council",
    "river",
    "harbour",
    "election",
    "budget",
    "village",
    "school",
    "farmers",
    "market",
    "energy",
    "winter",
    "summit",
    "court",
    "police",
    "railway",
    "hospital",
    "festival",
    "museum",
    "bridge",
    "storm",
    "coast",
    "factory",
    "union",
    "workers",
    "prices",
    "mayor",
    "citizens",
    "report",
    "research",
    "students",
    "teachers",
    "doctors",
    "nurses",
    "airport",
    "border",
    "ministers",
    "talks",
    "agreement",
    "plan",
    "city",
    "region",
    "province",
    "capital",
    "northern",
    "southern",
    "eastern",
    "western",
    "new",
    "old",
    "said",
    "announced",
    "warned",
    "promised",
    "rejected",
    "approved",
    "visited",
    "opened",
    "closed",
    "built",
    "the",
    "a",
    "of",
    "in",
    "on",
    "for",
    "with",
    "after",
    "before",
    "during",
    "and",
    "but",
    "while",
    "as",
];

/// A deterministic news page of about 250 words whose body is unique to `seed`.
pub fn article_html(seed: u64, url: &str) -> String {
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        WORDS[(state % WORDS.len() as u64) as usize]
    };
    let mut paragraphs = String::new();
    for _ in 0..5 {
        let sentence: Vec<&str> = (0..50).map(|_| next()).collect();
        paragraphs.push_str(&format!("<p>The {}.</p>\n", sentence.join(" ")));
    }
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {seed} | Daily Example</title>
<link rel="canonical" href="{url}"><meta property="og:title" content="Story {seed}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Story {seed}</h1><p class="byline">By Jane Example</p>
{paragraphs}</article>
<aside class="related"><h3>Related</h3><a href="/a">Another story</a> <a href="/b">More news</a></aside>
<footer>© Daily Example</footer></body></html>"#
    )
}

/// The Redis server the dedup tests use (`NEWSFLOW_TEST_REDIS`, default `redis://127.0.0.1:16379`, started
/// by `scripts/redis.sh up`; `make test` does it).
pub fn redis_url() -> String {
    std::env::var("NEWSFLOW_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:16379".to_owned())
}

/// Whether a Redis server answers `PING` at `host:port`.
pub fn redis_answers(host_port: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(host_port) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(stream.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

/// A Redis server of a test's own (for outage tests), on `port`; removed on drop.
pub struct OwnRedis {
    pub port: u16,
}

impl OwnRedis {
    fn script(&self, action: &str) {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let status = Command::new(root.join("scripts/redis.sh"))
            .arg(action)
            .env("REDIS_PORT", self.port.to_string())
            .status()
            .expect("run scripts/redis.sh");
        assert!(
            status.success(),
            "scripts/redis.sh {action} failed on port {}",
            self.port
        );
    }

    /// Starts a fresh, empty server.
    pub fn up(port: u16) -> OwnRedis {
        let redis = OwnRedis { port };
        redis.script("up");
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server and removes its data: it comes back empty.
    pub fn down(&self) {
        self.script("down");
    }

    /// Stops the server, keeping its data (an append-only file).
    pub fn stop(&self) {
        self.script("stop");
    }

    /// Starts a stopped server again on its data.
    pub fn start(&self) {
        self.script("start");
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.script("down");
    }
}

/// How a copy of a story differs from the story's first page (see [`story_html`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The story as first published.
    Original,
    /// The same body under another site's chrome (header, navigation, footer).
    Syndicated,
    /// About 3 % of the words changed, another site.
    Edited,
    /// The first 70 % of the words, another site.
    Truncated,
    /// An update paragraph appended, another site.
    Appended,
    /// A new headline and byline, another site's chrome.
    Rewrapped,
}

/// A news page of story `seed` (six paragraphs, about 270 words), as `variant` makes it, under `url`.
pub fn story_html(seed: u64, variant: Variant, url: &str) -> String {
    let mut state = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x2545_F491_4F6C_DD1D)
        | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        WORDS[(state % WORDS.len() as u64) as usize]
    };
    let mut words: Vec<String> = (0..270).map(|_| next().to_owned()).collect();
    match variant {
        Variant::Edited => {
            for (i, word) in words.iter_mut().enumerate() {
                if i % 33 == 16 {
                    *word = "altered".to_owned();
                }
            }
        }
        Variant::Truncated => words.truncate(189),
        Variant::Appended => words.extend(
            "update the ministry said on friday that the talks would resume next week after the council \
             approved a revised plan for the harbour and the railway"
                .split(' ')
                .map(str::to_owned),
        ),
        Variant::Original | Variant::Syndicated | Variant::Rewrapped => {}
    }
    let paragraphs: String = words
        .chunks(45)
        .map(|chunk| format!("<p>The {}.</p>\n", chunk.join(" ")))
        .collect();
    let (site, headline, byline) = match variant {
        Variant::Original => ("Daily Example", format!("Story {seed}"), "By Jane Example"),
        Variant::Rewrapped => (
            "Evening Courier",
            format!("What we know about story {seed} so far"),
            "By Max Mustermann, Courier staff",
        ),
        _ => ("Wire Mirror", format!("Story {seed}"), "By Jane Example"),
    };
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{headline} | {site}</title>
<link rel="canonical" href="{url}"></head>
<body><header><a href="/">{site}</a> <a href="/subscribe">Subscribe</a></header>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<article><h1>{headline}</h1><p class="byline">{byline}</p>
{paragraphs}</article>
<aside class="related"><h3>More from {site}</h3><a href="/x">Other news</a></aside>
<footer>© {site}. All rights reserved.</footer></body></html>"#
    )
}
