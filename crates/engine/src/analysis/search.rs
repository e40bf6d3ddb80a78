//! Finding objects by name: the nodes whose name, class name or display name contains a text,
//! largest retained size first. Zero-size nodes are skipped, as DevTools' search does.
//!
//! A node *matches* when the pattern is a substring (byte-exact, case-sensitive) of its name
//! string, of its class name, or, for a plain object (type `object`, name `Object`), of its
//! display name `{a, b, …}`. The strings are searched once ([`StringTable::containing`]), so
//! the pass over the nodes only tests two bits per node (its name's, its class's). A plain object's display name
//! depends only on its property names in order, so it is built and searched once per list of
//! property names.
//!
//! [`StringTable::containing`]: crate::strings::StringTable::containing

use super::bits::BitVec;
use super::pages::select_range;
use super::quirks::{self, Edge};
use super::Analysis;
use crate::ids::{NodeOrd, StrId};
use crate::NodeSort;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Nodes per task of the pass over the nodes.
const CHUNK: usize = 1 << 16;

impl Analysis {
    /// Nodes whose name, class name or display name contains `pattern` (see the module docs),
    /// up to `limit`, largest retained size first.
    pub fn find_by_name(&self, pattern: &str, limit: usize) -> Vec<NodeOrd> {
        let pat = pattern.as_bytes();
        let snap = &self.snap;
        let strings = snap.strings.len();
        let mut in_table = BitVec::new(strings);
        for i in snap.strings.containing(pat) {
            in_table.set(i as usize);
        }
        // A name past the table reads as `undefined` (see `StringTable::wtf8`).
        let undefined = memchr::memmem::find(snap.strings.wtf8(StrId(u32::MAX)), pat).is_some();
        let matches = |s: StrId| {
            if s.index() < strings {
                in_table.get(s.index())
            } else {
                undefined
            }
        };
        let class_matches: Vec<bool> = self.classes.key_name.iter().map(|&k| matches(k)).collect();
        let object = snap.header.meta.node_types.object;
        let object_names = snap.strings.name_ids("Object");
        let n = self.node_count();
        // Names and class names on every core; plain objects that did not match are set aside.
        let (mut hits, plain) = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (mut hits, mut plain) = (Vec::new(), Vec::new());
                for o in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    // Sizes are read only for candidates: most nodes are ruled out by two bits.
                    let name = snap.node_name[o];
                    if matches(name) || class_matches[self.classes.key_of[o] as usize] {
                        if self.shallow[o] != 0 {
                            hits.push(o as u32);
                        }
                    } else if snap.node_type[o] == object
                        && object_names.contains(name)
                        && self.shallow[o] != 0
                    {
                        plain.push(o as u32);
                    }
                }
                (hits, plain)
            })
            .reduce(
                || (Vec::new(), Vec::new()),
                |mut a, b| {
                    a.0.extend(b.0);
                    a.1.extend(b.1);
                    a
                },
            );
        // Plain objects: each task builds a display name once per list of property names.
        let property = snap.header.meta.edge_types.property;
        hits.par_extend(plain.par_chunks(CHUNK).flat_map_iter(|chunk| {
            let mut by_properties: FxHashMap<Vec<u32>, bool> = FxHashMap::default();
            let mut key: Vec<u32> = Vec::new();
            let mut found = Vec::new();
            for &o in chunk {
                key.clear();
                key.extend(quirks::edges_of(snap, o as usize).filter_map(|e| match e {
                    Edge::Real(ei) => (snap.edge_type[ei] == property).then(|| snap.edge_name[ei]),
                    Edge::Dangling(d) => (d.ty == property).then_some(d.name),
                }));
                let hit = match by_properties.get(key.as_slice()) {
                    Some(&hit) => hit,
                    None => {
                        let name = self.display_name(NodeOrd(o));
                        let hit = memchr::memmem::find(name.as_bytes(), pat).is_some();
                        by_properties.insert(key.clone(), hit);
                        hit
                    }
                };
                if hit {
                    found.push(o);
                }
            }
            found
        }));
        let mut keyed = self.keyed(&hits, NodeSort::RetainedSize, true);
        let keep = limit.min(keyed.len());
        select_range(&mut keyed, 0..keep);
        let hits: Vec<u32> = keyed.into_iter().map(|(_, o)| o).collect();
        hits.into_iter().map(NodeOrd).collect()
    }
}
