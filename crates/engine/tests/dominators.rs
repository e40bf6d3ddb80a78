// Hand-drawn dominator trees (graph on the left, expected tree on the right), spec §2.4 and §2.6.

use crate::support::{
    assert_idoms, assert_retained, assert_tree_invariants, find, naive_idoms, Graph,
};
use heapwise_engine::NodeOrd;

/// Adds one `object` node per name, with the given sizes, and returns their ordinals.
fn objects<const N: usize>(g: &mut Graph, nodes: [(&str, u64); N]) -> [usize; N] {
    nodes.map(|(name, size)| g.obj(name, size))
}

/// The flow graph of Lengauer & Tarjan, "A fast algorithm for finding dominators in a
/// flowgraph" (TOPLAS 1979), Figure 1: 13 vertices, 21 edges, and its published dominator tree.
/// Sizes are powers of two so every retained size names exactly the nodes it sums.
///
/// ```text
///   flow graph (21 edges)         dominator tree
///
///   R -> A B C                    R
///   A -> D                        +-- A
///   B -> A D E                    +-- B
///   C -> F G                      +-- C
///   D -> L                        |   +-- F
///   E -> H                        |   +-- G
///   F -> I                        |       +-- J
///   G -> I J                      +-- D
///   H -> E K                      |   +-- L
///   I -> K                        +-- E
///   J -> I                        +-- H
///   K -> I R                      +-- I
///   L -> H                        +-- K
/// ```
#[test]
fn lengauer_tarjan_figure_1() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, c, d, e, f, gg, h, i, j, k, l] = objects(
        &mut g,
        [
            ("A", 1),
            ("B", 2),
            ("C", 4),
            ("D", 8),
            ("E", 16),
            ("F", 32),
            ("G", 64),
            ("H", 128),
            ("I", 256),
            ("J", 512),
            ("K", 1024),
            ("L", 2048),
        ],
    );
    let edges = [
        (r, a),
        (r, b),
        (r, c),
        (a, d),
        (b, a),
        (b, d),
        (b, e),
        (c, f),
        (c, gg),
        (d, l),
        (e, h),
        (f, i),
        (gg, i),
        (gg, j),
        (h, e),
        (h, k),
        (i, k),
        (j, i),
        (k, i),
        (k, r),
        (l, h),
    ];
    assert_eq!(edges.len(), 21);
    for (s, t) in edges {
        g.el(s, t);
    }
    let published = [
        ("A", "R"),
        ("B", "R"),
        ("C", "R"),
        ("D", "R"),
        ("E", "R"),
        ("F", "C"),
        ("G", "C"),
        ("H", "R"),
        ("I", "R"),
        ("J", "G"),
        ("K", "R"),
        ("L", "D"),
        ("R", "R"),
    ];
    // The published tree agrees with the definition of dominance.
    let naive = naive_idoms(g.len(), r, &edges);
    let a_ = g.analyse();
    for (node, dom) in published {
        let o = find(&a_, node);
        assert_eq!(naive[o], Some(find(&a_, dom)), "naive idom of {node}");
    }
    assert_idoms(&a_, &published);
    assert_retained(
        &a_,
        &[
            ("R", 4095.0),
            ("C", (4 + 32 + 64 + 512) as f64),
            ("G", (64 + 512) as f64),
            ("D", (8 + 2048) as f64),
            ("F", 32.0),
            ("I", 256.0),
            ("K", 1024.0),
        ],
    );
    assert_tree_invariants(&a_);
    // Children lists (spec §2.7): descending ordinal order.
    let kids: Vec<u32> = a_.dominator_children(NodeOrd::from_index(r)).to_vec();
    assert_eq!(
        kids,
        vec![k as u32, i as u32, h as u32, e as u32, d as u32, c as u32, b as u32, a as u32]
    );
}

/// A diamond: D has two retainers, so only their common dominator A retains it.
///
/// ```text
///        R                  R
///        |                  |
///        A                  A
///       / \               / | \
///      B   C             B  C  D
///       \ /
///        D
/// ```
#[test]
fn diamond() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, c, d] = objects(&mut g, [("A", 1), ("B", 10), ("C", 100), ("D", 1000)]);
    g.el(r, a);
    g.el(a, b);
    g.el(a, c);
    g.prop(b, "d", d);
    g.prop(c, "d", d);
    let an = g.analyse();
    assert_idoms(&an, &[("A", "R"), ("B", "A"), ("C", "A"), ("D", "A")]);
    assert_retained(
        &an,
        &[
            ("R", 1111.0),
            ("A", 1111.0),
            ("B", 10.0),
            ("C", 100.0),
            ("D", 1000.0),
        ],
    );
    assert_tree_invariants(&an);
}

/// A chain: every node dominates everything after it.
///
/// ```text
///   R -> A -> B -> C -> D          R
///                                  +-- A
///                                      +-- B
///                                          +-- C
///                                              +-- D
/// ```
#[test]
fn chain() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, c, d] = objects(&mut g, [("A", 1), ("B", 2), ("C", 4), ("D", 8)]);
    g.el(r, a);
    g.prop(a, "next", b);
    g.internal(b, "next", c);
    g.edge(c, "context", "next", d);
    let an = g.analyse();
    assert_idoms(&an, &[("A", "R"), ("B", "A"), ("C", "B"), ("D", "C")]);
    assert_retained(&an, &[("A", 15.0), ("B", 14.0), ("C", 12.0), ("D", 8.0)]);
    assert_tree_invariants(&an);
}

/// Weak edges do not retain (§2.4 rule 2). C is held strongly by A and weakly by B, so A alone
/// dominates it. X is held only weakly: an orphan, which DevTools hangs under the root and
/// explores from there (§2.6 step 2), so X still dominates Y.
///
/// ```text
///   R --> A --> C                 R
///   R --> B ..> C   (weak)        +-- A
///         A ..> X   (weak)        |   +-- C
///               X --> Y           +-- B
///                                 +-- X      (orphan, under the root)
///                                     +-- Y
/// ```
#[test]
fn weak_edges_do_not_retain() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, c, x, y] = objects(&mut g, [("A", 1), ("B", 2), ("C", 4), ("X", 8), ("Y", 16)]);
    g.el(r, a);
    g.el(r, b);
    g.el(a, c);
    g.weak(b, c);
    g.weak(a, x);
    g.el(x, y);
    let an = g.analyse();
    assert_idoms(
        &an,
        &[("A", "R"), ("B", "R"), ("C", "A"), ("X", "R"), ("Y", "X")],
    );
    assert_retained(
        &an,
        &[
            ("R", 31.0),
            ("A", 5.0),
            ("B", 2.0),
            ("X", 24.0),
            ("Y", 16.0),
        ],
    );
    assert_tree_invariants(&an);
    // Weak edges are not followed by distances either (§2.8.1 step 3).
    assert_eq!(an.distances()[x], -5);
    assert_eq!(an.distances()[y], -5);
}

/// A `shortcut` edge from a node other than the root does not retain (§2.4 rule 4).
///
/// ```text
///   R --> A --> C                   R
///   R --> B ==> C   (shortcut)      +-- A
///                                   |   +-- C
///                                   +-- B
/// ```
#[test]
fn shortcut_from_a_non_root_node_does_not_retain() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, c] = objects(&mut g, [("A", 1), ("B", 2), ("C", 4)]);
    g.el(r, a);
    g.el(r, b);
    g.el(a, c);
    g.shortcut(b, c);
    let an = g.analyse();
    assert_idoms(&an, &[("A", "R"), ("B", "R"), ("C", "A")]);
    assert_retained(&an, &[("A", 5.0), ("B", 2.0)]);
    assert_tree_invariants(&an);
}

/// An unreachable cycle: P and Q hold each other and Q holds S, but nothing reachable (not even
/// weakly) holds any of them, so none is an orphan. DevTools numbers every such node under the
/// root without exploring its edges (§2.6 step 3); their immediate dominators are never set
/// and become the root in the final pass (§2.6 step 5). So S lands under the root too, not
/// under Q.
///
/// ```text
///   R --> A                      R
///                                +-- A
///   P <--> Q --> S               +-- P
///                                +-- Q
///                                +-- S
/// ```
#[test]
fn unreachable_cycle_hangs_under_the_root() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, p, q, s] = objects(&mut g, [("A", 1), ("P", 2), ("Q", 4), ("S", 8)]);
    g.el(r, a);
    g.prop(p, "q", q);
    g.prop(q, "p", p);
    g.prop(q, "s", s);
    let an = g.analyse();
    assert_idoms(&an, &[("A", "R"), ("P", "R"), ("Q", "R"), ("S", "R")]);
    assert_retained(&an, &[("R", 15.0), ("P", 2.0), ("Q", 4.0), ("S", 8.0)]);
    assert_tree_invariants(&an);
    for o in [p, q, s] {
        assert_eq!(an.distances()[o], -5);
    }
}

/// Self edges are not essential (§2.4 rule 3). For A that changes nothing; for X it matters:
/// X's only other retainer is weak, so without its self edge X has no essential retainer and
/// is an orphan whose DFS reaches Y (§2.6 step 2). Were the self edge essential, X would be a
/// clique node, left unexplored, and Y would hang under the root instead.
///
/// ```text
///   R --> A --> B                 R
///         A --> A  (self)         +-- A
///         A ..> X  (weak)         |   +-- B
///   X --> X  (self)               +-- X
///   X --> Y                           +-- Y
/// ```
#[test]
fn self_edges_do_not_retain() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let [a, b, x, y] = objects(&mut g, [("A", 1), ("B", 2), ("X", 4), ("Y", 8)]);
    g.el(r, a);
    g.prop(a, "self", a);
    g.prop(a, "b", b);
    g.weak(a, x);
    g.prop(x, "self", x);
    g.prop(x, "y", y);
    let an = g.analyse();
    assert_idoms(&an, &[("A", "R"), ("B", "A"), ("X", "R"), ("Y", "X")]);
    assert_retained(&an, &[("A", 3.0), ("X", 12.0), ("Y", 8.0)]);
    assert_tree_invariants(&an);
}

/// Builds the WeakMap of §1.9: the EphemeronHashTable holds key and value weakly, and both the
/// key and the table get an `internal` edge to the value named
/// `<n> / part of key (Key @k) -> value (Value @v) pair in WeakMap (table @t)`.
/// `table_id_in_name` is the `@t` written into both names.
fn weak_map(table_id_in_name: Option<u32>) -> Graph {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let key = g.obj("Key", 10);
    let map = g.obj("WeakMap", 20);
    let table = g.node("array", "(table)", 100);
    let value = g.obj("Value", 1000);
    let t = table_id_in_name.unwrap_or(g.id(table));
    let part = format!(
        " / part of key (Key @{}) -> value (Value @{}) pair in WeakMap (table @{})",
        g.id(key),
        g.id(value),
        t
    );
    g.prop(r, "key", key);
    g.prop(r, "map", map);
    g.internal(map, "table", table);
    g.weak(table, key);
    g.weak(table, value);
    g.internal(table, &format!("3{part}"), value);
    g.internal(key, &format!("1{part}"), value);
    g
}

/// WeakMap ephemerons (§2.4 rule 1): the table→value edge is dropped, the key→value edge is
/// kept, so the key dominates the value. The table (an `array`) only the WeakMap holds, so its
/// size moves onto the WeakMap (§2.5). The value's distance is max(key, table) + 1 (§2.8.2).
///
/// ```text
///   R --> Key ------------------> Value        R
///   R --> WeakMap --> (table)       ^          +-- Key
///                     (table) ..> Key  (weak)  |   +-- Value
///                     (table) ..> Value (weak) +-- WeakMap
///                     (table) --x-> Value      |   +-- (table)
///                      (ephemeron, dropped)
/// ```
#[test]
fn weak_map_value_is_dominated_by_its_key() {
    let an = weak_map(None).analyse();
    assert_idoms(
        &an,
        &[
            ("Key", "R"),
            ("WeakMap", "R"),
            ("(table)", "WeakMap"),
            ("Value", "Key"),
        ],
    );
    assert_eq!(an.shallow_sizes()[find(&an, "WeakMap")], 120);
    assert_eq!(an.shallow_sizes()[find(&an, "(table)")], 0);
    assert_retained(
        &an,
        &[
            ("R", 1130.0),
            ("Key", 1010.0),
            ("WeakMap", 120.0),
            ("Value", 1000.0),
        ],
    );
    assert_tree_invariants(&an);
    let dist = |n: &str| an.distances()[find(&an, n)];
    assert_eq!((dist("Key"), dist("WeakMap"), dist("(table)")), (1, 1, 2));
    assert_eq!(dist("Value"), 3, "max(key 1, table 2) + 1, not min + 1");
}

/// The ephemeron rule is keyed on the source's id: when the name's `table @id` is no node's id,
/// both halves retain, and the value's dominator is the root.
///
/// ```text
///   R --> Key --------> Value         R
///   R --> WeakMap --> (table) --^     +-- Key
///                                     +-- WeakMap
///                                     |   +-- (table)
///                                     +-- Value
/// ```
#[test]
fn weak_map_rule_needs_the_table_id() {
    let an = weak_map(Some(999_999)).analyse();
    assert_idoms(&an, &[("Key", "R"), ("(table)", "WeakMap"), ("Value", "R")]);
    assert_retained(&an, &[("Key", 10.0), ("WeakMap", 120.0)]);
    assert_tree_invariants(&an);
}

/// Page-owned nodes (§2.3, §2.4 rule 4): everything reachable from the root's shortcut targets
/// (the user's global object) is page-owned, and edges from other nodes into page-owned ones
/// are ignored, so `(Strong roots)` holding X or the global does not perturb the tree. Y is not
/// page-owned; it is held by `(Strong roots)` only (its edge into X is ignored as well).
///
/// ```text
///   R ==> global --> X                   R
///   R --> (GC roots) --> (Strong roots)  +-- global
///   (Strong roots) --> global   (ign.)   |   +-- X
///   (Strong roots) --> X        (ign.)   +-- (GC roots)
///   (Strong roots) --> Y                     +-- (Strong roots)
///   Y --> X                     (ign.)           +-- Y
///   (==> shortcut)
/// ```
#[test]
fn root_shortcut_makes_the_global_page_owned() {
    let mut g = Graph::with_root_name("R");
    let r = g.root();
    let gc = g.node("synthetic", "(GC roots)", 0);
    let strong = g.node("synthetic", "(Strong roots)", 0);
    let [global, x, y] = objects(&mut g, [("global", 1), ("X", 2), ("Y", 4)]);
    g.el(r, gc);
    g.shortcut(r, global);
    g.el(gc, strong);
    g.internal(strong, "1 / global", global);
    g.internal(strong, "2 / x", x);
    g.internal(strong, "3 / y", y);
    g.prop(global, "x", x);
    g.prop(y, "x", x);
    let an = g.analyse();
    assert_eq!(g.page_owned(), vec![false, false, false, true, true, false]);
    assert_idoms(
        &an,
        &[
            ("global", "R"),
            ("X", "global"),
            ("(GC roots)", "R"),
            ("(Strong roots)", "(GC roots)"),
            ("Y", "(Strong roots)"),
        ],
    );
    assert_retained(&an, &[("global", 3.0), ("(Strong roots)", 4.0), ("R", 7.0)]);
    assert_tree_invariants(&an);
    // The same tree as the definition over the essential edges.
    let naive = naive_idoms(g.len(), r, &g.essential_edges());
    for o in 0..g.len() {
        assert_eq!(Some(an.dominators()[o] as usize), naive[o], "node {o}");
    }
}
