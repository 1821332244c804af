//! Certificate lists as they are handed over: a PEM bundle, or DER
//! certificates one after the other. One reader for the configuration, the
//! trust anchors, the CLI, the C ABI and the WASM bindings, so that no two
//! of them split a list differently.

use alloc::format;
use alloc::vec::Vec;

use der::asn1::AnyRef;
use der::{Decode as _, Reader as _, SliceReader, Tag, Tagged as _};

use super::EncodingError;

const BEGIN: &str = "-----BEGIN ";

/// The DER contents of every PEM block of `text` (RFC 7468), in order; every
/// block must be labelled `label` (`CERTIFICATE`, `X509 CRL`). Text between
/// and around the blocks is ignored. No block at all is an error: a bundle
/// that names nothing is a mistake, never "nothing to add".
///
/// ```
/// use mtattest::encoding::pem_blocks;
///
/// let pem = "subject=CN=x\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
/// assert_eq!(pem_blocks(pem, "CERTIFICATE").unwrap(), [vec![0x30, 0x00]]);
/// assert!(pem_blocks(pem, "X509 CRL").is_err());
/// assert!(pem_blocks("", "CERTIFICATE").is_err());
/// ```
pub fn pem_blocks(text: &str, label: &str) -> Result<Vec<Vec<u8>>, EncodingError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let index = out.len();
        let block = rest.get(start..).unwrap_or_default();
        let found = block
            .get(BEGIN.len()..)
            .and_then(|b| b.split("-----").next())
            .unwrap_or_default();
        if found != label && found.ends_with("PRIVATE KEY") {
            return Err(EncodingError::at(
                index,
                format!(
                    "PEM block {index} is a private key ({found:?}), not a {label:?}: give the \
                     certificate; a private key is never needed to verify"
                ),
            ));
        }
        if found != label {
            return Err(EncodingError::at(
                index,
                format!("PEM block {index} is {found:?}, expected {label:?}"),
            ));
        }
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            return Err(EncodingError::at(
                index,
                format!("PEM block {index} does not end"),
            ));
        };
        let end = end + end_marker.len();
        let (_, der) = der::pem::decode_vec(block.as_bytes().get(..end).unwrap_or_default())
            .map_err(|e| EncodingError::at(index, format!("PEM block {index}: {e}")))?;
        out.push(der);
        rest = block.get(end..).unwrap_or_default();
    }
    if out.is_empty() {
        return Err(EncodingError::new(format!("no {label} PEM block found")));
    }
    Ok(out)
}

/// Whether `data` is PEM text rather than DER: it holds a PEM
/// encapsulation boundary.
pub fn is_pem(data: &[u8]) -> bool {
    data.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes())
}

/// The DER of each certificate of a list, in order: a PEM bundle
/// ([`is_pem`]; every block a `CERTIFICATE`), or one or more DER
/// certificates one after the other. The certificates are split, not
/// checked: whoever uses them validates each under its own rules. An empty
/// list is an error.
///
/// ```
/// use mtattest::encoding::certificate_list;
///
/// // Two DER items back to back (empty SEQUENCEs stand in for certificates).
/// assert_eq!(certificate_list(&[0x30, 0x00, 0x30, 0x00]).unwrap().len(), 2);
/// assert_eq!(certificate_list(&[0x30, 0x05]).unwrap_err().item, Some(0));
/// assert!(certificate_list(b"").is_err());
/// ```
pub fn certificate_list(data: &[u8]) -> Result<Vec<Vec<u8>>, EncodingError> {
    if is_pem(data) {
        let text = core::str::from_utf8(data)
            .map_err(|e| EncodingError::new(format!("the PEM text is not UTF-8: {e}")))?;
        return pem_blocks(text, "CERTIFICATE");
    }
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let index = out.len();
        let len = der_sequence_len(rest).ok_or_else(|| {
            EncodingError::at(
                index,
                format!("certificate {index} is not DER (nor is the list PEM)"),
            )
        })?;
        let (cert, tail) = rest.split_at(len);
        out.push(cert.to_vec());
        rest = tail;
    }
    if out.is_empty() {
        return Err(EncodingError::new("no certificate found"));
    }
    Ok(out)
}

/// The length, header included, of the DER SEQUENCE that `data` starts
/// with.
fn der_sequence_len(data: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(data).ok()?;
    let item = AnyRef::decode(&mut reader).ok()?;
    if item.tag() != Tag::Sequence {
        return None;
    }
    usize::try_from(reader.position()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_items_split_by_their_header() {
        assert_eq!(der_sequence_len(&[0x30, 0x00]), Some(2));
        assert_eq!(der_sequence_len(&[0x30, 0x01, 0xff, 0x00]), Some(3));
        let mut long = alloc::vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert_eq!(der_sequence_len(&long), Some(0x83));
        let mut longer = alloc::vec![0x30, 0x82, 0x01, 0x00];
        longer.extend([0u8; 0x100]);
        assert_eq!(der_sequence_len(&longer), Some(0x104));
        // Not DER: a length that does not fit, a SET, the indefinite form,
        // and a long form where the short one is required.
        assert_eq!(der_sequence_len(&[0x30, 0x05, 0x00]), None);
        assert_eq!(der_sequence_len(&[0x31, 0x00]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x80, 0x00, 0x00]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x81, 0x01, 0xff]), None);
        assert_eq!(der_sequence_len(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_sequence_len(&[]), None);
    }

    #[test]
    fn lists() {
        let two = [0x30, 0x00, 0x30, 0x01, 0x05];
        assert_eq!(
            certificate_list(&two).unwrap(),
            [alloc::vec![0x30, 0x00], alloc::vec![0x30, 0x01, 0x05]]
        );
        let err = certificate_list(&[0x30, 0x00, 0x02, 0x01, 0x00]).unwrap_err();
        assert_eq!(err.item, Some(1));
        let pem = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n\
                   -----BEGIN CERTIFICATE-----\nMAEF\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificate_list(pem.as_bytes()).unwrap(),
            certificate_list(&two).unwrap()
        );
        let key = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert_eq!(certificate_list(key.as_bytes()).unwrap_err().item, Some(0));
        let unended = "-----BEGIN CERTIFICATE-----\nMAA=\n";
        assert!(certificate_list(unended.as_bytes()).is_err());
        assert!(certificate_list(b"-----BEGIN \xff").is_err());
    }
}
