//! End-to-end benchmark through a real broker: backlog throughput against file mode on one core, paced
//! latency at 70 % of the backlog rate, peak RSS.
//!
//! `cargo run --release -p e2e --bin e2e-bench` with a broker at `NEWSFLOW_TEST_BROKERS` (scripts/bench.sh
//! starts one). Pages: `BENCH_PAGES` (a directory of .html files, each sent under several URLs), else
//! generated pages. `BENCH_MESSAGES` (default 3000) for the backlog, `BENCH_RATE` (default 70 % of the
//! backlog rate) and `BENCH_PACED` (default 1000) for the latency phase. Partitions: 6. First, untimed,
//! rounds of `BENCH_WARMUP` pages (default 1000) through a worker of their own warm the broker's JIT, up
//! to `BENCH_WARMUP_ROUNDS` (default 20, 0 for none) until it has settled.
//!
//! The same pages go through `newsflow process --jobs 1` first, as envelopes of bytes: the single-core file-mode
//! rate the broker rate is compared with (goal: 1.5 × on this 2-core machine, broker included).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use base64::Engine as _;

use e2e::{Input, Record, Topics, Worker, article_html, collect, delete_topic, produce, setup};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pages(n: usize, offset: usize) -> Vec<Input> {
    let dir = std::env::var("BENCH_PAGES").ok();
    let files: Vec<Vec<u8>> = dir
        .map(|dir| {
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|err| panic!("cannot read BENCH_PAGES={dir}: {err}"))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "html"))
                .collect();
            paths.sort();
            paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
        })
        .unwrap_or_default();
    (offset..offset + n)
        .map(|i| {
            let url = format!("https://bench.example.com/story/{i}");
            let html = match files.get(i % files.len().max(1)) {
                Some(html) if !files.is_empty() => html.clone(),
                _ => article_html(i as u64, &url).into_bytes(),
            };
            let mut input = Input::raw(&html);
            input.headers.push(("url".into(), url));
            input
        })
        .collect()
}

/// Wall clock, unix milliseconds (record timestamps are on it).
fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return -1;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Clock ticks per second of `/proc/*/stat` times (`getconf CLK_TCK`).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU seconds (user + system) of process `pid` so far, and of its waited-for children.
fn cpu_seconds(pid: &str) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<f64> = stat
        .rsplit_once(") ")?
        .1
        .split(' ')
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let ticks = clock_ticks();
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after the name.
    Some((
        (fields[11] + fields[12]) / ticks,
        (fields[13] + fields[14]) / ticks,
    ))
}

/// The pid of the test broker `scripts/kafka.sh` started for `brokers`.
fn broker_pid(brokers: &str) -> Option<String> {
    let port = brokers.rsplit(':').next()?;
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(format!(".run/kafka-{port}/kafka.pid"));
    Some(std::fs::read_to_string(file).ok()?.trim().to_owned())
}

/// Pages per second of `newsflow process --jobs <jobs>` (0: one thread per core) over `inputs` written
/// as envelopes, and its CPU seconds.
fn file_mode_rate(inputs: &[Input], jobs: usize) -> (f64, f64) {
    let dir = std::env::temp_dir().join(format!("newsflow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("envelopes.jsonl");
    let mut lines = String::new();
    for input in inputs {
        // Bytes, as the worker gets them (a raw value), so both decode the same way.
        let url = &input.headers[0].1;
        let html_base64 = base64::engine::general_purpose::STANDARD.encode(&input.value);
        lines.push_str(&serde_json::json!({ "url": url, "html_base64": html_base64 }).to_string());
        lines.push('\n');
    }
    std::fs::write(&path, lines).unwrap();
    let children_before = cpu_seconds("self").map_or(0.0, |(_, c)| c);
    let started = Instant::now();
    let output = std::process::Command::new(e2e::binary())
        .args([
            "process",
            "--jobs",
            &jobs.to_string(),
            "--output",
            "/dev/null",
            "--rejects",
            "/dev/null",
            "--input",
        ])
        .arg(&path)
        .output()
        .expect("run newsflow process");
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds("self").map_or(0.0, |(_, c)| c) - children_before;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (inputs.len() as f64 / elapsed, cpu)
}

/// One long-lived producer, so connection set-up is not counted as latency. Its linger is a crawler's:
/// the client default of 5 ms (librdkafka's, and the Java client's since Kafka 4.0), which the latency
/// includes; with none, the broker handles a request per page, on the worker's cores.
fn paced_producer(brokers: &str) -> rdkafka::producer::FutureProducer {
    rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .set("message.max.bytes", "10485760")
        .create()
        .expect("producer")
}

/// Sends `inputs` round-robin over the partitions at `rate` pages/s; returns once all are acknowledged.
async fn produce_paced(
    producer: &rdkafka::producer::FutureProducer,
    topic: &str,
    partitions: i32,
    inputs: &[Input],
    rate: usize,
) {
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let started = Instant::now();
    let mut deliveries = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut headers = rdkafka::message::OwnedHeaders::new();
        for (k, v) in &input.headers {
            headers = headers.insert(rdkafka::message::Header {
                key: k,
                value: Some(v),
            });
        }
        let record = rdkafka::producer::FutureRecord::<(), _>::to(topic)
            .payload(&input.value)
            .partition((i % partitions as usize) as i32)
            .headers(headers);
        deliveries.push(producer.send_result(record).map_err(|(e, _)| e).expect("enqueue"));
        let due = interval * (i as u32 + 1);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
    }
    for delivery in deliveries {
        delivery
            .await
            .expect("delivery")
            .map_err(|(e, _)| e)
            .expect("produce");
    }
}

/// The cumulative buckets (upper bound in seconds, count) of the worker's
/// `newsflow_processing_duration_seconds`, `+Inf` last.
fn processing_buckets(worker: &Worker) -> Vec<(f64, f64)> {
    let Ok((_, body)) = worker.http_get("/metrics") else {
        return Vec::new();
    };
    body.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("newsflow_processing_duration_seconds_bucket{")?;
            let le = rest.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, line.rsplit(' ').next()?.parse().ok()?))
        })
        .collect()
}

/// CPU seconds the JIT compiler threads of JVM `pid` have used so far.
fn jit_seconds(pid: &str) -> f64 {
    let ticks = clock_ticks();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.contains("CompilerThre"))
        })
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let fields: Vec<f64> = stat
                .rsplit_once(") ")?
                .1
                .split(' ')
                .map(|f| f.parse().unwrap_or(0.0))
                .collect();
            Some((fields[11] + fields[12]) / ticks)
        })
        .sum()
}

/// Untimed: rounds of pages (half a backlog, half paced) through a worker of their own until the
/// broker's JIT has settled: a round in which its compiler threads took under a tenth of its CPU, or
/// `max_rounds`. A broker minutes old still spends up to a core compiling (measured on this machine: a
/// fresh broker took 14 rounds to settle, at 29-44 % of its CPU in the first 8; the broker's CPU per page
/// was 2-4x a warm one's); a production broker has long finished, and the timed phases should not
/// measure its start-up.
async fn warm_up(partitions: i32, pages: &[Input], broker: Option<&str>, max_rounds: usize) {
    if pages.len() < 2 || max_rounds == 0 {
        return;
    }
    let started = Instant::now();
    let topics = setup("bench-warmup", partitions).await;
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__TELEMETRY__LOG_LEVEL", "warn")]);
    worker.wait_ready(Duration::from_secs(60)).unwrap();
    let producer = paced_producer(&topics.brokers);
    let (backlog, paced) = pages.split_at(pages.len() / 2);
    let mut shares = Vec::new();
    for round in 1..=max_rounds {
        let before = broker.map(|pid| (cpu_seconds(pid).map_or(0.0, |(own, _)| own), jit_seconds(pid)));
        produce(&topics.brokers, &topics.input, partitions, backlog).await;
        produce_paced(&producer, &topics.input, partitions, paced, 300).await;
        // Counted on the worker's /metrics: reading every output again each round would cost more.
        let produced = |worker: &Worker| {
            worker.http_get("/metrics").map_or(0.0, |(_, body)| {
                body.lines()
                    .filter(|line| line.starts_with("newsflow_messages_produced_total{"))
                    .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
                    .sum()
            })
        };
        assert!(
            worker.wait_for(Duration::from_secs(300), |w| produced(w)
                >= (round * pages.len()) as f64),
            "warm-up: not every page came out:\n{}",
            worker.log()
        );
        let Some((cpu_before, jit_before)) = before else {
            break;
        };
        let pid = broker.unwrap_or_default();
        let cpu = cpu_seconds(pid).map_or(0.0, |(own, _)| own) - cpu_before;
        let share = (jit_seconds(pid) - jit_before) / cpu.max(1e-9);
        shares.push(format!("{:.0} %", share * 100.0));
        if share < 0.1 {
            break;
        }
    }
    let status = worker.terminate(Duration::from_secs(30)).unwrap();
    assert!(status.success());
    delete_topics(&topics).await;
    println!(
        "warm-up (untimed): {} rounds of {} pages in {:.1} s; the broker's JIT compilation took {} of its CPU in each",
        shares.len().max(1),
        pages.len(),
        started.elapsed().as_secs_f64(),
        if shares.is_empty() {
            "an unknown share".to_owned()
        } else {
            shares.join(", ")
        },
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let partitions = 6;
    let n = env_or("BENCH_MESSAGES", 3000);
    let topics = setup("bench", partitions).await;
    let paced = env_or("BENCH_PACED", 1000);
    let broker = broker_pid(&topics.brokers);
    warm_up(
        partitions,
        &pages(env_or("BENCH_WARMUP", 1000), n + paced),
        broker.as_deref(),
        env_or("BENCH_WARMUP_ROUNDS", 20),
    )
    .await;
    let backlog = pages(n, 0);
    let bytes: usize = backlog.iter().map(|p| p.value.len()).sum();
    // File mode on one core runs before and after the backlog phase, and the broker rate is compared
    // with the mean: the speed of this machine drifts by a fifth from one minute to the next.
    let (file_rate_before, file_cpu_before) = file_mode_rate(&backlog, 1);
    let (all_cores_rate, _) = file_mode_rate(&backlog, 0);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "file mode, every core (--jobs {cores}): {all_cores_rate:.0} pages/s, {:.2}x one core (goal 1.8x on 2 cores)",
        all_cores_rate / file_rate_before
    );
    produce(&topics.brokers, &topics.input, partitions, &backlog).await;
    println!(
        "backlog: {n} pages, {:.1} MB, {partitions} partitions",
        bytes as f64 / 1e6
    );

    // The backlog just written sits in dirty pages; its write-back would stall the broker's appends (and
    // so the worker's acknowledgements) for seconds in the middle of the timed phase.
    let _ = std::process::Command::new("sync").status();
    let mut worker = Worker::start(&topics, &[("NEWSFLOW__TELEMETRY__LOG_LEVEL", "warn")]);
    worker.wait_ready(Duration::from_secs(60)).unwrap();
    let worker_pid = worker.child.id().to_string();
    let cpu_now = |pid: Option<&str>| pid.and_then(cpu_seconds).map_or(0.0, |(own, _)| own);
    let (worker_before, broker_before) = (cpu_now(Some(&worker_pid)), cpu_now(broker.as_deref()));
    let jit_now = || broker.as_deref().map_or(0.0, jit_seconds);
    let jit_before = jit_now();
    let started = Instant::now();
    let started_ms = chrono_ms();
    let records = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(600),
        |r| r.len() >= n,
    );
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(records.len(), n, "not every page came out:\n{}", worker.log());
    let broker_rate = n as f64 / elapsed;
    let (worker_after, broker_after) = (cpu_now(Some(&worker_pid)), cpu_now(broker.as_deref()));
    let jit_backlog = jit_now() - jit_before;
    let (file_rate_after, file_cpu_after) = file_mode_rate(&backlog, 1);
    // Its envelopes file, written and deleted, leaves dirty pages whose write-back would stall the
    // broker in the paced phase.
    let _ = std::process::Command::new("sync").status();
    let file_rate = (file_rate_before + file_rate_after) / 2.0;
    let file_cpu = (file_cpu_before + file_cpu_after) / 2.0;
    println!(
        "file mode, one core (newsflow process --jobs 1, same pages): {file_rate:.0} pages/s ({file_rate_before:.0} before the backlog phase, {file_rate_after:.0} after), {:.2} CPU s per 1000 pages",
        file_cpu * 1000.0 / n as f64
    );
    println!(
        "backlog throughput: {broker_rate:.0} pages/s, {:.1} MB/s (wall time {elapsed:.1} s from ready to last output, 2 cores, broker on the same machine)",
        bytes as f64 / 1e6 / elapsed,
    );
    println!(
        "through the broker / file mode on one core: {:.2}x (goal 1.5x)",
        broker_rate / file_rate
    );
    // Where the wall time goes: the wait for the first output (fetch start-up), the steady rate in the
    // middle of the backlog, and the tail after the 90th percentile output (linger, the reader's fetch).
    let mut produced: Vec<i64> = records.iter().filter_map(|r| r.timestamp).collect();
    produced.sort_unstable();
    if produced.len() == n && n >= 10 {
        let (p10, p90) = (produced[n / 10], produced[n * 9 / 10]);
        let steady = (n * 8 / 10) as f64 / ((p90 - p10).max(1) as f64 / 1000.0);
        println!(
            "first output {} ms after ready; steady rate (10th to 90th percentile output) {steady:.0} pages/s, {:.2}x file mode on one core; last output {} ms after ready, seen {} ms later",
            produced[0] - started_ms,
            steady / file_rate,
            produced[n - 1] - started_ms,
            (started_ms + (elapsed * 1000.0) as i64) - produced[n - 1],
        );
        let deciles: Vec<String> = (0..=10)
            .map(|d| (produced[((n - 1) * d) / 10] - started_ms).to_string())
            .collect();
        println!(
            "outputs at each tenth of the backlog, ms after ready: {}",
            deciles.join(" ")
        );
    }
    // Where the two cores go: CPU seconds per 1000 pages of the worker and of the broker in the backlog
    // phase, against file mode's. Two saturated cores bound the ratio at 2 × file / (worker + broker).
    let per_k = |cpu: f64| cpu * 1000.0 / n as f64;
    let worker_cpu = per_k(worker_after - worker_before);
    let broker_cpu = per_k(broker_after - broker_before);
    let file_per_k = per_k(file_cpu);
    println!(
        "CPU s per 1000 pages: file mode {file_per_k:.2}, worker {worker_cpu:.2} ({:.2}x file mode), broker {broker_cpu:.2} \
         (JIT compilation {:.2}){}; bound with 2 cores: {:.2}x",
        worker_cpu / file_per_k,
        per_k(jit_backlog),
        if broker.is_some() {
            ""
        } else {
            " (broker pid unknown)"
        },
        2.0 * file_per_k / (worker_cpu + broker_cpu)
    );
    println!(
        "cores busy in the backlog phase: worker {:.2}, broker {:.2}",
        worker_cpu * n as f64 / 1000.0 / elapsed,
        broker_cpu * n as f64 / 1000.0 / elapsed
    );

    // Paced phase: latency from input record timestamp to output record timestamp.
    let rate = env_or("BENCH_RATE", (broker_rate * 0.7) as usize).max(1);
    let inputs = pages(paced, n);
    let producer = paced_producer(&topics.brokers);
    let paced_cpu_before = (
        cpu_now(Some(&worker_pid)),
        cpu_now(broker.as_deref()),
        cpu_now(Some("self")),
        jit_now(),
    );
    let processing_before = processing_buckets(&worker);
    let paced_started = Instant::now();
    produce_paced(&producer, &topics.input, partitions, &inputs, rate).await;
    let all = collect(
        &topics.brokers,
        &topics.outputs(),
        Duration::from_secs(300),
        |r| r.len() >= n + paced,
    );
    let paced_elapsed = paced_started.elapsed().as_secs_f64();
    let paced_cpu = (
        cpu_now(Some(&worker_pid)) - paced_cpu_before.0,
        cpu_now(broker.as_deref()) - paced_cpu_before.1,
        cpu_now(Some("self")) - paced_cpu_before.2,
    );
    println!(
        "cores busy in the paced phase: worker {:.2}, broker {:.2}, this benchmark (producer and reader) {:.2}",
        paced_cpu.0 / paced_elapsed,
        paced_cpu.1 / paced_elapsed,
        paced_cpu.2 / paced_elapsed,
    );
    // Against the backlog's: a page that trickles in should cost no more than one taken from a backlog.
    let per_paced = |cpu: f64| cpu * 1000.0 / paced as f64;
    println!(
        "CPU s per 1000 pages in the paced phase: worker {:.2} ({:.2}x the backlog's), broker {:.2} (with the input's produce; JIT compilation {:.2}), this benchmark {:.2}",
        per_paced(paced_cpu.0),
        per_paced(paced_cpu.0) / worker_cpu,
        per_paced(paced_cpu.1),
        per_paced(jit_now() - paced_cpu_before.3),
        per_paced(paced_cpu.2),
    );
    let inputs_read = collect(
        &topics.brokers,
        &[topics.input.as_str()],
        Duration::from_secs(60),
        |r| r.len() >= n + paced,
    );
    let input_ts: std::collections::HashMap<(i64, i64), i64> = inputs_read
        .iter()
        .map(|r: &Record| ((i64::from(r.partition), r.offset), r.timestamp.unwrap_or(0)))
        .collect();
    // (input timestamp, latency) of every paced input.
    let mut timed: Vec<(i64, i64)> = all
        .iter()
        .filter_map(|r| {
            let source = r.source();
            let produced = *input_ts.get(&source)?;
            // Only paced inputs: the backlog's i-th input sits at (i % partitions, i / partitions).
            let (partition, offset) = source;
            let backlog_in_partition = (n as i64 + partitions as i64 - 1 - partition) / partitions as i64;
            (offset >= backlog_in_partition).then(|| (produced, r.timestamp.unwrap_or(0) - produced))
        })
        .collect();
    timed.sort_unstable();
    // Whether latency stays flat through the phase or builds up (the worker falling behind the pace).
    let tenths: Vec<String> = timed
        .chunks(timed.len().div_ceil(10).max(1))
        .map(|chunk| {
            let mut part: Vec<i64> = chunk.iter().map(|(_, l)| *l).collect();
            part.sort_unstable();
            percentile(&part, 0.5).to_string()
        })
        .collect();
    let mut latencies: Vec<i64> = timed.iter().map(|(_, l)| *l).collect();
    latencies.sort_unstable();
    println!(
        "paced {rate} pages/s for {} pages: end-to-end latency p50 {} ms, p99 {} ms, max {} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(-1)
    );
    println!(
        "median latency in each tenth of the paced phase, ms: {}",
        tenths.join(" ")
    );
    // The worker's own measure, newsflow_processing_duration_seconds: from a message received to every
    // output acknowledged (no crawler linger, no time in the broker before the fetch).
    let processing: Vec<(f64, f64)> = processing_buckets(&worker)
        .iter()
        .map(|(le, count)| {
            let before = processing_before
                .iter()
                .find(|(l, _)| l == le)
                .map_or(0.0, |(_, c)| *c);
            (*le, count - before)
        })
        .collect();
    let total = processing.last().map_or(0.0, |(_, c)| *c);
    let within = |limit: f64| {
        processing
            .iter()
            .find(|(le, _)| (*le - limit).abs() < 1e-9)
            .map_or(0.0, |(_, c)| *c)
            / total.max(1.0)
    };
    let p99_bucket = processing
        .iter()
        .find(|(_, c)| *c >= 0.99 * total)
        .map_or(f64::INFINITY, |(le, _)| *le);
    println!(
        "processing latency in the worker (received to every output acknowledged): {:.1} % of {total:.0} paced pages within 250 ms, p99 at most {:.0} ms (histogram bucket)",
        within(0.25) * 100.0,
        p99_bucket * 1000.0
    );
    match worker.peak_rss() {
        Some(rss) => println!("worker peak RSS: {:.1} MB", rss as f64 / 1e6),
        None => println!("worker peak RSS: unavailable"),
    }
    let status = worker.terminate(Duration::from_secs(30)).unwrap();
    assert!(status.success());
    delete_topics(&topics).await;
}

/// A run writes about a gigabyte to the broker (more with warm-up rounds): it leaves none of it behind.
async fn delete_topics(topics: &Topics) {
    for topic in topics.all() {
        delete_topic(&topics.brokers, topic).await;
    }
}
