//! The parallel block reader ([`super::blocks`]) against the value-by-value reader: the same
//! snapshot text, read whole (large buffers, so whole blocks of records are parsed in
//! parallel) and read a few kilobytes at a time (never enough for a block, so record by
//! record), must give the same snapshot, the same warnings, or the same error at the same
//! offset. Each case plants one oddity in a snapshot large enough for several blocks.

use crate::parse::parse;
use crate::progress::Quiet;

use crate::parse::tests::Trickle;

/// Nodes and edges as V8 writes them (7 node fields, a record per line), `n` nodes of 3 edges
/// each to pseudo-random nodes, and a location for every node (in descending order);
/// `nodes`, `edges` and `locations` are the arrays' texts, for editing.
struct Text {
    n: usize,
    nodes: Vec<String>,
    edges: Vec<String>,
    locations: Vec<String>,
    counts: Option<(usize, usize)>,
}

impl Text {
    fn new(n: usize) -> Text {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let mut x: u64 = 12345;
        for o in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let ty = if o == 0 { 9 } else { (x >> 33) % 14 };
            nodes.push(format!(
                "{ty},{},{},{},3,0,{}",
                (x >> 40) % 5,
                2 * o + 1,
                (x >> 20) % 4000,
                (x >> 50) % 3
            ));
            for k in 0..3u64 {
                let to = (x >> (10 + 7 * k)) % n as u64;
                let et = (x >> (5 + k)) % 7;
                let name = if et == 1 || et == 4 { k + 10 } else { k % 5 };
                edges.push(format!("{et},{name},{}", to * 7));
            }
        }
        let locations = (0..n)
            .rev()
            .map(|o| format!("{},{},{},{}", 7 * o, o % 13, o % 1000, o % 77))
            .collect();
        Text {
            n,
            nodes,
            edges,
            locations,
            counts: None,
        }
    }

    fn json(&self) -> String {
        let (nc, ec) = self.counts.unwrap_or((self.n, 3 * self.n));
        format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{nc},"edge_count":{ec}}},
"nodes":[{}],
"edges":[{}],
"locations":[{}],
"strings":["","a","b","c","d"]}}"#,
            self.nodes.join("\n,"),
            self.edges.join("\n,"),
            self.locations.join("\n,")
        )
    }
}

/// Parses `text` whole and a little at a time; the two must agree.
fn same(text: &str, case: &str) {
    let whole = parse(text.as_bytes(), text.len() as u64, &Quiet);
    let trickled = parse(Trickle(text.as_bytes(), 4096), text.len() as u64, &Quiet);
    let (a, b) = (format!("{whole:?}"), format!("{trickled:?}"));
    if a != b {
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let show = |s: &str| s[at.saturating_sub(150)..(at + 150).min(s.len())].to_owned();
        panic!(
            "{case}: whole and trickled reads differ at {at}:\n{}\n---\n{}",
            show(&a),
            show(&b)
        );
    }
}

/// 25 000 nodes: about 0.5 MB of nodes and 1 MB of edges, many pieces each.
const N: usize = 25_000;

#[test]
fn plain_snapshot() {
    let t = Text::new(N);
    let text = t.json();
    same(&text, "plain");
    super::BLOCK_RECORDS.with(|c| c.set(0));
    super::BLOCK_U32S.with(|c| c.set(0));
    let s = parse(text.as_bytes(), text.len() as u64, &Quiet).unwrap();
    assert_eq!(s.node_count(), N);
    assert_eq!(s.edge_count(), 3 * N);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.locations.len(), N);
    assert_eq!(
        s.location(7).map(|l| (l.script_id, l.line, l.column)),
        Some((7, 7, 7))
    );
    // Counted once per one-byte column: node types, detachedness and edge types. The last
    // record of each array (no comma after it) is read value by value.
    assert_eq!(
        super::BLOCK_RECORDS.with(|c| c.get()),
        2 * (N - 1) + (3 * N - 1),
        "every record but the arrays' last was read in blocks"
    );
    assert_eq!(
        super::BLOCK_U32S.with(|c| c.get()),
        4 * N - 1,
        "every location value but the last was read in blocks"
    );
}

#[test]
fn oddities_anywhere() {
    type Edit = fn(&mut Text, usize);
    let edits: &[(&str, Edit)] = &[
        ("node type past the list", |t, i| {
            t.nodes[i] = "40,1,7,8,3,0,0".into()
        }),
        ("edge to a node past the last", |t, i| {
            t.edges[3 * i] = format!("2,1,{}", 7 * (t.n + 5))
        }),
        ("edge to an index that is not a node's", |t, i| {
            t.edges[3 * i + 1] = "2,1,15".into()
        }),
        ("edge type past the list", |t, i| {
            t.edges[3 * i + 2] = "9,1,14".into()
        }),
        ("a byte that is not JSON", |t, i| {
            t.edges[3 * i] = "2,1x,14".into()
        }),
        ("a negative number", |t, i| {
            t.nodes[i] = "3,-1,7,8,3,0,0".into()
        }),
        ("a fraction", |t, i| t.nodes[i] = "3,1,7,8.5,3,0,0".into()),
        ("a number past 2^53", |t, i| {
            t.nodes[i] = "3,1,7,123456789012345678901,3,0,0".into()
        }),
        ("a 16-digit number", |t, i| {
            t.nodes[i] = "3,1,7,1234567890123456,3,0,0".into()
        }),
        ("spaces and carriage returns", |t, i| {
            t.nodes[i] = " 3 , 1,\r\n7,8 ,3,0,0 ".into()
        }),
        ("an empty value", |t, i| t.edges[3 * i] = "2,,14".into()),
        ("a trace node id", |t, i| {
            t.nodes[i] = "3,1,7,8,3,99,0".into()
        }),
        ("a large name", |t, i| {
            t.edges[3 * i] = "2,4000000,14".into()
        }),
        ("a large node name", |t, i| {
            t.nodes[i] = "3,4000000,7,8,3,0,0".into()
        }),
        ("an edge count past 2^32", |t, i| {
            t.nodes[i] = "3,1,7,8,4294967295,0,0".into()
        }),
        ("a location past 2^32", |t, i| {
            t.locations[i] = "14,4294967296,1,1".into()
        }),
        ("a location that is not a number", |t, i| {
            t.locations[i] = "14,1,x,1".into()
        }),
        ("a location with spaces", |t, i| {
            t.locations[i] = " 14 ,\r\n1,2 ,3".into()
        }),
        ("a location of a node past the last", |t, i| {
            t.locations[i] = format!("{},1,2,3", 7 * (t.n + 1))
        }),
        ("a short last record", |t, _| {
            let last = t.edges.len() - 1;
            t.edges[last] = "2,1".into()
        }),
    ];
    for (what, edit) in edits {
        for &at in &[0, 1, N / 3, N / 2 + 17, N - 2] {
            let mut t = Text::new(N);
            edit(&mut t, at);
            same(&t.json(), &format!("{what} at record {at}"));
        }
    }
}

#[test]
fn header_counts_other_than_the_arrays() {
    for counts in [(N - 1000, 3 * N), (N, 3 * N - 5000), (N + 10, 3 * N + 10)] {
        let mut t = Text::new(N);
        t.counts = Some(counts);
        same(&t.json(), &format!("counts {counts:?}"));
    }
}

#[test]
fn truncated_anywhere_in_the_arrays() {
    let text = Text::new(N).json();
    let start = text.find("\"nodes\"").unwrap();
    for k in 1..8 {
        let cut = start + (text.len() - start) * k / 9;
        same(&text[..cut], &format!("cut at {cut}"));
    }
}

#[test]
fn a_file_read_ahead_gives_the_same_snapshot() {
    // Past `READ_AHEAD_FROM`, so `parse_file` reads it on a thread of its own.
    let text = Text::new(600_000).json();
    assert!(
        text.len() as u64 >= crate::parse::READ_AHEAD_FROM,
        "{}",
        text.len()
    );
    let path = std::env::temp_dir().join(format!(
        "heapwise-read-ahead-{}.heapsnapshot",
        std::process::id()
    ));
    std::fs::write(&path, &text).unwrap();
    let from_file = crate::parse::parse_file(&path, &Quiet);
    std::fs::remove_file(&path).unwrap();
    let whole = parse(text.as_bytes(), text.len() as u64, &Quiet);
    assert_eq!(format!("{from_file:?}"), format!("{whole:?}"));
    assert_eq!(from_file.unwrap().node_count(), 600_000);
}
