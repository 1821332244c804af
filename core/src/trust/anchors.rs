//! Trust anchors: the manufacturer roots (or intermediates) a verifier trusts.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::cert::Cert;
use super::error::ChainError;
use super::profile::Profile;
use crate::crypto::CryptoProvider;
use crate::error::Error;

/// The set of certificates a verifier trusts. Several may be trusted at once,
/// so a manufacturer can rotate its root: tokens chaining to either verify.
/// An anchor may be an intermediate CA, which then ends every path through it.
///
/// An anchor is trusted for its subject name and key. It is still a
/// certificate of the path: it must follow the certificate profile
/// (version 3, critical basicConstraints with cA, keyUsage with
/// keyCertSign, a subjectKeyIdentifier, ...; spec §10.3, §10.4), be valid at
/// the verification time and carry no critical extension the profile does
/// not process. Each anchor carries the [`Profile`] that paths ending at it
/// are checked under: [`Profile::STRICT`] unless added with
/// [`TrustAnchors::add_der_with_profile`].
///
/// ```
/// use mtattest::trust::TrustAnchors;
///
/// let mut anchors = TrustAnchors::new();
/// assert!(anchors.is_empty());
/// let err = anchors.add_der(b"not a certificate").unwrap_err();
/// assert_eq!(err.code(), "chain.bad-anchor");
/// let err = anchors.add_pem(b"").unwrap_err();
/// assert_eq!(err.code(), "chain.bad-anchor");
/// ```
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    entries: Vec<(Cert, Profile)>,
}

impl TrustAnchors {
    /// An empty set (which trusts nothing).
    pub fn new() -> TrustAnchors {
        TrustAnchors::default()
    }

    /// The anchors of a PEM bundle (every block a `CERTIFICATE`, under the
    /// strict profile): [`TrustAnchors::add_pem`] on an empty set. A bundle
    /// with no certificate, or any block that is not a usable anchor, is
    /// `chain.bad-anchor`.
    ///
    /// ```
    /// use mtattest::trust::TrustAnchors;
    ///
    /// let root = include_bytes!("../../../test-vectors/anchors/root.pem");
    /// assert_eq!(TrustAnchors::from_pem(root).unwrap().len(), 1);
    /// let err = TrustAnchors::from_pem(b"no PEM here").unwrap_err();
    /// assert_eq!(err.code(), "chain.bad-anchor");
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<TrustAnchors, Error> {
        let mut anchors = TrustAnchors::new();
        anchors.add_pem(pem)?;
        Ok(anchors)
    }

    /// Adds a DER certificate, under the strict profile. Fails with
    /// `chain.bad-anchor` if it does not parse (a private key says so), if
    /// its key is not a P-256 or P-384 key, or if another certificate with
    /// the subject and key of an anchor already in the set is added. The
    /// same certificate added again under the same profile is ignored: it is
    /// trusted once (spec §10.3).
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        self.add_der_with_profile(der, Profile::STRICT)
    }

    /// Adds a DER certificate whose paths are checked under `profile`
    /// instead of the strict one: for an ecosystem whose real chains break a
    /// named rule, relaxed for its own anchors only (spec §10.4.3).
    pub fn add_der_with_profile(&mut self, der: &[u8], profile: Profile) -> Result<(), Error> {
        let index = self.entries.len();
        let bad = |reason| ChainError::BadAnchor { index, reason };
        let cert = Cert::parse(der).map_err(|reason| {
            if looks_like_private_key(der) {
                bad("a private key, not a certificate: trust the CA's certificate".to_string())
            } else {
                bad(reason)
            }
        })?;
        match &cert.key {
            Err(problem) => return Err(bad(alloc::format!("{problem:?}")).into()),
            Ok(super::cert::EncodedCertKey::Rsa(_)) if !profile.allows_rsa() => {
                return Err(bad(
                    "an RSA key, which only a profile allowing RSA signatures can trust (§10.2)"
                        .to_string(),
                )
                .into())
            }
            Ok(_) => {}
        }
        // Configured twice (a bundle and the same root again): one anchor.
        if self
            .entries
            .iter()
            .any(|(c, p)| c.der == cert.der && *p == profile)
        {
            return Ok(());
        }
        if self.entries.iter().any(|(c, _)| c.same_entity(&cert)) {
            return Err(bad(
                "another certificate (or another profile) for the subject and key of an anchor                  already trusted"
                    .to_string(),
            )
            .into());
        }
        self.entries.push((cert, profile));
        Ok(())
    }

    /// Adds every certificate of a PEM bundle (under the strict profile);
    /// returns how many were added (a certificate already trusted is not
    /// counted). A bundle without any certificate
    /// (empty, blank, text without a PEM block) is refused with
    /// `chain.bad-anchor`: it trusts nothing, and saying so beats a verifier
    /// that silently refuses every token.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, Error> {
        let bad = |reason: alloc::string::String| ChainError::BadAnchor {
            index: self.entries.len(),
            reason,
        };
        let text = core::str::from_utf8(pem)
            .map_err(|e| bad(alloc::format!("the PEM text is not UTF-8: {e}")))?;
        let ders = crate::encoding::pem_blocks(text, "CERTIFICATE")
            .map_err(|e| bad(alloc::format!("not a PEM certificate bundle: {}", e.reason)))?;
        let before = self.entries.len();
        for der in &ders {
            self.add_der(der)?;
        }
        Ok(self.entries.len() - before)
    }

    /// The profile of the anchor at `index`.
    pub fn profile(&self, index: usize) -> Option<&Profile> {
        self.entries.get(index).map(|(_, p)| p)
    }

    /// Checks with `crypto` that every anchor's key is a point of its
    /// curve, which needs curve arithmetic and so is not done when an
    /// anchor is added: `chain.bad-anchor` for the first that is not.
    /// [`VerifierConfig`](crate::config::VerifierConfig) does this when it
    /// builds a verifier; an anchor whose key is not on its curve otherwise
    /// issues nothing (`chain.no-anchor`, or `chain.malformed` when it is
    /// in the chain).
    pub fn check_keys(&self, crypto: &dyn CryptoProvider) -> Result<(), Error> {
        for (index, (cert, _)) in self.entries.iter().enumerate() {
            let checked = match &cert.key {
                Ok(key) => key.checked(crypto),
                Err(problem) => Err(problem.clone()),
            };
            if let Err(problem) = checked {
                return Err(ChainError::BadAnchor {
                    index,
                    reason: alloc::format!("{problem:?}"),
                }
                .into());
            }
        }
        Ok(())
    }

    /// How many anchors are trusted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no anchor is trusted.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The anchor certificates, DER, in the order they were added.
    pub fn iter_der(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|(c, _)| c.der.as_slice())
    }

    /// The profile of each anchor, in the order they were added.
    pub fn iter_profiles(&self) -> impl Iterator<Item = &Profile> {
        self.entries.iter().map(|(_, p)| p)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Cert, &Profile)> {
        self.entries.iter().map(|(c, p)| (c, p))
    }

    pub(crate) fn get(&self, index: usize) -> Option<(&Cert, &Profile)> {
        self.entries.get(index).map(|(c, p)| (c, p))
    }

    /// The anchor that is `cert` (same subject and key), if any.
    pub(crate) fn position(&self, cert: &Cert) -> Option<usize> {
        self.entries.iter().position(|(a, _)| a.same_entity(cert))
    }
}

/// Whether `der` is a SEQUENCE whose first field is an INTEGER: the
/// version of a private key (PKCS #8, SEC 1, PKCS #1), where a certificate
/// starts with its tbsCertificate SEQUENCE. Only used to word a refusal.
fn looks_like_private_key(der: &[u8]) -> bool {
    use der::asn1::AnyRef;
    use der::{Decode as _, Reader as _, SliceReader, Tag, Tagged as _};
    let Ok(mut outer) = SliceReader::new(der) else {
        return false;
    };
    let Ok(sequence) = AnyRef::decode(&mut outer) else {
        return false;
    };
    if sequence.tag() != Tag::Sequence || !outer.is_finished() {
        return false;
    }
    let Ok(mut inner) = SliceReader::new(sequence.value()) else {
        return false;
    };
    AnyRef::decode(&mut inner).is_ok_and(|first| first.tag() == Tag::Integer)
}
