//! `[kafka]` options.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::KafkaError;

/// Kafka connection, topics and delivery options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// Comma-separated bootstrap brokers. Default `127.0.0.1:9092`.
    pub bootstrap_servers: String,
    /// Consumer group. Default `newsflow`.
    pub group_id: String,
    /// Topic read. Default `news.raw-html`.
    pub input_topic: String,
    /// Topic for unique articles (and every event of a worker that does not run dedup). Default `news.articles`.
    pub articles_topic: String,
    /// Topic for duplicates. Default `news.duplicates`.
    pub duplicates_topic: String,
    /// Dead-letter topic: messages that need a person. Default `news.raw-html.dlq`.
    pub dlq_topic: String,
    /// Where pages that are not articles (`not_article`) and failed fetches (`http_error`) go, with the
    /// dead-letter headers: outcomes, not errors. Empty: they go to the dead-letter topic. Default
    /// `news.skipped`.
    pub skipped_topic: String,
    /// Where a group without a committed offset starts: `earliest` or `latest`. Default `earliest`.
    pub auto_offset_reset: OffsetReset,
    /// Consumer session timeout. Default 45 s.
    #[serde(with = "humantime_serde")]
    pub session_timeout: Duration,
    /// Time given to in-flight messages on revoke and shutdown; below `session_timeout`. Default 15 s.
    #[serde(with = "humantime_serde")]
    pub drain_timeout: Duration,
    /// Auto-commit interval of stored offsets. Default 2 s.
    #[serde(with = "humantime_serde")]
    pub commit_interval: Duration,
    /// librdkafka `queued.min.messages`. Default 200.
    pub queued_min_messages: u64,
    /// librdkafka `queued.max.messages.kbytes`. Default 32768.
    pub queued_max_messages_kbytes: u64,
    /// Largest record fetched or produced. Default 10485760.
    pub max_message_bytes: u64,
    /// A fetch waits on the broker until this many bytes are ready, or `fetch_wait` has passed
    /// (librdkafka `fetch.min.bytes`). Pages that trickle in then come several to a fetch, not one:
    /// fewer requests on the broker and fewer wake-ups in the worker. Default 1048576.
    pub fetch_min_bytes: u64,
    /// The longest a fetch waits for `fetch_min_bytes` (librdkafka `fetch.wait.max.ms`): what a page
    /// may wait when input is slow, and how often an idle worker fetches. Default 50 ms.
    #[serde(with = "humantime_serde")]
    pub fetch_wait: Duration,
    /// Time for one produce attempt before it is retried. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub message_timeout: Duration,
    /// Producer linger: how long outputs gather into one request. Default 50 ms.
    #[serde(with = "humantime_serde")]
    pub linger: Duration,
    /// Producer compression codec. Default `lz4`.
    pub compression: Compression,
    /// How often the consumer measures the lag of its partitions (high watermark against committed
    /// offset) and looks for a stall. Default 5 s.
    #[serde(with = "humantime_serde")]
    pub watch_interval: Duration,
    /// Owned partitions with lag whose committed offset does not move for this long, for no reason the
    /// worker knows (broker unreachable, dedup state unavailable), are a stall: logged, counted in
    /// `newsflow_stalled`, and liveness fails so that the pod is restarted. Default 2 min.
    #[serde(with = "humantime_serde")]
    pub stall_timeout: Duration,
    /// Consume errors that go on this long with no message in between (a codec the client lacks, an
    /// authorization error, a partition without a leader) make the worker not ready. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub consume_error_timeout: Duration,
    /// Extra librdkafka properties for both clients (security settings, for example).
    pub properties: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            bootstrap_servers: "127.0.0.1:9092".to_owned(),
            group_id: "newsflow".to_owned(),
            input_topic: "news.raw-html".to_owned(),
            articles_topic: "news.articles".to_owned(),
            duplicates_topic: "news.duplicates".to_owned(),
            dlq_topic: "news.raw-html.dlq".to_owned(),
            skipped_topic: "news.skipped".to_owned(),
            auto_offset_reset: OffsetReset::Earliest,
            session_timeout: Duration::from_secs(45),
            drain_timeout: Duration::from_secs(15),
            commit_interval: Duration::from_secs(2),
            queued_min_messages: 200,
            queued_max_messages_kbytes: 32_768,
            max_message_bytes: 10_485_760,
            fetch_min_bytes: 1_048_576,
            fetch_wait: Duration::from_millis(50),
            message_timeout: Duration::from_secs(30),
            linger: Duration::from_millis(50),
            compression: Compression::Lz4,
            watch_interval: Duration::from_secs(5),
            stall_timeout: Duration::from_secs(120),
            consume_error_timeout: Duration::from_secs(30),
            properties: BTreeMap::new(),
        }
    }
}

/// librdkafka properties that `kafka.properties` may not override: they carry the delivery guarantees
/// or have their own `[kafka]` key.
const RESERVED: &[&str] = &[
    "bootstrap.servers",
    "group.id",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.idempotence",
    "acks",
    "request.required.acks",
    "auto.offset.reset",
    "session.timeout.ms",
    "auto.commit.interval.ms",
    "queued.min.messages",
    "queued.max.messages.kbytes",
    "fetch.message.max.bytes",
    "fetch.min.bytes",
    "fetch.wait.max.ms",
    "message.max.bytes",
    "message.timeout.ms",
    "statistics.interval.ms",
    "enable.partition.eof",
];

/// Property keys whose values are secrets.
pub fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "key", "token"]
        .iter()
        .any(|word| key.contains(word))
}

impl KafkaConfig {
    /// Cross-field checks.
    pub fn validate(&self) -> Result<(), KafkaError> {
        let invalid = |msg: String| Err(KafkaError::Config(msg));
        if self.bootstrap_servers.trim().is_empty() {
            return invalid("kafka.bootstrap_servers is empty".to_owned());
        }
        if self.drain_timeout >= self.session_timeout {
            return invalid(format!(
                "kafka.drain_timeout ({:?}) must be less than kafka.session_timeout ({:?})",
                self.drain_timeout, self.session_timeout
            ));
        }
        if self.watch_interval.is_zero() || self.stall_timeout <= self.watch_interval {
            return invalid(format!(
                "kafka.stall_timeout ({:?}) must be longer than kafka.watch_interval ({:?}), which must be \
                 positive",
                self.stall_timeout, self.watch_interval
            ));
        }
        if self.stall_timeout <= self.commit_interval {
            return invalid(format!(
                "kafka.stall_timeout ({:?}) must be longer than kafka.commit_interval ({:?})",
                self.stall_timeout, self.commit_interval
            ));
        }
        if !(1..=100_000_000).contains(&self.fetch_min_bytes) {
            return invalid(format!(
                "kafka.fetch_min_bytes ({}) must be between 1 and 100000000",
                self.fetch_min_bytes
            ));
        }
        // librdkafka needs a fetch to come back well within its socket timeout (60 s).
        if self.fetch_wait > Duration::from_secs(30) {
            return invalid(format!(
                "kafka.fetch_wait ({:?}) must be at most 30s",
                self.fetch_wait
            ));
        }
        let topics = [
            &self.input_topic,
            &self.articles_topic,
            &self.duplicates_topic,
            &self.dlq_topic,
        ];
        if topics.iter().any(|t| t.trim().is_empty()) {
            return invalid("kafka topics must not be empty (only skipped_topic may be)".to_owned());
        }
        if self.skipped_topic == self.input_topic {
            return invalid(format!(
                "kafka.skipped_topic {:?} is also the input topic",
                self.skipped_topic
            ));
        }
        if let Some(key) = self
            .properties
            .keys()
            .find(|key| RESERVED.contains(&key.as_str()))
        {
            return invalid(format!(
                "kafka.properties.{key:?} cannot be set: newsflow sets it to keep delivery at least once \
                 (use the [kafka] key of the same meaning, if there is one)"
            ));
        }
        if topics[1..].contains(&&self.input_topic) {
            return invalid(format!(
                "kafka.input_topic {:?} is also an output topic",
                self.input_topic
            ));
        }
        Ok(())
    }

    /// The input topic, then the output topics (the skipped topic when there is one).
    pub(crate) fn topics(&self) -> Vec<&str> {
        let mut topics = vec![
            self.input_topic.as_str(),
            &self.articles_topic,
            &self.duplicates_topic,
            &self.dlq_topic,
        ];
        if !self.skipped_topic.is_empty() {
            topics.push(&self.skipped_topic);
        }
        topics
    }

    pub(crate) fn consumer_properties(&self) -> Vec<(String, String)> {
        let mut props = self.common_properties();
        props.extend(
            [
                ("group.id", self.group_id.clone()),
                ("enable.auto.commit", "true".to_owned()),
                ("enable.auto.offset.store", "false".to_owned()),
                ("auto.commit.interval.ms", millis(self.commit_interval)),
                ("auto.offset.reset", self.auto_offset_reset.as_str().to_owned()),
                ("session.timeout.ms", millis(self.session_timeout)),
                ("enable.partition.eof", "false".to_owned()),
                ("queued.min.messages", self.queued_min_messages.to_string()),
                (
                    "queued.max.messages.kbytes",
                    self.queued_max_messages_kbytes.to_string(),
                ),
                ("fetch.message.max.bytes", self.max_message_bytes.to_string()),
                ("fetch.min.bytes", self.fetch_min_bytes.to_string()),
                ("fetch.wait.max.ms", millis(self.fetch_wait)),
                // librdkafka waits this long before fetching again once its queue is full (default
                // 1 s): with large pages the queue drains in less, and the worker sat idle in between.
                ("fetch.queue.backoff.ms", "10".to_owned()),
                // How soon the consumer learns that it may read a topic again (Read granted, the topic
                // created again): librdkafka's default is 5 minutes.
                ("topic.metadata.refresh.interval.ms", millis(self.watch_interval)),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        props.extend(self.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        props
    }

    pub(crate) fn producer_properties(&self) -> Vec<(String, String)> {
        let mut props = self.common_properties();
        props.extend(
            [
                ("enable.idempotence", "true".to_owned()),
                ("acks", "all".to_owned()),
                ("message.timeout.ms", millis(self.message_timeout)),
                ("linger.ms", millis(self.linger)),
                ("compression.type", self.compression.as_str().to_owned()),
                ("message.max.bytes", self.max_message_bytes.to_string()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        props.extend(self.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        props
    }

    fn common_properties(&self) -> Vec<(String, String)> {
        vec![
            ("bootstrap.servers".to_owned(), self.bootstrap_servers.clone()),
            ("client.id".to_owned(), "newsflow".to_owned()),
            ("reconnect.backoff.ms".to_owned(), "100".to_owned()),
            ("reconnect.backoff.max.ms".to_owned(), "5000".to_owned()),
        ]
    }
}

/// Where a consumer group without a committed offset starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    /// The oldest message kept.
    Earliest,
    /// Only messages produced from now on.
    Latest,
}

impl OffsetReset {
    fn as_str(self) -> &'static str {
        match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
        }
    }
}

/// Compression codec of the records the worker produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    /// Uncompressed.
    None,
    /// gzip.
    Gzip,
    /// Snappy.
    Snappy,
    /// LZ4.
    Lz4,
    /// Zstandard.
    Zstd,
}

impl Compression {
    fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// A duration as librdkafka's `*.ms` properties take it.
fn millis(duration: Duration) -> String {
    duration.as_millis().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(change: impl FnOnce(&mut KafkaConfig), expected_error: Option<&str>) {
        let mut config = KafkaConfig::default();
        change(&mut config);
        match (config.validate(), expected_error) {
            (Ok(()), None) => {}
            (Err(err), Some(expected)) => assert!(err.to_string().contains(expected), "{err}"),
            (got, expected) => panic!("got {got:?}, expected error {expected:?}"),
        }
    }

    #[test]
    fn validation() {
        check(|_| {}, None);
        check(
            |c| c.drain_timeout = Duration::from_secs(50),
            Some("must be less than kafka.session_timeout"),
        );
        check(
            |c| c.stall_timeout = Duration::from_secs(5),
            Some("must be longer than kafka.watch_interval"),
        );
        check(
            |c| {
                c.watch_interval = Duration::from_secs(1);
                c.stall_timeout = Duration::from_secs(2);
            },
            Some("must be longer than kafka.commit_interval"),
        );
        check(
            |c| c.articles_topic = c.input_topic.clone(),
            Some("also an output topic"),
        );
        check(
            |c| c.fetch_min_bytes = 0,
            Some("fetch_min_bytes (0) must be between"),
        );
        check(
            |c| c.fetch_wait = Duration::from_secs(31),
            Some("fetch_wait (31s) must be at most 30s"),
        );
        check(
            |c| drop(c.properties.insert("fetch.wait.max.ms".into(), "500".into())),
            Some("cannot be set"),
        );
        check(
            |c| c.bootstrap_servers = " ".into(),
            Some("bootstrap_servers is empty"),
        );
        check(
            |c| {
                drop(
                    c.properties
                        .insert("enable.auto.offset.store".into(), "true".into()),
                )
            },
            Some("cannot be set"),
        );
        check(
            |c| drop(c.properties.insert("security.protocol".into(), "SASL_SSL".into())),
            None,
        );
    }

    #[test]
    fn at_least_once_settings_are_fixed() {
        let config = KafkaConfig::default();
        let consumer = config.consumer_properties();
        assert!(consumer.contains(&("enable.auto.offset.store".into(), "false".into())));
        let producer = config.producer_properties();
        assert!(producer.contains(&("enable.idempotence".into(), "true".into())));
        assert!(is_secret("sasl.password") && !is_secret("sasl.username"));
    }

    #[test]
    fn fetches_wait_for_several_pages() {
        let config = KafkaConfig {
            fetch_wait: Duration::from_millis(20),
            ..KafkaConfig::default()
        };
        let consumer = config.consumer_properties();
        assert!(consumer.contains(&("fetch.min.bytes".into(), "1048576".into())));
        assert!(consumer.contains(&("fetch.wait.max.ms".into(), "20".into())));
        assert!(
            !config
                .producer_properties()
                .iter()
                .any(|(key, _)| key.starts_with("fetch."))
        );
    }
}
