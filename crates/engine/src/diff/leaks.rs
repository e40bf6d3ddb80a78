//! memlab's baseline/target/final rule (spec §7.3): objects allocated between the baseline and
//! the target that are still alive in the final snapshot are leak candidates. Trivial objects
//! (numbers, strings, hidden/internal nodes, code) are not leaks. Candidates are grouped by the
//! shape of their shortest retainer path (edge names with element indexes folded, and the
//! classes along it), and a group's size counts objects dominated by another member once
//! (memlab's `aggregateDominatorMetrics`). Groups are ranked by that size.

use super::{path_steps, DiffOptions, LeakGroup};
use crate::analysis::Analysis;
use crate::strings::Text;
use std::collections::{HashMap, HashSet};

/// At most this many candidates are traced (memlab: `maxSamplesForClustering`); objects
/// retaining 100 kB or more are always kept.
const MAX_SAMPLES: usize = 5000;
const ALWAYS_KEEP: f64 = 100_000.0;
/// Retainer paths longer than this are not traced (memlab drops traces over 100 edges).
const MAX_PATH: usize = 100;

/// A path signature: for each step from the node up, (edge name with indexes folded, class).
type Signature = Vec<(String, u32)>;

/// The signature of node `o`'s shortest retainer path (`None` if it has none or it is too long).
fn signature(a: &Analysis, o: usize) -> Option<Signature> {
    let weak = a.snap.header.meta.edge_types.weak;
    let root = a.snap.root as usize;
    let mut sig = Vec::new();
    let mut cur = o;
    while cur != root {
        if sig.len() > MAX_PATH {
            return None;
        }
        let d = if a.distance[cur] < 0 {
            i32::MAX
        } else {
            a.distance[cur]
        };
        let mut best: Option<(i32, usize, usize)> = None;
        for slot in a.retainers.of(cur) {
            let from = a.retainers.node[slot] as usize;
            let fd = if from == root { -1 } else { a.distance[from] };
            if (fd < 0 && from != root) || fd >= d {
                continue;
            }
            if best.is_none_or(|(bd, _, _)| fd < bd) {
                let ei = a.retainers.edge_of(&a.snap, cur, slot);
                if a.snap.edge_type[ei] == weak {
                    continue;
                }
                best = Some((fd, from, ei));
            }
        }
        let (_, from, ei) = best?;
        let name = if a.snap.header.meta.edge_has_index_name(a.snap.edge_type[ei]) {
            "[]".to_owned()
        } else {
            let n = a.edge_name(ei);
            if n.bytes().all(|b| b.is_ascii_digit()) {
                "[]".to_owned()
            } else {
                n
            }
        };
        sig.push((name, a.classes.class_of[cur]));
        cur = from;
    }
    Some(sig)
}

/// Leak groups of `f` (the final snapshot) among the ids in `allocated` (sorted).
pub fn find(f: &Analysis, allocated: &[u32], opts: &DiffOptions, top: usize) -> Vec<LeakGroup> {
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
                && opts.keeps_class(&f.snap.strings.get(f.classes.class_of[o]))
        })
        .collect();
    if cands.len() > MAX_SAMPLES {
        let (big, rest): (Vec<usize>, Vec<usize>) =
            cands.iter().partition(|&&o| f.retained[o] >= ALWAYS_KEEP);
        let step = rest
            .len()
            .div_ceil(MAX_SAMPLES.saturating_sub(big.len()).max(1));
        cands = big
            .into_iter()
            .chain(rest.into_iter().step_by(step.max(1)))
            .collect();
    }
    let mut groups: HashMap<(u32, Signature), Vec<usize>> = HashMap::new();
    for &o in &cands {
        if let Some(sig) = signature(f, o) {
            groups
                .entry((f.classes.class_of[o], sig))
                .or_default()
                .push(o);
        }
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
                name: Text(f.snap.strings.wtf8(f.classes.class_of[lead]).to_vec()),
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
    for g in &mut out {
        if let Some(o) = f.ordinal_of(crate::NodeId(g.ids[0])) {
            g.retainer_path = path_steps(f, o.0 as usize);
            g.location = f.location(o.0 as usize);
        }
    }
    out
}
