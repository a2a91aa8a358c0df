//! Client and consumer callbacks: rebalances, client errors and librdkafka logs. They run on the
//! consumer thread, inside `poll`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use telemetry::{Condition, Health, Throttle, events};

use crate::tracker::{Tp, Tracker};

/// librdkafka's warnings and errors, one line per 30 s per distinct message, with the count in between.
static CLIENT_LOGS: Throttle = Throttle::new(Duration::from_secs(30));

pub(crate) struct WorkerContext {
    pub tracker: Arc<Tracker>,
    pub drain_timeout: Duration,
    pub health: Health,
    /// Set on every assignment, so the consumer loop re-applies a pause to new partitions.
    pub assigned: AtomicBool,
}

fn tps_of(tpl: &TopicPartitionList) -> Vec<Tp> {
    tpl.elements()
        .iter()
        .map(|e| (e.topic().to_owned(), e.partition()))
        .collect()
}

/// Stores every advanced committable position. Errors for partitions no longer owned are benign.
pub(crate) fn store_offsets<C: ConsumerContext>(consumer: &BaseConsumer<C>, tracker: &Tracker) {
    let positions = tracker.committable();
    if positions.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::with_capacity(positions.len());
    for ((topic, partition), offset) in &positions {
        if let Err(err) = tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset)) {
            tracing::warn!(error = %err, topic, partition, "cannot build offset list");
        }
    }
    if let Err(err) = consumer.store_offsets(&tpl) {
        tracing::debug!(error = %err, "storing offsets failed (partition no longer owned?)");
    }
}

/// Counts a finished commit and warns when it failed; `NoOffset` (nothing new to commit) is no commit.
/// `when` says which commit: `auto`, `revoke` or `shutdown`.
pub(crate) fn record_commit(result: KafkaResult<()>, when: &'static str) {
    match result {
        Ok(()) => events::commit(true),
        Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
        Err(err) => {
            events::commit(false);
            tracing::warn!(error = %err, when, "offset commit failed");
        }
    }
}

/// The context of the worker's other clients (the producer, the dedup state's reader): their
/// librdkafka logs and errors are seen the way the consumer's are.
#[derive(Clone)]
pub(crate) struct ClientEvents {
    pub health: Health,
}

/// The producer the worker publishes with.
pub(crate) type Producer = rdkafka::producer::FutureProducer<ClientEvents>;

impl ClientContext for ClientEvents {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        client_log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        client_error(&self.health, &error, reason);
    }
}

/// The dedup state's reader is assigned, never a group member: nothing to do on a rebalance.
impl ConsumerContext for ClientEvents {}

/// An error a client reports on its own: counted by kind; a failed TLS or SASL handshake turns
/// readiness false (condition `authenticated`) until the broker answers again; one line per 30 s per
/// distinct reason.
pub(crate) fn client_error(health: &Health, error: &KafkaError, reason: &str) {
    let code = error.rdkafka_error_code();
    events::client_error(&code.map_or_else(|| "other".to_owned(), |code| format!("{code:?}")));
    let refused = match code {
        Some(RDKafkaErrorCode::AllBrokersDown) => {
            health.set(Condition::BrokerReachable, false);
            None
        }
        Some(RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed) => {
            Some("the broker refused the worker's credentials (SASL authentication failed): not ready")
        }
        Some(RDKafkaErrorCode::SSL) => Some(
            "TLS handshake with the broker failed (is its certificate trusted by ssl.ca.location, and valid?): \
             not ready",
        ),
        _ => None,
    };
    if let Some(what) = refused
        && health.set(Condition::Authenticated, false)
    {
        tracing::error!(reason, "{what}");
    }
    if let Some(suppressed) = CLIENT_LOGS.allow(&without_numbers(reason)) {
        tracing::warn!(error = %error, reason, suppressed, "kafka client error");
    }
}

/// The broker answered a request: the handshake went through.
pub(crate) fn broker_answered(health: &Health) {
    health.set(Condition::BrokerReachable, true);
    if health.set(Condition::Authenticated, true) {
        tracing::info!("the broker accepts the worker's connection again");
    }
}

/// `message` with its digits dropped: one failure repeated ("after 3ms", "after 4ms", "1/3 brokers")
/// is one message to throttle.
fn without_numbers(message: &str) -> String {
    message.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// librdkafka's own log lines: warnings and errors throttled per distinct message.
fn client_log(level: RDKafkaLogLevel, fac: &str, log_message: &str) {
    // librdkafka repeats a failing connection's message every few seconds while it lasts.
    let loud = matches!(
        level,
        RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error
            | RDKafkaLogLevel::Warning
    );
    let suppressed = if loud {
        match CLIENT_LOGS.allow(log_message) {
            Some(suppressed) => suppressed,
            None => return,
        }
    } else {
        0
    };
    match level {
        RDKafkaLogLevel::Emerg
        | RDKafkaLogLevel::Alert
        | RDKafkaLogLevel::Critical
        | RDKafkaLogLevel::Error => {
            tracing::error!(target: "librdkafka", fac, suppressed, "{log_message}");
        }
        RDKafkaLogLevel::Warning => {
            tracing::warn!(target: "librdkafka", fac, suppressed, "{log_message}");
        }
        RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
            tracing::info!(target: "librdkafka", fac, "{log_message}");
        }
        RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", fac, "{log_message}"),
    }
}

impl ClientContext for WorkerContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        client_log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        client_error(&self.health, &error, reason);
    }
}

impl ConsumerContext for WorkerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                events::rebalance("revoke");
                let tps = tps_of(tpl);
                let drained = self.tracker.wait_drained(Some(&tps), self.drain_timeout);
                if !drained {
                    tracing::warn!(
                        partitions = tps.len(),
                        "in-flight messages of revoked partitions did not finish in time; they will be redelivered"
                    );
                }
                store_offsets(consumer, &self.tracker);
                record_commit(consumer.commit_consumer_state(CommitMode::Sync), "revoke");
                self.tracker.revoke(&tps);
                for (topic, partition) in &tps {
                    events::partition_released(topic, *partition);
                }
                tracing::info!(partitions = tps.len(), drained, "partitions revoked");
            }
            Rebalance::Assign(tpl) => {
                events::rebalance("assign");
                let tps = tps_of(tpl);
                tracing::info!(partitions = tps.len(), "partitions assigned");
                self.tracker.assign(tps);
                self.health.set(Condition::GroupJoined, true);
                self.assigned.store(true, Ordering::SeqCst);
            }
            Rebalance::Error(err) => tracing::warn!(error = %err, "rebalance error"),
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, _rebalance: &Rebalance<'_>) {
        events::assigned_partitions(self.tracker.owned().len());
    }

    fn commit_callback(&self, result: KafkaResult<()>, _offsets: &TopicPartitionList) {
        record_commit(result, "auto");
    }
}
