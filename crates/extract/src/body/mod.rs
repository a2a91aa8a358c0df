//! Main-text extraction (the not-an-article verdict is [`crate::verdict`]).
//!
//! 1. Every element gets a flag from its tag and from general boilerplate
//!    patterns in its class/id/role/aria-label (navigation, share bars,
//!    rails, comments, captions, credits, ...). Layout wrappers that happen
//!    to match a pattern but hold the headline and much of the page's text
//!    are kept.
//! 2. Bottom-up (one reverse pass) text and link lengths per element.
//! 3. Readability-style scoring: each paragraph gives points (length,
//!    commas) to its ancestors; a candidate's score is scaled by
//!    `1 - link density`. The best candidate is widened to the enclosing
//!    `<article>` and joined by sibling containers with a similar score.
//! 4. Paragraphs are collected from the chosen containers in document order;
//!    link-dominated paragraphs, duplicated titles, bylines and short
//!    boilerplate lines are dropped.

use crate::dom::{Dom, Kind, Tag};
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::{self, fold};
use crate::{ExtractConfig, authors, dates};

/// Why an element is (possibly) excluded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum Flag {
    #[default]
    Keep,
    /// Never content (script, nav widgets, media, form controls).
    Junk,
    /// Boilerplate by tag or pattern; kept if it wraps the article or most
    /// of the page's text (a layout wrapper: "layout-right-sidebar").
    Boiler,
    /// Comments by pattern; kept only if it wraps the article.
    Comments,
    /// Boilerplate by tag alone (`<header>`, `<form>`, ...); also kept when
    /// it wraps most of the page's text (a whole-page `<form>`).
    TagBoiler,
    /// Hidden from readers; kept if it wraps the article.
    Hidden,
    /// Boilerplate only when link-dense (teasers, cards).
    Weak,
    /// An image caption.
    Caption,
    /// A photo credit / copyright line.
    Credit,
}

#[derive(Clone, Copy, Default)]
struct Info {
    own: Flag,
    removed: bool,
    /// Removed only because of a weak (link-density) pattern.
    weak_removed: bool,
    /// Removed as hidden, junk or comments (here or above).
    hard_removed: bool,
    in_junk: bool,
    in_article: bool,
    in_link: bool,
    /// This element is an `<a href>`.
    is_link: bool,
    /// Commas of a text node (cached).
    text_commas: u32,
    weight: i16,
    raw_chars: u32,
    raw_link: u32,
    has_h1: bool,
    has_marker: bool,
    /// Text of the largest kept article marker (`<article>`, `articleBody`)
    /// in the subtree.
    marker_chars: u32,
    /// This element itself is a kept article marker.
    is_marker: bool,
    /// Its class/id names the article's content ("entry-content",
    /// "article-body", "post-text").
    content_named: bool,
    /// Text of the largest content-named element in the subtree.
    content_chars: u32,
    chars: u32,
    link: u32,
    commas: u32,
    direct_chars: u32,
    direct_commas: u32,
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
    has_h1: false,
    has_marker: false,
    marker_chars: 0,
    is_marker: false,
    content_named: false,
    content_chars: 0,
    chars: 0,
    link: 0,
    commas: 0,
    direct_chars: 0,
    direct_commas: 0,
};

/// Class/id words that mark boilerplate.
const STRONG: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "navi",
    "menu",
    "menus",
    "submenu",
    "megamenu",
    "breadcrumb",
    "breadcrumbs",
    "crumbs",
    "share",
    "shares",
    "sharing",
    "sharebar",
    "sharetools",
    "social",
    "socials",
    "socialmedia",
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "subscriptions",
    "signup",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "cmp",
    "comment",
    "comments",
    "commentlist",
    "disqus",
    "respond",
    "replies",
    "footer",
    "sidebar",
    "sidebars",
    "rail",
    "ad",
    "ads",
    "adv",
    "advert",
    "adverts",
    "advertisement",
    "advertising",
    "adslot",
    "adunit",
    "adcontainer",
    "adwrapper",
    "dfp",
    "sponsor",
    "sponsored",
    "sponsors",
    "outbrain",
    "taboola",
    "related",
    "recommended",
    "recommendation",
    "recommendations",
    "recirculation",
    "recirc",
    "trending",
    "popular",
    "mostread",
    "mostpopular",
    "mostviewed",
    "skip",
    "skiplink",
    "skiplinks",
    "popup",
    "modal",
    "overlay",
    "login",
    "signin",
    "toolbar",
    "tools",
    "byline",
    "author",
    "authors",
    "bio",
    "authorbio",
    "authorbox",
    "authorinfo",
    "authordescription",
    "authordetails",
    "authorprofile",
    "authorcard",
    "aboutauthor",
    "dateline",
    "date",
    "datetime",
    "time",
    "timestamp",
    "published",
    "updated",
    "pubdate",
    "meta",
    "tags",
    "tag",
    "taglist",
    "tagcloud",
    "keywords",
    "kicker",
    "eyebrow",
    "overline",
    "pagination",
    "pager",
    "masthead",
    "disclaimer",
    "morestories",
    "seealso",
    "alsoread",
    "siteheader",
    "sitefooter",
    "pagefooter",
    "pageheader",
    "topbar",
    "bottombar",
    "banner",
    "sronly",
    "screenreader",
    "visuallyhidden",
    "print",
    "rating",
    "feedback",
    "correction",
    "corrections",
];

/// Words that only mark boilerplate as the last word of a class name.
const RISKY: &[&str] = &[
    "tag",
    "tags",
    "date",
    "datetime",
    "time",
    "meta",
    "author",
    "authors",
    "bio",
    "print",
    "published",
    "updated",
    "list",
    "more",
    "card",
    "cards",
    "grid",
    "feed",
    "stream",
    "collection",
    "cluster",
    "latest",
    "headlines",
    "rating",
    "source",
    "legend",
    "comment",
    "tools",
    "banner",
];

/// Class/id words that mark boilerplate only when the element is link-dense.
const WEAK: &[&str] = &[
    "readmore",
    "promo",
    "promos",
    "promotion",
    "promoted",
    "widget",
    "widgets",
    "teaser",
    "teasers",
    "card",
    "cards",
    "topstory",
    "topstories",
    "headlines",
    "latest",
    "more",
    "list",
    "collection",
    "grid",
    "cluster",
    "stream",
    "feed",
];

/// Stems that mark boilerplate inside a compound class word
/// ("jp-relatedposts", "sharedaddy", "commentform", "socialicons").
const STRONG_STEMS: &[&str] = &[
    "related",
    "comment",
    "sharing",
    "share",
    "social",
    "newsletter",
    "sidebar",
    "breadcrumb",
    "advert",
    "sponsor",
    "subscri",
    "cookie",
    "footer",
    "recommend",
];

/// Compound words that start with a stem but are content.
const STEM_EXCEPTIONS: &[&str] = &["commentary", "commentaries", "commentator", "commentators"];

/// Whether a class word not in the table is a compound of a boilerplate stem.
fn strong_compound(w: &str) -> bool {
    w.len() >= 8
        && !STEM_EXCEPTIONS.contains(&w)
        && STRONG_STEMS
            .iter()
            .any(|stem| w.len() >= stem.len() + 3 && (w.starts_with(stem) || w.ends_with(stem)))
}

/// A class that labels the post with a taxonomy term ("tag-open-source",
/// "category-sidebar-news", "format-standard"): its words are topics, not
/// what the block is. "tag-cloud" and "tags-list" are blocks.
fn is_taxonomy(tokens: &text::Tokens) -> bool {
    let mut words = tokens.iter();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    matches!(
        first,
        "tag" | "category" | "categories" | "topic" | "format" | "status" | "type" | "rubrik" | "ressort"
    ) && !matches!(
        second,
        "cloud" | "list" | "links" | "widget" | "box" | "container" | "wrapper"
    )
}

/// `name` without a generated suffix ("RelatedCoverage-container-3AnSP",
/// "Footer-inner-3zvCM"), so that the head word is the last real word.
fn without_hash(name: &str) -> &str {
    let Some(cut) = name.rfind(['-', '_']) else {
        return name;
    };
    let last = name.get(cut + 1..).unwrap_or_default();
    let upper = last.chars().filter(char::is_ascii_uppercase).count();
    let lower = last.chars().filter(char::is_ascii_lowercase).count();
    let hash_like = last.chars().any(|c| c.is_ascii_digit()) || (last.len() == 5 && upper >= 2 && lower >= 1);
    if hash_like && cut > 0 {
        name.get(..cut).unwrap_or(name)
    } else {
        name
    }
}

/// Words that make "comments" class words: such blocks are never kept for
/// holding most of the page's text (long comment threads do).
fn comment_word(w: &str) -> bool {
    (w.starts_with("comment") && !STEM_EXCEPTIONS.contains(&w))
        || matches!(w, "disqus" | "replies" | "respond")
}

const CAPTION: &[&str] = &["caption", "captions", "figcaption", "imagecaption", "legend"];
const CREDIT: &[&str] = &[
    "credit",
    "credits",
    "copyright",
    "photocredit",
    "imagecredit",
    "source",
];

/// Class/id words that suggest the main content.
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "hentry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "storybody",
    "richtext",
    "prose",
    "paragraph",
];

/// ARIA roles of page furniture.
const BOILER_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "toolbar",
    "tablist",
];

/// Short lines that are page furniture wherever they appear.
const FURNITURE_LINES: &[&str] = &[
    "advertisement",
    "advertising",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
    "pubblicità",
    "реклама",
    "read more",
    "read more:",
    "weiterlesen",
    "mehr lesen",
    "mehr zum thema",
    "lire la suite",
    "lire aussi",
    "à lire aussi",
    "continue reading",
    "share",
    "share this",
    "share this article",
    "share this story",
    "teilen",
    "artikel teilen",
    "partager",
    "skip to content",
    "skip to main content",
    "back to top",
    "nach oben",
    "print",
    "drucken",
    "imprimer",
    "comments",
    "kommentare",
    "commentaires",
    "related",
    "related articles",
    "related stories",
    "more on this topic",
    "recommended",
    "sponsored",
    "loading",
    "loading...",
    "click here",
    "subscribe",
    "sign up",
    "log in",
    "login",
    "follow us",
    "folgen sie uns",
    "titelbild",
    "credit",
    "credits",
    "crédits photos",
    "bildnachweis",
    "fotos",
    "keine kommentare",
    "no comments",
    "kommentieren",
    "kommentar schreiben",
    "kommentare schreiben",
    "leave a comment",
    "leave a reply",
    "tagged",
    "tags",
    "schlagworte",
    "themen",
    "inhaltsverzeichnis",
    "table of contents",
    "permalink",
    "permalien",
    "lo último",
    "aktuell",
    "bild anzeigen bild schließen",
    "externer inhalt",
    "quellen ausblenden",
    "erschienen in",
    "audios et vidéos sur le sujet",
];

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
    /// Paragraphs dropped because they were mostly a link of headline length.
    pub teaser_links: usize,
    /// Paragraphs of continuous prose (at least 25 words).
    pub prose_paragraphs: usize,
    /// Headline-sized teaser links in the whole page, outside furniture.
    pub headline_links: usize,
    pub words: usize,
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

/// A link: `<a href>`. A bare `<a name>` anchor, often left unclosed
/// around the rest of an old page, is not.
fn is_link(dom: &Dom<'_>, i: usize) -> bool {
    dom.tag(i) == Tag::A && dom.attr(i, "href").is_some()
}

fn sat(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Per-element analysis of the whole document.
struct Analysis<'d, 'a> {
    dom: &'d Dom<'a>,
    info: Vec<Info>,
}

impl<'d, 'a> Analysis<'d, 'a> {
    fn at(&self, i: usize) -> &Info {
        self.info.get(i).unwrap_or(&EMPTY)
    }

    fn new(dom: &'d Dom<'a>) -> Self {
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
            let (own, weight, marker, content_named) = match dom.kind(i) {
                Kind::Element(_, tag) => classify_element(dom, i, tag, p_article, &mut scratch),
                _ => (Flag::Keep, 0, false, false),
            };
            if let Some(x) = info.get_mut(i) {
                x.own = own;
                x.weight = weight;
                x.in_junk = p_junk || own == Flag::Junk;
                x.in_article = p_article || marker;
                x.has_marker = marker && own == Flag::Keep;
                x.is_marker = x.has_marker;
                x.content_named = content_named;
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
                    ) && me.marker_chars > 0
                        && mostly_article)
                {
                    p.has_h1 |= me.has_h1;
                    p.has_marker |= me.has_marker;
                    p.marker_chars = p.marker_chars.max(me.marker_chars);
                }
            }
        }
        let body_chars = (0..n)
            .find(|&i| dom.tag(i) == Tag::Body)
            .and_then(|b| info.get(b))
            .map_or(0, |b| b.raw_chars);
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
            let Some(me) = info.get_mut(i) else { continue };
            let wraps_article =
                (me.has_h1 || me.has_marker) && u64::from(me.raw_chars) * 10 >= u64::from(body_chars) * 3;
            let link_dense = me.raw_chars > 0 && me.raw_link * 10 >= me.raw_chars * 4;
            let wraps_most = u64::from(me.raw_chars) * 10 >= u64::from(body_chars) * 6
                && me.raw_link * 10 < me.raw_chars * 4;
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
                    Flag::Comments | Flag::Hidden => !wraps_article,
                    Flag::Boiler => !wraps_article && !wraps_most && !wraps_content,
                    // A landmark tag that fills `<main>` or a content-named
                    // block is a misused wrapper (`<aside>` around the whole
                    // story, a `<form>` around a product text), however
                    // small the story is next to the page's furniture.
                    Flag::TagBoiler => !wraps_article && !wraps_most && !wraps_content && !fills_main,
                    // A whole-page wrapper is never a teaser block.
                    Flag::Weak => {
                        link_dense
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
    fn headline_links(&self) -> usize {
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

    fn link_density(&self, i: usize) -> f64 {
        let x = self.at(i);
        if x.chars == 0 {
            0.0
        } else {
            f64::from(x.link) / f64::from(x.chars)
        }
    }
}

/// Whether an inline style hides the element (`display: none`,
/// `visibility: hidden`), ignoring whitespace and case, without allocating.
pub(crate) fn hides(style: &str) -> bool {
    let compact = style
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_lowercase());
    let mut window = [0u8; 17];
    let mut n = 0usize;
    for b in compact {
        if n == window.len() {
            window.copy_within(1.., 0);
            n -= 1;
        }
        if let Some(slot) = window.get_mut(n) {
            *slot = b;
        }
        n += 1;
        let w = window.get(..n).unwrap_or_default();
        if w.ends_with(b"display:none") || w.ends_with(b"visibility:hidden") {
            return true;
        }
    }
    false
}

/// What the words of a class/id value say.
#[derive(Clone, Copy, Default)]
struct NameBits {
    strong: bool,
    /// A boilerplate word is the head (last) word of a name.
    strong_head: bool,
    comments: bool,
    weak: bool,
    caption: bool,
    credit: bool,
    positive: bool,
    /// A name for the article's content ("entry-content", "article-body").
    content_named: bool,
    /// A utility class that hides the element ("sr-only", "d-none").
    hidden: bool,
}

impl NameBits {
    fn or(self, o: Self) -> Self {
        Self {
            strong: self.strong || o.strong,
            strong_head: self.strong_head || o.strong_head,
            comments: self.comments || o.comments,
            weak: self.weak || o.weak,
            caption: self.caption || o.caption,
            credit: self.credit || o.credit,
            positive: self.positive || o.positive,
            content_named: self.content_named || o.content_named,
            hidden: self.hidden || o.hidden,
        }
    }
}

const HIDING_CLASSES: &[&str] = &[
    "hidden",
    "is-hidden",
    "d-none",
    "hide",
    "u-hidden",
    "visually-hidden",
    "visuallyhidden",
    "sr-only",
    "screen-reader-text",
    "screenreader-only",
    "element-invisible",
    "offscreen",
];

/// Reused buffers and the per-document cache for [`classify_element`].
#[derive(Default)]
struct Scratch<'a> {
    tokens: text::Tokens,
    pair: String,
    cache: HashMap<&'a str, NameBits, text::FnvBuild>,
    names: HashMap<&'a str, NameBits, text::FnvBuild>,
}

impl<'a> Scratch<'a> {
    /// Analyzes the whitespace-separated names of one attribute value. Names
    /// repeat across values ("menu-item menu-item-type-page menu-item-14"):
    /// each is analyzed once per document.
    fn analyze(&mut self, value: &'a str, is_class: bool) -> NameBits {
        let mut out = NameBits::default();
        if is_class {
            let responsive_show = value.split_whitespace().any(|c| {
                c.contains(':')
                    && ["block", "flex", "grid", "inline", "table"]
                        .iter()
                        .any(|d| c.ends_with(d))
            });
            out.hidden = !responsive_show
                && value
                    .split_whitespace()
                    .any(|c| HIDING_CLASSES.iter().any(|h| c.eq_ignore_ascii_case(h)));
        }
        for name in value.split_whitespace().take(32) {
            let bits = match self.names.get(name) {
                Some(&b) => b,
                None => {
                    let b = self.analyze_name(name);
                    if self.names.len() < 8192 {
                        self.names.insert(name, b);
                    }
                    b
                }
            };
            out = out.or(bits);
        }
        out
    }

    /// What one class or id name says (never `hidden`: that is the value's).
    fn analyze_name(&mut self, name: &str) -> NameBits {
        let mut out = NameBits::default();
        let words = word_table();
        // A BEM modifier ("Section--Ads", "teaser--sidebar") describes a
        // variant of the block, not what the block is: its words may
        // say "content", never "boilerplate".
        let (block, modifier) = match name.as_bytes().windows(2).position(|w| w == b"--") {
            Some(cut) if cut > 0 => (
                name.get(..cut).unwrap_or(name),
                name.get(cut..).unwrap_or_default(),
            ),
            _ => (name, ""),
        };
        self.tokens.clear();
        self.tokens.push_attr(without_hash(block));
        let block_words = self.tokens.len();
        self.tokens.push_attr(modifier);
        if is_taxonomy(&self.tokens) {
            return out;
        }
        let last = block_words.saturating_sub(1);
        let mut prev: Option<&str> = None;
        let (mut owner, mut part, mut name_strong) = (false, false, false);
        for (k, w) in self.tokens.iter().enumerate() {
            let mut bits = match words.get(w) {
                Some(&b) => b,
                None => u16::from(strong_compound(w)) * STRONG_BIT + u16::from(comment_word(w)) * COMMENT_BIT,
            };
            out.comments |= bits & COMMENT_BIT != 0;
            owner |= bits & OWNER_BIT != 0;
            part |= bits & PART_BIT != 0;
            out.content_named |= bits & CONTENT_BIT != 0;
            if k >= block_words {
                bits &= POSITIVE_BIT | OWNER_BIT | PART_BIT | CONTENT_BIT;
            }
            // Modifiers describe the page, not the block: "no-share",
            // "has-sidebar", "with-navigation".
            if matches!(
                prev,
                Some("no" | "has" | "with" | "without" | "hide" | "show" | "enable" | "disable" | "is")
            ) {
                bits &= !(STRONG_BIT | WEAK_BIT);
            }
            // Ambiguous words only count as the head (last) word of a
            // name: "post-tags" is a tag list, "tag-politics" is a
            // post's class.
            if bits & RISKY_BIT != 0 && k != last {
                bits = 0;
            }
            // "overflow-hidden" and similar utilities do not hide content.
            if w == "hidden" && matches!(prev, Some("overflow" | "x" | "y")) {
                bits &= !STRONG_BIT;
            }
            if let Some(p) = prev.filter(|p| p.len() + w.len() <= MAX_TABLE_WORD) {
                self.pair.clear();
                self.pair.push_str(p);
                self.pair.push_str(w);
                bits |= words.get(self.pair.as_str()).copied().unwrap_or(0) & PAIR_BITS;
            }
            let strong = bits & STRONG_BIT != 0;
            out.strong |= strong;
            name_strong |= strong;
            // The head (last) word names the thing: "article-comments"
            // is comments, "content-sidebar" a sidebar.
            out.strong_head |= k == last && strong;
            out.weak |= bits & WEAK_BIT != 0;
            out.caption |= bits & CAPTION_BIT != 0;
            out.credit |= bits & CREDIT_BIT != 0;
            out.positive |= bits & POSITIVE_BIT != 0;
            prev = Some(w);
        }
        out.content_named |= owner && part && !name_strong;
        out
    }
}

const STRONG_BIT: u16 = 1;
const WEAK_BIT: u16 = 2;
const CAPTION_BIT: u16 = 4;
const CREDIT_BIT: u16 = 8;
const POSITIVE_BIT: u16 = 16;
const RISKY_BIT: u16 = 32;
/// Words that name what owns a block: "article", "entry", "post", ...
const OWNER_BIT: u16 = 64;
/// Words that name a content part: "content", "body", "text", "inner".
const PART_BIT: u16 = 128;
/// Words that name the article's content on their own ("articlebody").
const CONTENT_BIT: u16 = 256;
/// Words of comment sections.
const COMMENT_BIT: u16 = 512;
/// Bits that a pair of words ("read" + "more") may contribute.
const PAIR_BITS: u16 = STRONG_BIT | WEAK_BIT | CAPTION_BIT | CREDIT_BIT | POSITIVE_BIT;

type WordTable = HashMap<&'static str, u16, text::FnvBuild>;

/// The longest word in the table: longer pairs need no lookup.
const MAX_TABLE_WORD: usize = 24;

/// Class/id word -> category bits, built once.
fn word_table() -> &'static WordTable {
    static TABLE: OnceLock<WordTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = WordTable::default();
        for (list, bit) in [
            (STRONG, STRONG_BIT),
            (WEAK, WEAK_BIT),
            (CAPTION, CAPTION_BIT),
            (CREDIT, CREDIT_BIT),
            (POSITIVE, POSITIVE_BIT),
            (RISKY, RISKY_BIT),
        ] {
            for w in list {
                *m.entry(w).or_insert(0) |= bit;
            }
        }
        for (list, bit) in [
            (
                &["article", "entry", "post", "story", "news", "blog"][..],
                OWNER_BIT,
            ),
            (&["content", "body", "text", "inner"][..], PART_BIT),
            (
                &[
                    "articlebody",
                    "storybody",
                    "postbody",
                    "entrycontent",
                    "postcontent",
                    "articletext",
                ][..],
                CONTENT_BIT,
            ),
        ] {
            for w in list {
                *m.entry(w).or_insert(0) |= bit;
            }
        }
        let words: Vec<&'static str> = m.keys().copied().collect();
        for w in words {
            if comment_word(w) {
                *m.entry(w).or_insert(0) |= COMMENT_BIT;
            }
        }
        m
    })
}

/// Flag, class weight, "article marker" and "content-named" for one element.
fn classify_element<'a>(
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    in_article: bool,
    scratch: &mut Scratch<'a>,
) -> (Flag, i16, bool, bool) {
    let Some(el) = dom.element(i) else {
        return (Flag::Keep, 0, false, false);
    };
    // One pass over the attributes (Element::attr interns the name per call).
    let mut class = None;
    let mut names: [Option<&str>; 4] = [None; 4];
    let mut hidden = false;
    let mut role = "";
    let mut itemprop = "";
    let mut names_control = false;
    for (name, value) in el.attrs() {
        match name {
            "class" => class = Some(value),
            "id" => names[0] = Some(value),
            "aria-label" => names[1] = Some(value),
            "data-component" => names[2] = Some(value),
            "data-module" => names[3] = Some(value),
            "role" => role = value,
            "itemprop" => itemprop = value,
            "hidden" => hidden = true,
            "aria-hidden" => hidden |= value.eq_ignore_ascii_case("true"),
            "style" => hidden |= hides(value),
            "for" => names_control = true,
            _ => {}
        }
    }
    // A label naming a form control ("Size", "Quantity:") is part of the form.
    if tag == Tag::Label && names_control {
        return (Flag::Junk, 0, false, false);
    }
    let is_body_prop = itemprop.eq_ignore_ascii_case("articleBody");
    let marker = tag == Tag::Article || is_body_prop || role.eq_ignore_ascii_case("article");
    let tag_flag = match tag {
        Tag::Script
        | Tag::Style
        | Tag::Noscript
        | Tag::Template
        | Tag::Svg
        | Tag::Math
        | Tag::Canvas
        | Tag::Iframe
        | Tag::Object
        | Tag::Embed
        | Tag::Button
        | Tag::Input
        | Tag::Select
        | Tag::Textarea
        | Tag::Option
        | Tag::Img
        | Tag::Picture
        | Tag::Video
        | Tag::Audio
        | Tag::Source
        | Tag::Map
        | Tag::Dialog
        | Tag::AmpWidget
        | Tag::Head
        | Tag::Title
        | Tag::Meta
        | Tag::Link
        | Tag::Ruby => return (Flag::Junk, 0, false, false),
        Tag::Nav | Tag::Aside | Tag::Form | Tag::Footer | Tag::Menu => Flag::Boiler,
        Tag::Header if !in_article && !marker => Flag::Boiler,
        Tag::Figcaption => Flag::Caption,
        _ => Flag::Keep,
    };
    if matches!(tag, Tag::Html | Tag::Body) {
        return (Flag::Keep, 0, false, false);
    }
    let role_boiler = BOILER_ROLES.iter().any(|r| role.eq_ignore_ascii_case(r));
    let mut positive = marker || role.eq_ignore_ascii_case("main") || tag == Tag::Main;
    // Class strings repeat across a page ("menu-item", "card"): their
    // analysis is cached per document.
    let mut bits = match class {
        Some(class) => match scratch.cache.get(class) {
            Some(&b) => b,
            None => {
                let b = scratch.analyze(class, true);
                if scratch.cache.len() < 4096 {
                    scratch.cache.insert(class, b);
                }
                b
            }
        },
        None => NameBits::default(),
    };
    for value in names.into_iter().flatten() {
        bits = bits.or(scratch.analyze(value, false));
    }
    hidden |= bits.hidden;
    let NameBits {
        strong,
        strong_head,
        comments,
        weak,
        caption,
        credit,
        positive: class_positive,
        ..
    } = bits;
    let content_named = bits.content_named && !comments;
    positive |= class_positive;
    let mut weight: i16 = 0;
    if positive {
        weight += 25;
    }
    if strong || weak || role_boiler {
        weight -= 25;
    }
    if is_body_prop {
        weight += 25;
    }
    // Landmark tags and roles (`<header>`, `<form>`, `role=banner`) are
    // sometimes misused as whole-page wrappers; class words are surer.
    let flag = if (tag_flag == Flag::Boiler || (tag_flag == Flag::Keep && role_boiler)) && !strong {
        Flag::TagBoiler
    } else if tag_flag != Flag::Keep {
        tag_flag
    } else if is_body_prop || tag == Tag::Main {
        if hidden { Flag::Hidden } else { Flag::Keep }
    } else if credit {
        Flag::Credit
    } else if caption {
        Flag::Caption
    } else if hidden {
        Flag::Hidden
    } else if content_named {
        if hidden { Flag::Hidden } else { Flag::Keep }
    } else if strong && (!class_positive || strong_head) {
        if comments { Flag::Comments } else { Flag::Boiler }
    } else if weak || strong {
        Flag::Weak
    } else {
        Flag::Keep
    };
    (flag, weight, marker, content_named)
}

/// Readability-style candidate scores.
fn score(an: &Analysis<'_, '_>) -> Vec<Option<f64>> {
    let dom = an.dom;
    let mut scores: Vec<Option<f64>> = vec![None; dom.len()];
    let init = |i: usize| -> f64 {
        let base = match dom.tag(i) {
            Tag::Div | Tag::Article | Tag::Section | Tag::Main => 5.0,
            Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
            Tag::Address | Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => -3.0,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 | Tag::Th => -5.0,
            _ => 0.0,
        };
        let tag_bonus = match dom.tag(i) {
            Tag::Article => 10.0,
            Tag::Main => 5.0,
            _ => 0.0,
        };
        base + tag_bonus + f64::from(an.at(i).weight)
    };
    for i in 0..dom.len() {
        let x = an.at(i);
        if x.removed {
            continue;
        }
        let tag = dom.tag(i);
        let (chars, commas) = match tag {
            Tag::P | Tag::Pre | Tag::Blockquote => (x.chars, x.commas),
            Tag::Div | Tag::Section | Tag::Article | Tag::Main | Tag::Td => (x.direct_chars, x.direct_commas),
            _ => continue,
        };
        if chars < 25 {
            continue;
        }
        // Paragraphs that are mostly a link give nothing.
        if x.chars > 0 && x.link * 2 > x.chars {
            continue;
        }
        let points = 1.0 + f64::from(commas) + (f64::from(chars) / 100.0).min(3.0);
        for (level, a) in dom.ancestors(i).take(5).enumerate() {
            if an.at(a).removed || dom.tag(a) == Tag::None {
                break;
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            if let Some(s) = scores.get_mut(a) {
                let cur = s.get_or_insert_with(|| init(a));
                *cur += points / div;
            }
        }
    }
    for (i, s) in scores.iter_mut().enumerate() {
        if let Some(v) = s {
            *v *= 1.0 - an.link_density(i);
        }
    }
    scores
}

/// Builds paragraphs while walking a container.
#[derive(Default)]
struct Collector {
    paragraphs: Vec<(Paragraph, usize, usize)>,
    captions: Vec<String>,
    buf: String,
    kind: Option<ParaKind>,
    chars: usize,
    link_chars: usize,
    pending_br: u8,
}

impl Collector {
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        let kind = self.kind.take().unwrap_or(ParaKind::Text);
        let text = if kind == ParaKind::Pre {
            let lines: Vec<String> = raw.lines().map(text::normalize).collect();
            let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
            let last = lines.iter().rposition(|l| !l.is_empty()).map_or(first, |p| p + 1);
            lines.get(first..last).unwrap_or_default().join("\n")
        } else {
            // Already whitespace-collapsed while collecting; only trim.
            let mut raw = raw;
            let end = raw.trim_end().len();
            raw.truncate(end);
            if raw.starts_with(' ') {
                raw.remove(0);
            }
            raw
        };
        if !text.is_empty() {
            let words = text::word_count(&text);
            self.paragraphs
                .push((Paragraph { text, kind, words }, self.chars, self.link_chars));
        }
        self.chars = 0;
        self.link_chars = 0;
        self.pending_br = 0;
    }

    fn add_caption(&mut self, caption: String, include: bool) {
        if include {
            self.flush();
            let words = text::word_count(&caption);
            self.paragraphs.push((
                Paragraph {
                    text: caption.clone(),
                    kind: ParaKind::Caption,
                    words,
                },
                0,
                0,
            ));
        }
        if !self.captions.contains(&caption) {
            self.captions.push(caption);
        }
    }
}

fn block_kind(tag: Tag) -> Option<ParaKind> {
    match tag {
        Tag::Li | Tag::Dt | Tag::Dd => Some(ParaKind::ListItem),
        Tag::Blockquote => Some(ParaKind::Quote),
        Tag::Pre => Some(ParaKind::Pre),
        t => t.heading_level().map(ParaKind::Heading),
    }
}

/// Text of a caption element without credits, hidden parts or junk.
fn caption_text(an: &Analysis<'_, '_>, c: usize) -> Option<String> {
    let dom = an.dom;
    let mut out = String::new();
    let end = dom.end(c);
    let mut j = c + 1;
    while j < end {
        let x = an.at(j);
        if matches!(
            x.own,
            Flag::Credit | Flag::Junk | Flag::Hidden | Flag::Boiler | Flag::Comments | Flag::TagBoiler
        ) {
            j = dom.end(j);
            continue;
        }
        if let Some(t) = dom.text(j) {
            text::push_collapsed(&mut out, t);
        } else if dom.tag(j).is_block() || dom.tag(j) == Tag::Br {
            text::push_collapsed(&mut out, " ");
        }
        j += 1;
        if out.len() > 2000 {
            break;
        }
    }
    let t = strip_credit(text::normalize(&out).as_str()).to_string();
    (text::word_count(&t) >= 2).then_some(t)
}

/// Removes a trailing photo credit ("... Image: A. Name/REUTERS").
fn strip_credit(s: &str) -> &str {
    const MARKERS: &[&str] = &[
        "Image:",
        "Photo:",
        "Picture:",
        "Foto:",
        "Bild:",
        "Fotos:",
        "Photos:",
        "Credit:",
        "Credits:",
        "Source:",
        "Quelle:",
        "Crédit:",
        "Crédits:",
        "Фото:",
        "©",
        "(c)",
    ];
    let mut cut = s.len();
    // Most text has no marker at all: every one but two holds a colon.
    let colon = memchr::memchr(b':', s.as_bytes()).is_some();
    for m in MARKERS {
        if !colon && m.ends_with(':') {
            continue;
        }
        if let Some(p) = s.rfind(m) {
            let tail = s.get(p..).unwrap_or_default();
            if text::word_count(tail) <= 8 && p < cut {
                cut = p;
            }
        }
    }
    s.get(..cut).unwrap_or(s).trim_end()
}

/// Walks the containers in document order and cuts their text into
/// paragraphs.
fn collect(an: &Analysis<'_, '_>, containers: &[usize], include_captions: bool) -> Collector {
    let dom = an.dom;
    let mut c = Collector::default();
    for &root in containers {
        let end = dom.end(root);
        let mut open: Vec<(usize, Tag)> = Vec::new();
        let mut link_until = 0usize;
        let mut pre_until = 0usize;
        let mut j = root;
        while j < end {
            while open.last().is_some_and(|&(e, _)| e <= j) {
                open.pop();
                c.flush();
            }
            let x = an.at(j);
            if x.removed {
                if x.own == Flag::Caption
                    && let Some(t) = caption_text(an, j)
                {
                    c.add_caption(t, include_captions);
                }
                j = dom.end(j);
                continue;
            }
            match dom.kind(j) {
                Kind::Element(_, tag) => {
                    if matches!(tag, Tag::Td | Tag::Th) && inline_only(dom, j) {
                        // A cell of plain text: a row reads as one line
                        // ("125 g | flour"), not as a paragraph per cell.
                        if !c.buf.trim().is_empty() && !c.buf.ends_with(' ') {
                            c.buf.push(' ');
                        }
                    } else if tag.is_block() {
                        c.flush();
                        open.push((dom.end(j), tag));
                    } else if tag == Tag::Br {
                        c.pending_br = c.pending_br.saturating_add(1);
                    }
                    if an.at(j).is_link {
                        link_until = link_until.max(dom.end(j));
                    }
                    if tag == Tag::Pre {
                        pre_until = pre_until.max(dom.end(j));
                    }
                }
                Kind::Text(t) => {
                    let in_pre = j < pre_until;
                    if c.pending_br > 0 && !c.buf.trim().is_empty() {
                        if c.pending_br >= 2 && !in_pre {
                            c.flush();
                        } else {
                            c.buf.push(if in_pre { '\n' } else { ' ' });
                        }
                    }
                    c.pending_br = 0;
                    if c.kind.is_none() && !t.trim().is_empty() {
                        let kind = open
                            .iter()
                            .rev()
                            .take(3)
                            .find_map(|&(_, tag)| block_kind(tag))
                            .unwrap_or(ParaKind::Text);
                        c.kind = Some(kind);
                    }
                    if in_pre {
                        c.buf.push_str(t);
                    } else {
                        text::push_collapsed(&mut c.buf, t);
                    }
                    let n = x.raw_chars as usize;
                    c.chars += n;
                    if j < link_until {
                        c.link_chars += n;
                    }
                    if c.buf.len() > 1 << 26 {
                        // Pathological single paragraph: stop growing it.
                        c.flush();
                    }
                }
                Kind::Other => {}
            }
            j += 1;
        }
        c.flush();
    }
    c
}

/// A line of tiny cells only: a calendar week ("05 06 07 08 09 10 11",
/// "Mo Di Mi Do Fr Sa So") or a pager ("1 2 3 4 5").
fn is_grid_row(p: &str) -> bool {
    let mut n = 0;
    for w in p.split_whitespace() {
        n += 1;
        if n > 16 || w.chars().count() > 2 {
            return false;
        }
    }
    n >= 4
}

/// Whether `i` holds no block element (a table cell of plain text).
fn inline_only(dom: &Dom<'_>, i: usize) -> bool {
    (i + 1..dom.end(i)).all(|k| dom.element(k).is_none() || !dom.tag(k).is_block())
}

/// A line that is only a time or date stamp ("11:42", "Updated 09:15 GMT",
/// "Published 25.11.2022, 14:30").
fn is_timestamp_line(p: &str) -> bool {
    let f = fold(p);
    let mut rest = f.as_str();
    for lead in [
        "last updated",
        "updated",
        "published",
        "posted",
        "aktualisiert",
        "stand",
        "mis à jour",
        "publié le",
        "publié",
    ] {
        if let Some(r) = rest.strip_prefix(lead) {
            rest = r.trim_start_matches([':', ' ']);
            break;
        }
    }
    let had_lead = rest.len() != f.len();
    let time_like = !rest.is_empty()
        && rest.chars().any(|c| c.is_ascii_digit())
        && (rest.contains(':') || dates::find_in_text(rest, false).is_some())
        && rest.split_whitespace().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '/' | '-'))
                || matches!(
                    w,
                    "am" | "pm"
                        | "a.m."
                        | "p.m."
                        | "uhr"
                        | "h"
                        | "gmt"
                        | "utc"
                        | "bst"
                        | "cet"
                        | "cest"
                        | "et"
                        | "pt"
                )
        });
    time_like || (had_lead && text::word_count(rest) <= 6 && dates::find_in_text(rest, false).is_some())
}

fn is_furniture(p: &str) -> bool {
    if is_timestamp_line(p) {
        return true;
    }
    let f = fold(p);
    let f = f.trim_end_matches([':', '…', '.', '›', '»', '>', ' ']);
    if FURNITURE_LINES.contains(&f) {
        return true;
    }
    if (f.starts_with("skip ") || f.starts_with("jump to ")) && text::word_count(f) <= 8 {
        return true;
    }
    strip_credit(p).is_empty() || is_credit_line(p)
}

/// A short paragraph carrying a picture credit or a figure label (`f` is
/// the paragraph folded to lowercase).
fn is_caption_line(f: &str) -> bool {
    const MARKERS: &[&str] = &[
        "photo:",
        "foto:",
        "fotos:",
        "photos:",
        "bild:",
        "image:",
        "abbildung:",
        "abb.:",
        "grafik:",
        "crédit photo",
        "crédits photo",
    ];
    // The label of a zoom button left before the caption text.
    MARKERS.iter().any(|m| f.contains(m)) || f.starts_with("vergrößern ") || f.starts_with("bild vergrößern")
}

/// Calls to action that are never article text, wherever they stand (`f`
/// folded to lowercase).
fn is_strong_call_to_action(f: &str) -> bool {
    // Page controls that end in a spinner or ask to log in.
    if f.ends_with("loading...") || f.ends_with("loading…") || f.starts_with("lade weitere") {
        return true;
    }
    if ["einloggen", "eingeloggt", "log in to", "logged in to"]
        .iter()
        .any(|m| f.contains(m))
    {
        return true;
    }
    if ["permalink", "permalien", "keine kommentare", "no comments"]
        .iter()
        .any(|m| f.starts_with(m))
    {
        return true;
    }
    const PHRASES: &[&str] = &[
        "newsletter",
        "sign up to",
        "signing up to",
        "subscribe to",
        "subscribe now",
        "jetzt abonnieren",
        "werden sie mitglied",
        "jede kleine spende",
        "jetzt spenden",
        "donate now",
        "suscríbete",
        "abonnez-vous",
        "letter to the editor",
    ];
    PHRASES.iter().any(|m| f.contains(m))
}

/// The placeholder of an embed that waits for consent: "Twitter
/// freischalten", "We respect your privacy and do not connect to Twitter
/// without your consent" (`f` folded to lowercase).
fn is_consent_notice(f: &str, words: usize) -> bool {
    const PHRASES: &[&str] = &[
        "externe inhalte angezeigt",
        "externe inhalte laden",
        "externen inhalt laden",
        "ohne dein einverständnis",
        "ohne ihr einverständnis",
        "keine verbindung zu",
        "cookies akzeptieren",
        "datenschutzeinstellungen",
        "to view this content",
        "to display this content",
        "accept cookies",
        "consent to the use of cookies",
        "accepter les cookies",
        "aceptar las cookies",
        "aceptar cookies",
    ];
    if words <= 3 && (f.ends_with("freischalten") || f.ends_with("aktivieren") && f.contains("inhalt")) {
        return true;
    }
    PHRASES.iter().any(|m| f.contains(m))
}

/// A notice that the page advertises: "Anzeige", "*Werbung", "Sponsored"
/// (`f` folded to lowercase).
fn is_ad_notice(f: &str) -> bool {
    let f = f.trim_start_matches(['*', ' ', '[', '(']);
    [
        "anzeige",
        "werbung",
        "enthält werbung",
        "advertisement",
        "sponsored",
        "publicidad",
        "publicité",
    ]
    .iter()
    .any(|m| f.starts_with(m))
        || (f.contains("affiliate") && text::word_count(f) <= 12)
}

/// Agencies and picture libraries named in photo credits.
const PICTURE_SOURCES: &[&str] = &[
    "getty",
    "images",
    "afp",
    "reuters",
    "dpa",
    "ap",
    "epa",
    "imago",
    "picture",
    "alliance",
    "shutterstock",
    "istock",
    "istockphoto",
    "unsplash",
    "pixabay",
    "keystone",
    "anadolu",
    "efe",
    "ansa",
    "xinhua",
    "wenn",
    "photo",
    "foto",
    "fotos",
    "photos",
    "bild",
    "credit",
    "credits",
    "crédits",
];

/// A photo credit standing alone: "Augusta National/Getty Images",
/// "AFP / MARCO BERTORELLO", "Judy Eddy/WENN.com". An agency sign-off with
/// parentheses ("rmt/sms (dpa, Reuters)") is part of the article.
fn is_credit_line(p: &str) -> bool {
    if !p.contains('/') || p.contains('(') || text::word_count(p) > 8 || text::ends_sentence(p) {
        return false;
    }
    let f = fold(p);
    f.split(|c: char| !c.is_alphanumeric())
        .any(|w| PICTURE_SOURCES.contains(&w))
}

/// Phrases of calls to action and notices that close pages: subscribe,
/// follow, donate, copyright. Only looked for in the last paragraphs.
const CALL_TO_ACTION: &[&str] = &[
    "subscribe",
    "subscriber",
    "subscription",
    "newsletter",
    "follow us",
    "follow the",
    "sign up",
    "signing up",
    "download the",
    "support us",
    "support our",
    "become a member",
    "all rights reserved",
    "copyrighted",
    "written permission",
    "abonnieren",
    "abonniere",
    "abonnement",
    "abonnez",
    "abonne",
    "folgen sie",
    "folge uns",
    "unterstütze",
    "unterstützen sie",
    "spende",
    "alle rechte vorbehalten",
    "suscríbete",
    "suscribete",
    "suscripción",
    "síguenos",
    "siguenos",
    "hazte miembro",
    "únete",
    "todos los derechos reservados",
    "tous droits réservés",
    "suivez-nous",
    "zapraszamy",
    "subskrypcj",
    "iscriviti",
    "seguici",
    "assine",
    "siga-nos",
    "copyright",
    "©",
    "cc-by",
    "wszelkie prawa zastrzeżone",
    "prawem autorskim",
    "supporting our work",
    "get the latest news",
    "letter to the editor",
    "abgelegt unter",
    "veröffentlicht und wurde unter",
    "this entry was posted",
    "bookmark the permalink",
    "be sociable",
    "nicht eingeloggt",
    "kommentare erscheinen",
    // Sharing, cross-promotion and posting metadata closing a page.
    "artikel teilen",
    "beitrag teilen",
    "share this article",
    "share this post",
    "partager cet article",
    "compartir este artículo",
    "help us continue",
    "kennt ihr schon",
    "kennen sie schon",
    "youtube channel",
    "youtube-kanal",
    "canal de youtube",
    "findest du hier",
    "finden sie hier",
    "weitere infos unter",
    "in unserem beitrag",
    "mit uns in kontakt",
    "gibt die meinung des autors wieder",
    "last modified:",
    "category:",
    "category :",
    "kategorie:",
    "categoría:",
    "catégorie :",
    "filed under",
];

/// A reader appeal that opens the block closing a page: a request for
/// support or membership, or the wall in front of the rest of the text.
fn is_appeal(p: &Paragraph) -> bool {
    const APPEALS: &[&str] = &[
        "support our work",
        "supporting our work",
        "support us",
        "support independent",
        "become a member",
        "unterstütze uns",
        "unterstütze unser",
        "unterstützen sie uns",
        "unterstützen sie unser",
        "unterstützt uns",
        "bezahlschranke",
        "paywall",
        "apóyanos",
        "apoya el periodismo",
        "hazte miembro",
        "hazte socio",
        "únete a nuestra comunidad",
        "pour lire la suite",
        "pour accéder en illimité",
        "soutenez-nous",
        "soutenez notre",
        "sostienici",
        "sostieni il",
        "apoie o",
        "wesprzyj nas",
        "steun ons",
    ];
    if p.words > 60 {
        return false;
    }
    let f = fold(&p.text);
    APPEALS.iter().any(|c| f.contains(c))
}

fn is_call_to_action(p: &Paragraph) -> bool {
    if p.words > 60 {
        return false;
    }
    let f = fold(&p.text);
    CALL_TO_ACTION.iter().any(|c| f.contains(c))
}

/// Labels of the sections that follow an article: contacts, further
/// reading, related stories, the author box, sources.
const TAIL_LABELS: &[&str] = &[
    "kontakt",
    "pressekontakt",
    "ansprechpartner",
    "ansprechpartnerin",
    "ansprechpersonen",
    "weitere informationen",
    "mehr informationen",
    "weitere infos",
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "quellen",
    "quellenangaben",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "lesen sie auch",
    "mehr zum thema",
    "zum weiterlesen",
    "schon gelesen?",
    "ähnliche beiträge",
    "ähnliche artikel",
    "verwandte artikel",
    "weitere artikel",
    "weitere beiträge",
    "contact",
    "contacts",
    "media contact",
    "press contact",
    "more information",
    "further information",
    "further reading",
    "about the author",
    "related",
    "related articles",
    "related stories",
    "related posts",
    "you may also like",
    "you might also like",
    "read more",
    "read next",
    "more stories",
    "temas relacionados",
    "noticias relacionadas",
    "te puede interesar",
    "lee también",
    "contacto",
    "articles similaires",
    "à lire aussi",
    "a lire aussi",
    "sur le même sujet",
    "lire aussi",
    "leggi anche",
    "potrebbe interessarti",
    "articoli correlati",
    "czytaj także",
    "czytaj też",
    "leia também",
    "gerelateerde artikelen",
    "lees ook",
];

/// Labels of an author box at the end of a page.
const AUTHOR_BOX_LABELS: &[&str] = &[
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "about the author",
    "à propos de l'auteur",
    "sobre el autor",
    "weitere beiträge aus der kolumne",
];

/// Cuts a closing section that starts with a label from [`TAIL_LABELS`]
/// when nothing after the label is prose (the article goes on after an
/// inline "Lesen Sie auch" link; a contact box or a related rail does not).
fn cut_tail_section(kept: &mut Vec<Paragraph>) {
    let n = kept.len();
    if n < 3 {
        return;
    }
    // Longest paragraph from each index to the end.
    let mut longest_after = vec![0usize; n + 1];
    for k in (0..n).rev() {
        let words = kept.get(k).map_or(0, |p| p.words);
        let next = longest_after.get(k + 1).copied().unwrap_or(0);
        if let Some(slot) = longest_after.get_mut(k) {
            *slot = next.max(words);
        }
    }
    let cut = (2..n).find(|&k| {
        let Some(p) = kept.get(k) else { return false };
        if p.words > 8 {
            return false;
        }
        let f = fold(&p.text);
        let label = f.trim_end_matches([':', '.', '…', ' ', '»', '›']);
        // An author box is prose, but it closes the page.
        let author_box = AUTHOR_BOX_LABELS.contains(&label) && k * 4 >= n * 3;
        author_box || (longest_after.get(k + 1).copied().unwrap_or(0) < 30 && TAIL_LABELS.contains(&label))
    });
    if let Some(k) = cut {
        kept.truncate(k);
    }
}

/// Drops what trails the article: short lines that are not sentences (the
/// titles of removed rails: "Auch interessant", "Temas relacionados",
/// "More from ...") and calls to action, from the end backwards.
fn trim_tail(kept: &mut Vec<Paragraph>) {
    // An appeal block closes the page ("Support our work ... Join ... Learn
    // how we are funded"): from its first call to action on, when only a few
    // short paragraphs follow.
    let n = kept.len();
    let start = n.saturating_sub(6).max(n / 2).max(2);
    if let Some(k) = (start..n).find(|&k| kept.get(k).is_some_and(is_appeal))
        && kept.iter().skip(k).all(|p| p.words <= 60)
    {
        kept.truncate(k);
    }
    while kept.len() > 2 {
        let Some(last) = kept.last() else { break };
        let t = last.text.trim_end();
        let label = t.ends_with(':') || !text::ends_sentence(t);
        let dangling = match last.kind {
            ParaKind::Heading(_) => label || last.words <= 6,
            // Not an agency sign-off: "rmt/sms (dpa, Reuters)".
            ParaKind::Text => last.words <= 6 && label && !t.contains(['(', '/']),
            _ => false,
        };
        if dangling || is_call_to_action(last) {
            kept.pop();
        } else {
            break;
        }
    }
}

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
fn choose(an: &Analysis<'_, '_>, scores: &[Option<f64>]) -> Vec<usize> {
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

/// Paragraphs of a text given whole (JSON-LD `articleBody`): markup, if
/// any, is dropped; line breaks separate paragraphs.
fn paragraphs_of(raw: &str) -> Vec<Paragraph> {
    let mut plain = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push('\n');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = text::decode_entities(&plain);
    plain
        .lines()
        .map(text::normalize)
        .filter(|l| !l.is_empty())
        .map(|t| {
            let words = text::word_count(&t);
            Paragraph {
                text: t,
                kind: ParaKind::Text,
                words,
            }
        })
        .collect()
}

/// Class words of a lead paragraph (standfirst) set apart from the body.
const LEAD_WORDS: &[&str] = &[
    "lead",
    "leader",
    "intro",
    "chapo",
    "standfirst",
    "vorspann",
    "sommario",
    "perex",
    "subheadline",
    "deck",
    "entradilla",
    "bajada",
    "sapo",
];

/// The lead paragraph just before the chosen containers, when the page sets
/// it apart (`itemprop=description`, a "lead"/"intro"/"chapo" class) in a
/// block the containers do not include: it is the article's first
/// paragraph. Nothing but a little text may stand between the two.
fn lead_before(an: &Analysis<'_, '_>, containers: &[usize]) -> Option<String> {
    let dom = an.dom;
    let container = *containers.iter().min()?;
    // From the first text the containers give, so that a lead inside them
    // but in a removed header counts too.
    let first = (container..dom.end(container))
        .find(|&i| dom.text(i).is_some() && !an.at(i).removed && an.at(i).raw_chars > 0)
        .unwrap_or(container);
    let mut between = 0u32;
    let mut j = first;
    let mut tokens = text::Tokens::default();
    // Walk back over at most 400 nodes.
    while j > 0 && first - j < 400 {
        j -= 1;
        if dom.end(j) > first {
            // An ancestor of the container.
            continue;
        }
        let x = an.at(j);
        if x.in_junk {
            continue;
        }
        if dom.text(j).is_some() {
            between = between.saturating_add(x.raw_chars);
        }
        if between > 400 + x.raw_chars {
            return None;
        }
        let Some(el) = dom.element(j) else { continue };
        if x.raw_chars < 40 || x.raw_chars > 800 || x.raw_link * 5 > x.raw_chars || x.own == Flag::Hidden {
            continue;
        }
        let described = el
            .attr("itemprop")
            .is_some_and(|v| v.eq_ignore_ascii_case("description"));
        let lead_class = el.attr("class").is_some_and(|c| {
            tokens.clear();
            tokens.push_attr(c);
            tokens.iter().any(|w| LEAD_WORDS.contains(&w))
        });
        if !(described || lead_class) || dom.tag(j).heading_level() == Some(1) {
            continue;
        }
        let lead = text::normalize(&dom.text_of(j, 1200));
        return (text::word_count(&lead) >= 6).then_some(lead);
    }
    None
}

/// Extracts the main text of the page.
///
/// `title` is the page's title (a paragraph repeating it is dropped);
/// `ld_article_body` the JSON-LD `articleBody`, which stands in for a body
/// that the markup does not carry.
pub(crate) fn extract_body(
    dom: &Dom<'_>,
    title: Option<&str>,
    ld_article_body: Option<&str>,
    cfg: &ExtractConfig,
) -> Body {
    let an = Analysis::new(dom);
    let scores = score(&an);
    let containers = choose(&an, &scores);
    if containers.is_empty() {
        return Body::default();
    }
    let mut collected = collect(&an, &containers, cfg.include_captions);
    if let Some(lead) = lead_before(&an, &containers) {
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

/// A readable dump of the decisions for one page: every element holding text,
/// indented by depth, with its flag, kept text, link text and score; the
/// chosen containers are marked with `*`. For people tuning the rules.
pub(crate) fn explain(dom: &Dom<'_>, min_chars: u32) -> String {
    use std::fmt::Write as _;
    let an = Analysis::new(dom);
    let scores = score(&an);
    let containers = choose(&an, &scores);
    let mut out = String::new();
    for i in 0..dom.len() {
        let x = an.at(i);
        let Some(el) = dom.element(i) else { continue };
        if x.raw_chars < min_chars || x.in_junk {
            continue;
        }
        let depth = dom.ancestors(i).count();
        let mut name = el.name().to_string();
        if let Some(id) = dom.attr(i, "id") {
            let _ = write!(name, "#{id}");
        }
        if let Some(class) = dom.attr(i, "class") {
            for c in class.split_whitespace().take(4) {
                let _ = write!(name, ".{c}");
            }
        }
        let mark = if containers.contains(&i) { "*" } else { " " };
        let score = scores
            .get(i)
            .copied()
            .flatten()
            .map_or(String::new(), |s| format!(" score {s:.1}"));
        let _ = writeln!(
            out,
            "{mark}{:indent$}{name} [{:?}{}] raw {} kept {} link {}{score}",
            "",
            x.own,
            if x.removed { " removed" } else { "" },
            x.raw_chars,
            x.chars,
            x.link,
            indent = depth.min(40),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_words_fit_the_pair_bound() {
        assert!(word_table().keys().all(|w| w.len() <= MAX_TABLE_WORD));
    }

    #[test]
    fn inline_styles_that_hide() {
        for (style, hidden) in [
            ("display:none", true),
            ("color: red; DISPLAY : None ;", true),
            ("visibility: hidden", true),
            ("display: block", false),
            ("", false),
            (
                "font-size: 12px; margin: 0 auto; padding: 4px 8px 4px 8px; display:none",
                true,
            ),
        ] {
            assert_eq!(hides(style), hidden, "{style}");
        }
    }

    #[track_caller]
    fn check(line: &str, furniture: bool) {
        assert_eq!(is_furniture(line), furniture, "{line:?}");
    }

    #[test]
    fn furniture_lines() {
        check("11:42", true);
        check("Updated 11:42 GMT", true);
        check("Published: 25.11.2022, 14:30", true);
        check("Advertisement", true);
        check("Skip next section DW's Top Story", true);
        check("Image: Johanna Geron/REUTERS", true);
        check("Read more:", true);
        check("rmt/sms (dpa, Reuters)", false);
        check("He said 11 people were hurt.", false);
        check("Updated guidance was published on Monday.", false);
        check("2022", false);
        check("AFP / MARCO BERTORELLO", true);
        check("Augusta National/Getty Images", true);
        check("Permalien", true);
    }

    #[track_caller]
    fn check_short(line: &str, caption: bool, ad: bool, action: bool) {
        let f = fold(line);
        assert_eq!(
            (
                is_caption_line(&f),
                is_ad_notice(&f),
                is_strong_call_to_action(&f)
            ),
            (caption, ad, action),
            "{line}"
        );
    }

    fn para(t: &str) -> Paragraph {
        Paragraph {
            text: t.to_string(),
            kind: ParaKind::Text,
            words: text::word_count(t),
        }
    }

    fn check_tail(paragraphs: &[&str], kept: usize) {
        let mut ps: Vec<Paragraph> = paragraphs.iter().map(|t| para(t)).collect();
        trim_tail(&mut ps);
        assert_eq!(ps.len(), kept, "{paragraphs:?}");
    }

    #[test]
    fn appeal_blocks_close_the_page() {
        let story = [
            "The council approved the plan on Tuesday after a long debate about costs.",
            "Opponents said the new road would cut the village in two and bring heavy traffic.",
            "The mayor promised a second hearing before any work starts next spring.",
            "Residents can send comments to the planning office until the end of March.",
        ];
        check_tail(&story, 4);
        let mut with_appeal = story.to_vec();
        with_appeal.extend([
            "Support independent journalism",
            "If you value our reporting, please consider supporting our work with a monthly gift.",
            "Cancel at any time.",
            "Learn how we are funded and who owns us.",
        ]);
        check_tail(&with_appeal, 4);
        // An appeal in the first half is the story's subject, not a box.
        let early = [
            "Volunteers asked neighbours to support our work at the food bank, the organiser said.",
            "The food bank now serves two hundred families each week from its hall.",
            "It needs more drivers for the winter months, when demand is highest.",
        ];
        check_tail(&early, 3);
        // Sharing prompts and posting metadata trail the text.
        let mut trailing = story.to_vec();
        trailing.extend([
            "Möchten Sie den Artikel teilen?",
            "News date : 04/21/2022 Category : Press Releases",
        ]);
        check_tail(&trailing, 4);
    }

    #[test]
    fn consent_placeholders() {
        for (line, notice) in [
            ("Twitter freischalten", true),
            (
                "Wir respektieren deine Privatsphäre und stellen deshalb ohne dein Einverständnis keine \
                 Verbindung zu Twitter her.",
                true,
            ),
            ("Please accept cookies to view this content.", true),
            ("Der Stadtrat will die Förderung freischalten.", false),
            ("The court ruled that consent had not been given.", false),
        ] {
            let f = fold(line);
            assert_eq!(is_consent_notice(&f, text::word_count(line)), notice, "{line}");
        }
    }

    #[test]
    fn grid_rows() {
        for (line, grid) in [
            ("05 06 07 08 09 10 11", true),
            ("Mo Di Mi Do Fr Sa So", true),
            ("1 2 3 4 5", true),
            ("1 2 3", false),
            ("15 – 30 Min", false),
            ("Eye in the sky", false),
            ("a b c d e f g h i j k l m n o p q r", false),
        ] {
            assert_eq!(is_grid_row(line), grid, "{line}");
        }
    }

    #[test]
    fn short_paragraphs_that_are_not_text() {
        check_short(
            "Roman Prymula, photo: Archives du Gouvernement",
            true,
            false,
            false,
        );
        check_short("Abbildung: Farblich codierte Schneehöhen", true, false, false);
        check_short(
            "Vergrößern Eine kleine runde Aussparung im Display.",
            true,
            false,
            false,
        );
        check_short("*Werbung. Dieser Beitrag enthält Werbung.", false, true, false);
        check_short("Anzeige, enthält Affiliate Links", false, true, false);
        check_short(
            "Never miss the latest news by signing up to our newsletter today!",
            false,
            false,
            true,
        );
        check_short("Jede kleine Spende hilft!", false, false, true);
        check_short("(Noch keine Bewertungen) Loading...", false, false, true);
        check_short(
            "Sie müssen sich einloggen, um zu kommentieren.",
            false,
            false,
            true,
        );
        check_short(
            "The minister said the photo was taken in May.",
            false,
            false,
            false,
        );
        check_short("Der Verein wirbt um neue Mitglieder.", false, false, false);
    }

    #[test]
    fn taxonomy_and_modifier_classes() {
        let mut scratch = Scratch::default();
        // A post tagged "open source" is not a credit; a BEM modifier is not boilerplate.
        let post = scratch.analyze("post type-post tag-open-source category-sidebar", true);
        assert!(!post.credit && !post.strong);
        let section = scratch.analyze("TestReport__Section TestReport__Section--Ads", true);
        assert!(!section.strong);
        let comments = scratch.analyze("article-comments", true);
        assert!(comments.strong && comments.strong_head && comments.comments);
        let wrapper = scratch.analyze("no-share", true);
        assert!(!wrapper.strong);
        let content = scratch.analyze("entry-content", true);
        assert!(content.content_named && !content.strong);
    }
}
