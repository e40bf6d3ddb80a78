//! Reverse CSR: for every node, the edges that point at it (its retainers), in DevTools' order.
//!
//! DevTools fills each node's slot range from the end while walking sources in ordinal order and
//! their edges in file order, so a node's retainers come out in *reverse* (source, edge) order
//! (spec §2.1). That order is the Retainers view's last tie-break, so it is reproduced exactly.

use super::bits::BitVec;
use super::ranges::Ranges;
use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// Incoming edges per node. The edge ordinal of a retainer slot is not stored (it would cost
/// 4 bytes per edge); [`Retainers::edge_of`] recovers it from the source's edge list, and the one
/// bit the dominator tree needs per slot (is the edge essential?) is stored instead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Retainers {
    /// `first[o]..first[o + 1]` is node `o`'s range in the arrays below (length n + 1).
    pub(crate) first: Vec<u32>,
    /// The retaining (source) node ordinal of each incoming edge.
    pub(crate) node: Vec<u32>,
    /// Per slot: is the incoming edge essential (retaining) for the dominator tree?
    pub(crate) essential: BitVec,
}

impl Retainers {
    /// Builds the reverse index of `snap`'s edges, marking the slots whose edge is set in
    /// `essential_edges`.
    pub(crate) fn build(
        snap: &Snapshot,
        essential_edges: &BitVec,
        obs: &dyn Observer,
    ) -> Result<Retainers> {
        let mut poll = Poll::new(obs);
        let n = snap.node_count();
        let e = snap.edge_count();
        let mut ranges = Ranges::new(n);
        for &to in &snap.edge_to {
            poll.tick()?;
            ranges.add(to);
        }
        ranges.close();
        let mut node = vec![0u32; e];
        let mut essential = BitVec::new(e);
        for src in 0..n {
            poll.tick()?;
            for ei in snap.edges_of(src) {
                let slot = ranges.take(snap.edge_to[ei]);
                node[slot] = src as u32;
                if essential_edges.get(ei) {
                    essential.set(slot);
                }
            }
        }
        let first = ranges.finish();
        Ok(Retainers {
            first,
            node,
            essential,
        })
    }

    /// The edge ordinal of retainer `slot` of node `target`. Slots of one target hold their
    /// sources in descending (source, edge) order, so the edges from the same source sit next to
    /// each other with the highest edge first.
    pub(crate) fn edge_of(&self, snap: &Snapshot, target: usize, slot: usize) -> usize {
        let src = self.node[slot];
        let end = self.first[target + 1] as usize;
        // How many later slots (lower edges) come from the same source.
        let lower = (slot + 1..end).take_while(|&s| self.node[s] == src).count();
        snap.edges_of(src as usize)
            .filter(|&ei| snap.edge_to[ei] as usize == target)
            .nth(lower)
            .expect("a retainer slot always has its edge")
    }

    /// The retainer slots of node `o`.
    #[inline]
    pub(crate) fn of(&self, o: usize) -> std::ops::Range<usize> {
        self.first[o] as usize..self.first[o + 1] as usize
    }

    /// Number of incoming edges of node `o` (all types, weak included).
    #[inline]
    pub(crate) fn count(&self, o: usize) -> usize {
        (self.first[o + 1] - self.first[o]) as usize
    }
}
