//! Finding objects by name: the nodes whose name, class name or display name contains a text,
//! largest retained size first. Zero-size nodes are skipped, as DevTools' search does.
//!
//! A node *matches* when the pattern is a substring (byte-exact, case-sensitive) of its name
//! string, of its class name, or, for a plain object (type `object`, name `Object`), of its
//! display name `{a, b, …}`. The strings are searched once ([`StringTable::containing`]), so
//! the pass over the nodes only looks up two flags per node. A plain object's display name
//! depends only on its property names in order, so it is built and searched once per list of
//! property names.
//!
//! [`StringTable::containing`]: crate::strings::StringTable::containing

use super::quirks::{self, Edge};
use super::Analysis;
use crate::ids::{NodeOrd, StrId};
use rayon::prelude::*;
use std::collections::HashMap;

/// Nodes per task of the pass over the nodes.
const CHUNK: usize = 1 << 16;

impl Analysis {
    /// Nodes whose name, class name or display name contains `pattern` (see the module docs),
    /// up to `limit`, largest retained size first.
    pub fn find_by_name(&self, pattern: &str, limit: usize) -> Vec<NodeOrd> {
        let pat = pattern.as_bytes();
        let snap = &self.snap;
        let in_table = snap.strings.containing(pat);
        // A name past the table reads as `undefined` (see `StringTable::wtf8`).
        let undefined = memchr::memmem::find(snap.strings.wtf8(StrId(u32::MAX)), pat).is_some();
        let matches = |s: StrId| in_table.get(s.index()).copied().unwrap_or(undefined);
        let object = snap.header.meta.node_types.object;
        let object_names = snap.strings.name_ids("Object");
        let n = self.node_count();
        // Names and class names on every core; plain objects that did not match are set aside.
        let (mut hits, plain) = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (mut hits, mut plain) = (Vec::new(), Vec::new());
                for o in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if self.shallow[o] == 0 {
                        continue;
                    }
                    let name = snap.node_name[o];
                    if matches(name) || matches(self.classes.class_of(o)) {
                        hits.push(o as u32);
                    } else if snap.node_type[o] == object && object_names.contains(name) {
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
        let property = snap.header.meta.edge_types.property;
        let mut by_properties: HashMap<Vec<u32>, bool> = HashMap::new();
        let mut key: Vec<u32> = Vec::new();
        for o in plain {
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
                hits.push(o);
            }
        }
        let by = |a: &u32, b: &u32| self.by_retained(*a, *b);
        if limit < hits.len() {
            hits.select_nth_unstable_by(limit, by);
            hits.truncate(limit);
        }
        hits.sort_by(by);
        hits.into_iter().map(NodeOrd).collect()
    }
}
