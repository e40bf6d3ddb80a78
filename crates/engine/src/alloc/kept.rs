//! Pages kept for the next allocations: the large blocks of a value that
//! [`super::free_in_background`] or [`super::drop_for_reuse`] drops are not unmapped at once but
//! kept here, resident, and the next large allocations take them instead of mapping new pages.
//!
//! Why: a diff drops its first snapshot's analysis just before it reads the second, which then
//! maps about as much memory again, and every new page costs the kernel a page fault and a
//! cleared page. On a 187 + 174 MB pair the second snapshot now takes about 200 MB of kept
//! pages, and the diff's system time fell from 0.87 s to 0.67 s, its wall time from 2.06 s to
//! 1.93 s (medians of 5 alternating runs of `examples/diffdump`).
//!
//! The same holds inside one analysis: the dominator tree's 16-byte records per node are
//! dropped just before the retained sizes and the children lists are allocated, which take
//! their pages (on the 1.14 GB snapshot that step went from 0.20 s to 0.12 s).
//!
//! Terms: a *kept block* is a page-aligned address range of an anonymous mapping, resident and
//! owned by no value. A [`Keeper`] keeps the blocks freed by the drops it runs (and only those:
//! every other free unmaps at once, as before), and later unmaps those of them, or of their
//! remainders, that no allocation took.
//!
//! Memory: an allocation takes the largest kept block, split when it is larger than needed and
//! grown in place or moved (`mremap`, which keeps its pages) when smaller. So no new page is
//! mapped while a kept one waits, and the process never holds more than the dropped value did,
//! plus what is allocated past that. What no allocation takes is unmapped by the freeing
//! thread once none has been taken for [`IDLE`], or when the guard of `drop_for_reuse` goes.

#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long kept blocks wait for an allocation before they are unmapped: long enough for the
/// gaps between the large allocations of a parse of several GB, short enough that memory
/// freed with nothing to follow goes back to the OS soon.
pub(super) const IDLE: Duration = Duration::from_secs(1);

/// At most this many blocks are kept (the list stays far below the size of a large block, so
/// growing it never takes the lock again).
const MAX_BLOCKS: usize = 4096;

/// A kept block: address, length, and the [`Keeper`] that kept it.
#[derive(Clone, Copy)]
struct Block {
    at: usize,
    len: usize,
    keeper: u64,
}

/// The kept blocks, and when one was last taken.
struct Kept {
    blocks: Vec<Block>,
    taken_at: Option<Instant>,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    blocks: Vec::new(),
    taken_at: None,
});

/// The next [`Keeper`]'s number (0 is "none").
static NEXT_KEEPER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The [`Keeper`] whose drop this thread is running (0: none): its frees keep their blocks.
    static KEEPING: Cell<u64> = const { Cell::new(0) };
}

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    // Nothing panics while the lock is held; a poisoned list is still a valid one.
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps the large blocks freed by the drops it runs, and unmaps what is left of them.
#[derive(Debug)]
pub(super) struct Keeper(u64);

impl Keeper {
    pub(super) fn new() -> Keeper {
        Keeper(NEXT_KEEPER.fetch_add(1, Ordering::Relaxed))
    }

    /// Drops `value` on this thread, keeping the large blocks it frees.
    pub(super) fn drop_value<T>(&self, value: T) {
        /// Gives the thread back its keeper, also if the drop unwinds.
        struct Restore(u64);
        impl Drop for Restore {
            fn drop(&mut self) {
                KEEPING.with(|k| k.set(self.0));
            }
        }
        let _restore = Restore(KEEPING.with(|k| k.replace(self.0)));
        drop(value);
    }

    /// Bytes kept by this keeper now.
    #[cfg(test)]
    pub(super) fn kept_bytes(&self) -> usize {
        let k = kept();
        k.blocks
            .iter()
            .filter(|b| b.keeper == self.0)
            .map(|b| b.len)
            .sum()
    }

    /// Unmaps this keeper's blocks that no allocation took.
    pub(super) fn release(&self) {
        let mine: Vec<Block> = {
            let mut k = kept();
            let (mine, others) = k.blocks.iter().partition(|b| b.keeper == self.0);
            k.blocks = others;
            mine
        };
        for Block { at, len, .. } in mine {
            // SAFETY: kept blocks are owned by no value.
            #[cfg(target_os = "linux")]
            unsafe {
                libc::munmap(at as *mut libc::c_void, len)
            };
            #[cfg(not(target_os = "linux"))]
            let _ = (at, len);
        }
    }

    /// Waits until none of this keeper's blocks is left, or no block has been taken for
    /// [`IDLE`], then unmaps what is left of them.
    pub(super) fn release_when_idle(&self) {
        let start = Instant::now();
        loop {
            let left = {
                let k = kept();
                if !k.blocks.iter().any(|b| b.keeper == self.0) {
                    return;
                }
                let since = k.taken_at.map_or(start, |t| t.max(start));
                IDLE.saturating_sub(since.elapsed())
            };
            if left.is_zero() {
                return self.release();
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }
}

/// Keeps the block `(p, len)` (`len` a multiple of the page size) if this thread is running a
/// [`Keeper`]'s drop; false if not, and the caller unmaps it.
pub(super) fn keep(p: *mut u8, len: usize) -> bool {
    // `try_with`: a free during the thread's teardown unmaps.
    let keeper = KEEPING.try_with(Cell::get).unwrap_or(0);
    if keeper == 0 {
        return false;
    }
    let mut k = kept();
    if k.blocks.len() >= MAX_BLOCKS {
        return false;
    }
    k.blocks.push(Block {
        at: p as usize,
        len,
        keeper,
    });
    true
}

/// A block of `len` bytes (a multiple of the page size, at least `min_tail`) made from the
/// largest kept block, zero-filled with `zeroed`; `None` when nothing is kept or `mremap` fails.
/// A remainder of `min_tail` or more stays kept; a smaller one is unmapped.
#[cfg(target_os = "linux")]
pub(super) fn take(len: usize, zeroed: bool, min_tail: usize) -> Option<*mut u8> {
    let (p, have) = {
        let mut k = kept();
        let largest = (0..k.blocks.len()).max_by_key(|&i| k.blocks[i].len)?;
        let b = k.blocks.swap_remove(largest);
        k.taken_at = Some(Instant::now());
        if b.len > len && b.len - len >= min_tail {
            k.blocks.push(Block {
                at: b.at + len,
                len: b.len - len,
                keeper: b.keeper,
            });
            (b.at, len)
        } else {
            (b.at, b.len)
        }
    };
    let q = if have >= len {
        if have > len {
            // SAFETY: the tail is part of a kept block, owned by no value.
            unsafe { libc::munmap((p + len) as *mut libc::c_void, have - len) };
        }
        p as *mut u8
    } else {
        // SAFETY: `(p, have)` is a kept block, owned by no value; MREMAP_MAYMOVE may move it.
        let q = unsafe { libc::mremap(p as *mut libc::c_void, have, len, libc::MREMAP_MAYMOVE) };
        if q == libc::MAP_FAILED {
            // SAFETY: as above; the block is given back.
            unsafe { libc::munmap(p as *mut libc::c_void, have) };
            return None;
        }
        q.cast()
    };
    if zeroed {
        // SAFETY: the first `have.min(len)` bytes are the kept pages, now this block's; the
        // pages past them are new, hence zero.
        unsafe { std::ptr::write_bytes(q, 0, have.min(len)) };
    }
    Some(q)
}

/// Bytes kept now, by every keeper.
#[cfg(test)]
pub(super) fn kept_bytes() -> usize {
    kept().blocks.iter().map(|b| b.len).sum()
}
