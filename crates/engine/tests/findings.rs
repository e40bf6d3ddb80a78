// Findings: the holder of a series' growth, named, with its members and chains, on hand-written
// snapshots of one process (objects keep their ids between snapshots).

use crate::support::Graph;
use heapwise_engine::findings::{find, Finding, FindingsOptions, Footprint, Series};
use heapwise_engine::{Analysis, Quiet};

/// `(root) ─shortcut→ global` (@41), the global object every graph here hangs off.
fn global_object(g: &mut Graph) -> usize {
    let r = g.root();
    let global = g.obj("global", 40);
    g.set_id(global, 41);
    g.shortcut(r, global);
    global
}

/// One process at `n` moments; at moment `k` the `cache` Map's table holds `2 + 10k` entries
/// and the `chain` variable points at a chain of `1 + 5k` links:
///
/// ```text
/// (root) ─shortcut→ global ─cache→ Map@51 ─table→ (system)@53 ─[i]→ Entry (2,000 B each)
///                          ─steady→ Array@61 ─[1]→ Item@63            (never changes)
///                          ─chain→ Link ─next→ Link ─next→ … ─next→ Link@71 (oldest, 2,000 B each)
/// ```
/// New objects get ids above the previous snapshot's largest (a `Marker` carries it).
fn moment(k: u32) -> Graph {
    let mut g = Graph::new();
    let global = global_object(&mut g);
    let map = g.obj("Map", 32);
    g.set_id(map, 51);
    g.prop(global, "cache", map);
    let table = g.node("hidden", "system / OrderedHashMap", 64);
    g.set_id(table, 53);
    g.internal(map, "table", table);
    let steady = g.obj("Array", 32);
    g.set_id(steady, 61);
    g.prop(global, "steady", steady);
    let item = g.obj("Item", 16);
    g.set_id(item, 63);
    g.el(steady, item);
    // Entries: 2 from before the first snapshot, then 10 per moment, ids by moment.
    let mut ids: Vec<u32> = vec![101, 103];
    for m in 1..=k {
        ids.extend((0..10).map(|i| 1000 * m + 1 + 2 * i));
    }
    for id in ids {
        let e = g.obj("Entry", 2000);
        g.set_id(e, id);
        g.el(table, e);
    }
    // The chain, newest link first: 1 link from before, 5 per moment.
    let mut link_ids: Vec<u32> = vec![71];
    for m in 1..=k {
        link_ids.extend((0..5).map(|i| 1000 * m + 501 + 2 * i));
    }
    let mut next: Option<usize> = None;
    for id in link_ids {
        let l = g.obj("Link", 2000);
        g.set_id(l, id);
        if let Some(n) = next {
            g.prop(l, "next", n);
        }
        next = Some(l);
    }
    g.prop(global, "chain", next.expect("one link at least"));
    let marker = g.obj("Marker", 8);
    g.set_id(marker, 1000 * k + 999);
    g.prop(global, "marker", marker);
    g
}

fn series(n: u32) -> (Vec<Footprint>, Analysis) {
    let mut history = Vec::new();
    for k in 0..n - 1 {
        let a = moment(k).analyse();
        history.push(Footprint::of(&a, &Quiet).expect("footprint"));
    }
    (history, moment(n - 1).analyse())
}

fn findings(history: &[Footprint], cur: &Analysis, opts: &FindingsOptions) -> Vec<Finding> {
    let refs: Vec<&Footprint> = history.iter().collect();
    find(&refs, cur, opts, &Quiet).expect("findings").findings
}

#[test]
fn the_map_and_the_chain_are_the_holders() {
    let (history, cur) = series(4);
    let opts = FindingsOptions {
        calls_per_step: Some(10.0),
        top: 5,
    };
    let f = findings(&history, &cur, &opts);
    // The Map grew by 3 × 10 × 2,000 B, the chain by 3 × 5 × 2,000 B: the Map first.
    assert!(f.len() >= 2, "{f:#?}");
    let map = &f[0];
    assert_eq!(map.holder.name, "globalThis.cache");
    assert_eq!(map.holder.kind, "Map");
    assert!(map.leak && map.growth.steady);
    assert_eq!(map.growth.members, vec![0, 10, 10, 10]);
    assert_eq!(map.growth.members_per_call, Some(1.0));
    assert_eq!(map.growth.whole_multiple, Some(true));
    assert_eq!(map.growth.bytes_per_snapshot, 20_000.0);
    assert_eq!(map.accumulates[0].class_name.to_lossy(), "Entry");
    assert_eq!(map.accumulates[0].count, 30);
    assert_eq!(map.path_text, "global.cache");

    let chain = &f[1];
    assert!(
        chain.holder.name.starts_with("globalThis.chain"),
        "{}",
        chain.holder.name
    );
    assert!(chain.growth.chain);
    assert_eq!(chain.growth.members, vec![0, 5, 5, 5], "links by step");
    assert!(chain.leak);
    // The array that never changed is no finding.
    assert!(f.iter().all(|x| !x.holder.name.contains("steady")));
}

#[test]
fn two_snapshots_and_a_flat_series() {
    // Two snapshots: a leak by members and bytes (10 entries, 20 kB), not "steady" (one step).
    let (history, cur) = series(2);
    let f = findings(&history, &cur, &FindingsOptions::default());
    assert_eq!(f[0].holder.name, "globalThis.cache");
    assert!(f[0].leak && !f[0].growth.steady);
    // The same snapshot twice: nothing grew, no finding.
    let a = moment(2).analyse();
    let fp = Footprint::of(&a, &Quiet).expect("footprint");
    let none = findings(&[fp], &a, &FindingsOptions::default());
    assert!(none.is_empty(), "{none:#?}");
}

#[test]
fn a_series_added_one_at_a_time_keeps_few_footprints() {
    // Twelve snapshots through a Series: findings from the second on, the Map first each time,
    // and at most MAX_KEPT footprints held, the first among them.
    let mut s = Series::new();
    let opts = FindingsOptions::default();
    for k in 0..12 {
        let a = moment(k).analyse();
        let f = s.add(&a, &opts, &Quiet).expect("add").findings;
        if k == 0 {
            assert!(f.is_empty());
            continue;
        }
        assert_eq!(f[0].holder.name, "globalThis.cache", "snapshot {k}");
        let snaps = &f[0].growth.snapshots;
        assert_eq!(snaps.first(), Some(&0));
        assert_eq!(snaps.last(), Some(&k));
        assert!(snaps.len() <= Series::MAX_KEPT + 1, "{snaps:?}");
        assert_eq!(f[0].growth.retained.len(), snaps.len());
        // 10 entries of 2,000 B per snapshot, whichever snapshots are kept.
        assert!(f[0].growth.members_per_snapshot > 0.0);
        assert!(f[0].leak);
    }
    assert_eq!(s.len(), 12);
}

#[test]
fn a_new_container_filled_beside_one_emptied_is_found() {
    // before: (root) ─shortcut→ global ─list→ Array ─[i]→ Item ×30 (3,000 B each)
    // after:  (root) ─shortcut→ global ─list→ Array (emptied)
    //                                  ─fresh→ Set (new) ─table→ (system) ─[i]→ Entry ×40 (new)
    // The global object shrank (+80 kB − 90 kB); the growth entered through the new Set.
    let graph = |after: bool| {
        let mut g = Graph::new();
        let global = global_object(&mut g);
        let list = g.obj("Array", 32);
        g.set_id(list, 43);
        g.prop(global, "list", list);
        if !after {
            for i in 0..30 {
                let item = g.obj("Item", 3000);
                g.set_id(item, 101 + 2 * i);
                g.el(list, item);
            }
        } else {
            let set = g.obj("Set", 32);
            g.set_id(set, 1001);
            g.prop(global, "fresh", set);
            let table = g.node("hidden", "system / OrderedHashSet", 64);
            g.set_id(table, 1003);
            g.internal(set, "table", table);
            for i in 0..40 {
                let e = g.obj("Entry", 2000);
                g.set_id(e, 1101 + 2 * i);
                g.el(table, e);
            }
        }
        g
    };
    let before = graph(false).analyse();
    let fp = Footprint::of(&before, &Quiet).expect("footprint");
    let f = findings(&[fp], &graph(true).analyse(), &FindingsOptions::default());
    assert_eq!(f[0].holder.name, "globalThis.fresh", "{f:#?}");
    assert_eq!(f[0].holder.kind, "Set");
    assert_eq!(f[0].growth.members, vec![0, 40]);
    assert_eq!(f[0].growth.retained[0], 0.0, "the Set did not exist yet");
    assert!(f[0].leak);
}
