//! Pages kept for the next allocations: the large blocks of a value that
//! [`super::free_in_background`] drops are not unmapped at once but kept here, resident, and the
//! next large allocations take them instead of mapping new pages.
//!
//! Why: a diff drops its first snapshot's analysis just before it reads the second, which then
//! maps about as much memory again, and every new page costs the kernel a page fault and a
//! cleared page. On a 187 + 174 MB pair the second snapshot now takes about 200 MB of kept
//! pages, and the diff's system time fell from 0.87 s to 0.67 s, its wall time from 2.06 s to
//! 1.93 s (medians of 5 alternating runs of `examples/diffdump`).
//!
//! Terms: a *kept block* is a page-aligned address range of an anonymous mapping, resident and
//! owned by no value. Only the freeing thread keeps blocks (see [`keeping`]); every other free
//! unmaps at once, as before.
//!
//! Memory: an allocation takes the largest kept block, split when it is larger than needed and
//! grown in place or moved (`mremap`, which keeps its pages) when smaller. So no new page is
//! mapped while a kept one waits, and the process never holds more than the dropped value did,
//! plus what is allocated past that. What no allocation takes is unmapped by the freeing
//! thread once none has been taken for [`IDLE`].

#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::cell::Cell;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long kept blocks wait for an allocation before they are unmapped: long enough for the
/// gaps between the large allocations of a parse of several GB, short enough that memory
/// freed with nothing to follow goes back to the OS soon.
pub(super) const IDLE: Duration = Duration::from_secs(1);

/// At most this many blocks are kept (the list stays far below the size of a large block, so
/// growing it never takes the lock again).
const MAX_BLOCKS: usize = 4096;

/// The kept blocks (address, length) and when one was last taken.
struct Kept {
    blocks: Vec<(usize, usize)>,
    taken_at: Option<Instant>,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    blocks: Vec::new(),
    taken_at: None,
});

thread_local! {
    /// Whether this thread's frees of large blocks keep them.
    static KEEPING: Cell<bool> = const { Cell::new(false) };
}

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    // Nothing panics while the lock is held; a poisoned list is still a valid one.
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` (a drop) with this thread's frees of large blocks keeping them.
pub(super) fn keeping<R>(f: impl FnOnce() -> R) -> R {
    KEEPING.with(|k| k.set(true));
    let r = f();
    KEEPING.with(|k| k.set(false));
    r
}

/// Keeps the block `(p, len)` (`len` a multiple of the page size) if this thread is
/// [`keeping`]; false if it is not, and the caller unmaps it.
pub(super) fn keep(p: *mut u8, len: usize) -> bool {
    // `try_with`: a free during the thread's teardown unmaps.
    if !KEEPING.try_with(Cell::get).unwrap_or(false) {
        return false;
    }
    let mut k = kept();
    if k.blocks.len() >= MAX_BLOCKS {
        return false;
    }
    k.blocks.push((p as usize, len));
    true
}

/// A block of `len` bytes (a multiple of the page size, at least `min_tail`) made from the
/// largest kept block, zero-filled with `zeroed`; `None` when nothing is kept or `mremap` fails.
/// A remainder of `min_tail` or more stays kept; a smaller one is unmapped.
#[cfg(target_os = "linux")]
pub(super) fn take(len: usize, zeroed: bool, min_tail: usize) -> Option<*mut u8> {
    let (p, have) = {
        let mut k = kept();
        let largest = (0..k.blocks.len()).max_by_key(|&i| k.blocks[i].1)?;
        let (p, have) = k.blocks.swap_remove(largest);
        k.taken_at = Some(Instant::now());
        if have > len && have - len >= min_tail {
            k.blocks.push((p + len, have - len));
            (p, len)
        } else {
            (p, have)
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

/// Waits until no kept block is left, or none has been taken for [`IDLE`], then unmaps what is
/// left. The freeing thread calls this after its drop.
pub(super) fn release_when_idle() {
    let start = Instant::now();
    loop {
        let wait = {
            let mut k = kept();
            if k.blocks.is_empty() {
                return;
            }
            let since = k.taken_at.map_or(start, |t| t.max(start));
            match IDLE.checked_sub(since.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => {
                    let blocks = std::mem::take(&mut k.blocks);
                    drop(k);
                    for (p, len) in blocks {
                        // SAFETY: kept blocks are owned by no value.
                        #[cfg(target_os = "linux")]
                        unsafe {
                            libc::munmap(p as *mut libc::c_void, len)
                        };
                        #[cfg(not(target_os = "linux"))]
                        let _ = (p, len);
                    }
                    return;
                }
            }
        };
        std::thread::sleep(wait.min(Duration::from_millis(50)));
    }
}

/// Bytes kept now.
#[cfg(test)]
pub(super) fn kept_bytes() -> usize {
    kept().blocks.iter().map(|b| b.1).sum()
}
