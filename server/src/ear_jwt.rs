//! The service's attestation results, signed: the EAR claims of the
//! configured profile as a JWT (JWS compact, `jsonwebtoken`), or as a
//! COSE_Sign1 (the library's signed EAR) for gateways that ask for CBOR.
//!
//! The signing key is a P-256 key (ES256, what Veraison's clients expect in
//! discovery) or a P-384 key (ES384, by configuration). Previous keys stay
//! published during a rotation, so results signed just before it still
//! verify.

use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash,
};
use jsonwebtoken::{Algorithm as JwtAlgorithm, EncodingKey, Header};
use mtattest::appraisal::{AttestationResult, EarProfile};
use mtattest::config::ConfigError;
use mtattest::crypto::{Algorithm, SoftwareSigner};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _};

/// An EC public key's curve and uncompressed point.
struct EcPublic {
    algorithm: Algorithm,
    sec1: Vec<u8>,
}

/// The signing key: for JWS, for COSE, and its JWK.
pub struct EarKeys {
    algorithm: Algorithm,
    kid: String,
    encoding: EncodingKey,
    cose: SoftwareSigner,
    jwk: Jwk,
    previous: Vec<Jwk>,
}

impl std::fmt::Debug for EarKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EarKeys")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .field("previous", &self.previous.len())
            .finish_non_exhaustive()
    }
}

fn bad(field: &str, reason: impl Into<String>) -> mtattest::Error {
    ConfigError::BadValue {
        field: field.to_string(),
        reason: reason.into(),
    }
    .into()
}

/// A private key in PEM (PKCS#8, or SEC1 `EC PRIVATE KEY`): its algorithm
/// and scalar.
fn private_key(field: &str, pem: &str) -> Result<(Algorithm, Vec<u8>), mtattest::Error> {
    if let Ok(k) =
        p256::SecretKey::from_pkcs8_pem(pem).or_else(|_| p256::SecretKey::from_sec1_pem(pem))
    {
        return Ok((Algorithm::Es256, k.to_bytes().to_vec()));
    }
    if let Ok(k) =
        p384::SecretKey::from_pkcs8_pem(pem).or_else(|_| p384::SecretKey::from_sec1_pem(pem))
    {
        return Ok((Algorithm::Es384, k.to_bytes().to_vec()));
    }
    Err(bad(
        field,
        "not a P-256 or P-384 private key in PEM (PKCS#8 or SEC1)",
    ))
}

/// A public key in PEM (`PUBLIC KEY`), or the public half of a private key.
fn public_key(field: &str, pem: &str) -> Result<EcPublic, mtattest::Error> {
    if let Ok(k) = p256::PublicKey::from_public_key_pem(pem) {
        return Ok(EcPublic {
            algorithm: Algorithm::Es256,
            sec1: k.to_encoded_point(false).as_bytes().to_vec(),
        });
    }
    if let Ok(k) = p384::PublicKey::from_public_key_pem(pem) {
        return Ok(EcPublic {
            algorithm: Algorithm::Es384,
            sec1: k.to_encoded_point(false).as_bytes().to_vec(),
        });
    }
    let (algorithm, secret) = private_key(field, pem).map_err(|_| {
        bad(
            field,
            "not a P-256 or P-384 public key (SPKI PEM) or private key (PKCS#8 or SEC1 PEM)",
        )
    })?;
    let signer = SoftwareSigner::from_secret_bytes(algorithm, &secret)
        .map_err(|e| bad(field, e.to_string()))?;
    Ok(EcPublic {
        algorithm,
        sec1: signer.public_key().sec1().to_vec(),
    })
}

fn jwt_algorithm(algorithm: Algorithm) -> JwtAlgorithm {
    match algorithm {
        Algorithm::Es256 => JwtAlgorithm::ES256,
        Algorithm::Es384 => JwtAlgorithm::ES384,
    }
}

/// The JWK of `key`, with `kid` (default: its RFC 7638 thumbprint).
fn public_jwk(field: &str, key: &EcPublic, kid: Option<&str>) -> Result<Jwk, mtattest::Error> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let coordinate_len = (key.sec1.len() - 1) / 2;
    let (x, y) = key.sec1[1..].split_at(coordinate_len);
    let (curve, alg) = match key.algorithm {
        Algorithm::Es256 => (EllipticCurve::P256, KeyAlgorithm::ES256),
        Algorithm::Es384 => (EllipticCurve::P384, KeyAlgorithm::ES384),
    };
    let mut jwk = Jwk {
        common: CommonParameters {
            public_key_use: Some(PublicKeyUse::Signature),
            key_algorithm: Some(alg),
            ..CommonParameters::default()
        },
        algorithm: AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
            key_type: EllipticCurveKeyType::EC,
            curve,
            x: b64.encode(x),
            y: b64.encode(y),
        }),
    };
    let kid = match kid {
        Some(k) if k.trim().is_empty() => {
            return Err(ConfigError::Empty {
                field: format!("{field} kid"),
            }
            .into())
        }
        Some(k) => k.to_string(),
        None => jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| bad(field, format!("JWK thumbprint: {e}")))?,
    };
    jwk.common.key_id = Some(kid);
    Ok(jwk)
}

impl EarKeys {
    /// The keys from PEM text: the signing key (`kid` or its thumbprint)
    /// and the previous keys still published.
    pub fn from_pem(
        signing_pem: &str,
        kid: Option<&str>,
        previous_pems: &[String],
    ) -> Result<EarKeys, mtattest::Error> {
        let field = "server.ear.signing-key";
        let (algorithm, secret) = private_key(field, signing_pem)?;
        let cose = SoftwareSigner::from_secret_bytes(algorithm, &secret)
            .map_err(|e| bad(field, e.to_string()))?;
        let pkcs8 = match algorithm {
            Algorithm::Es256 => p256::SecretKey::from_slice(&secret)
                .map_err(|e| bad(field, e.to_string()))?
                .to_pkcs8_der(),
            Algorithm::Es384 => p384::SecretKey::from_slice(&secret)
                .map_err(|e| bad(field, e.to_string()))?
                .to_pkcs8_der(),
        }
        .map_err(|e| bad(field, e.to_string()))?;
        let encoding = EncodingKey::from_ec_der(pkcs8.as_bytes());
        let public = EcPublic {
            algorithm,
            sec1: cose.public_key().sec1().to_vec(),
        };
        let jwk = public_jwk(field, &public, kid)?;
        let kid = jwk.common.key_id.clone().unwrap_or_default();
        let mut previous = Vec::new();
        for (i, pem) in previous_pems.iter().enumerate() {
            let field = format!("server.ear.previous-keys[{i}]");
            let key = public_jwk(&field, &public_key(&field, pem)?, None)?;
            if key.common.key_id.as_deref() == Some(kid.as_str())
                || previous
                    .iter()
                    .any(|p: &Jwk| p.common.key_id == key.common.key_id)
            {
                return Err(bad(&field, "the same key is listed twice"));
            }
            previous.push(key);
        }
        Ok(EarKeys {
            algorithm,
            kid,
            encoding,
            cose,
            jwk,
            previous,
        })
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The signing key's id (the JWT `kid`).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The EAR of `result` in `profile`'s JSON form, as a signed JWT.
    pub fn sign_jwt(
        &self,
        result: &AttestationResult,
        profile: EarProfile,
    ) -> Result<String, mtattest::Error> {
        let mut header = Header::new(jwt_algorithm(self.algorithm));
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &result.to_json_value_as(profile), &self.encoding).map_err(
            |e| {
                mtattest::error::CryptoError::SigningFailed {
                    reason: e.to_string(),
                }
                .into()
            },
        )
    }

    /// The EAR of `result` in `profile`'s CBOR form, as a COSE_Sign1.
    pub fn sign_cwt(
        &self,
        result: &AttestationResult,
        profile: EarProfile,
    ) -> Result<Vec<u8>, mtattest::Error> {
        result.sign_as(profile, &self.cose)
    }

    /// The signing key's public JWK (discovery's `ear-verification-key`).
    pub fn verification_jwk(&self) -> serde_json::Value {
        serde_json::to_value(&self.jwk).unwrap_or_default()
    }

    /// Every key a result may be verified with: the signing key first, then
    /// the previous ones (a JWK Set, RFC 7517 §5).
    pub fn jwk_set(&self) -> serde_json::Value {
        let set = JwkSet {
            keys: std::iter::once(self.jwk.clone())
                .chain(self.previous.iter().cloned())
                .collect(),
        };
        serde_json::to_value(&set).unwrap_or_default()
    }
}
