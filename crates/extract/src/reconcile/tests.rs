//! Tests of the final metadata, dates above all: pages go through the whole
//! extraction and the chosen publication time is compared.

use super::published::body_dateline;
use super::*;
use crate::ExtractConfig;
use crate::text;

/// Parts of an article page for the date tests.
#[derive(Default)]
struct Page<'a> {
    head: &'a str,
    /// Before the headline.
    before: &'a str,
    /// Between the headline and the text.
    top: &'a str,
    /// After the text, in the article.
    end: &'a str,
    /// In a sidebar.
    side: &'a str,
}

/// The publication date of `page`.
fn published(page: &Page<'_>) -> Option<String> {
    let para = "<p>The council met on a cold morning to discuss the new budget, and the \
                members argued for hours about roads, schools, bridges and the old library \
                by the river.</p>";
    let html = format!(
        "<html><head><title>Council budget</title>{}</head><body><main><article>{}\
         <h1>Council budget</h1>{}{}{}</article></main><aside class=\"sidebar\">{}</aside>\
         </body></html>",
        page.head,
        page.before,
        page.top,
        para.repeat(16),
        page.end,
        page.side
    );
    let input = crate::Input {
        html: crate::Html::Text(&html),
        url: "https://example.com/news/council-budget",
        content_type: None,
    };
    crate::extract(&input, &ExtractConfig::default())
        .ok()?
        .meta
        .published_at
}

#[track_caller]
fn check_published(head: &str, top: &str, side: &str, expected: Option<&str>) {
    let page = Page {
        head,
        top,
        side,
        ..Page::default()
    };
    assert_eq!(
        published(&page).as_deref(),
        expected,
        "head: {head:?} top: {top:?} side: {side:?}"
    );
}

#[test]
fn labelled_publication_dates() {
    let meta = r#"<meta name="date" content="2021-10-15">"#;
    // A label alone in its element, the date in the next one, wins over
    // metadata that disagree.
    check_published(
        meta,
        "<span>Erschienen am:</span><h2>13.10.2021</h2>",
        "",
        Some("2021-10-13T00:00:00Z"),
    );
    check_published(meta, "", "", Some("2021-10-15T00:00:00Z"));
    // Not in a sidebar, not in a sentence.
    check_published(
        meta,
        "",
        "<span>veröffentlicht am Januar 20, 2022</span>",
        Some("2021-10-15T00:00:00Z"),
    );
    check_published(
        meta,
        "<p>Das Interview wurde am 7. Oktober 2020 geführt und ist zunächst anderswo erschienen: </p>",
        "",
        Some("2021-10-15T00:00:00Z"),
    );
    // UTC metadata move to the labelled day when the instant allows it.
    check_published(
        r#"<meta property="article:published_time" content="2023-11-09T05:30:59Z">"#,
        "<p>PUBLISHED: November 8, 2023 at 11:30 p.m.</p>",
        "",
        Some("2023-11-08T23:30:59-06:00"),
    );
    // Without metadata the labelled date comes before other dates shown.
    check_published(
        "",
        "<p>Veröffentlicht am 16.08.2019</p><div class=\"date\">24. August 2019</div>",
        "",
        Some("2019-08-16T00:00:00Z"),
    );
    // A date element with a two-digit year.
    check_published(
        "",
        "<div class=\"meta-date\">Jane Doe | 06.11.23</div>",
        "",
        Some("2023-11-06T00:00:00Z"),
    );
}

#[test]
fn shown_dates() {
    // A date in a byline element far from the headline.
    let page = Page {
        end: "<div class=\"author\">Author: Jane am 29.12.2010, 13:36 Uhr</div>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2010-12-29T00:00:00Z"));
    // A quoted post under the headline has its own date.
    check_published(
        r#"<meta property="article:published_time" content="2023-11-06T11:45:20Z">"#,
        "<blockquote><p>New feature! — Jane (@jane) November 3, 2023</p></blockquote>",
        "",
        Some("2023-11-06T11:45:20Z"),
    );
    check_published(
        r#"<meta property="article:published_time" content="2023-11-06T11:45:20Z">"#,
        "<p>New feature! — Jane (@jane) November 3, 2023</p>",
        "",
        Some("2023-11-03T00:00:00Z"),
    );
    // The date line just above the headline before a date further down.
    let page = Page {
        before: "<p class=\"kicker\">21. Jan 2022 // Jane Doe</p>",
        top: "<p>Intro.</p><p>One.</p><p>Two.</p><p>Seen on 6. August 2020</p>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2022-01-21T00:00:00Z"));
}

#[test]
fn labelled_updates() {
    // A labelled update before a date the text mentions near the headline.
    let page = Page {
        top: "<p>Treffen am 5. Februar 2020</p>",
        end: "<p>Diese Seite wurde zuletzt am 29. Januar 2020 um 13:22 Uhr geändert.</p>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2020-01-29T00:00:00Z"));
    // The label alone in its element, the date in the next one.
    let page = Page {
        top: "<p>Treffen am 5. Februar 2020</p>",
        end: "<div><label>Letzte Änderung:</label><div>14.01.2022 um 09:25</div></div>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2022-01-14T00:00:00Z"));
    // A dateline under the headline comes before it.
    let page = Page {
        top: "<p><strong>Bern, 17.08.2007 - Rede beim Städtegipfel</strong></p>",
        end: "<p><small>Letzte Änderung 14.02.2019</small></p>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2007-08-17T00:00:00Z"));
    // An update label later in its line; the date must follow the label.
    let page = Page {
        end: "<address>notes.html - Created 03-10-2004 - Last Modified: 03-10-2004</address>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2004-10-03T00:00:00Z"));
    let page = Page {
        end: "<span>Die Cookie-Erklärung wurde das letzte Mal am 02.12.2022 aktualisiert</span>",
        ..Page::default()
    };
    assert_eq!(published(&page), None);
    // A date element still comes first.
    let page = Page {
        top: "<span class=\"date\">Par Jane | 30 septembre 2018</span>\
              <p><i>Article mis à jour le 7 janvier 2020.</i></p>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2018-09-30T00:00:00Z"));
}

#[test]
fn bare_date_labels() {
    // "Datum:" dates a page that has no other date source.
    check_published(
        "",
        "<div><span class=\"label\">Datum:</span> <span>18.10.2021</span></div>\
         <p class=\"pubdate\">Informationsschreiben vom 14. Oktober 2021</p>",
        "",
        Some("2021-10-18T00:00:00Z"),
    );
    // It does not override metadata: it may be the date of a photo.
    let page = Page {
        head: r#"<meta property="article:published_time" content="2019-09-17T14:54:31+02:00">"#,
        end: "<ul><li>Kamera: Canon</li><li>Datum: 31/08/2019</li></ul>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2019-09-17T14:54:31+02:00"));
    // "Update:" is no "date:".
    check_published(
        "",
        "<p>Update: 18.10.2021</p><p>Veröffentlicht am 14.10.2021</p>",
        "",
        Some("2021-10-14T00:00:00Z"),
    );
}

#[test]
fn shown_date_confirmed_by_time_element() {
    let head = r#"<meta property="article:published_time" content="2022-11-17T10:33:13Z">"#;
    // Earlier than the metadata and given by a `<time>` too: the original.
    check_published(
        head,
        r#"<p class="meta">von Jane Doe <time datetime="2022-03-09">09.03.2022</time></p>"#,
        "",
        Some("2022-03-09T00:00:00Z"),
    );
    // Only written: the metadata stand.
    check_published(
        head,
        r#"<p class="meta">von Jane Doe 09.03.2022</p>"#,
        "",
        Some("2022-11-17T10:33:13Z"),
    );
}

#[test]
fn last_resort_dates() {
    // The last resort: the page's summary.
    let head = r#"<meta name="description" content="Orso marsicano (Notizia del 14 Gennaio 2020)">"#;
    check_published(head, "", "", Some("2020-01-14T00:00:00Z"));
    let head = r#"<meta name="description" content="Orso marsicano (Notizia del 14 Gennaio 2020)">
                  <meta property="article:published_time" content="2020-01-15T10:00:00+01:00">"#;
    check_published(head, "", "", Some("2020-01-15T10:00:00+01:00"));
    // After it, a copyright notice with a whole day; a year alone is no date.
    let page = Page {
        end: "<p>Copyright © 19.12.2019 - 12:14 h by Example GmbH</p>",
        ..Page::default()
    };
    assert_eq!(published(&page).as_deref(), Some("2019-12-19T00:00:00Z"));
    let page = Page {
        end: "<p>Copyright © 2019 Example GmbH</p>",
        ..Page::default()
    };
    assert_eq!(published(&page), None);
}

#[test]
fn links_to_the_page_itself() {
    let at = |side: &str| {
        published(&Page {
            side,
            ..Page::default()
        })
    };
    // A teaser of this very page in a list carries its date.
    assert_eq!(
        at(
            r#"<article class="teaser"><h2><a href="/news/council-budget">Council budget</a></h2>
             <footer><span>18. März 2020</span></footer></article>
             <article class="teaser"><h2><a href="/news/other">Other</a></h2>
             <footer><span>4. März 2020</span></footer></article>"#
        )
        .as_deref(),
        Some("2020-03-18T00:00:00Z")
    );
    // The permalink line, taxonomy links beside it.
    assert_eq!(
        at(
            r#"<p><a href="https://example.com/news/council-budget/" rel="bookmark">Council budget</a>
             wurde am 19. Mai 2010 gepostet und unter <a href="/c/a" rel="category tag">A</a>,
             <a href="/c/b" rel="category tag">B</a>, <a href="/c/c" rel="category tag">C</a> abgelegt.</p>"#
        )
        .as_deref(),
        Some("2010-05-19T00:00:00Z")
    );
    // Not a comment's permalink, not the current item of a menu.
    assert_eq!(
        at(r#"<div class="comment-meta"><a href="/news/council-budget#comment-143">Juli 30, 2013</a></div>"#),
        None
    );
    assert_eq!(
        at(r#"<ul><li><a href="/news/council-budget">This week</a></li>
             <li><a href="/news/a">31. Dezember 2021</a></li><li><a href="/news/b">B</a></li>
             <li><a href="/news/c">C</a></li></ul>"#),
        None
    );
}

#[test]
fn datelines() {
    let body = |paras: &[&str]| Body {
        paragraphs: paras
            .iter()
            .map(|t| crate::body::Paragraph {
                text: (*t).to_string(),
                kind: crate::body::ParaKind::Text,
                words: text::word_count(t),
            })
            .collect(),
        ..Body::default()
    };
    let cases: &[(&[&str], Option<&str>)] = &[
        (
            &[
                "Energy prices",
                "Von Jane Doe",
                "(21. November 2022) Energy customers receive ...",
            ],
            Some("2022-11-21T00:00:00Z"),
        ),
        (
            &["Berlin, 25.11.2022 – The council met."],
            Some("2022-11-25T00:00:00Z"),
        ),
        // Not deep in a paragraph, not after the fourth.
        (&["The council met in Berlin on the morning of 25.11.2022."], None),
        (&["a", "b", "c", "d", "25.11.2022 – The council met."], None),
    ];
    for (paras, expected) in cases {
        assert_eq!(
            body_dateline(&body(paras), false).as_deref(),
            *expected,
            "{paras:?}"
        );
    }
}
