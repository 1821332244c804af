//! `mtattest pki DIR`: writes the deterministic test PKI (root → OEM
//! intermediate → device attestation key, P-384) as DER and PEM, a second
//! device that the PKI has revoked, and the revocation data that says so:
//! a CRL of the intermediate and a status list, dated now.

use std::path::{Path, PathBuf};

use mtattest::UnixTime;
use mtattest_testkit::pki::{
    issue, issue_crl, CertSpec, CrlEntryReason, CrlSpec, Issued, KeySpec, TestPki,
};

/// Arguments of `mtattest pki`.
#[derive(Debug, clap::Args)]
#[command(after_help = FILES_HELP, after_long_help = FILES_HELP)]
pub struct PkiArgs {
    /// Directory to write into (created if missing; files are overwritten).
    pub dir: PathBuf,
}

/// The files `pki` writes, shown by `mtattest pki --help`.
const FILES_HELP: &str = "\
Files:
  root.{der,pem,key.pem}          the test root: trust root.pem (--anchors)
  intermediate.{der,pem,key.pem}  the OEM attestation CA, issuer of both devices
  device.{der,pem,key.pem}        the device attestation key (serial 3003)
  chain.pem                       device + intermediate, the x5chain (issue --chain)
  device2.{der,pem,key.pem}       a second device (serial 3004), REVOKED
  chain2.pem                      device2 + intermediate
  crl.pem                         the intermediate's CRL revoking serial 3004
                                  (keyCompromise), valid from now for 30 days
                                  (verify --crl)
  status-list.json                a status list revoking serial 3004
                                  (verify --status-list)
Keys and certificates are the same every run; the CRL is dated when pki runs.";

/// The second device's certificate serial (the first is 0x3003).
const REVOKED_SERIAL: u64 = 0x3004;
/// How long the CRL is good for: `nextUpdate` is this long after now.
const CRL_VALIDITY_SECS: i64 = 30 * 86_400;

/// Writes the test PKI and lists what was written.
pub fn run(args: &PkiArgs) -> Result<(), String> {
    let pki = TestPki::standard().map_err(|e| format!("building the test PKI: {e}"))?;
    let mut files = pki.write_to_dir(&args.dir)?;
    let revoked = revoked_device(&pki)?;
    files.extend(write_revocation(
        &pki,
        &revoked,
        &args.dir,
        UnixTime::now(),
    )?);
    outln!("test PKI (deterministic; its private keys are public: never trust it in production)");
    for (role, issued) in [
        ("root", &pki.root),
        ("intermediate", &pki.intermediate),
        ("device", &pki.device),
        ("device2", &revoked),
    ] {
        outln!(
            "  {role:<12} {}  serial {:x}  {} bytes",
            issued.spec.subject,
            issued.spec.serial,
            issued.der.len()
        );
    }
    outln!("wrote {} files to {}:", files.len(), args.dir.display());
    for file in files {
        outln!("  {}", file.display());
    }
    outln!("trust root.pem; devices send chain.pem's certificates (device first) in x5chain");
    outln!(
        "device2 (chain2.pem) is revoked: crl.pem and status-list.json say so (verify --crl, --status-list)"
    );
    Ok(())
}

/// A second device under the same intermediate, for the revocation data
/// to revoke.
fn revoked_device(pki: &TestPki) -> Result<Issued, String> {
    let spec = CertSpec {
        subject: "CN=mtattest Test Device 2 Attestation Key,O=mtattest Test OEM".to_string(),
        serial: REVOKED_SERIAL,
        key: KeySpec::p384("device-2"),
        ..CertSpec::device()
    };
    let der = issue(&spec, Some(&pki.intermediate.spec))
        .map_err(|e| format!("issuing the second device: {e}"))?;
    Ok(Issued { spec, der })
}

/// Writes the second device's files, the intermediate's CRL (thisUpdate
/// `now`) and the status list, both revoking the second device.
fn write_revocation(
    pki: &TestPki,
    revoked: &Issued,
    dir: &Path,
    now: UnixTime,
) -> Result<Vec<PathBuf>, String> {
    let key = revoked
        .spec
        .key
        .private_key_pem()
        .map_err(|e| e.to_string())?;
    let crl = issue_crl(
        &pki.intermediate.spec,
        &CrlSpec {
            this_update: now.secs(),
            next_update: Some(now.secs().saturating_add(CRL_VALIDITY_SECS)),
            revoked: vec![(REVOKED_SERIAL, CrlEntryReason::KeyCompromise)],
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )
    .map_err(|e| format!("issuing the CRL: {e}"))?;
    let crl_pem = der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, &crl)
        .map_err(|e| format!("the CRL as PEM: {e}"))?;
    let status_list = serde_json::json!({
        "entries": {
            format!("{REVOKED_SERIAL:x}"): {"status": "REVOKED", "reason": "KEY_COMPROMISE"}
        }
    });
    let files: [(&str, Vec<u8>); 6] = [
        ("device2.der", revoked.der.clone()),
        ("device2.pem", revoked.pem().into_bytes()),
        ("device2.key.pem", key.into_bytes()),
        (
            "chain2.pem",
            format!("{}{}", revoked.pem(), pki.intermediate.pem()).into_bytes(),
        ),
        ("crl.pem", crl_pem.into_bytes()),
        (
            "status-list.json",
            format!("{status_list:#}\n").into_bytes(),
        ),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
