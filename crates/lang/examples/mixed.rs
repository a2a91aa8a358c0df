//! Pages mixing two languages, built from a `sentences/<code>.txt` corpus: how often the dominant
//! language is the answer and the other one is listed in `others`, and how often a page in one
//! language is reported without others:
//! `cargo run --release -p lang --example mixed -- ../shared/corpus/langid`.
//!
//! A unit is two consecutive sentences; a page is nine or ten units of languages A and B in one of five
//! arrangements (A6 B3, B2 A5 B2, A4 B4 A2, A3 B1 A3 B2, A8 B2), for every ordered pair of 16 languages
//! and three places in the corpus.

use std::collections::BTreeMap;

const LANGUAGES: [&str; 16] = [
    "en", "de", "fr", "es", "pt", "it", "nl", "ru", "uk", "pl", "sv", "tr", "ca", "da", "nb", "bg",
];

/// (language A?, units), in page order.
const ARRANGEMENTS: [&[(bool, usize)]; 5] = [
    &[(true, 6), (false, 3)],
    &[(false, 2), (true, 5), (false, 2)],
    &[(true, 4), (false, 4), (true, 2)],
    &[(true, 3), (false, 1), (true, 3), (false, 2)],
    &[(true, 8), (false, 2)],
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = std::env::args().nth(1).ok_or("usage: mixed <corpus>")?;
    let mut sentences = BTreeMap::new();
    for code in LANGUAGES {
        let path = std::path::Path::new(&corpus)
            .join("sentences")
            .join(format!("{code}.txt"));
        let text = std::fs::read_to_string(&path)?;
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        sentences.insert(code, lines);
    }
    let unit =
        |code: &str, at: usize| -> Option<String> { Some(sentences.get(code)?.get(at..at + 2)?.join(" ")) };
    let (config, hints) = (lang::LangConfig::default(), lang::Hints::default());
    let mut per = [(0usize, 0usize, 0usize); ARRANGEMENTS.len()];
    let (mut single, mut clean) = (0usize, 0usize);
    for a in LANGUAGES {
        for b in LANGUAGES {
            for offset in [0, 40, 80] {
                if a == b {
                    let page: Option<Vec<String>> = (0..9).map(|i| unit(a, offset + 2 * i)).collect();
                    let d = lang::detect(&page.ok_or("corpus too short")?.join("\n\n"), &hints, &config);
                    single += 1;
                    clean += usize::from(d.code == a && d.others.is_empty());
                    continue;
                }
                for (arrangement, counts) in ARRANGEMENTS.iter().zip(&mut per) {
                    let (mut at_a, mut at_b) = (offset, offset + 200);
                    let mut units = Vec::new();
                    for &(is_a, n) in *arrangement {
                        for _ in 0..n {
                            let (code, at) = if is_a { (a, &mut at_a) } else { (b, &mut at_b) };
                            units.push(unit(code, *at).ok_or("corpus too short")?);
                            *at += 2;
                        }
                    }
                    let d = lang::detect(&units.join("\n\n"), &hints, &config);
                    counts.0 += 1;
                    counts.1 += usize::from(d.code == a);
                    counts.2 += usize::from(d.others.iter().any(|o| o.code == b));
                }
            }
        }
    }
    let share = |part: usize, whole: usize| 100.0 * part as f64 / whole.max(1) as f64;
    let (pages, code, other) = per
        .iter()
        .fold((0, 0, 0), |t, c| (t.0 + c.0, t.1 + c.1, t.2 + c.2));
    println!(
        "mixed pages {pages}: dominant language {:.1} %, other language listed {:.1} %",
        share(code, pages),
        share(other, pages)
    );
    for (arrangement, (pages, code, other)) in ARRANGEMENTS.iter().zip(per) {
        println!(
            "  {arrangement:?}: dominant {:.1} %, other listed {:.1} %",
            share(code, pages),
            share(other, pages)
        );
    }
    println!(
        "pages in one language {single}: without others {:.1} %",
        share(clean, single)
    );
    Ok(())
}
