//! Engine errors to JS errors with a stable `code` and the `byteOffset` where reading failed.

use heapwise_engine::Error as EngineError;
use napi::bindgen_prelude::*;

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
        heapwise_engine::ErrorKind::Internal,
        format!("internal error (a bug in heapwise, please report it): {what}"),
    )
}
