//! The analysis pipeline (spec §2, in DevTools' order) and the queries over its result.
//!
//! [`Analysis::run`] takes a parsed [`Snapshot`] through: DOM-state propagation, retainers and
//! page-owned marking, essential edges and shallow-size attribution, then the dominator tree and
//! retained sizes on one core while distances and class names run on the other, then the
//! dominator children, Summary and Statistics. Everything stays in columns; queries build small
//! owned values on request.

pub mod bits;
pub mod classes;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod essential;
pub mod retainers;
pub mod shallow;
pub mod statistics;
pub mod summary;
pub mod weakmap;

use crate::error::Result;
use crate::ids::StrId;
use crate::ids::{NodeId, NodeOrd};
use crate::progress::{check, require, Observer, Phase};
use crate::snapshot::{Location, Snapshot};
use crate::strings::Text;
use classes::Classes;
use dominators::DominatedNodes;
use retainers::Retainers;
use statistics::Statistics;
use std::sync::OnceLock;

/// Options of an analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {}

/// One Summary row, as DevTools' Summary view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// DevTools' public class key: `,Name`, or `scriptId,line,column,Name` for objects whose
    /// constructor has a source location.
    pub key: Text,
    /// The class name (`Map`, `(string)`, `{a, b}`, …).
    pub name: Text,
    /// Number of objects (those with a non-zero shallow size).
    pub count: u64,
    /// Smallest distance from a root among them (`-5` if none was reached).
    pub distance: i32,
    /// Sum of their shallow sizes.
    pub shallow_size: f64,
    /// Memory the class keeps alive, counting nested objects of the same class once.
    pub retained_size: f64,
}

/// A resolved source location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// V8 script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
    /// The script's name (URL or path), when the snapshot has it.
    pub script_name: Option<String>,
}

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

/// A fully analysed snapshot.
pub struct Analysis {
    /// The snapshot, with `Detached ` names applied and the analysis' strings appended.
    pub snap: Snapshot,
    /// Incoming edges.
    pub retainers: Retainers,
    /// Shallow sizes after attribution.
    pub shallow: Vec<u32>,
    /// Retained sizes.
    pub retained: Vec<f64>,
    /// Immediate dominators.
    pub dominator: Vec<u32>,
    /// Distances.
    pub distance: Vec<i32>,
    /// Detachedness after propagation.
    pub detachedness: Vec<u8>,
    /// Class names and keys.
    pub classes: Classes,
    /// Dominator-tree children.
    pub dominated: DominatedNodes,
    /// Summary aggregates (internal keys).
    aggregates: Vec<summary::Aggregate>,
    /// Statistics view.
    pub statistics: Statistics,
    /// Problems that did not stop the work.
    pub warnings: Vec<String>,
    id_index: OnceLock<Vec<u32>>,
    script_names: OnceLock<std::collections::HashMap<u32, String>>,
}

/// Fails early when even the parsed columns cannot fit under the memory limit: they take at
/// least a third of the file's size (a number of 2 to 12 bytes of text becomes 1 to 4 bytes; on
/// real snapshots the columns are 0.7 times the file).
fn require_for_parse(path: &std::path::Path, obs: &dyn Observer) -> Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    require(obs, size / 3)
}

impl Analysis {
    /// Parses and analyses the snapshot at `path`.
    pub fn from_path(path: &std::path::Path, obs: &dyn Observer) -> Result<Analysis> {
        require_for_parse(path, obs)?;
        let snap = crate::parse::parse_file(path, obs)?;
        Analysis::run(snap, obs)
    }

    /// Runs the DevTools pipeline on a parsed snapshot.
    pub fn run(snap: Snapshot, obs: &dyn Observer) -> Result<Analysis> {
        Analysis::run_with(snap, obs, true)
    }

    /// Parses and analyses `path` without distances, Summary, Statistics and dominator children:
    /// the first snapshot of a diff needs (it is reduced and dropped right after).
    pub(crate) fn from_path_for_diff(
        path: &std::path::Path,
        obs: &dyn Observer,
    ) -> Result<Analysis> {
        require_for_parse(path, obs)?;
        let snap = crate::parse::parse_file(path, obs)?;
        Analysis::run_with(snap, obs, false)
    }

    fn run_with(mut snap: Snapshot, obs: &dyn Observer, full: bool) -> Result<Analysis> {
        check(obs)?;
        // What the analysis adds to the parsed columns at its peak (the dominator tree's
        // temporaries, retainers, sizes, distances and class keys), measured on real snapshots.
        let (n, e) = (snap.node_count() as u64, snap.edge_count() as u64);
        require(
            obs,
            crate::alloc::in_use().max(snap.heap_bytes()) as u64 + 44 * n + 4 * e,
        )?;
        obs.progress(Phase::Index, 0.0);
        let detachedness = dom_state::propagate(&mut snap, obs)?;
        let (page_owned, eph) = rayon::join(
            || essential::mark_page_owned(&snap, obs),
            || essential::EphemeronNames::build(&snap, obs),
        );
        let (page_owned, eph) = (page_owned?, eph?);
        obs.progress(Phase::Index, 1.0);
        let root = snap.root as usize;
        let has_user_roots = snap
            .edges_of(root)
            .any(|ei| essential::is_user_root(&snap, snap.edge_to[ei] as usize));
        let (essential, shallow) = rayon::join(
            || essential::essential_edges(&snap, &page_owned, &eph, obs),
            || shallow::attribute(&snap, has_user_roots, obs),
        );
        let (essential, shallow) = (essential?, shallow?);
        drop(page_owned);
        let retainers = Retainers::build(&snap, &essential, obs)?;
        obs.progress(Phase::Dominators, 0.0);
        let (dom_and_retained, distance_and_classes) = rayon::join(
            || -> Result<_> {
                let d = dominators::compute(&snap, &retainers, &essential, obs)?;
                let r = dominators::retained_sizes(&d, &shallow, obs)?;
                Ok((d, r))
            },
            || -> Result<_> {
                // The first snapshot of a diff is reduced to ids, sizes and classes: no
                // distances.
                let dist = if full {
                    distances::compute(&snap, &eph, obs)?
                } else {
                    Vec::new()
                };
                obs.progress(Phase::Distances, 1.0);
                Ok((dist, classes::compute(&snap, obs)?))
            },
        );
        let (dom, retained) = dom_and_retained?;
        let (distance, (classes, added)) = distance_and_classes?;
        drop(essential);
        drop(eph);
        obs.progress(Phase::Dominators, 1.0);
        snap.strings.append(&added.table);
        let mut warnings = std::mem::take(&mut snap.warnings);
        if dom.unreachable > 0 {
            warnings.push(format!(
                "{} nodes are unreachable from the root through retaining edges ({} of them only from each other)",
                dom.unreachable, dom.cliques
            ));
        }
        let dominator = dom.dominator;
        drop(dom.preorder);
        obs.progress(Phase::Classes, 0.0);
        let total = retained[root] + snap.header.extra_native_bytes as f64;
        let (dominated, aggregates, statistics) = if full {
            let dominated = DominatedNodes::build(&dominator, snap.root, obs)?;
            let columns = summary::Columns {
                snap: &snap,
                classes: &classes,
                shallow: &shallow,
                distance: &distance,
                retained: &retained,
                dominated: &dominated,
            };
            let aggregates = summary::aggregates(&columns, None, obs)?;
            let statistics = statistics::compute(&snap, &shallow, &retainers, total, obs)?;
            (dominated, aggregates, statistics)
        } else {
            let none = DominatedNodes {
                first: vec![0; snap.node_count() + 1],
                nodes: Vec::new(),
            };
            (
                none,
                Vec::new(),
                Statistics {
                    total,
                    ..Default::default()
                },
            )
        };
        obs.progress(Phase::Classes, 1.0);
        obs.progress(Phase::Done, 1.0);
        Ok(Analysis {
            snap,
            retainers,
            shallow,
            retained,
            dominator,
            distance,
            detachedness,
            classes,
            dominated,
            aggregates,
            statistics,
            warnings,
            id_index: OnceLock::new(),
            script_names: OnceLock::new(),
        })
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.snap.node_count()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.snap.edge_count()
    }

    /// Total size, as under the snapshot title in DevTools: root retained size plus
    /// `extra_native_bytes`.
    pub fn total_size(&self) -> f64 {
        self.statistics.total
    }

    /// The Summary view's rows ("All objects"), largest retained size first.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let mut rows: Vec<SummaryRow> = self
            .public_rows(&self.aggregates)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        rows.sort_by(|a, b| {
            b.retained_size
                .total_cmp(&a.retained_size)
                .then_with(|| a.key.cmp(&b.key))
        });
        rows
    }

    /// Summary aggregates of the nodes accepted by `filter`, in DevTools' first-seen order of
    /// their internal class keys (e.g. "Objects allocated between snapshots": an id range).
    pub fn aggregates_where(
        &self,
        filter: &dyn Fn(usize) -> bool,
        obs: &dyn Observer,
    ) -> Result<Vec<summary::Aggregate>> {
        let columns = summary::Columns {
            snap: &self.snap,
            classes: &self.classes,
            shallow: &self.shallow,
            distance: &self.distance,
            retained: &self.retained,
            dominated: &self.dominated,
        };
        summary::aggregates(&columns, Some(filter), obs)
    }

    /// The unfiltered ("All objects") aggregates, in first-seen order.
    pub fn all_aggregates(&self) -> &[summary::Aggregate] {
        &self.aggregates
    }

    /// Rows with DevTools' public keys, in first-seen order, each with the internal key that
    /// produced it. DevTools collects them in a plain object, so when two internal keys share a
    /// public key the later replaces the earlier; that is kept for exact parity.
    pub fn public_rows(&self, aggregates: &[summary::Aggregate]) -> Vec<(SummaryRow, u32)> {
        let mut by_public: std::collections::HashMap<Text, usize> =
            std::collections::HashMap::new();
        let mut rows: Vec<(SummaryRow, u32)> = Vec::with_capacity(aggregates.len());
        for a in aggregates {
            let key = self.classes.keys[a.key as usize].public(&self.snap);
            let row = SummaryRow {
                key: key.clone(),
                name: Text(self.snap.strings.wtf8(a.name).to_vec()),
                count: a.count,
                distance: a.distance,
                shallow_size: a.shallow_size,
                retained_size: a.retained_size,
            };
            match by_public.get(&key) {
                Some(&i) => rows[i] = (row, a.key),
                None => {
                    by_public.insert(key, rows.len());
                    rows.push((row, a.key));
                }
            }
        }
        rows
    }

    /// The largest odd node id: DevTools' `maxJSObjectId`, the bound of "objects allocated
    /// between snapshots" (V8 heap objects have odd ids).
    pub fn max_js_object_id(&self) -> u32 {
        self.snap
            .node_id
            .iter()
            .copied()
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }

    /// The ordinal of the node with V8 id `id`.
    pub fn ordinal_of(&self, id: NodeId) -> Option<NodeOrd> {
        let index = self.id_index.get_or_init(|| {
            let mut v: Vec<u32> = (0..self.node_count() as u32).collect();
            v.sort_by_key(|&o| self.snap.node_id[o as usize]);
            v
        });
        let ids = &self.snap.node_id;
        index
            .binary_search_by_key(&id.0, |&o| ids[o as usize])
            .ok()
            .map(|i| NodeOrd(index[i]))
    }

    /// The type name of node `o`.
    pub fn type_name(&self, o: usize) -> &str {
        self.snap.header.meta.node_type_name(self.snap.node_type[o])
    }

    /// DevTools' display name of node `o` (`JSHeapSnapshotNode.name()`).
    pub fn display_name(&self, o: usize) -> String {
        self.display_text(o).to_lossy().into_owned()
    }

    /// [`Analysis::display_name`] as exact text.
    pub fn display_text(&self, o: usize) -> Text {
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let t = snap.node_type[o];
        if t == nt.cons_string {
            return self.cons_string_name(o);
        }
        if t == nt.object && snap.strings.eq(snap.node_name[o], "Object") {
            return self.plain_object_name(o);
        }
        Text(snap.strings.wtf8(snap.node_name[o]).to_vec())
    }

    fn cons_string_name(&self, o: usize) -> Text {
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let internal = snap.header.meta.edge_types.internal;
        let mut out: Vec<u8> = Vec::new();
        let mut len16 = 0usize;
        let mut stack = vec![o as u32];
        // DevTools stops at 1024 characters; a cycle of cons strings around empty strings (only
        // in a corrupt file) would never get there, so the walk is bounded too.
        let mut steps = 0u32;
        while let Some(x) = stack.pop() {
            steps += 1;
            if len16 >= 1024 || steps > 1 << 16 {
                break;
            }
            let x = x as usize;
            if snap.node_type[x] != nt.cons_string {
                let s = snap.strings.wtf8(snap.node_name[x]);
                out.extend_from_slice(s);
                len16 += crate::strings::utf16_len(s);
                continue;
            }
            let (mut first, mut second) = (0u32, 0u32);
            for ei in snap.edges_of(x) {
                if first != 0 && second != 0 {
                    break;
                }
                if snap.edge_type[ei] == internal {
                    let n = snap.strings.wtf8(StrId(snap.edge_name[ei]));
                    if n == b"first" {
                        first = snap.edge_to[ei];
                    } else if n == b"second" {
                        second = snap.edge_to[ei];
                    }
                }
            }
            stack.push(second);
            stack.push(first);
        }
        Text(out)
    }

    fn plain_object_name(&self, o: usize) -> Text {
        let snap = &self.snap;
        let property = snap.header.meta.edge_types.property;
        let edges = snap.edges_of(o);
        let (mut start, mut end) = (edges.start as isize, edges.end as isize - 1);
        let mut front: Vec<u8> = b"{".to_vec();
        let mut back: Vec<u8> = b"}".to_vec();
        let (mut front16, mut back16) = (1usize, 1usize);
        let mut from_end = false;
        while start <= end {
            let ei = if from_end { end } else { start } as usize;
            let skip = snap.edge_type[ei] != property
                || snap.strings.wtf8(StrId(snap.edge_name[ei])) == b"__proto__";
            if skip {
                if from_end {
                    end -= 1;
                } else {
                    start += 1;
                }
                continue;
            }
            let f = classes::format_property_name(snap.strings.wtf8(StrId(snap.edge_name[ei])));
            let f16 = crate::strings::utf16_len(&f);
            if front16 > 1 && front16 + back16 + f16 > 100 {
                break;
            }
            if from_end {
                end -= 1;
                if back16 > 1 {
                    back.splice(0..0, b", ".iter().copied());
                    back16 += 2;
                }
                back.splice(0..0, f.iter().copied());
                back16 += f16;
            } else {
                start += 1;
                if front16 > 1 {
                    front.extend_from_slice(b", ");
                    front16 += 2;
                }
                front.extend_from_slice(&f);
                front16 += f16;
            }
            from_end = !from_end;
        }
        if start <= end {
            front.extend_from_slice(", \u{2026}".as_bytes());
        }
        if back16 > 1 {
            front.extend_from_slice(b", ");
        }
        front.extend_from_slice(&back);
        Text(front)
    }

    /// Everything the API shows about node `o`.
    pub fn node(&self, o: usize) -> NodeInfo {
        NodeInfo {
            ordinal: NodeOrd(o as u32),
            id: NodeId(self.snap.node_id[o]),
            name: self.display_text(o),
            node_type: self.type_name(o).to_owned(),
            class_name: Text(self.snap.strings.wtf8(self.classes.class_of(o)).to_vec()),
            self_size: self.snap.self_size[o],
            shallow_size: self.shallow[o],
            retained_size: self.retained[o],
            distance: self.distance[o],
            detached: self.detachedness[o] == dom_state::DETACHED,
            dominator_id: NodeId(self.snap.node_id[self.dominator[o] as usize]),
        }
    }

    /// The name of edge `ei` as DevTools shows it (element indexes as numbers).
    pub fn edge_name(&self, ei: usize) -> String {
        let snap = &self.snap;
        let t = snap.edge_type[ei];
        if snap.header.meta.edge_has_index_name(t) {
            snap.edge_name[ei].to_string()
        } else {
            snap.strings.get(StrId(snap.edge_name[ei])).into_owned()
        }
    }

    fn edge_info(&self, ei: usize, other: u32) -> EdgeInfo {
        EdgeInfo {
            edge_type: self
                .snap
                .header
                .meta
                .edge_type_name(self.snap.edge_type[ei])
                .to_owned(),
            name: self.edge_name(ei),
            node: NodeOrd(other),
        }
    }

    /// Outgoing edges of node `o`, in file order.
    pub fn references(&self, o: usize) -> Vec<EdgeInfo> {
        self.snap
            .edges_of(o)
            .map(|ei| self.edge_info(ei, self.snap.edge_to[ei]))
            .collect()
    }

    /// Incoming edges of node `o`, in DevTools' retainer order.
    pub fn retainers_of(&self, o: usize) -> Vec<EdgeInfo> {
        self.retainers
            .of(o)
            .map(|s| {
                self.edge_info(
                    self.retainers.edge_of(&self.snap, o, s),
                    self.retainers.node[s],
                )
            })
            .collect()
    }

    /// The nodes node `o` immediately dominates, largest retained size first.
    pub fn dominated_by(&self, o: usize) -> Vec<NodeOrd> {
        let mut v: Vec<u32> = self.dominated.of(o).to_vec();
        v.sort_by(|&a, &b| {
            self.retained[b as usize]
                .total_cmp(&self.retained[a as usize])
                .then(a.cmp(&b))
        });
        v.into_iter().map(NodeOrd).collect()
    }

    /// The `n` nodes with the largest retained sizes, leaving out the root and synthetic nodes.
    pub fn top(&self, n: usize) -> Vec<NodeOrd> {
        let synthetic = self.snap.header.meta.node_types.synthetic;
        let mut v: Vec<u32> = (0..self.node_count() as u32)
            .filter(|&o| self.snap.node_type[o as usize] != synthetic && o != self.snap.root)
            .collect();
        let by = |a: &u32, b: &u32| {
            self.retained[*b as usize]
                .total_cmp(&self.retained[*a as usize])
                .then(a.cmp(b))
        };
        if n < v.len() {
            v.select_nth_unstable_by(n, by);
            v.truncate(n);
        }
        v.sort_by(by);
        v.into_iter().map(NodeOrd).collect()
    }

    /// Retainers-view distance of node `o` (the root counts as closest).
    fn path_distance(&self, o: usize) -> i64 {
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

    /// A shortest retainer path from the root to node `o`, as DevTools' Retainers view expands
    /// it: at each step the non-weak retainer with the smallest distance, ties broken by name and
    /// then by DevTools' retainer order. Returned root first, as `(edge into the node, node)`
    /// pairs after the root. `None` if `o` is unreachable.
    pub fn retainer_path(&self, o: usize) -> Option<Vec<(Option<usize>, NodeOrd)>> {
        let root = self.snap.root as usize;
        if self.distance[o] < 0 && o != root {
            return None;
        }
        let weak = self.snap.header.meta.edge_types.weak;
        let mut steps: Vec<(Option<usize>, NodeOrd)> = Vec::new();
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
                let name = self.display_name(from);
                if best.as_ref().is_none_or(|b| name < b.1) {
                    best = Some((d, name, from, ei));
                }
            }
            let (_, _, from, ei) = best?;
            steps.push((Some(ei), NodeOrd(cur as u32)));
            cur = from;
        }
        steps.push((None, NodeOrd(root as u32)));
        steps.reverse();
        Some(steps)
    }

    /// The source location of node `o`: its own (closures, objects with a script constructor).
    pub fn location(&self, o: usize) -> Option<SourceLocation> {
        let l: Location = self.snap.location(o as u32)?;
        Some(SourceLocation {
            script_id: l.script_id,
            line: l.line,
            column: l.column,
            script_name: self.script_name(o),
        })
    }

    /// The name of the script node `o`'s location points into (its own function for a closure,
    /// its constructor's for an object), when the snapshot has it.
    pub fn script_name(&self, o: usize) -> Option<String> {
        let l = self.snap.location(o as u32)?;
        self.script_names().get(&l.script_id).cloned()
    }

    /// Script id → script name, learned once from the closures: a closure's `shared` →
    /// `script` → `name` edges name the script its location points into.
    fn script_names(&self) -> &std::collections::HashMap<u32, String> {
        self.script_names.get_or_init(|| {
            let closure = self.snap.header.meta.node_types.closure;
            let mut names = std::collections::HashMap::new();
            for (o, l) in self.snap.locations.iter() {
                if names.contains_key(&l.script_id) || self.snap.node_type[o as usize] != closure {
                    continue;
                }
                if let Some(n) = self.closure_script_name(o as usize) {
                    names.insert(l.script_id, n);
                }
            }
            names
        })
    }

    fn closure_script_name(&self, closure: usize) -> Option<String> {
        let nt = self.snap.header.meta.node_types;
        let shared = self.edge_target(closure, "shared")?;
        let script = self
            .edge_target(shared, "script")
            .or_else(|| self.edge_target(shared, "script_or_debug_info"))?;
        let name = self.edge_target(script, "name")?;
        let t = self.snap.node_type[name];
        (t == nt.string || t == nt.cons_string || t == nt.sliced_string)
            .then(|| self.display_name(name))
            .filter(|s| !s.is_empty())
    }

    fn edge_target(&self, o: usize, name: &str) -> Option<usize> {
        let snap = &self.snap;
        snap.edges_of(o)
            .find(|&ei| {
                !snap.header.meta.edge_has_index_name(snap.edge_type[ei])
                    && snap.strings.eq(StrId(snap.edge_name[ei]), name)
            })
            .map(|ei| snap.edge_to[ei] as usize)
    }

    /// Nodes whose display name or class name contains `pattern`, up to `limit`, largest
    /// retained size first. Zero-size nodes are skipped, as DevTools' search does.
    pub fn find_by_name(&self, pattern: &str, limit: usize) -> Vec<NodeOrd> {
        let pat = pattern.as_bytes();
        let contains = |h: &[u8]| pat.is_empty() || h.windows(pat.len()).any(|w| w == pat);
        let mut hits: Vec<u32> = (0..self.node_count())
            .filter(|&o| self.shallow[o] != 0)
            .filter(|&o| {
                contains(self.snap.strings.wtf8(self.snap.node_name[o]))
                    || contains(self.snap.strings.wtf8(self.classes.class_of(o)))
                    || (self.snap.node_type[o] == self.snap.header.meta.node_types.object
                        && self.snap.strings.eq(self.snap.node_name[o], "Object")
                        && contains(self.display_name(o).as_bytes()))
            })
            .map(|o| o as u32)
            .collect();
        hits.sort_by(|&a, &b| {
            self.retained[b as usize]
                .total_cmp(&self.retained[a as usize])
                .then(a.cmp(&b))
        });
        hits.truncate(limit);
        hits.into_iter().map(NodeOrd).collect()
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

    /// Bytes held by the analysis (columns only), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.snap.heap_bytes()
            + 4 * (self.retainers.first.capacity() + self.retainers.node.capacity())
            + self.retainers.node.capacity() / 8
            + 4 * self.shallow.capacity()
            + 8 * self.retained.capacity()
            + 4 * (self.dominator.capacity() + self.distance.capacity())
            + 4 * self.classes.key_of.capacity()
            + 4 * (self.dominated.first.capacity() + self.dominated.nodes.capacity())
    }
}
