//! The title: the main `<h1>` (one that agrees with the metadata titles),
//! the metadata titles (JSON-LD headline, `og:title`, ...) and `<title>`,
//! without a site name or date at either end; and the site name a
//! "Headline - Site" `<title>` gives.

use super::PageMeta;
use crate::dates;
use crate::dom::{Dom, Tag};
use crate::text::{self, fold, normalize};

/// An `<h1>` (element `i`), with whether it sits in page chrome; at most 8.
pub(super) fn h1_element(dom: &Dom<'_>, i: usize, h1_all: &mut Vec<(usize, String, bool)>) {
    if h1_all.len() < 8 {
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
}

/// Orders the `<h1>`s found, the main one first, and notes whether it
/// agrees with the metadata titles.
pub(super) fn order_h1(m: &mut PageMeta, mut h1_all: Vec<(usize, String, bool)>) {
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
}
