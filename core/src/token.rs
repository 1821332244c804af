//! The COSE_Sign1 envelope: producing a signed token and checking one.
//!
//! Producing writes the envelope directly in deterministic CBOR; checking reads the decoded CBOR
//! itself, so that exactly the header rules of the spec apply (§3, §9) and
//! nothing else; crypto stays outside both, behind [`Signer`] and
//! [`CryptoProvider`]. Checking runs in a fixed order so the cheapest, most
//! specific rejection wins: size, CBOR well-formedness, tags, COSE
//! structure, header rules, signature (by the caller's key), and only then
//! the claims.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use coset::iana;

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
/// signature is not checked yet: call [`Token::verified_claims`] or
/// [`Token::verify_signature`] before trusting anything in it.
#[derive(Debug, Clone)]
pub struct Token {
    /// The protected header bytes, exactly as sent.
    protected: Vec<u8>,
    kid: Option<Vec<u8>>,
    payload: Vec<u8>,
    signature: Vec<u8>,
    algorithm: Algorithm,
    x5chain: Option<(HeaderPlacement, Vec<Vec<u8>>)>,
    cwt_tagged: bool,
    limits: Limits,
}

impl Token {
    /// Parses `bytes` and applies the envelope rules of the profile, in the
    /// order of spec §9 steps 1–7.
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
        let sign1 = Sign1::parse(inner, &limits)?;
        let headers = &sign1.headers;
        if headers.unprotected_value(ALG).is_some() {
            return Err(TokenError::AlgUnprotected.into());
        }
        let algorithm = match headers.protected_value(ALG) {
            None => return Err(TokenError::AlgMissing.into()),
            // Only the untagged integer id of an allowed algorithm: a text
            // name, a bignum or any other spelling is not one (spec §3.2).
            Some(alg) => alg
                .as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .and_then(Algorithm::from_cose_id)
                .filter(|a| options.allowed_algorithms.contains(a))
                .ok_or_else(|| TokenError::AlgNotAllowed {
                    alg: describe_alg(alg),
                })?,
        };
        headers.check_disjoint()?;
        headers.check_crit()?;
        let x5chain = headers.x5chain()?;
        let kid = headers.kid()?;
        headers.check_content_type()?;
        let payload = match sign1.payload {
            Value::Bytes(payload) => Some(payload),
            Value::Null => None,
            _ => return Err(malformed_because("payload must be a byte string or nil").into()),
        };
        let Value::Bytes(signature) = sign1.signature else {
            return Err(malformed_because("signature must be a byte string").into());
        };
        let payload = payload.ok_or(TokenError::DetachedPayload)?;
        Ok(Token {
            protected: sign1.protected_bytes,
            kid,
            payload,
            signature,
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
        self.kid.as_deref()
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
        &self.signature
    }

    /// The COSE Sig_structure the signature covers:
    /// `["Signature1", protected header bytes as sent, h'', payload]`.
    pub fn to_be_signed(&self) -> Vec<u8> {
        sig_structure(&self.protected, &self.payload)
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
        if crypto.verify_raw_signature(self.algorithm, key, &self.to_be_signed(), self.signature())
        {
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
    pub fn verified_claims(
        &self,
        key: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<ClaimsSet, Error> {
        self.verify_signature(key, crypto)?;
        self.unverified_claims()
    }
}

fn malformed_because(reason: &str) -> TokenError {
    TokenError::Malformed {
        reason: reason.to_string(),
    }
}

/// The COSE_Sign1 Sig_structure (RFC 9052 §4.4) with no external AAD, in
/// the encoding `coset` gives it.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"Signature1";
    let mut out = Vec::with_capacity(protected.len() + payload.len() + CONTEXT.len() + 20);
    out.push(0x84); // array(4)
    cbor::write_head(&mut out, 3, CONTEXT.len() as u64);
    out.extend_from_slice(CONTEXT);
    cbor::write_head(&mut out, 2, protected.len() as u64);
    out.extend_from_slice(protected);
    cbor::write_head(&mut out, 2, 0); // external_aad: empty
    cbor::write_head(&mut out, 2, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

/// Strips the tags in front of the COSE_Sign1 structure: exactly 18, or 61
/// then 18 (spec §3.1). No tag, or 61 alone, is `token.untagged`; any other
/// tag anywhere in that run (including a second 18) is `token.wrong-tag`.
fn strip_tags(value: Value) -> Result<(Value, bool), TokenError> {
    let mut tags = Vec::new();
    let mut item = value;
    loop {
        match item {
            // Not a tag: the decoder's stand-in for `undefined`.
            Value::Tag(tag, inner) if tag != cbor::UNDEFINED_MARKER_TAG => {
                tags.push(tag);
                item = *inner;
            }
            _ => break,
        }
    }
    match tags.as_slice() {
        [TAG_COSE_SIGN1] => Ok((item, false)),
        [TAG_CWT, TAG_COSE_SIGN1] => Ok((item, true)),
        [] | [TAG_CWT] => Err(TokenError::Untagged),
        [TAG_CWT, TAG_COSE_SIGN1, extra, ..] | [TAG_COSE_SIGN1, extra, ..] => {
            Err(TokenError::WrongTag { tag: *extra })
        }
        [TAG_CWT, other, ..] | [other, ..] => Err(TokenError::WrongTag { tag: *other }),
    }
}

const ALG: i64 = iana::HeaderParameter::Alg as i64;
const CRIT: i64 = iana::HeaderParameter::Crit as i64;
const CONTENT_TYPE: i64 = iana::HeaderParameter::ContentType as i64;
const KID: i64 = iana::HeaderParameter::Kid as i64;

/// The four items of a COSE_Sign1 whose shape passed §9 step 4.
struct Sign1 {
    protected_bytes: Vec<u8>,
    headers: Headers,
    payload: Value,
    signature: Value,
}

impl Sign1 {
    /// An array of four items, the first a byte string holding nothing or a
    /// map, the second a map; the labels of both maps integers or text
    /// strings (RFC 9052 §3: `label = int / tstr`; a tagged label is
    /// neither). `token.malformed` otherwise.
    fn parse(sign1: Value, limits: &Limits) -> Result<Sign1, Error> {
        let shape = || malformed_because("COSE_Sign1 must be an array of four items");
        let Value::Array(items) = sign1 else {
            return Err(shape().into());
        };
        let [protected, unprotected, payload, signature] =
            <[Value; 4]>::try_from(items).map_err(|_| shape())?;
        let (Value::Bytes(protected_bytes), Value::Map(unprotected)) = (protected, unprotected)
        else {
            return Err(shape().into());
        };
        let protected = if protected_bytes.is_empty() {
            Vec::new()
        } else {
            match cbor::decode_strict(&protected_bytes, limits)? {
                Value::Map(map) => map,
                _ => return Err(malformed_because("protected header is not a map").into()),
            }
        };
        let is_label =
            |(label, _): &(Value, Value)| matches!(label, Value::Integer(_) | Value::Text(_));
        if !protected.iter().chain(&unprotected).all(is_label) {
            return Err(
                malformed_because("a header label must be an integer or a text string").into(),
            );
        }
        Ok(Sign1 {
            protected_bytes,
            headers: Headers {
                protected,
                unprotected,
            },
            payload,
            signature,
        })
    }
}

/// The two header maps as sent, so the profile's rules see exactly what
/// was sent. Only the parameters of spec §3.2 are read; any other is
/// ignored unless `crit` lists it.
struct Headers {
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
}

impl Headers {
    fn protected_value(&self, label: i64) -> Option<&Value> {
        lookup(&self.protected, label)
    }

    fn unprotected_value(&self, label: i64) -> Option<&Value> {
        lookup(&self.unprotected, label)
    }

    /// The value of `label` and its bucket (at most one: see
    /// [`Headers::check_disjoint`]).
    fn value(&self, label: i64) -> Option<(HeaderPlacement, &Value)> {
        match (self.protected_value(label), self.unprotected_value(label)) {
            (Some(v), _) => Some((HeaderPlacement::Protected, v)),
            (None, Some(v)) => Some((HeaderPlacement::Unprotected, v)),
            (None, None) => None,
        }
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

    /// Spec §3.4, in this order whatever the order of the labels: where
    /// `crit` is and its shape (a non-empty array of distinct labels,
    /// `token.crit-malformed`); every label understood
    /// (`token.unknown-critical-header`); every label present in the
    /// protected header (`token.crit-malformed`).
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
        if !labels
            .iter()
            .all(|label| matches!(label, Value::Integer(_) | Value::Text(_)))
        {
            return Err(TokenError::CritMalformed {
                reason: "a crit label must be an integer or a text string",
            });
        }
        // Labels compare as decoded: integers by value, text by content.
        if labels
            .iter()
            .enumerate()
            .any(|(i, label)| labels.iter().skip(i + 1).any(|other| other == label))
        {
            return Err(TokenError::CritMalformed {
                reason: "crit lists a label twice",
            });
        }
        let understood = |label: &Value| {
            label
                .as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .filter(|id| UNDERSTOOD_HEADERS.contains(id))
        };
        if let Some(label) = labels.iter().find(|label| understood(label).is_none()) {
            return Err(TokenError::UnknownCriticalHeader {
                label: describe(label),
            });
        }
        if labels
            .iter()
            .filter_map(understood)
            .any(|id| self.protected_value(id).is_none())
        {
            return Err(TokenError::CritMalformed {
                reason: "crit lists a parameter the protected header does not carry",
            });
        }
        Ok(())
    }

    fn x5chain(&self) -> Result<Option<Chain>, TokenError> {
        let Some((placement, value)) = self.value(HEADER_X5CHAIN) else {
            return Ok(None);
        };
        let bad =
            || malformed_because("x5chain must be a certificate bstr or a non-empty array of them");
        let chain = match value {
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
        Ok(Some((placement, chain)))
    }

    /// `kid` (either bucket): a non-empty byte string.
    fn kid(&self) -> Result<Option<Vec<u8>>, TokenError> {
        match self.value(KID) {
            None => Ok(None),
            Some((_, Value::Bytes(kid))) if !kid.is_empty() => Ok(Some(kid.clone())),
            Some(_) => Err(malformed_because("kid must be a non-empty byte string")),
        }
    }

    /// `content type` (either bucket): an unsigned integer of any value or a
    /// text string (RFC 9052 §3.1). The profile gives it no meaning, so its
    /// value is not looked up in any registry.
    fn check_content_type(&self) -> Result<(), TokenError> {
        match self.value(CONTENT_TYPE) {
            None | Some((_, Value::Text(_))) => Ok(()),
            Some((_, Value::Integer(i))) if i128::from(*i) >= 0 => Ok(()),
            Some(_) => Err(malformed_because(
                "content type must be an unsigned integer or a text string",
            )),
        }
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
        _ => crate::diag::render_compact(value, &DESCRIBE_LIMITS),
    }
}

/// An `alg` value as a message names it: its COSE name when it is a
/// registered signature algorithm's integer (`ES384`, `ES512`), else the
/// value as given (`-99`, `"ES384"` for the text spelling the profile
/// refuses).
fn describe_alg(value: &Value) -> alloc::string::String {
    let name = value
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .and_then(cose_signature_algorithm_name);
    match name {
        Some(name) => name.into(),
        None => describe(value),
    }
}

/// The names of the COSE signature algorithms (IANA registry, RFC 9053,
/// RFC 8230, RFC 8812) a token might carry, ours and others.
fn cose_signature_algorithm_name(id: i64) -> Option<&'static str> {
    if let Some(ours) = Algorithm::from_cose_id(id) {
        return Some(ours.name());
    }
    Some(match id {
        -36 => "ES512",
        -8 => "EdDSA",
        -47 => "ES256K",
        -37 => "PS256",
        -38 => "PS384",
        -39 => "PS512",
        -257 => "RS256",
        -258 => "RS384",
        -259 => "RS512",
        _ => return None,
    })
}

/// Enough of a value to recognise it in an error message.
const DESCRIBE_LIMITS: crate::diag::Limits = crate::diag::Limits {
    max_bytes: 16,
    max_text: 32,
    max_depth: 2,
    max_chars: 80,
    line_width: 80,
};

type Chain = (HeaderPlacement, Vec<Vec<u8>>);

/// Produces signed tokens.
///
/// ```
/// use mtattest::claims::ClaimsSet;
/// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
/// use mtattest::token::{DecodeOptions, Token, TokenBuilder};
///
/// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
/// let claims = ClaimsSet::builder(1_790_000_000)
///     .nonce(b"relying-party-challenge".to_vec()).unwrap()
///     .build();
/// let bytes = TokenBuilder::new().sign(&claims, &signer).unwrap();
///
/// let token = Token::decode(&bytes, &DecodeOptions::default()).unwrap();
/// let verified = token.verified_claims(&signer.public_key(), &RustCrypto).unwrap();
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
    /// `claims.submods-too-deep`), counted as the payload is written
    /// straight from the typed claims (no CBOR tree; the bytes are
    /// [`ClaimsSet::to_cbor`]'s, the normative encoding); a token
    /// over 16 384 bytes (`token.too-large`). It also refuses, with
    /// `claims.invalid-value`, an `exp` that is not later than `iat` and
    /// `nbf` (spec §6.2), or a `wifi-security` without `connection` wifi
    /// (§6.9a). The claims need no reading back: a [`ClaimsSet`] can only
    /// hold claims its decoder accepts (typed claims, and unknown claims
    /// checked when they are added) apart from these relations between
    /// claims, which are checked here, so the payload is never decoded
    /// (spec §8.4; debug builds assert that it decodes, and that it is
    /// `to_cbor`'s encoding).
    ///
    /// ```
    /// use mtattest::claims::ClaimsSet;
    /// use mtattest::crypto::{Algorithm, SoftwareSigner};
    /// use mtattest::token::TokenBuilder;
    ///
    /// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
    /// let mut claims = ClaimsSet::builder(1_790_000_000).build();
    /// claims.insert_unknown("padding", ciborium::value::Value::Bytes(vec![0; 16_384])).unwrap();
    /// let err = TokenBuilder::new().sign(&claims, &signer).unwrap_err();
    /// assert_eq!(err.code(), "token.too-large");
    /// ```
    pub fn sign(&self, claims: &ClaimsSet, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        claims.check_relations()?;
        if let Some((_, chain)) = &self.x5chain {
            crate::limits::check_x5chain(chain)?;
        }
        let payload = crate::limits::claims_payload(claims)?;
        let alg = signer.algorithm();
        let envelope = self.envelope(&payload, alg);
        crate::limits::check_token_size(&envelope.bytes)?;
        self.sign_envelope(envelope, &payload, signer)
    }

    /// Signs arbitrary payload bytes, with no check of the claims or of the
    /// profile's limits: the result may be a token a conforming verifier
    /// refuses. For signing other documents in a COSE_Sign1 (attestation
    /// results) and for tests that need such tokens; producers of tokens use
    /// [`TokenBuilder::sign`]. (The conformance vectors, which need faults
    /// anywhere in the envelope, assemble theirs from raw parts in the test
    /// kit with a [`Signer`].)
    pub fn sign_payload(&self, payload: Vec<u8>, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        let envelope = self.envelope(&payload, signer.algorithm());
        self.sign_envelope(envelope, &payload, signer)
    }

    /// The protected header: `alg`, then `kid` if one is set, then `x5chain`
    /// if it goes there; in core deterministic encoding, which orders these
    /// labels (1, 4, 33) as `coset` writes them. Written directly: the
    /// header has these few shapes, so no CBOR tree and no sort.
    fn protected_header(&self, alg: Algorithm) -> Vec<u8> {
        let chain = self.x5chain_in(HeaderPlacement::Protected);
        let entries = 1 + u64::from(!self.kid.is_empty()) + u64::from(chain.is_some());
        let mut out = Vec::with_capacity(16 + self.kid.len() + chain.map_or(0, chain_size));
        cbor::write_head(&mut out, 5, entries);
        write_label(&mut out, ALG);
        write_label(&mut out, alg.cose_id());
        if !self.kid.is_empty() {
            write_label(&mut out, KID);
            cbor::write_head(&mut out, 2, self.kid.len() as u64);
            out.extend_from_slice(&self.kid);
        }
        if let Some(chain) = chain {
            write_x5chain(&mut out, chain);
        }
        out
    }

    /// The chain, if it goes in `placement`'s header.
    fn x5chain_in(&self, placement: HeaderPlacement) -> Option<&[Vec<u8>]> {
        match &self.x5chain {
            Some((at, chain)) if *at == placement => Some(chain),
            _ => None,
        }
    }

    /// The token with a stand-in signature of the algorithm's length (which
    /// is fixed, so the size is the final one): tags, then the COSE_Sign1
    /// array `[protected, unprotected, payload, signature]`, written
    /// directly in core deterministic encoding so that producing a token
    /// needs neither `coset` nor an intermediate CBOR tree of it.
    fn envelope(&self, payload: &[u8], alg: Algorithm) -> Envelope {
        let protected = self.protected_header(alg);
        let unprotected = self.x5chain_in(HeaderPlacement::Unprotected);
        let signature_len = alg.signature_len();
        let mut bytes = Vec::with_capacity(
            protected.len()
                + unprotected.map_or(0, chain_size)
                + payload.len()
                + signature_len
                + 32,
        );
        if self.cwt_tag {
            cbor::write_head(&mut bytes, 6, TAG_CWT);
        }
        cbor::write_head(&mut bytes, 6, TAG_COSE_SIGN1);
        cbor::write_head(&mut bytes, 4, 4);
        cbor::write_head(&mut bytes, 2, protected.len() as u64);
        bytes.extend_from_slice(&protected);
        match unprotected {
            Some(chain) => {
                cbor::write_head(&mut bytes, 5, 1);
                write_x5chain(&mut bytes, chain);
            }
            None => cbor::write_head(&mut bytes, 5, 0),
        }
        cbor::write_head(&mut bytes, 2, payload.len() as u64);
        bytes.extend_from_slice(payload);
        cbor::write_head(&mut bytes, 2, signature_len as u64);
        let signature_at = bytes.len();
        bytes.resize(signature_at + signature_len, 0);
        Envelope {
            bytes,
            protected,
            signature_at,
        }
    }

    /// Signs the Sig_structure of `envelope` and puts the signature in
    /// place of the stand-in.
    fn sign_envelope(
        &self,
        mut envelope: Envelope,
        payload: &[u8],
        signer: &dyn Signer,
    ) -> Result<Vec<u8>, Error> {
        let alg = signer.algorithm();
        let signature = signer.sign(&sig_structure(&envelope.protected, payload))?;
        let slot = envelope
            .bytes
            .get_mut(envelope.signature_at..)
            .filter(|slot| slot.len() == signature.len())
            .ok_or(CryptoError::SignatureLength {
                alg: alg.name(),
                len: signature.len(),
                expected: alg.signature_len(),
            })?;
        slot.copy_from_slice(&signature);
        Ok(envelope.bytes)
    }
}

/// Writes a header label or an integer header value.
fn write_label(out: &mut Vec<u8>, label: i64) {
    match u64::try_from(label) {
        Ok(n) => cbor::write_head(out, 0, n),
        // CBOR writes a negative n as -1 - n, which is !n.
        Err(_) => cbor::write_head(out, 1, !label as u64),
    }
}

/// Writes the `x5chain` entry (RFC 9360): one certificate as a byte
/// string, several as an array of them.
fn write_x5chain(out: &mut Vec<u8>, chain: &[Vec<u8>]) {
    write_label(out, HEADER_X5CHAIN);
    if let [single] = chain {
        cbor::write_head(out, 2, single.len() as u64);
        out.extend_from_slice(single);
        return;
    }
    cbor::write_head(out, 4, chain.len() as u64);
    for certificate in chain {
        cbor::write_head(out, 2, certificate.len() as u64);
        out.extend_from_slice(certificate);
    }
}

/// Room for the `x5chain` entry: the certificates and their heads.
fn chain_size(chain: &[Vec<u8>]) -> usize {
    chain.iter().map(|c| c.len() + 9).sum::<usize>() + 12
}

/// A token being produced: its bytes with the signature's place reserved
/// at the end, and the protected header the signature covers.
struct Envelope {
    bytes: Vec<u8>,
    protected: Vec<u8>,
    signature_at: usize,
}

/// Signs `claims` with `signer` into a bare token (only `alg` in the header).
pub fn issue(claims: &ClaimsSet, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
    TokenBuilder::new().sign(claims, signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The token as `coset` writes it (what `TokenBuilder` produced
    /// through `coset` before it wrote the envelope itself): an independent
    /// encoder of the same COSE_Sign1.
    fn coset_token(
        builder: &TokenBuilder,
        payload: &[u8],
        alg: iana::Algorithm,
        signature: &[u8],
    ) -> Vec<u8> {
        use coset::AsCborValue;
        let mut protected = coset::HeaderBuilder::new()
            .algorithm(alg)
            .key_id(builder.kid.clone());
        let mut unprotected = coset::HeaderBuilder::new();
        if let Some((placement, chain)) = &builder.x5chain {
            let value = match chain.as_slice() {
                [single] => Value::Bytes(single.clone()),
                many => Value::Array(many.iter().cloned().map(Value::Bytes).collect()),
            };
            match placement {
                HeaderPlacement::Protected => protected = protected.value(HEADER_X5CHAIN, value),
                HeaderPlacement::Unprotected => {
                    unprotected = unprotected.value(HEADER_X5CHAIN, value)
                }
            }
        }
        let sign1 = coset::CoseSign1Builder::new()
            .protected(protected.build())
            .unprotected(unprotected.build())
            .payload(payload.to_vec())
            .signature(signature.to_vec())
            .build();
        let mut tagged = Value::Tag(TAG_COSE_SIGN1, sign1.to_cbor_value().unwrap().into());
        if builder.cwt_tag {
            tagged = Value::Tag(TAG_CWT, tagged.into());
        }
        let mut out = Vec::new();
        ciborium::ser::into_writer(&tagged, &mut out).unwrap();
        out
    }

    /// A signer that returns a fixed signature of the algorithm's length.
    struct FixedSigner(Algorithm);

    impl Signer for FixedSigner {
        fn algorithm(&self) -> Algorithm {
            self.0
        }

        fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
            let mut signature = vec![0x5a; self.0.signature_len()];
            signature[0] = message.len() as u8;
            Ok(signature)
        }
    }

    #[test]
    fn the_envelope_is_the_one_coset_writes() {
        let certificate = |len: usize, fill: u8| vec![fill; len];
        let chains = [
            None,
            Some(vec![certificate(3, 1)]),
            Some(vec![certificate(30, 2), certificate(300, 3)]),
            Some(vec![certificate(24, 4); 6]),
        ];
        let payloads = [
            vec![],
            vec![0xa0],
            vec![0x42; 23],
            vec![0x42; 24],
            vec![0x42; 70_000],
        ];
        for (alg, cose_alg) in [
            (Algorithm::Es384, iana::Algorithm::ES384),
            (Algorithm::Es256, iana::Algorithm::ES256),
        ] {
            for kid in [vec![], vec![7], vec![8; 40]] {
                for chain in &chains {
                    for placement in [HeaderPlacement::Protected, HeaderPlacement::Unprotected] {
                        for cwt_tag in [false, true] {
                            for payload in &payloads {
                                let mut builder =
                                    TokenBuilder::new().kid(kid.clone()).cwt_tag(cwt_tag);
                                if let Some(chain) = chain {
                                    builder = builder.x5chain(chain.clone(), placement);
                                }
                                let signer = FixedSigner(alg);
                                let ours = builder.sign_payload(payload.clone(), &signer).unwrap();
                                let token = Token::decode(
                                    &ours,
                                    &DecodeOptions {
                                        limits: Limits {
                                            max_token_size: usize::MAX,
                                            ..Limits::DEFAULT
                                        },
                                        ..DecodeOptions::default()
                                    },
                                )
                                .unwrap();
                                let expected_signature =
                                    signer.sign(&token.to_be_signed()).unwrap();
                                let theirs =
                                    coset_token(&builder, payload, cose_alg, &expected_signature);
                                assert_eq!(ours, theirs);
                            }
                        }
                    }
                }
            }
        }
    }

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
