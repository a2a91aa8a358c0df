//! Naive-Bayes language identification with character n-gram language models.
//!
//! Each language's model gives `ln P(c | up to 4 letters before c)`, within words. A text's score for a
//! language is the sum over its letters of the longest-context probability the model has, minus
//! [`BACKOFF`] for each letter of context dropped, or [`FLOOR`] when not even the letter is known. The
//! language with the highest score wins; the gap to the runner-up, in nats, measures how sure it is.
//!
//! Speed: a text longer than two [`BLOCK`]s is scored block by block, in an order that spreads over
//! the whole text, and languages far behind the leader drop out of the race ([`DROP_GAP`]) unless they
//! clearly won a block; scoring stops when one language is left. Before the race, the first
//! [`FIRST_BLOCKS`] blocks are probed on their first halves: when one language leads every probe, the
//! race starts there; otherwise the rest of those blocks is scored first, so that a language holding
//! a fair part of a page is seen. Long texts use contexts of at most 2 letters and back off no further
//! than bigrams. A monolingual paragraph is decided on about 200 letters; a page mixing languages is
//! scored on all of it.
//!
//! The inner loop: letters are hashed and their n-grams' slots requested as they are read, then
//! scored in batches of up to [`PRUNE_EVERY`] letters (postings requested first), so that the memory
//! loads overlap; while many languages are in the race, each n-gram list is written over a per-letter
//! array (longest n-gram last) with no branch, and a letter's score per quantized `ln P` comes from a
//! table ([`Values`]). Function words are looked up as the letters go by, without allocation.
//!
//! Priors: the major news languages get a head start of [`MAJOR_PRIOR`] nats, and close neighbours are
//! also told apart by function words ([`crate::words`]).

use std::sync::LazyLock;

use crate::model::{Letter, MAX_ORDER, Model};
use crate::script::{Script, is_mark, script_of};
use crate::words::{MAX_WORD_BYTES, WordTable};

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
    /// Function words, by model language index.
    words: WordTable,
    /// What a letter scores ([`Values`]).
    values: Box<Values>,
}

/// What a letter scores in a language whose model has its n-gram with quantized `ln P` `q`:
/// `values[capitalized][letters of context dropped][q]`, in nats above [`FLOOR`] and weighted.
type Values = [[[f32; 256]; MAX_ORDER]; 2];

fn values(step: f32) -> Box<Values> {
    let mut values = Box::new([[[0.0; 256]; MAX_ORDER]; 2]);
    for (weight, values) in [1.0, CAPITALIZED].into_iter().zip(values.iter_mut()) {
        let scale = weight * step;
        for (dropped, values) in values.iter_mut().enumerate() {
            let base = weight * (BACKOFF * dropped as f32 - FLOOR);
            for (q, value) in values.iter_mut().enumerate() {
                *value = base - f32::from(q as u8) * scale;
            }
        }
    }
    values
}

impl Tagger {
    fn new(model: Model) -> Option<Tagger> {
        let mut tagger = Tagger {
            latin: 0,
            cyrillic: 0,
            arabic: 0,
            devanagari: 0,
            major: 0,
            words: WordTable::default(),
            values: values(model.step()),
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
        }
        let languages = tagger.model.languages();
        tagger.words = WordTable::new(|code| {
            let index = languages.iter().position(|c| *c == code)?;
            u8::try_from(index).ok()
        });
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
    /// The best language.
    pub(crate) best: &'static str,
    /// Its lead (nats) over the second best; infinite when it was the only candidate.
    pub(crate) gap: f32,
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
/// Blocks of a long text, from different places, scored (or, when one language leads all their
/// first halves, probed) before any language leaves the race: a language that holds a fair part of a
/// page mixing languages is then seen in at least one of them.
const FIRST_BLOCKS: usize = 4;
/// After the first blocks of a long text, languages this far behind are out already.
const FIRST_DROP_GAP: f32 = 40.0;
/// A block won by this many nats over the runner-up keeps its winner in the race.
const WINNER_LEAD: f32 = 10.0;
/// Letters between two checks of the race.
const PRUNE_EVERY: usize = 32;
/// Letters of a short text scored before the first check. A long text is first scored on (the first
/// halves of) [`FIRST_BLOCKS`] blocks from different places.
const PRUNE_FROM: usize = 96;

/// A word being read, lowercased, for the function-word lookup.
struct Word {
    /// Its lowercase UTF-8 bytes (the first `len`).
    lower: [u8; 2 * MAX_WORD_BYTES],
    len: usize,
    /// Bytes of the word as written.
    bytes: usize,
    /// The lowercase form did not fit.
    overflow: bool,
}

impl Default for Word {
    fn default() -> Self {
        Word {
            lower: [0; 2 * MAX_WORD_BYTES],
            len: 0,
            bytes: 0,
            overflow: false,
        }
    }
}

impl Word {
    #[inline]
    fn push_ascii(&mut self, lower: u8, bytes: usize) {
        self.bytes += bytes;
        match self.lower.get_mut(self.len) {
            Some(slot) => {
                *slot = lower;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    fn push(&mut self, c: char) {
        self.bytes += c.len_utf8();
        for lower in c.to_lowercase() {
            match self.lower.get_mut(self.len..self.len + lower.len_utf8()) {
                Some(slot) => {
                    self.len += lower.encode_utf8(slot).len();
                }
                None => self.overflow = true,
            }
        }
    }

    /// The lowercase word, unless it is longer than any function word.
    fn lower(&self) -> Option<&[u8]> {
        if self.bytes > MAX_WORD_BYTES || self.overflow {
            return None;
        }
        self.lower.get(..self.len)
    }

    fn clear(&mut self) {
        (self.len, self.bytes, self.overflow) = (0, 0, false);
    }
}

/// Up to this many candidates in the race, a letter is scored language by language, longest n-gram
/// first; with more, all its n-grams are read.
const FEW: u32 = 8;

/// Letters waiting to be scored: at most [`PRUNE_EVERY`], so that the race is checked on the scores
/// of all the letters before.
struct Batch {
    letters: [Letter; PRUNE_EVERY],
    len: usize,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            letters: [Letter::default(); PRUNE_EVERY],
            len: 0,
        }
    }
}

impl Batch {
    fn push(&mut self, letter: Letter) {
        if let Some(slot) = self.letters.get_mut(self.len) {
            *slot = letter;
            self.len += 1;
        }
    }

    fn is_full(&self) -> bool {
        self.len == self.letters.len()
    }
}

/// Running scores of the candidate languages.
struct Scorer<'m> {
    model: &'m Model,
    /// The function words and, per language, the nats they add (counted apart from the n-gram
    /// scores, which decide which languages stay in the race).
    words: &'m WordTable,
    word_scores: [f32; 64],
    values: &'m Values,
    /// Candidates still in the race, as bits of model language indices.
    active: u64,
    /// Languages that won a block of a long text: they stay in the race, so that a page mixing
    /// languages is scored on all of it and gets the language with most text.
    winners: u64,
    scores: [f32; 64],
    /// 1 for the languages in the race, else 0.
    active_mask: [f32; 64],
    letters: usize,
    /// Letters scored in words that start with a capital.
    capitalized: usize,
    /// No language is dropped before this many letters.
    prune_from: usize,
    max_order: usize,
    script: Script,
}

impl Scorer<'_> {
    /// Adds the letters of `text` (of the scored script; anything else separates words) and its
    /// function words; `false` once a single candidate is left. Scoring stops there, but the rest of
    /// `text` is still read for function words.
    fn feed(&mut self, text: &str) -> bool {
        let max_order = self.max_order;
        let lowest = if max_order < MAX_ORDER { 2 } else { 1 };
        let mut scoring = true;
        // The UTF-8 bytes of the current word's last `max_order` letters, and where each starts.
        let mut window = [0u8; 4 * MAX_ORDER];
        let mut starts = [0usize; MAX_ORDER];
        let (mut len, mut end) = (0usize, 0usize);
        let mut weight = 1.0f32;
        // The current word (letters of the script and marks) in lowercase, for the function words.
        let mut word = Word::default();
        // Letters are scored in batches, so that the memory loads of their n-grams overlap.
        let mut batch = Batch::default();
        for upper in text.chars() {
            if upper.is_ascii() {
                // Most letters: no case mapping table, no mark.
                if !upper.is_ascii_alphabetic() || self.script != Script::Latin {
                    (len, end) = (0, 0);
                    self.end_word(&mut word);
                    continue;
                }
                word.push_ascii(upper.to_ascii_lowercase() as u8, upper.len_utf8());
                if !scoring {
                    continue;
                }
                if len == 0 {
                    weight = if upper.is_ascii_uppercase() {
                        CAPITALIZED
                    } else {
                        1.0
                    };
                }
                let c = upper.to_ascii_lowercase();
                self.push_letter(&mut window, &mut starts, &mut len, &mut end, c);
                let letter = self.model.letter(&window, &starts[..len], end, lowest, weight);
                if !self.count(weight, &mut batch) {
                    scoring = false;
                    continue;
                }
                batch.push(letter);
                if batch.is_full() {
                    self.score_batch(&mut batch);
                }
                continue;
            }
            if script_of(upper) == Some(self.script) || is_mark(upper) {
                word.push(upper);
            } else {
                self.end_word(&mut word);
            }
            if !scoring {
                continue;
            }
            let mut lower = ['\0'; 3];
            for (slot, c) in lower.iter_mut().zip(upper.to_lowercase()) {
                *slot = c;
            }
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
                self.push_letter(&mut window, &mut starts, &mut len, &mut end, c);
                let letter = self.model.letter(&window, &starts[..len], end, lowest, weight);
                if !self.count(weight, &mut batch) {
                    scoring = false;
                    break;
                }
                batch.push(letter);
                if batch.is_full() {
                    self.score_batch(&mut batch);
                }
            }
        }
        self.end_word(&mut word);
        self.score_batch(&mut batch);
        scoring
    }

    /// Scores the letters of `batch` and empties it. Their n-grams are looked up first, and their
    /// postings requested, so that the memory loads overlap.
    fn score_batch(&mut self, batch: &mut Batch) {
        let letters = batch.letters.get(..batch.len).unwrap_or_default();
        let mut postings = [[&[][..]; MAX_ORDER]; PRUNE_EVERY];
        for (letter, postings) in letters.iter().zip(&mut postings) {
            for n in letter.lowest..=letter.len {
                postings[n - 1] = self.model.get(letter.keys[n - 1]);
                std::hint::black_box(postings[n - 1].first());
            }
        }
        for (letter, postings) in letters.iter().zip(&postings) {
            self.score(letter, postings);
        }
        batch.len = 0;
    }

    /// Counts the function word that ends here, if it is one, and starts the next word.
    #[inline]
    fn end_word(&mut self, word: &mut Word) {
        if word.bytes > 0 {
            if let Some((index, weight)) = word.lower().and_then(|w| self.words.get(w))
                && let Some(score) = self.word_scores.get_mut(usize::from(index))
            {
                *score += weight;
            }
            word.clear();
        }
    }

    /// Appends letter `c` to the window of the current word's last letters.
    #[inline]
    fn push_letter(
        &mut self,
        window: &mut [u8; 4 * MAX_ORDER],
        starts: &mut [usize; MAX_ORDER],
        len: &mut usize,
        end: &mut usize,
        c: char,
    ) {
        if *len == self.max_order {
            let cut = starts[1];
            window.copy_within(cut..*end, 0);
            *end -= cut;
            for i in 0..self.max_order - 1 {
                starts[i] = starts[i + 1] - cut;
            }
            *len -= 1;
        }
        starts[*len] = *end;
        *end += c.encode_utf8(&mut window[*end..]).len();
        *len += 1;
    }

    /// Counts a letter of a word weighing `weight`; `false` once a single candidate is left (checked
    /// every [`PRUNE_EVERY`] letters, on the scores of the letters before it).
    #[inline]
    fn count(&mut self, weight: f32, batch: &mut Batch) -> bool {
        self.letters += 1;
        if weight < 1.0 {
            self.capitalized += 1;
        }
        if self.letters.is_multiple_of(PRUNE_EVERY) && self.letters >= self.prune_from {
            self.score_batch(batch);
            return !self.prune(DROP_GAP);
        }
        true
    }

    /// Adds the score of a letter to each candidate: its longest n-gram that the language knows.
    #[inline]
    fn score(&mut self, letter: &Letter, postings: &[&'static [u8]; MAX_ORDER]) {
        let Letter {
            lowest, len, weight, ..
        } = *letter;
        let values = &self.values[usize::from(weight < 1.0)];
        if self.active.count_ones() > FEW {
            // Many candidates: nearly all of them need the short n-grams anyway. Each n-gram's value
            // overwrites the shorter ones', so every language ends with its longest; no branch, no
            // dependency between the languages of a list.
            let mut gains = [0.0f32; 64];
            for n in lowest..=len {
                let values = &values[len - n];
                for pair in postings[n - 1].chunks_exact(2) {
                    gains[usize::from(pair[0] & 63)] = values[usize::from(pair[1])];
                }
            }
            for ((score, gain), keep) in self.scores.iter_mut().zip(gains).zip(self.active_mask) {
                *score += gain * keep;
            }
            return;
        }
        // Few candidates: longest n-gram first, and stop once each has its own.
        let mut seen = !self.active;
        for n in (lowest..=len).rev() {
            let values = &values[len - n];
            for pair in postings[n - 1].chunks_exact(2) {
                let index = usize::from(pair[0] & 63);
                let bit = 1u64 << index;
                if seen & bit == 0 {
                    seen |= bit;
                    self.scores[index] += values[usize::from(pair[1])];
                }
            }
            if seen == u64::MAX {
                break;
            }
        }
    }

    /// Drops the candidates more than `gap` nats behind the leader; whether only one is left.
    fn prune(&mut self, gap: f32) -> bool {
        let best = self.best();
        for index in 0..64 {
            let keep = self.winners & (1 << index) != 0;
            if !keep && self.active & (1 << index) != 0 && self.scores[index] < best - gap {
                self.active &= !(1 << index);
                self.active_mask[index] = 0.0;
            }
        }
        self.active.count_ones() <= 1
    }

    /// What each language gained since `before`.
    fn gains(&self, before: &[f32; 64]) -> [f32; 64] {
        std::array::from_fn(|i| self.scores[i] - before[i])
    }

    /// The candidate in the race with the highest gain.
    fn leader(&self, gains: &[f32; 64]) -> Option<usize> {
        let mut best: Option<usize> = None;
        for index in (0..64).filter(|&i| self.active & (1 << i) != 0) {
            if best.is_none_or(|b| gains[index] > gains[b]) {
                best = Some(index);
            }
        }
        best
    }

    /// The candidate in the race that gained most, if by [`WINNER_LEAD`] over every other.
    fn clear_winner(&self, gains: &[f32; 64]) -> Option<usize> {
        let (mut first, mut second) = ((0, f32::NEG_INFINITY), f32::NEG_INFINITY);
        for index in (0..64).filter(|&i| self.active & (1 << i) != 0) {
            let gain = gains[index];
            if gain > first.1 {
                second = first.1;
                first = (index, gain);
            } else if gain > second {
                second = gain;
            }
        }
        (first.1 - second >= WINNER_LEAD).then_some(first.0)
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

/// Adds the prior of the major languages and the evidence of the function words found in the scored
/// pieces of a text ([`crate::words`]).
fn add_priors(tagger: &Tagger, scores: &mut [f32; 64], word_scores: &[f32; 64]) {
    for (index, (score, words)) in scores.iter_mut().zip(word_scores).enumerate() {
        if tagger.major & (1 << index) != 0 {
            *score += MAJOR_PRIOR;
        }
        *score += words;
    }
}

/// Cuts a block in two near its middle, at whitespace when there is some nearby.
fn halves(block: &str) -> (&str, &str) {
    let mut middle = block.len() / 2;
    while !block.is_char_boundary(middle) {
        middle += 1;
    }
    let cut = block
        .get(..middle)
        .and_then(|head| head.rfind(char::is_whitespace))
        .filter(|&s| s > middle / 2)
        .unwrap_or(middle);
    block.split_at_checked(cut).unwrap_or((block, ""))
}

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
        words: &tagger.words,
        word_scores: [0.0; 64],
        values: &tagger.values,
        active: candidates,
        winners: 0,
        scores: [0.0; 64],
        active_mask: std::array::from_fn(|i| if candidates & (1 << i) != 0 { 1.0 } else { 0.0 }),
        letters: 0,
        capitalized: 0,
        prune_from: PRUNE_FROM,
        max_order: if total > LONG_TEXT { LONG_ORDER } else { MAX_ORDER },
        script,
    };
    let mut won = [0usize; 64];
    if text.len() <= 2 * BLOCK {
        scorer.feed(text);
    } else {
        scorer.prune_from = usize::MAX;
        let blocks = spread_blocks(text);
        let (first, rest) = blocks.split_at(blocks.len().min(FIRST_BLOCKS));
        let mut mark = |scorer: &mut Scorer<'_>, gains: &[f32; 64], letters: usize| {
            if let Some(winner) = scorer.clear_winner(gains) {
                scorer.winners |= 1 << winner;
                won[winner] += letters;
            }
        };
        // The first blocks, from different places, are scored before any language leaves the race.
        // Of a text with more blocks, the first half of each is scored first (a probe): when one
        // language leads all the probes, the text is taken to be in one language and the race starts
        // there; otherwise (a page mixing languages, close neighbours) the rest of the first blocks
        // is scored too before the race.
        let probes: Vec<(&str, &str)> = if rest.is_empty() {
            first.iter().map(|block| (*block, "")).collect()
        } else {
            first.iter().map(|block| halves(block)).collect()
        };
        let mut probe_gains = Vec::with_capacity(probes.len());
        let mut leaders = 0u64;
        for (head, _) in &probes {
            let (before, letters) = (scorer.scores, scorer.letters);
            scorer.feed(head);
            let gains = scorer.gains(&before);
            if let Some(leader) = scorer.leader(&gains) {
                leaders |= 1 << leader;
            }
            probe_gains.push((gains, scorer.letters - letters));
        }
        let mut tails: Vec<&str> = Vec::new();
        if !rest.is_empty() && leaders.count_ones() == 1 {
            for (gains, letters) in &probe_gains {
                mark(&mut scorer, gains, *letters);
            }
            tails.extend(probes.iter().map(|(_, tail)| *tail));
        } else {
            for ((_, tail), (head_gains, head_letters)) in probes.iter().zip(&probe_gains) {
                let (before, letters) = (scorer.scores, scorer.letters);
                scorer.feed(tail);
                let mut gains = scorer.gains(&before);
                for (gain, head) in gains.iter_mut().zip(head_gains) {
                    *gain += head;
                }
                let letters = head_letters + scorer.letters - letters;
                mark(&mut scorer, &gains, letters);
            }
        }
        // Then the languages clearly out go, and once `LONG_TEXT` letters are in, the race is on.
        if !rest.is_empty() && !scorer.prune(FIRST_DROP_GAP) {
            for block in tails.into_iter().chain(rest.iter().copied()) {
                if scorer.letters >= LONG_TEXT {
                    scorer.prune_from = 0;
                    if scorer.prune(DROP_GAP) {
                        break;
                    }
                }
                let (before, letters) = (scorer.scores, scorer.letters);
                let more = scorer.feed(block);
                let gains = scorer.gains(&before);
                let letters = scorer.letters - letters;
                mark(&mut scorer, &gains, letters);
                if !more {
                    break;
                }
            }
        }
    }
    if scorer.letters == 0 {
        return None;
    }
    add_priors(tagger, &mut scorer.scores, &scorer.word_scores);
    // The best two, in the order of a sort by score (descending), then code.
    let order = |a: &(&str, f32), b: &(&str, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(b.0));
    let mut first: Option<(&'static str, f32)> = None;
    let mut second: Option<(&'static str, f32)> = None;
    for (index, code) in languages.iter().enumerate() {
        if candidates & (1 << index) == 0 {
            continue;
        }
        let entry = (*code, scorer.scores[index]);
        if first.is_none_or(|f| order(&entry, &f).is_lt()) {
            second = first;
            first = Some(entry);
        } else if second.is_none_or(|s| order(&entry, &s).is_lt()) {
            second = Some(entry);
        }
    }
    let (best, best_score) = first?;
    let gap = second.map_or(f32::INFINITY, |s| best_score - s.1);
    let mut won: Vec<(&'static str, usize)> = languages
        .iter()
        .zip(won)
        .filter(|(_, letters)| *letters > 0)
        .map(|(code, letters)| (*code, letters))
        .collect();
    won.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let plain = 1.0 - scorer.capitalized as f64 / scorer.letters as f64;
    Some(Ranking {
        best,
        gap,
        won,
        plain,
    })
}
