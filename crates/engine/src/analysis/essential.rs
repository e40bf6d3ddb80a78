//! Which edges retain: page-owned marking and the essential-edge bitmap that the dominator tree
//! is built on (spec §2.3, §2.4; DevTools `markPageOwnedNodes`, `computeIsEssentialEdge`).

use super::bits::BitVec;
use super::weakmap;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;
use std::collections::HashMap;

/// Per string id: the parsed ephemeron name, for the internal edge names that are one.
#[derive(Debug, Default)]
pub(crate) struct EphemeronNames {
    /// string id -> index into `parsed`, or `u32::MAX` (empty if the snapshot has no ephemerons).
    slot: Vec<u32>,
    /// (duplicated-part id, table id) of each ephemeron name.
    parsed: Vec<(u32, Option<u32>)>,
}

impl EphemeronNames {
    /// Parses the names of all `internal` edges once.
    pub(crate) fn build(snap: &Snapshot, obs: &dyn Observer) -> Result<EphemeronNames> {
        let mut poll = Poll::new(obs);
        if let Some((name, off)) = snap.anomalies.max_internal_edge_name {
            if !snap.strings.has(StrId(name)) {
                // `undefined.match(…)` in DevTools' tryParseWeakMapEdgeName.
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!(
                        "an internal edge names string {name}, past the {} strings of the table; DevTools fails on it (matching WeakMap edge names)",
                        snap.strings.len()
                    ),
                ));
            }
        }
        let internal = snap.header.meta.edge_types.internal;
        let mut seen = BitVec::new(snap.strings.len());
        let mut dup_ids: HashMap<&[u8], u32> = HashMap::new();
        let mut slot: Vec<u32> = Vec::new();
        let mut parsed = Vec::new();
        for (ei, &t) in snap.edge_type.iter().enumerate() {
            poll.tick()?;
            if t != internal {
                continue;
            }
            let s = StrId(snap.edge_name[ei]);
            if seen.get(s.index()) {
                continue;
            }
            seen.set(s.index());
            if let Some(e) = weakmap::parse(snap.strings.wtf8(s)) {
                let next = dup_ids.len() as u32;
                let dup = *dup_ids.entry(e.duplicated_part).or_insert(next);
                if slot.is_empty() {
                    slot = vec![u32::MAX; snap.strings.len()];
                }
                slot[s.index()] = parsed.len() as u32;
                parsed.push((dup, e.table_id));
            }
        }
        Ok(EphemeronNames { slot, parsed })
    }

    /// The ephemeron capture of an edge, if it is an internal ephemeron edge.
    #[inline]
    pub(crate) fn of_edge(&self, snap: &Snapshot, ei: usize) -> Option<(u32, Option<u32>)> {
        if self.slot.is_empty() || snap.edge_type[ei] != snap.header.meta.edge_types.internal {
            return None;
        }
        match self.slot[snap.edge_name[ei] as usize] {
            u32::MAX => None,
            i => Some(self.parsed[i as usize]),
        }
    }
}

/// True if the root has a user root: a non-synthetic target, or `(Document DOM trees)`.
pub(crate) fn is_user_root(snap: &Snapshot, o: usize) -> bool {
    let nt = snap.header.meta.node_types;
    snap.node_type[o] != nt.synthetic || snap.strings.eq(snap.node_name[o], "(Document DOM trees)")
}

/// Whether a root edge of type `t` to `to` starts DevTools' page-owned walk: a shortcut, or an
/// element edge to the synthetic `(Document DOM trees)`.
#[inline]
pub(crate) fn starts_page_walk(snap: &Snapshot, t: u8, to: usize) -> bool {
    let (et, nt) = (snap.header.meta.edge_types, snap.header.meta.node_types);
    if t == et.element {
        snap.node_type[to] == nt.synthetic
            && snap.strings.eq(snap.node_name[to], "(Document DOM trees)")
    } else {
        t == et.shortcut
    }
}

/// Nodes reachable through non-weak edges from the root's shortcut targets and from
/// `(Document DOM trees)` (DevTools' `pageObject` flag).
pub(crate) fn mark_page_owned(snap: &Snapshot, obs: &dyn Observer) -> Result<BitVec> {
    if snap.anomalies.irregular_edges() {
        return super::quirks::mark_page_owned(snap, obs);
    }
    let mut poll = Poll::new(obs);
    let et = snap.header.meta.edge_types;
    let mut flags = BitVec::new(snap.node_count());
    let mut stack: Vec<u32> = Vec::new();
    let root = snap.root as usize;
    for ei in snap.edges_of(root) {
        let to = snap.edge_to[ei] as usize;
        if !starts_page_walk(snap, snap.edge_type[ei], to) {
            continue;
        }
        stack.push(to as u32);
        flags.set(to);
    }
    while let Some(o) = stack.pop() {
        poll.tick()?;
        for ei in snap.edges_of(o as usize) {
            let to = snap.edge_to[ei] as usize;
            if flags.get(to) || snap.edge_type[ei] == et.weak {
                continue;
            }
            stack.push(to as u32);
            flags.set(to);
        }
    }
    Ok(flags)
}

/// The essential-edge bitmap, indexed by edge ordinal.
pub(crate) fn essential_edges(
    snap: &Snapshot,
    page_owned: &BitVec,
    eph: &EphemeronNames,
    obs: &dyn Observer,
) -> Result<BitVec> {
    let mut poll = Poll::new(obs);
    let et = snap.header.meta.edge_types;
    let root = snap.root as usize;
    let mut bits = BitVec::new(snap.edge_count());
    for src in 0..snap.node_count() {
        poll.tick()?;
        let src_id = snap.node_id[src];
        for ei in snap.edges_of(src) {
            let t = snap.edge_type[ei];
            if let Some((_, table)) = eph.of_edge(snap, ei) {
                if table == Some(src_id) {
                    continue;
                }
            }
            if t == et.weak {
                continue;
            }
            let to = snap.edge_to[ei] as usize;
            if to == src {
                continue;
            }
            if src != root {
                if t == et.shortcut {
                    continue;
                }
                if page_owned.get(to) && !page_owned.get(src) {
                    continue;
                }
            }
            bits.set(ei);
        }
    }
    Ok(bits)
}
