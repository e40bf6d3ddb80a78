//! The parsed snapshot: columns indexed by node ordinal, CSR edges, and the string table.
//!
//! Terms ([`crate::ids`]): a node's *ordinal* is its position in the file (0-based); its *id* is
//! the V8 object id, stable across snapshots of one process. Edges are stored grouped by source
//! node in file order; `first_edge[o]` is the index of node `o`'s first edge and `first_edge[n]`
//! the total (compressed sparse rows).

use crate::ids::StrId;
use crate::meta::Header;
use crate::strings::StringTable;

/// A source position attached to a node (`locations` section), 0-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    /// V8 script id (per isolate).
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
}

/// One function of the allocation-tracking `trace_function_infos` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceFunctionInfo {
    /// V8's function id.
    pub function_id: u32,
    /// Function name (string index).
    pub name: StrId,
    /// Script name (string index).
    pub script_name: StrId,
    /// Script id.
    pub script_id: u32,
    /// 1-based line (0 = unknown).
    pub line: u32,
    /// 1-based column (0 = unknown).
    pub column: u32,
}

/// One node of the allocation-tracking `trace_tree`, flattened in pre-order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceNode {
    /// Trace node id (what a node's `trace_node_id` refers to).
    pub id: u32,
    /// Index into the function infos.
    pub function_info_index: u32,
    /// Live allocation count.
    pub count: u32,
    /// Live allocation size.
    pub size: u64,
    /// Index of the parent in the flattened list (`u32::MAX` for a top-level node).
    pub parent: u32,
}

/// A parsed heap snapshot, before analysis.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The header and layout.
    pub header: Header,
    /// Node type numbers.
    pub node_type: Vec<u8>,
    /// Node name string indexes.
    pub node_name: Vec<StrId>,
    /// V8 object ids.
    pub node_id: Vec<u32>,
    /// Raw self sizes, stored modulo 2^32 as DevTools stores them (spec §1.7).
    pub self_size: Vec<u32>,
    /// CSR offsets into the edge columns (length `node_count + 1`).
    pub first_edge: Vec<u32>,
    /// Detachedness (0 unknown, 1 attached, 2 detached); empty if the snapshot has no such field.
    pub detachedness: Vec<u8>,
    /// Allocation trace node ids; empty if the snapshot has no such field or every id is 0.
    pub trace_node_id: Vec<u32>,
    /// Edge type numbers.
    pub edge_type: Vec<u8>,
    /// Edge `name_or_index`: a string index, or a number for `element`/`hidden` edges.
    pub edge_name: Vec<u32>,
    /// Edge target ordinals.
    pub edge_to: Vec<u32>,
    /// The string table.
    pub strings: StringTable,
    /// Source locations of nodes (the `locations` section), one per node at most.
    pub locations: Locations,
    /// Allocation-tracking functions (empty unless tracking was on).
    pub trace_function_infos: Vec<TraceFunctionInfo>,
    /// Allocation-tracking tree, flattened (empty unless tracking was on).
    pub trace_tree: Vec<TraceNode>,
    /// Heap-timeline samples as `(timestamp_us, last_assigned_id)`.
    pub samples: Vec<(u64, u64)>,
    /// Ordinal of the root node (0 unless the header says otherwise).
    pub root: u32,
    /// Size of the input in bytes.
    pub input_bytes: u64,
    /// Problems that did not stop the work.
    pub warnings: Vec<String>,
    /// Inconsistencies that DevTools reads its own way, kept for the analysis to do the same.
    pub anomalies: Anomalies,
}

/// An edge whose `to_node` is a node index past the last node. DevTools keeps such an edge and
/// skips it almost everywhere; the engine keeps it out of the edge columns and applies the few
/// effects it has in DevTools from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DanglingEdge {
    /// The source node's ordinal.
    pub source: u32,
    /// Its position among the source's edges.
    pub position: u32,
    /// Its position in the `edges` array (DevTools' edge ordinal).
    pub index: u32,
    /// Its stored type.
    pub ty: u8,
    /// Its `name_or_index`.
    pub name: u32,
    /// `to_node` divided by the node field count: an ordinal past the last node.
    pub target: u32,
    /// Where its record starts in the input.
    pub offset: u64,
}

/// Inconsistencies of a snapshot that DevTools reads without failing (each is also reported in
/// [`Snapshot::warnings`]), kept so that the analysis reproduces what DevTools makes of them.
#[derive(Debug, Clone, Default)]
pub struct Anomalies {
    /// Edges pointing past the last node, by `index` (they are not in the edge columns).
    pub dangling: Vec<DanglingEdge>,
    /// Nodes whose `edge_count` reaches past the end of the edges array, with how many of their
    /// edges are missing, by ordinal. DevTools walks those missing edges, reading `undefined`.
    pub phantom: Vec<(u32, u32)>,
    /// The largest node name string index and the offset of its record.
    pub max_node_name: Option<(u32, u64)>,
    /// The largest name string index of an `internal` edge and the offset of its record.
    pub max_internal_edge_name: Option<(u32, u64)>,
}

impl Anomalies {
    /// True if some edges point past the last node or are missing from the edges array.
    pub fn irregular_edges(&self) -> bool {
        !self.dangling.is_empty() || !self.phantom.is_empty()
    }

    /// The dangling edges of node `o` (by position).
    pub fn dangling_of(&self, o: u32) -> &[DanglingEdge] {
        let from = self.dangling.partition_point(|d| d.source < o);
        let to = from + self.dangling[from..].partition_point(|d| d.source == o);
        &self.dangling[from..to]
    }

    /// How many edges of node `o` are missing from the edges array.
    pub fn phantom_of(&self, o: u32) -> u32 {
        match self.phantom.binary_search_by_key(&o, |p| p.0) {
            Ok(i) => self.phantom[i].1,
            Err(_) => 0,
        }
    }
}

impl Snapshot {
    /// The allocation stack that starts at `trace_tree[start]`, innermost frame first: each
    /// frame's function info index and the info, walking to the parents. The tree is flattened
    /// in pre-order (a parent comes before its children), so the walk ends.
    pub fn trace_frames(
        &self,
        start: usize,
    ) -> impl Iterator<Item = (u32, &TraceFunctionInfo)> + '_ {
        let mut at = Some(start);
        std::iter::from_fn(move || {
            let i = at?;
            let t = self.trace_tree.get(i)?;
            let f = self
                .trace_function_infos
                .get(t.function_info_index as usize)?;
            at = (t.parent != u32::MAX && (t.parent as usize) < i).then_some(t.parent as usize);
            Some((t.function_info_index, f))
        })
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// The edge ordinals of node `o`.
    #[inline]
    pub fn edges_of(&self, o: usize) -> std::ops::Range<usize> {
        self.first_edge[o] as usize..self.first_edge[o + 1] as usize
    }

    /// The location of node `o`, if the snapshot has one for it.
    pub fn location(&self, o: u32) -> Option<Location> {
        self.locations.get(o)
    }

    /// Bytes held by the columns (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.node_type.capacity()
            + 4 * (self.node_name.capacity()
                + self.node_id.capacity()
                + self.self_size.capacity()
                + self.first_edge.capacity()
                + self.trace_node_id.capacity()
                + self.edge_name.capacity()
                + self.edge_to.capacity())
            + self.detachedness.capacity()
            + self.edge_type.capacity()
            + self.strings.heap_bytes()
            + self.locations.heap_bytes()
    }
}

/// Node locations, stored compactly: all instances of one function literal share a location, so
/// each distinct location is kept once and a located node costs 8 bytes (its ordinal and the
/// index of its location) instead of 16.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    /// Located node ordinals, ascending.
    ords: Vec<u32>,
    /// Per entry of `ords`: index into `table`.
    which: Vec<u32>,
    /// The distinct locations.
    table: Vec<Location>,
}

impl Locations {
    /// Builds the index from `(ordinal, location)` pairs sorted by ordinal, one per ordinal.
    pub fn from_sorted(pairs: Vec<(u32, Location)>) -> Locations {
        let mut seen: rustc_hash::FxHashMap<Location, u32> = rustc_hash::FxHashMap::default();
        let mut table = Vec::new();
        let mut ords = Vec::with_capacity(pairs.len());
        let mut which = Vec::with_capacity(pairs.len());
        for (o, l) in pairs {
            debug_assert!(ords.last().is_none_or(|&last| last < o));
            let i = *seen.entry(l).or_insert_with(|| {
                table.push(l);
                (table.len() - 1) as u32
            });
            ords.push(o);
            which.push(i);
        }
        Locations { ords, which, table }
    }

    /// The location of node `o`, if it has one.
    pub fn get(&self, o: u32) -> Option<Location> {
        self.ords
            .binary_search(&o)
            .ok()
            .map(|i| self.table[self.which[i] as usize])
    }

    /// `(ordinal, location)` pairs in ascending ordinal order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Location)> + '_ {
        self.ords
            .iter()
            .zip(&self.which)
            .map(|(&o, &i)| (o, self.table[i as usize]))
    }

    /// Number of located nodes.
    pub fn len(&self) -> usize {
        self.ords.len()
    }

    /// True if no node has a location.
    pub fn is_empty(&self) -> bool {
        self.ords.is_empty()
    }

    /// Bytes held (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        4 * (self.ords.capacity() + self.which.capacity()) + 12 * self.table.capacity()
    }
}
