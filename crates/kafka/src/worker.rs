//! The worker: a consumer thread that polls and tracks offsets, and one task per message that runs the
//! pipeline on the CPU pool and publishes its output until the broker acknowledges it.
//!
//! When the dedup state cannot be consulted (the pipeline fails closed), a message task keeps its
//! message unfinished and retries the dedup step with backoff until the store answers, the partition is
//! revoked or the worker abandons unfinished work; meanwhile the worker reports not ready, and as
//! in-flight messages pile up the consumer pauses its partitions. Nothing is published unjudged and
//! nothing is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use model::SourceRef;
use pipeline::{Outcome, Pending, Pipeline, Processed, RawMessage, Rejection};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::KafkaError as RdError;
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use telemetry::{Health, events};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backoff::Backoff;
use crate::context::{WorkerContext, record_commit, store_offsets};
use crate::records::{self, Kind, Record, Topics};
use crate::tracker::{Ticket, Tracker};
use crate::{KafkaConfig, KafkaError};

/// Runtime limits that are not Kafka settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages in flight before partitions are paused.
    pub max_in_flight: usize,
    /// Pipeline runs at once (CPU threads).
    pub cpu_threads: usize,
}

struct Job {
    message: Arc<OwnedMessage>,
    ticket: Ticket,
    received: Instant,
}

struct Shared {
    topics: Topics,
    pipeline: Arc<Pipeline>,
    producer: FutureProducer,
    tracker: Arc<Tracker>,
    cpu: Semaphore,
    /// Cancelled when the drain deadline passed: unfinished work stops retrying and is not finished.
    abandon: CancellationToken,
    health: Health,
    /// Set while the dedup state is unavailable (messages are held back); readiness is false meanwhile.
    dedup_down: Arc<AtomicBool>,
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

    let abandon = CancellationToken::new();
    let dedup_down = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Shared {
        topics: Topics::from(&config),
        pipeline,
        producer: producer.clone(),
        tracker: tracker.clone(),
        cpu: Semaphore::new(limits.cpu_threads.max(1)),
        abandon: abandon.clone(),
        health: health.clone(),
        dedup_down: dedup_down.clone(),
    });

    let (jobs_tx, mut jobs_rx) = mpsc::unbounded_channel::<Job>();
    let consumer_done = CancellationToken::new();
    let thread = {
        let shutdown = shutdown.clone();
        let health = health.clone();
        let consumer_done = consumer_done.clone();
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
                consumer_done.cancel();
            })
            .map_err(|err| KafkaError::Thread(err.to_string()))?
    };

    let readiness = tokio::spawn(readiness_loop(
        producer.clone(),
        config.input_topic.clone(),
        health.clone(),
        dedup_down,
        shutdown.clone(),
        consumer_done.clone(),
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

async fn readiness_loop(
    producer: FutureProducer,
    topic: String,
    health: Health,
    dedup_down: Arc<AtomicBool>,
    shutdown: CancellationToken,
    consumer_done: CancellationToken,
) {
    loop {
        let probe = producer.clone();
        let topic = topic.clone();
        let reachable = tokio::task::spawn_blocking(move || {
            probe
                .client()
                .fetch_metadata(Some(&topic), Duration::from_secs(3))
                .is_ok()
        })
        .await
        .unwrap_or(false);
        let ready = reachable
            && !dedup_down.load(Ordering::SeqCst)
            && !shutdown.is_cancelled()
            && !consumer_done.is_cancelled();
        health.set_ready(ready);
        tokio::select! {
            () = shutdown.cancelled() => { health.set_ready(false); return; }
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
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
                        health.set_ready(false);
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
        health.set_ready(false);
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

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn handle(shared: Arc<Shared>, job: Job) {
    let Job {
        message,
        ticket,
        received,
    } = job;
    let topic = message.topic().to_owned();
    let value_len = message.payload().map_or(0, <[u8]>::len);
    events::message_consumed(&topic, value_len);

    let mut processed = run_pipeline(&shared, Work::Message(message.clone())).await;
    let mut backoff = Backoff::default();
    let outcome = loop {
        let processed_now = match processed {
            Ok(processed_now) => processed_now,
            Err(err) => {
                tracing::error!(error = %err, topic, partition = ticket.tp.1, offset = ticket.offset, "pipeline panicked");
                break Outcome::Rejected(Rejection {
                    stage: pipeline::Stage::Extract,
                    reason: pipeline::Reason::Internal,
                    detail: "the pipeline panicked on this message".to_owned(),
                });
            }
        };
        let Processed {
            outcome,
            timings,
            dedup_error,
        } = processed_now;
        for (stage, elapsed) in &timings {
            events::stage_finished(stage.as_str(), *elapsed);
        }
        if let Some(failure) = &dedup_error {
            events::dedup_store_error(failure.store);
            tracing::debug!(
                store = failure.store,
                error = %failure.detail,
                topic,
                partition = ticket.tp.1,
                offset = ticket.offset,
                "dedup store error"
            );
        }
        match outcome {
            Outcome::Unavailable { pending } => {
                events::dedup_unavailable();
                if !shared.dedup_down.swap(true, Ordering::SeqCst) {
                    shared.health.set_ready(false);
                    tracing::warn!(
                        store = dedup_error.as_ref().map_or("unknown", |f| f.store),
                        error = %dedup_error.as_ref().map_or("", |f| f.detail.as_str()),
                        "dedup state unavailable: holding messages back until it answers; not ready"
                    );
                }
                if !shared.tracker.owns(&ticket.tp.0, ticket.tp.1) {
                    tracing::info!(
                        topic,
                        partition = ticket.tp.1,
                        offset = ticket.offset,
                        "partition revoked while waiting for the dedup state; its new owner takes the message"
                    );
                    return;
                }
                tokio::select! {
                    () = shared.abandon.cancelled() => {
                        tracing::warn!(topic, partition = ticket.tp.1, offset = ticket.offset, "message left unfinished (dedup state unavailable)");
                        return;
                    }
                    () = tokio::time::sleep(backoff.next_delay()) => {}
                }
                processed = run_pipeline(&shared, Work::Resume(pending)).await;
            }
            outcome => {
                let ran_dedup = timings.iter().any(|(stage, _)| *stage == pipeline::Stage::Dedup);
                match &dedup_error {
                    Some(failure) => events::dedup_fail_open(failure.store),
                    None if ran_dedup && shared.dedup_down.swap(false, Ordering::SeqCst) => {
                        tracing::info!("dedup state available again");
                    }
                    None => {}
                }
                break outcome;
            }
        }
    };

    let headers = headers_of(&message);
    let input = records::Input {
        topic: message.topic(),
        partition: message.partition(),
        offset: message.offset(),
        key: message.key(),
        value: message.payload().unwrap_or_default(),
        headers: &headers,
    };
    match &outcome {
        Outcome::Publish { event, .. } => {
            events::outcome(event.dedup.as_ref().map_or("published", |d| d.status.as_str()));
            if let Some(language) = &event.language {
                events::language(&language.code);
            }
        }
        Outcome::Dropped { event } => {
            events::outcome(event.dedup.as_ref().map_or("published", |d| d.status.as_str()));
        }
        Outcome::Unavailable { .. } => {
            // Never reached: the loop above retries until another outcome, or returns.
            return;
        }
        Outcome::Rejected(rejection) => {
            events::outcome("rejected");
            tracing::info!(
                reason = rejection.reason.as_str(),
                stage = rejection.stage.as_str(),
                detail = %rejection.detail,
                topic,
                partition = ticket.tp.1,
                offset = ticket.offset,
                "message rejected"
            );
        }
    }
    let delivered = match records::for_outcome(&outcome, &input, &shared.topics) {
        Some(record) => publish(&shared, record, &input, &mut backoff).await,
        None => Ok(()),
    };
    match delivered {
        Ok(()) => {
            shared.tracker.finish(&ticket);
            let end_to_end = message
                .timestamp()
                .to_millis()
                .and_then(|ts| u64::try_from(now_ms() - ts).ok())
                .map(Duration::from_millis);
            events::message_finished(received.elapsed(), end_to_end);
        }
        Err(_) => {
            // Abandoned at shutdown or too large even without its value: the offset is not stored, so the
            // message is delivered again.
            tracing::warn!(
                topic,
                partition = ticket.tp.1,
                offset = ticket.offset,
                "message left unfinished"
            );
        }
    }
}

/// What a message task hands to the CPU pool.
enum Work {
    /// A consumed message, from the start.
    Message(Arc<OwnedMessage>),
    /// A message held back for want of the dedup state: dedup and what follows.
    Resume(Box<Pending>),
}

/// Runs the pipeline on the blocking pool, at most `cpu_threads` at once.
async fn run_pipeline(shared: &Shared, work: Work) -> Result<Processed, tokio::task::JoinError> {
    let _permit = shared.cpu.acquire().await;
    let pipeline = shared.pipeline.clone();
    tokio::task::spawn_blocking(move || match work {
        Work::Message(message) => {
            let headers: Vec<(&str, &[u8])> = message
                .headers()
                .map(|headers| {
                    headers
                        .iter()
                        .filter_map(|h| h.value.map(|v| (h.key, v)))
                        .collect()
                })
                .unwrap_or_default();
            let raw = RawMessage {
                value: message.payload().unwrap_or_default(),
                headers,
                source: SourceRef {
                    topic: message.topic().to_owned(),
                    partition: message.partition(),
                    offset: message.offset(),
                },
            };
            pipeline.process(&raw, now_ms())
        }
        Work::Resume(pending) => pipeline.resume(*pending, now_ms()),
    })
    .await
}

/// Publishes `record`, or a smaller record in its place while the broker refuses one as too large.
async fn publish(
    shared: &Shared,
    mut record: Record,
    input: &records::Input<'_>,
    backoff: &mut Backoff,
) -> Result<(), Undelivered> {
    loop {
        if let Kind::DeadLetter(rejection) = &record.kind {
            events::dead_lettered(rejection.reason.as_str(), rejection.stage.as_str());
        }
        match deliver(shared, &record, backoff).await {
            Err(Undelivered::TooLarge) => match records::when_too_large(record, input, &shared.topics) {
                Some(smaller) => record = smaller,
                None => return Err(Undelivered::TooLarge),
            },
            delivered => return delivered,
        }
    }
}

enum Undelivered {
    TooLarge,
    Abandoned,
}

/// Publishes `record`, retrying with backoff until the broker acknowledges it or the worker abandons
/// unfinished work.
async fn deliver(shared: &Shared, record: &Record, backoff: &mut Backoff) -> Result<(), Undelivered> {
    let headers = owned_headers(&record.headers);
    backoff.reset();
    loop {
        let mut future = FutureRecord::to(&record.topic)
            .payload(&record.value)
            .headers(headers.clone());
        if let Some(key) = &record.key {
            future = future.key(key);
        }
        match shared
            .producer
            .send(future, Timeout::After(Duration::from_secs(5)))
            .await
        {
            Ok(_) => {
                events::message_produced(&record.topic);
                return Ok(());
            }
            Err((err, _)) => {
                if matches!(
                    err.rdkafka_error_code(),
                    Some(RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidMessageSize)
                ) {
                    return Err(Undelivered::TooLarge);
                }
                events::produce_retry(&record.topic);
                let delay = backoff.next_delay();
                tracing::warn!(error = %err, topic = %record.topic, backoff_ms = delay.as_millis() as u64, "produce failed; retrying");
                tokio::select! {
                    () = shared.abandon.cancelled() => return Err(Undelivered::Abandoned),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// The headers of a consumed message, null values kept.
fn headers_of(message: &OwnedMessage) -> Vec<(&str, Option<&[u8]>)> {
    message
        .headers()
        .map(|headers| headers.iter().map(|h| (h.key, h.value)).collect())
        .unwrap_or_default()
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
