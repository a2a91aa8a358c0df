//! Article extraction: a fetched page (raw bytes, or text already decoded)
//! in, a clean [`Document`] out.
//!
//! This crate owns everything between "we fetched some bytes" and "here is the
//! article": charset detection and decoding, the repair of mojibake, parsing
//! (once, with `scraper`),
//! metadata harvesting (JSON-LD, OpenGraph, Twitter cards, `<meta>`, Dublin
//! Core, microdata, `<time>`, bylines and dates in the text or the URL), and a
//! readability/trafilatura-style main-text extractor that drops boilerplate
//! (navigation, rails, share bars, comments, captions, credits, ...). It also
//! decides when a page is not an article at all (home pages and section fronts,
//! error pages, search results, pages with too little text).
//!
//! It must never do I/O of any kind (no network, files, environment, clocks
//! that change results, logging), never panic on any input, never recurse
//! over the document tree (deeply nested input must not overflow the stack),
//! and must keep its work bounded on pathological input: oversized input is
//! rejected up front and markup nested deeply enough to make the HTML parser
//! quadratic is rejected before parsing.
//!
//! The entry point is [`extract`]. The modules, in the order a page goes
//! through them:
//!
//! - `guard`: limits on the raw bytes (`guard/limits.rs`), then, after
//!   decoding, the pre-parse scan of the markup (`guard/rewrite.rs`);
//! - `charset`: the page's encoding, and decoding (bytes only: text that
//!   comes in as text is never decoded again);
//! - `mojibake`: UTF-8 that was read as windows-1252 or Latin-1, repaired
//!   when that is unambiguous;
//! - `dom`: the parsed page flattened into an index-addressed tree;
//! - `meta`: the metadata sources, collected in one pass, one module each;
//! - `body`: the main text (element flags, analysis, scoring, choosing the
//!   containers, collecting paragraphs, furniture lines, the tail);
//! - `verdict`: whether the page is an article at all;
//! - `access`: whether the body is the article's text, or a wall or a
//!   prompt stood in its place ([`Access`]);
//! - `reconcile`: the final [`Metadata`], from the metadata and the body;
//! - shared by those: `text`, `dates`, `authors`, `walls`; and `error`.

#![warn(missing_docs)]

mod access;
mod authors;
mod body;
mod charset;
mod dates;
mod dom;
mod error;
mod guard;
mod meta;
mod mojibake;
mod reconcile;
mod text;
mod verdict;
mod walls;

use serde::{Deserialize, Serialize};

pub use error::{ExtractError, NotArticleReason};
pub use mojibake::{Mojibake, mojibake_remains};

/// Options; deserialized from the `[extract]` table of the worker's TOML config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractConfig {
    /// Pages whose extracted body has fewer words are rejected as
    /// not-an-article (`too_short`), except when the text sits inside an
    /// `<article>` / `articleBody` or the page declares itself an article:
    /// a short article is still an article. CJK text counts two characters
    /// as one word. Default: 20.
    pub min_body_words: usize,
    /// Larger input is rejected with [`ExtractError::TooLarge`] before any
    /// work is done. Default: 8 MiB (8_388_608).
    pub max_html_bytes: usize,
    /// When true, image captions are also kept in [`Document::text`] at their
    /// position; they are always returned in [`Document::captions`].
    /// Default: false.
    pub include_captions: bool,
    /// Markup nested deeper than this many (unclosed) elements is rejected
    /// with [`ExtractError::TooDeep`] before parsing, because the HTML
    /// parser's work grows with the square of the nesting depth. Real pages
    /// stay far below it. Default: 2048.
    pub max_nesting_depth: usize,
    /// At most this many tags are returned in [`Metadata::tags`]. Default: 30.
    pub max_tags: usize,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        Self {
            min_body_words: 20,
            max_html_bytes: 8 * 1024 * 1024,
            include_captions: false,
            max_nesting_depth: 2048,
            max_tags: 30,
        }
    }
}

/// One fetched page.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The page: bytes still to be decoded, or text someone already decoded.
    pub html: Html<'a>,
    /// The fetched URL; used to resolve relative links and as a date source.
    pub url: &'a str,
    /// The HTTP `Content-Type` header value, if any. Its media type is always
    /// checked; its charset decodes [`Html::Bytes`] only.
    pub content_type: Option<&'a str>,
}

/// The page as it comes in.
///
/// A string is never decoded again: whoever made it (a crawler writing a
/// JSON string, a producer publishing text) already decoded the bytes, and
/// the page's `<meta charset>` or the response's `Content-Type` charset now
/// describes bytes that are gone. Only bytes go through the byte order mark,
/// the `Content-Type` charset, the `<meta>` declaration and detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Html<'a> {
    /// Raw bytes as fetched, in any charset.
    Bytes(&'a [u8]),
    /// Text already decoded; used as it is (a leading U+FEFF is dropped).
    Text(&'a str),
}

impl<'a> Html<'a> {
    /// The page's bytes: the raw bytes, or the text's UTF-8.
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Html::Bytes(bytes) => bytes,
            Html::Text(text) => text.as_bytes(),
        }
    }
}

/// Whether a page's body is the article's own text.
///
/// Pages that show something else in its place (the same notice on every
/// page of a site, or of a platform) tell nothing about which article they
/// are by their text: downstream, such articles are deduplicated by URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The body is the article's text (also when the page declares a
    /// paywall but carries the whole text in its markup).
    #[default]
    Open,
    /// The page keeps the article for subscribers: it declares so
    /// (JSON-LD `isAccessibleForFree: false`) with no more than a lead, or
    /// shows a subscription wall where the text stops. The body is what it
    /// shows free, a lead or nothing.
    Paywalled,
    /// The page shows something else in place of the article (a consent or
    /// cookie wall, a login or registration wall, a request to enable
    /// JavaScript or to turn off an ad blocker, an editor or interface
    /// prompt). The body is what is left besides it, often nothing.
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

    /// Whether the body is the article's text (the default).
    pub fn is_open(&self) -> bool {
        *self == Access::Open
    }
}

/// What was extracted from one article page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Title, authors, dates and the other metadata; serialized inline, as
    /// fields of the document itself.
    #[serde(flatten)]
    pub meta: Metadata,
    /// Body text: paragraphs in document order separated by a blank line
    /// (`"\n\n"`); headings, list items and quotes are their own paragraphs.
    /// When the page is not [`Access::Open`], without the wall's lines.
    pub text: String,
    /// Whether `text` is the article's text; serialized only when not
    /// [`Access::Open`].
    #[serde(skip_serializing_if = "Access::is_open")]
    pub access: Access,
    /// Image captions found in the article, without photo credits.
    pub captions: Vec<String>,
    /// Name of the encoding used to decode the bytes, e.g. `windows-1251`;
    /// `UTF-8` for [`Html::Text`] (the text as given).
    pub charset: String,
    /// Whether the page held UTF-8 read as windows-1252 or Latin-1 (by
    /// whoever decoded it before it came in, or here, because its bytes were
    /// labelled so), and whether that was repaired or is suspected to be left
    /// in the title, description or text. Serialized only when not
    /// [`Mojibake::Clean`].
    #[serde(skip_serializing_if = "Mojibake::is_clean")]
    pub mojibake: Mojibake,
}

/// What the page says about the article besides its text: the metadata
/// fields of a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// Headline, without a trailing site name.
    pub title: Option<String>,
    /// Cleaned author names: no "By", roles or e-mail addresses; "A and B" is
    /// split into two entries. People first; when the page names no person,
    /// the organisation it credits (an agency, the publication, the copyright
    /// holder).
    pub authors: Vec<String>,
    /// Publication time, RFC 3339 with an offset (`T00:00:00Z` when only the
    /// day is known).
    pub published_at: Option<String>,
    /// Last modification time, same format as `published_at`.
    pub modified_at: Option<String>,
    /// Summary / standfirst from the page metadata.
    pub description: Option<String>,
    /// Absolute canonical URL from `rel=canonical`, `og:url` or JSON-LD.
    pub canonical_url: Option<String>,
    /// Publication name (`og:site_name`, JSON-LD publisher, ...).
    pub site_name: Option<String>,
    /// Absolute URL of the lead image.
    pub image: Option<String>,
    /// Tags, keywords and sections, de-duplicated, in source order.
    pub tags: Vec<String>,
    /// Language as declared by the page (`<html lang>`, `og:locale`,
    /// `content-language`), verbatim, e.g. `en` or `pt-BR`.
    pub language_hint: Option<String>,
    /// `<html lang>` (or `xml:lang`) alone, verbatim (not serialized: `language_hint` is).
    #[serde(skip)]
    pub html_lang: Option<String>,
    /// `og:locale` alone, verbatim (not serialized).
    #[serde(skip)]
    pub og_locale: Option<String>,
}

/// Baseline for benchmarks: decodes `html` as lossy UTF-8 and parses it with
/// the same HTML parser [`extract`] uses, nothing more. Returns the number of
/// nodes, so the work cannot be optimized away.
pub fn parse_only(html: &[u8]) -> usize {
    let text = String::from_utf8_lossy(html);
    scraper::Html::parse_document(&text).tree.nodes().count()
}

/// Explains the body extraction of one page: every element holding at
/// least `min_chars` characters of text, with the flag its tag and
/// class/id words gave it, whether it was removed, its kept and link text
/// and its score; the chosen containers are marked with `*`. A tool for
/// tuning the rules, not part of the worker's path.
pub fn explain(input: &Input<'_>, config: &ExtractConfig, min_chars: u32) -> Result<String, ExtractError> {
    guard::check_content_type(input.content_type)?;
    guard::check_raw_bytes(input.html.as_bytes())?;
    let decoded = charset::decode(input.html, input.content_type, input.url)?;
    let (text, _) = mojibake::repair(decoded.text);
    let markup = guard::check_markup(&text, config.max_nesting_depth)?;
    let html = scraper::Html::parse_document(&markup);
    let dom = dom::Dom::build(&html);
    Ok(body::explain(&dom, min_chars))
}

/// Extracts the article from one fetched page.
///
/// Pure and synchronous: the result depends only on `input` and `config`.
pub fn extract(input: &Input<'_>, config: &ExtractConfig) -> Result<Document, ExtractError> {
    // The page passes once, in one direction: limits on the raw bytes,
    // decoding, the repair of mojibake, then the pre-parse scan of the
    // decoded markup.
    guard::check_size(input.html.as_bytes(), config.max_html_bytes)?;
    guard::check_content_type(input.content_type)?;
    guard::check_raw_bytes(input.html.as_bytes())?;
    let decoded = charset::decode(input.html, input.content_type, input.url)?;
    let (text, repaired) = mojibake::repair(decoded.text);
    let markup = guard::check_markup(&text, config.max_nesting_depth)?;

    let html = scraper::Html::parse_document(&markup);
    let dom = dom::Dom::build(&html);
    let base = url::Url::parse(input.url).ok();
    let page_meta = meta::collect(&dom, base.as_ref());
    let descriptions: Vec<&str> = ["og:description", "description", "twitter:description"]
        .iter()
        .filter_map(|key| page_meta.get(key))
        .chain(page_meta.ld.description.as_deref())
        .collect();
    let mut body = body::extract_body(
        &dom,
        &body::Hints {
            title: page_meta.title.as_deref(),
            ld_article_body: page_meta.ld.article_body.as_deref(),
            descriptions: &descriptions,
        },
        config,
    );

    let verdict = verdict::classify(&dom, &page_meta, &body, input.url, config);
    if let Some(reason) = verdict {
        return Err(ExtractError::NotArticle { reason });
    }
    let access = access::classify(&dom, &page_meta, &mut body);

    let mut meta = reconcile::finish(&dom, &text, page_meta, &body, input.url, base.as_ref(), config);
    meta.title = meta.title.map(text::nfc);
    let body_text = text::nfc(body.text());
    let left = [
        meta.title.as_deref(),
        meta.description.as_deref(),
        Some(&body_text),
    ]
    .into_iter()
    .flatten()
    .any(mojibake_remains);
    let mojibake = match (left, repaired) {
        (true, _) => Mojibake::Suspected,
        (false, true) => Mojibake::Repaired,
        (false, false) => Mojibake::Clean,
    };
    Ok(Document {
        meta,
        text: body_text,
        access,
        captions: std::mem::take(&mut body.captions),
        charset: decoded.encoding.name().to_string(),
        mojibake,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn run(html: &[u8], config: &ExtractConfig) -> Result<Document, ExtractError> {
        let input = Input {
            html: Html::Bytes(html),
            url: "https://example.com/news/2022/11/25/story",
            content_type: None,
        };
        extract(&input, config)
    }

    /// Deterministic pseudo-random bytes.
    fn junk(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn hostile_inputs_return() {
        let cfg = ExtractConfig::default();
        assert!(matches!(run(b"", &cfg), Err(ExtractError::NotHtml(_))));
        assert!(matches!(run(b" \n\t ", &cfg), Err(ExtractError::NotHtml(_))));
        assert!(matches!(run(&junk(100_000), &cfg), Err(ExtractError::NotHtml(_))));
        assert!(matches!(run(&[0u8; 4096], &cfg), Err(ExtractError::NotHtml(_))));
        // Junk that happens to contain no NULs still must not panic.
        let printable: Vec<u8> = junk(50_000).into_iter().map(|b| b | 0x20).collect();
        let _ = run(&printable, &cfg);
        let _ = run(b"<", &cfg);
        let _ = run(b"<html><body><p>unterminated <a href='", &cfg);
        let _ = run("<p>\u{FFFD}\u{0}</p>".as_bytes(), &cfg);

        // 100k nested divs: rejected before parsing, in linear time.
        let deep = "<div>".repeat(100_000) + "text";
        assert_eq!(
            run(deep.as_bytes(), &cfg),
            Err(ExtractError::TooDeep {
                limit: cfg.max_nesting_depth
            })
        );
        // Deep but allowed nesting goes through every pass without recursion.
        let nested = format!(
            "<html><body>{}<article><p>{}</p></article>{}</body></html>",
            "<div>".repeat(1500),
            "Deeply nested prose is still prose, and it says so in plenty of words. ".repeat(5),
            "</div>".repeat(1500)
        );
        let doc = run(nested.as_bytes(), &cfg).unwrap();
        assert!(doc.text.starts_with("Deeply nested prose"));

        // A million siblings: parsed and walked in linear time.
        let siblings = format!(
            "<html><body><div>{}</div></body></html>",
            "<span>w</span>".repeat(1_000_000)
        );
        assert!(siblings.len() > 8_000_000);
        let wide = ExtractConfig {
            max_html_bytes: 32 * 1024 * 1024,
            ..ExtractConfig::default()
        };
        let _ = run(siblings.as_bytes(), &wide);

        // A huge single text node: too large by default, fine with a higher limit.
        let huge = "a ".repeat(10 * 1024 * 1024);
        assert!(matches!(
            run(huge.as_bytes(), &cfg),
            Err(ExtractError::TooLarge { .. })
        ));
        let big = ExtractConfig {
            max_html_bytes: 32 * 1024 * 1024,
            ..ExtractConfig::default()
        };
        let _ = run(huge.as_bytes(), &big);
        let wrapped = format!("<html><body><article><p>{huge}</p></article></body></html>");
        let doc = run(wrapped.as_bytes(), &big).unwrap();
        assert_eq!(doc.text.len(), huge.len() - 1);
    }

    #[test]
    fn content_type_and_limits() {
        let cfg = ExtractConfig::default();
        let input = Input {
            html: Html::Bytes(b"\x89PNG\r\n"),
            url: "https://example.com/a.png",
            content_type: Some("image/png"),
        };
        assert_eq!(
            extract(&input, &cfg).map_err(|e| e.to_string()),
            Err("input is not html: content type is not html".to_string())
        );
        let small = ExtractConfig {
            max_html_bytes: 10,
            ..ExtractConfig::default()
        };
        assert_eq!(
            run(b"<html><body>hello</body></html>", &small),
            Err(ExtractError::TooLarge { size: 31, limit: 10 })
        );
    }

    #[test]
    fn text_is_reported_as_utf8() {
        let page = "<html><head><meta charset=windows-1252><title>Café</title></head><body><article>\
                    <p>Le café du coin rouvre ses portes après trois mois de travaux et de rénovation.</p>\
                    </article></body></html>";
        let input = Input {
            html: Html::Text(page),
            url: "https://example.fr/a",
            content_type: Some("text/html; charset=iso-8859-1"),
        };
        let doc = extract(&input, &ExtractConfig::default()).unwrap();
        assert_eq!(
            (doc.meta.title.as_deref(), doc.charset.as_str(), doc.mojibake),
            (Some("Café"), "UTF-8", Mojibake::Clean)
        );
        // The same page as bytes: the header's charset decodes them, wrongly; the mojibake is undone.
        let bytes = Input {
            html: Html::Bytes(page.as_bytes()),
            ..input
        };
        let doc = extract(&bytes, &ExtractConfig::default()).unwrap();
        assert_eq!(
            (doc.meta.title.as_deref(), doc.charset.as_str(), doc.mojibake),
            (Some("Café"), "windows-1252", Mojibake::Repaired)
        );
        assert!(doc.text.starts_with("Le café du coin rouvre"), "{}", doc.text);
    }

    #[test]
    fn config_from_toml_like_table() {
        let c: ExtractConfig = serde_json::from_str(r#"{"min_body_words": 50}"#).unwrap();
        assert_eq!(c.min_body_words, 50);
        assert_eq!(c.max_html_bytes, ExtractConfig::default().max_html_bytes);
        assert!(serde_json::from_str::<ExtractConfig>(r#"{"bogus": 1}"#).is_err());
    }

    #[test]
    fn too_short_and_no_body() {
        let cfg = ExtractConfig::default();
        let page = b"<html><body><div><p>Just a few words here.</p></div></body></html>";
        assert_eq!(
            run(page, &cfg),
            Err(ExtractError::NotArticle {
                reason: NotArticleReason::TooShort
            })
        );
        let empty = b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>";
        assert_eq!(
            run(empty, &cfg),
            Err(ExtractError::NotArticle {
                reason: NotArticleReason::NoBody
            })
        );
    }
}
