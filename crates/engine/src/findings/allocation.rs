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
        let mut at = index.get(&tid).copied();
        let mut steps = 0;
        while let Some(i) = at {
            let t = snap.trace_tree[i];
            let Some(f) = snap
                .trace_function_infos
                .get(t.function_info_index as usize)
            else {
                break;
            };
            let script = snap.strings.get(f.script_name);
            if !super::source::is_runtime_script(&script) && f.line > 0 {
                *counts.entry(t.function_info_index).or_insert(0) += 1;
                break;
            }
            steps += 1;
            if t.parent == u32::MAX || steps > 4096 {
                break;
            }
            at = Some(t.parent as usize);
        }
    }
    let (&fi, &count) = counts
        .iter()
        .max_by_key(|(&fi, &c)| (c, std::cmp::Reverse(fi)))?;
    let f = snap.trace_function_infos[fi as usize];
    let name = snap.strings.get(f.name).into_owned();
    Some(Site {
        function: if name.is_empty() {
            "(anonymous)".to_owned()
        } else {
            name
        },
        location: SourceLocation {
            script_id: f.script_id,
            line: f.line - 1,
            column: f.column.saturating_sub(1),
            script_name: Some(snap.strings.get(f.script_name).into_owned()),
        },
        count,
    })
}
