//! Class names and class keys (spec §3.1–§3.3, DevTools `calculateObjectNames`,
//! `inferInterfaceDefinitions`, `applyInterfaceDefinitions`, `classKeyInternal`).
//!
//! A node's *class name* is what the Summary groups it under: `(system)` for hidden nodes,
//! `Function` for closures, the constructor name for objects, `{a, b}` for plain objects that
//! match a popular property set ("interface"), and so on. Its *class key* also separates objects
//! whose constructors live at different source locations. Added names are appended to the string
//! table, deduplicated among themselves but not against the file's strings, exactly as DevTools
//! does: that keeps DevTools' (rare) row merges and splits identical.

use super::quirks::{self, Edge};
use crate::error::Result;
use crate::ids::StrId;
use crate::progress::{Observer, Poll};
use crate::snapshot::{Location, Snapshot};
use crate::strings::{cmp_utf16, utf16_len, NameIds, StringTable};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::cmp::Ordering;

/// An interface definition: a name like `{a, b}` and the property names it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InterfaceDefinition {
    /// The class name objects matching it get.
    pub(crate) name: crate::strings::Text,
    /// Properties an object must have (it may have more).
    pub(crate) properties: Vec<Vec<u8>>,
}

/// How nodes are grouped into classes.
#[derive(Debug, Clone)]
pub(crate) struct Classes {
    /// Class key id of every node (index into `keys`).
    pub(crate) key_of: Vec<u32>,
    /// The distinct internal class keys, in first-seen (ordinal) order.
    pub(crate) keys: Vec<ClassKey>,
    /// The class name string id of every key (for a located key, that of its first node; all
    /// its nodes have the same name text).
    pub(crate) key_name: Vec<StrId>,
    /// The interface definitions inferred for this snapshot, most popular first.
    pub(crate) interfaces: Vec<InterfaceDefinition>,
}

impl Classes {
    /// The class name string id of node `o` (derived from its key: no per-node name column).
    #[inline]
    pub(crate) fn class_of(&self, o: usize) -> StrId {
        self.key_name[self.key_of[o] as usize]
    }
}

/// One internal class key (DevTools `classKeyInternal`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ClassKey {
    /// Keyed by the class name's string id.
    Name(StrId),
    /// An `object` with a location: keyed by location and class name text.
    Located(Location, Vec<u8>),
}

/// Formats a property name as DevTools does: names containing `, ' " { }` become JSON string
/// literals.
pub(crate) fn format_property_name(name: &[u8]) -> Vec<u8> {
    if !name
        .iter()
        .any(|b| matches!(b, b',' | b'\'' | b'"' | b'{' | b'}'))
    {
        return name.to_vec();
    }
    json_string_literal(name)
}

/// `JSON.stringify(string)` on WTF-8 input (lone surrogates become `\udxxx`).
pub(crate) fn json_string_literal(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 2);
    out.push(b'"');
    let mut cps = crate::strings::CodePoints::new(name);
    for cp in cps.by_ref() {
        match cp {
            0x22 => out.extend_from_slice(b"\\\""),
            0x5C => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            0x0A => out.extend_from_slice(b"\\n"),
            0x0D => out.extend_from_slice(b"\\r"),
            0x09 => out.extend_from_slice(b"\\t"),
            c if c < 0x20 || (0xD800..0xE000).contains(&c) => {
                out.extend_from_slice(format!("\\u{c:04x}").as_bytes())
            }
            c => crate::strings::push_code_point(&mut out, c),
        }
    }
    out.push(b'"');
    out
}

/// Recognises plain objects (type `object`, raw name exactly `Object`) by string id.
pub(crate) struct PlainObjects {
    object_type: u8,
    names: NameIds,
}

impl PlainObjects {
    pub(crate) fn new(snap: &Snapshot) -> Self {
        PlainObjects {
            object_type: snap.header.meta.node_types.object,
            names: snap.strings.name_ids("Object"),
        }
    }
    #[inline]
    pub(crate) fn contains(&self, snap: &Snapshot, o: usize) -> bool {
        snap.node_type[o] == self.object_type && self.names.contains(snap.node_name[o])
    }
}

/// Strings the analysis adds after the snapshot's own: ids continue from the table's length.
pub(crate) struct AddedStrings {
    base_len: u32,
    /// The added strings, in id order.
    pub(crate) table: StringTable,
    dedup: HashMap<Vec<u8>, StrId>,
}

impl AddedStrings {
    /// No strings added yet to `base`.
    pub(crate) fn new(base: &StringTable) -> Self {
        AddedStrings {
            base_len: base.len() as u32,
            table: StringTable::new(),
            dedup: HashMap::default(),
        }
    }

    /// The id of `s` among the added strings, adding it if needed.
    pub(crate) fn get(&mut self, s: &[u8]) -> StrId {
        if let Some(&id) = self.dedup.get(s) {
            return id;
        }
        let id = self.push(s);
        self.dedup.insert(s.to_vec(), id);
        id
    }

    /// Adds `s` without deduplication.
    pub(crate) fn push(&mut self, s: &[u8]) -> StrId {
        StrId(self.base_len + self.table.push_wtf8(s).0)
    }

    /// Text of `id`, whether it is one of `base`'s or an added one (`undefined` past both, as
    /// DevTools reads it).
    pub(crate) fn text<'a>(&'a self, base: &'a StringTable, id: StrId) -> &'a [u8] {
        if id.0 < self.base_len {
            base.wtf8(id)
        } else {
            self.table.wtf8(StrId(id.0 - self.base_len))
        }
    }

    /// True if `id` is one of `base`'s strings or an added one.
    pub(crate) fn has(&self, id: StrId) -> bool {
        (id.0 as usize) < self.base_len as usize + self.table.len()
    }
}

/// Computes class names, interfaces and class keys; returns the strings to append to `snap`.
pub(crate) fn compute(snap: &Snapshot, obs: &dyn Observer) -> Result<(Classes, AddedStrings)> {
    let mut poll = Poll::new(obs);
    let mut added = AddedStrings::new(&snap.strings);
    let mut class_of = base_class_names(snap, &mut added, &mut poll)?;
    let interfaces = infer_interfaces(snap, &added, &mut poll)?;
    apply_interfaces(snap, &interfaces, &mut class_of, &mut added, &mut poll)?;
    let (key_of, keys, key_name) = class_keys(snap, class_of, &added, &mut poll)?;
    Ok((
        Classes {
            key_of,
            keys,
            key_name,
            interfaces,
        },
        added,
    ))
}

fn base_class_names(
    snap: &Snapshot,
    added: &mut AddedStrings,
    poll: &mut Poll<'_>,
) -> Result<Vec<StrId>> {
    let nt = snap.header.meta.node_types;
    let hidden = added.get(b"(system)");
    let code = added.get(b"(compiled code)");
    let function = added.get(b"Function");
    let regexp = added.get(b"RegExp");
    let n = snap.node_count();
    let mut by_type: HashMap<u8, StrId> = HashMap::default();
    let mut class_of = Vec::with_capacity(n);
    for o in 0..n {
        poll.tick()?;
        let t = snap.node_type[o];
        let c = if t == nt.hidden {
            hidden
        } else if t == nt.object || t == nt.native {
            let id = snap.node_name[o];
            if !added.has(id) {
                // `undefined.startsWith('<')`: DevTools' calculateObjectNames throws. A name
                // among the strings added so far reads as that string.
                let then = added.base_len as usize + added.table.len();
                return Err(super::quirks::name_error(
                    snap,
                    o,
                    then,
                    "reading its class name",
                ));
            }
            let name = added.text(&snap.strings, id);
            if name.starts_with(b"<") {
                let cut = match name.iter().position(|&b| b == b' ') {
                    Some(sp) => [&name[..sp], b">"].concat(),
                    None => name.to_vec(),
                };
                added.get(&cut)
            } else if name.starts_with(b"Detached <") {
                let cut = match name[10..].iter().position(|&b| b == b' ') {
                    Some(sp) => [&name[..10 + sp], b">"].concat(),
                    None => name.to_vec(),
                };
                added.get(&cut)
            } else {
                id
            }
        } else if t == nt.code {
            code
        } else if t == nt.closure {
            function
        } else if t == nt.regexp {
            regexp
        } else {
            match by_type.get(&t) {
                Some(&id) => id,
                None => {
                    let s = format!("({})", snap.header.meta.node_type_name(t));
                    let id = added.get(s.as_bytes());
                    by_type.insert(t, id);
                    id
                }
            }
        };
        class_of.push(c);
    }
    Ok(class_of)
}

/// DevTools `inferInterfaceDefinitions`: the most popular property lists of plain objects.
/// Property names are read with the strings `added` so far (a name past the file's strings
/// reads as one of them, as in DevTools).
pub(crate) fn infer_interfaces(
    snap: &Snapshot,
    added: &AddedStrings,
    poll: &mut Poll<'_>,
) -> Result<Vec<InterfaceDefinition>> {
    const MAX_INTERFACE_NAME_LENGTH: usize = 120;
    let property = snap.header.meta.edge_types.property;
    let mut candidates: HashMap<Vec<u8>, usize> = HashMap::default();
    let mut list: Vec<(Vec<u8>, Vec<Vec<u8>>, usize)> = Vec::new();
    let mut total = 0usize;
    let plain = PlainObjects::new(snap);
    // What each list of property names came to: the candidate it counts for (`None`: no
    // properties but `__proto__`).
    let mut done: ByProperties<Option<usize>> = ByProperties::default();
    for o in 0..snap.node_count() {
        poll.tick()?;
        if !plain.contains(snap, o) {
            continue;
        }
        total += 1;
        done.read(snap, o, property);
        if let Some(&c) = done.get() {
            if let Some(i) = c {
                list[i].2 += 1;
            }
            continue;
        }
        let mut name = b"{".to_vec();
        let mut name_len = 1usize; // UTF-16 length of `name`
        let mut props: Vec<Vec<u8>> = Vec::new();
        for &prop in &done.ids {
            let en = added.text(&snap.strings, StrId(prop));
            if en == b"__proto__" {
                continue;
            }
            let f = format_property_name(en);
            let flen = utf16_len(&f);
            if name_len > 1 && name_len + flen > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if name_len != 1 {
                name.extend_from_slice(b", ");
                name_len += 2;
            }
            name.extend_from_slice(&f);
            name_len += flen;
            props.push(en.to_vec());
        }
        let c = if props.is_empty() {
            None
        } else {
            name.push(b'}');
            Some(match candidates.get(&name) {
                Some(&i) => {
                    list[i].2 += 1;
                    i
                }
                None => {
                    candidates.insert(name.clone(), list.len());
                    list.push((name, props, 1));
                    list.len() - 1
                }
            })
        };
        done.insert(c);
    }
    // Stable sort by count, descending (Array.prototype.sort is stable).
    list.sort_by_key(|c| std::cmp::Reverse(c.2));
    let min_count = (2.0f64).max(total as f64 / 1000.0);
    Ok(list
        .into_iter()
        .take_while(|c| c.2 as f64 >= min_count)
        .map(|(name, properties, _)| InterfaceDefinition {
            name: crate::strings::Text(name),
            properties,
        })
        .collect())
}

/// Answers per list of property names: plain objects whose `property` edges have the same
/// name string ids in the same order (objects of one shape) get the same interface, so it is
/// worked out once per list. Lists longer than [`ByProperties::MAX`] are not kept (such objects
/// are few, and mostly dictionaries with keys of their own), nor more than
/// [`ByProperties::LISTS`] lists (a heap of objects that each have keys of their own would
/// otherwise keep one entry per object): the others are worked out each time.
struct ByProperties<V> {
    map: HashMap<Box<[u32]>, V>,
    ids: Vec<u32>,
}

impl<V> Default for ByProperties<V> {
    fn default() -> Self {
        ByProperties {
            map: HashMap::default(),
            ids: Vec::new(),
        }
    }
}

impl<V> ByProperties<V> {
    const MAX: usize = 64;
    const LISTS: usize = 1 << 16;

    /// Reads the property name ids of node `o` (see [`property_names`]) as the current list.
    fn read(&mut self, snap: &Snapshot, o: usize, property: u8) {
        self.ids.clear();
        self.ids.extend(property_names(snap, o, property));
    }

    /// The answer kept for the current list.
    fn get(&self) -> Option<&V> {
        self.map.get(self.ids.as_slice())
    }

    /// Keeps `v` as the answer for the current list (unless the list is too long to keep).
    fn insert(&mut self, v: V) {
        if self.ids.len() <= Self::MAX && self.map.len() < Self::LISTS {
            self.map.insert(self.ids.as_slice().into(), v);
        }
    }
}

struct TrieNode {
    next: HashMap<Vec<u8>, usize>,
    greatest: Option<Vec<u8>>,
    matched: Option<(usize, usize)>, // (property count, definition index)
}

/// DevTools' interface matcher: a trie over each definition's sorted properties
/// (`applyInterfaceDefinitions`).
pub(crate) struct InterfaceMatcher {
    trie: Vec<TrieNode>,
}

impl InterfaceMatcher {
    /// Builds the trie; earlier definitions win for identical property sets.
    pub(crate) fn new(defs: &[InterfaceDefinition]) -> Self {
        let mut trie = vec![TrieNode {
            next: HashMap::default(),
            greatest: None,
            matched: None,
        }];
        for (di, def) in defs.iter().enumerate() {
            let mut props = def.properties.clone();
            props.sort_by(|a, b| cmp_utf16(a, b));
            let mut cur = 0usize;
            for p in &props {
                cur = match trie[cur].next.get(p) {
                    Some(&c) => c,
                    None => {
                        let c = trie.len();
                        trie.push(TrieNode {
                            next: HashMap::default(),
                            greatest: None,
                            matched: None,
                        });
                        trie[cur].next.insert(p.clone(), c);
                        let replace = match &trie[cur].greatest {
                            None => true,
                            Some(g) => cmp_utf16(g, p) == Ordering::Less,
                        };
                        if replace {
                            trie[cur].greatest = Some(p.clone());
                        }
                        c
                    }
                };
            }
            if trie[cur].matched.is_none() {
                trie[cur].matched = Some((props.len(), di));
            }
        }
        InterfaceMatcher { trie }
    }

    /// The index of the best matching definition for an object whose property names, sorted in
    /// UTF-16 order, are `props` (most properties, then earliest); `None` means `Object`.
    pub(crate) fn best<P: AsRef<[u8]>>(&self, props: &[P]) -> Option<usize> {
        let trie = &self.trie;
        let better = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| match (a, b) {
            (a, None) => a,
            (None, b) => b,
            (Some(x), Some(y)) => {
                if y.0 > x.0 || (y.0 == x.0 && y.1 < x.1) {
                    Some(y)
                } else {
                    Some(x)
                }
            }
        };
        let mut states: Vec<usize> = vec![0];
        let mut best = trie[0].matched;
        for p in props {
            let p = p.as_ref();
            // JS Set semantics: walk a copy of the states that existed before this property;
            // deleting and adding act on the live set in that order.
            let before: Vec<usize> = states.clone();
            for &s in &before {
                let dead = match &trie[s].greatest {
                    None => true,
                    Some(g) => cmp_utf16(p, g) != Ordering::Less,
                };
                if dead {
                    states.retain(|&x| x != s);
                }
                if let Some(&next) = trie[s].next.get(p) {
                    if !states.contains(&next) {
                        states.push(next);
                    }
                    best = better(best, trie[next].matched);
                }
            }
        }
        best.map(|m| m.1)
    }
}

/// The name string ids of node `o`'s `property` edges, in order, including the ones that point
/// past the last node (DevTools reads their names too).
pub(crate) fn property_names(
    snap: &Snapshot,
    o: usize,
    property: u8,
) -> impl Iterator<Item = u32> + '_ {
    quirks::edges_of(snap, o).filter_map(move |e| match e {
        Edge::Real(ei) if snap.edge_type[ei] == property => Some(snap.edge_name[ei]),
        Edge::Dangling(d) if d.ty == property => Some(d.name),
        _ => None,
    })
}

/// The property names of plain object `o` (all `property` edges, `__proto__` included), sorted
/// in UTF-16 order, as `applyInterfaceDefinitions` collects them.
pub(crate) fn sorted_properties<'a>(snap: &'a Snapshot, o: usize, out: &mut Vec<&'a [u8]>) {
    let property = snap.header.meta.edge_types.property;
    out.clear();
    out.extend(property_names(snap, o, property).map(|n| snap.strings.wtf8(StrId(n))));
    out.sort_by(|a, b| cmp_utf16(a, b));
}

/// DevTools `applyInterfaceDefinitions`: gives every plain object the name of the best matching
/// definition (most properties, then earliest), or its raw name `Object`. Each definition's name
/// is added to the strings when an object first takes it; property names are read with the
/// strings added so far (a name past the file's strings may read as one, as in DevTools).
pub(crate) fn apply_interfaces(
    snap: &Snapshot,
    defs: &[InterfaceDefinition],
    class_of: &mut [StrId],
    added: &mut AddedStrings,
    poll: &mut Poll<'_>,
) -> Result<()> {
    let matcher = InterfaceMatcher::new(defs);
    let property = snap.header.meta.edge_types.property;
    let mut props: Vec<Cow<'_, [u8]>> = Vec::new();
    let plain = PlainObjects::new(snap);
    // The string id of each definition's name, once an object has taken it.
    let mut def_name: Vec<Option<StrId>> = vec![None; defs.len()];
    // The best definition for each list of property names. Only lists of the file's own
    // strings are kept: a name past them reads as an added string, and strings are added
    // along the way.
    let mut best: ByProperties<Option<usize>> = ByProperties::default();
    for o in 0..snap.node_count() {
        poll.tick()?;
        if !plain.contains(snap, o) {
            continue;
        }
        best.read(snap, o, property);
        // Only lists of the file's own strings are kept, so a list found is one.
        let found = match best.get() {
            Some(&di) => di,
            None => {
                let own = best.ids.iter().all(|&id| snap.strings.has(StrId(id)));
                props.clear();
                props.extend(best.ids.iter().map(|&name| {
                    let id = StrId(name);
                    if snap.strings.has(id) {
                        Cow::Borrowed(snap.strings.wtf8(id))
                    } else {
                        Cow::Owned(added.text(&snap.strings, id).to_vec())
                    }
                }));
                props.sort_by(|a, b| cmp_utf16(a, b));
                let di = matcher.best(&props);
                if own {
                    best.insert(di);
                }
                di
            }
        };
        class_of[o] = match found {
            Some(di) => *def_name[di].get_or_insert_with(|| added.push(&defs[di].name.0)),
            None => snap.node_name[o],
        };
    }
    Ok(())
}

/// Assigns internal class keys in first-seen order. `class_of` (one class name per node) is
/// turned into the key column in place; returns it with the keys and each key's name.
pub(crate) fn class_keys(
    snap: &Snapshot,
    class_of: Vec<StrId>,
    added: &AddedStrings,
    poll: &mut Poll<'_>,
) -> Result<(Vec<u32>, Vec<ClassKey>, Vec<StrId>)> {
    let object = snap.header.meta.node_types.object;
    let mut ids: HashMap<ClassKey, u32> = HashMap::default();
    let mut located: HashMap<(Location, StrId), u32> = HashMap::default();
    // Class name ids index this directly (names may be added strings, beyond the table).
    let mut by_name: Vec<u32> = Vec::new();
    let mut keys = Vec::new();
    let mut key_name = Vec::new();
    // Same layout, so this reuses the buffer.
    let mut key_of: Vec<u32> = class_of.into_iter().map(|c| c.0).collect();
    let mut loc_iter = snap.locations.iter().peekable();
    for o in 0..key_of.len() {
        poll.tick()?;
        let c = StrId(key_of[o]);
        let mut loc = None;
        while let Some(&(lo, l)) = loc_iter.peek() {
            if lo as usize > o {
                break;
            }
            if lo as usize == o {
                loc = Some(l);
            }
            loc_iter.next();
        }
        let id = match loc.filter(|_| snap.node_type[o] == object) {
            Some(l) => *located.entry((l, c)).or_insert_with(|| {
                let key = ClassKey::Located(l, added.text(&snap.strings, c).to_vec());
                *ids.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    key_name.push(c);
                    (keys.len() - 1) as u32
                })
            }),
            None => {
                let c = c.index();
                if c >= by_name.len() {
                    by_name.resize(c + 1, u32::MAX);
                }
                if by_name[c] == u32::MAX {
                    keys.push(ClassKey::Name(StrId::from_index(c)));
                    key_name.push(StrId::from_index(c));
                    by_name[c] = (keys.len() - 1) as u32;
                }
                by_name[c]
            }
        };
        key_of[o] = id;
    }
    Ok((key_of, keys, key_name))
}

impl ClassKey {
    /// The public key DevTools uses for Summary rows and comparisons: `,Name` or
    /// `scriptId,line,column,Name`.
    pub(crate) fn public(&self, snap: &Snapshot) -> crate::strings::Text {
        let mut out = Vec::new();
        match self {
            ClassKey::Name(id) => {
                out.push(b',');
                out.extend_from_slice(snap.strings.wtf8(*id));
            }
            ClassKey::Located(l, name) => {
                out.extend_from_slice(
                    format!("{},{},{},", l.script_id, l.line, l.column).as_bytes(),
                );
                out.extend_from_slice(name);
            }
        }
        crate::strings::Text(out)
    }
}
