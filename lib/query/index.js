'use strict';
// The query layer: JSON in, JSON out, over snapshots loaded once and kept in native memory behind
// handles (lib/query/registry.js). The MCP server (lib/mcp) makes one tool of each query, and the
// explorer asks the same queries over HTTP. Every list is a bounded page (a `limit` and a
// `cursor`); the graph and every large answer stay in Rust until a page of it is asked for.
//
// QUERIES lists each query once: its name, its parameters (zod schemas, which also give the MCP
// tools their JSON Schemas), a description written for an agent (what it answers, what it costs,
// the usual next step), and the function that answers it.
const os = require('node:os');
const path = require('node:path');
const { z } = require('zod');
const heapwise = require('../../index.js');
const { HeapwiseError, invalidArgument, parseSize } = require('../core.js');
const { Registry } = require('./registry.js');
const shape = require('./shape.js');

// ---------------------------------------------------------------------------------------------
// Parameters

const snapshot = z
  .string()
  .min(1)
  .describe('A .heapsnapshot file path (loaded on first use and kept loaded) or a handle returned by load, such as "h1".');
const file = z.string().min(1).describe('Path of a .heapsnapshot file.');
const id = z
  .union([z.number().int().nonnegative(), z.string().regex(/^@?\d+$/)])
  .describe('Object id as DevTools shows it: 123 or "@123" (stable across snapshots of one process).');
/** @param {number} fallback @param {number} max */
const limit = (fallback, max) =>
  z.number().int().min(1).max(max).optional().describe(`Most items to return (default ${fallback}, at most ${max}).`);
const cursor = z.string().optional().describe('The nextCursor of the previous page, to get the next one.');
const sortBy = (/** @type {[string, ...string[]]} */ keys, /** @type {string} */ fallback) =>
  z.enum(keys).optional().describe(`Sort column (default ${fallback}).`);
const descending = z.boolean().optional().describe('Largest first (default true; false for name).');

/** The parameters that name a loaded snapshot (a path or a handle), in every query. */
const SNAPSHOT_PARAMS = ['snapshot', 'before', 'after', 'newSince'];

/** Every query: parameters, agent-facing description, and the function that answers it. */
const QUERIES = {
  peek: {
    title: 'Peek at a snapshot file',
    description:
      'Reads only the header of a .heapsnapshot (milliseconds, any size): node and edge counts, file size, producer and V8 version when known, and the memory a load would take. Use it before loading a multi-GB file. Next: load, or summary with the same path.',
    params: { file },
    run: (/** @type {Query} */ q, /** @type {any} */ p) => q.peek(p),
  },
  load: {
    title: 'Load a snapshot',
    description:
      'Parses and analyses a snapshot (about 1 s per 200 MB; progress is reported) and keeps it loaded behind a handle such as "h1"; loading a file already loaded returns its handle at once. Optional: every other tool takes the file path directly and loads it on first use. Least recently used snapshots are closed when memory runs short. Next: summary, top or findings.',
    params: { file },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.load(p, ctx),
  },
  close: {
    title: 'Close a snapshot',
    description: 'Frees a loaded snapshot (by handle or path). Cheap. Handles of closed snapshots stop working.',
    params: { snapshot },
    run: (/** @type {Query} */ q, /** @type {any} */ p) => q.close(p),
  },
  snapshots: {
    title: 'List loaded snapshots',
    description: 'The snapshots loaded now, with handles, files, sizes and memory, and the memory limit. Cheap.',
    params: {},
    run: (/** @type {Query} */ q) => q.snapshots(),
  },
  summary: {
    title: 'Summary view (by class)',
    description:
      "DevTools' Summary view: one row per class (constructor) with object count, distance, shallow and retained size, as exact as DevTools'. Filter by a name substring, sort, and page. Fast once loaded. Next: instances of a row's key, or top.",
    params: {
      snapshot,
      filter: z.string().optional().describe('Keep classes whose name contains this text (case-insensitive).'),
      sort: sortBy(['retainedSize', 'shallowSize', 'count', 'distance', 'name'], 'retainedSize'),
      descending,
      limit: limit(25, 500),
      cursor,
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.summary(p, ctx),
  },
  instances: {
    title: 'Objects of a class',
    description:
      "The objects of one Summary row, largest retained size first (paged): pass the row's key (from summary) or a class name. Next: explain or retainers of an object's id.",
    params: {
      snapshot,
      class: z.string().min(1).describe('A Summary row\'s key (from summary) or a class name such as "Map".'),
      newSince: snapshot
        .optional()
        .describe(
          "Only the objects allocated since this earlier snapshot of the same process (a path or a handle): DevTools' new objects of Comparison.",
        ),
      sort: sortBy(['retainedSize', 'shallowSize', 'distance', 'id'], 'retainedSize'),
      descending,
      limit: limit(25, 500),
      cursor,
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.instances(p, ctx),
  },
  statistics: {
    title: 'Statistics view',
    description:
      "DevTools' Statistics: total heap, V8 heap and native bytes, code, strings, arrays, typed arrays, system. Cheap once loaded.",
    params: { snapshot },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.statistics(p, ctx),
  },
  external: {
    title: 'Memory outside the JS heap',
    description:
      'What lies outside the JS object graph (the answer to "RSS grows, the heap is flat"): ArrayBuffer/Buffer backing stores, external strings, extra native bytes, embedder (C++) objects such as `Node / …` and detached ones, each with count and bytes and how they reconcile with statistics; the embedder classes; and the objects that hold the most of each kind (a variable or collection, with its path), paged, largest first. About 0.5 s per 2 GB on the first call, then cheap. Next: explain a holder id.',
    params: {
      snapshot,
      kind: z
        .enum(['arrayBuffers', 'externalStrings', 'extraNativeBytes', 'embedder', 'detachedEmbedder'])
        .optional()
        .describe('Only the holders of this kind (default: every kind).'),
      limit: limit(10, 500),
      cursor,
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.external(p, ctx),
  },
  node: {
    title: 'One object',
    description:
      'One object by id: name, class, type, sizes, distance, dominator, and where it was created. Cheap. Next: explain for the whole story.',
    params: { snapshot, id },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.node(p, ctx),
  },
  references: {
    title: 'What an object references',
    description: "An object's outgoing references in snapshot order (DevTools' Containment), paged. Cheap.",
    params: { snapshot, id, limit: limit(25, 500), cursor },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.edges('references', p, ctx),
  },
  retainers: {
    title: 'What references an object',
    description:
      "The references to an object (its retainers) in DevTools' order, paged: who keeps it alive, one level up. Cheap. Next: retainer_paths for whole paths from the root.",
    params: { snapshot, id, limit: limit(25, 500), cursor },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.edges('retainers', p, ctx),
  },
  dominated: {
    title: 'What an object alone keeps alive',
    description:
      'The objects an object immediately dominates (its children in the dominator tree: freed if it were), largest retained size first, paged. The id of the root is rootId in the answer of load or snapshots (1 in V8 snapshots). Cheap.',
    params: { snapshot, id, limit: limit(25, 500), cursor },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.dominated(p, ctx),
  },
  retainer_paths: {
    title: 'Paths from the root to an object',
    description:
      "Several retainer paths from the GC root to an object, shortest first (the first is the one DevTools' Retainers view expands), each as text in heapwise's notation (`global.cache → Map → …`) and as steps. Cheap.",
    params: { snapshot, id, limit: limit(5, 20) },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.retainerPaths(p, ctx),
  },
  find: {
    title: 'Find objects by name',
    description:
      'Objects whose name or class name contains a text (case-sensitive; e.g. a class, a property list "{user, roles}", a string\'s content), largest retained size first. One pass over the heap: fast. Next: explain an id.',
    params: { snapshot, name: z.string().min(1).describe('Text to look for.'), limit: limit(25, 500) },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.find(p, ctx),
  },
  top: {
    title: 'Largest objects',
    description:
      'The objects with the largest retained sizes, each with its retainer path as text and where it was created. Fast. On a single snapshot this is where to start; with several snapshots of one process start with findings.',
    params: { snapshot, limit: limit(10, 100) },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.top(p, ctx),
  },
  strings: {
    title: 'Duplicated and largest strings',
    description:
      'Strings that waste memory. kind "duplicated" (default): contents held by 2+ string objects (DevTools\' "Duplicated strings": the same header or JSON key copied thousands of times), most wasted bytes first, each with copies, bytes wasted and the holders of its largest copies. kind "largest": the largest string objects (a multi-MB base64 or JSON text), each with an escaped preview and its holder. Paged. The first duplicated call groups every string (about 0.5 s per 200 MB of snapshot), the next pages are cheap. Next: explain a holder id.',
    params: {
      snapshot,
      kind: z.enum(['duplicated', 'largest']).optional().describe('Which list (default duplicated).'),
      limit: limit(10, 200),
      cursor,
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.strings(p, ctx),
  },
  explain: {
    title: 'Explain one object',
    description:
      'Everything about one object in one answer: what holds it (retainers, retainer paths, the chain of dominators whose removal would free it), what it holds (dominated objects and retained classes), and where it was created (source location, allocation stack when tracked), with one sentence. Cheap. The usual last step.',
    params: { snapshot, id },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.explain(p, ctx),
  },
  findings: {
    title: 'Leak findings of a series',
    description:
      'THE LEAK ANSWER. Given 2 or more snapshots of ONE process, oldest first (taken while the suspected action repeats), names what grows: the variable or collection holding the growth, its scope and file, growth per snapshot (and per call with callsPerStep), what accumulates, and the line of code to change. Parses each file once (about 1 s per 200 MB each) unless loaded. Next: explain the holder id, or retainer_paths.',
    params: {
      files: z.array(z.string().min(1)).min(2).max(50).describe('Snapshot files (or handles) of one process, oldest first.'),
      callsPerStep: z
        .number()
        .positive()
        .optional()
        .describe('How many times the suspected action ran between consecutive snapshots (gives growth per call).'),
      limit: limit(5, 50),
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.findings(p, ctx),
  },
  diff: {
    title: 'Compare two snapshots',
    description:
      "What grew between two snapshots: DevTools' Comparison by class (new, deleted, size delta), the objects whose retained size grew most, the findings from the two, and a verdict. Both are loaded (or reused when loaded). About the time of one load once both are loaded. For a leak hunt, findings over 3+ snapshots is the stronger evidence.",
    params: {
      before: snapshot.describe('The older snapshot: a file path or a handle.'),
      after: snapshot.describe('The newer snapshot: a file path or a handle.'),
      ignore: z.array(z.string()).optional().describe('Class names to leave out: a substring, or /regex/flags.'),
      limit: limit(10, 200),
    },
    run: (/** @type {Query} */ q, /** @type {any} */ p, /** @type {Ctx} */ ctx) => q.diff(p, ctx),
  },
};

/**
 * What a query may be given besides its parameters.
 * @typedef {object} Ctx
 * @property {AbortSignal} [signal] cancels a load, a findings or a diff
 * @property {(p: { progress: number, total: number, message: string }) => void} [onProgress] progress of the loads and analyses it starts
 */

// ---------------------------------------------------------------------------------------------
// Progress

/** The phases of one analysis, in order: progress is their index plus the fraction of the current one. */
const PHASES = ['queued', 'parse', 'index', 'dominators', 'distances', 'classes', 'done'];

/**
 * Turns the analysis' per-phase progress into one number that only grows, over `count` analyses.
 * @param {Ctx['onProgress']} report
 * @param {string} what
 */
function progressOf(report, what, count = 1) {
  if (!report) return () => () => undefined;
  let best = -1;
  const total = count * (PHASES.length - 1);
  /** @param {number} index which analysis @param {string} label */
  return (index, label = what) =>
    (/** @type {{ phase: string, fraction: number }} */ p) => {
      const k = PHASES.indexOf(p.phase);
      if (k < 0) return;
      const value = Math.min(total, index * (PHASES.length - 1) + k + (k === PHASES.length - 1 ? 0 : p.fraction));
      if (value <= best) return;
      best = value;
      report({ progress: Math.round(value * 1000) / 1000, total, message: `${label}: ${p.phase}` });
    };
}

// ---------------------------------------------------------------------------------------------
// The session

/** A number of bytes: the default memory bound of the loaded snapshots, half of this machine's. */
const DEFAULT_MAX_MEMORY = () => Math.floor(os.totalmem() / 2);

class Query {
  /** @param {{ maxMemory?: number | string }} [options] */
  constructor(options = {}) {
    const maxMemory =
      options.maxMemory === undefined
        ? DEFAULT_MAX_MEMORY()
        : typeof options.maxMemory === 'string'
          ? parseSize(options.maxMemory)
          : options.maxMemory;
    if (!(maxMemory > 0)) throw invalidArgument(`maxMemory must be a positive size, got ${String(options.maxMemory)}`);
    this.registry = new Registry({ analyze: heapwise.analyze, peek: heapwise.peek, maxMemory });
  }

  /**
   * Answers query `name` with `params` (checked against its schema first).
   * @param {string} name
   * @param {unknown} params
   * @param {Ctx} [ctx]
   */
  async run(name, params, ctx = {}) {
    const query = /** @type {Record<string, any>} */ (QUERIES)[name];
    if (!query || !Object.prototype.hasOwnProperty.call(QUERIES, name)) {
      throw invalidArgument(`unknown query ${JSON.stringify(name)}; the queries are ${Object.keys(QUERIES).join(', ')}`);
    }
    const parsed = z
      .object(query.params)
      .strict()
      .safeParse(params ?? {});
    if (!parsed.success) throw invalidArgument(`invalid arguments for ${name}: ${z.prettifyError(parsed.error)}`);
    return query.run(this, parsed.data, ctx);
  }

  /** Frees every loaded snapshot. */
  closeAll() {
    this.registry.closeAll();
  }

  // --- snapshots -----------------------------------------------------------------------------

  /** @param {{ file: string }} p */
  async peek({ file: f }) {
    return heapwise.peek(path.resolve(f));
  }

  /**
   * The entry of a snapshot parameter, loaded on first use.
   * @param {string} ref
   * @param {Ctx} ctx
   */
  async entry(ref, ctx, label = path.basename(ref)) {
    const progress = progressOf(ctx.onProgress, `loading ${label}`);
    const { entry } = await this.registry.resolve(ref, { signal: ctx.signal, onProgress: progress(0) });
    return entry;
  }

  /** @param {import('./registry.js').Entry} e */
  info(e, loaded = false) {
    const a = e.analysis;
    return {
      snapshot: e.id,
      file: e.file,
      fileSize: e.fileSize,
      nodeCount: a.nodeCount,
      edgeCount: a.edgeCount,
      totalSize: a.totalSize,
      rootId: a.rootId,
      memoryBytes: a.memoryBytes,
      loadMs: e.loadMs,
      ...(loaded ? {} : { alreadyLoaded: true }),
      warnings: a.warnings.slice(0, 10),
    };
  }

  /** @param {{ file: string }} p @param {Ctx} ctx */
  async load({ file: f }, ctx) {
    const progress = progressOf(ctx.onProgress, `loading ${path.basename(f)}`);
    const { entry, loaded } = await this.registry.load(f, { signal: ctx.signal, onProgress: progress(0) });
    return this.info(entry, loaded);
  }

  /** @param {{ snapshot: string }} p */
  async close({ snapshot: ref }) {
    let id = ref;
    if (!Registry.isHandle(ref)) {
      const abs = path.resolve(ref);
      id = this.registry.list().find((e) => e.file === abs)?.id ?? '';
    }
    if (!this.registry.close(id)) throw new HeapwiseError(`no loaded snapshot is ${ref}`, 'ERR_HEAPWISE_NOT_FOUND');
    return { closed: id, memoryBytes: this.registry.memoryBytes() };
  }

  snapshots() {
    return {
      snapshots: this.registry.list().map((e) => this.info(e, true)),
      memoryBytes: this.registry.memoryBytes(),
      maxMemory: this.registry.maxMemory,
    };
  }

  // --- one snapshot --------------------------------------------------------------------------

  /** @param {any} p @param {Ctx} ctx */
  async summary(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const offset = shape.offsetOf(p.cursor);
    const res = e.analysis.summaryPage({ filter: p.filter, sort: p.sort, descending: p.descending, offset, limit: p.limit ?? 25 });
    return { snapshot: e.id, totalSize: e.analysis.totalSize, ...shape.page('rows', res, res.rows.map(summaryRow)) };
  }

  /** @param {any} p @param {Ctx} ctx */
  async instances(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const row = classRow(e.analysis, p.class);
    const offset = shape.offsetOf(p.cursor);
    const since = p.newSince === undefined ? null : await this.entry(p.newSince, ctx);
    const res = e.analysis.instances(row.key, {
      sort: p.sort,
      descending: p.descending,
      offset,
      limit: p.limit ?? 25,
      ...(since ? { newerThan: since.analysis.maxJsObjectId } : {}),
    });
    return {
      snapshot: e.id,
      class: summaryRow(row),
      ...(since ? { newSince: since.id } : {}),
      ...shape.page('nodes', res, res.nodes.map(shape.node)),
    };
  }

  /** @param {any} p @param {Ctx} ctx */
  async statistics(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const { total, v8Heap, native, code, strings, jsArrays, typedArrays, system, otherJsObjects, otherNonJsObjects } =
      e.analysis.statistics();
    return { snapshot: e.id, total, v8Heap, native, code, strings, jsArrays, typedArrays, system, otherJsObjects, otherNonJsObjects };
  }

  /** @param {any} p @param {Ctx} ctx */
  async external(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const offset = shape.offsetOf(p.cursor);
    const x = await e.analysis.externalMemory({ kind: p.kind, offset, limit: p.limit ?? 10 });
    /** @param {import('../../binding').ExternalItem} i */
    const item = (i) => ({ node: shape.node(i.node), pathText: i.pathText });
    const holders = x.holders.items.map((h) => ({
      kind: h.kind,
      holder: h.holder ? shape.node(h.holder) : null,
      pathText: h.pathText,
      count: h.count,
      bytes: h.bytes,
      largest: item(h.largest),
    }));
    return {
      snapshot: e.id,
      totals: x.totals,
      sharedArrayBuffers: x.sharedArrayBuffers,
      reconcile: x.reconcile,
      classes: x.classes.map((c) => ({ ...c, largest: c.largest.map(item) })),
      classCounts: x.classCounts,
      ...shape.page('holders', x.holders, holders),
    };
  }

  /** @param {any} p @param {Ctx} ctx */
  async node(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const n = found(e, p.id);
    return { snapshot: e.id, node: shape.node(n), location: shape.location(e.analysis.location(n.id)) };
  }

  /** @param {'references' | 'retainers'} which @param {any} p @param {Ctx} ctx */
  async edges(which, p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const n = found(e, p.id);
    const options = { offset: shape.offsetOf(p.cursor), limit: p.limit ?? 25 };
    const res = which === 'references' ? e.analysis.referencesPage(n.id, options) : e.analysis.retainersPage(n.id, options);
    return { snapshot: e.id, node: shape.node(n), ...shape.page('edges', res, res.edges.map(shape.edge)) };
  }

  /** @param {any} p @param {Ctx} ctx */
  async dominated(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const n = found(e, p.id);
    const res = e.analysis.dominatedPage(n.id, { offset: shape.offsetOf(p.cursor), limit: p.limit ?? 25 });
    return { snapshot: e.id, node: shape.node(n), ...shape.page('nodes', res, res.nodes.map(shape.node)) };
  }

  /** @param {any} p @param {Ctx} ctx */
  async retainerPaths(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const n = found(e, p.id);
    const paths = e.analysis.retainerPaths(n.id, p.limit ?? 5);
    return {
      snapshot: e.id,
      node: shape.node(n),
      paths: paths.map(shape.retainerPath),
      ...(paths.length === 0 ? { note: 'no path: the object is not reachable from the root through retaining references' } : {}),
    };
  }

  /** @param {any} p @param {Ctx} ctx */
  async find(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const max = p.limit ?? 25;
    // One more than asked, to tell whether there are more.
    const hits = e.analysis.findByName(p.name, max + 1);
    return { snapshot: e.id, nodes: hits.slice(0, max).map(shape.node), more: hits.length > max };
  }

  /** @param {any} p @param {Ctx} ctx */
  async top(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const list = e.analysis.top(p.limit ?? 10);
    return {
      snapshot: e.id,
      totalSize: e.analysis.totalSize,
      objects: list.map((t) => ({ node: shape.node(t.node), pathText: t.pathText, location: shape.location(t.location) })),
    };
  }

  /** @param {any} p @param {Ctx} ctx */
  async strings(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const options = { offset: shape.offsetOf(p.cursor), limit: p.limit ?? 10 };
    if (p.kind === 'largest') {
      const res = await this.registry.using(e, () => e.analysis.largestStrings(options));
      const strings = res.strings.map((s) => ({ ...shape.stringCopy(s.copy), content: s.content }));
      return { snapshot: e.id, kind: 'largest', totalSize: res.totalSize, ...shape.page('strings', res, strings) };
    }
    const res = await this.registry.using(e, () => e.analysis.duplicatedStrings(options));
    const groups = res.groups.map((g) => ({
      content: g.content,
      copies: g.copies,
      totalSize: g.totalSize,
      wastedSize: g.wastedSize,
      largest: g.largest.map(shape.stringCopy),
    }));
    return {
      snapshot: e.id,
      kind: 'duplicated',
      copies: res.copies,
      totalSize: res.totalSize,
      wastedSize: res.wastedSize,
      ...shape.page('groups', res, groups),
    };
  }

  /** @param {any} p @param {Ctx} ctx */
  async explain(p, ctx) {
    const e = await this.entry(p.snapshot, ctx);
    const n = found(e, p.id);
    const x = /** @type {import('../../binding').Explanation} */ (e.analysis.explain(n.id));
    return {
      snapshot: e.id,
      sentence: x.sentence,
      node: shape.node(x.node),
      location: shape.location(x.location),
      ...(x.allocationStack
        ? { allocationStack: x.allocationStack.map((f) => ({ function: f.functionName, location: shape.location(f.location) })) }
        : {}),
      heldBy: {
        pathText: x.pathText,
        paths: x.paths.map(shape.retainerPath),
        retainers: shape.page('edges', x.retainers, x.retainers.edges.map(shape.edge)),
        dominators: x.dominators.map(shape.node),
      },
      holds: {
        dominated: shape.page('nodes', x.dominated, x.dominated.nodes.map(shape.node)),
        classes: x.retainedClasses.map((c) => ({ ...c, name: shape.clip(c.name) })),
        classesPartial: x.retainedClassesPartial,
      },
    };
  }

  // --- several snapshots ---------------------------------------------------------------------

  /** @param {any} p @param {Ctx} ctx */
  async findings(p, ctx) {
    const files = /** @type {string[]} */ (p.files);
    const progress = progressOf(ctx.onProgress, 'findings', files.length);
    const series = new heapwise.Series();
    const top = p.limit ?? 5;
    /** @type {import('../../binding').SeriesStep | null} */
    let step = null;
    const snapshots = [];
    for (const [i, ref] of files.entries()) {
      const options = {
        top,
        callsPerStep: p.callsPerStep,
        signal: ctx.signal,
        onProgress: progress(i, `snapshot ${i + 1}/${files.length}`),
      };
      const loaded = this.loaded(ref);
      step = loaded
        ? await this.registry.using(loaded, () => series.addAnalysis(loaded.analysis, options))
        : await series.add(Registry.isHandle(ref) ? (await this.entry(ref, ctx)).file : ref, options);
      snapshots.push({ file: loaded ? loaded.file : path.resolve(ref), nodeCount: step.nodeCount, totalSize: step.totalSize });
    }
    const last = /** @type {import('../../binding').SeriesStep} */ (step);
    return {
      snapshots,
      findings: last.findings.map(shape.finding),
      ...(last.findings.length === 0
        ? {
            note: 'nothing grows steadily in a holder across these snapshots; check they come from one process, oldest first, with the suspected action repeated between them',
          }
        : {}),
      warnings: last.warnings,
    };
  }

  /**
   * The loaded entry of a handle or of an unchanged loaded file, without loading.
   * @param {string} ref
   */
  loaded(ref) {
    if (Registry.isHandle(ref)) return this.registry.entries.get(ref) ?? null;
    const abs = path.resolve(ref);
    return this.registry.list().find((e) => e.file === abs) ?? null;
  }

  /** @param {any} p @param {Ctx} ctx */
  async diff(p, ctx) {
    const before = await this.entry(p.before, ctx);
    const after = await this.entry(p.after, ctx);
    const top = p.limit ?? 10;
    const d = await this.registry.using(before, () =>
      this.registry.using(after, () =>
        heapwise.diffAnalyses(before.analysis, after.analysis, { top, ignore: p.ignore, signal: ctx.signal }),
      ),
    );
    return {
      before: before.id,
      after: after.id,
      sameProcess: d.sameProcess,
      sizeDelta: d.sizeDelta,
      verdict: d.verdict,
      totals: d.totals,
      classes: {
        total: d.classes.length,
        rows: d.classes.slice(0, top).map((r) => ({ ...r, name: shape.clip(r.name), key: shape.clip(r.key) })),
      },
      growers: d.growers.slice(0, top).map((g) => ({
        node: shape.node(g.node),
        retainedBefore: g.retainedBefore,
        retainedAfter: g.retainedAfter,
        growth: g.growth,
        pathText: g.pathText,
        location: shape.location(g.location),
      })),
      findings: d.findings.map(shape.finding),
      warnings: d.warnings,
    };
  }
}

/** @param {import('../../binding').SummaryRow} r */
function summaryRow(r) {
  return {
    name: shape.clip(r.name),
    key: shape.clip(r.key),
    count: r.count,
    distance: r.distance,
    shallowSize: r.shallowSize,
    retainedSize: r.retainedSize,
  };
}

/**
 * The Summary row of a class key, or of a class name when one row has it.
 * @param {import('../../binding').HeapAnalysis} a
 * @param {string} cls
 */
function classRow(a, cls) {
  const named = a.summaryPage({ filter: cls, limit: 10000 }).rows.filter((r) => r.name === cls || r.key === cls);
  const byKey = named.find((r) => r.key === cls) ?? (named.length === 1 ? named[0] : undefined);
  if (byKey) return byKey;
  if (named.length > 1) {
    throw invalidArgument(
      `${named.length} classes are named ${cls} (from different places); pass one of their keys: ${named.map((r) => JSON.stringify(r.key)).join(', ')}`,
    );
  }
  // A key (`,Name` or `scriptId,line,column,Name`) is not a substring of its name: look at every row.
  for (let offset = 0, total = Infinity; offset < total; offset += 10000) {
    const page = a.summaryPage({ offset, limit: 10000 });
    total = page.total;
    const row = page.rows.find((r) => r.key === cls);
    if (row) return row;
  }
  throw new HeapwiseError(
    `no class named ${JSON.stringify(cls)} and no class key ${JSON.stringify(cls)} in this snapshot (summary with a filter lists them)`,
    'ERR_HEAPWISE_NOT_FOUND',
  );
}

/**
 * The node of an id parameter (`123` or `"@123"`), or a NOT_FOUND error.
 * @param {import('./registry.js').Entry} e
 * @param {number | string} raw
 */
function found(e, raw) {
  const n = e.analysis.node(typeof raw === 'number' ? raw : Number(String(raw).replace(/^@/, '')));
  if (!n)
    throw new HeapwiseError(`no object @${String(raw).replace(/^@/, '')} in ${e.id} (${path.basename(e.file)})`, 'ERR_HEAPWISE_NOT_FOUND');
  return n;
}

module.exports = { Query, QUERIES, SNAPSHOT_PARAMS, DEFAULT_MAX_MEMORY };
