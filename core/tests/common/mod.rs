//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ciborium::value::Value;

/// A claims set (key 6, iat) holding `depth - 1` more levels of submodules
/// (each named `inner`): an unknown submodule `depth` levels deep.
pub fn submodule_chain(depth: usize) -> Value {
    let mut value = Value::Map(vec![(Value::Integer(6.into()), Value::Integer(1.into()))]);
    for _ in 1..depth {
        value = Value::Map(vec![(
            Value::Integer(266.into()),
            Value::Map(vec![(Value::Text("inner".into()), value)]),
        )]);
    }
    value
}

/// Proptest strategies for every valid [`ClaimsSet`](mtattest::claims::ClaimsSet)
/// and for the CBOR values the profile's decoder accepts.
pub mod strategies {
    use ciborium::value::Value;
    use mtattest::claims::keys::{self, detection};
    use mtattest::claims::*;
    use mtattest::ClaimsError;
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use proptest::sample::select;
    use std::collections::BTreeMap;

    pub fn code<T: Clone + std::fmt::Debug + 'static>(
        all: &'static [T],
    ) -> impl Strategy<Value = T> {
        select(all)
    }

    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..=max)
    }

    fn small_text() -> impl Strategy<Value = String> {
        "[a-z0-9 .:/-]{0,12}"
    }

    fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
        proptest::option::of(s)
    }

    fn digest() -> impl Strategy<Value = Digest> {
        vec(any::<u8>(), 16..=64).prop_map(|d| Digest::new(d).unwrap())
    }

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum MapKey {
        I(i64),
        T(String),
    }

    fn map_key() -> impl Strategy<Value = MapKey> {
        prop_oneof![
            any::<i64>().prop_map(MapKey::I),
            small_text().prop_map(MapKey::T)
        ]
    }

    /// Any value this profile's CBOR accepts (no bignum tags, no NaN).
    pub fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(|n| Value::Integer(n.into())),
            any::<u64>().prop_map(|n| Value::Integer(n.into())),
            bytes(8).prop_map(Value::Bytes),
            ".{0,8}".prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            (-1.0e9f64..1.0e9).prop_map(Value::Float),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::Array),
                btree_map(map_key(), inner.clone(), 0..4).prop_map(|m: BTreeMap<MapKey, Value>| {
                    Value::Map(
                        m.into_iter()
                            .map(|(k, v)| {
                                let k = match k {
                                    MapKey::I(n) => Value::Integer(n.into()),
                                    MapKey::T(t) => Value::Text(t),
                                };
                                (k, v)
                            })
                            .collect(),
                    )
                }),
                (6u64..10_000, inner).prop_map(|(t, v)| Value::Tag(t, Box::new(v))),
            ]
        })
    }

    /// Unknown-claim candidates, biased towards the profile's own key ranges
    /// and including keys beyond 64 bits.
    pub fn unknowns() -> impl Strategy<Value = Vec<(ClaimKey, Value)>> {
        let key = prop_oneof![
            any::<i64>().prop_map(ClaimKey::from),
            any::<u64>().prop_map(ClaimKey::from),
            (-(1i128 << 64)..-(1i128 << 63)).prop_map(ClaimKey::Int),
            (-80110i64..=-79990).prop_map(ClaimKey::from),
            (0i64..300).prop_map(ClaimKey::from),
            small_text().prop_map(ClaimKey::Text),
        ];
        vec((key, value()), 0..3)
    }

    /// Inserts the candidates; a key defined in the scope, or in the reserved
    /// block, must be refused.
    pub fn insert_all(
        scope: Scope,
        unknowns: Vec<(ClaimKey, Value)>,
        mut insert: impl FnMut(ClaimKey, Value) -> Result<Option<Value>, ClaimsError>,
    ) {
        for (key, value) in unknowns {
            let refused = match key {
                ClaimKey::Int(k) => {
                    (-80099..=-80000).contains(&k)
                        || i64::try_from(k).is_ok_and(|k| scope.name_of(k).is_some())
                }
                ClaimKey::Text(_) => false,
            };
            let result = insert(key.clone(), value);
            assert_eq!(result.is_err(), refused, "{scope:?} {key:?}");
        }
    }

    pub fn patch_level() -> impl Strategy<Value = PatchLevel> {
        (1970u32..=9999, 1u32..=12, 0u32..=31)
            .prop_map(|(y, m, d)| PatchLevel::from_ymd(y, m, d).unwrap())
    }

    fn version() -> impl Strategy<Value = Version> {
        (small_text(), opt(any::<i64>())).prop_map(|(version, scheme)| Version { version, scheme })
    }

    fn result_for() -> impl Strategy<Value = ResultFor> {
        prop_oneof![
            select(
                &[
                    detection::ROOT,
                    detection::HOOKING,
                    detection::DEBUGGER,
                    detection::EMULATOR,
                    detection::KERNEL_INTEGRITY,
                    detection::APP_INTEGRITY,
                ][..]
            )
            .prop_map(ResultFor::from),
            small_text().prop_map(ResultFor::Text),
            bytes(8).prop_map(ResultFor::Bytes),
        ]
    }

    /// Results set one by one (under the mtattest system and others) plus
    /// whole groups of other systems, which may repeat systems and names.
    pub fn measres() -> impl Strategy<Value = MeasurementResults> {
        let system = prop_oneof![
            Just(keys::MEASRES_SYSTEM.to_string()),
            Just("psa".to_string()),
            small_text()
        ];
        let set = vec((system, result_for(), code(MeasResult::ALL)), 0..6);
        let groups = vec(
            (
                prop_oneof![Just("psa".to_string()), small_text()],
                vec((result_for(), code(MeasResult::ALL)), 1..4),
            ),
            0..3,
        );
        (set, groups).prop_map(|(items, groups)| {
            let mut m = MeasurementResults::new();
            for (system, result_for, result) in items {
                m.set(&system, result_for, result);
            }
            for (system, results) in groups {
                let refused = system == keys::MEASRES_SYSTEM;
                assert_eq!(m.push_group(system, results).is_err(), refused);
            }
            m
        })
    }

    fn privacy_events() -> impl Strategy<Value = PrivacyEvents> {
        (
            opt(any::<u64>()),
            opt(any::<u64>()),
            opt(any::<u64>()),
            btree_map(4u64.., any::<u64>(), 0..3),
        )
            .prop_map(|(a, b, c, other)| {
                let mut p = PrivacyEvents::new();
                p.out_of_scope = a;
                p.over_frequency = b;
                p.background = c;
                for (k, v) in other {
                    p.insert_other(k, v).unwrap();
                }
                p
            })
    }

    pub fn chip() -> impl Strategy<Value = ChipLayer> {
        (
            code(EvidenceSource::ALL),
            opt(code(KeySecurityLevel::ALL)),
            opt(any::<bool>()),
            opt((
                select(&[0x00u8, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60][..]),
                any::<u8>(),
            )),
            opt(code(DebugStatus::ALL)),
            opt(version()),
            vec(
                (small_text(), small_text(), opt(small_text())).prop_map(|(r, p, a)| Dloa {
                    registrar: r,
                    platform_label: p,
                    application_label: a,
                }),
                0..3,
            ),
            unknowns(),
        )
            .prop_map(|(es, ksl, rot, lc, dbg, hwv, dloas, unknowns)| {
                let mut l = ChipLayer::new(es);
                l.key_security_level = ksl;
                l.hw_root_of_trust = rot;
                l.security_lifecycle = lc
                    .map(|(hi, lo)| SecurityLifecycle::new(u16::from_be_bytes([hi, lo])).unwrap());
                l.dbgstat = dbg;
                l.hwversion = hwv;
                l.dloas = dloas;
                insert_all(Scope::Layer(Layer::Chip), unknowns, |k, v| {
                    l.insert_unknown(k, v)
                });
                l
            })
    }

    pub fn boot() -> impl Strategy<Value = BootLayer> {
        (
            (
                code(EvidenceSource::ALL),
                opt(code(VerifiedBootState::ALL)),
                opt(any::<bool>()),
                opt(digest()),
                opt(digest()),
                opt(any::<bool>()),
                opt(patch_level()),
            ),
            (
                opt(any::<u64>()),
                opt(any::<bool>()),
                vec(
                    (any::<u16>(), bytes(32)).prop_map(|(t, c)| Measurement {
                        content_type: t,
                        content: c,
                    }),
                    0..3,
                ),
                opt(any::<u64>()),
                opt(any::<u64>()),
                unknowns(),
            ),
        )
            .prop_map(|((es, vbs, locked, key, image, oemboot, patch), rest)| {
                let (rollback, enforced, measurements, bootcount, uptime, unknowns) = rest;
                let mut l = BootLayer::new(es);
                l.verified_boot_state = vbs;
                l.bootloader_locked = locked;
                l.boot_key_digest = key;
                l.boot_image_digest = image;
                l.oemboot = oemboot;
                l.boot_patch_level = patch;
                l.rollback_index = rollback;
                l.rollback_enforced = enforced;
                l.measurements = measurements;
                l.bootcount = bootcount;
                l.uptime = uptime;
                insert_all(Scope::Layer(Layer::Boot), unknowns, |k, v| {
                    l.insert_unknown(k, v)
                });
                l
            })
    }

    pub fn os() -> impl Strategy<Value = OsLayer> {
        (
            (
                code(EvidenceSource::ALL),
                opt(small_text()),
                opt(version()),
                opt(patch_level()),
                opt(patch_level()),
                opt(any::<bool>()),
            ),
            (
                opt(code(StorageEncryption::ALL)),
                opt(any::<bool>()),
                opt(any::<bool>()),
                opt(any::<bool>()),
                measres(),
                unknowns(),
            ),
        )
            .prop_map(|((es, name, version, osp, vendor, mac), rest)| {
                let (enc, lock, dev, usb, measres, unknowns) = rest;
                let mut l = OsLayer::new(es);
                l.swname = name;
                l.swversion = version;
                l.os_patch_level = osp;
                l.vendor_patch_level = vendor;
                l.mac_enforcing = mac;
                l.storage_encryption = enc;
                l.screen_lock = lock;
                l.developer_options = dev;
                l.usb_debugging = usb;
                l.measres = measres;
                insert_all(Scope::Layer(Layer::Os), unknowns, |k, v| {
                    l.insert_unknown(k, v)
                });
                l
            })
    }

    pub fn app() -> impl Strategy<Value = AppLayer> {
        (
            code(EvidenceSource::ALL),
            opt(small_text()),
            opt(any::<u64>()),
            vec(digest(), 0..3),
            opt(code(Installer::ALL)),
            opt(privacy_events()),
            measres(),
            unknowns(),
        )
            .prop_map(
                |(es, id, version, signers, installer, privacy, measres, unknowns)| {
                    let mut l = AppLayer::new(es);
                    l.app_id = id;
                    l.app_version = version;
                    l.app_signers = signers;
                    l.installer = installer;
                    l.privacy_events = privacy;
                    l.measres = measres;
                    insert_all(Scope::Layer(Layer::App), unknowns, |k, v| {
                        l.insert_unknown(k, v)
                    });
                    l
                },
            )
    }

    pub fn runtime() -> impl Strategy<Value = RuntimeLayer> {
        (
            code(EvidenceSource::ALL),
            opt(code(Malware::ALL)),
            opt(any::<u64>()),
            measres(),
            unknowns(),
        )
            .prop_map(|(es, malware, velocity, measres, unknowns)| {
                let mut l = RuntimeLayer::new(es);
                l.malware = malware;
                l.attestation_velocity = velocity;
                l.measres = measres;
                insert_all(Scope::Layer(Layer::Runtime), unknowns, |k, v| {
                    l.insert_unknown(k, v)
                });
                l
            })
    }

    pub fn network() -> impl Strategy<Value = NetworkLayer> {
        (
            code(EvidenceSource::ALL),
            opt(code(Connection::ALL)),
            opt(code(WifiSecurity::ALL)),
            (opt(any::<bool>()), opt(any::<bool>()), opt(any::<bool>())),
            opt(any::<u64>()),
            measres(),
            unknowns(),
        )
            .prop_map(
                |(es, connection, wifi, (proxy, vpn, dns), cas, measres, unknowns)| {
                    let mut l = NetworkLayer::new(es);
                    l.connection = connection;
                    // §6.9a: a Wi-Fi security level only with connection wifi.
                    l.wifi_security = wifi.filter(|_| connection == Some(Connection::Wifi));
                    l.proxy = proxy;
                    l.vpn = vpn;
                    l.private_dns = dns;
                    l.user_ca_certificates = cas;
                    l.measres = measres;
                    insert_all(Scope::Layer(Layer::Network), unknowns, |k, v| {
                        l.insert_unknown(k, v)
                    });
                    l
                },
            )
    }

    fn cnf() -> impl Strategy<Value = Confirmation> {
        let key = (
            vec(any::<u8>(), 32),
            vec(any::<u8>(), 32),
            opt(vec(any::<u8>(), 1..8)),
            any::<bool>(),
        )
            .prop_map(|(x, y, kid, with_alg)| {
                let mut b =
                    coset::CoseKeyBuilder::new_ec2_pub_key(coset::iana::EllipticCurve::P_256, x, y);
                if let Some(kid) = kid {
                    b = b.key_id(kid);
                }
                if with_alg {
                    b = b.algorithm(coset::iana::Algorithm::ES256);
                }
                Confirmation::new(b.build()).unwrap()
            });
        prop_oneof![key, bytes(16).prop_map(Confirmation::from_kid)]
    }

    fn oemid() -> impl Strategy<Value = OemId> {
        prop_oneof![
            any::<[u8; 16]>().prop_map(OemId::Random),
            any::<[u8; 3]>().prop_map(OemId::Ieee),
            any::<i64>().prop_map(OemId::Pen),
        ]
    }

    fn sized<T: std::fmt::Debug>(
        min: usize,
        max: usize,
        make: fn(Vec<u8>) -> Result<T, ClaimsError>,
    ) -> impl Strategy<Value = T> {
        vec(any::<u8>(), min..=max).prop_map(move |b| make(b).unwrap())
    }

    pub fn claims_set() -> impl Strategy<Value = ClaimsSet> {
        (
            (
                any::<i64>(),
                opt(sized(8, 64, Nonce::new)),
                opt(any::<i64>()),
                opt(any::<i64>()),
                opt(sized(1, 64, Cti::new)),
                opt(sized(7, 33, Ueid::new)),
                opt(oemid()),
                opt(sized(1, 32, HwModel::new)),
                opt(cnf()),
                opt(code(IntendedUse::ALL)),
            ),
            (
                opt(chip()),
                opt(boot()),
                opt(os()),
                opt(app()),
                opt(runtime()),
                opt(network()),
                unknowns(),
                vec((small_text(), value()), 0..3),
            ),
        )
            .prop_map(|(top, layers)| {
                let (iat, nonce, exp, nbf, cti, ueid, oemid, hwmodel, cnf, intuse) = top;
                let (chip, boot, os, app, runtime, network, unknowns, submods) = layers;
                let mut s = ClaimsSet::new(iat);
                s.nonce = nonce;
                // exp must be later than iat and nbf (spec §6.2); one that is
                // not moves just past them, or goes when nothing is later.
                let floor = nbf.map_or(iat, |nbf| nbf.max(iat));
                s.exp = exp
                    .map(|e| {
                        if e > floor {
                            e
                        } else {
                            floor.saturating_add(1)
                        }
                    })
                    .filter(|&e| e > floor);
                s.nbf = nbf;
                s.cti = cti;
                s.ueid = ueid;
                s.oemid = oemid;
                s.hwmodel = hwmodel;
                s.cnf = cnf;
                s.intuse = intuse;
                s.chip = chip;
                s.boot = boot;
                s.os = os;
                s.app = app;
                s.runtime = runtime;
                s.network = network;
                insert_all(Scope::Top, unknowns, |k, v| s.insert_unknown(k, v));
                for (name, value) in submods {
                    let is_layer = Layer::from_name(&name).is_some();
                    let result = s.insert_unknown_submodule(name, value);
                    assert_eq!(result.is_err(), is_layer);
                }
                s
            })
    }
}

/// Attestation results to test the EAR against (tests/ear.rs, tests/cddl.rs).
pub mod ear_results {
    use mtattest::appraisal::{AttestationResult, Bulletin, Policy, Preset, Status};
    use mtattest::crypto::{Algorithm, SoftwareSigner};
    use mtattest::token::issue;
    use mtattest::verifier::{KeySource, Verifier};
    use mtattest::UnixTime;
    use mtattest_testkit::demo;
    use mtattest_testkit::example_phone;

    /// The healthy and the compromised example phones, appraised at `now`
    /// under every preset (with the demo bulletin) and under an empty
    /// policy without a bulletin (status none, empty vectors: draft-04
    /// leaves them out), each tagged `phone/policy`. Covers every status
    /// the EAR tests speak about.
    pub fn every_result(now: i64) -> Vec<(String, AttestationResult)> {
        let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x42; 48]).unwrap();
        let healthy = example_phone(now, b"challenge-healthy".to_vec());
        let compromised = demo::compromised_phone(now, b"challenge-rooted".to_vec());
        let signers: Vec<Vec<u8>> = healthy
            .app
            .as_ref()
            .unwrap()
            .app_signers
            .iter()
            .map(|d| d.as_bytes().to_vec())
            .collect();
        let mut policies: Vec<(Policy, bool)> = Preset::ALL
            .into_iter()
            .map(|p| {
                let signers = if p.pins_app() { &signers[..] } else { &[] };
                (Policy::preset(p, signers).unwrap(), true)
            })
            .collect();
        policies.push((Policy::from_json(br#"{"id": "none"}"#).unwrap(), false));
        let mut out = Vec::new();
        for (policy, with_bulletin) in &policies {
            for (name, claims, nonce) in [
                ("healthy", &healthy, &b"challenge-healthy"[..]),
                ("compromised", &compromised, &b"challenge-rooted"[..]),
            ] {
                // A verifier per token: its replay cache would refuse a
                // token seen before (both phones share the example's cti).
                let mut builder = Verifier::builder(KeySource::Key(key.public_key()));
                if *with_bulletin {
                    builder = builder
                        .bulletin(Bulletin::from_json(demo::DEMO_BULLETIN.as_bytes()).unwrap());
                }
                let token = issue(claims, &key).unwrap();
                let r = builder
                    .build()
                    .verify_and_appraise(&token, Some(nonce), policy, UnixTime(now))
                    .unwrap()
                    .1;
                out.push((format!("{name}/{}", policy.id()), r));
            }
        }
        let statuses: Vec<Status> = out.iter().map(|(_, r)| r.status).collect();
        for s in [Status::None, Status::Affirming, Status::Contraindicated] {
            assert!(statuses.contains(&s), "no {s} result among the fixtures");
        }
        out
    }
}
