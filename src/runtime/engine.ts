/** @module The Engine port: what every kind of execution environment offers the pool. */
import type { EgressPolicy } from '../shared/egress-policy.ts';
import type { FlowPath, Partition } from '../shared/identity.ts';

/** The error shape Lambda returns for a failed invocation (also used for init failures). */
export interface GuestError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Everything an engine needs to create one environment for one function version. */
export interface EnvironmentSpec {
  /** Engine name, the function's Runtime (`stratus-isolate`). */
  runtime: string;
  /** The bundled CommonJS source of the whole package (esbuild output). */
  code: string;
  /** Name of the export that is the handler (`handler` for `index.handler`). */
  handlerExport: string;
  /** The function's Handler setting as configured (`index.handler`), for `_HANDLER`. */
  handler: string;
  /** The node's region, for AWS_REGION and AWS_DEFAULT_REGION. */
  region: string;
  /** The function's configured environment variables, visible as `process.env`. */
  env: Record<string, string>;
  /** MemorySize in MB: the environment's heap limit. */
  memoryMb: number;
  /** Bound on the init phase (module top-level code), in ms. */
  initTimeoutMs: number;
  /** Whose environment this is, for its whole life; its guest steps are scheduled by `partition.flow`. */
  partition: Partition;
  /** What may be reused between invocations (issue-level modes come later; today: the environment's state). */
  isolation: IsolationMode;
  /** The hosts the function's outbound requests may reach, already parsed (absent: none); see runtime/egress/. */
  egress?: EgressPolicy;
}

/** `environment`: Lambda's semantics, state outside the handler persists between invocations of one environment. */
export type IsolationMode = 'environment';

/**
 * Runs one step of guest execution (one call into an environment) when the node's scheduler gives
 * its flow a turn; time spent waiting is not charged to the invocation's Timeout. Given to an engine
 * when it is built, so specs and requests carry data only.
 */
export interface StepScheduler {
  run<T>(flow: FlowPath, step: () => Promise<T>): Promise<T>;
}

/** Runs every step at once: engines built without a scheduler (tests, the bench's bare engine). */
export const immediateSteps: StepScheduler = { run: (_flow, step) => step() };

/** One invocation as the environment sees it. */
export interface InvokeRequest {
  /** The event, as JSON text (payloads cross the boundary as strings). */
  payload: string;
  requestId: string;
  invokedFunctionArn: string;
  /**
   * The function's Timeout in ms: guest time allowed, counted from the invocation's first step and
   * not while a step waits for its turn in the scheduler.
   */
  timeoutMs: number;
  /** The configured Timeout in seconds, for the timeout message. */
  timeoutSeconds: number;
  /** Decoded X-Amz-Client-Context JSON text, when the caller sent one. */
  clientContext?: string;
  /** Tenant id, for multi-tenant functions. */
  tenantId?: string;
}

/**
 * Why an environment must be thrown away after an invocation: it ran past its deadline, hit its
 * memory limit, broke in a way that leaves its state unknown, or the worker process hosting it
 * ended (`worker`: the result is not the function's, and the invocation may be retried).
 */
export type FatalReason = 'timeout' | 'memory' | 'crash' | 'worker';

export interface InvokeResult {
  /** `ok`: payload is the handler's result as JSON text (`null` for undefined). `error`: payload is a GuestError as JSON text. */
  outcome: 'ok' | 'error';
  payload: string;
  /** The invocation's log lines in Lambda's format (`<time>\t<requestId>\t<LEVEL>\t<message>\n`), bounded. */
  logs: string;
  /** Set when the environment is no longer usable; the pool discards it. */
  fatal?: FatalReason;
  /** The engine could not stop a step: its thread stays busy until the process ends (the node quarantines the function). */
  lost?: true;
  durationMs: number;
}

export interface Environment {
  readonly id: string;
  /** Runs one invocation. Never called concurrently on the same environment. Never rejects: failures are results. */
  invoke(req: InvokeRequest): Promise<InvokeResult>;
  /** What it holds: `reserved`, the bytes it may grow to (its limit); `used`, the last measurement (cheap to call). */
  memory(): EnvironmentMemory;
  /** Releases everything the environment holds. Idempotent. */
  dispose(): Promise<void>;
  /**
   * Optional capability: puts the environment back in the state it had right after init, keeping
   * its compiled code; false when it could not (the pool then disposes it). The pool discovers it.
   */
  reset?(): Promise<boolean>;
  /**
   * Optional capability: false once the environment is gone for a reason outside it (the worker
   * process hosting it ended); the pool then replaces it instead of handing it out.
   */
  alive?(): boolean;
}

export interface EnvironmentMemory {
  reserved: number;
  used: number;
}

export type CreateResult = { ok: true; env: Environment; initDurationMs: number } | { ok: false; error: GuestError; logs: string; lost?: true };

export interface Engine {
  /** The Runtime name this engine serves, e.g. `stratus-isolate`. */
  readonly runtime: string;
  /** Bytes an environment of this spec may hold, known before it is created (the pool's budget counts it). */
  reservation(spec: Pick<EnvironmentSpec, 'memoryMb'>): number;
  /**
   * Creates an environment and runs the init phase (module top-level code), then checks that the
   * handler export is a function. An init failure (throw, timeout, memory, missing handler) is a
   * result with a Lambda-shaped error (`Runtime.HandlerNotFound`, `Runtime.ImportModuleError`, ...).
   */
  create(spec: EnvironmentSpec): Promise<CreateResult>;
}
