use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// A dedup state that fails its first `failures` decisions, then decides like the memory store.
struct Flaky {
    failures: AtomicUsize,
    inner: dedup::SharedMemory,
}

impl dedup::Decider for Flaky {
    fn store_name(&self) -> &'static str {
        "redis"
    }
    fn config(&self) -> &dedup::DedupConfig {
        self.inner.config()
    }
    fn decide(
        &self,
        owner: &str,
        article_id: &str,
        url: &str,
        fp: &dedup::Fingerprint,
        now: i64,
    ) -> Result<dedup::Decision, dedup::BoxError> {
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err("connection refused".into());
        }
        self.inner.decide(owner, article_id, url, fp, now)
    }
    fn restore(
        &self,
        owner: &str,
        article_id: &str,
        url: &str,
        fp: &dedup::Fingerprint,
        published: &dedup::Decision,
        seen_at: i64,
    ) -> Result<(), dedup::BoxError> {
        self.inner.restore(owner, article_id, url, fp, published, seen_at)
    }
    fn check_state(&self, now: i64) -> Result<dedup::StateCheck, dedup::BoxError> {
        if self.failures.load(Ordering::SeqCst) > 0 {
            return Err("connection refused".into());
        }
        self.inner.check_state(now)
    }
}

#[test]
fn the_dedup_state_is_checked_without_a_message() {
    let flaky = pipeline(false, 1);
    let failed = flaky
        .check_dedup_state(5_000)
        .map(|check| check.map_err(|f| f.store));
    assert_eq!(failed, Some(Err("redis")));
    flaky
        .dedup
        .decide(
            "o",
            "a",
            "https://a.example/1",
            &dedup::fingerprint("x", &flaky.config.dedup),
            5,
        )
        .ok();
    let checked = flaky
        .check_dedup_state(7_000)
        .map(|check| check.map_err(|f| f.store));
    assert_eq!(
        checked,
        Some(Ok(dedup::StateCheck {
            since_unix: 7,
            lost: false
        }))
    );
    let extract_only = Pipeline::new(PipelineConfig {
        stages: vec![Stage::Extract],
        ..PipelineConfig::default()
    })
    .unwrap();
    assert!(extract_only.check_dedup_state(7_000).is_none());
}

fn pipeline(fail_open: bool, failures: usize) -> Pipeline {
    let config = PipelineConfig {
        stages: vec![Stage::Extract, Stage::Dedup, Stage::Lang],
        max_input_bytes: 1 << 20,
        dedup_fail_open: fail_open,
        ..PipelineConfig::default()
    };
    let flaky = Flaky {
        failures: AtomicUsize::new(failures),
        inner: dedup::SharedMemory::new(config.dedup.clone()).unwrap(),
    };
    Pipeline::with_decider(config, Box::new(flaky)).unwrap()
}

fn page(n: usize) -> Vec<u8> {
    let body: String = (0..8)
        .map(|i| {
            format!("<p>Paragraph {i} of story {n} tells how the council met the farmers and the mayor.</p>")
        })
        .collect();
    let html = format!("<html lang=en><body><article><h1>Story {n}</h1>{body}</article></body></html>");
    serde_json::json!({ "url": format!("https://a.example/{n}"), "html": html })
        .to_string()
        .into_bytes()
}

fn message(value: &[u8], offset: i64) -> RawMessage<'_> {
    RawMessage {
        value,
        headers: vec![],
        source: SourceRef {
            topic: "in".into(),
            partition: 0,
            offset,
        },
    }
}

#[test]
fn fail_closed_holds_the_message_back_until_the_store_answers() {
    let p = pipeline(false, 2);
    let value = page(1);
    let processed = p.process(&message(&value, 7), 1_000_000);
    assert_eq!(processed.dedup_error.as_ref().map(|e| e.store), Some("redis"));
    let Outcome::Unavailable { pending } = processed.outcome else {
        panic!("{:?}", processed.outcome)
    };
    let again = p.resume(*pending, 2_000_000);
    let Outcome::Unavailable { pending } = again.outcome else {
        panic!("{:?}", again.outcome)
    };
    let done = p.resume(*pending, 3_000_000);
    assert_eq!(done.dedup_error, None);
    let Outcome::Publish { route, event } = done.outcome else {
        panic!("{:?}", done.outcome)
    };
    assert_eq!(route, Route::Articles);
    assert_eq!(event.dedup.map(|d| d.status), Some(DedupStatus::Unique));
    assert_eq!(event.source.offset, 7);
    assert_eq!(event.language.map(|l| l.code), Some("en".to_owned()));
    assert_eq!(event.processed_at, model::rfc3339_millis(3_000_000));
    let stages: Vec<Stage> = done.timings.iter().map(|(s, _)| *s).collect();
    // Only the decision runs again: the language was tagged before the message was held.
    assert_eq!(stages, [Stage::Dedup]);
    // The same message again (redelivery) keeps its verdict; a copy of it is a duplicate.
    let copy = p.process(&message(&value, 8), 4_000_000);
    let Outcome::Publish { route, event } = copy.outcome else {
        panic!("{:?}", copy.outcome)
    };
    assert_eq!(
        (route, event.dedup.map(|d| d.status)),
        (Route::Duplicates, Some(DedupStatus::Duplicate))
    );
}

#[test]
fn fail_open_publishes_with_status_unknown() {
    let p = pipeline(true, 1);
    let value = page(2);
    let processed = p.process(&message(&value, 0), 1_000_000);
    assert!(processed.dedup_error.is_some());
    let Outcome::Publish { route, event } = processed.outcome else {
        panic!("{:?}", processed.outcome)
    };
    assert_eq!(route, Route::Articles);
    let dedup = event.dedup.unwrap();
    assert_eq!((dedup.status, dedup.duplicate_of), (DedupStatus::Unknown, None));
    assert!(event.fingerprints.is_some() && event.language.is_some());
}
