//! Data-driven golden tests: every `*.html` page in `samples/pages/` and in
//! `tests/data/` is extracted and compared with `<name>.expected.json` beside
//! it (by `expect_test::expect_file!`). An optional `<name>.input.json`
//! sidecar gives the fetched `url`, the `content_type` header and `config`
//! overrides. Run with `UPDATE_EXPECT=1` to (re)write the expected files, then
//! review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use extract::{ExtractConfig, ExtractError, Html, Input, extract};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/pages");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Sidecar {
    url: Option<String>,
    content_type: Option<String>,
    config: Option<ExtractConfig>,
}

fn pages(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    out.sort();
    out
}

fn sibling(page: &Path, suffix: &str) -> PathBuf {
    let stem = page.file_stem().unwrap().to_string_lossy();
    page.with_file_name(format!("{stem}{suffix}"))
}

/// Extracts `page` and renders the outcome as pretty JSON.
fn run(page: &Path) -> String {
    let html = std::fs::read(page).unwrap();
    let sidecar_path = sibling(page, ".input.json");
    let sidecar: Sidecar = if sidecar_path.exists() {
        serde_json::from_str(&std::fs::read_to_string(&sidecar_path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", sidecar_path.display()))
    } else {
        Sidecar::default()
    };
    let stem = page.file_stem().unwrap().to_string_lossy();
    let url = sidecar
        .url
        .unwrap_or_else(|| format!("https://news.example.com/articles/{stem}"));
    let input = Input {
        html: Html::Bytes(&html),
        url: &url,
        content_type: sidecar.content_type.as_deref(),
    };
    let config = sidecar.config.unwrap_or_default();
    let json = match extract(&input, &config) {
        Ok(doc) => serde_json::to_string_pretty(&doc),
        Err(ExtractError::NotArticle { reason }) => {
            serde_json::to_string_pretty(&serde_json::json!({ "error": reason.as_str() }))
        }
        Err(e) => serde_json::to_string_pretty(&serde_json::json!({ "error": e.kind() })),
    };
    json.unwrap() + "\n"
}

#[test]
fn golden_pages() {
    let all: Vec<PathBuf> = pages(SAMPLES).into_iter().chain(pages(DATA)).collect();
    assert!(
        !all.is_empty(),
        "expected the sample and data pages, found {}",
        all.len()
    );
    for page in all {
        let actual = run(&page);
        expect_test::expect_file![sibling(&page, ".expected.json")].assert_eq(&actual);
    }
}
