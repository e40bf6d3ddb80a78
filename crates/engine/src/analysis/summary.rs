//! The Summary view (spec §3.4, DevTools `buildAggregates` + `calculateClassesRetainedSize`):
//! per class key, the count, shallow size and minimum distance of its nodes with a non-zero
//! shallow size, and the class's retained size: the retained sizes of its nodes that have no
//! dominator-tree ancestor of the same class already counted.

use super::classes::Classes;
use super::dominators::DominatedNodes;
use super::Analysis;
use crate::error::Result;
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;
use crate::strings::Text;
use std::collections::HashMap;

/// One Summary row, before the public key is attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Aggregate {
    /// Internal class key id.
    pub(crate) key: u32,
    /// Number of nodes (with non-zero shallow size).
    pub(crate) count: u64,
    /// Smallest distance among them.
    pub(crate) distance: i32,
    /// Sum of their shallow sizes.
    pub(crate) shallow_size: f64,
    /// Class retained size (no double counting along dominator paths).
    pub(crate) retained_size: f64,
    /// Class name string id (of the first node seen).
    pub(crate) name: StrId,
}

/// The analysis columns the Summary is computed from.
pub(crate) struct Columns<'a> {
    /// The snapshot.
    pub(crate) snap: &'a Snapshot,
    /// Class keys and names.
    pub(crate) classes: &'a Classes,
    /// Shallow sizes.
    pub(crate) shallow: &'a [u32],
    /// Distances.
    pub(crate) distance: &'a [i32],
    /// Retained sizes.
    pub(crate) retained: &'a [f64],
    /// Dominator-tree children.
    pub(crate) dominated: &'a DominatedNodes,
}

/// Computes the aggregates of the nodes accepted by `filter` (all nodes if `None`), in first-seen
/// order of their class keys.
pub(crate) fn aggregates(
    c: &Columns<'_>,
    filter: Option<&dyn Fn(usize) -> bool>,
    obs: &dyn Observer,
) -> Result<Vec<Aggregate>> {
    let mut rows = counts(c.snap, c.classes, c.shallow, c.distance, filter, obs)?;
    add_retained(c, &mut rows, filter, obs)?;
    Ok(rows)
}

/// The aggregates without their retained sizes (0): counts, shallow sizes and distances, which
/// need no dominator tree.
pub(crate) fn counts(
    snap: &Snapshot,
    classes: &Classes,
    shallow: &[u32],
    distance: &[i32],
    filter: Option<&dyn Fn(usize) -> bool>,
    obs: &dyn Observer,
) -> Result<Vec<Aggregate>> {
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
    Ok(rows)
}

/// Adds the retained sizes to `rows` (from [`counts`] with the same `filter`).
pub(crate) fn add_retained(
    c: &Columns<'_>,
    rows: &mut [Aggregate],
    filter: Option<&dyn Fn(usize) -> bool>,
    obs: &dyn Observer,
) -> Result<()> {
    let Columns {
        snap,
        classes,
        shallow,
        retained,
        dominated,
        ..
    } = *c;
    let mut poll = Poll::new(obs);
    let accept = |o: usize| filter.is_none_or(|f| f(o));
    let mut slot_of_key: Vec<u32> = vec![u32::MAX; classes.keys.len()];
    for (slot, a) in rows.iter().enumerate() {
        slot_of_key[a.key as usize] = slot as u32;
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
    Ok(())
}

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

impl Analysis {
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
    pub(crate) fn aggregates_where(
        &self,
        filter: &dyn Fn(usize) -> bool,
        obs: &dyn Observer,
    ) -> Result<Vec<Aggregate>> {
        aggregates(&self.columns(), Some(filter), obs)
    }

    /// The unfiltered ("All objects") aggregates, in first-seen order.
    pub(crate) fn all_aggregates(&self) -> &[Aggregate] {
        &self.aggregates
    }

    /// Rows with DevTools' public keys, in first-seen order, each with the internal key that
    /// produced it. DevTools collects them in a plain object, so when two internal keys share a
    /// public key the later replaces the earlier; that is kept for exact parity.
    pub(crate) fn public_rows(&self, aggregates: &[Aggregate]) -> Vec<(SummaryRow, u32)> {
        let mut by_public: HashMap<Text, usize> = HashMap::new();
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
}
