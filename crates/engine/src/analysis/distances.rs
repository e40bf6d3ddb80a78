//! Distances from the roots (spec §2.8, DevTools `calculateDistances` + `bfs`).
//!
//! A breadth-first search from the *user roots* (the root's non-synthetic targets and
//! `(Document DOM trees)`) gives distance 1, 2, …; a second one from the root gives the rest
//! `100_000_000 + k` (system distances); nodes never reached keep `-5`. Weak edges are never
//! followed, the `sloppy_function_map` slot of native contexts and descriptor-array detail slots
//! are skipped, and a WeakMap value is entered through the second of its two ephemeron edges, so
//! its distance is the larger of key's and table's plus one.

use super::essential::{is_user_root, EphemeronNames};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;
use crate::strings::NameIds;
use std::collections::HashSet;

/// Distance of a node no BFS reached.
pub(crate) const NO_DISTANCE: i32 = -5;
/// Distances of nodes reached only from the root (not from user roots) start here.
pub(crate) const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;
/// Used by the Retainers view for unreachable retainers.
pub(crate) const BASE_UNREACHABLE_DISTANCE: i32 = 200_000_000;

struct Filter<'a> {
    snap: &'a Snapshot,
    eph: &'a EphemeronNames,
    native_context: NameIds,
    sloppy_function_map: NameIds,
    map_descriptors: NameIds,
    pending: HashSet<u32>,
}

impl Filter<'_> {
    fn accepts(&mut self, src: usize, ei: usize) -> bool {
        let snap = self.snap;
        let nt = snap.header.meta.node_types;
        let t = snap.edge_type[ei];
        let has_string_name = !snap.header.meta.edge_has_index_name(t);
        if snap.node_type[src] == nt.hidden
            && has_string_name
            && self.sloppy_function_map.contains(StrId(snap.edge_name[ei]))
            && self.native_context.contains(snap.node_name[src])
        {
            return false;
        }
        if snap.node_type[src] == nt.array && self.map_descriptors.contains(snap.node_name[src]) {
            // parseInt(edge name): index names are numbers; string names parse their digits.
            let index = if has_string_name {
                parse_int_prefix(snap.strings.wtf8(StrId(snap.edge_name[ei])))
            } else {
                Some(snap.edge_name[ei] as f64)
            };
            return match index {
                Some(i) => i < 2.0 || i % 3.0 != 1.0,
                None => true,
            };
        }
        if let Some((dup, _)) = self.eph.of_edge(snap, ei) {
            if !self.pending.remove(&dup) {
                self.pending.insert(dup);
                return false;
            }
        }
        true
    }
}

/// JavaScript `parseInt(s, 10)` for the cases that matter here (optional sign, leading digits);
/// `None` for NaN.
fn parse_int_prefix(s: &[u8]) -> Option<f64> {
    let s = s.trim_ascii_start();
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let v: f64 = std::str::from_utf8(&s[..digits]).ok()?.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Computes every node's distance.
pub(crate) fn compute(
    snap: &Snapshot,
    eph: &EphemeronNames,
    obs: &dyn Observer,
) -> Result<Vec<i32>> {
    let mut poll = Poll::new(obs);
    let n = snap.node_count();
    let weak = snap.header.meta.edge_types.weak;
    let mut dist = vec![NO_DISTANCE; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    let mut filter = Filter {
        snap,
        eph,
        // DevTools compares the text: every copy of a string counts (V8 writes each once).
        native_context: snap.strings.name_ids("system / NativeContext"),
        sloppy_function_map: snap.strings.name_ids("sloppy_function_map"),
        map_descriptors: snap.strings.name_ids("(map descriptors)"),
        pending: HashSet::new(),
    };
    let root = snap.root as usize;
    for ei in snap.edges_of(root) {
        let to = snap.edge_to[ei] as usize;
        if is_user_root(snap, to) {
            dist[to] = 1;
            queue.push(to as u32);
        }
    }
    // The root's edges that lead nowhere count as user roots in DevTools, and take a place in
    // its queue (see `quirks`).
    let bogus = super::quirks::bogus_root_edges(snap);
    let user_roots = !queue.is_empty() || bogus > 0;
    bfs(snap, weak, &mut dist, &mut queue, &mut filter, &mut poll)?;
    if queue.len() + bogus > n {
        // DevTools' queue holds one entry per node, and it throws "BFS failed" when more were
        // queued (the root has several edges to one user root, or edges that lead nowhere).
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "the distances walk queued {} entries for {n} nodes (the root has several edges to the same objects, or edges that lead nowhere); DevTools fails on this snapshot (\"BFS failed\")",
                queue.len() + bogus
            ),
        ));
    }
    dist[root] = if user_roots { BASE_SYSTEM_DISTANCE } else { 0 };
    queue.clear();
    queue.push(root as u32);
    bfs(snap, weak, &mut dist, &mut queue, &mut filter, &mut poll)?;
    Ok(dist)
}

fn bfs(
    snap: &Snapshot,
    weak: u8,
    dist: &mut [i32],
    queue: &mut Vec<u32>,
    filter: &mut Filter<'_>,
    poll: &mut Poll<'_>,
) -> Result<()> {
    let mut head = 0;
    while head < queue.len() {
        poll.tick()?;
        let o = queue[head] as usize;
        head += 1;
        let d = dist[o] + 1;
        for ei in snap.edges_of(o) {
            if snap.edge_type[ei] == weak {
                continue;
            }
            let to = snap.edge_to[ei] as usize;
            if dist[to] != NO_DISTANCE {
                continue;
            }
            if !filter.accepts(o, ei) {
                continue;
            }
            dist[to] = d;
            queue.push(to as u32);
        }
    }
    Ok(())
}
