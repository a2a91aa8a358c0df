//! Process resource metrics read from `/proc/self` at scrape time (Linux; absent elsewhere).

use crate::names;

pub(crate) fn record() {
    if let Some(rss) = resident_bytes() {
        metrics::gauge!(names::PROCESS_RSS).set(rss as f64);
    }
    if let Some(cpu) = cpu_seconds() {
        metrics::gauge!(names::PROCESS_CPU).set(cpu);
    }
}

/// Resident set size in bytes, from `/proc/self/statm` (pages × 4096).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// User + system CPU seconds, from `/proc/self/stat` (clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
