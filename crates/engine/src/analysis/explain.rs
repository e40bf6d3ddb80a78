//! Everything about one object in one answer: what holds it (its retainer paths, retainers and
//! *dominators*: the objects whose removal would free it), what it holds (the objects it
//! dominates, and its dominator subtree summed by class name) and where it was created (its
//! source location, and the allocation stack when the snapshot has allocation traces).
//!
//! The *dominator chain* of an object is its immediate dominator, that one's, and so on up to
//! (not including) the root. Its *retained classes* are the objects of its dominator subtree
//! (itself excluded) with a non-zero shallow size, as the Summary counts them, grouped by class
//! name: what would be freed with it.

use super::pages::{Page, Window};
use super::{Analysis, EdgeInfo, NodeInfo, PathStep, SourceLocation};
use crate::ids::NodeOrd;
use rustc_hash::FxHashMap;

/// Most nodes of a dominator subtree walked for [`Explanation::retained_classes`].
pub const MAX_SUBTREE_WALK: usize = 250_000;
/// Most dominators listed.
const MAX_DOMINATORS: usize = 20;
/// Most classes listed.
const MAX_CLASSES: usize = 10;
/// Items of the retainers and dominated pages.
const FIRST_ITEMS: usize = 10;
/// Paths listed.
const PATHS: usize = 3;

/// One frame of an allocation stack.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationFrame {
    /// The function's name (`(anonymous)` when it has none).
    pub function_name: String,
    /// Where the function is (0-based line and column), when known.
    pub location: Option<SourceLocation>,
}

/// A class of the objects a node retains.
#[derive(Debug, Clone, PartialEq)]
pub struct RetainedClass {
    /// Class name.
    pub name: String,
    /// Number of objects.
    pub count: u64,
    /// Sum of their shallow sizes.
    pub size: f64,
}

/// What holds an object, what it holds and where it was created (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The object.
    pub node: NodeInfo,
    /// Its source location ([`Analysis::location`]).
    pub location: Option<SourceLocation>,
    /// Its allocation stack, innermost frame first, when the snapshot has allocation traces
    /// for it.
    pub allocation_stack: Option<Vec<AllocationFrame>>,
    /// The shortest retainer path in the one path notation ([`crate::path_text`]).
    pub path_text: String,
    /// Up to three retainer paths ([`Analysis::retainer_paths`]).
    pub paths: Vec<Vec<PathStep>>,
    /// Its first retainers.
    pub retainers: Page<EdgeInfo>,
    /// The dominator chain, from the immediate dominator up, root excluded, at most 20.
    pub dominators: Vec<NodeOrd>,
    /// The first objects it dominates immediately, largest retained size first.
    pub dominated: Page<NodeOrd>,
    /// Its retained classes, largest `size` first, at most 10.
    pub retained_classes: Vec<RetainedClass>,
    /// True if the dominator subtree was larger than `MAX_SUBTREE_WALK` (250,000) nodes (the classes
    /// then count only the nodes walked).
    pub retained_classes_partial: bool,
    /// How many objects its dominator subtree holds (as counted for the classes).
    pub held_objects: u64,
    /// One sentence for people.
    pub sentence: String,
}

/// `1,234,567`.
fn count_text(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// At most `max` characters of `s`, `…` marking a cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

impl Analysis {
    /// Everything about node `o` (see the module docs).
    pub fn explain(&self, o: NodeOrd) -> Explanation {
        let node = self.node(o);
        let location = self.location(o);
        let allocation_stack = self.allocation_stack(o);
        let raw_paths = self.retainer_paths(o, PATHS);
        let paths: Vec<Vec<PathStep>> = raw_paths.into_iter().map(|p| self.steps_of(p)).collect();
        let path_text = paths
            .first()
            .map_or_else(String::new, |p| super::path_text::path_text(p));
        let (retained_classes, retained_classes_partial, held_objects) = self.retained_classes(o);
        let mut e = Explanation {
            node,
            location,
            allocation_stack,
            path_text,
            paths,
            retainers: self.retainers_page(o, Window::new(0, FIRST_ITEMS)),
            dominators: self.dominator_chain(o),
            dominated: self.dominated_page(o, Window::new(0, FIRST_ITEMS)),
            retained_classes,
            retained_classes_partial,
            held_objects,
            sentence: String::new(),
        };
        e.sentence = sentence(&e);
        e
    }

    /// The dominator chain of `o`: immediate dominator first, root excluded, at most 20.
    pub fn dominator_chain(&self, o: NodeOrd) -> Vec<NodeOrd> {
        let root = self.snap.root;
        let mut out = Vec::new();
        let mut cur = o.0;
        while cur != root && out.len() < MAX_DOMINATORS {
            let d = self.dominator[cur as usize];
            if d == root || d == cur {
                break;
            }
            out.push(NodeOrd(d));
            cur = d;
        }
        out
    }

    /// The classes of `o`'s dominator subtree (itself excluded), largest size first (top 10),
    /// whether the walk stopped early, and how many objects it counted.
    fn retained_classes(&self, o: NodeOrd) -> (Vec<RetainedClass>, bool, u64) {
        let mut by_id: FxHashMap<u32, (u64, f64)> = FxHashMap::default();
        let mut stack: Vec<u32> = self.dominated.of(o.index()).to_vec();
        let mut walked = 0usize;
        let mut held = 0u64;
        while walked < MAX_SUBTREE_WALK {
            let Some(n) = stack.pop() else { break };
            walked += 1;
            let n = n as usize;
            stack.extend_from_slice(self.dominated.of(n));
            if self.shallow[n] == 0 {
                continue;
            }
            held += 1;
            let e = by_id.entry(self.classes.class_of(n).0).or_default();
            e.0 += 1;
            e.1 += self.shallow[n] as f64;
        }
        // One name may have several string ids (added names are not deduplicated against the
        // file's): group by text.
        let mut by_name: FxHashMap<String, (u64, f64)> = FxHashMap::default();
        for (id, (count, size)) in by_id {
            let name = self.snap.strings.get(crate::ids::StrId(id)).into_owned();
            let e = by_name.entry(name).or_default();
            e.0 += count;
            e.1 += size;
        }
        let mut classes: Vec<RetainedClass> = by_name
            .into_iter()
            .map(|(name, (count, size))| RetainedClass { name, count, size })
            .collect();
        classes.sort_by(|a, b| {
            b.size
                .total_cmp(&a.size)
                .then(b.count.cmp(&a.count))
                .then_with(|| a.name.cmp(&b.name))
        });
        classes.truncate(MAX_CLASSES);
        (classes, !stack.is_empty(), held)
    }

    /// The allocation stack of node `o`, innermost frame first, from the allocation traces.
    pub fn allocation_stack(&self, o: NodeOrd) -> Option<Vec<AllocationFrame>> {
        let snap = &self.snap;
        let &tid = snap.trace_node_id.get(o.index())?;
        if tid == 0 {
            return None;
        }
        let start = snap.trace_tree.iter().position(|t| t.id == tid)?;
        let frames: Vec<AllocationFrame> = snap
            .trace_frames(start)
            .map(|(_, f)| {
                let (function_name, location) = self.traced_function(f);
                AllocationFrame {
                    function_name,
                    location,
                }
            })
            .collect();
        (!frames.is_empty()).then_some(frames)
    }
}

/// `Map @123 (420.0 kB retained) is held by global.sessionCache; it holds 1,200 objects,
/// mostly Object (310.0 kB); created at lib/session.js:6:3`.
fn sentence(e: &Explanation) -> String {
    let n = &e.node;
    let mut s = format!(
        "{} @{} ({} retained)",
        cut(&n.name.to_lossy(), 60),
        n.id.0,
        crate::diff::fmt_bytes(n.retained_size)
    );
    if e.path_text == "(root)" {
        s.push_str(" is the root");
    } else if e.paths.is_empty() {
        s.push_str(" is not reachable from the GC roots");
    } else {
        s.push_str(&format!(" is held by {}", e.path_text));
    }
    if e.held_objects == 0 {
        s.push_str("; it holds no other object");
    } else {
        s.push_str(&format!(
            "; it holds {}{} object{}",
            if e.retained_classes_partial {
                "at least "
            } else {
                ""
            },
            count_text(e.held_objects),
            if e.held_objects == 1 { "" } else { "s" }
        ));
        if let Some(c) = e.retained_classes.first() {
            s.push_str(&format!(
                ", mostly {} ({})",
                cut(&c.name, 60),
                crate::diff::fmt_bytes(c.size)
            ));
        }
    }
    let created = e.location.clone().or_else(|| {
        e.allocation_stack
            .as_ref()
            .and_then(|f| f.iter().find_map(|f| f.location.clone()))
    });
    if let Some(l) = created {
        s.push_str(&format!(
            "; created at {}",
            crate::findings::code_position(&l)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::count_text(0), "0");
        assert_eq!(super::count_text(999), "999");
        assert_eq!(super::count_text(1200), "1,200");
        assert_eq!(super::count_text(1_234_567), "1,234,567");
    }
}
