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
    ids: Vec<u32>,
    /// Retained size of `ids[i]`.
    retained: Vec<f64>,
    /// Largest V8 heap object id (odd ids): objects with a larger id were allocated later.
    max_js_object_id: u32,
    /// Total size of the snapshot (DevTools' total).
    total_size: f64,
}

impl Footprint {
    /// Reduces an analysed snapshot to its footprint.
    pub fn of(a: &Analysis, obs: &dyn Observer) -> Result<Footprint> {
        let mut poll = Poll::new(obs);
        let n = a.node_count();
        let mut pairs: Vec<(u32, f64)> = Vec::with_capacity(n);
        for o in 0..n {
            poll.tick()?;
            pairs.push((a.snap.node_id[o], a.retained[o]));
        }
        pairs.sort_unstable_by_key(|p| p.0);
        pairs.dedup_by_key(|p| p.0);
        let (ids, retained) = pairs.into_iter().unzip();
        Ok(Footprint {
            ids,
            retained,
            max_js_object_id: a.max_js_object_id(),
            total_size: a.total_size(),
        })
    }

    /// Retained size of the object with this id, if the snapshot has it.
    pub fn retained_of(&self, id: u32) -> Option<f64> {
        self.ids.binary_search(&id).ok().map(|i| self.retained[i])
    }

    /// True if the snapshot has an object with this id.
    pub fn contains(&self, id: u32) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Largest V8 heap object id of the snapshot.
    pub fn max_js_object_id(&self) -> u32 {
        self.max_js_object_id
    }

    /// DevTools' total size of the snapshot.
    pub fn total_size(&self) -> f64 {
        self.total_size
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        4 * self.ids.capacity() + 8 * self.retained.capacity()
    }
}
