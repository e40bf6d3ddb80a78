//! Grouping items by a key with one counting sort, each group filled from its end: the shape of
//! the retainers (edges by target) and of the dominator children (nodes by dominator).
//!
//! Terms: the groups are consecutive *ranges* of one array, `first[k]..first[k + 1]` for key
//! `k` (compressed sparse rows). While they are filled, `first[k + 1]` counts down from the end
//! of group `k`, one slot per item placed; once every item is placed it is the group's start,
//! and [`Ranges::finish`] shifts the offsets into place.

/// Group offsets: counted with [`Ranges::add`], then filled with [`Ranges::take`].
pub(crate) struct Ranges {
    first: Vec<u32>,
    total: u32,
}

impl Ranges {
    /// No items yet, for keys `0..n`.
    pub(crate) fn new(n: usize) -> Ranges {
        Ranges {
            first: vec![0u32; n + 1],
            total: 0,
        }
    }

    /// Counts one item of key `k` (before any is placed).
    #[inline]
    pub(crate) fn add(&mut self, k: u32) {
        self.first[k as usize + 1] += 1;
    }

    /// How many items there are in all (after [`Ranges::close`]).
    pub(crate) fn total(&self) -> usize {
        self.total as usize
    }

    /// Ends the counting: each range is then filled from its end.
    pub(crate) fn close(&mut self) {
        for k in 1..self.first.len() {
            self.first[k] += self.first[k - 1];
        }
        self.total = *self.first.last().expect("n + 1 offsets");
    }

    /// The slot for the next item of key `k` (after [`Ranges::close`]): the last free one of its
    /// range.
    #[inline]
    pub(crate) fn take(&mut self, k: u32) -> usize {
        let end = &mut self.first[k as usize + 1];
        *end -= 1;
        *end as usize
    }

    /// The offsets, once every counted item has taken its slot: key `k`'s items are at
    /// `first[k]..first[k + 1]`.
    pub(crate) fn finish(mut self) -> Vec<u32> {
        let n = self.first.len() - 1;
        self.first.copy_within(1..=n, 0);
        self.first[n] = self.total;
        self.first
    }
}
