// Types of `heapwise/testing`: leak tests for node:test, Jest, Mocha and Vitest.
import type { Finding, HeapDiff, Reason } from '../../index';

/**
 * What happens to the snapshots: `'on-failure'` (the default) keeps them when the test fails and
 * removes them when it passes; `true` keeps them always; `false` removes them always.
 */
export type KeepSnapshots = boolean | 'on-failure';

/** Options of `expectNoLeak`. Every field is optional; an unknown one is an error. */
export interface ExpectNoLeakOptions {
  /**
   * Warm-up rounds of `repeat` calls before the baseline snapshot, so that caches, lazy
   * initialisation and compiled code settle down. Default 5.
   */
  warmup?: number;
  /** Measured rounds; a snapshot is written after each. Default 5. */
  iterations?: number;
  /** Calls of `fn` per round (warm-up and measured). Default 20. */
  repeat?: number;
  /**
   * Class names to leave out of the thresholds' `diff`: a string is a substring match, a `RegExp`
   * or a `'/re/flags'` string a regular expression.
   */
  ignore?: string | RegExp | Array<string | RegExp>;
  /**
   * Include internal/system classes (`(compiled code)`, `(system)`, `system / Context`, …) in the
   * thresholds' `diff`, left out by default.
   */
  includeInternal?: boolean;
  /**
   * Also fail when the heap's total size grew by more than this many bytes from the baseline to
   * the last snapshot (the `diff` verdict). Off by default: the total is noisier than the findings.
   */
  maxGrowthBytes?: number;
  /** Also fail when more than this many objects were allocated and kept from the baseline to the last snapshot (`diff` verdict). */
  maxNewObjects?: number;
  /** Per-class limits on the baseline → last growth (`diff` verdict). */
  classLimits?: { [className: string]: { maxCount?: number; maxSize?: number } };
  /** How many leaking findings the message details. Default 3. */
  top?: number;
  /**
   * What happens to the snapshots (`KeepSnapshots`). Default `'on-failure'`: a failure keeps
   * them and its `HeapLeakError` says where (message, `directory`, `snapshots`); removing them is
   * then up to you. The environment variable `HEAPWISE_KEEP_SNAPSHOTS=1` keeps them always,
   * whatever this option says.
   */
  keepSnapshots?: KeepSnapshots;
  /** Parent of the snapshots' folder (`heapwise-leak-XXXXXX`). Default `os.tmpdir()`. */
  dir?: string;
}

/**
 * Rejected by `expectNoLeak` when the heap kept growing. The message details the top leaking
 * findings (the holder by name, its growth per call, what accumulates, the lines of code that fill
 * it, `file:line:column`, 1-based), the thresholds' reasons, and where the snapshots are kept.
 */
export declare class HeapLeakError extends Error {
  name: 'HeapLeakError';
  /** Every finding of the series, ranked (the leaks first). */
  findings: Finding[];
  /** The findings that leak (the reason the test failed). */
  leaks: Finding[];
  /**
   * Paths of the snapshots: the baseline, then one per measured round. Empty when
   * `keepSnapshots: false` removed them.
   */
  snapshots: string[];
  /** The folder that holds them (yours to remove), or `null` when they were removed. */
  directory: string | null;
  /**
   * The HeapDiff of the baseline against the last snapshot when thresholds were given, else
   * `null` (not named `diff`, which test runners read as an assertion diff).
   */
  heapDiff: HeapDiff | null;
  /** The verdict's reasons when `maxGrowthBytes`, `maxNewObjects` or `classLimits` was exceeded. */
  reasons: Reason[];
}

/** What `expectNoLeak` resolves with when no leak was found. */
export interface NoLeakReport {
  ok: true;
  /** Every finding of the series (none leaks). */
  findings: Finding[];
  /** The snapshots' paths when `keepSnapshots: true` kept them, otherwise `[]` (they were removed). */
  snapshots: string[];
  /** Their folder when `keepSnapshots: true` kept them, otherwise `null`. */
  directory: string | null;
  /** The HeapDiff of the baseline against the last snapshot when thresholds were given, else `null`. */
  heapDiff: HeapDiff | null;
  /** Which garbage collector was used: `global.gc` or the run-time `--expose-gc` fallback. */
  gc: string | null;
}

/**
 * Calls `fn` (sync or async; awaited) through `warmup` rounds, writes a baseline heap snapshot,
 * then `iterations` rounds of `repeat` calls with a snapshot after each (garbage collected before
 * every snapshot), reads them as one `Series` (`callsPerStep = repeat`) and rejects with a
 * `HeapLeakError` when a finding leaks (its holder grew in every round: the rule of `diff` and
 * `watch`) or a threshold is exceeded. Resolves with a report otherwise. The snapshots of a
 * failure are kept and the error says where (`keepSnapshots`); those of a pass are removed.
 *
 * Garbage collection uses `global.gc` when Node runs with `--expose-gc`, else turns that V8 flag
 * on at run time (`v8.setFlagsFromString('--expose-gc')` + `vm.runInNewContext('gc')`);
 * `v8.writeHeapSnapshot` also collects garbage itself. Run leak tests serially (no concurrent
 * tests in the same process) and give them a generous timeout (≈ 10–30 s).
 *
 * @example
 * const { expectNoLeak } = require('heapwise/testing');
 * await expectNoLeak(() => handler(request), { iterations: 5, repeat: 20 });
 */
export declare function expectNoLeak(fn: () => unknown, options?: ExpectNoLeakOptions): Promise<NoLeakReport>;

/**
 * Lets pending callbacks run, then collects garbage twice, with `global.gc` or the run-time
 * fallback. Useful before your own `v8.writeHeapSnapshot()`.
 */
export declare function collectGarbage(): Promise<void>;

/** The default options. */
export declare const DEFAULTS: Readonly<{
  warmup: number;
  iterations: number;
  repeat: number;
  top: number;
  keepSnapshots: KeepSnapshots;
}>;
