//! The *footprint* of an earlier snapshot of a series: each object's retained size by V8 id, and
//! the snapshot's largest object id. It is what the findings need of a snapshot once a later one
//! exists (about 9 bytes per node), so a series never holds two full graphs.

use crate::analysis::id_order::ordinals_by_id;
use crate::analysis::Analysis;
use crate::error::Result;
use crate::progress::{Observer, Poll};

/// The mark in [`Footprint`]'s compact sizes of a size kept apart (4 GiB and more).
const LARGE: u32 = u32::MAX;

/// Retained sizes by V8 object id of one snapshot of a series.
#[derive(Debug, Clone, Default)]
pub struct Footprint {
    /// Object ids, ascending.
    pub(crate) ids: Vec<u32>,
    /// Retained size of `ids[i]` when it is a whole number below [`LARGE`] (nearly every
    /// object's); otherwise `LARGE`, and the size is in `large`.
    retained: Vec<u32>,
    /// `(i, retained size of ids[i])` of the sizes `retained` does not hold, ascending `i`.
    large: Vec<(u32, f64)>,
    /// Where to look for an id in `ids`.
    buckets: Buckets,
    /// Largest V8 heap object id (odd ids): objects with a larger id were allocated later.
    max_js_object_id: u32,
}

impl Footprint {
    /// Reduces an analysed snapshot to its footprint.
    pub fn of(a: &Analysis, obs: &dyn Observer) -> Result<Footprint> {
        let mut poll = Poll::new(obs);
        let order = ordinals_by_id(&a.snap.node_id, &mut poll)?;
        Ok(Footprint::in_order(a, &order))
    }

    /// The footprint of `a` from its ordinals sorted by id ([`ordinals_by_id`]).
    pub(crate) fn in_order(a: &Analysis, order: &[u32]) -> Footprint {
        Footprint::from_sorted(
            order.iter().map(|&o| a.snap.node_id[o as usize]).collect(),
            order.iter().map(|&o| a.retained[o as usize]),
            a.max_js_object_id(),
        )
    }

    /// Builds a footprint from ascending ids and their retained sizes.
    fn from_sorted(
        ids: Vec<u32>,
        retained: impl Iterator<Item = f64>,
        max_js_object_id: u32,
    ) -> Footprint {
        debug_assert!(ids.windows(2).all(|w| w[0] <= w[1]), "ids are sorted");
        let mut large = Vec::new();
        let retained = retained
            .enumerate()
            .map(|(i, r)| {
                if r >= 0.0 && r < LARGE as f64 && r.fract() == 0.0 {
                    r as u32
                } else {
                    large.push((i as u32, r));
                    LARGE
                }
            })
            .collect();
        let buckets = Buckets::of(&ids);
        Footprint {
            ids,
            retained,
            large,
            buckets,
            max_js_object_id,
        }
    }

    /// Position of `id` in the sorted ids (the first, if several nodes have it).
    pub(crate) fn position(&self, id: u32) -> Option<usize> {
        let range = self.buckets.range(id)?;
        let at = range.start + self.ids[range.clone()].partition_point(|&x| x < id);
        (at < range.end && self.ids[at] == id).then_some(at)
    }

    /// Retained size of the object with this id, if the snapshot has it.
    pub fn retained_of(&self, id: u32) -> Option<f64> {
        let i = self.position(id)?;
        Some(match self.retained[i] {
            LARGE => self.large[self.large.partition_point(|&(at, _)| (at as usize) < i)].1,
            r => r as f64,
        })
    }

    /// Largest V8 heap object id of the snapshot.
    pub fn max_js_object_id(&self) -> u32 {
        self.max_js_object_id
    }
}

/// Ids sorted ascending cut into equal spans of id values (*buckets*), so that finding an id
/// looks at the few positions of its bucket. V8 hands out ids from a counter, so they spread
/// fairly evenly and a bucket holds about [`Buckets::PER_BUCKET`]; an uneven spread only makes
/// some buckets longer (searched by halving).
#[derive(Debug, Clone, Default)]
struct Buckets {
    /// The smallest id.
    lo: u32,
    /// How many id values the buckets cover: `largest − lo + 1`.
    span: u64,
    /// How many buckets: the bucket of `id` is `(id − lo) × count / span`.
    count: u64,
    /// `starts[b]..starts[b + 1]` are the positions of the ids in bucket `b` (`count + 1`
    /// entries; none when there are no ids).
    starts: Vec<u32>,
}

impl Buckets {
    /// Positions a bucket holds on average.
    const PER_BUCKET: usize = 4;

    fn of(ids: &[u32]) -> Buckets {
        let (Some(&lo), Some(&hi)) = (ids.first(), ids.last()) else {
            return Buckets::default();
        };
        let count = (ids.len() / Self::PER_BUCKET).max(1);
        let mut b = Buckets {
            lo,
            span: (hi - lo) as u64 + 1,
            count: count as u64,
            starts: Vec::with_capacity(count + 1),
        };
        for (i, &id) in ids.iter().enumerate() {
            let k = b.bucket(id);
            while b.starts.len() <= k {
                b.starts.push(i as u32);
            }
        }
        b.starts.resize(count + 1, ids.len() as u32);
        b
    }

    /// The bucket of an id in `lo..lo + span`.
    #[inline]
    fn bucket(&self, id: u32) -> usize {
        ((id - self.lo) as u64 * self.count / self.span) as usize
    }

    /// The positions whose ids share `id`'s bucket, `None` when `id` is out of the ids' range.
    #[inline]
    fn range(&self, id: u32) -> Option<std::ops::Range<usize>> {
        if self.starts.is_empty() || id < self.lo || (id - self.lo) as u64 >= self.span {
            return None;
        }
        let k = self.bucket(id);
        Some(self.starts[k] as usize..self.starts[k + 1] as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_id_and_only_those() {
        // An even spread, one bucket holding many (a cluster), an id held by three nodes, and
        // the largest id.
        let mut ids: Vec<u32> = (0..2000).map(|i| 101 + 2 * i).collect();
        ids.extend([9000, 9000, 9000]);
        ids.extend(1_000_000..1_000_050);
        ids.push(u32::MAX);
        ids.sort_unstable();
        // Retained sizes: whole numbers, and every seventh one that needs more than 32 bits.
        let size = |i: usize| if i % 7 == 3 { 5e9 + i as f64 } else { i as f64 };
        let f = Footprint::from_sorted(ids.clone(), (0..ids.len()).map(size), 0);
        for &id in &ids {
            let first = ids.partition_point(|&x| x < id);
            assert_eq!(f.position(id), Some(first), "id {id}");
            assert_eq!(f.retained_of(id), Some(size(first)), "id {id}");
        }
        for id in [
            0,
            100,
            102,
            4100,
            8999,
            9001,
            999_999,
            1_000_050,
            u32::MAX - 1,
        ] {
            assert_eq!(f.position(id), None, "id {id}");
        }
        assert_eq!(Footprint::default().position(5), None);
        let one = Footprint::from_sorted(vec![42], [1.5].into_iter(), 0);
        assert_eq!(one.retained_of(42), Some(1.5));
        assert_eq!(
            (one.position(41), one.position(42), one.position(43)),
            (None, Some(0), None)
        );
    }
}
