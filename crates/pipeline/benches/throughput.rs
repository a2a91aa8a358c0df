//! Single-core throughput of the pipeline in file mode, and of a parse-only pass over the same pages.
//!
//! `cargo bench -p pipeline --bench throughput [-- DIR...]`; the default directory is `samples/pages`.
//! Prints pages/s and MB/s per stage chain, and the ratio to parsing alone with `scraper`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use model::SourceRef;
use pipeline::{Outcome, Pipeline, PipelineConfig, RawMessage, Stage};

struct Page {
    url: String,
    html: Vec<u8>,
}

fn load(dirs: &[PathBuf]) -> Vec<Page> {
    let mut pages = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"))
            .collect();
        files.sort();
        for (i, file) in files.iter().enumerate() {
            let html = std::fs::read(file).unwrap();
            pages.push(Page {
                url: format!("https://bench.example.com/{}/{i}", dir.display()),
                html,
            });
        }
    }
    pages
}

fn config(stages: Vec<Stage>) -> PipelineConfig {
    PipelineConfig {
        stages,
        max_input_bytes: 64 * 1024 * 1024,
        version: "bench".to_owned(),
        ..PipelineConfig::default()
    }
}

/// Runs `f` over all pages repeatedly for at least `min` time; returns seconds per pass.
fn time_passes(min: Duration, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let started = Instant::now();
    let mut passes = 0u32;
    while started.elapsed() < min || passes < 2 {
        f();
        passes += 1;
    }
    started.elapsed().as_secs_f64() / f64::from(passes)
}

fn main() {
    // `cargo test --all-targets` runs benches once without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("throughput: run with `cargo bench -p pipeline --bench throughput`");
        return;
    }
    let args: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let dirs = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/pages")]
    } else {
        args
    };
    let pages = load(&dirs);
    assert!(!pages.is_empty(), "no .html pages in {dirs:?}");
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let min = Duration::from_secs(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    );
    println!(
        "pages: {} from {:?}, {:.1} MB, mean {:.0} KB/page; single thread, ≥ {} s per measure",
        pages.len(),
        dirs,
        bytes as f64 / 1e6,
        bytes as f64 / pages.len() as f64 / 1e3,
        min.as_secs()
    );

    let parse_only = time_passes(min, || {
        for page in &pages {
            let text = String::from_utf8_lossy(&page.html);
            let doc = scraper::Html::parse_document(&text);
            std::hint::black_box(doc.tree.nodes().count());
        }
    });
    report("parse only (scraper)", pages.len(), bytes, parse_only, None);

    for stages in [
        vec![Stage::Extract],
        vec![Stage::Extract, Stage::Dedup, Stage::Lang],
    ] {
        let name = stages.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+");
        let mut rejected = 0;
        let seconds = time_passes(min, || {
            // A fresh pipeline per pass, so dedup sees every page as new each time.
            let pipeline = Pipeline::new(config(stages.clone())).unwrap();
            rejected = 0;
            for (i, page) in pages.iter().enumerate() {
                let headers = vec![("url", page.url.as_bytes())];
                let message = RawMessage {
                    value: &page.html,
                    headers,
                    source: SourceRef {
                        topic: "bench".into(),
                        partition: 0,
                        offset: i as i64,
                    },
                };
                let processed = pipeline.process(&message, 1_700_000_000_000);
                if matches!(processed.outcome, Outcome::Rejected(_)) {
                    rejected += 1;
                }
                std::hint::black_box(processed);
            }
        });
        report(&name, pages.len(), bytes, seconds, Some(parse_only));
        println!(
            "    ({rejected} of {} pages rejected as not articles or undecodable)",
            pages.len()
        );
    }
}

fn report(name: &str, pages: usize, bytes: usize, seconds: f64, parse_only: Option<f64>) {
    let ratio = parse_only
        .map(|p| format!(", {:.2}× the parse-only speed", p / seconds))
        .unwrap_or_default();
    println!(
        "{name:<24} {:>8.1} pages/s  {:>6.1} MB/s  {:>7.3} ms/page{ratio}",
        pages as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
        seconds * 1e3 / pages as f64
    );
}
