//! The device's side: a signer (a software key, or a callback into the
//! firmware's TEE or HSM) and issuing a token from claims JSON into the
//! caller's buffer.

use std::ffi::{c_char, c_int, c_void};

use mtattest::claims::{ClaimsSet, Nonce};
use mtattest::crypto::{Algorithm, Signer, SoftwareSigner};
use mtattest::error::{ChainError, CryptoError};
use mtattest::token::{HeaderPlacement, TokenBuilder};

use crate::boundary::{
    self, borrow, bytes, certificates, copy_out, into_handle, optional_bytes, text, write_out,
    Failure, Opaque,
};
use crate::error::mtattest_result;
use crate::verify::algorithms;

/// Issue flag: put x5chain in the unprotected header (default: protected,
/// so the signature covers the chain).
pub const MTATTEST_ISSUE_X5CHAIN_UNPROTECTED: u32 = 1;
/// Issue flag: wrap the token in the CWT tag (61).
pub const MTATTEST_ISSUE_CWT_TAG: u32 = 2;

/// Size of the buffer a signing callback is given: room for any raw
/// signature of the profile (96 bytes for ES384) and for the DER form a
/// mistaken callback might write, so that mistake is reported as
/// MTATTEST_CRYPTO_SIGNATURE_LENGTH rather than cut short.
const CALLBACK_SIGNATURE_CAP: usize = 160;

/// A signing callback: the firmware's TEE, HSM or keystore signs.
///
/// It is called with the `user` pointer given to
/// mtattest_signer_new_callback(), the to-be-signed bytes (`tbs`,
/// `tbs_len`: the COSE Sig_structure, to be hashed with the algorithm's
/// hash, SHA-384 for ES384), and a buffer of `sig_cap` bytes (at least
/// 96). It writes the signature in the raw form r||s, each left-padded to
/// the curve size (96 bytes for ES384, 64 for ES256; not DER), stores its
/// length in `*sig_len` and returns 0. Any other return value means the
/// signer failed (MTATTEST_CRYPTO_SIGNING_FAILED). It must not unwind or
/// longjmp through the library, and it may call mtattest_signer_sign() on
/// another signer (e.g. a software key in tests).
pub type mtattest_sign_callback = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        tbs: *const u8,
        tbs_len: usize,
        sig_out: *mut u8,
        sig_cap: usize,
        sig_len: *mut usize,
    ) -> c_int,
>;

/// A signing key: software (mtattest_signer_new_p384(),
/// mtattest_signer_new_pkcs8_pem()) or a callback
/// (mtattest_signer_new_callback()). Freed by mtattest_signer_free(). A
/// software signer may be used by several threads at once; a callback
/// signer as far as its callback allows.
pub struct mtattest_signer {
    _private: [u8; 0],
}

/// What a signer holds.
pub(crate) enum SignerState {
    Software(SoftwareSigner),
    Callback(CallbackSigner),
}

impl Opaque for mtattest_signer {
    type Inner = SignerState;
    const MAGIC: u64 = 0x6d74_6174_7369_676e; // "mtatsign"
    const NAME: &'static str = "mtattest_signer";
}

/// A signer that calls into C.
pub(crate) struct CallbackSigner {
    algorithm: Algorithm,
    sign: unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize) -> c_int,
    user: *mut c_void,
}

impl Signer for CallbackSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut sig = vec![0u8; CALLBACK_SIGNATURE_CAP];
        let mut len: usize = 0;
        // SAFETY: the callback's contract (documented on
        // mtattest_sign_callback, accepted by whoever registered it): it
        // reads `message.len()` bytes at `message.as_ptr()`, writes at most
        // `sig.len()` bytes at `sig.as_mut_ptr()` and one usize at `&mut
        // len`, all of which are valid for the duration of the call, and
        // does not unwind.
        let rc = unsafe {
            (self.sign)(
                self.user,
                message.as_ptr(),
                message.len(),
                sig.as_mut_ptr(),
                sig.len(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(CryptoError::SigningFailed {
                reason: format!("the signing callback returned {rc}"),
            });
        }
        if len > sig.len() {
            return Err(CryptoError::SigningFailed {
                reason: format!(
                    "the signing callback reported {len} bytes, more than its {}-byte buffer",
                    sig.len()
                ),
            });
        }
        sig.truncate(len);
        Ok(sig)
    }
}

impl Signer for SignerState {
    fn algorithm(&self) -> Algorithm {
        match self {
            SignerState::Software(s) => s.algorithm(),
            SignerState::Callback(s) => s.algorithm(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            SignerState::Software(s) => s.sign(message),
            SignerState::Callback(s) => s.sign(message),
        }
    }
}

/// Stands in for the real signer to learn a token's size: the signature
/// length depends only on the algorithm, so the size is exact and the
/// real signer (an HSM, perhaps) is not asked twice.
struct SizingSigner(Algorithm);

impl Signer for SizingSigner {
    fn algorithm(&self) -> Algorithm {
        self.0
    }

    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Ok(vec![0; self.0.signature_len()])
    }
}

/// Stores a new signer in `*out`.
///
/// # Safety
///
/// `out` must be NULL or valid for writing a pointer.
unsafe fn new_signer(
    out: *mut *mut mtattest_signer,
    make: impl FnOnce() -> Result<SignerState, Failure>,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: valid for writes per the caller (NULL is refused inside).
        unsafe { write_out(out, std::ptr::null_mut(), "out") }?;
        let signer = make()?;
        // SAFETY: as above.
        unsafe { write_out(out, into_handle(signer), "out") }
    })
}

/// Makes a software ES384 signer from a P-384 private key given as its
/// raw 48-byte big-endian scalar. Another length or an invalid scalar
/// gives MTATTEST_CRYPTO_INVALID_KEY. Signatures are deterministic
/// (RFC 6979).
///
/// # Safety
///
/// `secret` must be NULL or point to `secret_len` readable bytes; `out`
/// NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_signer_new_p384(
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut mtattest_signer,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        new_signer(out, || {
            let secret = bytes(secret, secret_len, "secret")?;
            if secret.len() != 48 {
                return Err(Failure::new(
                    mtattest_result::MTATTEST_CRYPTO_INVALID_KEY,
                    format!("a P-384 private key is 48 bytes, not {}", secret.len()),
                ));
            }
            let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, secret)
                .map_err(mtattest::Error::from)?;
            Ok(SignerState::Software(signer))
        })
    }
}

/// Makes a software signer from an unencrypted PKCS#8 private key in PEM
/// ("-----BEGIN PRIVATE KEY-----", as `mtattest pki` writes them): P-384
/// signs ES384, P-256 ES256. Anything else gives
/// MTATTEST_CRYPTO_INVALID_KEY.
///
/// # Safety
///
/// `pem` must be NULL or point to `pem_len` readable bytes; `out` NULL or
/// valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_signer_new_pkcs8_pem(
    pem: *const c_char,
    pem_len: usize,
    out: *mut *mut mtattest_signer,
) -> mtattest_result {
    use p256::pkcs8::DecodePrivateKey as _;
    // SAFETY: forwarded from the caller.
    unsafe {
        new_signer(out, || {
            let pem = text(pem, pem_len, "pem")?.trim();
            let invalid =
                |reason: String| Failure::new(mtattest_result::MTATTEST_CRYPTO_INVALID_KEY, reason);
            if !pem.contains("-----BEGIN PRIVATE KEY-----") {
                return Err(invalid(
                    "expected an unencrypted PKCS#8 \"PRIVATE KEY\" PEM".to_string(),
                ));
            }
            let (alg, secret) = match p384::SecretKey::from_pkcs8_pem(pem) {
                Ok(k) => (Algorithm::Es384, k.to_bytes().to_vec()),
                Err(e384) => match p256::SecretKey::from_pkcs8_pem(pem) {
                    Ok(k) => (Algorithm::Es256, k.to_bytes().to_vec()),
                    Err(_) => {
                        return Err(invalid(format!(
                            "not a P-384 or P-256 PKCS#8 private key ({e384})"
                        )))
                    }
                },
            };
            let signer =
                SoftwareSigner::from_secret_bytes(alg, &secret).map_err(mtattest::Error::from)?;
            Ok(SignerState::Software(signer))
        })
    }
}

/// Makes a signer that calls `sign` (see mtattest_sign_callback) with
/// `user` for every signature. `algorithm` is MTATTEST_ALG_ES384 or
/// MTATTEST_ALG_ES256: the algorithm of the callback's key. `user` is not
/// touched by the library and must stay valid while the signer is used.
///
/// # Safety
///
/// `sign` must be NULL or a function that keeps the contract of
/// mtattest_sign_callback; `out` NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_signer_new_callback(
    algorithm: u32,
    sign: mtattest_sign_callback,
    user: *mut c_void,
    out: *mut *mut mtattest_signer,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        new_signer(out, || {
            let sign = sign.ok_or_else(|| Failure::null("sign"))?;
            let algorithm = match algorithms(algorithm)?.as_slice() {
                [one] => *one,
                _ => {
                    return Err(Failure::invalid(
                        "give one algorithm: MTATTEST_ALG_ES384 or MTATTEST_ALG_ES256",
                    ))
                }
            };
            Ok(SignerState::Callback(CallbackSigner {
                algorithm,
                sign,
                user,
            }))
        })
    }
}

/// Signs `tbs` with `signer` into `sig_out` (raw r||s, 96 bytes for
/// ES384, 64 for ES256), with the size query: `*sig_len` receives the
/// signature's size, and a NULL or short buffer gives
/// MTATTEST_ERR_BUFFER_TOO_SMALL without signing. A signing callback can
/// use it to sign with a software key.
///
/// # Safety
///
/// `signer` must be NULL or a live signer; `tbs` NULL or `tbs_len`
/// readable bytes; `sig_out` NULL or `sig_cap` writable bytes; `sig_len`
/// NULL or valid for writing a size_t.
#[no_mangle]
pub unsafe extern "C" fn mtattest_signer_sign(
    signer: *const mtattest_signer,
    tbs: *const u8,
    tbs_len: usize,
    sig_out: *mut u8,
    sig_cap: usize,
    sig_len: *mut usize,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: forwarded from the caller.
        let signer = unsafe { borrow(signer, "signer") }?;
        // SAFETY: forwarded from the caller.
        let tbs = unsafe { bytes(tbs, tbs_len, "tbs") }?;
        let alg = signer.algorithm();
        let needed = alg.signature_len();
        // The size query is answered without signing.
        // SAFETY: forwarded from the caller.
        unsafe { boundary::reserve(needed, sig_out, sig_cap, sig_len, "sig_out") }?;
        let sig = signer.sign(tbs).map_err(mtattest::Error::from)?;
        if sig.len() != needed {
            return Err(mtattest::Error::from(CryptoError::SignatureLength {
                alg: alg.name(),
                len: sig.len(),
                expected: needed,
            })
            .into());
        }
        // SAFETY: forwarded from the caller.
        unsafe { copy_out(&sig, sig_out, sig_cap, sig_len) }
    })
}

/// Frees a signer. NULL is ignored.
///
/// # Safety
///
/// `signer` must be NULL or a signer not used again.
#[no_mangle]
pub unsafe extern "C" fn mtattest_signer_free(signer: *mut mtattest_signer) {
    // SAFETY: forwarded from the caller.
    boundary::guard_pure((), || unsafe { boundary::free(signer) });
}

/// Issues a token: reads the claims from their JSON form
/// (spec/claims-json.md; MTATTEST_CLAIMS_* if they are not valid),
/// replaces their eat-nonce with `nonce` if one is given (the relying
/// party's challenge, 8 to 64 bytes; NULL and 0 keep the claims' own),
/// attaches the certificate chain `chain` in x5chain (leaf first: a PEM
/// bundle or DER certificates one after the other; NULL and 0 for none;
/// MTATTEST_CHAIN_MALFORMED if a certificate does not parse), and signs
/// with `signer`. `flags` combines MTATTEST_ISSUE_X5CHAIN_UNPROTECTED and
/// MTATTEST_ISSUE_CWT_TAG (0 for neither).
///
/// A token no verifier would accept for a limit of the profile (spec §8.1)
/// is refused with that limit's code before the signer is asked:
/// MTATTEST_TOKEN_TOO_LARGE (over 16 384 bytes), MTATTEST_CBOR_TOO_DEEP,
/// MTATTEST_CBOR_TOO_MANY_ITEMS, MTATTEST_CBOR_MAP_TOO_LARGE (claims beyond
/// the CBOR limits), MTATTEST_CLAIMS_SUBMODS_TOO_DEEP, MTATTEST_CHAIN_TOO_LONG
/// (more than six certificates), MTATTEST_CHAIN_CERT_TOO_LARGE (a
/// certificate over 8 192 bytes).
///
/// The token goes into `out` with the size query: `*out_len` receives the
/// token's size; with `out` NULL (and `out_cap` 0) or too small the call
/// returns MTATTEST_ERR_BUFFER_TOO_SMALL without signing, so the signer
/// (an HSM, perhaps) is asked only once, by the call that has room. A
/// buffer of MTATTEST_MAX_TOKEN_SIZE bytes holds every token a verifier
/// accepts.
///
/// # Safety
///
/// `signer` must be NULL or a live signer; `claims_json` NULL or
/// `claims_json_len` readable bytes; `nonce` NULL or `nonce_len` readable
/// bytes; `chain` NULL or `chain_len` readable bytes; `out` NULL or
/// `out_cap` writable bytes; `out_len` NULL or valid for writing a size_t.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mtattest_issue(
    signer: *const mtattest_signer,
    claims_json: *const c_char,
    claims_json_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    chain: *const u8,
    chain_len: usize,
    flags: u32,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: forwarded from the caller.
        let signer = unsafe { borrow(signer, "signer") }?;
        // SAFETY: forwarded from the caller.
        let json = unsafe { text(claims_json, claims_json_len, "claims JSON") }?;
        // SAFETY: forwarded from the caller.
        let nonce = unsafe { optional_bytes(nonce, nonce_len, "nonce") }?;
        // SAFETY: forwarded from the caller.
        let chain = unsafe { optional_bytes(chain, chain_len, "chain") }?;
        if out_len.is_null() {
            return Err(Failure::null("out_len"));
        }
        let known = MTATTEST_ISSUE_X5CHAIN_UNPROTECTED | MTATTEST_ISSUE_CWT_TAG;
        if flags & !known != 0 {
            return Err(Failure::invalid(format!(
                "flags 0x{flags:x} has unknown bits (known: 0x{known:x})"
            )));
        }

        let mut claims = ClaimsSet::from_json_str(json).map_err(mtattest::Error::from)?;
        if let Some(nonce) = nonce {
            claims.nonce = Some(Nonce::new(nonce).map_err(mtattest::Error::from)?);
        }
        let mut builder = TokenBuilder::new().cwt_tag(flags & MTATTEST_ISSUE_CWT_TAG != 0);
        if let Some(chain) = chain {
            let malformed = |index: usize, reason: String| -> mtattest::Error {
                ChainError::Malformed { index, reason }.into()
            };
            let certs = certificates(chain, "the chain PEM", &malformed)?;
            // The chain limits come before any certificate is parsed, as
            // in a verifier.
            mtattest::limits::check_x5chain(&certs).map_err(mtattest::Error::from)?;
            for (index, der) in certs.iter().enumerate() {
                <x509_cert::Certificate as der::Decode>::from_der(der)
                    .map_err(|e| malformed(index, format!("not a DER X.509 certificate: {e}")))?;
            }
            let placement = if flags & MTATTEST_ISSUE_X5CHAIN_UNPROTECTED != 0 {
                HeaderPlacement::Unprotected
            } else {
                HeaderPlacement::Protected
            };
            builder = builder.x5chain(certs, placement);
        }

        let needed = builder
            .sign(&claims, &SizingSigner(signer.algorithm()))?
            .len();
        // The size query is answered without signing.
        // SAFETY: forwarded from the caller.
        unsafe { boundary::reserve(needed, out, out_cap, out_len, "out") }?;
        let token = builder.sign(&claims, signer)?;
        // SAFETY: forwarded from the caller.
        unsafe { copy_out(&token, out, out_cap, out_len) }
    })
}
