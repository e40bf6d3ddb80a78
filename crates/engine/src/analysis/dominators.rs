//! Dominator tree and retained sizes.
//!
//! Node `d` *dominates* node `v` if every path from the root to `v` passes through `d`; the
//! *immediate dominator* of `v` is its closest strict dominator, and these links form the
//! dominator tree. A node's *retained size* is the sum of the shallow sizes of the nodes it
//! dominates (itself included): what would be freed if it were gone.
//!
//! The algorithm is the simple (path compression, no balancing) version of Lengauer and Tarjan,
//! "A fast algorithm for finding dominators in a flowgraph", TOPLAS 1(1), 1979, O(m log n),
//! over the essential edges only ([`super::essential`]). It reproduces DevTools'
//! `calculateDominatorsAndRetainedSizes` step by step (spec §2.6), including how nodes that the
//! root does not reach are attached: first a DFS from every node whose retainers are all
//! non-essential, then every remaining node (cliques of unreachable nodes) hung directly under
//! the root. Vertices are numbered 1..=n (vertex = ordinal + 1) so that 0 can mean "none".

use super::bits::BitVec;
use super::retainers::Retainers;
use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// Dominator tree and DFS order.
pub struct Dominators {
    /// Immediate dominator ordinal of every node (the root dominates itself).
    pub dominator: Vec<u32>,
    /// Nodes (ordinals) in DFS preorder, root first: the order retained sizes are summed in.
    pub preorder: Vec<u32>,
    /// How many nodes the root does not reach through essential edges.
    pub unreachable: usize,
    /// How many of those were only reachable from other unreachable nodes (cliques).
    pub cliques: usize,
}

/// Computes the dominator tree of `snap` over the `essential` edges (`ret.essential` marks the
/// same edges by retainer slot).
pub fn compute(
    snap: &Snapshot,
    ret: &Retainers,
    essential: &BitVec,
    obs: &dyn Observer,
) -> Result<Dominators> {
    let mut poll = Poll::new(obs);
    let n = snap.node_count();
    let len = n + 1;
    // Six arrays of n + 1 words and one bit per vertex, where the textbook uses eight arrays:
    // - `pa[v]` is v's DFS-tree parent until v is linked into the forest, and its forest
    //   ancestor afterwards (LINK sets the ancestor to the parent, which `pa` already holds;
    //   `linked` tells the two states apart where the textbook tests `ancestor[v] != 0`);
    // - `dom[v]` is the DFS edge cursor during the search, then the bucket's next link while v
    //   waits in a bucket (read for the last time when v leaves it), then v's dominator.
    let mut pa = vec![0u32; len];
    let mut vertex = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut semi = vec![0u32; len];
    let mut dom = vec![0u32; len];
    let mut count = 0u32;
    let fe = &snap.first_edge;

    // Iterative DFS; `next_edge` is the per-vertex cursor into the edge list.
    let dfs = |root: u32,
               count: &mut u32,
               semi: &mut [u32],
               vertex: &mut [u32],
               label: &mut [u32],
               parent: &mut [u32],
               next_edge: &mut [u32],
               poll: &mut Poll<'_>|
     -> Result<()> {
        next_edge[root as usize] = fe[root as usize - 1];
        let mut v = root;
        while v != 0 {
            poll.tick()?;
            let vi = v as usize;
            if semi[vi] == 0 {
                *count += 1;
                semi[vi] = *count;
                vertex[*count as usize] = v;
                label[vi] = v;
            }
            let mut v_next = parent[vi];
            let end = fe[vi];
            while next_edge[vi] < end {
                let ei = next_edge[vi] as usize;
                if essential.get(ei) {
                    let w = snap.edge_to[ei] + 1;
                    if semi[w as usize] == 0 {
                        parent[w as usize] = v;
                        next_edge[w as usize] = fe[w as usize - 1];
                        v_next = w;
                        break;
                    }
                }
                next_edge[vi] += 1;
            }
            v = v_next;
        }
        Ok(())
    };

    let r = snap.root + 1;
    dfs(
        r,
        &mut count,
        &mut semi,
        &mut vertex,
        &mut label,
        &mut pa,
        &mut dom,
        &mut poll,
    )?;
    let reached = count as usize;
    if (count as usize) < n {
        for v in 1..=n as u32 {
            poll.tick()?;
            if semi[v as usize] == 0 && !ret.of(v as usize - 1).any(|slot| ret.essential.get(slot))
            {
                pa[v as usize] = r;
                dfs(
                    v,
                    &mut count,
                    &mut semi,
                    &mut vertex,
                    &mut label,
                    &mut pa,
                    &mut dom,
                    &mut poll,
                )?;
            }
        }
    }
    let mut cliques = 0;
    if (count as usize) < n {
        for v in 1..=n as u32 {
            if semi[v as usize] == 0 {
                pa[v as usize] = r;
                count += 1;
                semi[v as usize] = count;
                vertex[count as usize] = v;
                label[v as usize] = v;
                cliques += 1;
            }
        }
    }
    dom.iter_mut().for_each(|d| *d = 0);

    // Buckets as linked lists: a head per vertex, the next link in `dom`.
    let mut bucket_head = vec![0u32; len];
    let mut linked = BitVec::new(len);
    let mut stack: Vec<u32> = Vec::new();

    // EVAL with path compression (iterative).
    let eval = |v: u32,
                pa: &mut [u32],
                linked: &BitVec,
                label: &mut [u32],
                semi: &[u32],
                stack: &mut Vec<u32>|
     -> u32 {
        if !linked.get(v as usize) {
            return v;
        }
        // compress(v)
        let mut x = v;
        while linked.get(pa[x as usize] as usize) {
            stack.push(x);
            x = pa[x as usize];
        }
        while let Some(w) = stack.pop() {
            let a = pa[w as usize] as usize;
            if semi[label[a] as usize] < semi[label[w as usize] as usize] {
                label[w as usize] = label[a];
            }
            pa[w as usize] = pa[a];
        }
        label[v as usize]
    };

    for i in (2..=count as usize).rev() {
        poll.tick()?;
        let w = vertex[i];
        let wo = w as usize - 1;
        let mut orphan = true;
        for slot in ret.of(wo) {
            if !ret.essential.get(slot) {
                continue;
            }
            orphan = false;
            let v = ret.node[slot] + 1;
            let u = eval(v, &mut pa, &linked, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        if orphan {
            semi[w as usize] = semi[r as usize];
        }
        let b = vertex[semi[w as usize] as usize] as usize;
        // A vertex enters exactly one bucket once, so a plain list matches DevTools' Set.
        dom[w as usize] = bucket_head[b];
        bucket_head[b] = w;
        let pw = pa[w as usize];
        linked.set(w as usize); // LINK(pw, w): w's ancestor is pw, which pa[w] holds
        let mut v = bucket_head[pw as usize];
        while v != 0 {
            let next = dom[v as usize];
            let u = eval(v, &mut pa, &linked, &mut label, &semi, &mut stack);
            dom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                pw
            };
            v = next;
        }
        bucket_head[pw as usize] = 0;
    }
    // A vertex whose bucket was never emptied (its semidominator is not a DFS ancestor, which
    // DevTools' handling of unreachable nodes allows) has no dominator yet: 0, which the pass
    // below turns into the root as DevTools' zero-filled array does. Its `dom` slot still holds
    // a bucket link, so the leftover lists are walked and cleared.
    for &head in &bucket_head {
        let mut v = head;
        while v != 0 {
            let next = dom[v as usize];
            dom[v as usize] = 0;
            v = next;
        }
    }
    drop(bucket_head);
    drop(linked);
    drop(pa);
    drop(label);

    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=count as usize {
        let w = vertex[i] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);
    // Vertex numbers back to ordinals, reusing the buffers.
    let mut dominator = dom;
    dominator.remove(0);
    dominator.iter_mut().for_each(|d| *d -= 1);
    let mut preorder = vertex;
    preorder.remove(0);
    preorder.truncate(count as usize);
    preorder.iter_mut().for_each(|v| *v -= 1);
    Ok(Dominators {
        dominator,
        preorder,
        unreachable: n - reached,
        cliques,
    })
}

/// Retained sizes: each node's shallow size plus those of the nodes it dominates, summed in
/// reverse DFS preorder as DevTools does (as `f64`, exact up to 2^53).
pub fn retained_sizes(dom: &Dominators, shallow: &[u32], obs: &dyn Observer) -> Result<Vec<f64>> {
    let mut poll = Poll::new(obs);
    let mut retained: Vec<f64> = shallow.iter().map(|&s| s as f64).collect();
    for &o in dom.preorder[1..].iter().rev() {
        poll.tick()?;
        let d = dom.dominator[o as usize] as usize;
        retained[d] += retained[o as usize];
    }
    Ok(retained)
}

/// Children lists of the dominator tree (CSR), each in *descending* ordinal order as DevTools
/// stores them (spec §2.7).
pub struct DominatedNodes {
    /// `first[o]..first[o + 1]` is node `o`'s range in `nodes` (length n + 1).
    pub first: Vec<u32>,
    /// Child ordinals.
    pub nodes: Vec<u32>,
}

impl DominatedNodes {
    /// Builds the children lists from the immediate-dominator array.
    pub fn build(dominator: &[u32], root: u32, obs: &dyn Observer) -> Result<DominatedNodes> {
        let mut poll = Poll::new(obs);
        let n = dominator.len();
        let mut first = vec![0u32; n + 1];
        for (o, &d) in dominator.iter().enumerate() {
            if o as u32 != root {
                first[d as usize] += 1;
            }
        }
        // Exclusive prefix sum: first[d] = start of d's range.
        let mut acc = 0u32;
        for f in first.iter_mut().take(n) {
            let c = *f;
            *f = acc;
            acc += c;
        }
        first[n] = acc;
        // Fill each range from its end while walking ordinals upwards, as DevTools does, so
        // that every range is in descending ordinal order.
        let mut cursor: Vec<u32> = first[1..=n].to_vec();
        let mut nodes = vec![0u32; acc as usize];
        for (o, &d) in dominator.iter().enumerate() {
            poll.tick()?;
            if o as u32 == root {
                continue;
            }
            cursor[d as usize] -= 1;
            nodes[cursor[d as usize] as usize] = o as u32;
        }
        Ok(DominatedNodes { first, nodes })
    }

    /// The children of node `o`, in DevTools' stored order.
    pub fn of(&self, o: usize) -> &[u32] {
        &self.nodes[self.first[o] as usize..self.first[o + 1] as usize]
    }
}
