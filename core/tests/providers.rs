//! Every crypto provider compiled in agrees with the others on the same
//! inputs (the Wycheproof corpus runs over all of them in `corpora.rs`).

use mtattest::crypto::{
    Algorithm, CryptoProvider, Curve, PublicKey, RustCrypto, Signer, SoftwareSigner,
};

fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut all: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("RustCrypto", Box::new(RustCrypto))];
    #[cfg(feature = "aws-lc")]
    all.push(("AwsLc", Box::new(mtattest::crypto::AwsLc)));
    all
}

fn compressed(key: &PublicKey) -> PublicKey {
    let sec1 = key.sec1();
    let half = (sec1.len() - 1) / 2;
    let y_last = sec1[sec1.len() - 1];
    let mut out = vec![0x02 | (y_last & 1)];
    out.extend_from_slice(&sec1[1..=half]);
    PublicKey::from_sec1(key.curve(), &out, &RustCrypto).expect("compressed point")
}

#[test]
fn providers_agree_on_es384_and_es256() {
    for alg in Algorithm::ALL {
        let secret = vec![0x42; alg.signature_len() / 2];
        let signer = SoftwareSigner::from_secret_bytes(alg, &secret).unwrap();
        let key = signer.public_key();
        let message = b"to be signed";
        let signature = signer.sign(message).unwrap();
        for (name, p) in providers() {
            for k in [key.clone(), compressed(&key)] {
                assert!(
                    p.verify_raw_signature(alg, &k, message, &signature),
                    "{name} {alg:?}"
                );
                assert!(
                    !p.verify_raw_signature(alg, &k, b"other", &signature),
                    "{name} {alg:?}"
                );
                assert!(
                    !p.verify_raw_signature(alg, &k, message, &signature[1..]),
                    "{name} short"
                );
                let other = if alg == Algorithm::Es384 {
                    Algorithm::Es256
                } else {
                    Algorithm::Es384
                };
                assert!(
                    !p.verify_raw_signature(other, &k, message, &signature),
                    "{name} wrong alg"
                );
            }
        }
    }
}

/// FIPS 180-2 appendix B.1 and D.1: the digests of "abc".
#[test]
fn providers_hash_as_fips_180_says() {
    let sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let sha384 = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                  8086072ba1e7cc2358baeca134c825a7";
    for (name, p) in providers() {
        assert_eq!(hex::encode(p.sha256(b"abc")), sha256, "{name}");
        assert_eq!(
            hex::encode(p.sha384(b"abc")),
            sha384.replace(' ', ""),
            "{name}"
        );
    }
}

/// Every provider decodes a compressed point to the same uncompressed one
/// and refuses the same non-points: a point off the curve, an x with no
/// point on the curve, a coordinate not below the field prime.
#[test]
fn providers_agree_on_points() {
    for alg in Algorithm::ALL {
        let curve = alg.curve();
        let n = curve.scalar_len();
        let key = SoftwareSigner::from_secret_bytes(alg, &vec![0x42; n])
            .unwrap()
            .public_key();
        let compressed = compressed(&key);
        let mut off_curve = key.sec1().to_vec();
        off_curve[2 * n] ^= 1;
        // x = 1 has no point on P-256 nor on P-384 (x³ - 3x + b is not a
        // square modulo p: checked with Python's `sympy.is_quad_residue`).
        let mut no_point_x = vec![0x02];
        no_point_x.extend(vec![0; n - 1]);
        no_point_x.push(1);
        // x = p (all ones for the top bits of both primes): not a field
        // element at all.
        let mut x_is_p_or_more = vec![0x02];
        x_is_p_or_more.extend(vec![0xff; n]);
        for (name, p) in providers() {
            let p = p.as_ref();
            assert_eq!(
                p.uncompressed_point(curve, compressed.sec1()).as_deref(),
                Some(key.sec1()),
                "{name} {curve:?}"
            );
            assert_eq!(
                p.uncompressed_point(curve, key.sec1()).as_deref(),
                Some(key.sec1()),
                "{name} {curve:?}"
            );
            // A SubjectPublicKeyInfo is not a SEC1 point (aws-lc-rs would
            // take one).
            let spki = key_spki(&key);
            for bad in [&off_curve, &no_point_x, &x_is_p_or_more, &spki] {
                assert_eq!(p.uncompressed_point(curve, bad), None, "{name} {bad:02x?}");
                assert_eq!(
                    PublicKey::from_sec1(curve, bad, p).unwrap_err().code(),
                    "crypto.invalid-key",
                    "{name}"
                );
            }
            let other = if curve == Curve::P384 {
                Curve::P256
            } else {
                Curve::P384
            };
            assert!(
                PublicKey::from_sec1(other, key.sec1(), p).is_err(),
                "{name}"
            );
        }
    }
}

/// The key's SubjectPublicKeyInfo (RFC 5480), DER.
fn key_spki(key: &PublicKey) -> Vec<u8> {
    use der::Encode as _;
    let curve = match key.curve() {
        Curve::P384 => "1.3.132.0.34",
        Curve::P256 => "1.2.840.10045.3.1.7",
    };
    spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Some(
                der::Any::encode_from(&der::asn1::ObjectIdentifier::new_unwrap(curve)).unwrap(),
            ),
        },
        subject_public_key: der::asn1::BitString::from_bytes(key.sec1()).unwrap(),
    }
    .to_der()
    .unwrap()
}
