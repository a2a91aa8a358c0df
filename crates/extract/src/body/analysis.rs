//! Per-element analysis of the whole document, in four linear passes: flags,
//! raw text and link lengths, the removal decision (layout wrappers that
//! hold the article are kept), then the text, links and commas of what is
//! kept.

use super::flags::{Class, Flag, Scratch, classify_element};
use crate::dom::{Dom, Kind, Tag};
use crate::text;

#[derive(Clone, Copy, Default)]
pub(super) struct Info {
    pub(super) own: Flag,
    pub(super) removed: bool,
    /// Removed only because of a weak (link-density) pattern.
    pub(super) weak_removed: bool,
    /// Removed as hidden, junk or comments (here or above).
    pub(super) hard_removed: bool,
    pub(super) in_junk: bool,
    pub(super) in_article: bool,
    pub(super) in_link: bool,
    /// This element is an `<a href>`.
    pub(super) is_link: bool,
    /// Commas of a text node (cached).
    pub(super) text_commas: u32,
    pub(super) weight: i16,
    pub(super) raw_chars: u32,
    pub(super) raw_link: u32,
    /// Links (`<a href>`, empty ones too) outside junk in the subtree.
    pub(super) anchors: u32,
    pub(super) has_h1: bool,
    pub(super) has_marker: bool,
    /// Text of the largest kept article marker (`<article>`, `articleBody`)
    /// in the subtree.
    pub(super) marker_chars: u32,
    /// This element itself is a kept article marker.
    pub(super) is_marker: bool,
    /// Its class/id names the article's content ("entry-content",
    /// "article-body", "post-text").
    pub(super) content_named: bool,
    /// Page UI (a dialog, a hidden landmark): never kept for holding a
    /// headline or an article, only for holding most of the page's text.
    pub(super) ui: bool,
    /// Text of the largest content-named element in the subtree.
    pub(super) content_chars: u32,
    pub(super) chars: u32,
    pub(super) link: u32,
    pub(super) commas: u32,
    pub(super) direct_chars: u32,
    pub(super) direct_commas: u32,
}

const EMPTY: Info = Info {
    own: Flag::Keep,
    removed: true,
    weak_removed: false,
    hard_removed: true,
    in_junk: true,
    in_article: false,
    in_link: false,
    is_link: false,
    text_commas: 0,
    weight: 0,
    raw_chars: 0,
    raw_link: 0,
    anchors: 0,
    has_h1: false,
    has_marker: false,
    marker_chars: 0,
    is_marker: false,
    content_named: false,
    ui: false,
    content_chars: 0,
    chars: 0,
    link: 0,
    commas: 0,
    direct_chars: 0,
    direct_commas: 0,
};

/// A link: `<a href>`. A bare `<a name>` anchor, often left unclosed
/// around the rest of an old page, is not.
fn is_link(dom: &Dom<'_>, i: usize) -> bool {
    dom.tag(i) == Tag::A && dom.attr(i, "href").is_some()
}

/// A block flagged as teasers ([`Flag::Weak`]) with at most this many
/// characters of text per link is a grid of cards, however few characters
/// its links hold.
const TEASER_CHARS_PER_LINK: u64 = 250;
/// A single card named for teasers holds at most this many characters.
const TEASER_CARD_MAX_CHARS: u32 = 400;
/// ... when it is short: a long one is a part of the page's layout.
const TEASER_GRID_MAX_CHARS: u32 = 2000;

/// Whether `i` (or the wrapper that holds most of its text, at most two
/// levels down) has three or more element children alike (same tag and
/// class) that each hold a link and some text: cards, not one block of text.
fn card_grid(dom: &Dom<'_>, info: &[Info], i: usize) -> bool {
    let at = |c: usize| info.get(c).copied().unwrap_or(EMPTY);
    let is_card = |c: usize| {
        dom.element(c).is_some()
            && at(c).anchors > 0
            && at(c).raw_chars >= 40
            && two_text_blocks(dom, info, c)
    };
    let mut node = i;
    for _ in 0..3 {
        let Some(first) = dom.children(node).find(|&c| is_card(c)) else {
            return false;
        };
        let class = dom.attr(first, "class");
        let alike = dom
            .children(node)
            .filter(|&c| is_card(c) && dom.tag(c) == dom.tag(first) && dom.attr(c, "class") == class)
            .count();
        if alike >= 3 {
            // Only a block named for teasers: a list or grid of short
            // items with links inside the text is a listicle.
            return teaser_named(dom, i) || teaser_named(dom, first);
        }
        let Some(big) = dom.children(node).max_by_key(|&c| at(c).raw_chars) else {
            return false;
        };
        if u64::from(at(big).raw_chars) * 10 < u64::from(at(node).raw_chars) * 7 {
            return false;
        }
        node = big;
    }
    false
}

/// Whether the class of `i` names teasers or cards ("teaser-item",
/// "card", "promo-tile").
fn teaser_named(dom: &Dom<'_>, i: usize) -> bool {
    dom.attr(i, "class").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        ["teaser", "card", "promo", "tile"].iter().any(|w| c.contains(w))
    })
}

/// Whether the text of `c` sits in two or more blocks (a title and a
/// summary), not in one (a bullet point with a link).
fn two_text_blocks(dom: &Dom<'_>, info: &[Info], c: usize) -> bool {
    let mut first = None;
    for j in c + 1..dom.end(c) {
        if dom.text(j).is_none() || info.get(j).is_none_or(|x| x.raw_chars == 0) {
            continue;
        }
        let block = dom
            .ancestors(j)
            .take_while(|&a| a != c)
            .find(|&a| dom.tag(a).is_block() || dom.tag(a).heading_level().is_some())
            .unwrap_or(c);
        match first {
            None => first = Some(block),
            Some(b) if b != block => return true,
            Some(_) => {}
        }
    }
    false
}

fn sat(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Per-element analysis of the whole document.
pub(super) struct Analysis<'d, 'a> {
    pub(super) dom: &'d Dom<'a>,
    pub(super) info: Vec<Info>,
}

impl<'d, 'a> Analysis<'d, 'a> {
    pub(super) fn at(&self, i: usize) -> &Info {
        self.info.get(i).unwrap_or(&EMPTY)
    }

    pub(super) fn new(dom: &'d Dom<'a>) -> Self {
        let n = dom.len();
        let mut info = vec![Info::default(); n];
        let mut scratch = Scratch::default();
        // Pass 1 (pre-order): own flags, junk, link and article context.
        for i in 0..n {
            let (p_junk, p_article, p_link) = dom
                .parent(i)
                .and_then(|p| info.get(p))
                .map_or((false, false, false), |p| (p.in_junk, p.in_article, p.in_link));
            // Inside junk nothing is looked at again: skip the class analysis.
            if p_junk {
                if let Some(x) = info.get_mut(i) {
                    x.in_junk = true;
                    x.own = Flag::Junk;
                }
                continue;
            }
            let Class {
                flag: own,
                weight,
                marker,
                content_named,
                ui,
            } = match dom.kind(i) {
                Kind::Element(_, tag) => classify_element(dom, i, tag, p_article, &mut scratch),
                _ => Class::default(),
            };
            if let Some(x) = info.get_mut(i) {
                x.own = own;
                x.weight = weight;
                x.in_junk = p_junk || own == Flag::Junk;
                x.in_article = p_article || marker;
                x.has_marker = marker && own == Flag::Keep;
                x.is_marker = x.has_marker;
                x.content_named = content_named;
                x.ui = ui;
                x.has_h1 = dom.tag(i) == Tag::H1;
                x.is_link = is_link(dom, i);
                x.in_link = p_link || x.is_link;
            }
        }
        // Pass 2 (reverse): raw text/link lengths outside junk.
        for i in (0..n).rev() {
            // The parent comes before the node: update both in place.
            let (before, rest) = info.split_at_mut(i);
            let Some(me) = rest.first_mut() else { continue };
            if let Some(t) = dom.text(i)
                && !me.in_junk
            {
                let (chars, commas) = text::chars_and_commas(t);
                me.raw_chars = sat(chars);
                me.text_commas = sat(commas);
                if me.in_link {
                    me.raw_link = me.raw_chars;
                }
            }
            if me.is_link {
                me.raw_link = me.raw_chars;
                me.anchors = me.anchors.saturating_add(1);
            }
            if me.is_marker {
                me.marker_chars = me.marker_chars.max(me.raw_chars);
            }
            if me.content_named {
                me.content_chars = me.content_chars.max(me.raw_chars);
            }
            let me = &*me;
            if me.in_junk {
                continue;
            }
            if let Some(p) = dom.parent(i).and_then(|p| before.get_mut(p)) {
                p.raw_chars = p.raw_chars.saturating_add(me.raw_chars);
                p.raw_link = p.raw_link.saturating_add(me.raw_link);
                p.anchors = p.anchors.saturating_add(me.anchors);
                if me.own != Flag::Comments {
                    p.content_chars = p.content_chars.max(me.content_chars);
                }
                // Headlines and articles inside flagged parts (a logo h1 in
                // a site header, comment <article>s) do not make the parent
                // "the article".
                // A layout wrapper whose class matches a pattern
                // ("container right-sidebar") but that is mostly one
                // article passes the article up.
                let mostly_article = u64::from(me.marker_chars) * 2 >= u64::from(me.raw_chars);
                if matches!(me.own, Flag::Keep | Flag::Weak)
                    || (matches!(
                        me.own,
                        Flag::Boiler | Flag::Comments | Flag::TagBoiler | Flag::Hidden
                    ) && !me.ui
                        && me.marker_chars > 0
                        && mostly_article)
                {
                    p.has_h1 |= me.has_h1;
                    p.has_marker |= me.has_marker;
                    p.marker_chars = p.marker_chars.max(me.marker_chars);
                }
            }
        }
        let (body_chars, body_prose) = (0..n)
            .find(|&i| dom.tag(i) == Tag::Body)
            .and_then(|b| info.get(b))
            .map_or((0, 0), |b| (b.raw_chars, b.raw_chars.saturating_sub(b.raw_link)));
        // Pass 3 (pre-order): final removal decision.
        for i in 0..n {
            let parent = dom.parent(i).and_then(|p| info.get(p));
            let fills_main = parent.is_some_and(|p| !p.removed && p.raw_chars > 0)
                && (dom.parent(i).is_some_and(|p| dom.tag(p) == Tag::Main)
                    || parent.is_some_and(|p| p.content_named))
                && parent.zip(info.get(i)).is_some_and(|(p, me)| {
                    u64::from(me.raw_chars) * 10 >= u64::from(p.raw_chars) * 8
                        && me.raw_link * 2 < me.raw_chars
                });
            let parent_removed = parent.is_some_and(|p| p.removed);
            let parent_weak = parent.is_some_and(|p| p.weak_removed);
            let parent_hidden = parent.is_some_and(|p| p.hard_removed);
            // A grid of teaser cards (or one card named for teasers, in a
            // grid of neutral layout modules): a short summary per link, the
            // link being a "Read more" or an empty box drawn over the card.
            // A weak block of at least `links` links, at most `max_chars`, with no headline or
            // article marker, and little text per link.
            let short_per_link = |links: u32, max_chars: u32| {
                info.get(i).is_some_and(|me| {
                    me.own == Flag::Weak
                        && !parent_removed
                        && me.anchors >= links
                        && me.raw_chars <= max_chars
                        && !me.has_h1
                        && !me.has_marker
                        && u64::from(me.raw_chars) <= u64::from(me.anchors) * TEASER_CHARS_PER_LINK
                })
            };
            let teaser_grid = short_per_link(3, TEASER_GRID_MAX_CHARS) && card_grid(dom, &info, i)
                || short_per_link(1, TEASER_CARD_MAX_CHARS)
                    && teaser_named(dom, i)
                    && two_text_blocks(dom, &info, i);
            let Some(me) = info.get_mut(i) else { continue };
            let wraps_article =
                (me.has_h1 || me.has_marker) && u64::from(me.raw_chars) * 10 >= u64::from(body_chars) * 3;
            let link_dense = me.raw_chars > 0 && me.raw_link * 10 >= me.raw_chars * 4;

            let wraps_page = u64::from(me.raw_chars) * 10 >= u64::from(body_chars) * 6;
            // Most of the page's text outside links (menus and link-heavy
            // footers around it do not count).
            let wraps_prose =
                u64::from(me.raw_chars.saturating_sub(me.raw_link)) * 10 >= u64::from(body_prose) * 6;
            let wraps_most = wraps_page && me.raw_link * 10 < me.raw_chars * 4;
            // A block that is mostly the article's content element is a
            // wrapper ("socialicons-sticky" around "entry-content").
            let wraps_content =
                me.content_chars >= 200 && u64::from(me.content_chars) * 10 >= u64::from(me.raw_chars) * 7;
            // `<main>` names the page's content: a layout class around it
            // ("left-navigation-wrapper" holding the side menu and `<main>`)
            // does not remove it.
            let rescued_main = parent_removed
                && !parent_hidden
                && dom.tag(i) == Tag::Main
                && me.own == Flag::Keep
                && me.raw_chars >= 500
                && me.raw_link * 10 < me.raw_chars * 3;
            me.removed = (parent_removed && !rescued_main)
                || match me.own {
                    Flag::Keep => false,
                    Flag::Junk | Flag::Caption | Flag::Credit => true,
                    // Hidden page UI (a dialog, a menu) is never the text.
                    Flag::Hidden if me.ui => true,
                    // A hidden block is kept only when it is most of the
                    // page, or of its text outside links: the page wrapper hidden until a script shows it,
                    // or while a dialog is open (`aria-hidden` on the app
                    // root). A small one with a heading (an editor's
                    // prompt, a sign-up form) is not the article.
                    Flag::Hidden => {
                        !((wraps_page || wraps_prose) && (me.has_h1 || me.has_marker || !link_dense))
                    }
                    Flag::Comments => !wraps_article,
                    // A dialog shown over the page is kept only when it
                    // holds most of the page's text, never for a headline.
                    Flag::Boiler | Flag::TagBoiler if me.ui => !wraps_most,
                    Flag::Boiler => !wraps_article && !wraps_most && !wraps_content,
                    // A landmark tag that fills `<main>` or a content-named
                    // block is a misused wrapper (`<aside>` around the whole
                    // story, a `<form>` around a product text), however
                    // small the story is next to the page's furniture.
                    Flag::TagBoiler => !wraps_article && !wraps_most && !wraps_content && !fills_main,
                    // A whole-page wrapper is never a teaser block.
                    Flag::Weak => {
                        (link_dense || teaser_grid)
                            && !wraps_article
                            && u64::from(me.raw_chars) * 10 < u64::from(body_chars) * 6
                    }
                };
            me.weak_removed = if parent_removed {
                parent_weak
            } else {
                me.removed && me.own == Flag::Weak
            };
            me.hard_removed =
                parent_hidden || (me.removed && matches!(me.own, Flag::Junk | Flag::Hidden | Flag::Comments));
        }
        // Pass 4 (reverse): text/link lengths and commas of kept content.
        for i in (0..n).rev() {
            let (before, rest) = info.split_at_mut(i);
            let Some(me) = rest.first_mut() else { continue };
            if me.removed {
                continue;
            }
            let text = dom.text(i).is_some();
            if text {
                me.chars = me.raw_chars;
                me.commas = me.text_commas;
                if me.in_link {
                    me.link = me.chars;
                }
            }
            if me.is_link {
                me.link = me.chars;
            }
            let me = &*me;
            if let Some(p) = dom.parent(i).and_then(|p| before.get_mut(p)) {
                if text {
                    p.direct_chars = p.direct_chars.saturating_add(me.chars);
                    p.direct_commas = p.direct_commas.saturating_add(me.commas);
                }
                p.chars = p.chars.saturating_add(me.chars);
                p.link = p.link.saturating_add(me.link);
                p.commas = p.commas.saturating_add(me.commas);
            }
        }
        Analysis { dom, info }
    }

    /// Links that are a whole headline-sized block (teasers), outside page
    /// furniture; many of them and little prose make a section front.
    pub(super) fn headline_links(&self) -> usize {
        let dom = self.dom;
        let mut count = 0usize;
        for i in 0..dom.len() {
            if dom.tag(i) != Tag::A {
                continue;
            }
            let x = self.at(i);
            if x.in_junk || (x.removed && !x.weak_removed) || x.raw_chars < 20 {
                continue;
            }
            let end = dom.end(i);
            let wraps_heading = (i + 1..end.min(i + 200)).any(|j| dom.tag(j).heading_level().is_some());
            let block = dom.ancestors(i).find(|&a| dom.tag(a).is_block());
            let whole_block =
                block.is_some_and(|b| u64::from(self.at(b).raw_chars) * 10 <= u64::from(x.raw_chars) * 13);
            let words: usize = (i + 1..end.min(i + 64))
                .filter_map(|j| dom.text(j))
                .map(text::word_count)
                .sum();
            if (wraps_heading || whole_block) && words >= 4 {
                count += 1;
            }
        }
        count
    }

    pub(super) fn link_density(&self, i: usize) -> f64 {
        let x = self.at(i);
        if x.chars == 0 {
            0.0
        } else {
            f64::from(x.link) / f64::from(x.chars)
        }
    }
}
