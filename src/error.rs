//! Engine errors to JS errors with a stable `code` and the `byteOffset` where reading failed.

use heapwise_engine::{Error as EngineError, ErrorKind};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Defines the `HeapwiseErrorCode` string enum from the engine's list of codes.
macro_rules! define_error_code_enum {
    ($($kind:ident $code:tt $meaning:tt;)*) => {
        /// The `code` of a `HeapwiseError`: every code heapwise uses (`errorCodes()` lists them
        /// with their meanings). In TypeScript, a union of string literals.
        #[napi(string_enum)]
        pub enum HeapwiseErrorCode {
            $(#[doc = $meaning] #[napi(value = $code)] $kind,)*
        }
    };
}
heapwise_engine::with_error_codes!(define_error_code_enum);

/// Builds the JS error for `e` on the JS thread and wraps it so that napi throws or rejects with
/// that exact object. The JS entry point (`heapwise.js`) gives it the `HeapwiseError` prototype.
pub fn js_error(env: &Env, e: &EngineError) -> Error {
    let build = || -> Result<Error> {
        let mut obj = env.create_error(Error::new(Status::GenericFailure, e.to_string()))?;
        obj.set_named_property("code", e.code())?;
        match e.offset() {
            Some(off) => obj.set_named_property("byteOffset", off as f64)?,
            None => obj.set_named_property("byteOffset", Null)?,
        }
        Ok(Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|err| err)
}

/// The error for a panic caught inside the engine.
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> EngineError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    EngineError::new(
        ErrorKind::Internal,
        format!("internal error (a bug in heapwise, please report it): {what}"),
    )
}

/// Runs `f` with panics caught: a panic must not unwind into Node (that aborts the process), so
/// it becomes an `ERR_HEAPWISE_INTERNAL` error, turned into `f`'s error type by `to_error`. Every
/// entry point and every `HeapAnalysis` method goes through here; `hook` names the test hook
/// that forces a panic there (see [`test_hook`]).
pub fn catch_panic<T, E>(
    hook: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
    to_error: impl FnOnce(EngineError) -> E,
) -> std::result::Result<T, E> {
    let run = || {
        test_hook(hook);
        f()
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|payload| Err(to_error(panic_error(payload))))
}

/// Runs the body of a `HeapAnalysis` method with panics caught, thrown to JS as
/// `ERR_HEAPWISE_INTERNAL`.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_panic(QUERY_PANIC_HOOK, f, |e| js_error(env, &e))
}

/// The test hook that makes `analyze`, `analyzeSync`, `diff` and `diffSync` panic.
pub const ENTRY_PANIC_HOOK: &str = "HEAPWISE_PANIC_FOR_TESTS";
/// The test hook that makes every `HeapAnalysis` query panic.
const QUERY_PANIC_HOOK: &str = "HEAPWISE_PANIC_IN_QUERIES_FOR_TESTS";

/// Panics if the environment variable `name` is set, so that the JS tests can check that a panic
/// becomes an error and not a crash. Only in builds with the `test-hooks` feature (what
/// `npm test` builds); otherwise it does nothing and reads no environment.
#[cfg(feature = "test-hooks")]
fn test_hook(name: &str) {
    if std::env::var_os(name).is_some() {
        panic!("panic requested by {name}");
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
fn test_hook(_name: &str) {}
