//! What a holder accumulates.
//!
//! Terms:
//! * the **members** of a holder are the new objects it immediately dominates, looking through
//!   its internal storage (a Map's table, an Array's elements): the entries, elements or
//!   listeners added since the first snapshot;
//! * a holder whose growth comes through one new member is a **chain** when that member leads,
//!   through objects it dominates, to more objects of its own class (a closure context keeping
//!   the previous value, a string grown by `+=`, a promise's reactions): the links of the chain
//!   are its members. Chains of any length are followed (no recursion, no cap).

use super::holders::is_storage;
use crate::analysis::Analysis;
use std::collections::HashMap;

/// How deep storage is looked through (a Map → its table → a bucket array).
const STORAGE_DEPTH: usize = 3;

/// The members of a holder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Members {
    /// Member ordinals.
    pub nodes: Vec<usize>,
    /// True if the members are the links of a chain.
    pub chain: bool,
    /// The edges walked from the holder to the first link of a chain (for the chain's name).
    pub chain_head: Option<usize>,
}

fn is_new(before: &[f64], o: usize) -> bool {
    before[o].is_nan()
}

/// The node of `nodes` that retains most.
pub(crate) fn heaviest(cur: &Analysis, nodes: impl IntoIterator<Item = usize>) -> Option<usize> {
    nodes
        .into_iter()
        .max_by(|&x, &y| cur.retained[x].total_cmp(&cur.retained[y]))
}

/// The new object `o` immediately dominates that retains most: the next step down a chain.
pub(crate) fn heaviest_new_child(cur: &Analysis, before: &[f64], o: usize) -> Option<usize> {
    heaviest(
        cur,
        cur.dominated
            .of(o)
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| is_new(before, c)),
    )
}

/// The members of `holder` in `cur` (of its `parts` instead, when it has alike holders below).
pub(crate) fn of(
    cur: &Analysis,
    before: &[f64],
    holder: usize,
    parts: &[usize],
    growth: f64,
) -> Members {
    let mut nodes = Vec::new();
    let tops: Vec<usize> = if parts.is_empty() {
        vec![holder]
    } else {
        parts.to_vec()
    };
    let mut stack: Vec<(usize, usize)> = tops
        .iter()
        .flat_map(|&t| cur.dominated.of(t).iter().map(|&c| (c as usize, 0)))
        .collect();
    while let Some((c, depth)) = stack.pop() {
        if is_storage(cur, c) && depth < STORAGE_DEPTH {
            stack.extend(cur.dominated.of(c).iter().map(|&d| (d as usize, depth + 1)));
        } else if is_new(before, c) {
            nodes.push(c);
        }
    }
    // One member carrying most of the growth: follow it as a chain.
    if let Some(head) = heaviest(cur, nodes.iter().copied()) {
        if cur.retained[head] >= super::holders::EXPLAINED * growth {
            let links = chain_links(cur, before, head);
            if links.len() > 1 {
                return Members {
                    nodes: links,
                    chain: true,
                    chain_head: Some(head),
                };
            }
        }
    }
    Members {
        nodes,
        chain: false,
        chain_head: None,
    }
}

/// The links of the chain that starts at `head`: the new objects of `head`'s class met while
/// walking down the heaviest new dominated object at each step.
fn chain_links(cur: &Analysis, before: &[f64], head: usize) -> Vec<usize> {
    let class = cur.classes.key_of[head];
    let mut links = vec![head];
    let mut o = head;
    while let Some(next) = heaviest_new_child(cur, before, o) {
        if cur.classes.key_of[next] == class {
            links.push(next);
        }
        o = next;
    }
    links
}

/// One class of members.
#[derive(Debug, Clone)]
pub(crate) struct MemberClass {
    /// Class name string id.
    pub class: crate::ids::StrId,
    /// How many members.
    pub count: u64,
    /// Their retained size (for chain links: their self sizes, links dominate each other).
    pub size: f64,
    /// The largest member.
    pub example: usize,
}

/// The class members are grouped by: the class name, except that `(system)` says nothing and
/// V8's own name (`system / PromiseReaction`) does.
pub(crate) fn class_key(cur: &Analysis, o: usize) -> crate::ids::StrId {
    if cur.strings_eq_class(o, "(system)") {
        cur.snap.node_name[o]
    } else {
        cur.classes.class_of(o)
    }
}

/// Members grouped by class, largest size first.
pub(crate) fn by_class(cur: &Analysis, m: &Members) -> Vec<MemberClass> {
    let mut groups: HashMap<crate::ids::StrId, MemberClass> = HashMap::new();
    for &o in &m.nodes {
        let class = class_key(cur, o);
        let size = if m.chain {
            cur.snap.self_size[o] as f64
        } else {
            cur.retained[o]
        };
        let g = groups.entry(class).or_insert(MemberClass {
            class,
            count: 0,
            size: 0.0,
            example: o,
        });
        g.count += 1;
        g.size += size;
        if cur.retained[o] > cur.retained[g.example] {
            g.example = o;
        }
    }
    let mut v: Vec<MemberClass> = groups.into_values().collect();
    v.sort_by(|a, b| b.size.total_cmp(&a.size).then(a.class.cmp(&b.class)));
    v
}

/// The closures among the members and the objects they hold directly (a listener, a timer's
/// callback, a reaction's handler): `(closure, how many members have one there)`, most
/// frequent location first.
pub(crate) fn closures(cur: &Analysis, m: &Members) -> Vec<(usize, u64)> {
    let closure = cur.snap.header.meta.node_types.closure;
    let mut by_location: HashMap<(u32, u32, u32), (usize, u64)> = HashMap::new();
    for &o in &m.nodes {
        let mut seen_here = false;
        let mut visit = |c: usize| {
            if seen_here || cur.snap.node_type[c] != closure {
                return;
            }
            if let Some(l) = cur.snap.location(c as u32) {
                seen_here = true;
                by_location
                    .entry((l.script_id, l.line, l.column))
                    .or_insert((c, 0))
                    .1 += 1;
            }
        };
        visit(o);
        for ei in cur.snap.edges_of(o) {
            visit(cur.snap.edge_to[ei] as usize);
        }
    }
    let mut v: Vec<(usize, u64)> = by_location.into_values().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}
