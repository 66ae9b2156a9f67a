/**
 * @module The engine-independent guest driver: runs one invocation through the guest protocol
 * (`run`, then `pump` until done) under one watchdog per invocation, a time budget that counts only
 * while the guest may run, and a bounded rate of steps. Engines supply the calls (GuestPort).
 *
 * Why one watchdog and no per-call timeouts: isolated-vm keeps every call's timeout timer until it
 * is due, and its timer thread recurses once per timer that comes due at the same moment; a guest
 * that makes thousands of short calls towards one deadline (a setImmediate loop) segfaulted the
 * node. Here a call carries no timeout; one host timer per invocation stops the guest instead.
 */
import type { FlowPath } from '../shared/identity.ts';
import type { InvokeRequest, StepScheduler } from './engine.ts';
import { GuestProtocolError, guestInvokeMeta, parseGuestReport, type GuestReport } from './guest/protocol.ts';
import type { LogLimit } from './log-limit.ts';

/** What an engine offers the driver: the protocol's calls into one environment, and a way to stop it. */
export interface GuestPort {
  run(payload: string, meta: string): Promise<unknown>;
  pump(deadline: number): Promise<unknown>;
  /** Stops whatever the guest is running, now; the environment is lost. */
  kill(): void;
  /**
   * Why a call failed that the driver did not stop itself: the memory limit, a promise the guest
   * rejected and never handled (the engine reports it in place of the call's answer), or a crash.
   */
  classify(err: unknown): 'memory' | 'rejection' | 'crash';
}

export type DoneReport = Extract<GuestReport, { state: 'done' }>;

export type Drive =
  | { ok: true; report: DoneReport }
  /**
   * `idle`: no call was running when it ended (the environment can still be asked for its logs).
   * `lost`: the call went on after the environment was killed and was given up (see StepLost).
   */
  | { ok: false; reason: 'timeout' | 'memory' | 'rejection' | 'crash'; idle: boolean; lost?: boolean; error?: unknown };

export interface DriveOptions {
  /** Largest report text accepted from the guest, in UTF-16 units; past it the guest is broken. */
  maxReportChars: number;
  /** Gives each step its turn, by the environment's flow. */
  scheduler: StepScheduler;
  flow: FlowPath;
  now?: () => number;
  /** Heap bytes the environment measured after its previous invocation, told to the guest for process.memoryUsage(). */
  memoryUsed?: number;
}

/** Steps one invocation may take in a burst, and per second after it. */
const STEP_BURST = 64;
const STEPS_PER_SECOND = 250;

/** A budget of guest time: starts at the first step, and does not run while a step waits for its turn. */
export class StepBudget {
  private startedAt = -1;
  private credit = 0;
  private waitingSince = -1;

  constructor(
    private readonly limitMs: number,
    private readonly now: () => number,
  ) {}

  /** Epoch ms by which the guest must be done (Infinity before its first step). */
  deadline(): number {
    if (this.startedAt < 0) return Infinity;
    const waiting = this.waitingSince >= 0 ? this.now() - this.waitingSince : 0;
    return this.startedAt + this.limitMs + this.credit + waiting;
  }

  remaining(): number {
    return this.deadline() - this.now();
  }

  /** A step asks for its turn: time from now until `go` is not charged. */
  wait(): void {
    if (this.startedAt >= 0) this.waitingSince = this.now();
  }

  /** A step got its turn (the first one starts the budget). */
  go(): void {
    const now = this.now();
    if (this.startedAt < 0) this.startedAt = now;
    if (this.waitingSince >= 0) this.credit += now - this.waitingSince;
    this.waitingSince = -1;
  }
}

/** A step that went on after its environment was killed. */
export class StepLost extends Error {
  override readonly name = 'StepLost';
}

/** How long a killed step may take to end before it is given up. */
const ABANDON_AFTER_KILL_MS = 1_000;

/** The budget ran out before a step could start. */
class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
}

/**
 * One invocation's steps: each waits for its flow's turn in the scheduler, runs with the watchdog armed, and
 * the watchdog kills the environment if the budget runs out while a step runs.
 */
export class GuestSteps {
  readonly budget: StepBudget;
  private running = false;
  private killed = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private tokens = STEP_BURST;
  private refilledAt: number;
  /** Rejects when a killed step still has not ended after a grace period (see `arm`). */
  private readonly abandoned: Promise<never>;
  private abandon!: (err: Error) => void;

  constructor(
    private readonly port: Pick<GuestPort, 'kill'>,
    limitMs: number,
    private readonly scheduler: StepScheduler,
    private readonly flow: FlowPath,
    private readonly now: () => number,
  ) {
    this.budget = new StepBudget(limitMs, now);
    this.refilledAt = now();
    this.abandoned = new Promise<never>((_, reject) => (this.abandon = reject));
    this.abandoned.catch(() => {});
  }

  /** Runs one call into the guest when its turn comes; rejects with DeadlinePassed if the budget is gone by then. */
  step<T>(call: () => Promise<T>): Promise<T> {
    this.budget.wait();
    const exec = async () => {
      this.budget.go();
      if (this.budget.remaining() <= 0) throw new DeadlinePassed('the budget ran out before the step could start');
      this.running = true;
      this.arm();
      try {
        return await Promise.race([call(), this.abandoned]);
      } finally {
        this.running = false;
      }
    };
    return this.scheduler.run(this.flow, exec);
  }

  /** ms to wait before the next step so that steps stay within their rate. */
  rateDelay(): number {
    const now = this.now();
    this.tokens = Math.min(STEP_BURST, this.tokens + ((now - this.refilledAt) * STEPS_PER_SECOND) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    const delay = ((1 - this.tokens) * 1000) / STEPS_PER_SECOND;
    this.tokens -= 1;
    return delay;
  }

  /** How a failed step ended, in the port's words. */
  failure(err: unknown, classify: GuestPort['classify']): Extract<Drive, { ok: false }> {
    if (err instanceof DeadlinePassed) return { ok: false, reason: 'timeout', idle: true };
    if (err instanceof StepLost) return { ok: false, reason: 'timeout', idle: false, lost: true, error: err };
    if (this.killed) return { ok: false, reason: 'timeout', idle: false };
    if (err instanceof GuestProtocolError) return { ok: false, reason: 'crash', idle: false, error: err };
    return { ok: false, reason: classify(err), idle: false, error: err };
  }

  dispose(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /** The one timer of the invocation: re-armed while the budget lasts, it kills a step that outlives it. */
  private arm(): void {
    if (this.watchdog !== undefined) return;
    const check = () => {
      this.watchdog = undefined;
      const left = this.budget.remaining();
      if (left > 0) {
        this.watchdog = setTimeout(check, left);
      } else if (this.running) {
        this.killed = true;
        this.port.kill();
        // isolated-vm cannot stop everything it runs for a guest (a getter it calls while copying
        // an unhandled rejection's reason keeps spinning after the isolate is disposed): a step
        // that has not ended a moment after the kill is given up, so the invocation still ends and
        // gives its slots back. Its thread is lost until the process ends.
        this.watchdog = setTimeout(() => {
          if (!this.running) return;
          this.abandon(new StepLost('the engine did not stop the step within ' + ABANDON_AFTER_KILL_MS + ' ms of being killed'));
        }, ABANDON_AFTER_KILL_MS);
      }
      // Not running: the driver's loop sees the budget gone before its next step.
    };
    this.watchdog = setTimeout(check, Math.max(0, this.budget.remaining()));
  }
}

/** Runs one invocation to its end: a done report, or why the environment is lost. */
export async function driveInvocation(port: GuestPort, req: InvokeRequest, logs: LogLimit, opts: DriveOptions): Promise<Drive> {
  const now = opts.now ?? Date.now;
  const steps = new GuestSteps(port, req.timeoutMs, opts.scheduler, opts.flow, now);
  const read = (raw: unknown) => parseGuestReport(raw, opts.maxReportChars);
  try {
    // `run` answers through a promise once the handler settles, so promise-only handlers take one step.
    let report = read(await steps.step(() => port.run(req.payload, guestInvokeMeta(req, steps.budget.deadline(), opts.memoryUsed))));
    for (;;) {
      logs.append(report.logs);
      if (report.state === 'done') return { ok: true, report };
      // A timer due after the deadline is waited for only until the deadline.
      const wakeAt = Math.min(report.nextTimerAt, steps.budget.deadline());
      await pause(Math.max(wakeAt - now(), steps.rateDelay()));
      if (steps.budget.remaining() <= 0) return { ok: false, reason: 'timeout', idle: true };
      report = read(await steps.step(() => port.pump(steps.budget.deadline())));
    }
  } catch (err) {
    return steps.failure(err, port.classify);
  } finally {
    steps.dispose();
  }
}

/** Waits `ms`, or one turn of the event loop when nothing is to be waited for: a guest step never follows another in the same turn. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
