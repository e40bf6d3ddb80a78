//! Streaming parser: reads a `.heapsnapshot` from any `io::Read` straight into the columns of a
//! [`Snapshot`], without a JSON DOM. Layout comes from `snapshot.meta`; every value and index is
//! checked (and read as DevTools reads it where it is out of range but DevTools reads it), and
//! every error carries the byte offset where it was found.
//!
//! The input is sniffed first (`sniff`), then the top-level keys are read in any order: the
//! `snapshot` header, the `nodes`, `edges` and `strings` columns (`columns`) and the optional
//! sections (`sections`); unknown keys are skipped. What DevTools reads despite an
//! inconsistency is read as DevTools reads it, with a warning (`tolerate`). Where the text of the
//! `nodes` and `edges` arrays is plain, whole blocks of it are parsed on every core (`blocks`);
//! the rest is read value by value, which keeps every error's offset exact. A large file or a
//! pipe is read on a thread of its own one buffer ahead of the parse (`read_ahead`).

mod blocks;
mod columns;
mod peek;
mod read_ahead;
mod scanner;
mod sections;
mod sniff;
mod tolerate;

use crate::error::{Error, ErrorKind, Result};
use crate::meta::Header;
use crate::progress::{check, Observer, Phase};
use crate::snapshot::Snapshot;
use columns::Builder;
pub use peek::{peek, SnapshotHeader, PEEK_BYTES};
use read_ahead::ReadAhead;
use scanner::{Scanner, Source, BUFFER_SIZE};
use sections::{read_samples, read_trace_tree, read_u32s};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Opens `path` for reading, with its metadata; a directory or an unreadable path is an
/// `Io` error that names it.
pub(crate) fn open(path: &Path) -> Result<(File, std::fs::Metadata)> {
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
    Ok((file, meta))
}

/// Files from this size up are read ahead on a thread of their own (a smaller one is read before
/// the thread would have started, and its read buffer would be a large part of its memory).
pub(crate) const READ_AHEAD_FROM: u64 = 32 << 20;

/// Opens and parses the snapshot at `path`.
pub fn parse_file(path: &Path, obs: &dyn Observer) -> Result<Snapshot> {
    let (file, meta) = open(path)?;
    if !meta.is_file() {
        // A pipe or a device (`/dev/stdin`, `<(zcat x.gz)`): read to its end.
        return parse_source(read_ahead(file, path)?, 0, obs);
    }
    // Read only what the file held when it was opened, so a file that keeps growing (a writer
    // still at work) ends instead of being chased forever.
    let len = meta.len();
    let parsed = if len < READ_AHEAD_FROM {
        parse(file.take(len), len, obs)
    } else {
        parse_source(read_ahead(file.take(len), path)?, len, obs)
    };
    parsed.map_err(|e| explain_truncation(e, path, len))
}

/// Starts reading `reader` (the file at `path`) ahead on a thread of its own.
fn read_ahead<R: Read + Send + 'static>(reader: R, path: &Path) -> Result<ReadAhead> {
    ReadAhead::new(reader, BUFFER_SIZE).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot start reading {}: {e}", path.display()),
        )
    })
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

pub(crate) fn too_big(off: u64, what: &str) -> Error {
    Error::at(
        ErrorKind::InvalidData,
        off,
        format!("{what} does not fit in 32 bits"),
    )
}

/// Parses a snapshot from `reader`; `input_bytes` is the input's size (for progress and for
/// sizing the columns; 0 if unknown).
pub fn parse<R: Read>(reader: R, input_bytes: u64, obs: &dyn Observer) -> Result<Snapshot> {
    parse_source(reader, input_bytes, obs)
}

/// [`parse`] from any [`Source`] (a file read ahead on a thread of its own, see [`read_ahead`]).
fn parse_source<S: Source>(source: S, input_bytes: u64, obs: &dyn Observer) -> Result<Snapshot> {
    let mut sc = Scanner::new(source);
    let mut b = Builder::default();
    let progress = |off: u64| {
        if input_bytes > 0 {
            obs.progress(Phase::Parse, (off as f64 / input_bytes as f64).min(1.0));
        }
    };
    sniff::open_snapshot_object(&mut sc)?;
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
            b"locations" => {
                read_u32s(&mut sc, "locations", &mut b.optional.locations)?;
                if let (Some(header), true) = (&b.header, b.nodes_seen) {
                    // The node count is final once the nodes are read.
                    let n = b.node_type.len() as u64;
                    b.optional.start_locations(&header.meta, n);
                }
            }
            b"trace_function_infos" => read_u32s(
                &mut sc,
                "trace_function_infos",
                &mut b.optional.trace_function_infos,
            )?,
            b"samples" => read_samples(&mut sc, &mut b.optional.samples)?,
            b"trace_tree" => read_trace_tree(&mut sc, &mut b.optional.trace_tree)?,
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
    fn finish(mut self, input_bytes: u64) -> Result<Snapshot> {
        let header = self.header.take().ok_or_else(|| {
            Error::new(
                ErrorKind::NotASnapshot,
                "JSON, but not a heap snapshot: there is no \"snapshot\" header",
            )
        })?;
        for (present, name) in [
            (self.nodes_seen, "nodes"),
            (self.edges_seen, "edges"),
            (self.strings_seen, "strings"),
        ] {
            if !present {
                return Err(Error::new(
                    ErrorKind::NotASnapshot,
                    format!("JSON, but not a heap snapshot: there is no \"{name}\" array"),
                ));
            }
        }
        self.settle(&header)?;
        tolerate::check_dangling(
            &self.anomalies,
            &self.strings,
            header.meta.edge_types.internal,
        )?;
        let meta = &header.meta;
        let n = self.node_type.len() as u64;
        let nf = meta.node_field_count as u64;
        let root = match header.root_index {
            // DevTools' dominated-nodes index expects the root first or last, and throws
            // otherwise ("Root node is expected to be either first or last").
            Some(ri) if ri % nf == 0 && ri / nf + 1 == n => (ri / nf) as u32,
            Some(ri) => {
                let why = if ri % nf == 0 && ri / nf < n {
                    "neither the first nor the last node (DevTools fails on it)"
                } else {
                    "not a node"
                };
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    self.header_offset,
                    format!("snapshot.root_index {ri} is {why}"),
                ));
            }
            None => 0,
        };
        let optional = std::mem::take(&mut self.optional);
        let sections = optional.finish(meta, n, &mut self.warnings);
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
            locations: sections.locations,
            trace_function_infos: sections.trace_function_infos,
            trace_tree: sections.trace_tree,
            samples: sections.samples,
            root,
            input_bytes,
            warnings: self.warnings,
            anomalies: self.anomalies,
            header,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StrId;
    use crate::progress::Quiet;

    /// A reader that hands out `n` bytes at a time, so that every token straddles a refill
    /// (the block parser's tests use it too).
    pub(super) struct Trickle<'a>(pub(super) &'a [u8], pub(super) usize);
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

    /// A large `locations` array after the nodes is finished on a thread of its own while the
    /// strings are read; before the nodes, after the parse. Both give the same locations and
    /// warnings: the last record of a node wins, records naming no node are counted once.
    #[test]
    fn locations_read_early_or_late_agree() {
        let n = 5_000u64;
        let mut rng = crate::test_rng::Rng::new(7);
        let nodes: Vec<String> = (0..n).map(|o| format!("3,0,{},8,0", 2 * o + 1)).collect();
        // 20,000 records (past the size worth a thread): some nodes twice, some indices that
        // are not a node (past the last one, or not a multiple of the field count).
        let records: Vec<[u64; 4]> = (0..20_000)
            .map(|_| {
                let idx = match rng.below(50) {
                    0 => 5 * n + rng.below(100),
                    1 => 5 * rng.below(n) + 1 + rng.below(4),
                    _ => 5 * rng.below(n),
                };
                [idx, rng.below(9), rng.below(500), rng.below(80)]
            })
            .collect();
        // What they mean: per node, its last record.
        let mut expected = std::collections::BTreeMap::new();
        for r in records.iter().filter(|r| r[0] % 5 == 0 && r[0] < 5 * n) {
            expected.insert(r[0] as u32 / 5, (r[1] as u32, r[2] as u32, r[3] as u32));
        }
        let locations: Vec<String> = records
            .iter()
            .map(|r| format!("{},{},{},{}", r[0], r[1], r[2], r[3]))
            .collect();
        let meta = r#""meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","array","string","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}"#;
        let header = format!(r#""snapshot":{{{meta},"node_count":{n},"edge_count":0}}"#);
        let (nodes, locations) = (nodes.join(","), locations.join(","));
        let late = format!(
            r#"{{{header},"locations":[{locations}],"nodes":[{nodes}],"edges":[],"strings":[""]}}"#
        );
        let early = format!(
            r#"{{{header},"nodes":[{nodes}],"edges":[],"locations":[{locations}],"strings":[""]}}"#
        );
        let [late, early] = [late, early].map(|text| {
            let s = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap();
            (s.locations.iter().collect::<Vec<_>>(), s.warnings)
        });
        assert_eq!(early, late);
        let got: Vec<_> = late
            .0
            .iter()
            .map(|&(o, l)| (o, (l.script_id, l.line, l.column)))
            .collect();
        assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
        assert_eq!(late.1.len(), 1, "{:?}", late.1);
    }
}
