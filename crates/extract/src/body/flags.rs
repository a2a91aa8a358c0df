//! Classification of elements: the flag every element gets from its tag and
//! from the words of its class, id, role and aria-label (boilerplate, junk,
//! comments, hidden, caption, credit, ...), and its class weight.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::class_words::{
    BOILER_ROLES, CAPTION, CREDIT, DIALOG, DIALOG_ROLES, HIDING_CLASSES, POSITIVE, RISKY, STEM_EXCEPTIONS,
    STRONG, STRONG_STEMS, WEAK,
};
use crate::dom::{Dom, Tag};
use crate::text;

/// Why an element is (possibly) excluded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum Flag {
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

/// Whether a class value hides its element with a utility class ("hide",
/// "d-none", "sr-only"), unless a responsive class shows it again
/// ("md:block").
pub(crate) fn hiding_class(value: &str) -> bool {
    let responsive_show = value.split_whitespace().any(|c| {
        c.contains(':')
            && ["block", "flex", "grid", "inline", "table"]
                .iter()
                .any(|d| c.ends_with(d))
    });
    !responsive_show
        && value
            .split_whitespace()
            .any(|c| HIDING_CLASSES.iter().any(|h| c.eq_ignore_ascii_case(h)))
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
    /// A dialog shown over the page ("modal", "popup", "overlay").
    dialog: bool,
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
            dialog: self.dialog || o.dialog,
        }
    }
}

/// Reused buffers and the per-document cache for [`classify_element`].
#[derive(Default)]
pub(super) struct Scratch<'a> {
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
            out.hidden = hiding_class(value);
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
                bits &= !(STRONG_BIT | WEAK_BIT | DIALOG_BIT);
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
            // Only as the head word: "modal" is the dialog, "overlay-header"
            // a header drawn over a picture.
            out.dialog |= k == last && bits & DIALOG_BIT != 0;
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
/// Words of dialogs shown over the page.
const DIALOG_BIT: u16 = 1024;
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
            (DIALOG, DIALOG_BIT),
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

/// What an element's tag, role and names say about it.
#[derive(Clone, Copy, Default)]
pub(super) struct Class {
    pub(super) flag: Flag,
    /// Class weight for the score.
    pub(super) weight: i16,
    /// An article marker (`<article>`, `articleBody`).
    pub(super) marker: bool,
    /// Its class/id names the article's content ("entry-content").
    pub(super) content_named: bool,
    /// Page UI that is never the article's container: a dialog shown over
    /// the page (`role=dialog`, "modal", "popup", "overlay"), or a hidden
    /// landmark (a menu, a form).
    pub(super) ui: bool,
}

impl Class {
    const fn of(flag: Flag) -> Self {
        Class {
            flag,
            weight: 0,
            marker: false,
            content_named: false,
            ui: false,
        }
    }
}

/// Whether the `<header>` at `i` is a `<section>`'s title: its parent is a
/// `<section>` and it holds a heading (`<h2>`, ...) among its first nodes.
fn section_title(dom: &Dom<'_>, i: usize) -> bool {
    dom.parent(i).is_some_and(|p| dom.tag(p) == Tag::Section)
        && (i + 1..dom.end(i).min(i + 32)).any(|h| dom.tag(h).heading_level().is_some())
}

/// Flag, class weight and the other facts of [`Class`] for one element.
pub(super) fn classify_element<'a>(
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    in_article: bool,
    scratch: &mut Scratch<'a>,
) -> Class {
    let Some(el) = dom.element(i) else {
        return Class::of(Flag::Keep);
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
        return Class::of(Flag::Junk);
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
        | Tag::Ruby => return Class::of(Flag::Junk),
        Tag::Nav | Tag::Aside | Tag::Form | Tag::Footer | Tag::Menu => Flag::Boiler,
        // The header of a `<section>` that holds a heading is the
        // section's title, not the page's masthead.
        Tag::Header if !in_article && !marker && !section_title(dom, i) => Flag::Boiler,
        Tag::Figcaption => Flag::Caption,
        _ => Flag::Keep,
    };
    if matches!(tag, Tag::Html | Tag::Body) {
        return Class::of(Flag::Keep);
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
    // A hidden landmark (a menu, a form) is page UI like a dialog.
    let ui = bits.dialog
        || DIALOG_ROLES.iter().any(|r| role.eq_ignore_ascii_case(r))
        || (hidden && tag_flag == Flag::Boiler);
    // Landmark tags and roles (`<header>`, `<form>`, `role=banner`) are
    // sometimes misused as whole-page wrappers; class words are surer.
    let flag = if hidden && tag_flag == Flag::Boiler {
        Flag::Hidden
    } else if (tag_flag == Flag::Boiler || (tag_flag == Flag::Keep && role_boiler)) && !strong {
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
    Class {
        flag,
        weight,
        marker,
        content_named,
        ui,
    }
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
