//! `newsflow-eval lang`: accuracy of the language tagger per language on single sentences and on
//! paragraphs of 10 consecutive sentences, accuracy per confidence bucket, throughput, peak memory and
//! start-up time.
//!
//! The corpus folder holds `sentences/<iso639-1>.txt`, one sentence a line. Every text is tagged with
//! the production defaults ([`lang::LangConfig::default`]) and no page hints, so a `und` answer counts
//! as wrong. Averages are taken over the languages the tagger claims ([`lang::SUPPORTED_LANGUAGES`]);
//! the others are printed for information.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

/// The 16 languages with the most news, held to the highest bar.
const BIG16: [&str; 16] = [
    "ar", "de", "en", "es", "fr", "hi", "it", "ja", "ko", "nl", "pt", "ru", "sv", "tr", "vi", "zh",
];

/// Sentences grouped into one paragraph.
const PARAGRAPH: usize = 10;

/// Confidence buckets: lower bounds, the last one closed at 1.
const BUCKETS: [(f64, f64, &str); 4] = [
    (0.0, 0.5, "0.0-0.5"),
    (0.5, 0.7, "0.5-0.7"),
    (0.7, 0.9, "0.7-0.9"),
    (0.9, f64::INFINITY, "0.9-1.0"),
];

/// Outcome counts of one language on one kind of text.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    texts: usize,
    correct: usize,
    und: usize,
}

impl Tally {
    fn accuracy(&self) -> f64 {
        ratio(self.correct, self.texts)
    }
}

/// Correct and total answers (other than `und`) in one confidence bucket.
#[derive(Debug, Default, Clone, Copy)]
struct Bucket {
    answers: usize,
    correct: usize,
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Peak and current resident set sizes of this process in MiB, from `/proc/self/status`.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn read_corpus(corpus: &Path) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let dir = corpus.join("sentences");
    let mut languages = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let Some(code) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let sentences: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        languages.insert(code.to_owned(), sentences);
    }
    anyhow::ensure!(
        !languages.is_empty(),
        "no sentences/<code>.txt in {}",
        corpus.display()
    );
    Ok(languages)
}

/// Tags `texts` of language `code`, adding the outcome to `tally` and the confidence buckets, and
/// returns the time spent tagging: wall-clock and CPU seconds.
fn tag_all(
    code: &str,
    texts: &[String],
    tally: &mut Tally,
    buckets: &mut [Bucket; 4],
    confusions: &mut BTreeMap<String, usize>,
) -> (f64, Option<f64>) {
    let config = lang::LangConfig::default();
    let hints = lang::Hints::default();
    let (detections, wall, cpu) = super::timed(|| {
        texts
            .iter()
            .map(|t| lang::detect(t, &hints, &config))
            .collect::<Vec<_>>()
    });
    for detection in detections {
        tally.texts += 1;
        let correct = detection.code == code;
        tally.correct += usize::from(correct);
        if detection.code == lang::UND {
            tally.und += 1;
            continue;
        }
        if !correct {
            *confusions.entry(detection.code.clone()).or_default() += 1;
        }
        if let Some(bucket) = BUCKETS
            .iter()
            .position(|(lo, hi, _)| detection.confidence >= *lo && detection.confidence < *hi)
        {
            buckets[bucket].answers += 1;
            buckets[bucket].correct += usize::from(correct);
        }
    }
    (wall, cpu)
}

/// Time spent on a kind of text.
#[derive(Debug, Default)]
struct Clock {
    bytes: usize,
    wall: f64,
    /// `None` once any measurement lacked CPU time.
    cpu: Option<f64>,
}

impl Clock {
    fn add(&mut self, bytes: usize, (wall, cpu): (f64, Option<f64>)) {
        let first = self.bytes == 0;
        self.bytes += bytes;
        self.wall += wall;
        self.cpu = match (first, self.cpu, cpu) {
            (true, _, cpu) => cpu,
            (false, Some(total), Some(cpu)) => Some(total + cpu),
            _ => None,
        };
    }

    /// MB/s per CPU second when known, else per wall-clock second.
    fn mb_per_s(&self) -> f64 {
        let seconds = self.cpu.unwrap_or(self.wall);
        if seconds > 0.0 {
            self.bytes as f64 / 1e6 / seconds
        } else {
            0.0
        }
    }

    fn mb_per_s_wall(&self) -> f64 {
        if self.wall > 0.0 {
            self.bytes as f64 / 1e6 / self.wall
        } else {
            0.0
        }
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

fn min(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(f64::INFINITY, f64::min)
}

pub fn run(corpus: &Path, floors: Option<&Path>) -> anyhow::Result<()> {
    let floors = super::floors(floors)?;
    let languages = read_corpus(corpus)?;
    let supported = |code: &str| lang::SUPPORTED_LANGUAGES.contains(&code);

    let (_, rss_before) = memory_mib();
    let start = Instant::now();
    anyhow::ensure!(lang::preload(), "the language model does not load");
    let startup_ms = start.elapsed().as_secs_f64() * 1000.0;

    let mut sentence_tallies = BTreeMap::new();
    let mut paragraph_tallies = BTreeMap::new();
    let mut buckets = [Bucket::default(); 4];
    let mut paragraph_buckets = [Bucket::default(); 4];
    let (mut sentence_clock, mut paragraph_clock) = (Clock::default(), Clock::default());
    let mut confusions: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (code, sentences) in &languages {
        let (mut sentence_tally, mut paragraph_tally) = (Tally::default(), Tally::default());
        let wrong = confusions.entry(code.clone()).or_default();
        // Sentences of unsupported languages are timed but do not count in the buckets.
        let mut scratch = [Bucket::default(); 4];
        let sink = if supported(code) {
            &mut buckets
        } else {
            &mut scratch
        };
        let time = tag_all(code, sentences, &mut sentence_tally, sink, wrong);
        sentence_clock.add(sentences.iter().map(String::len).sum(), time);

        let paragraphs: Vec<String> = sentences
            .chunks_exact(PARAGRAPH)
            .map(|group| group.join(" "))
            .collect();
        let mut scratch = [Bucket::default(); 4];
        let sink = if supported(code) {
            &mut paragraph_buckets
        } else {
            &mut scratch
        };
        let time = tag_all(code, &paragraphs, &mut paragraph_tally, sink, wrong);
        paragraph_clock.add(paragraphs.iter().map(String::len).sum(), time);

        sentence_tallies.insert(code.clone(), sentence_tally);
        paragraph_tallies.insert(code.clone(), paragraph_tally);
    }
    let (rss_peak, _) = memory_mib();

    println!("language tagging on {}", corpus.display());
    println!("lang  claimed  sentences  accuracy  und    paragraphs  accuracy  most frequent wrong answers");
    for (code, tally) in &sentence_tallies {
        let paragraphs = paragraph_tallies.get(code).copied().unwrap_or_default();
        let mut wrong: Vec<(&String, &usize)> = confusions.get(code).into_iter().flatten().collect();
        wrong.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let wrong: Vec<String> = wrong.iter().take(4).map(|(c, n)| format!("{c}:{n}")).collect();
        println!(
            "{code:<5} {:<8} {:>9}  {:>7.1}%  {:>4.1}%  {:>10}  {:>7.1}%  {}",
            if supported(code) { "yes" } else { "no" },
            tally.texts,
            100.0 * tally.accuracy(),
            100.0 * ratio(tally.und, tally.texts),
            paragraphs.texts,
            100.0 * paragraphs.accuracy(),
            wrong.join(" ")
        );
    }
    let missing: Vec<&str> = lang::SUPPORTED_LANGUAGES
        .iter()
        .copied()
        .filter(|c| !languages.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        println!("claimed but not in the corpus: {}", missing.join(" "));
    }

    let claimed = |tallies: &BTreeMap<String, Tally>| -> Vec<Tally> {
        tallies
            .iter()
            .filter(|(code, _)| supported(code))
            .map(|(_, t)| *t)
            .collect()
    };
    let sentence_claimed = claimed(&sentence_tallies);
    let paragraph_claimed = claimed(&paragraph_tallies);
    let big16 = |tallies: &BTreeMap<String, Tally>| {
        mean(
            BIG16
                .iter()
                .map(|code| tallies.get(*code).map_or(0.0, Tally::accuracy)),
        )
    };
    let und_rate = ratio(
        sentence_claimed.iter().map(|t| t.und).sum(),
        sentence_claimed.iter().map(|t| t.texts).sum(),
    );

    let mut measured = BTreeMap::new();
    measured.insert(
        "supported_languages".to_owned(),
        lang::SUPPORTED_LANGUAGES.len() as f64,
    );
    measured.insert(
        "sentences_mean_supported".to_owned(),
        mean(sentence_claimed.iter().map(Tally::accuracy)),
    );
    measured.insert(
        "sentences_min_supported".to_owned(),
        min(sentence_claimed.iter().map(Tally::accuracy)),
    );
    measured.insert("sentences_big16".to_owned(), big16(&sentence_tallies));
    measured.insert(
        "sentences_mean_all".to_owned(),
        mean(sentence_tallies.values().map(Tally::accuracy)),
    );
    measured.insert(
        "paragraphs_mean_supported".to_owned(),
        mean(paragraph_claimed.iter().map(Tally::accuracy)),
    );
    measured.insert(
        "paragraphs_min_supported".to_owned(),
        min(paragraph_claimed.iter().map(Tally::accuracy)),
    );
    measured.insert("paragraphs_big16".to_owned(), big16(&paragraph_tallies));
    measured.insert("sentences_und_rate_supported".to_owned(), und_rate);
    for (name, buckets) in [("sentences", &buckets), ("paragraphs", &paragraph_buckets)] {
        let answers: usize = buckets.iter().map(|b| b.answers).sum();
        for ((_, _, label), bucket) in BUCKETS.iter().zip(buckets.iter()) {
            println!(
                "{name} confidence {label}: {:>6} answers ({:>5.1}%), accuracy {:>5.1}%",
                bucket.answers,
                100.0 * ratio(bucket.answers, answers),
                100.0 * ratio(bucket.correct, bucket.answers)
            );
            if bucket.answers > 0 {
                measured.insert(
                    format!("{name}_confidence_{label}_accuracy"),
                    ratio(bucket.correct, bucket.answers),
                );
            }
        }
    }
    // Single thread; per CPU second where the kernel reports thread CPU time (a shared machine's load
    // then does not lower it), with the wall-clock figure beside it.
    measured.insert("mb_per_s".to_owned(), sentence_clock.mb_per_s());
    measured.insert("mb_per_s_wall".to_owned(), sentence_clock.mb_per_s_wall());
    measured.insert("mb_per_s_paragraphs".to_owned(), paragraph_clock.mb_per_s());
    measured.insert(
        "mb_per_s_paragraphs_wall".to_owned(),
        paragraph_clock.mb_per_s_wall(),
    );
    let rss_added = (rss_peak - rss_before).max(0.0);
    measured.insert("rss_peak_mb".to_owned(), rss_peak);
    measured.insert("rss_added_mb".to_owned(), rss_added);
    // Ceilings expressed as floors: the room left under 50 MiB of added memory and 100 ms of start-up.
    measured.insert("rss_headroom_mb".to_owned(), 50.0 - rss_added);
    measured.insert("startup_ms".to_owned(), startup_ms);
    measured.insert("startup_headroom_ms".to_owned(), 100.0 - startup_ms);

    println!();
    for (name, value) in &measured {
        println!("{name} = {value:.4}");
    }
    println!();
    super::hold_floors(&measured, &floors)
}
