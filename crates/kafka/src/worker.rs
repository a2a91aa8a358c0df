//! The worker: a consumer thread that polls and tracks offsets, and one task per message
//! ([`crate::task`]) that runs the pipeline on the CPU pool and publishes its output until the broker
//! acknowledges it.
//!
//! When the dedup state cannot be consulted (the pipeline fails closed), a message task keeps its
//! message unfinished and retries the dedup step with backoff until the store answers, the partition is
//! revoked or the worker abandons unfinished work; meanwhile the worker reports not ready, and as
//! in-flight messages pile up the consumer pauses its partitions. Nothing is published unjudged and
//! nothing is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pipeline::Pipeline;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::KafkaError as RdError;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use telemetry::{Condition, Health, events};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::context::{WorkerContext, record_commit, store_offsets};
use crate::records::Topics;
use crate::task::{Job, Shared, handle};
use crate::tracker::Tracker;
use crate::{KafkaConfig, KafkaError};

/// Time between two metadata probes of the broker.
const PROBE_INTERVAL: Duration = Duration::from_secs(2);

/// Runtime limits that are not Kafka settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages in flight before partitions are paused.
    pub max_in_flight: usize,
    /// Pipeline runs at once (CPU threads).
    pub cpu_threads: usize,
}

/// Runs the worker until `shutdown` is cancelled, then drains, commits and leaves the group.
pub async fn run(
    config: KafkaConfig,
    pipeline: Arc<Pipeline>,
    limits: Limits,
    health: Health,
    shutdown: CancellationToken,
) -> Result<(), KafkaError> {
    config.validate()?;
    let producer: FutureProducer = client_config(config.producer_properties()).create()?;
    let tracker = Arc::new(Tracker::new());
    let context = WorkerContext {
        tracker: tracker.clone(),
        drain_timeout: Duration::from_millis(config.drain_timeout_ms),
        health: health.clone(),
        assigned: AtomicBool::new(false),
    };
    let consumer: BaseConsumer<WorkerContext> =
        client_config(config.consumer_properties()).create_with_context(context)?;
    consumer.subscribe(&[&config.input_topic])?;
    tracing::info!(
        topic = %config.input_topic,
        group = %config.group_id,
        brokers = %config.bootstrap_servers,
        "subscribed"
    );
    // The readiness conditions this crate owns; the probe decides whether the broker is reachable.
    health.set(Condition::ConsumerRunning, true);
    health.set(Condition::DedupAvailable, true);
    health.set(Condition::NotDraining, true);

    let abandon = CancellationToken::new();
    let shared = Arc::new(Shared {
        topics: Topics::from(&config),
        pipeline,
        producer: producer.clone(),
        tracker: tracker.clone(),
        cpu: Semaphore::new(limits.cpu_threads.max(1)),
        abandon: abandon.clone(),
        health: health.clone(),
    });

    let (jobs_tx, mut jobs_rx) = mpsc::unbounded_channel::<Job>();
    let thread = {
        let shutdown = shutdown.clone();
        let health = health.clone();
        let max_in_flight = limits.max_in_flight.max(1);
        let drain_timeout = Duration::from_millis(config.drain_timeout_ms);
        std::thread::Builder::new()
            .name("kafka-consumer".to_owned())
            .spawn(move || {
                let loop_state = ConsumerLoop {
                    consumer,
                    tracker,
                    jobs: jobs_tx,
                    max_in_flight,
                    drain_timeout,
                };
                loop_state.run(&shutdown, &health, &abandon);
            })
            .map_err(|err| KafkaError::Thread(err.to_string()))?
    };

    let readiness = tokio::spawn(readiness_loop(
        producer.clone(),
        config.input_topic.clone(),
        health.clone(),
        shutdown.clone(),
    ));

    let tasks = TaskTracker::new();
    while let Some(job) = jobs_rx.recv().await {
        let shared = shared.clone();
        tasks.spawn(handle(shared, job));
    }
    tasks.close();
    // The consumer thread has finished draining (or abandoned); remaining tasks were abandoned.
    if tokio::time::timeout(Duration::from_secs(5), tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("abandoned message tasks did not stop in time");
    }
    readiness.abort();
    let flushed =
        tokio::task::spawn_blocking(move || producer.flush(Timeout::After(Duration::from_secs(10)))).await;
    if !matches!(flushed, Ok(Ok(()))) {
        tracing::warn!("producer flush did not complete");
    }
    if thread.join().is_err() {
        return Err(KafkaError::Thread("consumer thread panicked".to_owned()));
    }
    tracing::info!("worker stopped");
    Ok(())
}

fn client_config(properties: Vec<(String, String)>) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (key, value) in properties {
        config.set(key, value);
    }
    config
}

/// Owns two readiness conditions: the broker answers a metadata probe (every 2 s), and the worker is
/// not draining (false once `shutdown` is cancelled).
async fn readiness_loop(
    producer: FutureProducer,
    topic: String,
    health: Health,
    shutdown: CancellationToken,
) {
    loop {
        let probe_then_wait = async {
            let reachable = broker_reachable(&producer, &topic).await;
            health.set(Condition::BrokerReachable, reachable);
            tokio::time::sleep(PROBE_INTERVAL).await;
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = probe_then_wait => {}
        }
    }
    health.set(Condition::NotDraining, false);
}

/// Whether the broker returns the metadata of `topic` within 3 s.
async fn broker_reachable(producer: &FutureProducer, topic: &str) -> bool {
    let probe = producer.clone();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        probe
            .client()
            .fetch_metadata(Some(&topic), Duration::from_secs(3))
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

struct ConsumerLoop {
    consumer: BaseConsumer<WorkerContext>,
    tracker: Arc<Tracker>,
    jobs: mpsc::UnboundedSender<Job>,
    max_in_flight: usize,
    drain_timeout: Duration,
}

impl ConsumerLoop {
    fn run(self, shutdown: &CancellationToken, health: &Health, abandon: &CancellationToken) {
        let mut paused = false;
        while !shutdown.is_cancelled() {
            match self.consumer.poll(Duration::from_millis(100)) {
                None => {}
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "consume error");
                    if matches!(err, RdError::MessageConsumption(RDKafkaErrorCode::AllBrokersDown)) {
                        health.set(Condition::BrokerReachable, false);
                    }
                }
                Some(Ok(message)) => {
                    let Some(ticket) =
                        self.tracker
                            .begin(message.topic(), message.partition(), message.offset())
                    else {
                        continue;
                    };
                    let job = Job {
                        message: Arc::new(message.detach()),
                        ticket,
                        received: Instant::now(),
                    };
                    if self.jobs.send(job).is_err() {
                        break;
                    }
                }
            }
            store_offsets(&self.consumer, &self.tracker);
            let in_flight = self.tracker.in_flight();
            events::in_flight(in_flight);
            let newly_assigned = self.consumer.context().assigned.swap(false, Ordering::SeqCst);
            if in_flight >= self.max_in_flight && (!paused || newly_assigned) {
                paused = self.set_paused(true);
            } else if paused && in_flight <= self.max_in_flight / 2 {
                paused = self.set_paused(false);
            }
        }
        self.shut_down(health, abandon);
    }

    /// Pauses or resumes every assigned partition; returns the new paused state.
    fn set_paused(&self, pause: bool) -> bool {
        let assignment = match self.consumer.assignment() {
            Ok(assignment) => assignment,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read assignment");
                return !pause;
            }
        };
        let result = if pause {
            self.consumer.pause(&assignment)
        } else {
            self.consumer.resume(&assignment)
        };
        match result {
            Ok(()) => {
                events::paused(pause);
                tracing::debug!(pause, "backpressure");
                pause
            }
            Err(err) => {
                tracing::warn!(error = %err, pause, "cannot pause or resume partitions");
                !pause
            }
        }
    }

    fn shut_down(self, health: &Health, abandon: &CancellationToken) {
        health.set(Condition::ConsumerRunning, false);
        tracing::info!(in_flight = self.tracker.in_flight(), "draining");
        self.set_paused(true);
        let deadline = Instant::now() + self.drain_timeout;
        let mut drained = false;
        while Instant::now() < deadline {
            if self.tracker.wait_drained(None, Duration::from_millis(50)) {
                drained = true;
                break;
            }
            // Keep serving callbacks; messages still queued are not taken (they will be redelivered).
            let _ = self.consumer.poll(Duration::ZERO);
            store_offsets(&self.consumer, &self.tracker);
        }
        if !drained {
            tracing::warn!(
                in_flight = self.tracker.in_flight(),
                "drain timeout: unfinished messages will be redelivered"
            );
            abandon.cancel();
        }
        store_offsets(&self.consumer, &self.tracker);
        record_commit(self.consumer.commit_consumer_state(CommitMode::Sync), "shutdown");
        self.consumer.unsubscribe();
        drop(self.jobs);
        // Dropping the consumer closes it and leaves the group.
        drop(self.consumer);
        tracing::info!(drained, "consumer closed");
    }
}
