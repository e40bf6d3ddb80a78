//! The column builders: `nodes`, `edges` and `strings` streamed into the [`Snapshot`] columns.
//!
//! A *record* is one node (or edge): `node_field_count` (or `edge_field_count`) numbers whose
//! meaning comes from `snapshot.meta`. Each record is range-checked and appended to the columns;
//! an edge's `to_node` (a node *index*, a multiple of the node field count) becomes an ordinal.
//! Each of the three arrays may appear once.
//!
//! [`Snapshot`]: crate::Snapshot

use super::scanner::Scanner;
use super::sections::RawSections;
use super::{too_big, u32_of};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::meta::Header;
use crate::progress::{check, Observer};
use crate::strings::StringTable;
use std::io::Read;

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
    /// The largest node name index and the offset of its record (strings usually come last, so
    /// names are range-checked at the end; this keeps the error's position).
    pub max_node_name: Option<(u32, u64)>,
    /// The same for edges whose `name_or_index` is a string index.
    pub max_edge_name: Option<(u32, u64)>,
    pub nodes_seen: bool,
    pub edges_seen: bool,
    pub strings_seen: bool,
    pub node_type: Vec<u8>,
    pub node_name: Vec<StrId>,
    pub node_id: Vec<u32>,
    pub self_size: Vec<u32>,
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

/// What the node and edge readers share: the type check, and the progress and cancellation
/// checks every `CHECK_EVERY` values.
struct Records<'o> {
    /// `node` or `edge`, for messages.
    what: &'static str,
    type_count: u64,
    tick: u32,
    per_check: u32,
    obs: &'o dyn Observer,
    progress: &'o dyn Fn(u64),
}

impl<'o> Records<'o> {
    fn new(
        what: &'static str,
        type_count: usize,
        field_count: usize,
        obs: &'o dyn Observer,
        progress: &'o dyn Fn(u64),
    ) -> Self {
        Records {
            what,
            type_count: type_count as u64,
            tick: 0,
            per_check: (CHECK_EVERY / field_count as u32).max(1),
            obs,
            progress,
        }
    }

    /// Type number `t` of the record at `off`, checked against the snapshot's type list.
    #[inline]
    fn type_of(&self, t: u64, off: u64) -> Result<u8> {
        if t >= self.type_count {
            return Err(Error::at(
                ErrorKind::InvalidData,
                off,
                format!(
                    "unknown {} type {t} (the snapshot lists {})",
                    self.what, self.type_count
                ),
            ));
        }
        Ok(t as u8)
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

/// Keeps the largest name index seen and the offset of its record.
#[inline]
fn note_max(max: &mut Option<(u32, u64)>, name: u32, off: u64) {
    if max.is_none_or(|(m, _)| name > m) {
        *max = Some((name, off));
    }
}

impl Builder {
    /// Warns when the header's count (`node_count` or `edge_count`) differs from the array's.
    fn check_count(&mut self, in_header: impl Fn(&Header) -> u64, count: usize, what: &str) {
        let h = self.header.as_ref().expect("read after the header");
        let said = in_header(h);
        if count as u64 != said {
            self.warnings.push(format!(
                "the header says {said} {what} but the {what} array has {count}; using the array"
            ));
        }
    }

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

    pub(super) fn read_nodes<R: Read>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let meta = self.header(off, "nodes")?.meta.clone();
        first_time(&mut self.nodes_seen, off, "nodes")?;
        let f = meta.node_field_count;
        let mut records = Records::new("node", meta.node_type_names.len(), f, obs, progress);
        let mut total_edges: u64 = 0;
        let (ty, nm, id, sz, ec) = (
            meta.node_type_offset,
            meta.node_name_offset,
            meta.node_id_offset,
            meta.node_self_size_offset,
            meta.node_edge_count_offset,
        );
        let tn = meta.node_trace_node_id_offset;
        let dt = meta.node_detachedness_offset;
        let max_name = &mut self.max_node_name;
        sc.read_records("nodes", f, |r, off| {
            self.node_type.push(records.type_of(r[ty], off)?);
            let name = u32_of(r[nm], off, "a node name index")?;
            note_max(max_name, name, off);
            self.node_name.push(StrId(name));
            // DevTools stores every node value as a Uint32 (spec §1.1, §1.7).
            self.node_id.push(r[id] as u32);
            self.self_size.push(r[sz] as u32);
            self.first_edge.push(total_edges as u32);
            // Checked: an edge_count near 2^64 must not wrap the total back into range.
            total_edges = match total_edges.checked_add(r[ec]) {
                Some(t) if t <= u32::MAX as u64 => t,
                _ => return Err(too_big(off, "the total edge count")),
            };
            if let Some(o) = tn {
                // Without allocation tracking every trace node id is 0: the column is only
                // kept (zero-filled up to here) once a non-zero id appears.
                let t = r[o] as u32;
                if t != 0 && self.trace_node_id.is_empty() {
                    self.trace_node_id.resize(self.node_type.len() - 1, 0);
                }
                if !self.trace_node_id.is_empty() || t != 0 {
                    self.trace_node_id.push(t);
                }
            }
            if let Some(o) = dt {
                self.detachedness.push((r[o] & 3) as u8);
            }
            records.tick(off)
        })?;
        self.first_edge.push(total_edges as u32);
        let count = self.node_type.len();
        self.check_count(|h| h.node_count, count, "nodes");
        if self.node_type.is_empty() {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "the snapshot has no nodes",
            ));
        }
        Ok(())
    }

    pub(super) fn read_edges<R: Read>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let meta = self.header(off, "edges")?.meta.clone();
        if !self.nodes_seen {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "\"edges\" comes before \"nodes\"; this is not a V8 heap snapshot",
            ));
        }
        first_time(&mut self.edges_seen, off, "edges")?;
        let f = meta.edge_field_count;
        let nf = meta.node_field_count as u64;
        let node_count = self.node_type.len() as u64;
        let mut records = Records::new("edge", meta.edge_type_names.len(), f, obs, progress);
        let (ty, nm, to) = (
            meta.edge_type_offset,
            meta.edge_name_offset,
            meta.edge_to_node_offset,
        );
        let max_name = &mut self.max_edge_name;
        sc.read_records("edges", f, |r, off| {
            let t = records.type_of(r[ty], off)?;
            let v = r[to];
            let ordinal = div_field_count(v, nf);
            if ordinal * nf != v {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!("edge target {v} is not a multiple of the node field count {nf}"),
                ));
            }
            if ordinal >= node_count {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!("edge target {v} points past the last node ({node_count} nodes)"),
                ));
            }
            self.edge_type.push(t);
            let name = u32_of(r[nm], off, "an edge name or index")?;
            if !meta.edge_has_index_name(t) {
                note_max(max_name, name, off);
            }
            self.edge_name.push(name);
            self.edge_to.push(ordinal as u32);
            records.tick(off)
        })?;
        let count = self.edge_to.len();
        self.check_count(|h| h.edge_count, count, "edges");
        let expected = *self.first_edge.last().unwrap_or(&0) as usize;
        if self.edge_to.len() != expected {
            return Err(Error::at(
                ErrorKind::InvalidData,
                sc.offset(),
                format!(
                    "the nodes' edge counts add up to {expected} but the edges array has {}",
                    self.edge_to.len()
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn read_strings<R: Read>(
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
