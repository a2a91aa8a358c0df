//! The data contract of newsflow: the raw-page envelope that comes in and the `newsflow.article.v1`
//! event that goes out.
//!
//! This crate owns the shape of every value that crosses a topic, and nothing else. It does no I/O,
//! knows nothing of Kafka, HTML or any stage's algorithm, and never reads the clock: timestamps are
//! passed in. The JSON Schemas under `schemas/` are generated from these types (their `JsonSchema`
//! derives, doc comments included); a test (`tests/schemas.rs`) holds the committed files to them.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Schema name carried by every article event.
pub const ARTICLE_SCHEMA: &str = "newsflow.article.v1";

/// A crawled page as crawlers write it to the input topic (the JSON envelope form). The page is in
/// `html` or in `html_base64`. Alternatively the message value is the raw HTML and the URL is in the
/// Kafka header `url` (`input.format` = `raw` or `auto`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "newsflow raw-page envelope",
    extend(
        "$id" = "https://newsflow.dev/schemas/newsflow.envelope.v1.json",
        "anyOf" = [{ "required": ["html"] }, { "required": ["html_base64"] }],
    )
)]
pub struct Envelope {
    /// The URL the page was fetched from, `http` or `https`. An envelope without one is dead-lettered
    /// as `missing_url`.
    #[schemars(with = "String", url, regex(pattern = "^https?://"))]
    pub url: Option<String>,
    /// The page as text (a JSON string): decoded already, so it is used as it is; a charset that the
    /// page's `<meta>` or `content_type` declares described the bytes it was decoded from and is not
    /// applied again. When it is not blank, `html_base64` is not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub html: Option<String>,
    /// The page's raw bytes, base64, in any charset: decoded after a byte order mark, else the charset
    /// of `content_type`, else the page's `<meta>` declaration, else detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("contentEncoding" = "base64"))]
    pub html_base64: Option<String>,
    /// When the crawler fetched the page (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub fetched_at: Option<String>,
    /// HTTP status of the fetch; outside 2xx the page is dead-lettered as `http_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u16", range(min = 100, max = 599))]
    pub status: Option<u16>,
    /// HTTP `Content-Type` of the response. Its charset decodes `html_base64`; `html` is text already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub content_type: Option<String>,
    /// Other HTTP response headers by name (e.g. `content-language`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// Where a message came from. In file mode the topic is `file:<path>` and the offset a line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SourceRef {
    /// Input topic (or `file:<path>`).
    pub topic: String,
    /// Input partition (0 in file mode).
    #[schemars(range(min = 0))]
    pub partition: i32,
    /// Input offset (the page's index in file mode).
    #[schemars(range(min = 0))]
    pub offset: i64,
}

impl SourceRef {
    /// A delivery-stable identity of the input message: the same message redelivered has the same one.
    pub fn owner(&self) -> String {
        format!("{}/{}/{}", self.topic, self.partition, self.offset)
    }
}

/// The language of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Language {
    /// ISO 639-1 code, or `und` when undetermined.
    #[schemars(regex(pattern = "^([a-z]{2}|und)$"))]
    pub code: String,
    /// Confidence in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub confidence: f64,
    /// What decided: `text`, `html_lang`, `content_language`, `og_locale` or `none`.
    #[schemars(extend("enum" = ["text", "html_lang", "content_language", "og_locale", "none"]))]
    pub source: String,
    /// Other languages of a page that mixes languages, with their share of its letters (most first);
    /// absent when the page is in one language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<LanguageShare>,
}

/// Another language of a page and its share of the page's letters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageShare {
    /// ISO 639-1 code.
    #[schemars(regex(pattern = "^[a-z]{2}$"))]
    pub code: String,
    /// Share of the letters, in (0, 1).
    #[schemars(extend("exclusiveMinimum" = 0, "exclusiveMaximum" = 1))]
    pub share: f64,
}

/// The languages a page declares, each as given (null when not declared), kept apart so that the
/// lang stage knows which one decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageHints {
    /// `<html lang>` (or `xml:lang`).
    pub html_lang: Option<String>,
    /// The `Content-Language` header of the fetch, else the page's `<meta http-equiv>` or other
    /// declared language that is neither of the two others.
    pub content_language: Option<String>,
    /// `og:locale`.
    pub og_locale: Option<String>,
}

/// Outcome of deduplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DedupStatus {
    /// First copy of this story.
    Unique,
    /// Same body as an earlier article (same or other URL).
    Duplicate,
    /// A near copy of an earlier article (edited, re-wrapped, truncated, extended).
    NearDuplicate,
    /// Same canonical URL as an earlier article, with changed text.
    Update,
    /// The dedup state could not be consulted and the worker is configured to fail open.
    Unknown,
}

impl DedupStatus {
    /// Stable snake_case name, as serialized and used as a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            DedupStatus::Unique => "unique",
            DedupStatus::Duplicate => "duplicate",
            DedupStatus::NearDuplicate => "near_duplicate",
            DedupStatus::Update => "update",
            DedupStatus::Unknown => "unknown",
        }
    }
}

/// Whether an event's `text` is the article's own text. Pages that show something else in its place are
/// deduplicated by their URL only: their body says nothing about which article they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The page shows the article: `text` is its text. Not written (the field is absent).
    #[default]
    Open,
    /// The page keeps the article for subscribers (it says so, or shows a subscription wall where the
    /// text stops): `text` is only what it shows free, a lead or nothing. A page that declares a paywall
    /// but carries the whole text in its markup is `open`.
    Paywalled,
    /// The page shows something else in place of the article: a consent or cookie wall, a login or
    /// registration wall, a request to enable JavaScript or to turn off an ad blocker, an editor or
    /// other interface prompt. `text` is what is left of the article besides it, often nothing.
    Teaser,
}

impl Access {
    /// Stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Open => "open",
            Access::Paywalled => "paywalled",
            Access::Teaser => "teaser",
        }
    }

    /// Whether the page shows the article (the default, not written).
    pub fn is_open(&self) -> bool {
        *self == Access::Open
    }
}

/// Deduplication verdict carried by the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Dedup {
    /// The verdict.
    pub status: DedupStatus,
    /// Id of the first-seen article this one duplicates or updates; null when unique or unknown.
    #[schemars(regex(pattern = "^[0-9a-f]{32}$"))]
    pub duplicate_of: Option<String>,
    /// Similarity to `duplicate_of` in [0, 1] (1 for exact copies; 0 when unique).
    #[schemars(range(min = 0, max = 1))]
    pub similarity: f64,
}

/// Content fingerprints, so downstream systems can compare articles without re-reading bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Fingerprints {
    /// SHA-256 (hex) of the whitespace- and case-normalized body.
    #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
    pub content_hash: String,
    /// MinHash signature of the body's word shingles, little-endian u32s, base64.
    #[schemars(extend("contentEncoding" = "base64"))]
    pub minhash: String,
}

/// The `newsflow.article.v1` event: one article extracted from a news page. Kafka key: `id`. Stages
/// that did not run leave `language`, `dedup` and `fingerprints` null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "newsflow.article.v1",
    extend("$id" = "https://newsflow.dev/schemas/newsflow.article.v1.json")
)]
pub struct ArticleEvent {
    /// The schema name: always `newsflow.article.v1`.
    #[schemars(extend("const" = ARTICLE_SCHEMA))]
    pub schema: String,
    /// Stable id: the first 16 bytes of the SHA-256 of the normalized canonical URL, as 32 lowercase
    /// hex digits; the same across re-crawls and replicas. Also the Kafka key.
    #[schemars(regex(pattern = "^[0-9a-f]{32}$"))]
    pub id: String,
    /// The URL the page was fetched from.
    #[schemars(url)]
    pub url: String,
    /// The page's canonical URL (declared by the page, else the fetched URL), normalized: lowercase
    /// host, no default port, fragment or tracking parameters, sorted query.
    #[schemars(url)]
    pub canonical_url: String,
    /// Host of the canonical URL, without `www.`.
    #[schemars(length(min = 1))]
    pub domain: String,
    /// Publication name.
    pub site_name: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Authors, cleaned and split: people, else the credited organisation.
    #[schemars(inner(length(min = 1)))]
    pub authors: Vec<String>,
    /// Publication time, RFC 3339 with the page's own offset.
    #[schemars(extend("format" = "date-time"))]
    pub published_at: Option<String>,
    /// Last modification time, RFC 3339 with the page's own offset.
    #[schemars(extend("format" = "date-time"))]
    pub modified_at: Option<String>,
    /// Summary as the page declares it.
    pub description: Option<String>,
    /// Body text in Unicode NFC: paragraphs separated by a blank line.
    pub text: String,
    /// Words in `text`.
    pub word_count: usize,
    /// Whether `text` is the article's text: absent when it is (`open`); `paywalled` or `teaser` when
    /// the page showed a wall or a prompt in its place. Such articles are deduplicated by URL only.
    #[serde(default, skip_serializing_if = "Access::is_open")]
    pub access: Access,
    /// Lead image URL.
    pub image: Option<String>,
    /// Tags, keywords and sections.
    pub tags: Vec<String>,
    /// The page's declared language (`<html lang>`, `Content-Language`, `og:locale`), as given.
    pub declared_language: Option<String>,
    /// The declared languages by source; absent when the page declares none (or the event comes from
    /// a worker that did not record them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LanguageHints")]
    pub language_hints: Option<LanguageHints>,
    /// Detected language; null until the lang stage ran.
    pub language: Option<Language>,
    /// Dedup verdict; null until the dedup stage ran.
    pub dedup: Option<Dedup>,
    /// Content fingerprints; null until the dedup stage ran.
    pub fingerprints: Option<Fingerprints>,
    /// When the page was fetched (from the envelope), RFC 3339; null when the envelope did not say.
    #[schemars(extend("format" = "date-time"))]
    pub fetched_at: Option<String>,
    /// When this worker finished the event, RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    pub processed_at: String,
    /// The input message this event came from.
    pub source: SourceRef,
    /// Version of the worker that wrote the event.
    pub newsflow_version: String,
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not a JSON value of the expected shape.
    #[error("invalid json: {0}")]
    Json(#[from] serde_json::Error),
    /// The URL cannot be parsed.
    #[error("invalid url {url:?}: {reason}")]
    Url {
        /// The offending URL (truncated).
        url: String,
        /// Why it was refused.
        reason: String,
    },
}

impl ArticleEvent {
    /// Parses an article event (the input of a worker whose first stage is not extract).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Serializes the event as one line of JSON.
    pub fn to_json(&self) -> Result<Vec<u8>, ModelError> {
        Ok(serde_json::to_vec(self)?)
    }
}

/// Host of `url` without a leading `www.`; an error when the URL has no host.
pub fn domain_of(url: &str) -> Result<String, ModelError> {
    let parsed = url::Url::parse(url).map_err(|err| ModelError::Url {
        url: truncate(url, 200).to_owned(),
        reason: err.to_string(),
    })?;
    let host = parsed.host_str().ok_or_else(|| ModelError::Url {
        url: truncate(url, 200).to_owned(),
        reason: "no host".to_owned(),
    })?;
    Ok(host.strip_prefix("www.").unwrap_or(host).to_ascii_lowercase())
}

/// Number of words (whitespace-separated tokens containing a letter or digit).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Parses an RFC 3339 time (any offset) into unix milliseconds.
pub fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.timestamp_millis())
}

/// Formats a unix time in milliseconds as RFC 3339 UTC with millisecond precision.
pub fn rfc3339_millis(unix_millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_accepts_minimal_and_full_forms() {
        let minimal: Envelope =
            serde_json::from_str(r#"{"url":"https://a.example/x","html":"<p>x</p>"}"#).unwrap();
        assert_eq!(minimal.url.as_deref(), Some("https://a.example/x"));
        let full: Envelope = serde_json::from_str(
            r#"{"url":"u","html_base64":"PHA+","fetched_at":"2022-11-25T10:00:00Z","status":200,
                "content_type":"text/html; charset=windows-1251","headers":{"content-language":"ru"}}"#,
        )
        .unwrap();
        assert_eq!(full.status, Some(200));
        assert_eq!(
            full.headers.get("content-language").map(String::as_str),
            Some("ru")
        );
    }

    #[test]
    fn domain_strips_www_and_lowercases() {
        assert_eq!(domain_of("https://WWW.DW.com/en/x").unwrap(), "dw.com");
        assert_eq!(
            domain_of("http://news.example.org:8080/a").unwrap(),
            "news.example.org"
        );
        assert!(domain_of("not a url").is_err());
        assert!(domain_of("data:text/plain,hi").is_err());
    }

    #[test]
    fn word_count_ignores_punctuation_tokens() {
        assert_eq!(word_count("Hello, world — it's 2022."), 4);
        assert_eq!(word_count(""), 0);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn access_is_written_only_when_not_open() {
        for access in [Access::Open, Access::Paywalled, Access::Teaser] {
            let json = serde_json::to_string(&access).unwrap();
            assert_eq!(json, format!("\"{}\"", access.as_str()));
        }
        assert_eq!(Access::default(), Access::Open);
        assert!(Access::Open.is_open() && !Access::Teaser.is_open());
    }

    #[test]
    fn rfc3339_millis_formats_utc() {
        assert_eq!(rfc3339_millis(1_669_370_400_000), "2022-11-25T10:00:00.000Z");
    }
}
