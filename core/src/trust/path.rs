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
//!    key identifier and confirmed by signature (`chain.no-anchor`);
//! 3. name chaining of every link (`chain.name-mismatch`);
//! 4. the anchor's own validity and critical extensions;
//! 5. for each link from the anchor down: the issuer is a CA
//!    (`chain.not-ca`) within its pathLenConstraint (`chain.path-length`)
//!    and may sign certificates (`chain.key-usage`); the signature verifies
//!    (`chain.unsupported-algorithm`, `chain.bad-signature`); the
//!    certificate is valid at the given time (`chain.expired`,
//!    `chain.not-yet-valid`) and has no unknown critical extension
//!    (`chain.unknown-critical-extension`); the leaf may sign
//!    (`chain.key-usage`); revocation (`chain.revoked`, `chain.suspended`,
//!    `chain.crl-*`).
//!
//! Names are compared as encoded (binary equality of the DER `Name`), as
//! most deployed verifiers do; issuers that rely on RFC 5280's case-folding
//! rules will not chain.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::anchors::TrustAnchors;
use super::cert::{check_signature, Cert, KeyProblem};
use super::error::ChainError;
use super::revocation::{Revocation, Status};
use super::{ChainOptions, ValidatedChain};
use crate::crypto::{CryptoProvider, PublicKey};
use crate::time::UnixTime;

/// One certificate of the path being validated, with the index errors name.
struct Node<'a> {
    cert: &'a Cert,
    index: usize,
    is_anchor: bool,
}

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
    let in_chain_anchor = certs.iter().enumerate().skip(1).find_map(|(i, c)| {
        anchors
            .certs
            .iter()
            .position(|a| a.same_entity(c))
            .map(|a| (i, a))
    });
    let mut top_verified = false;
    let (path_end, anchor_cert, anchor_index) = match in_chain_anchor {
        Some((i, a)) => (i, anchors.certs.get(a), a),
        None => {
            let last = certs.len() - 1;
            let top = certs.get(last).ok_or(ChainError::Empty)?;
            let (a, verified) = find_issuing_anchor(top, last, anchors, crypto)?;
            top_verified = verified;
            (certs.len(), anchors.certs.get(a), a)
        }
    };
    let anchor_cert = anchor_cert.ok_or(ChainError::NoAnchor {
        index: certs.len() - 1,
    })?;
    let mut path: Vec<Node<'_>> = certs
        .iter()
        .take(path_end)
        .enumerate()
        .map(|(index, cert)| Node {
            cert,
            index,
            is_anchor: false,
        })
        .collect();
    path.push(Node {
        cert: anchor_cert,
        index: path_end,
        is_anchor: true,
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

    let mut valid_from = i64::MIN;
    let mut valid_until = i64::MAX;
    let anchor = path.last().ok_or(ChainError::Empty)?;
    check_time(anchor, now, &mut valid_from, &mut valid_until)?;
    check_critical(anchor)?;
    check_status_list(anchor, revocation)?;

    // Links from the anchor down to the leaf.
    for pos in (0..path.len() - 1).rev() {
        let (Some(child), Some(issuer)) = (path.get(pos), path.get(pos + 1)) else {
            return Err(ChainError::Empty);
        };
        check_issuer(issuer, &path, pos)?;
        let issuer_key = usable_key(issuer)?;
        if !(issuer.is_anchor && top_verified) {
            verify_link(child, issuer_key, crypto)?;
        }
        check_time(child, now, &mut valid_from, &mut valid_until)?;
        check_critical(child)?;
        if pos == 0 {
            if let Some(ku) = &child.cert.key_usage {
                if !ku.digital_signature() {
                    return Err(ChainError::KeyUsage {
                        index: child.index,
                        required: "digitalSignature",
                    });
                }
            }
        }
        check_status_list(child, revocation)?;
        check_crls(
            child,
            issuer,
            issuer_key,
            revocation,
            options,
            now,
            crypto,
            &mut valid_from,
            &mut valid_until,
        )?;
    }

    let leaf = path.first().ok_or(ChainError::Empty)?;
    let leaf_key = usable_key(leaf)?.clone();
    Ok(ValidatedChain {
        leaf_key,
        leaf_serial: leaf.cert.serial_hex.clone(),
        anchor_index,
        path_len: path.len(),
        valid_from,
        valid_until,
    })
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
    for (a, anchor) in anchors.certs.iter().enumerate() {
        if top.issuer_matches(anchor).is_err() {
            continue;
        }
        let Ok(key) = &anchor.key else { continue };
        match check_signature(key, &top.sig_alg, &top.tbs, &top.signature, crypto) {
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

fn usable_key<'a>(node: &Node<'a>) -> Result<&'a PublicKey, ChainError> {
    node.cert.key.as_ref().map_err(|problem| match problem {
        KeyProblem::Unsupported(reason) => ChainError::UnsupportedAlgorithm {
            index: node.index,
            reason: reason.clone(),
        },
        KeyProblem::Invalid(reason) => ChainError::Malformed {
            index: node.index,
            reason: reason.clone(),
        },
    })
}

/// basicConstraints, pathLenConstraint and keyUsage of the certificate at
/// `pos + 1`, which issues the one at `pos`.
fn check_issuer(issuer: &Node<'_>, path: &[Node<'_>], pos: usize) -> Result<(), ChainError> {
    match &issuer.cert.basic_constraints {
        Some(bc) if bc.ca => {
            if let Some(max) = bc.path_len_constraint {
                // Intermediate CAs below the issuer: positions 1..=pos, not
                // counting self-issued ones (RFC 5280 §6.1.4 (l)).
                let found = path
                    .iter()
                    .take(pos + 1)
                    .skip(1)
                    .filter(|n| !n.cert.is_self_issued())
                    .count();
                if found > usize::from(max) {
                    return Err(ChainError::PathLength {
                        index: issuer.index,
                        max,
                        found,
                    });
                }
            }
        }
        // A version 1 root carries no extensions; trusted by configuration.
        None if issuer.is_anchor => {}
        _ => {
            return Err(ChainError::NotCa {
                index: issuer.index,
            })
        }
    }
    if let Some(ku) = &issuer.cert.key_usage {
        if !ku.key_cert_sign() {
            return Err(ChainError::KeyUsage {
                index: issuer.index,
                required: "keyCertSign",
            });
        }
    }
    Ok(())
}

fn verify_link(
    child: &Node<'_>,
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

fn check_time(
    node: &Node<'_>,
    now: UnixTime,
    valid_from: &mut i64,
    valid_until: &mut i64,
) -> Result<(), ChainError> {
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
    *valid_from = (*valid_from).max(c.not_before);
    *valid_until = (*valid_until).min(c.not_after);
    Ok(())
}

fn check_critical(node: &Node<'_>) -> Result<(), ChainError> {
    match &node.cert.unknown_critical {
        Some(oid) => Err(ChainError::UnknownCriticalExtension {
            index: node.index,
            oid: oid.clone(),
        }),
        None => Ok(()),
    }
}

fn status_error(node: &Node<'_>, status: Status, reason: &str) -> ChainError {
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

fn check_status_list(node: &Node<'_>, revocation: &Revocation) -> Result<(), ChainError> {
    match revocation.status.get(&node.cert.serial_hex) {
        Some(entry) => Err(status_error(node, entry.status, &entry.reason)),
        None => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_crls(
    child: &Node<'_>,
    issuer: &Node<'_>,
    issuer_key: &PublicKey,
    revocation: &Revocation,
    options: &ChainOptions,
    now: UnixTime,
    crypto: &dyn CryptoProvider,
    valid_from: &mut i64,
    valid_until: &mut i64,
) -> Result<(), ChainError> {
    for crl in revocation
        .crls
        .iter()
        .filter(|crl| crl.is_from(issuer.cert))
    {
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
        *valid_from = (*valid_from).max(crl.this_update);
        *valid_until = (*valid_until).min(stale_after);
        if let Some((status, reason)) = crl.revoked.get(&child.cert.serial_hex) {
            return Err(status_error(child, *status, reason));
        }
    }
    Ok(())
}
