//! A series of snapshots of one process, taken one at a time (what `watch` follows).
//!
//! Each snapshot is analysed, its findings computed against the footprints of the earlier
//! ones, and then reduced to its own footprint: memory stays bounded by [`Series::MAX_KEPT`]
//! footprints whatever the length of the series. The first footprint is always kept (it decides
//! which objects are new); when the limit is reached, the kept footprint closest in the series
//! to its predecessor is dropped, so the kept ones stay spread over the whole series.

use super::{find, Findings, FindingsOptions, Footprint};
use crate::analysis::Analysis;
use crate::error::Result;
use crate::progress::Observer;

/// Footprints of a series, oldest first, with their index in the series.
#[derive(Debug, Default)]
pub struct Series {
    kept: Vec<(u32, Footprint)>,
    added: u32,
}

impl Series {
    /// Most footprints kept (the first and the latest included).
    pub const MAX_KEPT: usize = 6;

    /// An empty series.
    pub fn new() -> Series {
        Series::default()
    }

    /// How many snapshots were added.
    pub fn len(&self) -> usize {
        self.added as usize
    }

    /// True before the first snapshot.
    pub fn is_empty(&self) -> bool {
        self.added == 0
    }

    /// Adds the analysis of the next snapshot: returns the findings of the series so far (none
    /// for the first snapshot), then keeps only the snapshot's footprint.
    pub fn add(
        &mut self,
        cur: &Analysis,
        opts: &FindingsOptions,
        obs: &dyn Observer,
    ) -> Result<Findings> {
        let footprints: Vec<&Footprint> = self.kept.iter().map(|(_, f)| f).collect();
        let mut found = if footprints.is_empty() {
            Findings::default()
        } else {
            find(&footprints, cur, opts, obs)?
        };
        let mut indexes: Vec<u32> = self.kept.iter().map(|(i, _)| *i).collect();
        indexes.push(self.added);
        for f in &mut found.findings {
            f.growth.snapshots = indexes.clone();
        }
        self.kept.push((self.added, Footprint::of(cur, obs)?));
        self.added += 1;
        if self.kept.len() > Self::MAX_KEPT {
            // Drop the footprint (not the first nor the latest) nearest to its predecessor.
            let victim = (1..self.kept.len() - 1)
                .min_by_key(|&k| (self.kept[k].0 - self.kept[k - 1].0, k))
                .expect("more than two are kept");
            self.kept.remove(victim);
        }
        Ok(found)
    }
}
