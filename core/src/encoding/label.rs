//! Byte strings that are usually text (`hwmodel`): one notation for them
//! everywhere (spec §12.3, "label"). Bytes that are UTF-8 without control
//! characters are written as that text; any other bytes as
//! `{"hex": "<lowercase hex>"}`. Each value has exactly one of the two
//! forms, so a reader refuses the hex form of bytes that are text.

/// The bytes as text, if the label form of these bytes is text: valid
/// UTF-8 without control characters (Unicode general category `Cc`: C0,
/// DEL, C1). `None` means the hex form.
///
/// ```
/// use mtattest::encoding::label_text;
///
/// assert_eq!(label_text(b"CamCo C1"), Some("CamCo C1"));
/// assert_eq!(label_text(b""), Some(""));
/// assert_eq!(label_text(b"line\nbreak"), None);
/// assert_eq!(label_text(&[0xff, 0xfe]), None);
/// ```
pub fn label_text(bytes: &[u8]) -> Option<&str> {
    core::str::from_utf8(bytes)
        .ok()
        .filter(|t| !t.chars().any(char::is_control))
}

/// The member name of the hex form: `{"hex": "…"}`.
pub const LABEL_HEX: &str = "hex";
