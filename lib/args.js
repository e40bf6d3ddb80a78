'use strict';
// Command-line reading shared by the subcommands: options one at a time (`--name value`,
// `--name=value`), and the options diff and watch have in common (verdict thresholds, noise
// controls, output format).
const { parseSize, parseCount } = require('./size.js');

const FORMATS = ['text', 'json', 'markdown', 'html'];

/**
 * Yields each argument as `{ arg, value(), flag() }`: `value()` takes the option's value (the
 * `=value` part or the next argument), `flag()` refuses a value on an option that takes none.
 */
function* eachArg(argv) {
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline = null;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = () => {
      if (inline !== null) return inline;
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const flag = () => {
      if (inline !== null) throw new Error(`${arg} takes no value`);
    };
    yield { arg, raw: argv[i], value, flag };
  }
}

/** The options fields `commonOption` fills, with their defaults. */
function commonDefaults() {
  return {
    maxGrowthBytes: null, maxNewObjects: null, classLimits: {}, ignore: [], includeInternal: false,
    format: 'text', output: null,
  };
}

/**
 * Handles an option diff and watch share (`--max-growth`, `--max-new-objects`,
 * `--max-class-count NAME=N`, `--max-class-size NAME=SIZE`, `--ignore`, `--include-internal`,
 * `--format`, `--json`, `-o`/`--output`) into `opts`; returns false for any other argument.
 */
function commonOption(opts, { arg, value, flag }) {
  const classLimit = (text, parse) => {
    const eq = text.lastIndexOf('=');
    if (eq <= 0) throw new Error(`${arg} needs NAME=VALUE, got ${JSON.stringify(text)}`);
    const name = text.slice(0, eq);
    const limit = opts.classLimits[name] || (opts.classLimits[name] = {});
    return { limit, v: parse(text.slice(eq + 1)) };
  };
  if (arg === '--max-growth') opts.maxGrowthBytes = parseSize(value());
  else if (arg === '--max-new-objects') opts.maxNewObjects = parseCount(value(), '--max-new-objects');
  else if (arg === '--max-class-count') {
    const { limit, v } = classLimit(value(), (x) => parseCount(x, arg));
    limit.maxCount = v;
  } else if (arg === '--max-class-size') {
    const { limit, v } = classLimit(value(), parseSize);
    limit.maxSize = v;
  } else if (arg === '--ignore') {
    const p = value();
    if (!p) throw new Error('--ignore needs a non-empty pattern');
    opts.ignore.push(p);
  } else if (arg === '--include-internal') {
    flag();
    opts.includeInternal = true;
  } else if (arg === '--format') {
    opts.format = value();
    if (!FORMATS.includes(opts.format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
  } else if (arg === '--json') {
    flag();
    opts.format = 'json';
  } else if (arg === '-o' || arg === '--output') opts.output = value();
  else return false;
  return true;
}

module.exports = { FORMATS, eachArg, commonDefaults, commonOption };
