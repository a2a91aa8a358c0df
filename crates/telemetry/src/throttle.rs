//! Log lines for conditions that repeat: the first occurrence is written at once, then at most one line
//! per period, carrying the count of the occurrences not written. A broker outage that fails every
//! in-flight produce every second gives one line per period, not hundreds.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys a [`Throttle`] tracks at most; beyond, the oldest key is forgotten.
const MAX_KEYS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Seen {
    written: Instant,
    suppressed: u64,
}

/// One throttle per kind of log line, keyed (e.g. by topic or by message text).
#[derive(Debug)]
pub struct Throttle {
    period: Duration,
    seen: Mutex<Option<HashMap<String, Seen>>>,
}

impl Throttle {
    /// A throttle writing at most one line per `period` per key. `const`, so it can be a `static`.
    pub const fn new(period: Duration) -> Self {
        Throttle {
            period,
            seen: Mutex::new(None),
        }
    }

    /// Whether a line for `key` may be written at `now`: `Some(n)` with the number of occurrences not
    /// written since the last line, or `None` (the occurrence is counted for the next line).
    pub fn allow_at(&self, key: &str, now: Instant) -> Option<u64> {
        let mut guard = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = guard.get_or_insert_with(HashMap::new);
        match seen.get_mut(key) {
            Some(entry) if now.saturating_duration_since(entry.written) < self.period => {
                entry.suppressed += 1;
                None
            }
            Some(entry) => {
                let suppressed = entry.suppressed;
                *entry = Seen {
                    written: now,
                    suppressed: 0,
                };
                Some(suppressed)
            }
            None => {
                if seen.len() >= MAX_KEYS
                    && let Some(oldest) = seen
                        .iter()
                        .min_by_key(|(_, entry)| entry.written)
                        .map(|(key, _)| key.clone())
                {
                    seen.remove(&oldest);
                }
                seen.insert(
                    key.to_owned(),
                    Seen {
                        written: now,
                        suppressed: 0,
                    },
                );
                Some(0)
            }
        }
    }

    /// [`allow_at`](Throttle::allow_at) now.
    pub fn allow(&self, key: &str) -> Option<u64> {
        self.allow_at(key, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_at_once_then_one_per_period_with_the_count() {
        let throttle = Throttle::new(Duration::from_secs(30));
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(throttle.allow_at("a", at(0)), Some(0));
        assert_eq!(throttle.allow_at("a", at(1)), None);
        assert_eq!(throttle.allow_at("a", at(29)), None);
        assert_eq!(throttle.allow_at("b", at(29)), Some(0), "keys are apart");
        assert_eq!(throttle.allow_at("a", at(30)), Some(2));
        assert_eq!(throttle.allow_at("a", at(31)), None);
        assert_eq!(throttle.allow_at("a", at(95)), Some(1));
    }

    #[test]
    fn keys_are_bounded() {
        let throttle = Throttle::new(Duration::from_secs(30));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS as u64 + 10) {
            assert_eq!(
                throttle.allow_at(&i.to_string(), t0 + Duration::from_millis(i)),
                Some(0)
            );
        }
        let guard = throttle.seen.lock().unwrap();
        assert_eq!(guard.as_ref().map(HashMap::len), Some(MAX_KEYS));
    }
}
