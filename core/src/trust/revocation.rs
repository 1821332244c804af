//! Offline revocation data: X.509 CRLs and JSON status lists.
//!
//! Both are supplied by the caller; nothing is fetched. A revoked or
//! suspended certificate anywhere in the validated path rejects it.
//!
//! * **CRL** (RFC 5280 §5): applies to the certificates issued by the CA
//!   whose subject name equals the CRL's issuer (and, when both carry one,
//!   whose subject key identifier equals the CRL's authority key
//!   identifier). Its signature is checked under that CA's key from the
//!   validated path, with the same algorithm rules as certificates. At the
//!   verification time `thisUpdate` must have passed and `nextUpdate` (plus
//!   the verifier's grace) must not: a stale CRL means the status of what it
//!   covers is unknown, and unknown is refused (`chain.crl-stale`) — supply a
//!   fresh CRL or drop it. A CRL without `nextUpdate`, an indirect CRL, a
//!   delta CRL, a partitioned CRL (issuingDistributionPoint) or any other
//!   critical CRL or entry extension is refused when it is added
//!   (`chain.bad-revocation-data`). Reason certificateHold means suspended.
//! * **Status list**: Android's attestation status list format,
//!   `{"entries": {"<hex serial>": {"status": "REVOKED"|"SUSPENDED",
//!   "reason": "KEY_COMPROMISE", ...}}}`. Serials are matched in lowercase
//!   hex without leading zeros, for every certificate of the path including
//!   the anchor, whatever its issuer (as Android does). The list carries no
//!   signature or validity: its authenticity and freshness are the caller's
//!   to ensure. Unknown fields are ignored; an unknown status, a non-hex
//!   serial or a serial listed twice is refused. Parsing uses `serde_json`
//!   with `alloc` only, so it works without `std`.
//!
//! Having no CRL for an issuer is not an error: revocation is checked
//! against the data supplied.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::oid::db::rfc5912;
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;
use x509_cert::name::Name;

use super::cert::{self, Cert, SigAlg};
use super::error::ChainError;
use super::name::names_match;
use crate::error::Error;

/// Whether a certificate is revoked for good or suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Revoked (status list `REVOKED`, or a CRL entry with any reason other
    /// than certificateHold).
    Revoked,
    /// Suspended (status list `SUSPENDED`, or CRL reason certificateHold).
    Suspended,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Revoked => "REVOKED",
            Status::Suspended => "SUSPENDED",
        }
    }
}

/// One status list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// Revoked or suspended.
    pub status: Status,
    /// The reason as given (e.g. `KEY_COMPROMISE`), `UNSPECIFIED` if absent.
    pub reason: String,
}

/// A status list: serial number → status, like Android's attestation
/// status list.
///
/// ```
/// use mtattest::trust::{Status, StatusList};
///
/// let list = StatusList::from_json(br#"{"entries": {
///     "00C35A": {"status": "REVOKED", "reason": "KEY_COMPROMISE"},
///     "2c8cdddfd5e03bfc": {"status": "SUSPENDED", "comment": "ignored"}
/// }}"#).unwrap();
/// let entry = list.get("c35a").unwrap();
/// assert_eq!(entry.status, Status::Revoked);
/// assert_eq!(list.get("2C8CDDDFD5E03BFC").unwrap().reason, "UNSPECIFIED");
///
/// let err = StatusList::from_json(br#"{"entries": {"1": {"status": "MAYBE"}}}"#).unwrap_err();
/// assert_eq!(err.code(), "chain.bad-revocation-data");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusList {
    entries: BTreeMap<String, StatusEntry>,
}

#[derive(serde::Deserialize)]
struct RawEntry {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

impl StatusList {
    /// An empty list.
    pub fn new() -> StatusList {
        StatusList::default()
    }

    /// Parses the JSON form. Fails with `chain.bad-revocation-data` on
    /// malformed JSON, a serial that is not hex, a serial listed twice (in
    /// any spelling) or a status other than `REVOKED` / `SUSPENDED`.
    pub fn from_json(json: &[u8]) -> Result<StatusList, Error> {
        let bad = |reason: String| ChainError::BadRevocationData { reason };
        let entries = deserialize_list(json).map_err(|e| bad(format!("status list: {e}")))?;
        let mut list = StatusList::new();
        for (serial, entry) in entries {
            let status = match entry.status.as_str() {
                "REVOKED" => Status::Revoked,
                "SUSPENDED" => Status::Suspended,
                other => {
                    return Err(bad(format!(
                        "status list: unknown status {other:?} for {serial}"
                    ))
                    .into())
                }
            };
            let reason = entry.reason.as_deref().unwrap_or("UNSPECIFIED");
            list.insert(&serial, status, reason)?;
        }
        Ok(list)
    }

    /// Adds an entry for the serial number written in hex (any case, leading
    /// zeros allowed).
    pub fn insert(&mut self, serial_hex: &str, status: Status, reason: &str) -> Result<(), Error> {
        let bad = |reason: String| ChainError::BadRevocationData { reason };
        if serial_hex.is_empty() || !serial_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!("status list: serial {serial_hex:?} is not hex")).into());
        }
        let key = cert::normalize_hex(serial_hex);
        if self.entries.contains_key(&key) {
            return Err(bad(format!("status list: serial {key} is listed twice")).into());
        }
        self.entries.insert(
            key,
            StatusEntry {
                status,
                reason: reason.to_string(),
            },
        );
        Ok(())
    }

    /// The entry for a serial number in hex, if listed.
    pub fn get(&self, serial_hex: &str) -> Option<&StatusEntry> {
        self.entries.get(&cert::normalize_hex(serial_hex))
    }

    /// How many serials are listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A canonical byte form (sorted entries), for the revocation data
    /// fingerprint.
    fn canonical(&self, out: &mut Vec<u8>) {
        for (serial, entry) in &self.entries {
            for part in [serial.as_str(), entry.status.name(), entry.reason.as_str()] {
                out.extend_from_slice(&(part.len() as u64).to_be_bytes());
                out.extend_from_slice(part.as_bytes());
            }
        }
    }
}

/// Reads `{"entries": {...}}` keeping every key of `entries` in order, so a
/// serial listed twice is detected rather than silently overwritten.
fn deserialize_list(json: &[u8]) -> Result<Vec<(String, RawEntry)>, serde_json::Error> {
    struct Entries(Vec<(String, RawEntry)>);
    impl<'de> serde::Deserialize<'de> for Entries {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Entries;
                fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str("a map from hex serial to status entry")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Entries, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, RawEntry>()? {
                        out.push((k, v));
                    }
                    Ok(Entries(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    #[derive(serde::Deserialize)]
    struct Outer {
        entries: Entries,
    }
    let outer: Outer = crate::serde_strict::from_json_slice(json)?;
    Ok(outer.entries.0)
}

/// A parsed CRL.
#[derive(Debug, Clone)]
pub(crate) struct Crl {
    pub(crate) der: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) issuer: Name,
    pub(crate) aki: Option<Vec<u8>>,
    pub(crate) sig_alg: Result<SigAlg, String>,
    pub(crate) signature: Vec<u8>,
    pub(crate) this_update: i64,
    pub(crate) next_update: i64,
    /// Serial (normalized hex) → (status, reason).
    pub(crate) revoked: BTreeMap<String, (Status, String)>,
}

impl Crl {
    fn parse(der: &[u8]) -> Result<Crl, String> {
        let crl = CertificateList::from_der(der).map_err(|e| format!("not a DER CRL: {e}"))?;
        if crl.to_der().ok().as_deref() != Some(der) {
            return Err("not a DER CRL: not in its distinguished encoding".to_string());
        }
        let tbs = cert::tbs_slice(der).map_err(|e| format!("not a DER CRL: {e}"))?;
        let t = &crl.tbs_cert_list;
        if t.version != x509_cert::Version::V2 {
            return Err("CRL is not version 2 (RFC 5280 §5.1.2.1)".to_string());
        }
        let times = [Some(t.this_update), t.next_update]
            .into_iter()
            .flatten()
            .chain(
                t.revoked_certificates
                    .iter()
                    .flatten()
                    .map(|r| r.revocation_date),
            );
        for time in times {
            if cert::generalized_before_2050(&time) {
                return Err(
                    "CRL writes a date before 2050 as GeneralizedTime (RFC 5280 §5.1.2.4)"
                        .to_string(),
                );
            }
        }
        if crl.signature_algorithm != t.signature {
            return Err("CRL signatureAlgorithm differs from the TBS signature field".to_string());
        }
        let signature = crl
            .signature
            .as_bytes()
            .ok_or("CRL signature BIT STRING has unused bits")?
            .to_vec();
        let this_update = cert::unix_seconds(t.this_update)?;
        let next_update = cert::unix_seconds(
            t.next_update
                .ok_or("CRL has no nextUpdate, so its freshness cannot be judged")?,
        )?;
        let mut aki = None;
        for ext in t.crl_extensions.iter().flatten() {
            match ext.extn_id {
                rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    let id = cert::strict::<AuthorityKeyIdentifier>(ext.extn_value.as_bytes())
                        .map_err(|e| format!("CRL authority key identifier: {e}"))?;
                    aki = id.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                rfc5912::ID_CE_CRL_NUMBER => {}
                other if ext.critical => {
                    return Err(format!("CRL has critical extension {other} (delta, indirect or partitioned CRLs are not supported)"));
                }
                _ => {}
            }
        }
        let mut revoked = BTreeMap::new();
        for entry in t.revoked_certificates.iter().flatten() {
            let serial = cert::serial_hex(entry.serial_number.as_bytes());
            let mut reason = CrlReason::Unspecified;
            for ext in entry.crl_entry_extensions.iter().flatten() {
                match ext.extn_id {
                    rfc5912::ID_CE_CRL_REASONS => {
                        reason = cert::strict::<CrlReason>(ext.extn_value.as_bytes())
                            .map_err(|e| format!("CRL entry {serial}: reason code: {e}"))?;
                    }
                    other if ext.critical => {
                        return Err(format!(
                            "CRL entry {serial} has critical extension {other} (indirect CRLs are not supported)"
                        ));
                    }
                    _ => {}
                }
            }
            let status = match reason {
                CrlReason::CertificateHold => Status::Suspended,
                CrlReason::RemoveFromCRL => {
                    return Err(format!(
                        "CRL entry {serial}: removeFromCRL belongs in delta CRLs"
                    ))
                }
                _ => Status::Revoked,
            };
            if revoked
                .insert(serial.clone(), (status, reason_name(reason).to_string()))
                .is_some()
            {
                return Err(format!("CRL lists serial {serial} twice"));
            }
        }
        Ok(Crl {
            der: der.to_vec(),
            tbs,
            issuer: t.issuer.clone(),
            aki,
            sig_alg: cert::signature_algorithm(&crl.signature_algorithm),
            signature,
            this_update,
            next_update,
            revoked,
        })
    }

    /// Whether the CRL claims to come from `issuer`.
    pub(crate) fn is_from(&self, issuer: &Cert) -> bool {
        if !names_match(&self.issuer, &issuer.subject) {
            return false;
        }
        match (&self.aki, &issuer.ski) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }
}

fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

/// The revocation data a verifier checks paths against.
///
/// ```
/// use mtattest::trust::{Revocation, Status, StatusList};
///
/// let mut list = StatusList::new();
/// list.insert("1f", Status::Revoked, "KEY_COMPROMISE").unwrap();
/// let mut revocation = Revocation::new();
/// revocation.set_status_list(list);
/// let err = revocation.add_crl_der(b"junk").unwrap_err();
/// assert_eq!(err.code(), "chain.bad-revocation-data");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Revocation {
    pub(crate) crls: Vec<Crl>,
    pub(crate) status: StatusList,
    pub(crate) status_age: Option<StatusListAge>,
    pub(crate) accept_suspended: bool,
}

/// When the status list was fetched and how long it stays good (spec
/// §10.5, §17.8): past `fetched_at + max_age_secs + grace_secs` the status
/// it gives is unknown, and a path is refused (`chain.status-list-stale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusListAge {
    /// When the list was fetched, Unix seconds.
    pub fetched_at: i64,
    /// How long it is good for, seconds.
    pub max_age_secs: u32,
    /// How long it is still accepted after that, seconds.
    pub grace_secs: u32,
}

impl StatusListAge {
    /// The default maximum age: one day, as often as Google's attestation
    /// status list should be fetched.
    pub const DEFAULT_MAX_AGE_SECS: u32 = 86_400;

    /// The last instant the list is accepted.
    pub fn stale_after(&self) -> i64 {
        self.fetched_at
            .saturating_add(i64::from(self.max_age_secs))
            .saturating_add(i64::from(self.grace_secs))
    }
}

impl Revocation {
    /// No revocation data.
    pub fn new() -> Revocation {
        Revocation::default()
    }

    /// Adds a DER CRL (see the module documentation for what is refused).
    /// Its signature is checked when a path reaches its issuer.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), Error> {
        let crl = Crl::parse(der).map_err(|reason| ChainError::BadRevocationData { reason })?;
        self.crls.push(crl);
        Ok(())
    }

    /// Replaces the status list.
    pub fn set_status_list(&mut self, list: StatusList) {
        self.status = list;
    }

    /// Bounds the status list's age: a path validated outside
    /// `fetched_at..=stale_after()` is refused (`chain.status-list-stale`).
    pub fn set_status_list_age(&mut self, age: StatusListAge) {
        self.status_age = Some(age);
    }

    /// The status list's age bound, if set.
    pub fn status_list_age(&self) -> Option<StatusListAge> {
        self.status_age
    }

    /// Accepts certificates the status list marks SUSPENDED (default:
    /// refused, `chain.suspended`). REVOKED is refused whatever this says.
    pub fn set_accept_suspended(&mut self, accept: bool) {
        self.accept_suspended = accept;
    }

    /// The status list.
    pub fn status_list(&self) -> &StatusList {
        &self.status
    }

    /// How many CRLs are held.
    pub fn crl_count(&self) -> usize {
        self.crls.len()
    }

    /// Appends a canonical form of all revocation data to `out`.
    pub(crate) fn fingerprint_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.crls.len() as u64).to_be_bytes());
        for crl in &self.crls {
            out.extend_from_slice(&(crl.der.len() as u64).to_be_bytes());
            out.extend_from_slice(&crl.der);
        }
        self.status.canonical(out);
        match self.status_age {
            Some(age) => {
                out.push(1);
                out.extend_from_slice(&age.fetched_at.to_be_bytes());
                out.extend_from_slice(&age.max_age_secs.to_be_bytes());
                out.extend_from_slice(&age.grace_secs.to_be_bytes());
            }
            None => out.push(0),
        }
        out.push(u8::from(self.accept_suspended));
    }
}
