//! The nodes in id order: what a diff, a footprint and a lookup by id ([`super::Analysis`]'s
//! id index) walk or search. Terms: a node's *ordinal* is its position in the snapshot, its *id*
//! the V8 object id (see [`crate::ids`]); a *run* is a stretch of consecutive ordinals whose ids
//! do not decrease.

use crate::error::Result;
use crate::progress::Poll;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// At most this many runs are merged; more are sorted by radix. V8 often writes a snapshot's
/// nodes in id order but for a few (two runs in a process's first snapshot is common), and a
/// merge of a few runs reads the ids once, in order, where the radix sort reads them four times
/// at random.
const MAX_RUNS: usize = 16;

/// The ordinals sorted by node id (ties in ordinal order): a merge of the runs when there are at
/// most [`MAX_RUNS`], else an LSD radix sort on the id, two passes of 16 bits, several times
/// faster than a comparison sort on millions of nodes.
pub(crate) fn ordinals_by_id(ids: &[u32], poll: &mut Poll<'_>) -> Result<Vec<u32>> {
    match run_starts(ids) {
        Some(starts) => merge_runs(ids, &starts, poll),
        None => radix(ids, poll),
    }
}

/// Where each run starts, if there are at most [`MAX_RUNS`].
fn run_starts(ids: &[u32]) -> Option<Vec<usize>> {
    let mut starts = vec![0];
    for (i, w) in ids.windows(2).enumerate() {
        if w[1] < w[0] {
            if starts.len() == MAX_RUNS {
                return None;
            }
            starts.push(i + 1);
        }
    }
    Some(starts)
}

/// Merges the runs starting at `starts` (the first at 0): the smallest id first, ties to the
/// earlier run, whose ordinals are the smaller.
fn merge_runs(ids: &[u32], starts: &[usize], poll: &mut Poll<'_>) -> Result<Vec<u32>> {
    let n = ids.len();
    if starts.len() == 1 {
        return Ok((0..n as u32).collect());
    }
    let ends: Vec<usize> = starts[1..].iter().copied().chain([n]).collect();
    let mut at = starts.to_vec();
    // (id, run) of each run's next node.
    let mut heads: BinaryHeap<Reverse<(u32, usize)>> = (0..starts.len())
        .filter(|&r| at[r] < ends[r])
        .map(|r| Reverse((ids[at[r]], r)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, r))) = heads.pop() {
        // Take the run's nodes while they come before every other run's next one.
        let limit = heads.peek().map(|&Reverse(h)| h);
        loop {
            poll.tick()?;
            order.push(at[r] as u32);
            at[r] += 1;
            if at[r] == ends[r] {
                break;
            }
            let next = (ids[at[r]], r);
            if limit.is_some_and(|l| next > l) {
                heads.push(Reverse(next));
                break;
            }
        }
    }
    Ok(order)
}

/// LSD radix sort of the ordinals by id, two passes of 16 bits (stable: ties in ordinal order).
fn radix(ids: &[u32], poll: &mut Poll<'_>) -> Result<Vec<u32>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids with ties, gaps and both 16-bit halves in use: the order must be the one a stable
    /// sort by id gives (ties in ordinal order).
    #[test]
    fn ordinals_in_id_order_ties_in_ordinal_order() {
        let mut rng = crate::test_rng::Rng::new(17);
        for n in [0usize, 1, 2, 100, 5000] {
            let ids: Vec<u32> = (0..n)
                .map(|_| match rng.below(4) {
                    0 => rng.below(8) as u32,
                    1 => u32::MAX - rng.below(3) as u32,
                    _ => rng.below(1 << 32) as u32,
                })
                .collect();
            let mut want: Vec<u32> = (0..n as u32).collect();
            want.sort_by_key(|&o| ids[o as usize]);
            let got = ordinals_by_id(&ids, &mut Poll::new(&crate::Quiet)).unwrap();
            assert_eq!(got, want, "{n} ids");
        }
    }

    /// Ids in a few runs (ties inside a run and across runs, runs of one, empty input): the
    /// merge must give the order a stable sort by id gives, and so must the radix sort when
    /// there are more runs than are merged.
    #[test]
    fn runs_merged_in_stable_id_order() {
        let mut rng = crate::test_rng::Rng::new(29);
        for runs in [1usize, 2, 3, MAX_RUNS, MAX_RUNS + 1, 40] {
            for _ in 0..50 {
                let mut ids: Vec<u32> = Vec::new();
                for _ in 0..runs {
                    let len = rng.below(30) as usize + 1;
                    let mut run: Vec<u32> = (0..len).map(|_| rng.below(40) as u32).collect();
                    run.sort_unstable();
                    // A run must end above the next one's start to stay a run of its own.
                    if let (Some(&last), Some(&first)) = (ids.last(), run.first()) {
                        if first >= last {
                            ids.push(u32::MAX);
                        }
                    }
                    ids.extend(run);
                }
                let mut want: Vec<u32> = (0..ids.len() as u32).collect();
                want.sort_by_key(|&o| ids[o as usize]);
                let got = ordinals_by_id(&ids, &mut Poll::new(&crate::Quiet)).unwrap();
                assert_eq!(got, want, "{ids:?}");
                let merged = run_starts(&ids).is_some();
                assert_eq!(
                    merged,
                    ids.windows(2).filter(|w| w[1] < w[0]).count() < MAX_RUNS
                );
            }
        }
        let none = ordinals_by_id(&[], &mut Poll::new(&crate::Quiet)).unwrap();
        assert!(none.is_empty());
    }
}
