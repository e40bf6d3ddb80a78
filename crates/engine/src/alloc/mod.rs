//! An allocator that hands large buffers (1 MiB and up) straight from `mmap` and gives them back
//! with `munmap` when freed, and everything else to the system allocator.
//!
//! Why: the engine allocates and frees many column buffers of 10–500 MB. glibc serves those with
//! `mmap` at first, but raises its mmap threshold (up to 32 MiB) after each such free, so later
//! buffers below that size come from the heap and stay resident after they are freed: on a
//! 187 MB snapshot that was 46 MB of the peak RSS and 80 MB of the final one. The addon installs
//! this as its global allocator (it affects only the addon's own Rust allocations, not the host's).
//! Linux only; elsewhere it is the system allocator.
//!
//! The large blocks of a value dropped by [`free_in_background`] or [`drop_for_reuse`] are kept
//! for the next large allocations for a moment instead of being unmapped (module `kept`): the
//! second snapshot of a diff reuses the first one's pages instead of faulting in new ones, and
//! the retained sizes those of the dominator tree's records.
#![allow(unsafe_code)]

mod kept;

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
/// for a 1.1 GB one. Its large blocks are kept for the next large allocations, and what none
/// takes is unmapped by that thread once none has been taken for a second (module `kept`).
/// When no thread can be started, `value` is dropped here. A memory limit waits for these
/// drops before it fails (see [`in_use_settled`]); the blocks kept are not in [`in_use`].
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
        .spawn(move || {
            let keeper = kept::Keeper::new();
            keeper.drop_value(freeing);
            keeper.release_when_idle();
        });
}

/// Drops `value` here, keeping its large blocks for the next large allocations (of any
/// thread) until the returned guard is dropped, which unmaps what none took (module `kept`):
/// for a temporary whose pages the allocations right after it can use.
pub fn drop_for_reuse<T>(value: T) -> Reuse {
    let keeper = kept::Keeper::new();
    keeper.drop_value(value);
    Reuse(keeper)
}

/// See [`drop_for_reuse`].
#[must_use = "dropping it unmaps the kept blocks at once"]
#[derive(Debug)]
pub struct Reuse(kept::Keeper);

impl Drop for Reuse {
    fn drop(&mut self) {
        self.0.release();
    }
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

/// `size` rounded up to whole pages: the length of the mapping that holds a large block.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn pages(size: usize) -> usize {
    size.div_ceil(PAGE) * PAGE
}

/// A large block of `size` bytes (zero-filled with `zeroed`): a kept one if there is one (see
/// [`kept`]), else a new mapping.
#[cfg(target_os = "linux")]
unsafe fn map_or_take(size: usize, zeroed: bool) -> *mut u8 {
    match kept::take(pages(size), zeroed, LARGE) {
        Some(p) => p,
        // SAFETY: see `map`.
        None => unsafe { map(size, zeroed) },
    }
}

#[cfg(not(target_os = "linux"))]
unsafe fn map_or_take(_size: usize, _zeroed: bool) -> *mut u8 {
    std::ptr::null_mut()
}

/// [`GlobalAlloc::alloc`], zero-filled with `zeroed`.
///
/// # Safety
/// As `GlobalAlloc::alloc`.
unsafe fn allocate(layout: Layout, zeroed: bool) -> *mut u8 {
    let p = if is_large(layout.size(), layout.align()) {
        // SAFETY: see the impl comment.
        unsafe { map_or_take(layout.size(), zeroed) }
    } else if zeroed {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    } else {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    };
    count(p, layout.size())
}

// SAFETY: every method returns memory valid for the requested layout or null; large blocks are
// page-aligned ranges of anonymous mappings, `layout.size()` bytes rounded up to pages (new, or
// kept and owned by no value; zero-filled when asked; the alignment is checked by `is_large`),
// unmapped or kept with that length when freed; all other blocks come from and return to
// `System` with the same layout.
unsafe impl GlobalAlloc for MmapLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { allocate(layout, false) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { allocate(layout, true) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        if is_large(layout.size(), layout.align()) {
            #[cfg(target_os = "linux")]
            if !kept::keep(ptr, pages(layout.size())) {
                // SAFETY: `ptr` came from `map_or_take(layout.size())` (the same predicate
                // chose it): a mapping of that many bytes, rounded up to pages.
                unsafe {
                    libc::munmap(ptr.cast(), layout.size());
                }
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
        let _one = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
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

    /// The tests that keep blocks or take them, one at a time (the list is the process's).
    static KEPT_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// A large block of `len` bytes from [`MmapLarge`], freed when dropped.
    struct Block(*mut u8, Layout);
    // SAFETY: the block is owned by this value alone.
    unsafe impl Send for Block {}
    impl Block {
        fn new(len: usize, fill: u8) -> Block {
            let layout = Layout::from_size_align(len, 8).unwrap();
            // SAFETY: non-zero size; written within bounds.
            let p = unsafe { MmapLarge.alloc(layout) };
            assert!(!p.is_null());
            // SAFETY: `p` holds `len` bytes.
            unsafe { std::ptr::write_bytes(p, fill, len) };
            Block(p, layout)
        }
        fn bytes(&self) -> &[u8] {
            // SAFETY: the block holds `layout.size()` initialized bytes.
            unsafe { std::slice::from_raw_parts(self.0, self.1.size()) }
        }
    }
    impl Drop for Block {
        fn drop(&mut self) {
            // SAFETY: allocated by `MmapLarge` with this layout, freed once.
            unsafe { MmapLarge.dealloc(self.0, self.1) }
        }
    }

    /// Whether the page at `p` is mapped.
    fn mapped(p: *mut u8) -> bool {
        let mut v = 0u8;
        // SAFETY: `mincore` only reads the page table; `v` holds one page's entry.
        unsafe { libc::mincore(p.cast(), PAGE, &mut v) == 0 }
    }

    #[test]
    fn the_next_large_allocations_take_the_kept_blocks() {
        let _one = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let mib = 1 << 20;
        let freed = Block::new(8 * mib, 7);
        let at = freed.0 as usize;
        let keeper = kept::Keeper::new();
        keeper.drop_value(freed);
        assert_eq!(keeper.kept_bytes(), 8 * mib);
        // A smaller block is the start of the kept one, its bytes as they were (new pages
        // would be zeros); the rest stays kept.
        let first = Block(
            // SAFETY: non-zero size.
            unsafe { MmapLarge.alloc(Layout::from_size_align(2 * mib, 8).unwrap()) },
            Layout::from_size_align(2 * mib, 8).unwrap(),
        );
        assert_eq!(first.0 as usize, at);
        assert!(first.bytes().iter().all(|&b| b == 7));
        assert_eq!(keeper.kept_bytes(), 6 * mib);
        // A zero-filled one is cleared; a larger one grows the kept block, its pages kept.
        let layout = Layout::from_size_align(3 * mib, 8).unwrap();
        // SAFETY: non-zero size.
        let zeroed = Block(unsafe { MmapLarge.alloc_zeroed(layout) }, layout);
        assert_eq!(zeroed.0 as usize, at + 2 * mib);
        assert!(zeroed.bytes().iter().all(|&b| b == 0));
        let layout = Layout::from_size_align(5 * mib, 8).unwrap();
        // SAFETY: non-zero size.
        let grown = Block(unsafe { MmapLarge.alloc(layout) }, layout);
        assert!(grown.bytes()[..3 * mib].iter().all(|&b| b == 7));
        assert_eq!(kept::kept_bytes(), 0);
        // Frees outside a keeper's drop unmap.
        let p = first.0;
        drop((first, zeroed, grown));
        assert_eq!(kept::kept_bytes(), 0);
        assert!(!mapped(p));
    }

    #[test]
    fn what_no_allocation_takes_is_unmapped_when_idle() {
        let _one = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let freed = Block::new(2 << 20, 1);
        let p = freed.0;
        let keeper = kept::Keeper::new();
        keeper.drop_value(freed);
        assert!(mapped(p));
        let start = std::time::Instant::now();
        keeper.release_when_idle();
        assert!(start.elapsed() >= kept::IDLE);
        assert_eq!(keeper.kept_bytes(), 0);
        assert!(!mapped(p));
    }

    #[test]
    fn a_value_dropped_for_reuse_leaves_its_pages_until_the_guard_goes() {
        let _one = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let mib = 1 << 20;
        let freed = Block::new(4 * mib, 5);
        let at = freed.0;
        let reuse = drop_for_reuse(freed);
        let layout = Layout::from_size_align(mib, 8).unwrap();
        // SAFETY: non-zero size.
        let next = Block(unsafe { MmapLarge.alloc(layout) }, layout);
        assert!(next.bytes().iter().all(|&b| b == 5));
        assert_eq!(reuse.0.kept_bytes(), 3 * mib);
        drop(reuse);
        assert_eq!(kept::kept_bytes(), 0);
        // SAFETY: still within the 4 MiB the freed block spanned.
        assert!(!mapped(unsafe { at.add(2 * mib) }));
    }

    #[test]
    fn a_value_freed_in_the_background_leaves_its_pages_to_the_next_allocation() {
        let _one = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let len = 4 << 20;
        free_in_background(Block::new(len, 9));
        let waited = std::time::Instant::now();
        while kept::kept_bytes() < len {
            assert!(waited.elapsed().as_secs() < 60, "the block is kept");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let layout = Layout::from_size_align(len, 8).unwrap();
        // SAFETY: non-zero size.
        let next = Block(unsafe { MmapLarge.alloc(layout) }, layout);
        assert!(next.bytes().iter().all(|&b| b == 9));
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
