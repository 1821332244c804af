//! The `std` loader: a configuration file whose entries may name files
//! (`{ file = "roots.pem" }`), read relative to the configuration file and
//! replaced by their data. A server calls it again to reload.

use std::format;
use std::io::Read as _;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use super::{ConfigError, DerSource, JsonSource, PolicyConfig, Text, VerifierConfig};
use crate::error::Error;

/// Largest file a configuration may name, in bytes (the configuration's
/// own limit: everything it names is part of it).
const MAX_FILE: u64 = super::MAX_CONFIG_SIZE as u64;

impl VerifierConfig {
    /// Reads the configuration file at `path` — TOML if it ends in `.toml`,
    /// JSON if in `.json` — and reads every file it names, relative to its
    /// own directory. The result holds data only; [`build`](Self::build)
    /// checks it.
    pub fn load(path: &Path) -> Result<VerifierConfig, Error> {
        let bytes = read("configuration", path, &path.display().to_string())?;
        let mut config = match extension(path).as_deref() {
            Some("json") => VerifierConfig::from_json(&bytes)?,
            #[cfg(feature = "toml")]
            Some("toml") => VerifierConfig::from_toml(&utf8(&path.display().to_string(), bytes)?)?,
            #[cfg(not(feature = "toml"))]
            Some("toml") => {
                return Err(ConfigError::unavailable(
                    path.display().to_string(),
                    "TOML configurations need the toml feature",
                )
                .into())
            }
            _ => {
                return Err(ConfigError::bad(
                    path.display().to_string(),
                    "a configuration file ends in .toml or .json",
                )
                .into())
            }
        };
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        config.resolve_files(base)?;
        Ok(config)
    }

    /// Replaces every `{ file = … }` entry (anchors, CRLs, status list,
    /// bulletins, policies) by the file's contents, reading a relative path
    /// against `base`: PEM files become `pem` text and other files `der`
    /// hex; JSON documents `json`; policy files `json` or `toml` by their
    /// extension. A file that is empty or only whitespace is `config.empty`,
    /// one that cannot be read `config.unreadable`.
    pub fn resolve_files(&mut self, base: &Path) -> Result<(), Error> {
        let android_anchors = self.android.as_mut().map(|a| &mut a.anchors);
        let lists = [
            (Some(&mut self.anchors), "anchors"),
            (Some(&mut self.crls), "crls"),
            (android_anchors, "android.anchors"),
        ];
        for (list, name) in lists {
            let Some(list) = list else { continue };
            for (i, source) in list.iter_mut().flatten().enumerate() {
                if let DerSource::File(file) = source {
                    *source = der_file(&format!("{name}[{i}].file"), base, file)?;
                }
            }
        }
        for (doc, name) in [
            (&mut self.status_list, "status-list"),
            (&mut self.bulletins, "bulletins"),
        ] {
            if let Some(JsonSource::File(file)) = doc {
                let field = format!("{name}.file");
                *doc = Some(JsonSource::Json(text_file(&field, base, file)?.into()));
            }
        }
        for (name, policy) in self.policies.iter_mut().flatten() {
            // With another source besides, the entry is left for the build
            // to refuse (exactly one source).
            let only_file =
                policy.preset.is_none() && policy.json.is_none() && policy.toml.is_none();
            if let (Some(file), true) = (&policy.file, only_file) {
                let field = format!("policies.{name}.file");
                *policy = policy_file(&field, base, file, policy)?;
            }
        }
        Ok(())
    }
}

fn der_file(field: &str, base: &Path, file: &Text) -> Result<DerSource, Error> {
    let (shown, bytes) = read_named(field, base, file)?;
    if crate::encoding::is_pem(&bytes) {
        return Ok(DerSource::Pem(utf8(&shown, bytes)?.into()));
    }
    Ok(DerSource::der(&bytes))
}

fn text_file(field: &str, base: &Path, file: &Text) -> Result<String, Error> {
    let (shown, bytes) = read_named(field, base, file)?;
    utf8(&shown, bytes)
}

fn policy_file(
    field: &str,
    base: &Path,
    file: &Text,
    policy: &PolicyConfig,
) -> Result<PolicyConfig, Error> {
    let name = file.checked(field)?;
    let text = text_file(field, base, file)?.into();
    let mut resolved = PolicyConfig {
        file: None,
        ..policy.clone()
    };
    match extension(Path::new(name)).as_deref() {
        Some("json") => resolved.json = Some(text),
        Some("toml") => resolved.toml = Some(text),
        _ => {
            return Err(ConfigError::bad(
                field,
                format!("{name}: a policy file ends in .json or .toml"),
            )
            .into())
        }
    }
    Ok(resolved)
}

/// Reads the file named by `file` (relative to `base`); refuses a name or
/// a file that is empty or only whitespace.
fn read_named(field: &str, base: &Path, file: &Text) -> Result<(String, Vec<u8>), Error> {
    let name = file.checked(field)?;
    let bytes = read(field, &base.join(name), name)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ConfigError::empty(format!("{field} {name}")).into());
    }
    Ok((name.to_string(), bytes))
}

fn read(field: &str, path: &Path, shown: &str) -> Result<Vec<u8>, Error> {
    let unreadable = |reason: String| ConfigError::Unreadable {
        field: field.to_string(),
        path: shown.to_string(),
        reason,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(unreadable(format!("larger than the limit of {MAX_FILE} bytes")).into());
    }
    Ok(bytes)
}

fn utf8(shown: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
        ConfigError::bad(
            shown,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .into()
    })
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            // "Is a directory (os error 21)": keep the words.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}
