//! DevTools' Comparison view (spec §4.1).
//!
//! The base snapshot is classified with the current snapshot's interface definitions, then each
//! class's objects are merge-joined by V8 id: ids only in the base are *deleted*, ids only in the
//! current snapshot are *new*. When the two snapshots come from different processes (their ids
//! are unrelated), the rows are *class-level* differences of counts and sizes instead.

use super::base::DiffBase;
use crate::analysis::classes::InterfaceMatcher;
use crate::analysis::{Analysis, SummaryRow};
use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::strings::Text;
use std::collections::HashMap;

/// The counts of one Comparison row, or their sums.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts {
    /// Objects only in the current snapshot.
    pub new_count: u64,
    /// Objects only in the base snapshot.
    pub deleted_count: u64,
    /// `new_count - deleted_count`.
    pub delta_count: i64,
    /// Shallow size of the new objects.
    pub alloc_size: f64,
    /// Shallow size of the deleted objects.
    pub freed_size: f64,
    /// `alloc_size - freed_size`.
    pub size_delta: f64,
}

impl Counts {
    /// The sums of `rows`' counts.
    pub(crate) fn total<'a>(rows: impl IntoIterator<Item = &'a ComparisonRow>) -> Counts {
        rows.into_iter().fold(Counts::default(), |mut t, r| {
            let c = &r.counts;
            t.new_count += c.new_count;
            t.deleted_count += c.deleted_count;
            t.delta_count += c.delta_count;
            t.alloc_size += c.alloc_size;
            t.freed_size += c.freed_size;
            t.size_delta += c.size_delta;
            t
        })
    }
}

/// One row of DevTools' Comparison view.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Class name.
    pub name: Text,
    /// Public class key.
    pub key: Text,
    /// The row's counts.
    pub counts: Counts,
}

/// DevTools' `calculateSnapshotDiff` between the reduced base and the current analysis.
pub(crate) fn comparison(
    base: &DiffBase,
    cur: &Analysis,
    obs: &dyn Observer,
) -> Result<Vec<ComparisonRow>> {
    let (base_classes, cur_classes) = rayon::join(
        || {
            let matcher = InterfaceMatcher::new(&cur.classes.interfaces);
            base.classes_under(&matcher, &cur.classes.interfaces, obs)
        },
        || current_classes(cur, obs),
    );
    let (base_classes, (cur_rows, cur_nodes)) = (base_classes?, cur_classes?);
    let mut cur_by_public: HashMap<&[u8], usize> = HashMap::new();
    for (i, (r, _)) in cur_rows.iter().enumerate() {
        cur_by_public.insert(&r.key.0, i);
    }
    // Each base class against the current class of its public key: `calculateDiffForClass`, a
    // merge by id of the two id-sorted lists, one base node at a time (the base's nodes come in
    // id order), with a cursor into the current list of each class.
    let cur_slot: Vec<Option<usize>> = (base_classes.classes.iter())
        .map(|bc| cur_by_public.get(bc.key.0.as_slice()).copied())
        .collect();
    let cur_list: Vec<&[(u32, u32)]> = (cur_slot.iter())
        .map(|slot| slot.map_or(&[][..], |s| &cur_nodes[s]))
        .collect();
    let mut counts: Vec<Counts> = vec![Counts::default(); base_classes.classes.len()];
    let mut next: Vec<usize> = vec![0; base_classes.classes.len()];
    base.for_each_node(&base_classes, obs, |c, node| {
        let (list, j, row) = (cur_list[c], &mut next[c], &mut counts[c]);
        while *j < list.len() && list[*j].0 < node.id {
            row.added(list[*j].1);
            *j += 1;
        }
        if *j < list.len() && list[*j].0 == node.id {
            *j += 1;
        } else {
            row.deleted(node.size);
        }
    })?;
    let mut out = Vec::new();
    let mut seen: Vec<bool> = vec![false; cur_rows.len()];
    for (c, bc) in base_classes.classes.iter().enumerate() {
        let slot = cur_slot[c];
        if let Some(s) = slot {
            seen[s] = true;
        }
        let name = slot.map_or_else(|| bc.name.clone(), |s| cur_rows[s].0.name.clone());
        let mut row = std::mem::take(&mut counts[c]);
        for &(_, size) in &cur_list[c][next[c]..] {
            row.added(size);
        }
        out.extend(row.row(name, bc.key.clone()));
    }
    for (s, (r, _)) in cur_rows.iter().enumerate() {
        if seen[s] {
            continue;
        }
        let mut row = Counts::default();
        for &(_, size) in &cur_nodes[s] {
            row.added(size);
        }
        out.extend(row.row(r.name.clone(), r.key.clone()));
    }
    Ok(out)
}

/// The current snapshot's classes: public rows (with their winning internal keys) and each
/// row's `(id, shallow size)` list sorted by id.
#[allow(clippy::type_complexity)]
type CurrentClasses = (Vec<(SummaryRow, u32)>, Vec<Vec<(u32, u32)>>);

fn current_classes(cur: &Analysis, obs: &dyn Observer) -> Result<CurrentClasses> {
    let mut poll = Poll::new(obs);
    let cur_rows = cur.public_rows(cur.all_aggregates());
    let mut slot_of_key: Vec<usize> = vec![usize::MAX; cur.classes.keys.len()];
    for (i, (_, k)) in cur_rows.iter().enumerate() {
        slot_of_key[*k as usize] = i;
    }
    let mut cur_nodes: Vec<Vec<(u32, u32)>> = vec![Vec::new(); cur_rows.len()];
    for o in 0..cur.node_count() {
        poll.tick()?;
        if cur.shallow[o] == 0 {
            continue;
        }
        let slot = slot_of_key[cur.classes.key_of[o] as usize];
        if slot != usize::MAX {
            cur_nodes[slot].push((cur.snap.node_id[o], cur.shallow[o]));
        }
    }
    for v in &mut cur_nodes {
        v.sort_unstable_by_key(|&(id, _)| id);
    }
    Ok((cur_rows, cur_nodes))
}

impl Counts {
    /// Counts one object only in the current snapshot, of `size` bytes.
    fn added(&mut self, size: u32) {
        self.new_count += 1;
        self.alloc_size += size as f64;
    }

    /// Counts one object only in the base snapshot, of `size` bytes.
    fn deleted(&mut self, size: u32) {
        self.deleted_count += 1;
        self.freed_size += size as f64;
    }

    /// The row of a class with these new and deleted objects (none if it has neither).
    fn row(mut self, name: Text, key: Text) -> Option<ComparisonRow> {
        self.delta_count = self.new_count as i64 - self.deleted_count as i64;
        self.size_delta = self.alloc_size - self.freed_size;
        (self.new_count > 0 || self.deleted_count > 0).then_some(ComparisonRow {
            name,
            key,
            counts: self,
        })
    }
}

/// Class-level differences for snapshots whose ids are unrelated.
pub(crate) fn class_level(
    base: &DiffBase,
    cur: &Analysis,
    obs: &dyn Observer,
) -> Result<Vec<ComparisonRow>> {
    let matcher = InterfaceMatcher::new(&cur.classes.interfaces);
    let base_classes = base.classes_under(&matcher, &cur.classes.interfaces, obs)?;
    let mut by_key: HashMap<Vec<u8>, (Text, u64, f64, u64, f64)> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    for bc in &base_classes.classes {
        order.push(bc.key.0.clone());
        by_key.insert(
            bc.key.0.clone(),
            (bc.name.clone(), bc.count, bc.size, 0, 0.0),
        );
    }
    for (r, _) in cur.public_rows(cur.all_aggregates()) {
        let e = by_key.entry(r.key.0.clone()).or_insert_with(|| {
            order.push(r.key.0.clone());
            (r.name.clone(), 0, 0.0, 0, 0.0)
        });
        e.0 = r.name.clone();
        e.3 = r.count;
        e.4 = r.shallow_size;
    }
    Ok(order
        .into_iter()
        .filter_map(|k| {
            let (name, bc, bs, cc, cs) = by_key.remove(&k)?;
            let delta = cc as i64 - bc as i64;
            let size_delta = cs - bs;
            (delta != 0 || size_delta != 0.0).then(|| ComparisonRow {
                name,
                key: Text(k),
                counts: Counts {
                    new_count: delta.max(0) as u64,
                    deleted_count: (-delta).max(0) as u64,
                    delta_count: delta,
                    alloc_size: size_delta.max(0.0),
                    freed_size: (-size_delta).max(0.0),
                    size_delta,
                },
            })
        })
        .collect())
}
