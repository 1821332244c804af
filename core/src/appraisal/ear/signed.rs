//! The signed EAR: its CBOR form in a COSE_Sign1, so that a gateway can
//! forward a result that back ends can check.

use alloc::vec::Vec;

use super::rules::{check_size, EAR_LIMITS};
use super::{AttestationResult, EarProfile};
use crate::crypto::{CryptoProvider, PublicKey, Signer};
use crate::error::Error;
use crate::token::{DecodeOptions, Token, TokenBuilder};

impl AttestationResult {
    /// Signs the CBOR EAR (Veraison 2023 form) as a COSE_Sign1 (tag 18)
    /// with `signer` (ES384 for a P-384 key), so a gateway can forward it to
    /// back ends.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        self.sign_as(EarProfile::Veraison2023, signer)
    }

    /// Signs the CBOR EAR in the form of `profile` as a COSE_Sign1, like
    /// [`AttestationResult::sign`].
    ///
    /// ```
    /// use mtattest::appraisal::{
    ///     Action, AttestationResult, EarProfile, Status, TrustVector, VerifierId,
    /// };
    /// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
    ///
    /// let result = AttestationResult {
    ///     status: Status::Affirming,
    ///     trust_vector: TrustVector::new(),
    ///     layers: Vec::new(),
    ///     reasons: Vec::new(),
    ///     policy_id: "payment".into(),
    ///     action: Action::Allow,
    ///     verifier_id: VerifierId::default(),
    ///     nonce: None,
    ///     iat: 1_790_000_000,
    ///     attested: Vec::new(),
    /// };
    /// // The draft-04 form: `ear_` labels and an array of policy ids.
    /// let json = result.to_json_value_as(EarProfile::IetfDraft04);
    /// assert_eq!(json["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
    /// assert_eq!(json["submods"]["device"]["ear_appraisal_policy_ids"][0], "payment");
    /// let text = result.to_json_as(EarProfile::IetfDraft04);
    /// assert_eq!(AttestationResult::from_json(text.as_bytes()).unwrap(), result);
    ///
    /// let cbor = result.to_cbor_as(EarProfile::IetfDraft04);
    /// assert_eq!(AttestationResult::from_cbor(&cbor).unwrap(), result);
    ///
    /// let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[9; 48]).unwrap();
    /// let signed = result.sign_as(EarProfile::IetfDraft04, &key).unwrap();
    /// let back = AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
    /// assert_eq!(back, result);
    /// ```
    pub fn sign_as(&self, profile: EarProfile, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        TokenBuilder::new().sign_payload(self.to_cbor_as(profile), signer)
    }

    /// Checks a signed EAR's envelope and signature under `key` and decodes
    /// it, in either form. A tampered or re-signed result fails with
    /// `token.bad-signature`.
    ///
    /// ```
    /// use mtattest::appraisal::{Action, AttestationResult, Status, TrustVector, VerifierId};
    /// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
    ///
    /// let result = AttestationResult {
    ///     status: Status::Affirming,
    ///     trust_vector: TrustVector::new(),
    ///     layers: Vec::new(),
    ///     reasons: Vec::new(),
    ///     policy_id: "payment".into(),
    ///     action: Action::Allow,
    ///     verifier_id: VerifierId::default(),
    ///     nonce: None,
    ///     iat: 1_790_000_000,
    ///     attested: Vec::new(),
    /// };
    /// let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[9; 48]).unwrap();
    /// let signed = result.sign(&key).unwrap();
    /// let back = AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
    /// assert_eq!(back, result);
    /// ```
    pub fn verify_signed(
        bytes: &[u8],
        key: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<AttestationResult, Error> {
        let options = DecodeOptions {
            limits: EAR_LIMITS,
            ..DecodeOptions::default()
        };
        check_size(bytes)?;
        let token = Token::decode(bytes, &options)?;
        token.verify_signature(key, crypto)?;
        AttestationResult::from_cbor(token.payload())
    }
}
