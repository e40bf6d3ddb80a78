//! The snapshot's string table.
//!
//! V8 writes every string as ASCII JSON with `\uXXXX` escapes, and writes only the low 16 bits of
//! non-BMP characters, so the table can hold lone surrogates (spec §1.6). Strings are kept as
//! WTF-8 (UTF-8 generalised to allow surrogate code points) in one arena, so that they round-trip,
//! ASCII names cost one byte per character, and JavaScript's UTF-16 order can still be reproduced
//! ([`cmp_utf16`]). [`StringTable::get`] gives a lossy `&str` view for display.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::ids::StrId;

/// What a string index past the table reads as (JavaScript's `String(undefined)`).
pub(crate) const UNDEFINED: &[u8] = b"undefined";

/// All strings of a snapshot, plus the ones the analysis adds (class names such as `(system)`).
#[derive(Debug, Default, Clone)]
pub struct StringTable {
    bytes: Vec<u8>,
    /// `ends[i]` is the end of string `i` in `bytes`; it starts where string `i - 1` ends.
    ends: Vec<u64>,
}

impl StringTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True if the table has no strings.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends a string given as WTF-8 bytes and returns its index.
    pub fn push_wtf8(&mut self, s: &[u8]) -> StrId {
        self.bytes.extend_from_slice(s);
        self.ends.push(self.bytes.len() as u64);
        StrId::from_index(self.ends.len() - 1)
    }

    /// Appends a UTF-8 string and returns its index.
    pub fn push(&mut self, s: &str) -> StrId {
        self.push_wtf8(s.as_bytes())
    }

    /// Appends every string of `other`, in order.
    pub fn append(&mut self, other: &StringTable) {
        let base = self.bytes.len() as u64;
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    pub(crate) fn finish_string(&mut self) {
        self.ends.push(self.bytes.len() as u64);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// The raw WTF-8 bytes of string `i`. An index past the table reads as `undefined`, the
    /// text JavaScript gives a missing array element (DevTools' `String(strings[i])`): a file
    /// may name strings it does not have, and DevTools reads those names so (see
    /// [`crate::parse`]).
    #[inline]
    pub fn wtf8(&self, i: StrId) -> &[u8] {
        let i = i.index();
        let Some(&end) = self.ends.get(i) else {
            return UNDEFINED;
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..end as usize]
    }

    /// True if `i` is a string of the table (not past its end).
    #[inline]
    pub fn has(&self, i: StrId) -> bool {
        i.index() < self.ends.len()
    }

    /// String `i` as text; lone surrogates become U+FFFD.
    pub fn get(&self, i: StrId) -> Cow<'_, str> {
        wtf8_to_str(self.wtf8(i))
    }

    /// True if string `i` equals `s` exactly.
    pub fn eq(&self, i: StrId, s: &str) -> bool {
        self.wtf8(i) == s.as_bytes()
    }

    /// Index of the first string equal to `s`, if any (a linear scan: for rare look-ups only).
    pub fn find(&self, s: &str) -> Option<StrId> {
        (0..self.len())
            .map(StrId::from_index)
            .find(|&i| self.eq(i, s))
    }

    /// Every index whose string equals `s` (one in V8's deduplicated tables; a linear scan that
    /// compares lengths first).
    pub fn ids_of(&self, s: &str) -> Vec<StrId> {
        let want = s.as_bytes();
        let mut out = Vec::new();
        let mut start = 0usize;
        for (i, &end) in self.ends.iter().enumerate() {
            let end = end as usize;
            if end - start == want.len() && &self.bytes[start..end] == want {
                out.push(StrId::from_index(i));
            }
            start = end;
        }
        out
    }

    /// The indexes of the strings that contain `pattern` (every one for an empty pattern), in
    /// order: a substring search over the arena, in parts of whole strings on every core, each
    /// match attributed to the string it lies in and the search resuming after that string.
    pub fn containing(&self, pattern: &[u8]) -> Vec<u32> {
        use rayon::prelude::*;
        if pattern.is_empty() {
            return (0..self.len() as u32).collect();
        }
        /// Strings per part.
        const PART: usize = 1 << 16;
        let finder = memchr::memmem::Finder::new(pattern);
        (0..self.len().div_ceil(PART))
            .into_par_iter()
            .flat_map_iter(|c| {
                let (first, last) = (c * PART, ((c + 1) * PART).min(self.len()));
                let ends = &self.ends[first..last];
                let stop = ends[ends.len() - 1] as usize;
                let mut from = if first == 0 {
                    0
                } else {
                    self.ends[first - 1] as usize
                };
                let mut found = Vec::new();
                while let Some(p) = finder.find(&self.bytes[from..stop]) {
                    let at = from + p;
                    // The string holding the match's first byte; it counts if it ends there too.
                    let i = ends.partition_point(|&e| e as usize <= at);
                    let end = ends[i] as usize;
                    if at + pattern.len() <= end {
                        found.push((first + i) as u32);
                        from = end;
                    } else {
                        from = at + 1;
                    }
                }
                found
            })
            .collect()
    }

    /// The indexes of `s` as a set that hot loops test cheaply (a linear scan).
    pub(crate) fn name_ids(&self, s: &str) -> NameIds {
        let mut ids = self.ids_of(s).into_iter();
        NameIds {
            first: ids.next(),
            more: ids.collect(),
        }
    }

    /// Bytes used by the table.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }
}

/// Every index of one string in a table: usually one or none, but a table may hold a string
/// twice (V8's never does), and DevTools compares names by their text.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIds {
    first: Option<StrId>,
    more: Vec<StrId>,
}

impl NameIds {
    /// True if `id` is one of them.
    #[inline]
    pub(crate) fn contains(&self, id: StrId) -> bool {
        self.first == Some(id) || (!self.more.is_empty() && self.more.contains(&id))
    }
}

/// Text from a snapshot, kept as WTF-8 so that lone surrogates survive (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(pub Vec<u8>);

impl Text {
    /// The text with lone surrogates replaced by U+FFFD.
    pub fn to_lossy(&self) -> Cow<'_, str> {
        wtf8_to_str(&self.0)
    }
    /// The UTF-16 code units, as JavaScript would hold the string.
    pub fn to_utf16(&self) -> Vec<u16> {
        utf16_units(&self.0).collect()
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_lossy())
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

/// Converts WTF-8 to text, replacing surrogate code points with U+FFFD.
pub fn wtf8_to_str(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Appends code point `cp` (surrogates allowed) to `out` in WTF-8.
pub(crate) fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]);
    } else if cp < 0x10000 {
        out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    }
}

/// Decodes WTF-8 (or lenient UTF-8) into code points; an invalid byte decodes as itself
/// (latin-1), which keeps the decoder total.
pub(crate) struct CodePoints<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> CodePoints<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        CodePoints { b, i: 0 }
    }
}

impl Iterator for CodePoints<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let b = self.b;
        let i = self.i;
        let c0 = *b.get(i)? as u32;
        let (cp, n) = if c0 < 0x80 {
            (c0, 1)
        } else if (0xC0..0xE0).contains(&c0) && i + 1 < b.len() {
            (((c0 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
        } else if (0xE0..0xF0).contains(&c0) && i + 2 < b.len() {
            (
                ((c0 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F),
                3,
            )
        } else if c0 >= 0xF0 && i + 3 < b.len() {
            (
                ((c0 & 0x07) << 18)
                    | ((b[i + 1] as u32 & 0x3F) << 12)
                    | ((b[i + 2] as u32 & 0x3F) << 6)
                    | (b[i + 3] as u32 & 0x3F),
                4,
            )
        } else {
            (c0, 1)
        };
        self.i += n;
        Some(cp)
    }
}

/// Iterates the UTF-16 code units of a WTF-8 string, as JavaScript sees it.
pub fn utf16_units(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    CodePoints::new(b).flat_map(|cp| {
        if cp >= 0x10000 {
            let c = cp - 0x10000;
            [
                Some(0xD800 | (c >> 10) as u16),
                Some(0xDC00 | (c & 0x3FF) as u16),
            ]
        } else {
            [Some(cp as u16), None]
        }
        .into_iter()
        .flatten()
    })
}

/// Length in UTF-16 code units (JavaScript's `string.length`).
pub fn utf16_len(b: &[u8]) -> usize {
    if b.is_ascii() {
        return b.len();
    }
    CodePoints::new(b)
        .map(|cp| if cp >= 0x10000 { 2 } else { 1 })
        .sum()
}

/// Compares two WTF-8 strings in JavaScript order (UTF-16 code units).
pub fn cmp_utf16(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    utf16_units(a).cmp(utf16_units(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_order_puts_surrogates_before_private_use() {
        let mut astral = Vec::new();
        push_code_point(&mut astral, 0x1F600);
        let mut bmp_high = Vec::new();
        push_code_point(&mut bmp_high, 0xFF00);
        // Code point order would say astral > U+FF00; UTF-16 order says D83D < FF00.
        assert_eq!(cmp_utf16(&astral, &bmp_high), Ordering::Less);
        assert_eq!(utf16_len(&astral), 2);
    }

    #[test]
    fn lone_surrogates_round_trip_and_display_lossily() {
        let mut t = StringTable::new();
        let mut s = b"a".to_vec();
        push_code_point(&mut s, 0xD800);
        let id = t.push_wtf8(&s);
        assert_eq!(
            utf16_units(t.wtf8(id)).collect::<Vec<_>>(),
            vec![0x61, 0xD800]
        );
        assert_eq!(t.get(id), "a\u{FFFD}\u{FFFD}\u{FFFD}");
    }
}
