// The query primitives on hand-written snapshots: pages of edges, dominated nodes, Summary rows
// and instances; several retainer paths; explain; peek.

use crate::support::Graph;
use heapwise_engine::{parse, NodeOrd, NodeSort, SummarySort, Window};

/// Two routes to `Target`; it holds three `Child`ren of different sizes.
///
/// ```text
///   R --1--> A "Holder"(10) --x--> T "Target"(100) --c1--> C1 "Child"(5)
///   R --2--> B "Other"(10)  --y--> T               --c2--> C2 "Child"(7)
///                                                  --c3--> C3 "Child"(3)
///   dominator tree: R -> A, B, T;  T -> C1, C2, C3
/// ```
fn two_routes() -> (Graph, [usize; 6]) {
    let mut g = Graph::new();
    let r = g.root();
    let a = g.obj("Holder", 10);
    let b = g.obj("Other", 10);
    let t = g.obj("Target", 100);
    let c1 = g.obj("Child", 5);
    let c2 = g.obj("Child", 7);
    let c3 = g.obj("Child", 3);
    g.el(r, a);
    g.el(r, b);
    g.prop(a, "x", t);
    g.prop(b, "y", t);
    g.prop(t, "c1", c1);
    g.prop(t, "c2", c2);
    g.prop(t, "c3", c3);
    (g, [a, b, t, c1, c2, c3])
}

fn ord(o: usize) -> NodeOrd {
    NodeOrd(o as u32)
}

#[test]
fn pages_of_references_retainers_and_dominated() {
    let (g, [a, b, t, c1, c2, c3]) = two_routes();
    let an = g.analyse();
    let refs = an.references_page(ord(t), Window::new(1, 1));
    assert_eq!((refs.total, refs.offset), (3, 1));
    assert_eq!(refs.items.len(), 1);
    assert_eq!(
        (refs.items[0].name.as_str(), refs.items[0].node),
        ("c2", ord(c2))
    );
    // Every page concatenated is the whole list.
    let whole = an.references(ord(t));
    let pages: Vec<_> = (0..4)
        .flat_map(|i| an.references_page(ord(t), Window::new(i, 1)).items)
        .collect();
    assert_eq!(pages, whole);
    // Retainers in DevTools' order: reverse (source, edge) order, so B's edge first.
    let ret = an.retainers_page(ord(t), Window::new(0, 10));
    assert_eq!(ret.total, 2);
    let from: Vec<NodeOrd> = ret.items.iter().map(|e| e.node).collect();
    assert_eq!(from, [ord(b), ord(a)]);
    assert_eq!(ret.items, an.retainers_of(ord(t)));
    let second = an.retainers_page(ord(t), Window::new(1, 5));
    assert_eq!((second.total, second.offset, second.items.len()), (2, 1, 1));
    assert_eq!(second.items[0].node, ord(a));
    // Past the end: empty, offset clamped.
    let past = an.retainers_page(ord(t), Window::new(7, 5));
    assert_eq!((past.total, past.offset, past.items.len()), (2, 2, 0));
    // Dominated: retained size descending: C2 (7), C1 (5), C3 (3).
    let dom = an.dominated_page(ord(t), Window::new(1, 2));
    assert_eq!(dom.total, 3);
    assert_eq!(dom.items, [ord(c1), ord(c3)]);
    let all: Vec<NodeOrd> = (0..3)
        .flat_map(|i| an.dominated_page(ord(t), Window::new(i, 1)).items)
        .collect();
    assert_eq!(all, [ord(c2), ord(c1), ord(c3)]);
    assert_eq!(all, an.dominated_by(ord(t)));
    assert!(an
        .dominated_page(ord(t), Window::new(0, 0))
        .items
        .is_empty());
}

#[test]
fn summary_page_filters_sorts_and_pages() {
    let (g, _) = two_routes();
    let an = g.analyse();
    let all = an.summary_page("", SummarySort::RetainedSize, true, Window::new(0, 1000));
    assert_eq!(all.items, an.summary(), "the default order is summary()'s");
    // Case-insensitive substring of the class name.
    let p = an.summary_page("CHI", SummarySort::RetainedSize, true, Window::default());
    assert_eq!(p.total, 1);
    assert_eq!(p.items[0].name, "Child");
    assert_eq!(p.items[0].count, 3);
    // "Holder", "Other" and "Target" contain an 'e'; by name ascending, two per page.
    let e1 = an.summary_page("e", SummarySort::Name, false, Window::new(0, 2));
    let e2 = an.summary_page("e", SummarySort::Name, false, Window::new(2, 2));
    let names: Vec<String> = e1
        .items
        .iter()
        .chain(&e2.items)
        .map(|r| r.name.to_string())
        .collect();
    assert_eq!((e1.total, e2.offset), (3, 2));
    assert_eq!(names, ["Holder", "Other", "Target"]);
    let by_count = an.summary_page("", SummarySort::Count, true, Window::new(0, 1));
    assert_eq!(by_count.items[0].name, "Child");
}

#[test]
fn instances_are_the_objects_a_summary_row_counts() {
    let (g, [.., c1, c2, c3]) = two_routes();
    let an = g.analyse();
    for row in an.summary() {
        let p = an.instances(
            &row.key.0,
            NodeSort::RetainedSize,
            true,
            None,
            Window::new(0, 10_000),
        );
        assert_eq!(p.total as u64, row.count, "{}", row.name);
        assert_eq!(p.items.len() as u64, row.count);
    }
    let by_retained = an.instances(
        b",Child",
        NodeSort::RetainedSize,
        true,
        None,
        Window::new(0, 2),
    );
    assert_eq!(by_retained.total, 3);
    assert_eq!(by_retained.items, [ord(c2), ord(c1)]);
    let rest = an.instances(
        b",Child",
        NodeSort::RetainedSize,
        true,
        None,
        Window::new(2, 2),
    );
    assert_eq!(rest.items, [ord(c3)]);
    let by_id = an.instances(b",Child", NodeSort::Id, false, None, Window::new(0, 3));
    assert_eq!(by_id.items, [ord(c1), ord(c2), ord(c3)]);
    // Only those newer than C1 (ids above its id): what was allocated since a snapshot whose
    // largest id was C1's.
    let newer = an.instances(
        b",Child",
        NodeSort::Id,
        false,
        Some(g.id(c1)),
        Window::new(0, 3),
    );
    assert_eq!((newer.total, newer.items), (2, vec![ord(c2), ord(c3)]));
    let smallest = an.instances(
        b",Child",
        NodeSort::ShallowSize,
        false,
        None,
        Window::new(0, 1),
    );
    assert_eq!(smallest.items, [ord(c3)]);
    assert_eq!(
        an.instances(b",Nope", NodeSort::Id, true, None, Window::default())
            .total,
        0
    );
}

#[test]
fn retainer_paths_leave_the_shortest_at_one_step() {
    let (g, [a, b, t, ..]) = two_routes();
    let an = g.analyse();
    let paths = an.retainer_paths(ord(t), 5);
    // R -> A -> T first (tie on distance, "Holder" < "Other"), then R -> B -> T.
    assert_eq!(paths.len(), 2);
    assert_eq!(Some(paths[0].clone()), an.retainer_path(ord(t)));
    let nodes = |p: &Vec<(Option<_>, NodeOrd)>| p.iter().map(|s| s.1).collect::<Vec<_>>();
    assert_eq!(nodes(&paths[0]), [an.root(), ord(a), ord(t)]);
    assert_eq!(nodes(&paths[1]), [an.root(), ord(b), ord(t)]);
    let steps = an.steps_of(paths[1].clone());
    assert_eq!(steps[2].edge.as_deref(), Some("y"));
    assert_eq!(an.retainer_paths(ord(t), 1).len(), 1);
    assert!(an.retainer_paths(ord(t), 0).is_empty());
}

/// Two spur paths of one length: the one that leaves the shortest path nearer the object comes
/// first; a retainer whose own path runs through the object's suffix (a cycle) gives none.
///
/// ```text
///   R --1--> A --a--> M --m--> O        shortest: R A M O ("A" < "B", "M" < "Z")
///   R --2--> B --b--> M                 leaves at M: R B M O
///   R --3--> C --c--> Z --z--> O        leaves at O: R C Z O (nearer the object: first)
///   O --loop--> M                       a cycle: R A M O M O is never a path
/// ```
#[test]
fn retainer_paths_rank_by_length_then_nearness() {
    let mut g = Graph::new();
    let r = g.root();
    let a = g.obj("A", 1);
    let b = g.obj("B", 1);
    let c = g.obj("C", 1);
    let m = g.obj("M", 1);
    let z = g.obj("Z", 1);
    let o = g.obj("O", 1);
    g.el(r, a);
    g.el(r, b);
    g.el(r, c);
    g.prop(a, "a", m);
    g.prop(b, "b", m);
    g.prop(c, "c", z);
    g.prop(m, "m", o);
    g.prop(z, "z", o);
    g.prop(o, "loop", m);
    let an = g.analyse();
    let paths = an.retainer_paths(ord(o), 10);
    let nodes: Vec<Vec<usize>> = paths
        .iter()
        .map(|p| p.iter().map(|s| s.1.index()).collect())
        .collect();
    assert_eq!(
        nodes,
        [vec![r, a, m, o], vec![r, c, z, o], vec![r, b, m, o]]
    );
    assert_eq!(Some(paths[0].clone()), an.retainer_path(ord(o)));
}

/// ```text
///   R --> P "Parent" --> Q "Mid" --> S "Leaf"(1) --> I1, I2, I3 "Item"(10 each)
///                                                --> T "Thing"(50) --> Z (zero size)
///   dominator chain of S: Q, P
/// ```
#[test]
fn explain_names_the_dominators_and_the_retained_classes() {
    let mut g = Graph::new();
    let r = g.root();
    let p = g.obj("Parent", 1);
    let q = g.obj("Mid", 1);
    let s = g.obj("Leaf", 1);
    g.el(r, p);
    g.prop(p, "q", q);
    g.prop(q, "leaf", s);
    for name in ["i1", "i2", "i3"] {
        let i = g.obj("Item", 10);
        g.prop(s, name, i);
    }
    let t = g.obj("Thing", 50);
    g.prop(s, "thing", t);
    let z = g.obj("Zero", 0);
    g.prop(t, "z", z);
    let an = g.analyse();
    let e = an.explain(ord(s));
    assert_eq!(e.dominators, [ord(q), ord(p)]);
    assert_eq!(e.node.retained_size, 81.0);
    let classes: Vec<(&str, u64, f64)> = e
        .retained_classes
        .iter()
        .map(|c| (c.name.as_str(), c.count, c.size))
        .collect();
    assert_eq!(classes, [("Thing", 1, 50.0), ("Item", 3, 30.0)]);
    assert!(!e.retained_classes_partial);
    assert_eq!(e.held_objects, 4);
    assert_eq!(e.paths.len(), 1);
    assert_eq!(e.path_text, heapwise_engine::path_text(&e.paths[0]));
    assert_eq!(e.dominated.total, 4);
    assert_eq!(e.dominated.items[0], ord(t));
    assert_eq!(e.retainers.total, 1);
    assert!(e.allocation_stack.is_none());
    assert!(
        e.sentence
            .starts_with(&format!("Leaf @{} (81 B retained) is held by ", g.id(s))),
        "{}",
        e.sentence
    );
    assert!(
        e.sentence
            .ends_with("; it holds 4 objects, mostly Thing (50 B)"),
        "{}",
        e.sentence
    );
    // The root has no dominators and no path.
    let root = an.explain(an.root());
    assert!(root.dominators.is_empty());
    assert_eq!(root.path_text, "(root)");
    assert!(root.sentence.contains("is the root"), "{}", root.sentence);
}

#[test]
fn peek_reads_the_counts_from_the_header() {
    let (g, _) = two_routes();
    let file = g.write_temp("peek");
    let h = parse::peek(&file).unwrap();
    let an = g.analyse();
    assert_eq!(h.node_count as usize, an.node_count());
    assert_eq!(h.edge_count as usize, an.edge_count());
    assert_eq!(h.file_size, std::fs::metadata(&*file).unwrap().len());
    assert_eq!(h.node_fields.len(), 6);
    assert!(h.has_detachedness && h.has_locations && !h.has_allocation_traces);
    assert_eq!(
        h.v8.as_deref(),
        Some(">= 12.5"),
        "detachedness, no trace_node_id"
    );
}

#[test]
fn diff_of_loaded_analyses_equals_diff_of_files() {
    use heapwise_engine::diff::{diff, diff_analyses, DiffOptions};
    use heapwise_engine::{Analysis, Quiet};
    let (g1, _) = two_routes();
    let (mut g2, [_, _, t, ..]) = two_routes();
    for _ in 0..5 {
        let n = g2.obj("Child", 11);
        g2.prop(t, "more", n);
    }
    let (f1, f2) = (g1.write_temp("before"), g2.write_temp("after"));
    let opts = DiffOptions::default();
    let from_files = diff(&f1, &f2, &opts, &Quiet).unwrap();
    let a = Analysis::from_path(&f1, &Quiet).unwrap();
    let b = Analysis::from_path(&f2, &Quiet).unwrap();
    let loaded = diff_analyses(&a, &b, &opts, &Quiet).unwrap();
    assert_eq!(loaded, from_files);
    assert!(!loaded.classes.is_empty());
    let with_final = DiffOptions {
        final_snapshot: Some(f2.to_path_buf()),
        ..DiffOptions::default()
    };
    let e = diff_analyses(&a, &b, &with_final, &Quiet).unwrap_err();
    assert_eq!(e.code(), "ERR_HEAPWISE_INVALID_ARGUMENT");
}

/// Plain objects sharing and not sharing property lists, a class, and strings.
///
/// ```text
///   R --1--> P1 Object{user, roles}(20)   R --4--> S1 string "session-alpha"(30)
///   R --2--> P2 Object{user, roles}(40)   R --5--> S2 string "beta"(8)
///   R --3--> P3 Object{prefs}(10)         R --6--> K  "Cache"(50) --entries--> Z "Cache"(0)
/// ```
/// `find("user")`: P2, P1 (display names `{user, roles}`), largest first. `find("r, ro")` spans
/// the separator: P2, P1. `find("alpha")`: S1. `find("Cache")`: K only (Z has no size).
/// `find("")`: every node with a size.
#[test]
fn find_by_name_matches_names_classes_and_display_names() {
    let mut g = Graph::new();
    let r = g.root();
    let p1 = g.obj("Object", 20);
    let p2 = g.obj("Object", 40);
    let p3 = g.obj("Object", 10);
    let s1 = g.node("string", "session-alpha", 30);
    let s2 = g.node("string", "beta", 8);
    let k = g.obj("Cache", 50);
    let z = g.obj("Cache", 0);
    for (i, o) in [p1, p2, p3, s1, s2, k].into_iter().enumerate() {
        g.edge(r, "element", &(i + 1).to_string(), o);
    }
    for p in [p1, p2] {
        g.prop(p, "user", s2);
        g.prop(p, "roles", s2);
    }
    g.prop(p3, "prefs", s2);
    g.prop(k, "entries", z);
    let an = g.analyse();
    let find = |p: &str| an.find_by_name(p, 100);
    assert_eq!(find("user"), [ord(p2), ord(p1)]);
    assert_eq!(find("r, ro"), [ord(p2), ord(p1)]);
    assert_eq!(find("{prefs}"), [ord(p3)]);
    assert_eq!(find("alpha"), [ord(s1)]);
    assert_eq!(find("Cache"), [ord(k)]);
    assert_eq!(find("nothing like it"), []);
    assert_eq!(an.find_by_name("user", 1), [ord(p2)]);
    let all = find("");
    assert!(all.contains(&ord(k)) && !all.contains(&ord(z)));
    // Every node with a size, largest retained size first.
    let sizes: Vec<f64> = all.iter().map(|&o| an.node(o).retained_size).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
}
