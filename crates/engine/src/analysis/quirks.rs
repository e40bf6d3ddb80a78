//! What DevTools makes of the inconsistencies the parser tolerates ([`Anomalies`]): the few
//! places where an edge to a node past the last one (*dangling*), an edge missing from the
//! edges array (*phantom*: an `edge_count` reaching past it) or a name past the strings changes
//! a number, reproduced as `HeapSnapshot.ts` computes them. Only such files take these paths.
//!
//! In DevTools (reading a missing array element gives `undefined`):
//! - a dangling or phantom edge of the root leads to a node of no type, which is not
//!   `synthetic`, so it counts as a *user root*: distances then start at 100000000 and shallow
//!   sizes are attributed; it is visited and leads nowhere;
//! - elsewhere such an edge is skipped, except in the page-owned walk, where a phantom edge's
//!   target (`NaN`, stored as 0 in a `Uint32Array`) is node 0, whose references then become
//!   page-owned; that walk's stack has room for one entry per node, and entries pushed beyond
//!   are lost;
//! - every dangling edge leaves a slot of the retainer arrays unused, and those slots fall to
//!   the last node, reading as a retainer "node 0 through edge 0": they take part in its
//!   dominator (if edge 0 is essential) and in its retainer count;
//! - the breadth-first walk of distances throws when it has queued more entries than there are
//!   nodes, which the root's dangling and phantom edges can cause;
//! - if node 0 has phantom edges and the page-owned walk reaches it, the walk pushes node 0
//!   again on every visit: DevTools hangs, heapwise fails.
//!
//! [`Anomalies`]: crate::Anomalies

use super::bits::BitVec;
use super::weakmap;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::{DanglingEdge, Snapshot};

/// The error for node `o`, whose name is past the `strings` strings of the table where DevTools
/// fails on it (a method call on `undefined`) while `doing` something. The offset is that of
/// the record with the largest name index.
pub(crate) fn name_error(snap: &Snapshot, o: usize, strings: usize, doing: &str) -> Error {
    let off = snap.anomalies.max_node_name.map_or(0, |(_, off)| off);
    Error::at(
        ErrorKind::InvalidData,
        off,
        format!(
            "node @{} names string {}, past the {strings} strings of the table at that point; DevTools fails on it ({doing})",
            snap.node_id[o],
            snap.node_name[o].0,
        ),
    )
}

/// The first node whose name is past the string table (none if the largest name is not).
pub(crate) fn first_name_past_strings(snap: &Snapshot) -> Option<usize> {
    let (max, _) = snap.anomalies.max_node_name?;
    if snap.strings.has(StrId(max)) {
        return None;
    }
    (0..snap.node_count()).find(|&o| !snap.strings.has(snap.node_name[o]))
}

/// One edge of a node as DevTools walks it: an edge of the columns or a dangling one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Edge<'a> {
    /// An edge of the columns (its ordinal).
    Real(usize),
    /// An edge pointing past the last node.
    Dangling(&'a DanglingEdge),
}

/// Node `o`'s edges as DevTools walks them, in order, without its phantom edges (they come
/// last: [`crate::Anomalies::phantom_of`]).
pub(crate) fn edges_of(snap: &Snapshot, o: usize) -> impl Iterator<Item = Edge<'_>> + '_ {
    let real = snap.edges_of(o);
    let dangling = snap.anomalies.dangling_of(o as u32);
    let len = real.len() + dangling.len();
    let (mut r, mut d) = (real.start, 0usize);
    (0..len).map(move |pos| {
        if d < dangling.len() && dangling[d].position as usize == pos {
            d += 1;
            Edge::Dangling(&dangling[d - 1])
        } else {
            r += 1;
            Edge::Real(r - 1)
        }
    })
}

/// How many of the root's edges lead nowhere (dangling or phantom): DevTools counts each as a
/// user root (it assumes `type` is the first node field, as every V8 writes it).
pub(crate) fn bogus_root_edges(snap: &Snapshot) -> usize {
    let a = &snap.anomalies;
    a.dangling_of(snap.root).len() + a.phantom_of(snap.root) as usize
}

/// True if DevTools' distances walk may queue more entries than there are nodes (and fail):
/// when the root has edges that lead nowhere, or several edges to one user root.
pub(crate) fn distances_may_overflow(snap: &Snapshot) -> bool {
    if bogus_root_edges(snap) > 0 {
        return true;
    }
    let mut targets: Vec<u32> = snap
        .edges_of(snap.root as usize)
        .map(|ei| snap.edge_to[ei])
        .filter(|&to| super::essential::is_user_root(snap, to as usize))
        .collect();
    let all = targets.len();
    targets.sort_unstable();
    targets.dedup();
    targets.len() < all
}

/// DevTools' `markPageOwnedNodes` for a snapshot with dangling or phantom edges (see the module
/// docs): the same walk as [`super::essential::mark_page_owned`], with those edges and the
/// bounded stack.
pub(crate) fn mark_page_owned(snap: &Snapshot, obs: &dyn Observer) -> Result<BitVec> {
    let mut poll = Poll::new(obs);
    let et = snap.header.meta.edge_types;
    let n = snap.node_count();
    let mut flags = BitVec::new(n);
    let mut stack = BoundedStack::new(n);
    for e in edges_of(snap, snap.root as usize) {
        match e {
            Edge::Real(ei) => {
                let (t, to) = (snap.edge_type[ei], snap.edge_to[ei] as usize);
                if !super::essential::starts_page_walk(snap, t, to) {
                    continue;
                }
                stack.push(Some(to as u32));
                flags.set(to);
            }
            // An element edge's target is no `(Document DOM trees)`; a shortcut's is pushed.
            Edge::Dangling(d) if d.ty == et.shortcut => stack.push(None),
            Edge::Dangling(_) => {}
        }
        // Phantom edges of the root have no type: neither element nor shortcut.
    }
    // Node 0 is visited again for every phantom edge pushed; if it has phantom edges itself,
    // each visit pushes it again, and DevTools' walk never ends.
    let loops = snap.anomalies.phantom_of(0) > 0;
    while let Some(top) = stack.pop() {
        poll.tick()?;
        let Some(o) = top else { continue };
        if o == 0 && loops {
            return Err(Error::new(
                ErrorKind::InvalidData,
                format!(
                    "node 0 (@{}) has edges missing from the edges array and is reached in DevTools' page-owned walk, which then never ends (DevTools hangs on this snapshot)",
                    snap.node_id[0]
                ),
            ));
        }
        for e in edges_of(snap, o as usize) {
            match e {
                Edge::Real(ei) => {
                    let to = snap.edge_to[ei] as usize;
                    if flags.get(to) || snap.edge_type[ei] == et.weak {
                        continue;
                    }
                    stack.push(Some(to as u32));
                    flags.set(to);
                }
                Edge::Dangling(d) if d.ty != et.weak => stack.push(None),
                Edge::Dangling(_) => {}
            }
        }
        // A phantom edge's target is NaN, which the stack stores as node 0.
        for _ in 0..snap.anomalies.phantom_of(o) {
            stack.push(Some(0));
        }
    }
    Ok(flags)
}

/// DevTools' `nodesToVisit`: a `Uint32Array` of one entry per node with a separate length, so
/// pushes past its end are lost. `None` stands for a node past the last one (visits nothing).
struct BoundedStack {
    slots: Vec<Option<u32>>,
    len: usize,
}

impl BoundedStack {
    fn new(n: usize) -> Self {
        BoundedStack {
            slots: vec![None; n],
            len: 0,
        }
    }

    fn push(&mut self, v: Option<u32>) {
        if let Some(slot) = self.slots.get_mut(self.len) {
            *slot = v;
        }
        self.len += 1;
    }

    /// `None` when empty; `Some(None)` for an entry that leads nowhere (or was lost).
    fn pop(&mut self) -> Option<Option<u32>> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(self.slots.get(self.len).copied().flatten())
    }
}

/// The retainer slots DevTools gives the last node for the dangling edges (see the module
/// docs): each reads as "node 0 through edge 0".
#[derive(Debug, Clone, Copy)]
pub(crate) struct BogusRetainers {
    /// The last node's ordinal.
    pub(crate) node: usize,
    /// How many slots (one per dangling edge).
    pub(crate) count: usize,
    /// Whether edge 0 is essential (then node 0 is a predecessor of the last node).
    pub(crate) essential: bool,
}

impl BogusRetainers {
    /// The bogus retainers of `snap` (`None` without dangling edges). `essential` is the
    /// essential-edge bitmap of the edge columns.
    pub(crate) fn of(snap: &Snapshot, essential: &BitVec) -> Option<BogusRetainers> {
        let dangling = &snap.anomalies.dangling;
        if dangling.is_empty() {
            return None;
        }
        let essential = match dangling.first() {
            // DevTools' edge 0 is dangling: computeIsEssentialEdge with a target of no flags.
            Some(d) if d.index == 0 => {
                let et = snap.header.meta.edge_types;
                let src = d.source as usize;
                let table_edge = d.ty == et.internal
                    && weakmap::parse(snap.strings.wtf8(StrId(d.name)))
                        .is_some_and(|p| p.table_id == Some(snap.node_id[src]));
                !(table_edge
                    || d.ty == et.weak
                    || (src != snap.root as usize && d.ty == et.shortcut))
            }
            // Otherwise edge 0 is the columns' edge 0.
            _ => essential.get(0),
        };
        Some(BogusRetainers {
            node: snap.node_count() - 1,
            count: dangling.len(),
            essential,
        })
    }
}
