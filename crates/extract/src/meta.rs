//! Page metadata: one pass over the document collects every source
//! (`<meta>`, `<link>`, JSON-LD, microdata, `<time>`, byline and date
//! elements); [`finish`] then picks the most trustworthy value per field.

use std::collections::HashMap;

use memchr::memmem::Finder;
use url::Url;

use crate::body::Body;
use crate::dom::{Dom, Kind, Tag};
use crate::jsonld::{self, LdInfo};
use crate::text::{self, Tokens, fold, normalize};
use crate::{ExtractConfig, authors, dates};

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
    metas: HashMap<String, Vec<String>>,
    pub title_tag: Option<String>,
    /// `<h1>` elements (node index, text), the main one first.
    pub h1: Vec<(usize, String)>,
    /// The main `<h1>` shares most of its words with a metadata title (or
    /// there is none to compare with).
    h1_agrees: bool,
    canonical: Option<String>,
    image_src: Option<String>,
    rel_authors: Vec<String>,
    itemprop_authors: Vec<String>,
    byline_texts: Vec<String>,
    /// Text after an author label ("Autor:", "Text:", "By").
    labelled_authors: Vec<String>,
    /// The last copyright notice ("© 2022 Jane Doe").
    copyright: Option<String>,
    /// The first text with a publication label ("Erschienen am: 01.11.2023").
    labelled_published: Option<String>,
    /// The first text with an update label ("Last updated 04 Jun 2020").
    labelled_modified: Option<String>,
    date_texts: Vec<String>,
    times: Vec<TimeEl>,
    itemprop_published: Option<String>,
    itemprop_modified: Option<String>,
    html_lang: Option<String>,
    pub ld: LdInfo,
    pub og_type: Option<String>,
    /// Best title, known before the body is extracted (the body drops it).
    pub title: Option<String>,
    site_name: Option<String>,
    host_label: Option<String>,
}

impl PageMeta {
    fn get(&self, key: &str) -> Option<&str> {
        self.metas
            .get(key)
            .and_then(|v| v.iter().find(|s| !s.trim().is_empty()))
            .map(String::as_str)
    }

    fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }

    fn all(&self, key: &str) -> &[String] {
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

/// Searchers for [`PUBLISHED_LABELS`] and [`MODIFIED_LABELS`], built once.
fn date_label_finders() -> &'static (Vec<Finder<'static>>, Vec<Finder<'static>>) {
    static FINDERS: std::sync::OnceLock<(Vec<Finder<'static>>, Vec<Finder<'static>>)> =
        std::sync::OnceLock::new();
    FINDERS.get_or_init(|| {
        let build = |labels: &[&'static str]| labels.iter().map(|l| Finder::new(l.as_bytes())).collect();
        (build(PUBLISHED_LABELS), build(MODIFIED_LABELS))
    })
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
                && (m.labelled_published.is_none() || m.labelled_modified.is_none())
                && t.bytes().any(|b| b.is_ascii_digit())
            {
                // "Erschienen am: 01.11.2023", "Last updated 04 Jun 2020".
                let lower = t.to_lowercase();
                let (published_labels, modified_labels) = date_label_finders();
                let published = published_labels
                    .iter()
                    .any(|f| f.find(lower.as_bytes()).is_some());
                let modified =
                    !published && modified_labels.iter().any(|f| f.find(lower.as_bytes()).is_some());
                if published && m.labelled_published.is_none() {
                    m.labelled_published = Some(t.to_string());
                } else if modified && m.labelled_modified.is_none() {
                    m.labelled_modified = Some(t.to_string());
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

/// Final metadata values.
pub(crate) struct Finished {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    pub image: Option<String>,
    pub tags: Vec<String>,
    pub language_hint: Option<String>,
    pub html_lang: Option<String>,
    pub og_locale: Option<String>,
}

fn absolute(u: &str, base: Option<&Url>) -> Option<String> {
    let u = u.trim();
    if u.is_empty() || u.starts_with("data:") {
        return None;
    }
    let parsed = match base {
        Some(b) => b.join(u).ok()?,
        None => Url::parse(u).ok()?,
    };
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "originalpublicationdate",
    "original-publish-date",
    "pub_date",
    "datecreated",
    "citation_publication_date",
];

const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "og:modified_time",
    "article:modified",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
    "article.updated",
];

/// Picks the final value of every metadata field.
pub(crate) fn finish(
    dom: &Dom<'_>,
    m: PageMeta,
    body: &Body,
    url: &str,
    base: Option<&Url>,
    cfg: &ExtractConfig,
) -> Finished {
    let site_name = m.site_name.clone();
    let site_key = site_name.as_deref().map(fold).unwrap_or_default();

    // One look at the lines around the headline: the dates and bylines there.
    let lang = m
        .html_lang
        .as_deref()
        .or_else(|| m.get("og:locale"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let month_first = lang == "en" || lang.starts_with("en-us") || lang.starts_with("en_us");
    // The dates the reader sees, first the likeliest: date elements, the
    // byline, short lines next to the headline.
    let mut visible: Vec<String> = m
        .date_texts
        .iter()
        .filter_map(|t| dates::find_in_text(t, month_first))
        .collect();
    visible.extend(
        body.byline
            .as_deref()
            .and_then(|b| dates::find_in_text(b, month_first)),
    );
    let mut title_bylines = Vec::new();
    near_title_lines(dom, &m, month_first, &mut visible, &mut title_bylines);

    // Authors: structured sources first, then bylines. The publication
    // itself (site or publisher name, a domain) is not an author: a source
    // that names only it gives way to the next one, and it is used only
    // when no source names anyone else.
    let publisher_key = m.ld.publisher.as_deref().map(fold).unwrap_or_default();
    let host = m.host_label.as_deref();
    let is_publication = |n: &str| {
        let f = fold(n);
        f == site_key
            || f == publisher_key
            || authors::looks_like_domain(n)
            || authors::is_organisation(n)
            || m.ld.author_orgs.iter().any(|o| fold(o) == f)
            || {
                // The site's name or its host's main label, written differently.
                let compact: String = f.chars().filter(|c| c.is_alphanumeric()).collect();
                let site: String = site_key.chars().filter(|c| c.is_alphanumeric()).collect();
                !compact.is_empty() && (compact == site || host.is_some_and(|h| h == compact))
            }
    };
    // Yoast-style "twitter:label1 = Written by", "twitter:data1 = Jane Doe".
    let labelled: Vec<String> = (1..=4)
        .filter_map(|k| {
            let label = fold(m.get(&format!("twitter:label{k}"))?);
            let is_author = [
                "written by",
                "verfasst von",
                "geschrieben von",
                "écrit par",
                "escrito por",
                "scritto da",
                "autor",
                "author",
                "auteur",
            ]
            .iter()
            .any(|w| label.starts_with(w));
            is_author
                .then(|| m.get(&format!("twitter:data{k}")).map(str::to_string))
                .flatten()
        })
        .collect();
    let meta_authors: Vec<String> = [
        "author",
        "article:author",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
        "byl",
        "citation_author",
    ]
    .iter()
    .flat_map(|k| m.all(k).iter().cloned())
    .chain(labelled)
    .collect();
    let byline: Vec<String> = body.byline.iter().cloned().collect();
    // Date lines often carry the byline too ("21. Mai 2019 von Jane Doe").
    let dated_bylines: Vec<String> = m
        .date_texts
        .iter()
        .flat_map(|t| authors::after_lead_in(t))
        .collect();
    // The copyright holder of a personal site, as a last resort.
    let holder: Vec<String> = m
        .copyright
        .as_deref()
        .map(authors::copyright_holder)
        .into_iter()
        .flatten()
        .collect();
    let sources: [&[String]; 9] = [
        &m.ld.authors,
        &meta_authors,
        &m.itemprop_authors,
        &m.rel_authors,
        &m.byline_texts,
        &m.labelled_authors,
        &byline,
        &title_bylines,
        &dated_bylines,
    ];
    // User handles ("jdoe") give way to a written-out name from a later
    // source, and are kept when none comes.
    let mut names: Vec<String> = Vec::new();
    let mut handles: Vec<String> = Vec::new();
    let mut publications: Vec<String> = Vec::new();
    for list in sources {
        let mut found = Vec::new();
        for v in list {
            authors::add(&mut found, v);
        }
        let (pubs, people): (Vec<String>, Vec<String>) = found.into_iter().partition(|n| is_publication(n));
        if !people.is_empty() && people.iter().all(|n| authors::is_handle(n)) {
            if handles.is_empty() {
                handles = people;
            }
            continue;
        }
        if !people.is_empty() {
            names = people;
            break;
        }
        if publications.is_empty() {
            publications = pubs;
        }
    }
    if names.is_empty() {
        names = handles;
    }
    if names.is_empty() && publications.is_empty() {
        names = holder;
    }
    // With no person named, the publication is the author (a personal
    // site's owner, an agency, a newsroom).
    if names.is_empty() {
        names = publications;
    }
    names.truncate(20);

    // Dates.
    let structured = |v: Option<&str>| v.and_then(dates::parse_structured);
    let published = structured(m.ld.date_published.as_deref())
        .or_else(|| PUBLISHED_KEYS.iter().find_map(|k| structured(m.get(k))))
        .or_else(|| structured(m.itemprop_published.as_deref()))
        .or_else(|| {
            m.times
                .iter()
                .filter(|t| t.published)
                .find_map(|t| structured(Some(&t.value)))
        })
        .or_else(|| {
            m.times
                .iter()
                .filter(|t| !t.modified)
                .find_map(|t| structured(Some(&t.value)))
        });
    let modified_at = structured(m.ld.date_modified.as_deref())
        .or_else(|| MODIFIED_KEYS.iter().find_map(|k| structured(m.get(k))))
        .or_else(|| structured(m.itemprop_modified.as_deref()))
        .or_else(|| {
            m.times
                .iter()
                .filter(|t| t.modified)
                .find_map(|t| structured(Some(&t.value)))
        });
    let published_at = match published {
        Some(p) => Some(reconcile(
            &m,
            p,
            modified_at.as_deref(),
            &visible,
            dates::from_url(url).as_deref(),
        )),
        None => dates::from_url(url)
            .or_else(|| visible.into_iter().next())
            .or_else(|| {
                m.labelled_published
                    .as_deref()
                    .and_then(|t| dates::find_in_text(t, month_first))
            })
            .or_else(|| modified_at.clone())
            .or_else(|| {
                m.labelled_modified
                    .as_deref()
                    .and_then(|t| dates::find_in_text(t, month_first))
            }),
    };
    let description = m
        .first(&["og:description", "description", "twitter:description"])
        .map(str::to_string)
        .or_else(|| m.ld.description.clone())
        .or_else(|| {
            m.first(&["dc.description", "dcterms.description"])
                .map(str::to_string)
        })
        .map(|d| normalize(&d))
        .filter(|d| !d.is_empty());

    let canonical_url = m
        .canonical
        .as_deref()
        .and_then(|u| absolute(u, base))
        .or_else(|| m.get("og:url").and_then(|u| absolute(u, base)))
        .or_else(|| m.ld.url.as_deref().and_then(|u| absolute(u, base)));

    let image = [
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ]
    .iter()
    .find_map(|k| m.get(k).and_then(|u| absolute(u, base)))
    .or_else(|| m.ld.image.as_deref().and_then(|u| absolute(u, base)))
    .or_else(|| m.image_src.as_deref().and_then(|u| absolute(u, base)))
    .or_else(|| m.get("image").and_then(|u| absolute(u, base)));

    let mut tags: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut push_tag = |t: &str| {
        let t = normalize(t);
        let key = t.to_lowercase();
        if t.is_empty() || t.chars().count() > 100 || seen.contains(&key) {
            return;
        }
        seen.push(key);
        tags.push(t);
    };
    for k in ["article:tag", "news_keywords", "keywords", "dc.subject"] {
        for v in m.all(k) {
            v.split([',', ';']).for_each(&mut push_tag);
        }
    }
    m.ld.keywords.iter().for_each(|t| push_tag(t));
    m.ld.sections.iter().for_each(|t| push_tag(t));
    for v in m.all("article:section") {
        push_tag(v);
    }
    tags.truncate(cfg.max_tags);

    let language_hint = m
        .html_lang
        .clone()
        .or_else(|| m.get("og:locale").map(str::to_string))
        .or_else(|| {
            m.first(&["content-language", "language", "dc.language", "dcterms.language"])
                .map(str::to_string)
        })
        .or_else(|| m.ld.language.clone())
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && l.len() <= 35);
    let declared = |v: Option<&str>| {
        v.map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && l.len() <= 35)
    };
    let html_lang = declared(m.html_lang.as_deref());
    let og_locale = declared(m.get("og:locale"));

    Finished {
        title: m.title,
        authors: names,
        published_at,
        modified_at,
        description,
        canonical_url,
        site_name,
        image,
        tags,
        language_hint,
        html_lang,
        og_locale,
    }
}

/// Settles the publication time against the rest of the page: a value in UTC
/// takes the page's own offset when another source writes the same instant
/// with one; the day the page shows wins over the metadata when it is the
/// modification day (the page presents itself as of that day) or the
/// neighbouring calendar day of a UTC value (the page's zone moved it).
fn reconcile(
    m: &PageMeta,
    published: String,
    modified: Option<&str>,
    visible: &[String],
    in_url: Option<&str>,
) -> String {
    let mut published = published;
    if dates::is_utc(&published) {
        let others = m
            .times
            .iter()
            .map(|t| t.value.as_str())
            .chain(m.ld.date_published.as_deref())
            .chain(m.ld.date_modified.as_deref())
            .chain(m.itemprop_published.as_deref())
            .chain(
                m.metas
                    .values()
                    .flatten()
                    .map(String::as_str)
                    .filter(|v| v.len() <= 40),
            );
        // The metadata map is unordered: take the smallest candidate so the
        // result does not depend on it.
        if let Some(local) = others
            .filter(|v| v.len() >= 16 && v.as_bytes().first().is_some_and(u8::is_ascii_digit))
            .filter_map(dates::parse_structured)
            .filter_map(|o| dates::same_instant_local(&published, &o))
            .min()
        {
            published = local;
        }
    }
    let shown_days: Vec<&str> = visible.iter().filter_map(|v| dates::day_of(v)).collect();
    let day = dates::day_of(&published);
    if shown_days.iter().any(|d| Some(*d) == day) {
        return published;
    }
    // The day in the article's URL is fixed when it is first published.
    if let Some(u) = in_url
        && dates::day_of(u) != day
    {
        return match dates::shift_to_day(&published, dates::day_of(u).unwrap_or_default()) {
            Some(shifted) if dates::is_utc(&published) => shifted,
            _ => u.to_string(),
        };
    }
    // A day stored as local midnight east of UTC and written in UTC
    // (`2022-11-06T23:00:00Z` for the 7th): exact hours of 22:00 or 23:00.
    if dates::is_utc(&published)
        && matches!(published.get(11..19), Some("23:00:00" | "22:00:00"))
        && let Some(next) = dates::next_day(&published)
        && let Some(shifted) = dates::shift_to_day(&published, &next)
    {
        published = shifted;
        if shown_days.is_empty() || shown_days.contains(&next.as_str()) {
            return published;
        }
    }
    let Some(&shown) = shown_days.first() else {
        return published;
    };

    if let Some(md) = modified
        && dates::day_of(md) == Some(shown)
    {
        return md.to_string();
    }
    if dates::is_utc(&published)
        && let Some(shifted) = dates::shift_to_day(&published, shown)
    {
        return shifted;
    }
    // A shown date a few weeks off the metadata is the one the page stands
    // by (metadata often carries an import or a scheduling time); one years
    // off is some other date on the page.
    match visible.first() {
        Some(v) if dates::days_between(v, &published).is_some_and(|d| d <= 45) => v.clone(),
        _ => published,
    }
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

/// Dates (into `out`, at most four more) and bylines in the short text lines
/// right after (or shortly before) the main headline, where bylines and date
/// lines sit.
fn near_title_lines(
    dom: &Dom<'_>,
    m: &PageMeta,
    month_first: bool,
    out: &mut Vec<String>,
    bylines: &mut Vec<String>,
) {
    let Some(h1) = title_node(dom, m) else {
        return;
    };
    let limit = out.len() + 4;
    let usable = |j: usize| {
        let t = dom.text(j)?;
        let parent_tag = dom.parent(j).map(|p| dom.tag(p));
        if matches!(
            parent_tag,
            Some(Tag::Script | Tag::Style | Tag::Noscript | Tag::Template)
        ) {
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
            if let Some(d) = dates::find_in_text(t, month_first) {
                out.push(d);
                if out.len() >= limit {
                    return;
                }
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
            if let Some(d) = dates::find_in_text(t, month_first) {
                out.push(d);
                if out.len() >= limit {
                    return;
                }
            }
            seen += 1;
        }
        if seen >= 15 {
            break;
        }
    }
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
