//! An allocator that hands large buffers (1 MiB and up) straight from `mmap` and gives them back
//! with `munmap` when freed, and everything else to the system allocator.
//!
//! Why: the engine allocates and frees many column buffers of 10–500 MB. glibc serves those with
//! `mmap` at first, but raises its mmap threshold (up to 32 MiB) after each such free, so later
//! buffers below that size come from the heap and stay resident after they are freed: on a
//! 187 MB snapshot that was 46 MB of the peak RSS and 80 MB of the final one. The addon installs
//! this as its global allocator (it affects only the addon's own Rust allocations, not the host's).
//! Linux only; elsewhere it is the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes currently allocated through [`MmapLarge`] (what a memory limit is checked against).
static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Bytes the engine currently holds, when [`MmapLarge`] is the global allocator (the addon and
/// the examples install it); 0 otherwise.
pub fn in_use() -> usize {
    IN_USE.load(Ordering::Relaxed)
}

#[inline]
fn count(p: *mut u8, size: usize) -> *mut u8 {
    if !p.is_null() {
        IN_USE.fetch_add(size, Ordering::Relaxed);
    }
    p
}

/// How many values [`free_in_background`] is still dropping.
static FREEING: AtomicUsize = AtomicUsize::new(0);

/// Drops `value` on a thread of its own (`heapwise-free`), so that the caller does not wait
/// while its pages go back to the OS: about 40 ms for the analysis of a 187 MB snapshot, 0.2 s
/// for a 1.1 GB one. When no thread can be started, `value` is dropped here. A memory limit
/// waits for these drops before it fails (see [`in_use_settled`]).
pub fn free_in_background<T: Send + 'static>(value: T) {
    /// Counts one drop under way until it is dropped itself, after the value.
    struct Freeing;
    impl Drop for Freeing {
        fn drop(&mut self) {
            FREEING.fetch_sub(1, Ordering::AcqRel);
        }
    }
    FREEING.fetch_add(1, Ordering::AcqRel);
    let freeing = (value, Freeing);
    // On failure the closure, with the value and the count, is dropped here.
    let _ = std::thread::Builder::new()
        .name("heapwise-free".to_owned())
        .spawn(move || drop(freeing));
}

/// [`in_use`] once the values [`free_in_background`] is dropping are gone: what a memory limit
/// that [`in_use`] exceeds is checked against again, so that memory on its way back to the OS
/// does not fail it. Waits at most a few seconds.
pub fn in_use_settled() -> usize {
    for _ in 0..5000 {
        if FREEING.load(Ordering::Acquire) == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    in_use()
}

/// Allocations at least this big go to `mmap` (on Linux; elsewhere nothing does).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const LARGE: usize = 1 << 20;
/// `mmap` returns page-aligned memory; larger alignments go to the system allocator.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const PAGE: usize = 4096;

/// The allocator (a unit struct: `#[global_allocator] static A: MmapLarge = MmapLarge;`).
#[derive(Debug, Default, Clone, Copy)]
pub struct MmapLarge;

#[cfg(target_os = "linux")]
#[inline]
fn is_large(size: usize, align: usize) -> bool {
    size >= LARGE && align <= PAGE
}

#[cfg(not(target_os = "linux"))]
#[inline]
fn is_large(_size: usize, _align: usize) -> bool {
    false
}

/// Maps `size` bytes; with `populate`, all of them at once (`MAP_POPULATE`): one call instead of
/// a page fault per 4 KiB, for a zeroed array (`vec![0; n]`) that is about to be used whole. On
/// the 187 MB snapshot that took a third off the system time; buffers whose capacity may stay
/// unused (`Vec::with_capacity`) are still mapped page by page as they are touched.
#[cfg(target_os = "linux")]
unsafe fn map(size: usize, populate: bool) -> *mut u8 {
    let populate = if populate { libc::MAP_POPULATE } else { 0 };
    // SAFETY: an anonymous private mapping has no preconditions; failure is reported as
    // MAP_FAILED and turned into a null pointer, which `GlobalAlloc` callers handle.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | populate,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        p.cast()
    }
}

#[cfg(not(target_os = "linux"))]
unsafe fn map(_size: usize, _populate: bool) -> *mut u8 {
    std::ptr::null_mut()
}

// SAFETY: every method returns memory valid for the requested layout or null; large blocks are
// anonymous mappings of exactly `layout.size()` bytes (zero-filled, page-aligned, and the
// alignment is checked by `is_large`), freed with `munmap` of the same size; all other blocks
// come from and return to `System` with the same layout.
unsafe impl GlobalAlloc for MmapLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = if is_large(layout.size(), layout.align()) {
            // SAFETY: see the impl comment.
            unsafe { map(layout.size(), false) }
        } else {
            // SAFETY: forwarded unchanged.
            unsafe { System.alloc(layout) }
        };
        count(p, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = if is_large(layout.size(), layout.align()) {
            // SAFETY: anonymous mappings are zero-filled.
            unsafe { map(layout.size(), true) }
        } else {
            // SAFETY: forwarded unchanged.
            unsafe { System.alloc_zeroed(layout) }
        };
        count(p, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        if is_large(layout.size(), layout.align()) {
            #[cfg(target_os = "linux")]
            // SAFETY: `ptr` came from `map(layout.size())` (the same predicate chose it).
            unsafe {
                libc::munmap(ptr.cast(), layout.size());
            }
        } else {
            // SAFETY: forwarded unchanged.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (was, will) = (
            is_large(layout.size(), layout.align()),
            is_large(new_size, layout.align()),
        );
        let q = match (was, will) {
            // SAFETY: forwarded unchanged.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            #[cfg(target_os = "linux")]
            (true, true) => {
                // SAFETY: `ptr` is a mapping of `layout.size()` bytes; MREMAP_MAYMOVE may move it.
                let p = unsafe {
                    libc::mremap(ptr.cast(), layout.size(), new_size, libc::MREMAP_MAYMOVE)
                };
                if p == libc::MAP_FAILED {
                    std::ptr::null_mut()
                } else {
                    p.cast()
                }
            }
            _ => {
                // SAFETY: `new_size` is non-zero (GlobalAlloc contract) and the alignment is the
                // old, valid one.
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                // SAFETY: see the impl comment.
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    // SAFETY: both blocks are valid for the smaller of the two sizes and distinct.
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                // `alloc` and `dealloc` did the counting.
                return q;
            }
        };
        if !q.is_null() {
            IN_USE.fetch_add(new_size, Ordering::Relaxed);
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_blocks_round_trip() {
        let a = MmapLarge;
        for &size in &[16usize, 4096, LARGE - 1, LARGE, 3 * LARGE + 7] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero size; the block is written within bounds and freed once.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert_eq!(*p.add(size - 1), 0);
                *p.add(size - 1) = 7;
                let q = a.realloc(p, layout, size * 2 + LARGE);
                assert_eq!(*q.add(size - 1), 7);
                let bigger = Layout::from_size_align(size * 2 + LARGE, 8).unwrap();
                let r = a.realloc(q, bigger, 32);
                assert!(!r.is_null());
                a.dealloc(r, Layout::from_size_align(32, 8).unwrap());
            }
        }
    }

    #[test]
    fn a_value_freed_in_the_background_is_dropped_on_another_thread() {
        struct Tell(std::sync::mpsc::Sender<Option<String>>);
        impl Drop for Tell {
            fn drop(&mut self) {
                let name = std::thread::current().name().map(str::to_owned);
                self.0.send(name).unwrap();
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        free_in_background(Tell(tx));
        let name = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        assert_eq!(name.as_deref(), Some("heapwise-free"));
    }

    #[test]
    fn a_memory_limit_waits_for_the_values_being_freed() {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        // A value that takes 50 ms to drop: the settled figure is read only once it is gone.
        struct Slow(Arc<AtomicBool>);
        impl Drop for Slow {
            fn drop(&mut self) {
                std::thread::sleep(std::time::Duration::from_millis(50));
                self.0.store(true, Ordering::Release);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        free_in_background(Slow(dropped.clone()));
        in_use_settled();
        assert!(dropped.load(Ordering::Acquire));
    }
}
