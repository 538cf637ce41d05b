//! Text across the boundary, the memory behind answers, and the count of what is handed out.
//!
//! An answer's structs point into the Rust values they describe (the core's secrets, whose
//! values wipe themselves when dropped), kept alive by the answer's [`PhasekitOwned`] until the
//! host frees it: nothing is copied on the Rust side, and the host copies what it keeps.

use std::any::Any;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicI64, Ordering};

use phasekit::{Error, ErrorCode};
use zeroize::Zeroizing;

/// UTF-8 text, not NUL-terminated: `len` bytes at `ptr`. `ptr` NULL means absent (an empty
/// text that is present has a non-NULL `ptr`). In arguments the library reads it during the
/// call only; in answers it points into memory that the answer's `owner` keeps.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PhasekitStr {
    pub ptr: *const u8,
    pub len: usize,
}

/// A list of texts: `len` of them at `items` (NULL when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PhasekitStrs {
    pub items: *const PhasekitStr,
    pub len: usize,
}

/// The memory behind one answer (opaque); free it with `phasekit_owned_free`.
pub struct PhasekitOwned {
    _kept: Box<dyn Any>,
}

/// A text answer (`export`, a lease's message, the host).
#[repr(C)]
pub struct PhasekitText {
    pub text: PhasekitStr,
    pub owner: *mut PhasekitOwned,
}

/// A list of texts as an answer (the keys `delete` did not find).
#[repr(C)]
pub struct PhasekitStrList {
    pub items: PhasekitStrs,
    pub owner: *mut PhasekitOwned,
}

/// Handles and answers handed out and not yet freed.
static LIVE: AtomicI64 = AtomicI64::new(0);

pub(crate) fn handed_out<T>(pointer: *mut T) -> *mut T {
    LIVE.fetch_add(1, Ordering::Relaxed);
    pointer
}

pub(crate) fn taken_back() {
    LIVE.fetch_sub(1, Ordering::Relaxed);
}

/// Hands out the values an answer's structs point into.
pub(crate) fn own<T: 'static>(kept: T) -> *mut PhasekitOwned {
    handed_out(Box::into_raw(Box::new(PhasekitOwned {
        _kept: Box::new(kept),
    })))
}

impl PhasekitStr {
    pub const ABSENT: PhasekitStr = PhasekitStr {
        ptr: std::ptr::null(),
        len: 0,
    };

    /// A view of `text` (which must outlive every use of the view).
    pub(crate) fn of(text: &str) -> Self {
        // An empty `&str` points at a dangling address such as 0x1, which Go's runtime refuses
        // to find in a pointer variable; a present empty text points at a real byte instead.
        static EMPTY: u8 = 0;
        let ptr = if text.is_empty() {
            &EMPTY
        } else {
            text.as_ptr()
        };
        PhasekitStr {
            ptr,
            len: text.len(),
        }
    }

    pub(crate) fn of_optional(text: Option<&str>) -> Self {
        text.map_or(Self::ABSENT, Self::of)
    }

    /// The text of an argument, `None` when absent; `name` names it in the error when it is
    /// not UTF-8 (never its content).
    ///
    /// # Safety
    /// `ptr` is NULL or valid for `len` bytes during the call.
    pub(crate) unsafe fn read(&self, name: &str) -> Result<Option<String>, Error> {
        if self.ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: the caller's contract.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.len) };
        std::str::from_utf8(bytes)
            .map(|text| Some(text.to_owned()))
            .map_err(|_| invalid(format!("`{name}` is not UTF-8 text")))
    }

    /// [`PhasekitStr::read`] for an argument that must be present.
    ///
    /// # Safety
    /// As for [`PhasekitStr::read`].
    pub(crate) unsafe fn required(&self, name: &str) -> Result<String, Error> {
        // SAFETY: the caller's contract.
        unsafe { self.read(name) }?.ok_or_else(|| invalid(format!("`{name}` is required")))
    }
}

impl PhasekitStrs {
    pub const EMPTY: PhasekitStrs = PhasekitStrs {
        items: std::ptr::null(),
        len: 0,
    };

    /// A view of `views` (which must outlive every use of it).
    pub(crate) fn of(views: &[PhasekitStr]) -> Self {
        PhasekitStrs {
            items: items(views),
            len: views.len(),
        }
    }

    /// The texts of an argument.
    ///
    /// # Safety
    /// `items` is NULL or valid for `len` texts, each valid, during the call.
    pub(crate) unsafe fn read(&self, name: &str) -> Result<Vec<String>, Error> {
        // SAFETY: the caller's contract.
        let items = unsafe { slice(self.items, self.len) };
        items
            .iter()
            // SAFETY: the caller's contract.
            .map(|item| {
                unsafe { item.read(name) }?
                    .ok_or_else(|| invalid(format!("an item of `{name}` is absent")))
            })
            .collect()
    }
}

/// Where an answer's list starts: NULL when it is empty (an empty `Vec` points at a dangling
/// address, which Go's runtime refuses to find in a pointer variable).
pub(crate) fn items<T>(list: &[T]) -> *const T {
    if list.is_empty() {
        std::ptr::null()
    } else {
        list.as_ptr()
    }
}

/// `len` items at `items`; NULL reads as none.
///
/// # Safety
/// `items` is NULL or valid for `len` items during the call.
pub(crate) unsafe fn slice<'a, T>(items: *const T, len: usize) -> &'a [T] {
    if items.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts(items, len) }
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

/// A text answer (wiped when freed: an export holds secret values).
pub(crate) fn text_answer(kept: Zeroizing<String>) -> PhasekitText {
    PhasekitText {
        text: PhasekitStr::of(&kept),
        owner: own(kept),
    }
}

/// A list of texts as an answer.
pub(crate) fn list_answer(texts: Vec<String>) -> PhasekitStrList {
    let views: Vec<PhasekitStr> = texts.iter().map(|t| PhasekitStr::of(t)).collect();
    PhasekitStrList {
        items: PhasekitStrs::of(&views),
        owner: own((texts, views)),
    }
}

/// Drops what `pointer` (NULL or from `handed_out`) owns and counts it back; a panic while
/// dropping stops there instead of unwinding into the caller.
///
/// # Safety
/// `pointer` is NULL or came from `Box::into_raw` through `handed_out`, and is given back once.
pub(crate) unsafe fn given_back<T>(pointer: *mut T) {
    if pointer.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller's contract.
        drop(unsafe { Box::from_raw(pointer) });
    }));
    taken_back();
}

/// Frees an answer's memory, wiping the secret values in it. NULL is ignored.
///
/// # Safety
/// `owned` is NULL or the `owner` of an answer of this library, freed once; nothing points
/// into that answer afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_owned_free(owned: *mut PhasekitOwned) {
    // SAFETY: the caller's contract.
    unsafe { given_back(owned) };
}

/// How many clients, watches, call handles and answers this library handed out that were not
/// freed yet.
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_live_objects() -> i64 {
    LIVE.load(Ordering::Relaxed)
}

/// The library's version, e.g. `0.1.0` (static, NUL-terminated; do not free).
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
