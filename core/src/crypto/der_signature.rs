//! ECDSA signatures from their DER form (certificates, CRLs) to the COSE
//! form the providers take, with `der`: the same reading for every
//! provider, and none needs a DER parser of its own.

use alloc::vec::Vec;

use der::asn1::UintRef;
use der::{Decode, Header, Reader, SliceReader, Tag};

use super::Algorithm;

/// The COSE form (`r ‖ s`, each left-padded to the curve size) of a DER
/// `Ecdsa-Sig-Value` (RFC 3279 §2.2.3: `SEQUENCE { r INTEGER, s INTEGER }`)
/// for `alg`, or `None` if the bytes are not exactly that in DER (minimal
/// lengths and integers, non-negative, nothing after the sequence) or an
/// integer is longer than the curve size.
///
/// Whether `r` and `s` are in `1..n` is the provider's to check when it
/// verifies: a signature outside that range never verifies.
///
/// ```
/// use mtattest::crypto::{ecdsa_signature_from_der, Algorithm};
///
/// // SEQUENCE { INTEGER 1, INTEGER 0x80 (sign octet) }
/// let raw = ecdsa_signature_from_der(Algorithm::Es256, &[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]).unwrap();
/// assert_eq!(raw.len(), 64);
/// assert_eq!((raw[31], raw[63]), (0x01, 0x80));
/// // A negative integer, and a non-minimal one, are not DER for an unsigned value.
/// assert!(ecdsa_signature_from_der(Algorithm::Es256, &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80]).is_none());
/// assert!(ecdsa_signature_from_der(Algorithm::Es256, &[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x01]).is_none());
/// ```
pub fn ecdsa_signature_from_der(alg: Algorithm, der: &[u8]) -> Option<Vec<u8>> {
    let (r, s) = decode(der).ok()?;
    let n = alg.curve().scalar_len();
    let mut raw = Vec::with_capacity(2 * n);
    for int in [r, s] {
        let bytes = int.as_bytes();
        let padding = n.checked_sub(bytes.len())?;
        raw.resize(raw.len() + padding, 0);
        raw.extend_from_slice(bytes);
    }
    Some(raw)
}

fn decode(der: &[u8]) -> der::Result<(UintRef<'_>, UintRef<'_>)> {
    let mut reader = SliceReader::new(der)?;
    let header = Header::decode(&mut reader)?;
    header.tag.assert_eq(Tag::Sequence)?;
    let pair = reader.read_nested(header.length, |inner| {
        let r = UintRef::decode(inner)?;
        let s = UintRef::decode(inner)?;
        Ok((r, s))
    })?;
    reader.finish(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        for int in [r, s] {
            body.push(0x02);
            body.push(int.len() as u8);
            body.extend_from_slice(int);
        }
        let mut out = alloc::vec![0x30, body.len() as u8];
        out.extend(body);
        out
    }

    #[test]
    fn pads_each_integer_to_the_curve_size() {
        let mut r = alloc::vec![0x00, 0xff];
        r.extend([0x11; 47]);
        let raw = ecdsa_signature_from_der(Algorithm::Es384, &der(&r, &[0x05])).unwrap();
        assert_eq!(raw.len(), 96);
        assert_eq!(&raw[..48], &r[1..]);
        assert_eq!(raw[48..95], [0; 47]);
        assert_eq!(raw[95], 5);
    }

    #[test]
    fn refuses_what_is_not_a_der_pair_of_curve_sized_integers() {
        let ok = der(&[0x01], &[0x02]);
        assert!(ecdsa_signature_from_der(Algorithm::Es256, &ok).is_some());
        let mut trailing = ok.clone();
        trailing.push(0);
        let mut inner_trailing = der(&[0x01], &[0x02]);
        inner_trailing[1] += 2;
        inner_trailing.extend([0x05, 0x00]);
        let mut long_form_length = alloc::vec![0x30, 0x81, 0x06];
        long_form_length.extend(&ok[2..]);
        let mut set = ok.clone();
        set[0] = 0x31;
        for bad in [
            trailing,
            inner_trailing,
            long_form_length,
            set,
            der(&[0x01], &[]),
            der(&[0x01], &[0x00, 0x02]),
            der(&[0x01], &[0x80]),
            der(&[0x01; 33], &[0x02]),
            der(&[0x01], &[0x02])[..7].to_vec(),
            alloc::vec![0x30, 0x03, 0x02, 0x01, 0x01],
            Vec::new(),
        ] {
            assert!(
                ecdsa_signature_from_der(Algorithm::Es256, &bad).is_none(),
                "{bad:02x?}"
            );
        }
        // 33 bytes fit P-384 but not P-256.
        assert!(ecdsa_signature_from_der(Algorithm::Es384, &der(&[0x01; 33], &[0x02])).is_some());
    }
}
