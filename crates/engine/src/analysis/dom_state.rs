//! Detachedness: propagation of DOM attached/detached state through native nodes, and the
//! `Detached ` renaming (spec §2.2, DevTools `propagateDOMState`).

use crate::error::Result;
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;
use std::collections::HashMap;

/// Detachedness state: unknown.
pub(crate) const UNKNOWN: u8 = 0;
/// Detachedness state: attached.
pub(crate) const ATTACHED: u8 = 1;
/// Detachedness state: detached.
pub(crate) const DETACHED: u8 = 2;

/// Returns the per-node state after propagation, renaming detached native nodes in `snap`.
pub(crate) fn propagate(snap: &mut Snapshot, obs: &dyn Observer) -> Result<Vec<u8>> {
    let mut poll = Poll::new(obs);
    let n = snap.node_count();
    let native = snap.header.meta.node_types.native;
    if snap.detachedness.is_empty() {
        // Old snapshots: native nodes already named "Detached …" are detached; no propagation.
        let mut state = vec![UNKNOWN; n];
        for o in 0..n {
            poll.tick()?;
            if snap.node_type[o] != native {
                continue;
            }
            if !snap.strings.has(snap.node_name[o]) {
                // `undefined.startsWith(…)`: DevTools' initDetachednessAndClassIndex throws.
                return Err(super::quirks::name_error(
                    snap,
                    o,
                    snap.strings.len(),
                    "checking for \"Detached \"",
                ));
            }
            if snap
                .strings
                .wtf8(snap.node_name[o])
                .starts_with(b"Detached ")
            {
                state[o] = DETACHED;
            }
        }
        return Ok(state);
    }
    let mut state = std::mem::take(&mut snap.detachedness);
    let et = snap.header.meta.edge_types;
    let mut visited = vec![false; n];
    let mut attached: Vec<u32> = Vec::new();
    let mut detached: Vec<u32> = Vec::new();
    let mut renamed: HashMap<StrId, StrId> = HashMap::new();

    let mut process = |snap: &mut Snapshot,
                       state: &mut [u8],
                       o: usize,
                       new_state: u8,
                       attached: &mut Vec<u32>,
                       detached: &mut Vec<u32>| {
        if visited[o] {
            return;
        }
        if snap.node_type[o] != native {
            visited[o] = true;
            return;
        }
        state[o] = new_state;
        if new_state == ATTACHED {
            attached.push(o as u32);
        } else if new_state == DETACHED {
            // A name past the strings reads as "undefined" (or as a "Detached …" name added
            // before it), as in DevTools' `'Detached ' + strings[old]`.
            let old = snap.node_name[o];
            let new = *renamed.entry(old).or_insert_with(|| {
                let mut s = b"Detached ".to_vec();
                s.extend_from_slice(snap.strings.wtf8(old));
                snap.strings.push_wtf8(&s)
            });
            snap.node_name[o] = new;
            detached.push(o as u32);
        }
        visited[o] = true;
    };
    // DevTools' propagateDOMState follows every edge but hidden, invisible and weak ones.
    let follows = |t: u8| t != et.hidden && t != et.invisible && t != et.weak;
    for o in 0..n {
        poll.tick()?;
        let s = state[o];
        if s != UNKNOWN {
            process(snap, &mut state, o, s, &mut attached, &mut detached);
        }
    }
    while let Some(o) = attached.pop() {
        poll.tick()?;
        for ei in snap.edges_of(o as usize) {
            if follows(snap.edge_type[ei]) {
                let to = snap.edge_to[ei] as usize;
                process(snap, &mut state, to, ATTACHED, &mut attached, &mut detached);
            }
        }
    }
    while let Some(o) = detached.pop() {
        poll.tick()?;
        if state[o as usize] == ATTACHED {
            continue;
        }
        for ei in snap.edges_of(o as usize) {
            if follows(snap.edge_type[ei]) {
                let to = snap.edge_to[ei] as usize;
                process(snap, &mut state, to, DETACHED, &mut attached, &mut detached);
            }
        }
    }
    Ok(state)
}
