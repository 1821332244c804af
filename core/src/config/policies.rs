//! The `policies` table: names read once (a name repeated in a JSON
//! document is refused, not overwritten), and each entry loaded into a
//! [`Policy`].

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::de::{Deserializer, MapAccess, Visitor};

use super::text::hex_bytes;
use super::{ConfigError, PolicyConfig, Text};
use crate::appraisal::{Policy, PolicyDocument, PolicyError, Preset};
use crate::error::Error;

/// Deserialises `policies`, refusing a name that appears twice (serde's
/// maps keep the last value silently; TOML refuses repeats itself).
pub(super) fn unique_names<'de, D>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, PolicyConfig>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Names;

    impl<'de> Visitor<'de> for Names {
        type Value = BTreeMap<String, PolicyConfig>;

        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a table of policies by name")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((name, policy)) = map.next_entry::<String, PolicyConfig>()? {
                if out.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "policy name {name:?} appears twice"
                    )));
                }
                out.insert(name, policy);
            }
            Ok(out)
        }
    }

    struct Optional;

    impl<'de> Visitor<'de> for Optional {
        type Value = Option<BTreeMap<String, PolicyConfig>>;

        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a table of policies by name, or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_map(Names).map(Some)
        }
    }

    deserializer.deserialize_option(Optional)
}

/// Loads one named policy.
pub(super) fn load(name: &str, config: &PolicyConfig) -> Result<Policy, Error> {
    let field = format!("policies.{name}");
    let PolicyConfig {
        preset,
        json,
        toml,
        file,
        app_signers,
    } = config;
    let signers = match app_signers {
        None => Vec::new(),
        Some(list) if list.is_empty() => {
            return Err(ConfigError::empty(format!("{field}.app-signers")).into())
        }
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let item = format!("{field}.app-signers[{i}]");
                Ok(hex_bytes(&item, s.checked(&item)?)?)
            })
            .collect::<Result<Vec<_>, Error>>()?,
    };
    let given = [
        preset.as_ref().map(|t| ("preset", t)),
        json.as_ref().map(|t| ("json", t)),
        toml.as_ref().map(|t| ("toml", t)),
        file.as_ref().map(|t| ("file", t)),
    ];
    let mut given = given.into_iter().flatten();
    let (kind, text) = match (given.next(), given.next()) {
        (Some(one), None) => one,
        _ => {
            return Err(
                ConfigError::bad(field, "give exactly one of preset, json, toml and file").into(),
            )
        }
    };
    let text = text.checked(&format!("{field}.{kind}"))?;
    let mut doc = match kind {
        "preset" => {
            if Preset::from_name(text).is_none() {
                return Err(PolicyError::UnknownPreset {
                    name: text.to_string(),
                }
                .into());
            }
            PolicyDocument {
                extends: Some(text.to_string()),
                ..PolicyDocument::default()
            }
        }
        "json" => PolicyDocument::from_json(text.as_bytes())?,
        #[cfg(feature = "toml")]
        "toml" => PolicyDocument::from_toml(text)?,
        #[cfg(not(feature = "toml"))]
        "toml" => {
            return Err(ConfigError::unavailable(
                format!("{field}.toml"),
                "TOML policies need the toml feature",
            )
            .into())
        }
        _ => return Err(unresolved(&format!("{field}.file")).into()),
    };
    doc.bind_app_signers(&signers);
    Ok(Policy::from_document(doc)?)
}

/// A `{ file = … }` entry that reached the build: only the file loader
/// reads files.
pub(super) fn unresolved(field: &str) -> ConfigError {
    ConfigError::unavailable(
        field,
        "a file reference, which only the configuration file loader reads \
         (VerifierConfig::load or resolve_files); give the data inline here",
    )
}

/// The default policy's name: as configured (it must exist), else the only
/// policy, else none.
pub(super) fn default_name<'a>(
    default: Option<&'a Text>,
    names: &'a BTreeMap<String, PolicyConfig>,
) -> Result<Option<&'a str>, ConfigError> {
    match default {
        Some(name) => {
            let name = name.checked("default-policy")?;
            if !names.contains_key(name) {
                return Err(ConfigError::UnknownPolicy {
                    name: name.to_string(),
                });
            }
            Ok(Some(name))
        }
        None if names.len() == 1 => Ok(names.keys().next().map(String::as_str)),
        None => Ok(None),
    }
}
