//! `newsflow process`: the pipeline on files, without Kafka. One dedup state spans the whole run, so
//! duplicates among the inputs are reported as such.
//!
//! Pages are read in order by one thread, every stage but the dedup decision runs on `jobs` threads side by
//! side (`Pipeline::prepare`), and the decisions are taken and the events written in input order
//! (`Pipeline::judge`) by the calling thread, all three at once. So the output does not depend on the
//! number of threads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use model::SourceRef;
use pipeline::{InputFormat, Outcome, Pipeline, Prepared, RawMessage};

use crate::VERSION;
use crate::config::Config;
use crate::inputs::{self, Input, Item, read_input};
use crate::progress::{Done, Progress};

pub struct Options {
    pub input: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub rejects: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub pretty: bool,
    /// Threads for the stages; 0 = one per core.
    pub jobs: usize,
}

/// Inputs queued per preparing thread, before and after the stages.
const QUEUE_PER_THREAD: usize = 16;

/// Pages between two updates of the progress line.
const PROGRESS_EVERY: usize = 32;

/// An input back from the stages: a page prepared up to its dedup decision, or what is no page.
enum Ready {
    Page {
        source: SourceRef,
        bytes: usize,
        read_bytes: u64,
        prepared: Box<Prepared>,
    },
    Other(Input),
}

/// What a run did (its summary line).
#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub bytes: usize,
    pub read_bytes: u64,
    pub rejected: usize,
    pub by_status: std::collections::BTreeMap<&'static str, usize>,
    /// WARC records that hold no page, by type.
    pub skipped: std::collections::BTreeMap<String, usize>,
    /// Damaged parts of archives.
    pub damaged: usize,
}

pub fn process(options: &Options) -> anyhow::Result<Summary> {
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
    let mut progress = Progress::new(started, inputs::total_bytes(&options.input));
    let prepare = |item: &Item| {
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
        pipeline.prepare(&message, chrono::Utc::now().timestamp_millis())
    };
    // Takes one input, prepared when it is a page, in input order: the dedup decision, the event or
    // report written, the counts.
    let mut take = |ready: Ready| -> anyhow::Result<()> {
        match ready {
            Ready::Page {
                source,
                bytes,
                read_bytes,
                prepared,
            } => {
                summary.pages += 1;
                summary.bytes += bytes;
                summary.read_bytes += read_bytes;
                let processed = pipeline.judge(*prepared, chrono::Utc::now().timestamp_millis());
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
                if summary.pages % PROGRESS_EVERY == 0 {
                    let note = format!("{} rejected", summary.rejected);
                    progress.show(&Done {
                        pages: summary.pages,
                        bytes: summary.bytes,
                        read_bytes: summary.read_bytes,
                        note: &note,
                    });
                }
            }
            Ready::Other(Input::Skipped(record_type)) => {
                *summary.skipped.entry(record_type).or_default() += 1;
            }
            Ready::Other(Input::Damaged { source, kind, detail }) => {
                summary.damaged += 1;
                eprintln!(
                    "newsflow: warning: {}: {detail}; reading goes on after it",
                    source.topic.trim_start_matches("file:")
                );
                let report = serde_json::json!({
                    "source": source,
                    "reason": kind,
                    "stage": "read",
                    "detail": detail,
                });
                writeln!(rejects, "{report}")?;
            }
            Ready::Other(Input::Page(_)) => {}
        }
        Ok(())
    };
    let ready = |input: Input| match input {
        Input::Page(item) => Ready::Page {
            prepared: Box::new(prepare(&item)),
            source: item.source,
            bytes: item.value.len(),
            read_bytes: item.read_bytes,
        },
        other => Ready::Other(other),
    };

    if jobs <= 1 {
        for input in &options.input {
            read_input(input, &mut |input| take(ready(input)))
                .with_context(|| format!("cannot read {}", input.display()))?;
        }
    } else {
        // A reader, `jobs` threads preparing pages side by side, and this thread taking them back in
        // input order: reading, deciding and writing overlap with the stages.
        let (to_prepare, inputs_rx) =
            std::sync::mpsc::sync_channel::<(usize, Input)>(jobs * QUEUE_PER_THREAD);
        let inputs_rx = Arc::new(Mutex::new(inputs_rx));
        let (prepared_tx, prepared) =
            std::sync::mpsc::sync_channel::<(usize, Ready)>(jobs * QUEUE_PER_THREAD);
        std::thread::scope(|scope| -> anyhow::Result<()> {
            let reader = scope.spawn(move || -> anyhow::Result<()> {
                let mut n = 0usize;
                for input in &options.input {
                    read_input(input, &mut |input| {
                        to_prepare
                            .send((n, input))
                            .map_err(|_| anyhow::anyhow!("stopped before the end of the input"))?;
                        n += 1;
                        Ok(())
                    })
                    .with_context(|| format!("cannot read {}", input.display()))?;
                }
                Ok(())
            });
            for _ in 0..jobs {
                let (inputs_rx, prepared_tx, ready) = (inputs_rx.clone(), prepared_tx.clone(), &ready);
                scope.spawn(move || {
                    loop {
                        // Only one thread waits on the queue at a time; the others prepare.
                        let next = inputs_rx
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        let Ok((i, input)) = next else { break };
                        if prepared_tx.send((i, ready(input))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop((prepared_tx, inputs_rx));
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0usize;
            for (i, one) in prepared {
                waiting.insert(i, one);
                while let Some(one) = waiting.remove(&next) {
                    take(one)?;
                    next += 1;
                }
            }
            reader
                .join()
                .map_err(|_| anyhow::anyhow!("the reading thread panicked"))??;
            anyhow::ensure!(waiting.is_empty(), "a pipeline thread stopped early");
            Ok(())
        })?;
    }
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
        "newsflow: {} pages ({:.1} MB) in {:.3} s: {}{} rejected{}; {:.0} pages/s, {:.1} MB/s",
        summary.pages,
        summary.bytes as f64 / 1e6,
        elapsed,
        statuses.iter().map(|s| format!("{s}, ")).collect::<String>(),
        summary.rejected,
        archive_notes(&summary.skipped, summary.damaged),
        summary.pages as f64 / elapsed.max(1e-9),
        summary.bytes as f64 / 1e6 / elapsed.max(1e-9),
    );
    Ok(summary)
}

/// What the summary line says of WARC archives: the records without a page by type, and the damaged
/// parts (reported one by one in the rejects). Empty when no archive was read.
pub fn archive_notes(skipped: &std::collections::BTreeMap<String, usize>, damaged: usize) -> String {
    let mut out = String::new();
    if !skipped.is_empty() {
        let total: usize = skipped.values().sum();
        let types: Vec<String> = skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        out.push_str(&format!(
            "; {total} WARC records without a page skipped ({})",
            types.join(", ")
        ));
    }
    if damaged > 0 {
        out.push_str(&format!("; {damaged} damaged archive parts (see the rejects)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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

    /// `newsflow process` on the archives of `tests/data/warc`: one line per event or report, in input
    /// order, held to `tests/data/warc/process.expected`.
    #[test]
    fn warc_archives_record_by_record() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/warc");
        let dir = std::env::temp_dir().join(format!("newsflow-warc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("events.jsonl");
        let rejects = dir.join("rejects.jsonl");
        let summary = process(&Options {
            input: ["pages.warc.gz", "damaged.warc.gz", "truncated.warc"]
                .iter()
                .map(|name| data.join(name))
                .collect(),
            output: Some(out.clone()),
            rejects: Some(rejects.clone()),
            config: None,
            pretty: false,
            jobs: 2,
        })
        .unwrap();
        let mut lines: Vec<(String, i64, String)> = Vec::new();
        let name = |source: &serde_json::Value| {
            let topic = source["topic"].as_str().unwrap();
            topic.rsplit('/').next().unwrap().to_owned()
        };
        for line in std::fs::read_to_string(&out).unwrap().lines() {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = event["text"].as_str().unwrap();
            lines.push((
                name(&event["source"]),
                event["source"]["offset"].as_i64().unwrap(),
                format!(
                    "{} {} {} | {} | {}",
                    event["dedup"]["status"].as_str().unwrap(),
                    event["language"]["code"].as_str().unwrap(),
                    event["fetched_at"].as_str().unwrap_or("-"),
                    event["title"].as_str().unwrap_or("-"),
                    text.chars().take(30).collect::<String>(),
                ),
            ));
        }
        for line in std::fs::read_to_string(&rejects).unwrap().lines() {
            let report: serde_json::Value = serde_json::from_str(line).unwrap();
            lines.push((
                name(&report["source"]),
                report["source"]["offset"].as_i64().unwrap(),
                format!(
                    "rejected {} {}: {}",
                    report["stage"].as_str().unwrap(),
                    report["reason"].as_str().unwrap(),
                    report["detail"].as_str().unwrap()
                ),
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
        let order = |file: &str| {
            ["pages.warc.gz", "damaged.warc.gz", "truncated.warc"]
                .iter()
                .position(|n| *n == file)
        };
        lines.sort_by_key(|(file, offset, _)| (order(file), *offset));
        let mut listing: String = lines
            .iter()
            .map(|(file, offset, what)| format!("{file}@{offset}: {what}\n"))
            .collect();
        listing.push_str(&format!(
            "pages {}, rejected {}, skipped {:?}, damaged {}\n",
            summary.pages, summary.rejected, summary.skipped, summary.damaged
        ));
        expect_test::expect_file![data.join("process.expected")].assert_eq(&listing);
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
}
