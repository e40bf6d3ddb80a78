//! memlab's baseline/target/final rule (spec §7.3): objects allocated between the baseline and
//! the target that are still alive in the final snapshot are leak candidates. Trivial objects
//! (numbers, strings, hidden/internal nodes, code) are not leaks. Candidates are grouped by the
//! shape of their shortest retainer path (edge names with element indexes folded, and the
//! classes along it), and a group's size counts objects dominated by another member once
//! (memlab's `aggregateDominatorMetrics`). Groups are ranked by that size.

use super::DiffOptions;
use crate::analysis::Analysis;
use crate::analysis::{PathStep, SourceLocation};
use crate::ids::{EdgeIdx, NodeId, StrId};
use crate::strings::Text;
use std::collections::{HashMap, HashSet};

/// A group of leak candidates with similar retainer paths (memlab's rule).
#[derive(Debug, Clone, PartialEq)]
pub struct LeakGroup {
    /// Class name of the leaked objects.
    pub name: Text,
    /// How many objects the group has.
    pub count: u64,
    /// Retained size of the group (objects dominated by another member counted once).
    pub retained_size: f64,
    /// Retainer path of the group's largest object, root first.
    pub retainer_path: Vec<PathStep>,
    /// Location of that object.
    pub location: Option<SourceLocation>,
    /// Ids of some members (largest first, at most 20).
    pub ids: Vec<u32>,
}

/// Candidates beyond this many are sampled (and a warning says so); memoised tracing makes
/// even this many cheap.
const MAX_TRACED: usize = 1_000_000;
/// Retainer paths longer than this are not traced (memlab drops traces over 100 edges).
const MAX_PATH: usize = 100;
/// Sources with more edges than this get an index from target to edge.
const WIDE: usize = 64;

/// Interned retainer-path signatures: each is (edge label into the node, node's class, the
/// signature of the node it is retained by). Candidates of one leak share most of their path,
/// so each node on it is traced once.
struct Tracer<'a> {
    a: &'a Analysis,
    memo: HashMap<u32, u32>,
    sigs: HashMap<(String, StrId, u32), u32>,
    wide: HashMap<u32, HashMap<u32, usize>>,
}

const ROOT_SIG: u32 = 0;
const NO_SIG: u32 = u32::MAX;
/// The signature of a node whose retainer path is longer than [`MAX_PATH`].
const TOO_LONG: u32 = u32::MAX - 1;

impl<'a> Tracer<'a> {
    fn new(a: &'a Analysis) -> Self {
        Tracer {
            a,
            memo: HashMap::new(),
            sigs: HashMap::new(),
            wide: HashMap::new(),
        }
    }

    /// The edge from `from` into `to` (the first one).
    fn edge(&mut self, from: usize, to: usize) -> Option<usize> {
        let snap = &self.a.snap;
        let edges = snap.edges_of(from);
        if edges.len() <= WIDE {
            return edges
                .into_iter()
                .find(|&ei| snap.edge_to[ei] as usize == to);
        }
        let index = self.wide.entry(from as u32).or_insert_with(|| {
            let mut m = HashMap::new();
            for ei in snap.edges_of(from) {
                m.entry(snap.edge_to[ei]).or_insert(ei);
            }
            m
        });
        index.get(&(to as u32)).copied()
    }

    /// The closest non-weak retainer of `cur` (by distance, then retainer order) and its edge.
    fn step(&mut self, cur: usize) -> Option<(usize, usize)> {
        let a = self.a;
        let weak = a.snap.header.meta.edge_types.weak;
        let root = a.snap.root as usize;
        let d = if a.distance[cur] < 0 {
            i32::MAX
        } else {
            a.distance[cur]
        };
        let mut closer: Vec<(i32, usize)> = a
            .retainers
            .of(cur)
            .map(|slot| {
                let from = a.retainers.node[slot] as usize;
                (if from == root { -1 } else { a.distance[from] }, from)
            })
            .filter(|&(fd, from)| (fd >= 0 || from == root) && fd < d)
            .collect();
        closer.sort_by_key(|&(fd, _)| fd);
        for (_, from) in closer {
            if let Some(ei) = self.edge(from, cur) {
                if a.snap.edge_type[ei] != weak {
                    return Some((from, ei));
                }
            }
        }
        None
    }

    fn label(&self, ei: usize) -> String {
        let a = self.a;
        if a.snap.header.meta.edge_has_index_name(a.snap.edge_type[ei]) {
            return "[]".to_owned();
        }
        let n = a.edge_name(EdgeIdx::from_index(ei));
        if n.bytes().all(|b| b.is_ascii_digit()) {
            "[]".to_owned()
        } else {
            n
        }
    }

    /// The signature of node `o`'s shortest retainer path, `NO_SIG` (no path) or `TOO_LONG`.
    fn signature(&mut self, o: usize) -> u32 {
        let root = self.a.snap.root as usize;
        // Walk up until a traced node or the root.
        let mut chain: Vec<(usize, usize)> = Vec::new(); // (node, edge into it)
        let mut cur = o;
        let mut top = loop {
            if cur == root {
                break ROOT_SIG;
            }
            if let Some(&s) = self.memo.get(&(cur as u32)) {
                break s;
            }
            if chain.len() > MAX_PATH {
                break TOO_LONG;
            }
            match self.step(cur) {
                Some((from, ei)) => {
                    chain.push((cur, ei));
                    cur = from;
                }
                None => break NO_SIG,
            }
        };
        for &(node, ei) in chain.iter().rev() {
            if top < TOO_LONG {
                let key = (self.label(ei), self.a.classes.class_of(node), top);
                let next = self.sigs.len() as u32 + 1;
                top = *self.sigs.entry(key).or_insert(next);
            }
            self.memo.insert(node as u32, top);
        }
        top
    }
}

/// Leak groups of `f` (the final snapshot) among the ids in `allocated` (sorted).
pub(crate) fn find(
    f: &Analysis,
    allocated: &[u32],
    opts: &DiffOptions,
    top: usize,
    warnings: &mut Vec<String>,
) -> Vec<LeakGroup> {
    let nt = f.snap.header.meta.node_types;
    let trivial = [
        nt.number,
        nt.string,
        nt.cons_string,
        nt.sliced_string,
        nt.hidden,
        nt.code,
        nt.synthetic,
    ];
    let mut cands: Vec<usize> = (0..f.node_count())
        .filter(|&o| {
            f.shallow[o] != 0
                && f.distance[o] >= 0
                && !trivial.contains(&f.snap.node_type[o])
                && allocated.binary_search(&f.snap.node_id[o]).is_ok()
                && opts.keeps_class(&f.snap.strings.get(f.classes.class_of(o)))
        })
        .collect();
    let mut sampled = None;
    if cands.len() > MAX_TRACED {
        let step = cands.len().div_ceil(MAX_TRACED);
        sampled = Some((cands.len(), step));
        cands = cands.into_iter().step_by(step).collect();
    }
    let mut tracer = Tracer::new(f);
    let mut groups: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut untraced = 0usize;
    for &o in &cands {
        match tracer.signature(o) {
            NO_SIG => {}
            TOO_LONG => untraced += 1,
            sig => groups.entry(sig).or_default().push(o),
        }
    }
    drop(tracer);
    if untraced > 0 {
        // Never dropped silently: a chain that gets longer (a closure chain, a linked list) has
        // retainer paths over the limit; the findings follow chains of any length.
        warnings.push(format!(
            "leak groups: {untraced} candidates whose retainer path is longer than {MAX_PATH} steps (a chain) are \
             in no group; the findings follow chains of any length"
        ));
    }
    let mut out: Vec<LeakGroup> = groups
        .into_values()
        .map(|mut members| {
            let set: HashSet<u32> = members.iter().map(|&o| o as u32).collect();
            let root = f.snap.root;
            // Count a member only if no other member dominates it.
            let retained: f64 = members
                .iter()
                .filter(|&&o| {
                    let mut d = f.dominator[o];
                    while d != root {
                        if set.contains(&d) {
                            return false;
                        }
                        d = f.dominator[d as usize];
                    }
                    true
                })
                .map(|&o| f.retained[o])
                .sum();
            members.sort_by(|&x, &y| f.retained[y].total_cmp(&f.retained[x]).then(x.cmp(&y)));
            let lead = members[0];
            LeakGroup {
                name: Text(f.snap.strings.wtf8(f.classes.class_of(lead)).to_vec()),
                count: members.len() as u64,
                retained_size: retained,
                retainer_path: Vec::new(),
                location: None,
                ids: members
                    .iter()
                    .take(20)
                    .map(|&o| f.snap.node_id[o])
                    .collect(),
            }
        })
        .filter(|g| g.retained_size >= opts.min_retained_size)
        .collect();
    out.sort_by(|x, y| {
        y.retained_size
            .total_cmp(&x.retained_size)
            .then_with(|| x.name.cmp(&y.name))
    });
    out.truncate(top);
    if let Some((total, step)) = sampled {
        warnings.push(format!(
            "{total} leak candidates: one in {step} was traced, so leak group counts and sizes are from that sample"
        ));
    }
    for g in &mut out {
        if let Some(o) = f.ordinal_of(NodeId(g.ids[0])) {
            g.retainer_path = f.path_steps(o);
            g.location = f.location(o);
        }
    }
    out
}
