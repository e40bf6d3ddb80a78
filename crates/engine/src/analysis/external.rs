//! Memory outside the JS object graph, as a snapshot shows it: what "RSS grows, the heap is
//! flat" is made of.
//!
//! Kinds ([`ExternalKind`]), each found from the graph's evidence:
//! * **ArrayBuffer backing stores**: `native` nodes named `system / JSArrayBufferData`, reached
//!   from an `ArrayBuffer` (or `SharedArrayBuffer`) by an `internal` edge `backing_store`; their
//!   size is the buffer's byte length. A store is *shared* when the object owning it has the
//!   class `SharedArrayBuffer`.
//! * **External strings**: `string` nodes whose `map` is an external string map
//!   (`system / Map (ExternalOneByteString)`, `… (ExternalString)`, …), plus `native` nodes
//!   named `system / ExternalStringData` (the string's payload as a node of its own). V8 13
//!   (Node 24) counts an external string's payload in its size; older V8 reports only its
//!   header, so the payload is not visible there.
//! * **Extra native bytes**: the header's `extra_native_bytes` (V8 ≥ 12.5): native memory V8
//!   attributes to the heap without a node.
//! * **Embedder objects**: every other `native` node (Node's `Node / …` C++ objects, a
//!   browser's DOM), grouped by class name.
//! * **Detached embedder objects**: embedder objects whose name starts with `Detached ` after
//!   DevTools' propagation of detachedness (spec §2.2).
//!
//! Sizes are shallow sizes (DevTools' attribution applied, spec §2.5), so the sums reconcile
//! with Statistics exactly ([`Reconcile`]): backing stores are Statistics' `typedArrays`;
//! embedder objects + detached + extra native bytes + unattributed `ExternalStringData` are its
//! `otherNonJsObjects`; external string nodes are part of its `strings`.
//!
//! The **holder** of an item is the object a user would change to free it: going up the
//! dominator tree from the item, past the *carriers* — native nodes, strings, internal storage
//! (`(object elements)`, `system / …` other than a closure context), ArrayBuffers (an `internal`
//! `backing_store` edge), views (an `internal` `buffer` edge to an ArrayBuffer) and the JS
//! wrappers of the item (objects with an `internal` edge to it) — to the first object that is none of
//! these. When the walk reaches the root or a root group (an item held from several places, or
//! from C++), the item's retainers are tried the same way, in DevTools' retainer order; an item
//! with none is counted under no holder.
//!
//! Cost: one pass over the nodes, then one walk up the dominator tree per item, each walk
//! stopping at the first node whose holder is already known.

use super::pages::{Page, Window};
use super::path_text::is_storage_class;
use super::Analysis;
use crate::error::Result;
use crate::ids::{NodeOrd, StrId};
use crate::progress::{Observer, Poll};
use crate::strings::Text;
use std::collections::HashMap;

/// What a byte outside the JS object graph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternalKind {
    /// `system / JSArrayBufferData`: the memory of ArrayBuffers, Buffers and typed arrays.
    ArrayBuffers,
    /// External strings (their payload lives outside the V8 heap).
    ExternalStrings,
    /// The header's `extra_native_bytes`.
    ExtraNativeBytes,
    /// Embedder (`native`) objects, e.g. Node's `Node / …`.
    Embedder,
    /// Embedder objects named `Detached …`.
    DetachedEmbedder,
}

impl ExternalKind {
    /// Every kind, in report order.
    pub const ALL: [ExternalKind; 5] = [
        ExternalKind::ArrayBuffers,
        ExternalKind::ExternalStrings,
        ExternalKind::ExtraNativeBytes,
        ExternalKind::Embedder,
        ExternalKind::DetachedEmbedder,
    ];

    /// The kind's name in the API (`arrayBuffers`, `externalStrings`, `extraNativeBytes`,
    /// `embedder`, `detachedEmbedder`).
    pub fn name(self) -> &'static str {
        match self {
            ExternalKind::ArrayBuffers => "arrayBuffers",
            ExternalKind::ExternalStrings => "externalStrings",
            ExternalKind::ExtraNativeBytes => "extraNativeBytes",
            ExternalKind::Embedder => "embedder",
            ExternalKind::DetachedEmbedder => "detachedEmbedder",
        }
    }

    /// The kind named `name` ([`ExternalKind::name`]).
    pub fn from_name(name: &str) -> Option<ExternalKind> {
        ExternalKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A count of items and their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Amount {
    /// Items (nodes; 0 for extra native bytes).
    pub count: u64,
    /// Bytes (shallow sizes).
    pub bytes: f64,
}

impl Amount {
    fn add(&mut self, bytes: f64) {
        self.count += 1;
        self.bytes += bytes;
    }
}

/// The items of one embedder class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAmount {
    /// [`ExternalKind::Embedder`] or [`ExternalKind::DetachedEmbedder`].
    pub kind: ExternalKind,
    /// The class name, as in the Summary (`Node / ContextifyScript`,
    /// `Detached Node / ContextifyScript`).
    pub name: Text,
    /// Its objects and their bytes.
    pub amount: Amount,
    /// Its largest objects, largest first (at most `LARGEST`, 3).
    pub largest: Vec<NodeOrd>,
}

/// The items of one kind that one holder keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct HolderAmount {
    /// The kind.
    pub kind: ExternalKind,
    /// The holder (see the module docs); `None` for items held from roots only.
    pub holder: Option<NodeOrd>,
    /// The items and their bytes.
    pub amount: Amount,
    /// Its largest item.
    pub largest: NodeOrd,
}

/// How the kinds' sums relate to [`super::Statistics`]: each `…_check` is zero when they agree.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reconcile {
    /// Statistics' `typedArrays`: equals the backing stores' bytes.
    pub typed_arrays: f64,
    /// Statistics' `native`: backing stores + embedder + detached + extra native bytes +
    /// [`Reconcile::string_data_in_native`].
    pub native: f64,
    /// Statistics' `otherNonJsObjects`: `native − typedArrays`.
    pub other_non_js_objects: f64,
    /// Statistics' `strings`, of which [`Reconcile::external_strings_in_strings`] are external.
    pub strings: f64,
    /// The external string nodes' bytes: part of Statistics' `strings`.
    pub external_strings_in_strings: f64,
    /// `system / ExternalStringData` bytes no single string owns: part of `native`.
    pub string_data_in_native: f64,
    /// `typedArrays − backing stores`.
    pub typed_arrays_check: f64,
    /// `otherNonJsObjects − (embedder + detached + extra native bytes + string data in native)`.
    pub other_non_js_check: f64,
}

/// Memory outside the JS object graph (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExternalMemory {
    /// Per kind, in [`ExternalKind::ALL`]'s order.
    pub totals: Vec<(ExternalKind, Amount)>,
    /// The backing stores of `SharedArrayBuffer`s (part of the ArrayBuffers total).
    pub shared_array_buffers: Amount,
    /// Embedder and detached embedder classes, largest bytes first.
    pub classes: Vec<ClassAmount>,
    /// Holders of every kind but extra native bytes, largest bytes first.
    pub holders: Vec<HolderAmount>,
    /// The relation to Statistics.
    pub reconcile: Reconcile,
}

/// Most largest objects kept per class.
pub const LARGEST: usize = 3;

/// Most retainers of an item tried when its dominator walk reaches a root.
const RETAINERS_TRIED: usize = 16;

/// Memo value for "no holder".
const NONE: u32 = u32::MAX;

impl ExternalMemory {
    /// The total of `kind`.
    pub fn total(&self, kind: ExternalKind) -> Amount {
        self.totals
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(Amount::default(), |(_, a)| *a)
    }

    /// A page of the holders (of `kind` only, if given), largest bytes first.
    pub fn holders_page(&self, kind: Option<ExternalKind>, w: Window) -> Page<&HolderAmount> {
        let all: Vec<&HolderAmount> = self
            .holders
            .iter()
            .filter(|h| kind.is_none_or(|k| h.kind == k))
            .collect();
        let total = all.len();
        let start = w.offset.min(total);
        let end = start.saturating_add(w.limit).min(total);
        Page {
            total,
            offset: start,
            items: all[start..end].to_vec(),
        }
    }
}

/// Which node is which kind, and the per-node facts the holder walk asks for.
struct Finder<'a> {
    a: &'a Analysis,
    backing_store: Vec<StrId>,
    buffer: Vec<StrId>,
    map: Vec<StrId>,
    /// Generic holder of a node (see [`Finder::lift`]), by ordinal.
    memo: HashMap<u32, u32>,
}

impl<'a> Finder<'a> {
    fn new(a: &'a Analysis) -> Self {
        let s = &a.snap.strings;
        Finder {
            a,
            backing_store: s.ids_of("backing_store"),
            buffer: s.ids_of("buffer"),
            map: s.ids_of("map"),
            memo: HashMap::new(),
        }
    }

    /// The target of `o`'s first `internal` edge named one of `names`.
    fn internal_edge(&self, o: usize, names: &[StrId]) -> Option<usize> {
        let snap = &self.a.snap;
        let internal = snap.header.meta.edge_types.internal;
        snap.edges_of(o)
            .find(|&ei| {
                snap.edge_type[ei] == internal && names.iter().any(|n| n.0 == snap.edge_name[ei])
            })
            .map(|ei| snap.edge_to[ei] as usize)
    }

    fn is_array_buffer(&self, o: usize) -> bool {
        self.internal_edge(o, &self.backing_store).is_some()
    }

    fn is_view(&self, o: usize) -> bool {
        self.internal_edge(o, &self.buffer)
            .is_some_and(|b| self.is_array_buffer(b))
    }

    /// True for the nodes a holder is never: see the module docs.
    fn is_carrier(&self, o: usize) -> bool {
        let snap = &self.a.snap;
        let nt = snap.header.meta.node_types;
        let t = snap.node_type[o];
        t == nt.native
            || t == nt.string
            || t == nt.cons_string
            || t == nt.sliced_string
            || is_storage_class(snap.strings.wtf8(self.a.classes.class_of(o)))
            || self.is_array_buffer(o)
            || self.is_view(o)
    }

    fn is_root_like(&self, o: usize) -> bool {
        let snap = &self.a.snap;
        o == snap.root as usize || snap.node_type[o] == snap.header.meta.node_types.synthetic
    }

    /// The first non-carrier on the dominator chain from `o` (`o` included), or [`NONE`] when
    /// the chain reaches a root first. Memoised for every node of the chain.
    fn lift(&mut self, o: usize) -> u32 {
        let mut chain: Vec<u32> = Vec::new();
        let mut x = o;
        let found = loop {
            if let Some(&h) = self.memo.get(&(x as u32)) {
                break h;
            }
            if self.is_root_like(x) {
                break NONE;
            }
            if !self.is_carrier(x) {
                break x as u32;
            }
            chain.push(x as u32);
            let d = self.a.dominator[x] as usize;
            if d == x {
                break NONE;
            }
            x = d;
        };
        for c in chain {
            self.memo.insert(c, found);
        }
        found
    }

    /// True if `x` has an `internal` edge to `item`: a JS wrapper of an embedder object (a
    /// property, element or variable pointing at it is a user's reference, not a wrapper).
    fn points_to(&self, x: usize, item: usize) -> bool {
        let snap = &self.a.snap;
        let internal = snap.header.meta.edge_types.internal;
        snap.edges_of(x)
            .any(|ei| snap.edge_to[ei] as usize == item && snap.edge_type[ei] == internal)
    }

    /// The holder of `item` (see the module docs).
    fn holder(&mut self, item: usize) -> Option<NodeOrd> {
        let native = self.a.snap.header.meta.node_types.native;
        let is_native = self.a.snap.node_type[item] == native;
        // Past the item and its own wrappers, then the generic walk.
        let from_chain = |f: &mut Self, start: usize| -> u32 {
            let mut x = start;
            while x == item || (is_native && !f.is_root_like(x) && f.points_to(x, item)) {
                let d = f.a.dominator[x] as usize;
                if d == x {
                    return NONE;
                }
                x = d;
            }
            f.lift(x)
        };
        let h = from_chain(self, item);
        if h != NONE {
            return Some(NodeOrd(h));
        }
        let weak = self.a.snap.header.meta.edge_types.weak;
        let slots = self.a.retainers.of(item);
        for slot in slots.take(RETAINERS_TRIED) {
            let r = self.a.retainers.node[slot] as usize;
            if self.is_root_like(r) || r == item {
                continue;
            }
            let ei = self.a.retainers.edge_of(&self.a.snap, item, slot);
            if self.a.snap.edge_type[ei] == weak {
                continue;
            }
            let h = from_chain(self, r);
            if h != NONE {
                return Some(NodeOrd(h));
            }
        }
        None
    }

    /// True for a `string` node with an external string map.
    fn is_external_string(&self, o: usize) -> bool {
        let Some(m) = self.internal_edge(o, &self.map) else {
            return false;
        };
        let name = self.a.snap.strings.wtf8(self.a.snap.node_name[m]);
        name.starts_with(b"system / Map (") && contains(name, b"External")
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

impl Analysis {
    /// Memory outside the JS object graph: totals by kind, embedder classes, holders and the
    /// relation to Statistics (see the `analysis::external` module). Computed on the first call
    /// and kept (it is small): later calls, for other pages, cost nothing.
    pub fn external_memory(&self, obs: &dyn Observer) -> Result<&ExternalMemory> {
        if let Some(x) = self.external.get() {
            return Ok(x);
        }
        let x = self.compute_external(obs)?;
        Ok(self.external.get_or_init(|| x))
    }

    fn compute_external(&self, obs: &dyn Observer) -> Result<ExternalMemory> {
        let mut poll = Poll::new(obs);
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let strings = &snap.strings;
        let buffer_data = strings.ids_of("system / JSArrayBufferData");
        let string_data = strings.ids_of("system / ExternalStringData");
        let shared_class = strings.ids_of("SharedArrayBuffer");
        let mut f = Finder::new(self);
        // Pass 1: every item and its kind.
        let mut items: Vec<(ExternalKind, u32)> = Vec::new();
        let mut totals: HashMap<ExternalKind, Amount> = HashMap::new();
        let mut shared = Amount::default();
        let mut classes: HashMap<StrId, (ExternalKind, Amount, Vec<u32>)> = HashMap::new();
        let mut rec = Reconcile::default();
        for o in 0..snap.node_count() {
            poll.tick()?;
            let t = snap.node_type[o];
            let bytes = self.shallow[o] as f64;
            let kind = if t == nt.native {
                let name = snap.node_name[o];
                if buffer_data.contains(&name) {
                    let owner_shared = self.retainers.of(o).any(|slot| {
                        let r = self.retainers.node[slot] as usize;
                        shared_class.contains(&self.classes.class_of(r))
                            && f.internal_edge(r, &f.backing_store) == Some(o)
                    });
                    if owner_shared {
                        shared.add(bytes);
                    }
                    ExternalKind::ArrayBuffers
                } else if string_data.contains(&name) {
                    rec.string_data_in_native += bytes;
                    ExternalKind::ExternalStrings
                } else {
                    let class = self.classes.class_of(o);
                    let kind = if strings.wtf8(class).starts_with(b"Detached ") {
                        ExternalKind::DetachedEmbedder
                    } else {
                        ExternalKind::Embedder
                    };
                    let e = classes
                        .entry(class)
                        .or_insert_with(|| (kind, Amount::default(), Vec::new()));
                    e.1.add(bytes);
                    e.2.push(o as u32);
                    if e.2.len() > 4 * LARGEST {
                        keep_largest(&mut e.2, &self.shallow);
                    }
                    kind
                }
            } else if t == nt.string && f.is_external_string(o) {
                rec.external_strings_in_strings += bytes;
                ExternalKind::ExternalStrings
            } else {
                continue;
            };
            totals.entry(kind).or_default().add(bytes);
            items.push((kind, o as u32));
        }
        let extra = snap.header.extra_native_bytes as f64;
        totals
            .entry(ExternalKind::ExtraNativeBytes)
            .or_default()
            .bytes = extra;
        // Pass 2: holders.
        let mut by_holder: HashMap<(ExternalKind, u32), (Amount, u32)> = HashMap::new();
        for &(kind, o) in &items {
            poll.tick()?;
            let h = f.holder(o as usize).map_or(NONE, |h| h.0);
            let bytes = self.shallow[o as usize] as f64;
            let e = by_holder.entry((kind, h)).or_insert((Amount::default(), o));
            e.0.add(bytes);
            if self.shallow[o as usize] > self.shallow[e.1 as usize] {
                e.1 = o;
            }
        }
        let mut holders: Vec<HolderAmount> = by_holder
            .into_iter()
            .map(|((kind, h), (amount, largest))| HolderAmount {
                kind,
                holder: (h != NONE).then_some(NodeOrd(h)),
                amount,
                largest: NodeOrd(largest),
            })
            .collect();
        holders.sort_by(|a, b| {
            b.amount
                .bytes
                .total_cmp(&a.amount.bytes)
                .then(a.kind.cmp(&b.kind))
                .then(a.holder.map(|h| h.0).cmp(&b.holder.map(|h| h.0)))
        });
        let mut classes: Vec<ClassAmount> = classes
            .into_iter()
            .map(|(name, (kind, amount, mut largest))| {
                keep_largest(&mut largest, &self.shallow);
                ClassAmount {
                    kind,
                    name: Text(strings.wtf8(name).to_vec()),
                    amount,
                    largest: largest.into_iter().map(NodeOrd).collect(),
                }
            })
            .collect();
        classes.sort_by(|a, b| {
            b.amount
                .bytes
                .total_cmp(&a.amount.bytes)
                .then(a.name.cmp(&b.name))
        });
        let st = &self.statistics;
        let amount = |k| totals.get(&k).copied().unwrap_or_default();
        rec.typed_arrays = st.typed_arrays;
        rec.native = st.native;
        rec.other_non_js_objects = st.other_non_js_objects;
        rec.strings = st.strings;
        rec.typed_arrays_check = st.typed_arrays - amount(ExternalKind::ArrayBuffers).bytes;
        rec.other_non_js_check = st.other_non_js_objects
            - (amount(ExternalKind::Embedder).bytes
                + amount(ExternalKind::DetachedEmbedder).bytes
                + extra
                + rec.string_data_in_native);
        Ok(ExternalMemory {
            totals: ExternalKind::ALL.iter().map(|&k| (k, amount(k))).collect(),
            shared_array_buffers: shared,
            classes,
            holders,
            reconcile: rec,
        })
    }
}

/// Keeps the [`LARGEST`] largest of `v` by shallow size, largest first (ties: lower ordinal).
fn keep_largest(v: &mut Vec<u32>, shallow: &[u32]) {
    v.sort_by(|&a, &b| {
        shallow[b as usize]
            .cmp(&shallow[a as usize])
            .then(a.cmp(&b))
    });
    v.truncate(LARGEST);
}
