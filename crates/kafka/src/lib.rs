//! The Kafka runtime: consume raw pages in a consumer group, run the pipeline, publish every outcome,
//! and store each offset only after the broker acknowledged every output of its message.
//!
//! This is the only crate that uses rdkafka. It owns the consumer thread (polling, rebalances, pause
//! and resume, offset storing), the pipeline threads, the watch (lag and the stall watchdog, on a thread
//! and client of its own), the producer (idempotent, retried until
//! acknowledged), the dead-letter records, the per-partition offset [`tracker`], and the rebuilding of
//! an in-process dedup state from published events at start. It reads no config file and no environment: the
//! binary hands it a [`KafkaConfig`] and a [`pipeline::Pipeline`].
//!
//! [`Backfill`] loads pages into the input topic for `newsflow produce`, with the same idempotent
//! producer settings, and counts every delivery report.
//!
//! Delivery is at least once: a crash re-delivers messages whose outputs were not all acknowledged,
//! never skips one.
#![warn(missing_docs)]

mod backfill;
mod backoff;
mod config;
mod context;
mod cpu;
mod lag_age;
mod produce;
mod readiness;
mod records;
mod restore;
mod task;
pub mod tracker;
mod watch;
mod watchdog;
mod worker;

pub use backfill::{Backfill, Delivered};
pub use config::{Compression, KafkaConfig, OffsetReset, is_secret};
pub use worker::{Limits, run};

/// Errors of the Kafka runtime.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// Invalid configuration.
    #[error("invalid kafka config: {0}")]
    Config(String),
    /// A topic the command needs does not exist.
    #[error("topic {0:?} does not exist")]
    MissingTopic(String),
    /// A client could not be created or subscribed.
    #[error("kafka client error: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    /// The consumer thread failed.
    #[error("consumer thread failed: {0}")]
    Thread(String),
}
