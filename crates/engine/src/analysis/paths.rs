//! Retainer paths: how the root reaches an object.
//!
//! A *retainer path* of node `o` is a chain of edges from the root to `o`. The one shown is the
//! one DevTools' Retainers view expands first: at each step, going from `o` towards the root, the
//! non-weak retainer with the smallest *path distance* (the root counts as closest, unreachable
//! nodes as farthest), ties broken by display name and then by DevTools' retainer order.
//!
//! Several paths ([`Analysis::retainer_paths`]) are the shortest path `P` above, then *spur*
//! paths that leave `P` at one step: for each node `x` of `P` (the object first, then towards the
//! root), each other non-weak retainer `r` of `x` (in DevTools' retainer order, the first
//! [`SPUR_RETAINERS`] of them) that is reachable gives the path `retainer_path(r)`, the edge
//! `r → x`, then `P` from `x` on. A candidate whose prefix passes through a node of that suffix
//! (a cycle) is skipped, as is a duplicate. Candidates are ranked by length, then by how near to
//! the object they leave `P`, then by retainer order; to bound the work, only the
//! [`SPUR_CANDIDATES`] candidates whose retainer is nearest the root are materialised.

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

/// Most retainers of one node of the shortest path looked at for spur paths.
pub const SPUR_RETAINERS: usize = 50;
/// Most spur candidates whose prefix is computed.
pub const SPUR_CANDIDATES: usize = 200;
/// Most paths [`Analysis::retainer_paths`] returns.
pub const MAX_PATHS: usize = 50;

/// A retainer path: `(edge into the node, node)`, root first (whose edge is `None`).
pub type RawPath = Vec<(Option<EdgeIdx>, NodeOrd)>;

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

    /// Up to `limit` (at most `MAX_PATHS`, 50) retainer paths of node `o`, root first each: the
    /// first is [`Analysis::retainer_path`], the others are spur paths (see the module docs).
    /// Empty if `o` is unreachable.
    pub fn retainer_paths(&self, o: NodeOrd, limit: usize) -> Vec<RawPath> {
        let limit = limit.min(MAX_PATHS);
        let Some(p) = self.retainer_path(o).filter(|_| limit > 0) else {
            return Vec::new();
        };
        let root = self.snap.root as usize;
        let weak = self.snap.header.meta.edge_types.weak;
        let k = p.len() - 1;
        // (estimated length, how far from the object it leaves P, retainer order, r, edge, j)
        let mut candidates: Vec<(i64, usize, usize, usize, usize, usize)> = Vec::new();
        for j in (1..=k).rev() {
            let x = p[j].1.index();
            let used = p[j].0.map(EdgeIdx::index);
            for slot in self.retainers.of(x).take(SPUR_RETAINERS) {
                let r = self.retainers.node[slot] as usize;
                if r != root && self.distance[r] < 0 {
                    continue;
                }
                let ei = self.retainers.edge_of(&self.snap, x, slot);
                if Some(ei) == used || self.snap.edge_type[ei] == weak {
                    continue;
                }
                let seq = candidates.len();
                let estimate = self.path_distance(r) + (k - j) as i64;
                candidates.push((estimate, k - j, seq, r, ei, j));
            }
        }
        candidates.sort_unstable();
        candidates.truncate(SPUR_CANDIDATES);
        let mut found: Vec<(usize, usize, usize, RawPath)> = Vec::new();
        for (_, near, seq, r, ei, j) in candidates {
            let Some(mut path) = self.retainer_path(NodeOrd::from_index(r)) else {
                continue;
            };
            let suffix = &p[j..];
            if path
                .iter()
                .any(|&(_, n)| suffix.iter().any(|&(_, s)| s == n))
            {
                continue;
            }
            path.push((Some(EdgeIdx::from_index(ei)), p[j].1));
            path.extend_from_slice(&p[j + 1..]);
            if path == p || found.iter().any(|f| f.3 == path) {
                continue;
            }
            found.push((path.len(), near, seq, path));
        }
        found.sort_by_key(|f| (f.0, f.1, f.2));
        let mut out = vec![p];
        out.extend(found.into_iter().take(limit - 1).map(|f| f.3));
        out
    }

    /// A retainer path with each step's edge and node materialised.
    pub fn steps_of(&self, path: RawPath) -> Vec<PathStep> {
        path.into_iter()
            .map(|(e, n)| PathStep {
                edge: e.map(|e| self.edge_name(e)),
                edge_type: e.map(|e| self.edge_type_name(e).to_owned()),
                node: self.node(n),
            })
            .collect()
    }

    /// [`Analysis::retainer_path`] with each step's edge and node materialised (empty if `o` is
    /// unreachable).
    pub fn path_steps(&self, o: NodeOrd) -> Vec<PathStep> {
        self.steps_of(self.retainer_path(o).unwrap_or_default())
    }
}
