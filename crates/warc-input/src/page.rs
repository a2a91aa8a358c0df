//! What a record holds for the worker: a page (from a `response` with an HTTP payload, or a
//! `resource`) or nothing (every other record type, counted by the caller).

use std::collections::BTreeMap;

use base64::Engine as _;
use model::Envelope;

use crate::http::parse_response;
use crate::{Record, WarcError};

/// A record, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A fetched page.
    Page(Page),
    /// A record that holds no page: `request`, `metadata`, `warcinfo`, `revisit` (a pointer to an
    /// earlier capture, without payload), `conversion`, `continuation`, or a `response` that is not HTTP
    /// (`dns:` lookups). `record_type` says which (`non-http response` for the last).
    Skipped {
        /// Offset of the record.
        offset: u64,
        /// Its `WARC-Type`, lowercased.
        record_type: String,
    },
}

/// A page as a crawler fetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Offset of the record in the archive.
    pub offset: u64,
    /// `WARC-Target-URI`.
    pub url: String,
    /// `WARC-Date`, as written (a W3C ISO 8601 date, which is RFC 3339).
    pub fetched_at: Option<String>,
    /// HTTP status (none for a `resource` record).
    pub status: Option<u16>,
    /// The response's `Content-Type` (the record's for a `resource`); its charset decodes the body.
    pub content_type: Option<String>,
    /// The response's `Content-Language`.
    pub content_language: Option<String>,
    /// The body, de-chunked and decompressed, in the charset it came in.
    pub body: Vec<u8>,
}

impl Entry {
    /// Classifies `record`; a `response` or `resource` record becomes a [`Page`]. Errors concern this
    /// record only.
    pub fn from_record(record: Record) -> Result<Entry, WarcError> {
        let record_type = record.record_type();
        let offset = record.offset;
        let malformed = |detail: &str| WarcError::Malformed {
            offset,
            detail: detail.to_owned(),
        };
        match record_type.as_str() {
            "response" | "resource" => {}
            _ => {
                return Ok(Entry::Skipped {
                    offset,
                    record_type: if record_type.is_empty() {
                        "untyped".to_owned()
                    } else {
                        record_type
                    },
                });
            }
        }
        let url = record
            .header("WARC-Target-URI")
            .map(|uri| uri.trim_start_matches('<').trim_end_matches('>').trim())
            .filter(|uri| !uri.is_empty())
            .ok_or_else(|| malformed(&format!("a {record_type} record without WARC-Target-URI")))?
            .to_owned();
        let fetched_at = record.header("WARC-Date").map(str::to_owned);
        if record_type == "resource" {
            return Ok(Entry::Page(Page {
                offset,
                url,
                fetched_at,
                status: None,
                content_type: record.header("Content-Type").map(str::to_owned),
                content_language: None,
                body: record.block,
            }));
        }
        if !record.block.starts_with(b"HTTP/") {
            return Ok(Entry::Skipped {
                offset,
                record_type: "non-http response".to_owned(),
            });
        }
        let response = parse_response(&record.block).map_err(|detail| WarcError::Http { offset, detail })?;
        Ok(Entry::Page(Page {
            offset,
            url,
            fetched_at,
            status: Some(response.status),
            content_type: response.header("content-type").map(str::to_owned),
            content_language: response.header("content-language").map(str::to_owned),
            body: response.body,
        }))
    }
}

impl Page {
    /// The envelope the worker reads (`newsflow.envelope.v1`): the body as bytes in `html_base64`.
    pub fn envelope(&self) -> Envelope {
        let mut headers = BTreeMap::new();
        if let Some(language) = &self.content_language {
            headers.insert("content-language".to_owned(), language.clone());
        }
        Envelope {
            url: Some(self.url.clone()),
            html: None,
            html_base64: Some(base64::engine::general_purpose::STANDARD.encode(&self.body)),
            fetched_at: self.fetched_at.clone(),
            status: self.status,
            content_type: self.content_type.clone(),
            headers,
        }
    }

    /// [`Page::envelope`] as the JSON bytes of a message value.
    pub fn envelope_json(&self) -> Vec<u8> {
        // An envelope of strings and numbers always serializes.
        serde_json::to_vec(&self.envelope()).unwrap_or_default()
    }
}
