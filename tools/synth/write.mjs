#!/usr/bin/env node
// Synthetic V8 heap snapshot writer: a valid .heapsnapshot of a requested size (50MB, 2GB, 8GB)
// in the exact layout Node 20 / V8 11.3 writes, with an app-like shape, streamed to disk in
// constant memory. See tools/synth/README.md for the shape.
//
//   node tools/synth/write.mjs OUT.heapsnapshot --size 2GB [--seed N] [--threads N] [--quiet]
//
// How it streams: the graph is a fixed prefix (roots, global, maps, prototypes, huge objects,
// deliberately unreachable nodes) followed by U "units" of exactly K nodes each. Unit u's nodes,
// edges (targets, names, sizes) and strings are a pure function of (seed, u), so each pass
// (nodes, edges, locations, strings) re-runs the generator unit by unit; nothing but one unit is
// ever in memory. Ordinals and ids are formulas (unit u starts at ordinal P + u*K; id = 2*ord+1),
// string indexes too (unit u's own strings are at a fixed base + u*SU + j; duplicated strings are
// unit string nodes that point at a shared pool of indexes). A unit's edge count depends on u
// only through structure (tree children, chain ends), so the header's edge_count is summed before
// anything is written, and checked against what was written at the end.
//
// Speed: worker threads format ranges of units into 2 MB chunks, the main thread writes them in
// file order (a few chunks in flight per worker), so memory does not grow with the file size.
//
// Module API (used by __test__/synth.test.js):
//   await writeSnapshot(file, {size, seed, threads})  -> summary: bytes, ms, counts, classes, ...
//   plan({size, seed})       -> the layout chosen for that size (number of units, counts)
//   layoutFor({size, seed})  -> ordinals / ids of unit nodes and named prefix nodes, for checks
//   parseSize('2GB')         -> 2e9
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// V8's meta (Node 20 / V8 11.3, verified against v8.writeHeapSnapshot())

export const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
  'object shape',
  'wasm object',
];
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
  trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
  trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
  sample_fields: ['timestamp_us', 'last_assigned_id'],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};
const NF = META.node_fields.length; // 7
const T = Object.fromEntries(NODE_TYPES.map((n, i) => [n, i]));
const E = Object.fromEntries(EDGE_TYPES.map((n, i) => [n, i]));
const MAX_ORDINAL = Math.floor(0xffffffff / NF); // to_node is a uint32

// Shape parameters
const F = 8; // fan-out of the unit tree (holder -> 8 child holders)
const L = 4096; // length of a linked-list chain (ListNode.next/prev across units)
const POOL = 256; // shared string pool (duplicated strings point here)
const SU = 8; // strings owned by each unit
const LOC_EVERY = 512; // units whose closures get a `locations` entry
const SCRIPT_ID = 42;

// ---------------------------------------------------------------------------------------------
// Static strings (interned at module load, then frozen)

const staticStrings = ['<dummy>', ''];
const staticIndex = new Map([
  ['<dummy>', 0],
  ['', 1],
]);
let staticFrozen = false;
function S(s) {
  let i = staticIndex.get(s);
  if (i === undefined) {
    if (staticFrozen) throw new Error(`synth: static string ${JSON.stringify(s)} interned after freeze`);
    i = staticStrings.length;
    staticStrings.push(s);
    staticIndex.set(s, i);
  }
  return i;
}

const WORDS = [
  'alpha',
  'bravo',
  'cache',
  'delta',
  'event',
  'fetch',
  'gamma',
  'heap',
  'index',
  'json',
  'kilo',
  'lambda',
  'merge',
  'node',
  'order',
  'parse',
  'query',
  'route',
  'stream',
  'token',
  'user',
  'value',
  'worker',
  'xray',
  'yield',
  'zone',
  'buffer',
  'socket',
  'render',
  'promise',
  'timer',
  'module',
];
const FIRST = [
  'Ada',
  'Grace',
  'Linus',
  'Barbara',
  'Ken',
  'Margaret',
  'Jos\u00e9',
  'Zo\u00eb',
  'Bj\u00f6rn',
  'Ren\u00e9e',
  'Dennis',
  'Radia',
  'Edsger',
  'Frances',
  'Niklaus',
  'Sophie',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Liskov',
  'Thompson',
  'Hamilton',
  'Garc\u00eda',
  'M\u00fcller',
  'Ritchie',
  'Perlman',
  'Dijkstra',
  'Allen',
  'Wirth',
  'Wilson',
  "O'Brien",
  'N\u00f8rgaard',
];
const REC_CLASSES = ['User', 'Customer', 'Account'];
const ITEM_CLASSES = ['Order', 'Product', 'Request', 'CacheEntry', 'Invoice'];
const UNIT_CLASSES = ['Profile', 'Token', 'TokenData', 'TreeNode', 'ListNode', 'EventEmitter'];
const BUILTIN_CLASSES = ['Object', 'Array', 'Map', 'WeakMap', 'WeakRef', 'Uint8Array', 'ArrayBuffer'];
const APP_CLASSES = [
  ...REC_CLASSES,
  ...ITEM_CLASSES,
  ...UNIT_CLASSES,
  'Config',
  'Zombie',
  'ZombieData',
  'Leaked',
  'LeakedChild',
  'PersistentThing',
  'TCP',
];
const FUNCS = ['onData', 'handleRequest', 'processItem', ''];
const REGEXPS = ['^user-\\d+$', '\\s+', '[a-z]+@[a-z]+\\.com', '^\\/api\\/v(\\d+)\\/'];

// The pool of shared (duplicated) string contents; the first 8 exercise V8's escaping.
function poolContent(k) {
  const special = [
    'active',
    'inactive',
    'pending',
    'deleted',
    'caf\u00e9 cr\u00e8me',
    'line1\nline2',
    'tab\tsep "quoted" back\\slash',
    'emoji \uf600 (U+1F600 as V8 writes it)',
  ];
  if (k < special.length) return special[k];
  return `${WORDS[k % WORDS.length]}-${WORDS[(k * 7 + 3) % WORDS.length]}-${k}`;
}

// Long texts: 1024 UTF-16 units (V8's name limit) with characters that need escaping.
const LONG_BASES = [];
{
  const para =
    'Lorem ipsum dolor sit amet, "consectetur" adipiscing elit; sed do eiusmod tempor\n' +
    'incididunt ut labore et dolore magna aliqua. Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2014 \\path\\to\\file\t';
  for (let b = 0; b < 8; b++) {
    let s = '';
    let k = b;
    while (s.length < 1024) {
      s += WORDS[k % WORDS.length] + ' ' + para.slice((k * 13) % 40);
      k += 5;
    }
    LONG_BASES.push(s.slice(0, 1024));
  }
}

/** V8's string serialisation (SerializeString): short escapes, \u00XX for other controls,
 * \uXXXX (uppercase hex) for every non-ASCII UTF-16 unit; the output is pure ASCII. */
export function v8Escape(s) {
  if (!/[^\x20\x21\x23-\x5b\x5d-\x7e]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

// Long bases, escaped, with the byte offset at which each UTF-16 unit starts (so that a
// unit-specific ASCII prefix can replace the first few units without escaping 1 KB again).
const LONG_ESC = LONG_BASES.map((s) => {
  const offs = new Uint32Array(s.length + 1);
  let esc = '';
  for (let i = 0; i < s.length; i++) {
    offs[i] = esc.length;
    esc += v8Escape(s[i]);
  }
  offs[s.length] = esc.length;
  return { bytes: Buffer.from(esc, 'latin1'), offs };
});

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32), seeded per (seed, unit, stream) so any unit can be regenerated alone

let rs = 0;
function hash3(a, b, c) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b + 0x7f4a7c15) | 0, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
function rseed(seed, u, stream) {
  rs = hash3(seed, u, stream) | 0;
}
function rnd() {
  rs = (rs + 0x6d2b79f5) | 0;
  let t = rs;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const isLongBio = (seed, u) => hash3(seed, u, 0xb10) % 3 === 0;
const longBioLength = (seed, u) => 1024 + (hash3(seed, u, 0xb11) % 60000);
const strSize = (len) => Math.ceil((16 + len) / 8) * 8; // SeqOneByteString: header + chars, 8-aligned

// ---------------------------------------------------------------------------------------------
// Unit layout: K nodes, local offsets

const O = {};
[
  'H',
  'HE',
  'REC',
  'PROF',
  'RPROPS',
  'S_NAME',
  'S_EMAIL',
  'S_STATUS',
  'CONS',
  'NUM',
  'S_BIO',
  'SLICED',
  'JSMAP',
  'MTAB',
  'K0',
  'K1',
  'K2',
  'K3',
  'I0',
  'I1',
  'I2',
  'I3',
  'CLO',
  'CTX',
  'U8',
  'AB',
  'ABDATA',
  'WMAP',
  'ETAB',
  'TOKEN',
  'TDATA',
  'S_PAYLOAD',
  'TREE_A',
  'TREE_B',
  'TREE_C',
  'LIST',
  'LVAL',
  'WREF',
  'EMIT',
  'EVT',
  'CLO2',
  'FBC',
  'FBV',
  'RE',
  'SHARR',
  'DICT',
  'DICTX',
  'TAGS',
].forEach((k, i) => {
  O[k] = i;
});
export const UNIT_OFFSETS = Object.freeze({ ...O });
export const K = Object.keys(O).length;
// unit string slots
const J_NAME = 0,
  J_EMAIL = 1,
  J_BIO = 2,
  J_K0 = 3,
  J_K1 = 4,
  J_PAYLOAD = 5,
  J_EPH_KEY = 6,
  J_EPH_TABLE = 7;

// ---------------------------------------------------------------------------------------------
// Prefix: roots, global, the maps / prototypes / constructors, huge objects, unreachable nodes

function buildPrefix(U) {
  const nodes = [];
  const idx = new Map();
  const add = (key, type, name, size, det = 0) => {
    if (idx.has(key)) throw new Error(`synth: duplicate prefix key ${key}`);
    idx.set(key, nodes.length);
    nodes.push({ key, type: T[type], name: S(name), size, det, edges: [], loc: null });
  };
  const pending = [];
  const e = (from, type, name, to) => pending.push([from, type, name, to]);

  add('root', 'synthetic', '', 0);
  add('gcroots', 'synthetic', '(GC roots)', 0);
  const SUBROOTS = [
    '(Internalized strings)',
    '(Read-only roots)',
    '(Strong roots)',
    '(Stack roots)',
    '(Builtins)',
    '(Global handles)',
    '(Eternal handles)',
    '(Weak collections)',
  ];
  SUBROOTS.forEach((n, i) => add('sr' + i, 'synthetic', n, 0));
  add('cpproots', 'synthetic', 'C++ roots', 0);
  add('env', 'native', 'Node / Environment', 1408, 1);
  add('envdata', 'native', 'Node / BindingData', 96);
  add('global', 'object', 'global', 136);
  add('globalprops', 'array', '(object properties)', 528);
  add('nativectx', 'hidden', 'system / NativeContext', 2264);
  add('scriptctx', 'object', 'system / Context', 56);
  add('metamap', 'hidden', 'system / Map', 80);
  for (const m of [
    'String',
    'ConsString',
    'SlicedString',
    'HeapNumber',
    'PropertyArray',
    'HashTable',
    'EphemeronHashTable',
    'NameDictionary',
    'FeedbackCell',
    'FeedbackVector',
    'RegExp',
  ])
    add('M.' + m, 'hidden', `system / Map (${m})`, 80);
  for (const m of ['Context', 'Function', 'JSMap', 'JSWeakMap', 'WeakRef', 'Uint8Array', 'ArrayBuffer', 'Proto'])
    add('M.' + m, 'object shape', 'system / Map', 80);
  add('fnproto', 'closure', '', 64);
  add('code_lazy', 'code', '(CompileLazy builtin handle)', 88);
  add('code_builtin', 'code', '(builtin code)', 160);
  add('script', 'code', '/srv/app/server.js', 144);
  add('source', 'string', LONG_BASES[0], 3_145_728);
  add('scriptname', 'string', '/srv/app/server.js', 40);
  for (const c of [...BUILTIN_CLASSES, ...APP_CLASSES]) {
    add('map.' + c, 'object shape', 'system / Map', 80);
    add('proto.' + c, 'object', c, 56);
    add('ctor.' + c, 'closure', c, 64);
    add('sfi.' + c, 'code', c, 56);
    add('cname.' + c, 'string', c, strSize(c.length));
  }
  for (const f of [...FUNCS, 'onClose']) {
    add('sfi.fn.' + f, 'code', f, 56);
    add('scope.fn.' + f, 'code', 'system / ScopeInfo', 112);
  }
  add('oddball.undefined', 'hidden', 'system / Oddball', 48);
  add('oddball.null', 'hidden', 'system / Oddball', 48);
  add('empty_fixed_array', 'array', '', 16);
  add('config', 'object', 'Config', 48);
  add('config.name', 'string', 'heapwise-synth', 32);
  add('sentinel', 'object', 'Order', 40);
  add('chains', 'object', 'Array', 32);
  add('bigbuffer', 'object', 'ArrayBuffer', 88);
  add('bigbuffer.data', 'native', 'system / JSArrayBufferData', 64 * 1024 * 1024);
  add('hugestring', 'string', LONG_BASES[1], 12_000_000);
  add('bigarray', 'object', 'Array', 32);
  add('bigarray.elems', 'array', '(object elements)', 8_000_016);
  add('tcp', 'object', 'TCP', 48);
  add('tcpwrap', 'native', 'Node / TCPWrap', 120, 2);
  add('persistent', 'object', 'PersistentThing', 40);
  add('zombie', 'object', 'Zombie', 64);
  add('zombie.data', 'object', 'ZombieData', 32);
  add('leaked.a', 'object', 'Leaked', 48);
  add('leaked.b', 'object', 'Leaked', 48);
  add('leaked.child', 'object', 'LeakedChild', 32);

  const unit = (u, k) => ({ u, k });
  // roots
  e('root', 'element', 1, 'gcroots');
  e('root', 'shortcut', '2', 'global');
  e('root', 'element', 3, 'cpproots');
  SUBROOTS.forEach((n, i) => e('gcroots', 'element', i + 1, 'sr' + i));
  [...BUILTIN_CLASSES, ...APP_CLASSES].forEach((c, i) => e('sr0', 'internal', `${i} / ${c}`, 'cname.' + c));
  e('sr1', 'internal', 'undefined_value', 'oddball.undefined');
  e('sr1', 'internal', 'null_value', 'oddball.null');
  e('sr1', 'internal', 'empty_fixed_array', 'empty_fixed_array');
  e('sr1', 'internal', 'meta_map', 'metamap');
  e('sr2', 'internal', 'native_context_list', 'nativectx');
  e('sr2', 'internal', '1 / handle', unit(0, O.REC)); // page object: not an essential edge
  e('sr3', 'internal', '0 / stack', unit(1, O.H));
  e('sr3', 'internal', '1 / stack', unit(2, O.I1));
  e('sr4', 'internal', '0 / CompileLazy', 'code_lazy');
  e('sr4', 'internal', '1 / MapConstructor', 'code_builtin');
  e('sr5', 'internal', '1 / persistent', 'persistent');
  e('sr5', 'weak', '2', 'zombie'); // the zombie's only retainer is weak
  e('sr5', 'internal', '3 / config', 'config');
  e('sr6', 'internal', '0 / script', 'script');
  e('cpproots', 'element', 1, 'env');
  e('env', 'internal', 'binding_data', 'envdata');
  e('env', 'internal', 'principal_realm', 'nativectx');
  // global
  e('global', 'property', 'registry', unit(0, O.H));
  e('global', 'property', 'chains', 'chains');
  e('global', 'property', 'config', 'config');
  e('global', 'property', 'template', 'hugestring');
  e('global', 'property', 'pool', 'bigbuffer');
  e('global', 'property', 'recent', 'bigarray');
  e('global', 'property', 'server', 'tcp');
  for (const c of [...BUILTIN_CLASSES, ...APP_CLASSES]) e('global', 'property', c, 'ctor.' + c);
  e('global', 'property', '__proto__', 'proto.Object');
  e('global', 'internal', 'properties', 'globalprops');
  e('global', 'internal', 'native_context', 'nativectx');
  e('global', 'internal', 'map', 'M.Proto');
  e('globalprops', 'internal', 'map', 'M.PropertyArray');
  e('nativectx', 'internal', 'global_object', 'global');
  e('nativectx', 'internal', 'sloppy_function_map', 'M.Function'); // DevTools' BFS skips this edge
  e('nativectx', 'internal', 'script_context_table', 'scriptctx');
  e('nativectx', 'internal', 'empty_function', 'fnproto');
  e('nativectx', 'internal', 'map', 'metamap');
  e('scriptctx', 'context', 'config', 'config');
  e('scriptctx', 'internal', 'previous', 'nativectx');
  e('scriptctx', 'internal', 'map', 'M.Context');
  for (const k of idx.keys()) if (k.startsWith('M.')) e(k, 'internal', 'map', 'metamap');
  e('metamap', 'internal', 'map', 'metamap'); // a self-edge, as V8's meta map has
  e('fnproto', 'internal', 'shared', 'sfi.fn.');
  e('fnproto', 'internal', 'context', 'nativectx');
  e('fnproto', 'internal', 'map', 'M.Function');
  e('script', 'internal', 'source', 'source');
  e('script', 'internal', 'name', 'scriptname');
  e('source', 'internal', 'map', 'M.String');
  e('scriptname', 'internal', 'map', 'M.String');
  for (const c of [...BUILTIN_CLASSES, ...APP_CLASSES]) {
    const builtin = BUILTIN_CLASSES.includes(c);
    e('map.' + c, 'internal', 'map', 'metamap');
    e('map.' + c, 'internal', 'prototype', 'proto.' + c);
    e('map.' + c, 'internal', 'constructor_or_back_pointer', 'ctor.' + c);
    e('proto.' + c, 'property', 'constructor', 'ctor.' + c);
    if (c !== 'Object') e('proto.' + c, 'property', '__proto__', 'proto.Object');
    e('proto.' + c, 'internal', 'map', 'M.Proto');
    e('ctor.' + c, 'property', 'prototype', 'proto.' + c);
    e('ctor.' + c, 'property', '__proto__', 'fnproto');
    e('ctor.' + c, 'internal', 'initial_map', 'map.' + c);
    e('ctor.' + c, 'internal', 'shared', 'sfi.' + c);
    e('ctor.' + c, 'internal', 'context', builtin ? 'nativectx' : 'scriptctx');
    e('ctor.' + c, 'internal', 'code', builtin ? 'code_builtin' : 'code_lazy');
    e('ctor.' + c, 'internal', 'map', 'M.Function');
    e('sfi.' + c, 'internal', 'name_or_scope_info', 'cname.' + c);
    if (!builtin) e('sfi.' + c, 'internal', 'script_or_debug_info', 'script');
    e('cname.' + c, 'internal', 'map', 'M.String');
    if (!builtin) nodes[idx.get('ctor.' + c)].loc = [SCRIPT_ID, 10 + APP_CLASSES.indexOf(c) * 20, 0];
  }
  for (const f of [...FUNCS, 'onClose']) {
    e('sfi.fn.' + f, 'internal', 'script_or_debug_info', 'script');
    e('sfi.fn.' + f, 'internal', 'raw_outer_scope_info_or_feedback_metadata', 'scope.fn.' + f);
    e('scope.fn.' + f, 'internal', 'map', 'metamap');
  }
  e('oddball.undefined', 'internal', 'map', 'metamap');
  e('oddball.null', 'internal', 'map', 'metamap');
  e('config', 'property', 'name', 'config.name');
  e('config', 'property', 'limits', 'empty_fixed_array');
  e('config', 'property', '__proto__', 'proto.Config');
  e('config', 'internal', 'map', 'map.Config');
  nodes[idx.get('config')].loc = [SCRIPT_ID, 3, 6]; // an object with a location: its own class key
  e('config.name', 'internal', 'map', 'M.String');
  e('sentinel', 'property', '__proto__', 'proto.Order');
  e('sentinel', 'internal', 'map', 'map.Order');
  // chain heads: element edges from a dictionary-mode Array
  const heads = Math.ceil(U / L);
  for (let i = 0; i < heads; i++) e('chains', 'element', i, unit(i * L, O.LIST));
  e('chains', 'internal', 'map', 'map.Array');
  // huge objects
  e('bigbuffer', 'internal', 'backing_store', 'bigbuffer.data');
  e('bigbuffer', 'internal', 'map', 'map.ArrayBuffer');
  e('hugestring', 'internal', 'map', 'M.String');
  e('bigarray', 'internal', 'elements', 'bigarray.elems');
  e('bigarray', 'internal', 'map', 'map.Array');
  for (let i = 1; i <= 9; i++) e('bigarray.elems', 'internal', String(i - 1), unit(i, O.H));
  // a JS wrapper holding a detached native object (DevTools renames it "Detached Node / TCPWrap")
  e('tcp', 'internal', '0', 'tcpwrap');
  e('tcp', 'property', '__proto__', 'proto.TCP');
  e('tcp', 'internal', 'map', 'map.TCP');
  e('persistent', 'property', '__proto__', 'proto.PersistentThing');
  e('persistent', 'internal', 'map', 'map.PersistentThing');
  // deliberately unreachable: a weak-only orphan with a child, and an unreferenced cycle ("clique")
  e('zombie', 'property', 'data', 'zombie.data');
  e('zombie', 'internal', 'map', 'map.Zombie');
  e('zombie.data', 'internal', 'map', 'map.ZombieData');
  e('leaked.a', 'property', 'peer', 'leaked.b');
  e('leaked.a', 'property', 'child', 'leaked.child');
  e('leaked.a', 'internal', 'map', 'map.Leaked');
  e('leaked.b', 'property', 'peer', 'leaked.a');
  e('leaked.b', 'internal', 'map', 'map.Leaked');
  e('leaked.child', 'internal', 'map', 'map.LeakedChild');

  const P = nodes.length;
  for (const [from, type, name, to] of pending) {
    let ord;
    if (typeof to === 'string') {
      ord = idx.get(to);
      if (ord === undefined) throw new Error(`synth: unknown prefix key ${to}`);
    } else {
      if (to.u >= U) throw new Error(`synth: prefix edge to unit ${to.u} >= ${U}`);
      ord = P + to.u * K + to.k;
    }
    const t = E[type];
    const nm = t === E.element || t === E.hidden ? name : S(name);
    nodes[idx.get(from)].edges.push(t, nm, ord);
  }
  return { nodes, idx, P };
}

// intern every static string, then freeze the static table
const MIN_UNITS = 16;
buildPrefix(MIN_UNITS); // node names first, as V8 interns them: "", "(GC roots)", "(Internalized strings)", …
const NUM = [];
for (let i = 0; i < 64; i++) NUM.push(S(String(i)));
const STATIC = Object.create(null); // (a plain {} would swallow '__proto__')
for (const s of [
  'map',
  'elements',
  'properties',
  'table',
  'name',
  'email',
  'status',
  'profile',
  'score',
  'label',
  'tags',
  '__proto__',
  'owner',
  'bio',
  'avatar',
  'first',
  'second',
  'parent',
  'prev',
  'next',
  'pattern',
  'context',
  'shared',
  'code',
  'feedback_cell',
  'user',
  'request',
  'buf',
  'scope_info',
  'previous',
  'buffer',
  'backing_store',
  'payload',
  'child',
  'sibling',
  'self',
  'value',
  'target',
  '_events',
  'data',
  'close',
  'shared_function_info',
  'heap number',
  '(concatenated string)',
  '(sliced string)',
  '(object elements)',
  '(object properties)',
  'system / Context',
  'system / JSArrayBufferData',
  'system / FeedbackCell',
  'system / FeedbackVector',
  'system / NameDictionary',
  'onClose',
  'Profile',
  'Token',
  'TokenData',
  'TreeNode',
  'ListNode',
  'EventEmitter',
  'Object',
  'Array',
  'Map',
  'WeakMap',
  'WeakRef',
  'Uint8Array',
  'ArrayBuffer',
  'symbol',
])
  STATIC[s] = S(s);
const REC_NAME = REC_CLASSES.map(S),
  ITEM_NAME = ITEM_CLASSES.map(S),
  FUNC_NAME = FUNCS.map(S);
const REGEXP_NAME = REGEXPS.map(S);
staticFrozen = true;
const NS = staticStrings.length;
for (let k = 0; k < POOL; k++) {
  if (staticIndex.has(poolContent(k))) throw new Error(`synth: pool string ${k} collides with a static string`);
}

// ---------------------------------------------------------------------------------------------
// Plan: the layout for a given number of units

function unitEdgeCount(u, U) {
  const nc = Math.max(0, Math.min(F, U - 1 - u * F));
  const hasNext = u + 1 < U && (u + 1) % L !== 0 ? 1 : 0;
  const hasPrev = u % L !== 0 ? 1 : 0;
  return UNIT_BASE_EDGES + nc + hasNext + hasPrev;
}
let UNIT_BASE_EDGES = 0; // set below from a generated unit
export const unitBaseEdges = () => UNIT_BASE_EDGES;

function makePlan(U, seed) {
  if (U < MIN_UNITS) throw new Error(`synth: at least ${MIN_UNITS} units are needed`);
  const pre = buildPrefix(U);
  const P = pre.P;
  const nodeCount = P + U * K;
  if (nodeCount - 1 > MAX_ORDINAL) throw new Error(`synth: ${nodeCount} nodes do not fit V8's 32-bit to_node`);
  let edgeCount = 0;
  for (const n of pre.nodes) edgeCount += n.edges.length / 3;
  const prefixEdges = edgeCount;
  for (let u = 0; u < U; u++) edgeCount += unitEdgeCount(u, U);
  if (edgeCount > 0xffffffff) throw new Error('synth: too many edges for a uint32 edge_count');
  const poolBase = NS,
    unitStrBase = NS + POOL;
  const stringCount = unitStrBase + U * SU;
  return { seed, U, K, P, nodeCount, edgeCount, prefixEdges, stringCount, poolBase, unitStrBase, pre };
}

// ---------------------------------------------------------------------------------------------
// Unit generator: fills the scratch arrays with unit u's K nodes and their edges (in node order)

const nType = new Uint8Array(K),
  nName = new Uint32Array(K),
  nSize = new Float64Array(K),
  nEdges = new Uint32Array(K);
const MAX_UNIT_EDGES = 512;
const eType = new Uint8Array(MAX_UNIT_EDGES),
  eName = new Uint32Array(MAX_UNIT_EDGES),
  eTo = new Float64Array(MAX_UNIT_EDGES);
let nn = 0,
  ne = 0;
function N(type, name, size) {
  nType[nn] = type;
  nName[nn] = name;
  nSize[nn] = size;
  nEdges[nn] = 0;
  nn++;
}
function Ed(type, name, to) {
  eType[ne] = type;
  eName[ne] = name;
  eTo[ne] = to;
  ne++;
  nEdges[nn - 1]++;
}

// Prefix ordinals do not depend on the number of units: resolve the ones units point at once.
const PIDX = buildPrefix(MIN_UNITS).idx;
const MAP_EventEmitter = PIDX.get('map.EventEmitter');
const MAP_ListNode = PIDX.get('map.ListNode');
const MAP_Profile = PIDX.get('map.Profile');
const MAP_Token = PIDX.get('map.Token');
const MAP_TokenData = PIDX.get('map.TokenData');
const MAP_TreeNode = PIDX.get('map.TreeNode');
const ORD_M_ArrayBuffer = PIDX.get('M.ArrayBuffer');
const ORD_M_ConsString = PIDX.get('M.ConsString');
const ORD_M_Context = PIDX.get('M.Context');
const ORD_M_EphemeronHashTable = PIDX.get('M.EphemeronHashTable');
const ORD_M_FeedbackCell = PIDX.get('M.FeedbackCell');
const ORD_M_FeedbackVector = PIDX.get('M.FeedbackVector');
const ORD_M_Function = PIDX.get('M.Function');
const ORD_M_HashTable = PIDX.get('M.HashTable');
const ORD_M_HeapNumber = PIDX.get('M.HeapNumber');
const ORD_M_JSMap = PIDX.get('M.JSMap');
const ORD_M_JSWeakMap = PIDX.get('M.JSWeakMap');
const ORD_M_NameDictionary = PIDX.get('M.NameDictionary');
const ORD_M_PropertyArray = PIDX.get('M.PropertyArray');
const ORD_M_Proto = PIDX.get('M.Proto');
const ORD_M_RegExp = PIDX.get('M.RegExp');
const ORD_M_SlicedString = PIDX.get('M.SlicedString');
const ORD_M_String = PIDX.get('M.String');
const ORD_M_Uint8Array = PIDX.get('M.Uint8Array');
const ORD_M_WeakRef = PIDX.get('M.WeakRef');
const ORD_code_lazy = PIDX.get('code_lazy');
const ORD_fnproto = PIDX.get('fnproto');
const ORD_map_Array = PIDX.get('map.Array');
const ORD_scriptctx = PIDX.get('scriptctx');
const ORD_sentinel = PIDX.get('sentinel');
const PROTO_EventEmitter = PIDX.get('proto.EventEmitter');
const PROTO_ListNode = PIDX.get('proto.ListNode');
const PROTO_Map = PIDX.get('proto.Map');
const PROTO_Object = PIDX.get('proto.Object');
const PROTO_Profile = PIDX.get('proto.Profile');
const PROTO_Token = PIDX.get('proto.Token');
const PROTO_TokenData = PIDX.get('proto.TokenData');
const PROTO_TreeNode = PIDX.get('proto.TreeNode');
const PROTO_Uint8Array = PIDX.get('proto.Uint8Array');
const PROTO_WeakMap = PIDX.get('proto.WeakMap');
const PROTO_WeakRef = PIDX.get('proto.WeakRef');
const MAP_REC = REC_CLASSES.map((c) => PIDX.get('map.' + c)),
  PROTO_REC = REC_CLASSES.map((c) => PIDX.get('proto.' + c));
const MAP_ITEM = ITEM_CLASSES.map((c) => PIDX.get('map.' + c)),
  PROTO_ITEM = ITEM_CLASSES.map((c) => PIDX.get('proto.' + c));
const SFI_FN = [...FUNCS, 'onClose'].map((f) => PIDX.get('sfi.fn.' + f));
const SCOPE_FN = [...FUNCS, 'onClose'].map((f) => PIDX.get('scope.fn.' + f));
const HE_OWN = [O.REC, O.JSMAP, O.WMAP, O.TOKEN, O.TREE_A, O.WREF, O.EMIT];
for (const [k, v] of Object.entries({ MAP_REC, PROTO_REC, MAP_ITEM, PROTO_ITEM, SFI_FN, SCOPE_FN })) {
  if (v.some((x) => x === undefined)) throw new Error(`synth: unresolved prefix ordinal in ${k}`);
}

function genUnit(g, u) {
  const { P, U, seed } = g;
  const b = P + u * K;
  const sb = g.unitStrBase + u * SU;
  const pool = g.poolBase;
  nn = 0;
  ne = 0;
  rseed(seed, u, 1);
  const rec = rnd() % REC_CLASSES.length;
  const items = [rnd() % 5, rnd() % 5, rnd() % 5, rnd() % 5];
  const fn = rnd() % FUNCS.length;
  const statusK = rnd() % 8;
  const k2 = 8 + (rnd() % (POOL - 8));
  const k3 = 8 + ((k2 - 8 + 1 + (rnd() % (POOL - 9))) % (POOL - 8));
  const wrefTarget = rnd() % U;
  const re = rnd() % REGEXPS.length;
  const propCount = 2 + (rnd() % 6);
  const I = STATIC;

  // H: the unit's holder, an Array in the unit tree
  N(T.object, I.Array, 32);
  Ed(E.internal, I.elements, b + O.HE);
  Ed(E.internal, I.map, ORD_map_Array);
  // HE: its elements store (internal "0".."n")
  const nc = Math.max(0, Math.min(F, U - 1 - u * F));
  N(T.array, I['(object elements)'], 16 + 8 * (nc + 7));
  let slot = 0;
  for (let c = 1; c <= nc; c++) Ed(E.internal, NUM[slot++], P + (u * F + c) * K + O.H);
  for (let i = 0; i < HE_OWN.length; i++) Ed(E.internal, NUM[slot++], b + HE_OWN[i]);
  // REC: User / Customer / Account
  N(T.object, REC_NAME[rec], 24 + 8 * propCount);
  Ed(E.property, I.name, b + O.S_NAME);
  Ed(E.property, I.email, b + O.S_EMAIL);
  Ed(E.property, I.status, b + O.S_STATUS);
  Ed(E.property, I.profile, b + O.PROF);
  Ed(E.property, I.score, b + O.NUM);
  Ed(E.property, I.label, b + O.CONS);
  Ed(E.property, I.tags, b + O.TAGS);
  Ed(E.property, I.__proto__, PROTO_REC[rec]);
  Ed(E.internal, I.properties, b + O.RPROPS);
  Ed(E.internal, I.map, MAP_REC[rec]);
  // PROF: Profile (owner back-pointer: a cycle)
  N(T.object, I.Profile, 40);
  Ed(E.property, I.owner, b + O.REC);
  Ed(E.property, I.bio, b + O.S_BIO);
  Ed(E.property, I.avatar, b + O.SLICED);
  Ed(E.property, I.__proto__, PROTO_Profile);
  Ed(E.internal, I.properties, b + O.DICT);
  Ed(E.internal, I.map, MAP_Profile);
  // RPROPS: the record's out-of-object properties (moves into REC's shallow size)
  N(T.array, I['(object properties)'], 16 + 8 * propCount);
  Ed(E.internal, I.map, ORD_M_PropertyArray);
  // strings
  N(T.string, sb + J_NAME, 48);
  Ed(E.internal, I.map, ORD_M_String);
  N(T.string, sb + J_EMAIL, 56);
  Ed(E.internal, I.map, ORD_M_String);
  N(T.string, pool + statusK, 24); // duplicated: many string nodes, one name
  Ed(E.internal, I.map, ORD_M_String);
  N(T['concatenated string'], I['(concatenated string)'], 32);
  Ed(E.internal, I.first, b + O.S_NAME);
  Ed(E.internal, I.second, b + O.S_EMAIL);
  Ed(E.internal, I.map, ORD_M_ConsString);
  N(T.number, I['heap number'], 16);
  Ed(E.internal, I.map, ORD_M_HeapNumber);
  N(T.string, sb + J_BIO, isLongBio(seed, u) ? strSize(longBioLength(seed, u)) : 64);
  Ed(E.internal, I.map, ORD_M_String);
  N(T['sliced string'], I['(sliced string)'], 32);
  Ed(E.internal, I.parent, b + O.S_BIO);
  Ed(E.internal, I.map, ORD_M_SlicedString);
  // JSMAP: a Map with 4 entries (key strings -> items) in its hash table
  N(T.object, I.Map, 32);
  Ed(E.internal, I.table, b + O.MTAB);
  Ed(E.property, I.__proto__, PROTO_Map);
  Ed(E.internal, I.map, ORD_M_JSMap);
  N(T.array, 1, 16 + 8 * (3 + 3 * 4));
  for (let i = 0; i < 4; i++) {
    Ed(E.internal, NUM[4 + 3 * i], b + O.K0 + i);
    Ed(E.internal, NUM[5 + 3 * i], b + O.I0 + i);
  }
  Ed(E.internal, I.map, ORD_M_HashTable);
  N(T.string, sb + J_K0, 40);
  Ed(E.internal, I.map, ORD_M_String);
  N(T.string, sb + J_K1, 40);
  Ed(E.internal, I.map, ORD_M_String);
  N(T.string, pool + k2, 32);
  Ed(E.internal, I.map, ORD_M_String);
  N(T.string, pool + k3, 32);
  Ed(E.internal, I.map, ORD_M_String);
  // I0..I3: items of several classes
  for (let i = 0; i < 4; i++) {
    const c = items[i];
    N(T.object, ITEM_NAME[c], 40 + 8 * ((u + i) % 8));
    Ed(E.property, I.owner, b + O.REC);
    if (i === 0) Ed(E.property, I.prev, u > 0 ? b - K + O.I0 : ORD_sentinel);
    if (i === 1) Ed(E.property, I.pattern, b + O.RE);
    if (i === 2) Ed(E.property, I.next, b + O.I3);
    if (i === 3) Ed(E.property, I.next, b + O.I2); // I2 <-> I3 cycle
    Ed(E.property, I.__proto__, PROTO_ITEM[c]);
    if (i < 2) Ed(E.internal, I.elements, b + O.SHARR); // shared by two owners: stays put
    Ed(E.internal, I.map, MAP_ITEM[c]);
  }
  // CLO: a closure with its context
  N(T.closure, FUNC_NAME[fn], 64);
  Ed(E.property, I.__proto__, ORD_fnproto);
  Ed(E.internal, I.feedback_cell, b + O.FBC);
  Ed(E.internal, I.shared, SFI_FN[fn]);
  Ed(E.internal, I.context, b + O.CTX);
  Ed(E.internal, I.code, ORD_code_lazy);
  Ed(E.internal, I.map, ORD_M_Function);
  N(T.object, I['system / Context'], 48 + 24);
  Ed(E.context, I.user, b + O.REC);
  Ed(E.context, I.request, b + O.I0);
  Ed(E.context, I.buf, b + O.U8);
  Ed(E.internal, I.scope_info, SCOPE_FN[fn]);
  Ed(E.internal, I.previous, ORD_scriptctx);
  Ed(E.internal, I.map, ORD_M_Context);
  N(T.object, I.Uint8Array, 72);
  Ed(E.property, I.__proto__, PROTO_Uint8Array);
  Ed(E.internal, I.buffer, b + O.AB);
  Ed(E.internal, I.map, ORD_M_Uint8Array);
  N(T.object, I.ArrayBuffer, 88);
  Ed(E.internal, I.backing_store, b + O.ABDATA);
  Ed(E.internal, I.map, ORD_M_ArrayBuffer);
  N(T.native, I['system / JSArrayBufferData'], 64 * (1 + (hash3(seed, u, 0xab) % 1024)));
  // WMAP / ETAB / TOKEN / TDATA: a WeakMap entry (key Token -> value TokenData), named like V8
  N(T.object, I.WeakMap, 24);
  Ed(E.internal, I.table, b + O.ETAB);
  Ed(E.property, I.__proto__, PROTO_WeakMap);
  Ed(E.internal, I.map, ORD_M_JSWeakMap);
  N(T.array, 1, 16 + 8 * 5);
  Ed(E.weak, NUM[7], b + O.TOKEN);
  Ed(E.weak, NUM[8], b + O.TDATA);
  Ed(E.internal, sb + J_EPH_TABLE, b + O.TDATA);
  Ed(E.internal, I.map, ORD_M_EphemeronHashTable);
  N(T.object, I.Token, 32);
  Ed(E.internal, sb + J_EPH_KEY, b + O.TDATA);
  Ed(E.property, I.__proto__, PROTO_Token);
  Ed(E.internal, I.map, MAP_Token);
  N(T.object, I.TokenData, 48);
  Ed(E.property, I.payload, b + O.S_PAYLOAD);
  Ed(E.property, I.__proto__, PROTO_TokenData);
  Ed(E.internal, I.map, MAP_TokenData);
  N(T.string, sb + J_PAYLOAD, 64);
  Ed(E.internal, I.map, ORD_M_String);
  // TREE_A/B/C: a small cyclic tree, with a self-edge
  N(T.object, I.TreeNode, 40);
  Ed(E.element, 0, b + O.TREE_B);
  Ed(E.element, 1, b + O.TREE_C);
  Ed(E.property, I.__proto__, PROTO_TreeNode);
  Ed(E.internal, I.map, MAP_TreeNode);
  N(T.object, I.TreeNode, 40);
  Ed(E.property, I.parent, b + O.TREE_A);
  Ed(E.property, I.sibling, b + O.TREE_C);
  Ed(E.property, I.__proto__, PROTO_TreeNode);
  Ed(E.internal, I.map, MAP_TreeNode);
  N(T.object, I.TreeNode, 40);
  Ed(E.property, I.parent, b + O.TREE_A);
  Ed(E.property, I.self, b + O.TREE_C);
  Ed(E.property, I.__proto__, PROTO_TreeNode);
  Ed(E.internal, I.map, MAP_TreeNode);
  // LIST: a doubly linked list across units, L long
  N(T.object, I.ListNode, 32);
  Ed(E.property, I.value, b + O.LVAL);
  if (u + 1 < U && (u + 1) % L !== 0) Ed(E.property, I.next, b + K + O.LIST);
  if (u % L !== 0) Ed(E.property, I.prev, b - K + O.LIST);
  Ed(E.property, I.__proto__, PROTO_ListNode);
  Ed(E.internal, I.map, MAP_ListNode);
  N(T.number, I['heap number'], 16);
  Ed(E.internal, I.map, ORD_M_HeapNumber);
  // WREF: a WeakRef to another unit's record
  N(T.object, I.WeakRef, 32);
  Ed(E.weak, I.target, P + wrefTarget * K + O.REC);
  Ed(E.property, I.__proto__, PROTO_WeakRef);
  Ed(E.internal, I.map, ORD_M_WeakRef);
  // EMIT / EVT / CLO2: an emitter whose listeners are two closures sharing one context
  N(T.object, I.EventEmitter, 56);
  Ed(E.property, I._events, b + O.EVT);
  Ed(E.property, I.__proto__, PROTO_EventEmitter);
  Ed(E.internal, I.map, MAP_EventEmitter);
  N(T.object, I.Object, 40);
  Ed(E.property, I.data, b + O.CLO);
  Ed(E.property, I.close, b + O.CLO2);
  Ed(E.property, I.__proto__, PROTO_Object);
  Ed(E.internal, I.map, ORD_M_Proto);
  N(T.closure, I.onClose, 64);
  Ed(E.property, I.__proto__, ORD_fnproto);
  Ed(E.internal, I.feedback_cell, b + O.FBC);
  Ed(E.internal, I.shared, SFI_FN[FUNCS.length]);
  Ed(E.internal, I.context, b + O.CTX);
  Ed(E.internal, I.code, ORD_code_lazy);
  Ed(E.internal, I.map, ORD_M_Function);
  N(T.code, I['system / FeedbackCell'], 24);
  Ed(E.internal, I.value, b + O.FBV);
  Ed(E.internal, I.map, ORD_M_FeedbackCell);
  N(T.code, I['system / FeedbackVector'], 64 + 8 * (u % 16));
  Ed(E.internal, I.shared_function_info, SFI_FN[fn]);
  Ed(E.internal, I.map, ORD_M_FeedbackVector);
  N(T.regexp, REGEXP_NAME[re], 32);
  Ed(E.internal, I.map, ORD_M_RegExp);
  // SHARR: an array store shared by I0 and I1; DICT -> DICTX: hidden storage owned by PROF
  N(T.array, 1, 32);
  N(T.hidden, I['system / NameDictionary'], 96);
  Ed(E.internal, I.map, ORD_M_NameDictionary);
  Ed(E.hidden, 0, b + O.DICTX);
  N(T.array, 1, 32);
  // TAGS: an Array with element edges
  N(T.object, I.Array, 32);
  Ed(E.element, 0, b + O.S_STATUS);
  Ed(E.element, 1, b + O.K2);
  Ed(E.element, 2, b + O.NUM);
  Ed(E.internal, I.map, ORD_map_Array);
  if (nn !== K) throw new Error(`synth: unit has ${nn} nodes, expected ${K}`);
}

// unit u's own strings (j = 0..SU-1), as raw JS strings (the long bio is returned separately)
function unitString(g, u, j) {
  rseed(g.seed, u, 2);
  const first = FIRST[rnd() % FIRST.length],
    last = LAST[rnd() % LAST.length];
  const b = g.P + u * K;
  switch (j) {
    case J_NAME:
      return `${first} ${last} #${u}`;
    case J_EMAIL:
      return `${first.toLowerCase()}.${last.toLowerCase()}+${u}@example.com`;
    case J_BIO: {
      rnd();
      rnd();
      return `bio#${u}: ${WORDS[rnd() % WORDS.length]} ${WORDS[rnd() % WORDS.length]} ${WORDS[rnd() % WORDS.length]}`;
    }
    case J_K0:
      return `session:${u.toString(16)}:a${(rnd() & 0xffff).toString(16)}`;
    case J_K1:
      return `session:${u.toString(16)}:b`;
    case J_PAYLOAD:
      return `{"token":${u},"scope":"read write","user":"${first}"}`;
    case J_EPH_KEY:
    case J_EPH_TABLE: {
      const tok = 2 * (b + O.TOKEN) + 1,
        val = 2 * (b + O.TDATA) + 1,
        tab = 2 * (b + O.ETAB) + 1;
      return `${j === J_EPH_KEY ? 1 : 3} / part of key (Token @${tok}) -> value (TokenData @${val}) pair in WeakMap (table @${tab})`;
    }
  }
  throw new Error('synth: bad string slot');
}

// The fixed part of a unit's edge count: unit 15 of 16 has no tree children, no `next` (it ends
// the list) and a `prev` (15 % L != 0), so it has UNIT_BASE_EDGES + 1 edges.
{
  const U = MIN_UNITS;
  genUnit({ U, P: buildPrefix(U).P, seed: 1, poolBase: NS, unitStrBase: NS + POOL }, U - 1);
  UNIT_BASE_EDGES = ne - 1;
}

// ---------------------------------------------------------------------------------------------
// Output: big buffered writes, digits written straight into the buffer

// A byte buffer that hands itself to `sink(buf, len)` when full; the sink returns the buffer to
// continue in (the same one after a file write, a fresh one when chunks are passed on).
const DIGITS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGITS[2 * i] = 48 + Math.floor(i / 10);
  DIGITS[2 * i + 1] = 48 + (i % 10);
}
class Out {
  constructor(size, sink) {
    this.buf = Buffer.allocUnsafe(size);
    this.sink = sink;
    this.pos = 0;
    this.flushed = 0;
  }
  get total() {
    return this.flushed + this.pos;
  }
  flush() {
    if (this.pos > 0) this.buf = this.sink(this.buf, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
  }
  need(n) {
    if (this.pos + n > this.buf.length) this.flush();
  }
  ascii(s) {
    // s must be ASCII (already escaped); writes of any length
    if (this.pos + s.length <= this.buf.length) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    for (let i = 0; i < s.length; i += 65536) {
      const part = s.slice(i, i + 65536);
      this.need(part.length);
      this.pos += this.buf.write(part, this.pos, 'latin1');
    }
  }
  bytes(b) {
    for (let i = 0; i < b.length; i += 65536) {
      const part = b.subarray(i, Math.min(b.length, i + 65536));
      this.need(part.length);
      part.copy(this.buf, this.pos);
      this.pos += part.length;
    }
  }
  // caller guarantees room (need()); n: non-negative integer < 2^53
  num(n) {
    const b = this.buf;
    const p = this.pos;
    if (n < 10) {
      b[p] = 48 + n;
      this.pos = p + 1;
      return;
    }
    const len =
      n < 100
        ? 2
        : n < 1000
          ? 3
          : n < 1e4
            ? 4
            : n < 1e5
              ? 5
              : n < 1e6
                ? 6
                : n < 1e7
                  ? 7
                  : n < 1e8
                    ? 8
                    : n < 1e9
                      ? 9
                      : n < 1e10
                        ? 10
                        : String(n).length;
    let q = p + len;
    if (n < 2147483648) {
      while (n >= 100) {
        const t = (n / 100) | 0;
        const r = (n - t * 100) << 1;
        b[--q] = DIGITS[r + 1];
        b[--q] = DIGITS[r];
        n = t;
      }
    } else {
      while (n >= 100) {
        const t = Math.floor(n / 100);
        const r = (n - t * 100) * 2;
        b[--q] = DIGITS[r + 1];
        b[--q] = DIGITS[r];
        n = t;
      }
    }
    if (n >= 10) {
      b[--q] = DIGITS[2 * n + 1];
      b[--q] = DIGITS[2 * n];
    } else b[--q] = 48 + n;
    this.pos = p + len;
  }
}
const countingOut = () => new Out(1 << 20, (buf) => buf);
function writeAll(fd, buf, len) {
  let o = 0;
  while (o < len) o += fs.writeSync(fd, buf, o, len - o);
}

function writeNodeRecord(o, first, type, name, id, size, ec, det) {
  o.need(96);
  const b = o.buf;
  if (!first) b[o.pos++] = 44;
  o.num(type);
  b[o.pos++] = 44;
  o.num(name);
  b[o.pos++] = 44;
  o.num(id);
  b[o.pos++] = 44;
  o.num(size);
  b[o.pos++] = 44;
  o.num(ec);
  b[o.pos++] = 44;
  b[o.pos++] = 48;
  b[o.pos++] = 44; // trace_node_id 0
  o.num(det);
  b[o.pos++] = 10;
}
function writeEdgeRecord(o, first, type, name, toOrd) {
  o.need(48);
  const b = o.buf;
  if (!first) b[o.pos++] = 44;
  o.num(type);
  b[o.pos++] = 44;
  o.num(name);
  b[o.pos++] = 44;
  o.num(toOrd * NF);
  b[o.pos++] = 10;
}

function writeUnitNodes(o, g, u, stats) {
  genUnit(g, u);
  const base = g.P + u * K;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    writeNodeRecord(o, false, nType[k], nName[k], 2 * (base + k) + 1, nSize[k], nEdges[k], 0);
    sum += nEdges[k];
    if (stats) stats.count(nType[k], nName[k], nSize[k]);
  }
  if (sum !== unitEdgeCount(u, g.U)) throw new Error(`synth: unit ${u} has ${sum} edges, formula says ${unitEdgeCount(u, g.U)}`);
  return sum;
}
function writeUnitEdges(o, g, u) {
  genUnit(g, u);
  for (let e = 0; e < ne; e++) writeEdgeRecord(o, false, eType[e], eName[e], eTo[e]);
  return ne;
}
function writeUnitStrings(o, g, u) {
  for (let j = 0; j < SU; j++) {
    o.need(8);
    o.buf[o.pos++] = 44;
    o.buf[o.pos++] = 10;
    o.buf[o.pos++] = 34; // ,\n"
    if (j === J_BIO && isLongBio(g.seed, u)) {
      const prefix = `bio#${u}: `;
      const base = LONG_ESC[hash3(g.seed, u, 0xb12) % LONG_ESC.length];
      o.ascii(prefix);
      o.bytes(base.bytes.subarray(base.offs[prefix.length]));
    } else {
      o.ascii(v8Escape(unitString(g, u, j)));
    }
    o.need(1);
    o.buf[o.pos++] = 34;
  }
}

// Counts nodes per class for the test: object/native nodes by name, others by type.
class Stats {
  constructor() {
    this.byName = new Map();
    this.byType = new Float64Array(NODE_TYPES.length);
    this.selfTotal = 0;
  }
  count(type, name, size) {
    this.byType[type]++;
    this.selfTotal += size;
    if (type === T.object || type === T.native) {
      const key = type * 1e9 + name;
      this.byName.set(key, (this.byName.get(key) || 0) + 1);
    }
  }
  toMessage() {
    return { byName: [...this.byName], byType: [...this.byType], selfTotal: this.selfTotal };
  }
  merge(m) {
    for (const [k, n] of m.byName) this.byName.set(k, (this.byName.get(k) || 0) + n);
    for (let i = 0; i < m.byType.length; i++) this.byType[i] += m.byType[i];
    this.selfTotal += m.selfTotal;
  }
  classes() {
    const out = {};
    for (const [key, n] of this.byName) {
      const name = staticStrings[key % 1e9];
      out[name] = (out[name] || 0) + n;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Size targeting

export function parseSize(s) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*$/i.exec(String(s));
  if (!m) throw new Error(`synth: bad size ${JSON.stringify(s)} (use e.g. 50MB, 2GB, 8GB)`);
  const unit = (m[2] || 'b').toLowerCase();
  const mult = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 }[unit];
  return Math.round(Number(m[1]) * mult);
}

function headerText(g) {
  const head = JSON.stringify({ snapshot: { meta: META, node_count: g.nodeCount, edge_count: g.edgeCount, trace_function_count: 0 } });
  return head.slice(0, -1) + ',\n"nodes":[';
}

// Bytes of the fixed part (header, prefix, static strings, locations) and an estimate of the whole
// file from a stratified sample of units (formatted into a counting Out, nothing written).
function estimateBytes(g, samples = 4096) {
  const o = countingOut();
  o.ascii(headerText(g));
  writePrefixNodes(o, g, null);
  o.ascii('],\n"edges":[');
  writePrefixEdges(o, g);
  o.ascii('],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[');
  writeLocations(o, g);
  o.ascii('],\n"strings":["<dummy>"');
  writeStaticAndPoolStrings(o);
  o.ascii(']}');
  const fixed = o.total;
  const n = Math.min(samples, g.U);
  let sampled = 0;
  for (let s = 0; s < n; s++) {
    const u = Math.min(g.U - 1, Math.floor(((s + 0.5) * g.U) / n));
    const before = o.total;
    writeUnitNodes(o, g, u, null);
    writeUnitEdges(o, g, u);
    writeUnitStrings(o, g, u);
    sampled += o.total - before;
  }
  return { fixed, total: fixed + (sampled / n) * g.U };
}

/** layout(plan(opts)): what the tests need to find nodes in the file written with these options. */
export function layoutFor(opts) {
  return layout(plan(opts));
}

/** The layout (number of units, counts, ordinals) whose file is closest to `size` bytes. */
export function plan({ size, seed = 1 }) {
  const target = typeof size === 'number' ? size : parseSize(size);
  seed = Number(seed) | 0;
  let g = makePlan(MIN_UNITS, seed);
  let est = estimateBytes(g);
  if (est.total > target * 1.05) throw new Error(`synth: the smallest snapshot is ${Math.round(est.total)} bytes (> ${target})`);
  // bytes per unit grow slowly with U (longer ids and to_node values): a few fixed-point steps
  for (let iter = 0; iter < 12 && Math.abs(est.total - target) > target * 0.001; iter++) {
    const perUnit = (est.total - est.fixed) / g.U;
    const U = Math.max(MIN_UNITS, Math.round((target - est.fixed) / perUnit));
    if (U === g.U) break;
    g = makePlan(U, seed);
    est = estimateBytes(g);
  }
  g.target = target;
  g.estimatedBytes = Math.round(est.total);
  return g;
}

// ---------------------------------------------------------------------------------------------
// Sections

function writePrefixNodes(o, g, stats) {
  const nodes = g.pre.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    writeNodeRecord(o, i === 0, n.type, n.name, 2 * i + 1, n.size, n.edges.length / 3, n.det);
    if (stats) stats.count(n.type, n.name, n.size);
  }
}
function writePrefixEdges(o, g) {
  let first = true,
    count = 0;
  for (const n of g.pre.nodes) {
    const es = n.edges;
    for (let e = 0; e < es.length; e += 3) {
      writeEdgeRecord(o, first, es[e], es[e + 1], es[e + 2]);
      first = false;
      count++;
    }
  }
  return count;
}
function writeLocations(o, g) {
  let first = true,
    count = 0;
  const loc = (ord, script, line, col) => {
    o.need(64);
    if (!first) o.buf[o.pos++] = 44;
    first = false;
    count++;
    o.num(ord * NF);
    o.buf[o.pos++] = 44;
    o.num(script);
    o.buf[o.pos++] = 44;
    o.num(line);
    o.buf[o.pos++] = 44;
    o.num(col);
    o.buf[o.pos++] = 10;
  };
  g.pre.nodes.forEach((n, i) => {
    if (n.loc) loc(i, ...n.loc);
  });
  for (let u = 0; u < g.U; u += LOC_EVERY) {
    const b = g.P + u * K;
    loc(b + O.CLO, SCRIPT_ID, 200 + ((u / LOC_EVERY) % 50), 12);
    loc(b + O.CLO2, SCRIPT_ID, 260, 4);
  }
  return count;
}
function writeStaticAndPoolStrings(o) {
  for (let i = 1; i < staticStrings.length; i++) {
    o.ascii(',\n"');
    o.ascii(v8Escape(staticStrings[i]));
    o.ascii('"');
  }
  for (let k = 0; k < POOL; k++) {
    o.ascii(',\n"');
    o.ascii(v8Escape(poolContent(k)));
    o.ascii('"');
  }
}

// ---------------------------------------------------------------------------------------------
// The writer: the main thread writes the fixed parts and, in file order, the chunks that worker
// threads format for ranges of units (each section is split into tasks of TASK_UNITS units).

const TASK_UNITS = 256;
const CHUNK = 2 << 20; // worker output buffers
const WINDOW = 3; // tasks in flight per worker
const YOUNG_MB = Number(process.env.SYNTH_YOUNG_MB || 4);

// units [u0, u1) of one section; returns the number of edges (declared for 'nodes', written for 'edges')
function runTask(g, o, section, u0, u1, stats) {
  let edges = 0;
  if (section === 'nodes') for (let u = u0; u < u1; u++) edges += writeUnitNodes(o, g, u, stats);
  else if (section === 'edges') for (let u = u0; u < u1; u++) edges += writeUnitEdges(o, g, u);
  else for (let u = u0; u < u1; u++) writeUnitStrings(o, g, u);
  return edges;
}

function workerMain() {
  const { U, seed } = workerData;
  const g = makePlan(U, seed);
  const free = [];
  let chunks = [];
  const o = new Out(CHUNK, (buf, len) => {
    chunks.push(buf.subarray(0, len));
    const next = free.pop();
    return next ? Buffer.from(next) : Buffer.allocUnsafeSlow(CHUNK);
  });
  parentPort.on('message', ({ id, section, u0, u1, returned }) => {
    for (const ab of returned) free.push(ab);
    const stats = section === 'nodes' ? new Stats() : null;
    const edges = runTask(g, o, section, u0, u1, stats);
    o.flush();
    const out = chunks;
    chunks = [];
    const abs = out.map((c) => c.buffer);
    parentPort.postMessage({ id, edges, stats: stats && stats.toMessage(), chunks: out.map((c) => [c.byteOffset, c.length]), abs }, abs);
  });
}

/**
 * Writes a synthetic snapshot of about `size` bytes (a number or '2GB'). threads: worker threads
 * that format units (0 = format on the main thread). Resolves to a summary object.
 */
export async function writeSnapshot(file, { size, seed = 1, threads = defaultThreads(), progress = null } = {}) {
  const t0 = process.hrtime.bigint();
  const g = plan({ size, seed });
  const fd = fs.openSync(file, 'w');
  const o = new Out(4 << 20, (buf, len) => {
    writeAll(fd, buf, len);
    return buf;
  });
  const stats = new Stats();
  let declaredEdges = g.prefixEdges,
    writtenEdges = 0,
    locations = 0;
  const items = [];
  const tasks = (section) => {
    for (let u = 0; u < g.U; u += TASK_UNITS) items.push({ section, u0: u, u1: Math.min(g.U, u + TASK_UNITS) });
  };
  items.push({
    main: () => {
      o.ascii(headerText(g));
      writePrefixNodes(o, g, stats);
    },
  });
  tasks('nodes');
  items.push({
    main: () => {
      if (declaredEdges !== g.edgeCount) throw new Error(`synth: nodes declare ${declaredEdges} edges, header says ${g.edgeCount}`);
      o.ascii('],\n"edges":[');
      writtenEdges += writePrefixEdges(o, g);
    },
  });
  tasks('edges');
  items.push({
    main: () => {
      if (writtenEdges !== g.edgeCount) throw new Error(`synth: wrote ${writtenEdges} edges, header says ${g.edgeCount}`);
      o.ascii('],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[');
      locations = writeLocations(o, g);
      o.ascii('],\n"strings":["<dummy>"');
      writeStaticAndPoolStrings(o);
    },
  });
  tasks('strings');
  items.push({ main: () => o.ascii(']}') });
  const sectionOf = (it) => it.section || 'fixed';
  let lastReport = 0;
  const report = (i) => {
    if (!progress) return;
    const now = Date.now();
    if (now - lastReport < 1000 && i < items.length) return;
    lastReport = now;
    progress(sectionOf(items[Math.min(i, items.length - 1)]), i / items.length, o.total);
  };
  const account = (it, edges, st) => {
    if (it.section === 'nodes') declaredEdges += edges;
    else if (it.section === 'edges') writtenEdges += edges;
    if (st) stats.merge(st);
  };

  const workers = [];
  try {
    if (threads <= 0) {
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (it.main) it.main();
        else account(it, runTask(g, o, it.section, it.u0, it.u1, it.section === 'nodes' ? stats : null), null);
        report(i + 1);
      }
    } else {
      const pending = new Map(); // item index -> {resolve, reject, promise, result}
      const state = [];
      for (let w = 0; w < threads; w++) {
        const worker = new Worker(new URL(import.meta.url), {
          workerData: { synthWorker: true, U: g.U, seed: g.seed },
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB, maxOldGenerationSizeMb: 64 },
        });
        const st = { worker, inflight: 0, returned: [] };
        worker.on('message', (m) => {
          st.inflight--;
          const p = pending.get(m.id);
          p.result = m;
          p.resolve();
        });
        worker.on('error', (e) => {
          for (const p of pending.values()) p.reject(e);
        });
        worker.on('exit', (code) => {
          if (code !== 0) for (const p of pending.values()) p.reject(new Error(`synth: worker exited with code ${code}`));
        });
        workers.push(worker);
        state.push(st);
      }
      let next = 0; // next item to dispatch
      const dispatch = () => {
        for (;;) {
          while (next < items.length && items[next].main) next++;
          if (next >= items.length) return;
          let best = null;
          for (const st of state) if (st.inflight < WINDOW && (!best || st.inflight < best.inflight)) best = st;
          if (!best) return;
          const it = items[next];
          const p = {};
          p.promise = new Promise((res, rej) => {
            p.resolve = res;
            p.reject = rej;
          });
          p.promise.catch(() => {});
          p.state = best;
          pending.set(next, p);
          best.inflight++;
          const returned = best.returned;
          best.returned = [];
          best.worker.postMessage({ id: next, section: it.section, u0: it.u0, u1: it.u1, returned }, returned);
          next++;
        }
      };
      dispatch();
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (it.main) {
          it.main();
          report(i + 1);
          continue;
        }
        const p = pending.get(i);
        await p.promise;
        pending.delete(i);
        const m = p.result;
        o.flush();
        for (let c = 0; c < m.chunks.length; c++) {
          const [off, len] = m.chunks[c];
          writeAll(fd, new Uint8Array(m.abs[c], off, len), len);
          o.flushed += len;
        }
        p.state.returned.push(...m.abs);
        account(it, m.edges, m.stats);
        dispatch();
        report(i + 1);
      }
    }
    o.flush();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.closeSync(fd);
  }
  const bytes = fs.statSync(file).size;
  if (bytes !== o.total) throw new Error(`synth: wrote ${o.total} bytes but the file has ${bytes}`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    file: path.resolve(file),
    bytes,
    target: g.target,
    ms: Math.round(ms),
    mbPerSec: Math.round(bytes / 1e3 / ms),
    threads: Math.max(0, threads),
    seed: g.seed,
    units: g.U,
    unitNodes: K,
    prefixNodes: g.P,
    nodeCount: g.nodeCount,
    edgeCount: g.edgeCount,
    stringCount: g.stringCount,
    locations,
    selfSizeTotal: stats.selfTotal,
    classes: stats.classes(),
    nodeTypes: Object.fromEntries(NODE_TYPES.map((n, i) => [n, stats.byType[i]]).filter(([, c]) => c > 0)),
    mainMaxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function defaultThreads() {
  return Math.max(1, Math.min(4, os.cpus().length));
}

/**
 * Ordinals and ids the tests check, for a plan: the unit node at offset `k` of unit `u` is
 * ordinal P + u*K + k, id 2*ordinal+1.
 */
export function layout(g) {
  const ordOf = (key) => g.pre.idx.get(key);
  return {
    P: g.P,
    K,
    U: g.U,
    offsets: UNIT_OFFSETS,
    unitOrdinal: (u, k) => g.P + u * K + k,
    unitId: (u, k) => 2 * (g.P + u * K + k) + 1,
    prefixOrdinal: ordOf,
    prefixId: (key) => 2 * ordOf(key) + 1,
    unreachable: ['zombie', 'zombie.data', 'leaked.a', 'leaked.b', 'leaked.child'].map((k) => 2 * ordOf(k) + 1),
    chainLength: L,
    fanOut: F,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv) {
  const args = argv.slice(2);
  let out = null,
    size = null,
    seed = 1,
    quiet = false,
    threads = defaultThreads();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--size') size = args[++i];
    else if (a.startsWith('--size=')) size = a.slice(7);
    else if (a === '--seed') seed = Number(args[++i]);
    else if (a.startsWith('--seed=')) seed = Number(a.slice(7));
    else if (a === '--threads') threads = Number(args[++i]);
    else if (a.startsWith('--threads=')) threads = Number(a.slice(10));
    else if (a === '--quiet' || a === '-q') quiet = true;
    else if (a === '-h' || a === '--help') {
      out = null;
      break;
    } else if (!out && !a.startsWith('-')) out = a;
    else throw new Error(`synth: unexpected argument ${a}`);
  }
  if (!out || !size || !Number.isInteger(seed) || !Number.isInteger(threads)) {
    process.stderr.write(
      'usage: node tools/synth/write.mjs OUT.heapsnapshot --size 2GB [--seed N] [--threads N] [--quiet]\n' +
        '  --size     decimal units: 50MB = 50e6 bytes, 2GB = 2e9 (KiB/MiB/GiB also accepted); the file is within 1% of it\n' +
        '  --seed     PRNG seed (default 1); the same size and seed give the same bytes\n' +
        `  --threads  worker threads formatting units (default ${defaultThreads()}; 0 = main thread only)\n` +
        '  prints a JSON summary (counts, classes, bytes, time) on stdout, progress on stderr\n',
    );
    process.exit(2);
  }
  const progress = quiet
    ? null
    : (section, frac, bytes) => {
        process.stderr.write(`synth: ${section.padEnd(7)} ${(frac * 100).toFixed(1).padStart(5)}%  ${(bytes / 1e9).toFixed(2)} GB\n`);
      };
  const r = await writeSnapshot(out, { size, seed, threads, progress });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}

if (!isMainThread && workerData && workerData.synthWorker) {
  workerMain();
} else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv).catch((e) => {
    process.stderr.write(`${e.stack || e.message}\n`);
    process.exit(1);
  });
}
