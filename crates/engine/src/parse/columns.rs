//! The column builders: `nodes`, `edges` and `strings` streamed into the [`Snapshot`] columns.
//!
//! A *record* is one node (or edge): `node_field_count` (or `edge_field_count`) numbers whose
//! meaning comes from `snapshot.meta`. Each record is checked and appended to the columns; an
//! edge's `to_node` (a node *index*, a multiple of the node field count) becomes an ordinal.
//! Each of the three arrays may appear once.
//!
//! The arrays are read as DevTools reads them (`HeapSnapshotLoader`): the header's
//! `node_count` and `edge_count` size them (values past that are ignored, missing ones are 0),
//! and every value is kept modulo 2^32. What DevTools tolerates instead of failing (types past
//! the type lists, edges to nodes past the last one, …) is recorded for the analysis and for
//! one warning per kind ([`super::tolerate`]).
//!
//! [`Snapshot`]: crate::Snapshot

use super::blocks::{self, EdgeLayout, EdgeSlots, NodeLayout, NodeSlots};
use super::scanner::{RecordSink, Scanner, Source};
use super::sections::RawSections;
use super::too_big;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::meta::{Header, Meta, UNKNOWN_TYPE};
use crate::progress::{check, Observer};
use crate::snapshot::{Anomalies, DanglingEdge};
use crate::strings::StringTable;

/// Values between two progress/cancellation checks while reading number arrays.
const CHECK_EVERY: u32 = 1 << 20;

/// `v / nf` with the usual node field counts as constants, so the compiler turns the division
/// into a multiply (one division per edge is a measurable share of parsing).
#[inline(always)]
fn div_field_count(v: u64, nf: u64) -> u64 {
    match nf {
        7 => v / 7,
        6 => v / 6,
        5 => v / 5,
        _ => v / nf,
    }
}

/// The columns and bookkeeping of a parse in progress.
#[derive(Default)]
pub(super) struct Builder {
    pub header: Option<Header>,
    /// Where the `snapshot` header starts, for errors about its values.
    pub header_offset: u64,
    /// The largest name index of an edge of another string-named type than `internal`, and
    /// the offset of its record (the largest node name and internal edge name are kept in
    /// `anomalies`: the analysis needs them).
    pub max_edge_name: Option<(u32, u64)>,
    pub nodes_seen: bool,
    pub edges_seen: bool,
    pub strings_seen: bool,
    pub node_type: Vec<u8>,
    pub node_name: Vec<StrId>,
    pub node_id: Vec<u32>,
    pub self_size: Vec<u32>,
    /// While reading: the nodes' `edge_count` prefix sums, as DevTools builds its edge indexes;
    /// [`super::tolerate`] turns them into the CSR offsets of the edge columns.
    pub first_edge: Vec<u32>,
    pub detachedness: Vec<u8>,
    pub trace_node_id: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
    /// The optional sections, raw.
    pub optional: RawSections,
    pub warnings: Vec<String>,
    pub anomalies: Anomalies,
    /// The sum of the nodes' `edge_count`s.
    pub edge_count_sum: u64,
    /// Records of the `nodes` and `edges` arrays as written (the header may say otherwise),
    /// and how many values a cut-short last record had.
    pub nodes_written: (usize, usize),
    pub edges_written: (usize, usize),
    /// Nodes and edges whose type number is past the type lists.
    pub node_types_past: Tally,
    pub edge_types_past: Tally,
}

/// How often something was tolerated, and a description of the first occurrence.
#[derive(Default)]
pub(super) struct Tally {
    pub count: u64,
    pub first: String,
}

impl Tally {
    /// Counts one occurrence; `first` describes it when it is the first.
    #[cold]
    pub(super) fn add(&mut self, first: impl FnOnce() -> String) {
        if self.count == 0 {
            self.first = first();
        }
        self.count += 1;
    }
}

/// Fails if `section` was seen before (a second `nodes`, `edges` or `strings` array), and
/// records that it has been seen now.
fn first_time(seen: &mut bool, off: u64, section: &str) -> Result<()> {
    if std::mem::replace(seen, true) {
        return Err(Error::at(
            ErrorKind::InvalidData,
            off,
            format!("the snapshot has two \"{section}\" arrays"),
        ));
    }
    Ok(())
}

/// The progress and cancellation checks every `CHECK_EVERY` values that the node and edge
/// readers share.
struct Ticker<'o> {
    tick: u32,
    per_check: u32,
    obs: &'o dyn Observer,
    progress: &'o dyn Fn(u64),
}

impl<'o> Ticker<'o> {
    fn new(field_count: usize, obs: &'o dyn Observer, progress: &'o dyn Fn(u64)) -> Self {
        Ticker {
            tick: 0,
            per_check: (CHECK_EVERY / field_count as u32).max(1),
            obs,
            progress,
        }
    }

    /// Reports progress and checks for cancellation after a block of records.
    fn block(&mut self, off: u64) -> Result<()> {
        self.tick = 0;
        (self.progress)(off);
        check(self.obs)
    }

    /// Counts one record; reports progress and checks for cancellation from time to time.
    #[inline]
    fn tick(&mut self, off: u64) -> Result<()> {
        self.tick += 1;
        if self.tick == self.per_check {
            self.tick = 0;
            (self.progress)(off);
            check(self.obs)?;
        }
        Ok(())
    }
}

/// DevTools throws "Invalid toNodeIndex" on a `to_node` that is not a multiple of the node
/// field count.
#[cold]
fn not_a_node_index(v: u64, nf: u64, off: u64) -> Error {
    Error::at(
        ErrorKind::InvalidData,
        off,
        format!("edge target {v} is not a multiple of the node field count {nf}"),
    )
}

/// The largest name index seen and the offset of its record: a local of the reading loop (so
/// that it can stay in registers), stored into the builder once the array is read.
#[derive(Clone, Copy, Default)]
pub(super) struct MaxName {
    /// The name index plus one (0: none seen).
    plus_one: u64,
    off: u64,
}

impl MaxName {
    #[inline(always)]
    pub(super) fn note(&mut self, name: u32, off: u64) {
        if name as u64 >= self.plus_one {
            self.plus_one = name as u64 + 1;
            self.off = off;
        }
    }

    /// Takes `later`'s, seen after these records, if it is larger (as [`Self::note`] would
    /// have done record by record: the first record with the largest name is kept).
    pub(super) fn merge(&mut self, later: MaxName) {
        if later.plus_one > self.plus_one {
            *self = later;
        }
    }

    /// Merges this into `max`.
    fn store(self, max: &mut Option<(u32, u64)>) {
        if self.plus_one > 0 && max.is_none_or(|(m, _)| self.plus_one - 1 > m as u64) {
            *max = Some(((self.plus_one - 1) as u32, self.off));
        }
    }
}

impl Builder {
    pub(super) fn reserve(&mut self, h: &Header, input_bytes: u64) {
        // Never trust the header more than the file: a node takes at least 2 bytes per field.
        let cap = |count: u64, per: usize| -> usize {
            let bound = if input_bytes > 0 {
                input_bytes / (2 * per.max(1) as u64)
            } else {
                1 << 20
            };
            count.min(bound) as usize
        };
        let n = cap(h.node_count, h.meta.node_field_count);
        let e = cap(h.edge_count, h.meta.edge_field_count);
        self.node_type.reserve_exact(n);
        self.node_name.reserve_exact(n);
        self.node_id.reserve_exact(n);
        self.self_size.reserve_exact(n);
        self.first_edge.reserve_exact(n + 1);
        if h.meta.node_detachedness_offset.is_some() {
            self.detachedness.reserve_exact(n);
        }
        self.edge_type.reserve_exact(e);
        self.edge_name.reserve_exact(e);
        self.edge_to.reserve_exact(e);
    }

    fn header(&self, off: u64, section: &str) -> Result<&Header> {
        self.header.as_ref().ok_or_else(|| {
            Error::at(
                ErrorKind::NotASnapshot,
                off,
                format!("\"{section}\" comes before the \"snapshot\" header; this is not a V8 heap snapshot"),
            )
        })
    }

    /// Appends one node record (`r`, with the layout of `meta`); `total_edges` is the running
    /// sum of the `edge_count`s, and `last` tells the last node (its list may end anywhere: the
    /// other lists' starts are edge ordinals, 32-bit).
    #[inline(always)]
    fn push_node(
        &mut self,
        meta: &Meta,
        r: &[u64],
        off: u64,
        total_edges: &mut u64,
        last: bool,
        max_name: &mut MaxName,
    ) -> Result<()> {
        // DevTools stores every node value as a Uint32 (spec §1.1, §1.7).
        let raw_type = r[meta.node_type_offset] as u32;
        let t = meta.node_type_code(raw_type);
        if t == UNKNOWN_TYPE {
            let (o, id) = (self.node_type.len(), r[meta.node_id_offset] as u32);
            self.node_types_past
                .add(|| format!("@{id}, ordinal {o}, type {raw_type}"));
        }
        self.node_type.push(t);
        let name = r[meta.node_name_offset] as u32;
        max_name.note(name, off);
        self.node_name.push(StrId(name));
        self.node_id.push(r[meta.node_id_offset] as u32);
        self.self_size.push(r[meta.node_self_size_offset] as u32);
        self.first_edge.push(*total_edges as u32);
        *total_edges += r[meta.node_edge_count_offset] as u32 as u64;
        if *total_edges > u32::MAX as u64 && !last {
            return Err(too_big(off, "the total edge count"));
        }
        if let Some(o) = meta.node_trace_node_id_offset {
            // Without allocation tracking every trace node id is 0: the column is only kept
            // (zero-filled up to here) once a non-zero id appears.
            let t = r[o] as u32;
            if t != 0 && self.trace_node_id.is_empty() {
                self.trace_node_id.resize(self.node_type.len() - 1, 0);
            }
            if !self.trace_node_id.is_empty() || t != 0 {
                self.trace_node_id.push(t);
            }
        }
        if let Some(o) = meta.node_detachedness_offset {
            self.detachedness.push((r[o] & 3) as u8);
        }
        Ok(())
    }

    pub(super) fn read_nodes<R: Source>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let header = self.header(off, "nodes")?;
        let meta = header.meta.clone();
        let wanted = header.node_count;
        first_time(&mut self.nodes_seen, off, "nodes")?;
        let f = meta.node_field_count;
        let layout = NodeLayout {
            f,
            ty: meta.node_type_offset,
            name: meta.node_name_offset,
            id: meta.node_id_offset,
            size: meta.node_self_size_offset,
            edges: meta.node_edge_count_offset,
            detachedness: meta.node_detachedness_offset,
            trace: meta.node_trace_node_id_offset,
            trace_started: false,
            type_count: meta.node_type_names.len() as u32,
        };
        let mut sink = NodeSink {
            b: self,
            meta: &meta,
            layout,
            wanted,
            read: 0,
            total_edges: 0,
            max: MaxName::default(),
            ticker: Ticker::new(f, obs, progress),
        };
        let records = sc.read_records("nodes", f, true, &mut sink)?;
        let NodeSink {
            read,
            mut total_edges,
            mut max,
            ..
        } = sink;
        let mut read = read;
        let mut partial = 0;
        if let Some(p) = records.partial {
            read += 1;
            partial = p.values;
            if read <= wanted {
                let (rec, off, last) = (&p.record, p.offset, read == wanted);
                self.push_node(&meta, rec, off, &mut total_edges, last, &mut max)?;
            }
        }
        self.nodes_written = (read as usize, partial);
        // Records the header counts but the array lacks are zeros in DevTools' array.
        let missing = super::tolerate::made_up_records("node", wanted, read, self.header_offset)?;
        if missing > 0 {
            let zeros = vec![0u64; f];
            for i in 0..missing {
                self.push_node(
                    &meta,
                    &zeros,
                    off,
                    &mut total_edges,
                    i + 1 == missing,
                    &mut max,
                )?;
            }
        }
        max.store(&mut self.anomalies.max_node_name);
        // The sum itself is kept aside (the edge lists are settled once the edges are read).
        self.edge_count_sum = total_edges;
        self.first_edge
            .push(total_edges.min(u32::MAX as u64) as u32);
        if self.node_type.is_empty() {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "the snapshot has no nodes",
            ));
        }
        Ok(())
    }

    pub(super) fn read_edges<R: Source>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let header = self.header(off, "edges")?;
        let meta = header.meta.clone();
        let wanted = header.edge_count;
        if !self.nodes_seen {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "\"edges\" comes before \"nodes\"; this is not a V8 heap snapshot",
            ));
        }
        first_time(&mut self.edges_seen, off, "edges")?;
        let f = meta.edge_field_count;
        let layout = EdgeLayout {
            f,
            ty: meta.edge_type_offset,
            name: meta.edge_name_offset,
            to: meta.edge_to_node_offset,
            nf: meta.node_field_count as u64,
            node_count: self.node_type.len() as u64,
            type_count: meta.edge_type_names.len() as u32,
            internal: meta.edge_types.internal,
            element: meta.edge_types.element,
            hidden: meta.edge_types.hidden,
        };
        let mut sink = EdgeSink {
            b: self,
            layout,
            wanted,
            read: 0,
            // The largest name of an internal edge, and of another string-named edge.
            max: [MaxName::default(); 2],
            ticker: Ticker::new(f, obs, progress),
        };
        let records = sc.read_records("edges", f, true, &mut sink)?;
        let EdgeSink {
            read,
            mut max,
            layout,
            ..
        } = sink;
        let mut read = read;
        let mut partial = 0;
        if let Some(p) = records.partial {
            read += 1;
            partial = p.values;
            if read <= wanted {
                self.push_edge(&layout, &p.record, p.offset, read - 1, &mut max)?;
            }
        }
        self.edges_written = (read as usize, partial);
        let missing = super::tolerate::made_up_records("edge", wanted, read, self.header_offset)?;
        if missing > 0 {
            let zeros = vec![0u64; f];
            for i in 0..missing {
                self.push_edge(&layout, &zeros, off, read + i, &mut max)?;
            }
        }
        max[0].store(&mut self.anomalies.max_internal_edge_name);
        max[1].store(&mut self.max_edge_name);
        Ok(())
    }

    /// Appends one edge record (`r`, the `index`-th of the array; see [`EdgeLayout`]).
    #[inline(always)]
    fn push_edge(
        &mut self,
        l: &EdgeLayout,
        r: &[u64],
        off: u64,
        index: u64,
        max: &mut [MaxName; 2],
    ) -> Result<()> {
        // Every value modulo 2^32, as DevTools stores it.
        let raw_type = r[l.ty] as u32;
        let t = if raw_type < l.type_count {
            raw_type as u8
        } else {
            self.edge_type_past(raw_type, index, l.type_count)
        };
        let v = r[l.to] as u32 as u64;
        let ordinal = div_field_count(v, l.nf);
        if ordinal * l.nf != v {
            return Err(not_a_node_index(v, l.nf, off));
        }
        let name = r[l.name] as u32;
        if t != l.element && t != l.hidden {
            // A string index: kept to check against the strings once they are read.
            max[(t != l.internal) as usize].note(name, off);
        }
        if ordinal >= l.node_count {
            self.dangling(index, t, name, ordinal, off);
            return Ok(());
        }
        self.edge_type.push(t);
        self.edge_name.push(name);
        self.edge_to.push(ordinal as u32);
        Ok(())
    }

    /// The stored type of an edge whose type number is past the list (one past it is
    /// DevTools' own `invisible`), counted for the warning.
    #[cold]
    fn edge_type_past(&mut self, raw_type: u32, index: u64, type_count: u32) -> u8 {
        self.edge_types_past
            .add(|| format!("edge {index}, type {raw_type}"));
        if raw_type == type_count {
            type_count as u8
        } else {
            UNKNOWN_TYPE
        }
    }

    /// Keeps an edge that points past the last node out of the columns (see [`Anomalies`]);
    /// its source and position are filled in once all edges are read.
    #[cold]
    fn dangling(&mut self, index: u64, ty: u8, name: u32, target: u64, offset: u64) {
        self.anomalies.dangling.push(DanglingEdge {
            source: 0,
            position: 0,
            index: index as u32,
            ty,
            name,
            target: target as u32,
            offset,
        });
    }

    pub(super) fn read_strings<R: Source>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        off: u64,
    ) -> Result<()> {
        first_time(&mut self.strings_seen, off, "strings")?;
        sc.expect(b'[', "the strings array")?;
        if sc.peek_token()? == Some(b']') {
            sc.expect(b']', "the strings array")?;
            return Ok(());
        }
        let mut n = 0u32;
        loop {
            sc.read_string(self.strings.bytes_mut(), "a string of the strings array")?;
            self.strings.finish_string();
            n += 1;
            if n.is_multiple_of(65536) {
                check(obs)?;
            }
            match sc.peek_token()? {
                Some(b',') => sc.expect(b',', "in the strings array")?,
                Some(b']') => {
                    sc.expect(b']', "the strings array")?;
                    break;
                }
                Some(_) => sc.expect(b',', "in the strings array")?,
                None => return Err(sc.truncated("the strings array")),
            }
        }
        self.strings.shrink_to_fit();
        Ok(())
    }
}

/// Reads the `nodes` array into a [`Builder`]: whole records one by one, or blocks of them in
/// parallel ([`blocks`]).
struct NodeSink<'b, 'o> {
    b: &'b mut Builder,
    meta: &'b Meta,
    layout: NodeLayout,
    /// The header's node count, and how many records were read so far.
    wanted: u64,
    read: u64,
    /// The running sum of the `edge_count`s.
    total_edges: u64,
    max: MaxName,
    ticker: Ticker<'o>,
}

impl RecordSink for NodeSink<'_, '_> {
    #[inline(always)]
    fn record(&mut self, r: &[u64], off: u64) -> Result<()> {
        self.read += 1;
        // DevTools sizes its array by the header's node_count: records past it are ignored
        // (still read: they must be valid JSON).
        if self.read <= self.wanted {
            let last = self.read == self.wanted;
            self.b.push_node(
                self.meta,
                r,
                off,
                &mut self.total_edges,
                last,
                &mut self.max,
            )?;
        }
        self.ticker.tick(off)
    }

    #[allow(unsafe_code)]
    fn block(&mut self, text: &[u8], off: u64) -> Result<(usize, usize)> {
        let l = &mut self.layout;
        let left = self.wanted.saturating_sub(self.read);
        if l.f > blocks::MAX_FIELDS || left == 0 {
            return Ok((0, usize::MAX));
        }
        let pieces = blocks::cut(text, l.f, left, blocks::piece_count());
        if pieces.is_empty() {
            return Ok((0, text.len()));
        }
        l.trace_started = !self.b.trace_node_id.is_empty();
        let sizes: Vec<usize> = pieces.iter().map(|p| p.records).collect();
        let b = &mut *self.b;
        let before = (b.node_type.len(), b.trace_node_id.len());
        let k = sizes.len();
        let mut slots = Vec::with_capacity(k);
        let columns = blocks::spare(&mut b.node_type, &sizes)
            .into_iter()
            .zip(blocks::spare(&mut b.node_name, &sizes))
            .zip(blocks::spare(&mut b.node_id, &sizes))
            .zip(blocks::spare(&mut b.self_size, &sizes))
            .zip(blocks::spare(&mut b.first_edge, &sizes))
            .zip(if l.detachedness.is_some() {
                blocks::spare(&mut b.detachedness, &sizes)
            } else {
                blocks::none(k)
            })
            .zip(if l.trace_started {
                blocks::spare(&mut b.trace_node_id, &sizes)
            } else {
                blocks::none(k)
            });
        for ((((((ty, name), id), size), edges), detachedness), trace) in columns {
            slots.push(NodeSlots {
                ty,
                name,
                id,
                size,
                edges,
                detachedness,
                trace,
            });
        }
        let l = &self.layout;
        let settled = blocks::parse_pieces(text, off, &pieces, slots, |t, o, s| {
            blocks::nodes(t, o, l, s)
        });
        let taken = settled.records;
        // SAFETY: `blocks::nodes` wrote the slots of the records it counted, and pieces are
        // taken in order up to the first one that stopped early.
        unsafe {
            blocks::commit(&mut b.node_type, taken);
            blocks::commit(&mut b.node_name, taken);
            blocks::commit(&mut b.node_id, taken);
            blocks::commit(&mut b.self_size, taken);
            blocks::commit(&mut b.first_edge, taken);
            if l.detachedness.is_some() {
                blocks::commit(&mut b.detachedness, taken);
            }
            if l.trace_started {
                blocks::commit(&mut b.trace_node_id, taken);
            }
        }
        // The edge counts become their running sums, as `push_node` makes them.
        let mut total = self.total_edges;
        let mut index = self.read;
        for c in &mut b.first_edge[before.0..] {
            let count = *c as u64;
            *c = total as u32;
            total += count;
            index += 1;
            if total > u32::MAX as u64 && index != self.wanted {
                // Too many edges: read record by record, for the error at its offset.
                b.node_type.truncate(before.0);
                b.node_name.truncate(before.0);
                b.node_id.truncate(before.0);
                b.self_size.truncate(before.0);
                b.first_edge.truncate(before.0);
                if l.detachedness.is_some() {
                    b.detachedness.truncate(before.0);
                }
                b.trace_node_id.truncate(before.1);
                return Ok((0, usize::MAX));
            }
        }
        self.total_edges = total;
        self.read += taken as u64;
        self.max.merge(settled.max[0]);
        self.ticker.block(off + settled.took as u64)?;
        Ok((settled.took, settled.declined))
    }
}

/// Reads the `edges` array into a [`Builder`], as [`NodeSink`] the nodes.
struct EdgeSink<'b, 'o> {
    b: &'b mut Builder,
    layout: EdgeLayout,
    /// The header's edge count, and how many records were read so far.
    wanted: u64,
    read: u64,
    max: [MaxName; 2],
    ticker: Ticker<'o>,
}

impl RecordSink for EdgeSink<'_, '_> {
    #[inline(always)]
    fn record(&mut self, r: &[u64], off: u64) -> Result<()> {
        self.read += 1;
        // Sized by the header's edge_count, as in DevTools.
        if self.read <= self.wanted {
            self.b
                .push_edge(&self.layout, r, off, self.read - 1, &mut self.max)?;
        }
        self.ticker.tick(off)
    }

    #[allow(unsafe_code)]
    fn block(&mut self, text: &[u8], off: u64) -> Result<(usize, usize)> {
        let l = &self.layout;
        let left = self.wanted.saturating_sub(self.read);
        if l.f > blocks::MAX_FIELDS || left == 0 {
            return Ok((0, usize::MAX));
        }
        let pieces = blocks::cut(text, l.f, left, blocks::piece_count());
        if pieces.is_empty() {
            return Ok((0, text.len()));
        }
        let sizes: Vec<usize> = pieces.iter().map(|p| p.records).collect();
        let b = &mut *self.b;
        let slots: Vec<EdgeSlots<'_>> = blocks::spare(&mut b.edge_type, &sizes)
            .into_iter()
            .zip(blocks::spare(&mut b.edge_name, &sizes))
            .zip(blocks::spare(&mut b.edge_to, &sizes))
            .map(|((ty, name), to)| EdgeSlots { ty, name, to })
            .collect();
        let settled = blocks::parse_pieces(text, off, &pieces, slots, |t, o, s| {
            blocks::edges(t, o, l, s)
        });
        let taken = settled.records;
        // SAFETY: `blocks::edges` wrote the slots of the records it counted, and pieces are
        // taken in order up to the first one that stopped early.
        unsafe {
            blocks::commit(&mut b.edge_type, taken);
            blocks::commit(&mut b.edge_name, taken);
            blocks::commit(&mut b.edge_to, taken);
        }
        self.read += taken as u64;
        self.max[0].merge(settled.max[0]);
        self.max[1].merge(settled.max[1]);
        self.ticker.block(off + settled.took as u64)?;
        Ok((settled.took, settled.declined))
    }
}
