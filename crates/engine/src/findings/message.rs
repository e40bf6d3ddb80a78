//! Whether a finding is a leak, and its sentence for people.

use super::types::{Finding, Growth};
use super::{display_path, MIN_LEAK_BYTES, MIN_MEMBERS, MIN_STEADY_BYTES};
use crate::analysis::SourceLocation;

pub(super) fn is_leak(g: &Growth) -> bool {
    let known: Vec<f64> = g.retained.iter().copied().filter(|v| !v.is_nan()).collect();
    let total = known.last().copied().unwrap_or(0.0) - known.first().copied().unwrap_or(0.0);
    let added: u64 = g.members.iter().skip(1).sum();
    if g.steps >= 2 {
        // Steady over three snapshots or more: members added in every step is evidence enough
        // for a small leak; without members (a string rebuilt bigger), the bytes must be many.
        let members_every_step = g.members.iter().skip(1).all(|&m| m > 0);
        g.steady && total >= MIN_STEADY_BYTES && (members_every_step || total >= MIN_LEAK_BYTES)
    } else {
        total >= MIN_LEAK_BYTES && added >= MIN_MEMBERS
    }
}

/// `sessionCache (Map, a variable of lib/session.js's module scope) gains 100 members per
/// snapshot (1 per call), +23.1 kB per snapshot; they are Object; change lib/session.js:6`.
pub(super) fn message(f: &Finding) -> String {
    let g = &f.growth;
    let unit = if g.chain { "links" } else { "members" };
    let mut m = format!(
        "{} gains {} {unit} per snapshot",
        f.holder.description,
        round(g.members_per_snapshot)
    );
    if let Some(pc) = g.members_per_call {
        m.push_str(&format!(" ({} per call)", round(pc)));
    }
    m.push_str(&format!(
        ", {}{} per snapshot",
        if g.bytes_per_snapshot >= 0.0 { "+" } else { "" },
        crate::diff::fmt_bytes(g.bytes_per_snapshot.round())
    ));
    if let Some(a) = f.accumulates.first() {
        m.push_str(&format!("; they are {}", a.class_name.to_lossy()));
    }
    if let Some(c) = f.code.first() {
        m.push_str(&format!("; change {}", code_position(&c.location)));
    }
    m
}

/// `file:line:column`, 1-based, the script as people read it.
pub fn code_position(l: &SourceLocation) -> String {
    format!(
        "{}:{}:{}",
        l.script_name
            .as_deref()
            .map_or_else(|| format!("script {}", l.script_id), display_path),
        l.line + 1,
        l.column + 1
    )
}

fn round(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    }
}
