//! The Grafana dashboard and the alert rules against a real Prometheus scraping a real worker.
//!
//! `make test` starts Prometheus (`scripts/prometheus.sh`: Debian's package, a scrape every second,
//! file-based discovery, `deploy/prometheus/alerts.yml` loaded) and passes its address and its target
//! directory in `NEWSFLOW_TEST_PROMETHEUS` and `NEWSFLOW_TEST_PROMETHEUS_TARGETS`. The test starts a worker,
//! lists it as a target with the `namespace` and `pod` labels a ServiceMonitor adds in a cluster, feeds it the
//! sample pages (plus copies and a poison message), and then evaluates through the HTTP API every query of
//! `deploy/grafana/newsflow-dashboard.json` (Grafana's variables filled in) and every alert Prometheus
//! loaded: the whole expression, and each side of it without its threshold. A query that errors, or that
//! has no series where this traffic must give it one, fails the test; [`NO_SERIES_WITHOUT_FAULT`] lists
//! the queries that legitimately stay empty, with the reason. The table of every query is printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use base64::Engine as _;
use e2e::{Input, Worker, article_html, collect, produce, setup};

/// Queries (panel title, variable or alert name, matched exactly) that have no series in a healthy run
/// without anything being wrong, with the reason. Each entry must stay empty in this test: an entry that
/// has data is an error too (remove it). The worker exports its own series from the start (counters at 0,
/// process metrics) except those labelled by an error code, and Prometheus adds `up`; the dashboard's
/// Kubernetes row reads cAdvisor and kube-state-metrics, which a Prometheus outside a cluster does not have.
const NO_SERIES_WITHOUT_FAULT: &[(&str, &str)] = &[
    (
        "Kafka client and consume errors/s",
        "labelled by librdkafka's error code, so a series appears with the first error",
    ),
    (
        "Memory working set vs limit by pod",
        "cAdvisor and kube-state-metrics series: none outside a cluster",
    ),
    (
        "CPU throttled share by pod",
        "cAdvisor series: none outside a cluster",
    ),
    (
        "Container restarts by pod",
        "kube-state-metrics series: none outside a cluster",
    ),
    (
        "OOMKilled (last termination) by pod",
        "kube-state-metrics series: none outside a cluster",
    ),
];

/// Alerts on cAdvisor and kube-state-metrics series, with the reason they have none here. They select the
/// release's pods or Deployment instead of the worker's job; their expression and every signal must be
/// empty in this test (promtool's tests in alerts_test.yml make them fire).
const KUBERNETES_ALERTS: &[(&str, &str)] = &[
    (
        "NewsflowReplicasUnavailable",
        "kube-state-metrics' Deployment replicas: none outside a cluster",
    ),
    (
        "NewsflowRestarting",
        "kube-state-metrics' container restarts: none outside a cluster",
    ),
    (
        "NewsflowOOMKilled",
        "kube-state-metrics' last terminated reason: none outside a cluster",
    ),
    (
        "NewsflowMemoryNearLimit",
        "cAdvisor's working set and kube-state-metrics' limits: none outside a cluster",
    ),
];

const NAMESPACE: &str = "newsflow-e2e";
/// The job scripts/prometheus.sh scrapes the worker as (a release's Service in a cluster).
const JOB: &str = "newsflow";
/// Grafana's range and interval variables, for a scrape every second and a run shorter than a minute.
const GRAFANA_INTERVALS: &[(&str, &str)] =
    &[("__rate_interval", "1m"), ("__interval", "1s"), ("__range", "1h")];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// A Prometheus server's HTTP API.
struct Prometheus {
    addr: String,
}

/// What one query gave: the number of series with a value that is a number (NaN is no data).
#[derive(Debug)]
struct Answer {
    series: usize,
    nan: usize,
    labels: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl Prometheus {
    fn from_env() -> Prometheus {
        let addr = std::env::var("NEWSFLOW_TEST_PROMETHEUS").unwrap_or_else(|_| {
            panic!(
                "NEWSFLOW_TEST_PROMETHEUS is not set: run `make test`, or start `scripts/prometheus.sh up` and set \
                 NEWSFLOW_TEST_PROMETHEUS=127.0.0.1:<port> and NEWSFLOW_TEST_PROMETHEUS_TARGETS=<its target directory>"
            )
        });
        Prometheus {
            addr: addr.trim_start_matches("http://").to_owned(),
        }
    }

    fn get(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        let mut stream = std::net::TcpStream::connect(&self.addr)
            .with_context(|| format!("no Prometheus at {}", self.addr))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(stream, "GET {path} HTTP/1.0\r\nhost: {}\r\n\r\n", self.addr)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let response = String::from_utf8(response)?;
        let (_, body) = response.split_once("\r\n\r\n").context("no HTTP body")?;
        serde_json::from_str(body).with_context(|| format!("not JSON: {body}"))
    }

    /// An instant query at `time` (Unix seconds): the answer, or Prometheus' error.
    fn query(&self, expr: &str, time: f64) -> Result<Answer, String> {
        let body = self
            .get(&format!(
                "/api/v1/query?query={}&time={time:.3}",
                percent_encode(expr)
            ))
            .map_err(|err| format!("{err:#}"))?;
        if body["status"] != "success" {
            return Err(format!("{}: {}", body["errorType"], body["error"]));
        }
        let result = &body["data"]["result"];
        let mut answer = Answer {
            series: 0,
            nan: 0,
            labels: vec![],
        };
        match body["data"]["resultType"].as_str() {
            Some("vector") => {
                for s in result.as_array().into_iter().flatten() {
                    let value = s["value"][1].as_str().unwrap_or("NaN");
                    if value == "NaN" {
                        answer.nan += 1;
                    } else {
                        answer.series += 1;
                    }
                    answer
                        .labels
                        .push(s["metric"].as_object().cloned().unwrap_or_default());
                }
            }
            Some("scalar") => answer.series = 1,
            other => return Err(format!("unexpected result type {other:?}")),
        }
        Ok(answer)
    }

    /// Waits until `expr` has at least one series; false after `timeout`.
    fn wait_for(&self, expr: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if matches!(self.query(expr, now()), Ok(a) if a.series > 0) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        false
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}

/// A worker listed in Prometheus' target directory; unlisted on drop.
struct Target(PathBuf);

impl Target {
    fn register(dir: &Path, worker: &Worker, pod: &str) -> Target {
        let entry = serde_json::json!([{
            "targets": [format!("127.0.0.1:{}", worker.metrics_port)],
            "labels": {"namespace": NAMESPACE, "pod": pod},
        }]);
        // Written aside and renamed, so Prometheus never reads half a file.
        let tmp = dir.join(format!("{pod}.json.tmp"));
        std::fs::write(&tmp, entry.to_string()).unwrap();
        let path = dir.join(format!("{pod}.json"));
        std::fs::rename(&tmp, &path).unwrap();
        Target(path)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a query must give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// At least one series with a number.
    Data,
    /// No series (the `absent()` side of an alert while the metric is there).
    Empty,
    /// Anything but an error (a whole alert expression: whether it fires is not this test's business).
    Evaluates,
}

struct Row {
    what: String,
    query: String,
    expect: Expect,
    answer: Result<Answer, String>,
}

/// What is wrong with one answer, if anything.
fn problem(row: &Row) -> Option<String> {
    let allowed = NO_SERIES_WITHOUT_FAULT.iter().any(|(w, _)| *w == row.what);
    let has_data = matches!(&row.answer, Ok(a) if a.series > 0);
    match (&row.answer, row.expect) {
        (Err(err), _) => Some(format!("{}: {err}\n  {}", row.what, row.query)),
        (Ok(_), Expect::Data) if !has_data && !allowed => {
            Some(format!("{}: no series with a value\n  {}", row.what, row.query))
        }
        (Ok(_), Expect::Data) if has_data && allowed => Some(format!(
            "{}: has data, so it does not belong in NO_SERIES_WITHOUT_FAULT",
            row.what
        )),
        (Ok(a), Expect::Empty) if a.series + a.nan > 0 => {
            Some(format!("{}: must have no series here\n  {}", row.what, row.query))
        }
        _ => None,
    }
}

/// Fills in Grafana's variables; `$name` and `${name}` alike.
fn substitute(expr: &str, vars: &[(&str, &str)]) -> String {
    let mut vars = vars.to_vec();
    vars.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut out = expr.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("${{{k}}}"), v).replace(&format!("${k}"), v);
    }
    assert!(!out.contains('$'), "unknown Grafana variable in {expr}");
    out
}

/// `label_values(query, label)` → (query, label).
fn label_values(query: &str) -> Option<(&str, &str)> {
    let inner = query.trim().strip_prefix("label_values(")?.strip_suffix(')')?;
    let (selector, label) = inner.rsplit_once(',')?;
    Some((selector.trim(), label.trim()))
}

/// The dashboard's queries: (panel title or "variable NAME", expression, label a variable reads).
fn dashboard_queries(dashboard: &serde_json::Value) -> Vec<(String, String, Option<String>)> {
    fn walk(panels: &serde_json::Value, out: &mut Vec<(String, String, Option<String>)>) {
        for panel in panels.as_array().into_iter().flatten() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                out.push((
                    panel["title"].as_str().unwrap().to_owned(),
                    target["expr"].as_str().unwrap().to_owned(),
                    None,
                ));
            }
            walk(&panel["panels"], out);
        }
    }
    let mut out = vec![];
    walk(&dashboard["panels"], &mut out);
    for var in dashboard["templating"]["list"].as_array().unwrap() {
        if var["type"] != "query" {
            continue;
        }
        let query = var["query"]["query"].as_str().or(var["query"].as_str()).unwrap();
        let (selector, label) = label_values(query)
            .unwrap_or_else(|| panic!("variable {}: not label_values(..): {query}", var["name"]));
        out.push((
            format!("variable {}", var["name"].as_str().unwrap()),
            selector.to_owned(),
            Some(label.to_owned()),
        ));
    }
    out
}

/// Splits `expr` at the top level (outside brackets and strings): the byte offsets where `pred` holds.
fn top_level(expr: &str, mut pred: impl FnMut(usize) -> bool) -> Vec<usize> {
    let bytes = expr.as_bytes();
    let (mut depth, mut quote, mut hits) = (0i32, None, vec![]);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ if depth == 0 && pred(i) => hits.push(i),
                _ => {}
            },
        }
        i += 1;
    }
    hits
}

/// Removes parentheses around the whole expression: `((a > 0))` → `a > 0`, but `(a) / (b)` stays whole.
fn unparen(mut expr: &str) -> &str {
    loop {
        expr = expr.trim();
        if expr.starts_with('(') && matching_close(expr) == Some(expr.len() - 1) {
            expr = &expr[1..expr.len() - 1];
        } else {
            return expr;
        }
    }
}

/// The offset of the bracket that closes the one `expr` starts with (quotes skipped).
fn matching_close(expr: &str) -> Option<usize> {
    let bytes = expr.as_bytes();
    let (mut depth, mut quote, mut i) = (0i32, None, 0);
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The sides of an alert expression without their thresholds: `a > 10 unless b > 0` → `[a, b]`, each with
/// what it must give in a healthy run with traffic.
fn alert_signals(expr: &str) -> Vec<(String, Expect)> {
    let words = ["unless", "or", "and"];
    let bytes = expr.as_bytes();
    let at_word = |i: usize| {
        words.iter().any(|w| {
            expr[i..].starts_with(w)
                && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b')')
                && expr[i + w.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_whitespace() || c == '(')
        })
    };
    let cuts = top_level(expr, at_word);
    let mut sides = vec![];
    let mut start = 0;
    for cut in cuts.iter().copied().chain([expr.len()]) {
        sides.push(&expr[start..cut]);
        if cut < expr.len() {
            let word = words.iter().find(|w| expr[cut..].starts_with(**w)).unwrap();
            let mut rest = expr[cut + word.len()..].trim_start();
            // A vector matching modifier: on (..) / ignoring (..).
            for modifier in ["on", "ignoring"] {
                if let Some(r) = rest.strip_prefix(modifier)
                    && r.trim_start().starts_with('(')
                {
                    let r = r.trim_start();
                    let close = r.find(')').unwrap();
                    rest = r[close + 1..].trim_start();
                }
            }
            start = expr.len() - rest.len();
        }
    }
    sides
        .into_iter()
        .map(|side| {
            let side = unparen(side);
            if side.starts_with("absent(") || side.starts_with("absent_over_time(") {
                return (side.to_owned(), Expect::Empty);
            }
            (strip_threshold(side).to_owned(), Expect::Data)
        })
        .collect()
}

/// `x > 0.05` → `x` (a comparison with a number at the top level, at the end).
fn strip_threshold(expr: &str) -> &str {
    let ops = [">=", "<=", "==", "!=", ">", "<"];
    let bytes = expr.as_bytes();
    let hits = top_level(expr, |i| {
        ops.iter().any(|op| expr[i..].starts_with(op))
            && !(i > 0 && matches!(bytes[i - 1], b'>' | b'<' | b'=' | b'!'))
    });
    if let Some(&i) = hits.last() {
        let op_len = ops.iter().find(|op| expr[i..].starts_with(**op)).unwrap().len();
        let rhs = expr[i + op_len..].trim().trim_start_matches("bool").trim();
        if rhs.parse::<f64>().is_ok() {
            return unparen(&expr[..i]);
        }
    }
    expr
}

fn sample_inputs() -> Vec<Input> {
    let dir = root().join("samples/pages");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 5, "sample pages in {}", dir.display());
    let mut inputs = vec![];
    for (i, page) in pages.iter().enumerate() {
        let sidecar = page.with_extension("input.json");
        let meta: serde_json::Value = std::fs::read_to_string(&sidecar)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let url = meta["url"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("https://news.example.com/sample/{i}"));
        let bytes = std::fs::read(page).unwrap();
        let mut envelope = serde_json::json!({
            "url": url,
            "html_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "fetched_at": "2026-11-28T06:00:00Z",
        });
        if let Some(ct) = meta["content_type"].as_str() {
            envelope["content_type"] = ct.into();
        }
        inputs.push(Input {
            key: Some(url.clone()),
            value: envelope.to_string().into_bytes(),
            headers: vec![],
        });
        // The same page syndicated under another URL: a duplicate.
        if i < 2 {
            let mut copy = envelope.clone();
            copy["url"] = format!("https://mirror.example.org/copy/{i}").into();
            inputs.push(Input {
                key: None,
                value: copy.to_string().into_bytes(),
                headers: vec![],
            });
        }
    }
    inputs.extend(Input::articles("metrics", 0..16, 300));
    inputs.push(Input::envelope(
        "https://news.example.com/metrics/copy",
        &article_html(301, ""),
    ));
    inputs.push(Input::raw(b"{not json"));
    inputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_and_alert_query_answers_on_a_real_prometheus() {
    let prometheus = Prometheus::from_env();
    let targets = PathBuf::from(std::env::var("NEWSFLOW_TEST_PROMETHEUS_TARGETS").expect(
        "NEWSFLOW_TEST_PROMETHEUS_TARGETS is not set: the target directory of scripts/prometheus.sh",
    ));
    assert!(
        prometheus.get("/-/ready").is_err() || targets.is_dir(),
        "no target directory {}",
        targets.display()
    );

    let partitions = 2;
    let topics = setup("prometheus", partitions).await;
    let mut worker = Worker::start(&topics, &[]);
    worker.wait_ready(Duration::from_secs(60)).unwrap();
    let pod = format!("newsflow-{}-{}", std::process::id(), now() as u64);
    let _target = Target::register(&targets, &worker, &pod);
    // Scraped at least twice before any traffic, so every counter starts from a sample at 0.
    assert!(
        prometheus.wait_for(
            &format!("count_over_time(newsflow_ready{{pod=\"{pod}\"}}[1m]) >= 2"),
            Duration::from_secs(60)
        ),
        "Prometheus at {} did not scrape the worker (target file in {})",
        prometheus.addr,
        targets.display()
    );

    // Traffic in waves a few scrapes apart, as a worker sees it: a histogram's series appear with its first
    // observation, so a single burst between two scrapes would leave its rate() at 0 (quantiles NaN).
    let inputs = sample_inputs();
    let n = inputs.len();
    for wave in inputs.chunks(n.div_ceil(5)) {
        produce(&topics.brokers, &topics.input, partitions, wave).await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    let records = collect(&topics.brokers, &topics.outputs(), Duration::from_secs(90), |r| {
        r.len() >= n
    });
    assert_eq!(records.len(), n, "outputs\n{}", worker.log());
    // Prometheus has scraped the final counts (and once more, for the rates' last sample).
    assert!(
        prometheus.wait_for(
            &format!("sum(newsflow_messages_consumed_total{{pod=\"{pod}\"}}) >= {n}"),
            Duration::from_secs(30)
        ),
        "Prometheus never saw {n} messages consumed"
    );
    std::thread::sleep(Duration::from_secs(2));
    let at = now();

    let mut rows = vec![];
    // The dashboard.
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("deploy/grafana/newsflow-dashboard.json")).unwrap(),
    )
    .unwrap();
    let mut vars = GRAFANA_INTERVALS.to_vec();
    vars.push(("namespace", NAMESPACE));
    vars.push(("job", JOB));
    vars.push(("group", &topics.group));
    vars.push(("pod", &pod));
    let mut variable_errors = vec![];
    for (what, expr, label) in dashboard_queries(&dashboard) {
        let query = substitute(&expr, &vars);
        let answer = prometheus.query(&query, at);
        if let (Some(label), Ok(a)) = (&label, &answer) {
            // A variable must offer the value this worker has.
            let want = match label.as_str() {
                "namespace" => NAMESPACE,
                "job" => JOB,
                "group" => &topics.group,
                _ => &pod,
            };
            let offered: Vec<&str> = a
                .labels
                .iter()
                .filter_map(|l| l.get(label.as_str())?.as_str())
                .collect();
            if !offered.contains(&want) {
                variable_errors.push(format!("{what} offers {offered:?}, not {want}"));
            }
        }
        rows.push(Row {
            what,
            query,
            expect: Expect::Data,
            answer,
        });
    }
    // The alerts, as Prometheus loaded them from deploy/prometheus/alerts.yml.
    let rules = prometheus.get("/api/v1/rules?type=alert").unwrap();
    let mut alerts = 0;
    for group in rules["data"]["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            alerts += 1;
            let name = rule["name"].as_str().unwrap();
            let kubernetes = KUBERNETES_ALERTS.iter().any(|(n, _)| *n == name);
            // Scoped to this worker: the same Prometheus may hold series of earlier workers.
            let selector = "job=\"newsflow\"";
            let loaded = rule["query"].as_str().unwrap();
            assert!(
                loaded.contains(selector) != kubernetes,
                "alert {name}: selects {selector} {}, is in KUBERNETES_ALERTS {kubernetes}: {loaded}",
                loaded.contains(selector)
            );
            let scoped = loaded.replace(selector, &format!("{selector}, pod=\"{pod}\""));
            let expr = scoped.as_str();
            assert_ne!(
                rule["health"], "err",
                "alert {name} does not evaluate: {}",
                rule["lastError"]
            );
            rows.push(Row {
                what: format!("alert {name} ({})", rule["state"].as_str().unwrap_or("?")),
                query: expr.to_owned(),
                expect: if kubernetes {
                    Expect::Empty
                } else {
                    Expect::Evaluates
                },
                answer: prometheus.query(expr, at),
            });
            for (signal, expect) in alert_signals(expr) {
                if signal == expr {
                    continue;
                }
                rows.push(Row {
                    what: format!("alert {name}: signal"),
                    answer: prometheus.query(&signal, at),
                    query: signal,
                    expect: if kubernetes { Expect::Empty } else { expect },
                });
            }
        }
    }
    let mut alert_file = std::fs::read_to_string(root().join("deploy/prometheus/alerts.yml")).unwrap();
    alert_file.retain(|c| c != '\r');
    let in_file = alert_file.matches("- alert: ").count();
    assert_eq!(
        alerts, in_file,
        "Prometheus loaded {alerts} alerts, alerts.yml has {in_file}"
    );

    // The table, and what is wrong.
    let mut table = String::new();
    let mut problems = variable_errors;
    writeln!(
        table,
        "{:<64} {:<6} {:>6}  query",
        "panel / variable / alert", "data", "series"
    )
    .unwrap();
    for row in &rows {
        let (data, series) = match &row.answer {
            Ok(a) if a.series > 0 => ("yes", a.series.to_string()),
            Ok(a) if a.nan > 0 => ("NaN", a.nan.to_string()),
            Ok(_) => ("no", "0".to_owned()),
            Err(_) => ("ERROR", "-".to_owned()),
        };
        let mut short: String = row.query.split_whitespace().collect::<Vec<_>>().join(" ");
        if short.chars().count() > 110 {
            short = short.chars().take(107).chain("...".chars()).collect();
        }
        writeln!(table, "{:<64} {:<6} {:>6}  {short}", row.what, data, series).unwrap();
        problems.extend(problem(row));
    }
    for (name, why) in KUBERNETES_ALERTS {
        writeln!(table, "Kubernetes alert without series: {name}: {why}").unwrap();
        assert!(
            rows.iter()
                .any(|r| r.what.starts_with(&format!("alert {name} ("))),
            "KUBERNETES_ALERTS names {name}, which Prometheus did not load"
        );
    }
    for (what, why) in NO_SERIES_WITHOUT_FAULT {
        writeln!(table, "allowed without series: {what}: {why}").unwrap();
        assert!(
            rows.iter().any(|r| r.what == *what),
            "NO_SERIES_WITHOUT_FAULT names {what}, which is no query"
        );
    }
    // The same judgement finds a misspelt metric and a query that does not parse.
    for (query, expect) in [
        (
            format!("sum(rate(newsflow_messages_consumd_total{{pod=\"{pod}\"}}[1m]))"),
            "no series",
        ),
        (
            "sum(rate(newsflow_messages_consumed_total[1m])".to_owned(),
            "bad_data",
        ),
    ] {
        let row = Row {
            what: "deliberately broken".to_owned(),
            answer: prometheus.query(&query, at),
            query,
            expect: Expect::Data,
        };
        let found = problem(&row).unwrap_or_default();
        assert!(found.contains(expect), "{}: {found:?}", row.query);
    }
    let panels = rows.iter().filter(|r| !r.what.starts_with("alert ")).count();
    println!(
        "{table}{panels} dashboard queries, {alerts} alerts ({} queries with their signals) on {} at {at:.0}; {} problems",
        rows.len() - panels,
        prometheus.addr,
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{}\n\n{table}\nworker log:\n{}",
        problems.join("\n"),
        worker.log()
    );

    let status = worker.terminate(Duration::from_secs(30)).unwrap();
    assert!(status.success(), "exit status {status}\n{}", worker.log());
}

#[test]
fn alert_signals_drop_thresholds_and_split_set_operators() {
    #[track_caller]
    fn check(expr: &str, expected: &[(&str, Expect)]) {
        let got = alert_signals(expr);
        let got: Vec<(&str, Expect)> = got.iter().map(|(s, e)| (s.as_str(), *e)).collect();
        assert_eq!(got, expected, "{expr}");
    }
    check("sum(x) > 10000", &[("sum(x)", Expect::Data)]);
    check(
        "(sum(a{job=\"n\"}) > 0) unless (sum(rate(b[5m])) > 0)",
        &[
            ("sum(a{job=\"n\"})", Expect::Data),
            ("sum(rate(b[5m]))", Expect::Data),
        ],
    );
    check(
        "(sum by (j) (r) == 0) or absent(r{job=\"n\"})",
        &[
            ("sum by (j) (r)", Expect::Data),
            ("absent(r{job=\"n\"})", Expect::Empty),
        ],
    );
    check(
        "sum(rate(a[10m])) / sum(rate(b[10m])) > 0.05",
        &[("sum(rate(a[10m])) / sum(rate(b[10m]))", Expect::Data)],
    );
    check(
        "histogram_quantile(0.99, sum by (le) (rate(h[5m]))) > 120",
        &[(
            "histogram_quantile(0.99, sum by (le) (rate(h[5m])))",
            Expect::Data,
        )],
    );
    check(
        "a and on (job, instance) b",
        &[("a", Expect::Data), ("b", Expect::Data)],
    );
    check("max(x{l=\"a>1\"})", &[("max(x{l=\"a>1\"})", Expect::Data)]);
    check("(a) / (b)", &[("(a) / (b)", Expect::Data)]);
}

#[test]
fn grafana_variables_are_filled_in() {
    assert_eq!(
        substitute(
            "rate(x{pod=~\"$pod\", ns=~\"${namespace}\"}[$__rate_interval]) + increase(y[$__range])",
            &[
                ("pod", "p-1"),
                ("namespace", "ns"),
                ("__rate_interval", "1m"),
                ("__range", "1h")
            ]
        ),
        "rate(x{pod=~\"p-1\", ns=~\"ns\"}[1m]) + increase(y[1h])"
    );
    assert_eq!(
        label_values("label_values(newsflow_build_info{namespace=~\"$namespace\"}, pod)"),
        Some(("newsflow_build_info{namespace=~\"$namespace\"}", "pod"))
    );
}
