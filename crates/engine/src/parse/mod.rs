//! Streaming parser: reads a `.heapsnapshot` from any `io::Read` straight into the columns of a
//! [`Snapshot`], without a JSON DOM. Layout comes from `snapshot.meta` ([`crate::meta`]); every
//! value and index is range-checked, and every error carries the byte offset where it was found.

mod scanner;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::meta::Header;
use crate::progress::{check, Observer, Phase};
use crate::snapshot::{Location, Locations, Snapshot, TraceFunctionInfo, TraceNode};
use crate::strings::StringTable;
use scanner::Scanner;
use std::fs::File;
use std::io::Read;
use std::path::Path;

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

/// Opens and parses the snapshot at `path`.
pub fn parse_file(path: &Path, obs: &dyn Observer) -> Result<Snapshot> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {shown}: {e}")))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot read {shown}: it is a directory"),
        ));
    }
    let file = File::open(path)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot open {shown}: {e}")))?;
    if !meta.is_file() {
        // A pipe or a device (`/dev/stdin`, `<(zcat x.gz)`): read to its end.
        return parse(file, 0, obs);
    }
    // Read only what the file held when it was opened, so a file that keeps growing (a writer
    // still at work) ends instead of being chased forever.
    let len = meta.len();
    parse(file.take(len), len, obs).map_err(|e| explain_truncation(e, path, len))
}

/// Adds what is likely going on to a truncation error: a file that grew while it was read, or
/// one written moments ago, is probably still being written.
fn explain_truncation(e: Error, path: &Path, len: u64) -> Error {
    if e.kind() != ErrorKind::Truncated {
        return e;
    }
    let Ok(now) = std::fs::metadata(path) else {
        return e;
    };
    let hint = if now.len() != len {
        format!(
            "; the file grew from {len} to {} bytes while it was read: it is still being written, wait for the writer to finish",
            now.len()
        )
    } else {
        match now.modified().ok().and_then(|m| m.elapsed().ok()) {
            Some(age) if age.as_secs() < 10 => format!(
                "; it was modified {:.1} s ago: if it is still being written, wait for the writer to finish",
                age.as_secs_f64()
            ),
            _ => return e,
        }
    };
    let offset = e.offset().unwrap_or(len);
    Error::at(
        ErrorKind::Truncated,
        offset,
        format!("{}{hint}", e.message()),
    )
}

struct Builder {
    header: Option<Header>,
    /// Where the `snapshot` header starts, for errors about its values.
    header_offset: u64,
    /// The largest node name index and the offset of its record (strings usually come last, so
    /// names are range-checked at the end; this keeps the error's position).
    max_node_name: Option<(u32, u64)>,
    /// The same for edges whose `name_or_index` is a string index.
    max_edge_name: Option<(u32, u64)>,
    snap_nodes_seen: bool,
    snap_edges_seen: bool,
    strings_seen: bool,
    node_type: Vec<u8>,
    node_name: Vec<StrId>,
    node_id: Vec<u32>,
    self_size: Vec<u32>,
    first_edge: Vec<u32>,
    detachedness: Vec<u8>,
    trace_node_id: Vec<u32>,
    edge_type: Vec<u8>,
    edge_name: Vec<u32>,
    edge_to: Vec<u32>,
    strings: StringTable,
    raw_locations: Vec<u32>,
    trace_function_infos: Vec<u32>,
    trace_tree: Vec<TraceNode>,
    samples: Vec<u64>,
    warnings: Vec<String>,
}

fn too_big(off: u64, what: &str) -> Error {
    Error::at(
        ErrorKind::InvalidData,
        off,
        format!("{what} does not fit in 32 bits"),
    )
}

fn u32_of(v: u64, off: u64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| too_big(off, what))
}

/// Parses a snapshot from `reader`; `input_bytes` is the input's size (for progress and for
/// sizing the columns; 0 if unknown).
pub fn parse<R: Read>(reader: R, input_bytes: u64, obs: &dyn Observer) -> Result<Snapshot> {
    let mut sc = Scanner::new(reader);
    let mut b = Builder {
        header: None,
        header_offset: 0,
        max_node_name: None,
        max_edge_name: None,
        snap_nodes_seen: false,
        snap_edges_seen: false,
        strings_seen: false,
        node_type: Vec::new(),
        node_name: Vec::new(),
        node_id: Vec::new(),
        self_size: Vec::new(),
        first_edge: Vec::new(),
        detachedness: Vec::new(),
        trace_node_id: Vec::new(),
        edge_type: Vec::new(),
        edge_name: Vec::new(),
        edge_to: Vec::new(),
        strings: StringTable::new(),
        raw_locations: Vec::new(),
        trace_function_infos: Vec::new(),
        trace_tree: Vec::new(),
        samples: Vec::new(),
        warnings: Vec::new(),
    };
    let progress = |off: u64| {
        if input_bytes > 0 {
            obs.progress(Phase::Parse, (off as f64 / input_bytes as f64).min(1.0));
        }
    };
    sc.skip_utf8_bom()?;
    match sc.peek_token()? {
        None => return Err(Error::at(ErrorKind::Empty, 0, "the file is empty")),
        Some(0x1F) => {
            let start = sc.offset();
            sc.expect(0x1F, "the file")?;
            let gzip = sc.peek()? == Some(0x8B);
            return Err(Error::at(
                ErrorKind::NotJson,
                start,
                if gzip {
                    "the file is gzip-compressed, not JSON: decompress it first (e.g. gunzip)"
                } else {
                    "the file is not JSON (it does not start with '{')"
                },
            ));
        }
        Some(b'{') => {}
        Some(b'[') => {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                sc.offset(),
                "a JSON array, not a heap snapshot object",
            ))
        }
        Some(_) => {
            // A JSON scalar (`42`, `null`, `"x"`) is JSON, just not a snapshot.
            let start = sc.offset();
            let mut text = Vec::new();
            let scalar = sc.capture_value(&mut text, "the file").is_ok()
                && matches!(sc.peek_token(), Ok(None))
                && serde_json::from_slice::<serde_json::Value>(&text).is_ok();
            return Err(if scalar {
                Error::at(
                    ErrorKind::NotASnapshot,
                    start,
                    "a JSON value, not a heap snapshot object",
                )
            } else {
                Error::at(
                    ErrorKind::NotJson,
                    start,
                    "the file is not JSON (it does not start with '{')",
                )
            });
        }
    }
    sc.expect(b'{', "the top-level object")?;
    if sc.peek_token()? == Some(b'}') {
        return Err(Error::at(
            ErrorKind::NotASnapshot,
            sc.offset(),
            "an empty JSON object, not a heap snapshot",
        ));
    }
    loop {
        sc.peek_token()?;
        let key_off = sc.offset();
        let key = sc.read_key()?;
        sc.expect(b':', "after an object key")?;
        check(obs)?;
        match key.as_slice() {
            b"snapshot" => {
                let start = sc.offset();
                let mut text = Vec::new();
                sc.capture_value(&mut text, "the snapshot header")?;
                let header = Header::from_json(&text, start)?;
                b.reserve(&header, input_bytes);
                b.header = Some(header);
                b.header_offset = start;
            }
            b"nodes" => b.read_nodes(&mut sc, obs, &progress, key_off)?,
            b"edges" => b.read_edges(&mut sc, obs, &progress, key_off)?,
            b"strings" => b.read_strings(&mut sc, obs, key_off)?,
            b"locations" => read_u32s(&mut sc, "locations", &mut b.raw_locations)?,
            b"trace_function_infos" => {
                read_u32s(&mut sc, "trace_function_infos", &mut b.trace_function_infos)?
            }
            b"samples" => {
                let v = &mut b.samples;
                sc.read_records("samples", 1, |r, _| {
                    v.push(r[0]);
                    Ok(())
                })?;
            }
            b"trace_tree" => read_trace_tree(&mut sc, &mut b.trace_tree)?,
            _ => sc.skip_value("an unknown top-level value")?,
        }
        match sc.peek_token()? {
            Some(b',') => {
                sc.expect(b',', "between top-level keys")?;
            }
            Some(b'}') => {
                sc.expect(b'}', "at the end")?;
                break;
            }
            Some(_) => {
                sc.expect(b',', "between top-level keys")?;
            }
            None => return Err(sc.truncated("the top-level object")),
        }
    }
    if let Some(c) = sc.peek_token()? {
        b.warnings.push(format!(
            "ignored data after the snapshot's closing brace (byte 0x{c:02x} at {})",
            sc.offset()
        ));
    }
    if sc.invalid_utf8 > 0 {
        b.warnings.push(format!(
            "{} byte sequences in strings are not valid UTF-8 (the first at byte {}); they are shown as U+FFFD",
            sc.invalid_utf8,
            sc.first_invalid_utf8.unwrap_or(0)
        ));
    }
    progress(input_bytes);
    b.finish(input_bytes)
}

impl Builder {
    fn reserve(&mut self, h: &Header, input_bytes: u64) {
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

    fn read_nodes<R: Read>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let meta = self.header(off, "nodes")?.meta.clone();
        if self.snap_nodes_seen {
            return Err(Error::at(
                ErrorKind::InvalidData,
                off,
                "the snapshot has two \"nodes\" arrays",
            ));
        }
        self.snap_nodes_seen = true;
        let f = meta.node_field_count;
        let type_count = meta.node_type_names.len() as u64;
        let mut total_edges: u64 = 0;
        let mut tick = 0u32;
        let per_check = (CHECK_EVERY / f as u32).max(1);
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
            let t = r[ty];
            if t >= type_count {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!("unknown node type {t} (the snapshot lists {type_count})"),
                ));
            }
            self.node_type.push(t as u8);
            let name = u32_of(r[nm], off, "a node name index")?;
            if max_name.is_none_or(|(m, _)| name > m) {
                *max_name = Some((name, off));
            }
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
            tick += 1;
            if tick == per_check {
                tick = 0;
                progress(off);
                check(obs)?;
            }
            Ok(())
        })?;
        self.first_edge.push(total_edges as u32);
        let h = self.header.as_ref().expect("header checked above");
        if self.node_type.len() as u64 != h.node_count {
            self.warnings.push(format!(
                "the header says {} nodes but the nodes array has {}; using the array",
                h.node_count,
                self.node_type.len()
            ));
        }
        if self.node_type.is_empty() {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "the snapshot has no nodes",
            ));
        }
        Ok(())
    }

    fn read_edges<R: Read>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        progress: &dyn Fn(u64),
        off: u64,
    ) -> Result<()> {
        let meta = self.header(off, "edges")?.meta.clone();
        if !self.snap_nodes_seen {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                off,
                "\"edges\" comes before \"nodes\"; this is not a V8 heap snapshot",
            ));
        }
        if self.snap_edges_seen {
            return Err(Error::at(
                ErrorKind::InvalidData,
                off,
                "the snapshot has two \"edges\" arrays",
            ));
        }
        self.snap_edges_seen = true;
        let f = meta.edge_field_count;
        let nf = meta.node_field_count as u64;
        let node_count = self.node_type.len() as u64;
        let type_count = meta.edge_type_names.len() as u64;
        let mut tick = 0u32;
        let per_check = (CHECK_EVERY / f as u32).max(1);
        let (ty, nm, to) = (
            meta.edge_type_offset,
            meta.edge_name_offset,
            meta.edge_to_node_offset,
        );
        let max_name = &mut self.max_edge_name;
        sc.read_records("edges", f, |r, off| {
            let t = r[ty];
            if t >= type_count {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!("unknown edge type {t} (the snapshot lists {type_count})"),
                ));
            }
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
            self.edge_type.push(t as u8);
            let name = u32_of(r[nm], off, "an edge name or index")?;
            if !meta.edge_has_index_name(t as u8) && max_name.is_none_or(|(m, _)| name > m) {
                *max_name = Some((name, off));
            }
            self.edge_name.push(name);
            self.edge_to.push(ordinal as u32);
            tick += 1;
            if tick == per_check {
                tick = 0;
                progress(off);
                check(obs)?;
            }
            Ok(())
        })?;
        let h = self.header.as_ref().expect("header checked above");
        if self.edge_to.len() as u64 != h.edge_count {
            self.warnings.push(format!(
                "the header says {} edges but the edges array has {}; using the array",
                h.edge_count,
                self.edge_to.len()
            ));
        }
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

    fn read_strings<R: Read>(
        &mut self,
        sc: &mut Scanner<R>,
        obs: &dyn Observer,
        off: u64,
    ) -> Result<()> {
        if self.strings_seen {
            return Err(Error::at(
                ErrorKind::InvalidData,
                off,
                "the snapshot has two \"strings\" arrays",
            ));
        }
        self.strings_seen = true;
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

    fn finish(mut self, input_bytes: u64) -> Result<Snapshot> {
        let end = Some(input_bytes);
        let header = self.header.take().ok_or_else(|| {
            Error::new(
                ErrorKind::NotASnapshot,
                "JSON, but not a heap snapshot: there is no \"snapshot\" header",
            )
        })?;
        for (present, name) in [
            (self.snap_nodes_seen, "nodes"),
            (self.snap_edges_seen, "edges"),
            (self.strings_seen, "strings"),
        ] {
            if !present {
                return Err(Error::new(
                    ErrorKind::NotASnapshot,
                    format!("JSON, but not a heap snapshot: there is no \"{name}\" array"),
                ));
            }
        }
        let meta = &header.meta;
        let nstr = self.strings.len() as u64;
        for (max, what) in [
            (self.max_node_name, "a node"),
            (self.max_edge_name, "an edge"),
        ] {
            if let Some((name, off)) = max.filter(|&(m, _)| m as u64 >= nstr) {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    off,
                    format!("{what} names string {name} but there are only {nstr} strings"),
                ));
            }
        }
        let n = self.node_type.len() as u64;
        let nf = meta.node_field_count as u64;
        let root = match header.root_index {
            Some(ri) if ri % nf == 0 && ri / nf < n => (ri / nf) as u32,
            Some(ri) => {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    self.header_offset,
                    format!("snapshot.root_index {ri} is not a node"),
                ));
            }
            None => 0,
        };
        // Locations: node index -> ordinal, the last entry for a node wins (DevTools' Map::set).
        let mut locations = Locations::default();
        if let (Some([oi, si, li, ci]), lf) = (meta.location_offsets, meta.location_field_count) {
            if lf > 0 {
                if !self.raw_locations.len().is_multiple_of(lf) {
                    self.warnings.push(
                        "the locations array ends in the middle of a record; the rest is ignored"
                            .into(),
                    );
                }
                let mut pairs = Vec::with_capacity(self.raw_locations.len() / lf);
                // One warning for all of them: a corrupt file can have millions.
                let mut bad: Option<(u64, usize)> = None;
                for rec in self.raw_locations.chunks_exact(lf) {
                    let idx = rec[oi] as u64;
                    if !idx.is_multiple_of(nf) || idx / nf >= n {
                        bad.get_or_insert((idx, 0)).1 += 1;
                        continue;
                    }
                    pairs.push((
                        (idx / nf) as u32,
                        Location {
                            script_id: rec[si],
                            line: rec[li],
                            column: rec[ci],
                        },
                    ));
                }
                self.raw_locations = Vec::new();
                if let Some((first, count)) = bad {
                    self.warnings.push(format!(
                        "{count} locations name a node index that is not a node (the first: {first}); ignored"
                    ));
                }
                // Stable sort keeps file order among equal ordinals, then keep the last.
                pairs.sort_by_key(|&(o, _)| o);
                let mut dedup: Vec<(u32, Location)> = Vec::with_capacity(pairs.len());
                for item in pairs {
                    match dedup.last_mut() {
                        Some(last) if last.0 == item.0 => *last = item,
                        _ => dedup.push(item),
                    }
                }
                locations = Locations::from_sorted(dedup);
            }
        }
        let tfi = if meta.trace_function_info_field_count == 6 {
            self.trace_function_infos
                .chunks_exact(6)
                .map(|r| TraceFunctionInfo {
                    function_id: r[0],
                    name: StrId(r[1]),
                    script_name: StrId(r[2]),
                    script_id: r[3],
                    line: r[4],
                    column: r[5],
                })
                .collect()
        } else {
            Vec::new()
        };
        let samples = if meta.sample_field_count == 2 {
            self.samples.chunks_exact(2).map(|r| (r[0], r[1])).collect()
        } else {
            Vec::new()
        };
        let _ = end;
        Ok(Snapshot {
            node_type: self.node_type,
            node_name: self.node_name,
            node_id: self.node_id,
            self_size: self.self_size,
            first_edge: self.first_edge,
            detachedness: self.detachedness,
            trace_node_id: self.trace_node_id,
            edge_type: self.edge_type,
            edge_name: self.edge_name,
            edge_to: self.edge_to,
            strings: self.strings,
            locations,
            trace_function_infos: tfi,
            trace_tree: self.trace_tree,
            samples,
            root,
            input_bytes,
            warnings: self.warnings,
            header,
        })
    }
}

/// Reads an array of 32-bit values (`locations`, `trace_function_infos`) into `out`.
fn read_u32s<R: Read>(sc: &mut Scanner<R>, what: &str, out: &mut Vec<u32>) -> Result<()> {
    sc.read_records(what, 1, |r, off| {
        out.push(u32_of(r[0], off, &format!("a value of {what}"))?);
        Ok(())
    })?;
    Ok(())
}

/// Reads the nested `trace_tree` (`[id, function_info_index, count, size, [children…], …]`)
/// into a flat pre-order list with parent links.
fn read_trace_tree<R: Read>(sc: &mut Scanner<R>, out: &mut Vec<TraceNode>) -> Result<()> {
    sc.expect(b'[', "trace_tree")?;
    let mut parents: Vec<u32> = vec![u32::MAX];
    let mut fields: Vec<u64> = Vec::with_capacity(4);
    loop {
        match sc.peek_token()? {
            None => return Err(sc.truncated("trace_tree")),
            Some(b',') => sc.expect(b',', "trace_tree")?,
            Some(b']') => {
                sc.expect(b']', "trace_tree")?;
                parents.pop();
                if parents.is_empty() {
                    return Ok(());
                }
            }
            Some(b'[') => {
                if fields.len() != 4 {
                    return Err(Error::at(
                        ErrorKind::InvalidData,
                        sc.offset(),
                        "a trace_tree node does not have 4 numbers before its children",
                    ));
                }
                sc.expect(b'[', "trace_tree")?;
                out.push(TraceNode {
                    id: fields[0] as u32,
                    function_info_index: fields[1] as u32,
                    count: fields[2] as u32,
                    size: fields[3],
                    parent: *parents.last().expect("non-empty while inside the tree"),
                });
                fields.clear();
                if parents.len() > 10_000 {
                    return Err(Error::at(
                        ErrorKind::InvalidData,
                        sc.offset(),
                        "trace_tree is nested too deeply",
                    ));
                }
                parents.push((out.len() - 1) as u32);
            }
            Some(_) => {
                let off = sc.offset();
                let v = sc.read_uint("trace_tree")?;
                if fields.len() == 4 {
                    return Err(Error::at(
                        ErrorKind::InvalidData,
                        off,
                        "a trace_tree node has more than 4 numbers",
                    ));
                }
                fields.push(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Quiet;

    /// A reader that hands out `n` bytes at a time, so that every token straddles a refill.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    const TINY: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],
"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number"],
"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],
"location_fields":["object_index","script_id","line","column"]},"node_count":2,"edge_count":1,"trace_function_count":0},
"nodes":[9,0,1,0,1,0
,3,1,3,100,0,0],"edges":[1,1,6],"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[6,4,10,2],
"strings":["","A \"quoted\" \u00e9 \ud83d\ude00 lone \ud800 end"]}"#;

    #[test]
    fn every_read_size_gives_the_same_snapshot() {
        let whole = parse(TINY.as_bytes(), TINY.len() as u64, &Quiet).unwrap();
        for step in 1..9 {
            let s = parse(Trickle(TINY.as_bytes(), step), TINY.len() as u64, &Quiet).unwrap();
            assert_eq!(
                s.strings.wtf8(StrId(1)),
                whole.strings.wtf8(StrId(1)),
                "read size {step}"
            );
            assert_eq!(s.self_size, vec![0, 100]);
            assert_eq!(s.edge_to, vec![1]);
        }
        let name = whole.strings.get(StrId(1));
        assert!(
            name.starts_with("A \"quoted\" \u{e9} \u{1F600} lone "),
            "{name}"
        );
        assert_eq!(
            whole.location(1).map(|l| (l.script_id, l.line, l.column)),
            Some((4, 10, 2))
        );
    }

    #[test]
    fn json_that_is_not_an_object_is_not_a_snapshot() {
        for text in ["42", "null", "\"x\"", " true ", "-12"] {
            let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotASnapshot, "{text}: {e}");
        }
        for text in ["hello", "nul", "42x", "\"open"] {
            let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotJson, "{text}: {e}");
        }
    }

    #[test]
    fn truncation_anywhere_is_an_error_with_an_offset() {
        for cut in 0..TINY.len() - 1 {
            let e = parse(&TINY.as_bytes()[..cut], cut as u64, &Quiet).unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::Truncated | ErrorKind::Empty),
                "cut at {cut}: {e} ({:?})",
                e.kind()
            );
            assert!(
                e.offset().is_some_and(|o| o <= cut as u64),
                "cut at {cut}: {e}"
            );
        }
    }
}
