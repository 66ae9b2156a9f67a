/** @module Deploy-time check: builds the package, then loads it once in a throwaway environment to prove the handler exists. */
import type { BuildContext, BuiltCode, PackageBuilder } from '../control/index.ts';
import type { Engine } from '../pool/index.ts';
import { stratusError } from '../shared/errors.ts';
import type { Quarantine } from './quarantine.ts';

/** Init failures that mean the package can never run, whatever the event: the deploy is refused. */
const FATAL_AT_DEPLOY = new Set(['Runtime.HandlerNotFound', 'Runtime.ImportModuleError', 'Runtime.UserCodeSyntaxError']);

export function createCheckedBuilder(deps: {
  build: (zip: Uint8Array, handler: string, ctx: BuildContext) => Promise<BuiltCode>;
  engines: ReadonlyMap<string, Engine>;
  checkTimeoutMs: number;
  quarantine?: Quarantine;
}): PackageBuilder {
  return {
    async build(zip, handler, runtime, ctx) {
      deps.quarantine?.check(ctx.accountId);
      const built = await deps.build(zip, handler, ctx);
      const engine = deps.engines.get(runtime);
      if (!engine) return built;
      const result = await engine.create({
        runtime,
        code: built.bundle,
        handlerExport: built.handlerExport,
        env: {},
        memoryMb: 128,
        initTimeoutMs: deps.checkTimeoutMs,
        functionName: 'deploy-check',
        functionVersion: '$LATEST',
      });
      if (result.ok) {
        await result.env.dispose();
        return built;
      }
      if (result.lost) {
        // Its top-level code stopped the engine where it cannot be stopped: counted against the account, and refused.
        deps.quarantine?.lost(ctx.accountId);
        throw stratusError('CODE_BUILD_FAILED.spinAtInit');
      }
      // Other init errors (a throw that depends on configuration, a slow init) are left to invocations, as in Lambda.
      if (FATAL_AT_DEPLOY.has(result.error.errorType)) {
        const code = result.error.errorType === 'Runtime.HandlerNotFound' ? 'CODE_HANDLER_NOT_FOUND.atInit' : 'CODE_BUILD_FAILED.atInit';
        throw stratusError(code, { errorType: result.error.errorType, errorMessage: result.error.errorMessage });
      }
      return built;
    },
  };
}
