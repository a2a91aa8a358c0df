//! The HTTP endpoints, served on an ephemeral port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::io::{Read, Write};

fn get(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response.split_once("\r\n\r\n").unwrap().1.to_owned())
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
        let ok = |path: &str| format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n");
        assert_eq!(get(addr, &ok("/healthz")).0, 200);
        assert_eq!(get(addr, &ok("/readyz")).0, 503);
        for condition in telemetry::Condition::ALL {
            health.set(condition, true);
        }
        assert_eq!(get(addr, &ok("/readyz")), (200, "ready\n".to_owned()));
        health.set(telemetry::Condition::DedupAvailable, false);
        assert_eq!(
            get(addr, &ok("/readyz")),
            (503, "not ready: dedup_available\n".to_owned())
        );
        health.set(telemetry::Condition::DedupAvailable, true);
        assert_eq!(get(addr, &ok("/nope")).0, 404);
        assert_eq!(get(addr, "POST /metrics HTTP/1.1\r\n\r\n").0, 405);
        let (status, body) = get(addr, &ok("/metrics?x=1"));
        assert_eq!(status, 200);
        for needle in [
            "newsflow_build_info{version=\"9.9.9\"} 1",
            "newsflow_ready 1",
            "newsflow_stage_duration_seconds_bucket{stage=\"extract\",le=\"0.005\"} 1",
            "newsflow_language_total{language=\"other\"} 1",
            "process_resident_memory_bytes",
        ] {
            assert!(body.contains(needle), "{needle} not in:\n{body}");
        }
        // A garbage request gets no answer but does not stop the server.
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(&[0xff; 100]).unwrap();
        drop(stream);
        assert_eq!(get(addr, &ok("/healthz")).0, 200);
    });
    checks.await.unwrap();
    shutdown.cancel();
    task.await.unwrap();
}
