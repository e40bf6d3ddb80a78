//! Naming a holder as a person names it, and the path a person would follow to it.
//!
//! Terms:
//! * the **readable path** to an object is a shortest retainer path from the root (every step
//!   one closer, by DevTools' distances, through a non-weak edge), choosing at each step the
//!   retainer a person would name: a variable of a closure's context first, then a property
//!   with a plain name, an element, and internal links last;
//! * the **anchor** of a holder is where a person's name for it starts, walking that path back
//!   from the holder: a variable of a context (`sessionCache`), a property of the global object
//!   (`globalThis.auditLog`), or a property of a function (`Connection.registry`);
//! * the holder's **name** is the anchor followed by the steps from it to the holder, in
//!   JavaScript notation (`bus._events["config-changed"]`).

use crate::analysis::Analysis;

/// One step of a readable path: the edge into `node` (none for the root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// Edge ordinal into `node` (`None` for the root).
    pub edge: Option<usize>,
    /// Node ordinal.
    pub node: usize,
}

/// Where a holder's name starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// A variable of the context `context`.
    Variable { context: usize },
    /// A property of the global object.
    Global,
    /// A property of the function `function`.
    FunctionProperty { function: usize },
    /// None found within reach: the name is the last steps of the path.
    Path,
}

/// A holder's name.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    /// JavaScript-like text: `sessionCache`, `globalThis.auditLog`, `bus._events["x"]`.
    pub text: String,
    /// Where it starts.
    pub anchor: Anchor,
    /// Index in the path of the step the name starts with.
    pub from_step: usize,
}

fn edge_type_is(a: &Analysis, ei: usize, t: u8) -> bool {
    a.snap.edge_type[ei] == t
}

/// How readable a step through edge `ei` from node `from` is: lower is better.
fn step_cost(a: &Analysis, from: usize, ei: usize) -> u32 {
    let et = a.snap.header.meta.edge_types;
    let t = a.snap.edge_type[ei];
    let internal_from = super::holders::is_storage(a, from);
    let base = if t == et.context {
        0
    } else if t == et.property {
        if is_identifier(&a.edge_name(super::edge_ix(ei))) {
            1
        } else {
            2
        }
    } else if t == et.element {
        3
    } else if t == et.shortcut {
        4
    } else {
        5
    };
    base + if internal_from { 2 } else { 0 }
}

pub(crate) use crate::analysis::path_text::is_identifier;
use crate::analysis::path_text::member_text;

/// The readable path from the root to `o`, root first; `None` if `o` is unreachable.
pub(crate) fn readable_path(a: &Analysis, o: usize) -> Option<Vec<Step>> {
    let root = a.snap.root as usize;
    let weak = a.snap.header.meta.edge_types.weak;
    let mut steps = Vec::new();
    let mut cur = o;
    while cur != root {
        if steps.len() > a.node_count() {
            return None;
        }
        let d = a.path_distance(cur);
        // The closest retainers through non-weak edges, then the most readable of them.
        let mut best: Option<(i64, u32, usize, usize)> = None;
        for slot in a.retainers.of(cur) {
            let from = a.retainers.node[slot] as usize;
            let dist = a.path_distance(from);
            if dist >= d || best.is_some_and(|b| dist > b.0) {
                continue;
            }
            let ei = a.retainers.edge_of(&a.snap, cur, slot);
            if edge_type_is(a, ei, weak) {
                continue;
            }
            let cost = step_cost(a, from, ei);
            if best.is_none_or(|b| dist < b.0 || cost < b.1) {
                best = Some((dist, cost, from, ei));
            }
        }
        let (_, _, from, ei) = best?;
        steps.push(Step {
            edge: Some(ei),
            node: cur,
        });
        cur = from;
    }
    steps.push(Step {
        edge: None,
        node: root,
    });
    steps.reverse();
    Some(steps)
}

/// True if `o` is the global object (`global` in Node, `Window` in browsers).
pub(crate) fn is_global_object(a: &Analysis, o: usize) -> bool {
    let name = a.snap.strings.wtf8(a.snap.node_name[o]);
    a.snap.node_type[o] == a.snap.header.meta.node_types.object
        && (name == b"global"
            || name == b"Window"
            || name.starts_with(b"Window /")
            || name.starts_with(b"global /"))
}

/// The text of one step after the first: `.name`, `[3]`, `['a b']`.
pub(crate) fn step_suffix(a: &Analysis, ei: usize) -> String {
    let et = a.snap.header.meta.edge_types;
    let t = a.snap.edge_type[ei];
    member_text(
        &a.edge_name(super::edge_ix(ei)),
        t == et.element || t == et.hidden,
    )
}

/// Steps of storage between a name's parts are left out of names (`arr[3]`, not
/// `arr.elements[3]`): a step from an object into its internal storage.
fn is_storage_step(a: &Analysis, step: &Step) -> bool {
    super::holders::is_storage(a, step.node)
}

/// An anchor edge into `o` among all its retainers (not only the readable path's): a context
/// variable first, then a property of the global object, then a property of a function.
pub(crate) fn anchor_into(a: &Analysis, o: usize) -> Option<(Anchor, usize, usize)> {
    let et = a.snap.header.meta.edge_types;
    let closure = a.snap.header.meta.node_types.closure;
    let mut best: Option<(u8, Anchor, usize, usize)> = None;
    for slot in a.retainers.of(o) {
        let from = a.retainers.node[slot] as usize;
        let ei = a.retainers.edge_of(&a.snap, o, slot);
        let t = a.snap.edge_type[ei];
        let candidate = if t == et.context && is_identifier(&a.edge_name(super::edge_ix(ei))) {
            Some((0, Anchor::Variable { context: from }))
        } else if (t == et.property || t == et.shortcut)
            && is_global_object(a, from)
            && is_identifier(&a.edge_name(super::edge_ix(ei)))
        {
            Some((1, Anchor::Global))
        } else if t == et.property
            && a.snap.node_type[from] == closure
            && is_identifier(&a.edge_name(super::edge_ix(ei)))
        {
            Some((2, Anchor::FunctionProperty { function: from }))
        } else {
            None
        };
        if let Some((rank, anchor)) = candidate {
            if best.as_ref().is_none_or(|b| rank < b.0) {
                best = Some((rank, anchor, from, ei));
            }
        }
    }
    best.map(|(_, anchor, from, ei)| (anchor, from, ei))
}

/// Names the object at the end of `path`, looking at most `max_steps` steps back from it for
/// an anchor. Returns the name and the path rewritten to pass through the anchor (the readable
/// path to the anchor's owner, the anchor edge, then the original steps to the object).
pub(crate) fn name(a: &Analysis, path: &[Step], max_steps: usize) -> (Name, Vec<Step>) {
    let last = path.len() - 1;
    if is_global_object(a, path[last].node) {
        let name = Name {
            text: "globalThis".to_owned(),
            anchor: Anchor::Global,
            from_step: last,
        };
        return (name, path.to_vec());
    }
    let lowest = last.saturating_sub(max_steps).max(1);
    for k in (lowest..=last).rev() {
        let Some((anchor, from, ei)) = anchor_into(a, path[k].node) else {
            continue;
        };
        let mut through: Vec<Step> = match readable_path(a, from) {
            Some(p) => p,
            None => continue,
        };
        through.push(Step {
            edge: Some(ei),
            node: path[k].node,
        });
        let from_step = through.len() - 1;
        through.extend_from_slice(&path[k + 1..]);
        let mut text = match anchor {
            Anchor::Variable { .. } => a.edge_name(super::edge_ix(ei)),
            Anchor::Global => format!("globalThis.{}", a.edge_name(super::edge_ix(ei))),
            Anchor::FunctionProperty { function } => {
                format!(
                    "{}.{}",
                    a.display_name(super::ord(function)),
                    a.edge_name(super::edge_ix(ei))
                )
            }
            Anchor::Path => unreachable!("anchor_into finds real anchors"),
        };
        append_steps(a, &through[from_step + 1..], &mut text);
        return (
            Name {
                text,
                anchor,
                from_step,
            },
            through,
        );
    }
    // No anchor: the last steps of the path, starting after any root group (`(Stack roots)`
    // says nothing), from the class of the object they start at: `SessionStore.#sessions`.
    let synthetic = a.snap.header.meta.node_types.synthetic;
    let mut from_step = lowest;
    while from_step < last && a.snap.node_type[path[from_step - 1].node] == synthetic {
        from_step += 1;
    }
    let owner = path[from_step - 1].node;
    let mut text = if a.snap.node_type[owner] == synthetic {
        a.display_name(super::ord(owner))
    } else {
        a.snap.strings.get(a.classes.class_of(owner)).into_owned()
    };
    append_steps(a, &path[from_step..], &mut text);
    // "…" when objects (not root groups) before the owner were left out.
    if from_step > 2
        && path[1..from_step - 1]
            .iter()
            .any(|s| a.snap.node_type[s.node] != synthetic)
    {
        text.insert_str(0, "… ");
    }
    (
        Name {
            text,
            anchor: Anchor::Path,
            from_step,
        },
        path.to_vec(),
    )
}

/// Appends `.name` / `[i]` for each step, leaving out steps into internal storage.
fn append_steps(a: &Analysis, steps: &[Step], text: &mut String) {
    for (k, step) in steps.iter().enumerate() {
        if k + 1 < steps.len() && is_storage_step(a, step) {
            continue;
        }
        text.push_str(&step_suffix(
            a,
            step.edge.expect("steps after the root have edges"),
        ));
    }
}

/// Names the variable of `context` that points at `child`: the readable path to the context,
/// then the variable.
pub(crate) fn variable_of(a: &Analysis, context: usize, child: usize) -> Option<(Name, Vec<Step>)> {
    let et = a.snap.header.meta.edge_types;
    let ei = a
        .snap
        .edges_of(context)
        .find(|&e| a.snap.edge_to[e] as usize == child && a.snap.edge_type[e] == et.context)?;
    let mut path = readable_path(a, context)?;
    let from_step = path.len();
    path.push(Step {
        edge: Some(ei),
        node: child,
    });
    Some((
        Name {
            text: a.edge_name(super::edge_ix(ei)),
            anchor: Anchor::Variable { context },
            from_step,
        },
        path,
    ))
}
