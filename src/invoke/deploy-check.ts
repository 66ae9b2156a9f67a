/** @module Deploy-time check: builds the package, then loads it once in a one-shot environment from the pool to prove the handler exists. */
import { splitBundle } from '../artifacts/index.ts';
import type { BuildContext, BuiltCode, PackageBuilder } from '../control/index.ts';
import type { Pool } from '../pool/index.ts';
import { stratusError } from '../shared/errors.ts';
import type { IdSource } from '../shared/ids.ts';
import { functionId, partitionOf } from '../shared/identity.ts';
import type { Quarantine } from './quarantine.ts';

/** Init failures that mean the package can never run, whatever the event: the deploy is refused. */
const FATAL_AT_DEPLOY = new Set(['Runtime.HandlerNotFound', 'Runtime.ImportModuleError', 'Runtime.UserCodeSyntaxError']);
/** Not a valid function name (names have no ':'), so a check's partition never meets a function's. */
const CHECK_NAME = 'deploy-check:';

export function createCheckedBuilder(deps: {
  build: (zip: Uint8Array, handler: string, ctx: BuildContext) => Promise<BuiltCode>;
  /** The check's environment comes from the pool like any other: it counts against capacity and takes its turn in the scheduler. */
  pool: Pool;
  /** Runtimes the node can run; others are not checked (their deploy is refused elsewhere). */
  runtimes: ReadonlySet<string>;
  checkTimeoutMs: number;
  ids: IdSource;
  /** The node's region, told to the check's environment (AWS_REGION). */
  region: string;
  quarantine?: Quarantine;
}): PackageBuilder {
  return {
    async build(zip, handler, runtime, ctx) {
      deps.quarantine?.check(ctx.accountId);
      const built = await deps.build(zip, handler, ctx);
      if (!deps.runtimes.has(runtime)) return built;
      // Its own partition: a check's environment is never handed to anyone else, and is disposed after.
      const partition = partitionOf(functionId(ctx.accountId, CHECK_NAME), '$LATEST', deps.ids.token(12));
      const acquired = await deps.pool.acquire(partition, () => ({
        runtime,
        code: splitBundle(built.bundle).code,
        handlerExport: built.handlerExport,
        handler,
        region: deps.region,
        env: {},
        memoryMb: 128,
        initTimeoutMs: deps.checkTimeoutMs,
        partition,
        isolation: 'environment',
      }));
      if (acquired.ok) {
        acquired.lease.retire();
        return built;
      }
      if (acquired.lost) {
        // Its top-level code stopped the engine where it cannot be stopped: counted against the account, and refused.
        deps.quarantine?.lost(ctx.accountId);
        throw stratusError('CODE_BUILD_FAILED.spinAtInit');
      }
      // Other init errors (a throw that depends on configuration, a slow init) are left to invocations, as in Lambda.
      if (FATAL_AT_DEPLOY.has(acquired.error.errorType)) {
        const code = acquired.error.errorType === 'Runtime.HandlerNotFound' ? 'CODE_HANDLER_NOT_FOUND.atInit' : 'CODE_BUILD_FAILED.atInit';
        throw stratusError(code, { errorType: acquired.error.errorType, errorMessage: acquired.error.errorMessage });
      }
      return built;
    },
  };
}
