//! Shallow-size attribution (spec §2.5, DevTools `calculateShallowSizes`): the self size of
//! internal storage (`hidden`, `array`, `system / ExternalStringData`) that exactly one other node
//! owns moves onto that owner, so a JS object's shallow size includes its backing stores.
//! Skipped for snapshots without user roots (taken with "expose internals").

use super::bits::BitVec;
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
    // Internal storage can be owned: its owner is found below. Every other node owns itself.
    let mut ownable = BitVec::new(n);
    let mut owner = vec![0u32; n];
    for o in 0..n {
        poll.tick()?;
        let t = snap.node_type[o];
        if t == nt.hidden
            || t == nt.array
            || (t == nt.native && external.contains(snap.node_name[o]))
        {
            owner[o] = UNVISITED;
            ownable.set(o);
        } else {
            owner[o] = o as u32;
        }
    }
    // DevTools puts every node that owns itself on a work list and passes each popped node's
    // owner along its strong edges to the ownable nodes they reach (see `reach`). A node's owner
    // only ever goes from UNVISITED to one owner to MULTIPLE, and each change puts the node back
    // on the list, so the result does not depend on the order the list is taken in. So the nodes
    // that own themselves are taken first, in ordinal order (their edges read in sequence, and
    // only the edges into ownable nodes, a bit each, touch `owner`), then the ownable nodes
    // reached, from the list.
    let mut work: Vec<u32> = Vec::new();
    for o in 0..n {
        if ownable.get(o) {
            continue;
        }
        poll.tick()?;
        for ei in snap.edges_of(o) {
            let t = snap.edge_to[ei] as usize;
            if ownable.get(t) && snap.edge_type[ei] != weak {
                reach(&mut owner, &mut work, t, o as u32);
            }
        }
    }
    while let Some(id) = work.pop() {
        poll.tick()?;
        let own = owner[id as usize];
        for ei in snap.edges_of(id as usize) {
            let t = snap.edge_to[ei] as usize;
            if ownable.get(t) && snap.edge_type[ei] != weak {
                reach(&mut owner, &mut work, t, own);
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

/// Ownable node `t` is reached from a node owned by `own` (or by several, `MULTIPLE`): it takes
/// that owner if it had none, becomes MULTIPLE if it had another, and goes back on the work
/// list when it changed.
#[inline]
fn reach(owner: &mut [u32], work: &mut Vec<u32>, t: usize, own: u32) {
    let cur = owner[t];
    if cur == UNVISITED {
        owner[t] = own;
        work.push(t as u32);
    } else if cur != own && cur != MULTIPLE {
        owner[t] = MULTIPLE;
        work.push(t as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::{random_snapshot, Rng};

    /// DevTools' `calculateShallowSizes` as it is written: every node that owns itself on a work
    /// list in ordinal order, popped from the end, its owner passed along every strong edge.
    fn devtools(snap: &Snapshot) -> Vec<u32> {
        let n = snap.node_count();
        let nt = snap.header.meta.node_types;
        let weak = snap.header.meta.edge_types.weak;
        let mut size = snap.self_size.clone();
        let mut owner = vec![0u32; n];
        let mut work = Vec::new();
        for o in 0..n {
            let t = snap.node_type[o];
            if t == nt.hidden || t == nt.array {
                owner[o] = UNVISITED;
            } else {
                owner[o] = o as u32;
                work.push(o as u32);
            }
        }
        while let Some(id) = work.pop() {
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
        for i in 0..n {
            let o = owner[i];
            if o == UNVISITED || o == MULTIPLE || o == i as u32 {
                continue;
            }
            if snap.node_type[o as usize] == nt.synthetic || o == snap.root {
                continue;
            }
            let moved = size[i];
            size[i] = 0;
            size[o as usize] = size[o as usize].wrapping_add(moved);
        }
        size
    }

    #[test]
    fn the_sizes_do_not_depend_on_the_order_owners_are_passed_on() {
        let mut rng = Rng::new(0x5EED_0FA1);
        let mut moved = 0;
        for _ in 0..500 {
            let snap = random_snapshot(&mut rng);
            let sizes = attribute(&snap, true, &crate::Quiet).unwrap();
            assert_eq!(sizes, devtools(&snap));
            moved += sizes
                .iter()
                .zip(&snap.self_size)
                .filter(|(a, b)| a != b)
                .count();
        }
        // The graphs move sizes onto owners: the comparison is not between unchanged sizes.
        assert!(moved > 1000, "{moved}");
    }
}
