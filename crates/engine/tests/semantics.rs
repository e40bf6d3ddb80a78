// Hand-written snapshots for shallow sizes, distances, Summary, class names, Statistics, parse errors.

use crate::support::{analyse_json, assert_tree_invariants, find, parse_error, Graph};
use heapwise_engine::{ErrorKind, NodeOrd};

/// §2.5: internal storage (`array`, `hidden`) that exactly one object owns moves its size onto
/// that object, through chains of internal nodes; storage owned by two objects, by the root, or
/// only weakly stays where it is.
///
/// ```text
///   R --> Foo(10) --> arr1(array 100)
///         Foo     --> h(hidden 5) --> deep(array 3)
///         Foo     ..> weakarr(array 9)        (weak: no owner)
///   R --> Bar(20) --> shared(array 50)
///   R --> Baz(30) --> shared
///   R --> rootarr(array 7)                    (owned by the root: stays)
/// ```
#[test]
fn shallow_size_attribution() {
    let mut g = Graph::new();
    let r = g.root();
    let foo = g.obj("Foo", 10);
    let arr1 = g.node("array", "arr1", 100);
    let h = g.node("hidden", "h", 5);
    let deep = g.node("array", "deep", 3);
    let weakarr = g.node("array", "weakarr", 9);
    let bar = g.obj("Bar", 20);
    let baz = g.obj("Baz", 30);
    let shared = g.node("array", "shared", 50);
    let rootarr = g.node("array", "rootarr", 7);
    g.el(r, foo);
    g.el(r, bar);
    g.el(r, baz);
    g.el(r, rootarr);
    g.internal(foo, "elements", arr1);
    g.internal(foo, "h", h);
    g.edge(h, "hidden", "1", deep);
    g.weak(foo, weakarr);
    g.internal(bar, "elements", shared);
    g.internal(baz, "elements", shared);
    let a = g.analyse();
    let shallow = |o: usize| a.shallow_sizes()[o];
    assert_eq!(shallow(foo), 10 + 100 + 5 + 3);
    assert_eq!((shallow(arr1), shallow(h), shallow(deep)), (0, 0, 0));
    assert_eq!(shallow(weakarr), 9);
    assert_eq!((shallow(bar), shallow(baz), shallow(shared)), (20, 30, 50));
    assert_eq!(shallow(rootarr), 7);
    // The raw self sizes are kept; the sum is preserved.
    assert_eq!(a.snapshot().self_size[arr1], 100);
    let total: u64 = a.shallow_sizes().iter().map(|&s| s as u64).sum();
    assert_eq!(total, 10 + 100 + 5 + 3 + 9 + 20 + 30 + 50 + 7);
    assert_eq!(a.retained_sizes()[foo], 118.0);
    assert_tree_invariants(&a);
    // Zero-size nodes drop out of the Summary (§3.4): `(array)` counts only what stayed.
    let rows = a.summary();
    let array_row = rows.iter().find(|r| r.name == "(array)").unwrap();
    assert_eq!(array_row.count, 3, "weakarr, shared and rootarr");
    assert_eq!(array_row.shallow_size, 66.0);
    assert!(rows.iter().all(|r| r.name != "(system)"));
}

/// §2.5 and §2.8.1 without user roots (an "expose internals" snapshot: the root reaches only
/// synthetic nodes): no attribution, and distances start at 0 from the root.
///
/// ```text
///   R --> (GC roots) --> Foo(10) --> arr(array 100)
/// ```
#[test]
fn no_user_roots_means_no_attribution_and_root_distance_zero() {
    let mut g = Graph::new();
    let r = g.root();
    let gc = g.node("synthetic", "(GC roots)", 0);
    let foo = g.obj("Foo", 10);
    let arr = g.node("array", "arr", 100);
    g.el(r, gc);
    g.internal(gc, "1 / foo", foo);
    g.internal(foo, "elements", arr);
    let a = g.analyse();
    assert_eq!((a.shallow_sizes()[foo], a.shallow_sizes()[arr]), (10, 100));
    assert_eq!(a.retained_sizes()[foo], 110.0);
    assert_eq!(
        (
            a.distances()[r],
            a.distances()[gc],
            a.distances()[foo],
            a.distances()[arr]
        ),
        (0, 1, 2, 3)
    );
}

/// §2.8: user roots (the root's non-synthetic targets and `(Document DOM trees)`) are at 1;
/// what only the root's system side reaches is at 100000000 + k; weak edges are not followed;
/// unreachable nodes are at -5.
///
/// ```text
///   R --> (GC roots) --> (Strong roots) --> Z
///   R ==> global --> V ..> W (weak)          (Strong roots) --> V
///   R --> (Document DOM trees) --> div       N (unreachable)
/// ```
#[test]
fn distances() {
    let mut g = Graph::new();
    let r = g.root();
    let gc = g.node("synthetic", "(GC roots)", 0);
    let strong = g.node("synthetic", "(Strong roots)", 0);
    let z = g.obj("Z", 1);
    let global = g.obj("global", 1);
    let v = g.obj("V", 1);
    let w = g.obj("W", 1);
    let dom = g.node("synthetic", "(Document DOM trees)", 0);
    let div = g.node("native", "HTMLDivElement", 1);
    let n = g.obj("N", 1);
    g.el(r, gc);
    g.shortcut(r, global);
    g.el(r, dom);
    g.el(gc, strong);
    g.internal(strong, "1 / z", z);
    g.internal(strong, "2 / v", v);
    g.prop(global, "v", v);
    g.weak(v, w);
    g.el(dom, div);
    let a = g.analyse();
    let d = |o: usize| a.distances()[o];
    assert_eq!((d(global), d(dom)), (1, 1));
    assert_eq!((d(v), d(div)), (2, 2));
    assert_eq!(d(w), -5, "only a weak edge leads to W");
    assert_eq!(d(n), -5);
    assert_eq!(d(r), 100_000_000);
    assert_eq!(
        (d(gc), d(strong), d(z)),
        (100_000_001, 100_000_002, 100_000_003)
    );
    assert_eq!(a.node(NodeOrd::from_index(v)).distance, 2);
}

/// §3.4: per class, count and shallow size skip zero-size nodes, distance is the minimum over
/// the counted nodes, and the class retained size counts a node only if no dominator-tree
/// ancestor of the same class was counted (Foo2 sits under Foo1). A zero-size Foo does not
/// count and does not hide the Foo under it.
///
/// ```text
///   R --> Holder(1) --> Foo1(10) --> Bar(5) --> Foo2(20)
///         Holder    --> Foo3(40)
///   R --> Foo0(0) --> Foo4(8)
/// ```
#[test]
fn summary_aggregates() {
    let mut g = Graph::new();
    let r = g.root();
    let holder = g.obj("Holder", 1);
    let foo1 = g.obj("Foo", 10);
    let bar = g.obj("Bar", 5);
    let foo2 = g.obj("Foo", 20);
    let foo3 = g.obj("Foo", 40);
    let foo0 = g.obj("Foo", 0);
    let foo4 = g.obj("Foo", 8);
    g.el(r, holder);
    g.el(r, foo0);
    g.prop(holder, "a", foo1);
    g.prop(holder, "b", foo3);
    g.prop(foo1, "bar", bar);
    g.prop(bar, "foo", foo2);
    g.prop(foo0, "foo", foo4);
    let a = g.analyse();
    assert_eq!(a.retained_sizes()[foo1], 35.0);
    let rows = a.summary();
    let names: Vec<String> = rows.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(
        names,
        ["Foo", "Holder", "Bar"],
        "largest retained size first"
    );
    let foo = &rows[0];
    assert_eq!(foo.key.to_string(), ",Foo");
    assert_eq!(foo.count, 4);
    assert_eq!(foo.shallow_size, 78.0);
    assert_eq!(
        foo.distance, 2,
        "Foo0 (distance 1) has size 0 and is not counted"
    );
    assert_eq!(
        foo.retained_size,
        35.0 + 40.0 + 8.0,
        "Foo2 is inside Foo1's subtree"
    );
    assert_eq!((rows[1].count, rows[1].retained_size), (1, 76.0));
    assert_eq!(
        (rows[2].count, rows[2].retained_size, rows[2].distance),
        (1, 25.0, 3)
    );
}

/// §3.1 class names by node type, `<tag …>` trimming (also after `Detached ` renaming, §2.2),
/// and §3.3 plain-object interfaces: a property list shared by at least two objects names
/// them, objects with more properties take the best subset, a lone shape stays `Object`.
#[test]
fn class_names() {
    let mut g = Graph::new();
    let r = g.root();
    let v = g.node("string", "v", 16);
    let add = |g: &mut Graph, ty: &'static str, name: &str| {
        let o = g.node(ty, name, 8);
        g.el(r, o);
        o
    };
    let cases = [
        ("hidden", "system / Foo", "(system)"),
        ("closure", "myFunction", "Function"),
        ("string", "hello", "(string)"),
        (
            "concatenated string",
            "(concatenated string)",
            "(concatenated string)",
        ),
        ("sliced string", "(sliced string)", "(sliced string)"),
        ("code", "system / Code", "(compiled code)"),
        ("regexp", "a+b", "RegExp"),
        ("number", "heap number", "(number)"),
        ("symbol", "symbol", "(symbol)"),
        ("bigint", "bigint", "(bigint)"),
        ("object shape", "system / Map", "(object shape)"),
        ("object", "Foo", "Foo"),
        ("native", "<div id=\"a\" class=\"b\">", "<div>"),
        ("native", "<br>", "<br>"),
        ("object", "<span title=x>", "<span>"),
        ("native", "HTMLDivElement", "HTMLDivElement"),
    ];
    let nodes: Vec<usize> = cases.iter().map(|&(t, n, _)| add(&mut g, t, n)).collect();
    let detached = add(&mut g, "native", "<p class=\"x\">");
    g.set_detachedness(detached, 2);
    let array = g.node("array", "", 8);
    g.internal(nodes[0], "store", array);
    // Plain objects.
    let mut plain = |props: &[&str]| {
        let o = g.obj("Object", 12);
        g.el(r, o);
        for p in props {
            g.prop(o, p, v);
        }
        o
    };
    let ab1 = plain(&["a", "b"]);
    let ab2 = plain(&["b", "a"]);
    let abc = plain(&["a", "b", "c"]);
    let proto = plain(&["__proto__", "a", "b"]);
    let x = plain(&["x"]);
    let empty = plain(&[]);
    let a = g.analyse();
    let class = |o: usize| a.node(NodeOrd::from_index(o)).class_name.to_string();
    for (&(_, name, expected), &o) in cases.iter().zip(&nodes) {
        assert_eq!(class(o), expected, "class of {name}");
    }
    assert_eq!(class(a.root().index()), "(synthetic)");
    assert_eq!(class(array), "(array)");
    assert_eq!(
        a.display_name(NodeOrd::from_index(detached)),
        "Detached <p class=\"x\">"
    );
    assert_eq!(class(detached), "Detached <p>");
    assert!(a.node(NodeOrd::from_index(detached)).detached);
    // `{a, b}` is shared by ab1 and proto (same property list once `__proto__` is left out);
    // `{b, a}` by ab2 alone, `{a, b, c}` by abc alone: those match the kept `{a, b}` set.
    assert_eq!(class(ab1), "{a, b}");
    assert_eq!(class(ab2), "{a, b}");
    assert_eq!(class(abc), "{a, b}");
    assert_eq!(class(proto), "{a, b}");
    assert_eq!(class(x), "Object");
    assert_eq!(class(empty), "Object");
    assert_eq!(a.display_name(NodeOrd::from_index(abc)), "{a, b, c}");
    assert_eq!(a.display_name(NodeOrd::from_index(ab2)), "{b, a}");
    assert_eq!(a.display_name(NodeOrd::from_index(proto)), "{a, b}");
    assert_eq!(a.display_name(NodeOrd::from_index(x)), "{x}");
    assert_eq!(a.display_name(NodeOrd::from_index(empty)), "{}");
    let rows = a.summary();
    let row = rows.iter().find(|r| r.name == "{a, b}").unwrap();
    assert_eq!((row.count, row.shallow_size), (4, 48.0));
    let row = rows.iter().find(|r| r.name == "Object").unwrap();
    assert_eq!(row.count, 2);
}

/// §2.2 DOM-state propagation follows neither hidden, weak nor `invisible` edges (an edge type
/// that DevTools still reads from older Chrome snapshots), and attached wins over detached.
///
/// ```text
///   R --> doc(native, attached) --> body(native) --> sheet(native)
///   R --> div(native, detached) --> span(native)         (renamed Detached)
///                               --> sheet                 (attached first: stays attached)
///                               ==> video(native)         (edge of the type under test)
///                               ..> canvas(native)        (weak), --hidden--> img(native)
/// ```
#[test]
fn dom_state_skips_invisible_hidden_and_weak_edges() {
    let mut g = Graph::new();
    let r = g.root();
    let doc = g.node("native", "HTMLDocument", 100);
    let body = g.node("native", "HTMLBodyElement", 10);
    let sheet = g.node("native", "CSSStyleSheet", 10);
    let div = g.node("native", "HTMLDivElement", 10);
    let span = g.node("native", "HTMLSpanElement", 10);
    let video = g.node("native", "HTMLVideoElement", 10);
    let canvas = g.node("native", "HTMLCanvasElement", 10);
    let img = g.node("native", "HTMLImageElement", 10);
    g.set_detachedness(doc, 1);
    g.set_detachedness(div, 2);
    for o in [doc, div, video, canvas, img] {
        g.el(r, o);
    }
    g.el(doc, body);
    g.el(body, sheet);
    g.el(div, span);
    g.el(div, sheet);
    // the only `shortcut` edge in the graph: renaming the type makes it the `invisible` one
    g.edge(div, "shortcut", "shadow", video);
    g.weak(div, canvas);
    g.edge(div, "hidden", "7", img);
    let names = |json: &str| {
        let a = analyse_json(json);
        [span, sheet, video, canvas, img]
            .map(|o| a.node(NodeOrd::from_index(o)).class_name.to_string())
    };
    let json = g.json();
    assert_eq!(
        names(&json),
        [
            "Detached HTMLSpanElement",
            "CSSStyleSheet",
            "Detached HTMLVideoElement",
            "HTMLCanvasElement",
            "HTMLImageElement",
        ],
        "through a shortcut edge the state propagates"
    );
    let invisible = json.replacen("\"shortcut\"", "\"invisible\"", 1);
    assert_ne!(invisible, json);
    assert_eq!(
        names(&invisible),
        [
            "Detached HTMLSpanElement",
            "CSSStyleSheet",
            "HTMLVideoElement",
            "HTMLCanvasElement",
            "HTMLImageElement",
        ],
        "through an invisible edge it does not"
    );
}

/// §5.1 Statistics on a small graph with `extra_native_bytes`.
///
/// ```text
///   R --> (GC roots) --> sys(hidden 11)                owner synthetic: stays
///   R --> Array(16) --elements--> (array 40)           moves onto Array: 56
///   R --> Array(16) --elements--> (array 30) <-- Foo(8)    two owners: stays
///   R --> Array(16) --elements--> store(object 25)     one retainer: counted in jsArrays
///   R --> Array(closure 28)
///   R --> native 200, JSArrayBufferData 1000, code 64, strings 24 + 32 + 20, number 12
/// ```
#[test]
fn statistics() {
    let mut g = Graph::new();
    let r = g.root();
    let gc = g.node("synthetic", "(GC roots)", 0);
    let sys = g.node("hidden", "system / Foo", 11);
    g.el(r, gc);
    g.internal(gc, "1 / sys", sys);
    let arr1 = g.obj("Array", 16);
    let e1 = g.node("array", "", 40);
    g.el(r, arr1);
    g.internal(arr1, "elements", e1);
    let arr2 = g.obj("Array", 16);
    let e2 = g.node("array", "", 30);
    let foo = g.obj("Foo", 8);
    g.el(r, arr2);
    g.el(r, foo);
    g.internal(arr2, "elements", e2);
    g.internal(foo, "x", e2);
    let arr3 = g.obj("Array", 16);
    let e3 = g.obj("store", 25);
    g.el(r, arr3);
    g.internal(arr3, "elements", e3);
    let ctor = g.node("closure", "Array", 28);
    g.el(r, ctor);
    for (ty, name, size) in [
        ("native", "Node / Thing", 200),
        ("native", "system / JSArrayBufferData", 1000),
        ("code", "system / Code", 64),
        ("string", "hi", 24),
        ("concatenated string", "(concatenated string)", 32),
        ("sliced string", "(sliced string)", 20),
        ("number", "heap number", 12),
    ] {
        let o = g.node(ty, name, size);
        g.el(r, o);
    }
    g.extra_native_bytes = Some(500);
    let a = g.analyse();
    assert_eq!(
        (
            a.shallow_sizes()[arr1],
            a.shallow_sizes()[e1],
            a.shallow_sizes()[e2]
        ),
        (56, 0, 30)
    );
    let s = a.statistics();
    let heap =
        11.0 + 56.0 + 16.0 + 30.0 + 8.0 + 16.0 + 25.0 + 28.0 + 200.0 + 1000.0 + 64.0 + 76.0 + 12.0;
    assert_eq!(a.retained_sizes()[r], heap);
    assert_eq!(s.total, heap + 500.0);
    assert_eq!(a.total_size(), heap + 500.0);
    assert_eq!(s.native, 500.0 + 200.0 + 1000.0);
    assert_eq!(s.typed_arrays, 1000.0);
    assert_eq!(s.other_non_js_objects, 700.0);
    assert_eq!(s.v8_heap, s.total - s.native);
    assert_eq!(s.code, 64.0);
    assert_eq!(s.strings, 24.0 + 32.0 + 20.0);
    assert_eq!(s.system, 11.0);
    // Array 56 (its store moved in) + Array 16 (shared store not added) + Array 16 + store 25
    // (its only retainer) + the Array closure 28.
    assert_eq!(s.js_arrays, 56.0 + 16.0 + 16.0 + 25.0 + 28.0);
    assert_eq!(
        s.other_js_objects,
        s.v8_heap - s.code - s.strings - s.js_arrays - s.system
    );
}

/// The smallest valid snapshot: just the root.
fn minimal() -> String {
    Graph::new().json()
}

#[test]
fn parse_error_empty() {
    for input in ["", "  \n\t "] {
        let e = parse_error(input.as_bytes());
        assert_eq!(e.kind(), ErrorKind::Empty, "{input:?}: {e}");
    }
}

#[test]
fn parse_error_truncated() {
    let mut g = Graph::new();
    let a = g.obj("A", 1);
    g.el(0, a);
    let json = g.json();
    for cut in [
        1,
        20,
        json.len() / 2,
        json.find("\"nodes\"").unwrap() + 10,
        json.len() - 3,
    ] {
        let e = parse_error(&json.as_bytes()[..cut]);
        assert_eq!(e.kind(), ErrorKind::Truncated, "cut at {cut}: {e}");
        let off = e.offset().expect("a truncation error has an offset");
        assert!(off <= cut as u64, "cut at {cut}: offset {off}");
    }
}

#[test]
fn parse_error_not_json() {
    for input in [
        "hello",
        "\u{feff}garbage",
        "<html></html>",
        "{\"snapshot\": nope}",
    ] {
        let e = parse_error(input.as_bytes());
        assert_eq!(e.kind(), ErrorKind::NotJson, "{input:?}: {e}");
    }
}

#[test]
fn parse_error_not_a_snapshot() {
    for input in ["{}", "[1, 2, 3]", "{\"a\": 1}", "{\"nodes\": [1, 2]}"] {
        let e = parse_error(input.as_bytes());
        assert_eq!(e.kind(), ErrorKind::NotASnapshot, "{input:?}: {e}");
    }
}

#[test]
fn parse_error_edge_target_out_of_range() {
    let mut g = Graph::new();
    let a = g.obj("A", 1);
    g.el(0, a);
    let json = g.json();
    assert!(json.contains("\"edges\":[1,1,6]"), "{json}");
    // Not a multiple of the node field count: DevTools throws "Invalid toNodeIndex".
    for bad in ["1,1,7", "1,1,601"] {
        let broken = json.replace("\"edges\":[1,1,6]", &format!("\"edges\":[{bad}]"));
        let e = parse_error(broken.as_bytes());
        assert_eq!(e.kind(), ErrorKind::InvalidData, "edges [{bad}]: {e}");
        assert!(e.offset().is_some(), "edges [{bad}]: {e}");
    }
    // Past the last node: DevTools reads it, and the edge leads nowhere (tests in
    // parse::tolerate and __test__/tolerance.test.js).
    for past in ["1,1,12", "1,1,600"] {
        let broken = json.replace("\"edges\":[1,1,6]", &format!("\"edges\":[{past}]"));
        let a = analyse_json(&broken);
        assert!(
            a.warnings()
                .iter()
                .any(|w| w.contains("point past the last node")),
            "{:?}",
            a.warnings()
        );
    }
    // And the unbroken one parses.
    let a = analyse_json(&json);
    assert_eq!(a.node_count(), 2);
    let a = analyse_json(&minimal());
    assert_eq!((a.node_count(), a.retained_sizes()[0]), (1, 0.0));
    assert_eq!(find(&a, ""), 0);
}

/// §1.1: "parsers must be whitespace-agnostic". V8's layout (a newline before each comma of
/// `nodes`/`edges`, before each string) and compact JSON must parse, and so must any other
/// valid JSON whitespace: after `[`, after commas, before `]`, around `:`, CR/LF/tab.
#[test]
fn parse_is_whitespace_agnostic() {
    let mut g = Graph::new();
    let a = g.obj("A", 10);
    let b = g.node("array", "b", 20);
    g.el(0, a);
    g.prop(a, "b", b);
    g.weak(b, a);
    let v8 = g.json();
    let compact = v8.replace('\n', "");
    let variants = [
        ("compact", compact.clone()),
        ("space after commas", compact.replace(',', ", ")),
        (
            "pretty",
            compact
                .replace(',', ",\n  ")
                .replace('[', "[\n  ")
                .replace(']', "\n]")
                .replace(':', " : "),
        ),
        ("CR LF tab", compact.replace(',', "\r\n\t,\r\n\t")),
    ];
    let reference = analyse_json(&v8);
    for (what, json) in variants {
        let snap = heapwise_engine::parse::parse(
            json.as_bytes(),
            json.len() as u64,
            &heapwise_engine::Quiet,
        )
        .unwrap_or_else(|e| panic!("{what}: {e} ({:?})", e.kind()));
        assert_eq!(snap.node_id, reference.snapshot().node_id, "{what}");
        assert_eq!(snap.self_size, reference.snapshot().self_size, "{what}");
        assert_eq!(snap.edge_to, reference.snapshot().edge_to, "{what}");
        assert_eq!(snap.edge_type, reference.snapshot().edge_type, "{what}");
        assert_eq!(snap.strings.get(snap.node_name[a]), "A", "{what}");
    }
}
