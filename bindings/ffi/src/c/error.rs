//! Errors as the host receives them, and the core's tables of codes and families, which the Go
//! package's test compares with its generated ones.

use phasekit::{ErrorCode, ErrorFamily, Naming};

use super::memory::{
    PhasekitOwned, PhasekitStr, PhasekitStrList, PhasekitStrs, items, list_answer, own,
};
use crate::types::ErrorInfo;

/// An error: the stable `code` (e.g. `app_not_found`; see `phasekit_error_codes`), the message
/// (never a secret value; names as Go spells them), the HTTP status (0: none), the seconds the
/// server asked to wait (negative: it did not say) and whether trying again later may succeed.
/// Free it with `phasekit_owned_free(owner)`.
#[repr(C)]
pub struct PhasekitError {
    pub code: PhasekitStr,
    pub message: PhasekitStr,
    pub status: u16,
    pub retry_after: f64,
    pub retryable: bool,
    pub owner: *mut PhasekitOwned,
}

impl PhasekitError {
    fn of(err: &phasekit::Error) -> Self {
        let info = ErrorInfo::named(err, Naming::Pascal);
        let message = info.message;
        PhasekitError {
            code: PhasekitStr::of(info.code.as_str()),
            message: PhasekitStr::of(&message),
            status: info.status.unwrap_or(0),
            retry_after: info.retry_after.unwrap_or(-1.0),
            retryable: info.retryable,
            owner: own(message),
        }
    }

    /// Writes `err` to `error` when the caller gave a place for it.
    ///
    /// # Safety
    /// `error` is NULL or valid for a write.
    pub(crate) unsafe fn put(error: *mut PhasekitError, err: &phasekit::Error) {
        if !error.is_null() {
            // SAFETY: the caller's contract.
            unsafe { error.write(PhasekitError::of(err)) };
        }
    }
}

/// One family of error codes: its class name (e.g. `NotFoundError`), the family it belongs to
/// (absent for most) and its own codes.
#[repr(C)]
pub struct PhasekitErrorFamily {
    pub name: PhasekitStr,
    pub parent: PhasekitStr,
    pub codes: PhasekitStrs,
}

/// Every family, parents first.
#[repr(C)]
pub struct PhasekitErrorFamilies {
    pub items: *const PhasekitErrorFamily,
    pub len: usize,
    pub owner: *mut PhasekitOwned,
}

/// The stable error codes, in the core's order (free with `phasekit_owned_free(owner)`).
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_error_codes() -> PhasekitStrList {
    list_answer(
        ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
    )
}

/// The families of error codes, in the core's order (free with `phasekit_owned_free(owner)`).
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_error_families() -> PhasekitErrorFamilies {
    let codes: Vec<Vec<PhasekitStr>> = ErrorFamily::ALL
        .iter()
        .map(|family| {
            family
                .codes()
                .map(|c| PhasekitStr::of(c.as_str()))
                .collect()
        })
        .collect();
    let families: Vec<PhasekitErrorFamily> = ErrorFamily::ALL
        .iter()
        .zip(&codes)
        .map(|(family, codes)| PhasekitErrorFamily {
            name: PhasekitStr::of(family.class_name()),
            parent: PhasekitStr::of_optional(family.parent().map(ErrorFamily::class_name)),
            codes: PhasekitStrs::of(codes),
        })
        .collect();
    PhasekitErrorFamilies {
        items: items(&families),
        len: families.len(),
        owner: own((codes, families)),
    }
}
