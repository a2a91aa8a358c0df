//! Pages that show a wall or a prompt in place of their article, end to end: their events say so
//! (`access`), and distinct articles behind the same wall stay distinct.

use super::*;

const NOW: i64 = 1_764_316_800_000; // 2025-11-28T08:00:00Z

fn all() -> Pipeline {
    Pipeline::new(PipelineConfig {
        stages: vec![Stage::Extract, Stage::Dedup, Stage::Lang],
        max_input_bytes: 1 << 20,
        version: "test".to_owned(),
        ..PipelineConfig::default()
    })
    .unwrap()
}

/// A news site's article page whose `<article>` holds `inner` after the headline.
fn article(title: &str, inner: &str) -> String {
    format!(
        "<html lang=\"en\"><head><title>{title} - Fenwick Daily</title>\
         <meta property=\"og:type\" content=\"article\"></head><body>\
         <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
         <article><h1>{title}</h1>{inner}</article><footer>© Fenwick Daily</footer></body></html>"
    )
}

/// What the site shows in place of every article kept for subscribers.
const STUB: &str = "<div class=\"article-body\"><p>This article is for subscribers only. Subscribe now \
    for unlimited access to all our journalism, the e-paper and the archive.</p>\
    <p>Already a subscriber? Log in.</p></div>";

/// What the site shows to a crawler that did not accept its cookies.
const CONSENT: &str = "<div class=\"article-body\"><p>We value your privacy. We and our partners store and \
    access information on your device, such as cookies, and process personal data such as unique \
    identifiers, to show personalised advertising and content and to measure it. You can accept all, \
    reject all, or manage your choices at any time.</p></div>";

/// What the site shows of every article it declares not free (JSON-LD) in place of the lead: a blurb
/// of its own, longer than a short body, with no wall phrase in it.
const BLURB: &str = "<p>Fenwick Daily has reported on the towns and villages of the Fen valley since \
    1872. Our reporters cover council meetings, the courts, schools, local sport and culture, and the \
    stories that matter to the people who live and work here, every day of the year, in print, on the \
    radio and online, from the first edition of the morning to the last of the night.</p>";

/// A page that declares its article not free, showing [`BLURB`].
fn declared(title: &str) -> String {
    article(title, BLURB).replace(
        "</head>",
        "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"isAccessibleForFree\":false}</script></head>",
    )
}

/// A short brief: the same two sentences under two headlines.
const BRIEF: &str = "<p>The Fenwick road bridge will be closed to traffic from Monday for two weeks of \
    repairs to its surface.</p><p>Buses will use the ring road.</p>";

/// One message of a stream and what becomes of it.
struct Step<'a> {
    url: &'a str,
    html: String,
    route: Route,
    status: DedupStatus,
    access: model::Access,
    /// URL of the article it duplicates or updates.
    of: Option<&'a str>,
}

fn step<'a>(url: &'a str, title: &str, inner: &str, access: model::Access) -> Step<'a> {
    Step {
        url,
        html: article(title, inner),
        route: Route::Articles,
        status: DedupStatus::Unique,
        access,
        of: None,
    }
}

/// `step` judged a duplicate of the article at `of`.
fn duplicate<'a>(url: &'a str, title: &str, inner: &str, access: model::Access, of: &'a str) -> Step<'a> {
    Step {
        route: Route::Duplicates,
        status: DedupStatus::Duplicate,
        of: Some(of),
        ..step(url, title, inner, access)
    }
}

fn id_of(url: &str) -> String {
    dedup::article_id(&dedup::normalize_url(url).unwrap())
}

fn message(value: &[u8], offset: i64) -> RawMessage<'_> {
    RawMessage {
        value,
        headers: vec![],
        source: SourceRef {
            topic: "in".to_owned(),
            partition: 0,
            offset,
        },
    }
}

/// Runs `steps` through `p` as offsets `first..`; checks every event; returns them.
#[track_caller]
fn check(p: &Pipeline, first: i64, steps: &[Step<'_>]) -> Vec<ArticleEvent> {
    let mut events: Vec<ArticleEvent> = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        let value = serde_json::json!({ "url": s.url, "html": s.html }).to_string();
        let outcome = p
            .process(&message(value.as_bytes(), first + k as i64), NOW)
            .outcome;
        let Outcome::Publish { route, event } = outcome else {
            panic!("step {k} ({}): not published: {outcome:?}", s.url);
        };
        let dedup = event.dedup.clone().unwrap();
        assert_eq!(
            (route, dedup.status, event.access, dedup.duplicate_of),
            (s.route, s.status, s.access, s.of.map(id_of)),
            "step {k} ({}): {}",
            s.url,
            event.text
        );
        events.push(*event);
    }
    events
}

const BUDGET: &str = "https://fenwick.example/news/council-budget";
const DERBY: &str = "https://fenwick.example/sport/derby-draw";
const BRIDGE: &str = "https://fenwick.example/news/bridge";
const BUSES: &str = "https://fenwick.example/news/buses";

#[test]
fn distinct_articles_behind_the_same_wall_are_published_as_articles() {
    use model::Access::{Paywalled, Teaser};
    let events = check(
        &all(),
        0,
        &[
            step(BUDGET, "Council agrees budget", STUB, Paywalled),
            step(DERBY, "Derby ends in a draw", STUB, Paywalled),
            // A re-crawl of the first URL is still its duplicate.
            duplicate(
                "https://fenwick.example/news/council-budget?utm_source=feed",
                "Council agrees budget",
                STUB,
                Paywalled,
                BUDGET,
            ),
            step(
                "https://fenwick.example/news/school-reopens",
                "School reopens after floods",
                CONSENT,
                Teaser,
            ),
            step(
                "https://fenwick.example/news/new-library",
                "New library for the east side",
                CONSENT,
                Teaser,
            ),
            // Declared not free, with the same blurb of more than SHORT_BODY_WORDS words left as text:
            // matched by URL only.
            Step {
                html: declared("Harbour fees to rise"),
                ..step("https://fenwick.example/news/harbour-fees", "", "", Paywalled)
            },
            Step {
                html: declared("Choir wins regional contest"),
                ..step("https://fenwick.example/culture/choir", "", "", Paywalled)
            },
        ],
    );
    assert!(
        events[6].word_count >= dedup::SHORT_BODY_WORDS,
        "{}",
        events[6].text
    );
    // The wall is not the article's text, and the event says what the page was.
    for event in events.iter().take(5) {
        assert_eq!((event.text.as_str(), event.word_count), ("", 0));
        assert!(event.title.is_some());
    }
    let json: serde_json::Value = serde_json::from_slice(&events[0].to_json().unwrap()).unwrap();
    assert_eq!(json["access"], "paywalled");
}

#[test]
fn short_briefs_are_copies_only_under_the_same_headline() {
    use model::Access::Open;
    let events = check(
        &all(),
        0,
        &[
            step(BRIDGE, "Bridge closed for repairs", BRIEF, Open),
            step(BUSES, "Bus diversions next week", BRIEF, Open),
            duplicate(
                "https://other.example/bridge",
                "Bridge closed for repairs",
                BRIEF,
                Open,
                BRIDGE,
            ),
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&events[0].to_json().unwrap()).unwrap();
    assert!(json.get("access").is_none(), "open pages do not write it");
}

#[test]
fn a_restored_state_and_a_split_worker_keep_walls_apart() {
    use model::Access::{Open, Paywalled};
    let events = check(
        &all(),
        0,
        &[
            step(BUDGET, "Council agrees budget", STUB, Paywalled),
            step(BRIDGE, "Bridge closed for repairs", BRIEF, Open),
        ],
    );
    let later = || {
        [
            step(DERBY, "Derby ends in a draw", STUB, Paywalled),
            step(BUSES, "Bus diversions next week", BRIEF, Open),
            duplicate(BUDGET, "Council agrees budget", STUB, Paywalled, BUDGET),
            duplicate(
                "https://other.example/bridge",
                "Bridge closed for repairs",
                BRIEF,
                Open,
                BRIDGE,
            ),
        ]
    };

    // A new process restores the published events: later pages are judged as by the original.
    let restored = all();
    for event in &events {
        assert_eq!(restored.restore(event), Ok(true));
    }
    check(&restored, 100, &later());

    // Split stages: the dedup worker reads the extract worker's events, access and title included.
    let extract_only = Pipeline::new(PipelineConfig {
        stages: vec![Stage::Extract],
        max_input_bytes: 1 << 20,
        ..PipelineConfig::default()
    })
    .unwrap();
    let dedup_only = Pipeline::new(PipelineConfig {
        stages: vec![Stage::Dedup, Stage::Lang],
        max_input_bytes: 1 << 20,
        ..PipelineConfig::default()
    })
    .unwrap();
    let first = [
        step(BUDGET, "Council agrees budget", STUB, Paywalled),
        step(BRIDGE, "Bridge closed for repairs", BRIEF, Open),
    ];
    for (k, s) in first.iter().chain(later().iter()).enumerate() {
        let envelope = serde_json::json!({ "url": s.url, "html": s.html }).to_string();
        let Outcome::Publish { event, .. } = extract_only
            .process(&message(envelope.as_bytes(), k as i64), NOW)
            .outcome
        else {
            panic!("{}: not extracted", s.url);
        };
        let partial = event.to_json().unwrap();
        let Outcome::Publish { route, event } = dedup_only.process(&message(&partial, k as i64), NOW).outcome
        else {
            panic!("{}: not published", s.url);
        };
        assert_eq!(
            (route, event.dedup.map(|d| d.status), event.access),
            (s.route, Some(s.status), s.access),
            "{}",
            s.url
        );
    }
}
