// Random graphs (fixed seeds): dominators, retained sizes, distances and shallow sizes vs naive definitions.

use crate::support::{assert_tree_invariants, naive_idoms, Graph};
use heapwise_engine::{parse::parse, Analysis, ErrorKind, Quiet};

/// xorshift64* (Vigna 2016): tiny, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // SplitMix64 of the seed, so that neighbouring seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What the random graphs may contain besides element/property/weak edges.
#[derive(Clone, Copy)]
struct Shape {
    /// Root shortcuts (page-owned rule) and shortcuts between ordinary nodes.
    shortcuts: bool,
}

/// A random graph of 1..=60 nodes: node 0 is the root; mostly objects, some internal storage
/// (`array`, `hidden`) and a few synthetic nodes; edges mostly `element`, some `property` and
/// `weak`, self edges and edges back to the root included; sparse enough that some nodes are
/// unreachable, some only weakly held, and some in unreachable cycles.
fn random_graph(rng: &mut Rng, shape: Shape) -> Graph {
    let n = 1 + rng.below(60);
    let mut g = Graph::new();
    for _ in 1..n {
        let ty = match rng.below(100) {
            0..=59 => "object",
            60..=71 => "array",
            72..=81 => "hidden",
            82..=89 => "string",
            90..=95 => "closure",
            _ => "synthetic",
        };
        let size = rng.below(1000) as u64;
        g.node(ty, "N", size);
    }
    let max_out = 1 + rng.below(5);
    for s in 0..n {
        let out = rng.below(max_out + 1) + if s == 0 { 1 + rng.below(4) } else { 0 };
        for _ in 0..out {
            // Half the edges go a little forward, building chains and deep trees.
            let t = if rng.chance(50) {
                (s + 1 + rng.below(3)) % n
            } else {
                rng.below(n)
            };
            match rng.below(100) {
                0..=14 => g.weak(s, t),
                15..=24 => {
                    let name = format!("p{}", rng.below(5));
                    g.prop(s, &name, t)
                }
                25..=29 if shape.shortcuts => g.shortcut(s, t),
                _ => g.el(s, t),
            }
        }
    }
    g
}

/// Nodes reachable from `from` over `edges`.
fn reachable(n: usize, from: &[usize], edges: &[(usize, usize)]) -> Vec<bool> {
    let mut adj = vec![Vec::new(); n];
    for &(s, t) in edges {
        adj[s].push(t);
    }
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = from.to_vec();
    for &f in from {
        seen[f] = true;
    }
    while let Some(v) = stack.pop() {
        for &w in &adj[v] {
            if !seen[w] {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    seen
}

/// The expected immediate dominators (spec §2.6): nodes the root reaches over essential edges
/// get their textbook dominator; an unreached node with no essential retainer is an *orphan*,
/// hung under the root and explored from there (textbook dominators of the graph plus virtual
/// root → orphan edges); everything else (retained only by unreachable nodes) is dominated by
/// the root directly.
fn expected_idoms(g: &Graph) -> Vec<usize> {
    let n = g.len();
    let mut edges = g.essential_edges();
    let from_root = reachable(n, &[0], &edges);
    let mut has_retainer = vec![false; n];
    for &(_, t) in &edges {
        has_retainer[t] = true;
    }
    for v in 0..n {
        if !from_root[v] && !has_retainer[v] {
            edges.push((0, v));
        }
    }
    naive_idoms(n, 0, &edges)
        .into_iter()
        .map(|d| d.unwrap_or(0))
        .collect()
}

/// Expected distances (spec §2.8.1): BFS levels from the user roots over non-weak edges, then
/// `100000000 + k` from the root through what is left, `-5` for the rest.
fn expected_distances(g: &Graph) -> Vec<i32> {
    let n = g.len();
    let mut adj = vec![Vec::new(); n];
    for (s, ty, t) in g.edges() {
        if ty != "weak" {
            adj[s].push(t);
        }
    }
    let mut dist = vec![-5i32; n];
    let bfs = |dist: &mut Vec<i32>, mut queue: Vec<usize>| {
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            for &w in &adj[v] {
                if dist[w] == -5 {
                    dist[w] = dist[v] + 1;
                    queue.push(w);
                }
            }
        }
    };
    let mut users = Vec::new();
    for (s, _, t) in g.edges() {
        if s == 0 && g.type_of(t) != "synthetic" && dist[t] == -5 {
            dist[t] = 1;
            users.push(t);
        }
    }
    let any_user = !users.is_empty();
    bfs(&mut dist, users);
    dist[0] = if any_user { 100_000_000 } else { 0 };
    bfs(&mut dist, vec![0]);
    dist
}

/// Expected shallow sizes (spec §2.5, its order-independent form): an `array`/`hidden` node's
/// size moves to the only non-internal node that reaches it through internal nodes over
/// non-weak edges, unless that owner is synthetic; nothing moves without user roots.
fn expected_shallow(g: &Graph) -> Vec<u64> {
    let n = g.len();
    let mut size: Vec<u64> = (0..n).map(|o| g.self_size(o)).collect();
    let internal = |o: usize| matches!(g.type_of(o), "array" | "hidden");
    let edges = g.edges();
    let user_roots = edges
        .iter()
        .any(|&(s, _, t)| s == 0 && g.type_of(t) != "synthetic");
    if !user_roots {
        return size;
    }
    let mut adj = vec![Vec::new(); n];
    for &(s, ty, t) in &edges {
        if ty != "weak" && internal(t) {
            adj[s].push(t);
        }
    }
    let mut owners: Vec<Vec<usize>> = vec![Vec::new(); n];
    for o in (0..n).filter(|&o| !internal(o)) {
        let mut seen = vec![false; n];
        let mut stack = vec![o];
        while let Some(v) = stack.pop() {
            for &t in &adj[v] {
                if !seen[t] {
                    seen[t] = true;
                    owners[t].push(o);
                    stack.push(t);
                }
            }
        }
    }
    for i in 0..n {
        if let [o] = owners[i][..] {
            if g.type_of(o) != "synthetic" {
                size[o] += size[i];
                size[i] = 0;
            }
        }
    }
    size
}

fn check(seed: u64, g: &Graph, a: &Analysis) {
    let ctx = || format!("seed {seed}, {} nodes:\n{}", g.len(), g.json());
    let idoms = expected_idoms(g);
    for (v, &d) in idoms.iter().enumerate() {
        assert_eq!(a.dominators()[v] as usize, d, "idom of node {v}; {}", ctx());
    }
    let shallow = expected_shallow(g);
    for (v, &s) in shallow.iter().enumerate() {
        assert_eq!(
            a.shallow_sizes()[v] as u64,
            s,
            "shallow size of node {v}; {}",
            ctx()
        );
    }
    let dist = expected_distances(g);
    for (v, &d) in dist.iter().enumerate() {
        assert_eq!(a.distances()[v], d, "distance of node {v}; {}", ctx());
    }
    assert_tree_invariants(a);
    let total: u64 = (0..g.len()).map(|o| g.self_size(o)).sum();
    assert_eq!(
        a.retained_sizes()[0],
        total as f64,
        "retained(root) = Σ self sizes; {}",
        ctx()
    );
}

/// True if DevTools fails on `g` ("BFS failed"): its distances walk queues the root's user-root
/// edges one entry each (several edges to one node included) and then every node it reaches,
/// in an array of one entry per node.
fn devtools_refuses(g: &Graph) -> bool {
    let n = g.len();
    let edges = g.edges();
    let mut queue: Vec<usize> = edges
        .iter()
        .filter(|&&(s, _, t)| s == 0 && g.type_of(t) != "synthetic")
        .map(|&(_, _, t)| t)
        .collect();
    let mut seen = vec![false; n];
    queue.iter().for_each(|&t| seen[t] = true);
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &(s, ty, t) in &edges {
            if s == v && ty != "weak" && !seen[t] {
                seen[t] = true;
                queue.push(t);
            }
        }
    }
    queue.len() > n
}

fn run(base: u64, graphs: u64, shape: Shape) {
    let mut refused = 0;
    for i in 0..graphs {
        let seed = base + i;
        let mut rng = Rng::new(seed);
        let g = random_graph(&mut rng, shape);
        let json = g.json();
        let snap = parse(json.as_bytes(), json.len() as u64, &Quiet).expect("parses");
        match Analysis::run(snap, &Quiet) {
            Ok(a) => {
                assert!(!devtools_refuses(&g), "seed {seed}: DevTools fails on it");
                check(seed, &g, &a);
            }
            Err(e) => {
                assert!(devtools_refuses(&g), "seed {seed}: {e}");
                assert_eq!(e.kind(), ErrorKind::InvalidData, "seed {seed}: {e}");
                refused += 1;
            }
        }
    }
    assert!(refused < graphs / 4, "{refused} of {graphs} graphs refused");
}

/// Element, property, weak and self edges; unreachable nodes, weak-only orphans, cliques.
#[test]
fn dominators_match_the_definition_on_random_graphs() {
    run(1_000, 400, Shape { shortcuts: false });
}

/// The same with root shortcuts (page-owned rule, §2.4) and non-root shortcuts.
#[test]
fn dominators_match_the_definition_with_shortcuts_and_page_owned_nodes() {
    run(50_000, 300, Shape { shortcuts: true });
}

/// The generator reaches the cases it is meant to: deep trees, weak-only orphans with subtrees
/// of their own, and nodes retained only from unreachable cycles.
#[test]
fn random_graphs_cover_orphans_and_cliques() {
    let (mut orphans, mut below_orphans, mut cliques, mut deep) = (0, 0, 0, 0);
    for seed in 1_000..1_400 {
        let g = random_graph(&mut Rng::new(seed), Shape { shortcuts: false });
        let n = g.len();
        let edges = g.essential_edges();
        let from_root = reachable(n, &[0], &edges);
        let mut has_retainer = vec![false; n];
        for &(_, t) in &edges {
            has_retainer[t] = true;
        }
        let orphan: Vec<usize> = (0..n)
            .filter(|&v| !from_root[v] && !has_retainer[v])
            .collect();
        orphans += orphan.len();
        let mut from = orphan.clone();
        from.push(0);
        let reached = reachable(n, &from, &edges);
        below_orphans += (0..n)
            .filter(|&v| reached[v] && !from_root[v] && has_retainer[v])
            .count();
        cliques += reached.iter().filter(|&&r| !r).count();
        let idoms = expected_idoms(&g);
        let depth = (0..n)
            .map(|mut v| {
                let mut d = 0;
                while v != 0 {
                    v = idoms[v];
                    d += 1;
                }
                d
            })
            .max()
            .unwrap_or(0);
        if depth >= 4 {
            deep += 1;
        }
    }
    let seen = format!(
        "{orphans} orphans, {below_orphans} nodes below them, {cliques} clique nodes, \
         {deep} graphs with dominator depth >= 4"
    );
    assert!(orphans > 1000 && below_orphans > 500, "{seen}");
    assert!(cliques > 40 && deep > 100, "{seen}");
}
