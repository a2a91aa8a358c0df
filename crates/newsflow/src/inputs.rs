//! What `process` and `produce` read: bare HTML files (with their `<name>.input.json` sidecar), JSON
//! lines of envelopes (a `.jsonl` file or stdin), WARC archives (`.warc`, `.warc.gz`: parsed by the
//! `warc-input` crate, opened here), and directories of them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use model::SourceRef;
use warc_input::{Entry, WarcError};

/// One input page: the message value and, for bare HTML files, its URL and content type.
pub struct Item {
    pub source: SourceRef,
    pub value: Vec<u8>,
    pub url: Option<String>,
    pub content_type: Option<String>,
    /// Bytes of the input files read since the previous page (for progress).
    pub read_bytes: u64,
}

/// What reading the inputs yields, in order.
pub enum Input {
    Page(Item),
    /// A WARC record that holds no page (`request`, `metadata`, `warcinfo`, `revisit`, ...), by type.
    Skipped(String),
    /// A damaged part of an archive: a corrupt gzip member, a malformed or truncated record, an
    /// unreadable HTTP payload. Reading goes on after it.
    Damaged {
        source: SourceRef,
        kind: &'static str,
        detail: String,
    },
}

/// Bytes read from WARC archives at a time.
const WARC_BUFFER: usize = 256 * 1024;

/// `<page>.input.json` beside a bare HTML file: what the crawler would have put in the envelope.
#[derive(Debug, Default, serde::Deserialize)]
struct Sidecar {
    url: Option<String>,
    content_type: Option<String>,
}

fn read_sidecar(page: &Path) -> anyhow::Result<Sidecar> {
    let path = page.with_extension("input.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("invalid {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Sidecar::default()),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The size of the files `inputs` name (directories walked as [`read_input`] walks them); `None` when
/// one is stdin.
pub fn total_bytes(inputs: &[PathBuf]) -> Option<u64> {
    let mut total = 0;
    for path in inputs {
        if path == Path::new("-") {
            return None;
        }
        if path.is_dir() {
            let entries: Vec<PathBuf> = std::fs::read_dir(path)
                .ok()?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|entry| entry.is_dir() || is_input_file(entry))
                .collect();
            total += total_bytes(&entries)?;
        } else {
            total += std::fs::metadata(path).map_or(0, |m| m.len());
        }
    }
    Some(total)
}

pub fn read_input(path: &Path, handle: &mut dyn FnMut(Input) -> anyhow::Result<()>) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return read_jsonl("stdin", BufReader::new(std::io::stdin().lock()), handle);
    }
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || is_input_file(&entry) {
                read_input(&entry, handle)?;
            }
        }
        return Ok(());
    }
    if is_jsonl(path) {
        return read_jsonl(
            &path.display().to_string(),
            BufReader::new(File::open(path)?),
            handle,
        );
    }
    if is_warc(path) {
        return read_warc(path, handle);
    }
    let mut value = Vec::new();
    File::open(path)?.read_to_end(&mut value)?;
    let sidecar = read_sidecar(path)?;
    let url = sidecar.url.or_else(|| declared_url(&value));
    handle(Input::Page(Item {
        source: file_source(&path.display().to_string(), 0),
        read_bytes: value.len() as u64,
        value,
        url,
        content_type: sidecar.content_type,
    }))
}

fn read_jsonl(
    name: &str,
    reader: impl BufRead,
    handle: &mut dyn FnMut(Input) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let read_bytes = line.len() as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        handle(Input::Page(Item {
            source: file_source(name, index as i64 + 1),
            value: line,
            url: None,
            content_type: None,
            read_bytes,
        }))?;
    }
    Ok(())
}

/// Every record of an archive: pages as envelopes of bytes (offset = the record's byte offset, of its
/// gzip member in a compressed archive), the other records counted, damaged parts reported.
fn read_warc(path: &Path, handle: &mut dyn FnMut(Input) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let file = BufReader::with_capacity(WARC_BUFFER, File::open(path)?);
    let mut reader = warc_input::Reader::new(file)?;
    let mut counted = 0;
    while let Some(item) = reader.next() {
        match item.and_then(Entry::from_record) {
            Ok(Entry::Page(page)) => {
                let read = reader.bytes_read();
                handle(Input::Page(Item {
                    source: file_source(&name, page.offset as i64),
                    value: page.envelope_json(),
                    url: None,
                    content_type: None,
                    read_bytes: read.saturating_sub(counted),
                }))?;
                counted = read;
            }
            Ok(Entry::Skipped { record_type, .. }) => handle(Input::Skipped(record_type))?,
            Err(err @ WarcError::Io { .. }) => return Err(err.into()),
            Err(err) => handle(Input::Damaged {
                source: file_source(&name, err.offset() as i64),
                kind: err.kind(),
                detail: err.to_string(),
            })?,
        }
    }
    Ok(())
}

fn file_source(name: &str, offset: i64) -> SourceRef {
    SourceRef {
        topic: format!("file:{name}"),
        partition: 0,
        offset,
    }
}

fn is_page(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// The URL a bare HTML file declares for itself (`rel="canonical"` or `og:url`), found by a light scan of
/// its head. Files without one are rejected by the pipeline as `missing_url`.
fn declared_url(html: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(html.get(..html.len().min(256 * 1024))?);
    for tag in head
        .split('<')
        .filter(|t| t.starts_with("link") || t.starts_with("meta"))
    {
        let tag = tag.split('>').next().unwrap_or_default();
        let lower = tag.to_ascii_lowercase();
        let canonical = lower.contains("rel=\"canonical\"") || lower.contains("rel='canonical'");
        let og_url = lower.contains("property=\"og:url\"") || lower.contains("property='og:url'");
        let attr = if canonical {
            "href"
        } else if og_url {
            "content"
        } else {
            continue;
        };
        if let Some(url) = attribute(tag, attr).filter(|u| u.starts_with("http")) {
            return Some(url);
        }
    }
    None
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower.get(search..)?.find(&format!("{name}=")) {
        let start = search + found;
        let preceded_by_space = start == 0
            || lower
                .as_bytes()
                .get(start - 1)
                .is_some_and(u8::is_ascii_whitespace);
        let value_start = start + name.len() + 1;
        if preceded_by_space {
            let rest = tag.get(value_start..)?;
            let quote = rest.chars().next()?;
            let value = if quote == '"' || quote == '\'' {
                rest.get(1..)?.split(quote).next()?
            } else {
                rest.split(|c: char| c.is_whitespace() || c == '>').next()?
            };
            return Some(value.trim().to_owned());
        }
        search = value_start;
    }
    None
}

fn is_input_file(path: &Path) -> bool {
    is_page(path) || is_jsonl(path) || is_warc(path)
}

fn is_warc(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| warc_input::is_warc_name(&name.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(html: &str, expected: Option<&str>) {
        assert_eq!(declared_url(html.as_bytes()).as_deref(), expected);
    }

    #[test]
    fn declared_url_from_head() {
        check(
            r#"<html><head><link rel="canonical" href="https://a.example/x"></head>"#,
            Some("https://a.example/x"),
        );
        check(
            r#"<meta property="og:url" content='https://b.example/y' />"#,
            Some("https://b.example/y"),
        );
        check(
            r#"<link data-href="x" rel="canonical" href="https://c.example/z">"#,
            Some("https://c.example/z"),
        );
        check(r#"<link rel="stylesheet" href="https://c.example/s.css">"#, None);
        check("", None);
    }
}
