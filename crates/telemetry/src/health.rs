//! Readiness: a few named conditions, each set by the part of the worker that owns it; the worker is
//! ready when every one holds. Liveness: the process answers and is not stalled (owned partitions with
//! lag and no progress, for no reason the worker knows): a stalled worker fails liveness so that it is
//! restarted.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::names;

const COUNT: usize = Condition::ALL.len();

/// One thing readiness needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// The broker answers (metadata probe; false on an all-brokers-down error until the next probe).
    BrokerReachable,
    /// The consumer is subscribed and polling; false from the moment it starts closing.
    ConsumerRunning,
    /// The dedup state answers (false while messages are held back for want of it, or a probe fails).
    DedupAvailable,
    /// Not shutting down.
    NotDraining,
    /// The consumer joined its group and received an assignment (possibly of no partition, when the
    /// group has more members than the topic has partitions).
    GroupJoined,
    /// The input topic and the output topics exist on the broker.
    TopicsPresent,
    /// No consume error has gone on for `kafka.consume_error_timeout` without a message in between.
    Consuming,
    /// The broker accepted the worker's TLS and SASL handshake (false from a failed handshake until the
    /// broker answers again).
    Authenticated,
    /// No operation the worker needs was denied by the broker's ACLs ([`Health::deny`]).
    Authorized,
}

impl Condition {
    /// Every condition, in the order they are reported.
    pub const ALL: [Condition; 9] = [
        Condition::BrokerReachable,
        Condition::ConsumerRunning,
        Condition::DedupAvailable,
        Condition::NotDraining,
        Condition::GroupJoined,
        Condition::TopicsPresent,
        Condition::Consuming,
        Condition::Authenticated,
        Condition::Authorized,
    ];

    /// Stable name, used in logs and in the `/readyz` body.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::BrokerReachable => "broker_reachable",
            Condition::ConsumerRunning => "consumer_running",
            Condition::DedupAvailable => "dedup_available",
            Condition::NotDraining => "not_draining",
            Condition::GroupJoined => "group_joined",
            Condition::TopicsPresent => "topics_present",
            Condition::Consuming => "consuming",
            Condition::Authenticated => "authenticated",
            Condition::Authorized => "authorized",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Liveness and readiness, shared between the worker and the HTTP endpoints. Clones share one state.
#[derive(Debug, Clone)]
pub struct Health {
    holds: Arc<Mutex<[bool; COUNT]>>,
    /// Why the worker is stalled, while it is.
    stall: Arc<Mutex<Option<String>>>,
    /// Operations the broker denied, as `"<operation> <resource> <name>"`, until they succeed.
    denied: Arc<Mutex<BTreeSet<String>>>,
}

impl Default for Health {
    fn default() -> Self {
        Health::new()
    }
}

impl Health {
    /// A new state: no condition that needs the outside world holds yet, so not ready (the
    /// `newsflow_ready` gauge reads 0). Nothing has failed a handshake or been denied yet.
    pub fn new() -> Self {
        metrics::gauge!(names::READY).set(0.0);
        metrics::gauge!(names::STALLED).set(0.0);
        let mut holds = [false; COUNT];
        holds[Condition::Authenticated.index()] = true;
        holds[Condition::Authorized.index()] = true;
        for condition in Condition::ALL {
            let value = if holds[condition.index()] { 1.0 } else { 0.0 };
            metrics::gauge!(names::READY_CONDITION, "condition" => condition.as_str()).set(value);
        }
        Health {
            holds: Arc::new(Mutex::new(holds)),
            stall: Arc::new(Mutex::new(None)),
            denied: Arc::new(Mutex::new(BTreeSet::new())),
        }
    }

    fn denials(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.denied.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that the broker denied `operation` on `resource` `name` (`"write", "topic",
    /// "news.articles"`): [`Condition::Authorized`] fails until [`Health::allow`] is called for each
    /// denial. Returns whether the denial is new (the caller logs it then).
    pub fn deny(&self, operation: &str, resource: &str, name: &str) -> bool {
        let mut denied = self.denials();
        let new = denied.insert(format!("{operation} {resource} {name}"));
        self.set(Condition::Authorized, false);
        new
    }

    /// Records that `operation` on `resource` `name` succeeded. Returns whether it was denied before.
    pub fn allow(&self, operation: &str, resource: &str, name: &str) -> bool {
        let mut denied = self.denials();
        if denied.is_empty() {
            return false;
        }
        let was = denied.remove(&format!("{operation} {resource} {name}"));
        if denied.is_empty() {
            self.set(Condition::Authorized, true);
        }
        was
    }

    /// The denied operations, sorted.
    pub fn denied(&self) -> Vec<String> {
        self.denials().iter().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, [bool; COUNT]> {
        self.holds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records whether `condition` holds and updates the readiness gauge; logs once when readiness as a
    /// whole changes, naming the condition that changed it. Returns whether the condition changed.
    pub fn set(&self, condition: Condition, holds: bool) -> bool {
        let mut state = self.lock();
        let changed = state[condition.index()] != holds;
        let was_ready = state.iter().all(|h| *h);
        state[condition.index()] = holds;
        metrics::gauge!(names::READY_CONDITION, "condition" => condition.as_str()).set(if holds {
            1.0
        } else {
            0.0
        });
        let ready = state.iter().all(|h| *h);
        metrics::gauge!(names::READY).set(if ready { 1.0 } else { 0.0 });
        if ready != was_ready {
            tracing::info!(ready, because = condition.as_str(), "readiness changed");
        }
        changed
    }

    /// Records that the worker is stalled (`Some(why)`) or no longer is (`None`); updates the
    /// `newsflow_stalled` gauge. Returns whether that changed. Logging is the caller's.
    pub fn set_stalled(&self, why: Option<String>) -> bool {
        let mut stall = self.stall.lock().unwrap_or_else(PoisonError::into_inner);
        let changed = stall.is_some() != why.is_some();
        metrics::gauge!(names::STALLED).set(if why.is_some() { 1.0 } else { 0.0 });
        *stall = why;
        changed
    }

    /// Why the worker is stalled, if it is: liveness fails meanwhile.
    pub fn stalled(&self) -> Option<String> {
        self.stall.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether `condition` holds now.
    pub fn holds(&self, condition: Condition) -> bool {
        self.lock()[condition.index()]
    }

    /// Whether the worker is ready to take traffic: every condition holds.
    pub fn is_ready(&self) -> bool {
        self.lock().iter().all(|h| *h)
    }

    /// The conditions that do not hold, in [`Condition::ALL`] order.
    pub fn unmet(&self) -> Vec<Condition> {
        let state = self.lock();
        Condition::ALL.into_iter().filter(|c| !state[c.index()]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_hold(health: &Health) {
        for condition in Condition::ALL {
            health.set(condition, true);
        }
    }

    #[test]
    fn starts_not_ready_with_every_condition_of_the_outside_world_unmet() {
        let health = Health::new();
        assert!(!health.is_ready());
        // Nothing has been refused or denied yet.
        let expected: Vec<Condition> = Condition::ALL
            .into_iter()
            .filter(|c| !matches!(c, Condition::Authenticated | Condition::Authorized))
            .collect();
        assert_eq!(health.unmet(), expected);
    }

    #[test]
    fn a_denied_operation_makes_not_ready_until_every_denial_is_lifted() {
        let health = Health::new();
        all_hold(&health);
        assert!(health.deny("write", "topic", "news.articles"));
        assert!(!health.deny("write", "topic", "news.articles"), "said once");
        assert!(health.deny("read", "group", "newsflow"));
        assert_eq!(health.unmet(), [Condition::Authorized]);
        assert_eq!(
            health.denied(),
            ["read group newsflow", "write topic news.articles"]
        );
        assert!(!health.allow("write", "topic", "news.skipped"));
        assert!(health.allow("write", "topic", "news.articles"));
        assert!(!health.is_ready(), "the group is still denied");
        assert!(health.allow("read", "group", "newsflow"));
        assert!(health.is_ready());
        assert!(health.denied().is_empty());
    }

    #[test]
    fn ready_only_when_every_condition_holds() {
        for missing in Condition::ALL {
            let health = Health::new();
            for condition in Condition::ALL {
                health.set(condition, condition != missing);
            }
            assert!(!health.is_ready(), "ready without {}", missing.as_str());
            assert_eq!(health.unmet(), [missing]);
            health.set(missing, true);
            assert!(health.is_ready());
            assert!(health.unmet().is_empty());
        }
    }

    #[test]
    fn one_condition_failing_makes_not_ready_until_it_holds_again() {
        let health = Health::new();
        all_hold(&health);
        assert!(health.set(Condition::DedupAvailable, false));
        assert!(!health.is_ready());
        // Others changing meanwhile do not make it ready.
        assert!(!health.set(Condition::BrokerReachable, true));
        assert!(!health.is_ready());
        assert!(health.set(Condition::DedupAvailable, true));
        assert!(health.is_ready());
    }

    #[test]
    fn set_reports_whether_the_condition_changed() {
        let health = Health::new();
        assert!(health.set(Condition::ConsumerRunning, true));
        assert!(!health.set(Condition::ConsumerRunning, true));
        assert!(health.holds(Condition::ConsumerRunning));
        assert!(health.set(Condition::ConsumerRunning, false));
        assert!(!health.set(Condition::ConsumerRunning, false));
        assert!(!health.holds(Condition::ConsumerRunning));
    }

    #[test]
    fn clones_share_the_state() {
        let health = Health::new();
        let other = health.clone();
        all_hold(&other);
        assert!(health.is_ready());
        other.set(Condition::NotDraining, false);
        assert_eq!(health.unmet(), [Condition::NotDraining]);
    }

    #[test]
    fn a_stall_is_kept_until_cleared_and_is_not_readiness() {
        let health = Health::new();
        all_hold(&health);
        assert_eq!(health.stalled(), None);
        assert!(health.set_stalled(Some("in/0: lag 5".to_owned())));
        assert!(!health.set_stalled(Some("in/0: lag 6".to_owned())));
        assert_eq!(health.stalled().as_deref(), Some("in/0: lag 6"));
        assert!(health.is_ready(), "a stall fails liveness, not readiness");
        assert!(health.set_stalled(None));
        assert_eq!(health.stalled(), None);
    }

    #[test]
    fn names_are_distinct_snake_case() {
        let names: std::collections::BTreeSet<_> = Condition::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Condition::ALL.len());
        for name in names {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
        for (i, condition) in Condition::ALL.iter().enumerate() {
            assert_eq!(condition.index(), i);
        }
    }
}
