//! `diff` / `diffSync`: options in, engine diff, results out.

use crate::results::SourceLocation;
use heapwise_engine::diff::{self as engine, ClassLimit, Pattern};
use heapwise_engine::Observer;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use std::collections::HashMap;

/// Parses `ignore` patterns (a substring, or `/regex/flags`).
fn patterns(ignore: &[String]) -> std::result::Result<Vec<Pattern>, heapwise_engine::Error> {
    ignore
        .iter()
        .map(|p| Pattern::parse(p))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|m| heapwise_engine::Error::new(heapwise_engine::ErrorKind::InvalidArgument, m))
}

/// `diff`'s rule for which classes are reported (the `ignore` patterns and `includeInternal`),
/// for code that filters class names itself, such as `watch`: one rule for both.
#[napi]
pub struct ClassFilter {
    options: engine::DiffOptions,
}

#[napi]
impl ClassFilter {
    /// A filter from `ignore` patterns (a substring, or `/regex/flags`) and whether internal
    /// classes (`(…)` other than the string kinds, `system / …`) are kept. A bad pattern throws
    /// a `HeapwiseError` with code `ERR_HEAPWISE_INVALID_ARGUMENT`.
    #[napi(constructor)]
    pub fn new(env: &Env, ignore: Vec<String>, include_internal: bool) -> Result<Self> {
        let ignore = patterns(&ignore).map_err(|e| crate::error::js_error(env, &e))?;
        Ok(ClassFilter {
            options: engine::DiffOptions {
                ignore,
                include_internal,
                ..Default::default()
            },
        })
    }

    /// True if `diff` would report a class of this name.
    #[napi]
    pub fn keeps(&self, name: String) -> bool {
        self.options.keeps_class(&name)
    }
}

/// Per-class limits of the verdict.
#[napi(object)]
pub struct ClassLimitOptions {
    /// Most objects the class may gain (Comparison `deltaCount`).
    pub max_count: Option<f64>,
    /// Most bytes the class may gain (Comparison `sizeDelta`).
    pub max_size: Option<f64>,
}

/// Options of `diff` and `diffSync`.
#[napi(object, object_to_js = false)]
pub struct DiffOptions {
    /// A third snapshot: memlab's baseline/target/final rule (`before` = baseline, `after` =
    /// target). Objects allocated between baseline and target that are still alive in `final` are
    /// leak candidates, grouped by retainer path and ranked by retained size.
    pub r#final: Option<String>,
    /// Class names to leave out: a substring, or `/regex/flags`.
    pub ignore: Option<Vec<String>>,
    /// Leave out growers, leak groups and allocated rows that retain less than this many bytes.
    pub min_retained_size: Option<f64>,
    /// Keep internal/system classes (`(system)`, `(compiled code)`, `system / …`, …), which are
    /// left out by default. Set it to compare with DevTools' unfiltered Comparison view.
    pub include_internal: Option<bool>,
    /// How many growers and leak groups to detail with retainer paths (default 10).
    pub top: Option<u32>,
    /// Verdict: most bytes the heap may grow (`after.totalSize - before.totalSize`).
    pub max_growth_bytes: Option<f64>,
    /// Verdict: most new objects (the Comparison's total `newCount`, after filters).
    pub max_new_objects: Option<f64>,
    /// Verdict: limits per class name.
    pub class_limits: Option<HashMap<String, ClassLimitOptions>>,
    /// Progress reports, as for `analyze`.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<
        ThreadsafeFunction<
            crate::options::Progress,
            (),
            crate::options::Progress,
            Status,
            false,
            true,
        >,
    >,
    /// Cancels the work: the promise rejects with code `ERR_HEAPWISE_ABORTED`.
    pub signal: Option<AbortSignal>,
    /// The most memory the diff may use, in bytes, as for `analyze`.
    pub max_memory: Option<f64>,
}

/// One snapshot of a diff.
#[napi(object)]
pub struct DiffSide {
    /// The file.
    pub file: String,
    /// Number of nodes.
    pub node_count: f64,
    /// DevTools' total size.
    pub total_size: f64,
    /// Largest V8 heap object id (odd ids): DevTools' `maxJSObjectId`.
    pub max_js_object_id: f64,
}

/// One row of DevTools' Comparison view.
#[napi(object)]
pub struct ComparisonRow {
    /// Class name.
    pub name: Utf16String,
    /// DevTools' class key (`,Name` or `scriptId,line,column,Name`).
    pub key: Utf16String,
    /// Objects only in the second snapshot ("# New").
    pub new_count: f64,
    /// Objects only in the first snapshot ("# Deleted").
    pub deleted_count: f64,
    /// `newCount - deletedCount` ("# Delta").
    pub delta_count: f64,
    /// Shallow size of the new objects ("Alloc. Size").
    pub alloc_size: f64,
    /// Shallow size of the deleted objects ("Freed Size").
    pub freed_size: f64,
    /// `allocSize - freedSize` ("Size Delta").
    pub size_delta: f64,
}

/// Totals of the Comparison rows.
#[napi(object)]
pub struct ComparisonTotals {
    /// Sum of `newCount`.
    pub new_count: f64,
    /// Sum of `deletedCount`.
    pub deleted_count: f64,
    /// Sum of `deltaCount`.
    pub delta_count: f64,
    /// Sum of `allocSize`.
    pub alloc_size: f64,
    /// Sum of `freedSize`.
    pub freed_size: f64,
    /// Sum of `sizeDelta`.
    pub size_delta: f64,
}

/// An object in both snapshots whose retained size grew.
#[napi(object)]
pub struct Grower {
    /// The object, as in the second snapshot.
    pub node: crate::results::HeapNode,
    /// Retained size in the first snapshot.
    pub retained_before: f64,
    /// Retained size in the second snapshot.
    pub retained_after: f64,
    /// `retainedAfter - retainedBefore`.
    pub growth: f64,
    /// Shortest retainer path from the root, root first.
    pub retainer_path: Vec<crate::results::PathStep>,
    /// Where the object (or its constructor) is defined.
    pub location: Option<SourceLocation>,
}

/// A group of leak candidates with similar retainer paths (final mode).
#[napi(object)]
pub struct LeakGroup {
    /// Class of the leaked objects.
    pub name: Utf16String,
    /// How many objects the group has.
    pub count: f64,
    /// Bytes the group retains (members dominated by another member counted once).
    pub retained_size: f64,
    /// Retainer path of the group's largest object, root first.
    pub retainer_path: Vec<crate::results::PathStep>,
    /// Location of that object.
    pub location: Option<SourceLocation>,
    /// Ids of some members, largest first (at most 20).
    pub ids: Vec<f64>,
}

/// The verdict against the thresholds.
#[napi(object)]
pub struct Verdict {
    /// True if no threshold was exceeded and no leak was found.
    pub ok: bool,
    /// One readable sentence per exceeded threshold or leak.
    pub reasons: Vec<String>,
}

/// What grew between two heap snapshots, and why.
#[napi(object)]
pub struct HeapDiff {
    /// Version of this result's shape.
    pub schema_version: u32,
    /// The first snapshot.
    pub before: DiffSide,
    /// The second snapshot.
    pub after: DiffSide,
    /// The third snapshot (final mode).
    pub r#final: Option<DiffSide>,
    /// False when the snapshots come from different processes (ids unrelated): then the
    /// Comparison is a class-level difference and there are no growers or allocated objects.
    pub same_process: bool,
    /// `after.totalSize - before.totalSize`.
    pub size_delta: f64,
    /// DevTools' Comparison view per class key (after filters), largest allocated size first.
    pub classes: Vec<ComparisonRow>,
    /// Sums of `classes`.
    pub totals: ComparisonTotals,
    /// Summary rows of the objects allocated between the snapshots (DevTools' "Objects allocated
    /// between Snapshot 1 and Snapshot 2"), largest retained size first.
    pub allocated: Vec<crate::results::SummaryRow>,
    /// Objects present in both snapshots whose retained size grew, largest growth first.
    pub growers: Vec<Grower>,
    /// Leak groups (final mode only).
    pub leaks: Vec<LeakGroup>,
    /// The verdict.
    pub verdict: Verdict,
    /// Things to know (e.g. the class-level fallback for unrelated snapshots).
    pub warnings: Vec<String>,
}

fn utf16(t: &heapwise_engine::Text) -> Utf16String {
    Utf16String::from(t.to_utf16())
}

fn side(s: engine::SideInfo) -> DiffSide {
    DiffSide {
        file: s.file,
        node_count: s.node_count as f64,
        total_size: s.total_size,
        max_js_object_id: s.max_js_object_id as f64,
    }
}

/// Converts the engine's result.
pub fn to_js(d: engine::HeapDiff) -> HeapDiff {
    let row = |r: engine::ComparisonRow| ComparisonRow {
        name: utf16(&r.name),
        key: utf16(&r.key),
        new_count: r.new_count as f64,
        deleted_count: r.deleted_count as f64,
        delta_count: r.delta_count as f64,
        alloc_size: r.alloc_size,
        freed_size: r.freed_size,
        size_delta: r.size_delta,
    };
    HeapDiff {
        schema_version: 1,
        before: side(d.before),
        after: side(d.after),
        r#final: d.final_snapshot.map(side),
        same_process: d.same_process,
        size_delta: d.size_delta,
        classes: d.classes.into_iter().map(row).collect(),
        totals: ComparisonTotals {
            new_count: d.totals.new_count as f64,
            deleted_count: d.totals.deleted_count as f64,
            delta_count: d.totals.delta_count as f64,
            alloc_size: d.totals.alloc_size,
            freed_size: d.totals.freed_size,
            size_delta: d.totals.size_delta,
        },
        allocated: d
            .allocated
            .into_iter()
            .map(crate::results::SummaryRow::from)
            .collect(),
        growers: d
            .growers
            .into_iter()
            .map(|g| Grower {
                node: crate::results::HeapNode::from(g.node),
                retained_before: g.retained_before,
                retained_after: g.retained_after,
                growth: g.growth,
                retainer_path: crate::results::path_to_js(g.retainer_path),
                location: crate::results::location_to_js(g.location),
            })
            .collect(),
        leaks: d
            .leaks
            .into_iter()
            .map(|l| LeakGroup {
                name: utf16(&l.name),
                count: l.count as f64,
                retained_size: l.retained_size,
                retainer_path: crate::results::path_to_js(l.retainer_path),
                location: crate::results::location_to_js(l.location),
                ids: l.ids.into_iter().map(|i| i as f64).collect(),
            })
            .collect(),
        verdict: Verdict {
            ok: d.verdict.ok,
            reasons: d.verdict.reasons,
        },
        warnings: d.warnings,
    }
}

/// Splits JS options into the engine's options and the observer parts.
pub fn engine_options(
    o: Option<DiffOptions>,
) -> std::result::Result<
    (engine::DiffOptions, crate::options::AnalyzeOptions),
    heapwise_engine::Error,
> {
    let Some(o) = o else {
        return Ok((
            engine::DiffOptions::default(),
            crate::options::AnalyzeOptions {
                on_progress: None,
                signal: None,
                max_memory: None,
            },
        ));
    };
    let ignore = patterns(&o.ignore.unwrap_or_default())?;
    let mut class_limits: Vec<ClassLimit> = o
        .class_limits
        .unwrap_or_default()
        .into_iter()
        .map(|(name, l)| ClassLimit {
            name,
            max_count: l.max_count,
            max_size: l.max_size,
        })
        .collect();
    class_limits.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((
        engine::DiffOptions {
            final_snapshot: o.r#final.map(Into::into),
            ignore,
            min_retained_size: o.min_retained_size.unwrap_or(0.0),
            include_internal: o.include_internal.unwrap_or(false),
            top: o.top.unwrap_or(10) as usize,
            max_growth_bytes: o.max_growth_bytes,
            max_new_objects: o.max_new_objects,
            class_limits,
        },
        crate::options::AnalyzeOptions {
            on_progress: o.on_progress,
            signal: o.signal,
            max_memory: o.max_memory,
        },
    ))
}

/// Runs the engine diff with panics caught.
pub fn run(
    before: &str,
    after: &str,
    opts: &engine::DiffOptions,
    obs: &dyn Observer,
) -> heapwise_engine::Result<engine::HeapDiff> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine::diff(before.as_ref(), after.as_ref(), opts, obs)
    })) {
        Ok(r) => r,
        Err(payload) => Err(crate::error::panic_error(payload)),
    }
}
