//! Bounded views of lists that can be huge: a *page* is the `limit` items starting at `offset`
//! of a list in a fixed order, with the list's `total` length.
//!
//! Pages are cut without sorting or materialising the whole list: edges are read straight from
//! their slot range, and orders by a column (retained size, …) select the first
//! `offset + limit` items with `select_nth_unstable_by` (O(n)) and sort only those. The most a
//! page allocates is one `Vec<u32>` of candidate ordinals.
//!
//! Orders are total: every sort ends with a tie-break (the class key for Summary rows, the
//! ordinal for nodes), so consecutive pages never overlap or miss an item.

use super::{Analysis, EdgeInfo, SummaryRow};
use crate::ids::{EdgeIdx, NodeOrd};

/// The most items one page may hold.
pub const MAX_PAGE: usize = 10_000;

/// A page of a longer list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Length of the whole list.
    pub total: usize,
    /// Position of the first item in the whole list.
    pub offset: usize,
    /// The items, at most [`MAX_PAGE`].
    pub items: Vec<T>,
}

/// Which part of a list a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Items skipped.
    pub offset: usize,
    /// Most items returned (clamped to [`MAX_PAGE`]).
    pub limit: usize,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            offset: 0,
            limit: 50,
        }
    }
}

impl Window {
    /// A window of `limit` items from `offset`; `limit` is clamped to [`MAX_PAGE`].
    pub fn new(offset: usize, limit: usize) -> Window {
        Window {
            offset,
            limit: limit.min(MAX_PAGE),
        }
    }

    /// The range of a list of `total` items this window shows.
    fn range(self, total: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(total);
        start..start.saturating_add(self.limit.min(MAX_PAGE)).min(total)
    }
}

/// Sort keys of Summary rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummarySort {
    /// Class retained size (the default, as [`Analysis::summary`]).
    #[default]
    RetainedSize,
    /// Sum of shallow sizes.
    ShallowSize,
    /// Number of objects.
    Count,
    /// Smallest distance.
    Distance,
    /// Class name.
    Name,
}

/// Sort keys of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NodeSort {
    /// Retained size (the default).
    #[default]
    RetainedSize,
    /// Shallow size.
    ShallowSize,
    /// Distance from the nearest root.
    Distance,
    /// V8 object id.
    Id,
}

/// Keeps the items of window `w` of `v` in the order of their keys, without sorting the whole
/// list (see [`select_range`]).
fn select_window<T: Ord>(v: &mut Vec<T>, w: Window) {
    let r = w.range(v.len());
    select_range(v, r);
}

/// Keeps the items `r` of `v` in their natural order, without sorting the whole list: a
/// selection of the first `r.end` items, then a sort of those only.
pub(crate) fn select_range<T: Ord>(v: &mut Vec<T>, r: std::ops::Range<usize>) {
    if r.end < v.len() {
        if r.end == 0 {
            v.clear();
            return;
        }
        v.select_nth_unstable(r.end - 1);
        v.truncate(r.end);
    }
    v.sort_unstable();
    v.drain(..r.start);
}

impl Analysis {
    /// Window `w` of the nodes `v` in the order of `sort` (see [`Analysis::keyed`]).
    fn node_window(&self, v: &[u32], sort: NodeSort, descending: bool, w: Window) -> Vec<u32> {
        let mut keyed = self.keyed(v, sort, descending);
        select_window(&mut keyed, w);
        keyed.into_iter().map(|(_, o)| o).collect()
    }

    /// The nodes `v` as `(key, ordinal)` pairs whose natural order is the order of `sort`, ties
    /// by ordinal (ascending whatever the direction). Each node's sort column is read once, so
    /// a selection then compares contiguous pairs instead of looking sizes up all over the heap
    /// (the root can have millions of children).
    pub(crate) fn keyed(&self, v: &[u32], sort: NodeSort, descending: bool) -> Vec<(u64, u32)> {
        let key = |o: u32| -> u64 {
            let x = o as usize;
            let k = match sort {
                // f64's total order as an unsigned one.
                NodeSort::RetainedSize => {
                    let b = self.retained[x].to_bits();
                    if b >> 63 == 1 {
                        !b
                    } else {
                        b | 1 << 63
                    }
                }
                NodeSort::ShallowSize => self.shallow[x] as u64,
                NodeSort::Distance => (self.distance[x] as i64 - i32::MIN as i64) as u64,
                NodeSort::Id => self.snap.node_id[x] as u64,
            };
            if descending {
                !k
            } else {
                k
            }
        };
        v.iter().map(|&o| (key(o), o)).collect()
    }

    /// A page of the Summary rows whose class name contains `filter` (case-insensitive, as
    /// DevTools' class filter; all rows if empty), sorted by `sort` (ties by key, ascending).
    pub fn summary_page(
        &self,
        filter: &str,
        sort: SummarySort,
        descending: bool,
        w: Window,
    ) -> Page<SummaryRow> {
        let needle = filter.to_lowercase();
        let mut rows: Vec<SummaryRow> = self
            .public_rows(&self.aggregates)
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| needle.is_empty() || r.name.to_lossy().to_lowercase().contains(&needle))
            .collect();
        let cmp = |a: &SummaryRow, b: &SummaryRow| {
            let by = match sort {
                SummarySort::RetainedSize => a.retained_size.total_cmp(&b.retained_size),
                SummarySort::ShallowSize => a.shallow_size.total_cmp(&b.shallow_size),
                SummarySort::Count => a.count.cmp(&b.count),
                SummarySort::Distance => a.distance.cmp(&b.distance),
                SummarySort::Name => a.name.0.cmp(&b.name.0),
            };
            (if descending { by.reverse() } else { by }).then_with(|| a.key.cmp(&b.key))
        };
        // A snapshot has thousands of classes, not millions: sorting them all is cheap.
        rows.sort_by(cmp);
        let total = rows.len();
        let r = w.range(total);
        let items = rows.drain(r.clone()).collect();
        Page {
            total,
            offset: r.start,
            items,
        }
    }

    /// The internal class key behind the Summary row with public key `key` (the last one, as
    /// [`Analysis::public_rows`] keeps the last of the internal keys sharing a public key).
    fn internal_key(&self, key: &[u8]) -> Option<u32> {
        self.aggregates
            .iter()
            .rev()
            .map(|a| a.key)
            .find(|&k| self.classes.keys[k as usize].public(&self.snap).0 == key)
    }

    /// A page of the objects the Summary row with key `key` ([`SummaryRow::key`]) counts: those
    /// of its class with a non-zero shallow size. `total` equals the row's `count`; an unknown
    /// key gives an empty page. With `newer_than`, only the objects whose id is above it: given
    /// an earlier snapshot's [`Analysis::max_js_object_id`], the objects allocated since (the
    /// id range of DevTools' "Objects allocated between snapshots"). One pass over the class
    /// column, then a selection.
    pub fn instances(
        &self,
        key: &[u8],
        sort: NodeSort,
        descending: bool,
        newer_than: Option<u32>,
        w: Window,
    ) -> Page<NodeOrd> {
        let Some(k) = self.internal_key(key) else {
            return Page {
                total: 0,
                offset: 0,
                items: Vec::new(),
            };
        };
        // One pass over the class and size columns, in chunks on every core.
        use rayon::prelude::*;
        const CHUNK: usize = 1 << 16;
        let v: Vec<u32> = self
            .classes
            .key_of
            .par_chunks(CHUNK)
            .zip(self.shallow.par_chunks(CHUNK))
            .enumerate()
            .flat_map_iter(|(c, (keys, sizes))| {
                keys.iter()
                    .zip(sizes)
                    .enumerate()
                    .filter(move |&(_, (&ko, &s))| ko == k && s != 0)
                    .map(move |(i, _)| (c * CHUNK + i) as u32)
            })
            .filter(|&o| newer_than.is_none_or(|id| self.snap.node_id[o as usize] > id))
            .collect();
        let total = v.len();
        Page {
            total,
            offset: w.range(total).start,
            items: self
                .node_window(&v, sort, descending, w)
                .into_iter()
                .map(NodeOrd)
                .collect(),
        }
    }

    /// A page of [`Analysis::references`]: only the edges shown are materialised.
    pub fn references_page(&self, o: NodeOrd, w: Window) -> Page<EdgeInfo> {
        let edges = self.snap.edges_of(o.index());
        let total = edges.len();
        let r = w.range(total);
        let items = edges
            .skip(r.start)
            .take(r.len())
            .map(|ei| self.edge_info(EdgeIdx::from_index(ei), self.snap.edge_to[ei]))
            .collect();
        Page {
            total,
            offset: r.start,
            items,
        }
    }

    /// A page of [`Analysis::retainers_of`]: only the edges shown are materialised.
    pub fn retainers_page(&self, o: NodeOrd, w: Window) -> Page<EdgeInfo> {
        let i = o.index();
        let slots = self.retainers.of(i);
        let total = slots.len();
        let r = w.range(total);
        let items = slots
            .skip(r.start)
            .take(r.len())
            .map(|s| {
                let e = EdgeIdx::from_index(self.retainers.edge_of(&self.snap, i, s));
                self.edge_info(e, self.retainers.node[s])
            })
            .collect();
        Page {
            total,
            offset: r.start,
            items,
        }
    }

    /// A page of [`Analysis::dominated_by`] (largest retained size first, ties by ordinal),
    /// selected without sorting all the children (the root may have millions).
    pub fn dominated_page(&self, o: NodeOrd, w: Window) -> Page<NodeOrd> {
        let v = self.dominated.of(o.index());
        Page {
            total: v.len(),
            offset: w.range(v.len()).start,
            items: self
                .node_window(v, NodeSort::RetainedSize, true, w)
                .into_iter()
                .map(NodeOrd)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_clamp_their_limit_and_their_start() {
        assert_eq!(Window::new(0, 1 << 40).limit, MAX_PAGE);
        assert_eq!(Window::new(5, 3).range(100), 5..8);
        assert_eq!(Window::new(99, 3).range(100), 99..100);
        assert_eq!(Window::new(300, 3).range(100), 100..100);
        let mut v: Vec<u32> = (0..20).rev().collect();
        select_window(&mut v, Window::new(3, 4));
        assert_eq!(v, [3, 4, 5, 6]);
        let mut v: Vec<std::cmp::Reverse<u32>> = (0..20).map(std::cmp::Reverse).collect();
        select_window(&mut v, Window::new(18, 4));
        assert_eq!(v, [std::cmp::Reverse(1), std::cmp::Reverse(0)]);
    }
}
