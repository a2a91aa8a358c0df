//! The stage chain: one input message in, one [`Outcome`] out.
//!
//! `pipeline` composes the stage crates (`extract`, `dedup`, `lang`) into the contiguous run of stages
//! a worker is configured for, decodes the input (raw-page envelope or a partial article event from an
//! upstream worker), and decides where the result goes. It is synchronous and does no I/O: it knows
//! nothing of Kafka, files, metrics or logging. Wall-clock time comes in as `now_ms`; the only clock it
//! reads is a monotonic one, to report how long each stage took.
//!
//! A bad input is an outcome ([`Outcome::Rejected`] with a [`Reason`]), never a panic or an `Err`.
//!
//! The dedup state is a [`dedup::Decider`]: the in-process memory store by default, or one the binary
//! builds (the Redis store) and hands over with [`Pipeline::with_decider`]. When it cannot be consulted,
//! the message is either held back ([`Outcome::Unavailable`], to be finished later with
//! [`Pipeline::resume`]) or, with `dedup_fail_open`, published marked `dedup.status = "unknown"`; either
//! way [`Processed::dedup_error`] says what happened.
#![warn(missing_docs)]

mod decode;

use std::time::{Duration, Instant};

use base64::Engine as _;
use model::{ArticleEvent, DedupStatus, SourceRef};
use serde::{Deserialize, Serialize};

pub use decode::{InputConfig, InputFormat, RawMessage};

/// A processing stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the input message (not configurable; always first).
    Decode,
    /// HTML to article: body and metadata.
    Extract,
    /// Exact and near-duplicate detection.
    Dedup,
    /// Language tagging.
    Lang,
}

impl Stage {
    /// Stable name, used in metrics, DLQ headers and config.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Extract => "extract",
            Stage::Dedup => "dedup",
            Stage::Lang => "lang",
        }
    }
}

/// Where an article goes after dedup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The articles topic.
    Articles,
    /// The duplicates topic.
    Duplicates,
    /// Nowhere: counted, then dropped.
    Drop,
}

/// Routing per dedup status (`[dedup.routing]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Routing {
    /// First copies of a story. Default `articles`.
    pub unique: Route,
    /// Same URL, changed text. Default `articles`.
    pub update: Route,
    /// Exact copies. Default `duplicates`.
    pub duplicate: Route,
    /// Near copies. Default `duplicates`.
    pub near_duplicate: Route,
    /// Dedup state unavailable and failing open. Default `articles`.
    pub unknown: Route,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            unique: Route::Articles,
            update: Route::Articles,
            duplicate: Route::Duplicates,
            near_duplicate: Route::Duplicates,
            unknown: Route::Articles,
        }
    }
}

impl Routing {
    fn route(&self, status: DedupStatus) -> Route {
        match status {
            DedupStatus::Unique => self.unique,
            DedupStatus::Update => self.update,
            DedupStatus::Duplicate => self.duplicate,
            DedupStatus::NearDuplicate => self.near_duplicate,
            DedupStatus::Unknown => self.unknown,
        }
    }
}

/// Everything the pipeline needs, assembled by the binary from its config file.
#[derive(Debug, Clone, Default)]
pub struct PipelineConfig {
    /// Stages to run: a non-empty, contiguous run of extract → dedup → lang.
    pub stages: Vec<Stage>,
    /// Input values above this many bytes are rejected as oversized.
    pub max_input_bytes: usize,
    /// How raw pages are read.
    pub input: InputConfig,
    /// Extraction options.
    pub extract: extract::ExtractConfig,
    /// Dedup options.
    pub dedup: dedup::DedupConfig,
    /// Routing per dedup status.
    pub routing: Routing,
    /// When the dedup state cannot be consulted: publish the article with status `unknown` (true) or
    /// hold it back as [`Outcome::Unavailable`] (false, the default).
    pub dedup_fail_open: bool,
    /// Language options.
    pub lang: lang::LangConfig,
    /// Version written into events.
    pub version: String,
}

/// Why a message was rejected. `as_str` is a bounded metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The value is larger than `max_input_bytes`.
    Oversized,
    /// The value is empty (or only whitespace).
    EmptyValue,
    /// The value was to be JSON (an envelope, or an article event from an upstream stage) and is not.
    NotJson,
    /// The value is JSON but not an envelope object (an array, a string, a field of the wrong type).
    InvalidEnvelope,
    /// No URL in the envelope or headers.
    MissingUrl,
    /// The URL cannot be parsed or has no host.
    InvalidUrl,
    /// The envelope has neither `html` nor `html_base64`, or the page is empty.
    MissingHtml,
    /// `html_base64` is not base64.
    InvalidBase64,
    /// The fetch did not succeed (HTTP status outside 2xx).
    HttpError,
    /// The bytes are not text/HTML (binary data), or too large to parse.
    Undecodable,
    /// The page is not an article (section front, error page, no body).
    NotArticle,
    /// The input article event is invalid for this stage.
    InvalidEvent,
    /// The event could not be serialized.
    Internal,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 13] = [
        Reason::Oversized,
        Reason::EmptyValue,
        Reason::NotJson,
        Reason::InvalidEnvelope,
        Reason::MissingUrl,
        Reason::InvalidUrl,
        Reason::MissingHtml,
        Reason::InvalidBase64,
        Reason::HttpError,
        Reason::Undecodable,
        Reason::NotArticle,
        Reason::InvalidEvent,
        Reason::Internal,
    ];

    /// The stages that refuse a message for this reason (the label pairs a dead letter can carry).
    pub fn stages(self) -> &'static [Stage] {
        match self {
            Reason::Undecodable => &[Stage::Decode, Stage::Extract],
            Reason::NotArticle | Reason::Internal => &[Stage::Extract],
            _ => &[Stage::Decode],
        }
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Oversized => "oversized",
            Reason::EmptyValue => "empty_value",
            Reason::NotJson => "not_json",
            Reason::InvalidEnvelope => "invalid_envelope",
            Reason::MissingUrl => "missing_url",
            Reason::InvalidUrl => "invalid_url",
            Reason::MissingHtml => "missing_html",
            Reason::InvalidBase64 => "invalid_base64",
            Reason::HttpError => "http_error",
            Reason::Undecodable => "undecodable",
            Reason::NotArticle => "not_article",
            Reason::InvalidEvent => "invalid_event",
            Reason::Internal => "internal",
        }
    }
}

/// A message the pipeline refused, with why and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The stage that refused it.
    pub stage: Stage,
    /// The reason class.
    pub reason: Reason,
    /// A human-readable detail (never page content).
    pub detail: String,
}

impl Rejection {
    fn new(stage: Stage, reason: Reason, detail: impl Into<String>) -> Self {
        Rejection {
            stage,
            reason,
            detail: detail.into(),
        }
    }
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An article event to publish on `route` (never [`Route::Drop`]).
    Publish {
        /// Destination.
        route: Route,
        /// The event.
        event: Box<ArticleEvent>,
    },
    /// An article routed to nowhere by configuration.
    Dropped {
        /// The event that was not published.
        event: Box<ArticleEvent>,
    },
    /// Refused: goes to the dead-letter topic.
    Rejected(Rejection),
    /// The dedup state could not be consulted and the pipeline fails closed: the message is neither
    /// published nor refused. Finish it later with [`Pipeline::resume`].
    Unavailable {
        /// The article as far as it got.
        pending: Box<Pending>,
    },
}

/// A message through every stage but the dedup decision: the article event, its input coordinates (the
/// dedup owner) and its fingerprint. Made by [`Pipeline::prepare`]; held back as
/// [`Outcome::Unavailable`] while the dedup state does not answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    event: ArticleEvent,
    source: SourceRef,
    fingerprint: Option<dedup::Fingerprint>,
}

/// What [`Pipeline::prepare`] made of a message: a [`Pending`] article or a rejection, and the time each
/// stage took so far.
#[derive(Debug)]
pub struct Prepared {
    result: Result<Pending, Rejection>,
    timings: Vec<(Stage, Duration)>,
}

/// The dedup state failed on this message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupFailure {
    /// The store kind, a bounded label (`memory`, `redis`).
    pub store: &'static str,
    /// The store's error message.
    pub detail: String,
}

/// An outcome plus the time each stage took.
#[derive(Debug)]
pub struct Processed {
    /// The outcome.
    pub outcome: Outcome,
    /// Elapsed time per stage that ran, in order.
    pub timings: Vec<(Stage, Duration)>,
    /// Set when the dedup state could not be consulted (the outcome is then [`Outcome::Unavailable`],
    /// or an article with status `unknown` when failing open).
    pub dedup_error: Option<DedupFailure>,
}

/// Errors building a pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The stage list is empty, out of order, or has gaps.
    #[error(
        "pipeline.stages must be a non-empty contiguous run of [\"extract\", \"dedup\", \"lang\"], got {0:?}"
    )]
    Stages(Vec<Stage>),
    /// The dedup configuration is invalid.
    #[error("invalid dedup config: {0}")]
    Dedup(#[from] dedup::DedupError),
}

const ORDER: [Stage; 3] = [Stage::Extract, Stage::Dedup, Stage::Lang];

/// The configured stage chain. `process` takes `&self`: messages may be processed on several threads;
/// the memory store serializes dedup decisions, the Redis store runs them side by side.
pub struct Pipeline {
    config: PipelineConfig,
    dedup: Box<dyn dedup::Decider>,
}

impl Pipeline {
    /// Validates the configuration and builds the chain, with the in-process memory store.
    pub fn new(config: PipelineConfig) -> Result<Self, PipelineError> {
        Pipeline::check(&config)?;
        let decider = dedup::SharedMemory::new(config.dedup.clone())?;
        Pipeline::with_decider(config, Box::new(decider))
    }

    /// Validates the configuration and builds the chain around `decider`, the dedup state. Fingerprints
    /// are made with the decider's own configuration, which must equal `config.dedup`.
    pub fn with_decider(
        config: PipelineConfig,
        decider: Box<dyn dedup::Decider>,
    ) -> Result<Self, PipelineError> {
        Pipeline::check(&config)?;
        if decider.config() != &config.dedup {
            return Err(PipelineError::Dedup(dedup::DedupError::InvalidConfig(
                "the dedup store was built with another configuration than the pipeline's".to_owned(),
            )));
        }
        Ok(Pipeline {
            config,
            dedup: decider,
        })
    }

    /// The kind of dedup store in use (`memory`, `redis`).
    pub fn dedup_store(&self) -> &'static str {
        self.dedup.store_name()
    }

    /// Records the dedup decision of an event published earlier (by this worker or an earlier run of it),
    /// so that a new process starts with the state the old one left: the event's text is fingerprinted
    /// again and its claims made as at `processed_at`. `Ok(false)` when this pipeline does not run the
    /// dedup stage or the event holds no decision to restore (no `dedup`, status `unknown`, no valid
    /// `processed_at`). Blocking with a shared store.
    pub fn restore(&self, event: &ArticleEvent) -> Result<bool, DedupFailure> {
        let status = match event.dedup.as_ref().map(|dedup| dedup.status) {
            Some(DedupStatus::Unique) => dedup::Status::Unique,
            Some(DedupStatus::Duplicate) => dedup::Status::Duplicate,
            Some(DedupStatus::NearDuplicate) => dedup::Status::NearDuplicate,
            Some(DedupStatus::Update) => dedup::Status::Update,
            Some(DedupStatus::Unknown) | None => return Ok(false),
        };
        let (Some(record), Some(processed_ms)) = (
            event.dedup.as_ref(),
            model::parse_rfc3339_millis(&event.processed_at),
        ) else {
            return Ok(false);
        };
        if !self.runs(Stage::Dedup) {
            return Ok(false);
        }
        let published = dedup::Decision {
            status,
            duplicate_of: record.duplicate_of.clone(),
            similarity: record.similarity as f32,
        };
        let fingerprint = dedup_fingerprint(event, self.dedup.config());
        self.dedup
            .restore(
                &event.source.owner(),
                &event.id,
                &event.canonical_url,
                &fingerprint,
                &published,
                processed_ms.div_euclid(1000),
            )
            .map(|()| true)
            .map_err(|err| DedupFailure {
                store: self.dedup.store_name(),
                detail: err.to_string(),
            })
    }

    /// Consults the dedup state without deciding anything ([`dedup::Decider::check_state`]); `None` when
    /// this pipeline does not run the dedup stage. Blocking (a round trip to a shared store).
    pub fn check_dedup_state(&self, now_ms: i64) -> Option<Result<dedup::StateCheck, DedupFailure>> {
        if !self.runs(Stage::Dedup) {
            return None;
        }
        Some(
            self.dedup
                .check_state(now_ms.div_euclid(1000))
                .map_err(|err| DedupFailure {
                    store: self.dedup.store_name(),
                    detail: err.to_string(),
                }),
        )
    }

    /// Validates a configuration without building anything.
    pub fn check(config: &PipelineConfig) -> Result<(), PipelineError> {
        let stages = &config.stages;
        let start = stages
            .first()
            .and_then(|first| ORDER.iter().position(|s| s == first));
        let contiguous = match start {
            Some(start) => ORDER
                .get(start..start + stages.len())
                .is_some_and(|run| run == stages.as_slice()),
            None => false,
        };
        if !contiguous {
            return Err(PipelineError::Stages(stages.clone()));
        }
        config.dedup.validate()?;
        Ok(())
    }

    /// The configuration this pipeline runs with.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Whether this pipeline runs `stage`.
    pub fn runs(&self, stage: Stage) -> bool {
        self.config.stages.contains(&stage)
    }

    /// Runs the configured stages on one message. `now_ms` is the wall-clock time in unix milliseconds.
    /// The same as [`judge`](Pipeline::judge) of [`prepare`](Pipeline::prepare).
    pub fn process(&self, message: &RawMessage<'_>, now_ms: i64) -> Processed {
        self.judge(self.prepare(message, now_ms), now_ms)
    }

    /// Every stage but the dedup decision: decoding, extraction, the fingerprint and the language. It
    /// reads no dedup state, so any number of messages may be prepared side by side, in any order; only
    /// [`judge`](Pipeline::judge) must follow the order in which decisions are wanted.
    pub fn prepare(&self, message: &RawMessage<'_>, now_ms: i64) -> Prepared {
        let mut timings = Vec::with_capacity(4);
        let result = self.prepare_event(message, now_ms, &mut timings);
        Prepared { result, timings }
    }

    /// The dedup decision and the routing of a prepared message: what [`process`](Pipeline::process)
    /// returns. Decisions take effect in the order of the calls.
    pub fn judge(&self, prepared: Prepared, now_ms: i64) -> Processed {
        let Prepared { result, mut timings } = prepared;
        let mut dedup_error = None;
        let outcome = match result {
            Ok(pending) => self.decide(pending, now_ms, &mut timings, &mut dedup_error),
            Err(rejection) => Outcome::Rejected(rejection),
        };
        Processed {
            outcome,
            timings,
            dedup_error,
        }
    }

    /// Finishes a message held back as [`Outcome::Unavailable`]: the dedup decision again, and routing.
    /// The result is what [`process`](Pipeline::process) would have returned had the store answered.
    pub fn resume(&self, mut pending: Pending, now_ms: i64) -> Processed {
        pending.event.processed_at = model::rfc3339_millis(now_ms);
        self.judge(
            Prepared {
                result: Ok(pending),
                timings: Vec::with_capacity(1),
            },
            now_ms,
        )
    }

    fn prepare_event(
        &self,
        message: &RawMessage<'_>,
        now_ms: i64,
        timings: &mut Vec<(Stage, Duration)>,
    ) -> Result<Pending, Rejection> {
        let started = Instant::now();
        if message.value.len() > self.config.max_input_bytes {
            return Err(Rejection::new(
                Stage::Decode,
                Reason::Oversized,
                format!(
                    "value is {} bytes, limit {}",
                    message.value.len(),
                    self.config.max_input_bytes
                ),
            ));
        }
        let mut event = if self.runs(Stage::Extract) {
            let page = decode::decode_page(message, &self.config.input)?;
            timings.push((Stage::Decode, started.elapsed()));
            let started = Instant::now();
            let event = self.extract(&page, &message.source, now_ms)?;
            timings.push((Stage::Extract, started.elapsed()));
            event
        } else {
            let event = ArticleEvent::from_json(message.value).map_err(|err| {
                let reason = match &err {
                    _ if message.value.iter().all(u8::is_ascii_whitespace) => Reason::EmptyValue,
                    model::ModelError::Json(json) if !json.is_data() => Reason::NotJson,
                    _ => Reason::InvalidEvent,
                };
                Rejection::new(Stage::Decode, reason, err.to_string())
            })?;
            timings.push((Stage::Decode, started.elapsed()));
            event
        };
        event.processed_at = model::rfc3339_millis(now_ms);
        event.newsflow_version.clone_from(&self.config.version);
        let fingerprint = self.runs(Stage::Dedup).then(|| {
            let started = Instant::now();
            let fingerprint = self.fingerprint(&mut event);
            timings.push((Stage::Dedup, started.elapsed()));
            fingerprint
        });
        if self.runs(Stage::Lang) {
            let started = Instant::now();
            self.lang(&mut event);
            timings.push((Stage::Lang, started.elapsed()));
        }
        Ok(Pending {
            event,
            source: message.source.clone(),
            fingerprint,
        })
    }

    /// The dedup decision (when this pipeline runs dedup) and the route.
    fn decide(
        &self,
        pending: Pending,
        now_ms: i64,
        timings: &mut Vec<(Stage, Duration)>,
        dedup_error: &mut Option<DedupFailure>,
    ) -> Outcome {
        let Pending {
            mut event,
            source,
            fingerprint,
        } = pending;
        let mut route = Route::Articles;
        if let Some(fingerprint) = fingerprint {
            let started = Instant::now();
            let status = match self.dedup(&mut event, &source, &fingerprint, now_ms) {
                Ok(status) => status,
                Err(err) => {
                    *dedup_error = Some(DedupFailure {
                        store: self.dedup.store_name(),
                        detail: err.to_string(),
                    });
                    if !self.config.dedup_fail_open {
                        add_time(timings, Stage::Dedup, started.elapsed());
                        return Outcome::Unavailable {
                            pending: Box::new(Pending {
                                event,
                                source,
                                fingerprint: Some(fingerprint),
                            }),
                        };
                    }
                    event.dedup = Some(model::Dedup {
                        status: DedupStatus::Unknown,
                        duplicate_of: None,
                        similarity: 0.0,
                    });
                    DedupStatus::Unknown
                }
            };
            route = self.config.routing.route(status);
            add_time(timings, Stage::Dedup, started.elapsed());
        }
        if route == Route::Drop {
            return Outcome::Dropped {
                event: Box::new(event),
            };
        }
        Outcome::Publish {
            route,
            event: Box::new(event),
        }
    }

    fn extract(
        &self,
        page: &decode::Page<'_>,
        source: &SourceRef,
        now_ms: i64,
    ) -> Result<ArticleEvent, Rejection> {
        let input = extract::Input {
            html: page.html.as_input(),
            url: &page.url,
            content_type: page.content_type.as_deref(),
        };
        let doc = extract::extract(&input, &self.config.extract).map_err(|err| {
            let reason = match err {
                extract::ExtractError::NotArticle { .. } => Reason::NotArticle,
                _ => Reason::Undecodable,
            };
            Rejection::new(Stage::Extract, reason, err.to_string())
        })?;
        let fetched = dedup::normalize_url(&page.url)
            .map_err(|err| Rejection::new(Stage::Decode, Reason::InvalidUrl, err.to_string()))?;
        let canonical = doc
            .meta
            .canonical_url
            .as_deref()
            .and_then(|declared| dedup::normalize_url(declared).ok())
            .filter(|declared| plausible_canonical(&fetched, declared))
            .unwrap_or(fetched);
        let domain = model::domain_of(&canonical)
            .map_err(|err| Rejection::new(Stage::Decode, Reason::InvalidUrl, err.to_string()))?;
        let declared_language = doc
            .meta
            .language_hint
            .clone()
            .or_else(|| page.content_language.clone());
        // A declared language that is neither `<html lang>` nor `og:locale` came from a
        // `<meta http-equiv=content-language>` or the like: it stands in for a missing header.
        let meta_language = doc.meta.language_hint.clone().filter(|hint| {
            Some(hint) != doc.meta.html_lang.as_ref() && Some(hint) != doc.meta.og_locale.as_ref()
        });
        let hints = model::LanguageHints {
            html_lang: doc.meta.html_lang.clone(),
            content_language: page.content_language.clone().or(meta_language),
            og_locale: doc.meta.og_locale.clone(),
        };
        let language_hints = (hints != model::LanguageHints::default()).then_some(hints);
        Ok(ArticleEvent {
            schema: model::ARTICLE_SCHEMA.to_owned(),
            id: dedup::article_id(&canonical),
            url: page.url.clone(),
            canonical_url: canonical,
            domain,
            site_name: doc.meta.site_name,
            title: doc.meta.title,
            authors: doc.meta.authors,
            published_at: doc.meta.published_at,
            modified_at: doc.meta.modified_at,
            description: doc.meta.description,
            word_count: model::word_count(&doc.text),
            text: doc.text,
            access: match doc.access {
                extract::Access::Open => model::Access::Open,
                extract::Access::Paywalled => model::Access::Paywalled,
                extract::Access::Teaser => model::Access::Teaser,
            },
            image: doc.meta.image,
            tags: doc.meta.tags,
            declared_language,
            language_hints,
            language: None,
            dedup: None,
            fingerprints: None,
            fetched_at: page.fetched_at.clone(),
            processed_at: model::rfc3339_millis(now_ms),
            source: source.clone(),
            newsflow_version: self.config.version.clone(),
        })
    }

    /// Fingerprints the event's text and records the fingerprints in the event.
    fn fingerprint(&self, event: &mut ArticleEvent) -> dedup::Fingerprint {
        let fingerprint = dedup_fingerprint(event, self.dedup.config());
        let minhash_bytes: Vec<u8> = fingerprint.minhash.iter().flat_map(|h| h.to_le_bytes()).collect();
        event.fingerprints = Some(model::Fingerprints {
            content_hash: fingerprint.content_hash.clone(),
            minhash: base64::engine::general_purpose::STANDARD.encode(minhash_bytes),
        });
        fingerprint
    }

    fn dedup(
        &self,
        event: &mut ArticleEvent,
        source: &SourceRef,
        fingerprint: &dedup::Fingerprint,
        now_ms: i64,
    ) -> Result<DedupStatus, dedup::BoxError> {
        let decision = self.dedup.decide(
            &source.owner(),
            &event.id,
            &event.canonical_url,
            fingerprint,
            now_ms / 1000,
        )?;
        let status = match decision.status {
            dedup::Status::Unique => DedupStatus::Unique,
            dedup::Status::Duplicate => DedupStatus::Duplicate,
            dedup::Status::NearDuplicate => DedupStatus::NearDuplicate,
            dedup::Status::Update => DedupStatus::Update,
        };
        event.dedup = Some(model::Dedup {
            status,
            duplicate_of: decision.duplicate_of,
            similarity: f64::from(decision.similarity),
        });
        Ok(status)
    }

    fn lang(&self, event: &mut ArticleEvent) {
        let (detection, garbled) = self.detect_language(event);
        // Text that still reads as UTF-8 decoded as windows-1252 (mojibake the extractor could not undo)
        // is partly garbled: whatever its language looks like is less certain.
        let confidence = if garbled {
            detection.confidence / 2.0
        } else {
            detection.confidence
        };
        event.language = Some(model::Language {
            code: detection.code,
            confidence,
            source: detection.source.as_str().to_owned(),
            others: detection
                .others
                .into_iter()
                .map(|s| model::LanguageShare {
                    code: s.code,
                    share: s.share,
                })
                .collect(),
        });
    }

    /// The language of the event's title, description and text, and whether mojibake is left in them.
    fn detect_language(&self, event: &ArticleEvent) -> (lang::Detection, bool) {
        let mut text = String::with_capacity(event.text.len() + 256);
        for part in [event.title.as_deref(), event.description.as_deref()]
            .into_iter()
            .flatten()
        {
            text.push_str(part);
            text.push_str("\n\n");
        }
        text.push_str(&event.text);
        // Each declared language with its own source; an event from a worker that did not record
        // them has only `declared_language`, taken as `<html lang>` (the first source it is read from).
        let hints = match &event.language_hints {
            Some(h) => lang::Hints {
                html_lang: h.html_lang.as_deref(),
                content_language: h.content_language.as_deref(),
                og_locale: h.og_locale.as_deref(),
            },
            None => lang::Hints {
                html_lang: event.declared_language.as_deref(),
                content_language: None,
                og_locale: None,
            },
        };
        (
            lang::detect(&text, &hints, &self.config.lang),
            extract::mojibake_remains(&text),
        )
    }
}

/// What the dedup decision knows of an event's article: its body's fingerprint, its title (a short body
/// matches another URL's under the same title only), and whether the body is the article's text at all
/// (a page that showed a wall or a prompt in its place is matched by URL only).
fn dedup_fingerprint(event: &ArticleEvent, config: &dedup::DedupConfig) -> dedup::Fingerprint {
    dedup::fingerprint(&event.text, config)
        .with_title(event.title.as_deref())
        .url_only(!event.access.is_open())
}

/// Adds `elapsed` to the time of `stage` (one entry per stage: the dedup stage runs in two parts).
fn add_time(timings: &mut Vec<(Stage, Duration)>, stage: Stage, elapsed: Duration) {
    match timings.iter_mut().find(|(s, _)| *s == stage) {
        Some((_, total)) => *total += elapsed,
        None => timings.push((stage, elapsed)),
    }
}

/// A declared canonical URL is trusted unless it points at another site or at the site's root while the
/// page itself is deeper (a common template mistake that would merge every article of a site).
fn plausible_canonical(fetched: &str, declared: &str) -> bool {
    let (Ok(fetched), Ok(declared)) = (url::Url::parse(fetched), url::Url::parse(declared)) else {
        return false;
    };
    let site = |u: &url::Url| {
        let host = u.host_str().unwrap_or_default();
        let parts: Vec<&str> = host.rsplit('.').take(2).collect();
        parts.join(".")
    };
    if site(&fetched) != site(&declared) {
        return false;
    }
    let root = |u: &url::Url| u.path().trim_matches('/').is_empty() && u.query().is_none();
    !root(&declared) || root(&fetched)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod unavailable_tests;

#[cfg(test)]
mod charset_tests;

#[cfg(test)]
mod access_tests;
