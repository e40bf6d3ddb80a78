'use strict';
// The largest parts of the dominator tree, small enough to embed in the HTML report. The
// `maxNodes` objects with the largest retained sizes (HeapAnalysis.top) are linked by their
// dominator ids: an object's dominator retains at least as much as the object, so these objects
// and their dominators form the top of the tree. Cost: one top(maxNodes) call and a node() call
// per dominator outside that set (the synthetic roots), never a walk over a node's children
// (the global object alone can dominate millions).

function compact(n) {
  return {
    id: n.id,
    name: n.name,
    type: n.type,
    className: n.className,
    shallowSize: n.shallowSize,
    retainedSize: n.retainedSize,
    distance: n.distance,
  };
}

/**
 * The top of the dominator tree of `heap` (a HeapAnalysis that is not closed):
 * `{id, name, type, className, shallowSize, retainedSize, distance, children?: [...],
 * more?: {retainedSize}}`; children are sorted largest retained size first and `more` is what a
 * node retains beyond its own size and its listed children (its smaller dominated objects).
 * At most `maxNodes` objects plus their dominators up to the root. Null if the snapshot has no
 * root.
 */
function dominatorTree(heap, { maxNodes = 1500 } = {}) {
  const byId = new Map();
  for (const t of heap.top(maxNodes)) byId.set(t.node.id, { node: compact(t.node), dominatorId: t.node.dominatorId });
  let root = null;
  // link every node to its dominator, fetching dominators outside the set (synthetic roots)
  const pending = [...byId.values()];
  while (pending.length) {
    const entry = pending.pop();
    const { node, dominatorId } = entry;
    if (dominatorId === node.id) {
      root = entry;
      continue;
    }
    let parent = byId.get(dominatorId);
    if (!parent) {
      const p = heap.node(dominatorId);
      if (!p) continue;
      parent = { node: compact(p), dominatorId: p.dominatorId };
      byId.set(p.id, parent);
      pending.push(parent);
    }
    (parent.node.children || (parent.node.children = [])).push(node);
  }
  if (!root) {
    const first = heap.node(1); // V8 writes the synthetic root first, with id 1
    if (!first) return null;
    root = byId.get(first.id) || { node: compact(first) };
  }
  const stack = [root.node];
  while (stack.length) {
    const n = stack.pop();
    const kids = n.children || [];
    kids.sort((a, b) => b.retainedSize - a.retainedSize || a.id - b.id);
    const rest = n.retainedSize - n.shallowSize - kids.reduce((s, k) => s + k.retainedSize, 0);
    if (rest > 0 && kids.length) n.more = { retainedSize: rest };
    stack.push(...kids);
  }
  return root.node;
}

module.exports = { dominatorTree };
