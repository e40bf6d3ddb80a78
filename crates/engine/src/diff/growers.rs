//! Growers: objects present in both snapshots whose retained size grew.
//!
//! An object's *growth* is its retained size in the current snapshot minus the one in the base.
//! A grower is left out when one object it immediately dominates *explains* most (80 %) of its
//! growth (a growing child, or a child allocated since the base): that child is the better
//! answer. Internal storage (`(array)`, `(system)`, …) explains nothing.

use super::filter::{is_internal_class, per_class_name};
use super::DiffOptions;
use crate::analysis::{Analysis, PathStep, SourceLocation};
use crate::error::Result;
use crate::ids::NodeOrd;
use crate::progress::{Observer, Poll};
use crate::NodeInfo;
use std::collections::HashMap;

/// An object present in both snapshots whose retained size grew.
#[derive(Debug, Clone, PartialEq)]
pub struct Grower {
    /// The object, as in the second snapshot.
    pub node: NodeInfo,
    /// Its retained size in the first snapshot.
    pub retained_before: f64,
    /// Its retained size in the second snapshot.
    pub retained_after: f64,
    /// `retained_after - retained_before`.
    pub growth: f64,
    /// Retainer path from the root in the second snapshot.
    pub retainer_path: Vec<PathStep>,
    /// Where the object (or its constructor) is defined.
    pub location: Option<SourceLocation>,
}

/// Objects in both snapshots whose retained size grew. A grower is skipped when one object it
/// immediately dominates explains most (80 %) of its growth: that one is the better answer.
///
/// `before` is each object's retained size in the first snapshot (`NaN`: not there), as
/// [`crate::findings`] computes it once for both.
pub(crate) fn growers(
    cur: &Analysis,
    before: &[f64],
    opts: &DiffOptions,
    top: usize,
    obs: &dyn Observer,
) -> Result<Vec<Grower>> {
    let mut poll = Poll::new(obs);
    let synthetic = cur.snap.header.meta.node_types.synthetic;
    let root = cur.snap.root as usize;
    let keep = per_class_name(cur, |name| opts.keeps_class(name));
    let mut cands: Vec<(usize, f64, f64)> = (0..cur.node_count())
        .filter_map(|o| {
            let b = before[o];
            if b.is_nan() || o == root || cur.snap.node_type[o] == synthetic {
                return None;
            }
            if cur.retained[o] < opts.min_retained_size || !keep[cur.classes.class_of(o).index()] {
                return None;
            }
            let growth = cur.retained[o] - b;
            (growth > 0.0).then_some((o, b, growth))
        })
        .collect();
    // How much of each candidate's growth one child explains: a growing child, or a child
    // allocated since the first snapshot (it is listed under `allocated`). Internal storage
    // (`(array)`, `(system)`, …) explains nothing: the object that owns it is the answer.
    let internal = per_class_name(cur, is_internal_class);
    let mut is_cand = crate::analysis::bits::BitVec::new(cur.node_count());
    for &(o, _, _) in &cands {
        is_cand.set(o);
    }
    let mut best_child: HashMap<u32, f64> = HashMap::new();
    for o in 0..cur.node_count() {
        poll.tick()?;
        let d = cur.dominator[o];
        if o == root || !is_cand.get(d as usize) || internal[cur.classes.class_of(o).index()] {
            continue;
        }
        let explained = if before[o].is_nan() {
            cur.retained[o]
        } else {
            cur.retained[o] - before[o]
        };
        let e = best_child.entry(d).or_insert(0.0);
        if explained > *e {
            *e = explained;
        }
    }
    cands.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)));
    Ok(cands
        .into_iter()
        .filter(|&(o, _, g)| best_child.get(&(o as u32)).is_none_or(|&c| c < 0.8 * g))
        .take(top)
        .map(|(o, before, growth)| {
            let ord = NodeOrd::from_index(o);
            Grower {
                node: cur.node(ord),
                retained_before: before,
                retained_after: cur.retained[o],
                growth,
                retainer_path: cur.path_steps(ord),
                location: cur.location(ord),
            }
        })
        .collect())
}
