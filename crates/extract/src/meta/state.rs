//! The page's state in its scripts (`<script type="application/json">`, a
//! `window.__STATE__ = {...}` assignment): the first publication time under
//! a publication key (`"publishedDate":"2016-11-04T20:37:27Z"`). Searched
//! only when nothing else dates the page, in the decoded markup (the parsed
//! document holds no script but JSON-LD).

use aho_corasick::AhoCorasick;

use crate::dates;

/// Keys that name the publication of the item a page shows, with their
/// opening quote.
const KEYS: &[&str] = &[
    "\"datePublished\"",
    "\"publishedDate\"",
    "\"published_at\"",
    "\"publishedAt\"",
    "\"publicationDate\"",
    "\"publishDate\"",
    "\"publish_date\"",
    "\"date_published\"",
];

fn keys() -> Option<&'static AhoCorasick> {
    static KEYS_AC: std::sync::OnceLock<Option<AhoCorasick>> = std::sync::OnceLock::new();
    KEYS_AC.get_or_init(|| AhoCorasick::new(KEYS).ok()).as_ref()
}

/// The value after a key at `rest` (`: "2019-03-02T06:22:28+01:00"`): a
/// string that starts with a four-digit year, normalized.
fn value_after(rest: &str) -> Option<String> {
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let end = rest.find('"').filter(|&e| e <= 40)?;
    let v = rest.get(..end)?;
    if !v.bytes().take(4).all(|b| b.is_ascii_digit()) || v.len() < 10 {
        return None;
    }
    dates::parse_structured(v)
}

/// The first publication time under a publication key in `markup` (the
/// page's decoded markup, or a script's text).
pub(crate) fn published(markup: &str) -> Option<String> {
    keys()?
        .find_iter(markup)
        .find_map(|m| markup.get(m.end()..).and_then(value_after))
}

#[cfg(test)]
mod tests {
    use super::published;

    #[track_caller]
    fn check(raw: &str, expected: Option<&str>) {
        assert_eq!(published(raw).as_deref(), expected, "script: {raw:?}");
    }

    #[test]
    fn publication_keys_in_scripts() {
        check(
            r#"{"review":{"publishedDate":"2016-11-04T20:37:27Z","updatedDate":null}}"#,
            Some("2016-11-04T20:37:27Z"),
        );
        check(
            r#"var meta = {"product": {"id": 7, "published_at" : "2019-03-02T06:22:28+01:00"}};"#,
            Some("2019-03-02T06:22:28+01:00"),
        );
        // The first key with a date wins; a key without one is passed over.
        check(
            r#"{"publishDate":null,"items":[{"datePublished":"2022-01-31"}],"publishedAt":"2021-05-05"}"#,
            Some("2022-01-31T00:00:00Z"),
        );
        // Not a date, not a key, a key without a value.
        check(r#"{"publishedDate":"yesterday"}"#, None);
        check(r#"{"updatedDate":"2016-11-04T20:39:47Z"}"#, None);
        check(r#"if (o.publishedDate) { show(o); }"#, None);
    }
}
