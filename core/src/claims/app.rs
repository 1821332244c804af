//! The `app` layer: the calling application.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{part, Layer, Scope};
use super::types::{Digest, EvidenceSource};
use super::unknown::{UnknownClaim, UnknownClaims};
use super::MeasurementResults;
use crate::error::ClaimsError;

code_enum! {
    /// Where the app was installed from.
    pub enum Installer {
        /// The platform's main store (e.g. Google Play).
        Store = 0 => "store",
        /// The device maker's store.
        OemStore = 1 => "oem-store",
        /// Sideloaded (any other installer).
        Sideload = 2 => "sideload",
        /// Not known.
        Unknown = 3 => "unknown",
    }
}

/// Counts of sensitive-API calls that privacy-compliance control flagged in
/// the 24 hours before `iat`: `{? 1: out-of-scope, ? 2: over-frequency,
/// ? 3: background, * uint => uint}`.
///
/// An absent counter means "not monitored", never zero. Counters of later
/// revisions (other keys) are kept and reported as unknown claims.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PrivacyEvents {
    /// Calls outside the purpose or permission scope the app declared (key 1).
    pub out_of_scope: Option<u64>,
    /// Calls above the declared or regulatory frequency (key 2).
    pub over_frequency: Option<u64>,
    /// Calls made while the app was not in the foreground (key 3).
    pub background: Option<u64>,
    other: BTreeMap<u64, u64>,
}

impl PrivacyEvents {
    /// No counters (nothing monitored).
    pub fn new() -> Self {
        Self::default()
    }

    /// All three counters of this revision.
    pub fn counts(out_of_scope: u64, over_frequency: u64, background: u64) -> Self {
        PrivacyEvents {
            out_of_scope: Some(out_of_scope),
            over_frequency: Some(over_frequency),
            background: Some(background),
            other: BTreeMap::new(),
        }
    }

    /// Counters this revision does not define, by key.
    pub fn other(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.other.iter().map(|(k, v)| (*k, *v))
    }

    /// Sets a counter this revision does not define, returning the count it
    /// replaces; fails for keys 1..=3 (set the fields instead).
    pub fn insert_other(&mut self, key: u64, count: u64) -> Result<Option<u64>, ClaimsError> {
        if (1..=3).contains(&key) {
            return Err(ClaimsError::InvalidValue {
                path: format!("privacy-events.{key}"),
                reason: "is defined by the profile; set the field instead".into(),
            });
        }
        Ok(self.other.insert(key, count))
    }

    fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let mut events = PrivacyEvents::new();
        for (k, v) in de::map(value, path)? {
            let Value::Integer(signed) = k else {
                return Err(de::wrong_type(path, "a map of uint => uint"));
            };
            // The right type but outside the key space (spec §6.8): the
            // counters' keys are unsigned, a later revision cannot add a
            // negative one.
            let key = u64::try_from(i128::from(*signed)).map_err(|_| {
                de::invalid(
                    &path.field(&format!("{}", i128::from(*signed))),
                    "a counter key is an unsigned integer",
                )
            })?;
            let (slot, name) = match key {
                1 => (&mut events.out_of_scope, part::OUT_OF_SCOPE),
                2 => (&mut events.over_frequency, part::OVER_FREQUENCY),
                3 => (&mut events.background, part::BACKGROUND),
                _ => {
                    let key_text = format!("{key}");
                    let p = path.field(&key_text);
                    let count = de::uint(v, &p)?;
                    if events.other.insert(key, count).is_some() {
                        return Err(de::invalid(&p, "duplicate counter"));
                    }
                    continue;
                }
            };
            let p = path.field(name);
            de::put(slot, de::uint(v, &p)?, &p)?;
        }
        Ok(events)
    }

    fn to_value(&self) -> Value {
        let mut m = Vec::new();
        let known = [
            (1u64, self.out_of_scope),
            (2, self.over_frequency),
            (3, self.background),
        ];
        for (key, count) in known {
            if let Some(count) = count {
                m.push((Value::Integer(key.into()), Value::Integer(count.into())));
            }
        }
        for (key, count) in &self.other {
            m.push((
                Value::Integer((*key).into()),
                Value::Integer((*count).into()),
            ));
        }
        super::sorted_map(m)
    }

    fn report(&self, out: &mut Vec<UnknownClaim>) {
        let scope = Scope::Layer(Layer::App);
        for (key, count) in &self.other {
            out.push(UnknownClaim {
                scope,
                path: format!("{}.privacy-events.{key}", scope.path()),
                value: Value::Integer((*count).into()),
            });
        }
    }
}

/// The `app` layer: the calling application.
#[derive(Clone, Debug, PartialEq)]
pub struct AppLayer {
    /// Where these values come from (required).
    pub evidence_source: EvidenceSource,
    /// Package / bundle identifier.
    pub app_id: Option<String>,
    /// Version code.
    pub app_version: Option<u64>,
    /// Digests of the signer certificates (compare them as a set); empty
    /// means absent.
    pub app_signers: Vec<Digest>,
    /// Installer source.
    pub installer: Option<Installer>,
    /// Sensitive-API privacy events.
    pub privacy_events: Option<PrivacyEvents>,
    /// `measres` (274): detection results (e.g. `app-integrity`); empty means
    /// absent.
    pub measres: MeasurementResults,
    unknown: UnknownClaims,
}

/// Builds an [`AppLayer`]; start with [`AppLayer::builder`].
#[derive(Clone, Debug)]
pub struct AppLayerBuilder {
    layer: AppLayer,
}

layer_common!(AppLayer, AppLayerBuilder, Layer::App);
layer_detections!(AppLayer, AppLayerBuilder, Layer::App);

impl AppLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        AppLayer {
            evidence_source,
            app_id: None,
            app_version: None,
            app_signers: Vec::new(),
            installer: None,
            privacy_events: None,
            measres: MeasurementResults::new(),
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
        self.report_measres(out);
        if let Some(events) = &self.privacy_events {
            events.report(out);
        }
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::App);
        let mut evidence_source = None;
        let mut layer = AppLayer::new(EvidenceSource::Software);
        let mut signers = None;
        let mut measres = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            let l = &mut layer;
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::APP_ID => de::put(&mut l.app_id, de::text(v, &p)?.into(), &p)?,
                keys::APP_VERSION => de::put(&mut l.app_version, de::uint(v, &p)?, &p)?,
                keys::APP_SIGNERS => {
                    let list = de::nonempty_array(v, &p)?
                        .iter()
                        .enumerate()
                        .map(|(i, s)| Digest::decode(s, &p.index(i)))
                        .collect::<Result<Vec<_>, _>>()?;
                    de::put(&mut signers, list, &p)?
                }
                keys::INSTALLER => de::put(&mut l.installer, de::code(v, &p)?, &p)?,
                keys::PRIVACY_EVENTS => {
                    de::put(&mut l.privacy_events, PrivacyEvents::decode(v, &p)?, &p)?
                }
                keys::MEASRES => de::put(&mut measres, MeasurementResults::decode(v, &p)?, &p)?,
                _ => l.unknown.insert_decoded(key, v, path)?,
            }
        }
        layer.evidence_source =
            evidence_source.ok_or_else(|| de::missing(&path.field("evidence-source")))?;
        layer.app_signers = signers.unwrap_or_default();
        layer.measres = measres.unwrap_or_default();
        Ok(layer)
    }

    /// Encodes this layer as a claims-set map.
    pub fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::Integer(keys::EVIDENCE_SOURCE.into()),
            de::code_value(self.evidence_source),
        )];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = &self.app_id {
            put(keys::APP_ID, Value::Text(x.clone()));
        }
        if let Some(x) = self.app_version {
            put(keys::APP_VERSION, Value::Integer(x.into()));
        }
        if !self.app_signers.is_empty() {
            put(
                keys::APP_SIGNERS,
                Value::Array(self.app_signers.iter().map(Digest::to_value).collect()),
            );
        }
        if let Some(x) = self.installer {
            put(keys::INSTALLER, de::code_value(x));
        }
        if let Some(x) = &self.privacy_events {
            put(keys::PRIVACY_EVENTS, x.to_value());
        }
        if !self.measres.is_empty() {
            put(keys::MEASRES, self.measres.to_value());
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl AppLayerBuilder {
    /// Sets the package / bundle identifier.
    pub fn app_id(mut self, id: impl Into<String>) -> Self {
        self.layer.app_id = Some(id.into());
        self
    }

    /// Sets the version code.
    pub fn app_version(mut self, version: u64) -> Self {
        self.layer.app_version = Some(version);
        self
    }

    /// Appends a signer certificate digest.
    pub fn app_signer(mut self, digest: impl Into<Digest>) -> Self {
        self.layer.app_signers.push(digest.into());
        self
    }

    /// Sets the installer source.
    pub fn installer(mut self, installer: Installer) -> Self {
        self.layer.installer = Some(installer);
        self
    }

    /// Sets the privacy-event counts.
    pub fn privacy_events(mut self, events: PrivacyEvents) -> Self {
        self.layer.privacy_events = Some(events);
        self
    }
}
