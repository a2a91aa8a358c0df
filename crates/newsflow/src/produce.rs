//! `newsflow produce`: loads HTML files, envelope lines or WARC archives into the input topic as
//! envelopes, keyed by normalized URL, for a backfill. What it sends for a page is what `newsflow
//! process` runs the pipeline on: an envelope line as it is, a WARC record's page or a bare HTML file
//! as an envelope of bytes (`html_base64`), so the worker applies the charset chain to it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use model::Envelope;

use crate::config::Config;
use crate::files::archive_notes;
use crate::inputs::{self, Input, Item, read_input};
use crate::progress::{Done, Progress};

pub struct Options {
    pub input: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    /// Overrides `kafka.bootstrap_servers`.
    pub brokers: Option<String>,
    /// Overrides `kafka.input_topic`.
    pub topic: Option<String>,
    /// Pages per second at most.
    pub rate: Option<f64>,
    /// Overrides `kafka.compression`.
    pub compression: Option<kafka::Compression>,
}

/// Time the broker has to answer the first metadata request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub bytes: usize,
    pub read_bytes: u64,
    pub unkeyed: usize,
    pub skipped: std::collections::BTreeMap<String, usize>,
    pub damaged: usize,
    pub delivered: kafka::Delivered,
}

pub fn produce(options: &Options) -> anyhow::Result<Summary> {
    let mut config = Config::load(options.config.as_deref(), std::env::vars())?;
    for warning in &config.deprecated {
        eprintln!("newsflow: warning: {warning}");
    }
    if let Some(brokers) = &options.brokers {
        config.kafka.bootstrap_servers.clone_from(brokers);
    }
    let topic = options
        .topic
        .clone()
        .unwrap_or_else(|| config.kafka.input_topic.clone());
    if let Some(rate) = options.rate
        && !(rate > 0.0 && rate.is_finite())
    {
        anyhow::bail!("--rate must be a positive number of pages per second, not {rate}");
    }
    let compression = options.compression.unwrap_or(config.kafka.compression);
    let backfill =
        kafka::Backfill::new(&config.kafka, &topic, compression, CONNECT_TIMEOUT).map_err(|err| {
            anyhow::anyhow!(
                "cannot produce to {topic} at {}: {err}",
                config.kafka.bootstrap_servers
            )
        })?;

    let started = Instant::now();
    let mut progress = Progress::new(started, inputs::total_bytes(&options.input));
    let mut summary = Summary::default();
    let mut handle = |input: Input| -> anyhow::Result<()> {
        let item = match input {
            Input::Page(item) => item,
            Input::Skipped(record_type) => {
                *summary.skipped.entry(record_type).or_default() += 1;
                return Ok(());
            }
            Input::Damaged { source, detail, .. } => {
                summary.damaged += 1;
                eprintln!(
                    "newsflow: warning: {}: {detail}; reading goes on after it",
                    source.topic.trim_start_matches("file:")
                );
                return Ok(());
            }
        };
        if let Some(rate) = options.rate {
            let due = started + Duration::from_secs_f64(summary.pages as f64 / rate);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        summary.read_bytes += item.read_bytes;
        let (key, value) = record(item);
        if key.is_none() {
            summary.unkeyed += 1;
        }
        backfill.send(key.as_deref().map(str::as_bytes), &value);
        summary.pages += 1;
        summary.bytes += value.len();
        let delivered = backfill.delivered();
        let note = if delivered.failed > 0 {
            format!(
                "{} acknowledged, {} NOT acknowledged",
                delivered.acknowledged, delivered.failed
            )
        } else {
            format!("{} acknowledged", delivered.acknowledged)
        };
        progress.show(&Done {
            pages: summary.pages,
            bytes: summary.bytes,
            read_bytes: summary.read_bytes,
            note: &note,
        });
        Ok(())
    };
    for input in &options.input {
        read_input(input, &mut handle)
            .map_err(|err| anyhow::anyhow!("cannot read {}: {err:#}", input.display()))?;
    }
    progress.clear();
    // librdkafka reports every record within `message.timeout.ms`; the margin covers the flush itself.
    summary.delivered = backfill.finish(config.kafka.message_timeout * 2 + Duration::from_secs(10));
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    let delivered = &summary.delivered;
    eprintln!(
        "newsflow: {} pages ({:.1} MB) produced to {topic} in {:.3} s: {} acknowledged, {} not acknowledged{}{}; {:.0} pages/s, {:.1} MB/s",
        summary.pages,
        summary.bytes as f64 / 1e6,
        elapsed,
        delivered.acknowledged,
        delivered.failed,
        if summary.unkeyed > 0 {
            format!(", {} without a URL (unkeyed)", summary.unkeyed)
        } else {
            String::new()
        },
        archive_notes(&summary.skipped, summary.damaged),
        summary.pages as f64 / elapsed,
        summary.bytes as f64 / 1e6 / elapsed,
    );
    if delivered.failed > 0 {
        anyhow::bail!(
            "{} of {} records were not acknowledged by the broker (first: {})",
            delivered.failed,
            summary.pages,
            delivered.first_error.as_deref().unwrap_or("unknown")
        );
    }
    Ok(summary)
}

/// The key (normalized URL, else the URL as given) and value of the record for one input page.
fn record(item: Item) -> (Option<String>, Vec<u8>) {
    let is_envelope = item
        .value
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    let (url, value) = if is_envelope {
        #[derive(serde::Deserialize)]
        struct UrlOnly {
            url: Option<String>,
        }
        let url = serde_json::from_slice::<UrlOnly>(&item.value)
            .ok()
            .and_then(|e| e.url);
        (url, item.value)
    } else {
        let envelope = Envelope {
            url: item.url.clone(),
            html_base64: Some(base64::engine::general_purpose::STANDARD.encode(&item.value)),
            content_type: item.content_type,
            ..Envelope::default()
        };
        (item.url, serde_json::to_vec(&envelope).unwrap_or_default())
    };
    let key = url.map(|url| dedup::normalize_url(&url).unwrap_or(url));
    (key, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(value: &str, url: Option<&str>, expected_key: Option<&str>, expected_value: &str) {
        let item = Item {
            source: model::SourceRef {
                topic: "file:x".to_owned(),
                partition: 0,
                offset: 0,
            },
            value: value.as_bytes().to_vec(),
            url: url.map(str::to_owned),
            content_type: url.map(|_| "text/html; charset=utf-8".to_owned()),
            read_bytes: 0,
        };
        let (key, value) = record(item);
        assert_eq!(key.as_deref(), expected_key);
        assert_eq!(String::from_utf8(value).unwrap(), expected_value);
    }

    #[test]
    fn records_of_pages() {
        // An envelope line goes as it is, keyed by its normalized URL.
        check(
            r#"{"url": "https://WWW.Example.com:443/a?utm_source=x&b=2#top", "html": "<p>x</p>"}"#,
            None,
            Some("https://www.example.com/a?b=2"),
            r#"{"url": "https://WWW.Example.com:443/a?utm_source=x&b=2#top", "html": "<p>x</p>"}"#,
        );
        // A bare HTML file becomes an envelope of bytes.
        check(
            "<p>é</p>",
            Some("https://example.com/b"),
            Some("https://example.com/b"),
            r#"{"url":"https://example.com/b","html_base64":"PHA+w6k8L3A+","content_type":"text/html; charset=utf-8"}"#,
        );
        // No URL: sent unkeyed (the worker reports it as missing_url); a URL that does not normalize is
        // the key as given.
        check(
            "not json",
            None,
            None,
            r#"{"url":null,"html_base64":"bm90IGpzb24="}"#,
        );
        check(
            r#"{"url": "ftp://x"}"#,
            None,
            Some("ftp://x"),
            r#"{"url": "ftp://x"}"#,
        );
    }
}
