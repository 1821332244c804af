//! Google's hardware attestation roots, shipped as a named anchor set
//! (spec §17.3.2, which lists their SHA-256 fingerprints).

use crate::error::Error;
use crate::trust::{Profile, TrustAnchors};

/// One of Google's attestation roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoogleRoot {
    /// A name for people.
    pub name: &'static str,
    /// The certificate, DER.
    pub der: &'static [u8],
    /// SHA-256 of `der`, lowercase hex (spec §17.3.2).
    pub sha256: &'static str,
}

const ROOTS: [GoogleRoot; 2] = [
    GoogleRoot {
        name: "Google hardware attestation root, RSA-4096 (serial f1c172a699eaf51d, 2022-2042)",
        der: include_bytes!("roots/google-rsa-4096-f1c172a699eaf51d.der"),
        sha256: "cedb1cb6dc896ae5ec797348bce9286753c2b38ee71ce0fbe34a9a1248800dfc",
    },
    GoogleRoot {
        name: "Google Key Attestation CA1, EC P-384 (2025-2035)",
        der: include_bytes!("roots/google-ec-p384-key-attestation-ca1.der"),
        sha256: "6d9db4ce6c5c0b293166d08986e05774a8776ceb525d9e4329520de12ba4bcc0",
    },
];

/// Google's hardware attestation roots: the RSA-4096 root and the EC P-384
/// root.
pub fn google_roots() -> &'static [GoogleRoot] {
    &ROOTS
}

/// Trust anchors holding Google's roots under the Android profile.
///
/// ```
/// let anchors = mtattest::android::google_anchors().unwrap();
/// assert_eq!(anchors.len(), 2);
/// assert!(anchors.profile(0).unwrap().is_android());
/// ```
pub fn google_anchors() -> Result<TrustAnchors, Error> {
    let mut anchors = TrustAnchors::new();
    for root in ROOTS {
        anchors.add_der_with_profile(root.der, Profile::android())?;
    }
    Ok(anchors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn fingerprints_are_those_of_the_certificates() {
        for root in ROOTS {
            assert_eq!(hex::encode(sha2::Sha256::digest(root.der)), root.sha256);
        }
    }
}
