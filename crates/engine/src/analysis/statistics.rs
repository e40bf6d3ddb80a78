//! The Statistics view (spec §5.1, DevTools `JSHeapSnapshot.calculateStatistics`).

use super::quirks::{self, BogusRetainers, Edge};
use super::retainers::Retainers;
use crate::error::Result;
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// The Statistics pie, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Statistics {
    /// Total size: root retained size plus `extra_native_bytes`.
    pub total: f64,
    /// V8 heap: `total - native`.
    pub v8_heap: f64,
    /// Native (embedder) memory, including `extra_native_bytes`.
    pub native: f64,
    /// Compiled code.
    pub code: f64,
    /// Strings (flat, concatenated, sliced).
    pub strings: f64,
    /// JS arrays, with their exclusively-held `elements` store.
    pub js_arrays: f64,
    /// Typed-array backing stores (`system / JSArrayBufferData`).
    pub typed_arrays: f64,
    /// System objects (`hidden` nodes).
    pub system: f64,
    /// The rest of the V8 heap: `v8_heap - code - strings - js_arrays - system`.
    pub other_js_objects: f64,
    /// The rest of native memory: `native - typed_arrays`.
    pub other_non_js_objects: f64,
}

/// Computes the statistics from the adjusted shallow sizes, all but the total (the root's
/// retained size, known once the dominator tree is: see [`Statistics::with_total`]).
pub(crate) fn compute(
    snap: &Snapshot,
    shallow: &[u32],
    retainers: &Retainers,
    bogus: Option<BogusRetainers>,
    obs: &dyn Observer,
) -> Result<Statistics> {
    let mut poll = Poll::new(obs);
    let nt = snap.header.meta.node_types;
    let internal = snap.header.meta.edge_types.internal;
    // DevTools compares the text: a table with a string twice (V8 never writes one) matches
    // both.
    let buffer_data = snap.strings.name_ids("system / JSArrayBufferData");
    let array = snap.strings.name_ids("Array");
    let elements = snap.strings.name_ids("elements");
    // The retainer count of a node, with the slots DevTools gives the last node for edges
    // pointing past it (see `quirks`).
    let retainer_count = |o: usize| match bogus {
        Some(b) if b.node == o => retainers.count(o) + b.count,
        _ => retainers.count(o),
    };
    let mut native = snap.header.extra_native_bytes as f64;
    let (mut typed, mut code, mut strings, mut arrays, mut system) = (0f64, 0f64, 0f64, 0f64, 0f64);
    for o in 0..snap.node_count() {
        poll.tick()?;
        let size = shallow[o] as f64;
        let t = snap.node_type[o];
        if t == nt.hidden {
            system += size;
        } else if t == nt.native {
            native += size;
            if buffer_data.contains(snap.node_name[o]) {
                typed += size;
            }
        } else if t == nt.code {
            code += size;
        } else if t == nt.cons_string || t == nt.sliced_string || t == nt.string {
            strings += size;
        } else if array.contains(snap.node_name[o]) {
            // `calculateArraySize`: the node plus its first `elements` backing store, if that
            // has no other retainer.
            let mut s = size;
            for e in quirks::edges_of(snap, o) {
                let (t, name, to) = match e {
                    Edge::Real(ei) => (snap.edge_type[ei], snap.edge_name[ei], Some(ei)),
                    Edge::Dangling(d) => (d.ty, d.name, None),
                };
                if t != internal || !elements.contains(StrId(name)) {
                    continue;
                }
                // A backing store past the last node has no retainer count (NaN).
                if let Some(ei) = to {
                    let to = snap.edge_to[ei] as usize;
                    if retainer_count(to) == 1 {
                        s += shallow[to] as f64;
                    }
                }
                break;
            }
            arrays += s;
        }
    }
    Ok(Statistics {
        native,
        code,
        strings,
        js_arrays: arrays,
        typed_arrays: typed,
        system,
        other_non_js_objects: native - typed,
        ..Statistics::default()
    })
}

impl Statistics {
    /// Completes the parts that depend on the `total` size.
    pub(crate) fn with_total(self, total: f64) -> Statistics {
        let v8_heap = total - self.native;
        Statistics {
            total,
            v8_heap,
            other_js_objects: v8_heap - self.code - self.strings - self.js_arrays - self.system,
            ..self
        }
    }
}
