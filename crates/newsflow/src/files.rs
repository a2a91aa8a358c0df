//! `newsflow process`: the pipeline on files, without Kafka. One dedup state spans the whole run, so
//! duplicates among the inputs are reported as such.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use model::SourceRef;
use pipeline::{InputFormat, Outcome, Pipeline, RawMessage};

use crate::VERSION;
use crate::config::Config;

pub struct Options {
    pub input: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub rejects: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub pretty: bool,
}

/// One input page: the message value and, for bare HTML files, its URL and content type.
struct Item {
    source: SourceRef,
    value: Vec<u8>,
    url: Option<String>,
    content_type: Option<String>,
}

/// `<page>.input.json` beside a bare HTML file: what the crawler would have put in the envelope.
#[derive(Debug, Default, serde::Deserialize)]
struct Sidecar {
    url: Option<String>,
    content_type: Option<String>,
}

fn read_sidecar(page: &Path) -> anyhow::Result<Sidecar> {
    let path = page.with_extension("input.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("invalid {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Sidecar::default()),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[derive(Default)]
struct Summary {
    pages: usize,
    bytes: usize,
    rejected: usize,
    by_status: std::collections::BTreeMap<&'static str, usize>,
}

pub fn process(options: &Options) -> anyhow::Result<()> {
    let mut config = Config::load(options.config.as_deref(), std::env::vars())?;
    for warning in &config.deprecated {
        eprintln!("newsflow: warning: {warning}");
    }
    // Files are bare HTML or JSON envelopes: tell them apart by their first byte.
    config.input.format = InputFormat::Auto;
    let url_header = config.input.url_header.clone();
    let pipeline: Pipeline = config.build_pipeline(VERSION)?;

    let mut out: Box<dyn Write> = match &options.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut rejects: Box<dyn Write> = match &options.rejects {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::stderr()),
    };

    let started = Instant::now();
    let mut summary = Summary::default();
    let mut handle = |item: Item| -> anyhow::Result<()> {
        summary.pages += 1;
        summary.bytes += item.value.len();
        let mut headers: Vec<(&str, &[u8])> = Vec::new();
        if let Some(url) = &item.url {
            headers.push((url_header.as_str(), url.as_bytes()));
        }
        if let Some(content_type) = &item.content_type {
            headers.push(("content-type", content_type.as_bytes()));
        }
        let message = RawMessage {
            value: &item.value,
            headers,
            source: item.source.clone(),
        };
        let processed = pipeline.process(&message, chrono::Utc::now().timestamp_millis());
        match processed.outcome {
            Outcome::Publish { event, .. } | Outcome::Dropped { event } => {
                let status = event.dedup.as_ref().map_or("published", |d| d.status.as_str());
                *summary.by_status.entry(status).or_default() += 1;
                if options.pretty {
                    serde_json::to_writer_pretty(&mut out, &event)?;
                } else {
                    serde_json::to_writer(&mut out, &event)?;
                }
                out.write_all(b"\n")?;
            }
            Outcome::Unavailable { .. } => {
                let detail = processed
                    .dedup_error
                    .map(|failure| failure.detail)
                    .unwrap_or_default();
                anyhow::bail!(
                    "the dedup store is unavailable ({detail}); stopped at {} (set dedup.redis.fail_open to \
                     pass pages through unjudged)",
                    item.source.owner()
                );
            }
            Outcome::Rejected(rejection) => {
                summary.rejected += 1;
                let report = serde_json::json!({
                    "source": item.source,
                    "reason": rejection.reason.as_str(),
                    "stage": rejection.stage.as_str(),
                    "detail": rejection.detail,
                });
                writeln!(rejects, "{report}")?;
            }
        }
        Ok(())
    };

    for input in &options.input {
        read_input(input, &mut handle).with_context(|| format!("cannot read {}", input.display()))?;
    }
    out.flush()?;
    rejects.flush()?;
    let elapsed = started.elapsed().as_secs_f64();
    let statuses: Vec<String> = summary
        .by_status
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    eprintln!(
        "newsflow: {} pages ({:.1} MB) in {:.3} s: {}{} rejected; {:.0} pages/s, {:.1} MB/s",
        summary.pages,
        summary.bytes as f64 / 1e6,
        elapsed,
        statuses.iter().map(|s| format!("{s}, ")).collect::<String>(),
        summary.rejected,
        summary.pages as f64 / elapsed.max(1e-9),
        summary.bytes as f64 / 1e6 / elapsed.max(1e-9),
    );
    Ok(())
}

fn read_input(path: &Path, handle: &mut dyn FnMut(Item) -> anyhow::Result<()>) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return read_jsonl("stdin", BufReader::new(std::io::stdin().lock()), handle);
    }
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || is_page(&entry) || is_jsonl(&entry) {
                read_input(&entry, handle)?;
            }
        }
        return Ok(());
    }
    if is_jsonl(path) {
        return read_jsonl(
            &path.display().to_string(),
            BufReader::new(File::open(path)?),
            handle,
        );
    }
    let mut value = Vec::new();
    File::open(path)?.read_to_end(&mut value)?;
    let sidecar = read_sidecar(path)?;
    let url = sidecar.url.or_else(|| declared_url(&value));
    handle(Item {
        source: file_source(&path.display().to_string(), 0),
        value,
        url,
        content_type: sidecar.content_type,
    })
}

fn read_jsonl(
    name: &str,
    reader: impl BufRead,
    handle: &mut dyn FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        handle(Item {
            source: file_source(name, index as i64 + 1),
            value: line,
            url: None,
            content_type: None,
        })?;
    }
    Ok(())
}

fn file_source(name: &str, offset: i64) -> SourceRef {
    SourceRef {
        topic: format!("file:{name}"),
        partition: 0,
        offset,
    }
}

fn is_page(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// The URL a bare HTML file declares for itself (`rel="canonical"` or `og:url`), found by a light scan of
/// its head. Files without one are rejected by the pipeline as `missing_url`.
fn declared_url(html: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(html.get(..html.len().min(256 * 1024))?);
    for tag in head
        .split('<')
        .filter(|t| t.starts_with("link") || t.starts_with("meta"))
    {
        let tag = tag.split('>').next().unwrap_or_default();
        let lower = tag.to_ascii_lowercase();
        let canonical = lower.contains("rel=\"canonical\"") || lower.contains("rel='canonical'");
        let og_url = lower.contains("property=\"og:url\"") || lower.contains("property='og:url'");
        let attr = if canonical {
            "href"
        } else if og_url {
            "content"
        } else {
            continue;
        };
        if let Some(url) = attribute(tag, attr).filter(|u| u.starts_with("http")) {
            return Some(url);
        }
    }
    None
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower.get(search..)?.find(&format!("{name}=")) {
        let start = search + found;
        let preceded_by_space = start == 0
            || lower
                .as_bytes()
                .get(start - 1)
                .is_some_and(u8::is_ascii_whitespace);
        let value_start = start + name.len() + 1;
        if preceded_by_space {
            let rest = tag.get(value_start..)?;
            let quote = rest.chars().next()?;
            let value = if quote == '"' || quote == '\'' {
                rest.get(1..)?.split(quote).next()?
            } else {
                rest.split(|c: char| c.is_whitespace() || c == '>').next()?
            };
            return Some(value.trim().to_owned());
        }
        search = value_start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(html: &str, expected: Option<&str>) {
        assert_eq!(declared_url(html.as_bytes()).as_deref(), expected);
    }

    #[test]
    fn declared_url_from_head() {
        check(
            r#"<html><head><link rel="canonical" href="https://a.example/x"></head>"#,
            Some("https://a.example/x"),
        );
        check(
            r#"<meta property="og:url" content='https://b.example/y' />"#,
            Some("https://b.example/y"),
        );
        check(
            r#"<link data-href="x" rel="canonical" href="https://c.example/z">"#,
            Some("https://c.example/z"),
        );
        check(r#"<link rel="stylesheet" href="https://c.example/s.css">"#, None);
        check("", None);
    }
}
