//! The watch: a thread with a client of its own that, every `kafka.watch_interval`, reads the group's
//! committed offsets and the watermarks of every input partition, exports the group's lag (whoever owns
//! the partition, so a hung or frozen replica's lag shows on the others) and this worker's lag on the
//! partitions it owns, and feeds the stall [`Watchdog`].
//!
//! It runs beside the consumer, never on its thread: those requests wait behind the consumer's fetches
//! on the broker's connection (seconds under a backlog), and a consumer thread waiting for them stops
//! consuming. Off that thread, the watchdog also sees a consumer thread that hangs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::TopicPartitionList;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use telemetry::{Condition, Health, events};
use tokio_util::sync::CancellationToken;

use crate::context::ClientEvents;
use crate::tracker::Tracker;
use crate::watchdog::{Observation, Stalled, Watchdog};
use crate::worker::client_config;
use crate::{KafkaConfig, KafkaError};

/// Time for each watermark or committed-offset request.
const WATCH_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// A client that only looks at the group: the group's own id, to read its committed offsets; never
/// subscribed (so never a member), never committing, and fetching little.
pub(crate) fn observer(
    config: &KafkaConfig,
    health: &Health,
) -> Result<BaseConsumer<ClientEvents>, KafkaError> {
    let mut properties = config.consumer_properties();
    for (key, value) in &mut properties {
        match key.as_str() {
            "enable.auto.commit" | "enable.auto.offset.store" => *value = "false".to_owned(),
            "queued.min.messages" => *value = "1".to_owned(),
            "queued.max.messages.kbytes" => *value = "1024".to_owned(),
            _ => {}
        }
    }
    Ok(client_config(properties).create_with_context(ClientEvents {
        health: health.clone(),
    })?)
}

/// Starts the watch; it stops when `shutdown` is cancelled.
pub(crate) fn spawn(
    config: &KafkaConfig,
    health: &Health,
    tracker: &Arc<Tracker>,
    shutdown: CancellationToken,
) -> Result<std::thread::JoinHandle<()>, KafkaError> {
    let consumer = observer(config, health)?;
    let mut watch = Watch {
        consumer,
        tracker: tracker.clone(),
        watchdog: Watchdog::new(config.stall_timeout),
        topic: config.input_topic.clone(),
        group: config.group_id.clone(),
    };
    let (health, interval) = (health.clone(), config.watch_interval);
    std::thread::Builder::new()
        .name("kafka-watch".to_owned())
        .spawn(move || {
            while !shutdown.is_cancelled() {
                let next = Instant::now() + interval;
                while Instant::now() < next && !shutdown.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(100).min(interval));
                }
                if !shutdown.is_cancelled() {
                    watch.look(&health);
                }
            }
        })
        .map_err(|err| KafkaError::Thread(err.to_string()))
}

struct Watch {
    consumer: BaseConsumer<ClientEvents>,
    tracker: Arc<Tracker>,
    watchdog: Watchdog,
    /// The input topic and the consumer group, whose lag the watch measures.
    topic: String,
    group: String,
}

impl Watch {
    fn look(&mut self, health: &Health) {
        let now = Instant::now();
        if !health.holds(Condition::BrokerReachable) {
            self.watchdog.excuse(now);
            return;
        }
        let Some(marks) = group_marks(&self.consumer, &self.topic) else {
            self.watchdog.excuse(now);
            return;
        };
        for (partition, (low, high, committed)) in &marks {
            let lag = high - committed.unwrap_or(*low).max(*low);
            events::group_lag(&self.group, &self.topic, *partition, lag.max(0));
        }
        let mut observations = Vec::new();
        for tp in self.tracker.owned() {
            let Some(&(low, high, committed)) = marks.get(&tp.1).filter(|_| tp.0 == self.topic) else {
                continue;
            };
            // Nothing begun since the assignment: the group's committed offset says where it is.
            let position = self.tracker.position(&tp).or(committed);
            let observation = Observation {
                tp,
                position,
                low,
                high,
            };
            events::consumer_lag(&observation.tp.0, observation.tp.1, observation.lag());
            observations.push(observation);
        }
        let excused = !health.holds(Condition::DedupAvailable) || !health.holds(Condition::TopicsPresent);
        let stalled = self.watchdog.observe(now, &observations, excused);
        report_stall(health, &stalled);
    }
}

/// A partition's low and high watermarks and the group's committed offset on it.
pub(crate) type Marks = (i64, i64, Option<i64>);

/// Per partition of `topic`: low and high watermarks and the committed offset of `consumer`'s group.
/// `None` when the broker does not answer in time.
pub(crate) fn group_marks<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topic: &str,
) -> Option<BTreeMap<i32, Marks>> {
    let metadata = consumer.fetch_metadata(Some(topic), WATCH_REQUEST_TIMEOUT).ok()?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    let mut all = TopicPartitionList::with_capacity(partitions.len());
    for partition in &partitions {
        all.add_partition(topic, *partition);
    }
    let committed = consumer.committed_offsets(all, WATCH_REQUEST_TIMEOUT).ok()?;
    let mut marks = BTreeMap::new();
    for partition in partitions {
        let (low, high) = match consumer.fetch_watermarks(topic, partition, WATCH_REQUEST_TIMEOUT) {
            Ok(marks) => marks,
            Err(err) => {
                tracing::debug!(error = %err, partition, "cannot read watermarks");
                return None;
            }
        };
        let position = committed
            .find_partition(topic, partition)
            .and_then(|element| element.offset().to_raw())
            .filter(|offset| *offset >= 0);
        marks.insert(partition, (low, high, position));
    }
    Some(marks)
}

/// Sets liveness from the watchdog's verdict and says so once per change.
fn report_stall(health: &Health, stalled: &[Stalled]) {
    if stalled.is_empty() {
        if health.set_stalled(None) {
            tracing::info!("stall over: partitions progress again; live");
        }
        return;
    }
    let why = stalled
        .iter()
        .map(|s| {
            format!(
                "{}/{}: lag {}, no progress for {} s",
                s.tp.0,
                s.tp.1,
                s.lag,
                s.waited.as_secs()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    if health.set_stalled(Some(why.clone())) {
        tracing::error!(
            partitions = stalled.len(),
            detail = %why,
            "stalled: owned partitions have lag and make no progress for no known reason; liveness fails so \
             that the worker is restarted"
        );
    }
}
