/** @module Functions and their $LATEST: create, read, list, update code and configuration, delete. */
import type { CodeStore, FunctionStore, FunctionVersionRecord, Page, TenancyLimits } from '../store/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdSource } from '../shared/ids.ts';
import { stratusError } from '../shared/errors.ts';
import { LATEST, functionArn } from './arn.ts';
import { checkEnvironment } from './environment.ts';
import { checkTags } from './tags.ts';
import {
  DEFAULTS,
  type BuildContext,
  type ChangeListener,
  type CodePatch,
  type ConfigurationPatch,
  type CreateFunctionInput,
  type PackageBuilder,
  type TenancyLimitsState,
} from './types.ts';

export interface FunctionServiceDeps {
  functions: FunctionStore;
  code: CodeStore;
  builder: PackageBuilder;
  clock: Clock;
  ids: IdSource;
  region: string;
  /** Runtimes this node can run (the engines' names). */
  runtimes: readonly string[];
  onChange: ChangeListener;
  /** Deletes code no version references any more (never throws); run after every change that can release code. */
  collectCode(): Promise<void>;
}

/** Lambda's LastModified format: 2024-01-02T03:04:05.678+0000 */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function createFunctionService(deps: FunctionServiceDeps) {
  const { functions, code, builder, clock, ids, region } = deps;

  function checkRuntime(runtime: string): void {
    if (!deps.runtimes.includes(runtime)) {
      throw stratusError('RUNTIME_UNSUPPORTED.requested', { runtime, runtimes: deps.runtimes.join(', '), defaultRuntime: DEFAULTS.runtime });
    }
  }

  function notFound(accountId: string, name: string, qualifier?: string) {
    return stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name, qualifier === LATEST ? undefined : qualifier) });
  }

  async function getLatest(accountId: string, name: string): Promise<FunctionVersionRecord> {
    const rec = await functions.getVersion({ accountId, functionName: name, version: LATEST });
    if (!rec) throw notFound(accountId, name);
    return rec;
  }

  function checkRevision(rec: FunctionVersionRecord, expected: string | undefined): void {
    if (expected !== undefined && expected !== rec.revisionId) {
      throw stratusError('FUNCTION_REVISION_MISMATCH.stale');
    }
  }

  async function buildAndStore(zip: Uint8Array, handler: string, runtime: string, ctx: BuildContext) {
    const built = await builder.build(zip, handler, runtime, ctx);
    await code.putZip(built.codeSha256, zip);
    await code.putBundle(built.bundleSha256, built.bundle);
    return built;
  }

  /** Writes $LATEST conditionally; a lost race is the same 412 a stale RevisionId gets. */
  async function writeLatest(next: FunctionVersionRecord, expected: string): Promise<FunctionVersionRecord> {
    if (!(await functions.updateLatest({ next, expectedRevisionId: expected }))) {
      throw stratusError('FUNCTION_REVISION_MISMATCH.functionRace');
    }
    deps.onChange(next.accountId, next.functionName);
    return next;
  }

  const service = {
    async create(accountId: string, input: CreateFunctionInput): Promise<FunctionVersionRecord> {
      const runtime = input.runtime ?? DEFAULTS.runtime;
      checkRuntime(runtime);
      if (input.environment) checkEnvironment(input.environment);
      if (input.tags) checkTags(input.tags);
      if (await functions.getVersion({ accountId, functionName: input.name, version: LATEST })) {
        throw stratusError('FUNCTION_EXISTS', { name: input.name });
      }
      const handler = input.handler ?? DEFAULTS.handler;
      const built = await buildAndStore(input.zip, handler, runtime, { accountId, signal: input.signal });
      const now = clock.now();
      const rec: FunctionVersionRecord = {
        accountId,
        functionName: input.name,
        version: LATEST,
        runtime,
        handler,
        role: input.role ?? '',
        description: input.description ?? '',
        memoryMb: input.memoryMb ?? DEFAULTS.memoryMb,
        timeoutSec: input.timeoutSec ?? DEFAULTS.timeoutSec,
        environment: input.environment ?? {},
        codeSha256: built.codeSha256,
        codeSize: built.codeSize,
        bundleSha256: built.bundleSha256,
        handlerExport: built.handlerExport,
        ...(input.tenantIsolationMode ? { tenantIsolationMode: input.tenantIsolationMode } : {}),
        ...(input.tags && Object.keys(input.tags).length > 0 ? { tags: input.tags } : {}),
        revisionId: ids.uuid(),
        lastModified: lambdaTimestamp(now),
      };
      if (!(await functions.createFunction(rec))) throw stratusError('FUNCTION_EXISTS', { name: input.name });
      return input.publish ? service.publish(accountId, input.name, {}) : rec;
    },

    get: (accountId: string, name: string, version: string = LATEST) =>
      functions.getVersion({ accountId, functionName: name, version }).then((rec) => rec ?? Promise.reject(notFound(accountId, name, version))),

    list(accountId: string, marker: string | undefined, limit: number): Promise<Page<FunctionVersionRecord>> {
      return functions.listLatest({ accountId, marker, limit });
    },

    async updateCode(accountId: string, name: string, patch: CodePatch): Promise<FunctionVersionRecord> {
      const cur = await getLatest(accountId, name);
      checkRevision(cur, patch.revisionId);
      const ctx = { accountId, signal: patch.signal };
      const built = patch.dryRun ? await builder.build(patch.zip, cur.handler, cur.runtime, ctx) : await buildAndStore(patch.zip, cur.handler, cur.runtime, ctx);
      const next: FunctionVersionRecord = {
        ...cur,
        codeSha256: built.codeSha256,
        codeSize: built.codeSize,
        bundleSha256: built.bundleSha256,
        handlerExport: built.handlerExport,
        revisionId: ids.uuid(),
        lastModified: lambdaTimestamp(clock.now()),
      };
      if (patch.dryRun) return next;
      await writeLatest(next, cur.revisionId);
      try {
        return patch.publish ? await service.publish(accountId, name, {}) : next;
      } finally {
        if (next.codeSha256 !== cur.codeSha256 || next.bundleSha256 !== cur.bundleSha256) await deps.collectCode();
      }
    },

    async updateConfiguration(accountId: string, name: string, patch: ConfigurationPatch): Promise<FunctionVersionRecord> {
      const cur = await getLatest(accountId, name);
      checkRevision(cur, patch.revisionId);
      const runtime = patch.runtime ?? cur.runtime;
      checkRuntime(runtime);
      if (patch.environment) checkEnvironment(patch.environment);
      const handler = patch.handler ?? cur.handler;
      let built = { bundleSha256: cur.bundleSha256, handlerExport: cur.handlerExport };
      if (handler !== cur.handler || runtime !== cur.runtime) {
        // The bundle's entry point is the handler's file, so a new handler means a new build of the same zip.
        const zip = await code.getZip(cur.codeSha256);
        if (!zip) throw stratusError('INTERNAL.zipMissing', { sha256: cur.codeSha256, name });
        built = await buildAndStore(zip, handler, runtime, { accountId, signal: patch.signal });
      }
      const next: FunctionVersionRecord = {
        ...cur,
        runtime,
        handler,
        role: patch.role ?? cur.role,
        description: patch.description ?? cur.description,
        memoryMb: patch.memoryMb ?? cur.memoryMb,
        timeoutSec: patch.timeoutSec ?? cur.timeoutSec,
        environment: patch.environment ?? cur.environment,
        bundleSha256: built.bundleSha256,
        handlerExport: built.handlerExport,
        revisionId: ids.uuid(),
        lastModified: lambdaTimestamp(clock.now()),
      };
      await writeLatest(next, cur.revisionId);
      // A new handler or runtime means a new bundle; the old one may now be unreferenced.
      if (next.bundleSha256 !== cur.bundleSha256) await deps.collectCode();
      return next;
    },

    async delete(accountId: string, name: string, qualifier?: string): Promise<void> {
      if (qualifier === undefined || qualifier === LATEST) {
        if (qualifier === LATEST) throw stratusError('REQUEST_INVALID_PARAMETER.deleteLatest');
        if (!(await functions.deleteFunction({ accountId, functionName: name }))) throw notFound(accountId, name);
      } else {
        if (!/^\d+$/.test(qualifier)) throw stratusError('REQUEST_INVALID_PARAMETER.deleteNotVersion');
        const users = await functions.aliasesUsingVersion({ accountId, functionName: name, version: qualifier });
        if (users.length > 0) {
          throw stratusError('FUNCTION_CONFLICT.versionInUse', { aliases: users.join(', ') });
        }
        if (!(await functions.deleteVersion({ accountId, functionName: name, version: qualifier }))) throw notFound(accountId, name, qualifier);
      }
      deps.onChange(accountId, name);
      await deps.collectCode();
    },

    async publish(accountId: string, name: string, opts: { codeSha256?: string; description?: string; revisionId?: string }): Promise<FunctionVersionRecord> {
      const cur = await getLatest(accountId, name);
      checkRevision(cur, opts.revisionId);
      if (opts.codeSha256 !== undefined && opts.codeSha256 !== cur.codeSha256) {
        throw stratusError('REQUEST_INVALID_PARAMETER.codeSha256', { given: opts.codeSha256, actual: cur.codeSha256 });
      }
      // As in Lambda, publishing an unchanged $LATEST returns the newest version instead of a copy.
      const last = await functions.latestPublished({ accountId, functionName: name });
      if (last && sameContent(last, cur)) return last;
      const published = await functions.publishVersion({
        accountId,
        functionName: name,
        expectedRevisionId: cur.revisionId,
        description: opts.description ?? '',
        revisionId: ids.uuid(),
        lastModified: lambdaTimestamp(clock.now()),
      });
      if (!published) throw stratusError('FUNCTION_REVISION_MISMATCH.publishRace');
      return published;
    },

    /** Per-tenant limits of a tenant-isolated function; no revision when they were never set. */
    async getTenancyLimits(accountId: string, name: string): Promise<TenancyLimitsState> {
      await getLatest(accountId, name);
      const rec = await functions.getTenancyLimits({ accountId, functionName: name });
      return rec ? { limits: rec.limits, revisionId: rec.revisionId } : { limits: {} };
    },

    /** Replaces the limits, conditionally on their revision: the caller's (a 412 when stale), and the one read here. */
    async setTenancyLimits(accountId: string, name: string, limits: TenancyLimits, opts: { revisionId?: string } = {}): Promise<TenancyLimitsState> {
      const cur = await getLatest(accountId, name);
      if (cur.tenantIsolationMode !== 'PER_TENANT') {
        throw stratusError('REQUEST_INVALID_PARAMETER.noTenancy', { name });
      }
      const stored = await functions.getTenancyLimits({ accountId, functionName: name });
      if (opts.revisionId !== undefined && opts.revisionId !== stored?.revisionId) {
        throw stratusError('FUNCTION_REVISION_MISMATCH.stale');
      }
      const next = { accountId, functionName: name, limits, revisionId: ids.uuid() };
      if (!(await functions.putTenancyLimits({ next, expectedRevisionId: stored?.revisionId }))) {
        throw stratusError('FUNCTION_REVISION_MISMATCH.tenancyLimitsRace');
      }
      return { limits, revisionId: next.revisionId };
    },

    /** The uploaded zip of a function (for presigned download links), while some version of it still has this code. */
    async codeZip(accountId: string, name: string, codeSha256: string): Promise<Uint8Array> {
      const zip = (await functions.referencesCode({ accountId, functionName: name, codeSha256 })) ? await code.getZip(codeSha256) : undefined;
      if (!zip) {
        throw stratusError('CODE_NOT_FOUND', { name });
      }
      return zip;
    },

    listVersions(accountId: string, name: string, marker: string | undefined, limit: number) {
      return getLatest(accountId, name).then(() => functions.listVersions({ accountId, functionName: name, marker, limit }));
    },
  };
  return service;
}

function sameContent(a: FunctionVersionRecord, b: FunctionVersionRecord): boolean {
  return (
    a.codeSha256 === b.codeSha256 &&
    a.handler === b.handler &&
    a.runtime === b.runtime &&
    a.memoryMb === b.memoryMb &&
    a.timeoutSec === b.timeoutSec &&
    a.role === b.role &&
    JSON.stringify(a.environment) === JSON.stringify(b.environment) &&
    JSON.stringify(a.egressPolicy) === JSON.stringify(b.egressPolicy)
  );
}

export type FunctionService = ReturnType<typeof createFunctionService>;
