/** @module The limits one invocation's subrequests run under, and their defaults. */

export interface EgressLimits {
  /** Hops an invocation may make in all (each redirect followed counts as one). */
  maxSubrequests: number;
  /** Subrequests open at once; more wait for a turn. */
  maxConcurrent: number;
  /** Redirects one fetch follows. */
  maxRedirects: number;
  maxRequestBodyBytes: number;
  /** Bytes of one response body (decoded); past them the response is cut off and refused. */
  maxResponseBytes: number;
  /** When the invocation's time runs out, in ms on the fetcher's clock: nothing is waited for past it. */
  deadline: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_MAX_SUBREQUESTS = 50;

/**
 * The default limits of an invocation of a function with this MemorySize, ending at `deadline`. A
 * response lands whole in the guest's heap (and for a moment in the host's), so its cap grows with
 * the memory the function has: MemorySize/16, at least 6 MiB (Lambda's payload size) and at most
 * 64 MiB: 8 MiB for a 128 MB function, 64 MiB from 1024 MB up.
 */
export function egressLimits(opts: { memoryMb: number; deadline: number }): EgressLimits {
  return {
    maxSubrequests: DEFAULT_MAX_SUBREQUESTS,
    maxConcurrent: 6,
    maxRedirects: 10,
    maxRequestBodyBytes: 6 * MIB,
    maxResponseBytes: Math.min(64 * MIB, Math.max(6 * MIB, Math.floor((opts.memoryMb * MIB) / 16))),
    deadline: opts.deadline,
  };
}
