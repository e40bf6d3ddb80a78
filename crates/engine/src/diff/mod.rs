//! Comparing snapshots: what grew and why.
//!
//! * The **Comparison** view per class key, equal to DevTools' (`comparison`).
//! * **Objects allocated between** the snapshots (spec §4.2): the current snapshot's Summary over
//!   ids in `(maxJSObjectId(before), maxJSObjectId(after)]`.
//! * **Growers** (`growers`): objects present in both whose retained size grew, largest growth
//!   first, each with its retainer path and location.
//! * **Leaks** (with a third snapshot): memlab's baseline/target/final rule, candidates grouped by
//!   the shape of their retainer paths and ranked by retained size.
//! * A **verdict** against thresholds (`verdict`).
//!
//! Classes are filtered by the user's patterns and the internal-class rule (`filter`).
//!
//! Memory: the first snapshot is analysed, reduced to a `DiffBase` (ids, shallow sizes, class
//! groups and retained sizes: a few columns) and dropped before the second is read, so a diff
//! never holds two full graphs.

mod base;
mod comparison;
mod filter;
mod growers;
mod leaks;
mod verdict;

pub use comparison::{ComparisonRow, Counts};
pub use filter::{is_internal_class, Pattern};
pub use growers::Grower;
pub use leaks::LeakGroup;
pub(crate) use verdict::fmt_bytes;
pub use verdict::{ClassLimit, Reason, ReasonKind, Verdict};

use crate::alloc::free_in_background;
use crate::analysis::{Analysis, SummaryRow};
use crate::error::{Error, ErrorKind, Result};
use crate::findings::{self, Finding, FindingsOptions, Footprint};
use crate::progress::{check, Observer};
use base::{DiffBase, Relation};
use std::path::Path;

/// Options of [`diff`].
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// A third snapshot for memlab's baseline/target/final rule.
    pub final_snapshot: Option<std::path::PathBuf>,
    /// Class names to leave out.
    pub ignore: Vec<Pattern>,
    /// Leave out growers, leak groups and allocated rows retaining less than this.
    pub min_retained_size: f64,
    /// Keep internal/system classes (left out by default).
    pub include_internal: bool,
    /// How many growers and leak groups to detail (default 10 when 0).
    pub top: usize,
    /// Verdict: most bytes the total heap may grow.
    pub max_growth_bytes: Option<f64>,
    /// Verdict: most new objects (Comparison total after filters).
    pub max_new_objects: Option<f64>,
    /// Verdict: per-class limits.
    pub class_limits: Vec<ClassLimit>,
    /// How many times the suspected action ran between consecutive snapshots, if known (the
    /// findings then give growth per call).
    pub calls_per_step: Option<f64>,
    /// Verdict: count only the thresholds, not the findings (with no threshold set, findings
    /// the evidence calls a leak make the verdict fail by default).
    pub only_thresholds: bool,
    /// Leave out the leak findings (`findings` stays empty; the verdict counts only the
    /// thresholds): the Comparison, the allocated objects and the growers, a little sooner.
    pub skip_findings: bool,
}

/// Facts about one of the compared snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct SideInfo {
    /// The file.
    pub file: String,
    /// Number of nodes.
    pub node_count: usize,
    /// DevTools' total size.
    pub total_size: f64,
    /// Largest odd (V8 heap object) id.
    pub max_js_object_id: u32,
}

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq)]
pub struct HeapDiff {
    /// The first snapshot.
    pub before: SideInfo,
    /// The second snapshot.
    pub after: SideInfo,
    /// The third snapshot (final mode).
    pub final_snapshot: Option<SideInfo>,
    /// False if the ids of the two snapshots are unrelated (different processes).
    pub same_process: bool,
    /// `after.total_size - before.total_size`.
    pub size_delta: f64,
    /// The Comparison view (after filters), largest allocated size first.
    pub classes: Vec<ComparisonRow>,
    /// Sums of the rows above.
    pub totals: Counts,
    /// Summary of the objects allocated between the snapshots (after filters).
    pub allocated: Vec<SummaryRow>,
    /// Objects whose retained size grew, largest growth first.
    pub growers: Vec<Grower>,
    /// Leak groups (final mode only).
    pub leaks: Vec<LeakGroup>,
    /// Leak findings, ranked (see `heapwise_engine::findings`): from the two snapshots, or from
    /// all three in final mode.
    pub findings: Vec<Finding>,
    /// The verdict.
    pub verdict: Verdict,
    /// Things the reader should know (e.g. a class-level fallback).
    pub warnings: Vec<String>,
}

fn side(a: &Analysis, file: &Path) -> SideInfo {
    SideInfo {
        file: file.display().to_string(),
        node_count: a.node_count(),
        total_size: a.total_size(),
        max_js_object_id: a.max_js_object_id(),
    }
}

/// Compares two snapshots (and a third in final mode). See the module docs.
pub fn diff(
    before: &Path,
    after: &Path,
    opts: &DiffOptions,
    obs: &dyn Observer,
) -> Result<HeapDiff> {
    let top = if opts.top == 0 { 10 } else { opts.top };
    let a = Analysis::from_path_for_diff(before, obs)?;
    let before_info = side(&a, before);
    let base = DiffBase::from_analysis(&a, obs)?;
    // Freed while the second snapshot is read: the diff does not wait for its pages to go.
    free_in_background(a);
    check(obs)?;
    let b = Analysis::from_path(after, obs)?;
    let after_info = side(&b, after);
    let final_mode = opts.final_snapshot.is_some();
    let mut c = compare(&base, &before_info, &b, &after_info, opts, final_mode, obs)?;
    let mut final_info = None;
    let mut leak_groups = Vec::new();
    match &opts.final_snapshot {
        Some(final_path) if c.same_process => {
            let target_allocated = base.allocated_in(&b);
            let after_footprint = (c.forwards && !opts.skip_findings)
                .then(|| Footprint::of(&b, obs))
                .transpose()?;
            free_in_background(b);
            check(obs)?;
            let f = Analysis::from_path(final_path, obs)?;
            final_info = Some(side(&f, final_path));
            leak_groups = leaks::find(&f, &target_allocated, opts, top, &mut c.warnings);
            if let Some(after_footprint) = &after_footprint {
                let findings_opts = FindingsOptions {
                    calls_per_step: opts.calls_per_step,
                    top,
                };
                c.found = findings::find(
                    &[base.footprint(), after_footprint],
                    &f,
                    &findings_opts,
                    obs,
                )?;
            }
            free_in_background(f);
        }
        Some(_) => {
            c.warnings.push(
                "final mode needs snapshots of one process; leak detection was skipped".to_owned(),
            );
            free_in_background(b);
        }
        None => free_in_background(b),
    }
    Ok(c.finish(before_info, after_info, final_info, leak_groups, opts))
}

/// [`diff`] of two analyses already loaded (no final snapshot: `opts.final_snapshot` must be
/// `None`). The first is reduced exactly as [`diff`] reduces it, so the result is the same as
/// that of [`diff`] on their files; the files named are those the analyses were read from
/// ([`Analysis::file`]). Both stay loaded: this needs the memory of the two graphs, where
/// [`diff`] never holds two.
pub fn diff_analyses(
    before: &Analysis,
    after: &Analysis,
    opts: &DiffOptions,
    obs: &dyn Observer,
) -> Result<HeapDiff> {
    no_final_snapshot(opts)?;
    Baseline::of(before, obs)?.diff(after, opts, obs)
}

/// Diffs of loaded analyses have no final mode (it reads a third file).
fn no_final_snapshot(opts: &DiffOptions) -> Result<()> {
    match opts.final_snapshot {
        Some(_) => Err(Error::new(
            ErrorKind::InvalidArgument,
            "a diff of loaded analyses takes no final snapshot (use diff() with paths for final mode)",
        )),
        None => Ok(()),
    }
}

/// The first snapshot of a comparison, reduced as [`diff`] reduces it (ids, shallow sizes,
/// class groups, retained sizes, the findings' footprint: a few columns), to compare later
/// snapshots with after its analysis is gone. `watch` keeps one so that every new snapshot is
/// read once: analysed, added to the series, compared with this, dropped.
pub struct Baseline {
    base: DiffBase,
    info: SideInfo,
}

impl Baseline {
    /// Reduces an analysed snapshot.
    pub fn of(a: &Analysis, obs: &dyn Observer) -> Result<Baseline> {
        let file = a.file().map(Path::to_owned).unwrap_or_default();
        let info = side(a, &file);
        let base = DiffBase::from_analysis(a, obs)?;
        check(obs)?;
        Ok(Baseline { base, info })
    }

    /// Facts about the reduced snapshot.
    pub fn info(&self) -> &SideInfo {
        &self.info
    }

    /// The diff of this baseline with `after`: the same result as [`diff_analyses`] of the
    /// analysis it was reduced from and `after` (no final snapshot: `opts.final_snapshot` must
    /// be `None`).
    pub fn diff(
        &self,
        after: &Analysis,
        opts: &DiffOptions,
        obs: &dyn Observer,
    ) -> Result<HeapDiff> {
        no_final_snapshot(opts)?;
        let file = after.file().map(Path::to_owned).unwrap_or_default();
        let after_info = side(after, &file);
        let c = compare(&self.base, &self.info, after, &after_info, opts, false, obs)?;
        Ok(c.finish(self.info.clone(), after_info, None, Vec::new(), opts))
    }
}

/// What the comparison of the base with the second snapshot found.
struct Compared {
    same_process: bool,
    forwards: bool,
    classes: Vec<ComparisonRow>,
    totals: Counts,
    allocated: Vec<SummaryRow>,
    growers: Vec<Grower>,
    found: findings::Findings,
    warnings: Vec<String>,
}

impl Compared {
    fn finish(
        mut self,
        before_info: SideInfo,
        after_info: SideInfo,
        final_info: Option<SideInfo>,
        leak_groups: Vec<LeakGroup>,
        opts: &DiffOptions,
    ) -> HeapDiff {
        self.warnings.append(&mut self.found.warnings);
        let size_delta = after_info.total_size - before_info.total_size;
        let verdict = verdict::verdict(
            opts,
            size_delta,
            &self.classes,
            &self.totals,
            &leak_groups,
            &self.found.findings,
        );
        HeapDiff {
            before: before_info,
            after: after_info,
            final_snapshot: final_info,
            same_process: self.same_process,
            size_delta,
            classes: self.classes,
            totals: self.totals,
            allocated: self.allocated,
            growers: self.growers,
            leaks: leak_groups,
            findings: self.found.findings,
            verdict,
            warnings: self.warnings,
        }
    }
}

/// The comparison core: the base (the reduced first snapshot) against the second, `b`. In
/// final mode the findings are left to the caller (they need the third snapshot).
fn compare(
    base: &DiffBase,
    before_info: &SideInfo,
    b: &Analysis,
    after_info: &SideInfo,
    opts: &DiffOptions,
    final_mode: bool,
    obs: &dyn Observer,
) -> Result<Compared> {
    let top = if opts.top == 0 { 10 } else { opts.top };
    let mut warnings = Vec::new();
    let relation = base.relation_to(b);
    let same_process = relation != Relation::Unrelated;
    // Newest first: objects are still matched by id (as DevTools' Comparison does, whatever
    // the order), but growth is only measured forwards in time.
    let forwards = relation == Relation::Later;
    match relation {
        Relation::Unrelated => warnings.push(
            "the snapshots come from different processes (their object ids are unrelated): new and deleted \
             counts are class-level differences of counts and sizes, not objects matched by id"
                .to_owned(),
        ),
        Relation::Earlier => warnings.push(format!(
            "the first snapshot ({}) is newer than the second ({}): objects are matched by id, but 'new' \
             means only in {} and 'deleted' only in {}; growers, allocated objects and findings need the \
             older snapshot first (swap the arguments)",
            before_info.file, after_info.file, after_info.file, before_info.file
        )),
        Relation::Later => {}
    }
    let findings_opts = FindingsOptions {
        calls_per_step: opts.calls_per_step,
        top,
    };
    // The Comparison, then the objects allocated between the snapshots (DevTools' id-range
    // filter on the second one), on one core; the growers and the findings, which share each
    // object's retained size in the first snapshot, on the other (about as long).
    let (lo, hi) = (before_info.max_js_object_id, after_info.max_js_object_id);
    let (rows_and_allocated, growers_and_found) = rayon::join(
        || -> Result<_> {
            let rows = if same_process {
                comparison::comparison(base, b, obs)?
            } else {
                comparison::class_level(base, b, obs)?
            };
            check(obs)?;
            let allocated = if forwards {
                allocated_between(b, lo, hi, opts, obs)?
            } else {
                Vec::new()
            };
            Ok((rows, allocated))
        },
        || -> Result<_> {
            if !forwards {
                return Ok((Vec::new(), findings::Findings::default()));
            }
            let before = findings::retained_before(b, base.footprint(), obs)?;
            let growers = growers::growers(b, &before, opts, top, obs)?;
            check(obs)?;
            // The final snapshot, when there is one, gives the findings more evidence.
            let found = if !final_mode && !opts.skip_findings {
                findings::find_with(&[base.footprint()], b, &before, &findings_opts, obs)?
            } else {
                findings::Findings::default()
            };
            Ok((growers, found))
        },
    );
    let ((rows, allocated), (growers, found)) = (rows_and_allocated?, growers_and_found?);
    let mut classes: Vec<ComparisonRow> = rows
        .into_iter()
        .filter(|r| opts.keeps_class(&r.name.to_lossy()))
        .collect();
    classes.sort_by(|x, y| {
        y.counts
            .alloc_size
            .total_cmp(&x.counts.alloc_size)
            .then_with(|| x.key.cmp(&y.key))
    });
    let totals = Counts::total(&classes);
    check(obs)?;
    Ok(Compared {
        same_process,
        forwards,
        classes,
        totals,
        allocated,
        growers,
        found,
        warnings,
    })
}

/// The Summary of the objects of `cur` whose id is in `lo < id <= hi` (DevTools' "Objects
/// allocated between snapshots"), largest retained size first, with the user's filters.
fn allocated_between(
    cur: &Analysis,
    lo: u32,
    hi: u32,
    opts: &DiffOptions,
    obs: &dyn Observer,
) -> Result<Vec<SummaryRow>> {
    let ids = &cur.snap.node_id;
    let aggs = cur.aggregates_where(&|o| ids[o] > lo && ids[o] <= hi, obs)?;
    let mut rows: Vec<SummaryRow> = cur
        .public_rows(&aggs)
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| {
            opts.keeps_class(&r.name.to_lossy()) && r.retained_size >= opts.min_retained_size
        })
        .collect();
    rows.sort_by(|x, y| {
        y.retained_size
            .total_cmp(&x.retained_size)
            .then_with(|| x.key.cmp(&y.key))
    });
    Ok(rows)
}
