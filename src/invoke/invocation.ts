/**
 * @module The invocation pipeline's vocabulary: one invocation's context, the Outcome it ends in, and
 * the stages a caller (the sync route, later a queue worker or a durable resume) composes.
 */
import type { InvocationTarget, QualifiedFunction } from '../control/index.ts';
import type { GuestError } from '../pool/index.ts';
import { stratusError } from '../shared/errors.ts';
import type { Partition } from '../shared/identity.ts';

/** One invocation, as callers create it and as stages fill it in. */
export interface InvocationContext {
  /** The request id: the invocation's id everywhere (logs, context.awsRequestId, records). */
  readonly id: string;
  readonly ref: QualifiedFunction;
  readonly tenantId?: string;
  /** The payload as received; the payload stage checks it is JSON. */
  readonly rawPayload: Uint8Array;
  /** Largest payload this kind of invocation accepts, in bytes (sync: 6 MB). */
  readonly maxPayloadBytes: number;
  /** Decoded X-Amz-Client-Context JSON text. */
  readonly clientContext?: string;
  /** 1 for the first attempt; a retry of the same invocation counts up. */
  readonly attempt: number;
  /**
   * Keeps the admission slot past the pipeline: the sync route holds it until its response is
   * written. Absent: the slot is given back when the pipeline returns.
   */
  readonly holdAdmission?: (release: () => void) => void;
  /** Set by the resolve stage. */
  target?: InvocationTarget;
  /** Set by the resolve stage: whose environment runs it. */
  partition?: Partition;
  /** Set by the payload stage: the event as JSON text. */
  payload?: string;
}

export interface Timings {
  /** Guest time of the invocation, as Lambda's REPORT Duration. */
  durationMs: number;
  /** Time spent creating the environment (0 when warm). */
  initDurationMs: number;
  cold: boolean;
  /** Heap the environment held after the invocation. */
  memoryUsedBytes: number;
}

interface Ended {
  /** The version that ran. */
  version: string;
  /** The invocation's log lines, in Lambda's format, without the START/END/REPORT frame. */
  logs: string;
  timings: Timings;
}

/**
 * How one attempt ended. A function's own failure (an error it threw, a timeout, its memory limit)
 * is `failed` with `cause: 'function'`: never retried for a sync caller, retried by the async queue
 * as Lambda does. Platform refusals (not found, throttled, node busy) are thrown StratusErrors,
 * whose `retryable` tells a queue what to do.
 */
export type Outcome =
  | ({ kind: 'succeeded'; result: string } & Ended)
  | ({ kind: 'failed'; cause: 'function'; error: GuestError } & Ended)
  | ({ kind: 'suspended'; resumeAt?: number } & Ended);

/** One step of the pipeline: does its part, then hands on with `next()` (or ends the invocation). */
export type Stage = (ctx: InvocationContext, next: () => Promise<Outcome | undefined>) => Promise<Outcome | undefined>;

/**
 * Stages run in the given order, each calling the next; past the last one nothing runs and the
 * result is `undefined` (a DryRun stops before the run stage).
 */
export function compose(stages: readonly Stage[]): (ctx: InvocationContext) => Promise<Outcome | undefined> {
  return (ctx) => {
    const dispatch = (i: number): Promise<Outcome | undefined> => {
      const stage = stages[i];
      if (stage === undefined) return Promise.resolve(undefined);
      let called = false;
      try {
        return stage(ctx, () => {
          if (called) return Promise.reject(new Error(`pipeline stage ${i} called next() twice`));
          called = true;
          return dispatch(i + 1);
        });
      } catch (err) {
        // A stage that throws before its first await still ends the pipeline with a rejection.
        return Promise.reject(err);
      }
    };
    return dispatch(0);
  };
}

/** What a stage needs that an earlier stage should have set. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw stratusError('INTERNAL.stageMissing', { what });
  return value;
}
