//! Per-partition offset tracking for concurrent processing.
//!
//! Messages of one partition may finish out of order; the offset stored for a partition is always the
//! lowest offset still in flight (or one past the last message begun when none is), so a crash never
//! skips an unfinished message. Every partition assignment gets a new epoch: completions from an epoch
//! that was revoked are ignored, so no offset of a partition no longer owned is ever stored.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A topic-partition.
pub type Tp = (String, i32);

/// Proof that a message was begun; hand it back to [`Tracker::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Topic and partition.
    pub tp: Tp,
    /// The message's offset.
    pub offset: i64,
    epoch: u64,
}

#[derive(Debug, Default)]
struct PartitionState {
    epoch: u64,
    in_flight: BTreeSet<i64>,
    /// One past the highest offset begun in this epoch.
    next: Option<i64>,
    /// The last offset handed out by `committable`.
    stored: Option<i64>,
}

impl PartitionState {
    fn committable(&self) -> Option<i64> {
        self.in_flight.first().copied().or(self.next)
    }
}

#[derive(Debug, Default)]
struct State {
    partitions: HashMap<Tp, PartitionState>,
    next_epoch: u64,
    in_flight: usize,
}

/// Shared between the consumer thread (begin, assign, revoke, committable) and processing tasks
/// (finish).
#[derive(Debug, Default)]
pub struct Tracker {
    state: Mutex<State>,
    changed: Condvar,
}

impl Tracker {
    /// An empty tracker: nothing owned.
    pub fn new() -> Self {
        Tracker::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Partitions were assigned: each starts a fresh epoch.
    pub fn assign(&self, tps: impl IntoIterator<Item = Tp>) {
        let mut state = self.lock();
        for tp in tps {
            state.next_epoch += 1;
            let epoch = state.next_epoch;
            let old = state.partitions.insert(
                tp,
                PartitionState {
                    epoch,
                    ..PartitionState::default()
                },
            );
            if let Some(old) = old {
                state.in_flight -= old.in_flight.len();
            }
        }
    }

    /// Partitions were revoked: forget them; their in-flight work no longer counts.
    pub fn revoke(&self, tps: &[Tp]) {
        let mut state = self.lock();
        for tp in tps {
            if let Some(old) = state.partitions.remove(tp) {
                state.in_flight -= old.in_flight.len();
            }
        }
        self.changed.notify_all();
    }

    /// Registers a received message. `None` when its partition is not owned (the message is then not
    /// processed; it will be delivered again to the partition's owner).
    pub fn begin(&self, topic: &str, partition: i32, offset: i64) -> Option<Ticket> {
        let mut state = self.lock();
        let tp = (topic.to_owned(), partition);
        let part = state.partitions.get_mut(&tp)?;
        part.in_flight.insert(offset);
        part.next = Some(part.next.map_or(offset + 1, |next| next.max(offset + 1)));
        let epoch = part.epoch;
        state.in_flight += 1;
        Some(Ticket { tp, offset, epoch })
    }

    /// Marks a message finished: every output acknowledged, or deliberately dropped.
    pub fn finish(&self, ticket: &Ticket) {
        let mut state = self.lock();
        let removed = match state.partitions.get_mut(&ticket.tp) {
            Some(part) if part.epoch == ticket.epoch => part.in_flight.remove(&ticket.offset),
            _ => false,
        };
        if removed {
            state.in_flight -= 1;
        }
        self.changed.notify_all();
    }

    /// Messages in flight in owned partitions.
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// Next offsets to store (`offset + 1` semantics) for partitions whose committable position advanced
    /// since the last call.
    pub fn committable(&self) -> Vec<(Tp, i64)> {
        let mut state = self.lock();
        let mut out = Vec::new();
        for (tp, part) in &mut state.partitions {
            if let Some(position) = part.committable()
                && part.stored.is_none_or(|stored| position > stored)
            {
                part.stored = Some(position);
                out.push((tp.clone(), position));
            }
        }
        out
    }

    /// Waits until none of `tps` (all partitions when `None`) has work in flight, or until `timeout`.
    /// Returns whether they drained.
    pub fn wait_drained(&self, tps: Option<&[Tp]>, timeout: Duration) -> bool {
        self.wait_until(timeout, |state| {
            !state
                .partitions
                .iter()
                .filter(|(tp, _)| tps.is_none_or(|tps| tps.contains(tp)))
                .any(|(_, part)| !part.in_flight.is_empty())
        })
    }

    /// Waits until fewer than `max` messages are in flight, or until `timeout`. Returns whether there is
    /// room.
    pub fn wait_room(&self, max: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |state| state.in_flight < max)
    }

    /// Waits until `done` holds of the state (checked again at every change), or until `timeout`.
    fn wait_until(&self, timeout: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if done(&state) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// The offset the group would resume `tp` from if this worker stopped now (`offset + 1`
    /// semantics: the lowest message in flight, else one past the last message begun), or `None` when no
    /// message of the partition was begun since it was assigned.
    pub fn position(&self, tp: &Tp) -> Option<i64> {
        self.lock()
            .partitions
            .get(tp)
            .and_then(PartitionState::committable)
    }

    /// Whether `tp` is owned now.
    pub fn owns(&self, topic: &str, partition: i32) -> bool {
        self.lock()
            .partitions
            .contains_key(&(topic.to_owned(), partition))
    }

    /// Owned partitions.
    pub fn owned(&self) -> Vec<Tp> {
        self.lock().partitions.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> Tp {
        ("in".to_owned(), p)
    }

    #[track_caller]
    fn check(tracker: &Tracker, expected: &[(i32, i64)]) {
        let mut got: Vec<(i32, i64)> = tracker
            .committable()
            .into_iter()
            .map(|((_, p), o)| (p, o))
            .collect();
        got.sort_unstable();
        assert_eq!(got, expected);
    }

    #[test]
    fn stores_lowest_in_flight_when_finishing_out_of_order() {
        let t = Tracker::new();
        t.assign([tp(0)]);
        let a = t.begin("in", 0, 10).unwrap();
        let b = t.begin("in", 0, 11).unwrap();
        let c = t.begin("in", 0, 12).unwrap();
        check(&t, &[(0, 10)]);
        t.finish(&c);
        t.finish(&b);
        check(&t, &[]); // 10 still in flight: nothing new
        t.finish(&a);
        check(&t, &[(0, 13)]);
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn unowned_partitions_are_not_tracked() {
        let t = Tracker::new();
        assert!(t.begin("in", 3, 0).is_none());
        check(&t, &[]);
    }

    #[test]
    fn completions_from_a_revoked_epoch_are_ignored() {
        let t = Tracker::new();
        t.assign([tp(0)]);
        let old = t.begin("in", 0, 5).unwrap();
        t.revoke(&[tp(0)]);
        assert_eq!(t.in_flight(), 0);
        t.assign([tp(0)]);
        let new = t.begin("in", 0, 7).unwrap();
        t.finish(&old); // late completion of the old epoch
        assert_eq!(t.in_flight(), 1);
        check(&t, &[(0, 7)]);
        t.finish(&new);
        check(&t, &[(0, 8)]);
    }

    #[test]
    fn position_follows_the_lowest_unfinished_message() {
        let t = Tracker::new();
        t.assign([tp(0)]);
        assert_eq!(t.position(&tp(0)), None);
        let a = t.begin("in", 0, 4).unwrap();
        let b = t.begin("in", 0, 5).unwrap();
        assert_eq!(t.position(&tp(0)), Some(4));
        t.finish(&b);
        assert_eq!(t.position(&tp(0)), Some(4));
        t.finish(&a);
        assert_eq!(t.position(&tp(0)), Some(6));
        assert_eq!(t.position(&tp(1)), None);
    }

    #[test]
    fn wait_room_waits_for_a_finish() {
        let t = std::sync::Arc::new(Tracker::new());
        t.assign([tp(0)]);
        let first = t.begin("in", 0, 0).unwrap();
        t.begin("in", 0, 1).unwrap();
        assert!(t.wait_room(3, Duration::ZERO));
        assert!(!t.wait_room(2, Duration::from_millis(20)));
        let t2 = t.clone();
        let handle = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            t2.finish(&first);
        });
        assert!(t.wait_room(2, Duration::from_secs(5)));
        handle.join().unwrap();
    }

    #[test]
    fn wait_drained_times_out_then_succeeds() {
        let t = std::sync::Arc::new(Tracker::new());
        t.assign([tp(0), tp(1)]);
        let ticket = t.begin("in", 1, 0).unwrap();
        assert!(t.wait_drained(Some(&[tp(0)]), Duration::from_millis(1)));
        assert!(!t.wait_drained(None, Duration::from_millis(20)));
        let t2 = t.clone();
        let handle = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            t2.finish(&ticket);
        });
        assert!(t.wait_drained(None, Duration::from_secs(5)));
        handle.join().unwrap();
    }
}
