'use strict';
// The command line's one argument parser, for every command. Raw flags are read by Node's
// util.parseArgs (`--name value` and `--name=value`, `-o FILE`, repeatable flags, no unknown
// flag, no value on a switch); then each flag's value is checked by its entry of FLAGS, the
// same way in every command, and COMMANDS says which flags a command takes and which API option
// each becomes. This module loads no native code: `heapwise --help` works without the addon.
const { parseArgs } = require('node:util');
const { parseSize, parseCount } = require('../core.js');
const { COMMAND_HELP } = require('./help.js');

const FORMATS = ['text', 'json', 'markdown', 'html'];

/** @param {string} flag */
const nonEmpty = (flag) => (/** @type {string} */ v) => {
  if (!v) throw new Error(`${flag} needs a non-empty value`);
  return v;
};

/**
 * Parses a duration: `500ms`, `5s`, `1.5m`, `1h`, or a bare number of seconds. Returns ms.
 * @param {string} text
 */
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`invalid duration ${JSON.stringify(String(text))}: expected e.g. 500ms, 5s, 1m, 1h (a bare number is seconds)`);
  const units = /** @type {Record<string, number>} */ ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 });
  const ms = Math.round(Number(m[1]) * units[(m[2] || 's').toLowerCase()]);
  if (ms < 10) throw new Error(`duration ${JSON.stringify(String(text))} is too short (10ms at least)`);
  return ms;
}

/**
 * `NAME=VALUE` of --max-class-count / --max-class-size.
 * @param {string} flag
 * @param {(v: string) => number} parse
 */
const classLimit = (flag, parse) => (/** @type {string} */ text) => {
  const eq = text.lastIndexOf('=');
  if (eq <= 0) throw new Error(`${flag} needs NAME=VALUE, got ${JSON.stringify(text)}`);
  return { name: text.slice(0, eq), value: parse(text.slice(eq + 1)) };
};

/**
 * @typedef {object} Flag
 * @property {string} [short] a one-letter alias (`-o`)
 * @property {boolean} [multiple] repeatable; the values are collected in order
 * @property {string} key the field of the parsed options (the API option's name where there is one)
 * @property {(v: string) => unknown} [parse] checks and converts a value (a flag without it is a switch when it has no `value`)
 * @property {boolean} [value] takes a value
 */

/** Every flag of the CLI, once: how its value is read and checked, and where it goes. */
/** @type {Record<string, Flag>} */
const FLAGS = {
  top: { key: 'top', value: true, parse: (v) => positive(v, '--top') },
  nodes: { key: 'nodes', value: true, parse: nonEmpty('--nodes') },
  final: { key: 'final', value: true, parse: nonEmpty('--final') },
  'max-growth': { key: 'maxGrowthBytes', value: true, parse: parseSize },
  'max-new-objects': { key: 'maxNewObjects', value: true, parse: (v) => parseCount(v, '--max-new-objects') },
  'max-class-count': {
    key: 'classLimits',
    value: true,
    multiple: true,
    parse: classLimit('--max-class-count', (v) => parseCount(v, '--max-class-count')),
  },
  'max-class-size': { key: 'classLimits', value: true, multiple: true, parse: classLimit('--max-class-size', parseSize) },
  ignore: { key: 'ignore', value: true, multiple: true, parse: nonEmpty('--ignore') },
  'min-retained-size': { key: 'minRetainedSize', value: true, parse: parseSize },
  'include-internal': { key: 'includeInternal' },
  pid: { key: 'pid', value: true, parse: parsePid },
  interval: { key: 'intervalMs', value: true, parse: parseDuration },
  once: { key: 'once' },
  'snapshot-every': { key: 'snapshotIntervalMs', value: true, parse: parseDuration },
  'trace-gc': { key: 'traceGc' },
  'gc-log': { key: 'gcLog', value: true, parse: nonEmpty('--gc-log') },
  'keep-snapshots': { key: 'keepSnapshots', value: true, parse: nonEmpty('--keep-snapshots') },
  calls: { key: 'callsPerStep', value: true, parse: (v) => positive(v, '--calls') },
  'only-thresholds': { key: 'onlyThresholds' },
  'all-rows': { key: 'allRows' },
  format: { key: 'format', value: true, parse: parseFormat },
  json: { key: 'format' },
  output: { key: 'output', short: 'o', value: true, parse: nonEmpty('--output') },
  'max-memory': { key: 'maxMemory', value: true, parse: parseSize },
  port: { key: 'port', value: true, parse: parsePort },
  // util.parseArgs reads `--no-browser` as the switch named `no-browser` (no negation is set up).
  'no-browser': { key: 'noBrowser' },
  help: { key: 'help', short: 'h' },
};

/**
 * @typedef {object} Command
 * @property {string[]} args the positional arguments' names
 * @property {boolean} [variadic] the last one may repeat, or be left out (`open FILE [BASELINE…]`)
 * @property {number} [most] with `variadic`: how many there may be at most (`dhat A [B]`)
 * @property {boolean} [command] takes a program to run after `--` (`watch -- CMD ARGS…`), in place of its arguments
 * @property {string[]} flags the flags it takes (keys of FLAGS)
 * @property {Record<string, unknown>} defaults the parsed options' defaults
 * @property {string[]} api the parsed options the JS API function takes (analyze's `top` goes to `HeapAnalysis.top()`)
 */

/** Each command: its arguments, its flags, and the options of the API function it calls. */
/** @type {Record<'analyze' | 'diff' | 'watch' | 'mcp' | 'open' | 'gc' | 'dhat', Command>} */
const COMMANDS = {
  analyze: {
    args: ['FILE'],
    flags: ['top', 'nodes', 'format', 'json', 'output', 'help'],
    defaults: { top: 10, nodes: null },
    api: [],
  },
  diff: {
    args: ['BEFORE', 'AFTER'],
    flags: [
      'final',
      'max-growth',
      'max-new-objects',
      'max-class-count',
      'max-class-size',
      'ignore',
      'min-retained-size',
      'include-internal',
      'calls',
      'only-thresholds',
      'all-rows',
      'top',
      'format',
      'json',
      'output',
      'help',
    ],
    defaults: { final: null, top: 10, minRetainedSize: null, callsPerStep: null, onlyThresholds: false, allRows: false },
    api: [
      'final',
      'maxGrowthBytes',
      'maxNewObjects',
      'classLimits',
      'ignore',
      'minRetainedSize',
      'includeInternal',
      'callsPerStep',
      'onlyThresholds',
      'top',
    ],
  },
  watch: {
    args: ['DIR'],
    command: true,
    flags: [
      'pid',
      'interval',
      'snapshot-every',
      'trace-gc',
      'gc-log',
      'keep-snapshots',
      'max-growth',
      'max-new-objects',
      'max-class-count',
      'max-class-size',
      'ignore',
      'include-internal',
      'calls',
      'only-thresholds',
      'once',
      'format',
      'json',
      'output',
      'help',
    ],
    defaults: {
      pid: null,
      intervalMs: null,
      once: false,
      callsPerStep: null,
      onlyThresholds: false,
      command: null,
      snapshotIntervalMs: null,
      traceGc: false,
      gcLog: null,
      keepSnapshots: null,
    },
    api: [
      'pid',
      'intervalMs',
      'snapshotIntervalMs',
      'gcLog',
      'maxGrowthBytes',
      'maxNewObjects',
      'classLimits',
      'ignore',
      'includeInternal',
      'callsPerStep',
      'onlyThresholds',
      'once',
    ],
  },
  mcp: {
    args: [],
    flags: ['max-memory', 'help'],
    defaults: { maxMemory: null },
    api: [],
  },
  open: {
    args: ['FILE', 'BASELINE'],
    variadic: true,
    flags: ['port', 'no-browser', 'max-memory', 'help'],
    defaults: { port: 0, noBrowser: false, maxMemory: null },
    api: [],
  },
  gc: {
    args: ['LOG'],
    flags: ['format', 'json', 'output', 'help'],
    defaults: {},
    api: [],
  },
  dhat: {
    args: ['A', 'B'],
    variadic: true,
    most: 2,
    flags: ['top', 'format', 'json', 'output', 'help'],
    defaults: { top: 10 },
    api: [],
  },
};

/**
 * @param {string} v
 * @param {string} flag
 */
function positive(v, flag) {
  const n = parseCount(v, flag);
  if (n < 1) throw new Error(`${flag} needs a whole number >= 1, got ${JSON.stringify(v)}`);
  return n;
}

/** @param {string} v */
function parsePort(v) {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new Error(`--port needs a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(v)}`);
  return Number(v);
}

/** @param {string} v */
function parsePid(v) {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--pid needs a process id, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** @param {string} v */
function parseFormat(v) {
  if (!FORMATS.includes(v)) throw new Error(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Parses a command's arguments (argv after the command's name); throws an Error with a usage
 * message. Returns the options: `_` (the positional arguments), `help`, `format`, `output`, and
 * one field per flag (named as the API option where there is one), defaults filled in.
 * @param {keyof COMMANDS} command
 * @param {string[]} argv
 * @returns {Record<string, any> & { _: string[], help: boolean, format: string, output: string | null }}
 */
function parseCommand(command, argv) {
  const spec = COMMANDS[command];
  // `watch [flags] -- CMD ARGS…`: what follows the first `--` is the program, untouched
  const dashes = spec.command ? argv.indexOf('--') : -1;
  const program = dashes >= 0 ? argv.slice(dashes + 1) : null;
  if (dashes >= 0) argv = argv.slice(0, dashes);
  if (program && !program.length) throw new Error(`${command} -- needs a program to run after --`);
  /** @type {import('node:util').ParseArgsConfig['options']} */
  const options = {};
  for (const name of spec.flags) {
    const f = FLAGS[name];
    options[name] = {
      type: f.value ? 'string' : 'boolean',
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Error(parseArgsMessage(/** @type {Error & { code?: string }} */ (e), command));
  }
  /** @type {Record<string, any>} */
  const opts = {
    _: parsed.positionals,
    help: false,
    format: 'text',
    output: null,
    maxGrowthBytes: null,
    maxNewObjects: null,
    classLimits: {},
    ignore: [],
    includeInternal: false,
    ...structuredClone(spec.defaults),
  };
  const values = /** @type {Record<string, string | boolean | Array<string | boolean>>} */ (parsed.values);
  for (const name of spec.flags) {
    if (values[name] === undefined) continue;
    const f = FLAGS[name];
    for (const raw of /** @type {Array<string | boolean>} */ ([]).concat(values[name])) {
      const v = f.parse && typeof raw === 'string' ? f.parse(raw) : raw;
      if (name === 'json') opts.format = 'json';
      else if (f.key === 'classLimits') {
        const { name: cls, value } = /** @type {{ name: string, value: number }} */ (v);
        const limit = opts.classLimits[cls] || (opts.classLimits[cls] = {});
        limit[name === 'max-class-count' ? 'maxCount' : 'maxSize'] = value;
      } else if (f.multiple) opts[f.key].push(v);
      else opts[f.key] = v;
    }
  }
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new Error(`--json and --format ${values.format} disagree`);
  }
  if (spec.command) {
    const runOnly = ['snapshot-every', 'trace-gc', 'keep-snapshots'].filter((f) => values[f] !== undefined);
    if (program) {
      if (opts._.length) throw new Error(`${command} takes a folder or a program after --, not both (got ${opts._[0]} and --)`);
      if (values.pid !== undefined)
        throw new Error(`--pid and a program after -- exclude each other: the program started is the process sampled`);
      opts.command = program;
      return /** @type {any} */ (opts);
    }
    if (!opts.help && runOnly.length) throw new Error(`--${runOnly[0]} needs a program to run: ${command} [flags] -- CMD ARGS…`);
    // a GC log alone is something to watch too
    if (!opts.help && opts._.length === 0 && opts.gcLog) return /** @type {any} */ (opts);
  }
  if (!opts.help && spec.variadic && opts._.length < spec.args.length - 1) {
    throw new Error(`${command} takes ${variadicText(spec)}`);
  }
  if (!opts.help && spec.variadic && spec.most !== undefined && opts._.length > spec.most) {
    throw new Error(`${command} takes ${variadicText(spec)} (got ${opts._.length} arguments)`);
  }
  if (!opts.help && !spec.variadic && opts._.length !== spec.args.length) {
    const names = spec.args.join(' and ');
    throw new Error(
      `${command} takes ${spec.args.length === 1 ? 'one argument' : `${spec.args.length} arguments`}, ${names}` +
        `${opts._.length ? ` (got ${opts._.length})` : ''}`,
    );
  }
  return /** @type {any} */ (opts);
}

/**
 * What a variadic command takes: `FILE, then any number of BASELINEs`, `A, then one B at most`.
 * @param {Command} spec
 */
function variadicText(spec) {
  const last = spec.args[spec.args.length - 1];
  const more = spec.most === spec.args.length ? `one ${last} at most` : `any number of ${last}s`;
  return `${spec.args.slice(0, -1).join(' and ')}, then ${more}`;
}

/**
 * util.parseArgs' messages, in the CLI's words where they name an unknown option.
 * @param {Error & { code?: string }} e
 * @param {string} command
 */
function parseArgsMessage(e, command) {
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /'([^']+)'/.exec(e.message);
    return `unknown option ${m ? m[1] : ''} for ${command}`;
  }
  return e.message;
}

/**
 * The options object of the command's API function (analyze / diff / watch) for parsed options:
 * the fields COMMANDS lists, left out when unset (null, an empty list or table).
 * @param {keyof COMMANDS} command
 * @param {Record<string, any>} opts
 * @returns {Record<string, any>}
 */
function apiOptions(command, opts) {
  /** @type {Record<string, any>} */
  const o = {};
  for (const key of COMMANDS[command].api) {
    const v = opts[key];
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0) continue;
    o[key] = v;
  }
  return o;
}

/**
 * The help of one command.
 * @param {keyof COMMANDS} command
 */
function commandHelp(command) {
  return COMMAND_HELP[command];
}

module.exports = { FORMATS, FLAGS, COMMANDS, parseCommand, apiOptions, commandHelp, parseDuration };
