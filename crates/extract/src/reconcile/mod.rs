//! The final metadata of an article: for every field, the most trustworthy
//! value among the collected metadata ([`crate::meta`]) and what the body
//! extraction found (a byline, a dateline opening the text). It sits above
//! both, so that neither needs the other. [`finish`] gathers the dates and
//! bylines the reader sees and picks every field; the authors come from
//! [`authorship`], the publication and update times from [`published`].

mod authorship;
mod published;

use url::Url;

use crate::body::Body;
use crate::dom::Dom;
use crate::meta::{PageMeta, near_title_lines, published_in_scripts};
use crate::text::{fold, normalize};
use crate::{ExtractConfig, Metadata, dates};
use published::Shown;

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

/// Picks the final value of every metadata field; `markup` is the page's
/// decoded markup (searched for the state in its scripts when nothing else
/// dates the page).
pub(crate) fn finish(
    dom: &Dom<'_>,
    markup: &str,
    m: PageMeta,
    body: &Body,
    url: &str,
    base: Option<&Url>,
    cfg: &ExtractConfig,
) -> Metadata {
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
        .filter_map(|t| dates::find_in_date_line(t, month_first))
        .collect();
    visible.extend(
        body.byline
            .as_deref()
            .and_then(|b| dates::find_in_date_line(b, month_first)),
    );
    let in_date_elements = visible.len();
    let mut title_bylines = Vec::new();
    let mut date_lines = Vec::new();
    near_title_lines(
        dom,
        &m,
        month_first,
        &mut visible,
        &mut date_lines,
        &mut title_bylines,
    );
    // A date inside a byline element ("Author: Jane am 29.12.2010").
    visible.extend(
        m.byline_texts
            .iter()
            .filter_map(|t| dates::find_in_date_line(t, month_first))
            .take(1),
    );

    let names = authorship::authors(&m, body, &site_key, &title_bylines);

    let shown = Shown {
        visible,
        in_date_elements,
        date_lines,
    };
    let in_scripts = || published_in_scripts(markup);
    let (published_at, modified_at) = published::dates(&m, body, url, &lang, month_first, shown, in_scripts);

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

    Metadata {
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

#[cfg(test)]
mod tests;
