//! The stall watchdog: owned partitions with lag whose committed position does not move.
//!
//! Every failure the worker knows about (broker unreachable, dedup state unavailable) makes it not
//! ready and says so. A stall is what is left: partitions owned, messages waiting on the broker, and no
//! progress, for no reason the worker knows. Restarting is the only cure a worker has for that, so a
//! stall fails liveness: Kubernetes restarts the pod, and the log and `newsflow_stalled` say why.
//!
//! This module is pure: the watch ([`crate::watch`]) feeds it what it observed (per owned partition: the
//! committed position and the high watermark) and the time; it answers whether the worker is stalled.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::tracker::Tp;

/// What the consumer saw of one owned partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observation {
    /// The partition.
    pub tp: Tp,
    /// The offset the group will resume from (the committed or stored position); `None` when the
    /// partition has none yet (then the low watermark counts).
    pub position: Option<i64>,
    /// Low watermark.
    pub low: i64,
    /// High watermark: one past the last message.
    pub high: i64,
}

impl Observation {
    /// Messages waiting: the high watermark minus the position.
    pub fn lag(&self) -> i64 {
        (self.high - self.position.unwrap_or(self.low).max(self.low)).max(0)
    }
}

/// A partition stalled: lag and no progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stalled {
    /// The partition.
    pub tp: Tp,
    /// Messages waiting.
    pub lag: i64,
    /// How long without progress.
    pub waited: Duration,
}

#[derive(Debug)]
struct Watch {
    position: Option<i64>,
    /// The last time the position moved, or there was no lag, or waiting was excused.
    last_progress: Instant,
}

/// Tracks progress per owned partition across observations.
#[derive(Debug)]
pub(crate) struct Watchdog {
    stall_timeout: Duration,
    partitions: HashMap<Tp, Watch>,
}

impl Watchdog {
    pub fn new(stall_timeout: Duration) -> Self {
        Watchdog {
            stall_timeout,
            partitions: HashMap::new(),
        }
    }

    /// Feeds one round of observations of every owned partition, taken at `now`. `excused` is true while
    /// the worker knows why it cannot progress (a dependency is down, it is draining): waiting then does
    /// not count towards a stall. Returns the stalled partitions (empty when none is).
    pub fn observe(&mut self, now: Instant, observations: &[Observation], excused: bool) -> Vec<Stalled> {
        self.partitions
            .retain(|tp, _| observations.iter().any(|o| &o.tp == tp));
        let mut stalled = Vec::new();
        for observation in observations {
            let watch = self.partitions.entry(observation.tp.clone()).or_insert(Watch {
                position: observation.position,
                last_progress: now,
            });
            let moved = watch.position != observation.position;
            watch.position = observation.position;
            if excused || moved || observation.lag() == 0 {
                watch.last_progress = now;
                continue;
            }
            let waited = now.saturating_duration_since(watch.last_progress);
            if waited >= self.stall_timeout {
                stalled.push(Stalled {
                    tp: observation.tp.clone(),
                    lag: observation.lag(),
                    waited,
                });
            }
        }
        stalled.sort_by(|a, b| a.tp.cmp(&b.tp));
        stalled
    }

    /// A round the worker could not observe for a reason it knows (the broker unreachable): waiting until
    /// `now` does not count.
    pub fn excuse(&mut self, now: Instant) {
        for watch in self.partitions.values_mut() {
            watch.last_progress = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(partition: i32, position: Option<i64>, high: i64) -> Observation {
        Observation {
            tp: ("in".to_owned(), partition),
            position,
            low: 0,
            high,
        }
    }

    #[track_caller]
    fn check(rounds: &[(u64, Vec<Observation>, bool)], expected: &[(i32, i64, u64)]) {
        let t0 = Instant::now();
        let mut watchdog = Watchdog::new(Duration::from_secs(60));
        let mut last = Vec::new();
        for (at, observations, excused) in rounds {
            last = watchdog.observe(t0 + Duration::from_secs(*at), observations, *excused);
        }
        let got: Vec<(i32, i64, u64)> = last.iter().map(|s| (s.tp.1, s.lag, s.waited.as_secs())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn lag_without_progress_for_the_timeout_is_a_stall() {
        let stuck = |at| (at, vec![seen(0, Some(10), 50), seen(1, Some(7), 7)], false);
        check(&[stuck(0), stuck(30)], &[]);
        check(&[stuck(0), stuck(30), stuck(60)], &[(0, 40, 60)]);
        // No committed position yet: the low watermark counts, and a backlog from it is lag.
        check(
            &[
                (0, vec![seen(2, None, 5)], false),
                (61, vec![seen(2, None, 5)], false),
            ],
            &[(2, 5, 61)],
        );
    }

    #[test]
    fn progress_or_no_lag_is_no_stall() {
        let at = |t, position| (t, vec![seen(0, Some(position), 50)], false);
        check(&[at(0, 10), at(30, 11), at(70, 12)], &[]);
        check(&[at(0, 10), at(30, 11), at(90, 11)], &[(0, 39, 60)]);
        let caught_up = |t| (t, vec![seen(0, Some(50), 50)], false);
        check(&[caught_up(0), caught_up(100)], &[]);
    }

    #[test]
    fn known_causes_excuse_waiting() {
        let round = |t, excused| (t, vec![seen(0, Some(10), 50)], excused);
        check(&[round(0, false), round(30, true), round(70, false)], &[]);
        check(
            &[
                round(0, false),
                round(30, true),
                round(70, false),
                round(130, false),
            ],
            &[(0, 40, 100)],
        );
    }

    #[test]
    fn a_partition_given_up_is_forgotten() {
        let t0 = Instant::now();
        let mut watchdog = Watchdog::new(Duration::from_secs(60));
        watchdog.observe(t0, &[seen(0, Some(1), 9)], false);
        watchdog.observe(t0 + Duration::from_secs(30), &[], false);
        let later = watchdog.observe(t0 + Duration::from_secs(70), &[seen(0, Some(1), 9)], false);
        assert!(later.is_empty(), "{later:?}");
    }

    #[test]
    fn an_unobserved_round_for_a_known_reason_is_excused() {
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let mut watchdog = Watchdog::new(Duration::from_secs(60));
        watchdog.observe(at(0), &[seen(0, Some(1), 9)], false);
        watchdog.excuse(at(50));
        assert!(
            watchdog
                .observe(at(100), &[seen(0, Some(1), 9)], false)
                .is_empty()
        );
        assert_eq!(watchdog.observe(at(110), &[seen(0, Some(1), 9)], false).len(), 1);
    }
}
