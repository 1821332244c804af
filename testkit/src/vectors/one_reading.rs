//! One reading of every token (spec §3, §6.1, §6.12, §7.2, §14.4): tags
//! stay tags (a bignum is never an integer, a label, `alg` or a claim key),
//! `undefined` is not `null`, keys spelled two ways are one key, the run of
//! tags before the COSE_Sign1 array is `18` or `61 18`, `crit` holds
//! distinct labels, `content type` is any unsigned integer or text, and the
//! header parameters the profile does not read are not checked.

use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::envelope::layer_mut;
use super::fixtures::{hex, phone, IAT};
use super::sign1::{
    alg, encode_items, head, int, x5chain, Sign1, X5Form, ALG, CONTENT_TYPE, CRIT, KID, X5CHAIN,
};
use super::valid::token;
use super::{CaseSpec, Gen, SIGN1_TAG};
use mtattest::cbor;
use mtattest::claims::keys;
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::error::Error;

/// A bignum (tag 2, or 3 when `negative`) around `magnitude`.
fn bignum(negative: bool, magnitude: &[u8]) -> Value {
    let tag = if negative {
        cbor::TAG_NEGATIVE_BIGNUM
    } else {
        cbor::TAG_POSITIVE_BIGNUM
    };
    Value::Tag(tag, Value::Bytes(magnitude.to_vec()).into())
}

/// What the cases start from: the usual chain, device key and payload.
struct Base {
    chain: Vec<Vec<u8>>,
    device: SoftwareSigner,
    payload: Vec<u8>,
}

impl Base {
    fn new(gen: &Gen) -> Result<Base, Error> {
        Ok(Base {
            chain: gen.pki.chain(),
            device: gen.pki.device.signer()?,
            payload: phone().to_cbor(),
        })
    }

    /// A token with these header maps (any keys), signed by the device.
    fn with_headers(
        &self,
        protected: Vec<(Value, Value)>,
        unprotected: Vec<(Value, Value)>,
    ) -> Result<Vec<u8>, Error> {
        Ok(Sign1::new(
            cbor::encode(&Value::Map(protected)),
            cbor::encode(&Value::Map(unprotected)),
            self.payload.clone(),
        )
        .sign(&self.device)?
        .encode())
    }

    fn alg(&self) -> (Value, Value) {
        (int(ALG), alg(Algorithm::Es384))
    }

    fn x5(&self) -> (Value, Value) {
        (int(X5CHAIN), x5chain(&self.chain, X5Form::Array))
    }

    /// The usual token around the claims set `claims`.
    fn claims(&self, claims: &Value) -> Result<Vec<u8>, Error> {
        token(&self.chain, cbor::encode(claims), &self.device)
    }
}

/// Valid cases: added after the other valid ones.
pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let base = Base::new(gen)?;
    let claims = phone();

    gen.add(CaseSpec::valid(
        "valid-content-type-unregistered",
        "The protected header carries content type 65536, an unsigned integer outside the CoAP \
         Content-Formats registry (and its 16-bit range). Content type is any uint or tstr and \
         has no meaning in this profile.",
        base.with_headers(
            vec![base.alg(), (int(CONTENT_TYPE), int(65_536)), base.x5()],
            Vec::new(),
        )?,
        &claims,
    ))?;

    gen.add(CaseSpec::valid(
        "valid-unread-header-parameters",
        "The protected header carries IV (5) as the integer 1 and Partial IV (6) as a text \
         string, both at once: values RFC 9052 would not allow there, in parameters this \
         profile does not read, so a verifier does not check them.",
        base.with_headers(
            vec![
                base.alg(),
                (int(5), int(1)),
                (int(6), Value::Text("partial".into())),
                base.x5(),
            ],
            Vec::new(),
        )?,
        &claims,
    ))?;

    let mut exact = phone();
    exact
        .insert_unknown(
            -90_001,
            Value::Array(vec![
                cbor::undefined(),
                Value::Null,
                bignum(false, &[0x01]),
                bignum(true, &[0x00, 0x22]),
                Value::Tag(1000, Value::Integer(0.into()).into()),
                Value::Float(1.5),
            ]),
        )
        .map_err(Error::from)?;
    exact
        .insert_unknown("u", cbor::undefined())
        .map_err(Error::from)?;
    gen.add(CaseSpec::valid(
        "valid-unknown-claims-exact-items",
        "Unknown claims that a generic decoder might read as something else: undefined (not \
         null) alone and in an array, next to null, the bignums 2(h'01') and 3(h'0022') (tags, \
         not the integers 1 and -35), tag 1000 around 0, and 1.5. Each is reported as the same \
         data item: in the JSON form f7 for undefined, f6 for null, c24101 and c3420022 for \
         the bignums.",
        token(&base.chain, exact.to_cbor(), &base.device)?,
        &exact,
    ))?;
    Ok(())
}

/// Invalid cases: added after all the others.
pub(super) fn invalid_cases(gen: &mut Gen) -> Result<(), Error> {
    let base = Base::new(gen)?;
    envelope(gen, &base)?;
    claims(gen, &base)?;
    Ok(())
}

fn envelope(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    gen.add(CaseSpec::invalid(
        "invalid-alg-bignum",
        "alg is 3(h'22'): the negative bignum for -35, which is a tag, not the integer id of \
         ES384.",
        base.with_headers(
            vec![(int(ALG), bignum(true, &[0x22])), base.x5()],
            Vec::new(),
        )?,
        "token.alg-not-allowed",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-header-label-bignum",
        "The protected header carries -35 under the label 2(h'01') instead of 1: a bignum is \
         not a label (labels are int / tstr).",
        base.with_headers(
            vec![(bignum(false, &[0x01]), alg(Algorithm::Es384)), base.x5()],
            Vec::new(),
        )?,
        "token.malformed",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-header-label-bignum-x5chain",
        "The unprotected header carries the chain under the label 2(h'21') instead of 33.",
        base.with_headers(
            vec![base.alg()],
            vec![(bignum(false, &[0x21]), x5chain(&base.chain, X5Form::Array))],
        )?,
        "token.malformed",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-bignum-label",
        "The protected header has alg under 1 and again under 2(h'01'), the same key spelled \
         as a bignum (same value), signed as sent.",
        base.with_headers(
            vec![
                base.alg(),
                (bignum(false, &[0x01]), alg(Algorithm::Es384)),
                base.x5(),
            ],
            Vec::new(),
        )?,
        "cbor.duplicate-key",
    ))?;

    for (id, description, labels) in [
        (
            "invalid-crit-repeated-label",
            "crit is [4, 4]: kid (present) listed twice.",
            vec![int(KID), int(KID)],
        ),
        (
            "invalid-crit-bignum-label",
            "crit is [2(h'04')]: a bignum, not the label 4 (kid is present).",
            vec![bignum(false, &[0x04])],
        ),
    ] {
        gen.add(CaseSpec::invalid(
            id,
            description,
            base.with_headers(
                vec![
                    base.alg(),
                    (int(CRIT), Value::Array(labels)),
                    (int(KID), Value::Bytes(b"device-key-1".to_vec())),
                    base.x5(),
                ],
                Vec::new(),
            )?,
            "token.crit-malformed",
        ))?;
    }

    gen.add(CaseSpec::invalid(
        "invalid-content-type-negative",
        "content type is -1: neither an unsigned integer nor a text string.",
        base.with_headers(
            vec![base.alg(), (int(CONTENT_TYPE), int(-1)), base.x5()],
            Vec::new(),
        )?,
        "token.malformed",
    ))?;

    let s = Sign1::standard(&base.chain, base.payload.clone(), &base.device).sign(&base.device)?;
    gen.add(CaseSpec::invalid(
        "invalid-sign1-tag-twice",
        "18(18([...])): a second tag 18 inside the first, around the (validly signed) \
         COSE_Sign1 array.",
        encode_items(&[SIGN1_TAG, SIGN1_TAG], &s.items()),
        "token.wrong-tag",
    ))?;

    let mut items = s.items();
    if let Some(payload) = items.get_mut(2) {
        *payload = vec![0xf7];
    }
    gen.add(CaseSpec::invalid(
        "invalid-payload-undefined",
        "The payload is undefined (0xf7), which is neither a byte string nor nil (detached).",
        encode_items(&s.tags, &items),
        "token.malformed",
    ))?;

    for (id, description, value) in [
        (
            "invalid-tag-registered-invalid",
            "The unprotected header holds 65535(0): tag 65535 is registered as invalid.",
            [head(6, 0xffff), vec![0x00]].concat(),
        ),
        (
            "invalid-bignum-not-bstr",
            "The unprotected header holds 2(\"1\"): a bignum must enclose a byte string.",
            [head(6, 2), vec![0x61, b'1']].concat(),
        ),
    ] {
        let mut unprotected = vec![0xa1];
        unprotected.extend(cbor::encode(&int(-70_002)));
        unprotected.extend(value);
        gen.add(CaseSpec::invalid(
            id,
            description,
            Sign1::new(
                cbor::encode(&Value::Map(vec![base.alg(), base.x5()])),
                unprotected,
                base.payload.clone(),
            )
            .sign(&base.device)?
            .encode(),
            "cbor.malformed",
        ))?;
    }
    Ok(())
}

/// The example phone's claims set, encoded, with one more entry (`entry`:
/// a key and a value, encoded as sent) at the end.
fn phone_and(entry: &[u8]) -> Vec<u8> {
    let Value::Map(entries) = phone().to_value() else {
        return Vec::new();
    };
    let mut out = head(5, entries.len() as u64 + 1);
    for (k, v) in &entries {
        out.extend(cbor::encode(k));
        out.extend(cbor::encode(v));
    }
    out.extend_from_slice(entry);
    out
}

/// The example phone's claims set with `edit` applied to the key and the
/// value of the chip layer's evidence source.
fn with_chip_evidence_source(edit: impl Fn(&mut Value, &mut Value)) -> Value {
    let mut claims = phone().to_value();
    if let Some(chip) = layer_mut(&mut claims, keys::layer::CHIP) {
        for (k, v) in chip.iter_mut() {
            if *k == int(keys::EVIDENCE_SOURCE) {
                edit(k, v);
            }
        }
    }
    claims
}

fn claims(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    let iat = u64::try_from(IAT).unwrap_or_default().to_be_bytes();
    let iat = iat
        .get(iat.iter().take_while(|&&b| b == 0).count()..)
        .unwrap_or_default();

    let mut iat_again = cbor::encode(&bignum(false, &[keys::IAT as u8]));
    iat_again.extend(cbor::encode(&int(IAT)));
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-bignum-claims",
        "The claims set has iat under 6 and again under 2(h'06'), the same key spelled as a \
         bignum (same value), signed.",
        token(&base.chain, phone_and(&iat_again), &base.device)?,
        "cbor.duplicate-key",
    ))?;

    let mut floats = cbor::encode(&int(-90_000));
    floats.extend([0xa2, 0xf9, 0x3e, 0x00, 0xf5]);
    floats.extend([0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xf4]);
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-float-widths",
        "An unknown claim is a map with the keys 1.5 (half precision) and 1.5 (double \
         precision): one key in two widths, signed.",
        token(&base.chain, phone_and(&floats), &base.device)?,
        "cbor.duplicate-key",
    ))?;

    let mut c = phone().to_value();
    if let Value::Map(entries) = &mut c {
        for (k, v) in entries.iter_mut() {
            if *k == int(keys::IAT) {
                *v = bignum(false, iat);
            }
        }
    }
    gen.add(CaseSpec::invalid(
        "invalid-claims-iat-bignum",
        alloc::format!(
            "iat is 2(h'{}'), the bignum of its own value: a tag, not an int.",
            hex(iat)
        ),
        base.claims(&c)?,
        "claims.wrong-type",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-claims-key-bignum",
        "The chip layer carries its evidence source under the key 3(h'01387f') (the bignum for \
         -80000) instead of -80000: a claim key is an untagged int or tstr.",
        base.claims(&with_chip_evidence_source(|k, _| {
            *k = bignum(true, &[0x01, 0x38, 0x7f])
        }))?,
        "claims.wrong-type",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-claims-evidence-source-bignum",
        "The chip layer's evidence-source is 2(h'02'), a bignum, instead of the uint 2 \
         (hardware).",
        base.claims(&with_chip_evidence_source(|_, v| {
            *v = bignum(false, &[0x02])
        }))?,
        "claims.wrong-type",
    ))?;
    Ok(())
}
