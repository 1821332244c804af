//! An Android attestation chain: the path under the Android profile and the
//! attestation rules on top of it (spec §17.4).

use alloc::string::{String, ToString};

use der::asn1::ObjectIdentifier;

use super::error::AndroidError;
use super::key_description::{origin_name, tag, AuthValue, KeyDescription, SecurityLevel};
use crate::crypto::{CryptoProvider, PublicKey};
use crate::error::Error;
use crate::time::UnixTime;
use crate::trust::cert::Cert;
use crate::trust::ChainVerifier;

const KEY_DESCRIPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.1.17");

/// What an attestation must show besides a valid chain (spec §17.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationRules {
    /// The lowest security level accepted for both the attestation and the
    /// key (`attestationSecurityLevel`, `keyMintSecurityLevel`). Default:
    /// TRUSTED_ENVIRONMENT: a SOFTWARE attestation proves nothing about
    /// the device (`android.software-security-level`).
    pub min_security_level: SecurityLevel,
    /// Refuse a key whose origin is not GENERATED
    /// (`android.origin-not-generated`). Default: true.
    pub require_generated: bool,
}

impl Default for AttestationRules {
    fn default() -> Self {
        AttestationRules {
            min_security_level: SecurityLevel::TrustedEnvironment,
            require_generated: true,
        }
    }
}

/// A validated Android attestation: the leaf's KeyDescription and the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndroidAttestation {
    /// The attested key's KeyDescription.
    pub key_description: KeyDescription,
    /// The attested key, when it is an EC key of §10.2 (a token key).
    pub leaf_key: Option<PublicKey>,
    /// The leaf's serial number, lowercase hex.
    pub leaf_serial: String,
    /// Which anchor the path ends at.
    pub anchor_index: usize,
    /// Certificates in the path, the anchor included.
    pub path_len: usize,
    /// The window in which the path's result holds.
    pub valid_from: UnixTime,
    /// The end of that window.
    pub valid_until: UnixTime,
}

impl AndroidAttestation {
    /// The security level the attestation vouches for: the lower of the
    /// attestation's and the key's.
    pub fn security_level(&self) -> SecurityLevel {
        let kd = &self.key_description;
        kd.attestation_security_level.min(kd.keymint_security_level)
    }

    /// The key's origin: hardware-enforced, else software-enforced.
    pub fn origin(&self) -> Option<i128> {
        let kd = &self.key_description;
        kd.hardware_enforced
            .int(tag::ORIGIN)
            .or_else(|| kd.software_enforced.int(tag::ORIGIN))
    }

    /// Applies `rules` (spec §17.4 steps 5 and 6).
    pub fn check(&self, rules: &AttestationRules) -> Result<(), AndroidError> {
        let kd = &self.key_description;
        for level in [kd.attestation_security_level, kd.keymint_security_level] {
            if level == SecurityLevel::Software
                && rules.min_security_level > SecurityLevel::Software
            {
                return Err(AndroidError::SoftwareSecurityLevel {
                    level: level.name(),
                });
            }
            if level < rules.min_security_level {
                return Err(AndroidError::SecurityLevelTooLow {
                    found: level.name(),
                    required: rules.min_security_level.name(),
                });
            }
        }
        if rules.require_generated {
            let origin = self.origin();
            if origin != Some(0) {
                return Err(AndroidError::OriginNotGenerated {
                    origin: match origin {
                        Some(code) => origin_name(code)
                            .map(ToString::to_string)
                            .unwrap_or_else(|| code.to_string()),
                        None => "absent".to_string(),
                    },
                });
            }
        }
        Ok(())
    }

    /// A value the secure hardware enforces, else (for a TEE attestation
    /// whose list places it there) none: only hardwareEnforced values are
    /// evidence (spec §17.5).
    pub fn hardware(&self, tag: u32) -> Option<&AuthValue> {
        self.key_description.hardware_enforced.get(tag)
    }
}

/// Validates an Android attestation chain (DER, leaf first) at `now` with
/// `chains`' anchors and revocation data, and parses its KeyDescription
/// (spec §17.4 steps 1–4):
///
/// 1. only the leaf carries a KeyDescription
///    (`android.key-description-misplaced`): a certificate below the
///    attested key, carrying a KeyDescription of its own, is refused;
/// 2. the path (§10.4, §10.5) under the anchor's profile (`chain.*`);
/// 3. the anchor is an Android anchor (`android.not-android-anchor`);
/// 4. the leaf's KeyDescription is present
///    (`android.key-description-missing`) and well-formed (`android.*`).
///
/// The rules of [`AttestationRules`] are applied by
/// [`AndroidAttestation::check`].
pub fn verify_attestation_chain<C: AsRef<[u8]>>(
    chain: &[C],
    chains: &ChainVerifier,
    now: UnixTime,
    crypto: &dyn CryptoProvider,
) -> Result<AndroidAttestation, Error> {
    let leaf_extension = check_placement(chain, chains)?;
    let path = chains.validate_path(chain, now, crypto)?;
    let android = chains
        .anchors()
        .profile(path.anchor_index)
        .is_some_and(|p| p.is_android());
    if !android {
        return Err(AndroidError::NotAndroidAnchor.into());
    }
    Ok(AndroidAttestation {
        key_description: read_key_description(leaf_extension)?,
        leaf_key: path.leaf_key.ec().cloned(),
        leaf_serial: path.leaf_serial,
        anchor_index: path.anchor_index,
        path_len: path.path_len,
        valid_from: UnixTime(path.valid_from),
        valid_until: UnixTime(path.valid_until),
    })
}

/// Step 1 of §17.4: no certificate but the leaf carries a KeyDescription.
/// Returns the leaf's, if it has one. A chain beyond the limits, or a
/// certificate that does not parse, is left for path validation to report.
pub(crate) fn check_placement<C: AsRef<[u8]>>(
    chain: &[C],
    chains: &ChainVerifier,
) -> Result<Option<alloc::vec::Vec<u8>>, AndroidError> {
    let options = chains.options();
    let within_limits = chain.len() <= options.max_chain_len
        && chain
            .iter()
            .all(|c| c.as_ref().len() <= options.max_cert_size);
    let mut leaf_extension = None;
    if within_limits {
        for (index, der) in chain.iter().enumerate() {
            let Ok(cert) = Cert::parse(der.as_ref()) else {
                continue;
            };
            match (index, cert.extension_value(KEY_DESCRIPTION)) {
                (0, value) => leaf_extension = value.map(<[u8]>::to_vec),
                (index, Some(_)) => return Err(AndroidError::KeyDescriptionMisplaced { index }),
                _ => {}
            }
        }
    }
    Ok(leaf_extension)
}

/// Step 4 of §17.4: the leaf's KeyDescription, present and well-formed.
pub(crate) fn read_key_description(
    leaf_extension: Option<alloc::vec::Vec<u8>>,
) -> Result<KeyDescription, AndroidError> {
    let extension = leaf_extension.ok_or(AndroidError::KeyDescriptionMissing)?;
    KeyDescription::from_der(&extension)
}
