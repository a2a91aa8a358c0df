//! `/metrics`, `/healthz` and `/readyz`, served by axum on the worker's tokio runtime. Every response
//! closes its connection, as scrapers and probes open one per request.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{Condition, Health, TelemetryError};

/// Prometheus text exposition format.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
/// How often the exporter drains its histograms and expires idle series.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);
/// Time open connections get to finish after shutdown before they are dropped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the handlers read.
#[derive(Clone)]
struct Endpoints {
    metrics: PrometheusHandle,
    health: Health,
    /// Process CPU, memory, file descriptors, threads and start time, read at scrape time.
    process: metrics_process::Collector,
}

/// Binds `listen` and serves the endpoints until `shutdown` is cancelled. Returns the bound address
/// (useful with port 0) and the server task.
pub async fn serve(
    listen: &str,
    metrics: PrometheusHandle,
    health: Health,
    shutdown: CancellationToken,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), TelemetryError> {
    let bind_err = |source| TelemetryError::Bind {
        addr: listen.to_owned(),
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_err)?;
    let addr = listener.local_addr().map_err(bind_err)?;
    let upkeep = tokio::spawn(upkeep(metrics.clone(), shutdown.clone()));
    let server = axum::serve(
        listener,
        router(Endpoints {
            metrics,
            health,
            process: metrics_process::Collector::default(),
        }),
    )
    .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let task = tokio::spawn(async move {
        tokio::select! {
            served = server.into_future() => {
                if let Err(err) = served {
                    tracing::warn!(error = %err, "http server failed");
                }
            }
            () = grace_expired(&shutdown) => {
                tracing::warn!("http connections still open after shutdown; dropping them");
            }
        }
        let _ = upkeep.await;
    });
    Ok((addr, task))
}

fn router(endpoints: Endpoints) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::map_response(close_connection))
        .with_state(endpoints)
}

async fn metrics(State(endpoints): State<Endpoints>) -> Response {
    endpoints.process.collect();
    text(StatusCode::OK, METRICS_CONTENT_TYPE, endpoints.metrics.render())
}

async fn healthz(State(endpoints): State<Endpoints>) -> Response {
    match endpoints.health.stalled() {
        None => text(StatusCode::OK, TEXT_CONTENT_TYPE, "ok\n".to_owned()),
        Some(why) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            TEXT_CONTENT_TYPE,
            format!("stalled: {why}\n"),
        ),
    }
}

async fn readyz(State(endpoints): State<Endpoints>) -> Response {
    let unmet = endpoints.health.unmet();
    if unmet.is_empty() {
        return text(StatusCode::OK, TEXT_CONTENT_TYPE, "ready\n".to_owned());
    }
    let unmet: Vec<&str> = unmet.into_iter().map(Condition::as_str).collect();
    let mut body = format!("not ready: {}\n", unmet.join(", "));
    let denied = endpoints.health.denied();
    if !denied.is_empty() {
        body.push_str(&format!("denied by the broker: {}\n", denied.join(", ")));
    }
    text(StatusCode::SERVICE_UNAVAILABLE, TEXT_CONTENT_TYPE, body)
}

async fn method_not_allowed() -> Response {
    text(
        StatusCode::METHOD_NOT_ALLOWED,
        TEXT_CONTENT_TYPE,
        "method not allowed\n".to_owned(),
    )
}

/// Unknown paths: 404 to a GET, 405 to anything else (only GET is served).
async fn not_found(method: Method) -> Response {
    if method == Method::GET || method == Method::HEAD {
        text(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "not found\n".to_owned())
    } else {
        method_not_allowed().await
    }
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn close_connection(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Drains the exporter's histograms and expires idle series until `shutdown` is cancelled.
async fn upkeep(metrics: PrometheusHandle, shutdown: CancellationToken) {
    let mut ticker = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticker.tick() => metrics.run_upkeep(),
        }
    }
}

/// Completes [`SHUTDOWN_GRACE`] after `shutdown` is cancelled.
async fn grace_expired(shutdown: &CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}
