//! A synthetic Android-shaped PKI (spec §17): root → attestation
//! intermediate → attested leaf whose KeyDescription is whatever the test
//! says, shaped like a factory chain (the leaf has no key identifiers, as
//! Keymaster writes it). Its private keys are public: for tests and
//! conformance vectors only. Real chains' keys are unknown, so every
//! token-level Android test uses this.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use mtattest::android::{
    tag, AttestationApplicationId, AuthValue, AuthorizationList, KeyDescription, RootOfTrust,
    SecurityLevel, KEY_DESCRIPTION_OID,
};
use mtattest::claims::ClaimsSet;
use mtattest::token::{HeaderPlacement, TokenBuilder};
use mtattest::trust::{Profile, TrustAnchors};
use mtattest::Error;

use crate::pki::{issue, CertSpec, Deviation, ExtensionSpec, Issued, KeySpec};

/// What the secure hardware states about the device, written into the
/// KeyDescription of [`AndroidTestPki`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedDevice {
    /// Security level of both the attestation and the key.
    pub security_level: SecurityLevel,
    /// The attestation challenge.
    pub challenge: Vec<u8>,
    /// RootOfTrust verifiedBootState (0 VERIFIED … 3 FAILED).
    pub verified_boot_state: u32,
    /// RootOfTrust deviceLocked.
    pub device_locked: bool,
    /// RootOfTrust verifiedBootKey.
    pub verified_boot_key: Vec<u8>,
    /// RootOfTrust verifiedBootHash.
    pub verified_boot_hash: Vec<u8>,
    /// osPatchLevel, YYYYMM.
    pub os_patch_level: Option<u32>,
    /// vendorPatchLevel, YYYYMMDD.
    pub vendor_patch_level: Option<u32>,
    /// bootPatchLevel, YYYYMMDD.
    pub boot_patch_level: Option<u32>,
    /// The package name of the calling app.
    pub package: Option<String>,
    /// Digests of the app's signing certificates.
    pub signers: Vec<Vec<u8>>,
    /// origin (0 GENERATED).
    pub origin: i128,
}

impl AttestedDevice {
    /// A StrongBox attestation of a locked, verified device.
    pub fn strongbox(challenge: &[u8]) -> AttestedDevice {
        AttestedDevice {
            security_level: SecurityLevel::StrongBox,
            challenge: challenge.to_vec(),
            verified_boot_state: 0,
            device_locked: true,
            verified_boot_key: vec![0x11; 32],
            verified_boot_hash: vec![0x22; 32],
            os_patch_level: Some(202_601),
            vendor_patch_level: Some(20_260_105),
            boot_patch_level: Some(20_260_105),
            package: Some("com.example.wallet".to_string()),
            signers: vec![vec![0x33; 32]],
            origin: 0,
        }
    }

    /// The KeyDescription stating exactly this (attestation version 400).
    pub fn key_description(&self) -> KeyDescription {
        let mut hw = AuthorizationList::default();
        let mut sw = AuthorizationList::default();
        let put = |list: &mut AuthorizationList, tag: u32, value: AuthValue| {
            // Every tag here is the schema's, with its type.
            let _ = list.insert(tag, value);
        };
        put(&mut hw, 1, AuthValue::IntSet(vec![2, 3]));
        put(&mut hw, 2, AuthValue::Int(3));
        put(&mut hw, 3, AuthValue::Int(256));
        put(&mut hw, 5, AuthValue::IntSet(vec![4]));
        put(&mut hw, 10, AuthValue::Int(1));
        put(&mut hw, 503, AuthValue::Flag);
        put(&mut hw, tag::ORIGIN, AuthValue::Int(self.origin));
        put(
            &mut hw,
            tag::ROOT_OF_TRUST,
            AuthValue::RootOfTrust(RootOfTrust {
                verified_boot_key: self.verified_boot_key.clone(),
                device_locked: self.device_locked,
                verified_boot_state: self.verified_boot_state,
                verified_boot_hash: Some(self.verified_boot_hash.clone()),
            }),
        );
        put(&mut hw, tag::OS_VERSION, AuthValue::Int(160_000));
        for (t, v) in [
            (tag::OS_PATCH_LEVEL, self.os_patch_level),
            (tag::VENDOR_PATCH_LEVEL, self.vendor_patch_level),
            (tag::BOOT_PATCH_LEVEL, self.boot_patch_level),
        ] {
            if let Some(v) = v {
                put(&mut hw, t, AuthValue::Int(i128::from(v)));
            }
        }
        put(&mut sw, 701, AuthValue::Int(1_767_225_600_000));
        if self.package.is_some() || !self.signers.is_empty() {
            put(
                &mut sw,
                tag::ATTESTATION_APPLICATION_ID,
                AuthValue::ApplicationId(AttestationApplicationId {
                    packages: self.package.iter().map(|p| (p.clone(), 4021)).collect(),
                    signatures: self.signers.clone(),
                }),
            );
        }
        KeyDescription {
            attestation_version: 400,
            attestation_security_level: self.security_level,
            keymint_version: 400,
            keymint_security_level: self.security_level,
            attestation_challenge: self.challenge.clone(),
            unique_id: Vec::new(),
            software_enforced: sw,
            hardware_enforced: hw,
        }
    }
}

/// The synthetic Android PKI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndroidTestPki {
    /// The root, which [`AndroidTestPki::anchors`] trusts under the Android
    /// profile.
    pub root: Issued,
    /// The attestation intermediate.
    pub intermediate: Issued,
    /// The attested leaf: the token key.
    pub leaf: Issued,
}

/// The KeyDescription extension, as the leaf carries it.
pub fn key_description_extension(kd: &KeyDescription) -> ExtensionSpec {
    ExtensionSpec {
        oid: KEY_DESCRIPTION_OID.to_string(),
        critical: false,
        value: kd.to_der(),
    }
}

impl AndroidTestPki {
    /// The root spec: `CN=mtattest Android Test Root`, P-384.
    pub fn root_spec() -> CertSpec {
        CertSpec {
            subject: "CN=mtattest Android Test Root,O=mtattest Test".to_string(),
            key: KeySpec::p384("android root"),
            serial: 0xa001,
            ..CertSpec::root()
        }
    }

    /// The attestation intermediate spec, P-256 (like a TEE's).
    pub fn intermediate_spec() -> CertSpec {
        CertSpec {
            subject: "CN=mtattest Android Test TEE,O=TEE".to_string(),
            key: KeySpec::p256("android intermediate"),
            serial: 0xa002,
            basic_constraints: Some((true, None)),
            ..CertSpec::intermediate()
        }
    }

    /// The attested leaf spec: `CN=Android Keystore Key`, P-256, keyUsage
    /// digitalSignature, no key identifiers, carrying `kd`.
    pub fn leaf_spec(kd: &KeyDescription) -> CertSpec {
        CertSpec {
            subject: "CN=Android Keystore Key".to_string(),
            key: KeySpec::p256("android leaf"),
            serial: 1,
            basic_constraints: None,
            key_identifiers: false,
            extra_extensions: vec![key_description_extension(kd)],
            deviations: vec![Deviation::NoAuthorityKeyId],
            ..CertSpec::device()
        }
    }

    /// The PKI with a leaf attesting `device`.
    pub fn new(device: &AttestedDevice) -> Result<AndroidTestPki, Error> {
        AndroidTestPki::from_specs(
            AndroidTestPki::root_spec(),
            AndroidTestPki::intermediate_spec(),
            AndroidTestPki::leaf_spec(&device.key_description()),
        )
    }

    /// The PKI from three specs.
    pub fn from_specs(
        root: CertSpec,
        intermediate: CertSpec,
        leaf: CertSpec,
    ) -> Result<AndroidTestPki, Error> {
        let root_der = issue(&root, None)?;
        let intermediate_der = issue(&intermediate, Some(&root))?;
        let leaf_der = issue(&leaf, Some(&intermediate))?;
        Ok(AndroidTestPki {
            root: Issued {
                spec: root,
                der: root_der,
            },
            intermediate: Issued {
                spec: intermediate,
                der: intermediate_der,
            },
            leaf: Issued {
                spec: leaf,
                der: leaf_der,
            },
        })
    }

    /// Trust anchors with the root under the Android profile.
    pub fn anchors(&self) -> Result<TrustAnchors, Error> {
        let mut anchors = TrustAnchors::new();
        anchors.add_der_with_profile(&self.root.der, Profile::android())?;
        Ok(anchors)
    }

    /// The x5chain: leaf, intermediate.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![self.leaf.der.clone(), self.intermediate.der.clone()]
    }

    /// A token over `claims` signed by the attested key (ES256), carrying
    /// [`AndroidTestPki::chain`] in the protected header.
    pub fn token(&self, claims: &ClaimsSet) -> Result<Vec<u8>, Error> {
        self.token_with_chain(claims, self.chain(), &self.leaf.spec.key)
    }

    /// A token over `claims` signed with `key`, carrying `chain`.
    pub fn token_with_chain(
        &self,
        claims: &ClaimsSet,
        chain: Vec<Vec<u8>>,
        key: &KeySpec,
    ) -> Result<Vec<u8>, Error> {
        TokenBuilder::new()
            .x5chain(chain, HeaderPlacement::Protected)
            .sign(claims, &key.signer()?)
    }

    /// The extension attack: a certificate signed by the attested key,
    /// carrying a KeyDescription of its own (`fake`), in front of the real
    /// chain. Returns the chain and the key of the new leaf.
    pub fn extended(&self, fake: &KeyDescription) -> Result<(Vec<Vec<u8>>, KeySpec), Error> {
        let key = KeySpec::p256("android attacker");
        let spec = CertSpec {
            subject: "CN=Android Keystore Key (forged)".to_string(),
            key: key.clone(),
            serial: 2,
            ..AndroidTestPki::leaf_spec(fake)
        };
        let der = issue(&spec, Some(&self.leaf.spec))?;
        Ok((
            vec![der, self.leaf.der.clone(), self.intermediate.der.clone()],
            key,
        ))
    }
}
