//! Who the article is by: the first source that names a person, in order
//! of trust (JSON-LD, `<meta>`, microdata, author links, byline elements and
//! labels, the body's byline, lines under the headline, date lines, a
//! signature under the text), else a
//! user handle, else the publication or the copyright holder.

use crate::authors;
use crate::body::Body;
use crate::meta::{PageMeta, title_tag_ends};
use crate::text::fold;

/// The authors, at most 20; `site_key` is the folded site name and
/// `title_bylines` the bylines under the headline.
pub(super) fn authors(m: &PageMeta, body: &Body, site_key: &str, title_bylines: &[String]) -> Vec<String> {
    // Authors: structured sources first, then bylines. The publication
    // itself (site or publisher name, a domain) is not an author: a source
    // that names only it gives way to the next one, and it is used only
    // when no source names anyone else.
    let publisher_key = m.ld.publisher.as_deref().map(fold).unwrap_or_default();
    let host = m.host_label.as_deref();
    // The name a title tag opens or ends with ("Headline | Site"), alone or
    // before more words ("Site Berlin - Headline").
    let title_ends = title_tag_ends(m);
    let is_publication = |n: &str| {
        let f = fold(n);
        f == site_key
            || title_ends.iter().any(|e| {
                *e == f || (f.contains(' ') && e.strip_prefix(f.as_str()).is_some_and(|r| r.starts_with(' ')))
            })
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
    let signature: Vec<String> = m.signature.iter().cloned().collect();
    let sources: [&[String]; 10] = [
        &m.ld.authors,
        &meta_authors,
        &m.itemprop_authors,
        &m.rel_authors,
        &m.byline_texts,
        &m.labelled_authors,
        &byline,
        title_bylines,
        &dated_bylines,
        &signature,
    ];
    // User handles ("jdoe") give way to a written-out name from a later
    // source, and are kept when none comes.
    let mut names: Vec<String> = Vec::new();
    let mut handles: Vec<String> = Vec::new();
    let mut publications: Vec<String> = Vec::new();
    for list in sources {
        let mut found = Vec::new();
        let mut sites = Vec::new();
        for v in list {
            // "Example News (www.example.com)": a name given with its web
            // address is the publication's.
            let with_domain = v
                .split_once('(')
                .and_then(|(_, r)| r.split_once(')'))
                .is_some_and(|(inner, _)| authors::looks_like_domain(inner.trim()));
            authors::add(if with_domain { &mut sites } else { &mut found }, v);
        }
        let (mut pubs, people): (Vec<String>, Vec<String>) =
            found.into_iter().partition(|n| is_publication(n));
        pubs.extend(sites);
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
    names
}
