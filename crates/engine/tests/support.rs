// Builds V8-style heap snapshot JSON from a compact description, and runs the engine on it.

use heapwise_engine::{parse::parse, Analysis, Error, Quiet};
use std::collections::HashMap;

/// Node types in the order current V8 writes them (spec §1.4).
pub const NODE_TYPES: [&str; 15] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
];

/// Edge types in the order of `v8-profiler.h` (spec §1.4).
pub const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];

struct Node {
    ty: &'static str,
    name: String,
    id: u32,
    self_size: u64,
    detachedness: u8,
    edges: Vec<Edge>,
}

struct Edge {
    ty: &'static str,
    /// A string name, or the decimal index of `element`/`hidden` edges.
    name: String,
    to: usize,
}

/// A heap graph under construction. Node 0 is the synthetic root (id 1); every node gets the
/// odd id `2 * ordinal + 1`.
pub struct Graph {
    nodes: Vec<Node>,
    /// `snapshot.extra_native_bytes`, written only when set.
    pub extra_native_bytes: Option<u64>,
}

impl Graph {
    /// A graph holding only the root, named `""` as V8 names it.
    pub fn new() -> Graph {
        Graph::with_root_name("")
    }

    /// A graph holding only the root, with a readable name (for tests that look it up).
    pub fn with_root_name(name: &str) -> Graph {
        let mut g = Graph {
            nodes: Vec::new(),
            extra_native_bytes: None,
        };
        g.node("synthetic", name, 0);
        g
    }

    /// The root's ordinal.
    pub fn root(&self) -> usize {
        0
    }

    /// Adds a node and returns its ordinal.
    pub fn node(&mut self, ty: &'static str, name: &str, self_size: u64) -> usize {
        assert!(NODE_TYPES.contains(&ty), "unknown node type {ty}");
        let o = self.nodes.len();
        self.nodes.push(Node {
            ty,
            name: name.to_owned(),
            id: 2 * o as u32 + 1,
            self_size,
            detachedness: 0,
            edges: Vec::new(),
        });
        o
    }

    /// Shorthand for an `object` node.
    pub fn obj(&mut self, name: &str, self_size: u64) -> usize {
        self.node("object", name, self_size)
    }

    /// Gives node `o` the V8 id `id` (diff tests need the same object in two snapshots).
    pub fn set_id(&mut self, o: usize, id: u32) {
        self.nodes[o].id = id;
    }

    /// Writes the snapshot to a fresh file under the system temp directory. The file is removed
    /// when the returned guard is dropped (also when the test panics), so the tests leave nothing.
    pub fn write_temp(&self, name: &str) -> TempSnapshot {
        // Tests run in parallel threads: every call gets its own file (no shared folder to race on).
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "heapwise-engine-test-{}-{n}-{name}.heapsnapshot",
            std::process::id()
        ));
        std::fs::write(&path, self.json()).expect("write snapshot");
        TempSnapshot(path)
    }

    /// The V8 id of node `o`.
    pub fn id(&self, o: usize) -> u32 {
        self.nodes[o].id
    }

    /// Sets node `o`'s `detachedness` field (0 unknown, 1 attached, 2 detached).
    pub fn set_detachedness(&mut self, o: usize, d: u8) {
        self.nodes[o].detachedness = d;
    }

    /// Adds an edge `from -> to`; for `element` and `hidden` edges `name` must be a number.
    pub fn edge(&mut self, from: usize, ty: &'static str, name: &str, to: usize) {
        assert!(EDGE_TYPES.contains(&ty), "unknown edge type {ty}");
        if ty == "element" || ty == "hidden" {
            assert!(name.parse::<u32>().is_ok(), "{ty} edge names are numbers");
        }
        assert!(to < self.nodes.len(), "edge to a node not added yet");
        self.nodes[from].edges.push(Edge {
            ty,
            name: name.to_owned(),
            to,
        });
    }

    /// An `element` edge named by its 1-based position among `from`'s edges (V8's auto index).
    pub fn el(&mut self, from: usize, to: usize) {
        let i = (self.nodes[from].edges.len() + 1).to_string();
        self.edge(from, "element", &i, to);
    }

    /// A `property` edge.
    pub fn prop(&mut self, from: usize, name: &str, to: usize) {
        self.edge(from, "property", name, to);
    }

    /// An `internal` edge.
    pub fn internal(&mut self, from: usize, name: &str, to: usize) {
        self.edge(from, "internal", name, to);
    }

    /// A `weak` edge (named by a decimal counter, as V8 does).
    pub fn weak(&mut self, from: usize, to: usize) {
        let i = (self.nodes[from].edges.len() + 1).to_string();
        self.edge(from, "weak", &i, to);
    }

    /// A `shortcut` edge (named by a decimal counter, as V8 names the root's).
    pub fn shortcut(&mut self, from: usize, to: usize) {
        let i = (self.nodes[from].edges.len() + 1).to_string();
        self.edge(from, "shortcut", &i, to);
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The snapshot as JSON, with keys in V8's order (spec §1.1).
    pub fn json(&self) -> String {
        let mut strings: Vec<String> = vec![String::new()];
        let mut index: HashMap<String, usize> = HashMap::new();
        index.insert(String::new(), 0);
        let mut intern = |s: &str| -> usize {
            if let Some(&i) = index.get(s) {
                return i;
            }
            strings.push(s.to_owned());
            index.insert(s.to_owned(), strings.len() - 1);
            strings.len() - 1
        };
        let ty_of = |t: &str| NODE_TYPES.iter().position(|x| *x == t).unwrap();
        let ety_of = |t: &str| EDGE_TYPES.iter().position(|x| *x == t).unwrap();
        const NODE_FIELDS: usize = 6;
        let mut nodes = String::new();
        let mut edges = String::new();
        let mut edge_count = 0;
        for (o, n) in self.nodes.iter().enumerate() {
            if o > 0 {
                // V8's layout: a newline after each record, before the comma.
                nodes.push_str("\n,");
            }
            let name = intern(&n.name);
            nodes.push_str(&format!(
                "{},{},{},{},{},{}",
                ty_of(n.ty),
                name,
                n.id,
                n.self_size,
                n.edges.len(),
                n.detachedness
            ));
            for e in &n.edges {
                let name = if e.ty == "element" || e.ty == "hidden" {
                    e.name.parse::<usize>().unwrap()
                } else {
                    intern(&e.name)
                };
                if edge_count > 0 {
                    edges.push_str("\n,");
                }
                edges.push_str(&format!("{},{},{}", ety_of(e.ty), name, e.to * NODE_FIELDS));
                edge_count += 1;
            }
        }
        let quote = |l: &[&str]| {
            l.iter()
                .map(|s| json_string(s))
                .collect::<Vec<_>>()
                .join(",")
        };
        let extra = match self.extra_native_bytes {
            Some(b) => format!(",\"extra_native_bytes\":{b}"),
            None => String::new(),
        };
        format!(
            concat!(
                "{{\"snapshot\":{{\"meta\":{{",
                "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"detachedness\"],",
                "\"node_types\":[[{}],\"string\",\"number\",\"number\",\"number\",\"number\"],",
                "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],",
                "\"edge_types\":[[{}],\"string_or_number\",\"node\"],",
                "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],",
                "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],",
                "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],",
                "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},",
                "\"node_count\":{},\"edge_count\":{},\"trace_function_count\":0{}}},\n",
                "\"nodes\":[{}],\n\"edges\":[{}],\n",
                "\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n",
                "\"strings\":[{}]}}\n"
            ),
            quote(&NODE_TYPES),
            quote(&EDGE_TYPES),
            self.nodes.len(),
            edge_count,
            extra,
            nodes,
            edges,
            strings
                .iter()
                .map(|s| json_string(s))
                .collect::<Vec<_>>()
                .join(",\n"),
        )
    }

    /// Parses and analyses [`Graph::json`].
    pub fn analyse(&self) -> Analysis {
        analyse_json(&self.json())
    }

    /// The essential-edge list `(from, to)` as spec §2.4 defines it, for the naive checks:
    /// not weak, not a self edge, and from a non-root source neither a shortcut nor an edge from
    /// a non-page-owned node into a page-owned one. (No WeakMap edges are modelled here.)
    pub fn essential_edges(&self) -> Vec<(usize, usize)> {
        let page = self.page_owned();
        let mut out = Vec::new();
        for (s, n) in self.nodes.iter().enumerate() {
            for e in &n.edges {
                if e.ty == "weak" || e.to == s {
                    continue;
                }
                if s != 0 && (e.ty == "shortcut" || (page[e.to] && !page[s])) {
                    continue;
                }
                out.push((s, e.to));
            }
        }
        out
    }

    /// DevTools' `pageObject` flag (spec §2.3): reachable through non-weak edges from the root's
    /// shortcut targets (this builder never makes `(Document DOM trees)`).
    pub fn page_owned(&self) -> Vec<bool> {
        let mut flags = vec![false; self.nodes.len()];
        let mut stack = Vec::new();
        for e in &self.nodes[0].edges {
            if e.ty == "shortcut" && !flags[e.to] {
                flags[e.to] = true;
                stack.push(e.to);
            }
        }
        while let Some(o) = stack.pop() {
            for e in &self.nodes[o].edges {
                if e.ty != "weak" && !flags[e.to] {
                    flags[e.to] = true;
                    stack.push(e.to);
                }
            }
        }
        flags
    }

    /// Every edge as `(from, type, to)`.
    pub fn edges(&self) -> Vec<(usize, &'static str, usize)> {
        let mut out = Vec::new();
        for (s, n) in self.nodes.iter().enumerate() {
            for e in &n.edges {
                out.push((s, e.ty, e.to));
            }
        }
        out
    }

    /// The node's type name.
    pub fn type_of(&self, o: usize) -> &'static str {
        self.nodes[o].ty
    }

    /// The node's raw self size.
    pub fn self_size(&self, o: usize) -> u64 {
        self.nodes[o].self_size
    }
}

/// `JSON.stringify` of a string, enough for test names.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04X}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses and analyses a snapshot given as JSON text; panics with the error if either fails.
pub fn analyse_json(json: &str) -> Analysis {
    let snap = parse(json.as_bytes(), json.len() as u64, &Quiet)
        .unwrap_or_else(|e| panic!("parse failed: {e}\n{json}"));
    Analysis::run(snap, &Quiet).unwrap_or_else(|e| panic!("analysis failed: {e}"))
}

/// The error that parsing `bytes` gives (panics if it parses).
pub fn parse_error(bytes: &[u8]) -> Error {
    match parse(bytes, bytes.len() as u64, &Quiet) {
        Ok(_) => panic!(
            "parsed, expected an error: {}",
            String::from_utf8_lossy(bytes)
        ),
        Err(e) => e,
    }
}

/// The raw name of node `o`, as the analysed snapshot holds it.
pub fn raw_name(a: &Analysis, o: usize) -> String {
    a.snapshot()
        .strings
        .get(a.snapshot().node_name[o])
        .into_owned()
}

/// The ordinal of the only node whose raw name is `name`.
pub fn find(a: &Analysis, name: &str) -> usize {
    let hits: Vec<usize> = (0..a.node_count())
        .filter(|&o| raw_name(a, o) == name)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one node named {name:?}, found {hits:?}"
    );
    hits[0]
}

/// The raw name of node `name`'s immediate dominator.
pub fn idom(a: &Analysis, name: &str) -> String {
    raw_name(a, a.dominators()[find(a, name)] as usize)
}

/// Asserts immediate dominators, given as `(node, dominator)` names.
pub fn assert_idoms(a: &Analysis, expected: &[(&str, &str)]) {
    for &(node, dom) in expected {
        assert_eq!(idom(a, node), dom, "immediate dominator of {node}");
    }
}

/// Asserts retained sizes, given as `(node, size)`.
pub fn assert_retained(a: &Analysis, expected: &[(&str, f64)]) {
    for &(node, size) in expected {
        assert_eq!(
            a.retained_sizes()[find(a, node)],
            size,
            "retained size of {node}"
        );
    }
}

/// Asserts the tree invariants every analysis must satisfy: the root dominates itself and every
/// dominator chain ends there, `retained(root)` is the sum of the shallow sizes, and every
/// node's retained size is its shallow size plus its dominator-tree children's retained sizes.
pub fn assert_tree_invariants(a: &Analysis) {
    let n = a.node_count();
    let root = a.root().index();
    assert_eq!(
        a.dominators()[root] as usize,
        root,
        "the root dominates itself"
    );
    let mut children_sum = vec![0f64; n];
    for o in 0..n {
        if o != root {
            children_sum[a.dominators()[o] as usize] += a.retained_sizes()[o];
            let mut cur = o;
            let mut steps = 0;
            while cur != root {
                cur = a.dominators()[cur] as usize;
                steps += 1;
                assert!(steps <= n, "dominator chain of {o} does not reach the root");
            }
        }
    }
    for o in 0..n {
        assert_eq!(
            a.retained_sizes()[o],
            a.shallow_sizes()[o] as f64 + children_sum[o],
            "retained size of node {o} is not shallow + children"
        );
    }
    let total: f64 = a.shallow_sizes().iter().map(|&s| s as f64).sum();
    assert_eq!(
        a.retained_sizes()[root],
        total,
        "retained(root) = Σ shallow"
    );
}

/// Dominators by definition: `d` dominates `v` iff `v` cannot be reached from `root` once `d`
/// is removed. Returns the immediate dominator of every node reachable from `root` over
/// `edges` (`None` for unreachable nodes; the root maps to itself). O(n·(n+m)).
pub fn naive_idoms(n: usize, root: usize, edges: &[(usize, usize)]) -> Vec<Option<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(s, t) in edges {
        adj[s].push(t);
    }
    let reach = |removed: Option<usize>| -> Vec<bool> {
        let mut seen = vec![false; n];
        if removed == Some(root) {
            return seen;
        }
        seen[root] = true;
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            for &w in &adj[v] {
                if !seen[w] && Some(w) != removed {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    };
    let reachable = reach(None);
    // strict[v] = strict dominators of v.
    let mut strict: Vec<Vec<usize>> = vec![Vec::new(); n];
    for d in 0..n {
        if !reachable[d] {
            continue;
        }
        let without = reach(Some(d));
        for v in 0..n {
            if v != d && reachable[v] && !without[v] {
                strict[v].push(d);
            }
        }
    }
    (0..n)
        .map(|v| {
            if !reachable[v] {
                None
            } else if v == root {
                Some(root)
            } else {
                // Dominators form a chain: the immediate one has the most dominators itself.
                strict[v].iter().copied().max_by_key(|&d| strict[d].len())
            }
        })
        .collect()
}

/// A snapshot file written by [`Graph::write_temp`]: derefs to its path, removed on drop.
pub struct TempSnapshot(std::path::PathBuf);

impl std::ops::Deref for TempSnapshot {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempSnapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
