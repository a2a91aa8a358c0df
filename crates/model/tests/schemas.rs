//! The JSON Schemas under `schemas/` are generated from the model types; this test holds the committed
//! files to what the types say. `UPDATE_EXPECT=1 cargo test -p model --test schemas` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::path::PathBuf;

use model::{
    ARTICLE_SCHEMA, Access, ArticleEvent, Dedup, DedupStatus, Envelope, Fingerprints, Language,
    LanguageHints, LanguageShare, SourceRef,
};
use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::{Map, Value};

/// The schema of `T` as the worker writes it (serialize contract: a field is required unless it is
/// skipped when empty), as pretty JSON with a trailing newline.
fn generate<T: JsonSchema>() -> String {
    let generator = SchemaSettings::draft2020_12().for_serialize().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&canonical(schema.to_value())).expect("schema serializes");
    text.push('\n');
    text
}

/// The formats JSON Schema 2020-12 defines. schemars also writes the Rust number type as a format
/// (`uint`, `int64`, `double`, ...); strict validators refuse formats they do not know, and the
/// ranges that matter are stated with `minimum` and `maximum`, so those are left out.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// `value` with every object's keys sorted, whatever map order serde_json was built with, with
/// descriptions unwrapped (doc comments come in as lines: a single line break becomes a space, a
/// blank line stays a paragraph break) and without formats that JSON Schema does not define.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted = Map::new();
            for (key, value) in entries {
                let value = match (key.as_str(), value) {
                    ("description", Value::String(text)) => Value::String(unwrap_lines(&text)),
                    ("format", Value::String(format)) if !STANDARD_FORMATS.contains(&format.as_str()) => {
                        continue;
                    }
                    (_, value) => canonical(value),
                };
                sorted.insert(key, value);
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn schema_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas")
        .join(name)
}

#[test]
fn article_schema_file_is_generated_from_the_types() {
    expect_test::expect_file![schema_file("newsflow.article.v1.json")].assert_eq(&generate::<ArticleEvent>());
}

#[test]
fn envelope_schema_file_is_generated_from_the_types() {
    expect_test::expect_file![schema_file("newsflow.envelope.v1.json")].assert_eq(&generate::<Envelope>());
}

// The schemas, checked against values the types serialize to: what the worker writes is accepted,
// and values that break the contract are refused. They are compiled from the generated text, which
// the tests above hold the committed files to (reading the files here would race with a rewrite).

fn validator<T: JsonSchema>() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&generate::<T>()).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(false)
        .build(&schema)
        .expect("a valid JSON Schema")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "refused: {errors:?}\n{instance:#}");
}

#[track_caller]
fn assert_invalid(validator: &jsonschema::Validator, instance: &Value, why: &str) {
    assert!(
        !validator.is_valid(instance),
        "accepted although {why}:\n{instance:#}"
    );
}

fn full_event() -> ArticleEvent {
    ArticleEvent {
        schema: ARTICLE_SCHEMA.to_owned(),
        id: "0123456789abcdef0123456789abcdef".to_owned(),
        url: "https://www.example.org/news/2022/11/25/river?utm_source=x".to_owned(),
        canonical_url: "https://example.org/news/2022/11/25/river".to_owned(),
        domain: "example.org".to_owned(),
        site_name: Some("Example News".to_owned()),
        title: Some("The river rises".to_owned()),
        authors: vec!["Jane Doe".to_owned(), "John Roe".to_owned()],
        published_at: Some("2022-11-25T09:30:00+01:00".to_owned()),
        modified_at: Some("2022-11-25T11:00:00+01:00".to_owned()),
        description: Some("Floods in the valley.".to_owned()),
        text: "The river rose overnight.\n\nFarmers moved their herds.".to_owned(),
        word_count: 8,
        access: Access::Paywalled,
        image: Some("https://example.org/img/river.jpg".to_owned()),
        tags: vec!["weather".to_owned(), "floods".to_owned()],
        declared_language: Some("en-GB".to_owned()),
        language_hints: Some(LanguageHints {
            html_lang: Some("en-GB".to_owned()),
            content_language: None,
            og_locale: Some("en_GB".to_owned()),
        }),
        language: Some(Language {
            code: "en".to_owned(),
            confidence: 0.93,
            source: "text".to_owned(),
            others: vec![LanguageShare {
                code: "de".to_owned(),
                share: 0.2,
            }],
        }),
        dedup: Some(Dedup {
            status: DedupStatus::NearDuplicate,
            duplicate_of: Some("fedcba9876543210fedcba9876543210".to_owned()),
            similarity: 0.87,
        }),
        fingerprints: Some(Fingerprints {
            content_hash: "a".repeat(64),
            minhash: "AAECAwQFBgc=".to_owned(),
        }),
        fetched_at: Some("2022-11-25T10:00:00Z".to_owned()),
        processed_at: "2022-11-25T10:00:01.250Z".to_owned(),
        source: SourceRef {
            topic: "news.raw-html".to_owned(),
            partition: 3,
            offset: 123_456,
        },
        newsflow_version: "0.1.0".to_owned(),
    }
}

/// An event as extract alone writes it: every optional value null or empty.
fn minimal_event() -> ArticleEvent {
    ArticleEvent {
        schema: ARTICLE_SCHEMA.to_owned(),
        id: "0123456789abcdef0123456789abcdef".to_owned(),
        url: "http://example.org/a".to_owned(),
        canonical_url: "http://example.org/a".to_owned(),
        domain: "example.org".to_owned(),
        site_name: None,
        title: None,
        authors: vec![],
        published_at: None,
        modified_at: None,
        description: None,
        text: String::new(),
        word_count: 0,
        access: Access::Open,
        image: None,
        tags: vec![],
        declared_language: None,
        language_hints: None,
        language: None,
        dedup: None,
        fingerprints: None,
        fetched_at: None,
        processed_at: "2022-11-25T10:00:01Z".to_owned(),
        source: SourceRef {
            topic: "file:pages.jsonl".to_owned(),
            partition: 0,
            offset: 0,
        },
        newsflow_version: "0.1.0".to_owned(),
    }
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// `event` as JSON with `edit` applied to it.
fn edited(event: &ArticleEvent, edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut value = json_of(event);
    edit(value.as_object_mut().expect("an object"));
    value
}

#[test]
fn article_schema_accepts_events_the_worker_writes() {
    let validator = validator::<ArticleEvent>();
    assert_valid(&validator, &json_of(&full_event()));
    let minimal = json_of(&minimal_event());
    assert!(minimal.get("language_hints").is_none(), "skipped when absent");
    assert!(minimal.get("access").is_none(), "skipped when open");
    assert_valid(&validator, &minimal);

    for status in [
        DedupStatus::Unique,
        DedupStatus::Duplicate,
        DedupStatus::Update,
        DedupStatus::Unknown,
    ] {
        let mut event = full_event();
        event.dedup = Some(Dedup {
            status,
            duplicate_of: None,
            similarity: 0.0,
        });
        assert_valid(&validator, &json_of(&event));
    }

    // One language only: `others` is left out; an undetermined one is `und`.
    let mut event = full_event();
    event.language = Some(Language {
        code: "und".to_owned(),
        confidence: 0.0,
        source: "none".to_owned(),
        others: vec![],
    });
    event.language_hints = Some(LanguageHints::default());
    let value = json_of(&event);
    assert!(value["language"].get("others").is_none());
    assert_valid(&validator, &value);

    // Every access but the default is written; an event without it reads as open.
    for access in [Access::Paywalled, Access::Teaser] {
        let mut event = minimal_event();
        event.access = access;
        let value = json_of(&event);
        assert_eq!(value["access"], access.as_str());
        assert_valid(&validator, &value);
        assert_eq!(
            ArticleEvent::from_json(&event.to_json().unwrap()).unwrap().access,
            access
        );
    }
    let mut open = json_of(&minimal_event());
    open.as_object_mut()
        .unwrap()
        .insert("access".into(), "open".into());
    assert_valid(&validator, &open);
    let reread: ArticleEvent = serde_json::from_value(open).unwrap();
    assert_eq!(reread.access, Access::Open);

    // A worker whose first stage is not extract reads the event back and writes it again.
    let bytes = full_event().to_json().unwrap();
    let reread = ArticleEvent::from_json(&bytes).unwrap();
    assert_valid(&validator, &json_of(&reread));
}

#[test]
fn article_schema_refuses_events_that_break_the_contract() {
    let validator = validator::<ArticleEvent>();
    let full = full_event();
    let cases: Vec<(&str, Value)> = vec![
        (
            "the id is not 32 lowercase hex digits",
            edited(&full, |e| {
                e.insert("id".into(), "0123456789ABCDEF0123456789ABCDEF".into());
            }),
        ),
        (
            "the id is too short",
            edited(&full, |e| {
                e.insert("id".into(), "0123".into());
            }),
        ),
        (
            "it has a property the schema does not know",
            edited(&full, |e| {
                e.insert("extra".into(), true.into());
            }),
        ),
        (
            "a sub-record has a property the schema does not know",
            edited(&full, |e| {
                e["dedup"]["note"] = "x".into();
            }),
        ),
        (
            "the language confidence is above 1",
            edited(&full, |e| {
                e["language"]["confidence"] = 1.5.into();
            }),
        ),
        (
            "a language share is 1",
            edited(&full, |e| {
                e["language"]["others"][0]["share"] = 1.into();
            }),
        ),
        (
            "the similarity is negative",
            edited(&full, |e| {
                e["dedup"]["similarity"] = (-0.1).into();
            }),
        ),
        (
            "the access is not one the contract names",
            edited(&full, |e| {
                e.insert("access".into(), "free".into());
            }),
        ),
        (
            "a required field is missing",
            edited(&full, |e| {
                e.remove("processed_at");
            }),
        ),
        (
            "a field written even when null is missing",
            edited(&full, |e| {
                e.remove("title");
            }),
        ),
        (
            "a language hint written even when null is missing",
            edited(&full, |e| {
                e["language_hints"]
                    .as_object_mut()
                    .unwrap()
                    .remove("content_language");
            }),
        ),
        (
            "language_hints is null instead of absent",
            edited(&full, |e| {
                e.insert("language_hints".into(), Value::Null);
            }),
        ),
        (
            "the schema name is another",
            edited(&full, |e| {
                e.insert("schema".into(), "newsflow.article.v2".into());
            }),
        ),
        (
            "the dedup status is not one of the five",
            edited(&full, |e| {
                e["dedup"]["status"] = "maybe".into();
            }),
        ),
        (
            "the language source is not one of the five",
            edited(&full, |e| {
                e["language"]["source"] = "guess".into();
            }),
        ),
        (
            "the domain is empty",
            edited(&full, |e| {
                e.insert("domain".into(), "".into());
            }),
        ),
        (
            "an author is empty",
            edited(&full, |e| {
                e["authors"][1] = "".into();
            }),
        ),
        (
            "the publication time is not RFC 3339",
            edited(&full, |e| {
                e.insert("published_at".into(), "25 Nov 2022".into());
            }),
        ),
        (
            "the url is not a URI",
            edited(&full, |e| {
                e.insert("url".into(), "not a url".into());
            }),
        ),
        (
            "the word count is negative",
            edited(&full, |e| {
                e.insert("word_count".into(), (-1).into());
            }),
        ),
        (
            "the content hash is not 64 hex digits",
            edited(&full, |e| {
                e["fingerprints"]["content_hash"] = "abc".into();
            }),
        ),
        (
            "the source offset is negative",
            edited(&full, |e| {
                e["source"]["offset"] = (-1).into();
            }),
        ),
    ];
    for (why, event) in &cases {
        assert_invalid(&validator, event, why);
    }
}

#[test]
fn envelope_schema_accepts_envelopes_crawlers_write() {
    let validator = validator::<Envelope>();
    let html = Envelope {
        url: Some("https://example.org/a".to_owned()),
        html: Some("<p>x</p>".to_owned()),
        ..Envelope::default()
    };
    assert_valid(&validator, &json_of(&html));
    let bytes = Envelope {
        url: Some("http://example.ru/b".to_owned()),
        html_base64: Some("PHA+".to_owned()),
        fetched_at: Some("2022-11-25T10:00:00Z".to_owned()),
        status: Some(200),
        content_type: Some("text/html; charset=windows-1251".to_owned()),
        headers: [("content-language".to_owned(), "ru".to_owned())].into(),
        ..Envelope::default()
    };
    assert_valid(&validator, &json_of(&bytes));
    // Crawlers may add fields of their own.
    let mut extra = json_of(&html);
    extra["crawler"] = "c1".into();
    assert_valid(&validator, &extra);
}

#[test]
fn envelope_schema_refuses_broken_envelopes() {
    let validator = validator::<Envelope>();
    let cases: Vec<(&str, Value)> = vec![
        ("it has no url", serde_json::json!({"html": "<p>x</p>"})),
        (
            "its url is null",
            serde_json::json!({"url": null, "html": "<p>x</p>"}),
        ),
        (
            "its url is not http",
            serde_json::json!({"url": "ftp://example.org/a", "html": "x"}),
        ),
        (
            "it has no page",
            serde_json::json!({"url": "https://example.org/a"}),
        ),
        (
            "its status is not HTTP",
            serde_json::json!({"url": "https://example.org/a", "html": "x", "status": 42}),
        ),
        (
            "a header is not a string",
            serde_json::json!({"url": "https://example.org/a", "html": "x", "headers": {"age": 3}}),
        ),
        (
            "its fetch time is not RFC 3339",
            serde_json::json!({"url": "https://example.org/a", "html": "x", "fetched_at": "yesterday"}),
        ),
    ];
    for (why, envelope) in &cases {
        assert_invalid(&validator, envelope, why);
    }
}
