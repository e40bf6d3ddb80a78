//! Where members were allocated, from allocation tracking (`--track-heap-objects`, DevTools'
//! "Allocation instrumentation on timeline"): each node's `trace_node_id` points into the
//! `trace_tree`, whose nodes name a function of `trace_function_infos` (the stack, innermost
//! first when walking to the parents).
//!
//! The **allocation site** of a member is the innermost frame of its stack that is not the
//! runtime's (`node:` scripts); the site reported is the one most members share.

use crate::analysis::{Analysis, SourceLocation};
use std::collections::HashMap;

/// An allocation site shared by members.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Site {
    /// Function name.
    pub function: String,
    /// Where (0-based line and column).
    pub location: SourceLocation,
    /// How many members were allocated there.
    pub count: u64,
}

/// The allocation site most of `members` share, when the snapshot has tracking data.
pub(crate) fn site(cur: &Analysis, members: &[usize]) -> Option<Site> {
    let snap = &cur.snap;
    if snap.trace_node_id.is_empty() || snap.trace_tree.is_empty() {
        return None;
    }
    let index: HashMap<u32, usize> = snap
        .trace_tree
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id, i))
        .collect();
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for &m in members {
        let Some(&tid) = snap.trace_node_id.get(m) else {
            continue;
        };
        let Some(&start) = index.get(&tid) else {
            continue;
        };
        let site = snap.trace_frames(start).find(|(_, f)| {
            f.line > 0 && !super::source::is_runtime_script(&snap.strings.get(f.script_name))
        });
        if let Some((fi, _)) = site {
            *counts.entry(fi).or_insert(0) += 1;
        }
    }
    let (&fi, &count) = counts
        .iter()
        .max_by_key(|(&fi, &c)| (c, std::cmp::Reverse(fi)))?;
    let (function, location) = cur.traced_function(&snap.trace_function_infos[fi as usize]);
    Some(Site {
        function,
        location: location?,
        count,
    })
}
