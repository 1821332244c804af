//! The seed corpora of every fuzz target: tokens, chains, policies,
//! bulletins and attestation results made with the test PKI and the example
//! phone, plus whatever `test-vectors/` and the shared external corpora
//! hold. The corpora stay out of git (fuzz/.gitignore).

use std::fs;
use std::path::{Path, PathBuf};

use crate::{chain_token_verifier, now, pki, policies, NONCE, NOW};
use ciborium::value::Value;
use mtattest::appraisal::{Preset, Status};
use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::{HeaderPlacement, TokenBuilder};
use mtattest_testkit::demo::{compromised_phone, DEMO_BULLETIN};
use mtattest_testkit::{example_phone, intercepted_phone};

/// Errors of seed writing.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Corpus {
    dir: PathBuf,
    count: usize,
}

impl Corpus {
    fn new(root: &Path, target: &str) -> Result<Corpus> {
        let dir = root.join(target);
        fs::create_dir_all(&dir)?;
        Ok(Corpus { dir, count: 0 })
    }

    fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        fs::write(self.dir.join(format!("seed-{name}")), bytes)?;
        self.count += 1;
        Ok(())
    }
}

/// Writes the seeds of `target` into `dir` (the target's corpus directory),
/// if the environment variable `MTATTEST_FUZZ_SEEDS` is set; each fuzz
/// target calls it once at start-up, so the seeds are made by the very
/// fixtures the target verifies with and need no separate build.
pub fn write_if_requested(target: &str) {
    let Some(dir) = std::env::var_os("MTATTEST_FUZZ_SEEDS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let tmp = dir.join(".seeds-tmp");
    let result = write_all(&tmp).and_then(|_| {
        for entry in fs::read_dir(tmp.join(target))? {
            let entry = entry?;
            fs::rename(entry.path(), dir.join(entry.file_name()))?;
        }
        Ok(())
    });
    let _ = fs::remove_dir_all(&tmp);
    if let Err(e) = result {
        panic!("writing the seeds of {target} into {}: {e}", dir.display());
    }
}

/// Writes the seeds of every target into `root/<target>/`.
pub fn write_all(root: &Path) -> Result<()> {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let project = fuzz_dir.join("..");
    let pki = pki();
    let healthy = example_phone(NOW, NONCE.to_vec());
    let compromised = compromised_phone(NOW, NONCE.to_vec());
    let intercepted = intercepted_phone(NOW, NONCE.to_vec());
    let device = pki.device.signer()?;

    // ---- tokens: token_decode and verify ----
    let mut tokens: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, claims) in [
        ("healthy", &healthy),
        ("compromised", &compromised),
        ("intercepted", &intercepted),
    ] {
        tokens.push((
            format!("{name}-x5chain-protected"),
            pki.token(claims, HeaderPlacement::Protected)?,
        ));
        tokens.push((
            format!("{name}-x5chain-unprotected"),
            pki.token(claims, HeaderPlacement::Unprotected)?,
        ));
        tokens.push((
            format!("{name}-x5chain-with-root-cwt-kid"),
            TokenBuilder::new()
                .x5chain(pki.chain_with_root(), HeaderPlacement::Protected)
                .kid(b"device-1".to_vec())
                .cwt_tag(true)
                .sign(claims, &device)?,
        ));
        tokens.push((
            format!("{name}-bare"),
            TokenBuilder::new().sign(claims, &device)?,
        ));
    }
    // Minimal claims, every optional claim absent.
    let minimal = ClaimsSet::builder(NOW).nonce(NONCE.to_vec())?.build();
    tokens.push((
        "minimal".into(),
        pki.token(&minimal, HeaderPlacement::Protected)?,
    ));
    // Unknown claims and an unknown submodule, with nested submods.
    let mut odd = healthy.clone();
    odd.insert_unknown(
        -75_000i64,
        Value::Array(vec![Value::Float(1.5), Value::Null]),
    )?;
    odd.insert_unknown("vendor-flag", Value::Bool(true))?;
    odd.insert_unknown_submodule(
        "tee",
        Value::Map(vec![(
            Value::Integer(266.into()),
            Value::Map(vec![(
                Value::Text("ta".into()),
                Value::Map(vec![(
                    Value::Integer(1.into()),
                    Value::Tag(1, Box::new(Value::Integer(0.into()))),
                )]),
            )]),
        )]),
    )?;
    tokens.push((
        "unknowns".into(),
        pki.token(&odd, HeaderPlacement::Protected)?,
    ));
    // A payload in non-preferred encoding (a one-entry map with iat as a
    // 64-bit integer), signed as is.
    let mut raw = vec![0xa3, 0x19, 0x01, 0x09];
    let profile = mtattest::claims::keys::PROFILE_V1.as_bytes();
    raw.push(0x78);
    raw.push(u8::try_from(profile.len())?);
    raw.extend_from_slice(profile);
    raw.extend_from_slice(&[0x06, 0x1b]);
    raw.extend_from_slice(&(NOW as u64).to_be_bytes());
    raw.extend_from_slice(&[0x0a, 0x58, u8::try_from(NONCE.len())?]);
    raw.extend_from_slice(NONCE);
    tokens.push((
        "non-preferred-payload".into(),
        TokenBuilder::new()
            .x5chain(pki.chain(), HeaderPlacement::Protected)
            .sign_payload(raw, &device)?,
    ));
    // ES256 with a throw-away key (the verifiers refuse the key).
    let p256 = SoftwareSigner::from_secret_bytes(Algorithm::Es256, &[0x31; 32])?;
    tokens.push((
        "es256-bare".into(),
        TokenBuilder::new().sign(&healthy, &p256)?,
    ));

    // Every seed token must verify (so mutations start from the deep end).
    let verifier = chain_token_verifier();
    for (name, token) in &tokens {
        let chain = name.contains("x5chain") || name == "minimal" || name == "unknowns";
        if chain {
            if let Err(e) = verifier.verify(token, Some(NONCE), now()) {
                return Err(format!("seed {name} does not verify: {e}").into());
            }
        }
    }

    let mut token_decode = Corpus::new(root, "token_decode")?;
    // inspect reads the same untrusted tokens, leniently.
    let mut inspect = Corpus::new(root, "inspect")?;
    let mut verify = Corpus::new(root, "verify")?;
    for (name, token) in &tokens {
        token_decode.add(name, token)?;
        inspect.add(name, token)?;
        verify.add(name, token)?;
    }
    for (i, bytes) in vectors(&project.join("test-vectors/tokens"), &["cbor"])
        .iter()
        .enumerate()
    {
        token_decode.add(&format!("vector-{i}"), bytes)?;
        inspect.add(&format!("vector-{i}"), bytes)?;
        verify.add(&format!("vector-{i}"), bytes)?;
    }
    for (i, bytes) in cose_examples(&project.join("../shared/corpora/cose-wg-examples"))
        .iter()
        .enumerate()
    {
        token_decode.add(&format!("cose-wg-{i}"), bytes)?;
        inspect.add(&format!("cose-wg-{i}"), bytes)?;
    }

    // ---- chains ----
    let mut chain = Corpus::new(root, "chain")?;
    let (d, i, r) = (&pki.device.der, &pki.intermediate.der, &pki.root.der);
    chain.add("device-intermediate", &[d.as_slice(), i].concat())?;
    chain.add("device-intermediate-root", &[d.as_slice(), i, r].concat())?;
    chain.add("intermediate-root", &[i.as_slice(), r].concat())?;
    chain.add("device", d)?;
    chain.add("root", r)?;
    // The chains of the conformance vectors' tokens.
    let mut seen = std::collections::BTreeSet::new();
    for bytes in vectors(&project.join("test-vectors/tokens"), &["cbor"]) {
        let Ok(token) = mtattest::token::Token::decode(&bytes, &Default::default()) else {
            continue;
        };
        if let Some((_, certs)) = token.x5chain() {
            let joined = certs.concat();
            if seen.insert(joined.clone()) {
                chain.add(&format!("vector-chain-{}", seen.len()), &joined)?;
            }
        }
    }
    for (n, bytes) in vectors(
        &project.join("../shared/corpora/cose-wg-examples/x509-examples"),
        &["der", "crt", "cer"],
    )
    .iter()
    .enumerate()
    {
        chain.add(&format!("x509-example-{n}"), bytes)?;
    }

    // ---- policies and bulletins ----
    let mut policy = Corpus::new(root, "policy")?;
    for p in Preset::ALL {
        policy.add(&format!("preset-{}", p.name()), p.json().as_bytes())?;
    }
    for (n, p) in policies().iter().enumerate() {
        policy.add(&format!("loaded-{n}"), p.to_json().as_bytes())?;
    }
    policy.add("bulletin-demo", DEMO_BULLETIN.as_bytes())?;
    for dir in ["policies", "bulletins"] {
        for (n, bytes) in vectors(&project.join("test-vectors").join(dir), &["json", "toml"])
            .iter()
            .enumerate()
        {
            policy.add(&format!("vector-{dir}-{n}"), bytes)?;
        }
    }
    policy.add("toml-byod", TOML_POLICY.as_bytes())?;
    policy.add("toml-own", TOML_OWN.as_bytes())?;
    policy.add("json-own", JSON_OWN.as_bytes())?;
    // The hand-written seeds must load, or they seed nothing deep.
    mtattest::appraisal::Policy::from_toml(TOML_POLICY)?;
    mtattest::appraisal::Policy::from_toml(TOML_OWN)?;
    mtattest::appraisal::Policy::from_json(JSON_OWN.as_bytes())?;

    // ---- attestation results ----
    let mut ear = Corpus::new(root, "ear_decode")?;
    let signer =
        SoftwareSigner::from_secret_bytes(Algorithm::Es384, &pki.device.spec.key.secret())?;
    for (name, claims) in [
        ("healthy", &healthy),
        ("compromised", &compromised),
        ("intercepted", &intercepted),
    ] {
        let token = pki.token(claims, HeaderPlacement::Protected)?;
        let verified = verifier.verify(&token, Some(NONCE), now())?;
        for p in policies() {
            let result = verifier.appraise(&verified, &p, now());
            let tag = format!("{name}-{}", p.id());
            ear.add(&format!("{tag}.cbor"), &result.to_cbor())?;
            ear.add(&format!("{tag}.json"), result.to_json().as_bytes())?;
            ear.add(&format!("{tag}.cose"), &result.sign(&signer)?)?;
            if result.status == Status::Contraindicated {
                ear.add(
                    &format!("{tag}-compact.json"),
                    result.to_json_value().to_string().as_bytes(),
                )?;
            }
            // The draft-ietf-rats-ear-04 form of the same result.
            let draft = mtattest::appraisal::EarProfile::IetfDraft04;
            ear.add(&format!("{tag}-draft04.cbor"), &result.to_cbor_as(draft))?;
            ear.add(
                &format!("{tag}-draft04.json"),
                result.to_json_as(draft).as_bytes(),
            )?;
            ear.add(
                &format!("{tag}-draft04.cose"),
                &result.sign_as(draft, &signer)?,
            )?;
        }
    }

    // ---- verifier configurations: the matrix's cases and the example ----
    let mut config = Corpus::new(root, "config")?;
    let matrix_dir = project.join("tests/config-matrix");
    if let Ok(text) = fs::read(matrix_dir.join("matrix.json")) {
        let matrix: serde_json::Value = serde_json::from_slice(&text)?;
        let anchors = matrix["anchors"].as_str().map(|a| matrix_dir.join(a));
        let pem = anchors.and_then(|a| fs::read_to_string(a).ok());
        for case in matrix["cases"].as_array().into_iter().flatten() {
            let mut doc = case["config"].clone();
            if let (Some(object), Some(pem)) = (doc.as_object_mut(), &pem) {
                object
                    .entry("anchors")
                    .or_insert_with(|| serde_json::json!([{ "pem": pem }]));
            }
            let id = case["id"].as_str().unwrap_or("case");
            config.add(&format!("matrix-{id}"), doc.to_string().as_bytes())?;
        }
    }
    if let Ok(text) = fs::read(project.join("docs/examples/verifier.toml")) {
        config.add("example-toml", &text)?;
    }

    // ---- key_description: synthetic ones and the shared Android corpus's ----
    let mut key_description = Corpus::new(root, "key_description")?;
    {
        use mtattest::android::SecurityLevel;
        use mtattest_testkit::android::AttestedDevice;
        let mut device = AttestedDevice::strongbox(NONCE);
        key_description.add("synthetic-strongbox", &device.key_description().to_der())?;
        device.security_level = SecurityLevel::TrustedEnvironment;
        device.package = None;
        device.signers.clear();
        key_description.add("synthetic-tee", &device.key_description().to_der())?;
    }
    let android = project.join("../shared/corpora/android-keyattestation");
    for (n, pem) in files(&android, &["pem"]).iter().enumerate() {
        if let Some(kd) = leaf_key_description(pem) {
            key_description.add(&format!("corpus-{n}"), &kd)?;
        }
    }

    // ---- claims_roundtrip: structure-aware, any bytes will do ----
    let mut claims = Corpus::new(root, "claims_roundtrip")?;
    claims.add("zeros", &[0u8; 64])?;
    claims.add("ones", &[0xffu8; 256])?;

    for c in [
        &token_decode,
        &inspect,
        &verify,
        &chain,
        &policy,
        &ear,
        &claims,
        &config,
        &key_description,
    ] {
        eprintln!("{}: {} seeds", c.dir.display(), c.count);
    }
    Ok(())
}

/// Files with one of `exts` under `dir` (recursively), if it exists.
fn vectors(dir: &Path, exts: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            out.extend(vectors(&path, exts));
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            if let Ok(bytes) = fs::read(&path) {
                out.push(bytes);
            }
        }
    }
    out
}

/// The CBOR outputs (`output.cbor`, hex) of the COSE WG example JSON files.
fn cose_examples(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["sign1-tests", "ecdsa-examples", "CWT"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if let Some(hex) = json.pointer("/output/cbor").and_then(|v| v.as_str()) {
                if let Some(bytes) = unhex(hex) {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

const TOML_POLICY: &str = r#"extends = "byod"
app-signers = ["a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"]
remove-rules = ["fresh"]

[[rules]]
id = "os-patch"
claim = "submods.os.os-patch-level"
max-age-days = 120
on-fail = "warning"

[actions]
warning = "step-up"
"#;

const TOML_OWN: &str = r#"id = "own"
description = "a policy of its own"

[[rules]]
id = "boot"
claim = "submods.boot.verified-boot-state"
one-of = ["verified"]
on-fail = "contraindicated"
min-source = "hardware"

[[rules]]
id = "root"
claim = "submods.runtime.measres.root"
one-of = ["success"]
on-fail = "contraindicated"

[[rules]]
id = "level"
claim = "submods.chip.key-security-level"
at-least = "tee"
on-fail = "warning"

[bulletin]
contraindicated-at = "high"
warning-at = "medium"
"#;

const JSON_OWN: &str = r#"{"id": "own", "rules": [
  {"id": "locked", "claim": "submods.boot.bootloader-locked", "equals": true, "on-fail": "contraindicated"},
  {"id": "fresh", "claim": "iat", "max-age-secs": 300, "on-fail": "warning"},
  {"id": "patch", "claim": "submods.os.os-patch-level", "max-age-days": 90, "min-source": "kernel", "on-fail": "warning"}
]}"#;

/// Paths of the files with one of `exts` under `dir` (recursively).
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(files(&p, exts));
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(p);
        }
    }
    out
}

/// The raw KeyDescription extension value of a PEM chain's first
/// certificate (malformed ones included: they are seeds too).
fn leaf_key_description(pem: &Path) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use der::Decode as _;
    let text = fs::read_to_string(pem).ok()?;
    let first = text.split("-----BEGIN CERTIFICATE-----").nth(1)?;
    let body: String = first
        .split("-----END CERTIFICATE-----")
        .next()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    let cert = x509_cert::Certificate::from_der(&der).ok()?;
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == mtattest::android::KEY_DESCRIPTION_OID)
        .map(|e| e.extn_value.as_bytes().to_vec())
}
