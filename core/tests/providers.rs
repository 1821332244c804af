//! Every crypto provider compiled in agrees with the others on the same
//! inputs (the Wycheproof corpus runs over all of them in `corpora.rs`).

use mtattest::crypto::{Algorithm, CryptoProvider, PublicKey, RustCrypto, Signer, SoftwareSigner};

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
    PublicKey::from_sec1(key.curve(), &out).expect("compressed point")
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
                assert!(p.verify(alg, &k, message, &signature), "{name} {alg:?}");
                assert!(!p.verify(alg, &k, b"other", &signature), "{name} {alg:?}");
                assert!(!p.verify(alg, &k, message, &signature[1..]), "{name} short");
                let other = if alg == Algorithm::Es384 {
                    Algorithm::Es256
                } else {
                    Algorithm::Es384
                };
                assert!(
                    !p.verify(other, &k, message, &signature),
                    "{name} wrong alg"
                );
            }
            assert_eq!(p.sha384(b"abc"), RustCrypto.sha384(b"abc"), "{name}");
        }
    }
}
