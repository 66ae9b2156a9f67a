/** @module Fire-and-forget disposal of environments: errors are logged, never thrown, and close() can await what is in flight. */
import type { Environment } from '../runtime/index.ts';

/** The slice of a pino logger the pool uses. */
export interface PoolLogger {
  warn(obj: object, msg: string): void;
}

export class Disposer {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: PoolLogger) {}

  /**
   * Starts disposing now (env.dispose() is called synchronously) and returns a promise that never
   * rejects: a failing dispose must not take the server down, and callers on the hot path do not wait.
   */
  dispose(env: Environment): Promise<void> {
    const done = this.settle(env).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    return done;
  }

  /** Resolves when every disposal started so far, and any started meanwhile, has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private async settle(env: Environment): Promise<void> {
    try {
      await env.dispose();
    } catch (err) {
      this.logger.warn({ err, environmentId: env.id }, 'failed to dispose an execution environment');
    }
  }
}
