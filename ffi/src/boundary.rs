//! The boundary: the panic guard every entry point runs behind, checked
//! conversions of C arguments, and opaque handles.

use std::any::Any;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{mtattest_result, set_last_error};

/// A failed call: its result code and the message for
/// [`crate::mtattest_last_error`].
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: mtattest_result,
    pub message: String,
}

impl Failure {
    pub fn new(code: mtattest_result, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    pub fn null(what: &str) -> Failure {
        Failure::new(
            mtattest_result::MTATTEST_ERR_NULL_POINTER,
            format!("{what} is NULL"),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(mtattest_result::MTATTEST_ERR_INVALID_ARGUMENT, message)
    }
}

pub(crate) type Outcome = Result<(), Failure>;

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("internal error (panic): {what}")
}

/// Runs an entry point's body: a panic becomes `MTATTEST_ERR_PANIC`, and
/// the outcome is recorded as the thread's last error (cleared on
/// success).
pub(crate) fn guard(body: impl FnOnce() -> Outcome) -> mtattest_result {
    let outcome = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let failure = Failure::new(
                mtattest_result::MTATTEST_ERR_PANIC,
                panic_message(payload.as_ref()),
            );
            // Dropping the payload could itself panic; keep that inside a
            // boundary too.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            Err(failure)
        }
    };
    let recorded = catch_unwind(AssertUnwindSafe(|| match &outcome {
        Ok(()) => set_last_error(None),
        Err(f) => set_last_error(Some(&f.message)),
    }));
    match (outcome, recorded) {
        (Ok(()), Ok(())) => mtattest_result::MTATTEST_OK,
        (Err(f), _) => f.code,
        (Ok(()), Err(_)) => mtattest_result::MTATTEST_ERR_PANIC,
    }
}

/// Like [`guard`], but leaves the last error alone (for the functions that
/// read it).
pub(crate) fn guard_keep_last_error(body: impl FnOnce() -> Outcome) -> mtattest_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mtattest_result::MTATTEST_OK,
        Ok(Err(f)) => f.code,
        Err(payload) => {
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            mtattest_result::MTATTEST_ERR_PANIC
        }
    }
}

/// A body that returns a value and cannot report a code: `fallback` after a
/// panic. The last error is left alone.
pub(crate) fn guard_pure<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(payload) => {
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            fallback
        }
    }
}

/// Text as a C string; a NUL inside (from user data echoed in a message)
/// becomes U+FFFD so the string is not cut short.
pub(crate) fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

fn check_len(len: usize, what: &str) -> Result<(), Failure> {
    if len > isize::MAX as usize {
        return Err(Failure::invalid(format!(
            "{what}: length {len} is larger than any object"
        )));
    }
    Ok(())
}

/// A required byte input.
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` readable bytes that stay valid and
/// unmodified for `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len == 0 {
        return Err(Failure::new(
            mtattest_result::MTATTEST_ERR_ZERO_LENGTH,
            format!("{what} has length 0"),
        ));
    }
    check_len(len, what)?;
    // SAFETY: `ptr` is non-NULL and the caller guarantees `len` readable
    // bytes for 'a; a u8 pointer is always aligned and len <= isize::MAX.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional byte input: absent as (NULL, 0).
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn optional_bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<Option<&'a [u8]>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    if ptr.is_null() {
        return Err(Failure::null(&format!("{what} (length {len})")));
    }
    // SAFETY: forwarded from the caller.
    unsafe { bytes(ptr, len, what) }.map(Some)
}

/// A required UTF-8 text input given as (pointer, length).
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller; c_char and u8 have one layout.
    let raw = unsafe { bytes(ptr.cast::<u8>(), len, what) }?;
    utf8(raw, what)
}

/// UTF-8 text, or `MTATTEST_ERR_INVALID_UTF8` naming `what`.
pub(crate) fn utf8<'a>(raw: &'a [u8], what: &str) -> Result<&'a str, Failure> {
    std::str::from_utf8(raw).map_err(|e| {
        Failure::new(
            mtattest_result::MTATTEST_ERR_INVALID_UTF8,
            format!("{what} is not UTF-8: {e}"),
        )
    })
}

/// The DER certificates of a list (`mtattest::encoding::certificate_list`:
/// a PEM bundle, or DER certificates one after the other). PEM text must
/// be UTF-8 (`MTATTEST_ERR_INVALID_UTF8` naming `what`); any other fault is
/// `bad`'s error for the certificate it is about.
pub(crate) fn certificates(
    data: &[u8],
    what: &str,
    bad: &dyn Fn(usize, String) -> mtattest::Error,
) -> Result<Vec<Vec<u8>>, Failure> {
    if mtattest::encoding::is_pem(data) {
        utf8(data, what)?;
    }
    mtattest::encoding::certificate_list(data)
        .map_err(|e| Failure::from(&bad(e.item.unwrap_or(0), e.reason)))
}

/// Writes `value` through an out-pointer.
///
/// # Safety
///
/// `ptr` must be NULL or valid for a write of a `T` (any alignment).
pub(crate) unsafe fn write_out<T>(ptr: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and valid for writes per the caller; write_unaligned
    // needs no alignment and does not drop the old (uninitialised) value.
    unsafe { ptr.write_unaligned(value) };
    Ok(())
}

/// The size query: `*out_len` receives `needed`; a NULL buffer (with
/// capacity 0) or one smaller than `needed` gives
/// `MTATTEST_ERR_BUFFER_TOO_SMALL`, a NULL one with a capacity
/// `MTATTEST_ERR_NULL_POINTER`.
///
/// # Safety
///
/// `out_len` must be NULL or valid for a write.
pub(crate) unsafe fn reserve(
    needed: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    what: &str,
) -> Outcome {
    // SAFETY: forwarded from the caller.
    unsafe { write_out(out_len, needed, "out_len") }?;
    if buf.is_null() && cap != 0 {
        return Err(Failure::null(&format!("{what} (capacity {cap})")));
    }
    if buf.is_null() || cap < needed {
        return Err(Failure::new(
            mtattest_result::MTATTEST_ERR_BUFFER_TOO_SMALL,
            format!("{what} holds {cap} bytes; {needed} are needed"),
        ));
    }
    Ok(())
}

/// Copies `data` into the caller's buffer with the size query
/// ([`reserve`]).
///
/// # Safety
///
/// `buf` must be NULL or valid for `cap` byte writes, not overlapping
/// `data`; `out_len` must be NULL or valid for a write.
pub(crate) unsafe fn copy_out(
    data: &[u8],
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Outcome {
    // SAFETY: forwarded from the caller.
    unsafe { reserve(data.len(), buf, cap, out_len, "the output buffer") }?;
    // SAFETY: `buf` is non-NULL and valid for `cap >= data.len()` writes per
    // the caller, and does not overlap `data` (ours).
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    Ok(())
}

/// The allocation behind every handle: a tag identifying the kind first
/// (`repr(C)` fixes it at offset 0 for every `T`), then the value.
#[repr(C)]
struct Handle<T> {
    magic: u64,
    value: T,
}

/// A C-visible opaque handle type and what it stands for.
pub(crate) trait Opaque {
    /// The Rust value behind the handle.
    type Inner;
    /// The kind's tag.
    const MAGIC: u64;
    /// The kind's name in messages.
    const NAME: &'static str;
}

/// Tags are never zero: a freed handle's tag is zeroed.
const FREED: u64 = 0;

/// Gives `value` to C as a new handle.
pub(crate) fn into_handle<O: Opaque>(value: O::Inner) -> *mut O {
    Box::into_raw(Box::new(Handle {
        magic: O::MAGIC,
        value,
    }))
    .cast::<O>()
}

/// Checks a handle pointer: non-NULL, aligned, and tagged as an `O`.
///
/// # Safety
///
/// `ptr` must be NULL or a live handle made by this library (of any kind).
unsafe fn checked<O: Opaque>(ptr: *const O, what: &str) -> Result<*mut Handle<O::Inner>, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    let invalid = || {
        Failure::new(
            mtattest_result::MTATTEST_ERR_INVALID_HANDLE,
            format!("{what} is not a {}", O::NAME),
        )
    };
    if (ptr as usize) % std::mem::align_of::<u64>() != 0 {
        return Err(invalid());
    }
    // SAFETY: every handle this library makes is a `Handle<T>`, `repr(C)`,
    // so a u64 tag sits at offset 0 whatever its kind, and the caller
    // guarantees `ptr` is such a live handle; it is aligned (checked).
    let magic = unsafe { ptr.cast::<u64>().read() };
    if magic != O::MAGIC {
        return Err(invalid());
    }
    Ok(ptr.cast_mut().cast::<Handle<O::Inner>>())
}

/// Borrows the value behind a handle.
///
/// # Safety
///
/// `ptr` must be NULL or a live handle made by this library, not mutated
/// by another thread during `'a`.
pub(crate) unsafe fn borrow<'a, O: Opaque>(
    ptr: *const O,
    what: &str,
) -> Result<&'a O::Inner, Failure> {
    // SAFETY: forwarded from the caller.
    let handle = unsafe { checked(ptr, what) }?;
    // SAFETY: the tag says this allocation is a live Handle<O::Inner> made
    // by `into_handle`; the caller guarantees no concurrent mutation.
    Ok(unsafe { &(*handle).value })
}

/// Borrows the value behind a handle mutably.
///
/// # Safety
///
/// `ptr` must be NULL or a live handle made by this library, not used by
/// anyone else during `'a`.
pub(crate) unsafe fn borrow_mut<'a, O: Opaque>(
    ptr: *mut O,
    what: &str,
) -> Result<&'a mut O::Inner, Failure> {
    // SAFETY: forwarded from the caller.
    let handle = unsafe { checked(ptr, what) }?;
    // SAFETY: as in `borrow`, and the caller guarantees exclusive use.
    Ok(unsafe { &mut (*handle).value })
}

/// Frees a handle; NULL and handles of another kind are left alone.
///
/// # Safety
///
/// `ptr` must be NULL or a live handle made by this library that is not
/// used again.
pub(crate) unsafe fn free<O: Opaque>(ptr: *mut O) {
    // SAFETY: forwarded from the caller.
    let Ok(handle) = (unsafe { checked(ptr, O::NAME) }) else {
        return;
    };
    // SAFETY: `handle` is a live Handle<O::Inner> that `into_handle` made
    // with Box::into_raw, and the caller gives up every use of it, so it is
    // ours to reclaim. The tag is zeroed first so a stale copy of the
    // pointer is refused if the memory has not been reused yet.
    unsafe {
        (*handle).magic = FREED;
        drop(Box::from_raw(handle));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_and_reported() {
        let code = guard(|| panic!("boom"));
        assert_eq!(code, mtattest_result::MTATTEST_ERR_PANIC);
        let mut buf = [0 as c_char; 128];
        let mut len = 0;
        // SAFETY: buf and len are valid for writes.
        let rc = unsafe { crate::mtattest_last_error(buf.as_mut_ptr(), buf.len(), &mut len) };
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        // SAFETY: mtattest_last_error wrote a NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
            .to_str()
            .unwrap();
        assert_eq!(text, "internal error (panic): boom");
        assert_eq!(len, text.len() + 1);

        let string_payload = guard(|| std::panic::panic_any(String::from("owned")));
        assert_eq!(string_payload, mtattest_result::MTATTEST_ERR_PANIC);
        assert_eq!(guard_pure(7, || panic!("x")), 7);
        assert_eq!(
            guard_keep_last_error(|| panic!("y")),
            mtattest_result::MTATTEST_ERR_PANIC
        );
    }

    #[test]
    fn nul_inside_text_is_replaced() {
        assert_eq!(c_text("a\0b").to_str().unwrap(), "a\u{fffd}b");
    }
}
