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
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Which nodes a Summary counts (all nodes when there is none).
pub(crate) type Filter<'a> = &'a (dyn Fn(usize) -> bool + Sync);

/// Computes the aggregates of the nodes accepted by `filter` (all nodes if `None`), in first-seen
/// order of their class keys.
pub(crate) fn aggregates(
    c: &Columns<'_>,
    filter: Option<Filter<'_>>,
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
    filter: Option<Filter<'_>>,
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
///
/// A node's retained size counts for its class unless a dominator-tree ancestor of the same
/// class was counted already. The tree is walked from the root, largest subtree (by retained
/// size) first, until no subtree left holds more than a share of the total; those subtrees are
/// then walked on every core, each starting from the classes counted on its path from the root.
/// The sizes are whole numbers below 2^53, so the sums do not depend on the order.
pub(crate) fn add_retained(
    c: &Columns<'_>,
    rows: &mut [Aggregate],
    filter: Option<Filter<'_>>,
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
    let mut slot_of_key: Vec<u32> = vec![u32::MAX; classes.keys.len()];
    for (slot, a) in rows.iter().enumerate() {
        slot_of_key[a.key as usize] = slot as u32;
    }
    let tree = Tree {
        key_of: &classes.key_of,
        shallow,
        retained,
        dominated,
        filter,
        slot_of_key: &slot_of_key,
    };
    let sums = tree.sums(snap.root, rows.len(), classes.keys.len(), obs)?;
    for (a, s) in rows.iter_mut().zip(&sums) {
        a.retained_size += s;
    }
    Ok(())
}

/// The dominator tree with what [`add_retained`] reads of each node.
struct Tree<'a> {
    key_of: &'a [u32],
    shallow: &'a [u32],
    retained: &'a [f64],
    dominated: &'a DominatedNodes,
    filter: Option<Filter<'a>>,
    slot_of_key: &'a [u32],
}

impl Tree<'_> {
    /// The retained sizes counted for each of the `rows` (`keys`: how many class keys there
    /// are), walking from `root`.
    fn sums(&self, root: u32, rows: usize, keys: usize, obs: &dyn Observer) -> Result<Vec<f64>> {
        let (top, sums) = self.top(root, rows, obs)?;
        // One walker per core, each taking the next subtrees left until none is.
        let next = AtomicUsize::new(0);
        let walked: Vec<Result<Vec<f64>>> = (0..rayon::current_num_threads())
            .into_par_iter()
            .map(|_| -> Result<Vec<f64>> {
                let mut w = Walker::new(keys, rows, obs);
                while let Some(s) = top.subtrees.get(next.fetch_add(1, Ordering::Relaxed)) {
                    w.walk(self, s.roots(self.dominated), top.path(s.path))?;
                }
                Ok(w.sums)
            })
            .collect();
        walked.into_iter().try_fold(sums, |mut a, b| {
            a.iter_mut().zip(&b?).for_each(|(x, y)| *x += y);
            Ok(a)
        })
    }

    /// Whether node `o` is counted in the Summary.
    #[inline]
    fn counted(&self, o: usize) -> bool {
        self.shallow[o] != 0 && self.filter.is_none_or(|f| f(o))
    }

    /// The rule of the classes' retained sizes, for node `o` of class key `k`: it counts (its
    /// retained size is added to its row of `sums`) unless a counted dominator-tree ancestor
    /// has its class (`above`). Returns whether it counted, so that `k` is counted above its
    /// children.
    #[inline]
    fn count(&self, o: usize, k: u32, above: bool, sums: &mut [f64]) -> bool {
        if above || !self.counted(o) {
            return false;
        }
        sums[self.slot_of_key[k as usize] as usize] += self.retained[o];
        true
    }

    /// Walks the top of the tree from `root`, always opening the largest subtree left, until
    /// none left is larger than a share of the root's; returns those subtrees and the sums of
    /// the nodes walked, by row (of `rows`).
    fn top(&self, root: u32, rows: usize, obs: &dyn Observer) -> Result<(Top, Vec<f64>)> {
        /// Subtrees per core: enough that the largest left does not keep one core busy alone.
        const SHARE: f64 = 64.0;
        /// The most nodes walked at the top, so that a long chain is not walked here.
        const MOST: usize = 4096;
        let mut poll = Poll::new(obs);
        let limit = self.retained[root as usize] / (SHARE * rayon::current_num_threads() as f64);
        let mut sums = vec![0.0; rows];
        let mut top = Top::default();
        // The subtrees not walked yet, largest first (ties: the smaller ordinal): the root's
        // retained size (a whole number below 2^53, so exact as an integer), the root and
        // the path above it.
        let open = |o: u32, path: u32| (self.retained[o as usize] as u64, Reverse(o), path);
        let mut heap = std::collections::BinaryHeap::new();
        heap.push(open(root, NO_PATH));
        let mut walked = 0;
        while let Some(&(size, Reverse(o), path)) = heap.peek() {
            if size as f64 <= limit || walked == MOST {
                break;
            }
            heap.pop();
            poll.tick()?;
            walked += 1;
            let (o, k) = (o as usize, self.key_of[o as usize]);
            let children = self.dominated.of(o);
            let mut below = path;
            if self.count(o, k, top.on_path(path, k), &mut sums) && !children.is_empty() {
                below = top.extend(path, k);
            }
            // The large children are opened in turn; the others are walked in runs of at most
            // `limit` in all.
            let (mut start, mut run) = (0, 0.0);
            for (i, &child) in children.iter().enumerate() {
                let size = self.retained[child as usize];
                if size > limit {
                    top.push_run(o, start, i, below, children);
                    (start, run) = (i + 1, 0.0);
                    heap.push(open(child, below));
                    continue;
                }
                if run + size > limit && start < i {
                    top.push_run(o, start, i, below, children);
                    (start, run) = (i, 0.0);
                }
                run += size;
            }
            top.push_run(o, start, children.len(), below, children);
        }
        // The largest first, so that none is left to start last.
        let singles = heap.into_sorted_vec().into_iter().rev();
        let singles = singles.map(|(_, Reverse(o), path)| Subtrees {
            roots: Roots::One(o),
            path,
        });
        top.subtrees.splice(0..0, singles);
        Ok((top, sums))
    }
}

/// No class counted on the path.
const NO_PATH: u32 = u32::MAX;

/// The top of the tree as [`Tree::top`] leaves it: the subtrees left to walk, each with the
/// classes counted on its path from the root, kept as linked lists sharing their beginnings
/// (`links[i]`: a class key and the index of the rest, [`NO_PATH`] at the end).
#[derive(Default)]
struct Top {
    links: Vec<(u32, u32)>,
    subtrees: Vec<Subtrees>,
}

/// Subtrees to walk, and `path`, the classes counted above them.
struct Subtrees {
    roots: Roots,
    path: u32,
}

/// The roots of [`Subtrees`].
enum Roots {
    /// One node.
    One(u32),
    /// The children `start..end` of `parent` (in its children list).
    Children { parent: u32, start: u32, end: u32 },
}

impl Subtrees {
    /// The roots of these subtrees.
    fn roots<'a>(&'a self, dominated: &'a DominatedNodes) -> &'a [u32] {
        match &self.roots {
            Roots::One(o) => std::slice::from_ref(o),
            &Roots::Children { parent, start, end } => {
                &dominated.of(parent as usize)[start as usize..end as usize]
            }
        }
    }
}

impl Top {
    /// Adds the children `start..end` of `parent` (its list is `children`), if any.
    fn push_run(&mut self, parent: usize, start: usize, end: usize, path: u32, children: &[u32]) {
        if start < end && !children.is_empty() {
            let (parent, start, end) = (parent as u32, start as u32, end as u32);
            self.subtrees.push(Subtrees {
                roots: Roots::Children { parent, start, end },
                path,
            });
        }
    }

    fn on_path(&self, mut path: u32, k: u32) -> bool {
        while path != NO_PATH {
            let (key, rest) = self.links[path as usize];
            if key == k {
                return true;
            }
            path = rest;
        }
        false
    }

    fn extend(&mut self, path: u32, k: u32) -> u32 {
        self.links.push((k, path));
        (self.links.len() - 1) as u32
    }

    /// The class keys on `path`.
    fn path(&self, mut path: u32) -> Vec<u32> {
        let mut keys = Vec::new();
        while path != NO_PATH {
            let (key, rest) = self.links[path as usize];
            keys.push(key);
            path = rest;
        }
        keys
    }
}

/// Walks subtrees depth first on one core, with its own marks and sums.
struct Walker<'o> {
    /// Whether a class is counted on the current path.
    seen: Vec<bool>,
    sums: Vec<f64>,
    list: Vec<u32>,
    sizes: Vec<usize>,
    keys: Vec<u32>,
    poll: Poll<'o>,
}

impl<'o> Walker<'o> {
    fn new(keys: usize, rows: usize, obs: &'o dyn Observer) -> Self {
        Walker {
            seen: vec![false; keys],
            sums: vec![0.0; rows],
            list: Vec::new(),
            sizes: Vec::new(),
            keys: Vec::new(),
            poll: Poll::new(obs),
        }
    }

    /// Adds the subtrees of `roots` to the sums, the classes `above` being counted on their path.
    fn walk(&mut self, t: &Tree<'_>, roots: &[u32], above: Vec<u32>) -> Result<()> {
        for &k in &above {
            self.seen[k as usize] = true;
        }
        // A class key is "seen" while one of its counted nodes is on the current path.
        self.list.clear();
        self.list.extend_from_slice(roots);
        self.sizes.clear();
        self.sizes.push(usize::MAX);
        self.keys.clear();
        while let Some(o) = self.list.pop() {
            self.poll.tick()?;
            let o = o as usize;
            let k = t.key_of[o];
            let children = t.dominated.of(o);
            if t.count(o, k, self.seen[k as usize], &mut self.sums) && !children.is_empty() {
                self.seen[k as usize] = true;
                self.sizes.push(self.list.len());
                self.keys.push(k);
            }
            self.list.extend_from_slice(children);
            let l = self.list.len();
            while self.sizes.last() == Some(&l) {
                self.sizes.pop();
                let k = self.keys.pop().expect("one key per recorded size");
                self.seen[k as usize] = false;
            }
        }
        for &k in &above {
            self.seen[k as usize] = false;
        }
        Ok(())
    }
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
        filter: Filter<'_>,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Random trees (each node's dominator an earlier node, node 0 the root; a few classes, so
    /// that a class often sits below itself; some sizes 0; a filter or none), and a long chain
    /// of many classes (deeper than the top walks): the sums must be those of the definition, read off each
    /// node's path to the root: a counted node counts unless a counted ancestor has its class.
    #[test]
    fn class_retained_sizes_walked_on_every_core_match_the_definition() {
        let mut rng = crate::test_rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut rand = |m: u64| rng.below(m);
        for case in 0..12 {
            let n = [1usize, 2, 50, 3000, 20_000, 9000][case % 6];
            let chain = case % 6 == 5;
            let dominator: Vec<u32> = (0..n)
                .map(|o| match o {
                    0 => 0,
                    _ if chain => o as u32 - 1,
                    _ if rand(4) == 0 => rand(o.min(8) as u64) as u32,
                    _ => rand(o as u64) as u32,
                })
                .collect();
            // Few classes; on the chain many, so that nodes below the top still count.
            let keys = if chain { 4000 } else { 1 + rand(6) as usize };
            let key_of: Vec<u32> = (0..n).map(|_| rand(keys as u64) as u32).collect();
            let shallow: Vec<u32> = (0..n)
                .map(|_| if rand(5) == 0 { 0 } else { rand(1000) as u32 })
                .collect();
            let mut retained: Vec<f64> = shallow.iter().map(|&s| s as f64).collect();
            for o in (1..n).rev() {
                retained[dominator[o] as usize] += retained[o];
            }
            let dominated = DominatedNodes::build(&dominator, 0, &crate::Quiet).unwrap();
            let odd = |o: usize| o % 3 != 1;
            let filter: Option<Filter<'_>> = if case % 2 == 0 { None } else { Some(&odd) };
            let counted = |o: usize| shallow[o] != 0 && filter.is_none_or(|f| f(o));
            let slot_of_key: Vec<u32> = (0..keys as u32).rev().collect();
            let mut want = vec![0.0; keys];
            for o in 0..n {
                let mut a = o;
                let mut covered = false;
                while a != 0 {
                    a = dominator[a] as usize;
                    covered |= counted(a) && key_of[a] == key_of[o];
                }
                if counted(o) && !covered {
                    want[slot_of_key[key_of[o] as usize] as usize] += retained[o];
                }
            }
            let tree = Tree {
                key_of: &key_of,
                shallow: &shallow,
                retained: &retained,
                dominated: &dominated,
                filter,
                slot_of_key: &slot_of_key,
            };
            let got = tree.sums(0, keys, keys, &crate::Quiet).unwrap();
            assert_eq!(got, want, "case {case}: {n} nodes");
        }
    }
}
