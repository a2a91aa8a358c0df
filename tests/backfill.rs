//! Backfills end to end: `newsflow produce` loads WARC archives into a real broker's input topic, the
//! worker processes them, and every input record yields exactly one output, on the topic its page
//! calls for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use e2e::{Worker, collect, setup};

const READY: Duration = Duration::from_secs(60);

fn warc(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/warc")
        .join(name)
}

/// Runs `newsflow produce` with `args` and `env` overrides.
fn produce(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(e2e::binary());
    command.arg("produce").args(args).env_remove("NEWSFLOW_CONFIG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run newsflow produce")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warc_backfill_yields_one_output_per_page() {
    let partitions = 2;
    let topics = setup("backfill", partitions).await;
    let output = produce(
        &[
            "--brokers",
            &topics.brokers,
            "--topic",
            &topics.input,
            "--compression",
            "zstd",
            "--input",
            warc("pages.warc.gz").to_str().unwrap(),
            warc("damaged.warc.gz").to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("damaged.warc.gz: corrupt gzip member at byte 5758: "),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("11 pages (0.1 MB) produced to {}", topics.input)),
        "{stderr}"
    );
    assert!(
        stderr.contains(": 11 acknowledged, 0 not acknowledged; 13 WARC records without a page skipped (1 metadata, 1 non-http response, 8 request, 1 revisit, 2 warcinfo); 1 damaged archive parts"),
        "{stderr}"
    );

    // The input topic: one envelope of bytes per page, keyed by normalized URL.
    let inputs = collect(&topics.brokers, &[&topics.input], Duration::from_secs(30), |r| {
        r.len() >= 11
    });
    assert_eq!(inputs.len(), 11);
    let mut url_of: BTreeMap<(i64, i64), String> = BTreeMap::new();
    for record in &inputs {
        let envelope = record.json();
        let url = envelope["url"].as_str().unwrap().to_owned();
        assert!(envelope["html_base64"].is_string(), "{url}");
        assert!(envelope["html"].is_null(), "{url}");
        let key = String::from_utf8(record.key.clone().unwrap()).unwrap();
        assert_eq!(
            key,
            url.replace("?utm_source=rss", ""),
            "the key is the normalized URL"
        );
        url_of.insert((i64::from(record.partition), record.offset), url);
    }

    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(READY).unwrap();
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= 11
    });
    // A little longer, to catch any extra output.
    let records = if records.len() == 11 {
        collect(&topics.brokers, &topics.outputs(), Duration::from_secs(2), |_| {
            false
        })
    } else {
        records
    };
    assert_eq!(records.len(), 11, "outputs:\n{}", worker.log());

    // Exactly one output per input record, and which topic each page went to.
    let mut outputs_per_input: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    let mut per_url: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in &records {
        let source = record.source();
        *outputs_per_input.entry(source).or_default() += 1;
        let kind = if record.topic == topics.articles {
            "article".to_owned()
        } else if record.topic == topics.duplicates {
            format!(
                "duplicate ({})",
                record.json()["dedup"]["status"].as_str().unwrap()
            )
        } else if record.topic == topics.skipped {
            format!("skipped ({})", record.headers["newsflow.reason"])
        } else {
            format!("dead letter ({})", record.headers["newsflow.reason"])
        };
        per_url.entry(url_of[&source].clone()).or_default().push(kind);
    }
    assert_eq!(
        outputs_per_input.len(),
        11,
        "an output for every input record: {outputs_per_input:?}\n{}",
        worker.log()
    );
    assert!(
        outputs_per_input.values().all(|&n| n == 1),
        "{outputs_per_input:?}"
    );
    for kinds in per_url.values_mut() {
        kinds.sort();
    }
    let dw = "https://www.dw.com/en/nato-chief-vows-unwavering-support-for-ukraine/a-63885362";
    let mirror = "https://mirror.example.org/dw/nato-chief-vows-unwavering-support";
    // The DW story comes three times (the archive's response, its resource copy under another URL, the
    // damaged archive's response): one article, two duplicates, whichever partition ran first.
    let mut dw_kinds: Vec<String> = per_url.remove(dw).unwrap();
    dw_kinds.extend(per_url.remove(mirror).unwrap());
    dw_kinds.sort();
    assert_eq!(
        dw_kinds,
        ["article", "duplicate (duplicate)", "duplicate (duplicate)"]
    );
    let expected: BTreeMap<String, Vec<String>> = [
        ("http://www.novosti-povolzhya.ru/news/samara/2022/11/25/most-frunzenskiy.html", vec!["article", "duplicate (duplicate)"]),
        ("https://veedelsblog-ehrenfeld.de/radwege-venloer-strasse/", vec!["article"]),
        ("https://www.courrier-des-alpes.fr/savoie/le-telesiege-de-la-combe-rouvre-apres-deux-ans-de-travaux-4471203?utm_source=rss", vec!["article"]),
        ("https://www.dw.com/en/no-such-story/a-0", vec!["skipped (http_error)"]),
        ("https://www.harborgazette.com/", vec!["skipped (not_article)"]),
        ("https://www.harborgazette.com/news/2022/11/25/council-approves-harbor-seawall-plan/", vec!["article"]),
        ("https://www.minato-shinpo.example.jp/news/2024/05/05/bouhatei.html", vec!["article"]),
    ]
    .into_iter()
    .map(|(url, kinds)| (url.to_owned(), kinds.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(per_url, expected);

    // The Shift_JIS page, whose charset only the HTTP header named, came out as Japanese text.
    let japanese = records
        .iter()
        .map(e2e::Record::json)
        .find(|event| event["url"].as_str().is_some_and(|u| u.contains("minato-shinpo")))
        .unwrap();
    assert_eq!(japanese["title"], "港の防波堤、改修工事が完了");
    assert_eq!(japanese["language"]["code"], "ja");
    assert_eq!(japanese["fetched_at"], "2024-05-06T07:08:09Z");
    worker.terminate(Duration::from_secs(20)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_the_broker_does_not_acknowledge_fail_the_command() {
    let topics = setup("backfill-refused", 1).await;
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples/pages");
    // Pages above the producer's message size limit: refused, so never acknowledged.
    let output = produce(
        &[
            "--brokers",
            &topics.brokers,
            "--topic",
            &topics.input,
            "--input",
            samples.to_str().unwrap(),
        ],
        &[
            ("NEWSFLOW__KAFKA__MAX_MESSAGE_BYTES", "5000"),
            ("NEWSFLOW__PIPELINE__MAX_INPUT_BYTES", "4000"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(": 0 acknowledged, 6 not acknowledged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 6 of 6 records were not acknowledged by the broker (first: Message production error: MessageSizeTooLarge"),
        "{stderr}"
    );

    // A topic that does not exist: nothing is read, the command says which topic.
    let output = produce(
        &[
            "--brokers",
            &topics.brokers,
            "--topic",
            "t.no-such-topic",
            "--input",
            samples.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("topic \"t.no-such-topic\" does not exist"),
        "{stderr}"
    );
}
