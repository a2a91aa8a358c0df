//! The final metadata of an article: for every field, the most trustworthy
//! value among the collected metadata ([`crate::meta`]) and what the body
//! extraction found (a byline, a dateline opening the text). It sits above
//! both, so that neither needs the other.

use url::Url;

use crate::body::Body;
use crate::dom::Dom;
use crate::meta::{PageMeta, near_title_lines};
use crate::text::{self, fold, normalize};
use crate::{ExtractConfig, Metadata, authors, dates};

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
    // Slashed dates in metadata are month first unless the page is in
    // another language than English.
    let slash_month_first = lang.is_empty() || lang.starts_with("en");
    let structured = |v: Option<&str>| v.and_then(|s| dates::parse_structured_in(s, slash_month_first));
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
    let labelled_published = m
        .labelled_published
        .as_deref()
        .and_then(|t| dates::find_in_date_line(t, month_first));
    let published_at = match published {
        // The page labels its publication day: it wins over metadata that
        // disagree (in the page's zone when the metadata are in UTC).
        Some(p) => {
            let p = reconcile(
                &m,
                p,
                modified_at.as_deref(),
                &visible,
                dates::from_url(url).as_deref(),
            );
            match labelled_published.as_deref() {
                Some(l) if dates::day_of(l) != dates::day_of(&p) => dates::day_of(l)
                    .filter(|_| dates::is_utc(&p))
                    .and_then(|d| dates::shift_to_day(&p, d))
                    .or_else(|| Some(l.to_string())),
                _ => Some(p),
            }
        }
        None => dates::from_url(url)
            .or_else(|| labelled_published.clone())
            .or_else(|| {
                m.labelled_date
                    .as_deref()
                    .and_then(|t| dates::find_in_date_line(t, month_first))
            })
            .or_else(|| visible.get(..in_date_elements).and_then(|v| v.first().cloned()))
            .or_else(|| {
                m.self_link_texts
                    .iter()
                    .find_map(|t| dates::find_in_date_line(t, month_first))
            })
            .or_else(|| date_lines.first().cloned())
            // A labelled update ("Letzte Änderung: 14.01.2022") before a date
            // merely written near the headline (which may be any date the text
            // mentions).
            .or_else(|| {
                m.labelled_modified
                    .as_deref()
                    .and_then(|t| dates::find_in_date_line(t, month_first))
            })
            .or_else(|| visible.into_iter().next())
            .or_else(|| body_dateline(body, month_first))
            .or_else(|| modified_at.clone())
            // The page's own summary dates it: "... (Notizia del 14 Gennaio 2020)".
            .or_else(|| {
                m.first(&["og:description", "description", "twitter:description"])
                    .and_then(|d| dates::find_in_text(d, month_first))
            })
            // A copyright notice with a whole day ("Copyright © 19.12.2019 -
            // 12:14 h") stamps the page's last build.
            .or_else(|| {
                m.copyright
                    .as_deref()
                    .and_then(|c| dates::find_in_text(c, month_first))
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
    // A shown date earlier than the metadata that a `<time>` element also
    // gives is the original publication (the metadata carry a later save).
    let in_time_el = |v: &str| {
        m.times
            .iter()
            .filter_map(|t| dates::parse_structured(&t.value))
            .any(|t| dates::day_of(&t) == dates::day_of(v))
    };
    match visible.first() {
        Some(v) if dates::days_between(v, &published).is_some_and(|d| d <= 45) => v.clone(),
        Some(v) if dates::day_of(v) < dates::day_of(&published) && in_time_el(v) => v.clone(),
        _ => published,
    }
}

/// A dateline opening one of the first paragraphs of the text:
/// "(21. November 2022) Energieverbraucher ...", "Berlin, 25.11.2022 – ...".
fn body_dateline(body: &Body, month_first: bool) -> Option<String> {
    body.paragraphs.iter().take(4).find_map(|p| {
        let head = text::truncate_chars(p.text.trim_start(), 32);
        dates::find_in_text(head, month_first)
    })
}

#[cfg(test)]
mod tests;
