//! The engine's error type: a stable [`ErrorKind`], a message, and where reading failed.

use std::fmt;

/// What went wrong, as a stable category. The addon maps each kind to an `ERR_HEAPWISE_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The path could not be opened or read (missing file, a directory, no permission, I/O error).
    Io,
    /// The file is empty (0 bytes, or only whitespace).
    Empty,
    /// The file ends before the snapshot does.
    Truncated,
    /// The bytes are not JSON where JSON was expected.
    NotJson,
    /// Valid JSON, but not a V8 heap snapshot (no `snapshot.meta`, no `nodes`, …).
    NotASnapshot,
    /// A heap snapshot whose layout this version cannot read (missing required meta fields).
    UnsupportedVersion,
    /// A heap snapshot whose data contradicts itself (edge target out of range, bad string index, …).
    InvalidData,
    /// The work was cancelled through its cancellation flag (an `AbortSignal` in JS).
    Cancelled,
    /// An option or argument is invalid (e.g. a bad `ignore` pattern).
    InvalidArgument,
    /// The work would need more memory than the configured limit allows.
    OutOfMemory,
    /// A bug: a panic inside the engine, caught and reported instead of crashing the host.
    Internal,
}

impl ErrorKind {
    /// The stable error code shown to JS users, e.g. `ERR_HEAPWISE_TRUNCATED`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "ERR_HEAPWISE_IO",
            ErrorKind::Empty => "ERR_HEAPWISE_EMPTY",
            ErrorKind::Truncated => "ERR_HEAPWISE_TRUNCATED",
            ErrorKind::NotJson => "ERR_HEAPWISE_NOT_JSON",
            ErrorKind::NotASnapshot => "ERR_HEAPWISE_NOT_A_SNAPSHOT",
            ErrorKind::UnsupportedVersion => "ERR_HEAPWISE_UNSUPPORTED_VERSION",
            ErrorKind::InvalidData => "ERR_HEAPWISE_INVALID_DATA",
            ErrorKind::Cancelled => "ERR_HEAPWISE_ABORTED",
            ErrorKind::InvalidArgument => "ERR_HEAPWISE_INVALID_ARGUMENT",
            ErrorKind::OutOfMemory => "ERR_HEAPWISE_OUT_OF_MEMORY",
            ErrorKind::Internal => "ERR_HEAPWISE_INTERNAL",
        }
    }
}

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
