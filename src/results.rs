//! Results handed to JS, and their conversions from the engine's: each one a `From` impl. Large
//! data stays in Rust behind `HeapAnalysis`; these are small copies made on request.

use crate::findings::{Finding, Verdict};
use heapwise_engine::diff as engine;
use heapwise_engine::{
    path_text, Analysis, ErrorKind, NodeOrd, Statistics as EngineStatistics, Text,
};
use napi::bindgen_prelude::Utf16String;
use napi_derive::napi;

fn utf16(t: &Text) -> Utf16String {
    Utf16String::from(t.to_utf16())
}

/// One row of the Summary view (DevTools' "Constructor" grid, "All objects").
#[napi(object)]
pub struct SummaryRow {
    /// Class name: a constructor name, `(string)`, `(system)`, `Function`, or `{a, b}` for plain
    /// objects sharing a popular property list.
    pub name: Utf16String,
    /// DevTools' class key: `,Name`, or `scriptId,line,column,Name` for objects whose constructor
    /// has a source location (two classes with the same name from different places are two rows).
    pub key: Utf16String,
    /// Number of objects (objects with a zero shallow size are not counted, as in DevTools).
    pub count: f64,
    /// Smallest distance from a GC root among them (`-5` if none is reachable; 100000000 and up
    /// for objects reachable only through system roots).
    pub distance: i32,
    /// Sum of the objects' shallow sizes, in bytes.
    pub shallow_size: f64,
    /// Bytes the class keeps alive (nested objects of the same class counted once).
    pub retained_size: f64,
}

impl From<heapwise_engine::SummaryRow> for SummaryRow {
    fn from(r: heapwise_engine::SummaryRow) -> Self {
        SummaryRow {
            name: utf16(&r.name),
            key: utf16(&r.key),
            count: r.count as f64,
            distance: r.distance,
            shallow_size: r.shallow_size,
            retained_size: r.retained_size,
        }
    }
}

/// The Statistics view, in bytes.
#[napi(object)]
pub struct Statistics {
    /// Total size of the heap (root retained size plus `extra_native_bytes`).
    pub total: f64,
    /// The V8 heap: `total - native`.
    pub v8_heap: f64,
    /// Native (embedder) memory.
    pub native: f64,
    /// Compiled code.
    pub code: f64,
    /// Strings.
    pub strings: f64,
    /// JS arrays with their own element stores.
    pub js_arrays: f64,
    /// Typed arrays' backing stores.
    pub typed_arrays: f64,
    /// System objects.
    pub system: f64,
    /// Other JS objects.
    pub other_js_objects: f64,
    /// Other native objects.
    pub other_non_js_objects: f64,
}

impl From<&EngineStatistics> for Statistics {
    fn from(s: &EngineStatistics) -> Self {
        Statistics {
            total: s.total,
            v8_heap: s.v8_heap,
            native: s.native,
            code: s.code,
            strings: s.strings,
            js_arrays: s.js_arrays,
            typed_arrays: s.typed_arrays,
            system: s.system,
            other_js_objects: s.other_js_objects,
            other_non_js_objects: s.other_non_js_objects,
        }
    }
}
/// One object of the heap.
#[napi(object)]
pub struct HeapNode {
    /// V8 object id (`@id` in DevTools), stable across snapshots of one process.
    pub id: f64,
    /// Display name: a constructor name, a string's text, `{a, b}` for plain objects.
    pub name: Utf16String,
    /// Node type: `object`, `closure`, `string`, `array`, `hidden`, `native`, `code`, ….
    pub r#type: String,
    /// Class name, as grouped in the Summary.
    pub class_name: Utf16String,
    /// Self size as written in the snapshot, in bytes.
    pub self_size: f64,
    /// Shallow size as DevTools shows it (internal storage owned only by this object included).
    pub shallow_size: f64,
    /// Bytes freed if this object were gone.
    pub retained_size: f64,
    /// Distance from the nearest GC root (see `SummaryRow.distance`).
    pub distance: i32,
    /// V8 id of the immediate dominator.
    pub dominator_id: f64,
    /// True for detached DOM or embedder objects.
    pub detached: bool,
}

impl From<heapwise_engine::NodeInfo> for HeapNode {
    fn from(n: heapwise_engine::NodeInfo) -> Self {
        HeapNode {
            id: n.id.0 as f64,
            name: utf16(&n.name),
            r#type: n.node_type,
            class_name: utf16(&n.class_name),
            self_size: n.self_size as f64,
            shallow_size: n.shallow_size as f64,
            retained_size: n.retained_size,
            distance: n.distance,
            dominator_id: n.dominator_id.0 as f64,
            detached: n.detached,
        }
    }
}

/// An edge seen from one of its ends.
#[napi(object)]
pub struct HeapEdge {
    /// Edge type: `property`, `element`, `context`, `internal`, `hidden`, `shortcut`, `weak`.
    pub r#type: String,
    /// Property or variable name, or the element index as text.
    pub name: String,
    /// The object at the other end.
    pub node: HeapNode,
}

impl From<(&Analysis, heapwise_engine::EdgeInfo)> for HeapEdge {
    fn from((a, e): (&Analysis, heapwise_engine::EdgeInfo)) -> Self {
        HeapEdge {
            r#type: e.edge_type,
            name: e.name,
            node: a.node(e.node).into(),
        }
    }
}

/// A source position (0-based line and column, as V8 records them).
#[napi(object)]
pub struct SourceLocation {
    /// V8 script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
    /// Script name (file path or URL) when the snapshot has it.
    pub script_name: Option<String>,
}

impl From<heapwise_engine::SourceLocation> for SourceLocation {
    fn from(l: heapwise_engine::SourceLocation) -> Self {
        SourceLocation {
            script_id: l.script_id,
            line: l.line,
            column: l.column,
            script_name: l.script_name,
        }
    }
}

/// One step of a retainer path.
#[napi(object)]
pub struct PathStep {
    /// The edge that leads from the previous step to this node (absent on the first step, the
    /// root).
    pub edge: Option<String>,
    /// That edge's type.
    pub edge_type: Option<String>,
    /// The node.
    pub node: HeapNode,
}

impl From<heapwise_engine::PathStep> for PathStep {
    fn from(s: heapwise_engine::PathStep) -> Self {
        PathStep {
            edge: s.edge,
            edge_type: s.edge_type,
            node: s.node.into(),
        }
    }
}

/// Converts every element of `v` (rows, retainer paths).
pub fn all<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(B::from).collect()
}

/// One of the largest objects.
#[napi(object)]
pub struct TopObject {
    /// The object.
    pub node: HeapNode,
    /// Shortest path from the root to it, root first, as DevTools' Retainers view expands it.
    pub retainer_path: Vec<PathStep>,
    /// That path in heapwise's one notation (`global.x → y.z`).
    pub path_text: String,
    /// Where the object was created: a closure's function, or an object's constructor.
    pub location: Option<SourceLocation>,
}

impl From<(&Analysis, NodeOrd)> for TopObject {
    fn from((a, o): (&Analysis, NodeOrd)) -> Self {
        let steps = a.path_steps(o);
        TopObject {
            node: a.node(o).into(),
            path_text: path_text(&steps),
            retainer_path: all(steps),
            location: a.location(o).map(Into::into),
        }
    }
}

/// One snapshot of a diff.
#[napi(object)]
pub struct DiffSide {
    /// The file.
    pub file: String,
    /// Number of nodes.
    pub node_count: f64,
    /// DevTools' total size.
    pub total_size: f64,
    /// Largest V8 heap object id (odd ids): DevTools' `maxJSObjectId`.
    pub max_js_object_id: f64,
}

impl From<engine::SideInfo> for DiffSide {
    fn from(s: engine::SideInfo) -> Self {
        DiffSide {
            file: s.file,
            node_count: s.node_count as f64,
            total_size: s.total_size,
            max_js_object_id: s.max_js_object_id as f64,
        }
    }
}

/// Defines `ComparisonRow` and `ComparisonTotals` from one list of count fields, with their
/// conversions: a row is a class name and key plus the counts, the totals are the counts alone.
macro_rules! comparison_counts {
    ($($field:ident $doc:literal,)*) => {
        /// One row of DevTools' Comparison view.
        #[napi(object)]
        pub struct ComparisonRow {
            /// Class name.
            pub name: Utf16String,
            /// DevTools' class key (`,Name` or `scriptId,line,column,Name`).
            pub key: Utf16String,
            $(#[doc = $doc] pub $field: f64,)*
        }

        /// Totals of the Comparison rows (the same counts, summed).
        #[napi(object)]
        pub struct ComparisonTotals {
            $(#[doc = $doc] pub $field: f64,)*
        }

        impl From<engine::ComparisonRow> for ComparisonRow {
            fn from(r: engine::ComparisonRow) -> Self {
                ComparisonRow {
                    name: utf16(&r.name),
                    key: utf16(&r.key),
                    $($field: r.counts.$field as f64,)*
                }
            }
        }

        impl From<engine::Counts> for ComparisonTotals {
            fn from(c: engine::Counts) -> Self {
                ComparisonTotals {
                    $($field: c.$field as f64,)*
                }
            }
        }
    };
}

comparison_counts! {
    new_count "Objects only in the second snapshot (\"# New\").",
    deleted_count "Objects only in the first snapshot (\"# Deleted\").",
    delta_count "`newCount - deletedCount` (\"# Delta\").",
    alloc_size "Shallow size of the new objects (\"Alloc. Size\").",
    freed_size "Shallow size of the deleted objects (\"Freed Size\").",
    size_delta "`allocSize - freedSize` (\"Size Delta\").",
}

/// An object in both snapshots whose retained size grew.
#[napi(object)]
pub struct Grower {
    /// The object, as in the second snapshot.
    pub node: HeapNode,
    /// Retained size in the first snapshot.
    pub retained_before: f64,
    /// Retained size in the second snapshot.
    pub retained_after: f64,
    /// `retainedAfter - retainedBefore`.
    pub growth: f64,
    /// Shortest retainer path from the root, root first.
    pub retainer_path: Vec<PathStep>,
    /// That path in heapwise's one notation.
    pub path_text: String,
    /// Where the object (or its constructor) is defined.
    pub location: Option<SourceLocation>,
}

impl From<engine::Grower> for Grower {
    fn from(g: engine::Grower) -> Self {
        Grower {
            node: g.node.into(),
            retained_before: g.retained_before,
            retained_after: g.retained_after,
            growth: g.growth,
            path_text: path_text(&g.retainer_path),
            retainer_path: all(g.retainer_path),
            location: g.location.map(Into::into),
        }
    }
}

/// A group of leak candidates with similar retainer paths (final mode).
#[napi(object)]
pub struct LeakGroup {
    /// Class of the leaked objects.
    pub name: Utf16String,
    /// How many objects the group has.
    pub count: f64,
    /// Bytes the group retains (members dominated by another member counted once).
    pub retained_size: f64,
    /// Retainer path of the group's largest object, root first.
    pub retainer_path: Vec<PathStep>,
    /// That path in heapwise's one notation.
    pub path_text: String,
    /// Location of that object.
    pub location: Option<SourceLocation>,
    /// Ids of some members, largest first (at most 20).
    pub ids: Vec<f64>,
}

impl From<engine::LeakGroup> for LeakGroup {
    fn from(l: engine::LeakGroup) -> Self {
        LeakGroup {
            name: utf16(&l.name),
            count: l.count as f64,
            retained_size: l.retained_size,
            path_text: path_text(&l.retainer_path),
            retainer_path: all(l.retainer_path),
            location: l.location.map(Into::into),
            ids: l.ids.into_iter().map(|i| i as f64).collect(),
        }
    }
}

/// What grew between two heap snapshots, and why.
#[napi(object)]
pub struct HeapDiff {
    /// Version of this result's shape.
    pub schema_version: u32,
    /// The first snapshot.
    pub before: DiffSide,
    /// The second snapshot.
    pub after: DiffSide,
    /// The third snapshot (final mode).
    pub r#final: Option<DiffSide>,
    /// False when the snapshots come from different processes (ids unrelated): then the
    /// Comparison is a class-level difference and there are no growers or allocated objects.
    pub same_process: bool,
    /// `after.totalSize - before.totalSize`.
    pub size_delta: f64,
    /// DevTools' Comparison view per class key (after filters), largest allocated size first.
    pub classes: Vec<ComparisonRow>,
    /// Sums of `classes`.
    pub totals: ComparisonTotals,
    /// Summary rows of the objects allocated between the snapshots (DevTools' "Objects allocated
    /// between Snapshot 1 and Snapshot 2"), largest retained size first.
    pub allocated: Vec<SummaryRow>,
    /// Objects present in both snapshots whose retained size grew, largest growth first.
    pub growers: Vec<Grower>,
    /// Leak groups (final mode only).
    pub leaks: Vec<LeakGroup>,
    /// Leak findings, ranked: the object that holds each growth, how fast it grows, what
    /// accumulates and the code to change (from all three snapshots in final mode).
    pub findings: Vec<Finding>,
    /// The verdict.
    pub verdict: Verdict,
    /// Things to know (e.g. the class-level fallback for unrelated snapshots).
    pub warnings: Vec<String>,
}

impl From<engine::HeapDiff> for HeapDiff {
    fn from(d: engine::HeapDiff) -> Self {
        HeapDiff {
            schema_version: 2,
            before: d.before.into(),
            after: d.after.into(),
            r#final: d.final_snapshot.map(Into::into),
            same_process: d.same_process,
            size_delta: d.size_delta,
            classes: all(d.classes),
            totals: d.totals.into(),
            allocated: all(d.allocated),
            growers: all(d.growers),
            leaks: all(d.leaks),
            findings: all(d.findings),
            verdict: d.verdict.into(),
            warnings: d.warnings,
        }
    }
}

/// One error code and what it means.
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The code, e.g. `ERR_HEAPWISE_TRUNCATED`.
    #[napi(ts_type = "HeapwiseErrorCode")]
    pub code: String,
    /// What it means, in one line.
    pub meaning: String,
}

impl From<ErrorKind> for ErrorCodeInfo {
    fn from(k: ErrorKind) -> Self {
        ErrorCodeInfo {
            code: k.code().into(),
            meaning: k.meaning().into(),
        }
    }
}
