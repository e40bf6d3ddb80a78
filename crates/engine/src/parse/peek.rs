//! What a snapshot is, from its header alone: V8 writes the `snapshot` header first (spec §1.1),
//! so its counts and layout are known after reading a few hundred bytes, however big the file.
//!
//! [`peek`] reads at most [`PEEK_BYTES`] of the file: it sniffs the input as [`super::parse`]
//! does, then reads top-level keys until the `snapshot` one (skipping others written before it).
//!
//! From the layout it guesses the V8 version range that wrote the file. The field and type lists
//! of Node's snapshots (Node 18 = V8 10.2, 20 = 11.3, 22 = 12.4, 24 = 13.6, all read by
//! `__test__/producers.test.js`) tell them apart (see `docs/producers.md`, "Versions from the
//! header"):
//!
//! | evidence | V8 |
//! | --- | --- |
//! | `extra_native_bytes`, or `detachedness` without `trace_node_id` | `>= 12.5` (13.6 writes them, 12.4 does not) |
//! | `object shape` node type (with `trace_node_id`) | `10.3 – 12.4` |
//! | `detachedness` and `trace_node_id`, no `object shape` | `9.x – 10.2` |
//! | `trace_node_id`, no `detachedness` | `< 9.x` |
//!
//! Memory predictions ([`SnapshotHeader::predicted_memory_bytes`],
//! [`SnapshotHeader::predicted_peak_bytes`]) come from the counts, the layout and the file size;
//! see their docs for how close they come.

use super::scanner::Scanner;
use crate::error::{Error, ErrorKind, Result};
use crate::meta::Header;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// The most bytes [`peek`] reads.
pub const PEEK_BYTES: u64 = 1 << 20;

/// What the header of a snapshot file says.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotHeader {
    /// The file, as given.
    pub file: String,
    /// Its size in bytes.
    pub file_size: u64,
    /// `node_count`.
    pub node_count: u64,
    /// `edge_count`.
    pub edge_count: u64,
    /// `trace_function_count`.
    pub trace_function_count: u64,
    /// `extra_native_bytes` (0 if absent).
    pub extra_native_bytes: u64,
    /// `meta.node_fields`.
    pub node_fields: Vec<String>,
    /// `meta.edge_fields`.
    pub edge_fields: Vec<String>,
    /// The layout has source locations (`location_fields`).
    pub has_locations: bool,
    /// Nodes have a `detachedness` field.
    pub has_detachedness: bool,
    /// Allocation tracking was on (`trace_function_count > 0` and a `trace_node_id` field).
    pub has_allocation_traces: bool,
    /// Who wrote the file, when the header shows it.
    pub producer: Option<String>,
    /// The V8 version range the layout points to (see the module docs).
    pub v8: Option<String>,
    /// Bytes the analysis will hold once done (what `HeapAnalysis.memoryBytes` reports, the id
    /// index included: the first query by id builds it).
    ///
    /// Columns per node and per edge, plus the strings estimated from what the file holds
    /// beyond its numbers. Measured with `cargo run --release -p heapwise-engine --example peak`:
    /// 0.95–1.02 times the actual value on bare Node 18, 20, 22 and 24 snapshots (3–5 MB) and
    /// 1.00 on a 60 MB synthetic one (`tools/synth`).
    pub predicted_memory_bytes: u64,
    /// The most bytes the engine holds while parsing and analysing (its own allocations): the
    /// larger of the resident prediction and the parsed columns plus the dominator tree's
    /// temporaries (about 44 bytes per node and 4 per edge, the engine's own estimate in
    /// `Analysis::run`), plus the 4 MiB read buffer. Against the high-water mark sampled at
    /// every progress report (same example): 1.02 times it on the 60 MB synthetic snapshot;
    /// 1.4–1.5 times on the 3–5 MB ones, where the read buffer and the fixed costs dominate (an
    /// upper bound there, as a memory limit wants).
    pub predicted_peak_bytes: u64,
}

/// Reads the header of the snapshot at `path` (at most [`PEEK_BYTES`] of it).
pub fn peek(path: &Path) -> Result<SnapshotHeader> {
    let shown = path.display();
    let (file, meta) = super::open(path)?;
    let file_size = meta.len();
    let (header, value) = read_header(file.take(PEEK_BYTES)).map_err(|e| {
        if e.kind() == ErrorKind::Truncated && file_size > PEEK_BYTES {
            Error::at(
                ErrorKind::NotASnapshot,
                PEEK_BYTES,
                format!(
                    "no snapshot header in the first {} bytes of {shown} (V8 writes it first)",
                    PEEK_BYTES
                ),
            )
        } else {
            e
        }
    })?;
    Ok(describe(shown.to_string(), file_size, &header, &value))
}

/// Reads top-level keys up to the `snapshot` header; returns it parsed and as JSON.
fn read_header<R: Read>(reader: R) -> Result<(Header, Value)> {
    let mut sc = Scanner::new(reader);
    super::sniff::open_snapshot_object(&mut sc)?;
    loop {
        sc.peek_token()?;
        let key = sc.read_key()?;
        sc.expect(b':', "after an object key")?;
        if key == b"snapshot" {
            let start = sc.offset();
            let mut text = Vec::new();
            sc.capture_value(&mut text, "the snapshot header")?;
            let header = Header::from_json(&text, start)?;
            let value = serde_json::from_slice(&text).unwrap_or(Value::Null);
            return Ok((header, value));
        }
        sc.skip_value("a top-level value")?;
        match sc.peek_token()? {
            Some(b',') => sc.expect(b',', "between top-level keys")?,
            Some(b'}') => {
                return Err(Error::at(
                    ErrorKind::NotASnapshot,
                    sc.offset(),
                    "JSON, but not a heap snapshot: there is no \"snapshot\" header",
                ))
            }
            None => return Err(sc.truncated("the top-level object")),
            Some(_) => sc.expect(b',', "between top-level keys")?,
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The node types current V8 writes, in order (a prefix of them in older versions).
const V8_NODE_TYPES: [&str; 16] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
    "wasm object",
];

fn describe(file: String, file_size: u64, h: &Header, v: &Value) -> SnapshotHeader {
    let meta = &v["meta"];
    let node_fields = strings(&meta["node_fields"]);
    let edge_fields = strings(&meta["edge_fields"]);
    let has = |f: &str| node_fields.iter().any(|x| x == f);
    let (trace, detached) = (has("trace_node_id"), has("detachedness"));
    let types = &h.meta.node_type_names;
    let v8_types =
        types.len() <= V8_NODE_TYPES.len() && types.iter().zip(V8_NODE_TYPES).all(|(a, b)| a == b);
    let extra = v.get("extra_native_bytes").is_some();
    let titled = v.get("title").is_some();
    let v8 = if titled || !v8_types {
        None
    } else if extra || (detached && !trace) {
        Some(">= 12.5")
    } else if types.iter().any(|t| t == "object shape") && trace {
        Some("10.3 – 12.4")
    } else if detached && trace {
        Some("9.x – 10.2")
    } else if trace {
        Some("< 9.x")
    } else {
        None
    };
    let producer = if titled {
        Some("Chrome (WebKit era, ≈2010–2013: the header has a title)".to_owned())
    } else if v8_types {
        Some("V8 (Node.js, Chrome, Electron or Deno)".to_owned())
    } else {
        None
    };
    let (n, e) = (h.node_count, h.edge_count);
    let (nf, ef) = (node_fields.len() as u64, edge_fields.len() as u64);
    let (resident, peak) = predict(n, e, nf, ef, trace, file_size);
    SnapshotHeader {
        file,
        file_size,
        node_count: n,
        edge_count: e,
        trace_function_count: h.trace_function_count,
        extra_native_bytes: h.extra_native_bytes,
        has_locations: h.meta.location_offsets.is_some(),
        has_detachedness: detached,
        has_allocation_traces: trace && h.trace_function_count > 0,
        node_fields,
        edge_fields,
        producer,
        v8: v8.map(str::to_owned),
        predicted_memory_bytes: resident,
        predicted_peak_bytes: peak,
    }
}

/// `(resident, peak)` bytes for `n` nodes and `e` edges of `nf` / `ef` fields in a file of
/// `file_size` bytes (see [`SnapshotHeader::predicted_memory_bytes`]).
fn predict(n: u64, e: u64, nf: u64, ef: u64, trace: bool, file_size: u64) -> (u64, u64) {
    // Strings: the file less its numbers (3.9 bytes per number with its comma on V8's output,
    // Node 18 to 24: ids and sizes are long, types and counts short; and a newline per record).
    // What remains is the strings with their quotes and escapes and the small sections; held as
    // text plus an 8-byte end each, that is 1.2 times as much on the same snapshots.
    let numbers = (n * nf + e * ef) as f64 * 3.9 + (n + e) as f64;
    let strings = ((file_size as f64 - numbers).max(0.0) * 1.2) as u64;
    // Parsed columns: node type, detachedness (1 byte each), name, id, self size, first edge,
    // trace id (4 bytes); edge type (1), name and target (4 each).
    let parsed = n * (1 + 1 + 4 * 4 + if trace { 4 } else { 0 }) + e * 9 + strings;
    // The analysis adds: retainers (4 per node and per edge, an essential bit per edge),
    // shallow (4), retained (8), dominator (4), distance (4), detachedness (1), class key (4),
    // dominator children (8), the id index once a query by id ran (4); and 12 more, fitted on
    // the snapshots below (columns reserved from the header's counts, class names the analysis
    // adds, locations).
    let added = n * (4 + 4 + 8 + 4 + 4 + 1 + 4 + 8 + 4 + 12) + e * 4 + e / 8;
    let resident = parsed + added;
    // While analysing: the dominator tree's temporaries on top of the columns (the engine's own
    // up-front estimate, `Analysis::run`), and the read buffer.
    let peak = resident.max(parsed + 44 * n + 4 * e) + (4 << 20);
    (resident, peak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_header_and_skips_keys_before_it() {
        let text = br#"{"x":[1,2,3],"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"]],"location_fields":["object_index","script_id","line","column"]},"node_count":7,"edge_count":9,"trace_function_count":0,"extra_native_bytes":12},"nodes":["#;
        let (h, v) = read_header(&text[..]).unwrap();
        let d = describe("f".into(), 100, &h, &v);
        assert_eq!(
            (d.node_count, d.edge_count, d.extra_native_bytes),
            (7, 9, 12)
        );
        assert_eq!(d.node_fields.len(), 6);
        assert_eq!(d.edge_fields, ["type", "name_or_index", "to_node"]);
        assert!(d.has_locations && d.has_detachedness && !d.has_allocation_traces);
        assert_eq!(d.v8.as_deref(), Some(">= 12.5"));
        assert!(d.producer.unwrap().starts_with("V8"));
        assert!(d.predicted_peak_bytes >= d.predicted_memory_bytes);
    }

    #[test]
    fn no_header_is_an_error_with_an_offset() {
        let e = read_header(&br#"{"nodes":[1,2],"strings":[]}"#[..]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotASnapshot);
        assert!(e.offset().is_some());
        let e = read_header(&br#"{"nodes":[1,2"#[..]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        let e = read_header(&b""[..]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Empty);
    }
}
