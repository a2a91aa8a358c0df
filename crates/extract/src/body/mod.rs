//! Main-text extraction (the not-an-article verdict is [`crate::verdict`]).
//!
//! 1. Every element gets a flag from its tag and from general boilerplate
//!    patterns in its class/id/role/aria-label (navigation, share bars,
//!    rails, comments, captions, credits, ...) ([`flags`], with the words in
//!    [`class_words`]). Layout wrappers that happen to match a pattern but
//!    hold the headline and much of the page's text are kept ([`analysis`]).
//! 2. Bottom-up (one reverse pass) text and link lengths per element
//!    ([`analysis`]).
//! 3. Readability-style scoring ([`score`](mod@score)): each paragraph
//!    gives points (length, commas) to its ancestors; a candidate's score is
//!    scaled by `1 - link density`. The best candidate is widened to the
//!    enclosing `<article>` and joined by sibling containers with a similar
//!    score ([`choose`](mod@choose)).
//! 4. Paragraphs are collected from the chosen containers in document order
//!    ([`collect`](mod@collect)); link-dominated paragraphs, duplicated
//!    titles, bylines and short boilerplate lines ([`furniture`]) are
//!    dropped, and so is what trails the article ([`tail`]).
//!    [`extract_body`] runs the steps; [`explain`](mod@explain) shows their
//!    decisions.

mod analysis;
mod choose;
mod class_words;
mod collect;
mod explain;
mod flags;
mod furniture;
mod score;
mod tail;

use analysis::Analysis;
use choose::choose;
use collect::{collect, lead_before, paragraphs_of};
use furniture::{
    is_ad_notice, is_caption_line, is_consent_notice, is_furniture, is_grid_row, is_strong_call_to_action,
};
use score::score;
use tail::{cut_tail_section, trim_tail};

use crate::dom::Dom;
use crate::text::{self, fold};
use crate::walls::{Wall, wall_of};
use crate::{ExtractConfig, authors, dates};

pub(crate) use explain::explain;
pub(crate) use flags::{hides, hiding_class};

/// Kind of an extracted paragraph.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ParaKind {
    Text,
    Heading(u8),
    ListItem,
    Quote,
    Pre,
    Caption,
}

/// One extracted paragraph.
#[derive(Clone, Debug)]
pub(crate) struct Paragraph {
    pub text: String,
    pub kind: ParaKind,
    pub words: usize,
}

/// The extracted main text and facts used by the verdict and metadata.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub paragraphs: Vec<Paragraph>,
    pub captions: Vec<String>,
    /// A byline paragraph found (and removed) at the top of the text.
    pub byline: Option<String>,
    /// The chosen container is or is inside an `<article>` / `articleBody`.
    pub in_article: bool,
    /// The chosen containers are in or hold an `<article>` / `articleBody`
    /// that holds the page's `<h1>`: the page's own article, not a teaser
    /// card.
    pub headed_article: bool,
    /// Paragraphs dropped because they were mostly a link of headline length.
    pub teaser_links: usize,
    /// Paragraphs of continuous prose (at least 25 words).
    pub prose_paragraphs: usize,
    /// Headline-sized teaser links in the whole page, outside furniture.
    pub headline_links: usize,
    pub words: usize,
    /// The walls named by lines of the chosen containers (kept in the text
    /// or dropped as furniture), or of the JSON-LD `articleBody` standing in
    /// for them: what the page showed where the text is.
    pub walls: Vec<Wall>,
}

impl Body {
    /// Paragraphs joined with blank lines.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.paragraphs {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&p.text);
        }
        out
    }
}

/// What the page's metadata tells the body extraction.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Hints<'a> {
    /// The page's title: a paragraph repeating it is dropped.
    pub title: Option<&'a str>,
    /// The JSON-LD `articleBody`, which stands in for a body that the markup does not carry.
    pub ld_article_body: Option<&'a str>,
    /// The page's descriptions (`og:description`, `description`, ...): a paragraph set apart just before
    /// the text that says the same is its lead.
    pub descriptions: &'a [&'a str],
}

/// Extracts the main text of the page.
pub(crate) fn extract_body(dom: &Dom<'_>, hints: &Hints<'_>, cfg: &ExtractConfig) -> Body {
    let Hints {
        title,
        ld_article_body,
        descriptions,
    } = *hints;
    let an = Analysis::new(dom);
    let scores = score(&an);
    let containers = choose(&an, &scores);
    if containers.is_empty() {
        return Body::default();
    }
    let mut collected = collect(&an, &containers, cfg.include_captions);
    if let Some(lead) = lead_before(&an, &containers, descriptions) {
        let already = collected
            .paragraphs
            .iter()
            .take(3)
            .any(|(p, _, _)| p.text.contains(&lead) || lead.contains(&p.text));
        if !already {
            let words = text::word_count(&lead);
            let para = Paragraph {
                text: lead,
                kind: ParaKind::Text,
                words,
            };
            collected.paragraphs.insert(0, (para, 0, 0));
        }
    }

    let title_key = title.map(fold).unwrap_or_default();
    let mut body = Body {
        captions: collected.captions,
        in_article: containers.iter().any(|&c| an.at(c).in_article),
        headed_article: containers.iter().any(|&c| {
            let headed = |m: usize| an.at(m).is_marker && an.at(m).has_h1;
            std::iter::once(c).chain(an.dom.ancestors(c)).any(headed) || (c..an.dom.end(c)).any(headed)
        }),
        walls: collected
            .paragraphs
            .iter()
            .filter_map(|(p, _, _)| wall_of(&p.text, p.words))
            .collect(),
        ..Body::default()
    };
    let mut kept: Vec<Paragraph> = Vec::new();
    // Whether the last kept paragraph was the previous one collected.
    let mut last_was_previous = false;
    for (p, chars, link) in collected.paragraphs {
        if p.kind != ParaKind::Caption && chars > 0 && link * 2 > chars {
            if p.words >= 4 {
                body.teaser_links += 1;
            }
            // A short title right before a list of links ("More stories",
            // "Related coverage") belongs to that list.
            if last_was_previous
                && kept.last().is_some_and(|l| {
                    l.words <= 5 && !text::ends_sentence(&l.text) && l.kind != ParaKind::Caption
                })
            {
                kept.pop();
            }
            last_was_previous = false;
            continue;
        }
        last_was_previous = false;
        // Only paragraphs of a similar length can repeat the title.
        let comparable = !title_key.is_empty() && p.text.len() <= title_key.len() * 2 + 16;
        let key = if comparable { fold(&p.text) } else { String::new() };
        if comparable {
            let same = key == title_key
                || (p.kind == ParaKind::Heading(1) && (title_key.contains(&key) || key.contains(&title_key)));
            if same {
                continue;
            }
        }
        if p.words <= 8 && p.kind != ParaKind::Caption && is_furniture(&p.text) {
            continue;
        }
        if !p.text.contains('\n') && is_grid_row(&p.text) {
            continue;
        }
        // A caption left in the text ("Roman Prymula, photo: Archives",
        // "Abbildung: Farblich codierte ...") and an advertising notice
        // ("Anzeige, enthält Affiliate Links") are not body text.
        if p.kind == ParaKind::Text && p.words <= 60 {
            let f = fold(&p.text);
            if is_consent_notice(&f, p.words)
                || (p.words <= 25
                    && (is_caption_line(&f) || is_ad_notice(&f) || is_strong_call_to_action(&f)))
            {
                continue;
            }
        }
        // A caption left in the text keeps its words, not its credit:
        // "Chloe Kim will es wissen. © AFP / KIRILL KUDRYAVTSEV".
        let mut p = p;
        if p.words <= 40
            && let Some(at) = p.text.rfind('©')
            && text::word_count(p.text.get(at..).unwrap_or_default()) <= 8
        {
            let head = p.text.get(..at).unwrap_or_default().trim_end().to_string();
            if head.is_empty() {
                continue;
            }
            p.words = text::word_count(&head);
            p.text = head;
        }
        if kept.last().is_some_and(|l| l.text == p.text) {
            continue;
        }
        kept.push(p);
        last_was_previous = true;
    }
    // A byline or a bare date line at the top is metadata, not body text.
    let mut k = 0usize;
    while k < kept.len().min(4) {
        let Some(p) = kept.get(k) else { break };
        let is_text = matches!(p.kind, ParaKind::Text);
        let byline = is_text
            && p.words <= 25
            && authors::strip_byline_prefix(&p.text).is_some()
            && !authors::clean(&p.text).is_empty();
        let dateline = is_text
            && p.words <= 6
            && p.text.chars().count() <= 40
            && !text::ends_sentence(&p.text)
            && dates::find_in_text(&p.text, false).is_some();
        // A kicker above the text: the section or topic label ("Aktuell",
        // "Nueva Constitución"), a line of three words or fewer that is not a
        // sentence and that a longer paragraph follows.
        let kicker = k == 0
            && is_text
            && p.words <= 3
            && !text::ends_sentence(&p.text)
            && !p.text.ends_with(':')
            && kept.get(1).is_some_and(|n| n.words >= 12);
        if kicker {
            kept.remove(k);
            continue;
        }
        if byline || dateline {
            if byline && body.byline.is_none() {
                body.byline = Some(p.text.clone());
            }
            kept.remove(k);
            continue;
        }
        k += 1;
    }
    cut_tail_section(&mut kept);
    trim_tail(&mut kept);
    // The page's JSON-LD `articleBody` stands in for a body that the markup
    // does not carry (rendered by scripts, or behind a wall the crawler saw).
    if let Some(ld) = ld_article_body {
        let ours: usize = kept.iter().map(|p| p.words).sum();
        // Markup in the value counts a few words too many; the test is rough.
        let ld_words = text::word_count(ld);
        if ld_words >= 50 && ours * 2 < ld_words {
            let ld_paragraphs = paragraphs_of(ld);
            let ld_words: usize = ld_paragraphs.iter().map(|p| p.words).sum();
            if ld_words >= 50 && ours * 2 < ld_words {
                body.walls
                    .extend(ld_paragraphs.iter().filter_map(|p| wall_of(&p.text, p.words)));
                kept = ld_paragraphs;
            }
        }
    }
    body.words = kept.iter().map(|p| p.words).sum();
    body.prose_paragraphs = kept
        .iter()
        .filter(|p| p.kind == ParaKind::Text && p.words >= 25)
        .count();
    body.headline_links = an.headline_links();
    body.paragraphs = kept;
    body
}
