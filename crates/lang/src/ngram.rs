//! Naive-Bayes language identification with character n-gram language models.
//!
//! Each language's model gives `ln P(c | up to 4 letters before c)`, within words. A text's score for a
//! language is the sum over its letters of the longest-context probability the model has, minus
//! [`BACKOFF`] for each letter of context dropped, or [`FLOOR`] when not even the letter is known. The
//! language with the highest score wins; the gap to the runner-up, in nats, measures how sure it is.
//!
//! Speed: a text longer than two [`BLOCK`]s is scored block by block, in an order that spreads over
//! the whole text, and languages far behind the leader drop out of the race ([`DROP_GAP`]) unless they
//! clearly won a block; scoring stops when one language is left. Long texts use contexts of at most 2
//! letters and back off no further than bigrams. A monolingual paragraph is decided on a few hundred
//! letters; a page mixing languages is scored on all of it.
//!
//! Priors: the major news languages get a head start of [`MAJOR_PRIOR`] nats, and Hindi and Marathi
//! are also told apart by function words ([`FUNCTION_WORDS`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::model::{MAX_ORDER, Model, key};
use crate::script::{Script, is_mark, script_of};
use crate::words::FUNCTION_WORDS;

/// Penalty (nats) for each letter of context the model lacks.
pub(crate) const BACKOFF: f32 = -1.0;
/// Weight of the letters of a word that starts with a capital (a name, most likely, or a German
/// noun): names say little about the language of the text around them.
const CAPITALIZED: f32 = 0.5;
/// Score (nats) of a letter a language has never seen.
pub(crate) const FLOOR: f32 = -12.0;
/// Above this many letters (of the scored script) a text is long: trigram context at most, and the
/// race starts once this many letters are scored.
const LONG_TEXT: usize = 300;
/// Longest context order for long texts.
const LONG_ORDER: usize = 3;

/// The model with what scoring needs to know about its languages, worked out once.
struct Tagger {
    model: Model,
    /// Languages by script, as bits of model language indices.
    latin: u64,
    cyrillic: u64,
    arabic: u64,
    devanagari: u64,
    /// The [`MAJOR`] languages.
    major: u64,
    /// Function words: the model index of their language and the nats each one adds.
    words: HashMap<&'static str, (usize, f32)>,
}

impl Tagger {
    fn new(model: Model) -> Option<Tagger> {
        let mut tagger = Tagger {
            latin: 0,
            cyrillic: 0,
            arabic: 0,
            devanagari: 0,
            major: 0,
            words: HashMap::new(),
            model,
        };
        for (index, code) in tagger.model.languages().iter().enumerate() {
            let bit = 1u64.checked_shl(u32::try_from(index).ok()?)?;
            *match script_of_language(code) {
                Script::Cyrillic => &mut tagger.cyrillic,
                Script::Arabic => &mut tagger.arabic,
                Script::Devanagari => &mut tagger.devanagari,
                _ => &mut tagger.latin,
            } |= bit;
            if MAJOR.contains(code) {
                tagger.major |= bit;
            }
            for (language, weight, words) in FUNCTION_WORDS {
                if language == code {
                    tagger.words.extend(words.iter().map(|w| (*w, (index, *weight))));
                }
            }
        }
        Some(tagger)
    }

    fn candidates(&self, script: Script) -> u64 {
        match script {
            Script::Latin => self.latin,
            Script::Cyrillic => self.cyrillic,
            Script::Arabic => self.arabic,
            Script::Devanagari => self.devanagari,
            _ => 0,
        }
    }
}

static MODEL: LazyLock<Option<Tagger>> = LazyLock::new(|| Tagger::new(Model::builtin().ok()?));

/// Loads the model now and reads it into memory; whether it is usable.
pub(crate) fn preload() -> bool {
    MODEL
        .as_ref()
        .map(|tagger| std::hint::black_box(tagger.model.warm()))
        .is_some()
}

/// The script whose letters a model language is written in.
fn script_of_language(code: &str) -> Script {
    match code {
        "be" | "bg" | "kk" | "mk" | "mn" | "ru" | "sr" | "uk" => Script::Cyrillic,
        "ar" | "fa" | "ur" => Script::Arabic,
        "hi" | "mr" => Script::Devanagari,
        _ => Script::Latin,
    }
}

/// The outcome of scoring a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ranking {
    /// Best language first: (code, score in nats relative to the best, so the first is 0).
    pub(crate) ranked: Vec<(&'static str, f32)>,
    /// Letters of the blocks each language won clearly (long texts only), most first: how a page
    /// mixing languages divides between them. Empty for a text scored in one piece.
    pub(crate) won: Vec<(&'static str, usize)>,
    /// Share of the scored letters in words that do not start with a capital.
    pub(crate) plain: f64,
}

/// Texts longer than two blocks of this many bytes are scored block by block, spread over the text,
/// so that evidence comes from all of it and scoring can stop early.
const BLOCK: usize = 96;
/// A language this many nats behind the leader is out of the race (checked every [`PRUNE_EVERY`]
/// letters); once one language is left, scoring stops.
const DROP_GAP: f32 = 25.0;
/// Blocks of a long text, from different places, scored before any language leaves the race: a
/// language that holds a fair part of a page mixing languages is then seen in at least one of them.
const FIRST_BLOCKS: usize = 4;
/// After the first blocks of a long text, languages this far behind are out already.
const FIRST_DROP_GAP: f32 = 40.0;
/// A block won by this many nats over the runner-up keeps its winner in the race.
const WINNER_LEAD: f32 = 10.0;
/// Letters between two checks of the race.
const PRUNE_EVERY: usize = 32;
/// Letters of a short text scored before the first check. A long text is first scored on two blocks
/// from different places.
const PRUNE_FROM: usize = 96;

/// Running scores of the candidate languages.
struct Scorer<'m> {
    model: &'m Model,
    /// Candidates still in the race, as bits of model language indices.
    active: u64,
    /// Languages that won a block of a long text: they stay in the race, so that a page mixing
    /// languages is scored on all of it and gets the language with most text.
    winners: u64,
    scores: [f32; 64],
    letters: usize,
    /// Letters scored in words that start with a capital.
    capitalized: usize,
    /// No language is dropped before this many letters.
    prune_from: usize,
    max_order: usize,
    script: Script,
}

impl Scorer<'_> {
    /// Adds the letters of `text` (of the scored script; anything else separates words); `false` once
    /// a single candidate is left.
    fn feed(&mut self, text: &str) -> bool {
        let step = self.model.step();
        let max_order = self.max_order;
        // The UTF-8 bytes of the current word's last `max_order` letters, and where each starts.
        let mut window = [0u8; 4 * MAX_ORDER];
        let mut starts = [0usize; MAX_ORDER];
        let (mut len, mut end) = (0usize, 0usize);
        let mut weight = 1.0f32;
        for upper in text.chars() {
            let lower = if upper.is_ascii() {
                [upper.to_ascii_lowercase(), '\0', '\0']
            } else {
                let mut buf = ['\0'; 3];
                for (slot, c) in buf.iter_mut().zip(upper.to_lowercase()) {
                    *slot = c;
                }
                buf
            };
            for c in lower.into_iter().take_while(|&c| c != '\0') {
                if script_of(c) != Some(self.script) || is_mark(c) {
                    (len, end) = (0, 0);
                    continue;
                }
                if len == 0 {
                    // A word that starts with a capital is likely a name: it says less about the
                    // language of the text around it.
                    weight = if upper.is_uppercase() { CAPITALIZED } else { 1.0 };
                }
                if len == max_order {
                    let cut = starts[1];
                    window.copy_within(cut..end, 0);
                    end -= cut;
                    for i in 0..max_order - 1 {
                        starts[i] = starts[i + 1] - cut;
                    }
                    len -= 1;
                }
                starts[len] = end;
                end += c.encode_utf8(&mut window[end..]).len();
                len += 1;
                self.letters += 1;
                if weight < 1.0 {
                    self.capitalized += 1;
                }
                if self.letters.is_multiple_of(PRUNE_EVERY)
                    && self.letters >= self.prune_from
                    && self.prune(DROP_GAP)
                {
                    return false;
                }
                // Longest n-gram first; each language takes the longest one it knows. The keys are
                // hashed and their first slots read up front so that the memory loads overlap.
                let mut keys = [0u64; MAX_ORDER];
                for n in 1..=len {
                    keys[n - 1] = key(&window[starts[len - n]..end]);
                    self.model.touch(keys[n - 1]);
                }
                let mut seen = !self.active;
                let lowest = if self.max_order < MAX_ORDER { len.min(2) } else { 1 };
                for n in (lowest..=len).rev() {
                    let postings = self.model.get(keys[n - 1]);
                    let penalty = BACKOFF * (len - n) as f32 - FLOOR;
                    for pair in postings.chunks_exact(2) {
                        let bit = 1u64.checked_shl(u32::from(pair[0])).unwrap_or(0);
                        if seen & bit == 0 {
                            seen |= bit;
                            self.scores[usize::from(pair[0])] +=
                                weight * (penalty - f32::from(pair[1]) * step);
                        }
                    }
                    if seen == u64::MAX {
                        break;
                    }
                }
            }
        }
        true
    }

    /// Drops the candidates more than `gap` nats behind the leader; whether only one is left.
    fn prune(&mut self, gap: f32) -> bool {
        let best = self.best();
        for index in 0..64 {
            let keep = self.winners & (1 << index) != 0;
            if !keep && self.active & (1 << index) != 0 && self.scores[index] < best - gap {
                self.active &= !(1 << index);
            }
        }
        self.active.count_ones() <= 1
    }

    /// Protects the language that won the block scored since `before`, if it won clearly.
    fn mark_winner(&mut self, before: &[f32; 64]) -> Option<usize> {
        let (mut first, mut second) = ((0, f32::NEG_INFINITY), f32::NEG_INFINITY);
        for index in (0..64).filter(|&i| self.active & (1 << i) != 0) {
            let gain = self.scores[index] - before[index];
            if gain > first.1 {
                second = first.1;
                first = (index, gain);
            } else if gain > second {
                second = gain;
            }
        }
        if first.1 - second >= WINNER_LEAD {
            self.winners |= 1 << first.0;
            return Some(first.0);
        }
        None
    }

    fn best(&self) -> f32 {
        (0..64)
            .filter(|&i| self.active & (1 << i) != 0)
            .map(|i| self.scores[i])
            .fold(f32::NEG_INFINITY, f32::max)
    }
}

/// Languages with much news get this head start (nats) over their neighbours: a log prior, which only
/// matters when the text barely tells them apart (a short Russian sentence that could be Bulgarian).
const MAJOR_PRIOR: f32 = 1.0;
/// The major news languages among the model's.
const MAJOR: [&str; 13] = [
    "ar", "de", "en", "es", "fr", "hi", "it", "nl", "pt", "ru", "sv", "tr", "vi",
];

/// Adds the prior of the major languages and the evidence of function words found in the `scored`
/// pieces of a text ([`crate::words`]).
fn add_priors(tagger: &Tagger, scores: &mut [f32; 64], scored: &[&str], script: Script) {
    for (index, score) in scores.iter_mut().enumerate() {
        if tagger.major & (1 << index) != 0 {
            *score += MAJOR_PRIOR;
        }
    }
    let mut lower = String::new();
    for piece in scored {
        for word in piece.split(|c: char| script_of(c) != Some(script) && !is_mark(c)) {
            if word.is_empty() || word.len() > MAX_WORD_BYTES {
                continue;
            }
            let word = if word.chars().any(char::is_uppercase) {
                lower.clear();
                lower.extend(word.chars().flat_map(char::to_lowercase));
                lower.as_str()
            } else {
                word
            };
            if let Some(&(index, weight)) = tagger.words.get(word)
                && let Some(score) = scores.get_mut(index)
            {
                *score += weight;
            }
        }
    }
}

/// Longest function word, in bytes.
const MAX_WORD_BYTES: usize = 32;

/// Cuts `text` into pieces of about `BLOCK` bytes (at whitespace when there is some nearby) and orders
/// them so that every prefix of the order is spread over the text (golden-ratio sequence).
fn spread_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::with_capacity(text.len() / BLOCK + 1);
    let mut rest = text;
    while rest.len() > BLOCK {
        let mut cut = BLOCK;
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let space = rest[..cut].rfind(char::is_whitespace).filter(|&s| s > BLOCK / 2);
        let cut = space.unwrap_or(cut);
        blocks.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    blocks.push(rest);
    let phi = 0.618_034_f64;
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|&a, &b| ((a as f64 * phi) % 1.0).total_cmp(&((b as f64 * phi) % 1.0)));
    order.into_iter().map(|i| blocks[i]).collect()
}

/// Scores `text` against the model languages written in `script`, of which it has `letters` letters;
/// `None` when the model is missing or has no language of that script, or the text has no letter of
/// it.
pub(crate) fn rank(text: &str, script: Script, letters: usize) -> Option<Ranking> {
    let tagger = MODEL.as_ref()?;
    let model = &tagger.model;
    let languages = model.languages();
    let candidates = tagger.candidates(script);
    if candidates == 0 {
        return None;
    }
    let total = letters;
    let mut scorer = Scorer {
        model,
        active: candidates,
        winners: 0,
        scores: [0.0; 64],
        letters: 0,
        capitalized: 0,
        prune_from: PRUNE_FROM,
        max_order: if total > LONG_TEXT { LONG_ORDER } else { MAX_ORDER },
        script,
    };
    let mut scored = Vec::new();
    let mut won = [0usize; 64];
    if text.len() <= 2 * BLOCK {
        scorer.feed(text);
        scored.push(text);
    } else {
        // Two blocks from different places first; then the languages clearly out go, and once
        // `LONG_TEXT` letters are in, the race is on.
        scorer.prune_from = usize::MAX;
        for (index, block) in spread_blocks(text).into_iter().enumerate() {
            if index == FIRST_BLOCKS && scorer.prune(FIRST_DROP_GAP) {
                break;
            }
            if index >= FIRST_BLOCKS && scorer.letters >= LONG_TEXT {
                scorer.prune_from = 0;
                if scorer.prune(DROP_GAP) {
                    break;
                }
            }
            let (before, letters) = (scorer.scores, scorer.letters);
            let more = scorer.feed(block);
            scored.push(block);
            if let Some(winner) = scorer.mark_winner(&before) {
                won[winner] += scorer.letters - letters;
            }
            if !more {
                break;
            }
        }
    }
    if scorer.letters == 0 {
        return None;
    }
    add_priors(tagger, &mut scorer.scores, &scored, script);
    let mut ranked: Vec<(&'static str, f32)> = languages
        .iter()
        .enumerate()
        .filter(|(index, _)| candidates & (1 << index) != 0)
        .map(|(index, code)| (*code, scorer.scores[index]))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let best = ranked.first().map_or(0.0, |r| r.1);
    for r in &mut ranked {
        r.1 -= best;
    }
    let mut won: Vec<(&'static str, usize)> = languages
        .iter()
        .zip(won)
        .filter(|(_, letters)| *letters > 0)
        .map(|(code, letters)| (*code, letters))
        .collect();
    won.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let plain = 1.0 - scorer.capitalized as f64 / scorer.letters as f64;
    Some(Ranking { ranked, won, plain })
}
