//! Shallow-size attribution (spec §2.5, DevTools `calculateShallowSizes`): the self size of
//! internal storage (`hidden`, `array`, `system / ExternalStringData`) that exactly one other node
//! owns moves onto that owner, so a JS object's shallow size includes its backing stores.
//! Skipped for snapshots without user roots (taken with "expose internals").

use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

/// Returns the adjusted shallow sizes (modulo 2^32, as DevTools stores them).
pub(crate) fn attribute(
    snap: &Snapshot,
    has_user_roots: bool,
    obs: &dyn Observer,
) -> Result<Vec<u32>> {
    let mut poll = Poll::new(obs);
    let mut size = snap.self_size.clone();
    if !has_user_roots {
        return Ok(size);
    }
    let n = snap.node_count();
    let nt = snap.header.meta.node_types;
    let weak = snap.header.meta.edge_types.weak;
    let external = snap.strings.name_ids("system / ExternalStringData");
    let mut owner = vec![0u32; n];
    let mut work: Vec<u32> = Vec::with_capacity(n);
    for o in 0..n {
        poll.tick()?;
        let t = snap.node_type[o];
        if t == nt.hidden
            || t == nt.array
            || (t == nt.native && external.contains(snap.node_name[o]))
        {
            owner[o] = UNVISITED;
        } else {
            owner[o] = o as u32;
            work.push(o as u32);
        }
    }
    while let Some(id) = work.pop() {
        poll.tick()?;
        let own = owner[id as usize];
        for ei in snap.edges_of(id as usize) {
            if snap.edge_type[ei] == weak {
                continue;
            }
            let t = snap.edge_to[ei];
            let cur = owner[t as usize];
            if cur == UNVISITED {
                owner[t as usize] = own;
                work.push(t);
            } else if cur == t || cur == own || cur == MULTIPLE {
            } else {
                owner[t as usize] = MULTIPLE;
                work.push(t);
            }
        }
    }
    let root = snap.root;
    for i in 0..n {
        poll.tick()?;
        let o = owner[i];
        if o == UNVISITED || o == MULTIPLE || o == i as u32 {
            continue;
        }
        if snap.node_type[o as usize] == nt.synthetic || o == root {
            continue;
        }
        let moved = size[i];
        size[i] = 0;
        size[o as usize] = size[o as usize].wrapping_add(moved);
    }
    Ok(size)
}
