//! When the article was published and last updated: structured values
//! first (JSON-LD, `<meta>`, microdata, `<time>`), settled against the days
//! the page shows and the day in its URL; else labelled, shown and written
//! dates, down to the summary and the copyright notice.

use crate::body::Body;
use crate::dates;
use crate::meta::PageMeta;
use crate::text;

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

/// The dates the reader sees, first the likeliest: from date elements and
/// the byline (the first `in_date_elements`), short lines next to the
/// headline, a byline element; and those that open a line near the headline
/// (`date_lines`).
pub(super) struct Shown {
    pub(super) visible: Vec<String>,
    pub(super) in_date_elements: usize,
    pub(super) date_lines: Vec<String>,
}

/// The publication and the update time; `lang` is the page's declared
/// language, lowercase.
pub(super) fn dates(
    m: &PageMeta,
    body: &Body,
    url: &str,
    lang: &str,
    month_first: bool,
    shown: Shown,
    in_scripts: impl FnOnce() -> Option<String>,
) -> (Option<String>, Option<String>) {
    let Shown {
        visible,
        in_date_elements,
        date_lines,
    } = shown;
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
                m,
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
            // The page's state in a script ("publishedDate": ...), searched
            // only now.
            .or_else(in_scripts)
            // A copyright notice with a whole day ("Copyright © 19.12.2019 -
            // 12:14 h") stamps the page's last build.
            .or_else(|| {
                m.copyright
                    .as_deref()
                    .and_then(|c| dates::find_in_text(c, month_first))
            }),
    };
    (published_at, modified_at)
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
pub(super) fn body_dateline(body: &Body, month_first: bool) -> Option<String> {
    body.paragraphs.iter().take(4).find_map(|p| {
        let head = text::truncate_chars(p.text.trim_start(), 32);
        dates::find_in_text(head, month_first)
    })
}
