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
use super::quirks::BogusRetainers;
use super::retainers::Retainers;
use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// Dominator tree and DFS order.
pub(crate) struct Dominators {
    /// Immediate dominator ordinal of every node (the root dominates itself).
    pub(crate) dominator: Vec<u32>,
    /// Nodes (ordinals) in DFS preorder, root first: the order retained sizes are summed in.
    pub(crate) preorder: Vec<u32>,
    /// How many nodes the root does not reach through essential edges.
    pub(crate) unreachable: usize,
    /// How many of those were only reachable from other unreachable nodes (cliques).
    pub(crate) cliques: usize,
}

/// Computes the dominator tree of `snap` over the `essential` edges (`ret.essential` marks the
/// same edges by retainer slot; `bogus`: the retainer slots DevTools adds for dangling edges).
pub(crate) fn compute(
    snap: &Snapshot,
    ret: &Retainers,
    bogus: Option<BogusRetainers>,
    essential: &BitVec,
    obs: &dyn Observer,
) -> Result<Dominators> {
    let mut poll = Poll::new(obs);
    let n = snap.node_count();
    let r = snap.root + 1;
    let mut lt = LengauerTarjan::new(snap, ret, essential);
    lt.bogus = bogus.filter(|b| b.essential).map(|b| b.node);
    let (reached, cliques) = lt.number(r, &mut poll)?;
    debug_assert_eq!(lt.count as usize, n, "every vertex is numbered");
    debug_assert!(
        (1..=n).all(|i| lt.semi[lt.vertex[i] as usize] as usize == i),
        "vertex[] and the DFS numbers are inverse"
    );
    lt.semidominators(r, &mut poll)?;
    let (dominator, preorder) = lt.finish(r);
    Ok(Dominators {
        dominator,
        preorder,
        unreachable: n - reached,
        cliques,
    })
}

/// The state of Lengauer–Tarjan over vertices `1..=n` (0 means "none"). Six arrays of n + 1
/// words and one bit per vertex, where the textbook uses eight arrays:
/// - `pa[v]` is v's DFS-tree parent until v is linked into the forest, and its forest ancestor
///   afterwards (LINK sets the ancestor to the parent, which `pa` already holds; `linked` tells
///   the two states apart where the textbook tests `ancestor[v] != 0`);
/// - `dom[v]` is the DFS edge cursor during the search, then the bucket's next link while v
///   waits in a bucket (read for the last time when v leaves it), then v's dominator.
struct LengauerTarjan<'a> {
    snap: &'a Snapshot,
    ret: &'a Retainers,
    essential: &'a BitVec,
    /// The node that DevTools gives node 0 as an extra essential predecessor (the last node,
    /// when the snapshot has dangling edges and edge 0 is essential: see `quirks`).
    bogus: Option<usize>,
    pa: Vec<u32>,
    /// `vertex[i]` is the vertex with DFS number `i`.
    vertex: Vec<u32>,
    label: Vec<u32>,
    /// The DFS number of v (0: not reached yet), then of its semidominator.
    semi: Vec<u32>,
    dom: Vec<u32>,
    /// How many vertices are numbered.
    count: u32,
    /// Buckets as linked lists: a head per vertex, the next link in `dom`.
    bucket_head: Vec<u32>,
    linked: BitVec,
    /// EVAL's path-compression stack, kept to reuse its buffer.
    stack: Vec<u32>,
}

impl<'a> LengauerTarjan<'a> {
    fn new(snap: &'a Snapshot, ret: &'a Retainers, essential: &'a BitVec) -> Self {
        let len = snap.node_count() + 1;
        LengauerTarjan {
            snap,
            ret,
            essential,
            bogus: None,
            pa: vec![0; len],
            vertex: vec![0; len],
            label: vec![0; len],
            semi: vec![0; len],
            dom: vec![0; len],
            count: 0,
            bucket_head: Vec::new(),
            linked: BitVec::default(),
            stack: Vec::new(),
        }
    }

    /// Numbers the vertices in DFS preorder as DevTools does: from the root `r`, then from every
    /// unreached vertex without an essential retainer, then every vertex still unreached (a
    /// clique of unreachable nodes) directly under the root. Returns how many the root reached
    /// and how many were cliques.
    fn number(&mut self, r: u32, poll: &mut Poll<'_>) -> Result<(usize, usize)> {
        let n = self.snap.node_count();
        self.dfs(r, poll)?;
        let reached = self.count as usize;
        if reached < n {
            for v in 1..=n as u32 {
                poll.tick()?;
                let unreached = self.semi[v as usize] == 0;
                if unreached
                    && self.bogus != Some(v as usize - 1)
                    && !self
                        .ret
                        .of(v as usize - 1)
                        .any(|slot| self.ret.essential.get(slot))
                {
                    self.pa[v as usize] = r;
                    self.dfs(v, poll)?;
                }
            }
        }
        let mut cliques = 0;
        if (self.count as usize) < n {
            for v in 1..=n as u32 {
                if self.semi[v as usize] == 0 {
                    self.pa[v as usize] = r;
                    self.visit(v);
                    cliques += 1;
                }
            }
        }
        // The edge cursors are done with: `dom` becomes the bucket links.
        self.dom.iter_mut().for_each(|d| *d = 0);
        Ok((reached, cliques))
    }

    /// Gives `v` the next DFS number.
    #[inline]
    fn visit(&mut self, v: u32) {
        self.count += 1;
        self.semi[v as usize] = self.count;
        self.vertex[self.count as usize] = v;
        self.label[v as usize] = v;
    }

    /// Iterative DFS from `root` over essential edges; `dom` holds each vertex's edge cursor.
    fn dfs(&mut self, root: u32, poll: &mut Poll<'_>) -> Result<()> {
        let fe = &self.snap.first_edge;
        let edge_to = &self.snap.edge_to;
        self.dom[root as usize] = fe[root as usize - 1];
        let mut v = root;
        while v != 0 {
            poll.tick()?;
            let vi = v as usize;
            if self.semi[vi] == 0 {
                self.visit(v);
            }
            let mut v_next = self.pa[vi];
            let end = fe[vi];
            while self.dom[vi] < end {
                let ei = self.dom[vi] as usize;
                if self.essential.get(ei) {
                    let w = edge_to[ei] + 1;
                    if self.semi[w as usize] == 0 {
                        self.pa[w as usize] = v;
                        self.dom[w as usize] = fe[w as usize - 1];
                        v_next = w;
                        break;
                    }
                }
                self.dom[vi] += 1;
            }
            v = v_next;
        }
        Ok(())
    }

    /// EVAL with path compression (iterative).
    fn eval(&mut self, v: u32) -> u32 {
        if !self.linked.get(v as usize) {
            return v;
        }
        // compress(v)
        let (pa, label, semi) = (&mut self.pa, &mut self.label, &self.semi);
        let mut x = v;
        while self.linked.get(pa[x as usize] as usize) {
            self.stack.push(x);
            x = pa[x as usize];
        }
        while let Some(w) = self.stack.pop() {
            let a = pa[w as usize] as usize;
            if semi[label[a] as usize] < semi[label[w as usize] as usize] {
                label[w as usize] = label[a];
            }
            pa[w as usize] = pa[a];
        }
        label[v as usize]
    }

    /// Semidominators in reverse DFS order, each vertex's bucket emptied into tentative
    /// dominators as soon as its parent is linked (steps 2 and 3 of the paper).
    fn semidominators(&mut self, r: u32, poll: &mut Poll<'_>) -> Result<()> {
        let len = self.semi.len();
        self.bucket_head = vec![0; len];
        self.linked = BitVec::new(len);
        for i in (2..=self.count as usize).rev() {
            poll.tick()?;
            let w = self.vertex[i];
            let wo = w as usize - 1;
            let mut orphan = true;
            for slot in self.ret.of(wo) {
                if !self.ret.essential.get(slot) {
                    continue;
                }
                orphan = false;
                let u = self.eval(self.ret.node[slot] + 1);
                if self.semi[u as usize] < self.semi[w as usize] {
                    self.semi[w as usize] = self.semi[u as usize];
                }
            }
            if self.bogus == Some(wo) {
                orphan = false;
                let u = self.eval(1);
                if self.semi[u as usize] < self.semi[w as usize] {
                    self.semi[w as usize] = self.semi[u as usize];
                }
            }
            if orphan {
                self.semi[w as usize] = self.semi[r as usize];
            }
            let b = self.vertex[self.semi[w as usize] as usize] as usize;
            // A vertex enters exactly one bucket once, so a plain list matches DevTools' Set.
            self.dom[w as usize] = self.bucket_head[b];
            self.bucket_head[b] = w;
            let pw = self.pa[w as usize];
            self.linked.set(w as usize); // LINK(pw, w): w's ancestor is pw, which pa[w] holds
            let mut v = self.bucket_head[pw as usize];
            while v != 0 {
                let next = self.dom[v as usize];
                let u = self.eval(v);
                self.dom[v as usize] = if self.semi[u as usize] < self.semi[v as usize] {
                    u
                } else {
                    pw
                };
                v = next;
            }
            self.bucket_head[pw as usize] = 0;
        }
        // A vertex whose bucket was never emptied (its semidominator is not a DFS ancestor,
        // which DevTools' handling of unreachable nodes allows) has no dominator yet: 0, which
        // `finish` turns into the root as DevTools' zero-filled array does. Its `dom` slot still
        // holds a bucket link, so the leftover lists are walked and cleared.
        for head in &mut self.bucket_head {
            let mut v = std::mem::take(head);
            while v != 0 {
                let next = self.dom[v as usize];
                self.dom[v as usize] = 0;
                v = next;
            }
        }
        debug_assert!(
            self.bucket_head.iter().all(|&h| h == 0),
            "every bucket is empty"
        );
        Ok(())
    }

    /// Step 4 of the paper: the immediate dominators in DFS order; then vertex numbers back to
    /// ordinals, reusing the buffers. Returns the dominator of every ordinal and the preorder.
    fn finish(self, r: u32) -> (Vec<u32>, Vec<u32>) {
        let LengauerTarjan {
            mut dom,
            vertex,
            semi,
            count,
            pa,
            label,
            bucket_head,
            linked,
            ..
        } = self;
        // Freed before the last pass, as the other half of the analysis still allocates.
        drop((pa, label, bucket_head, linked));
        dom[0] = r;
        dom[r as usize] = r;
        for i in 2..=count as usize {
            let w = vertex[i] as usize;
            if dom[w] != vertex[semi[w] as usize] {
                dom[w] = dom[dom[w] as usize];
            }
        }
        drop(semi);
        debug_assert!(
            dom[1..].iter().all(|&d| d != 0),
            "every vertex has a dominator"
        );
        let mut dominator = dom;
        dominator.remove(0);
        dominator.iter_mut().for_each(|d| *d -= 1);
        let mut preorder = vertex;
        preorder.remove(0);
        preorder.truncate(count as usize);
        preorder.iter_mut().for_each(|v| *v -= 1);
        (dominator, preorder)
    }
}

/// Retained sizes: each node's shallow size plus those of the nodes it dominates, summed in
/// reverse DFS preorder as DevTools does (as `f64`, exact up to 2^53).
pub(crate) fn retained_sizes(
    dom: &Dominators,
    shallow: &[u32],
    obs: &dyn Observer,
) -> Result<Vec<f64>> {
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
pub(crate) struct DominatedNodes {
    /// `first[o]..first[o + 1]` is node `o`'s range in `nodes` (length n + 1).
    pub(crate) first: Vec<u32>,
    /// Child ordinals.
    pub(crate) nodes: Vec<u32>,
}

impl DominatedNodes {
    /// Builds the children lists from the immediate-dominator array.
    pub(crate) fn build(
        dominator: &[u32],
        root: u32,
        obs: &dyn Observer,
    ) -> Result<DominatedNodes> {
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
    pub(crate) fn of(&self, o: usize) -> &[u32] {
        &self.nodes[self.first[o] as usize..self.first[o + 1] as usize]
    }
}
