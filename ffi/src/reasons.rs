//! The verdict of a verified token without the EAR JSON: the policy's
//! action and, per reason (spec §11.4), its fields, read from the core's
//! [`mtattest::appraisal::Reason`]s (the ones the EAR is made of).

use std::ffi::{c_char, CString};

use mtattest::appraisal::{Action, Reason};
use mtattest::claims::EvidenceSource;

use crate::boundary::{self, write_out, Failure, Outcome};
use crate::error::mtattest_result;
use crate::result::{lend_text, mtattest_verify_result, not_available, with_result, ResultState};
use crate::verify::mtattest_status;

/// What the policy tells the relying party to do (spec §11.3).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mtattest_action {
    /// Refuse. Zero, so a zeroed action never reads as acceptance. Also
    /// the action of a rejected token and of a verdict without status.
    MTATTEST_ACTION_DENY = 0,
    /// Ask for more (a second factor, a manual review).
    MTATTEST_ACTION_STEP_UP = 1,
    /// Let the request through.
    MTATTEST_ACTION_ALLOW = 2,
}

impl From<Action> for mtattest_action {
    fn from(action: Action) -> mtattest_action {
        match action {
            Action::Allow => mtattest_action::MTATTEST_ACTION_ALLOW,
            Action::StepUp => mtattest_action::MTATTEST_ACTION_STEP_UP,
            Action::Deny => mtattest_action::MTATTEST_ACTION_DENY,
        }
    }
}

/// A layer's evidence source (spec §14.1). These numbers are the C API's,
/// not the CBOR codes of `evidence-source`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mtattest_evidence_source {
    /// None: the reason is about a top-level claim, which belongs to no
    /// layer.
    MTATTEST_EVIDENCE_SOURCE_NONE = 0,
    /// Observed by the OS or an app.
    MTATTEST_EVIDENCE_SOURCE_SOFTWARE = 1,
    /// Measured or enforced by the kernel.
    MTATTEST_EVIDENCE_SOURCE_KERNEL = 2,
    /// Measured by ROM, bootloader or TEE.
    MTATTEST_EVIDENCE_SOURCE_HARDWARE = 3,
}

impl From<Option<EvidenceSource>> for mtattest_evidence_source {
    fn from(source: Option<EvidenceSource>) -> mtattest_evidence_source {
        use mtattest_evidence_source::*;
        match source {
            None => MTATTEST_EVIDENCE_SOURCE_NONE,
            Some(EvidenceSource::Software) => MTATTEST_EVIDENCE_SOURCE_SOFTWARE,
            Some(EvidenceSource::Kernel) => MTATTEST_EVIDENCE_SOURCE_KERNEL,
            Some(EvidenceSource::Hardware) => MTATTEST_EVIDENCE_SOURCE_HARDWARE,
        }
    }
}

/// A reason as the accessors lend it: its texts NUL-terminated, made once
/// per result and kept until the result is freed.
pub(crate) struct LentReason {
    rule: CString,
    claim: CString,
    failure: CString,
    seen: Option<CString>,
    required: CString,
    advisory: Option<CString>,
    status: mtattest_status,
    evidence_source: mtattest_evidence_source,
    effective_source: mtattest_evidence_source,
}

impl LentReason {
    pub(crate) fn new(reason: &Reason) -> LentReason {
        LentReason {
            rule: boundary::c_text(&reason.rule),
            claim: boundary::c_text(&reason.claim),
            failure: boundary::c_text(reason.failure.name()),
            seen: reason.seen.as_deref().map(boundary::c_text),
            required: boundary::c_text(&reason.required),
            advisory: reason.advisory.as_deref().map(boundary::c_text),
            status: reason.status.into(),
            evidence_source: reason.evidence_source.into(),
            effective_source: reason.effective_source.into(),
        }
    }
}

/// The reason at `index` of a verified token's result:
/// `MTATTEST_ERR_NOT_AVAILABLE` for a rejected token,
/// `MTATTEST_ERR_INDEX_OUT_OF_RANGE` past the last one.
fn reason_at(state: &ResultState, index: usize) -> Result<&LentReason, Failure> {
    let reasons = state
        .verified
        .as_ref()
        .ok_or_else(|| not_available("reasons"))?
        .reasons();
    reasons.get(index).ok_or_else(|| {
        Failure::new(
            mtattest_result::MTATTEST_ERR_INDEX_OUT_OF_RANGE,
            format!(
                "reason {index} does not exist: the result has {}",
                reasons.len()
            ),
        )
    })
}

/// Reads the reason at `index` of a result.
///
/// # Safety
///
/// `result` must be NULL or a live result.
unsafe fn with_reason(
    result: *const mtattest_verify_result,
    index: usize,
    read: impl FnOnce(&LentReason) -> Outcome,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe { with_result(result, |state| read(reason_at(state, index)?)) }
}

/// Writes what the policy tells the relying party to do to `*out_action`:
/// its action for the verdict's status (spec §11.3). A rejected token's
/// action is MTATTEST_ACTION_DENY (and MTATTEST_OK is returned), as is a
/// verdict without status (MTATTEST_STATUS_NONE): only
/// MTATTEST_ACTION_ALLOW lets a request through.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_action` NULL or valid for
/// writing an mtattest_action.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_action(
    result: *const mtattest_verify_result,
    out_action: *mut mtattest_action,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            let action = match &state.verified {
                Some(verified) => verified.ear().action.into(),
                None => Action::FOR_REJECTED_TOKEN.into(),
            };
            write_out(out_action, action, "out_action")
        })
    }
}

/// Writes the number of reasons of a verified token's result to
/// `*out_count`: one per rule or advisory that did not pass (spec §11.4),
/// top-level claims first, then by layer; 0 when every rule passed. A
/// rejected token has none (MTATTEST_ERR_NOT_AVAILABLE: its error code
/// says why).
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_count` NULL or valid for
/// writing a size_t.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_count(
    result: *const mtattest_verify_result,
    out_count: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| match &state.verified {
            Some(verified) => write_out(out_count, verified.reasons().len(), "out_count"),
            None => Err(not_available("reasons")),
        })
    }
}

/// Lends the id of the rule of reason `index` (`bulletin` for an
/// advisory): NUL-terminated, valid until the result is freed; `*out_len`
/// (if not NULL) receives its length without the NUL. Every
/// mtattest_verify_result_reason_* accessor fails with
/// MTATTEST_ERR_INDEX_OUT_OF_RANGE when `index` is not below
/// mtattest_verify_result_reason_count(), and with
/// MTATTEST_ERR_NOT_AVAILABLE for a rejected token; nothing is written
/// then.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_text` NULL or valid for
/// writing a pointer; `out_len` NULL or valid for writing a size_t.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_rule(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe { with_reason(result, index, |r| lend_text(&r.rule, out_text, out_len)) }
}

/// Lends the path of the claim reason `index` is about, e.g.
/// `submods.boot.bootloader-locked` (spec §11.4), as
/// mtattest_verify_result_reason_rule lends text.
///
/// # Safety
///
/// As for mtattest_verify_result_reason_rule.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_claim(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe { with_reason(result, index, |r| lend_text(&r.claim, out_text, out_len)) }
}

/// Lends how reason `index` failed: `mismatch`, `missing`, `weak-source`
/// or `vulnerable` (spec §11.4; later versions may add kinds), as
/// mtattest_verify_result_reason_rule lends text.
///
/// # Safety
///
/// As for mtattest_verify_result_reason_rule.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_failure(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe { with_reason(result, index, |r| lend_text(&r.failure, out_text, out_len)) }
}

/// Lends the value reason `index` saw, as text, as
/// mtattest_verify_result_reason_rule lends text. An absent claim has no
/// value: `*out_text` is then NULL (and `*out_len` 0) with MTATTEST_OK,
/// while a present value whose text is empty is "".
///
/// # Safety
///
/// As for mtattest_verify_result_reason_rule.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_seen(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_reason(result, index, |r| {
            lend_optional_text(r.seen.as_deref(), out_text, out_len)
        })
    }
}

/// Lends what the rule of reason `index` requires, as text (e.g.
/// `>= tee`), as mtattest_verify_result_reason_rule lends text.
///
/// # Safety
///
/// As for mtattest_verify_result_reason_rule.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_required(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe { with_reason(result, index, |r| lend_text(&r.required, out_text, out_len)) }
}

/// Lends the id of the advisory behind reason `index` (a `bulletin`
/// reason), as mtattest_verify_result_reason_rule lends text; a reason
/// from a policy rule has none: `*out_text` is then NULL (and `*out_len`
/// 0) with MTATTEST_OK.
///
/// # Safety
///
/// As for mtattest_verify_result_reason_rule.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_advisory(
    result: *const mtattest_verify_result,
    index: usize,
    out_text: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_reason(result, index, |r| {
            lend_optional_text(r.advisory.as_deref(), out_text, out_len)
        })
    }
}

/// Writes the status reason `index` gives to `*out_status`:
/// MTATTEST_STATUS_WARNING or MTATTEST_STATUS_CONTRAINDICATED.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_status` NULL or valid for
/// writing an mtattest_status.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_status(
    result: *const mtattest_verify_result,
    index: usize,
    out_status: *mut mtattest_status,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_reason(result, index, |r| {
            write_out(out_status, r.status, "out_status")
        })
    }
}

/// Writes the evidence source the layer of reason `index` declares to
/// `*out_source` (MTATTEST_EVIDENCE_SOURCE_NONE for a top-level claim).
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_source` NULL or valid for
/// writing an mtattest_evidence_source.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_evidence_source(
    result: *const mtattest_verify_result,
    index: usize,
    out_source: *mut mtattest_evidence_source,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_reason(result, index, |r| {
            write_out(out_source, r.evidence_source, "out_source")
        })
    }
}

/// Writes the evidence source appraisal credited the layer of reason
/// `index` with after weighing (spec §14.1) to `*out_source`: at most the
/// declared one, lower when the evidence behind the layer is weaker
/// (MTATTEST_EVIDENCE_SOURCE_NONE for a top-level claim).
///
/// # Safety
///
/// As for mtattest_verify_result_reason_evidence_source.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_reason_effective_source(
    result: *const mtattest_verify_result,
    index: usize,
    out_source: *mut mtattest_evidence_source,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_reason(result, index, |r| {
            write_out(out_source, r.effective_source, "out_source")
        })
    }
}

/// Lends optional text: NULL (length 0) when absent.
///
/// # Safety
///
/// As for [`lend_text`].
unsafe fn lend_optional_text(
    text: Option<&std::ffi::CStr>,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> Outcome {
    match text {
        // SAFETY: forwarded from the caller.
        Some(text) => unsafe { lend_text(text, out, out_len) },
        None => {
            if out.is_null() {
                return Err(Failure::null("the output pointer"));
            }
            if !out_len.is_null() {
                // SAFETY: non-NULL and valid for writes per the caller.
                unsafe { write_out(out_len, 0, "out_len") }?;
            }
            // SAFETY: non-NULL and valid for writes per the caller.
            unsafe { write_out(out, std::ptr::null(), "the output pointer") }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtattest::appraisal::{Failure as RuleFailure, Status};

    fn reason(seen: Option<&str>) -> Reason {
        Reason {
            rule: "model".into(),
            claim: "hwmodel".into(),
            failure: RuleFailure::Mismatch,
            seen: seen.map(str::to_string),
            required: "MT-Phone 7 Pro".into(),
            evidence_source: None,
            effective_source: None,
            min_source: None,
            status: Status::Warning,
            component: None,
            advisory: None,
        }
    }

    /// What mtattest_verify_result_reason_seen lends for `seen`.
    fn lent_seen(seen: Option<&str>) -> (*const c_char, usize) {
        let lent = LentReason::new(&reason(seen));
        let mut text: *const c_char = c"untouched".as_ptr();
        let mut len = 4242;
        // SAFETY: both out-pointers are valid for writes.
        unsafe { lend_optional_text(lent.seen.as_deref(), &mut text, &mut len) }.expect("lent");
        // The pointer outlives `lent` only to be compared with NULL.
        (text, len)
    }

    /// An empty value and an absent one stay apart: "" against NULL.
    #[test]
    fn empty_seen_is_not_absent() {
        let (text, len) = lent_seen(Some(""));
        assert!(!text.is_null());
        assert_eq!(len, 0);
        let (text, len) = lent_seen(None);
        assert!(text.is_null());
        assert_eq!(len, 0);
    }
}
