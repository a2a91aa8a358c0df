//! What a message publishes, decided without a client: an outcome and the input message in, the record
//! to send out, and the smaller record to send instead when the broker refuses one as too large.
//!
//! An article goes to the articles or duplicates topic, keyed by its id. A rejected message goes to the
//! dead-letter topic with its key, value and headers and `newsflow.*` headers saying why and where it
//! came from; a page that is simply not an article, or a failed fetch, is no error and goes the same way
//! to the skipped topic instead (when one is configured), so that the dead-letter topic holds only what
//! needs a person. An article too large for the producer becomes a dead letter (`internal`); a dead letter too
//! large keeps its headers and drops its value (`newsflow.value_dropped: true`): the original stays
//! readable in the input topic at the recorded coordinates.
//!
//! Records are plain values here; they become rdkafka records only when sent.

use model::ArticleEvent;
use pipeline::{Outcome, Reason, Rejection, Route, Stage};

use crate::KafkaConfig;

/// Longest `newsflow.detail` header, in bytes.
const MAX_DETAIL_BYTES: usize = 1024;

/// A header: a key and a value, which Kafka allows to be null.
pub(crate) type Header = (String, Option<Vec<u8>>);

/// The output topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Topics {
    pub articles: String,
    pub duplicates: String,
    pub dlq: String,
    /// Where `not_article` and `http_error` pages go; the dead-letter topic when `None`.
    pub skipped: Option<String>,
}

impl Topics {
    /// Whether a message refused for `reason` is skipped rather than dead-lettered.
    pub fn skips(&self, reason: Reason) -> bool {
        self.skipped.is_some() && matches!(reason, Reason::NotArticle | Reason::HttpError)
    }
}

impl From<&KafkaConfig> for Topics {
    fn from(config: &KafkaConfig) -> Self {
        Topics {
            articles: config.articles_topic.clone(),
            duplicates: config.duplicates_topic.clone(),
            dlq: config.dlq_topic.clone(),
            skipped: Some(config.skipped_topic.clone()).filter(|topic| !topic.is_empty()),
        }
    }
}

/// The input message, as far as its outputs need it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<&'a [u8]>,
    pub value: &'a [u8],
    pub headers: &'a [(&'a str, Option<&'a [u8]>)],
}

/// What a record is, which decides what replaces it when it is too large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An article event.
    Article,
    /// A dead letter carrying the input's value.
    DeadLetter(Rejection),
    /// A dead letter whose value was dropped: nothing smaller exists.
    ValueDropped,
}

/// One record to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: Vec<Header>,
    pub kind: Kind,
}

/// The record an outcome publishes: none for a dropped article (or a message still held back, which
/// has no outcome yet).
pub(crate) fn for_outcome(outcome: &Outcome, input: &Input<'_>, topics: &Topics) -> Option<Record> {
    match outcome {
        Outcome::Publish { route, event } => Some(match article(*route, event, topics) {
            Ok(record) => record,
            Err(rejection) => dead_letter(input, rejection, topics),
        }),
        Outcome::Rejected(rejection) => Some(dead_letter(input, rejection.clone(), topics)),
        Outcome::Dropped { .. } | Outcome::Unavailable { .. } => None,
    }
}

/// The record to publish instead of `record`, which the broker refused as too large; none when
/// nothing smaller exists.
pub(crate) fn when_too_large(record: Record, input: &Input<'_>, topics: &Topics) -> Option<Record> {
    match record.kind {
        Kind::Article => Some(dead_letter(input, too_large(), topics)),
        Kind::DeadLetter(_) => Some(without_value(record)),
        Kind::ValueDropped => None,
    }
}

/// An article event on the topic of its route, keyed by its id.
pub(crate) fn article(route: Route, event: &ArticleEvent, topics: &Topics) -> Result<Record, Rejection> {
    let value = event.to_json().map_err(|err| Rejection {
        stage: Stage::Extract,
        reason: Reason::Internal,
        detail: format!("cannot serialize event: {err}"),
    })?;
    let topic = match route {
        Route::Duplicates => &topics.duplicates,
        Route::Articles | Route::Drop => &topics.articles,
    };
    Ok(Record {
        topic: topic.clone(),
        key: Some(event.id.clone().into_bytes()),
        value,
        headers: vec![
            header("content-type", "application/json"),
            header("newsflow.schema", model::ARTICLE_SCHEMA),
        ],
        kind: Kind::Article,
    })
}

/// The input message on the dead-letter topic: its key, value and headers, then why it was refused
/// and where it came from.
pub(crate) fn dead_letter(input: &Input<'_>, rejection: Rejection, topics: &Topics) -> Record {
    let mut headers: Vec<Header> = input
        .headers
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.map(<[u8]>::to_vec)))
        .collect();
    headers.extend([
        header("newsflow.reason", rejection.reason.as_str()),
        header("newsflow.stage", rejection.stage.as_str()),
        header(
            "newsflow.detail",
            model::truncate(&rejection.detail, MAX_DETAIL_BYTES),
        ),
        header("newsflow.source.topic", input.topic),
        header("newsflow.source.partition", &input.partition.to_string()),
        header("newsflow.source.offset", &input.offset.to_string()),
    ]);
    let topic = match &topics.skipped {
        Some(skipped) if topics.skips(rejection.reason) => skipped,
        _ => &topics.dlq,
    };
    Record {
        topic: topic.clone(),
        key: input.key.map(<[u8]>::to_vec),
        value: input.value.to_vec(),
        headers,
        kind: Kind::DeadLetter(rejection),
    }
}

/// A dead letter without its value: the headers keep the reason and the coordinates of the original.
pub(crate) fn without_value(record: Record) -> Record {
    let mut headers = record.headers;
    headers.push(header("newsflow.value_dropped", "true"));
    Record {
        value: Vec::new(),
        headers,
        kind: Kind::ValueDropped,
        ..record
    }
}

/// Why an article that the producer refused as too large is dead-lettered.
fn too_large() -> Rejection {
    Rejection {
        stage: Stage::Extract,
        reason: Reason::Internal,
        detail: "article event is larger than the producer's message.max.bytes".to_owned(),
    }
}

fn header(key: &str, value: &str) -> Header {
    (key.to_owned(), Some(value.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

    use model::{ArticleEvent, Dedup, DedupStatus, SourceRef};

    use super::*;

    fn topics() -> Topics {
        Topics {
            articles: "out.articles".to_owned(),
            duplicates: "out.duplicates".to_owned(),
            dlq: "in.dlq".to_owned(),
            skipped: Some("in.skipped".to_owned()),
        }
    }

    const HEADERS: &[(&str, Option<&[u8]>)] = &[("url", Some(b"https://a.example/x")), ("trace", None)];

    fn input() -> Input<'static> {
        Input {
            topic: "in",
            partition: 2,
            offset: 41,
            key: Some(b"k1"),
            value: b"<html>page</html>",
            headers: HEADERS,
        }
    }

    fn event(status: DedupStatus) -> Box<ArticleEvent> {
        Box::new(ArticleEvent {
            schema: model::ARTICLE_SCHEMA.to_owned(),
            id: "abc123".to_owned(),
            url: "https://a.example/x".to_owned(),
            canonical_url: "https://a.example/x".to_owned(),
            domain: "a.example".to_owned(),
            site_name: None,
            title: Some("Title".to_owned()),
            authors: Vec::new(),
            published_at: None,
            modified_at: None,
            description: None,
            text: "Body.".to_owned(),
            word_count: 1,
            access: model::Access::Open,
            image: None,
            tags: Vec::new(),
            declared_language: None,
            language_hints: None,
            language: None,
            dedup: Some(Dedup {
                status,
                duplicate_of: None,
                similarity: 0.0,
            }),
            fingerprints: None,
            fetched_at: None,
            processed_at: "2024-01-01T00:00:00.000Z".to_owned(),
            source: SourceRef {
                topic: "in".to_owned(),
                partition: 2,
                offset: 41,
            },
            newsflow_version: "0.0.0".to_owned(),
        })
    }

    fn rejection(detail: &str) -> Rejection {
        Rejection {
            stage: Stage::Decode,
            reason: Reason::NotJson,
            detail: detail.to_owned(),
        }
    }

    fn header_value<'r>(record: &'r Record, key: &str) -> Option<&'r str> {
        record
            .headers
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
            .map(|v| std::str::from_utf8(v).unwrap())
    }

    #[test]
    fn articles_go_to_the_topic_of_their_route() {
        // The pipeline routes by dedup status ([dedup.routing]); the defaults, and an override.
        let cases = [
            (DedupStatus::Unique, Route::Articles, "out.articles"),
            (DedupStatus::Update, Route::Articles, "out.articles"),
            (DedupStatus::Unknown, Route::Articles, "out.articles"),
            (DedupStatus::Duplicate, Route::Duplicates, "out.duplicates"),
            (DedupStatus::NearDuplicate, Route::Duplicates, "out.duplicates"),
            (DedupStatus::NearDuplicate, Route::Articles, "out.articles"),
        ];
        for (status, route, topic) in cases {
            let event = event(status);
            let outcome = Outcome::Publish {
                route,
                event: event.clone(),
            };
            let record = for_outcome(&outcome, &input(), &topics()).unwrap();
            assert_eq!(record.topic, topic, "{status:?} via {route:?}");
            assert_eq!(record.kind, Kind::Article);
            assert_eq!(record.key.as_deref(), Some(&b"abc123"[..]));
            assert_eq!(ArticleEvent::from_json(&record.value).unwrap(), *event);
            assert_eq!(header_value(&record, "content-type"), Some("application/json"));
            assert_eq!(
                header_value(&record, "newsflow.schema"),
                Some(model::ARTICLE_SCHEMA)
            );
            assert_eq!(
                record.headers.len(),
                2,
                "input headers are not copied onto articles"
            );
        }
    }

    #[test]
    fn dropped_articles_publish_nothing() {
        let outcome = Outcome::Dropped {
            event: event(DedupStatus::Duplicate),
        };
        assert_eq!(for_outcome(&outcome, &input(), &topics()), None);
    }

    #[test]
    fn a_rejection_is_a_dead_letter_with_the_original_and_why() {
        let outcome = Outcome::Rejected(rejection("expected value at line 1"));
        let record = for_outcome(&outcome, &input(), &topics()).unwrap();
        assert_eq!(record.topic, "in.dlq");
        assert_eq!(record.key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(record.value, b"<html>page</html>");
        assert_eq!(
            record.kind,
            Kind::DeadLetter(rejection("expected value at line 1"))
        );
        let expected: Vec<Header> = vec![
            ("url".to_owned(), Some(b"https://a.example/x".to_vec())),
            ("trace".to_owned(), None),
            header("newsflow.reason", "not_json"),
            header("newsflow.stage", "decode"),
            header("newsflow.detail", "expected value at line 1"),
            header("newsflow.source.topic", "in"),
            header("newsflow.source.partition", "2"),
            header("newsflow.source.offset", "41"),
        ];
        assert_eq!(record.headers, expected);
    }

    #[test]
    fn pages_that_are_no_article_are_skipped_not_dead_lettered() {
        let refused = |reason| Rejection {
            stage: Stage::Extract,
            reason,
            detail: "x".to_owned(),
        };
        for (reason, topic) in [
            (Reason::NotArticle, "in.skipped"),
            (Reason::HttpError, "in.skipped"),
            (Reason::Undecodable, "in.dlq"),
            (Reason::NotJson, "in.dlq"),
        ] {
            let record = dead_letter(&input(), refused(reason), &topics());
            assert_eq!(record.topic, topic, "{reason:?}");
            assert_eq!(header_value(&record, "newsflow.reason"), Some(reason.as_str()));
        }
        let without = Topics {
            skipped: None,
            ..topics()
        };
        let record = dead_letter(&input(), refused(Reason::NotArticle), &without);
        assert_eq!(record.topic, "in.dlq", "no skipped topic: dead letters as before");
    }

    #[test]
    fn a_dead_letter_without_key_has_none() {
        let input = Input {
            key: None,
            headers: &[],
            ..input()
        };
        let record = dead_letter(&input, rejection("x"), &topics());
        assert_eq!(record.key, None);
        assert_eq!(header_value(&record, "newsflow.source.offset"), Some("41"));
    }

    #[test]
    fn the_detail_header_is_truncated_on_a_char_boundary() {
        let detail = "é".repeat(MAX_DETAIL_BYTES);
        let record = dead_letter(&input(), rejection(&detail), &topics());
        let header = header_value(&record, "newsflow.detail").unwrap();
        assert_eq!(header.len(), MAX_DETAIL_BYTES);
        assert!(detail.starts_with(header));
        // The rejection the record carries keeps the whole detail.
        assert_eq!(record.kind, Kind::DeadLetter(rejection(&detail)));
    }

    #[test]
    fn an_article_too_large_becomes_an_internal_dead_letter() {
        let outcome = Outcome::Publish {
            route: Route::Articles,
            event: event(DedupStatus::Unique),
        };
        let article = for_outcome(&outcome, &input(), &topics()).unwrap();
        let record = when_too_large(article, &input(), &topics()).unwrap();
        assert_eq!(record.topic, "in.dlq");
        assert_eq!(record.value, b"<html>page</html>");
        assert_eq!(header_value(&record, "newsflow.reason"), Some("internal"));
        assert_eq!(header_value(&record, "newsflow.stage"), Some("extract"));
        assert_eq!(
            header_value(&record, "newsflow.detail"),
            Some("article event is larger than the producer's message.max.bytes")
        );
        assert!(matches!(record.kind, Kind::DeadLetter(ref r) if r.reason == Reason::Internal));
    }

    #[test]
    fn a_dead_letter_too_large_drops_its_value_and_keeps_its_headers() {
        let letter = dead_letter(&input(), rejection("bad"), &topics());
        let fallback = when_too_large(letter.clone(), &input(), &topics()).unwrap();
        assert_eq!(fallback.topic, letter.topic);
        assert_eq!(fallback.key, letter.key);
        assert!(fallback.value.is_empty());
        assert_eq!(fallback.kind, Kind::ValueDropped);
        let (last, kept) = fallback.headers.split_last().unwrap();
        assert_eq!(kept, letter.headers.as_slice());
        assert_eq!(*last, header("newsflow.value_dropped", "true"));
        // Nothing is smaller than that.
        assert_eq!(when_too_large(fallback, &input(), &topics()), None);
    }
}
