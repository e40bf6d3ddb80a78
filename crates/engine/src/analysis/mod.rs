//! The analysis pipeline (spec §2, in DevTools' order) and the queries over its result.
//!
//! [`Analysis::run`] takes a parsed [`Snapshot`] through: DOM-state propagation, page-owned
//! marking, essential edges and shallow-size attribution, the retainers (while the DFS from the
//! root numbers the nodes), then the dominator tree with retained sizes on one core while the
//! distances, the Statistics sums and the class names run on the other, then the dominator
//! children (beside the Summary's counts) and the Summary's retained sizes. Each step is a pair
//! of independent halves for Rayon's work stealing, so a core that runs out of work takes the
//! other's pending half: the schedule is a shape, not a split. Everything stays in columns
//! indexed by node ordinal; the queries ([`names`], [`queries`], [`locations`], [`paths`],
//! [`summary`]) build small owned values on request.
//!
//! Terms: a node's *shallow size* is its own size as DevTools shows it (internal storage owned
//! only by it included); its *retained size* is what would be freed without it (the shallow
//! sizes of the nodes it dominates); its *distance* is the number of edges from the nearest GC
//! root.

pub(crate) mod bits;
pub(crate) mod classes;
pub(crate) mod distances;
pub(crate) mod dom_state;
pub(crate) mod dominators;
pub(crate) mod essential;
pub(crate) mod explain;
pub(crate) mod external;
pub(crate) mod id_order;
pub(crate) mod locations;
pub(crate) mod names;
pub(crate) mod pages;
pub(crate) mod path_text;
pub(crate) mod paths;
pub(crate) mod queries;
pub(crate) mod quirks;
pub(crate) mod ranges;
pub(crate) mod retainers;
pub(crate) mod search;
pub(crate) mod shallow;
pub(crate) mod statistics;
pub(crate) mod strings_report;
pub(crate) mod summary;
pub(crate) mod weakmap;

use crate::error::Result;
use crate::ids::{NodeId, NodeOrd};
use crate::progress::{check, require, require_held, Observer, Phase};
use crate::snapshot::Snapshot;
use classes::Classes;
use dominators::DominatedNodes;
use retainers::Retainers;
use statistics::Statistics;

pub use locations::SourceLocation;
pub use paths::PathStep;
pub use queries::{EdgeInfo, NodeInfo};
use std::collections::HashMap;
use std::sync::OnceLock;
pub use summary::SummaryRow;

/// A fully analysed snapshot. The columns are indexed by node ordinal; read them through the
/// accessors ([`Analysis::retained_sizes`], …) or the queries ([`Analysis::node`], …).
pub struct Analysis {
    /// The snapshot, with `Detached ` names applied and the analysis' strings appended.
    pub(crate) snap: Snapshot,
    /// Incoming edges.
    pub(crate) retainers: Retainers,
    /// Shallow sizes after attribution.
    pub(crate) shallow: Vec<u32>,
    /// Retained sizes.
    pub(crate) retained: Vec<f64>,
    /// Immediate dominators (ordinals).
    pub(crate) dominator: Vec<u32>,
    /// Distances.
    pub(crate) distance: Vec<i32>,
    /// Detachedness after propagation.
    pub(crate) detachedness: Vec<u8>,
    /// Class names and keys.
    pub(crate) classes: Classes,
    /// Dominator-tree children.
    pub(crate) dominated: DominatedNodes,
    /// Summary aggregates (internal keys).
    pub(crate) aggregates: Vec<summary::Aggregate>,
    /// Statistics view.
    pub(crate) statistics: Statistics,
    /// Problems that did not stop the work.
    pub(crate) warnings: Vec<String>,
    /// The file it was read from (for [`Analysis::from_path`]).
    pub(crate) file: Option<std::path::PathBuf>,
    id_index: OnceLock<Vec<u32>>,
    scripts: OnceLock<HashMap<u32, locations::ScriptRef>>,
    plain_objects: OnceLock<search::PlainObjects>,
    /// The duplicated strings' groups, built on the first strings request.
    string_groups: OnceLock<strings_report::StringGroups>,
    external: OnceLock<external::ExternalMemory>,
}

/// Fails early when even the parsed columns cannot fit under the memory limit: they take at
/// least a third of the file's size (a number of 2 to 12 bytes of text becomes 1 to 4 bytes; on
/// real snapshots the columns are 0.7 times the file).
fn require_for_parse(path: &std::path::Path, obs: &dyn Observer) -> Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    require(obs, size / 3)
}

/// The pipeline from DOM-state propagation to the dominator tree: the retainers and the tree on
/// one core, and everything that does not feed them (distances, Statistics sums, class names, the
/// Summary's counts) on the other while the tree is built.
struct Graph {
    retainers: Retainers,
    shallow: Vec<u32>,
    dom: dominators::Dominators,
    distance: Vec<i32>,
    /// All but the total (see [`Statistics::with_total`]); none for the first snapshot of a
    /// diff.
    statistics: Option<Statistics>,
    /// Class names and keys, and the strings they add to the table.
    classes: (Classes, classes::AddedStrings),
    /// The Summary's rows without their retained sizes ([`summary::counts`]); none for the
    /// first snapshot of a diff.
    counts: Vec<summary::Aggregate>,
}

impl Graph {
    fn build(snap: &Snapshot, full: bool, obs: &dyn Observer) -> Result<Graph> {
        let (page_owned, eph) = rayon::join(
            || essential::mark_page_owned(snap, obs),
            || essential::EphemeronNames::build(snap, obs),
        );
        let (page_owned, eph) = (page_owned?, eph?);
        obs.progress(Phase::Index, 1.0);
        let root = snap.root as usize;
        let has_user_roots = snap
            .edges_of(root)
            .any(|ei| essential::is_user_root(snap, snap.edge_to[ei] as usize))
            || quirks::bogus_root_edges(snap) > 0;
        let (essential, shallow) = rayon::join(
            || essential::essential_edges(snap, &page_owned, &eph, obs),
            || shallow::attribute(snap, has_user_roots, obs),
        );
        let (essential, shallow) = (essential?, shallow?);
        drop(page_owned);
        // The DFS from the root needs the edges only: it numbers while the retainers are built.
        let (retainers, numbering) = rayon::join(
            || Retainers::build(snap, &essential, obs),
            || dominators::Numbering::from_root(snap, &essential, obs),
        );
        let (retainers, numbering) = (retainers?, numbering?);
        let bogus = quirks::BogusRetainers::of(snap, &essential);
        obs.progress(Phase::Dominators, 0.0);
        // The tree on one core; on the other the distances and Statistics sums, and the class
        // names as a task of their own, which the first core takes if it is done first; then
        // the Summary's counts, which need both.
        let (dom, side) = rayon::join(
            || numbering.dominators(&retainers, bogus, &shallow, full, obs),
            || -> Result<_> {
                let (side, classes) = rayon::join(
                    || -> Result<_> {
                        if !full {
                            // The first snapshot of a diff is reduced to ids, sizes and
                            // classes: no distances or Statistics. But DevTools fails on a
                            // snapshot whose distances walk overflows: so does the first
                            // snapshot of a diff.
                            if quirks::distances_may_overflow(snap) {
                                distances::compute(snap, &eph, obs)?;
                            }
                            return Ok((Vec::new(), None));
                        }
                        let distance = distances::compute(snap, &eph, obs)?;
                        obs.progress(Phase::Distances, 1.0);
                        let statistics =
                            statistics::compute(snap, &shallow, &retainers, bogus, obs)?;
                        Ok((distance, Some(statistics)))
                    },
                    || classes::compute(snap, obs),
                );
                let ((distance, statistics), classes) = (side?, classes?);
                // The Summary's counts need no dominator tree: they are summed here while the
                // tree is still being built.
                let counts = if full {
                    summary::counts(snap, &classes.0, &shallow, &distance, None, obs)?
                } else {
                    Vec::new()
                };
                Ok((distance, statistics, classes, counts))
            },
        );
        let (dom, (distance, statistics, classes, counts)) = (dom?, side?);
        Ok(Graph {
            retainers,
            shallow,
            dom,
            distance,
            statistics,
            classes,
            counts,
        })
    }
}

impl Analysis {
    /// Parses and analyses the snapshot at `path`.
    pub fn from_path(path: &std::path::Path, obs: &dyn Observer) -> Result<Analysis> {
        require_for_parse(path, obs)?;
        let snap = crate::parse::parse_file(path, obs)?;
        let mut a = Analysis::run(snap, obs)?;
        a.file = Some(path.to_owned());
        Ok(a)
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
        let mut a = Analysis::run_with(snap, obs, false)?;
        a.file = Some(path.to_owned());
        Ok(a)
    }

    fn run_with(mut snap: Snapshot, obs: &dyn Observer, full: bool) -> Result<Analysis> {
        check(obs)?;
        // What the analysis adds to the parsed columns at its peak (the dominator tree's
        // temporaries, retainers, sizes, distances and class keys), measured on real snapshots.
        let (n, e) = (snap.node_count() as u64, snap.edge_count() as u64);
        let heap = snap.heap_bytes() as u64;
        require_held(obs, |held| held.max(heap) + 44 * n + 4 * e)?;
        obs.progress(Phase::Index, 0.0);
        let detachedness = dom_state::propagate(&mut snap, obs)?;
        let Graph {
            retainers,
            shallow,
            dom,
            distance,
            statistics,
            classes: (classes, added),
            counts,
        } = Graph::build(&snap, full, obs)?;
        obs.progress(Phase::Dominators, 1.0);
        snap.strings.append(&added.table);
        if let Some(o) = quirks::first_name_past_strings(&snap) {
            // Every string DevTools adds is in the table now, and its `isNativeContext` calls
            // `startsWith` on every node's name.
            let len = snap.strings.len();
            return Err(quirks::name_error(
                &snap,
                o,
                len,
                "checking for native contexts",
            ));
        }
        let mut warnings = std::mem::take(&mut snap.warnings);
        if dom.unreachable > 0 {
            warnings.push(format!(
                "{} nodes are unreachable from the root through retaining edges ({} of them only from each other)",
                dom.unreachable, dom.cliques
            ));
        }
        let (dominator, retained) = (dom.dominator, dom.retained);
        obs.progress(Phase::Classes, 0.0);
        let total = retained[snap.root as usize] + snap.header.extra_native_bytes as f64;
        let statistics = statistics.map_or(
            Statistics {
                total,
                ..Default::default()
            },
            |s| s.with_total(total),
        );
        let (dominated, aggregates) = match dom.dominated {
            Some(dominated) => {
                let mut aggregates = counts;
                let columns = summary::Columns {
                    snap: &snap,
                    classes: &classes,
                    shallow: &shallow,
                    distance: &distance,
                    retained: &retained,
                    dominated: &dominated,
                };
                summary::add_retained(&columns, &mut aggregates, None, obs)?;
                (dominated, aggregates)
            }
            None => {
                let none = DominatedNodes {
                    first: vec![0; snap.node_count() + 1],
                    nodes: Vec::new(),
                };
                (none, Vec::new())
            }
        };
        let analysis = Analysis {
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
            file: None,
            id_index: OnceLock::new(),
            scripts: OnceLock::new(),
            plain_objects: OnceLock::new(),
            string_groups: OnceLock::new(),
            external: OnceLock::new(),
        };
        obs.progress(Phase::Classes, 1.0);
        obs.progress(Phase::Done, 1.0);
        Ok(analysis)
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.snap.node_count()
    }

    /// Number of edges, as DevTools counts them: those pointing past the last node included
    /// (they are not in the edge columns, see [`crate::Anomalies`]).
    pub fn edge_count(&self) -> usize {
        self.snap.edge_count() + self.snap.anomalies.dangling.len()
    }

    /// Total size, as under the snapshot title in DevTools: root retained size plus
    /// `extra_native_bytes`.
    pub fn total_size(&self) -> f64 {
        self.statistics.total
    }

    /// The file the analysis was read from ([`Analysis::from_path`]; `None` for
    /// [`Analysis::run`]).
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    /// The parsed snapshot (with the analysis' strings appended).
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// The root node.
    pub fn root(&self) -> NodeOrd {
        NodeOrd(self.snap.root)
    }

    /// Shallow sizes, by ordinal (DevTools' attribution of owned internals applied).
    pub fn shallow_sizes(&self) -> &[u32] {
        &self.shallow
    }

    /// Retained sizes, by ordinal.
    pub fn retained_sizes(&self) -> &[f64] {
        &self.retained
    }

    /// Distances from the nearest GC root, by ordinal (`-5` if unreachable).
    pub fn distances(&self) -> &[i32] {
        &self.distance
    }

    /// The ordinal of each node's immediate dominator, by ordinal (the root dominates itself).
    pub fn dominators(&self) -> &[u32] {
        &self.dominator
    }

    /// The children of node `o` in the dominator tree, in DevTools' stored order (descending
    /// ordinals); [`Analysis::dominated_by`] sorts them by retained size.
    pub fn dominator_children(&self, o: NodeOrd) -> &[u32] {
        self.dominated.of(o.index())
    }

    /// The Statistics view.
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    /// Problems that did not stop the analysis.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The columns the Summary is computed from.
    pub(crate) fn columns(&self) -> summary::Columns<'_> {
        summary::Columns {
            snap: &self.snap,
            classes: &self.classes,
            shallow: &self.shallow,
            distance: &self.distance,
            retained: &self.retained,
            dominated: &self.dominated,
        }
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
            // Nothing cancels a Quiet observer.
            let mut poll = crate::progress::Poll::new(&crate::Quiet);
            id_order::ordinals_by_id(&self.snap.node_id, &mut poll).expect("not cancelled")
        });
        let ids = &self.snap.node_id;
        index
            .binary_search_by_key(&id.0, |&o| ids[o as usize])
            .ok()
            .map(|i| NodeOrd(index[i]))
    }

    /// Bytes held by the analysis, for memory reports: every column (the snapshot's, the
    /// retainers with their essential bits, sizes, dominators, distances, detachedness, class
    /// keys, dominator children, the id index once built) and the smaller tables (class keys,
    /// Summary aggregates, strings); hash maps and short strings are counted by their entries.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let classes = &self.classes;
        let class_tables = classes.keys.capacity() * size_of::<classes::ClassKey>()
            + classes
                .keys
                .iter()
                .map(|k| match k {
                    classes::ClassKey::Located(_, name) => name.capacity(),
                    classes::ClassKey::Name(_) => 0,
                })
                .sum::<usize>()
            + 4 * classes.key_name.capacity()
            + classes
                .interfaces
                .iter()
                .map(|i| {
                    i.name.0.capacity() + i.properties.iter().map(Vec::capacity).sum::<usize>()
                })
                .sum::<usize>();
        self.snap.heap_bytes()
            + 4 * (self.retainers.first.capacity() + self.retainers.node.capacity())
            + self.retainers.essential.heap_bytes()
            + 4 * self.shallow.capacity()
            + 8 * self.retained.capacity()
            + 4 * (self.dominator.capacity() + self.distance.capacity())
            + self.detachedness.capacity()
            + 4 * self.classes.key_of.capacity()
            + class_tables
            + 4 * (self.dominated.first.capacity() + self.dominated.nodes.capacity())
            + self.aggregates.capacity() * size_of::<summary::Aggregate>()
            + self.id_index.get().map_or(0, |v| 4 * v.capacity())
            + self.scripts.get().map_or(0, |m| {
                m.len() * (size_of::<(u32, locations::ScriptRef)>() + 8)
                    + m.values().map(|s| s.name.capacity()).sum::<usize>()
            })
            + self
                .plain_objects
                .get()
                .map_or(0, search::PlainObjects::heap_bytes)
            + self
                .string_groups
                .get()
                .map_or(0, strings_report::StringGroups::heap_bytes)
            + self.warnings.iter().map(String::capacity).sum::<usize>()
    }
}
