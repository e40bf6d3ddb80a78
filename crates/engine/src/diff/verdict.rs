//! The verdict of a diff: is the growth within the user's thresholds, and is anything leaking?
//!
//! A *threshold* is a most-allowed value: heap growth in bytes, new objects, or per class
//! (objects gained, bytes gained). Each exceeded threshold, each leak group (final mode) and,
//! when no threshold is set, each finding the evidence calls a leak gives one [`Reason`]; the
//! verdict is ok when there is none. A verdict is data: the `message` is for people, the other
//! fields for programs.

use super::comparison::{ComparisonRow, Counts};
use super::leaks::LeakGroup;
use super::DiffOptions;
use crate::analysis::path_text::path_text;
use crate::findings::Finding;

/// Per-class limits of the verdict.
#[derive(Debug, Clone, Default)]
pub struct ClassLimit {
    /// Class name (exact).
    pub name: String,
    /// Most objects the class may gain (Comparison `deltaCount`).
    pub max_count: Option<f64>,
    /// Most bytes the class may gain (Comparison `sizeDelta`).
    pub max_size: Option<f64>,
}

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// The heap grew more than `max_growth_bytes`.
    Growth,
    /// More new objects than `max_new_objects`.
    NewObjects,
    /// A class gained more objects than its limit.
    ClassCount,
    /// A class grew by more bytes than its limit.
    ClassSize,
    /// A leak group of final mode.
    LeakGroup,
    /// A finding whose growth the evidence calls a leak.
    Finding,
}

impl ReasonKind {
    /// `growth`, `new-objects`, `class-count`, `class-size`, `leak-group`, `finding`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Growth => "growth",
            ReasonKind::NewObjects => "new-objects",
            ReasonKind::ClassCount => "class-count",
            ReasonKind::ClassSize => "class-size",
            ReasonKind::LeakGroup => "leak-group",
            ReasonKind::Finding => "finding",
        }
    }
}

/// Why a verdict is not ok.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// What it is about.
    pub kind: ReasonKind,
    /// The finding (index into the diff's findings) for [`ReasonKind::Finding`].
    pub finding: Option<usize>,
    /// The class, for class limits and leak groups.
    pub class_name: Option<String>,
    /// The measured value (bytes, or objects for counts).
    pub actual: f64,
    /// The limit it exceeded, when a threshold.
    pub limit: Option<f64>,
    /// One sentence for people.
    pub message: String,
}

/// The verdict against the thresholds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// True if no threshold was exceeded and no leak was found.
    pub ok: bool,
    /// One per exceeded threshold or leak.
    pub reasons: Vec<Reason>,
}

impl Reason {
    fn threshold(
        kind: ReasonKind,
        class_name: Option<&str>,
        actual: f64,
        limit: f64,
        message: String,
    ) -> Reason {
        Reason {
            kind,
            finding: None,
            class_name: class_name.map(str::to_owned),
            actual,
            limit: Some(limit),
            message,
        }
    }
}

pub(crate) fn fmt_bytes(n: f64) -> String {
    let a = n.abs();
    if a < 1000.0 {
        format!("{n} B")
    } else if a < 1e6 {
        format!("{:.1} kB", n / 1e3)
    } else if a < 1e9 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.2} GB", n / 1e9)
    }
}

/// True if any threshold is set.
pub(crate) fn has_thresholds(opts: &DiffOptions) -> bool {
    opts.max_growth_bytes.is_some()
        || opts.max_new_objects.is_some()
        || !opts.class_limits.is_empty()
}

pub(crate) fn verdict(
    opts: &DiffOptions,
    size_delta: f64,
    classes: &[ComparisonRow],
    totals: &Counts,
    leaks: &[LeakGroup],
    findings: &[Finding],
) -> Verdict {
    let mut reasons = Vec::new();
    if let Some(max) = opts.max_growth_bytes {
        if size_delta > max {
            reasons.push(Reason::threshold(
                ReasonKind::Growth,
                None,
                size_delta,
                max,
                format!(
                    "the heap grew by {} ({} bytes), more than the allowed {} ({} bytes)",
                    fmt_bytes(size_delta),
                    size_delta,
                    fmt_bytes(max),
                    max
                ),
            ));
        }
    }
    if let Some(max) = opts.max_new_objects {
        if totals.new_count as f64 > max {
            reasons.push(Reason::threshold(
                ReasonKind::NewObjects,
                None,
                totals.new_count as f64,
                max,
                format!(
                    "{} new objects were allocated and kept, more than the allowed {max}",
                    totals.new_count
                ),
            ));
        }
    }
    for limit in &opts.class_limits {
        let (mut dc, mut ds) = (0i64, 0f64);
        for r in classes.iter().filter(|r| r.name == limit.name.as_str()) {
            dc += r.counts.delta_count;
            ds += r.counts.size_delta;
        }
        if let Some(mc) = limit.max_count {
            if dc as f64 > mc {
                reasons.push(Reason::threshold(
                    ReasonKind::ClassCount,
                    Some(&limit.name),
                    dc as f64,
                    mc,
                    format!(
                        "{} gained {dc} objects, more than the allowed {mc}",
                        limit.name
                    ),
                ));
            }
        }
        if let Some(ms) = limit.max_size {
            if ds > ms {
                reasons.push(Reason::threshold(
                    ReasonKind::ClassSize,
                    Some(&limit.name),
                    ds,
                    ms,
                    format!(
                        "{} grew by {}, more than the allowed {}",
                        limit.name,
                        fmt_bytes(ds),
                        fmt_bytes(ms)
                    ),
                ));
            }
        }
    }
    for l in leaks {
        reasons.push(Reason {
            kind: ReasonKind::LeakGroup,
            finding: None,
            class_name: Some(l.name.to_lossy().into_owned()),
            actual: l.retained_size,
            limit: None,
            message: format!(
                "leak: {} {} objects allocated between baseline and target are still alive in the final snapshot, \
                 retaining {}, held by {}",
                l.count,
                l.name,
                fmt_bytes(l.retained_size),
                path_text(&l.retainer_path)
            ),
        });
    }
    // With no threshold set, what the evidence calls a leak is the answer (unless the caller
    // asked for thresholds only).
    if !has_thresholds(opts) && !opts.only_thresholds {
        for (i, f) in findings.iter().enumerate().filter(|(_, f)| f.leak) {
            reasons.push(Reason {
                kind: ReasonKind::Finding,
                finding: Some(i),
                class_name: None,
                actual: f.growth.bytes_per_snapshot * f.growth.steps as f64,
                limit: None,
                message: format!("suspected leak: {}", f.message),
            });
        }
    }
    Verdict {
        ok: reasons.is_empty(),
        reasons,
    }
}
