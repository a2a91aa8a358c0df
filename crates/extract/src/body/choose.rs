//! Choosing the containers that hold the article: the best-scored one,
//! widened to the enclosing `<article>` and to wrappers that hold little
//! else, joined by sibling parts with a similar score; the whole kept body
//! when they hold only a small share of the page's prose.

use super::analysis::Analysis;
use crate::dom::Tag;
use crate::text;

/// First element with the given tag that is not removed.
fn first_kept(an: &Analysis<'_, '_>, pred: impl Fn(usize) -> bool) -> Option<usize> {
    (0..an.dom.len()).find(|&i| !an.at(i).removed && pred(i))
}

/// The chosen containers are replaced by the whole kept body when they hold
/// less than 1/this of its non-link text ...
const FALLBACK_SHARE_DIV: u64 = 3;
/// ... and when they hold less than this many characters: a long chosen
/// block is an article beside big rails, not a fragment.
const FALLBACK_MAX_CHARS: u64 = 2500;

/// Picks the containers that hold the article, in document order.
pub(super) fn choose(an: &Analysis<'_, '_>, scores: &[Option<f64>]) -> Vec<usize> {
    let dom = an.dom;
    let score_of = |i: usize| scores.get(i).copied().flatten().unwrap_or(0.0);
    let best = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .fold(None, |acc: Option<(usize, f64)>, (i, s)| match acc {
            Some((_, bs)) if bs >= s => acc,
            _ => Some((i, s)),
        });
    let is_marker = |i: usize| {
        dom.tag(i) == Tag::Article
            || dom
                .attr(i, "itemprop")
                .is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
    };
    let (mut top, mut top_score) = match best {
        Some(b) => b,
        None => {
            let fallback = first_kept(an, is_marker)
                .or_else(|| first_kept(an, |i| dom.tag(i) == Tag::Main))
                .or_else(|| first_kept(an, |i| dom.tag(i) == Tag::Body));
            match fallback {
                Some(f) => (f, 0.0),
                None => return Vec::new(),
            }
        }
    };
    // Widen to the enclosing article: it holds the lead and subheadings that
    // sit outside the densest text block.
    for a in dom.ancestors(top).collect::<Vec<_>>() {
        if matches!(dom.tag(a), Tag::Body | Tag::Html | Tag::None) {
            break;
        }
        if is_marker(a) && !an.at(a).removed && an.link_density(a) < 0.3 {
            top = a;
            top_score = top_score.max(score_of(a));
        }
    }
    // Climb wrappers that hold little besides the chosen block, so that
    // siblings split at a higher level ("module" after "module") are found.
    let own_chars = u64::from(an.at(top).chars);
    let mut climbed = false;
    while let Some(p) = dom.parent(top) {
        if matches!(dom.tag(p), Tag::Body | Tag::Html | Tag::None) || an.at(p).removed {
            break;
        }
        if u64::from(an.at(p).chars) > own_chars + 25 {
            break;
        }
        top = p;
        top_score = top_score.max(score_of(p));
        climbed = true;
    }
    // Join sibling containers with a similar score (body split in parts).
    let mut containers = vec![top];
    if let Some(parent) = dom.parent(top).filter(|&p| dom.tag(p) != Tag::None) {
        // Above a climbed wrapper only parts alike (same tag and class) or
        // nearly as strong join.
        let share = if climbed { 0.3 } else { 0.2 };
        let threshold = (top_score * share).max(10.0);
        let top_class = dom.attr(top, "class").filter(|c| !c.trim().is_empty());
        containers = dom
            .children(parent)
            .filter(|&s| {
                if s == top {
                    return true;
                }
                let x = an.at(s);
                if x.removed || dom.element(s).is_none() || x.chars == 0 {
                    return false;
                }
                let bare = |e: usize| dom.attr(e, "class").is_none() && dom.attr(e, "id").is_none();
                let same_class = dom.tag(s) == dom.tag(top)
                    && (top_class.zip(dom.attr(s, "class")).is_some_and(|(a, b)| classes_alike(a, b))
                        // Plain markup: sections of a page written by hand.
                        || (top_class.is_none() && bare(top) && bare(s) && an.link_density(s) < 0.3));
                let need = if same_class { top_score * 0.15 } else { threshold };
                if score_of(s) >= need && score_of(s) > 0.0 {
                    return true;
                }
                if dom.tag(s) == Tag::P {
                    let ld = an.link_density(s);
                    if x.chars > 80 && ld < 0.25 {
                        return true;
                    }
                    if ld == 0.0 && text::ends_sentence(&dom.text_of(s, 500)) {
                        return true;
                    }
                }
                false
            })
            .collect();
        // Headings between two joined parts title the second; parts alike
        // (same tag and class) between them belong to the same text even when
        // they score low (an ingredient table between a recipe's intro and
        // its steps).
        if containers.len() > 1 {
            let (first, last) = (containers.first().copied(), containers.last().copied());
            if let (Some(first), Some(last)) = (first, last) {
                let alike = |h: usize| {
                    let (Some(a), Some(b)) = (top_class, dom.attr(h, "class")) else {
                        return false;
                    };
                    dom.tag(h) == dom.tag(top) && classes_alike(a, b) && an.link_density(h) < 0.5
                };
                let headings: Vec<usize> = dom
                    .children(parent)
                    .filter(|&h| h > first && h < last && !containers.contains(&h))
                    .filter(|&h| !an.at(h).removed && an.at(h).chars > 0)
                    .filter(|&h| dom.tag(h).heading_level().is_some() || alike(h))
                    .collect();
                containers.extend(headings);
                containers.sort_unstable();
            }
        }
    }
    // The chosen block holds a small share of the prose the page shows
    // outside furniture: the article is spread over blocks the scoring did
    // not join (or a teaser won). Take everything that is kept.
    if let Some(body_el) = first_kept(an, |i| dom.tag(i) == Tag::Body) {
        let prose = |i: usize| {
            let x = an.at(i);
            u64::from(x.chars.saturating_sub(x.link))
        };
        let chosen: u64 = containers.iter().map(|&c| prose(c)).sum();
        if chosen < FALLBACK_MAX_CHARS && chosen * FALLBACK_SHARE_DIV < prose(body_el) {
            containers = vec![body_el];
        }
    }
    containers
}

/// Whether two class attributes name the same kind of block: at least half
/// of the tokens of the shorter one are in both (`box col-8 intro` and
/// `box col-8 steps`).
fn classes_alike(a: &str, b: &str) -> bool {
    let (na, nb) = (a.split_whitespace().count(), b.split_whitespace().count());
    let shared = a
        .split_whitespace()
        .filter(|t| b.split_whitespace().any(|u| u == *t))
        .count();
    shared > 0 && shared * 2 >= na.min(nb)
}
