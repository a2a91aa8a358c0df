//! The title: the main `<h1>` (one that agrees with the metadata titles),
//! the metadata titles (JSON-LD headline, `og:title`, ...) and `<title>`,
//! without a site name or date at either end; and the site name a
//! "Headline - Site" `<title>` gives.

use super::PageMeta;
use crate::dates;
use crate::dom::{Dom, Tag};
use crate::text::{self, fold, normalize};
use url::Url;

/// An `<h1>` found in the page.
pub(super) struct H1 {
    i: usize,
    text: String,
    /// Inside page chrome (`<header>`, `<nav>`, ...) outside an article.
    chrome: bool,
    /// The site's logo: all its text is a link to the site's home page.
    logo: bool,
}

/// An `<h1>` (element `i`), with whether it sits in page chrome and whether
/// it is the site's logo; at most 8.
pub(super) fn h1_element(dom: &Dom<'_>, i: usize, base: Option<&Url>, h1_all: &mut Vec<H1>) {
    if h1_all.len() < 8 {
        // A permalink anchor ("Configuration guide¶") is not the heading's text.
        let mut text = dom.text_of(i, 500);
        if text.ends_with('¶') {
            text = text.trim_end_matches('¶').trim_end().to_string();
        }
        if !text.is_empty() {
            let chrome = dom
                .ancestors(i)
                .any(|a| matches!(dom.tag(a), Tag::Header | Tag::Nav | Tag::Footer | Tag::Aside))
                && !dom
                    .ancestors(i)
                    .any(|a| matches!(dom.tag(a), Tag::Article | Tag::Main));
            let logo = (i + 1..dom.end(i))
                .any(|a| dom.tag(a) == Tag::A && is_home_link(dom, a, base) && dom.text_of(a, 500) == text);
            h1_all.push(H1 {
                i,
                text,
                chrome,
                logo,
            });
        }
    }
}

/// A link (element `a`) to the site's home page: `rel="home"`, or a target
/// whose path is `/` (or `/index.html`, ...) with no query naming an item,
/// or an
/// archived copy of such a root (`/web/2016.../http://example.com/`).
fn is_home_link(dom: &Dom<'_>, a: usize, base: Option<&Url>) -> bool {
    if dom
        .attr(a, "rel")
        .is_some_and(|r| r.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("home")))
    {
        return true;
    }
    let Some(href) = dom.attr(a, "href").map(str::trim).filter(|h| !h.is_empty()) else {
        return false;
    };
    let target = match base {
        Some(b) => b.join(href),
        None => Url::parse(href),
    };
    let Ok(target) = target else {
        return false;
    };
    // A query naming an item ("?p=2895", "?id=765") leads to a page of the
    // site; one that only picks a language ("?locale=de-DE") does not.
    let names_item = target
        .query_pairs()
        .any(|(_, v)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
    if names_item || !matches!(target.scheme(), "http" | "https") {
        return false;
    }
    let path = target.path();
    let archived_root = path
        .strip_suffix('/')
        .and_then(|p| p.rfind("://").map(|k| p.get(k + 3..).unwrap_or_default()))
        .is_some_and(|host| !host.is_empty() && !host.contains('/'));
    matches!(path, "" | "/" | "/index.html" | "/index.htm" | "/index.php") || archived_root
}

/// Orders the `<h1>`s found, the main one first, and notes whether it
/// agrees with the metadata titles.
pub(super) fn order_h1(m: &mut PageMeta, mut h1_all: Vec<H1>) {
    // Main h1 first: one that agrees with the page's metadata titles (a
    // widget or a newsletter box does not), not the site's logo (whose
    // name is in <title>), else one outside page chrome; an h1 in chrome
    // that is the metadata headline itself is the headline all the same.
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
    let headlines = &refs[..refs.len() - usize::from(m.title_tag.is_some())];
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
    h1_all.sort_by_key(|h| {
        let a = agreement(&h.text);
        let headline = headlines.contains(&fold(&h.text));
        (
            !agrees(a),
            h.logo,
            a.0 <= 0.0,
            h.chrome && !headline,
            std::cmp::Reverse((a.0 * a.1 * 1000.0) as u32),
        )
    });
    m.h1_agrees = h1_all.first().is_some_and(|h| {
        let a = agreement(&h.text);
        !h.logo && a.0 > 0.0 && a.1 >= 0.2
    });
    m.logo = h1_all.iter().find(|h| h.logo).map(|h| h.text.clone());
    m.h1 = h1_all.into_iter().map(|h| (h.i, h.text)).collect();
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
pub(super) fn site_from_title_tag(m: &PageMeta) -> Option<String> {
    let tt = normalize(m.title_tag.as_deref()?);
    let title = fold(m.title.as_deref()?);
    TITLE_SEPARATORS.iter().find_map(|sep| {
        let p = tt.rfind(sep)?;
        let (head, tail) = (tt.get(..p)?, tt.get(p + sep.len()..)?.trim());
        let ok = fold(head) == title && !tail.is_empty() && text::word_count(tail) <= 6;
        ok.then(|| tail.to_string())
    })
}

pub(super) fn pick_title(m: &PageMeta) -> Option<String> {
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
    // An h1 that is the end of a "Headline | Site" <title> (and not the
    // longer part) is the site's logo, unless the page marks its logo. (One
    // that opens the <title> is the headline: "Headline - Site Slogan".)
    let h1_in_title_end = |h: &str| {
        let Some(tt) = m.title_tag.as_deref() else {
            return false;
        };
        if m.logo.is_some() {
            return false;
        }
        let (tt, fh) = (fold(tt), fold(h));
        let h_words = text::word_count(&fh);
        TITLE_SEPARATORS.iter().any(|sep| {
            tt.strip_suffix(fh.as_str())
                .and_then(|r| r.strip_suffix(sep))
                .is_some_and(|r| text::word_count(r) >= h_words)
        })
    };
    let is_logo = |h: &str| m.logo.as_deref() == Some(h);
    let h1_is_brand = |h: &str| is_brand(h, site, host) || is_logo(h) || h1_in_title_end(h);
    // The visible headline wins over a metadata title written for sharing
    // or a <title>, unless it is only a brand or a one-word label.
    let h1_usable = |h: &str| !h1_is_brand(h) && text::word_count(h) >= 2 && m.h1_agrees;
    let title = match (meta_title, h1) {
        (Some(mt), Some(h)) => {
            let (fm, fh) = (fold(&mt), fold(&h));
            let cleaned = clean_title(&mt, site, host);
            if fm == fh || fm.starts_with(&fh) || h1_usable(&h) || is_brand(&cleaned, site, host) {
                h
            } else {
                cleaned
            }
        }
        (Some(mt), None) => clean_title(&mt, site, host),
        (None, Some(h)) => match m.title_tag.as_deref() {
            None => h,
            Some(tt) if is_logo(&h) || is_brand(&h, site, host) => {
                let cleaned = clean_title(tt, site, host);
                without_brand(tt, &h, site, host)
                    .or_else(|| {
                        (!is_brand(&cleaned, site, host) && fold(&cleaned) != fold(&h)).then_some(cleaned)
                    })
                    .unwrap_or(h)
            }
            Some(tt) if h1_in_title_end(&h) => clean_title(tt, Some(&h), host),
            Some(tt) => {
                // A <title> that is only the site's name or a one-word
                // label ("Home") gives way to the page's only h1 as well.
                let cleaned = clean_title(tt, site, host);
                let label =
                    m.h1.len() == 1 && (is_brand(&cleaned, site, host) || text::word_count(&cleaned) <= 1);
                if fold(tt).contains(&fold(&h)) || h1_usable(&h) || label {
                    h
                } else {
                    cleaned
                }
            }
        },
        (None, None) => m.title_tag.as_deref().map(|t| clean_title(t, site, host))?,
    };
    let title = text::truncate_chars(&title, 500).to_string();
    (!title.is_empty()).then_some(title)
}

/// A `<title>` holding the site's name `brand` (its logo): the text before
/// the name ("Headline : Site | Slogan"), else the title without the name
/// at its start ("Site » Headline"); nothing when the rest is empty.
fn without_brand(tt: &str, brand: &str, site: Option<&str>, host: Option<&str>) -> Option<String> {
    let tt = normalize(tt);
    let (lower, fb) = (tt.to_lowercase(), fold(brand));
    if fold(&tt) == fb {
        return None;
    }
    // Byte offsets of the lowercase copy hold for the title when lowercasing
    // keeps every length.
    let p = if lower.len() == tt.len() {
        lower.find(&fb)?
    } else {
        tt.find(brand)?
    };
    let head = tt
        .get(..p)?
        .trim_end_matches(|c: char| c.is_whitespace() || SEPARATOR_MARKS.contains(&c));
    let t = if head.is_empty() {
        clean_title(&tt, Some(brand), host)
    } else {
        clean_title(head, site, host)
    };
    (!t.is_empty() && fold(&t) != fb).then_some(t)
}

/// Punctuation that separates a headline from the site's name.
const SEPARATOR_MARKS: &[char] = &[':', '|', '-', '–', '—', '·', '»', '«', '/', '•', ',', '~'];

/// The first and the last part of a title tag split at its separators
/// ("Headline | Site", "Site - Headline"), folded; nothing when it has one
/// part. Where a site puts its name.
pub(crate) fn title_tag_ends(m: &PageMeta) -> Vec<String> {
    let Some(tt) = m.title_tag.as_deref().map(normalize) else {
        return Vec::new();
    };
    let mut parts = vec![tt.as_str()];
    for sep in TITLE_SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    let parts: Vec<String> = parts.iter().map(|p| fold(p)).filter(|p| !p.is_empty()).collect();
    match (parts.first(), parts.last()) {
        (Some(a), Some(b)) if parts.len() > 1 => vec![a.clone(), b.clone()],
        _ => Vec::new(),
    }
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
    // The host's label without hyphens, the name with umlauts spelled out
    // as hosts spell them ("Bücherei am Markt" is buecherei-am-markt).
    let host_hit = host.is_some_and(|h| {
        let h: String = h.chars().filter(|c| c.is_alphanumeric()).collect();
        let spelled = spell_out_umlauts(&compact);
        [&compact, &spelled]
            .iter()
            .any(|c| **c == h || c.starts_with(&h) && c.len() <= h.len() + 4)
            || titled_host_name(seg, &h)
    });
    site_hit || host_hit
}

/// A name that ends with a long host label after at most two capitalized
/// words ("St. Georgs Chorknaben Ulm" on chorknaben-ulm; not "Rede im
/// Bundestag").
fn titled_host_name(seg: &str, host: &str) -> bool {
    if host.len() < 8 {
        return false;
    }
    let words: Vec<&str> = seg
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (1..=2).any(|k| {
        words.len() > k
            && words.get(..k).is_some_and(|lead| {
                lead.iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
            })
            && spell_out_umlauts(&words.get(k..).unwrap_or_default().concat().to_lowercase()) == host
    })
}

/// "ä" as "ae", "ö" as "oe", "ü" as "ue", "ß" as "ss".
fn spell_out_umlauts(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
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
    fn titles_around_the_logo() {
        let cut = |tt: &str, logo: &str| without_brand(tt, logo, None, None);
        assert_eq!(
            cut(
                "Ein Krimi im Watt : Spurensuche | Notizen | Seit 2006",
                "Spurensuche"
            )
            .as_deref(),
            Some("Ein Krimi im Watt")
        );
        assert_eq!(
            cut("Time 4 talks » Blog » Kinos werden digital", "Time 4 talks").as_deref(),
            Some("Blog » Kinos werden digital")
        );
        assert_eq!(cut("Spurensuche", "Spurensuche"), None);
        assert_eq!(cut("Ein Krimi im Watt", "Spurensuche"), None);
        // Hosts spell umlauts out and join words with hyphens.
        assert!(is_brand("Bücherei am Markt", None, Some("buecherei-am-markt")));
        assert!(!is_brand(
            "Bücherei wird renoviert",
            None,
            Some("buecherei-am-markt")
        ));
    }

    #[track_caller]
    fn check_home(href: &str, expected: bool) {
        let page = format!("<html><body><h1><a href=\"{href}\">Site</a></h1></body></html>");
        let html = scraper::Html::parse_document(&page);
        let dom = Dom::build(&html);
        let a = (0..dom.len()).find(|&i| dom.tag(i) == Tag::A).unwrap_or(0);
        let base = Url::parse("https://www.site.example/2020/05/story.html").ok();
        assert_eq!(is_home_link(&dom, a, base.as_ref()), expected, "{href}");
    }

    #[test]
    fn home_links() {
        check_home("/", true);
        check_home("https://www.site.example/", true);
        check_home("/index.php", true);
        check_home("/?locale=de-DE", true);
        check_home(
            "https://web.archive.org/web/20160330101229/http://site.example/",
            true,
        );
        check_home("/?p=2895", false);
        check_home("/2020/05/story.html", false);
        check_home("/news/", false);
        check_home("mailto:info@site.example", false);
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
}
