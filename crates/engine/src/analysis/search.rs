//! Finding objects by name: the nodes whose name, class name or display name contains a text,
//! largest retained size first. Zero-size nodes are skipped, as DevTools' search does.
//!
//! A node *matches* when the pattern is a substring (byte-exact, case-sensitive) of its name
//! string, of its class name, or, for a plain object (type `object`, name `Object`), of its
//! display name `{a, b, …}`. The strings are searched once ([`StringTable::containing`]), so
//! the pass over the nodes only tests two bits per node (its name's, its class's). A plain
//! object's display name depends only on its property names in order: the first search lists
//! the plain objects with their *shape* (one per list of property names) and each shape's display
//! name ([`PlainObjects`], kept for the next searches), so a search tests each shape once.
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

/// Up to this many results, each task keeps only its best ones as it goes.
const FEW: usize = 1024;

impl Analysis {
    /// Builds what the first query by id ([`Analysis::ordinal_of`]'s index) and the first
    /// [`Analysis::find_by_name`] (the plain objects and their shapes' display names; see the
    /// module docs) would build, e.g. on another thread right after the analysis, so that no
    /// query pays for them.
    pub fn prepare_queries(&self) {
        let _ = self.ordinal_of(crate::ids::NodeId(0));
        self.plain_objects.get_or_init(|| PlainObjects::of(self));
    }

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
        let n = self.node_count();
        let is_hit =
            |o: usize| matches(snap.node_name[o]) || class_matches[self.classes.key_of[o] as usize];
        let plain = self.plain_objects.get_or_init(|| PlainObjects::of(self));
        let shape_hit: Vec<bool> = plain
            .names
            .par_iter()
            .map(|name| memchr::memmem::find(name.as_bytes(), pat).is_some())
            .collect();
        // Names and class names, on every core (sizes read only for candidates); then the plain
        // objects that did not match already, by the display name of their shape.
        let by_name = |c: usize| {
            (c * CHUNK..((c + 1) * CHUNK).min(n))
                .filter(move |&o| is_hit(o) && self.shallow[o] != 0)
                .map(|o| o as u32)
        };
        let by_shape = || {
            plain
                .objects
                .iter()
                .zip(&plain.shape)
                .filter(|&(&o, &k)| shape_hit[k as usize] && !is_hit(o as usize))
                .map(|(&o, _)| o)
        };
        let chunks = 0..n.div_ceil(CHUNK);
        let best: Vec<u32> = if limit <= FEW {
            // The best few on the fly, without listing every hit (a pattern may match millions).
            let mut best: Vec<u32> = chunks
                .into_par_iter()
                .flat_map_iter(|c| self.best_of(by_name(c), limit))
                .collect();
            if shape_hit.contains(&true) {
                best.extend(self.best_of(by_shape(), limit));
            }
            best
        } else {
            let mut hits: Vec<u32> = chunks.into_par_iter().flat_map_iter(by_name).collect();
            if shape_hit.contains(&true) {
                hits.extend(by_shape());
            }
            hits
        };
        let mut keyed = self.keyed(&best, NodeSort::RetainedSize, true);
        let keep = limit.min(keyed.len());
        select_range(&mut keyed, 0..keep);
        keyed.into_iter().map(|(_, o)| NodeOrd(o)).collect()
    }
}

/// The plain objects (type `object`, name `Object`, a non-zero size) of a snapshot, each with its
/// shape: the index of its list of property names, in order, whose display name is in `names`.
#[derive(Debug, Default)]
pub(crate) struct PlainObjects {
    objects: Vec<u32>,
    shape: Vec<u32>,
    names: Vec<String>,
}

impl PlainObjects {
    fn of(a: &Analysis) -> PlainObjects {
        let snap = &a.snap;
        let object = snap.header.meta.node_types.object;
        let property = snap.header.meta.edge_types.property;
        let object_names = snap.strings.name_ids("Object");
        let objects: Vec<u32> = (0..a.node_count())
            .filter(|&o| {
                snap.node_type[o] == object
                    && object_names.contains(snap.node_name[o])
                    && a.shallow[o] != 0
            })
            .map(|o| o as u32)
            .collect();
        let mut shapes: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        let mut names = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        let shape = objects
            .iter()
            .map(|&o| {
                key.clear();
                key.extend(quirks::edges_of(snap, o as usize).filter_map(|e| match e {
                    Edge::Real(ei) => (snap.edge_type[ei] == property).then(|| snap.edge_name[ei]),
                    Edge::Dangling(d) => (d.ty == property).then_some(d.name),
                }));
                if let Some(&k) = shapes.get(key.as_slice()) {
                    return k;
                }
                let k = names.len() as u32;
                names.push(a.display_name(NodeOrd(o)));
                shapes.insert(key.clone(), k);
                k
            })
            .collect();
        PlainObjects {
            objects,
            shape,
            names,
        }
    }

    /// Bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        4 * (self.objects.capacity() + self.shape.capacity())
            + self.names.iter().map(|n| n.capacity() + 24).sum::<usize>()
    }
}
