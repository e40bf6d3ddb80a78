//! `Owned<T>`: native memory that a JS object owns and shares with the threads working on it,
//! freed off the JS thread.
//!
//! Freeing an analysis gives its pages back to the OS one mapping at a time: about 0.2 s for a
//! 1.1 GB snapshot, during which the event loop would wait if it happened in `close()` or in the
//! garbage collector's finalizer. So the last reference is dropped on a thread of its own
//! (`heapwise_engine::alloc::free_in_background`); a reference still held by a running query is
//! dropped by that query's thread when it ends, which is not the JS thread either.

use std::sync::Arc;

/// A value a JS object owns until it is closed (or collected).
pub(crate) struct Owned<T: Send + Sync + 'static>(Option<Arc<T>>);

impl<T: Send + Sync + 'static> Owned<T> {
    /// Owns `value`.
    pub(crate) fn new(value: T) -> Self {
        Owned(Some(Arc::new(value)))
    }

    /// The value, unless closed.
    pub(crate) fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    /// The value for another thread, unless closed.
    pub(crate) fn shared(&self) -> Option<Arc<T>> {
        self.0.clone()
    }

    /// Lets go of the value; it is freed on a thread of its own once no thread uses it.
    pub(crate) fn close(&mut self) {
        if let Some(value) = self.0.take().and_then(Arc::into_inner) {
            // The report is dropped after the value, on the same thread.
            heapwise_engine::alloc::free_in_background((value, ReportForTests));
        }
    }

    /// Whether [`Owned::close`] was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: Send + Sync + 'static> Drop for Owned<T> {
    fn drop(&mut self) {
        self.close();
    }
}

/// With the `test-hooks` feature and `HEAPWISE_REPORT_FREE_FOR_TESTS` set, says on stderr which
/// thread dropped it, so that a JS test can check that an analysis is not freed on the JS thread.
struct ReportForTests;

impl Drop for ReportForTests {
    #[cfg(feature = "test-hooks")]
    fn drop(&mut self) {
        if std::env::var_os("HEAPWISE_REPORT_FREE_FOR_TESTS").is_some() {
            let thread = std::thread::current();
            eprintln!(
                "heapwise: freed on thread {}",
                thread.name().unwrap_or("(unnamed)")
            );
        }
    }

    #[cfg(not(feature = "test-hooks"))]
    #[inline(always)]
    fn drop(&mut self) {}
}
