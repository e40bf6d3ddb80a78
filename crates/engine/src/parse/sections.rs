//! The optional sections of a snapshot: `locations`, and the allocation-tracking
//! `trace_function_infos`, `trace_tree` and `samples`.
//!
//! Each is read raw while streaming (they may come before or after `nodes`) and turned into its
//! final form once the layout and the node count are known. A *location* is a node's source
//! position (script id, 0-based line and column); *trace* data (present only when allocation
//! tracking was on) maps allocation sites to functions.

use super::blocks;
use super::scanner::{RecordSink, Scanner, Source};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::meta::Meta;
use crate::snapshot::{Location, Locations, TraceFunctionInfo, TraceNode};
use rayon::prelude::*;
use std::sync::Arc;

/// The optional sections as read, before the layout is applied.
#[derive(Default)]
pub(super) struct RawSections {
    /// `locations`, flat.
    pub locations: Vec<u32>,
    /// `trace_function_infos`, flat.
    pub trace_function_infos: Vec<u32>,
    /// `trace_tree`, flattened in pre-order.
    pub trace_tree: Vec<TraceNode>,
    /// `samples`, flat.
    pub samples: Vec<u64>,
    /// The `locations` being finished on a thread of their own (see
    /// [`RawSections::start_locations`]).
    early: Option<std::thread::JoinHandle<(Locations, Vec<String>)>>,
}

/// The optional sections in their final form.
pub(super) struct Sections {
    pub locations: Locations,
    pub trace_function_infos: Vec<TraceFunctionInfo>,
    pub trace_tree: Vec<TraceNode>,
    pub samples: Vec<(u64, u64)>,
}

impl RawSections {
    /// Starts turning the raw `locations` into their final form on a thread of their own, while
    /// the rest of the file (V8 writes the `strings` after them) is read: once the layout and
    /// the node count `n` are known (it is final once the nodes are read), and only for a large
    /// array (a thread is not worth it for a few records). [`RawSections::finish`] takes the
    /// result, or does the work itself.
    pub(super) fn start_locations(&mut self, meta: &Meta, n: u64) {
        if self.locations.len() < EARLY_LOCATIONS || self.early.is_some() {
            return;
        }
        let raw = Arc::new(std::mem::take(&mut self.locations));
        let (shared, meta) = (Arc::clone(&raw), meta.clone());
        let spawned = std::thread::Builder::new()
            .name("heapwise-locations".into())
            .spawn(move || locations(&shared, &meta, n));
        // The thread frees the array when done; without a thread (the closure and its
        // reference dropped), `finish` does the work.
        match spawned {
            Ok(handle) => self.early = Some(handle),
            Err(_) => self.locations = Arc::unwrap_or_clone(raw),
        }
    }

    /// Applies the layout of `meta` to the raw sections of a snapshot of `n` nodes.
    pub(super) fn finish(mut self, meta: &Meta, n: u64, warnings: &mut Vec<String>) -> Sections {
        let (locations, said) = match self.early.take() {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => locations(&std::mem::take(&mut self.locations), meta, n),
        };
        warnings.extend(said);
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
        Sections {
            locations,
            trace_function_infos: tfi,
            trace_tree: self.trace_tree,
            samples,
        }
    }
}

/// Locations arrays shorter than this (in values) are finished after the parse, on its thread.
const EARLY_LOCATIONS: usize = 1 << 16;

/// The `locations` in their final form, from the raw array and the layout of `meta`, for a
/// snapshot of `n` nodes, with the warnings about records that are not read: node index to
/// ordinal, the last entry for a node wins (DevTools' `Map::set`).
fn locations(raw: &[u32], meta: &Meta, n: u64) -> (Locations, Vec<String>) {
    let mut warnings = Vec::new();
    let nf = meta.node_field_count as u64;
    let (Some([oi, si, li, ci]), lf) = (meta.location_offsets, meta.location_field_count) else {
        return (Locations::default(), warnings);
    };
    if lf == 0 {
        return (Locations::default(), warnings);
    }
    if !raw.len().is_multiple_of(lf) {
        warnings
            .push("the locations array ends in the middle of a record; the rest is ignored".into());
    }
    // (ordinal << 32 | record), sorted: by ordinal, then in file order.
    let mut keys: Vec<u64> = Vec::with_capacity(raw.len() / lf);
    // One warning for all of them: a corrupt file can have millions.
    let mut bad: Option<(u64, usize)> = None;
    for (r, rec) in raw.chunks_exact(lf).enumerate() {
        let idx = rec[oi] as u64;
        if !idx.is_multiple_of(nf) || idx / nf >= n {
            bad.get_or_insert((idx, 0)).1 += 1;
            continue;
        }
        keys.push((idx / nf) << 32 | r as u64);
    }
    if let Some((first, count)) = bad {
        warnings.push(format!(
            "{count} locations name a node index that is not a node (the first: {first}); ignored"
        ));
    }
    keys.par_sort_unstable();
    // The last record of each ordinal.
    let mut dedup: Vec<(u32, Location)> = Vec::with_capacity(keys.len());
    for (k, &key) in keys.iter().enumerate() {
        if keys.get(k + 1).is_some_and(|&next| next >> 32 == key >> 32) {
            continue;
        }
        let rec = &raw[(key as u32) as usize * lf..][..lf];
        dedup.push((
            (key >> 32) as u32,
            Location {
                script_id: rec[si],
                line: rec[li],
                column: rec[ci],
            },
        ));
    }
    drop(keys);
    (Locations::from_sorted(dedup), warnings)
}

/// Reads an array of 32-bit values (`locations`, `trace_function_infos`) into `out`.
pub(super) fn read_u32s<R: Source>(
    sc: &mut Scanner<R>,
    what: &str,
    out: &mut Vec<u32>,
) -> Result<()> {
    sc.read_records(what, 1, false, &mut U32s { what, out })?;
    Ok(())
}

/// The sink of [`read_u32s`]: plain text in parallel blocks, the rest value by value.
struct U32s<'a> {
    what: &'a str,
    out: &'a mut Vec<u32>,
}

impl RecordSink for U32s<'_> {
    #[inline(always)]
    fn record(&mut self, r: &[u64], off: u64) -> Result<()> {
        // The message is only written for a value that does not fit (one per value made
        // reading `locations` a tenth of the parse).
        match u32::try_from(r[0]) {
            Ok(v) => self.out.push(v),
            Err(_) => return Err(super::too_big(off, &format!("a value of {}", self.what))),
        }
        Ok(())
    }

    #[allow(unsafe_code)]
    fn block(&mut self, text: &[u8], _off: u64) -> Result<(usize, usize)> {
        let pieces = blocks::cut(text, 1, u64::MAX, blocks::piece_count());
        if pieces.is_empty() {
            return Ok((0, text.len()));
        }
        let sizes: Vec<usize> = pieces.iter().map(|p| p.records).collect();
        let slots = blocks::spare(self.out, &sizes);
        let settled = blocks::parse_pieces(text, 0, &pieces, slots, |t, _, s| blocks::u32s(t, s));
        let (taken, took, declined) = (settled.records, settled.took, settled.declined);
        // SAFETY: `blocks::u32s` wrote the slots of the values it counted, and pieces are
        // taken in order up to the first one that stopped early.
        unsafe { blocks::commit(self.out, taken) };
        #[cfg(test)]
        blocks::BLOCK_U32S.with(|c| c.set(c.get() + taken));
        Ok((took, declined))
    }
}

/// Reads `samples` (pairs of numbers, kept flat until the layout is known).
pub(super) fn read_samples<R: Source>(sc: &mut Scanner<R>, out: &mut Vec<u64>) -> Result<()> {
    sc.read_records("samples", 1, false, &mut |r: &[u64], _| {
        out.push(r[0]);
        Ok(())
    })?;
    Ok(())
}

/// Reads the nested `trace_tree` (`[id, function_info_index, count, size, [children…], …]`)
/// into a flat pre-order list with parent links.
pub(super) fn read_trace_tree<R: Source>(
    sc: &mut Scanner<R>,
    out: &mut Vec<TraceNode>,
) -> Result<()> {
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
