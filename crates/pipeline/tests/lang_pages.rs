//! Page-level golden tests of language tagging: every `lang/<name>.html` page runs through extract,
//! dedup and lang, and the event's declared languages and language record are compared with
//! `lang/<name>.expected.json`. An optional `lang/<name>.headers.json` gives the fetch's response
//! headers (e.g. `content-language`). Run with `UPDATE_EXPECT=1` to (re)write the expected files, then
//! review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use pipeline::{Outcome, Pipeline, PipelineConfig, RawMessage, Stage};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lang");

fn pipeline() -> Pipeline {
    Pipeline::new(PipelineConfig {
        stages: vec![Stage::Extract, Stage::Dedup, Stage::Lang],
        max_input_bytes: 1 << 20,
        version: "test".to_owned(),
        ..PipelineConfig::default()
    })
    .unwrap()
}

/// The language part of the event for `page`, as pretty JSON (confidences to two decimals).
fn tag(p: &Pipeline, name: &str, html: &str, headers: serde_json::Value) -> String {
    let envelope = serde_json::json!({
        "url": format!("https://news.example/{name}"),
        "html": html,
        "headers": headers,
    })
    .to_string();
    let message = RawMessage {
        value: envelope.as_bytes(),
        headers: Vec::new(),
        source: model::SourceRef {
            topic: "in".to_owned(),
            partition: 0,
            offset: 0,
        },
    };
    let event = match p.process(&message, 1_764_316_800_000).outcome {
        Outcome::Publish { event, .. } | Outcome::Dropped { event } => event,
        other => panic!("{name}: not published: {other:?}"),
    };
    let mut language = serde_json::to_value(&event.language).unwrap();
    if let Some(confidence) = language.get_mut("confidence") {
        *confidence = serde_json::json!((confidence.as_f64().unwrap() * 100.0).round() / 100.0);
    }
    let out = serde_json::json!({
        "declared_language": event.declared_language,
        "language_hints": event.language_hints,
        "language": language,
    });
    serde_json::to_string_pretty(&out).unwrap() + "\n"
}

#[test]
fn language_of_pages() {
    let p = pipeline();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(DATA)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 6, "too few pages in {DATA}");
    for page in pages {
        let name = page.file_stem().unwrap().to_str().unwrap().to_owned();
        let html = std::fs::read_to_string(&page).unwrap();
        let headers = std::fs::read_to_string(page.with_extension("headers.json"))
            .map(|h| serde_json::from_str(&h).unwrap())
            .unwrap_or_else(|_| serde_json::json!({}));
        let actual = tag(&p, &name, &html, headers);
        expect_test::expect_file![page.with_extension("expected.json")].assert_eq(&actual);
    }
}
