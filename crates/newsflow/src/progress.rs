//! A progress line on stderr while `process` or `produce` runs, only when stderr is a terminal: a bar
//! and the ETA when the size of the inputs is known, pages, MB and pages/s, redrawn at most 4 times a
//! second. Elsewhere (a log, CI) nothing is drawn and the command's summary line says it all.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

/// Width of the bar in characters.
const BAR: usize = 24;

pub struct Progress {
    started: Instant,
    shown: Option<Instant>,
    terminal: bool,
    /// Bytes of the input files, when known (not for stdin).
    total_bytes: Option<u64>,
}

/// Where a run stands.
pub struct Done<'a> {
    pub pages: usize,
    /// Bytes of the pages (message values).
    pub bytes: usize,
    /// Bytes of the input files read so far.
    pub read_bytes: u64,
    /// What else to say, e.g. "3 rejected".
    pub note: &'a str,
}

impl Progress {
    pub fn new(started: Instant, total_bytes: Option<u64>) -> Self {
        Progress {
            started,
            shown: None,
            terminal: std::io::stderr().is_terminal(),
            total_bytes,
        }
    }

    pub fn show(&mut self, done: &Done<'_>) {
        if !self.terminal
            || self
                .shown
                .is_some_and(|at| at.elapsed() < Duration::from_millis(250))
        {
            return;
        }
        self.shown = Some(Instant::now());
        eprint!(
            "\r\x1b[2Knewsflow: {}",
            line(self.started.elapsed(), self.total_bytes, done)
        );
    }

    pub fn clear(&self) {
        if self.terminal && self.shown.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

/// The progress line after `elapsed`.
fn line(elapsed: Duration, total_bytes: Option<u64>, done: &Done<'_>) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-9);
    let mut out = String::new();
    if let Some(total) = total_bytes.filter(|&t| t > 0) {
        let fraction = (done.read_bytes as f64 / total as f64).clamp(0.0, 1.0);
        let filled = (fraction * BAR as f64).round() as usize;
        out.push_str(&format!(
            "[{}{}] {:>3.0}% ",
            "#".repeat(filled),
            "-".repeat(BAR - filled),
            fraction * 100.0
        ));
    }
    out.push_str(&format!(
        "{} pages, {:.1} MB, {:.0} pages/s",
        done.pages,
        done.bytes as f64 / 1e6,
        done.pages as f64 / seconds
    ));
    if let Some(total) = total_bytes
        && done.read_bytes > 0
    {
        let rate = done.read_bytes as f64 / seconds;
        let left = total.saturating_sub(done.read_bytes) as f64 / rate;
        let left = left.round() as u64;
        out.push_str(&format!(", ETA {}:{:02}", left / 60, left % 60));
    }
    if !done.note.is_empty() {
        out.push_str(", ");
        out.push_str(done.note);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(elapsed_secs: u64, total: Option<u64>, read_bytes: u64, expected: &str) {
        let done = Done {
            pages: 500,
            bytes: 2_500_000,
            read_bytes,
            note: "2 rejected",
        };
        assert_eq!(line(Duration::from_secs(elapsed_secs), total, &done), expected);
    }

    #[test]
    fn progress_lines() {
        check(
            10,
            Some(4_000_000),
            1_000_000,
            "[######------------------]  25% 500 pages, 2.5 MB, 50 pages/s, ETA 0:30, 2 rejected",
        );
        check(2, None, 1_000_000, "500 pages, 2.5 MB, 250 pages/s, 2 rejected");
        check(
            100,
            Some(1_000_000),
            1_000_000,
            "[########################] 100% 500 pages, 2.5 MB, 5 pages/s, ETA 0:00, 2 rejected",
        );
    }
}
