//! What the cases share: the verification time and challenge, the base
//! claims, the certificates (the standard test PKI plus purpose-built
//! variants), and the files for anchors, revocation data, policies and the
//! bulletin. Everything is derived from fixed seeds.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use sha2::Digest as _;

use crate::example_phone;
use crate::pki::{issue, issue_crl, CertSpec, CrlEntryReason, CrlSpec, Issued, KeySpec, TestPki};
use mtattest::claims::ClaimsSet;
use mtattest::crypto::SoftwareSigner;
use mtattest::error::Error;

/// The verification time of every case: 2026-09-21T14:13:20Z.
pub const TIME: i64 = 1_790_000_000;
/// The `iat` of the tokens: half a minute before [`TIME`].
pub const IAT: i64 = TIME - 30;
/// A day, in seconds.
pub const DAY: i64 = 86_400;

/// Serial number of a device certificate that no token uses, revoked by the
/// "clean" revocation data.
pub const OTHER_SERIAL: u64 = 0x3999;

/// 32 bytes derived from `label`.
pub fn derive(label: &str) -> Vec<u8> {
    sha2::Sha256::digest(format!("mtattest test vectors\0{label}")).to_vec()
}

/// The relying party's challenge of most cases (32 bytes).
pub fn challenge() -> Vec<u8> {
    derive("challenge")
}

/// The example phone, issued at [`IAT`] for [`challenge`].
pub fn phone() -> ClaimsSet {
    example_phone(IAT, challenge())
}

/// Lowercase hex (the library's one hex rule).
pub fn hex(bytes: &[u8]) -> String {
    mtattest::encoding::to_hex(bytes)
}

/// A certificate with its private key.
#[derive(Debug, Clone)]
pub struct Cert {
    /// The spec it was issued from.
    pub spec: CertSpec,
    /// DER.
    pub der: Vec<u8>,
}

impl Cert {
    fn issue(spec: CertSpec, issuer: Option<&CertSpec>) -> Result<Cert, Error> {
        let der = issue(&spec, issuer)?;
        Ok(Cert { spec, der })
    }

    fn from_issued(issued: &Issued) -> Cert {
        Cert {
            spec: issued.spec.clone(),
            der: issued.der.clone(),
        }
    }

    /// A signer with the certificate's key.
    pub fn signer(&self) -> Result<SoftwareSigner, Error> {
        self.spec.key.signer()
    }

    /// PEM.
    pub fn pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }
}

/// The certificates every case draws on.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The standard root (P-384).
    pub root: Cert,
    /// The standard OEM intermediate (P-384, pathLen 0).
    pub intermediate: Cert,
    /// The standard device certificate (P-384), issued by the intermediate.
    pub device: Cert,
    /// A P-256 device key certified by the standard intermediate.
    pub device_p256: Cert,
    /// A device certificate issued by the root directly.
    pub device_direct: Cert,
    /// An all-P-256 root, intermediate and device.
    pub p256: [Cert; 3],
    /// Another manufacturer's root (other name, other key).
    pub other_root: Cert,
    /// A root with the standard root's name but another key.
    pub impostor_root: Cert,
    /// The same, without key identifiers: only its name matches.
    pub impostor_root_no_key_id: Cert,
    /// The standard root's key and name, but expired at [`TIME`].
    pub expired_root: Cert,
}

/// A subject in the test PKI's organisation.
fn subject(cn: &str) -> String {
    format!("CN={cn},O=mtattest Test OEM")
}

impl Pki {
    /// Issues every certificate.
    pub fn new() -> Result<Pki, Error> {
        let standard = TestPki::standard()?;
        let device_p256 = Cert::issue(
            CertSpec {
                subject: subject("mtattest Test Device Attestation Key P-256"),
                serial: 0x3004,
                key: KeySpec::p256("vectors device p256"),
                ..CertSpec::device()
            },
            Some(&standard.intermediate.spec),
        )?;
        let device_direct = Cert::issue(
            CertSpec {
                subject: subject("mtattest Test Device Issued By Root"),
                serial: 0x3005,
                key: KeySpec::p384("vectors device direct"),
                ..CertSpec::device()
            },
            Some(&standard.root.spec),
        )?;
        let p256_root = CertSpec {
            subject: subject("mtattest Test Root P-256"),
            serial: 0x1006,
            key: KeySpec::p256("vectors root p256"),
            ..CertSpec::root()
        };
        let p256_intermediate = CertSpec {
            subject: subject("mtattest Test OEM Attestation CA P-256"),
            serial: 0x2006,
            key: KeySpec::p256("vectors intermediate p256"),
            ..CertSpec::intermediate()
        };
        let p256_device = CertSpec {
            subject: subject("mtattest Test Device Attestation Key P-256 Chain"),
            serial: 0x3006,
            key: KeySpec::p256("vectors device p256 chain"),
            ..CertSpec::device()
        };
        let p256 = [
            Cert::issue(p256_root.clone(), None)?,
            Cert::issue(p256_intermediate.clone(), Some(&p256_root))?,
            Cert::issue(p256_device, Some(&p256_intermediate))?,
        ];
        let other_root = Cert::issue(
            CertSpec {
                subject: "CN=mtattest Other Manufacturer Root,O=mtattest Other OEM".into(),
                serial: 0x1007,
                key: KeySpec::p384("vectors other root"),
                ..CertSpec::root()
            },
            None,
        )?;
        let impostor_root = Cert::issue(
            CertSpec {
                serial: 0x1008,
                key: KeySpec::p384("vectors impostor root"),
                ..CertSpec::root()
            },
            None,
        )?;
        let impostor_root_no_key_id = Cert::issue(
            CertSpec {
                serial: 0x100a,
                key: KeySpec::p384("vectors impostor root"),
                key_identifiers: false,
                ..CertSpec::root()
            },
            None,
        )?;
        let expired_root = Cert::issue(
            CertSpec {
                serial: 0x1009,
                not_after: TIME - DAY,
                ..CertSpec::root()
            },
            None,
        )?;
        Ok(Pki {
            root: Cert::from_issued(&standard.root),
            intermediate: Cert::from_issued(&standard.intermediate),
            device: Cert::from_issued(&standard.device),
            device_p256,
            device_direct,
            p256,
            other_root,
            impostor_root,
            impostor_root_no_key_id,
            expired_root,
        })
    }

    /// The usual x5chain: device, intermediate.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![self.device.der.clone(), self.intermediate.der.clone()]
    }

    /// A chain below the standard root whose device and intermediate come
    /// from `device` and `intermediate` (each the standard spec bent by the
    /// caller); returns the chain and the device certificate.
    pub fn bent_chain(
        &self,
        bend_intermediate: impl FnOnce(&mut CertSpec),
        bend_device: impl FnOnce(&mut CertSpec),
    ) -> Result<(Vec<Vec<u8>>, Cert), Error> {
        let mut intermediate = self.intermediate.spec.clone();
        bend_intermediate(&mut intermediate);
        let mut device = self.device.spec.clone();
        bend_device(&mut device);
        let intermediate = Cert::issue(intermediate, Some(&self.root.spec))?;
        let device = Cert::issue(device, Some(&intermediate.spec))?;
        Ok((vec![device.der.clone(), intermediate.der], device))
    }

    /// A device certificate issued by the standard intermediate whose key
    /// is written in the "compact" form `05 || x` (a form RFC 5480 does
    /// not allow, which RustCrypto's curves decode to the point with the
    /// smaller `y`), for a key whose point has the smaller `y`, so a
    /// verifier that decodes the form gets the right key. Returns the
    /// chain (device, intermediate) and the device.
    pub fn compact_point_chain(&self) -> Result<(Vec<Vec<u8>>, Cert), Error> {
        use der::{Decode as _, Encode as _};
        use p384::elliptic_curve::sec1::ToCompactEncodedPoint as _;
        let malformed = |reason: String| -> Error {
            mtattest::error::ChainError::Malformed { index: 0, reason }.into()
        };
        // The first seed whose point has the smaller y (half of them do).
        let (key, compact) = (0..64)
            .find_map(|i| {
                let key = KeySpec::p384(&format!("vectors device compact point {i}"));
                let sec1 = key.signer().ok()?.public_key().uncompressed().to_vec();
                let point = p384::PublicKey::from_sec1_bytes(&sec1).ok()?;
                let compact = point.as_affine().to_compact_encoded_point();
                Option::from(compact).map(|c: p384::EncodedPoint| (key, c.as_bytes().to_vec()))
            })
            .ok_or_else(|| malformed("no seed gives a compact point".into()))?;
        debug_assert_eq!(compact.first(), Some(&0x05));
        let spec = CertSpec {
            subject: subject("mtattest Test Device Compact Point"),
            serial: 0x3007,
            key,
            ..CertSpec::device()
        };
        let plain = Cert::issue(spec.clone(), Some(&self.intermediate.spec))?;
        let mut spki = x509_cert::Certificate::from_der(&plain.der)
            .map_err(|e| malformed(e.to_string()))?
            .tbs_certificate
            .subject_public_key_info;
        // Only the bits change: the form the point is written in.
        spki.subject_public_key =
            der::asn1::BitString::from_bytes(&compact).map_err(|e| malformed(e.to_string()))?;
        let device = Cert::issue(
            CertSpec {
                spki_override: Some(spki.to_der().map_err(|e| malformed(e.to_string()))?),
                ..spec
            },
            Some(&self.intermediate.spec),
        )?;
        Ok((
            vec![device.der.clone(), self.intermediate.der.clone()],
            device,
        ))
    }

    /// A fourth certificate: a CA issued by the standard intermediate, which
    /// its pathLen 0 does not allow, and a device under it. Returns the
    /// chain (device, sub-CA, intermediate) and the device.
    pub fn too_deep_chain(&self) -> Result<(Vec<Vec<u8>>, Cert), Error> {
        let sub_ca = Cert::issue(
            CertSpec {
                subject: subject("mtattest Test Sub CA"),
                serial: 0x2010,
                key: KeySpec::p384("vectors sub ca"),
                basic_constraints: Some((true, None)),
                ..self.intermediate.spec.clone()
            },
            Some(&self.intermediate.spec),
        )?;
        let device = Cert::issue(
            CertSpec {
                subject: subject("mtattest Test Device Below Sub CA"),
                serial: 0x3010,
                ..self.device.spec.clone()
            },
            Some(&sub_ca.spec),
        )?;
        Ok((
            vec![
                device.der.clone(),
                sub_ca.der,
                self.intermediate.der.clone(),
            ],
            device,
        ))
    }

    /// A CRL issued by the standard intermediate.
    pub fn crl(
        &self,
        this_update: i64,
        next_update: i64,
        revoked: Vec<(u64, CrlEntryReason)>,
        corrupt_signature: bool,
    ) -> Result<Vec<u8>, Error> {
        issue_crl(
            &self.intermediate.spec,
            &CrlSpec {
                this_update,
                next_update: Some(next_update),
                revoked,
                unknown_critical_extension: false,
                corrupt_signature,
            },
        )
    }
}

/// A status list (Android's format) with one entry.
pub fn status_list(serial: u64, status: &str, reason: &str) -> Vec<u8> {
    format!(
        "{{\n  \"entries\": {{\n    \"{serial:x}\": {{ \"status\": \"{status}\", \"reason\": \"{reason}\" }}\n  }}\n}}\n"
    )
    .into_bytes()
}

/// A policy document extending `preset`, pinning the example phone's app
/// signer.
pub fn policy(preset: &str, claims: &ClaimsSet) -> Vec<u8> {
    let signers: Vec<String> = claims
        .app
        .as_ref()
        .map(|a| {
            a.app_signers
                .iter()
                .map(|d| format!("\"{}\"", hex(d.as_bytes())))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{{\n  \"id\": \"vectors-{preset}\",\n  \"extends\": \"{preset}\",\n  \"app-signers\": [{}]\n}}\n",
        signers.join(", ")
    )
    .into_bytes()
}

/// The `iot` preset as it is: it pins no app, so it takes no
/// `app-signers` (spec §11.3.3).
pub const POLICY_IOT: &str = r#"{
  "id": "vectors-iot",
  "extends": "iot"
}
"#;

/// The bulletin: one high-severity advisory for the example model's OS
/// patch levels before 2025-01-01.
pub const BULLETIN: &str = r#"{
  "feed": "mtattest-vectors",
  "version": "1",
  "advisories": [
    {
      "id": "MSA-VECTORS-0001",
      "severity": "high",
      "summary": "TEE driver privilege escalation (test advisory)",
      "models": ["MT-Phone 7 Pro"],
      "patch-level": { "claim": "os-patch-level", "before": 20250101 }
    }
  ]
}
"#;

/// A policy without rules, whose advisories count from `medium` up: it can
/// only deny (spec §11.3.2).
pub const POLICY_NO_RULES: &str = r#"{
  "id": "vectors-no-rules",
  "description": "No rules: only bulletin advisories can give a verdict, and the action is always deny.",
  "bulletin": { "contraindicated-at": "high", "warning-at": "medium" }
}
"#;

/// The payment preset for the example phone's app, with advisories counted
/// from `medium` up (a `low` one is ignored).
pub fn policy_payment_advisories_from_medium(claims: &ClaimsSet) -> Vec<u8> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&policy("payment", claims)).unwrap_or_default();
    if let Some(map) = doc.as_object_mut() {
        map.insert("id".into(), "vectors-payment-advisories-from-medium".into());
        map.insert(
            "bulletin".into(),
            serde_json::json!({"contraindicated-at": "high", "warning-at": "medium"}),
        );
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// One rule on the boot layer's declared evidence source, with no
/// `min-source`: the rule itself must compare the effective source
/// (spec §11.4).
pub const POLICY_BOOT_EVIDENCE_HARDWARE: &str = r#"{
  "id": "vectors-boot-evidence-hardware",
  "rules": [
    { "id": "boot-hardware", "claim": "submods.boot.evidence-source",
      "at-least": "hardware", "on-fail": "contraindicated" }
  ]
}
"#;

/// Advisories none of which applies to the example phone (healthy or
/// compromised): another model, another OS version, patch levels long
/// fixed.
pub const BULLETIN_NO_MATCH: &str = r#"{
  "feed": "mtattest-vectors-no-match",
  "version": "1",
  "advisories": [
    { "id": "MSA-VECTORS-0101", "severity": "critical", "models": ["MT-Phone 3"] },
    { "id": "MSA-VECTORS-0102", "severity": "critical",
      "software": { "name": "Android", "versions": ["9", "10"] } },
    { "id": "MSA-VECTORS-0103", "severity": "critical", "models": ["MT-Phone 7 Pro"],
      "patch-level": { "claim": "os-patch-level", "from": 20200101, "before": 20210101 } }
  ]
}
"#;

/// One advisory of `severity` for every example phone (by model).
pub fn bulletin_for_model(id: &str, severity: &str, model: &str) -> Vec<u8> {
    let doc = serde_json::json!({
        "feed": "mtattest-vectors",
        "version": "1",
        "advisories": [{ "id": id, "severity": severity, "models": [model] }]
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}
