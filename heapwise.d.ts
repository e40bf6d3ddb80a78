// Public types of heapwise: the generated native types (index.d.ts) plus HeapwiseError.
export * from './index'
import type { AnalyzeOptions, DiffOptions, HeapAnalysis, HeapDiff } from './index'

/** Every heapwise function rejects (or throws) with this error. */
export declare class HeapwiseError extends Error {
  /**
   * Stable error code: `ERR_HEAPWISE_IO` (unreadable path), `ERR_HEAPWISE_EMPTY`,
   * `ERR_HEAPWISE_TRUNCATED`, `ERR_HEAPWISE_NOT_JSON`, `ERR_HEAPWISE_NOT_A_SNAPSHOT`,
   * `ERR_HEAPWISE_UNSUPPORTED_VERSION`, `ERR_HEAPWISE_INVALID_DATA`, `ERR_HEAPWISE_ABORTED`,
   * `ERR_HEAPWISE_INVALID_ARGUMENT`, `ERR_HEAPWISE_INTERNAL`.
   */
  code: string
  /** Byte offset in the file where reading failed, or `null`. */
  byteOffset: number | null
}

/** Reads and analyses a snapshot off the JS thread (accepts a path or a `file:` URL). */
export declare function analyze(path: string | URL, options?: AnalyzeOptions | null): Promise<HeapAnalysis>
/** Like `analyze`, blocking the calling thread. */
export declare function analyzeSync(path: string | URL): HeapAnalysis
/** Compares two snapshots off the JS thread (paths or `file:` URLs; `final` likewise). */
export declare function diff(before: string | URL, after: string | URL, options?: (Omit<DiffOptions, 'final'> & { final?: string | URL }) | null): Promise<HeapDiff>
/** Like `diff`, blocking the calling thread. */
export declare function diffSync(before: string | URL, after: string | URL, options?: (Omit<DiffOptions, 'final' | 'onProgress' | 'signal'> & { final?: string | URL }) | null): HeapDiff
