//! The verdict of a diff: is the growth within the user's thresholds?
//!
//! A *threshold* is a most-allowed value: heap growth in bytes, new objects, or per class
//! (objects gained, bytes gained). Each exceeded threshold, and each leak group, gives one
//! reason; the verdict is ok when there is none.

use super::comparison::{ComparisonRow, Counts};
use super::leaks::LeakGroup;
use super::DiffOptions;
use crate::analysis::paths::path_text;

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

/// The verdict against the thresholds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// True if no threshold was exceeded and no leak was found.
    pub ok: bool,
    /// One sentence per exceeded threshold or leak.
    pub reasons: Vec<String>,
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

pub(crate) fn verdict(
    opts: &DiffOptions,
    size_delta: f64,
    classes: &[ComparisonRow],
    totals: &Counts,
    leaks: &[LeakGroup],
) -> Verdict {
    let mut reasons = Vec::new();
    if let Some(max) = opts.max_growth_bytes {
        if size_delta > max {
            reasons.push(format!(
                "the heap grew by {} ({} bytes), more than the allowed {} ({} bytes)",
                fmt_bytes(size_delta),
                size_delta,
                fmt_bytes(max),
                max
            ));
        }
    }
    if let Some(max) = opts.max_new_objects {
        if totals.new_count as f64 > max {
            reasons.push(format!(
                "{} new objects were allocated and kept, more than the allowed {max}",
                totals.new_count
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
                reasons.push(format!(
                    "{} gained {dc} objects, more than the allowed {mc}",
                    limit.name
                ));
            }
        }
        if let Some(ms) = limit.max_size {
            if ds > ms {
                reasons.push(format!(
                    "{} grew by {}, more than the allowed {}",
                    limit.name,
                    fmt_bytes(ds),
                    fmt_bytes(ms)
                ));
            }
        }
    }
    for l in leaks {
        reasons.push(format!(
            "leak: {} {} objects allocated between baseline and target are still alive in the final snapshot, \
             retaining {}, held by {}",
            l.count,
            l.name,
            fmt_bytes(l.retained_size),
            path_text(&l.retainer_path)
        ));
    }
    Verdict {
        ok: reasons.is_empty(),
        reasons,
    }
}
