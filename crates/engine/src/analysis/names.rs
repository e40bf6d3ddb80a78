//! Display names of nodes, as DevTools' `JSHeapSnapshotNode.name()` computes them.
//!
//! A node's *raw name* is its `name` string in the snapshot. Its *display name* is the raw name,
//! except for two kinds: a *cons string* (`concatenated string`, a rope of two halves linked by
//! `first`/`second` internal edges) shows its halves joined, up to 1024 UTF-16 units; a *plain
//! object* (type `object`, raw name `Object`) shows its property names, `{a, b, …}`, up to 100
//! UTF-16 units taken alternately from the front and the back of its property edges.

use super::quirks::{self, Edge};
use super::{classes, Analysis};
use crate::ids::{NodeOrd, StrId};
use crate::strings::{utf16_len, Text};

impl Analysis {
    /// True if node `o`'s class name is `name`.
    pub(crate) fn strings_eq_class(&self, o: usize, name: &str) -> bool {
        self.snap.strings.eq(self.classes.class_of(o), name)
    }

    /// The type name of node `o` (`object`, `closure`, `string`, …).
    pub fn type_name(&self, o: NodeOrd) -> &str {
        self.snap
            .header
            .meta
            .node_type_name(self.snap.node_type[o.index()])
    }

    /// DevTools' display name of node `o` (`JSHeapSnapshotNode.name()`).
    pub fn display_name(&self, o: NodeOrd) -> String {
        self.display_text(o).to_lossy().into_owned()
    }

    /// [`Analysis::display_name`] as exact text.
    pub fn display_text(&self, o: NodeOrd) -> Text {
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let t = snap.node_type[o.index()];
        if t == nt.cons_string {
            return self.cons_string_name(o);
        }
        if t == nt.object && snap.strings.eq(snap.node_name[o.index()], "Object") {
            return self.plain_object_name(o);
        }
        Text(snap.strings.wtf8(snap.node_name[o.index()]).to_vec())
    }

    fn cons_string_name(&self, o: NodeOrd) -> Text {
        let snap = &self.snap;
        let nt = snap.header.meta.node_types;
        let internal = snap.header.meta.edge_types.internal;
        let mut out: Vec<u8> = Vec::new();
        let mut len16 = 0usize;
        let mut stack = vec![o.0];
        // DevTools stops at 1024 characters; a cycle of cons strings around empty strings (only
        // in a corrupt file) would never get there, so the walk is bounded too.
        let mut steps = 0u32;
        while let Some(x) = stack.pop() {
            steps += 1;
            if len16 >= 1024 || steps > 1 << 16 {
                break;
            }
            let x = x as usize;
            if snap.node_type[x] != nt.cons_string {
                let s = snap.strings.wtf8(snap.node_name[x]);
                out.extend_from_slice(s);
                len16 += utf16_len(s);
                continue;
            }
            let (mut first, mut second) = (0u32, 0u32);
            for ei in snap.edges_of(x) {
                if first != 0 && second != 0 {
                    break;
                }
                if snap.edge_type[ei] == internal {
                    let n = snap.strings.wtf8(StrId(snap.edge_name[ei]));
                    if n == b"first" {
                        first = snap.edge_to[ei];
                    } else if n == b"second" {
                        second = snap.edge_to[ei];
                    }
                }
            }
            stack.push(second);
            stack.push(first);
        }
        Text(out)
    }

    fn plain_object_name(&self, o: NodeOrd) -> Text {
        let snap = &self.snap;
        let property = snap.header.meta.edge_types.property;
        // (type, name) of its edges as DevTools walks them (those pointing nowhere included).
        let edges: Vec<(u8, u32)> = quirks::edges_of(snap, o.index())
            .map(|e| match e {
                Edge::Real(ei) => (snap.edge_type[ei], snap.edge_name[ei]),
                Edge::Dangling(d) => (d.ty, d.name),
            })
            .collect();
        let (mut start, mut end) = (0isize, edges.len() as isize - 1);
        let mut front: Vec<u8> = b"{".to_vec();
        let mut back: Vec<u8> = b"}".to_vec();
        let (mut front16, mut back16) = (1usize, 1usize);
        let mut from_end = false;
        while start <= end {
            let (ty, name) = edges[if from_end { end } else { start } as usize];
            // Only property edges name a string (an element's name is its index).
            let skip = ty != property || snap.strings.wtf8(StrId(name)) == b"__proto__";
            if skip {
                if from_end {
                    end -= 1;
                } else {
                    start += 1;
                }
                continue;
            }
            let f = classes::format_property_name(snap.strings.wtf8(StrId(name)));
            let f16 = utf16_len(&f);
            if front16 > 1 && front16 + back16 + f16 > 100 {
                break;
            }
            if from_end {
                end -= 1;
                if back16 > 1 {
                    back.splice(0..0, b", ".iter().copied());
                    back16 += 2;
                }
                back.splice(0..0, f.iter().copied());
                back16 += f16;
            } else {
                start += 1;
                if front16 > 1 {
                    front.extend_from_slice(b", ");
                    front16 += 2;
                }
                front.extend_from_slice(&f);
                front16 += f16;
            }
            from_end = !from_end;
        }
        if start <= end {
            front.extend_from_slice(", \u{2026}".as_bytes());
        }
        if back16 > 1 {
            front.extend_from_slice(b", ");
        }
        front.extend_from_slice(&back);
        Text(front)
    }
}
