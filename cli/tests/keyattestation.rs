//! `mtattest keyattestation --json` on every chain of the shared Android
//! corpus: the output equals the decoded reference beside the chain, by a
//! plain JSON comparison (after the reference's `//` comments and its
//! parser's `areTagsOrdered` diagnostic are dropped, spec §17.2.3); chains
//! that do not end at Google's roots are refused with their code.

use std::path::{Path, PathBuf};
use std::process::Command;

use der::Decode;
use serde_json::Value;
use x509_cert::Certificate;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/android-keyattestation")
}

fn pems(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pems(&p, out);
        } else if p.extension().is_some_and(|x| x == "pem") {
            out.push(p);
        }
    }
}

fn reference(text: &str) -> Value {
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let mut v: Value = serde_json::from_str(&text.join("\n")).unwrap();
    for list in ["softwareEnforced", "hardwareEnforced"] {
        if let Some(m) = v.get_mut(list).and_then(Value::as_object_mut) {
            if m.get("areTagsOrdered") == Some(&Value::Bool(true)) {
                m.remove("areTagsOrdered");
            }
        }
    }
    v
}

fn ders(path: &Path) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(path).unwrap();
    text.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .map(|b| {
            let body: String = b
                .split("-----END CERTIFICATE-----")
                .next()
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap()
        })
        .collect()
}

fn secs(t: x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

/// The latest start of validity among the certificates above the leaf and
/// Google's roots that is before the earliest end among those certificates.
fn sensible_time(chain: &[Vec<u8>]) -> i64 {
    let above: Vec<Certificate> = chain[1..]
        .iter()
        .map(|d| Certificate::from_der(d).unwrap())
        .collect();
    let end = above
        .iter()
        .map(|c| secs(c.tbs_certificate.validity.not_after))
        .min()
        .unwrap();
    above
        .iter()
        .map(|c| secs(c.tbs_certificate.validity.not_before))
        .chain(mtattest::android::google_roots().iter().map(|r| {
            secs(
                Certificate::from_der(r.der)
                    .unwrap()
                    .tbs_certificate
                    .validity
                    .not_before,
            )
        }))
        .filter(|t| *t <= end)
        .max()
        .unwrap()
}

fn ends_at_google(chain: &[Vec<u8>]) -> bool {
    let top = Certificate::from_der(chain.last().unwrap()).unwrap();
    mtattest::android::google_roots().iter().any(|r| {
        Certificate::from_der(r.der)
            .unwrap()
            .tbs_certificate
            .subject
            == top.tbs_certificate.issuer
    })
}

#[test]
fn the_json_of_every_corpus_chain_equals_its_reference() {
    let mut files = Vec::new();
    pems(&corpus(), &mut files);
    let mut compared = 0;
    for pem in files {
        let Ok(text) = std::fs::read_to_string(pem.with_extension("json")) else {
            continue;
        };
        let chain = ders(&pem);
        let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
            .args(["keyattestation", "--json", "--at"])
            .arg(sensible_time(&chain).to_string())
            .arg(&pem)
            .output()
            .unwrap();
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        if ends_at_google(&chain) {
            assert_eq!(out.status.code(), Some(0), "{}: {printed}", pem.display());
            assert_eq!(printed, reference(&text), "{}", pem.display());
            compared += 1;
        } else {
            assert_eq!(out.status.code(), Some(4), "{}", pem.display());
            assert_eq!(
                printed["error"]["code"],
                "chain.no-anchor",
                "{}",
                pem.display()
            );
        }
    }
    assert!(compared >= 12, "{compared}");
}

#[test]
fn a_refusal_prints_its_code() {
    let pem = corpus().join("invalid/malformed_rot_device_locked.pem");
    let chain = ders(&pem);
    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(["keyattestation", "--at"])
        .arg(sensible_time(&chain).to_string())
        .arg(&pem)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("INVALID"), "{text}");
    assert!(text.contains("[android.malformed]"), "{text}");
}

#[test]
fn a_listed_serial_is_refused() {
    // The sample list names, among others, the leaf's issuer of no corpus
    // chain; a list naming the tegu intermediate's serial refuses it.
    let pem = corpus().join("tegu/sdk36/TEE_EC_2026_ROOT.pem");
    let chain = ders(&pem);
    let serial = Certificate::from_der(&chain[1])
        .unwrap()
        .tbs_certificate
        .serial_number;
    let hex: String = serial
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (status, code) in [
        ("REVOKED", "chain.revoked"),
        ("SUSPENDED", "chain.suspended"),
    ] {
        let list = dir.path().join(format!("{status}.json"));
        std::fs::write(
            &list,
            format!(r#"{{"entries": {{"{hex}": {{"status": "{status}", "reason": "KEY_COMPROMISE"}}}}}}"#),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
            .args(["keyattestation", "--json", "--at"])
            .arg(sensible_time(&chain).to_string())
            .arg("--status-list")
            .arg(&list)
            .arg(&pem)
            .output()
            .unwrap();
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["error"]["code"], code);
    }
}

/// `verify` shows the attestation behind a token and what it proved, the
/// EAR carries the attested values; `inspect` shows the KeyDescription,
/// unverified.
#[test]
fn verify_and_inspect_show_the_attestation() {
    use mtattest::claims::{KeySecurityLevel, VerifiedBootState};
    use mtattest_testkit::android::{AndroidTestPki, AttestedDevice};
    use mtattest_testkit::example_phone;
    let nonce = b"cli-android-nonce-01";
    let now = 1_767_400_000;
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(nonce)).unwrap();
    let mut claims = example_phone(now - 5, nonce.to_vec());
    claims.chip.as_mut().unwrap().key_security_level = Some(KeySecurityLevel::StrongBox);
    claims.boot.as_mut().unwrap().verified_boot_state = Some(VerifiedBootState::Verified);
    claims.boot.as_mut().unwrap().bootloader_locked = Some(true);
    let token = pki.token(&claims).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.cbor"), &token).unwrap();
    std::fs::write(dir.path().join("root.pem"), pki.root.pem()).unwrap();
    std::fs::write(
        dir.path().join("verifier.json"),
        r#"{"android": {"anchors": [{"file": "root.pem"}]}}"#,
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mtattest"))
            .arg("verify")
            .arg(dir.path().join("token.cbor"))
            .arg("--config")
            .arg(dir.path().join("verifier.json"))
            .args(["--nonce", &hex::encode(nonce), "--at", &now.to_string()])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("android attestation: android-key-attestation:STRONG_BOX"),
        "{text}"
    );
    assert!(
        text.contains("root of trust: VERIFIED, bootloader locked"),
        "{text}"
    );
    assert!(text.contains("proved: submods.chip.key-security-level, submods.boot.verified-boot-state, submods.boot.bootloader-locked"), "{text}");
    assert!(
        text.contains("disagrees submods.boot.boot-key-digest"),
        "{text}"
    );
    let out = run(&["--json"]);
    let ear: Value = serde_json::from_slice(&out.stdout).unwrap();
    // verify --json carries the attestation next to the EAR.
    assert_eq!(
        ear["android"]["attester"],
        "android-key-attestation:STRONG_BOX"
    );
    assert_eq!(ear["android"]["securityLevel"], "STRONG_BOX");
    let attested = ear["ear"]["submods"]["device"]["mtattest.attested"]
        .as_array()
        .unwrap();
    assert!(attested
        .iter()
        .any(|a| a["claim"] == "submods.boot.verified-boot-state" && a["token"] == "agrees"));

    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .arg("inspect")
        .arg(dir.path().join("token.cbor"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Android KeyDescription (unverified):"),
        "{text}"
    );
    assert!(
        text.contains("security level: attestation STRONG_BOX, key STRONG_BOX"),
        "{text}"
    );
    assert!(text.contains("app: com.example.wallet"), "{text}");
}
