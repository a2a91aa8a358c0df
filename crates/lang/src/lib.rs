//! Language tagging of article text.
//!
//! This crate owns the decision of an article's language: an ISO 639-1 code (or `und`), a confidence
//! and what decided it. It detects on the text it is given (the caller passes title, description and
//! body, never navigation or boilerplate):
//!
//! 1. **Script.** Letters are counted per Unicode script; the dominant one (a Han, kana or Hangul
//!    character weighing as 3 letters, other non-Latin letters 1.5) either names the language (Hangul →
//!    ko, kana → ja, Han → zh, Greek → el, Hebrew → he, Thai → th, Bengali → bn, …) or narrows the
//!    candidates to the languages written in it (Latin, Cyrillic, Arabic, Devanagari).
//! 2. **N-gram model.** Among those, a naive-Bayes classifier over character n-gram language models
//!    (1 to 5 letters, with back-off) picks the language. The model is compiled in (`data/ngrams.bin`,
//!    built by `tools/build-model` from the n-gram statistics that the lingua crates ship; nothing is
//!    downloaded or read at run time). Long texts are scored in blocks spread over the text and scoring
//!    stops once every other language is far behind, so the cost per article is bounded.
//! 3. **Priors and guards.** Major news languages get a small head start over their neighbours.
//!    Confusable neighbours (es/ca/pt, en/de/nl/af, sv/da/nb, tr/az, ru/uk/bg/mk, hi/mr) are also told
//!    apart by function words that only one of them uses, and capitalized words (mostly names) weigh
//!    half.
//! 4. **Confidence.** The gap between the best and second-best language is mapped to how often such an
//!    answer is right (calibrated), and lowered when other scripts mix in. Below
//!    [`LangConfig::min_confidence`], or under [`LangConfig::min_chars`] letters, the text does not
//!    decide.
//! 5. **Hints.** Page hints (`<html lang>`, `Content-Language`, `og:locale`) confirm the text, stand in
//!    when it is too short or unclear, and win against an unsure text or one the model cannot tell
//!    from the declared language ([`detect`]).
//!
//! It is a pure, synchronous library: it must never do I/O, read the clock or the environment, log, or
//! panic on input, and its work is bounded by [`LangConfig::max_bytes`] whatever the text's size.
#![warn(missing_docs)]

mod codes;
mod model;
mod ngram;
mod script;
mod words;

pub use codes::normalize_tag;

use serde::{Deserialize, Serialize};

use crate::codes::same_language;
use crate::script::{Script, ScriptCounts};

/// The code of an undetermined language.
pub const UND: &str = "und";

/// Languages this crate claims to tag (ISO 639-1), sorted: the accuracy of each is measured by
/// `newsflow-eval lang`. Other languages of the same scripts are reported as their nearest supported
/// neighbour (Bosnian as Croatian, Malay as Indonesian, Nynorsk as Bokmål; see [`INDISTINCT`]), and a
/// few more are told by a script of their own (am, bo, dv, km, kn, lo, ml, my, or, si).
pub const SUPPORTED_LANGUAGES: &[&str] = &[
    "af", "ar", "az", "be", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "ko",
    "la", "lg", "lt", "lv", "mi", "mk", "mn", "mr", "nb", "nl", "pa", "pl", "pt", "ro", "ru", "sk", "sl",
    "sn", "so", "sq", "sr", "st", "sv", "sw", "ta", "te", "th", "tl", "tn", "tr", "ts", "uk", "ur", "vi",
    "xh", "yo", "zh", "zu",
];

/// Loads the detector's tables now (a few milliseconds) rather than during the first [`detect`] calls;
/// `false` if the compiled-in model is damaged, in which case only script-named languages and page
/// hints are reported.
pub fn preload() -> bool {
    ngram::preload()
}

/// Confidence given to a language taken from a page hint alone.
pub const HINT_CONFIDENCE: f64 = 0.6;

/// How much of the remaining doubt a hint that agrees with the text removes:
/// `confidence + (1 - confidence) * HINT_AGREEMENT_BOOST`.
pub const HINT_AGREEMENT_BOOST: f64 = 0.5;

/// Confidence the text needs to overrule a page that declares another language.
pub const HINT_OVERRIDE_CONFIDENCE: f64 = 0.9;

/// Declared languages the model does not tell from a neighbour it supports (it reports the neighbour):
/// a page declaring one of them is believed when the text names one of its neighbours.
pub const INDISTINCT: &[(&str, &[&str])] = &[
    ("bs", &["hr", "sr"]),
    ("ms", &["id"]),
    ("nn", &["nb", "da"]),
    ("gl", &["pt", "es"]),
];

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LangError {
    /// The configuration is inconsistent.
    #[error("invalid lang config: {0}")]
    InvalidConfig(String),
    /// The compiled-in n-gram model is damaged.
    #[error("invalid language model: {0}")]
    Model(String),
}

/// Language detection options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LangConfig {
    /// Texts with fewer letters (alphabetic characters) than this are too short to detect on: the
    /// language comes from the hints, else `und`. A Han, kana or Hangul character counts 3. Default: 5.
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
            min_chars: 5,
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
    /// Other languages of a page that mixes languages, with their share of its letters (most first);
    /// empty for a page in one language or when a hint decided. The share of [`Detection::code`] is
    /// what the others leave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<Share>,
}

/// A language's share of a text's letters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// ISO 639-1 code.
    pub code: String,
    /// Share of the letters of the text's blocks whose language was clear, in (0, 1), two decimals.
    pub share: f64,
}

impl Detection {
    fn undetermined() -> Self {
        Detection {
            code: UND.to_owned(),
            confidence: 0.0,
            source: Source::None,
            others: Vec::new(),
        }
    }
}

/// A language is reported beside the dominant one ([`Detection::others`]) when it clearly won blocks
/// holding at least this share of the letters whose language was clear...
pub const MIN_SHARE: f64 = 0.15;
/// ... and at least this many letters.
pub const MIN_SHARE_LETTERS: usize = 150;

/// Detects the language of `text`, using `hints` to confirm it or to stand in for it.
///
/// 1. Only the first `max_bytes` of `text` are looked at.
/// 2. With at least `min_chars` letters, the dominant script decides when it names one language;
///    otherwise the n-gram model decides among the languages of the script (see the crate docs). The
///    confidence is how often such an answer is right (calibrated), lowered when other scripts mix in.
/// 3. A hint naming the same language raises the confidence ([`HINT_AGREEMENT_BOOST`]).
/// 4. A text detection at or above `min_confidence` is the answer (source `text`), except against a
///    page that declares another language: then the text must reach [`HINT_OVERRIDE_CONFIDENCE`]
///    (its confidence lowered when it is mostly capitalized words: names, a title), and a
///    declared language the model cannot tell from the text's answer ([`INDISTINCT`]: Bosnian from
///    Croatian, Malay from Indonesian, …) is believed.
/// 5. Otherwise the first valid hint (html_lang, content_language, og_locale) with
///    [`HINT_CONFIDENCE`]; otherwise `und`.
pub fn detect(text: &str, hints: &Hints<'_>, config: &LangConfig) -> Detection {
    let hints = hints.normalized();
    if let Some(TextLanguage {
        code,
        confidence,
        names,
        others,
    }) = detect_text(prefix(text, config.max_bytes), config)
    {
        let agrees = hints.iter().any(|(hint, _)| same_language(hint, code));
        let (confidence, needed) = if agrees {
            (
                confidence + (1.0 - confidence) * HINT_AGREEMENT_BOOST,
                config.min_confidence,
            )
        } else if let Some((hint, _)) = hints.first() {
            let indistinct = INDISTINCT
                .iter()
                .any(|(declared, neighbours)| declared == hint && neighbours.contains(&code));
            let needed = if indistinct {
                f64::INFINITY
            } else {
                HINT_OVERRIDE_CONFIDENCE
            };
            // A text of names (a results table, a title) does not overrule the page.
            (confidence * names, needed.max(config.min_confidence))
        } else {
            (confidence, config.min_confidence)
        };
        if confidence >= needed && confidence > 0.0 {
            return Detection {
                code: code.to_owned(),
                confidence,
                source: Source::Text,
                others,
            };
        }
    }
    match hints.into_iter().next() {
        Some((code, source)) => Detection {
            code,
            confidence: HINT_CONFIDENCE,
            source,
            others: Vec::new(),
        },
        None => Detection::undetermined(),
    }
}

/// What the text alone says.
struct TextLanguage {
    code: &'static str,
    confidence: f64,
    /// In (0.5, 1]: below 1 when most of the text is capitalized words (names, a title); its
    /// confidence is multiplied by this before it may overrule a declared language.
    names: f64,
    others: Vec<Share>,
}

/// The language of the text alone and its confidence; `None` when the text is too short or unknown.
///
/// A long text is scored in blocks; when several languages each clearly win blocks holding at least
/// [`MIN_SHARE`] of the letters, the page mixes languages: the answer is the language with most
/// letters (as sure as its share, unless it is also the model's overall best) and the others are
/// listed with their shares.
fn detect_text(text: &str, config: &LangConfig) -> Option<TextLanguage> {
    let counts = ScriptCounts::of(text);
    if counts.letters < config.min_chars.max(1) {
        return None;
    }
    let (script, share) = counts.dominant()?;
    // Letters of other scripts (names, quotes, boilerplate) make any answer less sure.
    let mixed = share.sqrt();
    let alone = |code, confidence| {
        Some(TextLanguage {
            code,
            confidence,
            names: 1.0,
            others: Vec::new(),
        })
    };
    if let Some(code) = script.single_language() {
        return alone(code, SCRIPT_CONFIDENCE * mixed);
    }
    if script == Script::Han {
        // Chinese, or Japanese written without kana (rare in running text).
        return alone("zh", HAN_CONFIDENCE * mixed);
    }
    let ranking = ngram::rank(text, script, counts.letters_of(script))?;
    let (best, gap) = (ranking.best, ranking.gap);
    let confidence = (calibrated(f64::from(gap)) * mixed).clamp(0.0, 1.0);
    // A text made mostly of capitalized words is a list of names or a title: it says little about
    // the language of the page around it.
    let names = (0.5 + ranking.plain).min(1.0);
    let total: usize = ranking.won.iter().map(|(_, letters)| letters).sum();
    let share_of = |letters: usize| (100.0 * letters as f64 / total.max(1) as f64).round() / 100.0;
    let others: Vec<Share> = ranking
        .won
        .iter()
        .skip(1)
        .filter(|(_, letters)| *letters >= MIN_SHARE_LETTERS && share_of(*letters) >= MIN_SHARE)
        .map(|(code, letters)| Share {
            code: (*code).to_owned(),
            share: share_of(*letters),
        })
        .collect();
    match ranking.won.first() {
        Some(&(dominant, letters)) if !others.is_empty() && dominant != best => Some(TextLanguage {
            code: dominant,
            confidence: (share_of(letters) * mixed).clamp(0.0, 1.0),
            names,
            others,
        }),
        _ => Some(TextLanguage {
            code: best,
            confidence,
            names,
            others,
        }),
    }
}

/// Confidence of a language told by its script alone (Greek, Hangul, Thai, …).
const SCRIPT_CONFIDENCE: f64 = 0.99;
/// Confidence of Chinese told by Han characters without kana.
const HAN_CONFIDENCE: f64 = 0.95;

/// How often the n-gram model is right given the gap (nats) between its best and second-best language:
/// piecewise linear through points measured on held-apart sentences (see docs/lang.md). The
/// model's raw posterior is far too sure of itself (its letters are not independent), so the gap is
/// mapped instead.
const CALIBRATION: [(f64, f64); 11] = [
    (0.0, 0.40),
    (0.5, 0.50),
    (1.0, 0.65),
    (2.0, 0.72),
    (4.0, 0.80),
    (6.0, 0.87),
    (10.0, 0.94),
    (15.0, 0.965),
    (25.0, 0.98),
    (40.0, 0.99),
    (80.0, 0.999),
];

fn calibrated(gap: f64) -> f64 {
    let mut previous = CALIBRATION[0];
    for point in CALIBRATION {
        if gap < point.0 {
            let t = (gap - previous.0) / (point.0 - previous.0);
            return previous.1 + t * (point.1 - previous.1);
        }
        previous = point;
    }
    previous.1
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
