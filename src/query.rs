//! The query primitives' options in and results out: pages of Summary rows, nodes and edges,
//! `explain`, and `peek`'s header. Conversion only (each result a `From` impl).

use crate::results::{all, HeapEdge, HeapNode, PathStep, SourceLocation, SummaryRow};
use heapwise_engine::{self as engine, Analysis, Error as EngineError, ErrorKind, NodeOrd};
use napi_derive::napi;

/// Options of `HeapAnalysis.summaryPage`.
#[napi(object, object_to_js = false)]
pub struct SummaryPageOptions {
    /// Only rows whose class name contains this text, case-insensitive (DevTools' class filter).
    pub filter: Option<String>,
    /// The order (default `retainedSize`); ties by class key.
    #[napi(ts_type = "'retainedSize' | 'shallowSize' | 'count' | 'distance' | 'name'")]
    pub sort: Option<String>,
    /// Largest first (default `true` for sizes and counts, `false` for `distance` and `name`).
    pub descending: Option<bool>,
    /// Rows skipped (default 0).
    pub offset: Option<f64>,
    /// Most rows returned (default 50, at most 10,000).
    pub limit: Option<f64>,
}

/// Options of `HeapAnalysis.instances`.
#[napi(object, object_to_js = false)]
pub struct InstancesOptions {
    /// Objects skipped (default 0).
    pub offset: Option<f64>,
    /// Most objects returned (default 50, at most 10,000).
    pub limit: Option<f64>,
    /// The order (default `retainedSize`); ties by position in the snapshot.
    #[napi(ts_type = "'retainedSize' | 'shallowSize' | 'distance' | 'id'")]
    pub sort: Option<String>,
    /// Largest first (default `true` for sizes, `false` for `distance` and `id`).
    pub descending: Option<bool>,
    /// Only the objects whose id is above this: an earlier snapshot's `maxJsObjectId` gives the
    /// objects allocated since (DevTools' "Objects allocated between snapshots").
    pub newer_than: Option<f64>,
}

/// Which part of a list a page shows.
#[napi(object, object_to_js = false)]
pub struct PageOptions {
    /// Items skipped (default 0).
    pub offset: Option<f64>,
    /// Most items returned (default 50, at most 10,000).
    pub limit: Option<f64>,
}

fn bad(message: String) -> EngineError {
    EngineError::new(ErrorKind::InvalidArgument, message)
}

/// `offset` and `limit` as a window: whole numbers of 0 or more (`limit` clamped to 10,000).
pub fn window(offset: Option<f64>, limit: Option<f64>) -> Result<engine::Window, EngineError> {
    let whole = |v: Option<f64>, name: &str, default: usize| match v {
        None => Ok(default),
        Some(x) if x >= 0.0 && x.fract() == 0.0 => Ok(x.min(u32::MAX as f64) as usize),
        Some(x) => Err(bad(format!(
            "{name} must be a whole number of 0 or more, got {x}"
        ))),
    };
    Ok(engine::Window::new(
        whole(offset, "offset", 0)?,
        whole(limit, "limit", engine::Window::default().limit)?,
    ))
}

impl PageOptions {
    /// The window of `o` (the defaults without options).
    pub fn window_of(o: Option<PageOptions>) -> Result<engine::Window, EngineError> {
        o.map_or(Ok(engine::Window::default()), |o| window(o.offset, o.limit))
    }
}

/// The engine's Summary page arguments: `(filter, sort, descending, window)`.
pub fn summary_args(
    o: Option<SummaryPageOptions>,
) -> Result<(String, engine::SummarySort, bool, engine::Window), EngineError> {
    use engine::SummarySort as S;
    let o = o.unwrap_or(SummaryPageOptions {
        filter: None,
        sort: None,
        descending: None,
        offset: None,
        limit: None,
    });
    let sort = match o.sort.as_deref() {
        None | Some("retainedSize") => S::RetainedSize,
        Some("shallowSize") => S::ShallowSize,
        Some("count") => S::Count,
        Some("distance") => S::Distance,
        Some("name") => S::Name,
        Some(s) => {
            return Err(bad(format!(
                "unknown sort '{s}' (retainedSize, shallowSize, count, distance or name)"
            )))
        }
    };
    let descending = o
        .descending
        .unwrap_or(!matches!(sort, S::Distance | S::Name));
    Ok((
        o.filter.unwrap_or_default(),
        sort,
        descending,
        window(o.offset, o.limit)?,
    ))
}

/// The engine's instances arguments: `(sort, descending, window)`.
pub fn instances_args(
    o: Option<InstancesOptions>,
) -> Result<(engine::NodeSort, bool, Option<u32>, engine::Window), EngineError> {
    use engine::NodeSort as S;
    let Some(o) = o else {
        return Ok((S::RetainedSize, true, None, engine::Window::default()));
    };
    let sort = match o.sort.as_deref() {
        None | Some("retainedSize") => S::RetainedSize,
        Some("shallowSize") => S::ShallowSize,
        Some("distance") => S::Distance,
        Some("id") => S::Id,
        Some(s) => {
            return Err(bad(format!(
                "unknown sort '{s}' (retainedSize, shallowSize, distance or id)"
            )))
        }
    };
    let descending = o.descending.unwrap_or(!matches!(sort, S::Distance | S::Id));
    let newer_than = match o.newer_than {
        None => None,
        Some(id) if (0.0..=u32::MAX as f64).contains(&id) && id.fract() == 0.0 => Some(id as u32),
        Some(id) => return Err(bad(format!("newerThan must be an object id, got {id}"))),
    };
    Ok((sort, descending, newer_than, window(o.offset, o.limit)?))
}

/// A page of Summary rows.
#[napi(object)]
pub struct SummaryPage {
    /// Rows matching the filter.
    pub total: f64,
    /// Position of the first row returned.
    pub offset: f64,
    /// The rows.
    pub rows: Vec<SummaryRow>,
}

impl From<engine::Page<engine::SummaryRow>> for SummaryPage {
    fn from(p: engine::Page<engine::SummaryRow>) -> Self {
        SummaryPage {
            total: p.total as f64,
            offset: p.offset as f64,
            rows: all(p.items),
        }
    }
}

/// A page of objects.
#[napi(object)]
pub struct NodePage {
    /// Objects in the whole list.
    pub total: f64,
    /// Position of the first object returned.
    pub offset: f64,
    /// The objects.
    pub nodes: Vec<HeapNode>,
}

impl From<(&Analysis, engine::Page<NodeOrd>)> for NodePage {
    fn from((a, p): (&Analysis, engine::Page<NodeOrd>)) -> Self {
        NodePage {
            total: p.total as f64,
            offset: p.offset as f64,
            nodes: p.items.into_iter().map(|o| a.node(o).into()).collect(),
        }
    }
}

impl NodePage {
    /// The page of an unknown object.
    pub fn empty() -> Self {
        NodePage {
            total: 0.0,
            offset: 0.0,
            nodes: Vec::new(),
        }
    }
}

/// A page of edges.
#[napi(object)]
pub struct EdgePage {
    /// Edges in the whole list.
    pub total: f64,
    /// Position of the first edge returned.
    pub offset: f64,
    /// The edges.
    pub edges: Vec<HeapEdge>,
}

impl From<(&Analysis, engine::Page<engine::EdgeInfo>)> for EdgePage {
    fn from((a, p): (&Analysis, engine::Page<engine::EdgeInfo>)) -> Self {
        EdgePage {
            total: p.total as f64,
            offset: p.offset as f64,
            edges: p
                .items
                .into_iter()
                .map(|e| HeapEdge::from((a, e)))
                .collect(),
        }
    }
}

impl EdgePage {
    /// The page of an unknown object.
    pub fn empty() -> Self {
        EdgePage {
            total: 0.0,
            offset: 0.0,
            edges: Vec::new(),
        }
    }
}

/// One frame of an allocation stack.
#[napi(object)]
pub struct AllocationFrame {
    /// The function's name (`(anonymous)` when it has none).
    pub function_name: String,
    /// Where the function is, when known.
    pub location: Option<SourceLocation>,
}

impl From<engine::AllocationFrame> for AllocationFrame {
    fn from(f: engine::AllocationFrame) -> Self {
        AllocationFrame {
            function_name: f.function_name,
            location: f.location.map(Into::into),
        }
    }
}

/// A class of the objects an object retains.
#[napi(object)]
pub struct RetainedClass {
    /// Class name.
    pub name: String,
    /// Number of objects.
    pub count: f64,
    /// Sum of their shallow sizes, in bytes.
    pub size: f64,
}

impl From<engine::RetainedClass> for RetainedClass {
    fn from(c: engine::RetainedClass) -> Self {
        RetainedClass {
            name: c.name,
            count: c.count as f64,
            size: c.size,
        }
    }
}

/// One retainer path, root first, with its text.
#[napi(object)]
pub struct RetainerPath {
    /// The path in heapwise's one notation (`global.x → y.z`).
    pub path_text: String,
    /// Its steps, root first.
    pub steps: Vec<PathStep>,
}

impl From<Vec<engine::PathStep>> for RetainerPath {
    fn from(steps: Vec<engine::PathStep>) -> Self {
        RetainerPath {
            path_text: heapwise_engine::path_text(&steps),
            steps: all(steps),
        }
    }
}

/// What holds an object, what it holds, and where it was created.
#[napi(object)]
pub struct Explanation {
    /// The object.
    pub node: HeapNode,
    /// Where it was created (`HeapAnalysis.location`).
    pub location: Option<SourceLocation>,
    /// Its allocation stack, innermost frame first, when the snapshot has allocation traces.
    pub allocation_stack: Option<Vec<AllocationFrame>>,
    /// The shortest retainer path in heapwise's one notation (`(root)` for the root, empty if
    /// unreachable).
    pub path_text: String,
    /// Up to three retainer paths (`retainerPaths(id, 3)`).
    pub paths: Vec<RetainerPath>,
    /// Its first 10 retainers.
    pub retainers: EdgePage,
    /// Its dominator chain from the immediate dominator up, root excluded, at most 20: each of
    /// these objects, removed, would free it.
    pub dominators: Vec<HeapNode>,
    /// The first 10 objects it dominates immediately (`dominatedPage`).
    pub dominated: NodePage,
    /// What its dominator subtree holds by class name, largest `size` (sum of shallow sizes)
    /// first, at most 10.
    pub retained_classes: Vec<RetainedClass>,
    /// True if the subtree had more than 250,000 objects: the classes count those walked.
    pub retained_classes_partial: bool,
    /// One sentence for people.
    pub sentence: String,
}

impl From<(&Analysis, engine::Explanation)> for Explanation {
    fn from((a, e): (&Analysis, engine::Explanation)) -> Self {
        Explanation {
            node: e.node.into(),
            location: e.location.map(Into::into),
            allocation_stack: e.allocation_stack.map(all),
            path_text: e.path_text,
            paths: all(e.paths),
            retainers: (a, e.retainers).into(),
            dominators: e.dominators.into_iter().map(|o| a.node(o).into()).collect(),
            dominated: (a, e.dominated).into(),
            retained_classes: all(e.retained_classes),
            retained_classes_partial: e.retained_classes_partial,
            sentence: e.sentence,
        }
    }
}

/// What the header of a snapshot file says (`peek`).
#[napi(object)]
pub struct SnapshotHeader {
    /// The file.
    pub file: String,
    /// Its size in bytes.
    pub file_size: f64,
    /// Number of nodes, from the header.
    pub node_count: f64,
    /// Number of edges, from the header.
    pub edge_count: f64,
    /// Allocation-tracking functions (0 unless tracking was on).
    pub trace_function_count: f64,
    /// Native bytes outside the graph (0 if the header has none).
    pub extra_native_bytes: f64,
    /// `meta.node_fields`.
    pub node_fields: Vec<String>,
    /// `meta.edge_fields`.
    pub edge_fields: Vec<String>,
    /// The layout has source locations.
    pub has_locations: bool,
    /// Nodes carry detachedness.
    pub has_detachedness: bool,
    /// Allocation traces were recorded.
    pub has_allocation_traces: bool,
    /// Who wrote the file, as far as the header shows (`null` if it does not).
    pub producer: Option<String>,
    /// The V8 version range its layout points to, e.g. `>= 12.5` (`null` if unsure).
    pub v8: Option<String>,
    /// Bytes the analysis will hold once done (`HeapAnalysis.memoryBytes`), predicted.
    pub predicted_memory_bytes: f64,
    /// Most bytes the engine will hold while analysing, predicted.
    pub predicted_peak_bytes: f64,
}

impl From<engine::parse::SnapshotHeader> for SnapshotHeader {
    fn from(h: engine::parse::SnapshotHeader) -> Self {
        SnapshotHeader {
            file: h.file,
            file_size: h.file_size as f64,
            node_count: h.node_count as f64,
            edge_count: h.edge_count as f64,
            trace_function_count: h.trace_function_count as f64,
            extra_native_bytes: h.extra_native_bytes as f64,
            node_fields: h.node_fields,
            edge_fields: h.edge_fields,
            has_locations: h.has_locations,
            has_detachedness: h.has_detachedness,
            has_allocation_traces: h.has_allocation_traces,
            producer: h.producer,
            v8: h.v8,
            predicted_memory_bytes: h.predicted_memory_bytes as f64,
            predicted_peak_bytes: h.predicted_peak_bytes as f64,
        }
    }
}
