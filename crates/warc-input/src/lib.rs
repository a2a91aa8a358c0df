//! Reading WARC archives (ISO 28500, WARC/1.0 and 1.1): the records of a byte stream, plain or gzip
//! compressed member by member as Common Crawl ships them, and the pages they hold as the envelopes
//! the worker reads from its input topic.
//!
//! This crate owns the format and nothing around it. [`Reader`] takes any `BufRead + Seek` the caller
//! opened (a file, bytes in memory) and yields [`Record`]s; [`Entry::from_record`] turns a record into
//! a [`Page`] (a `response` with an HTTP payload, or a `resource`) or a skipped record (`request`,
//! `metadata`, `warcinfo`, `revisit`, ...); [`Page::envelope`] is the JSON envelope
//! (`newsflow.envelope.v1`) with the page's bytes in `html_base64`, so the charset chain of the
//! extractor (byte order mark → `Content-Type` charset → `<meta>` → detection) applies as for any page
//! sent as bytes. It opens no file, touches no network, reads no environment or clock, and never
//! panics on input: a damaged record is a [`WarcError`] and the reader goes on with the next one.
//!
//! Why a reader of its own rather than the `warc` crate (0.4): that crate reads a `.warc.gz` as one
//! gzip stream, so a corrupt member ends the whole archive, and it reports no byte offsets, nor
//! parses the HTTP payload. The format itself is small (a header of `Name: value` lines, a block of
//! `Content-Length` bytes); what is not small is delegated to maintained crates: gzip and deflate to
//! `flate2`, brotli to `brotli-decompressor`, the HTTP status line and headers to `httparse`.
//!
//! ```
//! use std::io::Cursor;
//! use warc_input::{Entry, Reader};
//!
//! let archive = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.com/a\r\n\
//! WARC-Date: 2024-05-01T10:00:00Z\r\nContent-Type: text/html; charset=utf-8\r\n\
//! Content-Length: 13\r\n\r\n<p>Hello</p>\n\r\n\r\n";
//! let mut reader = Reader::new(Cursor::new(&archive[..])).unwrap();
//! let record = reader.next().unwrap().unwrap();
//! let Entry::Page(page) = Entry::from_record(record).unwrap() else { panic!() };
//! assert_eq!(page.url, "https://example.com/a");
//! assert_eq!(page.body, b"<p>Hello</p>\n");
//! assert!(reader.next().is_none());
//! ```
#![warn(missing_docs)]

mod http;
mod page;
mod reader;

pub use page::{Entry, Page};
pub use reader::{MAX_BLOCK_BYTES, Reader, Record};

/// What can go wrong reading an archive. Every variant but [`WarcError::Io`] concerns one record (or one
/// gzip member): the reader goes on after it. Offsets are byte offsets in the archive file (of the gzip
/// member for a compressed archive).
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    /// The archive could not be read any further.
    #[error("read error at byte {offset}: {source}")]
    Io {
        /// Where reading failed.
        offset: u64,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A gzip member that does not decompress; reading resumes at the next member.
    #[error("corrupt gzip member at byte {offset}: {detail}")]
    CorruptGzip {
        /// Start of the member.
        offset: u64,
        /// What the decompressor said.
        detail: String,
    },
    /// A record whose header is not a WARC header; reading resumes at the next `WARC/` line.
    #[error("malformed record at byte {offset}: {detail}")]
    Malformed {
        /// Start of the record.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// The archive ends inside a record.
    #[error("truncated record at byte {offset}: {detail}")]
    Truncated {
        /// Start of the record.
        offset: u64,
        /// What is missing.
        detail: String,
    },
    /// A record whose block is larger than the reader takes; it was skipped.
    #[error("record at byte {offset} skipped: a block of {length} bytes, over the limit of {limit}")]
    TooLarge {
        /// Start of the record.
        offset: u64,
        /// Its `Content-Length`.
        length: usize,
        /// The reader's limit.
        limit: usize,
    },
    /// A `response` record whose HTTP payload cannot be read.
    #[error("unreadable http payload in record at byte {offset}: {detail}")]
    Http {
        /// Start of the record.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
}

impl WarcError {
    /// Whether the reader stops after this error (only when the archive cannot be read any further).
    pub fn is_fatal(&self) -> bool {
        matches!(self, WarcError::Io { .. })
    }

    /// A short name of the kind of error, for counting and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            WarcError::Io { .. } => "io",
            WarcError::CorruptGzip { .. } => "corrupt_gzip",
            WarcError::Malformed { .. } => "malformed_record",
            WarcError::Truncated { .. } => "truncated_record",
            WarcError::TooLarge { .. } => "oversized_record",
            WarcError::Http { .. } => "bad_http_payload",
        }
    }

    /// The byte offset the error is about.
    pub fn offset(&self) -> u64 {
        match self {
            WarcError::Io { offset, .. }
            | WarcError::CorruptGzip { offset, .. }
            | WarcError::Malformed { offset, .. }
            | WarcError::Truncated { offset, .. }
            | WarcError::TooLarge { offset, .. }
            | WarcError::Http { offset, .. } => *offset,
        }
    }
}

/// Whether a file name is a WARC archive's (`.warc`, `.warc.gz` or `.warc.gzip`).
pub fn is_warc_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".warc") || lower.ends_with(".warc.gz") || lower.ends_with(".warc.gzip")
}
