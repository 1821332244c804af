//! Trust anchors: the manufacturer roots (or intermediates) a verifier trusts.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::cert::Cert;
use super::error::ChainError;
use crate::error::Error;

/// The set of certificates a verifier trusts. Several may be trusted at once,
/// so a manufacturer can rotate its root: tokens chaining to either verify.
/// An anchor may be an intermediate CA, which then ends every path through it.
///
/// An anchor is trusted for its subject name and key. Its validity period,
/// basicConstraints, pathLenConstraint and keyUsage are still enforced, and an
/// unknown critical extension in it still rejects the path (fail closed);
/// only a missing basicConstraints is tolerated, for version 1 roots.
///
/// ```
/// use mtattest::trust::TrustAnchors;
///
/// let mut anchors = TrustAnchors::new();
/// assert!(anchors.is_empty());
/// let err = anchors.add_der(b"not a certificate").unwrap_err();
/// assert_eq!(err.code(), "chain.bad-anchor");
/// ```
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    pub(crate) certs: Vec<Cert>,
}

impl TrustAnchors {
    /// An empty set (which trusts nothing).
    pub fn new() -> TrustAnchors {
        TrustAnchors::default()
    }

    /// Adds a DER certificate. Fails with `chain.bad-anchor` if it does not
    /// parse, if its key is not a P-256 or P-384 key, or if it repeats an
    /// anchor already in the set.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        let index = self.certs.len();
        let bad = |reason| ChainError::BadAnchor { index, reason };
        let cert = Cert::parse(der).map_err(bad)?;
        if let Err(problem) = &cert.key {
            return Err(bad(alloc::format!("{problem:?}")).into());
        }
        if self.certs.iter().any(|c| c.same_entity(&cert)) {
            return Err(bad("the same anchor is already trusted".to_string()).into());
        }
        self.certs.push(cert);
        Ok(())
    }

    /// Adds every certificate of a PEM bundle; returns how many were added.
    #[cfg(feature = "std")]
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, Error> {
        let certs =
            x509_cert::Certificate::load_pem_chain(pem).map_err(|e| ChainError::BadAnchor {
                index: self.certs.len(),
                reason: alloc::format!("not a PEM certificate bundle: {e}"),
            })?;
        for cert in &certs {
            let der = der::Encode::to_der(cert).map_err(|e| ChainError::BadAnchor {
                index: self.certs.len(),
                reason: alloc::format!("{e}"),
            })?;
            self.add_der(&der)?;
        }
        Ok(certs.len())
    }

    /// How many anchors are trusted.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether no anchor is trusted.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The anchor certificates, DER, in the order they were added.
    pub fn iter_der(&self) -> impl Iterator<Item = &[u8]> {
        self.certs.iter().map(|c| c.der.as_slice())
    }
}
