/** @module Deploy-time check: builds the package, then loads it once in a throwaway environment to prove the handler exists. */
import type { BuildContext, BuiltCode, PackageBuilder } from '../control/index.ts';
import type { Engine } from '../pool/index.ts';
import { stratusError } from '../shared/errors.ts';

/** Init failures that mean the package can never run, whatever the event: the deploy is refused. */
const FATAL_AT_DEPLOY = new Set(['Runtime.HandlerNotFound', 'Runtime.ImportModuleError', 'Runtime.UserCodeSyntaxError']);

export function createCheckedBuilder(deps: {
  build: (zip: Uint8Array, handler: string, ctx: BuildContext) => Promise<BuiltCode>;
  engines: ReadonlyMap<string, Engine>;
  checkTimeoutMs: number;
}): PackageBuilder {
  return {
    async build(zip, handler, runtime, ctx) {
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
      // Other init errors (a throw that depends on configuration, a slow init) are left to invocations, as in Lambda.
      if (FATAL_AT_DEPLOY.has(result.error.errorType)) {
        const code = result.error.errorType === 'Runtime.HandlerNotFound' ? 'CODE_HANDLER_NOT_FOUND' : 'CODE_BUILD_FAILED';
        throw stratusError(code, `${result.error.errorType}: ${result.error.errorMessage}`);
      }
      return built;
    },
  };
}
