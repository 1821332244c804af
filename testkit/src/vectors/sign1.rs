//! A COSE_Sign1 assembled by hand from raw parts, so that a vector can
//! carry exactly one fault anywhere in the envelope (a header in the wrong
//! bucket, a non-preferred encoding, a duplicate key, a fifth element)
//! while everything else stays valid. The signature is computed over the
//! parts as they are when [`Sign1::sign`] runs; faults applied afterwards
//! break it, faults applied before are signed over.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use mtattest::cbor;
use mtattest::crypto::{Algorithm, Signer};
use mtattest::error::Error;
use mtattest::token::{HEADER_X5CHAIN, TAG_COSE_SIGN1, TAG_CWT};

/// COSE header label `alg`.
pub const ALG: i64 = 1;
/// COSE header label `crit`.
pub const CRIT: i64 = 2;
/// COSE header label `content type`.
pub const CONTENT_TYPE: i64 = 3;
/// COSE header label `kid`.
pub const KID: i64 = 4;
/// COSE header label `x5chain`.
pub const X5CHAIN: i64 = HEADER_X5CHAIN;

/// The raw parts of a COSE_Sign1.
#[derive(Debug, Clone)]
pub struct Sign1 {
    /// Tags, outermost first (`[18]` or `[61, 18]`).
    pub tags: Vec<u64>,
    /// The content of the protected-header byte string.
    pub protected: Vec<u8>,
    /// The unprotected header, encoded.
    pub unprotected: Vec<u8>,
    /// The payload, or `None` for a detached (nil) payload.
    pub payload: Option<Vec<u8>>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// How x5chain carries the certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X5Form {
    /// An array of byte strings (any number of certificates).
    Array,
    /// A bare byte string (exactly one certificate).
    Bstr,
}

/// The x5chain header value for `chain`.
pub fn x5chain(chain: &[Vec<u8>], form: X5Form) -> Value {
    match (form, chain) {
        (X5Form::Bstr, [single]) => Value::Bytes(single.clone()),
        _ => Value::Array(chain.iter().cloned().map(Value::Bytes).collect()),
    }
}

/// An integer label or value.
pub fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

/// A header map with integer labels, deterministically encoded.
pub fn header(entries: Vec<(i64, Value)>) -> Vec<u8> {
    cbor::encode(&Value::Map(
        entries.into_iter().map(|(k, v)| (int(k), v)).collect(),
    ))
}

/// The `alg` value of `alg`.
pub fn alg(alg: Algorithm) -> Value {
    int(alg.cose_id())
}

/// The preferred encoding of a CBOR head (major type and argument).
pub fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => {
            let mut v = vec![m | 25];
            v.extend_from_slice(&(n as u16).to_be_bytes());
            v
        }
        0x1_0000..=0xffff_ffff => {
            let mut v = vec![m | 26];
            v.extend_from_slice(&(n as u32).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![m | 27];
            v.extend_from_slice(&n.to_be_bytes());
            v
        }
    }
}

/// A byte string, encoded.
pub fn bstr(bytes: &[u8]) -> Vec<u8> {
    let mut v = head(2, bytes.len() as u64);
    v.extend_from_slice(bytes);
    v
}

impl Sign1 {
    /// A tagged (18) COSE_Sign1 with these headers and payload, unsigned.
    pub fn new(protected: Vec<u8>, unprotected: Vec<u8>, payload: Vec<u8>) -> Sign1 {
        Sign1 {
            tags: vec![TAG_COSE_SIGN1],
            protected,
            unprotected,
            payload: Some(payload),
            signature: Vec::new(),
        }
    }

    /// The usual token: `alg` of the signer and x5chain (as an array) in the
    /// protected header, an empty unprotected header.
    pub fn standard(chain: &[Vec<u8>], payload: Vec<u8>, signer: &dyn Signer) -> Sign1 {
        Sign1::new(
            header(vec![
                (ALG, alg(signer.algorithm())),
                (X5CHAIN, x5chain(chain, X5Form::Array)),
            ]),
            header(Vec::new()),
            payload,
        )
    }

    /// Wraps the COSE_Sign1 tag in the CWT tag (61).
    pub fn cwt_tagged(mut self) -> Sign1 {
        self.tags = vec![TAG_CWT, TAG_COSE_SIGN1];
        self
    }

    /// The COSE `Sig_structure` for `"Signature1"` (RFC 9052 §4.4) over the
    /// parts as they are, with empty external AAD.
    pub fn to_be_signed(&self) -> Vec<u8> {
        cbor::encode(&Value::Array(vec![
            Value::Text(String::from("Signature1")),
            Value::Bytes(self.protected.clone()),
            Value::Bytes(Vec::new()),
            Value::Bytes(self.payload.clone().unwrap_or_default()),
        ]))
    }

    /// Signs the parts as they are now with `signer` (RFC 6979, so the
    /// signature is the same every time).
    pub fn sign(mut self, signer: &dyn Signer) -> Result<Sign1, Error> {
        self.signature = signer.sign(&self.to_be_signed())?;
        Ok(self)
    }

    /// The four elements, each encoded.
    pub fn items(&self) -> Vec<Vec<u8>> {
        vec![
            bstr(&self.protected),
            self.unprotected.clone(),
            match &self.payload {
                Some(p) => bstr(p),
                None => vec![0xf6],
            },
            bstr(&self.signature),
        ]
    }

    /// The token bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode_items(&self.tags, &self.items())
    }
}

/// Tags, then a definite-length array of the given encoded items.
pub fn encode_items(tags: &[u64], items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for tag in tags {
        out.extend(head(6, *tag));
    }
    out.extend(head(4, items.len() as u64));
    for item in items {
        out.extend_from_slice(item);
    }
    out
}
