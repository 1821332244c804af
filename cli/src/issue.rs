//! `mtattest issue`: sign a claims set (JSON) into a token with a device key
//! and its certificate chain.

use std::path::PathBuf;

use base64::Engine as _;
use mtattest::claims::{ClaimsSet, Cti, Nonce};
use mtattest::crypto::{PublicKey, RustCrypto, SoftwareSigner};
use mtattest::encoding::to_hex;
use mtattest::token::{HeaderPlacement, TokenBuilder};
use mtattest::UnixTime;

use crate::input::{self, lib_error};

/// How the token is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The CBOR bytes.
    Raw,
    /// Lowercase hex, one line.
    Hex,
    /// Standard base64 with padding, one line.
    Base64,
}

/// Which COSE header carries the x5chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Placement {
    /// The protected (signed) header: recommended.
    Protected,
    /// The unprotected header.
    Unprotected,
}

/// Arguments of `mtattest issue`.
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The claims, in the JSON form of spec/claims-json.md (a file, or - for
    /// stdin).
    #[arg(long, value_name = "FILE")]
    pub claims: PathBuf,
    /// The device's attestation private key: PKCS#8 (PEM or DER), P-384
    /// (signs ES384) or P-256 (ES256), e.g. device.key.pem from `mtattest pki`.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The key's certificate chain, a PEM bundle, leaf first (chain.pem from
    /// `mtattest pki`); carried in x5chain.
    #[arg(long, value_name = "CHAIN")]
    pub chain: PathBuf,
    /// Sets eat-nonce to this challenge (hex, 8..64 bytes), replacing the
    /// claims' nonce.
    #[arg(long, value_name = "HEX")]
    pub nonce: Option<String>,
    /// Stamp iat with the current time (this machine's clock) at issue
    /// time. An exp or nbf in the claims moves with iat, keeping its
    /// distance to it (the example phone's exp stays iat + 300).
    #[arg(long)]
    pub now: bool,
    /// Set exp to iat + SECS (iat after --now): the token's lifetime.
    /// At least 1.
    #[arg(long, value_name = "SECS")]
    pub ttl: Option<u32>,
    /// Set cti, the token identifier replay caches key on, to 16 random
    /// bytes from the operating system's generator.
    #[arg(long = "random-cti")]
    pub random_cti: bool,
    /// Write the token to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Token encoding. Default: raw with --out, hex on stdout.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Where x5chain goes.
    #[arg(long, value_enum, default_value_t = Placement::Protected)]
    pub x5chain: Placement,
    /// Wrap the token in the CWT tag (61).
    #[arg(long = "cwt-tag")]
    pub cwt_tag: bool,
    /// Print what was issued as JSON: alg, size, x5chain, out, and the token
    /// (hex, or base64 with --format base64) unless it went to --out.
    #[arg(long)]
    pub json: bool,
}

/// Runs `issue`.
pub fn run(args: &IssueArgs) -> Result<(), String> {
    let claims_label = input::display("--claims", &args.claims);
    let text = input::read_text("--claims", &args.claims)?;
    let mut claims = ClaimsSet::from_json_str(&text)
        .map_err(|e| format!("{claims_label}: {}", lib_error(&e.into())))?;
    if let Some(nonce) = &args.nonce {
        let bytes = input::nonce_arg(nonce, "claims.invalid-value")?;
        claims.nonce = Some(Nonce::new(bytes).map_err(|e| format!("--nonce: {e}"))?);
    }
    stamp(&mut claims, args)?;
    let signer = input::signer(&args.key)?;
    let chain = input::certificates("--chain", &args.chain)?;
    check_leaf(&signer, &chain[0])
        .map_err(|e| format!("{}: {e}", input::display("--chain", &args.chain)))?;
    let placement = match args.x5chain {
        Placement::Protected => HeaderPlacement::Protected,
        Placement::Unprotected => HeaderPlacement::Unprotected,
    };
    let token = TokenBuilder::new()
        .x5chain(chain, placement)
        .cwt_tag(args.cwt_tag)
        .sign(&claims, &signer)
        .map_err(|e| format!("signing: {}", lib_error(&e)))?;
    let format = args.format.unwrap_or(if args.out.is_some() {
        Format::Raw
    } else {
        Format::Hex
    });
    let bytes = match format {
        Format::Raw => token.clone(),
        Format::Hex => format!("{}\n", to_hex(&token)).into_bytes(),
        Format::Base64 => format!(
            "{}\n",
            base64::engine::general_purpose::STANDARD.encode(&token)
        )
        .into_bytes(),
    };
    let to_file = args.out.as_ref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = to_file {
        std::fs::write(path, &bytes).map_err(|e| format!("--out {}: {e}", path.display()))?;
    }
    let format_name = match format {
        Format::Raw => "raw",
        Format::Hex => "hex",
        Format::Base64 => "base64",
    };
    if args.json {
        // The token itself is in the JSON unless it went to a file: as
        // base64 if asked for, else hex.
        let text = match (to_file, format) {
            (Some(_), _) => None,
            (None, Format::Base64) => {
                Some(base64::engine::general_purpose::STANDARD.encode(&token))
            }
            (None, _) => Some(to_hex(&token)),
        };
        let json = serde_json::json!({
            "alg": signer_alg(&signer),
            "size": token.len(),
            "x5chain": match args.x5chain {
                Placement::Protected => "protected",
                Placement::Unprotected => "unprotected",
            },
            "cwt-tag": args.cwt_tag,
            "out": to_file.map(|p| p.display().to_string()),
            "format": if to_file.is_some() || format == Format::Base64 { format_name } else { "hex" },
            "token": text,
        });
        outln!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string())
        );
    } else if let Some(path) = to_file {
        outln!(
            "wrote {} token ({} bytes, {format_name}) to {}",
            signer_alg(&signer),
            token.len(),
            path.display()
        );
    } else {
        crate::output::write_bytes(&bytes);
    }
    Ok(())
}

/// `--now`, `--ttl` and `--random-cti`: the times and the identifier of
/// this issuance.
fn stamp(claims: &mut ClaimsSet, args: &IssueArgs) -> Result<(), String> {
    if args.now {
        let now = UnixTime::now().secs();
        let shift = |t: i64| -> Result<i64, String> {
            now.checked_add(
                t.checked_sub(claims.iat)
                    .ok_or("--now: exp or nbf out of range")?,
            )
            .ok_or_else(|| "--now: exp or nbf out of range".to_string())
        };
        claims.exp = claims.exp.map(shift).transpose()?;
        claims.nbf = claims.nbf.map(shift).transpose()?;
        claims.iat = now;
    }
    if let Some(ttl) = args.ttl {
        if ttl == 0 {
            return Err("--ttl 0: the token would expire as it is issued; give at least 1".into());
        }
        claims.exp = Some(
            claims
                .iat
                .checked_add(i64::from(ttl))
                .ok_or("--ttl: iat + ttl is out of range")?,
        );
    }
    if args.random_cti {
        let random = mtattest::new_challenge()
            .map_err(|e| format!("--random-cti: the system's random generator failed: {e}"))?;
        let cti = random
            .get(..CTI_LEN)
            .ok_or("--random-cti: too few random bytes")?;
        claims.cti = Some(Cti::new(cti.to_vec()).map_err(|e| format!("--random-cti: {e}"))?);
    }
    Ok(())
}

/// The length of a random `cti`: 16 bytes, as the claims table of the spec
/// recommends (§15).
const CTI_LEN: usize = 16;

fn signer_alg(signer: &SoftwareSigner) -> &'static str {
    use mtattest::crypto::Signer as _;
    signer.algorithm().name()
}

/// The chain's first certificate must hold the signing key, or every
/// verifier would reject the token.
fn check_leaf(signer: &SoftwareSigner, leaf_der: &[u8]) -> Result<(), String> {
    use der::Decode as _;
    let cert = x509_cert::Certificate::from_der(leaf_der)
        .map_err(|e| format!("first certificate does not parse: {e}"))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let point = spki.subject_public_key.raw_bytes();
    let key = signer.public_key();
    // Compared in the normal form: the certificate may hold the point
    // compressed.
    let same = PublicKey::from_sec1(key.curve(), point, &RustCrypto)
        .is_ok_and(|p| p.uncompressed() == key.uncompressed());
    if same {
        Ok(())
    } else {
        Err(format!(
            "the first certificate ({}) does not hold the --key's public key; the chain must be leaf first",
            cert.tbs_certificate.subject
        ))
    }
}
