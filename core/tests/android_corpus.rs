//! The shared Android Key Attestation corpus (`../shared/corpora/
//! android-keyattestation/`): every chain's KeyDescription equals the
//! decoded reference beside it, member for member; every chain to Google's
//! roots validates at a sensible time under the Android profile; the
//! invalid and legacy chains behave as their contents say; the sample
//! status list loads and revokes or suspends what it lists.
//!
//! Nothing here is per file: the tests walk the corpus and derive what to
//! expect from the files themselves.

use std::path::{Path, PathBuf};

use der::{Decode, Encode};
use mtattest::android::{
    google_anchors, google_roots, key_description_json, verify_attestation_chain, AttestationRules,
    KeyDescription, KEY_DESCRIPTION_OID,
};
use mtattest::crypto::RustCrypto;
use mtattest::trust::ChainVerifier;
use mtattest::UnixTime;
use serde_json::Value;
use x509_cert::Certificate;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/android-keyattestation")
}

fn pem_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            pem_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "pem") {
            out.push(p);
        }
    }
}

/// The DER certificates of a PEM file, in order. The base64 of each block
/// is read with its line breaks removed: some corpus files wrap at 76
/// columns, which the strict RFC 7468 reader refuses.
fn chain_of(path: &Path) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let body = block.split("-----END CERTIFICATE-----").next().unwrap();
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        );
    }
    out
}

/// The chains of the corpus with a decoded reference beside them.
fn referenced_chains() -> Vec<(PathBuf, Value)> {
    let mut pems = Vec::new();
    pem_files(&corpus(), &mut pems);
    pems.into_iter()
        .filter_map(|p| {
            let json = std::fs::read_to_string(p.with_extension("json")).ok()?;
            Some((p, reference(&json)))
        })
        .collect()
}

/// A reference file as JSON: its `//` comment lines removed, and the
/// reference parser's `areTagsOrdered` diagnostic dropped where it is
/// true (the schema has no such field; this parser refuses an unordered
/// list, so for anything it accepts the diagnostic would be true).
fn reference(text: &str) -> Value {
    let text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut value: Value = serde_json::from_str(&text).unwrap();
    for list in ["softwareEnforced", "hardwareEnforced"] {
        if let Some(obj) = value.get_mut(list).and_then(Value::as_object_mut) {
            if obj.get("areTagsOrdered") == Some(&Value::Bool(true)) {
                obj.remove("areTagsOrdered");
            }
        }
    }
    value
}

fn leaf_extension(der: &[u8]) -> Option<Vec<u8>> {
    let cert = Certificate::from_der(der).unwrap();
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == KEY_DESCRIPTION_OID)
        .map(|e| e.extn_value.as_bytes().to_vec())
}

/// Walks two JSON values and lists every difference with its path.
fn differences(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(mine) => differences(&format!("{path}.{k}"), mine, v, out),
                    None => out.push(format!("{path}.{k}: missing, reference {v}")),
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the reference"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} != reference {b}")),
    }
}

#[test]
fn every_key_description_equals_its_reference() {
    let chains = referenced_chains();
    assert!(chains.len() >= 13, "corpus not found: {}", chains.len());
    let mut failures = Vec::new();
    for (path, expected) in &chains {
        let chain = chain_of(path);
        let ext = leaf_extension(&chain[0]).expect("leaf has a KeyDescription");
        let kd = KeyDescription::from_der(&ext)
            .unwrap_or_else(|e| panic!("{}: {e} ({})", path.display(), e.code()));
        let mut diffs = Vec::new();
        differences("", &key_description_json(&kd), expected, &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), diffs.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn not_before(der: &[u8]) -> i64 {
    let c = Certificate::from_der(der).unwrap();
    c.tbs_certificate
        .validity
        .not_before
        .to_unix_duration()
        .as_secs() as i64
}

fn not_after(der: &[u8]) -> i64 {
    let c = Certificate::from_der(der).unwrap();
    c.tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .as_secs() as i64
}

/// A sensible verification time for a chain: the latest start of validity
/// among its certificates above the leaf and Google's roots that is still
/// before the earliest end among those certificates. (The leaf's dates come
/// from the device and are not checked, §17.3.1.)
fn sensible_time(chain: &[Vec<u8>]) -> UnixTime {
    let above = &chain[1..];
    let end = above.iter().map(|c| not_after(c)).min().unwrap();
    let latest_start = above
        .iter()
        .map(|c| not_before(c))
        .chain(google_roots().iter().map(|r| not_before(r.der)))
        .filter(|t| *t <= end)
        .max()
        .unwrap();
    UnixTime::from_secs(latest_start)
}

fn android_verifier() -> ChainVerifier {
    ChainVerifier::new(google_anchors().unwrap())
}

/// Whether a Google root issued the chain's last certificate, by name.
fn ends_at_google(chain: &[Vec<u8>]) -> bool {
    let top = Certificate::from_der(chain.last().unwrap()).unwrap();
    google_roots().iter().any(|r| {
        let root = Certificate::from_der(r.der).unwrap();
        top.tbs_certificate.issuer == root.tbs_certificate.subject
    })
}

#[test]
fn every_chain_to_google_roots_validates_and_the_others_do_not() {
    let verifier = android_verifier();
    let mut validated = (0, 0);
    for (path, expected) in referenced_chains() {
        let chain = chain_of(&path);
        let at = sensible_time(&chain);
        let result = verify_attestation_chain(&chain, &verifier, at, &RustCrypto);
        if ends_at_google(&chain) {
            let att = result.unwrap_or_else(|e| {
                panic!("{} at {}: {e} ({})", path.display(), at.secs(), e.code())
            });
            att.check(&AttestationRules::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rsa = chain.iter().any(|c| {
                Certificate::from_der(c)
                    .unwrap()
                    .signature_algorithm
                    .oid
                    .to_string()
                    == "1.2.840.113549.1.1.11"
            });
            if rsa {
                validated.0 += 1;
            } else {
                validated.1 += 1;
            }
        } else {
            // The software attestation root is not a hardware root.
            assert_eq!(expected["attestationSecurityLevel"], "SOFTWARE");
            let err = result.unwrap_err();
            assert_eq!(err.code(), "chain.no-anchor", "{}", path.display());
        }
    }
    assert!(validated.0 >= 5 && validated.1 >= 2, "{validated:?}");
}

#[test]
fn the_invalid_chains_are_refused_with_their_own_codes() {
    let verifier = android_verifier();
    let mut pems = Vec::new();
    pem_files(&corpus().join("invalid"), &mut pems);
    let mut codes = Vec::new();
    for path in pems {
        let chain = chain_of(&path);
        let chain_code =
            verify_attestation_chain(&chain, &verifier, sensible_time(&chain), &RustCrypto)
                .unwrap_err()
                .code();
        let ext = leaf_extension(&chain[0]).unwrap();
        let parse_code = KeyDescription::from_der(&ext).unwrap_err().code();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        codes.push((name, chain_code, parse_code));
    }
    codes.sort();
    // The chain refusal comes from the first check that fails: the edited
    // leaf of the second no longer matches its issuer's signature (so its
    // KeyDescription is never read), the first is genuine but writes
    // deviceLocked as a BER (not DER) BOOLEAN. Read on its own, each
    // KeyDescription is refused with the code of its fault.
    assert_eq!(
        codes,
        [
            (
                "malformed_rot_device_locked".to_string(),
                "android.malformed",
                "android.malformed"
            ),
            (
                "tags_not_in_ascending_order".to_string(),
                "chain.bad-signature",
                "android.tags-not-ascending"
            ),
        ]
    );
}

/// Each relaxation of the Android profile (§17.3.1) that a corpus chain
/// needs: without it, real chains are refused with the relaxed check's
/// code. The others are needed by chains the corpus does not hold (a leaf
/// whose keyUsage is not DER, a leaf past its device-set notAfter, a
/// maker's non-CA intermediate) and are shown on synthetic chains
/// (`android_tokens.rs`, and the `*-android-relaxed-*` /
/// `*-android-strict-*` conformance vectors).
#[test]
fn each_relaxation_is_needed_by_a_real_chain() {
    use mtattest::trust::profile::{Check, Position, Profile, ANDROID_RELAXATIONS};
    use mtattest::trust::TrustAnchors;
    let chains: Vec<Vec<Vec<u8>>> = referenced_chains()
        .into_iter()
        .map(|(p, _)| chain_of(&p))
        .filter(|c| ends_at_google(c))
        .collect();
    let mut needed = Vec::new();
    for (i, (check, position)) in ANDROID_RELAXATIONS.iter().enumerate() {
        let mut without: Vec<_> = ANDROID_RELAXATIONS.to_vec();
        without.remove(i);
        let mut anchors = TrustAnchors::new();
        for r in google_roots() {
            anchors
                .add_der_with_profile(r.der, Profile::android_with(&without))
                .unwrap();
        }
        let verifier = ChainVerifier::new(anchors);
        let refused: Vec<&'static str> = chains
            .iter()
            .filter_map(|c| {
                verify_attestation_chain(c, &verifier, sensible_time(c), &RustCrypto)
                    .err()
                    .map(|e| e.code())
            })
            .collect();
        if !refused.is_empty() {
            assert!(
                refused.iter().all(|c| check.codes().contains(c)),
                "{refused:?}"
            );
            needed.push((*check, *position));
        }
    }
    assert_eq!(
        needed,
        [
            (Check::AuthorityKeyIdentifier, Position::Leaf),
            (Check::SignatureAlgorithm, Position::Intermediate),
            (Check::SignatureAlgorithm, Position::Leaf),
        ]
    );
}

/// The one leaf of the corpus that needs the extension-encoding relaxation
/// writes keyUsage with trailing zero bits: its value decodes but is not
/// DER.
#[test]
fn allow_while_on_body_writes_key_usage_outside_der() {
    use x509_cert::ext::pkix::KeyUsage;
    let chain = chain_of(&corpus().join("allow_while_on_body.pem"));
    let cert = Certificate::from_der(&chain[0]).unwrap();
    let ku = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == "2.5.29.15")
        .unwrap();
    let value = ku.extn_value.as_bytes();
    let decoded = KeyUsage::from_der(value).unwrap();
    assert_ne!(decoded.to_der().unwrap(), value);
    // Its KeyDescription (attestation version 3) reads.
    let kd = KeyDescription::from_der(&leaf_extension(&chain[0]).unwrap()).unwrap();
    assert_eq!(kd.attestation_version, 3);
    assert!(kd
        .software_enforced
        .iter()
        .chain(kd.hardware_enforced.iter())
        .any(|(t, _)| t == 506));
}

/// The legacy chains: those that end at Google's RSA root (an earlier
/// certificate of the same name and key, 2016-2026) validate, because an
/// anchor is trusted for its name and key and the path ends at the
/// configured one (2022-2042), also after the earlier root expired; the
/// StrongBox ones end at a root Google no longer lists and are refused.
#[test]
fn legacy_chains_behave_as_their_roots_say() {
    let verifier = android_verifier();
    let dir = corpus().join("legacy-google-android-key-attestation");
    let mut dirs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut outcomes = Vec::new();
    for d in dirs {
        let chain: Vec<Vec<u8>> = (0..4)
            .map(|i| chain_of(&d.join(format!("cert{i}.pem"))).remove(0))
            .collect();
        let root_expiry = not_after(chain.last().unwrap());
        let at = sensible_time(&chain);
        let after_root_expired = UnixTime::from_secs(root_expiry + 86_400);
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let now = verify_attestation_chain(&chain, &verifier, at, &RustCrypto)
            .map(|_| ())
            .map_err(|e| e.code());
        let later = verify_attestation_chain(&chain, &verifier, after_root_expired, &RustCrypto)
            .map(|_| ())
            .map_err(|e| e.code());
        outcomes.push((name, ends_at_google(&chain), now, later));
    }
    for (name, google, now, later) in &outcomes {
        if *google {
            assert_eq!(now, &Ok(()), "{name}");
        } else {
            assert_eq!(now, &Err("chain.no-anchor"), "{name}");
        }
        // After the in-chain root's notAfter, the intermediates (which end
        // on the same day or earlier) have expired too, or the path still
        // holds at the configured root.
        assert!(later.is_err() || *google, "{name}: {later:?}");
    }
    assert_eq!(outcomes.iter().filter(|o| o.1).count(), 2, "{outcomes:?}");
}

/// The aws-lc provider validates the same chains (RSA PKCS#1 v1.5 and the
/// cross-hash ECDSA pairings through its own code).
#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_validates_every_chain_too() {
    let verifier = android_verifier();
    for (path, _) in referenced_chains() {
        let chain = chain_of(&path);
        if !ends_at_google(&chain) {
            continue;
        }
        verify_attestation_chain(
            &chain,
            &verifier,
            sensible_time(&chain),
            &mtattest::crypto::AwsLc,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// A P-256 issuer signing with ecdsa-with-SHA384 (a test chain of the
/// Android project): refused under the strict profile, its signatures
/// verify under the Android profile (where its dummy KeyDescription is
/// then refused).
#[test]
fn a_p256_issuer_signing_with_sha384_needs_the_android_profile() {
    use mtattest::trust::profile::{Check, Position, ANDROID_RELAXATIONS};
    use mtattest::trust::{Profile, TrustAnchors};
    let chain = chain_of(&corpus().join("p256_sha384_intermediate.pem"));
    let at = UnixTime::from_secs(1_750_000_000);
    let root = chain.last().unwrap().clone();
    // Its root has no keyUsage, which this test is not about.
    let no_root_key_usage = (Check::IssuerKeyUsage, Position::Anchor);
    let mut strict = TrustAnchors::new();
    strict
        .add_der_with_profile(
            &root,
            Profile::STRICT.relax(no_root_key_usage.0, no_root_key_usage.1),
        )
        .unwrap();
    let err =
        verify_attestation_chain(&chain, &ChainVerifier::new(strict), at, &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "chain.unsupported-algorithm");
    let mut relaxations = ANDROID_RELAXATIONS.to_vec();
    relaxations.push(no_root_key_usage);
    let mut android = TrustAnchors::new();
    android
        .add_der_with_profile(&root, Profile::android_with(&relaxations))
        .unwrap();
    let err = verify_attestation_chain(&chain, &ChainVerifier::new(android), at, &RustCrypto)
        .unwrap_err();
    assert_eq!(err.code(), "android.malformed");
}
