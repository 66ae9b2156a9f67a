/**
 * @module V8's code cache for the guest runtime: the first environment compiles the runtime and
 * keeps the cache, later ones start from it. The cache is produced here, from the host's own
 * runtime source, and never accepted from anywhere else: cached data from an untrusted source is
 * what CVE-2022-39266 abused, so user bundles are always compiled from their text.
 */
import type { IsolatedVM } from './ivm.ts';

export interface RuntimeCompiler {
  compile(isolate: IsolatedVM.Isolate): Promise<IsolatedVM.Script>;
}

/** isolated-vm sets these on the compiled script; its typings leave them out. */
type CompiledWithCache = IsolatedVM.Script & IsolatedVM.CachedDataResult & { cachedDataRejected?: boolean };

export function createRuntimeCompiler(source: string): RuntimeCompiler {
  let cache: IsolatedVM.ExternalCopy<ArrayBuffer> | undefined;
  const options = { filename: 'stratus:runtime' };
  return {
    async compile(isolate) {
      if (cache === undefined) {
        const script = (await isolate.compileScript(source, { ...options, produceCachedData: true })) as CompiledWithCache;
        cache = script.cachedData;
        return script;
      }
      const script = (await isolate.compileScript(source, { ...options, cachedData: cache })) as CompiledWithCache;
      // V8 refuses a cache from another V8 build or flags; compiling from text still worked, so start over.
      if (script.cachedDataRejected === true) cache = undefined;
      return script;
    },
  };
}
