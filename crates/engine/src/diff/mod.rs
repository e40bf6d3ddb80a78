//! Comparing snapshots: what grew and why.
//!
//! * The **Comparison** view per class key, equal to DevTools' (spec §4.1): the base snapshot is
//!   classified with the current snapshot's interface definitions, each class's object ids are
//!   merge-joined, ids only in the base are *deleted*, ids only in the current are *new*.
//! * **Objects allocated between** the snapshots (spec §4.2): the current snapshot's Summary over
//!   ids in `(maxJSObjectId(before), maxJSObjectId(after)]`.
//! * **Growers**: objects present in both whose retained size grew, largest growth first, each
//!   with its retainer path and location.
//! * **Leaks** (with a third snapshot): memlab's baseline/target/final rule, candidates grouped by
//!   the shape of their retainer paths and ranked by retained size.
//! * A **verdict** against thresholds.
//!
//! Memory: the first snapshot is analysed, reduced to [`base::DiffBase`] (ids, shallow sizes,
//! class groups and retained sizes: a few columns) and dropped before the second is read, so a
//! diff never holds two full graphs.

pub mod base;
mod leaks;

use crate::analysis::classes::InterfaceMatcher;
use crate::analysis::{Analysis, SourceLocation, SummaryRow};
use crate::error::Result;
use crate::progress::{check, Observer, Poll};
use crate::strings::Text;
use crate::NodeInfo;
use base::DiffBase;
use std::collections::HashMap;
use std::path::Path;

/// A class-name filter: substring or regular expression.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Matches names containing this text.
    Substring(String),
    /// Matches names the expression finds a match in.
    Regex(regex::Regex),
}

impl Pattern {
    /// Parses `/expr/flags` as a regular expression (flag `i` supported), anything else as a
    /// substring.
    pub fn parse(s: &str) -> std::result::Result<Pattern, String> {
        if s.len() >= 2 && s.starts_with('/') {
            if let Some(end) = s.rfind('/').filter(|&e| e > 0) {
                let (expr, flags) = (&s[1..end], &s[end + 1..]);
                let mut b = regex::RegexBuilder::new(expr);
                for f in flags.chars() {
                    match f {
                        'i' => {
                            b.case_insensitive(true);
                        }
                        'u' | 'g' => {}
                        other => {
                            return Err(format!(
                                "unsupported regular expression flag '{other}' in {s}"
                            ))
                        }
                    }
                }
                return b
                    .build()
                    .map(Pattern::Regex)
                    .map_err(|e| format!("invalid pattern {s}: {e}"));
            }
        }
        Ok(Pattern::Substring(s.to_owned()))
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Substring(t) => name.contains(t.as_str()),
            Pattern::Regex(r) => r.is_match(name),
        }
    }
}

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
}

impl DiffOptions {
    /// True if a class of this name is reported.
    pub fn keeps_class(&self, name: &str) -> bool {
        if !self.include_internal && is_internal_class(name) {
            return false;
        }
        !self.ignore.iter().any(|p| p.matches(name))
    }
}

/// Internal/system classes: `(…)` names other than the string kinds, and `system / …`.
pub fn is_internal_class(name: &str) -> bool {
    (name.starts_with('(')
        && !matches!(
            name,
            "(string)" | "(concatenated string)" | "(sliced string)"
        ))
        || name.starts_with("system / ")
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

/// One row of DevTools' Comparison view.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Class name.
    pub name: Text,
    /// Public class key.
    pub key: Text,
    /// Objects only in the current snapshot.
    pub new_count: u64,
    /// Objects only in the base snapshot.
    pub deleted_count: u64,
    /// `new_count - deleted_count`.
    pub delta_count: i64,
    /// Shallow size of the new objects.
    pub alloc_size: f64,
    /// Shallow size of the deleted objects.
    pub freed_size: f64,
    /// `alloc_size - freed_size`.
    pub size_delta: f64,
}

/// One step of a retainer path, materialised.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    /// Name of the edge into this node (`None` for the root).
    pub edge: Option<String>,
    /// Type of that edge.
    pub edge_type: Option<String>,
    /// The node.
    pub node: NodeInfo,
}

/// An object present in both snapshots whose retained size grew.
#[derive(Debug, Clone, PartialEq)]
pub struct Grower {
    /// The object, as in the second snapshot.
    pub node: NodeInfo,
    /// Its retained size in the first snapshot.
    pub retained_before: f64,
    /// Its retained size in the second snapshot.
    pub retained_after: f64,
    /// `retained_after - retained_before`.
    pub growth: f64,
    /// Retainer path from the root in the second snapshot.
    pub retainer_path: Vec<PathStep>,
    /// Where the object (or its constructor) is defined.
    pub location: Option<SourceLocation>,
}

/// A group of leak candidates with similar retainer paths (memlab's rule).
#[derive(Debug, Clone, PartialEq)]
pub struct LeakGroup {
    /// Class name of the leaked objects.
    pub name: Text,
    /// How many objects the group has.
    pub count: u64,
    /// Retained size of the group (objects dominated by another member counted once).
    pub retained_size: f64,
    /// Retainer path of the group's largest object, root first.
    pub retainer_path: Vec<PathStep>,
    /// Location of that object.
    pub location: Option<SourceLocation>,
    /// Ids of some members (largest first, at most 20).
    pub ids: Vec<u32>,
}

/// The verdict against the thresholds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// True if no threshold was exceeded and no leak was found.
    pub ok: bool,
    /// One sentence per exceeded threshold or leak.
    pub reasons: Vec<String>,
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
    pub totals: ComparisonRow,
    /// Summary of the objects allocated between the snapshots (after filters).
    pub allocated: Vec<SummaryRow>,
    /// Objects whose retained size grew, largest growth first.
    pub growers: Vec<Grower>,
    /// Leak groups (final mode only).
    pub leaks: Vec<LeakGroup>,
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

/// Materialises a retainer path.
pub fn path_steps(a: &Analysis, o: usize) -> Vec<PathStep> {
    a.retainer_path(o)
        .unwrap_or_default()
        .into_iter()
        .map(|(ei, n)| PathStep {
            edge: ei.map(|e| a.edge_name(e)),
            edge_type: ei.map(|e| {
                a.snap
                    .header
                    .meta
                    .edge_type_name(a.snap.edge_type[e])
                    .to_owned()
            }),
            node: a.node(n.0 as usize),
        })
        .collect()
}

/// A retainer path as text: the first object below the root by name (`global`), then the edges,
/// element indexes in brackets: `global → cache → table → [12]`.
pub fn path_text(steps: &[PathStep]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, s) in steps.iter().enumerate().skip(1) {
        if i == 1 {
            parts.push(s.node.class_name.to_string());
            continue;
        }
        let edge = s.edge.clone().unwrap_or_default();
        let indexed = matches!(s.edge_type.as_deref(), Some("element" | "hidden"))
            || edge.bytes().all(|b| b.is_ascii_digit());
        parts.push(if indexed { format!("[{edge}]") } else { edge });
    }
    if parts.is_empty() {
        "(root)".to_owned()
    } else {
        parts.join(" → ")
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
    drop(a);
    check(obs)?;
    let b = Analysis::from_path(after, obs)?;
    let after_info = side(&b, after);
    let mut warnings = Vec::new();

    let same_process = base.same_process_as(&b);
    if !same_process {
        warnings.push(
            "the snapshots come from different processes (their object ids are unrelated): new and deleted \
             counts are class-level differences of counts and sizes, not objects matched by id"
                .to_owned(),
        );
    }
    // The Comparison on one core; objects allocated between the snapshots (DevTools' id-range
    // filter on the second one) and the growers on the other.
    let (lo, hi) = (before_info.max_js_object_id, after_info.max_js_object_id);
    let (rows, allocated_and_growers) = rayon::join(
        || {
            if same_process {
                comparison(&base, &b, obs)
            } else {
                class_level(&base, &b, obs)
            }
        },
        || -> Result<_> {
            if !same_process {
                return Ok((Vec::new(), Vec::new()));
            }
            let allocated = allocated_between(&b, lo, hi, opts, obs)?;
            check(obs)?;
            Ok((allocated, growers(&base, &b, opts, top, obs)?))
        },
    );
    let (rows, (allocated, growers)) = (rows?, allocated_and_growers?);
    let mut classes: Vec<ComparisonRow> = rows
        .into_iter()
        .filter(|r| opts.keeps_class(&r.name.to_lossy()))
        .collect();
    classes.sort_by(|x, y| {
        y.alloc_size
            .total_cmp(&x.alloc_size)
            .then_with(|| x.key.cmp(&y.key))
    });
    let totals = classes.iter().fold(
        ComparisonRow {
            name: Text::default(),
            key: Text::default(),
            new_count: 0,
            deleted_count: 0,
            delta_count: 0,
            alloc_size: 0.0,
            freed_size: 0.0,
            size_delta: 0.0,
        },
        |mut t, r| {
            t.new_count += r.new_count;
            t.deleted_count += r.deleted_count;
            t.delta_count += r.delta_count;
            t.alloc_size += r.alloc_size;
            t.freed_size += r.freed_size;
            t.size_delta += r.size_delta;
            t
        },
    );
    check(obs)?;

    let mut final_info = None;
    let mut leak_groups = Vec::new();
    if let Some(final_path) = &opts.final_snapshot {
        if !same_process {
            warnings.push(
                "final mode needs snapshots of one process; leak detection was skipped".to_owned(),
            );
        } else {
            let target_allocated = base.allocated_in(&b);
            drop(b);
            check(obs)?;
            let f = Analysis::from_path(final_path, obs)?;
            final_info = Some(side(&f, final_path));
            leak_groups = leaks::find(&f, &target_allocated, opts, top, &mut warnings);
        }
    }

    let size_delta = after_info.total_size - before_info.total_size;
    let verdict = verdict(opts, size_delta, &classes, &totals, &leak_groups);
    Ok(HeapDiff {
        before: before_info,
        after: after_info,
        final_snapshot: final_info,
        same_process,
        size_delta,
        classes,
        totals,
        allocated,
        growers,
        leaks: leak_groups,
        verdict,
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

/// DevTools' `calculateSnapshotDiff` between the reduced base and the current analysis.
fn comparison(base: &DiffBase, cur: &Analysis, obs: &dyn Observer) -> Result<Vec<ComparisonRow>> {
    let (base_classes, cur_classes) = rayon::join(
        || {
            let matcher = InterfaceMatcher::new(&cur.classes.interfaces);
            base.classes_under(&matcher, &cur.classes.interfaces, obs)
        },
        || current_classes(cur, obs),
    );
    let (base_classes, (cur_rows, cur_nodes)) = (base_classes?, cur_classes?);
    let mut cur_by_public: HashMap<&[u8], usize> = HashMap::new();
    for (i, (r, _)) in cur_rows.iter().enumerate() {
        cur_by_public.insert(&r.key.0, i);
    }
    let mut out = Vec::new();
    let mut seen: Vec<bool> = vec![false; cur_rows.len()];
    let empty: Vec<(u32, u32)> = Vec::new();
    for bc in &base_classes {
        let slot = cur_by_public.get(bc.key.0.as_slice()).copied();
        if let Some(s) = slot {
            seen[s] = true;
        }
        let cur_list = slot.map_or(&empty, |s| &cur_nodes[s]);
        let name = slot.map_or_else(|| bc.name.clone(), |s| cur_rows[s].0.name.clone());
        if let Some(row) = merge(&bc.nodes, cur_list, name, bc.key.clone()) {
            out.push(row);
        }
    }
    for (s, (r, _)) in cur_rows.iter().enumerate() {
        if seen[s] {
            continue;
        }
        if let Some(row) = merge(&[], &cur_nodes[s], r.name.clone(), r.key.clone()) {
            out.push(row);
        }
    }
    Ok(out)
}

/// The current snapshot's classes: public rows (with their winning internal keys) and each
/// row's `(id, shallow size)` list sorted by id.
#[allow(clippy::type_complexity)]
type CurrentClasses = (Vec<(SummaryRow, u32)>, Vec<Vec<(u32, u32)>>);

fn current_classes(cur: &Analysis, obs: &dyn Observer) -> Result<CurrentClasses> {
    let mut poll = Poll::new(obs);
    let cur_rows = cur.public_rows(cur.all_aggregates());
    let mut slot_of_key: Vec<usize> = vec![usize::MAX; cur.classes.keys.len()];
    for (i, (_, k)) in cur_rows.iter().enumerate() {
        slot_of_key[*k as usize] = i;
    }
    let mut cur_nodes: Vec<Vec<(u32, u32)>> = vec![Vec::new(); cur_rows.len()];
    for o in 0..cur.node_count() {
        poll.tick()?;
        if cur.shallow[o] == 0 {
            continue;
        }
        let slot = slot_of_key[cur.classes.key_of[o] as usize];
        if slot != usize::MAX {
            cur_nodes[slot].push((cur.snap.node_id[o], cur.shallow[o]));
        }
    }
    for v in &mut cur_nodes {
        v.sort_unstable_by_key(|&(id, _)| id);
    }
    Ok((cur_rows, cur_nodes))
}

/// `calculateDiffForClass`: merge-join two id-sorted lists of `(id, shallow size)`.
fn merge(base: &[(u32, u32)], cur: &[(u32, u32)], name: Text, key: Text) -> Option<ComparisonRow> {
    let (mut i, mut j) = (0, 0);
    let mut row = ComparisonRow {
        name,
        key,
        new_count: 0,
        deleted_count: 0,
        delta_count: 0,
        alloc_size: 0.0,
        freed_size: 0.0,
        size_delta: 0.0,
    };
    while i < base.len() && j < cur.len() {
        let (a, b) = (base[i].0, cur[j].0);
        if a < b {
            row.deleted_count += 1;
            row.freed_size += base[i].1 as f64;
            i += 1;
        } else if a > b {
            row.new_count += 1;
            row.alloc_size += cur[j].1 as f64;
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
    for &(_, s) in &base[i..] {
        row.deleted_count += 1;
        row.freed_size += s as f64;
    }
    for &(_, s) in &cur[j..] {
        row.new_count += 1;
        row.alloc_size += s as f64;
    }
    row.delta_count = row.new_count as i64 - row.deleted_count as i64;
    row.size_delta = row.alloc_size - row.freed_size;
    (row.new_count > 0 || row.deleted_count > 0).then_some(row)
}

/// Class-level differences for snapshots whose ids are unrelated.
fn class_level(base: &DiffBase, cur: &Analysis, obs: &dyn Observer) -> Result<Vec<ComparisonRow>> {
    let matcher = InterfaceMatcher::new(&cur.classes.interfaces);
    let base_classes = base.classes_under(&matcher, &cur.classes.interfaces, obs)?;
    let mut by_key: HashMap<Vec<u8>, (Text, u64, f64, u64, f64)> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    for bc in &base_classes {
        let size: f64 = bc.nodes.iter().map(|&(_, s)| s as f64).sum();
        order.push(bc.key.0.clone());
        by_key.insert(
            bc.key.0.clone(),
            (bc.name.clone(), bc.nodes.len() as u64, size, 0, 0.0),
        );
    }
    for (r, _) in cur.public_rows(cur.all_aggregates()) {
        let e = by_key.entry(r.key.0.clone()).or_insert_with(|| {
            order.push(r.key.0.clone());
            (r.name.clone(), 0, 0.0, 0, 0.0)
        });
        e.0 = r.name.clone();
        e.3 = r.count;
        e.4 = r.shallow_size;
    }
    Ok(order
        .into_iter()
        .filter_map(|k| {
            let (name, bc, bs, cc, cs) = by_key.remove(&k)?;
            let delta = cc as i64 - bc as i64;
            let size_delta = cs - bs;
            (delta != 0 || size_delta != 0.0).then(|| ComparisonRow {
                name,
                key: Text(k),
                new_count: delta.max(0) as u64,
                deleted_count: (-delta).max(0) as u64,
                delta_count: delta,
                alloc_size: size_delta.max(0.0),
                freed_size: (-size_delta).max(0.0),
                size_delta,
            })
        })
        .collect())
}

/// Per class-name string id: `pred` of the class's name for the names classes use, false for
/// other strings.
fn per_class_name(a: &Analysis, pred: impl Fn(&str) -> bool) -> Vec<bool> {
    let mut out = vec![false; a.snap.strings.len()];
    for &c in &a.classes.key_name {
        out[c.index()] = pred(&a.snap.strings.get(c));
    }
    out
}

/// Objects in both snapshots whose retained size grew. A grower is skipped when one object it
/// immediately dominates explains most (80 %) of its growth: that one is the better answer.
fn growers(
    base: &DiffBase,
    cur: &Analysis,
    opts: &DiffOptions,
    top: usize,
    obs: &dyn Observer,
) -> Result<Vec<Grower>> {
    use rayon::prelude::*;
    let mut poll = Poll::new(obs);
    let synthetic = cur.snap.header.meta.node_types.synthetic;
    let root = cur.snap.root as usize;
    let keep = per_class_name(cur, |name| opts.keeps_class(name));
    // Each object's retained size in the first snapshot (NaN: not there), looked up once, in
    // chunks that each look at the observer first.
    let mut before: Vec<f64> = vec![f64::NAN; cur.node_count()];
    before
        .par_chunks_mut(1 << 16)
        .zip(cur.snap.node_id.par_chunks(1 << 16))
        .try_for_each(|(out, ids)| -> Result<()> {
            check(obs)?;
            for (b, &id) in out.iter_mut().zip(ids) {
                *b = base.retained_of(id).unwrap_or(f64::NAN);
            }
            Ok(())
        })?;
    check(obs)?;
    let mut cands: Vec<(usize, f64, f64)> = (0..cur.node_count())
        .filter_map(|o| {
            let b = before[o];
            if b.is_nan() || o == root || cur.snap.node_type[o] == synthetic {
                return None;
            }
            if cur.retained[o] < opts.min_retained_size || !keep[cur.classes.class_of(o).index()] {
                return None;
            }
            let growth = cur.retained[o] - b;
            (growth > 0.0).then_some((o, b, growth))
        })
        .collect();
    // How much of each candidate's growth one child explains: a growing child, or a child
    // allocated since the first snapshot (it is listed under `allocated`). Internal storage
    // (`(array)`, `(system)`, …) explains nothing: the object that owns it is the answer.
    let internal = per_class_name(cur, is_internal_class);
    let mut is_cand = crate::analysis::bits::BitVec::new(cur.node_count());
    for &(o, _, _) in &cands {
        is_cand.set(o);
    }
    let mut best_child: HashMap<u32, f64> = HashMap::new();
    for o in 0..cur.node_count() {
        poll.tick()?;
        let d = cur.dominator[o];
        if o == root || !is_cand.get(d as usize) || internal[cur.classes.class_of(o).index()] {
            continue;
        }
        let explained = if before[o].is_nan() {
            cur.retained[o]
        } else {
            cur.retained[o] - before[o]
        };
        let e = best_child.entry(d).or_insert(0.0);
        if explained > *e {
            *e = explained;
        }
    }
    drop(before);
    cands.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)));
    Ok(cands
        .into_iter()
        .filter(|&(o, _, g)| best_child.get(&(o as u32)).is_none_or(|&c| c < 0.8 * g))
        .take(top)
        .map(|(o, before, growth)| Grower {
            node: cur.node(o),
            retained_before: before,
            retained_after: cur.retained[o],
            growth,
            retainer_path: path_steps(cur, o),
            location: cur.location(o),
        })
        .collect())
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

fn verdict(
    opts: &DiffOptions,
    size_delta: f64,
    classes: &[ComparisonRow],
    totals: &ComparisonRow,
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
            dc += r.delta_count;
            ds += r.size_delta;
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
