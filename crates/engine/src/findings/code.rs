//! The code to change: lines that fill and define a holder's name, the functions whose instances
//! accumulate, the allocating function, the closures that capture the holder's context, and the
//! constructors of what accumulates; user code first, the runtime's (`node:`) never when there
//! is user code.

use super::source::{self, Use};
use super::types::{Accumulated, CodeRef, CodeRole};
use super::{allocation, capturing_closures, edge_ix, function_name, members, naming, Context};
use crate::analysis::SourceLocation;
use naming::Anchor;

impl Context<'_> {
    /// The code to change: lines that fill and define the holder's name, functions whose
    /// instances accumulate, the closures that capture its context, the constructors of what
    /// accumulates.
    pub(super) fn code(
        &self,
        name: &naming::Name,
        path: &[naming::Step],
        members: &members::Members,
        accumulates: &[Accumulated],
        extra_words: &[String],
    ) -> Vec<CodeRef> {
        let cur = self.cur;
        let mut out: Vec<CodeRef> = Vec::new();
        // Words of the name to look for, and the scripts to look in.
        let mut words: Vec<String> = extra_words.to_vec();
        let mut script_ids: Vec<u32> = Vec::new();
        // The names of the steps the holder's name is made of (`sessionCache`, `registry`,
        // `#sessions`, `_events`, …).
        for step in path.iter().skip(name.from_step) {
            let Some(ei) = step.edge else { continue };
            let n = cur.edge_name(edge_ix(ei));
            if naming::is_identifier(&n) && n != "context" && !words.contains(&n) {
                words.push(n);
            }
        }
        match name.anchor {
            Anchor::Variable { context } => {
                for c in capturing_closures(cur, context) {
                    if let Some(l) = cur.snap.location(c as u32) {
                        script_ids.push(l.script_id);
                    }
                }
            }
            Anchor::FunctionProperty { function } => {
                if let Some(l) = cur.snap.location(function as u32) {
                    script_ids.push(l.script_id);
                }
            }
            Anchor::Global | Anchor::Path => script_ids.extend(self.scripts.user_ids()),
        }
        let member_closures = members::closures(cur, members);
        for &(c, _) in member_closures.iter().take(3) {
            if let Some(l) = cur.snap.location(c as u32) {
                script_ids.push(l.script_id);
            }
        }
        script_ids.sort_unstable();
        script_ids.dedup();
        let mut mentions: Vec<(Use, u32, source::Mention)> = Vec::new();
        for &sid in &script_ids {
            let Some(lines) = self.scripts.lines(sid) else {
                continue;
            };
            for w in &words {
                for m in source::mentions(&lines, w) {
                    mentions.push((m.kind, sid, m));
                }
            }
        }
        mentions.sort_by_key(|(k, sid, m)| (*k, *sid, m.line));
        mentions.dedup_by_key(|(_, sid, m)| (*sid, m.line));
        for (kind, sid, m) in mentions.iter().filter(|(k, _, _)| *k != Use::Uses).take(6) {
            out.push(CodeRef {
                role: if *kind == Use::Fills {
                    CodeRole::Fills
                } else {
                    CodeRole::Defines
                },
                location: self.location(*sid, m.line, m.column),
                function: None,
                text: Some(m.text.clone()),
            });
        }
        for &(c, _) in member_closures.iter().take(3) {
            if let Some(mut r) = self.closure_ref(c, CodeRole::Accumulates) {
                r.function = Some(function_name(cur, c));
                out.push(r);
            }
        }
        if let Some(site) = allocation::site(cur, &members.nodes) {
            out.push(CodeRef {
                role: CodeRole::Allocates,
                text: self.line_text(site.location.script_id, site.location.line),
                location: site.location,
                function: Some(site.function),
            });
        }
        if let Anchor::Variable { context } = name.anchor {
            for c in capturing_closures(cur, context).into_iter().take(5) {
                if let Some(r) = self.closure_ref(c, CodeRole::Captures) {
                    out.push(r);
                }
            }
        }
        for a in accumulates.iter().take(2) {
            let Some(l) = &a.location else { continue };
            if self
                .scripts
                .name(l.script_id)
                .is_some_and(|s| !source::is_runtime_script(s))
            {
                out.push(CodeRef {
                    role: CodeRole::Constructor,
                    location: l.clone(),
                    function: Some(a.class_name.to_lossy().into_owned()),
                    text: self.line_text(l.script_id, l.line),
                });
            }
        }
        // Runtime scripts (node:…) are never the line to change: user code first.
        out.sort_by_key(|r| (is_runtime_ref(r), r.role));
        out.dedup_by(|a, b| a.location == b.location);
        if out.iter().any(|r| !is_runtime_ref(r)) {
            out.retain(|r| !is_runtime_ref(r));
        }
        out
    }

    pub(super) fn location(&self, script_id: u32, line: u32, column: u32) -> SourceLocation {
        SourceLocation {
            script_id,
            line,
            column,
            script_name: self.scripts.name(script_id).map(str::to_owned),
        }
    }

    pub(super) fn line_text(&self, script_id: u32, line: u32) -> Option<String> {
        let lines = self.scripts.lines(script_id)?;
        lines
            .get(line as usize)
            .map(|l| l.trim().chars().take(160).collect())
    }

    pub(super) fn closure_ref(&self, c: usize, role: CodeRole) -> Option<CodeRef> {
        let l = self.cur.snap.location(c as u32)?;
        Some(CodeRef {
            role,
            location: self.location(l.script_id, l.line, l.column),
            function: Some(function_name(self.cur, c)),
            text: self.line_text(l.script_id, l.line),
        })
    }
}

pub(super) fn is_runtime_ref(r: &CodeRef) -> bool {
    r.location
        .script_name
        .as_deref()
        .is_none_or(source::is_runtime_script)
}
