//! Reading a raw-page message: the JSON envelope or raw HTML bytes with the URL in a header.

use std::borrow::Cow;

use base64::Engine as _;
use model::{Envelope, SourceRef};

use serde::{Deserialize, Serialize};

use crate::{Reason, Rejection, Stage};

/// How raw-page messages are encoded (`[input]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// A JSON envelope `{"url", "html" | "html_base64", ...}`.
    Envelope,
    /// The value is the HTML; the URL is in a header.
    Raw,
    /// Envelope when the value starts with `{` or `[` (after whitespace), raw otherwise.
    #[default]
    Auto,
}

/// `[input]` options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Message encoding. Default `auto`.
    pub format: InputFormat,
    /// Header carrying the URL in raw format. Default `url`.
    pub url_header: String,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            format: InputFormat::Auto,
            url_header: "url".to_owned(),
        }
    }
}

/// One input message, as the runtime hands it over.
#[derive(Debug, Clone)]
pub struct RawMessage<'a> {
    /// The message value.
    pub value: &'a [u8],
    /// Message headers (name, value).
    pub headers: Vec<(&'a str, &'a [u8])>,
    /// Where it came from.
    pub source: SourceRef,
}

impl RawMessage<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| std::str::from_utf8(value).ok())
    }
}

/// A page ready for extraction.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    pub url: String,
    pub html: PageHtml<'a>,
    /// The media type is checked in every case; its charset decodes bytes only.
    pub content_type: Option<String>,
    pub content_language: Option<String>,
    pub fetched_at: Option<String>,
}

/// A page's HTML as the message carried it.
#[derive(Debug)]
pub(crate) enum PageHtml<'a> {
    /// An envelope's `html`: a JSON string, so text that was decoded already. A charset the page or the
    /// envelope declares described the bytes it was decoded from, and is not applied again.
    Text(String),
    /// An envelope's `html_base64` or a raw value: bytes, decoded by the extractor.
    Bytes(Cow<'a, [u8]>),
}

impl PageHtml<'_> {
    /// The form the extractor takes.
    pub(crate) fn as_input(&self) -> extract::Html<'_> {
        match self {
            PageHtml::Text(text) => extract::Html::Text(text),
            PageHtml::Bytes(bytes) => extract::Html::Bytes(bytes),
        }
    }
}

fn reject(reason: Reason, detail: impl Into<String>) -> Rejection {
    Rejection::new(Stage::Decode, reason, detail)
}

pub(crate) fn decode_page<'a>(
    message: &'a RawMessage<'a>,
    config: &InputConfig,
) -> Result<Page<'a>, Rejection> {
    let Some(first) = message.value.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Err(reject(Reason::EmptyValue, "the message value is empty"));
    };
    let looks_like_json = matches!(first, b'{' | b'[');
    let envelope = match config.format {
        InputFormat::Envelope => true,
        InputFormat::Raw => false,
        InputFormat::Auto => looks_like_json,
    };
    if envelope {
        decode_envelope(message)
    } else {
        decode_raw(message, config)
    }
}

/// Whether the start of a value reads as text in some charset rather than binary data: no NUL byte
/// (unless a UTF-16 byte-order mark starts it) and few other control bytes (ESC is text in ISO-2022-JP).
fn looks_like_text(value: &[u8]) -> bool {
    if value.starts_with(&[0xff, 0xfe]) || value.starts_with(&[0xfe, 0xff]) {
        return true;
    }
    let head = &value[..value.len().min(1024)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    !head.contains(&0) && controls * 16 <= head.len()
}

fn decode_raw<'a>(message: &'a RawMessage<'a>, config: &InputConfig) -> Result<Page<'a>, Rejection> {
    if !looks_like_text(message.value) {
        return Err(reject(
            Reason::Undecodable,
            "the value is neither a JSON envelope nor text (binary data)",
        ));
    }
    let url = message
        .header(&config.url_header)
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| {
            reject(
                Reason::MissingUrl,
                format!("no {:?} header on a raw message", config.url_header),
            )
        })?;
    check_url(url)?;
    if message.value.iter().all(u8::is_ascii_whitespace) {
        return Err(reject(Reason::MissingHtml, "empty value"));
    }
    Ok(Page {
        url: url.to_owned(),
        html: PageHtml::Bytes(Cow::Borrowed(message.value)),
        content_type: message.header("content-type").map(str::to_owned),
        content_language: message.header("content-language").map(str::to_owned),
        fetched_at: None,
    })
}

fn decode_envelope<'a>(message: &'a RawMessage<'a>) -> Result<Page<'a>, Rejection> {
    if message.value.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        // serde would read an array as the envelope's fields in order: only an object is an envelope.
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(message.value) {
                Ok(_) => reject(Reason::InvalidEnvelope, "the value is JSON but not an object"),
                Err(err) => reject(Reason::NotJson, err.to_string()),
            },
        );
    }
    let envelope: Envelope = serde_json::from_slice(message.value).map_err(|err| match err.classify() {
        serde_json::error::Category::Data => {
            reject(Reason::InvalidEnvelope, format!("not an envelope object: {err}"))
        }
        _ => reject(Reason::NotJson, err.to_string()),
    })?;
    let url = envelope
        .url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| reject(Reason::MissingUrl, "envelope has no url"))?
        .to_owned();
    check_url(&url)?;
    if let Some(status) = envelope.status
        && !(200..300).contains(&status)
    {
        return Err(reject(Reason::HttpError, format!("fetch status {status}")));
    }
    let html = match (envelope.html, envelope.html_base64) {
        (Some(html), _) if !html.trim().is_empty() => PageHtml::Text(html),
        (_, Some(b64)) => PageHtml::Bytes(Cow::Owned(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|err| reject(Reason::InvalidBase64, format!("html_base64 is not base64: {err}")))?,
        )),
        _ => {
            return Err(reject(
                Reason::MissingHtml,
                "envelope has neither html nor html_base64",
            ));
        }
    };
    if html.as_input().as_bytes().iter().all(u8::is_ascii_whitespace) {
        return Err(reject(Reason::MissingHtml, "empty html"));
    }
    let content_type = envelope
        .content_type
        .or_else(|| header_of(&envelope.headers, "content-type"));
    Ok(Page {
        url,
        html,
        content_type,
        content_language: header_of(&envelope.headers, "content-language"),
        fetched_at: envelope.fetched_at,
    })
}

fn header_of(headers: &std::collections::BTreeMap<String, String>, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.clone())
}

fn check_url(url: &str) -> Result<(), Rejection> {
    let parsed = url::Url::parse(url).map_err(|err| {
        reject(
            Reason::InvalidUrl,
            format!("{:?}: {err}", model::truncate(url, 200)),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(reject(
            Reason::InvalidUrl,
            format!("{:?}: not an http(s) url", model::truncate(url, 200)),
        ));
    }
    Ok(())
}
