//! Distinguished-name comparison (RFC 5280 §7.1), for name chaining, the
//! self-issued test, loop detection and matching a CRL to its issuer.
//!
//! Two names match when they have the same number of RDNs and each RDN
//! matches its counterpart: the same number of attributes, paired one to one
//! (an RDN is a SET, so order inside it does not count) with equal types and
//! matching values. Values match when their DER encodings are equal, or
//! when both are PrintableString or UTF8String (in any combination) and
//! equal after the LDAP string preparation of RFC 4518 as far as this
//! profile applies it (`prepare`), or when both are IA5String values of
//! domainComponent and equal ignoring ASCII case (RFC 5280 §7.3). Any other
//! value is compared as encoded.
//!
//! The preparation leaves out Unicode normalization (NFKC) and the
//! prohibited-character step: names equal only after NFKC do not match here,
//! which is a refusal, never a false acceptance. Every mapping it does apply
//! is one RFC 4518 also applies, so two names that match here match for a
//! conforming implementation too.

use alloc::string::String;
use alloc::vec::Vec;

use der::oid::db::rfc4519::DOMAIN_COMPONENT;
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// Whether `a` and `b` name the same entity.
pub(crate) fn names_match(a: &Name, b: &Name) -> bool {
    a == b
        || (a.0.len() == b.0.len()
            && a.0
                .iter()
                .zip(b.0.iter())
                .all(|(x, y)| sets_match(x.0.as_slice(), y.0.as_slice())))
}

/// Whether the attributes of two RDNs pair up one to one. Matching is an
/// equivalence (equality after a mapping), so taking the first unused match
/// for each attribute never misses a pairing that exists.
fn sets_match(a: &[AttributeTypeAndValue], b: &[AttributeTypeAndValue]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used: Vec<bool> = b.iter().map(|_| false).collect();
    a.iter().all(|x| {
        let found = b
            .iter()
            .zip(used.iter())
            .position(|(y, taken)| !*taken && attributes_match(x, y));
        match found.and_then(|i| used.get_mut(i)) {
            Some(slot) => {
                *slot = true;
                true
            }
            None => false,
        }
    })
}

fn attributes_match(a: &AttributeTypeAndValue, b: &AttributeTypeAndValue) -> bool {
    if a.oid != b.oid {
        return false;
    }
    if a.value == b.value {
        return true;
    }
    let (ta, tb) = (a.value.tag(), b.value.tag());
    let (va, vb) = (a.value.value(), b.value.value());
    if is_directory_string(ta) && is_directory_string(tb) {
        return match (core::str::from_utf8(va), core::str::from_utf8(vb)) {
            (Ok(x), Ok(y)) => prepare(x) == prepare(y),
            _ => false,
        };
    }
    a.oid == DOMAIN_COMPONENT
        && ta == Tag::Ia5String
        && tb == Tag::Ia5String
        && va.eq_ignore_ascii_case(vb)
}

/// The string types whose values RFC 5280 §7.1 requires comparing after
/// RFC 4518 preparation. A PrintableString is ASCII, so it is UTF-8 too.
fn is_directory_string(tag: Tag) -> bool {
    matches!(tag, Tag::PrintableString | Tag::Utf8String)
}

/// RFC 4518 §2 for comparison: map (§2.2: the characters that are mapped to
/// nothing are dropped, the other white space becomes SPACE, case is folded
/// with Unicode lowercase), then insignificant space handling (§2.6.1:
/// leading and trailing spaces dropped, inner runs of spaces count as one).
fn prepare(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if maps_to_nothing(c) {
            continue;
        }
        if maps_to_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// RFC 4518 §2.2: white space characters mapped to SPACE.
fn maps_to_space(c: char) -> bool {
    matches!(c, '\u{20}' | '\u{09}'..='\u{0D}' | '\u{85}')
}

/// RFC 4518 §2.2: characters mapped to nothing (soft hyphen, variation
/// selectors, zero-width space and friends, control characters).
fn maps_to_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{1806}'
            | '\u{34F}'
            | '\u{180B}'..='\u{180D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFFC}'
            | '\u{200B}'
            | '\u{00}'..='\u{08}'
            | '\u{0E}'..='\u{1F}'
            | '\u{7F}'..='\u{84}'
            | '\u{86}'..='\u{9F}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{180E}'
            | '\u{200C}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2063}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use core::str::FromStr;
    use der::asn1::{Any, ObjectIdentifier, SetOfVec};
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    fn ava(oid: &str, tag: Tag, value: &[u8]) -> AttributeTypeAndValue {
        AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap(oid),
            value: Any::new(tag, value).expect("value"),
        }
    }

    const CN: &str = "2.5.4.3";
    const O: &str = "2.5.4.10";

    fn name(rdns: Vec<Vec<AttributeTypeAndValue>>) -> Name {
        RdnSequence(
            rdns.into_iter()
                .map(|set| {
                    RelativeDistinguishedName(SetOfVec::try_from(set).expect("distinct values"))
                })
                .collect(),
        )
    }

    fn cn(tag: Tag, value: &str) -> Name {
        name(vec![vec![ava(CN, tag, value.as_bytes())]])
    }

    #[test]
    fn case_and_insignificant_space_do_not_count() {
        let a = cn(Tag::Utf8String, "Example OEM Attestation CA");
        for equal in [
            "example oem attestation ca",
            "  EXAMPLE   OEM\tAttestation CA ",
            "Example\u{AD} OEM Attestation CA",
        ] {
            assert!(names_match(&a, &cn(Tag::Utf8String, equal)), "{equal:?}");
            assert!(names_match(&cn(Tag::Utf8String, equal), &a), "{equal:?}");
        }
        for different in [
            "Example OEM AttestationCA",
            "Example OEM Attestation CA2",
            "",
        ] {
            assert!(
                !names_match(&a, &cn(Tag::Utf8String, different)),
                "{different:?}"
            );
        }
    }

    #[test]
    fn printable_and_utf8_strings_compare_by_their_text() {
        assert!(names_match(
            &cn(Tag::PrintableString, "Example Root"),
            &cn(Tag::Utf8String, "EXAMPLE ROOT")
        ));
        // Non-ASCII case folding in UTF8String.
        assert!(names_match(
            &cn(Tag::Utf8String, "ÉQUIPEMENT Ω"),
            &cn(Tag::Utf8String, "équipement ω")
        ));
        // Other string types only as encoded.
        assert!(!names_match(
            &cn(Tag::Ia5String, "Example Root"),
            &cn(Tag::Utf8String, "Example Root")
        ));
        assert!(!names_match(
            &cn(Tag::BmpString, "ab"),
            &cn(Tag::BmpString, "AB")
        ));
        assert!(names_match(
            &cn(Tag::BmpString, "ab"),
            &cn(Tag::BmpString, "ab")
        ));
    }

    #[test]
    fn invalid_utf8_only_matches_itself() {
        let bad = name(vec![vec![ava(CN, Tag::Utf8String, &[0xff, 0x41])]]);
        let other = name(vec![vec![ava(CN, Tag::Utf8String, &[0xff, 0x61])]]);
        assert!(names_match(&bad, &bad.clone()));
        assert!(!names_match(&bad, &other));
    }

    #[test]
    fn domain_components_ignore_ascii_case() {
        let dc = |v: &str| name(vec![vec![ava(DC_OID, Tag::Ia5String, v.as_bytes())]]);
        const DC_OID: &str = "0.9.2342.19200300.100.1.25";
        assert!(names_match(&dc("Example"), &dc("eXAMPLE")));
        assert!(!names_match(&dc("example"), &dc("example ")));
        // emailAddress (also IA5String) is compared as encoded.
        let email = |v: &str| {
            name(vec![vec![ava(
                "1.2.840.113549.1.9.1",
                Tag::Ia5String,
                v.as_bytes(),
            )]])
        };
        assert!(!names_match(
            &email("A@example.com"),
            &email("a@example.com")
        ));
    }

    #[test]
    fn structure_must_agree() {
        let one = name(vec![vec![ava(CN, Tag::Utf8String, b"A")]]);
        let two = name(vec![
            vec![ava(CN, Tag::Utf8String, b"A")],
            vec![ava(O, Tag::Utf8String, b"B")],
        ]);
        let swapped = name(vec![
            vec![ava(O, Tag::Utf8String, b"B")],
            vec![ava(CN, Tag::Utf8String, b"A")],
        ]);
        let multi = name(vec![vec![
            ava(CN, Tag::Utf8String, b"A"),
            ava(O, Tag::Utf8String, b"B"),
        ]]);
        let multi_other = name(vec![vec![
            ava(CN, Tag::PrintableString, b"a"),
            ava(O, Tag::Utf8String, b"b"),
        ]]);
        assert!(!names_match(&one, &two));
        assert!(!names_match(&two, &swapped), "RDN order counts");
        assert!(!names_match(&two, &multi), "RDN boundaries count");
        assert!(
            names_match(&multi, &multi_other),
            "attributes inside an RDN pair up"
        );
        // Same value under another attribute type.
        assert!(!names_match(
            &one,
            &name(vec![vec![ava(O, Tag::Utf8String, b"A")]])
        ));
        assert!(names_match(&Name::default(), &Name::default()));
        assert!(!names_match(&Name::default(), &one));
        let parsed = Name::from_str("CN=A,O=B").expect("name");
        assert!(names_match(
            &parsed,
            &Name::from_str("CN=a,O=b").expect("name")
        ));
    }
}
