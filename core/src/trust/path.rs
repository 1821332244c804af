//! Certification path validation (RFC 5280 §6.1, the parts attestation
//! needs), over a chain in x5chain order: leaf first, each certificate
//! issued by the next.
//!
//! Order of work, cheapest and most structural first, then from the anchor
//! down to the leaf so the error nearest the anchor wins:
//!
//! 1. length (`chain.empty`, `chain.too-long`), the size of every
//!    certificate (`chain.cert-too-large`), DER parsing of every
//!    certificate (`chain.malformed`), repeats (`chain.duplicate`);
//! 2. the anchor: the first certificate after the leaf that is itself a
//!    trust anchor ends the path (later certificates are ignored); otherwise
//!    the last certificate must be issued by an anchor, chosen by name and
//!    key identifier and confirmed by signature (`chain.no-anchor`). The
//!    anchor brings the [`Profile`] the rest is checked under;
//! 3. name chaining of every link (`chain.name-mismatch`);
//! 4. each certificate from the anchor down: its signature under the key of
//!    the certificate above it (`chain.unsupported-algorithm`,
//!    `chain.bad-signature`); if it issues the next one, that it is a CA
//!    within its pathLenConstraint whose keyUsage allows keyCertSign
//!    (`profile::check_issuer`); its content (`profile::check_certificate`);
//!    its validity at the given time (`chain.not-yet-valid`,
//!    `chain.expired`); for the leaf, that it may sign (`chain.key-usage`);
//!    revocation (`chain.revoked`, `chain.suspended`, `chain.crl-*`).
//!
//! Names are compared by the rules of RFC 5280 §7.1 (`name`).

use alloc::string::ToString;
use alloc::vec::Vec;

use super::anchors::TrustAnchors;
use super::cert::{check_signature, Cert, KeyProblem};
use super::error::ChainError;
use super::profile::{self, Check, Position, Profile, Subject};
use super::revocation::{Revocation, Status};
use super::{ChainOptions, ValidatedChain};
use crate::crypto::{CryptoProvider, PublicKey};
use crate::time::UnixTime;

/// Validates `chain` (DER, leaf first) and returns the leaf key and the time
/// window in which the result holds.
pub(crate) fn validate<C: AsRef<[u8]>>(
    chain: &[C],
    anchors: &TrustAnchors,
    revocation: &Revocation,
    options: &ChainOptions,
    now: UnixTime,
    crypto: &dyn CryptoProvider,
) -> Result<ValidatedChain, ChainError> {
    if chain.is_empty() {
        return Err(ChainError::Empty);
    }
    if chain.len() > options.max_chain_len {
        return Err(ChainError::TooLong {
            len: chain.len(),
            max: options.max_chain_len,
        });
    }
    for (index, der) in chain.iter().enumerate() {
        let size = der.as_ref().len();
        if size > options.max_cert_size {
            return Err(ChainError::CertTooLarge {
                index,
                size,
                max: options.max_cert_size,
            });
        }
    }
    let certs = chain
        .iter()
        .enumerate()
        .map(|(index, der)| {
            Cert::parse(der.as_ref()).map_err(|reason| ChainError::Malformed { index, reason })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (index, cert) in certs.iter().enumerate() {
        if let Some(first) = certs.iter().take(index).position(|c| c.same_entity(cert)) {
            return Err(ChainError::Duplicate { index, first });
        }
    }

    // The path: chain certificates up to the anchor, then the anchor.
    let in_chain_anchor = certs
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, c)| anchors.position(c).map(|a| (i, a)));
    let mut top_verified = false;
    let (path_end, anchor_index) = match in_chain_anchor {
        Some((i, a)) => (i, a),
        None => {
            let last = certs.len() - 1;
            let top = certs.get(last).ok_or(ChainError::Empty)?;
            let (a, verified) = find_issuing_anchor(top, last, anchors, crypto)?;
            top_verified = verified;
            (certs.len(), a)
        }
    };
    let (anchor_cert, profile) = anchors.get(anchor_index).ok_or(ChainError::NoAnchor {
        index: certs.len() - 1,
    })?;
    let mut path: Vec<Subject<'_>> = certs
        .iter()
        .take(path_end)
        .enumerate()
        .map(|(index, cert)| Subject {
            cert,
            index,
            position: if index == 0 {
                Position::Leaf
            } else {
                Position::Intermediate
            },
        })
        .collect();
    path.push(Subject {
        cert: anchor_cert,
        index: path_end,
        position: Position::Anchor,
    });

    // Name chaining of every link.
    for link in path.windows(2) {
        if let [child, parent] = link {
            child
                .cert
                .issuer_matches(parent.cert)
                .map_err(|reason| ChainError::NameMismatch {
                    index: child.index,
                    reason,
                })?;
        }
    }

    // Each certificate from the anchor down: its signature (under the key
    // of the certificate above it), its role as the issuer of the one below
    // it, its own content, its validity, its revocation.
    let mut window = Window::default();
    let top = path.len() - 1;
    for pos in (0..path.len()).rev() {
        let Some(node) = path.get(pos) else {
            return Err(ChainError::Empty);
        };
        let issuer = path.get(pos + 1);
        let issuer_key = match issuer {
            Some(issuer) => Some((issuer, usable_key(issuer, crypto)?)),
            None => None,
        };
        if let Some((_, key)) = &issuer_key {
            if !(pos + 1 == top && top_verified) {
                verify_link(node, key, crypto)?;
            }
        }
        if let Some(issued) = pos.checked_sub(1) {
            profile::check_issuer(node, &path, issued, profile)?;
        }
        profile::check_certificate(node, profile)?;
        window.check(node, now, profile)?;
        if node.position == Position::Leaf {
            profile::check_leaf(node, profile)?;
        }
        check_status_list(node, revocation)?;
        if let Some((issuer, key)) = &issuer_key {
            check_crls(
                node,
                issuer,
                key,
                revocation,
                options,
                now,
                crypto,
                &mut window,
            )?;
        }
    }

    let leaf = path.first().ok_or(ChainError::Empty)?;
    let leaf_key = usable_key(leaf, crypto)?;
    Ok(ValidatedChain {
        leaf_key,
        leaf_serial: leaf.cert.serial_hex.clone(),
        anchor_index,
        path_len: path.len(),
        valid_from: window.from,
        valid_until: window.until,
    })
}

/// The window in which every time-dependent fact used holds: the latest
/// notBefore (or CRL thisUpdate) to the earliest notAfter (or CRL
/// nextUpdate plus grace).
struct Window {
    from: i64,
    until: i64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            from: i64::MIN,
            until: i64::MAX,
        }
    }
}

impl Window {
    fn narrow(&mut self, from: i64, until: i64) {
        self.from = self.from.max(from);
        self.until = self.until.min(until);
    }

    /// The certificate's validity at `now` (inclusive bounds, RFC 5280
    /// §4.1.2.5), unless the profile relaxes it at this position; a relaxed
    /// certificate's dates do not bound the window either.
    fn check(
        &mut self,
        node: &Subject<'_>,
        now: UnixTime,
        profile: &Profile,
    ) -> Result<(), ChainError> {
        if !profile.enforces(Check::Validity, node.position) {
            return Ok(());
        }
        let c = node.cert;
        if now.secs() < c.not_before {
            return Err(ChainError::NotYetValid {
                index: node.index,
                not_before: c.not_before,
                now: now.secs(),
            });
        }
        if now.secs() > c.not_after {
            return Err(ChainError::Expired {
                index: node.index,
                not_after: c.not_after,
                now: now.secs(),
            });
        }
        self.narrow(c.not_before, c.not_after);
        Ok(())
    }
}

/// The anchor that issued `top`: same name (and key identifier when both
/// have one), confirmed by signature. Returns the anchor and whether `top`'s
/// signature was verified on the way.
fn find_issuing_anchor(
    top: &Cert,
    index: usize,
    anchors: &TrustAnchors,
    crypto: &dyn CryptoProvider,
) -> Result<(usize, bool), ChainError> {
    let mut first_failure = None;
    for (a, (anchor, _)) in anchors.iter().enumerate() {
        if top.issuer_matches(anchor).is_err() {
            continue;
        }
        // An anchor whose key is no point of its curve issues nothing
        // (`VerifierConfig` refuses such an anchor when it is loaded).
        let Ok(Ok(key)) = anchor.key.as_ref().map(|k| k.checked(crypto)) else {
            continue;
        };
        match check_signature(&key, &top.sig_alg, &top.tbs, &top.signature, crypto) {
            Ok(true) => return Ok((a, true)),
            Ok(false) => {
                first_failure.get_or_insert(ChainError::BadSignature { index });
            }
            Err(reason) => {
                first_failure.get_or_insert(ChainError::UnsupportedAlgorithm { index, reason });
            }
        }
    }
    Err(first_failure.unwrap_or(ChainError::NoAnchor { index }))
}

/// The certificate's key, its point checked by `crypto`.
fn usable_key(node: &Subject<'_>, crypto: &dyn CryptoProvider) -> Result<PublicKey, ChainError> {
    let problem = match node.cert.key.as_ref().map(|k| k.checked(crypto)) {
        Ok(Ok(key)) => return Ok(key),
        Ok(Err(problem)) => problem,
        Err(problem) => problem.clone(),
    };
    Err(match problem {
        KeyProblem::Unsupported(reason) => ChainError::UnsupportedAlgorithm {
            index: node.index,
            reason,
        },
        KeyProblem::Invalid(reason) => ChainError::Malformed {
            index: node.index,
            reason,
        },
    })
}

fn verify_link(
    child: &Subject<'_>,
    issuer_key: &PublicKey,
    crypto: &dyn CryptoProvider,
) -> Result<(), ChainError> {
    let c = child.cert;
    match check_signature(issuer_key, &c.sig_alg, &c.tbs, &c.signature, crypto) {
        Ok(true) => Ok(()),
        Ok(false) => Err(ChainError::BadSignature { index: child.index }),
        Err(reason) => Err(ChainError::UnsupportedAlgorithm {
            index: child.index,
            reason,
        }),
    }
}

fn status_error(node: &Subject<'_>, status: Status, reason: &str) -> ChainError {
    let (index, serial, reason) = (node.index, node.cert.serial_hex.clone(), reason.to_string());
    match status {
        Status::Revoked => ChainError::Revoked {
            index,
            serial,
            reason,
        },
        Status::Suspended => ChainError::Suspended {
            index,
            serial,
            reason,
        },
    }
}

fn check_status_list(node: &Subject<'_>, revocation: &Revocation) -> Result<(), ChainError> {
    match revocation.status.get(&node.cert.serial_hex) {
        Some(entry) => Err(status_error(node, entry.status, &entry.reason)),
        None => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_crls(
    child: &Subject<'_>,
    issuer: &Subject<'_>,
    issuer_key: &PublicKey,
    revocation: &Revocation,
    options: &ChainOptions,
    now: UnixTime,
    crypto: &dyn CryptoProvider,
    window: &mut Window,
) -> Result<(), ChainError> {
    for crl in revocation
        .crls
        .iter()
        .filter(|crl| crl.is_from(issuer.cert))
    {
        // RFC 5280 §6.3.3 (f): the CRL issuer's key must be allowed to sign
        // CRLs (keyUsage is present on every issuer, §10.4).
        if issuer
            .cert
            .key_usage
            .as_ref()
            .is_some_and(|ku| !ku.crl_sign())
        {
            return Err(ChainError::CrlKeyUsage {
                index: issuer.index,
            });
        }
        match check_signature(issuer_key, &crl.sig_alg, &crl.tbs, &crl.signature, crypto) {
            Ok(true) => {}
            Ok(false) | Err(_) => {
                return Err(ChainError::CrlBadSignature {
                    index: issuer.index,
                })
            }
        }
        if now.secs() < crl.this_update {
            return Err(ChainError::CrlNotYetValid {
                index: issuer.index,
                this_update: crl.this_update,
                now: now.secs(),
            });
        }
        let stale_after = crl
            .next_update
            .saturating_add(i64::from(options.crl_grace_secs));
        if now.secs() > stale_after {
            return Err(ChainError::CrlStale {
                index: issuer.index,
                next_update: crl.next_update,
                now: now.secs(),
            });
        }
        window.narrow(crl.this_update, stale_after);
        if let Some((status, reason)) = crl.revoked.get(&child.cert.serial_hex) {
            return Err(status_error(child, *status, reason));
        }
    }
    Ok(())
}
