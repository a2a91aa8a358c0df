//! `newsflow`: the worker binary. Command line, configuration, wiring and shutdown; no stage logic.

mod config;
mod files;
mod inputs;
mod produce;
mod progress;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Version written into every event and into `newsflow_build_info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "newsflow",
    version,
    about = "Streaming news ingestion: raw HTML in, clean article events out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Kafka worker until SIGTERM or SIGINT.
    Run {
        /// Configuration file (TOML); environment overrides apply on top.
        #[arg(long, short, env = "NEWSFLOW_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Run the pipeline on files, without Kafka: one event per line for every page.
    Process {
        /// HTML files, .jsonl files of envelopes, WARC archives (.warc, .warc.gz), directories of them,
        /// or - for envelopes on stdin.
        #[arg(long, short, required = true, num_args = 1..)]
        input: Vec<PathBuf>,
        /// Where events go (JSON lines); stdout when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Where rejected pages are reported (JSON lines); stderr when absent.
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Configuration file; only the pipeline's tables are used.
        #[arg(long, short, env = "NEWSFLOW_CONFIG")]
        config: Option<PathBuf>,
        /// Pretty-print events (one JSON document per page, not JSON lines).
        #[arg(long)]
        pretty: bool,
        /// Threads for the stages (0: one per core). The output is the same whatever the number.
        #[arg(long, short, default_value_t = 0)]
        jobs: usize,
    },
    /// Load pages into the input topic as envelopes keyed by normalized URL, for a backfill: HTML
    /// files, .jsonl files of envelopes, WARC archives, directories of them, or - for envelopes on stdin.
    /// Exits non-zero when the broker did not acknowledge every record.
    Produce {
        /// What to load (as `process --input`).
        #[arg(long, short, required = true, num_args = 1..)]
        input: Vec<PathBuf>,
        /// Configuration file: `[kafka]` gives the brokers, the topic and the producer settings.
        #[arg(long, short, env = "NEWSFLOW_CONFIG")]
        config: Option<PathBuf>,
        /// Bootstrap servers (default: kafka.bootstrap_servers).
        #[arg(long)]
        brokers: Option<String>,
        /// Topic (default: kafka.input_topic).
        #[arg(long)]
        topic: Option<String>,
        /// Pages per second at most (default: as fast as the broker takes them).
        #[arg(long)]
        rate: Option<f64>,
        /// Compression of the records (default: kafka.compression).
        #[arg(long, value_parser = ["none", "gzip", "snappy", "lz4", "zstd"])]
        compression: Option<String>,
    },
    /// Validate the configuration and print it, secrets redacted.
    CheckConfig {
        /// Configuration file (TOML); environment overrides apply on top.
        #[arg(long, short, env = "NEWSFLOW_CONFIG")]
        config: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { config } => worker::run(config.as_deref()),
        Command::Process {
            input,
            output,
            rejects,
            config,
            pretty,
            jobs,
        } => files::process(&files::Options {
            input,
            output,
            rejects,
            config,
            pretty,
            jobs,
        })
        .map(|_| ()),
        Command::Produce {
            input,
            config,
            brokers,
            topic,
            rate,
            compression,
        } => produce::produce(&produce::Options {
            input,
            config,
            brokers,
            topic,
            rate,
            compression: compression.as_deref().map(compression_of),
        })
        .map(|_| ()),
        Command::CheckConfig { config } => check_config(config.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsflow: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The codec a `--compression` value names (clap allows only these).
fn compression_of(name: &str) -> kafka::Compression {
    match name {
        "none" => kafka::Compression::None,
        "gzip" => kafka::Compression::Gzip,
        "snappy" => kafka::Compression::Snappy,
        "zstd" => kafka::Compression::Zstd,
        _ => kafka::Compression::Lz4,
    }
}

fn check_config(path: Option<&std::path::Path>) -> anyhow::Result<()> {
    let config = config::Config::load(path, std::env::vars())?;
    print!("{}", config.redacted_toml()?);
    for warning in &config.deprecated {
        eprintln!("newsflow: warning: {warning}");
    }
    eprintln!("newsflow: configuration is valid");
    Ok(())
}
