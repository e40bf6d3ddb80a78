'use strict';
// The largest parts of the dominator tree, small enough to embed in the HTML report: from the
// root, the children of the largest nodes first (HeapAnalysis.dominated(id), largest retained
// size first), until a node budget is spent.

/** Dominator children of a node are listed only up to this many; the rest are summed up. */
const MAX_CHILDREN = 40;
/**
 * Nodes whose own (shallow) size is above this are not expanded: their dominator children are
 * usually the slots of one huge array or hash table (a million entries would cost a million JS
 * objects to list), and the treemap could not show them anyway.
 */
const MAX_EXPAND_SHALLOW = 512 * 1024;

function compact(n) {
  return {
    id: n.id, name: n.name, type: n.type, className: n.className,
    shallowSize: n.shallowSize, retainedSize: n.retainedSize, distance: n.distance,
  };
}

/**
 * The top of the dominator tree of `heap` (a HeapAnalysis that is not closed):
 * `{id, name, type, className, shallowSize, retainedSize, distance, children?: [...],
 * more?: {count, retainedSize}}`, where `more` sums the children left out. Nodes are expanded
 * largest retained size first while the tree has fewer than `maxNodes` nodes; children
 * retaining less than `minFraction` of the root are left out (summed in `more`), as are nodes
 * deeper than `maxDepth`. Returns null when the root cannot be found.
 */
function dominatorTree(heap, { maxNodes = 1500, maxDepth = 12, minFraction = 0.0005 } = {}) {
  const first = heap.node(1); // V8 writes the synthetic root first, with id 1
  const rootNode = first && first.type === 'synthetic' ? first : rootFromTop(heap);
  if (!rootNode) return null;
  const root = compact(rootNode);
  root.depth = 0;
  const minSize = Math.max(1, rootNode.retainedSize * minFraction);
  let count = 1;
  // a max-heap by retained size of the nodes still to expand
  const queue = [root];
  const push = (n) => {
    queue.push(n);
    let i = queue.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (queue[p].retainedSize >= queue[i].retainedSize) break;
      [queue[p], queue[i]] = [queue[i], queue[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = queue[0];
    const last = queue.pop();
    if (queue.length) {
      queue[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < queue.length && queue[l].retainedSize > queue[m].retainedSize) m = l;
        if (r < queue.length && queue[r].retainedSize > queue[m].retainedSize) m = r;
        if (m === i) break;
        [queue[m], queue[i]] = [queue[i], queue[m]];
        i = m;
      }
    }
    return top;
  };
  while (queue.length && count < maxNodes) {
    const n = pop();
    if (n.depth >= maxDepth || n.retainedSize <= n.shallowSize || n.shallowSize > MAX_EXPAND_SHALLOW) continue;
    const kids = heap.dominated(n.id);
    const shown = [];
    let moreCount = 0;
    let moreSize = 0;
    for (const k of kids) {
      if (shown.length < MAX_CHILDREN && k.retainedSize >= minSize && count < maxNodes) {
        const c = compact(k);
        c.depth = n.depth + 1;
        shown.push(c);
        count++;
        push(c);
      } else {
        moreCount++;
        moreSize += k.retainedSize;
      }
    }
    if (shown.length) n.children = shown;
    if (moreCount) n.more = { count: moreCount, retainedSize: moreSize };
  }
  stripDepth(root);
  return root;
}

function rootFromTop(heap) {
  const t = heap.top(1)[0];
  return t && t.retainerPath.length ? t.retainerPath[0].node : null;
}

function stripDepth(n) {
  const stack = [n];
  while (stack.length) {
    const x = stack.pop();
    delete x.depth;
    if (x.children) stack.push(...x.children);
  }
}

module.exports = { dominatorTree };
