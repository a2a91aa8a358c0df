//! Sending one record: retried with backoff until the broker acknowledges it, except when the broker
//! refuses it as too large (the caller sends something smaller) or the worker abandons unfinished work.

use std::time::Duration;

use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use telemetry::{Health, Throttle, events};
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::context::Producer;
use crate::records::{self, Record};

/// Every in-flight message retries while the broker is away: one line per 30 s per topic.
static PRODUCE_FAILURES: Throttle = Throttle::new(Duration::from_secs(30));

/// Time an attempt waits for room in the producer's queue.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a record was not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undelivered {
    /// Larger than the producer or the broker accept.
    TooLarge,
    /// The worker abandoned unfinished work (drain deadline).
    Abandoned,
}

/// Publishes `record`, retrying from the first delay of `backoff` until the broker acknowledges it.
pub(crate) async fn deliver(
    producer: &Producer,
    health: &Health,
    record: &Record,
    abandon: &CancellationToken,
    backoff: &mut Backoff,
) -> Result<(), Undelivered> {
    let headers = owned_headers(&record.headers);
    backoff.reset();
    loop {
        let mut future = FutureRecord::to(&record.topic)
            .payload(&record.value)
            .headers(headers.clone());
        if let Some(key) = &record.key {
            future = future.key(key);
        }
        let Err((err, _)) = producer.send(future, Timeout::After(QUEUE_TIMEOUT)).await else {
            events::message_produced(&record.topic);
            if health.allow("write", "topic", &record.topic) {
                tracing::info!(topic = %record.topic, "the broker accepts writes to the topic again");
            }
            return Ok(());
        };
        if err.rdkafka_error_code() == Some(RDKafkaErrorCode::TopicAuthorizationFailed) {
            events::denied("write", "topic");
            if health.deny("write", "topic", &record.topic) {
                tracing::error!(
                    topic = %record.topic,
                    operation = "write",
                    "the broker denies the worker writing to the topic (ACL): retrying, nothing is committed \
                     past it; not ready"
                );
            }
        }
        if matches!(
            err.rdkafka_error_code(),
            Some(RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidMessageSize)
        ) {
            return Err(Undelivered::TooLarge);
        }
        events::produce_retry(&record.topic);
        let delay = backoff.next_delay();
        if let Some(suppressed) = PRODUCE_FAILURES.allow(&record.topic) {
            tracing::warn!(
                error = %err,
                topic = %record.topic,
                suppressed,
                "produce failed; retrying until the broker acknowledges"
            );
        }
        tokio::select! {
            () = abandon.cancelled() => return Err(Undelivered::Abandoned),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

fn owned_headers(headers: &[records::Header]) -> OwnedHeaders {
    headers.iter().fold(
        OwnedHeaders::new_with_capacity(headers.len()),
        |owned, (key, value)| {
            owned.insert(Header {
                key: key.as_str(),
                value: value.as_deref(),
            })
        },
    )
}
