//! The engine's error type: a stable [`ErrorKind`], a message, and where reading failed.

use std::fmt;

/// Calls the macro `$m` with every error code of heapwise, one entry each:
/// `Kind "ERR_HEAPWISE_…" "one-line meaning";`.
///
/// This list is the single definition of the codes, including the four that only the JS layer
/// raises (`watch`, loading the addon, and the query layer). [`ErrorKind`] (with [`ErrorKind::code`] and
/// [`ErrorKind::meaning`]) is generated from it here; the addon generates its `HeapwiseErrorCode`
/// TypeScript union from it.
#[macro_export]
macro_rules! with_error_codes {
    ($m:ident) => {
        $m! {
            Io "ERR_HEAPWISE_IO"
                "The path could not be opened or read (missing file, a directory, no permission, I/O error).";
            Empty "ERR_HEAPWISE_EMPTY"
                "The file is empty (0 bytes, or only whitespace).";
            Truncated "ERR_HEAPWISE_TRUNCATED"
                "The file ends before the snapshot does (incomplete, or still being written).";
            NotJson "ERR_HEAPWISE_NOT_JSON"
                "The bytes are not JSON where JSON was expected.";
            NotASnapshot "ERR_HEAPWISE_NOT_A_SNAPSHOT"
                "Valid JSON, but not a V8 heap snapshot (no `snapshot.meta`, no `nodes`, …).";
            UnsupportedVersion "ERR_HEAPWISE_UNSUPPORTED_VERSION"
                "A heap snapshot whose layout this version cannot read (missing required meta fields).";
            InvalidData "ERR_HEAPWISE_INVALID_DATA"
                "A heap snapshot whose data contradicts itself (edge target out of range, bad string index, …).";
            Cancelled "ERR_HEAPWISE_ABORTED"
                "The work was cancelled through its cancellation flag (an `AbortSignal` in JS).";
            InvalidArgument "ERR_HEAPWISE_INVALID_ARGUMENT"
                "An option or argument is invalid (e.g. a bad `ignore` pattern).";
            OutOfMemory "ERR_HEAPWISE_OUT_OF_MEMORY"
                "The work would need more memory than the configured limit (`maxMemory`) allows.";
            Internal "ERR_HEAPWISE_INTERNAL"
                "A bug: a panic inside heapwise, caught and reported instead of crashing the host.";
            OutsideFolder "ERR_HEAPWISE_OUTSIDE_FOLDER"
                "`watch` only: a symbolic link in the watched folder leads out of it; it is not followed.";
            ProcessExited "ERR_HEAPWISE_PROCESS_EXITED"
                "`watch` only: the watched process, or the worker being captured, exited.";
            NoBinary "ERR_HEAPWISE_NO_BINARY"
                "Loading only: no native binary fits this platform (its optional package is missing); the message names it.";
            NotFound "ERR_HEAPWISE_NOT_FOUND"
                "Query layer only (`heapwise mcp`): no loaded snapshot has this handle, or the snapshot has no object with this id or no class with this name or key.";
        }
    };
}

/// Defines [`ErrorKind`] from the list of [`with_error_codes!`].
macro_rules! define_error_kind {
    ($($kind:ident $code:tt $meaning:tt;)*) => {
        /// What went wrong, as a stable category with a stable `ERR_HEAPWISE_*` code. The engine
        /// raises all but `OutsideFolder` and `ProcessExited`, which only `watch` (JS) reports, and
        /// `NoBinary`, which the JS loader reports when the addon itself cannot be loaded, and
        /// `NotFound`, which the query layer (JS) reports for an unknown handle, id or class.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(#[doc = $meaning] $kind,)*
        }

        impl ErrorKind {
            /// Every kind, in the order of the list: the error codes of the whole product.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),*];

            /// The stable error code shown to JS users, e.g. `ERR_HEAPWISE_TRUNCATED`.
            pub fn code(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $code,)*
                }
            }

            /// What the code means, in one line.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $meaning,)*
                }
            }
        }
    };
}

with_error_codes!(define_error_kind);

/// An engine error. Boxed so that `Result<T, Error>` stays one pointer wide on the hot paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorImpl>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct ErrorImpl {
    kind: ErrorKind,
    message: String,
    offset: Option<u64>,
}

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorImpl {
            kind,
            message: message.into(),
            offset: None,
        }))
    }

    /// A new error of `kind` that happened at byte `offset` of the input.
    pub fn at(kind: ErrorKind, offset: u64, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorImpl {
            kind,
            message: message.into(),
            offset: Some(offset),
        }))
    }

    /// The error's category.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The human-readable message, without the offset.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte offset in the input where reading failed, when the error came from reading.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }

    /// The stable code of this error's kind, e.g. `ERR_HEAPWISE_TRUNCATED`.
    pub fn code(&self) -> &'static str {
        self.0.kind.code()
    }

    pub(crate) fn cancelled() -> Self {
        Error::new(ErrorKind::Cancelled, "the analysis was aborted")
    }

    /// The engine holds (or would need) `used` bytes, more than the `limit` set with
    /// `maxMemory`.
    pub(crate) fn memory_limit(used: u64, limit: u64) -> Self {
        Error::new(
            ErrorKind::OutOfMemory,
            format!(
                "the analysis needs more memory than maxMemory allows: {} needed, limit {} \
                 (raise maxMemory, or analyse on a machine with more memory)",
                mb(used),
                mb(limit)
            ),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.offset {
            Some(off) => write!(f, "{} (at byte {})", self.0.message, off),
            None => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Bytes as megabytes for messages (`1234.5 MB`).
fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn every_code_is_unique_prefixed_and_explained() {
        let mut codes: Vec<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert!(codes.iter().all(|c| c.starts_with("ERR_HEAPWISE_")));
        assert!(ErrorKind::ALL.iter().all(|k| !k.meaning().is_empty()));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }
}
