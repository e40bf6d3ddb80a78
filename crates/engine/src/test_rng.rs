//! A tiny reproducible random number generator for the unit tests (xorshift64; the
//! integration tests in `tests/` have their own, as they cannot see this crate's test code),
//! and the random snapshots the analysis' randomized tests are run on.

/// xorshift64 (Marsaglia 2003) from a fixed non-zero seed.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (0 is replaced, as xorshift would stay at 0).
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// Uniform enough in `0..m` (m > 0).
    pub(crate) fn below(&mut self, m: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % m
    }
}

/// A random snapshot of 2..=300 nodes, the root (node 0, synthetic) first: mostly objects,
/// some internal storage and synthetic nodes; edges mostly `element`, some `property`,
/// `internal`, `hidden`, `weak` and `shortcut`, self edges included; sparse enough that some
/// nodes are unreachable (orphans, cycles among themselves).
pub(crate) fn random_snapshot(rng: &mut Rng) -> crate::Snapshot {
    let n = 2 + rng.below(299) as usize;
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for o in 0..n {
        let ty = match (o, rng.below(10)) {
            (0, _) | (_, 0) => 9,
            (_, 1) => 0,
            (_, 2) => 1,
            _ => 3,
        };
        // The root holds a few nodes; the others up to 4 each.
        let count = if o == 0 {
            1 + n as u64 / 16
        } else {
            rng.below(5)
        };
        for _ in 0..count {
            let (ety, name) = match rng.below(20) {
                0..=11 => (1, rng.below(5)),
                12..=14 => (2, 1 + rng.below(3)),
                15 => (3, 1 + rng.below(3)),
                16 => (4, rng.below(5)),
                17 | 18 => (6, rng.below(5)),
                _ => (5, 1 + rng.below(3)),
            };
            edges.push(format!("{ety},{name},{}", 5 * rng.below(n as u64)));
        }
        nodes.push(format!(
            "{ty},1,{},{},{count}",
            2 * o + 1,
            1 + rng.below(100)
        ));
    }
    let json = format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],
"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number"],
"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]}},
"node_count":{n},"edge_count":{}}},"nodes":[{}],"edges":[{}],"strings":["","a","b","c","d"]}}"#,
        edges.len(),
        nodes.join(","),
        edges.join(",")
    );
    crate::parse::parse(json.as_bytes(), json.len() as u64, &crate::Quiet).unwrap()
}
