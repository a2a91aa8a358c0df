//! Every metric name newsflow exports. `deploy/metrics.txt` lists the same names for dashboards and
//! alerts; a test keeps the two equal.

/// Gauge 1 with label `version`.
pub const BUILD_INFO: &str = "newsflow_build_info";
/// Gauge 0/1: ready to take traffic.
pub const READY: &str = "newsflow_ready";
/// Gauge 0/1, label `condition` (the readiness conditions, `/readyz`'s names): whether it holds.
pub const READY_CONDITION: &str = "newsflow_ready_condition";
/// Counter, label `topic`.
pub const MESSAGES_CONSUMED: &str = "newsflow_messages_consumed_total";
/// Counter, label `topic`.
pub const CONSUMED_BYTES: &str = "newsflow_consumed_bytes_total";
/// Counter, label `topic`.
pub const MESSAGES_PRODUCED: &str = "newsflow_messages_produced_total";
/// Counter, labels `reason`, `stage`.
pub const DLQ_MESSAGES: &str = "newsflow_dlq_messages_total";
/// Counter, label `reason` (not_article, http_error): messages sent to the skipped topic.
pub const SKIPPED_MESSAGES: &str = "newsflow_skipped_messages_total";
/// Counter, label `outcome`: unique, duplicate, near_duplicate, update, unknown, rejected.
pub const OUTCOMES: &str = "newsflow_outcomes_total";
/// Histogram in seconds, label `stage`.
pub const STAGE_DURATION: &str = "newsflow_stage_duration_seconds";
/// Histogram in seconds: message received to every output acknowledged.
pub const PROCESSING_DURATION: &str = "newsflow_processing_duration_seconds";
/// Histogram in seconds: record timestamp to every output acknowledged.
pub const END_TO_END_LATENCY: &str = "newsflow_end_to_end_latency_seconds";
/// Histogram in bytes: size of input values.
pub const INPUT_BYTES: &str = "newsflow_input_bytes";
/// Gauge: messages consumed and not yet finished.
pub const IN_FLIGHT: &str = "newsflow_in_flight_messages";
/// Gauge 0/1: consumption paused for backpressure (every assigned partition is paused while it is 1).
pub const PAUSED: &str = "newsflow_paused";
/// Gauge 0/1: owned partitions with lag and no progress for `kafka.stall_timeout`; liveness fails.
pub const STALLED: &str = "newsflow_stalled";
/// Gauge, labels `topic`, `partition`: consumer lag of owned partitions.
pub const CONSUMER_LAG: &str = "newsflow_kafka_consumer_lag_messages";
/// Gauge, labels `group`, `topic`, `partition`: the group's lag on every partition of the input topic,
/// whoever owns it (measured by each replica).
pub const GROUP_LAG: &str = "newsflow_kafka_group_lag_messages";
/// Gauge in seconds, labels `group`, `topic`, `partition`: how long ago the first message the group has
/// not consumed was written (0 without lag).
pub const GROUP_LAG_SECONDS: &str = "newsflow_kafka_group_lag_seconds";
/// Gauge: partitions assigned to this worker.
pub const ASSIGNED_PARTITIONS: &str = "newsflow_kafka_assigned_partitions";
/// Counter, label `event`: assign, revoke.
pub const REBALANCES: &str = "newsflow_kafka_rebalances_total";
/// Counter, label `result`: ok, error.
pub const COMMITS: &str = "newsflow_kafka_commits_total";
/// Counter, label `kind` (librdkafka's error code): errors the consumer returned instead of a message.
pub const CONSUME_ERRORS: &str = "newsflow_kafka_consume_errors_total";
/// Counter, label `kind` (librdkafka's error code): errors a Kafka client reported on its own
/// (connections, TLS and SASL handshakes), not tied to a message.
pub const CLIENT_ERRORS: &str = "newsflow_kafka_client_errors_total";
/// Counter, labels `operation` (read, write, describe) and `resource` (topic, group): operations the
/// broker's ACLs denied.
pub const DENIED: &str = "newsflow_kafka_denied_total";
/// Counter, label `topic`: produce attempts that failed and were retried.
pub const PRODUCE_RETRIES: &str = "newsflow_produce_retries_total";
/// Counter, label `language`: top languages and `other`.
pub const LANGUAGES: &str = "newsflow_language_total";
/// Counter, label `store` (memory, redis): dedup decisions that failed because the store could not be
/// consulted (each attempt counts).
pub const DEDUP_STORE_ERRORS: &str = "newsflow_dedup_store_errors_total";
/// Counter: dedup attempts that held their message back because the store was unavailable (fail closed).
pub const DEDUP_UNAVAILABLE: &str = "newsflow_dedup_unavailable_total";
/// Counter, label `store`: articles passed through with `dedup.status = "unknown"` (fail open).
pub const DEDUP_FAIL_OPEN: &str = "newsflow_dedup_fail_open_total";
/// Counter, label `store`: the dedup state was found lost (a Redis that came back empty).
pub const DEDUP_STATE_LOST: &str = "newsflow_dedup_state_lost_total";
/// Gauge in seconds since the Unix epoch, label `store`: since when the dedup state has been kept.
pub const DEDUP_STATE_SINCE: &str = "newsflow_dedup_state_since_seconds";
/// Counter: decisions restored at start from published events (memory store).
pub const DEDUP_RESTORED: &str = "newsflow_dedup_restored_events_total";

// Process metrics, exported under the standard names by `metrics-process` at scrape time.

/// Counter in whole seconds: user + system CPU time of the process.
pub const PROCESS_CPU: &str = "process_cpu_seconds_total";
/// Gauge in bytes: resident memory of the process.
pub const PROCESS_RSS: &str = "process_resident_memory_bytes";
/// Gauge in bytes: virtual memory size of the process.
pub const PROCESS_VIRTUAL_MEMORY: &str = "process_virtual_memory_bytes";
/// Gauge in bytes: the address-space limit (0 when unlimited).
pub const PROCESS_VIRTUAL_MEMORY_MAX: &str = "process_virtual_memory_max_bytes";
/// Gauge: open file descriptors.
pub const PROCESS_OPEN_FDS: &str = "process_open_fds";
/// Gauge: the open file descriptor limit (0 when unlimited).
pub const PROCESS_MAX_FDS: &str = "process_max_fds";
/// Gauge: OS threads of the process.
pub const PROCESS_THREADS: &str = "process_threads";
/// Gauge in seconds since the Unix epoch: when the process started.
pub const PROCESS_START_TIME: &str = "process_start_time_seconds";

/// All names, for the contract test against `deploy/metrics.txt`.
pub const ALL: &[&str] = &[
    BUILD_INFO,
    READY,
    READY_CONDITION,
    MESSAGES_CONSUMED,
    CONSUMED_BYTES,
    MESSAGES_PRODUCED,
    DLQ_MESSAGES,
    SKIPPED_MESSAGES,
    OUTCOMES,
    STAGE_DURATION,
    PROCESSING_DURATION,
    END_TO_END_LATENCY,
    INPUT_BYTES,
    IN_FLIGHT,
    PAUSED,
    STALLED,
    CONSUMER_LAG,
    GROUP_LAG,
    GROUP_LAG_SECONDS,
    ASSIGNED_PARTITIONS,
    REBALANCES,
    COMMITS,
    PRODUCE_RETRIES,
    CONSUME_ERRORS,
    CLIENT_ERRORS,
    DENIED,
    LANGUAGES,
    DEDUP_STORE_ERRORS,
    DEDUP_UNAVAILABLE,
    DEDUP_FAIL_OPEN,
    DEDUP_STATE_LOST,
    DEDUP_STATE_SINCE,
    DEDUP_RESTORED,
    PROCESS_CPU,
    PROCESS_RSS,
    PROCESS_VIRTUAL_MEMORY,
    PROCESS_VIRTUAL_MEMORY_MAX,
    PROCESS_OPEN_FDS,
    PROCESS_MAX_FDS,
    PROCESS_THREADS,
    PROCESS_START_TIME,
];

/// The histograms among [`ALL`]: exported as `_bucket`, `_sum` and `_count` series.
pub const HISTOGRAMS: &[&str] = &[
    STAGE_DURATION,
    PROCESSING_DURATION,
    END_TO_END_LATENCY,
    INPUT_BYTES,
];

/// Every series name a scrape can show, as listed in `deploy/metrics.txt`.
pub fn series() -> Vec<String> {
    ALL.iter()
        .flat_map(|name| {
            if HISTOGRAMS.contains(name) {
                ["_bucket", "_sum", "_count"]
                    .iter()
                    .map(|suffix| format!("{name}{suffix}"))
                    .collect()
            } else {
                vec![(*name).to_owned()]
            }
        })
        .collect()
}

pub(crate) fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(BUILD_INFO, "build information; the value is always 1");
    describe_gauge!(
        READY,
        "1 when the worker is subscribed, the broker and the dedup store reachable and not draining"
    );
    describe_gauge!(
        READY_CONDITION,
        "1 when the readiness condition holds (the names /readyz gives when it does not)"
    );
    describe_counter!(MESSAGES_CONSUMED, "messages received from input topics");
    describe_counter!(CONSUMED_BYTES, Unit::Bytes, "bytes of message values received");
    describe_counter!(
        MESSAGES_PRODUCED,
        "messages acknowledged by the broker on output topics"
    );
    describe_counter!(
        DLQ_MESSAGES,
        "messages sent to the dead-letter topic, by reason and stage"
    );
    describe_counter!(
        CLIENT_ERRORS,
        "errors a Kafka client reported on its own (connections, TLS and SASL handshakes), by librdkafka error code"
    );
    describe_counter!(
        DENIED,
        "operations the broker's ACLs denied, by operation and resource kind"
    );
    describe_counter!(
        CONSUME_ERRORS,
        "errors the consumer returned instead of a message, by librdkafka error code"
    );
    describe_counter!(
        SKIPPED_MESSAGES,
        "pages that are no article, and failed fetches, sent to the skipped topic, by reason"
    );
    describe_counter!(OUTCOMES, "messages by final outcome");
    describe_histogram!(
        STAGE_DURATION,
        Unit::Seconds,
        "time spent in each stage per message"
    );
    describe_histogram!(
        PROCESSING_DURATION,
        Unit::Seconds,
        "message received to all outputs acknowledged"
    );
    describe_histogram!(
        END_TO_END_LATENCY,
        Unit::Seconds,
        "record timestamp to all outputs acknowledged"
    );
    describe_histogram!(INPUT_BYTES, Unit::Bytes, "size of input message values");
    describe_gauge!(IN_FLIGHT, "messages consumed and not yet finished");
    describe_gauge!(PAUSED, "1 while consumption is paused for backpressure");
    describe_gauge!(
        STALLED,
        "1 while owned partitions have lag and no progress for the stall timeout (liveness fails)"
    );
    describe_gauge!(
        CONSUMER_LAG,
        "messages of owned partitions past the committed offset (or the low watermark without one)"
    );
    describe_gauge!(
        GROUP_LAG,
        "the consumer group's lag on every partition of the input topic, whoever owns it, in messages"
    );
    describe_gauge!(
        GROUP_LAG_SECONDS,
        Unit::Seconds,
        "how long ago the first message the group has not consumed on the partition was written; 0 without lag"
    );
    describe_counter!(
        DEDUP_STATE_LOST,
        "times the dedup state was found lost (a store that came back empty)"
    );
    describe_gauge!(
        DEDUP_STATE_SINCE,
        Unit::Seconds,
        "unix time since which the dedup state has been kept"
    );
    describe_counter!(
        DEDUP_RESTORED,
        "dedup decisions restored at start from published events"
    );
    describe_gauge!(
        ASSIGNED_PARTITIONS,
        "partitions currently assigned to this worker"
    );
    describe_counter!(REBALANCES, "rebalance events by kind");
    describe_counter!(COMMITS, "offset commits by result");
    describe_counter!(PRODUCE_RETRIES, "produce attempts that failed and were retried");
    describe_counter!(
        LANGUAGES,
        "articles by detected language (top languages and other)"
    );
    describe_counter!(
        DEDUP_STORE_ERRORS,
        "dedup decisions that failed because the store could not be consulted"
    );
    describe_counter!(
        DEDUP_UNAVAILABLE,
        "dedup attempts that held their message back while the store was unavailable"
    );
    describe_counter!(
        DEDUP_FAIL_OPEN,
        "articles published with dedup status unknown because the store was unavailable"
    );
}
