//! Language tagging of article text.
//!
//! This crate owns the decision of an article's language: an ISO 639-1 code (or `und`), a confidence
//! and what decided it. It detects on the text it is given (the caller passes title, description and
//! body, never navigation or boilerplate), first by Unicode script for scripts that name their
//! language (Hangul → ko, kana → ja, Greek → el, Hebrew → he, Thai → th, …), then with whatlang for
//! scripts shared by many languages (Latin, Cyrillic, Arabic, Devanagari); page hints (`<html lang>`,
//! `Content-Language`, `og:locale`) confirm the text or stand in when the text is too short or unclear.
//!
//! It is a pure, synchronous library: it must never do I/O, read the clock or the environment, log, or
//! panic on input, and its work is bounded by [`LangConfig::max_bytes`] whatever the text's size.
#![warn(missing_docs)]

mod codes;
mod script;

pub use codes::normalize_tag;

use serde::{Deserialize, Serialize};

use crate::codes::{iso639_1, same_language};
use crate::script::{Script, ScriptCounts};

/// The code of an undetermined language.
pub const UND: &str = "und";

/// Confidence given to a language taken from a page hint alone.
pub const HINT_CONFIDENCE: f64 = 0.6;

/// How much of the remaining doubt a hint that agrees with the text removes:
/// `confidence + (1 - confidence) * HINT_AGREEMENT_BOOST`.
pub const HINT_AGREEMENT_BOOST: f64 = 0.5;

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LangError {
    /// The configuration is inconsistent.
    #[error("invalid lang config: {0}")]
    InvalidConfig(String),
}

/// Language detection options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LangConfig {
    /// Texts with fewer letters (alphabetic characters) than this are too short to detect on: the
    /// language comes from the hints, else `und`. Default: 30.
    pub min_chars: usize,
    /// Text detections below this confidence (after a hint's agreement boost) fall back to the hints,
    /// then `und`. Default: 0.5.
    pub min_confidence: f64,
    /// Only this many leading bytes of the text are analysed (cut at a character boundary).
    /// Default: 16384.
    pub max_bytes: usize,
}

impl Default for LangConfig {
    fn default() -> Self {
        LangConfig {
            min_chars: 30,
            min_confidence: 0.5,
            max_bytes: 16 * 1024,
        }
    }
}

impl LangConfig {
    /// Checks that the options are consistent.
    pub fn validate(&self) -> Result<(), LangError> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(LangError::InvalidConfig(format!(
                "min_confidence must be in [0, 1], got {}",
                self.min_confidence
            )));
        }
        if self.max_bytes == 0 {
            return Err(LangError::InvalidConfig("max_bytes must be positive".to_owned()));
        }
        Ok(())
    }
}

/// Languages a page declares, as found (any form: `pt-BR`, `en_US`, `de, en`, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints<'a> {
    /// `<html lang>` (or `xml:lang`).
    pub html_lang: Option<&'a str>,
    /// The `Content-Language` header or meta tag.
    pub content_language: Option<&'a str>,
    /// `og:locale`.
    pub og_locale: Option<&'a str>,
}

impl Hints<'_> {
    /// The valid hints, normalized to ISO 639-1 ([`normalize_tag`]), in order of trust: `html_lang`,
    /// `content_language`, `og_locale`.
    pub fn normalized(&self) -> Vec<(String, Source)> {
        [
            (self.html_lang, Source::HtmlLang),
            (self.content_language, Source::ContentLanguage),
            (self.og_locale, Source::OgLocale),
        ]
        .into_iter()
        .filter_map(|(tag, source)| Some((normalize_tag(tag?)?, source)))
        .collect()
    }
}

/// What decided a [`Detection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The text (possibly confirmed by a hint).
    Text,
    /// The `<html lang>` hint.
    HtmlLang,
    /// The `Content-Language` hint.
    ContentLanguage,
    /// The `og:locale` hint.
    OgLocale,
    /// Nothing: the language is `und`.
    None,
}

impl Source {
    /// Stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Text => "text",
            Source::HtmlLang => "html_lang",
            Source::ContentLanguage => "content_language",
            Source::OgLocale => "og_locale",
            Source::None => "none",
        }
    }
}

/// A language decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// ISO 639-1 code, or [`UND`].
    pub code: String,
    /// Confidence in [0, 1]; 0 for `und`.
    pub confidence: f64,
    /// What decided.
    pub source: Source,
}

impl Detection {
    fn undetermined() -> Self {
        Detection {
            code: UND.to_owned(),
            confidence: 0.0,
            source: Source::None,
        }
    }
}

/// Detects the language of `text`, using `hints` to confirm it or to stand in for it.
///
/// 1. Only the first `max_bytes` of `text` are looked at.
/// 2. With at least `min_chars` letters, the dominant script decides when it names one language
///    (confidence: its share of the letters); otherwise whatlang decides among the languages of the
///    script (confidence: whatlang's confidence times the script's share).
/// 3. A hint naming the same language raises the confidence ([`HINT_AGREEMENT_BOOST`]).
/// 4. A text detection at or above `min_confidence` is the answer (source `text`); otherwise the first
///    valid hint (html_lang, content_language, og_locale) with [`HINT_CONFIDENCE`]; otherwise `und`.
pub fn detect(text: &str, hints: &Hints<'_>, config: &LangConfig) -> Detection {
    let hints = hints.normalized();
    if let Some((code, confidence)) = detect_text(prefix(text, config.max_bytes), config) {
        let agrees = hints.iter().any(|(hint, _)| same_language(hint, code));
        let confidence = if agrees {
            confidence + (1.0 - confidence) * HINT_AGREEMENT_BOOST
        } else {
            confidence
        };
        if confidence >= config.min_confidence && confidence > 0.0 {
            return Detection {
                code: code.to_owned(),
                confidence,
                source: Source::Text,
            };
        }
    }
    match hints.into_iter().next() {
        Some((code, source)) => Detection {
            code,
            confidence: HINT_CONFIDENCE,
            source,
        },
        None => Detection::undetermined(),
    }
}

/// The language of the text alone and its confidence; `None` when the text is too short or unknown.
fn detect_text(text: &str, config: &LangConfig) -> Option<(&'static str, f64)> {
    let counts = ScriptCounts::of(text);
    if counts.letters < config.min_chars.max(1) {
        return None;
    }
    let (script, share) = counts.dominant()?;
    if let Some(code) = script.single_language() {
        return Some((code, share));
    }
    if script == Script::Han {
        return Some(("zh", share));
    }
    let info = whatlang::Detector::new().detect(text)?;
    Some((iso639_1(info.lang()), (info.confidence() * share).clamp(0.0, 1.0)))
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends at a character boundary.
fn prefix(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
