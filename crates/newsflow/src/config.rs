//! The worker's configuration file: one TOML document, environment overrides, strict keys.

use std::path::Path;

use anyhow::{Context as _, bail};
use pipeline::{InputConfig, Routing, Stage};
use serde::{Deserialize, Serialize};
use telemetry::LogFormat;

/// Prefix of environment overrides: `NEWSFLOW__KAFKA__BOOTSTRAP_SERVERS=...`.
pub const ENV_PREFIX: &str = "NEWSFLOW__";

/// The whole configuration. Every table and key is documented in `config/newsflow.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub pipeline: PipelineSection,
    pub input: InputConfig,
    pub extract: extract::ExtractConfig,
    pub dedup: DedupSection,
    pub lang: lang::LangConfig,
    pub kafka: kafka::KafkaConfig,
    pub telemetry: TelemetrySection,
    /// Deprecated keys found (and honoured), one sentence each: the binary logs them once logs are up.
    #[serde(skip)]
    pub deprecated: Vec<String>,
}

/// Keys renamed when durations became typed (`"45s"`, `"7d"`): the table, the old key, the new key and
/// the unit of the old key's integer value. The old keys are still read, with a warning.
const RENAMED: &[(&[&str], &str, &str, &str)] = &[
    (&["dedup"], "window_secs", "window", "s"),
    (&["dedup", "redis"], "connect_timeout_ms", "connect_timeout", "ms"),
    (&["dedup", "redis"], "command_timeout_ms", "command_timeout", "ms"),
    (&["kafka"], "session_timeout_ms", "session_timeout", "ms"),
    (&["kafka"], "drain_timeout_ms", "drain_timeout", "ms"),
    (&["kafka"], "commit_interval_ms", "commit_interval", "ms"),
    (&["kafka"], "message_timeout_ms", "message_timeout", "ms"),
    (&["kafka"], "linger_ms", "linger", "ms"),
    (&["kafka"], "statistics_interval_ms", "watch_interval", "ms"),
];

/// Rewrites every deprecated key of `doc` as its new key; returns one warning per key rewritten.
fn migrate_renamed(doc: &mut toml::Table) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    for (path, old, new, unit) in RENAMED {
        let mut table = Some(&mut *doc);
        for segment in *path {
            table = table
                .and_then(|t| t.get_mut(*segment))
                .and_then(toml::Value::as_table_mut);
        }
        let Some(table) = table else { continue };
        let Some(value) = table.remove(*old) else {
            continue;
        };
        let name = |key: &str| format!("{}.{key}", path.join("."));
        let Some(number) = value.as_integer().filter(|n| *n >= 0) else {
            bail!("{} must be a whole number of {unit}, got {value}", name(old));
        };
        if table.contains_key(*new) {
            bail!(
                "{} and {} are the same setting: keep {}",
                name(old),
                name(new),
                name(new)
            );
        }
        let duration = format!("{number}{unit}");
        warnings.push(format!(
            "{} is deprecated: write {} = {duration:?}",
            name(old),
            name(new)
        ));
        table.insert((*new).to_owned(), toml::Value::String(duration));
    }
    Ok(warnings)
}

/// `[pipeline]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineSection {
    /// Contiguous run of extract → dedup → lang.
    pub stages: Vec<Stage>,
    /// Messages in flight before partitions are paused.
    pub max_in_flight: usize,
    /// CPU threads for stage work; 0 = one per core.
    pub worker_threads: usize,
    /// Larger input values are dead-lettered as oversized.
    pub max_input_bytes: usize,
}

impl Default for PipelineSection {
    fn default() -> Self {
        PipelineSection {
            stages: vec![Stage::Extract, Stage::Dedup, Stage::Lang],
            max_in_flight: 256,
            worker_threads: 0,
            max_input_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Where dedup state lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// In the worker's memory (one replica).
    #[default]
    Memory,
    /// In Redis, shared by every replica (`[dedup.redis]`).
    Redis,
}

/// `[dedup]`: the store, the routing, and the detector's own parameters in one table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DedupSection {
    /// Where dedup state lives.
    pub store: StoreKind,
    /// Where each outcome goes.
    pub routing: Routing,
    /// The Redis store's connection (used when `store = "redis"`).
    pub redis: redis_store::RedisConfig,
    /// Detector parameters.
    #[serde(flatten)]
    pub params: dedup::DedupConfig,
}

// Written by hand because `#[serde(flatten)]` would accept unknown keys: `store`, `routing` and `redis` are
// taken out, and the rest must be exactly `dedup::DedupConfig`'s keys.
impl<'de> Deserialize<'de> for DedupSection {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut table = toml::Table::deserialize(deserializer)?;
        let store = match table.remove("store") {
            Some(value) => value.try_into().map_err(D::Error::custom)?,
            None => StoreKind::default(),
        };
        let routing = match table.remove("routing") {
            Some(value) => value.try_into().map_err(D::Error::custom)?,
            None => Routing::default(),
        };
        let redis = match table.remove("redis") {
            Some(value) => value.try_into().map_err(D::Error::custom)?,
            None => redis_store::RedisConfig::default(),
        };
        let params = toml::Value::Table(table).try_into().map_err(D::Error::custom)?;
        Ok(DedupSection {
            store,
            routing,
            redis,
            params,
        })
    }
}

/// `[telemetry]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySection {
    /// HTTP address for /metrics, /healthz, /readyz.
    pub listen: String,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// Log filter; `RUST_LOG` overrides it.
    pub log_level: String,
}

impl Default for TelemetrySection {
    fn default() -> Self {
        TelemetrySection {
            listen: "0.0.0.0:9898".to_owned(),
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
        }
    }
}

impl Config {
    /// Reads `path` (or only defaults when `None`), applies environment overrides from `env`, and
    /// validates the result.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let mut doc = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                text.parse::<toml::Table>()
                    .with_context(|| format!("invalid TOML in {}", path.display()))?
            }
            None => toml::Table::new(),
        };
        apply_env(&mut doc, env)?;
        let deprecated = migrate_renamed(&mut doc)?;
        let mut config: Config = toml::Value::Table(doc)
            .try_into()
            .map_err(|err: toml::de::Error| {
                let origin = path.map_or_else(|| "defaults".to_owned(), |p| p.display().to_string());
                anyhow::anyhow!("invalid configuration ({origin}): {}", err.message())
            })?;
        config.deprecated = deprecated;
        config.read_secret_files()?;
        config.validate()?;
        Ok(config)
    }

    /// Replaces every secret given by file with the file's content (its final line break dropped):
    /// `kafka.properties."<secret>.file"` (`sasl.password.file`, `ssl.key.password.file`, ...) and
    /// `dedup.redis.url_file`. Kubernetes Secret volumes work with no secret in the environment.
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        let by_file: Vec<(String, String)> = self
            .kafka
            .properties
            .iter()
            .filter(|(key, _)| key.ends_with(SECRET_FILE_SUFFIX))
            .map(|(key, path)| (key.clone(), path.clone()))
            .collect();
        for (key, path) in by_file {
            let secret = key.trim_end_matches(SECRET_FILE_SUFFIX).to_owned();
            if self.kafka.properties.contains_key(&secret) {
                bail!("kafka.properties.{secret:?} and {key:?} are the same setting: keep one");
            }
            let value = read_secret(&format!("kafka.properties.{key:?}"), Path::new(&path))?;
            self.kafka.properties.remove(&key);
            self.kafka.properties.insert(secret, value);
        }
        if let Some(path) = self.dedup.redis.url_file.take() {
            self.dedup.redis.url = read_secret("dedup.redis.url_file", &path)?;
        }
        if let Some(path) = &self.dedup.redis.tls_ca_file {
            let pem = std::fs::read(path)
                .with_context(|| format!("dedup.redis.tls_ca_file: cannot read {}", path.display()))?;
            self.dedup.redis.tls_ca_pem = Some(pem);
        }
        Ok(())
    }

    /// Cross-field checks.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.kafka.validate()?;
        if self.pipeline.max_in_flight == 0 {
            bail!("pipeline.max_in_flight must be at least 1");
        }
        if self.pipeline.max_input_bytes as u64 > self.kafka.max_message_bytes {
            bail!(
                "pipeline.max_input_bytes ({}) must not exceed kafka.max_message_bytes ({}): rejected inputs are \
                 dead-lettered with their value",
                self.pipeline.max_input_bytes,
                self.kafka.max_message_bytes
            );
        }
        self.pipeline_config("check")?;
        if self.dedup.store == StoreKind::Redis {
            self.dedup.redis.validate()?;
        }
        Ok(())
    }

    /// The pipeline with the configured dedup store. Building it does not connect to Redis: a store that
    /// is down shows up as held-back messages (or `unknown` verdicts when failing open).
    pub fn build_pipeline(&self, version: &str) -> anyhow::Result<pipeline::Pipeline> {
        let config = self.pipeline_config(version)?;
        Ok(match self.dedup.store {
            StoreKind::Memory => pipeline::Pipeline::new(config)?,
            StoreKind::Redis => {
                let store =
                    redis_store::RedisDedup::new(self.dedup.params.clone(), self.dedup.redis.clone())?;
                pipeline::Pipeline::with_decider(config, Box::new(store))?
            }
        })
    }

    /// CPU threads for stage work.
    pub fn worker_threads(&self) -> usize {
        match self.pipeline.worker_threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }

    /// The pipeline's configuration.
    pub fn pipeline_config(&self, version: &str) -> anyhow::Result<pipeline::PipelineConfig> {
        let config = pipeline::PipelineConfig {
            stages: self.pipeline.stages.clone(),
            max_input_bytes: self.pipeline.max_input_bytes,
            input: self.input.clone(),
            extract: self.extract.clone(),
            dedup: self.dedup.params.clone(),
            routing: self.dedup.routing.clone(),
            dedup_fail_open: self.dedup.store == StoreKind::Redis && self.dedup.redis.fail_open,
            lang: self.lang.clone(),
            version: version.to_owned(),
        };
        pipeline::Pipeline::check(&config)?;
        Ok(config)
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn redacted_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        for (key, value) in &mut shown.kafka.properties {
            if kafka::is_secret(key) {
                *value = "<redacted>".to_owned();
            }
        }
        shown.dedup.redis.url = redis_store::redact_url(&shown.dedup.redis.url);
        Ok(toml::to_string_pretty(&shown)?)
    }
}

/// A `kafka.properties` key ending so names a file holding the secret of the key before it.
const SECRET_FILE_SUFFIX: &str = ".file";

/// A secret's file content, its final line break dropped (`echo` and editors add one).
fn read_secret(setting: &str, path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{setting}: cannot read the secret file {}", path.display()))?;
    let secret = text.strip_suffix('\n').unwrap_or(&text);
    let secret = secret.strip_suffix('\r').unwrap_or(secret);
    if secret.is_empty() {
        bail!("{setting}: the secret file {} is empty", path.display());
    }
    Ok(secret.to_owned())
}

/// Applies `NEWSFLOW__TABLE__KEY=value` overrides. Values are parsed as TOML, else taken as strings.
/// Under `kafka.properties` a key's `_` become `.` (librdkafka names use dots).
fn apply_env(doc: &mut toml::Table, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<()> {
    for (name, raw) in env {
        let Some(path) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let mut segments: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
        if segments.iter().any(String::is_empty) || segments.len() < 2 {
            bail!("environment variable {name}: expected {ENV_PREFIX}<TABLE>__<KEY>");
        }
        let property = segments.len() == 3 && segments[0] == "kafka" && segments[1] == "properties";
        if property {
            segments[2] = segments[2].replace('_', ".");
        }
        // librdkafka properties are strings, whatever they look like (`fetch.error.backoff.ms=100`).
        let value = if property {
            toml::Value::String(raw.clone())
        } else {
            parse_env_value(&raw)
        };
        let (last, tables) = segments.split_last().context("empty override path")?;
        let mut table = &mut *doc;
        for segment in tables {
            let entry = table
                .entry(segment.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            table = match entry {
                toml::Value::Table(inner) => inner,
                _ => bail!("environment variable {name}: {segment} is not a table"),
            };
        }
        table.insert(last.clone(), value);
    }
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn config_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
    }

    #[test]
    fn every_file_in_config_loads() {
        let mut loaded = 0;
        for entry in std::fs::read_dir(config_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                Config::load(Some(&path), []).unwrap_or_else(|err| panic!("{}: {err:#}", path.display()));
                loaded += 1;
            }
        }
        assert!(loaded >= 1);
    }

    #[test]
    fn documented_defaults_equal_built_in_defaults() {
        let documented = Config::load(Some(&config_dir().join("newsflow.toml")), []).unwrap();
        let built_in = Config::load(None, []).unwrap();
        assert_eq!(
            toml::to_string(&documented).unwrap(),
            toml::to_string(&built_in).unwrap()
        );
    }

    #[test]
    fn env_overrides_apply_with_types() {
        let config = Config::load(
            None,
            env(&[
                ("NEWSFLOW__KAFKA__BOOTSTRAP_SERVERS", "b1:9092,b2:9092"),
                ("NEWSFLOW__PIPELINE__MAX_IN_FLIGHT", "8"),
                ("NEWSFLOW__PIPELINE__STAGES", r#"["extract"]"#),
                ("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD", "hunter2"),
                ("NEWSFLOW__KAFKA__PROPERTIES__FETCH_ERROR_BACKOFF_MS", "100"),
                ("NEWSFLOW__DEDUP__ROUTING__DUPLICATE", "drop"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(config.kafka.bootstrap_servers, "b1:9092,b2:9092");
        assert_eq!(config.pipeline.max_in_flight, 8);
        assert_eq!(config.pipeline.stages, vec![Stage::Extract]);
        assert_eq!(config.dedup.routing.duplicate, pipeline::Route::Drop);
        assert_eq!(
            config.kafka.properties.get("sasl.password").map(String::as_str),
            Some("hunter2")
        );
        assert_eq!(
            config
                .kafka
                .properties
                .get("fetch.error.backoff.ms")
                .map(String::as_str),
            Some("100"),
            "a number under kafka.properties is a string"
        );
        let shown = config.redacted_toml().unwrap();
        assert!(
            !shown.contains("hunter2") && shown.contains("<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn secrets_are_read_from_files() {
        let dir = std::env::temp_dir().join(format!("newsflow-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        };
        let password = write("password", "hunter2\n");
        let user = write("user", "newsflow");
        let url = write("url", "redis://newsflow:hunter3@10.0.0.5:6379/2\r\n");
        let empty = write("empty", "\n");
        let config = Config::load(
            None,
            env(&[
                ("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD_FILE", &password),
                ("NEWSFLOW__KAFKA__PROPERTIES__SASL_USERNAME_FILE", &user),
                ("NEWSFLOW__DEDUP__STORE", "redis"),
                ("NEWSFLOW__DEDUP__REDIS__URL_FILE", &url),
            ]),
        )
        .unwrap();
        assert_eq!(
            config.kafka.properties.get("sasl.password").map(String::as_str),
            Some("hunter2")
        );
        assert!(!config.kafka.properties.contains_key("sasl.password.file"));
        assert_eq!(
            config.kafka.properties.get("sasl.username").map(String::as_str),
            Some("newsflow")
        );
        assert_eq!(config.dedup.redis.url, "redis://newsflow:hunter3@10.0.0.5:6379/2");
        let shown = config.redacted_toml().unwrap();
        assert!(
            !shown.contains("hunter2") && !shown.contains("hunter3") && !shown.contains("url_file"),
            "{shown}"
        );
        // Each mistake is named: a missing or empty file, a non-secret by file, a secret given twice.
        let fails = |vars: &[(&str, &str)], expected: &str| {
            let err = format!("{:#}", Config::load(None, env(vars)).unwrap_err());
            assert!(err.contains(expected), "{err}");
        };
        let missing = dir.join("missing").display().to_string();
        fails(
            &[("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD_FILE", &missing)],
            "kafka.properties.\"sasl.password.file\": cannot read the secret file",
        );
        fails(
            &[("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD_FILE", &empty)],
            "is empty",
        );
        fails(
            &[
                ("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD_FILE", &password),
                ("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD", "x"),
            ],
            "are the same setting",
        );
        fails(
            &[("NEWSFLOW__DEDUP__REDIS__URL_FILE", &missing)],
            "dedup.redis.url_file: cannot read the secret file",
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn redis_store_from_env() {
        let config = Config::load(
            None,
            env(&[
                ("NEWSFLOW__DEDUP__STORE", "redis"),
                ("NEWSFLOW__DEDUP__REDIS__URL", "redis://:hunter2@10.0.0.5:6379/2"),
                ("NEWSFLOW__DEDUP__REDIS__FAIL_OPEN", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(config.dedup.store, StoreKind::Redis);
        assert!(config.pipeline_config("t").unwrap().dedup_fail_open);
        let shown = config.redacted_toml().unwrap();
        assert!(
            !shown.contains("hunter2") && shown.contains("redis://:<redacted>@10.0.0.5:6379/2"),
            "{shown}"
        );
        let pipeline = config.build_pipeline("t").unwrap();
        assert_eq!(pipeline.dedup_store(), "redis");
        // fail_open only applies to the Redis store.
        let memory = Config::load(None, env(&[("NEWSFLOW__DEDUP__REDIS__FAIL_OPEN", "true")])).unwrap();
        assert!(!memory.pipeline_config("t").unwrap().dedup_fail_open);
        assert_eq!(memory.build_pipeline("t").unwrap().dedup_store(), "memory");
    }

    #[test]
    fn deprecated_duration_keys_are_read_with_a_warning() {
        let config = Config::load(
            None,
            env(&[
                ("NEWSFLOW__DEDUP__WINDOW_SECS", "3600"),
                ("NEWSFLOW__DEDUP__REDIS__CONNECT_TIMEOUT_MS", "250"),
            ]),
        )
        .unwrap();
        assert_eq!(config.dedup.params.window, std::time::Duration::from_secs(3600));
        assert_eq!(
            config.dedup.redis.connect_timeout,
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            config.deprecated,
            [
                "dedup.window_secs is deprecated: write dedup.window = \"3600s\"",
                "dedup.redis.connect_timeout_ms is deprecated: write dedup.redis.connect_timeout = \"250ms\"",
            ]
        );
        let current = Config::load(None, env(&[("NEWSFLOW__DEDUP__WINDOW", "\"36h\"")])).unwrap();
        assert_eq!(
            current.dedup.params.window,
            std::time::Duration::from_secs(36 * 3600)
        );
        assert!(current.deprecated.is_empty());
    }

    #[track_caller]
    fn check_rejected(toml_text: &str, env_pairs: &[(&str, &str)], expected: &str) {
        let dir = std::env::temp_dir().join(format!("newsflow-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.toml", toml_text.len() * 31 + env_pairs.len()));
        std::fs::write(&path, toml_text).unwrap();
        let err = Config::load(Some(&path), env(env_pairs)).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }

    #[test]
    fn unknown_and_invalid_keys_are_rejected_clearly() {
        check_rejected(
            "[kafka]\nbootstrap_server = \"x\"\n",
            &[],
            "unknown field `bootstrap_server`",
        );
        check_rejected("[pipline]\n", &[], "unknown field `pipline`");
        check_rejected(
            "[dedup]\njacard_threshold = 0.5\n",
            &[],
            "unknown field `jacard_threshold`",
        );
        check_rejected(
            "[dedup.routing]\nunique = \"nowhere\"\n",
            &[],
            "unknown variant `nowhere`",
        );
        check_rejected("", &[("NEWSFLOW__KAFKA__NOPE", "1")], "unknown field `nope`");
        check_rejected(
            "[pipeline]\nstages = [\"lang\", \"extract\"]\n",
            &[],
            "contiguous run",
        );
        check_rejected(
            "[kafka]\ndrain_timeout = \"60s\"\n",
            &[],
            "must be less than kafka.session_timeout",
        );
        check_rejected(
            "[dedup]\nstore = \"redis\"\n[dedup.redis]\nurl = \"http://x\"\n",
            &[],
            "must start with redis://",
        );
        check_rejected("[dedup.redis]\nulr = \"redis://x\"\n", &[], "unknown field `ulr`");
        check_rejected(
            "[dedup]\nwindow_secs = 60\nwindow = \"1m\"\n",
            &[],
            "dedup.window_secs and dedup.window are the same setting",
        );
        check_rejected(
            "[dedup]\nwindow_secs = \"a week\"\n",
            &[],
            "must be a whole number of s",
        );
        check_rejected("[dedup]\nwindow = \"a week\"\n", &[], "window");
        check_rejected(
            "[kafka]\ncompression = \"brotli\"\n",
            &[],
            "unknown variant `brotli`",
        );
        check_rejected(
            "[kafka]\nauto_offset_reset = \"smallest\"\n",
            &[],
            "unknown variant `smallest`",
        );
        check_rejected(
            "[dedup]\nstore = \"postgres\"\n",
            &[],
            "unknown variant `postgres`",
        );
    }
}
