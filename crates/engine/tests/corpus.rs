// Malformed input (issue 7): the regression inputs of `__test__/fixtures/corpus/` (found by the
// fuzz test, `__test__/fuzz.test.js`) replayed through the engine, and the error paths the
// malformed-input corpus (`tools/corpus/make.mjs`) showed had to change.

use crate::support::{assert_tree_invariants, parse_error, Graph};
use heapwise_engine::{parse::parse, Analysis, ErrorKind, NodeOrd, Quiet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../__test__/fixtures/corpus")
}

/// Every query the addon offers, on every node (the inputs are a few KB).
fn exercise(a: &Analysis) {
    let n = a.node_count();
    let _ = a.summary();
    for o in 0..n {
        let _ = a.node(NodeOrd::from_index(o));
        let _ = a.display_name(NodeOrd::from_index(o));
        let _ = a.references(NodeOrd::from_index(o));
        let _ = a.retainers_of(NodeOrd::from_index(o));
        let _ = a.dominated_by(NodeOrd::from_index(o));
        let _ = a.location(NodeOrd::from_index(o));
        if let Some(path) = a.retainer_path(NodeOrd::from_index(o)) {
            assert_eq!(path[0].1, a.root(), "a retainer path starts at the root");
        }
    }
    for o in a.top(5) {
        assert!((o.0 as usize) < n);
    }
    let _ = a.find_by_name("a", 10);
    a.write_nodes_tsv(&mut std::io::sink())
        .expect("write to a sink");
    for o in 0..n {
        assert!(
            a.retained_sizes()[o] >= a.shallow_sizes()[o] as f64,
            "node {o}: retained < shallow"
        );
        let d = a.distances()[o];
        assert!(
            d == -5
                || (0..=n as i32).contains(&d)
                || (100_000_000..=100_000_000 + n as i32).contains(&d),
            "node {o}: distance {d}"
        );
    }
}

#[test]
fn every_regression_input_gives_a_typed_error_or_a_sound_analysis() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("__test__/fixtures/corpus exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "heapsnapshot"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs");
    let (mut errors, mut results) = (0, 0);
    for file in &files {
        let shown = file.file_name().unwrap().to_string_lossy().into_owned();
        let len = std::fs::metadata(file).unwrap().len();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match Analysis::from_path(file, &Quiet) {
                Ok(a) => {
                    exercise(&a);
                    assert_tree_invariants(&a);
                    None
                }
                Err(e) => Some(e),
            }
        }));
        match outcome {
            Err(_) => panic!("{shown}: the engine panicked"),
            Ok(Some(e)) => {
                errors += 1;
                assert_ne!(e.kind(), ErrorKind::Internal, "{shown}: {e}");
                assert!(e.offset().is_none_or(|o| o <= len), "{shown}: {e}");
            }
            Ok(None) => results += 1,
        }
    }
    eprintln!(
        "{} inputs: {errors} typed errors, {results} analyses",
        files.len()
    );
}

/// A small snapshot in V8's layout with `extra` more node fields than V8 writes today.
fn with_extra_node_fields(extra: usize) -> String {
    let names: Vec<String> = (0..extra).map(|i| format!(",\"future_{i}\"")).collect();
    let types: Vec<&str> = (0..extra).map(|_| ",\"number\"").collect();
    let vals: Vec<String> = (0..extra).map(|i| format!(",{i}")).collect();
    let nf = 5 + extra;
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"{}],"node_types":[["synthetic","object"],"string","number","number","number"{}],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"],"string_or_number","node"]}},"node_count":2,"edge_count":1}},
"nodes":[0,0,1,0,1{v}
,1,1,3,40,0{v}],
"edges":[0,1,{nf}],
"strings":["","Thing"]}}"#,
        names.concat(),
        types.concat(),
        v = vals.concat(),
    )
}

#[test]
fn any_number_of_node_fields_is_read_by_name() {
    // 17 fields and more used to overflow a fixed-size record buffer (a panic).
    for extra in [0, 11, 12, 40] {
        let json = with_extra_node_fields(extra);
        let snap = parse(json.as_bytes(), json.len() as u64, &Quiet)
            .unwrap_or_else(|e| panic!("{extra} extra fields: {e}"));
        assert_eq!(snap.self_size, vec![0, 40], "{extra} extra fields");
        assert_eq!(snap.edge_to, vec![1]);
    }
}

#[test]
fn invalid_utf8_becomes_replacement_characters_with_a_warning() {
    let mut g = Graph::new();
    let root = g.root();
    let a = g.obj("NAME", 10);
    g.edge(root, "property", "x", a);
    let json = g.json();
    let mut bytes = Vec::new();
    let at = json.find("NAME").unwrap();
    bytes.extend_from_slice(&json.as_bytes()[..at]);
    // ff: never valid; e2 82 then 'A': a truncated sequence (one U+FFFD, 'A' kept); c3 a9: é.
    bytes.extend_from_slice(b"ok \xff \xe2\x82A \xc3\xa9 \xed\xa0\x80");
    bytes.extend_from_slice(&json.as_bytes()[at + 4..]);
    let snap = parse(&bytes[..], bytes.len() as u64, &Quiet).unwrap();
    let name = snap.strings.get(snap.node_name[1]);
    // ed a0 80 (an encoded surrogate) is three maximal subparts for the WHATWG decoder.
    assert_eq!(
        name,
        "ok \u{FFFD} \u{FFFD}A \u{e9} \u{FFFD}\u{FFFD}\u{FFFD}"
    );
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.contains("5 byte sequences in strings are not valid UTF-8")),
        "{:?}",
        snap.warnings
    );
}

#[test]
fn a_byte_order_mark_is_skipped_and_offsets_still_count_it() {
    let mut g = Graph::new();
    let root = g.root();
    let a = g.obj("A", 10);
    g.edge(root, "property", "x", a);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(g.json().as_bytes());
    assert!(parse(&bytes[..], bytes.len() as u64, &Quiet).is_ok());
    let e = parse_error(b"\xEF\xBB\xBF{\"snapshot\":{\"meta\":{}},x");
    assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e}");
    assert_eq!(e.offset(), Some(15), "the header starts at byte 15: {e}");
    let e = parse_error(b"\xEF\xBBx");
    assert_eq!(e.kind(), ErrorKind::NotJson, "{e}");
}

#[test]
fn gzip_input_says_so() {
    let e = parse_error(b"\x1f\x8b\x08\x00\x00\x00\x00\x00");
    assert_eq!(e.kind(), ErrorKind::NotJson);
    assert!(e.message().contains("gzip"), "{e}");
}

#[test]
fn non_integer_numbers_are_invalid_data_at_their_offset() {
    let mut g = Graph::new();
    let root = g.root();
    let a = g.obj("A", 12345);
    g.edge(root, "property", "x", a);
    let json = g.json();
    for bad in ["12345.5", "12345e2", "12345E+1"] {
        let text = json.replacen("12345", bad, 1);
        let e = parse_error(text.as_bytes());
        assert_eq!(e.kind(), ErrorKind::InvalidData, "{bad}: {e}");
        let at = text.find(bad).unwrap() as u64;
        assert!(
            e.offset().is_some_and(|o| o <= at && at - o < 40),
            "{bad}: {e}"
        );
    }
}

#[test]
fn string_index_errors_point_at_the_record() {
    let mut g = Graph::new();
    let root = g.root();
    let a = g.obj("A", 10);
    g.edge(root, "property", "x", a);
    let json = g.json();
    // The node named "A" is the second record; give it a name index past the strings.
    let nodes_at = json.find("\"nodes\":[").unwrap();
    let second = nodes_at + json[nodes_at..].find("\n,").unwrap() + 2;
    let rest = &json[second..];
    let comma = rest.find(',').unwrap();
    let text = format!(
        "{}{},999{}",
        &json[..second],
        &rest[..comma],
        &rest[rest[comma + 1..].find(',').unwrap() + comma + 1..]
    );
    // DevTools reads the name, and fails on it when it makes the object's class name: the
    // snapshot parses (with a warning), the analysis fails, pointing at the record.
    let snap = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap();
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.contains("1 nodes name a string past the")),
        "{:?}",
        snap.warnings
    );
    let e = Analysis::run(snap, &Quiet).err().expect("an error");
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
    assert!(e.message().contains("names string 999"), "{e}");
    assert_eq!(e.offset(), Some(second as u64), "{e}");
}

#[test]
fn a_cycle_of_cons_strings_does_not_hang_naming() {
    // A corrupt file where a concatenated string is its own first part around an empty string:
    // DevTools' naming walk (to 1024 characters) would never end; heapwise's is bounded.
    let mut g = Graph::new();
    let root = g.root();
    let empty = g.node("string", "", 0);
    let cons = g.node("concatenated string", "(concatenated string)", 32);
    g.edge(root, "property", "s", cons);
    g.edge(cons, "internal", "first", cons);
    g.edge(cons, "internal", "second", empty);
    let a = crate::support::analyse_json(&g.json());
    let name = a.display_name(NodeOrd::from_index(cons));
    assert!(name.is_empty(), "{name:?}");
    let _ = a.top(5);
}
