//! Queries over an [`Analysis`]: one node, its edges, its dominator-tree children, the largest
//! nodes, and the per-node TSV dump (the name search is `search`).
//!
//! Terms: a node's *references* are its outgoing edges in file order (DevTools' Containment
//! view); its *retainers* are its incoming edges in DevTools' retainer order; the nodes it
//! *dominates immediately* are its children in the dominator tree.

use super::{dom_state, Analysis};
use crate::ids::{EdgeIdx, NodeId, NodeOrd, StrId};
use crate::strings::Text;

/// One node, as the API hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    /// Ordinal in this snapshot.
    pub ordinal: NodeOrd,
    /// V8 object id.
    pub id: NodeId,
    /// Display name (DevTools `name()`: `{a, b}` for plain objects, cons strings joined).
    pub name: Text,
    /// Node type (`object`, `closure`, `string`, …).
    pub node_type: String,
    /// Class name (Summary group).
    pub class_name: Text,
    /// Raw self size from the file.
    pub self_size: u32,
    /// Shallow size after DevTools' attribution of owned internals.
    pub shallow_size: u32,
    /// Retained size.
    pub retained_size: f64,
    /// Distance from the nearest root.
    pub distance: i32,
    /// True if detached (DOM or embedder state).
    pub detached: bool,
    /// V8 id of the immediate dominator.
    pub dominator_id: NodeId,
}

/// An edge as seen from one end.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeInfo {
    /// Edge type (`property`, `element`, `context`, `internal`, `hidden`, `shortcut`, `weak`).
    pub edge_type: String,
    /// Edge name, or the element index as text.
    pub name: String,
    /// The node at the other end.
    pub node: NodeOrd,
}

impl Analysis {
    /// Everything the API shows about node `o`.
    pub fn node(&self, o: NodeOrd) -> NodeInfo {
        let i = o.index();
        NodeInfo {
            ordinal: o,
            id: NodeId(self.snap.node_id[i]),
            name: self.display_text(o),
            node_type: self.type_name(o).to_owned(),
            class_name: Text(self.snap.strings.wtf8(self.classes.class_of(i)).to_vec()),
            self_size: self.snap.self_size[i],
            shallow_size: self.shallow[i],
            retained_size: self.retained[i],
            distance: self.distance[i],
            detached: self.detachedness[i] == dom_state::DETACHED,
            dominator_id: NodeId(self.snap.node_id[self.dominator[i] as usize]),
        }
    }

    /// The name of edge `e` as DevTools shows it (element indexes as numbers).
    pub fn edge_name(&self, e: EdgeIdx) -> String {
        let snap = &self.snap;
        let name = snap.edge_name[e.index()];
        if snap
            .header
            .meta
            .edge_has_index_name(snap.edge_type[e.index()])
        {
            name.to_string()
        } else {
            snap.strings.get(StrId(name)).into_owned()
        }
    }

    /// The type name of edge `e` (`property`, `element`, `weak`, …).
    pub fn edge_type_name(&self, e: EdgeIdx) -> &str {
        self.snap
            .header
            .meta
            .edge_type_name(self.snap.edge_type[e.index()])
    }

    pub(crate) fn edge_info(&self, e: EdgeIdx, other: u32) -> EdgeInfo {
        EdgeInfo {
            edge_type: self.edge_type_name(e).to_owned(),
            name: self.edge_name(e),
            node: NodeOrd(other),
        }
    }

    /// Outgoing edges of node `o`, in file order.
    pub fn references(&self, o: NodeOrd) -> Vec<EdgeInfo> {
        self.snap
            .edges_of(o.index())
            .map(|ei| self.edge_info(EdgeIdx::from_index(ei), self.snap.edge_to[ei]))
            .collect()
    }

    /// Incoming edges of node `o`, in DevTools' retainer order.
    pub fn retainers_of(&self, o: NodeOrd) -> Vec<EdgeInfo> {
        let i = o.index();
        self.retainers
            .of(i)
            .map(|s| {
                let e = EdgeIdx::from_index(self.retainers.edge_of(&self.snap, i, s));
                self.edge_info(e, self.retainers.node[s])
            })
            .collect()
    }

    /// The nodes node `o` immediately dominates, largest retained size first.
    pub fn dominated_by(&self, o: NodeOrd) -> Vec<NodeOrd> {
        let mut v: Vec<u32> = self.dominated.of(o.index()).to_vec();
        self.sort_by_retained(&mut v);
        v.into_iter().map(NodeOrd).collect()
    }

    /// Sorts ordinals by retained size, largest first, ties by ordinal.
    fn sort_by_retained(&self, v: &mut [u32]) {
        v.sort_by(|&a, &b| self.by_retained(a, b));
    }

    pub(crate) fn by_retained(&self, a: u32, b: u32) -> std::cmp::Ordering {
        self.retained[b as usize]
            .total_cmp(&self.retained[a as usize])
            .then(a.cmp(&b))
    }

    /// The `n` nodes with the largest retained sizes, leaving out the root and synthetic nodes.
    /// One pass that keeps the best `n` in a heap (most nodes lose to its weakest at a glance),
    /// on every core.
    pub fn top(&self, n: usize) -> Vec<NodeOrd> {
        use rayon::prelude::*;
        let synthetic = self.snap.header.meta.node_types.synthetic;
        let count = self.node_count();
        let chunk = count
            .div_ceil(rayon::current_num_threads().max(1) * 4)
            .max(1 << 16);
        let mut v: Vec<u32> = (0..count.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let range = c * chunk..((c + 1) * chunk).min(count);
                self.best_of(
                    range
                        .filter(|&o| {
                            self.snap.node_type[o] != synthetic && o != self.snap.root as usize
                        })
                        .map(|o| o as u32),
                    n,
                )
            })
            .reduce(Vec::new, |mut a, b| {
                a.extend(b);
                a
            });
        let by = |a: &u32, b: &u32| self.by_retained(*a, *b);
        if n < v.len() {
            v.select_nth_unstable_by(n, by);
            v.truncate(n);
        }
        v.sort_by(by);
        v.into_iter().map(NodeOrd).collect()
    }

    /// The best `n` of the ordinals `nodes` by [`Self::by_retained`], in no order: one pass that
    /// keeps them in a heap (most nodes lose to the weakest kept one at a glance).
    pub(crate) fn best_of(&self, nodes: impl Iterator<Item = u32>, n: usize) -> Vec<u32> {
        use std::cmp::Ordering;
        use std::collections::BinaryHeap;
        /// An ordinal ordered so that the heap's top is the weakest kept one.
        struct Kept<'a>(u32, &'a Analysis);
        impl PartialEq for Kept<'_> {
            fn eq(&self, o: &Self) -> bool {
                self.0 == o.0
            }
        }
        impl Eq for Kept<'_> {}
        impl PartialOrd for Kept<'_> {
            fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Kept<'_> {
            fn cmp(&self, o: &Self) -> Ordering {
                self.1.by_retained(self.0, o.0)
            }
        }
        if n == 0 {
            return Vec::new();
        }
        let mut heap: BinaryHeap<Kept> = BinaryHeap::with_capacity(n + 1);
        for o in nodes {
            if heap.len() == n {
                let weakest = heap.peek().expect("n > 0").0;
                if self.by_retained(o, weakest) != std::cmp::Ordering::Less {
                    continue;
                }
                heap.pop();
            }
            heap.push(Kept(o, self));
        }
        heap.into_iter().map(|k| k.0).collect()
    }

    /// Writes one line per node, `id self_size shallow_size retained_size distance dominator_id`
    /// (tab-separated, with that header), the format of the DevTools oracle's `--nodes`.
    pub fn write_nodes_tsv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, w);
        writeln!(
            out,
            "id\tself_size\tshallow_size\tretained_size\tdistance\tdominator_id"
        )?;
        let ids = &self.snap.node_id;
        for o in 0..self.node_count() {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                ids[o],
                self.snap.self_size[o],
                self.shallow[o],
                self.retained[o],
                self.distance[o],
                ids[self.dominator[o] as usize]
            )?;
        }
        out.flush()
    }
}
