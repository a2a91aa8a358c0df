//! Readiness of the outside world, probed every 2 s: the broker answers (and accepts the worker's
//! handshake), has every topic the worker reads and writes and describes them to it; the dedup state
//! answers (and whether it was lost).

use std::sync::Arc;
use std::time::Duration;

use pipeline::Pipeline;
use rdkafka::producer::Producer as _;
use rdkafka::types::RDKafkaErrorCode;
use telemetry::{Condition, Health, Throttle, events};
use tokio_util::sync::CancellationToken;

use crate::context::{Producer, broker_answered};
use crate::worker::now_ms;

/// Time between two probes of the broker and of the dedup state.
const PROBE_INTERVAL: Duration = Duration::from_secs(2);
/// A failing-open dedup state that does not answer: one line per 5 min.
static DEDUP_PROBE: Throttle = Throttle::new(Duration::from_secs(300));

/// Owns the readiness conditions of the outside world, probed every 2 s: the broker answers and has
/// every topic the worker reads and writes; the dedup state answers (and whether it was lost). Turns
/// `not_draining` false once `shutdown` is cancelled.
pub(crate) async fn readiness_loop(
    producer: Producer,
    topics: Vec<String>,
    pipeline: Arc<Pipeline>,
    health: Health,
    shutdown: CancellationToken,
) {
    let mut first_check = true;
    let mut last_missing: Vec<String> = Vec::new();
    loop {
        let probe_then_wait = async {
            let probed = probe_topics(&producer, &topics).await;
            match &probed {
                Some(_) => broker_answered(&health),
                None => {
                    health.set(Condition::BrokerReachable, false);
                }
            }
            if let Some(TopicProbe { missing, denied }) = probed {
                health.set(Condition::TopicsPresent, missing.is_empty());
                if missing != last_missing {
                    if missing.is_empty() {
                        tracing::info!("every topic is present");
                    } else {
                        tracing::error!(topics = ?missing, "topics missing on the broker: create them; not ready");
                    }
                    last_missing = missing;
                }
                for topic in &topics {
                    if denied.contains(topic) {
                        events::denied("describe", "topic");
                        if health.deny("describe", "topic", topic) {
                            tracing::error!(
                                topic,
                                operation = "describe",
                                "the broker denies the worker describing the topic (ACL: grant Read on the \
                                 input, Write on the outputs); not ready"
                            );
                        }
                    } else if health.allow("describe", "topic", topic) {
                        tracing::info!(topic, "the broker lets the worker describe the topic again");
                    }
                }
            }
            probe_dedup_state(&pipeline, &health, &mut first_check).await;
            tokio::time::sleep(PROBE_INTERVAL).await;
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = probe_then_wait => {}
        }
    }
    health.set(Condition::NotDraining, false);
}

/// What the broker says of the worker's topics.
struct TopicProbe {
    /// Topics the broker does not have.
    missing: Vec<String>,
    /// Topics the broker will not describe to the worker (no ACL on them).
    denied: Vec<String>,
}

/// What the broker says of `topics`; `None` when it does not answer within 3 s.
async fn probe_topics(producer: &Producer, topics: &[String]) -> Option<TopicProbe> {
    let probe = producer.clone();
    let wanted = topics.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut found = TopicProbe {
            missing: Vec::new(),
            denied: Vec::new(),
        };
        // One topic per request: asked for every topic, a broker leaves out those it will not describe.
        for name in wanted {
            let metadata = probe
                .client()
                .fetch_metadata(Some(&name), Duration::from_secs(3))
                .ok()?;
            let topic = metadata.topics().iter().find(|t| t.name() == name);
            match topic.map(|t| (t.error().map(RDKafkaErrorCode::from), t.partitions().is_empty())) {
                Some((None, false)) => {}
                Some((Some(RDKafkaErrorCode::TopicAuthorizationFailed), _)) => found.denied.push(name),
                _ => found.missing.push(name),
            }
        }
        Some(found)
    })
    .await
    .ok()
    .flatten()
}

/// Asks the dedup state whether it answers and since when it is kept; says once when it was lost.
async fn probe_dedup_state(pipeline: &Arc<Pipeline>, health: &Health, first_check: &mut bool) {
    let probe = pipeline.clone();
    let checked = tokio::task::spawn_blocking(move || probe.check_dedup_state(now_ms())).await;
    let store = pipeline.dedup_store();
    match checked {
        Ok(None) => {
            health.set(Condition::DedupAvailable, true);
        }
        Ok(Some(Ok(state))) => {
            events::dedup_state(store, state.since_unix, state.lost);
            let since = model::rfc3339_millis(state.since_unix.saturating_mul(1000));
            if state.lost {
                tracing::error!(
                    store,
                    since = %since,
                    "dedup state lost: the store came back without it; articles seen before may be published \
                     again as unique until the window fills again (run the store with persistence)"
                );
            } else if *first_check {
                tracing::info!(store, since = %since, "dedup state kept since");
            }
            *first_check = false;
            if health.set(Condition::DedupAvailable, true) {
                tracing::info!(store, "dedup state answers");
            }
        }
        Ok(Some(Err(failure))) if pipeline.config().dedup_fail_open => {
            // Failing open, articles still flow (judged `unknown`): ready, and said once per outage.
            health.set(Condition::DedupAvailable, true);
            if let Some(suppressed) = DEDUP_PROBE.allow(failure.store) {
                tracing::warn!(store = failure.store, error = %failure.detail, suppressed, "dedup state does not answer; articles pass as unknown (fail open)");
            }
        }
        Ok(Some(Err(failure))) => {
            // Said when it stops answering, and at the first probe (readiness starts false).
            if health.set(Condition::DedupAvailable, false) || *first_check {
                tracing::warn!(store = failure.store, error = %failure.detail, "dedup state does not answer; not ready");
            }
            *first_check = false;
        }
        Err(err) => tracing::warn!(error = %err, "dedup state probe failed"),
    }
}
