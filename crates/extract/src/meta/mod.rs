//! Page metadata: one pass over the document collects every source
//! ([`collect`]), each in its own module: `<meta>`/`<link>`/`<title>` tags
//! ([`tags`]), JSON-LD ([`jsonld`]), microdata and RDFa ([`microdata`]),
//! `<time>` ([`time`]), elements whose class names a byline or a date
//! ([`classed`]), other bylines ([`bylines`]), labelled dates
//! ([`labelled`]), links to the page itself ([`self_links`]) and headings
//! ([`title`]); the lines around the headline ([`near_title`]) are read
//! later, and the page's state in its scripts ([`state`]) only when nothing
//! else dates the page. [`crate::reconcile::finish`] then picks the most
//! trustworthy value per field.

mod bylines;
mod classed;
mod jsonld;
mod labelled;
mod microdata;
mod near_title;
mod self_links;
mod state;
mod tags;
mod time;
mod title;

use std::collections::HashMap;

use url::Url;

use crate::dom::{Dom, Kind, Tag};
use crate::text::{self, Tokens, normalize};
use jsonld::LdInfo;

pub(crate) use near_title::near_title_lines;
pub(crate) use state::published as published_in_scripts;
pub(crate) use title::title_tag_ends;

/// A `<time>` element.
#[derive(Debug, Clone)]
pub(crate) struct TimeEl {
    pub value: String,
    pub published: bool,
    pub modified: bool,
}

/// Everything collected before the body is extracted.
#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    pub metas: HashMap<String, Vec<String>>,
    pub title_tag: Option<String>,
    /// `<h1>` elements (node index, text), the main one first.
    pub h1: Vec<(usize, String)>,
    /// The main `<h1>` shares most of its words with a metadata title (or
    /// there is none to compare with).
    pub h1_agrees: bool,
    /// The text of an `<h1>` that is the site's logo (a link to its home page).
    pub logo: Option<String>,
    pub canonical: Option<String>,
    pub image_src: Option<String>,
    pub rel_authors: Vec<String>,
    pub itemprop_authors: Vec<String>,
    pub byline_texts: Vec<String>,
    /// Text after an author label ("Autor:", "Text:", "By").
    pub labelled_authors: Vec<String>,
    /// The last paragraph that is only an emphasized name (a signature).
    pub signature: Option<String>,
    /// The last copyright notice ("© 2022 Jane Doe").
    pub copyright: Option<String>,
    /// The first text with a publication label ("Erschienen am: 01.11.2023").
    pub labelled_published: Option<String>,
    /// The first text with an update label ("Last updated 04 Jun 2020").
    pub labelled_modified: Option<String>,
    /// The first text with a bare date label ("Datum: 18.10.2021").
    pub labelled_date: Option<String>,
    /// Short texts with a date around links to the page itself.
    pub self_link_texts: Vec<String>,
    pub date_texts: Vec<String>,
    pub times: Vec<TimeEl>,
    pub itemprop_published: Option<String>,
    pub itemprop_modified: Option<String>,
    pub html_lang: Option<String>,
    pub ld: LdInfo,
    pub og_type: Option<String>,
    /// Best title, known before the body is extracted (the body drops it).
    pub title: Option<String>,
    pub site_name: Option<String>,
    pub host_label: Option<String>,
}

impl PageMeta {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.metas
            .get(key)
            .and_then(|v| v.iter().find(|s| !s.trim().is_empty()))
            .map(String::as_str)
    }

    pub(crate) fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }

    pub(crate) fn all(&self, key: &str) -> &[String] {
        self.metas.get(key).map(Vec::as_slice).unwrap_or_default()
    }

    /// The page says it is an article (JSON-LD type, `og:type`, or an
    /// `article:published_time`).
    pub(crate) fn is_article_typed(&self) -> bool {
        self.ld.is_article
            || self
                .og_type
                .as_deref()
                .is_some_and(|t| t.starts_with("article") || t == "blog" || t.ends_with("article"))
            || self.get("article:published_time").is_some()
    }

    fn add_meta(&mut self, key: &str, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        let list = self.metas.entry(key.to_ascii_lowercase()).or_default();
        if list.len() < 64 {
            list.push(text::decode_entities(v).into_owned());
        }
    }
}

/// True inside comments, rails, asides and footers, whose dates and names
/// belong to other content.
fn in_furniture(dom: &Dom<'_>, i: usize, tokens: &mut Tokens) -> bool {
    for a in dom.ancestors(i).take(16) {
        if matches!(dom.tag(a), Tag::Body | Tag::Html | Tag::Article | Tag::Main) {
            return false;
        }
        if matches!(dom.tag(a), Tag::Aside | Tag::Footer | Tag::Nav) {
            return true;
        }
        tokens.clear();
        for k in ["class", "id"] {
            if let Some(v) = dom.attr(a, k) {
                tokens.push_attr(v);
            }
        }
        let hit = tokens.iter().any(|t| {
            [
                "comment",
                "related",
                "sidebar",
                "teaser",
                "widget",
                "recommend",
                "rail",
                "mostread",
                "popular",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        });
        if hit {
            return true;
        }
    }
    false
}

/// True inside a comment section.
fn in_comments(dom: &Dom<'_>, i: usize, tokens: &mut Tokens) -> bool {
    dom.ancestors(i).take(12).any(|a| {
        tokens.clear();
        for k in ["class", "id"] {
            if let Some(v) = dom.attr(a, k) {
                tokens.push_attr(v);
            }
        }
        tokens.iter().any(|t| t.starts_with("comment"))
    })
}

/// Collects metadata sources in one pass: each element and text node is
/// offered to the collector of every source in turn.
pub(crate) fn collect(dom: &Dom<'_>, base: Option<&Url>) -> PageMeta {
    let mut m = PageMeta {
        host_label: base.and_then(|u| u.host_str()).and_then(|h| {
            let labels: Vec<&str> = h.split('.').collect();
            let n = labels.len();
            labels.get(n.saturating_sub(2)).map(|s| s.to_ascii_lowercase())
        }),
        ..PageMeta::default()
    };
    let mut ld_values = Vec::new();
    let mut tokens = Tokens::default();
    let mut attr_buf: Vec<(&str, &str)> = Vec::new();
    let mut class_words: HashMap<&str, (bool, bool)> = HashMap::new();
    let mut pair_buf = String::new();
    let mut h1_all = Vec::new();
    let mut self_links = 0usize;
    let mut i = 0usize;
    let n = dom.len();
    while i < n {
        let Kind::Element(el, tag) = dom.kind(i) else {
            // Most text nodes are the whitespace between tags: no label,
            // date or notice.
            if dom
                .text(i)
                .is_some_and(|t| t.bytes().all(|b| b.is_ascii_whitespace()))
            {
                i += 1;
                continue;
            }
            labelled::dates(&mut m, dom, i, &mut tokens);
            bylines::copyright(&mut m, dom, i);
            bylines::labelled_author(&mut m, dom, i, n, &mut tokens);
            i += 1;
            continue;
        };
        // Element::attr interns the name on every call; read the
        // attributes once instead.
        attr_buf.clear();
        attr_buf.extend(el.attrs().take(64));
        let attr = |k: &str| attr_buf.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        match tag {
            Tag::Meta | Tag::Title | Tag::Html | Tag::Link => tags::head_element(&mut m, dom, i, tag, attr),
            Tag::Script => {
                jsonld::collect(dom, i, attr, &mut ld_values);

                i = dom.end(i);
                continue;
            }
            Tag::Style | Tag::Template | Tag::Noscript | Tag::Svg => {
                i = dom.end(i);
                continue;
            }
            Tag::H1 => title::h1_element(dom, i, base, &mut h1_all),
            Tag::P => bylines::signature(&mut m, dom, i, &mut tokens),
            Tag::Time => time::time_element(&mut m, dom, i, attr, &mut tokens),
            _ => {}
        }
        microdata::itemprop(&mut m, dom, i, tag, attr);
        bylines::author_link(&mut m, dom, i, tag, attr, &mut tokens);
        self_links::around(&mut m, dom, i, tag, attr, base, &mut self_links, &mut tokens);
        classed::texts(
            &mut m,
            dom,
            i,
            tag,
            attr,
            &mut class_words,
            &mut tokens,
            &mut pair_buf,
        );
        i += 1;
    }
    m.ld = jsonld::interpret(&ld_values);
    m.og_type = m.get("og:type").map(|t| t.trim().to_ascii_lowercase());
    title::order_h1(&mut m, h1_all);
    m.site_name = m
        .first(&["og:site_name"])
        .map(normalize)
        .or_else(|| m.ld.publisher.clone())
        .or_else(|| m.ld.website_name.clone())
        .or_else(|| {
            m.first(&["application-name", "apple-mobile-web-app-title"])
                .map(normalize)
        })
        .filter(|s| !s.is_empty());
    m.title = title::pick_title(&m);
    if m.site_name.is_none() {
        m.site_name = title::site_from_title_tag(&m);
    }
    m
}
