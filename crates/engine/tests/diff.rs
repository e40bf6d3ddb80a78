// diff: Comparison rows, growers, verdict, final-mode leaks and the cross-process fallback, on
// hand-written snapshots whose objects keep their ids between "before" and "after".

use crate::support::{Graph, TempSnapshot};
use heapwise_engine::diff::{diff, ClassLimit, DiffOptions, HeapDiff, Pattern};
use heapwise_engine::{path_text, Quiet};

/// One process at three moments. Ids are fixed by hand: 101, 103, … are the same objects in
/// every snapshot that has them.
///
/// ```text
/// before:  (root) ─shortcut→ global ─list→ Array ─[1]→ Foo@101  ─[2]→ Foo@103  ─[3]→ Bar@105
/// after:   (root) ─shortcut→ global ─list→ Array ─[1]→ Foo@101  ─[2]→ Foo@207  ─[3]→ Baz@209 ─[4]→ Baz@211
/// final:   (root) ─shortcut→ global ─list→ Array ─[1]→ Foo@101  ─[2]→ Baz@209  ─[3]→ Qux@313
/// ```
/// (ids only grow within a process: objects new in `after` have ids above `before`'s maximum,
/// 199, carried by a `Marker` node; element edges are numbered from 1, as V8 auto-indexes them).
fn snapshot(members: &[(&str, u32, u64)], max_id: u32) -> Graph {
    let mut g = Graph::new();
    let global = g.obj("global", 40);
    g.set_id(global, 51);
    let array = g.obj("Array", 32);
    g.set_id(array, 53);
    let r = g.root();
    g.shortcut(r, global);
    g.prop(global, "list", array);
    for &(name, id, size) in members {
        let o = g.obj(name, size);
        g.set_id(o, id);
        g.el(array, o);
    }
    // A node carrying the highest id the process has handed out so far.
    let marker = g.obj("Marker", 8);
    g.set_id(marker, max_id);
    g.prop(global, "marker", marker);
    g
}

fn write_all() -> (TempSnapshot, TempSnapshot, TempSnapshot) {
    let before = snapshot(&[("Foo", 101, 16), ("Foo", 103, 16), ("Bar", 105, 24)], 199);
    let after = snapshot(
        &[
            ("Foo", 101, 16),
            ("Foo", 207, 16),
            ("Baz", 209, 100),
            ("Baz", 211, 100),
        ],
        299,
    );
    let fin = snapshot(&[("Foo", 101, 16), ("Baz", 209, 100), ("Qux", 313, 8)], 399);
    (
        before.write_temp("before"),
        after.write_temp("after"),
        fin.write_temp("final"),
    )
}

fn row<'a>(d: &'a HeapDiff, name: &str) -> &'a heapwise_engine::diff::ComparisonRow {
    d.classes
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

#[test]
fn comparison_counts_objects_matched_by_id() {
    let (b, a, _) = write_all();
    let d = diff(&b, &a, &DiffOptions::default(), &Quiet).unwrap();
    assert!(d.same_process);
    // Foo: 101 in both (not counted), 103 deleted, 207 new.
    let foo = row(&d, "Foo");
    assert_eq!(
        (
            foo.counts.new_count,
            foo.counts.deleted_count,
            foo.counts.delta_count
        ),
        (1, 1, 0)
    );
    assert_eq!(
        (
            foo.counts.alloc_size,
            foo.counts.freed_size,
            foo.counts.size_delta
        ),
        (16.0, 16.0, 0.0)
    );
    let bar = row(&d, "Bar");
    assert_eq!(
        (
            bar.counts.new_count,
            bar.counts.deleted_count,
            bar.counts.freed_size
        ),
        (0, 1, 24.0)
    );
    let baz = row(&d, "Baz");
    assert_eq!(
        (
            baz.counts.new_count,
            baz.counts.deleted_count,
            baz.counts.alloc_size
        ),
        (2, 0, 200.0)
    );
    assert!(
        d.classes.iter().all(|r| r.name != "Array"),
        "unchanged classes are omitted"
    );
    assert_eq!(
        d.totals.new_count,
        d.classes.iter().map(|r| r.counts.new_count).sum::<u64>()
    );
    // Rows are ordered by allocated size.
    assert_eq!(d.classes[0].name, "Baz");
    // Allocated between: ids in (199, 299] alive in `after`.
    let names: Vec<String> = d.allocated.iter().map(|r| r.name.to_string()).collect();
    assert!(
        names.contains(&"Baz".to_owned()) && names.contains(&"Marker".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"Foo".to_owned()),
        "Foo@207 was allocated between the snapshots"
    );
    let foo = d.allocated.iter().find(|r| r.name == "Foo").unwrap();
    assert_eq!(foo.count, 1, "Foo@101 is older than the first snapshot");
}

#[test]
fn growers_point_at_the_holder_with_its_path() {
    let (b, a, _) = write_all();
    let d = diff(&b, &a, &DiffOptions::default(), &Quiet).unwrap();
    let g = &d.growers[0];
    assert_eq!(
        g.node.class_name, "Array",
        "the array holding the new Baz objects, not global"
    );
    assert_eq!(g.growth, g.retained_after - g.retained_before);
    assert_eq!(g.growth, 200.0 + 16.0 - 16.0 - 24.0);
    assert_eq!(path_text(&g.retainer_path), "global.list");
}

#[test]
fn verdict_reports_each_exceeded_threshold() {
    let (b, a, _) = write_all();
    let ok = diff(
        &b,
        &a,
        &DiffOptions {
            max_growth_bytes: Some(1e6),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert!(ok.verdict.ok && ok.verdict.reasons.is_empty());
    let opts = DiffOptions {
        max_growth_bytes: Some(10.0),
        max_new_objects: Some(1.0),
        class_limits: vec![ClassLimit {
            name: "Baz".into(),
            max_count: Some(1.0),
            max_size: Some(50.0),
        }],
        ..Default::default()
    };
    let bad = diff(&b, &a, &opts, &Quiet).unwrap();
    assert!(!bad.verdict.ok);
    let reasons: Vec<&str> = bad
        .verdict
        .reasons
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    let kinds: Vec<&str> = bad
        .verdict
        .reasons
        .iter()
        .map(|r| r.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        ["growth", "new-objects", "class-count", "class-size"]
    );
    assert!(bad
        .verdict
        .reasons
        .iter()
        .all(|r| r.limit.is_some() && r.actual > r.limit.unwrap()));
    let reasons = reasons.join("\n");
    assert_eq!(bad.verdict.reasons.len(), 4, "{reasons}");
    assert!(reasons.contains("the heap grew by"), "{reasons}");
    assert!(reasons.contains("new objects"), "{reasons}");
    assert!(reasons.contains("Baz gained 2 objects"), "{reasons}");
    assert!(reasons.contains("Baz grew by"), "{reasons}");
}

#[test]
fn ignore_patterns_filter_rows() {
    let (b, a, _) = write_all();
    let opts = DiffOptions {
        ignore: vec![Pattern::parse("/^ba/i").unwrap()],
        ..Default::default()
    };
    let d = diff(&b, &a, &opts, &Quiet).unwrap();
    assert!(d.classes.iter().all(|r| r.name != "Bar" && r.name != "Baz"));
    assert!(d.classes.iter().any(|r| r.name == "Foo"));
    assert!(Pattern::parse("/[/").is_err());
}

#[test]
fn final_mode_finds_objects_allocated_between_baseline_and_target_still_alive() {
    let (b, a, f) = write_all();
    let d = diff(
        &b,
        &a,
        &DiffOptions {
            final_snapshot: Some(f.to_path_buf()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    // Allocated in target: Foo@207, Baz@209, Baz@211, Marker@299. Alive in final: Baz@209 only
    // (Qux@313 came later, Foo@101 was there from the start).
    let names: Vec<String> = d.leaks.iter().map(|l| l.name.to_string()).collect();
    assert_eq!(names, vec!["Baz"], "{:?}", d.leaks);
    assert_eq!(d.leaks[0].count, 1);
    assert_eq!(d.leaks[0].ids, vec![209]);
    assert_eq!(path_text(&d.leaks[0].retainer_path), "global.list[2]");
    let first = &d.verdict.reasons[0];
    assert_eq!(first.kind.as_str(), "leak-group");
    assert!(!d.verdict.ok && first.message.starts_with("leak: 1 Baz"));
    assert!(
        first.message.ends_with("held by global.list[2]"),
        "{}",
        first.message
    );
}

#[test]
fn unrelated_processes_fall_back_to_class_level_differences() {
    let (_, a, _) = write_all();
    // A "before" whose ids are all higher than the "after" ones, none shared: another process.
    let mut other = snapshot(&[("Foo", 901, 16), ("Bar", 903, 24)], 999);
    other.set_id(1, 951); // global
    other.set_id(2, 953); // the array
    let o = other.write_temp("other");
    let d = diff(&o, &a, &DiffOptions::default(), &Quiet).unwrap();
    assert!(!d.same_process);
    assert!(d.warnings.iter().any(|w| w.contains("different processes")));
    let foo = row(&d, "Foo"); // 1 → 2 objects
    assert_eq!(
        (
            foo.counts.new_count,
            foo.counts.deleted_count,
            foo.counts.delta_count
        ),
        (1, 0, 1)
    );
    assert!(d.growers.is_empty() && d.allocated.is_empty());
}

#[test]
fn snapshots_given_newest_first_are_still_matched_by_id() {
    // `diff(after, before)`: one process, newest first. Objects are matched by id as DevTools'
    // Comparison matches them in either order; the warning says which snapshot is newer.
    let (b, a, _) = write_all();
    let d = diff(&a, &b, &DiffOptions::default(), &Quiet).unwrap();
    assert!(d.same_process);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("is newer than the second")),
        "{:?}",
        d.warnings
    );
    // Foo: 101 in both; 207 only in the first argument (deleted), 103 only in the second (new).
    let foo = row(&d, "Foo");
    assert_eq!((foo.counts.new_count, foo.counts.deleted_count), (1, 1));
    let baz = row(&d, "Baz");
    assert_eq!((baz.counts.new_count, baz.counts.deleted_count), (0, 2));
    assert!(d.growers.is_empty() && d.findings.is_empty());
}
