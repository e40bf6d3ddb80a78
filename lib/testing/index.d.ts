// Types of `heapwise/testing`: leak tests for node:test, Jest, Mocha and Vitest.
import type { HeapDiff, HeapNode, PathStep, SourceLocation } from '../../index';

/** Options of `expectNoLeak`. Every field is optional. */
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
   * A class is reported only if its object count grew in at least this many measured rounds.
   * Default: `iterations - 1` (all but one; at least 1).
   */
  minGrowingRounds?: number;
  /**
   * ...and only if it grew, from the baseline to the last snapshot, by at least this many objects
   * per measured call (`iterations × repeat` calls; at least one object in all). Default 0.5.
   */
  minObjectsPerCall?: number;
  /**
   * Class names to leave out (passed to `diff`): a string is a substring match, a `RegExp` or a
   * `'/re/flags'` string a regular expression.
   */
  ignore?: string | RegExp | Array<string | RegExp>;
  /**
   * Include internal/system classes (`(compiled code)`, `(system)`, `system / Context`, …),
   * left out by default (passed to `diff`).
   */
  includeInternal?: boolean;
  /** Leave out of `diff`'s lists the groups that retain less than this many bytes. */
  minRetainedSize?: number;
  /**
   * Fail when the heap's total size grew by more than this many bytes from the baseline to the
   * last snapshot (the `diff` verdict). Off by default: the total is noisier than class counts.
   */
  maxGrowthBytes?: number;
  /** Fail when more than this many objects were allocated and kept from the baseline to the last snapshot (`diff` verdict). */
  maxNewObjects?: number;
  /** Per-class limits on the baseline → last growth (`diff` verdict). */
  classLimits?: { [className: string]: { maxCount?: number; maxSize?: number } };
  /** How many growing classes to detail with a retainer path and a location. Default 3. */
  top?: number;
  /**
   * Keep the snapshots even when no leak is found. The snapshots of a failing run are always
   * kept, and their paths are in the error message. Default false.
   */
  keepSnapshots?: boolean;
  /** Parent of the temporary snapshot folder (`heapwise-leak-XXXXXX`). Default `os.tmpdir()`. */
  dir?: string;
}

/** One class that kept growing. */
export interface LeakingClass {
  /** Class name, as in the Summary (`LeakyRecord`, `(string)`, `Array`, `{a, b}`, …). */
  name: string;
  /** DevTools' class key (`,Name` or `scriptId,line,column,Name`). */
  key: string;
  /** Objects added in each measured round (Comparison view's `deltaCount`, consecutive snapshots). */
  counts: number[];
  /** Shallow bytes added in each measured round (Comparison view's `sizeDelta`). */
  sizes: number[];
  /** Rounds in which the count grew. */
  growingRounds: number;
  /** Objects added from the baseline to the last snapshot. */
  totalCount: number;
  /** Shallow bytes added from the baseline to the last snapshot. */
  totalSize: number;
  /** `totalCount` divided by the number of measured calls. */
  perCall: number;
  /** Objects of this class allocated after the baseline and alive in the last snapshot (`diff`'s `allocated`). */
  allocatedCount: number | null;
  /** Bytes those objects retain. */
  retainedSize: number | null;
  /**
   * For the top classes (`top`): one of those objects, what holds it (retainer path, root first)
   * and where it was created (0-based line and column).
   */
  example: { node: HeapNode; retainerPath: PathStep[]; location: SourceLocation | null } | null;
}

/**
 * Rejected by `expectNoLeak` when the heap kept growing. The message names the growing classes
 * with their counts and sizes per round, a retainer path (edge names joined with ' → ') and the
 * source location (`file:line:column`, 1-based) of the top grower, and the kept snapshots' paths.
 */
export declare class HeapLeakError extends Error {
  name: 'HeapLeakError';
  /** The growing classes, holders before what they hold, largest retained size first. */
  leaks: LeakingClass[];
  /** Paths of the kept snapshots: the baseline, then one per measured round. */
  snapshots: string[];
  /** The folder that holds them. */
  directory: string | null;
  /** The HeapDiff of the baseline against the last snapshot. */
  diff: HeapDiff | null;
  /** One HeapDiff per measured round (each snapshot against the one before). */
  rounds: HeapDiff[];
  /** The `diff` verdict's reasons when `maxGrowthBytes`, `maxNewObjects` or `classLimits` was exceeded. */
  reasons: string[];
}

/** What `expectNoLeak` resolves with when no leak was found. */
export interface NoLeakReport {
  ok: true;
  /** The snapshots' paths when `keepSnapshots` is set, otherwise `[]` (they were deleted). */
  snapshots: string[];
  /** Their folder when `keepSnapshots` is set, otherwise `null`. */
  directory: string | null;
  /** The HeapDiff of the baseline against the last snapshot. */
  diff: HeapDiff;
  /** One HeapDiff per measured round. */
  rounds: HeapDiff[];
  /** Which garbage collector was used: `global.gc` or the run-time `--expose-gc` fallback. */
  gc: string | null;
}

/**
 * Calls `fn` (sync or async; awaited) through `warmup` rounds, writes a baseline heap snapshot,
 * then `iterations` rounds of `repeat` calls with a snapshot after each (garbage collected before
 * every snapshot), diffs consecutive snapshots and the baseline against the last, and rejects
 * with a `HeapLeakError` when a class's object count grew in at least `minGrowingRounds` rounds
 * and by at least `minObjectsPerCall` objects per call. Resolves with a report otherwise.
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
  minObjectsPerCall: number;
  top: number;
  keepSnapshots: boolean;
}>;
