//! Result codes, the one table that maps them to the core's stable error
//! codes, and the thread-local last-error message.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr};

use crate::boundary::{self, Failure};

/// The result of every call. `MTATTEST_OK` (0) is success. Codes 1 to 99
/// are the C API's own; codes from 100 up are the stable error codes of
/// the specification (spec/mtattest.md section 13), numbered by family
/// (cbor 1xx, token 2xx, claims 3xx, crypto 4xx, chain 5xx, freshness 6xx,
/// replay 7xx, policy 8xx, bulletin 9xx, ear 10xx, config 11xx). Numbers
/// never change; new codes get new numbers. mtattest_result_code() gives the dotted code
/// of a number.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum mtattest_result {
    /// Success.
    MTATTEST_OK = 0,
    /// A required pointer argument is NULL (or an optional input has a
    /// length but no pointer).
    MTATTEST_ERR_NULL_POINTER = 1,
    /// An input has length 0 (an optional input is absent only as NULL, 0).
    MTATTEST_ERR_ZERO_LENGTH = 2,
    /// The output buffer is NULL or too small; *out_len holds the size
    /// needed. Nothing else was written.
    MTATTEST_ERR_BUFFER_TOO_SMALL = 3,
    /// A text input is not UTF-8.
    MTATTEST_ERR_INVALID_UTF8 = 4,
    /// The library panicked (a bug); the call had no effect beyond what the
    /// message says. Handles passed to it remain valid and must be freed.
    MTATTEST_ERR_PANIC = 5,
    /// A handle argument is of another kind (e.g. a builder where a
    /// verifier is expected).
    MTATTEST_ERR_INVALID_HANDLE = 6,
    /// An argument's value is out of range: an unknown flag or algorithm
    /// bit, an empty algorithm set, a length too large for the address
    /// space, a digest count that does not divide the input.
    MTATTEST_ERR_INVALID_ARGUMENT = 7,
    /// The result holds no such value (a rejected token has no EAR and no
    /// claims).
    MTATTEST_ERR_NOT_AVAILABLE = 8,
    /// No longer returned: a verifier without trust anchors is
    /// MTATTEST_CONFIG_NO_ANCHORS, the configuration's code. The number
    /// stays reserved.
    MTATTEST_ERR_NO_TRUST_ANCHORS = 9,
    /// An index is not below the number of items (a reason index not
    /// below mtattest_verify_result_reason_count()). Nothing was written.
    MTATTEST_ERR_INDEX_OUT_OF_RANGE = 10,
    /// The core reported an error code this build has no number for (a
    /// build mismatch; never happens with the library as tested). The
    /// message names the code.
    MTATTEST_ERR_UNMAPPED = 99,

    /// `cbor.truncated`: the input ends inside a data item.
    MTATTEST_CBOR_TRUNCATED = 100,
    /// `cbor.malformed`: not well-formed CBOR, or a simple value the
    /// profile does not use.
    MTATTEST_CBOR_MALFORMED = 101,
    /// `cbor.indefinite-length`: an indefinite-length string, array or map.
    MTATTEST_CBOR_INDEFINITE_LENGTH = 102,
    /// `cbor.too-deep`: nesting deeper than the depth limit.
    MTATTEST_CBOR_TOO_DEEP = 103,
    /// `cbor.too-many-items`: more data items than the item limit.
    MTATTEST_CBOR_TOO_MANY_ITEMS = 104,
    /// `cbor.map-too-large`: a map with more entries than the map limit.
    MTATTEST_CBOR_MAP_TOO_LARGE = 105,
    /// `cbor.duplicate-key`: a map holds the same key twice.
    MTATTEST_CBOR_DUPLICATE_KEY = 106,
    /// `cbor.trailing-bytes`: bytes follow the top-level item.
    MTATTEST_CBOR_TRAILING_BYTES = 107,

    /// `token.too-large`: the token is larger than the size limit.
    MTATTEST_TOKEN_TOO_LARGE = 200,
    /// `token.untagged`: the token does not carry the COSE_Sign1 tag 18.
    MTATTEST_TOKEN_UNTAGGED = 201,
    /// `token.wrong-tag`: the token carries a tag other than 18 (in 61).
    MTATTEST_TOKEN_WRONG_TAG = 202,
    /// `token.malformed`: not a well-formed COSE_Sign1.
    MTATTEST_TOKEN_MALFORMED = 203,
    /// `token.detached-payload`: the payload is detached.
    MTATTEST_TOKEN_DETACHED_PAYLOAD = 204,
    /// `token.alg-unprotected`: alg appears in the unprotected header.
    MTATTEST_TOKEN_ALG_UNPROTECTED = 205,
    /// `token.alg-missing`: the protected header has no alg.
    MTATTEST_TOKEN_ALG_MISSING = 206,
    /// `token.alg-not-allowed`: alg is not allowed by the profile or the
    /// verifier.
    MTATTEST_TOKEN_ALG_NOT_ALLOWED = 207,
    /// `token.header-in-both-buckets`: a label in both headers.
    MTATTEST_TOKEN_HEADER_IN_BOTH_BUCKETS = 208,
    /// `token.crit-malformed`: crit is empty, not an array, unprotected, or
    /// names an absent label.
    MTATTEST_TOKEN_CRIT_MALFORMED = 209,
    /// `token.unknown-critical-header`: crit lists a label not understood.
    MTATTEST_TOKEN_UNKNOWN_CRITICAL_HEADER = 210,
    /// `token.key-algorithm-mismatch`: the key is on another curve than alg.
    MTATTEST_TOKEN_KEY_ALGORITHM_MISMATCH = 211,
    /// `token.bad-signature`: the signature does not verify.
    MTATTEST_TOKEN_BAD_SIGNATURE = 212,

    /// `claims.not-a-map`: the payload (or JSON claims set) is not a map.
    MTATTEST_CLAIMS_NOT_A_MAP = 300,
    /// `claims.wrong-type`: a claim has the wrong type.
    MTATTEST_CLAIMS_WRONG_TYPE = 301,
    /// `claims.invalid-value`: a claim's value is outside its value set.
    MTATTEST_CLAIMS_INVALID_VALUE = 302,
    /// `claims.missing`: a required claim is absent.
    MTATTEST_CLAIMS_MISSING = 303,
    /// `claims.wrong-profile`: eat-profile names another profile.
    MTATTEST_CLAIMS_WRONG_PROFILE = 304,
    /// `claims.submods-too-deep`: submodules nest too deep.
    MTATTEST_CLAIMS_SUBMODS_TOO_DEEP = 305,
    /// `claims.invalid-json`: claims JSON text is not valid JSON or repeats
    /// a member name.
    MTATTEST_CLAIMS_INVALID_JSON = 306,

    /// `crypto.invalid-key`: the key bytes are not a valid key.
    MTATTEST_CRYPTO_INVALID_KEY = 400,
    /// `crypto.signing-failed`: the signer (the callback) failed.
    MTATTEST_CRYPTO_SIGNING_FAILED = 401,
    /// `crypto.signature-length`: the signer produced a signature of the
    /// wrong length (raw r||s is required).
    MTATTEST_CRYPTO_SIGNATURE_LENGTH = 402,

    /// `chain.missing`: the token has no x5chain.
    MTATTEST_CHAIN_MISSING = 500,
    /// `chain.unprotected`: x5chain is unprotected but must be protected.
    MTATTEST_CHAIN_UNPROTECTED = 501,
    /// `chain.empty`: x5chain holds no certificate.
    MTATTEST_CHAIN_EMPTY = 502,
    /// `chain.too-long`: x5chain holds too many certificates.
    MTATTEST_CHAIN_TOO_LONG = 503,
    /// `chain.cert-too-large`: a certificate is larger than the limit.
    MTATTEST_CHAIN_CERT_TOO_LARGE = 504,
    /// `chain.malformed`: a certificate is not strict DER X.509.
    MTATTEST_CHAIN_MALFORMED = 505,
    /// `chain.duplicate`: a certificate repeats.
    MTATTEST_CHAIN_DUPLICATE = 506,
    /// `chain.unsupported-algorithm`: a key or signature algorithm outside
    /// the profile.
    MTATTEST_CHAIN_UNSUPPORTED_ALGORITHM = 507,
    /// `chain.bad-signature`: a certificate's signature does not verify.
    MTATTEST_CHAIN_BAD_SIGNATURE = 508,
    /// `chain.expired`: a certificate has expired.
    MTATTEST_CHAIN_EXPIRED = 509,
    /// `chain.not-yet-valid`: a certificate is not yet valid.
    MTATTEST_CHAIN_NOT_YET_VALID = 510,
    /// `chain.not-ca`: an issuer is not a CA.
    MTATTEST_CHAIN_NOT_CA = 511,
    /// `chain.path-length`: a pathLenConstraint is exceeded.
    MTATTEST_CHAIN_PATH_LENGTH = 512,
    /// `chain.key-usage`: a keyUsage does not allow the use.
    MTATTEST_CHAIN_KEY_USAGE = 513,
    /// `chain.unknown-critical-extension`: an unprocessed critical extension.
    MTATTEST_CHAIN_UNKNOWN_CRITICAL_EXTENSION = 514,
    /// `chain.name-mismatch`: issuer and subject names do not chain.
    MTATTEST_CHAIN_NAME_MISMATCH = 515,
    /// `chain.no-anchor`: no trust anchor issued the chain.
    MTATTEST_CHAIN_NO_ANCHOR = 516,
    /// `chain.revoked`: a certificate of the path is revoked.
    MTATTEST_CHAIN_REVOKED = 517,
    /// `chain.suspended`: a certificate of the path is suspended.
    MTATTEST_CHAIN_SUSPENDED = 518,
    /// `chain.crl-bad-signature`: a CRL does not verify.
    MTATTEST_CHAIN_CRL_BAD_SIGNATURE = 519,
    /// `chain.crl-stale`: a CRL is past its nextUpdate (plus grace).
    MTATTEST_CHAIN_CRL_STALE = 520,
    /// `chain.crl-not-yet-valid`: a CRL's thisUpdate is in the future.
    MTATTEST_CHAIN_CRL_NOT_YET_VALID = 521,
    /// `chain.bad-anchor`: a configured trust anchor is unusable.
    MTATTEST_CHAIN_BAD_ANCHOR = 522,
    /// `chain.bad-revocation-data`: a configured CRL or status list is
    /// unusable.
    MTATTEST_CHAIN_BAD_REVOCATION_DATA = 523,
    /// `chain.version`: a certificate is not version 3.
    MTATTEST_CHAIN_VERSION = 524,
    /// `chain.unique-identifier`: a certificate carries a unique identifier.
    MTATTEST_CHAIN_UNIQUE_IDENTIFIER = 525,
    /// `chain.serial-number`: a serial number is negative, zero or too long.
    MTATTEST_CHAIN_SERIAL_NUMBER = 526,
    /// `chain.empty-name`: an issuer or subject name is empty.
    MTATTEST_CHAIN_EMPTY_NAME = 527,
    /// `chain.time-encoding`: a date before 2050 is GeneralizedTime.
    MTATTEST_CHAIN_TIME_ENCODING = 528,
    /// `chain.authority-key-id`: authorityKeyIdentifier missing, critical or
    /// without keyIdentifier.
    MTATTEST_CHAIN_AUTHORITY_KEY_ID = 529,
    /// `chain.subject-key-id`: subjectKeyIdentifier missing from a CA,
    /// critical or empty.
    MTATTEST_CHAIN_SUBJECT_KEY_ID = 530,
    /// `chain.basic-constraints`: a CA's basicConstraints is not critical,
    /// or a misplaced pathLenConstraint.
    MTATTEST_CHAIN_BASIC_CONSTRAINTS = 531,
    /// `chain.key-cert-sign-not-ca`: keyCertSign without cA.
    MTATTEST_CHAIN_KEY_CERT_SIGN_NOT_CA = 532,
    /// `chain.name-constraints`: nameConstraints, which the profile
    /// refuses.
    MTATTEST_CHAIN_NAME_CONSTRAINTS = 533,
    /// `chain.policy-constraints`: a policy constraint, mapping or
    /// inhibitAnyPolicy, which the profile refuses.
    MTATTEST_CHAIN_POLICY_CONSTRAINTS = 534,
    /// `chain.extended-key-usage`: a critical extKeyUsage without
    /// anyExtendedKeyUsage.
    MTATTEST_CHAIN_EXTENDED_KEY_USAGE = 535,
    /// `chain.crl-key-usage`: a CRL's issuer may not sign CRLs.
    MTATTEST_CHAIN_CRL_KEY_USAGE = 536,
    /// `chain.status-list-stale`: the status list is past its maximum age.
    MTATTEST_CHAIN_STATUS_LIST_STALE = 537,

    /// `freshness.nonce-length`: the challenge is not 8..64 bytes.
    MTATTEST_FRESHNESS_NONCE_LENGTH = 600,
    /// `freshness.nonce-missing`: a challenge was given, the token has no
    /// nonce.
    MTATTEST_FRESHNESS_NONCE_MISSING = 601,
    /// `freshness.nonce-mismatch`: the token's nonce is not the challenge.
    MTATTEST_FRESHNESS_NONCE_MISMATCH = 602,
    /// `freshness.future`: iat lies in the future beyond the skew.
    MTATTEST_FRESHNESS_FUTURE = 603,
    /// `freshness.stale`: iat is older than the maximum age.
    MTATTEST_FRESHNESS_STALE = 604,
    /// `freshness.expired`: exp has passed.
    MTATTEST_FRESHNESS_EXPIRED = 605,
    /// `freshness.not-yet-valid`: nbf has not been reached.
    MTATTEST_FRESHNESS_NOT_YET_VALID = 606,

    /// `replay.seen`: the token (its cti, nonce or payload) was seen before.
    MTATTEST_REPLAY_SEEN = 700,
    /// `replay.cache-full`: the replay cache is full of live entries.
    MTATTEST_REPLAY_CACHE_FULL = 701,
    /// `replay.store-unavailable`: the replay store could not answer.
    MTATTEST_REPLAY_STORE_UNAVAILABLE = 702,
    /// `replay.clock-regressed`: the verification time went back so far
    /// that the replay cache may have forgotten the token.
    MTATTEST_REPLAY_CLOCK_REGRESSED = 703,

    /// `policy.too-large`: the policy document is too large.
    MTATTEST_POLICY_TOO_LARGE = 800,
    /// `policy.syntax`: a malformed policy document.
    MTATTEST_POLICY_SYNTAX = 801,
    /// `policy.unknown-preset`: no preset of that name.
    MTATTEST_POLICY_UNKNOWN_PRESET = 802,
    /// `policy.unknown-claim`: a rule names an unknown claim.
    MTATTEST_POLICY_UNKNOWN_CLAIM = 803,
    /// `policy.claim-not-appraisable`: a rule names a claim rules cannot test.
    MTATTEST_POLICY_CLAIM_NOT_APPRAISABLE = 804,
    /// `policy.bad-value`: a rule's value is invalid for its claim.
    MTATTEST_POLICY_BAD_VALUE = 805,
    /// `policy.bad-check`: a rule's check is missing, repeated or unsupported.
    MTATTEST_POLICY_BAD_CHECK = 806,
    /// `policy.duplicate-rule`: two rules share an id.
    MTATTEST_POLICY_DUPLICATE_RULE = 807,
    /// `policy.unknown-rule`: remove-rules names an absent rule.
    MTATTEST_POLICY_UNKNOWN_RULE = 808,
    /// `policy.missing-parameter`: a preset needs the app signer digests.
    MTATTEST_POLICY_MISSING_PARAMETER = 809,

    /// `bulletin.too-large`: the bulletin feed is too large.
    MTATTEST_BULLETIN_TOO_LARGE = 900,
    /// `bulletin.syntax`: a malformed bulletin feed.
    MTATTEST_BULLETIN_SYNTAX = 901,
    /// `bulletin.bad-range`: an advisory's patch-level range is invalid.
    MTATTEST_BULLETIN_BAD_RANGE = 902,
    /// `bulletin.duplicate-advisory`: an advisory id repeats.
    MTATTEST_BULLETIN_DUPLICATE_ADVISORY = 903,
    /// `bulletin.no-criteria`: an advisory has no matching criteria.
    MTATTEST_BULLETIN_NO_CRITERIA = 904,

    /// `ear.too-large`: the attestation result is too large.
    MTATTEST_EAR_TOO_LARGE = 1000,
    /// `ear.malformed`: not an attestation result of the profile's shape.
    MTATTEST_EAR_MALFORMED = 1001,
    /// `ear.wrong-profile`: an attestation result of another EAR profile.
    MTATTEST_EAR_WRONG_PROFILE = 1002,

    /// `config.too-large`: the configuration document is too large.
    MTATTEST_CONFIG_TOO_LARGE = 1100,
    /// `config.syntax`: a malformed configuration document (not JSON, a
    /// wrong type, an unknown or repeated member).
    MTATTEST_CONFIG_SYNTAX = 1101,
    /// `config.empty`: an empty (or whitespace-only) value or list, never
    /// read as absent; an empty challenge.
    MTATTEST_CONFIG_EMPTY = 1102,
    /// `config.bad-value`: a value outside its set (an unknown name or
    /// bit, malformed hex, a zero count).
    MTATTEST_CONFIG_BAD_VALUE = 1103,
    /// `config.looser-than-profile`: a limit looser than the specification's.
    MTATTEST_CONFIG_LOOSER_THAN_PROFILE = 1104,
    /// `config.unavailable`: not in this build (the aws-lc provider without
    /// its feature) or not here (a file reference).
    MTATTEST_CONFIG_UNAVAILABLE = 1105,
    /// `config.no-anchors`: no trust anchor is configured.
    MTATTEST_CONFIG_NO_ANCHORS = 1106,
    /// `config.unknown-policy`: the default or named policy is not configured.
    MTATTEST_CONFIG_UNKNOWN_POLICY = 1107,
    /// `config.nonce-required`: the verifier requires a challenge and the
    /// call gave none.
    MTATTEST_CONFIG_NONCE_REQUIRED = 1108,
    /// `config.unreadable`: a file a configuration names cannot be read.
    MTATTEST_CONFIG_UNREADABLE = 1109,
    /// `config.enrolment-challenge-required`: enrolled-key mode and the
    /// call gave no enrolment challenge.
    MTATTEST_CONFIG_ENROLMENT_CHALLENGE_REQUIRED = 1110,

    /// `android.malformed`: the KeyDescription is not DER of its schema.
    MTATTEST_ANDROID_MALFORMED = 1200,
    /// `android.tags-not-ascending`: authorization-list tags out of order.
    MTATTEST_ANDROID_TAGS_NOT_ASCENDING = 1201,
    /// `android.unknown-tag`: an authorization-list tag the schema lacks.
    MTATTEST_ANDROID_UNKNOWN_TAG = 1202,
    /// `android.bad-value`: a KeyDescription value outside its set.
    MTATTEST_ANDROID_BAD_VALUE = 1203,
    /// `android.key-description-missing`: the leaf has no KeyDescription.
    MTATTEST_ANDROID_KEY_DESCRIPTION_MISSING = 1204,
    /// `android.key-description-misplaced`: a non-leaf certificate has one.
    MTATTEST_ANDROID_KEY_DESCRIPTION_MISPLACED = 1205,
    /// `android.not-android-anchor`: the chain ends at another anchor.
    MTATTEST_ANDROID_NOT_ANDROID_ANCHOR = 1206,
    /// `android.software-security-level`: attested by software.
    MTATTEST_ANDROID_SOFTWARE_SECURITY_LEVEL = 1207,
    /// `android.security-level-too-low`: below the configured level.
    MTATTEST_ANDROID_SECURITY_LEVEL_TOO_LOW = 1208,
    /// `android.origin-not-generated`: the key was not generated in the
    /// secure hardware.
    MTATTEST_ANDROID_ORIGIN_NOT_GENERATED = 1209,
    /// `android.challenge-mismatch`: the attestation challenge differs.
    MTATTEST_ANDROID_CHALLENGE_MISMATCH = 1210,
}

use mtattest_result::*;

/// The table: every result code with its dotted name, the core's stable
/// error code for codes from 100 up and an `ffi.` name for the C API's
/// own. Both directions of the mapping are read from here, and a test
/// checks it against the header (every code once) and the specification
/// (every spec code present).
pub(crate) const TABLE: &[(mtattest_result, &CStr)] = &[
    (MTATTEST_OK, c"ok"),
    (MTATTEST_ERR_NULL_POINTER, c"ffi.null-pointer"),
    (MTATTEST_ERR_ZERO_LENGTH, c"ffi.zero-length"),
    (MTATTEST_ERR_BUFFER_TOO_SMALL, c"ffi.buffer-too-small"),
    (MTATTEST_ERR_INVALID_UTF8, c"ffi.invalid-utf8"),
    (MTATTEST_ERR_PANIC, c"ffi.panic"),
    (MTATTEST_ERR_INVALID_HANDLE, c"ffi.invalid-handle"),
    (MTATTEST_ERR_INVALID_ARGUMENT, c"ffi.invalid-argument"),
    (MTATTEST_ERR_NOT_AVAILABLE, c"ffi.not-available"),
    (MTATTEST_ERR_NO_TRUST_ANCHORS, c"ffi.no-trust-anchors"),
    (MTATTEST_ERR_INDEX_OUT_OF_RANGE, c"ffi.index-out-of-range"),
    (MTATTEST_ERR_UNMAPPED, c"ffi.unmapped"),
    (MTATTEST_CBOR_TRUNCATED, c"cbor.truncated"),
    (MTATTEST_CBOR_MALFORMED, c"cbor.malformed"),
    (MTATTEST_CBOR_INDEFINITE_LENGTH, c"cbor.indefinite-length"),
    (MTATTEST_CBOR_TOO_DEEP, c"cbor.too-deep"),
    (MTATTEST_CBOR_TOO_MANY_ITEMS, c"cbor.too-many-items"),
    (MTATTEST_CBOR_MAP_TOO_LARGE, c"cbor.map-too-large"),
    (MTATTEST_CBOR_DUPLICATE_KEY, c"cbor.duplicate-key"),
    (MTATTEST_CBOR_TRAILING_BYTES, c"cbor.trailing-bytes"),
    (MTATTEST_TOKEN_TOO_LARGE, c"token.too-large"),
    (MTATTEST_TOKEN_UNTAGGED, c"token.untagged"),
    (MTATTEST_TOKEN_WRONG_TAG, c"token.wrong-tag"),
    (MTATTEST_TOKEN_MALFORMED, c"token.malformed"),
    (MTATTEST_TOKEN_DETACHED_PAYLOAD, c"token.detached-payload"),
    (MTATTEST_TOKEN_ALG_UNPROTECTED, c"token.alg-unprotected"),
    (MTATTEST_TOKEN_ALG_MISSING, c"token.alg-missing"),
    (MTATTEST_TOKEN_ALG_NOT_ALLOWED, c"token.alg-not-allowed"),
    (
        MTATTEST_TOKEN_HEADER_IN_BOTH_BUCKETS,
        c"token.header-in-both-buckets",
    ),
    (MTATTEST_TOKEN_CRIT_MALFORMED, c"token.crit-malformed"),
    (
        MTATTEST_TOKEN_UNKNOWN_CRITICAL_HEADER,
        c"token.unknown-critical-header",
    ),
    (
        MTATTEST_TOKEN_KEY_ALGORITHM_MISMATCH,
        c"token.key-algorithm-mismatch",
    ),
    (MTATTEST_TOKEN_BAD_SIGNATURE, c"token.bad-signature"),
    (MTATTEST_CLAIMS_NOT_A_MAP, c"claims.not-a-map"),
    (MTATTEST_CLAIMS_WRONG_TYPE, c"claims.wrong-type"),
    (MTATTEST_CLAIMS_INVALID_VALUE, c"claims.invalid-value"),
    (MTATTEST_CLAIMS_MISSING, c"claims.missing"),
    (MTATTEST_CLAIMS_WRONG_PROFILE, c"claims.wrong-profile"),
    (MTATTEST_CLAIMS_SUBMODS_TOO_DEEP, c"claims.submods-too-deep"),
    (MTATTEST_CLAIMS_INVALID_JSON, c"claims.invalid-json"),
    (MTATTEST_CRYPTO_INVALID_KEY, c"crypto.invalid-key"),
    (MTATTEST_CRYPTO_SIGNING_FAILED, c"crypto.signing-failed"),
    (MTATTEST_CRYPTO_SIGNATURE_LENGTH, c"crypto.signature-length"),
    (MTATTEST_CHAIN_MISSING, c"chain.missing"),
    (MTATTEST_CHAIN_UNPROTECTED, c"chain.unprotected"),
    (MTATTEST_CHAIN_EMPTY, c"chain.empty"),
    (MTATTEST_CHAIN_TOO_LONG, c"chain.too-long"),
    (MTATTEST_CHAIN_CERT_TOO_LARGE, c"chain.cert-too-large"),
    (MTATTEST_CHAIN_MALFORMED, c"chain.malformed"),
    (MTATTEST_CHAIN_DUPLICATE, c"chain.duplicate"),
    (
        MTATTEST_CHAIN_UNSUPPORTED_ALGORITHM,
        c"chain.unsupported-algorithm",
    ),
    (MTATTEST_CHAIN_BAD_SIGNATURE, c"chain.bad-signature"),
    (MTATTEST_CHAIN_EXPIRED, c"chain.expired"),
    (MTATTEST_CHAIN_NOT_YET_VALID, c"chain.not-yet-valid"),
    (MTATTEST_CHAIN_NOT_CA, c"chain.not-ca"),
    (MTATTEST_CHAIN_PATH_LENGTH, c"chain.path-length"),
    (MTATTEST_CHAIN_KEY_USAGE, c"chain.key-usage"),
    (
        MTATTEST_CHAIN_UNKNOWN_CRITICAL_EXTENSION,
        c"chain.unknown-critical-extension",
    ),
    (MTATTEST_CHAIN_NAME_MISMATCH, c"chain.name-mismatch"),
    (MTATTEST_CHAIN_NO_ANCHOR, c"chain.no-anchor"),
    (MTATTEST_CHAIN_REVOKED, c"chain.revoked"),
    (MTATTEST_CHAIN_SUSPENDED, c"chain.suspended"),
    (MTATTEST_CHAIN_CRL_BAD_SIGNATURE, c"chain.crl-bad-signature"),
    (MTATTEST_CHAIN_CRL_STALE, c"chain.crl-stale"),
    (MTATTEST_CHAIN_CRL_NOT_YET_VALID, c"chain.crl-not-yet-valid"),
    (MTATTEST_CHAIN_BAD_ANCHOR, c"chain.bad-anchor"),
    (
        MTATTEST_CHAIN_BAD_REVOCATION_DATA,
        c"chain.bad-revocation-data",
    ),
    (MTATTEST_CHAIN_VERSION, c"chain.version"),
    (MTATTEST_CHAIN_UNIQUE_IDENTIFIER, c"chain.unique-identifier"),
    (MTATTEST_CHAIN_SERIAL_NUMBER, c"chain.serial-number"),
    (MTATTEST_CHAIN_EMPTY_NAME, c"chain.empty-name"),
    (MTATTEST_CHAIN_TIME_ENCODING, c"chain.time-encoding"),
    (MTATTEST_CHAIN_AUTHORITY_KEY_ID, c"chain.authority-key-id"),
    (MTATTEST_CHAIN_SUBJECT_KEY_ID, c"chain.subject-key-id"),
    (MTATTEST_CHAIN_BASIC_CONSTRAINTS, c"chain.basic-constraints"),
    (
        MTATTEST_CHAIN_KEY_CERT_SIGN_NOT_CA,
        c"chain.key-cert-sign-not-ca",
    ),
    (MTATTEST_CHAIN_NAME_CONSTRAINTS, c"chain.name-constraints"),
    (
        MTATTEST_CHAIN_POLICY_CONSTRAINTS,
        c"chain.policy-constraints",
    ),
    (
        MTATTEST_CHAIN_EXTENDED_KEY_USAGE,
        c"chain.extended-key-usage",
    ),
    (MTATTEST_CHAIN_CRL_KEY_USAGE, c"chain.crl-key-usage"),
    (MTATTEST_CHAIN_STATUS_LIST_STALE, c"chain.status-list-stale"),
    (MTATTEST_FRESHNESS_NONCE_LENGTH, c"freshness.nonce-length"),
    (MTATTEST_FRESHNESS_NONCE_MISSING, c"freshness.nonce-missing"),
    (
        MTATTEST_FRESHNESS_NONCE_MISMATCH,
        c"freshness.nonce-mismatch",
    ),
    (MTATTEST_FRESHNESS_FUTURE, c"freshness.future"),
    (MTATTEST_FRESHNESS_STALE, c"freshness.stale"),
    (MTATTEST_FRESHNESS_EXPIRED, c"freshness.expired"),
    (MTATTEST_FRESHNESS_NOT_YET_VALID, c"freshness.not-yet-valid"),
    (MTATTEST_REPLAY_SEEN, c"replay.seen"),
    (MTATTEST_REPLAY_CACHE_FULL, c"replay.cache-full"),
    (
        MTATTEST_REPLAY_STORE_UNAVAILABLE,
        c"replay.store-unavailable",
    ),
    (MTATTEST_REPLAY_CLOCK_REGRESSED, c"replay.clock-regressed"),
    (MTATTEST_POLICY_TOO_LARGE, c"policy.too-large"),
    (MTATTEST_POLICY_SYNTAX, c"policy.syntax"),
    (MTATTEST_POLICY_UNKNOWN_PRESET, c"policy.unknown-preset"),
    (MTATTEST_POLICY_UNKNOWN_CLAIM, c"policy.unknown-claim"),
    (
        MTATTEST_POLICY_CLAIM_NOT_APPRAISABLE,
        c"policy.claim-not-appraisable",
    ),
    (MTATTEST_POLICY_BAD_VALUE, c"policy.bad-value"),
    (MTATTEST_POLICY_BAD_CHECK, c"policy.bad-check"),
    (MTATTEST_POLICY_DUPLICATE_RULE, c"policy.duplicate-rule"),
    (MTATTEST_POLICY_UNKNOWN_RULE, c"policy.unknown-rule"),
    (
        MTATTEST_POLICY_MISSING_PARAMETER,
        c"policy.missing-parameter",
    ),
    (MTATTEST_BULLETIN_TOO_LARGE, c"bulletin.too-large"),
    (MTATTEST_BULLETIN_SYNTAX, c"bulletin.syntax"),
    (MTATTEST_BULLETIN_BAD_RANGE, c"bulletin.bad-range"),
    (
        MTATTEST_BULLETIN_DUPLICATE_ADVISORY,
        c"bulletin.duplicate-advisory",
    ),
    (MTATTEST_BULLETIN_NO_CRITERIA, c"bulletin.no-criteria"),
    (MTATTEST_EAR_TOO_LARGE, c"ear.too-large"),
    (MTATTEST_EAR_MALFORMED, c"ear.malformed"),
    (MTATTEST_EAR_WRONG_PROFILE, c"ear.wrong-profile"),
    (MTATTEST_CONFIG_TOO_LARGE, c"config.too-large"),
    (MTATTEST_CONFIG_SYNTAX, c"config.syntax"),
    (MTATTEST_CONFIG_EMPTY, c"config.empty"),
    (MTATTEST_CONFIG_BAD_VALUE, c"config.bad-value"),
    (
        MTATTEST_CONFIG_LOOSER_THAN_PROFILE,
        c"config.looser-than-profile",
    ),
    (MTATTEST_CONFIG_UNAVAILABLE, c"config.unavailable"),
    (MTATTEST_CONFIG_NO_ANCHORS, c"config.no-anchors"),
    (MTATTEST_CONFIG_UNKNOWN_POLICY, c"config.unknown-policy"),
    (MTATTEST_CONFIG_NONCE_REQUIRED, c"config.nonce-required"),
    (MTATTEST_CONFIG_UNREADABLE, c"config.unreadable"),
    (
        MTATTEST_CONFIG_ENROLMENT_CHALLENGE_REQUIRED,
        c"config.enrolment-challenge-required",
    ),
    (MTATTEST_ANDROID_MALFORMED, c"android.malformed"),
    (
        MTATTEST_ANDROID_TAGS_NOT_ASCENDING,
        c"android.tags-not-ascending",
    ),
    (MTATTEST_ANDROID_UNKNOWN_TAG, c"android.unknown-tag"),
    (MTATTEST_ANDROID_BAD_VALUE, c"android.bad-value"),
    (
        MTATTEST_ANDROID_KEY_DESCRIPTION_MISSING,
        c"android.key-description-missing",
    ),
    (
        MTATTEST_ANDROID_KEY_DESCRIPTION_MISPLACED,
        c"android.key-description-misplaced",
    ),
    (
        MTATTEST_ANDROID_NOT_ANDROID_ANCHOR,
        c"android.not-android-anchor",
    ),
    (
        MTATTEST_ANDROID_SOFTWARE_SECURITY_LEVEL,
        c"android.software-security-level",
    ),
    (
        MTATTEST_ANDROID_SECURITY_LEVEL_TOO_LOW,
        c"android.security-level-too-low",
    ),
    (
        MTATTEST_ANDROID_ORIGIN_NOT_GENERATED,
        c"android.origin-not-generated",
    ),
    (
        MTATTEST_ANDROID_CHALLENGE_MISMATCH,
        c"android.challenge-mismatch",
    ),
];

impl mtattest_result {
    /// The result code for a core error code (`chain.expired` ->
    /// `MTATTEST_CHAIN_EXPIRED`); `MTATTEST_ERR_UNMAPPED` for a code the
    /// table lacks. Only codes with a family of the core are looked up, so
    /// an `ffi.` name never comes back from the core's side.
    pub fn from_core_code(code: &str) -> mtattest_result {
        TABLE
            .iter()
            .find(|(r, name)| (*r as i32) >= 100 && name.to_bytes() == code.as_bytes())
            .map_or(MTATTEST_ERR_UNMAPPED, |(r, _)| *r)
    }

    /// The dotted name: the core's stable code (`chain.expired`) for
    /// codes from 100 up, `ffi.…` for the C API's own, `ok` for success.
    pub fn name(self) -> &'static CStr {
        TABLE
            .iter()
            .find(|(r, _)| *r == self)
            .map_or(c"ffi.unmapped", |(_, name)| name)
    }

    /// The dotted name as text.
    pub fn name_str(self) -> &'static str {
        self.name().to_str().unwrap_or("ffi.unmapped")
    }
}

thread_local! {
    /// The message of the most recent call on this thread, if it failed.
    static LAST_ERROR: RefCell<Option<std::ffi::CString>> = const { RefCell::new(None) };
}

/// Records the outcome of a call for [`mtattest_last_error`].
pub(crate) fn set_last_error(message: Option<&str>) {
    let text = message.map(boundary::c_text);
    // `try_with`: during thread teardown the slot may be gone; then there
    // is no one left to read the message.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = text;
        }
    });
}

/// Copies the message about the most recent call made on the calling
/// thread into `buf`, NUL-terminated: what failed and why, e.g.
/// "trust anchor 0 is unusable: ...". After a call that succeeded the
/// message is empty. Calling this function (or mtattest_result_code or
/// mtattest_version) does not change it.
///
/// `*out_len` receives the message's size including the terminating NUL.
/// Call with `buf` NULL and `cap` 0 to learn the size
/// (MTATTEST_ERR_BUFFER_TOO_SMALL); a buffer of at least that size gets
/// the whole message and MTATTEST_OK.
///
/// # Safety
///
/// `buf` must be NULL or point to `cap` writable bytes; `out_len` must be
/// NULL or point to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn mtattest_last_error(
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> mtattest_result {
    boundary::guard_keep_last_error(|| {
        let message = LAST_ERROR
            .try_with(|slot| {
                slot.try_borrow()
                    .ok()
                    .and_then(|m| m.as_ref().map(|m| m.as_bytes_with_nul().to_vec()))
            })
            .ok()
            .flatten()
            .unwrap_or_else(|| vec![0]);
        // SAFETY: the caller guarantees `buf` (cap bytes) and `out_len` are
        // NULL or valid for writes; copy_out checks NULL and the capacity.
        unsafe { boundary::copy_out(&message, buf.cast::<u8>(), cap, out_len) }
    })
}

/// The dotted name of a result code, as a static NUL-terminated string
/// that is never freed: the specification's stable code for codes from
/// 100 up (`MTATTEST_CHAIN_EXPIRED` -> "chain.expired"), "ffi.<name>" for
/// the C API's own codes (`MTATTEST_ERR_NULL_POINTER` ->
/// "ffi.null-pointer"), "ok" for MTATTEST_OK, and NULL for a number that
/// is not a result code. A pure look-up: it returns no result code and
/// leaves the last error as it is.
#[no_mangle]
pub extern "C" fn mtattest_result_code(result: c_int) -> *const c_char {
    boundary::guard_pure(std::ptr::null(), || {
        TABLE
            .iter()
            .find(|(r, _)| *r as c_int == result)
            .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
    })
}

/// The library's version ("0.1.0"), a static NUL-terminated string that
/// is never freed. A pure look-up, like mtattest_result_code.
#[no_mangle]
pub extern "C" fn mtattest_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

impl From<&mtattest::Error> for Failure {
    fn from(e: &mtattest::Error) -> Failure {
        let code = mtattest_result::from_core_code(e.code());
        let message = if code == MTATTEST_ERR_UNMAPPED {
            format!("{e} [{}: no result number in this build]", e.code())
        } else {
            e.to_string()
        };
        Failure::new(code, message)
    }
}

impl From<mtattest::Error> for Failure {
    fn from(e: mtattest::Error) -> Failure {
        Failure::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_are_unique() {
        for (i, (a, na)) in TABLE.iter().enumerate() {
            for (b, nb) in &TABLE[i + 1..] {
                assert_ne!(a, b, "{na:?} and {nb:?} share a number");
                assert_ne!(na, nb);
            }
        }
    }

    #[test]
    fn core_codes_round_trip() {
        for (r, name) in TABLE.iter().filter(|(r, _)| *r as i32 >= 100) {
            let name = name.to_str().unwrap();
            assert_eq!(mtattest_result::from_core_code(name), *r);
            assert_eq!(r.name_str(), name);
            // Family numbering: cbor 1xx ... ear 10xx, config 11xx.
            let family = name.split('.').next().unwrap();
            let base = [
                "cbor",
                "token",
                "claims",
                "crypto",
                "chain",
                "freshness",
                "replay",
                "policy",
                "bulletin",
                "ear",
                "config",
                "android",
            ]
            .iter()
            .position(|f| *f == family)
            .expect("known family") as i32;
            assert_eq!(*r as i32 / 100, base + 1, "{name}");
        }
        assert_eq!(
            mtattest_result::from_core_code("ffi.panic"),
            MTATTEST_ERR_UNMAPPED
        );
        assert_eq!(
            mtattest_result::from_core_code("no.such-code"),
            MTATTEST_ERR_UNMAPPED
        );
    }

    #[test]
    fn core_errors_map_to_their_numbers() {
        let e = mtattest::Error::from(mtattest::TokenError::BadSignature);
        let f = Failure::from(&e);
        assert_eq!(f.code, MTATTEST_TOKEN_BAD_SIGNATURE);
        assert_eq!(f.message, "signature does not verify");
    }
}
