//! Signature checks by WebCrypto (`crypto.subtle`), which is asynchronous,
//! for the library's verification, which is synchronous: collect, then
//! replay.
//!
//! A *dry run* verifies the token with [`Mode::Recording`]: a provider
//! that writes down every question the library asks (a signature, a point
//! to check) and answers it provisionally, as if it held. The dry run's
//! verifier keeps no state: no replay cache, no chain or link cache
//! ([`Session`](crate::engine::Session) builds it so), so a provisional
//! answer cannot outlive it. JS answers the questions with WebCrypto, all
//! at once; when an answer differs from its provisional one, the path may
//! differ too, and another dry run asks again with the answers known (at
//! most [`MAX_DRY_RUNS`]). The *final run* is the one whose result counts:
//! the session's own verifier, with its caches and replay cache, whose
//! provider ([`Mode::Answering`]) answers from WebCrypto's record only: a
//! question not in the record is refused (fails closed).
//!
//! What is not a signature stays in Rust: the encodings (DER to `r ‖ s`),
//! lengths, hashing (SHA-2 for replay identifiers and cache keys). Point
//! checks and decompression go to WebCrypto too (import, then export of the
//! key), so a verify-only build carries no curve arithmetic.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use mtattest::crypto::{
    ecdsa_signature_from_der, Algorithm, CryptoProvider, Curve, Digests, HashAlgorithm, PublicKey,
    RsaPublicKey,
};

/// Dry runs before the final run, at most. Each one after the first runs
/// only because WebCrypto answered a question otherwise than provisionally
/// (a point off its curve, a signature that does not verify, a compressed
/// point's y); three covers a compressed key whose signature then fails.
pub const MAX_DRY_RUNS: usize = 4;

/// One question for WebCrypto.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// Is `sec1` (uncompressed or compressed SEC1) a point of `curve`, and
    /// which (its uncompressed form)? WebCrypto imports it as a `raw` key
    /// and exports it.
    Point {
        /// `P-256` or `P-384` (WebCrypto's `namedCurve`).
        curve: &'static str,
        /// The SEC1 encoding, in a form RFC 5480 allows (checked first).
        sec1: Vec<u8>,
    },
    /// An ECDSA signature (`r ‖ s`, IEEE P1363 as WebCrypto takes it).
    Ecdsa {
        /// `P-256` or `P-384`.
        curve: &'static str,
        /// `SHA-256` or `SHA-384` (WebCrypto's `hash`).
        hash: &'static str,
        /// The key, uncompressed SEC1 (`raw` import).
        key: Vec<u8>,
        /// The signed bytes.
        message: Vec<u8>,
        /// `r ‖ s`, each as long as the curve's scalars.
        signature: Vec<u8>,
    },
    /// An RSASSA-PKCS1-v1_5 signature with SHA-256 (Android chains, spec
    /// §17.3).
    Rsa {
        /// The modulus, big-endian (JWK `n`).
        modulus: Vec<u8>,
        /// The public exponent, big-endian (JWK `e`).
        exponent: Vec<u8>,
        /// The signed bytes.
        message: Vec<u8>,
        /// The signature, exactly as long as the modulus.
        signature: Vec<u8>,
    },
}

/// WebCrypto's answer to a [`Check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A signature verified (`true`) or not.
    Verified(bool),
    /// The uncompressed point, or `None` for no point of the curve.
    Point(Option<Vec<u8>>),
}

/// A question of a dry run and the answer it was given provisionally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The question.
    pub check: Check,
    /// What the dry run assumed.
    pub provisional: Answer,
}

/// The questions and WebCrypto's answers of one verification (or one
/// construction): it belongs to that call, and is lent to a provider only
/// while a run lasts.
#[derive(Debug, Default)]
pub struct Exchange {
    answers: BTreeMap<Check, Answer>,
    dry_runs: usize,
    settled: bool,
}

impl Exchange {
    /// A call's exchange, with no answer yet.
    pub fn new() -> Exchange {
        Exchange::default()
    }

    /// Whether another dry run is needed before the final run.
    pub fn needs_dry_run(&self) -> bool {
        !self.settled && self.dry_runs < MAX_DRY_RUNS
    }

    /// Records WebCrypto's `answers` to `asked` (in order). The exchange is
    /// settled when every answer is the provisional one: the dry run then
    /// took the path the final run will take, and asked every question it
    /// will ask. A missing answer is a refusal.
    pub fn record(&mut self, asked: Vec<Asked>, answers: Vec<Answer>) {
        let mut answers = answers.into_iter();
        let mut all_provisional = true;
        for Asked { check, provisional } in asked {
            let answer = answers.next().unwrap_or(match provisional {
                Answer::Verified(_) => Answer::Verified(false),
                Answer::Point(_) => Answer::Point(None),
            });
            all_provisional &= answer == provisional;
            self.answers.insert(check, answer);
        }
        self.settled = all_provisional;
    }

    /// Counts a dry run; one that asked nothing new settles the exchange.
    pub fn count_dry_run(&mut self, asked_nothing: bool) {
        self.dry_runs += 1;
        if asked_nothing {
            self.settled = true;
        }
    }

    /// How many answers are recorded.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether no answer is recorded.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// What the provider lends from a call while a run lasts.
#[derive(Debug, Default)]
struct Lent {
    exchange: Option<Exchange>,
    /// The dry run's new questions, in the order asked, without repeats.
    asked: Vec<Asked>,
}

/// How a [`WebCryptoProvider`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Dry run: answers from the record, else provisionally (a signature
    /// holds, a point is as given) and writes the question down.
    Recording,
    /// Final run: answers from the record only; anything else is refused.
    Answering,
}

/// The shared place where a call's [`Exchange`] is lent to a provider.
#[derive(Debug, Clone, Default)]
pub struct Slot(Arc<Mutex<Lent>>);

impl Slot {
    /// An empty slot.
    pub fn new() -> Slot {
        Slot::default()
    }

    /// Runs `run` with `exchange` lent to the providers of this slot;
    /// returns the run's result, the exchange, and the new questions asked.
    pub fn lend<T>(
        &self,
        exchange: Exchange,
        run: impl FnOnce() -> T,
    ) -> (T, Exchange, Vec<Asked>) {
        self.with(|lent| {
            lent.exchange = Some(exchange);
            lent.asked.clear();
        });
        let result = run();
        let (exchange, asked) = self.with(|lent| {
            (
                lent.exchange.take().unwrap_or_default(),
                std::mem::take(&mut lent.asked),
            )
        });
        (result, exchange, asked)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Lent) -> T) -> T {
        // A panic while lent cannot leave a half-written record that is
        // trusted: answers are inserted whole. Poison is ignored.
        let mut lent = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut lent)
    }

    fn is_lent(&self) -> bool {
        self.with(|lent| lent.exchange.is_some())
    }
}

/// The provider of a session's verifiers: WebCrypto's answers while a
/// call's exchange is lent to it; otherwise (a synchronous call) the
/// `fallback` provider of the build, or none, which refuses everything.
pub struct WebCryptoProvider {
    slot: Slot,
    mode: Mode,
    digests: Box<dyn Digests>,
    fallback: Option<Box<dyn CryptoProvider>>,
}

impl WebCryptoProvider {
    /// A provider answering from `slot` in `mode`, hashing with `digests`.
    pub fn new(
        slot: Slot,
        mode: Mode,
        digests: Box<dyn Digests>,
        fallback: Option<Box<dyn CryptoProvider>>,
    ) -> WebCryptoProvider {
        WebCryptoProvider {
            slot,
            mode,
            digests,
            fallback,
        }
    }

    fn ask(&self, check: Check, provisional: Answer) -> Option<Answer> {
        let mode = self.mode;
        self.slot.with(|lent| {
            let exchange = lent.exchange.as_ref()?;
            if let Some(answer) = exchange.answers.get(&check) {
                return Some(answer.clone());
            }
            match mode {
                Mode::Answering => None,
                Mode::Recording => {
                    if !lent.asked.iter().any(|a| a.check == check) {
                        lent.asked.push(Asked {
                            check,
                            provisional: provisional.clone(),
                        });
                    }
                    Some(provisional)
                }
            }
        })
    }

    fn verified(&self, check: Check) -> bool {
        matches!(
            self.ask(check, Answer::Verified(true)),
            Some(Answer::Verified(true))
        )
    }

    fn fallback(&self) -> Option<&dyn CryptoProvider> {
        if self.slot.is_lent() {
            None
        } else {
            self.fallback.as_deref()
        }
    }
}

fn hash_name(hash: HashAlgorithm) -> &'static str {
    match hash {
        HashAlgorithm::Sha256 => "SHA-256",
        HashAlgorithm::Sha384 => "SHA-384",
    }
}

fn algorithm_of(curve: Curve) -> Algorithm {
    match curve {
        Curve::P384 => Algorithm::Es384,
        Curve::P256 => Algorithm::Es256,
    }
}

impl Digests for WebCryptoProvider {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        self.digests.sha256(data)
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        self.digests.sha384(data)
    }
}

impl CryptoProvider for WebCryptoProvider {
    fn verify_raw_signature(
        &self,
        alg: Algorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        if let Some(sync) = self.fallback() {
            return sync.verify_raw_signature(alg, key, message, signature);
        }
        // WebCrypto is not asked about a signature of the wrong length, which
        // no provider verifies.
        if signature.len() != alg.signature_len() || key.curve() != alg.curve() {
            return false;
        }
        let hash = match alg {
            Algorithm::Es384 => HashAlgorithm::Sha384,
            Algorithm::Es256 => HashAlgorithm::Sha256,
        };
        self.verified(Check::Ecdsa {
            curve: alg.curve().name(),
            hash: hash_name(hash),
            key: key.uncompressed().to_vec(),
            message: message.to_vec(),
            signature: signature.to_vec(),
        })
    }

    fn uncompressed_point(&self, curve: Curve, sec1: &[u8]) -> Option<Vec<u8>> {
        if let Some(sync) = self.fallback() {
            return sync.uncompressed_point(curve, sec1);
        }
        // Provisionally the point is as given: an uncompressed one itself, a
        // compressed one with a y of the parity it names (the x is checked
        // by `PublicKey::from_sec1`; the y is WebCrypto's to find).
        let n = curve.scalar_len();
        let provisional = match sec1 {
            [0x04, ..] => sec1.to_vec(),
            [tag @ (0x02 | 0x03), x @ ..] => {
                let mut point = Vec::with_capacity(1 + 2 * n);
                point.push(0x04);
                point.extend_from_slice(x);
                point.resize(2 * n, 0);
                point.push(tag & 1);
                point
            }
            _ => return None,
        };
        let check = Check::Point {
            curve: curve.name(),
            sec1: sec1.to_vec(),
        };
        match self.ask(check, Answer::Point(Some(provisional))) {
            Some(Answer::Point(point)) => point,
            _ => None,
        }
    }

    fn verify_rsa_pkcs1_sha256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        if let Some(sync) = self.fallback() {
            return sync.verify_rsa_pkcs1_sha256(key, message, signature);
        }
        if signature.len() != key.modulus().len() {
            return false;
        }
        self.verified(Check::Rsa {
            modulus: key.modulus().to_vec(),
            exponent: key.exponent().to_vec(),
            message: message.to_vec(),
            signature: signature.to_vec(),
        })
    }

    fn verify_ecdsa_der(
        &self,
        key: &PublicKey,
        hash: HashAlgorithm,
        message: &[u8],
        der_signature: &[u8],
    ) -> bool {
        if let Some(sync) = self.fallback() {
            return sync.verify_ecdsa_der(key, hash, message, der_signature);
        }
        // The library's one reading of the DER form, then WebCrypto's
        // ECDSA with the named hash (any hash with either curve).
        let Some(signature) = ecdsa_signature_from_der(algorithm_of(key.curve()), der_signature)
        else {
            return false;
        };
        self.verified(Check::Ecdsa {
            curve: key.curve().name(),
            hash: hash_name(hash),
            key: key.uncompressed().to_vec(),
            message: message.to_vec(),
            signature,
        })
    }
}
