//! `newsflow run`: telemetry, the HTTP endpoints, the Kafka worker, and signal-driven shutdown.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::VERSION;
use crate::config::Config;

pub fn run(path: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(path, std::env::vars())?;
    telemetry::init_logs(config.telemetry.log_format, &config.telemetry.log_level)?;
    for warning in &config.deprecated {
        tracing::warn!(warning = %warning, "deprecated configuration key");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.worker_threads() + 4)
        .thread_name("newsflow")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let metrics = telemetry::install_metrics(VERSION)?;
    let health = telemetry::Health::new();
    let shutdown = CancellationToken::new();
    let (addr, http) = telemetry::serve(
        &config.telemetry.listen,
        metrics,
        health.clone(),
        shutdown.child_token(),
    )
    .await?;
    tracing::info!(%addr, version = VERSION, stages = ?config.pipeline.stages, "newsflow started; metrics at /metrics");

    let pipeline = Arc::new(config.build_pipeline(VERSION)?);
    tracing::info!(store = pipeline.dedup_store(), "dedup state");
    tokio::spawn(watch_signals(shutdown.clone()));
    let limits = kafka::Limits {
        max_in_flight: config.pipeline.max_in_flight,
        cpu_threads: config.worker_threads(),
    };
    let result = kafka::run(config.kafka.clone(), pipeline, limits, health, shutdown.clone()).await;
    shutdown.cancel();
    let _ = http.await;
    result?;
    tracing::info!("newsflow stopped");
    Ok(())
}

/// First SIGTERM or SIGINT: graceful shutdown. Second: exit at once.
async fn watch_signals(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
        _ = int.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
    }
    shutdown.cancel();
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::warn!("second signal: exiting without draining");
    std::process::exit(130);
}
