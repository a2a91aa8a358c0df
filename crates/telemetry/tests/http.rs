//! The HTTP endpoints, served on an ephemeral port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::time::Duration;

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// Sends `request` and reads the response until the server closes the connection.
fn send(addr: std::net::SocketAddr, request: &str) -> Response {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(addr: std::net::SocketAddr, path: &str) -> Response {
    send(addr, &format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n"))
}

const TEXT: &str = "text/plain; charset=utf-8";

/// The process metrics of a scrape are exactly those `names` lists (on Linux, where all are read).
fn check_process_metrics(scrape: &str) {
    let listed: BTreeSet<&str> = telemetry::names::ALL
        .iter()
        .copied()
        .filter(|name| name.starts_with("process_"))
        .collect();
    let scraped: BTreeSet<&str> = scrape
        .lines()
        .filter(|line| line.starts_with("process_"))
        .filter_map(|line| line.split([' ', '{']).next())
        .collect();
    if cfg!(target_os = "linux") {
        assert_eq!(scraped, listed, "{scrape}");
    } else {
        assert!(scraped.is_subset(&listed), "{scrape}");
    }
    assert!(
        scrape.contains("# TYPE process_cpu_seconds_total counter"),
        "{scrape}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_answer() {
    let handle = telemetry::install_metrics("9.9.9").unwrap();
    let health = telemetry::Health::new();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let (addr, task) = telemetry::serve("127.0.0.1:0", handle, health.clone(), shutdown.clone())
        .await
        .unwrap();
    telemetry::events::stage_finished("extract", std::time::Duration::from_millis(3));
    telemetry::events::language("xx");

    let checks = tokio::task::spawn_blocking(move || {
        let check = |response: Response, status: u16, content_type: &str, body: &str| {
            assert_eq!(response.status, status, "{}", response.body);
            assert_eq!(response.headers["content-type"], content_type);
            assert_eq!(response.headers["connection"], "close");
            assert_eq!(response.headers["content-length"], body.len().to_string());
            assert_eq!(response.body, body);
        };
        check(get(addr, "/healthz"), 200, TEXT, "ok\n");
        let body = "not ready: broker_reachable, consumer_running, dedup_available, not_draining, \
                    group_joined, topics_present, consuming\n";
        check(get(addr, "/readyz"), 503, TEXT, body);
        for condition in telemetry::Condition::ALL {
            health.set(condition, true);
        }
        check(get(addr, "/readyz"), 200, TEXT, "ready\n");
        health.set(telemetry::Condition::DedupAvailable, false);
        check(get(addr, "/readyz"), 503, TEXT, "not ready: dedup_available\n");
        health.set(telemetry::Condition::DedupAvailable, true);
        health.set_stalled(Some("in/3: lag 7, no progress for 120 s".to_owned()));
        check(
            get(addr, "/healthz"),
            503,
            TEXT,
            "stalled: in/3: lag 7, no progress for 120 s\n",
        );
        health.set_stalled(None);
        check(get(addr, "/healthz"), 200, TEXT, "ok\n");
        check(get(addr, "/nope"), 404, TEXT, "not found\n");
        let post = |path: &str| {
            send(
                addr,
                &format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n"),
            )
        };
        check(post("/metrics"), 405, TEXT, "method not allowed\n");
        check(post("/nope"), 405, TEXT, "method not allowed\n");

        let response = get(addr, "/metrics?x=1");
        assert_eq!(response.status, 200);
        assert_eq!(
            response.headers["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        for needle in [
            "newsflow_build_info{version=\"9.9.9\"} 1",
            "newsflow_ready 1",
            "newsflow_stage_duration_seconds_bucket{stage=\"extract\",le=\"0.005\"} 1",
            "newsflow_language_total{language=\"other\"} 1",
            "process_resident_memory_bytes",
        ] {
            assert!(
                response.body.contains(needle),
                "{needle} not in:\n{}",
                response.body
            );
        }
        check_process_metrics(&response.body);

        // A garbage request does not stop the server.
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(&[0xff; 100]).unwrap();
        drop(stream);
        check(get(addr, "/healthz"), 200, TEXT, "ok\n");
    });
    checks.await.unwrap();

    // An idle connection does not hold the shutdown up.
    let idle = std::net::TcpStream::connect(addr).unwrap();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(3), task)
        .await
        .expect("server stops at shutdown")
        .unwrap();
    drop(idle);
    assert!(std::net::TcpStream::connect(addr).is_err(), "still listening");
}
