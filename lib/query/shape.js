'use strict';
// The JSON shapes the query layer answers with: compact copies of the API's objects, every text
// from the snapshot clipped (a string object can hold megabytes), every location with a readable
// `file:line:column`, every list a page with a cursor. One place, so that the MCP server and the
// explorer show the same objects.
//
// Terms: a *page* is `{ total, offset, nextCursor, <items> }`; a *cursor* is the opaque string
// that asks for the next page (today the offset in decimal; clients must not rely on that).
const { formatLocation } = require('../report/findings.js');
const { SourceMapper } = require('../source-maps.js');
const { invalidArgument } = require('../core.js');

/** Longest snapshot text (a name, a string's content) a result carries. */
const MAX_TEXT = 200;

/**
 * `text` clipped to MAX_TEXT characters (an ellipsis marks a cut).
 * @param {string} text
 */
function clip(text) {
  return typeof text === 'string' && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\u2026` : text;
}

/**
 * A node, compact. `nameLength` appears when the name was clipped.
 * @param {import('../../binding').HeapNode} n
 */
function node(n) {
  return {
    id: n.id,
    name: clip(n.name),
    ...(n.name.length > MAX_TEXT ? { nameLength: n.name.length } : {}),
    type: n.type,
    className: clip(n.className),
    selfSize: n.selfSize,
    shallowSize: n.shallowSize,
    retainedSize: n.retainedSize,
    distance: n.distance,
    dominatorId: n.dominatorId,
    detached: n.detached,
  };
}

/** @param {import('../../binding').HeapEdge} e */
function edge(e) {
  return { edgeType: e.type, edge: clip(e.name), node: node(e.node) };
}

/**
 * A retainer path: its text in heapwise's notation and its steps, root first.
 * @param {{ pathText: string, steps: import('../../binding').PathStep[] }} p
 */
function retainerPath(p) {
  return {
    text: p.pathText,
    steps: p.steps.map((s) => ({
      edge: s.edge === undefined || s.edge === null ? null : clip(s.edge),
      edgeType: s.edgeType ?? null,
      id: s.node.id,
      name: clip(s.node.name),
      className: clip(s.node.className),
      retainedSize: s.node.retainedSize,
    })),
  };
}

/**
 * A string object with its holder and path (HeapAnalysis.duplicatedStrings / largestStrings);
 * its content is the group's or the item's `content.preview`, so the node's name is clipped.
 * @param {import('../../binding').StringCopy} c
 */
function stringCopy(c) {
  return { node: node(c.node), holder: c.holder ? node(c.holder) : null, pathText: c.pathText };
}

const mapper = new SourceMapper();

/**
 * A source location, mapped through the script's source map when it has one, with `at`: the
 * readable `file:line:column` (1-based). `line` and `column` stay 0-based, as in the API.
 * @param {import('../../binding').SourceLocation | null | undefined} loc
 */
function location(loc) {
  if (!loc) return null;
  const mapped = /** @type {any} */ (mapper.location(loc));
  const { text, generated, ...where } = mapped;
  return {
    ...where,
    at: formatLocation(where),
    ...(text !== undefined ? { lineText: text } : {}),
    ...(generated ? { generated: formatLocation(generated) } : {}),
  };
}

/**
 * A finding, compact: the holder, how it grows, what accumulates (5 largest), the code to change,
 * the path as text. The whole path is left out (ask `retainer_paths` for the holder).
 * @param {import('../../binding').Finding} f
 * @param {number} rank
 */
function finding(f, rank) {
  return {
    rank,
    leak: f.leak,
    message: f.message,
    holder: {
      id: f.holder.node.id,
      name: f.holder.name,
      kind: f.holder.kind,
      scope: f.holder.scope ?? null,
      description: f.holder.description,
      className: clip(f.holder.node.className),
      retainedSize: f.holder.node.retainedSize,
    },
    pathText: f.pathText,
    growth: f.growth,
    accumulates: f.accumulates.slice(0, 5).map((a) => ({
      className: clip(a.className),
      count: a.count,
      size: a.size,
      exampleId: a.exampleId,
      location: location(a.location),
    })),
    code: f.code.map((c) => ({ role: c.role, function: c.function ?? null, text: c.text ?? null, location: location(c.location) })),
    ...(f.closure ? { closure: { variable: f.closure.variable, message: f.closure.message } } : {}),
  };
}

/**
 * The offset a cursor stands for (0 without one).
 * @param {string | undefined} cursor
 */
function offsetOf(cursor) {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (!/^\d{1,15}$/.test(cursor))
    throw invalidArgument(`invalid cursor ${JSON.stringify(cursor)}: pass back a nextCursor of an earlier answer`);
  return Number(cursor);
}

/**
 * A page of `items` under `name`, with the cursor of the next one (null at the end).
 * @param {string} name
 * @param {{ total: number, offset: number }} page
 * @param {unknown[]} items
 */
function page(name, { total, offset }, items) {
  const end = offset + items.length;
  return { total, offset, [name]: items, nextCursor: end < total && items.length > 0 ? String(end) : null };
}

module.exports = { MAX_TEXT, clip, node, edge, stringCopy, retainerPath, location, finding, offsetOf, page };
