//! The archives of `tests/data/warc` (written by warcio, see `gen.py` there), record by record: what
//! each record became, held to a golden listing (`UPDATE_EXPECT=1` re-blesses it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::fmt::Write as _;
use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};

use warc_input::{Entry, Reader, WarcError};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/warc")
}

/// One line per record: a page (offset, URL, status, content type, body size and start), a skipped
/// record, or an error.
fn listing(bytes: &[u8]) -> String {
    let mut out = String::new();
    let reader = Reader::new(BufReader::with_capacity(1024, Cursor::new(bytes))).unwrap();
    writeln!(out, "gzip: {}", reader.is_gzip()).unwrap();
    for item in reader {
        let line = match item.and_then(Entry::from_record) {
            Ok(Entry::Page(page)) => format!(
                "@{} page {} status={:?} type={:?} language={:?} fetched_at={:?} body={} bytes {:?}",
                page.offset,
                page.url,
                page.status,
                page.content_type,
                page.content_language,
                page.fetched_at,
                page.body.len(),
                String::from_utf8_lossy(&page.body[..page.body.len().min(15)]),
            ),
            Ok(Entry::Skipped { offset, record_type }) => format!("@{offset} skipped {record_type}"),
            Err(err) => format!("error ({}): {err}", err.kind()),
        };
        writeln!(out, "{line}").unwrap();
    }
    out
}

#[track_caller]
fn check(archive: &str) {
    let bytes = std::fs::read(data_dir().join(archive)).unwrap();
    expect_test::expect_file![data_dir().join(format!("{archive}.expected"))].assert_eq(&listing(&bytes));
}

#[test]
fn every_record_of_each_archive() {
    check("pages.warc.gz");
    check("damaged.warc.gz");
    check("truncated.warc");
}

/// The sample page a URL of the archives was made from.
fn sample_body(url: &str) -> Option<Vec<u8>> {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/pages");
    for entry in std::fs::read_dir(&samples).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".input.json") {
            let sidecar: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            if sidecar["url"] == url {
                let name = path.to_string_lossy().replace(".input.json", ".html");
                return Some(std::fs::read(name).unwrap());
            }
        }
    }
    None
}

#[test]
fn encoded_bodies_come_out_as_the_pages_bytes() {
    let bytes = std::fs::read(data_dir().join("pages.warc.gz")).unwrap();
    let mut compared = 0;
    for item in Reader::new(Cursor::new(bytes)).unwrap() {
        if let Ok(Entry::Page(page)) = item.and_then(Entry::from_record)
            && let Some(sample) = sample_body(&page.url)
        {
            assert!(page.body == sample, "{} differs from its sample page", page.url);
            compared += 1;
        }
    }
    // plain, windows-1251, chunked + gzip, br, deflate, the section front.
    assert_eq!(compared, 6);
}

#[test]
fn the_envelope_carries_bytes_and_the_header_charset() {
    let bytes = std::fs::read(data_dir().join("pages.warc.gz")).unwrap();
    let page = Reader::new(Cursor::new(bytes))
        .unwrap()
        .filter_map(|item| match item.and_then(Entry::from_record) {
            Ok(Entry::Page(page)) if page.url.contains("minato-shinpo") => Some(page),
            _ => None,
        })
        .next()
        .unwrap();
    let envelope: serde_json::Value = serde_json::from_slice(&page.envelope_json()).unwrap();
    expect_test::expect![[r#"
        {
          "content_type": "text/html; charset=Shift_JIS",
          "fetched_at": "2024-05-06T07:08:09Z",
          "headers": {
            "content-language": "ja"
          },
          "status": 200,
          "url": "https://www.minato-shinpo.example.jp/news/2024/05/05/bouhatei.html"
        }"#]]
    .assert_eq(
        &serde_json::to_string_pretty(&{
            let mut without_body = envelope.clone();
            without_body.as_object_mut().unwrap().remove("html_base64");
            without_body
        })
        .unwrap(),
    );
    assert!(envelope["html"].is_null());
    assert!(envelope["html_base64"].as_str().unwrap().len() > 1000);
}

#[track_caller]
fn check_bytes(archive: &[u8], expected: expect_test::Expect) {
    expected.assert_eq(&listing(archive));
}

#[test]
fn damaged_archives_in_memory() {
    // Text that is no WARC before the first record, blank lines between records, LF line ends, a
    // record without Content-Length.
    check_bytes(
        b"garbage\nmore garbage\nWARC/1.0\nWARC-Type: resource\nWARC-Target-URI: <https://a.example/x>\n\
Content-Length: 3\n\nabc\n\n\n\nWARC/1.0\nWARC-Type: resource\nWARC-Target-URI: https://a.example/y\n\n\
WARC/1.0\nWARC-Type: response\nContent-Length: 4\n\nHTTP\r\n\r\n",
        expect_test::expect![[r#"
            gzip: false
            error (malformed_record): malformed record at byte 0: expected a WARC/ version line, found "garbage"
            @21 page https://a.example/x status=None type=None language=None fetched_at=None body=3 bytes "abc"
            error (malformed_record): malformed record at byte 115: no valid Content-Length
            error (malformed_record): malformed record at byte 182: a response record without WARC-Target-URI
        "#]],
    );
    // A header cut off, and an unreadable HTTP payload.
    check_bytes(
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://a.example/\r\nContent-Length: 9\r\n\r\n\
HTTP/1.1 \r\n\r\n\r\nWARC/1.1\r\nWARC-Type: resp",
        expect_test::expect![[r#"
            gzip: false
            error (bad_http_payload): unreadable http payload in record at byte 0: http header not terminated by an empty line
            error (truncated_record): truncated record at byte 104: the archive ends inside the record's header
        "#]],
    );
    assert!(Reader::new(Cursor::new(Vec::new())).unwrap().next().is_none());
}

#[test]
fn a_read_error_ends_the_archive() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    impl std::io::Seek for Failing {
        fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
            Ok(0)
        }
    }
    let err = Reader::new(BufReader::new(Failing)).err().unwrap();
    assert!(matches!(err, WarcError::Io { offset: 0, .. }), "{err}");
    assert!(err.is_fatal());
}

#[test]
fn a_compressed_archive_cut_off_or_with_junk_between_members() {
    let bytes = std::fs::read(data_dir().join("damaged.warc.gz")).unwrap();
    // Cut inside the last member: the records before it are read, the last one is reported.
    check_bytes(
        &bytes[..bytes.len() - 100],
        expect_test::expect![[r#"
            gzip: true
            @0 skipped warcinfo
            @255 page https://www.dw.com/en/nato-chief-vows-unwavering-support-for-ukraine/a-63885362 status=Some(200) type=Some("text/html; charset=utf-8") language=None fetched_at=Some("2024-05-06T07:08:09Z") body=14885 bytes "<!DOCTYPE html>"
            error (corrupt_gzip): corrupt gzip member at byte 5758: corrupt gzip stream does not have a matching checksum
            error (corrupt_gzip): corrupt gzip member at byte 10258: the member is cut off
        "#]],
    );
    // Bytes that are no gzip member (with a stray 1f 8b in them) between the first two members: one
    // error, then the next member.
    let mut junk = bytes[..255].to_vec();
    junk.extend_from_slice(b"\0\0\x1f\x8b\x08junk\0\0");
    junk.extend_from_slice(&bytes[255..5758]);
    check_bytes(
        &junk,
        expect_test::expect![[r#"
            gzip: true
            @0 skipped warcinfo
            error (corrupt_gzip): corrupt gzip member at byte 255: invalid gzip header
            @266 page https://www.dw.com/en/nato-chief-vows-unwavering-support-for-ukraine/a-63885362 status=Some(200) type=Some("text/html; charset=utf-8") language=None fetched_at=Some("2024-05-06T07:08:09Z") body=14885 bytes "<!DOCTYPE html>"
        "#]],
    );
}

/// Each record of `file` read with a block limit of 6000 bytes: its offset and size, or the error.
fn listing_with_max_block(file: &str) -> Vec<String> {
    let bytes = std::fs::read(data_dir().join(file)).unwrap();
    Reader::new(Cursor::new(bytes))
        .unwrap()
        .with_max_block(6000)
        .map(|item| match item {
            Ok(record) => format!("@{} {} bytes", record.offset, record.block.len()),
            Err(err) => format!("error ({}): {err}", err.kind()),
        })
        .collect()
}

#[test]
fn a_block_over_the_limit_is_skipped_without_being_kept() {
    assert_eq!(
        listing_with_max_block("truncated.warc"),
        [
            "@0 5453 bytes",
            "error (truncated_record): truncated record at byte 5880: block of 14944 bytes, the archive ends before its end",
        ]
    );
    assert_eq!(
        listing_with_max_block("damaged.warc.gz"),
        [
            "@0 48 bytes",
            "error (oversized_record): record at byte 255 skipped: a block of 14944 bytes, over the limit of 6000",
            "error (corrupt_gzip): corrupt gzip member at byte 5758: corrupt gzip stream does not have a matching checksum",
            "@10258 4536 bytes",
        ]
    );
}

#[test]
fn a_whole_archive_in_one_gzip_member() {
    use std::io::{Read as _, Write as _};
    let members = std::fs::read(data_dir().join("pages.warc.gz")).unwrap();
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&members[..])
        .read_to_end(&mut plain)
        .unwrap();
    let mut one = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    one.write_all(&plain).unwrap();
    let one = one.finish().unwrap();
    // The same records, read a piece at a time; each one's offset is the member's, 0.
    let per_member = listing(&members);
    let in_one = listing(&one);
    let strip = |text: &str| -> Vec<String> {
        text.lines()
            .map(|line| line.split_once(' ').map_or(line, |(_, rest)| rest).to_owned())
            .collect()
    };
    assert_eq!(strip(&in_one), strip(&per_member));
    assert_eq!(in_one.lines().filter(|l| l.starts_with("@0 ")).count(), 21);
}

/// Damage anywhere: the archive cut at many points, or a byte changed at many points. The reader never
/// panics, ends, and reads every record that lies wholly before the damage.
#[test]
fn damage_anywhere_leaves_the_records_before_it() {
    for archive in ["pages.warc.gz", "truncated.warc"] {
        let bytes = std::fs::read(data_dir().join(archive)).unwrap();
        let offsets: Vec<u64> = Reader::new(Cursor::new(bytes.clone()))
            .unwrap()
            .filter_map(|item| item.ok().map(|record| record.offset))
            .collect();
        for at in (0..bytes.len()).step_by(331) {
            // Records whose successor starts at or before `at` are whole.
            let whole = offsets.windows(2).filter(|w| w[1] as usize <= at).count();
            let mut changed = bytes.clone();
            changed[at] ^= 0x5a;
            for damaged in [bytes[..at].to_vec(), changed] {
                let read: Vec<u64> = Reader::new(Cursor::new(damaged))
                    .unwrap()
                    .take(1000)
                    .filter_map(|item| item.ok().map(|record| record.offset))
                    .collect();
                assert!(
                    read.len() < 1000,
                    "{archive} damaged at {at}: the reader does not end"
                );
                assert!(
                    read.starts_with(&offsets[..whole]),
                    "{archive} damaged at {at}: {read:?} lacks records before it"
                );
            }
        }
    }
}
