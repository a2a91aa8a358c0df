//! `newsflow-eval`: quality and speed of each stage on a labelled corpus. Each command prints a report and
//! fails (non-zero exit) when a score is below a floor given with `--floors FILE` (a flat TOML table of
//! metric name → minimum, kept in `tests/floors/<stage>.toml`), so CI can hold the line.
//!
//! Kept out of the worker binary: it reads corpora from disk and links no Kafka client.

mod dedup;
mod extract;
mod lang;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "newsflow-eval",
    version,
    about = "Score newsflow's stages on labelled corpora and explain its extraction"
)]
struct Cli {
    #[command(subcommand)]
    command: EvalCommand,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Extraction: body precision/recall/F1 and metadata accuracy against evaldata.json.
    Extract {
        /// Corpus folder holding `evaldata.json` and `html/`.
        #[arg(long)]
        corpus: PathBuf,
        /// Fail when a score is below the floors in this file.
        #[arg(long)]
        floors: Option<PathBuf>,
        /// Print every failing page.
        #[arg(long)]
        verbose: bool,
        /// Write every page's scores to this file (tab-separated: file, tp, fn, fp, and the title, author
        /// and date misses), to compare two runs page by page.
        #[arg(long)]
        pages: Option<PathBuf>,
    },
    /// Why a page's body came out as it did: the element tree with flags, scores and the chosen containers.
    Explain {
        /// The HTML file.
        page: PathBuf,
        /// The page's URL.
        #[arg(long, default_value = "https://example.com/page")]
        url: String,
        /// Show elements holding at least this many characters of text.
        #[arg(long, default_value_t = 40)]
        min_chars: u32,
    },
    /// Deduplication: recall per variant type, false-positive rate, docs/s.
    Dedup {
        /// Corpus folder with pages to build the labelled set from.
        #[arg(long)]
        corpus: PathBuf,
        /// Fail when a score is below the floors in this file.
        #[arg(long)]
        floors: Option<PathBuf>,
    },
    /// Language tagging: accuracy per language on sentences and paragraphs, confidence buckets, MB/s.
    Lang {
        /// Corpus folder holding `sentences/<code>.txt`.
        #[arg(long)]
        corpus: PathBuf,
        /// Fail when a score is below the floors in this file.
        #[arg(long)]
        floors: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsflow-eval: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: EvalCommand) -> anyhow::Result<()> {
    match command {
        EvalCommand::Extract {
            corpus,
            floors,
            verbose,
            pages,
        } => extract::run(&corpus, floors.as_deref(), verbose, pages.as_deref()),
        EvalCommand::Explain { page, url, min_chars } => extract::explain(&page, &url, min_chars),
        EvalCommand::Dedup { corpus, floors } => dedup::run(&corpus, floors.as_deref()),
        EvalCommand::Lang { corpus, floors } => lang::run(&corpus, floors.as_deref()),
    }
}

/// CPU seconds this thread has run, from `/proc/thread-self/schedstat` (nanoseconds): throughput per
/// core that other processes on a shared machine do not skew. `None` where the kernel does not say.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    (nanos > 0.0).then_some(nanos / 1e9)
}

/// Runs `work`; returns its output, the wall-clock seconds and this thread's CPU seconds it took.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let (start, cpu) = (std::time::Instant::now(), thread_cpu_seconds());
    let out = work();
    let cpu = cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    (out, start.elapsed().as_secs_f64(), cpu)
}

/// Reads a floors file: metric name → minimum value.
pub fn floors(path: Option<&std::path::Path>) -> anyhow::Result<std::collections::BTreeMap<String, f64>> {
    use anyhow::Context as _;
    let Some(path) = path else {
        return Ok(Default::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("invalid TOML in {}", path.display()))?;
    table
        .iter()
        .map(|(k, v)| {
            let value = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
            value
                .map(|v| (k.clone(), v))
                .with_context(|| format!("floor {k} is not a number"))
        })
        .collect()
}

/// Compares measured scores with floors; prints each check and fails when any is below.
pub fn hold_floors(
    measured: &std::collections::BTreeMap<String, f64>,
    floors: &std::collections::BTreeMap<String, f64>,
) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for (name, floor) in floors {
        match measured.get(name) {
            Some(value) if value >= floor => println!("floor ok    {name}: {value:.4} ≥ {floor}"),
            Some(value) => {
                println!("floor FAIL  {name}: {value:.4} < {floor}");
                failed.push(name.clone());
            }
            None => {
                println!("floor FAIL  {name}: not measured");
                failed.push(name.clone());
            }
        }
    }
    anyhow::ensure!(failed.is_empty(), "below the floors: {}", failed.join(", "));
    Ok(())
}
