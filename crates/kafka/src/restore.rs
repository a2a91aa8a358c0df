//! The in-process dedup state, rebuilt at start from the events published within the dedup window.
//!
//! A memory store lives and dies with its process, but what it decided is not lost with it: every
//! decision went out as an article event (`articles_topic` or `duplicates_topic`), and the broker
//! acknowledged that event before the input offset was stored. So before joining its group, a worker
//! with the memory store reads both topics from `now - window` up to their ends as they are at start,
//! and restores each decision ([`Pipeline::restore`]). After a crash, every input whose offset was
//! committed finds its decision restored; an input that was not committed is delivered again and finds
//! its own earlier decision, so it keeps its verdict.
//!
//! Not restored: articles routed to `drop` (never published) and events of a fail-open store (`unknown`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use model::ArticleEvent;
use pipeline::Pipeline;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use telemetry::{Health, Throttle};
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::context::{ClientEvents, broker_answered};
use crate::{KafkaConfig, KafkaError};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
static READ_ERRORS: Throttle = Throttle::new(Duration::from_secs(30));

/// One past the last offset to read, per topic and partition.
type Ends = HashMap<(String, i32), i64>;

/// What a restore read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Restored {
    /// Decisions restored.
    pub events: u64,
    /// Events read that held no decision to restore, or could not be read.
    pub skipped: u64,
    /// Bytes of event values read.
    pub bytes: u64,
}

/// Reads the output topics of `config` from `now_ms - window_secs` to their current ends and restores
/// every published decision into `pipeline`'s dedup state. Stops early, with what it has, when `shutdown`
/// is cancelled.
pub(crate) fn restore_dedup_state(
    config: &KafkaConfig,
    pipeline: &Pipeline,
    health: &Health,
    window_secs: i64,
    now_ms: i64,
    shutdown: &CancellationToken,
) -> Result<Restored, KafkaError> {
    let started = Instant::now();
    let mut properties = config.consumer_properties();
    // A reader of its own: assigned, never a group member, never committing.
    for (key, value) in &mut properties {
        match key.as_str() {
            "group.id" => *value = format!("{}.restore", config.group_id),
            "enable.auto.commit" => *value = "false".to_owned(),
            _ => {}
        }
    }
    let consumer: BaseConsumer<ClientEvents> =
        crate::worker::client_config(properties).create_with_context(ClientEvents {
            health: health.clone(),
        })?;
    let mut topics = vec![config.articles_topic.as_str(), config.duplicates_topic.as_str()];
    topics.dedup();
    let since_ms = now_ms.saturating_sub(window_secs.saturating_mul(1000));
    // The broker may be away or still electing leaders: what cannot be read yet is asked again; the
    // worker stays not ready meanwhile.
    let mut backoff = Backoff::default();
    let (assignment, mut ends) = loop {
        match plan(&consumer, &topics, since_ms) {
            Ok(plan) => {
                broker_answered(health);
                break plan;
            }
            Err(err) => {
                if let Some(suppressed) = READ_ERRORS.allow("plan") {
                    tracing::warn!(error = %err, suppressed, "cannot read where the published events start; retrying");
                }
                let until = Instant::now() + backoff.next_delay();
                while Instant::now() < until {
                    if shutdown.is_cancelled() {
                        return Ok(Restored::default());
                    }
                    // Waits while serving the client's errors: a refused handshake says so, and why.
                    let _ = consumer.poll(Duration::from_millis(50));
                }
            }
        }
    };
    tracing::info!(
        topics = ?topics,
        partitions = ends.len(),
        since = %model::rfc3339_millis(since_ms),
        "restoring the dedup state from published events"
    );
    let mut restored = Restored::default();
    if ends.is_empty() {
        return Ok(restored);
    }
    consumer.assign(&assignment)?;
    let mut last_progress = Instant::now();
    while !ends.is_empty() && !shutdown.is_cancelled() {
        match consumer.poll(Duration::from_millis(200)) {
            None => {}
            Some(Err(err)) => {
                if let Some(suppressed) = READ_ERRORS.allow(&err.to_string()) {
                    tracing::warn!(error = %err, suppressed, "reading published events failed; retrying");
                }
            }
            Some(Ok(message)) => {
                let key = (message.topic().to_owned(), message.partition());
                let Some(&end) = ends.get(&key) else { continue };
                if message.offset() < end {
                    let value = message.payload().unwrap_or_default();
                    restored.bytes += value.len() as u64;
                    match ArticleEvent::from_json(value).map(|event| pipeline.restore(&event)) {
                        Ok(Ok(true)) => restored.events += 1,
                        Ok(Ok(false)) | Err(_) => restored.skipped += 1,
                        Ok(Err(failure)) => {
                            restored.skipped += 1;
                            tracing::warn!(store = failure.store, error = %failure.detail, "cannot restore a decision");
                        }
                    }
                }
                if message.offset() + 1 >= end {
                    ends.remove(&key);
                }
            }
        }
        if last_progress.elapsed() >= PROGRESS_EVERY {
            tracing::info!(
                events = restored.events,
                partitions_left = ends.len(),
                "restoring the dedup state"
            );
            last_progress = Instant::now();
        }
    }
    tracing::info!(
        events = restored.events,
        skipped = restored.skipped,
        megabytes = restored.bytes / 1_000_000,
        seconds = started.elapsed().as_secs_f64(),
        complete = ends.is_empty(),
        "dedup state restored"
    );
    Ok(restored)
}

/// Where to read: each partition of `topics` from its first offset at or after `since_ms`, up to its
/// high watermark now; partitions with nothing in between are left out.
fn plan(
    consumer: &BaseConsumer<ClientEvents>,
    topics: &[&str],
    since_ms: i64,
) -> Result<(TopicPartitionList, Ends), KafkaError> {
    let metadata = consumer.fetch_metadata(None, REQUEST_TIMEOUT)?;
    let mut by_time = TopicPartitionList::new();
    for topic in topics {
        let Some(found) = metadata.topics().iter().find(|t| t.name() == *topic) else {
            continue;
        };
        for partition in found.partitions() {
            by_time.add_partition_offset(topic, partition.id(), Offset::Offset(since_ms))?;
        }
    }
    let starts = consumer.offsets_for_times(by_time, REQUEST_TIMEOUT)?;
    let mut assignment = TopicPartitionList::new();
    let mut ends = Ends::new();
    for element in starts.elements() {
        let Offset::Offset(start) = element.offset() else {
            continue; // nothing published since `since_ms`
        };
        let (_, high) = consumer.fetch_watermarks(element.topic(), element.partition(), REQUEST_TIMEOUT)?;
        if start < high {
            assignment.add_partition_offset(element.topic(), element.partition(), Offset::Offset(start))?;
            ends.insert((element.topic().to_owned(), element.partition()), high);
        }
    }
    Ok((assignment, ends))
}
