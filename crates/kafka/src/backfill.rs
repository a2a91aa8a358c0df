//! Loading pages into the input topic (`newsflow produce`): an idempotent producer (`acks=all`,
//! retried by librdkafka until `message.timeout.ms`) whose every delivery report is counted, so that
//! the caller knows how many records the broker acknowledged and whether any was not.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::FromClientConfigAndContext;
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};

use crate::{Compression, KafkaConfig, KafkaError};

/// How long a topic may be missing from the broker's metadata before it is taken as not existing.
const TOPIC_WAIT: Duration = Duration::from_secs(3);

/// Time to wait for room in the producer's queue before trying again.
const QUEUE_FULL_WAIT: Duration = Duration::from_millis(5);

/// How the records sent so far stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Acknowledged by the broker (every in-sync replica).
    pub acknowledged: u64,
    /// Not acknowledged: refused, or not delivered within `message.timeout.ms`.
    pub failed: u64,
    /// Sent and not reported yet.
    pub pending: u64,
    /// The first reason a record was not acknowledged.
    pub first_error: Option<String>,
}

/// Counts delivery reports.
#[derive(Default)]
struct Reports {
    sent: AtomicU64,
    acknowledged: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Reports {
    fn fail(&self, error: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_error.lock() {
            first.get_or_insert(error);
        }
    }
}

impl ClientContext for Reports {}

impl ProducerContext for Reports {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            Err((err, _)) => self.fail(err.to_string()),
        }
    }
}

/// A producer of raw-page records into one topic, for backfills.
pub struct Backfill {
    producer: ThreadedProducer<Reports>,
    topic: String,
}

impl Backfill {
    /// A producer to `topic` with the `[kafka]` settings of `config` (brokers, security properties,
    /// `message.timeout.ms`, `linger.ms`, largest message) and `compression`. Fails when the broker does
    /// not answer within `timeout` or the topic does not exist.
    pub fn new(
        config: &KafkaConfig,
        topic: &str,
        compression: Compression,
        timeout: Duration,
    ) -> Result<Self, KafkaError> {
        let config = KafkaConfig {
            compression,
            ..config.clone()
        };
        let mut client = crate::worker::client_config(config.producer_properties());
        client.set("client.id", "newsflow-produce");
        let producer = ThreadedProducer::from_config_and_context(&client, Reports::default())?;
        // A topic created a moment ago may not be in the broker's metadata yet: ask again for a while.
        let give_up = Instant::now() + TOPIC_WAIT;
        loop {
            let metadata = producer.client().fetch_metadata(Some(topic), timeout)?;
            let present = metadata
                .topics()
                .iter()
                .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty());
            if present {
                break;
            }
            if Instant::now() >= give_up {
                return Err(KafkaError::MissingTopic(topic.to_owned()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(Backfill {
            producer,
            topic: topic.to_owned(),
        })
    }

    /// Queues one record; waits while the producer's queue is full. A record the producer refuses
    /// outright (larger than `message.max.bytes`) counts as failed.
    pub fn send(&self, key: Option<&[u8]>, value: &[u8]) {
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic).payload(value);
        if let Some(key) = key {
            record = record.key(key);
        }
        let reports = self.producer.context();
        loop {
            match self.producer.send(record) {
                Ok(()) => {
                    reports.sent.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Err((RdKafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    std::thread::sleep(QUEUE_FULL_WAIT);
                }
                Err((err, _)) => {
                    reports.sent.fetch_add(1, Ordering::Relaxed);
                    reports.fail(err.to_string());
                    return;
                }
            }
        }
    }

    /// Where the records sent so far stand.
    pub fn delivered(&self) -> Delivered {
        let reports = self.producer.context();
        let acknowledged = reports.acknowledged.load(Ordering::Relaxed);
        let failed = reports.failed.load(Ordering::Relaxed);
        let sent = reports.sent.load(Ordering::Relaxed);
        Delivered {
            acknowledged,
            failed,
            pending: sent.saturating_sub(acknowledged + failed),
            first_error: reports.first_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Waits up to `timeout` for every record's report; what is still unreported then counts as not
    /// acknowledged.
    pub fn finish(self, timeout: Duration) -> Delivered {
        if let Err(err) = self.producer.flush(timeout) {
            let mut delivered = self.delivered();
            delivered.failed += delivered.pending;
            delivered.pending = 0;
            delivered.first_error.get_or_insert(format!("flush: {err}"));
            return delivered;
        }
        self.delivered()
    }
}
