use super::*;

const NOW: i64 = 1_764_316_800_000; // 2025-11-28T08:00:00Z

fn pipeline(stages: &[Stage]) -> Pipeline {
    Pipeline::new(PipelineConfig {
        stages: stages.to_vec(),
        max_input_bytes: 1 << 20,
        version: "test".to_owned(),
        ..PipelineConfig::default()
    })
    .unwrap()
}

fn all() -> Pipeline {
    pipeline(&[Stage::Extract, Stage::Dedup, Stage::Lang])
}

fn page(title: &str, body_seed: usize) -> String {
    let sentences = [
        "The city council approved the new budget for schools and hospitals on Tuesday evening.",
        "Farmers in the northern province warned that the dry winter could cut harvests by a third.",
        "Officials said the railway bridge would reopen next month after repairs to its foundations.",
        "The museum will show paintings that have not been seen in public for more than fifty years.",
        "Workers at the harbour voted to accept a pay offer after three weeks of talks with managers.",
        "Doctors and nurses at the regional hospital welcomed the decision to hire more staff.",
    ];
    let body: Vec<String> = (0..6)
        .map(|i| {
            let s = sentences[(i + body_seed) % sentences.len()];
            format!(
                "<p>{s} Story {body_seed} paragraph {i} adds detail number {}.</p>",
                body_seed * 7 + i
            )
        })
        .collect();
    format!(
        "<html lang=\"en\"><head><title>{title}</title></head><body><nav><a href=/>Home</a></nav>\
         <article><h1>{title}</h1>{}</article><footer>Contact us</footer></body></html>",
        body.join("\n")
    )
}

fn envelope(url: &str, html: &str) -> Vec<u8> {
    serde_json::json!({ "url": url, "html": html })
        .to_string()
        .into_bytes()
}

fn source(offset: i64) -> SourceRef {
    SourceRef {
        topic: "in".to_owned(),
        partition: 0,
        offset,
    }
}

fn run(p: &Pipeline, value: &[u8], headers: Vec<(&str, &[u8])>, offset: i64) -> Outcome {
    p.process(
        &RawMessage {
            value,
            headers,
            source: source(offset),
        },
        NOW,
    )
    .outcome
}

#[track_caller]
fn check_rejected(value: &[u8], headers: Vec<(&str, &[u8])>, expected: Reason) {
    match run(&all(), value, headers, 0) {
        Outcome::Rejected(rejection) => assert_eq!(rejection.reason, expected, "{rejection:?}"),
        other => panic!("expected rejection {expected:?}, got {other:?}"),
    }
}

#[test]
fn bad_inputs_are_rejected_with_a_reason() {
    check_rejected(b"", vec![], Reason::EmptyValue);
    check_rejected(b" \n\t", vec![], Reason::EmptyValue);
    check_rejected(b"{oops", vec![], Reason::NotJson);
    check_rejected(
        br#"["https://x.example/a", "<p>x</p>"]"#,
        vec![],
        Reason::InvalidEnvelope,
    );
    check_rejected(
        br#"{"url": 7, "html": "<p>x</p>"}"#,
        vec![],
        Reason::InvalidEnvelope,
    );
    check_rejected(
        &[0u8, 159, 146, 150, 255, 0, 1, 2, 3, 4, 5, 6, 7],
        vec![],
        Reason::Undecodable,
    );
    check_rejected(
        &[0u8, 159, 146, 150, 255, 0, 1, 2, 3, 4, 5, 6, 7],
        vec![("url", b"https://x.example/a")],
        Reason::Undecodable,
    );
    check_rejected(br#"{"html":"<p>x</p>"}"#, vec![], Reason::MissingUrl);
    check_rejected(
        br#"{"url":"ftp://x.example/a","html":"<p>x</p>"}"#,
        vec![],
        Reason::InvalidUrl,
    );
    check_rejected(br#"{"url":"https://x.example/a"}"#, vec![], Reason::MissingHtml);
    check_rejected(
        br#"{"url":"https://x.example/a","html_base64":"%%%"}"#,
        vec![],
        Reason::InvalidBase64,
    );
    check_rejected(
        br#"{"url":"https://x.example/a","html":"<p>x</p>","status":503}"#,
        vec![],
        Reason::HttpError,
    );
    check_rejected(b"<html>raw without url</html>", vec![], Reason::MissingUrl);
    check_rejected(&vec![b'a'; (1 << 20) + 1], vec![], Reason::Oversized);
    check_rejected(
        &envelope("https://x.example/", "<html><body><a href=/a>A</a></body></html>"),
        vec![],
        Reason::NotArticle,
    );
}

#[test]
fn stages_must_be_a_contiguous_run() {
    let build = |stages: &[Stage]| {
        Pipeline::new(PipelineConfig {
            stages: stages.to_vec(),
            ..PipelineConfig::default()
        })
        .map(|_| ())
    };
    assert!(build(&[Stage::Extract]).is_ok());
    assert!(build(&[Stage::Dedup, Stage::Lang]).is_ok());
    assert!(build(&[]).is_err());
    assert!(build(&[Stage::Extract, Stage::Lang]).is_err());
    assert!(build(&[Stage::Lang, Stage::Dedup]).is_err());
    assert!(build(&[Stage::Decode]).is_err());
}

fn published(outcome: Outcome) -> (Route, ArticleEvent) {
    match outcome {
        Outcome::Publish { route, event } => (route, *event),
        other => panic!("expected an article, got {other:?}"),
    }
}

#[test]
fn envelope_and_raw_pages_become_full_events() {
    let p = all();
    let html = page("Council approves budget", 1);
    let (route, event) = published(run(
        &p,
        &envelope("https://WWW.Example.com/a?utm_source=x#top", &html),
        vec![],
        0,
    ));
    assert_eq!(route, Route::Articles);
    assert_eq!(event.canonical_url, "https://www.example.com/a");
    assert_eq!(event.domain, "example.com");
    assert_eq!(event.id.len(), 32);
    assert_eq!(event.title.as_deref(), Some("Council approves budget"));
    assert!(event.text.contains("city council approved"), "{}", event.text);
    assert!(!event.text.contains("Contact us"));
    assert_eq!(event.word_count, model::word_count(&event.text));
    assert_eq!(event.dedup.as_ref().map(|d| d.status), Some(DedupStatus::Unique));
    assert_eq!(event.language.as_ref().map(|l| l.code.as_str()), Some("en"));
    assert_eq!(event.processed_at, "2025-11-28T08:00:00.000Z");
    assert_eq!(event.source, source(0));

    let html2 = page("Farmers warn of dry winter", 2);
    let (_, raw) = published(run(
        &p,
        html2.as_bytes(),
        vec![("url", b"https://example.com/b")],
        1,
    ));
    assert_eq!(raw.url, "https://example.com/b");
}

#[test]
fn duplicates_are_routed_and_redelivery_is_idempotent() {
    let p = all();
    let html = page("Harbour workers accept pay offer", 3);
    let (_, first) = published(run(&p, &envelope("https://a.example/story", &html), vec![], 10));
    // Redelivery of the same message: still unique.
    let (route, again) = published(run(&p, &envelope("https://a.example/story", &html), vec![], 10));
    assert_eq!(
        (route, again.dedup.unwrap().status),
        (Route::Articles, DedupStatus::Unique)
    );
    // The same body under another URL: an exact duplicate of the first.
    let (route, copy) = published(run(&p, &envelope("https://b.example/copy", &html), vec![], 11));
    let dedup = copy.dedup.unwrap();
    assert_eq!((route, dedup.status), (Route::Duplicates, DedupStatus::Duplicate));
    assert_eq!(dedup.duplicate_of.as_deref(), Some(first.id.as_str()));
}

#[test]
fn drop_routing_drops() {
    let mut config = PipelineConfig {
        stages: vec![Stage::Extract, Stage::Dedup],
        max_input_bytes: 1 << 20,
        ..PipelineConfig::default()
    };
    config.routing.duplicate = Route::Drop;
    let p = Pipeline::new(config).unwrap();
    let html = page("Museum shows hidden paintings", 4);
    published(run(&p, &envelope("https://a.example/m", &html), vec![], 0));
    assert!(matches!(
        run(&p, &envelope("https://c.example/m", &html), vec![], 1),
        Outcome::Dropped { .. }
    ));
}

#[test]
fn split_stages_compose_to_the_same_result() {
    let html = page("Railway bridge to reopen", 5);
    let value = envelope("https://a.example/bridge", &html);
    let (_, whole) = published(run(&all(), &value, vec![], 0));

    let (route, partial) = published(run(&pipeline(&[Stage::Extract]), &value, vec![], 0));
    assert_eq!(route, Route::Articles);
    assert!(partial.dedup.is_none() && partial.language.is_none() && partial.fingerprints.is_none());
    let json = partial.to_json().unwrap();
    let (_, finished) = published(run(&pipeline(&[Stage::Dedup, Stage::Lang]), &json, vec![], 0));
    assert_eq!(finished.text, whole.text);
    assert_eq!(finished.dedup, whole.dedup);
    assert_eq!(finished.language, whole.language);
    assert_eq!(finished.fingerprints, whole.fingerprints);

    match run(
        &pipeline(&[Stage::Dedup, Stage::Lang]),
        b"<html>not an event</html>",
        vec![],
        0,
    ) {
        Outcome::Rejected(r) => assert_eq!(r.reason, Reason::NotJson),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timings_cover_the_stages_that_ran() {
    let p = all();
    let html = page("Doctors welcome new staff", 6);
    let processed = p.process(
        &RawMessage {
            value: &envelope("https://a.example/d", &html),
            headers: vec![],
            source: source(0),
        },
        NOW,
    );
    let stages: Vec<Stage> = processed.timings.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        stages,
        vec![Stage::Decode, Stage::Extract, Stage::Dedup, Stage::Lang]
    );
}

#[test]
fn canonical_urls_pointing_elsewhere_are_not_trusted() {
    assert!(plausible_canonical(
        "https://www.example.com/a/b",
        "https://example.com/a/b"
    ));
    assert!(!plausible_canonical(
        "https://www.example.com/a/b",
        "https://www.example.com/"
    ));
    assert!(!plausible_canonical(
        "https://www.example.com/a/b",
        "https://other.org/a/b"
    ));
    assert!(plausible_canonical(
        "https://www.example.com/",
        "https://www.example.com/"
    ));
}

#[test]
fn a_state_restored_from_published_events_decides_as_the_original() {
    // A first process publishes a stream with copies, near copies and an update in it.
    let original = all();
    let stream: Vec<(String, String)> = vec![
        ("https://a.example/1".to_owned(), page("Budget approved", 1)),
        ("https://a.example/2".to_owned(), page("Dry winter ahead", 2)),
        (
            "https://b.example/copy-of-1".to_owned(),
            page("Budget approved", 1),
        ),
        (
            "https://a.example/2".to_owned(),
            page("Dry winter ahead, updated", 4),
        ),
        ("https://a.example/3".to_owned(), page("Bridge to reopen", 3)),
    ];
    let events: Vec<ArticleEvent> = stream
        .iter()
        .enumerate()
        .map(|(offset, (url, html))| published(run(&original, &envelope(url, html), vec![], offset as i64)).1)
        .collect();
    let statuses: Vec<DedupStatus> = events.iter().map(|e| e.dedup.as_ref().unwrap().status).collect();
    assert_eq!(
        statuses,
        [
            DedupStatus::Unique,
            DedupStatus::NearDuplicate, // the test pages share sentences
            DedupStatus::Duplicate,
            DedupStatus::Update,
            DedupStatus::NearDuplicate
        ]
    );

    // A new process restores from those events, in the order a reader of the topics may see them.
    let restored = all();
    for event in events.iter().rev() {
        assert_eq!(restored.restore(event), Ok(true));
    }
    let extract_only = pipeline(&[Stage::Extract]);
    assert_eq!(extract_only.restore(&events[0]), Ok(false));

    // Redelivered messages keep their published verdicts; new copies are judged as by the original.
    for (offset, (url, html)) in stream.iter().enumerate() {
        let (_, again) = published(run(&restored, &envelope(url, html), vec![], offset as i64));
        assert_eq!(again.dedup, events[offset].dedup, "offset {offset}");
    }
    let later = [
        ("https://c.example/another-copy-of-2", page("Dry winter ahead", 2)),
        ("https://a.example/3", page("Bridge to reopen", 3)),
        ("https://c.example/new", page("Museum opens", 5)),
    ];
    for (i, (url, html)) in later.iter().enumerate() {
        let offset = 100 + i as i64;
        let (_, from_original) = published(run(&original, &envelope(url, html), vec![], offset));
        let (_, from_restored) = published(run(&restored, &envelope(url, html), vec![], offset));
        assert_eq!(from_restored.dedup, from_original.dedup, "{url}");
    }
    let state = |p: &Pipeline| p.check_dedup_state(NOW + 3_600_000).unwrap().unwrap();
    assert_eq!(
        state(&restored).since_unix,
        NOW / 1000,
        "kept since the first restored decision"
    );
    assert_eq!(
        state(&original).since_unix,
        (NOW + 3_600_000) / 1000,
        "kept since its first check"
    );
}

#[test]
fn prepared_side_by_side_then_judged_in_order_is_process() {
    let stream: Vec<Vec<u8>> = (0..8)
        .map(|i| envelope(&format!("https://a.example/{}", i % 5), &page("Story", i % 3)))
        .collect();
    let serial = all();
    let expected: Vec<Outcome> = stream
        .iter()
        .enumerate()
        .map(|(i, value)| run(&serial, value, vec![], i as i64))
        .collect();
    // Prepared on two threads, in reverse order, then judged in input order.
    let parallel = all();
    let messages: Vec<RawMessage<'_>> = stream
        .iter()
        .enumerate()
        .map(|(i, value)| RawMessage {
            value,
            headers: vec![],
            source: source(i as i64),
        })
        .collect();
    let parallel_ref = &parallel;
    let half = |parity: usize| {
        messages
            .iter()
            .enumerate()
            .rev()
            .filter(move |(i, _)| i % 2 == parity)
    };
    let mut prepared: Vec<Option<Prepared>> = (0..messages.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let threads: Vec<_> = [0, 1]
            .map(|parity| {
                let part: Vec<(usize, &RawMessage<'_>)> = half(parity).collect();
                scope.spawn(move || {
                    part.into_iter()
                        .map(|(i, m)| (i, parallel_ref.prepare(m, NOW)))
                        .collect::<Vec<_>>()
                })
            })
            .into_iter()
            .collect();
        for thread in threads {
            for (i, p) in thread.join().unwrap() {
                prepared[i] = Some(p);
            }
        }
    });
    let got: Vec<Outcome> = prepared
        .iter_mut()
        .map(|p| parallel.judge(p.take().unwrap(), NOW).outcome)
        .collect();
    assert_eq!(got, expected);
    let statuses: std::collections::BTreeSet<&str> = got
        .iter()
        .filter_map(|o| match o {
            Outcome::Publish { event, .. } => event.dedup.as_ref().map(|d| d.status.as_str()),
            _ => None,
        })
        .collect();
    assert!(statuses.len() >= 2, "the stream holds copies: {statuses:?}");
}
