//! The inconsistencies the parser reads as DevTools does (see `tolerate`), one test each on a
//! tiny hand-written snapshot. The numbers DevTools gives for the same files are checked in
//! `__test__/tolerance.test.js` against DevTools' own code; here: what the parser keeps, the one
//! warning per kind, and the errors where DevTools fails.

use crate::error::ErrorKind;
use crate::ids::{NodeOrd, StrId};
use crate::meta::UNKNOWN_TYPE;
use crate::parse::parse;
use crate::progress::Quiet;
use crate::{Analysis, Snapshot};

const NODE_TYPES: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
/// V8 5–6 (Chrome ≈ 2017, Node 8): no `symbol`, `bigint` or `object shape`.
const NODE_TYPES_V8_6: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string"]"#;

/// A snapshot with 5 node fields (`type, name, id, self_size, edge_count`), V8's 7 edge types,
/// the header's counts taken from the arrays unless given.
fn json(types: &str, nodes: &[u32], edges: &[u64], strings: &[&str]) -> String {
    json_counts(types, nodes, edges, strings, None)
}

fn json_counts(
    types: &str,
    nodes: &[u32],
    edges: &[u64],
    strings: &[&str],
    counts: Option<(usize, usize)>,
) -> String {
    let (nc, ec) = counts.unwrap_or((nodes.len() / 5, edges.len() / 3));
    let list = |v: Vec<String>| v.join(",");
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[{types},"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]}},"node_count":{nc},"edge_count":{ec}}},
"nodes":[{}],
"edges":[{}],
"strings":[{}]}}"#,
        list(nodes.iter().map(u32::to_string).collect()),
        list(edges.iter().map(u64::to_string).collect()),
        list(strings.iter().map(|s| format!("{s:?}")).collect()),
    )
}

fn snap(text: &str) -> Snapshot {
    parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn analyse(text: &str) -> Analysis {
    Analysis::run(snap(text), &Quiet).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn warned(s: &Snapshot, part: &str) -> bool {
    let hit = s.warnings.iter().filter(|w| w.contains(part)).count();
    assert!(hit <= 1, "one warning per kind: {:?}", s.warnings);
    hit == 1
}

fn class(a: &Analysis, o: u32) -> String {
    a.node(NodeOrd(o)).class_name.to_lossy().into_owned()
}

//   root ──shortcut──▶ global ──property "s"──▶ sym (type 12: past a V8 6 type list)
const SYMBOL_NODES: [u32; 15] = [9, 0, 1, 0, 1, 3, 1, 3, 10, 1, 12, 2, 5, 16, 0];
const SYMBOL_EDGES: [u64; 6] = [5, 3, 5, 2, 4, 10];
const SYMBOL_STRINGS: [&str; 5] = ["", "global", "symbol", "1", "s"];

#[test]
fn a_node_type_past_the_list_is_class_undefined() {
    let s = snap(&json(
        NODE_TYPES_V8_6,
        &SYMBOL_NODES,
        &SYMBOL_EDGES,
        &SYMBOL_STRINGS,
    ));
    assert_eq!(s.node_type[2], UNKNOWN_TYPE);
    assert!(warned(
        &s,
        "1 nodes have a type number past snapshot.meta.node_types (the first: @5, ordinal 2, type 12)"
    ));
    let a = Analysis::run(s, &Quiet).unwrap();
    assert_eq!(class(&a, 2), "(undefined)");
    assert_eq!(a.node(NodeOrd(2)).node_type, "undefined");
    // With the full list, the same file has a (symbol).
    let a = analyse(&json(
        NODE_TYPES,
        &SYMBOL_NODES,
        &SYMBOL_EDGES,
        &SYMBOL_STRINGS,
    ));
    assert_eq!(class(&a, 2), "(symbol)");
}

#[test]
fn edge_types_past_the_list_are_invisible_then_unknown() {
    let mut edges = SYMBOL_EDGES;
    edges[3] = 7; // one past the 7 types: DevTools' own "invisible"
    let s = snap(&json(NODE_TYPES, &SYMBOL_NODES, &edges, &SYMBOL_STRINGS));
    assert_eq!(s.edge_type[1], 7);
    assert_eq!(s.header.meta.edge_types.invisible, 7);
    assert_eq!(s.header.meta.edge_type_name(7), "invisible");
    edges[3] = 40;
    let s = snap(&json(NODE_TYPES, &SYMBOL_NODES, &edges, &SYMBOL_STRINGS));
    assert_eq!(s.edge_type[1], UNKNOWN_TYPE);
    assert_eq!(s.header.meta.edge_type_name(UNKNOWN_TYPE), "undefined");
    assert!(warned(
        &s,
        "1 edges have a type number past snapshot.meta.edge_types (the first: edge 1, type 40)"
    ));
}

#[test]
fn values_are_kept_modulo_2_32_as_devtools_stores_them() {
    let mut edges = SYMBOL_EDGES;
    edges[2] = (1 << 32) * 5 + 5; // node index 5 (global), modulo 2^32
    edges[3] = (1 << 32) + 2; // type 2 (property)
    let s = snap(&json(NODE_TYPES, &SYMBOL_NODES, &edges, &SYMBOL_STRINGS));
    assert_eq!((s.edge_to[0], s.edge_type[1]), (1, 2));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

//   root ──shortcut──▶ global ──property──▶ Foo (object, name index 5 = one past the strings)
const OBJ_NODES: [u32; 15] = [9, 0, 1, 0, 1, 3, 1, 3, 10, 1, 3, 5, 5, 20, 0];
const OBJ_EDGES: [u64; 6] = [5, 2, 5, 2, 3, 10];
const OBJ_STRINGS: [&str; 5] = ["", "global", "Foo", "1", "a"];

#[test]
fn a_node_name_past_the_strings_reads_as_what_devtools_appends_there() {
    let s = snap(&json(NODE_TYPES, &OBJ_NODES, &OBJ_EDGES, &OBJ_STRINGS));
    assert!(warned(
        &s,
        "1 nodes name a string past the 5 strings (the first: @5, string 5)"
    ));
    assert_eq!(s.strings.wtf8(StrId(5)), b"undefined");
    // DevTools' first added string is "(system)", the hidden nodes' class: the object joins it.
    let a = Analysis::run(s, &Quiet).unwrap();
    assert_eq!(class(&a, 2), "(system)");
    assert_eq!(a.display_name(NodeOrd(2)), "(system)");
}

#[test]
fn a_node_name_past_every_string_fails_where_devtools_does() {
    let mut nodes = OBJ_NODES;
    nodes[11] = 50;
    let text = json(NODE_TYPES, &nodes, &OBJ_EDGES, &OBJ_STRINGS);
    let record = text.find(",3,50,5,20,0").unwrap() as u64 + 1;
    let e = Analysis::run(snap(&text), &Quiet)
        .err()
        .expect("DevTools fails");
    assert_eq!(e.kind(), ErrorKind::InvalidData);
    assert_eq!(e.offset(), Some(record), "{e}");
    assert!(e.message().contains("reading its class name"), "{e}");
    // The same name on a hidden node: DevTools fails later, checking for native contexts.
    nodes[10] = 0;
    let e = Analysis::run(
        snap(&json(NODE_TYPES, &nodes, &OBJ_EDGES, &OBJ_STRINGS)),
        &Quiet,
    )
    .err()
    .expect("DevTools fails");
    assert!(e.message().contains("native contexts"), "{e}");
}

#[test]
fn an_internal_edge_name_past_the_strings_fails_where_devtools_does() {
    let mut edges = OBJ_EDGES;
    edges[3] = 3; // internal
    edges[4] = 9;
    let text = json(NODE_TYPES, &OBJ_NODES, &edges, &OBJ_STRINGS);
    let s = snap(&text);
    assert!(warned(&s, "1 edges name a string past the 5 strings"));
    let e = Analysis::run(s, &Quiet).err().expect("DevTools fails");
    assert!(e.message().contains("WeakMap"), "{e}");
    assert_eq!(e.offset(), Some(text.find(",3,9,10").unwrap() as u64 + 1));
    // A property edge with that name reads as the string DevTools has added there by the time
    // it is shown (the fifth class name), or as "undefined" past those.
    edges[3] = 2;
    let a = analyse(&json(NODE_TYPES, &OBJ_NODES, &edges, &OBJ_STRINGS));
    assert_eq!(a.references(NodeOrd(1))[0].name, "(synthetic)");
    edges[4] = 90;
    let a = analyse(&json(NODE_TYPES, &OBJ_NODES, &edges, &OBJ_STRINGS));
    assert_eq!(a.references(NodeOrd(1))[0].name, "undefined");
}

//   root ──shortcut──▶ A ──property──▶ B ──property──▶ C
const CHAIN_NODES: [u32; 20] = [
    9, 0, 1, 0, 1, 3, 1, 3, 10, 1, 3, 2, 5, 20, 1, 3, 3, 7, 30, 0,
];
const CHAIN_EDGES: [u64; 9] = [5, 4, 5, 2, 5, 10, 2, 5, 15];
const CHAIN_STRINGS: [&str; 6] = ["", "A", "B", "C", "1", "x"];

#[test]
fn edge_counts_short_of_the_array_give_the_rest_to_the_last_node() {
    let mut nodes = CHAIN_NODES;
    nodes[9] = 0; // A claims no edge: its edge goes to B, B's to C (a self edge)
    let s = snap(&json(NODE_TYPES, &nodes, &CHAIN_EDGES, &CHAIN_STRINGS));
    assert_eq!(s.first_edge, vec![0, 1, 1, 2, 3]);
    assert!(warned(&s, "the nodes' edge counts add up to 2 but the edges array has 3; as in DevTools, the last node (@7) gets the 1 edges left over"));
}

#[test]
fn edge_counts_past_the_array_leave_missing_edges() {
    let mut nodes = CHAIN_NODES;
    nodes[9] = 3; // A claims 3 edges: its own, B's and one the array lacks
    let s = snap(&json(NODE_TYPES, &nodes, &CHAIN_EDGES, &CHAIN_STRINGS));
    assert_eq!(s.first_edge, vec![0, 1, 3, 3, 3]);
    assert_eq!(s.anomalies.phantom, vec![(1, 1), (2, 1)]);
    assert!(warned(&s, "the nodes' edge counts add up to 5 but the edges array has 3; as in DevTools, the edge lists of 2 nodes (the first: @3) are cut short"));
}

#[test]
fn only_the_last_node_short_of_edges_has_no_missing_edges() {
    // Found by fuzzing (a panic): C, the last node, claims 2 edges the array lacks; DevTools
    // ends its list with the array, so none is missing.
    let mut nodes = CHAIN_NODES;
    nodes[19] = 2;
    let s = snap(&json(NODE_TYPES, &nodes, &CHAIN_EDGES, &CHAIN_STRINGS));
    assert_eq!(s.first_edge, vec![0, 1, 2, 3, 3]);
    assert!(s.anomalies.phantom.is_empty());
    assert!(warned(&s, "add up to 5 but the edges array has 3; as in DevTools, the edge lists of 1 nodes (the first: @7) are cut short"));
}

#[test]
fn the_last_node_may_claim_any_number_of_edges() {
    // Its list ends with the array in DevTools whatever it claims; the others' starts must fit
    // in 32 bits (DevTools' edge indexes would wrap).
    let mut nodes = CHAIN_NODES;
    nodes[19] = u32::MAX;
    let s = snap(&json(NODE_TYPES, &nodes, &CHAIN_EDGES, &CHAIN_STRINGS));
    assert_eq!(s.first_edge, vec![0, 1, 2, 3, 3]);
    nodes[19] = 0;
    nodes[14] = u32::MAX;
    let text = json(NODE_TYPES, &nodes, &CHAIN_EDGES, &CHAIN_STRINGS);
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert!(e.message().contains("does not fit in 32 bits"), "{e}");
}

#[test]
fn an_edge_past_the_last_node_is_kept_aside() {
    let mut edges = CHAIN_EDGES;
    edges[5] = 100; // A's edge to node index 100 (there are 4 nodes)
    let s = snap(&json(NODE_TYPES, &CHAIN_NODES, &edges, &CHAIN_STRINGS));
    assert_eq!(s.edge_to, vec![1, 3]);
    assert_eq!(s.first_edge, vec![0, 1, 1, 2, 2]);
    let d = s.anomalies.dangling[0];
    assert_eq!((d.source, d.position, d.index, d.target), (1, 0, 1, 20));
    assert!(warned(&s, "1 edges point past the last node (the first: edge 1 of @3, to_node 100; there are 4 nodes)"));
    let a = Analysis::run(s, &Quiet).unwrap();
    assert_eq!(a.edge_count(), 3, "DevTools counts it");
    // Edge 0 (root -> A) is essential, so DevTools' unused retainer slot gives C the root as a
    // second predecessor: B no longer dominates it.
    assert_eq!(a.node(NodeOrd(3)).dominator_id.0, 1);
}

#[test]
fn an_edge_target_that_is_no_node_index_fails_as_in_devtools() {
    let mut edges = CHAIN_EDGES;
    edges[5] = 6; // not a multiple of 5: DevTools throws "Invalid toNodeIndex"
    let text = json(NODE_TYPES, &CHAIN_NODES, &edges, &CHAIN_STRINGS);
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData);
    assert_eq!(e.offset(), Some(text.find("2,5,6").unwrap() as u64));
}

#[test]
fn a_native_context_edge_past_the_last_node_fails_as_in_devtools() {
    let strings = ["", "A", "B", "C", "1", "native_context"];
    let mut edges = CHAIN_EDGES;
    edges[3] = 3;
    edges[5] = 100;
    let text = json(NODE_TYPES, &CHAIN_NODES, &edges, &strings);
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert!(e.message().contains("native_context"), "{e}");
}

#[test]
fn the_header_counts_size_the_arrays_as_in_devtools() {
    // Fewer nodes: C is dropped, B's edge to it now points past the last node.
    let text = json_counts(
        NODE_TYPES,
        &CHAIN_NODES,
        &CHAIN_EDGES,
        &CHAIN_STRINGS,
        Some((3, 3)),
    );
    let s = snap(&text);
    assert_eq!((s.node_count(), s.anomalies.dangling.len()), (3, 1));
    assert!(warned(&s, "the header says 3 nodes but the nodes array has 4; as in DevTools, the header's count is used: the last 1 records are ignored"));
    // More nodes and edges: empty ones (all fields 0; an edge to node 0) are added.
    let text = json_counts(
        NODE_TYPES,
        &CHAIN_NODES,
        &CHAIN_EDGES,
        &CHAIN_STRINGS,
        Some((6, 4)),
    );
    let s = snap(&text);
    assert_eq!(s.node_count(), 6);
    assert_eq!((s.node_id[5], s.self_size[5], s.node_type[5]), (0, 0, 0));
    assert_eq!((s.edge_to.len(), s.edge_to[3]), (4, 0));
    assert!(warned(&s, "2 empty records (all fields 0) are added"));
    // A header cannot make a small file allocate without bound.
    let text = json_counts(
        NODE_TYPES,
        &CHAIN_NODES,
        &CHAIN_EDGES,
        &CHAIN_STRINGS,
        Some((1 << 30, 3)),
    );
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData);
    assert!(e.message().contains("makes up at most"), "{e}");
    // No nodes: DevTools fails ("BFS failed").
    let text = json_counts(
        NODE_TYPES,
        &CHAIN_NODES,
        &CHAIN_EDGES,
        &CHAIN_STRINGS,
        Some((0, 3)),
    );
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotASnapshot, "{e}");
}

#[test]
fn a_record_cut_short_reads_zeros() {
    let mut nodes = CHAIN_NODES.to_vec();
    nodes.extend([3, 1]); // a fifth node of 2 values: an object named "A", id 0, size 0
    let text = json_counts(
        NODE_TYPES,
        &nodes,
        &CHAIN_EDGES,
        &CHAIN_STRINGS,
        Some((5, 3)),
    );
    let s = snap(&text);
    assert_eq!(
        (s.node_count(), s.node_type[4], s.node_name[4], s.node_id[4]),
        (5, 3, StrId(1), 0)
    );
    assert!(warned(&s, "the nodes array ends in the middle of a record (2 of 5 values); DevTools reads 0 for the missing values"));
}

#[test]
fn a_root_index_in_the_middle_fails_as_in_devtools() {
    // DevTools expects the root first or last ("Root node is expected to be either first or
    // last"); root_index 5 is A, the second of four nodes.
    let text = json(NODE_TYPES, &CHAIN_NODES, &CHAIN_EDGES, &CHAIN_STRINGS)
        .replace(r#""edge_count":3}"#, r#""edge_count":3,"root_index":5}"#);
    let e = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap_err();
    assert!(
        e.message().contains("neither the first nor the last"),
        "{e}"
    );
    let text = text.replace(r#""root_index":5"#, r#""root_index":15"#);
    assert_eq!(snap(&text).root, 3);
}
