//! `[kafka]` options.

use std::collections::BTreeMap;

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
    /// Dead-letter topic. Default `news.raw-html.dlq`.
    pub dlq_topic: String,
    /// `earliest` or `latest`. Default `earliest`.
    pub auto_offset_reset: String,
    /// Consumer session timeout. Default 45000.
    pub session_timeout_ms: u64,
    /// Time given to in-flight messages on revoke and shutdown; below `session_timeout_ms`. Default 15000.
    pub drain_timeout_ms: u64,
    /// Auto-commit interval of stored offsets. Default 2000.
    pub commit_interval_ms: u64,
    /// librdkafka `queued.min.messages`. Default 200.
    pub queued_min_messages: u64,
    /// librdkafka `queued.max.messages.kbytes`. Default 32768.
    pub queued_max_messages_kbytes: u64,
    /// Largest record fetched or produced. Default 10485760.
    pub max_message_bytes: u64,
    /// Time for one produce attempt before it is retried. Default 30000.
    pub message_timeout_ms: u64,
    /// Producer linger. Default 10.
    pub linger_ms: u64,
    /// Producer compression codec. Default `lz4`.
    pub compression: String,
    /// librdkafka statistics interval (consumer lag). Default 5000.
    pub statistics_interval_ms: u64,
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
            auto_offset_reset: "earliest".to_owned(),
            session_timeout_ms: 45_000,
            drain_timeout_ms: 15_000,
            commit_interval_ms: 2_000,
            queued_min_messages: 200,
            queued_max_messages_kbytes: 32_768,
            max_message_bytes: 10_485_760,
            message_timeout_ms: 30_000,
            linger_ms: 10,
            compression: "lz4".to_owned(),
            statistics_interval_ms: 5_000,
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
        if self.drain_timeout_ms >= self.session_timeout_ms {
            return invalid(format!(
                "kafka.drain_timeout_ms ({}) must be less than kafka.session_timeout_ms ({})",
                self.drain_timeout_ms, self.session_timeout_ms
            ));
        }
        if !matches!(self.auto_offset_reset.as_str(), "earliest" | "latest") {
            return invalid(format!(
                "kafka.auto_offset_reset must be \"earliest\" or \"latest\", got {:?}",
                self.auto_offset_reset
            ));
        }
        if !matches!(
            self.compression.as_str(),
            "none" | "gzip" | "snappy" | "lz4" | "zstd"
        ) {
            return invalid(format!(
                "kafka.compression {:?} is not one of none, gzip, snappy, lz4, zstd",
                self.compression
            ));
        }
        let topics = [
            &self.input_topic,
            &self.articles_topic,
            &self.duplicates_topic,
            &self.dlq_topic,
        ];
        if topics.iter().any(|t| t.trim().is_empty()) {
            return invalid("kafka topics must not be empty".to_owned());
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

    pub(crate) fn consumer_properties(&self) -> Vec<(String, String)> {
        let mut props = self.common_properties();
        props.extend(
            [
                ("group.id", self.group_id.clone()),
                ("enable.auto.commit", "true".to_owned()),
                ("enable.auto.offset.store", "false".to_owned()),
                ("auto.commit.interval.ms", self.commit_interval_ms.to_string()),
                ("auto.offset.reset", self.auto_offset_reset.clone()),
                ("session.timeout.ms", self.session_timeout_ms.to_string()),
                ("enable.partition.eof", "false".to_owned()),
                ("queued.min.messages", self.queued_min_messages.to_string()),
                (
                    "queued.max.messages.kbytes",
                    self.queued_max_messages_kbytes.to_string(),
                ),
                ("fetch.message.max.bytes", self.max_message_bytes.to_string()),
                ("statistics.interval.ms", self.statistics_interval_ms.to_string()),
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
                ("message.timeout.ms", self.message_timeout_ms.to_string()),
                ("linger.ms", self.linger_ms.to_string()),
                ("compression.type", self.compression.clone()),
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
            |c| c.drain_timeout_ms = 50_000,
            Some("must be less than kafka.session_timeout_ms"),
        );
        check(
            |c| c.auto_offset_reset = "smallest".into(),
            Some("auto_offset_reset"),
        );
        check(|c| c.compression = "brotli".into(), Some("compression"));
        check(
            |c| c.articles_topic = c.input_topic.clone(),
            Some("also an output topic"),
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
}
