//! Invalid envelopes: CBOR well-formedness and limits, tags, the
//! COSE_Sign1 structure, header rules and signatures. Each token is the
//! usual valid token (the example phone, x5chain protected) with one fault.

use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::fixtures::{phone, Pki};
use super::manifest::CaseOptions;
use super::sign1::{
    alg, bstr, encode_items, head, header, int, x5chain, Sign1, X5Form, ALG, CONTENT_TYPE, CRIT,
    KID, X5CHAIN,
};
use super::{sign1, CaseSpec, Gen, SIGN1_TAG};
use mtattest::cbor;
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::error::Error;
use mtattest::token::TAG_CWT;

/// What every case here starts from.
struct Base {
    chain: Vec<Vec<u8>>,
    payload: Vec<u8>,
    device: SoftwareSigner,
    pki: Pki,
}

impl Base {
    fn protected(&self) -> Vec<u8> {
        header(vec![
            (ALG, alg(Algorithm::Es384)),
            (X5CHAIN, x5chain(&self.chain, X5Form::Array)),
        ])
    }

    /// The valid token, signed.
    fn signed(&self) -> Result<Sign1, Error> {
        Sign1::standard(&self.chain, self.payload.clone(), &self.device).sign(&self.device)
    }

    /// A token with these headers, signed by the device.
    fn with_headers(
        &self,
        protected: Vec<(i64, Value)>,
        unprotected: Vec<(i64, Value)>,
    ) -> Result<Vec<u8>, Error> {
        self.raw_headers(header(protected), header(unprotected))
    }

    /// A token with these encoded headers, signed by the device.
    fn raw_headers(&self, protected: Vec<u8>, unprotected: Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(Sign1::new(protected, unprotected, self.payload.clone())
            .sign(&self.device)?
            .encode())
    }

    fn x5(&self) -> (i64, Value) {
        (X5CHAIN, x5chain(&self.chain, X5Form::Array))
    }
}

fn es384() -> (i64, Value) {
    (ALG, alg(Algorithm::Es384))
}

/// `n` arrays, each holding the next, the innermost holding 0.
fn nested_arrays(n: usize) -> Vec<u8> {
    let mut out = vec![0x81; n];
    out.push(0x00);
    out
}

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let base = Base {
        chain: pki.chain(),
        payload: phone().to_cbor(),
        device: pki.device.signer()?,
        pki,
    };
    signatures(gen, &base)?;
    headers(gen, &base)?;
    cbor_faults(gen, &base)?;
    structure(gen, &base)?;
    Ok(())
}

fn signatures(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    // The device signed an unlocked bootloader; the token says locked.
    let mut unlocked = phone();
    if let Some(boot) = unlocked.boot.as_mut() {
        boot.bootloader_locked = Some(false);
    }
    let mut t =
        Sign1::standard(&base.chain, unlocked.to_cbor(), &base.device).sign(&base.device)?;
    t.payload = Some(base.payload.clone());
    gen.add(CaseSpec::invalid(
        "invalid-tampered-payload",
        "The device signed bootloader-locked false; the payload was then changed to say true \
         (still a valid claims set).",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    t.protected = header(vec![es384(), (CONTENT_TYPE, int(61)), base.x5()]);
    gen.add(CaseSpec::invalid(
        "invalid-tampered-protected-header",
        "A content-type parameter was added to the protected header after signing.",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    let mut reencoded = vec![0xa2, 0x01, 0x39, 0x00, 0x22];
    reencoded.extend(cbor::encode(&int(X5CHAIN)));
    reencoded.extend(cbor::encode(&x5chain(&base.chain, X5Form::Array)));
    t.protected = reencoded;
    gen.add(CaseSpec::invalid(
        "invalid-protected-header-reencoded",
        "The protected header was re-encoded after signing (alg -35 in a longer form): the same \
         map, other bytes. The signature covers the bytes, so it fails.",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    if let Some(b) = t.signature.get_mut(10) {
        *b ^= 0x01;
    }
    gen.add(CaseSpec::invalid(
        "invalid-tampered-signature",
        "One bit of the signature (in r) flipped.",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    t.signature = p384::ecdsa::Signature::from_slice(&t.signature)
        .map(|s| s.to_der().as_bytes().to_vec())
        .map_err(|_| mtattest::error::CryptoError::SignatureLength {
            alg: "ES384",
            len: t.signature.len(),
            expected: 96,
        })?;
    gen.add(CaseSpec::invalid(
        "invalid-signature-der-form",
        "The correct signature, but DER-encoded (Ecdsa-Sig-Value) instead of r || s.",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    t.signature.pop();
    gen.add(CaseSpec::invalid(
        "invalid-signature-truncated",
        "The signature's last byte removed (95 bytes).",
        t.encode(),
        "token.bad-signature",
    ))?;

    let mut t = base.signed()?;
    t.signature = vec![0; 96];
    gen.add(CaseSpec::invalid(
        "invalid-signature-zero",
        "The signature is 96 zero bytes (r = s = 0).",
        t.encode(),
        "token.bad-signature",
    ))?;

    let other = base.pki.intermediate.signer()?;
    let t = Sign1::standard(&base.chain, base.payload.clone(), &other).sign(&other)?;
    gen.add(CaseSpec::invalid(
        "invalid-signed-by-other-key",
        "Signed with another P-384 key (the intermediate CA's) than the x5chain leaf's.",
        t.encode(),
        "token.bad-signature",
    ))?;

    let t = Sign1::new(
        header(vec![(ALG, int(Algorithm::Es256.cose_id())), base.x5()]),
        header(Vec::new()),
        base.payload.clone(),
    )
    .sign(&base.device)?;
    gen.add(CaseSpec::invalid(
        "invalid-key-algorithm-mismatch",
        "alg says ES256 but the x5chain leaf key is P-384 (the token was signed with it).",
        t.encode(),
        "token.key-algorithm-mismatch",
    ))?;
    Ok(())
}

fn headers(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    for (id, value, what) in [
        (
            "invalid-alg-none",
            Value::Text("none".into()),
            "the text \"none\"",
        ),
        ("invalid-alg-unknown", int(-999), "-999, no algorithm"),
        (
            "invalid-alg-es512",
            int(-36),
            "-36 (ES512), not in the profile",
        ),
        (
            "invalid-alg-rs256",
            int(-257),
            "-257 (RS256), not in the profile",
        ),
    ] {
        gen.add(CaseSpec::invalid(
            id,
            alloc::format!("The protected alg is {what}."),
            base.with_headers(vec![(ALG, value), base.x5()], Vec::new())?,
            "token.alg-not-allowed",
        ))?;
    }

    gen.add(CaseSpec::invalid(
        "invalid-alg-also-unprotected",
        "alg in the protected header and again in the unprotected header.",
        base.with_headers(vec![es384(), base.x5()], vec![es384()])?,
        "token.alg-unprotected",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-alg-only-unprotected",
        "alg only in the unprotected header.",
        base.with_headers(vec![base.x5()], vec![es384()])?,
        "token.alg-unprotected",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-alg-missing",
        "No alg in either header.",
        base.with_headers(vec![base.x5()], Vec::new())?,
        "token.alg-missing",
    ))?;

    let p256 = base.pki.device_p256.signer()?;
    let chain = vec![
        base.pki.device_p256.der.clone(),
        base.pki.intermediate.der.clone(),
    ];
    gen.add(
        CaseSpec::invalid(
            "invalid-alg-not-allowed-by-verifier",
            "A valid ES256 token, but this verifier allows only ES384.",
            super::valid::token(&chain, base.payload.clone(), &p256)?,
            "token.alg-not-allowed",
        )
        .options(CaseOptions {
            allowed_algorithms: Some(vec!["ES384"]),
            ..CaseOptions::default()
        }),
    )?;

    gen.add(CaseSpec::invalid(
        "invalid-crit-unknown-label",
        "crit lists -70001, which the protected header carries but no verifier of the profile \
         understands.",
        base.with_headers(
            vec![
                es384(),
                (CRIT, Value::Array(vec![int(-70_001)])),
                base.x5(),
                (-70_001, Value::Bool(true)),
            ],
            Vec::new(),
        )?,
        "token.unknown-critical-header",
    ))?;
    let text_label = Value::Text("vendor-ext".into());
    let protected = cbor::encode(&Value::Map(vec![
        (int(ALG), alg(Algorithm::Es384)),
        (int(CRIT), Value::Array(vec![text_label.clone()])),
        (int(X5CHAIN), x5chain(&base.chain, X5Form::Array)),
        (text_label, Value::Bool(true)),
    ]));
    gen.add(CaseSpec::invalid(
        "invalid-crit-text-label",
        "crit lists the text label \"vendor-ext\" (present in the protected header); text labels \
         are never understood.",
        base.raw_headers(protected, header(Vec::new()))?,
        "token.unknown-critical-header",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-crit-empty",
        "crit is an empty array.",
        base.with_headers(
            vec![es384(), (CRIT, Value::Array(Vec::new())), base.x5()],
            Vec::new(),
        )?,
        "token.crit-malformed",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-crit-not-array",
        "crit is the integer 1, not an array.",
        base.with_headers(vec![es384(), (CRIT, int(1)), base.x5()], Vec::new())?,
        "token.crit-malformed",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-crit-unprotected",
        "crit [1] in the unprotected header.",
        base.with_headers(
            vec![es384(), base.x5()],
            vec![(CRIT, Value::Array(vec![int(ALG)]))],
        )?,
        "token.crit-malformed",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-crit-lists-absent-label",
        "crit lists kid (4), which the protected header does not carry.",
        base.with_headers(
            vec![es384(), (CRIT, Value::Array(vec![int(KID)])), base.x5()],
            Vec::new(),
        )?,
        "token.crit-malformed",
    ))?;

    let kid = Value::Bytes(b"device-key-1".to_vec());
    gen.add(CaseSpec::invalid(
        "invalid-kid-in-both-buckets",
        "kid in the protected and in the unprotected header (same value).",
        base.with_headers(
            vec![es384(), (KID, kid.clone()), base.x5()],
            vec![(KID, kid)],
        )?,
        "token.header-in-both-buckets",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-x5chain-in-both-buckets",
        "x5chain in the protected and in the unprotected header (same chain).",
        base.with_headers(vec![es384(), base.x5()], vec![base.x5()])?,
        "token.header-in-both-buckets",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-x5chain-empty-array",
        "x5chain is an empty array.",
        base.with_headers(
            vec![es384(), (X5CHAIN, Value::Array(Vec::new()))],
            Vec::new(),
        )?,
        "token.malformed",
    ))?;
    let mut bad_elements: Vec<Value> = base.chain.iter().cloned().map(Value::Bytes).collect();
    bad_elements.push(int(7));
    gen.add(CaseSpec::invalid(
        "invalid-x5chain-element-not-bstr",
        "x5chain is an array whose last element is the integer 7.",
        base.with_headers(
            vec![es384(), (X5CHAIN, Value::Array(bad_elements))],
            Vec::new(),
        )?,
        "token.malformed",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-x5chain-text",
        "x5chain is a text string.",
        base.with_headers(
            vec![es384(), (X5CHAIN, Value::Text("certificate".into()))],
            Vec::new(),
        )?,
        "token.malformed",
    ))?;
    Ok(())
}

fn cbor_faults(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    let valid = base.signed()?.encode();

    let mut t = valid.clone();
    t.push(0x00);
    gen.add(CaseSpec::invalid(
        "invalid-trailing-bytes",
        "One byte (0x00) after the token.",
        t,
        "cbor.trailing-bytes",
    ))?;

    let mut t = valid.clone();
    t.pop();
    gen.add(CaseSpec::invalid(
        "invalid-truncated",
        "The token's last byte removed.",
        t,
        "cbor.truncated",
    ))?;

    let s = base.signed()?;
    let mut t = head(6, SIGN1_TAG);
    t.push(0x9f);
    for item in s.items() {
        t.extend(item);
    }
    t.push(0xff);
    gen.add(CaseSpec::invalid(
        "invalid-indefinite-length-array",
        "The COSE_Sign1 array in indefinite-length form (0x9f ... 0xff).",
        t,
        "cbor.indefinite-length",
    ))?;

    let s = base.signed()?;
    let mut items = s.items();
    if let Some(payload) = items.get_mut(2) {
        let mut chunked = vec![0x5f];
        chunked.extend(bstr(&base.payload));
        chunked.push(0xff);
        *payload = chunked;
    }
    gen.add(CaseSpec::invalid(
        "invalid-indefinite-length-payload",
        "The payload byte string in indefinite-length form (one chunk).",
        encode_items(&s.tags, &items),
        "cbor.indefinite-length",
    ))?;

    let mut unprotected = vec![0xa1];
    unprotected.extend(cbor::encode(&int(-70_002)));
    unprotected.push(0x1c);
    gen.add(CaseSpec::invalid(
        "invalid-reserved-additional-information",
        "The unprotected header holds a value whose initial byte 0x1c uses reserved \
         additional information 28.",
        base.raw_headers(base.protected(), unprotected)?,
        "cbor.malformed",
    ))?;

    let mut unprotected = vec![0xa1];
    unprotected.extend(cbor::encode(&int(-70_002)));
    unprotected.extend([0x62, 0xc3, 0x28]);
    gen.add(CaseSpec::invalid(
        "invalid-utf8",
        "The unprotected header holds a text string that is not UTF-8 (c3 28).",
        base.raw_headers(base.protected(), unprotected)?,
        "cbor.malformed",
    ))?;

    let mut protected = vec![0xa3, 0x01, 0x38, 0x22, 0x01, 0x38, 0x22];
    protected.extend(cbor::encode(&int(X5CHAIN)));
    protected.extend(cbor::encode(&x5chain(&base.chain, X5Form::Array)));
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-protected",
        "The protected header has alg twice (same value); signed as sent.",
        base.raw_headers(protected, header(Vec::new()))?,
        "cbor.duplicate-key",
    ))?;

    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-unprotected",
        "The unprotected header has kid twice, with different values.",
        base.raw_headers(
            base.protected(),
            vec![0xa2, 0x04, 0x41, 0x01, 0x04, 0x41, 0x02],
        )?,
        "cbor.duplicate-key",
    ))?;

    let Value::Map(mut entries) = phone().to_value() else {
        return Ok(());
    };
    let iat = entries
        .iter()
        .find(|(k, _)| *k == int(mtattest::claims::keys::IAT))
        .cloned();
    if let Some(iat) = iat.clone() {
        entries.push(iat);
    }
    let mut dup = sign1::head(5, entries.len() as u64);
    for (k, v) in &entries {
        dup.extend(cbor::encode(k));
        dup.extend(cbor::encode(v));
    }
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-claims",
        "The claims set has iat twice (same value), signed.",
        super::valid::token(&base.chain, dup, &base.device)?,
        "cbor.duplicate-key",
    ))?;

    let Value::Map(entries) = phone().to_value() else {
        return Ok(());
    };
    let mut dup = sign1::head(5, entries.len() as u64 + 1);
    for (k, v) in &entries {
        dup.extend(cbor::encode(k));
        dup.extend(cbor::encode(v));
    }
    if let Some((_, v)) = iat {
        dup.extend([0x18, 0x06]);
        dup.extend(cbor::encode(&v));
    }
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-non-preferred",
        "The claims set has iat twice: key 6 as 0x06 and as 0x18 0x06, which is the same key \
         (integer keys compare by value), signed.",
        super::valid::token(&base.chain, dup, &base.device)?,
        "cbor.duplicate-key",
    ))?;

    let mut claims = phone().to_value();
    if let Some(chip) = layer_mut(&mut claims, "chip") {
        chip.push((int(-80_000), int(2)));
    }
    gen.add(CaseSpec::invalid(
        "invalid-duplicate-key-in-layer",
        "The chip layer has evidence-source twice (same value), signed.",
        super::valid::token(&base.chain, cbor::encode(&claims), &base.device)?,
        "cbor.duplicate-key",
    ))?;

    let big = Value::Bytes(vec![0x55; 16_500]);
    gen.add(CaseSpec::invalid(
        "invalid-too-large",
        "The token is over 16 384 bytes (an unknown unprotected parameter holds 16 500 bytes); \
         it is refused before parsing.",
        base.with_headers(vec![es384(), base.x5()], vec![(-70_003, big)])?,
        "token.too-large",
    ))?;

    let mut unprotected = vec![0xa1];
    unprotected.extend(cbor::encode(&int(-70_004)));
    unprotected.extend(nested_arrays(20));
    gen.add(CaseSpec::invalid(
        "invalid-too-deep-header",
        "The unprotected header holds 20 nested arrays (depth limit 16).",
        base.raw_headers(base.protected(), unprotected)?,
        "cbor.too-deep",
    ))?;

    let Value::Map(entries) = phone().to_value() else {
        return Ok(());
    };
    let mut deep = sign1::head(5, entries.len() as u64 + 1);
    for (k, v) in &entries {
        deep.extend(cbor::encode(k));
        deep.extend(cbor::encode(v));
    }
    deep.extend(cbor::encode(&int(-90_000)));
    deep.extend(nested_arrays(20));
    gen.add(CaseSpec::invalid(
        "invalid-too-deep-claims",
        "An unknown claim holds 20 nested arrays (depth limit 16), signed.",
        super::valid::token(&base.chain, deep, &base.device)?,
        "cbor.too-deep",
    ))?;

    let mut claims = phone().to_value();
    if let Value::Map(entries) = &mut claims {
        entries.push((int(-90_000), Value::Array(vec![int(0); 4100])));
    }
    gen.add(CaseSpec::invalid(
        "invalid-too-many-items-claims",
        "An unknown claim is an array of 4 100 integers: more than 4 096 data items, signed.",
        super::valid::token(&base.chain, cbor::encode(&claims), &base.device)?,
        "cbor.too-many-items",
    ))?;

    let mut claims = phone().to_value();
    if let Value::Map(entries) = &mut claims {
        let map = (0..129).map(|i| (int(i), Value::Bool(true))).collect();
        entries.push((int(-90_000), Value::Map(map)));
    }
    gen.add(CaseSpec::invalid(
        "invalid-map-too-large-claims",
        "An unknown claim is a map of 129 entries (limit 128), signed.",
        super::valid::token(&base.chain, cbor::encode(&claims), &base.device)?,
        "cbor.map-too-large",
    ))?;

    let many = (0..129).map(|i| (-70_100 - i, Value::Bool(true))).collect();
    gen.add(CaseSpec::invalid(
        "invalid-map-too-large-header",
        "The unprotected header has 129 parameters (limit 128).",
        base.with_headers(vec![es384(), base.x5()], many)?,
        "cbor.map-too-large",
    ))?;
    Ok(())
}

/// The entries of `layer` in a claims-set value.
pub(super) fn layer_mut<'a>(
    claims: &'a mut Value,
    layer: &str,
) -> Option<&'a mut Vec<(Value, Value)>> {
    let Value::Map(entries) = claims else {
        return None;
    };
    let submods = entries
        .iter_mut()
        .find(|(k, _)| *k == int(mtattest::claims::keys::SUBMODS))?;
    let Value::Map(layers) = &mut submods.1 else {
        return None;
    };
    let found = layers
        .iter_mut()
        .find(|(k, _)| *k == Value::Text(layer.into()))?;
    match &mut found.1 {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

fn structure(gen: &mut Gen, base: &Base) -> Result<(), Error> {
    let s = base.signed()?;

    let untagged = encode_items(&[], &s.items());
    gen.add(CaseSpec::invalid(
        "invalid-untagged",
        "The COSE_Sign1 array without tag 18.",
        untagged,
        "token.untagged",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-cwt-tag-without-sign1-tag",
        "Tag 61 directly around the COSE_Sign1 array, without tag 18.",
        encode_items(&[TAG_CWT], &s.items()),
        "token.untagged",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-wrong-tag",
        "Tag 17 (COSE_Mac0) instead of 18.",
        encode_items(&[17], &s.items()),
        "token.wrong-tag",
    ))?;
    gen.add(CaseSpec::invalid(
        "invalid-wrong-tag-inside-cwt",
        "Tag 61 around tag 98 (COSE_Sign) instead of 18.",
        encode_items(&[TAG_CWT, 98], &s.items()),
        "token.wrong-tag",
    ))?;

    let items = s.items();
    gen.add(CaseSpec::invalid(
        "invalid-three-elements",
        "The COSE_Sign1 array without its signature: three elements.",
        encode_items(&s.tags, items.get(..3).unwrap_or_default()),
        "token.malformed",
    ))?;
    let mut five = items.clone();
    five.push(bstr(&[]));
    gen.add(CaseSpec::invalid(
        "invalid-five-elements",
        "An empty byte string appended to the COSE_Sign1 array: five elements.",
        encode_items(&s.tags, &five),
        "token.malformed",
    ))?;

    let mut as_map = items.clone();
    if let Some(p) = as_map.get_mut(0) {
        *p = base.protected();
    }
    gen.add(CaseSpec::invalid(
        "invalid-protected-header-not-bstr",
        "The protected header is the map itself instead of a byte string holding it.",
        encode_items(&s.tags, &as_map),
        "token.malformed",
    ))?;

    let protected = cbor::encode(&Value::Array(vec![int(ALG), alg(Algorithm::Es384)]));
    gen.add(CaseSpec::invalid(
        "invalid-protected-header-not-map",
        "The protected header byte string holds an array [1, -35], not a map.",
        base.raw_headers(protected, header(Vec::new()))?,
        "token.malformed",
    ))?;

    let mut unprotected_array = items.clone();
    if let Some(u) = unprotected_array.get_mut(1) {
        *u = vec![0x80];
    }
    gen.add(CaseSpec::invalid(
        "invalid-unprotected-header-not-map",
        "The unprotected header is an empty array instead of a map.",
        encode_items(&s.tags, &unprotected_array),
        "token.malformed",
    ))?;

    let mut text_payload = items.clone();
    if let Some(p) = text_payload.get_mut(2) {
        *p = cbor::encode(&Value::Text("claims".into()));
    }
    gen.add(CaseSpec::invalid(
        "invalid-payload-not-bstr",
        "The payload is a text string.",
        encode_items(&s.tags, &text_payload),
        "token.malformed",
    ))?;

    let mut text_signature = items.clone();
    if let Some(sig) = text_signature.get_mut(3) {
        *sig = cbor::encode(&Value::Text("signature".into()));
    }
    gen.add(CaseSpec::invalid(
        "invalid-signature-not-bstr",
        "The signature is a text string.",
        encode_items(&s.tags, &text_signature),
        "token.malformed",
    ))?;

    let mut detached = Sign1::new(base.protected(), header(Vec::new()), Vec::new());
    detached = detached.sign(&base.device)?;
    detached.payload = None;
    gen.add(CaseSpec::invalid(
        "invalid-detached-payload",
        "The payload is nil (detached); the signature is over an empty payload.",
        detached.encode(),
        "token.detached-payload",
    ))?;
    Ok(())
}
