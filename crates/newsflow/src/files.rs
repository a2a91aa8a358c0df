//! `newsflow process`: the pipeline on files, without Kafka. One dedup state spans the whole run, so
//! duplicates among the inputs are reported as such.
//!
//! Pages are read in order and handled in batches: every stage but the dedup decision runs on `jobs`
//! threads side by side (`Pipeline::prepare`), then the decisions are taken and the events written in
//! input order (`Pipeline::judge`). So the output does not depend on the number of threads.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use model::SourceRef;
use pipeline::{InputFormat, Outcome, Pipeline, Prepared, RawMessage};

use crate::VERSION;
use crate::config::Config;

pub struct Options {
    pub input: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub rejects: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub pretty: bool,
    /// Threads for the stages; 0 = one per core.
    pub jobs: usize,
}

/// Pages per thread in one batch: enough that a slow page rarely leaves the other threads idle.
const BATCH_PER_THREAD: usize = 16;

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

    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut progress = Progress::new(started);
    let mut batch: Vec<Item> = Vec::with_capacity(jobs * BATCH_PER_THREAD);
    let mut write = |prepared: Vec<(SourceRef, Prepared)>, summary: &mut Summary| -> anyhow::Result<()> {
        for (source, prepared) in prepared {
            let processed = pipeline.judge(prepared, chrono::Utc::now().timestamp_millis());
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
                        "the dedup store is unavailable ({detail}); stopped at {} (set dedup.redis.fail_open \
                         to pass pages through unjudged)",
                        source.owner()
                    );
                }
                Outcome::Rejected(rejection) => {
                    summary.rejected += 1;
                    let report = serde_json::json!({
                        "source": source,
                        "reason": rejection.reason.as_str(),
                        "stage": rejection.stage.as_str(),
                        "detail": rejection.detail,
                    });
                    writeln!(rejects, "{report}")?;
                }
            }
        }
        Ok(())
    };
    let mut handle = |item: Item| -> anyhow::Result<()> {
        summary.pages += 1;
        summary.bytes += item.value.len();
        batch.push(item);
        if batch.len() == batch.capacity() {
            let items = std::mem::take(&mut batch);
            write(prepare_all(&pipeline, &url_header, items, jobs)?, &mut summary)?;
            batch.reserve(jobs * BATCH_PER_THREAD);
            progress.show(&summary);
        }
        Ok(())
    };

    for input in &options.input {
        read_input(input, &mut handle).with_context(|| format!("cannot read {}", input.display()))?;
    }
    write(prepare_all(&pipeline, &url_header, batch, jobs)?, &mut summary)?;
    progress.clear();
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

/// Prepares `items` on `jobs` threads; returns them in input order.
fn prepare_all(
    pipeline: &Pipeline,
    url_header: &str,
    items: Vec<Item>,
    jobs: usize,
) -> anyhow::Result<Vec<(SourceRef, Prepared)>> {
    let prepare = |item: &Item| {
        let mut headers: Vec<(&str, &[u8])> = Vec::new();
        if let Some(url) = &item.url {
            headers.push((url_header, url.as_bytes()));
        }
        if let Some(content_type) = &item.content_type {
            headers.push(("content-type", content_type.as_bytes()));
        }
        let message = RawMessage {
            value: &item.value,
            headers,
            source: item.source.clone(),
        };
        pipeline.prepare(&message, chrono::Utc::now().timestamp_millis())
    };
    let threads = jobs.min(items.len());
    if threads <= 1 {
        return Ok(items
            .iter()
            .map(|item| (item.source.clone(), prepare(item)))
            .collect());
    }
    // Each thread takes the next page not taken yet, so a slow page holds up only its own thread.
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Prepared)> = std::thread::scope(|scope| -> anyhow::Result<_> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, prepare(item)));
                    }
                    mine
                })
            })
            .collect();
        let mut done = Vec::with_capacity(items.len());
        for worker in workers {
            let mine = worker
                .join()
                .map_err(|_| anyhow::anyhow!("a pipeline thread panicked"))?;
            done.extend(mine);
        }
        Ok(done)
    })?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done
        .into_iter()
        .map(|(i, prepared)| (items[i].source.clone(), prepared))
        .collect())
}

/// A progress line on stderr, when it is a terminal: pages, MB and pages/s, redrawn at most 4 times a
/// second.
struct Progress {
    started: Instant,
    shown: Option<Instant>,
    terminal: bool,
}

impl Progress {
    fn new(started: Instant) -> Self {
        use std::io::IsTerminal as _;
        Progress {
            started,
            shown: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, summary: &Summary) {
        if !self.terminal
            || self
                .shown
                .is_some_and(|at| at.elapsed() < Duration::from_millis(250))
        {
            return;
        }
        self.shown = Some(Instant::now());
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r\x1b[2Knewsflow: {} pages, {:.1} MB, {:.0} pages/s, {} rejected",
            summary.pages,
            summary.bytes as f64 / 1e6,
            summary.pages as f64 / elapsed,
            summary.rejected
        );
    }

    fn clear(&self) {
        if self.terminal && self.shown.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
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

    /// The events of one run over five copies of the sample pages (the later copies are duplicates, and
    /// the run spans several batches), without `processed_at`.
    fn events_with(jobs: usize) -> Vec<serde_json::Value> {
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/pages");
        let dir = std::env::temp_dir().join(format!("newsflow-jobs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&samples).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".html") || name.ends_with(".input.json") {
                for copy in 0..5 {
                    std::fs::copy(&path, dir.join(format!("{copy}-{name}"))).unwrap();
                }
            }
        }
        let out = dir.join("events.jsonl");
        let rejects = dir.join("rejects.jsonl");
        process(&Options {
            input: vec![dir.clone()],
            output: Some(out.clone()),
            rejects: Some(rejects),
            config: None,
            pretty: false,
            jobs,
        })
        .unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        text.lines()
            .map(|line| {
                let mut event: serde_json::Value = serde_json::from_str(line).unwrap();
                event.as_object_mut().unwrap().remove("processed_at");
                event
            })
            .collect()
    }

    #[test]
    fn the_output_is_the_same_on_one_thread_and_on_several() {
        let one = events_with(1);
        let two = events_with(2);
        let five = events_with(5);
        assert!(one.len() >= 20, "{} events", one.len());
        assert_eq!(one.len() % 5, 0);
        assert_eq!(one, two);
        assert_eq!(one, five);
        let duplicates = one.iter().filter(|e| e["dedup"]["status"] == "duplicate").count();
        assert_eq!(
            duplicates * 5,
            one.len() * 4,
            "the later readings are all duplicates"
        );
    }

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
