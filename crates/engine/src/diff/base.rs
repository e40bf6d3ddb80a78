//! The first snapshot of a diff, reduced to what the comparison needs, so that its graph can be
//! dropped before the second snapshot is read.
//!
//! Plain objects are kept as their sorted property lists (interned: a heap has few distinct
//! ones), because DevTools classifies the base snapshot with the *current* snapshot's interface
//! definitions, which are only known once the second snapshot has been analysed.

use crate::analysis::classes::{
    property_names, sorted_properties, InterfaceDefinition, InterfaceMatcher, PlainObjects,
};
use crate::analysis::id_order::ordinals_by_id;
use crate::analysis::Analysis;
use crate::error::Result;
use crate::findings::footprint::Footprint;
use crate::ids::StrId;
use crate::progress::{check, Observer, Poll};
use crate::snapshot::Location;
use crate::strings::Text;
// Fx hashing, as elsewhere in the engine: `groups_of` looks its maps up once per node.
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// How a base node was classified before the current snapshot's definitions are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum GroupKind {
    /// A class fixed by the base itself: `identity` is the base's class-name string id (DevTools'
    /// internal key), `text` its text (index into `names`).
    Class { identity: StrId, text: u32 },
    /// A plain object with property list `list`; `raw` is its raw-name string id (`Object`).
    Plain { list: u32, raw: StrId },
}

/// The base nodes that DevTools' Comparison keys alike whatever the current definitions, and
/// that show the same class name under the base's own (`name`, an index into `names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Group {
    kind: GroupKind,
    location: Option<Location>,
    name: u32,
}

/// The group of a node with no shallow size (DevTools' Comparison leaves it out).
const NO_GROUP: u32 = u32::MAX;

/// DevTools' internal class key of a base node under the current definitions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyIdent {
    /// A class-name string id of the base.
    Idx(StrId),
    /// An interface definition (index into the current snapshot's definitions).
    Iface(usize),
    /// An object with a location: location and class-name text.
    Loc(Location, Vec<u8>),
}

/// A class of the base snapshot under the current definitions.
#[derive(Debug, Clone)]
pub(crate) struct BaseClass {
    /// Public key.
    pub(crate) key: Text,
    /// Name DevTools shows for the class if the current snapshot lacks it: the class name,
    /// under the base's own definitions, of the class's object with the largest id.
    pub(crate) name: Text,
    /// How many objects it has, and their shallow size.
    pub(crate) count: u64,
    pub(crate) size: f64,
}

/// A node of the base, as [`DiffBase::for_each_node`] gives it: its id, shallow size, and the
/// class name DevTools shows for it under the base's own definitions (an index into `names`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BaseNode {
    pub(crate) id: u32,
    pub(crate) size: u32,
    name: u32,
}

/// The base's classes under the current definitions, and which class each group's nodes are of
/// (an index into `classes`; `u32::MAX`: none, a key whose public key a later one took over).
pub(crate) struct BaseClasses {
    pub(crate) classes: Vec<BaseClass>,
    class_of_group: Vec<u32>,
}

/// The reduced first snapshot.
#[derive(Debug, Clone, Default)]
pub(crate) struct DiffBase {
    // All nodes in the footprint's order (by id): shallow size and group (NO_GROUP for a size
    // of 0).
    shallow: Vec<u32>,
    group: Vec<u32>,
    groups: Vec<Group>,
    names: Vec<Text>,
    identity_text: FxHashMap<StrId, u32>,
    lists: Vec<Vec<Vec<u8>>>,
    // All nodes, sorted by id: their retained sizes.
    footprint: Footprint,
    // The nodes whose id is `picked` (one in `one_in`), sorted by id, with their signatures.
    sample: Vec<(u32, u32)>,
    one_in: u32,
}

/// About how many nodes of the base [`DiffBase::relation_to`] samples: plenty to tell a later
/// snapshot of a process from another process's, and little to keep.
const SAMPLE: usize = 100_000;

/// Whether `id` is in the sample of one id in `one_in`: a multiplicative hash of the id falls in
/// the first `1 / one_in` of its range. Picked by id, so an object both snapshots share is in
/// both samples or in neither.
#[inline]
fn picked(id: u32, one_in: u32) -> bool {
    (id.wrapping_mul(0x9E37_79B1) as u64 * one_in as u64) >> 32 == 0
}

/// How a snapshot relates to the base of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// A later snapshot of the same process.
    Later,
    /// An earlier snapshot of the same process (the arguments are newest first).
    Earlier,
    /// Another process: ids are unrelated.
    Unrelated,
}

/// FNV-1a of a node's type and raw name: equal for the same object in two snapshots of a process.
fn signature(a: &Analysis, o: usize) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in std::iter::once(&a.snap.node_type[o]).chain(a.snap.strings.wtf8(a.snap.node_name[o]))
    {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

impl DiffBase {
    /// Reduces an analysed snapshot.
    pub(crate) fn from_analysis(a: &Analysis, obs: &dyn Observer) -> Result<DiffBase> {
        // The id-sorted columns and the class groups are independent: one core each.
        let (d, columns) = rayon::join(
            || Self::groups_of(a, obs),
            || -> Result<_> {
                let mut poll = Poll::new(obs);
                let order = ordinals_by_id(&a.snap.node_id, &mut poll)?;
                let footprint = Footprint::in_order(a, &order);
                check(obs)?;
                let one_in = (order.len() / SAMPLE).max(1) as u32;
                let sample = (footprint.ids.iter().zip(&order))
                    .map(|(&id, &o)| (id, o))
                    .filter(|&(id, _)| picked(id, one_in))
                    .map(|(id, o)| (id, signature(a, o as usize)))
                    .collect();
                Ok((footprint, order, sample, one_in))
            },
        );
        let ((mut d, group_of), (footprint, order, sample, one_in)) = (d?, columns?);
        // In the footprint's order: the Comparison merges by id.
        d.group = order.iter().map(|&o| group_of[o as usize]).collect();
        drop(group_of);
        check(obs)?;
        d.shallow = order.iter().map(|&o| a.shallow[o as usize]).collect();
        (d.footprint, d.sample, d.one_in) = (footprint, sample, one_in);
        Ok(d)
    }

    /// The class groups, and the group of each node by ordinal.
    fn groups_of(a: &Analysis, obs: &dyn Observer) -> Result<(DiffBase, Vec<u32>)> {
        let mut poll = Poll::new(obs);
        let mut d = DiffBase::default();
        let mut group_of = vec![NO_GROUP; a.node_count()];
        let mut group_ids: FxHashMap<Group, u32> = FxHashMap::default();
        let mut name_ids: FxHashMap<Vec<u8>, u32> = FxHashMap::default();
        let mut list_ids: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        let mut prop_ids: Vec<u32> = Vec::new();
        let property = a.snap.header.meta.edge_types.property;
        let mut intern_name = |d: &mut DiffBase, t: &[u8]| -> u32 {
            if let Some(&i) = name_ids.get(t) {
                return i;
            }
            let i = d.names.len() as u32;
            d.names.push(Text(t.to_vec()));
            name_ids.insert(t.to_vec(), i);
            i
        };
        let object = a.snap.header.meta.node_types.object;
        let plain_objects = PlainObjects::new(&a.snap);
        // The located nodes, in ordinal order as the loop below: a cursor, not a search per node.
        let mut located = a.snap.locations.iter().peekable();
        let mut props: Vec<&[u8]> = Vec::new();
        // Per class-name string id: its `names` index and, for nodes without a location, its
        // group (most nodes), so the loop below hashes only plain objects and located ones.
        let mut name_of_class: Vec<u32> = Vec::new();
        let mut group_of_class: Vec<u32> = Vec::new();
        for o in 0..a.node_count() {
            poll.tick()?;
            if a.shallow[o] == 0 {
                continue;
            }
            let class = a.classes.class_of(o);
            let ci = class.index();
            if ci >= name_of_class.len() {
                name_of_class.resize(ci + 1, u32::MAX);
                group_of_class.resize(ci + 1, u32::MAX);
            }
            if name_of_class[ci] == u32::MAX {
                name_of_class[ci] = intern_name(&mut d, a.snap.strings.wtf8(class));
            }
            let own = name_of_class[ci];
            let location = if a.snap.node_type[o] == object {
                while located.next_if(|&(lo, _)| (lo as usize) < o).is_some() {}
                located.next_if(|&(lo, _)| lo as usize == o).map(|(_, l)| l)
            } else {
                None
            };
            let plain = plain_objects.contains(&a.snap, o);
            let gid = if !plain && location.is_none() && group_of_class[ci] != u32::MAX {
                group_of_class[ci]
            } else {
                let kind = if plain {
                    // Keyed by the property names' string ids in numeric order (a heap has few
                    // distinct lists, and the table holds each name once); the text list in
                    // DevTools' order is built only for a new one.
                    prop_ids.clear();
                    prop_ids.extend(property_names(&a.snap, o, property));
                    prop_ids.sort_unstable();
                    let list = match list_ids.get(prop_ids.as_slice()) {
                        Some(&l) => l,
                        None => {
                            sorted_properties(&a.snap, o, &mut props);
                            let l = d.lists.len() as u32;
                            d.lists.push(props.iter().map(|p| p.to_vec()).collect());
                            list_ids.insert(prop_ids.clone(), l);
                            l
                        }
                    };
                    let raw = a.snap.node_name[o];
                    let object_text = intern_name(&mut d, b"Object");
                    d.identity_text.insert(raw, object_text);
                    GroupKind::Plain { list, raw }
                } else {
                    d.identity_text.insert(class, own);
                    GroupKind::Class {
                        identity: class,
                        text: own,
                    }
                };
                let g = Group {
                    kind,
                    location,
                    name: own,
                };
                let next = group_ids.len() as u32;
                let gid = *group_ids.entry(g).or_insert_with(|| {
                    d.groups.push(g);
                    next
                });
                if !plain && location.is_none() {
                    group_of_class[ci] = gid;
                }
                gid
            };
            group_of[o] = gid;
        }
        Ok((d, group_of))
    }

    fn find(&self, id: u32) -> Option<usize> {
        self.footprint.position(id)
    }

    /// The base's footprint (what the findings need of it).
    pub(crate) fn footprint(&self) -> &Footprint {
        &self.footprint
    }

    /// How `cur` relates to the base: a later or an earlier snapshot of the same process
    /// (objects with the same id have the same type and name), or an unrelated one.
    pub(crate) fn relation_to(&self, cur: &Analysis) -> Relation {
        let (mut sampled, mut shared, mut differ) = (0u64, 0u64, 0u64);
        // The odd (V8 heap) ids of the sample.
        for (o, &id) in cur.snap.node_id.iter().enumerate() {
            if id.is_multiple_of(2) || !picked(id, self.one_in) {
                continue;
            }
            sampled += 1;
            let i = self.sample.partition_point(|&(x, _)| x < id);
            if let Some(&(_, sig)) = self.sample.get(i).filter(|&&(x, _)| x == id) {
                shared += 1;
                if sig != signature(cur, o) {
                    differ += 1;
                }
            }
        }
        if shared > 0 && differ * 10 > shared {
            Relation::Unrelated
        } else if cur.max_js_object_id() < self.footprint.max_js_object_id() {
            // Ids only grow in a process: a lower maximum is an earlier snapshot of it only if
            // many objects are shared (every process shares the ids of V8's root groups).
            if shared * 4 < sampled {
                Relation::Unrelated
            } else {
                Relation::Earlier
            }
        } else {
            Relation::Later
        }
    }

    /// Ids present in `cur` but not in the base, sorted (memlab's "target allocated").
    pub(crate) fn allocated_in(&self, cur: &Analysis) -> Vec<u32> {
        let mut v: Vec<u32> = cur
            .snap
            .node_id
            .iter()
            .copied()
            .filter(|&id| self.find(id).is_none())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Calls `f(class, node)` for each node of one of `classes` (an index into
    /// `classes.classes`), in ascending id order (ties in ordinal order): the order in which
    /// DevTools' Comparison merges each class's objects.
    pub(crate) fn for_each_node(
        &self,
        classes: &BaseClasses,
        obs: &dyn Observer,
        mut f: impl FnMut(usize, BaseNode),
    ) -> Result<()> {
        let mut poll = Poll::new(obs);
        for (i, (&g, &id)) in self.group.iter().zip(&self.footprint.ids).enumerate() {
            poll.tick()?;
            if g == NO_GROUP {
                continue;
            }
            let c = classes.class_of_group[g as usize];
            if c != u32::MAX {
                let (size, name) = (self.shallow[i], self.groups[g as usize].name);
                f(c as usize, BaseNode { id, size, name });
            }
        }
        Ok(())
    }

    /// The base's classes as DevTools' `aggregatesForDiff` builds them with the current
    /// snapshot's interface definitions, in first-seen order of their public keys.
    pub(crate) fn classes_under(
        &self,
        matcher: &InterfaceMatcher,
        defs: &[InterfaceDefinition],
        obs: &dyn Observer,
    ) -> Result<BaseClasses> {
        // Resolve every group to DevTools' internal key.
        let object_text: &[u8] = b"Object";
        let idents: Vec<KeyIdent> = self
            .groups
            .iter()
            .map(|g| {
                let (ident, text): (KeyIdent, Vec<u8>) = match g.kind {
                    GroupKind::Class { identity, text } => {
                        (KeyIdent::Idx(identity), self.names[text as usize].0.clone())
                    }
                    GroupKind::Plain { list, raw } => {
                        let props: Vec<&[u8]> = self.lists[list as usize]
                            .iter()
                            .map(|p| p.as_slice())
                            .collect();
                        match matcher.best(&props) {
                            Some(di) => (KeyIdent::Iface(di), defs[di].name.0.clone()),
                            None => (KeyIdent::Idx(raw), object_text.to_vec()),
                        }
                    }
                };
                match g.location {
                    Some(l) => KeyIdent::Loc(l, text),
                    None => ident,
                }
            })
            .collect();
        // Internal keys in first-seen order (non-zero nodes in ordinal order): groups are
        // numbered in the order their first node comes, so that is the order of each key's
        // first group.
        let mut key_ids: HashMap<&KeyIdent, u32> = HashMap::new();
        let mut keys: Vec<&KeyIdent> = Vec::new();
        let key_of_group: Vec<u32> = idents
            .iter()
            .map(|ident| {
                *key_ids.entry(ident).or_insert_with(|| {
                    keys.push(ident);
                    (keys.len() - 1) as u32
                })
            })
            .collect();
        // Public keys; the later internal key wins (a plain JS object in DevTools).
        let public = |k: &KeyIdent| -> Vec<u8> {
            match k {
                KeyIdent::Idx(id) => {
                    let t = self
                        .identity_text
                        .get(id)
                        .map_or(object_text, |&t| self.names[t as usize].0.as_slice());
                    [b",".as_slice(), t].concat()
                }
                KeyIdent::Iface(di) => [b",".as_slice(), defs[*di].name.0.as_slice()].concat(),
                KeyIdent::Loc(l, t) => [
                    format!("{},{},{},", l.script_id, l.line, l.column).as_bytes(),
                    t.as_slice(),
                ]
                .concat(),
            }
        };
        let mut slot_of_public: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut classes: Vec<BaseClass> = Vec::new();
        let mut winner: Vec<usize> = Vec::new(); // per class slot: winning internal key
        for (k, ident) in keys.iter().enumerate() {
            let p = public(ident);
            match slot_of_public.get(&p) {
                Some(&s) => winner[s] = k,
                None => {
                    slot_of_public.insert(p.clone(), classes.len());
                    classes.push(BaseClass {
                        key: Text(p),
                        name: Text::default(),
                        count: 0,
                        size: 0.0,
                    });
                    winner.push(k);
                }
            }
        }
        let mut slot_of_key: Vec<u32> = vec![u32::MAX; keys.len()];
        for (s, &k) in winner.iter().enumerate() {
            slot_of_key[k] = s as u32;
        }
        let mut out = BaseClasses {
            class_of_group: key_of_group
                .iter()
                .map(|&k| slot_of_key[k as usize])
                .collect(),
            classes,
        };
        // Per class: objects, their size, and the largest id with its class name.
        let mut sums: Vec<(u64, f64, u32, u32)> = vec![(0, 0.0, 0, 0); out.classes.len()];
        self.for_each_node(&out, obs, |c, node| {
            let s = &mut sums[c];
            s.0 += 1;
            s.1 += node.size as f64;
            if node.id >= s.2 {
                (s.2, s.3) = (node.id, node.name);
            }
        })?;
        for (c, (count, size, _, name)) in out.classes.iter_mut().zip(sums) {
            (c.count, c.size) = (count, size);
            c.name = self.names[name as usize].clone();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::picked;

    #[test]
    fn picks_one_id_in_one_in() {
        // V8's heap object ids: odd, consecutive ones handed out in allocation order.
        let ids = (0..1_000_000u32).map(|i| 2 * i + 1);
        assert!(ids.clone().all(|id| picked(id, 1)));
        for one_in in [2u32, 10, 24, 100] {
            let n = ids.clone().filter(|&id| picked(id, one_in)).count() as f64;
            let expected = 1e6 / one_in as f64;
            assert!((n - expected).abs() < 0.05 * expected, "1 in {one_in}: {n}");
        }
    }
}
