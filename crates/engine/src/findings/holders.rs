//! Finding the *holders* of a series' growth in its last snapshot.
//!
//! Terms:
//! * an object is **old** when the first snapshot of the series has its id, **new** otherwise;
//! * the **growth** of an old object is its retained size now minus its retained size in the
//!   first snapshot; a new object's growth is its whole retained size;
//! * a **holder** is an old object where growth enters the heap: new objects it references and
//!   dominates retain at least the minimum growth, or its growth is not explained
//!   (≥ [`EXPLAINED`]) by one old object it immediately dominates. Either the growth fans out
//!   over many members (a Map, Set, Array, dictionary, listener list, timer list…), or it
//!   enters through one new object (a variable that now points at a longer chain, a string grown
//!   by `+=`). Internal storage (`(object elements)`, a Map's table) is never the answer: it is
//!   replaced by the nearest object that dominates it.
//!
//! Nested holders are reduced: a holder most of whose growth (≥ [`EXPLAINED`]) is explained by
//! holders below it in the dominator tree is dropped in their favour.
//!
//! Cost: one pass over the nodes to look up old retained sizes, one over the dominator array,
//! and a walk up the dominator tree per holder.

use crate::analysis::Analysis;
use crate::error::Result;
use crate::progress::{check, Observer, Poll};
// Fx hashing, as elsewhere in the engine: `find` looks its maps up once per node.
use rustc_hash::FxHashMap;

/// Share of an object's growth that, when one dominated object (or the holders below it)
/// accounts for it, makes that object the better answer.
pub(crate) const EXPLAINED: f64 = 0.8;

/// New objects retaining this much, attached to an old object, make it a holder even when the
/// old object's retained size did not grow (something else under it shrank).
const BIG_ENTRY: f64 = 65_536.0;

/// A holder candidate in the last snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    /// Ordinal of the holder.
    pub node: usize,
    /// Its growth since the first snapshot, in bytes of retained size.
    pub growth: f64,
    /// Alike holders below it whose members are its members (empty: it holds its own).
    pub parts: Vec<usize>,
    /// Holders below it reported on their own: their growth is not its growth.
    pub exclude: Vec<usize>,
}

/// True for the internal classes that store another object's contents: arrays, tables,
/// property stores, `system / …` objects other than contexts.
pub(crate) fn is_storage(cur: &Analysis, o: usize) -> bool {
    crate::analysis::path_text::is_storage_class(cur.snap.strings.wtf8(cur.classes.class_of(o)))
}

/// The holders of the growth between `first` and `cur`, largest growth first, each at least
/// `min_growth` bytes.
pub(crate) fn find(
    cur: &Analysis,
    before: &[f64],
    min_growth: f64,
    obs: &dyn Observer,
) -> Result<Vec<Holder>> {
    let mut poll = Poll::new(obs);
    let n = cur.node_count();
    let root = cur.snap.root as usize;
    let synthetic = cur.snap.header.meta.node_types.synthetic;
    let growth_of = |o: usize| -> f64 {
        if before[o].is_nan() {
            cur.retained[o]
        } else {
            cur.retained[o] - before[o]
        }
    };
    // What enters each old object through the new objects it references and dominates.
    let mut entering: FxHashMap<u32, f64> = FxHashMap::default();
    for o in 0..n {
        poll.tick()?;
        let d = cur.dominator[o];
        if o == root || !before[o].is_nan() || before[d as usize].is_nan() {
            continue;
        }
        // Growth enters where the new object is referenced: a new object that the holder
        // only dominates (shared by several of its members' paths) entered elsewhere.
        if cur
            .retainers
            .of(o)
            .any(|slot| cur.retainers.node[slot] == d)
        {
            *entering.entry(d).or_insert(0.0) += cur.retained[o];
        }
    }
    // Candidates: old objects that grew by at least `min_growth`, and old objects that a large
    // new structure was attached to even if they shrank elsewhere (a new Set filled beside a Map
    // that was emptied).
    let mut cand: FxHashMap<u32, f64> = FxHashMap::default();
    for o in 0..n {
        poll.tick()?;
        if o == root || before[o].is_nan() || cur.snap.node_type[o] == synthetic {
            continue;
        }
        let g = cur.retained[o] - before[o];
        let e = entering.get(&(o as u32)).copied().unwrap_or(0.0);
        if g >= min_growth {
            cand.insert(o as u32, g);
        } else if e >= BIG_ENTRY {
            cand.insert(o as u32, e);
        }
    }
    // Per candidate: the largest growth of one old object it immediately dominates.
    let mut best_old_child: FxHashMap<u32, f64> = FxHashMap::default();
    for o in 0..n {
        poll.tick()?;
        let d = cur.dominator[o];
        if o == root || before[o].is_nan() || !cand.contains_key(&d) {
            continue;
        }
        let e = best_old_child.entry(d).or_insert(0.0);
        *e = e.max(growth_of(o));
    }
    let enters = |o: &u32| entering.get(o).copied().unwrap_or(0.0);
    let mut holders: Vec<Holder> = cand
        .iter()
        .filter(|(o, g)| {
            enters(o) >= min_growth || best_old_child.get(o).is_none_or(|&c| c < EXPLAINED * **g)
        })
        .map(|(&o, &g)| Holder {
            node: o as usize,
            growth: g,
            parts: Vec::new(),
            exclude: Vec::new(),
        })
        .collect();
    drop(cand);
    check(obs)?;
    holders.sort_by_key(|h| h.node);
    // Nested holders: what the holders below each holder explain. A holder is dropped for the
    // holders below it when they explain most of its growth, unless they are several alike
    // (same class, none explaining half): then they are parts of one structure (a Map of Sets,
    // the values of a WeakMap under several keys) and the holder above is the answer.
    let index: FxHashMap<u32, usize> = holders
        .iter()
        .enumerate()
        .map(|(i, h)| (h.node as u32, i))
        .collect();
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); holders.len()];
    for (k, h) in holders.iter().enumerate() {
        let mut d = cur.dominator[h.node] as usize;
        let mut steps = 0usize;
        while d != root && steps < n {
            if let Some(&i) = index.get(&(d as u32)) {
                below[i].push(k);
                break;
            }
            d = cur.dominator[d] as usize;
            steps += 1;
        }
    }
    let mut drop_it = vec![false; holders.len()];
    let mut parts: Vec<Vec<usize>> = vec![Vec::new(); holders.len()];
    let mut exclude: Vec<Vec<usize>> = vec![Vec::new(); holders.len()];
    for (i, h) in holders.iter().enumerate() {
        let covered: f64 = below[i].iter().map(|&k| holders[k].growth).sum();
        if covered < EXPLAINED * h.growth || enters(&(h.node as u32)) >= min_growth {
            // Its own growth is reported without the holders below it.
            exclude[i] = below[i].iter().map(|&k| holders[k].node).collect();
            continue;
        }
        let largest = below[i]
            .iter()
            .map(|&k| holders[k].growth)
            .fold(0.0, f64::max);
        let first_class = below[i]
            .first()
            .map(|&k| cur.classes.key_of[holders[k].node]);
        let alike = below[i].len() >= 2
            && largest < 0.5 * h.growth
            && below[i]
                .iter()
                .all(|&k| Some(cur.classes.key_of[holders[k].node]) == first_class)
            && !cur.strings_eq_class(h.node, "system / Context");
        if alike {
            for &k in &below[i] {
                drop_it[k] = true;
                parts[i].push(holders[k].node);
            }
        } else {
            drop_it[i] = true;
        }
    }
    let mut kept: Vec<Holder> = holders
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop_it[*i])
        .map(|(i, h)| {
            let excluded: f64 = below[i]
                .iter()
                .filter(|&&k| exclude[i].contains(&holders[k].node))
                .map(|&k| holders[k].growth)
                .sum();
            Holder {
                node: h.node,
                growth: h.growth - excluded,
                parts: std::mem::take(&mut parts[i]),
                exclude: std::mem::take(&mut exclude[i]),
            }
        })
        .collect();
    // Storage is answered by the object that owns it.
    let mut by_owner: FxHashMap<usize, Holder> = FxHashMap::default();
    for h in kept.drain(..) {
        let mut o = h.node;
        let mut steps = 0;
        while is_storage(cur, o) && o != root && steps < 8 {
            o = cur.dominator[o] as usize;
            steps += 1;
        }
        if o == root || is_storage(cur, o) {
            o = h.node;
        }
        let growth = h.growth;
        let e = by_owner.entry(o).or_insert(Holder {
            node: o,
            growth,
            parts: Vec::new(),
            exclude: Vec::new(),
        });
        e.growth = e.growth.max(growth);
        e.parts.extend(h.parts);
        e.exclude.extend(h.exclude);
    }
    let mut out: Vec<Holder> = by_owner.into_values().collect();
    out.sort_by(|a, b| b.growth.total_cmp(&a.growth).then(a.node.cmp(&b.node)));
    Ok(out)
}
