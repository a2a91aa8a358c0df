//! Choosing the containers that hold the article: the best-scored one,
//! widened to the enclosing `<article>` and to wrappers that hold little
//! else, joined by sibling parts with a similar score; the whole kept body
//! when they hold only a small share of the page's prose.

use super::analysis::Analysis;
use super::flags::Flag;
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
    // A `<section>` that adds only a heading to the block is the block's
    // section ("<section><h2>A long title</h2><div>text</div></section>"):
    // the next sections are its siblings.
    let mut own_chars = u64::from(an.at(top).chars);
    let mut climbed = false;
    while let Some(p) = dom.parent(top) {
        if matches!(dom.tag(p), Tag::Body | Tag::Html | Tag::None) || an.at(p).removed {
            break;
        }
        if u64::from(an.at(p).chars) > own_chars + 25 {
            let headings = if dom.tag(p) == Tag::Section {
                heading_chars(an, p, top)
            } else {
                0
            };
            if headings == 0 || u64::from(an.at(p).chars) > own_chars + headings + 25 {
                break;
            }
            own_chars = u64::from(an.at(p).chars);
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
                // Sections of one document: the `<section>`s beside the
                // chosen one continue it, short as they may be (a list, a
                // table, a code block after a heading).
                if dom.tag(top) == Tag::Section
                    && dom.tag(s) == Tag::Section
                    && x.own == Flag::Keep
                    && an.link_density(s) < 0.3
                    && x.marker_chars == 0
                    && flat_text(an, s)
                {
                    return true;
                }
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
        // its steps), and so do the lists, tables, quotes and code blocks
        // that the text runs around.
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
                    .filter(|&h| {
                        dom.tag(h).heading_level().is_some()
                            || alike(h)
                            || is_heading_box(an, h)
                            || (is_text_block(dom.tag(h)) && an.link_density(h) < 0.5)
                    })
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

/// Blocks of a text that score nothing of their own: lists, tables, quotes,
/// code, figures and plain paragraphs.
fn is_text_block(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::P | Tag::Ul | Tag::Ol | Tag::Dl | Tag::Table | Tag::Pre | Tag::Blockquote | Tag::Figure
    )
}

/// Whether `i` holds one heading and nearly nothing else (a wrapper such as
/// `<div class="heading"><h2>Title</h2><a>edit</a></div>`).
fn is_heading_box(an: &Analysis<'_, '_>, i: usize) -> bool {
    let dom = an.dom;
    let x = an.at(i);
    if x.chars == 0 || x.chars > 300 || x.link * 2 >= x.chars {
        return false;
    }
    (i..dom.end(i).min(i + 16)).any(|h| {
        dom.tag(h).heading_level().is_some() && !an.at(h).removed && an.at(h).chars * 10 >= x.chars * 8
    })
}

/// Whether most of the text of `s` sits at most [`FLAT_DEPTH`] blocks deep
/// (table rows and cells not counted): paragraphs, lists, tables and code
/// of a document's section, not a region of the page layout that nests
/// containers, rows and columns around teasers or a contact card.
fn flat_text(an: &Analysis<'_, '_>, s: usize) -> bool {
    let dom = an.dom;
    let (mut flat, mut all) = (0u64, 0u64);
    for j in s + 1..dom.end(s) {
        let x = an.at(j);
        if dom.text(j).is_none() || x.removed || x.chars == 0 {
            continue;
        }
        all += u64::from(x.chars);
        let depth = dom
            .ancestors(j)
            .take_while(|&a| a != s)
            .filter(|&a| {
                dom.tag(a).is_block()
                    && !matches!(dom.tag(a), Tag::Tbody | Tag::Thead | Tag::Tr | Tag::Td | Tag::Th)
            })
            .take(FLAT_DEPTH + 1)
            .count();
        if depth <= FLAT_DEPTH {
            flat += u64::from(x.chars);
        }
    }
    all > 0 && flat * 10 >= all * 7
}

/// See [`flat_text`].
const FLAT_DEPTH: usize = 3;

/// Text of the boxes holding only a heading that `p` holds besides `top`
/// (the caller checks that `p` adds little else).
fn heading_chars(an: &Analysis<'_, '_>, p: usize, top: usize) -> u64 {
    let mut headings = 0u64;
    for c in an.dom.children(p) {
        let cx = an.at(c);
        if c == top || cx.removed || cx.chars == 0 {
            continue;
        }
        if is_heading_box(an, c) {
            headings += u64::from(cx.chars);
        }
    }
    headings
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
