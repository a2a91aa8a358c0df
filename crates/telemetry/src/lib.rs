//! Everything operators see: metric names and events, the Prometheus exporter, the `/metrics`,
//! `/healthz` and `/readyz` endpoints, and log set-up.
//!
//! Metric names are defined here and nowhere else ([`names`]); other crates emit through [`events`], so
//! every label stays bounded (topic, partition, stage, outcome, reason, language) — never a URL, an id
//! or a key. This crate knows nothing of Kafka or of the stages' algorithms; it reads no config file.
#![warn(missing_docs)]

pub mod events;
mod health;
mod http;
pub mod names;
mod throttle;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use health::{Condition, Health};
pub use http::serve;
pub use throttle::Throttle;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The metrics recorder could not be built or installed.
    #[error("cannot install metrics recorder: {0}")]
    Recorder(String),
    /// The log subscriber could not be installed.
    #[error("cannot install log subscriber: {0}")]
    Logs(String),
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Latency buckets in seconds for stage timings: 50 µs to 5 s.
pub const STAGE_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
/// Latency buckets in seconds for whole-message timings: 1 ms to 10 min.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];
/// Size buckets in bytes for input pages: 1 KiB to 16 MiB.
pub const BYTES_BUCKETS: &[f64] = &[
    1024.0, 4096.0, 16384.0, 65536.0, 131072.0, 262144.0, 524288.0, 1048576.0, 4194304.0, 16777216.0,
];

/// Installs the global Prometheus recorder (histograms with explicit buckets) and returns the handle
/// that renders `/metrics`. Call once per process.
pub fn install_metrics(version: &str) -> Result<PrometheusHandle, TelemetryError> {
    let err = |e: metrics_exporter_prometheus::BuildError| TelemetryError::Recorder(e.to_string());
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(names::STAGE_DURATION.to_owned()), STAGE_BUCKETS)
        .map_err(err)?
        .set_buckets_for_metric(
            Matcher::Full(names::PROCESSING_DURATION.to_owned()),
            LATENCY_BUCKETS,
        )
        .map_err(err)?
        .set_buckets_for_metric(
            Matcher::Full(names::END_TO_END_LATENCY.to_owned()),
            LATENCY_BUCKETS,
        )
        .map_err(err)?
        .set_buckets_for_metric(Matcher::Full(names::INPUT_BYTES.to_owned()), BYTES_BUCKETS)
        .map_err(err)?
        .install_recorder()
        .map_err(err)?;
    names::describe();
    metrics_process::Collector::default().describe();
    metrics::gauge!(names::BUILD_INFO, "version" => version.to_owned()).set(1.0);
    Ok(handle)
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Filter directives always added after `level`: parser warnings about malformed markup (html5ever's
/// "foster parenting" and the like) are about the page, not the worker, and would drown real warnings.
const QUIET: &[&str] = &["html5ever=error", "selectors=error", "markup5ever=error"];

/// Installs the global tracing subscriber writing to stderr. `RUST_LOG`, when set, overrides `level`.
/// Colours only on a terminal.
pub fn init_logs(format: LogFormat, level: &str) -> Result<(), TelemetryError> {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| level.to_owned());
    let mut filter = EnvFilter::try_new(&directives).map_err(|err| TelemetryError::Logs(err.to_string()))?;
    for quiet in QUIET {
        if !directives.contains(quiet.split('=').next().unwrap_or_default()) {
            filter = filter.add_directive(quiet.parse().map_err(
                |err: tracing_subscriber::filter::ParseError| TelemetryError::Logs(err.to_string()),
            )?);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    result.map_err(|err| TelemetryError::Logs(err.to_string()))
}
