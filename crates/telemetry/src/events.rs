//! Internal events: each function counts one thing under a name from [`crate::names`] with bounded
//! labels. Logging of the same event, where wanted, is the caller's.

use std::time::Duration;

use metrics::{counter, gauge, histogram};

use crate::names;

/// A message was received from `topic`.
pub fn message_consumed(topic: &str, bytes: usize) {
    counter!(names::MESSAGES_CONSUMED, "topic" => topic.to_owned()).increment(1);
    counter!(names::CONSUMED_BYTES, "topic" => topic.to_owned()).increment(bytes as u64);
    histogram!(names::INPUT_BYTES).record(bytes as f64);
}

/// The broker acknowledged a message on `topic`.
pub fn message_produced(topic: &str) {
    counter!(names::MESSAGES_PRODUCED, "topic" => topic.to_owned()).increment(1);
}

/// A message went to the dead-letter topic.
pub fn dead_lettered(reason: &'static str, stage: &'static str) {
    counter!(names::DLQ_MESSAGES, "reason" => reason, "stage" => stage).increment(1);
}

/// A message that is no article (or a failed fetch) went to the skipped topic.
pub fn skipped(reason: &'static str) {
    counter!(names::SKIPPED_MESSAGES, "reason" => reason).increment(1);
}

/// A message ended with `outcome` (a dedup status or `rejected`).
pub fn outcome(outcome: &'static str) {
    counter!(names::OUTCOMES, "outcome" => outcome).increment(1);
}

/// A stage ran for `elapsed`.
pub fn stage_finished(stage: &'static str, elapsed: Duration) {
    histogram!(names::STAGE_DURATION, "stage" => stage).record(elapsed.as_secs_f64());
}

/// Every output of a message was acknowledged: `processing` since it was received, `end_to_end` since
/// its record timestamp (when it has one).
pub fn message_finished(processing: Duration, end_to_end: Option<Duration>) {
    histogram!(names::PROCESSING_DURATION).record(processing.as_secs_f64());
    if let Some(latency) = end_to_end {
        histogram!(names::END_TO_END_LATENCY).record(latency.as_secs_f64());
    }
}

/// Messages in flight now.
pub fn in_flight(count: usize) {
    gauge!(names::IN_FLIGHT).set(count as f64);
}

/// Consumption paused (true) or resumed (false).
pub fn paused(paused: bool) {
    gauge!(names::PAUSED).set(if paused { 1.0 } else { 0.0 });
}

/// The dedup state of `store` has been kept since `since_unix`; `lost` when it was found lost.
pub fn dedup_state(store: &'static str, since_unix: i64, lost: bool) {
    gauge!(names::DEDUP_STATE_SINCE, "store" => store).set(since_unix as f64);
    let lost_total = counter!(names::DEDUP_STATE_LOST, "store" => store);
    if lost {
        lost_total.increment(1);
    } else {
        lost_total.increment(0);
    }
}

/// Decisions restored from published events at start.
pub fn dedup_restored(events: u64) {
    counter!(names::DEDUP_RESTORED).increment(events);
}

/// The consumer returned an error of `kind` (librdkafka's error code name: a bounded set).
pub fn consume_error(kind: &str) {
    counter!(names::CONSUME_ERRORS, "kind" => kind.to_owned()).increment(1);
}

/// A Kafka client reported an error of `kind` on its own (librdkafka's error code name).
pub fn client_error(kind: &str) {
    counter!(names::CLIENT_ERRORS, "kind" => kind.to_owned()).increment(1);
}

/// The broker denied `operation` (read, write, describe) on a `resource` (topic, group).
pub fn denied(operation: &'static str, resource: &'static str) {
    counter!(names::DENIED, "operation" => operation, "resource" => resource).increment(1);
}

/// Lag of an owned partition.
pub fn consumer_lag(topic: &str, partition: i32, lag: i64) {
    gauge!(names::CONSUMER_LAG, "topic" => topic.to_owned(), "partition" => partition.to_string())
        .set(lag as f64);
}

/// Lag of the consumer group on a partition of its input topic (high watermark minus the committed
/// offset, or minus the low watermark without one), as one replica measured it; every replica exports
/// every partition, so `max by (group, topic, partition)` holds while any replica is alive.
pub fn group_lag(group: &str, topic: &str, partition: i32, lag: i64) {
    gauge!(
        names::GROUP_LAG,
        "group" => group.to_owned(),
        "topic" => topic.to_owned(),
        "partition" => partition.to_string()
    )
    .set(lag as f64);
}

/// How long ago the first message `group` has not consumed on `topic`/`partition` was written.
pub fn group_lag_seconds(group: &str, topic: &str, partition: i32, seconds: f64) {
    gauge!(
        names::GROUP_LAG_SECONDS,
        "group" => group.to_owned(),
        "topic" => topic.to_owned(),
        "partition" => partition.to_string()
    )
    .set(seconds);
}

/// A partition is no longer owned: its lag series is zeroed (and expires from the exporter).
pub fn partition_released(topic: &str, partition: i32) {
    gauge!(names::CONSUMER_LAG, "topic" => topic.to_owned(), "partition" => partition.to_string()).set(0.0);
}

/// Partitions assigned now.
pub fn assigned_partitions(count: usize) {
    gauge!(names::ASSIGNED_PARTITIONS).set(count as f64);
}

/// A rebalance event: `assign` or `revoke`.
pub fn rebalance(event: &'static str) {
    counter!(names::REBALANCES, "event" => event).increment(1);
}

/// An offset commit finished.
pub fn commit(ok: bool) {
    counter!(names::COMMITS, "result" => if ok { "ok" } else { "error" }).increment(1);
}

/// A produce to `topic` failed and will be retried.
pub fn produce_retry(topic: &str) {
    counter!(names::PRODUCE_RETRIES, "topic" => topic.to_owned()).increment(1);
}

/// The dedup store (`memory`, `redis`: a bounded label) could not be consulted for one decision.
pub fn dedup_store_error(store: &'static str) {
    counter!(names::DEDUP_STORE_ERRORS, "store" => store).increment(1);
}

/// A message was held back because the dedup store was unavailable (fail closed); it will be retried.
pub fn dedup_unavailable() {
    counter!(names::DEDUP_UNAVAILABLE).increment(1);
}

/// An article was passed through with `dedup.status = "unknown"` because the store was unavailable.
pub fn dedup_fail_open(store: &'static str) {
    counter!(names::DEDUP_FAIL_OPEN, "store" => store).increment(1);
}

/// Languages that get their own label value; everything else is `other`.
const TOP_LANGUAGES: &[&str] = &[
    "ar", "bn", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he", "hi", "hu", "id", "it", "ja",
    "ko", "nl", "no", "pl", "pt", "ro", "ru", "sv", "sw", "th", "tr", "uk", "ur", "vi", "zh", "und",
];

/// An article was tagged with `code`.
pub fn language(code: &str) {
    let label = TOP_LANGUAGES
        .iter()
        .copied()
        .find(|top| *top == code)
        .unwrap_or("other");
    counter!(names::LANGUAGES, "language" => label).increment(1);
}

/// Counters at 0 for every label set known at start, so that the first occurrence of anything (the first
/// dead letter of a reason, the first commit error, the first revoke) shows in `rate()` and `increase()`
/// instead of appearing from nowhere.
pub struct Known<'a> {
    /// `(reason, stage)` pairs a dead letter can carry.
    pub dead_letters: &'a [(&'static str, &'static str)],
    /// Reasons a message is skipped rather than dead-lettered (none without a skipped topic).
    pub skipped: &'a [&'static str],
    /// Input topics.
    pub inputs: &'a [&'a str],
    /// Output topics.
    pub outputs: &'a [&'a str],
    /// The dedup store kind, when the worker runs dedup.
    pub store: Option<&'static str>,
}

/// Sets every series of `known` to 0 (a counter is only created, never moved back).
pub fn initialise(known: &Known<'_>) {
    for (reason, stage) in known.dead_letters {
        counter!(names::DLQ_MESSAGES, "reason" => *reason, "stage" => *stage).increment(0);
    }
    for reason in known.skipped {
        counter!(names::SKIPPED_MESSAGES, "reason" => *reason).increment(0);
    }
    for outcome in [
        "unique",
        "duplicate",
        "near_duplicate",
        "update",
        "unknown",
        "published",
        "rejected",
    ] {
        counter!(names::OUTCOMES, "outcome" => outcome).increment(0);
    }
    for result in ["ok", "error"] {
        counter!(names::COMMITS, "result" => result).increment(0);
    }
    for event in ["assign", "revoke"] {
        counter!(names::REBALANCES, "event" => event).increment(0);
    }
    for (operation, resource) in [
        ("read", "topic"),
        ("read", "group"),
        ("write", "topic"),
        ("describe", "topic"),
    ] {
        counter!(names::DENIED, "operation" => operation, "resource" => resource).increment(0);
    }
    for topic in known.inputs {
        counter!(names::MESSAGES_CONSUMED, "topic" => (*topic).to_owned()).increment(0);
        counter!(names::CONSUMED_BYTES, "topic" => (*topic).to_owned()).increment(0);
    }
    for topic in known.outputs {
        counter!(names::MESSAGES_PRODUCED, "topic" => (*topic).to_owned()).increment(0);
        counter!(names::PRODUCE_RETRIES, "topic" => (*topic).to_owned()).increment(0);
    }
    if let Some(store) = known.store {
        counter!(names::DEDUP_STORE_ERRORS, "store" => store).increment(0);
        counter!(names::DEDUP_FAIL_OPEN, "store" => store).increment(0);
        counter!(names::DEDUP_STATE_LOST, "store" => store).increment(0);
        counter!(names::DEDUP_UNAVAILABLE).increment(0);
    }
    gauge!(names::PAUSED).set(0.0);
    gauge!(names::IN_FLIGHT).set(0.0);
}
