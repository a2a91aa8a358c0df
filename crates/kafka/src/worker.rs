//! The worker: a consumer thread that polls and tracks offsets, and one task per message
//! ([`crate::task`]) that runs the pipeline on the pipeline threads and publishes its output until the broker
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
use rdkafka::message::Message;
use rdkafka::producer::Producer as _;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use telemetry::{Condition, Health, Throttle, events};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::context::{ClientEvents, Producer, WorkerContext, record_commit, store_offsets};
use crate::cpu::CpuPool;
use crate::readiness::readiness_loop;
use crate::records::Topics;
use crate::restore::restore_dedup_state;
use crate::task::{Job, Shared, handle};
use crate::tracker::Tracker;
use crate::{KafkaConfig, KafkaError};

/// Longest a poll waits for a message (the loop's turn).
const POLL_TIMEOUT: Duration = Duration::from_millis(100);
/// With every in-flight slot taken, how long the consumer waits for one before pausing its partitions.
const HOLD_BEFORE_PAUSE: Duration = Duration::from_secs(1);

/// Consume errors (and failures to pause) repeat while their cause lasts: one line per 30 s per error.
static CONSUME_ERRORS: Throttle = Throttle::new(Duration::from_secs(30));

/// Runtime limits that are not Kafka settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages in flight before partitions are paused.
    pub max_in_flight: usize,
    /// Threads the pipeline runs on.
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
    initialise_counters(&config, &pipeline);
    restore_state(&config, &pipeline, &health, &shutdown).await?;
    let producer: Producer =
        client_config(config.producer_properties()).create_with_context(ClientEvents {
            health: health.clone(),
        })?;
    let tracker = Arc::new(Tracker::new());
    let context = WorkerContext {
        tracker: tracker.clone(),
        drain_timeout: config.drain_timeout,
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
    health.set(Condition::NotDraining, true);
    health.set(Condition::Consuming, true);

    let abandon = CancellationToken::new();
    let shared = Arc::new(Shared {
        topics: Topics::from(&config),
        pipeline,
        producer: producer.clone(),
        tracker: tracker.clone(),
        cpu: CpuPool::new(limits.cpu_threads).map_err(|err| KafkaError::Thread(err.to_string()))?,
        abandon: abandon.clone(),
        health: health.clone(),
    });

    let (jobs_tx, mut jobs_rx) = mpsc::unbounded_channel::<Job>();
    let thread = {
        let shutdown = shutdown.clone();
        let health = health.clone();
        let max_in_flight = limits.max_in_flight.max(1);
        let drain_timeout = config.drain_timeout;
        let (topic, group) = (config.input_topic.clone(), config.group_id.clone());
        let consume_error_timeout = config.consume_error_timeout;
        std::thread::Builder::new()
            .name("kafka-consumer".to_owned())
            .spawn(move || {
                let loop_state = ConsumerLoop {
                    consumer,
                    tracker,
                    jobs: jobs_tx,
                    max_in_flight,
                    drain_timeout,
                    paused: false,
                    pause_unapplied: false,
                    topic,
                    group,
                    consume_errors: ErrorStreak::new(consume_error_timeout),
                };
                loop_state.run(&shutdown, &health, &abandon);
            })
            .map_err(|err| KafkaError::Thread(err.to_string()))?
    };

    let watch = crate::watch::spawn(&config, &health, &shared.tracker, shutdown.clone())?;
    let lag_age = crate::lag_age::spawn(&config, &health, shutdown.clone())?;
    let readiness = tokio::spawn(readiness_loop(
        producer.clone(),
        config.topics().into_iter().map(str::to_owned).collect(),
        shared.pipeline.clone(),
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
    // The watch and the lag age reader are not waited for: they stop at their next look, and their
    // clients may block for a while on a broker that is away, which must not hold up the exit.
    drop((watch, lag_age));
    tracing::info!("worker stopped");
    Ok(())
}

pub(crate) fn client_config(properties: Vec<(String, String)>) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (key, value) in properties {
        config.set(key, value);
    }
    config
}

/// Every counter of a label set known at start, at 0 ([`events::initialise`]).
fn initialise_counters(config: &KafkaConfig, pipeline: &Pipeline) {
    let topics = Topics::from(config);
    let (skipped, dead): (Vec<pipeline::Reason>, Vec<pipeline::Reason>) = pipeline::Reason::ALL
        .iter()
        .partition(|reason| topics.skips(**reason));
    let dead_letters: Vec<(&'static str, &'static str)> = dead
        .iter()
        .flat_map(|reason| {
            reason
                .stages()
                .iter()
                .map(|stage| (reason.as_str(), stage.as_str()))
        })
        .collect();
    let skipped: Vec<&'static str> = skipped.iter().map(|reason| reason.as_str()).collect();
    let topics = config.topics();
    events::initialise(&events::Known {
        dead_letters: &dead_letters,
        skipped: &skipped,
        inputs: &topics[..1],
        outputs: &topics[1..],
        store: pipeline
            .runs(pipeline::Stage::Dedup)
            .then(|| pipeline.dedup_store()),
    });
}

/// A memory store starts empty with its process: before joining the group, it is rebuilt from the
/// events published within the dedup window ([`crate::restore`]). A shared store keeps its own state.
async fn restore_state(
    config: &KafkaConfig,
    pipeline: &Arc<Pipeline>,
    health: &Health,
    shutdown: &CancellationToken,
) -> Result<(), KafkaError> {
    if pipeline.dedup_store() != "memory" || !pipeline.runs(pipeline::Stage::Dedup) {
        return Ok(());
    }
    let (config, pipeline, health, shutdown) =
        (config.clone(), pipeline.clone(), health.clone(), shutdown.clone());
    let restored = tokio::task::spawn_blocking(move || {
        let window = pipeline.config().dedup.window_secs();
        restore_dedup_state(&config, &pipeline, &health, window, now_ms(), &shutdown)
    })
    .await
    .map_err(|err| KafkaError::Thread(format!("dedup state restore failed: {err}")))??;
    events::dedup_restored(restored.events);
    Ok(())
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Consume errors with no message in between: whether they have lasted long enough to make the
/// worker not ready. Time is passed in.
#[derive(Debug, Clone, Copy)]
struct ErrorStreak {
    /// Since when errors come, and the latest one, while a streak lasts.
    current: Option<(Instant, Instant)>,
    /// How long a streak lasts before the worker turns not ready.
    timeout: Duration,
}

/// What a streak's change means for readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreakVerdict {
    /// Nothing changes.
    Same,
    /// Errors have lasted the timeout: not ready, for this long.
    Failing(Duration),
    /// The streak is over: a message came, or errors stopped coming.
    Over,
}

/// A streak of consume errors is over once none came for this long.
const CONSUME_ERRORS_OVER: Duration = Duration::from_secs(5);

impl ErrorStreak {
    const fn new(timeout: Duration) -> Self {
        Self {
            current: None,
            timeout,
        }
    }

    fn error(&mut self, now: Instant) -> StreakVerdict {
        let (first, last) = self.current.get_or_insert((now, now));
        *last = now;
        let lasted = now.saturating_duration_since(*first);
        if lasted >= self.timeout {
            StreakVerdict::Failing(lasted)
        } else {
            StreakVerdict::Same
        }
    }

    fn message(&mut self) -> StreakVerdict {
        if self.current.take().is_some() {
            StreakVerdict::Over
        } else {
            StreakVerdict::Same
        }
    }

    fn quiet(&mut self, now: Instant) -> StreakVerdict {
        match self.current {
            Some((_, last)) if now.saturating_duration_since(last) >= CONSUME_ERRORS_OVER => {
                self.current = None;
                StreakVerdict::Over
            }
            _ => StreakVerdict::Same,
        }
    }
}

struct ConsumerLoop {
    consumer: BaseConsumer<WorkerContext>,
    tracker: Arc<Tracker>,
    jobs: mpsc::UnboundedSender<Job>,
    max_in_flight: usize,
    drain_timeout: Duration,
    /// Whether the worker decided to pause consumption (in-flight work full and not draining).
    paused: bool,
    /// The paused decision is not yet applied to the whole current assignment.
    pause_unapplied: bool,
    /// The input topic and the consumer group.
    topic: String,
    group: String,
    /// Consume errors with no message in between.
    consume_errors: ErrorStreak,
}

impl ConsumerLoop {
    fn run(mut self, shutdown: &CancellationToken, health: &Health, abandon: &CancellationToken) {
        while !shutdown.is_cancelled() {
            // Backpressure: with every in-flight slot taken, wait a moment for one (without polling);
            // only work that stays stuck pauses the partitions. A backlog then costs no pause/resume
            // cycle per fetch, and librdkafka keeps its prefetched messages.
            if !self.paused
                && self.tracker.in_flight() >= self.max_in_flight
                && !self.tracker.wait_room(self.max_in_flight, HOLD_BEFORE_PAUSE)
            {
                self.decide_paused(true);
            }
            self.poll_once(health);
            store_offsets(&self.consumer, &self.tracker);
            let in_flight = self.tracker.in_flight();
            events::in_flight(in_flight);
            if self.paused && in_flight <= self.max_in_flight / 2 {
                self.decide_paused(false);
            }
            if self.consumer.context().assigned.swap(false, Ordering::SeqCst) {
                // Joining the group took reading it.
                self.allowed(health, "group", &self.group.clone());
                // librdkafka keeps a partition's pause across a rebalance: whatever the assignment now
                // holds must follow the worker's decision, whichever way it goes.
                self.pause_unapplied = true;
            }
            if self.pause_unapplied {
                self.apply_pause();
            }
        }
        self.shut_down(health, abandon);
    }

    fn poll_once(&mut self, health: &Health) {
        match self.consumer.poll(POLL_TIMEOUT) {
            None => {
                if self.consume_errors.quiet(Instant::now()) == StreakVerdict::Over {
                    health.set(Condition::Consuming, true);
                    // Errors stopped: reading is no longer refused (a topic the broker will not describe
                    // at all is the readiness probe's to report).
                    self.allowed(health, "topic", &self.topic.clone());
                }
            }
            Some(Err(err)) => {
                match err.rdkafka_error_code() {
                    Some(RDKafkaErrorCode::AllBrokersDown) => {
                        health.set(Condition::BrokerReachable, false);
                    }
                    Some(RDKafkaErrorCode::TopicAuthorizationFailed) => {
                        self.denied(health, "topic", &self.topic.clone());
                    }
                    Some(RDKafkaErrorCode::GroupAuthorizationFailed) => {
                        self.denied(health, "group", &self.group.clone());
                    }
                    _ => {}
                }
                let kind = err
                    .rdkafka_error_code()
                    .map_or_else(|| "other".to_owned(), |code| format!("{code:?}"));
                events::consume_error(&kind);
                if let Some(suppressed) = CONSUME_ERRORS.allow(&err.to_string()) {
                    tracing::warn!(error = %err, kind, suppressed, "consume error");
                }
                if let StreakVerdict::Failing(lasted) = self.consume_errors.error(Instant::now())
                    && health.set(Condition::Consuming, false)
                {
                    tracing::error!(
                        error = %err,
                        seconds = lasted.as_secs(),
                        "consume errors without a message in between: not ready"
                    );
                }
            }
            Some(Ok(message)) => {
                if self.consume_errors.message() == StreakVerdict::Over {
                    health.set(Condition::Consuming, true);
                }
                self.allowed(health, "topic", &self.topic.clone());
                let Some(ticket) = self
                    .tracker
                    .begin(message.topic(), message.partition(), message.offset())
                else {
                    return;
                };
                let job = Job {
                    message: Arc::new(message.detach()),
                    ticket,
                    received: Instant::now(),
                };
                // Fails only when the task side is gone, which happens at shutdown only.
                let _ = self.jobs.send(job);
            }
        }
    }

    /// The broker denied reading the input `resource` (topic or group) named `name`.
    fn denied(&self, health: &Health, resource: &'static str, name: &str) {
        events::denied("read", resource);
        if health.deny("read", resource, name) {
            tracing::error!(
                resource,
                name,
                operation = "read",
                "the broker denies the worker reading (ACL: grant Read on the input topic and the group); not ready"
            );
        }
    }

    /// Reading the input `resource` named `name` works (again).
    fn allowed(&self, health: &Health, resource: &'static str, name: &str) {
        if health.allow("read", resource, name) {
            tracing::info!(resource, name, "the broker lets the worker read again");
        }
    }

    fn decide_paused(&mut self, pause: bool) {
        if self.paused != pause {
            self.paused = pause;
            self.pause_unapplied = true;
            tracing::debug!(pause, in_flight = self.tracker.in_flight(), "backpressure");
        }
    }

    /// Pauses or resumes every partition of the current assignment, as decided; on failure it is tried
    /// again on the next turn of the loop.
    fn apply_pause(&mut self) {
        let applied = self.consumer.assignment().and_then(|assignment| {
            if self.paused {
                self.consumer.pause(&assignment)
            } else {
                self.consumer.resume(&assignment)
            }
        });
        match applied {
            Ok(()) => {
                self.pause_unapplied = false;
                events::paused(self.paused);
            }
            Err(err) => {
                if let Some(suppressed) = CONSUME_ERRORS.allow("pause") {
                    tracing::warn!(error = %err, pause = self.paused, suppressed, "cannot pause or resume partitions");
                }
            }
        }
    }

    fn shut_down(mut self, health: &Health, abandon: &CancellationToken) {
        health.set(Condition::ConsumerRunning, false);
        tracing::info!(in_flight = self.tracker.in_flight(), "draining");
        self.decide_paused(true);
        self.apply_pause();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (seconds since start, event) to a streak with a 30 s timeout and returns the verdicts.
    fn check(events: &[(u64, &str)], expected: &[StreakVerdict]) {
        let start = Instant::now();
        let mut streak = ErrorStreak::new(Duration::from_secs(30));
        let got: Vec<StreakVerdict> = events
            .iter()
            .map(|&(at, what)| {
                let now = start + Duration::from_secs(at);
                match what {
                    "error" => streak.error(now),
                    "message" => streak.message(),
                    _ => streak.quiet(now),
                }
            })
            .collect();
        assert_eq!(got, expected, "{events:?}");
    }

    #[test]
    fn consume_errors_make_the_worker_not_ready_only_when_they_last() {
        use StreakVerdict::{Failing, Over, Same};
        // Errors every second for 30 s: not ready, until a message comes.
        let every_second: Vec<(u64, &str)> = (0..=31).map(|s| (s, "error")).collect();
        let mut expected = vec![Same; 30];
        expected.extend([Failing(Duration::from_secs(30)), Failing(Duration::from_secs(31))]);
        check(&every_second, &expected);
        check(
            &[
                (0, "error"),
                (29, "error"),
                (30, "error"),
                (31, "message"),
                (32, "error"),
            ],
            &[Same, Same, Failing(Duration::from_secs(30)), Over, Same],
        );
        // A quiet moment between errors ends the streak; a message with no streak changes nothing.
        check(
            &[
                (0, "error"),
                (4, "quiet"),
                (5, "quiet"),
                (20, "error"),
                (40, "error"),
                (41, "message"),
            ],
            &[Same, Same, Over, Same, Same, Over],
        );
        check(&[(0, "message"), (1, "quiet")], &[Same, Same]);
    }
}
