//! The *footprint* of an earlier snapshot of a series: each object's retained size by V8 id, and
//! the snapshot's largest object id. It is what the findings need of a snapshot once a later one
//! exists (12 bytes per node), so a series never holds two full graphs.

use crate::analysis::Analysis;
use crate::error::Result;
use crate::progress::{Observer, Poll};

/// Retained sizes by V8 object id of one snapshot of a series.
#[derive(Debug, Clone, Default)]
pub struct Footprint {
    /// Object ids, ascending.
    pub(crate) ids: Vec<u32>,
    /// Retained size of `ids[i]`.
    pub(crate) retained: Vec<f64>,
    /// Largest V8 heap object id (odd ids): objects with a larger id were allocated later.
    max_js_object_id: u32,
}

impl Footprint {
    /// Reduces an analysed snapshot to its footprint.
    pub fn of(a: &Analysis, obs: &dyn Observer) -> Result<Footprint> {
        let mut poll = Poll::new(obs);
        let order = ordinals_by_id(&a.snap.node_id, &mut poll)?;
        let ids: Vec<u32> = order.iter().map(|&o| a.snap.node_id[o as usize]).collect();
        let retained: Vec<f64> = order.iter().map(|&o| a.retained[o as usize]).collect();
        Ok(Footprint::from_sorted(ids, retained, a.max_js_object_id()))
    }

    /// Builds a footprint from id-sorted columns (a diff's reduced base has them).
    pub(crate) fn from_sorted(
        ids: Vec<u32>,
        retained: Vec<f64>,
        max_js_object_id: u32,
    ) -> Footprint {
        debug_assert!(ids.windows(2).all(|w| w[0] <= w[1]), "ids are sorted");
        Footprint {
            ids,
            retained,
            max_js_object_id,
        }
    }

    /// Position of `id` in the sorted ids. Ids are spread fairly evenly, so an interpolated
    /// guess narrows the search to a small window before the binary search.
    pub(crate) fn position(&self, id: u32) -> Option<usize> {
        let ids = &self.ids;
        let n = ids.len();
        if n == 0 {
            return None;
        }
        let (lo, hi) = (ids[0] as u64, ids[n - 1] as u64);
        if (id as u64) < lo || (id as u64) > hi {
            return None;
        }
        let guess = if hi > lo {
            ((id as u64 - lo) * (n as u64 - 1) / (hi - lo)) as usize
        } else {
            0
        };
        // Grow a window around the guess until it brackets the id, then search inside it.
        let mut step = 64usize;
        loop {
            let a = guess.saturating_sub(step);
            let b = (guess + step).min(n - 1);
            if ids[a] <= id && id <= ids[b] {
                return ids[a..=b].binary_search(&id).ok().map(|i| a + i);
            }
            if a == 0 && b == n - 1 {
                return None;
            }
            step *= 8;
        }
    }

    /// Retained size of the object with this id, if the snapshot has it.
    pub fn retained_of(&self, id: u32) -> Option<f64> {
        self.position(id).map(|i| self.retained[i])
    }

    /// Largest V8 heap object id of the snapshot.
    pub fn max_js_object_id(&self) -> u32 {
        self.max_js_object_id
    }
}

/// The ordinals sorted by node id (ties in ordinal order): an LSD radix sort on the id, two
/// passes of 16 bits, several times faster than a comparison sort on millions of nodes.
pub(crate) fn ordinals_by_id(ids: &[u32], poll: &mut Poll<'_>) -> Result<Vec<u32>> {
    let n = ids.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut spare = vec![0u32; n];
    for shift in [0u32, 16] {
        let mut count = vec![0usize; 1 << 16];
        for &o in &order {
            poll.tick()?;
            count[((ids[o as usize] >> shift) & 0xffff) as usize] += 1;
        }
        let mut acc = 0;
        for c in count.iter_mut() {
            let k = *c;
            *c = acc;
            acc += k;
        }
        for &o in &order {
            poll.tick()?;
            let b = ((ids[o as usize] >> shift) & 0xffff) as usize;
            spare[count[b]] = o;
            count[b] += 1;
        }
        std::mem::swap(&mut order, &mut spare);
    }
    Ok(order)
}
