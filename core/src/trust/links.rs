//! The signature checks of path validation, answered from the link cache
//! when the same issuer certificate's signature over the same certificate
//! or CRL was verified before (spec §10.6).
//!
//! A link entry stands for one fact: "the signature of this exact object
//! verifies under the key of this exact issuer certificate". That fact
//! depends on nothing but those bytes, so it is keyed by them (and, for
//! good measure, by the configuration fingerprint: a changed
//! configuration never reuses an entry). Everything else a link involves
//! (names, the issuer's role and pathLenConstraint, the profile, validity,
//! revocation) depends on the whole path or on the time and is checked on
//! every path, hit or not. Only verified signatures are cached, and only
//! those of certificates that issue others (intermediates) and of CRLs: a
//! leaf's link is checked whenever its chain is validated, since only that
//! device's tokens would reuse it, and those hit the chain cache.

use alloc::string::String;

#[cfg(feature = "std")]
use super::cache::{LinkCache, LinkWindow};
use super::cert::{check_signature, Cert, CertKey};
use super::revocation::Crl;
use crate::crypto::CryptoProvider;
use crate::time::UnixTime;

/// What an issuer signed.
#[derive(Clone, Copy)]
// Without `std` there is no cache, and what identifies a link is unused.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) enum Signed<'a> {
    /// A certificate that issues others in the path: cached.
    Ca(&'a Cert),
    /// The leaf certificate: always verified.
    Leaf(&'a Cert),
    /// The configuration's CRL number `index`, valid with `grace` seconds
    /// after its nextUpdate: cached.
    Crl {
        index: usize,
        crl: &'a Crl,
        grace: u32,
    },
}

/// The crypto provider of one validation, and the link cache with the
/// configuration fingerprint when the verifier has one.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) struct Links<'a> {
    pub(crate) crypto: &'a dyn CryptoProvider,
    now: UnixTime,
    #[cfg(feature = "std")]
    cache: Option<(&'a LinkCache, [u8; 48])>,
}

impl<'a> Links<'a> {
    /// Every signature verified by `crypto`, nothing cached.
    pub(crate) fn uncached(crypto: &'a dyn CryptoProvider, now: UnixTime) -> Links<'a> {
        Links {
            crypto,
            now,
            #[cfg(feature = "std")]
            cache: None,
        }
    }

    /// Signatures of issuers and CRLs answered from `cache` when verified
    /// before under the configuration whose fingerprint is `fingerprint`.
    #[cfg(feature = "std")]
    pub(crate) fn cached(
        crypto: &'a dyn CryptoProvider,
        now: UnixTime,
        cache: &'a LinkCache,
        fingerprint: [u8; 48],
    ) -> Links<'a> {
        Links {
            crypto,
            now,
            cache: Some((cache, fingerprint)),
        }
    }

    /// [`check_signature`] of `signed` under `issuer`'s key `issuer_key`,
    /// with the algorithms of §10.2 or, `relaxed`, those an Android chain
    /// may also use (§17.3).
    pub(crate) fn check(
        &self,
        issuer: &Cert,
        issuer_key: &CertKey,
        signed: Signed<'_>,
        relaxed: bool,
    ) -> Result<bool, String> {
        let (sig_alg, tbs, signature) = match signed {
            Signed::Ca(c) | Signed::Leaf(c) => (&c.sig_alg, &c.tbs, &c.signature),
            Signed::Crl { crl, .. } => (&crl.sig_alg, &crl.tbs, &crl.signature),
        };
        let verify = || check_signature(issuer_key, sig_alg, tbs, signature, relaxed, self.crypto);
        #[cfg(not(feature = "std"))]
        let _ = issuer;
        #[cfg(feature = "std")]
        if let Some((cache, fingerprint)) = self.cache {
            let Some(key) = self.key(&fingerprint, issuer, signed, relaxed) else {
                return verify();
            };
            if cache.holds(&key, self.now) {
                return Ok(true);
            }
            let verified = verify()?;
            let window = window(issuer, signed);
            // A link outside its window (under a profile that relaxes
            // validity) could never be a hit.
            if verified && window.from <= self.now.secs() && self.now.secs() <= window.until {
                cache.insert(key, window, self.now);
            }
            return Ok(verified);
        }
        verify()
    }

    /// SHA-384 over the domain label, the fingerprint, the issuer's DER and
    /// the signed certificate's DER or the CRL's index (the fingerprint
    /// holds the CRLs' DER), each length-prefixed; `None` for a leaf.
    #[cfg(feature = "std")]
    fn key(
        &self,
        fingerprint: &[u8; 48],
        issuer: &Cert,
        signed: Signed<'_>,
        relaxed: bool,
    ) -> Option<[u8; 48]> {
        // A link verified with the Android algorithms (§17.3) is never a
        // hit for a check with only those of §10.2.
        let (kind, object): (&[u8], alloc::borrow::Cow<'_, [u8]>) = match (signed, relaxed) {
            (Signed::Leaf(_), _) => return None,
            (Signed::Ca(c), false) => (b"certificate", c.der.as_slice().into()),
            (Signed::Ca(c), true) => (b"certificate, android algorithms", c.der.as_slice().into()),
            (Signed::Crl { index, .. }, _) => {
                (b"crl", (index as u64).to_be_bytes().to_vec().into())
            }
        };
        let parts: [&[u8]; 4] = [fingerprint, &issuer.der, kind, &object];
        const DOMAIN: &[u8] = b"mtattest link v1\0";
        let mut data = alloc::vec::Vec::with_capacity(
            DOMAIN.len() + parts.iter().map(|p| p.len() + 8).sum::<usize>(),
        );
        data.extend_from_slice(DOMAIN);
        for part in parts {
            data.extend_from_slice(&(part.len() as u64).to_be_bytes());
            data.extend_from_slice(part);
        }
        Some(self.crypto.sha384(&data))
    }
}

/// When a link can be part of a valid path: both certificates valid (and,
/// for a CRL, the CRL current, grace included).
#[cfg(feature = "std")]
fn window(issuer: &Cert, signed: Signed<'_>) -> LinkWindow {
    let (from, until) = match signed {
        Signed::Ca(c) | Signed::Leaf(c) => (c.not_before, c.not_after),
        Signed::Crl { crl, grace, .. } => (
            crl.this_update,
            crl.next_update.saturating_add(i64::from(grace)),
        ),
    };
    LinkWindow {
        from: from.max(issuer.not_before),
        until: until.min(issuer.not_after),
    }
}
