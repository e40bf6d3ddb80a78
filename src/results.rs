//! Result objects handed to JS. Large data stays in Rust behind [`HeapAnalysis`]; these are
//! small copies made on request.

use heapwise_engine::analysis::statistics::Statistics as EngineStatistics;
use heapwise_engine::{Analysis, SummaryRow as EngineRow};
use napi::bindgen_prelude::Utf16String;
use napi_derive::napi;

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

impl From<EngineRow> for SummaryRow {
    fn from(r: EngineRow) -> Self {
        SummaryRow {
            name: Utf16String::from(r.name.to_utf16()),
            key: Utf16String::from(r.key.to_utf16()),
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
            name: Utf16String::from(n.name.to_utf16()),
            r#type: n.node_type,
            class_name: Utf16String::from(n.class_name.to_utf16()),
            self_size: n.self_size as f64,
            shallow_size: n.shallow_size as f64,
            retained_size: n.retained_size,
            distance: n.distance,
            dominator_id: n.dominator_id.0 as f64,
            detached: n.detached,
        }
    }
}

/// Builds the JS view of node `o`.
pub fn node(a: &Analysis, o: usize) -> HeapNode {
    HeapNode::from(a.node(o))
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

/// Builds the JS view of edges seen from one end.
pub fn edges(a: &Analysis, list: Vec<heapwise_engine::EdgeInfo>) -> Vec<HeapEdge> {
    list.into_iter()
        .map(|e| HeapEdge {
            r#type: e.edge_type,
            name: e.name,
            node: node(a, e.node.0 as usize),
        })
        .collect()
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

/// One of the largest objects.
#[napi(object)]
pub struct TopObject {
    /// The object.
    pub node: HeapNode,
    /// Shortest path from the root to it, root first, as DevTools' Retainers view expands it.
    pub retainer_path: Vec<PathStep>,
    /// Where the object was created: a closure's function, or an object's constructor.
    pub location: Option<SourceLocation>,
}

/// Converts a retainer path built by the engine.
pub fn path_to_js(steps: Vec<heapwise_engine::diff::PathStep>) -> Vec<PathStep> {
    steps
        .into_iter()
        .map(|s| PathStep {
            edge: s.edge,
            edge_type: s.edge_type,
            node: HeapNode::from(s.node),
        })
        .collect()
}

/// Builds the retainer path of node `o`.
pub fn path(a: &Analysis, o: usize) -> Vec<PathStep> {
    path_to_js(heapwise_engine::diff::path_steps(a, o))
}

/// Converts a source location.
pub fn location_to_js(l: Option<heapwise_engine::SourceLocation>) -> Option<SourceLocation> {
    l.map(|l| SourceLocation {
        script_id: l.script_id,
        line: l.line,
        column: l.column,
        script_name: l.script_name,
    })
}

/// Builds the location of node `o`.
pub fn location(a: &Analysis, o: usize) -> Option<SourceLocation> {
    location_to_js(a.location(o))
}
