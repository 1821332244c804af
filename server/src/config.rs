//! The service's configuration file: a `[verifier]` table — exactly a
//! `VerifierConfig` (docs/configuration.md), with its `{ file = … }` entries
//! read relative to this file — and a `[server]` table for the service
//! itself. Both are checked in full before anything is served or swapped
//! in, so a reload either takes a whole new configuration or keeps the old.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mtattest::config::{ConfigError, VerifierConfig, MAX_CONFIG_SIZE};
use mtattest::verifier::Verifier;
use serde::Deserialize;

use crate::ear_jwt::EarKeys;

type Result<T> = std::result::Result<T, mtattest::Error>;

/// Where sessions, challenges and replay identifiers are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// In this process (the default): one instance.
    Memory,
    /// A Redis server (`redis://host:port/db`), shared by every instance.
    Redis(String),
}

/// The `[server]` table, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ServerSection {
    listen: Option<String>,
    store: Option<String>,
    store_prefix: Option<String>,
    store_timeout_ms: Option<u64>,
    session_lifetime_secs: Option<u64>,
    challenge_lifetime_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    reload_interval_secs: Option<u64>,
    replay_clock_margin_secs: Option<u64>,
    ear: Option<EarSection>,
}

/// The `[server.ear]` table, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct EarSection {
    signing_key: Option<String>,
    kid: Option<String>,
    previous_keys: Option<Vec<String>>,
}

/// The service settings, checked, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The address to listen on (`listen`, default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// The store (`store`, default `memory`).
    pub store: StoreChoice,
    /// The prefix of every Redis key (`store-prefix`, default `mtattest`).
    pub store_prefix: String,
    /// How long a store operation may take before the request is answered
    /// 503 (`store-timeout-ms`, default 1000).
    pub store_timeout: Duration,
    /// How long a session lives (`session-lifetime-secs`, default 150, as
    /// Veraison's).
    pub session_lifetime: Duration,
    /// How long a native challenge stays usable (`challenge-lifetime-secs`,
    /// default 150).
    pub challenge_lifetime: Duration,
    /// How long a request may take in all (`request-timeout-secs`,
    /// default 10).
    pub request_timeout: Duration,
    /// How often the configuration's files are checked for changes
    /// (`reload-interval-secs`, default 5; 0: only on SIGHUP).
    pub reload_interval: Duration,
    /// The shared replay store's margin for a clock behind the store's
    /// (`replay-clock-margin-secs`, default 60; spec §11.2.2).
    pub replay_clock_margin: Duration,
}

/// What the files said, read but not yet built: compared on reload so an
/// unchanged configuration is not rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    settings: Settings,
    verifier: VerifierConfig,
    ear_signing_pem: String,
    ear_kid: Option<String>,
    ear_previous_pems: Vec<String>,
}

/// A configuration ready to serve: the settings, the verifier (without a
/// replay cache of its own: the store is the replay cache) and the EAR keys.
pub struct Loaded {
    /// The source it was built from.
    pub source: Source,
    /// The verifier.
    pub verifier: Verifier,
    /// The EAR signing keys.
    pub ear: EarKeys,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("settings", &self.source.settings)
            .field("verifier", &self.verifier)
            .field("ear", &self.ear)
            .finish()
    }
}

impl Loaded {
    /// The service settings.
    pub fn settings(&self) -> &Settings {
        &self.source.settings
    }

    /// The verifier's configuration, as read.
    pub fn source_verifier_config(&self) -> &VerifierConfig {
        &self.source.verifier
    }

    /// The largest token the verifier takes, in bytes: the request body
    /// limit.
    pub fn max_token_size(&self) -> usize {
        self.source
            .verifier
            .limits
            .as_ref()
            .and_then(|l| l.max_token_size)
            .unwrap_or(mtattest::Limits::default().max_token_size)
    }
}

fn bad(field: &str, reason: impl Into<String>) -> mtattest::Error {
    ConfigError::BadValue {
        field: field.to_string(),
        reason: reason.into(),
    }
    .into()
}

fn syntax(reason: impl Into<String>) -> mtattest::Error {
    ConfigError::Syntax {
        reason: reason.into(),
    }
    .into()
}

fn read_file(field: &str, path: &Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let unreadable = |reason: String| -> mtattest::Error {
        ConfigError::Unreadable {
            field: field.to_string(),
            path: path.display().to_string(),
            reason,
        }
        .into()
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_SIZE as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(e.kind().to_string()))?;
    if bytes.len() > MAX_CONFIG_SIZE {
        return Err(unreadable(format!(
            "larger than the limit of {MAX_CONFIG_SIZE} bytes"
        )));
    }
    Ok(bytes)
}

fn read_text(field: &str, path: &Path) -> Result<String> {
    let bytes = read_file(field, path)?;
    let text = String::from_utf8(bytes).map_err(|_| bad(field, "not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(ConfigError::Empty {
            field: field.to_string(),
        }
        .into());
    }
    Ok(text)
}

fn non_empty(field: &str, value: Option<&String>) -> Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(ConfigError::Empty {
            field: field.to_string(),
        }
        .into()),
        Some(v) => Ok(Some(v.clone())),
        None => Ok(None),
    }
}

/// A duration member: at least 1 (at least 0 where `zero_ok`) and at most
/// `max`.
fn duration(
    field: &str,
    value: Option<u64>,
    default: u64,
    max: u64,
    zero_ok: bool,
    unit: fn(u64) -> Duration,
) -> Result<Duration> {
    let v = value.unwrap_or(default);
    if (v == 0 && !zero_ok) || v > max {
        let least = if zero_ok { 0 } else { 1 };
        return Err(bad(field, format!("{v} is outside {least}..={max}")));
    }
    Ok(unit(v))
}

impl Settings {
    fn check(section: &ServerSection) -> Result<Settings> {
        let listen = non_empty("server.listen", section.listen.as_ref())?
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let listen: SocketAddr = listen.parse().map_err(|_| {
            bad(
                "server.listen",
                format!("{listen:?} is not an IP address and port"),
            )
        })?;
        let store = match non_empty("server.store", section.store.as_ref())?.as_deref() {
            None | Some("memory") => StoreChoice::Memory,
            Some(url) if url.starts_with("redis://") => {
                redis::Client::open(url).map_err(|e| bad("server.store", format!("{url}: {e}")))?;
                StoreChoice::Redis(url.to_string())
            }
            Some(other) => {
                return Err(bad(
                    "server.store",
                    format!("{other:?}: the store is \"memory\" or a redis:// URL"),
                ))
            }
        };
        let store_prefix = non_empty("server.store-prefix", section.store_prefix.as_ref())?
            .unwrap_or_else(|| "mtattest".to_string());
        if !store_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        {
            return Err(bad(
                "server.store-prefix",
                "letters, digits and - _ . : only (no braces: they are Redis Cluster hash tags)",
            ));
        }
        let secs = Duration::from_secs;
        let day = 86_400;
        Ok(Settings {
            listen,
            store,
            store_prefix,
            store_timeout: duration(
                "server.store-timeout-ms",
                section.store_timeout_ms,
                1000,
                60_000,
                false,
                Duration::from_millis,
            )?,
            session_lifetime: duration(
                "server.session-lifetime-secs",
                section.session_lifetime_secs,
                150,
                day,
                false,
                secs,
            )?,
            challenge_lifetime: duration(
                "server.challenge-lifetime-secs",
                section.challenge_lifetime_secs,
                150,
                day,
                false,
                secs,
            )?,
            request_timeout: duration(
                "server.request-timeout-secs",
                section.request_timeout_secs,
                10,
                600,
                false,
                secs,
            )?,
            reload_interval: duration(
                "server.reload-interval-secs",
                section.reload_interval_secs,
                5,
                day,
                true,
                secs,
            )?,
            replay_clock_margin: duration(
                "server.replay-clock-margin-secs",
                section.replay_clock_margin_secs,
                60,
                day,
                true,
                secs,
            )?,
        })
    }
}

impl Source {
    /// Reads the configuration file at `path` and every file it names.
    pub fn read(path: &Path) -> Result<Source> {
        let text = read_text("configuration", path)?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| syntax(e.to_string()))?;
        let server = table.remove("server");
        let verifier = table.remove("verifier");
        if let Some(unknown) = table.keys().next() {
            return Err(syntax(format!(
                "unknown table or member {unknown:?}: a server configuration has [server] and [verifier]"
            )));
        }
        let server: ServerSection = match server {
            Some(v) => v
                .try_into()
                .map_err(|e: toml::de::Error| syntax(format!("[server]: {}", e.message())))?,
            None => ServerSection::default(),
        };
        let verifier = match verifier {
            Some(toml::Value::Table(t)) => {
                let text = toml::to_string(&t).map_err(|e| syntax(format!("[verifier]: {e}")))?;
                let mut config = VerifierConfig::from_toml(&text)?;
                config.resolve_files(base)?;
                config
            }
            Some(_) => return Err(syntax("verifier is a table ([verifier])")),
            None => return Err(ConfigError::NoAnchors.into()),
        };
        let settings = Settings::check(&server)?;
        let ear = server.ear.unwrap_or_default();
        let key_file =
            non_empty("server.ear.signing-key", ear.signing_key.as_ref())?.ok_or_else(|| {
                bad(
                    "server.ear.signing-key",
                    "missing: the results are signed, so a signing key is required",
                )
            })?;
        let ear_signing_pem = read_text("server.ear.signing-key", &base.join(key_file))?;
        let mut ear_previous_pems = Vec::new();
        for (i, file) in ear.previous_keys.iter().flatten().enumerate() {
            let field = format!("server.ear.previous-keys[{i}]");
            let file = non_empty(&field, Some(file))?.unwrap_or_default();
            ear_previous_pems.push(read_text(&field, &base.join(file))?);
        }
        Ok(Source {
            settings,
            verifier,
            ear_signing_pem,
            ear_kid: ear.kid,
            ear_previous_pems,
        })
    }

    /// The service settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Builds everything: the verifier and the EAR keys.
    pub fn build(self) -> Result<Loaded> {
        let verifier = self.verifier.builder()?.without_replay_cache().build();
        let ear = EarKeys::from_pem(
            &self.ear_signing_pem,
            self.ear_kid.as_deref(),
            &self.ear_previous_pems,
        )?;
        Ok(Loaded {
            source: self,
            verifier,
            ear,
        })
    }
}

/// Reads and builds the configuration at `path`.
pub fn load(path: &Path) -> Result<Loaded> {
    Source::read(path)?.build()
}

/// The settings that only a restart changes.
pub fn restart_only_differences(old: &Settings, new: &Settings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.listen != new.listen {
        changed.push("server.listen");
    }
    if old.store != new.store {
        changed.push("server.store");
    }
    if old.store_prefix != new.store_prefix {
        changed.push("server.store-prefix");
    }
    if old.store_timeout != new.store_timeout {
        changed.push("server.store-timeout-ms");
    }
    changed
}

/// The path of a configuration file as given on the command line.
pub fn config_path(arg: &str) -> PathBuf {
    PathBuf::from(arg)
}
