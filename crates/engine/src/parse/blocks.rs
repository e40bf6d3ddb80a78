//! Parallel parsing of the `nodes` and `edges` arrays: text the scanner holds is cut into
//! pieces at record boundaries, and the pieces are parsed on every core straight into the
//! columns' spare capacity.
//!
//! Terms: a *block* is the text ahead in the scanner's buffer, offered at a record boundary
//! ([`super::scanner::RecordSink::block`]); it is cut into *pieces*, each a run of whole records
//! ending right after a separator comma. A record is *plain* when its text holds only digits,
//! commas and whitespace, each value has 1 to 15 digits (so it is exact, below 2^53), and
//! storing it needs no more than a store: no type past the type lists, no edge to a node past
//! the last one or to an index that is not a node's, no non-zero trace node id before that
//! column exists. Only plain records are parsed here; from the first record that is not, the
//! rest of its piece and every later piece of the block is left to the value-by-value reader,
//! which reports errors and tolerates oddities with their exact offsets, as before.
#![allow(unsafe_code)]

use super::columns::MaxName;
use crate::ids::StrId;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Records with more fields than this are read value by value (V8 writes 7 and 3).
pub(super) const MAX_FIELDS: usize = 16;

/// Most digits of a value read here: 10^15 − 1 is below 2^53, where DevTools' reading of a
/// number stops being exact.
const MAX_DIGITS: usize = 15;

/// Pieces per block and per thread: enough that a slow piece does not leave a core idle.
const PIECES_PER_THREAD: usize = 4;

/// A run of whole records: bytes `start..end` of the block.
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece {
    pub start: usize,
    pub end: usize,
    pub records: usize,
}

/// How many pieces to cut a block into.
pub(super) fn piece_count() -> usize {
    rayon::current_num_threads().max(1) * PIECES_PER_THREAD
}

/// The position right after the `n`-th comma at or after `from` (`from` itself for 0).
fn after_commas(t: &[u8], from: usize, n: usize) -> Option<usize> {
    let mut at = from;
    for _ in 0..n {
        at += memchr::memchr(b',', &t[at..])? + 1;
    }
    Some(at)
}

/// Cuts `text`, which starts at a record boundary, into at most `pieces` runs of whole records
/// of `f` values, at most `max_records` records in all, each ending right after a comma (the
/// array's closing bracket and whatever follows the last such comma are left out). Counting is
/// by commas only: a piece whose text is not plain is found out when it is parsed.
pub(super) fn cut(text: &[u8], f: usize, max_records: u64, pieces: usize) -> Vec<Piece> {
    let limit = memchr::memchr(b']', text).unwrap_or(text.len());
    let Some(last) = memchr::memrchr(b',', &text[..limit]) else {
        return Vec::new();
    };
    let t = &text[..=last];
    // Raw cuts right after a comma near equal byte positions, then the commas between them.
    let mut raw = vec![0usize];
    for i in 1..pieces {
        let p = t.len() * i / pieces;
        match memchr::memchr(b',', &t[p..]) {
            Some(j) if p + j + 1 > *raw.last().unwrap_or(&0) && p + j + 1 < t.len() => {
                raw.push(p + j + 1)
            }
            _ => {}
        }
    }
    raw.push(t.len());
    let commas: Vec<usize> = raw
        .par_windows(2)
        .map(|w| memchr::memchr_iter(b',', &t[w[0]..w[1]]).count())
        .collect();
    let total: usize = commas.iter().sum();
    let records = ((total / f) as u64).min(max_records) as usize;
    if records == 0 {
        return Vec::new();
    }
    // Each raw cut moved forward to the next record boundary: (byte, value index).
    let mut bounds: Vec<(usize, usize)> = vec![(0, 0)];
    let mut values = 0;
    for (i, &c) in commas.iter().enumerate() {
        values += c;
        let (pos, v) = (raw[i + 1], values);
        if pos == t.len() {
            break;
        }
        let skip = (f - v % f) % f;
        if let Some(at) = after_commas(t, pos, skip) {
            let v = v + skip;
            if v < records * f && at > bounds.last().map_or(0, |b| b.0) {
                bounds.push((at, v));
            }
        }
    }
    // The end, right after the last comma of the last record taken: walked back from the end
    // (it is at most a record away unless `max_records` cuts the block short).
    let mut end = t.len();
    for _ in 0..total - records * f {
        match memchr::memrchr(b',', &t[..end - 1]) {
            Some(q) => end = q + 1,
            None => return Vec::new(),
        }
    }
    bounds.push((end, records * f));
    bounds
        .windows(2)
        .map(|w| Piece {
            start: w[0].0,
            end: w[1].0,
            records: (w[1].1 - w[0].1) / f,
        })
        .collect()
}

/// 10^k for k < 8.
const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The eight bytes at `t[i..]`, the first in the lowest byte.
#[inline(always)]
fn word(t: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&t[i..i + 8]);
    u64::from_le_bytes(b)
}

/// How many of the bytes of `w` (first in the lowest byte) are ASCII digits before the first
/// that is not. A byte is a digit when its high nibble is 3 and adding 6 keeps it 3; the
/// carry out of a byte of 0xFA or more can only disturb bytes after it, and it is itself not
/// a digit, so the count is right.
#[inline(always)]
fn digit_count(w: u64) -> usize {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    let not_digit =
        ((w & HIGH) ^ THREES) | ((w.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES);
    if not_digit == 0 {
        8
    } else {
        not_digit.trailing_zeros() as usize / 8
    }
}

/// The value of the first `n` bytes of `w` (1 to 8 ASCII digits, the first in the lowest byte),
/// without a loop (D. Lemire, "Faster integer parsing", 2018).
#[inline(always)]
fn eight_digits(w: u64, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    // The digits' values moved to the top bytes: the missing leading digits are zeros.
    let d = w.wrapping_sub(0x3030_3030_3030_3030) << (8 * (8 - n));
    let d = d.wrapping_mul(10).wrapping_add(d >> 8);
    let mask = 0x0000_00FF_0000_00FF;
    let d = (d & mask)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((d >> 16) & mask).wrapping_mul(1 + (10_000 << 32)));
    d >> 32
}

/// Reads the values of a piece one by one.
struct Values<'a> {
    t: &'a [u8],
    i: usize,
}

#[inline(always)]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

impl Values<'_> {
    /// The next value and its separator, `None` at text that is not plain. Every piece ends
    /// right after a comma, so every value read is followed by one.
    #[inline(always)]
    fn next(&mut self) -> Option<u64> {
        let (t, i) = (self.t, self.i);
        // Eight bytes at a time while 16 are left (a value as V8 writes it: digits, then a
        // comma, or a newline and a comma after a record's last value).
        if i + 16 <= t.len() {
            let w = word(t, i);
            let n = digit_count(w);
            let (v, n) = if n < 8 {
                (eight_digits(w, n), n)
            } else {
                let w2 = word(t, i + 8);
                let n2 = digit_count(w2);
                if n2 == 8 {
                    return None;
                }
                (
                    eight_digits(w, 8) * POW10[n2] + eight_digits(w2, n2),
                    8 + n2,
                )
            };
            if n > 0 {
                let after = i + n;
                if t[after] == b',' {
                    self.i = after + 1;
                    return Some(v);
                }
                if t[after] == b'\n' && t.get(after + 1) == Some(&b',') {
                    self.i = after + 2;
                    return Some(v);
                }
            }
        }
        self.next_slowly()
    }

    /// [`Values::next`] byte by byte, whitespace anywhere between tokens.
    #[cold]
    fn next_slowly(&mut self) -> Option<u64> {
        let t = self.t;
        let mut i = self.i;
        while i < t.len() && is_space(t[i]) {
            i += 1;
        }
        let start = i;
        let mut v = 0u64;
        while i < t.len() {
            let d = t[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + d as u64;
            i += 1;
        }
        if i == start || i - start > MAX_DIGITS {
            return None;
        }
        while i < t.len() && t[i] != b',' {
            if !is_space(t[i]) {
                return None;
            }
            i += 1;
        }
        if i == t.len() {
            return None;
        }
        self.i = i + 1;
        Some(v)
    }

    /// Reads one record of `rec.len()` values.
    #[inline(always)]
    fn record(&mut self, rec: &mut [u64]) -> bool {
        for slot in rec.iter_mut() {
            match self.next() {
                Some(v) => *slot = v,
                None => return false,
            }
        }
        true
    }
}

/// How far a piece got: its first `records` records were stored, the text up to `bytes` (from
/// the piece's start) read; `max` the largest names seen in them, with their record offsets.
#[derive(Clone, Copy, Default)]
pub(super) struct Outcome {
    pub records: usize,
    pub bytes: usize,
    pub max: [MaxName; 2],
}

/// The node layout, as [`super::columns::Builder`] reads records.
pub(super) struct NodeLayout {
    pub f: usize,
    pub ty: usize,
    pub name: usize,
    pub id: usize,
    pub size: usize,
    pub edges: usize,
    pub detachedness: Option<usize>,
    /// The trace node id's offset, when the snapshot has the field.
    pub trace: Option<usize>,
    /// Whether the trace node id column has been started (a non-zero id was seen).
    pub trace_started: bool,
    pub type_count: u32,
}

/// Where a piece of nodes goes: its records' slots in each column (`detachedness` and `trace`
/// empty when not kept). `edges` gets each node's `edge_count`, summed afterwards.
pub(super) struct NodeSlots<'a> {
    pub ty: &'a mut [MaybeUninit<u8>],
    pub name: &'a mut [MaybeUninit<StrId>],
    pub id: &'a mut [MaybeUninit<u32>],
    pub size: &'a mut [MaybeUninit<u32>],
    pub edges: &'a mut [MaybeUninit<u32>],
    pub detachedness: &'a mut [MaybeUninit<u8>],
    pub trace: &'a mut [MaybeUninit<u32>],
}

/// Parses the plain records at the start of a piece of nodes (`text`, starting at input
/// offset `off`) into `out`.
pub(super) fn nodes(text: &[u8], off: u64, l: &NodeLayout, out: NodeSlots<'_>) -> Outcome {
    // With the field count a constant, a record's values stay in registers.
    match l.f {
        7 => nodes_by::<7>(text, off, l, out),
        6 => nodes_by::<6>(text, off, l, out),
        5 => nodes_by::<5>(text, off, l, out),
        _ => nodes_by::<0>(text, off, l, out),
    }
}

/// [`nodes`] with the field count `F` (0: `l.f`).
#[inline(always)]
fn nodes_by<const F: usize>(text: &[u8], off: u64, l: &NodeLayout, out: NodeSlots<'_>) -> Outcome {
    let mut v = Values { t: text, i: 0 };
    let mut rec = [0u64; MAX_FIELDS];
    let rec = &mut rec[..if F == 0 { l.f } else { F }];
    let mut o = Outcome::default();
    for k in 0..out.ty.len() {
        let at = v.i;
        if !v.record(rec) {
            break;
        }
        let ty = rec[l.ty] as u32;
        if ty >= l.type_count {
            break;
        }
        let trace = l.trace.map_or(0, |t| rec[t] as u32);
        if trace != 0 && !l.trace_started {
            break;
        }
        let name = rec[l.name] as u32;
        o.max[0].note(name, off + at as u64);
        out.ty[k].write(ty as u8);
        out.name[k].write(StrId(name));
        out.id[k].write(rec[l.id] as u32);
        out.size[k].write(rec[l.size] as u32);
        out.edges[k].write(rec[l.edges] as u32);
        if let Some(d) = l.detachedness {
            out.detachedness[k].write((rec[d] & 3) as u8);
        }
        if l.trace_started {
            out.trace[k].write(trace);
        }
        o.records = k + 1;
        o.bytes = v.i;
    }
    o
}

/// The edge layout, as [`super::columns::Builder`] reads records.
pub(super) struct EdgeLayout {
    pub f: usize,
    pub ty: usize,
    pub name: usize,
    pub to: usize,
    pub nf: u64,
    pub node_count: u64,
    pub type_count: u32,
    pub internal: u8,
    pub element: u8,
    pub hidden: u8,
}

/// Where a piece of edges goes: its records' slots in each column.
pub(super) struct EdgeSlots<'a> {
    pub ty: &'a mut [MaybeUninit<u8>],
    pub name: &'a mut [MaybeUninit<u32>],
    pub to: &'a mut [MaybeUninit<u32>],
}

/// Parses the plain records at the start of a piece of edges (see [`nodes`]); `max[0]` is the
/// largest name of an internal edge, `max[1]` of another string-named one.
pub(super) fn edges(text: &[u8], off: u64, l: &EdgeLayout, out: EdgeSlots<'_>) -> Outcome {
    // With the node field count a constant, the division by it is a multiplication.
    match l.nf {
        7 => edges_by::<7>(text, off, l, out),
        6 => edges_by::<6>(text, off, l, out),
        5 => edges_by::<5>(text, off, l, out),
        _ => edges_by::<0>(text, off, l, out),
    }
}

/// [`edges`] with the node field count `NF` (0: `l.nf`).
#[inline(always)]
fn edges_by<const NF: u64>(text: &[u8], off: u64, l: &EdgeLayout, out: EdgeSlots<'_>) -> Outcome {
    let nf = if NF == 0 { l.nf } else { NF };
    let mut v = Values { t: text, i: 0 };
    let mut rec = [0u64; MAX_FIELDS];
    let rec = &mut rec[..if l.f == 3 { 3 } else { l.f }];
    let mut o = Outcome::default();
    for k in 0..out.ty.len() {
        let at = v.i;
        if !v.record(rec) {
            break;
        }
        let ty = rec[l.ty] as u32;
        if ty >= l.type_count {
            break;
        }
        let t = ty as u8;
        let to = rec[l.to] as u32 as u64;
        let ordinal = to / nf;
        if ordinal * nf != to || ordinal >= l.node_count {
            break;
        }
        let name = rec[l.name] as u32;
        if t != l.element && t != l.hidden {
            o.max[(t != l.internal) as usize].note(name, off + at as u64);
        }
        out.ty[k].write(t);
        out.name[k].write(name);
        out.to[k].write(ordinal as u32);
        o.records = k + 1;
        o.bytes = v.i;
    }
    o
}

/// What the parse of a block's pieces came to: the pieces are taken up to the first that
/// stopped early, with that one's records.
#[derive(Default)]
pub(super) struct Settled {
    /// Records taken.
    pub records: usize,
    /// Bytes taken, from the block's start.
    pub took: usize,
    /// Bytes declined: the rest of the piece that stopped early.
    pub declined: usize,
    /// The largest names in the records taken, with their offsets.
    pub max: [MaxName; 2],
}

/// Parses the `pieces` of `text` (at input offset `off`) on every core, each into its run of
/// `slots` with `parse(piece text, piece offset, slots)`, and settles them.
pub(super) fn parse_pieces<S: Send>(
    text: &[u8],
    off: u64,
    pieces: &[Piece],
    slots: Vec<S>,
    parse: impl Fn(&[u8], u64, S) -> Outcome + Sync,
) -> Settled {
    let outcomes: Vec<Outcome> = pieces
        .par_iter()
        .zip(slots)
        .map(|(p, s)| parse(&text[p.start..p.end], off + p.start as u64, s))
        .collect();
    settle(pieces, &outcomes)
}

/// Settles a block whose `pieces` were parsed with `outcomes`.
fn settle(pieces: &[Piece], outcomes: &[Outcome]) -> Settled {
    let mut s = Settled {
        took: pieces.last().map_or(0, |p| p.end),
        ..Settled::default()
    };
    for (p, o) in pieces.iter().zip(outcomes) {
        s.records += o.records;
        s.max[0].merge(o.max[0]);
        s.max[1].merge(o.max[1]);
        if o.records < p.records {
            s.took = p.start + o.bytes;
            s.declined = p.end - s.took;
            break;
        }
    }
    s
}

/// Parses the plain values at the start of a piece of a flat array of 32-bit values (records of
/// one value: `locations`, `trace_function_infos`) into `out`, up to the first value that does
/// not fit in 32 bits (left to the value-by-value reader, which reports it).
pub(super) fn u32s(text: &[u8], out: &mut [MaybeUninit<u32>]) -> Outcome {
    let mut v = Values { t: text, i: 0 };
    let mut o = Outcome::default();
    for (k, slot) in out.iter_mut().enumerate() {
        let Some(x) = v.next().and_then(|x| u32::try_from(x).ok()) else {
            break;
        };
        slot.write(x);
        o.records = k + 1;
        o.bytes = v.i;
    }
    o
}

/// Splits the first `sizes.iter().sum()` spare slots of `v` into consecutive runs of `sizes`.
pub(super) fn spare<'a, T>(v: &'a mut Vec<T>, sizes: &[usize]) -> Vec<&'a mut [MaybeUninit<T>]> {
    let total: usize = sizes.iter().sum();
    v.reserve(total);
    let mut rest = &mut v.spare_capacity_mut()[..total];
    let mut out = Vec::with_capacity(sizes.len());
    for &s in sizes {
        let (a, b) = rest.split_at_mut(s);
        out.push(a);
        rest = b;
    }
    out
}

/// Empty slot runs, for a column that is not kept.
pub(super) fn none<'a, T>(n: usize) -> Vec<&'a mut [MaybeUninit<T>]> {
    (0..n).map(|_| <&mut [MaybeUninit<T>]>::default()).collect()
}

#[cfg(test)]
thread_local! {
    /// Records read in blocks on this thread (for the tests).
    pub(super) static BLOCK_RECORDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Values of flat 32-bit arrays read in blocks on this thread (for the tests).
    pub(super) static BLOCK_U32S: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Makes the first `added` spare slots of `v` part of it.
///
/// # Safety
/// Those slots were written (through [`spare`]).
pub(super) unsafe fn commit<T>(v: &mut Vec<T>, added: usize) {
    debug_assert!(v.len() + added <= v.capacity());
    #[cfg(test)]
    if std::mem::size_of::<T>() == 1 {
        BLOCK_RECORDS.with(|c| c.set(c.get() + added));
    }
    // SAFETY: the caller wrote the slots; they are within the capacity.
    unsafe { v.set_len(v.len() + added) }
}

#[cfg(test)]
#[test]
fn eight_digits_at_a_time() {
    for text in [
        "7,",
        "12,",
        "1234567,",
        "12345678,",
        "99999999\n,",
        "0,",
        "00012,",
    ] {
        let w = word(format!("{text}........").as_bytes(), 0);
        let n = digit_count(w);
        let digits = text.trim_end_matches([',', '\n']);
        assert_eq!(n, digits.len(), "{text}");
        assert_eq!(eight_digits(w, n), digits.parse::<u64>().unwrap(), "{text}");
    }
    assert_eq!(digit_count(word(b"12\xfa45678", 0)), 2);
    assert_eq!(digit_count(word(b"/:0123456", 0)), 0);
}

#[cfg(test)]
#[test]
fn values_read_a_word_at_a_time_as_byte_by_byte() {
    // Texts of values of 0 to 17 digits, separated as V8 writes them (`,` or `\n,`) and now and
    // then otherwise (spaces, a newline after the comma, a letter): the word-at-a-time reader
    // must give the values the byte-by-byte reader gives, end at the same byte, and stop where
    // it stops.
    let mut rng = crate::test_rng::Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut rand = |m: u64| rng.below(m);
    for case in 0..3000 {
        let mut t = String::new();
        let values = 1 + rand(200);
        for _ in 0..values {
            let digits = match rand(20) {
                0 => 0,
                1 => 16 + rand(2) as usize,
                k => 1 + (k as usize * 7 + rand(15) as usize) % 15,
            };
            for d in 0..digits {
                let c = if d == 0 && digits > 1 {
                    1 + rand(9)
                } else {
                    rand(10)
                };
                t.push(char::from(b'0' + c as u8));
            }
            t.push_str(match rand(if case % 3 == 0 { 40 } else { 400 }) {
                0 => " ,",
                1 => ",\n",
                2 => "x,",
                3..=60 => "\n,",
                _ => ",",
            });
        }
        let bytes = t.as_bytes();
        let (mut fast, mut slow) = (Values { t: bytes, i: 0 }, Values { t: bytes, i: 0 });
        loop {
            let (a, b) = (fast.next(), slow.next_slowly());
            assert_eq!(a, b, "case {case}: {t:?} at {}", slow.i);
            if a.is_none() {
                break;
            }
            assert_eq!(fast.i, slow.i, "case {case}: {t:?}");
        }
    }
    let t = b"1,22,333,4444,55555,666666,7777777,88888888,999999999,1234567890123,7\n,0,";
    let mut v = Values { t, i: 0 };
    let mut seen = Vec::new();
    while let Some(x) = v.next() {
        seen.push(x);
    }
    assert_eq!(seen.len(), 12);
    assert_eq!(seen[9], 1_234_567_890_123);
}

#[cfg(test)]
#[path = "blocks_tests.rs"]
mod tests;
