//! The metric names dashboards and alerts use (`deploy/metrics.txt`) are exactly the ones exported.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::collections::BTreeSet;

#[test]
fn deploy_metrics_list_matches_exported_names() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/metrics.txt");
    let listed: BTreeSet<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let exported: BTreeSet<String> = telemetry::names::series().into_iter().collect();
    let missing: Vec<_> = exported.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&exported).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "not in deploy/metrics.txt: {missing:?}; not exported: {unknown:?}"
    );
}

#[test]
fn every_name_follows_the_conventions() {
    for name in telemetry::names::ALL {
        assert!(
            name.starts_with("newsflow_") || name.starts_with("process_"),
            "{name}: prefix"
        );
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
    }
}
