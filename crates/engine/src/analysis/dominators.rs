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
//!
//! For speed the algorithm runs on DFS numbers rather than vertices once the DFS has numbered
//! them (a renaming, so every comparison and every result is the same): the main loop then
//! walks its arrays in order, EVAL's per-vertex fields share one 16-byte record, and "is
//! linked" is a comparison (vertices are linked in decreasing DFS number).

use super::bits::BitVec;
use super::quirks::BogusRetainers;
use super::ranges::Ranges;
use super::retainers::Retainers;
use crate::error::Result;
use crate::progress::{Observer, Poll};
use crate::snapshot::Snapshot;

/// Dominator tree and DFS order.
pub(crate) struct Dominators {
    /// Immediate dominator ordinal of every node (the root dominates itself).
    pub(crate) dominator: Vec<u32>,
    /// Retained size of every node: its shallow size plus those of the nodes it dominates,
    /// summed in reverse DFS preorder as DevTools does (as `f64`, exact up to 2^53).
    pub(crate) retained: Vec<f64>,
    /// How many nodes the root does not reach through essential edges.
    pub(crate) unreachable: usize,
    /// How many of those were only reachable from other unreachable nodes (cliques).
    pub(crate) cliques: usize,
    /// The tree's children lists, when asked for (built beside the retained sizes).
    pub(crate) dominated: Option<DominatedNodes>,
}

/// The DFS from the root over the essential edges, numbered and waiting for the retainers: the
/// first step of [`Numbering::dominators`], which needs no retainers, so it runs while they are
/// built.
pub(crate) struct Numbering<'a>(LengauerTarjan<'a>);

impl<'a> Numbering<'a> {
    /// Numbers the nodes of `snap` that the root reaches through the `essential` edges.
    pub(crate) fn from_root(
        snap: &'a Snapshot,
        essential: &'a BitVec,
        obs: &dyn Observer,
    ) -> Result<Numbering<'a>> {
        assert!(snap.node_count() < MARK as usize, "at most 2^31 - 1 nodes");
        let mut lt = LengauerTarjan::new(snap, essential);
        lt.dfs(snap.root + 1, 0, &mut Poll::new(obs))?;
        Ok(Numbering(lt))
    }

    /// Completes the dominator tree over the essential edges (`ret.essential` marks the same
    /// edges by retainer slot; `bogus`: the retainer slots DevTools adds for dangling edges),
    /// and the retained sizes from the `shallow` sizes; with `children`, the tree's children
    /// lists too.
    pub(crate) fn dominators(
        self,
        ret: &Retainers,
        bogus: Option<BogusRetainers>,
        shallow: &[u32],
        children: bool,
        obs: &dyn Observer,
    ) -> Result<Dominators> {
        let mut poll = Poll::new(obs);
        let mut lt = self.0;
        let n = lt.snap.node_count();
        lt.bogus = bogus.filter(|b| b.essential).map(|b| b.node);
        let reached = lt.count as usize;
        let cliques = lt.number_unreached(ret, &mut poll)?;
        debug_assert_eq!(lt.count as usize, n, "every vertex is numbered");
        lt.semidominators(ret, &mut poll)?;
        let (dominator, retained, dominated) = lt.finish(shallow, children, &mut poll, obs)?;
        Ok(Dominators {
            dominator,
            retained,
            unreachable: n - reached,
            cliques,
            dominated,
        })
    }
}

/// The per-number state of Lengauer–Tarjan, in one 16-byte record so that a forest step or a
/// bucket step touches one cache line instead of several arrays (an array of words rather than
/// a struct so that the zeroed buffer is mapped at once, see `crate::alloc`):
/// - [`ANCESTOR`]: the DFS-tree parent until the number is linked into the forest, its forest
///   ancestor afterwards (LINK sets the ancestor to the parent, which this already holds);
/// - [`LABEL`]: EVAL's label, the number of minimum semidominator on the compressed path;
/// - [`SEMI`]: until the number is processed, the head of its bucket (the numbers whose
///   semidominator it is; 0: empty); then `semi` of its label (final once linked, and labels
///   only name linked numbers), so that EVAL compares without a lookup. A number's bucket is
///   complete and never emptied again once the number is processed (entries come from larger
///   numbers, and it is emptied when a child, a larger number, is linked), so what is left in
///   it then stays there;
/// - [`DOM`]: the bucket's next link while the number waits in a bucket (read for the last
///   time when it leaves it), then its tentative dominator, marked with [`MARK`] where
///   DevTools' last pass replaces it by that one's dominator, then its dominator.
type Slot = [u32; 4];
const ANCESTOR: usize = 0;
const LABEL: usize = 1;
const SEMI: usize = 2;
const DOM: usize = 3;
/// The bit that marks a tentative dominator that is not the semidominator (numbers stay below).
const MARK: u32 = 1 << 31;

/// The state of Lengauer–Tarjan. Vertices are numbered 1..=n (vertex = ordinal + 1, 0 =
/// "none"); after the DFS everything runs on *DFS numbers* (also 1..=n, the root is 1): the
/// same algorithm with the vertices renamed, so every result is the same, while the reverse
/// DFS-order main loop walks the arrays sequentially and "is linked" is a comparison with the
/// current number instead of a bit (numbers are linked in decreasing order).
struct LengauerTarjan<'a> {
    snap: &'a Snapshot,
    essential: &'a BitVec,
    /// The node that DevTools gives node 0 as an extra essential predecessor (the last node,
    /// when the snapshot has dangling edges and edge 0 is essential: see `quirks`).
    bogus: Option<usize>,
    /// `number[v]`: the DFS number of vertex v (0: not reached yet).
    number: Vec<u32>,
    /// `vertex[i]`: the vertex with DFS number i.
    vertex: Vec<u32>,
    /// By DFS number.
    slot: Vec<Slot>,
    /// How many vertices are numbered.
    count: u32,
    /// EVAL's path-compression stack (and the DFS stack before it), kept to reuse its buffer.
    stack: Vec<u32>,
    /// How many retainers' numbers [`LengauerTarjan::semidominators`] gathers at a time
    /// ([`GATHERED`]; the tests try others, as the result must not depend on it).
    gathered: usize,
}

impl<'a> LengauerTarjan<'a> {
    fn new(snap: &'a Snapshot, essential: &'a BitVec) -> Self {
        let len = snap.node_count() + 1;
        LengauerTarjan {
            snap,
            essential,
            bogus: None,
            number: vec![0; len],
            vertex: vec![0; len],
            slot: vec![[0; 4]; len],
            count: 0,
            stack: Vec::new(),
            gathered: GATHERED,
        }
    }

    /// Numbers the vertices the DFS from the root left unreached, as DevTools does: first a DFS
    /// from every unreached vertex without an essential retainer, then every vertex still
    /// unreached (a clique of unreachable nodes) directly under the root. Returns how many were
    /// cliques.
    fn number_unreached(&mut self, ret: &Retainers, poll: &mut Poll<'_>) -> Result<usize> {
        let n = self.snap.node_count();
        if (self.count as usize) < n {
            for v in 1..=n as u32 {
                poll.tick()?;
                let unreached = self.number[v as usize] == 0;
                if unreached
                    && self.bogus != Some(v as usize - 1)
                    && !ret.of(v as usize - 1).any(|slot| ret.essential.get(slot))
                {
                    self.dfs(v, 1, poll)?;
                }
            }
        }
        let mut cliques = 0;
        if (self.count as usize) < n {
            for v in 1..=n as u32 {
                if self.number[v as usize] == 0 {
                    self.visit(v, 1);
                    cliques += 1;
                }
            }
        }
        Ok(cliques)
    }

    /// Gives `v` the next DFS number, with the DFS-tree parent numbered `parent`.
    #[inline]
    fn visit(&mut self, v: u32, parent: u32) -> u32 {
        self.count += 1;
        let i = self.count;
        self.number[v as usize] = i;
        self.vertex[i as usize] = v;
        self.slot[i as usize] = [parent, i, 0, 0];
        i
    }

    /// Iterative DFS from `root` (whose parent is numbered `parent`) over essential edges in
    /// file order, descending into the first unnumbered target. The stack holds (vertex, edge
    /// cursor) pairs; the edge a vertex descended through is passed over on return, as its
    /// target is numbered by then.
    fn dfs(&mut self, root: u32, parent: u32, poll: &mut Poll<'_>) -> Result<()> {
        let fe = &self.snap.first_edge;
        let edge_to = &self.snap.edge_to;
        let essential = self.essential;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        self.visit(root, parent);
        stack.push(root);
        stack.push(fe[root as usize - 1]);
        while let Some(&cursor) = stack.last() {
            poll.tick()?;
            let v = stack[stack.len() - 2];
            let end = fe[v as usize];
            let mut ei = cursor;
            let mut next = 0;
            while ei < end {
                let e = ei as usize;
                ei += 1;
                if essential.get(e) {
                    let w = edge_to[e] + 1;
                    if self.number[w as usize] == 0 {
                        next = w;
                        break;
                    }
                }
            }
            if next == 0 {
                stack.truncate(stack.len() - 2);
            } else {
                let len = stack.len();
                stack[len - 1] = ei;
                self.visit(next, self.number[v as usize]);
                stack.push(next);
                stack.push(fe[next as usize - 1]);
            }
        }
        self.stack = stack;
        Ok(())
    }

    /// EVAL with path compression (iterative) on DFS numbers, numbers from `linked` up being
    /// linked: the label of `v` and its semidominator.
    #[inline]
    fn eval(slot: &mut [Slot], stack: &mut Vec<u32>, v: u32, linked: u32) -> (u32, u32) {
        if v < linked {
            // Not linked: v itself, whose `semi` is still its own number (unless v is being
            // processed, when `semi` is at most v: the caller's minimum is the same).
            return (v, v);
        }
        let mut x = v;
        loop {
            let a = slot[x as usize][ANCESTOR];
            if a < linked {
                break;
            }
            stack.push(x);
            x = a;
        }
        while let Some(w) = stack.pop() {
            let a = slot[w as usize][ANCESTOR] as usize;
            let sa = slot[a];
            let sw = &mut slot[w as usize];
            if sa[SEMI] < sw[SEMI] {
                sw[LABEL] = sa[LABEL];
                sw[SEMI] = sa[SEMI];
            }
            sw[ANCESTOR] = sa[ANCESTOR];
        }
        let s = slot[v as usize];
        (s[LABEL], s[SEMI])
    }

    /// Semidominators in reverse DFS order, each number's bucket emptied into tentative
    /// dominators as soon as its parent is linked (steps 2 and 3 of the paper).
    ///
    /// The DFS numbers of each number's essential retainers are gathered ahead into buffers
    /// of at most [`GATHERED`] (see [`Predecessors`]), the next buffer while the last one is
    /// used, by the other core when it is free: the loop reads them in order instead of
    /// looking each one up through the retainers, and the lookups of a buffer do not wait for
    /// each other.
    fn semidominators(&mut self, ret: &Retainers, poll: &mut Poll<'_>) -> Result<()> {
        let (slot, stack) = (&mut self.slot, &mut self.stack);
        stack.clear();
        let gather = Predecessors {
            number: &self.number,
            vertex: &self.vertex,
            ret,
            bogus: self.bogus,
            gathered: self.gathered,
        };
        let obs = poll.observer();
        let (mut cur, mut next) = (Vec::new(), Vec::new());
        // Where the gathering is, and the number being processed with its semidominator so
        // far and whether it has retainers (a buffer may end in the middle of a list).
        let mut at = Gathering {
            i: self.count,
            slot: None,
        };
        let mut w = Semi::at(self.count);
        gather.fill(&mut at, &mut cur, obs)?;
        while w.i >= 2 {
            let (done, gathered) = rayon::join(
                || Self::semidominators_of(slot, stack, &mut w, &cur, poll),
                || gather.fill(&mut at, &mut next, obs),
            );
            done?;
            gathered?;
            std::mem::swap(&mut cur, &mut next);
        }
        let left = std::mem::take(&mut slot[1][SEMI]);
        abandon(slot, left);
        Ok(())
    }

    /// Goes on with number `w.i` and the numbers below it, with the retainers' numbers that
    /// follow in `preds` (see [`Predecessors::fill`]).
    fn semidominators_of(
        slot: &mut [Slot],
        stack: &mut Vec<u32>,
        w: &mut Semi,
        preds: &[u32],
        poll: &mut Poll<'_>,
    ) -> Result<()> {
        // DevTools' orphan rule: a vertex without essential retainers gets the root's `semi`.
        let root_semi = 1;
        for &v in preds {
            if v != 0 {
                w.orphan = false;
                let (_, su) = Self::eval(slot, stack, v, w.i + 1);
                w.semi = w.semi.min(su);
                continue;
            }
            // The end of number i's list.
            poll.tick()?;
            let i = w.i;
            let semi = if w.orphan { root_semi } else { w.semi };
            let left = std::mem::replace(&mut slot[i as usize][SEMI], semi);
            abandon(slot, left);
            // A number enters exactly one bucket once, so a plain list matches DevTools' Set;
            // its own bucket (semi == i) is never emptied.
            if semi != i {
                slot[i as usize][DOM] = std::mem::replace(&mut slot[semi as usize][SEMI], i);
            }
            // LINK(parent, i): i's ancestor is its parent, which it holds; i is linked now.
            let parent = slot[i as usize][ANCESTOR];
            // The bucket holds the numbers whose semidominator is `parent`.
            let mut v = std::mem::take(&mut slot[parent as usize][SEMI]);
            while v != 0 {
                let next = slot[v as usize][DOM];
                let (u, su) = Self::eval(slot, stack, v, i);
                slot[v as usize][DOM] = if su < parent { u | MARK } else { parent };
                v = next;
            }
            *w = Semi::at(i - 1);
        }
        Ok(())
    }

    /// Step 4 of the paper: the immediate dominators in DFS order; then the retained sizes and
    /// numbers back to ordinals, reusing the buffers, and with `children` the children lists
    /// on another core. Returns the dominator and the retained size of every ordinal.
    fn finish(
        self,
        shallow: &[u32],
        children: bool,
        poll: &mut Poll<'_>,
        obs: &dyn Observer,
    ) -> Result<(Vec<u32>, Vec<f64>, Option<DominatedNodes>)> {
        let LengauerTarjan {
            vertex,
            mut slot,
            count,
            number,
            stack,
            ..
        } = self;
        drop(stack);
        let n = count as usize;
        slot[0][DOM] = 1;
        slot[1][DOM] = 1;
        // DevTools: if dom[i] != semi[i] then dom[i] = dom[dom[i]]. dom[i] is either the
        // semidominator, or a marked number, or 0 (never set). In the same pass, the ordinal of
        // each number's dominator is stored at the number's ordinal over `number` (no longer
        // read), whose last entry is left over.
        let mut dominator = number;
        dominator[vertex[1] as usize - 1] = vertex[1] - 1;
        for i in 2..=n {
            let mut d = slot[i][DOM];
            if d == 0 || d & MARK != 0 {
                d = slot[(d & !MARK) as usize][DOM] & !MARK;
                slot[i][DOM] = d;
            }
            dominator[vertex[i] as usize - 1] = vertex[d as usize] - 1;
        }
        debug_assert!(
            slot[1..=n]
                .iter()
                .all(|s| s[DOM] != 0 && s[DOM] & MARK == 0),
            "every vertex has a dominator"
        );
        dominator.pop();
        // Its pages go to the sizes and the children lists (allocated next, on both cores)
        // instead of new ones; what they leave is unmapped once they are built.
        let reuse = crate::alloc::drop_for_reuse(slot);
        let root = vertex[1] - 1;
        let (retained, dominated) = rayon::join(
            || -> Result<Vec<f64>> {
                // In reverse preorder, each node's sum into its dominator's (DevTools' order).
                let mut retained: Vec<f64> = shallow.iter().map(|&s| s as f64).collect();
                for i in (2..=n).rev() {
                    poll.tick()?;
                    let o = vertex[i] as usize - 1;
                    retained[dominator[o] as usize] += retained[o];
                }
                Ok(retained)
            },
            || {
                children
                    .then(|| DominatedNodes::build(&dominator, root, obs))
                    .transpose()
            },
        );
        drop(reuse);
        Ok((dominator, retained?, dominated?))
    }
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
        let children = || {
            dominator
                .iter()
                .enumerate()
                .filter(|&(o, _)| o as u32 != root)
        };
        let mut ranges = Ranges::new(dominator.len());
        for (_, &d) in children() {
            ranges.add(d);
        }
        ranges.close();
        // Walking ordinals upwards and filling each range from its end, as DevTools does, puts
        // every range in descending ordinal order.
        let mut nodes = vec![0u32; ranges.total()];
        for (o, &d) in children() {
            poll.tick()?;
            nodes[ranges.take(d)] = o as u32;
        }
        let first = ranges.finish();
        Ok(DominatedNodes { first, nodes })
    }

    /// The children of node `o`, in DevTools' stored order.
    pub(crate) fn of(&self, o: usize) -> &[u32] {
        &self.nodes[self.first[o] as usize..self.first[o + 1] as usize]
    }
}

/// How many retainers' numbers [`Predecessors::fill`] gathers at a time (1 MiB, about an L2
/// cache).
const GATHERED: usize = 1 << 18;

/// The number that [`LengauerTarjan::semidominators_of`] is at: its semidominator so far, and
/// whether it has no essential retainer so far.
struct Semi {
    i: u32,
    semi: u32,
    orphan: bool,
}

impl Semi {
    /// At number `i`, none of its retainers seen yet (the semidominator is at most `i`).
    fn at(i: u32) -> Semi {
        Semi {
            i,
            semi: i,
            orphan: true,
        }
    }
}

/// Where [`Predecessors::fill`] is: at number `i`'s retainer `slot` (`None`: at its first).
struct Gathering {
    i: u32,
    slot: Option<usize>,
}

/// Empties a bucket that is never emptied into tentative dominators: a number whose
/// semidominator is not a DFS ancestor (which DevTools' handling of unreachable nodes allows)
/// has no dominator: 0, which `finish` turns into the root as DevTools' zero-filled array does.
fn abandon(slot: &mut [Slot], head: u32) {
    let mut v = head;
    while v != 0 {
        v = std::mem::take(&mut slot[v as usize][DOM]);
    }
}

/// Gathers the DFS numbers of the essential retainers of each number, in decreasing order of
/// the numbers, for [`LengauerTarjan::semidominators`].
struct Predecessors<'a> {
    number: &'a [u32],
    vertex: &'a [u32],
    ret: &'a Retainers,
    /// See [`LengauerTarjan::bogus`].
    bogus: Option<usize>,
    /// See [`LengauerTarjan::gathered`].
    gathered: usize,
}

impl Predecessors<'_> {
    /// Fills `out` with the numbers of the essential retainers of number `at.i` from retainer
    /// `at.slot` on, in retainer order (then vertex 1's, for the node DevTools gives a bogus
    /// retainer), and a 0, then those of `at.i - 1`, and so on down to number 2, until `out`
    /// holds about [`GATHERED`] numbers (it may end in the middle of a list); `at` is left
    /// where the next call goes on.
    fn fill(&self, at: &mut Gathering, out: &mut Vec<u32>, obs: &dyn Observer) -> Result<()> {
        let mut poll = Poll::new(obs);
        out.clear();
        while at.i >= 2 && out.len() < self.gathered {
            poll.tick()?;
            let wo = self.vertex[at.i as usize] as usize - 1;
            let slots = self.ret.of(wo);
            let from = at.slot.unwrap_or(slots.start);
            // At most as many retainers as there is room for.
            let to = slots
                .end
                .min(from.saturating_add(self.gathered - out.len()));
            for s in from..to {
                if self.ret.essential.get(s) {
                    out.push(self.number[self.ret.node[s] as usize + 1]);
                }
            }
            if to < slots.end {
                // The list goes on in the next buffer.
                at.slot = Some(to);
                break;
            }
            if self.bogus == Some(wo) {
                out.push(self.number[1]);
            }
            out.push(0);
            (at.i, at.slot) = (at.i - 1, None);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::{random_snapshot, Rng};

    /// The tree (root 6, the last node, as V8 writes it; each node's immediate dominator):
    ///
    /// ```text
    ///         6
    ///       / | \
    ///      0  3  5
    ///     / \
    ///    1   4
    ///    |
    ///    2
    /// ```
    ///
    /// Children come in descending ordinal order (DevTools fills each range from its end while
    /// walking ordinals upwards); a leaf has none.
    #[test]
    fn dominated_nodes_in_devtools_order() {
        let dominator = [6, 0, 1, 6, 0, 6, 6];
        let d = DominatedNodes::build(&dominator, 6, &crate::Quiet).unwrap();
        assert_eq!(d.of(6), [5, 3, 0]);
        assert_eq!(d.of(0), [4, 1]);
        assert_eq!(d.of(1), [2]);
        for leaf in [2, 3, 4, 5] {
            assert!(d.of(leaf).is_empty(), "{leaf}");
        }
        assert_eq!(d.first, [0, 2, 3, 3, 3, 3, 3, 6]);
        let none = DominatedNodes::build(&[0], 0, &crate::Quiet).unwrap();
        assert!(none.of(0).is_empty());
    }

    /// The dominator tree of `snap` as the analysis builds it, gathering `gathered` retainers'
    /// numbers at a time.
    fn dominators_gathering(
        snap: &crate::Snapshot,
        gathered: usize,
    ) -> (Vec<u32>, Vec<f64>, usize) {
        use crate::analysis::{essential, quirks, shallow};
        let q = &crate::Quiet;
        let page_owned = essential::mark_page_owned(snap, q).unwrap();
        let eph = essential::EphemeronNames::build(snap, q).unwrap();
        let edges = essential::essential_edges(snap, &page_owned, &eph, q).unwrap();
        let shallow = shallow::attribute(snap, false, q).unwrap();
        let ret = Retainers::build(snap, &edges, q).unwrap();
        let mut numbering = Numbering::from_root(snap, &edges, q).unwrap();
        numbering.0.gathered = gathered;
        let bogus = quirks::BogusRetainers::of(snap, &edges);
        let d = numbering
            .dominators(&ret, bogus, &shallow, false, q)
            .unwrap();
        (d.dominator, d.retained, d.unreachable)
    }

    /// The retainers' numbers are gathered a buffer at a time, the next while the last is
    /// used, a list cut where the buffer is full: the tree must not depend on where.
    #[test]
    fn the_tree_does_not_depend_on_the_buffers() {
        let mut rng = Rng::new(17);
        let (mut nodes, mut unreachable) = (0, 0);
        for _ in 0..300 {
            let snap = random_snapshot(&mut rng);
            let whole = dominators_gathering(&snap, GATHERED);
            (nodes, unreachable) = (nodes + snap.node_count(), unreachable + whole.2);
            for gathered in [1, 2, 3, 5, 8, 64] {
                let cut = dominators_gathering(&snap, gathered);
                assert_eq!(cut, whole, "{gathered} at a time");
            }
        }
        // Some of each: nodes the root reaches and nodes it does not.
        assert!(
            unreachable > nodes / 20 && unreachable < nodes / 2,
            "{unreachable} of {nodes}"
        );
    }
}
