//! `mtattest keyattestation`: validate an Android Key Attestation chain
//! against Google's roots and print its KeyDescription (spec §17.9).

use std::path::PathBuf;

use base64::Engine as _;
use mtattest::android::{
    google_anchors, google_roots, key_description_json, verify_attestation_chain, AttestationRules,
};
use mtattest::crypto::RustCrypto;
use mtattest::trust::{ChainVerifier, Revocation, StatusList};
use mtattest::UnixTime;

use crate::input::{self, lib_error};
use crate::verify::EXIT_INVALID;

/// Arguments of `mtattest keyattestation`.
#[derive(Debug, clap::Args)]
pub struct KeyAttestationArgs {
    /// The attestation chain, PEM, leaf first (as Keystore returns it).
    #[arg(value_name = "CHAIN.pem")]
    pub chain: PathBuf,
    /// Verification time: epoch seconds or RFC 3339. Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Google's attestation status list (JSON) to check every certificate
    /// against.
    #[arg(long = "status-list", value_name = "FILE")]
    pub status_list: Option<PathBuf>,
    /// Print the KeyDescription as JSON, in the shape of the Android
    /// corpus's decoded references (or {"error": {"code", "message"}}).
    #[arg(long)]
    pub json: bool,
}

/// The DER certificates of PEM text, in order. Base64 lines of any length
/// are read (Keystore tools and older test data wrap at 76 columns).
fn pem_chain(text: &str) -> Result<Vec<Vec<u8>>, String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    for block in text.split(BEGIN).skip(1) {
        let body = block
            .split(END)
            .next()
            .filter(|_| block.contains(END))
            .ok_or_else(|| format!("certificate {} has no END line", out.len()))?;
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("certificate {}: not base64 ({e})", out.len()))?;
        out.push(der);
    }
    if out.is_empty() {
        return Err("no PEM certificate found".into());
    }
    Ok(out)
}

/// Runs the command; returns the exit code (0 valid, 4 refused), or the
/// one-line message of a usage or input error (exit 1).
pub fn run(args: &KeyAttestationArgs) -> Result<u8, String> {
    let text = input::read_text("CHAIN.pem", &args.chain)?;
    let label = input::display("CHAIN.pem", &args.chain);
    let chain = pem_chain(&text).map_err(|e| format!("{label}: {e}"))?;
    let now = match &args.at {
        Some(t) => UnixTime::from_secs(input::time_arg(t)?),
        None => UnixTime::now(),
    };
    let anchors = google_anchors().map_err(|e| lib_error(&e))?;
    let mut revocation = Revocation::new();
    if let Some(path) = &args.status_list {
        let json = input::read("--status-list", path)?;
        let list = StatusList::from_json(&json).map_err(|e| lib_error(&e))?;
        revocation.set_status_list(list);
    }
    let verifier = ChainVerifier::new(anchors).with_revocation(revocation);
    let result = verify_attestation_chain(&chain, &verifier, now, &RustCrypto).and_then(|a| {
        a.check(&AttestationRules::default())?;
        Ok(a)
    });
    let attestation = match result {
        Ok(a) => a,
        Err(e) => {
            if args.json {
                let json =
                    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
            } else {
                outln!("INVALID  attestation refused: {}", lib_error(&e));
            }
            return Ok(EXIT_INVALID);
        }
    };
    let kd_json = key_description_json(&attestation.key_description);
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&kd_json).unwrap_or_default()
        );
        return Ok(0);
    }
    let root = google_roots()
        .get(attestation.anchor_index)
        .map(|r| r.name)
        .unwrap_or("an Android anchor");
    outln!(
        "VALID  Android Key Attestation, {} certificates to {root}, leaf serial {}, checked at {}",
        attestation.path_len,
        attestation.leaf_serial,
        crate::input::time_text(now.secs())
    );
    print_json("", &kd_json);
    Ok(0)
}

/// The JSON as indented `name: value` lines.
fn print_json(indent: &str, value: &serde_json::Value) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (k, v) in map {
        match v {
            serde_json::Value::Object(_) => {
                outln!("{indent}{k}:");
                print_json(&format!("{indent}  "), v);
            }
            serde_json::Value::String(s) => outln!("{indent}{k}: {s}"),
            other => outln!("{indent}{k}: {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pem_chain;

    #[test]
    fn pem_lines_of_any_length() {
        let text = "-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(pem_chain(text).unwrap(), vec![vec![0, 1, 2, 3]]);
        assert!(pem_chain("nothing").is_err());
        assert!(pem_chain("-----BEGIN CERTIFICATE-----\nAAEC").is_err());
    }
}
