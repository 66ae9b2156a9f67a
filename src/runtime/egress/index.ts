/** @module Public face of the host-side fetcher: the per-invocation fetcher under an egress policy, its limits and its refusals. */
export {
  createEgressFetcher,
  type EgressFetcher,
  type EgressFetcherOptions,
  type EgressRequest,
  type EgressResponse,
  type EgressResult,
  type SubrequestRecord,
} from './fetcher.ts';
export { egressLimits, DEFAULT_MAX_SUBREQUESTS, type EgressLimits } from './limits.ts';
export { EGRESS_REFUSAL_CODES, type EgressRefusal, type EgressRefusalCode } from './refusals.ts';
export { guardedRange, type GuardedRange } from './address-guard.ts';
export type { LookupFunction } from './hop.ts';
