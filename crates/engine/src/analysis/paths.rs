//! Retainer paths: how the root reaches an object.
//!
//! A *retainer path* of node `o` is a chain of edges from the root to `o`. The one shown is the
//! one DevTools' Retainers view expands first: at each step, going from `o` towards the root, the
//! non-weak retainer with the smallest *path distance* (the root counts as closest, unreachable
//! nodes as farthest), ties broken by display name and then by DevTools' retainer order.

use super::{distances, Analysis, NodeInfo};
use crate::ids::{EdgeIdx, NodeOrd};

/// One step of a retainer path, materialised.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    /// Name of the edge into this node (`None` for the root).
    pub edge: Option<String>,
    /// Type of that edge.
    pub edge_type: Option<String>,
    /// The node.
    pub node: NodeInfo,
}

impl Analysis {
    /// Retainers-view distance of node `o` (the root counts as closest).
    pub(crate) fn path_distance(&self, o: usize) -> i64 {
        if o == self.snap.root as usize {
            return -1;
        }
        let d = self.distance[o];
        if d < 0 {
            distances::BASE_UNREACHABLE_DISTANCE as i64
        } else {
            d as i64
        }
    }

    /// The retainer path from the root to node `o` (see the module docs), root first, as `(edge
    /// into the node, node)` pairs after the root. `None` if `o` is unreachable.
    pub fn retainer_path(&self, o: NodeOrd) -> Option<Vec<(Option<EdgeIdx>, NodeOrd)>> {
        let root = self.snap.root as usize;
        let o = o.index();
        if self.distance[o] < 0 && o != root {
            return None;
        }
        let weak = self.snap.header.meta.edge_types.weak;
        let mut steps: Vec<(Option<EdgeIdx>, NodeOrd)> = Vec::new();
        let mut cur = o;
        let mut guard = 0;
        while cur != root {
            guard += 1;
            if guard > 100_000 {
                return None;
            }
            let cur_d = self.path_distance(cur);
            // Retainers closer to the root than `cur`, by distance; only the closest group is
            // looked at in detail (recovering a slot's edge scans the source's edges).
            let mut closer: Vec<(i64, usize)> = self
                .retainers
                .of(cur)
                .map(|slot| (self.path_distance(self.retainers.node[slot] as usize), slot))
                .filter(|&(d, _)| d < cur_d)
                .collect();
            closer.sort_by_key(|&(d, slot)| (d, slot));
            let mut best: Option<(i64, String, usize, usize)> = None;
            for (d, slot) in closer {
                if best.as_ref().is_some_and(|b| d > b.0) {
                    break;
                }
                let from = self.retainers.node[slot] as usize;
                let ei = self.retainers.edge_of(&self.snap, cur, slot);
                if self.snap.edge_type[ei] == weak {
                    continue;
                }
                let name = self.display_name(NodeOrd::from_index(from));
                if best.as_ref().is_none_or(|b| name < b.1) {
                    best = Some((d, name, from, ei));
                }
            }
            let (_, _, from, ei) = best?;
            steps.push((Some(EdgeIdx::from_index(ei)), NodeOrd::from_index(cur)));
            cur = from;
        }
        steps.push((None, NodeOrd::from_index(root)));
        steps.reverse();
        Some(steps)
    }

    /// [`Analysis::retainer_path`] with each step's edge and node materialised (empty if `o` is
    /// unreachable).
    pub fn path_steps(&self, o: NodeOrd) -> Vec<PathStep> {
        self.retainer_path(o)
            .unwrap_or_default()
            .into_iter()
            .map(|(e, n)| PathStep {
                edge: e.map(|e| self.edge_name(e)),
                edge_type: e.map(|e| self.edge_type_name(e).to_owned()),
                node: self.node(n),
            })
            .collect()
    }
}
