//! `PhaseError`: one case per family of the core's `ErrorFamily` (as Python's and Node's
//! classes and Go's sentinels), each carrying the stable code and the fields every error has.

use phasekit::{ErrorCode, ErrorFamily};

use crate::types::ErrorInfo;

macro_rules! phase_error {
    ($($variant:ident => $family:ident,)*) => {
        /// Every failure of a phasekit call: one case per family of codes (`notFound` holds
        /// `app_not_found`, `env_not_found` and `secret_not_found`), each with the stable
        /// `code`, the message (never a secret value), the HTTP status if any, how many seconds
        /// the server asked to wait (`retry_after`), and whether trying again later may succeed.
        #[derive(Debug, Clone, PartialEq, uniffi::Error)]
        pub enum PhaseError {
            $(
                $variant {
                    code: String,
                    message: String,
                    status: Option<u16>,
                    retry_after: Option<f64>,
                    retryable: bool,
                },
            )*
        }

        impl PhaseError {
            fn of(info: ErrorInfo) -> Self {
                let ErrorInfo { code, message, status, retry_after, retryable } = info;
                let code = code.as_str().to_owned();
                match code_family(&code) {
                    $(ErrorFamily::$family => PhaseError::$variant { code, message, status, retry_after, retryable },)*
                    // A family newer than this binding: a protocol error that keeps its code.
                    _ => PhaseError::Protocol { code, message, status, retry_after, retryable },
                }
            }

            fn parts(&self) -> (&str, &str, Option<u16>, Option<f64>, bool) {
                match self {
                    $(PhaseError::$variant { code, message, status, retry_after, retryable } => {
                        (code, message, *status, *retry_after, *retryable)
                    })*
                }
            }

            /// The core's family of each case, for the test that they are the same set.
            #[cfg(test)]
            const FAMILIES: &[ErrorFamily] = &[$(ErrorFamily::$family,)*];
        }
    };
}

phase_error! {
    Authentication => Authentication,
    PermissionDenied => PermissionDenied,
    NotFound => NotFound,
    Ambiguous => Ambiguous,
    Conflict => Conflict,
    InvalidInput => InvalidInput,
    RateLimit => RateLimit,
    Network => Network,
    RequestTimeout => RequestTimeout,
    Tls => Tls,
    Server => Server,
    Protocol => Protocol,
    Decryption => Decryption,
    Reference => Reference,
    Offline => Offline,
}

fn code_family(code: &str) -> ErrorFamily {
    ErrorCode::ALL
        .iter()
        .find(|c| c.as_str() == code)
        .map_or(ErrorFamily::Protocol, |c| c.family())
}

impl From<phasekit::Error> for PhaseError {
    fn from(err: phasekit::Error) -> Self {
        PhaseError::of(ErrorInfo::named(&err, phasekit::Naming::Camel))
    }
}

impl std::fmt::Display for PhaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (code, message, status, _, _) = self.parts();
        write!(f, "{code}: {message}")?;
        if let Some(status) = status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PhaseError {}

#[uniffi::export]
impl PhaseError {
    /// The stable code, e.g. `rate_limited`.
    pub fn code(&self) -> String {
        self.parts().0.to_owned()
    }

    pub fn message(&self) -> String {
        self.parts().1.to_owned()
    }

    /// The HTTP status of the response that caused the error, if any.
    pub fn status(&self) -> Option<u16> {
        self.parts().2
    }

    /// Seconds the server asked to wait before retrying.
    pub fn retry_after(&self) -> Option<f64> {
        self.parts().3
    }

    /// Whether the same call may succeed later.
    pub fn retryable(&self) -> bool {
        self.parts().4
    }

    /// The core's name of this case's family, e.g. `NotFoundError`.
    pub fn family(&self) -> String {
        code_family(self.parts().0).class_name().to_owned()
    }
}

/// Every stable error code, in the core's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// A family of error codes as the core declares it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorFamilyInfo {
    /// E.g. `NotFoundError`.
    pub name: String,
    /// The family it belongs to (`NetworkError` for timeouts and TLS failures).
    pub parent: Option<String>,
    /// Its own codes.
    pub codes: Vec<String>,
}

/// The core's families of error codes, parents first; `PhaseError` has a case for each.
#[uniffi::export]
pub fn error_families() -> Vec<ErrorFamilyInfo> {
    ErrorFamily::ALL
        .iter()
        .map(|family| ErrorFamilyInfo {
            name: family.class_name().to_owned(),
            parent: family.parent().map(|p| p.class_name().to_owned()),
            codes: family.codes().map(|c| c.as_str().to_owned()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_per_family_of_the_core() {
        assert_eq!(PhaseError::FAMILIES, ErrorFamily::ALL.as_slice());
        for code in ErrorCode::ALL {
            let err = PhaseError::from(phasekit::Error::new(code, "m"));
            assert_eq!(err.code(), code.as_str());
            assert_eq!(err.family(), code.family().class_name());
        }
    }
}
