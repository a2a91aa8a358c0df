//! `newsflow-eval extract`: body precision, recall and F1, metadata accuracy and speed of the extractor on
//! a labelled corpus.
//!
//! The corpus folder holds `evaldata.json` (page URL → `{file, with, without, title, author, date, ...}`)
//! and `html/<file>`. Every page is extracted with the production defaults
//! ([`extract::ExtractConfig::default`]), its URL as the fetched URL and no content type, so the charset
//! comes from the page itself. A page that cannot be read or is rejected (not an article, not HTML, ...)
//! counts as an empty body and no metadata.
//!
//! Body: a `with` segment found in the whitespace-normalized body is a true positive, a missing one a
//! false negative; a `without` segment found is a false positive; summed over the corpus.
//! Metadata, over the pages whose gold value is not empty: title and author match leniently (equal after
//! lowercasing, dropping invisible characters such as soft hyphens, and collapsing whitespace and
//! punctuation, or one contains the other; several authors also match when each of them is in the gold
//! string); the date matches on the same calendar day.
//! Speed: one single-threaded extraction pass over the pages held in memory after the scoring pass (the
//! warm-up), and a parse-only pass ([`extract::parse_only`]) over the same pages for the ratio.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// One labelled page of `evaldata.json`.
#[derive(Debug, Deserialize)]
struct Gold {
    file: String,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    without: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    /// A string, or (for a few pages) a list of names.
    #[serde(default)]
    author: Option<serde_json::Value>,
    #[serde(default)]
    date: Option<String>,
}

impl Gold {
    /// The gold author(s) as one string; a list is joined with commas.
    fn author(&self) -> Option<String> {
        match self.author.as_ref()? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(names) => Some(
                names
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        }
    }
}

/// A labelled page with its bytes.
struct Page {
    url: String,
    gold: Gold,
    /// `None` when the file could not be read.
    html: Option<Vec<u8>>,
}

/// Body counts of one page (or of the corpus).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    tp: usize,
    fn_: usize,
    fp: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fn_ += other.fn_;
        self.fp += other.fp;
    }

    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// Correct answers over the pages that have a gold value.
#[derive(Debug, Default, Clone, Copy)]
struct Field {
    n: usize,
    correct: usize,
}

impl Field {
    /// Scores one page; returns the gold value when it was scored and wrong.
    fn score<'g>(&mut self, gold: Option<&'g str>, correct: impl FnOnce(&str) -> bool) -> Option<&'g str> {
        let gold = gold.map(str::trim).filter(|g| !g.is_empty())?;
        self.n += 1;
        if correct(gold) {
            self.correct += 1;
            return None;
        }
        Some(gold)
    }

    fn accuracy(&self) -> f64 {
        ratio(self.correct, self.n)
    }
}

/// What one page scored, for the failure report.
struct PageResult<'p> {
    page: &'p Page,
    counts: Counts,
    /// `None` when extracted; else the outcome's name (`not_article:link_list`, `unreadable`, ...).
    failure: Option<String>,
    missed: Vec<&'p str>,
    leaked: Vec<&'p str>,
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Whitespace runs collapsed to one space, trimmed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Soft hyphens, zero-width spaces and joiners, word joiners and byte order marks: characters a
/// reader does not see, which break no word and which the extracted text never holds.
fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// A gold segment as a reader sees it: [`invisible`] characters left out, whitespace squashed.
fn visible(segment: &str) -> String {
    let kept: String = segment.chars().filter(|&c| !invisible(c)).collect();
    squash(&kept)
}

/// Lowercase; whitespace and punctuation runs collapsed to one space; trimmed; [`invisible`]
/// characters dropped.
fn lenient_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if invisible(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// Equal after [`lenient_key`], or one contains the other.
fn lenient(gold: &str, got: &str) -> bool {
    let (g, x) = (lenient_key(gold), lenient_key(got));
    !g.is_empty() && !x.is_empty() && (g == x || g.contains(&x) || x.contains(&g))
}

fn author_ok(gold: &str, authors: &[String]) -> bool {
    if authors.is_empty() {
        return false;
    }
    let g = lenient_key(gold);
    lenient(gold, &authors.join(", "))
        || authors.iter().all(|a| {
            let a = lenient_key(a);
            !a.is_empty() && g.contains(&a)
        })
}

/// Same calendar day: the gold `YYYY-MM-DD` against the date part of an RFC 3339 value.
fn date_ok(gold: &str, got: Option<&str>) -> bool {
    match (gold.get(..10), got.and_then(|g| g.get(..10))) {
        (Some(g), Some(x)) => g == x,
        _ => false,
    }
}

fn body_counts<'p>(gold: &'p Gold, body: &str) -> (Counts, Vec<&'p str>, Vec<&'p str>) {
    let mut counts = Counts::default();
    let (mut missed, mut leaked) = (Vec::new(), Vec::new());
    for seg in &gold.with {
        if body.contains(&visible(seg)) {
            counts.tp += 1;
        } else {
            counts.fn_ += 1;
            missed.push(seg.as_str());
        }
    }
    for seg in &gold.without {
        if body.contains(&visible(seg)) {
            counts.fp += 1;
            leaked.push(seg.as_str());
        }
    }
    (counts, missed, leaked)
}

fn load(corpus: &Path) -> anyhow::Result<Vec<Page>> {
    let index = corpus.join("evaldata.json");
    let text = std::fs::read_to_string(&index).with_context(|| format!("cannot read {}", index.display()))?;
    let golds: BTreeMap<String, Gold> =
        serde_json::from_str(&text).with_context(|| format!("invalid {}", index.display()))?;
    Ok(golds
        .into_iter()
        .map(|(url, gold)| {
            let html = std::fs::read(corpus.join("html").join(&gold.file)).ok();
            Page { url, gold, html }
        })
        .collect())
}

fn run_one(page: &Page, config: &extract::ExtractConfig) -> Result<extract::Document, String> {
    let html = page.html.as_deref().ok_or_else(|| "unreadable".to_owned())?;
    let input = extract::Input {
        html: extract::Html::Bytes(html),
        url: &page.url,
        content_type: None,
    };
    extract::extract(&input, config).map_err(|err| match err {
        extract::ExtractError::NotArticle { reason } => format!("not_article:{reason}"),
        other => other.kind().to_owned(),
    })
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_owned(),
    }
}

/// Prints [`extract::explain`] for one page.
pub fn explain(page: &Path, url: &str, min_chars: u32) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let html = std::fs::read(page).with_context(|| format!("cannot read {}", page.display()))?;
    let input = extract::Input {
        html: extract::Html::Bytes(&html),
        url,
        content_type: None,
    };
    print!(
        "{}",
        extract::explain(&input, &extract::ExtractConfig::default(), min_chars)?
    );
    Ok(())
}

pub fn run(
    corpus: &Path,
    floors: Option<&Path>,
    verbose: bool,
    pages_out: Option<&Path>,
) -> anyhow::Result<()> {
    let floors = super::floors(floors)?;
    let pages = load(corpus)?;
    anyhow::ensure!(!pages.is_empty(), "no pages in {}", corpus.display());
    let config = extract::ExtractConfig::default();

    // Scoring pass (also the warm-up for the timed pass).
    let mut total = Counts::default();
    let (mut title, mut author, mut date) = (Field::default(), Field::default(), Field::default());
    let mut results = Vec::with_capacity(pages.len());
    // Wrong metadata: field, file, gold, extracted.
    let mut meta_misses: Vec<(&'static str, String, String, String)> = Vec::new();
    // Pages whose body is not the article's text: access, file, words left.
    let mut walled: Vec<(extract::Access, String, usize)> = Vec::new();
    let mut page_lines: Vec<String> = Vec::with_capacity(pages.len());
    for page in &pages {
        let outcome = run_one(page, &config);
        if let Ok(doc) = &outcome
            && !doc.access.is_open()
        {
            walled.push((
                doc.access,
                page.gold.file.clone(),
                doc.text.split_whitespace().count(),
            ));
        }
        let (doc_text, failure) = match &outcome {
            Ok(doc) => (squash(&doc.text), None),
            Err(reason) => (String::new(), Some(reason.clone())),
        };
        let (counts, missed, leaked) = body_counts(&page.gold, &doc_text);
        total.add(counts);
        let doc = outcome.as_ref().ok();
        let got_title = doc.and_then(|d| d.meta.title.as_deref());
        let got_date = doc.and_then(|d| d.meta.published_at.as_deref());
        let got_authors = doc.map(|d| d.meta.authors.join("; ")).unwrap_or_default();
        let gold_author = page.gold.author();
        let misses = [
            (
                "title",
                title.score(page.gold.title.as_deref(), |g| {
                    got_title.is_some_and(|t| lenient(g, t))
                }),
                got_title.unwrap_or_default().to_owned(),
            ),
            (
                "author",
                author.score(gold_author.as_deref(), |g| {
                    doc.is_some_and(|d| author_ok(g, &d.meta.authors))
                }),
                got_authors,
            ),
            (
                "date",
                date.score(page.gold.date.as_deref(), |g| date_ok(g, got_date)),
                got_date.unwrap_or_default().to_owned(),
            ),
        ];
        let mut line = format!("{}\t{}\t{}\t{}", page.gold.file, counts.tp, counts.fn_, counts.fp);
        for (field, gold, _) in &misses {
            line.push('\t');
            if gold.is_some() {
                line.push_str(field);
            }
        }
        page_lines.push(line);
        for (field, gold, got) in misses {
            if let Some(gold) = gold {
                meta_misses.push((field, page.gold.file.clone(), gold.to_owned(), got));
            }
        }
        results.push(PageResult {
            page,
            counts,
            failure,
            missed,
            leaked,
        });
    }

    if let Some(path) = pages_out {
        page_lines.push(String::new());
        std::fs::write(path, page_lines.join("\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

    // Timed passes: extraction, then parsing alone, single thread.
    let readable: Vec<&Page> = pages.iter().filter(|p| p.html.is_some()).collect();
    let bytes: usize = readable
        .iter()
        .filter_map(|p| p.html.as_ref())
        .map(Vec::len)
        .sum();
    // Interleaved in blocks of pages, so that load from other processes hits both alike; per CPU
    // second of this thread where the kernel reports it (else wall-clock); the better of two rounds.
    let (mut extract_seconds, mut parse_seconds) = (f64::INFINITY, f64::INFINITY);
    for _round in 0..2 {
        let (mut e, mut p) = (0.0, 0.0);
        for block in readable.chunks(16) {
            let (_, wall, cpu) = super::timed(|| {
                for page in block {
                    std::hint::black_box(run_one(page, &config).ok());
                }
            });
            e += cpu.unwrap_or(wall);
            let (_, wall, cpu) = super::timed(|| {
                for page in block {
                    std::hint::black_box(extract::parse_only(page.html.as_deref().unwrap_or_default()));
                }
            });
            p += cpu.unwrap_or(wall);
        }
        extract_seconds = extract_seconds.min(e);
        parse_seconds = parse_seconds.min(p);
    }
    let pages_per_second = readable.len() as f64 / extract_seconds.max(1e-9);
    let parse_pages_per_second = readable.len() as f64 / parse_seconds.max(1e-9);

    // Failures by category.
    let mut rejected: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut zero_recall, mut fp_heavy, mut partial) = (0usize, 0usize, 0usize);
    for r in &results {
        if let Some(reason) = &r.failure {
            *rejected.entry(reason.as_str()).or_default() += 1;
        } else if r.counts.tp == 0 && r.counts.fn_ > 0 {
            zero_recall += 1;
        } else if r.counts.fn_ > 0 {
            partial += 1;
        }
        if r.counts.fp >= 2 || (r.counts.fp > 0 && r.counts.fp * 2 >= r.page.gold.without.len()) {
            fp_heavy += 1;
        }
    }

    println!(
        "extraction on {} ({} pages, {:.1} MB)",
        corpus.display(),
        pages.len(),
        bytes as f64 / 1e6
    );
    println!(
        "body      precision {:.4}  recall {:.4}  F1 {:.4}   (tp {}, fn {}, fp {})",
        total.precision(),
        total.recall(),
        total.f1(),
        total.tp,
        total.fn_,
        total.fp
    );
    for (name, field) in [("title", title), ("author", author), ("date", date)] {
        println!(
            "{name:<9} {:.4}  ({} of n = {})",
            field.accuracy(),
            field.correct,
            field.n
        );
    }
    let count_of = |access: extract::Access| walled.iter().filter(|w| w.0 == access).count();
    println!(
        "access    {} paywalled, {} teaser, the rest open (a wall or a prompt in place of the text)",
        count_of(extract::Access::Paywalled),
        count_of(extract::Access::Teaser)
    );
    println!("failures by category:");
    for (reason, count) in &rejected {
        println!("  rejected {reason:<28} {count:>4}");
    }
    println!("  extracted, zero recall            {zero_recall:>4}");
    println!("  extracted, some segments missing  {partial:>4}");
    println!("  FP-heavy (≥ 2 or ≥ half leaked)   {fp_heavy:>4}");
    println!(
        "speed     {pages_per_second:.1} pages/s extract, {parse_pages_per_second:.1} pages/s parse only \
         (one thread, per CPU second, {:.2}× the parse-only speed, {:.1} MB/s)",
        pages_per_second / parse_pages_per_second.max(1e-9),
        bytes as f64 / 1e6 / extract_seconds.max(1e-9)
    );

    if verbose {
        let mut worst: Vec<&PageResult<'_>> = results
            .iter()
            .filter(|r| r.counts.fn_ + r.counts.fp > 0)
            .collect();
        worst.sort_by_key(|r| std::cmp::Reverse(r.counts.fn_ * 2 + r.counts.fp * 3));
        println!();
        println!("worst pages (missed = with-segments not found, leaked = without-segments found):");
        println!();
        println!("pages not open (access  file  words left):");
        for (access, file, words) in &walled {
            println!("{:<9} {file}  {words}", access.as_str());
        }
        println!();
        println!("wrong metadata (field  file  gold  ≠  extracted):");
        for (field, file, gold, got) in &meta_misses {
            println!("{field:<6} {file}  {}  ≠  {}", clip(gold, 80), clip(got, 80));
        }
        println!();
        for r in worst.iter().take(60) {
            println!(
                "{}  tp {} fn {} fp {}{}",
                r.page.gold.file,
                r.counts.tp,
                r.counts.fn_,
                r.counts.fp,
                r.failure
                    .as_deref()
                    .map(|f| format!("  [{f}]"))
                    .unwrap_or_default()
            );
            for m in r.missed.iter().take(3) {
                println!("    missed: {}", clip(m, 100));
            }
            for l in r.leaked.iter().take(3) {
                println!("    leaked: {}", clip(l, 100));
            }
        }
    }

    let mut measured = BTreeMap::new();
    measured.insert("body_precision".to_owned(), total.precision());
    measured.insert("body_recall".to_owned(), total.recall());
    measured.insert("body_f1".to_owned(), total.f1());
    measured.insert("title".to_owned(), title.accuracy());
    measured.insert("author".to_owned(), author.accuracy());
    measured.insert("date".to_owned(), date.accuracy());
    measured.insert("pages_per_second".to_owned(), pages_per_second);
    measured.insert(
        "parse_ratio".to_owned(),
        pages_per_second / parse_pages_per_second.max(1e-9),
    );
    measured.insert(
        "rejected_pages".to_owned(),
        results.iter().filter(|r| r.failure.is_some()).count() as f64,
    );
    println!();
    for (name, value) in &measured {
        println!("{name} = {value:.4}");
    }
    println!();
    super::hold_floors(&measured, &floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(gold: &str, got: &str, expected: bool) {
        assert_eq!(lenient(gold, got), expected, "{gold:?} vs {got:?}");
    }

    #[test]
    fn lenient_matching() {
        check(
            "JSON parsing: simdjson vs. JSON",
            "json parsing simdjson vs json",
            true,
        );
        check(
            "Mit Musiker Voodoo Jürgens in Wien",
            "Mit Musiker  Voodoo Jürgens",
            true,
        );
        check("Heiko", "Heiko Adams", true);
        check("Genesenen\u{ad}\u{ad}nachweise", "Genesenennachweise", true);
        check("Welt\u{200b}ernährung", "Welternährung", true);
        check("Welt\u{ad}ernährung", "Welt ernährung", false);
        check("A title", "", false);
        check("A title", "Another", false);
        check("---", "!!!", false);
    }

    #[test]
    fn authors_and_dates() {
        let two = ["Benjamin Fischer".to_owned(), "Marcus Theurer".to_owned()];
        assert!(author_ok("Benjamin Fischer und Marcus Theurer", &two));
        assert!(author_ok("Benjamin Fischer, Marcus Theurer", &two));
        assert!(!author_ok("Anna Schmidt", &two));
        assert!(!author_ok("Anna Schmidt", &[]));
        assert!(date_ok("2019-08-02", Some("2019-08-02T13:00:00+02:00")));
        assert!(!date_ok("2019-08-02", Some("2019-08-03T00:00:00Z")));
        assert!(!date_ok("2019-08-02", None));
    }

    #[test]
    fn body_scoring() {
        let gold = Gold {
            file: "x.html".to_owned(),
            with: vec![
                "first  part".to_owned(),
                "absent".to_owned(),
                "Kern\u{ad}werk\u{ad}zeuge".to_owned(),
            ],
            without: vec!["Impressum".to_owned(), "nowhere".to_owned()],
            title: None,
            author: None,
            date: None,
        };
        let (counts, missed, leaked) =
            body_counts(&gold, &squash("the first\npart and Impressum, die Kernwerkzeuge"));
        assert_eq!(counts, Counts { tp: 2, fn_: 1, fp: 1 });
        assert_eq!((missed, leaked), (vec!["absent"], vec!["Impressum"]));
        assert!((counts.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(Counts::default().f1(), 0.0);
    }
}
