//! Spec §10.3: the same anchor configured twice is trusted once; another
//! certificate for the subject and key of an anchor, or the same one under
//! another profile, is refused; a private key given as an anchor says so.

use mtattest::trust::{Profile, TrustAnchors};
use mtattest_testkit::pki::{issue, CertSpec, TestPki};

#[test]
fn the_same_anchor_twice_is_trusted_once() {
    let pki = TestPki::standard().unwrap();
    let mut set = TrustAnchors::new();
    set.add_der(&pki.root.der).unwrap();
    set.add_der(&pki.root.der).unwrap();
    assert_eq!(set.len(), 1);
    // A bundle counts only what it added.
    let pem = pki.root.pem() + &pki.intermediate.pem();
    assert_eq!(set.add_pem(pem.as_bytes()).unwrap(), 1);
    assert_eq!(set.len(), 2);
    assert_eq!(set.iter_der().count(), 2);
}

#[test]
fn another_certificate_for_an_anchors_subject_and_key_is_refused() {
    let pki = TestPki::standard().unwrap();
    let mut set = TrustAnchors::new();
    set.add_der(&pki.root.der).unwrap();
    // The root re-issued with another serial: same subject, same key.
    let reissued = issue(
        &CertSpec {
            serial: 0x1002,
            ..CertSpec::root()
        },
        None,
    )
    .unwrap();
    assert_ne!(reissued, pki.root.der);
    let err = set.add_der(&reissued).unwrap_err();
    assert_eq!(err.code(), "chain.bad-anchor");
    // The same root under another profile: which one would apply?
    let err = set
        .add_der_with_profile(&pki.root.der, Profile::android())
        .unwrap_err();
    assert_eq!(err.code(), "chain.bad-anchor");
    assert_eq!(set.len(), 1);
}

#[test]
fn a_private_key_given_as_an_anchor_says_so() {
    let pki = TestPki::standard().unwrap();
    let key_pem = pki.root.spec.key.private_key_pem().unwrap();
    let err = TrustAnchors::from_pem(key_pem.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "chain.bad-anchor");
    assert!(err.to_string().contains("private key"), "{err}");
    // The same key as DER (PKCS #8).
    let (_, der) = der::pem::decode_vec(key_pem.as_bytes()).unwrap();
    let err = TrustAnchors::new().add_der(&der).unwrap_err();
    assert_eq!(err.code(), "chain.bad-anchor");
    assert!(
        err.to_string().contains("a private key, not a certificate"),
        "{err}"
    );
    // Junk is not called a key.
    let err = TrustAnchors::new().add_der(b"junk").unwrap_err();
    assert!(!err.to_string().contains("private key"), "{err}");
}
