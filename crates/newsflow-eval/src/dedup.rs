//! `newsflow-eval dedup`: recall of the near-duplicate detector per kind of copy, its false-positive rate,
//! and fingerprint + decide throughput, on a labelled set built from real article bodies.
//!
//! The corpus folder holds `evaldata.json` (URL → `{"file": ...}`) and `html/`; every page is run through
//! `extract::extract` and the bodies of at least [`MIN_WORDS`] words become the stories. For each story:
//!
//! - positives: copies made the way syndication and re-crawls make them — wrapped in another site's
//!   boilerplate (header, byline and date line, share/related/copyright footer), a new headline and byline,
//!   about 3 % of the words edited (substituted, deleted, inserted), an update paragraph appended, truncated
//!   to 70 % (a teaser), and combinations. A positive is found when the copy, decided after its story in a
//!   fresh store, is a `duplicate` or `near_duplicate` of it; the other order (copy first) is reported too;
//! - negatives: every pair of distinct stories as they are, and every pair again with both wrapped in the
//!   same site's boilerplate with the same byline and date line (same-site, same-day pairs: the hard
//!   ones). A negative is a false positive when the later one is judged a copy of the earlier. Pairs that
//!   share no LSH band and no content hash cannot be matched by construction and are counted without
//!   running the decision; every other pair runs the real decision in a fresh store. Pairs whose bodies
//!   really overlap (exact Jaccard of word 3-shingles ≥ 0.3: the corpus holds a few pages of one site with
//!   the same text) are not negatives and are reported apart;
//! - negatives behind one wall: for each story, pages of one site showing the same stand-in body in
//!   place of the article under the story's own title and URL (a paywall notice, a consent wall, a
//!   registration wall, a request to enable JavaScript, a blogging platform's editor prompt, and a
//!   short "watch the video above" line that is no wall at all). Each page is run through
//!   `extract::extract` and fingerprinted as the pipeline does (text, title, and matched by URL only
//!   when its access is not `open`); every pair of two stories' pages of the same kind is a negative
//!   (pairs under the same title left out). They count in the false-positive rate; the same pairs
//!   matched on their visible text alone, without the access and title rules, are reported beside;
//! - a stream: every story and every copy in one store, shuffled; each story must get exactly one
//!   `unique`, every copy linked to it. Its documents per second (fingerprint + decide, one thread,
//!   memory store) are the throughput figure.
//!
//! Pages whose body is not open (a paywalled lead, a wall) are not stories: they are matched by URL
//! only, so copies of them are not found by design; their number is reported.
//!
//! All with the production defaults ([`dedup::DedupConfig::default`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

mod variants;
mod walls;

use anyhow::Context as _;
use dedup::{DedupConfig, Deduplicator, Fingerprint, MemoryStore, Status};
use variants::{Paras, Rng, SITES, VARIANTS, join, paras, variant, wrap};
use walls::{WALL_STORIES, WallSet, wall_negatives, wall_pairs, wall_set};

/// Stories need at least this many words (twice the near-duplicate minimum, so that a 70 % teaser is
/// still long enough to be matched as a near-duplicate at all).
const MIN_WORDS: usize = 100;

/// A pair of bodies whose exact shingle Jaccard reaches this really overlaps: not a negative.
const REAL_OVERLAP: f64 = 0.3;

const T0: i64 = 1_764_316_800;

/// One document to decide on.
struct Doc {
    url: String,
    id: String,
    fp: Fingerprint,
}

impl Doc {
    fn new(url: String, text: &str, config: &DedupConfig) -> Doc {
        Doc::with_fingerprint(url, dedup::fingerprint(text, config))
    }

    fn with_fingerprint(url: String, fp: Fingerprint) -> Doc {
        let url = dedup::normalize_url(&url).unwrap_or(url);
        Doc {
            id: dedup::article_id(&url),
            fp,
            url,
        }
    }
}

/// Whether `b`, decided after `a` in a fresh store, is judged a copy of it.
fn judged_copy(config: &DedupConfig, a: &Doc, b: &Doc) -> bool {
    let store = MemoryStore::with_limits(config.window_secs(), 16);
    let Ok(mut dedup) = Deduplicator::new(config.clone(), store) else {
        return false;
    };
    dedup.decide("a", &a.id, &a.url, &a.fp, T0);
    let decision = dedup.decide("b", &b.id, &b.url, &b.fp, T0);
    matches!(decision.status, Status::Duplicate | Status::NearDuplicate)
        && decision.duplicate_of.as_ref() == Some(&a.id)
}

fn shingle_set(text: &str) -> HashSet<String> {
    let w: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    w.windows(3).map(|s| s.join(" ")).collect()
}

fn exact_jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// False positives among all pairs of `docs` (pairs that really overlap left out).
fn negatives(config: &DedupConfig, docs: &[Doc], overlapping: &HashSet<(usize, usize)>) -> Negatives {
    // Candidate pairs: sharing a band or the content hash. Others cannot be matched.
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_hash: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, doc) in docs.iter().enumerate() {
        for key in doc.fp.band_keys(config.bands) {
            buckets.entry(key).or_default().push(i);
        }
        by_hash.entry(doc.fp.content_hash.as_str()).or_default().push(i);
    }
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for members in buckets.values().chain(by_hash.values()) {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                candidates.insert((i.min(j), i.max(j)));
            }
        }
    }
    let n = docs.len() as u64;
    let mut judged = n * (n - 1) / 2 - overlapping.len() as u64;
    let mut false_positives = 0;
    for &(i, j) in &candidates {
        if overlapping.contains(&(i, j)) {
            continue;
        }
        false_positives += u64::from(judged_copy(config, &docs[i], &docs[j]));
    }
    judged = judged.max(1);
    Negatives {
        pairs: judged,
        false_positives,
        candidates: candidates.len() as u64,
    }
}

/// What the negatives gave.
#[derive(Default)]
struct Negatives {
    pairs: u64,
    false_positives: u64,
    /// Pairs that shared a band or the content hash (and so ran the decision).
    candidates: u64,
}

/// Why copies were missed (`NEWSFLOW_EVAL_DEBUG=1`): no shared LSH band, or the estimates below the
/// thresholds; with the copy's and the story's word counts.
fn miss_report(config: &DedupConfig, name: &str, copies: &[&(usize, &str, Doc)], originals: &[Doc]) {
    for (i, _, doc) in copies {
        let story = &originals[*i];
        if judged_copy(config, story, doc) {
            continue;
        }
        let bands_a = story.fp.band_keys(config.bands);
        let shared = doc
            .fp
            .band_keys(config.bands)
            .iter()
            .zip(&bands_a)
            .filter(|(x, y)| x == y)
            .count();
        let equal = story
            .fp
            .minhash
            .iter()
            .zip(&doc.fp.minhash)
            .filter(|(x, y)| x == y)
            .count();
        let j = equal as f64 / story.fp.minhash.len() as f64;
        let (sa, sb) = (story.fp.shingle_count as f64, doc.fp.shingle_count as f64);
        let c = (j * (sa + sb) / (1.0 + j) / sa.min(sb)).min(1.0);
        println!(
            "  miss {name}: story {i} words {} -> {}, shared bands {shared}, J {j:.3}, C {c:.3}",
            story.fp.word_count, doc.fp.word_count
        );
    }
}

/// The labelled set, as texts: stories, their copies, and the stories wrapped in one site's boilerplate.
struct LabelledSet {
    stories: Vec<String>,
    /// The stories' titles, as extracted.
    titles: Vec<Option<String>>,
    /// Whether each story's page is open; the others are matched by URL only, as in the pipeline, and
    /// copies of them are not found.
    open: Vec<bool>,
    /// (story, variant, text).
    copies: Vec<(usize, &'static str, String)>,
    same_site: Vec<String>,
    /// Story pairs whose bodies really overlap: not negatives.
    overlapping: HashSet<(usize, usize)>,
}

fn labelled_set(read: Vec<(String, Option<String>, bool)>) -> LabelledSet {
    let mut stories = Vec::with_capacity(read.len());
    let mut titles = Vec::with_capacity(read.len());
    let mut open = Vec::with_capacity(read.len());
    for (text, title, is_open) in read {
        stories.push(text);
        titles.push(title);
        open.push(is_open);
    }
    let n = stories.len();
    let paras_of: Vec<Paras> = stories.iter().map(|text| paras(text)).collect();
    let mut rng = Rng::new(42);
    let mut copies = Vec::new();
    for (i, body) in paras_of.iter().enumerate() {
        let other = &paras_of[(i + 1 + rng.below(n - 1)) % n];
        for (v, name) in VARIANTS.iter().enumerate() {
            let site = &SITES[(i + v) % SITES.len()];
            copies.push((i, *name, join(&variant(name, body, other, site, &mut rng))));
        }
    }
    let site = &SITES[0];
    let same_site = paras_of
        .iter()
        .map(|body| {
            join(&wrap(
                body,
                site,
                "Anna Schmidt",
                "Published 28 November 2025, 08:00",
            ))
        })
        .collect();
    let shingles: Vec<HashSet<String>> = stories.iter().map(|text| shingle_set(text)).collect();
    let mut overlapping = HashSet::new();
    for i in 0..n {
        for j in i + 1..n {
            if exact_jaccard(&shingles[i], &shingles[j]) >= REAL_OVERLAP {
                overlapping.insert((i, j));
            }
        }
    }
    LabelledSet {
        stories,
        titles,
        open,
        copies,
        same_site,
        overlapping,
    }
}

/// Recall per variant (copy after its story, copy first), and the negatives, for one configuration.
struct Scores {
    recall: BTreeMap<&'static str, (f64, f64)>,
    overall: (f64, f64),
    plain: Negatives,
    site: Negatives,
    /// Distinct articles behind one wall (not computed in the sweep: the thresholds do not reach them).
    walls: Negatives,
}

impl Scores {
    fn fpr(&self) -> f64 {
        (self.plain.false_positives + self.site.false_positives + self.walls.false_positives) as f64
            / (self.plain.pairs + self.site.pairs + self.walls.pairs) as f64
    }
    fn worst(&self) -> f64 {
        self.recall.values().map(|r| r.0.min(r.1)).fold(1.0, f64::min)
    }
}

fn score(config: &DedupConfig, set: &LabelledSet, walls: Option<&WallSet>, debug: bool) -> Scores {
    let originals: Vec<Doc> = set
        .stories
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let fp = dedup::fingerprint(t, config).url_only(!set.open[i]);
            Doc::with_fingerprint(format!("https://origin.example/{i}"), fp)
        })
        .collect();
    let copies: Vec<(usize, &'static str, Doc)> = set
        .copies
        .iter()
        .enumerate()
        .map(|(k, (i, name, text))| {
            (
                *i,
                *name,
                Doc::new(format!("https://copy{k}.example/{i}"), text, config),
            )
        })
        .collect();
    let mut recall = BTreeMap::new();
    let (mut found, mut found_rev) = (0usize, 0usize);
    for name in VARIANTS {
        let mine: Vec<&(usize, &str, Doc)> = copies.iter().filter(|c| c.1 == *name).collect();
        let f = mine
            .iter()
            .filter(|(i, _, doc)| judged_copy(config, &originals[*i], doc))
            .count();
        let r = mine
            .iter()
            .filter(|(i, _, doc)| judged_copy(config, doc, &originals[*i]))
            .count();
        if debug {
            miss_report(config, name, &mine, &originals);
        }
        recall.insert(
            *name,
            (f as f64 / mine.len() as f64, r as f64 / mine.len() as f64),
        );
        found += f;
        found_rev += r;
    }
    let total = copies.len() as f64;
    let same_site: Vec<Doc> = set
        .same_site
        .iter()
        .enumerate()
        .map(|(i, t)| Doc::new(format!("https://same-site.example/{i}"), t, config))
        .collect();
    Scores {
        recall,
        overall: (found as f64 / total, found_rev as f64 / total),
        plain: negatives(config, &originals, &set.overlapping),
        site: negatives(config, &same_site, &set.overlapping),
        walls: walls.map_or_else(Negatives::default, |w| wall_negatives(config, w)),
    }
}

/// The stories: body, title, and whether the page is open (its body the article's text).
fn read_stories(corpus: &Path) -> anyhow::Result<Vec<(String, Option<String>, bool)>> {
    let index_path = corpus.join("evaldata.json");
    let index: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(&index_path)
            .with_context(|| format!("cannot read {}", index_path.display()))?,
    )
    .with_context(|| format!("invalid JSON in {}", index_path.display()))?;
    let started = Instant::now();
    let extract_config = extract::ExtractConfig::default();
    let (mut pages, mut short) = (0, 0);
    let mut stories = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (url, entry) in &index {
        let Some(file) = entry.get("file").and_then(|f| f.as_str()) else {
            continue;
        };
        let Ok(html) = std::fs::read(corpus.join("html").join(file)) else {
            continue;
        };
        pages += 1;
        let input = extract::Input {
            html: extract::Html::Bytes(&html),
            url,
            content_type: None,
        };
        let Ok(doc) = extract::extract(&input, &extract_config) else {
            continue;
        };
        if doc.text.split_whitespace().count() < MIN_WORDS {
            short += 1;
        } else if seen.insert(dedup::content_hash(&doc.text)) {
            stories.push((doc.text, doc.meta.title, doc.access.is_open()));
        }
    }
    anyhow::ensure!(
        stories.len() >= 20,
        "only {} usable article bodies in {}",
        stories.len(),
        corpus.display()
    );
    println!(
        "corpus: {pages} pages, {} stories of at least {MIN_WORDS} words (distinct bodies; {} of them not open, \
         matched by URL only), {short} shorter skipped; extracted in {:.1} s",
        stories.len(),
        stories.iter().filter(|s| !s.2).count(),
        started.elapsed().as_secs_f64()
    );
    Ok(stories)
}

/// `NEWSFLOW_EVAL_SWEEP=1`: the same scores for other parameter choices, one line each.
fn sweep(set: &LabelledSet) {
    println!(
        "\nsweep: permutations/bands x rows, thresholds -> worst variant recall, overall recall, FP, candidate pairs"
    );
    let base = DedupConfig::default();
    for (permutations, bands) in [(128, 32), (126, 42), (128, 64)] {
        for (jaccard, containment) in [(0.5, 0.8), (0.45, 0.7), (0.4, 0.65), (0.4, 0.6), (0.35, 0.55)] {
            let config = DedupConfig {
                permutations,
                bands,
                jaccard_threshold: jaccard,
                containment_threshold: containment,
                ..base.clone()
            };
            let s = score(&config, set, None, false);
            println!(
                "  {permutations:>3} = {bands:>2} x {}  J >= {jaccard:<4} C >= {containment:<4}  worst {:.4}  overall {:.4}  \
                 FP {} (plain {}, same site {})  candidates {}",
                permutations / bands,
                s.worst(),
                s.overall.0.min(s.overall.1),
                s.plain.false_positives + s.site.false_positives,
                s.plain.false_positives,
                s.site.false_positives,
                s.plain.candidates + s.site.candidates,
            );
        }
    }
}

pub fn run(corpus: &Path, floors: Option<&Path>) -> anyhow::Result<()> {
    let config = DedupConfig::default();
    let floors = super::floors(floors)?;
    let set = labelled_set(read_stories(corpus)?);
    let walls = wall_set(&set.titles, &config);
    let n = set.stories.len();
    println!(
        "defaults: {} permutations in {} bands of {} rows, word {}-shingles, Jaccard >= {}, containment >= {}, \
         near-duplicates from {} words",
        config.permutations,
        config.bands,
        config.permutations / config.bands,
        config.shingle_size,
        config.jaccard_threshold,
        config.containment_threshold,
        config.min_words_near
    );

    let started = Instant::now();
    let scores = score(
        &config,
        &set,
        Some(&walls),
        std::env::var_os("NEWSFLOW_EVAL_DEBUG").is_some(),
    );
    let mut measured: BTreeMap<String, f64> = BTreeMap::new();
    println!("\npositives: a copy decided after its story (and before it), fresh store per pair");
    println!(
        "{:<28} {:>7} {:>10} {:>12}",
        "variant", "pairs", "recall", "copy first"
    );
    for (name, (recall, recall_rev)) in &scores.recall {
        println!("{name:<28} {n:>7} {recall:>10.4} {recall_rev:>12.4}");
        measured.insert(format!("recall.{name}"), *recall);
        measured.insert(format!("recall_copy_first.{name}"), *recall_rev);
    }
    let (overall, overall_rev) = scores.overall;
    println!(
        "{:<28} {:>7} {overall:>10.4} {overall_rev:>12.4}",
        "overall",
        set.copies.len()
    );
    measured.insert("recall.overall".to_owned(), overall);
    measured.insert("recall_copy_first.overall".to_owned(), overall_rev);

    let (plain, site, walled) = (&scores.plain, &scores.site, &scores.walls);
    println!(
        "\nnegatives: every pair of distinct stories ({} pairs with real overlap left out)",
        set.overlapping.len()
    );
    println!(
        "{:<28} {:>9} {:>11} {:>7} {:>10}",
        "set", "pairs", "candidates", "judged", "FPR"
    );
    for (name, neg) in [
        ("as extracted", plain),
        ("same site, same day", site),
        ("behind one wall", walled),
    ] {
        println!(
            "{name:<28} {:>9} {:>11} {:>7} {:>10.2e}",
            neg.pairs,
            neg.candidates,
            neg.false_positives,
            neg.false_positives as f64 / neg.pairs as f64
        );
    }
    println!(
        "{:<28} {:>9} {:>11} {:>7} {:>10.2e}   (positives and negatives in {:.1} s)",
        "overall",
        plain.pairs + site.pairs + walled.pairs,
        plain.candidates + site.candidates + walled.candidates,
        plain.false_positives + site.false_positives + walled.false_positives,
        scores.fpr(),
        started.elapsed().as_secs_f64()
    );
    measured.insert("specificity".to_owned(), 1.0 - scores.fpr());
    let walled_fpr = walled.false_positives as f64 / walled.pairs as f64;
    measured.insert("specificity.behind_one_wall".to_owned(), 1.0 - walled_fpr);
    println!(
        "\nbehind one wall: {} kinds, the pages of {WALL_STORIES} stories each; pairs judged copies, and on the \
         visible text alone (access and titles ignored, the rule before)",
        walls.kinds.len()
    );
    println!(
        "{:<32} {:>9} {:>9} {:>7} {:>9} {:>7} {:>8}",
        "kind", "paywalled", "teaser", "open", "rejected", "judged", "visible"
    );
    for kind in &walls.kinds {
        let [open, paywalled, teaser, rejected] = kind.access;
        let judged = wall_pairs(&config, &kind.pages, false);
        let visible = wall_pairs(&config, &kind.pages, true);
        println!(
            "{:<32} {paywalled:>9} {teaser:>9} {open:>7} {rejected:>9} {:>7} {:>8}   of {} pairs",
            kind.name, judged.false_positives, visible.false_positives, judged.pairs
        );
    }

    // The stream: every story and copy in one store, shuffled.
    let mut rng = Rng::new(7);
    // (story, text, matched by URL only)
    let mut order: Vec<(usize, &str, bool)> = set
        .stories
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.as_str(), !set.open[i]))
        .collect();
    order.extend(set.copies.iter().map(|(i, _, t)| (*i, t.as_str(), false)));
    for k in (1..order.len()).rev() {
        order.swap(k, rng.below(k + 1));
    }
    let urls: Vec<String> = (0..order.len())
        .map(|k| dedup::normalize_url(&format!("https://stream{}.example/{k}", k % 50)).unwrap_or_default())
        .collect();
    let ids: Vec<String> = urls.iter().map(|u| dedup::article_id(u)).collect();
    let mut dedup = Deduplicator::new(config.clone(), MemoryStore::new(&config))?;
    let owners: Vec<String> = (0..order.len())
        .map(|k| format!("news.raw-html/{}/{k}", k % 12))
        .collect();
    let started = Instant::now();
    let cpu_started = super::thread_cpu_seconds();
    let mut decisions = Vec::with_capacity(order.len());
    let mut fingerprinting = std::time::Duration::ZERO;
    for (k, (_, text, url_only)) in order.iter().enumerate() {
        let fp_started = Instant::now();
        let fp = dedup.fingerprint(text).url_only(*url_only);
        fingerprinting += fp_started.elapsed();
        decisions.push(dedup.decide(&owners[k], &ids[k], &urls[k], &fp, T0));
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = match (cpu_started, super::thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => seconds,
    };
    let story_of_id: HashMap<&str, usize> = ids
        .iter()
        .zip(&order)
        .map(|(id, (story, _, _))| (id.as_str(), *story))
        .collect();
    let mut uniques = vec![0usize; n];
    let (mut linked_right, mut linked_wrong) = (0usize, 0usize);
    for ((story, _, _), decision) in order.iter().zip(&decisions) {
        match decision.status {
            Status::Unique => uniques[*story] += 1,
            _ => match decision
                .duplicate_of
                .as_deref()
                .and_then(|id| story_of_id.get(id))
            {
                Some(s) if s == story => linked_right += 1,
                _ => linked_wrong += 1,
            },
        }
    }
    let missed: usize = uniques.iter().map(|c| c.saturating_sub(1)).sum();
    // Copies linked to another story whose body really overlaps theirs are not errors.
    let overlapping_links = order
        .iter()
        .zip(&decisions)
        .filter_map(|((story, _, _), d)| {
            let other = *story_of_id.get(d.duplicate_of.as_deref()?)?;
            (other != *story && set.overlapping.contains(&(other.min(*story), other.max(*story))))
                .then_some(())
        })
        .count();
    let one_unique = uniques.iter().filter(|&&c| c == 1).count();
    println!(
        "\nstream: {} documents ({n} stories, {} copies) shuffled into one memory store: {one_unique} of {n} stories \
         with exactly one unique; {linked_right} copies linked to their story, {linked_wrong} elsewhere ({} of \
         them to a story whose body really overlaps), {missed} missed (unique again)",
        order.len(),
        set.copies.len(),
        overlapping_links
    );
    let words: usize = order.iter().map(|(_, t, _)| t.split_whitespace().count()).sum();
    println!(
        "throughput: fingerprint + decide {:.0} docs per CPU second ({:.0} docs/s wall), mean {} words (one \
         thread, memory store)",
        order.len() as f64 / cpu_seconds,
        order.len() as f64 / seconds,
        words / order.len()
    );
    println!(
        "            of which fingerprinting {:.0} % ({:.0} docs/s wall), deciding {:.0} %",
        100.0 * fingerprinting.as_secs_f64() / seconds,
        order.len() as f64 / fingerprinting.as_secs_f64(),
        100.0 * (1.0 - fingerprinting.as_secs_f64() / seconds)
    );
    measured.insert(
        "stream.stories_with_one_unique".to_owned(),
        one_unique as f64 / n as f64,
    );
    measured.insert(
        "stream.copies_linked".to_owned(),
        linked_right as f64 / set.copies.len() as f64,
    );

    if std::env::var_os("NEWSFLOW_EVAL_SWEEP").is_some() {
        sweep(&set);
    }
    if !floors.is_empty() {
        println!();
        super::hold_floors(&measured, &floors)?;
    }
    Ok(())
}
