//! How old the group's lag is: per partition of the input topic, how long ago the first message the group
//! has not consumed was written (its record timestamp), 0 without lag. A reader of its own on a thread of
//! its own reads that one message per lagging partition every `kafka.watch_interval`, so the consumer never
//! waits for it. Every replica measures every partition, as for the lag in messages.

use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use telemetry::{Health, events};
use tokio_util::sync::CancellationToken;

use crate::context::ClientEvents;
use crate::watch::group_marks;
use crate::worker::now_ms;
use crate::{KafkaConfig, KafkaError};

/// Time to wait for the one message of a partition.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// Starts the reader; it stops when `shutdown` is cancelled.
pub(crate) fn spawn(
    config: &KafkaConfig,
    health: &Health,
    shutdown: CancellationToken,
) -> Result<std::thread::JoinHandle<()>, KafkaError> {
    let consumer = crate::watch::observer(config, health)?;
    let (topic, group, interval) = (
        config.input_topic.clone(),
        config.group_id.clone(),
        config.watch_interval,
    );
    std::thread::Builder::new()
        .name("kafka-lag-age".to_owned())
        .spawn(move || {
            while !shutdown.is_cancelled() {
                let next = Instant::now() + interval;
                measure(&consumer, &topic, &group, &shutdown);
                while Instant::now() < next && !shutdown.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
        .map_err(|err| KafkaError::Thread(err.to_string()))
}

fn measure(consumer: &BaseConsumer<ClientEvents>, topic: &str, group: &str, shutdown: &CancellationToken) {
    let Some(marks) = group_marks(consumer, topic) else {
        return;
    };
    for (partition, (low, high, committed)) in marks {
        if shutdown.is_cancelled() {
            return;
        }
        let position = committed.unwrap_or(low).max(low);
        let seconds = if position >= high {
            0.0
        } else {
            match first_timestamp(consumer, topic, partition, position) {
                Some(written) => (now_ms() - written).max(0) as f64 / 1000.0,
                None => continue,
            }
        };
        events::group_lag_seconds(group, topic, partition, seconds);
    }
}

/// The timestamp of the message at `offset` of `topic`/`partition` (or of the first one after it, when
/// it was compacted away); `None` when it does not come within [`READ_TIMEOUT`].
fn first_timestamp(
    consumer: &BaseConsumer<ClientEvents>,
    topic: &str,
    partition: i32,
    offset: i64,
) -> Option<i64> {
    let mut assignment = TopicPartitionList::with_capacity(1);
    assignment
        .add_partition_offset(topic, partition, Offset::Offset(offset))
        .ok()?;
    consumer.assign(&assignment).ok()?;
    let deadline = Instant::now() + READ_TIMEOUT;
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(message)) if message.partition() == partition && message.offset() >= offset => {
                return message.timestamp().to_millis();
            }
            _ => {}
        }
    }
    None
}
