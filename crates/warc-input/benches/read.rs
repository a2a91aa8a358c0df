//! How fast archives are read: records/s, pages/s and MB/s of the archive for the reader alone
//! (decompression and record parsing) and with the pages turned into envelopes (HTTP parsing, body
//! decoding, base64, JSON), on one core.
//!
//! `cargo bench -p warc-input --bench read [-- ARCHIVE...]`; the default is `tests/data/warc/pages.warc.gz`.
//! A bigger archive: `tests/data/warc/gen.py --corpus DIR OUT.warc.gz` (see there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Instant;

use warc_input::{Entry, Reader};

fn main() {
    // Archives are the arguments naming WARC files; the rest is cargo's (`--bench`, or a test
    // filter when `cargo test --all-targets` runs this as a smoke test).
    let mut archives: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| a.ends_with(".warc") || a.ends_with(".warc.gz"))
        .map(PathBuf::from)
        .collect();
    if archives.is_empty() {
        archives.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/warc/pages.warc.gz"));
    }
    for archive in &archives {
        let size = std::fs::metadata(archive).unwrap().len() as f64;
        for envelopes in [false, true] {
            let started = Instant::now();
            let file = BufReader::with_capacity(256 * 1024, File::open(archive).unwrap());
            let (mut records, mut pages, mut errors, mut block_bytes) = (0u64, 0u64, 0u64, 0u64);
            for item in Reader::new(file).unwrap() {
                match item {
                    Ok(record) => {
                        records += 1;
                        block_bytes += record.block.len() as u64;
                        if envelopes {
                            match Entry::from_record(record) {
                                Ok(Entry::Page(page)) => {
                                    pages += 1;
                                    std::hint::black_box(page.envelope_json());
                                }
                                Ok(Entry::Skipped { .. }) => {}
                                Err(_) => errors += 1,
                            }
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{} ({}): {records} records, {pages} pages, {errors} errors in {seconds:.2} s: {:.0} records/s, {:.0} pages/s, {:.1} MB/s of archive, {:.1} MB/s of blocks",
                archive.display(),
                if envelopes {
                    "records → envelopes"
                } else {
                    "records"
                },
                records as f64 / seconds,
                pages as f64 / seconds,
                size / 1e6 / seconds,
                block_bytes as f64 / 1e6 / seconds,
            );
        }
    }
}
