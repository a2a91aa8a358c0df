//! Records out of a byte stream: the gzip layer (member by member, with each member's offset, and a
//! resynchronisation past a corrupt one) and the WARC record layer (header lines, then a block of
//! `Content-Length` bytes, then CRLF CRLF).

use std::collections::VecDeque;
use std::io::{BufRead, Read, Seek, SeekFrom};

use crate::WarcError;

/// Bytes read at a time from a plain archive.
const CHUNK: usize = 64 * 1024;

/// Longest header line accepted; a longer one is no WARC header.
const MAX_LINE: usize = 64 * 1024;

/// Largest block read by default ([`Reader::with_max_block`]): a larger record (a video, a disk image)
/// is skipped without being held in memory.
pub const MAX_BLOCK_BYTES: usize = 64 * 1024 * 1024;

/// Most header lines in one record.
const MAX_HEADER_LINES: usize = 512;

/// One WARC record: its named fields and its block, undecoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Byte offset of the record in the archive (of its gzip member in a compressed archive).
    pub offset: u64,
    /// The version line, e.g. `WARC/1.1`.
    pub version: String,
    /// Header fields in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The block: `Content-Length` bytes.
    pub block: Vec<u8>,
}

impl Record {
    /// The first field of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// `WARC-Type`, lowercased (`response`, `request`, `resource`, ...); empty when absent.
    pub fn record_type(&self) -> String {
        self.header("WARC-Type").unwrap_or_default().to_ascii_lowercase()
    }
}

/// A byte stream that knows its position.
struct Counted<R> {
    inner: R,
    position: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.position += amount as u64;
        self.inner.consume(amount);
    }
}

/// Where decompressed bytes come from.
enum Source<R> {
    /// The archive's bytes: a plain archive, or a compressed one between two members.
    Raw(Counted<R>),
    /// Inside the gzip member that starts at this offset, decompressed a piece at a time, so that a
    /// member of any size (a whole archive in one) needs no more memory than the record being read.
    Member(Box<flate2::bufread::GzDecoder<Counted<R>>>, u64),
    /// Only while changing from one to the other.
    Switching,
}

impl<R> Source<R> {
    fn position(&self) -> u64 {
        match self {
            Source::Raw(input) => input.position,
            Source::Member(decoder, _) => decoder.get_ref().position,
            Source::Switching => 0,
        }
    }
}

/// Reads the records of an archive, plain or gzip compressed (told apart by the first two bytes, not
/// by the name). A compressed archive may hold one record per gzip member (as Common Crawl and every
/// WARC writer do) or several, or records spanning members; members are decompressed a piece at a
/// time, so memory holds the record being read, not the member (blocks over the limit are passed
/// over unread).
///
/// An iterator of records; an error concerns one record or member and the next call goes on after
/// it, except a read error ([`WarcError::is_fatal`]), after which the iterator ends.
pub struct Reader<R> {
    source: Source<R>,
    gzip: bool,
    /// Decompressed bytes not yet parsed start at `buf[pos]`.
    buf: Vec<u8>,
    pos: usize,
    /// Position of `buf[0]` in the decompressed stream.
    base: u64,
    /// Start of each gzip member still in `buf`: (position in the decompressed stream, offset in the file).
    members: VecDeque<(u64, u64)>,
    /// After a corrupt member: where to look for the next one.
    resync_from: Option<u64>,
    /// After a malformed record: skip to the next line that starts a record.
    seek_record: bool,
    input_done: bool,
    finished: bool,
    max_block: usize,
}

impl<R: BufRead + Seek> Reader<R> {
    /// A reader over `input`, from its current position.
    pub fn new(mut input: R) -> Result<Self, WarcError> {
        let position = input
            .stream_position()
            .map_err(|source| WarcError::Io { offset: 0, source })?;
        let head = input.fill_buf().map_err(|source| WarcError::Io {
            offset: position,
            source,
        })?;
        let gzip = head.starts_with(&[0x1f, 0x8b]);
        Ok(Reader {
            source: Source::Raw(Counted {
                inner: input,
                position,
            }),
            gzip,
            buf: Vec::new(),
            pos: 0,
            base: 0,
            members: VecDeque::new(),
            resync_from: None,
            seek_record: false,
            input_done: false,
            finished: false,
            max_block: MAX_BLOCK_BYTES,
        })
    }

    /// Sets the largest block read (default [`MAX_BLOCK_BYTES`]); a record with a larger one is skipped
    /// and reported as [`WarcError::TooLarge`].
    pub fn with_max_block(mut self, bytes: usize) -> Self {
        self.max_block = bytes;
        self
    }

    /// Whether the archive is gzip compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// How far the archive was read, in bytes of the file.
    pub fn bytes_read(&self) -> u64 {
        self.source.position()
    }

    fn available(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The file offset of the byte at `buf[pos]`.
    fn offset_here(&self) -> u64 {
        let at = self.base + self.pos as u64;
        if !self.gzip {
            return at;
        }
        self.members
            .iter()
            .take_while(|(start, _)| *start <= at)
            .last()
            .map_or(self.source.position(), |(_, offset)| *offset)
    }

    /// Drops what was parsed, so that `buf` holds only the unread bytes.
    fn compact(&mut self) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        let at = self.base;
        while self.members.len() > 1 && self.members.get(1).is_some_and(|(start, _)| *start <= at) {
            self.members.pop_front();
        }
    }

    /// Appends more decompressed bytes to `buf`. `Ok(false)` at the end of the input.
    fn fill(&mut self) -> Result<bool, WarcError> {
        if self.input_done {
            return Ok(false);
        }
        if !self.gzip {
            let Source::Raw(input) = &mut self.source else {
                return Ok(false);
            };
            let start = self.buf.len();
            self.buf.resize(start + CHUNK, 0);
            let read = loop {
                match input.read(&mut self.buf[start..]) {
                    Ok(n) => break n,
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(source) => {
                        self.buf.truncate(start);
                        return Err(self.io_error(source));
                    }
                }
            };
            self.buf.truncate(start + read);
            if read == 0 {
                self.input_done = true;
            }
            return Ok(read > 0);
        }
        self.fill_member()
    }

    fn io_error(&mut self, source: std::io::Error) -> WarcError {
        self.input_done = true;
        WarcError::Io {
            offset: self.source.position(),
            source,
        }
    }

    /// Decompresses the next piece of the archive onto `buf` (starting the next member at the end of
    /// one), or reports a corrupt member (and looks for the following one on the next call).
    fn fill_member(&mut self) -> Result<bool, WarcError> {
        if let Some(from) = self.resync_from.take() {
            return self.resync(from);
        }
        match std::mem::replace(&mut self.source, Source::Switching) {
            Source::Raw(mut input) => {
                let start = input.position;
                let at_end = input.fill_buf().map(<[u8]>::is_empty);
                self.source = Source::Raw(input);
                match at_end {
                    Ok(true) => {
                        self.input_done = true;
                        Ok(false)
                    }
                    Ok(false) => self.start_member(start).map(|_| true),
                    Err(source) => Err(self.io_error(source)),
                }
            }
            Source::Member(decoder, start) => {
                self.source = Source::Member(decoder, start);
                self.read_member().map(|_| true)
            }
            Source::Switching => Ok(false),
        }
    }

    /// Starts the member at `start` (the source is there) and reads its first piece. `Ok(0)` for an
    /// empty member.
    fn start_member(&mut self, start: u64) -> Result<usize, WarcError> {
        let Source::Raw(input) = std::mem::replace(&mut self.source, Source::Switching) else {
            return Ok(0);
        };
        let at = self.base + self.buf.len() as u64;
        self.members.push_back((at, start));
        self.source = Source::Member(Box::new(flate2::bufread::GzDecoder::new(input)), start);
        self.read_member()
    }

    /// Reads the next piece of the current member onto `buf`; at its end, the source is back between
    /// members. An error leaves the source there too, with the search for the next member to do.
    fn read_member(&mut self) -> Result<usize, WarcError> {
        let Source::Member(mut decoder, start) = std::mem::replace(&mut self.source, Source::Switching)
        else {
            return Ok(0);
        };
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let read = loop {
            match decoder.read(&mut self.buf[old..]) {
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        match read {
            Ok(0) => {
                self.buf.truncate(old);
                self.source = Source::Raw(decoder.into_inner());
                Ok(0)
            }
            Ok(n) => {
                self.buf.truncate(old + n);
                self.source = Source::Member(decoder, start);
                Ok(n)
            }
            Err(err) => {
                self.buf.truncate(old);
                self.source = Source::Raw(decoder.into_inner());
                self.resync_from = Some(start + 1);
                Err(WarcError::CorruptGzip {
                    offset: start,
                    detail: describe_gzip_error(&err),
                })
            }
        }
    }

    /// Looks for the next gzip member from `from` on: every `0x1f` byte is tried. A member that is
    /// there but damaged is an error of its own (and the search goes on after it on the next call).
    fn resync(&mut self, mut from: u64) -> Result<bool, WarcError> {
        loop {
            let Source::Raw(input) = &mut self.source else {
                return Ok(false);
            };
            if let Err(source) = input.inner.seek(SeekFrom::Start(from)) {
                return Err(self.io_error(source));
            }
            input.position = from;
            // Find the next 0x1f.
            loop {
                let found = match input.fill_buf() {
                    Ok([]) => {
                        self.input_done = true;
                        return Ok(false);
                    }
                    Ok(bytes) => bytes.iter().position(|&b| b == 0x1f).ok_or(bytes.len()),
                    Err(source) => return Err(self.io_error(source)),
                };
                match found {
                    Ok(at) => {
                        input.consume(at);
                        break;
                    }
                    Err(len) => input.consume(len),
                }
            }
            let start = input.position;
            // Most 0x1f bytes are no member: skip those not followed by 0x8b (when that byte is read).
            if let Ok(bytes) = input.fill_buf()
                && bytes.get(1).is_some_and(|&b| b != 0x8b)
            {
                from = start + 1;
                continue;
            }
            let members = self.members.len();
            match self.start_member(start) {
                Ok(_) => return Ok(true),
                // No member starts here: a byte that happens to be 0x1f.
                Err(WarcError::CorruptGzip { detail, .. }) if is_bad_header(&detail) => {
                    self.members.truncate(members);
                    self.resync_from = None;
                    from = start + 1;
                }
                // A member starts here (its header reads) but is damaged too: an error of its own.
                Err(err) => return Err(err),
            }
        }
    }

    /// Makes at least `wanted` unread bytes available, as far as the input allows. A corrupt member on
    /// the way drops the unread bytes (the record they started is lost) and is returned.
    fn want(&mut self, wanted: usize) -> Result<bool, WarcError> {
        while self.available() < wanted {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return Ok(false),
                Err(err) => {
                    self.pos = self.buf.len();
                    return Err(err);
                }
            }
        }
        Ok(true)
    }

    /// Passes over `count` bytes without keeping them. `Ok(false)` when the input ends first.
    fn skip(&mut self, mut count: usize) -> Result<bool, WarcError> {
        loop {
            let take = count.min(self.available());
            self.pos += take;
            count -= take;
            if count == 0 {
                return Ok(true);
            }
            self.compact();
            if !self.want(1)? {
                return Ok(false);
            }
        }
    }

    /// The next line (without its line end), or `None` at the end of the input. A line longer than
    /// [`MAX_LINE`] comes back cut at that length.
    fn line(&mut self) -> Result<Option<Vec<u8>>, WarcError> {
        let mut searched = 0;
        loop {
            let unread = &self.buf[self.pos..];
            if let Some(end) = unread[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + end;
                let mut line = unread[..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.pos += end + 1;
                return Ok(Some(line));
            }
            searched = unread.len();
            if searched >= MAX_LINE {
                let line = unread[..MAX_LINE].to_vec();
                self.pos += MAX_LINE;
                return Ok(Some(line));
            }
            if !self.want(searched + 1)? {
                let rest = self.buf[self.pos..].to_vec();
                self.pos = self.buf.len();
                return Ok((!rest.is_empty()).then_some(rest));
            }
        }
    }

    /// Skips blank lines (and, after a malformed record, everything) up to the next `WARC/` line.
    /// Returns that line and the record's offset, or `None` at the end of the input.
    fn start_line(&mut self) -> Result<Option<(Vec<u8>, u64)>, WarcError> {
        loop {
            self.compact();
            if !self.want(1)? {
                return Ok(None);
            }
            let offset = self.offset_here();
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            if line.starts_with(b"WARC/") {
                self.seek_record = false;
                return Ok(Some((line, offset)));
            }
            if line.iter().all(u8::is_ascii_whitespace) || self.seek_record {
                continue;
            }
            self.seek_record = true;
            return Err(WarcError::Malformed {
                offset,
                detail: format!("expected a WARC/ version line, found {:?}", preview(&line)),
            });
        }
    }

    fn read_record(&mut self) -> Result<Option<Record>, WarcError> {
        let Some((version, offset)) = self.start_line()? else {
            return Ok(None);
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let Some(line) = self.line()? else {
                return Err(WarcError::Truncated {
                    offset,
                    detail: "the archive ends inside the record's header".to_owned(),
                });
            };
            if line.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADER_LINES {
                self.seek_record = true;
                return Err(WarcError::Malformed {
                    offset,
                    detail: format!("more than {MAX_HEADER_LINES} header lines"),
                });
            }
            let line = String::from_utf8_lossy(&line);
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                self.seek_record = true;
                return Err(WarcError::Malformed {
                    offset,
                    detail: format!("header line without a colon: {:?}", preview(line.as_bytes())),
                });
            };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let length = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("Content-Length"))
            .map(|(_, value)| value.parse::<usize>());
        let length = match length {
            Some(Ok(length)) => length,
            Some(Err(_)) | None => {
                self.seek_record = true;
                return Err(WarcError::Malformed {
                    offset,
                    detail: "no valid Content-Length".to_owned(),
                });
            }
        };
        if length > self.max_block {
            if !self.skip(length)? {
                return Err(WarcError::Truncated {
                    offset,
                    detail: format!("block of {length} bytes, the archive ends before its end"),
                });
            }
            return Err(WarcError::TooLarge {
                offset,
                length,
                limit: self.max_block,
            });
        }
        if !self.want(length)? {
            let got = self.available();
            self.pos = self.buf.len();
            return Err(WarcError::Truncated {
                offset,
                detail: format!("block of {length} bytes, the archive ends after {got}"),
            });
        }
        let block = self.buf[self.pos..self.pos + length].to_vec();
        self.pos += length;
        // The block is followed by CRLF CRLF: skip the line ends already read (any left over are blank
        // lines before the next record, which `start_line` skips; reading on here could meet the next
        // gzip member, whose errors belong to the next record).
        for _ in 0..4 {
            match self.buf.get(self.pos) {
                Some(b'\r' | b'\n') => self.pos += 1,
                _ => break,
            }
        }
        Ok(Some(Record {
            offset,
            version: String::from_utf8_lossy(&version).trim().to_owned(),
            headers,
            block,
        }))
    }
}

impl<R: BufRead + Seek> Iterator for Reader<R> {
    type Item = Result<Record, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.read_record() {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(err) => {
                if err.is_fatal() {
                    self.finished = true;
                }
                Some(Err(err))
            }
        }
    }
}

/// Whether the decoder found no gzip header where it started (a member that is there but damaged
/// fails otherwise: in its data, its checksum, or cut off), from the error's description.
fn is_bad_header(detail: &str) -> bool {
    matches!(detail, "invalid gzip header" | "gzip header field too long")
}

fn describe_gzip_error(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::UnexpectedEof {
        "the member is cut off".to_owned()
    } else {
        err.to_string().to_lowercase()
    }
}

/// The start of a line, for an error message.
fn preview(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned()
}
