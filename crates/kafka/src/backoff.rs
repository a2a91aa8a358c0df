//! Exponential backoff between retries: the dedup state that does not answer and the produce that
//! fails both wait 100 ms, then twice as long each time, up to 5 s.

use std::time::Duration;

/// The first delay.
const FIRST: Duration = Duration::from_millis(100);
/// The longest delay.
const MAX: Duration = Duration::from_secs(5);

/// Delays that double from `first` up to `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Backoff {
    first: Duration,
    next: Duration,
    max: Duration,
}

impl Default for Backoff {
    /// 100 ms doubling up to 5 s.
    fn default() -> Self {
        Backoff::new(FIRST, MAX)
    }
}

impl Backoff {
    /// Delays from `first`, doubling, never above `max`.
    pub fn new(first: Duration, max: Duration) -> Self {
        let first = first.min(max);
        Backoff {
            first,
            next: first,
            max,
        }
    }

    /// The delay to wait before the next retry.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }

    /// Starts again from the first delay.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(backoff: &mut Backoff, n: usize) -> Vec<u128> {
        (0..n).map(|_| backoff.next_delay().as_millis()).collect()
    }

    #[test]
    fn doubles_up_to_the_cap() {
        let mut backoff = Backoff::default();
        assert_eq!(
            millis(&mut backoff, 9),
            [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]
        );
    }

    #[test]
    fn reset_starts_from_the_first_delay() {
        let mut backoff = Backoff::default();
        millis(&mut backoff, 4);
        backoff.reset();
        assert_eq!(millis(&mut backoff, 3), [100, 200, 400]);
    }

    #[test]
    fn a_first_delay_above_the_cap_is_the_cap() {
        let mut backoff = Backoff::new(Duration::from_secs(9), Duration::from_secs(2));
        assert_eq!(millis(&mut backoff, 2), [2000, 2000]);
        let mut backoff = Backoff::new(Duration::from_secs(3), Duration::from_secs(4));
        assert_eq!(millis(&mut backoff, 3), [3000, 4000, 4000]);
    }

    #[test]
    fn a_huge_cap_does_not_overflow() {
        let mut backoff = Backoff::new(Duration::MAX / 2 + Duration::from_secs(1), Duration::MAX);
        backoff.next_delay();
        assert_eq!(backoff.next_delay(), Duration::MAX);
    }
}
