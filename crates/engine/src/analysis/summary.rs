//! The Summary view (spec §3.4, DevTools `buildAggregates` + `calculateClassesRetainedSize`):
//! per class key, the count, shallow size and minimum distance of its nodes with a non-zero
//! shallow size, and the class's retained size: the retained sizes of its nodes that have no
//! dominator-tree ancestor of the same class already counted.

use super::classes::Classes;
use super::dominators::DominatedNodes;
use crate::error::Result;
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// One Summary row, before the public key is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Internal class key id.
    pub key: u32,
    /// Number of nodes (with non-zero shallow size).
    pub count: u64,
    /// Smallest distance among them.
    pub distance: i32,
    /// Sum of their shallow sizes.
    pub shallow_size: f64,
    /// Class retained size (no double counting along dominator paths).
    pub retained_size: f64,
    /// Class name string id (of the first node seen).
    pub name: StrId,
}

/// The analysis columns the Summary is computed from.
pub struct Columns<'a> {
    /// The snapshot.
    pub snap: &'a Snapshot,
    /// Class keys and names.
    pub classes: &'a Classes,
    /// Shallow sizes.
    pub shallow: &'a [u32],
    /// Distances.
    pub distance: &'a [i32],
    /// Retained sizes.
    pub retained: &'a [f64],
    /// Dominator-tree children.
    pub dominated: &'a DominatedNodes,
}

/// Computes the aggregates of the nodes accepted by `filter` (all nodes if `None`), in first-seen
/// order of their class keys.
pub fn aggregates(
    c: &Columns<'_>,
    filter: Option<&dyn Fn(usize) -> bool>,
    obs: &dyn Observer,
) -> Result<Vec<Aggregate>> {
    let Columns {
        snap,
        classes,
        shallow,
        distance,
        retained,
        dominated,
    } = *c;
    let mut poll = Poll::new(obs);
    let accept = |o: usize| filter.is_none_or(|f| f(o));
    let mut slot_of_key: Vec<u32> = vec![u32::MAX; classes.keys.len()];
    let mut rows: Vec<Aggregate> = Vec::new();
    for o in 0..snap.node_count() {
        poll.tick()?;
        if shallow[o] == 0 || !accept(o) {
            continue;
        }
        let k = classes.key_of[o];
        let slot = slot_of_key[k as usize];
        if slot == u32::MAX {
            slot_of_key[k as usize] = rows.len() as u32;
            rows.push(Aggregate {
                key: k,
                count: 1,
                distance: distance[o],
                shallow_size: shallow[o] as f64,
                retained_size: 0.0,
                name: classes.class_of(o),
            });
        } else {
            let a = &mut rows[slot as usize];
            a.count += 1;
            a.distance = a.distance.min(distance[o]);
            a.shallow_size += shallow[o] as f64;
        }
    }
    // Walk the dominator tree; a class key is "seen" while one of its counted nodes is on the
    // current path.
    let mut seen = vec![false; classes.keys.len()];
    let mut list: Vec<u32> = vec![snap.root];
    let mut sizes: Vec<usize> = vec![usize::MAX];
    let mut keys: Vec<u32> = Vec::new();
    while let Some(o) = list.pop() {
        poll.tick()?;
        let o = o as usize;
        let k = classes.key_of[o];
        let children = dominated.of(o);
        if !seen[k as usize] && shallow[o] != 0 && accept(o) {
            let slot = slot_of_key[k as usize];
            rows[slot as usize].retained_size += retained[o];
            if !children.is_empty() {
                seen[k as usize] = true;
                sizes.push(list.len());
                keys.push(k);
            }
        }
        list.extend_from_slice(children);
        let l = list.len();
        while sizes.last() == Some(&l) {
            sizes.pop();
            let k = keys.pop().expect("one key per recorded size");
            seen[k as usize] = false;
        }
    }
    Ok(rows)
}
