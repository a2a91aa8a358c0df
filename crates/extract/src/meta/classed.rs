//! Elements whose class or id names a byline or a date ("byline",
//! "author-name", "post-date", "entry-meta"): their short texts, and hAtom
//! microformat times (`<abbr class="published" title="...">`).

use std::collections::HashMap;

use super::{PageMeta, TimeEl, in_furniture, labelled};
use crate::dates;
use crate::dom::{Dom, Tag};
use crate::text::Tokens;

const BYLINE_WORDS: &[&str] = &[
    "byline",
    "author",
    "authors",
    "autor",
    "autorin",
    "auteur",
    "writer",
    "creator",
    "byl",
    "contributor",
    "postedby",
    "verfasser",
];

const DATE_WORDS: &[&str] = &[
    "date",
    "time",
    "published",
    "timestamp",
    "dateline",
    "datum",
    "pubdate",
    "posted",
    "meta",
    "updated",
    "postedon",
    "entrydate",
    "publication",
    "publishdate",
];

/// Whether the words of a class/id value mark a byline and a date.
fn byline_and_date_words(value: &str, tokens: &mut Tokens, pair: &mut String) -> (bool, bool) {
    // The table, and the length of its longest word: longer words and
    // pairs need no lookup.
    static TABLE: std::sync::OnceLock<(HashMap<&'static str, u8, crate::text::FnvBuild>, usize)> =
        std::sync::OnceLock::new();
    let (table, longest) = TABLE.get_or_init(|| {
        let mut m = HashMap::default();
        for (list, bit) in [(BYLINE_WORDS, 1u8), (DATE_WORDS, 2u8)] {
            for w in list {
                *m.entry(*w).or_insert(0) |= bit;
            }
        }
        let longest = m.keys().map(|w: &&str| w.len()).max().unwrap_or(0);
        (m, longest)
    });
    tokens.clear();
    tokens.push_attr(value);
    let mut bits = 0u8;
    let mut prev: Option<&str> = None;
    for t in tokens.iter() {
        if t.len() <= *longest {
            bits |= table.get(t).copied().unwrap_or(0);
        }
        if let Some(p) = prev
            && p.len() + t.len() <= *longest
        {
            pair.clear();
            pair.push_str(p);
            pair.push_str(t);
            bits |= table.get(pair.as_str()).copied().unwrap_or(0);
        }
        prev = Some(t);
    }
    (bits & 1 != 0, bits & 2 != 0)
}

/// True for an element in an item of a list of dated links (other
/// articles, events, documents: "29.02.2020 <a>Tasting</a>", "<a>Nr. 34 vom
/// 08. November 2021</a>"): its date is the item's, not the page's. The list
/// has at least three items that hold a link and a date.
fn in_dated_link_list(dom: &Dom<'_>, i: usize) -> bool {
    let Some(item) = std::iter::once(i)
        .chain(dom.ancestors(i).take(3))
        .find(|&a| dom.tag(a) == Tag::Li)
    else {
        return false;
    };
    let Some(list) = dom
        .parent(item)
        .filter(|&l| matches!(dom.tag(l), Tag::Ul | Tag::Ol))
    else {
        return false;
    };
    let has_link = |li: usize| {
        (li..dom.end(li)).any(|j| {
            dom.tag(j) == Tag::A
                && dom
                    .attr(j, "href")
                    .is_some_and(|h| !h.trim_start().starts_with('#'))
        })
    };
    dom.children(list)
        .filter(|&li| dom.tag(li) == Tag::Li)
        .take(12)
        .filter(|&li| has_link(li) && dates::find_in_date_line(&dom.text_of(li, 150), false).is_some())
        .nth(2)
        .is_some()
}

/// The byline and date texts of element `i`, by its class and id words
/// (cached per class string in `class_words`).
#[expect(
    clippy::too_many_arguments,
    reason = "the state of the one pass, as the loop had it"
)]
pub(super) fn texts<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    attr: impl Fn(&str) -> Option<&'a str>,
    class_words: &mut HashMap<&'a str, (bool, bool)>,
    tokens: &mut Tokens,
    pair_buf: &mut String,
) {
    let wants_text = m.byline_texts.len() < 10 || m.date_texts.len() < 10;
    if wants_text && !matches!(tag, Tag::Html | Tag::Body | Tag::Head | Tag::Meta | Tag::Link) {
        // Class strings repeat across a page: their words are looked
        // at once per document.
        let (mut byline, mut date) = (false, false);
        if let Some(v) = attr("class") {
            let (b, d) = *class_words
                .entry(v)
                .or_insert_with(|| byline_and_date_words(v, tokens, pair_buf));
            byline |= b;
            date |= d;
        }
        if let Some(v) = attr("id") {
            let (b, d) = byline_and_date_words(v, tokens, pair_buf);
            byline |= b;
            date |= d;
        }
        let byline = byline && m.byline_texts.len() < 10;
        let date = date && m.date_texts.len() < 10;
        if date {
            tokens.clear();
            for a in ["class", "id"] {
                if let Some(v) = attr(a) {
                    tokens.push_attr(v);
                }
            }
        }
        // Microformats (hAtom): `<abbr class="published" title="2017-09-09T10:52:00+02:00">`.
        if date
            && tag != Tag::Time
            && m.times.len() < 32
            && let Some(t) = attr("title").filter(|t| t.len() <= 40 && dates::parse_structured(t).is_some())
        {
            let published = tokens.iter().any(|t| t == "published" || t == "dtstart");
            let modified = !published && tokens.iter().any(|t| t == "updated" || t == "modified");
            if (published || modified) && !in_furniture(dom, i, tokens) {
                m.times.push(TimeEl {
                    value: t.to_string(),
                    published,
                    modified,
                });
            }
        }
        if (byline || date) && !in_furniture(dom, i, tokens) {
            if byline {
                let t = dom.text_of(i, 200);
                if !t.is_empty() && t.chars().count() <= 150 {
                    m.byline_texts.push(t);
                }
            }
            if date {
                let t = dom.text_of(i, 200);
                if t.bytes().any(|b| b.is_ascii_digit())
                    && t.chars().count() <= 150
                    && !labelled::names_other_date(&t)
                    && !in_dated_link_list(dom, i)
                {
                    m.date_texts.push(t);
                }
            }
        }
    }
}
