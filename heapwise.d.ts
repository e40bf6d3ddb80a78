// Public types of heapwise: the generated native types (index.d.ts) plus HeapwiseError.
export * from './index'
import type { AnalyzeOptions, DiffOptions, HeapAnalysis, HeapDiff } from './index'

/** Every heapwise function rejects (or throws) with this error. */
export declare class HeapwiseError extends Error {
  /**
   * Stable error code: `ERR_HEAPWISE_IO` (unreadable path), `ERR_HEAPWISE_EMPTY`,
   * `ERR_HEAPWISE_TRUNCATED`, `ERR_HEAPWISE_NOT_JSON`, `ERR_HEAPWISE_NOT_A_SNAPSHOT`,
   * `ERR_HEAPWISE_UNSUPPORTED_VERSION`, `ERR_HEAPWISE_INVALID_DATA`, `ERR_HEAPWISE_ABORTED`,
   * `ERR_HEAPWISE_INVALID_ARGUMENT`, `ERR_HEAPWISE_OUT_OF_MEMORY` (over `maxMemory`),
   * `ERR_HEAPWISE_INTERNAL`.
   */
  code: string
  /** Byte offset in the file where reading failed, or `null`. */
  byteOffset: number | null
}

/** `maxMemory` as a number of bytes or a size string: `'512MB'`, `'2GB'`, `'1.5GiB'`. */
export type MaxMemory = number | string

/**
 * Reads and analyses a snapshot off the JS thread (accepts a path or a `file:` URL). Calls beyond
 * the concurrency limit (see `setConcurrency`) wait their turn; `onProgress` then first reports
 * the phase `queued`.
 */
export declare function analyze(path: string | URL, options?: (Omit<AnalyzeOptions, 'maxMemory'> & { maxMemory?: MaxMemory }) | null): Promise<HeapAnalysis>
/** Like `analyze`, blocking the calling thread. */
export declare function analyzeSync(path: string | URL): HeapAnalysis
/** Compares two snapshots off the JS thread (paths or `file:` URLs; `final` likewise). */
export declare function diff(before: string | URL, after: string | URL, options?: (Omit<DiffOptions, 'final' | 'maxMemory'> & { final?: string | URL, maxMemory?: MaxMemory }) | null): Promise<HeapDiff>
/** Like `diff`, blocking the calling thread. */
export declare function diffSync(before: string | URL, after: string | URL, options?: (Omit<DiffOptions, 'final' | 'onProgress' | 'signal' | 'maxMemory'> & { final?: string | URL }) | null): HeapDiff
/**
 * Sets how many `analyze()` / `diff()` calls may run at once (default 1, or the
 * `HEAPWISE_CONCURRENCY` environment variable): later calls wait in order, without a thread.
 */
export declare function setConcurrency(limit: number): void
