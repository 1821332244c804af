//! The COSE_Sign1 envelope: producing a signed token and checking one.
//!
//! Structures come from `coset`; crypto stays outside them, behind
//! [`Signer`] and [`CryptoProvider`]. Checking runs in a fixed order so
//! the cheapest, most specific rejection wins: size, CBOR well-formedness,
//! tags, COSE structure, header rules, signature (by the caller's key),
//! and only then the claims.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use coset::{iana, AsCborValue};

use crate::cbor;
use crate::claims::ClaimsSet;
use crate::crypto::{Algorithm, CryptoProvider, PublicKey, Signer};
use crate::error::{CryptoError, Error, TokenError};
use crate::limits::Limits;

/// COSE_Sign1 tag (RFC 9052).
pub const TAG_COSE_SIGN1: u64 = 18;
/// CWT tag (RFC 8392), accepted around the COSE_Sign1 tag.
pub const TAG_CWT: u64 = 61;
/// The x5chain header parameter (RFC 9360).
pub const HEADER_X5CHAIN: i64 = 33;

/// Header parameters this implementation understands, so `crit` may list them.
const UNDERSTOOD_HEADERS: [i64; 5] = [
    iana::HeaderParameter::Alg as i64,
    iana::HeaderParameter::Crit as i64,
    iana::HeaderParameter::ContentType as i64,
    iana::HeaderParameter::Kid as i64,
    HEADER_X5CHAIN,
];

/// What a decoder accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Size, depth and count limits.
    pub limits: Limits,
    /// Algorithms the verifier allows; anything else is rejected.
    pub allowed_algorithms: Vec<Algorithm>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            limits: Limits::DEFAULT,
            allowed_algorithms: Algorithm::ALL.to_vec(),
        }
    }
}

/// Which header carries a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderPlacement {
    /// The integrity-protected header (preferred).
    Protected,
    /// The unprotected header.
    Unprotected,
}

/// A token whose envelope passed every structural and header rule. Its
/// signature is not checked yet: call [`Token::verify`] or
/// [`Token::verify_signature`] before trusting anything in it.
#[derive(Debug, Clone)]
pub struct Token {
    /// The envelope; its payload is moved out into `payload`.
    sign1: coset::CoseSign1,
    payload: Vec<u8>,
    algorithm: Algorithm,
    x5chain: Option<(HeaderPlacement, Vec<Vec<u8>>)>,
    cwt_tagged: bool,
    limits: Limits,
}

impl Token {
    /// Parses `bytes` and applies the envelope rules of the profile.
    ///
    /// ```
    /// use mtattest::token::{DecodeOptions, Token};
    /// use mtattest::TokenError;
    ///
    /// // An untagged array is refused before anything else is looked at.
    /// let err = Token::decode(&[0x84, 0x40, 0xa0, 0x40, 0x40], &DecodeOptions::default()).unwrap_err();
    /// assert_eq!(err.code(), "token.untagged");
    /// ```
    pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Token, Error> {
        let limits = options.limits;
        if bytes.len() > limits.max_token_size {
            return Err(TokenError::TooLarge {
                size: bytes.len(),
                max: limits.max_token_size,
            }
            .into());
        }
        let value = cbor::decode_strict(bytes, &limits)?;
        let (inner, cwt_tagged) = strip_tags(value)?;
        let headers = RawHeaders::parse(&inner, &limits)?;
        if headers.unprotected_value(ALG).is_some() {
            return Err(TokenError::AlgUnprotected.into());
        }
        let algorithm = match headers.protected_value(ALG) {
            None => return Err(TokenError::AlgMissing.into()),
            Some(alg) => alg
                .as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .and_then(Algorithm::from_cose_id)
                .filter(|a| options.allowed_algorithms.contains(a))
                .ok_or_else(|| TokenError::AlgNotAllowed { alg: describe(alg) })?,
        };
        headers.check_disjoint()?;
        headers.check_crit()?;
        let x5chain = headers.x5chain()?;
        let protected = headers.protected;
        let mut sign1 = sign1_from_parts(inner, protected)?;
        let payload = sign1.payload.take().ok_or(TokenError::DetachedPayload)?;
        Ok(Token {
            sign1,
            payload,
            algorithm,
            x5chain,
            cwt_tagged,
            limits,
        })
    }

    /// The signature algorithm from the protected header.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The certificate chain (leaf first, DER) and where it was carried, if any.
    pub fn x5chain(&self) -> Option<(HeaderPlacement, &[Vec<u8>])> {
        self.x5chain
            .as_ref()
            .map(|(placement, chain)| (*placement, chain.as_slice()))
    }

    /// The key identifier, from either header, if any.
    pub fn kid(&self) -> Option<&[u8]> {
        [&self.sign1.protected.header, &self.sign1.unprotected]
            .into_iter()
            .map(|h| h.key_id.as_slice())
            .find(|kid| !kid.is_empty())
    }

    /// Whether the token was wrapped in the CWT tag (61).
    pub fn is_cwt_tagged(&self) -> bool {
        self.cwt_tagged
    }

    /// The signed payload bytes, exactly as sent.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The signature bytes, exactly as sent.
    pub fn signature(&self) -> &[u8] {
        &self.sign1.signature
    }

    /// The COSE Sig_structure the signature covers:
    /// `["Signature1", protected header bytes as sent, h'', payload]`.
    pub fn to_be_signed(&self) -> Vec<u8> {
        match &self.sign1.protected.original_data {
            Some(protected) => sig_structure(protected, &self.payload),
            // Not reached: a decoded token keeps its header bytes as sent.
            None => coset::sig_structure_data(
                coset::SignatureContext::CoseSign1,
                self.sign1.protected.clone(),
                None,
                &[],
                &self.payload,
            ),
        }
    }

    /// Checks the signature under `key`.
    pub fn verify_signature(
        &self,
        key: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<(), Error> {
        if key.curve() != self.algorithm.curve() {
            return Err(TokenError::KeyAlgorithmMismatch {
                key: key.curve().name(),
                alg: self.algorithm.name(),
            }
            .into());
        }
        if crypto.verify(self.algorithm, key, &self.to_be_signed(), self.signature()) {
            Ok(())
        } else {
            Err(TokenError::BadSignature.into())
        }
    }

    /// Decodes the claims without checking the signature. For inspection only:
    /// nothing in the result is authenticated.
    pub fn unverified_claims(&self) -> Result<ClaimsSet, Error> {
        ClaimsSet::from_cbor(&self.payload, &self.limits)
    }

    /// Checks the signature under `key`, then decodes the claims.
    pub fn verify(&self, key: &PublicKey, crypto: &dyn CryptoProvider) -> Result<ClaimsSet, Error> {
        self.verify_signature(key, crypto)?;
        self.unverified_claims()
    }
}

fn malformed(e: coset::CoseError) -> Error {
    TokenError::Malformed {
        reason: e.to_string(),
    }
    .into()
}

/// The COSE_Sign1 Sig_structure (RFC 9052 §4.4) with no external AAD, in
/// the encoding `coset` gives it.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"Signature1";
    let mut out = Vec::with_capacity(protected.len() + payload.len() + CONTEXT.len() + 20);
    out.push(0x84); // array(4)
    push_head(&mut out, 3, CONTEXT.len());
    out.extend_from_slice(CONTEXT);
    push_head(&mut out, 2, protected.len());
    out.extend_from_slice(protected);
    push_head(&mut out, 2, 0); // external_aad: empty
    push_head(&mut out, 2, payload.len());
    out.extend_from_slice(payload);
    out
}

/// Appends a CBOR head in preferred (shortest) form.
fn push_head(out: &mut Vec<u8>, major: u8, len: usize) {
    let major = major << 5;
    let len = len as u64;
    match len {
        0..=23 => out.push(major | len as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, len as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

/// Builds the `coset` envelope from the COSE_Sign1 array and the protected
/// header map decoded from its first item, as
/// `coset::CoseSign1::from_cbor_value` would, without decoding the protected
/// header a second time. Anything not of the expected shape goes to `coset`,
/// so errors are its own.
fn sign1_from_parts(
    sign1: Value,
    protected: Vec<(Value, Value)>,
) -> Result<coset::CoseSign1, Error> {
    let Value::Array(items) = sign1 else {
        return coset::CoseSign1::from_cbor_value(sign1).map_err(malformed);
    };
    let items = match <[Value; 4]>::try_from(items) {
        Ok(items) => items,
        Err(items) => {
            return coset::CoseSign1::from_cbor_value(Value::Array(items)).map_err(malformed)
        }
    };
    match items {
        [Value::Bytes(protected_bytes), Value::Map(unprotected), payload @ (Value::Bytes(_) | Value::Null), Value::Bytes(signature)] =>
        {
            // coset's order: signature, payload, unprotected, protected.
            let payload = match payload {
                Value::Bytes(payload) => Some(payload),
                _ => None,
            };
            let unprotected =
                coset::Header::from_cbor_value(Value::Map(unprotected)).map_err(malformed)?;
            // coset decodes the header bytes to the very `Value` the strict
            // decoder gave (whole, no trailing bytes) and converts that.
            let header = if protected_bytes.is_empty() {
                coset::Header::default()
            } else {
                coset::Header::from_cbor_value(Value::Map(protected)).map_err(malformed)?
            };
            Ok(coset::CoseSign1 {
                protected: coset::ProtectedHeader {
                    original_data: Some(protected_bytes),
                    header,
                },
                unprotected,
                payload,
                signature,
            })
        }
        items => coset::CoseSign1::from_cbor_value(Value::Array(items.into())).map_err(malformed),
    }
}

fn strip_tags(value: Value) -> Result<(Value, bool), TokenError> {
    match value {
        Value::Tag(TAG_COSE_SIGN1, inner) => Ok((*inner, false)),
        Value::Tag(TAG_CWT, inner) => match *inner {
            Value::Tag(TAG_COSE_SIGN1, inner) => Ok((*inner, true)),
            Value::Tag(tag, _) => Err(TokenError::WrongTag { tag }),
            _ => Err(TokenError::Untagged),
        },
        Value::Tag(tag, _) => Err(TokenError::WrongTag { tag }),
        _ => Err(TokenError::Untagged),
    }
}

const ALG: i64 = iana::HeaderParameter::Alg as i64;
const CRIT: i64 = iana::HeaderParameter::Crit as i64;

/// The two header maps as raw CBOR, so the profile's rules see exactly what
/// was sent (coset refuses unregistered values before a rule could name them).
struct RawHeaders<'v> {
    protected: Vec<(Value, Value)>,
    unprotected: &'v [(Value, Value)],
}

impl<'v> RawHeaders<'v> {
    fn parse(sign1: &'v Value, limits: &Limits) -> Result<RawHeaders<'v>, Error> {
        let shape = || TokenError::Malformed {
            reason: "COSE_Sign1 must be an array of four items".to_string(),
        };
        let Value::Array(items) = sign1 else {
            return Err(shape().into());
        };
        let (Some(Value::Bytes(protected)), Some(Value::Map(unprotected)), 4) =
            (items.first(), items.get(1), items.len())
        else {
            return Err(shape().into());
        };
        let protected = if protected.is_empty() {
            Vec::new()
        } else {
            match cbor::decode_strict(protected, limits)? {
                Value::Map(map) => map,
                _ => {
                    return Err(TokenError::Malformed {
                        reason: "protected header is not a map".to_string(),
                    }
                    .into())
                }
            }
        };
        Ok(RawHeaders {
            protected,
            unprotected,
        })
    }

    fn protected_value(&self, label: i64) -> Option<&Value> {
        lookup(&self.protected, label)
    }

    fn unprotected_value(&self, label: i64) -> Option<&Value> {
        lookup(self.unprotected, label)
    }

    /// RFC 9052 §3 lets a recipient take a parameter from either bucket; the
    /// profile refuses the ambiguity outright.
    fn check_disjoint(&self) -> Result<(), TokenError> {
        match self
            .protected
            .iter()
            .find(|(label, _)| self.unprotected.iter().any(|(other, _)| other == label))
        {
            Some((label, _)) => Err(TokenError::HeaderInBothBuckets {
                label: describe(label),
            }),
            None => Ok(()),
        }
    }

    fn check_crit(&self) -> Result<(), TokenError> {
        if self.unprotected_value(CRIT).is_some() {
            return Err(TokenError::CritMalformed {
                reason: "crit must be in the protected header",
            });
        }
        let Some(crit) = self.protected_value(CRIT) else {
            return Ok(());
        };
        let labels = match crit {
            Value::Array(labels) if !labels.is_empty() => labels,
            _ => {
                return Err(TokenError::CritMalformed {
                    reason: "crit must be a non-empty array of labels",
                })
            }
        };
        for label in labels {
            let understood = label
                .as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .filter(|id| UNDERSTOOD_HEADERS.contains(id));
            let Some(id) = understood else {
                return Err(TokenError::UnknownCriticalHeader {
                    label: describe(label),
                });
            };
            if self.protected_value(id).is_none() {
                return Err(TokenError::CritMalformed {
                    reason: "crit lists a parameter the protected header does not carry",
                });
            }
        }
        Ok(())
    }

    fn x5chain(&self) -> Result<Option<Chain>, TokenError> {
        let found = match (
            self.protected_value(HEADER_X5CHAIN),
            self.unprotected_value(HEADER_X5CHAIN),
        ) {
            (Some(v), _) => (HeaderPlacement::Protected, v),
            (None, Some(v)) => (HeaderPlacement::Unprotected, v),
            (None, None) => return Ok(None),
        };
        let bad = || TokenError::Malformed {
            reason: "x5chain must be a certificate bstr or a non-empty array of them".to_string(),
        };
        let chain = match found.1 {
            Value::Bytes(cert) => vec![cert.clone()],
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|item| match item {
                    Value::Bytes(cert) => Ok(cert.clone()),
                    _ => Err(bad()),
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(bad()),
        };
        Ok(Some((found.0, chain)))
    }
}

fn lookup(map: &[(Value, Value)], label: i64) -> Option<&Value> {
    map.iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(label))
        .map(|(_, v)| v)
}

/// A short rendering of a header value for error messages.
fn describe(value: &Value) -> alloc::string::String {
    match value {
        Value::Integer(i) => format!("{}", i128::from(*i)),
        Value::Text(t) => format!("{t:?}"),
        _ => "(non-scalar)".to_string(),
    }
}

type Chain = (HeaderPlacement, Vec<Vec<u8>>);

/// Produces signed tokens.
///
/// ```
/// use mtattest::claims::example_phone;
/// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
/// use mtattest::token::{DecodeOptions, Token, TokenBuilder};
///
/// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
/// let claims = example_phone(1_790_000_000, b"relying-party-challenge".to_vec());
/// let bytes = TokenBuilder::new().sign(&claims, &signer).unwrap();
///
/// let token = Token::decode(&bytes, &DecodeOptions::default()).unwrap();
/// let verified = token.verify(&signer.public_key(), &RustCrypto).unwrap();
/// assert_eq!(verified, claims);
/// ```
#[derive(Debug, Clone, Default)]
pub struct TokenBuilder {
    x5chain: Option<(HeaderPlacement, Vec<Vec<u8>>)>,
    kid: Vec<u8>,
    cwt_tag: bool,
}

impl TokenBuilder {
    /// A builder for a bare COSE_Sign1 token with only `alg` in its header.
    pub fn new() -> TokenBuilder {
        TokenBuilder::default()
    }

    /// Carries the certificate chain (leaf first, DER) in x5chain.
    pub fn x5chain(mut self, chain: Vec<Vec<u8>>, placement: HeaderPlacement) -> TokenBuilder {
        self.x5chain = Some((placement, chain));
        self
    }

    /// Carries a key identifier in the protected header.
    pub fn kid(mut self, kid: Vec<u8>) -> TokenBuilder {
        self.kid = kid;
        self
    }

    /// Wraps the token in the CWT tag (61).
    pub fn cwt_tag(mut self, wrap: bool) -> TokenBuilder {
        self.cwt_tag = wrap;
        self
    }

    /// Signs `claims` into a token.
    ///
    /// A producer MUST stay within the limits of the profile (spec §7.1,
    /// §8.1), so before asking the signer anything this refuses, with the
    /// code a verifier would give, a token that no verifier accepts for a
    /// limit: an `x5chain` that is empty (`chain.empty`), longer than six
    /// certificates (`chain.too-long`) or with a certificate over 8 192 bytes
    /// (`chain.cert-too-large`); claims beyond the CBOR or submodule limits
    /// (`cbor.too-deep`, `cbor.too-many-items`, `cbor.map-too-large`,
    /// `claims.submods-too-deep`) or otherwise not readable as claims; a
    /// token over 16 384 bytes (`token.too-large`).
    ///
    /// ```
    /// use mtattest::claims::example_phone;
    /// use mtattest::crypto::{Algorithm, SoftwareSigner};
    /// use mtattest::token::TokenBuilder;
    ///
    /// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
    /// let mut claims = example_phone(1_790_000_000, b"relying-party-challenge".to_vec());
    /// claims.insert_unknown("padding", ciborium::value::Value::Bytes(vec![0; 16_000])).unwrap();
    /// let err = TokenBuilder::new().sign(&claims, &signer).unwrap_err();
    /// assert_eq!(err.code(), "token.too-large");
    /// ```
    pub fn sign(&self, claims: &ClaimsSet, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        if let Some((_, chain)) = &self.x5chain {
            crate::limits::check_x5chain(chain)?;
        }
        let payload = claims.to_cbor();
        crate::limits::check_claims_payload(&payload)?;
        let alg = signer.algorithm();
        let mut sign1 = self.unsigned(payload, alg);
        // The signature's length is fixed by the algorithm, so a stand-in
        // of that length gives the token's exact size.
        sign1.signature = vec![0; alg.signature_len()];
        let protected = if sign1.protected.header.is_empty() {
            Vec::new()
        } else {
            coset::CborSerializable::to_vec(sign1.protected.header.clone()).map_err(malformed)?
        };
        crate::limits::check_envelope(&self.encode(&sign1)?, &protected)?;
        self.sign_unsigned(sign1, signer)
    }

    /// Signs arbitrary payload bytes, with no check of the profile's
    /// limits. Meant for test vectors and interop tests that need tokens
    /// breaking the profile, and for signing other documents in a
    /// COSE_Sign1 (attestation results); producers of tokens use
    /// [`TokenBuilder::sign`].
    pub fn sign_payload(&self, payload: Vec<u8>, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        let sign1 = self.unsigned(payload, signer.algorithm());
        self.sign_unsigned(sign1, signer)
    }

    /// The COSE_Sign1 with its headers and payload, not signed yet.
    fn unsigned(&self, payload: Vec<u8>, alg: Algorithm) -> coset::CoseSign1 {
        let mut protected = coset::HeaderBuilder::new()
            .algorithm(match alg {
                Algorithm::Es384 => iana::Algorithm::ES384,
                Algorithm::Es256 => iana::Algorithm::ES256,
            })
            .key_id(self.kid.clone());
        let mut unprotected = coset::HeaderBuilder::new();
        if let Some((placement, chain)) = &self.x5chain {
            let value = match chain.as_slice() {
                [single] => Value::Bytes(single.clone()),
                many => Value::Array(many.iter().cloned().map(Value::Bytes).collect()),
            };
            match placement {
                HeaderPlacement::Protected => {
                    protected = protected.value(HEADER_X5CHAIN, value);
                }
                HeaderPlacement::Unprotected => {
                    unprotected = unprotected.value(HEADER_X5CHAIN, value);
                }
            }
        }
        coset::CoseSign1Builder::new()
            .protected(protected.build())
            .unprotected(unprotected.build())
            .payload(payload)
            .build()
    }

    /// Signs `sign1` (its signature replaced) and encodes it.
    fn sign_unsigned(
        &self,
        mut sign1: coset::CoseSign1,
        signer: &dyn Signer,
    ) -> Result<Vec<u8>, Error> {
        let alg = signer.algorithm();
        sign1.signature = signer.sign(&sign1.tbs_data(&[]))?;
        if sign1.signature.len() != alg.signature_len() {
            return Err(CryptoError::SignatureLength {
                alg: alg.name(),
                len: sign1.signature.len(),
                expected: alg.signature_len(),
            }
            .into());
        }
        self.encode(&sign1)
    }

    /// The token bytes: the COSE_Sign1 tag, and the CWT tag if asked for.
    fn encode(&self, sign1: &coset::CoseSign1) -> Result<Vec<u8>, Error> {
        let body = sign1.clone().to_cbor_value().map_err(malformed)?;
        let mut tagged = Value::Tag(TAG_COSE_SIGN1, body.into());
        if self.cwt_tag {
            tagged = Value::Tag(TAG_CWT, tagged.into());
        }
        Ok(cbor::encode(&tagged))
    }
}

/// Signs `claims` with `signer` into a bare token (only `alg` in the header).
pub fn issue(claims: &ClaimsSet, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
    TokenBuilder::new().sign(claims, signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sig_structure_is_the_one_coset_builds() {
        for protected_len in [0usize, 1, 23, 24, 255, 256, 1500] {
            for payload_len in [0usize, 1, 23, 24, 255, 256, 65_535, 65_536] {
                let protected = vec![0xa0; protected_len];
                let payload = vec![0x5a; payload_len];
                let header = coset::ProtectedHeader {
                    original_data: Some(protected.clone()),
                    header: coset::Header::default(),
                };
                let theirs = coset::sig_structure_data(
                    coset::SignatureContext::CoseSign1,
                    header,
                    None,
                    &[],
                    &payload,
                );
                assert_eq!(sig_structure(&protected, &payload), theirs);
            }
        }
    }
}
