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

/// One error code and what it means.
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The code, e.g. `ERR_HEAPWISE_TRUNCATED`.
    #[napi(ts_type = "HeapwiseErrorCode")]
    pub code: String,
    /// What it means, in one line.
    pub meaning: String,
}

/// Every error code heapwise uses (the engine's and those only `watch` raises), with a one-line
/// meaning each, in a stable order.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    ErrorKind::ALL
        .iter()
        .map(|k| ErrorCodeInfo {
            code: k.code().into(),
            meaning: k.meaning().into(),
        })
        .collect()
}

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
pub fn panic_error(payload: Box<dyn std::any::Any + Send>) -> EngineError {
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

/// Runs the body of a `HeapAnalysis` method. A panic must not unwind into Node (that aborts the
/// process), so it becomes an `ERR_HEAPWISE_INTERNAL` error thrown to JS instead.
/// `HEAPWISE_PANIC_IN_QUERIES_FOR_TESTS` makes every query panic, for the test of this path.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let run = || {
        if std::env::var_os("HEAPWISE_PANIC_IN_QUERIES_FOR_TESTS").is_some() {
            panic!("panic requested by HEAPWISE_PANIC_IN_QUERIES_FOR_TESTS");
        }
        f()
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(r) => r,
        Err(payload) => Err(js_error(env, &panic_error(payload))),
    }
}
