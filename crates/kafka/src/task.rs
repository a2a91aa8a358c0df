//! One message, start to finish: run the pipeline on the pipeline threads; while the dedup state does not
//! answer, hold the message and ask again with backoff; publish its record (or a smaller one the broker
//! accepts) until acknowledged; then finish its ticket, so that its offset may be stored.
//!
//! A message that cannot be finished (its partition revoked or the worker abandoning unfinished work
//! while it waits, or a record too large even without its value) is left unfinished: its offset is not
//! stored and it is delivered again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use model::{ArticleEvent, SourceRef};
use pipeline::{DedupFailure, Outcome, Pending, Pipeline, Processed, RawMessage, Reason, Rejection, Stage};
use rdkafka::message::{Headers, Message, OwnedMessage};
use telemetry::{Condition, Health, Throttle, events};
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::cpu::{CpuPool, Panicked};
use crate::produce::{Undelivered, deliver};
use crate::records::{self, Input, Kind, Topics};
use crate::tracker::{Ticket, Tracker};

/// Lines that would otherwise come once per message (a poison storm, a revoke while messages are held,
/// an abandoned drain): one per 10 s per kind, with the count of those not written.
static PER_MESSAGE: Throttle = Throttle::new(Duration::from_secs(10));

/// A consumed message handed to its task.
pub(crate) struct Job {
    pub message: Arc<OwnedMessage>,
    pub ticket: Ticket,
    pub received: Instant,
}

/// What every message task shares.
pub(crate) struct Shared {
    pub topics: Topics,
    pub pipeline: Arc<Pipeline>,
    pub producer: crate::context::Producer,
    pub tracker: Arc<Tracker>,
    /// The threads the pipeline runs on.
    pub cpu: CpuPool,
    /// Cancelled when the drain deadline passed: unfinished work stops retrying and is not finished.
    pub abandon: CancellationToken,
    /// Readiness: message tasks own [`Condition::DedupAvailable`].
    pub health: Health,
}

/// Runs one message to its end.
pub(crate) async fn handle(shared: Arc<Shared>, job: Job) {
    let mut task = Task {
        shared,
        job,
        backoff: Backoff::default(),
    };
    task.consumed();
    let Some(outcome) = task.judge().await else {
        return;
    };
    task.count(&outcome);
    match task.publish(&outcome).await {
        Ok(()) => task.finish(),
        Err(_) => task.leave_unfinished(),
    }
}

/// What a message task hands to the pipeline threads.
enum Work {
    /// A consumed message, from the start.
    Message(Arc<OwnedMessage>),
    /// A message held back for want of the dedup state: dedup and what follows.
    Resume(Box<Pending>),
}

struct Task {
    shared: Arc<Shared>,
    job: Job,
    /// Delays between retries, of the dedup state and then of each produce.
    backoff: Backoff,
}

impl Task {
    fn consumed(&self) {
        let message = &self.job.message;
        events::message_consumed(message.topic(), message.payload().map_or(0, <[u8]>::len));
    }

    /// Runs the pipeline until it reaches an outcome other than [`Outcome::Unavailable`]; `None` when
    /// the message must stay unfinished because the dedup state never answered in time.
    async fn judge(&mut self) -> Option<Outcome> {
        let mut work = Work::Message(self.job.message.clone());
        loop {
            let Processed {
                outcome,
                timings,
                dedup_error,
            } = match self.run_pipeline(work).await {
                Ok(processed) => processed,
                Err(err) => return Some(self.panicked(&err)),
            };
            for (stage, elapsed) in &timings {
                events::stage_finished(stage.as_str(), *elapsed);
            }
            if let Some(failure) = &dedup_error {
                self.dedup_store_error(failure);
            }
            let Outcome::Unavailable { pending } = outcome else {
                let ran_dedup = timings.iter().any(|(stage, _)| *stage == Stage::Dedup);
                self.dedup_answered(ran_dedup, dedup_error.as_ref());
                return Some(outcome);
            };
            self.dedup_unavailable(dedup_error.as_ref());
            if !self.hold().await {
                return None;
            }
            work = Work::Resume(pending);
        }
    }

    /// Runs the pipeline on the pipeline threads.
    async fn run_pipeline(&self, work: Work) -> Result<Processed, Panicked> {
        let pipeline = self.shared.pipeline.clone();
        self.shared
            .cpu
            .run(move || match work {
                Work::Message(message) => {
                    let headers = headers_of(&message)
                        .into_iter()
                        .filter_map(|(key, value)| value.map(|value| (key, value)))
                        .collect();
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

    /// The pipeline panicked: the message is dead-lettered as `internal`.
    fn panicked(&self, err: &Panicked) -> Outcome {
        let Ticket { tp, offset, .. } = &self.job.ticket;
        tracing::error!(error = %err, topic = tp.0, partition = tp.1, offset, "pipeline panicked");
        Outcome::Rejected(Rejection {
            stage: Stage::Extract,
            reason: Reason::Internal,
            detail: "the pipeline panicked on this message".to_owned(),
        })
    }

    fn dedup_store_error(&self, failure: &DedupFailure) {
        let Ticket { tp, offset, .. } = &self.job.ticket;
        events::dedup_store_error(failure.store);
        tracing::debug!(
            store = failure.store,
            error = %failure.detail,
            topic = tp.0,
            partition = tp.1,
            offset,
            "dedup store error"
        );
    }

    /// The dedup state could not be consulted and the pipeline fails closed.
    fn dedup_unavailable(&self, failure: Option<&DedupFailure>) {
        events::dedup_unavailable();
        if self.shared.health.set(Condition::DedupAvailable, false) {
            tracing::warn!(
                store = failure.map_or("unknown", |f| f.store),
                error = %failure.map_or("", |f| f.detail.as_str()),
                "dedup state unavailable: holding messages back until it answers; not ready"
            );
        }
    }

    /// The pipeline reached an outcome: the dedup state answered, or failed and the pipeline failed open.
    fn dedup_answered(&self, ran_dedup: bool, failure: Option<&DedupFailure>) {
        match failure {
            Some(failure) => events::dedup_fail_open(failure.store),
            None if ran_dedup && self.shared.health.set(Condition::DedupAvailable, true) => {
                tracing::info!("dedup state available again");
            }
            None => {}
        }
    }

    /// Waits before asking the dedup state again; false when the message is no longer this worker's to
    /// finish (its partition was revoked, or unfinished work is abandoned).
    async fn hold(&mut self) -> bool {
        let Ticket { tp, offset, .. } = &self.job.ticket;
        if !self.shared.tracker.owns(&tp.0, tp.1) {
            if let Some(suppressed) = PER_MESSAGE.allow("revoked while held") {
                tracing::info!(
                    topic = tp.0,
                    partition = tp.1,
                    offset,
                    suppressed,
                    "partition revoked while waiting for the dedup state; its new owner takes the message"
                );
            }
            return false;
        }
        tokio::select! {
            () = self.shared.abandon.cancelled() => {
                if let Some(suppressed) = PER_MESSAGE.allow("abandoned while held") {
                    tracing::warn!(topic = tp.0, partition = tp.1, offset, suppressed, "message left unfinished (dedup state unavailable)");
                }
                false
            }
            () = tokio::time::sleep(self.backoff.next_delay()) => true,
        }
    }

    fn count(&self, outcome: &Outcome) {
        match outcome {
            Outcome::Publish { event, .. } => {
                events::outcome(status(event));
                if let Some(language) = &event.language {
                    events::language(&language.code);
                }
            }
            Outcome::Dropped { event } => events::outcome(status(event)),
            Outcome::Rejected(rejection) => {
                let Ticket { tp, offset, .. } = &self.job.ticket;
                events::outcome("rejected");
                if let Some(suppressed) = PER_MESSAGE.allow(rejection.reason.as_str()) {
                    tracing::info!(
                        reason = rejection.reason.as_str(),
                        stage = rejection.stage.as_str(),
                        detail = %rejection.detail,
                        topic = tp.0,
                        partition = tp.1,
                        offset,
                        suppressed,
                        "message rejected"
                    );
                }
            }
            Outcome::Unavailable { .. } => {}
        }
    }

    /// Publishes the outcome's record, or a smaller one in its place while the broker refuses one as
    /// too large.
    async fn publish(&mut self, outcome: &Outcome) -> Result<(), Undelivered> {
        let message = self.job.message.clone();
        let headers = headers_of(&message);
        let input = Input {
            topic: message.topic(),
            partition: message.partition(),
            offset: message.offset(),
            key: message.key(),
            value: message.payload().unwrap_or_default(),
            headers: &headers,
        };
        let topics = &self.shared.topics;
        let Some(mut record) = records::for_outcome(outcome, &input, topics) else {
            return Ok(());
        };
        loop {
            if let Kind::DeadLetter(rejection) = &record.kind {
                if topics.skips(rejection.reason) {
                    events::skipped(rejection.reason.as_str());
                } else {
                    events::dead_lettered(rejection.reason.as_str(), rejection.stage.as_str());
                }
            }
            let shared = &self.shared;
            match deliver(
                &shared.producer,
                &shared.health,
                &record,
                &shared.abandon,
                &mut self.backoff,
            )
            .await
            {
                Err(Undelivered::TooLarge) => {
                    record = records::when_too_large(record, &input, topics).ok_or(Undelivered::TooLarge)?;
                }
                delivered => return delivered,
            }
        }
    }

    /// Every output was acknowledged: the offset may be stored.
    fn finish(&self) {
        self.shared.tracker.finish(&self.job.ticket);
        let end_to_end = self
            .job
            .message
            .timestamp()
            .to_millis()
            .and_then(|ts| u64::try_from(now_ms() - ts).ok())
            .map(Duration::from_millis);
        events::message_finished(self.job.received.elapsed(), end_to_end);
    }

    /// Abandoned at shutdown, or too large even without its value: the offset is not stored, so the
    /// message is delivered again.
    fn leave_unfinished(&self) {
        let Ticket { tp, offset, .. } = &self.job.ticket;
        if let Some(suppressed) = PER_MESSAGE.allow("left unfinished") {
            tracing::warn!(
                topic = tp.0,
                partition = tp.1,
                offset,
                suppressed,
                "message left unfinished; it will be delivered again"
            );
        }
    }
}

/// The dedup status an outcome is counted under.
fn status(event: &ArticleEvent) -> &'static str {
    event.dedup.as_ref().map_or("published", |d| d.status.as_str())
}

/// The headers of a consumed message, null values kept.
fn headers_of(message: &OwnedMessage) -> Vec<(&str, Option<&[u8]>)> {
    message
        .headers()
        .map(|headers| headers.iter().map(|h| (h.key, h.value)).collect())
        .unwrap_or_default()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
