use super::*;
use crate::{MemoryStore, article_id, normalize_url};

const ARTICLE: &str = "The city council of Lindenfeld voted on Tuesday evening to approve a new tram line that \
will connect the northern suburbs with the central railway station, ending more than a decade of debate \
about how to ease traffic on the crowded ring road. The project, estimated to cost 412 million euros, \
will be financed partly by the regional government and partly through a loan from the European Investment \
Bank. Mayor Helga Brandt called the decision historic and said construction could begin as early as next \
spring if the remaining permits are granted without delay. Opposition members criticised the plan for \
what they described as unrealistic ridership forecasts and warned that small shops along Kastanienallee \
would suffer during four years of construction work. The council rejected an amendment that would have \
required the line to run underground through the old town, arguing that a tunnel would double the cost. \
Local business associations were divided. The chamber of commerce welcomed the vote, saying reliable \
public transport was essential for attracting young workers, while a group representing market traders \
collected more than six thousand signatures against the route. Transport planners expect the line to \
carry around 48,000 passengers a day once it opens, reducing car journeys into the centre by roughly \
twelve percent. Trams would run every five minutes during rush hours and every ten minutes in the \
evening. Residents of the Nordhafen district, which currently has no direct rail connection, were \
among the strongest supporters of the plan. Several of them attended the session wearing green scarves \
and applauded loudly when the result was announced. Environmental groups said the tram was a step in \
the right direction but urged the council to also expand cycling lanes and to restrict parking in the \
historic centre. The final vote was 31 in favour, 22 against and two abstentions. A public consultation \
on the exact location of the eleven new stops will open next month and run until the end of the summer, \
officials said.";

const OTHER: &str = "Councillors in the port town of Westerbrück on Monday postponed a decision on a \
proposed bus rapid transit corridor after a heated session that lasted until almost midnight. The \
scheme would give buses dedicated lanes along the harbour road and introduce electric vehicles on \
three routes, but several members demanded a new traffic study before committing funds. The finance \
committee had estimated the cost at 96 million euros, most of it to be covered by national climate \
grants that expire at the end of next year. Deputy mayor Jonas Pfeiffer said he regretted the delay \
and warned that the town risked losing the subsidies altogether. Ferry operators and fishermen raised \
concerns that narrower car lanes would slow deliveries to the fish market, while students from the \
technical college spoke in favour of faster connections to the campus on the hill. A spokeswoman for \
the regional transport authority said the corridor had been designed to carry up to nine thousand \
passengers per hour in each direction. Critics pointed to a similar project in a neighbouring county \
that ran two years behind schedule and far over budget. The council will reconvene in three weeks to \
review the additional data. Until then, the planning office has been asked to prepare alternative \
routes that avoid the narrow streets of the fishing quarter and to consult with the harbour \
authority about loading zones.";

const T0: i64 = 1_700_000_000;
const WEEK: i64 = 604_800;

/// One delivered message and the decision expected for it.
struct Step<'a> {
    at: i64,
    owner: &'a str,
    url: &'a str,
    /// The article's title.
    title: Option<&'a str>,
    text: &'a str,
    /// The body is not the article's text (a paywall stub, a wall, a prompt).
    url_only: bool,
    status: Status,
    /// URL of the article it duplicates or updates.
    of: Option<&'a str>,
}

/// The title of every step that does not say otherwise: the stories here are told under one headline.
const TITLE: &str = "Lindenfeld approves northern tram line";

fn step<'a>(owner: &'a str, url: &'a str, text: &'a str, status: Status, of: Option<&'a str>) -> Step<'a> {
    Step {
        at: T0,
        owner,
        url,
        title: Some(TITLE),
        text,
        url_only: false,
        status,
        of,
    }
}

/// A step whose page has the title `title`.
fn titled<'a>(
    owner: &'a str,
    url: &'a str,
    title: &'a str,
    text: &'a str,
    status: Status,
    of: Option<&'a str>,
) -> Step<'a> {
    Step {
        title: Some(title),
        ..step(owner, url, text, status, of)
    }
}

/// A step whose body is not the article's text (paywalled, behind a wall), titled `title`.
fn withheld<'a>(
    owner: &'a str,
    url: &'a str,
    title: &'a str,
    text: &'a str,
    status: Status,
    of: Option<&'a str>,
) -> Step<'a> {
    Step {
        url_only: true,
        ..titled(owner, url, title, text, status, of)
    }
}

fn id_of(url: &str) -> String {
    article_id(&normalize_url(url).unwrap())
}

/// Runs `steps` in order against a fresh deduplicator; checks every decision.
#[track_caller]
fn check(steps: &[Step<'_>]) -> Vec<Decision> {
    let mut dedup =
        Deduplicator::new(DedupConfig::default(), MemoryStore::new(&DedupConfig::default())).unwrap();
    let mut decisions = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let url = normalize_url(s.url).unwrap();
        let fp = dedup.fingerprint(s.text).with_title(s.title).url_only(s.url_only);
        let decision = dedup.decide(s.owner, &article_id(&url), &url, &fp, s.at);
        let got = (decision.status, decision.duplicate_of.clone());
        let want = (s.status, s.of.map(id_of));
        assert_eq!(got, want, "step {i} ({} {}): {decision:?}", s.owner, s.url);
        match decision.status {
            Status::Unique => assert_eq!(decision.similarity, 0.0),
            Status::Duplicate => assert_eq!(decision.similarity, 1.0),
            Status::NearDuplicate => assert!((0.4..=1.0).contains(&decision.similarity), "{decision:?}"),
            Status::Update => assert!((0.0..=1.0).contains(&decision.similarity), "{decision:?}"),
        }
        decisions.push(decision);
    }
    decisions
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Replaces every `every`-th word.
fn edit_words(text: &str, every: usize) -> String {
    words(text)
        .iter()
        .enumerate()
        .map(|(i, w)| if i % every == every - 1 { "altered" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, fraction: f64) -> String {
    let w = words(text);
    w[..(w.len() as f64 * fraction) as usize].join(" ")
}

const A: &str = "https://news.example/lindenfeld-tram";
const B: &str = "https://mirror.example/2024/tram-vote?utm_source=rss";
const C: &str = "https://other.example/c";

#[test]
fn article_lengths() {
    assert!(
        (290..=330).contains(&words(ARTICLE).len()),
        "{}",
        words(ARTICLE).len()
    );
    assert!(words(OTHER).len() >= 200);
}

#[test]
fn exact_duplicates() {
    let shouted = ARTICLE.to_uppercase().replace(' ', "  \n");
    check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        step("o2", B, ARTICLE, Status::Duplicate, Some(A)),
        step("o3", C, &shouted, Status::Duplicate, Some(A)),
        // The same URL again (another tracking link) with the same body: a duplicate of the first.
        step(
            "o4",
            "https://mirror.example/2024/tram-vote?fbclid=9#x",
            ARTICLE,
            Status::Duplicate,
            Some(A),
        ),
        step(
            "o5",
            "https://news.example/lindenfeld-tram#comments",
            ARTICLE,
            Status::Duplicate,
            Some(A),
        ),
    ]);
}

#[test]
fn updates() {
    let updated = format!("{ARTICLE} Update: the mayor later confirmed the start date.");
    check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        step("o2", A, &updated, Status::Update, Some(A)),
        // A re-crawl of the updated version is a duplicate, and so is the first version.
        step("o3", A, &updated, Status::Duplicate, Some(A)),
        step("o4", A, ARTICLE, Status::Duplicate, Some(A)),
        // A copy of the updated text elsewhere is a duplicate of the article.
        step("o5", B, &updated, Status::Duplicate, Some(A)),
        // Short texts are updates too.
        step("o6", C, "Breaking: tram approved.", Status::Unique, None),
        step(
            "o7",
            C,
            "Tram approved by council, 31 to 22.",
            Status::Update,
            Some(C),
        ),
    ]);
    let decisions = check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        step("o2", A, &updated, Status::Update, Some(A)),
    ]);
    assert!(decisions[1].similarity > 0.9, "{:?}", decisions[1]);
}

#[test]
fn redelivery_returns_the_first_decision() {
    check(&[
        step("t/0/1", A, ARTICLE, Status::Unique, None),
        step("t/0/1", A, ARTICLE, Status::Unique, None),
        step("t/0/2", B, ARTICLE, Status::Duplicate, Some(A)),
        step("t/0/2", B, ARTICLE, Status::Duplicate, Some(A)),
        step("t/0/1", A, ARTICLE, Status::Unique, None),
        // A near-duplicate redelivered stays a near-duplicate of the same article, and the original
        // redelivered stays unique.
        step(
            "t/0/3",
            C,
            &edit_words(ARTICLE, 30),
            Status::NearDuplicate,
            Some(A),
        ),
        step(
            "t/0/3",
            C,
            &edit_words(ARTICLE, 30),
            Status::NearDuplicate,
            Some(A),
        ),
        step("t/0/1", A, ARTICLE, Status::Unique, None),
    ]);
}

#[test]
fn half_done_attempt_is_not_a_duplicate_of_itself() {
    // The first attempt claimed the URL and the body, stored the signature and then died before
    // recording its decision; the redelivery must still be unique.
    let config = DedupConfig::default();
    let mut dedup = Deduplicator::new(config.clone(), MemoryStore::new(&config)).unwrap();
    let url = normalize_url(A).unwrap();
    let id = article_id(&url);
    let fp = dedup.fingerprint(ARTICLE);
    let claim = Claim {
        article_id: id.clone(),
        owner: "t/0/9".into(),
        content_hash: fp.content_hash.clone(),
        seen_at: T0,
    };
    let sig = Signature {
        article_id: id.clone(),
        owner: "t/0/9".into(),
        seen_at: T0,
        minhash: fp.minhash.clone(),
        word_count: fp.word_count,
        shingle_count: fp.shingle_count,
    };
    let store = dedup.store_mut();
    assert_eq!(store.claim_url(&url, &claim, T0).unwrap(), None);
    assert_eq!(store.claim_content(&fp.content_hash, &claim, T0).unwrap(), None);
    assert!(
        store
            .add_to_bands(&fp.band_keys(32), &sig, 32, T0)
            .unwrap()
            .is_empty()
    );
    assert_eq!(dedup.decide("t/0/9", &id, &url, &fp, T0 + 60), Decision::unique());
    // Another message with the same body is a duplicate of it.
    let other = normalize_url(B).unwrap();
    let decision = dedup.decide("t/0/10", &article_id(&other), &other, &fp, T0 + 60);
    assert_eq!(
        (decision.status, decision.duplicate_of),
        (Status::Duplicate, Some(id))
    );
}

#[test]
fn near_duplicate_variants() {
    let boilerplate = format!(
        "Advertisement. Subscribe to our newsletter for the latest local news. Cookie settings. \
         {ARTICLE} Share this article on Facebook, X or by email. Read more: council budget, \
         school closures, weather. Copyright 2024 Lindenfeld Morning Post. All rights reserved."
    );
    let headline = format!("Historic vote: Lindenfeld finally gets its northern tram line\n\n{ARTICLE}");
    let edited = edit_words(ARTICLE, 33);
    let appended = format!(
        "{ARTICLE}\n\nUpdate, Wednesday: The regional transport minister said on Wednesday that her \
         ministry would review the financing plan within six weeks. She added that the state was \
         prepared to cover any shortfall if the European loan is delayed, but asked the city to \
         publish its ridership forecasts in full before the consultation begins next month."
    );
    let truncated = truncate(ARTICLE, 0.7);
    let teaser = truncate(ARTICLE, 0.5);
    // (variant, smallest acceptable similarity); the truncated copies are caught by Jaccard similarity
    // (about 0.7 and 0.5) or, shorter, by containment. LSH finds a pair of this Jaccard similarity with a
    // probability of 0.87 (32 bands of 4 rows): these texts are among the found.
    for (name, variant, min_similarity) in [
        ("boilerplate", boilerplate.as_str(), 0.8),
        ("headline", &headline, 0.9),
        ("3% edits", &edited, 0.75),
        ("appended", &appended, 0.75),
        ("truncated 70%", &truncated, 0.6),
        ("teaser 50%", &teaser, 0.45),
    ] {
        let decisions = check(&[
            step("o1", A, ARTICLE, Status::Unique, None),
            step("o2", OTHER_URL, OTHER, Status::Unique, None),
            step("o3", B, variant, Status::NearDuplicate, Some(A)),
        ]);
        assert!(
            decisions[2].similarity >= min_similarity,
            "{name}: {:?}",
            decisions[2]
        );
        // The other way round: the variant first, the full article second.
        check(&[
            step("o1", B, variant, Status::Unique, None),
            step("o2", A, ARTICLE, Status::NearDuplicate, Some(B)),
        ]);
    }
}

const OTHER_URL: &str = "https://harbour.example/bus-corridor";

#[test]
fn distinct_articles_are_unique() {
    let decisions = check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        step("o2", OTHER_URL, OTHER, Status::Unique, None),
        // Half of one article followed by half of the other matches neither well enough.
        step(
            "o3",
            C,
            &format!("{} {}", truncate(OTHER, 0.5), truncate(ARTICLE, 0.2)),
            Status::Unique,
            None,
        ),
    ]);
    assert!(decisions.iter().all(|d| d.duplicate_of.is_none()));
    let a = crate::fingerprint(ARTICLE, &DedupConfig::default());
    let b = crate::fingerprint(OTHER, &DedupConfig::default());
    assert!(estimated_jaccard(&a.minhash, &b.minhash) < 0.1);
}

#[test]
fn short_texts_match_only_exactly() {
    let short = "The council approved the tram line on Tuesday by 31 votes to 22.";
    let edited = "The council approved the tram line on Tuesday by 31 votes to 21.";
    check(&[
        step("o1", A, short, Status::Unique, None),
        step("o2", B, edited, Status::Unique, None),
        step("o3", C, short, Status::Duplicate, Some(A)),
    ]);
    // Just under the near-duplicate minimum: an edited copy stays unique.
    let w = words(ARTICLE);
    let forty_nine = w[..49].join(" ");
    let forty_nine_edited = edit_words(&forty_nine, 20);
    check(&[
        step("o1", A, &forty_nine, Status::Unique, None),
        step("o2", B, &forty_nine_edited, Status::Unique, None),
    ]);
    // Empty bodies never match each other by content.
    check(&[
        step("o1", A, "", Status::Unique, None),
        step("o2", B, " \n ", Status::Unique, None),
    ]);
}

#[test]
fn expiry_after_the_window() {
    let edited = edit_words(ARTICLE, 33);
    check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        Step {
            at: T0 + WEEK - 1,
            ..step("o2", B, ARTICLE, Status::Duplicate, Some(A))
        },
        Step {
            at: T0 + WEEK - 1,
            ..step("o3", C, &edited, Status::NearDuplicate, Some(A))
        },
        // A week after o1, its records are gone; o2 lost its content claim to o1 and holds none, so the
        // body is now known only through o3's near copy, whose recorded decision still names the story's
        // first article.
        Step {
            at: T0 + WEEK,
            ..step("o4", OTHER_URL, ARTICLE, Status::NearDuplicate, Some(A))
        },
        Step {
            at: T0 + 2 * WEEK,
            ..step("o5", A, ARTICLE, Status::Unique, None)
        },
        Step {
            at: T0 + 2 * WEEK,
            ..step(
                "o6",
                "https://x.example/6",
                &edited,
                Status::NearDuplicate,
                Some(A),
            )
        },
        // A redelivered message past the window is decided afresh.
        Step {
            at: T0 + 3 * WEEK,
            ..step("o5", A, ARTICLE, Status::Unique, None)
        },
    ]);
}

#[test]
fn size_bound_evicts_the_oldest() {
    let config = DedupConfig {
        max_entries: 2,
        ..DedupConfig::default()
    };
    let mut dedup = Deduplicator::new(config.clone(), MemoryStore::new(&config)).unwrap();
    let fp = dedup.fingerprint(ARTICLE);
    let decide = |dedup: &mut Deduplicator<MemoryStore>, owner: &str, url: &str| {
        let url = normalize_url(url).unwrap();
        dedup.decide(owner, &article_id(&url), &url, &fp, T0).status
    };
    assert_eq!(decide(&mut dedup, "o1", A), Status::Unique);
    assert_eq!(decide(&mut dedup, "o2", B), Status::Duplicate);
    // o1 is evicted to make room for o3, and o2 lost its content claim to o1: o3 is first again.
    assert_eq!(decide(&mut dedup, "o3", C), Status::Unique);
    assert_eq!(dedup.store().len(), 2);
    assert_eq!(decide(&mut dedup, "o4", OTHER_URL), Status::Duplicate);
}

#[test]
fn invalid_config_is_refused() {
    let config = DedupConfig {
        bands: 30,
        ..DedupConfig::default()
    };
    let err = Deduplicator::new(config.clone(), MemoryStore::new(&config)).unwrap_err();
    assert!(
        err.to_string().contains("bands must divide permutations"),
        "{err}"
    );
}

#[test]
fn foreign_signature_length_is_matched_exactly_only() {
    let config = DedupConfig::default();
    let mut dedup = Deduplicator::new(config.clone(), MemoryStore::new(&config)).unwrap();
    let small = DedupConfig {
        permutations: 64,
        bands: 16,
        ..DedupConfig::default()
    };
    let url = normalize_url(A).unwrap();
    let fp = crate::fingerprint(ARTICLE, &small);
    assert_eq!(
        dedup.decide("o1", &article_id(&url), &url, &fp, T0).status,
        Status::Unique
    );
    let url = normalize_url(B).unwrap();
    let edited = crate::fingerprint(&edit_words(ARTICLE, 33), &small);
    assert_eq!(
        dedup.decide("o2", &article_id(&url), &url, &edited, T0).status,
        Status::Unique
    );
    assert_eq!(
        dedup.decide("o3", &article_id(&url), &url, &fp, T0).status,
        Status::Update
    );
}

#[test]
fn fingerprint_serde_roundtrip() {
    let fp = crate::fingerprint(ARTICLE, &DedupConfig::default());
    let json = serde_json::to_string(&fp).unwrap();
    assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), fp);
    let decision = Decision {
        status: Status::NearDuplicate,
        duplicate_of: Some("x".into()),
        similarity: 0.75,
    };
    let json = serde_json::to_string(&decision).unwrap();
    assert_eq!(
        json,
        r#"{"status":"near_duplicate","duplicate_of":"x","similarity":0.75}"#
    );
}

#[test]
fn ranking_of_candidates() {
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rank_candidates(ids(&["a", "b", "b", "self", "c", "b", "a"]), "self", 10),
        ids(&["b", "a", "c"])
    );
    assert_eq!(
        rank_candidates(ids(&["a", "b", "c"]), "self", 2),
        ids(&["a", "b"])
    );
}

#[test]
fn copies_of_copies_link_to_the_first_article() {
    let edited = edit_words(ARTICLE, 33);
    let edited_twice = edit_words(&edited, 29);
    check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        step("o2", B, &edited, Status::NearDuplicate, Some(A)),
        // An exact copy of the near copy, and a near copy of it: both point at the first article.
        step("o3", C, &edited, Status::Duplicate, Some(A)),
        step("o4", OTHER_URL, &edited_twice, Status::NearDuplicate, Some(A)),
        // A re-crawl of the near copy's URL with its text: the first article too.
        step("o5", B, &edited, Status::Duplicate, Some(A)),
    ]);
}

#[test]
fn open_without_a_recorded_decision_claims_url_and_content() {
    let mut store = MemoryStore::new(&DedupConfig::default());
    let claim = |owner: &str, id: &str| Claim {
        article_id: id.into(),
        owner: owner.into(),
        content_hash: "h".into(),
        seen_at: T0,
    };
    let first = store.open("o1", "u", Some("h"), &claim("o1", "a"), T0).unwrap();
    assert_eq!(
        first,
        Opening {
            decision: None,
            url: None,
            content: Some(None)
        }
    );
    // Same URL, other owner: the URL's claim comes back and the content is not claimed.
    let second = store.open("o2", "u", Some("h"), &claim("o2", "b"), T0).unwrap();
    assert_eq!(
        (second.url.map(|c| c.owner), second.content),
        (Some("o1".to_owned()), None)
    );
    // Another URL with the same body: the content claim comes back.
    let third = store.open("o3", "v", Some("h"), &claim("o3", "c"), T0).unwrap();
    assert_eq!(
        third.content.flatten().map(|c| c.article_id),
        Some("a".to_owned())
    );
    // No content hash: nothing claimed by content.
    assert_eq!(
        store
            .open("o4", "w", None, &claim("o4", "d"), T0)
            .unwrap()
            .content,
        None
    );
    // Once a decision is recorded, open returns it and nothing else.
    store.claim_decision("o1", &Decision::unique(), T0).unwrap();
    let again = store.open("o1", "u", Some("h"), &claim("o1", "a"), T0).unwrap();
    assert_eq!(
        again,
        Opening {
            decision: Some(Decision::unique()),
            url: None,
            content: None
        }
    );
}

/// What the pages of one site show in place of any article kept for subscribers.
const PAYWALL_STUB: &str = "This article is for subscribers only. Subscribe now for unlimited access to all our \
journalism, the e-paper and the archive. Already a subscriber? Log in.";

/// A consent wall of more than [`SHORT_BODY_WORDS`] words, the same on every page of a site.
fn consent_wall() -> String {
    let wall = "We value your privacy. We and our partners store and access information on your device, such \
as cookies, and process personal data such as unique identifiers and browsing data, to show personalised \
advertising and content, to measure advertising and content, and to develop and improve our services. You \
can accept all, reject all, or manage your choices at any time in the privacy settings at the bottom of \
every page.";
    assert!(words(wall).len() >= SHORT_BODY_WORDS, "{}", words(wall).len());
    wall.to_owned()
}

const PAYWALLED_A: &str = "https://daily.example/politics/budget-talks-collapse";
const PAYWALLED_B: &str = "https://daily.example/sport/derby-ends-in-draw";

#[test]
fn distinct_articles_behind_the_same_wall_are_unique() {
    check(&[
        withheld(
            "o1",
            PAYWALLED_A,
            "Budget talks collapse",
            PAYWALL_STUB,
            Status::Unique,
            None,
        ),
        withheld(
            "o2",
            PAYWALLED_B,
            "Derby ends in a draw",
            PAYWALL_STUB,
            Status::Unique,
            None,
        ),
        // Even under the same title: a body that is not the article's text never matches another URL.
        withheld(
            "o3",
            C,
            "Budget talks collapse",
            PAYWALL_STUB,
            Status::Unique,
            None,
        ),
    ]);
    let wall = consent_wall();
    check(&[
        withheld(
            "o1",
            PAYWALLED_A,
            "Budget talks collapse",
            &wall,
            Status::Unique,
            None,
        ),
        withheld(
            "o2",
            PAYWALLED_B,
            "Derby ends in a draw",
            &wall,
            Status::Unique,
            None,
        ),
    ]);
    // An open page whose body happens to be that text later is not matched to them either, nor they
    // to it: a withheld body is neither claimed nor looked up.
    check(&[
        withheld(
            "o1",
            PAYWALLED_A,
            "Budget talks collapse",
            &wall,
            Status::Unique,
            None,
        ),
        titled("o2", C, "Privacy", &wall, Status::Unique, None),
        withheld(
            "o3",
            PAYWALLED_B,
            "Derby ends in a draw",
            &wall,
            Status::Unique,
            None,
        ),
    ]);
    // A withheld teaser that is most of an open article is not its near-duplicate either.
    let teaser = truncate(ARTICLE, 0.6);
    check(&[
        step("o1", A, ARTICLE, Status::Unique, None),
        withheld("o2", PAYWALLED_A, TITLE, &teaser, Status::Unique, None),
    ]);
}

#[test]
fn recrawls_of_a_withheld_url_are_duplicates_or_updates() {
    let other_stub = "Exclusive for subscribers: read the whole story with a digital subscription.";
    check(&[
        withheld(
            "o1",
            PAYWALLED_A,
            "Budget talks collapse",
            PAYWALL_STUB,
            Status::Unique,
            None,
        ),
        // The same URL again (a tracking link) with the same stub.
        withheld(
            "o2",
            "https://daily.example/politics/budget-talks-collapse?utm_source=feed",
            "Budget talks collapse",
            PAYWALL_STUB,
            Status::Duplicate,
            Some(PAYWALLED_A),
        ),
        // Another stub on the same URL is an update of it, and a re-crawl of that version a duplicate.
        withheld(
            "o3",
            PAYWALLED_A,
            "Budget talks collapse",
            other_stub,
            Status::Update,
            Some(PAYWALLED_A),
        ),
        withheld(
            "o4",
            PAYWALLED_A,
            "Budget talks collapse",
            other_stub,
            Status::Duplicate,
            Some(PAYWALLED_A),
        ),
        // The article's full text, once the wall is gone: an update; again: a duplicate.
        step("o5", PAYWALLED_A, ARTICLE, Status::Update, Some(PAYWALLED_A)),
        step("o6", PAYWALLED_A, ARTICLE, Status::Duplicate, Some(PAYWALLED_A)),
        // The other paywalled article keeps its own verdicts.
        withheld(
            "o7",
            PAYWALLED_B,
            "Derby ends in a draw",
            other_stub,
            Status::Unique,
            None,
        ),
        // A redelivery returns the recorded decision.
        withheld(
            "o3",
            PAYWALLED_A,
            "Budget talks collapse",
            other_stub,
            Status::Update,
            Some(PAYWALLED_A),
        ),
    ]);
}

#[test]
fn short_bodies_match_under_the_same_title_only() {
    let brief = "Police closed the A7 between Nordkreuz and Hafen on Tuesday after a lorry overturned. \
                 Drivers are asked to use the B4.";
    assert!(words(brief).len() < SHORT_BODY_WORDS);
    check(&[
        titled(
            "o1",
            A,
            "A7 closed after lorry overturns",
            brief,
            Status::Unique,
            None,
        ),
        // Another article whose page shows the same short text under another headline.
        titled(
            "o2",
            B,
            "Roadworks on the B4 this week",
            brief,
            Status::Unique,
            None,
        ),
        // The brief copied under its own headline (case and spacing aside) is still a duplicate.
        titled(
            "o3",
            C,
            "A7  closed after LORRY overturns",
            brief,
            Status::Duplicate,
            Some(A),
        ),
        // Without a title a short body says nothing of the article: matched by URL only.
        Step {
            title: None,
            ..step("o4", OTHER_URL, brief, Status::Unique, None)
        },
        Step {
            title: Some("  "),
            ..step("o5", "https://x.example/5", brief, Status::Unique, None)
        },
        // A re-crawl of an untitled short page is still its duplicate.
        Step {
            title: None,
            ..step("o6", OTHER_URL, brief, Status::Duplicate, Some(OTHER_URL))
        },
    ]);
    // From SHORT_BODY_WORDS tokens on, the body alone decides, whatever the titles.
    let w = words(ARTICLE);
    let fifty = w[..SHORT_BODY_WORDS].join(" ");
    check(&[
        titled("o1", A, "One headline", &fifty, Status::Unique, None),
        titled("o2", B, "Another headline", &fifty, Status::Duplicate, Some(A)),
    ]);
}

#[test]
fn open_articles_are_matched_by_their_text_whatever_the_title() {
    let teaser = truncate(ARTICLE, 0.5);
    let edited = edit_words(ARTICLE, 33);
    check(&[
        titled("o1", A, "Lindenfeld approves tram", ARTICLE, Status::Unique, None),
        // Copied to another URL under another headline: still a duplicate.
        titled(
            "o2",
            B,
            "Tram line for the north",
            ARTICLE,
            Status::Duplicate,
            Some(A),
        ),
        // A teaser of half of it and an edited copy, under other headlines: near-duplicates.
        titled(
            "o3",
            C,
            "Council says yes to tram",
            &teaser,
            Status::NearDuplicate,
            Some(A),
        ),
        titled(
            "o4",
            OTHER_URL,
            "Tram: the vote",
            &edited,
            Status::NearDuplicate,
            Some(A),
        ),
        // Untitled copies too.
        Step {
            title: None,
            ..step("o5", "https://x.example/5", ARTICLE, Status::Duplicate, Some(A))
        },
    ]);
}

#[test]
fn restoring_follows_the_same_keys() {
    let config = DedupConfig::default();
    let mut dedup = Deduplicator::new(config.clone(), MemoryStore::new(&config)).unwrap();
    let stub = dedup
        .fingerprint(PAYWALL_STUB)
        .with_title(Some("Budget talks collapse"))
        .url_only(true);
    let brief = "Police closed the A7 after a lorry overturned.";
    let short = dedup.fingerprint(brief).with_title(Some("A7 closed"));
    let updated_stub = dedup
        .fingerprint("Exclusive for subscribers.")
        .with_title(Some("Budget talks collapse"))
        .url_only(true);
    let (a, b, c) = (
        normalize_url(PAYWALLED_A).unwrap(),
        normalize_url(PAYWALLED_B).unwrap(),
        normalize_url(C).unwrap(),
    );
    // Published earlier: the paywalled article, an update of it, and a short brief.
    dedup.restore("p1", &article_id(&a), &a, &stub, &Decision::unique(), T0);
    let update = Decision {
        status: Status::Update,
        duplicate_of: Some(article_id(&a)),
        similarity: 0.0,
    };
    dedup.restore("p2", &article_id(&a), &a, &updated_stub, &update, T0);
    dedup.restore("p3", &article_id(&c), &c, &short, &Decision::unique(), T0);

    let decide = |dedup: &mut Deduplicator<MemoryStore>, owner: &str, url: &str, fp: &Fingerprint| {
        let d = dedup.decide(owner, &article_id(url), url, fp, T0 + 60);
        (d.status, d.duplicate_of)
    };
    // Another paywalled article with the same stub: unique (nothing was claimed by content).
    let other = dedup
        .fingerprint(PAYWALL_STUB)
        .with_title(Some("Derby ends in a draw"))
        .url_only(true);
    assert_eq!(decide(&mut dedup, "n1", &b, &other), (Status::Unique, None));
    // Re-crawls of the restored URL: the first version and the update are duplicates.
    assert_eq!(
        decide(&mut dedup, "n2", &a, &stub),
        (Status::Duplicate, Some(article_id(&a)))
    );
    assert_eq!(
        decide(&mut dedup, "n3", &a, &updated_stub),
        (Status::Duplicate, Some(article_id(&a)))
    );
    // The brief under its title elsewhere is a duplicate; under another title it is not.
    let copy = dedup.fingerprint(brief).with_title(Some("A7 closed"));
    assert_eq!(
        decide(&mut dedup, "n4", &normalize_url(OTHER_URL).unwrap(), &copy),
        (Status::Duplicate, Some(article_id(&c)))
    );
    let retitled = dedup.fingerprint(brief).with_title(Some("Traffic news"));
    assert_eq!(
        decide(
            &mut dedup,
            "n5",
            &normalize_url("https://x.example/5").unwrap(),
            &retitled
        ),
        (Status::Unique, None)
    );
    // The restored decisions stand for their owners.
    assert_eq!(decide(&mut dedup, "p1", &a, &stub), (Status::Unique, None));
    assert_eq!(
        decide(&mut dedup, "p2", &a, &updated_stub),
        (Status::Update, Some(article_id(&a)))
    );
}

#[test]
fn title_and_url_only_are_optional_in_serialized_fingerprints() {
    let plain = crate::fingerprint(ARTICLE, &DedupConfig::default());
    let json = serde_json::to_string(&plain).unwrap();
    assert!(
        !json.contains("title_hash") && !json.contains("url_only"),
        "{json}"
    );
    let marked = plain.clone().with_title(Some("T")).url_only(true);
    let back: Fingerprint = serde_json::from_str(&serde_json::to_string(&marked).unwrap()).unwrap();
    assert_eq!(back, marked);
    assert_eq!(back.title_hash, Some(crate::content_hash("t")));
}
