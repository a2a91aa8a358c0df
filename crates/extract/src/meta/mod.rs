//! Page metadata: one pass over the document collects every source
//! (`<meta>`, `<link>`, JSON-LD, microdata, `<time>`, byline and date
//! elements); [`crate::reconcile::finish`] then picks the most trustworthy
//! value per field.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;
use url::Url;

use crate::dom::{Dom, Kind, Tag};
use crate::jsonld::{self, LdInfo};
use crate::text::{self, Tokens, fold, normalize};
use crate::{authors, dates};

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
    pub canonical: Option<String>,
    pub image_src: Option<String>,
    pub rel_authors: Vec<String>,
    pub itemprop_authors: Vec<String>,
    pub byline_texts: Vec<String>,
    /// Text after an author label ("Autor:", "Text:", "By").
    pub labelled_authors: Vec<String>,
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
/// Labels in front of a publication date, lowercase.
const PUBLISHED_LABELS: &[&str] = &[
    "published on",
    "published:",
    "posted on",
    "erschienen am",
    "erschienen:",
    "veröffentlicht am",
    "veröffentlicht:",
    "erstellt am",
    "publiziert am",
    "publié le",
    "mis en ligne le",
    "publicado el",
    "publicado em",
    "pubblicato il",
    "gepubliceerd op",
];

/// Labels that say only "date": of the page when nothing else dates it, else
/// maybe of anything (a photo, an event).
const DATE_LABELS: &[&str] = &["datum:", "date:", "fecha:", "data:"];

/// Labels in front of an update date, lowercase.
const MODIFIED_LABELS: &[&str] = &[
    "last updated",
    "last edited",
    "last modified",
    "aktualisiert",
    "zuletzt",
    "letzte änderung",
    "mis à jour",
    "actualizado",
    "aggiornato",
    "bijgewerkt",
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

/// One automaton over [`PUBLISHED_LABELS`], [`MODIFIED_LABELS`] and
/// [`DATE_LABELS`] (group 0, 1, 2), built once: asked of every short text
/// with a digit, so one pass beats a search per label.
struct DateLabels {
    ac: AhoCorasick,
    /// Group and length of each pattern.
    info: Vec<(u8, usize)>,
}

impl DateLabels {
    /// The labels, or `None` if the automaton could not be built (it can:
    /// the patterns are fixed and short).
    fn get() -> Option<&'static DateLabels> {
        static LABELS: std::sync::OnceLock<Option<DateLabels>> = std::sync::OnceLock::new();
        LABELS
            .get_or_init(|| {
                let groups = [PUBLISHED_LABELS, MODIFIED_LABELS, DATE_LABELS];
                let mut patterns = Vec::new();
                let mut info = Vec::new();
                for (g, labels) in (0u8..).zip(groups) {
                    for l in labels {
                        patterns.push(*l);
                        info.push((g, l.len()));
                    }
                }
                AhoCorasick::new(&patterns).ok().map(|ac| DateLabels { ac, info })
            })
            .as_ref()
    }

    /// Whether `lower` names any label.
    fn any(&self, lower: &str) -> bool {
        self.ac.is_match(lower)
    }

    /// The earliest label of `group` starting at most `max` bytes in, as a
    /// whole word ("date:" is not the end of "update:"): its start and
    /// length.
    fn first(&self, lower: &str, group: u8, max: usize) -> Option<(usize, usize)> {
        self.ac
            .find_overlapping_iter(lower)
            .filter_map(|m| {
                let (g, len) = *self.info.get(m.pattern().as_usize())?;
                (g == group && m.start() <= max).then_some((m.start(), len))
            })
            .filter(|&(p, _)| !lower.get(..p).is_some_and(|b| b.ends_with(char::is_alphanumeric)))
            .min()
    }
}

/// A copyright notice: "©", "(c)", "Copyright" (any of three spellings).
/// Asked of every short text node, so the searchers are built once.
fn is_copyright_notice(t: &str) -> bool {
    static FINDERS: std::sync::OnceLock<[Finder<'static>; 5]> = std::sync::OnceLock::new();
    let finders = FINDERS
        .get_or_init(|| ["©", "(c)", "(C)", "opyright", "OPYRIGHT"].map(|n| Finder::new(n.as_bytes())));
    finders.iter().any(|f| f.find(t.as_bytes()).is_some())
}

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

/// A text that may hold a labelled date: the text itself when it has a
/// digit; a short label alone in its element ("Erschienen am:") with the
/// next text, where the date sits.
fn labelled_date_line(dom: &Dom<'_>, i: usize, t: &str) -> Option<String> {
    if t.bytes().any(|b| b.is_ascii_digit()) {
        return Some(t.to_string());
    }
    if t.trim().is_empty() || t.len() > 40 {
        return None;
    }
    if !DateLabels::get().is_some_and(|l| l.any(&t.to_lowercase())) {
        return None;
    }
    let next = (i + 1..(i + 8).min(dom.len()))
        .filter_map(|j| dom.text(j))
        .find(|s| !s.trim().is_empty())?;
    (next.len() <= 80 && next.bytes().any(|b| b.is_ascii_digit()))
        .then(|| format!("{} {}", t.trim(), next.trim()))
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

/// True for a link to the page itself (query kept; a trailing slash
/// ignored). A link with a fragment points into the page (a comment, an
/// anchor), not at it.
fn is_self_link(href: &str, base: Option<&Url>) -> bool {
    let href = href.trim();
    if href.is_empty() || href.contains('#') {
        return false;
    }
    let Some(base) = base else {
        return false;
    };
    // Every link to the page names the last segment of its path; most links
    // do not, and are refused before the costly resolution. A segment with
    // escapes may be written unescaped in the link: no shortcut then.
    let path = base.path().trim_end_matches('/');
    let tail = path.rsplit('/').next().unwrap_or_default();
    if path.len() <= 1 || (!tail.contains('%') && !href.contains(tail)) {
        return false;
    }
    let Ok(target) = base.join(href) else {
        return false;
    };
    let key = |u: &Url| {
        (
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_ascii_lowercase()),
            u.path().trim_end_matches('/').to_string(),
            u.query().map(str::to_string),
        )
    };
    key(&target) == key(base) && base.path().trim_end_matches('/').len() > 1
}

/// True for links to an author's page: a path segment such as `author`
/// followed by one more segment (`/author/jane-doe/`, `/autor/x-123`).
fn is_author_href(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    while let Some(seg) = segs.next() {
        let author = [
            "author",
            "authors",
            "autor",
            "autoren",
            "auteur",
            "auteurs",
            "autore",
            "autori",
            "journalist",
        ]
        .iter()
        .any(|a| seg.eq_ignore_ascii_case(a));
        if author {
            return segs.next().is_some();
        }
    }
    false
}

/// Collects metadata sources in one pass.
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
    let mut h1_all: Vec<(usize, String, bool)> = Vec::new();
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
            // A label alone in its element ("Autor:", "Text:", "von") and the
            // name in the next text.
            if let Kind::Text(t) = dom.kind(i)
                && t.len() <= 200
                && (m.labelled_published.is_none()
                    || m.labelled_modified.is_none()
                    || m.labelled_date.is_none())
                && let Some(line) = labelled_date_line(dom, i, t)
            {
                // "Erschienen am: 01.11.2023", "Last updated 04 Jun 2020":
                // the label opens the line (a sentence that mentions a
                // publication is not a date line) and the date follows it.
                // An update label may come later in the line ("Created ... -
                // Last Modified: 03-10-2004").
                let lower = line.to_lowercase();
                let labels = DateLabels::get();
                let at = |group: u8, max: usize| {
                    labels?
                        .first(&lower, group, max)
                        .and_then(|(p, len)| lower.get(p + len..))
                        .filter(|rest| dates::find_in_date_line(rest, false).is_some())
                        .map(str::to_string)
                };
                let any = labels.is_some_and(|l| l.any(&lower));
                let found = if !any {
                    None
                } else if m.labelled_published.is_none()
                    && let Some(rest) = at(0, 40)
                {
                    Some((0, rest))
                } else if m.labelled_modified.is_none()
                    && let Some(rest) = at(1, 200)
                {
                    Some((1, rest))
                } else if m.labelled_date.is_none()
                    && let Some(rest) = at(2, 40)
                {
                    Some((2, rest))
                } else {
                    None
                };
                // Furniture (a sidebar's "Published:" list) is asked last:
                // it climbs the ancestors.
                if let Some((which, rest)) = found
                    && !in_furniture(dom, i, &mut tokens)
                {
                    let slot = match which {
                        0 => &mut m.labelled_published,
                        1 => &mut m.labelled_modified,
                        _ => &mut m.labelled_date,
                    };
                    *slot = Some(rest);
                }
            }
            if let Kind::Text(t) = dom.kind(i)
                && t.len() <= 200
                && is_copyright_notice(t)
            {
                // The last one wins: the page's own notice is at its foot.
                m.copyright = Some(t.trim().to_string());
            }
            if let Kind::Text(t) = dom.kind(i)
                && m.labelled_authors.len() < 5
                && t.len() <= 24
                && authors::is_label(t)
                && !in_furniture(dom, i, &mut tokens)
                && let Some(name) = (i + 1..(i + 12).min(n))
                    .filter_map(|j| dom.text(j))
                    .find(|s| !s.trim().is_empty())
                    .filter(|s| s.len() <= 120)
            {
                m.labelled_authors.push(name.trim().to_string());
            }
            i += 1;
            continue;
        };
        // Element::attr interns the name on every call; read the
        // attributes once instead.
        attr_buf.clear();
        attr_buf.extend(el.attrs().take(64));
        let attr = |k: &str| attr_buf.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        match tag {
            Tag::Meta => {
                if let Some(content) = attr("content") {
                    for k in ["property", "name", "itemprop", "http-equiv"] {
                        if let Some(key) = attr(k) {
                            m.add_meta(key.trim(), content);
                        }
                    }
                }
            }
            Tag::Title
                if m.title_tag.is_none() && dom.ancestors(i).take(3).any(|a| dom.tag(a) == Tag::Head) =>
            {
                let t = dom.text_of(i, 500);
                if !t.is_empty() {
                    m.title_tag = Some(text::decode_entities(&t).into_owned());
                }
            }
            Tag::Html => {
                m.html_lang = attr("lang")
                    .or_else(|| attr("xml:lang"))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
            }
            Tag::Link => {
                let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                let href = attr("href").map(str::trim).filter(|h| !h.is_empty());
                let rels: Vec<&str> = rel.split_whitespace().collect();
                if rels.contains(&"canonical") && m.canonical.is_none() {
                    m.canonical = href.map(str::to_string);
                }
                if rels.contains(&"image_src") && m.image_src.is_none() {
                    m.image_src = href.map(str::to_string);
                }
            }
            Tag::Script => {
                let ty = attr("type").unwrap_or_default().trim().to_ascii_lowercase();
                if ty == "application/ld+json" && ld_values.len() < 64 {
                    let mut raw = String::new();
                    for c in dom.children(i) {
                        if let Some(t) = dom.text(c) {
                            raw.push_str(t);
                        }
                    }
                    jsonld::parse_script(&raw, &mut ld_values);
                }
                i = dom.end(i);
                continue;
            }
            Tag::Style | Tag::Template | Tag::Noscript | Tag::Svg => {
                i = dom.end(i);
                continue;
            }
            Tag::H1 if h1_all.len() < 8 => {
                let t = dom.text_of(i, 500);
                if !t.is_empty() {
                    let chrome = dom
                        .ancestors(i)
                        .any(|a| matches!(dom.tag(a), Tag::Header | Tag::Nav | Tag::Footer | Tag::Aside))
                        && !dom
                            .ancestors(i)
                            .any(|a| matches!(dom.tag(a), Tag::Article | Tag::Main));
                    h1_all.push((i, t, chrome));
                }
            }
            Tag::Time => {
                let value = attr("datetime")
                    .map(str::to_string)
                    .unwrap_or_else(|| dom.text_of(i, 120));
                if m.times.len() < 32 && !value.trim().is_empty() && !in_furniture(dom, i, &mut tokens) {
                    tokens.clear();
                    for a in ["class", "id", "itemprop"] {
                        if let Some(v) = attr(a) {
                            tokens.push_attr(v);
                        }
                    }
                    if let Some(p) = dom.parent(i)
                        && let Some(v) = dom.attr(p, "class")
                    {
                        tokens.push_attr(v);
                    }
                    let prop = attr("itemprop").unwrap_or_default();
                    let published = prop.eq_ignore_ascii_case("datePublished")
                        || attr("pubdate").is_some()
                        || tokens
                            .iter()
                            .any(|t| t.starts_with("publish") || t == "pubdate" || t == "created");
                    let modified = prop.eq_ignore_ascii_case("dateModified")
                        || tokens
                            .iter()
                            .any(|t| t.starts_with("updat") || t.starts_with("modif"));
                    // WordPress marks an unmodified post `published updated`.
                    m.times.push(TimeEl {
                        value,
                        published,
                        modified: modified && !published,
                    });
                }
            }
            _ => {}
        }
        // Microdata on ordinary elements, and RDFa (`property="schema:dateCreated"`).
        let rdfa = (tag != Tag::Meta)
            .then(|| attr("property"))
            .flatten()
            .map(|p| p.rsplit(':').next().unwrap_or(p))
            .filter(|p| {
                matches!(
                    *p,
                    "datePublished" | "dateCreated" | "dateModified" | "author" | "creator"
                )
            });
        if let Some(prop) = attr("itemprop").or(rdfa) {
            let value = || {
                attr("content")
                    .or_else(|| attr("datetime"))
                    .or_else(|| attr("title").filter(|t| dates::parse_structured(t).is_some()))
                    .map(str::to_string)
                    .unwrap_or_else(|| dom.text_of(i, 200))
            };
            for p in prop.split_whitespace() {
                match p {
                    "author" | "creator" if tag != Tag::Meta && m.itemprop_authors.len() < 10 => {
                        let t = dom.text_of(i, 200);
                        if !t.is_empty() {
                            m.itemprop_authors.push(t);
                        }
                    }
                    "datePublished" | "dateCreated" if m.itemprop_published.is_none() => {
                        m.itemprop_published = Some(value());
                    }
                    "dateModified" if m.itemprop_modified.is_none() => {
                        m.itemprop_modified = Some(value());
                    }
                    _ => {}
                }
            }
        }
        // rel=author, or a link to an author page (`/author/jane-doe/`).
        let author_link = tag == Tag::A
            && (attr("rel").is_some_and(|r| r.split_whitespace().any(|x| x.eq_ignore_ascii_case("author")))
                || attr("href").is_some_and(is_author_href));
        if author_link && m.rel_authors.len() < 10 && !in_furniture(dom, i, &mut tokens) {
            let t = dom.text_of(i, 200);
            if !t.is_empty() {
                m.rel_authors.push(t);
            }
        }
        // A link to the page itself (a teaser of it in a list, the permalink
        // next to its date): the text around it.
        if tag == Tag::A
            && m.self_link_texts.len() < 4
            && self_links < 16
            && let Some(href) = attr("href")
            && is_self_link(href, base)
            && !in_comments(dom, i, &mut tokens)
        {
            // The nearest of three ancestors with a date, short and with few
            // links elsewhere (not a menu, not a list of other items).
            let mut around = None;
            self_links += 1;
            for a in dom.ancestors(i).take(3) {
                if dom.end(a) - a > 400 {
                    break;
                }
                let t = dom.text_of(a, 300);
                let links_elsewhere = (a..dom.end(a))
                    .filter(|&j| {
                        dom.tag(j) == Tag::A
                            && dom.attr(j, "href").is_some_and(|h| !is_self_link(h, base))
                            // Taxonomy links (`rel="category tag"`) label the item.
                            && !dom.attr(j, "rel").is_some_and(|r| {
                                r.split_whitespace().any(|x| x.eq_ignore_ascii_case("tag"))
                            })
                    })
                    .take(3)
                    .count();
                if t.chars().count() >= 300 || links_elsewhere > 2 {
                    break;
                }
                if dates::find_in_date_line(&t, false).is_some() {
                    around = Some(t);
                    break;
                }
            }
            m.self_link_texts.extend(around);
        }
        let wants_text = m.byline_texts.len() < 10 || m.date_texts.len() < 10;
        if wants_text && !matches!(tag, Tag::Html | Tag::Body | Tag::Head | Tag::Meta | Tag::Link) {
            // Class strings repeat across a page: their words are looked
            // at once per document.
            let (mut byline, mut date) = (false, false);
            if let Some(v) = attr("class") {
                let (b, d) = *class_words
                    .entry(v)
                    .or_insert_with(|| byline_and_date_words(v, &mut tokens, &mut pair_buf));
                byline |= b;
                date |= d;
            }
            if let Some(v) = attr("id") {
                let (b, d) = byline_and_date_words(v, &mut tokens, &mut pair_buf);
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
                && let Some(t) =
                    attr("title").filter(|t| t.len() <= 40 && dates::parse_structured(t).is_some())
            {
                let published = tokens.iter().any(|t| t == "published" || t == "dtstart");
                let modified = !published && tokens.iter().any(|t| t == "updated" || t == "modified");
                if (published || modified) && !in_furniture(dom, i, &mut tokens) {
                    m.times.push(TimeEl {
                        value: t.to_string(),
                        published,
                        modified,
                    });
                }
            }
            if (byline || date) && !in_furniture(dom, i, &mut tokens) {
                if byline {
                    let t = dom.text_of(i, 200);
                    if !t.is_empty() && t.chars().count() <= 150 {
                        m.byline_texts.push(t);
                    }
                }
                if date {
                    let t = dom.text_of(i, 200);
                    if t.bytes().any(|b| b.is_ascii_digit()) && t.chars().count() <= 150 {
                        m.date_texts.push(t);
                    }
                }
            }
        }
        i += 1;
    }
    m.ld = jsonld::interpret(&ld_values);
    m.og_type = m.get("og:type").map(|t| t.trim().to_ascii_lowercase());
    // Main h1 first: one that agrees with the page's metadata titles (a
    // logo, a widget or a newsletter box does not), else one outside page
    // chrome.
    let refs: Vec<String> = [
        m.ld.headline.as_deref(),
        m.get("og:title"),
        m.get("twitter:title"),
        m.title_tag.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(fold)
    .collect();
    let agreement = |t: &str| {
        if refs.is_empty() {
            (1.0, 1.0)
        } else {
            title_agreement(t, &refs)
        }
    };
    // Agreeing: most of the h1's words are in a metadata title and it covers
    // a good part of that title ("Downtown Montauk" is a subheading).
    let agrees = |(share, cover): (f64, f64)| share >= 0.5 && cover >= 0.3;
    h1_all.sort_by_key(|(_, t, chrome)| {
        let a = agreement(t);
        (
            !agrees(a),
            a.0 <= 0.0,
            *chrome,
            std::cmp::Reverse((a.0 * a.1 * 1000.0) as u32),
        )
    });
    m.h1_agrees = h1_all.first().is_some_and(|(_, t, _)| {
        let a = agreement(t);
        a.0 > 0.0 && a.1 >= 0.2
    });
    m.h1 = h1_all.into_iter().map(|(i, t, _)| (i, t)).collect();
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
    m.title = pick_title(&m);
    if m.site_name.is_none() {
        m.site_name = site_from_title_tag(&m);
    }
    m
}

/// How well `h` agrees with the folded reference titles: the share of its
/// words found in one of them and the share of that title's words it covers
/// (words of three letters or more: articles and particles do not count);
/// both 1 when one title contains the other (also for unspaced scripts).
fn title_agreement(h: &str, refs: &[String]) -> (f64, f64) {
    let fh = fold(h);
    if fh.is_empty() {
        return (0.0, 0.0);
    }
    let long_words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_string)
            .collect()
    };
    let words = long_words(&fh);
    let mut best = (0.0f64, 0.0f64);
    for r in refs {
        if r.contains(&fh) || (fh.contains(r.as_str()) && !r.is_empty()) {
            return (1.0, 1.0);
        }
        let ref_words = long_words(r);
        if words.is_empty() || ref_words.is_empty() {
            continue;
        }
        let shared = words.iter().filter(|w| ref_words.contains(w)).count() as f64;
        let score = (shared / words.len() as f64, shared / ref_words.len() as f64);
        if score.0 * score.1 > best.0 * best.1 {
            best = score;
        }
    }
    best
}

/// "Headline – Site Name" in `<title>` names the site when nothing else does.
fn site_from_title_tag(m: &PageMeta) -> Option<String> {
    let tt = normalize(m.title_tag.as_deref()?);
    let title = fold(m.title.as_deref()?);
    TITLE_SEPARATORS.iter().find_map(|sep| {
        let p = tt.rfind(sep)?;
        let (head, tail) = (tt.get(..p)?, tt.get(p + sep.len()..)?.trim());
        let ok = fold(head) == title && !tail.is_empty() && text::word_count(tail) <= 6;
        ok.then(|| tail.to_string())
    })
}

fn pick_title(m: &PageMeta) -> Option<String> {
    let h1 =
        m.h1.first()
            .map(|(_, t)| t.clone())
            .filter(|t| t.chars().count() >= 3);
    let meta_title =
        m.ld.headline
            .clone()
            .or_else(|| {
                m.first(&[
                    "og:title",
                    "twitter:title",
                    "dc.title",
                    "dcterms.title",
                    "headline",
                    "title",
                ])
                .map(str::to_string)
            })
            .map(|t| normalize(&t))
            .filter(|t| !t.is_empty());
    let site = m.site_name.as_deref();
    let host = m.host_label.as_deref();
    // An h1 that is one end of a "Headline | Site" <title> (and not the
    // longer part) is the site's logo.
    let h1_in_title_end = |h: &str| {
        let Some(tt) = m.title_tag.as_deref() else {
            return false;
        };
        let (tt, fh) = (fold(tt), fold(h));
        let h_words = text::word_count(&fh);
        TITLE_SEPARATORS.iter().any(|sep| {
            let tail = tt
                .strip_suffix(fh.as_str())
                .and_then(|r| r.strip_suffix(sep))
                .is_some_and(|r| text::word_count(r) >= h_words);
            let head = tt
                .strip_prefix(fh.as_str())
                .and_then(|r| r.strip_prefix(sep))
                .is_some_and(|r| h_words <= 3 && text::word_count(r) > h_words);
            tail || head
        })
    };
    let h1_is_brand = |h: &str| is_brand(h, site, host) || h1_in_title_end(h);
    let title = match (meta_title, h1) {
        (Some(mt), Some(h)) => {
            let (fm, fh) = (fold(&mt), fold(&h));
            let cleaned = clean_title(&mt, site, host);
            // The visible headline wins over a metadata title written for
            // sharing, unless it is only a brand or a one-word label.
            let h1_usable = !h1_is_brand(&h) && text::word_count(&h) >= 2 && m.h1_agrees;
            if fm == fh || fm.starts_with(&fh) || h1_usable || is_brand(&cleaned, site, host) {
                h
            } else {
                cleaned
            }
        }
        (Some(mt), None) => clean_title(&mt, site, host),
        (None, Some(h)) => {
            let tt = m.title_tag.as_deref().map(fold).unwrap_or_default();
            if !tt.is_empty() && h1_in_title_end(&h) {
                m.title_tag
                    .as_deref()
                    .map(|t| clean_title(t, Some(&h), host))
                    .unwrap_or(h)
            } else if tt.is_empty() || tt.contains(&fold(&h)) {
                h
            } else {
                m.title_tag
                    .as_deref()
                    .map(|t| clean_title(t, site, host))
                    .unwrap_or(h)
            }
        }
        (None, None) => m.title_tag.as_deref().map(|t| clean_title(t, site, host))?,
    };
    let title = text::truncate_chars(&title, 500).to_string();
    (!title.is_empty()).then_some(title)
}

const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " / ", " • "];

/// True if `seg` is only the site's name (or its host's main label).
fn is_brand(seg: &str, site: Option<&str>, host: Option<&str>) -> bool {
    let f = fold(seg);
    let compact: String = f.chars().filter(|c| c.is_alphanumeric()).collect();
    if compact.is_empty() {
        return true;
    }
    let site_hit = site.is_some_and(|s| {
        let fs = fold(s);
        let fs_compact: String = fs.chars().filter(|c| c.is_alphanumeric()).collect();
        fs == f || fs_compact == compact || (f.len() >= 4 && fs.contains(&f))
    });
    let host_hit =
        host.is_some_and(|h| compact == h || compact.starts_with(h) && compact.len() <= h.len() + 4);
    site_hit || host_hit
}

/// Strips a site name or a date from either end of a title.
pub(crate) fn clean_title(t: &str, site: Option<&str>, host: Option<&str>) -> String {
    let mut t = normalize(t);
    let is_brand = |seg: &str| is_brand(seg, site, host);
    let is_date = |seg: &str| text::word_count(seg) <= 4 && dates::find_in_text(seg, true).is_some();
    for _ in 0..4 {
        let cut = TITLE_SEPARATORS
            .iter()
            .filter_map(|s| t.rfind(s).map(|p| (p, s.len())))
            .max_by_key(|(p, _)| *p);
        let Some((p, len)) = cut else { break };
        let (head, tail) = (
            t.get(..p).unwrap_or_default(),
            t.get(p + len..).unwrap_or_default(),
        );
        if head.trim().is_empty() || !(is_brand(tail) || is_date(tail)) {
            break;
        }
        t = head.trim().to_string();
    }
    let cut = TITLE_SEPARATORS
        .iter()
        .filter_map(|s| t.find(s).map(|p| (p, s.len())))
        .min_by_key(|(p, _)| *p);
    if let Some((p, len)) = cut {
        let (head, tail) = (
            t.get(..p).unwrap_or_default(),
            t.get(p + len..).unwrap_or_default(),
        );
        if !tail.trim().is_empty() && is_brand(head) {
            t = tail.trim().to_string();
        }
    }
    t
}

/// The element holding the headline: the main `<h1>` when it agrees with the
/// metadata titles, else the first heading whose text is the title.
fn title_node(dom: &Dom<'_>, m: &PageMeta) -> Option<usize> {
    if let Some(&(h1, _)) = m.h1.first()
        && m.h1_agrees
    {
        return Some(h1);
    }
    let title = fold(m.title.as_deref()?);
    let found = (0..dom.len()).find(|&i| {
        dom.tag(i).heading_level().is_some() && {
            let t = fold(&dom.text_of(i, 500));
            !t.is_empty() && (t == title || (t.len() >= 12 && title.contains(&t)))
        }
    });
    found.or_else(|| m.h1.first().map(|&(i, _)| i))
}

/// Dates (into `out`, at most four more, nearest first; those that open
/// their line also into `heads`) and bylines in the short text lines right
/// after (or shortly before) the main headline, where bylines and date lines
/// sit.
pub(crate) fn near_title_lines(
    dom: &Dom<'_>,
    m: &PageMeta,
    month_first: bool,
    out: &mut Vec<String>,
    heads: &mut Vec<String>,
    bylines: &mut Vec<String>,
) {
    let Some(h1) = title_node(dom, m) else {
        return;
    };
    // Dates after the headline and before it, with their distance in lines.
    // Each with whether it opens its line (a date line or dateline, not a
    // date some sentence mentions).
    let mut found: Vec<(usize, String, bool)> = Vec::new();
    let mut before: Vec<(usize, String, bool)> = Vec::new();
    let opens =
        |t: &str| dates::find_in_text(text::truncate_chars(t.trim_start(), 24), month_first).is_some();
    let usable = |j: usize| {
        let t = dom.text(j)?;
        let parent_tag = dom.parent(j).map(|p| dom.tag(p));
        if matches!(
            parent_tag,
            Some(Tag::Script | Tag::Style | Tag::Noscript | Tag::Template)
        ) {
            return None;
        }
        // A quotation (an embedded post) carries its own date.
        if dom.ancestors(j).take(12).any(|a| dom.tag(a) == Tag::Blockquote) {
            return None;
        }
        let n = text::visible_chars(t);
        if n > 120 {
            // A dateline opening a paragraph: "(25. November 2022) Text ...".
            return Some(text::truncate_chars(t.trim_start(), 32));
        }
        (n > 0).then_some(t)
    };
    let mut seen = 0;
    for j in h1..dom.len() {
        if let Some(t) = usable(j) {
            // "Von Jane Doe", "25.11.2022 14:30 von Jane Doe" under the headline.
            if bylines.len() < 2 && t.len() <= 120 {
                if authors::strip_byline_prefix(t).is_some() {
                    bylines.push(t.to_string());
                } else if let Some(rest) = authors::dated_lead_in(t) {
                    bylines.push(rest.to_string());
                }
            }
            if found.len() < 4
                && let Some(d) = dates::find_in_text(t, month_first)
            {
                found.push((seen, d, opens(t)));
            }
            // A long paragraph weighs as much as three short lines.
            seen += if dom.text(j).is_some_and(|t| text::visible_chars(t) > 120) {
                3
            } else {
                1
            };
        }
        if seen >= 40 {
            break;
        }
    }
    let mut seen = 0;
    for j in (0..h1).rev() {
        if let Some(t) = usable(j) {
            if before.len() < 4
                && let Some(d) = dates::find_in_text(t, month_first)
            {
                before.push((seen, d, opens(t)));
            }
            seen += 1;
        }
        if seen >= 15 {
            break;
        }
    }
    // The nearest first; after the headline wins a tie.
    found.extend(before);
    found.sort_by_key(|(d, _, _)| *d);
    found.truncate(4);
    heads.extend(found.iter().filter(|(_, _, h)| *h).map(|(_, d, _)| d.clone()));
    out.extend(found.into_iter().map(|(_, d, _)| d));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(title: &str, site: Option<&str>, host: Option<&str>, expected: &str) {
        assert_eq!(clean_title(title, site, host), expected);
    }

    #[test]
    fn titles() {
        check(
            "NATO chief vows support – DW – 11/25/2022",
            Some("Deutsche Welle"),
            Some("dw"),
            "NATO chief vows support",
        );
        check("Big news | The Daily", Some("The Daily"), None, "Big news");
        check("The Daily - Big news", Some("The Daily"), None, "Big news");
        check(
            "Biden - the interview",
            Some("The Daily"),
            None,
            "Biden - the interview",
        );
        check("Le titre | Le Journal", None, Some("lejournal"), "Le titre");
    }

    #[test]
    fn title_agreement_with_metadata() {
        let refs = [fold("Radon im Boden: Neue Karte gibt Orientierung - BfS")];
        let (share, cover) = title_agreement("Radon im Boden: Neue Karte gibt Orientierung", &refs);
        assert_eq!((share, cover), (1.0, 1.0));
        assert_eq!(title_agreement("Navigation und Service", &refs), (0.0, 0.0));
        // A subheading shares a word but covers little of the title.
        let refs = [fold("Das vielleicht schönste Ende der Welt: Montauk")];
        let (share, cover) = title_agreement("\"Downtown\" Montauk", &refs);
        assert!(share >= 0.5 && cover < 0.3, "{share} {cover}");
    }

    #[test]
    fn author_links() {
        assert!(is_author_href("https://blog.example.org/author/jane-doe/"));
        assert!(is_author_href("/autor/moritz-muster-21589"));
        assert!(!is_author_href("/author/"));
        assert!(!is_author_href("/authority/report"));
        assert!(!is_author_href("/news/2022/11/25/story"));
    }
}
