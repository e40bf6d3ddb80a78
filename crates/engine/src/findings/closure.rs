//! Closure leaks: a chain that runs through a closure context keeps a variable; which closures
//! share that context, and whether their source reads the variable.

use super::source::{self, Use};
use super::types::{ClosureLeak, SharingClosure};
use super::{edge_ix, function_name, members, ord, Context};
use crate::analysis::Analysis;

impl Context<'_> {
    /// For a chain through closure contexts: the variable that links it, the closures sharing
    /// that context, and which of them mention it.
    pub(super) fn closure_leak(&self, members: &members::Members) -> Option<ClosureLeak> {
        let cur = self.cur;
        if !members.chain {
            return None;
        }
        let et = cur.snap.header.meta.edge_types;
        // Walk from the first link to the second and find the context variable on the way.
        let head = *members.nodes.first()?;
        let second = *members.nodes.get(1)?;
        let mut o = head;
        for _ in 0..16 {
            let next = members::heaviest_new_child(cur, self.before, o)?;
            if cur.strings_eq_class(o, "system / Context") {
                let ei = cur.snap.edges_of(o).find(|&e| {
                    cur.snap.edge_to[e] as usize == next && cur.snap.edge_type[e] == et.context
                })?;
                let variable = cur.edge_name(edge_ix(ei));
                let closures: Vec<SharingClosure> = capturing_closures(cur, o)
                    .into_iter()
                    .map(|c| {
                        let location = cur.location(ord(c));
                        let reads = location.as_ref().and_then(|l| {
                            let lines = self.scripts.lines(l.script_id)?;
                            let text = source::function_text(&lines, l.line, l.column)?;
                            Some(source::mentions_word(&text, &variable))
                        });
                        SharingClosure {
                            name: function_name(cur, c),
                            location,
                            reads,
                        }
                    })
                    .collect();
                // A closure that reads the variable may be gone from the heap while the context
                // it shared keeps the variable: the lines that read it say who it was.
                let readers_gone = closures.iter().all(|c| c.reads == Some(false));
                let read_at: Vec<u32> = if readers_gone {
                    closures
                        .iter()
                        .filter_map(|c| c.location.as_ref())
                        .filter_map(|l| self.scripts.lines(l.script_id))
                        .flat_map(|lines| source::mentions(&lines, &variable))
                        .filter(|m| m.kind == Use::Uses)
                        .map(|m| m.line)
                        .collect()
                } else {
                    Vec::new()
                };
                let message = closure_message(&variable, &closures, &read_at);
                return Some(ClosureLeak {
                    variable,
                    closures,
                    message,
                });
            }
            if next == second {
                break;
            }
            o = next;
        }
        None
    }
}

fn closure_message(variable: &str, closures: &[SharingClosure], read_at: &[u32]) -> String {
    let describe = |c: &SharingClosure| match &c.location {
        Some(l) => format!("`{}` (line {})", c.name, l.line + 1),
        None => format!("`{}`", c.name),
    };
    let all: Vec<String> = closures.iter().map(describe).collect();
    let readers: Vec<String> = closures
        .iter()
        .filter(|c| c.reads == Some(true))
        .map(|c| format!("`{}`", c.name))
        .collect();
    let mut m = format!(
        "`{variable}` is kept by the context shared by {}",
        join_and(&all)
    );
    if closures.iter().all(|c| c.reads.is_some()) {
        if readers.is_empty() && !read_at.is_empty() {
            let lines: Vec<String> = read_at.iter().map(|l| format!("line {}", l + 1)).collect();
            m.push_str(&format!(
                ", which {} not read it: {} {} it from another closure of the same scope, so V8 keeps it in the shared context",
                if closures.len() == 1 { "does" } else { "do" },
                join_and(&lines),
                if lines.len() == 1 { "reads" } else { "read" }
            ));
        } else if readers.is_empty() {
            m.push_str("; none of them reads it");
        } else if readers.len() < closures.len() {
            m.push_str(&format!(
                "; only {} {} it",
                join_and(&readers),
                if readers.len() == 1 { "reads" } else { "read" }
            ));
        }
    }
    m
}

pub(super) fn join_and(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Closures whose context is `context`.
pub(super) fn capturing_closures(cur: &Analysis, context: usize) -> Vec<usize> {
    let closure = cur.snap.header.meta.node_types.closure;
    let mut v: Vec<usize> = cur
        .retainers
        .of(context)
        .filter_map(|slot| {
            let from = cur.retainers.node[slot] as usize;
            (cur.snap.node_type[from] == closure
                && cur.snap.strings.eq(
                    crate::ids::StrId(
                        cur.snap.edge_name[cur.retainers.edge_of(&cur.snap, context, slot)],
                    ),
                    "context",
                ))
            .then_some(from)
        })
        .collect();
    v.sort_by_key(|&c| cur.snap.location(c as u32).map(|l| (l.line, l.column)));
    v.dedup();
    v
}
