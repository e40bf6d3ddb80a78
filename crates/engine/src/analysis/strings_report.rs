//! Strings: the duplicated strings (DevTools' Summary filter "Duplicated strings") and the
//! largest strings, computed on request from a loaded analysis (never during `analyze`).
//!
//! Terms:
//! * a *string node* is a node of type `string`, `concatenated string` (a *cons string*: a rope
//!   of two halves linked by `first`/`second` internal edges) or `sliced string` (a view into a
//!   parent string, linked by a `parent` internal edge);
//! * its *content* is what DevTools compares: its display name ([`Analysis::display_text`]): the
//!   name string for a string, the halves joined up to 1024 UTF-16 units for a cons string. V8
//!   writes at most the first 1024 characters of a string (its `--heap-snapshot-string-limit`),
//!   so two long strings that share their first 1024 characters have the same content here, as
//!   they do in DevTools. Newer V8 versions mark a clipped string with internal `truncated`,
//!   `length` and `hash` references; DevTools then also compares the length and the hash, and so
//!   does this module;
//! * a *copy* is a node DevTools' filter `createDuplicatedStringsFilter` keeps: a `string` or a
//!   cons string (sliced strings are not counted: their content is their parent's, which is),
//!   with a non-zero shallow size (V8 writes zero-size strings for the values of numbers), and,
//!   for a cons string, not *flattened* (a cons string one of whose halves has empty content:
//!   V8 has already copied its content into a flat string, which is counted instead);
//! * a *group* is the copies of one content, when there are 2 or more; its *total size* is the
//!   sum of their shallow sizes, and its *wasted bytes* are the total size minus the largest
//!   copy's: what would be freed if every copy but the largest were shared;
//! * the *holder* of a copy is the first object on its retainer path (DevTools' Retainers view,
//!   [`Analysis::retainer_path`]), from the string towards the root, that is not a string node
//!   (a string inside a cons string is held by whatever holds the cons string).
//!
//! The groups are built once, on the first request, and kept with the analysis (4 bytes per
//! copy and 24 per group): a pass over the nodes on every core keys each copy by the id of its
//! name string (V8's string table has each text once; a table holding a text twice is handled by
//! mapping each used id to the first id with its text) or, for a cons string, by its joined text;
//! then one parallel sort of `(key, ordinal)` pairs puts each group's copies together.

use super::path_text::path_text_short;
use super::Analysis;
use crate::analysis::classes::json_string_literal;
use crate::analysis::pages::{select_range, Page, Window};
use crate::analysis::queries::NodeInfo;
use crate::ids::{NodeOrd, StrId};
use crate::strings::{utf16_len, CodePoints};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Characters of content a preview shows before it is cut (`…` marks a cut).
pub const PREVIEW_CHARS: usize = 100;

/// Most copies of one group shown with their holders ([`StringsOptions::copies`]'s bound).
pub const MAX_COPIES: usize = 20;

/// Longest path text of a copy (see [`path_text_short`]).
const PATH_CHARS: usize = 160;

/// Nodes per task of the passes over the nodes.
const CHUNK: usize = 1 << 16;

/// What a strings request shows besides its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringsOptions {
    /// Characters of content in each preview (default [`PREVIEW_CHARS`]).
    pub preview_chars: usize,
    /// Largest copies of each group shown with their holders (default 3, at most
    /// [`MAX_COPIES`]).
    pub copies: usize,
}

impl Default for StringsOptions {
    fn default() -> Self {
        StringsOptions {
            preview_chars: PREVIEW_CHARS,
            copies: 3,
        }
    }
}

/// One string node with what holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StringCopy {
    /// The string node (its `name` is the whole content in the snapshot; `shallow_size` its
    /// size).
    pub node: NodeInfo,
    /// The first object on its retainer path that is not a string node (`None` if unreachable,
    /// or held straight by a root).
    pub holder: Option<NodeInfo>,
    /// Its retainer path in the one path notation, cut to about 160 characters (empty if it is
    /// unreachable).
    pub path_text: String,
}

/// What the snapshot says about one content.
#[derive(Debug, Clone, PartialEq)]
pub struct StringContent {
    /// The content as a JSON string literal (quotes, `\n`, `\u0000` escapes), cut to
    /// [`StringsOptions::preview_chars`] characters with `…` before the closing quote.
    pub preview: String,
    /// Length of the content in the snapshot, in UTF-16 units (JavaScript's `length`).
    pub length: usize,
    /// True when V8 marked the string as clipped (`truncated`).
    pub truncated: bool,
    /// The string's whole length as V8 gave it next to a clipped string (`length`), if it did.
    pub full_length: Option<f64>,
}

/// The copies of one content.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatedString {
    /// The content.
    pub content: StringContent,
    /// Number of copies (2 or more).
    pub copies: usize,
    /// Sum of their shallow sizes, in bytes.
    pub total_size: u64,
    /// `total_size` minus the largest copy's size: what sharing one copy would free.
    pub wasted_size: u64,
    /// The largest copies (largest first, ties by position in the snapshot), with their holders.
    pub largest: Vec<StringCopy>,
}

/// A page of the duplicated strings, most wasted bytes first, with the totals of all groups.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatedStrings {
    /// The groups in the window (`page.total` is the number of groups).
    pub page: Page<DuplicatedString>,
    /// Copies in all groups.
    pub copies: usize,
    /// Sum of the groups' total sizes.
    pub total_size: u64,
    /// Sum of the groups' wasted bytes.
    pub wasted_size: u64,
}

/// One of the largest strings.
#[derive(Debug, Clone, PartialEq)]
pub struct LargeString {
    /// The string and its holder.
    pub copy: StringCopy,
    /// Its content.
    pub content: StringContent,
}

/// A page of the string nodes (all three types, non-zero shallow size), largest shallow size
/// first (ties by position in the snapshot), with their count and total size.
#[derive(Debug, Clone, PartialEq)]
pub struct LargestStrings {
    /// The strings in the window (`page.total` is the number of string nodes).
    pub page: Page<LargeString>,
    /// Sum of the shallow sizes of all string nodes.
    pub total_size: u64,
}

/// The groups, built once (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct StringGroups {
    /// Each group's first member in `members` and its count, most wasted bytes first.
    groups: Vec<Group>,
    /// The copies' ordinals, each group's together, largest first.
    members: Vec<u32>,
    copies: usize,
    total_size: u64,
    wasted_size: u64,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    start: u32,
    count: u32,
    total: u64,
    wasted: u64,
}

impl StringGroups {
    /// Bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Group>() + 4 * self.members.capacity()
    }
}

/// What a clipped string's internal references say: `(length, hash)`, as DevTools reads them.
type Truncation = (Option<f64>, Option<f64>);

impl Analysis {
    fn is_string_node(&self, o: usize) -> bool {
        let nt = self.snap.header.meta.node_types;
        let t = self.snap.node_type[o];
        t == nt.string || t == nt.cons_string || t == nt.sliced_string
    }

    /// The target of `o`'s first internal edge named `name` (DevTools' `findInternalEdgeTarget`).
    fn internal_target(&self, o: usize, name: &[u8]) -> Option<usize> {
        let snap = &self.snap;
        let internal = snap.header.meta.edge_types.internal;
        snap.edges_of(o)
            .find(|&ei| {
                snap.edge_type[ei] == internal
                    && snap.strings.wtf8(StrId(snap.edge_name[ei])) == name
            })
            .map(|ei| snap.edge_to[ei] as usize)
    }

    /// DevTools' `nodeValueAsInt`: a `number` node named `int` whose `value` is a string that
    /// `parseInt` reads.
    fn value_as_int(&self, o: usize) -> Option<f64> {
        let snap = &self.snap;
        if snap.node_type[o] != snap.header.meta.node_types.number
            || snap.strings.wtf8(snap.node_name[o]) != b"int"
        {
            return None;
        }
        let v = self.internal_target(o, b"value")?;
        parse_int(snap.strings.wtf8(snap.node_name[v]))
    }

    /// `Some((length, hash))` if V8 marked string `o` as clipped (DevTools'
    /// `nodeIsTruncatedString`, `nodeStringLength`, `nodeStringHash`).
    fn truncation(&self, o: usize) -> Option<Truncation> {
        let snap = &self.snap;
        if snap.first_edge[o] == snap.first_edge[o + 1] {
            return None;
        }
        let t = self.internal_target(o, b"truncated")?;
        let is_true = snap.node_type[t] == snap.header.meta.node_types.number
            && snap.strings.wtf8(snap.node_name[t]) == b"bool"
            && self
                .internal_target(t, b"value")
                .is_some_and(|v| snap.strings.wtf8(snap.node_name[v]) == b"true");
        if !is_true {
            return None;
        }
        let int = |name: &[u8]| {
            self.internal_target(o, name)
                .and_then(|x| self.value_as_int(x))
        };
        Some((int(b"length"), int(b"hash")))
    }

    /// True if `o` is a cons string one of whose halves has empty content (DevTools'
    /// `isFlatConsString`).
    fn is_flat_cons_string(&self, o: usize) -> bool {
        let snap = &self.snap;
        let internal = snap.header.meta.edge_types.internal;
        snap.edges_of(o).any(|ei| {
            if snap.edge_type[ei] != internal {
                return false;
            }
            let name = snap.strings.wtf8(StrId(snap.edge_name[ei]));
            (name == b"first" || name == b"second")
                && self.display_text(NodeOrd(snap.edge_to[ei])).0.is_empty()
        })
    }

    /// True if DevTools' "Duplicated strings" filter looks at node `o` (see the module docs).
    fn is_copy_candidate(&self, o: usize) -> bool {
        let nt = self.snap.header.meta.node_types;
        let t = self.snap.node_type[o];
        (t == nt.string || (t == nt.cons_string && !self.is_flat_cons_string(o)))
            && self.shallow[o] != 0
    }

    /// The groups, built on the first call (see the module docs).
    pub(crate) fn string_groups(&self) -> &StringGroups {
        self.string_groups
            .get_or_init(|| self.build_string_groups())
    }

    fn build_string_groups(&self) -> StringGroups {
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let n = self.node_count();
        let table = snap.strings.len();
        // Pass 1: the candidates, split into plain strings (keyed by name id) and the rest (cons
        // strings and clipped strings, keyed by text and truncation).
        /// A candidate keyed by text: `(ordinal, text, truncation)`.
        type Textual = (u32, Vec<u8>, Option<Truncation>);
        let (plain, textual): (Vec<u64>, Vec<Textual>) = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut plain = Vec::new();
                let mut textual = Vec::new();
                for o in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if !self.is_copy_candidate(o) {
                        continue;
                    }
                    let tr = self.truncation(o);
                    if snap.node_type[o] == nt.string && tr.is_none() {
                        // Names past the table all read `undefined`: one key for them.
                        let id = snap.node_name[o].index().min(table) as u64;
                        plain.push(id << 32 | o as u64);
                    } else {
                        textual.push((o as u32, self.display_text(NodeOrd(o as u32)).0, tr));
                    }
                }
                (plain, textual)
            })
            .reduce(
                || (Vec::new(), Vec::new()),
                |(mut a, mut b), (c, d)| {
                    a.extend(c);
                    b.extend(d);
                    (a, b)
                },
            );
        // One key per text among the name ids used: V8's table has each text once, but a table
        // may not (ids past the table read `undefined`).
        let mut used: Vec<u32> = plain.iter().map(|k| (k >> 32) as u32).collect();
        used.par_sort_unstable();
        used.dedup();
        let text_of = |id: u32| -> &[u8] { snap.strings.wtf8(StrId(id)) };
        let mut by_text: FxHashMap<&[u8], u32> = FxHashMap::default();
        by_text.reserve(used.len());
        let mut canonical: FxHashMap<u32, u32> = FxHashMap::default();
        for &id in &used {
            let first = *by_text.entry(text_of(id)).or_insert(id);
            if first != id {
                canonical.insert(id, first);
            }
        }
        let mut keys = plain;
        if !canonical.is_empty() {
            keys.par_iter_mut().for_each(|k| {
                if let Some(&c) = canonical.get(&((*k >> 32) as u32)) {
                    *k = (c as u64) << 32 | (*k & 0xFFFF_FFFF);
                }
            });
        }
        // Cons strings and clipped strings: the key of a name id with the same text when there
        // is one, else a new key past the table's.
        let mut next = table as u64 + 1;
        /// A text and its truncation's `(length, hash)` as bits.
        type TextKey<'t> = (&'t [u8], Option<(u64, u64)>);
        let mut extra: FxHashMap<TextKey, u64> = FxHashMap::default();
        let bits = |v: Option<f64>| v.map_or(u64::MAX, |x| (x + 0.0).to_bits());
        for (o, text, tr) in &textual {
            let tr_bits = tr.map(|(l, h)| (bits(l), bits(h)));
            let key = match (tr_bits, by_text.get(text.as_slice())) {
                (None, Some(&id)) => id as u64,
                _ => *extra.entry((text.as_slice(), tr_bits)).or_insert_with(|| {
                    next += 1;
                    next - 1
                }),
            };
            keys.push(key << 32 | *o as u64);
        }
        drop(extra);
        drop(by_text);
        keys.par_sort_unstable();
        // Runs of one key with 2 or more copies are the groups.
        let mut groups = Vec::new();
        let mut members = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let key = keys[i] >> 32;
            let mut j = i + 1;
            while j < keys.len() && keys[j] >> 32 == key {
                j += 1;
            }
            if j - i >= 2 {
                let start = members.len();
                members.extend(keys[i..j].iter().map(|k| *k as u32));
                let m = &mut members[start..];
                m.sort_unstable_by(|&a, &b| {
                    self.shallow[b as usize]
                        .cmp(&self.shallow[a as usize])
                        .then(a.cmp(&b))
                });
                let total: u64 = m.iter().map(|&o| self.shallow[o as usize] as u64).sum();
                let largest = self.shallow[m[0] as usize] as u64;
                groups.push(Group {
                    start: start as u32,
                    count: (j - i) as u32,
                    total,
                    wasted: total - largest,
                });
            }
            i = j;
        }
        drop(keys);
        groups.par_sort_unstable_by(|a, b| {
            b.wasted
                .cmp(&a.wasted)
                .then(b.total.cmp(&a.total))
                .then(members[a.start as usize].cmp(&members[b.start as usize]))
        });
        groups.shrink_to_fit();
        members.shrink_to_fit();
        StringGroups {
            copies: members.len(),
            total_size: groups.iter().map(|g| g.total).sum(),
            wasted_size: groups.iter().map(|g| g.wasted).sum(),
            groups,
            members,
        }
    }

    /// The content of string node `o`.
    fn string_content(&self, o: usize, preview_chars: usize) -> StringContent {
        let text = self.display_text(NodeOrd::from_index(o));
        let tr = self.truncation(o);
        StringContent {
            preview: preview(&text.0, preview_chars),
            length: utf16_len(&text.0),
            truncated: tr.is_some(),
            full_length: tr.and_then(|t| t.0),
        }
    }

    /// String node `o` with its holder and path.
    pub fn string_copy(&self, o: NodeOrd) -> StringCopy {
        let path = self.retainer_path(o).unwrap_or_default();
        let holder = path
            .iter()
            .rev()
            .skip(1)
            .map(|&(_, n)| n)
            .find(|n| !self.is_string_node(n.index()))
            .filter(|&n| n != self.root() && self.snap.node_type[n.index()] != self.synthetic());
        let steps = self.steps_of(path);
        StringCopy {
            node: self.node(o),
            holder: holder.map(|h| self.node(h)),
            path_text: if steps.is_empty() {
                String::new()
            } else {
                path_text_short(&steps, PATH_CHARS)
            },
        }
    }

    fn synthetic(&self) -> u8 {
        self.snap.header.meta.node_types.synthetic
    }

    /// A page of the duplicated strings (see the module docs), most wasted bytes first (ties by
    /// total size, then by the position of the largest copy), with the totals of all groups.
    /// The first call builds the groups (one pass over the nodes and a sort of the copies); the
    /// next ones only cut pages.
    pub fn duplicated_strings(&self, o: StringsOptions, w: Window) -> DuplicatedStrings {
        let g = self.string_groups();
        let total = g.groups.len();
        let start = w.offset.min(total);
        let end = start.saturating_add(w.limit).min(total);
        let copies = o.copies.min(MAX_COPIES);
        let items = g.groups[start..end]
            .par_iter()
            .map(|gr| {
                let m = &g.members[gr.start as usize..(gr.start + gr.count) as usize];
                DuplicatedString {
                    content: self.string_content(m[0] as usize, o.preview_chars),
                    copies: m.len(),
                    total_size: gr.total,
                    wasted_size: gr.wasted,
                    largest: m
                        .iter()
                        .take(copies)
                        .map(|&x| self.string_copy(NodeOrd(x)))
                        .collect(),
                }
            })
            .collect();
        DuplicatedStrings {
            page: Page {
                total,
                offset: start,
                items,
            },
            copies: g.copies,
            total_size: g.total_size,
            wasted_size: g.wasted_size,
        }
    }

    /// The ordinals of the copies DevTools' "Duplicated strings" filter keeps: every member of
    /// every group, in snapshot order.
    pub fn duplicated_string_nodes(&self) -> Vec<NodeOrd> {
        let mut v = self.string_groups().members.clone();
        v.sort_unstable();
        v.into_iter().map(NodeOrd).collect()
    }

    /// A page of the largest string nodes (see [`LargestStrings`]): one pass over the nodes and
    /// a selection of the window, nothing kept.
    pub fn largest_strings(&self, o: StringsOptions, w: Window) -> LargestStrings {
        let n = self.node_count();
        let (mut v, total_size): (Vec<(std::cmp::Reverse<u32>, u32)>, u64) = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut v = Vec::new();
                let mut size = 0u64;
                for x in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if self.shallow[x] != 0 && self.is_string_node(x) {
                        v.push((std::cmp::Reverse(self.shallow[x]), x as u32));
                        size += self.shallow[x] as u64;
                    }
                }
                (v, size)
            })
            .reduce(
                || (Vec::new(), 0),
                |(mut a, s), (b, t)| {
                    a.extend(b);
                    (a, s + t)
                },
            );
        let total = v.len();
        let start = w.offset.min(total);
        let end = start.saturating_add(w.limit).min(total);
        select_range(&mut v, 0..end);
        let items = v[start..]
            .par_iter()
            .map(|&(_, x)| LargeString {
                copy: self.string_copy(NodeOrd(x)),
                content: self.string_content(x as usize, o.preview_chars),
            })
            .collect();
        LargestStrings {
            page: Page {
                total,
                offset: start,
                items,
            },
            total_size,
        }
    }
}

/// `text` as a JSON string literal, cut to `chars` code points (`…` before the closing quote
/// marks a cut).
fn preview(text: &[u8], chars: usize) -> String {
    let mut cps = CodePoints::new(text);
    let mut cut = Vec::with_capacity(text.len().min(4 * chars));
    for cp in cps.by_ref().take(chars) {
        crate::strings::push_code_point(&mut cut, cp);
    }
    let more = cps.next().is_some();
    let mut out = String::from_utf8_lossy(&json_string_literal(&cut)).into_owned();
    if more {
        out.insert(out.len() - 1, '…');
    }
    out
}

/// JavaScript's `parseInt(s, 10)`: leading white space, a sign, then decimal digits (`None`
/// without any, as `NaN`).
fn parse_int(s: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(s).ok()?.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let v: f64 = digits[..end].parse().ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_escape_and_cut() {
        assert_eq!(preview(b"a\"b\nc", 10), "\"a\\\"b\\nc\"");
        assert_eq!(preview(b"abcdef", 3), "\"abc\u{2026}\"");
        assert_eq!(preview("é😀x".as_bytes(), 2), "\"é😀…\"");
    }

    #[test]
    fn parse_int_reads_as_javascript_does() {
        assert_eq!(parse_int(b" 42abc"), Some(42.0));
        assert_eq!(parse_int(b"-7"), Some(-7.0));
        assert_eq!(parse_int(b"x1"), None);
        assert_eq!(parse_int(b""), None);
    }
}
