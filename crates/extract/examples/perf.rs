#![allow(clippy::unwrap_used)]
use std::time::Instant;
fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/pages");
    let mut pages = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "html") {
            pages.push(std::fs::read(&p).unwrap());
        }
    }
    // A large page: the DW article repeated in a long page.
    let dw = std::fs::read_to_string(format!("{dir}/dw-nato-ukraine.html")).unwrap();
    let big = dw.replace("<div class=\"rich-text\">", &format!("<div class=\"rich-text\">{}", "<p>Filler paragraph with several words, commas, and a <a href='/x'>link</a> inside it.</p>".repeat(3000)));
    pages.push(big.into_bytes());
    let cfg = extract::ExtractConfig::default();
    let n = 200;
    for (label, only_parse) in [("parse-only", true), ("extract", false), ("parse-only", true), ("extract", false)] {
        let t = Instant::now();
        let mut bytes = 0usize;
        for _ in 0..n {
            for p in &pages {
                bytes += p.len();
                if only_parse {
                    let s = String::from_utf8_lossy(p);
                    let h = scraper::Html::parse_document(&s);
                    std::hint::black_box(h);
                } else {
                    let r = extract::extract(&extract::Input { html: p, url: "https://www.dw.com/en/a-1", content_type: None }, &cfg);
                    std::hint::black_box(r.is_ok());
                }
            }
        }
        let el = t.elapsed();
        println!("{label:11} {:8.1} MB/s  ({el:?})", bytes as f64 / el.as_secs_f64() / 1e6);
    }
}
